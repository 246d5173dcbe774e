/*
 * ipc/priv.h - internals of the POSIX message queues. Not for other
 * subsystems: programs reach the queues through the mq_* syscalls only.
 *
 * Layer: kernel ipc. mq_store.c is the pure part (name and attribute
 * rules, the priority-ordered message list, the memory a queue is
 * charged), which the host unit test test/unit/test_mq.c compiles as it
 * is; mqueue.c keeps the namespace, the queue files and the send/receive
 * syscalls; mq_notify.c the one notification registration per queue.
 *
 * Invariants of a struct mq_store: the messages form one list, highest
 * priority first and FIFO within a priority; curmsgs is its length and
 * never exceeds maxmsg; qsize is the sum of the payload lengths; tail is
 * the last message (NULL when the list is empty).
 */
#ifndef UNI_IPC_PRIV_H
#define UNI_IPC_PRIV_H

#include <mqueue.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <uni/wait.h>

#define HIDDEN __attribute__((visibility("hidden")))

/* Linux's limits (ipc/mqueue.c and the fs.mqueue sysctls' defaults). */
#define MQ_PRIO_LIMIT 32768        /* MQ_PRIO_MAX: priorities 0..32767 */
#define MQ_DFL_MAXMSG 10           /* msg_default, and msg_max */
#define MQ_DFL_MSGSIZE 8192        /* msgsize_default, and msgsize_max */
#define MQ_HARD_MAXMSG 65536       /* HARD_MSGMAX: even for root */
#define MQ_HARD_MSGSIZE (16 << 20) /* HARD_MSGSIZEMAX */
#define MQ_QUEUES_MAX 256          /* queues_max, for unprivileged creators */

struct mq_msg {
	struct mq_msg *next;
	unsigned prio;
	size_t len;
	char data[];
};

struct mq_store {
	struct mq_msg *head, *tail;
	long maxmsg, msgsize; /* fixed at creation */
	long curmsgs;
	size_t qsize;         /* payload bytes queued (QSIZE in a read) */
};

/* Check a queue name as the syscall sees it (musl drops one leading '/'):
 * 0, -EACCES for "." or ".." or a name holding a '/' (Linux's lookup
 * rule), -ENAMETOOLONG beyond NAME_MAX. An empty name is the caller's
 * -ENOENT (the path copy reports it). */
int mq_name_check(const char *name) HIDDEN;

/* Check the attributes of a new queue: 0 or -EINVAL (counts not
 * positive, or above the limits: 10 messages of 8192 bytes without
 * privilege, the hard limits with it), -EOVERFLOW when the total does
 * not fit in a size_t. */
int mq_attr_check(const struct mq_attr *a, int capable) HIDDEN;

/* Bytes a queue of these attributes is charged against
 * RLIMIT_MSGQUEUE: its message slots, payload included, as Linux
 * counts them. Attributes already checked. */
uint64_t mq_charge(long maxmsg, long msgsize) HIDDEN;

void mq_store_init(struct mq_store *s, long maxmsg, long msgsize) HIDDEN;
static inline int mq_store_full(const struct mq_store *s)
{
	return s->curmsgs >= s->maxmsg;
}
/* Queue m (m->prio, m->len set; the store not full): after every message
 * of the same or a higher priority. */
void mq_store_put(struct mq_store *s, struct mq_msg *m) HIDDEN;
/* The message a receive takes next, or NULL; mq_store_take unlinks it
 * (the caller frees it). */
static inline struct mq_msg *mq_store_peek(const struct mq_store *s)
{
	return s->head;
}
struct mq_msg *mq_store_take(struct mq_store *s) HIDDEN;
/* Free every message. */
void mq_store_clear(struct mq_store *s) HIDDEN;

/* ---- the queue object (mqueue.c) --------------------------------------- */

/* The queue's one notification registration (mq_notify). */
#define MQ_COOKIE_LEN 32  /* Linux's NOTIFY_COOKIE_LEN */
struct file;
struct mq_notify_reg {
	int active;        /* registered */
	int how;           /* SIGEV_SIGNAL, SIGEV_NONE or SIGEV_THREAD */
	int signo;         /* for SIGEV_SIGNAL (0: none sent) */
	uint64_t value;    /* sigev_value, the signal's si_value */
	struct file *sock; /* SIGEV_THREAD: musl's netlink socket, referenced */
	uint8_t cookie[MQ_COOKIE_LEN]; /* SIGEV_THREAD: what it is sent */
};

struct mqueue {
	struct mqueue *next;          /* namespace list, while linked */
	int refs;                     /* open files + 1 while linked */
	int linked;                   /* still has its name */
	int receivers;                /* threads blocked in a receive */
	struct waitq wq;              /* POLLIN: a message came; POLLOUT: room */
	struct mq_store st;
	uint64_t charge;              /* bytes charged at creation */
	mode_t mode;                  /* permission bits */
	uid_t uid;
	gid_t gid;
	struct mq_notify_reg notify;  /* set by mq_notify.c */
	char name[];                  /* without the leading '/' */
};

/* The queue behind an mq descriptor: a referenced file whose priv is the
 * queue, or NULL (the caller's -EBADF). */
struct file *mq_fd_get(int fd) HIDDEN;

/* mq_notify.c, weak so that a program that never registers (and so never
 * has an active registration) links none of it: mq_notify_arrived runs
 * when a message was queued on an empty queue with no receiver waiting
 * and q->notify is active: it notifies and ends the registration.
 * mq_notify_remove ends an active registration without notifying; a file
 * of the queue closing calls it (Linux ends the registration when the
 * registering process closes any descriptor of the queue). */
void mq_notify_arrived(struct mqueue *q) __attribute__((weak)) HIDDEN;
void mq_notify_remove(struct mqueue *q) __attribute__((weak)) HIDDEN;

/* The kernel side of a netlink socket that SIGEV_THREAD needs: queue one
 * datagram of len bytes on the AF_NETLINK socket behind f, as a message
 * from the kernel (len 0: only check that f is one). 0, -ENOTSOCK,
 * -EINVAL (another family), -ENOBUFS, -ENOMEM. To be defined by
 * src/net/af_netlink.c; weak, and while it is missing SIGEV_THREAD is
 * refused with EOPNOTSUPP. */
int netlink_kernel_send(struct file *f, const void *data, size_t len)
	__attribute__((weak));

#endif
