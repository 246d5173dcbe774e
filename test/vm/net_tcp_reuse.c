/* net_tcp_reuse.c - in-image test of Linux's TCP bind rules with
 * SO_REUSEADDR and SO_REUSEPORT (src/net/tcp.c tcp_pcb_bind, issue 7),
 * over 127.0.0.1: a server restarted while its closed connections sit in
 * TIME-WAIT binds again only with SO_REUSEADDR (on both generations);
 * two listeners on one address and port are refused even with it (at
 * bind, or at listen when both bound first); wildcard and specific
 * addresses overlap; SO_REUSEPORT on both lets several listeners share a
 * port and new connections are spread over them. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"
#include "testutil.h"

static struct sockaddr_in addr(uint32_t a, uint16_t port)
{
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(port) };
	s.sin_addr.s_addr = htonl(a);
	return s;
}

/* A socket with SO_REUSEADDR (flags & 1) / SO_REUSEPORT (flags & 2). */
static int sock(int flags)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (s >= 0 && (flags & 1))
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s >= 0 && (flags & 2))
		setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	return s;
}

/* bind to a:port: 0 or errno */
static int bind_to(int s, uint32_t a, uint16_t port)
{
	struct sockaddr_in sa = addr(a, port);

	return bind(s, (struct sockaddr *)&sa, sizeof(sa)) ? errno : 0;
}

/* A free port: bound once to 127.0.0.1 and closed again. */
static uint16_t free_port(void)
{
	struct sockaddr_in sa = addr(INADDR_LOOPBACK, 0);
	socklen_t len = sizeof(sa);
	int s = sock(0);

	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(s, (struct sockaddr *)&sa, &len))
		return 0;
	close(s);
	return ntohs(sa.sin_port);
}

static int connect_to(uint16_t port)
{
	struct sockaddr_in sa = addr(INADDR_LOOPBACK, port);
	int s = sock(0);

	if (connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		close(s);
		return -1;
	}
	return s;
}

/* One connection to l on port, closed by the server first, so that the
 * server's end (port) goes to TIME-WAIT. 0 on success. */
static int server_close_first(int l, uint16_t port)
{
	char b;
	int c = connect_to(port), a = accept(l, NULL, NULL), ok;

	if (c < 0 || a < 0)
		return -1;
	ok = write(c, "x", 1) == 1 && read(a, &b, 1) == 1;
	close(a);                         /* our FIN first: we end in TIME-WAIT */
	ok = ok && read(c, &b, 1) == 0;   /* the client sees EOF, closes */
	close(c);
	msleep(50);                       /* its FIN reaches us over lo */
	return ok ? 0 : -1;
}

static void test_time_wait(void)
{
	uint16_t port = free_port();
	int l = sock(1), s, c, a;
	char b;

	CHECK(port != 0);
	CHECK(bind_to(l, INADDR_ANY, port) == 0 && listen(l, 4) == 0);
	CHECK(server_close_first(l, port) == 0);
	close(l); /* the server exits; its connection stays in TIME-WAIT */

	s = sock(0); /* without SO_REUSEADDR the port is still held */
	CHECK(bind_to(s, INADDR_ANY, port) == EADDRINUSE);
	CHECK(bind_to(s, INADDR_LOOPBACK, port) == EADDRINUSE);
	close(s);
	s = sock(2); /* SO_REUSEPORT alone does not match SO_REUSEADDR */
	CHECK(bind_to(s, INADDR_ANY, port) == EADDRINUSE);
	close(s);

	s = sock(1); /* the restarted server: binds, listens and serves */
	CHECK(bind_to(s, INADDR_ANY, port) == 0);
	CHECK(listen(s, 4) == 0);
	c = connect_to(port);
	CHECK(c >= 0);
	a = accept(s, NULL, NULL);
	CHECK(a >= 0 && write(c, "y", 1) == 1 && read(a, &b, 1) == 1 && b == 'y');
	close(c);
	close(a);
	close(s);

	/* the old generation without SO_REUSEADDR: its TIME-WAIT end
	 * blocks even a new socket that has it (Linux wants it on both) */
	port = free_port();
	l = sock(0);
	CHECK(bind_to(l, INADDR_ANY, port) == 0 && listen(l, 4) == 0);
	CHECK(server_close_first(l, port) == 0);
	close(l);
	s = sock(1);
	CHECK(bind_to(s, INADDR_ANY, port) == EADDRINUSE);
	close(s);
}

static void test_listeners(void)
{
	uint16_t port = free_port();
	int a = sock(1), b = sock(1), c;

	/* a listener holds its port even against SO_REUSEADDR */
	CHECK(bind_to(a, INADDR_LOOPBACK, port) == 0 && listen(a, 4) == 0);
	CHECK(bind_to(b, INADDR_LOOPBACK, port) == EADDRINUSE);
	CHECK(bind_to(b, INADDR_ANY, port) == EADDRINUSE);
	close(a);
	close(b);

	/* both bound first (allowed: neither listens), then the second
	 * listen is refused, as Linux's inet_csk_listen_start */
	a = sock(1);
	b = sock(1);
	CHECK(bind_to(a, INADDR_LOOPBACK, port) == 0);
	CHECK(bind_to(b, INADDR_LOOPBACK, port) == 0);
	CHECK(listen(a, 4) == 0);
	CHECK(listen(b, 4) == -1 && errno == EADDRINUSE);
	close(a);
	CHECK(listen(b, 4) == 0); /* the port is free again */
	close(b);

	/* without SO_REUSEADDR two idle bound sockets already clash; the
	 * wildcard overlaps every address, both ways round */
	a = sock(0);
	b = sock(0);
	c = sock(0);
	CHECK(bind_to(a, INADDR_ANY, port) == 0);
	CHECK(bind_to(b, INADDR_LOOPBACK, port) == EADDRINUSE);
	close(a);
	CHECK(bind_to(b, INADDR_LOOPBACK, port) == 0);
	CHECK(bind_to(c, INADDR_ANY, port) == EADDRINUSE);
	close(b);
	close(c);
	/* with SO_REUSEADDR on both and nobody listening they may share */
	a = sock(1);
	b = sock(1);
	c = sock(0);
	CHECK(bind_to(a, INADDR_ANY, port) == 0);
	CHECK(bind_to(b, INADDR_LOOPBACK, port) == 0);
	CHECK(bind_to(c, INADDR_LOOPBACK, port) == EADDRINUSE); /* not on both */
	close(a);
	close(b);
	close(c);
}

static void test_reuseport(void)
{
	enum { N = 24 };
	uint16_t port = free_port();
	int l[2] = { sock(2), sock(2) }, x = sock(0), y = sock(1), c[N];
	int n[2] = { 0, 0 }, i, k, spins = 0;

	CHECK(bind_to(l[0], INADDR_LOOPBACK, port) == 0 && listen(l[0], N) == 0);
	CHECK(bind_to(x, INADDR_LOOPBACK, port) == EADDRINUSE); /* not on both */
	CHECK(bind_to(y, INADDR_LOOPBACK, port) == EADDRINUSE);
	CHECK(bind_to(l[1], INADDR_LOOPBACK, port) == 0 && listen(l[1], N) == 0);
	for (i = 0; i < N; i++)
		c[i] = connect_to(port);
	for (i = 0; i < N; i++)
		CHECK(c[i] >= 0);
	/* every connection lands on one of the two; both get some (the
	 * client ports are random: all on one has odds 2^-23) */
	for (i = 0; i < N && spins < 100;) {
		struct pollfd p[2] = { { .fd = l[0], .events = POLLIN },
				       { .fd = l[1], .events = POLLIN } };
		if (poll(p, 2, 1000) <= 0) {
			spins++;
			continue;
		}
		for (k = 0; k < 2; k++)
			if (p[k].revents & POLLIN) {
				int a = accept(l[k], NULL, NULL);
				if (a >= 0) {
					n[k]++;
					i++;
					close(a);
				}
			}
	}
	printf("reuseport: %d and %d connections\n", n[0], n[1]);
	CHECK(n[0] + n[1] == N);
	CHECK(n[0] > 0 && n[1] > 0);
	for (i = 0; i < N; i++)
		close(c[i]);
	/* one closed: the other takes every connection */
	close(l[0]);
	for (i = 0; i < 4; i++) {
		int cc = connect_to(port), a = accept(l[1], NULL, NULL);
		CHECK(cc >= 0 && a >= 0);
		close(cc);
		close(a);
	}
	close(l[1]);
	close(x);
	close(y);
}

int main(void)
{
	test_time_wait();
	test_listeners();
	test_reuseport();
	return check_done();
}
