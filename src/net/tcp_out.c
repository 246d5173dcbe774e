/*
 * tcp_out.c - TCP segment output: segments built from a pcb's send ring
 * (segmented by MSS, within the peer's window, PSH on the last, FIN after
 * the data, options from tcp_opt.c), pure ACKs and
 * challenge ACKs, RSTs without a pcb, the checksum with the pseudo-header,
 * and the hand-off to ip4_output (or the tests' tcp_xmit_hook). Arms the
 * retransmission and persist timers (tcp_timer.c runs them).
 *
 * Layer: kernel net, pure (time passed in). Called by tcp.c, tcp_in.c
 * and tcp_timer.c.
 */
#include <string.h>
#include "tcp_priv.h"

/* ---- output ----------------------------------------------------------- */

static uint32_t pseudo_sum(uint32_t src, uint32_t dst, unsigned len)
{
	uint32_t s = inet_csum_add(0, &src, 4);
	uint16_t w[2] = { net16(IPPROTO_TCP_), net16((uint16_t)len) };

	s = inet_csum_add(s, &dst, 4);
	return inet_csum_add(s, w, 4);
}

/* Checksum and send nb (data at the TCP header); always consumes. */
static void xmit(struct netbuf *nb, uint32_t src, uint32_t dst, uint64_t now)
{
	struct tcp_hdr *th = (struct tcp_hdr *)nb->data;
	int err;

	th->check = 0;
	th->check = inet_csum_fold(inet_csum_add(pseudo_sum(src, dst, nb->len),
						 nb->data, nb->len));
	if (tcp_xmit_hook) {
		err = tcp_xmit_hook(nb, src, dst, now);
	} else {
		struct ip4_out o = { .src = src, .dst = dst, .proto = IPPROTO_TCP_,
				     .ttl = 64, .df = 1 };
		err = ip4_output(nb, &o, now);
	}
	if (err)
		netbuf_put(nb);
}

/* A segment without a pcb (RST for a closed port, RFC 9293 §3.10.7.1). */
void tcp_send_raw(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		  uint32_t seq, uint32_t ack, uint8_t flags, uint64_t now)
{
	struct netbuf *nb = netbuf_alloc(0);
	struct tcp_hdr *th;

	if (!nb || !(th = (struct tcp_hdr *)netbuf_push(nb, sizeof(*th)))) {
		if (nb)
			netbuf_put(nb);
		return;
	}
	memset(th, 0, sizeof(*th));
	th->source = sport;
	th->dest = dport;
	th->seq = net32(seq);
	th->ack = net32(ack);
	th->off = 5 << 4;
	th->flags = flags;
	xmit(nb, src, dst, now);
}

/* The window to advertise, in bytes (free receive room). */
uint32_t tcp_rcv_wnd(const struct tcp_pcb *p)
{
	return p->rbuf_max - p->rbuf_len;
}

/* One segment from pcb: seq, flags, len bytes of the send ring at ring
 * offset off (from sbuf_off). */
static void emit(struct tcp_pcb *p, uint32_t seq, uint8_t flags, uint32_t off,
		 uint32_t len, uint64_t now)
{
	uint8_t opts[40];
	unsigned optlen = tcp_opt_write(p, flags, len, opts, now);
	struct netbuf *nb = netbuf_alloc(len + optlen);
	struct tcp_hdr *th;
	uint32_t wnd = tcp_rcv_wnd(p);

	if (!nb)
		return; /* the retransmission timer recovers */
	if (len) {
		uint32_t pos = (p->sbuf_off + off) % p->sbuf_size;
		uint32_t first = tcp_min32(len, p->sbuf_size - pos);
		uint8_t *d = netbuf_append(nb, len);
		memcpy(d, p->sbuf + pos, first);
		memcpy(d + first, p->sbuf, len - first);
	}
	if (optlen)
		memcpy(netbuf_push(nb, optlen), opts, optlen);
	th = (struct tcp_hdr *)netbuf_push(nb, sizeof(*th));
	memset(th, 0, sizeof(*th));
	th->source = p->lport;
	th->dest = p->rport;
	th->seq = net32(seq);
	if (flags & TH_ACK)
		th->ack = net32(p->rcv_nxt);
	th->off = (uint8_t)((5 + optlen / 4) << 4);
	th->flags = flags;
	if (flags & TH_SYN) {
		wnd = tcp_min32(wnd, 65535); /* never scaled in a SYN (RFC 7323 §2.2) */
	} else {
		wnd >>= p->rcv_ws;
		wnd = tcp_min32(wnd, 65535);
		p->rcv_adv = wnd << p->rcv_ws;
	}
	if (flags & TH_SYN)
		p->rcv_adv = wnd;
	th->window = net16((uint16_t)wnd);
	if (flags & TH_ACK)
		p->ack_now = 0;
	tcp_keep_emit(p, seq, flags, len, now); /* delayed ACK, Nagle, TCP_INFO */
	xmit(nb, p->laddr, p->raddr, now);
}

/* A bare ACK's sequence number: SND.NXT, unless that is past the peer's
 * window (a zero-window probe byte, a window the peer shrank); then the
 * window's right edge, so the peer finds it acceptable and does not
 * answer it (RFC 9293 §3.10.7.4) - two peers answering each other's
 * unacceptable ACKs would trade them for ever. */
void tcp_send_ack(struct tcp_pcb *p, uint64_t now)
{
	uint32_t edge = p->snd_una + p->snd_wnd;

	emit(p, SEQ_GT(p->snd_nxt, edge) ? edge : p->snd_nxt, TH_ACK, 0, 0, now);
}

/* A challenge ACK (RFC 5961 §3.2, §4.2, §5.2). */
void tcp_challenge_ack(struct tcp_pcb *p, uint64_t now)
{
	tcp_send_ack(p, now);
}

void tcp_arm(struct tcp_pcb *p, uint64_t deadline)
{
	(void)p;
	net_timer_arm(deadline);
}

/* Send what the state, the windows and the buffer allow. */
void tcp_output(struct tcp_pcb *p, uint64_t now)
{
	int force = p->persist, one = p->rtx_one;

	p->persist = p->rtx_one = 0;
	if (p->state == TCP_SYN_SENT || p->state == TCP_SYN_RECEIVED) {
		if (p->snd_nxt == p->iss) {
			if (!p->rtt_active && p->snd_max == p->iss) {
				p->rtt_active = 1;
				p->rtt_seq = p->iss;
				p->rtt_ts = now;
			}
			emit(p, p->iss, p->state == TCP_SYN_SENT ? TH_SYN : TH_SYN | TH_ACK,
			     0, 0, now);
			p->snd_nxt = p->iss + 1;
			if (SEQ_GT(p->snd_nxt, p->snd_max))
				p->snd_max = p->snd_nxt;
		}
	} else if (p->state != TCP_CLOSED && p->state != TCP_LISTEN &&
		   p->state != TCP_TIME_WAIT && p->state != TCP_FIN_WAIT_2) {
		for (;;) {
			uint32_t off = p->snd_nxt - p->data_seq;
			uint32_t edge = p->snd_una + tcp_min32(p->snd_wnd, p->cwnd);
			uint32_t usable, n = 0;
			uint8_t flags = TH_ACK;

			usable = SEQ_GT(edge, p->snd_nxt) ? edge - p->snd_nxt : 0;
			if (p->sack_ok && p->in_recovery)
				usable = tcp_sack_usable(p); /* RFC 6675: pipe */
			if (force && !p->snd_wnd)
				usable = 1; /* zero-window probe */
			if (off < p->sbuf_len)
				n = tcp_min32(tcp_min32(p->sbuf_len - off, p->mss), usable);
			if (p->fin_queued && off + n == p->sbuf_len &&
			    (n || off == p->sbuf_len))
				flags |= TH_FIN;
			else if (!n)
				break;
			else if (!force && tcp_nagle(p, off, n))
				break; /* Nagle, SWS avoidance (tcp_keep.c) */
			if (n && off + n == p->sbuf_len)
				flags |= TH_PSH;
			if (!p->rtt_active && p->snd_nxt == p->snd_max) {
				p->rtt_active = 1; /* time one segment per RTT */
				p->rtt_seq = p->snd_nxt;
				p->rtt_ts = now;
			}
			emit(p, p->snd_nxt, flags, off, n, now);
			p->snd_nxt += n + !!(flags & TH_FIN);
			if (SEQ_GT(p->snd_nxt, p->snd_max))
				p->snd_max = p->snd_nxt;
			force = 0;
			if ((flags & TH_FIN) || one)
				break;
		}
	}
	if (p->ack_now && p->state != TCP_CLOSED && p->state != TCP_LISTEN &&
	    p->state != TCP_SYN_SENT)
		tcp_send_ack(p, now);
	/* Retransmission timer while data is out; persist timer when the
	 * peer's window is shut with data waiting. */
	if (p->snd_una != p->snd_max) {
		if (!p->rto_at) {
			p->rto_at = now + p->rto;
			tcp_arm(p, p->rto_at);
		}
	} else if ((p->snd_nxt - p->data_seq < p->sbuf_len) && !p->snd_wnd &&
		   p->state >= TCP_ESTABLISHED) {
		if (!p->rto_at) {
			p->rto_at = now + p->rto;
			tcp_arm(p, p->rto_at);
		}
	} else {
		p->rto_at = 0;
	}
}

/* Send the first unacknowledged segment again (fast retransmit, NewReno
 * partial ACKs), leaving SND.NXT where it is. */
void tcp_retransmit_first(struct tcp_pcb *p, uint64_t now)
{
	uint32_t off = p->snd_una - p->data_seq, n = 0;
	uint8_t flags = TH_ACK;

	if (off < p->sbuf_len)
		n = tcp_min32(p->sbuf_len - off, p->mss);
	if (p->fin_queued && off + n == p->sbuf_len)
		flags |= TH_FIN;
	else if (!n)
		return;
	p->rtt_active = 0; /* Karn */
	emit(p, p->snd_una, flags, off, n, now);
}

/* Up to max bytes (and an MSS) from seq, SND.NXT left alone unless seq
 * is SND.NXT (then it is new data): SACK holes, RFC 6675 recovery. */
uint32_t tcp_send_at(struct tcp_pcb *p, uint32_t seq, uint32_t max, uint64_t now)
{
	uint32_t off = seq - p->data_seq, n = 0;
	uint8_t flags = TH_ACK;

	if (off < p->sbuf_len)
		n = tcp_min32(tcp_min32(p->sbuf_len - off, p->mss), max);
	if (p->fin_queued && off + n == p->sbuf_len)
		flags |= TH_FIN;
	else if (!n)
		return 0;
	emit(p, seq, flags, off, n, now);
	n += !!(flags & TH_FIN);
	if (seq == p->snd_nxt)
		p->snd_nxt += n;
	if (SEQ_GT(p->snd_nxt, p->snd_max))
		p->snd_max = p->snd_nxt;
	return n;
}
