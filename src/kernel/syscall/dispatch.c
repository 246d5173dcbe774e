/*
 * dispatch.c - the syscall table, for calls whose number is not a constant.
 *
 * Layer: kernel syscall entry. Called through __uni_syscall_dispatch by
 * musl's syscall(2), by its out-of-line cancellable path, and by the
 * SYSCALL instruction's entry (arch/x86_64/syscall_entry.S). Constant-number
 * calls never come here (they are direct calls, see syscall_arch.h). The
 * table names every handler, so an image that uses syscall(2) links every
 * subsystem it could reach; each slot is either the subsystem's handler or
 * the -ENOSYS default from libuni_enosys.a.
 */
#include <errno.h>
#include <uni/kernel.h>
#include <uni/syscall.h>

/* syscall(2) can ask futex for the priority-inheritance operations,
 * which are linked only on request (sched/futex_priv.h). */
extern const char uni_futex_pi;
static const char *const link_futex_pi __attribute__((used)) = &uni_futex_pi;

static const sys_handler_t syscall_table[UNI_NR_MAX] = {
#define SYSCALL(name, nr) [nr] = sys_##name,
#include <uni/syscalls.def>
#undef SYSCALL
};

/* A number no kernel knows has no name and no default of its own: log
 * each such number once, as the defaults do, up to a few of them. */
static void log_unknown(long nr)
{
	static long seen[16];
	static unsigned nseen;

	for (unsigned i = 0; i < nseen && i < ARRAY_SIZE(seen); i++)
		if (seen[i] == nr)
			return;
	if (nseen < ARRAY_SIZE(seen))
		kprintf("uni: syscall %ld: no such system call\n", nr);
	else if (nseen == ARRAY_SIZE(seen))
		kprintf("uni: further unknown syscall numbers are not logged\n");
	else
		return;
	if (nseen < ARRAY_SIZE(seen))
		seen[nseen] = nr;
	nseen++;
}

long __uni_syscall_dispatch(long nr, long a, long b, long c, long d, long e,
			    long f)
{
	if (nr < 0 || nr >= UNI_NR_MAX || !syscall_table[nr]) {
		PREEMPT_ENTER();
		TRACE_ENTER(nr, a, b, c, d, e, f);
		log_unknown(nr);
		TRACE_LEAVE(nr, -ENOSYS);
		PREEMPT_LEAVE();
		return -ENOSYS;
	}
	return syscall_table[nr](a, b, c, d, e, f);
}
