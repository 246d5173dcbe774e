/*
 * test_tcp_state.c - the TCP state machine (src/net/tcp*.c) driven by
 * injected segments and a fake clock: three-way handshake both ways,
 * simultaneous open, RST on a closed port, connection refused, RFC 5961
 * challenge ACKs, active/passive/simultaneous close with TIME-WAIT expiry,
 * the SYN queue's early drop, SYN retransmission and ETIMEDOUT.
 */
#include "test_tcp_harness.h"

static void test_active_open(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;

	tcp_setup();
	p = tcp_pcb_new(ev_cb, &e);
	CHECK(tcp_pcb_bind(p, 0, net16(5000)) == 0);
	CHECK(tcp_pcb_connect(p, PEER, net16(80), t) == 0);
	CHECK(p->state == TCP_SYN_SENT);
	CHECK(tcp_pcb_connect(p, PEER, net16(80), t) == -EALREADY);
	s = sent();
	CHECK(s && s->flags == TH_SYN && s->seq == 1000 && s->csum_ok);
	CHECK(s && s->mss == 1460 && s->ws == 2 && s->src == ME && s->dst == PEER);
	CHECK(s && s->sport == 5000 && s->dport == 80);
	/* A SYN-ACK with a wrong ACK gets a RST and changes nothing. */
	inject_syn(80, 5000, 7000, 5555, TH_SYN | TH_ACK, 65535, 1000, 3, t);
	s = sent();
	CHECK(s && s->flags == TH_RST && s->seq == 5555);
	CHECK(p->state == TCP_SYN_SENT);
	inject_syn(80, 5000, 7000, 1001, TH_SYN | TH_ACK, 65535, 1000, 3, t + 50 * MS);
	CHECK(p->state == TCP_ESTABLISHED);
	s = sent();
	CHECK(s && s->flags == TH_ACK && s->seq == 1001 && s->ack == 7001);
	CHECK(s && s->wnd == (128 * 1024) >> 2);
	CHECK(e.ev & TCP_EV_CONNECTED);
	CHECK(p->mss == 1000 && p->snd_ws == 3 && p->rcv_ws == 2);
	CHECK(p->srtt == 50 * MS); /* the SYN was timed */
	CHECK(tcp_pcb_connect(p, PEER, net16(80), t) == -EISCONN);
	CHECK((tcp_pcb_poll(p) & TCP_EV_WRITABLE) && !(tcp_pcb_poll(p) & TCP_EV_READABLE));
	tcp_pcb_abort(p, t);
	s = sent();
	CHECK(s && s->flags == TH_RST && s->seq == 1001);
	CHECK(npcbs() == 0);
}

static void test_passive_open(void)
{
	struct evrec el = { 0 }, ec = { 0 };
	struct tcp_pcb *l, *c;
	struct cseg *s;
	uint64_t t = 10 * SEC;
	char buf[16];

	tcp_setup();
	tcp_isn_value = 3000;
	l = tcp_pcb_new(ev_cb, &el);
	CHECK(tcp_pcb_bind(l, 0, net16(80)) == 0);
	CHECK(tcp_pcb_listen(l, 4) == 0);
	CHECK(tcp_pcb_accept(l, ev_cb, &ec) == NULL);
	inject_syn(4000, 80, 7000, 0, TH_SYN, 8192, 1200, -1, t);
	s = sent();
	CHECK(s && s->flags == (TH_SYN | TH_ACK) && s->seq == 3000 && s->ack == 7001);
	CHECK(s && s->mss == 1460 && s->ws == -1); /* no WS unless offered */
	CHECK(s && s->wnd == 65535);
	CHECK(l->nsyn == 1 && !el.n);
	/* The ACK completes it; data on it is kept for the acceptor. */
	inject(4000, 80, 7001, 3001, TH_ACK, 8192, "hi", 2, t);
	CHECK(l->nsyn == 0 && l->nacc == 1 && (el.ev & TCP_EV_READABLE));
	CHECK(tcp_pcb_poll(l) & TCP_EV_READABLE);
	CHECK(nsent() == 0); /* a delayed ACK (tcp_keep.c) */
	tcp_timers(t + TCP_DELACK_NS);
	s = sent();
	CHECK(s && s->flags == TH_ACK && s->ack == 7003);
	c = tcp_pcb_accept(l, ev_cb, &ec);
	CHECK(c && c->state == TCP_ESTABLISHED && c->mss == 1200 && c->snd_wnd == 8192);
	CHECK(c && tcp_pcb_recv(c, buf, sizeof(buf), 0, t) == 2 && !memcmp(buf, "hi", 2));
	CHECK(tcp_pcb_accept(l, ev_cb, &ec) == NULL);
	/* A retransmitted SYN gets the SYN-ACK again. */
	sent_clear();
	inject_syn(4001, 80, 9000, 0, TH_SYN, 8192, 1200, -1, t);
	CHECK(nsent() == 1);
	sent_clear();
	inject_syn(4001, 80, 9000, 0, TH_SYN, 8192, 1200, -1, t);
	s = sent();
	CHECK(s && s->flags == (TH_SYN | TH_ACK) && s->ack == 9001);
	/* A bad ACK in SYN-RECEIVED: RST. */
	inject(4001, 80, 9001, 77, TH_ACK, 8192, NULL, 0, t);
	s = sent();
	CHECK(s && s->flags == TH_RST && s->seq == 77);
	/* Closing the listener resets the embryonic one. */
	sent_clear();
	tcp_pcb_close(l, t);
	s = sent();
	CHECK(s && (s->flags & TH_RST) && s->dport == 4001);
	CHECK(npcbs() == 1); /* the accepted one stays */
	tcp_pcb_abort(c, t);
	CHECK(npcbs() == 0);
}

static void test_simultaneous_open(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;

	tcp_setup();
	p = tcp_pcb_new(ev_cb, &e);
	tcp_pcb_bind(p, 0, net16(5000));
	tcp_pcb_connect(p, PEER, net16(80), t);
	sent_clear();
	inject_syn(80, 5000, 9000, 0, TH_SYN, 4000, 1000, 1, t);
	CHECK(p->state == TCP_SYN_RECEIVED);
	s = sent();
	CHECK(s && s->flags == (TH_SYN | TH_ACK) && s->seq == 1000 && s->ack == 9001);
	CHECK(s && s->ws == 2);
	inject_syn(80, 5000, 9000, 1001, TH_SYN | TH_ACK, 4000, 1000, 1, t);
	CHECK(p->state == TCP_ESTABLISHED);
	CHECK(e.ev & TCP_EV_CONNECTED);
	CHECK(p->snd_ws == 1 && p->rcv_nxt == 9001 && p->snd_una == 1001);
	tcp_pcb_abort(p, t);
}

static void test_closed_port(void)
{
	struct cseg *s;
	uint64_t t = 10 * SEC;

	tcp_setup();
	inject(4000, 81, 500, 0, TH_SYN, 1000, NULL, 0, t);
	s = sent();
	CHECK(s && s->flags == (TH_RST | TH_ACK) && s->seq == 0 && s->ack == 501);
	CHECK(s && s->sport == 81 && s->dport == 4000 && s->src == ME && s->dst == PEER);
	inject(4000, 81, 500, 12345, TH_ACK, 1000, "abc", 3, t);
	s = sent();
	CHECK(s && s->flags == TH_RST && s->seq == 12345);
	inject(4000, 81, 500, 0, TH_RST, 1000, NULL, 0, t);
	CHECK(nsent() == 0);
	/* Bad checksum: silently dropped. */
	{
		struct netbuf *nb = netbuf_alloc(40);
		uint8_t *b = netbuf_append(nb, 40);
		memset(b, 0, 40);
		b[0] = 0x45;
		((struct ip4_hdr *)b)->saddr = PEER;
		((struct ip4_hdr *)b)->daddr = ME;
		b[20 + 12] = 5 << 4;
		b[20 + 13] = TH_SYN;
		b[20 + 3] = 81;
		b[20 + 1] = 9;
		nb->l4 = 20;
		tcp_input(&host_eth, nb, t);
		CHECK(nsent() == 0);
	}
}

static void test_refused(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	uint64_t t = 10 * SEC;
	char b[4];

	tcp_setup();
	p = tcp_pcb_new(ev_cb, &e);
	tcp_pcb_connect(p, PEER, net16(80), t);
	CHECK(p->lport != 0 && p->laddr == ME);
	sent_clear();
	/* RST without an acceptable ACK: ignored. */
	inject(80, net16(p->lport), 0, 999, TH_RST | TH_ACK, 0, NULL, 0, t);
	CHECK(p->state == TCP_SYN_SENT);
	inject(80, net16(p->lport), 0, 1001, TH_RST | TH_ACK, 0, NULL, 0, t);
	CHECK(p->state == TCP_CLOSED && (e.ev & TCP_EV_ERROR) && e.err == ECONNREFUSED);
	CHECK(tcp_pcb_recv(p, b, 4, 0, t) == -ECONNREFUSED);
	CHECK(nsent() == 0);
	tcp_pcb_close(p, t);
	CHECK(npcbs() == 0);
}

static void test_rst_challenge(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;
	char b[4];

	tcp_setup();
	p = establish(&e, 1000, 7000, 65535, 2, t);
	CHECK(p && p->state == TCP_ESTABLISHED && p->rcv_nxt == 7001);
	/* In window, not exact: a challenge ACK, no reset. */
	inject(80, 5000, 7001 + 100, 0, TH_RST, 0, NULL, 0, t);
	s = sent();
	CHECK(s && s->flags == TH_ACK && s->ack == 7001 && s->seq == 1001);
	CHECK(p->state == TCP_ESTABLISHED && !e.err);
	/* Outside the window: dropped silently. */
	inject(80, 5000, 7001 + 1000000, 0, TH_RST, 0, NULL, 0, t);
	inject(80, 5000, 7000, 0, TH_RST, 0, NULL, 0, t);
	CHECK(nsent() == 0 && p->state == TCP_ESTABLISHED);
	/* A SYN on an established connection: challenge ACK (RFC 5961 §4). */
	inject_syn(80, 5000, 7001, 0, TH_SYN, 1000, 1000, -1, t);
	s = sent();
	CHECK(s && s->flags == TH_ACK && s->ack == 7001);
	CHECK(p->state == TCP_ESTABLISHED);
	/* An ACK for data never sent: challenge ACK, ignored. */
	inject(80, 5000, 7001, 5000, TH_ACK, 1000, NULL, 0, t);
	s = sent();
	CHECK(s && s->flags == TH_ACK && p->snd_una == 1001);
	/* Exact: reset. */
	inject(80, 5000, 7001, 0, TH_RST, 0, NULL, 0, t);
	CHECK(p->state == TCP_CLOSED && e.err == ECONNRESET);
	CHECK(tcp_pcb_recv(p, b, 4, 0, t) == -ECONNRESET);
	CHECK(tcp_pcb_send(p, "x", 1, t) == -EPIPE);
	tcp_pcb_close(p, t);
	CHECK(npcbs() == 0);
}

static void test_active_close(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;

	tcp_setup();
	tcp_cfg.msl_ns = 5 * SEC;
	p = establish(&e, 1000, 7000, 65535, -1, t);
	tcp_pcb_close(p, t);
	CHECK(p->state == TCP_FIN_WAIT_1);
	s = sent();
	CHECK(s && s->flags == (TH_FIN | TH_ACK) && s->seq == 1001 && s->ack == 7001);
	inject(80, 5000, 7001, 1002, TH_ACK, 65535, NULL, 0, t);
	CHECK(p->state == TCP_FIN_WAIT_2);
	inject(80, 5000, 7001, 1002, TH_FIN | TH_ACK, 65535, NULL, 0, t + SEC);
	CHECK(p->state == TCP_TIME_WAIT);
	s = sent();
	CHECK(s && s->flags == TH_ACK && s->ack == 7002);
	/* The FIN again (our ACK was lost): ACK again, restart 2*MSL. */
	inject(80, 5000, 7001, 1002, TH_FIN | TH_ACK, 65535, NULL, 0, t + 2 * SEC);
	s = sent();
	CHECK(s && s->flags == TH_ACK && s->ack == 7002);
	CHECK(p->tw_at == t + 2 * SEC + 10 * SEC);
	tcp_timers(t + 11 * SEC);
	CHECK(npcbs() == 1 && p->state == TCP_TIME_WAIT);
	CHECK(tcp_timers(t + 11 * SEC) == t + 12 * SEC);
	tcp_timers(t + 12 * SEC);
	CHECK(npcbs() == 0);
}

static void test_passive_close(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;
	char b[8];

	tcp_setup();
	p = establish(&e, 1000, 7000, 65535, -1, t);
	inject(80, 5000, 7001, 1001, TH_FIN | TH_ACK, 65535, "bye", 3, t);
	CHECK(p->state == TCP_CLOSE_WAIT);
	s = sent();
	CHECK(s && s->flags == TH_ACK && s->ack == 7005);
	CHECK(tcp_pcb_recv(p, b, 8, 0, t) == 3 && !memcmp(b, "bye", 3));
	CHECK(tcp_pcb_recv(p, b, 8, 0, t) == 0); /* EOF */
	CHECK(tcp_pcb_send(p, "ok", 2, t) == 2); /* half-close: we still send */
	s = sent();
	CHECK(s && s->len == 2 && s->seq == 1001);
	tcp_pcb_close(p, t);
	CHECK(p->state == TCP_LAST_ACK);
	s = sent();
	CHECK(s && (s->flags & TH_FIN) && s->seq == 1003);
	inject(80, 5000, 7005, 1003, TH_ACK, 65535, NULL, 0, t);
	CHECK(npcbs() == 1); /* the FIN is not acked yet */
	inject(80, 5000, 7005, 1004, TH_ACK, 65535, NULL, 0, t);
	CHECK(npcbs() == 0);
}

static void test_simultaneous_close(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;

	tcp_setup();
	p = establish(&e, 1000, 7000, 65535, -1, t);
	CHECK(tcp_pcb_shutdown(p, 1, t) == 0);
	CHECK(p->state == TCP_FIN_WAIT_1);
	CHECK(tcp_pcb_send(p, "x", 1, t) == -EPIPE);
	sent_clear();
	inject(80, 5000, 7001, 1001, TH_FIN | TH_ACK, 65535, NULL, 0, t);
	CHECK(p->state == TCP_CLOSING);
	s = sent();
	CHECK(s && s->ack == 7002);
	inject(80, 5000, 7002, 1002, TH_ACK, 65535, NULL, 0, t);
	CHECK(p->state == TCP_TIME_WAIT);
	tcp_timers(t + 2 * tcp_cfg.msl_ns);
	CHECK(p->state == TCP_CLOSED); /* still held by the socket */
	CHECK(tcp_pcb_recv(p, (char[4]){ 0 }, 4, 0, t) == 0);
	tcp_pcb_close(p, t);
	CHECK(npcbs() == 0);
}

static void test_syn_queue(void)
{
	struct evrec el = { 0 };
	struct tcp_pcb *l;
	struct cseg *s;
	uint64_t t = 10 * SEC;

	tcp_setup();
	l = tcp_pcb_new(ev_cb, &el);
	tcp_pcb_bind(l, 0, net16(80));
	tcp_pcb_listen(l, 2);
	inject_syn(4000, 80, 100, 0, TH_SYN, 1000, 1000, -1, t);
	inject_syn(4001, 80, 200, 0, TH_SYN, 1000, 1000, -1, t + 1);
	inject_syn(4002, 80, 300, 0, TH_SYN, 1000, 1000, -1, t + 2);
	CHECK(l->nsyn == 2 && npcbs() == 3);
	sent_clear();
	/* The oldest was dropped early: its ACK now meets the listener. */
	inject(4000, 80, 101, 1001, TH_ACK, 1000, NULL, 0, t);
	s = sent();
	CHECK(s && s->flags == TH_RST && s->seq == 1001);
	inject(4002, 80, 301, 1001, TH_ACK, 1000, NULL, 0, t);
	CHECK(l->nacc == 1 && l->nsyn == 1);
	/* The embryonic one gives up after its SYN-ACK retries. */
	tcp_cfg.syn_retries = 1;
	tcp_timers(t + 1 * SEC + 1);
	tcp_timers(t + 3 * SEC + 1);
	CHECK(l->nsyn == 0 && npcbs() == 2);
	tcp_pcb_close(l, t);
	CHECK(npcbs() == 0);
}

static void test_fin_wait_2_timeout(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	uint64_t t = 10 * SEC;

	tcp_setup();
	tcp_cfg.msl_ns = 2 * SEC;
	p = establish(&e, 1000, 7000, 65535, -1, t);
	tcp_pcb_close(p, t);
	inject(80, 5000, 7001, 1002, TH_ACK, 65535, NULL, 0, t);
	CHECK(p->state == TCP_FIN_WAIT_2 && p->tw_at == t + 4 * SEC);
	/* The peer never closes: the orphan goes after 2 * MSL. */
	tcp_timers(t + 4 * SEC - 1);
	CHECK(npcbs() == 1);
	tcp_timers(t + 4 * SEC);
	CHECK(npcbs() == 0);
	/* Not orphaned (shutdown only): FIN-WAIT-2 waits for the peer. */
	p = establish(&e, 1000, 7000, 65535, -1, t);
	tcp_pcb_shutdown(p, 1, t);
	inject(80, 5000, 7001, 1002, TH_ACK, 65535, "late", 4, t);
	CHECK(p->state == TCP_FIN_WAIT_2 && p->tw_at == 0);
	CHECK(tcp_pcb_recv(p, (char[8]){ 0 }, 8, 0, t) == 4); /* half-close */
	tcp_pcb_abort(p, t);
}

static void test_accept_queue_full(void)
{
	struct evrec el = { 0 };
	struct tcp_pcb *l, *c;
	uint64_t t = 10 * SEC;

	tcp_setup();
	l = tcp_pcb_new(ev_cb, &el);
	tcp_pcb_bind(l, 0, net16(80));
	tcp_pcb_listen(l, 1);
	CHECK(tcp_pcb_poll(l) == 0);
	inject_syn(4000, 80, 100, 0, TH_SYN, 1000, 1000, -1, t);
	inject(4000, 80, 101, 1001, TH_ACK, 1000, NULL, 0, t);
	CHECK(l->nacc == 1 && tcp_pcb_poll(l) == TCP_EV_READABLE);
	sent_clear();
	/* Full: a new SYN is dropped without an answer (the peer retries). */
	inject_syn(4001, 80, 200, 0, TH_SYN, 1000, 1000, -1, t);
	CHECK(nsent() == 0 && l->nsyn == 0);
	/* A second bind to the port fails while it is in use. */
	c = tcp_pcb_new(NULL, NULL);
	CHECK(tcp_pcb_bind(c, 0, net16(80)) == -EADDRINUSE);
	CHECK(tcp_pcb_bind(c, IP4(10, 9, 9, 9), net16(81)) == -EADDRNOTAVAIL);
	CHECK(tcp_pcb_send(c, "x", 1, t) == -ENOTCONN);
	CHECK(tcp_pcb_recv(c, (char[4]){ 0 }, 4, 0, t) == -ENOTCONN);
	CHECK(tcp_pcb_shutdown(c, 1, t) == -ENOTCONN);
	tcp_pcb_close(c, t);
	c = tcp_pcb_accept(l, NULL, NULL);
	CHECK(c && l->nacc == 0);
	inject_syn(4001, 80, 200, 0, TH_SYN, 1000, 1000, -1, t);
	CHECK(nsent() == 1 && l->nsyn == 1);
	tcp_pcb_close(l, t);
	tcp_pcb_close(c, t);
	CHECK(npcbs() == 1 && c->state == TCP_FIN_WAIT_1);
	tcp_reset_all();
}

static void test_syn_timeout(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;

	tcp_setup();
	tcp_cfg.syn_retries = 2;
	p = tcp_pcb_new(ev_cb, &e);
	tcp_pcb_connect(p, PEER, net16(80), t);
	sent_clear();
	CHECK(p->rto_at == t + SEC);
	tcp_timers(t + SEC - 1);
	CHECK(nsent() == 0);
	tcp_timers(t + SEC);
	s = sent();
	CHECK(s && s->flags == TH_SYN && s->seq == 1000);
	CHECK(p->rto_at == t + 3 * SEC); /* backoff: 2 s */
	tcp_timers(t + 3 * SEC);
	CHECK(nsent() == 1 && p->rto_at == t + 7 * SEC);
	tcp_timers(t + 7 * SEC);
	CHECK(p->state == TCP_CLOSED && e.err == ETIMEDOUT);
	tcp_pcb_close(p, t);
	CHECK(npcbs() == 0);
}

/* Exit (glue.c's net_exit_drain): tcp_close_all closes what sockets
 * still hold - queued data, then the FIN; unread data or a listener: RST -
 * and tcp_draining says whether a peer still owes an acknowledgement. */
static void test_close_all(void)
{
	struct evrec e = { 0 }, le = { 0 };
	struct tcp_pcb *p, *l;
	struct cseg *s;
	uint64_t t = 10 * SEC;

	tcp_setup();
	l = tcp_pcb_new(ev_cb, &le);
	CHECK(tcp_pcb_bind(l, 0, net16(80)) == 0 && tcp_pcb_listen(l, 4) == 0);
	p = establish(&e, 1000, 7000, 0, -1, t); /* the peer's window is shut */
	CHECK(p && tcp_pcb_send(p, "tail", 4, t) == 4 && nsent() == 0);
	tcp_close_all(t);
	CHECK(npcbs() == 1 && p->orphan && p->fin_queued); /* listener gone */
	CHECK(p->state == TCP_FIN_WAIT_1 && tcp_draining());
	/* The window opens: the data, then the FIN; their ACK ends it. */
	inject(80, 5000, 7001, 1001, TH_ACK, 65535, NULL, 0, t + SEC);
	s = sent();
	CHECK(s && s->seq == 1001 && s->len == 4 && !memcmp(s->data, "tail", 4));
	while ((s = sent()) && !(s->flags & TH_FIN))
		;
	CHECK(tcp_draining());
	inject(80, 5000, 7001, 1006, TH_ACK, 65535, NULL, 0, t + SEC);
	CHECK(p->state == TCP_FIN_WAIT_2 && !tcp_draining());
	tcp_reset_all();
}

/* A server that closed first holds the 4-tuple in TIME-WAIT without its
 * rings; a new SYN on it above the old sequence space opens a new
 * connection at once, an old one (below RCV.NXT) gets a challenge ACK. */
static void test_time_wait_reuse(void)
{
	struct evrec el = { 0 }, ec = { 0 };
	struct tcp_pcb *l, *c, *n;
	struct cseg *s;
	uint64_t t = 10 * SEC;

	tcp_setup();
	tcp_isn_value = 3000;
	l = tcp_pcb_new(ev_cb, &el);
	CHECK(tcp_pcb_bind(l, 0, net16(80)) == 0 && tcp_pcb_listen(l, 4) == 0);
	inject_syn(4000, 80, 7000, 0, TH_SYN, 8192, 1200, -1, t);
	inject(4000, 80, 7001, 3001, TH_ACK, 8192, NULL, 0, t);
	c = tcp_pcb_accept(l, ev_cb, &ec);
	CHECK(c && c->state == TCP_ESTABLISHED);
	tcp_pcb_close(c, t); /* our FIN first */
	inject(4000, 80, 7001, 3002, TH_ACK | TH_FIN, 8192, NULL, 0, t);
	CHECK(c->state == TCP_TIME_WAIT && c->orphan && !c->sbuf && !c->rbuf);
	CHECK(npcbs() == 2);
	/* An old duplicate SYN: challenge ACK, TIME-WAIT stays. */
	sent_clear();
	inject_syn(4000, 80, 6000, 0, TH_SYN, 8192, 1200, -1, t);
	s = sent();
	CHECK(s && s->flags == TH_ACK && s->ack == 7002 && c->state == TCP_TIME_WAIT);
	/* A new incarnation: the listener answers it. */
	sent_clear();
	tcp_isn_value = 90000;
	inject_syn(4000, 80, 50000, 0, TH_SYN, 8192, 1200, -1, t + SEC);
	s = sent();
	CHECK(s && s->flags == (TH_SYN | TH_ACK) && s->ack == 50001);
	CHECK(npcbs() == 2 && l->nsyn == 1);
	inject(4000, 80, 50001, s ? s->seq + 1 : 0, TH_ACK, 8192, NULL, 0, t + SEC);
	n = tcp_pcb_accept(l, ev_cb, &ec);
	CHECK(n && n->state == TCP_ESTABLISHED && n->irs == 50000);
	tcp_reset_all();
}

int main(void)
{
	test_active_open();
	test_passive_open();
	test_simultaneous_open();
	test_closed_port();
	test_refused();
	test_rst_challenge();
	test_active_close();
	test_passive_close();
	test_simultaneous_close();
	test_syn_queue();
	test_fin_wait_2_timeout();
	test_accept_queue_full();
	test_syn_timeout();
	test_close_all();
	test_time_wait_reuse();
	tcp_reset_all();
	printf("test_tcp_state: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
