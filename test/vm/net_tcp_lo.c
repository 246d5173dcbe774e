/* net_tcp_lo.c - in-image test of TCP sockets over 127.0.0.1 (issue 7):
 * connect/accept between a server thread and a client, 1 MiB each way
 * with a checksum, half-close (SHUT_WR, then EOF on the other side while
 * it still sends), names, ECONNREFUSED from a closed port (blocking, and
 * non-blocking through poll and SO_ERROR), non-blocking connect and
 * accept (EINPROGRESS, EAGAIN, POLLOUT, SO_ERROR 0), poll and epoll
 * readiness (POLLIN, EPOLLRDHUP, POLLHUP), FIONREAD, MSG_PEEK,
 * MSG_DONTWAIT, MSG_WAITALL, TCP_NODELAY and SO_KEEPALIVE stored, bind
 * conflicts, and EPIPE after the peer closed (SIGPIPE ignored). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"
#include "testutil.h"

#define MIB (1024 * 1024)
#define MIN(a, b) ((a) < (b) ? (a) : (b))

static struct sockaddr_in lo_addr(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* A listener on 127.0.0.1, ephemeral port in *port. */
static int listener(int flags, uint16_t *port)
{
	int s = socket(AF_INET, SOCK_STREAM | flags, 0);
	struct sockaddr_in a = lo_addr(0);
	socklen_t len = sizeof(a);

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(s, 8) || getsockname(s, (struct sockaddr *)&a, &len))
		return -1;
	*port = ntohs(a.sin_port);
	return s;
}

static int connect_to(uint16_t port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo_addr(port);

	if (s < 0)
		return -1;
	if (connect(s, (struct sockaddr *)&a, sizeof(a))) {
		int e = errno;
		close(s);
		errno = e;
		return -1;
	}
	return s;
}

static int getint(int s, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	if (getsockopt(s, level, name, &v, &len))
		return -1000 - errno;
	return v;
}

static uint8_t pattern(size_t i, int seed)
{
	return (uint8_t)((i * 31 + (i >> 9) + (size_t)seed) & 255);
}

/* Send n bytes of pattern(seed) in uneven writes: 0 or -1. */
static int send_pattern(int s, size_t n, int seed)
{
	static uint8_t buf[40000];
	size_t off = 0, step = 1;

	while (off < n) {
		size_t k = MIN(n - off, step), i;
		ssize_t w;

		for (i = 0; i < k; i++)
			buf[i] = pattern(off + i, seed);
		w = send(s, buf, k, 0);
		if (w <= 0)
			return -1;
		off += (size_t)w;
		step = step * 3 + 7;
		if (step > sizeof(buf))
			step = 1000;
	}
	return 0;
}

/* Receive to EOF: bytes, *bad counts bytes that differ from pattern. */
static long recv_check(int s, int seed, long *bad)
{
	uint8_t buf[7000];
	long total = 0;
	ssize_t r;

	*bad = 0;
	while ((r = recv(s, buf, sizeof(buf), 0)) > 0) {
		for (ssize_t i = 0; i < r; i++)
			if (buf[i] != pattern((size_t)total + (size_t)i, seed))
				(*bad)++;
		total += r;
	}
	return r < 0 ? -1 : total;
}

/* ---- 1 MiB each way with a half-close -------------------------------------- */

struct server {
	int l;
	long got, bad;
	int sent, peer_ok;
};

static void *server_main(void *arg)
{
	struct server *sv = arg;
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	int a = accept(sv->l, (struct sockaddr *)&peer, &len);

	if (a < 0)
		return NULL;
	sv->peer_ok = len == sizeof(peer) && peer.sin_family == AF_INET &&
		peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK);
	/* read to the client's SHUT_WR, then answer on the half-open link */
	sv->got = recv_check(a, 1, &sv->bad);
	sv->sent = send_pattern(a, MIB, 2) == 0;
	close(a);
	return NULL;
}

static void test_transfer(void)
{
	struct server sv = { 0 };
	struct sockaddr_in me, peer;
	socklen_t len = sizeof(me), plen = sizeof(peer);
	pthread_t t;
	uint16_t port;
	long got, bad;
	int c;

	sv.l = listener(0, &port);
	CHECK(sv.l >= 0);
	CHECK(getint(sv.l, SOL_SOCKET, SO_ACCEPTCONN) == 1);
	CHECK(pthread_create(&t, NULL, server_main, &sv) == 0);
	c = connect_to(port);
	CHECK(c >= 0);
	CHECK(getsockname(c, (struct sockaddr *)&me, &len) == 0 &&
	      me.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && me.sin_port != 0);
	CHECK(getpeername(c, (struct sockaddr *)&peer, &plen) == 0 &&
	      peer.sin_port == htons(port));
	CHECK(getint(c, SOL_SOCKET, SO_TYPE) == SOCK_STREAM);
	CHECK(getint(c, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_TCP);
	CHECK(send_pattern(c, MIB, 1) == 0);
	CHECK(shutdown(c, SHUT_WR) == 0);
	CHECK(send(c, "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE);
	got = recv_check(c, 2, &bad);
	CHECK(got == MIB && bad == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(sv.peer_ok);
	CHECK(sv.got == MIB && sv.bad == 0);
	CHECK(sv.sent);
	close(c);
	close(sv.l);
}

/* ---- errors and non-blocking ------------------------------------------------ */

static void test_refused(void)
{
	uint16_t port;
	int l = listener(0, &port), s;
	struct sockaddr_in a = lo_addr(port);
	struct pollfd p;

	close(l); /* nobody listens on port now */
	CHECK(connect_to(port) == -1 && errno == ECONNREFUSED);

	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK(connect(s, (struct sockaddr *)&a, sizeof(a)) == -1 &&
	      (errno == EINPROGRESS || errno == ECONNREFUSED));
	p = (struct pollfd){ .fd = s, .events = POLLOUT };
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLERR));
	CHECK(getint(s, SOL_SOCKET, SO_ERROR) == ECONNREFUSED);
	CHECK(getint(s, SOL_SOCKET, SO_ERROR) == 0);
	close(s);
}

static void test_nonblock(void)
{
	uint16_t port;
	int l = listener(SOCK_NONBLOCK, &port), s, a, r;
	struct sockaddr_in sa = lo_addr(port);
	struct pollfd p;
	char buf[8];

	CHECK(accept(l, NULL, NULL) == -1 && errno == EAGAIN);
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	r = connect(s, (struct sockaddr *)&sa, sizeof(sa));
	CHECK(r == 0 || errno == EINPROGRESS);
	p = (struct pollfd){ .fd = s, .events = POLLOUT };
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLOUT) &&
	      !(p.revents & POLLERR));
	CHECK(getint(s, SOL_SOCKET, SO_ERROR) == 0);
	p = (struct pollfd){ .fd = l, .events = POLLIN };
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN));
	a = accept4(l, NULL, NULL, SOCK_NONBLOCK);
	CHECK(a >= 0);
	CHECK(recv(a, buf, sizeof(buf), 0) == -1 && errno == EAGAIN);
	/* as Linux: the next connect reports the outcome (0), then EISCONN */
	if (r != 0)
		CHECK(connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(connect(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 && errno == EISCONN);
	close(a);
	close(s);
	close(l);
}

/* ---- readiness --------------------------------------------------------------- */

/* A connected pair: *c the client, *a the accepted end. */
static int pair(int *c, int *a)
{
	uint16_t port;
	int l = listener(0, &port);

	if (l < 0)
		return -1;
	*c = connect_to(port);
	*a = accept(l, NULL, NULL);
	close(l);
	return *c >= 0 && *a >= 0 ? 0 : -1;
}

struct later {
	int s;
	const char *data;
	int ms;
};

static void *send_later(void *arg)
{
	struct later *w = arg;

	msleep(w->ms);
	send(w->s, w->data, strlen(w->data), 0);
	return NULL;
}

static void test_readiness(void)
{
	int c, a, ep, n, v;
	struct pollfd p;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP }, out;
	char buf[64];
	pthread_t t;
	struct later w;

	CHECK(pair(&c, &a) == 0);
	p = (struct pollfd){ .fd = a, .events = POLLIN | POLLOUT };
	CHECK(poll(&p, 1, 0) == 1 && p.revents == POLLOUT);
	CHECK(recv(a, buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN);
	CHECK(send(c, "hello", 5, 0) == 5);
	p = (struct pollfd){ .fd = a, .events = POLLIN };
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN));
	CHECK(ioctl(a, FIONREAD, &n) == 0 && n == 5);
	CHECK(recv(a, buf, sizeof(buf), MSG_PEEK) == 5 && !memcmp(buf, "hello", 5));
	CHECK(recv(a, buf, sizeof(buf), 0) == 5 && !memcmp(buf, "hello", 5));

	/* MSG_WAITALL waits for the second piece */
	CHECK(send(c, "abc", 3, 0) == 3);
	w = (struct later){ c, "defgh", 100 };
	CHECK(pthread_create(&t, NULL, send_later, &w) == 0);
	CHECK(recv(a, buf, 8, MSG_WAITALL) == 8 && !memcmp(buf, "abcdefgh", 8));
	pthread_join(t, NULL);

	/* a blocked reader woken by another thread */
	w = (struct later){ c, "wake", 100 };
	CHECK(pthread_create(&t, NULL, send_later, &w) == 0);
	CHECK(recv(a, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "wake", 4));
	pthread_join(t, NULL);

	ep = epoll_create1(0);
	ev.data.fd = a;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev) == 0);
	CHECK(epoll_wait(ep, &out, 1, 0) == 0);
	CHECK(send(c, "x", 1, 0) == 1);
	CHECK(epoll_wait(ep, &out, 1, 5000) == 1 && (out.events & EPOLLIN) &&
	      !(out.events & EPOLLRDHUP));
	CHECK(recv(a, buf, sizeof(buf), 0) == 1);
	CHECK(shutdown(c, SHUT_WR) == 0);
	CHECK(epoll_wait(ep, &out, 1, 5000) == 1 && (out.events & EPOLLIN) &&
	      (out.events & EPOLLRDHUP));
	CHECK(recv(a, buf, sizeof(buf), 0) == 0);
	/* the half-closed side still sends */
	CHECK(send(a, "back", 4, 0) == 4);
	CHECK(recv(c, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "back", 4));
	CHECK(shutdown(a, SHUT_WR) == 0);
	p = (struct pollfd){ .fd = c, .events = POLLIN };
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN) &&
	      (p.revents & POLLHUP));
	close(ep);

	/* options stored */
	v = 1;
	CHECK(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)) == 0);
	CHECK(getint(c, IPPROTO_TCP, TCP_NODELAY) == 1);
	CHECK(setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)) == 0);
	CHECK(getint(c, SOL_SOCKET, SO_KEEPALIVE) == 1);
	close(c);
	close(a);
}

static void test_bind(void)
{
	uint16_t port;
	int l = listener(0, &port), s, v = 1;
	struct sockaddr_in a = lo_addr(port);

	s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(bind(s, (struct sockaddr *)&a, sizeof(a)) == -1 && errno == EADDRINUSE);
	CHECK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)) == 0);
	CHECK(bind(s, (struct sockaddr *)&a, sizeof(a)) == -1 && errno == EADDRINUSE);
	close(l);
	CHECK(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(bind(s, (struct sockaddr *)&a, sizeof(a)) == -1 && errno == EINVAL);
	CHECK(listen(s, 4) == 0);
	close(s);
	s = socket(AF_INET, SOCK_STREAM, 0); /* never connected, as Linux */
	CHECK(send(s, "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE);
	CHECK(recv(s, &v, 1, MSG_DONTWAIT) == -1 && errno == ENOTCONN);
	CHECK(getpeername(s, (struct sockaddr *)&a, &(socklen_t){ sizeof(a) }) == -1 &&
	      errno == ENOTCONN);
	close(s);
}

static void test_epipe(void)
{
	int c, a, i, e = 0;
	char buf[8];

	signal(SIGPIPE, SIG_IGN);
	CHECK(pair(&c, &a) == 0);
	close(a);
	CHECK(recv(c, buf, sizeof(buf), 0) == 0); /* the FIN */
	/* the first write may still go out (and draw the RST) */
	for (i = 0; i < 100; i++) {
		if (send(c, "data", 4, 0) < 0) {
			e = errno;
			break;
		}
		msleep(10);
	}
	CHECK(e == EPIPE || e == ECONNRESET);
	CHECK(send(c, "data", 4, 0) == -1 && errno == EPIPE);
	CHECK(write(c, "data", 4) == -1 && errno == EPIPE);
	close(c);
}

/* A receive buffer whose end is unmapped: EFAULT (a copy that faults
 * takes nothing here; Linux hands over the 5 bytes that fit, also
 * accepted), and nothing is lost - the kernel consumes only what reached
 * the program, so the rest is read next. */
static void test_fault(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char rest[100];
	ssize_t r;
	int c, a;

	CHECK(m != MAP_FAILED && munmap(m + pg, pg) == 0);
	CHECK(pair(&c, &a) == 0);
	CHECK(send(a, "0123456789abcdefghij", 20, 0) == 20);
	msleep(50);
	r = recv(c, m + pg - 5, 20, 0);
	CHECK(r == 5 || (r == -1 && errno == EFAULT));
	if (r != 5)
		r = 0;
	CHECK(recv(c, m + pg, 20, 0) == -1 && errno == EFAULT);
	CHECK(recv(c, rest, sizeof(rest), 0) == 20 - r &&
	      !memcmp(rest, &"0123456789abcdefghij"[r], (size_t)(20 - r)));
	/* Sending from there: EFAULT (or the 5 bytes, as Linux may), and
	 * exactly what was taken arrives, nothing more. */
	memcpy(m + pg - 5, "VWXYZ", 5);
	r = send(c, m + pg - 5, 20, 0);
	CHECK(r == 5 || (r == -1 && errno == EFAULT));
	if (r != 5)
		r = 0;
	CHECK(send(c, "end", 3, 0) == 3);
	msleep(50);
	CHECK(recv(a, rest, sizeof(rest), MSG_DONTWAIT) == r + 3 &&
	      !memcmp(rest + r, "end", 3) && (!r || !memcmp(rest, "VWXYZ", 5)));
	close(a);
	close(c);
	munmap(m, pg);
}

int main(void)
{
	test_transfer();
	test_refused();
	test_nonblock();
	test_readiness();
	test_bind();
	test_epipe();
	test_fault();
	return check_done();
}
