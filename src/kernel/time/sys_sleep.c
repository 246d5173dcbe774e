/*
 * sys_sleep.c - nanosleep and clock_nanosleep.
 *
 * Layer: kernel time syscalls over the scheduler's blocking wait
 * (sched_block, a deadline on the tickless timer queue). Absolute
 * REALTIME sleeps are converted to the monotonic clock, and again each
 * time clock_settime steps the wall clock (time_wall_watch); relative
 * sleeps do not move with it, as on Linux. A sleep ended early by
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

/* Threads in an absolute CLOCK_REALTIME sleep: clock_settime wakes them
 * to convert their deadline again (each entry lives on its thread's
 * stack while it sleeps). */
struct wall_sleeper {
	struct thread *t;
	struct wall_sleeper *next;
};
static struct wall_sleeper *wall_sleepers;

static void wall_stepped(struct wall_watch *w, int64_t step)
{
	(void)w;
	(void)step;
	for (struct wall_sleeper *s = wall_sleepers; s; s = s->next)
		sched_wake(s->t);
}

/* An absolute CLOCK_REALTIME sleep until wall_ns: 0 once the wall clock
 * reaches it (however it is set meanwhile), or sched_block's -EINTR. */
static long sleep_wall(uint64_t wall_ns)
{
	static struct wall_watch watch = { .fn = wall_stepped };
	struct wall_sleeper me = { .t = sched_current() }, **pp;
	long rc;

	time_wall_watch(&watch);
	for (;;) {
		uint64_t base = time_wall_base_ns(), now = time_now_ns();
		uint64_t deadline = wall_ns > base ? wall_ns - base : 0;

		if (deadline <= now)
			return 0;
		me.next = wall_sleepers;
		wall_sleepers = &me;
		rc = sched_block(deadline);
		for (pp = &wall_sleepers; *pp != &me; pp = &(*pp)->next)
			;
		*pp = me.next;
		if (rc == -ETIMEDOUT)
			return 0;
		if (rc == -EINTR)
			return rc;
		/* 0: the wall clock was set; convert again. */
	}
}

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
		if (clk == CLOCK_REALTIME)
			return sleep_wall(ns);
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
