/*
 * tcp.c - TCP (RFC 9293): control blocks, ports, ISNs (RFC 6528) and the
 * user calls (tcp_pcb_*: bind, listen, accept, connect, send, recv,
 * shutdown, close, abort, poll). Segment arrival (the state machine
 * proper) is in tcp_in.c, output in tcp_out.c, timers in tcp_timer.c.
 *
 * Layer: kernel net, pure (time passed in); see tcp_priv.h for who calls
 * it. Buffers: a send ring holding unacked + unsent bytes from data_seq,
 * and a receive ring holding unread in-order bytes followed by room where
 * out-of-order data is placed at its final position (so the window is
 * exactly the free room and the right edge never moves left).
 */
#include <errno.h>
#include <string.h>
#include <uni/kmalloc.h>
#include <uni/random.h>
#include "tcp_priv.h"

#define EPHEMERAL_LOW 32768
#define EPHEMERAL_HIGH 60999

struct tcp_config tcp_cfg = {
	.msl_ns = 30ull * 1000000000,
	.sndbuf = 64 * 1024,
	.rcvbuf = 128 * 1024,
	.syn_retries = 6,
	.retries = 15,
};
tcp_xmit_fn tcp_xmit_hook;
int tcp_isn_fixed;
uint32_t tcp_isn_value;
struct tcp_pcb *tcp_pcbs;


struct tcp_pcb *tcp_pcb_new(tcp_event_fn ev, void *ctx)
{
	struct tcp_pcb *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->ev = ev;
	p->ctx = ctx;
	p->sbuf_max = tcp_cfg.sndbuf;
	p->rbuf_max = tcp_cfg.rcvbuf;
	p->rto = TCP_RTO_INIT;
	p->next = tcp_pcbs;
	tcp_pcbs = p;
	return p;
}

void tcp_pcb_set_bufs(struct tcp_pcb *p, uint32_t sndbuf, uint32_t rcvbuf)
{
	if (p->sbuf || p->rbuf)
		return;
	if (sndbuf)
		p->sbuf_max = sndbuf < 2048 ? 2048 : sndbuf;
	if (rcvbuf)
		p->rbuf_max = rcvbuf < 2048 ? 2048 : rcvbuf;
}

/* Unlink and free one pcb (its children are handled by the caller). */
void tcp_free(struct tcp_pcb *p)
{
	struct tcp_pcb **pp;

	if (p->parent) {
		struct tcp_pcb *l = p->parent;
		if (p->embryonic)
			l->nsyn--;
		for (pp = &l->accq; *pp; pp = &(*pp)->aq_next)
			if (*pp == p) {
				*pp = p->aq_next;
				l->nacc--;
				break;
			}
	}
	for (pp = &tcp_pcbs; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	kfree(p->sbuf);
	kfree(p->rbuf);
	kfree(p);
}

void tcp_notify(struct tcp_pcb *p, unsigned ev, int err)
{
	if (p->ev && !p->orphan)
		p->ev(p->ctx, ev, err);
}

/* The connection is over with err (0: orderly). Frees p when nobody
 * holds it; returns 1 if it did. */
int tcp_fail(struct tcp_pcb *p, int err)
{
	p->state = TCP_CLOSED;
	p->rto_at = p->tw_at = 0;
	if (p->orphan || p->parent) { /* nobody holds it */
		tcp_free(p);
		return 1;
	}
	p->err = err;
	tcp_notify(p, (err ? TCP_EV_ERROR : 0) | TCP_EV_READABLE | TCP_EV_WRITABLE,
		   err);
	return 0;
}

/* ---- ports and addresses ---------------------------------------------- */

static int port_used(const struct tcp_pcb *self, uint32_t addr, uint16_t port)
{
	for (const struct tcp_pcb *p = tcp_pcbs; p; p = p->next)
		if (p != self && p->lport == port && !p->parent &&
		    (!p->laddr || !addr || p->laddr == addr))
			return 1;
	return 0;
}

/* Linux's inet_csk_bind_conflict for bind() and listen(): another pcb
 * on the port whose address overlaps (equal, or either the wildcard)
 * clashes with self unless both have SO_REUSEADDR and it is not
 * listening (a server restarted beside its TIME-WAIT connections), or
 * both have SO_REUSEPORT (one process, so always the same uid). */
static int bind_conflict(const struct tcp_pcb *self, uint32_t addr,
			 uint16_t port)
{
	unsigned both;

	for (const struct tcp_pcb *p = tcp_pcbs; p; p = p->next) {
		if (p == self || p->lport != port || p->parent)
			continue;
		if (p->laddr && addr && p->laddr != addr)
			continue;
		both = self->reuse & p->reuse;
		if ((both & TCP_REUSE_ADDR) && p->state != TCP_LISTEN)
			continue;
		if (both & TCP_REUSE_PORT)
			continue;
		return 1;
	}
	return 0;
}

static int in_group(const struct tcp_pcb *p, const struct tcp_pcb *l)
{
	return p->state == TCP_LISTEN && (p->reuse & TCP_REUSE_PORT) &&
	       p->lport == l->lport && p->laddr == l->laddr;
}

int tcp_pcb_bind(struct tcp_pcb *p, uint32_t addr, uint16_t port)
{
	if (p->lport || p->state != TCP_CLOSED)
		return -EINVAL;
	if (addr && !netif_is_local(addr))
		return -EADDRNOTAVAIL;
	if (!port) {
		const uint32_t n = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
		uint32_t start, i;

		random_bytes(&start, sizeof(start));
		for (i = 0; i < n; i++) {
			port = net16((uint16_t)(EPHEMERAL_LOW + (start + i) % n));
			if (!port_used(p, addr, port))
				break;
		}
		if (i == n)
			return -EADDRNOTAVAIL; /* Linux, for connect */
	} else if (bind_conflict(p, addr, port)) {
		return -EADDRINUSE;
	}
	p->laddr = addr;
	p->lport = port;
	return 0;
}

void tcp_pcb_set_reuse(struct tcp_pcb *p, unsigned reuse)
{
	p->reuse = (uint8_t)reuse;
}

/* SO_REUSEPORT listeners of one address and port form a group; a new
 * connection goes to the member a hash of its 4-tuple picks, so that one
 * connection's SYNs always reach the same listener (Linux's
 * reuseport_select_sock). l is the best listener lookup found. */
struct tcp_pcb *tcp_reuseport_pick(struct tcp_pcb *l, uint32_t la, uint16_t lp,
				   uint32_t ra, uint16_t rp)
{
	uint64_t h = ((uint64_t)la << 32 | ra) ^ ((uint64_t)lp << 16 | rp);
	uint32_t n = 0, k;
	struct tcp_pcb *p;

	if (!(l->reuse & TCP_REUSE_PORT))
		return l;
	for (p = tcp_pcbs; p; p = p->next)
		n += in_group(p, l);
	h = (h ^ (h >> 33)) * 0xff51afd7ed558ccdull; /* murmur3's finalizer */
	h = (h ^ (h >> 33)) * 0xc4ceb9fe1a85ec53ull;
	k = (uint32_t)((h ^ (h >> 33)) % n);
	for (p = tcp_pcbs; p; p = p->next)
		if (in_group(p, l) && !k--)
			return p;
	return l;
}

void tcp_pcb_local(const struct tcp_pcb *p, uint32_t *addr, uint16_t *port)
{
	*addr = p->laddr;
	*port = p->lport;
}

void tcp_pcb_peer(const struct tcp_pcb *p, uint32_t *addr, uint16_t *port)
{
	*addr = p->raddr;
	*port = p->rport;
}

/* RFC 6528: ISN = M + F(4-tuple, secret), M a 4 us clock. */
uint32_t tcp_new_isn(const struct tcp_pcb *p, uint64_t now)
{
	static uint64_t secret[2];
	uint64_t h;

	if (tcp_isn_fixed)
		return tcp_isn_value;
	if (!secret[0] && !secret[1])
		random_bytes(secret, sizeof(secret));
	h = secret[0] ^ ((uint64_t)p->laddr << 32 | p->raddr);
	h ^= (uint64_t)p->lport << 16 | p->rport;
	for (int i = 0; i < 3; i++) { /* a keyed mix (splitmix64 rounds) */
		h += secret[1] + 0x9e3779b97f4a7c15ull;
		h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
		h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
		h ^= h >> 31;
	}
	return (uint32_t)(now / 4000) + (uint32_t)h;
}

/* Our MSS for the route to dst (tests without a route: 1460). */
uint16_t tcp_route_mss(uint32_t dst)
{
	uint32_t nh;
	struct netif *nif = ip_route(dst, &nh);
	uint32_t mtu = nif ? nif->mtu : 1500;

	if (mtu > 65535)
		mtu = 65535;
	if (mtu < 128)
		mtu = 128; /* a broken interface must not make the MSS tiny */
	return (uint16_t)(mtu - 40);
}

/* Buffers for a connection (window scale chosen from the receive size).
 * The rings start at TCP_RING_MIN and grow as data needs room, so an idle
 * or embryonic connection costs a few KiB, not its whole SO_RCVBUF. */
int tcp_alloc_bufs(struct tcp_pcb *p)
{
	if (!p->sbuf) {
		p->sbuf_size = tcp_min32(p->sbuf_max, TCP_RING_MIN);
		p->sbuf = kmalloc(p->sbuf_size);
	}
	if (!p->rbuf) {
		p->rbuf_size = tcp_min32(p->rbuf_max, TCP_RING_MIN);
		p->rbuf = kmalloc(p->rbuf_size);
	}
	if (!p->sbuf || !p->rbuf)
		return -ENOMEM;
	p->rcv_ws = 0;
	while (p->rcv_ws < TCP_MAX_WS && (p->rbuf_max >> p->rcv_ws) > 65535)
		p->rcv_ws++;
	return 0;
}

int tcp_ring_reserve(uint8_t **ring, uint32_t *size, uint32_t *off,
		     uint32_t need)
{
	uint32_t n = *size, first;
	uint8_t *r;

	if (need <= n)
		return 0;
	while (n < need)
		n *= 2;
	if (!(r = kmalloc(n)))
		return -ENOMEM;
	first = *size - *off; /* the old ring, oldest byte first */
	memcpy(r, *ring + *off, first);
	memcpy(r + first, *ring, *off);
	kfree(*ring);
	*ring = r;
	*size = n;
	*off = 0;
	return 0;
}

int tcp_pcb_listen(struct tcp_pcb *p, int backlog)
{
	int err;

	if (p->state == TCP_LISTEN) {
		p->backlog = backlog < 1 ? 1 : backlog;
		return 0;
	}
	if (p->state != TCP_CLOSED || p->sbuf)
		return -EINVAL;
	if (!p->lport && (err = tcp_pcb_bind(p, 0, 0)))
		return err;
	if (bind_conflict(p, p->laddr, p->lport)) /* Linux re-checks */
		return -EADDRINUSE;
	p->backlog = backlog < 1 ? 1 : backlog > 4096 ? 4096 : backlog;
	p->state = TCP_LISTEN;
	return 0;
}

struct tcp_pcb *tcp_pcb_accept(struct tcp_pcb *l, tcp_event_fn ev, void *ctx)
{
	struct tcp_pcb *c = l->accq;

	if (l->state != TCP_LISTEN || !c)
		return NULL;
	l->accq = c->aq_next;
	l->nacc--;
	c->aq_next = NULL;
	c->parent = NULL;
	c->reuse = l->reuse;
	c->ev = ev;
	c->ctx = ctx;
	return c;
}

int tcp_pcb_connect(struct tcp_pcb *p, uint32_t addr, uint16_t port,
		    uint64_t now)
{
	struct netif *nif;
	uint32_t nh;
	int err;

	if (p->state == TCP_SYN_SENT || p->state == TCP_SYN_RECEIVED)
		return -EALREADY;
	if (p->state != TCP_CLOSED)
		return -EISCONN;
	if (p->sbuf)
		return -EISCONN; /* was connected once */
	if (!addr)
		addr = IP4(127, 0, 0, 1);
	if (!port)
		return -ECONNREFUSED;
	if (!(nif = ip_route(addr, &nh)))
		return -ENETUNREACH;
	if (!p->lport && (err = tcp_pcb_bind(p, 0, 0)))
		return err;
	if (!p->laddr)
		p->laddr = (nif->flags & IFF_LOOPBACK) ?
			(ip4_is_loopback(addr) ? IP4(127, 0, 0, 1) : addr) : nif->addr;
	if ((err = tcp_alloc_bufs(p)))
		return err;
	p->raddr = addr;
	p->rport = port;
	p->mss = tcp_route_mss(addr);
	p->iss = tcp_new_isn(p, now);
	p->snd_una = p->snd_nxt = p->snd_max = p->iss;
	p->data_seq = p->iss + 1;
	p->state = TCP_SYN_SENT;
	tcp_output(p, now);
	return 0;
}

/* ---- user calls -------------------------------------------------------- */

long tcp_pcb_send_room(struct tcp_pcb *p, size_t want)
{
	uint32_t room, n;
	int e;

	if (p->err) {
		e = p->err;
		p->err = 0;
		return -e;
	}
	switch (p->state) {
	case TCP_SYN_SENT:
	case TCP_SYN_RECEIVED:
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
		break;
	case TCP_LISTEN:
		return -ENOTCONN;
	case TCP_CLOSED:
		return p->sbuf ? -EPIPE : -ENOTCONN;
	default:
		return -EPIPE;
	}
	if (p->fin_queued)
		return -EPIPE;
	if (!want)
		return 0;
	room = p->sbuf_max - p->sbuf_len;
	if (!room)
		return -EAGAIN;
	n = (uint32_t)(want < room ? want : room);
	if (tcp_ring_reserve(&p->sbuf, &p->sbuf_size, &p->sbuf_off,
			     p->sbuf_len + n))
		return -ENOMEM;
	return n;
}

uint32_t tcp_pcb_sbuf_run(const struct tcp_pcb *p, uint32_t off, uint8_t **run)
{
	uint32_t pos, free = p->sbuf_size - p->sbuf_len;

	if (off >= free)
		return 0;
	pos = (p->sbuf_off + p->sbuf_len + off) % p->sbuf_size;
	*run = p->sbuf + pos;
	return tcp_min32(free - off, p->sbuf_size - pos);
}

void tcp_pcb_commit(struct tcp_pcb *p, uint32_t n, uint64_t now)
{
	p->sbuf_len += n;
	tcp_output(p, now);
}

long tcp_pcb_send(struct tcp_pcb *p, const void *buf, size_t len, uint64_t now)
{
	long r = tcp_pcb_send_room(p, len);
	uint32_t done = 0, k;
	uint8_t *run;

	if (r <= 0)
		return r;
	while (done < (uint32_t)r && (k = tcp_pcb_sbuf_run(p, done, &run))) {
		k = tcp_min32(k, (uint32_t)r - done);
		memcpy(run, (const uint8_t *)buf + done, k);
		done += k;
	}
	tcp_pcb_commit(p, done, now);
	return done;
}

long tcp_pcb_readable(struct tcp_pcb *p)
{
	int e;

	if (p->rbuf_len)
		return p->rbuf_len;
	if (p->err) {
		e = p->err;
		p->err = 0;
		return -e;
	}
	if (p->rcv_fin || p->rd_shut)
		return 0;
	if (p->state == TCP_LISTEN || (p->state == TCP_CLOSED && !p->rbuf))
		return -ENOTCONN;
	if (p->state == TCP_CLOSED)
		return 0;
	return -EAGAIN;
}

uint32_t tcp_pcb_rbuf_run(const struct tcp_pcb *p, uint32_t off,
			  const uint8_t **run)
{
	uint32_t pos;

	if (off >= p->rbuf_len)
		return 0;
	pos = (p->rbuf_off + off) % p->rbuf_size;
	*run = p->rbuf + pos;
	return tcp_min32(p->rbuf_len - off, p->rbuf_size - pos);
}

void tcp_pcb_consume(struct tcp_pcb *p, uint32_t n, uint64_t now)
{
	uint32_t adv;

	if (n > p->rbuf_len)
		n = p->rbuf_len;
	if (!n)
		return;
	p->rbuf_off = (p->rbuf_off + n) % p->rbuf_size;
	p->rbuf_len -= n;
	/* Window update when the room grew by two segments or half the
	 * buffer over what the peer last heard (RFC 9293 §3.8.6.2.2). */
	adv = tcp_min32(tcp_rcv_wnd(p) >> p->rcv_ws, 65535) << p->rcv_ws;
	if (p->state >= TCP_ESTABLISHED && p->state != TCP_TIME_WAIT &&
	    !p->rcv_fin && adv > p->rcv_adv &&
	    adv - p->rcv_adv >= tcp_min32(p->rbuf_max / 2, 2u * p->mss))
		tcp_send_ack(p, now);
}

long tcp_pcb_recv(struct tcp_pcb *p, void *buf, size_t len, int peek,
		  uint64_t now)
{
	long r = tcp_pcb_readable(p);
	uint32_t n, got = 0, k;
	const uint8_t *run;

	if (r <= 0)
		return r;
	n = (uint32_t)(len < (size_t)r ? len : (size_t)r);
	while (got < n && (k = tcp_pcb_rbuf_run(p, got, &run))) {
		k = tcp_min32(k, n - got);
		memcpy((uint8_t *)buf + got, run, k);
		got += k;
	}
	if (!peek)
		tcp_pcb_consume(p, n, now);
	return n;
}

int tcp_pcb_shutdown(struct tcp_pcb *p, int how, uint64_t now)
{
	if (how < 0 || how > 2)
		return -EINVAL;
	if (p->state == TCP_CLOSED || p->state == TCP_LISTEN ||
	    p->state == TCP_SYN_SENT)
		return -ENOTCONN;
	if (how != 1)
		p->rd_shut = 1;
	if (how == 0 || p->fin_queued)
		return 0;
	p->fin_queued = 1;
	if (p->state == TCP_ESTABLISHED)
		p->state = TCP_FIN_WAIT_1;
	else if (p->state == TCP_CLOSE_WAIT)
		p->state = TCP_LAST_ACK;
	tcp_output(p, now); /* SYN-RECEIVED: the FIN waits for the ACK */
	return 0;
}

/* Free a listener's children that nobody accepted, with a RST each. */
static void drop_children(struct tcp_pcb *l, uint64_t now)
{
	struct tcp_pcb *p, *nx;

	for (p = tcp_pcbs; p; p = nx) {
		nx = p->next;
		if (p->parent == l) {
			tcp_send_raw(p->laddr, p->raddr, p->lport, p->rport,
				     p->snd_nxt, 0, TH_RST, now);
			nx = p->next;
			tcp_free(p);
		}
	}
}

void tcp_pcb_abort(struct tcp_pcb *p, uint64_t now)
{
	if (p->state == TCP_LISTEN)
		drop_children(p, now);
	else if (p->state >= TCP_SYN_RECEIVED && p->state != TCP_TIME_WAIT)
		tcp_send_raw(p->laddr, p->raddr, p->lport, p->rport, p->snd_nxt,
			     0, TH_RST, now);
	tcp_free(p);
}

/* Exit (glue.c's net_exit_drain): every connection a socket still owns
 * is closed as close() would - queued data first, then the FIN, or a RST
 * over unread data - and listeners go with their queues. */
void tcp_close_all(uint64_t now)
{
	struct tcp_pcb *p;

again:
	for (p = tcp_pcbs; p; p = p->next)
		if (!p->orphan && !p->parent) {
			tcp_pcb_close(p, now); /* orphans or frees it */
			goto again;
		}
}

/* Some connection still has data or a FIN the peer has not acknowledged. */
int tcp_draining(void)
{
	for (struct tcp_pcb *p = tcp_pcbs; p; p = p->next)
		if (p->state != TCP_CLOSED && p->state != TCP_LISTEN &&
		    p->state != TCP_FIN_WAIT_2 && p->state != TCP_TIME_WAIT &&
		    !p->parent)
			return 1;
	return 0;
}

/* An orphan in TIME-WAIT only answers segments: its rings go, so a busy
 * server's closed connections cost a pcb each for 2 MSL, not their
 * buffers. */
void tcp_time_wait_trim(struct tcp_pcb *p)
{
	if (p->state != TCP_TIME_WAIT || !p->orphan)
		return;
	kfree(p->sbuf);
	kfree(p->rbuf);
	p->sbuf = p->rbuf = NULL;
	p->sbuf_size = p->sbuf_len = p->sbuf_off = 0;
	p->rbuf_size = p->rbuf_len = p->rbuf_off = 0;
	p->nooo = 0;
}

void tcp_pcb_close(struct tcp_pcb *p, uint64_t now)
{
	p->ev = NULL;
	p->ctx = NULL;
	switch (p->state) {
	case TCP_LISTEN:
	case TCP_CLOSED:
	case TCP_SYN_SENT:
		tcp_pcb_abort(p, now);
		return;
	case TCP_SYN_RECEIVED:
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
		if (p->rbuf_len) { /* unread data: RFC 2525 §2.17, as Linux */
			tcp_pcb_abort(p, now);
			return;
		}
		p->orphan = 1;
		tcp_pcb_shutdown(p, 1, now);
		return;
	case TCP_FIN_WAIT_2:
		p->orphan = 1;
		if (!p->tw_at) {
			p->tw_at = now + 2 * tcp_cfg.msl_ns;
			tcp_arm(p, p->tw_at);
		}
		return;
	default:
		p->orphan = 1;
		tcp_time_wait_trim(p);
		return;
	}
}

unsigned tcp_pcb_poll(const struct tcp_pcb *p)
{
	unsigned ev = 0;

	if (p->state == TCP_LISTEN)
		return p->accq ? TCP_EV_READABLE : 0;
	if (p->rbuf_len || p->rcv_fin || p->rd_shut || p->err ||
	    (p->state == TCP_CLOSED && p->rbuf))
		ev |= TCP_EV_READABLE;
	if (p->err || (p->state == TCP_CLOSED && p->sbuf) ||
	    ((p->state == TCP_ESTABLISHED || p->state == TCP_CLOSE_WAIT) &&
	     !p->fin_queued && p->sbuf_len < p->sbuf_max))
		ev |= TCP_EV_WRITABLE;
	if (p->err)
		ev |= TCP_EV_ERROR;
	return ev;
}

int tcp_pcb_error(struct tcp_pcb *p)
{
	int e = p->err;

	p->err = 0;
	return e;
}

void tcp_reset_all(void)
{
	for (struct tcp_pcb *p = tcp_pcbs; p; p = p->next)
		p->parent = NULL; /* listeners may go first */
	while (tcp_pcbs)
		tcp_free(tcp_pcbs);
}
