/*
 * tcp_opt.c - TCP options: parsing an arriving segment's options (robust
 * to garbage: a bad length ends the parse, SYN-only options are ignored
 * elsewhere), writing ours (MSS, SACK-permitted, timestamps, window scale
 * on SYNs; timestamps and SACK blocks on the rest), and RFC 7323
 * timestamps: negotiation, TS.Recent and Last.ACK.sent (§4.3), PAWS (§5)
 * with the 24-day idle rule (§5.5), and RTTM (§4.1) in place of Karn's
 * one-timed-segment sampling.
 *
 * Layer: kernel net, pure (time passed in). Called by tcp_in.c (parse,
 * SYN negotiation, PAWS, TS.Recent, RTT) and tcp_out.c (write).
 */
#include <string.h>
#include <uni/random.h>
#include "tcp_priv.h"

int tcp_do_ts = 1, tcp_do_sack = 1;

static uint32_t get32(const uint8_t *v)
{
	return (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
}

static uint8_t *put32(uint8_t *o, uint32_t x)
{
	o[0] = (uint8_t)(x >> 24);
	o[1] = (uint8_t)(x >> 16);
	o[2] = (uint8_t)(x >> 8);
	o[3] = (uint8_t)x;
	return o + 4;
}

void tcp_opt_parse(const uint8_t *o, unsigned n, int syn, struct tcp_opts *out)
{
	unsigned i = 0;

	memset(out, 0, sizeof(*out));
	out->ws = -1;
	while (i < n) {
		uint8_t k = o[i], l;
		const uint8_t *v = o + i + 2;

		if (k == TCPOPT_EOL)
			break;
		if (k == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= n || (l = o[i + 1]) < 2 || l > n - i)
			break; /* truncated or a bad length: the rest is unreadable */
		switch (k) {
		case TCPOPT_MSS:
			if (syn && l == 4)
				out->mss = (uint16_t)(v[0] << 8 | v[1]);
			break;
		case TCPOPT_WS:
			if (syn && l == 3)
				out->ws = (int8_t)(v[0] > TCP_MAX_WS ? TCP_MAX_WS : v[0]);
			break;
		case TCPOPT_SACK_PERM:
			if (syn && l == 2)
				out->sack_perm = 1;
			break;
		case TCPOPT_TS:
			if (l == 10) {
				out->ts = 1;
				out->tsval = get32(v);
				out->tsecr = get32(v + 4);
			}
			break;
		case TCPOPT_SACK: /* RFC 2018 §3: 8 bytes a block */
			if (syn || l < 10 || (l - 2) % 8)
				break;
			for (unsigned b = 0; b < (l - 2u) / 8 && out->nsack < TCP_SACK_RCV_MAX;
			     b++) {
				out->sack[out->nsack].start = get32(v + 8 * b);
				out->sack[out->nsack].end = get32(v + 8 * b + 4);
				out->nsack++;
			}
			break;
		}
		i += l;
	}
}

uint32_t tcp_ts_now(const struct tcp_pcb *p, uint64_t now)
{
	return (uint32_t)(now / 1000000) + p->ts_off; /* 1 ms ticks (§5.4) */
}

static uint8_t *put_ts(struct tcp_pcb *p, uint8_t *o, uint64_t now)
{
	*o++ = TCPOPT_TS;
	*o++ = 10;
	o = put32(o, tcp_ts_now(p, now));
	return put32(o, p->ts_recent); /* 0 in our first SYN (§3.2) */
}

unsigned tcp_opt_write(struct tcp_pcb *p, uint8_t flags, uint32_t len,
		       uint8_t *o, uint64_t now)
{
	uint8_t *w = o;

	if (flags & TH_ACK)
		p->ts_last_ack = p->rcv_nxt; /* Last.ACK.sent */
	if (flags & TH_SYN) {
		/* Offer in our SYN; in a SYN-ACK only what the peer offered. */
		int offer = p->state == TCP_SYN_SENT;
		int ts = tcp_do_ts && (offer || p->ts_ok);
		int sp = tcp_do_sack && (offer || p->sack_ok);
		uint16_t mss = tcp_route_mss(p->raddr); /* what we can take */

		if (!p->ts_off_set) { /* a random clock origin per connection */
			random_bytes(&p->ts_off, sizeof(p->ts_off));
			p->ts_off_set = 1;
		}
		*w++ = TCPOPT_MSS;
		*w++ = 4;
		*w++ = (uint8_t)(mss >> 8);
		*w++ = (uint8_t)mss;
		if (sp && ts) { /* Linux's layout: MSS, SACK-perm, TS, NOP, WS */
			*w++ = TCPOPT_SACK_PERM;
			*w++ = 2;
			w = put_ts(p, w, now);
		} else if (sp) {
			*w++ = TCPOPT_NOP;
			*w++ = TCPOPT_NOP;
			*w++ = TCPOPT_SACK_PERM;
			*w++ = 2;
		} else if (ts) {
			*w++ = TCPOPT_NOP;
			*w++ = TCPOPT_NOP;
			w = put_ts(p, w, now);
		}
		if (offer || p->ws_ok) {
			*w++ = TCPOPT_NOP;
			*w++ = TCPOPT_WS;
			*w++ = 3;
			*w++ = p->rcv_ws;
		}
		return (unsigned)(w - o);
	}
	if (p->ts_ok) { /* every non-RST segment (§3.2) */
		*w++ = TCPOPT_NOP;
		*w++ = TCPOPT_NOP;
		w = put_ts(p, w, now);
	}
	if (p->sack_ok && p->nooo && (flags & TH_ACK)) {
		/* Blocks that fit in 40 bytes and, with data, in the segment
		 * size the MSS allows (RFC 6691). */
		uint32_t st[TCP_SACK_RCV_MAX], en[TCP_SACK_RCV_MAX];
		uint32_t used = (uint32_t)(w - o), room = 40 - used;
		uint32_t budget = p->mss + (p->ts_ok ? 12u : 0u);
		int nb, i;

		if (len && budget < len + used + room)
			room = budget > len + used ? budget - len - used : 0;
		if (room >= 12) {
			nb = tcp_sack_blocks(p, st, en, (int)(room - 4) / 8);
			if (nb) {
				*w++ = TCPOPT_NOP;
				*w++ = TCPOPT_NOP;
				*w++ = TCPOPT_SACK;
				*w++ = (uint8_t)(2 + 8 * nb);
				for (i = 0; i < nb; i++) {
					w = put32(w, st[i]);
					w = put32(w, en[i]);
				}
			}
		}
	}
	return (unsigned)(w - o);
}

void tcp_opt_syn(struct tcp_pcb *p, const struct tcp_opts *o, uint64_t now)
{
	p->ts_ok = tcp_do_ts && o->ts;
	p->sack_ok = tcp_do_sack && o->sack_perm;
	p->ts_ecr = 0;
	if (!p->ts_ok)
		return;
	p->ts_recent = o->tsval;
	p->ts_recent_at = now;
	p->ts_ecr = o->tsecr; /* a SYN-ACK echoes our SYN: the first RTT */
	if (p->mss > 64 + 12)
		p->mss -= 12; /* every segment carries the 12-byte TSopt */
}

int tcp_ts_reject(struct tcp_pcb *p, const struct tcp_opts *o, uint8_t flags,
		  uint64_t now)
{
	p->ts_ecr = 0;
	if (!p->ts_ok)
		return 0;
	if (!o->ts) /* §3.2: SHOULD silently drop; an RST is accepted */
		return !(flags & TH_RST);
	if (flags & TH_ACK)
		p->ts_ecr = o->tsecr;
	if (flags & TH_RST)
		return 0; /* §5.3 R1 checks non-RST segments only */
	if ((int32_t)(o->tsval - p->ts_recent) < 0 &&
	    now - p->ts_recent_at <= TCP_TS_IDLE) {
		p->ts_ecr = 0;
		tcp_send_ack(p, now); /* R1: old duplicate, ACK and drop */
		return 1;
	}
	return 0;
}

void tcp_ts_recent(struct tcp_pcb *p, const struct tcp_opts *o, uint32_t seq,
		   uint64_t now)
{
	if (!p->ts_ok || !o->ts || SEQ_GT(seq, p->ts_last_ack))
		return;
	if ((int32_t)(o->tsval - p->ts_recent) >= 0 ||
	    now - p->ts_recent_at > TCP_TS_IDLE) {
		p->ts_recent = o->tsval;
		p->ts_recent_at = now;
	}
}

void tcp_ts_rtt(struct tcp_pcb *p, uint64_t now)
{
	uint32_t d = tcp_ts_now(p, now) - p->ts_ecr;

	if (!p->ts_ecr) /* none, or a peer that echoes 0 (as Linux, ignored) */
		return;
	p->rtt_active = 0;
	if ((int32_t)d < 0 || d > TCP_RTO_MAX / 1000000)
		return; /* an echo of something we never sent */
	tcp_rtt_sample(p, (uint64_t)d * 1000000);
}
