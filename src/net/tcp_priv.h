/*
 * tcp_priv.h - TCP (RFC 9293): the wire header, the control block and the
 * API the socket layer (src/net/af_inet_tcp.c) uses.
 *
 * Layer: kernel net, pure C with time passed in (now_ns, monotonic), so
 * the state machine runs in host unit tests driven by injected segments
 * and a fake clock. Callers: ip4.c hands segments to tcp_input (data at
 * the IP header, l4 = offset of the TCP header); glue.c runs tcp_timers
 * from the stack timer; af_inet_tcp.c calls tcp_pcb_* (both under
 * loopback_hold, so lo never re-enters a pcb's output). Everything runs with
 * interrupts disabled on one CPU; event callbacks must not call back into
 * tcp_* (they wake waiters; the woken thread then calls recv/send).
 */
#ifndef UNI_TCP_PRIV_H
#define UNI_TCP_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include "net_priv.h"

#define IPPROTO_TCP_ 6

struct tcp_hdr {          /* RFC 9293 §3.1 */
	uint16_t source, dest;
	uint32_t seq, ack;
	uint8_t off;              /* data offset in words, << 4 */
	uint8_t flags;
	uint16_t window, check, urg;
} __attribute__((packed));
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WS 3
#define TCP_MAX_WS 14            /* RFC 7323 §2.3 */

/* Sequence arithmetic modulo 2^32 (RFC 9293 §3.4). */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) SEQ_LT(b, a)
#define SEQ_GEQ(a, b) SEQ_LEQ(b, a)

enum tcp_state {
	TCP_CLOSED, TCP_LISTEN, TCP_SYN_SENT, TCP_SYN_RECEIVED, TCP_ESTABLISHED,
	TCP_FIN_WAIT_1, TCP_FIN_WAIT_2, TCP_CLOSE_WAIT, TCP_CLOSING,
	TCP_LAST_ACK, TCP_TIME_WAIT,
};

/* Readiness events, passed to the pcb's callback. */
#define TCP_EV_READABLE 1   /* data, EOF, or (listener) a connection to accept */
#define TCP_EV_WRITABLE 2   /* send buffer space */
#define TCP_EV_CONNECTED 4  /* active open completed */
#define TCP_EV_ERROR 8      /* err: ECONNREFUSED, ECONNRESET, ETIMEDOUT */
typedef void (*tcp_event_fn)(void *ctx, unsigned ev, int err);

#define TCP_OOO_MAX 8            /* out-of-order ranges held */

struct tcp_pcb {
	struct tcp_pcb *next;      /* every pcb */
	uint8_t state;
	uint8_t orphan;            /* the socket closed it; freed when done */
	uint8_t rd_shut, fin_queued, rcv_fin, rtt_active, ack_now, persist;
	uint8_t rtx_one;           /* next output: one segment (after an RTO) */
	uint8_t dupacks, in_recovery; /* RFC 5681 / RFC 6582 (NewReno) */
	uint8_t snd_ws, rcv_ws, ws_ok;
	uint8_t embryonic;         /* in the listener's SYN queue */
	uint8_t reuse;             /* TCP_REUSE_* from the socket (bind rules) */
	uint32_t laddr, raddr;     /* network order */
	uint16_t lport, rport;     /* network order */
	tcp_event_fn ev;
	void *ctx;
	int err;                   /* pending error (SO_ERROR) */
	/* listener side */
	struct tcp_pcb *parent;    /* embryonic or not yet accepted: the listener */
	struct tcp_pcb *aq_next;   /* accept queue link */
	struct tcp_pcb *accq;      /* listener: completed, oldest first */
	int backlog, nsyn, nacc;
	uint64_t born;
	/* send side */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
	uint32_t max_snd_wnd;
	uint32_t cwnd, ssthresh, recover; /* congestion control (bytes) */
	uint16_t mss, peer_mss;
	uint8_t *sbuf;             /* ring: unacked and unsent data from data_seq */
	uint32_t sbuf_size, sbuf_off, sbuf_len, data_seq; /* size: allocated */
	uint32_t sbuf_max;         /* SO_SNDBUF: the ring grows up to this */
	/* receive side */
	uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: last window advertised (bytes) */
	uint8_t *rbuf;             /* ring: in-order unread data, then room */
	uint32_t rbuf_size, rbuf_off, rbuf_len; /* size: allocated */
	uint32_t rbuf_max;         /* SO_RCVBUF: the window; the ring grows to it */
	struct { uint32_t start, end; } ooo[TCP_OOO_MAX]; /* held beyond rcv_nxt */
	int nooo;
	uint32_t ooo_fin;          /* valid when ooo_fin_ok: seq of an early FIN */
	uint8_t ooo_fin_ok;
	/* timers (ns; 0 = off) */
	uint64_t srtt, rttvar, rto, rtt_ts, rto_at, tw_at;
	uint32_t rtt_seq;
	int retries;
	/* ---- RFC 7323 timestamps, RFC 2018 SACK (tcp_opt.c, tcp_sack.c) ---- */
#define TCP_SACK_SB_MAX 16        /* sender scoreboard ranges */
#define TCP_SACK_RCV_MAX 4        /* SACK blocks in one segment, at most */
	uint8_t ts_ok, sack_ok;    /* negotiated: both SYNs carried the option */
	uint8_t ts_off_set;        /* ts_off chosen (first SYN) */
	uint8_t nsacked;           /* scoreboard ranges in use */
	uint8_t nsack_rcv;         /* entries in sack_rcv */
	uint8_t sack_after_rto;    /* no SACK recovery until snd_una >= recover */
	uint32_t ts_off;           /* our TSval = ms clock + ts_off (random) */
	uint32_t ts_recent;        /* TS.Recent (RFC 7323 §4.3) */
	uint32_t ts_last_ack;      /* Last.ACK.sent: ACK field of our last ACK */
	uint32_t ts_ecr;           /* TSecr of the segment in hand (0: none) */
	uint64_t ts_recent_at;     /* when TS.Recent was set (§5.5 24-day rule) */
	/* Sender scoreboard: SACKed ranges, sorted, disjoint, not touching,
	 * inside [snd_una, snd_max]; advisory only (data is freed only when
	 * cumulatively ACKed, RFC 2018 §8); cleared on RTO. */
	struct { uint32_t start, end; } sacked[TCP_SACK_SB_MAX];
	uint32_t sack_rtx;         /* RFC 6675 HighRxt: end of the last hole resent */
	/* Eifel (RFC 3522) with timestamps: the first ACK for the segment
	 * that started recovery echoes its original TSval, not undo_ts of
	 * the retransmission: reordering, not loss; cwnd and ssthresh back. */
	uint8_t undo_ok;           /* armed for this recovery */
	uint32_t undo_ts, undo_seq, undo_cwnd, undo_ssthresh;
	/* Receiver: a sequence number in each recently changed out-of-order
	 * range, newest first (RFC 2018 §4 block order). */
	uint32_t sack_rcv[TCP_SACK_RCV_MAX];
	/* ---- delayed ACK, Nagle, keepalive, linger (tcp_timer.c, tcp_out.c) -- */
	/* (tcp_keep.c) */
	uint8_t nodelay;           /* TCP_NODELAY: no Nagle */
	uint8_t quick;             /* TCP_QUICKACK: segments still ACKed at once */
	uint8_t keepalive;         /* SO_KEEPALIVE */
	uint8_t ka_probes;         /* keepalive probes sent, unanswered */
	uint16_t rcv_mss;          /* largest segment received (Linux's rcv_mss) */
	uint32_t rcv_acked;        /* RCV.NXT in the last ACK sent */
	uint32_t snd_sml;          /* end of the last sub-MSS segment (Minshall) */
	uint32_t ka_idle, ka_intvl, ka_cnt; /* TCP_KEEPIDLE/INTVL (s), KEEPCNT */
	uint64_t delack_at, ka_at; /* delayed ACK, keepalive deadlines (0: off) */
	uint64_t last_rcv, last_data_rcv, last_data_snd; /* for keepalive, TCP_INFO */
	uint32_t total_retrans, rtx_out, ooo_segs, segs_in, segs_out;
	uint32_t data_segs_in, data_segs_out;
	uint64_t bytes_acked, bytes_rcvd, bytes_sent, bytes_retrans;
};

/* Tunables (tests change them). */
struct tcp_config {
	uint64_t msl_ns;           /* TIME-WAIT lasts 2 * msl_ns */
	uint32_t sndbuf, rcvbuf;   /* defaults for new pcbs */
	int syn_retries, retries;  /* give up (ETIMEDOUT) after this many */
};
extern struct tcp_config tcp_cfg;

#define TCP_RTO_INIT (1000000000ull)       /* RFC 6298 (2.1) */
#define TCP_RTO_MIN (200000000ull)         /* Linux's floor */
#define TCP_RTO_MAX (120000000000ull)
#define TCP_DEFAULT_MSS 536                /* RFC 9293 §3.7.1 */

/* Segment output: nb->data is the TCP header (checksum done). NULL (the
 * kernel) means ip4_output; tests capture. 0 took nb; -errno: caller frees. */
typedef int (*tcp_xmit_fn)(struct netbuf *nb, uint32_t src, uint32_t dst,
			   uint64_t now_ns);
extern tcp_xmit_fn tcp_xmit_hook;
/* Tests: use this ISN instead of RFC 6528's when tcp_isn_fixed. */
extern int tcp_isn_fixed;
extern uint32_t tcp_isn_value;

/* ---- API for the socket layer -------------------------------------------- */

struct tcp_pcb *tcp_pcb_new(tcp_event_fn ev, void *ctx);
/* Buffer sizes (before connect/listen): 0 keeps the default. */
void tcp_pcb_set_bufs(struct tcp_pcb *pcb, uint32_t sndbuf, uint32_t rcvbuf);
/* port 0: ephemeral (RFC 6056 random). -EADDRINUSE, -EADDRNOTAVAIL, -EINVAL. */
int tcp_pcb_bind(struct tcp_pcb *pcb, uint32_t addr, uint16_t port);
/* SO_REUSEADDR / SO_REUSEPORT for the bind rules of tcp_pcb_bind and
 * tcp_pcb_listen (Linux's inet_csk_bind_conflict); set before bind.
 * Accepted connections inherit the listener's. */
#define TCP_REUSE_ADDR 1
#define TCP_REUSE_PORT 2
void tcp_pcb_set_reuse(struct tcp_pcb *pcb, unsigned reuse);
int tcp_pcb_listen(struct tcp_pcb *pcb, int backlog);
/* A completed connection (NULL if none), now owned by the caller. */
struct tcp_pcb *tcp_pcb_accept(struct tcp_pcb *l, tcp_event_fn ev, void *ctx);
/* Starts the active open: 0 (TCP_EV_CONNECTED or TCP_EV_ERROR follows),
 * -EISCONN, -EALREADY, -ENETUNREACH, -ENOMEM. */
int tcp_pcb_connect(struct tcp_pcb *pcb, uint32_t addr, uint16_t port,
		    uint64_t now_ns);
/* Copy up to len bytes into the send buffer: count, -EAGAIN (full),
 * -EPIPE (shut down / closed), -ENOTCONN, or a pending error. */
long tcp_pcb_send(struct tcp_pcb *pcb, const void *buf, size_t len,
		  uint64_t now_ns);
/* The same in place, for copying straight from a program's buffer:
 * tcp_pcb_send_room makes room for up to want bytes in the send ring and
 * gives the count (0 for want 0 once the state allows sending) or what
 * tcp_pcb_send would fail with; tcp_pcb_sbuf_run points *run at the free
 * ring from off on and returns how many bytes lie contiguous;
 * tcp_pcb_commit queues n bytes written there and sends what it may. */
long tcp_pcb_send_room(struct tcp_pcb *pcb, size_t want);
uint32_t tcp_pcb_sbuf_run(const struct tcp_pcb *pcb, uint32_t off,
			  uint8_t **run);
void tcp_pcb_commit(struct tcp_pcb *pcb, uint32_t n, uint64_t now);
/* Copy out up to len bytes: count, 0 at EOF, -EAGAIN, -ENOTCONN or a
 * pending error (-ECONNRESET...). peek leaves the data. */
long tcp_pcb_recv(struct tcp_pcb *pcb, void *buf, size_t len, int peek,
		  uint64_t now_ns);
/* The same in place, for copying straight to a program's buffer:
 * tcp_pcb_readable gives the unread count (> 0), or 0 at EOF, -EAGAIN,
 * -ENOTCONN or a pending error (taken); tcp_pcb_rbuf_run points *run at
 * the unread bytes from off on and returns how many lie contiguous (0
 * past the end); tcp_pcb_consume drops n bytes that were copied (window
 * updates follow). Bytes not consumed stay unread (a fault mid-copy). */
long tcp_pcb_readable(struct tcp_pcb *pcb);
uint32_t tcp_pcb_rbuf_run(const struct tcp_pcb *pcb, uint32_t off,
			  const uint8_t **run);
void tcp_pcb_consume(struct tcp_pcb *pcb, uint32_t n, uint64_t now);
/* how: SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2. -ENOTCONN when not connected. */
int tcp_pcb_shutdown(struct tcp_pcb *pcb, int how, uint64_t now_ns);
/* The socket is done with pcb: orderly close (FIN) in the background;
 * unread data makes it an abort (RST). pcb must not be used again. */
void tcp_pcb_close(struct tcp_pcb *pcb, uint64_t now_ns);
/* RST (when synchronized) and free at once. */
void tcp_pcb_abort(struct tcp_pcb *pcb, uint64_t now_ns);
/* Current readiness as TCP_EV_* bits (READABLE also at EOF/error). */
unsigned tcp_pcb_poll(const struct tcp_pcb *pcb);
/* Take the pending error (SO_ERROR): errno or 0. */
int tcp_pcb_error(struct tcp_pcb *pcb);
void tcp_pcb_local(const struct tcp_pcb *pcb, uint32_t *addr, uint16_t *port);
void tcp_pcb_peer(const struct tcp_pcb *pcb, uint32_t *addr, uint16_t *port);

/* ---- for the stack ---------------------------------------------------------- */

/* A segment (data at the IP header, nb->l4 = IP header length). Consumes. */
void tcp_input(struct netif *nif, struct netbuf *nb, uint64_t now_ns);
/* At exit: close every pcb a socket holds; then, while tcp_draining(),
 * the peers have not acknowledged everything yet. */
void tcp_close_all(uint64_t now);
int tcp_draining(void);
/* Run expired timers; returns the next deadline (0: none). */
uint64_t tcp_timers(uint64_t now_ns);
/* The listener for a SYN to la:lp from ra:rp: l itself, or, when l has
 * SO_REUSEPORT, one of its group chosen by a hash of the 4-tuple. */
struct tcp_pcb *tcp_reuseport_pick(struct tcp_pcb *l, uint32_t la, uint16_t lp,
				   uint32_t ra, uint16_t rp);
/* Host tests: forget every pcb (frees them). */
void tcp_reset_all(void);

/* ---- between tcp.c, tcp_in.c, tcp_out.c and tcp_timer.c ------------------ */

static inline uint32_t tcp_min32(uint32_t a, uint32_t b) { return a < b ? a : b; }

extern struct tcp_pcb *tcp_pcbs;
void tcp_free(struct tcp_pcb *p);
void tcp_notify(struct tcp_pcb *p, unsigned ev, int err);
int tcp_fail(struct tcp_pcb *p, int err);       /* 1: p was freed */
uint32_t tcp_new_isn(const struct tcp_pcb *p, uint64_t now);
uint16_t tcp_route_mss(uint32_t dst);
int tcp_alloc_bufs(struct tcp_pcb *p);
void tcp_time_wait_trim(struct tcp_pcb *p);
/* Grow a ring (linearized from *off) so it holds need bytes: 0, -ENOMEM. */
int tcp_ring_reserve(uint8_t **ring, uint32_t *size, uint32_t *off,
		     uint32_t need);
#define TCP_RING_MIN 4096u       /* a connection's rings start this small */
void tcp_send_raw(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		  uint32_t seq, uint32_t ack, uint8_t flags, uint64_t now);
uint32_t tcp_rcv_wnd(const struct tcp_pcb *p);
void tcp_send_ack(struct tcp_pcb *p, uint64_t now);
void tcp_challenge_ack(struct tcp_pcb *p, uint64_t now);
void tcp_arm(struct tcp_pcb *p, uint64_t deadline);
void tcp_output(struct tcp_pcb *p, uint64_t now);
void tcp_rtt_sample(struct tcp_pcb *p, uint64_t r);
void tcp_retransmit_first(struct tcp_pcb *p, uint64_t now);
void tcp_cc_init(struct tcp_pcb *p);
void tcp_cc_ack(struct tcp_pcb *p, uint32_t acked, uint64_t now);
void tcp_cc_dupack(struct tcp_pcb *p, uint64_t now);
void tcp_cc_timeout(struct tcp_pcb *p);
/* ---- timestamps and SACK (tcp_opt.c, tcp_sack.c) ---- */
#define TCPOPT_SACK_PERM 4         /* RFC 2018 §2, SYN only */
#define TCPOPT_SACK 5              /* RFC 2018 §3 */
#define TCPOPT_TS 8                /* RFC 7323 §3 */
#define TCP_TS_IDLE (24ull * 24 * 3600 * 1000000000) /* §5.5: TS.Recent too old */
/* The options of one arriving segment (tcp_opt_parse). */
struct tcp_opts {
	uint16_t mss;              /* 0: none (SYN only) */
	int8_t ws;                 /* -1: none (SYN only) */
	uint8_t sack_perm;         /* SYN only */
	uint8_t ts;                /* a well-formed TSopt was present */
	uint8_t nsack;             /* blocks in sack[] (not in SYNs) */
	uint32_t tsval, tsecr;
	struct { uint32_t start, end; } sack[TCP_SACK_RCV_MAX];
};
/* Knobs (tests turn them off): offer TSopt / SACK-permitted in our SYNs. */
extern int tcp_do_ts, tcp_do_sack;
/* Parse n option bytes; garbage ends the parse, keeping what came before. */
void tcp_opt_parse(const uint8_t *o, unsigned n, int syn, struct tcp_opts *out);
/* Write the options for a segment (flags, len data bytes) into o[40]:
 * returns their length (a multiple of 4). Notes Last.ACK.sent. */
unsigned tcp_opt_write(struct tcp_pcb *p, uint8_t flags, uint32_t len,
		       uint8_t *o, uint64_t now);
/* The peer's SYN (or SYN-ACK) options: negotiate TS and SACK, TS.Recent. */
void tcp_opt_syn(struct tcp_pcb *p, const struct tcp_opts *o, uint64_t now);
uint32_t tcp_ts_now(const struct tcp_pcb *p, uint64_t now);
/* RFC 7323 §5.3 R1 (PAWS) and §3.2 for a segment in a synchronized state:
 * 1 = drop it (an ACK was sent when due). Notes its TSecr. */
int tcp_ts_reject(struct tcp_pcb *p, const struct tcp_opts *o, uint8_t flags,
		  uint64_t now);
/* §4.3: an acceptable segment's TSval becomes TS.Recent when due. */
void tcp_ts_recent(struct tcp_pcb *p, const struct tcp_opts *o, uint32_t seq,
		   uint64_t now);
/* §4 RTTM: an ACK advancing SND.UNA, with the TSecr noted. */
void tcp_ts_rtt(struct tcp_pcb *p, uint64_t now);
/* Receiver: [seq...] was just queued out of order (block order). */
void tcp_sack_note(struct tcp_pcb *p, uint32_t seq);
/* Receiver: up to max SACK blocks from pcb->ooo, newest first. */
int tcp_sack_blocks(struct tcp_pcb *p, uint32_t *start, uint32_t *end, int max);
/* Sender scoreboard. */
void tcp_sack_add(struct tcp_pcb *p, uint32_t start, uint32_t end);
void tcp_sack_input(struct tcp_pcb *p, const struct tcp_opts *o, uint32_t ack);
void tcp_sack_reset(struct tcp_pcb *p);
int tcp_sack_is_lost(struct tcp_pcb *p, uint32_t seq);
uint32_t tcp_sack_pipe(struct tcp_pcb *p);
int tcp_sack_is_sacked(struct tcp_pcb *p, uint32_t seq);
/* RFC 6675 loss recovery (tcp_cc_* defer to these when sack_ok). */
void tcp_sack_dupack(struct tcp_pcb *p, uint64_t now);
int tcp_sack_cc_ack(struct tcp_pcb *p, uint64_t now); /* 1: handled */
uint32_t tcp_sack_usable(struct tcp_pcb *p);          /* new data in recovery */
/* tcp_out.c: send up to max bytes from seq (a retransmission or new
 * data at SND.NXT); returns the sequence space sent. */
uint32_t tcp_send_at(struct tcp_pcb *p, uint32_t seq, uint32_t max, uint64_t now);
/* ---- delayed ACK, Nagle, keepalive, linger, TCP_INFO ---- */
/* tcp_keep.c. Delayed ACKs (RFC 1122 §4.2.3.2, RFC 5681 §4.2): an ACK
 * for every second full-sized segment, else after TCP_DELACK_NS; at once
 * for out-of-order data, data filling a hole, a FIN (tcp_in.c sets
 * ack_now) and window updates (tcp.c). */
#define TCP_DELACK_NS (40000000ull)        /* Linux's TCP_ATO_MIN */
#define TCP_MAX_QUICKACKS 16               /* Linux's, for TCP_QUICKACK */
#define TCP_KEEPIDLE_DEF 7200              /* Linux's defaults (s, s, n) */
#define TCP_KEEPINTVL_DEF 75
#define TCP_KEEPCNT_DEF 9
#define TCP_EV_ACKED 16   /* all sent, FIN included, is acknowledged */
struct tcp_info_;
/* tcp_in.c: len in-window bytes of data arrived; ooo: out of order or
 * filling a hole (ACK now). Sets ack_now or arms the delayed ACK. */
void tcp_delack_data(struct tcp_pcb *p, uint32_t len, int ooo, uint64_t now);
/* tcp_in.c: an acceptable segment carrying ACK ack arrived (keepalive's
 * idle clock restarts, its probes are answered). Before SND.UNA moves. */
void tcp_keep_ack(struct tcp_pcb *p, uint32_t ack, uint64_t now);
/* tcp_out.c (emit): a segment left (ACK sent: no delayed ACK pending). */
void tcp_keep_emit(struct tcp_pcb *p, uint32_t seq, uint8_t flags,
		   uint32_t len, uint64_t now);
/* tcp_out.c: hold n bytes at ring offset off back (Nagle, with Minshall's
 * refinement as Linux, and sender SWS avoidance, RFC 1122 §4.2.3.4)? */
int tcp_nagle(const struct tcp_pcb *p, uint32_t off, uint32_t n);
/* tcp_timer.c: the delayed ACK and keepalive timers: 1 if p was freed. */
int tcp_keep_timers(struct tcp_pcb *p, uint64_t now);
uint64_t tcp_keep_next(const struct tcp_pcb *p);
/* Socket layer. TCP_NODELAY (on: sends what Nagle held), TCP_QUICKACK
 * (on: a pending ACK goes now, the next TCP_MAX_QUICKACKS at once). */
void tcp_pcb_set_nodelay(struct tcp_pcb *p, int on, uint64_t now);
void tcp_pcb_quickack(struct tcp_pcb *p, int on, uint64_t now);
/* SO_KEEPALIVE; TCP_KEEPIDLE/INTVL/CNT by index 0/1/2: 0 or -EINVAL
 * (Linux's ranges: 1..32767 s, 1..32767 s, 1..127). */
void tcp_pcb_keepalive(struct tcp_pcb *p, int on, uint64_t now);
int tcp_pcb_set_keep(struct tcp_pcb *p, int which, int val, uint64_t now);
int tcp_pcb_get_keep(const struct tcp_pcb *p, int which);
/* Everything sent (FIN included) acknowledged, or the connection is
 * over: what SO_LINGER waits for after the FIN (TCP_EV_ACKED wakes). */
int tcp_pcb_sent_acked(const struct tcp_pcb *p);
/* Options of src onto dst (accept, connect(AF_UNSPEC)). */
void tcp_pcb_inherit(struct tcp_pcb *dst, const struct tcp_pcb *src,
		     uint64_t now);
/* TCP_INFO: Linux's struct tcp_info (tcp_info.h) for p. */
void tcp_pcb_info(const struct tcp_pcb *p, struct tcp_info_ *ti, uint64_t now);

#endif
