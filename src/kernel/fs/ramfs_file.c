/*
 * ramfs_file.c - read and write of ramfs regular files (and memfds).
 *
 * Layer: kernel fs, the file_ops that open() installs for a ramfs
 * regular file (vn->fops); sys_rw.c calls them with the file offset or
 * pread/pwrite's offset. Data lives in the node's frames (ramfs.c);
 * a hole reads as zeros, a write into a hole takes a zeroed frame. When
 * no frame is left a write stops there: it returns what it wrote, or
 * -ENOSPC, and the file stays consistent.
 */
#include <errno.h>
#include <fcntl.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include <uni/mm.h>
#include "ramfs_priv.h"

static const char zeros[256];

static long ramfs_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct vnode *vn = f->vn;
	uint64_t p = *pos, end;
	size_t done = 0;

	if (p >= vn->size || !it->count)
		return 0;
	end = p + MIN(it->count, vn->size - p);
	while (p < end) {
		size_t off = p % RAMFS_PAGE, n = MIN(RAMFS_PAGE - off, end - p), got;
		uint64_t pa;
		ramfs_page(RN(vn), p / RAMFS_PAGE, 0, &pa);
		if (pa) {
			got = iter_copy_to(it, ramfs_frame(pa) + off, n);
		} else { /* a hole */
			got = 0;
			while (got < n) {
				size_t k = MIN(n - got, sizeof(zeros));
				size_t c = iter_copy_to(it, zeros, k);
				got += c;
				if (c < k)
					break;
			}
		}
		p += got;
		done += got;
		if (got < n)
			break;
	}
	*pos = p;
	vn->atime = vfs_now();
	return done ? (long)done : -EFAULT;
}

static long ramfs_write(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct vnode *vn = f->vn;
	uint64_t p = (f->flags & O_APPEND) ? vn->size : *pos;
	uint64_t old_size = vn->size;
	size_t done = 0;
	long err = 0;

	if (!it->count)
		return 0;
	if (p >= RAMFS_MAX_SIZE)
		return -EFBIG;
	while (it->count && p < RAMFS_MAX_SIZE) {
		size_t off = p % RAMFS_PAGE, got;
		size_t n = MIN(RAMFS_PAGE - off, it->count);
		uint64_t pa;
		err = ramfs_page(RN(vn), p / RAMFS_PAGE, 1, &pa);
		if (err)
			break;
		got = iter_copy_from(it, ramfs_frame(pa) + off, n);
		p += got;
		done += got;
		if (p > vn->size)
			vn->size = p;
		if (got < n) {
			err = -EFAULT;
			break;
		}
	}
	*pos = p;
	if (done)
		vn->mtime = vn->ctime = vfs_now();
	/* A mapped file (getpage pins it) that grew: shared mappings reach
	 * the new pages. */
	if (vn->size > old_size && RN(vn)->f.pinned)
		mm_file_grow(vn, vn->size);
	return done ? (long)done : err == -ENOMEM ? -ENOSPC : err;
}

static int ramfs_fsync(struct file *f)
{
	(void)f;
	return 0; /* the data is in memory and nowhere else */
}

const struct file_ops ramfs_file_fops = {
	.read = ramfs_read,
	.write = ramfs_write,
	.fsync = ramfs_fsync,
	.mmap = mm_map_file,
	.always_ready = 1,
};
