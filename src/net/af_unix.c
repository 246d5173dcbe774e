/*
 * af_unix.c - Unix-domain sockets (AF_UNIX): SOCK_STREAM, SOCK_DGRAM and
 * SOCK_SEQPACKET, named by paths in the VFS or by abstract names, and
 * socketpair.
 *
 * Layer: kernel net, a family of the socket layer (uni/socket.h): socket.c
 * calls unix_family.create, then the struct sock_ops below (socketpair(2)
 * through ops->socketpair; SIGPIPE for EPIPE is the layer's). Linux's
 * model (net/unix/af_unix.c): a sender puts its data straight into the
 * receiver's queue and is charged for it (wmem, bounded by its SO_SNDBUF)
 * until the receiver reads it; a datagram receiver that is not connected
 * back to the sender also bounds its queue to UNIX_DGRAM_QLEN datagrams
 * (net.unix.max_dgram_qlen). connect() on a stream makes the server's
 * socket at once (an "embryo" on the listener's accept queue), so the
 * client may write before accept(). Every block is a sock_wait() on the
 * blocked socket's own queue; whoever makes room wakes it (msg_credit,
 * wake_senders_of). A path binding is an S_IFSOCK node the socket keeps
 * a reference to: unlinking it leaves the socket working but unreachable.
 * SCM_RIGHTS passes open files (a socket sent over itself stays alive
 * until the image ends: there is no garbage collector for such cycles);
 * SCM_CREDENTIALS is checked as Linux does and accepted, not delivered.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <uni/file.h>
#include <uni/ident.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/proc.h>
#include <uni/socket.h>
#include <uni/uaccess.h>
#include <uni/vfs.h>
#include "af_unix_priv.h"

#define UNIX_SNDBUF_DEF 212992  /* net.core.wmem_default, as Linux reports it */
#define UNIX_DGRAM_QLEN 10      /* net.unix.max_dgram_qlen */
#define UNIX_SOMAXCONN 4096     /* net.core.somaxconn */
#define UNIX_CHUNK 16384        /* largest stream chunk (one allocation) */
#define UNIX_SCM_MAX_FD 253     /* SCM_MAX_FD */
#define SUN_OFF offsetof(struct sockaddr_un, sun_path)

#ifndef SIOCOUTQ
#define SIOCOUTQ TIOCOUTQ
#endif

static struct unix_sock *all_socks;   /* every live socket, for lookups */
static unsigned autobind_next = 0x3a7c1;

/* ---- sockets' lifetime ------------------------------------------------------ */

static struct unix_sock *us_new(int type)
{
	struct unix_sock *u = kzalloc(sizeof(*u));

	if (!u)
		return NULL;
	u->type = type;
	u->refs = 1;
	u->next = all_socks;
	if (all_socks)
		all_socks->prev = u;
	all_socks = u;
	return u;
}

static void us_get(struct unix_sock *u) { u->refs++; }

static void us_put(struct unix_sock *u)
{
	if (--u->refs)
		return;
	KASSERT(u->dead && !u->rq_head && !u->acc_head && !u->peer && !u->vn);
	kfree(u);
}

static void us_wake(struct unix_sock *u, uint32_t ev)
{
	if (u->sock)
		waitq_wake(&u->sock->wq, ev);
}

static int us_sndbuf(struct unix_sock *u)
{
	return u->sock && u->sock->sndbuf > 0 ? u->sock->sndbuf : UNIX_SNDBUF_DEF;
}

/* Everybody blocked on (or polling for) room at t: its datagram peers,
 * senders waiting for its queue, connecters waiting for its backlog. */
static void wake_senders_of(struct unix_sock *t)
{
	for (struct unix_sock *x = all_socks; x; x = x->next)
		if (x->waiting_on == t || (x->peer == t && x->type == SOCK_DGRAM))
			us_wake(x, POLLOUT | POLLWRNORM | POLLWRBAND);
}

static int dgram_full(const struct unix_sock *to, const struct unix_sock *from)
{
	return to->peer != from && to->rq_len > UNIX_DGRAM_QLEN;
}

/* ---- receive queues ---------------------------------------------------------- */

static void msg_free(struct unix_msg *m)
{
	for (int i = 0; i < m->nfiles; i++)
		file_put(m->files[i]);
	kfree(m->files);
	kfree(m);
}

/* The receiver has consumed n bytes of m: the sender may send again. */
static void msg_credit(struct unix_msg *m, size_t n)
{
	m->from->wmem -= n;
	us_wake(m->from, POLLOUT | POLLWRNORM | POLLWRBAND);
}

/* Take the head message off u's queue and free it (the rest of its bytes
 * credited to its sender). */
static void rq_drop_head(struct unix_sock *u)
{
	struct unix_msg *m = u->rq_head;
	int was_full = u->rq_len > UNIX_DGRAM_QLEN;

	u->rq_head = m->next;
	if (!u->rq_head)
		u->rq_tail = NULL;
	u->rq_len--;
	u->rq_bytes -= m->len - m->off;
	msg_credit(m, m->len - m->off);
	us_put(m->from);
	msg_free(m);
	if (was_full && u->rq_len <= UNIX_DGRAM_QLEN)
		wake_senders_of(u);
}

static void rq_append(struct unix_sock *to, struct unix_msg *m)
{
	m->next = NULL;
	if (to->rq_tail)
		to->rq_tail->next = m;
	else
		to->rq_head = m;
	to->rq_tail = m;
	to->rq_len++;
	to->rq_bytes += m->len;
	m->from->wmem += m->len;
}

static struct unix_msg *msg_new(struct unix_sock *from, size_t cap, int with_addr)
{
	socklen_t alen = with_addr ? from->alen : 0;
	struct unix_msg *m = kmalloc(sizeof(*m) + cap + alen);

	if (!m)
		return NULL;
	memset(m, 0, sizeof(*m));
	m->cap = (uint32_t)cap;
	m->alen = alen;
	if (alen)
		memcpy(m->data + cap, from->addr_raw, alen);
	m->from = from;
	us_get(from);
	return m;
}

/* ---- addresses ------------------------------------------------------------- */

/* Linux's unix_validate_addr. */
static int addr_check(const struct sockaddr *a, socklen_t len)
{
	if (!a || len < sizeof(sa_family_t) || a->sa_family != AF_UNIX ||
	    len > sizeof(struct sockaddr_un))
		return -EINVAL;
	return 0;
}

/* Is this name (alen bytes of sockaddr_un, abstract) bound for type? */
static struct unix_sock *find_abstract(const struct sockaddr_un *a,
				       socklen_t alen, int type)
{
	for (struct unix_sock *x = all_socks; x; x = x->next)
		if (!x->dead && !x->vn && x->alen == alen &&
		    (type < 0 || x->type == type) &&
		    !memcmp(x->addr.sun_path, a->sun_path, alen - SUN_OFF))
			return x;
	return NULL;
}

static struct unix_sock *find_vnode(struct vnode *vn)
{
	for (struct unix_sock *x = all_socks; x; x = x->next)
		if (!x->dead && x->vn == vn)
			return x;
	return NULL;
}

/* The socket an address names (referenced), as unix_find_other does:
 * -ENOENT and other path errors, -EACCES, -ECONNREFUSED (not a socket,
 * nobody bound), -EPROTOTYPE (a socket of another type). */
static int find_other(const struct sockaddr *sa, socklen_t len, int type,
		      struct unix_sock **out)
{
	const struct sockaddr_un *a = (const struct sockaddr_un *)sa;
	struct unix_sock *x;
	int err = addr_check(sa, len);

	if (err)
		return err;
	if (len > SUN_OFF && a->sun_path[0]) {
		char path[sizeof(a->sun_path) + 1];
		struct vnode *vn;

		memcpy(path, a->sun_path, len - SUN_OFF);
		path[len - SUN_OFF] = 0;
		if ((err = namei(AT_FDCWD_, path, NAMEI_FOLLOW, &vn)))
			return err;
		err = vfs_permission(vn, W_OK);
		x = err ? NULL : find_vnode(vn);
		if (!err && !x)
			err = -ECONNREFUSED; /* not a socket, or nobody bound */
		vnode_put(vn);
		if (err)
			return err;
		if (x->type != type)
			return -EPROTOTYPE;
	} else {
		x = len > SUN_OFF ? find_abstract(a, len, type) : NULL;
		if (!x)
			return -ECONNREFUSED;
	}
	us_get(x);
	*out = x;
	return 0;
}

static int autobind(struct unix_sock *u)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	static const char hex[] = "0123456789abcdef";

	if (u->alen)
		return 0;
	for (unsigned tries = 0; tries <= 0xfffff; tries++) {
		unsigned n = autobind_next++ & 0xfffff;

		for (int i = 5; i >= 1; i--, n >>= 4)
			a.sun_path[i] = hex[n & 15];
		if (!find_abstract(&a, SUN_OFF + 6, -1)) {
			u->addr = a;
			u->alen = SUN_OFF + 6;
			return 0;
		}
	}
	return -ENOSPC;
}

static int bind_path(struct unix_sock *u, const struct sockaddr_un *a,
		     socklen_t len)
{
	char path[sizeof(a->sun_path) + 1];
	const struct ident_cred *c = ident_cred();
	struct vnode *dir, *vn;
	const char *name;
	size_t nlen;
	int trailing, err;

	memcpy(path, a->sun_path, len - SUN_OFF);
	path[len - SUN_OFF] = 0;
	if ((err = namei_parent(AT_FDCWD_, path, &dir, &name, &nlen, &trailing)))
		return err;
	if (name[0] == '.' && (nlen == 1 || (nlen == 2 && name[1] == '.')))
		err = -EEXIST;
	else if (trailing)
		err = -ENOENT;
	else if (dir->mnt && (dir->mnt->flags & MNT_RDONLY))
		err = -EROFS;
	else if (!(err = vfs_permission(dir, W_OK | X_OK)) && !dir->ops->create)
		err = -EPERM;
	if (!err)
		err = dir->ops->create(dir, name, nlen,
				       S_IFSOCK | (0777 & ~vfs_umask()), 0, &vn);
	if (!err) {
		/* Owned as every new node (the VFS's vfs_own). */
		vn->uid = c->fsuid;
		vn->gid = dir->mode & S_ISGID ? dir->gid : c->fsgid;
		u->vn = vn;
		u->alen = (socklen_t)(SUN_OFF + strlen(path) + 1);
		memset(u->addr_raw, 0, sizeof(u->addr_raw));
		u->addr.sun_family = AF_UNIX;
		memcpy(u->addr_raw + SUN_OFF, path, u->alen - SUN_OFF);
	}
	vnode_put(dir);
	return err == -EEXIST ? -EADDRINUSE : err;
}

static int unix_bind(struct socket *s, const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_un *a = (const struct sockaddr_un *)sa;
	struct unix_sock *u = s->priv;
	int err = addr_check(sa, len);

	if (err)
		return err;
	if (len == SUN_OFF)
		return autobind(u);
	if (u->alen)
		return -EINVAL;
	if (a->sun_path[0])
		return bind_path(u, a, len);
	if (find_abstract(a, len, u->type))
		return -EADDRINUSE;
	memset(u->addr_raw, 0, sizeof(u->addr_raw));
	memcpy(u->addr_raw, a, len);
	u->alen = len;
	return 0;
}

static int unix_getname(struct socket *s, struct sockaddr *sa, socklen_t *len,
			int peer)
{
	static const sa_family_t unnamed = AF_UNIX;
	struct unix_sock *u = s->priv, *x = u;
	socklen_t alen = sizeof(unnamed);
	const void *src = &unnamed;

	if (peer) {
		x = u->peer;
		if (!x || (u->type != SOCK_DGRAM && u->state != US_CONNECTED))
			return -ENOTCONN;
	}
	if (x->alen) {
		src = x->addr_raw;
		alen = x->alen;
	}
	memcpy(sa, src, MIN(alen, *len));
	*len = alen;
	return 0;
}

/* ---- control messages --------------------------------------------------- */

static void scm_drop(struct file **files, int n)
{
	for (int i = 0; i < n; i++)
		file_put(files[i]);
	kfree(files);
}

/* Parse the sender's control buffer: SCM_RIGHTS gives referenced files
 * (*files, *nfiles), SCM_CREDENTIALS must tell the truth about us. */
static int scm_parse(struct kmsg *km, struct file ***files, int *nfiles)
{
	const char *p = km->control;
	size_t left = km->controllen;

	*files = NULL;
	*nfiles = 0;
	while (left >= sizeof(struct cmsghdr)) {
		struct cmsghdr h;
		size_t dlen, step;

		memcpy(&h, p, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > left)
			goto einval;
		dlen = h.cmsg_len - CMSG_LEN(0);
		if (h.cmsg_level != SOL_SOCKET)
			goto einval;
		if (h.cmsg_type == SCM_RIGHTS) {
			/* Several SCM_RIGHTS messages add up, as Linux. */
			int n = (int)(dlen / sizeof(int)), have = *nfiles;
			struct file **more;

			if (!n || have + n > UNIX_SCM_MAX_FD)
				goto einval;
			more = kzalloc((size_t)(have + n) * sizeof(*more));
			if (!more) {
				scm_drop(*files, have);
				*files = NULL;
				*nfiles = 0;
				return -ENOMEM;
			}
			if (have)
				memcpy(more, *files, (size_t)have * sizeof(*more));
			kfree(*files);
			*files = more;
			for (int i = 0; i < n; i++) {
				int fd;

				memcpy(&fd, p + CMSG_LEN(0) + i * sizeof(int), sizeof(fd));
				(*files)[have + i] = fd_get(fd);
				if (!(*files)[have + i]) {
					scm_drop(*files, have + i);
					*files = NULL;
					*nfiles = 0;
					return -EBADF;
				}
			}
			*nfiles = have + n;
		} else if (h.cmsg_type == SCM_CREDENTIALS) {
			const struct ident_cred *c = ident_cred();
			struct ucred uc;

			if (dlen != sizeof(uc))
				goto einval;
			memcpy(&uc, p + CMSG_LEN(0), sizeof(uc));
			if (uc.pid != UNI_PID) {
				/* Linux's scm_check_creds lets root name any
				 * pid, then wants it to exist. */
				scm_drop(*files, *nfiles);
				*files = NULL;
				*nfiles = 0;
				return ident_capable() ? -ESRCH : -EPERM;
			}
			if ((uc.uid != c->ruid && uc.uid != c->euid &&
			     uc.uid != c->suid && !ident_capable()) ||
			    (uc.gid != c->rgid && uc.gid != c->egid &&
			     uc.gid != c->sgid && !ident_capable())) {
				scm_drop(*files, *nfiles);
				*files = NULL;
				*nfiles = 0;
				return -EPERM;
			}
		} else {
			goto einval;
		}
		step = CMSG_ALIGN(h.cmsg_len);
		if (step >= left)
			break;
		p += step;
		left -= step;
	}
	return 0;
einval:
	scm_drop(*files, *nfiles);
	*files = NULL;
	*nfiles = 0;
	return -EINVAL;
}

/* Hand m's files to the receiver as new descriptors in an SCM_RIGHTS
 * message; what does not fit is closed and MSG_CTRUNC set, as Linux. */
static void scm_deliver(struct unix_msg *m, struct kmsg *km, int flags)
{
	size_t room = km->controlcap > km->controllen ?
		km->controlcap - km->controllen : 0;
	int fit = room >= CMSG_LEN(sizeof(int)) ?
		(int)((room - CMSG_LEN(0)) / sizeof(int)) : 0;
	int n = MIN(fit, m->nfiles), done = 0;
	char *p = (char *)km->control + km->controllen;

	for (; done < n; done++) {
		int fd = fd_install(m->files[done], 0, !!(flags & MSG_CMSG_CLOEXEC));
		if (fd < 0)
			break;
		m->files[done] = NULL;
		memcpy(p + CMSG_LEN(0) + done * sizeof(int), &fd, sizeof(fd));
	}
	if (done) {
		struct cmsghdr h = { .cmsg_len = CMSG_LEN(done * sizeof(int)),
				     .cmsg_level = SOL_SOCKET,
				     .cmsg_type = SCM_RIGHTS };
		memcpy(p, &h, sizeof(h));
		km->controllen += MIN(CMSG_SPACE(done * sizeof(int)), room);
	}
	if (done < m->nfiles)
		km->flags |= MSG_CTRUNC;
	for (int i = done; i < m->nfiles; i++)
		if (m->files[i])
			file_put(m->files[i]);
	kfree(m->files);
	m->files = NULL;
	m->nfiles = 0;
}

/* ---- sending -------------------------------------------------------------- */

static int take_error(struct socket *s)
{
	int e = s->error;

	s->error = 0;
	return -e;
}

/* Stream: bytes into the peer's queue, as many as the sender's buffer
 * allows at a time; blocks for room unless non-blocking. */
static long stream_send(struct socket *s, struct kmsg *km, int flags,
			struct file **files, int nfiles)
{
	struct unix_sock *u = s->priv, *peer = u->peer;
	struct iov_iter *it = km->it;
	size_t total = it->count, done = 0;
	long err = 0;

	if (u->state != US_CONNECTED || !peer)
		return -ENOTCONN;
	while (done < total) { /* nothing, not even files, for 0 bytes */
		struct unix_msg *t;
		size_t room, n, c;

		if ((u->shut & SEND_SHUTDOWN) || peer->dead ||
		    (peer->shut & RCV_SHUTDOWN)) {
			err = -EPIPE; /* the layer adds SIGPIPE (sock_sigpipe) */
			break;
		}
		if (s->error) {
			err = take_error(s);
			break;
		}
		if (u->wmem >= (size_t)us_sndbuf(u)) {
			if ((err = sock_wait(s, POLLOUT, 1, flags)))
				break;
			continue;
		}
		room = (size_t)us_sndbuf(u) - u->wmem;
		n = MIN(room, total - done);
		t = peer->rq_tail;
		if (!files && t && t->from == u && !t->nfiles && t->cap > t->len) {
			/* Top up the last chunk we sent. */
			n = MIN(n, t->cap - t->len);
			c = iter_copy_from(it, t->data + t->len, n);
			t->len += (uint32_t)c;
			peer->rq_bytes += c;
			u->wmem += c;
		} else {
			size_t cap = MIN(MAX(n, 1024), UNIX_CHUNK);

			n = MIN(n, cap);
			if (!(t = msg_new(u, cap, 0))) {
				err = -ENOBUFS;
				break;
			}
			c = iter_copy_from(it, t->data, n);
			t->len = (uint32_t)c;
			if (files) {
				t->files = files;
				t->nfiles = nfiles;
				files = NULL;
			}
			if (!c) {
				us_put(u);
				msg_free(t); /* closes the files too */
			} else {
				rq_append(peer, t);
			}
		}
		done += c;
		if (c || !n)
			us_wake(peer, POLLIN | POLLRDNORM);
		if (c < n) {
			err = -EFAULT;
			break;
		}
	}
	if (files)
		scm_drop(files, nfiles);
	return done ? (long)done : err;
}

/* Datagram and seqpacket: one record into the target's queue, whole. */
static long record_send(struct socket *s, struct kmsg *km, int flags,
			struct file **files, int nfiles)
{
	struct unix_sock *u = s->priv, *to = NULL;
	size_t len = km->it->count, c;
	struct unix_msg *m;
	long err;

	if (u->type == SOCK_SEQPACKET) {
		if (u->state != US_CONNECTED || !u->peer)
			return -ENOTCONN;
		to = u->peer;
		us_get(to);
	} else if (km->namelen) {
		if ((err = find_other(km->name, km->namelen, u->type, &to)))
			return err;
	} else {
		if (!(to = u->peer))
			return -ENOTCONN;
		us_get(to);
	}
	if ((u->shut & SEND_SHUTDOWN)) {
		err = -EPIPE;
		goto out;
	}
	if (len > (size_t)us_sndbuf(u) - 32) {
		err = -EMSGSIZE;
		goto out;
	}
	if (s->passcred && (err = autobind(u)))
		goto out;
	for (;;) {
		if (to->dead) {
			if (u->type == SOCK_SEQPACKET) {
				err = -EPIPE;
			} else {
				err = -ECONNREFUSED;
				if (u->peer == to) { /* connected: forget it, as Linux */
					u->peer = NULL;
					us_put(to);
				}
			}
			goto out;
		}
		if (to->peer && to->peer != u && u->type == SOCK_DGRAM) {
			err = -EPERM; /* it is connected to somebody else */
			goto out;
		}
		if (to->shut & RCV_SHUTDOWN) {
			err = -EPIPE;
			goto out;
		}
		if (s->error) {
			err = take_error(s);
			goto out;
		}
		if (u->wmem < (size_t)us_sndbuf(u) && !dgram_full(to, u))
			break;
		u->waiting_on = to;
		err = sock_wait(s, POLLOUT, 1, flags);
		u->waiting_on = NULL;
		if (err)
			goto out;
	}
	if (!(m = msg_new(u, len, u->type == SOCK_DGRAM))) {
		err = -ENOBUFS;
		goto out;
	}
	c = iter_copy_from(km->it, m->data, len);
	if (c < len) {
		us_put(u);
		kfree(m);
		err = -EFAULT;
		goto out;
	}
	m->len = (uint32_t)len;
	m->files = files;
	m->nfiles = nfiles;
	files = NULL;
	rq_append(to, m);
	us_wake(to, POLLIN | POLLRDNORM);
	err = (long)len;
out:
	if (files)
		scm_drop(files, nfiles);
	us_put(to);
	return err;
}

static long unix_sendmsg(struct socket *s, struct kmsg *km, int flags)
{
	struct unix_sock *u = s->priv;
	struct file **files = NULL;
	int nfiles = 0, err;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (u->type == SOCK_STREAM && km->namelen)
		return u->state == US_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	if (km->controllen && (err = scm_parse(km, &files, &nfiles)))
		return err;
	if (u->type == SOCK_STREAM)
		return stream_send(s, km, flags, files, nfiles);
	return record_send(s, km, flags, files, nfiles);
}

/* ---- receiving ---------------------------------------------------------- */

static long stream_recv(struct socket *s, struct kmsg *km, int flags)
{
	struct unix_sock *u = s->priv;
	struct iov_iter *it = km->it;
	size_t want = it->count, copied = 0, target;
	int peek = !!(flags & MSG_PEEK);
	long err = 0;

	if (u->state != US_CONNECTED)
		return -EINVAL;
	target = flags & MSG_WAITALL ? want :
		MIN(want, (size_t)MAX(s->rcvlowat, 1));
	if (!want)
		return 0;
	for (;;) {
		struct unix_msg *m = u->rq_head;
		size_t skip = peek ? copied : 0;
		int had_files;

		/* With MSG_PEEK nothing is consumed: skip what we saw. */
		while (m && skip >= m->len - m->off) {
			skip -= m->len - m->off;
			m = m->next;
		}
		if (m && copied < want) {
			/* Files travel with the first byte of their chunk and
			 * end the read there, as Linux. */
			if (m->nfiles && copied)
				break;
			size_t avail = m->len - m->off - skip;
			size_t n = MIN(avail, want - copied);
			size_t c = iter_copy_to(it, m->data + m->off + skip, n);

			copied += c;
			if (!peek && c) {
				m->off += (uint32_t)c;
				u->rq_bytes -= c;
				msg_credit(m, c);
			}
			had_files = m->nfiles > 0;
			if (had_files && !peek)
				scm_deliver(m, km, flags);
			if (!peek && m->off == m->len)
				rq_drop_head(u);
			if (c < n) {
				if (!copied)
					err = -EFAULT;
				break;
			}
			if (had_files)
				break;
			continue;
		}
		if (copied >= target)
			break;
		if (s->error) {
			err = take_error(s);
			break;
		}
		if (u->shut & RCV_SHUTDOWN)
			break;
		if ((err = sock_wait(s, POLLIN, 0, flags)))
			break;
	}
	return copied ? (long)copied : err;
}

static long record_recv(struct socket *s, struct kmsg *km, int flags)
{
	struct unix_sock *u = s->priv;
	struct unix_msg *m;
	size_t want = km->it->count, n, c;
	long err;

	if (u->type == SOCK_SEQPACKET && u->state != US_CONNECTED)
		return -ENOTCONN;
	while (!(m = u->rq_head)) {
		if (s->error)
			return take_error(s);
		if (u->shut & RCV_SHUTDOWN)
			return 0;
		if ((err = sock_wait(s, POLLIN, 0, flags)))
			return err;
	}
	n = MIN((size_t)m->len, want);
	c = iter_copy_to(km->it, m->data, n);
	if (c < n)
		return -EFAULT;
	if (km->name && km->namecap) {
		/* An unnamed sender gives no address (msg_namelen 0), as
		 * Linux's unix_copy_addr. */
		memcpy(km->name, m->data + m->cap, MIN(m->alen, km->namecap));
		km->namelen = m->alen;
	} else {
		km->namelen = 0;
	}
	if (m->len > want)
		km->flags |= MSG_TRUNC;
	n = m->len;
	if (!(flags & MSG_PEEK)) {
		if (m->nfiles)
			scm_deliver(m, km, flags);
		rq_drop_head(u);
	}
	return (flags & MSG_TRUNC) ? (long)n : (long)c;
}

static long unix_recvmsg(struct socket *s, struct kmsg *km, int flags)
{
	struct unix_sock *u = s->priv;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	km->flags = 0;
	if (u->type == SOCK_STREAM) {
		km->namelen = 0;
		return stream_recv(s, km, flags);
	}
	return record_recv(s, km, flags);
}

/* ---- connections ---------------------------------------------------------- */

static int unix_listen(struct socket *s, int backlog)
{
	struct unix_sock *u = s->priv;

	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (u->state == US_CONNECTED || !u->alen)
		return -EINVAL; /* Linux: only a bound, unconnected socket */
	if ((unsigned)backlog > UNIX_SOMAXCONN)
		backlog = UNIX_SOMAXCONN;
	if (backlog > u->backlog)
		wake_senders_of(u); /* room for more connecters */
	u->backlog = backlog;
	u->state = US_LISTEN;
	s->acceptconn = 1;
	return 0;
}

static void pair_up(struct unix_sock *a, struct unix_sock *b)
{
	us_get(a);
	us_get(b);
	a->peer = b;
	b->peer = a;
	a->state = b->state = US_CONNECTED;
}

static int stream_connect(struct socket *s, const struct sockaddr *sa,
			  socklen_t len, int flags)
{
	struct unix_sock *u = s->priv, *t, *e;
	int wflags = flags & O_NONBLOCK ? MSG_DONTWAIT : 0, err;

	if ((err = find_other(sa, len, u->type, &t)))
		return err;
	for (;;) {
		if (u->state == US_CONNECTED) {
			err = -EISCONN;
			goto out;
		}
		if (u->state == US_LISTEN) {
			err = -EINVAL;
			goto out;
		}
		if (t->dead || t->state != US_LISTEN) {
			err = -ECONNREFUSED;
			goto out;
		}
		if (t->nacc <= t->backlog)
			break;
		u->waiting_on = t;
		err = sock_wait(s, POLLOUT, 1, wflags);
		u->waiting_on = NULL;
		if (err)
			goto out;
	}
	if (s->passcred && (err = autobind(u)))
		goto out;
	if (!(e = us_new(u->type))) {
		err = -ENOMEM;
		goto out;
	}
	/* the accepted socket's own name */
	memcpy(e->addr_raw, t->addr_raw, sizeof(e->addr_raw));
	e->alen = t->alen;
	pair_up(u, e);
	/* e's first reference now belongs to t's accept queue. */
	if (t->acc_tail)
		t->acc_tail->acc_next = e;
	else
		t->acc_head = e;
	t->acc_tail = e;
	t->nacc++;
	us_wake(t, POLLIN | POLLRDNORM);
	us_wake(u, POLLOUT | POLLWRNORM);
	err = 0;
out:
	us_put(t);
	return err;
}

static int dgram_connect(struct socket *s, const struct sockaddr *sa,
			 socklen_t len, int flags)
{
	struct unix_sock *u = s->priv, *t, *old = u->peer;
	int err;

	(void)flags;
	if (len >= sizeof(sa_family_t) && sa && sa->sa_family == AF_UNSPEC) {
		/* Dissolve the association (connect to AF_UNSPEC). */
		u->peer = NULL;
		if (old) {
			wake_senders_of(old);
			us_put(old);
		}
		return 0;
	}
	if ((err = find_other(sa, len, u->type, &t)))
		return err;
	if (s->passcred && (err = autobind(u))) {
		us_put(t);
		return err;
	}
	u->peer = t; /* takes find_other's reference */
	if (old)
		us_put(old);
	return 0;
}

static int unix_connect(struct socket *s, const struct sockaddr *sa,
			socklen_t len, int flags)
{
	struct unix_sock *u = s->priv;

	if (u->type == SOCK_DGRAM)
		return dgram_connect(s, sa, len, flags);
	return stream_connect(s, sa, len, flags);
}

static const struct sock_ops unix_stream_ops, unix_dgram_ops, unix_seqpacket_ops;

static const struct sock_ops *ops_of(int type)
{
	return type == SOCK_STREAM ? &unix_stream_ops :
		type == SOCK_SEQPACKET ? &unix_seqpacket_ops : &unix_dgram_ops;
}

static int unix_accept(struct socket *s, struct socket **out, int flags)
{
	struct unix_sock *u = s->priv, *e;
	struct socket *ns;
	int err;

	(void)flags; /* SOCK_NONBLOCK/SOCK_CLOEXEC: the caller's file */
	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	for (;;) {
		if (u->state != US_LISTEN)
			return -EINVAL;
		if (u->acc_head)
			break;
		if ((err = sock_wait(s, POLLIN, 0, 0)))
			return err;
	}
	if (!(ns = sock_alloc()))
		return -ENOMEM;
	e = u->acc_head;
	u->acc_head = e->acc_next;
	if (!u->acc_head)
		u->acc_tail = NULL;
	e->acc_next = NULL;
	if (u->nacc-- > u->backlog)
		wake_senders_of(u);
	ns->ops = ops_of(u->type);
	ns->family = AF_UNIX;
	ns->type = u->type;
	ns->protocol = s->protocol;
	ns->priv = e;
	if (ns->sndbuf <= 0)
		ns->sndbuf = UNIX_SNDBUF_DEF;
	if (ns->rcvbuf <= 0)
		ns->rcvbuf = UNIX_SNDBUF_DEF;
	e->sock = ns;
	*out = ns;
	return 0;
}

static int unix_shutdown(struct socket *s, int how)
{
	struct unix_sock *u = s->priv, *p = u->peer;
	int mode, pmode;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	/* SHUT_RD 0 -> RCV 1, SHUT_WR 1 -> SEND 2, RDWR 3. An unconnected
	 * socket is no error (Linux's unix_shutdown). */
	mode = how + 1;
	u->shut |= mode;
	us_wake(u, POLLIN | POLLOUT | POLLHUP | POLLRDHUP | POLLRDNORM | POLLWRNORM);
	if (p && u->type != SOCK_DGRAM) {
		/* My SHUT_WR is the peer's end of input, and the reverse. */
		pmode = (mode & RCV_SHUTDOWN ? SEND_SHUTDOWN : 0) |
			(mode & SEND_SHUTDOWN ? RCV_SHUTDOWN : 0);
		p->shut |= pmode;
		us_wake(p, POLLIN | POLLOUT | POLLHUP | POLLRDHUP | POLLRDNORM |
			POLLWRNORM);
	}
	return 0;
}

/* ---- readiness, options, ioctls ----------------------------------------- */

static int writable(struct unix_sock *u)
{
	return u->state != US_LISTEN && u->wmem * 4 <= (size_t)us_sndbuf(u);
}

static uint32_t unix_poll(struct socket *s, struct poll_table *pt)
{
	struct unix_sock *u = s->priv;
	uint32_t m = 0;

	(void)pt; /* socket.c queues on s->wq, the only queue we wake */
	if (u->state == US_LISTEN)
		return u->acc_head ? POLLIN | POLLRDNORM : 0;
	if (s->error)
		m |= POLLERR;
	if (u->shut == SHUTDOWN_MASK)
		m |= POLLHUP;
	if (u->shut & RCV_SHUTDOWN)
		m |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (u->rq_head)
		m |= POLLIN | POLLRDNORM;
	if (u->type != SOCK_DGRAM && u->state != US_CONNECTED)
		m |= POLLHUP;
	if (writable(u) &&
	    !(u->type == SOCK_DGRAM && u->peer && dgram_full(u->peer, u)))
		m |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return m;
}

static int unix_pending(struct socket *s)
{
	struct unix_sock *u = s->priv;

	if (u->state == US_LISTEN)
		return -EINVAL;
	if (u->type != SOCK_DGRAM)
		return (int)u->rq_bytes;
	return u->rq_head ? (int)u->rq_head->len : 0;
}

static long unix_ioctl(struct socket *s, unsigned long req, void *uarg)
{
	struct unix_sock *u = s->priv;
	int n;

	if (req != SIOCOUTQ)
		return -ENOTTY;
	if (u->state == US_LISTEN)
		return -EINVAL;
	n = (int)u->wmem;
	return copy_to_user(uarg, &n, sizeof(n)) ? -EFAULT : 0;
}

static int unix_setsockopt(struct socket *s, int level, int name,
			   const void *kval, socklen_t len)
{
	struct unix_sock *u = s->priv;

	(void)kval; (void)len;
	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if (name == SO_SNDBUF) /* room may have appeared */
		us_wake(u, POLLOUT | POLLWRNORM);
	return -ENOPROTOOPT;
}

static int unix_getsockopt(struct socket *s, int level, int name, void *kval,
			   socklen_t *len)
{
	struct unix_sock *u = s->priv;

	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if (name == SO_PEERCRED) {
		/* The one process is the peer of every connection; Linux
		 * answers {0, -1, -1} when there is no peer. */
		const struct ident_cred *c = ident_cred();
		struct ucred uc = { 0, (uid_t)-1, (gid_t)-1 };

		if (u->type != SOCK_DGRAM && u->peer) {
			uc.pid = UNI_PID;
			uc.uid = c->euid;
			uc.gid = c->egid;
		}
		memcpy(kval, &uc, MIN(*len, (socklen_t)sizeof(uc)));
		*len = MIN(*len, (socklen_t)sizeof(uc));
		return 0;
	}
	return -ENOPROTOOPT;
}

/* ---- release --------------------------------------------------------------- */

static void us_release(struct unix_sock *u)
{
	struct unix_sock *p = u->peer, *e;
	int unread = u->rq_head != NULL;

	u->dead = 1;
	u->shut = SHUTDOWN_MASK;
	if (u->vn) {
		vnode_put(u->vn);
		u->vn = NULL;
	}
	while (u->rq_head)
		rq_drop_head(u);
	/* Pending connections die with the listener: their clients see
	 * ECONNRESET, as Linux. */
	while ((e = u->acc_head)) {
		u->acc_head = e->acc_next;
		u->nacc--;
		us_release(e);
	}
	u->acc_tail = NULL;
	if (p) {
		u->peer = NULL;
		if (u->type != SOCK_DGRAM) {
			p->shut = SHUTDOWN_MASK;
			if ((unread || !u->sock) && p->sock && !p->sock->error)
				p->sock->error = ECONNRESET;
			us_wake(p, POLLIN | POLLOUT | POLLHUP | POLLRDHUP | POLLERR |
				POLLRDNORM | POLLWRNORM);
		}
		us_put(p);
	}
	wake_senders_of(u);
	u->sock = NULL;
	if (u->prev)
		u->prev->next = u->next;
	else
		all_socks = u->next;
	if (u->next)
		u->next->prev = u->prev;
	u->next = u->prev = NULL;
	us_put(u);
}

static void unix_release(struct socket *s)
{
	struct unix_sock *u = s->priv;

	if (!u)
		return;
	s->priv = NULL;
	us_release(u);
}

/* ---- creation and socketpair ------------------------------------------------- */

static int unix_socketpair(struct socket *a, struct socket *b);

#define UNIX_OPS(name) \
	static const struct sock_ops name = { \
		.bind = unix_bind, .connect = unix_connect, \
		.listen = unix_listen, .accept = unix_accept, \
		.sendmsg = unix_sendmsg, .recvmsg = unix_recvmsg, \
		.shutdown = unix_shutdown, .getname = unix_getname, \
		.setsockopt = unix_setsockopt, .getsockopt = unix_getsockopt, \
		.poll = unix_poll, .ioctl = unix_ioctl, \
		.pending = unix_pending, .release = unix_release, \
		.socketpair = unix_socketpair, \
	}
UNIX_OPS(unix_stream_ops);
UNIX_OPS(unix_dgram_ops);
UNIX_OPS(unix_seqpacket_ops);

static int unix_create(struct socket *s, int type, int protocol, int kern)
{
	struct unix_sock *u;

	(void)kern;
	if (protocol && protocol != PF_UNIX)
		return -EPROTONOSUPPORT;
	if (type == SOCK_RAW)
		type = SOCK_DGRAM; /* as Linux */
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	if (!(u = us_new(type)))
		return -ENOMEM;
	u->sock = s;
	s->type = type;
	s->ops = ops_of(type);
	s->priv = u;
	if (s->sndbuf <= 0)
		s->sndbuf = UNIX_SNDBUF_DEF;
	if (s->rcvbuf <= 0)
		s->rcvbuf = UNIX_SNDBUF_DEF;
	return 0;
}

const struct sock_family unix_family = {
	.family = AF_UNIX,
	.create = unix_create,
};

/* socketpair(2): a and b are fresh sockets of the same create. */
static int unix_socketpair(struct socket *a, struct socket *b)
{
	struct unix_sock *ua = a->priv, *ub = b->priv;

	if (a->ops != b->ops || !ua || !ub || ua->type != ub->type)
		return -EINVAL;
	if (ua->state != US_UNCONN || ub->state != US_UNCONN ||
	    ua->peer || ub->peer)
		return -EINVAL;
	pair_up(ua, ub);
	return 0;
}
