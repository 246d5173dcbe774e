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
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <uni/console.h>
#include <uni/kernel.h>
#include <uni/syscall.h>

#define CONSOLE_FDS 3
#define CTRL_D 0x04

static uint8_t closed_fds; /* bit n: fd n was closed */

static int console_fd(int fd)
{
	return fd >= 0 && fd < CONSOLE_FDS && !(closed_fds & (1u << fd));
}

static long console_write(const char *buf, size_t len)
{
	serial_write(buf, len);
	return (long)len;
}

static long console_read(char *buf, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return 0;
	buf[n++] = (char)serial_getc();
	if (buf[0] == CTRL_D)
		return 0;
	while (n < len && serial_can_read()) {
		char c = (char)serial_getc();
		if (c == CTRL_D)
			break;
		buf[n++] = c;
	}
	return (long)n;
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

SYSCALL_DEFINE3(writev, int, fd, const struct iovec *, iov, int, iovcnt)
{
	size_t total = 0;

	if (!console_fd(fd) || fd == 0)
		return -EBADF;
	if (iovcnt < 0 || iovcnt > IOV_MAX)
		return -EINVAL;
	for (int i = 0; i < iovcnt; i++) {
		if ((ssize_t)iov[i].iov_len < 0 ||
		    total + iov[i].iov_len < total)
			return -EINVAL;
		total += iov[i].iov_len;
	}
	for (int i = 0; i < iovcnt; i++)
		console_write(iov[i].iov_base, iov[i].iov_len);
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

SYSCALL_DEFINE3(readv, int, fd, const struct iovec *, iov, int, iovcnt)
{
	if (!console_fd(fd) || fd != 0)
		return -EBADF;
	if (iovcnt < 0 || iovcnt > IOV_MAX)
		return -EINVAL;
	/* One console read fills the first non-empty buffer: a tty read
	 * returns what has arrived rather than waiting to fill them all. */
	for (int i = 0; i < iovcnt; i++)
		if (iov[i].iov_len)
			return console_read(iov[i].iov_base, iov[i].iov_len);
	return 0;
}

SYSCALL_DEFINE3(ioctl, int, fd, unsigned long, req, void *, arg)
{
	if (!console_fd(fd))
		return -EBADF;
	switch (req) {
	case TIOCGWINSZ: {
		struct winsize *ws = arg;
		*ws = (struct winsize){ 0 };
		return 0;
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
