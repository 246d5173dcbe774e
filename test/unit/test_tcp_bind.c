/*
 * test_tcp_bind.c - host unit test of TCP's bind rules (src/net/tcp.c
 * tcp_pcb_bind, tcp_pcb_listen, tcp_reuseport_pick), as Linux's
 * inet_csk_bind_conflict: a port held by any pcb (TIME-WAIT included)
 * refuses a bind unless both have SO_REUSEADDR and the holder does not
 * listen, or both have SO_REUSEPORT; wildcard and specific addresses
 * overlap; listen re-checks; accepted connections inherit the
 * listener's flags; SYNs are spread over a SO_REUSEPORT group by their
 * 4-tuple.
 */
#include "test_tcp_harness.h"

#define RA TCP_REUSE_ADDR
#define RP TCP_REUSE_PORT

static struct evrec ev;

static struct tcp_pcb *pcb(unsigned reuse)
{
	struct tcp_pcb *p = tcp_pcb_new(ev_cb, &ev);

	tcp_pcb_set_reuse(p, reuse);
	return p;
}

static void test_plain(void)
{
	struct tcp_pcb *a, *b, *c;

	tcp_setup();
	a = pcb(0);
	b = pcb(0);
	c = pcb(0);
	CHECK(tcp_pcb_bind(a, ME, net16(80)) == 0);
	CHECK(tcp_pcb_bind(b, ME, net16(80)) == -EADDRINUSE);
	CHECK(tcp_pcb_bind(b, 0, net16(80)) == -EADDRINUSE);   /* wildcard overlaps */
	CHECK(tcp_pcb_bind(b, ME, net16(81)) == 0);
	CHECK(tcp_pcb_bind(c, 0, net16(81)) == -EADDRINUSE);
	tcp_pcb_abort(a, 0);
	CHECK(tcp_pcb_bind(c, 0, net16(80)) == 0);               /* free again */
	/* one side's flag is not enough */
	a = pcb(RA);
	CHECK(tcp_pcb_bind(a, ME, net16(80)) == -EADDRINUSE);
	a->reuse = RP;
	CHECK(tcp_pcb_bind(a, ME, net16(80)) == -EADDRINUSE);
	tcp_reset_all();
}

static void test_reuseaddr(void)
{
	struct tcp_pcb *a, *b, *c;

	tcp_setup();
	a = pcb(RA);
	b = pcb(RA);
	c = pcb(RA);
	/* both flagged, nobody listening: they share */
	CHECK(tcp_pcb_bind(a, 0, net16(80)) == 0);
	CHECK(tcp_pcb_bind(b, ME, net16(80)) == 0);
	/* the first listen passes, the second is refused */
	CHECK(tcp_pcb_listen(a, 4) == 0);
	CHECK(tcp_pcb_listen(b, 4) == -EADDRINUSE && b->state == TCP_CLOSED);
	/* and binding beside a listener is refused */
	CHECK(tcp_pcb_bind(c, ME, net16(80)) == -EADDRINUSE);
	CHECK(tcp_pcb_bind(c, 0, net16(80)) == -EADDRINUSE);
	tcp_pcb_close(a, 0);
	CHECK(tcp_pcb_listen(b, 4) == 0);
	tcp_reset_all();
}

/* A server on port 80 with `reuse` accepts PEER:4000 and closes first:
 * the accepted pcb ends in TIME-WAIT; the listener is closed. */
static struct tcp_pcb *server_in_time_wait(unsigned reuse, uint64_t t)
{
	struct evrec ec = { 0 };
	struct tcp_pcb *l = pcb(reuse), *c;

	tcp_isn_value = 3000;
	if (tcp_pcb_bind(l, 0, net16(80)) || tcp_pcb_listen(l, 4))
		return NULL;
	inject_syn(4000, 80, 7000, 0, TH_SYN, 8192, 1200, -1, t);
	inject(4000, 80, 7001, 3001, TH_ACK, 8192, NULL, 0, t);
	c = tcp_pcb_accept(l, ev_cb, &ec);
	if (!c)
		return NULL;
	tcp_pcb_close(l, t);
	tcp_pcb_close(c, t);                                   /* our FIN 3001 */
	inject(4000, 80, 7001, 3002, TH_FIN | TH_ACK, 8192, NULL, 0, t);
	sent_clear();
	return c;
}

static void test_time_wait(void)
{
	uint64_t t = 10 * SEC;
	struct tcp_pcb *tw, *a, *b;

	tcp_setup();
	tw = server_in_time_wait(RA, t);
	CHECK(tw && tw->state == TCP_TIME_WAIT && tw->reuse == RA && npcbs() == 1);
	a = pcb(0);
	CHECK(tcp_pcb_bind(a, 0, net16(80)) == -EADDRINUSE);
	CHECK(tcp_pcb_bind(a, ME, net16(80)) == -EADDRINUSE);
	a->reuse = RP;
	CHECK(tcp_pcb_bind(a, 0, net16(80)) == -EADDRINUSE);
	/* the restarted server: binds and listens beside its TIME-WAIT */
	b = pcb(RA);
	CHECK(tcp_pcb_bind(b, 0, net16(80)) == 0);
	CHECK(tcp_pcb_listen(b, 4) == 0);
	/* a new client reaches the listener, not the TIME-WAIT pcb */
	inject_syn(4001, 80, 9000, 0, TH_SYN, 8192, 1200, -1, t);
	CHECK(b->nsyn == 1);
	tcp_pcb_close(b, t);
	/* after 2 MSL the port is free for anyone */
	tcp_timers(t + 2 * tcp_cfg.msl_ns + SEC);
	CHECK(npcbs() == 1); /* a */
	CHECK(tcp_pcb_bind(a, 0, net16(80)) == 0);
	tcp_reset_all();

	/* a TIME-WAIT pcb from a listener without SO_REUSEADDR blocks even
	 * a flagged bind: Linux wants the flag on both */
	tcp_setup();
	tw = server_in_time_wait(0, t);
	CHECK(tw && tw->state == TCP_TIME_WAIT);
	b = pcb(RA);
	CHECK(tcp_pcb_bind(b, 0, net16(80)) == -EADDRINUSE);
	tcp_reset_all();
}

static void test_reuseport(void)
{
	struct tcp_pcb *l1, *l2, *x, *w;
	int i, n1 = 0, n2 = 0;
	uint64_t t = SEC;

	tcp_setup();
	l1 = pcb(RP);
	l2 = pcb(RP | RA);
	x = pcb(RA);
	CHECK(tcp_pcb_bind(l1, ME, net16(90)) == 0 && tcp_pcb_listen(l1, 64) == 0);
	CHECK(tcp_pcb_bind(x, ME, net16(90)) == -EADDRINUSE);
	CHECK(tcp_pcb_bind(l2, ME, net16(90)) == 0 && tcp_pcb_listen(l2, 64) == 0);
	for (i = 0; i < 40; i++)
		inject_syn((uint16_t)(20000 + i * 7), 90, 100000u * (unsigned)i, 0,
			   TH_SYN, 8192, 1200, -1, t);
	n1 = l1->nsyn;
	n2 = l2->nsyn;
	CHECK(n1 + n2 == 40 && n1 > 0 && n2 > 0);
	/* one 4-tuple always picks the same member */
	for (i = 0; i < 40; i++) {
		struct tcp_pcb *p = tcp_reuseport_pick(l1, ME, net16(90), PEER,
						       net16((uint16_t)(20000 + i * 7)));
		CHECK(p == tcp_reuseport_pick(l2, ME, net16(90), PEER,
					      net16((uint16_t)(20000 + i * 7))));
		CHECK(p == l1 || p == l2);
	}
	/* a specific address beats the wildcard group */
	w = pcb(RP);
	CHECK(tcp_pcb_bind(w, 0, net16(90)) == 0 && tcp_pcb_listen(w, 4) == 0);
	inject_syn(30000, 90, 5, 0, TH_SYN, 8192, 1200, -1, t);
	CHECK(w->nsyn == 0 && l1->nsyn + l2->nsyn == 41);
	/* without the group a listener is its own pick */
	x->reuse = 0;
	CHECK(tcp_pcb_bind(x, ME, net16(91)) == 0 && tcp_pcb_listen(x, 4) == 0);
	CHECK(tcp_reuseport_pick(x, ME, net16(91), PEER, net16(1)) == x);
	tcp_reset_all();
}

int main(void)
{
	test_plain();
	test_reuseaddr();
	test_time_wait();
	test_reuseport();
	printf("test_tcp_bind: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
