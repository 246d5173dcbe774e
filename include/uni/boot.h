/*
 * uni/boot.h - what the boot code hands to the rest of the kernel.
 *
 * Layer: kernel boot. src/kernel/boot/bootinfo.c fills one struct boot_info
 * from the multiboot v1 information or the PVH start_info, copying
 * everything it needs (memory map, command line) into the kernel's own bss
 * so that the loader's structures can be reused as free memory. kmain()
 * (src/kernel/main.c) passes it to mm_init() and to process start-up.
 */
#ifndef UNI_BOOT_H
#define UNI_BOOT_H

#include <stdint.h>

#define BOOT_MAX_RANGES 64
#define BOOT_CMDLINE_MAX 4096
#define BOOT_MAX_MODULES 8

struct boot_range {
	uint64_t base;
	uint64_t len;
};

struct boot_info {
	/* Usable RAM as the loader reported it (type 1 / E820_RAM), sorted,
	 * page-aligned inward. Still includes the kernel image, low memory
	 * and the loader's structures: see `reserved`. */
	struct boot_range ram[BOOT_MAX_RANGES];
	int nram;
	/* Ranges inside `ram` that are in use and must never be handed out:
	 * the first MiB, the kernel image [_kernel_start, _end), the boot
	 * page tables. Page-aligned outward. */
	struct boot_range reserved[BOOT_MAX_RANGES];
	int nreserved;
	/* Ranges inside `ram` that the loader wrote (its info structures, the
	 * command line): free for reuse but not zero. Everything else above
	 * the kernel is zero, as a VMM hands out guest RAM. */
	struct boot_range dirty[BOOT_MAX_RANGES];
	int ndirty;
	/* Kernel command line (NUL-terminated). With multiboot the loader
	 * puts the image path first; `cmdline_has_path` says so. */
	char cmdline[BOOT_CMDLINE_MAX];
	int cmdline_has_path;
	/* Modules the loader put in memory (QEMU -initrd: uni-run --files
	 * archives), in order; also in `reserved`, so they stay intact until
	 * the file system unpacks them (src/kernel/fs/initfs.c). */
	struct boot_range modules[BOOT_MAX_MODULES];
	int nmodules;
	const char *loader; /* "multiboot" or "pvh" */
};

extern struct boot_info boot_info;

/* Linker-script symbols (toolchain/uni.ld). */
extern char _kernel_start[], _text_start[], _text_end[], _rodata_start[],
	_rodata_end[], _data_start[], _edata[], _bss_start[], _end[];

#endif
