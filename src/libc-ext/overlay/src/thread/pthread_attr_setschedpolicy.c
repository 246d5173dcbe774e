/*
 * pthread_attr_setschedpolicy.c - uni's replacement for musl's, which
 * stores any number: a policy the kernel (src/kernel/sched/sys_sched.c)
 * does not have is refused here with EINVAL, POSIX's "may fail", rather
 * than later by pthread_create. Layer: libc (musl overlay, see
 * src/libc-ext/README.md); called by programs.
 */
#include "pthread_impl.h"

int pthread_attr_setschedpolicy(pthread_attr_t *a, int policy)
{
	switch (policy) {
	case SCHED_OTHER:
	case SCHED_FIFO:
	case SCHED_RR:
	case SCHED_BATCH:
	case SCHED_IDLE:
		a->_a_policy = policy;
		return 0;
	}
	return EINVAL;
}
