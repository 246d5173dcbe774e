/*
 * fs_tree_host.c - the kernel services the file tree (namei.c, mount.c,
 * vnode.c, ramfs.c, ramfs_file.c) needs, faked for host unit tests:
 * frames from aligned malloc with a settable limit (to run out of
 * memory), a descriptor table of test-made files, a clock the test
 * moves, root credentials, and iov_iter over kernel buffers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uni/file.h>
#include <uni/ident.h>
#include <uni/mm.h>
#include <uni/time.h>
#include <uni/vfs.h>
#include "fs_tree_host.h"

size_t host_frames_held, host_frames_limit = (size_t)-1;
uint64_t host_now_ns = 1000 * NSEC_PER_SEC;
struct file *host_fds[16];
int host_populated;
struct ident_cred host_cred; /* all zero: root */

uint64_t pmm_alloc(int flags)
{
	if (host_frames_held >= host_frames_limit)
		return 0;
	void *p = aligned_alloc(4096, 4096);
	if (!p)
		return 0;
	memset(p, flags & PMM_ZERO ? 0 : 0xa5, 4096);
	host_frames_held++;
	return (uint64_t)(uintptr_t)p;
}

void pmm_free(uint64_t pa)
{
	host_frames_held--;
	free((void *)(uintptr_t)pa);
}

size_t pmm_free_frames(void) { return 1000 - host_frames_held; }
size_t pmm_total_frames(void) { return 1000; }

uint64_t time_now_ns(void) { return host_now_ns; }
uint64_t time_wall_base_ns(void) { return 0; }

const struct ident_cred *ident_cred(void) { return &host_cred; }
int ident_capable(void) { return host_cred.euid == 0; }

void fs_populate(void) { host_populated++; }

struct file *fd_get(int fd)
{
	if (fd < 0 || fd >= 16 || !host_fds[fd])
		return NULL;
	host_fds[fd]->refs++;
	return host_fds[fd];
}

void file_put(struct file *f)
{
	f->refs--;
}

void iter_init1(struct iov_iter *it, struct iovec *one, void *buf,
		size_t len, int kernel)
{
	one->iov_base = buf;
	one->iov_len = len;
	it->iov = one;
	it->nr = 1;
	it->off = 0;
	it->count = len;
	it->kernel = kernel;
}

size_t iter_copy_to(struct iov_iter *it, const void *src, size_t n)
{
	n = n < it->count ? n : it->count;
	memcpy((char *)it->iov->iov_base + it->off, src, n);
	it->off += n;
	it->count -= n;
	return n;
}

size_t iter_copy_from(struct iov_iter *it, void *dst, size_t n)
{
	n = n < it->count ? n : it->count;
	memcpy(dst, (char *)it->iov->iov_base + it->off, n);
	it->off += n;
	it->count -= n;
	return n;
}

/* Read or write through the file ops as sys_rw.c would. */
long host_rw(struct file *f, int write, void *buf, size_t len, uint64_t *pos)
{
	struct iov_iter it;
	struct iovec one;

	iter_init1(&it, &one, buf, len, 1);
	return write ? f->ops->write(f, &it, pos) : f->ops->read(f, &it, pos);
}

/* ramfs files name mm_map_file as their mmap op; mapping is tested in
 * test_mm_mman, not here. */
long mm_map_file(struct file *f, const struct mm_map *m)
{
	(void)f;
	(void)m;
	return -ENODEV;
}

/* A write past the end of a mapped file tells mm; nothing is mapped. */
void mm_file_grow(struct vnode *vn, uint64_t size)
{
	(void)vn;
	(void)size;
}
