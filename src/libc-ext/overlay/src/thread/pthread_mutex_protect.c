/*
 * pthread_mutex_protect.c - the priority ceiling of PTHREAD_PRIO_PROTECT
 * mutexes (POSIX 2.9.4, option _POSIX_THREAD_PRIO_PROTECT), which musl
 * 1.2.3 does not have. Layer: libc (musl overlay, see
 * src/libc-ext/README.md); called by pthread_mutex_{lock,trylock,
 * timedlock,unlock} (patches/0004) around the lock itself.
 *
 * A thread that owns PROTECT mutexes runs at the higher of its own
 * priority and the highest of their ceilings. The set it owns needs no
 * record of its own: musl links every mutex that leaves the fast path,
 * PROTECT ones included, on the owner's robust_list, so the level is
 * recomputed from that list after each lock attempt and each unlock, in
 * any order and at any depth. Per thread, struct pthread keeps the level
 * applied (pp_level, 0 for none) and the policy and priority the thread
 * had before its first ceiling (pp_policy, pp_prio), restored when it
 * releases the last one.
 *
 * Ceilings are SCHED_FIFO priorities. A thread under SCHED_OTHER (or
 * BATCH, IDLE) has no priority on that scale, so it runs as SCHED_FIFO
 * at the ceiling while it owns the mutex; SCHED_FIFO and SCHED_RR keep
 * their policy. The level is raised before the lock is tried, so the
 * thread never owns the mutex below its ceiling.
 */
#include <stddef.h>
#include "pthread_impl.h"
#include "syscall.h"

#define RESET_ON_FORK 0x40000000

static int realtime(int policy)
{
	policy &= ~RESET_ON_FORK;
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

/* The ceiling a mutex applies: its own, or the lowest FIFO priority. */
int __pthread_mutex_ceiling(const pthread_mutex_t *m)
{
	return m->_m_ceiling ? m->_m_ceiling :
		__syscall(SYS_sched_get_priority_min, SCHED_FIFO);
}

/* The thread's own scheduling, not raised by any ceiling. */
static int own_sched(pthread_t self, int *policy, int *prio)
{
	struct sched_param sp;
	int r;

	if (self->pp_level) {
		*policy = self->pp_policy;
		*prio = self->pp_prio;
		return 0;
	}
	r = __syscall(SYS_sched_getscheduler, self->tid);
	if (r < 0)
		return -r;
	*policy = r;
	r = __syscall(SYS_sched_getparam, self->tid, &sp);
	if (r < 0)
		return -r;
	*prio = realtime(*policy) ? sp.sched_priority : 0;
	return 0;
}

/* What the thread runs at for a level: its own scheduling, or FIFO (its
 * own RR) at the level when that is higher. */
static void effective(pthread_t self, int level, int *policy, int *prio)
{
	*policy = self->pp_policy;
	*prio = self->pp_prio;
	if (level > *prio) {
		if (!realtime(*policy))
			*policy = SCHED_FIFO | (*policy & RESET_ON_FORK);
		*prio = level;
	}
}

static int apply(pthread_t self, int level)
{
	int policy, prio, old_policy, old_prio, r;

	if (level == self->pp_level)
		return 0;
	if (!self->pp_level) {
		r = own_sched(self, &self->pp_policy, &self->pp_prio);
		if (r)
			return r;
	}
	effective(self, self->pp_level, &old_policy, &old_prio);
	effective(self, level, &policy, &prio);
	if (policy != old_policy || prio != old_prio) {
		r = __syscall(SYS_sched_setscheduler, self->tid, policy,
			      &(struct sched_param){ .sched_priority = prio });
		if (r < 0)
			return -r;
	}
	self->pp_level = level;
	return 0;
}

/* Before trying m: EINVAL if the thread's own priority is above m's
 * ceiling (POSIX pthread_mutex_lock), else run at the ceiling. */
int __pthread_mutex_protect_enter(pthread_mutex_t *m)
{
	pthread_t self = __pthread_self();
	int ceiling = __pthread_mutex_ceiling(m);
	int policy, prio, r;

	r = own_sched(self, &policy, &prio);
	if (r)
		return r;
	if (prio > ceiling)
		return EINVAL;
	if (ceiling <= self->pp_level)
		return 0;
	return apply(self, ceiling);
}

/* After a lock attempt or an unlock: the highest ceiling among the
 * PROTECT mutexes the thread still owns, or its own scheduling back. */
void __pthread_mutex_protect_update(void)
{
	pthread_t self = __pthread_self();
	volatile void *volatile *node;
	const size_t link = offsetof(pthread_mutex_t, _m_next);
	int level = 0;

	for (node = self->robust_list.head;
	     node != (void *)&self->robust_list.head;
	     node = (volatile void *volatile *)*node) {
		pthread_mutex_t *m = (void *)((char *)node - link);
		if (m->_m_type & MUTEX_PROTECT) {
			int c = __pthread_mutex_ceiling(m);
			if (c > level)
				level = c;
		}
	}
	/* Nothing to do on failure: the thread keeps the higher level. */
	apply(self, level);
}
