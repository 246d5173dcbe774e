/* sleep.c - in-image test of sleeps and futex timeouts on the tickless
 * LAPIC timer: nanosleep(50 ms) measured on CLOCK_MONOTONIC,
 * clock_nanosleep relative and TIMER_ABSTIME on both clocks, futex WAIT
 * timeouts (relative, absolute, REALTIME), EAGAIN/EFAULT/EINVAL,
 * REQUEUE/CMP_REQUEUE/WAKE_OP/bitsets with real waiters, a timed
 * condition variable, and a sleeper woken on time while another thread
 * spins. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE 128
#define FUTEX_CLOCK_REALTIME 256

static uint64_t ns_of(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t mono(void)
{
	return ns_of(CLOCK_MONOTONIC);
}

static struct timespec ts_of(uint64_t ns)
{
	return (struct timespec){ ns / 1000000000ull, ns % 1000000000ull };
}

static long futex(atomic_int *a, int op, int val, const struct timespec *ts,
		  atomic_int *a2, int val3)
{
	long r = syscall(SYS_futex, a, op, val, ts, a2, val3);
	return r < 0 ? -errno : r;
}

static void test_nanosleep(void)
{
	struct timespec req = ts_of(50000000);
	uint64_t dt, best = UINT64_MAX;
	int r = 0;

	/* Never early (the shortest of three is >= 50 ms); late by at most
	 * 10 ms in the best of the three
	 * (under TCG a busy host can delay one wake-up, not all three). */
	for (int i = 0; i < 3; i++) {
		uint64_t t0 = mono();
		r |= nanosleep(&req, NULL);
		dt = mono() - t0;
		printf("measured: nanosleep(50 ms) took %.3f ms\n", dt / 1e6);
		best = dt < best ? dt : best;
	}
	CHECK(r == 0);
	CHECK(best >= 50000000);
	CHECK(best < 60000000);

	req = ts_of(0);
	CHECK(nanosleep(&req, NULL) == 0);
	req.tv_nsec = 1000000000;
	CHECK(nanosleep(&req, NULL) == -1 && errno == EINVAL);
	CHECK(nanosleep((void *)16, NULL) == -1 && errno == EFAULT);
}

static void test_clock_nanosleep(void)
{
	struct timespec ts;
	uint64_t t0 = mono(), dt;

	ts = ts_of(t0 + 20000000);
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == 0);
	CHECK(mono() >= t0 + 20000000);

	uint64_t w0 = ns_of(CLOCK_REALTIME);
	ts = ts_of(w0 + 20000000);
	CHECK(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) == 0);
	CHECK(ns_of(CLOCK_REALTIME) >= w0 + 20000000);

	t0 = mono();
	ts = ts_of(10000000);
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL) == 0);
	dt = mono() - t0;
	CHECK(dt >= 10000000);

	/* An absolute time in the past returns at once. */
	ts = ts_of(1);
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == 0);
	CHECK(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL) == EINVAL);
	CHECK(clock_nanosleep(12345, 0, &ts, NULL) == EINVAL);
}

static atomic_int word;

static void test_futex_timeouts(void)
{
	struct timespec ts = ts_of(20000000);
	uint64_t t0 = mono(), dt;
	long r;

	r = futex(&word, FUTEX_WAIT | FUTEX_PRIVATE, 0, &ts, NULL, 0);
	dt = mono() - t0;
	CHECK(r == -ETIMEDOUT);
	CHECK(dt >= 20000000);

	CHECK(futex(&word, FUTEX_WAIT, 1, &ts, NULL, 0) == -EAGAIN);
	CHECK(futex((void *)8, FUTEX_WAIT, 0, &ts, NULL, 0) == -EFAULT);
	CHECK(futex((void *)((char *)&word + 1), FUTEX_WAIT, 0, &ts, NULL,
		    0) == -EINVAL);
	ts.tv_nsec = -1;
	CHECK(futex(&word, FUTEX_WAIT, 0, &ts, NULL, 0) == -EINVAL);

	/* WAIT_BITSET: absolute deadlines, monotonic and realtime. */
	t0 = mono();
	ts = ts_of(t0 + 15000000);
	r = futex(&word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE, 0, &ts, NULL, -1);
	CHECK(r == -ETIMEDOUT && mono() >= t0 + 15000000);
	uint64_t w0 = ns_of(CLOCK_REALTIME);
	ts = ts_of(w0 + 15000000);
	r = futex(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, &ts,
		  NULL, -1);
	CHECK(r == -ETIMEDOUT && ns_of(CLOCK_REALTIME) >= w0 + 15000000);
	CHECK(futex(&word, FUTEX_WAIT_BITSET, 0, &ts, NULL, 0) == -EINVAL);
	CHECK(futex(&word, FUTEX_WAKE, 1, NULL, NULL, 0) == 0);
	CHECK(futex(&word, 99, 0, NULL, NULL, 0) == -ENOSYS);
}

/* Waiters that record how they were released. */
static atomic_int wa, wb, released;

struct waiter {
	atomic_int *addr;
	int bitset;
	long result;
};

static void *wait_thread(void *p)
{
	struct waiter *w = p;
	w->result = futex(w->addr, FUTEX_WAIT_BITSET, 0, NULL, NULL, w->bitset);
	atomic_fetch_add(&released, 1);
	return NULL;
}

static void start_waiters(pthread_t *t, struct waiter *w, int n)
{
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, wait_thread, &w[i]);
	/* On one CPU, yielding lets each waiter reach its futex wait. */
	for (int i = 0; i < 4 * n; i++)
		sched_yield();
}

static void test_futex_ops(void)
{
	pthread_t t[4];
	struct waiter w[4];

	/* REQUEUE: wake 1, move 2 to wb, then wake those on wb. */
	for (int i = 0; i < 3; i++)
		w[i] = (struct waiter){ &wa, -1, 1 };
	atomic_store(&released, 0);
	start_waiters(t, w, 3);
	CHECK(futex(&wa, FUTEX_REQUEUE, 1, (void *)2, &wb, 0) == 3);
	for (int i = 0; i < 4; i++)
		sched_yield();
	CHECK(atomic_load(&released) == 1);
	CHECK(futex(&wa, FUTEX_WAKE, 10, NULL, NULL, 0) == 0);
	CHECK(futex(&wb, FUTEX_WAKE, 10, NULL, NULL, 0) == 2);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	CHECK(w[0].result == 0 && w[1].result == 0 && w[2].result == 0);

	/* CMP_REQUEUE checks the value first. */
	CHECK(futex(&wa, FUTEX_CMP_REQUEUE, 1, (void *)1, &wb, 5) == -EAGAIN);
	w[0] = (struct waiter){ &wa, -1, 1 };
	start_waiters(t, w, 1);
	CHECK(futex(&wa, FUTEX_CMP_REQUEUE, 0, (void *)1, &wb, 0) == 1);
	CHECK(futex(&wb, FUTEX_WAKE, 1, NULL, NULL, 0) == 1);
	pthread_join(t[0], NULL);

	/* Bitsets: only the matching waiter wakes. */
	w[0] = (struct waiter){ &wa, 1, 1 };
	w[1] = (struct waiter){ &wa, 2, 1 };
	start_waiters(t, w, 2);
	CHECK(futex(&wa, FUTEX_WAKE_BITSET, 10, NULL, NULL, 2) == 1);
	CHECK(futex(&wa, FUTEX_WAKE_BITSET, 10, NULL, NULL, 1) == 1);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);

	/* WAKE_OP: wb += 1 (old 0); wake wa; wake wb if old == 0. */
	atomic_store(&wb, 0);
	w[0] = (struct waiter){ &wa, -1, 1 };
	w[1] = (struct waiter){ &wb, -1, 1 };
	start_waiters(t, w, 2);
	int op = (1 << 28) | (1 << 12) | (0 << 24) | 0; /* ADD 1, CMP_EQ 0 */
	CHECK(futex(&wa, FUTEX_WAKE_OP, 1, (void *)1, &wb, op) == 2);
	CHECK(atomic_load(&wb) == 1);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
}

static void test_cond_timedwait(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	uint64_t w0 = ns_of(CLOCK_REALTIME);
	struct timespec ts = ts_of(w0 + 30000000);

	pthread_mutex_lock(&m);
	CHECK(pthread_cond_timedwait(&c, &m, &ts) == ETIMEDOUT);
	CHECK(ns_of(CLOCK_REALTIME) >= w0 + 30000000);
	pthread_mutex_unlock(&m);
}

static atomic_int spin_stop;

static void *spin(void *p)
{
	while (!atomic_load(&spin_stop))
		;
	return p;
}

static void test_sleep_with_spinner(void)
{
	pthread_t t;
	struct timespec req = ts_of(30000000);
	uint64_t t0, dt;

	pthread_create(&t, NULL, spin, NULL);
	t0 = mono();
	nanosleep(&req, NULL);
	dt = mono() - t0;
	atomic_store(&spin_stop, 1);
	pthread_join(t, NULL);
	printf("measured: nanosleep(30 ms) beside a spinner took %.3f ms\n",
	       dt / 1e6);
	CHECK(dt >= 30000000);
	CHECK(dt < 2000000000); /* not starved (a loaded host may be slow) */
}

int main(void)
{
	test_nanosleep();
	test_clock_nanosleep();
	test_futex_timeouts();
	test_futex_ops();
	test_cond_timedwait();
	test_sleep_with_spinner();
	return check_done();
}
