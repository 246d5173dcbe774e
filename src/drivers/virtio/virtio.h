/*
 * virtio.h - the virtio drivers' internal interface: split virtqueues
 * (virtqueue.c) and the virtio 1.x PCI transport (virtio_pci.c).
 *
 * Layer: drivers, private to src/drivers/virtio/. Call order for a device
 * driver (virtio_net.c, virtio_rng.c):
 *   virtio_pci_open(pci device)       reset, ACKNOWLEDGE | DRIVER
 *   virtio_pci_features(want)         negotiate, FEATURES_OK checked
 *   virtio_pci_setup_queue(i, ...)    each queue: ring memory, MSI-X vector
 *   virtio_pci_ready()                DRIVER_OK
 * then virtq_add / virtq_kick / virtq_get_used on the queues. The
 * virtqueue code is pure logic over memory the caller provides, so
 * test/unit/test_virtqueue.c runs it on the host against a fake device.
 *
 * Ownership: a buffer added with a token belongs to the device until
 * virtq_get_used hands the token back. Everything the device writes (used
 * ring indexes, ids, lengths) is checked; a bad value marks the queue
 * broken (virtio 1.2 §2.7.8 gives the device no right to it) and the queue
 * refuses all further work.
 */
#ifndef UNI_DRIVERS_VIRTIO_H
#define UNI_DRIVERS_VIRTIO_H

#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

struct virtq;
typedef void (*virtq_notify_fn)(struct virtq *vq);

/* One piece of a buffer chain: physical address and length. */
struct virtq_buf {
	uint64_t pa;
	uint32_t len;
};

struct virtq {
	/* Shared with the device (virtio 1.2 §2.7): */
	struct vring_desc *desc;   /* num descriptors, driver-written */
	struct vring_avail *avail; /* driver-written: flags, idx, ring[num],
	                            * used_event */
	struct vring_used *used;   /* device-written: flags, idx,
	                            * ring[num], avail_event */
	/* Driver-private (the device never sees these): */
	uint16_t num;              /* ring size, a power of two */
	uint16_t index;            /* queue number on the device */
	uint16_t free_head;        /* first free descriptor */
	uint16_t num_free;
	uint16_t avail_idx;        /* our copy of avail->idx */
	uint16_t last_used;        /* next used entry to consume */
	uint16_t kicked_idx;       /* avail_idx at the last kick */
	uint8_t event_idx;         /* VIRTIO_F_EVENT_IDX negotiated */
	uint8_t broken;            /* the device broke the ring's rules */
	uint8_t intr_off;          /* virtq_disable_intr in force */
	uint8_t always_kick;       /* notify on every kick (no fence: TCG) */
	uint16_t *next;            /* our copy of each descriptor's next */
	void **token;              /* per chain head: the caller's token */
	uint32_t *in_len;          /* per chain head: device-writable bytes */
	uint16_t *chain;           /* per chain head: descriptors in it */
	virtq_notify_fn notify;    /* the transport's doorbell */
	void *priv;                /* the transport's / driver's data */
	const char *name;          /* for the one log line when broken */
};

/* Bytes of ring memory for num entries (desc, avail, then used at the
 * next page, the legacy layout, so any transport accepts it). */
size_t virtq_mem_size(uint16_t num);
/* Set up vq over zeroed ring memory; 0 or -ENOMEM (bookkeeping arrays),
 * -EINVAL for a size that is not a power of two in 1..32768. */
int virtq_init(struct virtq *vq, uint16_t index, uint16_t num, void *mem,
	       int event_idx, virtq_notify_fn notify, void *priv);
void virtq_free(struct virtq *vq);
/* Offsets of the avail and used rings from the ring memory. */
size_t virtq_avail_off(uint16_t num);
size_t virtq_used_off(uint16_t num);

/* Post a chain: out device-readable pieces, then in device-writable ones.
 * 0, -ENOSPC (no descriptors), -EINVAL (empty), -EIO (broken). */
int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned out,
	      unsigned in, void *token);
/* Publish added chains and ring the doorbell unless the device said it
 * does not need it (VRING_USED_F_NO_NOTIFY, or its avail_event). */
void virtq_kick(struct virtq *vq);
/* A completed chain's token (and the bytes the device wrote), or NULL
 * when none is ready or the queue is broken. */
void *virtq_get_used(struct virtq *vq, uint32_t *len);
/* Ask for (or not) an interrupt on the next completion. Returns nonzero
 * if completions are already waiting (the caller polls again). */
int virtq_enable_intr(struct virtq *vq);
void virtq_disable_intr(struct virtq *vq);
/* Drop the chain state after a device reset, handing back each token
 * through fn (for freeing). */
void virtq_drain(struct virtq *vq, void (*fn)(void *token));

/* ---- PCI transport (virtio_pci.c) ------------------------------------- */

struct pci_dev;

struct virtio_dev {
	struct pci_dev *pci;
	volatile struct virtio_pci_common_cfg *common;
	volatile uint8_t *notify_base;
	uint32_t notify_mult;
	uint32_t notify_len;
	volatile uint8_t *isr;
	volatile uint8_t *devcfg;   /* device-specific configuration */
	uint32_t devcfg_len;
	uint64_t features;          /* negotiated */
	int msix;                   /* queues' MSI-X table entry, -1: none */
	/* Legacy (virtio 0.9.5) devices, driven through the I/O BAR 0 when
	 * the modern capabilities are missing: its port, and whether MSI-X
	 * is on (it moves the device config from offset 20 to 24). */
	uint16_t io;
	uint8_t legacy, msix_on;
};

int virtio_pci_open(struct virtio_dev *vd, struct pci_dev *pci);
/* Negotiate: offer want & the device's features (VIRTIO_F_VERSION_1 is
 * required); 0 or -ENODEV (FEATURES_OK refused, or no VERSION_1). */
int virtio_pci_features(struct virtio_dev *vd, uint64_t want);
/* Interrupts through MSI-X: config changes on entry 0, every queue set
 * up afterwards on entry 1; each fn on a fresh vector. 0, -ENODEV (no
 * MSI-X, or the device cannot map the entry), -ENOSPC. */
int virtio_pci_irq_config(struct virtio_dev *vd, void (*fn)(void *), void *arg);
int virtio_pci_irq_queues(struct virtio_dev *vd, void (*fn)(void *), void *arg);
/* Allocate and enable queue i with at most max entries. */
int virtio_pci_setup_queue(struct virtio_dev *vd, struct virtq *vq,
			   uint16_t i, uint16_t max, const char *name);
void virtio_pci_ready(struct virtio_dev *vd);
/* Give up on the device (DRIVER_OK never set, or a queue broke): FAILED. */
void virtio_pci_fail(struct virtio_dev *vd);
/* Read the device config space consistently (config_generation). */
void virtio_pci_read_cfg(struct virtio_dev *vd, size_t off, void *buf,
			 size_t len);

/* Reset the device (it lets go of every buffer) and free queue vq's ring
 * memory and bookkeeping. */
void virtio_pci_reset(struct virtio_dev *vd);
void virtio_pci_free_queue(struct virtq *vq);

/* virtio_rng.c: read entropy from every virtio-rng device into the
 * kernel's generator; called by virtio_net_probe_all. */
void virtio_rng_probe_all(void);

/* Vendor and device IDs (virtio 1.2 §4.1.2): modern is 0x1040 + type,
 * transitional 0x1000.. with the type in the subsystem ID. */
#define VIRTIO_PCI_VENDOR 0x1af4

#endif
