/*
 * image_priv.h - internals of the boot-time file system image: the
 * embedded archive (initfs.c), the generated /etc (etc.c), /dev
 * (devfs.c) and /proc (procfs.c). fs_populate() (initfs.c) is the only
 * caller of the *_populate/_mount functions; the VFS sees none of this.
 */
#ifndef UNI_FS_IMAGE_PRIV_H
#define UNI_FS_IMAGE_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <uni/cmdline.h>

#pragma GCC visibility push(hidden)

/* ---- initfs.c: cpio "newc" archives (toolchain/uni-pack-files) ------- */

struct cpio_entry {
	const char *name;     /* NUL-terminated, inside the archive */
	size_t namelen;
	uint32_t mode;        /* type and permission bits */
	uint32_t mtime;
	uint32_t rdevmajor, rdevminor;
	const uint8_t *data;  /* file contents or symlink target */
	uint32_t size;
};

/* The entry at *off of the archive [a, a+len): 1 with *e filled and *off
 * moved to the next entry; 0 at the trailer; -EINVAL when the archive is
 * malformed or truncated (*why then says how). Never reads outside. */
int cpio_next(const uint8_t *a, size_t len, size_t *off, struct cpio_entry *e,
	      const char **why);

/* Unpack an archive into the tree. Returns the entries made, or -EINVAL
 * for a malformed archive (what came before the bad spot stays; a line
 * in the kernel log says where). A single entry that cannot be made is
 * logged and skipped. */
int initfs_unpack(const void *archive, size_t len);

/* Set exactly these permission bits on path (the helpers of uni/vfs.h
 * apply the umask); a no-op when path does not exist. */
void image_chmod(const char *path, mode_t perm);

/* A growing text buffer (generated /etc and /proc files). After a
 * failed allocation p is NULL and the rest is dropped: check t.p. */
struct text {
	char *p;
	size_t len, cap;
};
void text_init(struct text *t, size_t cap);
void text_put(struct text *t, const void *s, size_t n);
void text_printf(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- the rest of the tree, in fs_populate()'s order ----------------- */
void devfs_mount(void);   /* devfs.c: /dev */
void procfs_mount(void);  /* procfs.c: /proc */
void etc_populate(void);  /* etc.c: /etc files the archive lacks */

#pragma GCC visibility pop

/* cwd=DIR from the kernel command line (cwd_option.c). */
void fs_apply_cwd_option(void);

#endif
