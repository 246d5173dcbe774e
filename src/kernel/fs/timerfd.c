/*
 * timerfd.c - timerfd_create, timerfd_settime, timerfd_gettime.
 *
 * Layer: kernel fs, a file type (uni/file.h) over the scheduler's timer
 * queue (uni/sched.h). The timer callback runs from the timer interrupt:
 * it counts the expiration (and any periods missed), re-arms an interval
 * timer and wakes the file's wait queue. A read returns the expirations
 * since the last read as a uint64 and resets the count. CLOCK_BOOTTIME is
 * CLOCK_MONOTONIC (nothing suspends); a CLOCK_REALTIME absolute time is
 * turned into a monotonic deadline with the wall clock's base, which
 * never moves (there is no clock_settime), so TFD_TIMER_CANCEL_ON_SET is
 * accepted and never fires.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <uni/file.h>
#include <uni/kmalloc.h>
#include <uni/sched.h>
#include <uni/signal.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include <uni/uaccess.h>
#include "wait_priv.h"

struct tfd {
	struct timer tm;      /* queued when armed (see tfd_arm) */
	struct waitq q;
	int clk;
	int armed;
	int64_t deadline;     /* next expiration, monotonic ns, when armed */
	uint64_t ticks;       /* expirations not read yet */
	uint64_t interval;    /* ns, 0: one-shot */
};

static const struct file_ops timerfd_fops;

/* Arm t for the monotonic deadline d, which may lie in the past (even
 * before boot, for an old CLOCK_REALTIME time): what is due by now is
 * counted at once, periods missed included, and an interval timer is
 * queued for its next period. The timer interrupt comes back here. */
static void tfd_arm(struct tfd *t, int64_t d)
{
	int64_t now = (int64_t)time_now_ns();

	if (d <= now) {
		uint64_t n = 1;

		if (t->interval)
			n += (uint64_t)(now - d) / t->interval;
		t->ticks += n;
		waitq_wake(&t->q, POLLIN | POLLRDNORM);
		if (!t->interval) {
			t->armed = 0;
			return;
		}
		d += (int64_t)(n * t->interval);
	}
	t->armed = 1;
	t->deadline = d;
	/* Further than WAIT_FOREVER_NS: armed (gettime shows it), but no
	 * uptime reaches it, and the timer hardware cannot count that far. */
	if (d - now < (int64_t)WAIT_FOREVER_NS)
		timer_start(&t->tm, (uint64_t)d);
}

static void tfd_fire(struct timer *tm)
{
	struct tfd *t = container_of(tm, struct tfd, tm);

	tfd_arm(t, t->deadline);
}

static long tfd_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct tfd *t = f->priv;
	uint64_t v;

	if (it->count < sizeof(v))
		return -EINVAL;
	while (!t->ticks) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (waitq_block(&t->q, POLLIN, 0))
			return -ERESTARTSYS;
	}
	v = t->ticks;
	if (iter_copy_to(it, &v, sizeof(v)) != sizeof(v))
		return -EFAULT;
	t->ticks = 0;
	return sizeof(v);
}

static uint32_t tfd_poll(struct file *f, struct poll_table *pt)
{
	struct tfd *t = f->priv;

	poll_wait(f, &t->q, pt);
	return t->ticks ? POLLIN | POLLRDNORM : 0;
}

static int tfd_stat(struct file *f, struct stat *st)
{
	return anon_stat(st);
}

static void tfd_release(struct file *f)
{
	struct tfd *t = f->priv;

	timer_stop(&t->tm);
	kfree(t);
}

static const struct file_ops timerfd_fops = {
	.read = tfd_read,
	.poll = tfd_poll,
	.stat = tfd_stat,
	.release = tfd_release,
	.stream = 1,
	.anon_name = "[timerfd]",
};

SYSCALL_DEFINE2(timerfd_create, int, clk, int, flags)
{
	struct tfd *t;
	struct file *f;
	int fd;

	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC &&
	    clk != CLOCK_BOOTTIME)
		return -EINVAL;
	t = kzalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->clk = clk;
	t->tm.fn = tfd_fire;
	f = file_alloc(&timerfd_fops, O_RDWR | (flags & TFD_NONBLOCK), NULL, t);
	if (!f) {
		kfree(t);
		return -ENOMEM;
	}
	fd = fd_install(f, 0, !!(flags & TFD_CLOEXEC));
	if (fd < 0)
		file_put(f);
	return fd;
}

static struct timespec ns_ts(uint64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / NSEC_PER_SEC),
				  .tv_nsec = (long)(ns % NSEC_PER_SEC) };
}

static int ts_ns(const struct timespec *ts, uint64_t *ns)
{
	if (!timespec_valid(ts))
		return -EINVAL;
	/* 2^62 ns (past 2116 as a wall time) keeps tfd_arm's int64
	 * arithmetic from overflowing. */
	if ((uint64_t)ts->tv_sec >= (1ULL << 62) / NSEC_PER_SEC)
		*ns = 1ULL << 62;
	else
		*ns = timespec_ns(ts);
	return 0;
}

static void tfd_get(struct tfd *t, struct itimerspec *cur)
{
	int64_t now = (int64_t)time_now_ns();
	uint64_t left = 0;

	if (t->armed)
		left = t->deadline > now ? (uint64_t)(t->deadline - now) : 1;
	cur->it_value = ns_ts(left);
	cur->it_interval = ns_ts(t->interval);
}

static struct tfd *tfd_of(int fd, struct file **fp)
{
	struct file *f = fd_get(fd);

	*fp = f;
	if (!f)
		return NULL;
	return f->ops == &timerfd_fops ? f->priv : NULL;
}

SYSCALL_DEFINE4(timerfd_settime, int, fd, int, flags,
		const struct itimerspec *, unew, struct itimerspec *, uold)
{
	struct itimerspec nv, old;
	uint64_t value, interval;
	struct file *f;
	struct tfd *t;
	long r = 0;

	if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	if (copy_from_user(&nv, unew, sizeof(nv)))
		return -EFAULT;
	if (ts_ns(&nv.it_value, &value) || ts_ns(&nv.it_interval, &interval))
		return -EINVAL;
	t = tfd_of(fd, &f);
	if (!t) {
		r = f ? -EINVAL : -EBADF;
		goto out;
	}
	tfd_get(t, &old);
	timer_stop(&t->tm);
	t->armed = 0;
	t->ticks = 0;
	t->interval = interval;
	if (value) {
		int64_t d = (int64_t)value;

		if (!(flags & TFD_TIMER_ABSTIME))
			d += (int64_t)time_now_ns();
		else if (t->clk == CLOCK_REALTIME)
			d -= (int64_t)time_wall_base_ns();
		tfd_arm(t, d);
	}
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		r = -EFAULT;
out:
	if (f)
		file_put(f);
	return r;
}

SYSCALL_DEFINE2(timerfd_gettime, int, fd, struct itimerspec *, ucur)
{
	struct itimerspec cur;
	struct file *f;
	struct tfd *t = tfd_of(fd, &f);
	long r;

	if (!t) {
		r = f ? -EINVAL : -EBADF;
	} else {
		tfd_get(t, &cur);
		r = copy_to_user(ucur, &cur, sizeof(cur));
	}
	if (f)
		file_put(f);
	return r;
}
