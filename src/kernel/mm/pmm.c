/*
 * pmm.c - the physical frame allocator: 4 KiB frames, O(1) alloc and free.
 *
 * Layer: kernel mm, pure logic (no asm; test_pmm.c compiles it on the host
 * over a fake arena). mm_init() calls pmm_init() with the boot memory map;
 * the page-table code, the VMA slab and the address-space code call
 * pmm_alloc/pmm_free; drivers may use pmm_alloc_contig for rings.
 *
 * Guest RAM starts zeroed, so zeroing is avoided where it can be: free RAM
 * is a list of zones, each handing out its never-used frames in order
 * behind a watermark. A clean zone's never-used frames are zero; a dirty
 * zone (the loader's structures) is not. Frames given back go on a LIFO
 * free list linked through the frames themselves (the first 8 bytes hold
 * the next frame's address), so they are never zero.
 */
#include <string.h>
#include <uni/kernel.h>
#include <uni/mm.h>
#include "priv.h"

/* Below 1 MiB live the IVT, BIOS data, EBDA, VGA memory and option ROMs;
 * boot_info reserves it already, this keeps it out even if it did not. */
#define PMM_LOW_LIMIT 0x100000ULL

/* Scratch for pmm_init: the sorted boundaries of every input range, each
 * aligned down and up (4 per range, 3 lists), plus two fixed ones. There
 * can be no more zones than intervals between them. */
#define PMM_MAX_POINTS (4 * 3 * BOOT_MAX_RANGES + 2)
#define PMM_MAX_ZONES PMM_MAX_POINTS
static uint64_t points[PMM_MAX_POINTS];

struct pmm_zone {
	uint64_t base, end; /* [base, end), frame-aligned */
	uint64_t next;      /* watermark: [next, end) never handed out */
	int dirty;          /* never-used frames may hold loader data */
};

static struct pmm_zone zones[PMM_MAX_ZONES]; /* sorted, disjoint */
static int nzones;
/* Lowest zone of each kind that may still have never-used frames; zones
 * only ever fill, so the cursors only move up (amortised O(1)). */
static int clean_cur, dirty_cur;
static uint64_t free_head; /* free list; 0 = empty (frame 0 is never ours) */
static size_t nfree, ntotal;
static uint64_t top;



static int in_ranges(const struct boot_range *r, int n, uint64_t a,
		     uint64_t b, int outward)
{
	for (int i = 0; i < n; i++) {
		uint64_t lo = r[i].base, hi = r[i].base + r[i].len;
		if (hi < lo)
			hi = UINT64_MAX;
		if (outward) {
			lo = ALIGN_DOWN(lo, PAGE_SIZE);
			hi = ALIGN_UP(hi, PAGE_SIZE);
		} else {
			lo = ALIGN_UP(lo, PAGE_SIZE);
			hi = ALIGN_DOWN(hi, PAGE_SIZE);
		}
		if (lo <= a && b <= hi && lo < hi)
			return 1;
	}
	return 0;
}

static void add_point(int *n, uint64_t p, int outward_up)
{
	if (p > MM_DIRECT_LIMIT)
		p = MM_DIRECT_LIMIT;
	/* Every boundary, aligned both ways, so that each elementary
	 * interval is wholly in or out of every (aligned) range. */
	KASSERT(*n + (outward_up ? 2 : 1) <= PMM_MAX_POINTS);
	points[(*n)++] = ALIGN_DOWN(p, PAGE_SIZE);
	if (outward_up && ALIGN_UP(p, PAGE_SIZE) != ALIGN_DOWN(p, PAGE_SIZE))
		points[(*n)++] = ALIGN_UP(p, PAGE_SIZE);
}

static void add_range_points(int *n, const struct boot_range *r, int cnt)
{
	for (int i = 0; i < cnt; i++) {
		uint64_t end = r[i].base + r[i].len;
		if (end < r[i].base)
			end = MM_DIRECT_LIMIT;
		add_point(n, r[i].base, 1);
		add_point(n, end, 1);
	}
}

static void add_zone(uint64_t base, uint64_t end, int dirty)
{
	struct pmm_zone *z = nzones ? &zones[nzones - 1] : NULL;

	if (z && z->end == base && z->dirty == dirty) {
		z->end = end;
		return;
	}
	KASSERT(nzones < PMM_MAX_ZONES);
	zones[nzones++] = (struct pmm_zone){ base, end, base, dirty };
}

KERNEL_COLD void pmm_init(const struct boot_info *bi)
{
	int n = 0;

	nzones = 0;
	clean_cur = dirty_cur = 0;
	free_head = 0;
	nfree = ntotal = 0;
	top = 0;

	KASSERT(bi->nram <= BOOT_MAX_RANGES);
	KASSERT(bi->nreserved <= BOOT_MAX_RANGES);
	KASSERT(bi->ndirty <= BOOT_MAX_RANGES);
	add_range_points(&n, bi->ram, bi->nram);
	add_range_points(&n, bi->reserved, bi->nreserved);
	add_range_points(&n, bi->dirty, bi->ndirty);
	add_point(&n, PMM_LOW_LIMIT, 0);
	add_point(&n, MM_DIRECT_LIMIT, 0);

	/* Insertion sort: a few hundred points, once. */
	for (int i = 1; i < n; i++) {
		uint64_t p = points[i];
		int j = i;
		for (; j > 0 && points[j - 1] > p; j--)
			points[j] = points[j - 1];
		points[j] = p;
	}

	for (int i = 0; i + 1 < n; i++) {
		uint64_t a = points[i], b = points[i + 1];
		if (a == b || a < PMM_LOW_LIMIT || b > MM_DIRECT_LIMIT)
			continue;
		if (!in_ranges(bi->ram, bi->nram, a, b, 0) ||
		    in_ranges(bi->reserved, bi->nreserved, a, b, 1))
			continue;
		add_zone(a, b, in_ranges(bi->dirty, bi->ndirty, a, b, 1));
	}

	for (int i = 0; i < nzones; i++) {
		ntotal += (zones[i].end - zones[i].base) / PAGE_SIZE;
		top = zones[i].end;
	}
	nfree = ntotal;
}

/* Take the next never-used frame of the lowest zone of the given kind. */
static uint64_t take_fresh(int *cur, int dirty)
{
	for (; *cur < nzones; (*cur)++) {
		struct pmm_zone *z = &zones[*cur];
		if (z->dirty == dirty && z->next < z->end) {
			uint64_t pa = z->next;
			z->next += PAGE_SIZE;
			return pa;
		}
	}
	return 0;
}

static uint64_t pop_free(void)
{
	uint64_t pa = free_head;

	if (pa)
		free_head = *(uint64_t *)mm_phys_to_virt(pa);
	return pa;
}

/*
 * Which frame to hand out: a request for zeros takes a clean never-used
 * frame first (free of cost), then a used one that it must clear. Any
 * other request takes a used frame first, keeping the clean ones for
 * those that want zeros.
 */
uint64_t pmm_alloc(int flags)
{
	uint64_t pa;

	KASSERT(!(flags & ~PMM_ZERO));
	if (flags & PMM_ZERO) {
		pa = take_fresh(&clean_cur, 0);
		if (!pa) {
			pa = pop_free();
			if (!pa)
				pa = take_fresh(&dirty_cur, 1);
			if (pa)
				memset(mm_phys_to_virt(pa), 0, PAGE_SIZE);
		}
	} else {
		pa = pop_free();
		if (!pa)
			pa = take_fresh(&dirty_cur, 1);
		if (!pa)
			pa = take_fresh(&clean_cur, 0);
	}
	if (pa)
		nfree--;
	return pa;
}

uint64_t pmm_alloc_contig(size_t n, int flags)
{
	KASSERT(!(flags & ~PMM_ZERO) && n > 0);
	/* Only never-used frames are contiguous for sure; the free list is
	 * not searched. Clean zones first, then dirty ones. */
	for (int dirty = 0; dirty < 2; dirty++) {
		for (int i = 0; i < nzones; i++) {
			struct pmm_zone *z = &zones[i];
			if (z->dirty != dirty ||
			    (z->end - z->next) / PAGE_SIZE < n)
				continue;
			uint64_t pa = z->next;
			z->next += n * PAGE_SIZE;
			nfree -= n;
			if (dirty && (flags & PMM_ZERO))
				memset(mm_phys_to_virt(pa), 0, n * PAGE_SIZE);
			return pa;
		}
	}
	return 0;
}

/* The zone holding pa, or NULL. */
static struct pmm_zone *zone_of(uint64_t pa)
{
	int lo = 0, hi = nzones;

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (pa < zones[mid].base)
			hi = mid;
		else if (pa >= zones[mid].end)
			lo = mid + 1;
		else
			return &zones[mid];
	}
	return NULL;
}

void pmm_free(uint64_t pa)
{
	struct pmm_zone *z = zone_of(pa);

	KASSERT(pa && !(pa & (PAGE_SIZE - 1)));
	/* A frame we handed out lies below its zone's watermark. */
	if (!z || pa >= z->next)
		panic("pmm_free: 0x%llx was never allocated",
		      (unsigned long long)pa);
	KASSERT(nfree < ntotal);
	*(uint64_t *)mm_phys_to_virt(pa) = free_head;
	free_head = pa;
	nfree++;
}

size_t pmm_free_frames(void)
{
	return nfree;
}

size_t pmm_total_frames(void)
{
	return ntotal;
}

uint64_t pmm_top(void)
{
	return top;
}

void pmm_dump(void)
{
	kprintf("pmm: %zu of %zu frames free (%zu MiB of %zu MiB)\n", nfree,
		ntotal, nfree >> 8, ntotal >> 8);
	for (int i = 0; i < nzones; i++)
		kprintf("  zone 0x%llx-0x%llx %s, %llu never used\n",
			(unsigned long long)zones[i].base,
			(unsigned long long)zones[i].end,
			zones[i].dirty ? "dirty" : "clean",
			(unsigned long long)(zones[i].end - zones[i].next) /
				PAGE_SIZE);
}
