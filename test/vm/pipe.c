/* pipe.c - in-image test of pipes (issue 4 item 7): data through, EOF,
 * EPIPE with SIGPIPE ignored and handled, non-blocking ends (EAGAIN, the
 * PIPE_BUF rule for a write that does not fit), fstat, FIONREAD,
 * F_GETPIPE_SZ/F_SETPIPE_SZ, pipe2 flags, a blocking reader woken by a
 * writer thread, a blocking writer woken by a reader, a large write split
 * across reads, PIPE_BUF atomicity with several writer threads, EINTR of
 * a blocked read, and poll between two threads.
 * With argument "sigpipe" it writes to a pipe without reader with SIGPIPE
 * at its default action and must be killed (status 141). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "testutil.h"

static atomic_int sigpipes;
static void on_sigpipe(int sig) { (void)sig; atomic_fetch_add(&sigpipes, 1); }
static void on_alarm(int sig) { (void)sig; }

/* ---- threads ---- */

struct delayed { int fd; int ms; const char *data; size_t len; };

static void *write_later(void *arg)
{
	struct delayed *d = arg;
	msleep(d->ms);
	if (write(d->fd, d->data, d->len) != (ssize_t)d->len)
		return (void *)1;
	return NULL;
}

static void *read_later(void *arg)
{
	struct delayed *d = arg;
	static char sink[65536];
	msleep(d->ms);
	return (void *)(intptr_t)read(d->fd, sink, d->len);
}

#define WRITERS 4
#define RECORDS 150
#define RECLEN 3000 /* < PIPE_BUF, and not a divisor of the pipe size */

static int atomic_wfd;

static void *record_writer(void *arg)
{
	int id = (int)(intptr_t)arg;
	char rec[RECLEN];

	for (int i = 0; i < RECORDS; i++) {
		memset(rec, 'A' + id, sizeof(rec));
		rec[0] = (char)id;
		rec[1] = (char)i;
		if (write(atomic_wfd, rec, sizeof(rec)) != sizeof(rec))
			return (void *)1;
	}
	return NULL;
}

static struct { int fd; size_t len; } big;

static void *big_writer(void *arg)
{
	char *buf = malloc(big.len);
	(void)arg;
	for (size_t i = 0; i < big.len; i++)
		buf[i] = (char)(i * 7);
	ssize_t n = write(big.fd, buf, big.len);
	free(buf);
	return (void *)(intptr_t)n;
}

static void sigpipe_default(void)
{
	int p[2];
	pipe(p);
	close(p[0]);
	printf("writing to a pipe without reader\n");
	fflush(stdout);
	write(p[1], "x", 1);
	printf("still running\n");
	exit(0);
}

int main(int argc, char **argv)
{
	int p[2], q[2], fl;
	char buf[70000];
	struct stat st;
	pthread_t th;
	void *ret;

	if (argc > 1 && !strcmp(argv[1], "sigpipe"))
		sigpipe_default();

	/* Basics. */
	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "hello", 5) == 5);
	int avail = -1;
	CHECK(ioctl(p[0], FIONREAD, &avail) == 0 && avail == 5);
	CHECK(read(p[0], buf, 3) == 3 && !memcmp(buf, "hel", 3));
	CHECK(read(p[0], buf, sizeof(buf)) == 2 && !memcmp(buf, "lo", 2));
	CHECK(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK(fstat(p[1], &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK(read(p[1], buf, 1) == -1 && errno == EBADF);
	CHECK(write(p[0], buf, 1) == -1 && errno == EBADF);
	CHECK(lseek(p[0], 0, SEEK_SET) == -1 && errno == ESPIPE);
	CHECK(write(p[1], buf, 0) == 0);
	CHECK(fcntl(p[0], F_GETPIPE_SZ) == 65536);
	CHECK(pipe((int *)16) == -1 && errno == EFAULT);

	/* Sizes. */
	CHECK(fcntl(p[1], F_SETPIPE_SZ, 5000) == 8192);
	CHECK(fcntl(p[0], F_GETPIPE_SZ) == 8192);
	CHECK(write(p[1], buf, 6000) == 6000);
	CHECK(fcntl(p[1], F_SETPIPE_SZ, 4096) == -1 && errno == EBUSY);
	CHECK(fcntl(p[1], F_SETPIPE_SZ, 2 << 20) == -1 && errno == EPERM);
	CHECK(fcntl(p[1], F_SETPIPE_SZ, 1 << 20) == 1 << 20);
	CHECK(read(p[0], buf, sizeof(buf)) == 6000);
	CHECK(fcntl(p[1], F_SETPIPE_SZ, 0) == 4096);
	int efd = eventfd(0, 0);
	CHECK(fcntl(efd, F_GETPIPE_SZ) == -1 && errno == EBADF);
	close(efd);
	CHECK(fcntl(p[1], F_SETPIPE_SZ, 65536) == 65536);

	/* EOF and POLLHUP once the writer is gone. */
	CHECK(write(p[1], "z", 1) == 1);
	close(p[1]);
	struct pollfd pf = { p[0], POLLIN, 0 };
	CHECK(poll(&pf, 1, 0) == 1 && (pf.revents & POLLIN) && (pf.revents & POLLHUP));
	CHECK(read(p[0], buf, 10) == 1);
	CHECK(read(p[0], buf, 10) == 0);
	close(p[0]);

	/* EPIPE: SIGPIPE ignored, then handled; POLLERR on the write end. */
	CHECK(pipe(p) == 0);
	close(p[0]);
	pf = (struct pollfd){ p[1], POLLOUT, 0 };
	CHECK(poll(&pf, 1, 0) == 1 && (pf.revents & POLLERR));
	signal(SIGPIPE, SIG_IGN);
	CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE);
	signal(SIGPIPE, on_sigpipe);
	CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE);
	CHECK(atomic_load(&sigpipes) == 1);
	close(p[1]);

	/* pipe2 flags. */
	CHECK(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0);
	CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC);
	CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) && (fcntl(p[1], F_GETFL) & O_NONBLOCK));
	CHECK(pipe2(q, 0x40000000) == -1 && errno == EINVAL);

	/* Non-blocking: EAGAIN, and the PIPE_BUF rule. */
	CHECK(read(p[0], buf, 1) == -1 && errno == EAGAIN);
	memset(buf, 'n', sizeof(buf));
	CHECK(write(p[1], buf, 65536 - 100) == 65536 - 100);
	pf = (struct pollfd){ p[1], POLLOUT, 0 };
	CHECK(poll(&pf, 1, 0) == 0);
	CHECK(write(p[1], buf, 200) == -1 && errno == EAGAIN); /* atomic: all or none */
	CHECK(write(p[1], buf, 5000) == 100);                  /* big: what fits */
	CHECK(write(p[1], buf, 1) == -1 && errno == EAGAIN);
	CHECK(read(p[0], buf, sizeof(buf)) == 65536);
	CHECK(read(p[0], buf, 1) == -1 && errno == EAGAIN);
	close(p[0]);
	close(p[1]);

	/* A blocking reader woken by a writer thread. */
	CHECK(pipe(p) == 0);
	struct delayed d = { p[1], 30, "wake", 4 };
	uint64_t t0 = now_ms();
	pthread_create(&th, NULL, write_later, &d);
	CHECK(read(p[0], buf, sizeof(buf)) == 4 && !memcmp(buf, "wake", 4));
	CHECK(now_ms() - t0 >= 25);
	pthread_join(th, &ret);
	CHECK(ret == NULL);

	/* A blocking writer woken by a reader thread: the pipe is full. */
	memset(buf, 'f', sizeof(buf));
	CHECK(write(p[1], buf, 65536) == 65536);
	d = (struct delayed){ p[0], 30, NULL, 1000 };
	t0 = now_ms();
	pthread_create(&th, NULL, read_later, &d);
	CHECK(write(p[1], buf, 1000) == 1000);
	CHECK(now_ms() - t0 >= 25);
	pthread_join(th, &ret);
	CHECK((intptr_t)ret == 1000);
	CHECK(read(p[0], buf, sizeof(buf)) == 65536);

	/* A write larger than the pipe, read in pieces by this thread. */
	big.fd = p[1];
	big.len = 300000;
	pthread_create(&th, NULL, big_writer, NULL);
	size_t got = 0;
	int same = 1;
	while (got < big.len) {
		ssize_t n = read(p[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != (char)((got + i) * 7))
				same = 0;
		got += n;
	}
	pthread_join(th, &ret);
	CHECK((intptr_t)ret == 300000 && got == 300000 && same);

	/* A blocked read interrupted by a signal without SA_RESTART. */
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	t0 = now_ms();
	CHECK(read(p[0], buf, 1) == -1 && errno == EINTR);
	CHECK(now_ms() - t0 >= 900);
	close(p[0]);
	close(p[1]);

	/* PIPE_BUF atomicity: records from several writers never mix. */
	CHECK(pipe(p) == 0);
	atomic_wfd = p[1];
	pthread_t w[WRITERS];
	for (int i = 0; i < WRITERS; i++)
		pthread_create(&w[i], NULL, record_writer, (void *)(intptr_t)i);
	static char all[WRITERS * RECORDS * RECLEN];
	size_t total = 0;
	while (total < sizeof(all)) {
		ssize_t n = read(p[0], all + total, sizeof(all) - total);
		if (n <= 0)
			break;
		total += n;
	}
	int whole = 1, order = 1, next[WRITERS] = { 0 };
	for (size_t r = 0; r + RECLEN <= total; r += RECLEN) {
		char *rec = all + r;
		int id = rec[0];
		if (id < 0 || id >= WRITERS) {
			whole = 0;
			break;
		}
		for (int i = 2; i < RECLEN; i++)
			if (rec[i] != 'A' + id)
				whole = 0;
		if ((unsigned char)rec[1] != (unsigned char)next[id]++)
			order = 0;
	}
	int ok = 1;
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(w[i], &ret);
		ok &= ret == NULL;
	}
	CHECK(total == sizeof(all) && ok);
	CHECK(whole);
	CHECK(order);
	close(p[0]);
	close(p[1]);

	/* poll between two threads. */
	CHECK(pipe(p) == 0);
	d = (struct delayed){ p[1], 40, "ping", 4 };
	pthread_create(&th, NULL, write_later, &d);
	pf = (struct pollfd){ p[0], POLLIN, 0 };
	t0 = now_ms();
	CHECK(poll(&pf, 1, -1) == 1 && pf.revents == POLLIN);
	CHECK(now_ms() - t0 >= 35);
	pthread_join(th, NULL);
	CHECK(read(p[0], buf, 10) == 4);
	close(p[0]);
	close(p[1]);

	return check_done();
}
