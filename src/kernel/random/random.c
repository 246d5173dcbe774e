/*
 * random.c - the kernel's random bytes: AT_RANDOM and getrandom(2).
 *
 * Layer: kernel random. Called by process start-up (AT_RANDOM, musl's
 * stack-protector and pointer-guard seed) and by sys_getrandom
 * (sys_random.c). When the CPU has RDRAND (a DRBG reseeded by the
 * hardware entropy source) it serves every request; with only RDSEED,
 * RDSEED does; each is retried as Intel advises. Without either (an old
 * CPU, or `-cpu ...,-rdrand,-rdseed`), or if the instruction keeps
 * failing, a ChaCha20 generator (chacha20.c) serves, seeded once from
 * every source this machine has: many TSC samples taken around port I/O
 * and CPUID (their timing jitters with the host), the TSC itself, and the
 * CMOS real-time clock. It is never a constant; how strong it is depends
 * on the host, so the console says once that it is in use. In an image
 * with the virtio-rng driver, mix.c XORs a generator keyed from the
 * device over every output (random_mix_out, a weak reference here).
 */
#include <stdint.h>
#include <string.h>
#include <uni/kernel.h>
#include <uni/random.h>
#include <uni/x86_64/cpu.h>
#include "chacha20.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define CMOS_NMI_OFF 0x80       /* keep NMIs masked while selecting */
#define JITTER_SAMPLES 2048

enum source { SRC_UNKNOWN, SRC_RDRAND, SRC_RDSEED, SRC_CHACHA };

static enum source source;
static struct chacha_rng rng;
static int rng_seeded;

static int rdseed64(uint64_t *v)
{
	for (int i = 0; i < 16; i++) {
		uint8_t ok;
		__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return 1;
		cpu_relax();
	}
	return 0;
}

static int rdrand64(uint64_t *v)
{
	for (int i = 0; i < 10; i++) {
		uint8_t ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return 1;
	}
	return 0;
}

static enum source pick_source(void)
{
	if ((cpuid(1, 0).ecx >> 30) & 1)
		return SRC_RDRAND;
	if (cpuid(0, 0).eax >= 7 && ((cpuid(7, 0).ebx >> 18) & 1))
		return SRC_RDSEED;
	return SRC_CHACHA;
}

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, CMOS_NMI_OFF | reg);
	return inb(CMOS_DATA);
}

/*
 * Seed the generator from everything available. The RTC gives the date
 * (different on every boot a second apart; 0xff on a machine without one);
 * the TSC gives the time since power-on; the TSC deltas around CPUID and
 * port reads (each a VM exit under KVM, an emulator helper under TCG)
 * carry the host's scheduling and cache noise in their low bits. Every
 * sample is absorbed whole: the generator's stirring spreads it.
 */
KERNEL_COLD static void seed_chacha(void)
{
	static const uint8_t rtc_regs[] = { 0x00, 0x02, 0x04, 0x06, 0x07,
					    0x08, 0x09, 0x32, 0x0a, 0x0b };
	uint64_t prev = rdtsc();

	chacha_rng_absorb(&rng, prev);
	for (size_t i = 0; i < ARRAY_SIZE(rtc_regs); i++)
		chacha_rng_absorb(&rng, (uint64_t)cmos_read(rtc_regs[i]) << 32 |
					rdtsc());
	for (int i = 0; i < JITTER_SAMPLES; i++) {
		uint64_t now;

		if (i & 1)
			(void)cpuid(0, 0);
		else
			(void)cmos_read(0x00);
		now = rdtsc();
		chacha_rng_absorb(&rng, (now - prev) << 32 ^ now);
		prev = now;
	}
	chacha_rng_stir(&rng);
	rng_seeded = 1;
	kprintf("uni: random: no RDRAND/RDSEED; ChaCha20 seeded from the RTC "
		"and %d TSC jitter samples\n", JITTER_SAMPLES);
}

static void chacha_bytes(void *buf, size_t len)
{
	if (!rng_seeded)
		seed_chacha();
	chacha_rng_read(&rng, buf, len);
}

void random_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t n_total = len;

	if (source == SRC_UNKNOWN)
		source = pick_source();
	while (len && source != SRC_CHACHA) {
		uint64_t v;
		size_t n = MIN(len, sizeof(v));
		int ok = source == SRC_RDRAND ? rdrand64(&v) : rdseed64(&v);

		if (!ok) {
			/* Intel: ten RDRAND failures in a row mean a broken
			 * unit. Never hand out a constant: fall back. */
			kprintf("uni: random: %s keeps failing; using ChaCha20\n",
				source == SRC_RDRAND ? "RDRAND" : "RDSEED");
			source = SRC_CHACHA;
			break;
		}
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
	if (len)
		chacha_bytes(p, len);
	/* Device entropy (mix.c), linked only with a virtio-rng driver. */
	if (random_mix_out)
		random_mix_out(buf, n_total);
}
