/*
 * chacha20.c - the ChaCha20 block function (RFC 8439 §2.1-2.3) and the
 * fallback generator built on it.
 *
 * Layer: kernel random, pure logic. random.c uses the generator when the
 * CPU has neither RDRAND nor RDSEED; test/unit/test_chacha20.c checks the
 * block function against RFC 8439's test vectors (§2.1.1, §2.3.2, A.1).
 * The interface and the generator's design are in chacha20.h.
 */
#include <string.h>
#include "chacha20.h"

#define ROTL32(v, n) (((v) << (n)) | ((v) >> (32 - (n))))

/* RFC 8439 §2.1: the quarter round on four words of the state. */
#define QR(a, b, c, d) \
	do { \
		a += b; d ^= a; d = ROTL32(d, 16); \
		c += d; b ^= c; b = ROTL32(b, 12); \
		a += b; d ^= a; d = ROTL32(d, 8); \
		c += d; b ^= c; b = ROTL32(b, 7); \
	} while (0)

static void store32_le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

void chacha20_block(const uint32_t key[8], uint32_t counter,
		    const uint32_t nonce[3], uint8_t out[64])
{
	uint32_t in[16], x[16];

	/* §2.3: "expand 32-byte k", the key, the block count, the nonce. */
	in[0] = 0x61707865;
	in[1] = 0x3320646e;
	in[2] = 0x79622d32;
	in[3] = 0x6b206574;
	for (int i = 0; i < 8; i++)
		in[4 + i] = key[i];
	in[12] = counter;
	in[13] = nonce[0];
	in[14] = nonce[1];
	in[15] = nonce[2];
	memcpy(x, in, sizeof(x));

	/* 20 rounds: ten column rounds alternating with diagonal rounds. */
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	/* Add the input state back in, serialize little-endian. */
	for (int i = 0; i < 16; i++)
		store32_le(out + 4 * i, x[i] + in[i]);
}

static uint32_t load32_le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Replace the key with the first 32 bytes of a block under a fresh nonce. */
static void rekey(struct chacha_rng *r)
{
	uint8_t blk[64];

	r->nonce[0]++;
	chacha20_block(r->key, 0, r->nonce, blk);
	for (int i = 0; i < 8; i++)
		r->key[i] = load32_le(blk + 4 * i);
	memset(blk, 0, sizeof(blk));
}

void chacha_rng_stir(struct chacha_rng *r)
{
	rekey(r);
	r->absorbed = 0;
}

void chacha_rng_absorb(struct chacha_rng *r, uint64_t sample)
{
	r->key[r->absorbed % 8] ^= (uint32_t)sample;
	r->key[(r->absorbed + 1) % 8] ^= (uint32_t)(sample >> 32);
	r->absorbed += 2;
	if (r->absorbed >= 8)
		chacha_rng_stir(r);
}

void chacha_rng_read(struct chacha_rng *r, void *buf, size_t len)
{
	uint8_t *p = buf, blk[64];
	uint32_t counter = 1; /* block 0 under this nonce made the key */

	if (r->absorbed)
		chacha_rng_stir(r);
	rekey(r); /* this request's own key and nonce */
	while (len) {
		size_t n = len < sizeof(blk) ? len : sizeof(blk);

		chacha20_block(r->key, counter++, r->nonce, blk);
		memcpy(p, blk, n);
		p += n;
		len -= n;
		if (counter == 0) /* 256 GiB under one key: rekey */
			rekey(r);
	}
	/* Fast key erasure: the key that made this output is gone. */
	rekey(r);
	memset(blk, 0, sizeof(blk));
}
