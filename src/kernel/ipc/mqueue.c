/*
 * mqueue.c - POSIX message queues: mq_open, mq_unlink, mq_timedsend,
 * mq_timedreceive, mq_getsetattr (mq_notify is in mq_notify.c).
 *
 * Layer: kernel ipc, a file type (uni/file.h) over the pure message list
 * of mq_store.c, waiting through uni/wait.h as pipes and eventfd do. The
 * namespace is Linux's mqueue root: one flat list of names (musl sends
 * them without their leading '/'). A queue lives while it has a name or
 * an open descriptor; mq_unlink takes the name only. Each descriptor is a
 * file whose priv is the queue: select/poll/epoll see it readable while a
 * message is queued and writable while there is room, and read() gives
 * Linux's one status line ("QSIZE:... NOTIFY:... SIGNO:... NOTIFY_PID:").
 * Queue memory is charged against RLIMIT_MSGQUEUE at creation (mq_charge),
 * so the messages, each kmalloc'd at its own size, stay within that bound.
 * Blocked senders and receivers wait on the queue's one waitq (POLLOUT,
 * POLLIN) until room or a message, an absolute CLOCK_REALTIME deadline,
 * or a signal (-ERESTARTSYS: SA_RESTART re-runs the call).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <uni/file.h>
#include <uni/ident.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/proc.h>
#include <uni/signal.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include <uni/uaccess.h>
#include <uni/vfs.h>
#include "priv.h"

#define MQ_FILENT_SIZE 80 /* st_size of a queue, as Linux reports it */

static struct mqueue *mq_names; /* the namespace */
static int mq_count;            /* queues alive, named or not */
static uint64_t mq_bytes;       /* charged against RLIMIT_MSGQUEUE */

static struct mqueue *mq_find(const char *name)
{
	struct mqueue *q;

	for (q = mq_names; q; q = q->next)
		if (!strcmp(q->name, name))
			return q;
	return NULL;
}

static void mq_put(struct mqueue *q)
{
	if (--q->refs)
		return;
	mq_store_clear(&q->st);
	mq_bytes -= q->charge;
	mq_count--;
	kfree(q);
}

/* Take q's name away (mq_unlink, or an mq_open that failed after it
 * created q); open descriptors keep the queue. */
static void mq_unname(struct mqueue *q)
{
	struct mqueue **link;

	for (link = &mq_names; *link != q; link = &(*link)->next)
		;
	*link = q->next;
	q->next = NULL;
	q->linked = 0;
	mq_put(q);
}

/* ---- the queue as a file ---------------------------------------------- */

static long mq_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct mqueue *q = f->priv;
	const struct mq_notify_reg *r = &q->notify;
	char line[96];
	size_t n, done;

	n = (size_t)ksnprintf(line, sizeof(line),
			      "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
			      (unsigned long)q->st.qsize, r->active ? r->how : 0,
			      r->active && r->how == SIGEV_SIGNAL ? r->signo : 0,
			      r->active ? UNI_PID : 0);
	if (*pos >= n)
		return 0;
	n = MIN(n - (size_t)*pos, it->count);
	done = iter_copy_to(it, line + *pos, n);
	if (!done && n)
		return -EFAULT;
	*pos += done;
	return (long)done;
}

static uint32_t mq_poll(struct file *f, struct poll_table *pt)
{
	struct mqueue *q = f->priv;
	uint32_t m = 0;

	poll_wait(f, &q->wq, pt);
	if (q->st.curmsgs)
		m |= POLLIN | POLLRDNORM;
	if (!mq_store_full(&q->st))
		m |= POLLOUT | POLLWRNORM;
	return m;
}

static int mq_stat(struct file *f, struct stat *st)
{
	struct mqueue *q = f->priv;

	memset(st, 0, sizeof(*st));
	st->st_dev = 0x12; /* an unnamed device, as Linux's mqueue mount */
	st->st_ino = (ino_t)(uintptr_t)q >> 4;
	st->st_mode = S_IFREG | q->mode;
	st->st_nlink = q->linked;
	st->st_uid = q->uid;
	st->st_gid = q->gid;
	st->st_size = MQ_FILENT_SIZE;
	st->st_blksize = 4096;
	return 0;
}

static void mq_release(struct file *f)
{
	struct mqueue *q = f->priv;

	/* The one process is always the registration's owner. */
	if (q->notify.active)
		mq_notify_remove(q);
	mq_put(q);
}

static const struct file_ops mq_fops = {
	.read = mq_read,
	.poll = mq_poll,
	.stat = mq_stat,
	.release = mq_release,
	.anon_name = "mqueue",
};

struct file *mq_fd_get(int fd)
{
	return fd_get_typed(fd, &mq_fops);
}

/* ---- mq_open, mq_unlink ----------------------------------------------- */

/* The name from the program: 0 and a kmalloc'd copy in *out, or -errno
 * (-ENOENT for an empty one, as Linux's getname). */
static int mq_get_name(const char *uname, char **out)
{
	char *buf = kmalloc(PATH_MAX);
	int r;

	if (!buf)
		return -ENOMEM;
	r = vfs_copy_path(buf, uname, 0);
	if (!r)
		r = mq_name_check(buf);
	if (r) {
		kfree(buf);
		return r;
	}
	*out = buf;
	return 0;
}

/* Linux's inode_permission on the queue: root passes, others by the
 * owner, group or other bits. */
static int mq_permission(const struct mqueue *q, int acc)
{
	const struct ident_cred *c;
	unsigned want = acc == O_RDONLY ? 4 : acc == O_WRONLY ? 2 : 6;
	unsigned bits = q->mode;

	if (ident_capable())
		return 0;
	c = ident_cred();
	if (c->fsuid == q->uid)
		bits >>= 6;
	else if (c->fsgid == q->gid)
		bits >>= 3;
	return (bits & want) == want ? 0 : -EACCES;
}

static int mq_create(const char *name, mode_t mode,
		     const struct mq_attr *attr, struct mqueue **out)
{
	struct mq_attr dfl = { .mq_maxmsg = MQ_DFL_MAXMSG,
			       .mq_msgsize = MQ_DFL_MSGSIZE };
	const struct ident_cred *c = ident_cred();
	struct mqueue *q;
	uint64_t charge;
	int capable = ident_capable();
	int r;

	if (!attr)
		attr = &dfl;
	else if ((r = mq_attr_check(attr, capable)))
		return r;
	if (mq_count >= MQ_QUEUES_MAX && !capable)
		return -ENOSPC;
	charge = mq_charge(attr->mq_maxmsg, attr->mq_msgsize);
	if (mq_bytes + charge > rlimit_cur(RLIMIT_MSGQUEUE))
		return -EMFILE;
	q = kzalloc(sizeof(*q) + strlen(name) + 1);
	if (!q)
		return -ENOMEM;
	strcpy(q->name, name);
	mq_store_init(&q->st, attr->mq_maxmsg, attr->mq_msgsize);
	waitq_init(&q->wq);
	q->mode = mode & ~vfs_umask() & 07777;
	q->uid = c->fsuid;
	q->gid = c->fsgid;
	q->charge = charge;
	q->refs = 1; /* the name's */
	q->linked = 1;
	q->next = mq_names;
	mq_names = q;
	mq_bytes += charge;
	mq_count++;
	*out = q;
	return 0;
}

static long do_mq_open(const char *uname, int oflag, mode_t mode,
		       const struct mq_attr *uattr)
{
	struct mq_attr attr;
	struct mqueue *q;
	struct file *f;
	char *name;
	int acc = oflag & 3, created = 0; /* musl's O_ACCMODE has O_PATH */
	long r;

	r = mq_get_name(uname, &name);
	if (r)
		return r;
	if ((oflag & O_CREAT) && uattr &&
	    copy_from_user(&attr, uattr, sizeof(attr))) {
		r = -EFAULT;
		goto out_name;
	}
	r = -EINVAL;
	if (acc == 3)
		goto out_name;
	q = mq_find(name);
	if (q) {
		r = -EEXIST;
		if ((oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			goto out_name;
		if ((r = mq_permission(q, acc)))
			goto out_name;
	} else {
		r = -ENOENT;
		if (!(oflag & O_CREAT))
			goto out_name;
		r = mq_create(name, mode, uattr ? &attr : NULL, &q);
		if (r)
			goto out_name;
		created = 1;
	}
	r = -ENOMEM;
	f = file_alloc(&mq_fops, (unsigned)(acc | (oflag & O_NONBLOCK)), NULL, q);
	if (!f)
		goto out_created;
	q->refs++; /* the file's, dropped by mq_release */
	/* Linux opens every queue descriptor close-on-exec. */
	r = fd_install(f, 0, 1);
	if (r < 0) {
		file_put(f);
		goto out_created;
	}
	kfree(name);
	return r;

out_created:
	if (created)
		mq_unname(q);
out_name:
	kfree(name);
	return r;
}

SYSCALL_DEFINE4(mq_open, const char *, uname, int, oflag, mode_t, mode,
		const struct mq_attr *, uattr)
{
	return do_mq_open(uname, oflag, mode, uattr);
}

SYSCALL_DEFINE1(mq_unlink, const char *, uname)
{
	const struct ident_cred *c;
	struct mqueue *q;
	char *name;
	long r;

	r = mq_get_name(uname, &name);
	if (r)
		return r;
	q = mq_find(name);
	kfree(name);
	if (!q)
		return -ENOENT;
	/* The mqueue root is root's and sticky (1777): only the queue's
	 * owner or a privileged process may remove a name. */
	c = ident_cred();
	if (c->fsuid != q->uid && c->fsuid != 0 && !ident_capable())
		return -EPERM;
	mq_unname(q);
	return 0;
}

/* ---- sending and receiving -------------------------------------------- */

/* The monotonic deadline of an absolute CLOCK_REALTIME time (checked):
 * at least 1 (0 means "no deadline" to waitq_block), and 0 for a time so
 * far away that no wait reaches it. */
static uint64_t mq_deadline(const struct timespec *ts)
{
	uint64_t base = time_wall_base_ns(), now = time_now_ns(), ns;

	if ((uint64_t)ts->tv_sec >= (1ULL << 33)) /* beyond the year 2242 */
		return 0;
	ns = timespec_ns(ts);
	if (ns <= base)
		return 1;
	ns -= base;
	if (ns > now && ns - now >= (1ULL << 60)) /* the timer's range */
		return 0;
	return ns;
}

/* Wait until q has room (send) or a message (receive). The timeout is
 * looked at only when the call has to block (POSIX: a call that can
 * complete at once never fails on it). 0, -EAGAIN, -EINVAL, -ETIMEDOUT,
 * or -ERESTARTSYS for a signal. */
static long mq_wait(struct file *f, struct mqueue *q, int send,
		    const struct timespec *ts)
{
	uint64_t deadline = 0;
	int r;

	while (send ? mq_store_full(&q->st) : !q->st.curmsgs) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (ts && !deadline) {
			if (!timespec_valid(ts))
				return -EINVAL;
			deadline = mq_deadline(ts);
			ts = NULL;
		}
		if (!send)
			q->receivers++;
		r = waitq_block(&q->wq, send ? POLLOUT : POLLIN, deadline);
		if (!send)
			q->receivers--;
		if (r == -EINTR)
			return -ERESTARTSYS;
		if (r)
			return r;
	}
	return 0;
}

/* The start of a send (sending) or a receive: the timeout copied in and
 * the queue file behind fd, open for that direction. 0 with *fp
 * referenced, or -EFAULT, -EBADF. */
static long mq_io_begin(int fd, int sending, const struct timespec *uts,
			struct timespec *ts, struct file **fp)
{
	struct file *f;

	if (uts && copy_from_user(ts, uts, sizeof(*ts)))
		return -EFAULT;
	f = mq_fd_get(fd);
	if (!f)
		return -EBADF;
	if (sending ? !file_writable(f) : !file_readable(f)) {
		file_put(f);
		return -EBADF;
	}
	*fp = f;
	return 0;
}

static long do_mq_send(int fd, const char *ubuf, size_t len, unsigned prio,
		       const struct timespec *uts)
{
	struct timespec ts;
	struct mq_msg *m = NULL;
	struct mqueue *q;
	struct file *f;
	int was_empty;
	long r;

	if (prio >= MQ_PRIO_LIMIT)
		return -EINVAL;
	r = mq_io_begin(fd, 1, uts, &ts, &f);
	if (r)
		return r;
	q = f->priv;
	r = -EMSGSIZE;
	if (len > (size_t)q->st.msgsize)
		goto out;
	r = -ENOMEM;
	m = kmalloc(sizeof(*m) + len);
	if (!m)
		goto out;
	r = -EFAULT;
	if (copy_from_user(m->data, ubuf, len))
		goto out;
	m->len = len;
	m->prio = prio;
	r = mq_wait(f, q, 1, uts ? &ts : NULL);
	if (r)
		goto out;
	was_empty = !q->st.curmsgs;
	mq_store_put(&q->st, m);
	m = NULL;
	waitq_wake(&q->wq, POLLIN | POLLRDNORM);
	if (was_empty && !q->receivers && q->notify.active)
		mq_notify_arrived(q);
out:
	kfree(m);
	file_put(f);
	return r;
}

static long do_mq_receive(int fd, char *ubuf, size_t len, unsigned *uprio,
			  const struct timespec *uts)
{
	struct timespec ts;
	struct mq_msg *m;
	struct mqueue *q;
	struct file *f;
	long r;

	r = mq_io_begin(fd, 0, uts, &ts, &f);
	if (r)
		return r;
	q = f->priv;
	r = -EMSGSIZE;
	if (len < (size_t)q->st.msgsize)
		goto out;
	r = mq_wait(f, q, 0, uts ? &ts : NULL);
	if (r)
		goto out;
	/* Copy out first: a bad buffer leaves the message queued. */
	m = mq_store_peek(&q->st);
	r = -EFAULT;
	if (copy_to_user(ubuf, m->data, m->len) ||
	    (uprio && copy_to_user(uprio, &m->prio, sizeof(*uprio))))
		goto out;
	mq_store_take(&q->st);
	r = (long)m->len;
	kfree(m);
	waitq_wake(&q->wq, POLLOUT | POLLWRNORM);
out:
	file_put(f);
	return r;
}

SYSCALL_DEFINE5(mq_timedsend, int, fd, const char *, ubuf, size_t, len,
		unsigned, prio, const struct timespec *, uts)
{
	return do_mq_send(fd, ubuf, len, prio, uts);
}

SYSCALL_DEFINE5(mq_timedreceive, int, fd, char *, ubuf, size_t, len,
		unsigned *, uprio, const struct timespec *, uts)
{
	return do_mq_receive(fd, ubuf, len, uprio, uts);
}

/* ---- attributes -------------------------------------------------------- */

static long do_mq_getsetattr(int fd, const struct mq_attr *unew,
			     struct mq_attr *uold)
{
	struct mq_attr n, o;
	struct mqueue *q;
	struct file *f;
	long r = 0;

	if (unew) {
		if (copy_from_user(&n, unew, sizeof(n)))
			return -EFAULT;
		if (n.mq_flags & ~(long)O_NONBLOCK)
			return -EINVAL;
	}
	f = mq_fd_get(fd);
	if (!f)
		return -EBADF;
	q = f->priv;
	memset(&o, 0, sizeof(o));
	o.mq_flags = (long)(f->flags & O_NONBLOCK);
	o.mq_maxmsg = q->st.maxmsg;
	o.mq_msgsize = q->st.msgsize;
	o.mq_curmsgs = q->st.curmsgs;
	if (unew)
		f->flags = (f->flags & ~(unsigned)O_NONBLOCK) |
			   (unsigned)(n.mq_flags & O_NONBLOCK);
	if (uold && copy_to_user(uold, &o, sizeof(o)))
		r = -EFAULT;
	file_put(f);
	return r;
}

SYSCALL_DEFINE3(mq_getsetattr, int, fd, const struct mq_attr *, unew,
		struct mq_attr *, uold)
{
	return do_mq_getsetattr(fd, unew, uold);
}
