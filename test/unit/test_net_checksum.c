/*
 * test_net_checksum.c - the Internet checksum (src/net/checksum.c)
 * against RFC 1071's example and a byte-at-a-time reference, for every
 * length 0..300 at every alignment 0..7, and chained even chunks.
 */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <uni/net.h>

/* RFC 1071 §1 straight: 16-bit big-endian words, carries folded. */
static uint16_t ref_csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The stack's result is in network order in memory. */
static uint16_t as_be(uint16_t v)
{
	uint8_t b[2];
	memcpy(b, &v, 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

int main(void)
{
	static const uint8_t rfc[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint8_t *buf = malloc(4096 + 8);
	int bad = 0;

	/* RFC 1071 §3: the sum is ddf2, the checksum its complement. */
	CHECK(as_be(inet_csum_fold(inet_csum_add(0, rfc, 8))) == (uint16_t)~0xddf2);
	CHECK(as_be(inet_csum_fold(inet_csum_add(0, rfc, 0))) == 0xffff);
	/* odd length: the last byte is a high byte */
	CHECK(as_be(inet_csum_fold(inet_csum_add(0, rfc + 1, 1))) == (uint16_t)~0x0100);

	srand(1);
	for (int i = 0; i < 4096 + 8; i++)
		buf[i] = (uint8_t)rand();
	for (size_t align = 0; align < 8; align++)
		for (size_t len = 0; len <= 300; len++)
			if (as_be(inet_csum_fold(inet_csum_add(0, buf + align, len))) !=
			    ref_csum(buf + align, len))
				bad++;
	CHECK(bad == 0);

	/* All 0xff: a sum that carries on every word. */
	memset(buf, 0xff, 4096);
	CHECK(as_be(inet_csum_fold(inet_csum_add(0, buf, 4096))) == ref_csum(buf, 4096));
	CHECK(as_be(inet_csum_fold(inet_csum_add(0, buf + 1, 4095))) == ref_csum(buf + 1, 4095));

	/* Chained: even chunks, then an odd tail, equals one pass. */
	for (int i = 0; i < 4096; i++)
		buf[i] = (uint8_t)rand();
	{
		uint32_t s = inet_csum_add(0, buf, 6);
		s = inet_csum_add(s, buf + 6, 1000);
		s = inet_csum_add(s, buf + 1006, 3001);
		CHECK(as_be(inet_csum_fold(s)) == ref_csum(buf, 4007));
	}
	/* Verifying: a buffer that contains its own checksum sums to 0. */
	{
		uint16_t c;
		memset(buf + 10, 0, 2);
		c = inet_csum_fold(inet_csum_add(0, buf, 61));
		memcpy(buf + 10, &c, 2);
		CHECK(inet_csum_fold(inet_csum_add(0, buf, 61)) == 0);
	}
	/* 64 KiB of 0xff: the 32-bit running sum must not lose carries. */
	{
		uint8_t *big = malloc(65536 + 1);
		memset(big, 0xff, 65537);
		CHECK(as_be(inet_csum_fold(inet_csum_add(0, big, 65537))) ==
		      ref_csum(big, 65537));
		free(big);
	}
	free(buf);
	printf("test_net_checksum: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
