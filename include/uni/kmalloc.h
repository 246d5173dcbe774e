/*
 * uni/kmalloc.h - the kernel's small-object allocator.
 *
 * Layer: kernel mm (src/kernel/mm/kmalloc.c), used by the VFS, pipes,
 * epoll and the other subsystems that need objects of varying size.
 * Objects up to 2 KiB come from power-of-two size classes carved out of
 * 4 KiB frames; bigger ones take whole contiguous frames. Memory is
 * returned to its class (small) or to the frame allocator (big). Runs
 * with interrupts disabled like the rest of the kernel. Host unit tests
 * link test/unit/host_kmalloc.c instead (plain malloc).
 */
#ifndef UNI_KMALLOC_H
#define UNI_KMALLOC_H

#include <stddef.h>

void *kmalloc(size_t n);  /* NULL when memory is out (or n is absurd) */
void *kzalloc(size_t n);  /* the same, zero-filled */
void kfree(void *p);      /* NULL is allowed */

/* Bytes currently handed out (for /proc/meminfo and leak tests). */
size_t kmalloc_in_use(void);

#endif
