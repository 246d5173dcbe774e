/*
 * uni/irq.h - device interrupts.
 *
 * Layer: kernel sched (src/kernel/sched/irq.c) over the LAPIC and the
 * I/O APIC (arch/x86_64/lapic.c, ioapic.c). A driver asks for a vector
 * with a handler: for a legacy line (the UART's IRQ 4) through the I/O
 * APIC, for MSI/MSI-X by programming the device with the vector it gets.
 * Handlers run from the interrupt, interrupts off, before the EOI; they
 * do little (wake a wait queue) and may make threads runnable: the
 * switch happens on the way out, as for the timer.
 */
#ifndef UNI_IRQ_H
#define UNI_IRQ_H

typedef void (*irq_handler_t)(void *arg);

/* A free vector bound to fn, or -ENOSPC. Enables the LAPIC if needed. */
int irq_alloc_vector(irq_handler_t fn, void *arg);

/* Route an ISA IRQ / GSI through the I/O APIC (edge, active high, to
 * this CPU) to fn: 0, -ENODEV without an I/O APIC or LAPIC, -ENOSPC. */
int irq_attach_isa(unsigned irq, irq_handler_t fn, void *arg);

#endif
