/*
 * test_virtqueue.c - the split virtqueue (src/drivers/virtio/virtqueue.c)
 * on the host against a fake device that reads the avail ring and writes
 * the used ring as QEMU would: normal traffic, 16-bit index wrap-around,
 * notification suppression (NO_NOTIFY and event idx), a full ring, and a
 * malicious device (ids out of range or not in flight, lengths beyond the
 * buffer, an index jump past the ring size) that must mark the queue
 * broken instead of being trusted.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uni/kernel.h>
#include "unit.h"
#include "virtio.h"

static int notified;
static void notify(struct virtq *vq) { (void)vq; notified++; }

/* The fake device's view: the next avail entry it has not consumed. */
static uint16_t dev_avail;

static void *mem;

static struct virtq *newq(uint16_t num, int event_idx)
{
	static struct virtq vq;

	free(mem);
	mem = aligned_alloc(4096, ALIGN_UP(virtq_mem_size(num), 4096));
	memset(mem, 0, virtq_mem_size(num));
	CHECK(virtq_init(&vq, 0, num, mem, event_idx, notify, NULL) == 0);
	vq.name = "test";
	dev_avail = 0;
	notified = 0;
	return &vq;
}

/* Consume one available chain: write `fill` bytes into its writable part
 * and put (head, fill) on the used ring. Returns the head, or -1. */
static int dev_complete(struct virtq *vq, uint32_t fill)
{
	uint16_t head, d;
	uint32_t room = 0;

	if (dev_avail == vq->avail->idx)
		return -1;
	head = vq->avail->ring[dev_avail++ & (vq->num - 1)];
	for (d = head;; d = vq->desc[d].next) {
		if (vq->desc[d].flags & VRING_DESC_F_WRITE)
			room += vq->desc[d].len;
		if (!(vq->desc[d].flags & VRING_DESC_F_NEXT))
			break;
	}
	if (fill > room)
		fill = room;
	vq->used->ring[vq->used->idx & (vq->num - 1)].id = head;
	vq->used->ring[vq->used->idx & (vq->num - 1)].len = fill;
	vq->used->idx++;
	return head;
}

static void test_normal(void)
{
	struct virtq *vq = newq(8, 0);
	struct virtq_buf b[3] = { { 0x1000, 12 }, { 0x2000, 100 }, { 0x3000, 50 } };
	int tok[3];
	uint32_t len;

	CHECK(virtq_get_used(vq, &len) == NULL);
	CHECK(virtq_add(vq, b, 1, 2, &tok[0]) == 0);   /* 1 out + 2 in */
	CHECK(virtq_add(vq, b, 3, 0, &tok[1]) == 0);   /* all out */
	CHECK(virtq_add(vq, b + 1, 0, 1, &tok[2]) == 0);
	CHECK(vq->num_free == 8 - 7);
	CHECK(vq->desc[vq->avail->ring[0]].flags == VRING_DESC_F_NEXT);
	virtq_kick(vq);
	CHECK(notified == 1);
	virtq_kick(vq); /* nothing new: no second doorbell */
	CHECK(notified == 1);
	CHECK(dev_complete(vq, 150) >= 0);
	CHECK(dev_complete(vq, 0) >= 0);
	CHECK(virtq_get_used(vq, &len) == &tok[0] && len == 150);
	CHECK(virtq_get_used(vq, &len) == &tok[1] && len == 0);
	CHECK(virtq_get_used(vq, &len) == NULL);
	CHECK(dev_complete(vq, 1000) >= 0); /* fake device clamps to 100 */
	CHECK(virtq_get_used(vq, &len) == &tok[2] && len == 100);
	CHECK(vq->num_free == 8);
	CHECK(!vq->broken);
	virtq_free(vq);
}

static void test_full(void)
{
	struct virtq *vq = newq(4, 0);
	struct virtq_buf b[5] = { { 1, 1 }, { 2, 1 }, { 3, 1 }, { 4, 1 }, { 5, 1 } };
	int tok;

	CHECK(virtq_add(vq, b, 5, 0, &tok) == -ENOSPC);
	CHECK(virtq_add(vq, b, 0, 0, &tok) == -EINVAL);
	CHECK(virtq_add(vq, b, 3, 0, &tok) == 0);
	CHECK(virtq_add(vq, b, 2, 0, &tok) == -ENOSPC);
	CHECK(virtq_add(vq, b, 1, 0, &tok) == 0);
	CHECK(vq->num_free == 0);
	virtq_free(vq);
}

/* Far more chains than 65536 through a small ring: both 16-bit indexes
 * wrap, chains of varying length reuse descriptors in every order. */
static void test_wrap(void)
{
	struct virtq *vq = newq(8, 0);
	struct virtq_buf b[3] = { { 0x1000, 10 }, { 0x2000, 20 }, { 0x3000, 30 } };
	static int tok[8];
	int bad = 0, inflight = 0, next_tok = 0, next_done = 0;

	for (int i = 0; i < 200000; i++) {
		unsigned n = 1 + (unsigned)i % 3;
		uint32_t len;
		void *t;

		while (virtq_add(vq, b, 0, n, &tok[next_tok % 8]) == 0) {
			next_tok++;
			inflight++;
			n = 1 + (unsigned)next_tok % 3;
		}
		virtq_kick(vq);
		dev_complete(vq, 5);
		t = virtq_get_used(vq, &len);
		if (t != &tok[next_done % 8] || len != 5)
			bad++;
		next_done++;
		inflight--;
	}
	CHECK(bad == 0);
	CHECK(!vq->broken);
	CHECK(vq->last_used == (uint16_t)next_done);
	virtq_free(vq);
}

static void test_no_notify(void)
{
	struct virtq *vq = newq(8, 0);
	struct virtq_buf b = { 0x1000, 10 };
	int tok;

	vq->used->flags = VRING_USED_F_NO_NOTIFY;
	CHECK(virtq_add(vq, &b, 1, 0, &tok) == 0);
	virtq_kick(vq);
	CHECK(notified == 0);
	vq->used->flags = 0;
	CHECK(virtq_add(vq, &b, 1, 0, &tok) == 0);
	virtq_kick(vq);
	CHECK(notified == 1);
	/* Interrupt suppression is the driver's flag. */
	virtq_disable_intr(vq);
	CHECK(vq->avail->flags & VRING_AVAIL_F_NO_INTERRUPT);
	CHECK(virtq_enable_intr(vq) == 0);
	CHECK(!(vq->avail->flags & VRING_AVAIL_F_NO_INTERRUPT));
	dev_complete(vq, 0);
	CHECK(virtq_enable_intr(vq) == 1); /* a completion is waiting */
	virtq_free(vq);
}

static void test_event_idx(void)
{
	struct virtq *vq = newq(8, 1);
	volatile uint16_t *avail_event = (uint16_t *)&vq->used->ring[8];
	volatile uint16_t *used_event = (uint16_t *)&vq->avail->ring[8];
	struct virtq_buf b = { 0x1000, 10 };
	int tok;
	uint32_t len;

	/* The device asks to hear about avail index 0 -> 1 only. */
	*avail_event = 0;
	CHECK(virtq_add(vq, &b, 0, 1, &tok) == 0);
	virtq_kick(vq);
	CHECK(notified == 1);
	CHECK(virtq_add(vq, &b, 0, 1, &tok) == 0);
	virtq_kick(vq); /* avail 1 -> 2, event was 0: the device is busy */
	CHECK(notified == 1);
	*avail_event = 2;
	CHECK(virtq_add(vq, &b, 0, 1, &tok) == 0);
	virtq_kick(vq); /* 2 -> 3 crosses 2 */
	CHECK(notified == 2);
	dev_complete(vq, 3);
	CHECK(virtq_get_used(vq, &len) == &tok);
	CHECK(*used_event == 1);
	/* Suppressed (a transmit queue): completions leave used_event far
	 * behind, so the device's vring_need_event stays false. */
	virtq_disable_intr(vq);
	dev_complete(vq, 3);
	CHECK(virtq_get_used(vq, &len) == &tok);
	CHECK(!vring_need_event(*used_event, (uint16_t)(vq->last_used + 1),
				vq->last_used));
	CHECK(virtq_enable_intr(vq) == 0);
	CHECK(*used_event == vq->last_used);
	virtq_free(vq);
}

/* Each bad used entry marks the ring broken; nothing more comes out and
 * nothing more goes in. */
static void test_malicious(void)
{
	struct virtq_buf b = { 0x1000, 64 };
	int tok;
	uint32_t len;
	struct virtq *vq;

	for (int kind = 0; kind < 5; kind++) {
		vq = newq(8, 0);
		CHECK(virtq_add(vq, &b, 0, 1, &tok) == 0);
		CHECK(virtq_add(vq, &b, 0, 1, &tok) == 0);
		virtq_kick(vq);
		switch (kind) {
		case 0: /* id out of range */
			vq->used->ring[0].id = 8;
			vq->used->ring[0].len = 1;
			vq->used->idx = 1;
			break;
		case 1: /* id in range but not the head of a chain in flight */
			vq->used->ring[0].id = 5;
			vq->used->ring[0].len = 1;
			vq->used->idx = 1;
			break;
		case 2: /* more bytes than the buffer offered */
			dev_complete(vq, 0);
			vq->used->ring[0].len = 65;
			break;
		case 3: /* the index runs more than num ahead */
			dev_complete(vq, 1);
			vq->used->idx = 9;
			break;
		case 4: /* the same chain completed twice */
			dev_complete(vq, 1);
			vq->used->ring[1] = vq->used->ring[0];
			vq->used->idx = 2;
			CHECK(virtq_get_used(vq, &len) == &tok);
			break;
		}
		CHECK(virtq_get_used(vq, &len) == NULL);
		CHECK(vq->broken);
		CHECK(virtq_get_used(vq, &len) == NULL);
		CHECK(virtq_add(vq, &b, 0, 1, &tok) == -EIO);
		notified = 0;
		virtq_kick(vq);
		CHECK(notified == 0);
		virtq_free(vq);
	}
}

static int drained;
static void drain_one(void *t) { (void)t; drained++; }

static void test_drain(void)
{
	struct virtq *vq = newq(8, 0);
	struct virtq_buf b = { 0x1000, 64 };
	int tok[3];

	for (int i = 0; i < 3; i++)
		CHECK(virtq_add(vq, &b, 0, 1, &tok[i]) == 0);
	virtq_drain(vq, drain_one);
	CHECK(drained == 3);
	virtq_free(vq);
}

int main(void)
{
	CHECK(virtq_init(&(struct virtq){ 0 }, 0, 6, NULL, 0, NULL, NULL) == -EINVAL);
	test_normal();
	test_full();
	test_wrap();
	test_no_notify();
	test_event_idx();
	test_malicious();
	test_drain();
	free(mem);
	printf("test_virtqueue: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
