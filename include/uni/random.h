/*
 * uni/random.h - kernel randomness: AT_RANDOM and getrandom(2).
 * Layer: kernel random (src/kernel/random/random.c). RDRAND or RDSEED when
 * the CPU has them, else a ChaCha20 generator seeded from the TSC's
 * jitter and the RTC. Never blocks, never a constant.
 */
#ifndef UNI_RANDOM_H
#define UNI_RANDOM_H

#include <stddef.h>

void random_bytes(void *buf, size_t len);

/* Entropy from a device (virtio-rng): every later random_bytes() output
 * depends on it (src/kernel/random/mix.c). random_mix_out is weak: it is
 * there only in images that link a driver calling random_add_entropy. */
void random_add_entropy(const void *buf, size_t len);
void random_mix_out(void *buf, size_t len) __attribute__((weak));

#endif
