/*
 * sched_getscheduler.c - uni's replacement for musl's ENOSYS stub.
 *
 * Layer: libc (overlay, toolchain/build-musl). The process's policy is
 * its main thread's (pid == main tid in uni): pid 0 means getpid(), and
 * the kernel (src/kernel/sched/sys_sched.c) answers for that thread.
 */
#include <sched.h>
#include "syscall.h"

int sched_getscheduler(pid_t pid)
{
	return syscall(SYS_sched_getscheduler,
		       pid ? pid : __syscall(SYS_getpid));
}
