/*
 * mq_store.c - the pure part of the POSIX message queues: which names and
 * attributes a queue may have, what it is charged, and its messages in
 * receive order.
 *
 * Layer: kernel ipc (ipc/priv.h), below mqueue.c, which calls it with
 * everything already copied from the program. No waiting, no files, no
 * program memory: test/unit/test_mq.c compiles this file on the host.
 * Receive order is POSIX's: the oldest of the highest-priority messages.
 * Sends usually come in at one priority, so the list keeps a tail and an
 * append after it costs nothing; a message of a higher priority walks
 * past the messages that go before it.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <uni/kmalloc.h>
#include "priv.h"

int mq_name_check(const char *name)
{
	size_t n = strlen(name);

	/* Linux looks the name up in the mqueue root: one component. */
	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EACCES;
	if (n > NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}

int mq_attr_check(const struct mq_attr *a, int capable)
{
	long maxmsg = capable ? MQ_HARD_MAXMSG : MQ_DFL_MAXMSG;
	long msgsize = capable ? MQ_HARD_MSGSIZE : MQ_DFL_MSGSIZE;

	if (a->mq_maxmsg <= 0 || a->mq_msgsize <= 0)
		return -EINVAL;
	if (a->mq_maxmsg > maxmsg || a->mq_msgsize > msgsize)
		return -EINVAL;
	/* Both are bounded above, so this cannot overflow on 64 bits; the
	 * check is Linux's, kept for a size_t narrower than the product. */
	if ((uint64_t)a->mq_maxmsg * (uint64_t)a->mq_msgsize > SIZE_MAX)
		return -EOVERFLOW;
	return 0;
}

/* Linux charges every slot a struct msg_msg and a priority tree node
 * (48 bytes each on x86-64, a node per slot up to MQ_PRIO_MAX) besides
 * the payload: with RLIMIT_MSGQUEUE's default 819200 bytes, nine queues
 * of the default 10 x 8192 fit and a tenth gets EMFILE, here as there. */
#define MQ_SLOT_COST 48

uint64_t mq_charge(long maxmsg, long msgsize)
{
	uint64_t n = (uint64_t)maxmsg;
	uint64_t nodes = n < MQ_PRIO_LIMIT ? n : MQ_PRIO_LIMIT;

	return n * MQ_SLOT_COST + nodes * MQ_SLOT_COST + n * (uint64_t)msgsize;
}

void mq_store_init(struct mq_store *s, long maxmsg, long msgsize)
{
	memset(s, 0, sizeof(*s));
	s->maxmsg = maxmsg;
	s->msgsize = msgsize;
}

void mq_store_put(struct mq_store *s, struct mq_msg *m)
{
	struct mq_msg **link;

	m->next = NULL;
	if (!s->tail || s->tail->prio >= m->prio) {
		/* The common case: behind everything. */
		if (s->tail)
			s->tail->next = m;
		else
			s->head = m;
		s->tail = m;
	} else {
		/* Before the first message of a lower priority; the tail has
		 * one, so the walk stops before the end. */
		for (link = &s->head; (*link)->prio >= m->prio;
		     link = &(*link)->next)
			;
		m->next = *link;
		*link = m;
	}
	s->curmsgs++;
	s->qsize += m->len;
}

struct mq_msg *mq_store_take(struct mq_store *s)
{
	struct mq_msg *m = s->head;

	if (!m)
		return NULL;
	s->head = m->next;
	if (!s->head)
		s->tail = NULL;
	m->next = NULL;
	s->curmsgs--;
	s->qsize -= m->len;
	return m;
}

void mq_store_clear(struct mq_store *s)
{
	struct mq_msg *m;

	while ((m = mq_store_take(s)))
		kfree(m);
}
