/*
 * kmalloc.c - the kernel's small-object allocator (uni/kmalloc.h).
 *
 * Layer: kernel mm, over the frame allocator. Callers: the VFS (vnodes,
 * directory entries, open files), pipes, epoll, timers of files, and any
 * subsystem whose objects vary in size.
 *
 * Every block starts with a 16-byte header holding its class (small) or
 * its frame count (big), so kfree needs no lookup. Small blocks of 32 B
 * to 2 KiB (header included) are carved from single frames and kept on a
 * per-class free list once freed; those frames stay with their class (the
 * VMA slab does the same). Bigger requests take contiguous frames; a
 * freed run of 2 to 32 frames is kept for the next request of its size
 * (the frame allocator hands out contiguous runs only from memory never
 * used, so runs given back frame by frame could not be had again), a
 * single frame or a longer run goes back to the frame allocator. The direct map makes a frame's physical
 * address its kernel address.
 */
#include <stdint.h>
#include <string.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/mm.h>
#include "priv.h"

#define HDR 16
#define MIN_SHIFT 5  /* 32-byte blocks */
#define NCLASSES 7   /* 32 .. 2048 */
#define BIG 0xff

struct hdr {
	uint32_t cls;     /* class index, or BIG */
	uint32_t frames;  /* BIG: frames held */
	uint64_t size;    /* bytes asked for, for kmalloc_in_use */
};

struct free_block {
	struct free_block *next;
};

static struct free_block *free_lists[NCLASSES];
/* Freed blocks of 2..BIG_CACHED frames, by frame count. */
#define BIG_CACHED 32
static struct free_block *big_lists[BIG_CACHED + 1];
static size_t in_use;

static int refill(int cls)
{
	size_t bsize = (size_t)1 << (cls + MIN_SHIFT);
	uint64_t pa = pmm_alloc(0);

	if (!pa)
		return -1;
	for (size_t off = 0; off + bsize <= UNI_PAGE_SIZE; off += bsize) {
		struct free_block *b = mm_phys_to_virt(pa + off);
		b->next = free_lists[cls];
		free_lists[cls] = b;
	}
	return 0;
}

void *kmalloc(size_t n)
{
	struct hdr *h;

	if (n > (1UL << 40))
		return NULL;
	if (n + HDR <= ((size_t)1 << (MIN_SHIFT + NCLASSES - 1))) {
		int cls = 0;
		while (((size_t)1 << (cls + MIN_SHIFT)) < n + HDR)
			cls++;
		if (!free_lists[cls] && refill(cls))
			return NULL;
		h = (struct hdr *)free_lists[cls];
		free_lists[cls] = free_lists[cls]->next;
		h->cls = (uint32_t)cls;
	} else {
		size_t frames = ALIGN_UP(n + HDR, UNI_PAGE_SIZE) / UNI_PAGE_SIZE;
		uint64_t pa;
		if (frames >= 2 && frames <= BIG_CACHED && big_lists[frames]) {
			pa = mm_direct_to_phys(big_lists[frames]);
			big_lists[frames] = big_lists[frames]->next;
		} else {
			pa = frames == 1 ? pmm_alloc(0)
					 : pmm_alloc_contig(frames, 0);
		}
		if (!pa)
			return NULL;
		h = mm_phys_to_virt(pa);
		h->cls = BIG;
		h->frames = (uint32_t)frames;
	}
	h->size = n;
	in_use += n;
	return (char *)h + HDR;
}

void *kzalloc(size_t n)
{
	void *p = kmalloc(n);

	if (p)
		memset(p, 0, n);
	return p;
}

void kfree(void *p)
{
	struct hdr *h;

	if (!p)
		return;
	h = (struct hdr *)((char *)p - HDR);
	in_use -= h->size;
	if (h->cls == BIG) {
		uint64_t pa = mm_direct_to_phys(h);
		uint32_t frames = h->frames;
		if (frames >= 2 && frames <= BIG_CACHED) {
			/* Kept whole for the next block of this many frames:
			 * the frame allocator cannot put contiguous runs
			 * back together. */
			struct free_block *b = (struct free_block *)h;
			b->next = big_lists[frames];
			big_lists[frames] = b;
			return;
		}
		for (uint32_t i = 0; i < frames; i++)
			pmm_free(pa + (uint64_t)i * UNI_PAGE_SIZE);
		return;
	}
	/* The free link overlays the header: read the class first. */
	uint32_t cls = h->cls;
	KASSERT(cls < NCLASSES);
	struct free_block *b = (struct free_block *)h;
	b->next = free_lists[cls];
	free_lists[cls] = b;
}

size_t kmalloc_in_use(void)
{
	return in_use;
}
