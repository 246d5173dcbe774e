/*
 * futex_pi.c - priority-inheritance futexes: FUTEX_LOCK_PI, TRYLOCK_PI
 * and UNLOCK_PI (musl's PTHREAD_PRIO_INHERIT mutexes).
 *
 * Layer: kernel sched, beside futex.c, which calls futex_pi_op from the
 * syscall; sched.c calls futex_pi_adjust when a thread's priority changes
 * and futex_pi_thread_exit when one ends (both weak there). Linked only
 * into an image that can ask for a PI futex (futex_priv.h says how).
 *
 * The word holds the owner's tid, with FUTEX_WAITERS set while threads
 * wait in the kernel and FUTEX_OWNER_DIED kept from a dead owner. PI
 * waiters are on a list of their own, not in futex.c's buckets, so the
 * plain futex paths do not pay for them. UNLOCK_PI hands the word to the
 * waiter of the highest level (the earliest of equals), looked for at
 * unlock time so that levels changed while waiting count. An owner runs
 * at the highest level of its own and of the threads waiting for its PI
 * futexes, transitively: when a boosted owner waits itself, its new level
 * passes to the next owner (up to PI_CHAIN_MAX links). The boost is undone
 * when the waiters leave (unlock, timeout, signal). A thread that exits
 * owning PI futexes (musl clears them first at pthread_exit, see
 * pthread_create.c) sends their waiters back to read the word again: a
 * free word is taken, OWNER_DIED kept; a dead owner's tid gives ESRCH. The
 * kernel does not walk robust lists. An absolute CLOCK_REALTIME timeout
 * follows clock_settime (time_wall_watch).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <uni/kernel.h>
#include <uni/signal.h>
#include <uni/time.h>
#include <uni/uaccess.h>
#include "futex_priv.h"
#include "priv.h"

/* Named by the code that can ask for a PI futex, to link this file. */
const char uni_futex_pi = 1;

enum { PI_WAITING, PI_GOT, PI_RETRY };

/* A thread blocked in FUTEX_LOCK_PI, on its own stack. */
struct pi_waiter {
	uintptr_t addr;
	struct thread *t;
	struct thread *owner; /* the word's owner; NULL once it exited */
	int state;            /* PI_WAITING, or how it was woken */
	int wall;             /* absolute CLOCK_REALTIME deadline */
	struct pi_waiter *prev, *next; /* pi_list, arrival order */
};

static struct pi_waiter *pi_list;

/* clock_settime stepped CLOCK_REALTIME: waiters with an absolute
 * REALTIME deadline wake, still waiting, to convert it again. */
static void wall_stepped(struct wall_watch *ww, int64_t step)
{
	(void)ww;
	(void)step;
	for (struct pi_waiter *p = pi_list; p; p = p->next)
		if (p->wall && p->state == PI_WAITING)
			sched_wake(p->t);
}

static struct wall_watch wall_watch = { .fn = wall_stepped };

#define PI_CHAIN_MAX 16 /* owner links followed for boosts and EDEADLK */

static void pi_link(struct pi_waiter *w)
{
	struct pi_waiter **pp = &pi_list, *prev = NULL;

	while (*pp) {
		prev = *pp;
		pp = &prev->next;
	}
	w->prev = prev;
	w->next = NULL;
	*pp = w;
}

static void pi_unlink(struct pi_waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		pi_list = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->prev = w->next = NULL;
}

/* The waiter on addr to hand the word to: the highest level, the
 * earliest of equals; NULL if nobody waits. */
static struct pi_waiter *pi_top(uintptr_t addr)
{
	struct pi_waiter *best = NULL;

	for (struct pi_waiter *w = pi_list; w; w = w->next)
		if (w->addr == addr && (!best || w->t->prio > best->t->prio))
			best = w;
	return best;
}

void futex_pi_adjust(struct thread *t)
{
	for (int link = 0; t && link < PI_CHAIN_MAX; link++) {
		int level = t->base_prio;

		if (pi_list)
			for (struct pi_waiter *w = pi_list; w; w = w->next)
				if (w->owner == t && w->t->prio > level)
					level = w->t->prio;
		if (level == t->prio)
			return;
		sched_set_level(t, level);
		t = t->pi_wait ? t->pi_wait->owner : NULL;
	}
}

/* The waiters on addr now wait for owner (NULL: nobody); the levels of
 * the old owners and of the new one follow. */
static void pi_set_owner(uintptr_t addr, struct thread *owner)
{
	for (struct pi_waiter *w = pi_list; w; w = w->next) {
		struct thread *old;

		if (w->addr != addr || w->owner == owner)
			continue;
		old = w->owner;
		w->owner = owner;
		futex_pi_adjust(old);
	}
	futex_pi_adjust(owner);
}

/* Does owner wait, directly or along a chain, for t? */
static int pi_chain_reaches(struct thread *owner, struct thread *t)
{
	for (int link = 0; owner && link < PI_CHAIN_MAX; link++) {
		if (owner == t)
			return 1;
		owner = owner->pi_wait ? owner->pi_wait->owner : NULL;
	}
	return 0;
}

void futex_pi_thread_exit(struct thread *t)
{
	for (struct pi_waiter *w = pi_list; w; w = w->next) {
		if (w->owner != t)
			continue;
		w->owner = NULL;
		if (w->state == PI_WAITING) {
			w->state = PI_RETRY;
			sched_wake(w->t);
		}
	}
}

static long write_word(uint32_t *uaddr, uint32_t v)
{
	return copy_to_user(uaddr, &v, sizeof(v)) ? -EFAULT : 0;
}

static int pi_waiters(uintptr_t addr)
{
	int n = 0;

	for (struct pi_waiter *w = pi_list; w; w = w->next)
		n += w->addr == addr;
	return n;
}

/* FUTEX_LOCK_PI (deadline: monotonic ns, 0 = none; wall: it came from an
 * absolute CLOCK_REALTIME time) and FUTEX_TRYLOCK_PI (try). */
static long futex_lock_pi(uint32_t *uaddr, uint64_t deadline, int wall,
			  int try)
{
	struct thread *self = sched_current();
	uintptr_t addr = (uintptr_t)uaddr;
	uint64_t wall_ns = deadline + time_wall_base_ns();
	struct pi_waiter w;
	uint32_t word;
	long rc;

	for (;;) {
		struct thread *owner;
		uint32_t tid;

		if (futex_read_word(uaddr, &word))
			return -EFAULT;
		tid = word & FUTEX_TID_MASK;
		if (tid == (uint32_t)sched_tid(self))
			return -EDEADLK;
		if (!tid) {
			/* Free (or its owner died): take it. */
			int waited = pi_waiters(addr) > 0;

			word = (word & FUTEX_OWNER_DIED) |
			       (uint32_t)sched_tid(self) |
			       (waited ? FUTEX_WAITERS : 0);
			if (write_word(uaddr, word))
				return -EFAULT;
			if (waited)
				pi_set_owner(addr, self);
			return 0;
		}
		owner = sched_find((int)tid);
		if (!owner)
			return -ESRCH;
		if (try)
			return -EAGAIN;
		if (pi_chain_reaches(owner, self))
			return -EDEADLK;
		if (!(word & FUTEX_WAITERS) &&
		    write_word(uaddr, word | FUTEX_WAITERS))
			return -EFAULT;

		w.addr = addr;
		w.t = self;
		w.owner = NULL;
		w.state = PI_WAITING;
		w.wall = wall;
		if (wall)
			time_wall_watch(&wall_watch);
		pi_link(&w);
		self->pi_wait = &w;
		pi_set_owner(addr, owner);
		for (;;) {
			uint64_t base;

			rc = sched_block(deadline);
			if (rc || w.state != PI_WAITING)
				break;
			if (!w.wall)
				continue; /* nobody else wakes it: wait on */
			/* Woken by a clock step, still waiting: the new
			 * deadline. */
			base = time_wall_base_ns();
			deadline = wall_ns > base ? wall_ns - base : 1;
			if (deadline <= time_now_ns()) {
				rc = -ETIMEDOUT;
				break;
			}
		}
		self->pi_wait = NULL;
		if (w.state == PI_GOT)
			return 0; /* handed over: wins over a timeout */
		pi_unlink(&w);
		futex_pi_adjust(w.owner);
		if (w.state == PI_RETRY)
			continue;
		/* Linux restarts an interrupted LOCK_PI; the deadline is
		 * absolute, so a re-run keeps it. */
		return rc == -EINTR ? -ERESTARTSYS : rc;
	}
}

static long futex_unlock_pi(uint32_t *uaddr)
{
	struct thread *self = sched_current();
	uintptr_t addr = (uintptr_t)uaddr;
	struct pi_waiter *top;
	struct thread *next;
	uint32_t word;

	if (futex_read_word(uaddr, &word))
		return -EFAULT;
	if ((word & FUTEX_TID_MASK) != (uint32_t)sched_tid(self))
		return -EPERM;
	top = pi_top(addr);
	if (!top)
		return write_word(uaddr, 0);
	next = top->t;
	word = (uint32_t)sched_tid(next) |
	       (pi_waiters(addr) > 1 ? FUTEX_WAITERS : 0);
	if (write_word(uaddr, word))
		return -EFAULT;
	pi_unlink(top);
	top->state = PI_GOT;
	next->pi_wait = NULL;
	pi_set_owner(addr, next); /* the others wait for next now */
	futex_pi_adjust(self);    /* its boost from them is gone */
	sched_wake(next);
	return 0;
}

long futex_pi_op(int cmd, uint32_t *uaddr, const struct timespec *uts)
{
	uint64_t deadline;
	long rc;

	switch (cmd) {
	case FUTEX_LOCK_PI:
		/* The timeout is an absolute CLOCK_REALTIME time. */
		rc = futex_deadline(uts, 1, 1, &deadline);
		if (rc)
			return rc;
		return futex_lock_pi(uaddr, deadline, deadline != 0, 0);
	case FUTEX_TRYLOCK_PI:
		return futex_lock_pi(uaddr, 0, 0, 1);
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi(uaddr);
	default:
		return -ENOSYS;
	}
}
