/* pipe_fifo.c - in-image test of FIFOs (mkfifo in the ramfs, opened
 * through fs/pipe.c): data through two opens of one node, ENXIO for a
 * non-blocking writer without reader, a blocking open of the read end
 * that waits for a writer (from another thread), O_RDWR never waiting,
 * fstat of the node, and the data dropped when the last end closes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "testutil.h"

#define PATH "/tmp/fifo"

static void *open_writer_later(void *arg)
{
	struct timespec ts = { 0, 40000000 };
	(void)arg;
	nanosleep(&ts, NULL);
	int fd = open(PATH, O_WRONLY);
	if (fd < 0)
		return (void *)-1;
	write(fd, "late", 4);
	return (void *)(intptr_t)fd;
}

int main(void)
{
	struct stat st;
	char buf[16];
	pthread_t th;
	void *ret;

	CHECK(mkfifo(PATH, 0600) == 0);
	CHECK(mkfifo(PATH, 0600) == -1 && errno == EEXIST);
	CHECK(stat(PATH, &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK(open(PATH, O_WRONLY | O_NONBLOCK) == -1 && errno == ENXIO);

	int r = open(PATH, O_RDONLY | O_NONBLOCK);
	CHECK(r >= 0);
	CHECK(fstat(r, &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK(read(r, buf, sizeof(buf)) == 0); /* no writer: EOF */
	int w = open(PATH, O_WRONLY | O_NONBLOCK);
	CHECK(w >= 0);
	CHECK(write(w, "abc", 3) == 3);
	CHECK(read(r, buf, sizeof(buf)) == 3 && !memcmp(buf, "abc", 3));
	CHECK(read(r, buf, sizeof(buf)) == -1 && errno == EAGAIN);
	CHECK(write(w, "left", 4) == 4);
	close(w);
	close(r);

	/* The last close dropped the data; O_RDWR does not wait. */
	int rw = open(PATH, O_RDWR);
	CHECK(rw >= 0);
	fcntl(rw, F_SETFL, O_NONBLOCK);
	CHECK(read(rw, buf, sizeof(buf)) == -1 && errno == EAGAIN);
	CHECK(write(rw, "x", 1) == 1 && read(rw, buf, 1) == 1 && buf[0] == 'x');
	close(rw);

	/* A blocking reader's open waits for a writer. */
	uint64_t t0 = now_ms();
	pthread_create(&th, NULL, open_writer_later, NULL);
	r = open(PATH, O_RDONLY);
	CHECK(r >= 0 && now_ms() - t0 >= 35);
	pthread_join(th, &ret);
	CHECK((intptr_t)ret >= 0);
	CHECK(read(r, buf, sizeof(buf)) == 4 && !memcmp(buf, "late", 4));
	close((int)(intptr_t)ret);
	CHECK(read(r, buf, sizeof(buf)) == 0);
	close(r);
	CHECK(unlink(PATH) == 0);
	return check_done();
}
