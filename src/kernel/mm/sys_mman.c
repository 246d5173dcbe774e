/*
 * sys_mman.c - the memory syscalls: brk, mmap, munmap, mprotect, mremap,
 * madvise, and the residency calls msync, mincore, mlock*.
 *
 * Layer: kernel syscall handlers for mm, called directly by musl (and
 * through the dispatch table). Argument checks and Linux semantics live
 * here; the mechanism is as.c. Pure logic: test_mm_mman.c runs it on the
 * host. Each handler checks everything (arguments, VMA nodes, frames)
 * before it changes anything, so a failure leaves the address space as it
 * was; ENOMEM never leaks a frame.
 *
 * Shared anonymous memory is private memory (one process), except that
 * MADV_DONTNEED keeps its data, as shmem does on Linux. Files: a private
 * mapping is anonymous memory filled from the file at mmap time (writes
 * stay private, bytes past EOF read as zeros); a shared mapping maps the
 * file's own frames (vnode getpage, ramfs), so read() and write() see
 * what the mapping does and the other way round. Its VMA holds a file
 * reference until the last page is unmapped; mremap moves and grows it
 * with the file's pages (MREMAP_DONTUNMAP only for anonymous memory).
 * Only the pages up to the one holding the file's last byte are mapped:
 * a touch past that raises SIGBUS, as POSIX and Linux say (fault.c).
 * Before a file shrinks, mm_file_shrink takes its pages past the new end
 * out of every mapping, since the file frees them; when it grows,
 * mm_file_grow maps the new pages. A private mapping of
 * a file fails when the read fails (ENOMEM, or the file's error), and
 * with MAP_FIXED the old range is gone by then, as on Linux.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/resource.h>
#include <uni/file.h>
#include <uni/ident.h>
#include <uni/kernel.h>
#include <uni/syscall.h>
#include <uni/uaccess.h>
#include <uni/vfs.h>
#include "priv.h"

/* Weak: mapping a file needs an open file, and opening one links these;
 * an image that never opens a file gets none of the file layer for its
 * malloc's mmap. Without the descriptor table nothing is open (EBADF).
 * The mapping itself is the file type's mmap op (mmap_file.c for ramfs
 * files), so it too comes only with files that can be mapped. */
struct file *fd_get(int fd) __attribute__((weak));
void file_put(struct file *f) __attribute__((weak));

#define PAGE_MASK_LOW (PAGE_SIZE - 1)

/* Every mmap flag Linux 6.1 knows on x86-64 (MAP_SHARED_VALIDATE refuses
 * the others). MAP_UNINITIALIZED is not in musl's header. */
#define MAP_UNINITIALIZED_LINUX 0x4000000
#define MAP_KNOWN                                                        \
	(MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_32BIT | MAP_GROWSDOWN | \
	 MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE |      \
	 MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_SYNC | \
	 MAP_FIXED_NOREPLACE | MAP_UNINITIALIZED_LINUX |                    \
	 ((unsigned)MAP_HUGE_MASK << MAP_HUGE_SHIFT))

/* Is [a, a+len) inside the program's part of the address space? */
static int in_prog(uint64_t a, uint64_t len)
{
	return a >= MM_PROG_BASE && a <= MM_PROG_END &&
	       len <= MM_PROG_END - a;
}

/* len rounded up to pages; 0 when it is 0 or absurdly large. */
static uint64_t page_len(uint64_t len)
{
	return len > MM_PROG_END ? 0 : ALIGN_UP(len, PAGE_SIZE);
}

/* W^X: the program never gets memory that is writable and executable. */
static int check_prot(int prot)
{
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL; /* PROT_GROWSDOWN/UP too: no such ranges */
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EACCES;
	return 0;
}

/* Locked pages in [a, a+len). */
static uint64_t locked_in(uint64_t a, uint64_t len)
{
	uint64_t end = a + len, n = 0;

	for (struct vma *v = vma_next_after(&mm_as.vmas, a); v && v->start < end;
	     v = vma_next_after(&mm_as.vmas, v->end))
		if (v->flags & VMA_LOCKED)
			n += (MIN(v->end, end) - MAX(v->start, a)) / PAGE_SIZE;
	return n;
}

/* May `more` pages be locked on top of those locked now? RLIMIT_MEMLOCK
 * binds a program without the capability (CAP_IPC_LOCK on Linux); root
 * has it, as on Linux. */
static int lock_fits(uint64_t more)
{
	return ident_capable() ||
	       locked_in(MM_PROG_BASE, MM_PROG_END - MM_PROG_BASE) + more <=
		       rlimit_cur(RLIMIT_MEMLOCK) / PAGE_SIZE;
}

/*
 * brk(addr): Linux semantics. Returns the new break, or the old one when
 * addr is out of bounds (below the start, above MM_BRK_LIMIT), when the
 * pages it needs are taken by another mapping, or when memory is short.
 * The break itself is kept unaligned, its pages are whole.
 */
SYSCALL_DEFINE1(brk, unsigned long, addr)
{
	uint64_t old = ALIGN_UP(mm_as.brk, PAGE_SIZE), new;

	if (addr < MM_BRK_BASE || addr > MM_BRK_LIMIT)
		return (long)mm_as.brk;
	new = ALIGN_UP((uint64_t)addr, PAGE_SIZE);
	if (new < old) {
		if (as_unmap(new, old))
			return (long)mm_as.brk;
	} else if (new > old) {
		uint64_t len = new - old;
		if ((mm_as.new_flags && !lock_fits(len / PAGE_SIZE)) ||
		    vma_overlaps(&mm_as.vmas, old, new) || vma_reserve(4) ||
		    as_check_frames(len / PAGE_SIZE, old, len, 0) ||
		    as_map_fresh(old, new, PROT_READ | PROT_WRITE, 0))
			return (long)mm_as.brk;
		if (mm_as.new_flags &&
		    vma_set_flags(&mm_as.vmas, old, new, mm_as.new_flags, 0))
			MM_VMA_LOST("brk");
	}
	mm_as.brk = addr;
	return (long)addr;
}

/* The file page just past v's last one. */
static uint64_t pgoff_end(const struct vma *v)
{
	return v->pgoff + (v->end - v->start) / PAGE_SIZE;
}

/* May f be mapped so? The type's mmap op says, after the checks every
 * file gets: EBADF for O_PATH, EACCES without read access, ENODEV for a
 * type that cannot be mapped (pipes, sockets, eventfd). */
static int file_check(struct file *f, int prot, unsigned vflags)
{
	struct mm_map query = { .prot = prot, .shared = vflags };

	if (f->flags & O_PATH)
		return -EBADF;
	if (!f->ops->mmap)
		return file_readable(f) ? -ENODEV : -EACCES;
	return (int)f->ops->mmap(f, &query);
}

static long do_mmap(uint64_t addr, uint64_t len, int prot, int flags,
		    struct file *f, long off)
{
	unsigned vflags = 0;
	uint64_t plen, a = 0;
	size_t credit = 0;
	int type = flags & MAP_TYPE, fixed, r;

	if (!len || (off & PAGE_MASK_LOW))
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE) {
		/* MAP_SYNC is for DAX files only. */
		if (((unsigned)flags & ~MAP_KNOWN) || (flags & MAP_SYNC))
			return -EOPNOTSUPP;
		vflags = VMA_SHARED;
	} else if (type == MAP_SHARED) {
		vflags = VMA_SHARED;
	} else if (type != MAP_PRIVATE) {
		return -EINVAL;
	}
	r = check_prot(prot);
	if (r)
		return r;
	if (f) {
		r = file_check(f, prot, vflags);
		if (r)
			return r;
		if (flags & MAP_HUGETLB)
			return -EINVAL; /* not a hugetlbfs file */
	}
	/* No huge pages are reserved (Linux says ENOMEM then); nothing can
	 * live in the first 2 GiB, which is the kernel's. */
	if ((flags & MAP_HUGETLB) ||
	    ((flags & MAP_32BIT) && !(flags & MAP_FIXED)))
		return -ENOMEM;
	plen = page_len(len);
	if (!plen)
		return -ENOMEM;
	if (f && (off < 0 || (uint64_t)off > (uint64_t)INT64_MAX - plen))
		return -EOVERFLOW;

	fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	if (fixed) {
		if (addr & PAGE_MASK_LOW)
			return -EINVAL;
		if (!in_prog(addr, plen))
			return -ENOMEM;
		a = addr;
		if (vma_overlaps(&mm_as.vmas, a, a + plen)) {
			if (flags & MAP_FIXED_NOREPLACE)
				return -EEXIST;
			credit = as_owned(a, plen);
		} else {
			fixed = 0; /* nothing to replace */
		}
	} else {
		/* A hint is taken when its pages are free, as on Linux. */
		uint64_t h = addr & ~PAGE_MASK_LOW;
		if (h && in_prog(h, plen) &&
		    !vma_overlaps(&mm_as.vmas, h, h + plen))
			a = h;
		else
			a = vma_find_gap(&mm_as.vmas, mm_as.free_hint,
					 MM_PROG_END, plen);
		if (!a)
			return -ENOMEM;
	}

	/* Three nodes: a replaced range may split, the new one may not
	 * merge, and its undo may split again; two more for a private
	 * PROT_NONE file mapping, filled readable, then closed; two more to
	 * mark it locked. */
	unsigned lock = (flags & MAP_LOCKED) ? VMA_LOCKED : mm_as.new_flags;
	/* Over RLIMIT_MEMLOCK a locked mapping is EAGAIN (POSIX: it could
	 * not be locked; Linux counts what it replaces as still locked). */
	if (lock && !lock_fits(plen / PAGE_SIZE))
		return -EAGAIN;
	if (vma_reserve(7))
		return -ENOMEM;
	struct mm_map m = { .addr = a, .len = plen, .off = (uint64_t)off,
			    .prot = prot, .shared = vflags, .fixed = fixed,
			    .credit = credit };
	long ret = f ? f->ops->mmap(f, &m) : mm_map_anon(&m);

	if (ret > 0 && lock &&
	    vma_set_flags(&mm_as.vmas, a, a + plen, lock, 0))
		MM_VMA_LOST("mmap");
	return ret;
}

long mm_map_anon(const struct mm_map *m)
{
	int r;

	if (m->prot != PROT_NONE &&
	    as_check_frames(m->len / PAGE_SIZE, m->addr, m->len, m->credit))
		return -ENOMEM;
	if (m->fixed && as_unmap(m->addr, m->addr + m->len))
		return -ENOMEM;
	r = as_map_fresh(m->addr, m->addr + m->len, m->prot, m->shared);
	return r ? r : (long)m->addr;
}

/* /dev/zero's mmap: fresh zero pages, private or shared alike (Linux
 * gives a shared one shmem pages; one process cannot tell). */
long mm_map_zero(struct file *f, const struct mm_map *m)
{
	(void)f;
	return m->len ? mm_map_anon(m) : 0;
}

SYSCALL_DEFINE6(mmap, unsigned long, addr, unsigned long, len, int, prot,
		int, flags, int, fd, long, off)
{
	struct file *f;
	long r;

	if (flags & MAP_ANONYMOUS)
		return do_mmap(addr, len, prot, flags, NULL, off);
	f = fd_get ? fd_get(fd) : NULL;
	if (!f)
		return -EBADF;
	r = do_mmap(addr, len, prot, flags, f, off);
	file_put(f);
	return r;
}

/*
 * f's file shrinks to `size` and is about to free its pages past the new
 * end: they leave every shared mapping first, so that no mapping keeps a
 * freed frame. The mappings stay as they are, so a touch there raises
 * SIGBUS, and the pages come back if the file grows again.
 */
void mm_file_shrink(struct vnode *vn, uint64_t size)
{
	uint64_t keep = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE, a;

	for (struct vma *v = vma_next_after(&mm_as.vmas, 0); v;
	     v = vma_next_after(&mm_as.vmas, v->end)) {
		if (!v->file || v->file->vn != vn || pgoff_end(v) <= keep)
			continue;
		a = v->start;
		if (v->pgoff < keep)
			a += (keep - v->pgoff) * PAGE_SIZE;
		as_unpopulate(a, v->end);
	}
}

/* Map the page at va of shared file mapping v (its file page pg, before
 * the end): 0, or -ENOMEM when a frame or a page table is missing. */
static int grow_page(struct vma *v, uint64_t va, uint64_t pg)
{
	struct vnode *vn = v->file->vn;
	uint64_t pa;

	if (pt_lookup(va, NULL))
		return 0;
	if (as_check_frames(0, va, PAGE_SIZE, 0) ||
	    vn->ops->getpage(vn, pg, 1, &pa) || pt_map(va, pa, v->prot))
		return -ENOMEM;
	pt_clean(va); /* not written yet */
	return 0;
}

/*
 * vn's file grew to `size`: its pages that now lie before the end join
 * the shared mappings that cover them (not-present pages need no TLB
 * flush). When memory runs out the rest stay unpopulated and a touch
 * raises SIGBUS (Linux raises it too when a fault finds no memory for a
 * shmem page); the file itself has grown all the same.
 */
void mm_file_grow(struct vnode *vn, uint64_t size)
{
	uint64_t end = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;

	for (struct vma *v = vma_next_after(&mm_as.vmas, 0); v;
	     v = vma_next_after(&mm_as.vmas, v->end)) {
		if (!v->file || v->file->vn != vn || v->pgoff >= end)
			continue;
		for (uint64_t va = v->start, pg = v->pgoff;
		     va < v->end && pg < end; va += PAGE_SIZE, pg++)
			if (grow_page(v, va, pg))
				return;
	}
}

/* Frames that making [a, a+len) accessible takes: the unpopulated pages,
 * except past a file's end (vma_holey), where they stay so. */
static size_t pages_to_fill(uint64_t a, uint64_t len)
{
	uint64_t end = a + len;
	size_t n = 0;

	for (struct vma *v = vma_next_after(&mm_as.vmas, a); v && v->start < end;
	     v = vma_next_after(&mm_as.vmas, v->end)) {
		uint64_t s = MAX(v->start, a), e = MIN(v->end, end);
		if (!vma_holey(v))
			n += (e - s) / PAGE_SIZE - as_populated(s, e - s);
	}
	return n;
}

SYSCALL_DEFINE2(munmap, unsigned long, addr, size_t, len)
{
	uint64_t plen = page_len(len);

	if ((addr & PAGE_MASK_LOW) || !plen || !in_prog(addr, plen))
		return -EINVAL;
	return as_unmap(addr, addr + plen);
}

/*
 * mprotect: every page of the range must be mapped (else ENOMEM, nothing
 * changed). Making a reserved-only page accessible gives it a zeroed
 * frame now, except past a file's end (it stays a SIGBUS page); PROT_NONE
 * keeps the frames.
 */
SYSCALL_DEFINE3(mprotect, unsigned long, addr, size_t, len, int, prot)
{
	uint64_t plen;
	int r;

	if (addr & PAGE_MASK_LOW)
		return -EINVAL;
	r = check_prot(prot);
	if (r)
		return r;
	if (!len)
		return 0;
	plen = page_len(len);
	if (!plen || !in_prog(addr, plen) ||
	    !vma_covered(&mm_as.vmas, addr, addr + plen))
		return -ENOMEM;
	/* A shared mapping of a file opened read-only stays read-only. */
	for (struct vma *v = vma_next_after(&mm_as.vmas, addr);
	     v && v->start < addr + plen;
	     v = vma_next_after(&mm_as.vmas, v->end))
		if (v->file && (prot & PROT_WRITE) && !file_writable(v->file))
			return -EACCES;
	if (vma_reserve(2))
		return -ENOMEM;
	if (prot != PROT_NONE &&
	    as_check_frames(pages_to_fill(addr, plen), addr, plen, 0))
		return -ENOMEM;
	if (vma_set_prot(&mm_as.vmas, addr, addr + plen, prot))
		MM_VMA_LOST("mprotect");
	as_protect(addr, addr + plen, prot);
	return 0;
}

/*
 * Move [from, from+ol) (inside one VMA with prot/vflags) to the free range
 * [to, to+nl), nl >= ol, growing it with zeroed pages, or a shared file
 * mapping (file, from file page pg on) with the file's next pages; the
 * frames move with their page-table entries, nothing is copied. With
 * `keep` (DONTUNMAP, anonymous only) the old range stays mapped, freshly
 * zeroed. The caller reserved four nodes, checked frames, and prepared
 * the file's pages.
 */
static long remap_move(uint64_t from, uint64_t ol, uint64_t to, uint64_t nl,
		       int prot, unsigned vflags, int keep, struct file *file,
		       uint64_t pg)
{
	KASSERT(nl >= ol);
	if (as_reserve_file(to, to + nl, prot, vflags, file, pg))
		MM_VMA_LOST("mremap");
	as_move(from, to, ol);
	if (file) {
		mm_file_map_pages(file, to + ol, to + nl, pg + ol / PAGE_SIZE,
			       prot);
	} else if (prot != PROT_NONE) {
		if (nl > ol)
			as_protect(to + ol, to + nl, prot);
		if (keep)
			as_protect(from, from + ol, prot);
	}
	if (!keep && as_unmap(from, from + ol))
		MM_VMA_LOST("mremap");
	return (long)to;
}

/* Frames a move needs beyond those it carries: the growth, plus the
 * refilled old range for DONTUNMAP (a file brings its own). */
static size_t remap_new_pages(uint64_t ol, uint64_t nl, int prot, int keep,
			      const struct file *file)
{
	if (prot == PROT_NONE || file)
		return 0;
	return (nl - ol) / PAGE_SIZE + (keep ? ol / PAGE_SIZE : 0);
}

SYSCALL_DEFINE5(mremap, unsigned long, old, size_t, old_len, size_t,
		new_len, int, flags, unsigned long, new_addr)
{
	uint64_t ol = page_len(old_len), nl = page_len(new_len), to;
	int keep = flags & MREMAP_DONTUNMAP;
	struct vma *v;
	struct file *file;
	unsigned vflags;
	uint64_t pg;
	int prot, r;

	if ((old & PAGE_MASK_LOW) ||
	    (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)))
		return -EINVAL;
	if ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) &&
	    !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (keep && old_len != new_len)
		return -EINVAL;
	/* old_len 0 duplicates a shared mapping on Linux: not supported. */
	if (!nl || !ol)
		return -EINVAL;
	if (!in_prog(old, ol))
		return -EFAULT;
	v = vma_find(&mm_as.vmas, old);
	if (!v || old + ol > v->end)
		return -EFAULT;
	prot = v->prot;
	vflags = v->flags;
	file = v->file;
	pg = v->pgoff + (old - v->start) / PAGE_SIZE;
	if (file && keep)
		return -EINVAL;
	/* A locked range grows within RLIMIT_MEMLOCK (EAGAIN, as Linux). */
	if ((vflags & VMA_LOCKED) && nl > ol && !lock_fits((nl - ol) / PAGE_SIZE))
		return -EAGAIN;
	if (vma_reserve(4))
		return -ENOMEM;
	if (file && nl > ol && (r = mm_file_prepare(file, pg + ol / PAGE_SIZE,
						 (nl - ol) / PAGE_SIZE)))
		return r;

	if (flags & MREMAP_FIXED) {
		size_t credit, pages;

		to = new_addr;
		if ((to & PAGE_MASK_LOW) || !in_prog(to, nl) ||
		    (to < old + ol && old < to + nl))
			return -EINVAL;
		credit = as_owned(to, nl);
		if (nl < ol)
			credit += as_owned(old + nl, ol - nl);
		pages = remap_new_pages(MIN(ol, nl), nl, prot, keep, file);
		if (as_check_frames(pages, to, nl, credit))
			return -ENOMEM;
		if (as_unmap(to, to + nl))
			return -ENOMEM;
		if (nl < ol) {
			if (as_unmap(old + nl, old + ol))
				return -ENOMEM;
			ol = nl;
		}
		return remap_move(old, ol, to, nl, prot, vflags, keep, file,
				  pg);
	}

	if (!keep && nl <= ol) {
		if (nl < ol && as_unmap(old + nl, old + ol))
			return -ENOMEM;
		return (long)old;
	}
	/* Grow in place when the pages above are free. */
	if (!keep && in_prog(old, nl) &&
	    !vma_overlaps(&mm_as.vmas, old + ol, old + nl)) {
		if (as_check_frames(remap_new_pages(ol, nl, prot, 0, file),
				    old + ol, nl - ol, 0))
			return -ENOMEM;
		if (vflags & VMA_PAST_EOF) /* still past the end */
			return as_reserve(old + ol, old + nl, prot, vflags) ?
				       -ENOMEM : (long)old;
		if (!file)
			return as_map_fresh(old + ol, old + nl, prot, vflags) ?
				       -ENOMEM : (long)old;
		if (as_reserve_file(old + ol, old + nl, prot, vflags, file,
				    pg + ol / PAGE_SIZE))
			return -ENOMEM;
		mm_file_map_pages(file, old + ol, old + nl, pg + ol / PAGE_SIZE,
			       prot);
		return (long)old;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	to = vma_find_gap(&mm_as.vmas, mm_as.free_hint, MM_PROG_END, nl);
	if (!to || as_check_frames(remap_new_pages(ol, nl, prot, keep, file),
				   to, nl, 0))
		return -ENOMEM;
	return remap_move(old, ol, to, nl, prot, vflags, keep, file, pg);
}

/*
 * madvise: MADV_DONTNEED (and MADV_REMOVE on shared memory) make the
 * range read as zeros; the rest are hints with no effect here, accepted
 * where Linux accepts them. Unmapped parts: ENOMEM after doing the rest.
 */
SYSCALL_DEFINE3(madvise, unsigned long, addr, size_t, len, int, advice)
{
	uint64_t plen, end;
	struct vma *v;

	if (addr & PAGE_MASK_LOW)
		return -EINVAL;
	switch (advice) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL:
	case MADV_WILLNEED: case MADV_DONTNEED: case MADV_FREE:
	case MADV_REMOVE: case MADV_DONTFORK: case MADV_DOFORK:
	case MADV_MERGEABLE: case MADV_UNMERGEABLE: case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP:
	case MADV_WIPEONFORK: case MADV_KEEPONFORK: case MADV_COLD:
	case MADV_PAGEOUT:
		break;
	default:
		return -EINVAL; /* HWPOISON, SOFT_OFFLINE, POPULATE_*, ... */
	}
	if (len > MM_PROG_END)
		return -EINVAL;
	plen = page_len(len);
	if (!plen)
		return 0;
	if (!in_prog(addr, plen))
		return -ENOMEM;
	end = addr + plen;

	/* Advice that only private (or only shared) memory takes. */
	for (v = vma_next_after(&mm_as.vmas, addr); v && v->start < end;
	     v = vma_next_after(&mm_as.vmas, v->end)) {
		int shared = v->flags & VMA_SHARED;
		int private_only = advice == MADV_FREE ||
				   advice == MADV_WIPEONFORK;
		if ((advice == MADV_REMOVE && !shared) ||
		    (private_only && shared))
			return -EINVAL;
		/* Locked pages keep their contents (Linux: EINVAL). */
		if ((v->flags & VMA_LOCKED) &&
		    (advice == MADV_DONTNEED || advice == MADV_FREE ||
		     advice == MADV_REMOVE))
			return -EINVAL;
		if (advice == MADV_REMOVE && v->file && !(v->prot & PROT_WRITE))
			return -EACCES;
	}
	if (advice == MADV_DONTNEED || advice == MADV_REMOVE) {
		for (v = vma_next_after(&mm_as.vmas, addr); v && v->start < end;
		     v = vma_next_after(&mm_as.vmas, v->end)) {
			/* Shared memory keeps its data on DONTNEED. */
			if ((v->flags & VMA_SHARED) && advice == MADV_DONTNEED)
				continue;
			/* REMOVE punches the hole into a file's pages. */
			(v->file ? as_clear : as_zero)(MAX(v->start, addr),
						       MIN(v->end, end));
		}
	}
	/* MADV_FREE may be lazy: the data stays until memory is needed,
	 * which here is never. */
	return vma_covered(&mm_as.vmas, addr, end) ? 0 : -ENOMEM;
}

/* Residency calls: every page of an accessible range is resident and
 * there is no paging or backing file, so these only check the range. */
static long check_mapped(uint64_t addr, uint64_t len)
{
	uint64_t plen = page_len(len);

	if (!len)
		return 0;
	if (!plen || !in_prog(addr, plen) ||
	    !vma_covered(&mm_as.vmas, addr, addr + plen))
		return -ENOMEM;
	return 0;
}

static void clean_cb(uint64_t va, uint64_t pa, int prot, void *ctx)
{
	(void)pa; (void)prot;
	*(int *)ctx |= pt_clean(va);
}

/* Mark the files written through the shared mappings in [a, a+len). */
static void note_written(uint64_t a, uint64_t len)
{
	uint64_t end = a + len;
	int any = 0;

	for (struct vma *v = vma_next_after(&mm_as.vmas, a); v && v->start < end;
	     v = vma_next_after(&mm_as.vmas, v->end)) {
		uint64_t s = MAX(v->start, a), e = MIN(v->end, end);
		int dirty = 0;
		if (!v->file)
			continue;
		pt_for_each(s, e - s, clean_cb, &dirty);
		if (dirty && mm_file_written_hook)
			mm_file_written_hook(v->file);
		any |= dirty;
	}
	if (any) /* cached translations must mark the next write again */
		pt_flush(a, len);
}

/* Is any page of [a, a+len) locked? */
static int any_locked(uint64_t a, uint64_t len)
{
	for (struct vma *v = vma_next_after(&mm_as.vmas, a);
	     v && v->start < a + len; v = vma_next_after(&mm_as.vmas, v->end))
		if (v->flags & VMA_LOCKED)
			return 1;
	return 0;
}

SYSCALL_DEFINE3(msync, unsigned long, addr, size_t, len, int, flags)
{
	long r;

	if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    (addr & PAGE_MASK_LOW) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	r = check_mapped(addr, len);
	if (r || !len)
		return r;
	/* POSIX: invalidating locked pages is EBUSY (as on Linux). */
	if ((flags & MS_INVALIDATE) && any_locked(addr, page_len(len)))
		return -EBUSY;
	/* Nothing to write back; but a file written through the range is
	 * marked modified now, as POSIX asks of MS_SYNC and MS_ASYNC. */
	if (flags & (MS_SYNC | MS_ASYNC))
		note_written(addr, page_len(len));
	return 0;
}

SYSCALL_DEFINE3(mincore, unsigned long, addr, size_t, len,
		unsigned char *, vec)
{
	uint64_t n;
	long r;
	int prot;

	if (addr & PAGE_MASK_LOW)
		return -EINVAL;
	r = check_mapped(addr, len);
	if (r || !len)
		return r;
	/* A page is resident when it has a frame, PROT_NONE or not. */
	n = page_len(len) / PAGE_SIZE;
	for (uint64_t i = 0; i < n; i++) {
		unsigned char in = pt_lookup(addr + i * PAGE_SIZE, &prot) ? 1 : 0;
		if (copy_to_user(&vec[i], &in, 1))
			return -EFAULT;
	}
	return 0;
}

/*
 * Locking: every page is resident already (no paging, no swap), so a lock
 * is only a mark on the ranges (VMA_LOCKED), which msync(MS_INVALIDATE)
 * honours. RLIMIT_MEMLOCK binds as on Linux (lock_fits): EPERM when it
 * is 0, ENOMEM beyond it, not at all with the capability (root).
 */
static long lock_range(uint64_t addr, uint64_t len, unsigned set,
		       unsigned clear)
{
	uint64_t start = addr & ~PAGE_MASK_LOW, plen;
	long r;

	if (!len)
		return 0;
	if (len > MM_PROG_END)
		return -ENOMEM;
	r = check_mapped(start, len + (addr - start));
	if (r)
		return r;
	plen = page_len(len + (addr - start));
	if (set && !ident_capable()) {
		if (!rlimit_cur(RLIMIT_MEMLOCK))
			return -EPERM;
		if (!lock_fits(plen / PAGE_SIZE - locked_in(start, plen)))
			return -ENOMEM;
	}
	return vma_set_flags(&mm_as.vmas, start, start + plen, set, clear);
}

SYSCALL_DEFINE2(mlock, unsigned long, addr, size_t, len)
{
	return lock_range(addr, len, VMA_LOCKED, 0);
}

SYSCALL_DEFINE3(mlock2, unsigned long, addr, size_t, len, int, flags)
{
	if (flags & ~MLOCK_ONFAULT)
		return -EINVAL;
	return lock_range(addr, len, VMA_LOCKED, 0);
}

SYSCALL_DEFINE2(munlock, unsigned long, addr, size_t, len)
{
	return lock_range(addr, len, 0, VMA_LOCKED);
}

/* Every range at once: flags change on whole ranges, so no split. */
static void flag_all(unsigned set, unsigned clear)
{
	struct vma *v = vma_next_after(&mm_as.vmas, 0);

	if (v && vma_set_flags(&mm_as.vmas, v->start, MM_PROG_END, set, clear))
		panic("mlockall: a split without a boundary");
}

SYSCALL_DEFINE1(mlockall, int, flags)
{
	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	if (!ident_capable()) {
		uint64_t all = 0;
		if (!rlimit_cur(RLIMIT_MEMLOCK))
			return -EPERM;
		for (struct vma *v = vma_next_after(&mm_as.vmas, 0); v;
		     v = vma_next_after(&mm_as.vmas, v->end))
			all += (v->end - v->start) / PAGE_SIZE;
		if ((flags & MCL_CURRENT) &&
		    all > rlimit_cur(RLIMIT_MEMLOCK) / PAGE_SIZE)
			return -ENOMEM;
	}
	if (flags & MCL_CURRENT)
		flag_all(VMA_LOCKED, 0);
	/* Linux: without MCL_FUTURE, the future is unlocked again. */
	mm_as.new_flags = (flags & MCL_FUTURE) ? VMA_LOCKED : 0;
	return 0;
}

SYSCALL_DEFINE0(munlockall)
{
	flag_all(0, VMA_LOCKED);
	mm_as.new_flags = 0;
	return 0;
}
