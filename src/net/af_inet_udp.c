/*
 * af_inet_udp.c - AF_INET sockets: SOCK_DGRAM over the stack's UDP
 * protocol control blocks (uni/net.h udp_pcb_*); SOCK_STREAM goes to
 * af_inet_tcp.c (inet_tcp_create).
 *
 * Layer: kernel net, a family (uni/socket.h) named by socket.c's table.
 * The first socket brings networking up (net_init). Each socket owns one
 * pcb and a receive queue of netbufs bounded by SO_RCVBUF (counted as
 * Linux counts a buffer's true size; what does not fit is dropped and
 * counted). Each queued netbuf carries its struct udp_meta in front of
 * the payload (pushed into the headroom), so recvmsg can give the
 * sender's address and IP_PKTINFO/IP_TTL/IP_TOS. ICMP errors for a
 * connected socket (udp_pcb_on_error) become SO_ERROR, reported by the
 * next send or receive, as on Linux.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/net.h>
#include <uni/socket.h>
#include <uni/time.h>
#include "sock_priv.h"

#define UDP_MAX_PAYLOAD 65507 /* 65535 - 20 (IPv4) - 8 (UDP) */
#define NB_OVERHEAD 256       /* per-buffer cost charged to SO_RCVBUF */

struct udp_sock {
	struct socket *s;
	struct udp_pcb *pcb;
	struct netbuf *head, *tail; /* received, oldest first; each has
	                             * its udp_meta in front of the data */
	uint32_t rmem;              /* charged bytes of the queue */
	uint64_t drops;             /* datagrams SO_RCVBUF had no room for */
	uint32_t peer;              /* connected peer, network order */
	uint16_t pport;
	unsigned bound : 1, connected : 1, shut_rd : 1, shut_wr : 1,
		pktinfo : 1, recvttl : 1, recvtos : 1;
	uint8_t pmtudisc;           /* IP_MTU_DISCOVER, IP_PMTUDISC_* */
};

static const struct sock_ops udp_ops;

static uint32_t truesize(const struct netbuf *nb)
{
	return nb->size + NB_OVERHEAD;
}

/* ---- from the stack ----------------------------------------------------- */

static void udp_sock_recv(void *ctx, struct netbuf *nb,
			  const struct udp_meta *meta)
{
	struct udp_sock *us = ctx;
	struct socket *s = us->s;
	uint8_t *p;

	/* Linux's rule (__udp_enqueue_schedule_skb): admit while what is
	 * queued does not exceed SO_RCVBUF, whatever this one's size. */
	if (us->shut_rd || us->rmem > (uint32_t)s->rcvbuf) {
		us->drops++;
		netbuf_put(nb);
		return;
	}
	if (nb->refs > 1) {
		/* shared with another receiver: our push must not show */
		struct netbuf *c = netbuf_clone(nb);
		netbuf_put(nb);
		if (!(nb = c)) {
			us->drops++;
			return;
		}
	}
	p = netbuf_push(nb, sizeof(*meta));
	if (!p) {
		/* no headroom left: copy into a buffer that has it */
		struct netbuf *c = netbuf_alloc(nb->len);
		if (!c) {
			us->drops++;
			netbuf_put(nb);
			return;
		}
		memcpy(netbuf_append(c, nb->len), nb->data, nb->len);
		netbuf_put(nb);
		nb = c;
		p = netbuf_push(nb, sizeof(*meta));
		KASSERT(p);
	}
	memcpy(p, meta, sizeof(*meta));
	nb->next = NULL;
	if (us->tail)
		us->tail->next = nb;
	else
		us->head = nb;
	us->tail = nb;
	us->rmem += truesize(nb);
	waitq_wake(&s->wq, POLLIN | POLLRDNORM);
}

static void udp_sock_error(void *ctx, int err)
{
	struct udp_sock *us = ctx;

	us->s->error = err;
	waitq_wake(&us->s->wq, POLLERR);
}

/* ---- creation ------------------------------------------------------------- */

static int inet_create(struct socket *s, int type, int protocol, int kern)
{
	struct udp_sock *us;

	switch (type) {
	case SOCK_DGRAM:
		if (protocol && protocol != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		break;
	case SOCK_STREAM:
		if (protocol && protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		return inet_tcp_create(s); /* af_inet_tcp.c */
	case SOCK_RAW:
		return -EPROTONOSUPPORT;
	default:
		return -ESOCKTNOSUPPORT;
	}
	net_init();
	us = kzalloc(sizeof(*us));
	if (!us)
		return -ENOMEM;
	us->s = s;
	us->pmtudisc = IP_PMTUDISC_WANT; /* Linux's default for UDP */
	us->pcb = udp_pcb_new(udp_sock_recv, us);
	if (!us->pcb) {
		kfree(us);
		return -ENOMEM;
	}
	udp_pcb_on_error(us->pcb, udp_sock_error);
	s->protocol = IPPROTO_UDP;
	s->ops = &udp_ops;
	s->priv = us;
	return 0;
}

const struct sock_family inet_family = {
	.family = AF_INET,
	.create = inet_create,
};

/* ---- addresses ------------------------------------------------------------ */

static int udp_bind(struct socket *s, const struct sockaddr *a, socklen_t len)
{
	struct udp_sock *us = s->priv;
	struct sockaddr_in sin;
	int r;

	if (len < sizeof(sin))
		return -EINVAL;
	memcpy(&sin, a, sizeof(sin));
	if (sin.sin_family != AF_INET) {
		/* Linux accepts AF_UNSPEC for INADDR_ANY, for old programs */
		if (sin.sin_family != AF_UNSPEC ||
		    sin.sin_addr.s_addr != htonl(INADDR_ANY))
			return -EAFNOSUPPORT;
	}
	if (us->bound)
		return -EINVAL;
	r = udp_pcb_bind(us->pcb, sin.sin_addr.s_addr, sin.sin_port,
			 (s->reuseaddr ? UDP_REUSEADDR : 0) |
			 (s->reuseport ? UDP_REUSEPORT : 0));
	if (!r)
		us->bound = 1;
	return r;
}

static int udp_connect(struct socket *s, const struct sockaddr *a,
		       socklen_t len, int flags)
{
	struct udp_sock *us = s->priv;
	struct sockaddr_in sin;
	int r;

	if (len < sizeof(sa_family_t))
		return -EINVAL;
	if (a->sa_family == AF_UNSPEC) {
		/* disconnect: the pcb forgets its peer */
		r = udp_pcb_connect(us->pcb, 0, 0);
		if (!r)
			us->connected = 0;
		return r;
	}
	if (len < sizeof(sin))
		return -EINVAL;
	if (a->sa_family != AF_INET)
		return -EAFNOSUPPORT;
	memcpy(&sin, a, sizeof(sin));
	r = udp_pcb_connect(us->pcb, sin.sin_addr.s_addr, sin.sin_port);
	if (r)
		return r;
	us->connected = 1;
	us->bound = 1; /* connecting picked a local port */
	/* Linux: 0.0.0.0 means this host */
	us->peer = sin.sin_addr.s_addr ? sin.sin_addr.s_addr
				       : htonl(INADDR_LOOPBACK);
	us->pport = sin.sin_port;
	return 0;
}

static int udp_getname(struct socket *s, struct sockaddr *a, socklen_t *len,
		       int peer)
{
	struct udp_sock *us = s->priv;
	struct sockaddr_in sin = { .sin_family = AF_INET };

	if (peer) {
		if (!us->connected)
			return -ENOTCONN;
		sin.sin_addr.s_addr = us->peer;
		sin.sin_port = us->pport;
	} else {
		udp_pcb_local(us->pcb, &sin.sin_addr.s_addr, &sin.sin_port);
	}
	*len = MIN(*len, (socklen_t)sizeof(sin));
	memcpy(a, &sin, *len);
	*len = sizeof(sin);
	return 0;
}

/* ---- sending -------------------------------------------------------------- */

struct send_cmsg {
	struct udp_sock *us;
	int ttl, tos;         /* -1: the socket's */
};

static int udp_send_cmsg(void *ctx, int level, int type, const void *data,
			 size_t len)
{
	struct send_cmsg *c = ctx;
	struct in_pktinfo pi;
	uint32_t laddr;
	uint16_t lport;
	int v;

	if (level != IPPROTO_IP)
		return level == SOL_SOCKET ? -EINVAL : 0; /* Linux ignores others */
	switch (type) {
	case IP_TTL:
		if (len != sizeof(int))
			return -EINVAL;
		memcpy(&v, data, sizeof(v));
		if (v < 1 || v > 255)
			return -EINVAL;
		c->ttl = v;
		return 0;
	case IP_TOS:
		if (len == sizeof(int))
			memcpy(&v, data, sizeof(v));
		else if (len == 1)
			v = *(const uint8_t *)data;
		else
			return -EINVAL;
		if (v < 0 || v > 255)
			return -EINVAL;
		c->tos = v;
		return 0;
	case IP_PKTINFO:
		if (len != sizeof(pi))
			return -EINVAL;
		memcpy(&pi, data, sizeof(pi));
		/* The stack picks the source from the route; a program that
		 * asks for exactly that (or nothing) gets it, any other
		 * choice is not supported. */
		udp_pcb_local(c->us->pcb, &laddr, &lport);
		if (pi.ipi_ifindex ||
		    (pi.ipi_spec_dst.s_addr && pi.ipi_spec_dst.s_addr != laddr))
			return -EOPNOTSUPP;
		return 0;
	default:
		return -EINVAL;
	}
}

static long udp_sendmsg(struct socket *s, struct kmsg *m, int flags)
{
	struct udp_sock *us = s->priv;
	struct send_cmsg c = { .us = us, .ttl = -1, .tos = -1 };
	struct udp_opts *o = udp_pcb_opts(us->pcb), saved;
	uint32_t dst = 0;
	uint16_t dport = 0;
	size_t len = m->it->count;
	struct netbuf *nb;
	long r;

	/* Linux refuses only MSG_OOB; MSG_MORE would cork, which is not
	 * kept (each send is one datagram), so it is refused too. */
	if (flags & (MSG_OOB | MSG_MORE))
		return -EOPNOTSUPP;
	if (s->error) {
		r = -s->error;
		s->error = 0;
		return r;
	}
	if (us->shut_wr)
		return -EPIPE;
	if (m->name) {
		struct sockaddr_in sin;

		if (m->namelen < sizeof(sin))
			return -EINVAL;
		memcpy(&sin, m->name, sizeof(sin));
		if (sin.sin_family != AF_INET && sin.sin_family != AF_UNSPEC)
			return -EAFNOSUPPORT;
		if (!sin.sin_port)
			return -EINVAL;
		dst = sin.sin_addr.s_addr;
		dport = sin.sin_port;
		if (!dst)
			dst = htonl(INADDR_LOOPBACK); /* Linux: 0.0.0.0 is this host */
	} else if (!us->connected) {
		return -EDESTADDRREQ;
	}
	if (m->controllen) {
		r = sock_each_cmsg(m, udp_send_cmsg, &c);
		if (r)
			return r;
	}
	if (len > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	nb = netbuf_alloc(len);
	if (!nb)
		return -ENOBUFS;
	if (iter_copy_from(m->it, netbuf_append(nb, len), len) != len) {
		netbuf_put(nb);
		return -EFAULT;
	}
	saved = *o;
	o->broadcast = s->broadcast;
	if (c.ttl >= 0)
		o->ttl = (uint8_t)c.ttl;
	if (c.tos >= 0)
		o->tos = (uint8_t)c.tos;
	r = udp_pcb_send(us->pcb, nb, dst, dport, time_now_ns());
	o->ttl = saved.ttl;
	o->tos = saved.tos;
	if (r) {
		netbuf_put(nb);
		return r;
	}
	us->bound = 1; /* sending picked a local port */
	return (long)len;
}

/* ---- receiving ---------------------------------------------------------- */

static void put_cmsgs(struct udp_sock *us, struct kmsg *m,
		      const struct udp_meta *meta)
{
	if (us->pktinfo) {
		struct in_pktinfo pi = { .ipi_ifindex = meta->ifindex };
		struct netif *nif = netif_by_index(meta->ifindex);

		pi.ipi_addr.s_addr = meta->dst;
		/* the address a reply would come from */
		pi.ipi_spec_dst.s_addr = meta->dst;
		if (nif && nif->addr &&
		    (IN_MULTICAST(ntohl(meta->dst)) || meta->dst == 0xffffffff ||
		     meta->dst == (nif->addr | ~nif->netmask)))
			pi.ipi_spec_dst.s_addr = nif->addr;
		sock_put_cmsg(m, IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi));
	}
	if (us->recvttl) {
		int ttl = meta->ttl;
		sock_put_cmsg(m, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	}
	if (us->recvtos) {
		uint8_t tos = meta->tos;
		sock_put_cmsg(m, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	}
}

static long udp_recvmsg(struct socket *s, struct kmsg *m, int flags)
{
	struct udp_sock *us = s->priv;
	struct udp_meta meta;
	struct netbuf *nb;
	size_t len, n;
	long r;

	if (flags & MSG_ERRQUEUE)
		return -EAGAIN; /* no error queue: IP_RECVERR is not kept */
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	for (;;) {
		if (s->error) {
			r = -s->error;
			s->error = 0;
			return r;
		}
		if (us->head)
			break;
		if (us->shut_rd)
			return 0;
		r = sock_wait(s, POLLIN | POLLRDNORM, 0, flags);
		if (r)
			return r;
	}
	nb = us->head;
	memcpy(&meta, nb->data, sizeof(meta));
	len = nb->len - sizeof(meta);
	n = MIN(len, m->it->count);
	if (iter_copy_to(m->it, nb->data + sizeof(meta), n) != n)
		return -EFAULT;
	if (n < len)
		m->flags |= MSG_TRUNC;
	if (m->name) {
		struct sockaddr_in sin = { .sin_family = AF_INET,
					   .sin_port = meta.sport,
					   .sin_addr.s_addr = meta.src };
		memcpy(m->name, &sin, MIN(m->namecap, (socklen_t)sizeof(sin)));
		m->namelen = sizeof(sin);
	}
	put_cmsgs(us, m, &meta); /* MSG_CTRUNC without a buffer, as Linux */
	if (!(flags & MSG_PEEK)) {
		us->head = nb->next;
		if (!us->head)
			us->tail = NULL;
		us->rmem -= truesize(nb);
		nb->next = NULL;
		netbuf_put(nb);
	}
	return (long)((flags & MSG_TRUNC) ? len : n);
}

static int udp_pending(struct socket *s)
{
	struct udp_sock *us = s->priv;

	return us->head ? (int)(us->head->len - sizeof(struct udp_meta)) : 0;
}

static uint32_t udp_poll(struct socket *s, struct poll_table *pt)
{
	struct udp_sock *us = s->priv;
	uint32_t m = POLLOUT | POLLWRNORM | POLLWRBAND;

	if (us->head)
		m |= POLLIN | POLLRDNORM;
	if (s->error)
		m |= POLLERR;
	if (us->shut_rd)
		m |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (us->shut_rd && us->shut_wr)
		m |= POLLHUP;
	return m;
}

static int udp_shutdown(struct socket *s, int how)
{
	struct udp_sock *us = s->priv;

	/* Linux applies it even unconnected, then says ENOTCONN. */
	if (how == SHUT_RD || how == SHUT_RDWR)
		us->shut_rd = 1;
	if (how == SHUT_WR || how == SHUT_RDWR)
		us->shut_wr = 1;
	waitq_wake(&s->wq, POLLIN | POLLRDNORM | POLLRDHUP | POLLHUP);
	return us->connected ? 0 : -ENOTCONN;
}

static void udp_release(struct socket *s)
{
	struct udp_sock *us = s->priv;
	struct netbuf *nb, *next;

	udp_pcb_free(us->pcb);
	for (nb = us->head; nb; nb = next) {
		next = nb->next;
		nb->next = NULL;
		netbuf_put(nb);
	}
	kfree(us);
}

/* ---- options ---------------------------------------------------------------- */

/* The interface address an ip_mreq/ip_mreqn/in_addr names (0: default). */
static int mreq_ifaddr(const void *kval, socklen_t len, uint32_t *group,
		       uint32_t *ifaddr)
{
	struct ip_mreqn mn;

	if (len < sizeof(struct ip_mreq))
		return -EINVAL;
	memset(&mn, 0, sizeof(mn));
	memcpy(&mn, kval, MIN(len, (socklen_t)sizeof(mn)));
	*group = mn.imr_multiaddr.s_addr;
	*ifaddr = mn.imr_address.s_addr;
	if (len >= sizeof(mn) && mn.imr_ifindex) {
		struct netif *nif = netif_by_index(mn.imr_ifindex);
		if (!nif)
			return -ENODEV;
		*ifaddr = nif->addr;
	}
	return 0;
}

static int udp_setsockopt(struct socket *s, int level, int name,
			  const void *kval, socklen_t len)
{
	struct udp_sock *us = s->priv;
	struct udp_opts *o = udp_pcb_opts(us->pcb);
	uint32_t group, ifaddr;
	int v, r;

	if (level == SOL_SOCKET) {
		if (name == SO_BROADCAST)
			o->broadcast = s->broadcast;
		return -ENOPROTOOPT; /* the layer kept it */
	}
	if (level != IPPROTO_IP)
		return -ENOPROTOOPT;
	switch (name) {
	case IP_ADD_MEMBERSHIP:
	case IP_DROP_MEMBERSHIP:
		r = mreq_ifaddr(kval, len, &group, &ifaddr);
		if (r)
			return r;
		if (!IN_MULTICAST(ntohl(group)))
			return -EINVAL;
		return udp_pcb_join(us->pcb, group, ifaddr,
				    name == IP_ADD_MEMBERSHIP);
	case IP_MULTICAST_IF:
		if (len >= sizeof(struct ip_mreq)) {
			r = mreq_ifaddr(kval, len, &group, &ifaddr);
			if (r)
				return r;
		} else if (len >= sizeof(struct in_addr)) {
			memcpy(&ifaddr, kval, sizeof(ifaddr));
		} else {
			return -EINVAL;
		}
		if (ifaddr) {
			struct netif *nif;
			for (nif = netif_first(); nif; nif = nif->next)
				if (nif->addr == ifaddr)
					break;
			if (!nif)
				return -EADDRNOTAVAIL;
		}
		o->mcast_if = ifaddr;
		return 0;
	}
	r = sock_opt_int(kval, len, &v);
	if (r)
		return r;
	switch (name) {
	case IP_TTL:
		if (v == -1)
			v = 64; /* the default, net.ipv4.ip_default_ttl */
		if (v < 1 || v > 255)
			return -EINVAL;
		o->ttl = (uint8_t)v;
		return 0;
	case IP_TOS:
		o->tos = (uint8_t)v;
		return 0;
	case IP_MULTICAST_TTL:
		if (v == -1)
			v = 1;
		if (v < 0 || v > 255)
			return -EINVAL;
		o->mcast_ttl = (uint8_t)v;
		return 0;
	case IP_MULTICAST_LOOP:
		o->mcast_loop = !!v;
		return 0;
	case IP_PKTINFO:
		us->pktinfo = !!v;
		return 0;
	case IP_RECVTTL:
		us->recvttl = !!v;
		return 0;
	case IP_RECVTOS:
		us->recvtos = !!v;
		return 0;
	case IP_MTU_DISCOVER:
		/* No path MTU is learnt: the interface MTU is the path's, so
		 * DONT, WANT, INTERFACE and OMIT all fragment above it (WANT
		 * without Linux's DF on the smaller ones); DO and PROBE set
		 * DF and refuse a larger datagram with EMSGSIZE. */
		if (v < IP_PMTUDISC_DONT || v > IP_PMTUDISC_OMIT)
			return -EINVAL;
		us->pmtudisc = (uint8_t)v;
		o->df = v == IP_PMTUDISC_DO || v == IP_PMTUDISC_PROBE;
		return 0;
	}
	return -ENOPROTOOPT;
}

static int udp_getsockopt(struct socket *s, int level, int name, void *kval,
			  socklen_t *len)
{
	struct udp_sock *us = s->priv;
	struct udp_opts *o = udp_pcb_opts(us->pcb);
	int v;

	if (level != IPPROTO_IP)
		return -ENOPROTOOPT;
	switch (name) {
	case IP_TTL: v = o->ttl; break;
	case IP_TOS: v = o->tos; break;
	case IP_MULTICAST_TTL: v = o->mcast_ttl; break;
	case IP_MULTICAST_LOOP: v = o->mcast_loop; break;
	case IP_PKTINFO: v = us->pktinfo; break;
	case IP_RECVTTL: v = us->recvttl; break;
	case IP_RECVTOS: v = us->recvtos; break;
	case IP_MTU_DISCOVER: v = us->pmtudisc; break;
	case IP_MULTICAST_IF:
		*len = MIN(*len, (socklen_t)sizeof(struct in_addr));
		memcpy(kval, &o->mcast_if, *len);
		return 0;
	default:
		return -ENOPROTOOPT;
	}
	/* Linux answers in one byte when asked with a shorter buffer */
	if (*len < sizeof(int) && *len > 0 && v >= 0 && v <= 255) {
		*(uint8_t *)kval = (uint8_t)v;
		*len = 1;
		return 0;
	}
	return sock_put_int(kval, len, v);
}

static const struct sock_ops udp_ops = {
	.bind = udp_bind,
	.connect = udp_connect,
	.sendmsg = udp_sendmsg,
	.recvmsg = udp_recvmsg,
	.shutdown = udp_shutdown,
	.getname = udp_getname,
	.setsockopt = udp_setsockopt,
	.getsockopt = udp_getsockopt,
	.poll = udp_poll,
	.pending = udp_pending,
	.release = udp_release,
};
