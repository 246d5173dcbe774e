/*
 * uni/mm.h - memory management: physical frames, page tables, the
 * program's address space (brk, mmap) and stacks.
 *
 * Layer: kernel mm (src/kernel/mm). Call order at boot: kmain() calls
 * mm_init(&boot_info) once, after the console and before anything that
 * allocates. Afterwards:
 *   - pmm_*  hands out 4 KiB physical frames (the direct map makes a frame
 *            reachable at the same virtual address as its physical one);
 *   - mm_alloc_stack() maps a stack with an unmapped guard page below it;
 *   - sys_brk, sys_mmap, sys_munmap, sys_mprotect serve the program.
 */
#ifndef UNI_MM_H
#define UNI_MM_H

#include <stddef.h>
#include <stdint.h>
#include <uni/boot.h>

void mm_init(const struct boot_info *bi);

/* Physical frames. */
#define PMM_ZERO 1 /* the frame must read as zeros */
uint64_t pmm_alloc(int flags);     /* physical address, or 0 when out */
void pmm_free(uint64_t pa);
size_t pmm_free_frames(void);      /* frames still available */
size_t pmm_total_frames(void);
/* n physically contiguous frames (for device rings and DMA buffers), or 0.
 * Free them one by one with pmm_free. */
uint64_t pmm_alloc_contig(size_t n, int flags);

/* A zeroed, mapped, RW+NX stack of `size` bytes (page multiple) with an
 * unmapped guard page below it. Returns the lowest usable address (the
 * stack top is that plus size), or NULL when out of memory. */
void *mm_alloc_stack(size_t size);
void mm_free_stack(void *base, size_t size);

/* Physical address of a mapped kernel or program byte (for DMA), or
 * (uint64_t)-1 when va is not mapped or PROT_NONE. Program pages are not
 * physically contiguous: translate each page. */
uint64_t mm_virt_to_phys(const void *va);

/* Is every byte of [va, va+len) mapped readable right now? Walks the page
 * tables, never touches va itself: for a fault handler that follows frame
 * pointers it cannot trust. Safe before mm_init (the boot tables). */
int mm_readable(uint64_t va, size_t len);

/* What a page fault at `addr` most likely was, in words, for the fault
 * report (mm/fault.c): "null pointer dereference", "stack overflow ...",
 * "write to read-only .text of the image", ... `rsp` is the faulting
 * code's stack pointer; `access` is MM_FAULT_* bits from the error code.
 * Reads mm's tables without locks or allocation (the machine is about to
 * stop). Returns buf. */
#define MM_FAULT_PRESENT 0x1 /* protection violation (page was present) */
#define MM_FAULT_WRITE 0x2
#define MM_FAULT_FETCH 0x4 /* instruction fetch */
const char *mm_fault_cause(char *buf, size_t n, uint64_t addr, uint64_t rsp,
			   unsigned access);

/* Device registers at [pa, pa+len): mapped uncached, returned as a kernel
 * pointer (today the identity; pa + len must lie below 1 TiB). */
void *mm_map_mmio(uint64_t pa, size_t len);

/* One mmap of a file, as do_mmap hands it to the file type's mmap op
 * (uni/file.h) once the range is chosen: [addr, addr+len) from file
 * offset off; fixed/credit: it replaces existing pages, credit of them.
 * len 0 asks only whether the file may be mapped with prot/shared. */
struct mm_map {
	uint64_t addr, len, off;
	int prot;
	unsigned shared; /* nonzero for MAP_SHARED */
	int fixed;
	size_t credit;
};
struct file;
/* The mmap op of files whose pages can be mapped (mm/mmap_file.c):
 * shared mappings of the file's frames, private copies. */
long mm_map_file(struct file *f, const struct mm_map *m);
/* Fresh zero pages over the range (anonymous mmap), and /dev/zero's mmap
 * op, which is that (mm/sys_mman.c). */
long mm_map_anon(const struct mm_map *m);
long mm_map_zero(struct file *f, const struct mm_map *m);

/* A regular file is shrinking to `size` bytes (truncate): its pages past
 * the new end leave every shared mapping before the file frees them. */
struct vnode;
void mm_file_shrink(struct vnode *vn, uint64_t size);
/* A mapped regular file has grown to `size` bytes (truncate, a write past
 * the end): shared mappings gain its pages that now lie before the end
 * (mm/sys_mman.c). */
void mm_file_grow(struct vnode *vn, uint64_t size);

/* The signal a page fault at addr (access: MM_FAULT_* bits) raises:
 * SIGBUS for an access the protection allows to a page of a shared file
 * mapping past the end of the file, else SIGSEGV (mm/fault.c; the signal
 * code's sig_fault asks). */
int mm_fault_signal(uint64_t addr, unsigned access);

/* Print frames, page-table use, the program's ranges and the break. */
void mm_dump(void);

#endif
