/*
 * net_host.c - see net_host.h.
 */
#include <stdlib.h>
#include <string.h>
#include <uni/random.h>
#include "net_host.h"

uint64_t host_timer_deadline;
int host_config_events, host_config_ok;
struct netif host_eth;
const uint8_t host_peer_mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc };
static struct netbuf *sent_head, *sent_tail;
static int sent_n;
static uint64_t rnd = 88172645463325252ull;

void host_random_seed(uint64_t seed)
{
	rnd = seed ? seed : 1;
}

void random_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len--) {
		rnd ^= rnd << 13;
		rnd ^= rnd >> 7;
		rnd ^= rnd << 17;
		*p++ = (uint8_t)rnd;
	}
}

void net_timer_arm(uint64_t deadline_ns)
{
	if (deadline_ns && (!host_timer_deadline || deadline_ns < host_timer_deadline))
		host_timer_deadline = deadline_ns;
}

void net_config_event(struct netif *nif, int ok)
{
	(void)nif;
	host_config_events++;
	host_config_ok = ok;
}

const char *net_hostname(void)
{
	return "testhost";
}

static int eth_xmit(struct netif *nif, struct netbuf *nb)
{
	(void)nif;
	nb->next = NULL;
	if (sent_tail)
		sent_tail->next = nb;
	else
		sent_head = nb;
	sent_tail = nb;
	sent_n++;
	return 0;
}

struct netbuf *host_sent_pop(void)
{
	struct netbuf *nb = sent_head;

	if (nb) {
		sent_head = nb->next;
		if (!sent_head)
			sent_tail = NULL;
		nb->next = NULL;
		sent_n--;
	}
	return nb;
}

int host_sent_count(void)
{
	return sent_n;
}

void host_sent_clear(void)
{
	struct netbuf *nb;

	while ((nb = host_sent_pop()))
		netbuf_put(nb);
}

void host_stack_reset(void)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	host_sent_clear();
	netif_unregister_all();
	ip4_reass_flush();
	udp_reset_all();
	memset(&host_eth, 0, sizeof(host_eth));
	strcpy(host_eth.name, "eth0");
	memcpy(host_eth.mac, mac, 6);
	host_eth.mtu = 1500;
	host_eth.flags = IFF_UP | IFF_RUNNING | IFF_BROADCAST | IFF_MULTICAST;
	host_eth.xmit = eth_xmit;
	loopback_init();
	netif_register(&host_eth);
	host_timer_deadline = 0;
	host_config_events = 0;
	host_config_ok = 0;
}

static struct netbuf *eth_wrap(struct netbuf *nb, uint16_t type)
{
	struct eth_hdr *eh = (struct eth_hdr *)netbuf_push(nb, ETH_HLEN);

	memcpy(eh->dst, host_eth.mac, 6);
	memcpy(eh->src, host_peer_mac, 6);
	eh->type = net16(type);
	return nb;
}

struct netbuf *host_ip_frame(uint32_t src, uint32_t dst, uint8_t proto,
			     uint16_t id, uint16_t frag, const void *payload,
			     size_t len)
{
	struct netbuf *nb = netbuf_alloc(len);
	struct ip4_hdr *h;

	memcpy(netbuf_append(nb, len), payload, len);
	h = (struct ip4_hdr *)netbuf_push(nb, sizeof(*h));
	memset(h, 0, sizeof(*h));
	h->vihl = 0x45;
	h->tot_len = net16((uint16_t)nb->len);
	h->id = net16(id);
	h->frag_off = net16(frag);
	h->ttl = 64;
	h->proto = proto;
	h->saddr = src;
	h->daddr = dst;
	h->check = inet_csum_fold(inet_csum_add(0, h, sizeof(*h)));
	return eth_wrap(nb, ETH_P_IP);
}

struct netbuf *host_udp_frame(uint32_t src, uint32_t dst, uint16_t sport,
			      uint16_t dport, const void *payload, size_t len)
{
	uint8_t *buf = malloc(len + 8);
	struct udp_hdr *uh = (struct udp_hdr *)buf;
	uint16_t w[2] = { net16(17), net16((uint16_t)(len + 8)) };
	uint32_t s;
	struct netbuf *nb;

	uh->source = net16(sport);
	uh->dest = net16(dport);
	uh->len = net16((uint16_t)(len + 8));
	uh->check = 0;
	memcpy(buf + 8, payload, len);
	s = inet_csum_add(0, &src, 4);
	s = inet_csum_add(s, &dst, 4);
	s = inet_csum_add(s, w, 4);
	uh->check = inet_csum_fold(inet_csum_add(s, buf, len + 8));
	if (!uh->check)
		uh->check = 0xffff;
	nb = host_ip_frame(src, dst, 17, 1, 0, buf, len + 8);
	free(buf);
	return nb;
}

struct netbuf *host_arp_frame(uint16_t oper, const uint8_t *sha, uint32_t spa,
			      const uint8_t *tha, uint32_t tpa)
{
	struct netbuf *nb = netbuf_alloc(sizeof(struct arp_pkt));
	struct arp_pkt *a = (struct arp_pkt *)netbuf_append(nb, sizeof(*a));

	a->htype = net16(1);
	a->ptype = net16(ETH_P_IP);
	a->hlen = 6;
	a->plen = 4;
	a->oper = net16(oper);
	memcpy(a->sha, sha, 6);
	a->spa = spa;
	memset(a->tha, 0, 6);
	if (tha)
		memcpy(a->tha, tha, 6);
	a->tpa = tpa;
	nb = eth_wrap(nb, ETH_P_ARP);
	if (oper == 1)
		memset(((struct eth_hdr *)nb->data)->dst, 0xff, 6);
	return nb;
}
