/*
 * uni/pci.h - PCI devices: configuration space, the bus scan, BARs,
 * capabilities and MSI-X.
 *
 * Layer: drivers (src/drivers/pci/pci.c). Call order: a driver calls
 * pci_find(vendor, match, ...) (the first call scans every bus once,
 * following PCI-PCI bridges), then pci_bar_map() for the BARs it uses,
 * pci_cap_find() to walk capabilities, and pci_msix_enable() for an
 * interrupt. Config space is reached through ECAM when the machine has
 * one (QEMU microvm with pcie=on has nothing else) and through ports
 * 0xCF8/0xCFC otherwise (pc, q35). BARs firmware left unassigned are
 * given addresses from the host bridge's window.
 */
#ifndef UNI_PCI_H
#define UNI_PCI_H

#include <stdint.h>

#define PCI_MAX_BARS 6

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device, subsys;
	uint8_t class, subclass;
	uint64_t bar_pa[PCI_MAX_BARS];   /* 0: none */
	uint64_t bar_len[PCI_MAX_BARS];
	uint8_t bar_io[PCI_MAX_BARS];    /* 1: an I/O-port BAR */
	int claimed;                     /* a driver owns it */
};

uint32_t pci_read32(const struct pci_dev *d, unsigned off);
uint16_t pci_read16(const struct pci_dev *d, unsigned off);
uint8_t pci_read8(const struct pci_dev *d, unsigned off);
void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v);
void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v);

/* The next unclaimed device after `from` (NULL: the first) whose vendor
 * is `vendor` and whose device ID is in [dev_lo, dev_hi]; NULL at the
 * end. Scans the buses on the first call. */
struct pci_dev *pci_find(struct pci_dev *from, uint16_t vendor,
			 uint16_t dev_lo, uint16_t dev_hi);
/* Offset of the first (start 0) or next capability with this ID, or 0. */
unsigned pci_cap_find(const struct pci_dev *d, uint8_t id, unsigned start);
/* Turn on memory decoding and bus mastering (DMA), INTx off. */
void pci_enable(struct pci_dev *d);
/* A memory BAR mapped uncached, or NULL (no such BAR, an I/O BAR). */
volatile void *pci_bar_map(struct pci_dev *d, unsigned bar);
/* MSI-X: program table entry `entry` to deliver `vector` to this CPU,
 * unmask it and enable MSI-X. 0, or -ENODEV (no MSI-X, entry beyond the
 * table). */
int pci_msix_enable(struct pci_dev *d, unsigned entry, int vector);

#endif
