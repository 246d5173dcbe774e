/*
 * eventfd.c - eventfd and eventfd2: a 64-bit counter as a file.
 *
 * Layer: kernel fs, a file type (uni/file.h) over a wait queue. A write of
 * an 8-byte value adds it to the counter, blocking (or EAGAIN) while the
 * sum would exceed 2^64 - 2; a read returns the counter and zeroes it, or
 * with EFD_SEMAPHORE returns 1 and decrements it, blocking (or EAGAIN)
 * while it is 0. Readable when the counter is not 0, writable while it is
 * below 2^64 - 2, as on Linux.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <uni/file.h>
#include <uni/kmalloc.h>
#include <uni/signal.h>
#include <uni/syscall.h>
#include "wait_priv.h"

#define EFD_MAX UINT64_C(0xfffffffffffffffe) /* the largest count */

struct eventfd {
	uint64_t count;
	int semaphore;
	struct waitq q;
};

static long efd_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;

	if (it->count < sizeof(v))
		return -EINVAL;
	while (!e->count) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (waitq_block(&e->q, POLLIN, 0))
			return -ERESTARTSYS;
	}
	v = e->semaphore ? 1 : e->count;
	if (iter_copy_to(it, &v, sizeof(v)) != sizeof(v))
		return -EFAULT;
	e->count -= v;
	waitq_wake(&e->q, POLLOUT | POLLWRNORM);
	return sizeof(v);
}

static long efd_write(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;

	if (it->count < sizeof(v))
		return -EINVAL;
	if (iter_copy_from(it, &v, sizeof(v)) != sizeof(v))
		return -EFAULT;
	if (v == UINT64_MAX)
		return -EINVAL;
	while (v > EFD_MAX - e->count) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (waitq_block(&e->q, POLLOUT, 0))
			return -ERESTARTSYS;
	}
	e->count += v;
	if (v)
		waitq_wake(&e->q, POLLIN | POLLRDNORM);
	return sizeof(v);
}

static uint32_t efd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd *e = f->priv;
	uint32_t m = 0;

	poll_wait(f, &e->q, pt);
	if (e->count)
		m |= POLLIN | POLLRDNORM;
	if (e->count < EFD_MAX)
		m |= POLLOUT | POLLWRNORM;
	return m;
}

static int efd_stat(struct file *f, struct stat *st)
{
	return anon_stat(st);
}

static void efd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops eventfd_fops = {
	.read = efd_read,
	.write = efd_write,
	.poll = efd_poll,
	.stat = efd_stat,
	.release = efd_release,
	.stream = 1,
	.anon_name = "[eventfd]",
};

static long do_eventfd2(unsigned int initval, int flags)
{
	struct eventfd *e;
	struct file *f;
	int fd;

	if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	e = kzalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->count = initval;
	e->semaphore = !!(flags & EFD_SEMAPHORE);
	f = file_alloc(&eventfd_fops, O_RDWR | (flags & EFD_NONBLOCK), NULL, e);
	if (!f) {
		kfree(e);
		return -ENOMEM;
	}
	fd = fd_install(f, 0, !!(flags & EFD_CLOEXEC));
	if (fd < 0)
		file_put(f);
	return fd;
}

SYSCALL_DEFINE2(eventfd2, unsigned int, initval, int, flags)
{
	return do_eventfd2(initval, flags);
}

SYSCALL_DEFINE1(eventfd, unsigned int, initval)
{
	return do_eventfd2(initval, 0);
}
