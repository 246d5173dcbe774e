/*
 * pthread_mutex_getprioceiling.c - uni's replacement for musl's EINVAL
 * stub: a mutex's current priority ceiling. Every mutex has one (the
 * attribute's, or the lowest SCHED_FIFO priority); only PROTECT mutexes
 * apply it. Layer: libc (musl overlay, src/libc-ext/README.md); called by
 * programs.
 */
#include "pthread_impl.h"

int pthread_mutex_getprioceiling(const pthread_mutex_t *restrict m,
				 int *restrict ceiling)
{
	*ceiling = __pthread_mutex_ceiling(m);
	return 0;
}
