/*
 * virtio_rng.c - the virtio entropy device (virtio 1.2 §5.4): one read of
 * 64 bytes at probe, mixed into the kernel's generator.
 *
 * Layer: drivers/virtio, over virtio_pci.c and virtqueue.c; feeds
 * random_add_entropy() (src/kernel/random/random.c). Called by
 * virtio_net_probe_all(), i.e. when a program brings the network up:
 * that keeps PCI out of images that do not use the network, and the
 * generator never depends on the device (it is ready from the first
 * instruction). The device is read once with a bounded poll (no
 * interrupt: it answers from the host's /dev/urandom within
 * microseconds), then reset and its ring freed.
 */
#include <stdint.h>
#include <string.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/mm.h>
#include <uni/pci.h>
#include <uni/random.h>
#include <uni/time.h>
#include <uni/x86_64/cpu.h>
#include <linux/virtio_ids.h>
#include "virtio.h"

#define RNG_BYTES 64
#define RNG_WAIT_NS 100000000ull /* 100 ms */

KERNEL_COLD static void vrng_read(struct pci_dev *d)
{
	struct virtio_dev vd;
	struct virtq vq;
	struct virtq_buf b;
	uint8_t *buf = kzalloc(RNG_BYTES);
	uint32_t len = 0;
	uint64_t end;
	void *tok = NULL;

	if (!buf)
		return;
	if (virtio_pci_open(&vd, d) < 0)
		goto free_buf;
	if (virtio_pci_features(&vd, 0) < 0 ||
	    virtio_pci_setup_queue(&vd, &vq, 0, 8, "rng") < 0) {
		virtio_pci_fail(&vd);
		goto free_buf;
	}
	virtio_pci_ready(&vd);
	b.pa = mm_virt_to_phys(buf);
	b.len = RNG_BYTES;
	if (virtq_add(&vq, &b, 0, 1, buf) == 0) {
		virtq_kick(&vq);
		end = time_now_ns() + RNG_WAIT_NS;
		while (!(tok = virtq_get_used(&vq, &len)) && !vq.broken &&
		       time_now_ns() < end)
			cpu_relax();
	}
	virtio_pci_reset(&vd);
	virtio_pci_free_queue(&vq);
	if (tok && len) {
		random_add_entropy(buf, len);
		kprintf("uni: random: %u bytes from virtio-rng mixed in\n", len);
	}
	memset(buf, 0, RNG_BYTES);
free_buf:
	kfree(buf);
}

void virtio_rng_probe_all(void)
{
	struct pci_dev *d = NULL;

	/* Transitional 0x1005 (subsystem 4 = entropy) or modern 0x1044. */
	while ((d = pci_find(d, VIRTIO_PCI_VENDOR, 0x1000, 0x1044))) {
		if (d->device == 0x1040 + VIRTIO_ID_RNG ||
		    (d->device < 0x1040 && d->subsys == VIRTIO_ID_RNG))
			vrng_read(d);
	}
}
