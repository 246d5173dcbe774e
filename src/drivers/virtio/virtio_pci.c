/*
 * virtio_pci.c - the virtio 1.x PCI transport (virtio 1.2 §4.1): the
 * vendor capabilities (common, notify, ISR, device config), the status
 * handshake, feature negotiation, queue setup and MSI-X.
 *
 * Layer: drivers/virtio, over pci.c and virtqueue.c; called by
 * virtio_net.c and virtio_rng.c in the order virtio.h gives. The modern
 * interface is preferred (QEMU's transitional devices offer both); a
 * device without the modern capabilities is driven through its legacy
 * I/O BAR (virtio 0.9.5: 32-bit features, no FEATURES_OK, fixed queue
 * sizes, rings given by page frame number) when that BAR is assigned,
 * e.g. `-global virtio-net-pci.disable-modern=on` on pc or q35. Waiting
 * for the device happens only here, at probe, as a bounded poll of the
 * status register.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <uni/irq.h>
#include <uni/kernel.h>
#include <uni/mm.h>
#include <uni/pci.h>
#include <uni/x86_64/cpu.h>
#include <linux/virtio_pci.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include "virtio.h"

#define RESET_POLLS 100000
#define UNI_PAGE_SHIFT_LEGACY 12 /* VIRTIO_PCI_QUEUE_ADDR_SHIFT */

/* The mapped address of the structure a vendor capability points at. */
KERNEL_COLD static volatile uint8_t *cap_map(struct pci_dev *d, unsigned cap,
					     uint32_t *len)
{
	uint8_t bar = pci_read8(d, cap + offsetof(struct virtio_pci_cap, bar));
	uint32_t off = pci_read32(d, cap + offsetof(struct virtio_pci_cap, offset));
	uint32_t n = pci_read32(d, cap + offsetof(struct virtio_pci_cap, length));
	volatile uint8_t *base;

	if (bar >= PCI_MAX_BARS || (uint64_t)off + n > d->bar_len[bar])
		return NULL;
	base = pci_bar_map(d, bar);
	if (!base)
		return NULL;
	if (len)
		*len = n;
	return base + off;
}

KERNEL_COLD int virtio_pci_open(struct virtio_dev *vd, struct pci_dev *d)
{
	unsigned cap = 0;
	uint32_t len;
	int polls = RESET_POLLS;

	memset(vd, 0, sizeof(*vd));
	vd->pci = d;
	vd->msix = -1;
	pci_enable(d);
	while ((cap = pci_cap_find(d, PCI_CAP_ID_VNDR, cap))) {
		uint8_t type = pci_read8(d, cap + offsetof(struct virtio_pci_cap,
							    cfg_type));
		volatile uint8_t *p;

		/* The first capability of each type is the preferred one
		 * (§4.1.4); later ones are skipped. */
		if (type == VIRTIO_PCI_CAP_COMMON_CFG && !vd->common) {
			p = cap_map(d, cap, &len);
			if (p && len >= sizeof(struct virtio_pci_common_cfg))
				vd->common = (volatile struct virtio_pci_common_cfg *)p;
		} else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && !vd->notify_base) {
			vd->notify_base = cap_map(d, cap, &len);
			vd->notify_mult = pci_read32(d, cap + VIRTIO_PCI_NOTIFY_CAP_MULT);
			vd->notify_len = len;
		} else if (type == VIRTIO_PCI_CAP_ISR_CFG && !vd->isr) {
			vd->isr = cap_map(d, cap, NULL);
		} else if (type == VIRTIO_PCI_CAP_DEVICE_CFG && !vd->devcfg) {
			vd->devcfg = cap_map(d, cap, &vd->devcfg_len);
		}
	}
	if (!vd->common || !vd->notify_base) {
		if (!d->bar_io[0] || !d->bar_pa[0] || d->bar_pa[0] > 0xffff) {
			kprintf("uni: virtio: %02x:%02x.%x has neither a modern "
				"interface nor a legacy I/O BAR\n",
				d->bus, d->dev, d->fn);
			return -ENODEV;
		}
		vd->legacy = 1;
		vd->io = (uint16_t)d->bar_pa[0];
		outb(vd->io + VIRTIO_PCI_STATUS, 0); /* reset: immediate */
		outb(vd->io + VIRTIO_PCI_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
		outb(vd->io + VIRTIO_PCI_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
						 VIRTIO_CONFIG_S_DRIVER);
		d->claimed = 1;
		return 0;
	}
	/* §3.1.1: reset, wait until the device reads back 0. */
	vd->common->device_status = 0;
	while (vd->common->device_status && --polls)
		;
	if (!polls)
		return -ENODEV;
	vd->common->device_status = VIRTIO_CONFIG_S_ACKNOWLEDGE;
	vd->common->device_status = VIRTIO_CONFIG_S_ACKNOWLEDGE |
				    VIRTIO_CONFIG_S_DRIVER;
	d->claimed = 1;
	return 0;
}

KERNEL_COLD int virtio_pci_features(struct virtio_dev *vd, uint64_t want)
{
	volatile struct virtio_pci_common_cfg *c = vd->common;
	uint64_t have;

	/* Event indexes need a real store-load fence between our ring
	 * writes and reads; under TCG there is none, and a missed crossing
	 * silences a queue for good (seen as TCP transfers that stop dead).
	 * Without them the device's flags decide, and every kick is sent
	 * (virtq.always_kick), so nothing is ever lost. */
	if (cpu_under_tcg())
		want &= ~(1ull << VIRTIO_RING_F_EVENT_IDX);
	if (vd->legacy) {
		/* 32 feature bits, no VERSION_1, no FEATURES_OK step. */
		want &= inl(vd->io + VIRTIO_PCI_HOST_FEATURES);
		outl(vd->io + VIRTIO_PCI_GUEST_FEATURES, (uint32_t)want);
		vd->features = want;
		return 0;
	}
	c->device_feature_select = 0;
	have = c->device_feature;
	c->device_feature_select = 1;
	have |= (uint64_t)c->device_feature << 32;
	want = (want | 1ull << VIRTIO_F_VERSION_1) & have;
	if (!(want & 1ull << VIRTIO_F_VERSION_1))
		return -ENODEV;
	c->guest_feature_select = 0;
	c->guest_feature = (uint32_t)want;
	c->guest_feature_select = 1;
	c->guest_feature = (uint32_t)(want >> 32);
	c->device_status |= VIRTIO_CONFIG_S_FEATURES_OK;
	/* §3.1.1 step 6: the device may refuse the subset. */
	if (!(c->device_status & VIRTIO_CONFIG_S_FEATURES_OK))
		return -ENODEV;
	vd->features = want;
	return 0;
}

#define MSIX_CONFIG 0
#define MSIX_QUEUES 1

KERNEL_COLD static int vp_irq(struct virtio_dev *vd, unsigned entry,
			      void (*fn)(void *), void *arg)
{
	int v = irq_alloc_vector(fn, arg);

	if (v < 0)
		return v;
	return pci_msix_enable(vd->pci, entry, v);
}

KERNEL_COLD int virtio_pci_irq_config(struct virtio_dev *vd,
				      void (*fn)(void *), void *arg)
{
	int r = vp_irq(vd, MSIX_CONFIG, fn, arg);

	if (r < 0)
		return r;
	vd->msix_on = 1;
	if (vd->legacy) {
		outw(vd->io + VIRTIO_MSI_CONFIG_VECTOR, MSIX_CONFIG);
		return inw(vd->io + VIRTIO_MSI_CONFIG_VECTOR) == MSIX_CONFIG
			       ? 0 : -ENODEV;
	}
	vd->common->msix_config = MSIX_CONFIG;
	/* The device reads back VIRTIO_MSI_NO_VECTOR when it cannot map
	 * the entry (§4.1.5.1.2). */
	return vd->common->msix_config == MSIX_CONFIG ? 0 : -ENODEV;
}

KERNEL_COLD int virtio_pci_irq_queues(struct virtio_dev *vd,
				      void (*fn)(void *), void *arg)
{
	int r = vp_irq(vd, MSIX_QUEUES, fn, arg);

	if (r < 0)
		return r;
	vd->msix = MSIX_QUEUES;
	return 0;
}

static void vp_notify(struct virtq *vq)
{
	*(volatile uint16_t *)vq->priv = vq->index;
}

static void vp_legacy_notify(struct virtq *vq)
{
	outw((uint16_t)(uintptr_t)vq->priv, vq->index);
}

/* Legacy queue setup: the device's size as it is, the ring given by its
 * page frame number (the ring layout is the legacy one already). */
KERNEL_COLD static int vp_legacy_queue(struct virtio_dev *vd,
				       struct virtq *vq, uint16_t i,
				       const char *name)
{
	uint16_t num;
	size_t pages;
	uint64_t pa;
	int r;

	outw(vd->io + VIRTIO_PCI_QUEUE_SEL, i);
	num = inw(vd->io + VIRTIO_PCI_QUEUE_NUM);
	if (!num || (num & (num - 1)) || inl(vd->io + VIRTIO_PCI_QUEUE_PFN))
		return -ENODEV;
	pages = ALIGN_UP(virtq_mem_size(num), UNI_PAGE_SIZE) / UNI_PAGE_SIZE;
	pa = pmm_alloc_contig(pages, PMM_ZERO);
	if (!pa || (pa >> UNI_PAGE_SHIFT_LEGACY) > 0xffffffffu)
		return -ENOMEM;
	r = virtq_init(vq, i, num, (void *)(uintptr_t)pa,
		       !!(vd->features & 1ull << VIRTIO_RING_F_EVENT_IDX),
		       vp_legacy_notify,
		       (void *)(uintptr_t)(vd->io + VIRTIO_PCI_QUEUE_NOTIFY));
	if (r < 0)
		goto free_ring;
	vq->name = name;
	vq->always_kick = (uint8_t)cpu_under_tcg();
	if (vd->msix >= 0) {
		outw(vd->io + VIRTIO_MSI_QUEUE_VECTOR, (uint16_t)vd->msix);
		if (inw(vd->io + VIRTIO_MSI_QUEUE_VECTOR) != vd->msix) {
			virtq_free(vq);
			r = -ENODEV;
			goto free_ring;
		}
	}
	outl(vd->io + VIRTIO_PCI_QUEUE_PFN,
	     (uint32_t)(pa >> UNI_PAGE_SHIFT_LEGACY));
	return 0;
free_ring:
	for (size_t p = 0; p < pages; p++)
		pmm_free(pa + p * UNI_PAGE_SIZE);
	return r;
}

KERNEL_COLD int virtio_pci_setup_queue(struct virtio_dev *vd, struct virtq *vq,
				       uint16_t i, uint16_t max, const char *name)
{
	volatile struct virtio_pci_common_cfg *c = vd->common;
	uint16_t num;
	size_t pages;
	uint64_t pa, off;
	int r;

	if (vd->legacy)
		return vp_legacy_queue(vd, vq, i, name);
	if (i >= c->num_queues)
		return -ENODEV;
	c->queue_select = i;
	num = c->queue_size;
	if (!num || (num & (num - 1)))
		return -ENODEV;
	while (num > max)
		num /= 2;
	c->queue_size = num;
	off = (uint64_t)c->queue_notify_off * vd->notify_mult;
	if (off + 2 > vd->notify_len)
		return -ENODEV;
	pages = ALIGN_UP(virtq_mem_size(num), UNI_PAGE_SIZE) / UNI_PAGE_SIZE;
	pa = pmm_alloc_contig(pages, PMM_ZERO);
	if (!pa)
		return -ENOMEM;
	/* The direct map: a frame's kernel address is its physical one. */
	r = virtq_init(vq, i, num, (void *)(uintptr_t)pa,
		       !!(vd->features & 1ull << VIRTIO_RING_F_EVENT_IDX), vp_notify,
		       (void *)(vd->notify_base + off));
	if (r < 0)
		goto free_ring;
	vq->name = name;
	vq->always_kick = (uint8_t)cpu_under_tcg();
	if (vd->msix >= 0) {
		c->queue_msix_vector = (uint16_t)vd->msix;
		if (c->queue_msix_vector != vd->msix) {
			r = -ENODEV;
			goto free_vq;
		}
	}
	c->queue_desc_lo = (uint32_t)pa;
	c->queue_desc_hi = (uint32_t)(pa >> 32);
	c->queue_avail_lo = (uint32_t)(pa + virtq_avail_off(num));
	c->queue_avail_hi = (uint32_t)((pa + virtq_avail_off(num)) >> 32);
	c->queue_used_lo = (uint32_t)(pa + virtq_used_off(num));
	c->queue_used_hi = (uint32_t)((pa + virtq_used_off(num)) >> 32);
	c->queue_enable = 1;
	return 0;
free_vq:
	virtq_free(vq);
free_ring:
	for (size_t p = 0; p < pages; p++)
		pmm_free(pa + p * UNI_PAGE_SIZE);
	return r;
}

/* Set status bits (modern or legacy register). */
KERNEL_COLD static void vp_status_or(struct virtio_dev *vd, uint8_t bits)
{
	if (vd->legacy)
		outb(vd->io + VIRTIO_PCI_STATUS,
		     inb(vd->io + VIRTIO_PCI_STATUS) | bits);
	else
		vd->common->device_status |= bits;
}

KERNEL_COLD void virtio_pci_ready(struct virtio_dev *vd)
{
	vp_status_or(vd, VIRTIO_CONFIG_S_DRIVER_OK);
}

KERNEL_COLD void virtio_pci_fail(struct virtio_dev *vd)
{
	vp_status_or(vd, VIRTIO_CONFIG_S_FAILED);
}

void virtio_pci_read_cfg(struct virtio_dev *vd, size_t off, void *buf,
			 size_t len)
{
	uint8_t gen;
	int tries = 100;

	if (vd->legacy) {
		/* After the MSI-X vectors when MSI-X is on (offset 24). */
		uint16_t base = (uint16_t)(vd->io + VIRTIO_PCI_CONFIG_OFF(vd->msix_on));
		for (size_t i = 0; i < len; i++)
			((uint8_t *)buf)[i] = inb((uint16_t)(base + off + i));
		return;
	}
	if (!vd->devcfg || off + len > vd->devcfg_len) {
		memset(buf, 0, len);
		return;
	}
	/* §4.1.4.3.1: retry until the generation is the same before and
	 * after, so a multi-byte field is not torn by a change. */
	do {
		gen = vd->common->config_generation;
		for (size_t i = 0; i < len; i++)
			((uint8_t *)buf)[i] = vd->devcfg[off + i];
	} while (gen != vd->common->config_generation && --tries);
}

KERNEL_COLD void virtio_pci_reset(struct virtio_dev *vd)
{
	int polls = RESET_POLLS;

	if (vd->legacy) {
		outb(vd->io + VIRTIO_PCI_STATUS, 0);
		return;
	}
	vd->common->device_status = 0;
	while (vd->common->device_status && --polls)
		;
}

KERNEL_COLD void virtio_pci_free_queue(struct virtq *vq)
{
	uint64_t pa = (uint64_t)(uintptr_t)vq->desc;
	size_t pages = ALIGN_UP(virtq_mem_size(vq->num), UNI_PAGE_SIZE) /
		       UNI_PAGE_SIZE;

	virtq_free(vq);
	for (size_t p = 0; p < pages && pa; p++)
		pmm_free(pa + p * UNI_PAGE_SIZE);
	vq->desc = NULL;
}
