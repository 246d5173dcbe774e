/*
 * checksum.c - the Internet checksum (RFC 1071): a 64-bit running sum of
 * 32-bit loads (memcpy, so any alignment), folded to 16 bits.
 *
 * Layer: kernel net, pure. Used by ip4.c, icmp.c, udp.c, dhcp.c. The sum
 * is taken over the bytes as they lie in memory, so the folded result is
 * already in network order: store it with memcpy or as a uint16_t field,
 * never through htons. Chain calls with the partial sum; every chunk but
 * the last must have an even length.
 */
#include <string.h>
#include <uni/net.h>

uint32_t inet_csum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t s = sum;

	while (len >= 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		s += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		s += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* The odd byte is the high-order byte of a 16-bit word in
		 * network order, i.e. the first byte in memory. */
		uint16_t w = 0;
		memcpy(&w, p, 1);
		s += w;
	}
	/* 64 -> 32 bits with the end-around carry kept. */
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t inet_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}
