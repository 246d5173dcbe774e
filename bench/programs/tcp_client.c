/*
 * tcp_client.c - the host side of bench/tcp.
 *
 * Layer: host program (bench/tcp builds it with cc; it is not part of
 * any image). It talks to bench/programs/tcp_server.c through a uni-run
 * port forward on 127.0.0.1 (QEMU user networking, hostfwd), whose
 * protocol is described there.
 *
 *   tcp_client [-w SECONDS] [-c CONC] [-N MAX] [-P NPORTS] [-S SPORT]
 *              PORT MODE [SECONDS]
 *
 *   wait         one echo exchange every 200 ms until one succeeds (at
 *                most -w SECONDS, default 60: the guest may be booting;
 *                QEMU accepts on the host before the guest does, so only
 *                a complete exchange shows that the server is up)
 *   send S       host -> guest: 'K', then as much as the connection takes
 *                for S seconds, end of stream, and the server's count,
 *                which must be every byte sent; the rate is over the
 *                time from the first byte to the count
 *   recv S       guest -> host: 'G', then reads for S seconds from the
 *                first byte, checking every byte of the server's pattern;
 *                then a stop byte, and reads to the end of stream
 *   conn S       connections per second for S seconds, -c CONC (default
 *                1) at once: each connects, sends a 64-byte request,
 *                checks that the same 64 bytes come back, reads the
 *                server's end of stream and closes; no new connection
 *                after MAX (-N, default no limit) were started.
 *                Connection slot i uses port PORT + i % NPORTS (-P,
 *                default 1): QEMU's hostfwd listens with a backlog of 1,
 *                so more connects at once to one forward overflow the
 *                host's accept queue and wait for a SYN retransmission
 *                (1 s); one forward per slot avoids that
 *   quit         'Q'; waits for "bye"
 *
 * -S SPORT: every connection is bound to its own local port, SPORT, the
 * next free one above it, and so on, never one used before by this run.
 * Without it the host picks ports, and may reuse one at once (with
 * several forwards, for another destination port); slirp then opens a
 * connection to the guest with the 4-tuple of one the guest still holds
 * in TIME-WAIT (the server closes first), and its SYN meets whatever the
 * guest does with a SYN in TIME-WAIT (Linux accepts it, RFC 1122
 * 4.2.2.13; a stack that answers with an ACK costs slirp's 6 s SYN
 * retransmission). bench/tcp gives each client run its own range.
 *
 * Prints one line of figures ("send_bytes N seconds T mbit_per_s X",
 * "recv_bytes ...", "conns N seconds T conn_per_s X concurrency C").
 * Exit status 0 when everything was verified, 1 otherwise (a stall of
 * 10 s fails), 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REQ 64
#define CHUNK 65536
#define STALL_MS 10000
#define MAXCONC 64

static struct sockaddr_in addr = { .sin_family = AF_INET };
static int base_port, nports = 1, next_sport;

/* Binds S to the next free local port from next_sport (-S) on; 0 when
 * -S is not given or on success, -1 when none is left. */
static int bind_next(int s)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (!next_sport)
		return 0;
	while (next_sport < 65536) {
		a.sin_port = htons((unsigned short)next_sport++);
		if (bind(s, (struct sockaddr *)&a, sizeof a) == 0)
			return 0;
		if (errno != EADDRINUSE)
			return -1;
	}
	return -1;
}
static unsigned char buf[CHUNK];
/* the server's stream pattern, twice: bytes i.. for any i mod CHUNK */
static unsigned char pattern[2 * CHUNK];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned char pat(unsigned long long i)
{
	i %= CHUNK;
	return (unsigned char)(i * 7 + (i >> 11));
}

static int fail(const char *what)
{
	fprintf(stderr, "tcp_client: %s\n", what);
	return 1;
}

/* A blocking connected socket, or -1. */
static int dial(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s >= 0 && bind_next(s) == 0 &&
	    connect(s, (struct sockaddr *)&addr, sizeof addr) == 0)
		return s;
	if (s >= 0)
		close(s);
	return -1;
}

/* Waits up to MS for EV on S; 1 when ready, 0 on timeout, -1 on error. */
static int wait_for(int s, short ev, int ms)
{
	struct pollfd p = { .fd = s, .events = ev };
	int r = poll(&p, 1, ms);
	return r < 0 && errno != EINTR ? -1 : r > 0;
}

static int send_all(int s, const void *p, size_t n)
{
	while (n) {
		ssize_t w = send(s, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads into P until N bytes, end of stream or MS of silence; the count. */
static ssize_t recv_upto(int s, void *p, size_t n, int ms)
{
	size_t got = 0;
	while (got < n) {
		if (wait_for(s, POLLIN, ms) <= 0)
			break;
		ssize_t r = recv(s, (char *)p + got, n - got, MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static void make_req(char *req, unsigned long long seq)
{
	req[0] = 'E';
	for (int i = 1; i < REQ; i++)
		req[i] = (char)(seq * 31 + (unsigned)i * 13);
}

/* One echo exchange with a timeout of MS per step: 0 when it succeeded. */
static int probe(int ms)
{
	char req[REQ], rep[REQ + 1];
	int s = dial(), ok;
	if (s < 0)
		return -1;
	make_req(req, 12345);
	ok = send_all(s, req, REQ) == 0 &&
	     recv_upto(s, rep, REQ + 1, ms) == REQ && !memcmp(req, rep, REQ);
	close(s);
	return ok ? 0 : -1;
}

static int do_wait(double secs)
{
	double end = now() + secs;
	while (probe(1000) < 0) {
		if (now() > end)
			return fail("the server does not answer");
		usleep(200000);
	}
	return 0;
}

static int do_send(double secs)
{
	unsigned long long sent = 0, count = 0;
	char rep[64];
	int s = dial();
	if (s < 0)
		return fail("connect failed");
	memcpy(buf, pattern, CHUNK);
	if (send_all(s, "K", 1) < 0)
		return fail("send failed");
	double t0 = now(), end = t0 + secs, t;
	while ((t = now()) < end) {
		int r = wait_for(s, POLLOUT, STALL_MS);
		if (r <= 0)
			return fail(r ? "poll failed" : "send stalled");
		ssize_t w = send(s, buf, CHUNK, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return fail("send failed");
		if (w > 0)
			sent += (unsigned long long)w;
	}
	shutdown(s, SHUT_WR);
	ssize_t n = recv_upto(s, rep, sizeof rep - 1, 60000);
	t = now();
	close(s);
	rep[n > 0 ? n : 0] = 0;
	if (sscanf(rep, "count %llu", &count) != 1)
		return fail("no count from the server");
	if (count != sent) {
		fprintf(stderr, "tcp_client: sent %llu bytes, the server "
			"counted %llu\n", sent, count);
		return 1;
	}
	printf("send_bytes %llu seconds %.3f mbit_per_s %.1f\n", sent, t - t0,
	       sent * 8 / (t - t0) / 1e6);
	return 0;
}

static int do_recv(double secs)
{
	unsigned long long got = 0, total = 0;
	double t0 = 0, end = 0, t1 = 0;
	int s = dial(), stopped = 0;
	if (s < 0 || send_all(s, "G", 1) < 0)
		return fail("connect failed");
	for (;;) {
		int r = wait_for(s, POLLIN, STALL_MS);
		if (r <= 0)
			return fail(r ? "poll failed" : "receive stalled");
		ssize_t n = recv(s, buf, CHUNK, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0 && stopped && errno == ECONNRESET)
			break;
		if (n < 0)
			return fail("recv failed");
		if (n == 0) {
			if (!stopped)
				return fail("end of stream before the stop");
			break;
		}
		if (memcmp(buf, pattern + total % CHUNK, (size_t)n)) {
			fprintf(stderr, "tcp_client: bytes %llu..%llu differ "
				"from the pattern\n", total,
				total + (unsigned long long)n - 1);
			return 1;
		}
		total += (unsigned long long)n;
		double t = now();
		if (!t0) {
			t0 = t;
			end = t0 + secs;
			continue; /* the rate counts from the first byte on */
		}
		if (!stopped) {
			got += (unsigned long long)n;
			t1 = t;
			if (t >= end) {
				if (send_all(s, "x", 1) < 0)
					return fail("sending the stop failed");
				shutdown(s, SHUT_WR);
				stopped = 1;
			}
		}
	}
	close(s);
	printf("recv_bytes %llu seconds %.3f mbit_per_s %.1f\n", got, t1 - t0,
	       got * 8 / (t1 - t0) / 1e6);
	return 0;
}

struct slot {
	int fd;
	size_t got;
	unsigned long long seq;
	char req[REQ], rep[REQ + 1];
};

static int slot_start(struct slot *c, int slot, unsigned long long seq)
{
	struct sockaddr_in a = addr;
	a.sin_port = htons((unsigned short)(base_port + slot % nports));
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c->got = 0;
	c->seq = seq;
	make_req(c->req, seq);
	/* blocking connect: on 127.0.0.1 to QEMU's listener it is immediate */
	const char *what = c->fd < 0 ? "socket" : bind_next(c->fd) ? "bind" :
		connect(c->fd, (struct sockaddr *)&a, sizeof a) ? "connect" :
		send_all(c->fd, c->req, REQ) < 0 ? "send" : NULL;
	if (what) {
		fprintf(stderr, "tcp_client: connection %llu: %s: %s\n", seq,
			what, strerror(errno));
		return 1;
	}
	return 0;
}

static int do_conn(double secs, int conc, unsigned long long max)
{
	struct slot c[MAXCONC];
	struct pollfd p[MAXCONC];
	unsigned long long seq = 0, done = 0;
	double t0 = now(), end = t0 + secs, t = t0;
	int live = 0;

	if ((unsigned long long)conc > max)
		conc = (int)max;
	for (int i = 0; i < conc; i++, live++)
		if (slot_start(&c[i], i, seq++))
			return 1;
	while (live) {
		for (int i = 0; i < conc; i++)
			p[i] = (struct pollfd){ .fd = c[i].fd, .events = POLLIN };
		int r = poll(p, (nfds_t)conc, STALL_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "tcp_client: %s after %llu connections"
				"; open:", r ? "poll failed" : "stalled", done);
			for (int i = 0; i < conc; i++)
				if (c[i].fd >= 0)
					fprintf(stderr, " #%llu (%zu bytes back)",
						c[i].seq, c[i].got);
			fprintf(stderr, "\n");
			return 1;
		}
		for (int i = 0; i < conc; i++) {
			if (c[i].fd < 0 || !p[i].revents)
				continue;
			ssize_t n = recv(c[i].fd, c[i].rep + c[i].got,
					 REQ + 1 - c[i].got, MSG_DONTWAIT);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n < 0)
				return fail("recv failed");
			if (n > 0) {
				c[i].got += (size_t)n;
				if (c[i].got > REQ)
					return fail("reply too long");
				continue;
			}
			/* the server's end of stream: the exchange is over */
			if (c[i].got != REQ || memcmp(c[i].req, c[i].rep, REQ)) {
				fprintf(stderr, "tcp_client: connection %llu: "
					"%zu bytes back, not the request\n",
					c[i].seq, c[i].got);
				return 1;
			}
			close(c[i].fd);
			c[i].fd = -1;
			done++;
			t = now();
			if (t < end && seq < max) {
				if (slot_start(&c[i], i, seq++))
					return 1;
			} else {
				live--;
			}
		}
	}
	printf("conns %llu seconds %.3f conn_per_s %.1f concurrency %d\n", done,
	       t - t0, done / (t - t0), conc);
	return 0;
}

static int do_quit(void)
{
	char rep[8];
	int s = dial();
	if (s < 0 || send_all(s, "Q", 1) < 0)
		return fail("connect failed");
	ssize_t n = recv_upto(s, rep, sizeof rep, 10000);
	close(s);
	if (n != 4 || memcmp(rep, "bye\n", 4))
		return fail("no bye from the server");
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: tcp_client [-w SECONDS] [-c CONC] [-N MAX] "
		"[-P NPORTS] [-S SPORT] PORT wait|send S|recv S|conn S|quit\n");
	return 2;
}

int main(int argc, char **argv)
{
	double wait_s = 60, secs = 0;
	unsigned long long max = ~0ull;
	int conc = 1, opt;

	while ((opt = getopt(argc, argv, "w:c:N:P:S:")) != -1) {
		if (opt == 'S')
			next_sport = atoi(optarg);
		else if (opt == 'P')
			nports = atoi(optarg);
		else if (opt == 'N')
			max = strtoull(optarg, NULL, 10);
		else if (opt == 'w')
			wait_s = atof(optarg);
		else if (opt == 'c')
			conc = atoi(optarg);
		else
			return usage();
	}
	if (argc - optind < 2 || conc < 1 || conc > MAXCONC || !max ||
	    nports < 1 || nports > MAXCONC || next_sport < 0 ||
	    next_sport > 65535)
		return usage();
	for (int i = 0; i < 2 * CHUNK; i++)
		pattern[i] = pat((unsigned)i);
	base_port = atoi(argv[optind]);
	addr.sin_port = htons((unsigned short)base_port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	const char *mode = argv[optind + 1];
	if (argc - optind == 3)
		secs = atof(argv[optind + 2]);
	if (!strcmp(mode, "wait"))
		return do_wait(wait_s);
	if (!strcmp(mode, "quit"))
		return do_quit();
	if (secs <= 0)
		return usage();
	if (!strcmp(mode, "send"))
		return do_send(secs);
	if (!strcmp(mode, "recv"))
		return do_recv(secs);
	if (!strcmp(mode, "conn"))
		return do_conn(secs, conc, max);
	return usage();
}
