/*
 * arch.h - internals shared by the arch/x86_64 files (GDT, IDT, traps).
 * Not for other subsystems: they use <uni/x86_64/cpu.h> and <uni/kernel.h>.
 */
#ifndef UNI_ARCH_X86_64_PRIV_H
#define UNI_ARCH_X86_64_PRIV_H

#include <stdint.h>

#define GDT_CODE 0x08
#define GDT_DATA 0x10
#define GDT_TSS 0x18

/* IST slots (1-based, as the IDT gate field). */
#define IST_DEFAULT 1
#define IST_NMI 2
#define IST_DOUBLE_FAULT 3
#define IST_MACHINE_CHECK 4

/* Saved by trap_entry.S, in push order reversed (lowest address first). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};

void gdt_init(void);
void idt_init(void);
void trap_handler(struct trap_frame *tf);

/* Call fn() with %rsp = stack_top; fn must not return. */
void arch_call_on_stack(void (*fn)(void *), void *arg, void *stack_top)
	__attribute__((noreturn));

/* Enter the program: %rsp = sp, jump to entry with %rdx = 0. */
void arch_enter_program(void *entry, void *sp) __attribute__((noreturn));

#endif
