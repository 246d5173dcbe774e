/*
 * eth.c - Ethernet II framing and the stack's receive entry point.
 *
 * Layer: kernel net, pure. Drivers call net_rx() with a frame (lo hands
 * over bare IPv4 packets); eth_input() filters on the destination MAC and
 * dispatches on the EtherType to arp.c and ip4.c; eth_output() prepends
 * the header and calls the driver's xmit.
 */
#include <errno.h>
#include <string.h>
#include "net_priv.h"

static const uint8_t eth_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

void net_rx(struct netif *nif, struct netbuf *nb, uint64_t now_ns)
{
	if (!nif || !nif->stack || !(nif->flags & IFF_UP)) {
		if (nif)
			nif->rx_dropped++;
		netbuf_put(nb);
		return;
	}
	nb->dev = nif;
	nif->rx_packets++;
	nif->rx_bytes += nb->len;
	if (nif->flags & IFF_LOOPBACK)
		ip4_input(nif, nb, now_ns);
	else
		eth_input(nif, nb, now_ns);
}

void eth_input(struct netif *nif, struct netbuf *nb, uint64_t now_ns)
{
	struct eth_hdr eh;

	if (nb->len < ETH_HLEN)
		goto drop;
	memcpy(&eh, nb->data, ETH_HLEN);
	/* Ours, broadcast, or multicast (group filtering is IP's job). */
	if (memcmp(eh.dst, nif->mac, 6) && !(eh.dst[0] & 1))
		goto drop;
	netbuf_pull(nb, ETH_HLEN);
	switch (net16(eh.type)) {
	case ETH_P_IP:
		ip4_input(nif, nb, now_ns);
		return;
	case ETH_P_ARP:
		arp_input(nif, nb, now_ns);
		return;
	}
drop:
	nif->rx_dropped++;
	netbuf_put(nb);
}

int eth_output(struct netif *nif, struct netbuf *nb, const uint8_t *dst,
	       uint16_t type)
{
	struct eth_hdr *eh = (struct eth_hdr *)netbuf_push(nb, ETH_HLEN);
	uint32_t len;

	if (!eh)
		return -ENOBUFS;
	memcpy(eh->dst, dst ? dst : eth_bcast, 6);
	memcpy(eh->src, nif->mac, 6);
	eh->type = net16(type);
	len = nb->len;
	nb->dev = nif;
	if (!nif->xmit || nif->xmit(nif, nb) != 0) {
		netbuf_pull(nb, ETH_HLEN);
		return -ENOBUFS;
	}
	nif->tx_packets++;
	nif->tx_bytes += len;
	return 0;
}
