/*
 * as.c - the program's address space: the mechanism under brk, mmap and
 * friends, and the stacks the kernel maps for the program.
 *
 * Layer: kernel mm, pure logic on top of the frame allocator (pmm_*), the
 * page tables (pt_*) and the VMA set (vma_*); test_mm_mman.c runs it on
 * the host over a fake page table. sys_mman.c (the syscalls) and the
 * scheduler (mm_alloc_stack for the main and thread stacks) call it.
 *
 * Invariants: every populated page lies inside a VMA, with the VMA's
 * protection; a VMA whose protection is not PROT_NONE has every page
 * populated (no demand paging: frames are allocated when a range becomes
 * accessible). So a PROT_NONE VMA may hold populated pages (made PROT_NONE
 * by mprotect, frames kept) and unpopulated ones (reserved only). A shared
 * file mapping (v->file) is the exception: its pages are populated, PROT_NONE
 * or not, with the file's own frames exactly where the file has data, that
 * is up to the page holding its last byte; the pages past the end stay
 * unpopulated (a touch raises SIGBUS, mm_fault_signal) until the file grows
 * (mm_file_grow). mm never frees a file's frames: the VMA holds a reference
 * to the file instead (sys_mman.c). A private file mapping's pages wholly
 * past the end are a VMA_PAST_EOF range, never populated either.
 * Callers check frames and reserve VMA nodes before they change anything,
 * so an operation either completes or fails with nothing changed. There
 * is no locking: one vCPU, and kernel code is never preempted.
 */
#include <errno.h>
#include <sys/mman.h>
#include <uni/kernel.h>
#include <uni/mm.h>
#include "priv.h"

struct mm_as mm_as;
uint64_t as_main_stack;

void as_init(void)
{
	vma_set_init(&mm_as.vmas, MM_PROG_BASE, MM_PROG_END);
	mm_as.brk = MM_BRK_BASE;
	mm_as.free_hint = MM_MMAP_BASE;
}

int as_check_frames(size_t pages, uint64_t va, uint64_t len, size_t credit)
{
	size_t need = pages + (len ? pt_tables_needed(va, len) : 0);

	return need <= pmm_free_frames() + credit ? 0 : -ENOMEM;
}

static void count_cb(uint64_t va, uint64_t pa, int prot, void *ctx)
{
	(void)va; (void)pa; (void)prot;
	(*(size_t *)ctx)++;
}

size_t as_populated(uint64_t va, uint64_t len)
{
	size_t n = 0;

	pt_for_each(va, len, count_cb, &n);
	return n;
}

size_t as_owned(uint64_t va, uint64_t len)
{
	uint64_t end = va + len;
	size_t n = 0;

	for (struct vma *v = vma_next_after(&mm_as.vmas, va); v && v->start < end;
	     v = vma_next_after(&mm_as.vmas, v->end))
		if (!v->file)
			n += as_populated(MAX(v->start, va),
					  MIN(v->end, end) - MAX(v->start, va));
	return n;
}

/* The free hint: no free page lies in [MM_MMAP_BASE, free_hint). */
static void hint_taken(uint64_t a, uint64_t b)
{
	if (a <= mm_as.free_hint && b > mm_as.free_hint)
		mm_as.free_hint = b;
}

static void hint_freed(uint64_t a, uint64_t b)
{
	if (b > MM_MMAP_BASE && a < mm_as.free_hint)
		mm_as.free_hint = MAX(a, MM_MMAP_BASE);
}

static void release_cb(uint64_t va, uint64_t pa, int prot, void *ctx)
{
	(void)prot; (void)ctx;
	pt_unmap(va);
	/* Freed before the flush below: safe, nothing can allocate (and
	 * so reuse the frame) between here and the flush. */
	pmm_free(pa);
}

/* A file's frame: only the mapping goes, noting whether it was written. */
static void drop_cb(uint64_t va, uint64_t pa, int prot, void *ctx)
{
	(void)pa; (void)prot;
	*(int *)ctx |= pt_clean(va);
	pt_unmap(va);
}

/* mmap_file.c's mm_file_written, once a file has been mapped. */
void (*mm_file_written_hook)(struct file *f);

/* Unmap [a, b), freeing the frames mm owns (every populated page lies
 * in a VMA, which says whose its frames are). A file written through the
 * pages is marked modified (POSIX: at the latest after the write). */
static void release(uint64_t a, uint64_t b)
{
	for (struct vma *v = vma_next_after(&mm_as.vmas, a); v && v->start < b;
	     v = vma_next_after(&mm_as.vmas, v->end)) {
		uint64_t s = MAX(v->start, a), e = MIN(v->end, b);
		int dirty = 0;
		pt_for_each(s, e - s, v->file ? drop_cb : release_cb, &dirty);
		if (dirty && mm_file_written_hook)
			mm_file_written_hook(v->file);
	}
	pt_flush(a, b - a);
}

void as_unpopulate(uint64_t a, uint64_t b)
{
	release(a, b);
}

int as_unmap(uint64_t a, uint64_t b)
{
	KASSERT(a < b);
	if (vma_reserve(1))
		return -ENOMEM;
	release(a, b);
	if (vma_remove_range(&mm_as.vmas, a, b))
		MM_VMA_LOST("as_unmap");
	hint_freed(a, b);
	return 0;
}

int as_reserve(uint64_t a, uint64_t b, int prot, unsigned flags)
{
	return as_reserve_file(a, b, prot, flags, NULL, 0);
}

int as_reserve_file(uint64_t a, uint64_t b, int prot, unsigned flags,
		    struct file *file, uint64_t pgoff)
{
	int r = vma_insert_file(&mm_as.vmas, a, b, prot, flags, file, pgoff);

	if (!r)
		hint_taken(a, b);
	return r;
}

/* Give every page of [a, b) a frame with prot: zeroed frames for the
 * unpopulated ones. Returns the address reached (b, or where frames ran
 * out); sets *changed when a present page changed protection. */
static uint64_t fill(uint64_t a, uint64_t b, int prot, int *changed)
{
	uint64_t va, pa;
	int old;

	KASSERT(prot != PROT_NONE);
	for (va = a; va < b; va += PAGE_SIZE) {
		if (pt_lookup(va, &old)) {
			if (old != prot) {
				pt_protect(va, prot);
				*changed = 1;
			}
			continue;
		}
		pa = pmm_alloc(PMM_ZERO);
		if (!pa)
			return va;
		if (pt_map(va, pa, prot)) {
			pmm_free(pa);
			return va;
		}
	}
	return b;
}

int as_map_fresh(uint64_t a, uint64_t b, int prot, unsigned flags)
{
	int changed = 0;
	uint64_t end;

	if (vma_insert(&mm_as.vmas, a, b, prot, flags))
		return -ENOMEM;
	if (prot != PROT_NONE) {
		end = fill(a, b, prot, &changed);
		if (end != b) {
			/* Only if the caller's check was wrong: undo. */
			release(a, end);
			if (vma_remove_range(&mm_as.vmas, a, b))
				panic("as_map_fresh: no VMA node to undo");
			return -ENOMEM;
		}
	}
	hint_taken(a, b);
	return 0;
}

static void none_cb(uint64_t va, uint64_t pa, int prot, void *ctx)
{
	(void)pa; (void)ctx;
	if (prot != PROT_NONE)
		pt_protect(va, PROT_NONE);
}

static void prot_cb(uint64_t va, uint64_t pa, int prot, void *ctx)
{
	(void)pa;
	if (prot != *(int *)ctx)
		pt_protect(va, *(int *)ctx);
}

void as_protect(uint64_t a, uint64_t b, int prot)
{
	int changed = 0;

	if (prot == PROT_NONE) {
		pt_for_each(a, b - a, none_cb, NULL);
		changed = 1;
	} else {
		/* Per range: pages past a file's end stay unpopulated. */
		for (struct vma *v = vma_next_after(&mm_as.vmas, a);
		     v && v->start < b; v = vma_next_after(&mm_as.vmas, v->end)) {
			uint64_t s = MAX(v->start, a), e = MIN(v->end, b);
			if (vma_holey(v)) {
				pt_for_each(s, e - s, prot_cb, &prot);
				changed = 1;
			} else if (fill(s, e, prot, &changed) != e) {
				panic("as_protect: out of frames after the check");
			}
		}
	}
	/* Not-present to present needs no flush (not-present entries are
	 * never cached, SDM vol. 3 §4.10.2.3); anything else does. */
	if (changed)
		pt_flush(a, b - a);
}

static void zero_cb(uint64_t va, uint64_t pa, int prot, void *ctx)
{
	(void)ctx;
	pt_unmap(va);
	pmm_free(pa);
	if (prot != PROT_NONE) {
		/* The frame just freed guarantees this one. A clean
		 * never-used frame is preferred: no memset. */
		pa = pmm_alloc(PMM_ZERO);
		if (!pa || pt_map(va, pa, prot))
			panic("as_zero: no frame right after freeing one");
	}
}

void as_zero(uint64_t a, uint64_t b)
{
	pt_for_each(a, b - a, zero_cb, NULL);
	pt_flush(a, b - a);
}

static void clear_cb(uint64_t va, uint64_t pa, int prot, void *ctx)
{
	(void)va; (void)prot; (void)ctx;
	__builtin_memset(mm_phys_to_virt(pa), 0, PAGE_SIZE);
}

void as_clear(uint64_t a, uint64_t b)
{
	pt_for_each(a, b - a, clear_cb, NULL);
}

static void move_cb(uint64_t va, uint64_t pa, int prot, void *ctx)
{
	uint64_t delta = *(uint64_t *)ctx;
	int dirty = pt_clean(va);

	pt_unmap(va);
	if (pt_map(va + delta, pa, prot))
		panic("as_move: out of page tables after the check");
	if (!dirty) /* pt_map marks a writable page written */
		pt_clean(va + delta);
}

void as_move(uint64_t from, uint64_t to, uint64_t len)
{
	uint64_t delta = to - from;

	pt_for_each(from, len, move_cb, &delta);
	pt_flush(from, len);
}

void *mm_alloc_stack(size_t size)
{
	uint64_t len = ALIGN_UP((uint64_t)size, PAGE_SIZE), g;

	if (!len || len > MM_PROG_END - MM_MMAP_BASE)
		return NULL;
	if (vma_reserve(3))
		return NULL;
	g = vma_find_gap(&mm_as.vmas, mm_as.free_hint, MM_PROG_END,
			 len + PAGE_SIZE);
	if (!g || as_check_frames(len / PAGE_SIZE, g + PAGE_SIZE, len, 0))
		return NULL;
	/* Guard: reserved so that nothing is ever mapped there, never
	 * populated, so an overflow faults. */
	if (as_reserve(g, g + PAGE_SIZE, PROT_NONE, VMA_GUARD))
		MM_VMA_LOST("mm_alloc_stack");
	if (as_map_fresh(g + PAGE_SIZE, g + PAGE_SIZE + len,
			 PROT_READ | PROT_WRITE, VMA_STACK)) {
		as_unmap(g, g + PAGE_SIZE); /* a whole range: no split */
		return NULL;
	}
	if (!as_main_stack)
		as_main_stack = g + PAGE_SIZE;
	return (void *)(uintptr_t)(g + PAGE_SIZE);
}

void mm_free_stack(void *base, size_t size)
{
	uint64_t a = (uint64_t)(uintptr_t)base;

	KASSERT(!(a & (PAGE_SIZE - 1)) && a >= MM_MMAP_BASE + PAGE_SIZE);
	/* Fails only when a split needs a node and memory is exhausted. */
	if (as_unmap(a - PAGE_SIZE, a + ALIGN_UP((uint64_t)size, PAGE_SIZE)))
		kprintf("mm: out of memory, stack at 0x%llx leaked\n",
			(unsigned long long)a);
}

void as_dump(void)
{
	struct vma *v;

	kprintf("mm: program ranges (%zu), brk 0x%llx, free hint 0x%llx\n",
		mm_as.vmas.count, (unsigned long long)mm_as.brk,
		(unsigned long long)mm_as.free_hint);
	for (v = vma_next_after(&mm_as.vmas, 0); v;
	     v = vma_next_after(&mm_as.vmas, v->end))
		kprintf("  0x%llx-0x%llx %c%c%c %s%s%s%s%s %llu KiB, %zu in RAM\n",
			(unsigned long long)v->start,
			(unsigned long long)v->end,
			v->prot & PROT_READ ? 'r' : '-',
			v->prot & PROT_WRITE ? 'w' : '-',
			v->prot & PROT_EXEC ? 'x' : '-',
			v->flags & VMA_SHARED ? "shared" : "private",
			v->flags & VMA_STACK ? " stack" : "",
			v->flags & VMA_GUARD ? " guard" : "",
			v->flags & VMA_LOCKED ? " locked" : "",
			v->file ? " file" : "",
			(unsigned long long)(v->end - v->start) >> 10,
			as_populated(v->start, v->end - v->start));
}
