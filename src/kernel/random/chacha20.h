/*
 * chacha20.h - the ChaCha20 block function (RFC 8439) and a small
 * generator built on it, for the kernel's fallback random source.
 *
 * Layer: kernel random, internal (src/kernel/random/). Pure logic with no
 * I/O, so test/unit/test_chacha20.c compiles chacha20.c on the host and
 * checks it against the RFC's test vectors.
 *
 * The generator (struct chacha_rng) keeps a 256-bit key. Entropy is mixed
 * in with chacha_rng_absorb(): each sample is XORed into the key and, once
 * a key's worth of words has gone in, the key is replaced by the first half
 * of a block keyed by itself ("stirring"), so every sample influences every
 * later output bit. chacha_rng_read() produces keystream and then replaces
 * the key with fresh keystream ("fast key erasure", as in Bernstein's and
 * OpenBSD's arc4random designs): a later compromise of the state does not
 * reveal earlier output.
 */
#ifndef UNI_RANDOM_CHACHA20_H
#define UNI_RANDOM_CHACHA20_H

#include <stddef.h>
#include <stdint.h>

/* RFC 8439 §2.3: 64 bytes of keystream for (key, counter, nonce). */
void chacha20_block(const uint32_t key[8], uint32_t counter,
		    const uint32_t nonce[3], uint8_t out[64]);

struct chacha_rng {
	uint32_t key[8];
	uint32_t nonce[3];  /* nonce[0] counts rekeys */
	unsigned absorbed;  /* words XORed into key since the last stir */
};

void chacha_rng_absorb(struct chacha_rng *r, uint64_t sample);
/* Mix everything absorbed so far through the block function. */
void chacha_rng_stir(struct chacha_rng *r);
void chacha_rng_read(struct chacha_rng *r, void *buf, size_t len);

#endif
