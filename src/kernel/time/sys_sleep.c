/*
 * sys_sleep.c - nanosleep and clock_nanosleep.
 *
 * Layer: kernel time syscalls over the scheduler's blocking wait
 * (sched_block, a deadline on the tickless timer queue). REALTIME sleeps
 * are converted to the monotonic clock with the wall clock read at start
 * (the wall clock is never stepped). A sleep ended early by
 * sched_interrupt() (a signal, pthread_cancel) returns -EINTR and, for
 * relative sleeps, writes the time left.
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>
#include <uni/kernel.h>
#include <uni/sched.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include <uni/uaccess.h>

#define TIMER_ABSTIME_FLAG 1

static long do_sleep(clockid_t clk, int flags, const struct timespec *ureq,
		     struct timespec *urem)
{
	struct timespec req;
	uint64_t ns, now = time_now_ns(), deadline;
	long rc;

	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;
	if (!timespec_valid(&req))
		return -EINVAL;
	if ((uint64_t)req.tv_sec > 1000ULL * 365 * 86400)
		req.tv_sec = 1000L * 365 * 86400; /* "forever" */
	ns = timespec_ns(&req);
	if (flags & TIMER_ABSTIME_FLAG) {
		if (clk == CLOCK_REALTIME) {
			uint64_t base = time_wall_base_ns();
			ns = ns > base ? ns - base : 0;
		}
		if (ns <= now)
			return 0;
		deadline = ns;
	} else {
		if (!ns)
			return 0;
		deadline = now + ns;
	}
	rc = sched_block(deadline);
	if (rc == -ETIMEDOUT)
		return 0;
	if (rc == -EINTR && urem && !(flags & TIMER_ABSTIME_FLAG)) {
		uint64_t left = time_now_ns();
		left = deadline > left ? deadline - left : 0;
		struct timespec rem = {
			.tv_sec = (time_t)(left / NSEC_PER_SEC),
			.tv_nsec = (long)(left % NSEC_PER_SEC),
		};
		if (copy_to_user(urem, &rem, sizeof(rem)))
			return -EFAULT;
	}
	/* A plain wake cannot happen to a sleeper; treat it as done. */
	return rc == -EINTR ? -EINTR : 0;
}

SYSCALL_DEFINE2(nanosleep, const struct timespec *, req, struct timespec *,
		rem)
{
	return do_sleep(CLOCK_MONOTONIC, 0, req, rem);
}

SYSCALL_DEFINE4(clock_nanosleep, clockid_t, clk, int, flags,
		const struct timespec *, req, struct timespec *, rem)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
		return do_sleep(clk, flags, req, rem);
	case CLOCK_THREAD_CPUTIME_ID:
		return -EINVAL; /* as Linux */
	case CLOCK_PROCESS_CPUTIME_ID:
		return -ENOTSUP;
	default:
		return -EINVAL;
	}
}
