/*
 * sys_proc.c - process and thread identity, thread pointer, signal mask.
 *
 * Layer: kernel proc syscalls. One process (pid 1); its threads come from
 * the scheduler (src/kernel/sched), the first one has tid 1 == pid. The
 * FS base written here is saved and restored per thread by the context
 * switch. The signal mask is kept as Linux
 * keeps it (SIGKILL and SIGSTOP never blocked); delivering signals comes
 * with the kernel-core issue.
 */
#include <errno.h>
#include <signal.h>
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
#define KSIGSET_SIZE 8
#define UNBLOCKABLE ((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)))

static uint64_t sigmask;

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

SYSCALL_DEFINE4(rt_sigprocmask, int, how, const uint64_t *, uset,
		uint64_t *, uoldset, size_t, sigsetsize)
{
	uint64_t old = sigmask, set, mask = sigmask;

	if (sigsetsize != KSIGSET_SIZE)
		return -EINVAL;
	if (uset) {
		if (copy_from_user(&set, uset, sizeof(set)))
			return -EFAULT;
		switch (how) {
		case SIG_BLOCK:
			mask |= set;
			break;
		case SIG_UNBLOCK:
			mask &= ~set;
			break;
		case SIG_SETMASK:
			mask = set;
			break;
		default:
			return -EINVAL;
		}
	}
	if (uoldset && copy_to_user(uoldset, &old, sizeof(old)))
		return -EFAULT;
	sigmask = mask & ~UNBLOCKABLE;
	return 0;
}
