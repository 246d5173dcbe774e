/*
 * pthread_mutexattr_setprioceiling.c - sets the ceiling a mutex attribute
 * gives: a SCHED_FIFO priority, EINVAL outside its range. Layer: libc
 * (musl overlay, src/libc-ext/README.md); called by programs.
 */
#include "pthread_impl.h"
#include "syscall.h"

int pthread_mutexattr_setprioceiling(pthread_mutexattr_t *a, int ceiling)
{
	if (ceiling < __syscall(SYS_sched_get_priority_min, SCHED_FIFO) ||
	    ceiling > __syscall(SYS_sched_get_priority_max, SCHED_FIFO) ||
	    ceiling > 127)
		return EINVAL;
	a->__attr = (a->__attr & ~MUTEXATTR_CEILING_MASK) |
		    (unsigned)ceiling << MUTEXATTR_CEILING_SHIFT;
	return 0;
}
