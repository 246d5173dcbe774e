/* net_sendfile.c - in-image test of sendfile(2) and copy_file_range(2)
 * (src/kernel/fs/sys_sendfile.c, issue 7): a ramfs file to a TCP socket
 * over 127.0.0.1 (MiBs, every byte checked; with and without an offset
 * pointer, and what each does to the file offset), to a non-blocking
 * socket (short counts, EAGAIN only when nothing moved), cut short by a
 * signal (the count so far), to a pipe (what fits, as Linux), to a regular file, /dev/zero as a source, and Linux's errors:
 * EBADF, EINVAL (O_APPEND, negative offset, pipe/socket/directory source,
 * overflowing count), ESPIPE, EFAULT. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "check.h"
#include "testutil.h"

#define MIB (1024 * 1024)
#define FSIZE (4 * MIB + 12345) /* not a multiple of any chunk size */
#define MIN(a, b) ((a) < (b) ? (a) : (b))

static uint8_t pattern(size_t i)
{
	return (uint8_t)((i * 131 + (i >> 11) * 7 + 3) & 255);
}

/* /tmp/sf_src: FSIZE bytes of pattern(). */
static int make_source(void)
{
	static uint8_t buf[65536];
	int fd = open("/tmp/sf_src", O_RDWR | O_CREAT | O_TRUNC, 0644);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < FSIZE) {
		size_t k = MIN(sizeof(buf), (size_t)FSIZE - off);
		for (size_t i = 0; i < k; i++)
			buf[i] = pattern(off + i);
		if (write(fd, buf, k) != (ssize_t)k)
			return -1;
		off += k;
	}
	close(fd);
	return open("/tmp/sf_src", O_RDONLY);
}

static struct sockaddr_in lo_addr(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* A connected pair over 127.0.0.1: *c the client, *a the accepted end. */
static int tcp_pair(int *c, int *a)
{
	struct sockaddr_in sa = lo_addr(0);
	socklen_t len = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) || listen(l, 4) ||
	    getsockname(l, (struct sockaddr *)&sa, &len))
		return -1;
	*c = socket(AF_INET, SOCK_STREAM, 0);
	if (*c < 0 || connect(*c, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	*a = accept(l, NULL, NULL);
	close(l);
	return *a < 0 ? -1 : 0;
}

static long lpos(int fd)
{
	return (long)lseek(fd, 0, SEEK_CUR);
}

/* Count bytes of buf that differ from pattern() at file offset base. */
static long mismatches(const uint8_t *buf, size_t n, size_t base)
{
	long bad = 0;

	for (size_t i = 0; i < n; i++)
		bad += buf[i] != pattern(base + i);
	return bad;
}

/* ---- file -> socket, blocking, with a receiving thread --------------------- */

struct rx {
	int s;
	size_t base;
	long got, bad;
};

static void *rx_main(void *arg)
{
	struct rx *rx = arg;
	static uint8_t buf[30000];
	ssize_t r;

	while ((r = recv(rx->s, buf, sizeof(buf), 0)) > 0) {
		rx->bad += mismatches(buf, (size_t)r, rx->base + (size_t)rx->got);
		rx->got += r;
	}
	if (r < 0)
		rx->got = -1;
	return NULL;
}

static void test_socket(int fd)
{
	struct rx rx = { 0 };
	pthread_t t;
	off_t off;
	long total = 0;
	ssize_t r;
	int c, a;

	/* NULL offset: uses and advances the file offset */
	CHECK(tcp_pair(&c, &a) == 0);
	rx.s = a;
	CHECK(pthread_create(&t, NULL, rx_main, &rx) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	while (total <= FSIZE && (r = sendfile(c, fd, NULL, FSIZE)) > 0)
		total += r; /* bounded: a file offset that never moved ends it */
	CHECK(r == 0 && total == FSIZE);
	CHECK(lpos(fd) == FSIZE);
	close(c);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(rx.got == FSIZE && rx.bad == 0);
	close(a);

	/* an offset pointer: read from *offset, written back, the file
	 * offset untouched */
	CHECK(tcp_pair(&c, &a) == 0);
	rx = (struct rx){ .s = a, .base = 777777 };
	CHECK(pthread_create(&t, NULL, rx_main, &rx) == 0);
	CHECK(lseek(fd, 4242, SEEK_SET) == 4242);
	off = 777777;
	total = 0;
	while (total <= FSIZE && (r = sendfile(c, fd, &off, 3 * MIB)) > 0)
		total += r;
	CHECK(r == 0 && total == FSIZE - 777777);
	CHECK(off == FSIZE);
	CHECK(lpos(fd) == 4242);
	close(c);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(rx.got == FSIZE - 777777 && rx.bad == 0);
	close(a);
}

/* ---- non-blocking destination ---------------------------------------------- */

static void test_nonblock(int fd)
{
	static uint8_t buf[32768];
	long sent = 0, got = 0, bad = 0, first;
	int c, a, eagain = 0, i;
	off_t off = 1000;
	ssize_t r;

	CHECK(tcp_pair(&c, &a) == 0);
	CHECK(fcntl(c, F_SETFL, O_NONBLOCK) == 0);
	/* nobody reads: the first call moves what fits, a short count */
	first = sendfile(c, fd, &off, 2 * MIB);
	CHECK(first > 0 && first < 2 * MIB);
	CHECK(off == 1000 + first);
	sent = first;
	for (i = 0; i < 50 && !eagain; i++) {
		r = sendfile(c, fd, &off, 2 * MIB);
		if (r < 0)
			eagain = errno == EAGAIN;
		else
			sent += r;
	}
	CHECK(eagain);
	CHECK(off == 1000 + sent); /* EAGAIN moved nothing */
	/* drain while sending the rest of 2 MiB */
	while (got < 2 * MIB) {
		struct pollfd p[2] = { { .fd = a, .events = POLLIN },
				       { .fd = c, .events = POLLOUT } };
		if (poll(p, sent < 2 * MIB ? 2 : 1, 5000) <= 0)
			break;
		if (sent < 2 * MIB && (p[1].revents & POLLOUT)) {
			r = sendfile(c, fd, &off, 2 * MIB - (size_t)sent);
			if (r > 0)
				sent += r;
			else if (r < 0 && errno != EAGAIN)
				break;
		}
		if (p[0].revents & POLLIN) {
			r = recv(a, buf, sizeof(buf), MSG_DONTWAIT);
			if (r <= 0)
				break;
			bad += mismatches(buf, (size_t)r, 1000 + (size_t)got);
			got += r;
		}
	}
	CHECK(sent == 2 * MIB && got == 2 * MIB && bad == 0);
	CHECK(off == 1000 + 2 * MIB);
	close(c);
	close(a);
}

/* ---- a signal after some bytes moved ---------------------------------------- */

static volatile int alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void test_signal(int fd)
{
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */
	struct itimerval it = { .it_value = { 0, 300000 } };
	static uint8_t buf[32768];
	long got = 0, bad = 0;
	off_t off = 0;
	ssize_t r;
	int c, a;

	CHECK(tcp_pair(&c, &a) == 0);
	CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	/* nobody reads: the call blocks once the buffers are full, until
	 * the alarm; then it returns what it moved */
	r = sendfile(c, fd, &off, 4 * MIB);
	CHECK(alarms == 1);
	CHECK(r > 0 && r < 4 * MIB);
	CHECK(off == r);
	CHECK(shutdown(c, SHUT_WR) == 0);
	while (got <= r) {
		ssize_t k = recv(a, buf, sizeof(buf), 0);
		if (k <= 0)
			break;
		bad += mismatches(buf, (size_t)k, (size_t)got);
		got += k;
	}
	CHECK(got == r && bad == 0);
	close(c);
	close(a);
	signal(SIGALRM, SIG_DFL);
}

/* ---- pipes, regular files, devices -------------------------------------------- */

static void test_pipe(int fd)
{
	static uint8_t buf[70000];
	int p[2], zero = open("/dev/zero", O_RDONLY);
	long got = 0, bad = 0, total = 0;
	off_t off = 5;
	ssize_t r;

	CHECK(pipe(p) == 0);
	/* one pipe's worth at most per call, even when blocking (Linux's
	 * splice_file_to_pipe), so a single thread can alternate */
	while (total < MIB) {
		r = sendfile(p[1], fd, &off, MIB - (size_t)total);
		if (r <= 0 || r > 65536)
			break;
		total += r;
		for (ssize_t k = 0; k < r;) {
			ssize_t n = read(p[0], buf, (size_t)(r - k));
			if (n <= 0)
				goto out;
			bad += mismatches(buf, (size_t)n, 5 + (size_t)got);
			got += n;
			k += n;
		}
	}
out:
	CHECK(total == MIB && got == MIB && bad == 0 && off == 5 + MIB);
	/* a pipe holding some bytes, or a small one: only what fits, no
	 * block (Linux's splice_file_to_pipe) */
	CHECK(write(p[1], "abc", 3) == 3);
	off = 0;
	r = sendfile(p[1], fd, &off, MIB);
	CHECK(r > 0 && r <= 65536 - 3 && off == r);
	CHECK(read(p[0], buf, sizeof(buf)) == 3 + r && !memcmp(buf, "abc", 3) &&
	      mismatches(buf + 3, (size_t)r, 0) == 0);
	CHECK(fcntl(p[1], F_SETPIPE_SZ, 4096) == 4096);
	r = sendfile(p[1], fd, &off, MIB);
	CHECK(r > 0 && r <= 4096);
	CHECK(read(p[0], buf, sizeof(buf)) == r);
	off = 5 + MIB;
	/* non-blocking pipe: full gives EAGAIN */
	CHECK(fcntl(p[1], F_SETFL, O_NONBLOCK) == 0);
	memset(buf, 1, sizeof(buf));
	while (write(p[1], buf, 4096) == 4096)
		;
	CHECK(errno == EAGAIN);
	CHECK(sendfile(p[1], fd, &off, 100) == -1 && errno == EAGAIN);
	CHECK(off == 5 + MIB);
	close(p[0]);
	close(p[1]);
	/* /dev/zero: a pipe may take it (any seekable source), a socket or
	 * a regular file may not (Linux wants a regular file there) */
	CHECK(pipe(p) == 0);
	CHECK(zero >= 0);
	memset(buf, 7, 1000);
	CHECK(sendfile(p[1], zero, NULL, 1000) == 1000);
	CHECK(read(p[0], buf, sizeof(buf)) == 1000 && buf[0] == 0 && buf[999] == 0);
	close(p[0]);
	close(p[1]);
	r = open("/tmp/sf_zero", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(sendfile((int)r, zero, NULL, 1000) == -1 && errno == EINVAL);
	close((int)r);
	close(zero);
}

static void test_file(int fd)
{
	static uint8_t buf[65536];
	int out = open("/tmp/sf_dst", O_RDWR | O_CREAT | O_TRUNC, 0644);
	long bad = 0, got = 0, total = 0;
	ssize_t r;
	off_t off;

	CHECK(out >= 0);
	CHECK(lseek(out, 100, SEEK_SET) == 100);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	while (total <= FSIZE && (r = sendfile(out, fd, NULL, FSIZE)) > 0)
		total += r;
	CHECK(r == 0 && total == FSIZE);
	CHECK(lpos(fd) == FSIZE && lpos(out) == 100 + FSIZE);
	CHECK(pread(out, buf, 100, 0) == 100 && buf[0] == 0 && buf[99] == 0);
	while ((r = pread(out, buf, sizeof(buf), 100 + got)) > 0) {
		bad += mismatches(buf, (size_t)r, (size_t)got);
		got += r;
	}
	CHECK(got == FSIZE && bad == 0);
	/* at and beyond the end: 0, nothing moves */
	off = FSIZE;
	CHECK(sendfile(out, fd, &off, 10) == 0 && off == FSIZE);
	off = FSIZE + 1000;
	CHECK(sendfile(out, fd, &off, 10) == 0 && off == FSIZE + 1000);
	CHECK(sendfile(out, fd, NULL, 0) == 0);
	close(out);
}

/* ---- errors ------------------------------------------------------------------ */

static const off_t ro_off = 1; /* .rodata: written back -> EFAULT */

static void test_errors(int fd)
{
	int p[2], c, a, out = open("/tmp/sf_err", O_RDWR | O_CREAT | O_TRUNC, 0644);
	int app = open("/tmp/sf_err", O_WRONLY | O_APPEND);
	int wo = open("/tmp/sf_src", O_WRONLY);
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	off_t off;

	CHECK(out >= 0 && app >= 0 && wo >= 0 && dir >= 0);
	CHECK(pipe(p) == 0);
	CHECK(tcp_pair(&c, &a) == 0);
	/* EBADF: either descriptor closed, source not readable, destination
	 * not writable */
	CHECK(sendfile(out, -1, NULL, 10) == -1 && errno == EBADF);
	CHECK(sendfile(out, 987, NULL, 10) == -1 && errno == EBADF);
	CHECK(sendfile(-1, fd, NULL, 10) == -1 && errno == EBADF);
	CHECK(sendfile(out, wo, NULL, 10) == -1 && errno == EBADF);
	CHECK(sendfile(fd, fd, NULL, 10) == -1 && errno == EBADF);
	CHECK(sendfile(p[0], fd, NULL, 10) == -1 && errno == EBADF);
	/* EINVAL: O_APPEND destination, negative offset, a source that is
	 * a pipe, a socket or a directory, a count beyond SSIZE_MAX, an
	 * offset + count that overflows */
	CHECK(sendfile(app, fd, NULL, 10) == -1 && errno == EINVAL);
	off = -1;
	CHECK(sendfile(out, fd, &off, 10) == -1 && errno == EINVAL && off == -1);
	CHECK(sendfile(out, p[0], NULL, 10) == -1 && errno == EINVAL);
	CHECK(sendfile(out, a, NULL, 10) == -1 && errno == EINVAL);
	CHECK(sendfile(c, a, NULL, 10) == -1 && errno == EINVAL);
	CHECK(sendfile(out, dir, NULL, 10) == -1 && errno == EINVAL);
	CHECK(sendfile(out, fd, NULL, (size_t)-1) == -1 && errno == EINVAL);
	off = LLONG_MAX - 5;
	CHECK(sendfile(out, fd, &off, 10) == -1 && errno == EINVAL);
	/* ESPIPE: an offset for a source that has none */
	off = 0;
	CHECK(sendfile(out, p[0], &off, 10) == -1 && errno == ESPIPE);
	CHECK(sendfile(out, a, &off, 10) == -1 && errno == ESPIPE);
	/* EFAULT: an offset pointer that cannot be read, or written back */
	CHECK(sendfile(out, fd, (off_t *)8, 10) == -1 && errno == EFAULT);
	CHECK(sendfile(out, fd, (off_t *)&ro_off, 0) == -1 && errno == EFAULT);
	CHECK(lpos(out) == 0); /* nothing of the above wrote */
	close(p[0]);
	close(p[1]);
	close(c);
	close(a);
	close(dir);
	close(wo);
	close(app);
	close(out);
}

/* ---- copy_file_range ------------------------------------------------------------ */

static void test_copy_file_range(int fd)
{
	static uint8_t buf[65536];
	int out = open("/tmp/cfr_dst", O_RDWR | O_CREAT | O_TRUNC, 0644);
	int app = open("/tmp/cfr_dst", O_WRONLY | O_APPEND);
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	off_t in_off = 333, out_off = 10;
	long got = 0, bad = 0;
	ssize_t r;
	int p[2];

	CHECK(out >= 0 && app >= 0 && dir >= 0 && pipe(p) == 0);
	CHECK(lseek(fd, 50, SEEK_SET) == 50);
	r = copy_file_range(fd, &in_off, out, &out_off, 200000, 0);
	CHECK(r == 200000 && in_off == 333 + 200000 && out_off == 10 + 200000);
	CHECK(lpos(fd) == 50 && lpos(out) == 0);
	while (got < 200000 && (r = pread(out, buf, sizeof(buf), 10 + got)) > 0) {
		bad += mismatches(buf, (size_t)MIN(r, 200000 - got), 333 + (size_t)got);
		got += r;
	}
	CHECK(got == 200000 && bad == 0);
	/* file offsets when no pointers; cut at the source's end */
	CHECK(lseek(fd, FSIZE - 100, SEEK_SET) == FSIZE - 100);
	CHECK(copy_file_range(fd, NULL, out, NULL, 1000, 0) == 100);
	CHECK(lpos(fd) == FSIZE && lpos(out) == 100);
	CHECK(copy_file_range(fd, NULL, out, NULL, 1000, 0) == 0);
	CHECK(pread(out, buf, 100, 0) == 100 && mismatches(buf, 100, FSIZE - 100) == 0);
	/* errors, as Linux's generic_copy_file_checks */
	CHECK(copy_file_range(fd, NULL, out, NULL, 10, 1) == -1 && errno == EINVAL);
	CHECK(copy_file_range(fd, NULL, app, NULL, 10, 0) == -1 && errno == EBADF);
	CHECK(copy_file_range(-1, NULL, out, NULL, 10, 0) == -1 && errno == EBADF);
	CHECK(copy_file_range(dir, NULL, out, NULL, 10, 0) == -1 && errno == EISDIR);
	CHECK(copy_file_range(p[0], NULL, out, NULL, 10, 0) == -1 && errno == EINVAL);
	CHECK(copy_file_range(fd, NULL, p[1], NULL, 10, 0) == -1 && errno == EINVAL);
	in_off = 0;
	out_off = 100;
	CHECK(copy_file_range(out, &in_off, out, &out_off, 150, 0) == -1 &&
	      errno == EINVAL); /* overlap within one file */
	CHECK(copy_file_range(out, &in_off, out, &out_off, 100, 0) == 100);
	in_off = -5;
	CHECK(copy_file_range(fd, &in_off, out, NULL, 10, 0) == -1 && errno == EOVERFLOW);
	CHECK(copy_file_range(fd, (off_t *)8, out, NULL, 10, 0) == -1 && errno == EFAULT);
	close(p[0]);
	close(p[1]);
	close(dir);
	close(app);
	close(out);
}

int main(void)
{
	int fd = make_source();

	CHECK(fd >= 0);
	signal(SIGPIPE, SIG_IGN);
	test_socket(fd);
	test_nonblock(fd);
	test_signal(fd);
	test_pipe(fd);
	test_file(fd);
	test_errors(fd);
	test_copy_file_range(fd);
	return check_done();
}
