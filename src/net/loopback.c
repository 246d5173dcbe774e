/*
 * loopback.c - the loopback interface "lo" (index 1, 127.0.0.1/8): what
 * is sent to it comes straight back in as received.
 *
 * Layer: kernel net, pure. net_init() (or a host test) calls
 * loopback_init() first. ip4.c hands lo bare IPv4 packets (no Ethernet
 * header); a packet sent while lo is already delivering (a reply sent
 * from inside a receive) is queued and delivered by the outer call, so
 * the stack never recurses through lo. TCP holds deliveries across its
 * own output (loopback_hold/release) for the same reason.
 */
#include <string.h>
#include "net_priv.h"

static struct netif lo;
static struct netbuf *q_head, *q_tail;
static int delivering;
uint64_t loopback_now_ns; /* the time of the send that feeds lo */

static int held;            /* loopback_hold depth */

static void lo_deliver(struct netif *nif)
{
	struct netbuf *nb;

	delivering = 1;
	while ((nb = q_head)) {
		q_head = nb->next;
		if (!q_head)
			q_tail = NULL;
		nb->next = NULL;
		nb->l3 = nb->l4 = 0;
		net_rx(nif, nb, loopback_now_ns);
	}
	delivering = 0;
}

static int lo_xmit(struct netif *nif, struct netbuf *nb)
{
	nb->next = NULL;
	if (q_tail)
		q_tail->next = nb;
	else
		q_head = nb;
	q_tail = nb;
	nif->tx_packets++;
	nif->tx_bytes += nb->len;
	if (delivering || held)
		return 0;
	lo_deliver(nif);
	return 0;
}

void loopback_hold(void)
{
	held++;
}

void loopback_release(void)
{
	if (--held == 0 && !delivering && q_head)
		lo_deliver(&lo);
}

struct netif *loopback_init(void)
{
	if (net_loopback)
		return net_loopback;
	memset(&lo, 0, sizeof(lo));
	strcpy(lo.name, "lo");
	lo.flags = IFF_UP | IFF_RUNNING | IFF_LOOPBACK;
	lo.mtu = 65536;
	lo.addr = IP4(127, 0, 0, 1);
	lo.netmask = IP4(255, 0, 0, 0);
	lo.xmit = lo_xmit;
	if (netif_register(&lo))
		return NULL;
	net_loopback = &lo;
	return &lo;
}
