/*
 * test_net_unix.c - host unit test of src/net/af_unix.c with fakes for
 * the socket layer (sock_alloc, a sock_wait that never blocks), the VFS
 * (a flat table of names), the descriptor table and the wait queues:
 * stream buffering against SO_SNDBUF and the sender's credit, MSG_PEEK
 * across chunks, the datagram queue limit, names (path nodes, abstract,
 * autobind), connect/accept with embryos outliving their client or
 * listener, SCM_RIGHTS files released with unread messages -- and no
 * leaked memory, vnode or file reference at the end (ASan watching).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <uni/file.h>
#include <uni/ident.h>
#include <uni/kmalloc.h>
#include <uni/socket.h>
#include <uni/vfs.h>
#include "host_fdtable.h"
#include "unit.h"
#include "../../src/net/af_unix_priv.h"

/* ---- fakes ------------------------------------------------------------- */

static int waits, wakes;

struct socket *sock_alloc(void)
{
	struct socket *s = kzalloc(sizeof(*s));

	s->sndbuf = s->rcvbuf = 212992;
	s->rcvlowat = 1;
	return s;
}

int sock_wait(struct socket *s, uint32_t mask, int for_send, int flags)
{
	(void)s; (void)mask; (void)for_send; (void)flags;
	waits++;
	return -EAGAIN;
}

void waitq_wake(struct waitq *q, uint32_t events) { (void)q; (void)events; wakes++; }

static struct ident_cred cred = { 0 };
const struct ident_cred *ident_cred(void) { return &cred; }
int ident_capable(void) { return 1; }

/* A flat directory: names map to nodes; "linked" is the directory's own
 * reference. */
#define NNODES 16
static struct fnode { struct vnode vn; char name[128]; int linked; } nodes[NNODES];
static struct vnode root;

static int fake_create(struct vnode *dir, const char *name, size_t len,
		       mode_t mode, dev_t rdev, struct vnode **out)
{
	(void)dir; (void)rdev;
	for (int i = 0; i < NNODES; i++)
		if (nodes[i].linked && strlen(nodes[i].name) == len &&
		    !memcmp(nodes[i].name, name, len))
			return -EEXIST;
	for (int i = 0; i < NNODES; i++)
		if (!nodes[i].linked && !nodes[i].vn.refs) {
			memset(&nodes[i], 0, sizeof(nodes[i]));
			memcpy(nodes[i].name, name, len);
			nodes[i].linked = 1;
			nodes[i].vn.mode = mode;
			nodes[i].vn.refs = 1;
			*out = &nodes[i].vn;
			return 0;
		}
	return -ENOSPC;
}

static const struct vnode_ops fake_ops = { .create = fake_create };

int namei(int dirfd, const char *path, int flags, struct vnode **out)
{
	(void)dirfd; (void)flags;
	for (int i = 0; i < NNODES; i++)
		if (nodes[i].linked && !strcmp(nodes[i].name, path)) {
			nodes[i].vn.refs++;
			*out = &nodes[i].vn;
			return 0;
		}
	return -ENOENT;
}

int namei_parent(int dirfd, const char *path, struct vnode **dir,
		 const char **name, size_t *len, int *trailing)
{
	(void)dirfd;
	root.ops = &fake_ops;
	root.mode = S_IFDIR | 0755;
	root.refs++;
	*dir = &root;
	*name = path;
	*len = strlen(path);
	*trailing = 0;
	return 0;
}

void vnode_put(struct vnode *vn) { vn->refs--; }
int vfs_permission(struct vnode *vn, int want) { (void)vn; (void)want; return 0; }
mode_t vfs_umask(void) { return 022; }

static void fake_unlink(const char *name)
{
	for (int i = 0; i < NNODES; i++)
		if (nodes[i].linked && !strcmp(nodes[i].name, name))
			nodes[i].linked = 0;
}

/* Descriptors for SCM_RIGHTS: plain files whose release is counted. */
static int released;
static void count_release(struct file *f) { (void)f; released++; }
static const struct file_ops dummy_fops = { .release = count_release };

/* ---- helpers ----------------------------------------------------------- */

static struct socket *mk(int type)
{
	struct socket *s = sock_alloc();

	s->family = AF_UNIX;
	s->type = type;
	if (unix_family.create(s, type, 0, 0)) {
		kfree(s);
		return NULL;
	}
	return s;
}

static void rel(struct socket *s)
{
	s->ops->release(s);
	kfree(s);
}

static long snd(struct socket *s, const void *buf, size_t n,
		const struct sockaddr_un *to, socklen_t tolen)
{
	struct iovec one;
	struct iov_iter it;
	struct kmsg m = { .it = &it, .name = (void *)to, .namelen = tolen,
			  .namecap = tolen };

	iter_init1(&it, &one, (void *)buf, n, 1);
	return s->ops->sendmsg(s, &m, MSG_DONTWAIT);
}

static long rcv(struct socket *s, void *buf, size_t n, int flags,
		struct sockaddr_un *from, socklen_t *flen, int *mflags)
{
	struct iovec one;
	struct iov_iter it;
	struct kmsg m = { .it = &it, .name = from,
			  .namecap = from ? sizeof(*from) : 0 };
	long r;

	iter_init1(&it, &one, buf, n, 1);
	r = s->ops->recvmsg(s, &m, flags | MSG_DONTWAIT);
	if (flen)
		*flen = m.namelen;
	if (mflags)
		*mflags = m.flags;
	return r;
}

static socklen_t path_addr(struct sockaddr_un *a, const char *p)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path, p);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(p) + 1);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_stream_pair(void)
{
	static unsigned char out[400000], in[400000];
	struct socket *a = mk(SOCK_STREAM), *b = mk(SOCK_STREAM);
	struct unix_sock *ua = a->priv;
	size_t sent, got = 0;

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 31 + (i >> 9));
	CHECK(a->ops->socketpair(a, b) == 0);
	CHECK(a->ops->socketpair(a, b) == -EINVAL);
	/* The sender's buffer bounds what it may have queued. */
	CHECK(snd(a, out, sizeof(out), NULL, 0) == 212992);
	CHECK(ua->wmem == 212992 && snd(a, out, 10, NULL, 0) == -EAGAIN);
	CHECK(!(a->ops->poll(a, NULL) & POLLOUT));
	CHECK(b->ops->pending(b) == 212992);
	/* Peek across chunk boundaries, then read in odd pieces. */
	CHECK(rcv(b, in, 40000, MSG_PEEK, NULL, NULL, NULL) == 40000 &&
	      !memcmp(in, out, 40000) && ua->wmem == 212992);
	while (got < 170000) {
		long r = rcv(b, in + got, 7777, 0, NULL, NULL, NULL);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	CHECK(ua->wmem == 212992 - got);
	CHECK(a->ops->poll(a, NULL) & POLLOUT);
	sent = 212992;
	long r = snd(a, out + sent, sizeof(out) - sent, NULL, 0);
	CHECK(r == (long)got);
	sent += (size_t)r;
	while (got < sent) {
		r = rcv(b, in + got, 100000, 0, NULL, NULL, NULL);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	CHECK(got == sent && !memcmp(in, out, sent) && ua->wmem == 0);
	CHECK(rcv(b, in, 10, 0, NULL, NULL, NULL) == -EAGAIN);
	/* Small writes fill one chunk, not one allocation each. */
	for (int i = 0; i < 100; i++)
		snd(a, "x", 1, NULL, 0);
	CHECK(((struct unix_sock *)b->priv)->rq_len == 1);
	/* Close with unread data: the peer learns ECONNRESET, then EOF. */
	snd(b, "zz", 2, NULL, 0);
	rel(a);
	CHECK(rcv(b, in, 200, 0, NULL, NULL, NULL) == 100); /* its data stays */
	CHECK(rcv(b, in, 10, 0, NULL, NULL, NULL) == -ECONNRESET);
	CHECK(rcv(b, in, 10, 0, NULL, NULL, NULL) == 0);
	CHECK(snd(b, "x", 1, NULL, 0) == -EPIPE);
	CHECK(b->ops->poll(b, NULL) & POLLHUP);
	rel(b);
}

static void test_dgram(void)
{
	struct sockaddr_un a, from;
	socklen_t alen, flen;
	struct socket *srv = mk(SOCK_DGRAM), *c1 = mk(SOCK_DGRAM), *c2 = mk(SOCK_DGRAM);
	char buf[64];
	int mf;

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path, "\0srv", 4);
	alen = offsetof(struct sockaddr_un, sun_path) + 4;
	CHECK(srv->ops->bind(srv, (struct sockaddr *)&a, alen) == 0);
	CHECK(c1->ops->bind(c1, (struct sockaddr *)&a, alen) == -EADDRINUSE);
	CHECK(c1->ops->bind(c1, (struct sockaddr *)&a, sizeof(sa_family_t)) == 0);
	CHECK(((struct unix_sock *)c1->priv)->alen ==
	      offsetof(struct sockaddr_un, sun_path) + 6);
	int n = 0;
	while (snd(c1, "d", 1, &a, alen) == 1 && n < 50)
		n++;
	CHECK(n == 11);
	/* Another sender is bounded by the same queue. */
	CHECK(snd(c2, "e", 1, &a, alen) == -EAGAIN);
	CHECK(rcv(srv, buf, 64, 0, &from, &flen, NULL) == 1 && flen ==
	      offsetof(struct sockaddr_un, sun_path) + 6 && from.sun_path[0] == 0);
	CHECK(snd(c2, "e", 1, &a, alen) == 1);
	for (int i = 0; i < 10; i++)
		rcv(srv, buf, 64, 0, NULL, NULL, NULL);
	CHECK(rcv(srv, buf, 64, 0, &from, &flen, NULL) == 1 && buf[0] == 'e' && flen == 0);
	/* Truncation, and MSG_TRUNC's real length. */
	CHECK(snd(c2, "0123456789", 10, &a, alen) == 10);
	CHECK(rcv(srv, buf, 4, MSG_PEEK | MSG_TRUNC, NULL, NULL, &mf) == 10 &&
	      (mf & MSG_TRUNC));
	CHECK(rcv(srv, buf, 4, 0, NULL, NULL, &mf) == 4 && (mf & MSG_TRUNC));
	/* Unsent datagrams die with their receiver; the sender is credited. */
	snd(c2, "left", 4, &a, alen);
	CHECK(((struct unix_sock *)c2->priv)->wmem == 4);
	CHECK(c2->ops->connect(c2, (struct sockaddr *)&a, alen, 0) == 0);
	rel(srv);
	CHECK(((struct unix_sock *)c2->priv)->wmem == 0);
	CHECK(snd(c2, "x", 1, NULL, 0) == -ECONNREFUSED);
	CHECK(snd(c2, "x", 1, NULL, 0) == -ENOTCONN);
	rel(c1);
	rel(c2);
}

static void test_paths_accept(void)
{
	struct sockaddr_un a;
	socklen_t alen = path_addr(&a, "/tmp/s");
	struct socket *l = mk(SOCK_STREAM), *c = mk(SOCK_STREAM), *c2 = mk(SOCK_STREAM);
	struct socket *x = mk(SOCK_STREAM), *acc;
	char buf[16];

	CHECK(l->ops->bind(l, (struct sockaddr *)&a, alen) == 0);
	CHECK(nodes[0].vn.mode == (S_IFSOCK | 0755) && nodes[0].vn.refs == 1);
	CHECK(x->ops->bind(x, (struct sockaddr *)&a, alen) == -EADDRINUSE);
	CHECK(c->ops->connect(c, (struct sockaddr *)&a, alen, 0) == -ECONNREFUSED);
	CHECK(l->ops->listen(l, 0) == 0);
	CHECK(c->ops->connect(c, (struct sockaddr *)&a, alen, 0) == 0);
	CHECK(c2->ops->connect(c2, (struct sockaddr *)&a, alen, O_NONBLOCK) == -EAGAIN);
	CHECK(snd(c, "early", 5, NULL, 0) == 5);
	rel(c); /* the client goes before accept: the data stays */
	CHECK(l->ops->poll(l, NULL) & POLLIN);
	CHECK(l->ops->accept(l, &acc, 0) == 0);
	CHECK(rcv(acc, buf, 16, 0, NULL, NULL, NULL) == 5);
	CHECK(rcv(acc, buf, 16, 0, NULL, NULL, NULL) == 0);
	socklen_t len = sizeof(a);
	struct sockaddr_un got;
	CHECK(acc->ops->getname(acc, (struct sockaddr *)&got, &len, 0) == 0 &&
	      len == alen && !strcmp(got.sun_path, "/tmp/s"));
	rel(acc);
	/* Unlinked: unreachable, though still bound. */
	fake_unlink("/tmp/s");
	CHECK(c2->ops->connect(c2, (struct sockaddr *)&a, alen, 0) == -ENOENT);
	CHECK(x->ops->bind(x, (struct sockaddr *)&a, alen) == 0);
	CHECK(x->ops->listen(x, 5) == 0);
	CHECK(c2->ops->connect(c2, (struct sockaddr *)&a, alen, 0) == 0);
	/* A listener dies with a pending connection: the client is reset. */
	rel(x);
	CHECK(rcv(c2, buf, 16, 0, NULL, NULL, NULL) == -ECONNRESET);
	rel(c2);
	rel(l);
	for (int i = 0; i < NNODES; i++)
		CHECK(nodes[i].vn.refs == 0);
	CHECK(root.refs == 0);
}

static void test_rights(void)
{
	struct socket *a = mk(SOCK_STREAM), *b = mk(SOCK_STREAM);
	union { struct cmsghdr h; char b[CMSG_SPACE(2 * sizeof(int))]; } cm;
	struct iovec one;
	struct iov_iter it;
	struct kmsg m = { .it = &it, .control = cm.b, .controllen = sizeof(cm.b) };
	int fds[2] = { 3, 4 };

	host_fdt[3] = file_alloc(&dummy_fops, O_RDWR, NULL, NULL);
	host_fdt[4] = file_alloc(&dummy_fops, O_RDWR, NULL, NULL);
	a->ops->socketpair(a, b);
	cm.h.cmsg_len = CMSG_LEN(sizeof(fds));
	cm.h.cmsg_level = SOL_SOCKET;
	cm.h.cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(&cm.h), fds, sizeof(fds));
	iter_init1(&it, &one, "r", 1, 1);
	CHECK(a->ops->sendmsg(a, &m, 0) == 1);
	/* Close our descriptors: the message holds the files. */
	file_put(host_fdt[3]);
	file_put(host_fdt[4]);
	host_fdt[3] = host_fdt[4] = NULL;
	CHECK(released == 0);
	/* Receive with room for one: one installed, one closed, CTRUNC. */
	/* Room for one descriptor (CMSG_SPACE(int) would hold two). */
	char c;
	union { struct cmsghdr h; char b[CMSG_LEN(sizeof(int))]; } ctl;
	struct kmsg r = { .it = &it, .control = ctl.b, .controlcap = sizeof(ctl.b) };
	iter_init1(&it, &one, &c, 1, 1);
	CHECK(b->ops->recvmsg(b, &r, 0) == 1 && (r.flags & MSG_CTRUNC));
	CHECK(released == 1 && r.controllen == CMSG_LEN(sizeof(int)));
	int fd;
	memcpy(&fd, CMSG_DATA(&ctl.h), sizeof(fd));
	CHECK(fd >= 0 && fd < HOST_NFD && host_fdt[fd]);
	file_put(host_fdt[fd]);
	host_fdt[fd] = NULL;
	CHECK(released == 2);
	/* Files in a message nobody reads go with the receiver. */
	host_fdt[5] = file_alloc(&dummy_fops, O_RDWR, NULL, NULL);
	fds[0] = 5;
	cm.h.cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(&cm.h), fds, sizeof(int));
	m.controllen = CMSG_SPACE(sizeof(int));
	iter_init1(&it, &one, "r", 1, 1);
	CHECK(a->ops->sendmsg(a, &m, 0) == 1);
	file_put(host_fdt[5]);
	host_fdt[5] = NULL;
	rel(b);
	CHECK(released == 3);
	/* Two SCM_RIGHTS messages in one sendmsg add up. */
	{
		struct cmsghdr *h;
		union { struct cmsghdr h; char b[2 * CMSG_SPACE(sizeof(int))]; } two;
		struct msghdr mh = { .msg_control = two.b, .msg_controllen = sizeof(two.b) };
		struct socket *x = mk(SOCK_DGRAM), *y = mk(SOCK_DGRAM);
		int before = released;

		x->ops->socketpair(x, y);
		host_fdt[6] = file_alloc(&dummy_fops, O_RDWR, NULL, NULL);
		host_fdt[7] = file_alloc(&dummy_fops, O_RDWR, NULL, NULL);
		memset(&two, 0, sizeof(two));
		h = CMSG_FIRSTHDR(&mh);
		for (int i = 0; i < 2; i++, h = CMSG_NXTHDR(&mh, h)) {
			int fd = 6 + i;
			h->cmsg_len = CMSG_LEN(sizeof(int));
			h->cmsg_level = SOL_SOCKET;
			h->cmsg_type = SCM_RIGHTS;
			memcpy(CMSG_DATA(h), &fd, sizeof(fd));
		}
		struct kmsg k2 = { .it = &it, .control = two.b, .controllen = sizeof(two.b) };
		iter_init1(&it, &one, "2", 1, 1);
		CHECK(x->ops->sendmsg(x, &k2, 0) == 1);
		CHECK(((struct unix_sock *)y->priv)->rq_head->nfiles == 2);
		file_put(host_fdt[6]);
		file_put(host_fdt[7]);
		host_fdt[6] = host_fdt[7] = NULL;
		rel(y);
		rel(x);
		CHECK(released == before + 2);
	}
	/* A bad descriptor. */
	fds[0] = 9;
	memcpy(CMSG_DATA(&cm.h), fds, sizeof(int));
	iter_init1(&it, &one, "r", 1, 1);
	CHECK(a->ops->sendmsg(a, &m, 0) == -EBADF);
	rel(a);
}

/* A path of all 108 bytes (no NUL): 111-byte names everywhere, under
 * ASan's eye. */
static void test_long_path(void)
{
	struct { struct sockaddr_un a; char more[8]; } la, got;
	struct socket *r = mk(SOCK_DGRAM), *w = mk(SOCK_DGRAM);
	socklen_t len = sizeof(got);
	char c;

	memset(&la, 0, sizeof(la));
	la.a.sun_family = AF_UNIX;
	memset(la.a.sun_path, 'p', sizeof(la.a.sun_path));
	CHECK(r->ops->bind(r, (struct sockaddr *)&la.a, sizeof(la.a)) == 0);
	la.a.sun_path[0] = 'q';
	CHECK(w->ops->bind(w, (struct sockaddr *)&la.a, sizeof(la.a)) == 0);
	CHECK(w->ops->getname(w, (struct sockaddr *)&got, &len, 0) == 0 &&
	      len == sizeof(la.a) + 1 && got.more[0] == 0);
	la.a.sun_path[0] = 'p';
	CHECK(snd(w, "l", 1, &la.a, sizeof(la.a)) == 1);
	memset(&got, 1, sizeof(got));
	CHECK(rcv(r, &c, 1, 0, &got.a, &len, NULL) == 1 &&
	      len == sizeof(la.a) + 1 && got.a.sun_path[0] == 'q');
	rel(r);
	rel(w);
	fake_unlink(la.a.sun_path);
}

int main(void)
{
	size_t base = kmalloc_in_use();

	test_stream_pair();
	test_dgram();
	test_paths_accept();
	test_rights();
	test_long_path();
	CHECK(kmalloc_in_use() == base);
	printf("test_net_unix: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
