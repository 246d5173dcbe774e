/*
 * syscall_arch.h (uni) - replaces musl's arch/x86_64/syscall_arch.h.
 *
 * Layer: musl's internal syscall layer, compiled into every musl object.
 * Instead of the `syscall` instruction, a syscall is a function call into
 * the in-library kernel. When the number is a compile-time constant (almost
 * every call site in musl) the switch below folds to one direct call of
 * sys_<name>, so the linker pulls in only the kernel subsystems a program
 * reaches. A variable number (syscall(2)) goes through the kernel's one
 * dispatch table, __uni_syscall_dispatch. The case list comes from the one
 * syscall list, <uni/syscalls.def>.
 */
#define __SYSCALL_LL_E(x) (x)
#define __SYSCALL_LL_O(x) (x)

#define SYSCALL(name, nr) long sys_##name(long, long, long, long, long, long);
#include <uni/syscalls.def>
#undef SYSCALL

long __uni_syscall_dispatch(long, long, long, long, long, long, long);

static __inline __attribute__((__always_inline__))
long __uni_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	if (!__builtin_constant_p(n))
		return __uni_syscall_dispatch(n, a, b, c, d, e, f);
	switch (n) {
#define SYSCALL(name, nr) case nr: return sys_##name(a, b, c, d, e, f);
#include <uni/syscalls.def>
#undef SYSCALL
	}
	/* A constant that is not in the list: the table says ENOSYS. */
	return __uni_syscall_dispatch(n, a, b, c, d, e, f);
}

static __inline long __syscall0(long n)
{
	return __uni_syscall(n, 0, 0, 0, 0, 0, 0);
}

static __inline long __syscall1(long n, long a1)
{
	return __uni_syscall(n, a1, 0, 0, 0, 0, 0);
}

static __inline long __syscall2(long n, long a1, long a2)
{
	return __uni_syscall(n, a1, a2, 0, 0, 0, 0);
}

static __inline long __syscall3(long n, long a1, long a2, long a3)
{
	return __uni_syscall(n, a1, a2, a3, 0, 0, 0);
}

static __inline long __syscall4(long n, long a1, long a2, long a3, long a4)
{
	return __uni_syscall(n, a1, a2, a3, a4, 0, 0);
}

static __inline long __syscall5(long n, long a1, long a2, long a3, long a4,
				long a5)
{
	return __uni_syscall(n, a1, a2, a3, a4, a5, 0);
}

static __inline long __syscall6(long n, long a1, long a2, long a3, long a4,
				long a5, long a6)
{
	return __uni_syscall(n, a1, a2, a3, a4, a5, a6);
}

/*
 * Cancellation points. musl's own __syscall_cp is an out-of-line function
 * taking the number as a variable, which would route every read() through
 * the table. The patched internal/syscall.h calls this instead: the same
 * checks as musl's __syscall_cp_c (src/thread/uni_cancel.c), around a
 * direct call. A cancel that arrives while the thread blocks in the kernel
 * makes the kernel return -EINTR, and __uni_cp_end acts on it.
 */
long __uni_cp_begin(long);
long __uni_cp_end(long, long);

static __inline __attribute__((__always_inline__))
long __uni_syscall_cp(long n, long a, long b, long c, long d, long e, long f)
{
	long r = __uni_cp_begin(n);

	if (r)
		return r;
	r = __uni_syscall(n, a, b, c, d, e, f);
	if (r == -4 /* EINTR */)
		r = __uni_cp_end(n, r);
	return r;
}

#define IPC_64 0
