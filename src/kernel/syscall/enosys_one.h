/*
 * enosys_one.h - template of the -ENOSYS default for one syscall.
 *
 * Layer: kernel syscall entry. The build (CMakeLists.txt) generates one
 * tiny file per line of <uni/syscalls.def>, each defining ENOSYS_NAME and
 * ENOSYS_NR and including this template, and archives them as
 * libuni_enosys.a, which every image links after libuni.a. A member is
 * pulled in only for a syscall the program calls and no subsystem
 * implements; it is also weak, so a real handler always wins. The first
 * call logs "uni: syscall NAME (NR) not implemented"; every call returns
 * -ENOSYS, and is bracketed like any handler's wrapper (uni/preempt.h,
 * uni/trace.h).
 */
#include <errno.h>
#include <uni/kernel.h>
#include <uni/syscall.h>

#define ENOSYS_STR2(x) #x
#define ENOSYS_STR(x) ENOSYS_STR2(x)
#define ENOSYS_CAT2(a, b) a##b
#define ENOSYS_CAT(a, b) ENOSYS_CAT2(a, b)

__attribute__((weak)) long ENOSYS_CAT(sys_, ENOSYS_NAME)(long a, long b,
							 long c, long d,
							 long e, long f)
{
	static char logged;

	PREEMPT_ENTER();
	TRACE_ENTER(ENOSYS_NR, a, b, c, d, e, f);
	if (!logged) {
		logged = 1;
		kprintf("uni: syscall " ENOSYS_STR(ENOSYS_NAME) " (%d) not implemented\n",
			ENOSYS_NR);
	}
	TRACE_LEAVE(ENOSYS_NR, -ENOSYS);
	PREEMPT_LEAVE();
	return -ENOSYS;
}
