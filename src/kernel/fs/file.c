/*
 * file.c - open file descriptions and buffer lists (uni/file.h).
 *
 * Layer: kernel fs core. Every file type creates its struct file here
 * (file_alloc) and every descriptor operation ends in file_put; the
 * read/write syscalls (sys_rw.c) describe the program's buffers with an
 * iov_iter that the file types copy through.
 *
 * vnode_put and the lock/epoll hooks are weak references: an image whose
 * files are only the console (hello world) links no VFS, no locks and no
 * epoll; any code that puts a vnode into a file has linked the VFS already.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/uaccess.h>
#include <uni/vfs.h>

void vnode_put(struct vnode *vn) __attribute__((weak));
/* Drop f from every epoll set watching it (fs/epoll.c). */
void epoll_file_release(struct file *f) __attribute__((weak));

struct file *file_alloc(const struct file_ops *ops, unsigned flags,
			struct vnode *vn, void *priv)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->ops = ops;
	f->refs = 1;
	f->flags = flags;
	f->vn = vn;
	f->priv = priv;
	return f;
}

void file_put(struct file *f)
{
	KASSERT(f->refs > 0);
	if (--f->refs)
		return;
	if (epoll_file_release)
		epoll_file_release(f);
	if (lock_on_release)
		lock_on_release(f);
	if (f->ops->release)
		f->ops->release(f);
	if (f->vn)
		vnode_put(f->vn);
	kfree(f);
}

uint32_t file_poll(struct file *f, struct poll_table *pt)
{
	if (!f->ops->poll)
		return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	return f->ops->poll(f, pt);
}

/* ---- iov_iter ---------------------------------------------------------- */

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

/* Move up to n bytes between the iterator's buffers and kbuf. */
static size_t iter_copy(struct iov_iter *it, void *kbuf, size_t n, int to_iter)
{
	size_t done = 0;

	n = MIN(n, it->count);
	while (done < n) {
		const struct iovec *v = it->iov;
		size_t chunk = MIN(v->iov_len - it->off, n - done);
		char *ub = (char *)v->iov_base + it->off;
		char *kb = (char *)kbuf + done;

		if (chunk) {
			if (it->kernel)
				memcpy(to_iter ? ub : kb, to_iter ? kb : ub, chunk);
			else if (uaccess_copy(to_iter ? ub : kb, to_iter ? kb : ub,
					      chunk))
				break;
		}
		done += chunk;
		it->count -= chunk;
		it->off += chunk;
		if (it->off == v->iov_len && it->nr > 1) {
			it->iov++;
			it->nr--;
			it->off = 0;
		}
	}
	return done;
}

size_t iter_copy_to(struct iov_iter *it, const void *src, size_t n)
{
	return iter_copy(it, (void *)src, n, 1);
}

size_t iter_copy_from(struct iov_iter *it, void *dst, size_t n)
{
	return iter_copy(it, dst, n, 0);
}

long iter_import(struct iov_iter *it, const struct iovec *uiov, size_t cnt,
		 struct iovec fast[IOV_FAST], struct iovec **heap)
{
	struct iovec *v = fast;
	size_t total = 0;

	*heap = NULL;
	if (cnt > IOV_MAX)
		return -EINVAL;
	if (cnt > IOV_FAST) {
		v = *heap = kmalloc(cnt * sizeof(*v));
		if (!v)
			return -ENOMEM;
	}
	if (copy_from_user(v, uiov, cnt * sizeof(*v)))
		return -EFAULT;
	for (size_t i = 0; i < cnt; i++) {
		if ((ssize_t)v[i].iov_len < 0 ||
		    (ssize_t)(total + v[i].iov_len) < 0)
			return -EINVAL;
		total += v[i].iov_len;
	}
	if (!cnt) {
		/* an empty vector: point at a zero-length entry */
		fast[0].iov_base = NULL;
		fast[0].iov_len = 0;
		v = fast;
		cnt = 1;
	}
	*it = (struct iov_iter){ .iov = v, .nr = (int)cnt, .count = total };
	return 0;
}

void iter_advance(struct iov_iter *it, size_t n)
{
	n = MIN(n, it->count);
	it->count -= n;
	while (n) {
		size_t chunk = MIN(it->iov->iov_len - it->off, n);
		n -= chunk;
		it->off += chunk;
		if (it->off == it->iov->iov_len && it->nr > 1) {
			it->iov++;
			it->nr--;
			it->off = 0;
		}
	}
}

/* ---- kernel-side I/O ---------------------------------------------------- */

long kernel_read(struct file *f, void *buf, size_t len, uint64_t pos)
{
	struct iovec one;
	struct iov_iter it;

	if (!f->ops->read)
		return -EINVAL;
	iter_init1(&it, &one, buf, len, 1);
	return f->ops->read(f, &it, &pos);
}

long kernel_write(struct file *f, const void *buf, size_t len, uint64_t pos)
{
	struct iovec one;
	struct iov_iter it;

	if (!f->ops->write)
		return -EINVAL;
	iter_init1(&it, &one, (void *)buf, len, 1);
	return f->ops->write(f, &it, &pos);
}
