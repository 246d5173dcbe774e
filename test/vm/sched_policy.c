/* sched_policy.c - in-image test of scheduling policies on the one CPU:
 * the sched_* calls' values and errors (Linux's), the process-level
 * functions of the musl overlay, and the order threads really run in:
 * a higher SCHED_FIFO/RR priority preempts at once, FIFO has no time
 * slice, RR gives equals turns of its quantum, sched_yield goes to the
 * tail of its priority, priority changes move a thread at once. The
 * argument "nonroot" (run with uni-run -k uid=1000) checks EPERM instead. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "trail.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void spin_ms(int ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000;
	while (now_ns() < end)
		;
}

static long raw(long nr, long a, long b, long c)
{
	long r = syscall(nr, a, b, c);
	return r < 0 ? -errno : r;
}

static int set_self(int policy, int prio)
{
	struct sched_param p = { .sched_priority = prio };
	return pthread_setschedparam(pthread_self(), policy, &p);
}

/* --- values and errors ---------------------------------------------------- */

static void test_values(void)
{
	struct sched_param p;
	struct timespec ts;
	int tid = (int)syscall(SYS_gettid);

	CHECK(sched_get_priority_min(SCHED_FIFO) == 1);
	CHECK(sched_get_priority_max(SCHED_FIFO) == 99);
	CHECK(sched_get_priority_min(SCHED_RR) == 1);
	CHECK(sched_get_priority_max(SCHED_RR) == 99);
	CHECK(sched_get_priority_max(SCHED_OTHER) == 0);
	CHECK(sched_get_priority_min(SCHED_BATCH) == 0);
	CHECK(sched_get_priority_max(SCHED_IDLE) == 0);
	errno = 0;
	CHECK(sched_get_priority_max(42) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(sched_get_priority_min(-1) == -1 && errno == EINVAL);

	CHECK(sched_getscheduler(0) == SCHED_OTHER);
	CHECK(sched_getscheduler(getpid()) == SCHED_OTHER);
	CHECK(sched_getparam(0, &p) == 0 && p.sched_priority == 0);
	CHECK(raw(SYS_sched_getparam, 0, 0, 0) == -EINVAL);
	CHECK(raw(SYS_sched_getparam, -1, (long)&p, 0) == -EINVAL);
	CHECK(raw(SYS_sched_getparam, 99999, (long)&p, 0) == -ESRCH);
	CHECK(raw(SYS_sched_getparam, 0, 16, 0) == -EFAULT);
	CHECK(raw(SYS_sched_getscheduler, 99999, 0, 0) == -ESRCH);
	CHECK(raw(SYS_sched_getscheduler, -3, 0, 0) == -EINVAL);
	CHECK(raw(SYS_sched_getscheduler, tid, 0, 0) == SCHED_OTHER);

	p.sched_priority = 0;
	CHECK(raw(SYS_sched_setscheduler, 0, SCHED_FIFO, (long)&p) == -EINVAL);
	p.sched_priority = 100;
	CHECK(raw(SYS_sched_setscheduler, 0, SCHED_RR, (long)&p) == -EINVAL);
	p.sched_priority = 5;
	CHECK(raw(SYS_sched_setscheduler, 0, SCHED_OTHER, (long)&p) == -EINVAL);
	CHECK(raw(SYS_sched_setscheduler, 0, 4, (long)&p) == -EINVAL);
	CHECK(raw(SYS_sched_setscheduler, 0, 6 /* DEADLINE */, (long)&p) ==
	      -EINVAL);
	CHECK(raw(SYS_sched_setscheduler, 0, -1, (long)&p) == -EINVAL);
	CHECK(raw(SYS_sched_setscheduler, 0, SCHED_FIFO, 0) == -EINVAL);
	CHECK(raw(SYS_sched_setscheduler, 0, SCHED_FIFO, 16) == -EFAULT);
	CHECK(raw(SYS_sched_setscheduler, 99999, SCHED_FIFO, (long)&p) ==
	      -ESRCH);
	CHECK(raw(SYS_sched_setparam, 0, (long)&p, 0) == -EINVAL); /* OTHER */
	CHECK(sched_getscheduler(0) == SCHED_OTHER); /* failures changed nothing */

	CHECK(sched_rr_get_interval(0, &ts) == 0 && ts.tv_sec == 0 &&
	      ts.tv_nsec == 10000000);
	CHECK(raw(SYS_sched_rr_get_interval, 99999, (long)&ts, 0) == -ESRCH);
	CHECK(raw(SYS_sched_rr_get_interval, 0, 16, 0) == -EFAULT);

	/* The process-level functions: the former policy comes back. */
	p.sched_priority = 7;
	CHECK(sched_setscheduler(0, SCHED_RR, &p) == SCHED_OTHER);
	CHECK(sched_getscheduler(getpid()) == SCHED_RR);
	CHECK(sched_rr_get_interval(0, &ts) == 0 && ts.tv_nsec == 100000000);
	p.sched_priority = 9;
	CHECK(sched_setparam(getpid(), &p) == 0);
	memset(&p, 0, sizeof(p));
	CHECK(sched_getparam(0, &p) == 0 && p.sched_priority == 9);
	int pol = -1;
	CHECK(pthread_getschedparam(pthread_self(), &pol, &p) == 0 &&
	      pol == SCHED_RR && p.sched_priority == 9);
	p.sched_priority = 3;
	CHECK(sched_setscheduler(getpid(), SCHED_FIFO, &p) == SCHED_RR);
	CHECK(sched_rr_get_interval(0, &ts) == 0 && ts.tv_sec == 0 &&
	      ts.tv_nsec == 0);
	CHECK(pthread_setschedprio(pthread_self(), 4) == 0);
	CHECK(sched_getparam(0, &p) == 0 && p.sched_priority == 4);
	CHECK(pthread_setschedprio(pthread_self(), 0) == EINVAL);
	p.sched_priority = 0;
	CHECK(sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &p) ==
	      SCHED_FIFO);
	CHECK(sched_getscheduler(0) == (SCHED_OTHER | SCHED_RESET_ON_FORK));
	CHECK(sched_setscheduler(0, SCHED_OTHER, &p) ==
	      (SCHED_OTHER | SCHED_RESET_ON_FORK));
	CHECK(sched_getscheduler(0) == SCHED_OTHER);
	errno = 0;
	CHECK(sched_setparam(99999, &p) == -1 && errno == ESRCH);

	/* the attribute refuses a policy the kernel has not (libc-ext) */
	pthread_attr_t a;
	int got = -1;
	pthread_attr_init(&a);
	CHECK(pthread_attr_setschedpolicy(&a, SCHED_RR) == 0 &&
	      pthread_attr_getschedpolicy(&a, &got) == 0 && got == SCHED_RR);
	CHECK(pthread_attr_setschedpolicy(&a, 12345) == EINVAL &&
	      pthread_attr_getschedpolicy(&a, &got) == 0 && got == SCHED_RR);
	CHECK(pthread_attr_setschedpolicy(&a, -1) == EINVAL);
	pthread_attr_destroy(&a);
}

/* --- preemption by a higher priority -------------------------------------- */

static void *mark_h(void *arg)
{
	(void)arg;
	mark('H');
	return NULL;
}

static atomic_int low_ran;

static void *low_thread(void *arg)
{
	(void)arg;
	low_ran = 1;
	mark('L');
	return NULL;
}

static void test_preempt(void)
{
	pthread_t t;

	/* A new thread of a higher priority runs before pthread_create
	 * returns; under SCHED_OTHER the creator would go on first. */
	trail_reset();
	CHECK(set_self(SCHED_FIFO, 10) == 0);
	t = start_sched(mark_h, NULL, SCHED_FIFO, 20);
	mark('M');
	CHECK(t && pthread_join(t, NULL) == 0);
	printf("higher-priority child: %s\n", trail);
	CHECK(strcmp(trail, "HM") == 0);

	/* A lower one does not run while the higher spins past many
	 * SCHED_OTHER slices, and runs as soon as it blocks. */
	low_ran = 0;
	t = start_sched(low_thread, NULL, SCHED_FIFO, 5);
	spin_ms(100);
	CHECK(low_ran == 0);
	CHECK(t && pthread_join(t, NULL) == 0 && low_ran == 1);

	/* SCHED_OTHER threads run below every real-time one. */
	low_ran = 0;
	t = start_sched(low_thread, NULL, SCHED_OTHER, 0);
	spin_ms(50);
	CHECK(low_ran == 0);
	CHECK(t && pthread_join(t, NULL) == 0 && low_ran == 1);
	CHECK(set_self(SCHED_OTHER, 0) == 0);
}

/* --- FIFO: no slice; yield to the tail ------------------------------------ */

static void *fifo_peer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++) {
		mark('B');
		sched_yield();
	}
	return NULL;
}

static void test_fifo(void)
{
	pthread_t t;

	trail_reset();
	CHECK(set_self(SCHED_FIFO, 10) == 0);
	t = start_sched(fifo_peer, NULL, SCHED_FIFO, 10);
	/* An equal FIFO thread waits through slices: nothing preempts. */
	spin_ms(60);
	CHECK(ntrail == 0);
	for (int i = 0; i < 3; i++) {
		mark('A');
		sched_yield();
	}
	CHECK(t && pthread_join(t, NULL) == 0);
	printf("FIFO yields: %s\n", trail);
	CHECK(strcmp(trail, "ABABAB") == 0);
	/* A yield with only lower priorities waiting returns at once. */
	low_ran = 0;
	t = start_sched(low_thread, NULL, SCHED_FIFO, 3);
	sched_yield();
	CHECK(low_ran == 0);
	CHECK(t && pthread_join(t, NULL) == 0 && low_ran == 1);
	CHECK(set_self(SCHED_OTHER, 0) == 0);
}

/* --- RR: equals take turns of the quantum ---------------------------------- */

static atomic_int rr_stop;
static _Atomic uint64_t rr_last; /* the peer's latest clock reading */

static void *rr_peer(void *arg)
{
	(void)arg;
	while (!rr_stop)
		rr_last = now_ns();
	return NULL;
}

static void test_rr(void)
{
	pthread_t t;
	uint64_t start_ns, prev, now, hole[2][2] = { { 0 } };
	int holes = 0;

	rr_stop = 0;
	rr_last = 0;
	CHECK(set_self(SCHED_RR, 10) == 0);
	t = start_sched(rr_peer, NULL, SCHED_RR, 10);
	/* Spin and watch the clock: a hole in this thread's view of it is
	 * a turn of the peer if the peer read the clock inside it (a host
	 * stall makes holes too). Two such holes: the peer's turn, this
	 * thread's turn between them, the peer's turn again. */
	start_ns = prev = now_ns();
	while (holes < 2 && (now = now_ns()) - start_ns < 3000000000ull) {
		uint64_t seen;
		if (now - prev > 5000000 && (seen = rr_last) > prev &&
		    seen < now) {
			hole[holes][0] = prev;
			hole[holes][1] = now;
			holes++;
		}
		prev = now;
	}
	rr_stop = 1;
	CHECK(holes == 2);
	uint64_t peer = hole[0][1] - hole[0][0];
	uint64_t own = hole[1][0] - hole[0][1];
	printf("RR turns: peer %llu ms, own %llu ms\n",
	       (unsigned long long)(peer / 1000000),
	       (unsigned long long)(own / 1000000));
	/* The quantum is 100 ms, not SCHED_OTHER's 10 (slack for TCG). */
	CHECK(peer >= 60000000 && own >= 60000000);
	CHECK(t && pthread_join(t, NULL) == 0);
	CHECK(set_self(SCHED_OTHER, 0) == 0);
}

/* --- priority changes -------------------------------------------------------- */

static void test_change(void)
{
	pthread_t t;

	/* Raising a waiting thread above the caller runs it at once. */
	trail_reset();
	CHECK(set_self(SCHED_FIFO, 10) == 0);
	t = start_sched(mark_h, NULL, SCHED_FIFO, 5);
	spin_ms(20);
	CHECK(ntrail == 0);
	CHECK(pthread_setschedprio(t, 15) == 0);
	mark('M');
	CHECK(t && pthread_join(t, NULL) == 0);
	printf("raised peer: %s\n", trail);
	CHECK(strcmp(trail, "HM") == 0);

	/* Lowering oneself below a waiting thread gives it the CPU. */
	trail_reset();
	t = start_sched(mark_h, NULL, SCHED_FIFO, 5);
	struct sched_param p = { .sched_priority = 2 };
	CHECK(sched_setparam(0, &p) == 0);
	mark('M');
	CHECK(t && pthread_join(t, NULL) == 0);
	printf("lowered self: %s\n", trail);
	CHECK(strcmp(trail, "HM") == 0);

	/* Threads inherit the creator's policy unless told otherwise. */
	CHECK(set_self(SCHED_FIFO, 12) == 0);
	pthread_attr_t a;
	pthread_attr_init(&a);
	int pol = -1;
	CHECK(pthread_create(&t, &a, low_thread, NULL) == 0);
	/* An equal FIFO child waits for this thread to block. */
	CHECK(pthread_getschedparam(t, &pol, &p) == 0 && pol == SCHED_FIFO &&
	      p.sched_priority == 12);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(set_self(SCHED_OTHER, 0) == 0);
}

static void test_nonroot(void)
{
	struct sched_param p = { .sched_priority = 1 };

	CHECK(getuid() == 1000);
	errno = 0;
	CHECK(sched_setscheduler(0, SCHED_FIFO, &p) == -1 && errno == EPERM);
	CHECK(set_self(SCHED_RR, 1) == EPERM);
	CHECK(sched_getscheduler(0) == SCHED_OTHER);
	p.sched_priority = 0;
	CHECK(sched_setscheduler(0, SCHED_BATCH, &p) == SCHED_OTHER);
	CHECK(sched_setscheduler(0, SCHED_OTHER, &p) == SCHED_BATCH);
	/* SCHED_IDLE is a one-way street without RLIMIT_NICE. */
	CHECK(sched_setscheduler(0, SCHED_IDLE, &p) == SCHED_OTHER);
	errno = 0;
	CHECK(sched_setscheduler(0, SCHED_OTHER, &p) == -1 && errno == EPERM);
	CHECK(sched_getscheduler(0) == SCHED_IDLE);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "nonroot") == 0) {
		test_nonroot();
		return check_done();
	}
	test_values();
	test_preempt();
	test_fifo();
	test_rr();
	test_change();
	return check_done();
}
