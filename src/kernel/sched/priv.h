/*
 * sched/priv.h - the thread block and the internals shared by the files
 * of src/kernel/sched (sched.c, timer.c, futex.c, sys_sched.c) and the
 * sleep syscalls. Not for other subsystems: they use <uni/sched.h>.
 */
#ifndef UNI_SCHED_PRIV_H
#define UNI_SCHED_PRIV_H

#include <stdint.h>
#include <uni/sched.h>
#include "../arch/x86_64/arch.h"

enum thread_state { T_RUNNING, T_RUNNABLE, T_BLOCKED, T_DEAD };

/* One page per thread: this block, then the FPU/SSE save area. */
struct thread {
	struct trap_frame tf;  /* program state, when resume_iret */
	uint64_t ksp;          /* saved kernel %rsp, when !resume_iret */
	int resume_iret;       /* 1: preempted in program code */
	int state;             /* enum thread_state */
	int tid;
	int preempt_count;     /* sched_cpu.preempt_count while switched out */
	int wake_reason;       /* sched_block's return value */
	int interrupt_pending; /* sched_interrupt before the block */
	uint64_t fs_base;      /* TLS pointer while switched out */
	uint64_t cpu_ns;       /* CPU time used, up to its last charge */
	int policy;            /* SCHED_OTHER, _FIFO, _RR, _BATCH, _IDLE */
	int prio;              /* run-queue level: 0, or 1..99 for FIFO/RR;
				* base_prio raised by PI-futex waiters */
	int base_prio;         /* the level its policy alone gives it */
	struct pi_waiter *pi_wait; /* futex.c: the PI futex it blocks on */
	int reset_on_fork;     /* SCHED_RESET_ON_FORK, kept for getscheduler */
	int *clear_tid;        /* CLONE_CHILD_CLEARTID / set_tid_address */
	struct timer wait_timer;  /* sched_block's deadline */
	struct thread *rq_next;   /* run queue, or free list when dead */
	struct thread *all_prev, *all_next; /* every live thread */
	void *fpu;             /* XSAVE/FXSAVE area, 64-byte aligned */
	/* Signals (src/kernel/signal): kept here so they follow the thread. */
	uint64_t sig_mask;     /* blocked signals, bit sig-1 */
	uint64_t sig_pending;  /* thread-directed signals pending */
	uint64_t sig_waitset;  /* rt_sigtimedwait's set while it blocks */
	uint64_t sig_saved_mask; /* rt_sigsuspend's mask to restore */
	int sig_saved_valid;   /* sig_saved_mask is to be restored */
	int ss_flags;          /* sigaltstack: SS_DISABLE or 0 */
	uint64_t ss_sp, ss_size;
};

/* The FPU state of the running thread (sched.c), for signal frames. */
void sched_fpu_save(void *area);
void sched_fpu_restore(const void *area);
uint32_t sched_fpu_size(void);
int sched_blocked(const struct thread *t);
struct thread *sched_first_thread(void);

/* Timer queue internals (timer.c), called by sched.c. */
void timer_run_expired(uint64_t now); /* from the timer interrupt */
int timer_vector(void);
void timer_eoi(void);

/* The LAPIC (arch/x86_64/lapic.c). */
int lapic_init(int vector);           /* 0, or -1 without a LAPIC */
void lapic_arm(uint64_t deadline_ns); /* one-shot; 0 disarms */
void lapic_eoi(void);
unsigned lapic_id(void);

/* The I/O APIC (arch/x86_64/ioapic.c): route ISA irq to vector on the
 * CPU with LAPIC id dest; 0 or -ENODEV. */
int ioapic_route(unsigned irq, int vector, unsigned dest);

/* timer.c: set the LAPIC up if that has not happened; 1 if it works. */
int timer_hw_ready(void);
/* irq.c: run the handler bound to vector; 0 if there is none. */
int irq_dispatch(unsigned vector);

/* Start a new thread running fn(arg) on the program stack below
 * stack_top (sys_sched.c calls it for clone); NULL with *err = -ENOMEM
 * or -EFAULT. */
struct thread *sched_new_thread(int (*fn)(void *), void *arg,
				void *stack_top, uint64_t fs_base, long *err);

/* Scheduling policy (sched.c). Levels 1..SCHED_RT_MAX hold the FIFO and
 * RR threads, level 0 every other one; a runnable thread of a higher level
 * always runs first. sched_set_policy changes t's policy and level (the
 * caller has checked them) and moves t in the run queue as Linux does:
 * raised -> tail of its new level, lowered -> head, unchanged -> stays;
 * the running thread gives the CPU up on the way out of the kernel if a
 * waiting thread now outranks it. */
#define SCHED_RT_MAX 99
#define SCHED_OTHER_SLICE_NS 10000000ULL /* 10 ms, SCHED_OTHER round robin */
#define SCHED_RR_SLICE_NS 100000000ULL   /* 100 ms, Linux's RR_TIMESLICE */
void sched_set_policy(struct thread *t, int policy, int prio);
/* Move t to run-queue level `level` by the same rules, its policy and
 * base_prio unchanged (futex.c: priority inheritance). */
void sched_set_level(struct thread *t, int level);

/* Priority-inheritance futexes (futex_pi.c; weak: an image that cannot
 * ask for one does not link them, futex_priv.h). futex_pi_adjust sets
 * t's level to the highest of its base_prio and its PI waiters' levels
 * and passes a change on along the chain of owners t waits for;
 * sched_set_policy calls it. futex_pi_thread_exit: t ends, the waiters of
 * the PI futexes it owns look at their words again (sched_exit_thread
 * calls it). */
void futex_pi_adjust(struct thread *t) __attribute__((weak));
void futex_pi_thread_exit(struct thread *t) __attribute__((weak));

/* From the interrupt path (arch trap.c -> sched_irq). */
void sched_irq(struct trap_frame *tf);

#endif
