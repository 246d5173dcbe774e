/*
 * mm/priv.h - internals of the memory-management subsystem. Not for other
 * subsystems: they use <uni/mm.h>.
 *
 * Layer: kernel mm. Four parts, each behind the interface below:
 *   pmm.c             physical frames (pure logic)
 *   x86_64/paging.c   page tables (arch; test_mm_mman.c supplies a fake)
 *   vma.c             the sorted set of reserved ranges (pure logic)
 *   as.c, sys_mman.c  the program's address space and its syscalls (pure
 *                     logic on top of pmm, pt_* and vma_*)
 * Around them: init.c (mm_init: the boot order and W^X for the image's
 * sections) and fault.c (what a faulting address was, for the fault
 * report) use the linker script's symbols, so no host test compiles them;
 * mm.c holds the small entry points that span the parts.
 * The pure-logic files never include arch code, so host unit tests compile
 * them as they are; with UNI_MM_HOSTED defined the direct map is an offset
 * into a test arena instead of the identity.
 */
#ifndef UNI_MM_PRIV_H
#define UNI_MM_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <uni/boot.h>
#include <uni/kernel.h>
#include <uni/mm.h>

struct file;

#define PAGE_SIZE UNI_PAGE_SIZE
#define PAGE_SHIFT 12

/*
 * The virtual layout (one address space, ring 0):
 *   [0, top of RAM)            direct map: virt == phys, except the null
 *                              guard [0, MM_NULL_GUARD), unmapped. The
 *                              first 4 GiB are mapped whole (MMIO too).
 *                              The image's own pages are W^X per section
 *                              (init.c), the rest RW+NX.
 *   [MM_PROG_BASE, MM_MMAP_BASE)  brk heap, growing up from MM_PROG_BASE
 *                              to at most MM_BRK_LIMIT (1 TiB of address
 *                              space: RAM is the real limit). Hints and
 *                              MAP_FIXED may also land here, as on Linux.
 *   [MM_MMAP_BASE, MM_PROG_END)  mmap and stacks, first fit from the bottom.
 * RAM beyond MM_DIRECT_LIMIT is ignored (no such guest here).
 */
#define MM_DIRECT_LIMIT 0x10000000000ULL  /* 1 TiB */
#define MM_PROG_BASE 0x10000000000ULL     /* 1 TiB */
#define MM_BRK_BASE MM_PROG_BASE
#define MM_MMAP_BASE 0x20000000000ULL     /* 2 TiB */
#define MM_BRK_LIMIT MM_MMAP_BASE
#define MM_PROG_END 0x7f0000000000ULL
/* Unmapped from 0, so that NULL plus a struct offset faults (Linux's
 * default vm.mmap_min_addr is the same 64 KiB). */
#define MM_NULL_GUARD 0x10000ULL

/* Every caller reserves its VMA nodes before it changes anything, so a
 * node missing afterwards is a broken invariant; one format for them all
 * keeps one copy of the text in an image. */
#define MM_VMA_LOST(who) panic("%s: VMA nodes vanished after the reserve", who)

/* Everything below is internal to mm: hidden from other modules' view
 * of the symbol table (no effect on a static link but intent). */
#pragma GCC visibility push(hidden)

/* ---- direct map ---------------------------------------------------- */

#ifdef UNI_MM_HOSTED
/* Host tests: "physical" addresses are offsets into a test arena. */
extern uintptr_t mm_hosted_dmap_offset;
static inline void *mm_phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)(pa + mm_hosted_dmap_offset);
}
static inline uint64_t mm_direct_to_phys(const void *p)
{
	return (uint64_t)(uintptr_t)p - mm_hosted_dmap_offset;
}
#else
static inline void *mm_phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}
/* The inverse, for a pointer into the direct map. */
static inline uint64_t mm_direct_to_phys(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}
#endif

/* ---- physical frames (pmm.c) -------------------------------------- */

/* Build the frame pool from the boot memory map: RAM minus reserved,
 * never-used frames tracked by watermarks, dirty ranges zeroed on demand.
 * Nothing is written to any frame here. */
void pmm_init(const struct boot_info *bi);
/* Highest RAM address + 1 that the pool covers (for the direct map). */
uint64_t pmm_top(void);
void pmm_dump(void);

/* ---- page tables (x86_64/paging.c) -------------------------------- */

/* Build the final kernel page tables (direct map, kernel image) and load
 * them. Needs pmm_init first. */
void pt_init(const struct boot_info *bi);
/* The building half of pt_init, without touching the CPU (host tests
 * call it): image bounds and 1 GiB pages passed in. */
void pt_build(const struct boot_info *bi, uint64_t img, uint64_t img_end,
	      int use_1g);
/* Physical address of the top-level table. */
uint64_t pt_root(void);

/* Program pages, 4 KiB each. `prot` is PROT_* (R, W, X; W implies R). A
 * page is "populated" when it has a frame: present, or PROT_NONE with the
 * frame kept in a not-present entry. None of these flush the TLB: callers
 * call pt_flush once per operation, before returning to the program. */
int pt_map(uint64_t va, uint64_t pa, int prot); /* 0 or -ENOMEM */
uint64_t pt_unmap(uint64_t va);                 /* the frame, or 0 */
void pt_protect(uint64_t va, int prot);         /* va must be populated */
uint64_t pt_lookup(uint64_t va, int *prot);     /* frame of va, or 0 */
/* Was the populated page at va written since pt_map (which counts as a
 * write) or the last pt_clean? Clears the mark (the hardware dirty bit,
 * which pt_protect keeps); the caller flushes before the next write
 * must be seen (a cached translation would not mark it again). */
int pt_clean(uint64_t va);
typedef void (*pt_visit_fn)(uint64_t va, uint64_t pa, int prot, void *ctx);
/* fn for every populated page of [va, va+len), in order, skipping absent
 * tables quickly. fn may unmap, remap or reprotect the page it is given
 * (only that page). */
void pt_for_each(uint64_t va, uint64_t len, pt_visit_fn fn, void *ctx);
/* Page-table pages that mapping every page of [va, va+len) would
 * allocate: exact, so that a caller can check frames before it starts. */
size_t pt_tables_needed(uint64_t va, uint64_t len);
void pt_flush(uint64_t va, uint64_t len);

/* Kernel mappings at 4 KiB granularity, splitting large pages as needed:
 * the building block of W^X for the image's sections (init.c) and of
 * MMIO. Unlike pt_map it overwrites what is there and allows W+X (pt_build
 * maps the image RWX until init.c narrows it). Flushes the TLB itself. 0
 * or -ENOMEM. */
#define PT_UNCACHED 1
int pt_kmap(uint64_t va, uint64_t pa, uint64_t len, int prot, int flags);
/* Page-table pages taken from pmm so far (they are never freed). */
size_t pt_table_pages(void);

/* ---- reserved ranges (vma.c) -------------------------------------- */

/* VMA flags: anything that must stop two neighbours from merging. */
#define VMA_SHARED 0x1 /* MAP_SHARED: MADV_DONTNEED keeps the data */
#define VMA_STACK 0x2  /* mm_alloc_stack */
#define VMA_GUARD 0x4  /* mm_alloc_stack's guard page */
#define VMA_LOCKED 0x8 /* mlock, mlockall, MAP_LOCKED: msync refuses
			* MS_INVALIDATE (EBUSY); every page is resident
			* anyway, nothing else changes */
#define VMA_PAST_EOF 0x10 /* the pages of a private file mapping wholly
			   * past the file's end at mmap time: never
			   * populated, a touch raises SIGBUS */

/*
 * One reserved range [start, end), page-aligned, start < end. The set is
 * an AVL tree ordered by start; ranges never overlap, and two neighbours
 * that touch with equal prot and flags are always merged into one. Each
 * node carries aggregates of its subtree, recomputed bottom-up (vma_pull):
 *   min_start = smallest start, max_end = largest end,
 *   max_gap   = largest hole between two consecutive ranges of the subtree
 * which is what lets vma_find_gap skip whole subtrees.
 */
struct vma {
	uint64_t start, end;
	int prot;       /* PROT_*, as the program last set it */
	unsigned flags; /* VMA_* */
	/* A shared file mapping: the file (one reference per node, taken and
	 * dropped through vma_set.file_ref) and the file page at start. Its
	 * frames are the file's, never freed by mm. NULL for the rest. */
	struct file *file;
	uint64_t pgoff;
	struct vma *left, *right;
	uint64_t min_start, max_end, max_gap;
	int height;
};

struct vma_set {
	struct vma *root;
	uint64_t lo, hi; /* all ranges lie in [lo, hi) */
	size_t count;
	/* Take (+1) or drop (-1) a node's file reference; NULL: nothing. */
	void (*file_ref)(struct file *f, int delta);
};

void vma_set_init(struct vma_set *s, uint64_t lo, uint64_t hi);
/* Make sure the next n node allocations succeed: call before a compound
 * change so that it cannot fail half-way. 0 or -ENOMEM. */
int vma_reserve(int n);
/* The range containing addr, or NULL. */
struct vma *vma_find(const struct vma_set *s, uint64_t addr);
/* The first range with end > addr (containing addr or above it), or NULL.
 * Iterate with v = vma_next_after(s, v->end). */
struct vma *vma_next_after(const struct vma_set *s, uint64_t addr);
/* Does any range overlap [a, b)? Is all of [a, b) covered? */
int vma_overlaps(const struct vma_set *s, uint64_t a, uint64_t b);
int vma_covered(const struct vma_set *s, uint64_t a, uint64_t b);
/* Lowest x >= lo with [x, x+len) free and inside [lo, hi) and the set's
 * bounds; 0 when there is none. */
uint64_t vma_find_gap(const struct vma_set *s, uint64_t lo, uint64_t hi,
		      uint64_t len);
/* Each of these changes the set completely or returns -ENOMEM (no node)
 * and changes nothing. Neighbours are merged. */
/* [a, b) must be free. */
int vma_insert(struct vma_set *s, uint64_t a, uint64_t b, int prot,
	       unsigned flags);
/* The same for a shared file mapping of file page pgoff on (a node that
 * it makes takes a file reference; merging needs contiguous pages). */
int vma_insert_file(struct vma_set *s, uint64_t a, uint64_t b, int prot,
		    unsigned flags, struct file *file, uint64_t pgoff);
/* Remove [a, b) from whatever covers it (splitting a range if needed). */
int vma_remove_range(struct vma_set *s, uint64_t a, uint64_t b);
/* Set prot on every range inside [a, b) (splitting at a and b). */
int vma_set_prot(struct vma_set *s, uint64_t a, uint64_t b, int prot);
/* The same for flags: each range inside [a, b) gets (flags & ~clear) |
 * set. */
int vma_set_flags(struct vma_set *s, uint64_t a, uint64_t b, unsigned set,
		  unsigned clear);
/* A range whose unpopulated pages stay so, whatever its protection: a
 * shared file mapping past its file's end, VMA_PAST_EOF. A touch of such
 * a page is a bus error (fault.c). */
static inline int vma_holey(const struct vma *v)
{
	return v->file || (v->flags & VMA_PAST_EOF);
}
/* Check every invariant (order, merging, aggregates, balance); 0 or a
 * negative code. For tests and debugging. */
int vma_check(const struct vma_set *s);
/* Nodes handed out and slab frames taken (for tests and mm_dump). */
size_t vma_nodes_in_use(void);
size_t vma_slab_frames(void);

/* ---- the program's address space (as.c) --------------------------- */

struct mm_as {
	struct vma_set vmas;
	uint64_t brk;       /* the break as the program set it (unaligned) */
	uint64_t free_hint; /* no free page in [MM_MMAP_BASE, free_hint) */
	unsigned new_flags; /* VMA_LOCKED after mlockall(MCL_FUTURE), else 0:
			     * what new mappings and brk growth get */
};
extern struct mm_as mm_as;
/* Base of the first stack mm_alloc_stack handed out: proc_start's main
 * stack, allocated at boot before anything else asks (for the fault
 * report). 0 before. */
extern uint64_t as_main_stack;

void as_init(void);
/* Frames (data + page tables) that populating `pages` pages inside
 * [va, va+len) would take: 0 if there are enough counting `credit`
 * frames that the operation frees first, else -ENOMEM. */
int as_check_frames(size_t pages, uint64_t va, uint64_t len, size_t credit);
/* Populated pages in [va, va+len). */
size_t as_populated(uint64_t va, uint64_t len);
/* Of those, the frames that unmapping would free (not a file's). */
size_t as_owned(uint64_t va, uint64_t len);
/* Reserve [a, b) (must be free) with prot and flags, mapping nothing.
 * Needs one VMA node; 0 or -ENOMEM. */
int as_reserve(uint64_t a, uint64_t b, int prot, unsigned flags);
/* The same for a shared file mapping (see vma_insert_file). */
int as_reserve_file(uint64_t a, uint64_t b, int prot, unsigned flags,
		    struct file *file, uint64_t pgoff);
/* New anonymous range [a, b): reserve it and, unless prot is PROT_NONE,
 * back it with zeroed frames. [a, b) must be free; the caller must have
 * reserved two VMA nodes and checked frames. On failure nothing stays
 * behind. 0 or -ENOMEM. */
int as_map_fresh(uint64_t a, uint64_t b, int prot, unsigned flags);
/* Free the frames of [a, b) (a file mapping's frames are only unmapped:
 * they are the file's) and drop the range from the VMA set. Needs
 * one VMA node (a split); 0 or -ENOMEM with nothing changed. */
int as_unmap(uint64_t a, uint64_t b);
/* Unmap the pages of [a, b) (freeing the frames mm owns), keeping the
 * ranges: a file's pages past its new end (mm_file_shrink). */
void as_unpopulate(uint64_t a, uint64_t b);
/* Set prot on every page of [a, b); unless prot is PROT_NONE, unpopulated
 * pages get zeroed frames (the caller checked frames), except in a shared
 * file mapping, whose unpopulated pages lie past the file's end. The VMA
 * set must already cover [a, b) (its file mappings are looked up). */
void as_protect(uint64_t a, uint64_t b, int prot);
/* MADV_DONTNEED: accessible pages of [a, b) read as zeros afterwards
 * (fresh zero frames); PROT_NONE pages lose their frames. Not for file
 * mappings: as_clear zeroes their frames in place (MADV_REMOVE). */
void as_zero(uint64_t a, uint64_t b);
void as_clear(uint64_t a, uint64_t b);
/* Move the frames of [from, from+len) to [to, to+len) with their
 * protections; the destination must be unpopulated and its tables
 * checked. The VMA set is the caller's business. */
void as_move(uint64_t from, uint64_t to, uint64_t len);
void as_dump(void);

#pragma GCC visibility pop

/* mmap_file.c, for mremap of shared file mappings: give pages pg.. of
 * f's file their frames (the step that can fail), then map them (before
 * the file's end only, unwritten). */
int mm_file_prepare(struct file *f, uint64_t pg, uint64_t n);
void mm_file_map_pages(struct file *f, uint64_t a, uint64_t b, uint64_t pg,
		       int prot);
/* f's file was written through a shared mapping: mark st_mtime and
 * st_ctime (msync, munmap). Called through mm_file_written_hook, which
 * mm_map_file sets: a VMA has a file only after that ran, and an image
 * that maps no files (hello) then does not link the file layer for it. */
void mm_file_written(struct file *f);
extern void (*mm_file_written_hook)(struct file *f);

#endif
