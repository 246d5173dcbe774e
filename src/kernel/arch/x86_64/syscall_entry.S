/*
 * syscall_entry.S - where the SYSCALL instruction lands (MSR_LSTAR).
 *
 * Layer: arch/x86_64 syscall entry. musl's own syscalls are direct calls;
 * this path serves code that issues `syscall` itself (inline assembly in
 * some libraries). syscall_insn.c points LSTAR here at boot. Everything
 * runs in ring 0, so the CPU does not switch stacks: we arrive on the
 * caller's stack with RCX = the return RIP, R11 = the caller's RFLAGS
 * (SFMASK has cleared TF, DF, AC and NT; IF is left alone, interrupts use
 * IST stacks), RAX = the number, arguments in RDI RSI RDX R10 R8 R9.
 *
 * The System V ABI lets the caller keep data in the 128-byte red zone
 * below %rsp, so the entry first steps over it, builds a frame that
 * backtraces can walk (return RIP, saved RBP), aligns the stack for C and
 * calls syscall_insn_dispatch(nr, a, b, c, d, e, f, rip). As Linux, every
 * register but RAX (the result), RCX and R11 comes back unchanged; RFLAGS
 * is restored from R11 while still below the red zone, and the return is
 * an indirect jump to RCX (SYSRET would drop to ring 3).
 */
	.text
	.globl syscall_entry
	.type syscall_entry, @function
syscall_entry:
	lea -128(%rsp), %rsp     /* step over the caller's red zone */
	push %rcx                /* return RIP: the frame's return address */
	push %rbp
	mov %rsp, %rbp
	and $-16, %rsp
	push %rcx
	push %r11
	push %rdi
	push %rsi
	push %rdx
	push %r10
	push %r8
	push %r9                 /* eight pushes: still 16-byte aligned */
	push %rcx                /* 8th argument: rip */
	push %r9                 /* 7th argument: f */
	mov %r8, %r9
	mov %r10, %r8
	mov %rdx, %rcx
	mov %rsi, %rdx
	mov %rdi, %rsi
	movslq %eax, %rdi        /* the number is an int, as Linux takes it */
	call syscall_insn_dispatch
	add $16, %rsp
	pop %r9
	pop %r8
	pop %r10
	pop %rdx
	pop %rsi
	pop %rdi
	pop %r11
	pop %rcx
	mov %rbp, %rsp
	pop %rbp
	push %r11                /* below the red zone: safe to use */
	popfq
	lea 136(%rsp), %rsp      /* the RIP slot and the red zone; lea keeps flags */
	jmp *%rcx
	.size syscall_entry, . - syscall_entry

	.section .note.GNU-stack, "", @progbits
