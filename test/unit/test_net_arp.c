/*
 * test_net_arp.c - ARP (src/net/arp.c) through the real Ethernet and
 * IPv4 paths over a fake interface: replies for our address, gratuitous
 * announcements, the queue of packets waiting for an answer (bounded,
 * oldest dropped, freed on failure), retries and expiry.
 */
#include <string.h>
#include "unit.h"
#include "net_host.h"
#include <uni/kmalloc.h>

#define ME IP4(10, 0, 0, 1)

static void send_ip(uint32_t dst, uint16_t tag, uint64_t now)
{
	struct netbuf *nb = netbuf_alloc(4);
	struct ip4_out o = { .dst = dst, .proto = 253 };

	memcpy(netbuf_append(nb, 2), &tag, 2);
	memcpy(netbuf_append(nb, 2), &tag, 2);
	if (ip4_output(nb, &o, now))
		netbuf_put(nb);
}

/* Pop one frame; if it is ARP, copy it to *a and return 1; IPv4: 2. */
static int pop(struct arp_pkt *a, struct eth_hdr *eh, uint16_t *tag)
{
	struct netbuf *nb = host_sent_pop();
	int r = 0;

	if (!nb)
		return 0;
	memcpy(eh, nb->data, ETH_HLEN);
	if (net16(eh->type) == ETH_P_ARP && nb->len >= ETH_HLEN + sizeof(*a)) {
		memcpy(a, nb->data + ETH_HLEN, sizeof(*a));
		r = 1;
	} else if (net16(eh->type) == ETH_P_IP) {
		memcpy(tag, nb->data + ETH_HLEN + 20, 2);
		r = 2;
	}
	netbuf_put(nb);
	return r;
}

int main(void)
{
	struct arp_pkt a;
	struct eth_hdr eh;
	uint16_t tag = 0;
	uint8_t mac[6];
	size_t base;
	uint64_t t = 5 * SEC;

	host_stack_reset();
	netif_set_addr(&host_eth, ME, IP4(255, 255, 255, 0), IP4(10, 0, 0, 254));
	/* Gratuitous ARP: a broadcast request for our own address. */
	CHECK(host_sent_count() == 1);
	CHECK(pop(&a, &eh, &tag) == 1);
	CHECK(!memcmp(eh.dst, "\xff\xff\xff\xff\xff\xff", 6));
	CHECK(a.oper == net16(1) && a.spa == ME && a.tpa == ME);
	CHECK(!memcmp(a.sha, host_eth.mac, 6));

	/* A request for us: a reply to the asker, and the asker is cached. */
	net_rx(&host_eth, host_arp_frame(1, host_peer_mac, IP4(10, 0, 0, 2), NULL, ME), t);
	CHECK(host_sent_count() == 1);
	CHECK(pop(&a, &eh, &tag) == 1);
	CHECK(a.oper == net16(2) && a.spa == ME && a.tpa == IP4(10, 0, 0, 2));
	CHECK(!memcmp(a.tha, host_peer_mac, 6) && !memcmp(eh.dst, host_peer_mac, 6));
	CHECK(!memcmp(a.sha, host_eth.mac, 6) && !memcmp(eh.src, host_eth.mac, 6));
	CHECK(arp_lookup(&host_eth, IP4(10, 0, 0, 2), mac) && !memcmp(mac, host_peer_mac, 6));

	/* A request for someone else: no answer, nothing learned. */
	net_rx(&host_eth, host_arp_frame(1, host_peer_mac, IP4(10, 0, 0, 9), NULL,
					 IP4(10, 0, 0, 7)), t);
	CHECK(host_sent_count() == 0);
	CHECK(!arp_lookup(&host_eth, IP4(10, 0, 0, 9), mac));
	/* Malformed and hostile packets change nothing. */
	{
		struct netbuf *nb = host_arp_frame(1, host_peer_mac, IP4(10, 0, 0, 8), NULL, ME);
		netbuf_trim(nb, ETH_HLEN + 10);
		net_rx(&host_eth, nb, t);
		nb = host_arp_frame(1, (const uint8_t *)"\xff\xff\xff\xff\xff\xff",
				    IP4(10, 0, 0, 8), NULL, ME);
		net_rx(&host_eth, nb, t);
		nb = host_arp_frame(1, host_peer_mac, IP4(10, 0, 0, 8), NULL, ME);
		((struct arp_pkt *)(nb->data + ETH_HLEN))->hlen = 8;
		net_rx(&host_eth, nb, t);
		CHECK(host_sent_count() == 0);
		CHECK(!arp_lookup(&host_eth, IP4(10, 0, 0, 8), mac));
	}

	/* Known neighbour: sent at once to its MAC. */
	send_ip(IP4(10, 0, 0, 2), 1, t);
	CHECK(pop(&a, &eh, &tag) == 2 && tag == 1 && !memcmp(eh.dst, host_peer_mac, 6));

	/* Off-link: through the gateway, which needs resolving. Five packets
	 * wait; only the newest ARP_QUEUE_MAX survive. */
	base = kmalloc_in_use();
	for (uint16_t i = 10; i < 15; i++)
		send_ip(IP4(192, 168, 1, 1), i, t);
	CHECK(host_sent_count() == 1);
	CHECK(pop(&a, &eh, &tag) == 1 && a.oper == net16(1) && a.tpa == IP4(10, 0, 0, 254));
	CHECK(host_timer_deadline == t + SEC);
	net_rx(&host_eth, host_arp_frame(2, host_peer_mac, IP4(10, 0, 0, 254),
					 host_eth.mac, ME), t);
	CHECK(host_sent_count() == 3);
	CHECK(pop(&a, &eh, &tag) == 2 && tag == 12);
	CHECK(pop(&a, &eh, &tag) == 2 && tag == 13);
	CHECK(pop(&a, &eh, &tag) == 2 && tag == 14);

	/* No answer: three requests a second apart, then the entry and its
	 * queued packets are gone. */
	base = kmalloc_in_use();
	send_ip(IP4(10, 0, 0, 50), 20, t);
	send_ip(IP4(10, 0, 0, 50), 21, t);
	CHECK(host_sent_count() == 1);
	host_sent_clear();
	CHECK(kmalloc_in_use() > base);
	net_timers(t + SEC / 2);
	CHECK(host_sent_count() == 0);
	net_timers(t + SEC);
	CHECK(pop(&a, &eh, &tag) == 1 && a.tpa == IP4(10, 0, 0, 50));
	net_timers(t + 2 * SEC);
	CHECK(pop(&a, &eh, &tag) == 1 && a.tpa == IP4(10, 0, 0, 50));
	net_timers(t + 3 * SEC);
	CHECK(host_sent_count() == 0);
	CHECK(kmalloc_in_use() == base);
	net_timers(t + 10 * SEC);
	CHECK(host_sent_count() == 0);

	/* Expiry: 10.0.0.2 was confirmed at t and used at t; at t + 60 s it
	 * goes unless used since. The gateway was used: it is re-asked. */
	send_ip(IP4(192, 168, 1, 1), 30, t + 30 * SEC); /* gateway used */
	host_sent_clear();
	net_timers(t + 60 * SEC);
	CHECK(!arp_lookup(&host_eth, IP4(10, 0, 0, 2), mac));
	CHECK(arp_lookup(&host_eth, IP4(10, 0, 0, 254), mac));
	CHECK(pop(&a, &eh, &tag) == 1 && a.tpa == IP4(10, 0, 0, 254));
	/* still used while being re-asked */
	send_ip(IP4(192, 168, 1, 1), 31, t + 60 * SEC + 1);
	CHECK(pop(&a, &eh, &tag) == 2 && tag == 31);
	/* the answer comes: reachable again */
	net_rx(&host_eth, host_arp_frame(2, host_peer_mac, IP4(10, 0, 0, 254),
					 host_eth.mac, ME), t + 60 * SEC + 2);
	net_timers(t + 63 * SEC);
	CHECK(arp_lookup(&host_eth, IP4(10, 0, 0, 254), mac));
	CHECK(host_sent_count() == 0);
	/* no answer to the next probes: gone after three */
	send_ip(IP4(192, 168, 1, 1), 32, t + 100 * SEC);
	host_sent_clear();
	net_timers(t + 121 * SEC);  /* expiry: probe 1 */
	net_timers(t + 122 * SEC);  /* probe 2 */
	net_timers(t + 123 * SEC);  /* probe 3 */
	CHECK(host_sent_count() == 3);
	net_timers(t + 124 * SEC);
	CHECK(!arp_lookup(&host_eth, IP4(10, 0, 0, 254), mac));
	host_sent_clear();

	/* The cache is bounded: 100 neighbours take ARP_ENTRIES slots. */
	for (int i = 0; i < 100; i++)
		net_rx(&host_eth, host_arp_frame(1, host_peer_mac, IP4(10, 0, 1, i), NULL, ME),
		       t + 200 * SEC + (uint64_t)i);
	CHECK(host_sent_count() == 100);
	CHECK(arp_lookup(&host_eth, IP4(10, 0, 1, 99), mac));
	CHECK(!arp_lookup(&host_eth, IP4(10, 0, 1, 0), mac));
	host_sent_clear();

	host_stack_reset();
	printf("test_net_arp: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
