/* net_tcp_echo.c - the guest side of the host-driven TCP test
 * (test/net/tcp-echo): listens on TCP port PORT (argv[1], default 7) on
 * every address, prints "ready on tcp port PORT", then serves
 * connections one after the other, echoing each to its end of stream,
 * until one carried data (the host's probes carry none); prints "echoed
 * N bytes" and exits 0 (1 on any socket error). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 7;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	static char buf[65536];
	long total = 0;
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 4)) {
		perror("listen");
		return 1;
	}
	printf("ready on tcp port %d\n", port);
	fflush(stdout);
	while (!total) {
		int c = accept(l, NULL, NULL);
		ssize_t r;

		if (c < 0) {
			perror("accept");
			return 1;
		}
		while ((r = read(c, buf, sizeof(buf))) > 0)
			for (ssize_t off = 0; off < r;) {
				ssize_t w = write(c, buf + off, (size_t)(r - off));
				if (w <= 0) {
					perror("write");
					return 1;
				}
				off += w;
				total += w;
			}
		if (r < 0) {
			perror("read");
			return 1;
		}
		close(c);
	}
	printf("echoed %ld bytes\n", total);
	close(l);
	return 0;
}
