/*
 * sys_fcntl.c - fcntl(2): descriptor flags, status flags, F_DUPFD, and
 * the commands that belong to other file subsystems (record locks to
 * lock.c, pipe sizes to pipe.c).
 *
 * Layer: kernel fs core, over fdtable.c. Its own object file, because it
 * links lock.c: a program that never calls fcntl carries no lock code.
 */
#include <errno.h>
#include <fcntl.h>
#include <uni/file.h>
#include <uni/syscall.h>

#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME)

static long do_fcntl(struct file *f, int fd, int cmd, unsigned long arg)
{
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= fd_limit())
			return -EINVAL;
		return fd_dup(fd, (int)arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return fd_get_cloexec(fd);
	case F_SETFD:
		return fd_set_cloexec(fd, arg & FD_CLOEXEC);
	case F_GETFL:
		return f->flags;
	case F_SETFL:
		/* No SIGIO is ever sent, so O_ASYNC is refused, not ignored. */
		if (arg & O_ASYNC)
			return -EINVAL;
		f->flags = (f->flags & ~SETFL_MASK) | ((unsigned)arg & SETFL_MASK);
		return 0;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return lock_fcntl(f, cmd, (void *)arg);
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		return pipe_fcntl ? pipe_fcntl(f, cmd, arg) : -EBADF;
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE3(fcntl, int, fd, int, cmd, unsigned long, arg)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = do_fcntl(f, fd, cmd, arg);
	file_put(f);
	return r;
}

