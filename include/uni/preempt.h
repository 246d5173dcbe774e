/*
 * uni/preempt.h - kernel entry and exit as the scheduler sees them.
 *
 * Layer: kernel sched. Every syscall handler's generated wrapper
 * (SYSCALL_DEFINEn in uni/syscall.h) brackets the handler with
 * PREEMPT_ENTER()/PREEMPT_LEAVE(). Kernel code is never preempted:
 * PREEMPT_ENTER disables interrupts and counts the nesting; a timer
 * interrupt can only land in the kernel while a thread idles or blocks
 * (sched.c enables interrupts there), and then it only sets need_resched.
 * When the count drops back to 0 the thread is about to return to program
 * code: the pending switch happens here, then interrupts are enabled
 * again, so program code always runs with IF set and can be preempted by
 * the time slice (sched.c, sched_irq).
 */
#ifndef UNI_PREEMPT_H
#define UNI_PREEMPT_H

#if __STDC_HOSTED__
/* Kernel files compiled into host unit tests: no scheduler, no cli/sti. */
#define PREEMPT_ENTER() do { } while (0)
#define PREEMPT_LEAVE() do { } while (0)
#else

struct sched_cpu {
	int preempt_count; /* kernel nesting of the running thread */
	int need_resched;  /* a switch is due at the next PREEMPT_LEAVE */
};

extern struct sched_cpu sched_cpu __attribute__((visibility("hidden")));
void sched_preempt_point(void) __attribute__((visibility("hidden")));

#define PREEMPT_ENTER() \
	do { \
		__asm__ volatile("cli" ::: "memory"); \
		sched_cpu.preempt_count++; \
	} while (0)

#define PREEMPT_LEAVE() \
	do { \
		if (--sched_cpu.preempt_count == 0) { \
			if (sched_cpu.need_resched) \
				sched_preempt_point(); \
			__asm__ volatile("sti" ::: "memory"); \
		} \
	} while (0)

#endif /* __STDC_HOSTED__ */
#endif
