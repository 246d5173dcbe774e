/*
 * sched_getparam.c - uni's replacement for musl's ENOSYS stub.
 *
 * Layer: libc (overlay, toolchain/build-musl). uni runs one process whose
 * pid is its main thread's tid, so the process's scheduling parameters
 * are that thread's: pid 0 means getpid(), and the kernel's per-thread
 * call (src/kernel/sched/sys_sched.c) answers for it. Any other pid goes
 * to the kernel as it is (ESRCH, or a thread id, as Linux takes one).
 */
#include <sched.h>
#include "syscall.h"

int sched_getparam(pid_t pid, struct sched_param *param)
{
	return syscall(SYS_sched_getparam, pid ? pid : __syscall(SYS_getpid),
		       param);
}
