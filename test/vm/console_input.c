/*
 * console_input.c - the console as stdin (src/kernel/console/console.c):
 * poll() sleeps until input arrives (the UART interrupt, or the sampler
 * without an I/O APIC) and a read returns what has arrived; a non-blocking
 * read with nothing there is EAGAIN; a poll with nothing arriving times
 * out. Run by the test with input written 1 s after the start:
 *     (sleep 1; printf 'late line\n') | uni-run console_input.img
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	char buf[64];
	struct pollfd p = { .fd = 0, .events = POLLIN };
	int fl = fcntl(0, F_GETFL);

	CHECK(fcntl(0, F_SETFL, fl | O_NONBLOCK) == 0);
	CHECK(read(0, buf, sizeof(buf)) == -1 && errno == EAGAIN);
	CHECK(fcntl(0, F_SETFL, fl) == 0);
	double t0 = now();
	CHECK(poll(&p, 1, 100) == 0); /* nothing yet: times out */
	CHECK(now() - t0 >= 0.099);
	CHECK(poll(&p, 1, 20000) == 1 && (p.revents & POLLIN));
	printf("woke after %.2f s\n", now() - t0);
	size_t n = 0;
	while (n < 10) {
		ssize_t r = read(0, buf + n, sizeof(buf) - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	CHECK(n == 10 && memcmp(buf, "late line\n", 10) == 0);
	return check_done();
}
