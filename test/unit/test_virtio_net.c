/*
 * test_virtio_net.c - the virtio-net driver (src/drivers/virtio/
 * virtio_net.c) with its real virtqueues and netbufs on the host, over a
 * fake PCI transport: this file plays the device (reads the avail rings,
 * writes frames and used entries) and the stack (net_rx, netif_register).
 * Checks: probe (MAC, link, receive ring filled), receive of a frame, a
 * short frame and a multi-buffer packet dropped and counted, transmit
 * (header in the headroom, data untouched, completion reclaimed, ring
 * full -> -ENOBUFS), link change, and a device that breaks a ring takes
 * the interface down for good.
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uni/kernel.h>
#include <uni/net.h>
#include <uni/pci.h>
#include <linux/virtio_net.h>
#include "unit.h"
#include "virtio.h"

/* ---- the fake transport ------------------------------------------------- */

static struct pci_dev fake_pci = { .vendor = 0x1af4, .device = 0x1041 };
static struct virtio_net_config fake_cfg = {
	.mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
	.status = VIRTIO_NET_S_LINK_UP,
};
static uint64_t offered = 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS |
			  1ull << VIRTIO_NET_F_MRG_RXBUF | 1ull << VIRTIO_F_VERSION_1;
static void (*cfg_fn)(void *), (*q_fn)(void *);
static void *cfg_arg, *q_arg;
static struct virtq *queues[2];
static int notifies[2], failed_status, ready;

struct pci_dev *pci_find(struct pci_dev *from, uint16_t vendor, uint16_t lo,
			 uint16_t hi)
{
	(void)vendor; (void)lo; (void)hi;
	return from || fake_pci.claimed ? NULL : &fake_pci;
}

int virtio_pci_open(struct virtio_dev *vd, struct pci_dev *pci)
{
	memset(vd, 0, sizeof(*vd));
	vd->pci = pci;
	pci->claimed = 1;
	return 0;
}

int virtio_pci_features(struct virtio_dev *vd, uint64_t want)
{
	vd->features = (want | 1ull << VIRTIO_F_VERSION_1) & offered;
	return 0;
}

int virtio_pci_irq_config(struct virtio_dev *vd, void (*fn)(void *), void *arg)
{
	(void)vd;
	cfg_fn = fn;
	cfg_arg = arg;
	return 0;
}

int virtio_pci_irq_queues(struct virtio_dev *vd, void (*fn)(void *), void *arg)
{
	vd->msix = 1;
	q_fn = fn;
	q_arg = arg;
	return 0;
}

static void fake_notify(struct virtq *vq) { notifies[vq->index]++; }

int virtio_pci_setup_queue(struct virtio_dev *vd, struct virtq *vq, uint16_t i,
			   uint16_t max, const char *name)
{
	uint16_t num = max < 8 ? max : 8;
	void *mem = aligned_alloc(4096, ALIGN_UP(virtq_mem_size(num), 4096));

	(void)vd;
	memset(mem, 0, virtq_mem_size(num));
	if (virtq_init(vq, i, num, mem, 0, fake_notify, NULL) < 0)
		return -ENOMEM;
	vq->name = name;
	queues[i] = vq;
	return 0;
}

void virtio_pci_ready(struct virtio_dev *vd) { (void)vd; ready = 1; }
void virtio_pci_fail(struct virtio_dev *vd) { (void)vd; failed_status = 1; }
void virtio_pci_reset(struct virtio_dev *vd) { (void)vd; }
void virtio_pci_free_queue(struct virtq *vq) { virtq_free(vq); }
void virtio_rng_probe_all(void) {}

void virtio_pci_read_cfg(struct virtio_dev *vd, size_t off, void *buf, size_t len)
{
	(void)vd;
	memcpy(buf, (uint8_t *)&fake_cfg + off, len);
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

uint64_t mm_virt_to_phys(const void *va) { return (uint64_t)(uintptr_t)va; }
uint64_t time_now_ns(void) { return 42; }
void random_bytes(void *buf, size_t len) { memset(buf, 0xaa, len); }

/* ---- the fake stack ------------------------------------------------------ */

static struct netif *eth;
static struct netbuf *got[16];
static int ngot;

int netif_register(struct netif *nif)
{
	eth = nif;
	nif->index = 2;
	return 0;
}

struct netif *netif_first(void)
{
	return eth;
}

void net_rx(struct netif *nif, struct netbuf *nb, uint64_t now_ns)
{
	(void)nif;
	CHECK(now_ns == 42);
	if (ngot < 16)
		got[ngot++] = nb;
	else
		netbuf_put(nb);
}

/* ---- the fake device ----------------------------------------------------- */

static uint16_t dev_avail[2];

/* Take the next posted chain of queue q; its head descriptor. */
static struct vring_desc *dev_take(int q, uint16_t *head)
{
	struct virtq *vq = queues[q];

	if (dev_avail[q] == vq->avail->idx)
		return NULL;
	*head = vq->avail->ring[dev_avail[q]++ & (vq->num - 1)];
	return &vq->desc[*head];
}

static void dev_used(int q, uint16_t head, uint32_t len)
{
	struct virtq *vq = queues[q];

	vq->used->ring[vq->used->idx & (vq->num - 1)].id = head;
	vq->used->ring[vq->used->idx & (vq->num - 1)].len = len;
	vq->used->idx++;
}

/* Receive: fill the next buffer with a header saying nbufs and a frame of
 * flen bytes of `fill`. */
static void dev_rx(uint16_t nbufs, uint32_t flen, uint8_t fill)
{
	uint16_t head;
	struct vring_desc *d = dev_take(0, &head);
	struct virtio_net_hdr_mrg_rxbuf h = { .num_buffers = nbufs };
	uint8_t *p;

	CHECK(d && (d->flags & VRING_DESC_F_WRITE));
	if (!d)
		return;
	p = (uint8_t *)(uintptr_t)d->addr;
	memcpy(p, &h, sizeof(h));
	memset(p + sizeof(h), fill, flen);
	dev_used(0, head, (uint32_t)sizeof(h) + flen);
}

static void test_probe(void)
{
	CHECK(virtio_net_probe_all() == 1);
	CHECK(eth && !strcmp(eth->name, "eth0"));
	CHECK(ready);
	CHECK(!memcmp(eth->mac, fake_cfg.mac, 6));
	CHECK(eth->mtu == 1500);
	CHECK((eth->flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING));
	/* The receive ring is full and the device was told. */
	CHECK(queues[0]->num_free == 0);
	CHECK(queues[0]->avail->idx == queues[0]->num);
	CHECK(notifies[0] == 1);
	/* Transmit completions are not interrupts. */
	CHECK(queues[1]->avail->flags & VRING_AVAIL_F_NO_INTERRUPT);
}

static void test_rx(void)
{
	dev_rx(1, 60, 0x11);
	dev_rx(1, 1518, 0x22);
	dev_rx(1, 5, 0x33);     /* shorter than an Ethernet header: dropped */
	dev_rx(3, 100, 0x44);   /* a packet of 3 buffers: it and ... */
	dev_rx(0, 100, 0x55);   /* ... the next two (whatever they say) */
	dev_rx(7, 100, 0x66);   /*     are dropped */
	dev_rx(1, 64, 0x77);
	q_fn(q_arg);
	CHECK(ngot == 3);
	if (ngot == 3) {
		CHECK(got[0]->len == 60 && got[0]->data[0] == 0x11 &&
		      got[0]->data[59] == 0x11);
		CHECK(got[0]->dev == eth);
		CHECK(got[1]->len == 1518 && got[1]->data[1517] == 0x22);
		CHECK(got[2]->len == 64 && got[2]->data[0] == 0x77);
		CHECK((size_t)(got[0]->data - got[0]->head) == NETBUF_HEADROOM);
	}
	CHECK(eth->rx_packets == 3);
	CHECK(eth->rx_bytes == 60 + 1518 + 64);
	CHECK(eth->rx_dropped == 4);
	/* Refilled: every buffer is posted again. */
	CHECK(queues[0]->num_free == 0);
	for (int i = 0; i < ngot; i++)
		netbuf_put(got[i]);
	ngot = 0;
}

static void test_tx(void)
{
	struct netbuf *nb = netbuf_alloc(100);
	uint16_t head;
	struct vring_desc *d;
	int before = notifies[1], sent = 0, r;

	memset(netbuf_append(nb, 100), 0x5a, 100);
	memset(nb->head, 0xee, NETBUF_HEADROOM);
	CHECK(eth->xmit(eth, nb) == 0);
	CHECK(notifies[1] == before + 1);
	d = dev_take(1, &head);
	CHECK(d && !(d->flags & VRING_DESC_F_WRITE));
	if (d) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)d->addr;
		static const uint8_t zero[12];

		CHECK(d->len == 12 + 100);
		CHECK(p + 12 == nb->data);
		CHECK(!memcmp(p, zero, 12)); /* no offloads, num_buffers 0 */
		CHECK(nb->len == 100 && p[12] == 0x5a);
		dev_used(1, head, 0);
	}
	CHECK(eth->tx_packets == 1 && eth->tx_bytes == 100);
	/* Too big, or no headroom for the header: refused, caller keeps it. */
	nb = netbuf_alloc(2000);
	netbuf_append(nb, 1519);
	CHECK(eth->xmit(eth, nb) == -EINVAL);
	netbuf_put(nb);
	/* Fill the ring without completions: then -ENOBUFS. The first
	 * xmit reclaims the completed buffer above. */
	for (;;) {
		nb = netbuf_alloc(60);
		netbuf_append(nb, 60);
		r = eth->xmit(eth, nb);
		if (r < 0)
			break;
		sent++;
	}
	CHECK(r == -ENOBUFS);
	CHECK(sent == queues[1]->num);
	netbuf_put(nb);
	/* The device completes them all; the next transmit reclaims. */
	while ((d = dev_take(1, &head)))
		dev_used(1, head, 0);
	nb = netbuf_alloc(60);
	netbuf_append(nb, 60);
	CHECK(eth->xmit(eth, nb) == 0);
	CHECK(queues[1]->num_free == queues[1]->num - 1);
}

static void test_link(void)
{
	fake_cfg.status = 0;
	cfg_fn(cfg_arg);
	CHECK(!(eth->flags & IFF_RUNNING));
	CHECK(eth->flags & IFF_UP);
	fake_cfg.status = VIRTIO_NET_S_LINK_UP;
	cfg_fn(cfg_arg);
	CHECK(eth->flags & IFF_RUNNING);
}

static void test_broken(void)
{
	struct virtq *rx = queues[0];
	struct netbuf *nb;

	/* A used id the driver never posted as a chain head. */
	rx->used->ring[rx->used->idx & (rx->num - 1)].id = rx->num + 3;
	rx->used->ring[rx->used->idx & (rx->num - 1)].len = 20;
	rx->used->idx++;
	q_fn(q_arg);
	CHECK(rx->broken);
	CHECK(!(eth->flags & (IFF_UP | IFF_RUNNING)));
	CHECK(failed_status);
	CHECK(ngot == 0);
	nb = netbuf_alloc(60);
	netbuf_append(nb, 60);
	CHECK(eth->xmit(eth, nb) == -ENETDOWN);
	netbuf_put(nb);
	/* Later interrupts and link changes do not bring it back. */
	q_fn(q_arg);
	cfg_fn(cfg_arg);
	CHECK(!(eth->flags & IFF_RUNNING));
}

int main(void)
{
	test_probe();
	test_rx();
	test_tx();
	test_link();
	test_broken();
	printf("test_virtio_net: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
