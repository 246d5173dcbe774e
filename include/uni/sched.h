/*
 * uni/sched.h - threads, blocking and waking, the timer queue.
 *
 * Layer: kernel sched (src/kernel/sched). kmain() calls sched_init() just
 * before proc_start(): the boot thread becomes thread 1 (tid == pid) and
 * interrupts are enabled for the program. Threads come from sys_clone
 * (musl's protocol, uni/clone.h) and end in sched_exit_thread().
 *
 * Rules for callers: every function here runs with interrupts disabled
 * (inside a syscall, PREEMPT_ENTER did that). A blocking wait is: record
 * where the thread waits (a futex queue, a device's waiter list), then
 * call sched_block(deadline_ns), which returns 0 when woken by
 * sched_wake(), -ETIMEDOUT when the deadline (monotonic ns, 0 = none)
 * passed, or -EINTR when another subsystem called sched_interrupt() on
 * the thread (the hook for signals and pthread_cancel: the signal code
 * calls it for a deliverable signal). A thread whose interrupt is already
 * pending when it calls sched_block() returns -EINTR at once; the flag is
 * consumed by that return. Never busy-wait in the kernel for a device or
 * another thread: nothing else runs until the kernel is left or blocks.
 */
#ifndef UNI_SCHED_H
#define UNI_SCHED_H

#include <stdint.h>

struct thread;

struct thread *sched_current(void);
int sched_tid(const struct thread *t);
struct thread *sched_find(int tid); /* a live thread, or NULL */
int sched_thread_count(void);
/* CPU time used by the calling thread / by all threads, dead ones too
 * (idle time is nobody's). */
uint64_t sched_thread_cpu_ns(void);
uint64_t sched_process_cpu_ns(void);
/* CPU time used by any live thread t, up to now if it is running. */
uint64_t sched_cpu_ns_of(const struct thread *t);

void sched_init(void);

/* Block the current thread (see the header comment). */
int sched_block(uint64_t deadline_ns);
/* Make a blocked thread runnable; 1 if it was blocked, else 0. */
int sched_wake(struct thread *t);
/* Wake t with -EINTR if blocked, else remember it for its next block. */
void sched_interrupt(struct thread *t);

/* Give the CPU to the next runnable thread, if any. */
void sched_yield_cpu(void);

/* End the current thread: clear and futex-wake its clear_child_tid, free
 * what the kernel holds for it, run the next thread. The last thread's
 * exit ends the process with `status`. */
void sched_exit_thread(int status) __attribute__((noreturn));

/* The current thread's clear_child_tid (set_tid_address). */
void sched_set_clear_tid(int *ctid);

/* Timers: a deadline in monotonic ns and a callback run from the timer
 * interrupt with interrupts disabled. */
struct timer {
	uint64_t deadline;
	void (*fn)(struct timer *);
	struct timer *prev, *next; /* queue links; NULL when not queued */
};
void timer_start(struct timer *t, uint64_t deadline);
void timer_stop(struct timer *t);
/* Is t queued? (A queued timer always has a prev link.) */
static inline int timer_pending(const struct timer *t)
{
	return t->prev != 0;
}

/* Futex wake for kernel callers (thread exit): wake up to n waiters on
 * the 32-bit word at uaddr; returns how many. */
int futex_wake(const void *uaddr, int n, uint32_t bitset);

#endif
