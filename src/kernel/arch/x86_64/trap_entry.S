/*
 * trap_entry.S - the 256 interrupt entry stubs and the common path.
 *
 * Layer: arch/x86_64. idt_init() points every IDT gate at trap_stubs +
 * 16 * vector. Each stub pushes a zero error code where the CPU pushes
 * none, then the vector, and joins trap_common, which saves the general
 * registers as a struct trap_frame (arch.h) and calls trap_handler().
 * All gates use IST stacks (gdt.c), so the interrupted code's red zone is
 * never touched.
 */
#include "trapframe.h"
	.text
	.align 16
	.global trap_stubs
trap_stubs:
	vector = 0
	.rept 256
	.align 16
	/* Vectors with a CPU error code: 8, 10-14, 17, 21, 29, 30. */
	.if (vector == 8) || (vector >= 10 && vector <= 14) || (vector == 17) || (vector == 21) || (vector == 29) || (vector == 30)
	.else
	pushq $0
	.endif
	pushq $vector
	jmp trap_common
	vector = vector + 1
	.endr

trap_common:
	TRAP_FRAME_PUSH_REGS
	cld
	movq %rsp, %rdi
	call trap_handler
	TRAP_FRAME_POP_IRET

/* void arch_call_on_stack(void (*fn)(void *), void *arg, void *stack_top) */
	.global arch_call_on_stack
arch_call_on_stack:
	movq %rdx, %rsp
	xorl %ebp, %ebp
	movq %rdi, %rax
	movq %rsi, %rdi
	call *%rax
	ud2

/* void arch_enter_program(void *entry, void *sp): the ELF process entry
 * convention, %rsp at argc and %rdx = 0 (no exit handler to register). */
	.global arch_enter_program
arch_enter_program:
	movq %rsi, %rsp
	xorl %ebp, %ebp
	xorl %edx, %edx
	jmp *%rdi
