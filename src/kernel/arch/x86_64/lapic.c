/*
 * lapic.c - the local APIC: enable, one-shot timer, end of interrupt.
 *
 * Layer: arch/x86_64, called by the sched timer queue (sched/timer.c).
 * x2APIC (MSRs) when CPUID says so, else xAPIC registers at 0xfee00000.
 * The timer is one-shot: in TSC-deadline mode when CPUID.1:ECX[24] says
 * so (the deadline is a TSC value), else in one-shot count mode with the
 * LAPIC timer rate measured against the TSC at init (Intel SDM vol. 3
 * §11.5.4). The legacy PIC is off on microvm; nothing here touches it.
 */
#include <stdint.h>
#include <uni/kernel.h>
#include <uni/mm.h>
#include <uni/time.h>
#include <uni/x86_64/cpu.h>
#include "../../sched/priv.h"

#define MSR_APIC_BASE 0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define APIC_BASE_ENABLE (1UL << 11)
#define APIC_BASE_X2 (1UL << 10)
#define XAPIC_PA 0xfee00000UL

/* Register offsets (xAPIC MMIO; x2APIC MSR = 0x800 + offset / 16). */
#define APIC_ID 0x20
#define APIC_EOI 0xb0
#define APIC_SVR 0xf0
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR 0x390
#define APIC_TIMER_DIV 0x3e0

#define SVR_ENABLE (1u << 8)
#define SPURIOUS_VECTOR 0xff
#define LVT_TSC_DEADLINE (2u << 17)
#define LVT_MASKED (1u << 16)

static volatile uint32_t *xapic;
static int x2, tsc_deadline;
static uint64_t apic_hz;

static uint32_t apic_read(uint32_t reg)
{
	if (x2)
		return (uint32_t)rdmsr(0x800 + reg / 16);
	return xapic[reg / 4];
}

static void apic_write(uint32_t reg, uint32_t v)
{
	if (x2)
		wrmsr(0x800 + reg / 16, v);
	else
		xapic[reg / 4] = v;
}

static uint64_t ns_to_tsc(uint64_t ns)
{
	return (uint64_t)((unsigned __int128)ns * time_tsc_hz() / NSEC_PER_SEC);
}

KERNEL_COLD int lapic_init(int vector)
{
	struct cpuid_regs r = cpuid(1, 0);
	uint64_t base;

	if (!(r.edx & (1u << 9)))
		return -1;
	x2 = (r.ecx >> 21) & 1;
	tsc_deadline = (r.ecx >> 24) & 1;
	base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;
	if (x2)
		base |= APIC_BASE_X2;
	wrmsr(MSR_APIC_BASE, base);
	if (!x2)
		xapic = mm_map_mmio(XAPIC_PA, UNI_PAGE_SIZE);
	apic_write(APIC_SVR, SVR_ENABLE | SPURIOUS_VECTOR);

	if (tsc_deadline) {
		apic_write(APIC_LVT_TIMER, LVT_TSC_DEADLINE | (uint32_t)vector);
		return 0;
	}
	/* Count mode: measure the rate over 2 ms of TSC, divide by 1. */
	apic_write(APIC_TIMER_DIV, 0xb);
	apic_write(APIC_LVT_TIMER, LVT_MASKED | (uint32_t)vector);
	uint64_t span = ns_to_tsc(2000000), t0 = rdtsc();
	apic_write(APIC_TIMER_INIT, 0xffffffffu);
	while (rdtsc() - t0 < span)
		cpu_relax();
	uint32_t left = apic_read(APIC_TIMER_CUR);
	uint64_t t1 = rdtsc();
	apic_hz = (uint64_t)(0xffffffffu - left) * time_tsc_hz() / (t1 - t0);
	apic_write(APIC_TIMER_INIT, 0);
	if (!apic_hz)
		return -1;
	apic_write(APIC_LVT_TIMER, (uint32_t)vector); /* one-shot */
	return 0;
}

void lapic_arm(uint64_t deadline_ns)
{
	uint64_t now = time_now_ns();
	uint64_t delta = deadline_ns > now ? deadline_ns - now : 0;

	if (tsc_deadline) {
		/* 0 disarms; a deadline in the past fires at once. */
		wrmsr(MSR_TSC_DEADLINE,
		      deadline_ns ? rdtsc() + ns_to_tsc(delta) + 1 : 0);
		return;
	}
	if (!deadline_ns) {
		apic_write(APIC_TIMER_INIT, 0);
		return;
	}
	uint64_t count = (uint64_t)((unsigned __int128)delta * apic_hz /
				    NSEC_PER_SEC) + 1;
	apic_write(APIC_TIMER_INIT, count > 0xffffffffu ? 0xffffffffu
							: (uint32_t)count);
}

unsigned lapic_id(void)
{
	uint32_t id = apic_read(APIC_ID);

	return x2 ? id : id >> 24;
}

void lapic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}
