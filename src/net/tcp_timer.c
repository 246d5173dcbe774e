/*
 * tcp_timer.c - TCP timers: RFC 6298 RTT estimation (SRTT/RTTVAR, 1 ms
 * granularity, Linux's 200 ms floor), the retransmission timeout with
 * Karn's rule, exponential backoff and one segment resent per expiry,
 * zero-window probes on the persist timer, TIME-WAIT / orphaned
 * FIN-WAIT-2 expiry, giving up with ETIMEDOUT; and congestion control
 * (RFC 5681 slow start and avoidance with RFC 6928's initial window,
 * fast retransmit on three duplicate ACKs, NewReno recovery, RFC 6582;
 * with SACK, RFC 6675 recovery in tcp_sack.c instead).
 *
 * Layer: kernel net, pure (time passed in). tcp_timers() is for the stack
 * timer (glue.c, once wired); tcp_rtt_sample and tcp_cc_* for tcp_in.c.
 */
#include <errno.h>
#include "tcp_priv.h"

/* RFC 6298 §2: a new RTT measurement r. */
void tcp_rtt_sample(struct tcp_pcb *p, uint64_t r)
{
	uint64_t k;

	if (!p->srtt) {
		p->srtt = r ? r : 1;
		p->rttvar = r / 2;
	} else {
		uint64_t d = p->srtt > r ? p->srtt - r : r - p->srtt;
		p->rttvar = (3 * p->rttvar + d) / 4;
		p->srtt = (7 * p->srtt + r) / 8;
	}
	k = 4 * p->rttvar;
	if (k < 1000000) /* G: 1 ms */
		k = 1000000;
	p->rto = p->srtt + k;
	if (p->rto < TCP_RTO_MIN)
		p->rto = TCP_RTO_MIN;
	if (p->rto > TCP_RTO_MAX)
		p->rto = TCP_RTO_MAX;
}

/* The retransmission (or persist) timer expired. 1 if p was freed. */
static int rto_expired(struct tcp_pcb *p, uint64_t now)
{
	int limit = p->state <= TCP_SYN_RECEIVED ? tcp_cfg.syn_retries : tcp_cfg.retries;

	if (p->snd_una == p->snd_max) { /* persist: probe the zero window */
		p->persist = 1;
		p->rto = p->rto * 2 > TCP_RTO_MAX ? TCP_RTO_MAX : p->rto * 2;
		tcp_output(p, now);
		return 0;
	}
	if (++p->retries > limit)
		return tcp_fail(p, ETIMEDOUT);
	p->rto = p->rto * 2 > TCP_RTO_MAX ? TCP_RTO_MAX : p->rto * 2; /* (5.5) */
	p->rtt_active = 0;                                             /* Karn */
	tcp_cc_timeout(p);
	p->snd_nxt = p->snd_una;                                       /* (5.4) */
	p->rtx_one = 1; /* one segment; the rest follows the ACKs */
	if (p->snd_wnd == 0 && p->snd_nxt - p->data_seq < p->sbuf_len)
		p->persist = 1;
	tcp_output(p, now);
	if (p->snd_una != p->snd_max && !p->rto_at) {
		p->rto_at = now + p->rto;
		tcp_arm(p, p->rto_at);
	}
	return 0;
}

uint64_t tcp_timers(uint64_t now)
{
	uint64_t next = 0;
	struct tcp_pcb *p, *nx;

	for (p = tcp_pcbs; p; p = nx) {
		nx = p->next;
		if (p->tw_at && now >= p->tw_at) {
			p->tw_at = 0;
			if (tcp_fail(p, 0))
				continue;
		}
		if (p->rto_at && now >= p->rto_at) {
			p->rto_at = 0;
			if (rto_expired(p, now))
				continue;
		}
		if (tcp_keep_timers(p, now)) /* delayed ACK, keepalive */
			continue;
		next = net_min_deadline(next, tcp_keep_next(p));
		next = net_min_deadline(next, p->rto_at);
		next = net_min_deadline(next, p->tw_at);
	}
	return next;
}

/* ---- congestion control: RFC 5681 with NewReno (RFC 6582) ------------- */

static uint32_t max32(uint32_t a, uint32_t b) { return a > b ? a : b; }

/* Once the MSS is known: the initial window of RFC 6928. */
void tcp_cc_init(struct tcp_pcb *p)
{
	p->cwnd = tcp_min32(10u * p->mss, max32(2u * p->mss, 14600));
	p->ssthresh = 0xffffffffu; /* "arbitrarily high" */
	p->dupacks = p->in_recovery = 0;
}

/* SND.UNA advanced by acked bytes. */
void tcp_cc_ack(struct tcp_pcb *p, uint32_t acked, uint64_t now)
{
	if (p->sack_ok && tcp_sack_cc_ack(p, now))
		return; /* RFC 6675 recovery (tcp_sack.c) */
	p->dupacks = 0;
	if (p->in_recovery) {
		if (SEQ_GEQ(p->snd_una, p->recover)) { /* full ACK: deflate */
			p->cwnd = p->ssthresh;
			p->in_recovery = 0;
		} else { /* partial ACK: the next hole, at once (RFC 6582 §3.2) */
			tcp_retransmit_first(p, now);
			p->cwnd = p->cwnd > acked ? p->cwnd - acked : 0;
			if (acked >= p->mss)
				p->cwnd += p->mss;
			p->cwnd = max32(p->cwnd, p->mss);
			p->dupacks = 3;
		}
		return;
	}
	if (p->cwnd < p->ssthresh)
		p->cwnd += tcp_min32(acked, p->mss);           /* slow start */
	else
		p->cwnd += max32(1, (uint32_t)p->mss * p->mss / p->cwnd); /* avoidance */
	if (p->cwnd > (1u << 30))
		p->cwnd = 1u << 30;
}

/* A duplicate ACK (RFC 5681 §2): the third starts fast retransmit. */
void tcp_cc_dupack(struct tcp_pcb *p, uint64_t now)
{
	uint32_t flight = p->snd_max - p->snd_una;

	if (p->sack_ok) {
		tcp_sack_dupack(p, now); /* RFC 6675 (tcp_sack.c) */
		return;
	}
	if (++p->dupacks == 3 && !p->in_recovery) {
		p->ssthresh = max32(flight / 2, 2u * p->mss);
		p->recover = p->snd_max;
		p->in_recovery = 1;
		tcp_retransmit_first(p, now);
		p->cwnd = p->ssthresh + 3u * p->mss;
	} else if (p->dupacks > 3 && p->in_recovery) {
		p->cwnd += p->mss; /* inflate: a segment left the network */
	}
}

/* The retransmission timer expired (RFC 5681 (4), RFC 6582 §3.2 (6)). */
void tcp_cc_timeout(struct tcp_pcb *p)
{
	uint32_t flight = p->snd_max - p->snd_una;

	tcp_sack_reset(p); /* RFC 2018 §8: SACKed data may be reneged */
	p->sack_after_rto = p->sack_ok;
	if (!p->mss)
		return;
	p->ssthresh = max32(flight / 2, 2u * p->mss);
	p->cwnd = p->mss;
	p->recover = p->snd_max;
	p->in_recovery = 0;
	p->dupacks = 0;
}
