/*
 * test_net_udp.c - UDP (src/net/udp.c) with ICMP and loopback: bind
 * rules (SO_REUSEADDR/SO_REUSEPORT as Linux), ephemeral ports (random,
 * seedable), receive demultiplexing (connected > bound address >
 * wildcard; broadcast and multicast to all), port unreachable (rate
 * limited), ECONNREFUSED to a connected pcb, send options, loopback.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "net_host.h"
#include <uni/kmalloc.h>

#define ME IP4(10, 0, 0, 1)
#define PEER IP4(10, 0, 0, 2)

struct rx {
	int n, err;
	size_t len;
	uint8_t data[2048];
	struct udp_meta m;
};

static void recv_cb(void *ctx, struct netbuf *nb, const struct udp_meta *m)
{
	struct rx *r = ctx;

	r->n++;
	r->len = nb->len;
	memcpy(r->data, nb->data, nb->len < 2048 ? nb->len : 2048);
	r->m = *m;
	netbuf_put(nb);
}

static void err_cb(void *ctx, int err)
{
	((struct rx *)ctx)->err = err;
}

static struct netbuf *payload(const char *s)
{
	struct netbuf *nb = netbuf_alloc(strlen(s));

	memcpy(netbuf_append(nb, strlen(s)), s, strlen(s));
	return nb;
}

static int count_icmp_unreach(void)
{
	struct netbuf *nb;
	int n = 0;

	while ((nb = host_sent_pop())) {
		struct ip4_hdr *h = (struct ip4_hdr *)(nb->data + ETH_HLEN);
		if (h->proto == 1 && nb->data[ETH_HLEN + 20] == ICMP_DEST_UNREACH &&
		    nb->data[ETH_HLEN + 21] == ICMP_PORT_UNREACH)
			n++;
		netbuf_put(nb);
	}
	return n;
}

int main(void)
{
	struct rx ra = { 0 }, rb = { 0 }, rc = { 0 }, rd = { 0 };
	struct udp_pcb *a, *b, *c, *d;
	uint64_t t = 10 * SEC;
	uint32_t addr;
	uint16_t port, p1, p2;
	size_t base;

	host_stack_reset();
	netif_set_addr(&host_eth, ME, IP4(255, 255, 255, 0), IP4(10, 0, 0, 254));
	net_rx(&host_eth, host_arp_frame(1, host_peer_mac, PEER, NULL, ME), t);
	host_sent_clear();
	base = kmalloc_in_use();

	/* Bind rules. */
	a = udp_pcb_new(recv_cb, &ra);
	b = udp_pcb_new(recv_cb, &rb);
	CHECK(udp_pcb_bind(a, 0, net16(6000), 0) == 0);
	CHECK(udp_pcb_bind(a, 0, net16(6001), 0) == -EINVAL);
	CHECK(udp_pcb_bind(b, 0, net16(6000), 0) == -EADDRINUSE);
	CHECK(udp_pcb_bind(b, ME, net16(6000), 0) == -EADDRINUSE);
	CHECK(udp_pcb_bind(b, ME, net16(6000), UDP_REUSEADDR) == -EADDRINUSE);
	CHECK(udp_pcb_bind(b, IP4(10, 0, 0, 9), net16(6002), 0) == -EADDRNOTAVAIL);
	CHECK(udp_pcb_bind(b, IP4(127, 0, 0, 1), net16(6000), 0) == -EADDRINUSE);
	udp_pcb_free(a);
	udp_pcb_free(b);
	a = udp_pcb_new(recv_cb, &ra);
	b = udp_pcb_new(recv_cb, &rb);
	c = udp_pcb_new(recv_cb, &rc);
	CHECK(udp_pcb_bind(a, 0, net16(7000), UDP_REUSEADDR) == 0);
	CHECK(udp_pcb_bind(b, ME, net16(7000), UDP_REUSEADDR) == 0);
	CHECK(udp_pcb_bind(c, 0, net16(7000), UDP_REUSEADDR) == 0);
	CHECK(udp_pcb_connect(c, PEER, net16(4000)) == 0);
	udp_pcb_local(c, &addr, &port);
	CHECK(addr == ME && port == net16(7000));
	d = udp_pcb_new(recv_cb, &rd);
	CHECK(udp_pcb_bind(d, 0, net16(7000), UDP_REUSEPORT) == -EADDRINUSE);
	CHECK(udp_pcb_bind(d, IP4(239, 1, 1, 1), net16(7001), 0) == 0);
	udp_pcb_free(d);

	/* Demultiplexing. */
	net_rx(&host_eth, host_udp_frame(PEER, ME, 4001, 7000, "one", 3), t);
	CHECK(rb.n == 1 && ra.n == 0 && rc.n == 0 && rb.len == 3 && !memcmp(rb.data, "one", 3));
	net_rx(&host_eth, host_udp_frame(PEER, ME, 4000, 7000, "two", 3), t);
	CHECK(rc.n == 1 && rb.n == 1 && ra.n == 0);
	/* broadcast: every pcb that matches (not b or c, whose address is
	 * ME: c's connect set it, as on Linux); a second wildcard pcb gets
	 * its own copy */
	d = udp_pcb_new(recv_cb, &rd);
	CHECK(udp_pcb_bind(d, 0, net16(7000), UDP_REUSEADDR) == 0);
	net_rx(&host_eth, host_udp_frame(PEER, IP4(10, 0, 0, 255), 4000, 7000, "bc", 2), t);
	CHECK(ra.n == 1 && rd.n == 1 && rc.n == 1 && rb.n == 1);
	net_rx(&host_eth, host_udp_frame(PEER, IP4_BROADCAST, 4001, 7000, "bc", 2), t);
	CHECK(ra.n == 2 && rd.n == 2 && rc.n == 1 && rb.n == 1 && ra.m.dst == IP4_BROADCAST);
	CHECK(!memcmp(ra.data, "bc", 2) && !memcmp(rd.data, "bc", 2));
	udp_pcb_free(d);
	memset(&rd, 0, sizeof(rd));
	/* multicast: dropped until joined */
	net_rx(&host_eth, host_udp_frame(PEER, IP4(239, 1, 1, 1), 4001, 7000, "mc", 2), t);
	CHECK(ra.n == 2);
	CHECK(udp_pcb_join(a, IP4(239, 1, 1, 1), 0, 1) == 0);
	CHECK(udp_pcb_join(a, IP4(239, 1, 1, 1), 0, 1) == -EADDRINUSE);
	CHECK(udp_pcb_join(a, IP4(10, 1, 1, 1), 0, 1) == -EINVAL);
	net_rx(&host_eth, host_udp_frame(PEER, IP4(239, 1, 1, 1), 4001, 7000, "mc", 2), t);
	CHECK(ra.n == 3 && ra.m.dst == IP4(239, 1, 1, 1));
	CHECK(udp_pcb_join(a, IP4(239, 1, 1, 1), 0, 0) == 0);
	CHECK(udp_pcb_join(a, IP4(239, 1, 1, 1), 0, 0) == -EADDRNOTAVAIL);
	net_rx(&host_eth, host_udp_frame(PEER, IP4(239, 1, 1, 1), 4001, 7000, "mc", 2), t);
	CHECK(ra.n == 3);
	CHECK(host_sent_count() == 0);

	/* SO_REUSEPORT group: one flow always lands on the same pcb. */
	{
		struct rx r1 = { 0 }, r2 = { 0 };
		struct udp_pcb *g1 = udp_pcb_new(recv_cb, &r1), *g2 = udp_pcb_new(recv_cb, &r2);
		CHECK(udp_pcb_bind(g1, 0, net16(7100), UDP_REUSEPORT) == 0);
		CHECK(udp_pcb_bind(g2, 0, net16(7100), UDP_REUSEPORT) == 0);
		for (int i = 0; i < 10; i++)
			net_rx(&host_eth, host_udp_frame(PEER, ME, 4000, 7100, "x", 1), t);
		CHECK(r1.n + r2.n == 10 && (r1.n == 10 || r2.n == 10));
		for (int i = 0; i < 40; i++)
			net_rx(&host_eth, host_udp_frame(PEER, ME, (uint16_t)(5000 + i), 7100, "x", 1), t);
		CHECK(r1.n + r2.n == 50 && r1.n > 0 && r2.n > 0);
		udp_pcb_free(g1);
		udp_pcb_free(g2);
	}

	/* Closed port: ICMP port unreachable, at most 100 a second. */
	net_rx(&host_eth, host_udp_frame(PEER, ME, 4000, 9999, "x", 1), t);
	CHECK(count_icmp_unreach() == 1);
	net_rx(&host_eth, host_udp_frame(PEER, IP4(10, 0, 0, 255), 4000, 9999, "x", 1), t);
	CHECK(host_sent_count() == 0);
	for (int i = 0; i < 300; i++)
		net_rx(&host_eth, host_udp_frame(PEER, ME, 4000, 9999, "x", 1), t + 1);
	{
		int n = count_icmp_unreach();
		CHECK(n >= 95 && n <= 100);
	}
	for (int i = 0; i < 300; i++)
		net_rx(&host_eth, host_udp_frame(PEER, ME, 4000, 9999, "x", 1),
		       t + SEC / 2 + (uint64_t)i);
	{
		int n = count_icmp_unreach();
		CHECK(n >= 45 && n <= 55);
	}

	/* Ephemeral ports: in range, random, reproducible with the seed. */
	d = udp_pcb_new(recv_cb, &rd);
	host_random_seed(1);
	CHECK(udp_pcb_bind(d, 0, 0, 0) == 0);
	udp_pcb_local(d, &addr, &p1);
	udp_pcb_free(d);
	d = udp_pcb_new(recv_cb, &rd);
	host_random_seed(2);
	CHECK(udp_pcb_bind(d, 0, 0, 0) == 0);
	udp_pcb_local(d, &addr, &p2);
	CHECK(net16(p1) >= 32768 && net16(p1) <= 60999 && net16(p2) >= 32768 &&
	      net16(p2) <= 60999 && p1 != p2);
	udp_pcb_free(d);
	d = udp_pcb_new(recv_cb, &rd);
	host_random_seed(1);
	CHECK(udp_pcb_bind(d, 0, 0, 0) == 0);
	udp_pcb_local(d, &addr, &port);
	CHECK(port == p1);

	/* Connected pcb: ECONNREFUSED from a port unreachable for its peer. */
	udp_pcb_on_error(d, err_cb);
	CHECK(udp_pcb_connect(d, PEER, net16(53)) == 0);
	CHECK(udp_pcb_send(d, payload("query"), 0, 0, t) == 0);
	{
		struct netbuf *q = host_sent_pop(), *icmp;
		uint8_t body[8 + 60];
		struct ip4_hdr *h;
		struct udp_hdr *uh;
		CHECK(q != NULL);
		h = (struct ip4_hdr *)(q->data + ETH_HLEN);
		uh = (struct udp_hdr *)(h + 1);
		CHECK(h->saddr == ME && h->daddr == PEER && uh->dest == net16(53) &&
		      uh->source == port && uh->check != 0);
		CHECK(h->ttl == 64);
		memset(body, 0, 8);
		body[0] = ICMP_DEST_UNREACH;
		body[1] = ICMP_PORT_UNREACH;
		memcpy(body + 8, h, 28);
		((struct icmp_hdr *)body)->check = inet_csum_fold(inet_csum_add(0, body, 36));
		icmp = host_ip_frame(PEER, ME, 1, 5, 0, body, 36);
		/* about another port first: nothing */
		((struct udp_hdr *)(icmp->data + ETH_HLEN + 20 + 8 + 20))->dest = net16(54);
		((struct icmp_hdr *)(icmp->data + ETH_HLEN + 20))->check = 0;
		((struct icmp_hdr *)(icmp->data + ETH_HLEN + 20))->check =
			inet_csum_fold(inet_csum_add(0, icmp->data + ETH_HLEN + 20, 36));
		net_rx(&host_eth, icmp, t);
		CHECK(rd.err == 0);
		net_rx(&host_eth, host_ip_frame(PEER, ME, 1, 6, 0, body, 36), t);
		CHECK(rd.err == ECONNREFUSED);
		netbuf_put(q);
	}

	/* Send errors and options. */
	{
		struct netbuf *nb = payload("x");
		struct udp_opts *o = udp_pcb_opts(a);
		struct netbuf *f;
		CHECK(udp_pcb_send(a, nb, 0, 0, t) == -EDESTADDRREQ);
		CHECK(udp_pcb_send(a, nb, IP4(10, 0, 0, 255), net16(7000), t) == -EACCES);
		CHECK(udp_pcb_send(a, nb, IP4_BROADCAST, net16(7000), t) == -EACCES);
		CHECK(udp_pcb_send(a, nb, PEER, 0, t) == -EINVAL);
		CHECK(nb->len == 1);
		o->ttl = 5;
		o->tos = 0x10;
		CHECK(udp_pcb_send(a, nb, PEER, net16(99), t) == 0);
		f = host_sent_pop();
		CHECK(f && ((struct ip4_hdr *)(f->data + ETH_HLEN))->ttl == 5 &&
		      ((struct ip4_hdr *)(f->data + ETH_HLEN))->tos == 0x10);
		netbuf_put(f);
		/* broadcast with SO_BROADCAST: out as Ethernet broadcast, and a
		 * copy for local listeners */
		o->broadcast = 1;
		rb.n = ra.n = 0;
		CHECK(udp_pcb_send(a, payload("bcast"), IP4_BROADCAST, net16(7000), t) == 0);
		f = host_sent_pop();
		CHECK(f && !memcmp(f->data, "\xff\xff\xff\xff\xff\xff", 6));
		netbuf_put(f);
		CHECK(ra.n == 1 && ra.len == 5);
		/* no route */
		host_eth.gw = 0;
		nb = payload("x");
		CHECK(udp_pcb_send(a, nb, IP4(8, 8, 8, 8), net16(53), t) == -ENETUNREACH);
		netbuf_put(nb);
		host_eth.gw = IP4(10, 0, 0, 254);
	}

	/* Loopback: 127.0.0.1 and our own address come back through lo. */
	{
		struct rx re = { 0 }, rf = { 0 };
		struct udp_pcb *e = udp_pcb_new(recv_cb, &re), *f = udp_pcb_new(recv_cb, &rf);
		struct netbuf *big = netbuf_alloc(30000);
		CHECK(udp_pcb_bind(e, IP4(127, 0, 0, 1), net16(8000), 0) == 0);
		CHECK(udp_pcb_send(f, payload("ping"), IP4(127, 0, 0, 1), net16(8000), t) == 0);
		CHECK(re.n == 1 && re.len == 4 && re.m.src == IP4(127, 0, 0, 1) &&
		      re.m.ifindex == 1);
		CHECK(udp_pcb_send(e, payload("pong"), re.m.src, re.m.sport, t) == 0);
		CHECK(rf.n == 1 && rf.len == 4 && !memcmp(rf.data, "pong", 4) &&
		      rf.m.sport == net16(8000));
		memset(netbuf_append(big, 30000), 0x5a, 30000);
		CHECK(udp_pcb_send(f, big, IP4(127, 0, 0, 1), net16(8000), t) == 0);
		CHECK(re.n == 2 && re.len == 30000);
		/* to our Ethernet address, connected: refused through lo */
		udp_pcb_on_error(f, err_cb);
		CHECK(udp_pcb_connect(f, ME, net16(8000)) == 0);
		udp_pcb_local(f, &addr, &port);
		CHECK(addr == ME);
		CHECK(udp_pcb_send(f, payload("x"), 0, 0, t + 5 * SEC) == 0);
		CHECK(rf.err == ECONNREFUSED && re.n == 2);
		CHECK(host_sent_count() == 0);
		/* disconnect: the address chosen by connect goes */
		CHECK(udp_pcb_connect(f, 0, 0) == 0);
		udp_pcb_local(f, &addr, &port);
		CHECK(addr == 0 && port != 0);
		udp_pcb_free(e);
		udp_pcb_free(f);
	}

	udp_pcb_free(a);
	udp_pcb_free(b);
	udp_pcb_free(c);
	udp_pcb_free(d);
	host_sent_clear();
	CHECK(kmalloc_in_use() == base);
	host_stack_reset();
	printf("test_net_udp: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
