/*
 * sys/queue.h - the singly-linked tail queue (STAILQ_*) of the BSD
 * <sys/queue.h> that lighttpd's HTTP/2 code (ls-hpack/lshpack.h) uses;
 * musl ships no such header. Written here for that build only (given by
 * test/apps/lighttpd.cmake with -isystem), and only the operations that
 * code uses: a queue is a first pointer and the address of the last
 * element's next pointer (or of first, when empty).
 */
#ifndef UNI_TEST_SYS_QUEUE_H
#define UNI_TEST_SYS_QUEUE_H

#define STAILQ_HEAD(name, type) \
	struct name { \
		struct type *stqh_first; \
		struct type **stqh_last; \
	}

#define STAILQ_ENTRY(type) \
	struct { \
		struct type *stqe_next; \
	}

#define STAILQ_INIT(head) \
	do { \
		(head)->stqh_first = NULL; \
		(head)->stqh_last = &(head)->stqh_first; \
	} while (0)

#define STAILQ_EMPTY(head) ((head)->stqh_first == NULL)
#define STAILQ_FIRST(head) ((head)->stqh_first)
#define STAILQ_NEXT(elm, field) ((elm)->field.stqe_next)

#define STAILQ_INSERT_TAIL(head, elm, field) \
	do { \
		(elm)->field.stqe_next = NULL; \
		*(head)->stqh_last = (elm); \
		(head)->stqh_last = &(elm)->field.stqe_next; \
	} while (0)

#define STAILQ_REMOVE_HEAD(head, field) \
	do { \
		if (((head)->stqh_first = \
			     (head)->stqh_first->field.stqe_next) == NULL) \
			(head)->stqh_last = &(head)->stqh_first; \
	} while (0)

#define STAILQ_FOREACH(var, head, field) \
	for ((var) = (head)->stqh_first; (var); (var) = (var)->field.stqe_next)

#endif
