/*
 * boot.S - the first instructions: multiboot v1 and PVH entry to long mode.
 *
 * Layer: arch/x86_64 boot. QEMU (multiboot, a.out kludge) or a PVH loader
 * jumps to _start32 in 32-bit protected mode with paging off. This file
 * saves the loader's registers, builds identity page tables for the first
 * 4 GiB (2 MiB pages), enables PAE, long mode, NX, SSE (and XSAVE where the
 * CPU has it) and jumps to kmain(magic, info) in C on the boot stack.
 * mm_init() replaces these page tables with the final ones.
 */
#define MB_MAGIC      0x1badb002
#define MB_FLAGS      0x00010003 /* page-align modules, memory info, a.out kludge */
#define CR0_PE        (1 << 0)
#define CR0_MP        (1 << 1)
#define CR0_EM        (1 << 2)
#define CR0_NE        (1 << 5)
#define CR0_WP        (1 << 16)
#define CR0_PG        (1 << 31)
#define CR4_PAE       (1 << 5)
#define CR4_OSFXSR    (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define CR4_OSXSAVE   (1 << 18)
#define MSR_EFER      0xc0000080
#define EFER_LME      (1 << 8)
#define EFER_NXE      (1 << 11)

	.section .boot.header, "a"
	.align 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long mb_header          /* header_addr */
	.long _kernel_start      /* load_addr: file offset 0 */
	.long _edata             /* load_end_addr */
	.long _end               /* bss_end_addr: the loader zeroes the bss */
	.long _start32           /* entry_addr */

	/* PVH: XEN_ELFNOTE_PHYS32_ENTRY (18), read as 64 bits from ELF64. */
	.section .note.Xen, "a", @note
	.align 4
	.long 4, 8, 18
	.asciz "Xen"
	.align 4
	.quad _start32

	.section .boot.text, "ax"
	.code32
	.global _start32
_start32:
	cli
	cld
	movl %eax, boot_magic
	movl %ebx, boot_info_addr
	movl $boot_stack_top, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB
	 * pages covering 0..4 GiB, identity, RW. The tables are in .bss,
	 * which the loader zeroed. */
	movl $boot_pdpt, %eax
	orl $3, %eax
	movl %eax, boot_pml4
	movl $boot_pd, %edi
	xorl %ecx, %ecx
1:	movl %edi, %eax
	orl $3, %eax
	movl %eax, boot_pdpt(,%ecx,8)
	addl $4096, %edi
	incl %ecx
	cmpl $4, %ecx
	jne 1b
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax          /* present, writable, 2 MiB page */
	movl %eax, boot_pd(,%ecx,8)
	movl %ecx, %eax
	shrl $11, %eax           /* high dword: (i * 2 MiB) >> 32 */
	movl %eax, boot_pd+4(,%ecx,8)
	incl %ecx
	cmpl $2048, %ecx
	jne 2b

	movl %cr4, %eax
	orl $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3

	/* NX only where the CPU has it (CPUID 0x80000001 EDX bit 20). */
	movl $0x80000001, %eax
	cpuid
	movl $EFER_LME, %esi
	btl $20, %edx
	jnc 3f
	orl $EFER_NXE, %esi
3:	movl $MSR_EFER, %ecx
	rdmsr
	orl %esi, %eax
	wrmsr

	movl %cr0, %eax
	andl $~CR0_EM, %eax
	orl $(CR0_PE | CR0_MP | CR0_NE | CR0_WP | CR0_PG), %eax
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $start64

	.code64
start64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movq $boot_stack_top, %rsp

	/* XSAVE where present: CR4.OSXSAVE, then XCR0 = x87 | SSE | AVX as
	 * far as the CPU supports them (CPUID 0xd.0 EAX). */
	movl $1, %eax
	cpuid
	btl $26, %ecx
	jnc 4f
	movq %cr4, %rax
	orq $CR4_OSXSAVE, %rax
	movq %rax, %cr4
	movl $0xd, %eax
	xorl %ecx, %ecx
	cpuid
	andl $7, %eax
	xorl %edx, %edx
	xorl %ecx, %ecx
	xsetbv
	/* MXCSR keeps its reset value 0x1f80 (all exceptions masked), so
	 * there is no ldmxcsr here: KVM without unrestricted guest support
	 * may still be emulating this code, and cannot emulate SSE. */
4:	fninit

	movl boot_magic, %edi
	movl boot_info_addr, %esi
	xorl %ebp, %ebp
	call kmain
5:	cli
	hlt
	jmp 5b

	.section .rodata
	.align 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff /* 0x10: data */
boot_gdt_ptr:
	.word boot_gdt_ptr - boot_gdt - 1
	.quad boot_gdt

	.section .bss
	.align 4096
	.global boot_pml4
boot_pml4:
	.space 4096
boot_pdpt:
	.space 4096
boot_pd:
	.space 4 * 4096
	.align 16
boot_stack:
	.space 16384
	.global boot_stack_top
boot_stack_top:
boot_magic:
	.long 0
boot_info_addr:
	.long 0
