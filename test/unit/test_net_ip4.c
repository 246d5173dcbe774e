/*
 * test_net_ip4.c - IPv4 (src/net/ip4.c, icmp.c) over a fake Ethernet
 * interface: header checks, options skipped, reassembly in order, out of
 * order, with overlaps (the first fragment wins), inconsistent ends, the
 * 30 s timeout and the memory limit; fragmentation of a large UDP
 * datagram (looped back through reassembly); routing; ICMP echo.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "net_host.h"
#include <uni/kmalloc.h>

#define ME IP4(10, 0, 0, 1)
#define PEER IP4(10, 0, 0, 2)

static uint8_t got[70000];
static size_t got_len;
static int got_n;
static struct udp_meta got_m;

static void recv_cb(void *ctx, struct netbuf *nb, const struct udp_meta *m)
{
	(void)ctx;
	got_n++;
	got_len = nb->len;
	memcpy(got, nb->data, nb->len);
	got_m = *m;
	netbuf_put(nb);
}

/* A UDP datagram (header + payload) from PEER:4000 to ME:5000. */
static uint8_t *make_udp(const uint8_t *payload, size_t len)
{
	uint8_t *d = malloc(len + 8);
	struct udp_hdr *uh = (struct udp_hdr *)d;
	uint32_t src = PEER, dst = ME, s;
	uint16_t w[2] = { net16(17), net16((uint16_t)(len + 8)) };

	uh->source = net16(4000);
	uh->dest = net16(5000);
	uh->len = net16((uint16_t)(len + 8));
	uh->check = 0;
	memcpy(d + 8, payload, len);
	s = inet_csum_add(inet_csum_add(inet_csum_add(0, &src, 4), &dst, 4), w, 4);
	uh->check = inet_csum_fold(inet_csum_add(s, d, len + 8));
	return d;
}

static void frag(const uint8_t *d, uint16_t id, unsigned off, unsigned len,
		 int more, uint64_t t)
{
	net_rx(&host_eth, host_ip_frame(PEER, ME, 17, id, (uint16_t)((off / 8) |
		(more ? IP_MF : 0)), d + off, len), t);
}

int main(void)
{
	static uint8_t payload[4000];
	struct udp_pcb *pcb;
	uint8_t *d, *bad;
	uint64_t t = 1000 * SEC;
	uint32_t nh;
	size_t base;

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	host_stack_reset();
	netif_set_addr(&host_eth, ME, IP4(255, 255, 255, 0), IP4(10, 0, 0, 254));
	host_sent_clear();
	pcb = udp_pcb_new(recv_cb, NULL);
	CHECK(udp_pcb_bind(pcb, 0, net16(5000), 0) == 0);
	base = kmalloc_in_use();

	/* A plain datagram. */
	net_rx(&host_eth, host_udp_frame(PEER, ME, 4000, 5000, payload, 100), t);
	CHECK(got_n == 1 && got_len == 100 && !memcmp(got, payload, 100));
	CHECK(got_m.src == PEER && got_m.dst == ME && got_m.sport == net16(4000) &&
	      got_m.ttl == 64 && got_m.ifindex == 2);

	/* Header checks: each of these is dropped. */
	{
		struct netbuf *nb;
		struct ip4_hdr *h;
		got_n = 0;
		nb = host_udp_frame(PEER, ME, 4000, 5000, payload, 100);
		((struct ip4_hdr *)(nb->data + ETH_HLEN))->check ^= 1;
		net_rx(&host_eth, nb, t);
		nb = host_udp_frame(PEER, ME, 4000, 5000, payload, 100);
		h = (struct ip4_hdr *)(nb->data + ETH_HLEN);
		h->vihl = 0x65;
		h->check = 0;
		h->check = inet_csum_fold(inet_csum_add(0, h, 20));
		net_rx(&host_eth, nb, t);
		nb = host_udp_frame(PEER, ME, 4000, 5000, payload, 100);
		h = (struct ip4_hdr *)(nb->data + ETH_HLEN);
		h->vihl = 0x44;
		h->check = 0;
		h->check = inet_csum_fold(inet_csum_add(0, h, 20));
		net_rx(&host_eth, nb, t);
		nb = host_udp_frame(PEER, ME, 4000, 5000, payload, 100);
		h = (struct ip4_hdr *)(nb->data + ETH_HLEN);
		h->tot_len = net16(200);
		h->check = 0;
		h->check = inet_csum_fold(inet_csum_add(0, h, 20));
		net_rx(&host_eth, nb, t);
		nb = host_udp_frame(PEER, ME, 4000, 5000, payload, 100);
		h = (struct ip4_hdr *)(nb->data + ETH_HLEN);
		h->vihl = 0x4f; /* IHL 60 > tot_len 40 */
		h->tot_len = net16(40);
		h->check = 0;
		h->check = inet_csum_fold(inet_csum_add(0, h, 60));
		net_rx(&host_eth, nb, t);
		nb = host_udp_frame(PEER, ME, 4000, 5000, payload, 100);
		netbuf_trim(nb, ETH_HLEN + 10);
		net_rx(&host_eth, nb, t);
		/* bad UDP checksum */
		nb = host_udp_frame(PEER, ME, 4000, 5000, payload, 100);
		nb->data[nb->len - 1] ^= 0x55;
		net_rx(&host_eth, nb, t);
		/* not for us: someone else's address; a 127/8 source from outside */
		net_rx(&host_eth, host_udp_frame(PEER, IP4(10, 0, 0, 3), 4000, 5000, payload, 10), t);
		net_rx(&host_eth, host_udp_frame(IP4(127, 0, 0, 1), ME, 4000, 5000, payload, 10), t);
		CHECK(got_n == 0);
	}
	/* Options are skipped; Ethernet padding past tot_len is cut off. */
	{
		uint8_t *u = make_udp(payload, 30);
		struct netbuf *nb = netbuf_alloc(38 + 8 + 20);
		struct ip4_hdr *h;
		memcpy(netbuf_append(nb, 38), u, 38);
		memset(netbuf_append(nb, 20), 0, 20); /* padding */
		h = (struct ip4_hdr *)netbuf_push(nb, 28);
		memset(h, 0, 28);
		h->vihl = 0x47;
		h->tot_len = net16(28 + 38);
		h->ttl = 9;
		h->proto = 17;
		h->saddr = PEER;
		h->daddr = ME;
		memset((uint8_t *)h + 20, 1, 8); /* NOPs */
		h->check = inet_csum_fold(inet_csum_add(0, h, 28));
		memset(netbuf_push(nb, ETH_HLEN), 0, ETH_HLEN);
		memcpy(nb->data, host_eth.mac, 6);
		((struct eth_hdr *)nb->data)->type = net16(ETH_P_IP);
		got_n = 0;
		net_rx(&host_eth, nb, t);
		CHECK(got_n == 1 && got_len == 30 && got_m.ttl == 9 && !memcmp(got, payload, 30));
		free(u);
	}
	CHECK(kmalloc_in_use() == base);

	/* Reassembly: 3000 bytes in fragments of 1480, 1480, 48. */
	d = make_udp(payload, 3000);
	got_n = 0;
	frag(d, 1, 0, 1480, 1, t);
	frag(d, 1, 1480, 1480, 1, t);
	CHECK(got_n == 0 && ip4_reass_mem() > 0);
	frag(d, 1, 2960, 48, 0, t);
	CHECK(got_n == 1 && got_len == 3000 && !memcmp(got, payload, 3000));
	CHECK(ip4_reass_mem() == 0 && kmalloc_in_use() == base);
	/* out of order */
	got_n = 0;
	frag(d, 2, 2960, 48, 0, t);
	frag(d, 2, 0, 1480, 1, t);
	frag(d, 2, 1480, 1480, 1, t);
	CHECK(got_n == 1 && got_len == 3000 && !memcmp(got, payload, 3000));
	/* duplicates are harmless */
	got_n = 0;
	frag(d, 3, 0, 1480, 1, t);
	frag(d, 3, 0, 1480, 1, t);
	frag(d, 3, 2960, 48, 0, t);
	frag(d, 3, 2960, 48, 0, t);
	frag(d, 3, 1480, 1480, 1, t);
	CHECK(got_n == 1 && got_len == 3000 && !memcmp(got, payload, 3000));
	CHECK(ip4_reass_mem() == 0);
	/* An overlapping forgery after the real fragment loses. */
	bad = malloc(3008);
	memcpy(bad, d, 3008);
	memset(bad + 100, 0xee, 2000);
	got_n = 0;
	frag(d, 4, 0, 1480, 1, t);
	frag(bad, 4, 8, 1480, 1, t);       /* overlaps [0,1480) */
	frag(bad, 4, 1000, 1000, 1, t);     /* overlaps too */
	frag(d, 4, 1480, 1480, 1, t);
	frag(d, 4, 2960, 48, 0, t);
	CHECK(got_n == 1 && !memcmp(got, payload, 3000));
	/* A forgery first: the real one is dropped, the UDP checksum then
	 * fails and nothing is delivered; nothing stays held. */
	got_n = 0;
	frag(bad, 5, 0, 1480, 1, t);
	frag(d, 5, 0, 1480, 1, t);
	frag(d, 5, 1480, 1480, 1, t);
	frag(d, 5, 2960, 48, 0, t);
	CHECK(got_n == 0 && ip4_reass_mem() == 0);
	/* Two different ends: the datagram is dropped. */
	frag(d, 6, 0, 1480, 1, t);
	frag(d, 6, 2960, 48, 0, t);
	frag(d, 6, 1480, 8, 0, t);
	CHECK(ip4_reass_mem() == 0);
	/* A fragment past the known end: dropped too. */
	frag(d, 7, 1480, 48, 0, t);
	frag(d, 7, 2960, 48, 1, t);
	CHECK(ip4_reass_mem() == 0);
	/* Non-last fragment not a multiple of 8, and past 64 KiB: dropped
	 * alone. */
	frag(d, 8, 0, 1001, 1, t);
	CHECK(ip4_reass_mem() == 0);
	{
		struct netbuf *nb = host_ip_frame(PEER, ME, 17, 9, 8189 | IP_MF, d, 1480);
		net_rx(&host_eth, nb, t);
		CHECK(ip4_reass_mem() == 0);
	}
	CHECK(got_n == 0);
	CHECK(kmalloc_in_use() == base);

	/* Timeout: 30 s after the first fragment, then "time exceeded" to
	 * the sender (known by ARP, so that the error leaves at once). */
	net_rx(&host_eth, host_arp_frame(1, host_peer_mac, PEER, NULL, ME), t);
	host_sent_clear();
	host_timer_deadline = 0;
	frag(d, 10, 0, 1480, 1, t);
	CHECK(host_timer_deadline == t + IP4_REASS_TIMEOUT_NS);
	net_timers(t + IP4_REASS_TIMEOUT_NS - 1);
	CHECK(ip4_reass_mem() > 0);
	net_timers(t + IP4_REASS_TIMEOUT_NS);
	CHECK(ip4_reass_mem() == 0);
	{
		struct netbuf *e = host_sent_pop();
		CHECK(e != NULL);
		if (e) {
			struct ip4_hdr *h = (struct ip4_hdr *)(e->data + ETH_HLEN);
			uint8_t *ic = e->data + ETH_HLEN + 20;
			CHECK(h->proto == 1 && h->daddr == PEER && ic[0] == ICMP_TIME_EXCEEDED &&
			      ic[1] == 1 && net16(h->tot_len) == 20 + 8 + 20 + 8);
			CHECK(inet_csum_fold(inet_csum_add(0, ic, 36)) == 0);
			netbuf_put(e);
		}
		/* a datagram whose first fragment never came: no error */
		frag(d, 11, 1480, 1480, 1, t);
		net_timers(t + IP4_REASS_TIMEOUT_NS + SEC);
		CHECK(host_sent_count() == 0 && ip4_reass_mem() == 0);
		CHECK(kmalloc_in_use() == base);
	}
	frag(d, 10, 1480, 1480, 1, t + IP4_REASS_TIMEOUT_NS);
	frag(d, 10, 2960, 48, 0, t + IP4_REASS_TIMEOUT_NS);
	CHECK(got_n == 0);
	net_timers(t + 2 * IP4_REASS_TIMEOUT_NS);
	CHECK(ip4_reass_mem() == 0);
	host_sent_clear(); /* ARP re-asking for PEER after its 60 s */

	/* Memory: 400 two-thirds datagrams never hold more than the limit, and a
	 * whole datagram still gets through afterwards. */
	{
		size_t max = 0;
		for (int i = 0; i < 400; i++) {
			frag(d, (uint16_t)(100 + i), 0, 1480, 1, t);
			frag(d, (uint16_t)(100 + i), 1480, 1480, 1, t);
			if (ip4_reass_mem() > max)
				max = ip4_reass_mem();
		}
		CHECK(max <= IP4_REASS_MAX_MEM && max > IP4_REASS_MAX_MEM / 2);
		got_n = 0;
		frag(d, 99, 0, 1480, 1, t);
		frag(d, 99, 1480, 1480, 1, t);
		frag(d, 99, 2960, 48, 0, t);
		CHECK(got_n == 1 && !memcmp(got, payload, 3000));
		ip4_reass_flush();
		CHECK(kmalloc_in_use() == base);
	}
	free(bad);
	free(d);

	/* Routing. */
	CHECK(ip_route(IP4(127, 0, 0, 5), &nh) == net_loopback && nh == IP4(127, 0, 0, 5));
	CHECK(ip_route(ME, &nh) == net_loopback);
	CHECK(ip_route(IP4(10, 0, 0, 77), &nh) == &host_eth && nh == IP4(10, 0, 0, 77));
	CHECK(ip_route(IP4(8, 8, 8, 8), &nh) == &host_eth && nh == IP4(10, 0, 0, 254));
	CHECK(ip_route(IP4_BROADCAST, &nh) == &host_eth);

	/* Fragmentation: 4000 bytes to PEER leave in three frames; turned
	 * around, they reassemble to the same datagram. */
	net_rx(&host_eth, host_arp_frame(1, host_peer_mac, PEER, NULL, ME), t);
	host_sent_clear();
	{
		struct udp_pcb *tx = udp_pcb_new(recv_cb, NULL);
		struct netbuf *nb = netbuf_alloc(4000), *f;
		unsigned offs[3], lens[3], mf[3], n = 0;
		memcpy(netbuf_append(nb, 4000), payload, 4000);
		CHECK(udp_pcb_bind(tx, 0, net16(4000), 0) == 0);
		CHECK(udp_pcb_send(tx, nb, PEER, net16(5000), t) == 0);
		CHECK(host_sent_count() == 3);
		got_n = 0;
		while ((f = host_sent_pop())) {
			struct eth_hdr *eh = (struct eth_hdr *)f->data;
			struct ip4_hdr *h = (struct ip4_hdr *)(f->data + ETH_HLEN);
			uint32_t tmp;
			CHECK(f->len <= 1514);
			CHECK(inet_csum_fold(inet_csum_add(0, h, 20)) == 0);
			if (n < 3) {
				offs[n] = (net16(h->frag_off) & IP_OFFMASK) * 8u;
				mf[n] = !!(net16(h->frag_off) & IP_MF);
				lens[n] = net16(h->tot_len) - 20u;
				n++;
			}
			/* turn it around: from PEER to ME */
			memcpy(eh->dst, host_eth.mac, 6);
			tmp = h->saddr;
			h->saddr = h->daddr;
			h->daddr = tmp;
			h->check = 0;
			h->check = inet_csum_fold(inet_csum_add(0, h, 20));
			net_rx(&host_eth, f, t);
		}
		CHECK(n == 3 && offs[0] == 0 && offs[1] == 1480 && offs[2] == 2960);
		CHECK(mf[0] && mf[1] && !mf[2] && lens[0] == 1480 && lens[2] == 4008 - 2960);
		CHECK(got_n == 1 && got_len == 4000 && !memcmp(got, payload, 4000));
		/* Too big for UDP: EMSGSIZE, the buffer stays the caller's. */
		nb = netbuf_alloc(65508);
		netbuf_append(nb, 65508);
		CHECK(udp_pcb_send(tx, nb, PEER, net16(5000), t) == -EMSGSIZE);
		netbuf_put(nb);
		udp_pcb_free(tx);
	}

	/* ICMP echo: a reply with the same id, sequence and data. */
	{
		uint8_t echo[8 + 56];
		struct netbuf *r;
		struct icmp_hdr *ic = (struct icmp_hdr *)echo;
		memset(echo, 0, sizeof(echo));
		ic->type = ICMP_ECHO;
		ic->un = net32(0x12340007);
		for (int i = 8; i < 64; i++)
			echo[i] = (uint8_t)i;
		ic->check = inet_csum_fold(inet_csum_add(0, echo, sizeof(echo)));
		host_sent_clear();
		net_rx(&host_eth, host_ip_frame(PEER, ME, 1, 77, 0, echo, sizeof(echo)), t);
		CHECK(host_sent_count() == 1);
		r = host_sent_pop();
		if (r) {
			struct ip4_hdr *h = (struct ip4_hdr *)(r->data + ETH_HLEN);
			struct icmp_hdr *rc = (struct icmp_hdr *)(h + 1);
			CHECK(h->saddr == ME && h->daddr == PEER && h->proto == 1);
			CHECK(rc->type == ICMP_ECHOREPLY && rc->un == ic->un);
			CHECK(!memcmp(rc + 1, echo + 8, 56));
			CHECK(inet_csum_fold(inet_csum_add(0, rc, 64)) == 0);
			netbuf_put(r);
		}
		/* to the broadcast address: ignored; bad checksum: ignored */
		net_rx(&host_eth, host_ip_frame(PEER, IP4(10, 0, 0, 255), 1, 78, 0, echo,
						sizeof(echo)), t);
		ic->check ^= 1;
		net_rx(&host_eth, host_ip_frame(PEER, ME, 1, 79, 0, echo, sizeof(echo)), t);
		CHECK(host_sent_count() == 0);
		/* unknown protocol: protocol unreachable */
		net_rx(&host_eth, host_ip_frame(PEER, ME, 200, 80, 0, echo, 8), t);
		CHECK(host_sent_count() == 1);
		host_sent_clear();
	}

	udp_pcb_free(pcb);
	host_stack_reset();
	printf("test_net_ip4: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
