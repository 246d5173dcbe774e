/*
 * test_tcp_ring.c - TCP's growing rings (tcp_alloc_bufs, tcp_ring_reserve
 * in src/net/tcp.c): a connection starts with TCP_RING_MIN bytes each way,
 * still advertises its whole SO_RCVBUF, and the rings grow as data needs
 * room - in-order data, out-of-order data far beyond the first ring, a
 * ring that wraps before it grows, and the send side - with every byte
 * checked. Run with a fake clock, as test_tcp_data.
 */
#include "test_tcp_harness.h"

static uint8_t pat[70000];

static int read_all(struct tcp_pcb *p, uint8_t *b, uint32_t want, uint64_t t)
{
	uint32_t got = 0;
	long r;

	while (got < want && (r = tcp_pcb_recv(p, b + got, want - got, 0, t)) > 0)
		got += (uint32_t)r;
	return (int)got;
}

static void test_receive_grows(void)
{
	static uint8_t b[sizeof(pat)];
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	uint64_t t = 10 * SEC;
	uint32_t irs = 7000, i;

	tcp_setup();
	p = establish(&e, 1000, irs, 65535, 7, t);
	CHECK(p && p->rbuf_size == TCP_RING_MIN && p->sbuf_size == TCP_RING_MIN);
	CHECK(tcp_rcv_wnd(p) == p->rbuf_max && p->rbuf_max == tcp_cfg.rcvbuf);
	/* 20 segments of 1000 bytes, last first: the first one lands 19000
	 * bytes beyond rcv_nxt, far past the first ring. */
	for (i = 20; i-- > 0;)
		inject(80, 5000, irs + 1 + i * 1000, 1001, TH_ACK, 65535,
		       pat + i * 1000, 1000, t);
	CHECK(p->rcv_nxt == irs + 1 + 20000 && p->rbuf_len == 20000);
	CHECK(p->rbuf_size >= 20000 && p->rbuf_size <= 2 * p->rbuf_max);
	CHECK(read_all(p, b, 20000, t) == 20000 && !memcmp(b, pat, 20000));
	sent_clear();
	tcp_pcb_abort(p, t);
}

static void test_wrapped_ring_grows(void)
{
	static uint8_t b[sizeof(pat)];
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	uint64_t t = 10 * SEC;
	uint32_t irs = 0xfffff000u; /* sequence wrap-around on the way, too */
	uint32_t seq = irs + 1;

	tcp_setup();
	p = establish(&e, 1000, irs, 65535, 7, t);
	inject(80, 5000, seq, 1001, TH_ACK, 65535, pat, 3000, t);
	CHECK(read_all(p, b, 3000, t) == 3000 && !memcmp(b, pat, 3000));
	seq += 3000;
	/* 3000 more wrap around the 4096-byte ring (offset 3000). */
	inject(80, 5000, seq, 1001, TH_ACK, 65535, pat + 3000, 3000, t);
	CHECK(p->rbuf_size == TCP_RING_MIN && p->rbuf_len == 3000);
	/* Out of order past the ring: it grows, keeping the wrapped bytes. */
	inject(80, 5000, seq + 5000, 1001, TH_ACK, 65535, pat + 8000, 2000, t);
	CHECK(p->rbuf_size > TCP_RING_MIN && p->nooo == 1);
	/* The hole filled: all 7000 bytes in order, the held range merged. */
	inject(80, 5000, seq + 3000, 1001, TH_ACK, 65535, pat + 6000, 2000, t);
	CHECK(p->rcv_nxt == seq + 7000 && p->nooo == 0 && p->rbuf_len == 7000);
	CHECK(read_all(p, b, 7000, t) == 7000 && !memcmp(b, pat + 3000, 7000));
	sent_clear();
	tcp_pcb_abort(p, t);
}

static void test_send_grows(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;
	uint32_t una = 1001, got = 0;
	int bad = 0;

	tcp_setup();
	p = establish(&e, 1000, 7000, 65535, 7, t);
	CHECK(tcp_pcb_send(p, pat, 3000, t) == 3000);
	CHECK(p->sbuf_size == TCP_RING_MIN);
	/* A second send past the ring: it grows behind the queued bytes. */
	CHECK(tcp_pcb_send(p, pat + 3000, 50000, t) == 50000);
	CHECK(p->sbuf_size >= 53000 && p->sbuf_len == 53000);
	CHECK(tcp_pcb_send(p, pat, sizeof(pat), t) ==
	      (long)(p->sbuf_max - 53000)); /* up to SO_SNDBUF, no further */
	/* Every byte sent, in order and intact, as the peer ACKs. */
	for (int rounds = 0; rounds < 200 && got < p->sbuf_max; rounds++) {
		while ((s = sent())) {
			if (s->len && s->seq == una + got) {
				/* the stream: pat[0, 53000), then pat again */
				for (uint32_t i = 0; i < s->len; i++)
					if (s->data[i] != (got + i < 53000 ?
							   pat[got + i] :
							   pat[got + i - 53000]))
						bad++;
				got += s->len;
			}
		}
		t += 10 * MS;
		inject(80, 5000, 7001, una + got, TH_ACK, 65535, NULL, 0, t);
	}
	CHECK(got == p->sbuf_max && !bad);
	sent_clear();
	tcp_pcb_abort(p, t);
}

static void test_embryonic_small(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *l, *c;
	uint64_t t = 10 * SEC;

	tcp_setup();
	l = tcp_pcb_new(ev_cb, &e);
	CHECK(tcp_pcb_bind(l, 0, net16(80)) == 0 && tcp_pcb_listen(l, 8) == 0);
	inject_syn(4000, 80, 9000, 0, TH_SYN, 65535, 1000, 7, t);
	for (c = tcp_pcbs; c && c == l; c = c->next)
		;
	CHECK(c && c->embryonic && c->rbuf_size == TCP_RING_MIN &&
	      c->sbuf_size == TCP_RING_MIN);
	sent_clear();
	tcp_pcb_abort(l, t);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 13 + (i >> 9));
	test_receive_grows();
	test_wrapped_ring_grows();
	test_send_grows();
	test_embryonic_small();
	tcp_reset_all();
	printf("test_tcp_ring: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
