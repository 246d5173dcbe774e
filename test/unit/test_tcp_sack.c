/*
 * test_tcp_sack.c - RFC 2018 SACK (src/net/tcp_sack.c) with a fake clock:
 * the sender's scoreboard (insert, merge, clamping, bogus blocks, the
 * bound, pruning on ACKs), RFC 6675 IsLost and pipe, the receiver's
 * blocks from out-of-order data (newest first, merged, 3 with timestamps
 * and 4 without, fitted to the MSS on data segments), hole retransmission
 * with several losses in one window against a peer model that SACKs (each
 * hole resent once, SACKed data never), and reneging (SACKed data is kept
 * until cumulatively ACKed; an RTO forgets the scoreboard), and the
 * undo of a spurious fast retransmit found with timestamps (RFC 3522).
 */
#include "test_tcp_opt_harness.h"

static uint8_t pat[40000];

static void test_scoreboard(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	uint64_t t = 10 * SEC;
	int i;

	tcp_setup();
	p = establish_o(&e, 1000, 7000, 65535, 0, 1, 0, t);
	CHECK(p && p->sack_ok && !p->ts_ok && p->mss == 1000);
	CHECK(tcp_pcb_send(p, pat, 10000, t) == 10000);
	sent_clear();
	CHECK(p->snd_una == 1001 && p->snd_max == 11001);
	tcp_sack_add(p, 3001, 4001);
	tcp_sack_add(p, 5001, 6001);
	CHECK(p->nsacked == 2);
	tcp_sack_add(p, 4001, 5001); /* touches both: one range */
	CHECK(p->nsacked == 1 && p->sacked[0].start == 3001 && p->sacked[0].end == 6001);
	tcp_sack_add(p, 8001, 9001);
	tcp_sack_add(p, 7001, 7501);
	tcp_sack_add(p, 500, 1501); /* clamped to SND.UNA */
	CHECK(p->nsacked == 4 && p->sacked[0].start == 1001 && p->sacked[0].end == 1501 &&
	      p->sacked[2].start == 7001 && p->sacked[3].end == 9001);
	tcp_sack_add(p, 10001, 12001); /* beyond SND.MAX: not believed */
	tcp_sack_add(p, 2000, 1500);   /* empty */
	tcp_sack_add(p, 100, 900);     /* old */
	CHECK(p->nsacked == 4);
	tcp_sack_add(p, 1201, 8501); /* swallows all */
	CHECK(p->nsacked == 1 && p->sacked[0].start == 1001 && p->sacked[0].end == 9001);
	CHECK(tcp_sack_is_sacked(p, 1001) && tcp_sack_is_sacked(p, 9000) &&
	      !tcp_sack_is_sacked(p, 9001));
	/* The bound: 16 ranges, the highest forgotten first. */
	tcp_sack_reset(p);
	for (i = 0; i < 20; i++)
		tcp_sack_add(p, 1201 + 400 * i, 1301 + 400 * i);
	CHECK(p->nsacked == TCP_SACK_SB_MAX && p->sacked[15].end == 1301 + 400 * 15);
	tcp_sack_add(p, 1401, 1501);
	CHECK(p->nsacked == TCP_SACK_SB_MAX && p->sacked[1].start == 1401 &&
	      p->sacked[15].end == 1301 + 400 * 14);
	for (i = 1; i < p->nsacked; i++)
		CHECK(SEQ_LT(p->sacked[i - 1].end, p->sacked[i].start));
	/* A cumulative ACK prunes (and trims) ranges below it. */
	inject_o(7001, 1651, TH_ACK, 65535, NULL, 0, NULL, t);
	CHECK(p->snd_una == 1651 && !tcp_sack_is_sacked(p, 1401));
	CHECK(p->nsacked == 14 && p->sacked[0].start == 1651 && p->sacked[0].end == 1701);
	/* SACK blocks on a segment: D-SACK below the ACK ignored, blocks clamped. */
	tcp_sack_reset(p);
	{
		struct popt po = { .ws = -1, .nsack = 3,
				   .sack = { { 1001, 1501 }, { 2501, 3001 }, { 6001, 99999 } } };
		inject_o(7001, 2001, TH_ACK, 65535, NULL, 0, &po, t);
		CHECK(p->snd_una == 2001 && p->nsacked == 1 && p->sacked[0].start == 2501);
	}
	tcp_pcb_abort(p, t);
}

static void test_lost_pipe(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	uint64_t t = 10 * SEC;

	tcp_setup();
	p = establish_o(&e, 1000, 7000, 65535, 0, 1, 0, t);
	tcp_pcb_send(p, pat, 10000, t);
	sent_clear();
	tcp_sack_add(p, 3001, 4001);
	tcp_sack_add(p, 5001, 6001);
	tcp_sack_add(p, 7001, 8001);
	p->sack_rtx = p->snd_una;
	CHECK(tcp_sack_is_lost(p, 1001));   /* three ranges above */
	CHECK(!tcp_sack_is_lost(p, 4001));  /* two, 2000 bytes: not yet */
	CHECK(!tcp_sack_is_lost(p, 6001) && !tcp_sack_is_lost(p, 3500));
	/* Holes: [1001,3001) lost, [4001,5001) and [6001,7001) in flight, and
	 * [8001,11001) beyond the highest SACK. */
	CHECK(tcp_sack_pipe(p) == 5000);
	p->sack_rtx = 2001; /* 1000 bytes resent: in flight again */
	CHECK(tcp_sack_pipe(p) == 6000);
	tcp_sack_add(p, 9001, 9101); /* 2100 bytes above 4001: lost now */
	CHECK(tcp_sack_is_lost(p, 4001) && tcp_sack_pipe(p) == 1000 + 1000 + 1900 + 1000);
	tcp_pcb_abort(p, t);
}

/* The receiver's blocks, RFC 2018 §4 order. */
static void test_blocks(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	struct capopt *c;
	uint64_t t = 10 * SEC;
	static uint8_t d[1000];

	tcp_setup();
	p = establish_o(&e, 1000, 7000, 65535, 0, 1, 0, t);
	inject_o(7101, 1001, TH_ACK, 65535, d, 100, NULL, t); /* A */
	s = ack_of(p, t);
	c = sent_opts();
	CHECK(s && s->ack == 7001 && c->o.nsack == 1 && c->o.sack[0].start == 7101 &&
	      c->o.sack[0].end == 7201);
	inject_o(7301, 1001, TH_ACK, 65535, d, 100, NULL, t); /* B */
	ack_of(p, t);
	inject_o(7501, 1001, TH_ACK, 65535, d, 100, NULL, t); /* C */
	s = ack_of(p, t);
	c = sent_opts();
	CHECK(s && c->o.nsack == 3 && c->o.sack[0].start == 7501 &&
	      c->o.sack[1].start == 7301 && c->o.sack[2].start == 7101);
	/* A segment joining A and B: that block first. */
	inject_o(7201, 1001, TH_ACK, 65535, d, 100, NULL, t);
	s = ack_of(p, t);
	c = sent_opts();
	CHECK(s && c->o.nsack == 2 && c->o.sack[0].start == 7101 &&
	      c->o.sack[0].end == 7401 && c->o.sack[1].start == 7501);
	/* Three more: the four most recently reported (A-B over C). */
	inject_o(7701, 1001, TH_ACK, 65535, d, 100, NULL, t); /* D */
	ack_of(p, t);
	inject_o(7901, 1001, TH_ACK, 65535, d, 100, NULL, t); /* E */
	ack_of(p, t);
	inject_o(8101, 1001, TH_ACK, 65535, d, 100, NULL, t); /* F */
	s = ack_of(p, t);
	c = sent_opts();
	CHECK(s && c->o.nsack == 4 && c->n == 36 && c->o.sack[0].start == 8101 &&
	      c->o.sack[1].start == 7901 && c->o.sack[2].start == 7701 &&
	      c->o.sack[3].start == 7101);
	/* Small data carries blocks; full-sized data has no room (MSS 1000). */
	tcp_pcb_send(p, pat, 100, t);
	s = sent();
	CHECK(s && s->len == 100 && sent_opts()->o.nsack == 4);
	inject_o(7001, 1101, TH_ACK, 65535, NULL, 0, NULL, t);
	sent_clear();
	tcp_pcb_send(p, pat, 1000, t);
	s = sent();
	CHECK(s && s->len == 1000 && sent_opts()->n == 0);
	/* The hole fills: rcv_nxt jumps over A-B, blocks for the rest. */
	inject_o(7001, 1001, TH_ACK, 65535, d, 100, NULL, t);
	s = ack_of(p, t);
	c = sent_opts();
	CHECK(s && s->ack == 7401 && c->o.nsack == 4 && c->o.sack[0].start == 8101 &&
	      c->o.sack[3].start == 7501);
	tcp_pcb_abort(p, t);

	/* With timestamps: 3 blocks, 40 bytes of options. */
	tcp_setup();
	p = establish_o(&e, 1000, 7000, 65535, 1, 1, 100, t);
	{
		struct popt po = { .ws = -1, .ts = 1, .tsval = 101 };
		for (int i = 0; i < 5; i++)
			inject_o(7101 + 200 * (uint32_t)i, 1001, TH_ACK, 65535, d, 100, &po, t);
		sent_clear();
		tcp_send_ack(p, t);
		s = sent();
		c = sent_opts();
		CHECK(s && c->n == 40 && c->o.ts && c->o.nsack == 3 &&
		      c->o.sack[0].start == 7901 && c->o.sack[2].start == 7501);
	}
	tcp_pcb_abort(p, t);
}

/* ---- a peer that SACKs -------------------------------------------------- */

#define BASE 1001u
#define TOTAL 30000u
static uint8_t got[TOTAL];        /* the peer has byte i */
static uint32_t last_seq;         /* the newest segment it took */

static uint32_t peer_ack(void)
{
	uint32_t i = 0;

	while (i < TOTAL && got[i])
		i++;
	return BASE + i;
}

/* The peer's ACK: cumulative, then up to 4 blocks, newest first. */
static void peer_reply(uint64_t now)
{
	struct popt po = { .ws = -1 };
	uint32_t a = peer_ack() - BASE, i = a, s;

	while (i < TOTAL && po.nsack < 4) {
		while (i < TOTAL && !got[i])
			i++;
		if (i >= TOTAL)
			break;
		s = i;
		while (i < TOTAL && got[i])
			i++;
		po.sack[po.nsack][0] = BASE + s;
		po.sack[po.nsack][1] = BASE + i;
		if (SEQ_LEQ(BASE + s, last_seq) && SEQ_LT(last_seq, BASE + i) && po.nsack) {
			uint32_t t0 = po.sack[0][0], t1 = po.sack[0][1];
			po.sack[0][0] = po.sack[po.nsack][0];
			po.sack[0][1] = po.sack[po.nsack][1];
			po.sack[po.nsack][0] = t0;
			po.sack[po.nsack][1] = t1;
		}
		po.nsack++;
	}
	inject_o(7001, BASE + a, TH_ACK, 65535, NULL, 0, &po, now);
}

/* Three segments of one window lost (the first among them): each hole
 * is resent once, in the same recovery, and nothing SACKed is resent. */
static void test_holes(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;
	uint32_t hi = BASE, rtx[16];
	int nrtx = 0, bad = 0, rounds = 0, rto = 0, recov = 0, early = 0;
	uint8_t lost_once[TOTAL / 1000] = { 0 };

	tcp_setup();
	memset(got, 0, sizeof(got));
	p = establish_o(&e, 1000, 7000, 65535, 0, 1, 0, t);
	CHECK(tcp_pcb_send(p, pat, TOTAL, t) == TOTAL);
	while ((s = sent()) && rounds++ < 1000) {
		uint32_t off = s->seq - BASE, k = off / 1000;

		t += MS;
		if (p->in_recovery)
			recov = 1;
		if (SEQ_LT(s->seq, hi)) { /* a retransmission */
			int sacked = 1;
			for (uint32_t j = off; j < off + s->len; j++)
				sacked &= got[j];
			bad += sacked && s->len;
			if (nrtx < 16)
				rtx[nrtx++] = s->seq;
		} else {
			hi = s->seq + s->len;
			if ((k == 0 || k == 3 || k == 6) && !lost_once[k]) {
				lost_once[k] = 1;
				continue; /* lost */
			}
		}
		if (s->len) {
			memset(got + off, 1, s->len);
			last_seq = s->seq;
		}
		{
			/* Holes resent before any of them is ACKed: SACK at work
			 * (NewReno waits for a partial ACK for each). */
			int before = cap_tail;
			uint32_t smax = p->snd_max;

			peer_reply(t);
			for (int j = before; j < cap_tail; j++)
				early += SEQ_LT(cap[j % CAP_MAX].seq, smax) &&
					 p->snd_una == BASE;
		}
		if (!nsent() && p->snd_una != BASE + TOTAL) {
			uint64_t d = tcp_timers(t);
			if (!nsent() && d) { /* the RTO: not wanted here */
				rto++;
				t = d;
				tcp_timers(t);
			}
		}
	}
	CHECK(p->snd_una == BASE + TOTAL && peer_ack() == BASE + TOTAL);
	CHECK(recov && !rto && !bad && early == 3);
	CHECK(nrtx == 3 && rtx[0] == BASE && rtx[1] == BASE + 3000 && rtx[2] == BASE + 6000);
	CHECK(!p->in_recovery && p->nsacked == 0);
	if (nrtx != 3)
		for (int i = 0; i < nrtx && i < 16; i++)
			printf("  rtx %u\n", rtx[i] - BASE);
	tcp_pcb_abort(p, t);
}

/* The peer SACKs and then drops what it SACKed: nothing was freed early,
 * and after the RTO the scoreboard is gone, so it is all sent again. */
static void test_renege(void)
{
	struct evrec e = { 0 };
	struct tcp_pcb *p;
	struct cseg *s;
	uint64_t t = 10 * SEC;
	struct popt po = { .ws = -1, .nsack = 1 };
	int seen2001 = 0;

	tcp_setup();
	p = establish_o(&e, 1000, 7000, 65535, 0, 1, 0, t);
	tcp_pcb_send(p, pat, 5000, t);
	sent_clear();
	for (uint32_t k = 1; k <= 3; k++) { /* segment 0 lost; 1..3 SACKed */
		po.sack[0][0] = 2001;
		po.sack[0][1] = 2001 + 1000 * k;
		inject_o(7001, 1001, TH_ACK, 65535, NULL, 0, &po, t + k * MS);
	}
	s = sent();
	CHECK(p->in_recovery && s && s->seq == 1001 && s->len == 1000);
	CHECK(p->sbuf_len == 5000 && p->nsacked == 1); /* SACKed, not freed */
	while ((s = sent()))
		CHECK(s->seq >= 5001 || s->seq < 2001); /* never the SACKed data */
	/* The retransmission is lost too; the RTO forgets the scoreboard. */
	tcp_timers(p->rto_at);
	CHECK(p->nsacked == 0 && !p->in_recovery && p->sbuf_len == 5000);
	s = sent();
	CHECK(s && s->seq == 1001);
	/* The peer reneged: only segment 0 is ACKed; 1 must go again. */
	inject_o(7001, 2001, TH_ACK, 65535, NULL, 0, NULL, t + 2 * SEC);
	while ((s = sent()))
		seen2001 |= s->seq == 2001 && s->len == 1000;
	CHECK(seen2001 && p->snd_una == 2001);
	tcp_pcb_abort(p, t);
}

/* Eifel (RFC 3522): the ACK for the first segment of recovery echoes its
 * original TSval (it was only late): cwnd and ssthresh come back; if it
 * echoes the retransmission (really lost), they stay halved. */
static void test_undo(void)
{
	for (int spurious = 1; spurious >= 0; spurious--) {
		struct evrec e = { 0 };
		struct tcp_pcb *p;
		struct cseg *s;
		uint64_t t = 10 * SEC;
		struct popt po = { .ws = -1, .ts = 1, .tsval = 100, .nsack = 1 };
		uint32_t ts_orig, ts_rtx, cwnd;

		tcp_setup();
		p = establish_o(&e, 1000, 7000, 65535, 1, 1, 99, t);
		tcp_pcb_send(p, pat, 4 * 988, t);
		s = sent();
		ts_orig = sent_opts()->o.tsval;
		sent_clear();
		cwnd = p->cwnd;
		po.tsecr = ts_orig;
		for (uint32_t k = 1; k <= 3; k++) {
			po.sack[0][0] = 1001 + 988;
			po.sack[0][1] = 1001 + 988 * (k + 1);
			inject_o(7001, 1001, TH_ACK, 65535, NULL, 0, &po, t + 5 * MS);
		}
		s = sent();
		ts_rtx = sent_opts()->o.tsval;
		CHECK(s && s->seq == 1001 && p->in_recovery && p->cwnd < cwnd);
		CHECK((int32_t)(ts_rtx - ts_orig) > 0);
		po.nsack = 0;
		po.tsecr = spurious ? ts_orig : ts_rtx;
		inject_o(7001, 1001 + 4 * 988, TH_ACK, 65535, NULL, 0, &po, t + 30 * MS);
		CHECK(!p->in_recovery && p->snd_una == 1001 + 4 * 988);
		CHECK(spurious ? p->cwnd == cwnd : p->cwnd == p->ssthresh);
		tcp_pcb_abort(p, t);
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 5 + 1);
	test_scoreboard();
	test_lost_pipe();
	test_blocks();
	test_holes();
	test_renege();
	test_undo();
	tcp_reset_all();
	printf("test_tcp_sack: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
