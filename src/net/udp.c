/*
 * udp.c - UDP (RFC 768): protocol control blocks for the socket layer
 * (uni/net.h's udp_pcb_* API), receive demultiplexing and send.
 *
 * Layer: kernel net, pure (time passed in). src/net/af_inet_udp.c owns
 * the pcbs; ip4.c delivers datagrams (data at the IP header); icmp.c
 * reports errors. Binding follows Linux: two pcbs may share a port on
 * overlapping addresses only if both set SO_REUSEADDR or both set
 * SO_REUSEPORT; ephemeral ports are 32768-60999 from a random start
 * (RFC 6056 §3.3.2, "Algorithm 2" with random_bytes). Unicast goes to
 * the best match (connected > bound address > wildcard; a SO_REUSEPORT
 * group shares by a hash of the source); broadcast and multicast to every
 * match. Checksums are always sent and verified when present.
 */
#include <errno.h>
#include <string.h>
#include <uni/kmalloc.h>
#include <uni/random.h>
#include "net_priv.h"

#define EPHEMERAL_LOW 32768
#define EPHEMERAL_HIGH 60999
#define UDP_MAX_PAYLOAD 65507
#define PCB_MSHIP_MAX 20

struct udp_pcb {
	struct udp_pcb *next;
	uint32_t laddr, raddr;      /* network order */
	uint16_t lport, rport;      /* network order; lport 0 = unbound */
	unsigned reuse;             /* UDP_REUSEADDR | UDP_REUSEPORT, from bind */
	uint8_t connected, addr_from_connect;
	udp_recv_fn recv;
	void *ctx;
	udp_err_fn err;
	struct udp_opts opts;
	struct { uint32_t group; struct netif *nif; } mship[PCB_MSHIP_MAX];
};

static struct udp_pcb *pcbs;

struct udp_pcb *udp_pcb_new(udp_recv_fn recv, void *ctx)
{
	struct udp_pcb *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->recv = recv;
	p->ctx = ctx;
	p->opts.ttl = 64;
	p->opts.mcast_ttl = 1;
	p->opts.mcast_loop = 1;
	p->next = pcbs;
	pcbs = p;
	return p;
}

void udp_pcb_free(struct udp_pcb *pcb)
{
	struct udp_pcb **pp;

	if (!pcb)
		return;
	for (int i = 0; i < PCB_MSHIP_MAX; i++)
		if (pcb->mship[i].nif && pcb->mship[i].nif->stack)
			netif_mcast_change(pcb->mship[i].nif, pcb->mship[i].group, 0);
	for (pp = &pcbs; *pp; pp = &(*pp)->next)
		if (*pp == pcb) {
			*pp = pcb->next;
			break;
		}
	kfree(pcb);
}

void udp_reset_all(void)
{
	pcbs = NULL;
}

void udp_pcb_on_error(struct udp_pcb *pcb, udp_err_fn fn)
{
	pcb->err = fn;
}

struct udp_opts *udp_pcb_opts(struct udp_pcb *pcb)
{
	return &pcb->opts;
}

void udp_pcb_local(struct udp_pcb *pcb, uint32_t *addr, uint16_t *port)
{
	*addr = pcb->laddr;
	*port = pcb->lport;
}

static int is_broadcast(uint32_t a)
{
	if (a == IP4_BROADCAST)
		return 1;
	for (struct netif *n = netif_first(); n; n = n->next)
		if (n->addr && n->netmask && n->netmask != IP4_BROADCAST &&
		    a == (n->addr | ~n->netmask))
			return 1;
	return 0;
}

/* May pcb take (addr, port) with these reuse flags? */
static int port_free(const struct udp_pcb *pcb, uint32_t addr, uint16_t port,
		     unsigned reuse)
{
	for (const struct udp_pcb *p = pcbs; p; p = p->next) {
		if (p == pcb || p->lport != port)
			continue;
		if (p->laddr && addr && p->laddr != addr)
			continue;
		if ((reuse & p->reuse & UDP_REUSEADDR) ||
		    (reuse & p->reuse & UDP_REUSEPORT))
			continue;
		return 0;
	}
	return 1;
}

static int pick_port(struct udp_pcb *pcb, uint32_t addr, unsigned reuse,
		     uint16_t *out)
{
	const uint32_t n = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
	uint32_t start;

	(void)reuse;
	random_bytes(&start, sizeof(start));
	for (uint32_t i = 0; i < n; i++) {
		uint16_t port = net16((uint16_t)(EPHEMERAL_LOW + (start + i) % n));
		/* An ephemeral port is never shared, whatever the flags. */
		if (port_free(pcb, addr, port, 0)) {
			*out = port;
			return 0;
		}
	}
	return -EAGAIN; /* Linux: the range is exhausted */
}

int udp_pcb_bind(struct udp_pcb *pcb, uint32_t addr, uint16_t port,
		 unsigned reuse)
{
	int err;

	if (pcb->lport)
		return -EINVAL;
	if (addr && !netif_is_local(addr) && !ip4_is_multicast(addr) &&
	    !is_broadcast(addr))
		return -EADDRNOTAVAIL;
	if (!port) {
		if ((err = pick_port(pcb, addr, reuse, &port)))
			return err;
	} else if (!port_free(pcb, addr, port, reuse)) {
		return -EADDRINUSE;
	}
	pcb->laddr = addr;
	pcb->lport = port;
	pcb->reuse = reuse;
	return 0;
}

/* The source address for a datagram to dst through nif. */
static uint32_t source_for(const struct udp_pcb *pcb, struct netif *nif,
			   uint32_t dst)
{
	if (pcb->laddr && !ip4_is_multicast(pcb->laddr) && !is_broadcast(pcb->laddr))
		return pcb->laddr;
	if (!(nif->flags & IFF_LOOPBACK))
		return nif->addr;
	return ip4_is_loopback(dst) ? IP4(127, 0, 0, 1) : dst;
}

/* Where a datagram to dst leaves: interface, next hop, loop a copy. */
static struct netif *udp_route(struct udp_pcb *pcb, uint32_t dst, uint32_t *nh)
{
	struct netif *nif;

	if (ip4_is_multicast(dst) && pcb->opts.mcast_if) {
		*nh = dst;
		nif = netif_by_addr(pcb->opts.mcast_if);
		return nif && !(nif->flags & IFF_LOOPBACK) ? nif : NULL;
	}
	return ip_route(dst, nh);
}

int udp_pcb_connect(struct udp_pcb *pcb, uint32_t addr, uint16_t port)
{
	struct netif *nif;
	uint32_t nh;
	int err;

	if (!addr && !port) { /* AF_UNSPEC: dissolve the association */
		pcb->connected = 0;
		pcb->raddr = 0;
		pcb->rport = 0;
		if (pcb->addr_from_connect)
			pcb->laddr = 0;
		pcb->addr_from_connect = 0;
		return 0;
	}
	if (!addr) /* Linux: INADDR_ANY means this host */
		addr = IP4(127, 0, 0, 1);
	if (is_broadcast(addr) && !pcb->opts.broadcast)
		return -EACCES;
	if (!(nif = udp_route(pcb, addr, &nh)))
		return -ENETUNREACH;
	if (!pcb->lport && (err = udp_pcb_bind(pcb, 0, 0, 0)))
		return err;
	if (!pcb->laddr) {
		pcb->laddr = source_for(pcb, nif, addr);
		pcb->addr_from_connect = 1;
	}
	pcb->raddr = addr;
	pcb->rport = port;
	pcb->connected = 1;
	return 0;
}

static uint32_t pseudo_sum(uint32_t src, uint32_t dst, unsigned len)
{
	uint32_t s = inet_csum_add(0, &src, 4);
	uint16_t w[2] = { net16(IPPROTO_UDP_), net16((uint16_t)len) };

	s = inet_csum_add(s, &dst, 4);
	return inet_csum_add(s, w, 4);
}

int udp_pcb_send(struct udp_pcb *pcb, struct netbuf *nb, uint32_t dst,
		 uint16_t dport, uint64_t now_ns)
{
	struct ip4_out o = { .proto = IPPROTO_UDP_ };
	struct netif *nif;
	struct udp_hdr *uh;
	uint32_t nh;
	int err;

	if (!dst && !dport) {
		if (!pcb->connected)
			return -EDESTADDRREQ;
		dst = pcb->raddr;
		dport = pcb->rport;
	} else if (!dst) {
		dst = IP4(127, 0, 0, 1);
	}
	if (!dport)
		return -EINVAL;
	if (nb->len > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (is_broadcast(dst)) {
		if (!pcb->opts.broadcast)
			return -EACCES;
		o.loop = 1;
	}
	if (!(nif = udp_route(pcb, dst, &nh)))
		return -ENETUNREACH;
	if (!pcb->lport && (err = udp_pcb_bind(pcb, 0, 0, 0)))
		return err;
	o.src = source_for(pcb, nif, dst);
	o.dst = dst;
	o.nif = nif;
	o.next_hop = nh;
	o.tos = pcb->opts.tos;
	o.df = pcb->opts.df;
	o.ttl = pcb->opts.ttl ? pcb->opts.ttl : 64;
	if (ip4_is_multicast(dst)) {
		o.ttl = pcb->opts.mcast_ttl;
		o.loop = pcb->opts.mcast_loop && netif_mcast_joined(nif, dst);
	}
	if (!(uh = (struct udp_hdr *)netbuf_push(nb, sizeof(*uh))))
		return -ENOBUFS;
	uh->source = pcb->lport;
	uh->dest = dport;
	uh->len = net16((uint16_t)nb->len);
	uh->check = 0;
	uh->check = inet_csum_fold(inet_csum_add(pseudo_sum(o.src, dst, nb->len),
						 nb->data, nb->len));
	if (!uh->check)
		uh->check = 0xffff; /* RFC 768: 0 means "none" */
	if ((err = ip4_output(nb, &o, now_ns))) {
		netbuf_pull(nb, sizeof(*uh));
		return err;
	}
	return 0;
}

int udp_pcb_join(struct udp_pcb *pcb, uint32_t group, uint32_t ifaddr, int join)
{
	struct netif *nif;
	uint32_t nh;
	int i, slot = -1, err;

	if (!ip4_is_multicast(group))
		return -EINVAL;
	if (ifaddr) {
		nif = netif_by_addr(ifaddr);
	} else {
		nif = ip_route(group, &nh);
	}
	if (!nif || (nif->flags & IFF_LOOPBACK))
		return -ENODEV;
	for (i = 0; i < PCB_MSHIP_MAX; i++) {
		if (pcb->mship[i].nif == nif && pcb->mship[i].group == group)
			break;
		if (!pcb->mship[i].nif && slot < 0)
			slot = i;
	}
	if (join) {
		if (i < PCB_MSHIP_MAX)
			return -EADDRINUSE;
		if (slot < 0)
			return -ENOBUFS;
		if ((err = netif_mcast_change(nif, group, 1)))
			return err;
		pcb->mship[slot].nif = nif;
		pcb->mship[slot].group = group;
		return 0;
	}
	if (i == PCB_MSHIP_MAX)
		return -EADDRNOTAVAIL;
	netif_mcast_change(nif, group, 0);
	pcb->mship[i].nif = NULL;
	pcb->mship[i].group = 0;
	return 0;
}

/* ---- receive -------------------------------------------------------------- */

static int pcb_matches(const struct udp_pcb *p, const struct udp_meta *m)
{
	if (p->lport != m->dport)
		return 0;
	if (p->laddr && p->laddr != m->dst)
		return 0;
	if (p->connected && (p->raddr != m->src || p->rport != m->sport))
		return 0;
	return 1;
}

static int pcb_score(const struct udp_pcb *p)
{
	return (p->connected ? 4 : 0) + (p->laddr ? 2 : 0) + 1;
}

static void deliver(struct udp_pcb *p, struct netbuf *nb, const struct udp_meta *m)
{
	p->recv(p->ctx, nb, m);
}

void udp_input(struct netif *nif, struct netbuf *nb, uint64_t now_ns)
{
	struct ip4_hdr ih;
	struct udp_hdr uh;
	struct udp_meta m;
	struct udp_pcb *p, *best = NULL;
	unsigned hlen = nb->l4, ulen;
	int best_score = 0, nbest = 0;

	memcpy(&ih, nb->data, sizeof(ih));
	if (nb->len < hlen + sizeof(uh))
		goto drop;
	memcpy(&uh, nb->data + hlen, sizeof(uh));
	ulen = net16(uh.len);
	if (ulen < sizeof(uh) || ulen > nb->len - hlen)
		goto drop;
	netbuf_trim(nb, hlen + ulen);
	if (uh.check &&
	    inet_csum_fold(inet_csum_add(pseudo_sum(ih.saddr, ih.daddr, ulen),
					 nb->data + hlen, ulen)) != 0)
		goto drop;
	if (uh.dest == net16(DHCP_CLIENT_PORT) && dhcp_input(nif, nb, &ih, now_ns))
		return;
	if (!nif->addr && !(nif->flags & IFF_LOOPBACK) && ih.daddr != IP4_BROADCAST &&
	    !ip4_is_multicast(ih.daddr) && !netif_is_local(ih.daddr))
		goto drop; /* accepted only for DHCP while unconfigured */

	m.src = ih.saddr;
	m.dst = ih.daddr;
	m.sport = uh.source;
	m.dport = uh.dest;
	m.ttl = ih.ttl;
	m.tos = ih.tos;
	m.ifindex = nif->index;

	if (ih.daddr == IP4_BROADCAST || ip4_is_multicast(ih.daddr) ||
	    is_broadcast(ih.daddr)) {
		struct udp_pcb *last = NULL;
		for (p = pcbs; p; p = p->next) {
			if (!pcb_matches(p, &m))
				continue;
			if (last) {
				struct netbuf *c = netbuf_clone(nb);
				if (c) {
					netbuf_pull(c, hlen + sizeof(uh));
					deliver(last, c, &m);
				}
			}
			last = p;
		}
		if (!last)
			goto drop;
		netbuf_pull(nb, hlen + sizeof(uh));
		deliver(last, nb, &m);
		return;
	}

	for (p = pcbs; p; p = p->next) {
		int s;
		if (!pcb_matches(p, &m))
			continue;
		s = pcb_score(p);
		if (s > best_score) {
			best = p;
			best_score = s;
			nbest = 1;
		} else if (s == best_score) {
			nbest++;
		}
	}
	if (!best) {
		icmp_send_error(nif, nb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, now_ns);
		goto drop;
	}
	if (nbest > 1 && (best->reuse & UDP_REUSEPORT)) {
		/* A SO_REUSEPORT group: the same flow always to the same pcb. */
		uint32_t h = m.src ^ ((uint32_t)m.sport * 0x9e3779b1u);
		unsigned k;
		h ^= h >> 15;
		h *= 0x85ebca6bu;
		h ^= h >> 13;
		k = h % (unsigned)nbest;
		for (p = pcbs; p; p = p->next)
			if (pcb_matches(p, &m) && pcb_score(p) == best_score &&
			    (p->reuse & UDP_REUSEPORT) && k-- == 0) {
				best = p;
				break;
			}
	}
	netbuf_pull(nb, hlen + sizeof(uh));
	deliver(best, nb, &m);
	return;
drop:
	nif->rx_dropped++;
	netbuf_put(nb);
}

void udp_icmp_error(const uint8_t *inner, size_t len, int err)
{
	struct ip4_hdr ih;
	struct udp_hdr uh;
	unsigned hlen;

	if (len < sizeof(ih))
		return;
	memcpy(&ih, inner, sizeof(ih));
	hlen = (ih.vihl & 15u) * 4;
	if (ih.proto != IPPROTO_UDP_ || hlen < sizeof(ih) || len < hlen + 8)
		return;
	memcpy(&uh, inner + hlen, sizeof(uh));
	/* The datagram we sent: its source is our pcb, its destination the
	 * peer the pcb is connected to. */
	for (struct udp_pcb *p = pcbs; p; p = p->next)
		if (p->connected && p->lport == uh.source && p->raddr == ih.daddr &&
		    p->rport == uh.dest && (!p->laddr || p->laddr == ih.saddr)) {
			if (p->err)
				p->err(p->ctx, err);
			return;
		}
}
