/*
 * init.c - mm_init(): memory management's boot order, and W^X for the
 * image itself.
 *
 * Layer: kernel mm. kmain() calls mm_init() once, after the console and
 * before anything that allocates; the order inside is fixed: frames first
 * (the page tables are made of them), then the final page tables (the
 * image still RWX), then each section of the image gets its own
 * permissions, then the program's empty address space. This file needs
 * the linker script's section symbols (toolchain/uni.ld), so the host
 * tests, which link mm.c and paging.c, do not compile it.
 */
#include <sys/mman.h>
#include <uni/boot.h>
#include <uni/kernel.h>
#include <uni/mm.h>
#include "priv.h"

static void protect(const char *what, const char *start, const char *end,
		    int prot)
{
	uint64_t a = (uint64_t)(uintptr_t)start, b = (uint64_t)(uintptr_t)end;

	/* uni.ld aligns every section start to a page, so the ranges below
	 * tile the image exactly: no page is left with the boot RWX. */
	KASSERT(!(a & (PAGE_SIZE - 1)) && !(b & (PAGE_SIZE - 1)) && a <= b);
	if (a < b && pt_kmap(a, a, b - a, prot, 0))
		panic("mm: out of memory for the page tables (%s)", what);
}

/*
 * W^X for the image, kernel and program alike (one image, ring 0; CR0.WP
 * makes read-only pages binding for ring 0 too):
 *   [_kernel_start, _text_start)   ELF + program headers (musl reads them
 *                                  through AT_PHDR), multiboot header, PVH
 *                                  note, then rodata and the init/fini
 *                                  arrays from _rodata_start: read-only
 *   [_text_start, _data_start)     code, .init/.fini included: RX
 *   [_data_start, _end)            TLS image, data, bss (the boot stack, the
 *                                  IST stacks and the GDT/IDT/TSS live
 *                                  there): RW, no execute
 * The GDT the CPU marks "accessed" is gdt.c's, in .data; the boot GDT in
 * .rodata is no longer loaded by now.
 */
static void protect_image(void)
{
	protect("headers and rodata", _kernel_start, _text_start, PROT_READ);
	protect("text", _text_start, _data_start, PROT_READ | PROT_EXEC);
	protect("data", _data_start, _end, PROT_READ | PROT_WRITE);
	/* Null pointers plus a small offset (a member of a struct reached
	 * through NULL) fault too: the direct map starts at MM_NULL_GUARD.
	 * Nothing uses low memory after boot (bootinfo.c copied what the
	 * loader left there; pmm never hands out the first MiB). */
	if (pt_kmap(0, 0, MM_NULL_GUARD, PROT_NONE, 0))
		panic("mm: out of memory for the page tables (null guard)");
}

void mm_init(const struct boot_info *bi)
{
	pmm_init(bi);     /* frames: RAM minus reserved, watermarks */
	pt_init(bi);      /* direct map, kernel image RWX, load CR3 */
	protect_image();  /* W^X per section, null guard */
	as_init();        /* the program's empty address space */
}
