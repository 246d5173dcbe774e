/*
 * sys_time.c - clock_gettime, clock_getres, clock_settime, gettimeofday,
 * time; the CPU-time clock ids (uni/cpuclock.h).
 *
 * Layer: kernel time syscalls over clock.c. MONOTONIC, MONOTONIC_RAW,
 * BOOTTIME and their COARSE forms read the TSC clock; REALTIME adds the
 * wall clock base (read from the RTC at start, moved by clock_settime).
 * PROCESS_CPUTIME, THREAD_CPUTIME and the per-process and per-thread ids
 * of clock_getcpuclockid/pthread_getcpuclockid are the scheduler's
 * run-time accounting (idle time is nobody's). Only REALTIME can be set,
 * as on Linux: a CPU-time clock gives EPERM, any other EINVAL.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/time.h>
#include <time.h>
#include <uni/cpuclock.h>
#include <uni/ident.h>
#include <uni/kernel.h>
#include <uni/proc.h>
#include <uni/sched.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include <uni/uaccess.h>

/* Linux's encoding of a CPU-time clock id (include/linux/posix-timers.h):
 * the low two bits the kind, bit 2 per-thread, the rest ~pid. */
#define CPUCLOCK_PERTHREAD 4
#define CPUCLOCK_KIND_MASK 3
#define CPUCLOCK_KINDS 3 /* PROF, VIRT, SCHED */

int cpuclock_lookup(clockid_t id, struct thread **t)
{
	int pid;

	if (id == CLOCK_PROCESS_CPUTIME_ID) {
		*t = NULL;
		return 0;
	}
	if (id == CLOCK_THREAD_CPUTIME_ID) {
		*t = sched_current();
		return 0;
	}
	if (id >= 0 || (id & CPUCLOCK_KIND_MASK) >= CPUCLOCK_KINDS)
		return -EINVAL;
	pid = ~(id >> 3); /* arithmetic shift: the id is negative */
	if (id & CPUCLOCK_PERTHREAD) {
		*t = pid ? sched_find(pid) : sched_current();
		return *t ? 0 : -EINVAL;
	}
	*t = NULL;
	/* The one process: its pid, or 0 for the caller's own. */
	return pid == 0 || pid == UNI_PID ? 0 : -EINVAL;
}

uint64_t cpuclock_ns(const struct thread *t)
{
	return t ? sched_cpu_ns_of(t) : sched_process_cpu_ns();
}

static long clock_ns(clockid_t id, uint64_t *ns)
{
	struct thread *t;
	long rc;

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
	default:
		rc = cpuclock_lookup(id, &t);
		if (!rc)
			*ns = cpuclock_ns(t);
		return rc;
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

/* Linux's upper bound for a settable time (KTIME_SETTOD_MAX_SEC): 30
 * years short of the end of 64-bit nanoseconds. */
#define SETTOD_MAX_SEC (INT64_MAX / (int64_t)NSEC_PER_SEC - 30LL * 31556952)

SYSCALL_DEFINE2(clock_settime, clockid_t, id, const struct timespec *, uts)
{
	struct timespec ts;
	struct thread *t;

	if (id != CLOCK_REALTIME) {
		/* A CPU-time clock exists but cannot be set (Linux checks the
		 * id, then says EPERM); every other clock is not settable. */
		if (id == CLOCK_PROCESS_CPUTIME_ID ||
		    id == CLOCK_THREAD_CPUTIME_ID || id < 0) {
			if (copy_from_user(&ts, uts, sizeof(ts)))
				return -EFAULT;
			return cpuclock_lookup(id, &t) ? -EINVAL : -EPERM;
		}
		return -EINVAL;
	}
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (!timespec_valid(&ts) || ts.tv_sec > SETTOD_MAX_SEC)
		return -EINVAL;
	if (!ident_capable())
		return -EPERM; /* CAP_SYS_TIME */
	return time_set_wall_ns(timespec_ns(&ts));
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
