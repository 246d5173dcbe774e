/*
 * netif.c - the interface list (uni/net.h): registration, look-ups,
 * addresses, multicast memberships, and the parsers for static
 * configuration (ip=A.B.C.D/N).
 *
 * Layer: kernel net, pure. Drivers call netif_register() from their probe
 * (lo is registered first by net_init, so it gets index 1); the stack,
 * the socket layer's SIOCGIF* ioctls and netlink read the list.
 */
#include <errno.h>
#include <string.h>
#include <uni/kmalloc.h>
#include "net_priv.h"

static struct netif *netifs;
static int next_index = 1;
struct netif *net_loopback;

int netif_register(struct netif *nif)
{
	struct netif **pp;

	if (!nif || nif->index)
		return -EINVAL;
	if (!nif->stack && !(nif->stack = kzalloc(sizeof(struct net_ifstate))))
		return -ENOMEM;
	nif->index = next_index++;
	nif->next = NULL;
	for (pp = &netifs; *pp; pp = &(*pp)->next)
		;
	*pp = nif;
	return 0;
}

void netif_unregister_all(void)
{
	struct netif *nif, *next;

	for (nif = netifs; nif; nif = next) {
		next = nif->next;
		dhcp_stop(nif);
		arp_flush(nif);
		kfree(nif->stack);
		nif->stack = NULL;
		nif->index = 0;
		nif->next = NULL;
	}
	netifs = NULL;
	net_loopback = NULL;
	next_index = 1;
}

struct netif *netif_first(void)
{
	return netifs;
}

struct netif *netif_by_index(int index)
{
	for (struct netif *n = netifs; n; n = n->next)
		if (n->index == index)
			return n;
	return NULL;
}

struct netif *netif_by_name(const char *name)
{
	for (struct netif *n = netifs; n; n = n->next)
		if (!strncmp(n->name, name, NETIF_NAMESZ))
			return n;
	return NULL;
}

struct netif *netif_by_addr(uint32_t addr)
{
	for (struct netif *n = netifs; n; n = n->next)
		if (n->addr && n->addr == addr)
			return n;
	return NULL;
}

int netif_is_local(uint32_t addr)
{
	if (ip4_is_loopback(addr))
		return net_loopback != NULL;
	return addr && netif_by_addr(addr) != NULL;
}

int netif_mcast_joined(struct netif *nif, uint32_t group)
{
	struct net_ifstate *st = nif_state(nif);

	if (net32(group) == 0xe0000001) /* 224.0.0.1, all hosts: always */
		return 1;
	for (int i = 0; i < NET_MCAST_MAX; i++)
		if (st->mcast[i].refs && st->mcast[i].group == group)
			return 1;
	return 0;
}

/* Count joins per (interface, group); the socket layer keeps which pcb
 * joined what. -EADDRNOTAVAIL for a leave without a join, -ENOBUFS when
 * the table is full (Linux: igmp_max_memberships, 20). */
int netif_mcast_change(struct netif *nif, uint32_t group, int join)
{
	struct net_ifstate *st = nif_state(nif);
	int free_slot = -1;

	for (int i = 0; i < NET_MCAST_MAX; i++) {
		if (st->mcast[i].refs && st->mcast[i].group == group) {
			if (join)
				st->mcast[i].refs++;
			else
				st->mcast[i].refs--;
			return 0;
		}
		if (!st->mcast[i].refs && free_slot < 0)
			free_slot = i;
	}
	if (!join)
		return -EADDRNOTAVAIL;
	if (free_slot < 0)
		return -ENOBUFS;
	st->mcast[free_slot].group = group;
	st->mcast[free_slot].refs = 1;
	return 0;
}

void netif_set_addr(struct netif *nif, uint32_t addr, uint32_t mask, uint32_t gw)
{
	if (nif->addr != addr)
		arp_flush(nif);
	nif->addr = addr;
	nif->netmask = addr ? mask : 0;
	nif->gw = addr ? gw : 0;
	if (addr && !(nif->flags & IFF_LOOPBACK))
		arp_announce(nif);
}

/* "A.B.C.D" between s and end (end NULL: to the NUL). */
int ip4_parse_addr(const char *s, const char *end, uint32_t *addr)
{
	uint32_t a = 0;
	int parts = 0;

	if (!end)
		end = s + strlen(s);
	while (parts < 4) {
		unsigned v = 0, digits = 0;
		while (s < end && *s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (!digits || digits > 3 || v > 255)
			return -EINVAL;
		a = a << 8 | v;
		if (++parts < 4) {
			if (s >= end || *s != '.')
				return -EINVAL;
			s++;
		}
	}
	if (s != end)
		return -EINVAL;
	*addr = net32(a);
	return 0;
}

/* "A.B.C.D/N" (N 0..32) or "A.B.C.D" (the classful mask, as ifconfig). */
int ip4_parse_cidr(const char *s, uint32_t *addr, uint32_t *mask)
{
	const char *slash = strchr(s, '/');
	unsigned n = 0;

	if (ip4_parse_addr(s, slash, addr))
		return -EINVAL;
	if (slash) {
		const char *p = slash + 1;
		if (!*p)
			return -EINVAL;
		for (; *p; p++) {
			if (*p < '0' || *p > '9' || (n = n * 10 + (unsigned)(*p - '0')) > 32)
				return -EINVAL;
		}
	} else {
		uint32_t h = net32(*addr) >> 24;
		n = h < 128 ? 8 : h < 192 ? 16 : 24;
	}
	*mask = n ? net32(~0u << (32 - n)) : 0;
	return 0;
}

uint64_t net_timers(uint64_t now_ns)
{
	uint64_t next = ip4_reass_timers(now_ns);

	for (struct netif *n = netifs; n; n = n->next) {
		if (!n->stack || (n->flags & IFF_LOOPBACK))
			continue;
		next = net_min_deadline(next, arp_timers(n, now_ns));
		next = net_min_deadline(next, dhcp_timers(n, now_ns));
	}
	return next;
}
