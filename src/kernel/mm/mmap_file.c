/*
 * mmap_file.c - mapping regular files: MAP_SHARED over the file's own
 * frames (the file system's getpage), MAP_PRIVATE as a copy. A shared
 * mapping maps the file's pages up to the one holding its last byte; the
 * rest of the range stays unpopulated (SIGBUS on a touch, fault.c) until
 * the file grows and mm_file_grow (sys_mman.c) maps them.
 *
 * Layer: kernel mm. mm_map_file is the mmap op of the file types whose
 * pages can be mapped (ramfs regular files, memfds: fs/ramfs_file.c);
 * sys_mman.c's do_mmap calls it through f->ops->mmap after its own
 * checks, and mremap uses mm_file_prepare/mm_file_map_pages to grow a
 * shared file mapping. Being reached only through a file type's ops, none
 * of this is in an image that maps no files (malloc's anonymous mmap
 * stays small).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include <uni/mm.h>
#include <uni/vfs.h>
#include "priv.h"

/* The VMA set's hook: a node that maps a file holds a reference. */
static void vma_file_ref(struct file *f, int delta)
{
	if (delta > 0)
		file_get(f);
	else
		file_put(f);
}

/* The checks for a file of this kind: read access always, write access
 * for a writable shared mapping; only regular files, and for sharing
 * only those whose file system lends its pages. */
static int file_mappable(struct file *f, int prot, unsigned vflags)
{
	int shared = vflags & VMA_SHARED;

	if ((shared && (prot & PROT_WRITE) && !file_writable(f)) ||
	    !file_readable(f))
		return -EACCES;
	if (!f->vn || !S_ISREG(f->vn->mode) ||
	    (shared && !f->vn->ops->getpage))
		return -ENODEV;
	return 0;
}

/* Pages the file has data for (the last one partly, maybe). */
static uint64_t file_pages(const struct vnode *vn)
{
	return ALIGN_UP(vn->size, PAGE_SIZE) / PAGE_SIZE;
}

/* Give those of n pages of f's file from pg on that lie before its end
 * their frames: the one step of a shared mapping that can run out of
 * memory, so it comes first. Past the end, only the offset is checked. */
int mm_file_prepare(struct file *f, uint64_t pg, uint64_t n)
{
	uint64_t pa, end = file_pages(f->vn);
	int r;

	if (n && f->vn->ops->getpage(f->vn, pg + n - 1, 0, &pa) == -EFBIG)
		return -EOVERFLOW;
	for (uint64_t i = 0; i < n && pg + i < end; i++) {
		r = f->vn->ops->getpage(f->vn, pg + i, 1, &pa);
		if (r)
			return r == -EFBIG ? -EOVERFLOW : -ENOMEM;
	}
	return 0;
}

/* Map those prepared pages at [a, b) (tables checked by the caller). */
void mm_file_map_pages(struct file *f, uint64_t a, uint64_t b,
			   uint64_t pg, int prot)
{
	uint64_t pa, end = file_pages(f->vn);

	for (; a < b && pg < end; a += PAGE_SIZE, pg++) {
		if (f->vn->ops->getpage(f->vn, pg, 0, &pa) ||
		    pt_map(a, pa, prot))
			panic("mmap: a file page or table vanished");
		pt_clean(a); /* not written yet */
	}
}

void mm_file_written(struct file *f)
{
	f->vn->mtime = f->vn->ctime = vfs_now();
}

/* Map pages pg.. of f's file at the free (or freed, if fixed) [a,
 * a+len); a failure changes nothing. */
static long map_shared(struct file *f, uint64_t a, uint64_t len, int prot,
		       uint64_t pg, int fixed, size_t credit)
{
	int r = mm_file_prepare(f, pg, len / PAGE_SIZE);

	if (r)
		return r;
	if (as_check_frames(0, a, len, credit) ||
	    (fixed && as_unmap(a, a + len)))
		return -ENOMEM;
	mm_as.vmas.file_ref = vma_file_ref;
	if (as_reserve_file(a, a + len, prot, VMA_SHARED, f, pg))
		MM_VMA_LOST("mmap");
	mm_file_map_pages(f, a, a + len, pg, prot);
	return (long)a;
}

/* Anonymous memory at [a, a+len) filled from f at off; PROT_NONE keeps
 * the data for a later mprotect. The pages wholly past the file's end
 * get no frames: a VMA_PAST_EOF range (SIGBUS, as on Linux; it stays so
 * if the file grows later, where Linux would show the new data). Regular
 * files never block in read, so the address space cannot change under
 * the copy. */
static long map_private(struct file *f, uint64_t a, uint64_t len, int prot,
			uint64_t off, int fixed, size_t credit)
{
	uint64_t size = f->vn->size, data = 0;
	long n = PAGE_SIZE;
	int r;

	if (off < size)
		data = MIN(len, ALIGN_UP(size - off, PAGE_SIZE));
	if (as_check_frames(data / PAGE_SIZE, a, len, credit) ||
	    (fixed && as_unmap(a, a + len)))
		return -ENOMEM;
	if (data < len &&
	    as_reserve(a + data, a + len, prot, VMA_PAST_EOF))
		return -ENOMEM;
	r = data ? as_map_fresh(a, a + data,
				prot == PROT_NONE ? PROT_READ : prot, 0) : 0;
	if (r) {
		if (data < len)
			as_unmap(a + data, a + len); /* a whole range */
		return r;
	}
	for (uint64_t va = a; va < a + data && n > 0; va += PAGE_SIZE) {
		char *p = mm_phys_to_virt(pt_lookup(va, NULL));
		for (size_t done = 0; done < PAGE_SIZE; done += (size_t)n) {
			n = kernel_read(f, p + done, PAGE_SIZE - done,
					off + (va - a) + done);
			if (n <= 0)
				break; /* EOF: the rest stays zero */
		}
	}
	if (n < 0) {
		as_unmap(a, a + len);
		return n;
	}
	if (prot == PROT_NONE) {
		if (vma_set_prot(&mm_as.vmas, a, a + len, PROT_NONE))
			MM_VMA_LOST("mmap");
		as_protect(a, a + len, PROT_NONE);
	}
	return (long)a;
}

long mm_map_file(struct file *f, const struct mm_map *m)
{
	int r = file_mappable(f, m->prot, m->shared);
	long a;

	mm_file_written_hook = mm_file_written;
	if (r || !m->len)
		return r;
	if (m->shared)
		a = map_shared(f, m->addr, m->len, m->prot, m->off / PAGE_SIZE,
			       m->fixed, m->credit);
	else
		a = map_private(f, m->addr, m->len, m->prot, m->off, m->fixed,
				m->credit);
	/* POSIX: st_atime may be marked at any time from mmap on, and must
	 * be by the first reference; marking it here is the simplest. */
	if (a > 0)
		f->vn->atime = vfs_now();
	return a;
}
