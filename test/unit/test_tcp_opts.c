/*
 * test_tcp_opts.c - TCP options (src/net/tcp_opt.c) with a fake clock:
 * parsing well-formed and malformed options (bad lengths, truncation,
 * SYN-only options elsewhere, random garbage), the SYN layout, RFC 7323
 * timestamp and SACK-permitted negotiation both ways, TS.Recent and
 * PAWS (old duplicates dropped and ACKed, RSTs exempt, the 24-day rule),
 * RTTM samples from TSecr (also for retransmissions, where Karn has
 * none), TSval wrap-around, and the 12 bytes the option takes from the MSS.
 */
#include "test_tcp_opt_harness.h"

static uint8_t pat_small[4000];

static void test_parse(void)
{
	struct tcp_opts o;
	/* Linux's SYN: MSS, SACK-perm, TS, NOP, WS 7. */
	static const uint8_t syn[] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0,
				       0, 0, 1, 3, 3, 7 };
	static const uint8_t ws_big[] = { 3, 3, 200, 0 };
	static const uint8_t bad_len0[] = { 2, 4, 1, 0, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t bad_len1[] = { 8, 1, 2, 4, 1, 0 };
	static const uint8_t too_long[] = { 2, 4, 1, 0, 8, 10, 1, 2, 3, 4 }; /* TS cut */
	static const uint8_t ts_short[] = { 8, 8, 1, 2, 3, 4, 5, 6, 1, 1, 1, 1 };
	static const uint8_t eol[] = { 0, 2, 4, 1, 0 };
	static const uint8_t lone[] = { 1, 1, 8 };   /* a kind with no length */
	static const uint8_t unk[] = { 30, 4, 9, 9, 2, 4, 2, 0 };
	static const uint8_t sack2[] = { 1, 1, 5, 18, 0, 0, 0, 10, 0, 0, 0, 20,
					 0, 0, 0, 30, 0, 0, 0, 40 };
	static const uint8_t sack_bad[] = { 1, 1, 5, 17, 0, 0, 0, 10, 0, 0, 0, 20,
					    0, 0, 0, 30, 0, 0, 0, 40 };
	uint8_t sack4[36] = { 1, 1, 5, 34 };

	tcp_opt_parse(syn, sizeof(syn), 1, &o);
	CHECK(o.mss == 1460 && o.sack_perm && o.ts && o.tsval == 0x01020304 &&
	      o.tsecr == 0 && o.ws == 7 && o.nsack == 0);
	/* SYN-only options outside a SYN are ignored; TS counts anywhere. */
	tcp_opt_parse(syn, sizeof(syn), 0, &o);
	CHECK(o.mss == 0 && !o.sack_perm && o.ws == -1 && o.ts && o.tsval == 0x01020304);
	tcp_opt_parse(ws_big, sizeof(ws_big), 1, &o);
	CHECK(o.ws == TCP_MAX_WS);
	/* A zero or one length ends the parse; what came before stays. */
	tcp_opt_parse(bad_len0, sizeof(bad_len0), 1, &o);
	CHECK(o.mss == 256 && !o.ts);
	tcp_opt_parse(bad_len1, sizeof(bad_len1), 1, &o);
	CHECK(o.mss == 0 && !o.ts);
	tcp_opt_parse(too_long, sizeof(too_long), 1, &o);
	CHECK(o.mss == 256 && !o.ts);
	tcp_opt_parse(ts_short, sizeof(ts_short), 0, &o);
	CHECK(!o.ts);
	tcp_opt_parse(eol, sizeof(eol), 1, &o);
	CHECK(o.mss == 0);
	tcp_opt_parse(lone, sizeof(lone), 1, &o);
	CHECK(!o.ts && o.ws == -1);
	tcp_opt_parse(unk, sizeof(unk), 1, &o);
	CHECK(o.mss == 512);
	/* SACK blocks: only outside SYNs, only a whole number of blocks. */
	tcp_opt_parse(sack2, sizeof(sack2), 0, &o);
	CHECK(o.nsack == 2 && o.sack[0].start == 10 && o.sack[0].end == 20 &&
	      o.sack[1].start == 30 && o.sack[1].end == 40);
	tcp_opt_parse(sack2, sizeof(sack2), 1, &o);
	CHECK(o.nsack == 0);
	tcp_opt_parse(sack_bad, sizeof(sack_bad), 0, &o);
	CHECK(o.nsack == 0);
	for (int i = 0; i < 32; i++)
		sack4[4 + i] = (uint8_t)i;
	tcp_opt_parse(sack4, sizeof(sack4), 0, &o);
	CHECK(o.nsack == 4 && o.sack[3].start == 0x18191a1b && o.sack[3].end == 0x1c1d1e1f);
	/* Garbage: never reads past n (ASan), never more than 4 blocks. */
	uint64_t r = 88172645463325252ull;
	int bad = 0;
	for (int i = 0; i < 200000; i++) {
		uint8_t *g;
		unsigned n;

		r ^= r << 13; r ^= r >> 7; r ^= r << 17;
		n = (unsigned)(r % 41);
		g = malloc(n ? n : 1);
		for (unsigned k = 0; k < n; k++)
			g[k] = (uint8_t)(k % 3 ? (r >> (k % 56)) : (r >> (k % 61)) % 10);
		tcp_opt_parse(g, n, (int)(r >> 63), &o);
		if (o.nsack > TCP_SACK_RCV_MAX || o.ws > TCP_MAX_WS || o.ws < -1)
			bad++;
		free(g);
	}
	CHECK(bad == 0);
}

/* Our SYN offers everything, in Linux's 20-byte layout. */
static void test_syn_layout(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	struct capopt *c;
	uint64_t t = 10 * SEC;

	tcp_setup();
	tcp_xmit_hook = opt_xmit;
	p = tcp_pcb_new(ev_cb, &e);
	tcp_pcb_bind(p, 0, net16(5000));
	CHECK(tcp_pcb_connect(p, PEER, net16(80), t) == 0);
	s = sent();
	c = sent_opts();
	CHECK(s && s->flags == TH_SYN && c->n == 20);
	CHECK(c->raw[0] == 2 && c->raw[1] == 4 && c->raw[4] == 4 && c->raw[5] == 2 &&
	      c->raw[6] == 8 && c->raw[7] == 10 && c->raw[16] == 1 && c->raw[17] == 3 &&
	      c->raw[18] == 3 && c->raw[19] == p->rcv_ws);
	CHECK(c->o.ts && c->o.tsecr == 0 && c->o.tsval == tcp_ts_now(p, t));
	CHECK(c->o.mss == 1460 && c->o.sack_perm && s->ws == p->rcv_ws);
	/* The retransmitted SYN: a later TSval from the same clock. */
	tcp_timers(t + SEC);
	s = sent();
	CHECK(s && s->flags == TH_SYN && sent_opts()->o.tsval == tcp_ts_now(p, t) + 1000);
	tcp_pcb_abort(p, t);
	/* Knobs off: MSS and WS only, as before. */
	tcp_do_ts = tcp_do_sack = 0;
	sent_clear();
	p = tcp_pcb_new(ev_cb, &e);
	tcp_pcb_bind(p, 0, net16(5000));
	tcp_pcb_connect(p, PEER, net16(80), t);
	s = sent();
	CHECK(s && sent_opts()->n == 8 && !sent_opts()->o.ts && !sent_opts()->o.sack_perm);
	tcp_pcb_abort(p, t);
	tcp_do_ts = tcp_do_sack = 1;
}

static void test_negotiate_active(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	struct capopt *c;
	uint64_t t = 10 * SEC;

	/* Both: TS and SACK on, MSS 1000 - 12. */
	tcp_setup();
	p = establish_o(&e, 1000, 7000, 65535, 1, 1, 555, t);
	CHECK(p && p->state == TCP_ESTABLISHED && p->ts_ok && p->sack_ok);
	CHECK(p->mss == 988 && p->ts_recent == 555);
	/* Every segment now carries TS with TSecr = TS.Recent. */
	CHECK(tcp_pcb_send(p, "x", 1, t + 5 * MS) == 1);
	s = sent();
	c = sent_opts();
	CHECK(s && s->len == 1 && c->n == 12 && c->o.ts && c->o.tsecr == 555 &&
	      c->o.tsval == tcp_ts_now(p, t + 5 * MS));
	tcp_pcb_abort(p, t);
	/* No TS from the peer: none from us, full MSS. */
	tcp_setup();
	p = establish_o(&e, 1000, 7000, 65535, 0, 1, 0, t);
	CHECK(p && !p->ts_ok && p->sack_ok && p->mss == 1000);
	tcp_pcb_send(p, "x", 1, t);
	s = sent();
	CHECK(s && sent_opts()->n == 0);
	tcp_pcb_abort(p, t);
	/* TS without SACK. */
	tcp_setup();
	p = establish_o(&e, 1000, 7000, 65535, 1, 0, 9, t);
	CHECK(p && p->ts_ok && !p->sack_ok && p->mss == 988);
	tcp_pcb_abort(p, t);
	/* The SYN-ACK's TSecr echoes our SYN: the first RTT sample. */
	tcp_setup();
	{
		struct popt po = { .mss = 1000, .ws = -1, .ts = 1, .tsval = 1 };

		tcp_xmit_hook = opt_xmit;
		tcp_isn_value = 1000;
		p = tcp_pcb_new(ev_cb, &e);
		tcp_pcb_bind(p, 0, net16(5000));
		tcp_pcb_connect(p, PEER, net16(80), t);
		sent();
		po.tsecr = sent_opts()->o.tsval;
		inject_o(7000, 1001, TH_SYN | TH_ACK, 65535, NULL, 0, &po, t + 40 * MS);
		CHECK(p->state == TCP_ESTABLISHED && p->srtt == 40 * MS);
		tcp_pcb_abort(p, t);
	}
}

static void test_negotiate_passive(void)
{
	struct evrec el = { 0 };
	struct tcp_pcb *l, *c;
	struct cseg *s;
	struct capopt *o;
	struct popt po = { .mss = 1200, .ws = 2, .ts = 1, .tsval = 0xabcdef01,
			   .sack_perm = 1 };
	uint64_t t = 10 * SEC;
	uint8_t ob[40];
	size_t n;

	tcp_setup();
	tcp_xmit_hook = opt_xmit;
	l = tcp_pcb_new(ev_cb, &el);
	tcp_pcb_bind(l, 0, net16(80));
	tcp_pcb_listen(l, 4);
	/* A SYN with everything: the SYN-ACK answers in kind. */
	n = popt_build(&po, ob);
	inject_full(PEER, ME, 4000, 80, 5000, 0, TH_SYN, 8192, NULL, 0, ob, n, t);
	s = sent();
	o = sent_opts();
	CHECK(s && s->flags == (TH_SYN | TH_ACK) && o->n == 20 && o->o.ts &&
	      o->o.tsecr == 0xabcdef01 && o->o.sack_perm && o->o.ws >= 0);
	/* The ACK completing the handshake. */
	po = (struct popt){ .ws = -1, .ts = 1, .tsval = 0xabcdef02, .tsecr = o->o.tsval };
	n = popt_build(&po, ob);
	inject_full(PEER, ME, 4000, 80, 5001, 1001, TH_ACK, 8192, NULL, 0, ob, n, t);
	c = tcp_pcb_accept(l, NULL, NULL);
	CHECK(c && c->ts_ok && c->sack_ok && c->mss == 1188 && c->ts_recent == 0xabcdef02);
	/* A SYN with only MSS: only MSS back. */
	inject_syn(4001, 80, 9000, 0, TH_SYN, 8192, 1200, -1, t);
	s = sent();
	CHECK(s && s->flags == (TH_SYN | TH_ACK) && sent_opts()->n == 4);
	tcp_pcb_close(l, t);
	if (c)
		tcp_pcb_abort(c, t);
}

/* PAWS (RFC 7323 §5) and TS.Recent (§4.3). */
static void test_paws(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	struct popt po = { .ws = -1, .ts = 1 };
	uint64_t t = 10 * SEC;
	uint8_t b[64];

	tcp_setup();
	p = establish_o(&e, 1000, 7000, 65535, 1, 0, 1000, t);
	po.tsecr = tcp_ts_now(p, t);
	/* Newer TSval, in order: taken, TS.Recent follows. */
	po.tsval = 1010;
	inject_o(7001, 1001, TH_ACK, 65535, "abc", 3, &po, t);
	s = ack_of(p, t);
	CHECK(s && s->ack == 7004 && p->ts_recent == 1010 && sent_opts()->o.tsecr == 1010);
	/* An old TSval: dropped, an ACK says where we are. */
	po.tsval = 1009;
	inject_o(7004, 1001, TH_ACK, 65535, "def", 3, &po, t);
	s = sent();
	CHECK(s && s->ack == 7004 && s->len == 0 && p->rcv_nxt == 7004);
	CHECK(p->ts_recent == 1010);
	/* No TSopt at all once negotiated: silently dropped. */
	inject_o(7004, 1001, TH_ACK, 65535, "def", 3, NULL, t);
	CHECK(nsent() == 0 && p->rcv_nxt == 7004);
	/* Equal TSval is fine (a burst from one tick). */
	po.tsval = 1010;
	inject_o(7004, 1001, TH_ACK, 65535, "def", 3, &po, t);
	CHECK(p->rcv_nxt == 7007);
	ack_of(p, t);
	sent_clear();
	/* Out of order (beyond Last.ACK.sent): taken, TS.Recent kept. */
	po.tsval = 1020;
	inject_o(7010, 1001, TH_ACK, 65535, "jkl", 3, &po, t);
	CHECK(p->nooo == 1 && p->ts_recent == 1010);
	po.tsval = 1021;
	inject_o(7007, 1001, TH_ACK, 65535, "ghi", 3, &po, t);
	CHECK(p->rcv_nxt == 7013 && p->ts_recent == 1021);
	CHECK(tcp_pcb_recv(p, b, sizeof(b), 0, t) == 12 && !memcmp(b, "abcdefghijkl", 12));
	ack_of(p, t);
	sent_clear();
	/* 24 days idle: TS.Recent no longer valid, an old TSval passes. */
	po.tsval = 5;
	inject_o(7013, 1001, TH_ACK, 65535, "m", 1, &po, t + 23ull * 24 * 3600 * SEC);
	CHECK(p->rcv_nxt == 7013);
	inject_o(7013, 1001, TH_ACK, 65535, "m", 1, &po, t + 25ull * 24 * 3600 * SEC);
	CHECK(p->rcv_nxt == 7014 && p->ts_recent == 5);
	/* An RST is not PAWS-checked (§5.3 R1). */
	po.tsval = 1;
	inject_o(7014, 1001, TH_RST, 0, NULL, 0, &po, t + 25ull * 24 * 3600 * SEC);
	CHECK(p->state == TCP_CLOSED && e.err == ECONNRESET);
	tcp_pcb_abort(p, t);
}

/* RTTM (§4.1) and TSval wrap-around. */
static void test_rttm_wrap(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	struct popt po = { .ws = -1, .ts = 1, .tsval = 2000 };
	uint64_t t = 10 * SEC, rto, tr;
	uint32_t ts1;

	tcp_setup();
	p = establish_o(&e, 1000, 7000, 65535, 1, 0, 1000, t);
	p->srtt = 0;
	p->rto = TCP_RTO_INIT;
	/* Our clock just below 2^32: it wraps during the transfer. */
	p->ts_off = 0xffffffffu - (uint32_t)(t / MS) - 5;
	CHECK(tcp_pcb_send(p, pat_small, 988, t) == 988);
	s = sent();
	ts1 = sent_opts()->o.tsval;
	CHECK(s && s->len == 988 && ts1 == 0xfffffffau);
	po.tsecr = ts1;
	inject_o(7001, 1989, TH_ACK, 65535, NULL, 0, &po, t + 30 * MS);
	CHECK(p->srtt == 30 * MS);
	/* A retransmission (RTO) is timed too: Karn would not. */
	tcp_pcb_send(p, pat_small, 500, t + 40 * MS);
	s = sent();
	tr = p->rto_at;
	CHECK(tr == t + 40 * MS + TCP_RTO_MIN);
	tcp_timers(tr);
	s = sent();
	CHECK(s && s->seq == 1989 && s->len == 500);
	po.tsecr = sent_opts()->o.tsval;
	CHECK((int32_t)(po.tsecr - ts1) > 0 && po.tsecr < 1000); /* wrapped */
	po.tsval = 2001;
	inject_o(7001, 2489, TH_ACK, 65535, NULL, 0, &po, tr + 20 * MS);
	CHECK(p->srtt == (7 * 30 * MS + 20 * MS) / 8);
	/* An echo of a time we never sent (the future): no sample. */
	tcp_pcb_send(p, pat_small, 10, t + SEC);
	po.tsecr = tcp_ts_now(p, t + SEC) + 100000;
	po.tsval = 2002;
	rto = p->srtt;
	inject_o(7001, 2499, TH_ACK, 65535, NULL, 0, &po, t + SEC + 5 * MS);
	CHECK(p->snd_una == 2499 && p->srtt == rto);
	/* PAWS across the peer's wrap: 0xfffffff0 -> 0x10 is newer. */
	sent_clear();
	po.tsval = 0x7ffffff8u;
	po.tsecr = 0;
	inject_o(7001, 2499, TH_ACK, 65535, NULL, 0, &po, t + 2 * SEC);
	CHECK(p->ts_recent == 0x7ffffff8u);
	po.tsval = 0xfffffff0u;
	inject_o(7001, 2499, TH_ACK, 65535, "a", 1, &po, t + 2 * SEC);
	CHECK(p->rcv_nxt == 7002 && p->ts_recent == 0xfffffff0u);
	ack_of(p, t + 2 * SEC);
	po.tsval = 0x10;
	inject_o(7002, 2499, TH_ACK, 65535, "b", 1, &po, t + 2 * SEC);
	CHECK(p->rcv_nxt == 7003 && p->ts_recent == 0x10);
	ack_of(p, t + 2 * SEC);
	po.tsval = 0xfffffff8u;
	inject_o(7003, 2499, TH_ACK, 65535, "c", 1, &po, t + 2 * SEC);
	CHECK(p->rcv_nxt == 7003);
	tcp_pcb_abort(p, t);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(pat_small); i++)
		pat_small[i] = (uint8_t)(i * 7);
	test_parse();
	test_syn_layout();
	test_negotiate_active();
	test_negotiate_passive();
	test_paws();
	test_rttm_wrap();
	tcp_reset_all();
	printf("test_tcp_opts: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
