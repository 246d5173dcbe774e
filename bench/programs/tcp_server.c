/*
 * tcp_server.c - the guest side of bench/tcp: one TCP server whose
 * client's first byte says what a connection is for.
 *
 * Layer: benchmark program (built twice from this one source: a uni image
 * through toolchain/uni.cmake, bench/programs target tcp_server, and
 * statically with musl-gcc for the Linux guest). Plain POSIX: socket,
 * poll, accept, recv, send. The host side is bench/programs/tcp_client.c.
 *
 *   tcp_server [PORT [MAXCONN [ADDR]]]   (defaults 7, 64, every address)
 *
 * Listens on PORT on ADDR (the host-side test test/unit/test_bench_tcp.sh
 * gives 127.0.0.1), prints "ready on tcp port PORT", then serves up to
 * MAXCONN connections at once from one poll() loop. The first byte a
 * client sends picks the mode:
 *   'E'  echo-close: the request is 64 bytes ('E' and 63 more); they are
 *        sent back and the server closes (an HTTP/1.0-like exchange: the
 *        server closes first). Connections per second.
 *   'K'  sink: everything up to the client's end of stream is read and
 *        counted; then "count N\n" (N bytes after the 'K') and close.
 *   'G'  source: sends a pattern (byte i of the stream is (i * 7 + (i >>
 *        11)) & 255 for i mod 65536) as fast as the connection takes it,
 *        until the client sends anything or ends its stream; then close.
 *   'Q'  quit: sends "bye\n", closes, prints the totals, exits 0.
 * Any other first byte, or a socket error, closes that connection (and
 * is counted); the server goes on. Exit status 1 only when it cannot
 * listen or poll. /proc/meminfo's MemFree is printed when it is ready,
 * after each second without any event when it changed, and when it quits
 * (a leak shows as the difference; -1 without /proc/meminfo).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQ 64
#define CHUNK 65536
#define MAXC 256

enum { ST_CMD, ST_ECHO_IN, ST_ECHO_OUT, ST_SINK, ST_SINK_OUT, ST_SOURCE,
       ST_QUIT_OUT };

struct conn {
	int fd, st;
	size_t have, sent;      /* bytes of req gathered / sent back */
	unsigned long long n;   /* sink: bytes counted; source: offset */
	char req[REQ];
};

static struct conn conns[MAXC];
static struct pollfd pfd[MAXC + 1];
static unsigned char pattern[CHUNK], buf[CHUNK];
static unsigned long long n_conn, n_err, bytes_in, bytes_out;
static int quitting;

/* MemFree of /proc/meminfo in kB, -1 when it cannot be read. */
static long memfree_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "MemFree: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void conn_close(struct conn *c, int err)
{
	close(c->fd);
	c->fd = -1;
	n_err += err != 0;
}

/* Sends what is left of C's reply (C->req, C->have bytes, from C->sent);
 * 1 when it is all out, 0 to wait for POLLOUT, -1 on an error. */
static int send_rest(struct conn *c)
{
	while (c->sent < c->have) {
		ssize_t w = send(c->fd, c->req + c->sent, c->have - c->sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->sent += (size_t)w;
		bytes_out += (unsigned long long)w;
	}
	return 1;
}

/* Moves C on as far as it goes without blocking; REV is poll's revents. */
static void step(struct conn *c, short rev)
{
	ssize_t r;
	int done;

	switch (c->st) {
	case ST_CMD:
	case ST_ECHO_IN:
	case ST_SINK:
		if (c->st == ST_SINK)
			r = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
		else
			r = recv(c->fd, c->req + c->have, REQ - c->have,
				 MSG_DONTWAIT);
		if (r < 0) {
			if (errno != EAGAIN && errno != EINTR)
				conn_close(c, 1);
			return;
		}
		bytes_in += (unsigned long long)r;
		if (c->st == ST_SINK) {
			if (r > 0) {
				c->n += (unsigned long long)r;
				return;
			}
			c->have = (size_t)snprintf(c->req, REQ, "count %llu\n",
						   c->n);
			c->sent = 0;
			c->st = ST_SINK_OUT;
			break;
		}
		if (r == 0) { /* end of stream before a whole request */
			conn_close(c, c->have != 0);
			return;
		}
		c->have += (size_t)r;
		if (c->st == ST_CMD) {
			switch (c->req[0]) {
			case 'E':
				c->st = ST_ECHO_IN;
				break;
			case 'K':
				c->n = c->have - 1;
				c->st = ST_SINK;
				return;
			case 'G':
				c->n = 0;
				c->st = ST_SOURCE;
				return;
			case 'Q':
				c->have = 4;
				memcpy(c->req, "bye\n", 4);
				c->sent = 0;
				c->st = ST_QUIT_OUT;
				break;
			default:
				conn_close(c, 1);
				return;
			}
		}
		if (c->st == ST_ECHO_IN) {
			if (c->have < REQ)
				return;
			c->sent = 0;
			c->st = ST_ECHO_OUT;
		}
		break;
	case ST_SOURCE:
		if (rev & (POLLIN | POLLHUP | POLLERR)) {
			/* anything from the client (or its end) stops it;
			 * read first: unread data would make close a reset */
			(void)recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
			conn_close(c, 0);
			return;
		}
		for (int k = 0; k < 16; k++) {
			size_t off = (size_t)(c->n % CHUNK);
			ssize_t w = send(c->fd, pattern + off, CHUNK - off,
					 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w < 0) {
				if (errno != EAGAIN && errno != EINTR)
					conn_close(c, 1);
				return;
			}
			c->n += (unsigned long long)w;
			bytes_out += (unsigned long long)w;
		}
		return;
	}
	/* a reply to send: ST_ECHO_OUT, ST_SINK_OUT, ST_QUIT_OUT */
	done = send_rest(c);
	if (done < 0) {
		conn_close(c, 1);
	} else if (done) {
		if (c->st == ST_QUIT_OUT)
			quitting = 1;
		conn_close(c, 0);
	}
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 7;
	int maxc = argc > 2 ? atoi(argv[2]) : 64;
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	int l, one = 1, nc = 0;
	long idle_kb = -2;

	if (maxc < 1 || maxc > MAXC)
		maxc = MAXC;
	if (argc > 3 && inet_pton(AF_INET, argv[3], &a.sin_addr) != 1) {
		fprintf(stderr, "tcp_server: bad address %s\n", argv[3]);
		return 1;
	}
	for (long i = 0; i < CHUNK; i++)
		pattern[i] = (unsigned char)(i * 7 + (i >> 11));
	for (int i = 0; i < MAXC; i++)
		conns[i].fd = -1;
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
	    bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, maxc)) {
		perror("tcp_server: listen");
		return 1;
	}
	printf("ready on tcp port %d\ntcp_server: MemFree %ld kB at start\n",
	       port, memfree_kb());
	fflush(stdout);
	while (!quitting) {
		int np = 0, live = 0;

		pfd[np++] = (struct pollfd){ .fd = nc < maxc ? l : -1,
					     .events = POLLIN };
		for (int i = 0; i < maxc; i++) {
			struct conn *c = &conns[i];
			short ev = POLLIN;
			if (c->fd < 0) {
				pfd[np++] = (struct pollfd){ .fd = -1 };
				continue;
			}
			live++;
			if (c->st == ST_ECHO_OUT || c->st == ST_SINK_OUT ||
			    c->st == ST_QUIT_OUT || c->st == ST_SOURCE)
				ev = c->st == ST_SOURCE ? POLLIN | POLLOUT : POLLOUT;
			pfd[np++] = (struct pollfd){ .fd = c->fd, .events = ev };
		}
		nc = live;
		int r = poll(pfd, (nfds_t)np, 1000);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("tcp_server: poll");
			return 1;
		}
		if (r == 0) { /* idle for 1 s: memory, when it changed */
			long kb = memfree_kb();
			if (kb != idle_kb)
				printf("tcp_server: idle, MemFree %ld kB\n", kb);
			fflush(stdout);
			idle_kb = kb;
			continue;
		}
		for (int i = 0; i < maxc; i++)
			if (conns[i].fd >= 0 && pfd[i + 1].revents)
				step(&conns[i], pfd[i + 1].revents);
		if (pfd[0].revents & POLLIN) {
			int fd = accept(l, NULL, NULL);
			if (fd < 0) {
				if (errno != EAGAIN && errno != EINTR &&
				    errno != ECONNABORTED)
					n_err++;
				continue;
			}
			int i = 0;
			while (i < maxc && conns[i].fd >= 0)
				i++;
			if (i == maxc) { /* not polled for when full */
				close(fd);
				n_err++;
				continue;
			}
			conns[i] = (struct conn){ .fd = fd };
			n_conn++;
			nc++;
		}
	}
	close(l);
	printf("tcp_server: %llu connections (%llu errors), %llu bytes in, "
	       "%llu out\ntcp_server: MemFree %ld kB at the end\n", n_conn,
	       n_err, bytes_in, bytes_out, memfree_kb());
	return 0;
}
