/*
 * uni/cpuclock.h - CPU-time clocks: which thread (or the process) a clock
 * id names, and how much CPU time it has used.
 *
 * Layer: kernel time (src/kernel/time/sys_time.c) over the scheduler's
 * accounting (sched.c charges the running thread from the TSC clock at
 * every switch; idle time is nobody's). Used by clock_gettime,
 * clock_getres and, for CPU-time timers, by timer code. The ids are
 * Linux's: CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, and the
 * negative ids musl's clock_getcpuclockid and pthread_getcpuclockid make,
 * ((~pid) << 3) | kind for a process and ((~tid) << 3) | 4 | kind for a
 * thread, kind 0 (PROF), 1 (VIRT) or 2 (SCHED); all three count the same
 * running time here (there is no user/system split), 0 as pid means the
 * caller.
 */
#ifndef UNI_CPUCLOCK_H
#define UNI_CPUCLOCK_H

#include <stdint.h>
#include <time.h>

struct thread;

/* Resolve a CPU-time clock id: 0 with *t = the thread, or NULL for the
 * process clock; -EINVAL if id is no CPU-time clock or names no live
 * thread of this process. A thread handed back is valid until it exits
 * (the caller runs with interrupts disabled and must not keep it across
 * a block unless it also learns of the exit). */
int cpuclock_lookup(clockid_t id, struct thread **t);

/* CPU time in ns used so far by t, or by the whole process (all threads,
 * exited ones too) when t is NULL. */
uint64_t cpuclock_ns(const struct thread *t);

#endif
