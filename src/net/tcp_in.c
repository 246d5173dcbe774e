/*
 * tcp_in.c - TCP segment arrival (RFC 9293 §3.10.7): demultiplexing,
 * RST for closed ports, passive open with a bounded SYN queue (the oldest
 * embryonic connection is dropped early when it is full), active and
 * simultaneous open, RFC 5961 checks (exact RST resets, in-window RST or
 * any SYN gets a challenge ACK, ACKs outside [SND.UNA - MAX.SND.WND,
 * SND.NXT] too), ACK processing with RTT samples and duplicate-ACK
 * counting, window updates (RFC 7323 scaling), in-order and out-of-order
 * data, and FIN in every state.
 *
 * Layer: kernel net, pure (time passed in). ip4.c will call tcp_input.
 */
#include <errno.h>
#include <string.h>
#include <uni/kmalloc.h>
#include "tcp_priv.h"

struct seg {
	uint32_t seq, ack, len, wnd;
	uint8_t flags;
	const uint8_t *data;
	uint16_t mss;           /* 0: none */
	int ws;                 /* -1: none */
	struct tcp_opts opt;    /* every option (tcp_opt.c) */
};

static void parse_opts(const uint8_t *o, unsigned n, struct seg *s)
{
	tcp_opt_parse(o, n, s->flags & TH_SYN, &s->opt);
	s->mss = s->opt.mss;
	s->ws = s->opt.ws;
}

static struct tcp_pcb *lookup(uint32_t la, uint16_t lp, uint32_t ra, uint16_t rp)
{
	struct tcp_pcb *l = NULL;

	for (struct tcp_pcb *p = tcp_pcbs; p; p = p->next) {
		if (p->lport != lp)
			continue;
		if (p->state == TCP_LISTEN) {
			if ((!p->laddr || p->laddr == la) && (!l || p->laddr))
				l = p;
		} else if (p->state != TCP_CLOSED && p->rport == rp &&
			   p->raddr == ra && p->laddr == la) {
			return p;
		}
	}
	return l ? tcp_reuseport_pick(l, la, lp, ra, rp) : NULL;
}

/* Peer options from a SYN. */
static void syn_options(struct tcp_pcb *p, const struct seg *s)
{
	p->peer_mss = s->mss ? s->mss : TCP_DEFAULT_MSS;
	if (p->peer_mss < 64)
		p->peer_mss = 64;
	if (p->peer_mss < p->mss)
		p->mss = p->peer_mss;
	if (s->ws >= 0) {
		p->ws_ok = 1;
		p->snd_ws = (uint8_t)s->ws;
	} else {
		p->ws_ok = 0;
		p->snd_ws = p->rcv_ws = 0; /* both or neither (RFC 7323 §1.3) */
	}
}

static void set_wnd(struct tcp_pcb *p, const struct seg *s)
{
	p->snd_wnd = (s->flags & TH_SYN) ? s->wnd : s->wnd << p->snd_ws;
	p->snd_wl1 = s->seq;
	p->snd_wl2 = s->ack;
	if (p->snd_wnd > p->max_snd_wnd)
		p->max_snd_wnd = p->snd_wnd;
}

static void listen_input(struct tcp_pcb *l, const struct ip4_hdr *ih,
			 const struct tcp_hdr *th, struct seg *s, uint64_t now)
{
	struct tcp_pcb *c, *old = NULL;

	if (s->flags & TH_RST)
		return;
	if (s->flags & TH_ACK) {
		tcp_send_raw(ih->daddr, ih->saddr, th->dest, th->source, s->ack, 0,
			     TH_RST, now);
		return;
	}
	if (!(s->flags & TH_SYN) || l->nacc >= l->backlog)
		return; /* accept queue full: the peer retries its SYN */
	if (l->nsyn >= l->backlog) { /* SYN queue full: drop the oldest early */
		for (c = tcp_pcbs; c; c = c->next)
			if (c->parent == l && c->embryonic &&
			    (!old || c->born < old->born))
				old = c;
		if (old)
			tcp_free(old);
	}
	if (!(c = tcp_pcb_new(NULL, NULL)))
		return;
	c->sbuf_max = l->sbuf_max;
	c->rbuf_max = l->rbuf_max;
	if (tcp_alloc_bufs(c)) {
		tcp_free(c);
		return;
	}
	c->parent = l;
	c->embryonic = 1;
	l->nsyn++;
	c->born = now;
	c->laddr = ih->daddr;
	c->lport = l->lport;
	c->raddr = ih->saddr;
	c->rport = th->source;
	c->irs = s->seq;
	c->rcv_nxt = s->seq + 1;
	c->mss = tcp_route_mss(c->raddr);
	syn_options(c, s);
	tcp_opt_syn(c, &s->opt, now);
	tcp_cc_init(c);
	set_wnd(c, s);
	c->iss = tcp_new_isn(c, now);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->data_seq = c->iss + 1;
	c->state = TCP_SYN_RECEIVED;
	tcp_output(c, now);
}

/* SND.UNA moves to ack (RFC 9293 §3.10.7.4 fifth, RFC 6298 §5). */
static void ack_advance(struct tcp_pcb *p, uint32_t ack, uint64_t now)
{
	uint32_t n = 0;

	if (p->ts_ok) {
		tcp_ts_rtt(p, now); /* RFC 7323 §4.1 RTTM instead of Karn */
	} else if (p->rtt_active && SEQ_GT(ack, p->rtt_seq)) {
		tcp_rtt_sample(p, now - p->rtt_ts);
		p->rtt_active = 0;
	}
	if (SEQ_GT(ack, p->data_seq)) {
		n = ack - p->data_seq;
		if (n > p->sbuf_len)
			n = p->sbuf_len;
		p->sbuf_off = (p->sbuf_off + n) % p->sbuf_size;
		p->sbuf_len -= n;
		p->data_seq += n;
	}
	p->snd_una = ack;
	if (SEQ_LT(p->snd_nxt, ack))
		p->snd_nxt = ack;
	p->retries = 0;
	p->rto_at = 0;
	if (p->snd_una != p->snd_max) {
		p->rto_at = now + p->rto; /* (5.3) */
		tcp_arm(p, p->rto_at);
	}
	if (n)
		tcp_notify(p, TCP_EV_WRITABLE, 0);
}

static void syn_sent_input(struct tcp_pcb *p, const struct ip4_hdr *ih,
			   const struct tcp_hdr *th, struct seg *s, uint64_t now)
{
	if ((s->flags & TH_ACK) &&
	    (SEQ_LEQ(s->ack, p->iss) || SEQ_GT(s->ack, p->snd_max))) {
		if (!(s->flags & TH_RST))
			tcp_send_raw(ih->daddr, ih->saddr, th->dest, th->source,
				     s->ack, 0, TH_RST, now);
		return;
	}
	if (s->flags & TH_RST) {
		if (s->flags & TH_ACK)
			tcp_fail(p, ECONNREFUSED);
		return;
	}
	if (!(s->flags & TH_SYN))
		return;
	p->irs = s->seq;
	p->rcv_nxt = s->seq + 1;
	syn_options(p, s);
	tcp_opt_syn(p, &s->opt, now);
	tcp_cc_init(p);
	set_wnd(p, s);
	if (s->flags & TH_ACK) {
		tcp_keep_ack(p, s->ack, now);
		ack_advance(p, s->ack, now);
		p->state = TCP_ESTABLISHED;
		p->ack_now = 1;
		tcp_output(p, now);
		tcp_notify(p, TCP_EV_CONNECTED | TCP_EV_WRITABLE, 0);
	} else { /* simultaneous open: SYN-ACK with our ISN again */
		p->state = TCP_SYN_RECEIVED;
		p->snd_nxt = p->iss;
		p->rto_at = 0;
		tcp_output(p, now);
	}
}

/* Record [a, b) as held beyond rcv_nxt, merging ranges. */
static void ooo_add(struct tcp_pcb *p, uint32_t a, uint32_t b)
{
	int i, j, merged = 1;

	if (p->nooo == TCP_OOO_MAX)
		return; /* not recorded: the peer sends it again */
	p->ooo[p->nooo].start = a;
	p->ooo[p->nooo].end = b;
	p->nooo++;
	while (merged) {
		merged = 0;
		for (i = 0; i < p->nooo && !merged; i++)
			for (j = i + 1; j < p->nooo && !merged; j++)
				if (SEQ_LEQ(p->ooo[i].start, p->ooo[j].end) &&
				    SEQ_LEQ(p->ooo[j].start, p->ooo[i].end)) {
					if (SEQ_LT(p->ooo[j].start, p->ooo[i].start))
						p->ooo[i].start = p->ooo[j].start;
					if (SEQ_GT(p->ooo[j].end, p->ooo[i].end))
						p->ooo[i].end = p->ooo[j].end;
					p->ooo[j] = p->ooo[--p->nooo];
					merged = 1;
				}
	}
}

/* Data [seq, seq+len) inside the window: place it in the ring, advance
 * rcv_nxt over what is now contiguous. */
static void rcv_data(struct tcp_pcb *p, uint32_t seq, const uint8_t *d,
		     uint32_t len)
{
	uint32_t off = seq - p->rcv_nxt, pos, first, old = p->rcv_nxt;
	int i, moved = 1;

	if (tcp_ring_reserve(&p->rbuf, &p->rbuf_size, &p->rbuf_off,
			     p->rbuf_len + off + len))
		return; /* no memory now: not taken, the peer sends it again */
	pos = (p->rbuf_off + p->rbuf_len + off) % p->rbuf_size;
	first = len < p->rbuf_size - pos ? len : p->rbuf_size - pos;
	memcpy(p->rbuf + pos, d, first);
	memcpy(p->rbuf, d + first, len - first);
	if (off) {
		ooo_add(p, seq, seq + len);
		tcp_sack_note(p, seq);
		return;
	}
	p->rcv_nxt = seq + len;
	while (moved) {
		moved = 0;
		for (i = 0; i < p->nooo; i++)
			if (SEQ_LEQ(p->ooo[i].start, p->rcv_nxt)) {
				if (SEQ_GT(p->ooo[i].end, p->rcv_nxt))
					p->rcv_nxt = p->ooo[i].end;
				p->ooo[i--] = p->ooo[--p->nooo];
				moved = 1;
			}
	}
	p->rbuf_len += p->rcv_nxt - old;
}

static void enter_time_wait(struct tcp_pcb *p, uint64_t now)
{
	p->state = TCP_TIME_WAIT;
	p->rto_at = 0;
	p->tw_at = now + 2 * tcp_cfg.msl_ns;
	tcp_arm(p, p->tw_at);
	tcp_time_wait_trim(p);
}

/* A connection request (SYN alone) for the 4-tuple of an orphan in
 * TIME-WAIT that cannot be an old duplicate - its sequence number is
 * beyond the old connection's, or, with timestamps, its TSval is newer
 * (RFC 1122 4.2.2.13, RFC 6191) - starts a new connection at once, as
 * on Linux, rather than a challenge ACK that makes the peer wait out its
 * SYN timeout (a client reusing its port quickly). */
static int tw_new_syn(const struct tcp_pcb *p, const struct seg *s)
{
	if (p->state != TCP_TIME_WAIT || !p->orphan ||
	    (s->flags & (TH_SYN | TH_ACK | TH_RST | TH_FIN)) != TH_SYN)
		return 0;
	if (p->ts_ok && s->opt.ts)
		return (int32_t)(s->opt.tsval - p->ts_recent) > 0;
	return SEQ_GT(s->seq, p->rcv_nxt);
}

static int fin_acked(const struct tcp_pcb *p)
{
	return p->fin_queued && p->snd_una == p->data_seq + p->sbuf_len + 1;
}

/* The peer's FIN, in order. */
static void rcv_fin(struct tcp_pcb *p, uint64_t now)
{
	p->rcv_nxt++;
	p->rcv_fin = 1;
	p->ooo_fin_ok = 0;
	p->ack_now = 1;
	switch (p->state) {
	case TCP_SYN_RECEIVED:
	case TCP_ESTABLISHED:
		p->state = TCP_CLOSE_WAIT;
		break;
	case TCP_FIN_WAIT_1:
		p->state = TCP_CLOSING;
		break;
	case TCP_FIN_WAIT_2:
	case TCP_TIME_WAIT:
		enter_time_wait(p, now);
		break;
	}
	tcp_notify(p, TCP_EV_READABLE, 0);
}

/* Synchronized states (RFC 9293 §3.10.7.4). */
static void sync_input(struct tcp_pcb *p, const struct ip4_hdr *ih,
		       const struct tcp_hdr *th, struct seg *s, uint64_t now)
{
	uint32_t wnd = tcp_rcv_wnd(p), seglen, d, old_nxt;
	int ok;

	if (p->state == TCP_SYN_RECEIVED && (s->flags & TH_SYN) &&
	    !(s->flags & (TH_ACK | TH_RST)) && s->seq == p->irs) {
		p->snd_nxt = p->iss; /* our SYN-ACK was lost: again */
		tcp_output(p, now);
		return;
	}
	if (p->state == TCP_SYN_RECEIVED && (s->flags & (TH_SYN | TH_ACK)) ==
	    (TH_SYN | TH_ACK) && s->seq == p->irs) {
		s->flags &= (uint8_t)~TH_SYN; /* simultaneous open: the peer's SYN-ACK */
		s->seq++;
	}
	if (tcp_ts_reject(p, &s->opt, s->flags, now))
		return; /* RFC 7323 §5.3 R1 (PAWS) */
	/* First: is the segment in the window? */
	seglen = s->len + !!(s->flags & TH_SYN) + !!(s->flags & TH_FIN);
	if (!seglen)
		ok = wnd ? SEQ_GEQ(s->seq, p->rcv_nxt) &&
			   SEQ_LT(s->seq, p->rcv_nxt + wnd) : s->seq == p->rcv_nxt;
	else
		ok = wnd && ((SEQ_GEQ(s->seq, p->rcv_nxt) &&
			      SEQ_LT(s->seq, p->rcv_nxt + wnd)) ||
			     (SEQ_GEQ(s->seq + seglen - 1, p->rcv_nxt) &&
			      SEQ_LT(s->seq + seglen - 1, p->rcv_nxt + wnd)));
	/* Second: RST (RFC 5961 §3.2). */
	if (s->flags & TH_RST) {
		if (!(SEQ_GEQ(s->seq, p->rcv_nxt) &&
		      SEQ_LT(s->seq, p->rcv_nxt + (wnd ? wnd : 1))))
			return;
		if (s->seq != p->rcv_nxt) {
			tcp_challenge_ack(p, now);
			return;
		}
		switch (p->state) {
		case TCP_SYN_RECEIVED:
			tcp_fail(p, p->parent ? 0 : ECONNREFUSED);
			return;
		case TCP_ESTABLISHED:
		case TCP_FIN_WAIT_1:
		case TCP_FIN_WAIT_2:
		case TCP_CLOSE_WAIT:
			tcp_fail(p, ECONNRESET);
			return;
		default:
			tcp_fail(p, 0);
			return;
		}
	}
	/* Fourth: a SYN in a synchronized state (RFC 5961 §4). */
	if (s->flags & TH_SYN) {
		tcp_challenge_ack(p, now);
		return;
	}
	if (!ok) {
		if (!wnd && s->seq == p->rcv_nxt) {
			if (s->len || (s->flags & TH_FIN))
				p->ack_now = 1; /* zero window: only the ACK counts */
			s->len = 0;
			s->flags &= (uint8_t)~TH_FIN;
		} else {
			if (p->state == TCP_TIME_WAIT && (s->flags & TH_FIN))
				enter_time_wait(p, now);
			tcp_send_ack(p, now);
			return;
		}
	}
	tcp_ts_recent(p, &s->opt, s->seq, now); /* RFC 7323 §4.3 */
	/* Trim to the window. */
	if (SEQ_LT(s->seq, p->rcv_nxt)) {
		d = p->rcv_nxt - s->seq;
		if (d >= s->len) {
			if (d > s->len)
				s->flags &= (uint8_t)~TH_FIN;
			s->data += s->len;
			s->len = 0;
		} else {
			s->data += d;
			s->len -= d;
		}
		s->seq = p->rcv_nxt;
		p->ack_now = 1;
	}
	if (SEQ_GT(s->seq + s->len, p->rcv_nxt + wnd)) {
		s->len = p->rcv_nxt + wnd - s->seq;
		s->flags &= (uint8_t)~TH_FIN;
	}
	/* Fifth: ACK. */
	if (!(s->flags & TH_ACK))
		return;
	if (p->state == TCP_SYN_RECEIVED) {
		struct tcp_pcb *l = p->parent;

		if (!SEQ_GT(s->ack, p->snd_una) || SEQ_GT(s->ack, p->snd_max)) {
			tcp_send_raw(ih->daddr, ih->saddr, th->dest, th->source,
				     s->ack, 0, TH_RST, now);
			return;
		}
		p->state = p->fin_queued ? TCP_FIN_WAIT_1 : TCP_ESTABLISHED;
		set_wnd(p, s);
		if (l && p->embryonic) {
			struct tcp_pcb **pp = &l->accq;

			p->embryonic = 0;
			l->nsyn--;
			while (*pp)
				pp = &(*pp)->aq_next;
			*pp = p;
			l->nacc++;
			tcp_notify(l, TCP_EV_READABLE, 0);
		} else {
			tcp_notify(p, TCP_EV_CONNECTED | TCP_EV_WRITABLE, 0);
		}
	}
	if (SEQ_GT(s->ack, p->snd_max) ||
	    SEQ_LT(s->ack, p->snd_una - p->max_snd_wnd)) {
		tcp_challenge_ack(p, now); /* RFC 5961 §5.2 */
		return;
	}
	if (p->sack_ok && s->opt.nsack)
		tcp_sack_input(p, &s->opt, s->ack);
	tcp_keep_ack(p, s->ack, now); /* keepalive, TCP_INFO */
	if (SEQ_GT(s->ack, p->snd_una)) {
		uint32_t acked = s->ack - p->snd_una;

		ack_advance(p, s->ack, now);
		tcp_cc_ack(p, acked, now);
	} else if (s->ack == p->snd_una && !s->len &&
		   !(s->flags & (TH_SYN | TH_FIN)) && p->snd_una != p->snd_max &&
		   s->wnd << p->snd_ws == p->snd_wnd) {
		tcp_cc_dupack(p, now);
	}
	if (SEQ_LT(p->snd_wl1, s->seq) ||
	    (p->snd_wl1 == s->seq && SEQ_LEQ(p->snd_wl2, s->ack)))
		set_wnd(p, s);
	if (fin_acked(p)) {
		if (p->state == TCP_FIN_WAIT_1) {
			p->state = TCP_FIN_WAIT_2;
			tcp_notify(p, TCP_EV_ACKED, 0); /* SO_LINGER */
			if (p->orphan) {
				p->tw_at = now + 2 * tcp_cfg.msl_ns;
				tcp_arm(p, p->tw_at);
			}
		} else if (p->state == TCP_CLOSING) {
			tcp_notify(p, TCP_EV_ACKED, 0);
			enter_time_wait(p, now);
		} else if (p->state == TCP_LAST_ACK) {
			tcp_fail(p, 0);
			return;
		}
	}
	/* Seventh: text. New data for a closed socket (an orphan past its
	 * FIN) cannot be read: reset, as Linux (tcp_rcv_state_process). */
	if (p->orphan && s->len && SEQ_GT(s->seq + s->len, p->rcv_nxt) &&
	    (p->state == TCP_FIN_WAIT_1 || p->state == TCP_FIN_WAIT_2)) {
		tcp_send_raw(p->laddr, p->raddr, p->lport, p->rport, p->snd_nxt,
			     0, TH_RST, now);
		tcp_fail(p, ECONNRESET); /* frees the orphan */
		return;
	}
	old_nxt = p->rcv_nxt;
	if (s->len && (p->state == TCP_ESTABLISHED || p->state == TCP_FIN_WAIT_1 ||
		       p->state == TCP_FIN_WAIT_2)) {
		int hole = p->nooo || s->seq != p->rcv_nxt;

		rcv_data(p, s->seq, s->data, s->len);
		tcp_delack_data(p, s->len, hole, now); /* ACK now or soon */
	}
	/* Eighth: FIN, now or once the data before it arrives. */
	if ((s->flags & TH_FIN) && p->state != TCP_CLOSE_WAIT &&
	    p->state != TCP_CLOSING && p->state != TCP_LAST_ACK) {
		uint32_t f = s->seq + s->len;

		if (f == p->rcv_nxt) {
			rcv_fin(p, now);
		} else if (SEQ_GT(f, p->rcv_nxt)) {
			p->ooo_fin = f;
			p->ooo_fin_ok = 1;
			p->ack_now = 1;
		} else if (p->state == TCP_TIME_WAIT) {
			enter_time_wait(p, now);
			p->ack_now = 1;
		}
	} else if (p->ooo_fin_ok && p->ooo_fin == p->rcv_nxt && !p->rcv_fin) {
		rcv_fin(p, now);
	}
	if (p->rcv_nxt != old_nxt && !p->rcv_fin)
		tcp_notify(p, TCP_EV_READABLE, 0);
	tcp_output(p, now);
}

void tcp_input(struct netif *nif, struct netbuf *nb, uint64_t now)
{
	const struct ip4_hdr *ih = (const struct ip4_hdr *)nb->data;
	const struct tcp_hdr *th;
	struct tcp_pcb *p;
	struct seg s = { .ws = -1 };
	uint32_t tlen, hl = nb->l4, sum;
	uint16_t w[2];

	(void)nif;
	if (hl < sizeof(*ih) || nb->len < hl + sizeof(*th))
		goto out;
	th = (const struct tcp_hdr *)(nb->data + hl);
	tlen = nb->len - hl;
	if (ip4_is_multicast(ih->daddr) || ih->daddr == IP4_BROADCAST ||
	    ip4_is_multicast(ih->saddr) || ih->saddr == IP4_BROADCAST)
		goto out;
	w[0] = net16(IPPROTO_TCP_);
	w[1] = net16((uint16_t)tlen);
	sum = inet_csum_add(0, &ih->saddr, 4);
	sum = inet_csum_add(sum, &ih->daddr, 4);
	sum = inet_csum_add(sum, w, 4);
	if (inet_csum_fold(inet_csum_add(sum, th, tlen)) != 0)
		goto out;
	if ((th->off >> 4) < 5 || (uint32_t)(th->off >> 4) * 4 > tlen)
		goto out;
	s.seq = net32(th->seq);
	s.ack = net32(th->ack);
	s.flags = th->flags & 0x3f;
	s.wnd = net16(th->window);
	s.data = (const uint8_t *)th + (th->off >> 4) * 4;
	s.len = tlen - (th->off >> 4) * 4;
	parse_opts((const uint8_t *)(th + 1), (th->off >> 4) * 4 - sizeof(*th), &s);
	if (!th->dest || !th->source)
		goto out;
	p = lookup(ih->daddr, th->dest, ih->saddr, th->source);
	if (p && tw_new_syn(p, &s)) {
		tcp_free(p); /* the old incarnation yields to the new one */
		p = lookup(ih->daddr, th->dest, ih->saddr, th->source);
	}
	if (!p) { /* closed port (RFC 9293 §3.10.7.1) */
		if (s.flags & TH_RST)
			goto out;
		if (s.flags & TH_ACK)
			tcp_send_raw(ih->daddr, ih->saddr, th->dest, th->source,
				     s.ack, 0, TH_RST, now);
		else
			tcp_send_raw(ih->daddr, ih->saddr, th->dest, th->source, 0,
				     s.seq + s.len + !!(s.flags & TH_SYN) +
				     !!(s.flags & TH_FIN), TH_RST | TH_ACK, now);
		goto out;
	}
	if (p->state == TCP_LISTEN)
		listen_input(p, ih, th, &s, now);
	else if (p->state == TCP_SYN_SENT)
		syn_sent_input(p, ih, th, &s, now);
	else
		sync_input(p, ih, th, &s, now);
out:
	netbuf_put(nb);
}
