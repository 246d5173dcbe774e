/*
 * uaccess.S - the one copy that may fault: program pointers in syscalls.
 *
 * Layer: arch/x86_64, behind <uni/uaccess.h>. uaccess_copy(dst, src, n)
 * is a single rep movsb; if it takes a page fault or a general protection
 * fault (non-canonical address), trap_handler asks uaccess_fixup() for a
 * resume address and continues at uaccess_efault, which returns -EFAULT.
 */
	.text
	.global uaccess_copy
	.type uaccess_copy, @function
uaccess_copy:
	movq %rdx, %rcx
uaccess_insn:
	rep movsb
	xorl %eax, %eax
	ret
uaccess_efault:
	movq $-14, %rax /* -EFAULT */
	ret
	.size uaccess_copy, . - uaccess_copy

/* unsigned long uaccess_fixup(unsigned long rip) */
	.global uaccess_fixup
	.type uaccess_fixup, @function
uaccess_fixup:
	xorl %eax, %eax
	leaq uaccess_insn(%rip), %rdx
	cmpq %rdx, %rdi
	jne 1f
	leaq uaccess_efault(%rip), %rax
1:	ret
	.size uaccess_fixup, . - uaccess_fixup
