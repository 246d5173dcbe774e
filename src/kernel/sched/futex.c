/*
 * futex.c - futex(2): WAIT, WAKE, REQUEUE, CMP_REQUEUE, WAKE_OP and the
 * BITSET forms, with relative and absolute timeouts.
 *
 * Layer: kernel sched syscalls, over sched_block/sched_wake. Called by
 * musl (locks, condition variables, pthread_join) and by thread exit
 * (futex_wake on clear_child_tid). One address space, so private and
 * shared futexes are the same: the key is the word's address. A waiter
 * lives on its own (blocked) thread's stack and is linked into a hash
 * bucket; checking the value and queueing are atomic because interrupts
 * are off in the kernel and there is one CPU. An absolute
 * FUTEX_CLOCK_REALTIME wait follows clock_settime (time_wall_watch).
 *
 * Priority-inheritance futexes (LOCK_PI, TRYLOCK_PI, UNLOCK_PI; musl's
 * PTHREAD_PRIO_INHERIT mutexes): the word holds the owner's tid, with
 * FUTEX_WAITERS set while threads wait in the kernel and FUTEX_OWNER_DIED
 * kept from a dead owner. PI waiters are on a list of their own, not in
 * the buckets, so the plain futex paths do not pay for them. UNLOCK_PI
 * hands the word to the waiter of the highest level (the earliest of
 * equals), looked for at unlock time so that levels changed while waiting
 * count. An owner runs at the highest level of its own and of the
 * threads waiting for its PI futexes, transitively: when a boosted owner
 * waits itself, its new level passes to the next owner (up to
 * PI_CHAIN_MAX links). The boost is undone when the waiters leave (unlock,
 * timeout, signal). A thread that exits owning PI futexes (musl clears
 * them first at pthread_exit, see pthread_create.c) sends their waiters
 * back to read the word again: a free word is taken, OWNER_DIED kept; a
 * dead owner's tid gives ESRCH. The kernel does not walk robust lists.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <uni/kernel.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include <uni/uaccess.h>
#include "priv.h"

#define FUTEX_BUCKETS 64

/* The futex(2) ABI (Linux include/uapi/linux/futex.h). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu
#define FUTEX_OP_SET 0
#define FUTEX_OP_ADD 1
#define FUTEX_OP_OR 2
#define FUTEX_OP_ANDN 3
#define FUTEX_OP_XOR 4
#define FUTEX_OP_OPARG_SHIFT 8
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_NE 1
#define FUTEX_OP_CMP_LT 2
#define FUTEX_OP_CMP_LE 3
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP_CMP_GE 5

struct futex_waiter {
	uintptr_t addr;
	uint32_t bitset;
	int wall;    /* absolute CLOCK_REALTIME deadline: follows its steps */
	struct thread *t;
	struct futex_waiter *prev, *next; /* bucket list */
};

static struct futex_waiter *buckets[FUTEX_BUCKETS];

static struct futex_waiter **bucket(uintptr_t addr)
{
	return &buckets[(addr >> 2) * 0x9e3779b97f4a7c15ULL >> 58];
}

static void waiter_link(struct futex_waiter *w)
{
	struct futex_waiter **b = bucket(w->addr), *tail = *b;

	/* FIFO: append, so wakes go in arrival order. */
	w->next = NULL;
	if (!tail) {
		w->prev = NULL;
		*b = w;
		return;
	}
	while (tail->next)
		tail = tail->next;
	tail->next = w;
	w->prev = tail;
}

static void waiter_unlink(struct futex_waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		*bucket(w->addr) = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->prev = w->next = NULL;
	w->addr = 0;
}

int futex_wake(const void *uaddr, int n, uint32_t bitset)
{
	uintptr_t addr = (uintptr_t)uaddr;
	struct futex_waiter *w = *bucket(addr), *next;
	int woken = 0;

	for (; w && woken < n; w = next) {
		next = w->next;
		if (w->addr != addr || !(w->bitset & bitset))
			continue;
		waiter_unlink(w);
		sched_wake(w->t);
		woken++;
	}
	return woken;
}

static int requeue(uintptr_t from, uintptr_t to, int nwake, int nmove)
{
	struct futex_waiter *w = *bucket(from), *next;
	int done = 0;

	for (; w && (nwake > 0 || nmove > 0); w = next) {
		next = w->next;
		if (w->addr != from)
			continue;
		waiter_unlink(w);
		if (nwake > 0) {
			sched_wake(w->t);
			nwake--;
			done++;
		} else {
			w->addr = to;
			waiter_link(w);
			nmove--;
			done++;
		}
	}
	return done;
}

static long read_word(const uint32_t *uaddr, uint32_t *v)
{
	return copy_from_user(v, uaddr, sizeof(*v)) ? -EFAULT : 0;
}

/* A timespec into a monotonic deadline (0 = none). */
static long deadline_of(const struct timespec *uts, int absolute,
			int realtime, uint64_t *deadline)
{
	struct timespec ts;
	uint64_t ns, now = time_now_ns();

	*deadline = 0;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (!timespec_valid(&ts))
		return -EINVAL;
	if ((uint64_t)ts.tv_sec > 100ULL * 365 * 86400)
		return 0; /* centuries away: no deadline */
	ns = timespec_ns(&ts);
	if (!absolute) {
		*deadline = now + ns;
	} else if (realtime) {
		uint64_t base = time_wall_base_ns();
		*deadline = ns > base ? ns - base : 1;
	} else {
		*deadline = ns ? ns : 1;
	}
	return 0;
}

/* The waiters of the PI futexes (their code is further down). */
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
 * REALTIME deadline wake, still queued, to convert it again. */
static void wall_stepped(struct wall_watch *ww, int64_t step)
{
	(void)ww;
	(void)step;
	for (int i = 0; i < FUTEX_BUCKETS; i++)
		for (struct futex_waiter *w = buckets[i]; w; w = w->next)
			if (w->wall)
				sched_wake(w->t);
	for (struct pi_waiter *p = pi_list; p; p = p->next)
		if (p->wall && p->state == PI_WAITING)
			sched_wake(p->t);
}

static void wall_watch_start(void)
{
	static struct wall_watch watch = { .fn = wall_stepped };
	static int watching;

	if (!watching) {
		time_wall_watch(&watch);
		watching = 1;
	}
}

static long futex_wait(uint32_t *uaddr, uint32_t val,
		       const struct timespec *uts, int absolute, int realtime,
		       uint32_t bitset)
{
	struct futex_waiter w;
	uint64_t deadline, wall_ns;
	uint32_t cur;
	long rc;

	if (!bitset)
		return -EINVAL;
	rc = deadline_of(uts, absolute, realtime, &deadline);
	if (rc)
		return rc;
	if (read_word(uaddr, &cur))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	w.addr = (uintptr_t)uaddr;
	w.bitset = bitset;
	w.wall = deadline && absolute && realtime;
	w.t = sched_current();
	if (w.wall)
		wall_watch_start();
	wall_ns = deadline + time_wall_base_ns();
	waiter_link(&w);
	for (;;) {
		uint64_t base;

		rc = sched_block(deadline);
		if (rc || !w.addr || !w.wall)
			break;
		/* Woken by wall_stepped, still queued: the new deadline. */
		base = time_wall_base_ns();
		deadline = wall_ns > base ? wall_ns - base : 1;
		if (deadline <= time_now_ns()) {
			rc = -ETIMEDOUT;
			break;
		}
	}
	if (w.addr) /* timed out or interrupted: still queued */
		waiter_unlink(&w);
	else
		rc = 0; /* a wake that raced with the deadline wins */
	/* Without a timeout an interrupted wait may be re-run (SA_RESTART);
	 * with one, the caller sees EINTR (the restart would need the time
	 * left, which Linux keeps in a restart block). */
	if (rc == -EINTR && !deadline)
		rc = -ERESTARTSYS;
	return rc;
}

/* --- priority-inheritance futexes --------------------------------------- */

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

		if (read_word(uaddr, &word))
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
			wall_watch_start();
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

	if (read_word(uaddr, &word))
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

/* FUTEX_WAKE_OP's operation on *uaddr2: the old value, or -errno. */
static long wake_op_apply(uint32_t *uaddr2, uint32_t op, uint32_t *oldval)
{
	uint32_t old, val;
	uint32_t kind = (op >> 28) & 7, arg = (op >> 12) & 0xfff;

	if (op & (FUTEX_OP_OPARG_SHIFT << 28)) {
		if (arg > 31)
			return -EINVAL;
		arg = 1u << arg;
	}
	if (read_word(uaddr2, &old))
		return -EFAULT;
	switch (kind) {
	case FUTEX_OP_SET: val = arg; break;
	case FUTEX_OP_ADD: val = old + arg; break;
	case FUTEX_OP_OR: val = old | arg; break;
	case FUTEX_OP_ANDN: val = old & ~arg; break;
	case FUTEX_OP_XOR: val = old ^ arg; break;
	default: return -ENOSYS;
	}
	if (copy_to_user(uaddr2, &val, sizeof(val)))
		return -EFAULT;
	*oldval = old;
	return 0;
}

static int wake_op_cmp(uint32_t op, uint32_t oldval)
{
	int32_t a = (int32_t)oldval;
	int32_t b = (int32_t)(op & 0xfff);

	if (b & 0x800)
		b |= ~0xfff; /* the 12-bit argument is signed */
	switch ((op >> 24) & 0xf) {
	case FUTEX_OP_CMP_EQ: return a == b;
	case FUTEX_OP_CMP_NE: return a != b;
	case FUTEX_OP_CMP_LT: return a < b;
	case FUTEX_OP_CMP_LE: return a <= b;
	case FUTEX_OP_CMP_GT: return a > b;
	case FUTEX_OP_CMP_GE: return a >= b;
	default: return -ENOSYS;
	}
}

SYSCALL_DEFINE6(futex, uint32_t *, uaddr, int, op, uint32_t, val,
		const struct timespec *, uts, uint32_t *, uaddr2, uint32_t,
		val3)
{
	int cmd = op & FUTEX_CMD_MASK;
	int realtime = op & FUTEX_CLOCK_REALTIME;
	/* For the requeue and wake-op commands the fourth argument is a
	 * count, not a pointer. */
	int val2 = (int)(uintptr_t)uts;
	uint32_t cur;
	long rc;

	if ((uintptr_t)uaddr & 3)
		return -EINVAL;
	if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(uaddr, val, uts, 0, 0, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAIT_BITSET:
		return futex_wait(uaddr, val, uts, 1, realtime, val3);
	case FUTEX_WAKE:
		return futex_wake(uaddr, (int)val > 0 ? (int)val : 0,
				  FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAKE_BITSET:
		if (!val3)
			return -EINVAL;
		return futex_wake(uaddr, (int)val > 0 ? (int)val : 0, val3);
	case FUTEX_CMP_REQUEUE:
		if ((int)val < 0 || val2 < 0)
			return -EINVAL;
		if ((uintptr_t)uaddr2 & 3)
			return -EINVAL;
		if (read_word(uaddr, &cur))
			return -EFAULT;
		if (cur != val3)
			return -EAGAIN;
		return requeue((uintptr_t)uaddr, (uintptr_t)uaddr2, (int)val,
			       val2);
	case FUTEX_REQUEUE:
		if ((int)val < 0 || val2 < 0)
			return -EINVAL;
		if ((uintptr_t)uaddr2 & 3)
			return -EINVAL;
		return requeue((uintptr_t)uaddr, (uintptr_t)uaddr2, (int)val,
			       val2);
	case FUTEX_WAKE_OP: {
		uint32_t oldval;
		int n = 0, cmp;

		if ((uintptr_t)uaddr2 & 3)
			return -EINVAL;
		rc = wake_op_apply(uaddr2, val3, &oldval);
		if (rc)
			return rc;
		cmp = wake_op_cmp(val3, oldval);
		if (cmp < 0)
			return cmp;
		n = futex_wake(uaddr, (int)val > 0 ? (int)val : 0,
			       FUTEX_BITSET_MATCH_ANY);
		if (cmp)
			n += futex_wake(uaddr2, val2 > 0 ? val2 : 0,
					FUTEX_BITSET_MATCH_ANY);
		return n;
	}
	case FUTEX_LOCK_PI: {
		uint64_t deadline;

		/* The timeout is an absolute CLOCK_REALTIME time. */
		rc = deadline_of(uts, 1, 1, &deadline);
		if (rc)
			return rc;
		return futex_lock_pi(uaddr, deadline, deadline != 0, 0);
	}
	case FUTEX_TRYLOCK_PI:
		return futex_lock_pi(uaddr, 0, 0, 1);
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi(uaddr);
	default:
		return -ENOSYS; /* LOCK_PI2, the REQUEUE_PI pair among them */
	}
}
