/*
 * paging.c - x86-64 4-level page tables: the kernel's direct map, the
 * kernel image, MMIO, and the program's 4 KiB pages.
 *
 * Layer: kernel mm, arch. mm_init() calls pt_init() once (after
 * pmm_init) to build the final tables and load CR3; as.c calls the pt_*
 * page functions (priv.h) for the program's pages; drivers reach
 * mm_map_mmio(). Page-table pages come zeroed from pmm and are reached
 * through the direct map (virt == phys); they are never freed.
 *
 * Entries: no U/S bit (everything runs in ring 0) and no global bit (a
 * CR3 reload is the big-range flush). Upper levels are permissive
 * (P|W, executable); the leaf decides. A program page made PROT_NONE
 * keeps its frame in a not-present entry marked with PTE_SW_NONE.
 * pt_map presets the dirty bit of a writable page (the CPU need not set
 * it); pt_clean clears it where the write matters (shared file pages:
 * msync and munmap mark the file modified when the CPU set it again).
 */
#include <errno.h>
#include <sys/mman.h>
#include <uni/kernel.h>
#include <uni/mm.h>
#include <uni/x86_64/cpu.h>
#include "../priv.h"

#define PTE_P (1ULL << 0)
#define PTE_W (1ULL << 1)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_A (1ULL << 5)
#define PTE_D (1ULL << 6)
#define PTE_PS (1ULL << 7) /* in a PDPTE or PDE: 1 GiB or 2 MiB page */
#define PTE_SW_NONE (1ULL << 9) /* software: PROT_NONE page, frame kept */
#define PTE_NX (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

#define CR4_PGE (1ULL << 7)
#define FOUR_GIB 0x100000000ULL
/* Above this many pages a CR3 reload beats one invlpg a page. */
#define FLUSH_PAGES_MAX 64

/* Level 4 = PML4 ... level 1 = page table; an entry at level l maps
 * LEVEL_SPAN(l) bytes. */
#define LEVEL_SHIFT(l) (PAGE_SHIFT + 9 * ((l) - 1))
#define LEVEL_SPAN(l) (1ULL << LEVEL_SHIFT(l))

static uint64_t *kpml4;
static uint64_t kpml4_pa;
static int pt_live;      /* kpml4 is in CR3 */
static size_t ntables;   /* page-table pages taken from pmm */
static int have_1g;      /* CPUID pdpe1gb */

static unsigned pt_index(uint64_t va, int level)
{
	return (va >> LEVEL_SHIFT(level)) & 511;
}

static uint64_t *table_of(uint64_t e)
{
	return mm_phys_to_virt(e & PTE_ADDR);
}

static int populated(uint64_t e)
{
	return (e & (PTE_P | PTE_SW_NONE)) != 0;
}

/* A zeroed table page, linked into *entry. */
static uint64_t *table_alloc(uint64_t *entry)
{
	uint64_t pa = pmm_alloc(PMM_ZERO);

	if (!pa)
		return NULL;
	/* Before the switch only the boot tables' 4 GiB reach it; pmm
	 * hands out its lowest frames first, so this holds. */
	KASSERT(pt_live || pa + PAGE_SIZE <= FOUR_GIB);
	ntables++;
	*entry = pa | PTE_P | PTE_W | PTE_A;
	return mm_phys_to_virt(pa);
}

static uint64_t leaf_flags(int prot, int flags)
{
	uint64_t f = PTE_P | PTE_A;

	if (!(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return PTE_SW_NONE;
	if (prot & PROT_WRITE)
		f |= PTE_W | PTE_D;
	if (!(prot & PROT_EXEC))
		f |= PTE_NX;
	if (flags & PT_UNCACHED)
		f |= PTE_PCD | PTE_PWT;
	return f;
}

static int prot_of(uint64_t e)
{
	int prot;

	if (!(e & PTE_P))
		return PROT_NONE;
	prot = PROT_READ;
	if (e & PTE_W)
		prot |= PROT_WRITE;
	if (!(e & PTE_NX))
		prot |= PROT_EXEC;
	return prot;
}

/* Replace the large page in *e (a level-`level` entry) by a table of the
 * next level with the same translations. The caller flushes (the mapping
 * is unchanged, but the page size is not: SDM vol. 3 §4.10.4). */
static int split(uint64_t *e, int level)
{
	uint64_t old = *e, span = LEVEL_SPAN(level - 1), tmp;
	uint64_t base = old & PTE_ADDR & ~(LEVEL_SPAN(level) - 1);
	/* Bit 12 of a large entry is PAT, never set here: dropped with
	 * the address bits. */
	uint64_t flags = (old & ~PTE_ADDR & ~PTE_PS) |
			 (level - 1 > 1 ? PTE_PS : 0);
	uint64_t *t = table_alloc(&tmp);

	if (!t)
		return -ENOMEM;
	for (int i = 0; i < 512; i++)
		t[i] = (base + i * span) | flags;
	*e = tmp;
	return 0;
}

/* The level-`level` entry for va. With create, missing tables are made
 * and large pages above `level` split; without, NULL when a table is
 * missing or a large page covers va. NULL also when out of frames. */
static uint64_t *entry_for(uint64_t va, int level, int create)
{
	uint64_t *t = kpml4;

	for (int l = 4; l > level; l--) {
		uint64_t *e = &t[pt_index(va, l)];
		if (!(*e & PTE_P)) {
			if (!create || !table_alloc(e))
				return NULL;
		} else if (*e & PTE_PS) {
			if (!create || split(e, l))
				return NULL;
		}
		t = table_of(*e);
	}
	return &t[pt_index(va, level)];
}

/* ---- program pages ------------------------------------------------- */

int pt_map(uint64_t va, uint64_t pa, int prot)
{
	uint64_t *e = entry_for(va, 1, 1);

	if (!e)
		return -ENOMEM;
	KASSERT(!populated(*e));
	*e = pa | leaf_flags(prot, 0);
	return 0;
}

uint64_t pt_unmap(uint64_t va)
{
	uint64_t *e = entry_for(va, 1, 0), pa;

	if (!e || !populated(*e))
		return 0;
	pa = *e & PTE_ADDR;
	*e = 0;
	return pa;
}

void pt_protect(uint64_t va, int prot)
{
	uint64_t *e = entry_for(va, 1, 0);

	KASSERT(e && populated(*e));
	/* The dirty bit stays (in a PROT_NONE entry too, where the CPU
	 * ignores it): pt_clean reads it for msync. */
	*e = (*e & (PTE_ADDR | PTE_D)) | (leaf_flags(prot, 0) & ~PTE_D);
}

int pt_clean(uint64_t va)
{
	uint64_t *e = entry_for(va, 1, 0);

	if (!e || !populated(*e) || !(*e & PTE_D))
		return 0;
	*e &= ~PTE_D;
	return 1;
}

uint64_t pt_lookup(uint64_t va, int *prot)
{
	uint64_t *t = kpml4, e;

	for (int l = 4;; l--) {
		e = t[pt_index(va, l)];
		if (l == 1 || ((e & PTE_P) && (e & PTE_PS))) {
			uint64_t span = LEVEL_SPAN(l);
			if (!populated(e))
				return 0;
			if (prot)
				*prot = prot_of(e);
			return (e & PTE_ADDR & ~(span - 1)) +
			       (va & (span - 1) & ~(PAGE_SIZE - 1));
		}
		if (!(e & PTE_P))
			return 0;
		t = table_of(e);
	}
}

void pt_for_each(uint64_t va, uint64_t len, pt_visit_fn fn, void *ctx)
{
	uint64_t end = va + len;

	while (va < end) {
		uint64_t *t = kpml4, stop;
		int l;

		for (l = 4; l > 1; l--) {
			uint64_t e = t[pt_index(va, l)];
			if (!(e & PTE_P))
				break;
			/* Program ranges never hold large pages. */
			KASSERT(!(e & PTE_PS));
			t = table_of(e);
		}
		if (l > 1) {
			/* No table below this entry: skip all it spans. */
			va = (va & ~(LEVEL_SPAN(l) - 1)) + LEVEL_SPAN(l);
			continue;
		}
		stop = MIN(end, (va & ~(LEVEL_SPAN(2) - 1)) + LEVEL_SPAN(2));
		for (; va < stop; va += PAGE_SIZE) {
			uint64_t e = t[pt_index(va, 1)];
			if (populated(e))
				fn(va, e & PTE_ADDR, prot_of(e), ctx);
		}
	}
}

/* Level-(l-1) tables touched by [a, b): one per level-l span. */
static size_t spans(uint64_t a, uint64_t b, int l)
{
	uint64_t s = LEVEL_SPAN(l);

	return (ALIGN_UP(b, s) - ALIGN_DOWN(a, s)) / s;
}

/* Tables to create so that every page of [a, b) can be mapped, where t is
 * the level-`level` table covering [a, b) (NULL: missing too). */
static size_t needed(const uint64_t *t, int level, uint64_t a, uint64_t b)
{
	size_t n = 0;

	if (!t) {
		for (int l = level; l >= 1; l--)
			n += spans(a, b, l + 1);
		return n;
	}
	if (level == 1)
		return 0;
	while (a < b) {
		uint64_t e = t[pt_index(a, level)];
		uint64_t next = MIN(b, (a & ~(LEVEL_SPAN(level) - 1)) +
					       LEVEL_SPAN(level));
		KASSERT(!((e & PTE_P) && (e & PTE_PS)));
		n += needed(e & PTE_P ? table_of(e) : NULL, level - 1, a, next);
		a = next;
	}
	return n;
}

size_t pt_tables_needed(uint64_t va, uint64_t len)
{
	return len ? needed(kpml4, 4, va, va + len) : 0;
}

void pt_flush(uint64_t va, uint64_t len)
{
	if (!pt_live)
		return;
	if (len / PAGE_SIZE > FLUSH_PAGES_MAX) {
		write_cr3(read_cr3());
		return;
	}
	for (uint64_t a = va; a < va + len; a += PAGE_SIZE)
		invlpg(a);
}

/* ---- kernel mappings ----------------------------------------------- */

int pt_kmap(uint64_t va, uint64_t pa, uint64_t len, int prot, int flags)
{
	KASSERT(!((va | pa | len) & (PAGE_SIZE - 1)));
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		uint64_t *e = entry_for(va + off, 1, 1);
		if (!e) {
			pt_flush(va, off);
			return -ENOMEM;
		}
		/* One store: the entry may map the code doing this. */
		*e = prot == PROT_NONE ? 0
				       : (pa + off) | leaf_flags(prot, flags);
	}
	pt_flush(va, len);
	return 0;
}

/* The size of the present page that maps va, or 0. */
static uint64_t present_span(uint64_t va)
{
	uint64_t *t = kpml4;

	for (int l = 4; l >= 1; l--) {
		uint64_t e = t[pt_index(va, l)];
		if (!(e & PTE_P))
			return 0;
		if (l == 1 || (e & PTE_PS))
			return LEVEL_SPAN(l);
		t = table_of(e);
	}
	return 0;
}

/* Identity-map [a, b) read-write, no-execute, with the largest pages
 * that fit (1 GiB only where the CPU has them). Pages mapped already (a
 * loader that reports overlapping RAM) stay as they are. */
KERNEL_COLD static void map_direct(uint64_t a, uint64_t b)
{
	while (a < b) {
		uint64_t *e, span = present_span(a);
		int l = 1;

		if (span) {
			a = ALIGN_DOWN(a, span) + span;
			continue;
		}
		if (have_1g && !(a & (LEVEL_SPAN(3) - 1)) &&
		    b - a >= LEVEL_SPAN(3))
			l = 3;
		else if (!(a & (LEVEL_SPAN(2) - 1)) && b - a >= LEVEL_SPAN(2))
			l = 2;
		for (;;) {
			e = entry_for(a, l, 1);
			if (!e)
				panic("mm: out of memory for the direct map");
			if (!(*e & PTE_P))
				break;
			l--; /* a table is there: map below it */
		}
		*e = a | PTE_P | PTE_W | PTE_A | PTE_D | PTE_NX |
		     (l > 1 ? PTE_PS : 0);
		a += LEVEL_SPAN(l);
	}
}

KERNEL_COLD void pt_build(const struct boot_info *bi, uint64_t img, uint64_t img_end,
	      int use_1g)
{
	uint64_t root;

	KASSERT(!pt_live);
	have_1g = use_1g;
	ntables = 0;
	kpml4 = table_alloc(&root);
	if (!kpml4)
		panic("mm: no frame for the page tables");
	kpml4_pa = root & PTE_ADDR;

	/* The first 4 GiB as the boot tables had them: RAM and the MMIO
	 * holes (LAPIC, IOAPIC, 32-bit PCI BARs) that drivers reach by
	 * their physical address. */
	map_direct(LEVEL_SPAN(2), FOUR_GIB);
	/* The first 2 MiB in 4 KiB pages without page 0, so that a NULL
	 * dereference faults. */
	if (pt_kmap(PAGE_SIZE, PAGE_SIZE, LEVEL_SPAN(2) - PAGE_SIZE,
		    PROT_READ | PROT_WRITE, 0))
		panic("mm: out of memory for the page tables");
	/* RAM above 4 GiB, all the loader reported. */
	for (int i = 0; i < bi->nram; i++) {
		uint64_t a = ALIGN_UP(bi->ram[i].base, PAGE_SIZE);
		uint64_t end = bi->ram[i].base + bi->ram[i].len;
		uint64_t b;
		if (end < bi->ram[i].base)
			end = UINT64_MAX;
		b = ALIGN_DOWN(end, PAGE_SIZE);
		a = MAX(a, FOUR_GIB);
		b = MIN(b, MM_DIRECT_LIMIT);
		if (a < b)
			map_direct(a, b);
	}
	/* The kernel image (kernel and program text, data, bss) RWX, at
	 * 4 KiB granularity so that W^X is one pt_kmap per section, which
	 * mm_init (init.c) applies right after pt_init: text RX, rodata R,
	 * data and bss RW. */
	img = ALIGN_DOWN(img, PAGE_SIZE);
	img_end = ALIGN_UP(img_end, PAGE_SIZE);
	if (pt_kmap(img, img, img_end - img, PROT_READ | PROT_WRITE | PROT_EXEC,
		    0))
		panic("mm: out of memory for the page tables");
}

void pt_init(const struct boot_info *bi)
{
	struct cpuid_regs r = cpuid(0x80000000, 0);
	int gb = r.eax >= 0x80000001 &&
		 (cpuid(0x80000001, 0).edx & (1u << 26)); /* pdpe1gb */
	uint64_t cr4;

	pt_build(bi, (uint64_t)(uintptr_t)_kernel_start,
		 (uint64_t)(uintptr_t)_end, gb);
	write_cr3(kpml4_pa);
	pt_live = 1;
	/* The boot tables set no global bit; should a loader have left
	 * global entries, toggling CR4.PGE drops them. */
	cr4 = read_cr4();
	if (cr4 & CR4_PGE) {
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
	}
}

uint64_t pt_root(void)
{
	return kpml4_pa;
}

size_t pt_table_pages(void)
{
	return ntables;
}

void *mm_map_mmio(uint64_t pa, size_t len)
{
	uint64_t a = ALIGN_DOWN(pa, PAGE_SIZE), b = pa + len;

	if (!len || b < pa || b > MM_DIRECT_LIMIT)
		return NULL;
	b = ALIGN_UP(b, PAGE_SIZE);
	if (pt_kmap(a, a, b - a, PROT_READ | PROT_WRITE, PT_UNCACHED))
		return NULL;
	return mm_phys_to_virt(pa);
}
