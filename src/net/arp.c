/*
 * arp.c - ARP for IPv4 over Ethernet (RFC 826): a small per-interface
 * cache, requests with retries, a bounded queue of packets waiting for
 * an answer, replies for our address and gratuitous announcements.
 *
 * Layer: kernel net, pure (time passed in). eth.c hands over received ARP
 * packets; ip4.c sends through arp_output(); net_timers() runs
 * arp_timers(). Entry life: INCOMPLETE (request sent every second, three
 * times, packets queued, at most ARP_QUEUE_MAX: the oldest goes) ->
 * REACHABLE for 60 s after each answer -> at expiry, freed if unused,
 * else PROBE (still used while re-asked, freed after three silent
 * seconds). Senders with a multicast/broadcast MAC are ignored.
 */
#include <string.h>
#include "net_priv.h"

static void arp_send(struct netif *nif, uint16_t oper, const uint8_t *tha,
		     uint32_t tpa, const uint8_t *eth_dst)
{
	struct netbuf *nb = netbuf_alloc(sizeof(struct arp_pkt));
	struct arp_pkt *a;

	if (!nb)
		return;
	a = (struct arp_pkt *)netbuf_append(nb, sizeof(*a));
	a->htype = net16(1);
	a->ptype = net16(ETH_P_IP);
	a->hlen = 6;
	a->plen = 4;
	a->oper = net16(oper);
	memcpy(a->sha, nif->mac, 6);
	a->spa = nif->addr;
	if (tha)
		memcpy(a->tha, tha, 6);
	else
		memset(a->tha, 0, 6);
	a->tpa = tpa;
	if (eth_output(nif, nb, eth_dst, ETH_P_ARP))
		netbuf_put(nb);
}

static void entry_free(struct arp_entry *e)
{
	struct netbuf *nb, *next;

	for (nb = e->queue; nb; nb = next) {
		next = nb->next;
		netbuf_put(nb);
	}
	memset(e, 0, sizeof(*e));
}

static struct arp_entry *entry_find(struct netif *nif, uint32_t ip)
{
	struct net_ifstate *st = nif_state(nif);

	for (int i = 0; i < ARP_ENTRIES; i++)
		if (st->arp[i].state != ARP_FREE && st->arp[i].ip == ip)
			return &st->arp[i];
	return NULL;
}

/* A free entry, else the least recently used one (which is dropped). */
static struct arp_entry *entry_new(struct netif *nif, uint32_t ip)
{
	struct net_ifstate *st = nif_state(nif);
	struct arp_entry *victim = NULL;

	for (int i = 0; i < ARP_ENTRIES; i++) {
		struct arp_entry *e = &st->arp[i];
		if (e->state == ARP_FREE) {
			victim = e;
			break;
		}
		if (!victim || e->used < victim->used)
			victim = e;
	}
	entry_free(victim);
	victim->ip = ip;
	return victim;
}

static void entry_resolved(struct netif *nif, struct arp_entry *e,
			   const uint8_t *mac, uint64_t now_ns)
{
	struct netbuf *nb, *next;

	memcpy(e->mac, mac, 6);
	e->state = ARP_REACHABLE;
	e->tries = 0;
	e->deadline = now_ns + ARP_REACHABLE_NS;
	if (!e->used)
		e->used = now_ns;
	nb = e->queue;
	e->queue = NULL;
	e->queued = 0;
	for (; nb; nb = next) {
		next = nb->next;
		nb->next = NULL;
		if (eth_output(nif, nb, e->mac, ETH_P_IP))
			netbuf_put(nb);
	}
	net_timer_arm(e->deadline);
}

void arp_input(struct netif *nif, struct netbuf *nb, uint64_t now_ns)
{
	struct arp_pkt a;
	struct arp_entry *e;
	int for_us;

	if (nb->len < sizeof(a))
		goto drop;
	memcpy(&a, nb->data, sizeof(a));
	if (a.htype != net16(1) || a.ptype != net16(ETH_P_IP) || a.hlen != 6 ||
	    a.plen != 4 || (a.oper != net16(1) && a.oper != net16(2)))
		goto drop;
	if (a.sha[0] & 1) /* broadcast/multicast sender: never cache it */
		goto drop;
	for_us = nif->addr && a.tpa == nif->addr;
	/* RFC 826 "merge": update a known sender; add it if it asks us. */
	if (a.spa && a.spa != nif->addr && !ip4_is_multicast(a.spa) &&
	    a.spa != IP4_BROADCAST) {
		e = entry_find(nif, a.spa);
		if (!e && for_us)
			e = entry_new(nif, a.spa);
		if (e)
			entry_resolved(nif, e, a.sha, now_ns);
	}
	if (for_us && a.oper == net16(1))
		arp_send(nif, 2, a.sha, a.spa, a.sha);
	netbuf_put(nb);
	return;
drop:
	nif->rx_dropped++;
	netbuf_put(nb);
}

static void arp_request(struct netif *nif, struct arp_entry *e, uint64_t now_ns)
{
	e->tries++;
	e->deadline = now_ns + ARP_RETRY_NS;
	arp_send(nif, 1, NULL, e->ip, NULL);
	net_timer_arm(e->deadline);
}

void arp_output(struct netif *nif, struct netbuf *nb, uint32_t next_hop,
		uint64_t now_ns)
{
	struct arp_entry *e;
	uint8_t mac[6];

	nb->next = NULL;
	if (next_hop == IP4_BROADCAST ||
	    (nif->netmask && next_hop == (nif->addr | ~nif->netmask))) {
		if (eth_output(nif, nb, NULL, ETH_P_IP))
			netbuf_put(nb);
		return;
	}
	if (ip4_is_multicast(next_hop)) { /* RFC 1112 §6.4 */
		uint32_t h = net32(next_hop);
		mac[0] = 0x01;
		mac[1] = 0x00;
		mac[2] = 0x5e;
		mac[3] = (h >> 16) & 0x7f;
		mac[4] = (h >> 8) & 0xff;
		mac[5] = h & 0xff;
		if (eth_output(nif, nb, mac, ETH_P_IP))
			netbuf_put(nb);
		return;
	}
	e = entry_find(nif, next_hop);
	if (!e) {
		e = entry_new(nif, next_hop);
		e->state = ARP_INCOMPLETE;
		e->used = now_ns;
		arp_request(nif, e, now_ns);
	}
	e->used = now_ns;
	if (e->state == ARP_INCOMPLETE) {
		struct netbuf **pp = &e->queue;
		if (e->queued >= ARP_QUEUE_MAX) {
			struct netbuf *old = e->queue;
			e->queue = old->next;
			netbuf_put(old);
			e->queued--;
			nif->rx_dropped++;
		}
		while (*pp)
			pp = &(*pp)->next;
		*pp = nb;
		e->queued++;
		return;
	}
	if (e->state == ARP_REACHABLE && now_ns >= e->deadline) {
		e->state = ARP_PROBE;
		e->tries = 0;
		arp_request(nif, e, now_ns);
	}
	if (eth_output(nif, nb, e->mac, ETH_P_IP))
		netbuf_put(nb);
}

uint64_t arp_timers(struct netif *nif, uint64_t now_ns)
{
	struct net_ifstate *st = nif_state(nif);
	uint64_t next = 0;

	for (int i = 0; i < ARP_ENTRIES; i++) {
		struct arp_entry *e = &st->arp[i];
		if (e->state == ARP_FREE)
			continue;
		if (now_ns >= e->deadline) {
			switch (e->state) {
			case ARP_INCOMPLETE:
			case ARP_PROBE:
				if (e->tries >= ARP_RETRIES) {
					entry_free(e); /* queued packets go too */
					continue;
				}
				arp_request(nif, e, now_ns);
				break;
			case ARP_REACHABLE:
				/* Used during its life: ask again, keep using it. */
				if (e->used + ARP_REACHABLE_NS > e->deadline) {
					e->state = ARP_PROBE;
					e->tries = 0;
					arp_request(nif, e, now_ns);
				} else {
					entry_free(e);
					continue;
				}
				break;
			}
		}
		next = net_min_deadline(next, e->deadline);
	}
	return next;
}

void arp_announce(struct netif *nif)
{
	/* Gratuitous ARP (RFC 5227 §3): a request for our own address. */
	arp_send(nif, 1, NULL, nif->addr, NULL);
}

void arp_flush(struct netif *nif)
{
	struct net_ifstate *st = nif_state(nif);

	if (!st)
		return;
	for (int i = 0; i < ARP_ENTRIES; i++)
		entry_free(&st->arp[i]);
}

int arp_lookup(struct netif *nif, uint32_t ip, uint8_t mac[6])
{
	struct arp_entry *e = entry_find(nif, ip);

	if (!e || (e->state != ARP_REACHABLE && e->state != ARP_PROBE))
		return 0;
	memcpy(mac, e->mac, 6);
	return 1;
}
