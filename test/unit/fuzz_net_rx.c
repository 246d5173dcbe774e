/*
 * fuzz_net_rx.c - libFuzzer target for the stack's receive path: each
 * input is a sequence of frames for net_rx() on a configured Ethernet
 * interface (10.0.2.15/24, gateway 10.0.2.2) with DHCP running, a UDP
 * echo pcb on port 7 and a connected pcb, so that ARP, IPv4 (with
 * reassembly), ICMP, UDP and DHCP input and their replies all run.
 * Input format: repeated [len_hi len_lo time_step] + len bytes; the
 * first byte selects lo (bit 0) or eth0, and with bit 1 the harness
 * repairs the IPv4 header checksum and clears the UDP checksum (0: none)
 * so that mutations reach past the checksums.
 * Everything must be freed when the stack is reset: leaks are bugs.
 */
#include <stdlib.h>
#include <string.h>
#include "net_host.h"
#include <uni/kmalloc.h>

static struct udp_pcb *echo_pcb, *conn_pcb;
static uint64_t now = 1000 * SEC;

/* Received datagrams are echoed after net_rx() returns, as a program
 * would (replying from inside the receive callback could recurse
 * forever through lo: port 7 answering itself). */
static struct netbuf *pending[8];
static struct udp_meta pending_m[8];
static int npending;

static void echo(void *ctx, struct netbuf *nb, const struct udp_meta *m)
{
	(void)ctx;
	if (npending < 8) {
		pending[npending] = nb;
		pending_m[npending++] = *m;
	} else {
		netbuf_put(nb);
	}
}

static void echo_pending(void)
{
	int n = npending;

	npending = 0;
	for (int i = 0; i < n; i++) {
		struct netbuf *nb = pending[i], *r = netbuf_alloc(nb->len);
		if (r) {
			memcpy(netbuf_append(r, nb->len), nb->data, nb->len);
			if (udp_pcb_send(echo_pcb, r, pending_m[i].src,
					 pending_m[i].sport, now))
				netbuf_put(r);
		}
		netbuf_put(nb);
	}
}

static void sink(void *ctx, struct netbuf *nb, const struct udp_meta *m)
{
	(void)ctx;
	(void)m;
	netbuf_put(nb);
}

static void fix_checksums(struct netbuf *nb, int eth)
{
	uint8_t *p = nb->data + (eth ? ETH_HLEN : 0);
	size_t len = nb->len - (eth ? ETH_HLEN : 0);
	struct ip4_hdr *h = (struct ip4_hdr *)p;
	unsigned hl;

	if (nb->len < (eth ? ETH_HLEN : 0) + 20u ||
	    (eth && nb->data[12] != 8) || (eth && nb->data[13] != 0))
		return;
	hl = (h->vihl & 15u) * 4;
	if (hl < 20 || hl > len)
		return;
	h->check = 0;
	h->check = inet_csum_fold(inet_csum_add(0, p, hl));
	if (h->proto == 17 && len >= hl + 8)
		memset(p + hl + 6, 0, 2);
	if (h->proto == 1 && len >= hl + 4) {
		size_t n = len - hl, tl = net16(h->tot_len);
		if (tl >= hl && tl - hl < n)
			n = tl - hl;
		memset(p + hl + 2, 0, 2);
		uint16_t c = inet_csum_fold(inet_csum_add(0, p + hl, n));
		memcpy(p + hl + 2, &c, 2);
	}
}

static void on_err(void *ctx, int err)
{
	(void)ctx;
	(void)err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netif *nif;
	size_t base;
	int fix = 0;

	host_stack_reset();
	base = kmalloc_in_use();
	netif_set_addr(&host_eth, IP4(10, 0, 2, 15), IP4(255, 255, 255, 0),
		       IP4(10, 0, 2, 2));
	dhcp_start(&host_eth, now);
	echo_pcb = udp_pcb_new(echo, NULL);
	udp_pcb_bind(echo_pcb, 0, net16(7), 0);
	conn_pcb = udp_pcb_new(sink, NULL);
	udp_pcb_on_error(conn_pcb, on_err);
	udp_pcb_connect(conn_pcb, IP4(10, 0, 2, 2), net16(53));
	udp_pcb_join(echo_pcb, IP4(224, 1, 2, 3), 0, 1);
	host_sent_clear();
	if (!size)
		goto out;
	nif = (data[0] & 1) ? net_loopback : &host_eth;
	fix = data[0] & 2;
	data++;
	size--;
	while (size >= 3) {
		size_t len = (size_t)data[0] << 8 | data[1];
		struct netbuf *nb;

		now += (uint64_t)data[2] * (SEC / 4);
		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		nb = netbuf_alloc(len);
		if (!nb)
			break;
		memcpy(netbuf_append(nb, len), data, len);
		if (fix)
			fix_checksums(nb, nif == &host_eth);
		net_rx(nif, nb, now);
		echo_pending();
		data += len;
		size -= len;
		net_timers(now);
		host_sent_clear();
	}
out:
	while (npending) /* echoes of echoes stop here */
		netbuf_put(pending[--npending]);
	udp_pcb_free(echo_pcb);
	udp_pcb_free(conn_pcb);
	dhcp_stop(&host_eth);
	host_stack_reset();
	ip4_reass_flush();
	if (kmalloc_in_use() > base)
		abort(); /* something the stack held was never freed */
	return 0;
}
