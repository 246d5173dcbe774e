/* testutil.h - small helpers the in-image tests share: a monotonic
 * millisecond clock and a sleep, for tests that wait for each other or
 * check that a timeout really waited, and a spin of CPU time. */
#ifndef UNI_TEST_VM_TESTUTIL_H
#define UNI_TEST_VM_TESTUTIL_H

#include <stdint.h>
#include <time.h>

/* How late a timed wait may end before a test calls it wrong: generous,
 * because a TCG guest on a loaded host runs late by whole time slices;
 * the lower bounds are what check exactness (never early). */
#define SLACK_MS 1000

static inline uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static inline void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Spin for ms of the calling thread's own CPU time (time spent waiting
 * for the CPU does not count): the scheduling tests' "work". */
static inline void work_ms(int ms)
{
	struct timespec ts;
	uint64_t end;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	end = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec +
	      (uint64_t)ms * 1000000;
	do
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	while ((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec < end);
}

#endif
