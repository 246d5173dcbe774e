/* timer_overrun.c - in-image test of POSIX timer overruns
 * (src/kernel/time/itimer.c with the signal queue of src/kernel/signal):
 * a periodic timer whose signal stays blocked queues one signal only, even
 * a real-time one, and counts the other expirations; the count becomes the
 * signal's si_overrun and timer_getoverrun's value when it is accepted;
 * timer_delete withdraws a pending timer signal.
 * Run by CTest (test/vm/CMakeLists.txt, test "timer_overrun"). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

static void sleep_ms(long ms)
{
	struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&d, &d) && errno == EINTR)
		;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int pending(int sig)
{
	sigset_t s;
	sigpending(&s);
	return sigismember(&s, sig);
}

/* A 10 ms periodic timer on a blocked sig, left to run for ~105 ms. */
static void test_overruns(int sig)
{
	struct sigevent ev;
	struct itimerspec its = { { 0, 10000000 }, { 0, 10000000 } };
	timer_t id;
	sigset_t s;
	siginfo_t si, late;
	const struct timespec zero = { 0, 0 };
	uint64_t t0, t1;
	long expect;
	int ov;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, NULL);
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = sig;
	ev.sigev_value.sival_int = 1234;
	CHECK(timer_create(CLOCK_MONOTONIC, &ev, &id) == 0);
	t0 = mono_ns();
	CHECK(timer_settime(id, 0, &its, NULL) == 0);
	sleep_ms(105);
	memset(&si, 0, sizeof(si));
	CHECK(sigtimedwait(&s, &si, &zero) == sig); /* the count stops here */
	t1 = mono_ns();
	ov = timer_getoverrun(id);
	/* Expirations up to the acceptance, the first one sent. */
	expect = (long)((t1 - t0) / 10000000) - 1;
	its.it_value.tv_nsec = its.it_interval.tv_nsec = 0;
	CHECK(timer_settime(id, 0, &its, NULL) == 0);
	/* A signal sent before the disarm may still be pending: drop it
	 * (into its own siginfo: si is the one checked below). */
	sigtimedwait(&s, &late, &zero);
	printf("sig %d: si_overrun %d, timer_getoverrun %d, expected %ld\n",
	       sig, si.si_overrun, ov, expect);
	CHECK(si.si_code == SI_TIMER && si.si_value.sival_int == 1234);
	/* ~10 expirations in ~100 ms: one signal, the rest overruns (a
	 * late timer interrupt still counts the periods it missed). */
	CHECK(expect >= 8 && si.si_overrun >= expect - 2 &&
	      si.si_overrun <= expect + 1);
	CHECK(ov == si.si_overrun);
	CHECK(pending(sig) == 0); /* only one signal was queued */

	/* A second round: the count starts again from the new signal. */
	its.it_value.tv_nsec = 20000000;
	CHECK(timer_settime(id, 0, &its, NULL) == 0); /* one-shot */
	sleep_ms(40);
	CHECK(sigtimedwait(&s, &si, &zero) == sig && si.si_overrun == 0);
	CHECK(timer_getoverrun(id) == 0);

	/* timer_delete takes its pending signal away (POSIX leaves it
	 * unspecified; Linux drops the record). */
	its.it_value.tv_nsec = 5000000;
	CHECK(timer_settime(id, 0, &its, NULL) == 0);
	sleep_ms(20);
	CHECK(pending(sig) == 1);
	CHECK(timer_delete(id) == 0);
	CHECK(pending(sig) == 0);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

int main(void)
{
	alarm(30);
	test_overruns(SIGRTMIN + 1); /* queued kind: still one signal */
	test_overruns(SIGUSR2);
	return check_done();
}
