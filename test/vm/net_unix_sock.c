/* net_unix_sock.c - in-image test of Unix-domain sockets (issue 6 item
 * 7, src/net/af_unix.c): stream and datagram between threads, socketpair
 * ping-pong (stream, datagram, seqpacket), path binding (S_IFSOCK node
 * with the umask, EADDRINUSE, ECONNREFUSED, ENOENT, unlink while
 * connected), abstract names and autobind, getsockname/getpeername, EOF,
 * EPIPE and SIGPIPE, non-blocking EAGAIN, backlog, MSG_PEEK/WAITALL/TRUNC,
 * FIONREAD, poll/select/epoll readiness, SO_PEERCRED, SCM_RIGHTS, and a
 * select()-driven server with several clients (the overlay daemon's
 * pattern). With the argument "sigpipe" it writes to a closed peer with
 * SIGPIPE at its default action (the harness expects status 141). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "check.h"
#include "testutil.h"

#define OFF offsetof(struct sockaddr_un, sun_path)

static socklen_t mkaddr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path, path);
	return (socklen_t)(OFF + strlen(path) + 1);
}

static socklen_t mkabstract(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, name, strlen(name));
	return (socklen_t)(OFF + 1 + strlen(name));
}

static int listener(const char *path, int backlog)
{
	struct sockaddr_un a;
	socklen_t len = mkaddr(&a, path);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	unlink(path);
	if (s < 0 || bind(s, (struct sockaddr *)&a, len) || listen(s, backlog))
		return -1;
	return s;
}

static int connect_to(const char *path, int type)
{
	struct sockaddr_un a;
	socklen_t len = mkaddr(&a, path);
	int s = socket(AF_UNIX, type, 0);

	if (connect(s, (struct sockaddr *)&a, len)) {
		int e = errno;
		close(s);
		errno = e;
		return -1;
	}
	return s;
}

/* ---- stream between two threads ------------------------------------------ */

#define BIG (1 << 20)

static void *stream_client(void *arg)
{
	static unsigned char buf[BIG];
	int s = connect_to("/tmp/stream.sock", SOCK_STREAM);
	intptr_t ok = s >= 0;

	for (size_t i = 0; i < BIG; i++)
		buf[i] = (unsigned char)(i * 7 + (i >> 12));
	/* One big write: it must block until the server reads. */
	ok = ok && write(s, buf, BIG) == BIG;
	char r[8] = {0};
	ok = ok && read(s, r, sizeof(r)) == 4 && !memcmp(r, "done", 4);
	ok = ok && read(s, r, sizeof(r)) == 0; /* EOF after the server's close */
	close(s);
	(void)arg;
	return (void *)ok;
}

static void test_stream_threads(void)
{
	static unsigned char buf[BIG];
	int l = listener("/tmp/stream.sock", 4), c;
	pthread_t th;
	void *res;
	size_t got = 0;
	int good = 1;

	CHECK(l >= 0);
	pthread_create(&th, NULL, stream_client, NULL);
	c = accept(l, NULL, NULL);
	CHECK(c >= 0);
	while (got < BIG) {
		ssize_t n = read(c, buf + got, 70000);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	CHECK(got == BIG);
	for (size_t i = 0; i < BIG; i++)
		if (buf[i] != (unsigned char)(i * 7 + (i >> 12)))
			good = 0;
	CHECK(good);
	CHECK(write(c, "done", 4) == 4);
	close(c);
	pthread_join(th, &res);
	CHECK(res == (void *)1);
	close(l);
	unlink("/tmp/stream.sock");
}

/* ---- datagrams between two threads ----------------------------------------- */

static void *dgram_client(void *arg)
{
	struct sockaddr_un srv, me, from;
	socklen_t slen = mkaddr(&srv, "/tmp/dg.srv"), mlen = mkaddr(&me, "/tmp/dg.cli");
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	intptr_t ok = s >= 0;
	char buf[64];

	unlink("/tmp/dg.cli");
	ok = ok && bind(s, (struct sockaddr *)&me, mlen) == 0;
	for (int i = 0; ok && i < 100; i++) {
		socklen_t flen = sizeof(from);
		snprintf(buf, sizeof(buf), "ping %d", i);
		ok = sendto(s, buf, strlen(buf), 0, (struct sockaddr *)&srv, slen) ==
			(ssize_t)strlen(buf);
		ssize_t n = recvfrom(s, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &flen);
		ok = ok && n > 0 && flen == slen && !strcmp(from.sun_path, "/tmp/dg.srv");
		if (ok) {
			buf[n] = 0;
			char want[32];
			snprintf(want, sizeof(want), "PONG %d", i);
			ok = !strcmp(buf, want);
		}
	}
	close(s);
	unlink("/tmp/dg.cli");
	(void)arg;
	return (void *)ok;
}

static void *read_later(void *arg)
{
	char c;
	msleep(30);
	recv((int)(intptr_t)arg, &c, 1, 0);
	return NULL;
}

static void test_dgram_threads(void)
{
	struct sockaddr_un a, from;
	socklen_t len = mkaddr(&a, "/tmp/dg.srv");
	int s = socket(AF_UNIX, SOCK_DGRAM, 0), ok = 1;
	pthread_t th;
	void *res;
	char buf[64];

	unlink("/tmp/dg.srv");
	CHECK(bind(s, (struct sockaddr *)&a, len) == 0);
	pthread_create(&th, NULL, dgram_client, NULL);
	for (int i = 0; i < 100 && ok; i++) {
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		ok = n > 5 && flen == OFF + sizeof("/tmp/dg.cli") &&
			!strcmp(from.sun_path, "/tmp/dg.cli");
		memcpy(buf, "PONG", 4);
		ok = ok && sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, flen) == n;
	}
	CHECK(ok);
	pthread_join(th, &res);
	CHECK(res == (void *)1);

	/* An unnamed sender gives no address: length 0, as Linux. */
	int u = socket(AF_UNIX, SOCK_DGRAM, 0);
	socklen_t flen = sizeof(from);
	CHECK(sendto(u, "x", 1, 0, (struct sockaddr *)&a, len) == 1);
	CHECK(recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) == 1 &&
	      flen == 0);

	/* connect() gives the default destination; send without one. */
	CHECK(send(u, "y", 1, 0) == -1 && errno == ENOTCONN);
	CHECK(connect(u, (struct sockaddr *)&a, len) == 0);
	CHECK(send(u, "yz", 2, 0) == 2);
	CHECK(recv(s, buf, sizeof(buf), 0) == 2 && !memcmp(buf, "yz", 2));
	struct sockaddr_un p;
	socklen_t plen = sizeof(p);
	CHECK(getpeername(u, (struct sockaddr *)&p, &plen) == 0 && plen == len &&
	      !strcmp(p.sun_path, "/tmp/dg.srv"));

	/* The queue of a receiver not connected back holds 11 datagrams. */
	int n = 0;
	while (send(u, "q", 1, MSG_DONTWAIT) == 1 && n < 100)
		n++;
	CHECK(n == 11 && errno == EAGAIN);
	struct pollfd pf = { u, POLLOUT, 0 };
	CHECK(poll(&pf, 1, 0) == 0);
	int pending = -1;
	CHECK(ioctl(s, FIONREAD, &pending) == 0 && pending == 1);
	CHECK(recv(s, buf, sizeof(buf), 0) == 1);
	CHECK(recv(s, buf, sizeof(buf), 0) == 1);
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLOUT);
	while (recv(s, buf, sizeof(buf), MSG_DONTWAIT) == 1)
		;
	CHECK(errno == EAGAIN);

	/* epoll learns when the full receiver makes room. */
	for (n = 0; n < 11; n++)
		send(u, "q", 1, 0);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLOUT }, evo;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, u, &ev) == 0);
	CHECK(epoll_wait(ep, &evo, 1, 0) == 0);
	pthread_create(&th, NULL, read_later, (void *)(intptr_t)s);
	CHECK(epoll_wait(ep, &evo, 1, 5000) == 1 && evo.events == EPOLLOUT);
	pthread_join(th, NULL);
	close(ep);
	while (recv(s, buf, sizeof(buf), MSG_DONTWAIT) == 1)
		;

	/* A blocking sender waits for room, and goes on when it is read. */
	for (n = 0; n < 11; n++)
		send(u, "q", 1, 0);
	pthread_create(&th, NULL, read_later, (void *)(intptr_t)s);
	uint64_t t0 = now_ms();
	CHECK(send(u, "w", 1, 0) == 1);
	CHECK(now_ms() - t0 >= 25);
	pthread_join(th, NULL);
	while (recv(s, buf, sizeof(buf), MSG_DONTWAIT) == 1)
		;

	/* The target closed: ECONNREFUSED, then not connected. */
	close(s);
	CHECK(send(u, "z", 1, 0) == -1 && errno == ECONNREFUSED);
	CHECK(send(u, "z", 1, 0) == -1 && errno == ENOTCONN);
	CHECK(sendto(u, "z", 1, 0, (struct sockaddr *)&a, len) == -1 &&
	      errno == ECONNREFUSED); /* the node is left, nobody bound */
	close(u);
	unlink("/tmp/dg.srv");
}

/* A datagram larger than the receiver's buffer: unix datagrams are
 * bounded by the sender's SO_SNDBUF (EMSGSIZE beyond it), not by the
 * receiver's SO_RCVBUF, as Linux; a short read truncates. */
static void test_dgram_sizes(void)
{
	int sv[2], small = 2048;
	static char big[60000], in[60000];
	struct iovec iov = { in, 100 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	CHECK(setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) == 0);
	memset(big, 'b', sizeof(big));
	CHECK(send(sv[0], big, sizeof(big), 0) == (ssize_t)sizeof(big));
	CHECK(recvmsg(sv[1], &mh, 0) == 100 && (mh.msg_flags & MSG_TRUNC));
	CHECK(send(sv[0], big, 5000, 0) == 5000);
	CHECK(recv(sv[1], in, 10, MSG_TRUNC) == 5000);
	CHECK(send(sv[0], big, 0, 0) == 0);
	CHECK(recv(sv[1], in, 10, MSG_DONTWAIT) == 0); /* an empty datagram */
	CHECK(recv(sv[1], in, 10, MSG_DONTWAIT) == -1 && errno == EAGAIN);
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)) == 0);
	CHECK(send(sv[0], big, 5000, 0) == -1 && errno == EMSGSIZE);
	close(sv[0]);
	close(sv[1]);
}

/* ---- socketpair ------------------------------------------------------------------ */

static void test_socketpair(void)
{
	int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };

	for (int t = 0; t < 3; t++) {
		int sv[2], ok = 1;
		unsigned v = 0;

		CHECK(socketpair(AF_UNIX, types[t] | SOCK_CLOEXEC, 0, sv) == 0);
		CHECK(fcntl(sv[0], F_GETFD) == FD_CLOEXEC);
		for (int i = 0; i < 1000 && ok; i++) {
			v = (unsigned)i;
			ok = write(sv[i & 1], &v, 4) == 4 && read(sv[!(i & 1)], &v, 4) == 4 &&
				v == (unsigned)i;
		}
		CHECK(ok);
		int type = 0;
		socklen_t tl = sizeof(type);
		CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &tl) == 0 &&
		      type == types[t]);
		struct sockaddr_un a;
		socklen_t al = sizeof(a);
		CHECK(getsockname(sv[0], (struct sockaddr *)&a, &al) == 0 &&
		      al == sizeof(sa_family_t) && a.sun_family == AF_UNIX);
		al = sizeof(a);
		CHECK(getpeername(sv[0], (struct sockaddr *)&a, &al) == 0 &&
		      al == sizeof(sa_family_t));
		close(sv[0]);
		close(sv[1]);
	}

	/* Seqpacket keeps records: two writes, two reads, truncation. */
	int sv[2];
	char b[16];
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	CHECK(write(sv[0], "abc", 3) == 3 && write(sv[0], "defgh", 5) == 5);
	CHECK(read(sv[1], b, sizeof(b)) == 3 && read(sv[1], b, 2) == 2 &&
	      !memcmp(b, "de", 2));
	close(sv[0]);
	CHECK(read(sv[1], b, sizeof(b)) == 0);
	close(sv[1]);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 7, sv) == -1 && errno == EPROTONOSUPPORT);
	CHECK(socket(AF_UNIX, SOCK_PACKET, 0) == -1 && errno == ESOCKTNOSUPPORT);
}

/* ---- names and errors ------------------------------------------------------------ */

static void test_names(void)
{
	struct sockaddr_un a, b;
	socklen_t len = mkaddr(&a, "/tmp/named.sock"), bl;
	struct stat st;
	int s = socket(AF_UNIX, SOCK_STREAM, 0), t, c;

	unlink("/tmp/named.sock");
	umask(022);
	CHECK(bind(s, (struct sockaddr *)&a, len) == 0);
	CHECK(stat("/tmp/named.sock", &st) == 0 && S_ISSOCK(st.st_mode) &&
	      (st.st_mode & 0777) == 0755);
	CHECK(bind(s, (struct sockaddr *)&a, len) == -1 && errno == EINVAL);
	t = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(t, (struct sockaddr *)&a, len) == -1 && errno == EADDRINUSE);
	close(open("/tmp/plain.file", O_CREAT | O_WRONLY, 0644));
	socklen_t fl = mkaddr(&b, "/tmp/plain.file");
	CHECK(bind(t, (struct sockaddr *)&b, fl) == -1 && errno == EADDRINUSE);
	/* Bound but not listening, a plain file, nothing: */
	CHECK(connect(t, (struct sockaddr *)&a, len) == -1 && errno == ECONNREFUSED);
	CHECK(connect(t, (struct sockaddr *)&b, fl) == -1 && errno == ECONNREFUSED);
	fl = mkaddr(&b, "/tmp/no/such.sock");
	CHECK(connect(t, (struct sockaddr *)&b, fl) == -1 && errno == ENOENT);
	fl = mkaddr(&b, "/tmp/missing.sock");
	CHECK(connect(t, (struct sockaddr *)&b, fl) == -1 && errno == ENOENT);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(connect(d, (struct sockaddr *)&a, len) == -1 && errno == EPROTOTYPE);
	close(d);
	CHECK(bind(t, (struct sockaddr *)&a, 1) == -1 && errno == EINVAL);
	b.sun_family = AF_INET;
	CHECK(bind(t, (struct sockaddr *)&b, fl) == -1 && errno == EINVAL);
	CHECK(listen(t, 1) == -1 && errno == EINVAL); /* unbound */

	CHECK(listen(s, 1) == 0);
	if (geteuid()) { /* connecting needs write permission on the node */
		CHECK(chmod("/tmp/named.sock", 0555) == 0);
		CHECK(connect(t, (struct sockaddr *)&a, len) == -1 && errno == EACCES);
		CHECK(chmod("/tmp/named.sock", 0755) == 0);
	}
	bl = sizeof(b);
	CHECK(getsockname(s, (struct sockaddr *)&b, &bl) == 0 && bl == len &&
	      !strcmp(b.sun_path, "/tmp/named.sock"));
	CHECK(connect(t, (struct sockaddr *)&a, len) == 0);
	CHECK(connect(t, (struct sockaddr *)&a, len) == -1 && errno == EISCONN);
	bl = sizeof(b);
	CHECK(getpeername(t, (struct sockaddr *)&b, &bl) == 0 && bl == len &&
	      !strcmp(b.sun_path, "/tmp/named.sock"));
	bl = sizeof(b);
	CHECK(getsockname(t, (struct sockaddr *)&b, &bl) == 0 && bl == 2);
	bl = sizeof(b);
	c = accept(s, (struct sockaddr *)&b, &bl);
	CHECK(c >= 0 && bl == sizeof(sa_family_t));
	bl = sizeof(b);
	CHECK(getsockname(c, (struct sockaddr *)&b, &bl) == 0 && bl == len &&
	      !strcmp(b.sun_path, "/tmp/named.sock"));
	int lone = socket(AF_UNIX, SOCK_STREAM, 0);
	bl = sizeof(b);
	CHECK(getpeername(lone, (struct sockaddr *)&b, &bl) == -1 && errno == ENOTCONN);
	close(lone);

	/* Unlink while connected: the connection lives, the name is gone. */
	CHECK(unlink("/tmp/named.sock") == 0);
	char buf[8];
	CHECK(write(t, "hi", 2) == 2 && read(c, buf, 8) == 2);
	int t2 = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(t2, (struct sockaddr *)&a, len) == -1 && errno == ENOENT);
	/* A new socket may take the name again. */
	int s2 = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(s2, (struct sockaddr *)&a, len) == 0 && listen(s2, 1) == 0);
	CHECK(connect(t2, (struct sockaddr *)&a, len) == 0);
	close(s2);
	close(t2);
	unlink("/tmp/named.sock");
	close(t);
	close(c);
	close(s);
	/* A path filling all of sun_path, without NUL: Linux terminates it
	 * and reports 111 bytes (one more than sockaddr_un). */
	struct { struct sockaddr_un a; char more[16]; } longa, got;
	memset(&longa, 0, sizeof(longa));
	longa.a.sun_family = AF_UNIX;
	memcpy(longa.a.sun_path, "/tmp/", 5);
	memset(longa.a.sun_path + 5, 'L', sizeof(longa.a.sun_path) - 5);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(s, (struct sockaddr *)&longa, sizeof(struct sockaddr_un)) == 0);
	memset(&got, 0x55, sizeof(got));
	bl = sizeof(got);
	CHECK(getsockname(s, (struct sockaddr *)&got, &bl) == 0 &&
	      bl == sizeof(struct sockaddr_un) + 1 &&
	      !memcmp(got.a.sun_path, longa.a.sun_path, sizeof(got.a.sun_path)) &&
	      got.more[0] == 0);
	CHECK(listen(s, 1) == 0);
	t = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(t, (struct sockaddr *)&longa, sizeof(struct sockaddr_un)) == 0);
	CHECK(bind(t, (struct sockaddr *)&longa, sizeof(struct sockaddr_un) + 1) == -1 &&
	      errno == EINVAL);
	close(t);
	close(s);
	unlink(longa.a.sun_path); /* NUL-terminated by more[] */

	/* The listener closed and its node stays: refused. */
	s = listener("/tmp/gone.sock", 1);
	close(s);
	t = socket(AF_UNIX, SOCK_STREAM, 0);
	fl = mkaddr(&b, "/tmp/gone.sock");
	CHECK(connect(t, (struct sockaddr *)&b, fl) == -1 && errno == ECONNREFUSED);
	close(t);
	unlink("/tmp/gone.sock");
	unlink("/tmp/plain.file");
}

static void test_abstract(void)
{
	struct sockaddr_un a, b;
	socklen_t len = mkabstract(&a, "uni-test"), bl = sizeof(b);
	int s = socket(AF_UNIX, SOCK_STREAM, 0), t = socket(AF_UNIX, SOCK_STREAM, 0), c;

	CHECK(bind(s, (struct sockaddr *)&a, len) == 0 && listen(s, 4) == 0);
	CHECK(getsockname(s, (struct sockaddr *)&b, &bl) == 0 && bl == len &&
	      b.sun_path[0] == 0 && !memcmp(b.sun_path + 1, "uni-test", 8));
	CHECK(access("uni-test", F_OK) == -1); /* no node anywhere */
	int u = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(u, (struct sockaddr *)&a, len) == -1 && errno == EADDRINUSE);
	/* A prefix is another name. */
	CHECK(bind(u, (struct sockaddr *)&a, len - 1) == 0);
	close(u);
	CHECK(connect(t, (struct sockaddr *)&a, len) == 0);
	c = accept(s, NULL, NULL);
	CHECK(c >= 0 && write(t, "abs", 3) == 3);
	char buf[4];
	CHECK(read(c, buf, 4) == 3 && !memcmp(buf, "abs", 3));
	bl = sizeof(b);
	CHECK(getpeername(t, (struct sockaddr *)&b, &bl) == 0 && bl == len &&
	      b.sun_path[0] == 0);
	close(c);
	close(t);
	close(s);
	/* The name is free again once the socket is closed. */
	t = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(t, (struct sockaddr *)&a, len) == -1 && errno == ECONNREFUSED);
	CHECK(bind(t, (struct sockaddr *)&a, len) == 0);
	close(t);

	/* Autobind: an empty address gives "\0" and five hex digits. */
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(bind(s, (struct sockaddr *)&a, sizeof(sa_family_t)) == 0);
	memset(&b, 0x55, sizeof(b));
	bl = sizeof(b);
	CHECK(getsockname(s, (struct sockaddr *)&b, &bl) == 0 && bl == OFF + 6 &&
	      b.sun_path[0] == 0 && b.sun_path[6] == 0x55 &&
	      strspn(b.sun_path + 1, "0123456789abcdef") == 5);
	/* Another datagram socket reaches it by that name. */
	t = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(sendto(t, "A", 1, 0, (struct sockaddr *)&b, bl) == 1);
	CHECK(recv(s, buf, 4, 0) == 1 && buf[0] == 'A');
	close(t);
	close(s);
}

/* ---- EOF, EPIPE, SIGPIPE, shutdown ----------------------------------------------- */

static volatile int sigpipes;
static void on_sigpipe(int sig) { (void)sig; sigpipes++; }

static void test_eof_epipe(void)
{
	int sv[2];
	char buf[8];

	signal(SIGPIPE, on_sigpipe);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(write(sv[0], "last", 4) == 4);
	CHECK(shutdown(sv[0], SHUT_WR) == 0);
	struct pollfd pf = { sv[1], POLLIN | POLLRDHUP, 0 };
	CHECK(poll(&pf, 1, 0) == 1 && (pf.revents & (POLLIN | POLLRDHUP)) ==
	      (POLLIN | POLLRDHUP));
	CHECK(read(sv[1], buf, 8) == 4 && read(sv[1], buf, 8) == 0);
	CHECK(write(sv[0], "x", 1) == -1 && errno == EPIPE && sigpipes == 1);
	CHECK(send(sv[0], "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE &&
	      sigpipes == 1);
	CHECK(write(sv[1], "back", 4) == 4); /* the other way still works */
	CHECK(read(sv[0], buf, 8) == 4);
	close(sv[1]);
	pf.fd = sv[0];
	pf.events = POLLIN | POLLOUT;
	CHECK(poll(&pf, 1, 0) == 1 && (pf.revents & POLLHUP) && (pf.revents & POLLIN));
	CHECK(read(sv[0], buf, 8) == 0);
	CHECK(write(sv[0], "x", 1) == -1 && errno == EPIPE && sigpipes == 2);
	close(sv[0]);

	/* SHUT_RD on one side: the peer's writes get EPIPE. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(shutdown(sv[0], SHUT_RD) == 0);
	CHECK(read(sv[0], buf, 8) == 0);
	CHECK(send(sv[1], "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE);
	CHECK(shutdown(sv[0], 7) == -1 && errno == EINVAL);
	close(sv[0]);
	close(sv[1]);

	/* Unread data at close: the peer sees ECONNRESET, then EOF. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(write(sv[1], "unread", 6) == 6);
	close(sv[0]);
	CHECK(read(sv[1], buf, 8) == -1 && errno == ECONNRESET);
	CHECK(read(sv[1], buf, 8) == 0);
	close(sv[1]);
	signal(SIGPIPE, SIG_DFL);
}

/* ---- non-blocking, backlog, flags ------------------------------------------------ */

static void *write_later(void *arg)
{
	int fd = (int)(intptr_t)arg;
	msleep(30);
	write(fd, "56789", 5);
	return NULL;
}

static void test_nonblock_flags(void)
{
	int sv[2], n;
	char buf[16];
	static char fill[4096];
	size_t total = 0;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
	CHECK(read(sv[0], buf, 8) == -1 && errno == EAGAIN);
	for (;;) {
		ssize_t w = write(sv[0], fill, sizeof(fill));
		if (w < 0)
			break;
		total += (size_t)w;
	}
	CHECK(errno == EAGAIN && total >= 100000 && total <= 300000);
	printf("stream buffer took %zu bytes\n", total);
	struct pollfd pf = { sv[0], POLLOUT, 0 };
	CHECK(poll(&pf, 1, 0) == 0);
	CHECK(ioctl(sv[1], FIONREAD, &n) == 0 && (size_t)n == total);
	CHECK(ioctl(sv[0], TIOCOUTQ, &n) == 0 && (size_t)n == total); /* SIOCOUTQ */
	/* Reading most of it makes the writer writable again. */
	size_t drained = 0;
	while (drained < total - 1000) {
		ssize_t r = read(sv[1], fill, sizeof(fill));
		if (r <= 0)
			break;
		drained += (size_t)r;
	}
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLOUT);
	while (read(sv[1], fill, sizeof(fill)) > 0)
		;
	close(sv[0]);
	close(sv[1]);

	/* SO_SNDTIMEO: a full blocking stream gives EAGAIN after the time. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	struct timeval tv = { 0, 50000 };
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0);
	total = 0;
	uint64_t t1 = now_ms();
	for (;;) {
		ssize_t w = write(sv[0], fill, sizeof(fill));
		if (w < 0)
			break;
		total += (size_t)w;
	}
	CHECK(errno == EAGAIN && total == 212992 && now_ms() - t1 >= 45);
	close(sv[0]);
	close(sv[1]);

	/* MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(recv(sv[1], buf, 8, MSG_DONTWAIT) == -1 && errno == EAGAIN);
	CHECK(write(sv[0], "01", 2) == 2 && write(sv[0], "234", 3) == 3);
	CHECK(recv(sv[1], buf, 4, MSG_PEEK) == 4 && !memcmp(buf, "0123", 4));
	CHECK(ioctl(sv[1], FIONREAD, &n) == 0 && n == 5);
	pthread_t th;
	pthread_create(&th, NULL, write_later, (void *)(intptr_t)sv[0]);
	uint64_t t0 = now_ms();
	CHECK(recv(sv[1], buf, 10, MSG_WAITALL) == 10 && !memcmp(buf, "0123456789", 10));
	CHECK(now_ms() - t0 >= 25);
	pthread_join(th, NULL);
	close(sv[0]);
	close(sv[1]);

	/* Backlog: listen(1) queues two connections; the third would wait. */
	int l = listener("/tmp/backlog.sock", 1), c[3];
	for (int i = 0; i < 3; i++) {
		struct sockaddr_un a;
		socklen_t len = mkaddr(&a, "/tmp/backlog.sock");
		c[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		n = connect(c[i], (struct sockaddr *)&a, len);
		if (i < 2)
			CHECK(n == 0);
		else
			CHECK(n == -1 && errno == EAGAIN);
	}
	/* The client may write before accept(). */
	CHECK(write(c[0], "early", 5) == 5);
	int acc = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	CHECK(acc >= 0 && (fcntl(acc, F_GETFL) & O_NONBLOCK) &&
	      fcntl(acc, F_GETFD) == FD_CLOEXEC);
	CHECK(read(acc, buf, 8) == 5 && read(acc, buf, 8) == -1 && errno == EAGAIN);
	struct sockaddr_un a;
	socklen_t len = mkaddr(&a, "/tmp/backlog.sock");
	CHECK(connect(c[2], (struct sockaddr *)&a, len) == 0);
	/* A listener closed with pending connections resets them. */
	close(l);
	CHECK(read(c[1], buf, 8) == -1 && errno == ECONNRESET);
	for (int i = 0; i < 3; i++)
		close(c[i]);
	close(acc);
	unlink("/tmp/backlog.sock");

	l = listener("/tmp/nb.sock", 4);
	fcntl(l, F_SETFL, O_NONBLOCK);
	CHECK(accept(l, NULL, NULL) == -1 && errno == EAGAIN);
	close(l);
	unlink("/tmp/nb.sock");
}

/* ---- readiness: poll, select, epoll ------------------------------------------------ */

static void *connect_later(void *arg)
{
	msleep(30);
	int s = connect_to("/tmp/ready.sock", SOCK_STREAM);
	write(s, "hello", 5);
	msleep(30);
	close(s);
	(void)arg;
	return NULL;
}

static void test_readiness(void)
{
	int l = listener("/tmp/ready.sock", 4), ep = epoll_create1(0), c;
	struct epoll_event ev = { .events = EPOLLIN }, out[4];
	pthread_t th;
	fd_set rd;

	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev) == 0);
	CHECK(epoll_wait(ep, out, 4, 0) == 0);
	pthread_create(&th, NULL, connect_later, NULL);
	CHECK(epoll_wait(ep, out, 4, 5000) == 1 && out[0].events == EPOLLIN);
	c = accept(l, NULL, NULL);
	CHECK(c >= 0);
	FD_ZERO(&rd);
	FD_SET(c, &rd);
	struct timeval tv = { 5, 0 };
	CHECK(select(c + 1, &rd, NULL, NULL, &tv) == 1 && FD_ISSET(c, &rd));
	char buf[8];
	CHECK(read(c, buf, 8) == 5);
	ev.events = EPOLLIN | EPOLLRDHUP;
	ev.data.fd = c;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) == 0);
	int n = epoll_wait(ep, out, 4, 5000);
	CHECK(n == 1 && out[0].data.fd == c &&
	      (out[0].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) ==
	      (EPOLLIN | EPOLLRDHUP | EPOLLHUP));
	struct pollfd pf = { c, POLLOUT, 0 };
	CHECK(poll(&pf, 1, 0) == 1 && (pf.revents & POLLHUP));
	pthread_join(th, NULL);
	close(c);
	close(ep);
	close(l);
	unlink("/tmp/ready.sock");

	/* A fresh stream socket is writable and hung up, as Linux. */
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	pf.fd = s;
	pf.events = POLLIN | POLLOUT;
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == (POLLOUT | POLLHUP));
	close(s);
}

/* ---- credentials and descriptors ------------------------------------------------- */

static void test_cred_rights(void)
{
	int sv[2], p[2];
	struct ucred uc;
	socklen_t ul = sizeof(uc);

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &ul) == 0 &&
	      ul == sizeof(uc) && uc.pid == getpid() && uc.uid == geteuid() &&
	      uc.gid == getegid());

	/* Pass a pipe's read end and read the pipe through the copy. */
	CHECK(pipe(p) == 0);
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } cm;
	char c = 'F';
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cm.b, .msg_controllen = sizeof(cm.b) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &p[0], sizeof(int));
	CHECK(sendmsg(sv[0], &mh, 0) == 1);
	close(p[0]);
	memset(&cm, 0, sizeof(cm));
	c = 0;
	mh.msg_controllen = sizeof(cm.b);
	CHECK(recvmsg(sv[1], &mh, MSG_CMSG_CLOEXEC) == 1 && c == 'F');
	h = CMSG_FIRSTHDR(&mh);
	int got = -1;
	CHECK(h && h->cmsg_type == SCM_RIGHTS && h->cmsg_len == CMSG_LEN(sizeof(int)));
	if (h)
		memcpy(&got, CMSG_DATA(h), sizeof(int));
	CHECK(got >= 0 && fcntl(got, F_GETFD) == FD_CLOEXEC);
	char b[4];
	CHECK(write(p[1], "via", 3) == 3 && read(got, b, 4) == 3 && !memcmp(b, "via", 3));
	close(got);
	close(p[1]);
	/* A bad descriptor is refused. */
	int bad = 999;
	mh.msg_control = cm.b;
	mh.msg_controllen = sizeof(cm.b);
	h = CMSG_FIRSTHDR(&mh);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &bad, sizeof(int));
	CHECK(sendmsg(sv[0], &mh, 0) == -1 && errno == EBADF);
	close(sv[0]);
	close(sv[1]);

	/* SO_PASSCRED autobinds the sender, as Linux; SCM_CREDENTIALS must
	 * tell the truth (it is accepted, not delivered). */
	struct sockaddr_un ra, from;
	socklen_t rl = mkabstract(&ra, "uni-cred"), fl = sizeof(from);
	int r = socket(AF_UNIX, SOCK_DGRAM, 0), d = socket(AF_UNIX, SOCK_DGRAM, 0), on = 1;
	CHECK(bind(r, (struct sockaddr *)&ra, rl) == 0);
	CHECK(setsockopt(d, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == 0);
	CHECK(sendto(d, "c", 1, 0, (struct sockaddr *)&ra, rl) == 1);
	CHECK(recvfrom(r, b, 4, 0, (struct sockaddr *)&from, &fl) == 1 &&
	      fl == OFF + 6 && from.sun_path[0] == 0);
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(struct ucred))]; } cc;
	struct ucred me = { getpid(), getuid(), getgid() };
	iov.iov_base = &c;
	iov.iov_len = 1;
	struct msghdr cmh = { .msg_name = &ra, .msg_namelen = rl, .msg_iov = &iov,
			      .msg_iovlen = 1, .msg_control = cc.b,
			      .msg_controllen = sizeof(cc.b) };
	h = CMSG_FIRSTHDR(&cmh);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_CREDENTIALS;
	h->cmsg_len = CMSG_LEN(sizeof(me));
	memcpy(CMSG_DATA(h), &me, sizeof(me));
	CHECK(sendmsg(d, &cmh, 0) == 1);
	me.pid = 4242;
	memcpy(CMSG_DATA(h), &me, sizeof(me));
	CHECK(sendmsg(d, &cmh, 0) == -1 && errno == (geteuid() ? EPERM : ESRCH));
	me.pid = getpid();
	me.uid = 4242;
	memcpy(CMSG_DATA(h), &me, sizeof(me));
	if (geteuid())
		CHECK(sendmsg(d, &cmh, 0) == -1 && errno == EPERM);
	else
		CHECK(sendmsg(d, &cmh, 0) == 1); /* CAP_SETUID */
	close(d);
	close(r);
}

/* ---- a select()-driven server with several clients -------------------------------- */

#define NCLIENTS 6
#define ROUNDS 50

static void *daemon_client(void *arg)
{
	int id = (int)(intptr_t)arg, s;
	intptr_t ok = 1;
	char req[32], rep[32];

	/* Connect, retrying while the backlog is full. */
	while ((s = connect_to("/tmp/daemon.sock", SOCK_STREAM)) < 0 && errno == EAGAIN)
		msleep(5);
	if (s < 0)
		return (void *)0;
	for (int i = 0; ok && i < ROUNDS; i++) {
		int n = snprintf(req, sizeof(req), "c%d r%d\n", id, i);
		ok = write(s, req, (size_t)n) == n;
		ssize_t m = 0;
		while (ok && (m == 0 || rep[m - 1] != '\n')) {
			ssize_t r = read(s, rep + m, sizeof(rep) - (size_t)m);
			ok = r > 0;
			m += ok ? r : 0;
		}
		req[0] = 'C';
		ok = ok && m == n && !memcmp(rep, req, (size_t)n);
	}
	close(s);
	return (void *)ok;
}

static void test_select_daemon(void)
{
	int l = listener("/tmp/daemon.sock", 2), conns[NCLIENTS], nconn = 0, done = 0;
	pthread_t th[NCLIENTS];
	uint64_t served = 0;

	CHECK(l >= 0);
	for (int i = 0; i < NCLIENTS; i++)
		pthread_create(&th[i], NULL, daemon_client, (void *)(intptr_t)i);
	while (done < NCLIENTS) {
		fd_set rd;
		int maxfd = l;
		FD_ZERO(&rd);
		FD_SET(l, &rd);
		for (int i = 0; i < nconn; i++)
			if (conns[i] >= 0) {
				FD_SET(conns[i], &rd);
				maxfd = conns[i] > maxfd ? conns[i] : maxfd;
			}
		struct timeval tv = { 10, 0 };
		int n = select(maxfd + 1, &rd, NULL, NULL, &tv);
		if (n <= 0)
			break;
		if (FD_ISSET(l, &rd) && nconn < NCLIENTS)
			conns[nconn++] = accept(l, NULL, NULL);
		for (int i = 0; i < nconn; i++) {
			char buf[256];
			if (conns[i] < 0 || !FD_ISSET(conns[i], &rd))
				continue;
			ssize_t r = read(conns[i], buf, sizeof(buf));
			if (r <= 0) {
				close(conns[i]);
				conns[i] = -1;
				done++;
				continue;
			}
			buf[0] = 'C';
			write(conns[i], buf, (size_t)r);
			served++;
		}
	}
	int ok = 1;
	for (int i = 0; i < NCLIENTS; i++) {
		void *res;
		pthread_join(th[i], &res);
		ok = ok && res == (void *)1;
	}
	CHECK(done == NCLIENTS && ok);
	printf("select daemon: %d clients, %llu requests served\n", NCLIENTS,
	       (unsigned long long)served);
	close(l);
	unlink("/tmp/daemon.sock");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "sigpipe")) {
		int sv[2];
		socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		close(sv[1]);
		printf("writing to a socket without peer\n");
		fflush(stdout);
		write(sv[0], "x", 1);
		printf("still running\n");
		return 1;
	}
	test_socketpair();
	test_stream_threads();
	test_dgram_threads();
	test_dgram_sizes();
	test_names();
	test_abstract();
	test_eof_epipe();
	test_nonblock_flags();
	test_readiness();
	test_cred_rights();
	test_select_daemon();
	return check_done();
}
