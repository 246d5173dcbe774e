/*
 * test_tcp_harness.h - shared by the TCP host tests (test_tcp_*.c): the
 * stack harness (net_host.h) plus a capture of every segment TCP sends
 * (through tcp_xmit_hook, checksum verified), a segment injector (IPv4 +
 * TCP headers with a correct checksum, into tcp_input) and an event
 * recorder for the pcb callbacks. Ports are in host order here.
 */
#ifndef UNI_TEST_TCP_HARNESS_H
#define UNI_TEST_TCP_HARNESS_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "net_host.h"
#include "../../src/net/tcp_priv.h"

#define HARNESS static __attribute__((unused)) /* not every test uses all */
#define ME IP4(10, 0, 0, 1)
#define PEER IP4(10, 0, 0, 2)
#define MS 1000000ull

struct cseg {
	uint32_t src, dst, seq, ack, len;
	uint16_t sport, dport, wnd, mss;
	uint8_t flags;
	int ws, csum_ok;
	uint8_t data[4096];
};

#define CAP_MAX 256
static struct cseg cap[CAP_MAX];
static int cap_head, cap_tail;

HARNESS int cap_xmit(struct netbuf *nb, uint32_t src, uint32_t dst, uint64_t now)
{
	struct tcp_hdr *th = (struct tcp_hdr *)nb->data;
	struct cseg *c = &cap[cap_tail++ % CAP_MAX];
	uint16_t w[2] = { net16(6), net16((uint16_t)nb->len) };
	unsigned hl = (th->off >> 4) * 4u;
	uint32_t s;

	(void)now;
	memset(c, 0, sizeof(*c) - sizeof(c->data));
	s = inet_csum_add(0, &src, 4);
	s = inet_csum_add(s, &dst, 4);
	s = inet_csum_add(s, w, 4);
	c->csum_ok = inet_csum_fold(inet_csum_add(s, nb->data, nb->len)) == 0;
	c->src = src;
	c->dst = dst;
	c->sport = net16(th->source);
	c->dport = net16(th->dest);
	c->seq = net32(th->seq);
	c->ack = net32(th->ack);
	c->flags = th->flags;
	c->wnd = net16(th->window);
	c->ws = -1;
	for (unsigned i = 20; i < hl;) {
		uint8_t *o = nb->data + i;
		if (o[0] == 1) { i++; continue; }
		if (o[0] == 0) break;
		if (o[0] == 2) c->mss = (uint16_t)(o[2] << 8 | o[3]);
		if (o[0] == 3) c->ws = o[2];
		i += o[1];
	}
	c->len = nb->len - hl;
	memcpy(c->data, nb->data + hl, c->len < 4096 ? c->len : 4096);
	netbuf_put(nb);
	return 0;
}

/* The oldest segment not yet looked at, or NULL. */
HARNESS struct cseg *sent(void)
{
	return cap_head < cap_tail ? &cap[cap_head++ % CAP_MAX] : NULL;
}

HARNESS int nsent(void)
{
	return cap_tail - cap_head;
}

HARNESS void sent_clear(void)
{
	cap_head = cap_tail;
}

/* A segment from the peer. opts may be NULL. */
HARNESS void inject_full(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
			uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
			const void *data, size_t len, const uint8_t *opts,
			size_t optlen, uint64_t now)
{
	size_t tl = 20 + optlen + len;
	struct netbuf *nb = netbuf_alloc(20 + tl);
	uint8_t *b = netbuf_append(nb, 20 + tl);
	struct ip4_hdr *ih = (struct ip4_hdr *)b;
	struct tcp_hdr *th = (struct tcp_hdr *)(b + 20);
	uint16_t w[2] = { net16(6), net16((uint16_t)tl) };
	uint32_t s;

	memset(b, 0, 40);
	ih->vihl = 0x45;
	ih->tot_len = net16((uint16_t)(20 + tl));
	ih->ttl = 64;
	ih->proto = 6;
	ih->saddr = src;
	ih->daddr = dst;
	th->source = net16(sport);
	th->dest = net16(dport);
	th->seq = net32(seq);
	th->ack = net32(ack);
	th->off = (uint8_t)(((20 + optlen) / 4) << 4);
	th->flags = flags;
	th->window = net16(wnd);
	if (optlen)
		memcpy(b + 40, opts, optlen);
	if (len)
		memcpy(b + 40 + optlen, data, len);
	s = inet_csum_add(0, &src, 4);
	s = inet_csum_add(s, &dst, 4);
	s = inet_csum_add(s, w, 4);
	th->check = inet_csum_fold(inet_csum_add(s, th, tl));
	nb->l4 = 20;
	tcp_input(&host_eth, nb, now);
}

/* From PEER:pport to ME:myport. */
HARNESS void inject(uint16_t pport, uint16_t myport, uint32_t seq, uint32_t ack,
		   uint8_t flags, uint16_t wnd, const void *data, size_t len,
		   uint64_t now)
{
	inject_full(PEER, ME, pport, myport, seq, ack, flags, wnd, data, len,
		    NULL, 0, now);
}

/* A SYN (or SYN-ACK) with MSS and, if ws >= 0, window scale options. */
HARNESS void inject_syn(uint16_t pport, uint16_t myport, uint32_t seq,
		       uint32_t ack, uint8_t flags, uint16_t wnd, uint16_t mss,
		       int ws, uint64_t now)
{
	uint8_t o[8] = { 2, 4, (uint8_t)(mss >> 8), (uint8_t)mss, 1, 3, 3,
			 (uint8_t)ws };

	inject_full(PEER, ME, pport, myport, seq, ack, flags, wnd, NULL, 0, o,
		    ws >= 0 ? 8 : 4, now);
}

struct evrec {
	unsigned ev;
	int err, n;
};

HARNESS void ev_cb(void *ctx, unsigned ev, int err)
{
	struct evrec *e = ctx;

	e->ev |= ev;
	if (err)
		e->err = err;
	e->n++;
}

HARNESS void tcp_setup(void)
{
	tcp_reset_all();
	host_stack_reset();
	netif_set_addr(&host_eth, ME, IP4(255, 255, 255, 0), IP4(10, 0, 0, 254));
	host_sent_clear();
	tcp_xmit_hook = cap_xmit;
	tcp_isn_fixed = 1;
	tcp_isn_value = 1000;
	tcp_cfg.msl_ns = 30 * SEC;
	tcp_cfg.sndbuf = 64 * 1024;
	tcp_cfg.rcvbuf = 128 * 1024;
	tcp_cfg.syn_retries = 6;
	tcp_cfg.retries = 15;
	sent_clear();
}

HARNESS int npcbs(void)
{
	int n = 0;

	for (struct tcp_pcb *p = tcp_pcbs; p; p = p->next)
		n++;
	return n;
}

/* An established active connection ME:lport -> PEER:80: our ISN iss,
 * the peer's irs, its MSS 1000, window wnd, no window scaling (ws -1) or
 * ws. Returns the pcb; every sent segment consumed. */
HARNESS struct tcp_pcb *establish(struct evrec *e, uint32_t iss, uint32_t irs,
				 uint16_t wnd, int ws, uint64_t now)
{
	struct tcp_pcb *p = tcp_pcb_new(ev_cb, e);
	uint16_t lport;
	uint32_t a;

	tcp_isn_value = iss;
	tcp_pcb_bind(p, 0, net16(5000));
	if (tcp_pcb_connect(p, PEER, net16(80), now))
		return NULL;
	tcp_pcb_local(p, &a, &lport);
	inject_syn(80, 5000, irs, iss + 1, TH_SYN | TH_ACK, wnd, 1000, ws, now);
	sent_clear();
	return p;
}

#endif
