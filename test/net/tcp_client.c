/* tcp_client.c - host side of the TCP port-forward test (test/net/tcp-echo):
 * connects to 127.0.0.1:PORT (retrying while QEMU's forward has no guest
 * listener yet), sends BYTES of a pattern while reading the echo back
 * (poll), half-closes, reads to EOF and checks every byte.
 *   tcp_client PORT BYTES   -> exit 0 when all came back intact. */
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

static unsigned char pat(long i) { return (unsigned char)(i * 7 + (i >> 11)); }

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	long n, sent = 0, got = 0;
	static unsigned char buf[32768];
	time_t deadline;
	int s = -1, wr_done = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s PORT BYTES\n", argv[0]);
		return 2;
	}
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	n = atol(argv[2]);
	deadline = time(NULL) + 60;
	/* the guest's SYN-ACK can be lost to a reset while it starts */
	for (;;) {
		struct pollfd p;

		s = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0) {
			/* QEMU accepts on the host before the guest answers:
			 * a dead forward shows as an immediate EOF */
			p = (struct pollfd){ .fd = s, .events = POLLIN };
			if (poll(&p, 1, 300) == 0)
				break;
		}
		close(s);
		if (time(NULL) > deadline) {
			fprintf(stderr, "FAIL: cannot connect\n");
			return 1;
		}
		usleep(200000);
	}
	while (got < n) {
		struct pollfd p = { .fd = s, .events = POLLIN | (sent < n ? POLLOUT : 0) };

		if (poll(&p, 1, 30000) <= 0) {
			fprintf(stderr, "FAIL: stalled at %ld sent, %ld back\n", sent, got);
			return 1;
		}
		if ((p.revents & POLLOUT) && sent < n) {
			long k = n - sent < (long)sizeof(buf) ? n - sent : (long)sizeof(buf);
			for (long i = 0; i < k; i++)
				buf[i] = pat(sent + i);
			ssize_t w = send(s, buf, (size_t)k, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (w < 0 && errno != EAGAIN) {
				perror("send");
				return 1;
			}
			if (w > 0)
				sent += w;
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = recv(s, buf, sizeof(buf), MSG_DONTWAIT);
			if (r == 0 || (r < 0 && errno != EAGAIN)) {
				fprintf(stderr, "FAIL: end of stream at %ld of %ld\n", got, n);
				return 1;
			}
			for (ssize_t i = 0; i < r; i++)
				if (buf[i] != pat(got + i)) {
					fprintf(stderr, "FAIL: byte %ld differs\n", got + i);
					return 1;
				}
			if (r > 0)
				got += r;
		}
		if (sent == n && !wr_done) {
			shutdown(s, SHUT_WR);
			wr_done = 1;
		}
	}
	if (!wr_done)
		shutdown(s, SHUT_WR);
	if (recv(s, buf, 1, 0) != 0) {
		fprintf(stderr, "FAIL: no end of stream after the echo\n");
		return 1;
	}
	close(s);
	printf("tcp_client: %ld bytes echoed intact\n", n);
	return 0;
}
