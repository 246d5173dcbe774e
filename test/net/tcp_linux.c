/* tcp_linux.c - host side of the TCP tests against the host's Linux stack
 * (test/net/tcp-linux, tcp-netem, tcp-garbage): each command is one
 * request to the guest program test/vm/net_tcp_linux.c (protocol in
 * tcp_stream.h) over the host's own sockets, checked here; exit 0 when
 * every check passed, 1 with a "FAIL: ..." line otherwise.
 *   tcp_linux [-a ADDR] [-t SECONDS] PORT COMMAND [ARGS]
 *     upload SEED LEN [BACK]   LEN bytes to the image, SHUT_WR, its
 *                              checksum back; then BACK bytes from it
 *     download SEED LEN        LEN bytes from the image, checksummed
 *     guestshut SEED LEN BACK  the image sends LEN and shuts down its
 *                              side; then BACK bytes to it
 *     connect IP PORT ERR      the image connects to IP:PORT; ERR is the
 *                              errno name it must get (or "ok")
 *     refused                  connect to ADDR:PORT from here must get
 *                              ECONNREFUSED (the image answers RST)
 *     many N PORT2             N connections to PORT2 all open at once
 *     manyout N GUESTVIEW BIND the image opens N connections to a port
 *                              here on BIND, which it reaches as GUESTVIEW
 *     quit                     the image's failure count must be 0
 * ADDR defaults to 127.0.0.1 (a uni-run port forward); -t is the stall
 * timeout (default 60 s). Timings go to stdout (not checked). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "tcp_stream.h"

static struct in_addr addr;
static int port, stall_ms = 60000;
static unsigned char buf[65536];

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
#include <stdarg.h>
static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait for ev on fd, failing after the stall timeout. */
static void wait_fd(int fd, short ev, const char *what)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int r;

	while ((r = poll(&p, 1, stall_ms)) < 0 && errno == EINTR)
		;
	if (r == 0)
		fail("%s: nothing for %d s", what, stall_ms / 1000);
}

static int dial(int p)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p),
				 .sin_addr = addr };
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)))
		fail("connect to %s:%d: %s", inet_ntoa(addr), p, strerror(errno));
	return s;
}

static void write_full(int fd, const void *p, size_t n, const char *what)
{
	while (n) {
		ssize_t w;

		wait_fd(fd, POLLOUT, what);
		w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (w <= 0)
			fail("%s: send: %s", what, strerror(errno));
		p = (const char *)p + w;
		n -= (size_t)w;
	}
}

/* Exactly n bytes, failing on an early end of stream. */
static void read_full(int fd, void *p, size_t n, const char *what)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r;

		wait_fd(fd, POLLIN, what);
		r = recv(fd, (char *)p + got, n - got, MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r < 0)
			fail("%s: recv: %s", what, strerror(errno));
		if (r == 0)
			fail("%s: end of stream after %zu of %zu bytes", what, got, n);
		got += (size_t)r;
	}
}

static void expect_eof(int fd, const char *what)
{
	ssize_t r;

	do {
		wait_fd(fd, POLLIN, what);
		r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	} while (r < 0 && (errno == EAGAIN || errno == EINTR));
	if (r != 0)
		fail("%s: %s instead of the end of stream", what,
		     r < 0 ? strerror(errno) : "more data");
}

static int request(uint32_t op, uint64_t seed, uint64_t len, uint32_t arg,
		   uint32_t arg2)
{
	struct ts_req q = { .magic = "UTCP", .op = op, .seed = seed, .len = len,
			    .arg = arg, .arg2 = arg2 };
	int s = dial(port);

	write_full(s, &q, sizeof(q), "request");
	return s;
}

static struct ts_sum expected(uint64_t seed, uint64_t len)
{
	struct ts_hash h;

	ts_hash_init(&h);
	for (uint64_t off = 0; off < len;) {
		size_t n = len - off < sizeof(buf) ? (size_t)(len - off) : sizeof(buf);
		ts_fill(seed, off, buf, n);
		ts_hash_add(&h, buf, n);
		off += n;
	}
	return (struct ts_sum){ ts_hash_end(&h), len };
}

static void send_stream(int s, uint64_t seed, uint64_t len, const char *what)
{
	struct ts_hash h;
	struct ts_sum sum;

	ts_hash_init(&h);
	for (uint64_t off = 0; off < len;) {
		size_t n = len - off < sizeof(buf) ? (size_t)(len - off) : sizeof(buf);
		ts_fill(seed, off, buf, n);
		ts_hash_add(&h, buf, n);
		write_full(s, buf, n, what);
		off += n;
	}
	sum = (struct ts_sum){ ts_hash_end(&h), len };
	write_full(s, &sum, sizeof(sum), what);
}

/* len bytes and the sender's sum: both must match stream(seed). */
static void recv_stream(int s, uint64_t seed, uint64_t len, const char *what)
{
	struct ts_hash h;
	struct ts_sum theirs, want = expected(seed, len);
	uint64_t got = 0;

	ts_hash_init(&h);
	while (got < len) {
		size_t n = len - got < sizeof(buf) ? (size_t)(len - got) : sizeof(buf);
		ssize_t r;

		wait_fd(s, POLLIN, what);
		r = recv(s, buf, n, MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r < 0)
			fail("%s: recv after %llu bytes: %s", what,
			     (unsigned long long)got, strerror(errno));
		if (r == 0)
			fail("%s: end of stream after %llu of %llu bytes", what,
			     (unsigned long long)got, (unsigned long long)len);
		ts_hash_add(&h, buf, (size_t)r);
		got += (uint64_t)r;
	}
	read_full(s, &theirs, sizeof(theirs), what);
	if (ts_hash_end(&h) != want.hash)
		fail("%s: the %llu bytes received hash to %016llx, stream(%llu) to %016llx",
		     what, (unsigned long long)len, (unsigned long long)ts_hash_end(&h),
		     (unsigned long long)seed, (unsigned long long)want.hash);
	if (theirs.hash != want.hash || theirs.len != len)
		fail("%s: the sender's checksum %016llx/%llu, expected %016llx/%llu",
		     what, (unsigned long long)theirs.hash,
		     (unsigned long long)theirs.len, (unsigned long long)want.hash,
		     (unsigned long long)len);
}

static void rate(const char *what, uint64_t len, double t0)
{
	double t = now_s() - t0;

	printf("%s: %llu bytes intact in %.2f s (%.1f MiB/s)\n", what,
	       (unsigned long long)len, t, t > 0 ? (double)len / 1048576.0 / t : 0.0);
}

static void cmd_upload(uint64_t seed, uint64_t len, uint32_t back)
{
	double t0 = now_s();
	int s = request(TS_OP_UPLOAD, seed, len, back, 0);
	struct ts_sum got, want = expected(seed, len);

	send_stream(s, seed, len, "upload");
	if (shutdown(s, SHUT_WR))
		fail("shutdown: %s", strerror(errno));
	read_full(s, &got, sizeof(got), "upload: the image's checksum");
	if (got.len != len || got.hash != want.hash)
		fail("upload: the image got %llu bytes hashing to %016llx; sent %llu hashing to %016llx",
		     (unsigned long long)got.len, (unsigned long long)got.hash,
		     (unsigned long long)len, (unsigned long long)want.hash);
	rate("upload (host to image)", len, t0);
	if (back) {
		recv_stream(s, seed + 1, back, "upload: after the host's SHUT_WR");
		printf("half-close: host shut down, then received %u bytes intact\n", back);
	}
	expect_eof(s, "upload");
	close(s);
}

static void cmd_download(uint64_t seed, uint64_t len)
{
	double t0 = now_s();
	int s = request(TS_OP_DOWNLOAD, seed, len, 0, 0);

	recv_stream(s, seed, len, "download");
	expect_eof(s, "download");
	rate("download (image to host)", len, t0);
	close(s);
}

static void cmd_guestshut(uint64_t seed, uint64_t len, uint32_t back)
{
	int s = request(TS_OP_GUEST_SHUT, seed, len, back, 0);

	recv_stream(s, seed, len, "guestshut");
	expect_eof(s, "guestshut: the image's SHUT_WR");
	send_stream(s, seed + 1, back, "guestshut: after the image's SHUT_WR");
	if (shutdown(s, SHUT_WR))
		fail("shutdown: %s", strerror(errno));
	expect_eof(s, "guestshut: close");
	printf("half-close: the image shut down after %llu bytes, then took %u more\n",
	       (unsigned long long)len, back);
	close(s);
}

static void cmd_connect(const char *ip, int p, const char *err)
{
	struct in_addr a;
	struct { int32_t err; uint32_t ms; } ans;
	int s, want;

	if (!inet_aton(ip, &a))
		fail("bad address %s", ip);
	want = !strcmp(err, "ok") ? 0 : !strcmp(err, "ECONNREFUSED") ? ECONNREFUSED :
		!strcmp(err, "ETIMEDOUT") ? ETIMEDOUT : -1;
	if (want < 0)
		fail("unknown errno name %s", err);
	s = request(TS_OP_CONNECT, 0, 0, a.s_addr, htons((uint16_t)p));
	read_full(s, &ans, sizeof(ans), "connect");
	if (ans.err != want)
		fail("the image's connect to %s:%d: %s, expected %s", ip, p,
		     ans.err ? strerror(ans.err) : "connected", err);
	printf("the image's connect to %s:%d: %s after %u ms, as expected\n", ip, p,
	       ans.err ? strerror(ans.err) : "connected", ans.ms);
	close(s);
}

static void cmd_refused(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr = addr };
	int s = socket(AF_INET, SOCK_STREAM, 0);
	double t0 = now_s();

	if (!connect(s, (struct sockaddr *)&a, sizeof(a)))
		fail("connect to the closed port %s:%d succeeded", inet_ntoa(addr), port);
	if (errno != ECONNREFUSED)
		fail("connect to the closed port %s:%d: %s, expected ECONNREFUSED",
		     inet_ntoa(addr), port, strerror(errno));
	printf("connect to the closed port %s:%d: ECONNREFUSED after %.3f s\n",
	       inet_ntoa(addr), port, now_s() - t0);
	close(s);
}

/* n connections at once, as the guest's do_many expects. */
static void cmd_many(int n, int port2)
{
	struct rlimit rl = { (rlim_t)n + 64, (rlim_t)n + 64 };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port2),
				 .sin_addr = addr };
	int *fd = calloc((size_t)n, sizeof(int)), *got = calloc((size_t)n, sizeof(int));
	struct pollfd *p = calloc((size_t)n, sizeof(*p));
	unsigned char (*rep)[8 + 2048] = calloc((size_t)n, sizeof(*rep));
	static unsigned char want[2048];
	struct ts_sum go, res;
	double t0 = now_s();
	int c, left, i;

	if (!fd || !got || !p || !rep)
		fail("out of memory");
	if (setrlimit(RLIMIT_NOFILE, &rl))
		fail("setrlimit RLIMIT_NOFILE %d: %s", n + 64, strerror(errno));
	c = request(TS_OP_MANY, 0, 0, (uint32_t)n, 0);
	read_full(c, &go, sizeof(go), "many: go");
	if (go.len != (uint64_t)n)
		fail("many: the image takes %llu connections, not %d",
		     (unsigned long long)go.len, n);
	for (i = 0; i < n; i++) {
		fd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd[i] < 0)
			fail("many: socket %d: %s", i, strerror(errno));
		if (connect(fd[i], (struct sockaddr *)&a, sizeof(a)) && errno != EINPROGRESS)
			fail("many: connect %d: %s", i, strerror(errno));
		p[i] = (struct pollfd){ .fd = fd[i], .events = POLLOUT };
	}
	/* every connection established (and each request sent) */
	for (left = n; left;) {
		int r = poll(p, (nfds_t)n, stall_ms);

		if (r <= 0)
			fail("many: %d of %d connections not established", left, n);
		for (i = 0; i < n; i++) {
			uint64_t req[2] = { (uint64_t)i, 1000u + (uint64_t)i };
			int e = 0;
			socklen_t el = sizeof(e);

			if (!(p[i].revents & (POLLOUT | POLLERR | POLLHUP)) || p[i].events != POLLOUT)
				continue;
			getsockopt(fd[i], SOL_SOCKET, SO_ERROR, &e, &el);
			if (e)
				fail("many: connection %d: %s", i, strerror(e));
			if (send(fd[i], req, sizeof(req), MSG_NOSIGNAL) != sizeof(req))
				fail("many: request %d: %s", i, strerror(errno));
			p[i].events = POLLIN;
			left--;
		}
	}
	printf("many: %d connections established from the host in %.2f s\n", n,
	       now_s() - t0);
	for (left = n; left;) {
		int r = poll(p, (nfds_t)n, stall_ms);

		if (r <= 0)
			fail("many: %d of %d replies missing", left, n);
		for (i = 0; i < n; i++) {
			ssize_t k;

			if (!p[i].revents || p[i].fd < 0)
				continue;
			k = recv(fd[i], rep[i] + got[i], sizeof(rep[i]) - (size_t)got[i],
				 MSG_DONTWAIT);
			if (k < 0 && errno == EAGAIN)
				continue;
			if (k <= 0)
				fail("many: connection %d: %s after %d bytes", i,
				     k ? strerror(errno) : "end of stream", got[i]);
			got[i] += (int)k;
			if (got[i] < (int)sizeof(rep[i]))
				continue;
			ts_fill(1000u + (uint64_t)i, 0, want, sizeof(want));
			if (memcmp(rep[i], &(uint64_t){ (uint64_t)i }, 8) ||
			    memcmp(rep[i] + 8, want, sizeof(want)))
				fail("many: connection %d: wrong reply", i);
			p[i].fd = -1;
			left--;
		}
	}
	for (i = 0; i < n; i++)
		close(fd[i]);
	read_full(c, &res, sizeof(res), "many: result");
	if (res.hash != (uint64_t)n || res.len != (uint64_t)n)
		fail("many: the image served %llu of %llu", (unsigned long long)res.hash,
		     (unsigned long long)res.len);
	printf("many: %d connections open at once, each exchanged and closed, in %.2f s\n",
	       n, now_s() - t0);
	close(c);
}

/* The image opens n connections to BIND:port (it reaches it as GUESTVIEW)
 * and keeps them all open, as the guest's do_many_out does; every one
 * is held here until the image closes it. */
static void cmd_many_out(int n, const char *guestview, const char *bind_to)
{
	struct rlimit rl = { (rlim_t)n + 64, (rlim_t)n + 64 };
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	struct pollfd *p = calloc((size_t)n + 1, sizeof(*p));
	int *got = calloc((size_t)n + 1, sizeof(int));
	unsigned char (*req)[16] = calloc((size_t)n + 1, 16);
	static unsigned char rep[8 + 2048];
	struct in_addr gv;
	struct ts_sum res;
	double t0 = now_s();
	int l, c, one = 1, nconn = 0, open_now = 0, peak = 0, eofs = 0, i;

	if (!p || !got || !req)
		fail("out of memory");
	if (setrlimit(RLIMIT_NOFILE, &rl))
		fail("setrlimit RLIMIT_NOFILE %d: %s", n + 64, strerror(errno));
	if (!inet_aton(guestview, &gv) || !inet_aton(bind_to, &a.sin_addr))
		fail("bad address %s or %s", guestview, bind_to);
	l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 4096) ||
	    getsockname(l, (struct sockaddr *)&a, &al))
		fail("listen on %s: %s", bind_to, strerror(errno));
	c = request(TS_OP_MANY_OUT, 0, (uint64_t)n, gv.s_addr, a.sin_port);
	p[0] = (struct pollfd){ .fd = l, .events = POLLIN };
	while (eofs < n) {
		int r = poll(p, (nfds_t)nconn + 1, stall_ms);

		if (r <= 0)
			fail("many-out: stalled: %d connections came, %d closed", nconn, eofs);
		if (p[0].revents & POLLIN) {
			int s;

			while ((s = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
				if (nconn == n)
					fail("many-out: more than %d connections", n);
				nconn++;
				p[nconn] = (struct pollfd){ .fd = s, .events = POLLIN };
				if (++open_now > peak)
					peak = open_now;
			}
		}
		for (i = 1; i <= nconn; i++) {
			ssize_t k;

			if (!p[i].revents || p[i].fd < 0)
				continue;
			k = recv(p[i].fd, req[i] + got[i], got[i] < 16 ? 16 - (size_t)got[i] : 1,
				 MSG_DONTWAIT);
			if (k < 0 && errno == EAGAIN)
				continue;
			if (k < 0)
				fail("many-out: connection %d: %s", i, strerror(errno));
			if (k == 0) {
				if (got[i] != 16)
					fail("many-out: connection %d closed after %d bytes", i,
					     got[i]);
				close(p[i].fd);
				p[i].fd = -1;
				open_now--;
				eofs++;
				continue;
			}
			got[i] += (int)k;
			if (got[i] > 16)
				fail("many-out: connection %d: more than its request", i);
			if (got[i] == 16) {
				uint64_t id, seed;

				memcpy(&id, req[i], 8);
				memcpy(&seed, req[i] + 8, 8);
				memcpy(rep, &id, 8);
				ts_fill(seed, 0, rep + 8, sizeof(rep) - 8);
				/* fits the socket buffer: sent whole */
				if (send(p[i].fd, rep, sizeof(rep), MSG_NOSIGNAL) != sizeof(rep))
					fail("many-out: answer %d: %s", i, strerror(errno));
			}
		}
	}
	read_full(c, &res, sizeof(res), "many-out: result");
	if (res.hash != (uint64_t)n || res.len != (uint64_t)n)
		fail("many-out: the image checked %llu of %llu", (unsigned long long)res.hash,
		     (unsigned long long)res.len);
	if (peak != n)
		fail("many-out: at most %d of %d open at once here", peak, n);
	printf("many-out: the image opened %d connections (%d open at once here), each exchanged and closed, in %.2f s\n",
	       n, peak, now_s() - t0);
	close(c);
	close(l);
}

static void cmd_quit(void)
{
	uint32_t fails;
	int s = request(TS_OP_QUIT, 0, 0, 0, 0);

	read_full(s, &fails, sizeof(fails), "quit");
	if (fails)
		fail("the image counted %u failed checks", fails);
	close(s);
}

int main(int argc, char **argv)
{
	int o;
	const char *cmd;

	addr.s_addr = htonl(INADDR_LOOPBACK);
	while ((o = getopt(argc, argv, "+a:t:")) != -1)
		switch (o) {
		case 'a':
			if (!inet_aton(optarg, &addr))
				fail("bad address %s", optarg);
			break;
		case 't':
			stall_ms = atoi(optarg) * 1000;
			break;
		default:
			return 2;
		}
	if (argc - optind < 2) {
		fprintf(stderr, "usage: %s [-a ADDR] [-t SECONDS] PORT COMMAND [ARGS]\n",
			argv[0]);
		return 2;
	}
	port = atoi(argv[optind]);
	cmd = argv[optind + 1];
	argv += optind + 2;
	argc -= optind + 2;
#define NEED(k) do { if (argc < (k)) { fprintf(stderr, "%s: %d arguments\n", cmd, k); return 2; } } while (0)
	if (!strcmp(cmd, "upload")) {
		NEED(2);
		cmd_upload(strtoull(argv[0], NULL, 0), strtoull(argv[1], NULL, 0),
			   argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : 0);
	} else if (!strcmp(cmd, "download")) {
		NEED(2);
		cmd_download(strtoull(argv[0], NULL, 0), strtoull(argv[1], NULL, 0));
	} else if (!strcmp(cmd, "guestshut")) {
		NEED(3);
		cmd_guestshut(strtoull(argv[0], NULL, 0), strtoull(argv[1], NULL, 0),
			      (uint32_t)strtoul(argv[2], NULL, 0));
	} else if (!strcmp(cmd, "connect")) {
		NEED(3);
		cmd_connect(argv[0], atoi(argv[1]), argv[2]);
	} else if (!strcmp(cmd, "refused")) {
		cmd_refused();
	} else if (!strcmp(cmd, "many")) {
		NEED(2);
		cmd_many(atoi(argv[0]), atoi(argv[1]));
	} else if (!strcmp(cmd, "manyout")) {
		NEED(3);
		cmd_many_out(atoi(argv[0]), argv[1], argv[2]);
	} else if (!strcmp(cmd, "quit")) {
		cmd_quit();
	} else {
		fprintf(stderr, "unknown command %s\n", cmd);
		return 2;
	}
	return 0;
}
