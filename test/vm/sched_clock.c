/* sched_clock.c - in-image test of the CPU-time clock ids and
 * clock_settime: clock_getcpuclockid and pthread_getcpuclockid give ids
 * (Linux's encoding) that clock_gettime reads, one thread's clock read by
 * another moves while that thread spins and not while it sleeps, bad ids
 * are EINVAL; clock_settime moves CLOCK_REALTIME (and gettimeofday,
 * time) but not CLOCK_MONOTONIC, refuses other clocks (EINVAL, EPERM for
 * a CPU clock, as Linux) and bad values. "nonroot" (uni-run -k uid=1000)
 * checks the EPERM of an unprivileged clock_settime. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

/* Linux's CPU-clock ids, computed as musl does (no negative shifts). */
#define PROC_CLOCK(pid, kind) ((clockid_t)((-(pid) - 1) * 8U + (kind)))
#define THREAD_CLOCK(tid, kind) ((clockid_t)((-(tid) - 1) * 8U + 4 + (kind)))

static double clk(clockid_t c)
{
	struct timespec ts;
	if (clock_gettime(c, &ts))
		return -1;
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void spin(double seconds)
{
	double end = clk(CLOCK_MONOTONIC) + seconds;
	while (clk(CLOCK_MONOTONIC) < end)
		;
}

static atomic_int phase;

/* Spins 100 ms, then sleeps until told to end. */
static void *worker(void *arg)
{
	(void)arg;
	spin(0.1);
	phase = 1;
	while (phase != 2) {
		struct timespec ts = { 0, 10000000 };
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void test_cpu_clocks(void)
{
	clockid_t pc, pc0, tc, self;
	pthread_t t;
	struct timespec ts;

	CHECK(clock_getcpuclockid(getpid(), &pc) == 0);
	CHECK(clock_getcpuclockid(0, &pc0) == 0);
	/* Linux's encoding: ((~pid) << 3) | 2 */
	CHECK(pc == PROC_CLOCK(getpid(), 2));
	CHECK(clock_getcpuclockid(4242, &pc) == EINVAL && pc ==
	      PROC_CLOCK(getpid(), 2));
	CHECK(clock_gettime(pc, &ts) == 0);
	CHECK(clock_getres(pc, &ts) == 0 && ts.tv_sec == 0 && ts.tv_nsec >= 1);
	double p0 = clk(pc), pz = clk(pc0), pp = clk(CLOCK_PROCESS_CPUTIME_ID);
	CHECK(p0 > 0 && pz >= p0 && pp >= pz);

	/* Idle time is nobody's: the process clock stands still while its
	 * only thread sleeps. */
	struct timespec nap0 = { 0, 200000000 };
	double q0 = clk(pc);
	nanosleep(&nap0, NULL);
	double q1 = clk(pc);
	printf("process clock over a 200 ms sleep: %.3f ms\n", (q1 - q0) * 1e3);
	CHECK(q1 - q0 < 0.1); /* not the 200 ms: slack for host stalls */

	CHECK(pthread_getcpuclockid(pthread_self(), &self) == 0);
	CHECK(self == THREAD_CLOCK((int)syscall(SYS_gettid), 2));
	double s0 = clk(self);
	spin(0.05);
	double s1 = clk(self), tt = clk(CLOCK_THREAD_CPUTIME_ID);
	printf("own thread clock over a 50 ms spin: %.3f ms\n",
	       (s1 - s0) * 1e3);
	CHECK(s1 - s0 >= 0.045 && tt >= s1);

	phase = 0;
	CHECK(pthread_create(&t, NULL, worker, NULL) == 0);
	CHECK(pthread_getcpuclockid(t, &tc) == 0);
	double w0 = clk(tc);
	CHECK(w0 >= 0);
	while (phase != 1) {
		struct timespec nap = { 0, 5000000 };
		nanosleep(&nap, NULL);
	}
	double w1 = clk(tc);
	struct timespec nap = { 0, 200000000 };
	nanosleep(&nap, NULL); /* the worker sleeps too */
	double w2 = clk(tc);
	printf("worker clock: %.3f ms after its spin, %.3f ms more while "
	       "it slept\n", w1 * 1e3, (w2 - w1) * 1e3);
	CHECK(w1 >= 0.09);
	CHECK(w2 - w1 < 0.1);
	phase = 2;
	CHECK(pthread_join(t, NULL) == 0);
	/* The exited thread's id names nothing now; its time stays in the
	 * process clock. */
	CHECK(clock_gettime(tc, &ts) == -1 && errno == EINVAL);
	CHECK(clk(pc) - p0 >= 0.14);

	/* Bad ids: kind 3, an unknown tid, a positive unknown clock. */
	CHECK(clock_gettime(PROC_CLOCK(getpid(), 3), &ts) == -1 &&
	      errno == EINVAL);
	CHECK(clock_gettime(THREAD_CLOCK(99999, 2), &ts) == -1 &&
	      errno == EINVAL);
	CHECK(clock_getres(THREAD_CLOCK(99999, 2), &ts) == -1 &&
	      errno == EINVAL);
	CHECK(clock_gettime(77, &ts) == -1 && errno == EINVAL);
	/* PROF and VIRT kinds count the same running time here. */
	CHECK(clk(PROC_CLOCK(getpid(), 0)) >= p0);
	CHECK(clk(THREAD_CLOCK(0, 1)) >= s1);
}

static void test_settime(void)
{
	struct timespec rt0, mono0, rt1, mono1, set, ts;
	struct timeval tv;

	CHECK(clock_gettime(CLOCK_REALTIME, &rt0) == 0);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &mono0) == 0);
	set = rt0;
	set.tv_sec += 100000;
	CHECK(clock_settime(CLOCK_REALTIME, &set) == 0);
	CHECK(clock_gettime(CLOCK_REALTIME, &rt1) == 0);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &mono1) == 0);
	double jump = (rt1.tv_sec - rt0.tv_sec) + (rt1.tv_nsec - rt0.tv_nsec) / 1e9;
	double mono = (mono1.tv_sec - mono0.tv_sec) +
		      (mono1.tv_nsec - mono0.tv_nsec) / 1e9;
	printf("REALTIME moved %.3f s, MONOTONIC %.3f s\n", jump, mono);
	CHECK(jump >= 100000 && jump < 100001);
	CHECK(mono >= 0 && mono < 1);
	CHECK(gettimeofday(&tv, NULL) == 0 && tv.tv_sec >= set.tv_sec &&
	      tv.tv_sec < set.tv_sec + 2);
	CHECK(time(NULL) >= set.tv_sec && time(NULL) < set.tv_sec + 2);
	/* Backwards: a fixed past date, then back to about the start. */
	set.tv_sec = 1000000000;
	set.tv_nsec = 500000000;
	CHECK(clock_settime(CLOCK_REALTIME, &set) == 0);
	CHECK(clock_gettime(CLOCK_REALTIME, &ts) == 0 &&
	      ts.tv_sec == 1000000000 && ts.tv_nsec >= 500000000);
	/* Back to the start's wall clock plus the time gone since. */
	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0 &&
	      ts.tv_sec - mono0.tv_sec < 2);
	set.tv_sec = rt0.tv_sec + (ts.tv_sec - mono0.tv_sec);
	set.tv_nsec = rt0.tv_nsec + (ts.tv_nsec - mono0.tv_nsec);
	if (set.tv_nsec < 0) {
		set.tv_nsec += 1000000000;
		set.tv_sec--;
	} else if (set.tv_nsec >= 1000000000) {
		set.tv_nsec -= 1000000000;
		set.tv_sec++;
	}
	CHECK(clock_settime(CLOCK_REALTIME, &set) == 0);

	/* Errors. */
	errno = 0;
	CHECK(clock_settime(CLOCK_MONOTONIC, &rt0) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(clock_settime(CLOCK_BOOTTIME, &rt0) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(clock_settime(CLOCK_PROCESS_CPUTIME_ID, &rt0) == -1 &&
	      errno == EPERM);
	errno = 0;
	CHECK(clock_settime(CLOCK_THREAD_CPUTIME_ID, &rt0) == -1 &&
	      errno == EPERM);
	errno = 0;
	CHECK(clock_settime(THREAD_CLOCK(99999, 2), &rt0) == -1 &&
	      errno == EINVAL);
	errno = 0;
	CHECK(clock_settime(1234, &rt0) == -1 && errno == EINVAL);
	set = rt0;
	set.tv_nsec = 1000000000;
	errno = 0;
	CHECK(clock_settime(CLOCK_REALTIME, &set) == -1 && errno == EINVAL);
	set.tv_nsec = -1;
	CHECK(clock_settime(CLOCK_REALTIME, &set) == -1 && errno == EINVAL);
	set.tv_nsec = 0;
	set.tv_sec = -5;
	CHECK(clock_settime(CLOCK_REALTIME, &set) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(syscall(SYS_clock_settime, CLOCK_REALTIME, 16) == -1 &&
	      errno == EFAULT);
	CHECK(clock_gettime(CLOCK_REALTIME, &ts) == 0 &&
	      ts.tv_sec >= rt0.tv_sec && ts.tv_sec < rt0.tv_sec + 5);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "nonroot") == 0) {
		struct timespec ts;
		CHECK(getuid() == 1000);
		CHECK(clock_gettime(CLOCK_REALTIME, &ts) == 0);
		errno = 0;
		CHECK(clock_settime(CLOCK_REALTIME, &ts) == -1 &&
		      errno == EPERM);
		return check_done();
	}
	test_cpu_clocks();
	test_settime();
	return check_done();
}
