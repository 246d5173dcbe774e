/*
 * uni/syscall.h - kernel side of the syscall layer.
 *
 * Layer: kernel. Every handler has the same signature, six longs in and a
 * long out (0, a count, or -errno), so that musl's direct calls
 * (src/libc-ext/overlay/arch/x86_64/syscall_arch.h), the dispatch table and
 * the -ENOSYS defaults all agree. Handlers live with their subsystem and are
 * written with SYSCALL_DEFINEn, which casts the raw arguments to the
 * declared types, e.g.
 *
 *     SYSCALL_DEFINE3(write, int, fd, const void *, buf, size_t, len)
 *     { ... }
 */
#ifndef UNI_SYSCALL_H
#define UNI_SYSCALL_H

#include <uni/preempt.h>
#include <uni/trace.h>

#if __STDC_HOSTED__
#define SIG_EXIT_WORK(ret) 0
#define sig_syscall_exit_call(ret, again, a0, a1, a2, a3, a4, a5) (ret)
#else
#include <uni/signal.h>
#define SIG_EXIT_WORK(ret) (sig_work | ((ret) == -ERESTARTSYS))
#endif

#define SYSCALL(name, nr) \
	long sys_##name(long, long, long, long, long, long); \
	enum { UNI_NR_##name = nr };
#include <uni/syscalls.def>
#undef SYSCALL

#define UNI_NR_MAX 512 /* above the highest x86-64 number (450) */

typedef long (*sys_handler_t)(long, long, long, long, long, long);

/* Variable-number entry (syscall(2), musl's out-of-line paths). */
long __uni_syscall_dispatch(long nr, long a, long b, long c, long d, long e,
			    long f);
/* The name of a syscall number, or NULL. */
const char *syscall_name(long nr);

/* The one wrapper body: preemption and tracing hooks around the typed
 * handler do_sys_<name>, then signal delivery (uni/signal.h), which may
 * ask for the call to be re-run (-ERESTARTSYS and SA_RESTART). */
#define UNI_SYS_HEAD(name) \
	long sys_##name(long a0, long a1, long a2, long a3, long a4, long a5)
#define UNI_SYS_BODY(name, call) \
	{ \
		long ret_; \
		(void)a0; (void)a1; (void)a2; (void)a3; (void)a4; (void)a5; \
		PREEMPT_ENTER(); \
		TRACE_ENTER(UNI_NR_##name, a0, a1, a2, a3, a4, a5); \
		ret_ = (call); \
		TRACE_LEAVE(UNI_NR_##name, ret_); \
		PREEMPT_LEAVE(); \
		if (__builtin_expect(SIG_EXIT_WORK(ret_), 0)) \
			ret_ = sig_syscall_exit_call(ret_, sys_##name, a0, a1, \
						     a2, a3, a4, a5); \
		return ret_; \
	}

#define SYSCALL_DEFINE0(name) \
	static long do_sys_##name(void); \
	UNI_SYS_HEAD(name) UNI_SYS_BODY(name, do_sys_##name()) \
	static long do_sys_##name(void)

#define SYSCALL_DEFINE1(name, t0, n0) \
	static long do_sys_##name(t0 n0); \
	UNI_SYS_HEAD(name) UNI_SYS_BODY(name, do_sys_##name((t0)a0)) \
	static long do_sys_##name(t0 n0)

#define SYSCALL_DEFINE2(name, t0, n0, t1, n1) \
	static long do_sys_##name(t0 n0, t1 n1); \
	UNI_SYS_HEAD(name) UNI_SYS_BODY(name, do_sys_##name((t0)a0, (t1)a1)) \
	static long do_sys_##name(t0 n0, t1 n1)

#define SYSCALL_DEFINE3(name, t0, n0, t1, n1, t2, n2) \
	static long do_sys_##name(t0 n0, t1 n1, t2 n2); \
	UNI_SYS_HEAD(name) \
	UNI_SYS_BODY(name, do_sys_##name((t0)a0, (t1)a1, (t2)a2)) \
	static long do_sys_##name(t0 n0, t1 n1, t2 n2)

#define SYSCALL_DEFINE4(name, t0, n0, t1, n1, t2, n2, t3, n3) \
	static long do_sys_##name(t0 n0, t1 n1, t2 n2, t3 n3); \
	UNI_SYS_HEAD(name) \
	UNI_SYS_BODY(name, do_sys_##name((t0)a0, (t1)a1, (t2)a2, (t3)a3)) \
	static long do_sys_##name(t0 n0, t1 n1, t2 n2, t3 n3)

#define SYSCALL_DEFINE5(name, t0, n0, t1, n1, t2, n2, t3, n3, t4, n4) \
	static long do_sys_##name(t0 n0, t1 n1, t2 n2, t3 n3, t4 n4); \
	UNI_SYS_HEAD(name) \
	UNI_SYS_BODY(name, do_sys_##name((t0)a0, (t1)a1, (t2)a2, (t3)a3, \
					 (t4)a4)) \
	static long do_sys_##name(t0 n0, t1 n1, t2 n2, t3 n3, t4 n4)

#define SYSCALL_DEFINE6(name, t0, n0, t1, n1, t2, n2, t3, n3, t4, n4, t5, n5) \
	static long do_sys_##name(t0 n0, t1 n1, t2 n2, t3 n3, t4 n4, t5 n5); \
	UNI_SYS_HEAD(name) \
	UNI_SYS_BODY(name, do_sys_##name((t0)a0, (t1)a1, (t2)a2, (t3)a3, \
					 (t4)a4, (t5)a5)) \
	static long do_sys_##name(t0 n0, t1 n1, t2 n2, t3 n3, t4 n4, t5 n5)

#endif
