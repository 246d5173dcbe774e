/*
 * sys_sched.c - clone (musl's thread protocol), sched_yield,
 * sched_getaffinity, and the scheduling-policy calls: sched_setscheduler,
 * sched_getscheduler, sched_setparam, sched_getparam,
 * sched_get_priority_max/min, sched_rr_get_interval.
 *
 * Layer: kernel sched syscalls. clone serves musl's __clone
 * (src/libc-ext/overlay/src/thread/x86_64/clone.c, uni/clone.h): only a
 * new thread in the same process is possible, so fork-like requests get
 * ENOSYS and incoherent flag sets EINVAL, as Linux says for them.
 *
 * The policy calls take a thread id, as Linux's do (0 = the caller; the
 * process-level functions in musl pass the main thread's, see
 * src/libc-ext/overlay/src/sched/): they come from pthread_setschedparam
 * and friends and from pthread_create with PTHREAD_EXPLICIT_SCHED. The
 * errors and their order are Linux's (kernel/sched/core.c): EINVAL for a
 * negative policy, id or a NULL param; EFAULT; ESRCH; EINVAL for a bad
 * policy or priority; EPERM past the unprivileged limits (uid != 0).
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <uni/clone.h>
#include <uni/ident.h>
#include <uni/kernel.h>
#include <uni/syscall.h>
#include <uni/uaccess.h>
#include <uni/x86_64/cpu.h>
#include "priv.h"

/* What a thread in this process must share (musl passes all of them). */
#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
		      CLONE_THREAD)
#define KNOWN_FLAGS (THREAD_FLAGS | CLONE_SYSVSEM | CLONE_SETTLS | \
		     CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | \
		     CLONE_DETACHED | CLONE_CHILD_SETTID)

SYSCALL_DEFINE6(clone, unsigned long, flags, struct uni_clone_start *, start,
		int *, ptid, int *, ctid, unsigned long, tls, long, tag)
{
	struct uni_clone_start st;
	struct thread *t;
	long err;
	int tid;

	if (tag != UNI_CLONE_ENTRY)
		return -ENOSYS; /* a raw clone: there is no second return */
	/* Linux's own coherence rules (kernel/fork.c). */
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & THREAD_FLAGS) != THREAD_FLAGS)
		return -ENOSYS; /* a new process: no fork here */
	if (flags & ~(unsigned long)(KNOWN_FLAGS | 0xff))
		return -EINVAL;
	if (copy_from_user(&st, start, sizeof(st)))
		return -EFAULT;

	/* Without CLONE_SETTLS the child keeps the parent's TLS, as on
	 * Linux. */
	t = sched_new_thread(st.fn, st.arg, start,
			     flags & CLONE_SETTLS ? tls : rdmsr(MSR_FS_BASE),
			     &err);
	if (!t)
		return err;
	tid = sched_tid(t);
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_tid = ctid;
	if (flags & CLONE_CHILD_SETTID)
		copy_to_user(ctid, &tid, sizeof(tid)); /* Linux ignores faults */
	if (flags & CLONE_PARENT_SETTID)
		copy_to_user(ptid, &tid, sizeof(tid));
	return tid;
}

SYSCALL_DEFINE0(sched_yield)
{
	sched_yield_cpu();
	return 0;
}

SYSCALL_DEFINE3(sched_getaffinity, int, pid, unsigned int, len,
		unsigned long *, mask)
{
	unsigned long one = 1; /* one CPU: CPU 0 */

	if (pid < 0)
		return -ESRCH;
	if (pid && !sched_find(pid))
		return -ESRCH;
	if (len < sizeof(one) || (len & (sizeof(one) - 1)))
		return -EINVAL;
	if (copy_to_user(mask, &one, sizeof(one)))
		return -EFAULT;
	return sizeof(one); /* bytes written, as the raw syscall returns */
}

/* --- scheduling policy ---------------------------------------------------- */

static int policy_rt(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

/* The target of a policy call (0 is the caller) into *t: 0, -EINVAL
 * for a negative pid, -ESRCH for no such thread. */
static int policy_target(int pid, struct thread **t)
{
	if (pid < 0)
		return -EINVAL;
	*t = pid ? sched_find(pid) : sched_current();
	return *t ? 0 : -ESRCH;
}

/* The priorities policy allows (Linux's): real-time 1..SCHED_RT_MAX, the
 * others 0..0; -EINVAL for an unknown policy. */
static long prio_bound(int policy, int max)
{
	switch (policy) {
	case SCHED_FIFO:
	case SCHED_RR:
		return max ? SCHED_RT_MAX : 1;
	case SCHED_OTHER:
	case SCHED_BATCH:
	case SCHED_IDLE:
	case SCHED_DEADLINE:
		return 0;
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE1(sched_get_priority_max, int, policy)
{
	return prio_bound(policy, 1);
}

SYSCALL_DEFINE1(sched_get_priority_min, int, policy)
{
	return prio_bound(policy, 0);
}

/* Linux's rules for a caller without CAP_SYS_NICE: a real-time policy or
 * a higher real-time priority only within RLIMIT_RTPRIO; out of
 * SCHED_IDLE only if RLIMIT_NICE allows nice 0 (20 - nice <= limit). */
static int policy_permitted(const struct thread *t, int policy, int prio)
{
	uint64_t lim;

	if (ident_capable())
		return 1;
	if (t->policy == SCHED_IDLE && policy != SCHED_IDLE &&
	    rlimit_cur(RLIMIT_NICE) < 20)
		return 0;
	if (!policy_rt(policy))
		return 1;
	lim = rlimit_cur(RLIMIT_RTPRIO);
	if (policy != t->policy && !lim)
		return 0;
	return prio <= t->base_prio || (uint64_t)prio <= lim;
}

/* policy -1: keep t's policy (sched_setparam). */
static long set_policy(int pid, int policy, const struct sched_param *uparam)
{
	struct sched_param p;
	struct thread *t;
	int r, reset = 0;

	if (!uparam || pid < 0)
		return -EINVAL;
	if (copy_from_user(&p, uparam, sizeof(p.sched_priority)))
		return -EFAULT;
	r = policy_target(pid, &t);
	if (r)
		return r;
	if (policy < 0) {
		policy = t->policy;
		reset = t->reset_on_fork;
	} else {
		reset = !!(policy & SCHED_RESET_ON_FORK);
		policy &= ~SCHED_RESET_ON_FORK;
		if (policy != SCHED_OTHER && policy != SCHED_BATCH &&
		    policy != SCHED_IDLE && !policy_rt(policy))
			return -EINVAL; /* SCHED_DEADLINE wants sched_setattr */
	}
	if (policy_rt(policy) ? p.sched_priority < 1 ||
					p.sched_priority > SCHED_RT_MAX
			      : p.sched_priority != 0)
		return -EINVAL;
	if (!policy_permitted(t, policy, p.sched_priority) ||
	    (!reset && t->reset_on_fork && !ident_capable()))
		return -EPERM;
	t->reset_on_fork = reset;
	sched_set_policy(t, policy, p.sched_priority);
	return 0;
}

SYSCALL_DEFINE3(sched_setscheduler, int, pid, int, policy,
		const struct sched_param *, param)
{
	if (policy < 0)
		return -EINVAL;
	return set_policy(pid, policy, param);
}

SYSCALL_DEFINE2(sched_setparam, int, pid, const struct sched_param *, param)
{
	return set_policy(pid, -1, param);
}

SYSCALL_DEFINE1(sched_getscheduler, int, pid)
{
	struct thread *t;
	int r;

	r = policy_target(pid, &t);
	if (r)
		return r;
	return t->policy | (t->reset_on_fork ? SCHED_RESET_ON_FORK : 0);
}

SYSCALL_DEFINE2(sched_getparam, int, pid, struct sched_param *, param)
{
	struct thread *t;
	int r, prio;

	if (!param)
		return -EINVAL;
	r = policy_target(pid, &t);
	if (r)
		return r;
	prio = t->base_prio; /* not a PI boost, as Linux */
	/* The kernel's struct sched_param is the priority alone. */
	if (copy_to_user(param, &prio, sizeof(prio)))
		return -EFAULT;
	return 0;
}

/* The slice the thread's policy really gets (sched.c): none for FIFO. */
SYSCALL_DEFINE2(sched_rr_get_interval, int, pid, struct timespec *, uts)
{
	struct timespec ts = { 0, 0 };
	struct thread *t;
	int r;

	r = policy_target(pid, &t);
	if (r)
		return r;
	if (t->policy == SCHED_RR)
		ts.tv_nsec = (long)SCHED_RR_SLICE_NS;
	else if (t->policy != SCHED_FIFO)
		ts.tv_nsec = (long)SCHED_OTHER_SLICE_NS;
	if (copy_to_user(uts, &ts, sizeof(ts)))
		return -EFAULT;
	return 0;
}
