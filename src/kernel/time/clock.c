/*
 * clock.c - the TSC clock: calibration, monotonic time, boot wall clock.
 *
 * Layer: kernel time, called by the clock syscalls (sys_time.c) and later
 * by timers. The TSC frequency comes from, in order: CPUID 0x15 (crystal
 * ratio), the hypervisor leaf 0x40000010 (KVM, VMware), a 5 ms count
 * against PIT channel 0 read by latch commands (microvm has no port 0x61,
 * so channel 2's gate cannot be used), CPUID 0x16 (nominal MHz). The wall
 * clock at start comes from the CMOS RTC, guarded against the 0xff reads of
 * a machine without one (QEMU rtc=off); clock_settime(CLOCK_REALTIME)
 * moves it later (time_set_wall_ns), never the monotonic clock, and tells
 * the subsystems that keep CLOCK_REALTIME deadlines (time_wall_watch).
 */
#include <errno.h>
#include <stdint.h>
#include <uni/kernel.h>
#include <uni/time.h>
#include <uni/x86_64/cpu.h>

#define PIT_HZ 1193182ULL
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71

static uint64_t tsc_hz, tsc_start, wall_base_ns;
static uint64_t ns_mult; /* ns = (tsc_delta * ns_mult) >> 32 */
static int ready;
static struct wall_watch *wall_watchers;

static uint64_t hz_from_cpuid(void)
{
	uint32_t max = cpuid(0, 0).eax;

	if (max >= 0x15) {
		struct cpuid_regs r = cpuid(0x15, 0);
		if (r.eax && r.ebx && r.ecx)
			return (uint64_t)r.ecx * r.ebx / r.eax;
	}
	if ((cpuid(1, 0).ecx >> 31) & 1) { /* running under a hypervisor */
		uint32_t hv_max = cpuid(0x40000000, 0).eax;
		if (hv_max >= 0x40000010) {
			uint32_t khz = cpuid(0x40000010, 0).eax;
			if (khz)
				return (uint64_t)khz * 1000;
		}
	}
	return 0;
}

static uint16_t pit_read(void)
{
	uint8_t lo, hi;

	outb(PIT_CMD, 0x00); /* latch channel 0 */
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	return (uint16_t)(lo | hi << 8);
}

static uint64_t hz_from_pit(void)
{
	const uint16_t ticks = PIT_HZ / 200; /* 5 ms */
	uint16_t start, now;
	uint64_t t0, t1;
	long spins = 0;

	outb(PIT_CMD, 0x34); /* channel 0, lo/hi byte, mode 2, binary */
	outb(PIT_CH0, 0xff);
	outb(PIT_CH0, 0xff);
	start = pit_read();
	t0 = rdtsc();
	do {
		now = pit_read();
		/* No PIT: the count never moves. Give up after ~1M reads. */
		if (++spins > 1000000)
			return 0;
	} while ((uint16_t)(start - now) < ticks);
	t1 = rdtsc();
	return (t1 - t0) * PIT_HZ / (uint16_t)(start - now);
}

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static unsigned bcd(uint8_t v, int binary)
{
	return binary ? v : (v & 0x0f) + (v >> 4) * 10;
}

/* Seconds since the epoch from the RTC, or 0 if there is none. */
static uint64_t cmos_epoch(void)
{
	uint8_t r[6], again[6], status_b;
	int tries = 0;

	if (cmos_read(0x0a) == 0xff && cmos_read(0x0b) == 0xff)
		return 0; /* no RTC: every register reads 0xff */
	do {
		for (int spin = 0; (cmos_read(0x0a) & 0x80) && spin < 100000;
		     spin++)
			cpu_relax(); /* update in progress */
		static const uint8_t regs[6] = { 0x00, 0x02, 0x04,
						 0x07, 0x08, 0x09 };
		for (int i = 0; i < 6; i++)
			r[i] = cmos_read(regs[i]);
		for (int i = 0; i < 6; i++)
			again[i] = cmos_read(regs[i]);
	} while (__builtin_memcmp(r, again, 6) && ++tries < 5);

	status_b = cmos_read(0x0b);
	int binary = status_b & 0x04;
	unsigned sec = bcd(r[0], binary), min = bcd(r[1], binary);
	unsigned hour = bcd(r[2] & 0x7f, binary);
	unsigned day = bcd(r[3], binary), mon = bcd(r[4], binary);
	unsigned year = bcd(r[5], binary) + 2000;
	if (!(status_b & 0x02) && (r[2] & 0x80))
		hour = (hour % 12) + 12; /* 12-hour mode, PM */
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 ||
	    min > 59 || sec > 60)
		return 0;
	return (uint64_t)days_from_civil(year, mon, day) * 86400 +
	       hour * 3600 + min * 60 + sec;
}

KERNEL_COLD static void time_init(void)
{
	tsc_hz = hz_from_cpuid();
	if (!tsc_hz)
		tsc_hz = hz_from_pit();
	if (!tsc_hz && cpuid(0, 0).eax >= 0x16)
		tsc_hz = (uint64_t)(cpuid(0x16, 0).eax & 0xffff) * 1000000;
	if (!tsc_hz) {
		tsc_hz = 1000000000ULL;
		kprintf("uni: time: no way to calibrate the TSC, assuming 1 GHz\n");
	}
	ns_mult = (uint64_t)(((unsigned __int128)NSEC_PER_SEC << 32) / tsc_hz);
	tsc_start = rdtsc();
	uint64_t epoch = cmos_epoch();
	if (!epoch)
		kprintf("uni: time: no RTC, the wall clock starts at 1970\n");
	wall_base_ns = epoch * NSEC_PER_SEC;
	ready = 1;
}

uint64_t time_now_ns(void)
{
	if (!ready)
		time_init();
	uint64_t delta = rdtsc() - tsc_start;
	return (uint64_t)(((unsigned __int128)delta * ns_mult) >> 32);
}

uint64_t time_wall_base_ns(void)
{
	if (!ready)
		time_init();
	return wall_base_ns;
}

uint64_t time_tsc_hz(void)
{
	if (!ready)
		time_init();
	return tsc_hz;
}

int time_set_wall_ns(uint64_t wall_ns)
{
	uint64_t now = time_now_ns(), old = wall_base_ns;
	struct wall_watch *w;

	/* The base is unsigned: a wall clock before the moment the TSC
	 * clock started (1970 + uptime) cannot be represented. */
	if (wall_ns < now)
		return -EINVAL;
	wall_base_ns = wall_ns - now;
	for (w = wall_watchers; w; w = w->next)
		w->fn(w, (int64_t)(wall_base_ns - old));
	return 0;
}

void time_wall_watch(struct wall_watch *w)
{
	if (w->on)
		return;
	w->on = 1;
	w->next = wall_watchers;
	wall_watchers = w;
}
