/*
 * sys_time.c - clock_gettime, clock_getres, gettimeofday, time.
 *
 * Layer: kernel time syscalls over clock.c. MONOTONIC, MONOTONIC_RAW,
 * BOOTTIME and their COARSE forms read the TSC clock; REALTIME adds the
 * wall clock read at start. PROCESS_CPUTIME and THREAD_CPUTIME are the
 * scheduler's run-time accounting (idle time is nobody's).
 */
#include <errno.h>
#include <stddef.h>
#include <sys/time.h>
#include <time.h>
#include <uni/kernel.h>
#include <uni/sched.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include <uni/uaccess.h>

static long clock_ns(clockid_t id, uint64_t *ns)
{
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = time_wall_base_ns() + time_now_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = time_now_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		*ns = sched_process_cpu_ns();
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = sched_thread_cpu_ns();
		return 0;
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE2(clock_gettime, clockid_t, id, struct timespec *, uts)
{
	struct timespec ts;
	uint64_t ns;
	long rc = clock_ns(id, &ns);

	if (rc)
		return rc;
	ts.tv_sec = (time_t)(ns / NSEC_PER_SEC);
	ts.tv_nsec = (long)(ns % NSEC_PER_SEC);
	return copy_to_user(uts, &ts, sizeof(ts));
}

SYSCALL_DEFINE2(clock_getres, clockid_t, id, struct timespec *, res)
{
	uint64_t ns;
	long rc = clock_ns(id, &ns);

	if (rc)
		return rc;
	if (res) {
		/* One TSC tick, rounded up to a whole nanosecond. */
		struct timespec r = {
			.tv_sec = 0,
			.tv_nsec = (long)((NSEC_PER_SEC + time_tsc_hz() - 1) /
					  time_tsc_hz()),
		};
		return copy_to_user(res, &r, sizeof(r));
	}
	return 0;
}

SYSCALL_DEFINE2(gettimeofday, struct timeval *, tv, void *, tz)
{
	(void)tz; /* obsolete: Linux leaves it zeroed or ignores it */
	if (tv) {
		uint64_t ns = time_wall_base_ns() + time_now_ns();
		struct timeval t = {
			.tv_sec = (time_t)(ns / NSEC_PER_SEC),
			.tv_usec = (suseconds_t)(ns % NSEC_PER_SEC / 1000),
		};
		return copy_to_user(tv, &t, sizeof(t));
	}
	return 0;
}

SYSCALL_DEFINE1(time, time_t *, t)
{
	time_t now = (time_t)((time_wall_base_ns() + time_now_ns()) /
			      NSEC_PER_SEC);

	if (t && copy_to_user(t, &now, sizeof(now)))
		return -EFAULT;
	return now;
}
