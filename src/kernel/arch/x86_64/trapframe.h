/*
 * trapframe.h - assembler macros for struct trap_frame (arch.h): the
 * general registers pushed after the CPU's interrupt frame, vector and
 * error code. Included by trap_entry.S (interrupt entry and exit),
 * switch.S (resuming a preempted thread) and signal/x86_64/frame.S
 * (rt_sigreturn): one definition of the layout the C side reads.
 */
#ifndef UNI_ARCH_X86_64_TRAPFRAME_H
#define UNI_ARCH_X86_64_TRAPFRAME_H

/* Push rax..r15 so that %rsp points at a struct trap_frame. */
.macro TRAP_FRAME_PUSH_REGS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

/* With %rsp at a struct trap_frame: restore every register, drop vector
 * and error code, return to the interrupted context. */
.macro TRAP_FRAME_POP_IRET
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp /* vector, error */
	iretq
.endm

#endif
