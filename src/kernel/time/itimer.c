/*
 * itimer.c - alarm, setitimer/getitimer and the POSIX timers.
 *
 * Layer: kernel time syscalls over the scheduler's timer queue
 * (uni/sched.h: callbacks run from the timer interrupt, interrupts off)
 * and the signal layer (uni/signal.h: sig_send). ITIMER_REAL and alarm
 * share one timer that sends SIGALRM to the process; ITIMER_VIRTUAL and
 * ITIMER_PROF are EINVAL (no per-thread CPU-time accounting). POSIX timers
 * (timer_create) support CLOCK_REALTIME/MONOTONIC/BOOTTIME with
 * SIGEV_NONE, SIGEV_SIGNAL and SIGEV_THREAD_ID; musl builds SIGEV_THREAD
 * on SIGEV_THREAD_ID with a helper thread. A timer that fires while its
 * previous signal is still pending counts an overrun instead.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/time.h>
#include <time.h>
#include <uni/kernel.h>
#include <uni/sched.h>
#include <uni/signal.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include <uni/uaccess.h>

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
	int overrun;        /* expirations merged since the last signal */
	int last_overrun;   /* timer_getoverrun */
	struct timer tm;    /* deadline in monotonic ns */
};

static struct ptimer timers[NTIMERS];
static struct ptimer real_timer = {
	.used = 1, .id = -1, .notify = SIGEV_SIGNAL_K, .signo = SIGALRM,
};

static void fire(struct timer *tm)
{
	struct ptimer *p =
		(struct ptimer *)((char *)tm - offsetof(struct ptimer, tm));
	uint64_t now = time_now_ns();

	if (p->notify != SIGEV_NONE_K) {
		struct thread *t = NULL;
		struct sig_info info = {
			.code = p->id < 0 ? SI_KERNEL : SI_TIMER,
			.timerid = p->id,
			.overrun = p->overrun,
			.value = p->value,
		};
		if (p->notify == SIGEV_THREAD_ID_K)
			t = sched_find(p->tid);
		if (p->notify != SIGEV_THREAD_ID_K || t) {
			if (sig_send(t, p->signo, &info) == 0) {
				p->overrun++;
			} else {
				p->last_overrun = p->overrun;
				p->overrun = 0;
			}
		}
	}
	if (p->interval) {
		uint64_t next = tm->deadline + p->interval;
		while (next <= now) { /* missed periods are overruns */
			next += p->interval;
			p->overrun++;
		}
		timer_start(tm, next);
	}
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

	if (!armed(p))
		return 0;
	return p->tm.deadline > now ? p->tm.deadline - now : 0;
}

/* Arm p: value_ns 0 disarms; abs is a deadline on p's clock. */
static void arm(struct ptimer *p, uint64_t value_ns, uint64_t interval_ns,
		int abs)
{
	uint64_t now = time_now_ns(), deadline;

	timer_stop(&p->tm);
	p->interval = interval_ns;
	p->overrun = 0;
	if (!value_ns)
		return;
	if (abs) {
		if (p->clk == CLOCK_REALTIME) {
			uint64_t base = time_wall_base_ns();
			value_ns = value_ns > base ? value_ns - base : 0;
		}
		deadline = value_ns > now ? value_ns : now + 1;
	} else {
		deadline = now + value_ns;
	}
	p->tm.fn = fire;
	timer_start(&p->tm, deadline);
}

/* --- ITIMER_REAL and alarm ---------------------------------------------- */

static void tv_of(uint64_t ns, struct timeval *tv)
{
	tv->tv_sec = (time_t)(ns / NSEC_PER_SEC);
	tv->tv_usec = (suseconds_t)(ns % NSEC_PER_SEC / 1000);
}

static void real_get(struct itimerval *v)
{
	tv_of(remaining(&real_timer), &v->it_value);
	tv_of(real_timer.interval, &v->it_interval);
	if (armed(&real_timer) && !v->it_value.tv_sec &&
	    !v->it_value.tv_usec)
		v->it_value.tv_usec = 1; /* armed: never report 0 */
}

SYSCALL_DEFINE2(getitimer, int, which, struct itimerval *, uv)
{
	struct itimerval v;

	if (which != ITIMER_REAL)
		return -EINVAL;
	real_get(&v);
	return copy_to_user(uv, &v, sizeof(v));
}

SYSCALL_DEFINE3(setitimer, int, which, const struct itimerval *, unew,
		struct itimerval *, uold)
{
	struct itimerval nv, old;

	if (which != ITIMER_REAL)
		return -EINVAL;
	if (unew && copy_from_user(&nv, unew, sizeof(nv)))
		return -EFAULT;
	if (unew && (nv.it_value.tv_sec < 0 || nv.it_value.tv_usec < 0 ||
		     nv.it_value.tv_usec >= 1000000 ||
		     nv.it_interval.tv_sec < 0 || nv.it_interval.tv_usec < 0 ||
		     nv.it_interval.tv_usec >= 1000000))
		return -EINVAL;
	real_get(&old);
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	if (unew)
		arm(&real_timer,
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

	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC &&
	    clk != CLOCK_BOOTTIME)
		return -EINVAL;
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
	p->used = 0;
	return 0;
}
