/*
 * pthread_mutexattr_getprioceiling.c - the ceiling a mutex attribute
 * gives (bits 24-30 of __attr, 0 for the default: the lowest SCHED_FIFO
 * priority, as glibc). Layer: libc (musl overlay, src/libc-ext/README.md);
 * called by programs.
 */
#include "pthread_impl.h"
#include "syscall.h"

int pthread_mutexattr_getprioceiling(const pthread_mutexattr_t *restrict a,
				     int *restrict ceiling)
{
	int c = a->__attr >> MUTEXATTR_CEILING_SHIFT & 127;

	*ceiling = c ? c : __syscall(SYS_sched_get_priority_min, SCHED_FIFO);
	return 0;
}
