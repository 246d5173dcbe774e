/*
 * sys_rw.c - the descriptor syscalls every file type shares: read, write
 * and their vector and positional forms, lseek, close, close_range, dup,
 * dup2, dup3 and the generic part of ioctl (fcntl is in sys_fcntl.c, so
 * that a program which only writes links no lock code).
 *
 * Layer: kernel fs core, over fdtable.c and the file types' ops (uni/
 * file.h). Positional calls on streams give ESPIPE; a write to a file
 * opened read-only (or the reverse) gives EBADF. Vectors are validated
 * whole before anything moves, as on Linux.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/syscall.h>
#include <uni/uaccess.h>
#include <uni/vfs.h>

#ifndef RWF_HIPRI
#define RWF_HIPRI 0x1
#define RWF_DSYNC 0x2
#define RWF_SYNC 0x4
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#ifndef SEEK_DATA
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif

#define NO_POS (-1L) /* use and advance the file offset */

static long rw_file(int fd, struct iov_iter *it, long pos, int write)
{
	struct file *f = fd_get(fd);
	long (*op)(struct file *, struct iov_iter *, uint64_t *);
	uint64_t p;
	long r;

	if (!f)
		return -EBADF;
	op = write ? f->ops->write : f->ops->read;
	if (write ? !file_writable(f) : !file_readable(f))
		r = -EBADF;
	else if (!op)
		r = -EINVAL;
	else if (pos != NO_POS && f->ops->stream)
		r = -ESPIPE;
	else if (pos != NO_POS && pos < 0)
		r = -EINVAL;
	else {
		p = pos == NO_POS ? f->pos : (uint64_t)pos;
		r = op(f, it, &p);
		if (pos == NO_POS && !f->ops->stream && r >= 0)
			f->pos = p;
	}
	file_put(f);
	return r;
}

static long rw_one(int fd, void *buf, size_t len, long pos, int write)
{
	struct iovec one;
	struct iov_iter it;

	if ((ssize_t)len < 0)
		return -EINVAL;
	iter_init1(&it, &one, buf, len, 0);
	return rw_file(fd, &it, pos, write);
}

static long rw_vec(int fd, const struct iovec *uiov, int cnt, long pos,
		   int write)
{
	struct iovec fast[IOV_FAST], *heap;
	struct iov_iter it;
	long r;

	if (cnt < 0)
		return -EINVAL;
	r = iter_import(&it, uiov, (size_t)cnt, fast, &heap);
	if (r == 0)
		r = rw_file(fd, &it, pos, write);
	kfree(heap);
	return r;
}

SYSCALL_DEFINE3(read, int, fd, void *, buf, size_t, len)
{
	return rw_one(fd, buf, len, NO_POS, 0);
}

SYSCALL_DEFINE3(write, int, fd, const void *, buf, size_t, len)
{
	return rw_one(fd, (void *)buf, len, NO_POS, 1);
}

SYSCALL_DEFINE4(pread64, int, fd, void *, buf, size_t, len, long, pos)
{
	return pos == NO_POS ? -EINVAL : rw_one(fd, buf, len, pos, 0);
}

SYSCALL_DEFINE4(pwrite64, int, fd, const void *, buf, size_t, len, long, pos)
{
	return pos == NO_POS ? -EINVAL : rw_one(fd, (void *)buf, len, pos, 1);
}

SYSCALL_DEFINE3(readv, int, fd, const struct iovec *, iov, int, cnt)
{
	return rw_vec(fd, iov, cnt, NO_POS, 0);
}

SYSCALL_DEFINE3(writev, int, fd, const struct iovec *, iov, int, cnt)
{
	return rw_vec(fd, iov, cnt, NO_POS, 1);
}

SYSCALL_DEFINE4(preadv, int, fd, const struct iovec *, iov, int, cnt, long, pos)
{
	return pos == NO_POS ? -EINVAL : rw_vec(fd, iov, cnt, pos, 0);
}

SYSCALL_DEFINE4(pwritev, int, fd, const struct iovec *, iov, int, cnt, long, pos)
{
	return pos == NO_POS ? -EINVAL : rw_vec(fd, iov, cnt, pos, 1);
}

/* The *v2 forms: offset -1 is the file offset; the flags that only ask
 * for synchronous completion are what ramfs does anyway. */
static long rwv2(int fd, const struct iovec *iov, int cnt, long pos, int flags,
		 int write)
{
	if (flags & ~(RWF_HIPRI | RWF_DSYNC | RWF_SYNC))
		return -EOPNOTSUPP;
	if (pos < NO_POS)
		return -EINVAL;
	return rw_vec(fd, iov, cnt, pos, write);
}

SYSCALL_DEFINE6(preadv2, int, fd, const struct iovec *, iov, int, cnt,
		long, pos, long, pos_h, int, flags)
{
	return rwv2(fd, iov, cnt, pos, flags, 0);
}

SYSCALL_DEFINE6(pwritev2, int, fd, const struct iovec *, iov, int, cnt,
		long, pos, long, pos_h, int, flags)
{
	return rwv2(fd, iov, cnt, pos, flags, 1);
}

/* ---- lseek -------------------------------------------------------------- */

static long generic_llseek(struct file *f, long off, int whence)
{
	struct vnode *vn = f->vn;
	long base;

	if (vn && S_ISDIR(vn->mode)) {
		/* Directory offsets are readdir cookies (d_off). */
		if (whence == SEEK_SET && off >= 0)
			return (long)(f->pos = f->dir_cookie = (uint64_t)off);
		if (whence == SEEK_CUR && off == 0)
			return (long)f->dir_cookie;
		return -EINVAL;
	}
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (long)f->pos;
		break;
	case SEEK_END:
		if (!vn)
			return -EINVAL;
		base = (long)vn->size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		/* No hole map is kept: all of [0, size) counts as data and
		 * the only hole is the end, which Linux allows. */
		if (!vn)
			return -EINVAL;
		if (off < 0 || (uint64_t)off >= vn->size)
			return -ENXIO;
		return (long)(f->pos = whence == SEEK_DATA ? (uint64_t)off
							   : vn->size);
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > LONG_MAX - off) || base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return (long)f->pos;
}

SYSCALL_DEFINE3(lseek, int, fd, long, off, int, whence)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	if (f->ops->stream)
		r = -ESPIPE;
	else if (f->ops->llseek)
		r = f->ops->llseek(f, off, whence);
	else
		r = generic_llseek(f, off, whence);
	file_put(f);
	return r;
}

/* ---- close and dup -------------------------------------------------------- */

SYSCALL_DEFINE1(close, int, fd)
{
	return fd_close(fd);
}

SYSCALL_DEFINE3(close_range, unsigned int, first, unsigned int, last,
		unsigned int, flags)
{
	unsigned top;

	if (first > last || (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)))
		return -EINVAL;
	/* One process, one table: it is never shared, so UNSHARE holds. */
	top = (unsigned)fd_count_hint();
	for (unsigned fd = first; fd <= last && fd < top; fd++) {
		if (flags & CLOSE_RANGE_CLOEXEC)
			fd_set_cloexec((int)fd, 1);
		else
			fd_close((int)fd);
	}
	return 0;
}

static long dup_to(int oldfd, int newfd, int cloexec)
{
	struct file *f = fd_get(oldfd);
	long r;

	if (!f)
		return -EBADF;
	r = fd_install_at(f, newfd, cloexec);
	if (r < 0)
		file_put(f);
	return r;
}

SYSCALL_DEFINE1(dup, int, fd)
{
	return fd_dup(fd, 0, 0);
}

SYSCALL_DEFINE2(dup2, int, oldfd, int, newfd)
{
	struct file *f = fd_get(oldfd);

	if (!f)
		return -EBADF;
	file_put(f);
	return oldfd == newfd ? newfd : dup_to(oldfd, newfd, 0);
}

SYSCALL_DEFINE3(dup3, int, oldfd, int, newfd, int, flags)
{
	if (oldfd == newfd || (flags & ~O_CLOEXEC))
		return -EINVAL;
	return dup_to(oldfd, newfd, !!(flags & O_CLOEXEC));
}

/* ---- ioctl ----------------------------------------------------------------- */

SYSCALL_DEFINE3(ioctl, int, fd, unsigned long, req, void *, arg)
{
	struct file *f = fd_get(fd);
	long r;
	int on;

	if (!f)
		return -EBADF;
	switch (req) {
	case FIOCLEX:
	case FIONCLEX:
		r = fd_set_cloexec(fd, req == FIOCLEX);
		break;
	case FIONBIO:
		r = copy_from_user(&on, arg, sizeof(on));
		if (!r)
			f->flags = on ? f->flags | O_NONBLOCK
				      : f->flags & ~O_NONBLOCK;
		break;
	case FIONREAD:
		if (f->vn && S_ISREG(f->vn->mode)) {
			on = f->pos < f->vn->size ? (int)MIN(f->vn->size - f->pos,
							     (uint64_t)INT_MAX)
						  : 0;
			r = copy_to_user(arg, &on, sizeof(on));
			break;
		}
		/* fall through: the file type knows */
	default:
		r = f->ops->ioctl ? f->ops->ioctl(f, req, arg) : -ENOTTY;
	}
	file_put(f);
	return r;
}
