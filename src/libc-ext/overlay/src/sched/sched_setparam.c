/*
 * sched_setparam.c - uni's replacement for musl's ENOSYS stub.
 *
 * Layer: libc (overlay, toolchain/build-musl). The process's priority is
 * its main thread's (pid == main tid in uni): pid 0 means getpid(); the
 * kernel (src/kernel/sched/sys_sched.c) checks the priority against the
 * thread's policy and moves it in the run queue.
 */
#include <sched.h>
#include "syscall.h"

int sched_setparam(pid_t pid, const struct sched_param *param)
{
	return syscall(SYS_sched_setparam, pid ? pid : __syscall(SYS_getpid),
		       param);
}
