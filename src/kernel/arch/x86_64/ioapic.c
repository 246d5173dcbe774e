/*
 * ioapic.c - the I/O APIC: legacy interrupt lines to LAPIC vectors.
 *
 * Layer: arch/x86_64, called by sched/irq.c (irq_attach_isa). QEMU's pc,
 * q35 and microvm machines all put the I/O APIC at 0xfec00000 with the
 * ISA lines 1-15 on the pins of the same number (IRQ 0 alone moves to
 * pin 2), as their ACPI MADT says; the version register tells whether
 * one is there at all (absent MMIO reads as all ones). The 8259 PICs are
 * masked at boot (idt.c), so a line cannot also arrive through LINT0 as
 * a stray vector. Edge-triggered, active high, fixed delivery to one
 * CPU: what ISA devices want.
 */
#include <errno.h>
#include <stdint.h>
#include <uni/kernel.h>
#include <uni/mm.h>
#include <uni/x86_64/cpu.h>

#define IOAPIC_PA 0xfec00000UL
#define IOREGSEL 0
#define IOWIN 4 /* 32-bit words: offset 0x10 */
#define REG_VER 1
#define REG_REDIR(pin) (0x10 + 2 * (pin))

static volatile uint32_t *regs;
static unsigned npins;

static uint32_t io_read(uint32_t reg)
{
	regs[IOREGSEL] = reg;
	return regs[IOWIN];
}

static void io_write(uint32_t reg, uint32_t v)
{
	regs[IOREGSEL] = reg;
	regs[IOWIN] = v;
}

static int ioapic_init(void)
{
	uint32_t ver;

	if (regs)
		return npins ? 0 : -ENODEV;
	regs = mm_map_mmio(IOAPIC_PA, UNI_PAGE_SIZE);
	ver = io_read(REG_VER);
	if (ver == 0xffffffffu)
		return -ENODEV;
	npins = ((ver >> 16) & 0xff) + 1;
	return 0;
}

int ioapic_route(unsigned irq, int vector, unsigned dest)
{
	unsigned pin = irq == 0 ? 2 : irq;

	if (ioapic_init() || pin >= npins || irq > 15)
		return -ENODEV;
	io_write(REG_REDIR(pin) + 1, dest << 24);
	io_write(REG_REDIR(pin), (uint32_t)vector); /* fixed, edge, high, unmasked */
	return 0;
}
