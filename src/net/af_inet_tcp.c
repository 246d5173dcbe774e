/*
 * af_inet_tcp.c - AF_INET SOCK_STREAM sockets over the TCP protocol
 * control blocks of tcp_priv.h (tcp_pcb_*).
 *
 * Layer: kernel net, the stream half of the inet family: af_inet_udp.c's
 * inet_create calls inet_tcp_create for SOCK_STREAM. Each socket owns one
 * pcb; the pcb's event callback only wakes s->wq (and records the error
 * for SO_ERROR); the woken thread calls back into tcp. Data is copied
 * once, between the iov_iter and the pcb's rings (received bytes are
 * consumed, sent ones queued, only as far as the copy got).
 * Every call that may send runs under loopback_hold() so a reply over
 * lo is delivered after the pcb finished its output, never inside it.
 * Errors live in s->error (SO_ERROR); the pcb's copy is dropped before
 * each call so one error is reported once. Options: TCP_NODELAY,
 * TCP_QUICKACK, SO_KEEPALIVE (sockopt.c passes SOL_SOCKET options on),
 * TCP_KEEPIDLE/INTVL/CNT, TCP_INFO (tcp_keep.c keeps them in the pcb);
 * SO_LINGER with a time makes close wait for the FIN's ACK;
 * connect(AF_UNSPEC) disconnects, as Linux. TCP_CORK and setting
 * TCP_MAXSEG are not implemented (-ENOPROTOOPT).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/net.h>
#include <uni/socket.h>
#include <uni/time.h>
#include <uni/uaccess.h>
#include "sock_priv.h"
#include "tcp_priv.h"

#include "tcp_info.h"    /* Linux's option numbers and struct tcp_info */

#define EV_ALL (POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT | POLLWRNORM | \
		POLLERR | POLLHUP)

struct tcp_sock {
	struct socket *s;
	struct tcp_pcb *pcb;
	unsigned listening : 1, connecting : 1;
	unsigned bound : 1;        /* bind() chose the port: kept on disconnect */
};

static const struct sock_ops tcp_ops;

static void tcp_sock_event(void *ctx, unsigned ev, int err)
{
	struct tcp_sock *ts = ctx;

	if (!ts)
		return;
	if ((ev & TCP_EV_ERROR) && err)
		ts->s->error = err;
	waitq_wake(&ts->s->wq, EV_ALL);
}

/* Take the socket's pending error as -errno (0: none). */
static int take_error(struct socket *s)
{
	int e = s->error;

	s->error = 0;
	return -e;
}

/* The pcb's copy of an error is s->error's (set by the callback). */
static void drop_pcb_error(struct tcp_sock *ts)
{
	(void)tcp_pcb_error(ts->pcb);
}

static struct tcp_sock *tcp_sock_new(struct socket *s)
{
	struct tcp_sock *ts = kzalloc(sizeof(*ts));

	if (!ts)
		return NULL;
	ts->s = s;
	s->family = AF_INET;
	s->type = SOCK_STREAM;
	s->protocol = IPPROTO_TCP;
	s->ops = &tcp_ops;
	s->priv = ts;
	return ts;
}

int inet_tcp_create(struct socket *s)
{
	struct tcp_sock *ts;

	net_init();
	if (!(ts = tcp_sock_new(s)))
		return -ENOMEM;
	if (!(ts->pcb = tcp_pcb_new(tcp_sock_event, ts))) {
		kfree(ts);
		s->priv = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Buffer sizes from SO_SNDBUF/SO_RCVBUF (doubled as Linux reports them),
 * before the pcb allocates its rings. */
static void apply_bufs(struct tcp_sock *ts)
{
	tcp_pcb_set_bufs(ts->pcb, (uint32_t)ts->s->sndbuf / 2,
			 (uint32_t)ts->s->rcvbuf / 2);
}

/* ---- addresses ------------------------------------------------------------ */

static int get_sin(const struct sockaddr *a, socklen_t len,
		   struct sockaddr_in *sin)
{
	if (len < sizeof(*sin))
		return -EINVAL;
	memcpy(sin, a, sizeof(*sin));
	return 0;
}

static int tcp_bind(struct socket *s, const struct sockaddr *a, socklen_t len)
{
	struct tcp_sock *ts = s->priv;
	struct sockaddr_in sin;
	int r;

	if ((r = get_sin(a, len, &sin)))
		return r;
	if (sin.sin_family != AF_INET &&
	    (sin.sin_family != AF_UNSPEC ||
	     sin.sin_addr.s_addr != htonl(INADDR_ANY)))
		return -EAFNOSUPPORT;
	/* SO_REUSEADDR/SO_REUSEPORT: the rules are tcp_pcb_bind's */
	tcp_pcb_set_reuse(ts->pcb, (s->reuseaddr ? TCP_REUSE_ADDR : 0) |
			  (s->reuseport ? TCP_REUSE_PORT : 0));
	r = tcp_pcb_bind(ts->pcb, sin.sin_addr.s_addr, sin.sin_port);
	if (!r && sin.sin_port)
		ts->bound = 1; /* Linux's SOCK_BINDPORT_LOCK */
	return r;
}

static int tcp_getname(struct socket *s, struct sockaddr *a, socklen_t *len,
		       int peer)
{
	struct tcp_sock *ts = s->priv;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	uint8_t st = ts->pcb->state;

	if (peer) {
		if (st == TCP_CLOSED || st == TCP_LISTEN || st == TCP_SYN_SENT)
			return -ENOTCONN;
		tcp_pcb_peer(ts->pcb, &sin.sin_addr.s_addr, &sin.sin_port);
	} else {
		tcp_pcb_local(ts->pcb, &sin.sin_addr.s_addr, &sin.sin_port);
	}
	*len = MIN(*len, (socklen_t)sizeof(sin));
	memcpy(a, &sin, *len);
	*len = sizeof(sin);
	return 0;
}

/* ---- connections ---------------------------------------------------------- */

static int tcp_listen(struct socket *s, int backlog)
{
	struct tcp_sock *ts = s->priv;
	int r;

	if (ts->connecting)
		return -EINVAL;
	apply_bufs(ts);
	if ((r = tcp_pcb_listen(ts->pcb, backlog)))
		return r;
	ts->listening = 1;
	s->acceptconn = 1;
	return 0;
}

static int tcp_accept(struct socket *s, struct socket **out, int flags)
{
	struct tcp_sock *ts = s->priv, *nts;
	struct socket *ns;
	struct tcp_pcb *c;
	int err;

	(void)flags; /* the listener's file flags: sock_wait reads them */
	for (;;) {
		if (!ts->listening || ts->pcb->state != TCP_LISTEN)
			return -EINVAL;
		if (ts->pcb->accq)
			break;
		if ((err = sock_wait(s, POLLIN, 0, 0)))
			return err;
	}
	if (!(ns = sock_alloc()))
		return -ENOMEM;
	if (!(nts = tcp_sock_new(ns))) {
		kfree(sock_full(ns));
		return -ENOMEM;
	}
	c = tcp_pcb_accept(ts->pcb, tcp_sock_event, nts);
	nts->pcb = c; /* not NULL: nothing ran since accq was seen */
	tcp_pcb_inherit(c, ts->pcb, time_now_ns()); /* NODELAY, keepalive */
	ns->keepalive = s->keepalive;
	sock_full(ns)->linger = sock_full(s)->linger;
	ns->sndbuf = s->sndbuf;
	ns->rcvbuf = s->rcvbuf;
	*out = ns;
	return 0;
}

/* connect(AF_UNSPEC), Linux's tcp_disconnect: the connection (or the
 * listener) is aborted, a RST if synchronized, and the socket starts over
 * unconnected with its options and, if bind() chose one, its port. */
static int tcp_disconnect(struct socket *s)
{
	struct tcp_sock *ts = s->priv;
	struct tcp_pcb *old = ts->pcb, *np = tcp_pcb_new(tcp_sock_event, ts);
	uint64_t now = time_now_ns();
	uint32_t addr;
	uint16_t port;

	if (!np)
		return -ENOMEM;
	tcp_pcb_inherit(np, old, now);
	tcp_pcb_local(old, &addr, &port);
	loopback_hold();
	old->ev = NULL;
	old->ctx = NULL;
	tcp_pcb_abort(old, now);
	loopback_release();
	ts->pcb = np;
	if (ts->bound) {
		tcp_pcb_set_reuse(np, (s->reuseaddr ? TCP_REUSE_ADDR : 0) |
				  (s->reuseport ? TCP_REUSE_PORT : 0));
		if (tcp_pcb_bind(np, addr, port))
			ts->bound = 0; /* taken meanwhile: an ephemeral one later */
	}
	ts->listening = ts->connecting = 0;
	s->acceptconn = 0;
	waitq_wake(&s->wq, EV_ALL);
	return 0;
}

static int tcp_connect(struct socket *s, const struct sockaddr *a,
		       socklen_t len, int fflags)
{
	struct tcp_sock *ts = s->priv;
	struct sockaddr_in sin;
	int r;

	if (len >= sizeof(sa_family_t) && a->sa_family == AF_UNSPEC)
		return tcp_disconnect(s);
	if ((r = get_sin(a, len, &sin)))
		return r;
	if (sin.sin_family != AF_INET)
		return -EAFNOSUPPORT;
	drop_pcb_error(ts);
	if (!ts->connecting) {
		if (ts->listening)
			return -EISCONN;
		apply_bufs(ts);
		loopback_hold();
		r = tcp_pcb_connect(ts->pcb, sin.sin_addr.s_addr, sin.sin_port,
				    time_now_ns());
		loopback_release();
		if (r)
			return r;
		ts->connecting = 1;
		if (fflags & O_NONBLOCK)
			return -EINPROGRESS;
	} else if (fflags & O_NONBLOCK) {
		if (ts->pcb->state == TCP_SYN_SENT)
			return -EALREADY;
	}
	while (ts->pcb->state == TCP_SYN_SENT) {
		r = sock_wait(s, POLLOUT, 1, 0);
		drop_pcb_error(ts);
		if (r == -EAGAIN)
			return -EINPROGRESS; /* SO_SNDTIMEO passed, as Linux */
		if (r)
			return r;
	}
	ts->connecting = 0;
	if (s->error)
		return take_error(s);
	if (ts->pcb->state == TCP_CLOSED)
		return -ECONNREFUSED;
	return 0;
}

static int tcp_shutdown(struct socket *s, int how)
{
	struct tcp_sock *ts = s->priv;
	int r;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	if (ts->listening) {
		/* Linux: shutting down a listener stops it. */
		if (how == SHUT_WR)
			return -ENOTCONN;
		loopback_hold();
		tcp_pcb_abort(ts->pcb, time_now_ns());
		loopback_release();
		ts->listening = 0;
		s->acceptconn = 0;
		if (!(ts->pcb = tcp_pcb_new(tcp_sock_event, ts)))
			return -ENOMEM; /* release copes with no pcb */
		waitq_wake(&s->wq, EV_ALL);
		return 0;
	}
	loopback_hold();
	r = tcp_pcb_shutdown(ts->pcb, how, time_now_ns());
	loopback_release();
	waitq_wake(&s->wq, EV_ALL);
	return r;
}

/* ---- data ----------------------------------------------------------------- */

static long tcp_sendmsg(struct socket *s, struct kmsg *m, int flags)
{
	struct tcp_sock *ts = s->priv;
	struct iov_iter *it = m->it;
	size_t total = 0;
	long r = 0;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP; /* no urgent data */
	for (;;) {
		struct tcp_pcb *p = ts->pcb;
		size_t c = 0, k;
		uint8_t *run;

		drop_pcb_error(ts);
		if (s->error) {
			r = take_error(s);
			break;
		}
		r = tcp_pcb_send_room(p, it->count);
		if (r == -EAGAIN) {
			if ((r = sock_wait(s, POLLOUT, 1, flags)))
				break;
			continue;
		}
		if (r <= 0)
			break; /* all sent (0), or the state's error */
		/* Straight into the send ring; only what arrived is queued. */
		while (c < (size_t)r &&
		       (k = tcp_pcb_sbuf_run(p, (uint32_t)c, &run))) {
			size_t part = MIN(k, (size_t)r - c);
			size_t got = iter_copy_from(it, run, part);

			c += got;
			if (got < part)
				break; /* a fault */
		}
		if (c) {
			loopback_hold();
			tcp_pcb_commit(p, (uint32_t)c, time_now_ns());
			loopback_release();
			total += c;
		}
		if (c < (size_t)r) {
			r = -EFAULT;
			break;
		}
		r = 0;
		if (!it->count)
			break;
	}
	if (r == -ENOTCONN)
		r = -EPIPE; /* Linux's sk_stream_wait_connect: never connected */
	return total ? (long)total : r;
}

static long tcp_recvmsg(struct socket *s, struct kmsg *m, int flags)
{
	struct tcp_sock *ts = s->priv;
	struct iov_iter *it = m->it;
	size_t want = it->count, copied = 0, target;
	int peek = !!(flags & MSG_PEEK);
	long r = 0;

	m->namelen = 0;
	if (flags & MSG_OOB)
		return -EINVAL; /* no urgent data */
	if (ts->listening)
		return -ENOTCONN;
	if (!want)
		return 0;
	target = flags & MSG_WAITALL && !peek ? want :
		MIN(want, (size_t)MAX(s->rcvlowat, 1));
	for (;;) {
		drop_pcb_error(ts);
		r = tcp_pcb_readable(ts->pcb);
		if (r > 0) {
			/* Straight from the ring; only what reached the
			 * program is consumed (a fault leaves the rest). */
			size_t n = MIN(want - copied, (size_t)r), c = 0, k;
			const uint8_t *run;

			while (c < n && (k = tcp_pcb_rbuf_run(ts->pcb,
							      (uint32_t)c, &run))) {
				size_t part = MIN(k, n - c);
				size_t got = iter_copy_to(it, run, part);

				c += got;
				if (got < part)
					break; /* a fault */
			}
			if (!peek) {
				loopback_hold();
				tcp_pcb_consume(ts->pcb, (uint32_t)c, time_now_ns());
				loopback_release();
			}
			copied += c;
			if (c < n) {
				r = -EFAULT;
				break;
			}
			r = 0;
			if (peek || copied >= target)
				break;
			continue;
		}
		if (s->error) {
			if (!copied)
				r = take_error(s);
			break;
		}
		if (r != -EAGAIN)
			break; /* 0: end of stream; -ENOTCONN */
		if ((r = sock_wait(s, POLLIN, 0, flags)))
			break;
	}
	return copied ? (long)copied : r;
}

/* ---- readiness, options ------------------------------------------------- */

static uint32_t tcp_poll(struct socket *s, struct poll_table *pt)
{
	struct tcp_sock *ts = s->priv;
	struct tcp_pcb *p = ts->pcb;
	uint32_t m = 0;
	int over, rcv_shut, snd_shut;

	(void)pt; /* socket.c queues on s->wq, the only queue we wake */
	if (!p)
		return POLLHUP | POLLERR;
	if (p->state == TCP_LISTEN)
		return p->accq ? POLLIN | POLLRDNORM : 0;
	over = p->state == TCP_CLOSED && p->sbuf; /* was connected */
	rcv_shut = p->rcv_fin || p->rd_shut || over;
	snd_shut = p->fin_queued || over;
	if (s->error)
		m |= POLLERR;
	if ((rcv_shut && snd_shut) || p->state == TCP_CLOSED)
		m |= POLLHUP; /* as Linux's tcp_poll, also when never connected */
	if (rcv_shut)
		m |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (p->state != TCP_SYN_SENT && p->state != TCP_SYN_RECEIVED) {
		if (p->rbuf_len)
			m |= POLLIN | POLLRDNORM;
		if (snd_shut || p->sbuf_len < p->sbuf_max)
			m |= POLLOUT | POLLWRNORM;
	}
	return m;
}

static int tcp_pending(struct socket *s)
{
	struct tcp_sock *ts = s->priv;

	if (ts->listening)
		return -EINVAL;
	return (int)ts->pcb->rbuf_len;
}

static long tcp_ioctl(struct socket *s, unsigned long req, void *uarg)
{
	struct tcp_sock *ts = s->priv;
	int n;

	if (req != TIOCOUTQ)
		return -ENOTTY;
	if (ts->listening)
		return -EINVAL;
	n = (int)ts->pcb->sbuf_len;
	return copy_to_user(uarg, &n, sizeof(n)) ? -EFAULT : 0;
}

static int tcp_setsockopt(struct socket *s, int level, int name,
			  const void *kval, socklen_t len)
{
	struct tcp_sock *ts = s->priv;
	int v, r;

	if (!ts->pcb)
		return -ENOMEM; /* a failed listener shutdown left none */
	if (level == SOL_SOCKET) {
		if (name == SO_SNDBUF || name == SO_RCVBUF)
			apply_bufs(ts); /* only before the rings exist */
		if (name == SO_KEEPALIVE) /* the layer stored it: the pcb acts */
			tcp_pcb_keepalive(ts->pcb, s->keepalive, time_now_ns());
		return -ENOPROTOOPT; /* the layer kept it */
	}
	if (level != IPPROTO_TCP)
		return -ENOPROTOOPT;
	if (len < sizeof(int))
		return -EINVAL; /* Linux's do_tcp_setsockopt */
	if ((r = sock_opt_int(kval, len, &v)))
		return r;
	r = -ENOPROTOOPT;
	loopback_hold(); /* NODELAY and QUICKACK may send */
	switch (name) {
	case TCP_NODELAY:
		tcp_pcb_set_nodelay(ts->pcb, v, time_now_ns());
		r = 0;
		break;
	case TCP_QUICKACK:
		tcp_pcb_quickack(ts->pcb, v, time_now_ns());
		r = 0;
		break;
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
	case TCP_KEEPCNT:
		r = tcp_pcb_set_keep(ts->pcb, name - TCP_KEEPIDLE, v, time_now_ns());
		break;
	}
	loopback_release();
	return r;
}

static int tcp_getsockopt(struct socket *s, int level, int name, void *kval,
			  socklen_t *len)
{
	struct tcp_sock *ts = s->priv;
	struct tcp_info_ ti;

	if (level != IPPROTO_TCP)
		return -ENOPROTOOPT;
	if (!ts->pcb)
		return -ENOMEM;
	switch (name) {
	case TCP_NODELAY:
		return sock_put_int(kval, len, ts->pcb->nodelay);
	case TCP_QUICKACK:
		return sock_put_int(kval, len, ts->pcb->quick != 0);
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
	case TCP_KEEPCNT:
		return sock_put_int(kval, len,
				    tcp_pcb_get_keep(ts->pcb, name - TCP_KEEPIDLE));
	case TCP_INFO: /* Linux: a shorter buffer gets a prefix */
		tcp_pcb_info(ts->pcb, &ti, time_now_ns());
		*len = MIN(*len, (socklen_t)sizeof(ti));
		memcpy(kval, &ti, *len);
		return 0;
	case TCP_MAXSEG:
		return sock_put_int(kval, len, ts->pcb->mss ? ts->pcb->mss :
				    TCP_DEFAULT_MSS);
	}
	return -ENOPROTOOPT;
}

/* SO_LINGER with a time (Linux's tcp_close and sk_stream_wait_close):
 * the FIN goes now and close waits until it and all data before it are
 * acknowledged, the time passes or a signal comes; whatever is left then
 * goes on in the background (Linux sends no RST for that). Unread data
 * makes close a reset at once instead; O_NONBLOCK never waits. */
static void linger_wait(struct socket *s, struct tcp_sock *ts, int secs)
{
	struct tcp_pcb *p = ts->pcb;
	uint64_t deadline = secs > 0 ?
		time_now_ns() + (uint64_t)secs * NSEC_PER_SEC : 0;

	if (p->rbuf_len || (s->file && (s->file->flags & O_NONBLOCK)))
		return;
	loopback_hold();
	if (tcp_pcb_shutdown(p, SHUT_WR, time_now_ns())) {
		loopback_release();
		return; /* not connected: nothing to wait for */
	}
	loopback_release();
	/* p stays: the core frees only orphans and embryos */
	while (!tcp_pcb_sent_acked(p))
		if (waitq_block(&s->wq, 0, deadline))
			break; /* -ETIMEDOUT or -EINTR */
}

static void tcp_release(struct socket *s)
{
	struct tcp_sock *ts = s->priv;
	struct linger *l = &sock_full(s)->linger;

	if (ts->pcb && l->l_onoff && l->l_linger)
		linger_wait(s, ts, l->l_linger);
	if (ts->pcb) {
		loopback_hold();
		ts->pcb->ev = NULL;
		ts->pcb->ctx = NULL;
		if (l->l_onoff && !l->l_linger)
			tcp_pcb_abort(ts->pcb, time_now_ns()); /* RST, as Linux */
		else
			tcp_pcb_close(ts->pcb, time_now_ns());
		loopback_release();
	}
	kfree(ts);
}

static const struct sock_ops tcp_ops = {
	.bind = tcp_bind,
	.connect = tcp_connect,
	.listen = tcp_listen,
	.accept = tcp_accept,
	.sendmsg = tcp_sendmsg,
	.recvmsg = tcp_recvmsg,
	.shutdown = tcp_shutdown,
	.getname = tcp_getname,
	.setsockopt = tcp_setsockopt,
	.getsockopt = tcp_getsockopt,
	.poll = tcp_poll,
	.ioctl = tcp_ioctl,
	.pending = tcp_pending,
	.release = tcp_release,
};
