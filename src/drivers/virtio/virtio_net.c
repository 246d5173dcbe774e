/*
 * virtio_net.c - the virtio network device (virtio 1.2 §5.1) as a struct
 * netif: MAC, link status, receive and transmit queues, MSI-X.
 *
 * Layer: drivers/virtio, over virtio_pci.c and virtqueue.c; gives frames
 * to the stack with net_rx() and takes them through netif->xmit. Called
 * once by the stack's net_init() through virtio_net_probe_all(), which
 * also probes virtio-rng (virtio_rng.c), so an image links this file and
 * PCI only when it uses the network.
 *
 * Receive: every buffer holds a whole frame (header + 1518 bytes), so a
 * packet never spans buffers; with VIRTIO_NET_F_MRG_RXBUF a device may
 * still say num_buffers > 1, and then the packet and its other buffers
 * are dropped and counted. Transmit: the 12-byte header goes into the
 * netbuf's headroom in front of data, without moving data (the stack may
 * hold a reference for a retransmit); completions are reclaimed on the
 * next transmit and on every interrupt. No checksum or segmentation
 * offload is negotiated. A queue the device breaks takes the interface
 * down for good.
 */
#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <string.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/mm.h>
#include <uni/net.h>
#include <uni/pci.h>
#include <uni/random.h>
#include <uni/time.h>
#include <uni/x86_64/cpu.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include "virtio.h"

#define VNET_RXQ 0
#define VNET_TXQ 1
#define VNET_QSIZE 256            /* at most; the device may offer fewer */
#define VNET_HDR_LEN sizeof(struct virtio_net_hdr_mrg_rxbuf) /* 12, §5.1.6 */
#define VNET_FRAME_MAX 1518       /* Ethernet + 1500 + a VLAN tag, no FCS */

struct vnet {
	struct netif nif;
	struct virtio_dev vd;
	struct virtq rx, tx;
	unsigned rx_skip;  /* buffers still to drop of a multi-buffer packet */
	int dead;          /* a queue broke: the interface is down for good */
};

static int nvnets;

/* Netbufs are kmalloc blocks: physically contiguous (kmalloc.c), so the
 * first byte's address describes the whole buffer. */
static uint64_t buf_pa(const void *p)
{
	return mm_virt_to_phys(p);
}

/* Post one receive buffer: the device writes the header in the headroom
 * just before data, the frame at data. */
static int vnet_rx_post(struct vnet *vn)
{
	struct netbuf *nb = netbuf_alloc(VNET_FRAME_MAX);
	struct virtq_buf b;
	int r;

	if (!nb)
		return -ENOMEM;
	b.pa = buf_pa(nb->data - VNET_HDR_LEN);
	b.len = VNET_HDR_LEN + VNET_FRAME_MAX;
	r = b.pa == (uint64_t)-1 ? -EFAULT : virtq_add(&vn->rx, &b, 0, 1, nb);
	if (r < 0)
		netbuf_put(nb);
	return r;
}

static void vnet_rx_fill(struct vnet *vn)
{
	while (vn->rx.num_free && vnet_rx_post(vn) == 0)
		;
	virtq_kick(&vn->rx);
}

static void vnet_set_link(struct vnet *vn)
{
	uint16_t status = VIRTIO_NET_S_LINK_UP;

	if (vn->vd.features & 1ull << VIRTIO_NET_F_STATUS)
		virtio_pci_read_cfg(&vn->vd,
				    offsetof(struct virtio_net_config, status),
				    &status, sizeof(status));
	if ((status & VIRTIO_NET_S_LINK_UP) && !vn->dead)
		vn->nif.flags |= IFF_RUNNING;
	else
		vn->nif.flags &= ~(unsigned)IFF_RUNNING;
}

static void vnet_check_broken(struct vnet *vn)
{
	if (!vn->dead && (vn->rx.broken || vn->tx.broken)) {
		vn->dead = 1;
		vn->nif.flags &= ~(unsigned)(IFF_UP | IFF_RUNNING);
		virtio_pci_fail(&vn->vd);
	}
}

static void vnet_tx_reclaim(struct vnet *vn)
{
	struct netbuf *nb;

	while ((nb = virtq_get_used(&vn->tx, NULL)))
		netbuf_put(nb);
}

static void vnet_rx(struct vnet *vn)
{
	struct netbuf *nb;
	uint32_t len;

again:
	while ((nb = virtq_get_used(&vn->rx, &len))) {
		const struct virtio_net_hdr_mrg_rxbuf *h =
			(const void *)(nb->data - VNET_HDR_LEN);
		uint16_t nbufs = 1;

		if (vn->vd.features & 1ull << VIRTIO_NET_F_MRG_RXBUF)
			nbufs = *(volatile const uint16_t *)&h->num_buffers;
		if (vn->rx_skip) {
			vn->rx_skip--;
			goto drop;
		}
		if (nbufs != 1) {
			/* Larger than our buffers: never expected (no GSO
			 * was negotiated); the rest follows and is dropped
			 * too. 0 is invalid and drops only this one. */
			vn->rx_skip = nbufs ? nbufs - 1u : 0;
			goto drop;
		}
		if (len < VNET_HDR_LEN + 14)
			goto drop;
		netbuf_append(nb, len - VNET_HDR_LEN);
		nb->dev = &vn->nif;
		vn->nif.rx_packets++;
		vn->nif.rx_bytes += nb->len;
		net_rx(&vn->nif, nb, time_now_ns());
		continue;
drop:
		vn->nif.rx_dropped++;
		netbuf_put(nb);
	}
	/* used_event was stored after the last entry, then used->idx was
	 * loaded: without a fence between them the device can publish a
	 * frame, read the old used_event and not interrupt, while we read
	 * the old index and stop - and the ring is silent for good. Publish
	 * used_event, fence, and look once more (virtio 1.2 §2.7.10). */
	if (virtq_enable_intr(&vn->rx))
		goto again;
	vnet_rx_fill(vn);
}

/* MSI-X entry 1: the queues (receive; transmit only reclaims). */
static void vnet_intr(void *arg)
{
	struct vnet *vn = arg;

	if (vn->dead)
		return;
	vnet_tx_reclaim(vn);
	vnet_rx(vn);
	vnet_check_broken(vn);
}

/* MSI-X entry 0: the configuration changed (link status). */
static void vnet_config_intr(void *arg)
{
	vnet_set_link(arg);
}

static int vnet_xmit(struct netif *nif, struct netbuf *nb)
{
	struct vnet *vn = nif->drv;
	struct virtq_buf b;
	int r;

	KASSERT(nb && nb->data >= nb->head);
	if (vn->dead)
		return -ENETDOWN;
	if ((size_t)(nb->data - nb->head) < VNET_HDR_LEN ||
	    nb->len > VNET_FRAME_MAX)
		return -EINVAL;
	vnet_tx_reclaim(vn);
	/* No offloads: flags 0, GSO_NONE; num_buffers is 0 on transmit. */
	memset(nb->data - VNET_HDR_LEN, 0, VNET_HDR_LEN);
	b.pa = buf_pa(nb->data - VNET_HDR_LEN);
	b.len = (uint32_t)(VNET_HDR_LEN + nb->len);
	if (b.pa == (uint64_t)-1)
		return -EFAULT;
	r = virtq_add(&vn->tx, &b, 1, 0, nb);
	if (r < 0) {
		vnet_check_broken(vn);
		return r == -ENOSPC ? -ENOBUFS : -ENETDOWN;
	}
	virtq_kick(&vn->tx);
	/* Receive buffers that could not be allocated in the interrupt are
	 * retried here, or an empty ring would never interrupt again. */
	if (vn->rx.num_free)
		vnet_rx_fill(vn);
	nif->tx_packets++;
	nif->tx_bytes += nb->len;
	return 0;
}

static void free_token(void *t)
{
	netbuf_put(t);
}

KERNEL_COLD static int vnet_probe(struct pci_dev *d)
{
	struct vnet *vn = kzalloc(sizeof(*vn));
	int r;

	if (!vn)
		return -ENOMEM;
	r = virtio_pci_open(&vn->vd, d);
	if (r < 0)
		goto free_vn;
	r = virtio_pci_features(&vn->vd, 1ull << VIRTIO_NET_F_MAC |
					      1ull << VIRTIO_NET_F_STATUS |
					      1ull << VIRTIO_NET_F_MRG_RXBUF |
					      1ull << VIRTIO_RING_F_EVENT_IDX);
	if (r < 0)
		goto fail;
	/* A legacy device's header has num_buffers (12 bytes, as modern)
	 * only with MRG_RXBUF; without it, 10: not what this driver lays out. */
	if (vn->vd.legacy &&
	    !(vn->vd.features & 1ull << VIRTIO_NET_F_MRG_RXBUF)) {
		kprintf("uni: virtio-net: a legacy device without mergeable "
			"receive buffers is not supported\n");
		r = -ENODEV;
		goto fail;
	}
	r = virtio_pci_irq_config(&vn->vd, vnet_config_intr, vn);
	if (r < 0)
		goto fail;
	r = virtio_pci_irq_queues(&vn->vd, vnet_intr, vn);
	if (r < 0)
		goto fail;
	r = virtio_pci_setup_queue(&vn->vd, &vn->rx, VNET_RXQ, VNET_QSIZE, "net rx");
	if (r < 0)
		goto fail;
	r = virtio_pci_setup_queue(&vn->vd, &vn->tx, VNET_TXQ, VNET_QSIZE, "net tx");
	if (r < 0)
		goto fail;
	virtq_disable_intr(&vn->tx); /* reclaimed on transmit */
	if (vn->vd.features & 1ull << VIRTIO_NET_F_MAC) {
		virtio_pci_read_cfg(&vn->vd, offsetof(struct virtio_net_config, mac),
				    vn->nif.mac, 6);
	} else {
		/* §5.1.5: without a MAC the driver picks one: random,
		 * locally administered, unicast. */
		random_bytes(vn->nif.mac, 6);
		vn->nif.mac[0] = (uint8_t)((vn->nif.mac[0] & ~1u) | 2u);
	}
	ksnprintf(vn->nif.name, sizeof(vn->nif.name), "eth%d", nvnets);
	vn->nif.flags = IFF_UP | IFF_BROADCAST | IFF_MULTICAST;
	vn->nif.mtu = 1500;
	vn->nif.xmit = vnet_xmit;
	vn->nif.drv = vn;
	virtio_pci_ready(&vn->vd);
	vnet_rx_fill(vn);
	vnet_set_link(vn);
	r = netif_register(&vn->nif);
	if (r < 0)
		goto reset;
	nvnets++;
	kprintf("uni: %s: virtio-net%s %02x:%02x:%02x:%02x:%02x:%02x, link %s\n",
		vn->nif.name, vn->vd.legacy ? " (legacy)" : "", vn->nif.mac[0],
		vn->nif.mac[1], vn->nif.mac[2], vn->nif.mac[3], vn->nif.mac[4],
		vn->nif.mac[5], vn->nif.flags & IFF_RUNNING ? "up" : "down");
	return 0;
reset:
	/* Reset stops the device touching the buffers before they go. */
	virtio_pci_reset(&vn->vd);
	virtq_drain(&vn->rx, free_token);
	virtq_free(&vn->rx);
	virtq_free(&vn->tx);
	kfree(vn);
	return r;
fail:
	virtio_pci_fail(&vn->vd);
free_vn:
	kfree(vn);
	return r;
}

/* Before the VM powers off (proc_exit): wait, at most 100 ms, until each
 * device has taken every queued frame. QEMU handles transmit kicks
 * asynchronously, so a program that sends its last datagram and exits
 * would otherwise lose it. Nothing else runs any more: a bounded poll. */
void virtio_net_flush(void)
{
	uint64_t end = time_now_ns() + 100000000ULL;

	for (struct netif *nif = netif_first(); nif; nif = nif->next) {
		struct vnet *vn = nif->drv;

		if (nif->xmit != vnet_xmit)
			continue;
		for (;;) {
			vnet_tx_reclaim(vn);
			if (vn->dead || vn->tx.broken ||
			    vn->tx.num_free == vn->tx.num ||
			    time_now_ns() > end)
				break;
			cpu_relax();
		}
	}
}

int virtio_net_probe_all(void)
{
	struct pci_dev *d = NULL;
	int n = 0;

	virtio_rng_probe_all();
	/* Transitional 0x1000 (subsystem 1 = network) or modern 0x1041. */
	while ((d = pci_find(d, VIRTIO_PCI_VENDOR, 0x1000, 0x1041))) {
		if (d->device != 0x1040 + VIRTIO_ID_NET &&
		    !(d->device < 0x1040 && d->subsys == VIRTIO_ID_NET))
			continue;
		int r = vnet_probe(d);

		if (r == 0)
			n++;
		else /* an interface that silently never appears helps nobody */
			kprintf("uni: virtio-net at %02x:%02x.%x not used: "
				"error %d%s\n", d->bus, d->dev, d->fn, -r,
				r == -ENOMEM ? " (out of memory: more -m?)" : "");
	}
	return n;
}
