/*
 * uni/memfd.h - what the rest of the kernel asks about memfds.
 *
 * Layer: kernel fs (src/kernel/fs/memfd.c). A memfd is an unlinked ramfs
 * file whose open file description carries the name it was created with;
 * /proc/self/fd/N shows it. Weak, so that procfs does not pull memfd.c
 * into an image that never calls memfd_create.
 */
#ifndef UNI_MEMFD_H
#define UNI_MEMFD_H

struct file;

/* "/memfd:NAME (deleted)", Linux's readlink of the descriptor, if f was
 * made by memfd_create; else NULL. */
const char *memfd_name(const struct file *f) __attribute__((weak));

#endif
