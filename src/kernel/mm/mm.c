/*
 * mm.c - the few entry points that span mm's parts: mm_virt_to_phys,
 * mm_readable, mm_dump. (mm_init, which needs the linker script's
 * symbols, is in init.c so that the host tests can link this file.)
 *
 * Layer: kernel mm. Drivers call mm_virt_to_phys for DMA; the fault
 * report calls mm_readable before it reads a stack frame; anyone may call
 * mm_dump when debugging.
 */
#include <sys/mman.h>
#include <uni/kernel.h>
#include <uni/mm.h>
#include "priv.h"

uint64_t mm_virt_to_phys(const void *va)
{
	uint64_t a = (uint64_t)(uintptr_t)va, pa;
	int prot;

	if (a >= MM_PROG_END)
		return (uint64_t)-1;
	pa = pt_lookup(a & ~(PAGE_SIZE - 1), &prot);
	if (!pa || prot == PROT_NONE)
		return (uint64_t)-1;
	return pa + (a & (PAGE_SIZE - 1));
}

int mm_readable(uint64_t va, size_t len)
{
	uint64_t a, end = va + len;
	int prot;

	if (!len)
		return 1;
	if (end < va || va >= MM_PROG_END || end > MM_PROG_END)
		return 0; /* wraps, or above the lower canonical half */
	if (!pt_root()) {
		/* Before mm_init: the boot tables map [0, 4 GiB). */
		return va >= PAGE_SIZE && end <= 0x100000000ULL;
	}
	for (a = va & ~(PAGE_SIZE - 1); a < end; a += PAGE_SIZE) {
		if (!pt_lookup(a, &prot) || !(prot & PROT_READ))
			return 0;
	}
	return 1;
}

void mm_dump(void)
{
	pmm_dump();
	kprintf("mm: %zu page-table pages, %zu VMA nodes in %zu slab frames\n",
		pt_table_pages(), vma_nodes_in_use(), vma_slab_frames());
	as_dump();
}
