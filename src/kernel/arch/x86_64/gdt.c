/*
 * gdt.c - the final GDT and the TSS that holds the interrupt stacks.
 *
 * Layer: arch/x86_64, called once by kmain() (gdt_init) before idt_init().
 * Every interrupt and exception runs on an IST stack: program code and
 * musl's assembly use the red zone below %rsp, which a same-stack
 * interrupt frame would overwrite. IST1 serves ordinary vectors; NMI,
 * double fault and machine check get their own stacks (IST2..4) so that a
 * fault while handling a fault still has a good stack.
 */
#include <stdint.h>
#include <uni/kernel.h>
#include "arch.h"

#define IST_STACK_SIZE 16384

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

static struct tss tss;
static uint8_t ist_stacks[4][IST_STACK_SIZE] __attribute__((aligned(16)));

/* null, kernel code, kernel data, TSS (two slots). */
static uint64_t gdt[5] = {
	0,
	0x00af9a000000ffffULL, /* GDT_CODE: 64-bit, present, ring 0 */
	0x00cf92000000ffffULL, /* GDT_DATA */
};

void gdt_init(void)
{
	uint64_t base = (uint64_t)&tss;
	uint64_t limit = sizeof(tss) - 1;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = { sizeof(gdt) - 1, (uint64_t)gdt };

	for (int i = 0; i < 4; i++)
		tss.ist[i] = (uint64_t)&ist_stacks[i][IST_STACK_SIZE];
	tss.iomap_base = sizeof(tss);

	/* 64-bit available TSS descriptor (type 9), 16 bytes. */
	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		 (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
		 (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(ptr), "i"(GDT_CODE), "i"(GDT_DATA), "r"(GDT_TSS)
			 : "rax", "memory");
}
