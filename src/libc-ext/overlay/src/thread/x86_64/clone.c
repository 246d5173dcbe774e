/* clone.c (uni) - replaces musl's clone.s. With direct calls there is no
 * "second return" from a syscall, so the child's start (fn, arg) is written
 * at the top of the child stack and the kernel starts the new thread there:
 * it calls fn(arg) and ends the thread with the result. The sixth argument
 * (UNI_CLONE_ENTRY) tells the kernel this protocol is in use; see
 * include/uni/clone.h. Called by pthread_create and posix_spawn. */
#include <stdarg.h>
#include <stdint.h>
#include <uni/clone.h>
#include "syscall.h"

hidden int __clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	va_list ap;
	int *ptid, *ctid;
	void *tls;
	struct uni_clone_start *start;

	va_start(ap, arg);
	ptid = va_arg(ap, int *);
	tls = va_arg(ap, void *);
	ctid = va_arg(ap, int *);
	va_end(ap);

	start = (struct uni_clone_start *)((uintptr_t)stack & -16UL) - 1;
	start->fn = fn;
	start->arg = arg;
	return __syscall(SYS_clone, flags, start, ptid, ctid, tls,
			 UNI_CLONE_ENTRY);
}
