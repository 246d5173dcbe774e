/* timer_wall.c - in-image test: absolute CLOCK_REALTIME timers and sleeps
 * follow clock_settime, relative ones do not (src/kernel/time/itimer.c
 * and sys_sleep.c, absolute FUTEX_CLOCK_REALTIME waits in
 * src/kernel/sched/futex.c, over time_wall_watch in clock.c), as on Linux.
 * Run by CTest (test/vm/CMakeLists.txt, test "timer_wall"). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Move CLOCK_REALTIME by sec seconds. */
static int step_wall(long sec)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += sec;
	return clock_settime(CLOCK_REALTIME, &ts);
}

static void sleep_ms(long ms)
{
	struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&d, &d) && errno == EINTR)
		;
}

/* Wait up to ms for sig (blocked): 1 if it came. */
static int wait_sig(int sig, long ms)
{
	sigset_t s;
	struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };
	sigemptyset(&s);
	sigaddset(&s, sig);
	return sigtimedwait(&s, NULL, &d) == sig;
}

static timer_t make_timer(int sig)
{
	struct sigevent ev;
	timer_t id;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = sig;
	timer_create(CLOCK_REALTIME, &ev, &id);
	return id;
}

static void test_timers(void)
{
	int sig = SIGRTMIN + 1;
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	sigset_t s;
	timer_t a, r;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, NULL);

	/* Absolute, 60 s ahead: the clock jumps 60 s, it expires now. */
	a = make_timer(sig);
	clock_gettime(CLOCK_REALTIME, &its.it_value);
	its.it_value.tv_sec += 60;
	CHECK(timer_settime(a, TIMER_ABSTIME, &its, NULL) == 0);
	CHECK(wait_sig(sig, 100) == 0);
	CHECK(step_wall(61) == 0);
	CHECK(wait_sig(sig, 1000) == 1);

	/* Absolute, 1 s ahead: the clock goes back an hour, it waits. */
	clock_gettime(CLOCK_REALTIME, &its.it_value);
	its.it_value.tv_sec += 1;
	CHECK(timer_settime(a, TIMER_ABSTIME, &its, NULL) == 0);
	CHECK(step_wall(-3600) == 0);
	CHECK(wait_sig(sig, 1300) == 0);
	CHECK(step_wall(3600) == 0); /* and forward again: it is due */
	CHECK(wait_sig(sig, 1000) == 1);

	/* Relative on CLOCK_REALTIME: 400 ms whatever the clock does. */
	r = make_timer(sig);
	its.it_value.tv_sec = 0;
	its.it_value.tv_nsec = 400000000;
	CHECK(timer_settime(r, 0, &its, NULL) == 0);
	CHECK(step_wall(3600) == 0);
	CHECK(wait_sig(sig, 150) == 0);
	CHECK(wait_sig(sig, 2000) == 1);
	timer_delete(a);
	timer_delete(r);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static atomic_int slept;

static void *abs_sleeper(void *arg)
{
	struct timespec ts;
	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 60;
	atomic_store(&slept, 1);
	clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL);
	atomic_store(&slept, 2);
	return NULL;
}

static void test_sleep(void)
{
	pthread_t th;
	uint64_t t0;

	pthread_create(&th, NULL, abs_sleeper, NULL);
	while (atomic_load(&slept) != 1)
		sched_yield();
	sleep_ms(50);
	CHECK(atomic_load(&slept) == 1);
	t0 = mono_ns();
	CHECK(step_wall(61) == 0);
	pthread_join(th, NULL);
	CHECK(atomic_load(&slept) == 2);
	CHECK(mono_ns() - t0 < 2000000000ull); /* not the 60 s */
}

/* futex(2): glibc's absolute REALTIME condvar wait (musl converts to a
 * relative wait itself). */
#define FUTEX_WAIT_BITSET 9
#define FUTEX_CLOCK_REALTIME 256
static int fword;
static atomic_long futex_rc;

static void *futex_sleeper(void *arg)
{
	struct timespec ts;
	long r;
	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 60;
	atomic_store(&slept, 1);
	r = syscall(SYS_futex, &fword, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME,
		    0, &ts, NULL, ~0u);
	atomic_store(&futex_rc, r < 0 ? -errno : r);
	atomic_store(&slept, 2);
	return NULL;
}

static void test_futex(void)
{
	pthread_t th;
	uint64_t t0;

	atomic_store(&slept, 0);
	pthread_create(&th, NULL, futex_sleeper, NULL);
	while (atomic_load(&slept) != 1)
		sched_yield();
	sleep_ms(50);
	CHECK(atomic_load(&slept) == 1);
	t0 = mono_ns();
	CHECK(step_wall(61) == 0);
	pthread_join(th, NULL);
	CHECK(atomic_load(&futex_rc) == -ETIMEDOUT);
	CHECK(mono_ns() - t0 < 2000000000ull);
}

int main(void)
{
	alarm(30);
	test_timers();
	test_sleep();
	test_futex();
	return check_done();
}
