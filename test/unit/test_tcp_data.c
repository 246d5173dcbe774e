/*
 * test_tcp_data.c - TCP data transfer (src/net/tcp*.c) with a fake clock:
 * segmentation by MSS, ACKs both ways, out-of-order delivery, RTO
 * retransmission with backoff, Karn's rule and RFC 6298 estimates,
 * sequence wrap-around, window scaling, zero windows (ours and the
 * peer's, with probes), and the unread-data RST on close.
 */
#include "test_tcp_harness.h"

static uint8_t pat[70000];

static void test_data_both_ways(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;
	uint8_t b[3000];

	tcp_setup();
	p = establish(&e, 1000, 7000, 65535, -1, t);
	p->srtt = 0; /* forget the SYN's sample */
	p->rto = TCP_RTO_INIT;
	CHECK(tcp_pcb_send(p, pat, 2500, t) == 2500);
	s = sent();
	CHECK(s && s->seq == 1001 && s->len == 1000 && !memcmp(s->data, pat, 1000));
	CHECK(s && s->flags == TH_ACK && s->ack == 7001);
	s = sent();
	CHECK(s && s->seq == 2001 && s->len == 1000 && !memcmp(s->data, pat + 1000, 1000));
	s = sent();
	CHECK(s && s->seq == 3001 && s->len == 500 && (s->flags & TH_PSH));
	CHECK(nsent() == 0 && p->sbuf_len == 2500 && p->rto_at == t + SEC);
	e.ev = 0;
	inject(80, 5000, 7001, 2001, TH_ACK, 65535, NULL, 0, t + 10 * MS);
	CHECK(p->sbuf_len == 1500 && p->snd_una == 2001 && (e.ev & TCP_EV_WRITABLE));
	CHECK(p->rto_at == t + 10 * MS + p->rto);
	inject(80, 5000, 7001, 3501, TH_ACK, 65535, NULL, 0, t + 20 * MS);
	CHECK(p->sbuf_len == 0 && p->rto_at == 0 && nsent() == 0);
	CHECK(p->srtt == 10 * MS); /* the first segment was timed */
	/* Peer to us. */
	e.ev = 0;
	inject(80, 5000, 7001, 3501, TH_ACK | TH_PSH, 65535, "hello", 5, t);
	CHECK(nsent() == 0); /* the ACK is delayed (tcp_keep.c) */
	tcp_timers(t + TCP_DELACK_NS);
	s = sent();
	CHECK(s && s->flags == TH_ACK && s->ack == 7006 && s->seq == 3501);
	CHECK(e.ev & TCP_EV_READABLE);
	CHECK(tcp_pcb_recv(p, b, 3, 1, t) == 3 && !memcmp(b, "hel", 3)); /* peek */
	CHECK(tcp_pcb_recv(p, b, sizeof(b), 0, t) == 5 && !memcmp(b, "hello", 5));
	CHECK(tcp_pcb_recv(p, b, sizeof(b), 0, t) == -EAGAIN);
	/* A duplicate: ACKed again, not delivered twice. */
	inject(80, 5000, 7001, 3501, TH_ACK, 65535, "hello", 5, t);
	s = sent();
	CHECK(s && s->ack == 7006);
	CHECK(tcp_pcb_recv(p, b, sizeof(b), 0, t) == -EAGAIN);
	/* Partly old: only the new bytes. */
	inject(80, 5000, 7004, 3501, TH_ACK, 65535, "lo world", 8, t);
	CHECK(tcp_pcb_recv(p, b, sizeof(b), 0, t) == 6 && !memcmp(b, " world", 6));
	tcp_pcb_abort(p, t);
}

static void test_out_of_order(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;
	uint8_t b[64];

	tcp_setup();
	p = establish(&e, 1000, 7000, 65535, -1, t);
	inject(80, 5000, 7011, 1001, TH_ACK, 65535, "KLMNO", 5, t);
	inject(80, 5000, 7006, 1001, TH_ACK, 65535, "FGHIJ", 5, t);
	inject(80, 5000, 7021, 1001, TH_ACK | TH_FIN, 65535, "UV", 2, t);
	s = sent();
	CHECK(s && s->ack == 7001); /* duplicate ACKs */
	s = sent();
	CHECK(s && s->ack == 7001);
	CHECK(p->nooo == 2 && tcp_pcb_recv(p, b, 64, 0, t) == -EAGAIN);
	sent_clear();
	inject(80, 5000, 7001, 1001, TH_ACK, 65535, "ABCDE", 5, t);
	s = sent();
	CHECK(s && s->ack == 7016);
	CHECK(tcp_pcb_recv(p, b, 64, 0, t) == 15 && !memcmp(b, "ABCDEFGHIJKLMNO", 15));
	inject(80, 5000, 7016, 1001, TH_ACK, 65535, "PQRST", 5, t);
	s = sent();
	CHECK(s && s->ack == 7024); /* the held data and the early FIN */
	CHECK(p->state == TCP_CLOSE_WAIT);
	CHECK(tcp_pcb_recv(p, b, 64, 0, t) == 7 && !memcmp(b, "PQRSTUV", 7));
	CHECK(tcp_pcb_recv(p, b, 64, 0, t) == 0);
	tcp_pcb_abort(p, t);
}

static void test_retransmit(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;

	tcp_setup();
	p = establish(&e, 1000, 7000, 65535, -1, t);
	p->srtt = 0; /* forget the SYN's sample */
	p->rto = TCP_RTO_INIT;
	tcp_pcb_send(p, pat, 1500, t);
	CHECK(nsent() == 2);
	sent_clear();
	/* The first segment is lost; the second arrives (dup ACK). */
	tcp_timers(t + SEC - 1);
	CHECK(nsent() == 0);
	tcp_timers(t + SEC);
	s = sent();
	CHECK(s && s->seq == 1001 && s->len == 1000 && !memcmp(s->data, pat, 1000));
	CHECK(nsent() == 0); /* one segment after an RTO */
	CHECK(p->rto == 2 * SEC && p->rto_at == t + 3 * SEC);
	tcp_timers(t + 3 * SEC);
	s = sent();
	CHECK(s && s->seq == 1001);
	CHECK(p->rto == 4 * SEC && p->rto_at == t + 7 * SEC);
	/* The ACK of the retransmission: no RTT sample (Karn), the rest goes. */
	inject(80, 5000, 7001, 2001, TH_ACK, 65535, NULL, 0, t + 3 * SEC + 100 * MS);
	CHECK(p->srtt == 0 && p->rto == 4 * SEC);
	s = sent();
	CHECK(s && s->seq == 2001 && s->len == 500);
	inject(80, 5000, 7001, 2501, TH_ACK, 65535, NULL, 0, t + 3 * SEC + 200 * MS);
	CHECK(p->srtt == 0 && p->rto_at == 0);
	/* A fresh segment is timed: RFC 6298 (2.2). */
	tcp_pcb_send(p, pat, 100, t + 4 * SEC);
	sent_clear();
	inject(80, 5000, 7001, 2601, TH_ACK, 65535, NULL, 0, t + 4 * SEC + 100 * MS);
	CHECK(p->srtt == 100 * MS && p->rttvar == 50 * MS && p->rto == 300 * MS);
	tcp_pcb_send(p, pat, 100, t + 5 * SEC);
	inject(80, 5000, 7001, 2701, TH_ACK, 65535, NULL, 0, t + 5 * SEC + 300 * MS);
	/* rttvar = 3/4*50 + 1/4*200 = 87.5; srtt = 7/8*100 + 1/8*300 = 125 */
	CHECK(p->srtt == 125 * MS && p->rttvar == 87500000ull && p->rto == 475 * MS);
	/* Give up after the retries: ETIMEDOUT. */
	tcp_cfg.retries = 2;
	tcp_pcb_send(p, pat, 10, t + 6 * SEC);
	for (uint64_t now = t + 6 * SEC; now < t + 100 * SEC; now += 100 * MS)
		tcp_timers(now);
	CHECK(p->state == TCP_CLOSED && e.err == ETIMEDOUT);
	tcp_pcb_close(p, t);
	CHECK(npcbs() == 0);
}

static void test_wraparound(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;
	uint8_t b[2000];
	uint32_t iss = 0xfffffe00u, irs = 0xffffff00u;

	tcp_setup();
	p = establish(&e, iss, irs, 65535, -1, t);
	CHECK(p && p->state == TCP_ESTABLISHED && p->rcv_nxt == irs + 1);
	CHECK(tcp_pcb_send(p, pat, 1500, t) == 1500);
	s = sent();
	CHECK(s && s->seq == iss + 1 && s->len == 1000);
	s = sent();
	CHECK(s && s->seq == iss + 1001 && s->seq < 0x1000 && s->len == 500);
	inject(80, 5000, irs + 1, iss + 1001, TH_ACK, 65535, NULL, 0, t);
	CHECK(p->sbuf_len == 500 && p->snd_una == 0x000001e9u);
	inject(80, 5000, irs + 1, iss + 1501, TH_ACK, 65535, NULL, 0, t);
	CHECK(p->sbuf_len == 0);
	/* An ACK from "before" the ISN is old: ignored. */
	inject(80, 5000, irs + 1, iss - 5, TH_ACK, 65535, NULL, 0, t);
	CHECK(p->snd_una == iss + 1501 && p->state == TCP_ESTABLISHED);
	/* Receive across the wrap, out of order. */
	inject(80, 5000, irs + 1 + 1000, iss + 1501, TH_ACK, 65535, pat + 1000, 800, t);
	inject(80, 5000, irs + 1, iss + 1501, TH_ACK, 65535, pat, 1000, t);
	CHECK(p->rcv_nxt == irs + 1801 && p->rcv_nxt < 0x1000);
	CHECK(tcp_pcb_recv(p, b, sizeof(b), 0, t) == 1800 && !memcmp(b, pat, 1800));
	/* A RST just before the wrap point is old: dropped. */
	sent_clear();
	inject(80, 5000, irs - 10, 0, TH_RST, 0, NULL, 0, t);
	CHECK(p->state == TCP_ESTABLISHED && nsent() == 0);
	CHECK(SEQ_LT(0xfffffff0u, 0x10u) && SEQ_GT(0x10u, 0xfffffff0u) &&
	      SEQ_LEQ(5u, 5u) && !SEQ_LT(0x10u, 0xfffffff0u));
	tcp_pcb_abort(p, t);
}

static void test_window_scale(void)
{
	struct evrec e = { 0 }, e2 = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;

	tcp_setup();
	p = establish(&e, 1000, 7000, 1000, 3, t);
	CHECK(p->snd_wnd == 1000); /* a SYN's window is not scaled */
	inject(80, 5000, 7001, 1001, TH_ACK, 1000, NULL, 0, t);
	CHECK(p->snd_wnd == 8000);
	/* Our windows are scaled by 2: 128 KiB free -> 32768. */
	CHECK(tcp_pcb_send(p, pat, 20000, t) == 20000);
	for (int i = 0; i < 8; i++) {
		s = sent();
		CHECK(s && s->len == 1000 && s->wnd == 32768);
	}
	CHECK(nsent() == 0); /* 8000 bytes: the peer's scaled window */
	inject(80, 5000, 7001, 9001, TH_ACK, 2, NULL, 0, t);
	CHECK(p->snd_wnd == 16);
	s = sent();
	CHECK(s && s->len == 16 && nsent() == 0);
	tcp_pcb_abort(p, t);
	/* The peer offers no scaling: neither side scales. */
	tcp_setup();
	p = establish(&e2, 1000, 7000, 1000, -1, t);
	CHECK(p->snd_ws == 0 && p->rcv_ws == 0);
	inject(80, 5000, 7001, 1001, TH_ACK, 1000, "x", 1, t);
	tcp_timers(t + TCP_DELACK_NS);
	s = sent();
	CHECK(s && s->wnd == 65535);
	tcp_pcb_abort(p, t);
	/* A huge scale is clamped to 14 (RFC 7323 §2.3). */
	tcp_setup();
	p = establish(&e2, 1000, 7000, 1000, 20, t);
	CHECK(p->snd_ws == 14);
	tcp_pcb_abort(p, t);
}

static void test_zero_window(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;
	uint8_t b[4096];

	/* The peer's window is shut: a probe on the persist timer. */
	tcp_setup();
	p = establish(&e, 1000, 7000, 65535, -1, t);
	inject(80, 5000, 7001, 1001, TH_ACK, 0, NULL, 0, t);
	CHECK(p->snd_wnd == 0);
	CHECK(tcp_pcb_send(p, pat, 3000, t) == 3000);
	CHECK(nsent() == 0 && p->rto_at == t + p->rto);
	tcp_timers(p->rto_at);
	s = sent();
	CHECK(s && s->len == 1 && s->seq == 1001 && nsent() == 0);
	/* Still shut: the probe byte is not taken. */
	inject(80, 5000, 7001, 1001, TH_ACK, 0, NULL, 0, t + 2 * SEC);
	CHECK(p->snd_una == 1001);
	/* An old segment is answered by an ACK whose sequence number is
	 * inside the shut window (1001), not SND.NXT past the probe byte:
	 * a peer that finds it unacceptable would answer it again, and two
	 * such peers trade ACKs for ever (Linux's tcp_acceptable_seq). */
	sent_clear();
	inject(80, 5000, 6990, 1001, TH_ACK, 0, "old", 3, t + 2 * SEC);
	s = sent();
	CHECK(s && s->len == 0 && s->seq == 1001 && p->snd_nxt == 1002);
	/* Open: the rest flows. */
	inject(80, 5000, 7001, 1001, TH_ACK, 2500, NULL, 0, t + 3 * SEC);
	CHECK(nsent() >= 2);
	s = sent();
	CHECK(s && s->seq == 1002 && s->len == 1000);
	tcp_pcb_abort(p, t);

	/* Our window: fill a 2 KiB receive buffer. */
	tcp_setup();
	tcp_cfg.rcvbuf = 2048;
	p = establish(&e, 1000, 7000, 65535, -1, t);
	inject(80, 5000, 7001, 1001, TH_ACK, 65535, pat, 1000, t);
	inject(80, 5000, 7001 + 1000, 1001, TH_ACK, 65535, pat + 1000, 1000, t);
	s = sent(); /* one ACK for two full segments (delayed ACKs) */
	CHECK(s && s->wnd == 48 && nsent() == 0);
	inject(80, 5000, 7001 + 2000, 1001, TH_ACK, 65535, pat + 2000, 100, t);
	s = sent();
	CHECK(s && s->wnd == 0 && s->ack == 7001 + 2048); /* trimmed to the window */
	inject(80, 5000, 7001 + 2048, 1001, TH_ACK, 65535, pat + 2048, 100, t);
	s = sent();
	CHECK(s && s->wnd == 0 && s->ack == 7001 + 2048); /* dropped, ACKed */
	/* A zero-window probe's ACK field still counts. */
	tcp_pcb_send(p, "z", 1, t);
	sent_clear();
	inject(80, 5000, 7001 + 2048, 1002, TH_ACK, 65535, pat + 2048, 1, t);
	CHECK(p->snd_una == 1002);
	sent_clear();
	/* Reading opens the window: an update. */
	CHECK(tcp_pcb_recv(p, b, sizeof(b), 0, t) == 2048 && !memcmp(b, pat, 2048));
	s = sent();
	CHECK(s && s->flags == TH_ACK && s->wnd == 2048);
	tcp_pcb_abort(p, t);
}

static void test_congestion(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;

	tcp_setup();
	p = establish(&e, 1000, 7000, 65535, -1, t);
	CHECK(p->cwnd == 10000 && p->ssthresh == 0xffffffffu); /* RFC 6928 */
	CHECK(tcp_pcb_send(p, pat, 30000, t) == 30000);
	CHECK(nsent() == 10); /* the congestion window, not the peer's */
	sent_clear();
	/* Slow start: + min(acked, MSS) per ACK (RFC 5681 §3.1). */
	inject(80, 5000, 7001, 3001, TH_ACK, 65535, NULL, 0, t);
	CHECK(p->cwnd == 11000 && nsent() == 3);
	sent_clear();
	/* Three duplicate ACKs: fast retransmit of 3001. */
	inject(80, 5000, 7001, 3001, TH_ACK, 65535, NULL, 0, t);
	inject(80, 5000, 7001, 3001, TH_ACK, 65535, NULL, 0, t);
	CHECK(nsent() == 0 && p->dupacks == 2);
	inject(80, 5000, 7001, 3001, TH_ACK, 65535, NULL, 0, t);
	s = sent();
	CHECK(s && s->seq == 3001 && s->len == 1000 && nsent() == 0);
	CHECK(p->in_recovery && p->ssthresh == 5500 && p->cwnd == 8500);
	CHECK(p->recover == 14001 && p->snd_nxt == 14001);
	/* A window update is not a duplicate. */
	inject(80, 5000, 7001, 3001, TH_ACK, 60000, NULL, 0, t);
	CHECK(p->cwnd == 8500);
	inject(80, 5000, 7001, 3001, TH_ACK, 60000, NULL, 0, t);
	CHECK(p->cwnd == 9500 && nsent() == 0); /* inflated, still full */
	/* Partial ACK (RFC 6582): the next hole at once, cwnd deflated. */
	inject(80, 5000, 7001, 6001, TH_ACK, 60000, NULL, 0, t);
	s = sent();
	CHECK(s && s->seq == 6001 && s->len == 1000);
	CHECK(p->in_recovery && p->cwnd == 7500);
	sent_clear();
	/* Full ACK: out of recovery with cwnd = ssthresh. */
	inject(80, 5000, 7001, 14001, TH_ACK, 60000, NULL, 0, t);
	CHECK(!p->in_recovery && p->cwnd == 5500);
	/* 5500 bytes: 5 full segments; the 500 left waits for the next
	 * ACK (sender SWS avoidance, RFC 1122 §4.2.3.4, tcp_keep.c) */
	CHECK(nsent() == 5);
	sent_clear();
	/* Congestion avoidance: about one MSS per RTT. */
	inject(80, 5000, 7001, 19001, TH_ACK, 60000, NULL, 0, t);
	CHECK(p->cwnd == 5500 + 1000000 / 5500);
	sent_clear();
	/* A timeout: one segment, ssthresh half the flight. */
	tcp_timers(p->rto_at);
	CHECK(p->cwnd == 1000 && p->ssthresh == (uint32_t)(p->snd_max - p->snd_una) / 2);
	CHECK(nsent() == 1);
	tcp_pcb_abort(p, t);
}

static void test_close_unread(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;

	tcp_setup();
	p = establish(&e, 1000, 7000, 65535, -1, t);
	inject(80, 5000, 7001, 1001, TH_ACK, 65535, "unread", 6, t);
	sent_clear();
	tcp_pcb_close(p, t);
	s = sent();
	CHECK(s && s->flags == TH_RST && s->seq == 1001);
	CHECK(npcbs() == 0);
	/* Closing with data still unsent: it goes, then the FIN. */
	p = establish(&e, 1000, 7000, 0, -1, t);
	tcp_pcb_send(p, pat, 100, t);
	tcp_pcb_close(p, t);
	CHECK(nsent() == 0 && p->state == TCP_FIN_WAIT_1);
	inject(80, 5000, 7001, 1001, TH_ACK, 1000, NULL, 0, t);
	s = sent();
	CHECK(s && s->len == 100 && (s->flags & TH_FIN) && s->seq == 1001);
	inject(80, 5000, 7001, 1102, TH_ACK | TH_FIN, 1000, NULL, 0, t);
	CHECK(p->state == TCP_TIME_WAIT);
	tcp_timers(t + 2 * tcp_cfg.msl_ns);
	CHECK(npcbs() == 0);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 7 + (i >> 8));
	test_data_both_ways();
	test_out_of_order();
	test_retransmit();
	test_wraparound();
	test_window_scale();
	test_zero_window();
	test_congestion();
	test_close_unread();
	tcp_reset_all();
	printf("test_tcp_data: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
