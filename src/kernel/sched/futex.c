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
 * The priority-inheritance operations are in futex_pi.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <uni/kernel.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include <uni/uaccess.h>
#include "futex_priv.h"
#include "priv.h"

#define FUTEX_BUCKETS 64

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

long futex_read_word(const uint32_t *uaddr, uint32_t *v)
{
	return copy_from_user(v, uaddr, sizeof(*v)) ? -EFAULT : 0;
}

long futex_deadline(const struct timespec *uts, int absolute,
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
}

static struct wall_watch wall_watch = { .fn = wall_stepped };

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
	rc = futex_deadline(uts, absolute, realtime, &deadline);
	if (rc)
		return rc;
	if (futex_read_word(uaddr, &cur))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	w.addr = (uintptr_t)uaddr;
	w.bitset = bitset;
	w.wall = deadline && absolute && realtime;
	w.t = sched_current();
	if (w.wall)
		time_wall_watch(&wall_watch);
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
	if (futex_read_word(uaddr2, &old))
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
		if (futex_read_word(uaddr, &cur))
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
	case FUTEX_LOCK_PI:
	case FUTEX_TRYLOCK_PI:
	case FUTEX_UNLOCK_PI:
		/* futex_pi.c, linked when musl's PTHREAD_PRIO_INHERIT or the
		 * syscall table can reach it (see futex_priv.h) */
		return futex_pi_op ? futex_pi_op(cmd, uaddr, uts) : -ENOSYS;
	default:
		return -ENOSYS; /* LOCK_PI2, the REQUEUE_PI pair among them */
	}
}
