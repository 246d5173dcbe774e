/*
 * test_net_dhcp.c - the DHCP client (src/net/dhcp.c): the reply parser
 * against malformed and truncated packets, then a whole exchange over
 * the fake interface (DISCOVER, OFFER, REQUEST, ACK), renewal at T1,
 * NAK, and loss of the lease at its end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "net_host.h"
#include <uni/kmalloc.h>

#define SERVER IP4(10, 0, 2, 2)
#define YOU IP4(10, 0, 2, 15)

static const uint8_t mymac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* A BOOTREPLY: fixed part + cookie + the given option bytes. */
static size_t reply(uint8_t *p, uint32_t xid, const uint8_t *opts, size_t olen)
{
	uint32_t yi = YOU, magic = net32(0x63825363);

	memset(p, 0, 240);
	p[0] = 2;
	p[1] = 1;
	p[2] = 6;
	memcpy(p + 4, &xid, 4);
	memcpy(p + 16, &yi, 4);
	memcpy(p + 28, mymac, 6);
	memcpy(p + 236, &magic, 4);
	memcpy(p + 240, opts, olen);
	return 240 + olen;
}

static const uint8_t offer_opts[] = {
	53, 1, 2, 54, 4, 10, 0, 2, 2, 1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 2, 2,
	6, 4, 10, 0, 2, 3, 51, 4, 0, 1, 0x51, 0x80, 0, 0, 15, 7, 'e', 'x', 'a',
	'm', 'p', 'l', 'e', 255
};

/* The BOOTP part of a frame we sent (NULL if it is not DHCP). */
static const uint8_t *bootp(struct netbuf *nb, struct ip4_hdr **ih)
{
	struct udp_hdr *uh;

	if (nb->len < ETH_HLEN + 20 + 8 + 240)
		return NULL;
	*ih = (struct ip4_hdr *)(nb->data + ETH_HLEN);
	uh = (struct udp_hdr *)(nb->data + ETH_HLEN + 20);
	if ((*ih)->proto != 17 || uh->dest != net16(67) || uh->source != net16(68))
		return NULL;
	return nb->data + ETH_HLEN + 28;
}

/* Option code's value in a BOOTP message we sent, or NULL. */
static const uint8_t *find_opt(const uint8_t *p, size_t len, uint8_t code, uint8_t *n)
{
	for (size_t i = 240; i + 1 < len && p[i] != 255;) {
		if (p[i] == 0) {
			i++;
			continue;
		}
		if (p[i] == code) {
			*n = p[i + 1];
			return p + i + 2;
		}
		i += 2u + p[i + 1];
	}
	return NULL;
}

static void inject(uint32_t xid, const uint8_t *opts, size_t olen, uint32_t dst, uint64_t t)
{
	uint8_t buf[600];
	size_t n = reply(buf, xid, opts, olen);
	net_rx(&host_eth, host_udp_frame(SERVER, dst, 67, 68, buf, n), t);
}

int main(void)
{
	uint8_t buf[600], n;
	struct dhcp_msg m;
	struct netbuf *f;
	struct ip4_hdr *ih;
	const uint8_t *p, *o;
	uint32_t xid = 0x11223344, w;
	uint64_t t = 3 * SEC;
	size_t len, base;

	/* ---- parser ---- */
	len = reply(buf, xid, offer_opts, sizeof(offer_opts));
	CHECK(dhcp_parse(buf, len, xid, mymac, &m) == 0);
	CHECK(m.type == 2 && m.yiaddr == YOU && m.server == SERVER &&
	      m.netmask == IP4(255, 255, 255, 0) && m.router == SERVER &&
	      m.ndns == 1 && m.dns[0] == IP4(10, 0, 2, 3) && m.lease == 86400 &&
	      !strcmp(m.domain, "example"));
	CHECK(dhcp_parse(buf, len, xid + 1, mymac, &m) == -EINVAL);
	CHECK(dhcp_parse(buf, len, xid, host_peer_mac, &m) == -EINVAL);
	for (size_t cut = 0; cut < 241; cut += 20)
		CHECK(dhcp_parse(buf, cut, xid, mymac, &m) == -EINVAL);
	/* an option whose length runs past the end */
	CHECK(dhcp_parse(buf, 240 + 5, xid, mymac, &m) == -EINVAL);
	CHECK(dhcp_parse(buf, 240 + 4, xid, mymac, &m) == -EINVAL); /* 53 ok, 54 cut */
	buf[0] = 1;
	CHECK(dhcp_parse(buf, len, xid, mymac, &m) == -EINVAL);
	buf[0] = 2;
	buf[237] ^= 1;
	CHECK(dhcp_parse(buf, len, xid, mymac, &m) == -EINVAL);
	{
		/* no message type; odd lengths ignored; pads; no end option */
		static const uint8_t o1[] = { 0, 0, 1, 3, 1, 2, 3, 6, 7, 1, 2, 3, 4, 5, 6, 7 };
		static const uint8_t o2[] = { 0, 53, 1, 5, 1, 3, 1, 2, 3, 6, 7, 1, 2, 3, 4, 5,
					      6, 7, 15, 4, 'a', ' ', 'b', ';', 51, 2, 1, 1 };
		static const uint8_t o3[] = { 53, 1, 5, 6, 20, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3,
					      3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 255 };
		static const uint8_t o4[] = { 53, 0, 255 };
		len = reply(buf, xid, o1, sizeof(o1));
		CHECK(dhcp_parse(buf, len, xid, mymac, &m) == -EINVAL);
		len = reply(buf, xid, o2, sizeof(o2));
		CHECK(dhcp_parse(buf, len, xid, mymac, &m) == 0);
		CHECK(m.type == 5 && m.netmask == 0 && m.ndns == 1 &&
		      m.dns[0] == IP4(1, 2, 3, 4) && !m.domain[0] && m.lease == 0);
		len = reply(buf, xid, o3, sizeof(o3));
		CHECK(dhcp_parse(buf, len, xid, mymac, &m) == 0 && m.ndns == 3 &&
		      m.dns[2] == IP4(3, 3, 3, 3));
		len = reply(buf, xid, o4, sizeof(o4));
		CHECK(dhcp_parse(buf, len, xid, mymac, &m) == -EINVAL);
	}
	/* every truncation and every single-byte corruption: no crash */
	len = reply(buf, xid, offer_opts, sizeof(offer_opts));
	for (size_t cut = 0; cut <= len; cut++)
		dhcp_parse(buf, cut, xid, mymac, &m);
	for (size_t i = 236; i < len; i++) {
		uint8_t save = buf[i];
		for (int v = 0; v < 256; v += 17) {
			buf[i] = (uint8_t)v;
			dhcp_parse(buf, len, xid, mymac, &m);
		}
		buf[i] = save;
	}

	/* ---- the exchange ---- */
	host_stack_reset();
	base = kmalloc_in_use();
	CHECK(dhcp_start(&host_eth, t) == 0);
	CHECK(host_sent_count() == 1 && host_timer_deadline == t + SEC);
	f = host_sent_pop();
	p = bootp(f, &ih);
	CHECK(p != NULL);
	if (!p)
		return 1;
	CHECK(!memcmp(f->data, "\xff\xff\xff\xff\xff\xff", 6));
	CHECK(ih->saddr == 0 && ih->daddr == IP4_BROADCAST);
	CHECK(p[0] == 1 && !memcmp(p + 28, mymac, 6));
	memcpy(&xid, p + 4, 4);
	o = find_opt(p, f->len - ETH_HLEN - 28, 53, &n);
	CHECK(o && n == 1 && o[0] == 1);
	o = find_opt(p, f->len - ETH_HLEN - 28, 12, &n);
	CHECK(o && n == 8 && !memcmp(o, "testhost", 8));
	netbuf_put(f);
	/* retransmitted after a second, with the same xid */
	net_timers(t + SEC);
	f = host_sent_pop();
	CHECK(f && (p = bootp(f, &ih)) && !memcmp(p + 4, &xid, 4));
	netbuf_put(f);

	/* garbage and someone else's transaction: ignored */
	net_rx(&host_eth, host_udp_frame(SERVER, IP4_BROADCAST, 67, 68, "junk", 4), t);
	inject(xid + 1, offer_opts, sizeof(offer_opts), IP4_BROADCAST, t);
	CHECK(host_sent_count() == 0);

	/* OFFER -> REQUEST for the offered address from that server */
	inject(xid, offer_opts, sizeof(offer_opts), YOU, t + SEC + 1);
	f = host_sent_pop();
	CHECK(f && (p = bootp(f, &ih)));
	if (!f || !p)
		return 1;
	o = find_opt(p, f->len - ETH_HLEN - 28, 53, &n);
	CHECK(o && o[0] == 3);
	o = find_opt(p, f->len - ETH_HLEN - 28, 50, &n);
	w = YOU;
	CHECK(o && n == 4 && !memcmp(o, &w, 4));
	o = find_opt(p, f->len - ETH_HLEN - 28, 54, &n);
	w = SERVER;
	CHECK(o && n == 4 && !memcmp(o, &w, 4));
	CHECK(host_eth.addr == 0);
	netbuf_put(f);

	/* ACK -> configured, announced */
	{
		uint8_t ack[sizeof(offer_opts)];
		memcpy(ack, offer_opts, sizeof(ack));
		ack[2] = 5;
		host_timer_deadline = 0;
		inject(xid, ack, sizeof(ack), YOU, t + 2 * SEC);
	}
	CHECK(host_eth.addr == YOU && host_eth.netmask == IP4(255, 255, 255, 0) &&
	      host_eth.gw == SERVER && host_eth.dns[0] == IP4(10, 0, 2, 3));
	CHECK(!strcmp(nif_state(&host_eth)->domain, "example"));
	CHECK(host_config_events == 1 && host_config_ok == 1 && dhcp_bound(&host_eth));
	CHECK(host_timer_deadline == t + 2 * SEC + 43200 * SEC);
	f = host_sent_pop(); /* gratuitous ARP */
	CHECK(f && net16(((struct eth_hdr *)f->data)->type) == ETH_P_ARP);
	netbuf_put(f);
	CHECK(host_sent_count() == 0);

	/* T1: renew, unicast to the server (after resolving it) */
	t += 2 * SEC + 43200 * SEC;
	net_timers(t);
	f = host_sent_pop();
	CHECK(f && net16(((struct eth_hdr *)f->data)->type) == ETH_P_ARP);
	netbuf_put(f);
	net_rx(&host_eth, host_arp_frame(2, host_peer_mac, SERVER, host_eth.mac, YOU), t);
	f = host_sent_pop();
	CHECK(f && (p = bootp(f, &ih)));
	if (!f || !p)
		return 1;
	CHECK(ih->saddr == YOU && ih->daddr == SERVER && !memcmp(f->data, host_peer_mac, 6));
	w = YOU;
	CHECK(!memcmp(p + 12, &w, 4)); /* ciaddr */
	memcpy(&xid, p + 4, 4);
	netbuf_put(f);
	/* ACK with a 100 s lease */
	{
		uint8_t ack[sizeof(offer_opts)];
		memcpy(ack, offer_opts, sizeof(ack));
		ack[2] = 5;
		ack[29] = 0; ack[30] = 0; ack[31] = 0; ack[32] = 100;
		inject(xid, ack, sizeof(ack), YOU, t);
	}
	CHECK(host_config_events == 2 && host_eth.addr == YOU);
	host_sent_clear();
	/* No answers any more: renewing, rebinding, then the lease is gone. */
	for (int s = 1; s <= 100; s++)
		net_timers(t + (uint64_t)s * SEC);
	CHECK(host_eth.addr == 0 && host_config_ok == 0 && host_config_events == 3);
	CHECK(!dhcp_bound(&host_eth));
	/* ...and it starts again with a DISCOVER */
	{
		int discovers = 0;
		while ((f = host_sent_pop())) {
			if ((p = bootp(f, &ih)) &&
			    (o = find_opt(p, f->len - ETH_HLEN - 28, 53, &n)) && o[0] == 1)
				discovers++;
			netbuf_put(f);
		}
		CHECK(discovers == 1);
	}

	dhcp_stop(&host_eth);
	host_sent_clear();
	CHECK(kmalloc_in_use() == base);
	host_stack_reset();
	printf("test_net_dhcp: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
