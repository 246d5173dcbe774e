/*
 * sys_proc.c - process and thread identity, thread pointer.
 *
 * Layer: kernel proc syscalls. One process (pid 1); its threads come from
 * the scheduler (src/kernel/sched), the first one has tid 1 == pid. The
 * FS base written here is saved and restored per thread by the context
 * switch. Signal masks are per thread, in src/kernel/signal.
 */
#include <errno.h>
#include <stdint.h>
#include <uni/kernel.h>
#include <uni/proc.h>
#include <uni/sched.h>
#include <uni/syscall.h>
#include <uni/uaccess.h>
#include <uni/x86_64/cpu.h>

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

SYSCALL_DEFINE0(getpid)
{
	return UNI_PID;
}

SYSCALL_DEFINE0(gettid)
{
	return sched_tid(sched_current());
}

SYSCALL_DEFINE0(getppid)
{
	return 0; /* started by the VM, not by a process */
}

/* The one process leads its own process group and session (as init):
 * ids 1; any other pid is ESRCH. */
SYSCALL_DEFINE1(getpgid, int, pid)
{
	return pid == 0 || pid == UNI_PID ? UNI_PID : -ESRCH;
}

SYSCALL_DEFINE0(getpgrp)
{
	return UNI_PID;
}

SYSCALL_DEFINE1(getsid, int, pid)
{
	return pid == 0 || pid == UNI_PID ? UNI_PID : -ESRCH;
}

SYSCALL_DEFINE1(set_tid_address, int *, tidptr)
{
	sched_set_clear_tid(tidptr);
	return sched_tid(sched_current());
}

static int canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

SYSCALL_DEFINE2(arch_prctl, int, code, unsigned long, addr)
{
	switch (code) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (!canonical(addr))
			return -EPERM;
		wrmsr(code == ARCH_SET_FS ? MSR_FS_BASE : MSR_GS_BASE, addr);
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS: {
		unsigned long v =
			rdmsr(code == ARCH_GET_FS ? MSR_FS_BASE : MSR_GS_BASE);
		return copy_to_user((void *)addr, &v, sizeof(v));
	}
	default:
		return -EINVAL;
	}
}
