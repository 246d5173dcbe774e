/*
 * mm.c - memory management start-up and the few entry points that span
 * its parts: mm_init, mm_virt_to_phys, mm_dump.
 *
 * Layer: kernel mm. kmain() calls mm_init() once, after the console and
 * before anything that allocates; the order inside is fixed: frames first
 * (the page tables are made of them), then the final page tables, then the
 * program's empty address space. Drivers call mm_virt_to_phys for DMA;
 * anyone may call mm_dump when debugging.
 */
#include <sys/mman.h>
#include <uni/kernel.h>
#include <uni/mm.h>
#include "priv.h"

void mm_init(const struct boot_info *bi)
{
	pmm_init(bi);  /* frames: RAM minus reserved, watermarks */
	pt_init(bi);   /* direct map, kernel image, load CR3 */
	as_init();     /* the program's empty address space */
}

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

void mm_dump(void)
{
	pmm_dump();
	kprintf("mm: %zu page-table pages, %zu VMA nodes in %zu slab frames\n",
		pt_table_pages(), vma_nodes_in_use(), vma_slab_frames());
	as_dump();
}
