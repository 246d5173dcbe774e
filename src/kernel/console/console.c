/*
 * console.c - the console as the program's stdin, stdout and stderr.
 *
 * Layer: console syscalls. Until the VFS and its fd table exist (the Files
 * issue), descriptors 0, 1 and 2 are the serial console and nothing else
 * is open; close() of one of them closes it for good. The console is a tty
 * (TIOCGWINSZ answers, as on a Linux serial console, with a size of 0x0),
 * so musl line-buffers stdout. Output is raw: no newline translation, so
 * uni-run's stdout carries exactly the bytes the program wrote.
 * Input: a read waits for the first byte and then returns what has already
 * arrived; a Ctrl-D at the start of a read is end of file, as on a tty.
 * Program buffers pass through a small bounce buffer with uaccess_copy, so
 * a bad pointer is -EFAULT (or a short count after some bytes went out).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <uni/console.h>
#include <uni/kernel.h>
#include <uni/syscall.h>
#include <uni/uaccess.h>

#define CONSOLE_FDS 3
#define CTRL_D 0x04

static uint8_t closed_fds; /* bit n: fd n was closed */

static int console_fd(int fd)
{
	return fd >= 0 && fd < CONSOLE_FDS && !(closed_fds & (1u << fd));
}

#define BOUNCE 256

static long console_write(const char *ubuf, size_t len)
{
	char chunk[BOUNCE];
	size_t done = 0;

	while (done < len) {
		size_t n = MIN(len - done, sizeof(chunk));
		if (copy_from_user(chunk, ubuf + done, n))
			return done ? (long)done : -EFAULT;
		serial_write(chunk, n);
		done += n;
	}
	return (long)done;
}

static long console_read(char *ubuf, size_t len)
{
	char chunk[BOUNCE];
	size_t n = 0;

	if (len == 0)
		return 0;
	len = MIN(len, sizeof(chunk));
	chunk[n++] = (char)serial_getc();
	if (chunk[0] == CTRL_D)
		return 0;
	while (n < len && serial_can_read()) {
		char c = (char)serial_getc();
		if (c == CTRL_D)
			break;
		chunk[n++] = c;
	}
	if (copy_to_user(ubuf, chunk, n))
		return -EFAULT; /* the bytes are lost, as Linux loses them */
	return (long)n;
}

static long copy_iov(struct iovec *dst, const struct iovec *uiov, int i)
{
	return copy_from_user(dst, &uiov[i], sizeof(*dst));
}

SYSCALL_DEFINE3(write, int, fd, const char *, buf, size_t, len)
{
	if (!console_fd(fd))
		return -EBADF;
	if (fd == 0)
		return -EBADF; /* stdin is open read-only */
	if ((ssize_t)len < 0)
		return -EINVAL;
	return console_write(buf, len);
}

SYSCALL_DEFINE3(writev, int, fd, const struct iovec *, uiov, int, iovcnt)
{
	struct iovec iov;
	size_t total = 0;

	if (!console_fd(fd) || fd == 0)
		return -EBADF;
	if (iovcnt < 0 || iovcnt > IOV_MAX)
		return -EINVAL;
	/* Validate every length first: an invalid vector writes nothing. */
	for (int i = 0; i < iovcnt; i++) {
		if (copy_iov(&iov, uiov, i))
			return -EFAULT;
		if ((ssize_t)iov.iov_len < 0 || total + iov.iov_len < total ||
		    (ssize_t)(total + iov.iov_len) < 0)
			return -EINVAL;
		total += iov.iov_len;
	}
	total = 0;
	for (int i = 0; i < iovcnt; i++) {
		long n;
		if (copy_iov(&iov, uiov, i))
			return total ? (long)total : -EFAULT;
		n = console_write(iov.iov_base, iov.iov_len);
		if (n < 0)
			return total ? (long)total : n;
		total += (size_t)n;
		if ((size_t)n < iov.iov_len)
			break;
	}
	return (long)total;
}

SYSCALL_DEFINE3(read, int, fd, char *, buf, size_t, len)
{
	if (!console_fd(fd))
		return -EBADF;
	if (fd != 0)
		return -EBADF; /* stdout and stderr are open write-only */
	return console_read(buf, len);
}

SYSCALL_DEFINE3(readv, int, fd, const struct iovec *, uiov, int, iovcnt)
{
	struct iovec iov;

	if (!console_fd(fd) || fd != 0)
		return -EBADF;
	if (iovcnt < 0 || iovcnt > IOV_MAX)
		return -EINVAL;
	/* One console read fills the first non-empty buffer: a tty read
	 * returns what has arrived rather than waiting to fill them all. */
	for (int i = 0; i < iovcnt; i++) {
		if (copy_iov(&iov, uiov, i))
			return -EFAULT;
		if ((ssize_t)iov.iov_len < 0)
			return -EINVAL;
		if (iov.iov_len)
			return console_read(iov.iov_base, iov.iov_len);
	}
	return 0;
}

SYSCALL_DEFINE3(ioctl, int, fd, unsigned long, req, void *, arg)
{
	if (!console_fd(fd))
		return -EBADF;
	switch (req) {
	case TIOCGWINSZ: {
		struct winsize ws = { 0 };
		return copy_to_user(arg, &ws, sizeof(ws));
	}
	default:
		return -ENOTTY;
	}
}

SYSCALL_DEFINE1(close, int, fd)
{
	if (!console_fd(fd))
		return -EBADF;
	closed_fds |= 1u << fd;
	return 0;
}
