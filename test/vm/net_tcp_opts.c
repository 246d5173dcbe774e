/* net_tcp_opts.c - in-image test of TCP's socket options and timers over
 * 127.0.0.1 (issue 7, src/net/tcp_keep.c and af_inet_tcp.c): TCP_NODELAY
 * get/set; SO_KEEPALIVE, TCP_KEEPIDLE/INTVL/CNT defaults, values and
 * Linux's EINVAL cases, and probes answered on an idle connection;
 * TCP_INFO (Linux's layout: state numbers, window scale, MSS, RTO, cwnd,
 * counters, a shorter optlen getting a prefix, a listener's backlog);
 * SO_LINGER: close blocking until the FIN is acknowledged, returning at
 * the linger time with the rest sent in the background, not blocking
 * with O_NONBLOCK, l_linger 0 resetting; connect(AF_UNSPEC) resetting a
 * connection and a listener, the socket then connecting again; and
 * request/response with two writes a request under TCP_NODELAY not
 * waiting for delayed ACKs. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"
#include "testutil.h"

static struct sockaddr_in lo_addr(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int listener(uint16_t *port, int rcvbuf)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo_addr(0);
	socklen_t len = sizeof(a);

	if (rcvbuf)
		setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(s, 8) || getsockname(s, (struct sockaddr *)&a, &len))
		return -1;
	*port = ntohs(a.sin_port);
	return s;
}

static int connect_to(int s, uint16_t port)
{
	struct sockaddr_in a = lo_addr(port);

	return connect(s, (struct sockaddr *)&a, sizeof(a));
}

/* A connected pair over a fresh listener (rcvbuf for the accepted end). */
static int pair(int *c, int *a, int rcvbuf)
{
	uint16_t port;
	int l = listener(&port, rcvbuf);

	if (l < 0)
		return -1;
	*c = socket(AF_INET, SOCK_STREAM, 0);
	if (connect_to(*c, port))
		return -1;
	*a = accept(l, NULL, NULL);
	close(l);
	return *a >= 0 ? 0 : -1;
}

static int getint(int s, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	if (getsockopt(s, level, name, &v, &len))
		return -1000 - errno;
	return v;
}

static int setint(int s, int level, int name, int v)
{
	return setsockopt(s, level, name, &v, sizeof(v)) ? -errno : 0;
}

static int info(int s, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0xee, sizeof(*ti));
	return getsockopt(s, IPPROTO_TCP, TCP_INFO, ti, &len) == 0 &&
	       len == sizeof(*ti) ? 0 : -1;
}

/* ---- options ------------------------------------------------------------- */

static void test_options(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	char one = 1;

	CHECK(getint(s, IPPROTO_TCP, TCP_NODELAY) == 0);
	CHECK(setint(s, IPPROTO_TCP, TCP_NODELAY, 1) == 0);
	CHECK(getint(s, IPPROTO_TCP, TCP_NODELAY) == 1);
	CHECK(setint(s, IPPROTO_TCP, TCP_NODELAY, 0) == 0);
	CHECK(getint(s, IPPROTO_TCP, TCP_NODELAY) == 0);
	CHECK(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, 1) == -1 &&
	      errno == EINVAL); /* Linux wants an int at IPPROTO_TCP */
	/* Keepalive: Linux's defaults, ranges and errors. */
	CHECK(getint(s, SOL_SOCKET, SO_KEEPALIVE) == 0);
	CHECK(getint(s, IPPROTO_TCP, TCP_KEEPIDLE) == 7200);
	CHECK(getint(s, IPPROTO_TCP, TCP_KEEPINTVL) == 75);
	CHECK(getint(s, IPPROTO_TCP, TCP_KEEPCNT) == 9);
	CHECK(setint(s, IPPROTO_TCP, TCP_KEEPIDLE, 0) == -EINVAL);
	CHECK(setint(s, IPPROTO_TCP, TCP_KEEPIDLE, 32768) == -EINVAL);
	CHECK(setint(s, IPPROTO_TCP, TCP_KEEPINTVL, -5) == -EINVAL);
	CHECK(setint(s, IPPROTO_TCP, TCP_KEEPINTVL, 32768) == -EINVAL);
	CHECK(setint(s, IPPROTO_TCP, TCP_KEEPCNT, 0) == -EINVAL);
	CHECK(setint(s, IPPROTO_TCP, TCP_KEEPCNT, 128) == -EINVAL);
	CHECK(setint(s, IPPROTO_TCP, TCP_KEEPIDLE, 32767) == 0);
	CHECK(setint(s, IPPROTO_TCP, TCP_KEEPINTVL, 1) == 0);
	CHECK(setint(s, IPPROTO_TCP, TCP_KEEPCNT, 127) == 0);
	CHECK(getint(s, IPPROTO_TCP, TCP_KEEPIDLE) == 32767);
	CHECK(getint(s, IPPROTO_TCP, TCP_KEEPINTVL) == 1);
	CHECK(getint(s, IPPROTO_TCP, TCP_KEEPCNT) == 127);
	CHECK(setint(s, SOL_SOCKET, SO_KEEPALIVE, 1) == 0);
	CHECK(getint(s, SOL_SOCKET, SO_KEEPALIVE) == 1);
	CHECK(setint(s, IPPROTO_TCP, TCP_QUICKACK, 1) == 0);
	CHECK(setint(s, IPPROTO_TCP, TCP_CORK, 1) == -ENOPROTOOPT);
	close(s);
}

/* ---- TCP_INFO, keepalive probes -------------------------------------------- */

static void test_info_keepalive(void)
{
	struct tcp_info ti, ta;
	socklen_t len;
	uint16_t port;
	uint32_t segs_c, segs_a;
	int c, a, l;
	char buf[2000];

	CHECK(pair(&c, &a, 0) == 0);
	CHECK(info(c, &ti) == 0);
	CHECK(ti.tcpi_state == TCP_ESTABLISHED);
	CHECK(ti.tcpi_options & TCPI_OPT_WSCALE);
	CHECK(ti.tcpi_rcv_wscale >= 1); /* a window beyond 64 KiB */
	CHECK(ti.tcpi_snd_mss > 500 && ti.tcpi_snd_mss <= 65495);
	CHECK(ti.tcpi_rto >= 200000 && ti.tcpi_rto <= 3000000); /* us */
	CHECK(ti.tcpi_snd_cwnd >= 2 && ti.tcpi_snd_cwnd <= 10);
	CHECK(ti.tcpi_unacked == 0 && ti.tcpi_total_retrans == 0);
	CHECK(ti.tcpi_snd_ssthresh == 0x7fffffffu);
	CHECK(ti.tcpi_rcv_space > 0 && ti.tcpi_snd_wnd > 0);
	/* Data both ways shows in the counters. */
	memset(buf, 'x', sizeof(buf));
	CHECK(send(c, buf, 1500, 0) == 1500);
	CHECK(recv(a, buf, 1500, MSG_WAITALL) == 1500);
	CHECK(send(a, buf, 10, 0) == 10 && recv(c, buf, 10, MSG_WAITALL) == 10);
	CHECK(info(c, &ti) == 0 && info(a, &ta) == 0);
	CHECK(ti.tcpi_bytes_acked >= 1501 && ti.tcpi_bytes_received == 10);
	CHECK(ta.tcpi_bytes_received == 1500 && ta.tcpi_data_segs_in >= 1);
	CHECK(ti.tcpi_data_segs_out >= 1 && ti.tcpi_segs_out >= ti.tcpi_data_segs_out);
	/* A shorter buffer: a prefix (state and the first bytes). */
	len = 8;
	memset(&ti, 0, sizeof(ti));
	CHECK(getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 && len == 8);
	CHECK(ti.tcpi_state == TCP_ESTABLISHED && ti.tcpi_rto == 0);

	/* Keepalive on an idle connection: probes go, the peer answers, the
	 * connection lives. */
	CHECK(setint(c, IPPROTO_TCP, TCP_KEEPIDLE, 1) == 0);
	CHECK(setint(c, IPPROTO_TCP, TCP_KEEPINTVL, 1) == 0);
	CHECK(setint(c, IPPROTO_TCP, TCP_KEEPCNT, 2) == 0);
	CHECK(info(c, &ti) == 0 && info(a, &ta) == 0);
	segs_c = ti.tcpi_segs_out;
	segs_a = ta.tcpi_segs_out;
	CHECK(setint(c, SOL_SOCKET, SO_KEEPALIVE, 1) == 0);
	msleep(3500); /* idle 1 s, then a probe a second, each answered */
	CHECK(info(c, &ti) == 0 && info(a, &ta) == 0);
	CHECK(ti.tcpi_segs_out >= segs_c + 2); /* probes */
	CHECK(ta.tcpi_segs_out >= segs_a + 2); /* their ACKs */
	CHECK(ti.tcpi_state == TCP_ESTABLISHED && ti.tcpi_probes == 0);
	CHECK(send(c, "k", 1, 0) == 1 && recv(a, buf, 1, 0) == 1);
	/* The peer closes: CLOSE-WAIT is Linux's 8. */
	close(a);
	CHECK(recv(c, buf, 1, 0) == 0);
	CHECK(info(c, &ti) == 0 && ti.tcpi_state == TCP_CLOSE_WAIT);
	close(c);

	/* A listener: TCP_LISTEN, the backlog in tcpi_sacked. */
	l = listener(&port, 0);
	CHECK(info(l, &ti) == 0 && ti.tcpi_state == TCP_LISTEN &&
	      ti.tcpi_sacked == 8 && ti.tcpi_unacked == 0);
	close(l);
}

/* ---- SO_LINGER ------------------------------------------------------------- */

struct reader {
	int s, delay_ms;
	long got;
	int eof, err;
};

static void *read_later(void *arg)
{
	struct reader *r = arg;
	char buf[4096];
	ssize_t n;

	msleep(r->delay_ms);
	while ((n = recv(r->s, buf, sizeof(buf), 0)) > 0)
		r->got += n;
	r->eof = n == 0;
	r->err = n < 0 ? errno : 0;
	return NULL;
}

static void test_linger(void)
{
	struct linger lg = { 1, 5 };
	static char buf[20000];
	struct reader r;
	pthread_t t;
	uint64_t t0, dt;
	int c, a;

	/* The reader starts late; close waits for the FIN's ACK, which
	 * comes once the small receive buffer drained. */
	CHECK(pair(&c, &a, 4096) == 0);
	CHECK(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0);
	CHECK(send(c, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf));
	r = (struct reader){ .s = a, .delay_ms = 400 };
	CHECK(pthread_create(&t, NULL, read_later, &r) == 0);
	t0 = now_ms();
	CHECK(close(c) == 0);
	dt = now_ms() - t0;
	CHECK(dt >= 300 && dt < 4000);
	CHECK(r.got == (long)sizeof(buf)); /* all read before close returned */
	pthread_join(t, NULL);
	CHECK(r.eof && r.got == (long)sizeof(buf));
	close(a);

	/* The linger time passes first: close returns then; the rest
	 * still arrives, then the FIN (no reset, as Linux). */
	lg.l_linger = 1;
	CHECK(pair(&c, &a, 4096) == 0);
	CHECK(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0);
	CHECK(send(c, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf));
	r = (struct reader){ .s = a, .delay_ms = 3000 };
	CHECK(pthread_create(&t, NULL, read_later, &r) == 0);
	t0 = now_ms();
	CHECK(close(c) == 0);
	dt = now_ms() - t0;
	CHECK(dt >= 900 && dt < 2800 && r.got == 0);
	pthread_join(t, NULL);
	CHECK(r.eof && r.got == (long)sizeof(buf) && !r.err);
	close(a);

	/* O_NONBLOCK: close does not wait. */
	lg.l_linger = 5;
	CHECK(pair(&c, &a, 4096) == 0);
	CHECK(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0);
	CHECK(send(c, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf));
	CHECK(fcntl(c, F_SETFL, O_NONBLOCK) == 0);
	t0 = now_ms();
	CHECK(close(c) == 0);
	CHECK(now_ms() - t0 < 200);
	r = (struct reader){ .s = a, .delay_ms = 0 };
	read_later(&r);
	CHECK(r.eof && r.got == (long)sizeof(buf));
	close(a);

	/* l_linger 0: a reset. */
	lg.l_linger = 0;
	CHECK(pair(&c, &a, 0) == 0);
	CHECK(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0);
	CHECK(close(c) == 0);
	CHECK(recv(a, buf, 1, 0) == -1 && errno == ECONNRESET);
	close(a);
}

/* ---- connect(AF_UNSPEC) ------------------------------------------------------ */

static void test_unspec(void)
{
	struct sockaddr un = { .sa_family = AF_UNSPEC };
	struct sockaddr_in pa;
	socklen_t plen = sizeof(pa);
	uint16_t port;
	int l = listener(&port, 0), c, a, a2, v;
	char buf[8];

	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(setint(c, IPPROTO_TCP, TCP_NODELAY, 1) == 0);
	CHECK(connect_to(c, port) == 0);
	a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	CHECK(connect(c, &un, sizeof(un)) == 0);
	CHECK(getpeername(c, (struct sockaddr *)&pa, &plen) == -1 && errno == ENOTCONN);
	CHECK(recv(a, buf, 1, 0) == -1 && errno == ECONNRESET);
	CHECK(getint(c, IPPROTO_TCP, TCP_NODELAY) == 1); /* options kept */
	/* Unconnected again: it connects anew. */
	CHECK(connect_to(c, port) == 0);
	a2 = accept(l, NULL, NULL);
	CHECK(a2 >= 0);
	CHECK(send(c, "again", 5, 0) == 5 && recv(a2, buf, 5, MSG_WAITALL) == 5 &&
	      !memcmp(buf, "again", 5));
	close(a2);
	close(a);
	close(c);
	/* A listener stops listening. */
	CHECK(connect(l, &un, sizeof(un)) == 0);
	CHECK(getint(l, SOL_SOCKET, SO_ACCEPTCONN) == 0);
	v = fcntl(l, F_GETFL);
	fcntl(l, F_SETFL, v | O_NONBLOCK);
	CHECK(accept(l, NULL, NULL) == -1 && errno == EINVAL);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect_to(c, port) == -1 && errno == ECONNREFUSED);
	close(c);
	close(l);
}

/* ---- request/response under TCP_NODELAY -------------------------------------- */

static void *echo_main(void *arg)
{
	int s = *(int *)arg;
	char buf[64];

	for (;;) {
		if (recv(s, buf, 20, MSG_WAITALL) != 20 || send(s, buf, 20, 0) != 20)
			break;
	}
	return NULL;
}

static void test_request_response(void)
{
	pthread_t t;
	uint64_t t0, dt;
	int c, a, ok = 1;
	char buf[20];

	CHECK(pair(&c, &a, 0) == 0);
	CHECK(setint(c, IPPROTO_TCP, TCP_NODELAY, 1) == 0);
	CHECK(setint(a, IPPROTO_TCP, TCP_NODELAY, 1) == 0);
	CHECK(pthread_create(&t, NULL, echo_main, &a) == 0);
	t0 = now_ms();
	/* 50 requests in two writes each: with Nagle each would wait for a
	 * delayed ACK (40 ms); without, none waits. */
	for (int i = 0; i < 50 && ok; i++)
		ok = send(c, "0123456789", 10, 0) == 10 &&
		     send(c, "abcdefghij", 10, 0) == 10 &&
		     recv(c, buf, 20, MSG_WAITALL) == 20;
	dt = now_ms() - t0;
	CHECK(ok);
	CHECK(dt < 50 * 40);
	printf("50 request/response exchanges with TCP_NODELAY: %llu ms\n",
	       (unsigned long long)dt);
	shutdown(c, SHUT_WR);
	pthread_join(t, NULL);
	close(a);
	close(c);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_options();
	test_info_keepalive();
	test_linger();
	test_unspec();
	test_request_response();
	return check_done();
}
