/*
 * tcp_keep.c - TCP's small timers and policies beside the state machine:
 * delayed ACKs (RFC 1122 §4.2.3.2, RFC 5681 §4.2: an ACK for every
 * second full-sized segment, else within 40 ms as Linux's ATO minimum;
 * TCP_QUICKACK), Nagle's algorithm with Minshall's refinement as Linux
 * and sender silly-window avoidance (RFC 896, RFC 1122 §4.2.3.4;
 * TCP_NODELAY), keepalive probes (RFC 1122 §4.2.3.6: SO_KEEPALIVE,
 * TCP_KEEPIDLE/INTVL/CNT with Linux's defaults and ranges, ETIMEDOUT and
 * a RST after the last unanswered probe), the "all sent and acked" query
 * SO_LINGER waits on, option inheritance, and TCP_INFO (Linux's struct).
 *
 * Layer: kernel net, pure (time passed in). Called by tcp_in.c (data and
 * ACK arrival), tcp_out.c (each segment sent, Nagle), tcp_timer.c (the
 * timers) and af_inet_tcp.c (the options).
 */
#include <errno.h>
#include <string.h>
#include "tcp_info.h"
#include "tcp_priv.h"

#define NS_PER_SEC 1000000000ull

static const int keep_max[3] = { 32767, 32767, 127 }; /* Linux's MAX_TCP_KEEP* */
static const int keep_def[3] = { TCP_KEEPIDLE_DEF, TCP_KEEPINTVL_DEF,
				 TCP_KEEPCNT_DEF };

static uint32_t keep_val(const struct tcp_pcb *p, int which)
{
	uint32_t v = which == 0 ? p->ka_idle : which == 1 ? p->ka_intvl : p->ka_cnt;

	return v ? v : (uint32_t)keep_def[which];
}

/* States where a segment from us may carry an ACK of data. */
static int synced(const struct tcp_pcb *p)
{
	return p->state >= TCP_ESTABLISHED && p->state != TCP_TIME_WAIT;
}

/* ---- delayed ACK ------------------------------------------------------ */

void tcp_delack_data(struct tcp_pcb *p, uint32_t len, int ooo, uint64_t now)
{
	if (!p->rcv_mss) /* Linux starts from min(advmss, 536) and grows */
		p->rcv_mss = (uint16_t)tcp_min32(TCP_DEFAULT_MSS, p->mss);
	if (len > p->rcv_mss)
		p->rcv_mss = (uint16_t)tcp_min32(len, 65535);
	p->last_data_rcv = now;
	p->data_segs_in++;
	p->bytes_rcvd += len;
	if (ooo && p->nooo)
		p->ooo_segs++;
	/* More than one full-sized segment unacknowledged: ACK (Linux's
	 * __tcp_ack_snd_check), as for holes and TCP_QUICKACK; and when the
	 * window closes below a segment, so the sender learns it at once. */
	if (ooo || p->quick || p->rcv_nxt - p->rcv_acked > p->rcv_mss ||
	    tcp_rcv_wnd(p) < p->rcv_mss) {
		p->ack_now = 1;
		return;
	}
	if (!p->delack_at) {
		p->delack_at = now + TCP_DELACK_NS;
		tcp_arm(p, p->delack_at);
	}
}

void tcp_keep_emit(struct tcp_pcb *p, uint32_t seq, uint8_t flags,
		   uint32_t len, uint64_t now)
{
	p->segs_out++;
	if (flags & TH_SYN)
		p->snd_sml = seq; /* no small segment out yet */
	if (flags & TH_ACK) { /* piggybacked or not: nothing to delay now */
		p->rcv_acked = p->rcv_nxt;
		p->delack_at = 0;
		if (p->quick)
			p->quick--;
	}
	if (!len && !(flags & (TH_SYN | TH_FIN)))
		return;
	if (SEQ_LT(seq, p->snd_max)) {
		p->total_retrans++;
		p->rtx_out++;
		p->bytes_retrans += len;
	}
	if (len) {
		p->data_segs_out++;
		p->bytes_sent += len;
		p->last_data_snd = now;
		if (len < p->mss)
			p->snd_sml = seq + len;
	}
}

void tcp_keep_ack(struct tcp_pcb *p, uint32_t ack, uint64_t now)
{
	p->last_rcv = now;
	p->segs_in++;
	p->ka_probes = 0; /* the peer is there */
	if (SEQ_GT(ack, p->snd_una))
		p->bytes_acked += ack - p->snd_una;
	if (SEQ_GEQ(ack, p->snd_max))
		p->rtx_out = 0;
}

void tcp_pcb_quickack(struct tcp_pcb *p, int on, uint64_t now)
{
	p->quick = on ? TCP_MAX_QUICKACKS : 0;
	if (on && p->delack_at && synced(p))
		tcp_send_ack(p, now);
}

/* ---- Nagle ------------------------------------------------------------ */

int tcp_nagle(const struct tcp_pcb *p, uint32_t off, uint32_t n)
{
	if (n >= p->mss || p->snd_nxt != p->snd_max || p->snd_una == p->snd_max)
		return 0; /* a full segment, a retransmission, or nothing in flight */
	if (off + n < p->sbuf_len) /* cut short by a window: RFC 1122 SWS */
		return n < p->max_snd_wnd / 2;
	/* The tail: held while a small segment is unacknowledged. */
	return !p->nodelay && SEQ_GT(p->snd_sml, p->snd_una);
}

void tcp_pcb_set_nodelay(struct tcp_pcb *p, int on, uint64_t now)
{
	p->nodelay = !!on;
	if (on && synced(p))
		tcp_output(p, now); /* Linux pushes what was held */
}

/* ---- keepalive -------------------------------------------------------- */

void tcp_pcb_keepalive(struct tcp_pcb *p, int on, uint64_t now)
{
	if (on && !p->keepalive && p->state != TCP_LISTEN) {
		p->ka_at = now + keep_val(p, 0) * NS_PER_SEC;
		tcp_arm(p, p->ka_at);
	}
	if (!on)
		p->ka_at = 0;
	p->keepalive = !!on;
}

int tcp_pcb_set_keep(struct tcp_pcb *p, int which, int val, uint64_t now)
{
	uint64_t idle, el;

	if (which < 0 || which > 2 || val < 1 || val > keep_max[which])
		return -EINVAL;
	if (which == 1) {
		p->ka_intvl = (uint32_t)val;
	} else if (which == 2) {
		p->ka_cnt = (uint32_t)val;
	} else {
		p->ka_idle = (uint32_t)val;
		if (p->keepalive && p->state != TCP_CLOSED &&
		    p->state != TCP_LISTEN) { /* as Linux: from the last segment */
			idle = (uint64_t)val * NS_PER_SEC;
			el = now - p->last_rcv;
			p->ka_at = el < idle ? now + idle - el : now;
			tcp_arm(p, p->ka_at);
		}
	}
	return 0;
}

int tcp_pcb_get_keep(const struct tcp_pcb *p, int which)
{
	return which < 0 || which > 2 ? -EINVAL : (int)keep_val(p, which);
}

/* The keepalive timer (Linux's tcp_keepalive_timer): 1 if p was freed. */
static int keep_expired(struct tcp_pcb *p, uint64_t now)
{
	uint64_t idle = keep_val(p, 0) * NS_PER_SEC, el;

	if (!p->keepalive || p->state == TCP_LISTEN || p->orphan ||
	    p->state == TCP_TIME_WAIT || (p->state == TCP_CLOSED && p->sbuf))
		return 0; /* off, or over */
	p->ka_at = now + idle;
	if ((p->state == TCP_ESTABLISHED || p->state == TCP_CLOSE_WAIT ||
	     p->state == TCP_FIN_WAIT_2) && p->snd_una == p->snd_max &&
	    !p->sbuf_len) { /* else the retransmission timer watches */
		el = now - p->last_rcv;
		if (el < idle) {
			p->ka_at = now + idle - el;
		} else if (p->ka_probes >= keep_val(p, 2)) {
			tcp_send_raw(p->laddr, p->raddr, p->lport, p->rport,
				     p->snd_nxt, 0, TH_RST, now);
			return tcp_fail(p, ETIMEDOUT);
		} else {
			/* RFC 1122 §4.2.3.6: SEG.SEQ = SND.NXT - 1, no data;
			 * the peer answers with an ACK of SND.NXT. */
			p->snd_nxt = p->snd_una - 1;
			tcp_send_ack(p, now);
			p->snd_nxt = p->snd_una;
			p->ka_probes++;
			p->ka_at = now + keep_val(p, 1) * NS_PER_SEC;
		}
	}
	tcp_arm(p, p->ka_at);
	return 0;
}

int tcp_keep_timers(struct tcp_pcb *p, uint64_t now)
{
	if (p->delack_at && now >= p->delack_at) {
		p->delack_at = 0;
		if (synced(p))
			tcp_send_ack(p, now);
	}
	if (p->ka_at && now >= p->ka_at) {
		p->ka_at = 0;
		return keep_expired(p, now);
	}
	return 0;
}

uint64_t tcp_keep_next(const struct tcp_pcb *p)
{
	return net_min_deadline(p->delack_at, p->ka_at);
}

/* ---- linger, inheritance ------------------------------------------------ */

int tcp_pcb_sent_acked(const struct tcp_pcb *p)
{
	switch (p->state) {
	case TCP_FIN_WAIT_1:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		return 0;
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_SYN_RECEIVED:
		return !p->fin_queued && !p->sbuf_len && p->snd_una == p->snd_max;
	default: /* FIN-WAIT-2, TIME-WAIT, CLOSED, LISTEN, SYN-SENT */
		return 1;
	}
}

void tcp_pcb_inherit(struct tcp_pcb *d, const struct tcp_pcb *s, uint64_t now)
{
	d->nodelay = s->nodelay;
	d->ka_idle = s->ka_idle;
	d->ka_intvl = s->ka_intvl;
	d->ka_cnt = s->ka_cnt;
	tcp_pcb_keepalive(d, s->keepalive, now);
}

/* ---- TCP_INFO ------------------------------------------------------------ */

/* Linux's state numbers (include/net/tcp_states.h), by enum tcp_state. */
static const uint8_t linux_state[] = {
	[TCP_CLOSED] = 7, [TCP_LISTEN] = 10, [TCP_SYN_SENT] = 2,
	[TCP_SYN_RECEIVED] = 3, [TCP_ESTABLISHED] = 1, [TCP_FIN_WAIT_1] = 4,
	[TCP_FIN_WAIT_2] = 5, [TCP_CLOSE_WAIT] = 8, [TCP_CLOSING] = 11,
	[TCP_LAST_ACK] = 9, [TCP_TIME_WAIT] = 6,
};

static uint32_t ms_since(uint64_t now, uint64_t t)
{
	return t && now > t ? (uint32_t)((now - t) / 1000000) : 0;
}

void tcp_pcb_info(const struct tcp_pcb *p, struct tcp_info_ *ti, uint64_t now)
{
	uint32_t mss = p->mss ? p->mss : TCP_DEFAULT_MSS;
	uint32_t unsent = p->sbuf_len - tcp_min32(p->sbuf_len,
						  p->snd_nxt - p->data_seq);

	memset(ti, 0, sizeof(*ti));
	ti->tcpi_state = linux_state[p->state];
	ti->tcpi_rto = (uint32_t)(p->rto / 1000);
	ti->tcpi_snd_mss = mss;
	ti->tcpi_rcv_mss = p->rcv_mss ? p->rcv_mss : tcp_min32(TCP_DEFAULT_MSS, mss);
	ti->tcpi_advmss = tcp_route_mss(p->raddr);
	ti->tcpi_pmtu = ti->tcpi_advmss + 40;
	ti->tcpi_reordering = 3;  /* Linux's tcp_reordering default */
	ti->tcpi_snd_cwnd = p->cwnd / mss;
	ti->tcpi_snd_ssthresh = p->ssthresh >= 0x7fffffffu ? 0x7fffffffu :
		p->ssthresh / mss; /* TCP_INFINITE_SSTHRESH as Linux */
	ti->tcpi_max_pacing_rate = ~0ull; /* no pacing limit, as Linux's default */
	if (p->state == TCP_LISTEN) { /* Linux: the accept queue, backlog */
		ti->tcpi_unacked = (uint32_t)p->nacc;
		ti->tcpi_sacked = (uint32_t)p->backlog;
		return;
	}
	ti->tcpi_ca_state = p->retries && p->snd_una != p->snd_max ? TCP_CA_Loss :
		p->in_recovery ? TCP_CA_Recovery : p->dupacks ? TCP_CA_Disorder :
		TCP_CA_Open;
	ti->tcpi_retransmits = (uint8_t)(p->retries > 255 ? 255 : p->retries);
	ti->tcpi_backoff = ti->tcpi_retransmits;
	ti->tcpi_probes = p->ka_probes;
	if (p->ws_ok) {
		ti->tcpi_options |= TCPI_OPT_WSCALE;
		ti->tcpi_snd_wscale = p->snd_ws & 15;
		ti->tcpi_rcv_wscale = p->rcv_ws & 15;
	}
	if (p->ts_ok)
		ti->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (p->sack_ok)
		ti->tcpi_options |= TCPI_OPT_SACK;
	ti->tcpi_ato = p->rbuf ? (uint32_t)(TCP_DELACK_NS / 1000) : 0;
	ti->tcpi_unacked = (p->snd_max - p->snd_una + mss - 1) / mss;
	ti->tcpi_retrans = p->rtx_out;
	ti->tcpi_last_data_sent = ms_since(now, p->last_data_snd);
	ti->tcpi_last_data_recv = ms_since(now, p->last_data_rcv);
	ti->tcpi_last_ack_recv = ms_since(now, p->last_rcv);
	ti->tcpi_rcv_ssthresh = p->rbuf_max;
	ti->tcpi_rtt = (uint32_t)(p->srtt / 1000);
	ti->tcpi_rttvar = (uint32_t)(p->rttvar / 1000);
	ti->tcpi_rcv_space = p->rbuf_max;
	ti->tcpi_total_retrans = p->total_retrans;
	ti->tcpi_bytes_acked = p->bytes_acked;
	ti->tcpi_bytes_received = p->bytes_rcvd;
	ti->tcpi_segs_out = p->segs_out;
	ti->tcpi_segs_in = p->segs_in;
	ti->tcpi_notsent_bytes = unsent;
	ti->tcpi_data_segs_in = p->data_segs_in;
	ti->tcpi_data_segs_out = p->data_segs_out;
	ti->tcpi_bytes_sent = p->bytes_sent;
	ti->tcpi_bytes_retrans = p->bytes_retrans;
	ti->tcpi_rcv_ooopack = p->ooo_segs;
	ti->tcpi_snd_wnd = p->snd_wnd;
}
