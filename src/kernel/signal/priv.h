/*
 * signal/priv.h - internals shared by signal.c and sys_signal.c, and the
 * frame layout. Not for other subsystems: they use <uni/signal.h>.
 *
 * The signal frame is Linux's x86-64 rt_sigframe, so that musl (and
 * programs reading uc_mcontext) find registers where they expect them:
 * the return address (sa_restorer), then struct ucontext (uc_flags,
 * uc_link, uc_stack, uc_mcontext = struct sigcontext, 8-byte uc_sigmask),
 * then siginfo; the FPU state (FXSAVE/XSAVE image, 64-byte aligned) lies
 * above, pointed to by uc_mcontext.fpregs.
 */
#ifndef UNI_SIGNAL_PRIV_H
#define UNI_SIGNAL_PRIV_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>
#include <uni/signal.h>
#include "../arch/x86_64/arch.h"

#define SIG_MAX 64
#define KSIGSET_SIZE 8
#define SIGCANCEL 33 /* musl's pthread_cancel signal */
#define SIG_RT_FIRST 32 /* the kernel's SIGRTMIN: 32..64 are queued */
#define SIG_UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

/* rt_sigaction's struct, as musl's ksigaction.h passes it. */
struct k_sigaction {
	uintptr_t handler;
	unsigned long flags;
	uintptr_t restorer;
	uint64_t mask;
};

/* Linux's struct ucontext on x86-64 (the kernel's, with an 8-byte mask;
 * musl's ucontext_t has the same prefix). */
struct k_ucontext {
	unsigned long uc_flags;
	struct k_ucontext *uc_link;
	stack_t uc_stack;
	mcontext_t uc_mcontext;
	uint64_t uc_sigmask;
};

struct rt_sigframe {
	uintptr_t pretcode; /* the handler returns here: __restore_rt */
	struct k_ucontext uc;
	siginfo_t info;
};

_Static_assert(offsetof(struct k_ucontext, uc_mcontext) == 40, "ucontext");
_Static_assert(offsetof(struct k_ucontext, uc_sigmask) == 296, "ucontext");
_Static_assert(sizeof(siginfo_t) == 128, "siginfo");

extern struct k_sigaction sig_actions[SIG_MAX]
	__attribute__((visibility("hidden")));
extern uint64_t sig_proc_pending __attribute__((visibility("hidden")));

int sig_ignored(int sig);
/* sig_send with the sender's uid (rt_sigqueueinfo passes the caller's
 * si_uid); -EAGAIN when a real-time signal finds RLIMIT_SIGPENDING
 * reached. */
int sig_queue(struct thread *t, int sig, const struct sig_info *info,
	      uint32_t uid);
/* A POSIX timer's signal left the pending set, delivered or accepted
 * (dropped 0), or dropped (ignored, merged, its thread gone): the timer
 * (time/itimer.c) may send again, and for a delivery returns the overruns
 * counted since it was sent, which become si_overrun and
 * timer_getoverrun's value. Weak: images without timers. */
int ptimer_delivered(int timerid, int dropped) __attribute__((weak));
/* timer_delete: the timer's pending signal is withdrawn. */
void sig_drop_timer(int timerid) __attribute__((weak));
void sig_terminate(int sig) __attribute__((noreturn));
void sig_update_work(void);
/* Take the lowest pending signal of t in set (thread's, then process's);
 * 0 if none. */
int sig_dequeue(struct thread *t, uint64_t set, siginfo_t *si);
int sig_on_altstack(const struct thread *t, uint64_t sp);
/* A signal became pending (fs/signalfd.c wakes its readers); weak: only
 * images with signalfd define it. */
void signalfd_notify(int sig) __attribute__((weak));

#endif
