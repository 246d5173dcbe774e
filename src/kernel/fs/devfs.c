/*
 * devfs.c - /dev: the character devices and their nodes.
 *
 * Layer: kernel fs. fs_populate() (initfs.c) calls devfs_mount() once:
 * /dev is a ramfs of its own (listed as "devtmpfs", which is what Linux's
 * /dev is: a writable tmpfs holding device nodes), filled with the nodes
 * below, the /proc/self/fd symlinks and a world-writable shm directory.
 * The VFS opens any character device node, here or made by mknod in
 * ramfs, through vfs_chrdev_fops(), which maps Linux's device numbers to
 * file ops: null, zero, full (writes fail with ENOSPC), random and
 * urandom (the kernel generator, uni/random.h: seeded from the first
 * read, so neither ever blocks), tty and console (the serial console).
 */
#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include <uni/mm.h>
#include <uni/random.h>
#include <uni/vfs.h>
#include "image_priv.h"
#include "tree_priv.h"

#define TMPFS_MAGIC 0x01021994 /* devtmpfs reports tmpfs's f_type */
#define CHUNK 256

/* Fill the reader's buffers with zeros or random bytes. */
static long fill(struct iov_iter *it, int random)
{
	char buf[CHUNK];
	long total = 0;
	size_t n, done;

	__builtin_memset(buf, 0, sizeof(buf));
	while (it->count) {
		n = MIN(it->count, sizeof(buf));
		if (random)
			random_bytes(buf, n);
		done = iter_copy_to(it, buf, n);
		total += (long)done;
		if (done < n)
			return total ? total : -EFAULT;
	}
	return total;
}

static long eof_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	return 0;
}

static long zero_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	return fill(it, 0);
}

static long random_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	return fill(it, 1);
}

/* Swallow everything (Linux mixes what is written to random into its
 * pool; ours is reseeded from the hardware, so it is dropped too). */
static long sink_write(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	long n = (long)it->count;

	iter_advance(it, it->count);
	return n;
}

static long full_write(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	return it->count ? -ENOSPC : 0;
}

static const struct file_ops null_fops = {
	.read = eof_read, .write = sink_write, .always_ready = 1,
};
static const struct file_ops zero_fops = {
	.read = zero_read, .write = sink_write, .always_ready = 1,
	.mmap = mm_map_zero, /* MAP_PRIVATE of /dev/zero: anonymous memory */
};
static const struct file_ops full_fops = {
	.read = zero_read, .write = full_write, .always_ready = 1,
};
static const struct file_ops random_fops = {
	.read = random_read, .write = sink_write, .always_ready = 1,
};

const struct file_ops *vfs_chrdev_fops(dev_t rdev)
{
	switch (rdev) {
	case makedev(1, 3): return &null_fops;
	case makedev(1, 5): return &zero_fops;
	case makedev(1, 7): return &full_fops;
	case makedev(1, 8):
	case makedev(1, 9): return &random_fops;
	case makedev(5, 0):
	case makedev(5, 1): return &console_fops;
	}
	return NULL;
}

static const struct {
	char name[8];
	unsigned char major, minor;
	unsigned short perm;
} devices[] = {
	{ "null", 1, 3, 0666 },   { "zero", 1, 5, 0666 },
	{ "full", 1, 7, 0666 },   { "random", 1, 8, 0666 },
	{ "urandom", 1, 9, 0666 }, { "tty", 5, 0, 0666 },
	{ "console", 5, 1, 0600 },
};

static const char *const links[][2] = {
	{ "/dev/fd", "/proc/self/fd" },
	{ "/dev/stdin", "/proc/self/fd/0" },
	{ "/dev/stdout", "/proc/self/fd/1" },
	{ "/dev/stderr", "/proc/self/fd/2" },
};

void devfs_mount(void)
{
	struct mount *m = ramfs_mount_new();
	char path[16];

	if (!m || vfs_mount("/dev", m)) {
		kprintf("uni: cannot mount /dev\n");
		return;
	}
	m->fstype = "devtmpfs";
	m->magic = TMPFS_MAGIC;
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++) {
		ksnprintf(path, sizeof(path), "/dev/%s", devices[i].name);
		vfs_mknod_path(path, S_IFCHR | devices[i].perm,
			       makedev(devices[i].major, devices[i].minor));
		image_chmod(path, devices[i].perm);
	}
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		vfs_symlink_path(links[i][1], links[i][0]);
	/* POSIX shared memory (shm_open) lives here: sticky, everyone's. */
	vfs_mkdir_p("/dev/shm", 01777);
	image_chmod("/dev/shm", 01777);
}
