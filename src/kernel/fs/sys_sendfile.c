/*
 * sys_sendfile.c - sendfile(2) (x86-64's sendfile is Linux's sendfile64)
 * and copy_file_range(2): copies from one file to another that never
 * pass through the program's memory.
 *
 * Layer: kernel fs, over the file layer only (uni/file.h): the source's
 * read op fills a bounded kmalloc'd bounce buffer at an offset, the
 * destination's write op drains it, so every file type (ramfs files,
 * sockets, pipes, devices) works without knowing about sendfile. Called
 * by musl's sendfile()/copy_file_range() as direct syscalls. The argument
 * checks and their order follow Linux's do_sendfile, do_splice_direct and
 * generic_copy_file_checks (fs/read_write.c, fs/splice.c), errno by errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/syscall.h>
#include <uni/uaccess.h>
#include <uni/vfs.h>

#define MAX_RW_COUNT 0x7ffff000L /* Linux: INT_MAX & PAGE_MASK */
#define BOUNCE (64 * 1024)       /* per round; also a pipe's default size */

/* For a pipe destination, what one call may move: Linux's
 * splice_file_to_pipe waits for room and fills what is free, so a single
 * thread can alternate sendfile and read. 0 when out is not a pipe
 * (pipe_fcntl is weak: without pipe.c there are no pipes). */
static size_t pipe_room(struct file *out)
{
	long size = pipe_fcntl ? pipe_fcntl(out, F_GETPIPE_SZ, 0) : -EBADF;
	int used = 0;

	if (size <= 0)
		return 0;
	out->ops->ioctl(out, FIONREAD, &used);
	/* full: wait for one page of room, as Linux waits for a slot */
	return size > used ? (size_t)(size - used) : PIPE_BUF;
}

static int is_reg(const struct file *f)
{
	return f->vn && S_ISREG(f->vn->mode);
}

/* Linux's rw_verify_area for an offset and a count. */
static long verify_area(int64_t pos, size_t count)
{
	if ((long)count < 0 || pos < 0 || (int64_t)((uint64_t)pos + count) < 0)
		return -EINVAL;
	return 0;
}

/* Move up to count bytes from in at *ipos to out at *opos (ignored by
 * stream files), advancing both by what was written. Stops at the
 * source's end or after a short write (a non-blocking destination that
 * filled, a signal, a full file system). Returns bytes written, or
 * -errno when none were. */
static long copy_out(struct file *in, uint64_t *ipos, struct file *out,
		     uint64_t *opos, size_t count)
{
	size_t chunk = MIN(count, (size_t)BOUNCE);
	long done = 0, got, put;
	char *buf;

	if (!count)
		return 0;
	if (!(buf = kmalloc(chunk)))
		return -ENOMEM;
	while ((size_t)done < count) {
		got = kernel_read(in, buf, MIN(chunk, count - (size_t)done), *ipos);
		if (got <= 0) {
			if (!done)
				done = got;
			break;
		}
		put = kernel_write(out, buf, (size_t)got, *opos);
		if (put <= 0) {
			if (!done)
				done = put;
			break;
		}
		done += put;
		*ipos += (uint64_t)put;
		*opos += (uint64_t)put;
		if (put < got)
			break;
	}
	kfree(buf);
	return done;
}

/* Linux's do_sendfile with max 0; ppos NULL means in's file offset. */
static long do_sendfile(int out_fd, int in_fd, int64_t *ppos, size_t count)
{
	struct file *in, *out = NULL;
	uint64_t pos, opos;
	size_t room;
	long r;

	if (!(in = fd_get(in_fd)))
		return -EBADF;
	r = -EBADF;
	if (!file_readable(in))
		goto put_in;
	r = -ESPIPE;
	if (ppos && in->ops->stream)
		goto put_in;
	pos = ppos ? (uint64_t)*ppos : in->pos;
	if ((r = verify_area((int64_t)pos, count)))
		goto put_in;
	if (count > (size_t)MAX_RW_COUNT)
		count = (size_t)MAX_RW_COUNT;
	r = -EBADF;
	if (!(out = fd_get(out_fd)) || !file_writable(out))
		goto put_out;
	/* EOVERFLOW (pos + count beyond both file systems' largest file) is
	 * out of reach: the largest is LLONG_MAX here, as on tmpfs, and
	 * verify_area already refused an overflowing sum. */
	opos = out->ops->stream ? 0 : out->pos;
	r = -EINVAL;
	if (!in->ops->read || (in->vn && S_ISDIR(in->vn->mode)) ||
	    in->ops->stream)
		goto put_out;
	if ((room = pipe_room(out))) {
		/* splice_file_to_pipe: any seekable source, what fits */
		r = copy_out(in, &pos, out, &opos, MIN(count, room));
	} else {
		/* do_splice_direct: no O_APPEND, and the source a regular
		 * file (splice_direct_to_actor) */
		if ((r = verify_area((int64_t)opos, count)))
			goto put_out;
		r = -EINVAL;
		if ((out->flags & O_APPEND) || !is_reg(in))
			goto put_out;
		r = copy_out(in, &pos, out, &opos, count);
	}
	if (r > 0) {
		if (!out->ops->stream)
			out->pos = opos;
		if (ppos)
			*ppos = (int64_t)pos;
		else
			in->pos = pos;
	}
put_out:
	if (out)
		file_put(out);
put_in:
	file_put(in);
	return r;
}

SYSCALL_DEFINE4(sendfile, int, out_fd, int, in_fd, int64_t *, offset,
		size_t, count)
{
	int64_t pos;
	long r;

	if (!offset)
		return do_sendfile(out_fd, in_fd, NULL, count);
	if (copy_from_user(&pos, offset, sizeof(pos)))
		return -EFAULT;
	r = do_sendfile(out_fd, in_fd, &pos, count);
	if (copy_to_user(offset, &pos, sizeof(pos)))
		return -EFAULT;
	return r;
}

/* ---- copy_file_range ---------------------------------------------------- */

/* Linux's generic_copy_file_checks and the rw_verify_areas of
 * vfs_copy_file_range: 0 with *count cut to the source's end, or -errno. */
static long cfr_checks(struct file *in, int64_t pin, struct file *out,
		       int64_t pout, size_t *count)
{
	size_t n = *count;
	uint64_t size;

	if ((in->vn && S_ISDIR(in->vn->mode)) ||
	    (out->vn && S_ISDIR(out->vn->mode)))
		return -EISDIR;
	if (!is_reg(in) || !is_reg(out))
		return -EINVAL;
	if (!file_readable(in) || !file_writable(out) || (out->flags & O_APPEND))
		return -EBADF;
	if ((uint64_t)pin + n < (uint64_t)pin || (uint64_t)pout + n < (uint64_t)pout)
		return -EOVERFLOW;
	size = in->vn->size;
	if (pin >= 0 && (uint64_t)pin >= size)
		n = 0;
	else
		n = MIN(n, size - (uint64_t)pin);
	if (in->vn == out->vn && (int64_t)((uint64_t)pout + n) > pin &&
	    pout < (int64_t)((uint64_t)pin + n))
		return -EINVAL; /* overlapping copy within one file (wrapping
				 * sums as Linux's, no signed overflow) */
	if (verify_area(pin, n) || verify_area(pout, n))
		return -EINVAL;
	*count = n;
	return 0;
}

SYSCALL_DEFINE6(copy_file_range, int, fd_in, int64_t *, off_in, int, fd_out,
		int64_t *, off_out, size_t, len, unsigned, flags)
{
	struct file *in, *out;
	int64_t pin, pout;
	uint64_t ip, op;
	long r;

	if (!(in = fd_get(fd_in)))
		return -EBADF;
	r = -EBADF;
	if (!(out = fd_get(fd_out)))
		goto put_in;
	r = -EFAULT;
	if (off_in ? copy_from_user(&pin, off_in, sizeof(pin)) :
		     (pin = (int64_t)in->pos, 0))
		goto put_out;
	if (off_out ? copy_from_user(&pout, off_out, sizeof(pout)) :
		      (pout = (int64_t)out->pos, 0))
		goto put_out;
	r = -EINVAL;
	if (flags)
		goto put_out;
	if ((r = cfr_checks(in, pin, out, pout, &len)) || !len)
		goto put_out;
	ip = (uint64_t)pin;
	op = (uint64_t)pout;
	r = copy_out(in, &ip, out, &op, MIN(len, (size_t)MAX_RW_COUNT));
	if (r > 0) {
		pin = (int64_t)ip;
		pout = (int64_t)op;
		if (!off_in)
			in->pos = ip;
		else if (copy_to_user(off_in, &pin, sizeof(pin)))
			r = -EFAULT;
		if (!off_out)
			out->pos = op;
		else if (copy_to_user(off_out, &pout, sizeof(pout)))
			r = -EFAULT;
	}
put_out:
	file_put(out);
put_in:
	file_put(in);
	return r;
}
