/*
 * sys_signal.c - the signal syscalls: actions, masks, waiting, sending.
 *
 * Layer: kernel signal syscalls over signal.c. One process (pid 1): kill
 * and rt_sigqueueinfo take pid 1 (kill also 0 and -1: the process itself),
 * tkill/tgkill/rt_tgsigqueueinfo the tids of its threads; anything else
 * is ESRCH. Masks and the alternate stack are per
 * thread (struct thread, sched/priv.h); actions are per process.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <uni/proc.h>
#include <uni/sched.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include <uni/uaccess.h>
#include "../sched/priv.h"
#include "priv.h"

#define MINSIGSTKSZ_K 2048

SYSCALL_DEFINE4(rt_sigaction, int, sig, const struct k_sigaction *, uact,
		struct k_sigaction *, uoact, size_t, sigsetsize)
{
	struct k_sigaction ka, old;

	if (sigsetsize != KSIGSET_SIZE || sig < 1 || sig > SIG_MAX)
		return -EINVAL;
	if (uact && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (uact && copy_from_user(&ka, uact, sizeof(ka)))
		return -EFAULT;
	old = sig_actions[sig - 1];
	if (uoact && copy_to_user(uoact, &old, sizeof(old)))
		return -EFAULT;
	if (uact) {
		ka.mask &= ~SIG_UNBLOCKABLE;
		sig_actions[sig - 1] = ka;
		/* POSIX: setting "ignore" discards what is pending. */
		if (sig_ignored(sig)) {
			siginfo_t si;
			struct thread *t;
			for (t = sched_first_thread(); t; t = t->all_next)
				while (sig_dequeue(t, SIG_BIT(sig), &si))
					;
		}
	}
	return 0;
}

SYSCALL_DEFINE4(rt_sigprocmask, int, how, const uint64_t *, uset,
		uint64_t *, uoldset, size_t, sigsetsize)
{
	struct thread *t = sched_current();
	uint64_t old = t->sig_mask, set, mask = t->sig_mask;

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
	/* What the new mask unblocks is delivered at this call's exit. */
	t->sig_mask = mask & ~SIG_UNBLOCKABLE;
	return 0;
}

SYSCALL_DEFINE2(rt_sigpending, uint64_t *, uset, size_t, sigsetsize)
{
	struct thread *t = sched_current();
	uint64_t set = (t->sig_pending | sig_proc_pending) & t->sig_mask;

	if (sigsetsize > KSIGSET_SIZE)
		return -EINVAL;
	return copy_to_user(uset, &set, sigsetsize);
}

static uint64_t deliverable(const struct thread *t)
{
	return (t->sig_pending | sig_proc_pending) & ~t->sig_mask;
}

SYSCALL_DEFINE2(rt_sigsuspend, const uint64_t *, uset, size_t, sigsetsize)
{
	struct thread *t = sched_current();
	uint64_t set;

	if (sigsetsize != KSIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	/* The old mask comes back when the handler returns (the delivery
	 * puts it in uc_sigmask) or at this call's exit. */
	t->sig_saved_mask = t->sig_mask;
	t->sig_saved_valid = 1;
	t->sig_mask = set & ~SIG_UNBLOCKABLE;
	while (!deliverable(t))
		sched_block(0);
	return -EINTR;
}

SYSCALL_DEFINE0(pause)
{
	struct thread *t = sched_current();

	while (!deliverable(t))
		sched_block(0);
	return -EINTR;
}

SYSCALL_DEFINE4(rt_sigtimedwait, const uint64_t *, uset, siginfo_t *, uinfo,
		const struct timespec *, uts, size_t, sigsetsize)
{
	struct thread *t = sched_current();
	uint64_t set, deadline = 0;
	siginfo_t si;
	int sig;

	if (sigsetsize != KSIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	set &= ~SIG_UNBLOCKABLE;
	if (uts) {
		struct timespec ts;
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (!timespec_valid(&ts))
			return -EINVAL;
		deadline = time_now_ns() + timespec_ns(&ts);
		if (!deadline)
			deadline = 1;
	}
	for (;;) {
		int rc;

		sig = sig_dequeue(t, set, &si);
		if (sig)
			break;
		/* Another, unblocked signal ends the wait with EINTR (its
		 * handler runs at this call's exit). */
		if (deliverable(t) & ~set)
			return -EINTR;
		if (uts && deadline <= time_now_ns())
			return -EAGAIN;
		t->sig_waitset = set;
		rc = sched_block(deadline);
		t->sig_waitset = 0;
		if (rc == -ETIMEDOUT) {
			sig = sig_dequeue(t, set, &si);
			if (sig)
				break;
			return -EAGAIN;
		}
	}
	if (uinfo && copy_to_user(uinfo, &si, sizeof(si)))
		return -EFAULT;
	return sig;
}

SYSCALL_DEFINE2(sigaltstack, const stack_t *, uss, stack_t *, uoss)
{
	struct thread *t = sched_current();
	uint64_t sp = (uint64_t)(uintptr_t)&t; /* the caller's stack */
	int on = sig_on_altstack(t, sp);
	stack_t ss;

	if (uoss) {
		stack_t old = {
			.ss_sp = (void *)t->ss_sp,
			.ss_size = t->ss_size,
			.ss_flags = t->ss_flags == SS_DISABLE ? SS_DISABLE
				    : on ? SS_ONSTACK : 0,
		};
		if (copy_to_user(uoss, &old, sizeof(old)))
			return -EFAULT;
	}
	if (!uss)
		return 0;
	if (copy_from_user(&ss, uss, sizeof(ss)))
		return -EFAULT;
	if (on)
		return -EPERM;
	if (ss.ss_flags & ~SS_DISABLE)
		return -EINVAL;
	if (ss.ss_flags & SS_DISABLE) {
		t->ss_flags = SS_DISABLE;
		t->ss_sp = t->ss_size = 0;
		return 0;
	}
	if (ss.ss_size < MINSIGSTKSZ_K)
		return -ENOMEM;
	t->ss_flags = 0;
	t->ss_sp = (uint64_t)(uintptr_t)ss.ss_sp;
	t->ss_size = ss.ss_size;
	return 0;
}

static long send_checked(struct thread *t, int sig, int code)
{
	struct sig_info info = { .code = code, .pid = UNI_PID };
	int rc;

	if (sig < 0 || sig > SIG_MAX)
		return -EINVAL;
	if (!sig)
		return 0; /* existence check only */
	rc = sig_send(t, sig, &info);
	return rc < 0 ? rc : 0;
}

SYSCALL_DEFINE2(kill, int, pid, int, sig)
{
	if (pid != UNI_PID && pid != 0 && pid != -1)
		return -ESRCH;
	return send_checked(NULL, sig, SI_USER);
}

SYSCALL_DEFINE2(tkill, int, tid, int, sig)
{
	struct thread *t = tid > 0 ? sched_find(tid) : NULL;

	if (tid <= 0)
		return -EINVAL;
	if (!t)
		return -ESRCH;
	return send_checked(t, sig, SI_TKILL);
}

SYSCALL_DEFINE3(tgkill, int, tgid, int, tid, int, sig)
{
	struct thread *t;

	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	t = sched_find(tid);
	if (tgid != UNI_PID || !t)
		return -ESRCH;
	return send_checked(t, sig, SI_TKILL);
}

/* rt_sigqueueinfo and rt_tgsigqueueinfo: the caller's siginfo goes with
 * the signal (si_code, si_pid, si_uid, si_value). As Linux, only a signal
 * to oneself may claim a kernel or kill() origin (si_code >= 0, or
 * SI_TKILL): anything else is EPERM, checked before the target is looked
 * up. A real-time signal over RLIMIT_SIGPENDING is EAGAIN. */
static long read_info(const siginfo_t *usi, int to_self, struct sig_info *info,
		      uint32_t *uid)
{
	siginfo_t si;

	if (copy_from_user(&si, usi, sizeof(si)))
		return -EFAULT;
	if ((si.si_code >= 0 || si.si_code == SI_TKILL) && !to_self)
		return -EPERM;
	*info = (struct sig_info){
		.code = si.si_code,
		.pid = si.si_pid,
		.value = (uint64_t)(uintptr_t)si.si_value.sival_ptr,
	};
	*uid = si.si_uid;
	return 0;
}

static long queue_checked(struct thread *t, int sig,
			  const struct sig_info *info, uint32_t uid)
{
	int rc;

	if (sig < 0 || sig > SIG_MAX)
		return -EINVAL;
	if (!sig)
		return 0; /* existence and permission check only */
	rc = sig_queue(t, sig, info, uid);
	return rc < 0 ? rc : 0;
}

SYSCALL_DEFINE3(rt_sigqueueinfo, int, pid, int, sig, const siginfo_t *, usi)
{
	struct sig_info info;
	uint32_t uid;
	/* "Oneself" is the calling thread's id, as Linux compares it. */
	long rc = read_info(usi, pid == sched_tid(sched_current()), &info,
			    &uid);

	if (rc)
		return rc;
	if (pid != UNI_PID)
		return -ESRCH;
	return queue_checked(NULL, sig, &info, uid);
}

SYSCALL_DEFINE4(rt_tgsigqueueinfo, int, tgid, int, tid, int, sig,
		const siginfo_t *, usi)
{
	struct thread *t;
	struct sig_info info;
	uint32_t uid;
	long rc;

	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	t = sched_find(tid);
	rc = read_info(usi, t && t == sched_current(), &info, &uid);
	if (rc)
		return rc;
	if (tgid != UNI_PID || !t)
		return -ESRCH;
	return queue_checked(t, sig, &info, uid);
}
