/*
 * pthread_mutexattr_setprotocol.c - uni's replacement for musl's, which
 * refuses PTHREAD_PRIO_PROTECT with ENOTSUP: the ceiling is applied by
 * src/thread/pthread_mutex_protect.c. Layer: libc (musl overlay, see
 * src/libc-ext/README.md); called by programs.
 *
 * The attribute holds the protocol in two bits, 8 (INHERIT, as musl) and
 * MUTEX_PROTECT; one protocol clears the other. INHERIT is refused if
 * the kernel lacks FUTEX_LOCK_PI; naming uni_futex_pi links uni's (the
 * kernel's futex_pi.c is linked only into images that can ask for it).
 */
#include "pthread_impl.h"
#include "syscall.h"

static volatile int pi_works = -1;
extern const char uni_futex_pi;

int pthread_mutexattr_setprotocol(pthread_mutexattr_t *a, int protocol)
{
	int r;

	switch (protocol) {
	case PTHREAD_PRIO_NONE:
		a->__attr &= ~(8 | MUTEX_PROTECT);
		return 0;
	case PTHREAD_PRIO_INHERIT:
		r = pi_works;
		if (r < 0 && !uni_futex_pi)
			r = ENOTSUP;
		if (r < 0) {
			volatile int word = 0;
			r = -__syscall(SYS_futex, &word, FUTEX_LOCK_PI, 0, 0);
			a_store(&pi_works, r);
		}
		if (r)
			return r;
		a->__attr = (a->__attr & ~MUTEX_PROTECT) | 8;
		return 0;
	case PTHREAD_PRIO_PROTECT:
		a->__attr = (a->__attr & ~8) | MUTEX_PROTECT;
		return 0;
	}
	return EINVAL;
}
