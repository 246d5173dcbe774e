/*
 * tsc-khz.c - print the host's TSC frequency in kHz (host tool).
 *
 * Layer: benchmark (host). Under TCG a guest's RDTSC returns the host's
 * TSC, and a Linux guest on QEMU's microvm has nothing to calibrate its TSC
 * against (no PIT gate on port 0x61, no HPET or ACPI PM timer), so bench/core
 * hands it the frequency measured here with tsc_early_khz=. Measures
 * RDTSC against CLOCK_MONOTONIC_RAW over five 50 ms windows and prints the
 * median, rounded to 1000 kHz (TSCs run at whole MHz).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <x86intrin.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(void)
{
	double khz[5];
	for (int i = 0; i < 5; i++) {
		struct timespec d = {0, 50000000};
		double t0 = now_s();
		unsigned long long c0 = __rdtsc();
		nanosleep(&d, NULL);
		double t1 = now_s();
		unsigned long long c1 = __rdtsc();
		khz[i] = (c1 - c0) / (t1 - t0) / 1000.0;
	}
	qsort(khz, 5, sizeof khz[0], cmp);
	printf("%ld\n", (long)(khz[2] / 1000.0 + 0.5) * 1000);
	return 0;
}
