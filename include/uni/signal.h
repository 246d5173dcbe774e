/*
 * uni/signal.h - signals within the one process.
 *
 * Layer: kernel signal (src/kernel/signal). Senders: the kill/tkill/tgkill
 * syscalls, the interval and POSIX timers (src/kernel/time/itimer.c, from
 * the timer interrupt). Delivery happens at two points only:
 *   - syscall exit: the generated wrapper (uni/syscall.h) calls
 *     sig_syscall_exit() when sig_work is set; the handler is called
 *     directly, as a nested function call on the program's stack (or the
 *     alternate stack), and the syscall's result is then returned, turned
 *     into -EINTR, or the syscall re-run (-ERESTARTSYS and SA_RESTART);
 *   - return to program code from an interrupt (arch trap.c) or a switch
 *     to a preempted thread (sched.c): sig_irq_exit() builds a Linux
 *     x86-64 rt_sigframe on the program stack and points the frame at the
 *     handler; musl's __restore_rt calls sys_rt_sigreturn to resume.
 * All functions run with interrupts disabled unless said otherwise.
 */
#ifndef UNI_SIGNAL_H
#define UNI_SIGNAL_H

#include <stdint.h>

struct thread;
struct trap_frame;

/* A handler returned by a blocking call that may be restarted: the wrapper
 * re-runs it when no handler ran or every handler had SA_RESTART, else the
 * program sees -EINTR. Never reaches the program. */
#define ERESTARTSYS 512

#define SIG_BIT(sig) (1ULL << ((sig) - 1))

/* Nonzero while some signal is pending anywhere (cheap check on exits).
 * Defined in sched.c, so that an image that never sends a signal links
 * none of src/kernel/signal: the entry points below are weak references,
 * called only once sig_work is set (by sig_send, which is in signal.c). */
extern int sig_work __attribute__((visibility("hidden")));
#define SIG_WEAK __attribute__((weak))

/* What a sender knows about a signal (the rest of siginfo is zero). */
struct sig_info {
	int code;     /* si_code: SI_USER, SI_TKILL, SI_QUEUE, SI_TIMER, ... */
	int pid;      /* si_pid for SI_USER/SI_TKILL */
	int timerid;  /* si_timerid for SI_TIMER */
	int overrun;  /* si_overrun for SI_TIMER */
	uint64_t value; /* si_value for SI_TIMER / SI_QUEUE */
};

/* Send sig to the process (t == NULL) or one thread. Returns 1 if it was
 * made pending (or acted on), 0 if that standard signal (1..31) was
 * already pending (the new one merged; real-time ones queue, one instance
 * per send), -EINVAL for a bad signal, -EAGAIN for a real-time one with
 * RLIMIT_SIGPENDING reached (not for SI_USER and SI_TIMER, as Linux). */
int sig_send(struct thread *t, int sig, const struct sig_info *info);

/* Syscall exit (interrupts enabled, preempt count 0). Delivers what is
 * deliverable to the current thread; returns the syscall's final result
 * and sets *restart when the call must be re-run. */
long sig_syscall_exit(long ret, int *restart) SIG_WEAK;
/* The syscall wrappers' slow path, out of line to keep every wrapper
 * small: sig_syscall_exit, then `again` with the same arguments when the
 * call is to be re-run. */
long sig_syscall_exit_call(long ret,
			   long (*again)(long, long, long, long, long, long),
			   long a0, long a1, long a2, long a3, long a4,
			   long a5) SIG_WEAK;

/* Interrupt exit into program code of the current thread: deliver by
 * rewriting tf into a signal frame. */
void sig_irq_exit(struct trap_frame *tf) SIG_WEAK;

/* A CPU exception in program code: 1 if it became a signal to a handler
 * (tf now enters it), 0 if it stays fatal. */
int sig_fault(struct trap_frame *tf) SIG_WEAK;

/* Thread life: a new thread inherits the creator's mask; a dead one drops
 * what was pending for it. */
void sig_thread_exit(struct thread *t) SIG_WEAK;

#endif
