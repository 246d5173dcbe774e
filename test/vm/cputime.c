/* cputime.c - CPU-time clocks count running, not sleeping: a thread's
 * clock moves while it spins and stands still while it sleeps; the
 * process clock sums its threads; getrusage and times agree. */
#include <pthread.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

static double clk(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void spin(double seconds)
{
	double end = clk(CLOCK_MONOTONIC) + seconds;
	while (clk(CLOCK_MONOTONIC) < end)
		;
}

static double worker_cpu;

static void *worker(void *arg)
{
	(void)arg;
	spin(0.1);
	worker_cpu = clk(CLOCK_THREAD_CPUTIME_ID);
	return NULL;
}

int main(void)
{
	struct timespec nap = { 0, 200000000 };
	double t0 = clk(CLOCK_THREAD_CPUTIME_ID);
	double p0 = clk(CLOCK_PROCESS_CPUTIME_ID);

	nanosleep(&nap, NULL);
	double slept = clk(CLOCK_THREAD_CPUTIME_ID) - t0;
	printf("thread CPU during a 200 ms sleep: %.3f ms\n", slept * 1e3);
	CHECK(slept < 0.1);

	spin(0.1);
	double spun = clk(CLOCK_THREAD_CPUTIME_ID) - t0 - slept;
	printf("thread CPU during a 100 ms spin: %.3f ms\n", spun * 1e3);
	CHECK(spun >= 0.09);

	pthread_t t;
	CHECK(pthread_create(&t, NULL, worker, NULL) == 0);
	pthread_join(t, NULL);
	printf("worker thread CPU: %.3f ms\n", worker_cpu * 1e3);
	CHECK(worker_cpu >= 0.09);
	double proc = clk(CLOCK_PROCESS_CPUTIME_ID) - p0;
	printf("process CPU over all: %.3f ms\n", proc * 1e3);
	CHECK(proc >= 0.18);           /* both spins, the exited thread's too */
	CHECK(proc < clk(CLOCK_MONOTONIC)); /* not wall time: the sleep is out */

	struct rusage ru;
	CHECK(getrusage(RUSAGE_SELF, &ru) == 0);
	double ru_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	CHECK(ru_s > 0.18 && ru_s <= clk(CLOCK_PROCESS_CPUTIME_ID) + 0.001);
	struct tms tm;
	CHECK(times(&tm) != (clock_t)-1);
	CHECK(tm.tms_utime >= 18); /* USER_HZ 100: at least the two spins */
	return check_done();
}
