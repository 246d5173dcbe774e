/*
 * pipe.c - pipes and FIFOs: pipe, pipe2, F_GETPIPE_SZ/F_SETPIPE_SZ,
 * FIONREAD, and opening a FIFO node (fifo_open, called by ramfs).
 *
 * Layer: kernel fs, a file type (uni/file.h) over wait queues (uni/wait.h).
 * Both ends of a pipe are struct files sharing one struct pipe: a ring of
 * a power-of-two number of pages (16 by default, 64 KiB as on Linux) and
 * one wait queue. Readers wait for POLLIN, writers for POLLOUT; poll,
 * select and epoll hang on the same queue. POSIX's rules: a write of at
 * most PIPE_BUF bytes goes in whole or not at all (never interleaved with
 * another writer); a larger one may be split. Reading with no writer left
 * is EOF; writing with no reader left is EPIPE plus SIGPIPE to the writing
 * thread. The pipe is freed when its last end is released.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/proc.h>
#include <uni/sched.h>
#include <uni/signal.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include <uni/uaccess.h>
#include <uni/vfs.h>
#include "wait_priv.h"

#define PIPE_DEF_SIZE (16 * UNI_PAGE_SIZE)
#define PIPE_MAX_SIZE (1024 * 1024)  /* Linux's default pipe-max-size */
#define PIPE_DEV 12                   /* st_dev of pipes (0:12, "pipefs") */

/* Invariants: size is a power of two >= PIPE_BUF; 0 <= len <= size; the
 * bytes held are buf[(head + i) & (size - 1)] for i < len. readers and
 * writers count the struct files open on each end (an O_RDWR FIFO file
 * counts as both). */
struct pipe {
	char *buf;
	uint32_t size;
	uint32_t head;        /* first unread byte */
	uint32_t len;         /* bytes held */
	int readers, writers;
	unsigned r_opens, w_opens; /* FIFO: ends ever opened, for open waits */
	struct waitq q;
	uint64_t ino;
	uint64_t ctime_ns;    /* creation, CLOCK_REALTIME, for fstat */
	struct vnode *fifo;   /* the FIFO node, NULL for pipe(2) */
	struct pipe *next;    /* list of open FIFOs */
};

/* Only a FIFO's file has a vnode, and then the VFS is linked: weak, so
 * that pipe(2) alone does not pull the VFS in. */
void vnode_stat(struct vnode *vn, struct stat *st) __attribute__((weak));

static uint64_t next_ino = 1;
static struct pipe *fifos;
static const struct file_ops pipe_fops;

static struct pipe *pipe_new(void)
{
	struct pipe *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->buf = kmalloc(PIPE_DEF_SIZE);
	if (!p->buf) {
		kfree(p);
		return NULL;
	}
	p->size = PIPE_DEF_SIZE;
	p->ino = next_ino++;
	p->ctime_ns = time_wall_base_ns() + time_now_ns();
	return p;
}

static void pipe_free(struct pipe *p)
{
	KASSERT(!waitq_active(&p->q));
	if (p->fifo) {
		struct pipe **pp = &fifos;
		while (*pp != p)
			pp = &(*pp)->next;
		*pp = p->next;
	}
	kfree(p->buf);
	kfree(p);
}

/* ---- the ring ----------------------------------------------------------- */

/* Move n <= len bytes out to the program; fewer on a fault. */
static size_t ring_out(struct pipe *p, struct iov_iter *it, size_t n)
{
	size_t done = 0;

	while (done < n) {
		size_t chunk = MIN(n - done, p->size - p->head);
		size_t c = iter_copy_to(it, p->buf + p->head, chunk);

		p->head = (p->head + c) & (p->size - 1);
		p->len -= c;
		done += c;
		if (c < chunk)
			break;
	}
	if (!p->len)
		p->head = 0; /* keep later writes contiguous */
	return done;
}

/* Move n <= size - len bytes in from the program; fewer on a fault. */
static size_t ring_in(struct pipe *p, struct iov_iter *it, size_t n)
{
	size_t done = 0;

	while (done < n) {
		uint32_t tail = (p->head + p->len) & (p->size - 1);
		size_t chunk = MIN(n - done, p->size - tail);
		size_t c = iter_copy_from(it, p->buf + tail, chunk);

		p->len += c;
		done += c;
		if (c < chunk)
			break;
	}
	return done;
}

/* ---- file ops ------------------------------------------------------------- */

static long pipe_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct pipe *p = f->priv;
	size_t c;

	if (!it->count)
		return 0;
	while (!p->len) {
		if (!p->writers)
			return 0;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (waitq_block(&p->q, POLLIN | POLLRDNORM | POLLHUP, 0))
			return -ERESTARTSYS;
	}
	c = ring_out(p, it, MIN((size_t)p->len, it->count));
	if (c)
		waitq_wake(&p->q, POLLOUT | POLLWRNORM);
	return c ? (long)c : -EFAULT;
}

static long pipe_write(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct pipe *p = f->priv;
	size_t total = it->count, done = 0;
	/* Atomic writes need room for all of it, larger ones any room. */
	size_t need = total <= PIPE_BUF ? total : 1;

	if (!total)
		return 0;
	for (;;) {
		size_t room = p->size - p->len, n, c;

		if (!p->readers) {
			struct sig_info info = { .code = SI_USER, .pid = UNI_PID };
			sig_send(sched_current(), SIGPIPE, &info);
			return done ? (long)done : -EPIPE;
		}
		if (room >= need) {
			n = MIN(room, total - done);
			c = ring_in(p, it, n);
			done += c;
			if (c)
				waitq_wake(&p->q, POLLIN | POLLRDNORM);
			if (c < n)
				return done ? (long)done : -EFAULT;
			if (done == total)
				return (long)done;
			continue;
		}
		if (f->flags & O_NONBLOCK)
			return done ? (long)done : -EAGAIN;
		if (waitq_block(&p->q, POLLOUT | POLLWRNORM | POLLERR, 0))
			return done ? (long)done : -ERESTARTSYS;
	}
}

static uint32_t pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->priv;
	uint32_t m = 0;

	poll_wait(f, &p->q, pt);
	if (file_readable(f)) {
		if (p->len)
			m |= POLLIN | POLLRDNORM;
		if (!p->writers)
			m |= POLLHUP;
	}
	if (file_writable(f)) {
		if (p->size - p->len >= PIPE_BUF)
			m |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			m |= POLLERR;
	}
	return m;
}

static long pipe_ioctl(struct file *f, unsigned long req, void *uarg)
{
	struct pipe *p = f->priv;
	int n = (int)p->len;

	if (req != FIONREAD)
		return -ENOTTY;
	return copy_to_user(uarg, &n, sizeof(n));
}

static int pipe_stat(struct file *f, struct stat *st)
{
	struct pipe *p = f->priv;

	if (f->vn) { /* a FIFO: the node's own attributes */
		vnode_stat(f->vn, st);
		return 0;
	}
	memset(st, 0, sizeof(*st));
	st->st_dev = PIPE_DEV;
	st->st_ino = p->ino;
	st->st_mode = S_IFIFO | S_IRUSR | S_IWUSR;
	st->st_nlink = 1;
	st->st_blksize = UNI_PAGE_SIZE;
	st->st_atim.tv_sec = (time_t)(p->ctime_ns / NSEC_PER_SEC);
	st->st_atim.tv_nsec = (long)(p->ctime_ns % NSEC_PER_SEC);
	st->st_mtim = st->st_ctim = st->st_atim;
	return 0;
}

/* Drop one end: the other side learns it at once (EOF or EPIPE). */
static void pipe_drop(struct pipe *p, int reader, int writer)
{
	if (reader && !--p->readers)
		waitq_wake(&p->q, POLLERR | POLLOUT | POLLWRNORM);
	if (writer && !--p->writers)
		waitq_wake(&p->q, POLLHUP | POLLIN | POLLRDNORM);
	if (!p->readers && !p->writers)
		pipe_free(p);
}

static void pipe_release(struct file *f)
{
	pipe_drop(f->priv, file_readable(f), file_writable(f));
}

static const struct file_ops pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.stat = pipe_stat,
	.release = pipe_release,
	.stream = 1,
	.anon_name = "pipe",
};

/* ---- pipe sizes (fcntl) --------------------------------------------------- */

static long pipe_resize(struct pipe *p, unsigned long arg)
{
	unsigned long size = UNI_PAGE_SIZE;
	char *buf;

	if (arg > (1UL << 31))
		return -EINVAL;
	while (size < arg)
		size <<= 1; /* Linux rounds to a power of two pages */
	if (size > PIPE_MAX_SIZE)
		return -EPERM;
	if (size < p->len)
		return -EBUSY;
	if (size == p->size)
		return (long)size;
	buf = kmalloc(size);
	if (!buf)
		return -ENOMEM;
	/* Straighten the ring into the new buffer. */
	for (uint32_t i = 0; i < p->len;) {
		uint32_t chunk = MIN(p->len - i, p->size - p->head);
		memcpy(buf + i, p->buf + p->head, chunk);
		p->head = (p->head + chunk) & (p->size - 1);
		i += chunk;
	}
	kfree(p->buf);
	p->buf = buf;
	p->size = (uint32_t)size;
	p->head = 0;
	waitq_wake(&p->q, POLLOUT | POLLWRNORM);
	return (long)size;
}

long pipe_fcntl(struct file *f, int cmd, unsigned long arg)
{
	struct pipe *p = f->priv;

	if (f->ops != &pipe_fops)
		return -EBADF; /* as Linux: not a pipe */
	if (cmd == F_GETPIPE_SZ)
		return p->size;
	if (cmd == F_SETPIPE_SZ)
		return pipe_resize(p, (unsigned int)arg);
	return -EINVAL;
}

/* ---- pipe(2) ---------------------------------------------------------------- */

static long do_pipe2(int *ufds, int flags)
{
	unsigned fl = (unsigned)flags & O_NONBLOCK;
	int cloexec = !!(flags & O_CLOEXEC), fds[2];
	struct file *r, *w;
	struct pipe *p;

	/* O_DIRECT (packet mode) is not supported. */
	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	p = pipe_new();
	if (!p)
		return -ENFILE;
	r = file_alloc(&pipe_fops, O_RDONLY | fl, NULL, p);
	if (!r) {
		pipe_free(p);
		return -ENFILE;
	}
	p->readers = 1;
	w = file_alloc(&pipe_fops, O_WRONLY | fl, NULL, p);
	if (!w) {
		file_put(r);
		return -ENFILE;
	}
	p->writers = 1;
	fds[0] = fd_install(r, 0, cloexec);
	if (fds[0] < 0) {
		file_put(r);
		file_put(w);
		return fds[0];
	}
	fds[1] = fd_install(w, 0, cloexec);
	if (fds[1] < 0) {
		fd_close(fds[0]);
		file_put(w);
		return fds[1];
	}
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		fd_close(fds[0]);
		fd_close(fds[1]);
		return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE2(pipe2, int *, ufds, int, flags)
{
	return do_pipe2(ufds, flags);
}

SYSCALL_DEFINE1(pipe, int *, ufds)
{
	return do_pipe2(ufds, 0);
}

/* ---- FIFOs ----------------------------------------------------------------- */

/* Open a FIFO node (ramfs's open op calls this for S_IFIFO): POSIX's
 * rules: a reader waits for a writer and a writer for a reader unless
 * O_NONBLOCK (then a writer without a reader gets ENXIO); O_RDWR never
 * waits. All files open on one node share one pipe; when the last closes
 * the pipe and its data go, as on Linux. */
int fifo_open(struct vnode *vn, struct file *f)
{
	int rd = file_readable(f), wr = file_writable(f);
	int nonblock = !!(f->flags & O_NONBLOCK);
	struct pipe *p;

	for (p = fifos; p && p->fifo != vn; p = p->next)
		;
	if (!p && wr && !rd && nonblock)
		return -ENXIO;
	if (!p) {
		p = pipe_new();
		if (!p)
			return -ENOMEM;
		p->fifo = vn;
		p->next = fifos;
		fifos = p;
	}
	if (wr && !rd && nonblock && !p->readers)
		return -ENXIO;
	p->readers += rd;
	p->writers += wr;
	p->r_opens += rd;
	p->w_opens += wr;
	waitq_wake(&p->q, 0);
	if (!nonblock && rd != wr) {
		/* Wait until the other end has been opened (even if it has
		 * been closed again since, as Linux). */
		unsigned *other = rd ? &p->w_opens : &p->r_opens;
		unsigned seen = *other;
		int has_other = rd ? p->writers : p->readers;

		while (!has_other && *other == seen)
			if (waitq_block(&p->q, 0, 0)) {
				pipe_drop(p, rd, wr);
				return -ERESTARTSYS;
			}
	}
	f->ops = &pipe_fops;
	f->priv = p;
	return 0;
}
