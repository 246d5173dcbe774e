/*
 * test_pmm.c - host unit test of the physical frame allocator
 * (src/kernel/mm/pmm.c, compiled as it is with UNI_MM_HOSTED).
 *
 * Layer: test/unit (ctest -L unit). "Physical" memory is a test arena: a
 * fake boot memory map (RAM with holes, low memory, a kernel image, a
 * dirty loader range, unaligned edges) is laid over it and the allocator
 * is checked against a model of which frames are usable: counts, the
 * zero guarantee of PMM_ZERO (clean, dirty and reused frames), LIFO reuse,
 * exhaustion, contiguous runs, and the panic on freeing a foreign frame.
 * Prints failures and "test_pmm: N passed, M failed"; exit status 1 on
 * failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "priv.h"

uintptr_t mm_hosted_dmap_offset;

#include "unit.h"
static jmp_buf panic_jmp;
static int panic_armed;


void kprintf(const char *fmt, ...)
{
	(void)fmt;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	if (panic_armed) {
		panic_armed = 0;
		longjmp(panic_jmp, 1);
	}
	va_start(ap, fmt);
	printf("unexpected panic: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	abort();
}

#define MiB 0x100000ULL
#define ARENA_SIZE (10 * MiB) /* fake physical [0, 10 MiB) */

static uint8_t *arena;
static struct boot_info bi;

/* Usable frames by construction (see setup): RAM inward-aligned, minus
 * low memory and the reserved ranges outward-aligned. */
static int model_usable(uint64_t pa)
{
	if (pa >= 0x100000 && pa < 0x500000)
		return pa >= 0x181000; /* kernel image to 0x180123, outward */
	return pa >= 0x801000 && pa < 0x9ff000; /* unaligned RAM, inward */
}

static int model_dirty(uint64_t pa)
{
	return pa >= 0x200000 && pa < 0x203000;
}

static size_t model_count(void)
{
	size_t n = 0;
	for (uint64_t pa = 0; pa < ARENA_SIZE; pa += PAGE_SIZE)
		n += model_usable(pa);
	return n;
}

static int frame_is(uint64_t pa, uint8_t v)
{
	const uint8_t *p = mm_phys_to_virt(pa);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

static void setup(void)
{
	memset(arena, 0, ARENA_SIZE);
	memset(&bi, 0, sizeof(bi));
	/* Low memory (BIOS), then RAM from 1 MiB with the kernel image,
	 * then a hole and an unaligned RAM range. */
	bi.ram[bi.nram++] = (struct boot_range){0, 0x9fc00};
	bi.ram[bi.nram++] = (struct boot_range){0x100000, 4 * MiB};
	bi.ram[bi.nram++] =
		(struct boot_range){8 * MiB + 0x800, 2 * MiB - 0x810};
	bi.reserved[bi.nreserved++] = (struct boot_range){0, 0x100000};
	bi.reserved[bi.nreserved++] = (struct boot_range){0x100000, 0x80123};
	/* A reserved range in the hole must change nothing. */
	bi.reserved[bi.nreserved++] = (struct boot_range){6 * MiB, MiB};
	/* The loader's structures: reusable, not zero. */
	bi.dirty[bi.ndirty++] =
		(struct boot_range){2 * MiB + 100, 3 * 4096 - 100};
	memset(arena + 2 * MiB, 0xaa, 3 * 4096);
	/* The image and low memory hold data; never handed out. */
	memset(arena + 0x100000, 0xcc, 0x81000);
	memset(arena, 0xdd, 0x100000);
}

static void test_init_counts(void)
{
	uint32_t sum_before = 0, sum_after = 0;

	setup();
	for (size_t i = 0; i < ARENA_SIZE; i++)
		sum_before = sum_before * 31 + arena[i];
	pmm_init(&bi);
	for (size_t i = 0; i < ARENA_SIZE; i++)
		sum_after = sum_after * 31 + arena[i];
	CHECK(sum_before == sum_after); /* pmm_init writes no frame */
	CHECK(pmm_total_frames() == model_count());
	CHECK(pmm_free_frames() == pmm_total_frames());
	CHECK(pmm_top() == 0x9ff000);
}

static void test_exhaust(void)
{
	size_t total, n = 0;
	uint64_t *got;
	uint8_t *seen = calloc(ARENA_SIZE / PAGE_SIZE, 1);
	int bad_range = 0, dup = 0, nonzero = 0;

	setup();
	pmm_init(&bi);
	total = pmm_total_frames();
	got = calloc(total + 1, sizeof(*got));
	for (;;) {
		uint64_t pa = pmm_alloc(PMM_ZERO);
		if (!pa)
			break;
		if (pa >= ARENA_SIZE || !model_usable(pa) || (pa & 4095)) {
			bad_range++;
			break;
		}
		if (seen[pa / PAGE_SIZE]++)
			dup++;
		if (!frame_is(pa, 0))
			nonzero++;
		got[n++] = pa;
	}
	CHECK(!bad_range);
	CHECK(!dup);
	CHECK(!nonzero); /* including the three dirty frames */
	CHECK(n == total);
	CHECK(pmm_free_frames() == 0);
	CHECK(pmm_alloc(0) == 0);
	CHECK(pmm_alloc(PMM_ZERO) == 0);
	CHECK(pmm_alloc_contig(1, 0) == 0);

	/* Scribble, free everything, take it all again with zeros. */
	for (size_t i = 0; i < n; i++) {
		memset(mm_phys_to_virt(got[i]), 0x5a, PAGE_SIZE);
		pmm_free(got[i]);
	}
	CHECK(pmm_free_frames() == total);
	nonzero = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t pa = pmm_alloc(PMM_ZERO);
		if (!pa || !frame_is(pa, 0))
			nonzero++;
	}
	CHECK(!nonzero);
	CHECK(pmm_free_frames() == 0);
	free(got);
	free(seen);
}

static void test_policy(void)
{
	uint64_t a, b, c, d;

	setup();
	pmm_init(&bi);
	/* A request without PMM_ZERO takes dirty frames before clean ones. */
	a = pmm_alloc(0);
	CHECK(model_dirty(a));
	CHECK(frame_is(a, 0xaa));
	/* A request for zeros takes a clean never-used frame, untouched. */
	b = pmm_alloc(PMM_ZERO);
	CHECK(!model_dirty(b) && frame_is(b, 0));
	/* Freed frames are reused first (LIFO) by non-zero requests... */
	memset(mm_phys_to_virt(b), 0x11, PAGE_SIZE);
	pmm_free(b);
	c = pmm_alloc(0);
	CHECK(c == b);
	/* (the first 8 bytes held the free-list link) */
	CHECK(((uint8_t *)mm_phys_to_virt(c))[8] == 0x11 &&
	      ((uint8_t *)mm_phys_to_virt(c))[4095] == 0x11);
	/* ...and a zero request prefers clean never-used frames. */
	pmm_free(c);
	d = pmm_alloc(PMM_ZERO);
	CHECK(d != c && frame_is(d, 0));
	CHECK(pmm_free_frames() == pmm_total_frames() - 2);
	pmm_free(a);
	pmm_free(d);
	CHECK(pmm_free_frames() == pmm_total_frames());
}

static void test_zero_from_free_list(void)
{
	size_t total;
	uint64_t pa, last = 0;
	int bad = 0;

	setup();
	pmm_init(&bi);
	total = pmm_total_frames();
	/* Use up every clean never-used frame through zero requests. */
	while (pmm_free_frames() > 3) {
		pa = pmm_alloc(PMM_ZERO);
		if (model_dirty(pa))
			bad++;
		last = pa;
	}
	CHECK(!bad); /* the dirty ones were kept for last */
	memset(mm_phys_to_virt(last), 0x77, PAGE_SIZE);
	pmm_free(last);
	/* Now a zero request must clear the freed frame. */
	pa = pmm_alloc(PMM_ZERO);
	CHECK(pa == last && frame_is(pa, 0));
	/* And the dirty ones get cleared too. */
	for (int i = 0; i < 3; i++) {
		pa = pmm_alloc(PMM_ZERO);
		CHECK(model_dirty(pa) && frame_is(pa, 0));
	}
	CHECK(pmm_free_frames() == 0);
	(void)total;
}

static void test_contig(void)
{
	uint64_t a, b;

	setup();
	pmm_init(&bi);
	a = pmm_alloc_contig(16, PMM_ZERO);
	CHECK(a && model_usable(a) && model_usable(a + 15 * PAGE_SIZE));
	for (int i = 0; i < 16; i++)
		CHECK(frame_is(a + i * PAGE_SIZE, 0));
	CHECK(pmm_free_frames() == pmm_total_frames() - 16);
	/* Larger than the first zone's rest (111 frames), and the dirty
	 * zone is skipped: from the clean zone above it, in one piece. */
	b = pmm_alloc_contig(500, 0);
	CHECK(b >= 0x203000 && b + 500 * PAGE_SIZE <= 0x500000);
	CHECK(pmm_alloc_contig(766, 0) == 0); /* no zone has that left */
	for (int i = 0; i < 16; i++)
		pmm_free(a + i * PAGE_SIZE);
	for (int i = 0; i < 500; i++)
		pmm_free(b + i * PAGE_SIZE);
	CHECK(pmm_free_frames() == pmm_total_frames());

	/* Only dirty RAM: zeroed when asked, left alone otherwise. */
	struct boot_info d;
	memset(&d, 0, sizeof(d));
	d.ram[d.nram++] = (struct boot_range){0x100000, 16 * PAGE_SIZE};
	d.dirty[d.ndirty++] = (struct boot_range){0x100000, 16 * PAGE_SIZE};
	memset(arena + 0x100000, 0xaa, 16 * PAGE_SIZE);
	pmm_init(&d);
	uint64_t c = pmm_alloc_contig(4, PMM_ZERO);
	CHECK(c == 0x100000 && frame_is(c, 0) &&
	      frame_is(c + 3 * PAGE_SIZE, 0));
	c = pmm_alloc_contig(4, 0);
	CHECK(c == 0x104000 && frame_is(c, 0xaa));
	CHECK(pmm_free_frames() == 8);
}

static void test_bad_free(void)
{
	volatile int panicked = 0;

	setup();
	pmm_init(&bi);
	/* A frame of the kernel image was never handed out. */
	panic_armed = 1;
	if (!setjmp(panic_jmp))
		pmm_free(0x100000);
	else
		panicked = 1;
	CHECK(panicked);
	/* Nor was a never-used frame above a watermark. */
	panicked = 0;
	panic_armed = 1;
	if (!setjmp(panic_jmp))
		pmm_free(0x900000);
	else
		panicked = 1;
	CHECK(panicked);
	panic_armed = 0;
	CHECK(pmm_free_frames() == pmm_total_frames());
}

static void test_empty_and_overflow(void)
{
	struct boot_info e;

	memset(&e, 0, sizeof(e));
	pmm_init(&e);
	CHECK(pmm_total_frames() == 0 && pmm_alloc(PMM_ZERO) == 0);
	/* A range whose end wraps around, and one wholly below 1 MiB. */
	e.ram[e.nram++] = (struct boot_range){0x1000, 0x9000};
	e.ram[e.nram++] = (struct boot_range){0xfffffffffffff000ULL, 0x2000};
	pmm_init(&e);
	CHECK(pmm_total_frames() == 0);
}

/* The most ranges boot_info can hold, all unaligned, all overlapping the
 * RAM: every frame is still accounted for by the model. */
static void test_many_ranges(void)
{
	struct boot_info m;
	size_t want = 0;

	memset(arena, 0, ARENA_SIZE);
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < BOOT_MAX_RANGES; i++) {
		uint64_t base = 0x100000 + (uint64_t)i * 0x20000;
		m.ram[m.nram++] = (struct boot_range){ base + 0x10, 0x1f000 };
		m.reserved[m.nreserved++] =
			(struct boot_range){ base + 0x8008, 0x10 };
		m.dirty[m.ndirty++] = (struct boot_range){ base + 0x10008, 8 };
	}
	pmm_init(&m);
	/* Each 128 KiB step: RAM [base+4K, base+0x1f000) inward, minus one
	 * reserved frame, one of the rest dirty. */
	for (int i = 0; i < BOOT_MAX_RANGES; i++)
		want += (0x1f000 - 0x1000) / PAGE_SIZE - 1;
	CHECK(pmm_total_frames() == want);
	if (pmm_total_frames() != want)
		printf("total %zu want %zu\n", pmm_total_frames(), want);
	size_t n = 0, bad = 0;
	uint64_t pa;
	while ((pa = pmm_alloc(PMM_ZERO))) {
		uint64_t off = (pa - 0x100000) % 0x20000;
		n++;
		if (off < 0x1000 || off >= 0x1f000 || off == 0x8000 ||
		    !frame_is(pa, 0))
			bad++;
	}
	CHECK(n == want && !bad);
}

int main(void)
{
	arena = aligned_alloc(PAGE_SIZE, ARENA_SIZE);
	mm_hosted_dmap_offset = (uintptr_t)arena;

	setvbuf(stdout, NULL, _IOLBF, 0); /* keep output across abort */

	test_init_counts();
	test_exhaust();
	test_policy();
	test_zero_from_free_list();
	test_contig();
	test_bad_free();
	test_empty_and_overflow();
	test_many_ranges();

	free(arena);
	printf("test_pmm: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
