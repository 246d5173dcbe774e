/*
 * af_netlink.c - AF_NETLINK sockets, NETLINK_ROUTE only: the interface
 * and address dumps that musl's getifaddrs and if_nameindex read
 * (RTM_GETLINK, RTM_GETADDR with NLM_F_DUMP), and RTM_GETLINK of one
 * interface. Other requests are answered with an NLMSG_ERROR of
 * -EOPNOTSUPP, as Linux answers a type it does not handle.
 *
 * Layer: kernel net, a family (uni/socket.h) named by socket.c's table,
 * over the interface list (uni/net.h). Requests are answered during the
 * send, so the replies are queued before send returns: musl reads them
 * with MSG_DONTWAIT. A reply is one or more datagrams of whole messages
 * (at most NL_CHUNK bytes each, as Linux fills a dump skb), read one per
 * recvmsg; a short buffer truncates it (MSG_TRUNC).
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/net.h>
#include <uni/proc.h>
#include <uni/socket.h>
#include "nl_prot.h"
#include "sock_priv.h"

#define NL_CHUNK 3776   /* Linux's NLMSG_GOODSIZE on 4 KiB pages */
#define NL_REQ_MAX 32768

struct nl_dgram {
	struct nl_dgram *next;
	uint32_t len;
	uint8_t data[];
};

struct nl_sock {
	struct socket *s;
	struct nl_dgram *head, *tail;
	uint32_t rmem;
	uint32_t pid;         /* nl_pid: 0 until bound */
	uint32_t groups;
	struct nl_sock *next; /* all netlink sockets, for unique pids */
	/* the datagram being built */
	struct nl_dgram *cur;
	int err;              /* -ENOMEM/-ENOBUFS while building */
};

static struct nl_sock *nl_socks;
static const struct sock_ops nl_ops;

static int nl_create(struct socket *s, int type, int protocol, int kern)
{
	struct nl_sock *ns;

	if (type != SOCK_RAW && type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != NETLINK_ROUTE)
		return -EPROTONOSUPPORT;
	/* The interfaces are what it answers about: bring them up. */
	net_init();
	ns = kzalloc(sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	ns->s = s;
	ns->next = nl_socks;
	nl_socks = ns;
	s->ops = &nl_ops;
	s->priv = ns;
	return 0;
}

const struct sock_family netlink_family = {
	.family = AF_NETLINK,
	.create = nl_create,
};

static int pid_used(uint32_t pid)
{
	for (struct nl_sock *n = nl_socks; n; n = n->next)
		if (n->pid == pid)
			return 1;
	return 0;
}

/* Linux's autobind: the process id first, then negative numbers. */
static void autobind(struct nl_sock *ns)
{
	static int32_t next = -4096;

	if (ns->pid)
		return;
	if (!pid_used(UNI_PID)) {
		ns->pid = UNI_PID;
		return;
	}
	while (pid_used((uint32_t)next))
		next--;
	ns->pid = (uint32_t)next--;
}

static int nl_bind(struct socket *s, const struct sockaddr *a, socklen_t len)
{
	struct nl_sock *ns = s->priv;
	struct sockaddr_nl sa;

	if (len < sizeof(sa))
		return -EINVAL;
	memcpy(&sa, a, sizeof(sa));
	if (sa.nl_family != AF_NETLINK)
		return -EINVAL;
	if (ns->pid) {
		if (sa.nl_pid && sa.nl_pid != ns->pid)
			return -EINVAL;
	} else if (sa.nl_pid) {
		if (pid_used(sa.nl_pid))
			return -EADDRINUSE;
		ns->pid = sa.nl_pid;
	} else {
		autobind(ns);
	}
	/* Groups are kept: the interfaces never change after start-up, so
	 * there is never an event to send to them. */
	ns->groups = sa.nl_groups;
	return 0;
}

static int nl_connect(struct socket *s, const struct sockaddr *a,
		      socklen_t len, int flags)
{
	struct nl_sock *ns = s->priv;
	struct sockaddr_nl sa;

	if (len < sizeof(sa_family_t))
		return -EINVAL;
	if (a->sa_family == AF_UNSPEC)
		return 0;
	if (len < sizeof(sa))
		return -EINVAL;
	memcpy(&sa, a, sizeof(sa));
	if (sa.nl_family != AF_NETLINK)
		return -EINVAL;
	if (sa.nl_pid || sa.nl_groups)
		return -EOPNOTSUPP; /* only the kernel answers here */
	autobind(ns);
	return 0;
}

static int nl_getname(struct socket *s, struct sockaddr *a, socklen_t *len,
		      int peer)
{
	struct nl_sock *ns = s->priv;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (!peer) {
		sa.nl_pid = ns->pid;
		sa.nl_groups = ns->groups;
	}
	*len = MIN(*len, (socklen_t)sizeof(sa));
	memcpy(a, &sa, *len);
	*len = sizeof(sa);
	return 0;
}

/* ---- building replies ----------------------------------------------------- */

static void nl_flush(struct nl_sock *ns)
{
	struct nl_dgram *d = ns->cur;

	if (!d)
		return;
	ns->cur = NULL;
	if (ns->tail)
		ns->tail->next = d;
	else
		ns->head = d;
	ns->tail = d;
	ns->rmem += d->len;
	waitq_wake(&ns->s->wq, POLLIN | POLLRDNORM);
}

/* Room for a message of len bytes (aligned) at the end of the datagram
 * being built, zeroed; NULL (and ns->err) when out of memory or when
 * SO_RCVBUF has no room (Linux: ENOBUFS on the socket). */
static void *nl_room(struct nl_sock *ns, size_t len)
{
	void *p;

	len = NLMSG_ALIGN(len);
	if (ns->err)
		return NULL;
	if (ns->cur && ns->cur->len + len > NL_CHUNK)
		nl_flush(ns);
	if (!ns->cur) {
		size_t cap = MAX(len, (size_t)NL_CHUNK);
		if (ns->rmem + cap > (uint32_t)ns->s->rcvbuf) {
			ns->err = -ENOBUFS;
			return NULL;
		}
		ns->cur = kmalloc(sizeof(*ns->cur) + cap);
		if (!ns->cur) {
			ns->err = -ENOMEM;
			return NULL;
		}
		ns->cur->next = NULL;
		ns->cur->len = 0;
	}
	p = ns->cur->data + ns->cur->len;
	memset(p, 0, len);
	ns->cur->len += (uint32_t)len;
	return p;
}

/* A message under construction: attributes go after its fixed part. */
struct nl_build {
	uint8_t buf[512];
	size_t len;
};

static void *nlb_start(struct nl_build *b, const struct nlmsghdr *req,
		       uint16_t type, uint16_t flags, uint32_t pid,
		       size_t fixed)
{
	struct nlmsghdr *h = (struct nlmsghdr *)b->buf;

	memset(b->buf, 0, sizeof(b->buf));
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = req->nlmsg_seq;
	h->nlmsg_pid = pid;
	b->len = NLMSG_LENGTH(fixed);
	return NLMSG_DATA(h);
}

static void nlb_attr(struct nl_build *b, uint16_t type, const void *data,
		     size_t len)
{
	struct rtattr *a;

	b->len = NLMSG_ALIGN(b->len);
	if (b->len + RTA_SPACE(len) > sizeof(b->buf))
		return; /* our attributes always fit: a bug if not */
	a = (struct rtattr *)(b->buf + b->len);
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	b->len += RTA_SPACE(len);
}

static void nlb_put(struct nl_sock *ns, struct nl_build *b)
{
	struct nlmsghdr *h = (struct nlmsghdr *)b->buf;
	void *p;

	h->nlmsg_len = (uint32_t)b->len;
	p = nl_room(ns, b->len);
	if (p)
		memcpy(p, b->buf, b->len);
}

static void nl_error(struct nl_sock *ns, const struct nlmsghdr *req, int err)
{
	struct nl_build b;
	struct nlmsgerr *e = nlb_start(&b, req, NLMSG_ERROR, 0, ns->pid,
				       sizeof(*e));

	e->error = err;
	memcpy(&e->msg, req, sizeof(*req)); /* the header only (CAP_ACK) */
	nlb_put(ns, &b);
}

static void nl_done(struct nl_sock *ns, const struct nlmsghdr *req)
{
	struct nl_build b;
	int *zero = nlb_start(&b, req, NLMSG_DONE, NLM_F_MULTI, ns->pid,
			      sizeof(int));

	*zero = 0;
	nlb_put(ns, &b);
}

static uint32_t if_flags(const struct netif *nif)
{
	uint32_t f = nif->flags;

	if (f & IFF_RUNNING)
		f |= IFF_LOWER_UP; /* carrier, as Linux reports it */
	return f;
}

static void put_link(struct nl_sock *ns, const struct nlmsghdr *req,
		     const struct netif *nif, uint16_t flags)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];
	int lo = nif->flags & IFF_LOOPBACK;
	struct rtnl_link_stats st;
	struct nl_build b;
	struct ifinfomsg *ifi = nlb_start(&b, req, RTM_NEWLINK, flags, ns->pid,
					  sizeof(*ifi));
	uint32_t mtu = nif->mtu, txq = 1000; /* Linux's default queue length */
	uint8_t oper = (nif->flags & IFF_RUNNING) ? IF_OPER_UP : IF_OPER_DOWN;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_type = lo ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
	ifi->ifi_index = nif->index;
	ifi->ifi_flags = if_flags(nif);
	nlb_attr(&b, IFLA_IFNAME, nif->name, strnlen(nif->name, NETIF_NAMESZ - 1) + 1);
	nlb_attr(&b, IFLA_TXQLEN, &txq, sizeof(txq));
	nlb_attr(&b, IFLA_OPERSTATE, &oper, sizeof(oper));
	nlb_attr(&b, IFLA_MTU, &mtu, sizeof(mtu));
	nlb_attr(&b, IFLA_ADDRESS, lo ? zero : nif->mac, 6);
	nlb_attr(&b, IFLA_BROADCAST, lo ? zero : bcast, 6);
	memset(&st, 0, sizeof(st));
	st.rx_packets = (uint32_t)nif->rx_packets;
	st.tx_packets = (uint32_t)nif->tx_packets;
	st.rx_bytes = (uint32_t)nif->rx_bytes;
	st.tx_bytes = (uint32_t)nif->tx_bytes;
	st.rx_dropped = (uint32_t)nif->rx_dropped;
	nlb_attr(&b, IFLA_STATS, &st, sizeof(st));
	nlb_put(ns, &b);
}

static int prefixlen(uint32_t netmask)
{
	return __builtin_popcount(netmask);
}

static void put_addr(struct nl_sock *ns, const struct nlmsghdr *req,
		     const struct netif *nif)
{
	int lo = nif->flags & IFF_LOOPBACK;
	struct nl_build b;
	struct ifaddrmsg *ifa = nlb_start(&b, req, RTM_NEWADDR, NLM_F_MULTI,
					  ns->pid, sizeof(*ifa));
	uint32_t brd = nif->addr | ~nif->netmask, fl = IFA_F_PERMANENT;

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (uint8_t)prefixlen(nif->netmask);
	ifa->ifa_flags = IFA_F_PERMANENT;
	ifa->ifa_scope = lo ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)nif->index;
	/* Linux's order (inet_fill_ifaddr), which musl's parser expects */
	nlb_attr(&b, IFA_ADDRESS, &nif->addr, 4);
	nlb_attr(&b, IFA_LOCAL, &nif->addr, 4);
	if (!lo && (nif->flags & IFF_BROADCAST))
		nlb_attr(&b, IFA_BROADCAST, &brd, 4);
	nlb_attr(&b, IFA_LABEL, nif->name, strnlen(nif->name, NETIF_NAMESZ - 1) + 1);
	nlb_attr(&b, IFA_FLAGS, &fl, sizeof(fl));
	nlb_put(ns, &b);
}

/* Find the interface a single RTM_GETLINK names (index or IFLA_IFNAME). */
static struct netif *link_of(const struct nlmsghdr *h)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct rtattr *a;
	int left; /* signed: RTA_NEXT may take it below zero */

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return NULL;
	if (ifi->ifi_index > 0)
		return netif_by_index(ifi->ifi_index);
	left = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)));
	a = (const struct rtattr *)((const uint8_t *)ifi + NLMSG_ALIGN(sizeof(*ifi)));
	for (; RTA_OK(a, left); a = RTA_NEXT(a, left)) {
		char name[NETIF_NAMESZ];
		size_t n = RTA_PAYLOAD(a);

		if (a->rta_type != IFLA_IFNAME || n == 0 || n > NETIF_NAMESZ)
			continue;
		memcpy(name, RTA_DATA(a), n);
		name[n - 1] = 0;
		return netif_by_name(name);
	}
	return NULL;
}

/* One request message: its answer goes on the queue. */
static void nl_request(struct nl_sock *ns, const struct nlmsghdr *h)
{
	int family = AF_UNSPEC;
	struct netif *nif;

	if (!(h->nlmsg_flags & NLM_F_REQUEST) || h->nlmsg_type < NLMSG_MIN_TYPE)
		return; /* not for us, as Linux ignores them */
	if (h->nlmsg_len >= NLMSG_LENGTH(1))
		family = *(const uint8_t *)NLMSG_DATA(h);
	switch (h->nlmsg_type) {
	case RTM_GETLINK:
		if ((h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP) {
			for (nif = netif_first(); nif; nif = nif->next)
				put_link(ns, h, nif, NLM_F_MULTI);
			nl_done(ns, h);
			break;
		}
		nif = link_of(h);
		if (!nif) {
			nl_error(ns, h, -ENODEV);
			break;
		}
		put_link(ns, h, nif, 0);
		if (h->nlmsg_flags & NLM_F_ACK)
			nl_error(ns, h, 0);
		break;
	case RTM_GETADDR:
		if ((h->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP) {
			nl_error(ns, h, -EOPNOTSUPP); /* as Linux */
			break;
		}
		if (family == AF_UNSPEC || family == AF_INET)
			for (nif = netif_first(); nif; nif = nif->next)
				if (nif->addr)
					put_addr(ns, h, nif);
		nl_done(ns, h);
		break;
	default:
		nl_error(ns, h, -EOPNOTSUPP);
	}
	nl_flush(ns);
}

static long nl_sendmsg(struct socket *s, struct kmsg *m, int flags)
{
	struct nl_sock *ns = s->priv;
	size_t len = m->it->count, off = 0;
	uint8_t *buf;
	long r;

	if (m->name) {
		struct sockaddr_nl sa;
		if (m->namelen < sizeof(sa))
			return -EINVAL;
		memcpy(&sa, m->name, sizeof(sa));
		if (sa.nl_family != AF_NETLINK)
			return -EINVAL;
		if (sa.nl_pid || sa.nl_groups)
			return -EOPNOTSUPP; /* only the kernel answers here */
	}
	if (len > NL_REQ_MAX || len > (size_t)s->sndbuf)
		return -EMSGSIZE;
	buf = kmalloc(len ? len : 1);
	if (!buf)
		return -ENOBUFS;
	if (iter_copy_from(m->it, buf, len) != len) {
		kfree(buf);
		return -EFAULT;
	}
	autobind(ns);
	ns->err = 0;
	while (len - off >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);

		if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len - off)
			break; /* Linux stops at a malformed message */
		nl_request(ns, h);
		if (NLMSG_ALIGN(h->nlmsg_len) >= len - off)
			break;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	kfree(ns->cur); /* a part built when memory ran out */
	ns->cur = NULL;
	r = ns->err ? ns->err : (long)len;
	kfree(buf);
	return r;
}

static long nl_recvmsg(struct socket *s, struct kmsg *m, int flags)
{
	struct nl_sock *ns = s->priv;
	struct nl_dgram *d;
	size_t n;
	long r;

	while (!(d = ns->head)) {
		r = sock_wait(s, POLLIN | POLLRDNORM, 0, flags);
		if (r)
			return r;
	}
	n = MIN((size_t)d->len, m->it->count);
	if (iter_copy_to(m->it, d->data, n) != n)
		return -EFAULT;
	if (n < d->len)
		m->flags |= MSG_TRUNC;
	if (m->name) {
		struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
		memcpy(m->name, &sa, MIN(m->namecap, (socklen_t)sizeof(sa)));
		m->namelen = sizeof(sa);
	}
	r = (flags & MSG_TRUNC) ? (long)d->len : (long)n;
	if (!(flags & MSG_PEEK)) {
		ns->head = d->next;
		if (!ns->head)
			ns->tail = NULL;
		ns->rmem -= d->len;
		kfree(d);
	}
	return r;
}

static uint32_t nl_poll(struct socket *s, struct poll_table *pt)
{
	struct nl_sock *ns = s->priv;

	return POLLOUT | POLLWRNORM | (ns->head ? POLLIN | POLLRDNORM : 0);
}

static int nl_pending(struct socket *s)
{
	struct nl_sock *ns = s->priv;

	return ns->head ? (int)ns->head->len : 0;
}

static int nl_setsockopt(struct socket *s, int level, int name,
			 const void *kval, socklen_t len)
{
	int v;

	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;
	switch (name) {
	case NETLINK_EXT_ACK:
	case NETLINK_CAP_ACK:
	case NETLINK_GET_STRICT_CHK:
		/* Our errors already carry only the header and no extended
		 * attributes, and our dumps filter strictly by family. */
		if (len < sizeof(int))
			return -EINVAL;
		memcpy(&v, kval, sizeof(v));
		return 0;
	}
	return -ENOPROTOOPT;
}

static void nl_release(struct socket *s)
{
	struct nl_sock *ns = s->priv, **pp;
	struct nl_dgram *d, *next;

	for (pp = &nl_socks; *pp != ns; pp = &(*pp)->next)
		;
	*pp = ns->next;
	for (d = ns->head; d; d = next) {
		next = d->next;
		kfree(d);
	}
	kfree(ns);
}

/* A datagram from the kernel on the netlink socket behind f, outside any
 * request: mq_notify's SIGEV_THREAD cookie (src/kernel/ipc/mq_notify.c).
 * len 0 only checks f. 0, -ENOTSOCK, -EINVAL (another family, Linux's
 * netlink_getsockbyfilp), -ENOBUFS (SO_RCVBUF full), -ENOMEM. */
int netlink_kernel_send(struct file *f, const void *data, size_t len)
{
	struct socket *s = sock_from_file(f);
	struct nl_sock *ns;
	void *p;

	if (!s)
		return -ENOTSOCK;
	if (s->family != AF_NETLINK)
		return -EINVAL;
	if (!len)
		return 0;
	ns = s->priv;
	ns->err = 0;
	p = nl_room(ns, len);
	if (!p)
		return ns->err;
	memcpy(p, data, len);
	nl_flush(ns);
	return 0;
}

static const struct sock_ops nl_ops = {
	.bind = nl_bind,
	.connect = nl_connect,
	.getname = nl_getname,
	.sendmsg = nl_sendmsg,
	.recvmsg = nl_recvmsg,
	.setsockopt = nl_setsockopt,
	.poll = nl_poll,
	.pending = nl_pending,
	.release = nl_release,
};
