/*
 * uni/wait.h - wait queues: the one way a thread waits for a file, a
 * pipe, a socket or a device, and the one way poll/select/epoll learn
 * that something became ready.
 *
 * Layer: kernel sched (src/kernel/sched/wait.c). Every object that can
 * make a waiter ready owns a struct waitq and calls waitq_wake() with the
 * poll bits (POLLIN, POLLOUT, POLLHUP, ...) that may have become true.
 * A waiter either wakes its thread (the default) or runs a callback
 * (epoll uses that to queue a ready entry without waking anybody itself).
 * Everything runs with interrupts disabled on one CPU, so "check the
 * condition, then waitq_block()" cannot lose a wake-up; waitq_wake() may
 * be called from interrupt handlers (timers, devices).
 */
#ifndef UNI_WAIT_H
#define UNI_WAIT_H

#include <stdint.h>

struct thread;
struct waiter;

struct waitq {
	struct waiter *head, *tail;
};

#define WAITQ_INIT { 0, 0 }

struct waiter {
	struct waiter *prev, *next;
	struct waitq *q;        /* the queue it is on, NULL when not queued */
	uint32_t mask;          /* events it cares about; 0 means all */
	/* Called by waitq_wake with the events that may have become true.
	 * NULL: sched_wake(thread). A callback may remove its own waiter. */
	void (*fn)(struct waiter *w, uint32_t events);
	struct thread *thread;
	void *priv;
	int exclusive;          /* EPOLLEXCLUSIVE-style: counts against nr */
};

static inline void waitq_init(struct waitq *q)
{
	q->head = q->tail = 0;
}

/* Append w (FIFO). w->mask, fn, thread, priv are set by the caller. */
void waitq_add(struct waitq *q, struct waiter *w);
/* Take w off its queue; harmless when it is not queued. */
void waitq_remove(struct waiter *w);
/* Wake every waiter whose mask meets `events` (events 0 wakes all). */
void waitq_wake(struct waitq *q, uint32_t events);
/* Are there waiters at all? */
static inline int waitq_active(const struct waitq *q)
{
	return q->head != 0;
}

/* Block the current thread on q until woken for `mask`, the deadline
 * (monotonic ns, 0 = none) passes or a signal interrupts: 0, -ETIMEDOUT
 * or -EINTR (see sched_block). The caller rechecks its condition after a
 * 0 return: a wake-up means "look again", not "it is ready". */
int waitq_block(struct waitq *q, uint32_t mask, uint64_t deadline_ns);

#endif
