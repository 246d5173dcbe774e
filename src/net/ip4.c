/*
 * ip4.c - IPv4 (RFC 791): receive checks and dispatch, fragment
 * reassembly, output with fragmentation, and routing.
 *
 * Layer: kernel net, pure (time passed in). eth.c and loopback delivery
 * call ip4_input(); udp.c, icmp.c and dhcp.c call ip4_output(). Received
 * packets must be well formed (version 4, IHL >= 5, total length within
 * the frame, header checksum 0); options are skipped, never parsed. A
 * host accepts what is addressed to any of its addresses (the weak host
 * model, as Linux), limited and subnet broadcasts, joined multicast
 * groups, and while unconfigured any UDP (for DHCP). There is no
 * forwarding.
 *
 * Reassembly (RFC 815 in spirit): per (src, dst, id, proto) a list of
 * fragments sorted by offset; a fragment overlapping one already held is
 * dropped (the first wins, so overlap attacks cannot rewrite data);
 * contexts die 30 s after their first fragment and all of them together
 * hold at most IP4_REASS_MAX_MEM bytes (the oldest go first).
 */
#include <errno.h>
#include <string.h>
#include <uni/kmalloc.h>
#include "net_priv.h"
#include "tcp_priv.h"

uint16_t ip4_next_id;

/* ---- routing ------------------------------------------------------------ */

static struct netif *first_ether(int need_addr)
{
	for (struct netif *n = netif_first(); n; n = n->next)
		if (!(n->flags & IFF_LOOPBACK) && (n->flags & IFF_UP) &&
		    (!need_addr || n->addr))
			return n;
	return NULL;
}

struct netif *ip_route(uint32_t dst, uint32_t *next_hop)
{
	struct netif *n;

	*next_hop = dst;
	if (netif_is_local(dst))
		return net_loopback;
	if (dst == IP4_BROADCAST || ip4_is_multicast(dst)) {
		if ((n = first_ether(1)) || (n = first_ether(0)))
			return n;
		return NULL;
	}
	for (n = netif_first(); n; n = n->next)
		if (!(n->flags & IFF_LOOPBACK) && (n->flags & IFF_UP) && n->addr &&
		    (dst & n->netmask) == (n->addr & n->netmask))
			return n;
	for (n = netif_first(); n; n = n->next)
		if (!(n->flags & IFF_LOOPBACK) && (n->flags & IFF_UP) && n->gw) {
			*next_hop = n->gw;
			return n;
		}
	return NULL;
}

/* ---- reassembly ----------------------------------------------------------- */

struct reass {
	struct reass *next;       /* oldest first */
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
	uint8_t hlen;             /* of the offset-0 fragment's header, 0 until seen */
	uint8_t hdr[60];
	uint32_t total;           /* payload bytes, known from the last fragment */
	uint32_t have;            /* payload bytes held (fragments never overlap) */
	size_t mem;
	uint64_t expires;
	struct netbuf *frags;     /* sorted by offset; offset in l3, payload at data */
};

#define REASS_MAX_CTX 64
static struct reass *reass_list;
static size_t reass_mem;
static int reass_count;

size_t ip4_reass_mem(void)
{
	return reass_mem;
}

static void reass_free(struct reass *r)
{
	struct reass **pp;
	struct netbuf *nb, *next;

	for (pp = &reass_list; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	for (nb = r->frags; nb; nb = next) {
		next = nb->next;
		netbuf_put(nb);
	}
	reass_mem -= r->mem;
	reass_count--;
	kfree(r);
}

void ip4_reass_flush(void)
{
	while (reass_list)
		reass_free(reass_list);
}

/* RFC 792 / RFC 1122 §3.3.2: "fragment reassembly time exceeded" to the
 * sender, when the first fragment (the one with the header) came. */
static void reass_time_exceeded(struct reass *r, uint64_t now_ns)
{
	struct netbuf *first = r->frags, *nb;
	unsigned n;

	if (!r->hlen || !first || first->l3 != 0 || !first->dev)
		return;
	n = first->len < 8 ? first->len : 8;
	if (!(nb = netbuf_alloc(r->hlen + n)))
		return;
	memcpy(netbuf_append(nb, r->hlen), r->hdr, r->hlen);
	memcpy(netbuf_append(nb, n), first->data, n);
	icmp_send_error(first->dev, nb, ICMP_TIME_EXCEEDED, 1, now_ns);
	netbuf_put(nb);
}

uint64_t ip4_reass_timers(uint64_t now_ns)
{
	struct reass *r, *next;
	uint64_t deadline = 0;

	for (r = reass_list; r; r = next) {
		next = r->next;
		if (now_ns >= r->expires) {
			reass_time_exceeded(r, now_ns);
			reass_free(r);
		}
		else
			deadline = net_min_deadline(deadline, r->expires);
	}
	return deadline;
}

/* Take a fragment (data at its IP header, ihl and tot_len checked);
 * return the whole datagram when this one completed it, else NULL. */
static struct netbuf *ip4_reassemble(struct netbuf *nb, uint64_t now_ns)
{
	struct ip4_hdr ih;
	struct reass *r;
	struct netbuf **pp, *out;
	unsigned hlen, off, len, last, cost;

	memcpy(&ih, nb->data, sizeof(ih));
	hlen = (ih.vihl & 15u) * 4;
	off = (net16(ih.frag_off) & IP_OFFMASK) * 8u;
	last = !(net16(ih.frag_off) & IP_MF);
	len = nb->len - hlen;
	if ((!last && (len & 7)) || (!len && !last) || off + len + hlen > 65535)
		goto drop;

	for (r = reass_list; r; r = r->next)
		if (r->src == ih.saddr && r->dst == ih.daddr && r->id == ih.id &&
		    r->proto == ih.proto)
			break;
	cost = nb->size + sizeof(struct netbuf);
	/* Make room: the oldest contexts go first, this one last. */
	while (reass_mem + cost > IP4_REASS_MAX_MEM) {
		struct reass *old = reass_list;
		if (old == r)
			old = r->next;
		if (!old)
			break;
		reass_free(old);
	}
	if (reass_mem + cost > IP4_REASS_MAX_MEM)
		goto drop;
	if (!r) {
		if (reass_count >= REASS_MAX_CTX)
			reass_free(reass_list);
		if (!(r = kzalloc(sizeof(*r))))
			goto drop;
		r->src = ih.saddr;
		r->dst = ih.daddr;
		r->id = ih.id;
		r->proto = ih.proto;
		r->expires = now_ns + IP4_REASS_TIMEOUT_NS;
		reass_count++;
		struct reass **rp = &reass_list;
		while (*rp)
			rp = &(*rp)->next;
		*rp = r;
		net_timer_arm(r->expires);
	}
	if (last) {
		struct netbuf *t = r->frags;
		while (t && t->next)
			t = t->next;
		if ((r->total && r->total != off + len) ||
		    (t && t->l3 + t->len > off + len))
			goto drop_all;
		r->total = off + len;
	} else if (r->total && off + len > r->total) {
		goto drop_all;
	}
	/* Insert sorted; any overlap with a held fragment drops this one. */
	for (pp = &r->frags; *pp; pp = &(*pp)->next) {
		unsigned o = (*pp)->l3, e = o + (*pp)->len;
		if (off < e && o < off + len)
			goto drop;
		if (o >= off + len)
			break;
	}
	if (off == 0) {
		r->hlen = (uint8_t)hlen;
		memcpy(r->hdr, nb->data, hlen);
	}
	netbuf_pull(nb, hlen);
	nb->l3 = (uint16_t)off;
	nb->next = *pp;
	*pp = nb;
	r->have += len;
	r->mem += cost;
	reass_mem += cost;
	if (!r->hlen || !r->total || r->have != r->total)
		return NULL;
	if (r->hlen + r->total > 65535) /* first header longer than the last's */
		goto drop_ctx;

	out = netbuf_alloc(r->hlen + r->total);
	if (!out)
		goto drop_ctx;
	memcpy(netbuf_append(out, r->hlen), r->hdr, r->hlen);
	for (nb = r->frags; nb; nb = nb->next)
		memcpy(netbuf_append(out, nb->len), nb->data, nb->len);
	{
		struct ip4_hdr *h = (struct ip4_hdr *)out->data;
		h->tot_len = net16((uint16_t)out->len);
		h->frag_off = 0;
		h->check = 0;
		h->check = inet_csum_fold(inet_csum_add(0, h, r->hlen));
	}
	out->dev = r->frags->dev;
	reass_free(r);
	return out;

drop_all:
	reass_free(r);
drop:
	netbuf_put(nb);
	return NULL;
drop_ctx:
	reass_free(r);
	return NULL;
}

/* ---- input ---------------------------------------------------------------- */

static int ip4_accept(struct netif *nif, const struct ip4_hdr *ih)
{
	uint32_t d = ih->daddr;

	if (nif->flags & IFF_LOOPBACK)
		return 1;
	if (ip4_is_loopback(d))
		return 0;
	if (d == IP4_BROADCAST || netif_is_local(d))
		return 1;
	for (struct netif *n = netif_first(); n; n = n->next)
		if (n->addr && n->netmask && n->netmask != IP4_BROADCAST &&
		    d == (n->addr | ~n->netmask))
			return 1;
	if (ip4_is_multicast(d))
		return netif_mcast_joined(nif, d);
	return !nif->addr && ih->proto == IPPROTO_UDP_; /* DHCP's replies */
}

void ip4_input(struct netif *nif, struct netbuf *nb, uint64_t now_ns)
{
	struct ip4_hdr ih;
	unsigned hlen, tot;

	if (nb->len < sizeof(ih))
		goto drop;
	memcpy(&ih, nb->data, sizeof(ih));
	hlen = (ih.vihl & 15u) * 4;
	tot = net16(ih.tot_len);
	if ((ih.vihl >> 4) != 4 || hlen < sizeof(ih) || tot < hlen || tot > nb->len)
		goto drop;
	if (inet_csum_fold(inet_csum_add(0, nb->data, hlen)) != 0)
		goto drop;
	netbuf_trim(nb, tot);
	/* Martian sources: never from a group or broadcast; 127/8 only on lo. */
	if (ip4_is_multicast(ih.saddr) || ih.saddr == IP4_BROADCAST ||
	    (ip4_is_loopback(ih.saddr) && !(nif->flags & IFF_LOOPBACK)))
		goto drop;
	if (!ip4_accept(nif, &ih))
		goto drop;
	nb->dev = nif;
	if (net16(ih.frag_off) & (IP_MF | IP_OFFMASK)) {
		if (!(nb = ip4_reassemble(nb, now_ns)))
			return;
		memcpy(&ih, nb->data, sizeof(ih));
		hlen = (ih.vihl & 15u) * 4;
	}
	nb->l3 = 0;
	nb->l4 = (uint16_t)hlen;
	switch (ih.proto) {
	case IPPROTO_ICMP_:
		icmp_input(nif, nb, now_ns);
		return;
	case IPPROTO_UDP_:
		udp_input(nif, nb, now_ns);
		return;
	case IPPROTO_TCP_:
		tcp_input(nif, nb, now_ns);
		return;
	}
	if (netif_is_local(ih.daddr))
		icmp_send_error(nif, nb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, now_ns);
	netbuf_put(nb);
	return;
drop:
	nif->rx_dropped++;
	netbuf_put(nb);
}

/* ---- output --------------------------------------------------------------- */

static void ip4_fill(struct ip4_hdr *h, const struct ip4_out *o, uint32_t src,
		     unsigned len, uint16_t id, uint16_t frag)
{
	h->vihl = 0x45;
	h->tos = o->tos;
	h->tot_len = net16((uint16_t)len);
	h->id = id;
	h->frag_off = net16(frag);
	h->ttl = o->ttl ? o->ttl : 64;
	h->proto = o->proto;
	h->check = 0;
	h->saddr = src;
	h->daddr = o->dst;
	h->check = inet_csum_fold(inet_csum_add(0, h, sizeof(*h)));
}

static void ip4_send(struct netif *nif, struct netbuf *nb, uint32_t nh,
		     const struct ip4_out *o, uint64_t now_ns)
{
	if (o->loop && !(nif->flags & IFF_LOOPBACK)) {
		struct netbuf *c = netbuf_clone(nb);
		if (c)
			ip4_input(nif, c, now_ns);
	}
	if (nif->flags & IFF_LOOPBACK) {
		nb->dev = nif;
		loopback_now_ns = now_ns;
		if (nif->xmit(nif, nb))
			netbuf_put(nb);
		return;
	}
	arp_output(nif, nb, nh, now_ns);
}

int ip4_output(struct netbuf *nb, const struct ip4_out *o, uint64_t now_ns)
{
	struct netif *nif;
	uint32_t nh, src;
	unsigned plen = nb->len, mtu, chunk;
	uint16_t id;

	if (o->nif) {
		nif = o->nif;
		nh = o->next_hop ? o->next_hop : o->dst;
	} else if (!(nif = ip_route(o->dst, &nh))) {
		return -ENETUNREACH;
	}
	src = o->src;
	if (!src)
		src = !(nif->flags & IFF_LOOPBACK) ? nif->addr :
		      ip4_is_loopback(o->dst) ? IP4(127, 0, 0, 1) : o->dst;
	if (plen + sizeof(struct ip4_hdr) > 65535)
		return -EMSGSIZE;
	mtu = nif->mtu < 68 ? 68 : nif->mtu > 65535 ? 65535 : nif->mtu;
	id = net16(ip4_next_id++);
	if (plen + sizeof(struct ip4_hdr) <= mtu) {
		struct ip4_hdr *h = (struct ip4_hdr *)netbuf_push(nb, sizeof(*h));
		if (!h)
			return -ENOBUFS;
		ip4_fill(h, o, src, nb->len, id, o->df ? IP_DF : 0);
		ip4_send(nif, nb, nh, o, now_ns);
		return 0;
	}
	if (o->df)
		return -EMSGSIZE;
	/* RFC 791 §2.3: every fragment but the last carries a multiple of 8. */
	chunk = (mtu - sizeof(struct ip4_hdr)) & ~7u;
	for (unsigned off = 0; off < plen; off += chunk) {
		unsigned n = plen - off < chunk ? plen - off : chunk;
		struct netbuf *f = netbuf_alloc(n);
		struct ip4_hdr *h;

		if (!f) {
			if (off == 0)
				return -ENOBUFS;
			break; /* the rest is lost, as a full queue would lose it */
		}
		memcpy(netbuf_append(f, n), nb->data + off, n);
		h = (struct ip4_hdr *)netbuf_push(f, sizeof(*h));
		ip4_fill(h, o, src, f->len, id,
			 (uint16_t)((off / 8) | (off + n < plen ? IP_MF : 0)));
		ip4_send(nif, f, nh, o, now_ns);
	}
	netbuf_put(nb);
	return 0;
}
