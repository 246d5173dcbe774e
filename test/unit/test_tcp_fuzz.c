/*
 * test_tcp_fuzz.c - libFuzzer target for TCP input (src/net/tcp*.c):
 * each input is a script of segments (structured ones near the live
 * sequence numbers, and raw headers with any offsets, flags and options,
 * checksummed so they get past the check; segments with timestamps,
 * SACK-permitted and SACK blocks near the live values), user calls and
 * clock steps against a listener and an active connection. ASan/UBSan catch memory
 * errors; after the run every pcb is freed and nothing may leak.
 */
#include <stdint.h>
#include <uni/kmalloc.h>
#include "test_tcp_harness.h"

struct in {
	const uint8_t *p;
	size_t n;
};

static uint32_t take(struct in *in, int bytes)
{
	uint32_t v = 0;

	while (bytes--) {
		v <<= 8;
		if (in->n) {
			v |= *in->p++;
			in->n--;
		}
	}
	return v;
}

static struct tcp_pcb *live(struct tcp_pcb *p)
{
	for (struct tcp_pcb *q = tcp_pcbs; q; q = q->next)
		if (q == p)
			return p;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[5000];
	struct in in = { data, size };
	struct evrec el = { 0 }, ec = { 0 }, ea = { 0 };
	struct tcp_pcb *l, *c, *a = NULL;
	uint64_t t = 10 * SEC;
	size_t base;

	tcp_setup();
	base = kmalloc_in_use();
	tcp_cfg.syn_retries = 2;
	tcp_cfg.retries = 3;
	tcp_cfg.rcvbuf = 4096 << (take(&in, 1) & 7);
	l = tcp_pcb_new(ev_cb, &el);
	tcp_pcb_bind(l, 0, net16(80));
	tcp_pcb_listen(l, 3);
	tcp_isn_value = take(&in, 4);
	c = tcp_pcb_new(ev_cb, &ec);
	tcp_pcb_bind(c, 0, net16(5000));
	tcp_pcb_connect(c, PEER, net16(80), t);
	while (in.n) {
		uint8_t op = (uint8_t)take(&in, 1);
		struct tcp_pcb *tgt;
		uint16_t myport, pport;

		if (c && !live(c))
			c = NULL;
		if (a && !live(a))
			a = NULL;
		tgt = (op & 0x80) && a ? a : c;
		myport = tgt == c ? 5000 : 80;
		pport = tgt == c ? 80 : (uint16_t)(4000 + (op >> 4 & 3));
		t += (op & 0x40) ? take(&in, 2) * MS : 0;
		switch (op & 7) {
		case 0: case 1: case 2: { /* a segment near the live numbers */
			uint8_t flags = (uint8_t)take(&in, 1);
			uint32_t dseq = take(&in, 2), dack = take(&in, 2);
			uint16_t wnd = (uint16_t)take(&in, 2);
			size_t len = take(&in, 2) % 3000;
			uint32_t rn = tgt ? tgt->rcv_nxt : 0, su = tgt ? tgt->snd_una : 0;

			if (op & 0x08) { /* with TS, SACK-permitted, SACK blocks */
				uint8_t o[40], k = (uint8_t)take(&in, 1);
				size_t on = 0;
				uint32_t tr = tgt ? tgt->ts_recent : 0, v;

				if ((op & 7) == 2) {
					flags |= TH_SYN;
					o[on++] = 2; o[on++] = 4; o[on++] = 5; o[on++] = 0xb4;
					o[on++] = 1; o[on++] = 3; o[on++] = 3; o[on++] = k >> 5;
					if (k & 2) {
						o[on++] = 1; o[on++] = 1; o[on++] = 4; o[on++] = 2;
					}
				}
				if (k & 1) { /* TSval near TS.Recent, TSecr near our clock */
					o[on++] = 1; o[on++] = 1; o[on++] = 8; o[on++] = 10;
					v = tr + take(&in, 2) - 0x100;
					for (int i = 3; i >= 0; i--) o[on++] = (uint8_t)(v >> (8 * i));
					v = (tgt ? tcp_ts_now(tgt, t) : 0) - take(&in, 2);
					for (int i = 3; i >= 0; i--) o[on++] = (uint8_t)(v >> (8 * i));
				}
				if ((op & 7) != 2 && (k & 4)) { /* blocks near SND.UNA */
					int nb = 1 + (k >> 3 & 3);
					if (on + 4 + 8 * (size_t)nb > 40)
						nb = (int)((40 - on - 4) / 8);
					o[on++] = 1; o[on++] = 1; o[on++] = 5;
					o[on++] = (uint8_t)(2 + 8 * nb);
					for (int b = 0; b < 2 * nb; b++) {
						v = su + take(&in, 2) * 8 - 0x1000;
						for (int i = 3; i >= 0; i--)
							o[on++] = (uint8_t)(v >> (8 * i));
					}
				}
				inject_full(PEER, ME, pport, myport, rn + dseq - 0x8000,
					    su + dack - 0x8000, flags, wnd, buf,
					    (op & 7) == 2 ? 0 : len, o, on, t);
			} else if ((op & 7) == 2)
				inject_syn(pport, myport, rn + dseq - 0x8000, su + dack - 0x8000,
					   flags | TH_SYN, wnd, (uint16_t)dseq, dack & 31, t);
			else
				inject(pport, myport, rn + dseq - 0x8000, su + dack - 0x8000,
				       flags, wnd, buf, len, t);
			break;
		}
		case 3: { /* raw header and options */
			uint8_t raw[80];
			size_t n = take(&in, 1) % sizeof(raw);
			for (size_t i = 0; i < n; i++)
				raw[i] = (uint8_t)take(&in, 1);
			if (n >= 4) {
				raw[0] = (uint8_t)(pport >> 8);
				raw[1] = (uint8_t)pport;
				raw[2] = (uint8_t)(myport >> 8);
				raw[3] = (uint8_t)myport;
			}
			if (n >= 14) {
				/* ports fixed up; the rest as given */
				uint16_t w[2] = { net16(6), net16((uint16_t)n) };
				uint32_t src = PEER, dst = ME, s;
				struct netbuf *nb = netbuf_alloc(20 + n);
				uint8_t *b = netbuf_append(nb, 20 + n);
				memset(b, 0, 20);
				b[0] = 0x45;
				memcpy(b + 12, &src, 4);
				memcpy(b + 16, &dst, 4);
				memcpy(b + 20, raw, n);
				if (n >= 18) {
					b[20 + 16] = b[20 + 17] = 0;
					s = inet_csum_add(0, &src, 4);
					s = inet_csum_add(s, &dst, 4);
					s = inet_csum_add(s, w, 4);
					uint16_t ck = inet_csum_fold(inet_csum_add(s, b + 20, n));
					memcpy(b + 20 + 16, &ck, 2);
				}
				nb->l4 = 20;
				tcp_input(&host_eth, nb, t);
			}
			break;
		}
		case 4: /* user calls */
			if (!tgt)
				break;
			switch (take(&in, 1) & 7) {
			case 0: tcp_pcb_send(tgt, buf, take(&in, 2) % sizeof(buf), t); break;
			case 1: tcp_pcb_recv(tgt, buf, take(&in, 2) % sizeof(buf), 0, t); break;
			case 2: tcp_pcb_shutdown(tgt, take(&in, 1) % 3, t); break;
			case 3: tcp_pcb_recv(tgt, buf, 10, 1, t); break;
			case 4: tcp_pcb_poll(tgt); tcp_pcb_error(tgt); break;
			case 5:
				tcp_pcb_close(tgt, t);
				if (tgt == c) c = NULL; else a = NULL;
				break;
			}
			break;
		case 5:
			if (!a)
				a = tcp_pcb_accept(l, ev_cb, &ea);
			break;
		default:
			t += take(&in, 2) * 10 * MS;
			tcp_timers(t);
			break;
		}
		sent_clear();
	}
	tcp_reset_all();
	sent_clear();
	if (kmalloc_in_use() != base)
		__builtin_trap();
	(void)passed;
	(void)failed;
	return 0;
}
