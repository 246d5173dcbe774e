/*
 * test_tcp_opt_harness.h - for test_tcp_opts.c and test_tcp_sack.c: on
 * top of test_tcp_harness.h, a capture hook that also keeps each sent
 * segment's raw option bytes and their parse (tcp_opt_parse), a builder
 * for the peer's options (MSS, SACK-permitted, timestamps, window scale,
 * SACK blocks), and an active open that negotiates chosen options.
 */
#ifndef UNI_TEST_TCP_OPT_HARNESS_H
#define UNI_TEST_TCP_OPT_HARNESS_H

#include "test_tcp_harness.h"

static struct capopt {
	uint8_t raw[40];
	unsigned n;
	struct tcp_opts o;
} capo[CAP_MAX];

HARNESS int opt_xmit(struct netbuf *nb, uint32_t src, uint32_t dst, uint64_t now)
{
	struct tcp_hdr *th = (struct tcp_hdr *)nb->data;
	struct capopt *c = &capo[cap_tail % CAP_MAX];
	unsigned hl = (th->off >> 4) * 4u;

	c->n = hl - 20;
	memcpy(c->raw, nb->data + 20, c->n);
	tcp_opt_parse(c->raw, c->n, th->flags & TH_SYN, &c->o);
	return cap_xmit(nb, src, dst, now);
}

/* The options of the segment sent() returned last. */
HARNESS struct capopt *sent_opts(void)
{
	return &capo[(cap_head - 1) % CAP_MAX];
}

struct popt {
	int mss;                 /* 0: none */
	int ws;                  /* -1: none */
	int sack_perm, ts;
	uint32_t tsval, tsecr;
	int nsack;
	uint32_t sack[4][2];
};

/* Encode p into o (NOP padded to 4): the length. */
HARNESS size_t popt_build(const struct popt *p, uint8_t *o)
{
	size_t n = 0;

	if (p->mss) {
		o[n++] = 2; o[n++] = 4;
		o[n++] = (uint8_t)(p->mss >> 8); o[n++] = (uint8_t)p->mss;
	}
	if (p->sack_perm) {
		o[n++] = 1; o[n++] = 1; o[n++] = 4; o[n++] = 2;
	}
	if (p->ts) {
		o[n++] = 1; o[n++] = 1; o[n++] = 8; o[n++] = 10;
		for (int i = 3; i >= 0; i--) o[n++] = (uint8_t)(p->tsval >> (8 * i));
		for (int i = 3; i >= 0; i--) o[n++] = (uint8_t)(p->tsecr >> (8 * i));
	}
	if (p->ws >= 0) {
		o[n++] = 1; o[n++] = 3; o[n++] = 3; o[n++] = (uint8_t)p->ws;
	}
	if (p->nsack) {
		o[n++] = 1; o[n++] = 1; o[n++] = 5; o[n++] = (uint8_t)(2 + 8 * p->nsack);
		for (int b = 0; b < p->nsack; b++)
			for (int k = 0; k < 2; k++)
				for (int i = 3; i >= 0; i--)
					o[n++] = (uint8_t)(p->sack[b][k] >> (8 * i));
	}
	return n;
}

/* From PEER:80 to ME:5000 with options. */
HARNESS void inject_o(uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
		     const void *data, size_t len, const struct popt *po,
		     uint64_t now)
{
	uint8_t o[40];
	size_t n = po ? popt_build(po, o) : 0;

	inject_full(PEER, ME, 80, 5000, seq, ack, flags, wnd, data, len, o, n, now);
}

/* The next segment sent, or, when none is waiting (an ACK delayed),
 * an ACK sent now as the delayed-ACK timer would. */
HARNESS struct cseg *ack_of(struct tcp_pcb *p, uint64_t now)
{
	if (!nsent())
		tcp_send_ack(p, now);
	return sent();
}

/* Active open ME:5000 -> PEER:80 (ISN iss, peer's irs, window wnd, no
 * window scaling), the peer's SYN-ACK offering TS (tsval) and/or SACK. */
HARNESS struct tcp_pcb *establish_o(struct evrec *e, uint32_t iss, uint32_t irs,
				   uint16_t wnd, int ts, int sack, uint32_t tsval,
				   uint64_t now)
{
	struct tcp_pcb *p = tcp_pcb_new(ev_cb, e);
	struct popt po = { .mss = 1000, .ws = -1, .sack_perm = sack, .ts = ts,
			   .tsval = tsval };
	struct cseg *s;

	tcp_xmit_hook = opt_xmit;
	tcp_isn_value = iss;
	tcp_pcb_bind(p, 0, net16(5000));
	if (tcp_pcb_connect(p, PEER, net16(80), now))
		return NULL;
	s = sent();
	po.tsecr = s ? sent_opts()->o.tsval : 0;
	inject_o(irs, iss + 1, TH_SYN | TH_ACK, wnd, NULL, 0, &po, now);
	sent_clear();
	return p;
}

#endif
