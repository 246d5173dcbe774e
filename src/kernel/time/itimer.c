/*
 * itimer.c - alarm, setitimer/getitimer and the POSIX timers.
 *
 * Layer: kernel time syscalls over the scheduler's timer queue
 * (uni/sched.h: callbacks run from the timer interrupt, interrupts off)
 * and the signal layer (uni/signal.h: sig_send). ITIMER_REAL and alarm
 * share one timer that sends SIGALRM to the process; ITIMER_VIRTUAL and
 * ITIMER_PROF count process CPU time. POSIX timers (timer_create) support
 * CLOCK_REALTIME/MONOTONIC/BOOTTIME and the CPU-time clocks
 * (uni/cpuclock.h, checked on the monotonic clock) with SIGEV_NONE,
 * SIGEV_SIGNAL and SIGEV_THREAD_ID; musl builds SIGEV_THREAD on
 * SIGEV_THREAD_ID with a helper thread. An absolute REALTIME timer follows
 * clock_settime (time_wall_watch). A timer that fires while its previous
 * signal is still pending counts an overrun instead (a periodic one rests
 * until then, as on Linux); the signal layer calls ptimer_delivered() when
 * that signal is delivered, accepted or dropped, which fixes si_overrun
 * and timer_getoverrun's value.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <sys/time.h>
#include <time.h>
#include <uni/cpuclock.h>
#include <uni/kernel.h>
#include <uni/sched.h>
#include <uni/signal.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include <uni/uaccess.h>
#include "../signal/priv.h"

#define NTIMERS 32
#define TIMER_ABSTIME_FLAG 1
#define SIGEV_SIGNAL_K 0
#define SIGEV_NONE_K 1
#define SIGEV_THREAD_ID_K 4

struct ksigevent {
	uint64_t value;
	int signo;
	int notify;
	int tid;
};

struct ptimer {
	int used;
	int id;
	clockid_t clk;
	int notify, signo, tid;
	uint64_t value;
	uint64_t interval;  /* ns, 0: one-shot */
	int cpu;            /* a CPU-time clock: */
	int cpu_tid;        /*   its thread, 0 for the process */
	uint64_t cpu_deadline; /* CPU ns at which it expires */
	int wall;           /* absolute on CLOCK_REALTIME: follows its steps */
	int queued;         /* its signal is pending (POSIX timers) */
	int stalled;        /* periodic, resting until that signal goes */
	int overrun;        /* expirations since that signal was sent */
	int last_overrun;   /* timer_getoverrun: overrun at its delivery */
	struct timer tm;    /* deadline in monotonic ns */
};

static struct ptimer timers[NTIMERS];
static struct ptimer real_timer = {
	.used = 1, .id = -1, .notify = SIGEV_SIGNAL_K, .signo = SIGALRM,
};

/* Overruns saturate at DELAYTIMER_MAX (INT_MAX, as Linux). */
static void overrun_add(struct ptimer *p, uint64_t n)
{
	uint64_t v = (uint64_t)p->overrun + n;

	p->overrun = v > INT_MAX ? INT_MAX : (int)v;
}

/* An expiration: the signal, or an overrun while it is still pending. */
static void notify(struct ptimer *p)
{
	struct thread *t = NULL;
	struct sig_info info = {
		.code = p->id < 0 ? SI_KERNEL : SI_TIMER,
		.timerid = p->id,
		.overrun = p->overrun,
		.value = p->value,
	};

	if (p->notify == SIGEV_NONE_K)
		return;
	if (p->notify == SIGEV_THREAD_ID_K)
		t = sched_find(p->tid);
	if (p->id < 0) {
		sig_send(NULL, p->signo, &info); /* SIGALRM merges */
	} else if (p->queued) {
		overrun_add(p, 1); /* still pending: no second one */
	} else if (p->notify != SIGEV_THREAD_ID_K || t) {
		/* ptimer_delivered() clears it, also for a signal dropped at
		 * once (ignored). */
		p->queued = 1;
		p->overrun = 0;
		sig_send(t, p->signo, &info);
	}
}

/* Periods of interval between deadline and now (now >= deadline), the
 * one ending at deadline included: the expirations to account. */
static uint64_t periods(uint64_t deadline, uint64_t now, uint64_t interval)
{
	return (now - deadline) / interval + 1;
}

/* The first period end of p after now, from its last expiry (tm's
 * deadline); the periods skipped on the way, with now - deadline >=
 * interval, go in *skipped (if not NULL). */
static uint64_t next_after_n(const struct ptimer *p, uint64_t now,
			     uint64_t *skipped)
{
	uint64_t next = p->tm.deadline + p->interval, n = 0;

	if (next <= now) {
		n = periods(next, now, p->interval);
		next += n * p->interval;
	}
	if (skipped)
		*skipped = n;
	return next;
}

static uint64_t next_after(const struct ptimer *p, uint64_t now)
{
	return next_after_n(p, now, NULL);
}

static void fire(struct timer *tm)
{
	struct ptimer *p =
		(struct ptimer *)((char *)tm - offsetof(struct ptimer, tm));
	uint64_t now = time_now_ns();

	notify(p);
	if (!p->interval)
		return;
	if (p->queued) {
		/* As Linux: a periodic timer whose signal is pending rests
		 * until it is delivered (ptimer_delivered counts the periods
		 * in between as overruns), however short its interval. */
		p->stalled = 1;
		return;
	}
	timer_start(tm, next_after(p, now));
}

/* CPU time used by a CPU-time timer's clock; 0 (and *used unset) when
 * its thread is gone, which stops the timer. */
static int cpu_used(const struct ptimer *p, uint64_t *used)
{
	struct thread *t = NULL;

	if (p->cpu_tid && !(t = sched_find(p->cpu_tid)))
		return 0;
	*used = cpuclock_ns(t);
	return 1;
}

/* A CPU-time timer is checked on the monotonic clock: the CPU time it
 * waits for cannot come sooner than that much real time (one CPU), so
 * the check runs when the rest could at the earliest be used up, and
 * again for what is left until it is. */
static void cpu_check(struct timer *tm)
{
	struct ptimer *p =
		(struct ptimer *)((char *)tm - offsetof(struct ptimer, tm));
	uint64_t used, missed;

	if (!cpu_used(p, &used))
		return;
	if (used >= p->cpu_deadline) {
		notify(p);
		if (!p->interval)
			return;
		missed = periods(p->cpu_deadline, used, p->interval);
		p->cpu_deadline += missed * p->interval;
		if (p->queued && missed > 1)
			overrun_add(p, missed - 1);
	}
	timer_start(tm, time_now_ns() + (p->cpu_deadline - used));
}

int ptimer_delivered(int timerid, int dropped)
{
	struct ptimer *p = timerid >= 0 && timerid < NTIMERS &&
				   timers[timerid].used ? &timers[timerid] : NULL;
	int n;

	if (!p || !p->queued)
		return 0;
	p->queued = 0;
	if (p->stalled) { /* resume the period, the ones gone by are overruns */
		uint64_t skipped, next = next_after_n(p, time_now_ns(), &skipped);

		p->stalled = 0;
		overrun_add(p, skipped);
		timer_start(&p->tm, next);
	}
	n = p->overrun;
	p->overrun = 0;
	if (dropped)
		return 0; /* timer_getoverrun keeps the last delivery's */
	p->last_overrun = n;
	return n;
}

static struct timespec ns_ts(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / NSEC_PER_SEC),
		.tv_nsec = (long)(ns % NSEC_PER_SEC),
	};
	return ts;
}

/* A queued timer has a non-NULL prev (sched/timer.c). */
static int armed(const struct ptimer *p)
{
	return p->tm.prev != NULL;
}

static uint64_t remaining(const struct ptimer *p)
{
	uint64_t now = time_now_ns();

	if (p->stalled)
		return next_after(p, now) - now;
	if (!armed(p))
		return 0;
	if (p->cpu) {
		if (!cpu_used(p, &now))
			return 0;
		return p->cpu_deadline > now ? p->cpu_deadline - now : 0;
	}
	return p->tm.deadline > now ? p->tm.deadline - now : 0;
}

/* clock_settime moved CLOCK_REALTIME by step: an absolute REALTIME timer
 * keeps its wall-clock deadline (one now in the past expires at once), a
 * relative one keeps its monotonic one, as on Linux. */
static void wall_stepped(struct wall_watch *w, int64_t step)
{
	uint64_t now = time_now_ns();

	(void)w;
	for (int i = 0; i < NTIMERS; i++) {
		struct ptimer *p = &timers[i];
		uint64_t d;

		if (!p->used || !p->wall)
			continue;
		d = p->tm.deadline;
		if (p->stalled) { /* its last expiry, the base of the next */
			if (step >= 0)
				d = d > (uint64_t)step ? d - (uint64_t)step : 0;
			else
				d += (uint64_t)-step;
			p->tm.deadline = d;
			continue;
		}
		if (!armed(p))
			continue;
		if (step >= 0)
			d = d > now + (uint64_t)step ? d - (uint64_t)step : now + 1;
		else
			d += (uint64_t)-step;
		timer_stop(&p->tm);
		timer_start(&p->tm, d);
	}
}

/* Arm p: value_ns 0 disarms; abs is a deadline on p's clock. */
static void arm(struct ptimer *p, uint64_t value_ns, uint64_t interval_ns,
		int abs)
{
	static struct wall_watch watch = { .fn = wall_stepped };
	uint64_t now = time_now_ns(), deadline;

	timer_stop(&p->tm);
	p->stalled = 0;
	p->interval = interval_ns;
	p->last_overrun = 0; /* as Linux's timer_settime */
	p->wall = 0;
	if (!value_ns)
		return;
	if (p->cpu) {
		uint64_t used;

		if (!cpu_used(p, &used))
			return;
		p->cpu_deadline = abs ? value_ns : used + value_ns;
		p->tm.fn = cpu_check;
		timer_start(&p->tm, now + (p->cpu_deadline > used ?
					   p->cpu_deadline - used : 0));
		return;
	}
	if (abs) {
		if (p->clk == CLOCK_REALTIME) {
			uint64_t base = time_wall_base_ns();
			value_ns = value_ns > base ? value_ns - base : 0;
			p->wall = 1;
			time_wall_watch(&watch);
		}
		deadline = value_ns > now ? value_ns : now + 1;
	} else {
		deadline = now + value_ns;
	}
	p->tm.fn = fire;
	timer_start(&p->tm, deadline);
}

/* --- setitimer/getitimer and alarm -------------------------------------- */

/* ITIMER_VIRTUAL (user time, SIGVTALRM) and ITIMER_PROF (user and system
 * time, SIGPROF) both count the process's CPU time: kernel and program
 * time are not told apart (as in clock_gettime's CPU-time clocks). */
static struct ptimer cpu_itimers[2] = {
	{ .used = 1, .id = -1, .notify = SIGEV_SIGNAL_K, .signo = SIGVTALRM,
	  .cpu = 1 },
	{ .used = 1, .id = -1, .notify = SIGEV_SIGNAL_K, .signo = SIGPROF,
	  .cpu = 1 },
};

static struct ptimer *itimer_of(int which)
{
	switch (which) {
	case ITIMER_REAL: return &real_timer;
	case ITIMER_VIRTUAL: return &cpu_itimers[0];
	case ITIMER_PROF: return &cpu_itimers[1];
	default: return NULL;
	}
}

static void tv_of(uint64_t ns, struct timeval *tv)
{
	tv->tv_sec = (time_t)(ns / NSEC_PER_SEC);
	tv->tv_usec = (suseconds_t)(ns % NSEC_PER_SEC / 1000);
}

static void itimer_get(const struct ptimer *p, struct itimerval *v)
{
	tv_of(remaining(p), &v->it_value);
	tv_of(p->interval, &v->it_interval);
	if (armed(p) && !v->it_value.tv_sec && !v->it_value.tv_usec)
		v->it_value.tv_usec = 1; /* armed: never report 0 */
}

SYSCALL_DEFINE2(getitimer, int, which, struct itimerval *, uv)
{
	struct ptimer *p = itimer_of(which);
	struct itimerval v;

	if (!p)
		return -EINVAL;
	itimer_get(p, &v);
	return copy_to_user(uv, &v, sizeof(v));
}

SYSCALL_DEFINE3(setitimer, int, which, const struct itimerval *, unew,
		struct itimerval *, uold)
{
	struct ptimer *p = itimer_of(which);
	struct itimerval nv, old;

	if (!p)
		return -EINVAL;
	if (unew && copy_from_user(&nv, unew, sizeof(nv)))
		return -EFAULT;
	if (unew && (nv.it_value.tv_sec < 0 || nv.it_value.tv_usec < 0 ||
		     nv.it_value.tv_usec >= 1000000 ||
		     nv.it_interval.tv_sec < 0 || nv.it_interval.tv_usec < 0 ||
		     nv.it_interval.tv_usec >= 1000000))
		return -EINVAL;
	itimer_get(p, &old);
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	if (unew)
		arm(p,
		    (uint64_t)nv.it_value.tv_sec * NSEC_PER_SEC +
			    (uint64_t)nv.it_value.tv_usec * 1000,
		    (uint64_t)nv.it_interval.tv_sec * NSEC_PER_SEC +
			    (uint64_t)nv.it_interval.tv_usec * 1000,
		    0);
	return 0;
}

SYSCALL_DEFINE1(alarm, unsigned int, seconds)
{
	uint64_t left = remaining(&real_timer);
	long ret = (long)(left / NSEC_PER_SEC);

	/* As Linux: round to the nearest second, and an armed alarm never
	 * reports 0. */
	if (left % NSEC_PER_SEC >= NSEC_PER_SEC / 2 || (left && !ret))
		ret++;
	arm(&real_timer, (uint64_t)seconds * NSEC_PER_SEC, 0, 0);
	return ret;
}

/* --- POSIX timers -------------------------------------------------------- */

static struct ptimer *timer_of(int id)
{
	if (id < 0 || id >= NTIMERS || !timers[id].used)
		return NULL;
	return &timers[id];
}

SYSCALL_DEFINE3(timer_create, clockid_t, clk, const struct ksigevent *, uev,
		int *, uid)
{
	struct ksigevent ev;
	struct ptimer *p = NULL;
	int id;

	struct thread *ct = NULL;
	int cpu = 0;

	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC &&
	    clk != CLOCK_BOOTTIME) {
		if (cpuclock_lookup(clk, &ct))
			return -EINVAL;
		cpu = 1;
	}
	for (id = 0; id < NTIMERS; id++)
		if (!timers[id].used) {
			p = &timers[id];
			break;
		}
	if (!p)
		return -EAGAIN;
	if (uev) {
		if (copy_from_user(&ev, uev, sizeof(ev)))
			return -EFAULT;
	} else {
		ev.notify = SIGEV_SIGNAL_K;
		ev.signo = SIGALRM;
		ev.value = (uint64_t)id;
		ev.tid = 0;
	}
	switch (ev.notify) {
	case SIGEV_NONE_K:
		break;
	case SIGEV_THREAD_ID_K:
		if (!sched_find(ev.tid))
			return -EINVAL;
		/* fall through */
	case SIGEV_SIGNAL_K:
		if (ev.signo < 1 || ev.signo > 64)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (copy_to_user(uid, &id, sizeof(id)))
		return -EFAULT;
	*p = (struct ptimer){
		.used = 1, .id = id, .clk = clk, .notify = ev.notify,
		.signo = ev.signo, .tid = ev.tid, .value = ev.value,
		.cpu = cpu, .cpu_tid = ct ? sched_tid(ct) : 0,
	};
	return 0;
}

static void get_spec(const struct ptimer *p, struct itimerspec *s)
{
	s->it_value = ns_ts(remaining(p));
	if (armed(p) && !s->it_value.tv_sec && !s->it_value.tv_nsec)
		s->it_value.tv_nsec = 1;
	s->it_interval = ns_ts(p->interval);
}

SYSCALL_DEFINE4(timer_settime, int, id, int, flags,
		const struct itimerspec *, unew, struct itimerspec *, uold)
{
	struct ptimer *p = timer_of(id);
	struct itimerspec nv, old;

	if (!p)
		return -EINVAL;
	if (copy_from_user(&nv, unew, sizeof(nv)))
		return -EFAULT;
	if (!timespec_valid(&nv.it_value) || !timespec_valid(&nv.it_interval))
		return -EINVAL;
	get_spec(p, &old);
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	arm(p, timespec_ns(&nv.it_value), timespec_ns(&nv.it_interval),
	    flags & TIMER_ABSTIME_FLAG);
	return 0;
}

SYSCALL_DEFINE2(timer_gettime, int, id, struct itimerspec *, ucur)
{
	struct ptimer *p = timer_of(id);
	struct itimerspec cur;

	if (!p)
		return -EINVAL;
	get_spec(p, &cur);
	return copy_to_user(ucur, &cur, sizeof(cur));
}

SYSCALL_DEFINE1(timer_getoverrun, int, id)
{
	struct ptimer *p = timer_of(id);

	return p ? p->last_overrun : -EINVAL;
}

SYSCALL_DEFINE1(timer_delete, int, id)
{
	struct ptimer *p = timer_of(id);

	if (!p)
		return -EINVAL;
	timer_stop(&p->tm);
	/* Its pending signal goes with it (as on Linux). */
	if (p->queued && sig_drop_timer)
		sig_drop_timer(id);
	p->used = 0;
	return 0;
}
