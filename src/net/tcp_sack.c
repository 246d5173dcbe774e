/*
 * tcp_sack.c - RFC 2018 selective acknowledgments. Receiver: SACK blocks
 * from the out-of-order ranges (pcb->ooo), the block with the newest
 * segment first and then the most recently reported (§4). Sender: a
 * bounded scoreboard of SACKed ranges and RFC 6675 loss recovery on it
 * (IsLost, SetPipe, NextSeg rules 1-3: holes resent first, SACKed data
 * never resent during recovery, new data only while cwnd - pipe allows;
 * with timestamps, a spurious fast retransmit is undone, RFC 3522).
 * The scoreboard is advisory: send-ring data is freed only when
 * cumulatively ACKed, and an RTO forgets it all (§8: the peer may renege).
 *
 * Layer: kernel net, pure (time passed in). Called by tcp_in.c (blocks
 * arriving, data queued out of order), tcp_out.c (blocks to send, the
 * window in recovery) and tcp_timer.c (duplicate and partial ACKs, RTO).
 */
#include <string.h>
#include "tcp_priv.h"

#define DUPTHRESH 3

/* ---- receiver ---------------------------------------------------------- */

static int ooo_find(const struct tcp_pcb *p, uint32_t seq)
{
	for (int i = 0; i < p->nooo; i++)
		if (SEQ_LEQ(p->ooo[i].start, seq) && SEQ_LT(seq, p->ooo[i].end))
			return i;
	return -1;
}

void tcp_sack_note(struct tcp_pcb *p, uint32_t seq)
{
	int r = ooo_find(p, seq), i, n = 0;
	uint32_t keep[TCP_SACK_RCV_MAX];

	if (!p->sack_ok || r < 0)
		return; /* not held (the queue was full): nothing to report */
	keep[n++] = seq;
	for (i = 0; i < p->nsack_rcv && n < TCP_SACK_RCV_MAX; i++) {
		int j = ooo_find(p, p->sack_rcv[i]);
		if (j >= 0 && j != r)
			keep[n++] = p->sack_rcv[i]; /* still a distinct range */
	}
	memcpy(p->sack_rcv, keep, sizeof(keep[0]) * (unsigned)n);
	p->nsack_rcv = (uint8_t)n;
}

int tcp_sack_blocks(struct tcp_pcb *p, uint32_t *start, uint32_t *end, int max)
{
	unsigned used = 0;
	int n = 0, i, j;

	for (i = 0; i < p->nsack_rcv && n < max; i++) {
		j = ooo_find(p, p->sack_rcv[i]);
		if (j < 0 || (used & 1u << j))
			continue;
		used |= 1u << j;
		start[n] = p->ooo[j].start;
		end[n++] = p->ooo[j].end;
	}
	for (j = 0; j < p->nooo && n < max; j++) /* older ranges, if room */
		if (!(used & 1u << j)) {
			used |= 1u << j;
			start[n] = p->ooo[j].start;
			end[n++] = p->ooo[j].end;
		}
	return n;
}

/* ---- sender scoreboard ---------------------------------------------- */

/* Forget what SND.UNA has passed. */
static void prune(struct tcp_pcb *p)
{
	int i = 0, n = p->nsacked;

	while (i < n && SEQ_LEQ(p->sacked[i].end, p->snd_una))
		i++;
	if (i) {
		memmove(p->sacked, p->sacked + i, sizeof(p->sacked[0]) * (unsigned)(n - i));
		p->nsacked = (uint8_t)(n - i);
	}
	if (p->nsacked && SEQ_LT(p->sacked[0].start, p->snd_una))
		p->sacked[0].start = p->snd_una;
}

void tcp_sack_add(struct tcp_pcb *p, uint32_t s, uint32_t e)
{
	int n, i, j;

	prune(p);
	n = p->nsacked;
	if (SEQ_LT(s, p->snd_una))
		s = p->snd_una;
	if (!SEQ_LT(s, e) || SEQ_GT(e, p->snd_max))
		return; /* empty, old, or beyond what we sent: not believed */
	for (i = 0; i < n && SEQ_LT(p->sacked[i].end, s); i++)
		;
	for (j = i; j < n && SEQ_LEQ(p->sacked[j].start, e); j++) {
		if (SEQ_LT(p->sacked[j].start, s))
			s = p->sacked[j].start;
		if (SEQ_GT(p->sacked[j].end, e))
			e = p->sacked[j].end;
	}
	if (j == i && n == TCP_SACK_SB_MAX) { /* full: forget the highest */
		if (i == n)
			return;
		n--;
	}
	/* [i, j) merge into one range at i. */
	memmove(p->sacked + i + 1, p->sacked + j, sizeof(p->sacked[0]) * (unsigned)(n - j));
	p->sacked[i].start = s;
	p->sacked[i].end = e;
	p->nsacked = (uint8_t)(n - (j - i) + 1);
}

void tcp_sack_input(struct tcp_pcb *p, const struct tcp_opts *o, uint32_t ack)
{
	for (int i = 0; i < o->nsack; i++) {
		uint32_t s = o->sack[i].start, e = o->sack[i].end;

		if (SEQ_LEQ(e, ack))
			continue; /* D-SACK (RFC 2883) or stale */
		if (SEQ_LT(s, ack))
			s = ack;
		tcp_sack_add(p, s, e);
	}
}

void tcp_sack_reset(struct tcp_pcb *p)
{
	p->nsacked = 0;
	p->sack_rtx = p->snd_una;
}

int tcp_sack_is_sacked(struct tcp_pcb *p, uint32_t seq)
{
	prune(p);
	for (int i = 0; i < p->nsacked; i++)
		if (SEQ_LEQ(p->sacked[i].start, seq) && SEQ_LT(seq, p->sacked[i].end))
			return 1;
	return 0;
}

/* RFC 6675 §4 IsLost: DupThresh SACKed ranges above seq, or more than
 * (DupThresh - 1) * SMSS SACKed bytes above it. */
int tcp_sack_is_lost(struct tcp_pcb *p, uint32_t seq)
{
	uint32_t bytes = 0;
	int ranges = 0;

	if (tcp_sack_is_sacked(p, seq))
		return 0;
	for (int i = 0; i < p->nsacked; i++)
		if (SEQ_GT(p->sacked[i].start, seq)) {
			ranges++;
			bytes += p->sacked[i].end - p->sacked[i].start;
		}
	return ranges >= DUPTHRESH || bytes > (DUPTHRESH - 1) * (uint32_t)p->mss;
}

/* Bytes of [a, b) below HighRxt (resent in this recovery). */
static uint32_t resent(const struct tcp_pcb *p, uint32_t a, uint32_t b)
{
	uint32_t r = p->sack_rtx;

	if (!SEQ_GT(r, a))
		return 0;
	return (SEQ_LT(r, b) ? r : b) - a;
}

/* RFC 6675 §4 SetPipe: bytes presumed in the network. Octets in a hole
 * count unless lost, and again once resent. Lost-ness only grows toward
 * SND.UNA, so a hole is lost as a whole or not at all. */
uint32_t tcp_sack_pipe(struct tcp_pcb *p)
{
	uint32_t a, pipe = 0, bytes = 0;
	int i, n;

	prune(p);
	n = p->nsacked;
	a = p->snd_una;
	for (i = 0; i < n; i++)
		bytes += p->sacked[i].end - p->sacked[i].start;
	for (i = 0; i < n; i++) {
		uint32_t b = p->sacked[i].start;
		int lost = n - i >= DUPTHRESH || bytes > (DUPTHRESH - 1) * (uint32_t)p->mss;

		if (!lost)
			pipe += b - a;
		pipe += resent(p, a, b);
		bytes -= p->sacked[i].end - b;
		a = p->sacked[i].end;
	}
	if (SEQ_LT(a, p->snd_max))
		pipe += p->snd_max - a + resent(p, a, p->snd_max);
	return pipe;
}

/* RFC 6675 §4 NextSeg rules 1 and 3: the first hole octet above HighRxt
 * and below the highest SACKed one, with the hole's end; *lost says
 * which rule (1: lost, 3: not yet). 0: no such hole. */
static int next_hole(struct tcp_pcb *p, uint32_t *s, uint32_t *e, int *lost)
{
	uint32_t a = p->snd_una;

	prune(p);
	for (int i = 0; i < p->nsacked; i++) {
		uint32_t x = SEQ_GT(p->sack_rtx, a) ? p->sack_rtx : a;

		if (SEQ_LT(x, p->sacked[i].start)) {
			*s = x;
			*e = p->sacked[i].start;
			*lost = tcp_sack_is_lost(p, x);
			return 1;
		}
		a = p->sacked[i].end;
	}
	return 0;
}

static int new_data_ok(const struct tcp_pcb *p)
{
	uint32_t off = p->snd_nxt - p->data_seq;

	return off < p->sbuf_len && SEQ_LT(p->snd_nxt, p->snd_una + p->snd_wnd);
}

/* Resend holes while cwnd - pipe >= SMSS (RFC 6675 §5 step (C)); new
 * data (rule 2) is tcp_output's, through tcp_sack_usable. */
static void send_holes(struct tcp_pcb *p, uint64_t now)
{
	for (int guard = 0; guard < 64; guard++) {
		uint32_t s, e, n;
		int lost;

		if (p->cwnd < tcp_sack_pipe(p) + p->mss)
			return;
		if (!next_hole(p, &s, &e, &lost) || (!lost && new_data_ok(p)))
			return;
		if (!(n = tcp_send_at(p, s, e - s, now)))
			return;
		p->rtt_active = 0; /* Karn */
		p->sack_rtx = s + n;
	}
}

/* Enter recovery (RFC 6675 §5 step (4)): halve, resend SND.UNA's segment. */
static void enter_recovery(struct tcp_pcb *p, uint64_t now)
{
	uint32_t flight = p->snd_max - p->snd_una, n;

	p->undo_ok = p->ts_ok;
	p->undo_ts = tcp_ts_now(p, now); /* the TSval of the retransmission */
	p->undo_seq = p->snd_una;
	p->undo_cwnd = p->cwnd;
	p->undo_ssthresh = p->ssthresh;
	p->ssthresh = flight / 2 > 2u * p->mss ? flight / 2 : 2u * p->mss;
	p->cwnd = p->ssthresh;
	p->recover = p->snd_max;
	p->in_recovery = 1;
	p->rtt_active = 0;
	p->sack_rtx = p->snd_una;
	n = tcp_send_at(p, p->snd_una, p->mss, now);
	p->sack_rtx = p->snd_una + n;
}

void tcp_sack_dupack(struct tcp_pcb *p, uint64_t now)
{
	if (p->dupacks < 255)
		p->dupacks++;
	if (p->sack_after_rto && SEQ_GEQ(p->snd_una, p->recover))
		p->sack_after_rto = 0;
	if (!p->in_recovery) {
		/* After an RTO, not before that flight is ACKed (§5.1). */
		if (p->sack_after_rto || !p->mss)
			return;
		if (p->dupacks < DUPTHRESH && !tcp_sack_is_lost(p, p->snd_una))
			return;
		enter_recovery(p, now);
	}
	send_holes(p, now);
}

int tcp_sack_cc_ack(struct tcp_pcb *p, uint64_t now)
{
	prune(p);
	if (p->sack_after_rto && SEQ_GEQ(p->snd_una, p->recover))
		p->sack_after_rto = 0;
	if (!p->in_recovery)
		return 0;
	p->dupacks = 0;
	if (p->undo_ok && SEQ_GT(p->snd_una, p->undo_seq)) {
		p->undo_ok = 0;
		if (p->ts_ecr && (int32_t)(p->ts_ecr - p->undo_ts) < 0) {
			/* The original arrived: the retransmission was spurious
			 * (RFC 3522 detection, RFC 4015 response: restore). */
			p->cwnd = p->cwnd > p->undo_cwnd ? p->cwnd : p->undo_cwnd;
			p->ssthresh = p->ssthresh > p->undo_ssthresh ?
				p->ssthresh : p->undo_ssthresh;
			p->in_recovery = 0;
			return 1;
		}
	}
	if (SEQ_GEQ(p->snd_una, p->recover)) { /* all of the flight: done */
		p->in_recovery = 0;
		p->cwnd = p->ssthresh;
		return 1;
	}
	if (SEQ_LT(p->sack_rtx, p->snd_una))
		p->sack_rtx = p->snd_una;
	if (!p->nsacked && p->sack_rtx == p->snd_una) {
		/* A partial ACK and no SACK blocks: NewReno's next hole. */
		uint32_t n = tcp_send_at(p, p->snd_una, p->mss, now);
		p->sack_rtx = p->snd_una + n;
	}
	send_holes(p, now);
	return 1;
}

uint32_t tcp_sack_usable(struct tcp_pcb *p)
{
	uint32_t edge = p->snd_una + p->snd_wnd, pipe = tcp_sack_pipe(p);
	uint32_t w = SEQ_GT(edge, p->snd_nxt) ? edge - p->snd_nxt : 0;

	if (p->cwnd < pipe + p->mss)
		return 0;
	return tcp_min32(w, p->cwnd - pipe);
}
