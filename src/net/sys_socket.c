/*
 * sys_socket.c - the socket syscalls: socket, socketpair, bind, connect,
 * listen, accept, accept4, sendto, recvfrom, sendmsg, recvmsg, sendmmsg,
 * recvmmsg, getsockname, getpeername, shutdown.
 *
 * Layer: kernel net, syscall entry points over socket.c and the families'
 * sock_ops (uni/socket.h). This file moves everything across the program
 * boundary: addresses (at most SOCK_ADDR_MAX bytes), iovecs (into an
 * iov_iter over the program's buffers) and control buffers are copied
 * into kernel memory before a family sees them and copied back after,
 * so families work on kernel memory only (the data excepted).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/socket.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include <uni/uaccess.h>
#include "sock_priv.h"

#define CONTROL_MAX 20480 /* Linux's net.core.optmem_max */

/* The socket at fd with a file reference (*fp, dropped by the caller). */
static struct socket *sock_get(int fd, struct file **fp, long *err)
{
	struct file *f = fd_get(fd);
	struct socket *s;

	*err = -EBADF;
	if (!f)
		return NULL;
	s = sock_from_file(f);
	if (!s) {
		file_put(f);
		*err = -ENOTSOCK;
		return NULL;
	}
	*fp = f;
	return s;
}

#define SOCK_GET(fd) \
	struct file *f_; \
	long r_; \
	struct socket *s = sock_get(fd, &f_, &r_); \
	if (!s) \
		return r_

static long addr_in(void *k, const void *uaddr, socklen_t len)
{
	if ((int)len < 0 || len > SOCK_ADDR_MAX)
		return -EINVAL;
	memset((char *)k + len, 0, SOCK_ADDR_MAX - len);
	return copy_from_user(k, uaddr, len);
}

/* Copy an address out as Linux's move_addr_to_user: at most *ulen bytes,
 * and the full length into *ulen. */
static long addr_out(const void *k, socklen_t klen, void *uaddr,
		     socklen_t *ulen)
{
	socklen_t len;

	if (!uaddr)
		return 0;
	if (copy_from_user(&len, ulen, sizeof(len)))
		return -EFAULT;
	if ((int)len < 0)
		return -EINVAL;
	if (copy_to_user(uaddr, k, MIN(len, klen)) ||
	    copy_to_user(ulen, &klen, sizeof(klen)))
		return -EFAULT;
	return 0;
}

/* ---- creating and naming ---------------------------------------------- */

static long install(struct socket *s, int flags)
{
	struct file *f;
	long r = sock_file_for(s, (unsigned)flags & SOCK_NONBLOCK, &f);

	if (r)
		return r;
	r = fd_install(f, 0, !!(flags & SOCK_CLOEXEC));
	if (r < 0)
		file_put(f);
	return r;
}

SYSCALL_DEFINE3(socket, int, family, int, type, int, protocol)
{
	int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct socket *s;
	long r;

	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (type & ~0xf)
		return -EINVAL;
	if (family < 0 || family >= AF_MAX)
		return -EAFNOSUPPORT;
	r = sock_create(family, type, protocol, &s);
	if (r)
		return r;
	return install(s, flags);
}

SYSCALL_DEFINE4(socketpair, int, family, int, type, int, protocol, int *, usv)
{
	int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC), fds[2];
	struct socket *a, *b;
	struct file *fa, *fb;
	long r;

	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (type & ~0xf)
		return -EINVAL;
	if (family < 0 || family >= AF_MAX)
		return -EAFNOSUPPORT;
	r = sock_create(family, type, protocol, &a);
	if (r)
		return r;
	if ((r = sock_file_for(a, (unsigned)flags & SOCK_NONBLOCK, &fa)))
		return r;
	if (!a->ops->socketpair) {
		file_put(fa);
		return -EOPNOTSUPP;
	}
	if ((r = sock_create(family, type, protocol, &b))) {
		file_put(fa);
		return r;
	}
	if ((r = sock_file_for(b, (unsigned)flags & SOCK_NONBLOCK, &fb))) {
		file_put(fa);
		return r;
	}
	r = a->ops->socketpair(a, b);
	if (r)
		goto put_both;
	fds[0] = fd_install(fa, 0, !!(flags & SOCK_CLOEXEC));
	if (fds[0] < 0) {
		r = fds[0];
		goto put_both;
	}
	fds[1] = fd_install(fb, 0, !!(flags & SOCK_CLOEXEC));
	if (fds[1] < 0) {
		fd_close(fds[0]);
		file_put(fb);
		return fds[1];
	}
	if (copy_to_user(usv, fds, sizeof(fds))) {
		fd_close(fds[0]);
		fd_close(fds[1]);
		return -EFAULT;
	}
	return 0;
put_both:
	file_put(fa);
	file_put(fb);
	return r;
}

SYSCALL_DEFINE3(bind, int, fd, const struct sockaddr *, uaddr, socklen_t, len)
{
	char k[SOCK_ADDR_MAX];
	SOCK_GET(fd);

	r_ = addr_in(k, uaddr, len);
	if (!r_)
		r_ = s->ops->bind ? s->ops->bind(s, (struct sockaddr *)k, len)
				  : -EOPNOTSUPP;
	file_put(f_);
	return r_;
}

SYSCALL_DEFINE3(connect, int, fd, const struct sockaddr *, uaddr, socklen_t, len)
{
	char k[SOCK_ADDR_MAX];
	SOCK_GET(fd);

	r_ = addr_in(k, uaddr, len);
	if (!r_)
		r_ = s->ops->connect ? s->ops->connect(s, (struct sockaddr *)k,
						       len, f_->flags)
				     : -EOPNOTSUPP;
	file_put(f_);
	return r_;
}

SYSCALL_DEFINE2(listen, int, fd, int, backlog)
{
	SOCK_GET(fd);

	r_ = s->ops->listen ? s->ops->listen(s, backlog) : -EOPNOTSUPP;
	file_put(f_);
	return r_;
}

static long do_accept(int fd, struct sockaddr *uaddr, socklen_t *ulen,
		      int flags)
{
	char k[SOCK_ADDR_MAX];
	socklen_t klen = sizeof(k);
	struct socket *ns;
	struct file *nf;
	long r;
	SOCK_GET(fd);

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
		r = -EINVAL;
		goto put;
	}
	if (!s->ops->accept) {
		r = -EOPNOTSUPP;
		goto put;
	}
	r = s->ops->accept(s, &ns, f_->flags);
	if (r)
		goto put;
	if (!ns->file) {
		r = sock_file_for(ns, (unsigned)flags & SOCK_NONBLOCK, &nf);
		if (r)
			goto put;
	} else {
		nf = ns->file;
		nf->flags = (nf->flags & ~O_NONBLOCK) |
			    ((unsigned)flags & SOCK_NONBLOCK);
	}
	if (uaddr) {
		r = ns->ops->getname ? ns->ops->getname(ns, (struct sockaddr *)k,
							&klen, 1)
				     : -EOPNOTSUPP;
		if (!r)
			r = addr_out(k, klen, uaddr, ulen);
		if (r) {
			file_put(nf); /* Linux too loses the connection */
			goto put;
		}
	}
	r = fd_install(nf, 0, !!(flags & SOCK_CLOEXEC));
	if (r < 0)
		file_put(nf);
put:
	file_put(f_);
	return r;
}

SYSCALL_DEFINE3(accept, int, fd, struct sockaddr *, uaddr, socklen_t *, ulen)
{
	return do_accept(fd, uaddr, ulen, 0);
}

SYSCALL_DEFINE4(accept4, int, fd, struct sockaddr *, uaddr, socklen_t *, ulen,
		int, flags)
{
	return do_accept(fd, uaddr, ulen, flags);
}

static long do_getname(int fd, struct sockaddr *uaddr, socklen_t *ulen,
		       int peer)
{
	char k[SOCK_ADDR_MAX];
	socklen_t klen = sizeof(k);
	socklen_t len;
	SOCK_GET(fd);

	memset(k, 0, sizeof(k));
	if (copy_from_user(&len, ulen, sizeof(len)))
		r_ = -EFAULT;
	else if ((int)len < 0)
		r_ = -EINVAL;
	else if (!s->ops->getname)
		r_ = -EOPNOTSUPP;
	else
		r_ = s->ops->getname(s, (struct sockaddr *)k, &klen, peer);
	if (!r_)
		r_ = addr_out(k, klen, uaddr, ulen);
	file_put(f_);
	return r_;
}

SYSCALL_DEFINE3(getsockname, int, fd, struct sockaddr *, uaddr, socklen_t *, ulen)
{
	return do_getname(fd, uaddr, ulen, 0);
}

SYSCALL_DEFINE3(getpeername, int, fd, struct sockaddr *, uaddr, socklen_t *, ulen)
{
	return do_getname(fd, uaddr, ulen, 1);
}

SYSCALL_DEFINE2(shutdown, int, fd, int, how)
{
	SOCK_GET(fd);

	if (how < SHUT_RD || how > SHUT_RDWR)
		r_ = -EINVAL;
	else
		r_ = s->ops->shutdown ? s->ops->shutdown(s, how) : -EOPNOTSUPP;
	file_put(f_);
	return r_;
}

/* ---- messages ----------------------------------------------------------- */

/* A message in kernel form with the buffers it needs. */
struct kmsg_buf {
	struct kmsg m;
	struct iov_iter it;
	struct iovec fast[IOV_FAST], *heap;
	char name[SOCK_ADDR_MAX];
	char ctl_fast[64];
	void *ctl_heap;
};

static void kmsg_free(struct kmsg_buf *b)
{
	kfree(b->heap);
	kfree(b->ctl_heap);
}

/* The message's vector (iter_import, as readv; above IOV_MAX it is
 * -EMSGSIZE, as Linux's sendmsg says). */
static long import_iov(struct kmsg_buf *b, const struct iovec *uiov,
		       size_t cnt)
{
	long r;

	if (cnt > IOV_MAX)
		return -EMSGSIZE;
	r = iter_import(&b->it, uiov, cnt, b->fast, &b->heap);
	if (!r)
		b->m.it = &b->it;
	return r;
}

/* Set up b from the program's msghdr hdr (already copied in). */
static long kmsg_import(struct kmsg_buf *b, const struct msghdr *hdr, int send)
{
	long r;

	b->heap = b->ctl_heap = NULL;
	memset(&b->m, 0, sizeof(b->m));
	r = import_iov(b, hdr->msg_iov, (size_t)hdr->msg_iovlen);
	if (r)
		return r;
	/* As Linux's copy_msghdr_from_user: a name longer than a
	 * sockaddr_storage is cut to it, an empty one is no name. */
	if (hdr->msg_name && (!send || hdr->msg_namelen)) {
		socklen_t nl = MIN(hdr->msg_namelen, (socklen_t)SOCK_ADDR_MAX);

		if ((int)hdr->msg_namelen < 0)
			return -EINVAL;
		b->m.name = b->name;
		b->m.namecap = sizeof(b->name);
		if (send) {
			r = addr_in(b->name, hdr->msg_name, nl);
			if (r)
				return r;
			b->m.namelen = nl;
		}
	}
	/* Linux: a receive without a control buffer gets MSG_CTRUNC if
	 * there was control data; a send's short buffer holds none. */
	if (hdr->msg_controllen && (send || hdr->msg_control)) {
		size_t n = hdr->msg_controllen;
		void *c = b->ctl_fast;

		if (n > INT_MAX)
			return -EINVAL;
		if (send && n > CONTROL_MAX)
			return -ENOBUFS;
		if (!send)
			n = MIN(n, (size_t)CONTROL_MAX);
		if (n > sizeof(b->ctl_fast)) {
			c = b->ctl_heap = kmalloc(n);
			if (!c)
				return -ENOMEM;
		}
		if (send && copy_from_user(c, hdr->msg_control, n))
			return -EFAULT;
		b->m.control = c;
		b->m.controlcap = n;
		b->m.controllen = send ? n : 0;
	}
	return 0;
}

static long sock_send(struct socket *s, struct kmsg *m, int flags)
{
	long r = s->ops->sendmsg ? s->ops->sendmsg(s, m, flags) : -EOPNOTSUPP;

	sock_sigpipe(s, r, flags);
	return r;
}

static long do_sendmsg(struct socket *s, const struct msghdr *uhdr, int flags)
{
	struct msghdr hdr;
	struct kmsg_buf b;
	long r;

	if (copy_from_user(&hdr, uhdr, sizeof(hdr)))
		return -EFAULT;
	r = kmsg_import(&b, &hdr, 1);
	if (!r)
		r = sock_send(s, &b.m, flags);
	kmsg_free(&b);
	return r;
}

/* After a receive: name, control and flags back into the program's
 * msghdr at uhdr. */
static long kmsg_export(struct kmsg_buf *b, const struct msghdr *hdr,
			struct msghdr *uhdr)
{
	socklen_t nl = 0;
	size_t cl = 0;
	int fl = b->m.flags;

	if (hdr->msg_name && b->m.namelen) {
		nl = b->m.namelen;
		if (copy_to_user(hdr->msg_name, b->name,
				 MIN(nl, hdr->msg_namelen)))
			return -EFAULT;
	}
	if (hdr->msg_controllen && b->m.control) {
		cl = b->m.controllen;
		if (copy_to_user(hdr->msg_control, b->m.control, cl))
			return -EFAULT;
	}
	if ((hdr->msg_name &&
	     copy_to_user(&uhdr->msg_namelen, &nl, sizeof(nl))) ||
	    copy_to_user(&uhdr->msg_controllen, &cl, sizeof(cl)) ||
	    copy_to_user(&uhdr->msg_flags, &fl, sizeof(fl)))
		return -EFAULT;
	return 0;
}

static long do_recvmsg(struct socket *s, struct msghdr *uhdr, int flags)
{
	struct msghdr hdr;
	struct kmsg_buf b;
	long r, e;

	if (copy_from_user(&hdr, uhdr, sizeof(hdr)))
		return -EFAULT;
	r = kmsg_import(&b, &hdr, 0);
	if (!r)
		r = s->ops->recvmsg ? s->ops->recvmsg(s, &b.m, flags)
				    : -EOPNOTSUPP;
	if (r >= 0) {
		e = kmsg_export(&b, &hdr, uhdr);
		if (e)
			r = e;
	}
	kmsg_free(&b);
	return r;
}

SYSCALL_DEFINE3(sendmsg, int, fd, const struct msghdr *, uhdr, int, flags)
{
	SOCK_GET(fd);

	r_ = do_sendmsg(s, uhdr, flags);
	file_put(f_);
	return r_;
}

SYSCALL_DEFINE3(recvmsg, int, fd, struct msghdr *, uhdr, int, flags)
{
	SOCK_GET(fd);

	r_ = do_recvmsg(s, uhdr, flags);
	file_put(f_);
	return r_;
}

SYSCALL_DEFINE6(sendto, int, fd, const void *, buf, size_t, len, int, flags,
		const struct sockaddr *, uaddr, socklen_t, alen)
{
	char k[SOCK_ADDR_MAX];
	struct iovec one;
	struct iov_iter it;
	struct kmsg m = { .it = &it };
	SOCK_GET(fd);

	if ((ssize_t)len < 0)
		len = SSIZE_MAX; /* as Linux: clamp, the family says EMSGSIZE */
	iter_init1(&it, &one, (void *)buf, len, 0);
	r_ = 0;
	if (uaddr) {
		r_ = addr_in(k, uaddr, alen);
		m.name = k;
		m.namelen = m.namecap = alen;
	}
	if (!r_)
		r_ = sock_send(s, &m, flags);
	file_put(f_);
	return r_;
}

SYSCALL_DEFINE6(recvfrom, int, fd, void *, buf, size_t, len, int, flags,
		struct sockaddr *, uaddr, socklen_t *, ulen)
{
	char k[SOCK_ADDR_MAX];
	struct iovec one;
	struct iov_iter it;
	struct kmsg m = { .it = &it };
	long e;
	SOCK_GET(fd);

	if ((ssize_t)len < 0)
		len = SSIZE_MAX;
	iter_init1(&it, &one, buf, len, 0);
	if (uaddr) {
		m.name = k;
		m.namecap = sizeof(k);
	}
	r_ = s->ops->recvmsg ? s->ops->recvmsg(s, &m, flags) : -EOPNOTSUPP;
	if (r_ >= 0 && uaddr && m.namelen) {
		e = addr_out(k, m.namelen, uaddr, ulen);
		if (e)
			r_ = e;
	} else if (r_ >= 0 && uaddr) {
		/* no address (a connected stream): length 0, as Linux */
		socklen_t zero = 0;
		if (copy_to_user(ulen, &zero, sizeof(zero)))
			r_ = -EFAULT;
	}
	file_put(f_);
	return r_;
}

/* ---- sendmmsg / recvmmsg ----------------------------------------------- */

#define UIO_MAXIOV_MMSG 1024 /* Linux's UIO_MAXIOV caps vlen */

SYSCALL_DEFINE4(sendmmsg, int, fd, struct mmsghdr *, uvec, unsigned int, vlen,
		int, flags)
{
	unsigned i;
	SOCK_GET(fd);

	vlen = MIN(vlen, (unsigned)UIO_MAXIOV_MMSG);
	r_ = 0;
	for (i = 0; i < vlen; i++) {
		unsigned int n;

		r_ = do_sendmsg(s, &uvec[i].msg_hdr, flags);
		if (r_ < 0)
			break;
		n = (unsigned)r_;
		if (copy_to_user(&uvec[i].msg_len, &n, sizeof(n))) {
			r_ = -EFAULT;
			break;
		}
	}
	file_put(f_);
	/* As Linux: the count when something was sent, else the error. */
	return i ? (long)i : r_;
}

SYSCALL_DEFINE5(recvmmsg, int, fd, struct mmsghdr *, uvec, unsigned int, vlen,
		int, flags, struct timespec *, utmo)
{
	struct timespec ts;
	uint64_t deadline = 0;
	unsigned i;
	SOCK_GET(fd);

	r_ = 0;
	if (utmo) {
		if (copy_from_user(&ts, utmo, sizeof(ts)))
			r_ = -EFAULT;
		else if (!timespec_valid(&ts))
			r_ = -EINVAL;
		else
			deadline = time_now_ns() + timespec_ns(&ts);
	}
	if (r_) {
		file_put(f_);
		return r_;
	}
	vlen = MIN(vlen, (unsigned)UIO_MAXIOV_MMSG);
	for (i = 0; i < vlen; i++) {
		unsigned int n;

		r_ = do_recvmsg(s, &uvec[i].msg_hdr, flags);
		if (r_ < 0)
			break;
		n = (unsigned)r_;
		if (copy_to_user(&uvec[i].msg_len, &n, sizeof(n))) {
			r_ = -EFAULT;
			break;
		}
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		/* Linux checks the timeout only between datagrams. */
		if (deadline && time_now_ns() >= deadline) {
			i++;
			break;
		}
	}
	file_put(f_);
	return i ? (long)i : r_;
}
