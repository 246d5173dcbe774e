/*
 * random.c - random bytes from the CPU.
 *
 * Layer: kernel random. Called by process start-up for AT_RANDOM (musl's
 * stack protector and pointer-guard seed). RDSEED, then RDRAND, when the
 * CPU has them (QEMU's `-cpu max` and most hosts do); each is retried a
 * few times as Intel advises. Without either, the TSC's low bits are mixed
 * through splitmix64: weak, and said so once on the console.
 */
#include <stdint.h>
#include <string.h>
#include <uni/kernel.h>
#include <uni/random.h>
#include <uni/x86_64/cpu.h>

static int have_rdrand(void)
{
	return (cpuid(1, 0).ecx >> 30) & 1;
}

static int have_rdseed(void)
{
	return cpuid(0, 0).eax >= 7 && ((cpuid(7, 0).ebx >> 18) & 1);
}

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

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t random_u64(void)
{
	static int seed_ok = -1, rand_ok = -1, warned;
	static uint64_t mix;
	uint64_t v;

	if (seed_ok < 0) {
		seed_ok = have_rdseed();
		rand_ok = have_rdrand();
	}
	if (seed_ok && rdseed64(&v))
		return v;
	if (rand_ok && rdrand64(&v))
		return v;
	if (!warned) {
		warned = 1;
		kprintf("uni: no RDRAND/RDSEED: random bytes come from the TSC\n");
	}
	mix ^= rdtsc();
	return splitmix64(&mix);
}

void random_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		uint64_t v = random_u64();
		size_t n = len < sizeof(v) ? len : sizeof(v);
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
}
