/*
 * sched.c - threads, the run queue, blocking, preemption.
 *
 * Layer: kernel sched, one CPU. Called by the syscall wrappers
 * (PREEMPT_LEAVE -> sched_preempt_point), by the timer interrupt
 * (sched_irq, from arch trap.c), by futex.c and the sleep syscalls
 * (sched_block/sched_wake), and by sys_sched.c (clone, exit).
 *
 * Everything here runs with interrupts disabled. Switches inside the
 * kernel are voluntary (arch_switch); a thread running program code is
 * preempted from the timer interrupt when its slice is over and another
 * thread of its level is runnable, or at once when a thread of a higher
 * level becomes runnable, and is saved as its whole trap frame (see
 * switch.S). The program's FPU/SSE state and FS base follow each thread
 * (the kernel itself never touches vector registers: -mgeneral-regs-only).
 * With nothing runnable the CPU idles in `sti; hlt` on the stack of the
 * thread that gave it up.
 *
 * Policies (POSIX XSH 2.8.4, with Linux's choices where POSIX leaves
 * them open): the run queue has one FIFO list per level, 0 for
 * SCHED_OTHER/BATCH/IDLE and 1..99 for SCHED_FIFO/RR. The highest
 * non-empty level runs; a preempted thread goes back to the head of its
 * list, a woken or yielding one to the tail. SCHED_FIFO has no slice,
 * SCHED_RR a 100 ms one, level 0 a 10 ms one. With every thread at level
 * 0 (the usual program) only level 0 is ever touched: the real-time
 * levels cost one test of an empty bitmap per pick. A thread's level is
 * its policy's (base_prio), raised while a thread of a higher level waits
 * for a priority-inheritance futex it owns (futex_pi.c, sched_set_level);
 * sched_getparam and the permission checks see base_prio. CPU time is
 * charged to the running thread at every switch (charge(), from the TSC
 * clock).
 */
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <uni/kernel.h>
#include <uni/mm.h>
#include <uni/preempt.h>
#include <uni/proc.h>
#include <uni/signal.h>
#include <signal.h>
#include <uni/time.h>
#include <uni/uaccess.h>
#include <uni/x86_64/cpu.h>
#include "priv.h"

#define RFLAGS_RESERVED 0x2
#define CR4_OSXSAVE (1UL << 18)

void arch_switch(uint64_t *save_ksp, uint64_t ksp);
void arch_switch_iret(uint64_t *save_ksp, const struct trap_frame *tf);
extern char arch_switch_resume[], arch_thread_start[];

struct sched_cpu sched_cpu;
int sig_work; /* uni/signal.h: here so that signal.c stays optional */

static struct thread main_thread;
static uint8_t main_fpu[4096] __attribute__((aligned(64)));
static struct thread *cur = &main_thread;
/* The run queue: rq[l] lists the runnable threads of level l (cur is
 * not on it), oldest first; bit l of rq_rt is set iff rq[l] is not
 * empty, for l >= 1, and rq_rt_levels counts those bits (one load tells
 * the usual all-level-0 program that there is nothing else to look at). */
static struct rq_list {
	struct thread *head, *tail;
} rq[SCHED_RT_MAX + 1];
static uint64_t rq_rt[2];
static int rq_rt_levels;
static struct thread *all_threads = &main_thread;

/* CPU time: the running thread is charged from cpu_since; time spent
 * idle in `hlt` is charged to nobody; exited threads' time stays in the
 * process total (dead_cpu_ns). */
static uint64_t cpu_since, dead_cpu_ns;
static int cpu_idle; /* in schedule()'s hlt loop: nobody is charged */

/* Time the running thread has used since its last charge. */
static uint64_t uncharged(void)
{
	return cpu_idle ? 0 : time_now_ns() - cpu_since;
}

static void charge(struct thread *t)
{
	uint64_t now = time_now_ns();

	t->cpu_ns += now - cpu_since;
	cpu_since = now;
}

uint64_t sched_thread_cpu_ns(void)
{
	return cur->cpu_ns + uncharged();
}

uint64_t sched_cpu_ns_of(const struct thread *t)
{
	if (t == cur && t->state == T_RUNNING)
		return sched_thread_cpu_ns();
	return t->cpu_ns;
}

uint64_t sched_process_cpu_ns(void)
{
	uint64_t sum = dead_cpu_ns + uncharged();

	for (struct thread *t = all_threads; t; t = t->all_next)
		sum += t->cpu_ns;
	return sum;
}
static struct thread *free_threads; /* dead blocks kept for reuse */
static int nfree_threads;
#define FREE_THREADS_KEPT 32
static int nthreads = 1, next_tid = UNI_PID + 1;
static struct timer slice_timer;
static uint64_t fpu_mask; /* XCR0 with XSAVE, 0 for FXSAVE */
static uint32_t fpu_size;
static uint8_t fpu_init_state[4096] __attribute__((aligned(64)));
static int initialised;

/* --- FPU/SSE state ----------------------------------------------------- */

static void fpu_save(void *area)
{
	if (fpu_mask)
		__asm__ volatile("xsave64 (%0)"
				 :
				 : "r"(area), "a"((uint32_t)fpu_mask),
				   "d"((uint32_t)(fpu_mask >> 32))
				 : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

static void fpu_restore(const void *area)
{
	if (fpu_mask)
		__asm__ volatile("xrstor64 (%0)"
				 :
				 : "r"(area), "a"((uint32_t)fpu_mask),
				   "d"((uint32_t)(fpu_mask >> 32))
				 : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

void sched_fpu_save(void *area)
{
	fpu_save(area);
}

void sched_fpu_restore(const void *area)
{
	fpu_restore(area);
}

uint32_t sched_fpu_size(void)
{
	return fpu_size;
}

KERNEL_COLD static void fpu_setup(void)
{
	if (read_cr4() & CR4_OSXSAVE) {
		uint32_t lo, hi;
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		fpu_mask = ((uint64_t)hi << 32) | lo;
		fpu_size = cpuid(0xd, 0).ebx;
	} else {
		fpu_size = 512;
	}
	if (fpu_size > UNI_PAGE_SIZE - 1024)
		panic("sched: FPU save area of %u bytes does not fit", fpu_size);
	/* The state the program started with (fninit, MXCSR 0x1f80). */
	fpu_save(fpu_init_state);
}

/* --- run queue ---------------------------------------------------------- */

/* The queue operations every switch takes are forced inline: at -Os clang
 * makes calls of them, and under TCG each call and return ends a
 * translation block. With them inline a futex hand-off between two
 * SCHED_OTHER threads costs 12 guest instructions more than with the one
 * list this replaced (701 against 689, QEMU -icount, bench/core). */
#define RQ_FAST static inline __attribute__((always_inline))

/* The highest level with a runnable thread, or -1 if there is none. */
RQ_FAST int rq_top(void)
{
	if (!rq_rt_levels)
		return rq[0].head ? 0 : -1;
	if (rq_rt[1])
		return 127 - __builtin_clzll(rq_rt[1]);
	return 63 - __builtin_clzll(rq_rt[0]);
}

/* Level l (>= 1) has a thread now. */
static void rq_level_filled(int l)
{
	uint64_t bit = 1ULL << (l & 63);

	if (!(rq_rt[l >> 6] & bit)) {
		rq_rt[l >> 6] |= bit;
		rq_rt_levels++;
	}
}

/* Level l's list went empty. */
static void rq_level_emptied(int l)
{
	if (l) {
		rq_rt[l >> 6] &= ~(1ULL << (l & 63));
		rq_rt_levels--;
	}
}

/* Append t to the tail of its level's list. */
RQ_FAST void rq_push(struct thread *t)
{
	int l = t->prio;
	struct rq_list *q = &rq[l];

	t->state = T_RUNNABLE;
	t->rq_next = NULL;
	if (q->tail)
		q->tail->rq_next = t;
	else
		q->head = t;
	q->tail = t;
	if (l)
		rq_level_filled(l);
}

/* Put t at the head of its level's list (preempted, or lowered). */
static void rq_push_head(struct thread *t)
{
	struct rq_list *q = &rq[t->prio];

	t->state = T_RUNNABLE;
	t->rq_next = q->head;
	q->head = t;
	if (!q->tail)
		q->tail = t;
	if (t->prio)
		rq_level_filled(t->prio);
}

RQ_FAST struct thread *rq_pop(void)
{
	int l = rq_rt_levels ? rq_top() : 0;
	struct rq_list *q = &rq[l];
	struct thread *t = q->head;

	if (t) {
		q->head = t->rq_next;
		if (!q->head) {
			q->tail = NULL;
			if (l)
				rq_level_emptied(l);
		}
		t->rq_next = NULL;
	}
	return t;
}

/* Take a runnable t off its list (a policy change). */
static void rq_remove(struct thread *t)
{
	struct rq_list *q = &rq[t->prio];
	struct thread **pp = &q->head, *prev = NULL;

	while (*pp && *pp != t) {
		prev = *pp;
		pp = &prev->rq_next;
	}
	KASSERT(*pp == t);
	*pp = t->rq_next;
	if (q->tail == t)
		q->tail = prev;
	if (!q->head)
		rq_level_emptied(t->prio);
	t->rq_next = NULL;
}

/* Does the running thread c give way now that a switch is asked for?
 * Not to a lower level, and a FIFO thread not to its equals either. */
RQ_FAST int rq_should_preempt(const struct thread *c)
{
	int top = rq_top();

	if (top != c->prio)
		return top > c->prio;
	return c->policy != SCHED_FIFO;
}

/* Queue the running thread c that is being switched away from: to the
 * head of its level if a higher level takes the CPU (it was preempted),
 * else to the tail (its slice is over). */
RQ_FAST void rq_requeue(struct thread *c)
{
	if (rq_top() > c->prio)
		rq_push_head(c);
	else
		rq_push(c);
}

/* A thread becomes runnable: one of a higher level than the running
 * thread takes the CPU at the next chance. */
RQ_FAST void make_runnable(struct thread *t)
{
	rq_push(t);
	if (t->prio && t->prio > cur->prio) /* level 0 never outranks */
		sched_cpu.need_resched = 1;
}

/* The running thread's slice ends slice_len() after slice_start. The slice
 * timer is armed only while another thread of its level waits and is never
 * reprogrammed on a switch (each LAPIC write is costly, under TCG most):
 * when it fires early for a thread that started later, it is re-armed for
 * that thread's end; with nobody waiting any more it just lapses. */
static uint64_t slice_start;

RQ_FAST uint64_t slice_len(const struct thread *t)
{
	return t->policy == SCHED_RR ? SCHED_RR_SLICE_NS : SCHED_OTHER_SLICE_NS;
}

/* Is there a slice to run out: an equal waits and cur is not FIFO? */
RQ_FAST int slice_matters(void)
{
	return rq[cur->prio].head && cur->policy != SCHED_FIFO;
}

static void slice_update(void)
{
	if (!slice_timer.prev && slice_matters())
		timer_start(&slice_timer, slice_start + slice_len(cur));
}

static void slice_expired(struct timer *t)
{
	uint64_t end = slice_start + slice_len(cur);

	if (!slice_matters())
		return;
	if (time_now_ns() < end)
		timer_start(t, end);
	else
		sched_cpu.need_resched = 1;
}

static void slice_restart(void)
{
	slice_start = time_now_ns();
	slice_update();
}

/* --- switching ----------------------------------------------------------- */

static void switch_out_state(struct thread *prev)
{
	charge(prev);
	prev->preempt_count = sched_cpu.preempt_count;
	prev->fs_base = rdmsr(MSR_FS_BASE);
	fpu_save(prev->fpu);
}

static void switch_in_state(struct thread *next)
{
	wrmsr(MSR_FS_BASE, next->fs_base);
	fpu_restore(next->fpu);
	sched_cpu.preempt_count = next->preempt_count;
	next->state = T_RUNNING;
	cur = next;
	slice_restart();
}

/* Switch from the kernel context of `prev` (saved unless it is dead). */
static void switch_to(struct thread *prev, struct thread *next)
{
	static uint64_t dead_ksp;
	uint64_t *save = &prev->ksp;

	if (prev->state == T_DEAD)
		save = &dead_ksp;
	else
		switch_out_state(prev);
	switch_in_state(next);
	if (next->resume_iret) {
		next->resume_iret = 0;
		if (sig_work)
			sig_irq_exit(&next->tf);
		arch_switch_iret(save, &next->tf);
	} else {
		arch_switch(save, next->ksp);
	}
}

/* Pick the next thread; idle until there is one. prev is on the run
 * queue only when it yields; blocked or dead, it idles here until another
 * thread is runnable. */
static void schedule(struct thread *prev)
{
	struct thread *next;
	int idled = 0;

	while (!(next = rq_pop())) {
		if (prev->state == T_RUNNING)
			return; /* nobody else wants the CPU */
		if (!idled++) {
			charge(prev); /* up to the idle stretch, not through it */
			cpu_idle = 1; /* read from interrupts (CPU-time timers) */
		}
		/* sti's one-instruction shadow makes `sti; hlt` atomic: an
		 * interrupt that is already pending wakes the hlt. */
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	if (idled) {
		cpu_since = time_now_ns();
		cpu_idle = 0;
	}
	sched_cpu.need_resched = 0;
	if (next == prev) {
		prev->state = T_RUNNING;
		slice_restart();
		return;
	}
	switch_to(prev, next);
}

/* sched_yield: to the tail of its level, if an equal or better waits. */
void sched_yield_cpu(void)
{
	struct thread *prev = cur;

	sched_cpu.need_resched = 0;
	if (rq_top() < prev->prio)
		return;
	rq_push(prev);
	schedule(prev);
}

/* need_resched on the way out of the kernel: a slice ended or a higher
 * level became runnable. */
void sched_preempt_point(void)
{
	struct thread *prev = cur;

	sched_cpu.need_resched = 0;
	if (!rq_should_preempt(prev))
		return;
	rq_requeue(prev);
	schedule(prev);
}

/* --- blocking ------------------------------------------------------------ */

static void wait_timeout(struct timer *tm)
{
	struct thread *t =
		(struct thread *)((char *)tm - offsetof(struct thread, wait_timer));

	if (t->state == T_BLOCKED) {
		t->wake_reason = -ETIMEDOUT;
		make_runnable(t);
		/* A level-0 sleeper whose time has come runs now, not at the
		 * end of the running thread's slice: sleeps stay on time
		 * beside a thread that spins. (RR and FIFO threads keep their
		 * slice rules.) */
		if (!t->prio && !cur->prio)
			sched_cpu.need_resched = 1;
	}
}

int sched_block(uint64_t deadline_ns)
{
	struct thread *t = cur;

	KASSERT(sched_cpu.preempt_count > 0); /* only the kernel blocks */
	if (t->interrupt_pending) {
		t->interrupt_pending = 0;
		return -EINTR;
	}
	if (deadline_ns && deadline_ns <= time_now_ns())
		return -ETIMEDOUT;
	t->state = T_BLOCKED;
	t->wake_reason = 0;
	if (deadline_ns) {
		t->wait_timer.fn = wait_timeout;
		timer_start(&t->wait_timer, deadline_ns);
	}
	schedule(t);
	timer_stop(&t->wait_timer);
	if (t->wake_reason == -EINTR)
		t->interrupt_pending = 0;
	return t->wake_reason;
}

int sched_wake(struct thread *t)
{
	if (t->state != T_BLOCKED)
		return 0;
	t->wake_reason = 0;
	make_runnable(t);
	slice_update();
	return 1;
}

void sched_interrupt(struct thread *t)
{
	if (t->state == T_BLOCKED) {
		t->wake_reason = -EINTR;
		make_runnable(t);
		slice_update();
	} else {
		t->interrupt_pending = 1;
	}
}

/* --- policy ------------------------------------------------------------- */

void sched_set_policy(struct thread *t, int policy, int prio)
{
	KASSERT(prio >= 0 && prio <= SCHED_RT_MAX);
	t->policy = policy;
	t->base_prio = prio;
	if (futex_pi_adjust) {
		futex_pi_adjust(t); /* prio, or a PI waiter's if higher */
		prio = t->prio;
	}
	sched_set_level(t, prio); /* the level, and the policy's effects */
}

void sched_set_level(struct thread *t, int prio)
{
	int old = t->prio;

	KASSERT(prio >= 0 && prio <= SCHED_RT_MAX);
	if (t->state == T_RUNNABLE) {
		if (prio != old) {
			rq_remove(t);
			t->prio = prio;
			if (prio < old)
				rq_push_head(t);
			else
				rq_push(t);
		}
		if (t->prio > cur->prio)
			sched_cpu.need_resched = 1;
	} else {
		t->prio = prio;
		/* The caller itself, now outranked: preempted, it goes to the
		 * head of its level (rq_requeue), as a lowered thread should. */
		if (t == cur && rq_top() > prio)
			sched_cpu.need_resched = 1;
	}
	slice_update();
}

/* --- the timer interrupt ------------------------------------------------- */

/* Vectors >= 32 arrive here from trap_handler. */
void sched_irq(struct trap_frame *tf)
{
	struct thread *prev = cur, *next;

	if (tf->vector == 0xff)
		return; /* LAPIC spurious vector: no EOI */
	if ((int)tf->vector == timer_vector()) {
		lapic_eoi();
		timer_run_expired(time_now_ns());
	} else if (irq_dispatch((unsigned)tf->vector)) {
		lapic_eoi();
	} else {
		panic("unexpected interrupt vector %lu", tf->vector);
	}

	/* Inside the kernel (idle or blocked wait): the switch, if any,
	 * happens on the way out of the kernel. */
	if (sched_cpu.preempt_count > 0 || !sched_cpu.need_resched)
		return;
	sched_cpu.need_resched = 0;
	if (!rq_should_preempt(prev))
		return;

	/* Preempt program code: keep its whole frame. */
	prev->tf = *tf;
	prev->resume_iret = 1;
	switch_out_state(prev);
	rq_requeue(prev);
	next = rq_pop();
	switch_in_state(next);
	if (next->resume_iret) {
		next->resume_iret = 0;
		*tf = next->tf;
	} else {
		/* Resume its kernel context through arch_switch's epilogue,
		 * interrupts still off. */
		tf->rip = (uint64_t)arch_switch_resume;
		tf->cs = GDT_CODE;
		tf->rflags = RFLAGS_RESERVED;
		tf->rsp = next->ksp;
		tf->ss = GDT_DATA;
	}
}

/* --- threads ------------------------------------------------------------ */

struct thread *sched_current(void)
{
	return cur;
}

int sched_blocked(const struct thread *t)
{
	return t->state == T_BLOCKED;
}

struct thread *sched_first_thread(void)
{
	return all_threads;
}

int sched_tid(const struct thread *t)
{
	return t->tid;
}

int sched_thread_count(void)
{
	return nthreads;
}

struct thread *sched_find(int tid)
{
	for (struct thread *t = all_threads; t; t = t->all_next)
		if (t->tid == tid)
			return t;
	return NULL;
}

void sched_set_clear_tid(int *ctid)
{
	cur->clear_tid = ctid;
}

KERNEL_COLD void sched_init(void)
{
	main_thread.tid = UNI_PID;
	main_thread.state = T_RUNNING;
	main_thread.fpu = main_fpu;
	main_thread.ss_flags = SS_DISABLE;
	slice_timer.fn = slice_expired;
	fpu_setup();
	initialised = 1;
	/* Program code runs with interrupts on (the time slice). */
	__asm__ volatile("sti" ::: "memory");
}

static struct thread *thread_alloc(void)
{
	struct thread *t = free_threads;
	void *fpu;

	if (t) {
		free_threads = t->rq_next;
		nfree_threads--;
		fpu = t->fpu;
	} else {
		uint64_t pa = pmm_alloc(PMM_ZERO);
		if (!pa)
			return NULL;
		t = (struct thread *)pa; /* the direct map */
		fpu = (char *)t + 1024;
	}
	memset(t, 0, sizeof(*t));
	t->fpu = fpu;
	return t;
}

struct thread *sched_new_thread(int (*fn)(void *), void *arg,
				void *stack_top, uint64_t fs_base, long *err)
{
	struct thread *t;
	uintptr_t top = (uintptr_t)stack_top & ~15UL;
	/* An arch_switch frame: r15 r14 r13 r12 rbx rbp, return address.
	 * After the ret %rsp is the 16-byte aligned top, so that the call
	 * in arch_thread_start enters fn with %rsp + 8 aligned (SysV). */
	uint64_t frame[7] = {
		0, 0, (uint64_t)fn, (uint64_t)arg, 0, 0,
		(uint64_t)arch_thread_start,
	};

	_Static_assert(sizeof(struct thread) <= 1024, "thread block too big");
	*err = -ENOMEM;
	if (!initialised)
		return NULL;
	/* The stack is the program's: a bad pointer is its error. */
	if (copy_to_user((void *)(top - sizeof(frame)), frame, sizeof(frame))) {
		*err = -EFAULT;
		return NULL;
	}
	t = thread_alloc();
	if (!t)
		return NULL;
	t->tid = next_tid++;
	if (next_tid <= 0)
		next_tid = UNI_PID + 1; /* tids wrap as Linux pids do */
	t->fs_base = fs_base;
	t->sig_mask = cur->sig_mask; /* clone inherits the mask */
	if (!cur->reset_on_fork) { /* and the policy, as Linux's clone */
		t->policy = cur->policy;
		t->prio = t->base_prio = cur->base_prio; /* not a PI boost */
	} /* else SCHED_OTHER, the flag not inherited either */
	t->ss_flags = SS_DISABLE;
	memcpy(t->fpu, fpu_init_state, fpu_size);
	t->ksp = top - sizeof(frame);

	t->all_next = all_threads;
	all_threads->all_prev = t;
	all_threads = t;
	nthreads++;
	rq_push(t);
	slice_update();
	return t;
}

void sched_exit_thread(int status)
{
	struct thread *t = cur;

	if (nthreads == 1)
		proc_exit(status);
	if (futex_pi_thread_exit)
		futex_pi_thread_exit(t);
	if (t->clear_tid) {
		int zero = 0;
		if (!copy_to_user(t->clear_tid, &zero, sizeof(zero)))
			futex_wake(t->clear_tid, 1, ~0u);
	}
	timer_stop(&t->wait_timer);
	charge(t);
	dead_cpu_ns += t->cpu_ns;
	t->cpu_ns = 0;
	if (sig_thread_exit) /* linked only with the signal code */
		sig_thread_exit(t);
	if (t->all_prev)
		t->all_prev->all_next = t->all_next;
	else
		all_threads = t->all_next;
	if (t->all_next)
		t->all_next->all_prev = t->all_prev;
	nthreads--;
	t->state = T_DEAD;
	/* Nothing reads the block after the switch below: it can be handed
	 * to the next clone. Blocks already on the list belong to threads
	 * that have switched away for good, so beyond a few kept for reuse
	 * they go back to the frame allocator. The main thread's block is
	 * static. */
	if (nfree_threads >= FREE_THREADS_KEPT) {
		struct thread *old = free_threads;
		free_threads = old->rq_next;
		nfree_threads--;
		pmm_free((uint64_t)(uintptr_t)old);
	}
	if (t != &main_thread) {
		t->rq_next = free_threads;
		free_threads = t;
		nfree_threads++;
	}
	schedule(t);
	panic("sched: a dead thread was resumed");
}

/* arch_thread_start: the thread's function returned. */
void sched_thread_return(int status)
{
	__asm__ volatile("cli" ::: "memory");
	sched_cpu.preempt_count++;
	sched_exit_thread(status);
}
