/*
 * test_mm_paging.c - host unit test of the x86-64 page-table code
 * (src/kernel/mm/x86_64/paging.c and mm.c, compiled as they are with
 * UNI_MM_HOSTED, over pmm.c and a test arena as physical memory).
 *
 * Layer: test/unit (ctest -L unit). pt_build() lays out the kernel's
 * tables for a fake memory map; a software MMU here walks them the way the
 * CPU does (SDM vol. 3 §4.5) and checks the direct map (page 0 absent,
 * first 2 MiB in 4 KiB pages, NX outside the image, 2 MiB or 1 GiB pages,
 * RAM above 4 GiB mapped exactly), then the program-page functions (map,
 * protect, PROT_NONE with the frame kept, unmap, lookup, for_each skipping
 * absent tables, the exact table count) and large-page splitting for MMIO.
 * pt_init (which loads CR3) is never called. Prints failures and
 * "test_mm_paging: N passed, M failed"; exit status 1 on failure.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "priv.h"

uintptr_t mm_hosted_dmap_offset;
char _kernel_start[1], _end[1]; /* for pt_init, which is not called */

#include "unit.h"

/* as.c is not linked; mm.c's mm_init/mm_dump want these. */
void as_init(void)
{
}
void as_dump(void)
{
}
size_t vma_nodes_in_use(void)
{
	return 0;
}
size_t vma_slab_frames(void)
{
	return 0;
}

#define KiB 0x400ULL
#define MiB 0x100000ULL
#define GiB 0x40000000ULL
#define TiB 0x10000000000ULL
#define PG 4096ULL

/* ---- software MMU --------------------------------------------------- */

#define E_P 1ULL
#define E_W 2ULL
#define E_PWT 8ULL
#define E_PCD 0x10ULL
#define E_PS 0x80ULL
#define E_NX (1ULL << 63)
#define E_ADDR 0x000ffffffffff000ULL

struct tr {
	int present;
	int level; /* 1: 4 KiB, 2: 2 MiB, 3: 1 GiB leaf */
	int w, x, uc;
	uint64_t pa;
	uint64_t pte; /* the leaf (or the not-present entry) */
};

static struct tr walk(uint64_t va)
{
	struct tr t = {0};
	uint64_t table = pt_root();
	int w = 1, x = 1;

	for (int l = 4; l >= 1; l--) {
		uint64_t *tab = mm_phys_to_virt(table);
		uint64_t e = tab[(va >> (12 + 9 * (l - 1))) & 511];
		t.pte = e;
		if (!(e & E_P))
			return t;
		w &= !!(e & E_W);
		x &= !(e & E_NX);
		if (l == 1 || (e & E_PS)) {
			uint64_t span = 1ULL << (12 + 9 * (l - 1));
			t.present = 1;
			t.level = l;
			t.w = w;
			t.x = x;
			t.uc = (e & (E_PCD | E_PWT)) == (E_PCD | E_PWT);
			t.pa = (e & E_ADDR & ~(span - 1)) + (va & (span - 1));
			return t;
		}
		table = e & E_ADDR;
	}
	return t;
}

/* ---- the fake machine ----------------------------------------------- */

#define ARENA (9 * MiB) /* fake physical [0, 9 MiB) */
#define IMG 0x100000ULL
#define IMG_END (0x100000ULL + 0x123456) /* past the first 2 MiB */
#define HIGH_RAM (3 * GiB + 6 * MiB + 12 * KiB)

static uint8_t *arena;
static struct boot_info bi;

static void machine(int use_1g)
{
	memset(arena, 0, ARENA);
	memset(&bi, 0, sizeof(bi));
	bi.ram[bi.nram++] = (struct boot_range){0, 0x9fc00};
	bi.ram[bi.nram++] = (struct boot_range){MiB, 8 * MiB};
	bi.ram[bi.nram++] = (struct boot_range){4 * GiB, HIGH_RAM};
	/* Overlapping reports: mapped once. */
	bi.ram[bi.nram++] = (struct boot_range){ 4 * GiB + 3 * MiB, 2 * GiB };
	/* Crosses the end of the direct map: clipped at 1 TiB. */
	bi.ram[bi.nram++] = (struct boot_range){TiB - 2 * MiB, 4 * MiB};
	bi.reserved[bi.nreserved++] = (struct boot_range){0, MiB};
	bi.reserved[bi.nreserved++] = (struct boot_range){IMG, IMG_END - IMG};
	/* Keep pmm inside the arena: the high RAM is mapped, not used. */
	bi.reserved[bi.nreserved++] = (struct boot_range){4 * GiB, HIGH_RAM};
	bi.reserved[bi.nreserved++] =
		(struct boot_range){TiB - 2 * MiB, 4 * MiB};
	pmm_init(&bi);
	pt_build(&bi, IMG, IMG_END, use_1g);
}

static int identity(uint64_t va, int level, int w, int x)
{
	struct tr t = walk(va);
	return t.present && t.pa == va && t.level == level && t.w == w &&
	       t.x == x && !t.uc;
}

static void test_direct_map(int use_1g)
{
	uint64_t img_top = (IMG_END + PG - 1) & ~(PG - 1);
	int bad = 0;

	machine(use_1g);
	CHECK(!walk(0).present && !walk(0xfff).present); /* NULL faults */
	CHECK(identity(0x1000, 1, 1, 0));
	CHECK(identity(0x9f000, 1, 1, 0));
	CHECK(identity(0xb8000, 1, 1, 0)); /* VGA: as the boot map had it */
	CHECK(identity(IMG, 1, 1, 1));	   /* image: RWX, 4 KiB */
	CHECK(identity(img_top - PG, 1, 1, 1));
	CHECK(identity(img_top, 1, 1, 0)); /* split 2 MiB page, NX */
	CHECK(identity(4 * MiB - PG, 1, 1, 0));
	CHECK(identity(4 * MiB, 2, 1, 0));
	CHECK(identity(GiB - 2 * MiB, 2, 1, 0));
	CHECK(identity(GiB + 12345 * 8, use_1g ? 3 : 2, 1, 0));
	CHECK(identity(0xfee00000, use_1g ? 3 : 2, 1, 0)); /* LAPIC */
	CHECK(identity(4 * GiB - PG, use_1g ? 3 : 2, 1, 0));
	/* RAM above 4 GiB, exactly. */
	CHECK(identity(4 * GiB, use_1g ? 3 : 2, 1, 0));
	CHECK(identity(4 * GiB + 3 * GiB, 2, 1, 0));
	CHECK(identity(4 * GiB + 3 * GiB + 6 * MiB, 1, 1, 0));
	CHECK(identity(4 * GiB + HIGH_RAM - PG, 1, 1, 0));
	CHECK(!walk(4 * GiB + HIGH_RAM).present);
	CHECK(!walk(16 * GiB).present);
	CHECK(identity(TiB - 2 * MiB, 2, 1, 0) && identity(TiB - PG, 2, 1, 0));
	CHECK(!walk(TiB).present);
	/* Everything else below 4 GiB, sampled: present and identity. */
	srand(use_1g + 1);
	for (int i = 0; i < 100000; i++) {
		uint64_t va =
			((uint64_t)rand() << 12 ^ (uint64_t)rand()) % (4 * GiB);
		struct tr t = walk(va);
		int in_img = va >= IMG && va < img_top;
		if (va < PG ? t.present
			    : !t.present || t.pa != va || !t.w || t.x != in_img)
			bad++;
	}
	CHECK(!bad);
	/* PML4; PDPT 0-512G; PDs for 0-4G (only 0-1G with 1 GiB pages); PTs
	 * for the first 2 MiB and for the image's second 2 MiB; high RAM:
	 * PDs for 4-8G (only 7-8G) and a PT for its 4 KiB tail; the RAM
	 * below 1 TiB: a PDPT and a PD. */
	CHECK(pt_table_pages() ==
	      (use_1g ? 1 + 1 + 1 + 2 + 2 + 2u : 1 + 1 + 4 + 2 + 5 + 2u));
	CHECK(pmm_free_frames() + pt_table_pages() == pmm_total_frames());
}

struct seen {
	uint64_t va[16];
	int prot[16];
	size_t n;
};

static void visit(uint64_t a, uint64_t pa, int p, void *ctx)
{
	struct seen *s = ctx;

	(void)pa;
	if (s->n < 16) {
		s->va[s->n] = a;
		s->prot[s->n] = p;
	}
	s->n++;
}

static void test_program_pages(void)
{
	uint64_t va = TiB + 0x5000, f1, f2;
	size_t before;
	int prot = -1;
	struct tr t;

	machine(0);
	f1 = pmm_alloc(0);
	f2 = pmm_alloc(0);
	CHECK(pt_lookup(va, &prot) == 0);
	CHECK(pt_map(va, f1, PROT_READ | PROT_WRITE) == 0);
	t = walk(va);
	CHECK(t.present && t.level == 1 && t.pa == f1 && t.w && !t.x);
	CHECK(pt_lookup(va, &prot) == f1 && prot == (PROT_READ | PROT_WRITE));
	pt_protect(va, PROT_READ);
	t = walk(va);
	CHECK(t.present && !t.w && !t.x);
	CHECK(pt_lookup(va, &prot) == f1 && prot == PROT_READ);
	pt_protect(va, PROT_READ | PROT_EXEC);
	t = walk(va);
	CHECK(t.present && !t.w && t.x);
	CHECK(pt_lookup(va, &prot) == f1 && prot == (PROT_READ | PROT_EXEC));
	/* PROT_NONE: not present to the CPU, frame kept. */
	pt_protect(va, PROT_NONE);
	t = walk(va);
	CHECK(!t.present && (t.pte & E_ADDR) == f1);
	CHECK(pt_lookup(va, &prot) == f1 && prot == PROT_NONE);
	pt_protect(va, PROT_WRITE);
	t = walk(va);
	CHECK(t.present && t.w && t.pa == f1);
	CHECK(pt_unmap(va) == f1 && pt_lookup(va, &prot) == 0 &&
	      !walk(va).present);
	CHECK(pt_unmap(va) == 0);
	/* PROT_NONE straight away (a moved PROT_NONE page). */
	CHECK(pt_map(va, f2, PROT_NONE) == 0);
	CHECK(!walk(va).present && pt_lookup(va, &prot) == f2 &&
	      prot == PROT_NONE);
	CHECK(pt_unmap(va) == f2);

	/* The table count is exact: mapping every page of a range takes
	 * just what pt_tables_needed said, and then none. */
	struct {
		uint64_t va, len;
	} r[] = {
		{TiB, PG},
		{TiB + 2 * MiB - PG, 2 * PG},  /* across a PT */
		{TiB + GiB - 8 * PG, 16 * PG}, /* across a PD */
		{2 * TiB - 4 * PG, 8 * PG},    /* across a PDPT */
		{3 * TiB + 5 * PG, 3 * MiB},
		{0x7f0000000000ULL - 3 * PG, 3 * PG}, /* the top */
	};
	int exact = 1;
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		size_t need = pt_tables_needed(r[i].va, r[i].len);
		before = pt_table_pages();
		for (uint64_t a = r[i].va; a < r[i].va + r[i].len; a += PG)
			if (pt_map(a, f1, PROT_READ))
				exact = 0;
		if (pt_table_pages() - before != need ||
		    pt_tables_needed(r[i].va, r[i].len) != 0)
			exact = 0;
		for (uint64_t a = r[i].va; a < r[i].va + r[i].len; a += PG)
			pt_unmap(a);
	}
	CHECK(exact);
	/* Huge empty ranges are counted without a walk page by page. */
	CHECK(pt_tables_needed(16 * TiB, 4 * TiB) == 8 + 4096 + 4096 * 512);

	/* for_each: populated pages only, in order, across absent tables. */
	uint64_t pages[] = {
		TiB + PG,
		TiB + 7 * PG,
		TiB + 2 * MiB,
		TiB + 512 * GiB - PG, /* PROT_NONE */
		5 * TiB,
		5 * TiB + 3 * PG,
		100 * TiB, /* past the range visited */
	};
	size_t n = sizeof(pages) / sizeof(pages[0]);
	for (size_t i = 0; i < n; i++)
		pt_map(pages[i], f1 + (i % 2) * (f2 - f1),
		       i == 3 ? PROT_NONE : PROT_READ);
	struct seen s = {.n = 0};
	pt_for_each(TiB, 99 * TiB, visit, &s);
	int order = s.n == n - 1; /* 100 TiB is past the end */
	for (size_t i = 0; order && i < s.n; i++)
		order = s.va[i] == pages[i] &&
			s.prot[i] == (i == 3 ? PROT_NONE : PROT_READ);
	CHECK(order);
	for (size_t i = 0; i < n; i++)
		CHECK(pt_unmap(pages[i]) == (i % 2 ? f2 : f1));
	s.n = 0;
	pt_for_each(TiB, 99 * TiB, visit, &s);
	CHECK(s.n == 0);
}

static void test_split_and_mmio(int use_1g)
{
	uint64_t va = 2 * GiB + 5 * PG;
	void *p;

	machine(use_1g);
	/* Uncached registers inside a large page: only they change. */
	p = mm_map_mmio(va + 12, 100);
	CHECK(p == mm_phys_to_virt(va + 12));
	struct tr t = walk(va);
	CHECK(t.present && t.level == 1 && t.uc && t.w && !t.x && t.pa == va);
	CHECK(identity(va - PG, 1, 1, 0) && identity(va + PG, 1, 1, 0));
	CHECK(identity(2 * GiB + 2 * MiB, 2, 1, 0));
	CHECK(identity(3 * GiB - 2 * MiB, 2, 1, 0));
	CHECK(identity(3 * GiB, use_1g ? 3 : 2, 1, 0));
	/* A 64-bit BAR above RAM. */
	p = mm_map_mmio(512 * GiB, 0x5000);
	CHECK(p == mm_phys_to_virt(512 * GiB));
	t = walk(512 * GiB + 0x4000);
	CHECK(t.present && t.uc && t.pa == 512 * GiB + 0x4000);
	CHECK(!walk(512 * GiB + 0x5000).present);
	CHECK(mm_map_mmio(TiB, PG) == NULL);
	CHECK(mm_map_mmio(PG, 0) == NULL);
	/* virt_to_phys: identity in the direct map, absent page 0. */
	CHECK(mm_virt_to_phys((void *)(uintptr_t)(GiB + 123)) == GiB + 123);
	CHECK(mm_virt_to_phys((void *)(uintptr_t)8) == (uint64_t)-1);
	uint64_t f = pmm_alloc(0);
	pt_map(TiB + PG, f, PROT_READ);
	CHECK(mm_virt_to_phys((void *)(uintptr_t)(TiB + PG + 7)) == f + 7);
	pt_protect(TiB + PG, PROT_NONE);
	CHECK(mm_virt_to_phys((void *)(uintptr_t)(TiB + PG + 7)) ==
	      (uint64_t)-1);
	CHECK(mm_virt_to_phys((void *)(uintptr_t)(TiB + 2 * PG)) ==
	      (uint64_t)-1);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	arena = aligned_alloc(PG, ARENA);
	mm_hosted_dmap_offset = (uintptr_t)arena;

	test_direct_map(0);
	test_direct_map(1);
	test_program_pages();
	test_split_and_mmio(0);
	test_split_and_mmio(1);

	free(arena);
	printf("test_mm_paging: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
