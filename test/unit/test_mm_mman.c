/*
 * test_mm_mman.c - host unit test of the program's address space: the
 * memory syscalls (src/kernel/mm/sys_mman.c) and their mechanism (as.c),
 * over the real vma.c and pmm.c and a fake page table defined here.
 *
 * Layer: test/unit (ctest -L unit). The fake pt_* layer keeps va -> (frame,
 * prot) in a hash table and, like the real one, takes one pmm frame per
 * 2 MiB of address space it maps ("page tables") and never gives it back,
 * so the exact frame check before each change is exercised too. Frames
 * live in a test arena, so page contents can be read and written: zero
 * on arrival, kept across mprotect and mremap, cleared by MADV_DONTNEED.
 * Fixed cases follow Linux semantics (brk, mallocng's guard page, MAP_FIXED
 * replace and NOREPLACE, hints, W^X, ENOMEM with nothing leaked, stacks);
 * then a random run checks every page against a model. Built with
 * -DTEST_REAL_PT it runs the same cases over the real x86_64/paging.c
 * (tables built by pt_build in the arena) instead of the fake. File
 * mappings run over a fake file layer (fd_get, kernel_read, a vnode whose
 * getpage lends arena frames, as ramfs does). Prints
 * failures and "test_mm_mman: N passed, M failed"; exit status 1 on
 * failure. TEST_SEED=n reseeds the random run; TEST_VERBOSE shows logs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <uni/file.h>
#include <uni/syscall.h>
#include <uni/vfs.h>
#include "priv.h"

uintptr_t mm_hosted_dmap_offset;

#include "unit.h"

/* ---- fake page table ------------------------------------------------ */
#ifndef TEST_REAL_PT

struct fpte {
	uint64_t vpn, pa;
	int prot, dirty; /* dirty: the hardware bit, set by hand (written) */
	struct fpte *next;
};

#define NBUCKETS (1 << 14)
static struct fpte *buckets[NBUCKETS];
static size_t npte;
static uint64_t *tables; /* 2 MiB chunks that have a "table" */
static size_t ntables, cap_tables;
static size_t nflush;

static struct fpte **slot(uint64_t vpn)
{
	struct fpte **p = &buckets[(vpn * 0x9e3779b97f4a7c15ULL) >> 50];
	while (*p && (*p)->vpn != vpn)
		p = &(*p)->next;
	return p;
}

static int has_table(uint64_t chunk)
{
	for (size_t i = 0; i < ntables; i++)
		if (tables[i] == chunk)
			return 1;
	return 0;
}

int pt_map(uint64_t va, uint64_t pa, int prot)
{
	struct fpte **p = slot(va >> 12), *e;

	if (va & 4095 || pa & 4095 || *p)
		panic("pt_map: bad map of %llx", (unsigned long long)va);
	if (!has_table(va >> 21)) {
		uint64_t t = pmm_alloc(PMM_ZERO);
		if (!t)
			return -ENOMEM;
		if (ntables == cap_tables) {
			cap_tables = cap_tables ? 2 * cap_tables : 64;
			tables = realloc(tables, cap_tables * sizeof(*tables));
		}
		tables[ntables++] = va >> 21;
	}
	e = malloc(sizeof(*e));
	/* As paging.c: a writable page starts out dirty. */
	*e = (struct fpte){va >> 12, pa, prot, !!(prot & PROT_WRITE), NULL};
	*p = e;
	npte++;
	return 0;
}

uint64_t pt_unmap(uint64_t va)
{
	struct fpte **p = slot(va >> 12), *e = *p;
	uint64_t pa;

	if (!e)
		return 0;
	pa = e->pa;
	*p = e->next;
	free(e);
	npte--;
	return pa;
}

void pt_protect(uint64_t va, int prot)
{
	struct fpte *e = *slot(va >> 12);

	if (!e)
		panic("pt_protect: %llx not populated", (unsigned long long)va);
	e->prot = prot;
}

int pt_clean(uint64_t va)
{
	struct fpte *e = *slot(va >> 12);
	int d = e && e->dirty;

	if (e)
		e->dirty = 0;
	return d;
}

/* A write through the mapping, as the CPU marks it. */
static void fake_write(uint64_t va)
{
	struct fpte *e = *slot(va >> 12);

	if (e)
		e->dirty = 1;
}

uint64_t pt_lookup(uint64_t va, int *prot)
{
	struct fpte *e = *slot(va >> 12);

	if (!e)
		return 0;
	if (prot)
		*prot = e->prot;
	return e->pa;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void pt_for_each(uint64_t va, uint64_t len, pt_visit_fn fn, void *ctx)
{
	uint64_t lo = va >> 12, hi = (va + len) >> 12, *v;
	size_t n = 0;

	/* Collect first (fn may change the page it is given), in order. */
	v = malloc((npte + 1) * sizeof(*v));
	if (hi - lo <= 4 * npte) {
		for (uint64_t p = lo; p < hi; p++)
			if (*slot(p))
				v[n++] = p;
	} else {
		for (size_t b = 0; b < NBUCKETS; b++)
			for (struct fpte *e = buckets[b]; e; e = e->next)
				if (e->vpn >= lo && e->vpn < hi)
					v[n++] = e->vpn;
		qsort(v, n, sizeof(*v), cmp_u64);
	}
	for (size_t i = 0; i < n; i++) {
		struct fpte *e = *slot(v[i]);
		if (e)
			fn(e->vpn << 12, e->pa, e->prot, ctx);
	}
	free(v);
}

size_t pt_tables_needed(uint64_t va, uint64_t len)
{
	uint64_t lo = va >> 21, hi = (va + len + (1 << 21) - 1) >> 21;
	size_t have = 0;

	for (size_t i = 0; i < ntables; i++)
		have += tables[i] >= lo && tables[i] < hi;
	return (size_t)(hi - lo) - have;
}

void pt_flush(uint64_t va, uint64_t len)
{
	(void)va;
	(void)len;
	nflush++;
}

size_t pt_table_pages(void)
{
	return ntables;
}

static size_t pages_in_use(void)
{
	return npte;
}
#else
/* The real x86_64/paging.c, built over the arena by pt_build (pt_init,
 * which needs the CPU, is never called: these only satisfy the link). */
char _kernel_start[1], _end[1];
static size_t pages_in_use(void)
{
	return as_populated(MM_PROG_BASE, MM_PROG_END - MM_PROG_BASE);
}
#endif

/* ---- helpers -------------------------------------------------------- */

#define PG 4096L
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static long mmap_(uint64_t addr, uint64_t len, int prot, int flags)
{
	return sys_mmap((long)addr, (long)len, prot, flags, -1, 0);
}

/* The bytes behind a program address (the test's view of the frame). */
static uint8_t *mem(uint64_t va)
{
	uint64_t pa = pt_lookup(va & ~(PG - 1), NULL);

	if (!pa)
		panic("mem: %llx not populated", (unsigned long long)va);
	return (uint8_t *)mm_phys_to_virt(pa) + (va & (PG - 1));
}

static int populated(uint64_t va)
{
	return pt_lookup(va, NULL) != 0;
}

static int prot_at(uint64_t va)
{
	int prot = -1;
	pt_lookup(va, &prot);
	return prot;
}

static int zero_page(uint64_t va)
{
	const uint8_t *p = mem(va);
	for (size_t i = 0; i < PG; i++)
		if (p[i])
			return 0;
	return 1;
}

static size_t held; /* frames the test keeps away */

/* Every frame is free, in a VMA slab, a table, behind a page, or held. */
static int accounted(void)
{
	return pmm_free_frames() + vma_slab_frames() + pt_table_pages() +
		       pages_in_use() + held ==
	       pmm_total_frames();
}

static void unmap_all(void)
{
	sys_munmap(MM_PROG_BASE, MM_PROG_END - MM_PROG_BASE, 0, 0, 0, 0);
	sys_brk(MM_BRK_BASE, 0, 0, 0, 0, 0);
}

/* ---- a fake file layer ---------------------------------------------- */

/* fd 3: a pipe (no vnode); fd 4: a "ramfs" file, read-write, whose pages
 * are frames the test holds; fd 5: the same file read-only; fd 6: a
 * regular file without getpage (private mappings only), FSIZE bytes of
 * a pattern. */
#define FPAGES 64
#define FSIZE 5000
static uint64_t fpages[FPAGES];
static struct vnode fvn, gvn;
/* The pipe has no mmap op; the files map through mm/mmap_file.c. */
static const struct file_ops pipe_fops = { 0 };
static const struct file_ops reg_fops = { .mmap = mm_map_file };
static struct file fpipe = { .ops = &pipe_fops, .flags = O_RDWR };
static struct file frw, fro, fgen;

static int fake_getpage(struct vnode *vn, uint64_t pg, int create,
			uint64_t *pa)
{
	(void)vn;
	if (pg >= FPAGES)
		return -EFBIG;
	if (!fpages[pg]) {
		if (!create)
			return -ENOENT;
		if (!(fpages[pg] = pmm_alloc(PMM_ZERO)))
			return -ENOSPC;
		held++;
	}
	*pa = fpages[pg];
	return 0;
}

static const struct vnode_ops fake_ops = { .getpage = fake_getpage };

static const struct vnode_ops gen_ops = { 0 };

/* The process layer: its capability and RLIMIT_MEMLOCK (Linux's default
 * for root), which test_lock changes. */
static int fake_capable = 1;
static uint64_t fake_memlock = 8 << 20;

int ident_capable(void)
{
	return fake_capable;
}

uint64_t rlimit_cur(int resource)
{
	return resource == RLIMIT_MEMLOCK ? fake_memlock : ~0ULL;
}

/* The file layer's clock: ticks at each call. */
static long clock_now;

struct timespec vfs_now(void)
{
	return (struct timespec){ .tv_sec = ++clock_now };
}

struct file *fd_get(int fd)
{
	struct file *t[] = { [3] = &fpipe, &frw, &fro, &fgen };
	struct file *f = fd >= 0 && fd < 7 ? t[fd] : NULL;

	if (f)
		f->refs++;
	return f;
}

void file_put(struct file *f)
{
	f->refs--;
}

long kernel_read(struct file *f, void *buf, size_t len, uint64_t pos)
{
	uint8_t *b = buf;
	size_t i;

	for (i = 0; i < len && pos + i < f->vn->size; i++) {
		uint64_t p = pos + i;
		if (f->vn == &gvn)
			b[i] = (uint8_t)(p * 7 + 1);
		else
			b[i] = fpages[p / PG] ? *((uint8_t *)mm_phys_to_virt(
					 fpages[p / PG]) + p % PG) : 0;
	}
	return (long)i;
}

static uint8_t *fbyte(uint64_t off)
{
	return (uint8_t *)mm_phys_to_virt(fpages[off / PG]) + off % PG;
}

static void test_files(void)
{
	long a, b, c;

	fvn = (struct vnode){ .ops = &fake_ops, .mode = S_IFREG | 0644,
			      .size = 3 * PG };
	gvn = (struct vnode){ .ops = &gen_ops, .mode = S_IFREG | 0644,
			      .size = FSIZE };
	fpipe = (struct file){ .ops = &pipe_fops, .flags = O_RDWR };
	frw = (struct file){ .ops = &reg_fops, .flags = O_RDWR, .vn = &fvn };
	fro = (struct file){ .ops = &reg_fops, .flags = O_RDONLY, .vn = &fvn };
	fgen = (struct file){ .ops = &reg_fops, .flags = O_RDONLY, .vn = &gvn };

	CHECK(sys_mmap(0, PG, RW, MAP_SHARED, 9, 0) == -EBADF);
	CHECK(sys_mmap(0, PG, RW, MAP_SHARED, 3, 0) == -ENODEV);
	CHECK(sys_mmap(0, PG, RW, MAP_SHARED, 5, 0) == -EACCES);
	CHECK(sys_mmap(0, PG, PROT_READ, MAP_SHARED, 6, 0) == -ENODEV);
	CHECK(sys_mmap(0, PG, RW, MAP_SHARED, 6, 0) == -EACCES);
	CHECK(sys_mmap(0, PG, RW, MAP_SHARED, 4, PG / 2) == -EINVAL);
	CHECK(sys_mmap(0, PG, RW, MAP_SHARED, 4, -PG) == -EOVERFLOW);
	CHECK(sys_mmap(0, PG, RW, MAP_SHARED, 4, FPAGES * PG) == -EOVERFLOW);
	CHECK(sys_mmap(0, PG, RW, MAP_SHARED | MAP_HUGETLB, 4, 0) == -EINVAL);

	/* Shared: the mapping and the file are the same bytes. */
	a = sys_mmap(0, 3 * PG, RW, MAP_SHARED, 4, 0);
	CHECK(a > 0 && frw.refs == 1);
	*mem(a + 10) = 42;
	CHECK(*fbyte(10) == 42);
	*fbyte(PG + 5) = 7;                   /* "pwrite" */
	CHECK(*mem(a + PG + 5) == 7);
	CHECK(sys_munmap(a + PG, PG, 0, 0, 0, 0) == 0); /* split: 2 nodes */
	CHECK(frw.refs == 2 && vma_check(&mm_as.vmas) == 0);
	CHECK(*mem(a + 2 * PG) == 0 && fpages[1] && !populated(a + PG));
	/* Map page 1 back in place: the three pages merge into one VMA. */
	CHECK(sys_mmap(a + PG, PG, RW, MAP_SHARED | MAP_FIXED, 4, PG) == a + PG);
	CHECK(frw.refs == 1 && vma_find(&mm_as.vmas, a)->end == (uint64_t)a + 3 * PG);
	CHECK(*mem(a + PG + 5) == 7);
	/* At another offset: another page of the file, no merge. */
	b = sys_mmap(a + 3 * PG, PG, RW, MAP_SHARED | MAP_FIXED, 4, 0);
	CHECK(b == a + 3 * PG && frw.refs == 2 && *mem(b + 10) == 42);
	CHECK(vma_find(&mm_as.vmas, b)->start == (uint64_t)b);
	/* mremap moves it, grows it with the file's next pages, shrinks it,
	 * moves it back; DONTUNMAP is for anonymous memory only. */
	c = sys_mremap(a, 3 * PG, 5 * PG, MREMAP_MAYMOVE, 0, 0);
	CHECK(c > 0 && c != a && !populated(a) && frw.refs == 2);
	CHECK(*mem(c + 10) == 42 && *mem(c + PG + 5) == 7);
	/* Past the file's end (3 pages): reserved, not populated. */
	CHECK(!populated(c + 3 * PG) && !populated(c + 4 * PG));
	CHECK(vma_find(&mm_as.vmas, c)->end == (uint64_t)c + 5 * PG);
	CHECK(sys_mremap(c, 5 * PG, 2 * PG, 0, 0, 0) == c);
	CHECK(!populated(c + 2 * PG) && frw.refs == 2);
	CHECK(sys_mremap(c, 2 * PG, 3 * PG, 0, 0, 0) == c);
	CHECK(pt_lookup(c + 2 * PG, NULL) == fpages[2] && frw.refs == 2);
	CHECK(sys_mremap(c, PG, PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0, 0) ==
	      -EINVAL);
	CHECK(sys_mremap(c, 3 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, a,
			 0) == a);
	CHECK(!populated(c) && *mem(a + 10) == 42 && frw.refs == 2);
	CHECK(vma_check(&mm_as.vmas) == 0);
	CHECK(sys_mremap(a, 3 * PG, 2 * PG, 0, 0, 0) == a);
	CHECK(!populated(a + 2 * PG) && frw.refs == 2);
	/* MADV_DONTNEED keeps the data, MADV_REMOVE punches the file. */
	CHECK(sys_madvise(a, PG, MADV_DONTNEED, 0, 0, 0) == 0 && *fbyte(10) == 42);
	CHECK(sys_madvise(a, PG, MADV_REMOVE, 0, 0, 0) == 0 && *fbyte(10) == 0);
	CHECK(*mem(b + 10) == 0);
	/* Replacing with anonymous memory gives the file's frames back to
	 * the file, not to pmm. */
	CHECK(sys_mmap(a, 4 * PG, RW, ANON | MAP_FIXED, -1, 0) == a);
	CHECK(frw.refs == 0 && fpages[0] && fpages[1] && fpages[2]);
	CHECK(sys_munmap(a, 4 * PG, 0, 0, 0, 0) == 0 && accounted());

	/* The file shrinks: pages past the end leave the mappings, which
	 * stay as they are; the page holding the end stays. Growing brings
	 * the pages back; mprotect never fills them. */
	a = sys_mmap(0, 3 * PG, RW, MAP_SHARED, 4, 0);
	b = sys_mmap(0, PG, RW, MAP_SHARED, 4, 2 * PG);
	CHECK(a > 0 && b > 0 && frw.refs == 2);
	mm_file_shrink(&fvn, PG + 1);
	fvn.size = PG + 1;
	CHECK(populated(a + PG) && !populated(a + 2 * PG) && !populated(b));
	CHECK(frw.refs == 2 && vma_covered(&mm_as.vmas, a, a + 3 * PG));
	CHECK(vma_find(&mm_as.vmas, a + 2 * PG)->prot == RW &&
	      vma_find(&mm_as.vmas, b)->file == &frw);
	CHECK(sys_mprotect(a, 3 * PG, PROT_READ, 0, 0, 0) == 0 &&
	      !populated(a + 2 * PG) && prot_at(a + PG) == PROT_READ);
	CHECK(sys_mprotect(a, 3 * PG, RW, 0, 0, 0) == 0 &&
	      !populated(a + 2 * PG));
	mm_file_shrink(&fvn, 0);
	fvn.size = 0;
	CHECK(!populated(a) && frw.refs == 2 && vma_check(&mm_as.vmas) == 0);
	fvn.size = 3 * PG;
	mm_file_grow(&fvn, 3 * PG);
	CHECK(pt_lookup(a + 2 * PG, NULL) == fpages[2] &&
	      pt_lookup(b, NULL) == fpages[2] && prot_at(b) == RW);
	CHECK(sys_munmap(a, 3 * PG, 0, 0, 0, 0) == 0);
	CHECK(sys_munmap(b, PG, 0, 0, 0, 0) == 0 && accounted());

#ifndef TEST_REAL_PT /* fake_write sets the fake's dirty bit */
	/* Time stamps: mmap marks the access; a write through the mapping
	 * marks the modification at msync or munmap, not before. */
	fvn.atime = fvn.mtime = fvn.ctime = (struct timespec){ 0 };
	a = sys_mmap(0, 2 * PG, RW, MAP_SHARED, 4, 0);
	CHECK(a > 0 && fvn.atime.tv_sec > 0 && fvn.mtime.tv_sec == 0);
	CHECK(sys_msync(a, 2 * PG, MS_SYNC, 0, 0, 0) == 0 &&
	      fvn.mtime.tv_sec == 0);
	fake_write(a + PG);
	CHECK(sys_msync(a, PG, MS_INVALIDATE, 0, 0, 0) == 0 &&
	      fvn.mtime.tv_sec == 0);
	CHECK(sys_msync(a, 2 * PG, MS_ASYNC, 0, 0, 0) == 0 &&
	      fvn.mtime.tv_sec > 0 && fvn.ctime.tv_sec == fvn.mtime.tv_sec);
	fvn.mtime.tv_sec = 0;
	CHECK(sys_msync(a, 2 * PG, MS_SYNC, 0, 0, 0) == 0 &&
	      fvn.mtime.tv_sec == 0); /* cleaned by the first msync */
	CHECK(sys_mprotect(a, 2 * PG, PROT_NONE, 0, 0, 0) == 0 &&
	      sys_mprotect(a, 2 * PG, RW, 0, 0, 0) == 0);
	CHECK(sys_munmap(a, 2 * PG, 0, 0, 0, 0) == 0 && fvn.mtime.tv_sec == 0);
	a = sys_mmap(0, PG, RW, MAP_SHARED, 4, 0);
	fake_write(a);
	CHECK(sys_munmap(a, PG, 0, 0, 0, 0) == 0 && fvn.mtime.tv_sec > 0);
#endif

	/* Read-only file: shared read mapping, never writable. */
	a = sys_mmap(0, PG, PROT_READ, MAP_SHARED, 5, 0);
	CHECK(a > 0 && fro.refs == 1 && prot_at(a) == PROT_READ);
	CHECK(sys_mprotect(a, PG, RW, 0, 0, 0) == -EACCES);
	CHECK(sys_mprotect(a, PG, PROT_NONE, 0, 0, 0) == 0 && populated(a));
	CHECK(sys_madvise(a, PG, MADV_REMOVE, 0, 0, 0) == -EACCES);
	CHECK(sys_munmap(a, PG, 0, 0, 0, 0) == 0 && fro.refs == 0);
	/* Shared PROT_NONE: populated with the file's frames all the same. */
	*fbyte(2 * PG) = 9;
	a = sys_mmap(0, 2 * PG, PROT_NONE, MAP_SHARED, 4, PG);
	CHECK(a > 0 && populated(a + PG) && prot_at(a + PG) == PROT_NONE);
	CHECK(sys_mprotect(a, 2 * PG, PROT_READ, 0, 0, 0) == 0 &&
	      *mem(a + PG) == 9);
	CHECK(sys_munmap(a, 2 * PG, 0, 0, 0, 0) == 0 && frw.refs == 0);

	/* Private: a copy; writes stay in it; the page holding EOF reads
	 * zeros after it. */
	a = sys_mmap(0, 3 * PG, RW, MAP_PRIVATE, 6, 0);
	CHECK(a > 0 && fgen.refs == 0);
	CHECK(*mem(a) == 1 && *mem(a + 4999) == (uint8_t)(4999 * 7 + 1));
	/* The page holding the end reads zeros after it; the next one is
	 * wholly past the end: reserved, never populated (SIGBUS). */
	CHECK(*mem(a + 5000) == 0 && !populated(a + 2 * PG));
	CHECK(vma_find(&mm_as.vmas, a + 2 * PG)->flags & VMA_PAST_EOF &&
	      vma_find(&mm_as.vmas, a + 2 * PG)->start == (uint64_t)a + 2 * PG);
	CHECK(sys_mprotect(a, 3 * PG, PROT_READ, 0, 0, 0) == 0 &&
	      sys_mprotect(a, 3 * PG, RW, 0, 0, 0) == 0 && !populated(a + 2 * PG));
	CHECK(sys_mremap(a + 2 * PG, PG, 2 * PG, 0, 0, 0) == a + 2 * PG &&
	      !populated(a + 3 * PG) &&
	      vma_find(&mm_as.vmas, a + 3 * PG)->flags & VMA_PAST_EOF);
	CHECK(sys_munmap(a + 3 * PG, PG, 0, 0, 0, 0) == 0);
	/* All past the end: no frame at all. */
	b = sys_mmap(0, PG, RW, MAP_PRIVATE, 6, 2 * PG);
	CHECK(b > 0 && !populated(b) && sys_munmap(b, PG, 0, 0, 0, 0) == 0);
	c = sys_mmap(0, PG, RW, MAP_PRIVATE, 5, 2 * PG); /* read-only fd */
	CHECK(c > 0 && *mem(c) == 9);
	*mem(c) = 1;
	CHECK(*fbyte(2 * PG) == 9);
	/* PROT_NONE keeps the copy for a later mprotect. */
	b = sys_mmap(0, PG, PROT_NONE, MAP_PRIVATE, 6, PG);
	CHECK(b > 0 && prot_at(b) == PROT_NONE);
	CHECK(sys_mprotect(b, PG, PROT_READ, 0, 0, 0) == 0 &&
	      *mem(b) == (uint8_t)(PG * 7 + 1));
	CHECK(vma_check(&mm_as.vmas) == 0);
	unmap_all();
	CHECK(accounted());
}

/* Random shared file mappings, anonymous ones, munmap and mprotect over
 * a small window, checked page by page against a model: every file page
 * sits at the file offset the model says (so splits, trims and merges
 * keep pgoff right), with the file's frame, and the file is referenced
 * once per VMA node that maps it. */
static void test_files_random(void)
{
	enum { WN = 64 };
	struct { int file, prot, mapped; } m[WN];
	const uint64_t w = MM_MMAP_BASE + (1ULL << 32);
	int bad = 0;

	memset(m, 0, sizeof(m));
	fvn.size = FPAGES * PG; /* the model has every page in the file */
	srand(4242);
	for (int step = 0; step < 3000 && !bad; step++) {
		int a = rand() % WN, len = 1 + rand() % (WN - a);
		int k = rand() % (FPAGES - len + 1), op = rand() % 4;
		int prot = (int[]){ PROT_NONE, PROT_READ, RW }[rand() % 3];
		uint64_t va = w + a * PG;
		long r;

		if (op == 0) {
			r = sys_mmap(va, len * PG, prot, MAP_SHARED | MAP_FIXED,
				     4, k * PG);
			bad |= r != (long)va;
			for (int i = 0; i < len; i++)
				m[a + i] = (typeof(m[0])){ k + i, prot, 1 };
		} else if (op == 1) {
			r = sys_mmap(va, len * PG, prot, ANON | MAP_FIXED, -1, 0);
			bad |= r != (long)va;
			for (int i = 0; i < len; i++)
				m[a + i] = (typeof(m[0])){ -1, prot, 1 };
		} else if (op == 2) {
			bad |= sys_munmap(va, len * PG, 0, 0, 0, 0) != 0;
			for (int i = 0; i < len; i++)
				m[a + i].mapped = 0;
		} else {
			int covered = 1;
			for (int i = 0; i < len; i++)
				covered &= m[a + i].mapped;
			r = sys_mprotect(va, len * PG, prot, 0, 0, 0);
			bad |= r != (covered ? 0 : -ENOMEM);
			for (int i = 0; covered && i < len; i++)
				m[a + i].prot = prot;
		}
		int nodes = 0;
		for (struct vma *v = vma_next_after(&mm_as.vmas, w);
		     v && v->start < w + WN * PG;
		     v = vma_next_after(&mm_as.vmas, v->end))
			nodes += v->file != NULL;
		for (int i = 0; i < WN && !bad; i++) {
			struct vma *v = vma_find(&mm_as.vmas, w + i * PG);
			int pr = -1;
			uint64_t pa = pt_lookup(w + i * PG, &pr);
			if (!m[i].mapped)
				bad |= v != NULL;
			else if (!v || v->prot != m[i].prot)
				bad = 1;
			else if (m[i].file < 0)
				bad |= v->file != NULL;
			else
				bad |= v->file != &frw ||
				       v->pgoff + (w + i * PG - v->start) / PG !=
					       (uint64_t)m[i].file ||
				       pa != fpages[m[i].file] || pr != m[i].prot;
			if (bad)
				printf("files_random: step %d op %d page %d\n",
				       step, op, i);
		}
		bad |= nodes != frw.refs || vma_check(&mm_as.vmas) != 0;
	}
	CHECK(!bad);
	CHECK(sys_munmap(w, WN * PG, 0, 0, 0, 0) == 0 && frw.refs == 0);
	CHECK(accounted());
}

/* mlock marks (msync(MS_INVALIDATE) says EBUSY), and RLIMIT_MEMLOCK for
 * a program without the capability. */
static void test_lock(void)
{
	long a = mmap_(0, 4 * PG, RW, ANON), b;

	CHECK(a > 0 && sys_mlock(a + PG, 2 * PG, 0, 0, 0, 0) == 0);
	CHECK(sys_msync(a, PG, MS_INVALIDATE, 0, 0, 0) == 0);
	CHECK(sys_msync(a, 2 * PG, MS_INVALIDATE, 0, 0, 0) == -EBUSY);
	CHECK(vma_find(&mm_as.vmas, a + PG)->start == (uint64_t)a + PG &&
	      vma_check(&mm_as.vmas) == 0);
	CHECK(sys_munlock(a, 4 * PG, 0, 0, 0, 0) == 0 &&
	      vma_find(&mm_as.vmas, a + 3 * PG)->start == (uint64_t)a);
	fake_capable = 0;
	fake_memlock = 2 * PG;
	CHECK(sys_mlock(a, 3 * PG, 0, 0, 0, 0) == -ENOMEM);
	CHECK(sys_mlock(a, 2 * PG, 0, 0, 0, 0) == 0);
	CHECK(mmap_(0, PG, RW, ANON | MAP_LOCKED) == -EAGAIN);
	CHECK(sys_mlockall(MCL_FUTURE, 0, 0, 0, 0, 0) == 0);
	CHECK(mmap_(0, PG, RW, ANON) == -EAGAIN);
	CHECK(sys_munlockall(0, 0, 0, 0, 0, 0) == 0);
	b = mmap_(0, PG, RW, ANON | MAP_LOCKED);
	CHECK(b > 0 && sys_msync(b, PG, MS_INVALIDATE, 0, 0, 0) == -EBUSY);
	fake_memlock = 0;
	CHECK(sys_mlock(a, PG, 0, 0, 0, 0) == -EPERM);
	fake_capable = 1;
	fake_memlock = 8 << 20;
	CHECK(sys_munmap(b, PG, 0, 0, 0, 0) == 0);
	CHECK(sys_munmap(a, 4 * PG, 0, 0, 0, 0) == 0 && accounted());
}

/* ---- fixed cases ---------------------------------------------------- */

static void test_brk(void)
{
	long b = sys_brk(0, 0, 0, 0, 0, 0);

	CHECK(b == (long)MM_BRK_BASE);
	/* Unaligned break: pages whole, value as asked. */
	CHECK(sys_brk(b + 100, 0, 0, 0, 0, 0) == b + 100);
	CHECK(populated(b) && prot_at(b) == RW && zero_page(b));
	CHECK(!populated(b + PG));
	CHECK(sys_brk(b + 3 * PG + 1, 0, 0, 0, 0, 0) == b + 3 * PG + 1);
	CHECK(populated(b + 3 * PG) && zero_page(b + 3 * PG));
	memset(mem(b + 3 * PG), 0x42, PG);
	/* Shrink frees, growing again gives zeros. */
	CHECK(sys_brk(b + PG, 0, 0, 0, 0, 0) == b + PG);
	CHECK(populated(b) && !populated(b + PG));
	CHECK(sys_brk(b + 4 * PG, 0, 0, 0, 0, 0) == b + 4 * PG);
	CHECK(zero_page(b + 3 * PG));
	CHECK(mm_as.vmas.count == 1);
	/* Out of bounds: the old break. */
	CHECK(sys_brk(b - 1, 0, 0, 0, 0, 0) == b + 4 * PG);
	CHECK(sys_brk(MM_BRK_LIMIT + PG, 0, 0, 0, 0, 0) == b + 4 * PG);
	/* A mapping in the way: the old break. */
	CHECK(mmap_(b + 10 * PG, PG, RW, ANON | MAP_FIXED) == b + 10 * PG);
	CHECK(sys_brk(b + 11 * PG, 0, 0, 0, 0, 0) == b + 4 * PG);
	CHECK(sys_brk(b + 10 * PG, 0, 0, 0, 0, 0) == b + 10 * PG);
	CHECK(mm_as.vmas.count == 1);	       /* heap and mapping merged */
	CHECK(sys_brk(b, 0, 0, 0, 0, 0) == b); /* shrinking unmaps all */
	CHECK(!populated(b) && !populated(b + 9 * PG));
	CHECK(populated(b + 10 * PG)); /* the mapping is not the heap's */
	unmap_all();
	CHECK(accounted());
}

/* musl 1.2.3 mallocng, alloc_meta(): brk(0), brk(+2 pages), then a
 * MAP_FIXED PROT_NONE guard page at the old break, then more brk. */
static void test_mallocng(void)
{
	uint64_t brk0 = (uint64_t)sys_brk(0, 0, 0, 0, 0, 0), p;

	CHECK(sys_brk(brk0 + 2 * PG, 0, 0, 0, 0, 0) == (long)(brk0 + 2 * PG));
	CHECK(mmap_(brk0, PG, PROT_NONE, ANON | MAP_FIXED) == (long)brk0);
	CHECK(!populated(brk0)); /* guard: its frame went back */
	CHECK(populated(brk0 + PG) && prot_at(brk0 + PG) == RW);
	memset(mem(brk0 + PG), 1, PG);
	CHECK(sys_brk(brk0 + 3 * PG, 0, 0, 0, 0, 0) == (long)(brk0 + 3 * PG));
	CHECK(mem(brk0 + PG)[0] == 1 && zero_page(brk0 + 2 * PG));
	CHECK(vma_find(&mm_as.vmas, brk0)->prot == PROT_NONE);
	/* Metadata areas: a PROT_NONE reservation opened page by page. */
	p = (uint64_t)mmap_(0, 8 * PG, PROT_NONE, ANON);
	CHECK(p >= MM_MMAP_BASE && !populated(p));
	CHECK(sys_mprotect(p + PG, PG, RW, 0, 0, 0) == 0);
	CHECK(populated(p + PG) && zero_page(p + PG) && !populated(p + 2 * PG));
	CHECK(sys_mprotect(p + 2 * PG, PG, RW, 0, 0, 0) == 0);
	/* guard, heap; reservation: NONE, RW, NONE */
	CHECK(mm_as.vmas.count == 5);
	unmap_all();
	CHECK(accounted());
}

static void test_mmap_basic(void)
{
	long a, b, c;

	a = mmap_(0, 3 * PG + 1, RW, ANON);
	CHECK(a == (long)MM_MMAP_BASE);
	CHECK(populated(a) && populated(a + 3 * PG) && !populated(a + 4 * PG));
	CHECK(zero_page(a) && zero_page(a + 3 * PG) && prot_at(a) == RW);
	/* First fit, lowest address, reusing holes. */
	b = mmap_(0, PG, PROT_READ, ANON);
	CHECK(b == a + 4 * PG && prot_at(b) == PROT_READ);
	CHECK(sys_munmap(a, PG, 0, 0, 0, 0) == 0);
	c = mmap_(0, PG, RW, ANON);
	CHECK(c == a);
	c = mmap_(0, 2 * PG, RW, ANON);
	CHECK(c == a + 5 * PG);
	/* Hints: taken when free, ignored otherwise. */
	CHECK(mmap_(MM_MMAP_BASE + 0x100000 + 123, PG, RW, ANON) ==
	      (long)(MM_MMAP_BASE + 0x100000));
	CHECK(mmap_(MM_MMAP_BASE + 0x100000, PG, RW, ANON) == a + 7 * PG);
	CHECK(mmap_(0x400000, PG, RW, ANON) == a + 8 * PG); /* kernel's */
	/* Bad arguments. */
	CHECK(mmap_(0, 0, RW, ANON) == -EINVAL);
	CHECK(mmap_(0, PG, RW, MAP_ANONYMOUS) == -EINVAL); /* no type */
	CHECK(sys_mmap(0, PG, RW, ANON, -1, 100) == -EINVAL);
	CHECK(mmap_(0, PG, RW | PROT_EXEC, ANON) == -EACCES); /* W^X */
	CHECK(mmap_(0, PG, 0x10, ANON) == -EINVAL);
	CHECK(sys_mmap(0, PG, RW, MAP_PRIVATE, 3, 0) == -ENODEV);
	CHECK(sys_mmap(0, PG, RW, MAP_PRIVATE, -1, 0) == -EBADF);
	CHECK(mmap_(0, PG, RW, ANON | MAP_HUGETLB) == -ENOMEM);
	CHECK(mmap_(0, PG, RW,
		    MAP_SHARED_VALIDATE | MAP_ANONYMOUS | 0x800000) ==
	      -EOPNOTSUPP);
	CHECK(mmap_(0, (uint64_t)-PG, RW, ANON) == -ENOMEM);
	CHECK(mmap_(MM_MMAP_BASE + 1, PG, RW, ANON | MAP_FIXED) == -EINVAL);
	CHECK(mmap_(0x400000, PG, RW, ANON | MAP_FIXED) == -ENOMEM);
	CHECK(mmap_(MM_PROG_END - PG, 2 * PG, RW, ANON | MAP_FIXED) == -ENOMEM);
	/* Accepted flags. */
	c = mmap_(0, PG, RW,
		  ANON | MAP_NORESERVE | MAP_POPULATE | MAP_STACK |
			  MAP_GROWSDOWN | MAP_LOCKED);
	CHECK(c > 0 && populated(c));
	c = mmap_(0, PG, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_ANONYMOUS);
	CHECK(c > 0 && prot_at(c) == (PROT_READ | PROT_EXEC));
	CHECK(vma_find(&mm_as.vmas, c)->flags == VMA_SHARED);
	/* PROT_NONE reserves only. */
	c = mmap_(0, 1UL << 30, PROT_NONE, ANON);
	CHECK(c > 0 && !populated(c) && !populated(c + (1UL << 30) - PG));
	CHECK(sys_munmap(c, 1UL << 30, 0, 0, 0, 0) == 0);
	/* munmap arguments. */
	CHECK(sys_munmap(a + 1, PG, 0, 0, 0, 0) == -EINVAL);
	CHECK(sys_munmap(a, 0, 0, 0, 0, 0) == -EINVAL);
	CHECK(sys_munmap(0x400000, PG, 0, 0, 0, 0) == -EINVAL);
	CHECK(sys_munmap(MM_MMAP_BASE + (1UL << 40), PG, 0, 0, 0, 0) == 0);
	unmap_all();
	CHECK(accounted());
	CHECK(mm_as.vmas.count == 0 && mm_as.free_hint == MM_MMAP_BASE);
}

static void test_fixed(void)
{
	uint64_t a = (uint64_t)mmap_(0, 10 * PG, RW, ANON);

	memset(mem(a + 4 * PG), 7, PG);
	/* Replace the middle: fresh zero pages with the new prot. */
	CHECK(mmap_(a + 4 * PG, 2 * PG, PROT_READ, ANON | MAP_FIXED) ==
	      (long)(a + 4 * PG));
	CHECK(zero_page(a + 4 * PG) && prot_at(a + 4 * PG) == PROT_READ);
	CHECK(mm_as.vmas.count == 3);
	/* NOREPLACE: refuses any overlap, takes free space. */
	CHECK(mmap_(a + 9 * PG, 2 * PG, RW, ANON | MAP_FIXED_NOREPLACE) ==
	      -EEXIST);
	CHECK(mmap_(a + 9 * PG, 2 * PG, RW,
		    ANON | MAP_FIXED | MAP_FIXED_NOREPLACE) == -EEXIST);
	CHECK(mmap_(a + 10 * PG, 2 * PG, RW, ANON | MAP_FIXED_NOREPLACE) ==
	      (long)(a + 10 * PG));
	CHECK(mmap_(a + 13 * PG + 1, PG, RW, ANON | MAP_FIXED_NOREPLACE) ==
	      -EINVAL);
	/* Over several ranges and a hole at once. */
	CHECK(mmap_(a + 2 * PG, 20 * PG, PROT_NONE, ANON | MAP_FIXED) ==
	      (long)(a + 2 * PG));
	CHECK(!populated(a + 4 * PG) && !populated(a + 11 * PG));
	CHECK(populated(a + PG) && mm_as.vmas.count == 2);
	unmap_all();
	CHECK(accounted());
}

static void test_mprotect(void)
{
	uint64_t a = (uint64_t)mmap_(0, 8 * PG, RW, ANON);

	memset(mem(a + 2 * PG), 9, PG);
	CHECK(sys_mprotect(a + 2 * PG, 2 * PG, PROT_NONE, 0, 0, 0) == 0);
	/* PROT_NONE keeps the frame. */
	CHECK(populated(a + 2 * PG) && prot_at(a + 2 * PG) == PROT_NONE);
	CHECK(mm_as.vmas.count == 3);
	CHECK(sys_mprotect(a + 2 * PG, PG, PROT_READ, 0, 0, 0) == 0);
	CHECK(mem(a + 2 * PG)[100] == 9 && prot_at(a + 2 * PG) == PROT_READ);
	CHECK(sys_mprotect(a, 8 * PG, RW, 0, 0, 0) == 0);
	CHECK(mm_as.vmas.count == 1 && mem(a + 2 * PG)[0] == 9);
	/* JIT style: RW then RX, never both. */
	CHECK(sys_mprotect(a, PG, PROT_READ | PROT_EXEC, 0, 0, 0) == 0);
	CHECK(prot_at(a) == (PROT_READ | PROT_EXEC));
	CHECK(sys_mprotect(a, PG, RW | PROT_EXEC, 0, 0, 0) == -EACCES);
	/* Errors change nothing. */
	CHECK(sys_mprotect(a + 1, PG, RW, 0, 0, 0) == -EINVAL);
	CHECK(sys_mprotect(a, PG, PROT_GROWSDOWN | PROT_READ, 0, 0, 0) ==
	      -EINVAL);
	CHECK(sys_mprotect(a, 9 * PG, PROT_READ, 0, 0, 0) == -ENOMEM);
	CHECK(prot_at(a + PG) == RW);
	CHECK(sys_mprotect(a, 0, PROT_READ, 0, 0, 0) == 0);
	CHECK(sys_mprotect(0x400000, PG, PROT_READ, 0, 0, 0) == -ENOMEM);
	unmap_all();
	CHECK(accounted());
}

static void test_mremap(void)
{
	uint64_t a = (uint64_t)mmap_(0, 4 * PG, RW, ANON), b, c;

	for (int i = 0; i < 4; i++)
		memset(mem(a + i * PG), 0x10 + i, PG);
	/* Grow in place into free space. */
	CHECK(sys_mremap(a, 4 * PG, 6 * PG, 0, 0, 0) == (long)a);
	CHECK(zero_page(a + 5 * PG) && mem(a + 3 * PG)[0] == 0x13);
	/* Blocked without MAYMOVE. */
	b = (uint64_t)mmap_(0, PG, PROT_READ, ANON);
	CHECK(b == a + 6 * PG);
	CHECK(sys_mremap(a, 6 * PG, 8 * PG, 0, 0, 0) == -ENOMEM);
	/* Moved: the frames go along, nothing copied. */
	uint64_t pa3 = pt_lookup(a + 3 * PG, NULL);
	c = (uint64_t)sys_mremap(a, 6 * PG, 8 * PG, MREMAP_MAYMOVE, 0, 0);
	CHECK(c == b + PG);
	CHECK(pt_lookup(c + 3 * PG, NULL) == pa3 && mem(c)[0] == 0x10);
	CHECK(zero_page(c + 7 * PG) && !populated(a) &&
	      !vma_find(&mm_as.vmas, a));
	/* Shrink. */
	CHECK(sys_mremap(c, 8 * PG, 2 * PG, 0, 0, 0) == (long)c);
	CHECK(!populated(c + 2 * PG) && mem(c + PG)[0] == 0x11);
	/* FIXED: moves onto (and replaces) what is there. */
	CHECK(mmap_(a + PG, PG, PROT_READ, ANON | MAP_FIXED) == (long)(a + PG));
	CHECK(sys_mremap(c, 2 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			 a + PG, 0) == (long)(a + PG));
	CHECK(mem(a + PG)[0] == 0x10 && mem(a + 2 * PG)[0] == 0x11);
	CHECK(prot_at(a + PG) == RW && zero_page(a + 3 * PG));
	CHECK(!populated(c) && !vma_find(&mm_as.vmas, c));
	/* FIXED shrinking. */
	CHECK(sys_mremap(a + PG, 3 * PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, c,
			 0) == (long)c);
	CHECK(mem(c)[0] == 0x10 && !populated(a + PG) && !populated(c + PG));
	CHECK(!vma_find(&mm_as.vmas, a + 3 * PG));
	/* DONTUNMAP: the old range stays, zeroed. */
	a = (uint64_t)sys_mremap(c, PG, PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP,
				 0, 0);
	CHECK(a != c && mem(a)[0] == 0x10 && populated(c) && zero_page(c));
	/* Errors. */
	CHECK(sys_mremap(a + 1, PG, PG, 0, 0, 0) == -EINVAL);
	CHECK(sys_mremap(a, PG, 0, 0, 0, 0) == -EINVAL);
	CHECK(sys_mremap(a, 0, PG, MREMAP_MAYMOVE, 0, 0) == -EINVAL);
	CHECK(sys_mremap(a, PG, PG, MREMAP_FIXED, b, 0) == -EINVAL);
	CHECK(sys_mremap(a, PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0,
			 0) == -EINVAL);
	CHECK(sys_mremap(a, PG, PG, 8, 0, 0) == -EINVAL);
	CHECK(sys_mremap(b + 100 * PG, PG, PG, 0, 0, 0) == -EFAULT);
	CHECK(sys_mremap(a, 2 * PG, 4 * PG, MREMAP_MAYMOVE, 0, 0) == -EFAULT);
	CHECK(sys_mremap(a, PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, a - PG,
			 0) == -EINVAL); /* overlap */
	CHECK(sys_mremap(a, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, 0x400000,
			 0) == -EINVAL);
	/* PROT_NONE ranges move with their kept frames. */
	CHECK(sys_mprotect(a, PG, PROT_NONE, 0, 0, 0) == 0);
	b = (uint64_t)sys_mremap(a, PG, 5 * PG, MREMAP_MAYMOVE, 0, 0);
	CHECK((long)b > 0 && prot_at(b) == PROT_NONE && !populated(b + PG));
	CHECK(sys_mprotect(b, 5 * PG, PROT_READ, 0, 0, 0) == 0);
	CHECK(mem(b)[0] == 0x10 && zero_page(b + 4 * PG));
	unmap_all();
	CHECK(accounted());
}

static void test_madvise(void)
{
	uint64_t a = (uint64_t)mmap_(0, 4 * PG, RW, ANON), s;

	memset(mem(a), 1, 4 * PG > PG ? PG : PG);
	memset(mem(a + PG), 2, PG);
	memset(mem(a + 2 * PG), 3, PG);
	CHECK(sys_madvise(a, 2 * PG, MADV_DONTNEED, 0, 0, 0) == 0);
	CHECK(zero_page(a) && zero_page(a + PG) && mem(a + 2 * PG)[0] == 3);
	CHECK(sys_madvise(a, 4 * PG, MADV_WILLNEED, 0, 0, 0) == 0);
	CHECK(sys_madvise(a, 4 * PG, MADV_FREE, 0, 0, 0) == 0);
	CHECK(mem(a + 2 * PG)[0] == 3); /* lazy: kept */
	CHECK(sys_madvise(a, 4 * PG, MADV_HWPOISON, 0, 0, 0) == -EINVAL);
	CHECK(sys_madvise(a, 4 * PG, 1234, 0, 0, 0) == -EINVAL);
	CHECK(sys_madvise(a + 1, PG, MADV_NORMAL, 0, 0, 0) == -EINVAL);
	CHECK(sys_madvise(a, 4 * PG, MADV_REMOVE, 0, 0, 0) == -EINVAL);
	/* Partly unmapped: does the mapped part, says ENOMEM. */
	CHECK(sys_madvise(a + 2 * PG, 4 * PG, MADV_DONTNEED, 0, 0, 0) ==
	      -ENOMEM);
	CHECK(zero_page(a + 2 * PG));
	/* PROT_NONE pages lose their frames; made accessible: zeros. */
	memset(mem(a + 3 * PG), 4, PG);
	sys_mprotect(a + 3 * PG, PG, PROT_NONE, 0, 0, 0);
	CHECK(sys_madvise(a + 3 * PG, PG, MADV_DONTNEED, 0, 0, 0) == 0);
	CHECK(!populated(a + 3 * PG));
	sys_mprotect(a + 3 * PG, PG, RW, 0, 0, 0);
	CHECK(zero_page(a + 3 * PG));
	/* Shared anonymous memory keeps its data on DONTNEED; REMOVE
	 * clears it. */
	s = (uint64_t)mmap_(0, PG, RW, MAP_SHARED | MAP_ANONYMOUS);
	memset(mem(s), 5, PG);
	CHECK(sys_madvise(s, PG, MADV_DONTNEED, 0, 0, 0) == 0);
	CHECK(mem(s)[0] == 5);
	CHECK(sys_madvise(s, PG, MADV_FREE, 0, 0, 0) == -EINVAL);
	CHECK(sys_madvise(s, PG, MADV_REMOVE, 0, 0, 0) == 0);
	CHECK(zero_page(s));
	unmap_all();
	CHECK(accounted());
}

static void test_residency(void)
{
	uint64_t a = (uint64_t)mmap_(0, 4 * PG, RW, ANON);
	unsigned char vec[8];

	sys_mmap(a + 4 * PG, 2 * PG, PROT_NONE, ANON | MAP_FIXED, -1, 0);
	memset(vec, 9, sizeof(vec));
	CHECK(sys_mincore(a, 6 * PG, (long)vec, 0, 0, 0) == 0);
	CHECK(vec[0] == 1 && vec[3] == 1 && vec[4] == 0 && vec[5] == 0 &&
	      vec[6] == 9);
	CHECK(sys_mincore(a, 7 * PG, (long)vec, 0, 0, 0) == -ENOMEM);
	CHECK(sys_mincore(a + 1, PG, (long)vec, 0, 0, 0) == -EINVAL);
	CHECK(sys_msync(a, PG, MS_SYNC, 0, 0, 0) == 0);
	CHECK(sys_msync(a, PG, MS_SYNC | MS_ASYNC, 0, 0, 0) == -EINVAL);
	CHECK(sys_msync(a, 7 * PG, MS_ASYNC, 0, 0, 0) == -ENOMEM);
	CHECK(sys_mlock(a + 10, PG, 0, 0, 0, 0) == 0);
	CHECK(sys_mlock(a + 10, 6 * PG, 0, 0, 0, 0) == -ENOMEM);
	CHECK(sys_mlock2(a, PG, 2, 0, 0, 0) == -EINVAL);
	CHECK(sys_munlock(a, PG, 0, 0, 0, 0) == 0);
	CHECK(sys_mlockall(MCL_CURRENT | MCL_FUTURE, 0, 0, 0, 0, 0) == 0);
	CHECK(sys_mlockall(MCL_ONFAULT, 0, 0, 0, 0, 0) == -EINVAL);
	CHECK(sys_munlockall(0, 0, 0, 0, 0, 0) == 0);
	unmap_all();
	CHECK(accounted());
}

static void test_stacks(void)
{
	uint8_t *s1 = mm_alloc_stack(16 * PG), *s2 = mm_alloc_stack(5000);
	uint64_t a1 = (uint64_t)s1, a2 = (uint64_t)s2;
	struct vma *g;

	CHECK(s1 && s2 && a1 >= MM_MMAP_BASE);
	g = vma_find(&mm_as.vmas, a1 - PG);
	CHECK(g && g->flags == VMA_GUARD && g->prot == PROT_NONE &&
	      !populated(a1 - PG));
	CHECK(populated(a1) && populated(a1 + 15 * PG) &&
	      zero_page(a1 + 15 * PG));
	CHECK(prot_at(a1) == RW);
	CHECK(a2 == a1 + 17 * PG); /* its own guard between */
	CHECK(populated(a2 + PG) && !populated(a2 + 2 * PG));
	CHECK(vma_find(&mm_as.vmas, a2 - PG)->flags == VMA_GUARD);
	CHECK(mm_as.vmas.count == 4);
	mm_free_stack(s1, 16 * PG);
	CHECK(!vma_find(&mm_as.vmas, a1) && !vma_find(&mm_as.vmas, a1 - PG));
	/* The hole is reused. */
	CHECK(mm_alloc_stack(16 * PG) == s1);
	mm_free_stack(s1, 16 * PG);
	mm_free_stack(s2, 5000);
	CHECK(mm_as.vmas.count == 0);
	CHECK(mm_alloc_stack(0) == NULL);
	CHECK(accounted());
}

/* Out of frames: ENOMEM, nothing changed, nothing leaked. */
static void test_enomem(void)
{
	size_t free0 = pmm_free_frames(), nodes0 = vma_nodes_in_use();
	uint64_t a, big = (free0 + 10) * PG;
	long r;

	CHECK(mmap_(0, big, RW, ANON) == -ENOMEM);
	CHECK(pmm_free_frames() == free0 && vma_nodes_in_use() == nodes0);
	/* Just the free frames, tables count too: refused, exact. */
	CHECK(mmap_(0, free0 * PG, RW, ANON) == -ENOMEM);
	CHECK(pmm_free_frames() == free0 && mm_as.vmas.count == 0);
	/* A PROT_NONE reservation of it all is fine... */
	a = (uint64_t)mmap_(0, big, PROT_NONE, ANON);
	CHECK((long)a > 0);
	/* ...but making it accessible is not. */
	CHECK(sys_mprotect(a, big, RW, 0, 0, 0) == -ENOMEM);
	CHECK(vma_find(&mm_as.vmas, a)->prot == PROT_NONE && !populated(a));
	CHECK(accounted() && pages_in_use() == 0);
	/* Fill memory to the last frame with a growing brk. */
	uint64_t b = MM_BRK_BASE;
	while (sys_brk(b + PG, 0, 0, 0, 0, 0) == (long)(b + PG))
		b += PG;
	CHECK(b > MM_BRK_BASE && accounted());
	CHECK(pmm_free_frames() <= 1);
	/* Everything that needs memory now fails cleanly. */
	size_t f = pmm_free_frames();
	CHECK(sys_brk(b + PG, 0, 0, 0, 0, 0) == (long)b);
	r = mmap_(0, PG, RW, ANON);
	CHECK(r == -ENOMEM ||
	      (f >= 1 && r > 0 && sys_munmap(r, PG, 0, 0, 0, 0) == 0));
	CHECK(sys_mremap(MM_BRK_BASE, b - MM_BRK_BASE, b - MM_BRK_BASE + 2 * PG,
			 MREMAP_MAYMOVE, 0, 0) == -ENOMEM);
	CHECK(mm_alloc_stack(4 * PG) == NULL);
	CHECK(sys_mprotect(a, 2 * PG, RW, 0, 0, 0) == -ENOMEM);
	CHECK(pmm_free_frames() == f && accounted());
	/* MAP_FIXED over populated memory may reuse its frames. */
	CHECK(mmap_(MM_BRK_BASE, 4 * PG, PROT_READ, ANON | MAP_FIXED) ==
	      (long)MM_BRK_BASE);
	CHECK(prot_at(MM_BRK_BASE) == PROT_READ && pmm_free_frames() == f);
	/* Freed memory is reused. */
	unmap_all();
	CHECK(accounted());
	a = (uint64_t)mmap_(0, (pmm_free_frames() - 64) * PG, RW, ANON);
	CHECK((long)a > 0 && accounted());
	unmap_all();
	CHECK(accounted());
}

/* ---- random run against a model ------------------------------------- */

#define NP 512
#define W0 MM_MMAP_BASE /* the model's window: [W0, W0 + 2*NP pages) */

struct mpage {
	int mapped, prot, shared, populated;
	uint32_t tag; /* first word of the page; 0 = zero page */
};
static struct mpage model[2 * NP];

static int model_ok(int *why)
{
	for (int i = 0; i < 2 * NP; i++) {
		uint64_t va = W0 + i * PG;
		struct vma *v = vma_find(&mm_as.vmas, va);
		struct mpage *m = &model[i];
		int prot;
		uint64_t pa = pt_lookup(va, &prot);

		*why = i;
		if (!!v != m->mapped)
			return 0;
		if (!v)
			continue;
		if (v->prot != m->prot ||
		    !!(v->flags & VMA_SHARED) != m->shared)
			return 0;
		if (!!pa != m->populated || (pa && prot != m->prot))
			return 0;
		if (pa && *(uint32_t *)mm_phys_to_virt(pa) != m->tag)
			return 0;
	}
	return accounted() && vma_check(&mm_as.vmas) == 0;
}

/* Lowest free run of len model pages (pages past the window are free:
 * the test unmaps anything that lands there at once). */
static int model_fit(int len)
{
	for (int s = 0;; s++) {
		int ok = 1;
		for (int i = s; i < s + len && i < 2 * NP && ok; i++)
			ok = !model[i].mapped;
		if (ok)
			return s;
	}
}

static void test_random(void)
{
	struct mpage saved[2 * NP];
	int bad = 0, enomem = 0, why = 0;
	uint32_t next_tag = 1;

	unmap_all();
	memset(model, 0, sizeof(model));
	/* Leave about 700 frames, so that some steps run out. */
	size_t nheld = 0;
	uint64_t *held_pa = malloc(pmm_total_frames() * sizeof(*held_pa));
	while (pmm_free_frames() > 700)
		held_pa[nheld++] = pmm_alloc(0);
	held = nheld;
	srand(getenv("TEST_SEED") ? (unsigned)atoi(getenv("TEST_SEED")) : 777);
	for (int step = 0; step < 6000 && !bad; step++) {
		int a = rand() % (2 * NP - 48), len = 1 + rand() % 48;
		int op = rand() % 7;
		int prot = (int[]){PROT_NONE, PROT_READ, RW, RW,
				   PROT_READ | PROT_EXEC}[rand() % 5];
		int shared = rand() % 6 == 0;
		uint64_t va = W0 + a * PG;
		long r = 0;

		memcpy(saved, model, sizeof(model));
		if (op == 0 || op == 1) {
			/* mmap: fixed in the window's first half, or
			 * anywhere (lowest fit). */
			int fixed = op == 0, s;
			if (fixed) {
				a %= NP;
				va = W0 + a * PG;
			}
			r = sys_mmap(fixed ? (long)va : 0, len * PG, prot,
				     (shared ? MAP_SHARED : MAP_PRIVATE) |
					     MAP_ANONYMOUS |
					     (fixed ? MAP_FIXED : 0),
				     -1, 0);
			s = fixed ? a : model_fit(len);
			if (r == -ENOMEM) {
				enomem++;
			} else if (r != (long)(W0 + s * PG)) {
				printf("mmap: got %lx want page %d\n", r, s);
				bad = 1;
			} else if (s + len > 2 * NP) {
				sys_munmap(r, len * PG, 0, 0, 0, 0);
			} else {
				for (int i = s; i < s + len; i++)
					model[i] = (struct mpage){
						1, prot, shared,
						prot != PROT_NONE, 0};
			}
		} else if (op == 2) {
			r = sys_munmap(va, len * PG, 0, 0, 0, 0);
			for (int i = a; i < a + len; i++)
				model[i] = (struct mpage){0};
		} else if (op == 3) {
			int covered = 1;
			for (int i = a; i < a + len; i++)
				covered &= model[i].mapped;
			r = sys_mprotect(va, len * PG, prot, 0, 0, 0);
			if (r == -ENOMEM && covered) {
				enomem++;
			} else if (r != (covered ? 0 : -ENOMEM)) {
				printf("mprotect: got %ld covered %d\n", r,
				       covered);
				bad = 1;
			} else if (covered) {
				for (int i = a; i < a + len; i++) {
					struct mpage *m = &model[i];
					m->prot = prot;
					if (prot != PROT_NONE && !m->populated)
						m->populated = 1, m->tag = 0;
				}
			}
		} else if (op == 4) {
			int covered = 1;
			for (int i = a; i < a + len; i++)
				covered &= model[i].mapped;
			r = sys_madvise(va, len * PG, MADV_DONTNEED, 0, 0, 0);
			if (r != (covered ? 0 : -ENOMEM)) {
				printf("madvise: got %ld covered %d\n", r,
				       covered);
				bad = 1;
			}
			for (int i = a; i < a + len; i++) {
				struct mpage *m = &model[i];
				if (!m->mapped || m->shared)
					continue;
				m->tag = 0;
				if (m->prot == PROT_NONE)
					m->populated = 0;
			}
		} else if (op == 5) {
			/* mremap of a uniform run inside the window. */
			int ol = len, nl = 1 + rand() % 48,
			    uniform = model[a].mapped;
			int flags = rand() % 3 ? MREMAP_MAYMOVE : 0, dst = -1;
			for (int i = a; i < a + ol && uniform; i++)
				uniform = model[i].mapped &&
					  model[i].prot == model[a].prot &&
					  model[i].shared == model[a].shared;
			if (!uniform)
				continue;
			/* The model's answer: shrink, grow in place, or
			 * the lowest fit. */
			int in_place = 1;
			for (int i = a + ol;
			     i < a + nl && i < 2 * NP && in_place; i++)
				in_place = !model[i].mapped;
			if (nl <= ol || in_place) {
				dst = a;
			} else if (flags) {
				/* Lowest fit, the old range still in place. */
				dst = model_fit(nl);
			}
			r = sys_mremap(va, ol * PG, nl * PG, flags, 0, 0);
			if (r == -ENOMEM && dst >= 0 && nl > ol) {
				enomem++;
			} else if (dst < 0) {
				if (r != -ENOMEM) {
					printf("mremap: got %lx want ENOMEM\n",
					       r);
					bad = 1;
				}
			} else if (r != (long)(W0 + dst * PG)) {
				printf("mremap: got %lx want page %d\n", r,
				       dst);
				bad = 1;
			} else {
				struct mpage tmp[48], proto = model[a];
				for (int i = 0; i < ol; i++)
					tmp[i] = model[a + i];
				for (int i = a; i < a + ol; i++)
					model[i] = (struct mpage){0};
				if (dst + nl > 2 * NP) {
					sys_munmap(r, nl * PG, 0, 0, 0, 0);
					nl = 0;
				}
				for (int i = 0; i < nl; i++) {
					struct mpage fresh = proto;
					fresh.populated =
						proto.prot != PROT_NONE;
					fresh.tag = 0;
					model[dst + i] =
						i < ol ? tmp[i] : fresh;
				}
			}
		} else {
			/* The program writes a tag into an accessible page. */
			struct mpage *m = &model[a];
			if (m->populated) {
				m->tag = next_tag++;
				*(uint32_t *)mem(va) = m->tag;
			}
		}
		if (!bad && !model_ok(&why)) {
			printf("random step %d op %d at page %d len %d: model "
			       "disagrees at page %d (r=%ld)\n",
			       step, op, a, len, why, r);
			bad = 1;
		}
		/* Failures change nothing (madvise's ENOMEM is "partly
		 * unmapped", after doing the rest). */
		if (!bad && r == -ENOMEM && op != 4 &&
		    memcmp(saved, model, sizeof(model))) {
			printf("random step %d op %d: ENOMEM but changed\n",
			       step, op);
			bad = 1;
		}
	}
	CHECK(!bad);
	CHECK(enomem > 50); /* the pressure was real */
	if (getenv("TEST_VERBOSE"))
		printf("random: %d ENOMEM\n", enomem);
	unmap_all();
	for (size_t i = 0; i < nheld; i++)
		pmm_free(held_pa[i]);
	held = 0;
	free(held_pa);
	CHECK(accounted());
}

int main(void)
{
	enum { FRAMES = 6000 };
	uint64_t base = 0x100000;
	uint8_t *arena = aligned_alloc(PG, base + FRAMES * PG);
	struct boot_info bi;

	setvbuf(stdout, NULL, _IOLBF, 0); /* keep output across abort */

	memset(arena, 0, base + FRAMES * PG);
	mm_hosted_dmap_offset = (uintptr_t)arena;
	memset(&bi, 0, sizeof(bi));
	bi.ram[bi.nram++] = (struct boot_range){base, FRAMES * PG};
	pmm_init(&bi);
#ifdef TEST_REAL_PT
	pt_build(&bi, base, base + PG, 0);
#endif
	as_init();

	test_brk();
	test_mallocng();
	test_mmap_basic();
	test_fixed();
	test_mprotect();
	test_mremap();
	test_madvise();
	test_residency();
	test_stacks();
	test_enomem();
	test_random();
	test_files();
	test_lock();
	test_files_random();

#ifdef TEST_REAL_PT
	printf("test_mm_mman_pt: %d passed, %d failed\n",
	       passed, failed);
#else
	printf("test_mm_mman: %d passed, %d failed\n", passed, failed);
#endif
	free(arena);
	return failed ? 1 : 0;
}
