/*
 * initfs.c - the root file system's contents at boot: /dev, /proc, /tmp,
 * /var/tmp, /etc and the directory trees embedded in the image.
 *
 * Layer: kernel fs, above the VFS helpers of uni/vfs.h. vfs_root() calls
 * fs_populate() once, right after / exists as an empty ramfs, so an image
 * that never touches a path links none of this. The trees come from
 * uni_add_files() (cmake/UniFiles.cmake) through toolchain/uni-pack-files:
 * one cpio "newc" archive (the format of Linux's initramfs) between the
 * symbols __uni_files_start and __uni_files_end, weak here so that an
 * image without files links too. Archives given at boot (uni-run --files,
 * passed as loader modules: boot_info.modules) are unpacked after it, in
 * order, so they can replace the image's files. An archive is data from
 * the build or the host, but
 * it is parsed as untrusted: every field is bounds-checked, and a bad
 * archive is logged and the rest of it skipped, never a crash
 * (test/unit/test_initfs.c feeds it truncated and garbage input).
 */
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <uni/boot.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/vfs.h>
#include "image_priv.h"

extern const uint8_t __uni_files_start[] __attribute__((weak));
extern const uint8_t __uni_files_end[] __attribute__((weak));

#define NEWC_HDR 110 /* "070701" and 13 fields of 8 hex digits */

/* Field i (0 = c_ino ... 12 = c_check) of the header at h. */
static int hex_field(const uint8_t *h, int i, uint32_t *out)
{
	uint32_t v = 0;

	h += 6 + 8 * i;
	for (int k = 0; k < 8; k++) {
		uint8_t c = h[k];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			c = (c | 0x20) - 'a' + 10;
		else
			return -EINVAL;
		v = v << 4 | c;
	}
	*out = v;
	return 0;
}

static size_t align4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

int cpio_next(const uint8_t *a, size_t len, size_t *off, struct cpio_entry *e,
	      const char **why)
{
	size_t o = *off, namesize, data;
	uint32_t f[13];

	if (o > len || len - o < NEWC_HDR) {
		*why = "truncated header";
		return -EINVAL;
	}
	if (memcmp(a + o, "07070", 5) || (a[o + 5] != '1' && a[o + 5] != '2')) {
		*why = "bad magic (not cpio newc)";
		return -EINVAL;
	}
	for (int i = 0; i < 13; i++)
		if (hex_field(a + o, i, &f[i])) {
			*why = "bad header field";
			return -EINVAL;
		}
	namesize = f[11];
	if (namesize < 2 || namesize > PATH_MAX ||
	    namesize > len - o - NEWC_HDR) {
		*why = "bad name size";
		return -EINVAL;
	}
	e->name = (const char *)a + o + NEWC_HDR;
	e->namelen = namesize - 1;
	if (e->name[e->namelen] || strlen(e->name) != e->namelen) {
		*why = "name not terminated";
		return -EINVAL;
	}
	if (e->namelen == 10 && !memcmp(e->name, "TRAILER!!!", 10))
		return 0;
	data = align4(o + NEWC_HDR + namesize);
	if (data > len || f[6] > len - data) {
		*why = "truncated data";
		return -EINVAL;
	}
	e->mode = f[1];
	e->mtime = f[5];
	e->size = f[6];
	e->rdevmajor = f[9];
	e->rdevminor = f[10];
	e->data = a + data;
	*off = MIN(align4(data + e->size), len);
	return 1;
}

/* "/" + the entry's name without leading "./" or "/"; -EINVAL for a ".."
 * component (an archive never reaches outside /), 0 and "" for "." */
static int entry_path(const struct cpio_entry *e, char *buf)
{
	const char *n = e->name, *end = e->name + e->namelen, *c;

	while (n < end && (*n == '/' || (*n == '.' && (n + 1 == end || n[1] == '/'))))
		n++;
	for (c = n; c < end; c++)
		if (c[0] == '.' && c[1] == '.' && (c == n || c[-1] == '/') &&
		    (c + 2 == end || c[2] == '/'))
			return -EINVAL;
	buf[0] = '/';
	memcpy(buf + 1, n, (size_t)(end - n) + 1);
	return 0;
}

/* Remove a non-directory at path (a later tree replaces a file). */
static int unlink_path(const char *path)
{
	struct vnode *dir;
	const char *name;
	size_t len;
	int trailing, err;

	err = namei_parent(AT_FDCWD_, path, &dir, &name, &len, &trailing);
	if (err)
		return err;
	err = dir->ops->unlink ? dir->ops->unlink(dir, name, len, 0) : -EPERM;
	vnode_put(dir);
	return err;
}

/* The parent directories of path, as mkdir -p (0755). */
static int make_parents(char *path)
{
	char *slash = strrchr(path, '/');
	int err;

	if (slash == path)
		return 0;
	*slash = '\0';
	err = vfs_mkdir_p(path, 0755);
	*slash = '/';
	return err;
}

/* Exact permission bits and the archive's mtime on the node at path. */
static void set_attrs(const char *path, const struct cpio_entry *e)
{
	struct vnode *vn;

	if (namei(AT_FDCWD_, path, 0, &vn))
		return;
	if (!S_ISLNK(vn->mode))
		vn->mode = (vn->mode & S_IFMT) | (e->mode & 07777);
	if (e->mtime) {
		vn->mtime.tv_sec = vn->atime.tv_sec = e->mtime;
		vn->mtime.tv_nsec = vn->atime.tv_nsec = 0;
	}
	vnode_put(vn);
}

static int make_entry(char *path, const struct cpio_entry *e, char *tmp)
{
	mode_t perm = e->mode & 07777;
	int err;

	if (S_ISDIR(e->mode))
		return vfs_mkdir_p(path, perm);
	if ((err = make_parents(path)))
		return err;
	switch (e->mode & S_IFMT) {
	case S_IFREG:
		err = vfs_write_file(path, perm, e->data, e->size);
		if (err == -EEXIST && !(err = unlink_path(path)))
			err = vfs_write_file(path, perm, e->data, e->size);
		return err;
	case S_IFLNK:
		if (e->size == 0 || e->size >= PATH_MAX ||
		    memchr(e->data, 0, e->size))
			return -EINVAL;
		memcpy(tmp, e->data, e->size);
		tmp[e->size] = '\0';
		err = vfs_symlink_path(tmp, path);
		if (err == -EEXIST && !(err = unlink_path(path)))
			err = vfs_symlink_path(tmp, path);
		return err;
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		return vfs_mknod_path(path, e->mode & (S_IFMT | 07777),
				      makedev(e->rdevmajor, e->rdevminor));
	}
	return -EINVAL;
}

int initfs_unpack(const void *archive, size_t len)
{
	struct cpio_entry e;
	const char *why = NULL;
	size_t off = 0, at;
	char *path, *tmp;
	int n = 0, rc, err;

	path = kmalloc(2 * PATH_MAX + 2);
	if (!path) {
		kprintf("uni: files: no memory to unpack the image's files\n");
		return -ENOMEM;
	}
	tmp = path + PATH_MAX + 1;
	for (;;) {
		at = off;
		rc = cpio_next(archive, len, &off, &e, &why);
		if (rc <= 0)
			break;
		if (entry_path(&e, path)) {
			kprintf("uni: files: skipped %s: '..' in the name\n", e.name);
			continue;
		}
		if (!path[1])
			continue; /* "." is / itself */
		if ((err = make_entry(path, &e, tmp))) {
			kprintf("uni: files: cannot make %s: error %d\n", path, -err);
			continue;
		}
		set_attrs(path, &e);
		n++;
	}
	kfree(path);
	if (rc < 0) {
		kprintf("uni: files: bad archive at byte %zu of %zu: %s; "
			"the rest is skipped\n", at, len, why);
		return rc;
	}
	return n;
}

void text_init(struct text *t, size_t cap)
{
	t->p = kmalloc(cap);
	t->len = 0;
	t->cap = cap;
}

/* Room for n more bytes (and a NUL): 0, or -ENOMEM with p freed. */
static int text_room(struct text *t, size_t n)
{
	char *p;

	if (!t->p)
		return -ENOMEM;
	if (t->len + n + 1 <= t->cap)
		return 0;
	t->cap = MAX(2 * t->cap, t->len + n + 1);
	p = kmalloc(t->cap);
	if (p)
		memcpy(p, t->p, t->len);
	kfree(t->p);
	t->p = p;
	return p ? 0 : -ENOMEM;
}

void text_put(struct text *t, const void *s, size_t n)
{
	if (text_room(t, n))
		return;
	memcpy(t->p + t->len, s, n);
	t->len += n;
}

void text_printf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (text_room(t, 0))
		return;
	va_start(ap, fmt);
	n = kvsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n < t->cap - t->len) {
		t->len += n > 0 ? (size_t)n : 0;
		return;
	}
	if (text_room(t, (size_t)n))
		return;
	va_start(ap, fmt);
	kvsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

void image_chmod(const char *path, mode_t perm)
{
	struct cpio_entry e = { .mode = perm };

	set_attrs(path, &e);
}

static void mkdir_mode(const char *path, mode_t perm)
{
	vfs_mkdir_p(path, perm);
	image_chmod(path, perm);
}

void fs_populate(void)
{
	mkdir_mode("/etc", 0755);
	mkdir_mode("/tmp", 01777);
	/* FHS: temporary files kept between reboots (of a program that has
	 * none, here); programs and test suites expect it. */
	mkdir_mode("/var", 0755);
	mkdir_mode("/var/tmp", 01777);
	mkdir_mode("/dev", 0755);
	mkdir_mode("/proc", 0555);
	devfs_mount();
	procfs_mount();
	if (__uni_files_start && __uni_files_end > __uni_files_start)
		initfs_unpack(__uni_files_start,
			      (size_t)(__uni_files_end - __uni_files_start));
	for (int i = 0; i < boot_info.nmodules; i++)
		initfs_unpack((const void *)(uintptr_t)boot_info.modules[i].base,
			      boot_info.modules[i].len);
	etc_populate();
	fs_apply_cwd_option();
}
