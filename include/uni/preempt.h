/*
 * uni/preempt.h - kernel entry and exit as the scheduler sees them.
 *
 * Layer: kernel sched. Every syscall handler's generated wrapper
 * (SYSCALL_DEFINEn in uni/syscall.h) brackets the handler with
 * PREEMPT_ENTER()/PREEMPT_LEAVE(): kernel code is never preempted, so a
 * timer interrupt that lands inside the kernel only marks the thread for
 * rescheduling, and the switch happens on the way out. Until the scheduler
 * exists these are empty.
 */
#ifndef UNI_PREEMPT_H
#define UNI_PREEMPT_H

#define PREEMPT_ENTER() do { } while (0)
#define PREEMPT_LEAVE() do { } while (0)

#endif
