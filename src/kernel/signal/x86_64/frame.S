/*
 * frame.S - the two stack moves of signal delivery (src/kernel/signal).
 *
 * arch_sig_call: syscall-exit delivery calls a handler as a nested call;
 * with SA_ONSTACK it must run on the alternate stack, so switch %rsp for
 * the call and back. arch_sig_resume: rt_sigreturn's end, load a whole
 * struct trap_frame (arch.h) and iretq into it (as switch.S does for a
 * preempted thread), interrupts re-enabled by the restored RFLAGS.
 */
#include "../../arch/x86_64/trapframe.h"
	.text

/* void arch_sig_call(handler, int sig, siginfo_t *si, void *uc,
 *                    uint64_t stack_top) */
	.global arch_sig_call
	.hidden arch_sig_call
arch_sig_call:
	pushq %rbp
	movq %rsp, %rbp
	movq %r8, %rsp
	movq %rdi, %rax
	movl %esi, %edi
	movq %rdx, %rsi
	movq %rcx, %rdx
	call *%rax
	movq %rbp, %rsp
	popq %rbp
	ret

/* void arch_sig_resume(const struct trap_frame *tf) */
	.global arch_sig_resume
	.hidden arch_sig_resume
arch_sig_resume:
	movq %rdi, %rsp
	TRAP_FRAME_POP_IRET
