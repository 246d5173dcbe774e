/*
 * panic.h - the panic path shared by power.c (status channel, panic()) and
 * fault.c (fault report, backtrace). Internal to arch/x86_64: other
 * subsystems call panic() from <uni/kernel.h>.
 */
#ifndef UNI_ARCH_X86_64_PANIC_H
#define UNI_ARCH_X86_64_PANIC_H

#include <stdint.h>
#include "arch.h"

/* Interrupts off; a second panic while reporting the first ends the VM
 * at once. */
void panic_begin(void);
/* "panic" on the status channel, then leave the VM. */
void panic_end(void) __attribute__((noreturn));
/* One line for uni-run on the status channel (power.c's header). */
void status_line(const char *s);

/* Print a backtrace on the console: pc, then the frames found from the
 * frame pointer rbp and the stack pointer rsp (fault.c says how), and
 * send each address to uni-run as a "bt 0x..." line for symbolizing. */
void backtrace(uint64_t pc, uint64_t rbp, uint64_t rsp);

/* The report of a fatal CPU exception (trap.c calls it). */
void fault_report(struct trap_frame *tf) __attribute__((noreturn));

#endif
