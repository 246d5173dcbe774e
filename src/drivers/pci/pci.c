/*
 * pci.c - PCI configuration space, the bus scan, BARs, capabilities and
 * MSI-X (uni/pci.h).
 *
 * Layer: drivers. Called by the device drivers (src/drivers/virtio/) when
 * the network stack's net_init probes them; nothing here runs in an image
 * without a driver. Config space: ports 0xCF8/0xCFC when a host bridge
 * answers there (QEMU pc, q35), else ECAM at 0xe0000000, where QEMU's
 * microvm with pcie=on puts its only one (its ACPI MCFG says so; it has
 * no port mechanism). The scan walks bus 0 and every bus behind a
 * PCI-PCI bridge whose secondary bus number firmware assigned. On microvm
 * no firmware assigns BARs, so a memory BAR that reads as zero gets an
 * address from the host bridge's 32-bit window (0xc0000000-0xdfffffff).
 */
#include <errno.h>
#include <stdint.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/mm.h>
#include <uni/pci.h>
#include <uni/x86_64/cpu.h>
#include <linux/pci_regs.h>

#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc
#define MICROVM_ECAM_PA 0xe0000000UL
#define MICROVM_ECAM_BUSES 256
#define MICROVM_MMIO32_BASE 0xc0000000UL
#define MICROVM_MMIO32_END 0xe0000000UL
#define MAX_DEVS 32 /* functions we keep; QEMU machines have a handful */
#define MSIX_ENTRY_SIZE 16

static volatile uint8_t *ecam;
static uint64_t ecam_mapped[MICROVM_ECAM_BUSES / 64];
static int scanned;
static struct pci_dev *devs[MAX_DEVS];
static int ndevs;
static uint64_t mmio_next = MICROVM_MMIO32_BASE;

/* ECAM is mapped a bus (1 MiB) at a time, when first touched: the whole
 * 256 MiB would cost half a megabyte of page tables. */
static volatile uint32_t *ecam_reg(unsigned bus, unsigned dev, unsigned fn,
				   unsigned off)
{
	if (!(ecam_mapped[bus / 64] >> (bus % 64) & 1)) {
		mm_map_mmio(MICROVM_ECAM_PA + ((uint64_t)bus << 20), 1u << 20);
		ecam_mapped[bus / 64] |= 1ull << (bus % 64);
	}
	return (volatile uint32_t *)(ecam + (bus << 20 | dev << 15 | fn << 12 |
					     (off & 0xffc)));
}

static uint32_t conf_read(unsigned bus, unsigned dev, unsigned fn,
			  unsigned off)
{
	if (ecam)
		return *ecam_reg(bus, dev, fn, off);
	outl(PCI_CONF_ADDR, 0x80000000u | bus << 16 | dev << 11 | fn << 8 |
				    (off & 0xfc));
	return inl(PCI_CONF_DATA);
}

static void conf_write(unsigned bus, unsigned dev, unsigned fn, unsigned off,
		       uint32_t v)
{
	if (ecam) {
		*ecam_reg(bus, dev, fn, off) = v;
		return;
	}
	outl(PCI_CONF_ADDR, 0x80000000u | bus << 16 | dev << 11 | fn << 8 |
				    (off & 0xfc));
	outl(PCI_CONF_DATA, v);
}

uint32_t pci_read32(const struct pci_dev *d, unsigned off)
{
	return conf_read(d->bus, d->dev, d->fn, off);
}

uint16_t pci_read16(const struct pci_dev *d, unsigned off)
{
	return (uint16_t)(pci_read32(d, off) >> (8 * (off & 2)));
}

uint8_t pci_read8(const struct pci_dev *d, unsigned off)
{
	return (uint8_t)(pci_read32(d, off) >> (8 * (off & 3)));
}

void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v)
{
	conf_write(d->bus, d->dev, d->fn, off, v);
}

/* Read-modify-write of the dword: config space has no 16-bit access
 * through 0xCFC in this file, and the neighbouring half of the registers
 * written here (command/status, MSI-X control/cap header) is either
 * read-only or write-1-to-clear bits that read back as 0 when clear. */
void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v)
{
	unsigned sh = 8 * (off & 2);
	uint32_t w = pci_read32(d, off & ~3u);

	if ((off & ~3u) == PCI_COMMAND)
		w &= 0xffffu; /* status bits are write-1-to-clear: keep them */
	w = (w & ~(0xffffu << sh)) | (uint32_t)v << sh;
	pci_write32(d, off & ~3u, w);
}

/* Size one BAR (write all ones, read the mask back) and, on a machine
 * without firmware (microvm), give an unassigned memory BAR an address.
 * Returns how many BAR slots it used (2 for a 64-bit memory BAR). */
KERNEL_COLD static int bar_probe(struct pci_dev *d, unsigned i)
{
	unsigned off = PCI_BASE_ADDRESS_0 + 4 * i;
	uint32_t lo = pci_read32(d, off), mask_lo, hi = 0, mask_hi = 0xffffffff;
	int is64 = 0;
	uint64_t pa, size;

	pci_write32(d, off, 0xffffffff);
	mask_lo = pci_read32(d, off);
	pci_write32(d, off, lo);
	if (lo & PCI_BASE_ADDRESS_SPACE_IO) {
		size = (uint16_t)~(mask_lo & PCI_BASE_ADDRESS_IO_MASK) + 1;
		if (mask_lo & PCI_BASE_ADDRESS_IO_MASK && (lo & PCI_BASE_ADDRESS_IO_MASK)) {
			d->bar_pa[i] = lo & PCI_BASE_ADDRESS_IO_MASK;
			d->bar_len[i] = size;
			d->bar_io[i] = 1;
		}
		return 1;
	}
	if ((lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64 &&
	    i + 1 < PCI_MAX_BARS) {
		is64 = 1;
		hi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, 0xffffffff);
		mask_hi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, hi);
	}
	if (!(mask_lo & PCI_BASE_ADDRESS_MEM_MASK) && !(is64 && mask_hi))
		return 1 + is64; /* not implemented */
	size = ~((uint64_t)mask_hi << 32 | (mask_lo & PCI_BASE_ADDRESS_MEM_MASK)) + 1;
	if (!is64)
		size &= 0xffffffffu;
	pa = (uint64_t)hi << 32 | (lo & PCI_BASE_ADDRESS_MEM_MASK);
	if (!pa && ecam) {
		uint64_t a = ALIGN_UP(mmio_next, MAX(size, UNI_PAGE_SIZE));

		if (!size || a + size > MICROVM_MMIO32_END)
			return 1 + is64;
		mmio_next = a + size;
		pa = a;
		pci_write32(d, off, (uint32_t)pa | (lo & ~PCI_BASE_ADDRESS_MEM_MASK));
		if (is64)
			pci_write32(d, off + 4, 0);
	}
	if (pa) {
		d->bar_pa[i] = pa;
		d->bar_len[i] = size;
	}
	return 1 + is64;
}

KERNEL_COLD static void scan_bus(unsigned bus, int depth);

KERNEL_COLD static void scan_fn(unsigned bus, unsigned dev, unsigned fn,
				int depth)
{
	uint32_t id = conf_read(bus, dev, fn, PCI_VENDOR_ID);
	uint32_t cls = conf_read(bus, dev, fn, PCI_CLASS_REVISION);
	uint8_t hdr = (uint8_t)(conf_read(bus, dev, fn, PCI_HEADER_TYPE & ~3u) >> 16);
	uint32_t cmd;
	struct pci_dev *d;

	if ((hdr & 0x7f) == PCI_HEADER_TYPE_BRIDGE) {
		unsigned sec = (conf_read(bus, dev, fn, PCI_PRIMARY_BUS) >> 8) & 0xff;

		/* Only buses firmware numbered; a loop (sec <= bus) or a
		 * deep chain is a broken machine, not followed. */
		if (sec > bus && depth < 8)
			scan_bus(sec, depth + 1);
		return;
	}
	if ((hdr & 0x7f) != PCI_HEADER_TYPE_NORMAL || ndevs == MAX_DEVS)
		return;
	d = kzalloc(sizeof(*d));
	if (!d)
		return;
	d->bus = (uint8_t)bus;
	d->dev = (uint8_t)dev;
	d->fn = (uint8_t)fn;
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	d->subsys = (uint16_t)(conf_read(bus, dev, fn, PCI_SUBSYSTEM_VENDOR_ID) >> 16);
	d->class = (uint8_t)(cls >> 24);
	d->subclass = (uint8_t)(cls >> 16);
	/* Decoding off while a BAR holds all ones (PCI 3.0 §6.2.5.1). */
	cmd = conf_read(bus, dev, fn, PCI_COMMAND);
	conf_write(bus, dev, fn, PCI_COMMAND, cmd & 0xffff &
		   ~(uint32_t)(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned i = 0; i < PCI_MAX_BARS;)
		i += (unsigned)bar_probe(d, i);
	conf_write(bus, dev, fn, PCI_COMMAND, cmd & 0xffff);
	devs[ndevs++] = d;
}

KERNEL_COLD static void scan_bus(unsigned bus, int depth)
{
	for (unsigned dev = 0; dev < 32; dev++) {
		unsigned nfn = 1;

		for (unsigned fn = 0; fn < nfn; fn++) {
			uint32_t id = conf_read(bus, dev, fn, PCI_VENDOR_ID);

			if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
				continue;
			if (fn == 0 && (conf_read(bus, dev, 0, PCI_HEADER_TYPE & ~3u) >>
					16) & 0x80)
				nfn = 8; /* multi-function device */
			scan_fn(bus, dev, fn, depth);
		}
	}
}

KERNEL_COLD static void pci_scan(void)
{
	uint32_t id;

	scanned = 1;
	/* The port mechanism answers when the address register keeps
	 * what was written and a host bridge sits at 00:00.0. */
	outl(PCI_CONF_ADDR, 0x80000000u);
	id = inl(PCI_CONF_ADDR) == 0x80000000u ? conf_read(0, 0, 0, 0) : 0xffffffffu;
	if ((id & 0xffff) == 0xffff) {
		ecam = mm_map_mmio(MICROVM_ECAM_PA, 1u << 20);
		if (!ecam)
			return;
		ecam_mapped[0] = 1;
		id = conf_read(0, 0, 0, 0);
		if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0) {
			ecam = NULL;
			return; /* no PCI on this machine */
		}
	}
	scan_bus(0, 0);
}

struct pci_dev *pci_find(struct pci_dev *from, uint16_t vendor,
			 uint16_t dev_lo, uint16_t dev_hi)
{
	int i = 0;

	if (!scanned)
		pci_scan();
	if (from) {
		while (i < ndevs && devs[i] != from)
			i++;
		i++;
	}
	for (; i < ndevs; i++) {
		struct pci_dev *d = devs[i];

		if (!d->claimed && d->vendor == vendor && d->device >= dev_lo &&
		    d->device <= dev_hi)
			return d;
	}
	return NULL;
}

unsigned pci_cap_find(const struct pci_dev *d, uint8_t id, unsigned start)
{
	unsigned off;
	int guard = 48; /* 256 bytes of 4-byte-aligned entries at most */

	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	off = start ? pci_read8(d, start + PCI_CAP_LIST_NEXT)
		    : pci_read8(d, PCI_CAPABILITY_LIST);
	while (off >= 0x40 && guard--) {
		off &= ~3u;
		if (pci_read8(d, off + PCI_CAP_LIST_ID) == id)
			return off;
		off = pci_read8(d, off + PCI_CAP_LIST_NEXT);
	}
	return 0;
}

void pci_enable(struct pci_dev *d)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);

	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE;
	pci_write16(d, PCI_COMMAND, cmd);
}

volatile void *pci_bar_map(struct pci_dev *d, unsigned bar)
{
	if (bar >= PCI_MAX_BARS || !d->bar_pa[bar] || d->bar_io[bar])
		return NULL;
	return mm_map_mmio(d->bar_pa[bar], d->bar_len[bar]);
}

int pci_msix_enable(struct pci_dev *d, unsigned entry, int vector)
{
	unsigned cap = pci_cap_find(d, PCI_CAP_ID_MSIX, 0);
	uint16_t ctrl;
	uint32_t tbl;
	unsigned bir;
	volatile uint32_t *e;
	volatile uint8_t *base;
	uint32_t apic_id = cpuid(1, 0).ebx >> 24;

	if (!cap)
		return -ENODEV;
	ctrl = pci_read16(d, cap + PCI_MSIX_FLAGS);
	tbl = pci_read32(d, cap + PCI_MSIX_TABLE);
	bir = tbl & PCI_MSIX_TABLE_BIR;
	if (entry > (ctrl & PCI_MSIX_FLAGS_QSIZE) || bir >= PCI_MAX_BARS ||
	    (tbl & PCI_MSIX_TABLE_OFFSET) + (entry + 1) * MSIX_ENTRY_SIZE >
		    d->bar_len[bir])
		return -ENODEV;
	base = pci_bar_map(d, bir);
	if (!base)
		return -ENODEV;
	/* Function-masked while the entry is written (PCI 3.0 §6.8.2.9). */
	pci_write16(d, cap + PCI_MSIX_FLAGS,
		    ctrl | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	e = (volatile uint32_t *)(base + (tbl & PCI_MSIX_TABLE_OFFSET) +
				  entry * MSIX_ENTRY_SIZE);
	/* Intel SDM 10.11: address 0xFEE, destination APIC ID, physical
	 * mode; data: fixed delivery, edge, the vector. */
	e[0] = 0xfee00000u | apic_id << 12;
	e[1] = 0;
	e[2] = (uint32_t)vector;
	e[3] = 0; /* unmasked */
	pci_write16(d, cap + PCI_MSIX_FLAGS,
		    (ctrl | PCI_MSIX_FLAGS_ENABLE) & (uint16_t)~PCI_MSIX_FLAGS_MASKALL);
	return 0;
}
