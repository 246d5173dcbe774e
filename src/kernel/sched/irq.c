/*
 * irq.c - device interrupt vectors and their handlers (uni/irq.h).
 *
 * Layer: kernel sched. Drivers (the console's UART, later virtio) bind a
 * handler to a vector here; sched_irq() (sched.c) calls irq_dispatch()
 * for every vector that is not the timer's. Vectors 0x30..0xef are
 * handed out; the timer has 0x20 and the LAPIC's spurious vector is 0xff.
 */
#include <errno.h>
#include <uni/irq.h>
#include <uni/kernel.h>
#include "priv.h"

#define FIRST_VECTOR 0x30
#define LAST_VECTOR 0xef

static struct {
	irq_handler_t fn;
	void *arg;
} handlers[LAST_VECTOR + 1];

int irq_alloc_vector(irq_handler_t fn, void *arg)
{
	if (!timer_hw_ready())
		return -ENODEV;
	for (int v = FIRST_VECTOR; v <= LAST_VECTOR; v++) {
		if (!handlers[v].fn) {
			handlers[v].fn = fn;
			handlers[v].arg = arg;
			return v;
		}
	}
	return -ENOSPC;
}

int irq_attach_isa(unsigned irq, irq_handler_t fn, void *arg)
{
	int v = irq_alloc_vector(fn, arg), r;

	if (v < 0)
		return v;
	r = ioapic_route(irq, v, lapic_id());
	if (r < 0) {
		handlers[v].fn = NULL;
		return r;
	}
	return 0;
}

int irq_dispatch(unsigned vector)
{
	if (vector > LAST_VECTOR || !handlers[vector].fn)
		return 0;
	handlers[vector].fn(handlers[vector].arg);
	return 1;
}
