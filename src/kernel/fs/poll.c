/*
 * poll.c - poll, ppoll, select, pselect6; the timeout and signal-mask
 * helpers epoll shares (fs/wait_priv.h).
 *
 * Layer: kernel fs syscalls over the file types' poll ops (uni/file.h)
 * and wait queues (uni/wait.h). One pass asks every file for its ready
 * mask; the first pass also hangs one thread-waking waiter on each wait
 * queue a file hands over (poll_table.queue), holding a reference on the
 * file so that a close by another thread cannot free the queue under us.
 * If nothing is ready the thread blocks until a waiter wakes it, the
 * deadline (monotonic ns, exact to the timer) passes or a signal comes,
 * then passes again without queueing. Bad descriptors are POLLNVAL for
 * poll and EBADF for select; a signal gives -EINTR. select, pselect6
 * and ppoll write the time left back, as Linux does.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/sched.h>
#include <uni/signal.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include <uni/uaccess.h>
#include "../sched/priv.h"
#include "wait_priv.h"

/* ---- timeouts ------------------------------------------------------------ */

uint64_t wait_deadline(uint64_t ns)
{
	uint64_t now = time_now_ns();

	if (ns >= WAIT_FOREVER_NS)
		return 0;
	return now + ns ? now + ns : 1;
}

uint64_t wait_left(uint64_t deadline)
{
	uint64_t now = time_now_ns();

	return deadline > now ? deadline - now : 0;
}

int wait_timeout_ts(const struct timespec *uts, uint64_t *deadline)
{
	struct timespec ts;

	*deadline = 0;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (!timespec_valid(&ts))
		return -EINVAL;
	if ((uint64_t)ts.tv_sec < WAIT_FOREVER_NS / NSEC_PER_SEC)
		*deadline = wait_deadline(timespec_ns(&ts));
	return 0;
}

static struct timespec ns_ts(uint64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / NSEC_PER_SEC),
				  .tv_nsec = (long)(ns % NSEC_PER_SEC) };
}

/* ---- the temporary signal mask -------------------------------------------- */

/* Weak: an image that never sends a signal has no process-pending set,
 * and polling must not pull the signal layer in. */
extern uint64_t sig_proc_pending __attribute__((weak, visibility("hidden")));
#define SIG_UNBLOCKABLE_ (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))

int wait_sigmask_set(const uint64_t *umask, size_t size)
{
	struct thread *t = sched_current();
	uint64_t set;

	if (!umask)
		return 0;
	if (size != sizeof(set))
		return -EINVAL;
	if (copy_from_user(&set, umask, sizeof(set)))
		return -EFAULT;
	t->sig_saved_mask = t->sig_mask;
	t->sig_saved_valid = 1;
	t->sig_mask = set & ~SIG_UNBLOCKABLE_;
	return 0;
}

void wait_sigmask_done(long ret)
{
	struct thread *t = sched_current();

	/* -EINTR with a signal to deliver: the syscall exit runs the handler
	 * under the temporary mask and puts the saved one back. */
	if (!t->sig_saved_valid || (ret == -EINTR && sig_work))
		return;
	t->sig_mask = t->sig_saved_mask;
	t->sig_saved_valid = 0;
}

int wait_signal_pending(void)
{
	struct thread *t = sched_current();
	uint64_t p;

	if (!sig_work)
		return 0;
	p = t->sig_pending | (&sig_proc_pending ? sig_proc_pending : 0);
	return (p & ~t->sig_mask) != 0;
}

/* ---- the poll table: one thread-waking waiter per queue ------------------ */

#define PW_INLINE 8   /* entries on the stack */
#define PW_CHUNK 28   /* entries per allocated chunk (about 2 KiB) */

struct pw_entry {
	struct waiter w;
	struct file *f;  /* referenced while w is queued */
};

struct pw_chunk {
	struct pw_chunk *next;
	struct pw_entry e[PW_CHUNK];
};

struct poll_wq {
	struct poll_table pt;
	int n;                    /* entries used: inline first, then chunks */
	int error;                /* -ENOMEM: an entry could not be had */
	struct pw_chunk *chunks;  /* newest first */
	struct pw_entry inl[PW_INLINE];
};

static void pw_queue(struct poll_table *pt, struct file *f, struct waitq *q)
{
	struct poll_wq *pw = container_of(pt, struct poll_wq, pt);
	struct pw_entry *e;
	int i = pw->n - PW_INLINE;

	if (i < 0) {
		e = &pw->inl[pw->n];
	} else {
		if (i % PW_CHUNK == 0) {
			struct pw_chunk *c = kmalloc(sizeof(*c));
			if (!c) {
				pw->error = -ENOMEM;
				return;
			}
			c->next = pw->chunks;
			pw->chunks = c;
		}
		e = &pw->chunks->e[i % PW_CHUNK];
	}
	pw->n++;
	memset(&e->w, 0, sizeof(e->w));
	e->w.mask = pt->mask;
	e->w.thread = sched_current();
	e->f = f;
	file_get(f);
	waitq_add(q, &e->w);
}

static void pw_init(struct poll_wq *pw)
{
	pw->pt.queue = pw_queue;
	pw->pt.mask = 0;
	pw->n = 0;
	pw->error = 0;
	pw->chunks = NULL;
}

/* Apply fn to every entry. */
static void pw_each(struct poll_wq *pw, void (*fn)(struct pw_entry *))
{
	int left = pw->n - PW_INLINE;

	for (int i = 0; i < MIN(pw->n, PW_INLINE); i++)
		fn(&pw->inl[i]);
	for (struct pw_chunk *c = pw->chunks; c; c = c->next) {
		int k = left % PW_CHUNK ? left % PW_CHUNK : PW_CHUNK;
		for (int i = 0; i < k; i++)
			fn(&c->e[i]);
		left -= k;
	}
}

static void pw_unqueue(struct pw_entry *e) { waitq_remove(&e->w); }
static void pw_unref(struct pw_entry *e) { file_put(e->f); }

/* Every waiter comes off before any file goes: a last reference dropped
 * here may free a queue that another entry's waiter sits on. */
static void pw_free(struct poll_wq *pw)
{
	struct pw_chunk *c, *next;

	pw_each(pw, pw_unqueue);
	pw_each(pw, pw_unref);
	for (c = pw->chunks; c; c = next) {
		next = c->next;
		kfree(c);
	}
}

/* Block after a pass found nothing: 0 to pass again (with *timed_out set
 * for the last pass), or -EINTR. */
static int pw_sleep(uint64_t deadline, int *timed_out)
{
	int r;

	if (wait_signal_pending())
		return -EINTR;
	r = sched_block(deadline);
	if (r == -EINTR)
		return -EINTR;
	if (r == -ETIMEDOUT)
		*timed_out = 1;
	return 0;
}

/* After a pass over the descriptors: 1 to stop with *count the result
 * (ready count, -ENOMEM, -EINTR), 0 to sleep done and pass again. */
static int pw_pass_done(struct poll_wq *pw, long *count, uint64_t deadline,
			int *nowait)
{
	if (*count || *nowait)
		return 1;
	if (pw->error) {
		*count = pw->error;
		return 1;
	}
	*count = pw_sleep(deadline, nowait);
	return *count != 0;
}

/* ---- poll ------------------------------------------------------------------- */

static long do_poll(struct pollfd *fds, unsigned nfds, uint64_t deadline,
		    int nowait)
{
	struct poll_wq pw;
	struct poll_table *pt = nowait ? NULL : &pw.pt;
	long count;

	pw_init(&pw);
	for (;;) {
		count = 0;
		for (unsigned i = 0; i < nfds; i++) {
			struct pollfd *p = &fds[i];
			uint32_t want = (uint16_t)p->events | POLLERR | POLLHUP;
			struct file *f;

			p->revents = 0;
			if (p->fd < 0)
				continue;
			f = fd_get(p->fd);
			if (!f) {
				p->revents = POLLNVAL;
			} else {
				if (pt)
					pt->mask = wait_mask(want);
				p->revents = (short)(file_poll(f, pt) & want);
				file_put(f);
			}
			if (p->revents) {
				count++;
				pt = NULL; /* we will not sleep: stop queueing */
			}
		}
		pt = NULL;
		if (pw_pass_done(&pw, &count, deadline, &nowait))
			break;
	}
	pw_free(&pw);
	return count;
}

#define POLL_STACK 32

static long poll_common(struct pollfd *ufds, unsigned nfds, uint64_t deadline,
			int nowait)
{
	struct pollfd stack[POLL_STACK], *fds = stack;
	size_t bytes = (size_t)nfds * sizeof(*fds);
	long r;

	if (nfds > fd_limit())
		return -EINVAL;
	if (nfds > POLL_STACK && !(fds = kmalloc(bytes)))
		return -ENOMEM;
	r = copy_from_user(fds, ufds, bytes);
	if (!r)
		r = do_poll(fds, nfds, deadline, nowait);
	/* Linux writes revents back only on success. */
	if (r >= 0) {
		for (unsigned i = 0; i < nfds; i++)
			if (copy_to_user(&ufds[i].revents, &fds[i].revents,
					 sizeof(fds[i].revents))) {
				r = -EFAULT;
				break;
			}
	}
	if (fds != stack)
		kfree(fds);
	return r;
}

SYSCALL_DEFINE3(poll, struct pollfd *, ufds, unsigned int, nfds, int, ms)
{
	uint64_t deadline = ms > 0 ? wait_deadline((uint64_t)ms * 1000000) : 0;

	return poll_common(ufds, nfds, deadline, ms == 0);
}

/* Write the time left back to a program timespec (ppoll, pselect6). */
static void put_left_ts(struct timespec *uts, uint64_t deadline, int nowait)
{
	struct timespec ts;

	if (!uts || !deadline || nowait)
		return;
	ts = ns_ts(wait_left(deadline));
	copy_to_user(uts, &ts, sizeof(ts)); /* a fault loses only this */
}

SYSCALL_DEFINE5(ppoll, struct pollfd *, ufds, unsigned int, nfds,
		struct timespec *, uts, const uint64_t *, umask, size_t, size)
{
	uint64_t deadline;
	int nowait;
	long r = wait_timeout_ts(uts, &deadline);

	if (r)
		return r;
	nowait = deadline && deadline <= time_now_ns();
	r = wait_sigmask_set(umask, size);
	if (r)
		return r;
	r = poll_common(ufds, nfds, deadline, nowait);
	wait_sigmask_done(r);
	put_left_ts(uts, deadline, nowait);
	return r;
}

/* ---- select ----------------------------------------------------------------- */

#define POLLIN_SET (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET (POLLPRI)
#define LBITS (8 * sizeof(unsigned long))

/* in[0..2] the program's sets (read, write, except), out[0..2] results;
 * each of `words` longs. */
static long do_select(int n, unsigned long *in[3], unsigned long *out[3],
		      size_t words, uint64_t deadline, int nowait)
{
	static const uint32_t sets[3] = { POLLIN_SET, POLLOUT_SET, POLLEX_SET };
	struct poll_wq pw;
	struct poll_table *pt = nowait ? NULL : &pw.pt;
	long count;

	/* Every descriptor named must be open (Linux checks this first). */
	for (int fd = 0; fd < n; fd++) {
		unsigned long bit = 1UL << (fd % LBITS);
		size_t w = (size_t)fd / LBITS;
		struct file *f;

		if (!((in[0][w] | in[1][w] | in[2][w]) & bit))
			continue;
		if (!(f = fd_get(fd)))
			return -EBADF;
		file_put(f);
	}
	pw_init(&pw);
	for (;;) {
		count = 0;
		for (int k = 0; k < 3; k++)
			memset(out[k], 0, words * sizeof(long));
		for (int fd = 0; fd < n; fd++) {
			unsigned long bit = 1UL << (fd % LBITS);
			size_t w = (size_t)fd / LBITS;
			uint32_t want = 0, m;
			struct file *f;

			for (int k = 0; k < 3; k++)
				if (in[k][w] & bit)
					want |= sets[k];
			if (!want || !(f = fd_get(fd)))
				continue;
			if (pt)
				pt->mask = wait_mask(want);
			m = file_poll(f, pt);
			file_put(f);
			for (int k = 0; k < 3; k++)
				if ((in[k][w] & bit) && (m & sets[k])) {
					out[k][w] |= bit;
					count++;
					pt = NULL;
				}
		}
		pt = NULL;
		if (pw_pass_done(&pw, &count, deadline, &nowait))
			break;
	}
	pw_free(&pw);
	return count;
}

#define SELECT_STACK_BITS 1024 /* FD_SETSIZE: bigger sets are allocated */

static long select_common(int n, fd_set *uin[3], uint64_t deadline, int nowait)
{
	unsigned long stack[6][SELECT_STACK_BITS / LBITS], *buf = stack[0];
	unsigned long *in[3], *out[3];
	size_t words, bytes;
	long r = 0;

	if (n < 0)
		return -EINVAL;
	if ((unsigned)n > fd_limit())
		n = (int)fd_limit(); /* as Linux, descriptors above are ignored */
	words = ((size_t)n + LBITS - 1) / LBITS;
	bytes = words * sizeof(long);
	if (n > SELECT_STACK_BITS && !(buf = kmalloc(6 * bytes)))
		return -ENOMEM;
	for (int k = 0; k < 3; k++) {
		in[k] = buf + k * words;
		out[k] = buf + (3 + k) * words;
		if (!uin[k])
			memset(in[k], 0, bytes);
		else if (copy_from_user(in[k], uin[k], bytes))
			r = -EFAULT;
	}
	if (!r)
		r = do_select(n, in, out, words, deadline, nowait);
	for (int k = 0; k < 3 && r >= 0; k++)
		if (uin[k] && copy_to_user(uin[k], out[k], bytes))
			r = -EFAULT;
	if (buf != stack[0])
		kfree(buf);
	return r;
}

SYSCALL_DEFINE5(select, int, n, fd_set *, rfds, fd_set *, wfds, fd_set *, efds,
		struct timeval *, utv)
{
	fd_set *sets[3] = { rfds, wfds, efds };
	uint64_t deadline = 0;
	int nowait = 0;
	struct timeval tv;
	long r;

	if (utv) {
		uint64_t ns;

		if (copy_from_user(&tv, utv, sizeof(tv)))
			return -EFAULT;
		/* Linux folds whole seconds out of tv_usec, then checks. */
		tv.tv_sec += tv.tv_usec / 1000000;
		tv.tv_usec %= 1000000;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		ns = (uint64_t)tv.tv_sec < WAIT_FOREVER_NS / NSEC_PER_SEC
			     ? (uint64_t)tv.tv_sec * NSEC_PER_SEC +
				       (uint64_t)tv.tv_usec * 1000
			     : WAIT_FOREVER_NS;
		nowait = ns == 0;
		deadline = wait_deadline(ns);
	}
	r = select_common(n, sets, deadline, nowait);
	if (utv && !nowait && deadline) {
		uint64_t left = wait_left(deadline);
		tv.tv_sec = (time_t)(left / NSEC_PER_SEC);
		tv.tv_usec = (suseconds_t)(left % NSEC_PER_SEC / 1000);
		copy_to_user(utv, &tv, sizeof(tv)); /* a fault loses only this */
	}
	return r;
}

/* pselect6's sixth argument: the mask and its size. */
struct sigset_arg {
	const uint64_t *mask;
	size_t size;
};

SYSCALL_DEFINE6(pselect6, int, n, fd_set *, rfds, fd_set *, wfds,
		fd_set *, efds, struct timespec *, uts,
		const struct sigset_arg *, usig)
{
	fd_set *sets[3] = { rfds, wfds, efds };
	struct sigset_arg sig = { 0, 0 };
	uint64_t deadline;
	int nowait;
	long r = wait_timeout_ts(uts, &deadline);

	if (r)
		return r;
	nowait = deadline && deadline <= time_now_ns();
	if (usig && copy_from_user(&sig, usig, sizeof(sig)))
		return -EFAULT;
	r = wait_sigmask_set(sig.mask, sig.size);
	if (r)
		return r;
	r = select_common(n, sets, deadline, nowait);
	wait_sigmask_done(r);
	put_left_ts(uts, deadline, nowait);
	return r;
}
