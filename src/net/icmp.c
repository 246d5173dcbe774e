/*
 * icmp.c - ICMP for IPv4 (RFC 792, RFC 1122 §3.2.2): echo replies,
 * destination-unreachable errors we send (rate limited by a token
 * bucket, ICMP_RATE_PER_SEC with the same burst) and the errors we
 * receive, handed to UDP.
 *
 * Layer: kernel net, pure (time passed in). ip4.c delivers ICMP packets
 * (data at the IP header) and asks for errors; udp.c asks for port
 * unreachable. Never an error about an ICMP error, a broadcast or
 * multicast, a non-first fragment, or a source that names no single host.
 */
#include <errno.h>
#include <string.h>
#include "net_priv.h"

/* Linux's icmp_err_convert: errno and whether a connected UDP socket
 * reports it (the "fatal" column). */
static const struct { uint8_t err, fatal; } unreach_err[16] = {
	{ ENETUNREACH, 0 }, { EHOSTUNREACH, 0 }, { ENOPROTOOPT, 1 },
	{ ECONNREFUSED, 1 }, { EMSGSIZE, 0 }, { EOPNOTSUPP, 0 },
	{ ENETUNREACH, 1 }, { EHOSTDOWN, 1 }, { ENONET, 1 }, { EACCES, 1 },
	{ EACCES, 1 }, { ENETUNREACH, 0 }, { EHOSTUNREACH, 0 },
	{ EHOSTUNREACH, 1 }, { EHOSTUNREACH, 1 }, { EHOSTUNREACH, 1 },
};

static uint64_t tokens_ns = ICMP_RATE_PER_SEC * (1000000000ull / ICMP_RATE_PER_SEC);
static uint64_t last_ns;

/* One token per 1/RATE s, at most RATE stored (a one-second burst). */
static int icmp_allow(uint64_t now_ns)
{
	const uint64_t cost = 1000000000ull / ICMP_RATE_PER_SEC;
	const uint64_t cap = cost * ICMP_RATE_PER_SEC;

	if (now_ns > last_ns) {
		tokens_ns += now_ns - last_ns;
		if (tokens_ns > cap)
			tokens_ns = cap;
	}
	last_ns = now_ns;
	if (tokens_ns < cost)
		return 0;
	tokens_ns -= cost;
	return 1;
}

static void icmp_send(uint32_t src, uint32_t dst, uint8_t type, uint8_t code,
		      uint32_t un, const void *body, size_t len, uint64_t now_ns)
{
	struct netbuf *nb = netbuf_alloc(sizeof(struct icmp_hdr) + len);
	struct icmp_hdr *h;
	struct ip4_out o = { .src = src, .dst = dst, .proto = IPPROTO_ICMP_ };

	if (!nb)
		return;
	h = (struct icmp_hdr *)netbuf_append(nb, sizeof(*h) + len);
	h->type = type;
	h->code = code;
	h->check = 0;
	h->un = un;
	memcpy(h + 1, body, len);
	h->check = inet_csum_fold(inet_csum_add(0, h, sizeof(*h) + len));
	if (ip4_output(nb, &o, now_ns))
		netbuf_put(nb);
}

void icmp_send_error(struct netif *nif, const struct netbuf *nb, uint8_t type,
		     uint8_t code, uint64_t now_ns)
{
	struct ip4_hdr ih;
	unsigned hlen;
	size_t len;

	(void)nif;
	if (nb->len < sizeof(ih))
		return;
	memcpy(&ih, nb->data, sizeof(ih));
	hlen = (ih.vihl & 15u) * 4;
	if (nb->len < hlen || (net16(ih.frag_off) & IP_OFFMASK) ||
	    !ih.saddr || ih.saddr == IP4_BROADCAST || ip4_is_multicast(ih.saddr) ||
	    ih.daddr == IP4_BROADCAST || ip4_is_multicast(ih.daddr) ||
	    !netif_is_local(ih.daddr))
		return;
	if (ih.proto == IPPROTO_ICMP_) {
		/* Only about queries (echo...), never about errors. */
		uint8_t t = nb->len > hlen ? nb->data[hlen] : 3;
		if (t != ICMP_ECHO && t != ICMP_ECHOREPLY && t != 13 && t != 14)
			return;
	}
	if (!icmp_allow(now_ns))
		return;
	/* RFC 1812 §4.3.2.3: as much of the datagram as fits in 576 bytes. */
	len = nb->len;
	if (len > 576 - sizeof(struct ip4_hdr) - sizeof(struct icmp_hdr))
		len = 576 - sizeof(struct ip4_hdr) - sizeof(struct icmp_hdr);
	icmp_send(ih.daddr, ih.saddr, type, code, 0, nb->data, len, now_ns);
}

void icmp_input(struct netif *nif, struct netbuf *nb, uint64_t now_ns)
{
	struct ip4_hdr ih;
	struct icmp_hdr h;
	unsigned hlen = nb->l4;
	size_t len;

	memcpy(&ih, nb->data, sizeof(ih));
	if (nb->len < hlen + sizeof(h))
		goto drop;
	len = nb->len - hlen;
	if (inet_csum_fold(inet_csum_add(0, nb->data + hlen, len)) != 0)
		goto drop;
	memcpy(&h, nb->data + hlen, sizeof(h));
	switch (h.type) {
	case ICMP_ECHO:
		/* Not to broadcasts or groups (Linux icmp_echo_ignore_broadcasts). */
		if (!netif_is_local(ih.daddr))
			break;
		icmp_send(ih.daddr, ih.saddr, ICMP_ECHOREPLY, 0, h.un,
			  nb->data + hlen + sizeof(h), len - sizeof(h), now_ns);
		break;
	case ICMP_DEST_UNREACH:
		if (h.code < 16 && unreach_err[h.code].fatal)
			udp_icmp_error(nb->data + hlen + sizeof(h), len - sizeof(h),
				       unreach_err[h.code].err);
		break;
	}
	netbuf_put(nb);
	return;
drop:
	nif->rx_dropped++;
	netbuf_put(nb);
}
