/*
 * test_mq.c - the pure part of the POSIX message queues
 * (src/kernel/ipc/mq_store.c) on the host: name rules, attribute limits
 * with and without privilege, the RLIMIT_MSGQUEUE charge, and receive
 * order (highest priority first, FIFO within one) against a reference
 * model over random sends and receives, with the store's counters
 * checked after every step and no message leaked.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <uni/kmalloc.h>
#include "priv.h"
#include "unit.h"

static struct mq_msg *msg(unsigned prio, size_t len, unsigned tag)
{
	struct mq_msg *m = kmalloc(sizeof(*m) + len + sizeof(tag));

	m->prio = prio;
	m->len = len;
	memcpy(m->data, &tag, sizeof(tag)); /* beyond len: the test's own */
	return m;
}

static unsigned tag_of(const struct mq_msg *m)
{
	unsigned t;

	memcpy(&t, m->data, sizeof(t));
	return t;
}

static void names(void)
{
	char n[NAME_MAX + 2];

	CHECK(mq_name_check("q") == 0);
	CHECK(mq_name_check("a.b") == 0);
	CHECK(mq_name_check("...") == 0);
	CHECK(mq_name_check(".") == -EACCES);
	CHECK(mq_name_check("..") == -EACCES);
	CHECK(mq_name_check("a/b") == -EACCES);
	CHECK(mq_name_check("/a") == -EACCES); /* "//a" from the program */
	memset(n, 'x', NAME_MAX);
	n[NAME_MAX] = 0;
	CHECK(mq_name_check(n) == 0);
	n[NAME_MAX] = 'x';
	n[NAME_MAX + 1] = 0;
	CHECK(mq_name_check(n) == -ENAMETOOLONG);
}

static int attr(long maxmsg, long msgsize, int capable)
{
	struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };

	return mq_attr_check(&a, capable);
}

static void attrs(void)
{
	CHECK(attr(10, 8192, 0) == 0);
	CHECK(attr(1, 1, 0) == 0);
	CHECK(attr(0, 8, 0) == -EINVAL);
	CHECK(attr(8, 0, 1) == -EINVAL);
	CHECK(attr(-1, 8, 1) == -EINVAL);
	CHECK(attr(8, -1, 1) == -EINVAL);
	CHECK(attr(11, 8, 0) == -EINVAL);
	CHECK(attr(10, 8193, 0) == -EINVAL);
	CHECK(attr(11, 8193, 1) == 0);
	CHECK(attr(65536, 16 << 20, 1) == 0);
	CHECK(attr(65537, 1, 1) == -EINVAL);
	CHECK(attr(1, (16 << 20) + 1, 1) == -EINVAL);
	CHECK(attr(LONG_MAX, LONG_MAX, 1) == -EINVAL);
	/* Nine default queues fit the default limit, a tenth does not. */
	CHECK(9 * mq_charge(10, 8192) <= 819200);
	CHECK(10 * mq_charge(10, 8192) > 819200);
	CHECK(mq_charge(1, 1) > 1);
	CHECK(mq_charge(65536, 16 << 20) > (uint64_t)65536 << 24);
}

static void order(void)
{
	struct mq_store s;
	struct mq_msg *m;

	mq_store_init(&s, 8, 100);
	CHECK(!mq_store_peek(&s) && !mq_store_take(&s) && !mq_store_full(&s));
	mq_store_put(&s, msg(1, 10, 0));
	mq_store_put(&s, msg(5, 20, 1));
	mq_store_put(&s, msg(1, 30, 2));
	mq_store_put(&s, msg(0, 40, 3));
	mq_store_put(&s, msg(5, 0, 4));
	mq_store_put(&s, msg(9, 1, 5));
	CHECK(s.curmsgs == 6 && s.qsize == 101);
	static const unsigned want[] = { 5, 1, 4, 0, 2, 3 };
	for (int i = 0; i < 6; i++) {
		CHECK(tag_of(mq_store_peek(&s)) == want[i]);
		m = mq_store_take(&s);
		CHECK(m && tag_of(m) == want[i]);
		kfree(m);
	}
	CHECK(s.curmsgs == 0 && s.qsize == 0 && !s.head && !s.tail);
	/* The tail stays right after a take empties a priority. */
	mq_store_put(&s, msg(3, 1, 10));
	m = mq_store_take(&s);
	kfree(m);
	mq_store_put(&s, msg(2, 1, 11));
	mq_store_put(&s, msg(2, 1, 12));
	CHECK(tag_of(s.tail) == 12);
	for (int i = 0; i < 6; i++)
		mq_store_put(&s, msg(i, 1, 20 + i));
	CHECK(mq_store_full(&s));
	mq_store_clear(&s);
	CHECK(s.curmsgs == 0 && !s.head && !s.tail);
}

/* Random sends and receives against a model: an array kept in receive
 * order by the obvious rule (stable sort by priority, descending). */
#define MODEL_MAX 64
static void model(void)
{
	struct mq_store s;
	unsigned mprio[MODEL_MAX], mtag[MODEL_MAX];
	size_t mlen[MODEL_MAX], qsize = 0;
	int n = 0;
	unsigned tag = 0;

	srand(12345);
	mq_store_init(&s, MODEL_MAX, 1000);
	for (int step = 0; step < 200000; step++) {
		int send = n == 0 || (n < MODEL_MAX && rand() % 2);

		if (send) {
			unsigned p = rand() % 4 ? (unsigned)(rand() % 5)
						: (unsigned)(rand() % 32768);
			size_t len = (size_t)(rand() % 50);
			int at = n;

			/* After every entry of priority >= p. */
			while (at > 0 && mprio[at - 1] < p)
				at--;
			memmove(mprio + at + 1, mprio + at,
				(size_t)(n - at) * sizeof(*mprio));
			memmove(mtag + at + 1, mtag + at,
				(size_t)(n - at) * sizeof(*mtag));
			memmove(mlen + at + 1, mlen + at,
				(size_t)(n - at) * sizeof(*mlen));
			mprio[at] = p;
			mtag[at] = tag;
			mlen[at] = len;
			n++;
			qsize += len;
			mq_store_put(&s, msg(p, len, tag++));
		} else {
			struct mq_msg *m = mq_store_take(&s);

			if (!m || tag_of(m) != mtag[0] || m->prio != mprio[0] ||
			    m->len != mlen[0]) {
				CHECK(!"receive order differs from the model");
				break;
			}
			kfree(m);
			qsize -= mlen[0];
			n--;
			memmove(mprio, mprio + 1, (size_t)n * sizeof(*mprio));
			memmove(mtag, mtag + 1, (size_t)n * sizeof(*mtag));
			memmove(mlen, mlen + 1, (size_t)n * sizeof(*mlen));
		}
		if (s.curmsgs != n || s.qsize != qsize ||
		    mq_store_full(&s) != (n == MODEL_MAX)) {
			CHECK(!"counters differ from the model");
			break;
		}
	}
	mq_store_clear(&s);
	CHECK(kmalloc_in_use() == 0);
}

int main(void)
{
	names();
	attrs();
	order();
	model();
	CHECK(kmalloc_in_use() == 0);
	printf("test_mq: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
