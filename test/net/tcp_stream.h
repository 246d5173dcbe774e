/* tcp_stream.h - the seeded pseudo-random byte stream, the fast hash and
 * the request header shared by the host program test/net/tcp_linux.c and
 * the guest program test/vm/net_tcp_linux.c (the in-image TCP tests
 * against the host's Linux stack, test/net/tcp-linux, tcp-netem,
 * tcp-garbage). Header-only, plain C, little-endian (x86-64 both sides).
 *
 * Stream: byte i of stream(seed) is byte i % 8 of the 64-bit word
 * splitmix64(seed + (i / 8) * golden), little-endian; any offset can be
 * made without the bytes before it. Hash: words folded by a multiply-
 * rotate (not cryptographic; it catches lost, doubled, reordered or
 * changed bytes), the tail zero-padded, the length mixed in last. */
#ifndef UNI_TEST_TCP_STREAM_H
#define UNI_TEST_TCP_STREAM_H

#include <stdint.h>
#include <string.h>

#define TS_GOLDEN 0x9e3779b97f4a7c15ull

static inline uint64_t ts_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Fill buf with n bytes of stream(seed) starting at byte offset off. */
static inline void ts_fill(uint64_t seed, uint64_t off, unsigned char *buf,
			   size_t n)
{
	size_t i = 0;

	while (i < n && ((off + i) & 7)) {
		uint64_t w = ts_mix(seed + ((off + i) >> 3) * TS_GOLDEN);
		buf[i] = (unsigned char)(w >> (((off + i) & 7) * 8));
		i++;
	}
	for (; i + 8 <= n; i += 8) {
		uint64_t w = ts_mix(seed + ((off + i) >> 3) * TS_GOLDEN);
		memcpy(buf + i, &w, 8);
	}
	for (; i < n; i++) {
		uint64_t w = ts_mix(seed + ((off + i) >> 3) * TS_GOLDEN);
		buf[i] = (unsigned char)(w >> (((off + i) & 7) * 8));
	}
}

struct ts_hash {
	uint64_t h, len;
	unsigned char part[8];
};

static inline void ts_hash_init(struct ts_hash *t)
{
	memset(t, 0, sizeof(*t));
	t->h = 0x6a09e667f3bcc908ull;
}

static inline void ts_hash_word(struct ts_hash *t, uint64_t w)
{
	uint64_t h = t->h ^ (w * 0x87c37b91114253d5ull);
	t->h = ((h << 31) | (h >> 33)) * 0x4cf5ad432745937full + 0x52dce729;
}

static inline void ts_hash_add(struct ts_hash *t, const unsigned char *p,
			       size_t n)
{
	unsigned k = (unsigned)(t->len & 7);
	uint64_t w;

	t->len += n;
	if (k) {
		while (k < 8 && n) {
			t->part[k++] = *p++;
			n--;
		}
		if (k < 8)
			return;
		memcpy(&w, t->part, 8);
		ts_hash_word(t, w);
	}
	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		ts_hash_word(t, w);
	}
	memcpy(t->part, p, n);
}

static inline uint64_t ts_hash_end(const struct ts_hash *t)
{
	struct ts_hash c = *t;
	unsigned k = (unsigned)(c.len & 7);
	uint64_t w = 0;

	if (k) {
		memcpy(&w, c.part, k);
		ts_hash_word(&c, w);
	}
	return ts_mix(c.h ^ c.len);
}

/* What the host asks on a connection to the guest's control port: this
 * header, then what the op says (see test/vm/net_tcp_linux.c). */
struct ts_req {
	char magic[4];            /* "UTCP" */
	uint32_t op;              /* TS_OP_* */
	uint64_t seed, len;       /* the stream and its length */
	uint32_t arg, arg2;       /* per op */
};

enum {
	TS_OP_UPLOAD = 'U',       /* host sends len, SHUT_WR; guest answers
				     struct ts_sum, then arg bytes of
				     stream(seed + 1) and their ts_sum */
	TS_OP_DOWNLOAD = 'D',     /* guest sends len, then struct ts_sum,
				     then closes */
	TS_OP_GUEST_SHUT = 'W',   /* guest sends len, SHUT_WR; host sends
				     arg bytes of stream(seed + 1) and their
				     ts_sum, SHUT_WR; the guest checks it */
	TS_OP_CONNECT = 'C',      /* guest connects to arg:arg2 (network
				     order); answers int32 0 or errno */
	TS_OP_MANY = 'M',         /* guest accepts arg connections on its
				     second port, all open at once; see
				     the guest */
	TS_OP_MANY_OUT = 'O',     /* guest opens len connections to
				     arg:arg2, all open at once; see the
				     guest */
	TS_OP_QUIT = 'Q',         /* guest answers uint32 failures, exits */
};

struct ts_sum {
	uint64_t hash, len;
};

#endif
