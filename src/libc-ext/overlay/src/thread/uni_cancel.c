/*
 * uni_cancel.c (uni) - the cancellation checks around a direct syscall.
 *
 * Layer: musl threads. Called by __uni_syscall_cp (arch syscall_arch.h),
 * which musl's __syscall_cp macros use once patched. Same policy as musl's
 * __syscall_cp_c: with cancellation disabled (or close while masked) the
 * call runs plainly; a pending cancel acts before the call, and after a call
 * the kernel interrupted with -EINTR. __cancel lives in pthread_cancel.c
 * and is referenced weakly: only pthread_cancel sets self->cancel, so a
 * program that never links it never needs it (as musl's weak __syscall_cp_c).
 */
#include "pthread_impl.h"
#include "syscall.h"

extern hidden long __cancel(void) __attribute__((__weak__));

long __uni_cp_begin(long nr)
{
	pthread_t self = __pthread_self();
	int st = self->canceldisable;

	if (st && (st == PTHREAD_CANCEL_DISABLE || nr == SYS_close))
		return 0;
	if (self->cancel && __cancel)
		return __cancel();
	return 0;
}

long __uni_cp_end(long nr, long r)
{
	pthread_t self = __pthread_self();

	if (nr != SYS_close && self->cancel && __cancel &&
	    self->canceldisable != PTHREAD_CANCEL_DISABLE)
		return __cancel();
	return r;
}
