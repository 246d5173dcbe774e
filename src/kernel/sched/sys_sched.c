/*
 * sys_sched.c - clone (musl's thread protocol), sched_yield,
 * sched_getaffinity.
 *
 * Layer: kernel sched syscalls. clone serves musl's __clone
 * (src/libc-ext/overlay/src/thread/x86_64/clone.c, uni/clone.h): only a
 * new thread in the same process is possible, so fork-like requests get
 * ENOSYS and incoherent flag sets EINVAL, as Linux says for them.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <uni/clone.h>
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
