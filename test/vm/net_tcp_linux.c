/* net_tcp_linux.c - the guest side of the TCP tests against the host's
 * Linux stack (test/net/tcp-linux, tcp-netem, tcp-garbage; host program
 * test/net/tcp_linux.c; protocol in test/net/tcp_stream.h).
 *   net_tcp_linux PORT PORT2
 * Listens on PORT (default buffers) and PORT2 (SO_RCVBUF/SO_SNDBUF 4 KiB,
 * backlog 1024: the many-connections test), raises RLIMIT_NOFILE, prints
 * "ready on tcp ports PORT PORT2", then serves one request connection on
 * PORT at a time (struct ts_req, then what its op says) until TS_OP_QUIT.
 * Every check it makes itself prints "FAIL: ..." and counts; QUIT
 * answers the count and exits 0 only if it is 0 (1 on a broken socket
 * call the test cannot go on from). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include "../net/tcp_stream.h"
#include "testutil.h"

#define MANY_MAX 2000
#define MANY_BUF 4096
#define MANY_REPLY 2048

static unsigned char buf[65536];
static unsigned fails;

#define FAIL(...) (printf("FAIL: " __VA_ARGS__), printf("\n"), fails++)

static void die(const char *what)
{
	printf("FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Read exactly n bytes unless the stream ends first: the count read. */
static size_t read_full(int fd, void *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read");
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return got;
}

static void write_full(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write");
		p = (const char *)p + w;
		n -= (size_t)w;
	}
}

/* Send len bytes of stream(seed), then their ts_sum. */
static void send_stream(int fd, uint64_t seed, uint64_t len)
{
	struct ts_hash h;
	struct ts_sum s;

	ts_hash_init(&h);
	for (uint64_t off = 0; off < len;) {
		size_t n = len - off < sizeof(buf) ? (size_t)(len - off) : sizeof(buf);
		ts_fill(seed, off, buf, n);
		ts_hash_add(&h, buf, n);
		write_full(fd, buf, n);
		off += n;
	}
	s = (struct ts_sum){ ts_hash_end(&h), len };
	write_full(fd, &s, sizeof(s));
}

/* Receive len bytes and the sender's ts_sum; check both; returns ours. */
static struct ts_sum recv_stream(int fd, uint64_t len, const char *what)
{
	struct ts_hash h;
	struct ts_sum theirs, ours;
	uint64_t got = 0;

	ts_hash_init(&h);
	while (got < len) {
		size_t want = len - got < sizeof(buf) ? (size_t)(len - got) : sizeof(buf);
		ssize_t r = read(fd, buf, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read");
		if (r == 0)
			break;
		ts_hash_add(&h, buf, (size_t)r);
		got += (uint64_t)r;
	}
	ours = (struct ts_sum){ ts_hash_end(&h), got };
	if (got < len) {
		FAIL("%s: end of stream after %llu of %llu bytes", what,
		     (unsigned long long)got, (unsigned long long)len);
	} else if (read_full(fd, &theirs, sizeof(theirs)) != sizeof(theirs)) {
		FAIL("%s: no checksum after the data", what);
	} else if (theirs.hash != ours.hash || theirs.len != ours.len) {
		FAIL("%s: checksum %016llx of %llu bytes, the sender's %016llx of %llu",
		     what, (unsigned long long)ours.hash, (unsigned long long)got,
		     (unsigned long long)theirs.hash, (unsigned long long)theirs.len);
	}
	return ours;
}

static void expect_eof(int fd, const char *what)
{
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) < 0 && errno == EINTR)
		;
	if (r != 0)
		FAIL("%s: %s instead of the end of stream", what,
		     r < 0 ? strerror(errno) : "more data");
}

static void report(const char *what, uint64_t len, uint64_t t0)
{
	uint64_t ms = now_ms() - t0;

	printf("%s: %llu bytes in %llu ms (%.1f MiB/s)\n", what,
	       (unsigned long long)len, (unsigned long long)ms,
	       ms ? (double)len / 1048576.0 * 1000.0 / (double)ms : 0.0);
}

static int do_connect(int c, const struct ts_req *q)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = q->arg,
				 .sin_port = (uint16_t)q->arg2 };
	int s = socket(AF_INET, SOCK_STREAM, 0), r;
	struct { int32_t err; uint32_t ms; } ans;
	uint64_t t0 = now_ms();

	if (s < 0)
		die("socket");
	r = connect(s, (struct sockaddr *)&a, sizeof(a));
	ans.err = r ? errno : 0;
	ans.ms = (uint32_t)(now_ms() - t0);
	printf("connect to %s:%u: %s after %u ms\n", inet_ntoa(a.sin_addr),
	       ntohs(a.sin_port), r ? strerror(errno) : "connected", ans.ms);
	close(s);
	write_full(c, &ans, sizeof(ans));
	return 0;
}

/* TS_OP_MANY: accept n connections on l2 and keep them all open; then
 * on each read a 16-byte request (id, seed) and answer MANY_REPLY bytes
 * of stream(seed); then read each one's end of stream and close it.
 * Answers on the control connection: struct ts_sum { good, n }. */
static void do_many(int c, int l2, uint32_t n)
{
	static int fd[MANY_MAX];
	static unsigned char rep[MANY_REPLY];
	uint32_t good = 0, i;
	uint64_t t0 = now_ms();
	struct ts_sum s;

	if (n > MANY_MAX) {
		FAIL("many: %u connections asked, at most %d", n, MANY_MAX);
		n = 0;
	}
	s = (struct ts_sum){ 0, n };
	write_full(c, &s, sizeof(s)); /* go */
	for (i = 0; i < n; i++)
		if ((fd[i] = accept(l2, NULL, NULL)) < 0) {
			FAIL("many: accept %u of %u: %s", i + 1, n, strerror(errno));
			break;
		}
	n = i;
	printf("many: %u connections open at once after %llu ms\n", n,
	       (unsigned long long)(now_ms() - t0));
	for (i = 0; i < n; i++) {
		uint64_t req[2];

		if (read_full(fd[i], req, sizeof(req)) != sizeof(req)) {
			FAIL("many: connection %u: short request", i);
			continue;
		}
		ts_fill(req[1], 0, rep, sizeof(rep));
		write_full(fd[i], req, sizeof(req[0])); /* the id back */
		write_full(fd[i], rep, sizeof(rep));
		good++;
	}
	for (i = 0; i < n; i++) {
		expect_eof(fd[i], "many");
		close(fd[i]);
	}
	printf("many: %u of %u exchanged and closed in %llu ms\n", good, n,
	       (unsigned long long)(now_ms() - t0));
	s = (struct ts_sum){ good, n };
	write_full(c, &s, sizeof(s));
}

/* TS_OP_MANY_OUT: open n connections to arg:arg2 (4 KiB buffers) and
 * keep them all open; then send each a 16-byte request (id, seed) and
 * check its answer (the id, MANY_REPLY bytes of stream(seed)); then close
 * them all. Answers on the control connection as do_many. */
static void do_many_out(int c, const struct ts_req *q)
{
	static int fd[MANY_MAX];
	static unsigned char rep[MANY_REPLY], want[MANY_REPLY];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = q->arg,
				 .sin_port = (uint16_t)q->arg2 };
	uint32_t n = (uint32_t)q->len, good = 0, i, opened;
	uint64_t t0 = now_ms();
	int size = MANY_BUF;
	struct ts_sum s;

	if (n > MANY_MAX) {
		FAIL("many-out: %u connections asked, at most %d", n, MANY_MAX);
		n = 0;
	}
	for (i = 0; i < n; i++) {
		fd[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (fd[i] < 0) {
			FAIL("many-out: socket %u: %s", i, strerror(errno));
			break;
		}
		setsockopt(fd[i], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		setsockopt(fd[i], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
		if (connect(fd[i], (struct sockaddr *)&a, sizeof(a))) {
			FAIL("many-out: connect %u of %u: %s", i + 1, n, strerror(errno));
			close(fd[i]);
			break;
		}
	}
	opened = i;
	printf("many-out: %u connections open at once after %llu ms\n", opened,
	       (unsigned long long)(now_ms() - t0));
	for (i = 0; i < opened; i++) {
		uint64_t req[2] = { i, 5000u + i };
		write_full(fd[i], req, sizeof(req));
	}
	for (i = 0; i < opened; i++) {
		uint64_t id;

		if (read_full(fd[i], &id, sizeof(id)) != sizeof(id) ||
		    read_full(fd[i], rep, sizeof(rep)) != sizeof(rep)) {
			FAIL("many-out: connection %u: short answer", i);
			continue;
		}
		ts_fill(5000u + i, 0, want, sizeof(want));
		if (id != i || memcmp(rep, want, sizeof(want)))
			FAIL("many-out: connection %u: wrong answer", i);
		else
			good++;
	}
	for (i = 0; i < opened; i++)
		close(fd[i]);
	printf("many-out: %u of %u exchanged and closed in %llu ms\n", good, n,
	       (unsigned long long)(now_ms() - t0));
	s = (struct ts_sum){ good, n };
	write_full(c, &s, sizeof(s));
}

static int listen_on(int port, int bufsize, int backlog)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (l < 0)
		die("socket");
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bufsize && (setsockopt(l, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(int)) ||
			setsockopt(l, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(int))))
		die("setsockopt SO_RCVBUF/SO_SNDBUF");
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, backlog))
		die("listen");
	return l;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 7;
	int port2 = argc > 2 ? atoi(argv[2]) : port + 1;
	struct rlimit rl = { MANY_MAX + 64, MANY_MAX + 64 };
	int l, l2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* the default soft limit (1024) is too close to the 1,000 */
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit RLIMIT_NOFILE");
	l = listen_on(port, 0, 16);
	l2 = listen_on(port2, MANY_BUF, 1024);
	printf("ready on tcp ports %d %d\n", port, port2);
	fflush(stdout);
	for (;;) {
		struct ts_req q;
		uint64_t t0;
		int c = accept(l, NULL, NULL);

		if (c < 0)
			die("accept");
		/* probes connect and close (or reset) at once */
		if (recv(c, &q, sizeof(q), MSG_WAITALL) != sizeof(q)) {
			close(c);
			continue;
		}
		if (memcmp(q.magic, "UTCP", 4)) {
			FAIL("a request without the magic");
			close(c);
			continue;
		}
		t0 = now_ms();
		switch (q.op) {
		case TS_OP_UPLOAD: {
			struct ts_sum s = recv_stream(c, q.len, "upload");
			report("upload (host to image)", s.len, t0);
			expect_eof(c, "upload");
			write_full(c, &s, sizeof(s));
			if (q.arg)
				send_stream(c, q.seed + 1, q.arg);
			break;
		}
		case TS_OP_DOWNLOAD:
			send_stream(c, q.seed, q.len);
			report("download (image to host)", q.len, t0);
			break;
		case TS_OP_GUEST_SHUT:
			send_stream(c, q.seed, q.len);
			if (shutdown(c, SHUT_WR))
				die("shutdown");
			recv_stream(c, q.arg, "after the image's SHUT_WR");
			expect_eof(c, "after the image's SHUT_WR");
			printf("half-close: sent %llu, shut down, received %u\n",
			       (unsigned long long)q.len, q.arg);
			break;
		case TS_OP_CONNECT:
			do_connect(c, &q);
			break;
		case TS_OP_MANY:
			do_many(c, l2, q.arg);
			break;
		case TS_OP_MANY_OUT:
			do_many_out(c, &q);
			break;
		case TS_OP_QUIT:
			write_full(c, &fails, sizeof(fails));
			close(c);
			printf("%u failed\n", fails);
			return fails ? 1 : 0;
		default:
			FAIL("unknown op %u", q.op);
		}
		close(c);
		fflush(stdout);
	}
}
