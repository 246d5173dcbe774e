/*
 * idt.c - the interrupt descriptor table.
 *
 * Layer: arch/x86_64, idt_init() called once by kmain() after gdt_init().
 * Every one of the 256 vectors is an interrupt gate to its stub in
 * trap_entry.S, on an IST stack: IST_NMI, IST_DOUBLE_FAULT and
 * IST_MACHINE_CHECK for those three, IST_DEFAULT for the rest.
 */
#include <stdint.h>
#include <uni/x86_64/cpu.h>
#include "arch.h"

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr; /* 0x8e: present, ring 0, 64-bit interrupt gate */
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));

extern char trap_stubs[];
static struct idt_gate idt[256] __attribute__((aligned(16)));

void idt_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = { sizeof(idt) - 1, (uint64_t)idt };

	for (int v = 0; v < 256; v++) {
		uint64_t handler = (uint64_t)(trap_stubs + 16 * v);
		uint8_t ist = IST_DEFAULT;

		if (v == 2)
			ist = IST_NMI;
		else if (v == 8)
			ist = IST_DOUBLE_FAULT;
		else if (v == 18)
			ist = IST_MACHINE_CHECK;
		idt[v] = (struct idt_gate){
			.offset_lo = handler & 0xffff,
			.selector = GDT_CODE,
			.ist = ist,
			.type_attr = 0x8e,
			.offset_mid = (handler >> 16) & 0xffff,
			.offset_hi = handler >> 32,
		};
	}
	__asm__ volatile("lidt %0" : : "m"(ptr));
	/* SeaBIOS (pc, q35) leaves the 8259 PICs unmasked with their
	 * vectors at 8-15: the PIT's IRQ 0 would arrive as a "double fault"
	 * the first time interrupts are on. Every interrupt here comes
	 * through the LAPIC (timer, MSI-X) or the I/O APIC, so mask both;
	 * on machines without PICs (microvm) the writes go nowhere. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}
