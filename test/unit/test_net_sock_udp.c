/* test_net_sock_udp.c - host unit test of the AF_INET datagram family
 * (src/net/af_inet_udp.c) over the real netbuf.c and a fake UDP pcb:
 * the receive queue (order, SO_RCVBUF bound as Linux applies it, a shared
 * buffer cloned before its headroom is used, a buffer without headroom
 * copied), recvmsg's name, MSG_PEEK, MSG_TRUNC and control messages
 * (IP_PKTINFO, IP_TTL, IP_TOS, MSG_CTRUNC), sendmsg's address rules,
 * per-call IP_TTL/IP_TOS, refused control messages and EMSGSIZE, ICMP
 * errors reported once, shutdown, multicast options, IP_MTU_DISCOVER
 * and no leak on release (ASan). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <uni/net.h>
#include <uni/socket.h>
#include "unit.h"

/* ---- fakes ----------------------------------------------------------------- */

struct udp_pcb {
	udp_recv_fn recv;
	void *ctx;
	udp_err_fn err;
	struct udp_opts opts;
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	int connected, joined;
	struct netbuf *sent;
	uint32_t sent_dst;
	uint16_t sent_port;
	uint8_t sent_ttl, sent_tos;
};

static struct udp_pcb *last_pcb;
static int net_inits, wakes;
static uint32_t woken;
static struct netif lo = { .name = "lo", .index = 1, .mtu = 65536 };

void net_init(void) { net_inits++; }
/* SOCK_STREAM goes to af_inet_tcp.c (not linked here): record the call. */
static int tcp_creates;
int inet_tcp_create(struct socket *s) { (void)s; tcp_creates++; return -ENOMEM; }
struct netif *netif_first(void) { return &lo; }
struct netif *netif_by_index(int i) { return i == 1 ? &lo : NULL; }
void waitq_wake(struct waitq *q, uint32_t ev) { wakes++; woken |= ev; }
int sock_wait(struct socket *s, uint32_t mask, int for_send, int flags)
{
	return -EAGAIN;
}
uint64_t time_now_ns(void) { return 1; }

struct udp_pcb *udp_pcb_new(udp_recv_fn recv, void *ctx)
{
	struct udp_pcb *p = calloc(1, sizeof(*p));
	p->recv = recv;
	p->ctx = ctx;
	p->opts.ttl = 64;
	p->opts.mcast_ttl = 1;
	p->opts.mcast_loop = 1;
	return last_pcb = p;
}
void udp_pcb_free(struct udp_pcb *p)
{
	if (p->sent)
		netbuf_put(p->sent);
	free(p);
}
int udp_pcb_bind(struct udp_pcb *p, uint32_t a, uint16_t port, unsigned reuse)
{
	p->laddr = a;
	p->lport = port ? port : htons(40000);
	return 0;
}
int udp_pcb_connect(struct udp_pcb *p, uint32_t a, uint16_t port)
{
	p->connected = a || port;
	p->raddr = a;
	p->rport = port;
	if (!p->lport)
		p->lport = htons(40001);
	return 0;
}
void udp_pcb_local(struct udp_pcb *p, uint32_t *a, uint16_t *port)
{
	*a = p->laddr;
	*port = p->lport;
}
struct udp_opts *udp_pcb_opts(struct udp_pcb *p) { return &p->opts; }
int udp_pcb_send(struct udp_pcb *p, struct netbuf *nb, uint32_t dst,
		 uint16_t dport, uint64_t now)
{
	if (!dst && !p->connected)
		return -EDESTADDRREQ;
	if (p->sent)
		netbuf_put(p->sent);
	p->sent = nb;
	p->sent_dst = dst ? dst : p->raddr;
	p->sent_port = dst ? dport : p->rport;
	p->sent_ttl = p->opts.ttl;
	p->sent_tos = p->opts.tos;
	return 0;
}
void udp_pcb_on_error(struct udp_pcb *p, udp_err_fn fn) { p->err = fn; }
int udp_pcb_join(struct udp_pcb *p, uint32_t g, uint32_t ifa, int join)
{
	p->joined += join ? 1 : -1;
	return 0;
}

/* ---- helpers ----------------------------------------------------------------- */

static struct socket *new_udp(void)
{
	struct socket *s = calloc(1, sizeof(*s));

	s->family = AF_INET;
	s->type = SOCK_DGRAM;
	s->rcvbuf = s->sndbuf = 212992;
	CHECK(inet_family.create(s, SOCK_DGRAM, 0, 0) == 0);
	return s;
}

static void free_udp(struct socket *s)
{
	s->ops->release(s);
	free(s);
}

static struct udp_meta meta(uint16_t sport)
{
	struct udp_meta m = { .src = htonl(0x7f000001), .dst = htonl(0x7f000001),
			      .sport = htons(sport), .dport = htons(40000),
			      .ttl = 63, .tos = 0x10, .ifindex = 1 };
	return m;
}

static void deliver(struct udp_pcb *p, const char *data, size_t len,
		    uint16_t sport)
{
	struct netbuf *nb = netbuf_alloc(len);
	struct udp_meta m = meta(sport);

	memcpy(netbuf_append(nb, len), data, len);
	p->recv(p->ctx, nb, &m);
}

struct rx {
	char data[2048];
	struct sockaddr_in from;
	char ctl[128];
	struct kmsg m;
	struct iovec one;
	struct iov_iter it;
};

static long rx(struct socket *s, struct rx *r, size_t len, int flags,
	       size_t ctlcap)
{
	memset(r, 0, sizeof(*r));
	iter_init1(&r->it, &r->one, r->data, len, 1);
	r->m.it = &r->it;
	r->m.name = &r->from;
	r->m.namecap = sizeof(r->from);
	r->m.control = ctlcap ? r->ctl : NULL;
	r->m.controlcap = ctlcap;
	return s->ops->recvmsg(s, &r->m, flags);
}

static long tx(struct socket *s, const void *data, size_t len,
	       const struct sockaddr_in *to, void *ctl, size_t ctllen)
{
	struct iovec one;
	struct iov_iter it;
	struct kmsg m = { .it = &it, .control = ctl, .controlcap = ctllen,
			  .controllen = ctllen };

	iter_init1(&it, &one, (void *)data, len, 1);
	if (to) {
		m.name = (void *)to;
		m.namelen = m.namecap = sizeof(*to);
	}
	return s->ops->sendmsg(s, &m, 0);
}

/* ---- tests ------------------------------------------------------------------- */

static void test_create(void)
{
	struct socket s = { .rcvbuf = 212992 };

	CHECK(inet_family.create(&s, SOCK_STREAM, 0, 0) == -ENOMEM && tcp_creates == 1);
	CHECK(inet_family.create(&s, SOCK_STREAM, IPPROTO_TCP, 0) == -ENOMEM &&
	      tcp_creates == 2);
	CHECK(inet_family.create(&s, SOCK_STREAM, IPPROTO_UDP, 0) == -EPROTONOSUPPORT &&
	      tcp_creates == 2);
	CHECK(inet_family.create(&s, SOCK_DGRAM, IPPROTO_TCP, 0) == -EPROTONOSUPPORT);
	CHECK(inet_family.create(&s, SOCK_RAW, IPPROTO_ICMP, 0) == -EPROTONOSUPPORT);
	CHECK(inet_family.create(&s, 9, 0, 0) == -ESOCKTNOSUPPORT);
	CHECK(net_inits == 0);
	free_udp(new_udp());
	CHECK(net_inits == 1);
}

static void test_receive(void)
{
	struct socket *s = new_udp();
	struct udp_pcb *p = last_pcb;
	struct rx r;
	struct cmsghdr *c;
	int v = 1, pi = 0, ttl = 0, tos = 0;

	CHECK(s->ops->poll(s, NULL) == (POLLOUT | POLLWRNORM | POLLWRBAND));
	CHECK(rx(s, &r, 100, 0, 0) == -EAGAIN);
	deliver(p, "first", 5, 1000);
	deliver(p, "second!", 7, 1001);
	CHECK(woken & POLLIN);
	CHECK(s->ops->poll(s, NULL) & POLLIN);
	CHECK(s->ops->pending(s) == 5);
	CHECK(rx(s, &r, 100, MSG_PEEK, 0) == 5 && !memcmp(r.data, "first", 5));
	CHECK(rx(s, &r, 3, 0, 0) == 3 && (r.m.flags & MSG_TRUNC) &&
	      r.m.namelen == sizeof(r.from) && ntohs(r.from.sin_port) == 1000 &&
	      r.from.sin_addr.s_addr == htonl(0x7f000001));
	CHECK(rx(s, &r, 2, MSG_TRUNC, 0) == 7);
	CHECK(rx(s, &r, 100, 0, 0) == -EAGAIN);
	CHECK(s->ops->pending(s) == 0);

	/* control messages */
	CHECK(s->ops->setsockopt(s, IPPROTO_IP, IP_PKTINFO, &v, sizeof(v)) == 0);
	CHECK(s->ops->setsockopt(s, IPPROTO_IP, IP_RECVTTL, &v, sizeof(v)) == 0);
	CHECK(s->ops->setsockopt(s, IPPROTO_IP, IP_RECVTOS, &v, 1) == 0);
	deliver(p, "c", 1, 5);
	CHECK(rx(s, &r, 100, 0, sizeof(r.ctl)) == 1 && !(r.m.flags & MSG_CTRUNC));
	for (size_t off = 0; off + sizeof(*c) <= r.m.controllen;
	     off += CMSG_ALIGN(c->cmsg_len)) {
		c = (struct cmsghdr *)(r.ctl + off);
		if (c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo i;
			memcpy(&i, CMSG_DATA(c), sizeof(i));
			pi = c->cmsg_len == CMSG_LEN(sizeof(i)) && i.ipi_ifindex == 1 &&
			     i.ipi_addr.s_addr == htonl(0x7f000001);
		}
		if (c->cmsg_type == IP_TTL)
			ttl = *(int *)CMSG_DATA(c) == 63;
		if (c->cmsg_type == IP_TOS)
			tos = *(unsigned char *)CMSG_DATA(c) == 0x10 &&
			      c->cmsg_len == CMSG_LEN(1);
	}
	CHECK(pi && ttl && tos);
	deliver(p, "c", 1, 5);
	CHECK(rx(s, &r, 100, 0, 20) == 1 && (r.m.flags & MSG_CTRUNC) &&
	      r.m.controllen == 20);
	deliver(p, "c", 1, 5);
	CHECK(rx(s, &r, 100, 0, 0) == 1 && (r.m.flags & MSG_CTRUNC));

	/* SO_RCVBUF: admitted while the queue holds no more than it */
	s->rcvbuf = 2304;
	for (int i = 0; i < 10; i++) {
		static char k[1000];
		deliver(p, k, sizeof(k), 7);
	}
	v = 0;
	while (rx(s, &r, 2000, 0, 0) == 1000)
		v++;
	CHECK(v == 2);
	s->rcvbuf = 212992;

	/* a buffer shared with another receiver is cloned first */
	{
		struct netbuf *nb = netbuf_alloc(4);
		struct udp_meta m = meta(9);
		uint8_t *data;

		memcpy(netbuf_append(nb, 4), "shar", 4);
		data = nb->data;
		netbuf_get(nb);
		p->recv(p->ctx, nb, &m);
		CHECK(nb->refs == 1 && nb->data == data && nb->len == 4);
		netbuf_put(nb);
		CHECK(rx(s, &r, 100, 0, 0) == 4 && !memcmp(r.data, "shar", 4));
	}
	/* a buffer with no headroom left is copied */
	{
		struct netbuf *nb = netbuf_alloc(6);
		struct udp_meta m = meta(10);

		netbuf_push(nb, (size_t)(nb->data - nb->head));
		memcpy(nb->data, "nohead", 6);
		netbuf_trim(nb, 6);
		p->recv(p->ctx, nb, &m);
		CHECK(rx(s, &r, 100, 0, 0) == 6 && !memcmp(r.data, "nohead", 6) &&
		      ntohs(r.from.sin_port) == 10);
	}
	/* left queued: release frees it (ASan's leak check) */
	deliver(p, "left", 4, 11);
	free_udp(s);
}

static int put_cmsg(char *buf, size_t off, int level, int type,
		    const void *data, size_t len)
{
	struct cmsghdr c = { .cmsg_len = CMSG_LEN(len), .cmsg_level = level,
			     .cmsg_type = type };
	memcpy(buf + off, &c, sizeof(c));
	memcpy(buf + off + CMSG_LEN(0), data, len);
	return (int)(off + CMSG_SPACE(len));
}

static void test_send(void)
{
	struct socket *s = new_udp();
	struct udp_pcb *p = last_pcb;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(53) };
	char ctl[128];
	int ttl = 9, n;
	struct in_pktinfo pi = { .ipi_spec_dst.s_addr = htonl(0x0a000001) };
	struct rx r;

	to.sin_addr.s_addr = htonl(0x7f000001);
	CHECK(tx(s, "x", 1, NULL, NULL, 0) == -EDESTADDRREQ);
	CHECK(tx(s, "hello", 5, &to, NULL, 0) == 5);
	CHECK(p->sent && p->sent->len == 5 && !memcmp(p->sent->data, "hello", 5) &&
	      p->sent_dst == to.sin_addr.s_addr && p->sent_port == htons(53) &&
	      p->sent_ttl == 64);
	to.sin_port = 0;
	CHECK(tx(s, "x", 1, &to, NULL, 0) == -EINVAL);
	to.sin_port = htons(53);
	to.sin_family = AF_INET6;
	CHECK(tx(s, "x", 1, &to, NULL, 0) == -EAFNOSUPPORT);
	to.sin_family = AF_INET;
	/* IP_TTL for one call only */
	n = put_cmsg(ctl, 0, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	CHECK(tx(s, "t", 1, &to, ctl, (size_t)n) == 1 && p->sent_ttl == 9 &&
	      p->opts.ttl == 64);
	ttl = 0;
	put_cmsg(ctl, 0, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	CHECK(tx(s, "t", 1, &to, ctl, (size_t)n) == -EINVAL);
	n = put_cmsg(ctl, 0, IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi));
	CHECK(tx(s, "t", 1, &to, ctl, (size_t)n) == -EOPNOTSUPP);
	pi.ipi_spec_dst.s_addr = 0;
	put_cmsg(ctl, 0, IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi));
	CHECK(tx(s, "t", 1, &to, ctl, (size_t)n) == 1);
	/* a control length that overruns the buffer */
	((struct cmsghdr *)ctl)->cmsg_len = 200;
	CHECK(tx(s, "t", 1, &to, ctl, (size_t)n) == -EINVAL);
	{
		static char big[65508];
		CHECK(tx(s, big, sizeof(big), &to, NULL, 0) == -EMSGSIZE);
		CHECK(tx(s, big, sizeof(big) - 1, &to, NULL, 0) == 65507);
	}
	/* connected: no address needed; ICMP errors come back once */
	CHECK(s->ops->connect(s, (struct sockaddr *)&to, sizeof(to), 0) == 0);
	CHECK(tx(s, "c", 1, NULL, NULL, 0) == 1 && p->sent_port == htons(53));
	p->err(p->ctx, ECONNREFUSED);
	CHECK(s->ops->poll(s, NULL) & POLLERR);
	CHECK(rx(s, &r, 10, 0, 0) == -ECONNREFUSED);
	CHECK(rx(s, &r, 10, 0, 0) == -EAGAIN);
	p->err(p->ctx, ECONNREFUSED);
	CHECK(tx(s, "c", 1, NULL, NULL, 0) == -ECONNREFUSED);
	CHECK(tx(s, "c", 1, NULL, NULL, 0) == 1);
	/* shutdown */
	CHECK(s->ops->shutdown(s, SHUT_WR) == 0);
	CHECK(tx(s, "c", 1, NULL, NULL, 0) == -EPIPE);
	CHECK(s->ops->shutdown(s, SHUT_RD) == 0);
	CHECK(rx(s, &r, 10, 0, 0) == 0);
	CHECK((s->ops->poll(s, NULL) & (POLLHUP | POLLIN)) == (POLLHUP | POLLIN));
	free_udp(s);
}

static void test_options(void)
{
	struct socket *s = new_udp();
	struct udp_pcb *p = last_pcb;
	struct ip_mreqn mr = { .imr_multiaddr.s_addr = htonl(0xe0000001) };
	int v;
	socklen_t len = sizeof(v);
	unsigned char c;

	CHECK(s->ops->setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
				 sizeof(struct ip_mreq)) == 0 && p->joined == 1);
	CHECK(s->ops->setsockopt(s, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mr,
				 sizeof(mr)) == 0 && p->joined == 0);
	mr.imr_ifindex = 7;
	CHECK(s->ops->setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
				 sizeof(mr)) == -ENODEV);
	mr.imr_ifindex = 0;
	mr.imr_multiaddr.s_addr = htonl(0x0a000001);
	CHECK(s->ops->setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
				 sizeof(mr)) == -EINVAL);
	CHECK(s->ops->setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, 4) == -EINVAL);
	v = -1;
	CHECK(s->ops->setsockopt(s, IPPROTO_IP, IP_TTL, &v, sizeof(v)) == 0 &&
	      p->opts.ttl == 64);
	v = 256;
	CHECK(s->ops->setsockopt(s, IPPROTO_IP, IP_TTL, &v, sizeof(v)) == -EINVAL);
	c = 3;
	CHECK(s->ops->setsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &c, 1) == 0 &&
	      p->opts.mcast_ttl == 3);
	CHECK(s->ops->setsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &c, 0) == -EINVAL);
	CHECK(s->ops->getsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &v, &len) == 0 &&
	      len == sizeof(v) && v == 3);
	/* IP_MTU_DISCOVER: Linux's default WANT; DO and PROBE set DF */
	len = sizeof(v);
	CHECK(s->ops->getsockopt(s, IPPROTO_IP, IP_MTU_DISCOVER, &v, &len) == 0 &&
	      v == IP_PMTUDISC_WANT && p->opts.df == 0);
	v = IP_PMTUDISC_DO;
	CHECK(s->ops->setsockopt(s, IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof(v)) == 0 &&
	      p->opts.df == 1);
	CHECK(s->ops->getsockopt(s, IPPROTO_IP, IP_MTU_DISCOVER, &v, &len) == 0 &&
	      v == IP_PMTUDISC_DO);
	v = IP_PMTUDISC_OMIT;
	CHECK(s->ops->setsockopt(s, IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof(v)) == 0 &&
	      p->opts.df == 0);
	v = IP_PMTUDISC_OMIT + 1;
	CHECK(s->ops->setsockopt(s, IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof(v)) ==
	      -EINVAL && p->opts.df == 0);
	s->broadcast = 1;
	CHECK(s->ops->setsockopt(s, SOL_SOCKET, SO_BROADCAST, &v, sizeof(v)) ==
	      -ENOPROTOOPT && p->opts.broadcast == 1);
	CHECK(s->ops->setsockopt(s, IPPROTO_UDP, 1, &v, sizeof(v)) == -ENOPROTOOPT);
	CHECK(s->ops->getsockopt(s, IPPROTO_IP, 9999, &v, &len) == -ENOPROTOOPT);
	free_udp(s);
}

int main(void)
{
	lo.addr = htonl(0x7f000001);
	lo.netmask = htonl(0xff000000);
	test_create();
	test_receive();
	test_send();
	test_options();
	printf("test_net_sock_udp: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
