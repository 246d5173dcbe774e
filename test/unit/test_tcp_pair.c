/*
 * test_tcp_pair.c - two real TCP endpoints (src/net/tcp*.c) talking to
 * each other through a fake wire with a fake clock: a bulk transfer each
 * way with the data checked byte for byte, then an orderly close down to
 * TIME-WAIT expiry, first on a clean wire and then on one that loses and
 * reorders segments (retransmission, out-of-order queueing, FIN and ACK
 * loss all have to work together).
 */
#include "test_tcp_harness.h"
#include <uni/kmalloc.h>

#define WIRE_MAX 4096
static struct { struct netbuf *nb; uint32_t src, dst; } wire[WIRE_MAX];
static int wn, loss_pct, reorder_pct, drops;
static uint64_t rnd = 12345;

static uint32_t rand32(void)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return (uint32_t)rnd;
}

static int wire_xmit(struct netbuf *nb, uint32_t src, uint32_t dst, uint64_t now)
{
	(void)now;
	if (wn == WIRE_MAX)
		return -ENOBUFS;
	wire[wn].nb = nb;
	wire[wn].src = src;
	wire[wn].dst = dst;
	wn++;
	return 0;
}

/* Deliver (or lose) the first segment on the wire, sometimes the second. */
static void wire_step(uint64_t now)
{
	int i = (wn > 1 && (int)(rand32() % 100) < reorder_pct) ? 1 : 0;
	struct netbuf *nb = wire[i].nb;
	uint32_t src = wire[i].src, dst = wire[i].dst;
	struct ip4_hdr *ih;

	memmove(&wire[i], &wire[i + 1], (size_t)(wn - i - 1) * sizeof(wire[0]));
	wn--;
	if ((int)(rand32() % 100) < loss_pct) {
		drops++;
		netbuf_put(nb);
		return;
	}
	ih = (struct ip4_hdr *)netbuf_push(nb, sizeof(*ih));
	memset(ih, 0, sizeof(*ih));
	ih->vihl = 0x45;
	ih->tot_len = net16((uint16_t)nb->len);
	ih->proto = 6;
	ih->ttl = 64;
	ih->saddr = src;
	ih->daddr = dst;
	nb->l4 = 20;
	tcp_input(&host_eth, nb, now);
}

static uint8_t tx_c[300000], tx_s[200000], rx_c[200000], rx_s[300000];

static void run(int loss, int reorder)
{
	struct evrec el = { 0 }, ec = { 0 }, es = { 0 };
	struct tcp_pcb *l, *c, *s = NULL;
	size_t c_sent = 0, s_sent = 0, c_got = 0, s_got = 0, base;
	int c_eof = 0, c_closed = 0, s_closed = 0;
	uint64_t t = 10 * SEC;
	long n;

	tcp_setup();
	net_loopback->mtu = 1500; /* many segments: MSS 1460, as on Ethernet */
	tcp_isn_fixed = 0; /* RFC 6528 ISNs */
	tcp_xmit_hook = wire_xmit;
	loss_pct = loss;
	drops = 0;
	reorder_pct = reorder;
	base = kmalloc_in_use();
	l = tcp_pcb_new(ev_cb, &el);
	CHECK(tcp_pcb_bind(l, ME, net16(80)) == 0);
	CHECK(tcp_pcb_listen(l, 8) == 0);
	c = tcp_pcb_new(ev_cb, &ec);
	CHECK(tcp_pcb_connect(c, ME, net16(80), t) == 0);
	CHECK(c->mss == 1460);
	for (int iter = 0; iter < 2000000 && !(c_closed && s_closed && npcbs() == 1);
	     iter++) {
		uint64_t d = tcp_timers(t);

		if (wn) {
			t += 20000; /* 20 us a segment */
			wire_step(t);
		} else if (d) {
			t = d;
			tcp_timers(t);
		}
		if (!s && (s = tcp_pcb_accept(l, ev_cb, &es)))
			CHECK(s->state == TCP_ESTABLISHED && s->ts_ok && s->sack_ok &&
			      c->ts_ok && c->sack_ok && c->mss == 1448);
		if (c_sent < sizeof(tx_c) && (n = tcp_pcb_send(c, tx_c + c_sent,
				sizeof(tx_c) - c_sent, t)) > 0)
			c_sent += (size_t)n;
		if (c_sent == sizeof(tx_c) && !c_eof && !c_closed) {
			CHECK(tcp_pcb_shutdown(c, 1, t) == 0);
			c_eof = 1;
		}
		if (s && s_sent < sizeof(tx_s) && (n = tcp_pcb_send(s, tx_s + s_sent,
				sizeof(tx_s) - s_sent, t)) > 0)
			s_sent += (size_t)n;
		if (s && !s_closed && (n = tcp_pcb_recv(s, rx_s + s_got,
				sizeof(rx_s) - s_got, 0, t)) >= 0) {
			s_got += (size_t)n;
			if (!n && s_sent == sizeof(tx_s)) {
				tcp_pcb_close(s, t); /* EOF from the client, all sent */
				s_closed = 1;
			}
		}
		if (!c_closed && (n = tcp_pcb_recv(c, rx_c + c_got,
				sizeof(rx_c) - c_got, 0, t)) >= 0) {
			c_got += (size_t)n;
			if (!n) {
				tcp_pcb_close(c, t);
				c_closed = 1;
			}
		}
	}
	CHECK(s_got == sizeof(tx_c) && !memcmp(rx_s, tx_c, sizeof(tx_c)));
	CHECK(c_got == sizeof(tx_s) && !memcmp(rx_c, tx_s, sizeof(tx_s)));
	CHECK(c_closed && s_closed);
	CHECK(!ec.err && !es.err);
	/* TIME-WAIT on the side that closed first runs out; the listener stays. */
	for (int i = 0; i < 100 && (npcbs() > 1 || wn); i++) {
		uint64_t d = tcp_timers(t);
		while (wn)
			wire_step(t);
		if (d)
			t = d;
	}
	CHECK(npcbs() == 1);
	tcp_pcb_close(l, t);
	while (wn)
		wire_step(t);
	CHECK(npcbs() == 0 && kmalloc_in_use() == base);
	CHECK(!loss || drops > 10);
	printf("loss %d%% reorder %d%%: %zu/%zu bytes, %d segments lost, "
	       "%.1f s of fake time\n", loss, reorder, s_got, c_got, drops,
	       (double)(t - 10 * SEC) / SEC);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(tx_c); i++)
		tx_c[i] = (uint8_t)(i * 13 + (i >> 9));
	for (size_t i = 0; i < sizeof(tx_s); i++)
		tx_s[i] = (uint8_t)(i * 31 + (i >> 7) + 1);
	run(0, 0);
	run(3, 10);
	run(10, 30);
	tcp_reset_all();
	printf("test_tcp_pair: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
