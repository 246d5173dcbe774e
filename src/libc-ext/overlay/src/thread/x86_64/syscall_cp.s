/* syscall_cp.s (uni) - musl's out-of-line cancellable syscall, for the
 * rare call with a variable number: check the cancel flag, then jump to the
 * kernel's dispatch table instead of executing `syscall`. Called by
 * __syscall_cp_c (src/thread/pthread_cancel.c). Constant-number cancellation
 * points never come here (see syscall_arch.h). */
.text
.global __cp_begin
.hidden __cp_begin
.global __cp_end
.hidden __cp_end
.global __cp_cancel
.hidden __cp_cancel
.hidden __cancel
.global __syscall_cp_asm
.hidden __syscall_cp_asm
.type   __syscall_cp_asm,@function
/* long __syscall_cp_asm(volatile int *cancel, nr, u, v, w, x, y, z)
 * becomes __uni_syscall_dispatch(nr, u, v, w, x, y, z): shift the register
 * arguments down by one and move z into the single stack argument slot. */
__syscall_cp_asm:
__cp_begin:
	mov (%rdi),%eax
	test %eax,%eax
	jnz __cp_cancel
	mov %rsi,%rdi
	mov %rdx,%rsi
	mov %rcx,%rdx
	mov %r8,%rcx
	mov %r9,%r8
	mov 8(%rsp),%r9
	mov 16(%rsp),%rax
	mov %rax,8(%rsp)
	jmp __uni_syscall_dispatch
__cp_end:
__cp_cancel:
	jmp __cancel
