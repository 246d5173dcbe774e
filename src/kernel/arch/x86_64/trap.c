/*
 * trap.c - what happens on an exception or interrupt.
 *
 * Layer: arch/x86_64, called from trap_entry.S with the saved registers.
 * A fault inside uaccess_copy (a bad pointer from the program, see
 * uaccess.S) resumes at its -EFAULT exit. A fault in program code with a
 * handler installed becomes a signal (signal.c, sig_fault). Every other
 * CPU exception is fatal: fault_report() (fault.c) prints what happened, the registers and
 * a backtrace, then exits the VM with the panic status (power.c). Device
 * interrupts arrive in later subsystems; an unexpected one is reported the
 * same way. On the way back to program code from an interrupt, a pending
 * signal is delivered (uni/signal.h).
 */
#include <stdint.h>
#include <uni/kernel.h>
#include <uni/preempt.h>
#include <uni/signal.h>
#include <uni/uaccess.h>
#include <uni/x86_64/cpu.h>
#include "arch.h"
#include "panic.h"

void sched_irq(struct trap_frame *tf); /* sched/sched.c */

void trap_handler(struct trap_frame *tf)
{
	uint64_t v = tf->vector;

	/* Device and timer interrupts belong to the scheduler. */
	if (v >= 32) {
		sched_irq(tf);
		/* Back to program code (possibly another thread's): a pending
		 * signal is delivered by turning tf into a signal frame. */
		if (sig_work && sched_cpu.preempt_count == 0)
			sig_irq_exit(tf);
		return;
	}

	/* A bad pointer handed to a syscall: the copy returns -EFAULT. */
	if (v == 14 || v == 13) {
		unsigned long resume = uaccess_fixup(tf->rip);
		if (resume) {
			tf->rip = resume;
			return;
		}
	}

	/* In program code, with a handler installed for the matching
	 * signal (SIGSEGV, SIGILL, SIGFPE, SIGBUS), the fault is the
	 * program's to handle. */
	if (sched_cpu.preempt_count == 0 && sig_fault && sig_fault(tf))
		return;

	/* Anything else is fatal: fault.c reports it and stops. */
	fault_report(tf);
}
