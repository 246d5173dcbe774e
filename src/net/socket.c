/*
 * socket.c - the socket file type: struct socket allocation, the file
 * ops every socket shares (read/write as recvmsg/sendmsg, poll, ioctl,
 * fstat, release), the wait helper families block with, and the family
 * table (sock_create).
 *
 * Layer: kernel net, between the fd table (uni/file.h) and the families
 * (uni/socket.h: af_inet_udp.c, af_unix.c, af_netlink.c). The syscalls
 * are in sys_socket.c, the SOL_SOCKET options in sockopt.c. Readiness:
 * the socket's one wait queue, sock->wq; families wake it with the poll
 * bits that changed, and poll/select/epoll hang on it through poll().
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/proc.h>
#include <uni/sched.h>
#include <uni/signal.h>
#include <uni/socket.h>
#include <uni/time.h>
#include <uni/uaccess.h>
#include "sock_priv.h"

#define SOCKFS_DEV 8 /* st_dev 0:8, Linux's sockfs */

static const struct file_ops sock_fops;
static uint64_t sock_next_ino = 1;

struct socket *sock_alloc(void)
{
	struct sock_full *sf = kzalloc(sizeof(*sf));
	struct socket *s;

	if (!sf)
		return NULL;
	s = &sf->s;
	waitq_init(&s->wq);
	s->rcvbuf = SOCK_RMEM_MAX;
	s->sndbuf = SOCK_WMEM_MAX;
	s->rcvlowat = 1;
	sf->ino = sock_next_ino++;
	return s;
}

static void sock_free(struct socket *s)
{
	KASSERT(!waitq_active(&s->wq));
	kfree((struct sock_full *)s);
}

int sock_make_file(struct socket *s, unsigned flags, struct file **out)
{
	struct file *f = file_alloc(&sock_fops, O_RDWR | (flags & O_NONBLOCK),
				    NULL, s);

	if (!f)
		return -ENFILE;
	s->file = f;
	*out = f;
	return 0;
}

struct socket *sock_from_file(struct file *f)
{
	return f && f->ops == &sock_fops ? f->priv : NULL;
}

int sock_wait(struct socket *s, uint32_t mask, int for_send, int flags)
{
	uint64_t timeo = for_send ? s->sndtimeo : s->rcvtimeo;
	int r;

	if ((flags & MSG_DONTWAIT) || (s->file && (s->file->flags & O_NONBLOCK)))
		return -EAGAIN;
	r = waitq_block(&s->wq, mask | POLLERR | POLLHUP,
			timeo ? time_now_ns() + timeo : 0);
	if (r == -ETIMEDOUT)
		return -EAGAIN;
	if (r)
		/* Linux: a socket with a timeout is not restarted. */
		return timeo ? -EINTR : -ERESTARTSYS;
	return 0;
}

/* ---- file ops ----------------------------------------------------------- */

/* EPIPE on a stream socket raises SIGPIPE unless MSG_NOSIGNAL, as Linux. */
void sock_sigpipe(struct socket *s, long r, int flags)
{
	struct sig_info info = { .code = SI_USER, .pid = UNI_PID };

	if (r == -EPIPE && !(flags & MSG_NOSIGNAL) &&
	    (s->type == SOCK_STREAM || s->type == SOCK_SEQPACKET))
		sig_send(sched_current(), SIGPIPE, &info);
}

static long sock_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct socket *s = f->priv;
	struct kmsg m = { .it = it };

	if (!s->ops->recvmsg)
		return -EINVAL;
	return s->ops->recvmsg(s, &m, 0);
}

static long sock_write(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct socket *s = f->priv;
	struct kmsg m = { .it = it };
	long r;

	if (!s->ops->sendmsg)
		return -EINVAL;
	r = s->ops->sendmsg(s, &m, 0);
	sock_sigpipe(s, r, 0);
	return r;
}

/* Families whose readiness changes only through s->wq leave the queueing
 * to this; a family with other queues hands those to poll_wait itself. */
static uint32_t sock_poll(struct file *f, struct poll_table *pt)
{
	struct socket *s = f->priv;

	poll_wait(f, &s->wq, pt);
	return s->ops->poll ? s->ops->poll(s, pt) : POLLNVAL;
}

static long sock_ioctl(struct file *f, unsigned long req, void *uarg)
{
	struct socket *s = f->priv;
	long r;
	int n;

	switch (req) {
	case FIONREAD:
		if (!s->ops->pending)
			return -ENOTTY;
		n = s->ops->pending(s);
		if (n < 0)
			return n;
		return copy_to_user(uarg, &n, sizeof(n));
	}
	r = ifreq_ioctl(req, uarg);
	if (r != -ENOTTY)
		return r;
	return s->ops->ioctl ? s->ops->ioctl(s, req, uarg) : -ENOTTY;
}

static int sock_stat(struct file *f, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = SOCKFS_DEV;
	st->st_ino = ((struct sock_full *)f->priv)->ino;
	st->st_mode = S_IFSOCK | 0777;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	return 0;
}

static void sock_release(struct file *f)
{
	struct socket *s = f->priv;

	if (s->ops && s->ops->release)
		s->ops->release(s);
	sock_free(s);
}

static const struct file_ops sock_fops = {
	.read = sock_read,
	.write = sock_write,
	.poll = sock_poll,
	.ioctl = sock_ioctl,
	.stat = sock_stat,
	.release = sock_release,
	.stream = 1,
	.anon_name = "socket",
};

/* ---- creating sockets ------------------------------------------------------ */

static const struct sock_family *const sock_families[] = {
	&unix_family,
	&inet_family,
	&netlink_family,
};

/* A socket of (family, type, protocol) without a file: -EAFNOSUPPORT for
 * an unknown family, else the family's answer. */
int sock_create(int family, int type, int protocol, struct socket **out)
{
	const struct sock_family *fam = NULL;
	struct socket *s;
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(sock_families); i++)
		if (sock_families[i]->family == family)
			fam = sock_families[i];
	if (!fam)
		return -EAFNOSUPPORT;
	s = sock_alloc();
	if (!s)
		return -ENOMEM;
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	r = fam->create(s, type, protocol, 0);
	if (r) {
		sock_free(s);
		return r;
	}
	*out = s;
	return 0;
}

/* The socket's file for a new socket that has none: on failure the
 * socket is released. */
int sock_file_for(struct socket *s, unsigned flags, struct file **out)
{
	int r = sock_make_file(s, flags, out);

	if (r) {
		if (s->ops && s->ops->release)
			s->ops->release(s);
		sock_free(s);
	}
	return r;
}
