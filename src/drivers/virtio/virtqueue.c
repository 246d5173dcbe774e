/*
 * virtqueue.c - split virtqueues (virtio 1.2 §2.7): descriptor chains with
 * an opaque token, publishing and kicking, and taking completions back.
 *
 * Layer: drivers/virtio, pure logic over ring memory the caller provides
 * (virtio_pci.c allocates it; test/unit/test_virtqueue.c uses malloc and
 * plays the device). Called by the device drivers (virtio_net.c,
 * virtio_rng.c) through virtio.h. Nothing the device writes is trusted:
 * the used index may not run more than num ahead, an id must name the
 * head of a chain we posted, and a length may not exceed what the chain
 * offered for writing. The first violation marks the queue broken (Linux's
 * BAD_RING), logs one line, and every later call fails; the driver stops
 * using the device.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include "virtio.h"

/* x86 keeps stores in order and loads in order, so the orderings between
 * the driver's ring writes (or reads) only need the compiler held back;
 * a store followed by a load of another location needs a real fence. */
#define virtq_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define virtq_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define virtq_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

#define READ_ONCE16(x) (*(volatile uint16_t *)&(x))
#define READ_ONCE32(x) (*(volatile uint32_t *)&(x))

size_t virtq_avail_off(uint16_t num)
{
	return (size_t)num * sizeof(struct vring_desc);
}

size_t virtq_used_off(uint16_t num)
{
	/* avail: flags, idx, ring[num], used_event */
	return ALIGN_UP(virtq_avail_off(num) + 6 + 2 * (size_t)num,
			UNI_PAGE_SIZE);
}

size_t virtq_mem_size(uint16_t num)
{
	/* used: flags, idx, ring[num] of 8 bytes, avail_event */
	return virtq_used_off(num) + 6 + 8 * (size_t)num;
}

/* used_event sits after avail's ring, avail_event after used's. */
static volatile uint16_t *used_event(struct virtq *vq)
{
	return (volatile uint16_t *)&vq->avail->ring[vq->num];
}

static volatile uint16_t *avail_event(struct virtq *vq)
{
	return (volatile uint16_t *)&vq->used->ring[vq->num];
}

int virtq_init(struct virtq *vq, uint16_t index, uint16_t num, void *mem,
	       int event_idx, virtq_notify_fn notify, void *priv)
{
	uint8_t *m = mem;

	if (!num || num > 32768 || (num & (num - 1)))
		return -EINVAL;
	memset(vq, 0, sizeof(*vq));
	vq->next = kzalloc(num * sizeof(*vq->next));
	vq->token = kzalloc(num * sizeof(*vq->token));
	vq->in_len = kzalloc(num * sizeof(*vq->in_len));
	vq->chain = kzalloc(num * sizeof(*vq->chain));
	if (!vq->next || !vq->token || !vq->in_len || !vq->chain) {
		virtq_free(vq);
		return -ENOMEM;
	}
	vq->desc = (struct vring_desc *)m;
	vq->avail = (struct vring_avail *)(m + virtq_avail_off(num));
	vq->used = (struct vring_used *)(m + virtq_used_off(num));
	vq->num = num;
	vq->index = index;
	vq->num_free = num;
	vq->event_idx = !!event_idx;
	vq->notify = notify;
	vq->priv = priv;
	for (uint16_t i = 0; i < num; i++)
		vq->next[i] = (uint16_t)(i + 1);
	return 0;
}

void virtq_free(struct virtq *vq)
{
	kfree(vq->next);
	kfree(vq->token);
	kfree(vq->in_len);
	kfree(vq->chain);
	vq->next = NULL;
	vq->token = NULL;
	vq->in_len = NULL;
	vq->chain = NULL;
}

static void virtq_break(struct virtq *vq, const char *why, uint32_t v)
{
	if (!vq->broken)
		kprintf("uni: virtio: %s queue %u broken: %s (%u); not using it\n",
			vq->name ? vq->name : "?", vq->index, why, v);
	vq->broken = 1;
}

int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned out,
	      unsigned in, void *token)
{
	unsigned n = out + in;
	uint16_t head, d;
	uint32_t writable = 0;

	KASSERT(token);
	if (vq->broken)
		return -EIO;
	if (!n)
		return -EINVAL;
	if (n > vq->num_free)
		return -ENOSPC;
	head = d = vq->free_head;
	for (unsigned i = 0; i < n; i++) {
		vq->desc[d].addr = bufs[i].pa;
		vq->desc[d].len = bufs[i].len;
		vq->desc[d].flags = (uint16_t)((i >= out ? VRING_DESC_F_WRITE : 0) |
					       (i + 1 < n ? VRING_DESC_F_NEXT : 0));
		vq->desc[d].next = vq->next[d];
		if (i >= out)
			writable += bufs[i].len;
		d = vq->next[d];
	}
	vq->free_head = d;
	vq->num_free = (uint16_t)(vq->num_free - n);
	vq->token[head] = token;
	vq->in_len[head] = writable;
	vq->chain[head] = (uint16_t)n;
	vq->avail->ring[vq->avail_idx & (vq->num - 1)] = head;
	/* The descriptors and the ring slot are visible before the index
	 * that hands them to the device (§2.7.13.2). */
	virtq_wmb();
	vq->avail_idx++;
	*(volatile uint16_t *)&vq->avail->idx = vq->avail_idx;
	return 0;
}

void virtq_kick(struct virtq *vq)
{
	uint16_t old = vq->kicked_idx, new = vq->avail_idx;
	int need;

	if (vq->broken || old == new)
		return;
	vq->kicked_idx = new;
	/* Our avail->idx store must be visible before we read whether the
	 * device wants a notification (§2.7.13.4): store then load. */
	virtq_mb();
	if (vq->always_kick)
		need = 1;
	else if (vq->event_idx)
		need = vring_need_event(*avail_event(vq), new, old);
	else
		need = !(READ_ONCE16(vq->used->flags) & VRING_USED_F_NO_NOTIFY);
	if (need && vq->notify)
		vq->notify(vq);
}

void *virtq_get_used(struct virtq *vq, uint32_t *len)
{
	struct vring_used_elem *e;
	uint16_t used_idx, head, d;
	uint32_t id, l;
	void *token;

	if (vq->broken)
		return NULL;
	used_idx = READ_ONCE16(vq->used->idx);
	if (used_idx == vq->last_used)
		return NULL;
	if ((uint16_t)(used_idx - vq->last_used) > vq->num) {
		virtq_break(vq, "used index jumped", used_idx);
		return NULL;
	}
	/* Read the entry only after the index that published it (§2.7.14). */
	virtq_rmb();
	e = &vq->used->ring[vq->last_used & (vq->num - 1)];
	id = READ_ONCE32(e->id);
	l = READ_ONCE32(e->len);
	if (id >= vq->num || !vq->token[id]) {
		virtq_break(vq, "used id not in flight", id);
		return NULL;
	}
	if (l > vq->in_len[id]) {
		virtq_break(vq, "used length beyond the buffer", l);
		return NULL;
	}
	head = (uint16_t)id;
	token = vq->token[head];
	vq->token[head] = NULL;
	/* Free the chain by our own copy of the links, not the table the
	 * device can reach. */
	d = head;
	for (uint16_t i = 1; i < vq->chain[head]; i++)
		d = vq->next[d];
	vq->next[d] = vq->free_head;
	vq->free_head = head;
	vq->num_free = (uint16_t)(vq->num_free + vq->chain[head]);
	vq->chain[head] = 0;
	vq->last_used++;
	if (vq->event_idx && !vq->intr_off)
		*used_event(vq) = vq->last_used;
	if (len)
		*len = l;
	return token;
}

void virtq_disable_intr(struct virtq *vq)
{
	vq->intr_off = 1;
	if (!vq->event_idx)
		vq->avail->flags |= VRING_AVAIL_F_NO_INTERRUPT;
	/* With event_idx the device interrupts when used reaches
	 * used_event; leaving it behind suppresses nothing, so it is moved
	 * far ahead instead. */
	else
		*used_event(vq) = (uint16_t)(vq->last_used - 1 - vq->num);
}

int virtq_enable_intr(struct virtq *vq)
{
	vq->intr_off = 0;
	if (vq->event_idx)
		*used_event(vq) = vq->last_used;
	else
		vq->avail->flags &= (uint16_t)~VRING_AVAIL_F_NO_INTERRUPT;
	/* The flag store must be visible before we look at used->idx, or a
	 * completion in between would be missed (store then load). */
	virtq_mb();
	return !vq->broken && READ_ONCE16(vq->used->idx) != vq->last_used;
}

void virtq_drain(struct virtq *vq, void (*fn)(void *token))
{
	for (uint16_t i = 0; i < vq->num; i++) {
		if (vq->token && vq->token[i]) {
			fn(vq->token[i]);
			vq->token[i] = NULL;
		}
	}
}
