/*
 * syscall_insn.c - make the SYSCALL instruction reach the syscall table.
 *
 * Layer: arch/x86_64 syscall entry. kmain() calls syscall_insn_init()
 * once at boot; it enables SYSCALL (EFER.SCE) and points LSTAR at
 * syscall_entry.S, which calls syscall_insn_dispatch() below.
 *
 * Image size: the dispatch table names every handler, so linking it pulls
 * every subsystem into the image. It is therefore not linked because of
 * this file: __uni_syscall_dispatch is a weak reference here. An image has
 * the table when the program uses syscall(2) (musl's syscall() and a few
 * musl functions call it) or when it is linked with
 * -Wl,-u,__uni_syscall_dispatch, which is what a program that issues
 * `syscall` itself should add. Without the table a SYSCALL instruction
 * gets -ENOSYS and a console line saying how to link the image.
 */
#include <errno.h>
#include <stdint.h>
#include <uni/kernel.h>
#include <uni/syscall.h>
#include <uni/x86_64/cpu.h>
#include "arch.h"

#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define EFER_SCE (1u << 0)

#define RFLAGS_TF (1u << 8)
#define RFLAGS_DF (1u << 10)
#define RFLAGS_NT (1u << 14)
#define RFLAGS_AC (1u << 18)

#pragma weak __uni_syscall_dispatch

extern char syscall_entry[];

void syscall_insn_init(void);
long syscall_insn_dispatch(long nr, long a, long b, long c, long d, long e,
			   long f, unsigned long rip);

void syscall_insn_init(void)
{
	/* STAR[47:32]: CS on entry (SS is that + 8): the kernel's own
	 * segments. STAR[63:48] is for SYSRET, which uni never executes. */
	wrmsr(MSR_STAR, (uint64_t)GDT_CODE << 32);
	wrmsr(MSR_LSTAR, (uintptr_t)syscall_entry);
	wrmsr(MSR_CSTAR, 0); /* no compatibility mode */
	/* Cleared on entry: no single-step into the kernel, the C ABI's
	 * DF=0, no alignment checks, no nested task. */
	wrmsr(MSR_SFMASK, RFLAGS_TF | RFLAGS_DF | RFLAGS_NT | RFLAGS_AC);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

long syscall_insn_dispatch(long nr, long a, long b, long c, long d, long e,
			   long f, unsigned long rip)
{
	static char logged;

	if (__uni_syscall_dispatch)
		return __uni_syscall_dispatch(nr, a, b, c, d, e, f);
	PREEMPT_ENTER();
	TRACE_ENTER(nr, a, b, c, d, e, f);
	if (!logged) {
		logged = 1;
		kprintf("uni: syscall instruction at %p (number %ld), but this "
			"image has no syscall table: link it with "
			"-Wl,-u,__uni_syscall_dispatch (CMake: "
			"uni_syscall_instruction(target)); returning ENOSYS\n",
			(void *)rip, nr);
	}
	TRACE_LEAVE(nr, -ENOSYS);
	PREEMPT_LEAVE();
	return -ENOSYS;
}
