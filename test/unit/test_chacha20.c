/*
 * test_chacha20.c - host unit test of the ChaCha20 block function and the
 * fallback generator (src/kernel/random/chacha20.c, compiled as it is).
 *
 * Layer: test/unit (ctest -L unit). The block function against RFC 8439:
 * the block-function vector (§2.3.2) and test vector #1 of Appendix A.1
 * (all-zero key and nonce). The generator: the same seed gives the same
 * stream and one differing sample changes it, successive reads differ,
 * the key changes after each read (fast key erasure), and long reads cross
 * blocks without repeating. Prints "test_chacha20: N passed, M failed";
 * exit status 1 on failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "chacha20.h"
#include "unit.h"

/* RFC 8439 §2.3.2: key 00 01 .. 1f, nonce 00:00:00:09:00:00:00:4a:00:00:
 * 00:00, block count 1. */
static const uint8_t rfc_2_3_2[64] = {
	0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f,
	0xa3, 0x20, 0x71, 0xc4, 0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03,
	0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e, 0xd2, 0x82, 0x64, 0x46,
	0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2,
	0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8,
	0xa2, 0x50, 0x3c, 0x4e,
};

/* RFC 8439 A.1, test vector #1: zero key, zero nonce, block count 0. */
static const uint8_t rfc_a_1_1[64] = {
	0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5,
	0x53, 0x86, 0xbd, 0x28, 0xbd, 0xd2, 0x19, 0xb8, 0xa0, 0x8d, 0xed, 0x1a,
	0xa8, 0x36, 0xef, 0xcc, 0x8b, 0x77, 0x0d, 0xc7, 0xda, 0x41, 0x59, 0x7c,
	0x51, 0x57, 0x48, 0x8d, 0x77, 0x24, 0xe0, 0x3f, 0xb8, 0xd8, 0x4a, 0x37,
	0x6a, 0x43, 0xb8, 0xf4, 0x15, 0x18, 0xa1, 0x1c, 0xc3, 0x87, 0xb6, 0x69,
	0xb2, 0xee, 0x65, 0x86,
};

static void test_block_vectors(void)
{
	uint32_t key[8], nonce[3] = { 0x09000000, 0x4a000000, 0 };
	uint32_t zkey[8] = { 0 }, znonce[3] = { 0 };
	uint8_t out[64];

	/* The key bytes 00..1f, read as little-endian words (§2.3). */
	for (int i = 0; i < 8; i++)
		key[i] = (uint32_t)(4 * i) | (uint32_t)(4 * i + 1) << 8 |
			 (uint32_t)(4 * i + 2) << 16 | (uint32_t)(4 * i + 3) << 24;
	chacha20_block(key, 1, nonce, out);
	CHECK(memcmp(out, rfc_2_3_2, 64) == 0);

	chacha20_block(zkey, 0, znonce, out);
	CHECK(memcmp(out, rfc_a_1_1, 64) == 0);

	/* The counter matters. */
	chacha20_block(zkey, 1, znonce, out);
	CHECK(memcmp(out, rfc_a_1_1, 64) != 0);
}

static void seed(struct chacha_rng *r, uint64_t base)
{
	memset(r, 0, sizeof(*r));
	for (uint64_t i = 0; i < 100; i++)
		chacha_rng_absorb(r, base + i * 0x9e3779b97f4a7c15ULL);
	chacha_rng_stir(r);
}

static void test_generator(void)
{
	struct chacha_rng a, b, c;
	uint8_t x[100], y[100], z[100], big[4096];
	uint32_t key_before[8];

	seed(&a, 1);
	seed(&b, 1);
	seed(&c, 2);
	chacha_rng_read(&a, x, sizeof(x));
	chacha_rng_read(&b, y, sizeof(y));
	chacha_rng_read(&c, z, sizeof(z));
	CHECK(memcmp(x, y, sizeof(x)) == 0); /* deterministic */
	CHECK(memcmp(x, z, sizeof(x)) != 0); /* the seed matters */

	/* One more sample after seeding changes everything after it. */
	chacha_rng_absorb(&b, 42);
	chacha_rng_read(&a, x, sizeof(x));
	chacha_rng_read(&b, y, sizeof(y));
	CHECK(memcmp(x, y, sizeof(x)) != 0);

	/* Successive reads differ; the key is replaced after each. */
	memcpy(key_before, a.key, sizeof(key_before));
	chacha_rng_read(&a, y, sizeof(y));
	CHECK(memcmp(x, y, sizeof(x)) != 0);
	CHECK(memcmp(key_before, a.key, sizeof(key_before)) != 0);

	/* A long read: no 64-byte block repeats, and not all zero. */
	chacha_rng_read(&a, big, sizeof(big));
	int repeats = 0, zero = 1;
	for (size_t i = 0; i < sizeof(big); i += 64)
		for (size_t j = i + 64; j < sizeof(big); j += 64)
			repeats += memcmp(big + i, big + j, 64) == 0;
	for (size_t i = 0; i < sizeof(big); i++)
		zero &= big[i] == 0;
	CHECK(repeats == 0);
	CHECK(!zero);

	/* Odd lengths fill exactly what was asked. */
	memset(x, 0xaa, sizeof(x));
	chacha_rng_read(&a, x, 3);
	CHECK(x[3] == 0xaa && x[99] == 0xaa);
	chacha_rng_read(&a, x, 0);
	CHECK(x[3] == 0xaa);
}

int main(void)
{
	test_block_vectors();
	test_generator();
	printf("test_chacha20: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
