/*
 * test_tcp_timers.c - TCP's delayed ACKs, Nagle, keepalive, the linger
 * query and TCP_INFO (src/net/tcp_keep.c and its call sites in tcp_in.c,
 * tcp_out.c, tcp_timer.c) with injected segments and a fake clock: an
 * ACK for every second full segment else after 40 ms, immediate ACKs for
 * out-of-order data, holes, FINs, closing windows and TCP_QUICKACK,
 * piggybacking; Nagle holding a small tail while a small segment is
 * unacknowledged, TCP_NODELAY flushing; keepalive probes on schedule,
 * ETIMEDOUT and a RST after the last, an answer restarting the idle
 * clock; option ranges; "all sent and acked"; and request/response
 * between two real pcbs without (NODELAY) and with the known
 * write-write-read delayed-ACK stall.
 */
#include "test_tcp_harness.h"
#include "../../src/net/tcp_info.h"

static uint8_t pat[8000];

/* ---- delayed ACKs ------------------------------------------------------ */

static void test_delack(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;
	uint8_t b[8000];

	tcp_setup();
	p = establish(&e, 1000, 7000, 65535, -1, t);
	/* One full segment: the ACK waits 40 ms. */
	inject(80, 5000, 7001, 1001, TH_ACK, 65535, pat, 1000, t);
	CHECK(nsent() == 0 && p->delack_at == t + TCP_DELACK_NS);
	tcp_timers(t + TCP_DELACK_NS - 1);
	CHECK(nsent() == 0);
	tcp_timers(t + TCP_DELACK_NS);
	s = sent();
	CHECK(s && s->flags == TH_ACK && s->ack == 8001 && s->len == 0);
	CHECK(p->delack_at == 0 && nsent() == 0);
	/* Two full segments: the second is ACKed at once. */
	t += SEC;
	inject(80, 5000, 8001, 1001, TH_ACK, 65535, pat, 1000, t);
	CHECK(nsent() == 0);
	inject(80, 5000, 9001, 1001, TH_ACK, 65535, pat, 1000, t + MS);
	s = sent();
	CHECK(s && s->ack == 10001 && nsent() == 0 && p->delack_at == 0);
	tcp_timers(t + SEC);
	CHECK(nsent() == 0); /* nothing left to ACK */
	/* Small segments: ACKed once more than the largest segment seen
	 * (Linux's rcv_mss, 1000 here) is unacknowledged. */
	t += SEC;
	for (int i = 0; i < 5; i++)
		inject(80, 5000, 10001 + 100 * i, 1001, TH_ACK, 65535, pat, 100, t);
	CHECK(nsent() == 0);
	inject(80, 5000, 10501, 1001, TH_ACK, 65535, pat, 100, t);
	CHECK(nsent() == 0); /* 600 */
	inject(80, 5000, 10601, 1001, TH_ACK, 65535, pat, 500, t);
	s = sent();
	CHECK(s && s->ack == 11101);
	/* Out of order: a duplicate ACK at once; the fill: an ACK at once. */
	t += SEC;
	inject(80, 5000, 12101, 1001, TH_ACK, 65535, pat, 100, t);
	s = sent();
	CHECK(s && s->ack == 11101 && nsent() == 0);
	inject(80, 5000, 11101, 1001, TH_ACK, 65535, pat, 1000, t);
	s = sent();
	CHECK(s && s->ack == 12201 && nsent() == 0 && !p->delack_at);
	/* A piggybacked ACK cancels the timer. */
	t += SEC;
	inject(80, 5000, 12201, 1001, TH_ACK, 65535, pat, 10, t);
	CHECK(nsent() == 0 && p->delack_at);
	CHECK(tcp_pcb_send(p, "reply", 5, t + MS) == 5);
	s = sent();
	CHECK(s && s->len == 5 && (s->flags & TH_ACK) && s->ack == 12211);
	CHECK(!p->delack_at);
	inject(80, 5000, 12211, 1006, TH_ACK, 65535, NULL, 0, t + 2 * MS);
	tcp_timers(t + SEC);
	CHECK(nsent() == 0);
	/* Reading: the window update carries the ACK at once. */
	CHECK(tcp_pcb_recv(p, b, sizeof(b), 0, t) > 0);
	sent_clear();
	/* A FIN: at once. */
	t += SEC;
	inject(80, 5000, 12211, 1006, TH_ACK | TH_FIN, 65535, pat, 10, t);
	s = sent();
	CHECK(s && s->ack == 12222 && nsent() == 0);
	tcp_pcb_abort(p, t);

	/* TCP_QUICKACK: the pending ACK now, then every segment at once. */
	tcp_setup();
	p = establish(&e, 1000, 7000, 65535, -1, t);
	inject(80, 5000, 7001, 1001, TH_ACK, 65535, pat, 10, t);
	CHECK(nsent() == 0);
	tcp_pcb_quickack(p, 1, t);
	s = sent();
	CHECK(s && s->ack == 7011);
	inject(80, 5000, 7011, 1001, TH_ACK, 65535, pat, 10, t);
	s = sent();
	CHECK(s && s->ack == 7021);
	tcp_pcb_quickack(p, 0, t);
	inject(80, 5000, 7021, 1001, TH_ACK, 65535, pat, 10, t);
	CHECK(nsent() == 0);
	tcp_pcb_abort(p, t);

	/* A window closing below a segment: ACKed at once. */
	tcp_setup();
	tcp_cfg.rcvbuf = 2500;
	p = establish(&e, 1000, 7000, 65535, -1, t);
	inject(80, 5000, 7001, 1001, TH_ACK, 65535, pat, 1000, t);
	CHECK(nsent() == 0);
	inject(80, 5000, 8001, 1001, TH_ACK, 65535, pat, 1000, t);
	sent_clear();
	CHECK(tcp_pcb_recv(p, b, 1000, 0, t) == 1000);
	sent_clear();
	inject(80, 5000, 9001, 1001, TH_ACK, 65535, pat, 500, t); /* 1000 free */
	CHECK(nsent() == 0);
	inject(80, 5000, 9501, 1001, TH_ACK, 65535, pat, 100, t); /* 900 free */
	s = sent();
	CHECK(s && s->ack == 9601 && s->wnd == 900);
	tcp_pcb_abort(p, t);
}

/* ---- Nagle --------------------------------------------------------------- */

static void test_nagle(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;

	tcp_setup();
	p = establish(&e, 1000, 7000, 65535, -1, t);
	/* Nothing in flight: a small segment goes. */
	CHECK(tcp_pcb_send(p, pat, 100, t) == 100);
	s = sent();
	CHECK(s && s->seq == 1001 && s->len == 100);
	/* A small one is unacknowledged: the next small write waits... */
	CHECK(tcp_pcb_send(p, pat, 100, t) == 100);
	CHECK(tcp_pcb_send(p, pat, 850, t) == 850);
	CHECK(nsent() == 0);
	/* ...until a full segment is there (the 50 left still waits)... */
	CHECK(tcp_pcb_send(p, pat, 100, t) == 100);
	s = sent();
	CHECK(s && s->seq == 1101 && s->len == 1000 && nsent() == 0);
	/* ...or the small segment is acknowledged (Minshall: the full one
	 * still out does not hold it, as Linux). */
	inject(80, 5000, 7001, 1101, TH_ACK, 65535, NULL, 0, t + MS);
	s = sent();
	CHECK(s && s->seq == 2101 && s->len == 50 && (s->flags & TH_PSH));
	CHECK(nsent() == 0);
	inject(80, 5000, 7001, 2151, TH_ACK, 65535, NULL, 0, t + 2 * MS);
	/* A FIN does not wait. */
	CHECK(tcp_pcb_send(p, pat, 10, t) == 10);
	CHECK(tcp_pcb_send(p, pat, 10, t) == 10);
	s = sent();
	CHECK(s && s->len == 10 && nsent() == 0);
	CHECK(tcp_pcb_shutdown(p, 1, t) == 0);
	s = sent();
	CHECK(s && s->seq == 2161 && s->len == 10 && (s->flags & TH_FIN));
	tcp_pcb_abort(p, t);

	/* TCP_NODELAY: setting it sends what waits; then nothing waits. */
	tcp_setup();
	p = establish(&e, 1000, 7000, 65535, -1, t);
	CHECK(tcp_pcb_send(p, pat, 100, t) == 100);
	CHECK(tcp_pcb_send(p, pat, 100, t) == 100);
	CHECK(nsent() == 1);
	sent_clear();
	tcp_pcb_set_nodelay(p, 1, t);
	s = sent();
	CHECK(s && s->seq == 1101 && s->len == 100);
	CHECK(tcp_pcb_send(p, pat, 100, t) == 100);
	s = sent();
	CHECK(s && s->seq == 1201 && s->len == 100);
	tcp_pcb_abort(p, t);

	/* Sender SWS avoidance: no small segment for a window that opens
	 * a little while data is in flight (RFC 1122 §4.2.3.4). */
	tcp_setup();
	p = establish(&e, 1000, 7000, 4000, -1, t);
	tcp_pcb_set_nodelay(p, 1, t);
	CHECK(tcp_pcb_send(p, pat, 8000, t) == 8000);
	CHECK(nsent() == 4);
	sent_clear();
	inject(80, 5000, 7001, 1301, TH_ACK, 4000, NULL, 0, t); /* 300 opens */
	CHECK(nsent() == 0);
	inject(80, 5000, 7001, 2001, TH_ACK, 4000, NULL, 0, t);
	s = sent();
	CHECK(s && s->seq == 5001 && s->len == 1000 && nsent() == 0);
	tcp_pcb_abort(p, t);
}

/* ---- keepalive ------------------------------------------------------------ */

static void test_keepalive(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;

	tcp_setup();
	p = establish(&e, 1000, 7000, 65535, -1, t);
	/* Linux's defaults and ranges. */
	CHECK(tcp_pcb_get_keep(p, 0) == 7200 && tcp_pcb_get_keep(p, 1) == 75 &&
	      tcp_pcb_get_keep(p, 2) == 9);
	CHECK(tcp_pcb_set_keep(p, 0, 0, t) == -EINVAL);
	CHECK(tcp_pcb_set_keep(p, 0, 32768, t) == -EINVAL);
	CHECK(tcp_pcb_set_keep(p, 1, -1, t) == -EINVAL);
	CHECK(tcp_pcb_set_keep(p, 2, 128, t) == -EINVAL);
	CHECK(tcp_pcb_set_keep(p, 2, 127, t) == 0 && tcp_pcb_get_keep(p, 2) == 127);
	CHECK(tcp_pcb_get_keep(p, 0) == 7200); /* unchanged by the errors */
	/* Off: nothing however long it idles. */
	CHECK(p->ka_at == 0);
	tcp_pcb_keepalive(p, 1, t);
	CHECK(p->ka_at == t + 7200 * SEC);
	CHECK(tcp_pcb_set_keep(p, 0, 10, t) == 0 && p->ka_at == t + 10 * SEC);
	CHECK(tcp_pcb_set_keep(p, 1, 2, t) == 0 && tcp_pcb_set_keep(p, 2, 3, t) == 0);
	tcp_timers(t + 10 * SEC - 1);
	CHECK(nsent() == 0);
	/* Probes: SEQ = SND.UNA - 1, no data, every 2 s. */
	for (int i = 0; i < 3; i++) {
		tcp_timers(t + (10 + 2 * (uint64_t)i) * SEC);
		s = sent();
		CHECK(s && s->flags == TH_ACK && s->seq == 1000 && s->len == 0 &&
		      s->ack == 7001);
		CHECK(nsent() == 0 && p->ka_probes == i + 1);
		tcp_timers(t + (11 + 2 * (uint64_t)i) * SEC);
		CHECK(nsent() == 0);
	}
	/* The fourth expiry: a RST, ETIMEDOUT. */
	CHECK(p->state == TCP_ESTABLISHED && !e.err);
	tcp_timers(t + 16 * SEC);
	s = sent();
	CHECK(s && s->flags == TH_RST && s->seq == 1001);
	CHECK(p->state == TCP_CLOSED && e.err == ETIMEDOUT);
	CHECK(tcp_pcb_error(p) == ETIMEDOUT);
	tcp_pcb_close(p, t);
	CHECK(npcbs() == 0);

	/* An answer resets the count and restarts the idle clock. */
	tcp_setup();
	e = (struct evrec){ 0 };
	p = establish(&e, 1000, 7000, 65535, -1, t);
	tcp_pcb_set_keep(p, 0, 10, t);
	tcp_pcb_set_keep(p, 1, 2, t);
	tcp_pcb_set_keep(p, 2, 3, t);
	tcp_pcb_keepalive(p, 1, t);
	tcp_timers(t + 10 * SEC);
	tcp_timers(t + 12 * SEC);
	CHECK(nsent() == 2 && p->ka_probes == 2);
	sent_clear();
	inject(80, 5000, 7001, 1001, TH_ACK, 65535, NULL, 0, t + 13 * SEC);
	CHECK(p->ka_probes == 0 && nsent() == 0);
	tcp_timers(t + 14 * SEC);
	CHECK(nsent() == 0 && p->ka_at == t + 23 * SEC);
	tcp_timers(t + 23 * SEC);
	CHECK(nsent() == 1 && p->ka_probes == 1);
	sent_clear();
	/* Data received also counts; data in flight: no probes (the
	 * retransmission timer watches). */
	inject(80, 5000, 7001, 1001, TH_ACK, 65535, pat, 10, t + 24 * SEC);
	CHECK(p->ka_probes == 0);
	tcp_pcb_send(p, pat, 10, t + 24 * SEC);
	sent_clear();
	tcp_cfg.retries = 100;
	tcp_timers(t + 25 * SEC);
	tcp_timers(t + 34 * SEC);
	for (int i = 0; i < 20; i++) {
		struct cseg *x;

		tcp_timers(t + (35 + (uint64_t)i) * SEC);
		while ((x = sent()))
			CHECK(x->len == 10 && x->seq == 1001); /* retransmissions only */
	}
	CHECK(p->ka_probes == 0);
	/* Off again: the timer stops. */
	tcp_pcb_keepalive(p, 0, t);
	CHECK(p->ka_at == 0);
	tcp_pcb_abort(p, t);
}

/* ---- linger query, TCP_INFO ----------------------------------------------- */

static void test_linger_info(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct tcp_info_ ti;
	uint64_t t = 10 * SEC;

	tcp_setup();
	p = establish(&e, 1000, 7000, 65535, 2, t);
	CHECK(tcp_pcb_sent_acked(p));
	tcp_pcb_info(p, &ti, t);
	CHECK(ti.tcpi_state == 1 && ti.tcpi_ca_state == TCP_CA_Open);
	CHECK(ti.tcpi_options == TCPI_OPT_WSCALE);
	CHECK(ti.tcpi_snd_wscale == 2 && ti.tcpi_rcv_wscale == 2); /* 128 KiB */
	CHECK(ti.tcpi_snd_mss == 1000 && ti.tcpi_rcv_mss == 536);
	CHECK(ti.tcpi_rto == p->rto / 1000 && ti.tcpi_rtt == p->srtt / 1000);
	CHECK(ti.tcpi_snd_cwnd == 10 && ti.tcpi_snd_ssthresh == 0x7fffffffu);
	CHECK(ti.tcpi_unacked == 0 && ti.tcpi_total_retrans == 0);
	CHECK(ti.tcpi_snd_wnd == 65535u << 2 || ti.tcpi_snd_wnd == 65535u);
	CHECK(tcp_pcb_send(p, pat, 3000, t) == 3000);
	CHECK(!tcp_pcb_sent_acked(p));
	tcp_pcb_info(p, &ti, t);
	CHECK(ti.tcpi_unacked == 3 && ti.tcpi_data_segs_out == 3 &&
	      ti.tcpi_bytes_sent == 3000);
	tcp_timers(p->rto_at); /* one retransmission */
	tcp_pcb_info(p, &ti, p->rto_at);
	CHECK(ti.tcpi_total_retrans == 1 && ti.tcpi_retrans == 1 &&
	      ti.tcpi_retransmits == 1 && ti.tcpi_ca_state == TCP_CA_Loss);
	CHECK(ti.tcpi_bytes_retrans == 1000);
	inject(80, 5000, 7001, 4001, TH_ACK, 65535, pat, 700, t + 2 * SEC);
	CHECK(tcp_pcb_sent_acked(p));
	tcp_pcb_info(p, &ti, t + 3 * SEC);
	CHECK(ti.tcpi_retrans == 0 && ti.tcpi_unacked == 0 &&
	      ti.tcpi_bytes_acked == 3001 && ti.tcpi_bytes_received == 700);
	CHECK(ti.tcpi_last_data_recv == 1000 && ti.tcpi_last_ack_recv == 1000);
	CHECK(ti.tcpi_rcv_mss == 700);
	/* Closing: not done until the FIN is acknowledged (TCP_EV_ACKED). */
	e.ev = 0;
	CHECK(tcp_pcb_shutdown(p, 1, t) == 0);
	CHECK(!tcp_pcb_sent_acked(p) && p->state == TCP_FIN_WAIT_1);
	tcp_pcb_info(p, &ti, t);
	CHECK(ti.tcpi_state == 4);
	inject(80, 5000, 7701, 4002, TH_ACK, 65535, NULL, 0, t + 3 * SEC);
	CHECK(p->state == TCP_FIN_WAIT_2 && tcp_pcb_sent_acked(p));
	CHECK(e.ev & TCP_EV_ACKED);
	tcp_pcb_info(p, &ti, t);
	CHECK(ti.tcpi_state == 5);
	tcp_pcb_abort(p, t);

	/* A listener: state 10, the accept queue and backlog. */
	tcp_setup();
	p = tcp_pcb_new(ev_cb, &e);
	CHECK(tcp_pcb_bind(p, 0, net16(80)) == 0 && tcp_pcb_listen(p, 7) == 0);
	tcp_pcb_info(p, &ti, t);
	CHECK(ti.tcpi_state == 10 && ti.tcpi_sacked == 7 && ti.tcpi_unacked == 0);
	/* Accepted connections inherit NODELAY and keepalive. */
	p->nodelay = 1;
	tcp_pcb_keepalive(p, 1, t);
	CHECK(p->ka_at == 0); /* never on a listener */
	tcp_pcb_set_keep(p, 0, 30, t);
	inject_syn(4000, 80, 9000, 0, TH_SYN, 8192, 1200, -1, t);
	sent_clear();
	inject(4000, 80, 9001, tcp_isn_value + 1, TH_ACK, 8192, NULL, 0, t);
	{
		struct tcp_pcb *c = tcp_pcb_accept(p, ev_cb, &e);

		CHECK(c != NULL);
		if (c) {
			tcp_pcb_inherit(c, p, t + SEC);
			CHECK(c->nodelay && c->keepalive && c->ka_at == t + 31 * SEC);
			tcp_pcb_abort(c, t);
		}
	}
	tcp_pcb_abort(p, t);
}

/* ---- request/response between two pcbs ------------------------------------ */

#define WIRE_MAX 256
static struct { struct netbuf *nb; uint32_t src, dst; } wire[WIRE_MAX];
static int wn;

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

static void wire_run(uint64_t now)
{
	while (wn) {
		struct netbuf *nb = wire[0].nb;
		struct ip4_hdr *ih;
		uint32_t src = wire[0].src, dst = wire[0].dst;

		memmove(&wire[0], &wire[1], (size_t)(wn - 1) * sizeof(wire[0]));
		wn--;
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
}

/* n exchanges: the client writes a request in `parts` writes, the server
 * answers each whole request with one write. The fake time exchanges 1
 * to n-1 took (the first read announces the window beyond the SYN's
 * 64 KiB: an ACK at once that hides the first stall). */
static uint64_t ping_pong(int n, int parts, int nodelay)
{
	struct evrec el = { 0 }, ec = { 0 }, es = { 0 };
	struct tcp_pcb *l, *c, *s;
	uint64_t t = 10 * SEC, t0;
	uint8_t b[256];
	long got;

	tcp_setup();
	tcp_xmit_hook = wire_xmit;
	l = tcp_pcb_new(ev_cb, &el);
	tcp_pcb_bind(l, ME, net16(80));
	tcp_pcb_listen(l, 4);
	c = tcp_pcb_new(ev_cb, &ec);
	tcp_pcb_connect(c, ME, net16(80), t);
	wire_run(t);
	s = tcp_pcb_accept(l, ev_cb, &es);
	CHECK(s && c->state == TCP_ESTABLISHED);
	if (!s)
		return 0;
	tcp_pcb_set_nodelay(c, nodelay, t);
	tcp_pcb_set_nodelay(s, nodelay, t);
	t0 = t;
	for (int i = 0; i < n; i++) {
		if (i == 1)
			t0 = t;
		for (int k = 0; k < parts; k++)
			tcp_pcb_send(c, pat, 50, t);
		for (got = 0; got < 50 * parts;) {
			long r;

			wire_run(t);
			r = tcp_pcb_recv(s, b, sizeof(b), 0, t);
			if (r > 0) {
				got += r;
				continue;
			}
			t = tcp_timers(t); /* wait for the next timer */
			CHECK(t != 0);
			if (!t)
				return 0;
			tcp_timers(t);
		}
		tcp_pcb_send(s, pat, 100, t);
		for (got = 0; got < 100;) {
			long r;

			wire_run(t);
			r = tcp_pcb_recv(c, b, sizeof(b), 0, t);
			if (r > 0) {
				got += r;
				continue;
			}
			t = tcp_timers(t); /* wait for the next timer */
			CHECK(t != 0);
			if (!t)
				return 0;
			tcp_timers(t);
		}
	}
	tcp_pcb_abort(c, t);
	tcp_pcb_abort(s, t);
	tcp_pcb_abort(l, t);
	wire_run(t);
	return t - t0;
}

static void test_request_response(void)
{
	/* One write a request: no timer ever waited on, Nagle or not. */
	CHECK(ping_pong(51, 1, 0) == 0);
	CHECK(ping_pong(51, 1, 1) == 0);
	/* Two writes a request: with TCP_NODELAY no wait either... */
	CHECK(ping_pong(51, 2, 1) == 0);
	/* ...without it the second part waits for the delayed ACK (Nagle
	 * against delayed ACKs, as on Linux): one ATO per exchange. */
	uint64_t d = ping_pong(51, 2, 0);
	printf("write-write-read without NODELAY: %.1f ms an exchange\n", d / 50.0 / MS);
	CHECK(d == 50 * TCP_DELACK_NS);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 7 + 3);
	test_delack();
	test_nagle();
	test_keepalive();
	test_linger_info();
	test_request_response();
	tcp_reset_all();
	printf("test_tcp_timers: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
