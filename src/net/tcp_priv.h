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
	/* ---- delayed ACK, Nagle, keepalive, linger (tcp_timer.c, tcp_out.c) -- */
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
/* Copy out up to len bytes: count, 0 at EOF, -EAGAIN, -ENOTCONN or a
 * pending error (-ECONNRESET...). peek leaves the data. */
long tcp_pcb_recv(struct tcp_pcb *pcb, void *buf, size_t len, int peek,
		  uint64_t now_ns);
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
/* Run expired timers; returns the next deadline (0: none). */
uint64_t tcp_timers(uint64_t now_ns);
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
/* ---- delayed ACK, Nagle, keepalive, linger, TCP_INFO ---- */

#endif
