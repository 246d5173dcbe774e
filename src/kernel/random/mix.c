/*
 * mix.c - entropy from devices (virtio-rng), mixed into every later
 * random_bytes() output.
 *
 * Layer: kernel random. Called by src/drivers/virtio/virtio_rng.c; only an
 * image that links that driver links this file, and random.c calls
 * random_mix_out() through a weak reference (absent elsewhere). The device
 * bytes key a second ChaCha20 generator whose keystream is XORed over what
 * the main source (RDRAND, RDSEED or the jitter-seeded generator) gives:
 * the result is at least as unpredictable as the better of the two.
 */
#include <stdint.h>
#include <string.h>
#include <uni/kernel.h>
#include <uni/random.h>
#include "chacha20.h"

static struct chacha_rng dev_rng;
static int dev_seeded;

void random_add_entropy(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		uint64_t v = 0;
		size_t n = MIN(len, sizeof(v));

		memcpy(&v, p, n);
		chacha_rng_absorb(&dev_rng, v);
		p += n;
		len -= n;
	}
	chacha_rng_stir(&dev_rng);
	dev_seeded = 1;
}

void random_mix_out(void *buf, size_t len)
{
	uint8_t mask[64], *p = buf;

	if (!dev_seeded)
		return;
	while (len) {
		size_t n = MIN(len, sizeof(mask));

		chacha_rng_read(&dev_rng, mask, n);
		for (size_t i = 0; i < n; i++)
			p[i] ^= mask[i];
		p += n;
		len -= n;
	}
	memset(mask, 0, sizeof(mask));
}
