/*
 * test_kmalloc.c - host unit test of the kernel's allocator
 * (src/kernel/mm/kmalloc.c over the real pmm.c, UNI_MM_HOSTED: the
 * "physical" memory is a test arena).
 *
 * Checks that blocks of every class hold their bytes, that freed blocks
 * come back to their own class (a freed class-1024 block must serve the
 * next 1000-byte request without a new frame: the free link overlays the
 * block's header, which once sent blocks to the wrong list), that freed
 * runs of 2..32 frames are reused whole (the frame allocator cannot
 * rebuild contiguous runs), that longer ones go back to it, and the
 * in-use count. Prints "test_kmalloc: N passed, M failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uni/kmalloc.h>
#include "priv.h"
#include "unit.h"

uintptr_t mm_hosted_dmap_offset;

#define FRAMES 2048
#define BASE 0x100000UL

int main(void)
{
	uint8_t *arena = aligned_alloc(4096, BASE + FRAMES * 4096UL);
	struct boot_info bi;
	void *p[200];
	size_t before;

	memset(arena, 0, BASE + FRAMES * 4096UL);
	mm_hosted_dmap_offset = (uintptr_t)arena;
	memset(&bi, 0, sizeof(bi));
	bi.ram[bi.nram++] = (struct boot_range){ BASE, FRAMES * 4096UL };
	pmm_init(&bi);

	/* Every class keeps its bytes apart. */
	for (int i = 0; i < 200; i++) {
		size_t n = (size_t)(i * 37 % 3000) + 1;
		p[i] = kmalloc(n);
		CHECK(p[i] != NULL && ((uintptr_t)p[i] & 15) == 0);
		memset(p[i], i, n);
	}
	for (int i = 0; i < 200; i++) {
		size_t n = (size_t)(i * 37 % 3000) + 1;
		uint8_t *b = p[i];
		int ok = 1;
		for (size_t k = 0; k < n; k++)
			ok &= b[k] == (uint8_t)i;
		CHECK(ok);
		kfree(p[i]);
	}
	CHECK(kmalloc_in_use() == 0);

	/* Freed small blocks serve the next requests of their class. */
	for (int i = 0; i < 100; i++)
		p[i] = kmalloc(1000);
	for (int i = 0; i < 100; i++)
		kfree(p[i]);
	before = pmm_free_frames();
	for (int round = 0; round < 50; round++) {
		for (int i = 0; i < 100; i++)
			p[i] = kmalloc(1000);
		for (int i = 0; i < 100; i++)
			kfree(p[i]);
	}
	CHECK(pmm_free_frames() == before);
	/* ... and only those: a 32-byte request is not given a 1 KiB block. */
	void *small = kmalloc(16), *small2 = kmalloc(16);
	CHECK(small && small2 && (char *)small2 - (char *)small != 1024 &&
	      (char *)small - (char *)small2 != 1024);
	kfree(small);
	kfree(small2);

	/* Runs of 2..32 frames are reused whole; longer ones go back. */
	void *big = kmalloc(3 * 4096);
	kfree(big);
	before = pmm_free_frames();
	for (int round = 0; round < 500; round++) {
		void *b = kmalloc(3 * 4096);
		CHECK(b == big || round > 0);
		kfree(b);
	}
	CHECK(pmm_free_frames() == before);
	before = pmm_free_frames();
	void *huge = kmalloc(40 * 4096);
	CHECK(huge != NULL && pmm_free_frames() == before - 41);
	kfree(huge);
	CHECK(pmm_free_frames() == before);
	CHECK(kmalloc_in_use() == 0);
	CHECK(kmalloc((size_t)1 << 41) == NULL);

	printf("test_kmalloc: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
