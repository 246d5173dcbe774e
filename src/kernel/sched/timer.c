/*
 * timer.c - the kernel's timer queue over the tickless LAPIC timer.
 *
 * Layer: kernel sched. timer_start/timer_stop are called with interrupts
 * disabled by sched.c (time slices, blocking deadlines); the timer
 * interrupt (sched_irq) calls timer_run_expired(). The queue is a list
 * sorted by deadline; the hardware is armed one-shot for its head only,
 * so an idle CPU with no deadline gets no interrupt at all. The LAPIC is
 * set up when the first timer is armed.
 */
#include <stddef.h>
#include <uni/kernel.h>
#include <uni/time.h>
#include "priv.h"

#define TIMER_VECTOR 0x20

static struct timer *head;
static uint64_t armed; /* deadline the hardware holds, 0 = none */
static int hw_state; /* 0 not yet set up, 1 ready, -1 no LAPIC timer */

/* Set up on first use: a program that never sleeps, runs a second
 * thread or waits for a device does not pay for the LAPIC calibration at
 * boot. */
int timer_hw_ready(void)
{
	if (!hw_state) {
		hw_state = lapic_init(TIMER_VECTOR) == 0 ? 1 : -1;
		if (hw_state < 0)
			kprintf("uni: sched: no LAPIC timer: no sleeps, "
				"no time slices\n");
	}
	return hw_state > 0;
}

static void rearm(void)
{
	uint64_t want = head ? head->deadline : 0;

	if (want == armed)
		return;
	if (!timer_hw_ready())
		return;
	armed = want;
	lapic_arm(want);
}

void timer_start(struct timer *t, uint64_t deadline)
{
	struct timer **pp = &head, *prev = NULL;

	KASSERT(!t->prev && !t->next && head != t);
	if (!deadline)
		deadline = 1; /* 0 means "disarmed" to the hardware */
	t->deadline = deadline;
	while (*pp && (*pp)->deadline <= deadline) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	t->next = *pp;
	/* A queued timer has a non-NULL prev: the head points at itself. */
	t->prev = prev ? prev : t;
	if (t->next)
		t->next->prev = t;
	*pp = t;
	if (head == t)
		rearm();
}

void timer_stop(struct timer *t)
{
	if (!t->prev)
		return;
	int was_head = head == t;
	if (was_head)
		head = t->next;
	else
		t->prev->next = t->next;
	if (t->next)
		t->next->prev = was_head ? t->next : t->prev;
	t->prev = t->next = NULL;
	if (was_head)
		rearm();
}

void timer_run_expired(uint64_t now)
{
	struct timer *t;

	armed = 0; /* a one-shot that fired is spent */
	while ((t = head) && t->deadline <= now) {
		timer_stop(t);
		t->fn(t);
	}
	rearm();
}

int timer_vector(void)
{
	return TIMER_VECTOR;
}
