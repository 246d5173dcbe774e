/*
 * bootinfo.c - read what the loader tells us: memory map and command line.
 *
 * Layer: kernel boot, called once by kmain() with the registers boot.S
 * saved. Understands multiboot v1 (EAX = 0x2badb002, EBX = info) and PVH
 * (EBX = hvm_start_info, magic 0x336ec578). Everything is copied into
 * struct boot_info (uni/boot.h) so that the loader's own structures can be
 * reused as free memory afterwards; where they lay is recorded as dirty.
 */
#include <stdint.h>
#include <string.h>
#include <uni/boot.h>
#include <uni/kernel.h>

#define MULTIBOOT_LOADER_MAGIC 0x2badb002
#define MB_INFO_MEMORY (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MODS (1u << 3)
#define MB_INFO_MMAP (1u << 6)
#define PVH_START_MAGIC 0x336ec578
#define E820_RAM 1

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct mb_mmap_entry {
	uint32_t size; /* of the rest of the entry */
	uint64_t base, len;
	uint32_t type;
} __attribute__((packed));

struct pvh_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr; /* version >= 1 */
	uint32_t memmap_entries, reserved;
};

struct pvh_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

struct boot_info boot_info;

static void add_range(struct boot_range *r, int *n, uint64_t base,
		      uint64_t len)
{
	if (len == 0)
		return;
	if (*n == BOOT_MAX_RANGES) {
		kprintf("uni: boot: too many memory ranges, ignoring %#lx+%#lx\n",
			base, len);
		return;
	}
	r[*n].base = base;
	r[*n].len = len;
	(*n)++;
}

static void add_ram(uint64_t base, uint64_t len)
{
	uint64_t start = ALIGN_UP(base, UNI_PAGE_SIZE);
	uint64_t end = ALIGN_DOWN(base + len, UNI_PAGE_SIZE);

	if (end > start)
		add_range(boot_info.ram, &boot_info.nram, start, end - start);
}

static void add_dirty(uint64_t base, uint64_t len)
{
	uint64_t start = ALIGN_DOWN(base, UNI_PAGE_SIZE);
	uint64_t end = ALIGN_UP(base + len, UNI_PAGE_SIZE);

	add_range(boot_info.dirty, &boot_info.ndirty, start, end - start);
}

static void copy_cmdline(uint64_t paddr)
{
	const char *s = (const char *)(uintptr_t)paddr;
	size_t n;

	if (!paddr)
		return;
	n = strnlen(s, BOOT_CMDLINE_MAX);
	if (n == BOOT_CMDLINE_MAX) {
		kprintf("uni: boot: command line longer than %d bytes, cut\n",
			BOOT_CMDLINE_MAX - 1);
		n = BOOT_CMDLINE_MAX - 1;
	}
	memcpy(boot_info.cmdline, s, n);
	boot_info.cmdline[n] = '\0';
	add_dirty(paddr, n + 1);
}

/* A loader module at [base, base+len): kept if it lies inside RAM. */
static void add_module(uint64_t base, uint64_t len)
{
	int in_ram = 0;

	for (int i = 0; i < boot_info.nram; i++)
		if (base >= boot_info.ram[i].base && len <= boot_info.ram[i].len &&
		    base - boot_info.ram[i].base <= boot_info.ram[i].len - len)
			in_ram = 1;
	if (!len || !in_ram || boot_info.nmodules == BOOT_MAX_MODULES) {
		kprintf("uni: boot: module at %#lx+%#lx ignored\n", base, len);
		return;
	}
	boot_info.modules[boot_info.nmodules].base = base;
	boot_info.modules[boot_info.nmodules++].len = len;
	add_range(boot_info.reserved, &boot_info.nreserved,
		  ALIGN_DOWN(base, UNI_PAGE_SIZE),
		  ALIGN_UP(base + len, UNI_PAGE_SIZE) -
			  ALIGN_DOWN(base, UNI_PAGE_SIZE));
}

static void sort_ram(void)
{
	for (int i = 1; i < boot_info.nram; i++)
		for (int j = i; j > 0 && boot_info.ram[j].base <
					 boot_info.ram[j - 1].base; j--) {
			struct boot_range t = boot_info.ram[j];
			boot_info.ram[j] = boot_info.ram[j - 1];
			boot_info.ram[j - 1] = t;
		}
}

static void parse_multiboot(const struct mb_info *mb)
{
	boot_info.loader = "multiboot";
	add_dirty((uintptr_t)mb, sizeof(*mb));
	if (mb->flags & MB_INFO_MMAP) {
		uint64_t p = mb->mmap_addr, end = p + mb->mmap_length;
		add_dirty(p, mb->mmap_length);
		while (p + sizeof(struct mb_mmap_entry) <= end) {
			const struct mb_mmap_entry *e = (const void *)(uintptr_t)p;
			if (e->type == E820_RAM)
				add_ram(e->base, e->len);
			p += e->size + sizeof(e->size);
		}
	} else if (mb->flags & MB_INFO_MEMORY) {
		add_ram(0, (uint64_t)mb->mem_lower * 1024);
		add_ram(0x100000, (uint64_t)mb->mem_upper * 1024);
	}
	if (mb->flags & MB_INFO_MODS) {
		const uint32_t *m = (const void *)(uintptr_t)mb->mods_addr;
		add_dirty(mb->mods_addr, (uint64_t)mb->mods_count * 16);
		/* mod_start, mod_end (exclusive), string, reserved */
		for (uint32_t i = 0; i < mb->mods_count; i++, m += 4)
			if (m[1] > m[0])
				add_module(m[0], m[1] - m[0]);
	}
	if (mb->flags & MB_INFO_CMDLINE) {
		copy_cmdline(mb->cmdline);
		boot_info.cmdline_has_path = 1;
	}
}

static void parse_pvh(const struct pvh_start_info *si)
{
	boot_info.loader = "pvh";
	add_dirty((uintptr_t)si, sizeof(*si));
	if (si->version >= 1 && si->memmap_paddr) {
		const struct pvh_memmap_entry *e =
			(const void *)(uintptr_t)si->memmap_paddr;
		add_dirty(si->memmap_paddr,
			  (uint64_t)si->memmap_entries * sizeof(*e));
		for (uint32_t i = 0; i < si->memmap_entries; i++)
			if (e[i].type == E820_RAM)
				add_ram(e[i].addr, e[i].size);
	}
	if (si->nr_modules) {
		const uint64_t *m = (const void *)(uintptr_t)si->modlist_paddr;
		add_dirty(si->modlist_paddr, (uint64_t)si->nr_modules * 32);
		/* paddr, size, cmdline_paddr, reserved */
		for (uint32_t i = 0; i < si->nr_modules; i++, m += 4)
			add_module(m[0], m[1]);
	}
	copy_cmdline(si->cmdline_paddr);
}

void bootinfo_init(uint32_t magic, uint32_t info)
{
	const struct pvh_start_info *si = (const void *)(uintptr_t)info;

	/* PVH first: its entry leaves EAX undefined, and QEMU's microvm
	 * firmware (qboot) enters PVH kernels with 0x2badb002 still in EAX.
	 * A multiboot info block cannot start with the PVH magic: its first
	 * word is the flags, whose high bits are reserved (zero). */
	if (info && si->magic == PVH_START_MAGIC)
		parse_pvh(si);
	else if (magic == MULTIBOOT_LOADER_MAGIC)
		parse_multiboot((const void *)(uintptr_t)info);
	else
		panic("unknown boot loader (eax %#x, ebx %#x)", magic, info);
	if (!boot_info.nram)
		panic("the loader reported no usable memory");
	sort_ram();

	/* A BIOS (SeaBIOS on pc and q35) keeps its tables and heap in the
	 * top of RAM below 4 GiB and leaves data there: measured as about
	 * 132 KiB ending 16 MiB below the top. Treat the last 32 MiB below
	 * 4 GiB as dirty so that "zeroed" frames from there get zeroed. */
	uint64_t top = 0;
	for (int i = 0; i < boot_info.nram; i++) {
		uint64_t end = boot_info.ram[i].base + boot_info.ram[i].len;
		if (end <= 0x100000000ULL && end > top)
			top = end;
	}
	if (top > 0x2000000 + 0x100000)
		add_dirty(top - 0x2000000, 0x2000000);

	/* Low memory holds BIOS and loader data; the image and its bss
	 * (boot page tables and stacks included) are in use. */
	add_range(boot_info.reserved, &boot_info.nreserved, 0, 0x100000);
	add_range(boot_info.reserved, &boot_info.nreserved,
		  (uintptr_t)_kernel_start,
		  ALIGN_UP((uintptr_t)_end, UNI_PAGE_SIZE) -
			  (uintptr_t)_kernel_start);
}
