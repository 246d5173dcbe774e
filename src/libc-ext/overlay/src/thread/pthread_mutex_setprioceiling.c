/*
 * pthread_mutex_setprioceiling.c - uni's replacement for musl's EINVAL
 * stub: locks the mutex, changes its ceiling, returns the old one in
 * *old and unlocks. Layer: libc (musl overlay, src/libc-ext/README.md);
 * called by programs.
 *
 * POSIX lets the lock here skip the ceiling protocol, and it does: a
 * thread above a ceiling that is too low can still raise it. A thread
 * that owns the mutex already changes it in place if the mutex is
 * recursive (its level follows at once); any other type would deadlock
 * on itself and gets EDEADLK.
 */
#include "pthread_impl.h"
#include "syscall.h"

int pthread_mutex_setprioceiling(pthread_mutex_t *restrict m, int ceiling,
				 int *restrict old)
{
	int r, own;

	if (ceiling < __syscall(SYS_sched_get_priority_min, SCHED_FIFO) ||
	    ceiling > __syscall(SYS_sched_get_priority_max, SCHED_FIFO))
		return EINVAL;
	own = m->_m_lock & 0x3fffffff;
	if ((m->_m_type & (15 | MUTEX_PROTECT)) != PTHREAD_MUTEX_NORMAL &&
	    own == __pthread_self()->tid &&
	    (m->_m_type & 3) != PTHREAD_MUTEX_RECURSIVE)
		return EDEADLK;
	r = __pthread_mutex_timedlock_inner(m, 0);
	/* EOWNERDEAD: the caller owns it now, as pthread_mutex_lock says. */
	if (r)
		return r;
	if (old)
		*old = __pthread_mutex_ceiling(m);
	m->_m_ceiling = ceiling;
	__pthread_mutex_unlock(m);
	/* A recursive owner keeps m: its level moves to the new ceiling. */
	if (m->_m_type & MUTEX_PROTECT)
		__pthread_mutex_protect_update();
	return 0;
}
