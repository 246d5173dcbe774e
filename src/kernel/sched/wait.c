/*
 * wait.c - wait queues (uni/wait.h).
 *
 * Layer: kernel sched, over sched_block/sched_wake. Every file type that
 * can make somebody ready (pipes, eventfd, timerfd, signalfd, epoll, the
 * console, sockets) owns a waitq and calls waitq_wake with the poll bits
 * that may have changed; blocking reads and writes, poll/select and
 * epoll hang waiters on it. A waiter lives in its owner's memory (a
 * blocked thread's stack, a poll table, an epoll entry). One CPU with
 * interrupts off: no locks, and the walk below tolerates a callback that
 * removes its own waiter (it fetches the next link first).
 */
#include <uni/sched.h>
#include <uni/wait.h>

void waitq_add(struct waitq *q, struct waiter *w)
{
	w->q = q;
	w->next = 0;
	w->prev = q->tail;
	if (q->tail)
		q->tail->next = w;
	else
		q->head = w;
	q->tail = w;
}

void waitq_remove(struct waiter *w)
{
	struct waitq *q = w->q;

	if (!q)
		return;
	if (w->prev)
		w->prev->next = w->next;
	else
		q->head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		q->tail = w->prev;
	w->q = 0;
	w->prev = w->next = 0;
}

void waitq_wake(struct waitq *q, uint32_t events)
{
	struct waiter *w = q->head, *next;

	for (; w; w = next) {
		next = w->next;
		if (events && w->mask && !(w->mask & events))
			continue;
		if (w->fn)
			w->fn(w, events);
		else
			sched_wake(w->thread);
	}
}

int waitq_block(struct waitq *q, uint32_t mask, uint64_t deadline_ns)
{
	struct waiter w = { .mask = mask, .thread = sched_current() };
	int r;

	waitq_add(q, &w);
	r = sched_block(deadline_ns);
	waitq_remove(&w);
	return r;
}
