/*
 * switch.S - the context switch and the start of a new thread.
 *
 * Layer: arch/x86_64, called by src/kernel/sched/sched.c with interrupts
 * disabled. A thread that gave up the CPU inside the kernel is saved as
 * six callee-saved registers pushed on its own stack plus that %rsp
 * (struct thread.ksp). A thread preempted in program code is saved as the
 * whole struct trap_frame (arch.h) in its thread block; it is resumed by
 * pointing %rsp at that copy and popping it, ending in iretq, so no byte
 * below the program's %rsp (its red zone) is ever written.
 */
#include "trapframe.h"
	.text

/* Push the callee-saved registers and store %rsp in *%rdi: the kernel
 * context arch_switch_resume pops again. */
.macro SAVE_KERNEL_CONTEXT
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
.endm

/* void arch_switch(uint64_t *save_ksp, uint64_t ksp) */
	.global arch_switch
arch_switch:
	SAVE_KERNEL_CONTEXT
	movq %rsi, %rsp
/* Also the iretq target when the timer interrupt resumes a thread that
 * was switched out inside the kernel (sched_irq builds that frame). */
	.global arch_switch_resume
arch_switch_resume:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/* void arch_switch_iret(uint64_t *save_ksp, const struct trap_frame *tf):
 * save like arch_switch, then resume a preempted thread from its frame. */
	.global arch_switch_iret
arch_switch_iret:
	SAVE_KERNEL_CONTEXT
	movq %rsi, %rsp
	TRAP_FRAME_POP_IRET

/* First run of a new thread (sched_clone lays out an arch_switch frame
 * whose return address is here, r13 = fn, r12 = arg): enable interrupts,
 * call fn(arg), end the thread with its result. */
	.global arch_thread_start
arch_thread_start:
	xorl %ebp, %ebp
	sti
	movq %r12, %rdi
	call *%r13
	movl %eax, %edi
	call sched_thread_return
	ud2
