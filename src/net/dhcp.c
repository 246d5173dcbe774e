/*
 * dhcp.c - the DHCP client (RFC 2131, options RFC 2132): DISCOVER ->
 * OFFER -> REQUEST -> ACK, renewal at T1 (unicast to the server),
 * rebinding at T2 (broadcast), loss of the address at the lease's end.
 *
 * Layer: kernel net, pure (time passed in). net_init() (glue.c) calls
 * dhcp_start() for each Ethernet interface unless configured statically;
 * udp.c hands over everything for port 68 (dhcp_input); net_timers()
 * runs dhcp_timers(); the result goes to net_config_event() (glue.c
 * writes /etc/resolv.conf, wakes net_init). Replies are untrusted:
 * dhcp_parse() checks the fixed part, the transaction id, our MAC, the
 * magic cookie and every option's length before using it.
 */
#include <errno.h>
#include <string.h>
#include <uni/kmalloc.h>
#include <uni/random.h>
#include "net_priv.h"

#define BOOTP_FIXED 236
#define DHCP_MAGIC 0x63825363u
#define DHCPDISCOVER 1
#define DHCPOFFER 2
#define DHCPREQUEST 3
#define DHCPDECLINE 4
#define DHCPACK 5
#define DHCPNAK 6
#define SEC 1000000000ull

enum { D_SELECTING = 1, D_REQUESTING, D_BOUND, D_RENEWING, D_REBINDING };

struct dhcp_state {
	int state, tries;
	uint32_t xid;
	uint32_t offered, server;
	uint64_t deadline;          /* the next thing to do */
	uint64_t t1, t2, lease_end; /* absolute ns; 0 = infinite lease */
};

/* ---- parsing ----------------------------------------------------------------- */

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint32_t get32h(const uint8_t *p)
{
	return net32(get32(p));
}

static int domain_ok(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.'))
			return 0;
	}
	return n > 0;
}

int dhcp_parse(const uint8_t *p, size_t len, uint32_t xid, const uint8_t mac[6],
	       struct dhcp_msg *m)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	if (len < BOOTP_FIXED + 4 || p[0] != 2 || p[1] != 1 || p[2] != 6 ||
	    get32(p + 4) != xid || memcmp(p + 28, mac, 6) ||
	    get32h(p + BOOTP_FIXED) != DHCP_MAGIC)
		return -EINVAL;
	m->yiaddr = get32(p + 16);
	for (i = BOOTP_FIXED + 4; i < len;) {
		uint8_t code = p[i], n;
		const uint8_t *v;

		if (code == 0) {
			i++;
			continue;
		}
		if (code == 255)
			break;
		if (i + 2 > len || i + 2 + p[i + 1] > len)
			return -EINVAL; /* truncated option */
		n = p[i + 1];
		v = p + i + 2;
		i += 2u + n;
		switch (code) {
		case 53:
			if (n == 1)
				m->type = v[0];
			break;
		case 1:
			if (n == 4)
				m->netmask = get32(v);
			break;
		case 3:
			if (n >= 4)
				m->router = get32(v);
			break;
		case 6:
			for (unsigned k = 0; k + 4 <= n && m->ndns < 3; k += 4)
				m->dns[m->ndns++] = get32(v + k);
			break;
		case 15:
			if (n < sizeof(m->domain) && domain_ok(v, n)) {
				memcpy(m->domain, v, n);
				m->domain[n] = 0;
			}
			break;
		case 51:
			if (n == 4)
				m->lease = get32h(v);
			break;
		case 54:
			if (n == 4)
				m->server = get32(v);
			break;
		case 58:
			if (n == 4)
				m->t1 = get32h(v);
			break;
		case 59:
			if (n == 4)
				m->t2 = get32h(v);
			break;
		}
	}
	return m->type ? 0 : -EINVAL;
}

/* ---- sending ------------------------------------------------------------------ */

static uint8_t *opt(uint8_t *o, uint8_t code, const void *v, uint8_t n)
{
	o[0] = code;
	o[1] = n;
	memcpy(o + 2, v, n);
	return o + 2 + n;
}

static void dhcp_send(struct netif *nif, struct dhcp_state *d, uint8_t type,
		      uint64_t now_ns)
{
	static const uint8_t params[] = { 1, 3, 6, 15, 51, 54, 58, 59 };
	struct netbuf *nb = netbuf_alloc(548);
	struct ip4_out o = { .proto = IPPROTO_UDP_, .nif = nif };
	const char *host = net_hostname();
	struct udp_hdr *uh;
	uint8_t *p, *q;
	uint32_t w;
	size_t hl = host ? strlen(host) : 0;
	int renew = d->state == D_RENEWING || d->state == D_REBINDING;

	if (!nb)
		return;
	p = netbuf_append(nb, 548);
	memset(p, 0, 548);
	p[0] = 1;             /* BOOTREQUEST */
	p[1] = 1;             /* Ethernet */
	p[2] = 6;
	memcpy(p + 4, &d->xid, 4);
	/* secs since we began: 0 is fine; broadcast flag while unconfigured */
	if (!renew)
		p[10] = 0x80;
	if (renew)
		memcpy(p + 12, &nif->addr, 4); /* ciaddr */
	memcpy(p + 28, nif->mac, 6);
	w = net32(DHCP_MAGIC);
	memcpy(p + BOOTP_FIXED, &w, 4);
	q = p + BOOTP_FIXED + 4;
	q = opt(q, 53, &type, 1);
	if (type == DHCPREQUEST && d->state == D_REQUESTING) {
		q = opt(q, 50, &d->offered, 4);
		q = opt(q, 54, &d->server, 4);
	}
	if (hl && hl <= 63)
		q = opt(q, 12, host, (uint8_t)hl);
	q = opt(q, 55, params, sizeof(params));
	*q++ = 255;
	/* 300 bytes of BOOTP at least (RFC 1542 §3.1.1): we send 548. */

	uh = (struct udp_hdr *)netbuf_push(nb, sizeof(*uh));
	uh->source = net16(DHCP_CLIENT_PORT);
	uh->dest = net16(DHCP_SERVER_PORT);
	uh->len = net16((uint16_t)nb->len);
	o.src = renew ? nif->addr : 0;
	o.dst = d->state == D_RENEWING ? d->server : IP4_BROADCAST;
	o.next_hop = o.dst;
	if (d->state == D_RENEWING) { /* unicast: through the route */
		o.nif = NULL;
		o.next_hop = 0;
	}
	o.ttl = 64;
	{
		uint32_t s = inet_csum_add(0, &o.src, 4);
		uint16_t pw[2] = { net16(IPPROTO_UDP_), uh->len };
		s = inet_csum_add(s, &o.dst, 4);
		s = inet_csum_add(s, pw, 4);
		uh->check = 0;
		uh->check = inet_csum_fold(inet_csum_add(s, nb->data, nb->len));
		if (!uh->check)
			uh->check = 0xffff;
	}
	if (ip4_output(nb, &o, now_ns))
		netbuf_put(nb);
}

/* ---- the state machine --------------------------------------------------------- */

static void set_deadline(struct dhcp_state *d, uint64_t t)
{
	d->deadline = t;
	net_timer_arm(t);
}

/* Retransmission back-off, RFC 2131 §4.1: 4 s doubling to 64 s; we
 * start at 1 s since the first answer usually comes at once. */
static uint64_t backoff(int tries)
{
	return (tries < 6 ? (1ull << tries) : 64) * SEC;
}

static void discover(struct netif *nif, struct dhcp_state *d, uint64_t now_ns)
{
	random_bytes(&d->xid, sizeof(d->xid));
	d->state = D_SELECTING;
	d->tries = 0;
	dhcp_send(nif, d, DHCPDISCOVER, now_ns);
	set_deadline(d, now_ns + backoff(d->tries++));
}

int dhcp_start(struct netif *nif, uint64_t now_ns)
{
	struct net_ifstate *st = nif_state(nif);

	if (!st || (nif->flags & IFF_LOOPBACK))
		return -EINVAL;
	if (!st->dhcp && !(st->dhcp = kzalloc(sizeof(*st->dhcp))))
		return -ENOMEM;
	discover(nif, st->dhcp, now_ns);
	return 0;
}

void dhcp_stop(struct netif *nif)
{
	struct net_ifstate *st = nif_state(nif);

	if (st) {
		kfree(st->dhcp);
		st->dhcp = NULL;
	}
}

int dhcp_bound(struct netif *nif)
{
	struct net_ifstate *st = nif_state(nif);

	return st && st->dhcp && st->dhcp->state >= D_BOUND;
}

static void lose_lease(struct netif *nif, struct dhcp_state *d, uint64_t now_ns)
{
	netif_set_addr(nif, 0, 0, 0);
	memset(nif->dns, 0, sizeof(nif->dns));
	net_config_event(nif, 0);
	discover(nif, d, now_ns);
}

static void bind_lease(struct netif *nif, struct dhcp_state *d,
		       const struct dhcp_msg *m, uint64_t now_ns)
{
	struct net_ifstate *st = nif_state(nif);
	uint32_t mask = m->netmask, lease = m->lease ? m->lease : 3600;
	uint32_t t1 = m->t1 ? m->t1 : lease / 2, t2 = m->t2 ? m->t2 : lease / 8 * 7;

	if (!mask) {
		uint32_t h = net32(m->yiaddr) >> 24;
		mask = net32(h < 128 ? 0xff000000u : h < 192 ? 0xffff0000u : 0xffffff00u);
	}
	if (t1 > t2)
		t1 = t2;
	netif_set_addr(nif, m->yiaddr, mask, m->router);
	memset(nif->dns, 0, sizeof(nif->dns));
	memcpy(nif->dns, m->dns, (size_t)m->ndns * 4);
	memcpy(st->domain, m->domain, sizeof(st->domain));
	d->state = D_BOUND;
	d->tries = 0;
	if (lease == 0xffffffffu) {
		d->t1 = d->t2 = d->lease_end = 0;
		d->deadline = 0;
	} else {
		d->t1 = now_ns + (uint64_t)t1 * SEC;
		d->t2 = now_ns + (uint64_t)t2 * SEC;
		d->lease_end = now_ns + (uint64_t)lease * SEC;
		set_deadline(d, d->t1);
	}
	net_config_event(nif, 1);
}

static int addr_usable(uint32_t a)
{
	return a && a != IP4_BROADCAST && !ip4_is_multicast(a) && !ip4_is_loopback(a);
}

int dhcp_input(struct netif *nif, struct netbuf *nb, const struct ip4_hdr *ih,
	       uint64_t now_ns)
{
	struct net_ifstate *st = nif_state(nif);
	struct dhcp_state *d = st ? st->dhcp : NULL;
	struct dhcp_msg m;
	unsigned off = nb->l4 + sizeof(struct udp_hdr);

	if (!d || !d->state || nb->len < off)
		return 0;
	if (dhcp_parse(nb->data + off, nb->len - off, d->xid, nif->mac, &m))
		goto done;
	if (!m.server)
		m.server = ih->saddr;
	switch (d->state) {
	case D_SELECTING:
		if (m.type != DHCPOFFER || !addr_usable(m.yiaddr))
			break;
		d->offered = m.yiaddr;
		d->server = m.server;
		d->state = D_REQUESTING;
		d->tries = 0;
		dhcp_send(nif, d, DHCPREQUEST, now_ns);
		set_deadline(d, now_ns + backoff(d->tries++));
		break;
	case D_REQUESTING:
	case D_RENEWING:
	case D_REBINDING:
		if (m.type == DHCPNAK && (m.server == d->server || d->state == D_REBINDING)) {
			lose_lease(nif, d, now_ns);
			break;
		}
		if (m.type != DHCPACK || !addr_usable(m.yiaddr))
			break;
		if (d->state == D_REQUESTING && m.yiaddr != d->offered)
			break;
		d->server = m.server;
		bind_lease(nif, d, &m, now_ns);
		break;
	}
done:
	netbuf_put(nb);
	return 1;
}

uint64_t dhcp_timers(struct netif *nif, uint64_t now_ns)
{
	struct net_ifstate *st = nif_state(nif);
	struct dhcp_state *d = st ? st->dhcp : NULL;

	if (!d || !d->state || !d->deadline)
		return 0;
	if (now_ns < d->deadline)
		return d->deadline;
	switch (d->state) {
	case D_SELECTING:
		dhcp_send(nif, d, DHCPDISCOVER, now_ns);
		set_deadline(d, now_ns + backoff(d->tries++));
		break;
	case D_REQUESTING:
		if (d->tries >= 4) {
			discover(nif, d, now_ns);
			break;
		}
		dhcp_send(nif, d, DHCPREQUEST, now_ns);
		set_deadline(d, now_ns + backoff(d->tries++));
		break;
	case D_BOUND:
	case D_RENEWING:
	case D_REBINDING:
		if (now_ns >= d->lease_end) {
			lose_lease(nif, d, now_ns);
			break;
		}
		d->state = now_ns >= d->t2 ? D_REBINDING : D_RENEWING;
		dhcp_send(nif, d, DHCPREQUEST, now_ns);
		/* RFC 2131 §4.4.5: half the time left to T2 (or the lease's
		 * end), at least 60 s, never past that point. */
		{
			uint64_t end = d->state == D_RENEWING ? d->t2 : d->lease_end;
			uint64_t next = now_ns + (end - now_ns) / 2;
			if (next < now_ns + 60 * SEC)
				next = now_ns + 60 * SEC;
			if (next > end)
				next = end;
			set_deadline(d, next);
		}
		break;
	}
	return d->deadline;
}
