/* timer_cpu.c - in-image test of POSIX timers on CPU-time clocks
 * (src/kernel/time/itimer.c over uni/cpuclock.h): a process or thread
 * CPU-time timer expires once that much CPU time is used, not before, and
 * sleeping uses none; a periodic one counts overruns; timer_gettime
 * reports CPU time left. setitimer's ITIMER_VIRTUAL and ITIMER_PROF too.
 * Run by CTest (test/vm/CMakeLists.txt, test "timer_cpu"). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int pending(int sig)
{
	sigset_t s;
	sigpending(&s);
	return sigismember(&s, sig);
}

static timer_t make_timer(clockid_t c, int sig)
{
	struct sigevent ev;
	timer_t id;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = sig;
	CHECK(timer_create(c, &ev, &id) == 0);
	return id;
}

/* Spin until sig is pending or limit_ms of real time pass; the CPU time
 * of clock c at that moment. */
static uint64_t spin_until(int sig, clockid_t c, long limit_ms)
{
	uint64_t end = clock_ns(CLOCK_MONOTONIC) + limit_ms * 1000000ull;
	while (!pending(sig) && clock_ns(CLOCK_MONOTONIC) < end)
		;
	return clock_ns(c);
}

static void test_clock(clockid_t c)
{
	int sig = SIGRTMIN + 2;
	struct itimerspec its = { { 0, 0 }, { 0, 80000000 } }, cur;
	struct timespec nap = { 0, 150000000 };
	uint64_t start, at;
	long expect;
	sigset_t s;
	siginfo_t si;
	const struct timespec zero = { 0, 0 };
	timer_t id;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, NULL);
	id = make_timer(c, sig);
	start = clock_ns(c);
	CHECK(timer_settime(id, 0, &its, NULL) == 0);
	/* Asleep: no CPU time goes by, no expiry. */
	nanosleep(&nap, NULL);
	CHECK(pending(sig) == 0);
	CHECK(timer_gettime(id, &cur) == 0 && cur.it_value.tv_sec == 0 &&
	      cur.it_value.tv_nsec > 50000000);
	/* Busy: it expires when 80 ms of CPU time are used. */
	at = spin_until(sig, c, 3000);
	CHECK(pending(sig) == 1);
	CHECK(at - start >= 80000000ull);
	CHECK(sigtimedwait(&s, &si, &zero) == sig && si.si_code == SI_TIMER);

	/* Periodic, 10 ms, left pending for ~60 ms of CPU: overruns. */
	its.it_value.tv_nsec = its.it_interval.tv_nsec = 10000000;
	start = clock_ns(c);
	CHECK(timer_settime(id, 0, &its, NULL) == 0);
	while (clock_ns(c) - start < 65000000ull)
		;
	CHECK(sigtimedwait(&s, &si, &zero) == sig);
	expect = (long)((clock_ns(c) - start) / 10000000) - 1;
	printf("si_overrun %d, expected %ld\n", si.si_overrun, expect);
	CHECK(si.si_overrun >= expect - 2 && si.si_overrun <= expect);
	CHECK(timer_delete(id) == 0);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

/* setitimer's CPU-time timers: process CPU time, SIGVTALRM or SIGPROF. */
static void test_itimer(int which, int sig)
{
	struct itimerval v = { { 0, 0 }, { 0, 50000 } }, cur;
	struct timespec nap = { 0, 100000000 };
	sigset_t s;
	uint64_t start, at;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, NULL);
	start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	CHECK(setitimer(which, &v, NULL) == 0);
	nanosleep(&nap, NULL);
	CHECK(pending(sig) == 0);
	CHECK(getitimer(which, &cur) == 0 && cur.it_value.tv_sec == 0 &&
	      cur.it_value.tv_usec > 20000);
	at = spin_until(sig, CLOCK_PROCESS_CPUTIME_ID, 3000);
	CHECK(pending(sig) == 1 && at - start >= 50000000ull);
	CHECK(getitimer(which, &cur) == 0 && cur.it_value.tv_sec == 0 &&
	      cur.it_value.tv_usec == 0); /* one-shot: disarmed */
	sigwaitinfo(&s, NULL);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

int main(void)
{
	alarm(30);
	test_clock(CLOCK_PROCESS_CPUTIME_ID);
	test_clock(CLOCK_THREAD_CPUTIME_ID);
	test_itimer(ITIMER_VIRTUAL, SIGVTALRM);
	test_itimer(ITIMER_PROF, SIGPROF);
	return check_done();
}
