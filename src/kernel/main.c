/*
 * main.c - kmain(): the boot order, one step a line.
 *
 * Layer: kernel. Called by boot.S on the boot stack in long mode with the
 * loader's EAX/EBX. Never returns: the last step enters the program, whose
 * exit powers the VM off.
 */
#include <stdint.h>
#include <uni/boot.h>
#include <uni/console.h>
#include <uni/kernel.h>
#include <uni/mm.h>
#include <uni/proc.h>
#include <uni/sched.h>
#include "arch/x86_64/arch.h"

void bootinfo_init(uint32_t magic, uint32_t info);
void syscall_insn_init(void);

void kmain(uint32_t magic, uint32_t info)
{
	serial_init();               /* console first: everything may log */
	bootinfo_init(magic, info);  /* memory map, command line */
	gdt_init();                  /* TSS with the IST stacks */
	idt_init();                  /* all vectors on IST stacks */
	syscall_insn_init();         /* the SYSCALL instruction's entry */
	mm_init(&boot_info);         /* frames, final page tables, heap */
	sched_init();                /* thread 1, LAPIC timer, interrupts on */
	proc_start(&boot_info);      /* argv, env, auxv; enter _start */
}
