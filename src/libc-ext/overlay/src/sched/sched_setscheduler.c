/*
 * sched_setscheduler.c - uni's replacement for musl's ENOSYS stub.
 *
 * Layer: libc (overlay, toolchain/build-musl). Sets the policy of the
 * process, that is of its main thread (pid == main tid in uni; pid 0
 * means getpid()), as Linux does for a pid; threads created later
 * inherit it. POSIX has this function return the former policy (the
 * Linux system call returns 0), so it is read first; the kernel
 * (src/kernel/sched/sys_sched.c) checks the new policy and priority.
 */
#include <sched.h>
#include "syscall.h"

int sched_setscheduler(pid_t pid, int policy, const struct sched_param *param)
{
	long old, r;

	if (!pid)
		pid = __syscall(SYS_getpid);
	old = __syscall(SYS_sched_getscheduler, pid);
	r = __syscall(SYS_sched_setscheduler, pid, policy, param);
	/* A bad pid fails both calls: the errno is the setting call's, so
	 * that a bad policy or param is reported as Linux orders them. */
	if (r || old < 0)
		return __syscall_ret(r ? r : old);
	return old;
}
