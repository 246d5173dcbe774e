/*
 * epoll.c - epoll_create, epoll_create1, epoll_ctl, epoll_wait,
 * epoll_pwait, epoll_pwait2.
 *
 * Layer: kernel fs, a file type (uni/file.h) over wait queues (uni/
 * wait.h). Each watched (file, fd) pair is an item with one callback
 * waiter on every wait queue the file's poll op hands over; the callback
 * puts the item on the ready list and wakes the epoll's own queue (where
 * epoll_wait blocks, and where poll or an outer epoll watch it). epoll_wait
 * takes items off the ready list, asks each file for its mask now and
 * reports what is set: a level-triggered item goes back on the list, an
 * edge-triggered one waits for its next wake-up, a EPOLLONESHOT one is
 * disarmed until EPOLL_CTL_MOD. Items hold no reference on their file (as
 * Linux): file_put calls epoll_file_release when a file's last reference
 * goes, which drops its items everywhere. EPOLLEXCLUSIVE is accepted and
 * wakes every waiter (allowed: it only promises "at least one").
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/epoll.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/sched.h>
#include <uni/signal.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include <uni/uaccess.h>
#include "wait_priv.h"

#define EP_MAX_NESTS 4 /* Linux's limit on epolls inside epolls */
#define EP_MAX_EVENTS (INT_MAX / (int)sizeof(struct epoll_event))
#define EP_FLAGS (EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | EPOLLWAKEUP)
#define EP_EXCLUSIVE_OK (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | \
			 EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)
#define EP_HASH 256

struct epitem;

struct epwait {
	struct waiter w;      /* on the watched file's queue; priv: the item */
	struct epwait *next;
};

struct epitem {
	struct epoll *ep;
	struct file *f;       /* not referenced: see epoll_file_release */
	int fd;
	uint32_t events;      /* requested | EPOLLERR | EPOLLHUP; only flags
			       * left once a EPOLLONESHOT item has fired */
	uint64_t data;
	struct epitem *prev, *next;   /* ep->items */
	struct epitem *rprev, *rnext; /* ready list, when ready */
	int ready;
	struct epitem *hnext;         /* by_file bucket */
	struct epwait *waits;
};

/* Invariant: an item is on ep's ready list iff ready; the list holds
 * items that may have events, epoll_wait asks the files to be sure. */
struct epoll {
	struct waitq q;
	struct epitem *items;
	struct epitem *rhead, *rtail;
};

static const struct file_ops epoll_fops;
static struct epitem *by_file[EP_HASH]; /* every item, by watched file */
static int nitems;

static struct epitem **bucket(const struct file *f)
{
	uintptr_t h = (uintptr_t)f >> 4;

	return &by_file[(h ^ (h >> 8)) % EP_HASH];
}

static struct epitem *ep_find(struct epoll *ep, struct file *f, int fd)
{
	for (struct epitem *it = *bucket(f); it; it = it->hnext)
		if (it->ep == ep && it->f == f && it->fd == fd)
			return it;
	return NULL;
}

/* ---- the ready list ------------------------------------------------------ */

static void rl_add(struct epoll *ep, struct epitem *it)
{
	it->ready = 1;
	it->rnext = NULL;
	it->rprev = ep->rtail;
	if (ep->rtail)
		ep->rtail->rnext = it;
	else
		ep->rhead = it;
	ep->rtail = it;
}

static void rl_del(struct epoll *ep, struct epitem *it)
{
	if (!it->ready)
		return;
	if (it->rprev)
		it->rprev->rnext = it->rnext;
	else
		ep->rhead = it->rnext;
	if (it->rnext)
		it->rnext->rprev = it->rprev;
	else
		ep->rtail = it->rprev;
	it->ready = 0;
}

/* Queue it (once) and wake the epoll's waiters even if it was queued
 * already: an outer epoll watching this one is edge-triggered by them. */
static void ep_make_ready(struct epitem *it)
{
	if (!it->ready)
		rl_add(it->ep, it);
	waitq_wake(&it->ep->q, POLLIN | POLLRDNORM);
}

/* A watched file's queue was woken (maybe from an interrupt). */
static void ep_callback(struct waiter *w, uint32_t events)
{
	struct epitem *it = w->priv;

	if (!(it->events & ~EP_FLAGS))
		return; /* a EPOLLONESHOT item that has fired */
	if (events && !(events & wait_mask(it->events & ~EP_FLAGS)))
		return;
	ep_make_ready(it);
}

struct ep_pt {
	struct poll_table pt;
	struct epitem *it;
	int error;
};

static void ep_queue(struct poll_table *pt, struct file *f, struct waitq *q)
{
	struct ep_pt *ept = container_of(pt, struct ep_pt, pt);
	struct epwait *pw = kzalloc(sizeof(*pw));

	if (!pw) {
		ept->error = -ENOMEM;
		return;
	}
	pw->w.fn = ep_callback;
	pw->w.priv = ept->it;
	pw->next = ept->it->waits;
	ept->it->waits = pw;
	waitq_add(q, &pw->w);
}

static void ep_remove(struct epitem *it)
{
	struct epoll *ep = it->ep;
	struct epitem **pp = bucket(it->f);
	struct epwait *pw, *next;

	for (pw = it->waits; pw; pw = next) {
		next = pw->next;
		waitq_remove(&pw->w);
		kfree(pw);
	}
	rl_del(ep, it);
	if (it->prev)
		it->prev->next = it->next;
	else
		ep->items = it->next;
	if (it->next)
		it->next->prev = it->prev;
	while (*pp != it)
		pp = &(*pp)->hnext;
	*pp = it->hnext;
	nitems--;
	kfree(it);
}

/* file_put's hook (fs/file.c): f's last reference is going. */
void epoll_file_release(struct file *f)
{
	struct epitem *it, *next;

	if (!nitems)
		return;
	for (it = *bucket(f); it; it = next) {
		next = it->hnext;
		if (it->f == f)
			ep_remove(it);
	}
}

/* ---- the epoll file ------------------------------------------------------ */

static uint32_t ep_poll(struct file *f, struct poll_table *pt)
{
	struct epoll *ep = f->priv;

	poll_wait(f, &ep->q, pt);
	for (struct epitem *it = ep->rhead; it; it = it->rnext)
		if (file_poll(it->f, NULL) & it->events & ~EP_FLAGS)
			return POLLIN | POLLRDNORM;
	return 0;
}

static int ep_stat(struct file *f, struct stat *st)
{
	return anon_stat(st);
}

static void ep_release(struct file *f)
{
	struct epoll *ep = f->priv;

	while (ep->items)
		ep_remove(ep->items);
	KASSERT(!waitq_active(&ep->q));
	kfree(ep);
}

static const struct file_ops epoll_fops = {
	.poll = ep_poll,
	.stat = ep_stat,
	.release = ep_release,
	.stream = 1,
	.anon_name = "[eventpoll]",
};

static long do_epoll_create(int flags)
{
	struct epoll *ep;
	struct file *f;
	int fd;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	ep = kzalloc(sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	f = file_alloc(&epoll_fops, O_RDWR, NULL, ep);
	if (!f) {
		kfree(ep);
		return -ENOMEM;
	}
	fd = fd_install(f, 0, !!(flags & EPOLL_CLOEXEC));
	if (fd < 0)
		file_put(f);
	return fd;
}

SYSCALL_DEFINE1(epoll_create1, int, flags)
{
	return do_epoll_create(flags);
}

SYSCALL_DEFINE1(epoll_create, int, size)
{
	return size <= 0 ? -EINVAL : do_epoll_create(0);
}

/* ---- epoll_ctl -------------------------------------------------------------- */

/* Would watching `inner` from `outer` close a loop or nest too deep? */
static int ep_loops(struct epoll *inner, struct epoll *outer, int depth)
{
	for (struct epitem *it = inner->items; it; it = it->next) {
		struct epoll *e;

		if (it->f->ops != &epoll_fops)
			continue;
		e = it->f->priv;
		if (e == outer || depth >= EP_MAX_NESTS ||
		    ep_loops(e, outer, depth + 1))
			return 1;
	}
	return 0;
}

static long ep_add(struct epoll *ep, struct file *tf, int fd,
		   const struct epoll_event *ev)
{
	struct ep_pt ept = { .pt = { .queue = ep_queue } };
	struct epitem *it;
	uint32_t m;

	if (tf->ops == &epoll_fops && ep_loops(tf->priv, ep, 1))
		return -ELOOP;
	it = kzalloc(sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->ep = ep;
	it->f = tf;
	it->fd = fd;
	it->events = ev->events | EPOLLERR | EPOLLHUP;
	it->data = ev->data.u64;
	it->next = ep->items;
	if (ep->items)
		ep->items->prev = it;
	ep->items = it;
	it->hnext = *bucket(tf);
	*bucket(tf) = it;
	nitems++;
	ept.it = it;
	ept.pt.mask = wait_mask(it->events & ~EP_FLAGS);
	m = file_poll(tf, &ept.pt);
	if (ept.error) {
		ep_remove(it);
		return ept.error;
	}
	if (m & it->events & ~EP_FLAGS)
		ep_make_ready(it);
	return 0;
}

SYSCALL_DEFINE4(epoll_ctl, int, epfd, int, op, int, fd,
		struct epoll_event *, uev)
{
	struct epoll_event ev = { 0 };
	struct file *f, *tf = NULL;
	struct epoll *ep;
	struct epitem *it;
	long r = -EINVAL;

	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, uev, sizeof(ev)))
		return -EFAULT;
	f = fd_get(epfd);
	if (!f)
		return -EBADF;
	tf = fd_get(fd);
	if (!tf) {
		r = -EBADF;
		goto out;
	}
	/* Linux: a file without a poll op (a regular file) cannot be
	 * watched. */
	if (!tf->ops->poll || tf->ops->always_ready) {
		r = -EPERM;
		goto out;
	}
	if (f == tf || f->ops != &epoll_fops)
		goto out;
	if (op != EPOLL_CTL_DEL && (ev.events & EPOLLEXCLUSIVE) &&
	    (op == EPOLL_CTL_MOD || tf->ops == &epoll_fops ||
	     (ev.events & ~EP_EXCLUSIVE_OK)))
		goto out;
	ep = f->priv;
	it = ep_find(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		r = it ? -EEXIST : ep_add(ep, tf, fd, &ev);
		break;
	case EPOLL_CTL_DEL:
		r = -ENOENT;
		if (it) {
			ep_remove(it);
			r = 0;
		}
		break;
	case EPOLL_CTL_MOD:
		r = -ENOENT;
		if (!it)
			break;
		r = -EINVAL;
		if (it->events & EPOLLEXCLUSIVE)
			break;
		it->events = ev.events | EPOLLERR | EPOLLHUP;
		it->data = ev.data.u64;
		if (file_poll(tf, NULL) & it->events & ~EP_FLAGS)
			ep_make_ready(it);
		r = 0;
		break;
	}
out:
	if (tf)
		file_put(tf);
	file_put(f);
	return r;
}

/* ---- epoll_wait ------------------------------------------------------------- */

/* Report up to max events: a count, or -EFAULT if none could be written. */
static long ep_send(struct epoll *ep, struct epoll_event *uev, int max)
{
	struct epitem *again = NULL, **atail = &again, *it;
	long n = 0;

	while (n < max && (it = ep->rhead)) {
		struct epoll_event ev;

		rl_del(ep, it);
		ev.events = file_poll(it->f, NULL) & it->events & ~EP_FLAGS;
		if (!ev.events)
			continue;
		ev.data.u64 = it->data;
		if (copy_to_user(&uev[n], &ev, sizeof(ev))) {
			rl_add(ep, it);
			if (!n)
				n = -EFAULT;
			break;
		}
		n++;
		if (it->events & EPOLLONESHOT)
			it->events &= EP_FLAGS; /* disarmed until EPOLL_CTL_MOD */
		else if (!(it->events & EPOLLET)) {
			/* Level-triggered: still ready next time, after the
			 * others (queued once this pass is over). */
			it->rnext = NULL;
			*atail = it;
			atail = &it->rnext;
		}
	}
	while ((it = again)) {
		again = it->rnext;
		rl_add(ep, it);
	}
	return n;
}

static long ep_wait(int epfd, struct epoll_event *uev, int max,
		    uint64_t deadline, int nowait)
{
	struct file *f;
	struct epoll *ep;
	long n;

	if (max <= 0 || max > EP_MAX_EVENTS)
		return -EINVAL;
	f = fd_get(epfd);
	if (!f)
		return -EBADF;
	if (f->ops != &epoll_fops) {
		file_put(f);
		return -EINVAL;
	}
	ep = f->priv;
	for (;;) {
		int r;

		n = ep_send(ep, uev, max);
		if (n || nowait)
			break;
		if (wait_signal_pending()) {
			n = -EINTR;
			break;
		}
		r = waitq_block(&ep->q, POLLIN | POLLRDNORM, deadline);
		if (r == -EINTR) {
			n = -EINTR;
			break;
		}
		nowait = r == -ETIMEDOUT;
	}
	file_put(f);
	return n;
}

static long ep_pwait(int epfd, struct epoll_event *uev, int max,
		     uint64_t deadline, int nowait, const uint64_t *umask,
		     size_t size)
{
	long r = wait_sigmask_set(umask, size);

	if (r)
		return r;
	r = ep_wait(epfd, uev, max, deadline, nowait);
	wait_sigmask_done(r);
	return r;
}

static uint64_t ms_deadline(int ms)
{
	return ms > 0 ? wait_deadline((uint64_t)ms * 1000000) : 0;
}

SYSCALL_DEFINE4(epoll_wait, int, epfd, struct epoll_event *, uev, int, max,
		int, ms)
{
	return ep_wait(epfd, uev, max, ms_deadline(ms), ms == 0);
}

SYSCALL_DEFINE6(epoll_pwait, int, epfd, struct epoll_event *, uev, int, max,
		int, ms, const uint64_t *, umask, size_t, size)
{
	return ep_pwait(epfd, uev, max, ms_deadline(ms), ms == 0, umask, size);
}

SYSCALL_DEFINE6(epoll_pwait2, int, epfd, struct epoll_event *, uev, int, max,
		const struct timespec *, uts, const uint64_t *, umask,
		size_t, size)
{
	uint64_t deadline;
	long r = wait_timeout_ts(uts, &deadline);

	if (r)
		return r;
	return ep_pwait(epfd, uev, max, deadline,
			deadline && deadline <= time_now_ns(), umask, size);
}
