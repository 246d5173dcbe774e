/*
 * signal.c - pending signals, actions, and delivery.
 *
 * Layer: kernel signal, one process. Senders call sig_send() (the kill
 * family in sys_signal.c, the timers in src/kernel/time/itimer.c, from the
 * timer interrupt). Delivery is on the way back to program code only:
 *   sig_syscall_exit()  from every syscall wrapper (uni/syscall.h) when
 *                       sig_work is set: the handler is a nested call on the
 *                       program's stack (or the alternate stack);
 *   sig_irq_exit()      from the interrupt path (arch trap.c) and from a
 *                       switch to a preempted thread (sched.c): a Linux
 *                       x86-64 rt_sigframe is built below the red zone and
 *                       the interrupted frame is pointed at the handler;
 *                       musl's __restore_rt calls sys_rt_sigreturn.
 * Standard signals (1..31) have one pending instance per target (a second
 * send while pending merges with it); real-time ones (32..64) are queued,
 * one instance per send up to RLIMIT_SIGPENDING, as on Linux.
 * The thread fields live in struct thread (sched/priv.h).
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <ucontext.h>
#include <sys/resource.h>
#include <uni/ident.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/mm.h>
#include <uni/preempt.h>
#include <uni/proc.h>
#include <uni/sched.h>
#include <uni/signal.h>
#include <uni/uaccess.h>
#include <uni/x86_64/cpu.h>
#include "../sched/priv.h"
#include "priv.h"

struct k_sigaction sig_actions[SIG_MAX];
uint64_t sig_proc_pending;

/* Pending signals with their info, oldest first: one record per pending
 * instance. A standard signal (1..31) has at most one per target, a
 * real-time one (32..64) one per send. The pending bits say what is
 * pending; a bit without a record (out of memory, or over the limit for a
 * kill()) is reported as SI_USER with no sender, as Linux does. */
struct pend {
	struct pend *next;
	struct thread *t; /* NULL: process-directed */
	int sig;
	uint32_t uid;     /* si_uid */
	struct sig_info info;
};
static struct pend *pend_head, **pend_tail = &pend_head;
static uint64_t pend_count; /* records, against RLIMIT_SIGPENDING */

static const char *const sig_names[32] = {
	[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT",
	[SIGILL] = "SIGILL", [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE", [SIGKILL] = "SIGKILL",
	[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
	[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD",
	[SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
	[SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG",
	[SIGXCPU] = "SIGXCPU", [SIGXFSZ] = "SIGXFSZ",
	[SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
	[SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR",
	[SIGSYS] = "SIGSYS",
};

/* POSIX default "ignore"; stop signals are ignored too (no job control). */
#define DEFAULT_IGNORED \
	(SIG_BIT(SIGCHLD) | SIG_BIT(SIGURG) | SIG_BIT(SIGWINCH) | \
	 SIG_BIT(SIGCONT) | SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | \
	 SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU))

int sig_ignored(int sig)
{
	uintptr_t h = sig_actions[sig - 1].handler;

	if (sig == SIGKILL)
		return 0;
	return h == (uintptr_t)SIG_IGN ||
	       (h == (uintptr_t)SIG_DFL && (DEFAULT_IGNORED & SIG_BIT(sig)));
}

void sig_terminate(int sig)
{
	const char *name = sig < 32 && sig_names[sig] ? sig_names[sig] : "SIGRT";

	kprintf("uni: killed by signal %d (%s)\n", sig, name);
	proc_exit(128 + sig);
}

/* --- pending ------------------------------------------------------------ */

static struct pend *pend_new(struct thread *t, int sig,
			     const struct sig_info *info, uint32_t uid)
{
	struct pend *p = kmalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->next = NULL;
	p->t = t;
	p->sig = sig;
	p->uid = uid;
	p->info = *info;
	*pend_tail = p;
	pend_tail = &p->next;
	pend_count++;
	return p;
}

static void pend_unlink(struct pend **link)
{
	struct pend *p = *link;

	*link = p->next;
	if (pend_tail == &p->next)
		pend_tail = link;
	pend_count--;
	kfree(p);
}

/* Another record of p's target and signal exists. */
static int pend_has_other(const struct pend *p)
{
	for (const struct pend *q = pend_head; q; q = q->next)
		if (q != p && q->sig == p->sig && q->t == p->t)
			return 1;
	return 0;
}

/* Take the oldest record of (t, sig) into *info and *uid; returns 1 if
 * another instance stays pending. */
static int pend_take(struct thread *t, int sig, struct sig_info *info,
		     uint32_t *uid)
{
	struct pend **link;

	for (link = &pend_head; *link; link = &(*link)->next)
		if ((*link)->sig == sig && (*link)->t == t)
			break;
	if (!*link) {
		memset(info, 0, sizeof(*info));
		info->code = SI_USER;
		*uid = 0;
		return 0;
	}
	*info = (*link)->info;
	*uid = (*link)->uid;
	pend_unlink(link);
	for (struct pend *p = *link; p; p = p->next)
		if (p->sig == sig && p->t == t)
			return 1;
	return 0;
}

void sig_update_work(void)
{
	int any = sig_proc_pending != 0;

	for (struct thread *t = sched_first_thread(); t && !any; t = t->all_next)
		any = t->sig_pending != 0;
	sig_work = any;
}

/* The thread a process-directed signal goes to: one waiting for it in
 * rt_sigtimedwait, else the current thread, else any thread not blocking
 * it; NULL when every thread blocks it. */
static struct thread *pick_thread(uint64_t bit)
{
	struct thread *cur = sched_current();

	for (struct thread *t = sched_first_thread(); t; t = t->all_next)
		if (t->sig_waitset & bit)
			return t;
	if (!(cur->sig_mask & bit))
		return cur;
	for (struct thread *t = sched_first_thread(); t; t = t->all_next)
		if (!(t->sig_mask & bit))
			return t;
	return NULL;
}

/* A timer's signal that will not be delivered with its info: the timer
 * may send the next one. */
static void timer_gone(const struct sig_info *info)
{
	if (info->code == SI_TIMER && ptimer_delivered)
		ptimer_delivered(info->timerid, 1);
}

int sig_queue(struct thread *t, int sig, const struct sig_info *info,
	      uint32_t uid)
{
	uint64_t bit, *set;
	struct thread *to;
	int rt = sig >= SIG_RT_FIRST;

	if (sig < 1 || sig > SIG_MAX)
		return -EINVAL;
	bit = SIG_BIT(sig);
	to = t ? t : pick_thread(bit);
	/* An ignored signal is dropped unless blocked (a blocked one may be
	 * waited for, or its action changed before it is unblocked). */
	if (sig_ignored(sig) && to && !(to->sig_mask & bit) &&
	    !(to->sig_waitset & bit)) {
		timer_gone(info);
		return 1;
	}
	set = t ? &t->sig_pending : &sig_proc_pending;
	if (!rt && (*set & bit)) {
		timer_gone(info);
		return 0; /* standard signals merge */
	}
	/* Linux: a real-time signal needs a record within RLIMIT_SIGPENDING
	 * (a timer's is preallocated there, so it never fails); only kill()
	 * may then make it pending without its info. */
	if ((rt && info->code != SI_TIMER &&
	     pend_count >= rlimit_cur(RLIMIT_SIGPENDING)) ||
	    !pend_new(t, sig, info, uid)) {
		if (rt && info->code != SI_USER && info->code != SI_TIMER)
			return -EAGAIN;
		timer_gone(info);
	}
	*set |= bit;
	sig_work = 1;
	/* signalfd (fs/signalfd.c) waits for signals to become pending,
	 * blocked ones included: tell it. Weak, so images without signalfd
	 * link nothing more. */
	if (signalfd_notify)
		signalfd_notify(sig);
	if (!to)
		return 1;
	if (to->sig_waitset & bit) {
		if (sched_blocked(to))
			sched_interrupt(to);
		return 1;
	}
	if (to->sig_mask & bit)
		return 1;
	/* Deliverable: the default "terminate" happens at once, whatever
	 * the target is doing; a handler runs when the target next returns
	 * to program code, so a blocked target is interrupted. */
	if (sig_actions[sig - 1].handler == (uintptr_t)SIG_DFL)
		sig_terminate(sig);
	if (sched_blocked(to))
		sched_interrupt(to);
	return 1;
}

int sig_send(struct thread *t, int sig, const struct sig_info *info)
{
	return sig_queue(t, sig, info, ident_cred()->ruid);
}

int sig_dequeue(struct thread *t, uint64_t set, siginfo_t *si)
{
	uint64_t avail = (t->sig_pending | sig_proc_pending) & set;
	struct sig_info info;
	uint32_t uid;
	int sig;

	if (!avail)
		return 0;
	sig = __builtin_ctzll(avail) + 1;
	if (t->sig_pending & SIG_BIT(sig)) {
		if (!pend_take(t, sig, &info, &uid))
			t->sig_pending &= ~SIG_BIT(sig);
	} else {
		if (!pend_take(NULL, sig, &info, &uid))
			sig_proc_pending &= ~SIG_BIT(sig);
	}
	sig_update_work();
	memset(si, 0, sizeof(*si));
	si->si_signo = sig;
	si->si_code = info.code;
	if (info.code == SI_TIMER) {
		si->si_timerid = info.timerid;
		si->si_overrun = ptimer_delivered ?
			ptimer_delivered(info.timerid, 0) : info.overrun;
		si->si_value.sival_ptr = (void *)info.value;
	} else {
		si->si_pid = info.pid;
		si->si_uid = uid;
		si->si_value.sival_ptr = (void *)info.value;
	}
	return sig;
}

/* The next signal the thread must act on with a handler: ignored ones are
 * dropped, a default "terminate" ends the process here. */
static int take(struct thread *t, struct k_sigaction *ka, siginfo_t *si)
{
	int sig;

	while ((sig = sig_dequeue(t, ~t->sig_mask, si))) {
		*ka = sig_actions[sig - 1];
		if (sig_ignored(sig))
			continue;
		if (ka->handler == (uintptr_t)SIG_DFL)
			sig_terminate(sig);
		return sig;
	}
	return 0;
}

/* Block for the handler; returns the mask the handler's return restores
 * (rt_sigsuspend's saved mask when there is one). */
static uint64_t enter_handler(struct thread *t, int sig,
			      const struct k_sigaction *ka)
{
	uint64_t old = t->sig_saved_valid ? t->sig_saved_mask : t->sig_mask;

	t->sig_saved_valid = 0;
	t->sig_mask |= ka->mask;
	if (!(ka->flags & SA_NODEFER))
		t->sig_mask |= SIG_BIT(sig);
	t->sig_mask &= ~SIG_UNBLOCKABLE;
	if (ka->flags & SA_RESETHAND) {
		sig_actions[sig - 1].handler = (uintptr_t)SIG_DFL;
		sig_actions[sig - 1].flags &= ~SA_SIGINFO;
	}
	return old;
}

static int on_altstack(const struct thread *t, uint64_t sp)
{
	return t->ss_flags != SS_DISABLE && sp - t->ss_sp < t->ss_size;
}

int sig_on_altstack(const struct thread *t, uint64_t sp)
{
	return on_altstack(t, sp);
}

static void fill_stack(const struct thread *t, stack_t *st, uint64_t sp)
{
	st->ss_sp = (void *)t->ss_sp;
	st->ss_size = t->ss_size;
	st->ss_flags = t->ss_flags == SS_DISABLE ? SS_DISABLE
		       : on_altstack(t, sp) ? SS_ONSTACK : 0;
}

/* --- delivery at syscall exit ------------------------------------------ */

void arch_sig_call(uintptr_t handler, int sig, siginfo_t *si,
		   struct k_ucontext *uc, uint64_t stack_top);
static void resume_context(const mcontext_t *mc) __attribute__((noreturn));

long sig_syscall_exit_call(long ret,
			   long (*again)(long, long, long, long, long, long),
			   long a0, long a1, long a2, long a3, long a4, long a5)
{
	int restart = 0;

	ret = sig_syscall_exit(ret, &restart);
	/* Re-run through the wrapper, which delivers again on its way out. */
	return restart ? again(a0, a1, a2, a3, a4, a5) : ret;
}

long sig_syscall_exit(long ret, int *restart)
{
	struct thread *t;
	int ran = 0, restart_ok = 1;

	for (;;) {
		struct k_sigaction ka;
		struct k_ucontext uc;
		siginfo_t si;
		uint64_t sp = (uint64_t)(uintptr_t)&uc, old, rip;
		int sig;

		PREEMPT_ENTER();
		t = sched_current();
		sig = take(t, &ka, &si);
		if (!sig)
			break;
		memset(&uc, 0, sizeof(uc));
		fill_stack(t, &uc.uc_stack, sp);
		/* A nested call has no interrupted register state: the frame
		 * shows the syscall's return. uc_sigmask is applied; so is a
		 * new RIP (below), other register changes are not. */
		rip = (uint64_t)(uintptr_t)__builtin_return_address(0);
		uc.uc_mcontext.gregs[REG_RIP] = rip;
		uc.uc_mcontext.gregs[REG_RSP] = sp;
		uc.uc_mcontext.gregs[REG_RAX] = (uint64_t)ret;
		old = enter_handler(t, sig, &ka);
		uc.uc_sigmask = old;
		PREEMPT_LEAVE();
		if ((ka.flags & SA_ONSTACK) && t->ss_flags != SS_DISABLE &&
		    !on_altstack(t, sp))
			arch_sig_call(ka.handler, sig, &si, &uc,
				      (t->ss_sp + t->ss_size) & ~15UL);
		else
			((void (*)(int, siginfo_t *, void *))ka.handler)(
				sig, &si, &uc);
		PREEMPT_ENTER();
		t->sig_mask = uc.uc_sigmask & ~SIG_UNBLOCKABLE;
		ran = 1;
		/* The handler moved the program counter (musl's cancel
		 * handler sends an asynchronously cancelled thread to
		 * __cp_cancel this way): the syscall and everything below
		 * the frame are abandoned, the program goes on there, on the
		 * stack the handler chose or else just below this frame. */
		if ((uint64_t)uc.uc_mcontext.gregs[REG_RIP] != rip) {
			if ((uint64_t)uc.uc_mcontext.gregs[REG_RSP] == sp)
				uc.uc_mcontext.gregs[REG_RSP] = (sp & ~15UL) - 8;
			t->sig_saved_valid = 0;
			resume_context(&uc.uc_mcontext);
		}
		/* musl's cancel handler blocks SIGCANCEL in uc_sigmask when
		 * it acts on a deferred cancel (the PC it sees is never in
		 * __cp_begin..__cp_end here, so it re-sends the signal
		 * instead of moving the PC): then the call must end with
		 * -EINTR so that __uni_cp_end cancels, although the handler
		 * has SA_RESTART. */
		if (!(ka.flags & SA_RESTART) ||
		    (sig == SIGCANCEL &&
		     (uc.uc_sigmask & ~old & SIG_BIT(SIGCANCEL))))
			restart_ok = 0;
		PREEMPT_LEAVE();
	}
	if (t->sig_saved_valid) {
		t->sig_mask = t->sig_saved_mask;
		t->sig_saved_valid = 0;
	}
	if (ret == -ERESTARTSYS) {
		if (!ran || restart_ok)
			*restart = 1;
		else
			ret = -EINTR;
	}
	PREEMPT_LEAVE();
	return ret;
}

/* --- delivery on return from an interrupt ------------------------------ */

static uint8_t fpu_buf[4096] __attribute__((aligned(64)));

#define RED_ZONE 128
/* Flags a frame may restore: CF PF AF ZF SF DF OF (not TF, IOPL, ...);
 * IF and the reserved bit are always set for program code. */
#define RFLAGS_USER 0xcd5UL
#define RFLAGS_IF 0x200UL
#define RFLAGS_RESERVED 0x2UL
#define RFLAGS_DF 0x400UL

static void tf_to_mcontext(const struct trap_frame *tf, mcontext_t *mc)
{
	long long *g = mc->gregs;

	g[REG_R8] = tf->r8; g[REG_R9] = tf->r9; g[REG_R10] = tf->r10;
	g[REG_R11] = tf->r11; g[REG_R12] = tf->r12; g[REG_R13] = tf->r13;
	g[REG_R14] = tf->r14; g[REG_R15] = tf->r15; g[REG_RDI] = tf->rdi;
	g[REG_RSI] = tf->rsi; g[REG_RBP] = tf->rbp; g[REG_RBX] = tf->rbx;
	g[REG_RDX] = tf->rdx; g[REG_RAX] = tf->rax; g[REG_RCX] = tf->rcx;
	g[REG_RSP] = tf->rsp; g[REG_RIP] = tf->rip; g[REG_EFL] = tf->rflags;
	g[REG_CSGSFS] = tf->cs | (tf->ss << 48);
	g[REG_TRAPNO] = tf->vector;
	g[REG_ERR] = tf->error;
}

static void mcontext_to_tf(const mcontext_t *mc, struct trap_frame *tf)
{
	const long long *g = mc->gregs;

	tf->r8 = g[REG_R8]; tf->r9 = g[REG_R9]; tf->r10 = g[REG_R10];
	tf->r11 = g[REG_R11]; tf->r12 = g[REG_R12]; tf->r13 = g[REG_R13];
	tf->r14 = g[REG_R14]; tf->r15 = g[REG_R15]; tf->rdi = g[REG_RDI];
	tf->rsi = g[REG_RSI]; tf->rbp = g[REG_RBP]; tf->rbx = g[REG_RBX];
	tf->rdx = g[REG_RDX]; tf->rax = g[REG_RAX]; tf->rcx = g[REG_RCX];
	tf->rsp = g[REG_RSP]; tf->rip = g[REG_RIP];
	tf->rflags = ((uint64_t)g[REG_EFL] & RFLAGS_USER) | RFLAGS_IF |
		     RFLAGS_RESERVED;
	tf->cs = GDT_CODE;
	tf->ss = GDT_DATA;
	tf->vector = 0;
	tf->error = 0;
}

/* Point tf at the handler of sig with a frame holding tf (fr->info is
 * filled by the caller). */
static void build_frame(struct trap_frame *tf, struct thread *t, int sig,
			const struct k_sigaction *ka, struct rt_sigframe *fr)
{
	struct rt_sigframe f;
	uint64_t sp, fp, fsize = sched_fpu_size();

	f.info = fr->info;
	if ((ka->flags & SA_ONSTACK) && t->ss_flags != SS_DISABLE &&
	    !on_altstack(t, tf->rsp))
		sp = t->ss_sp + t->ss_size;
	else
		sp = tf->rsp - RED_ZONE;
	/* [restorer][ucontext][siginfo] ... [FPU state, 64-aligned] */
	fp = (sp - fsize) & ~63UL;
	sp = ((fp - sizeof(f)) & ~15UL) - 8; /* handler entry: %rsp+8 aligned */

	memset(&f.uc, 0, sizeof(f.uc));
	f.pretcode = (ka->flags & SA_RESTORER) ? ka->restorer : 0;
	fill_stack(t, &f.uc.uc_stack, tf->rsp);
	tf_to_mcontext(tf, &f.uc.uc_mcontext);
	f.uc.uc_mcontext.fpregs = (void *)fp;
	if (tf->vector == 14)
		f.uc.uc_mcontext.gregs[REG_CR2] = (long long)read_cr2();
	f.uc.uc_sigmask = enter_handler(t, sig, ka);
	sched_fpu_save(fpu_buf);
	if (copy_to_user((void *)fp, fpu_buf, fsize) ||
	    copy_to_user((void *)sp, &f, sizeof(f))) {
		kprintf("uni: signal %d: no room for a signal frame at %#lx\n",
			sig, sp);
		sig_terminate(SIGSEGV);
	}
	tf->rip = ka->handler;
	tf->rdi = (uint64_t)sig;
	tf->rsi = sp + offsetof(struct rt_sigframe, info);
	tf->rdx = sp + offsetof(struct rt_sigframe, uc);
	tf->rax = 0;
	tf->rsp = sp;
	tf->rflags &= ~RFLAGS_DF; /* the ABI's entry state */
	tf->vector = 0;
	tf->error = 0;
}

void sig_irq_exit(struct trap_frame *tf)
{
	struct thread *t = sched_current();
	struct k_sigaction ka;
	struct rt_sigframe f;
	int sig = take(t, &ka, &f.info);

	if (sig)
		build_frame(tf, t, sig, &ka, &f);
}

/* A CPU exception in program code becomes a synchronous signal when the
 * program has a handler for it that is not blocked; 0 leaves the fault to
 * the fault report (trap.c). A handler that returns re-runs the faulting
 * instruction, as on Linux. */
int sig_fault(struct trap_frame *tf)
{
	struct thread *t = sched_current();
	struct k_sigaction ka;
	struct rt_sigframe f;
	int sig, code;
	uint64_t addr = tf->rip;

	switch (tf->vector) {
	case 0: sig = SIGFPE; code = FPE_INTDIV; break;
	case 16: case 19: sig = SIGFPE; code = FPE_FLTINV; break;
	case 6: sig = SIGILL; code = ILL_ILLOPN; break;
	case 17: sig = SIGBUS; code = BUS_ADRALN; break;
	case 13: sig = SIGSEGV; code = SI_KERNEL; addr = 0; break;
	case 14:
		addr = read_cr2();
		/* SIGBUS past the end of a mapped file (mm decides). */
		sig = mm_fault_signal(addr,
				      ((tf->error & 2) ? MM_FAULT_WRITE : 0) |
				      ((tf->error & 16) ? MM_FAULT_FETCH : 0));
		code = sig == SIGBUS	   ? BUS_ADRERR
		       : (tf->error & 1) ? SEGV_ACCERR
					 : SEGV_MAPERR;
		break;
	default:
		return 0;
	}
	ka = sig_actions[sig - 1];
	if (ka.handler == (uintptr_t)SIG_DFL ||
	    ka.handler == (uintptr_t)SIG_IGN || (t->sig_mask & SIG_BIT(sig)))
		return 0;
	memset(&f.info, 0, sizeof(f.info));
	f.info.si_signo = sig;
	f.info.si_code = code;
	f.info.si_addr = (void *)addr;
	build_frame(tf, t, sig, &ka, &f);
	return 1;
}

void arch_sig_resume(const struct trap_frame *tf) __attribute__((noreturn));

/* Entered by a direct call from musl's __restore_rt (src/libc-ext restore.s)
 * with the address of the frame's ucontext: restore everything it holds and
 * resume there. Not through SYSCALL_DEFINE: it never returns. */
long sys_rt_sigreturn(long a0, long a1, long a2, long a3, long a4, long a5)
{
	struct thread *t;
	struct k_ucontext uc;

	PREEMPT_ENTER();
	t = sched_current();
	if (copy_from_user(&uc, (void *)a0, sizeof(uc))) {
		kprintf("uni: rt_sigreturn: bad frame at %#lx\n", a0);
		sig_terminate(SIGSEGV);
	}
	t->sig_mask = uc.uc_sigmask & ~SIG_UNBLOCKABLE;
	if (uc.uc_mcontext.fpregs) {
		if (copy_from_user(fpu_buf, uc.uc_mcontext.fpregs,
				   sched_fpu_size())) {
			kprintf("uni: rt_sigreturn: bad FPU state\n");
			sig_terminate(SIGSEGV);
		}
		sched_fpu_restore(fpu_buf);
	}
	resume_context(&uc.uc_mcontext);
}

/* Leave the kernel (one PREEMPT_ENTER deep) for the register state mc,
 * delivering what is pending on the way, as an interrupt return does. */
static void resume_context(const mcontext_t *mc)
{
	static struct trap_frame tf; /* used with interrupts off, one CPU */

	sched_cpu.preempt_count--;
	if (sched_cpu.need_resched)
		sched_preempt_point();
	/* After the preemption point: another thread may use tf there. */
	mcontext_to_tf(mc, &tf);
	if (sig_work)
		sig_irq_exit(&tf);
	arch_sig_resume(&tf);
}

void sig_drop_timer(int timerid)
{
	struct pend **link = &pend_head;

	while (*link) {
		struct pend *p = *link;
		uint64_t *set;

		if (p->info.code != SI_TIMER || p->info.timerid != timerid) {
			link = &p->next;
			continue;
		}
		set = p->t ? &p->t->sig_pending : &sig_proc_pending;
		if (!pend_has_other(p))
			*set &= ~SIG_BIT(p->sig);
		pend_unlink(link);
	}
	sig_update_work();
}

void sig_thread_exit(struct thread *t)
{
	struct pend **link = &pend_head;

	while (*link) {
		if ((*link)->t != t) {
			link = &(*link)->next;
			continue;
		}
		timer_gone(&(*link)->info);
		pend_unlink(link);
	}
	t->sig_pending = 0;
	sig_update_work();
}
