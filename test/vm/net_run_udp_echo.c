/*
 * net_run_udp_echo.c - a select()-driven UDP echo server, the guest side of
 * the host-driven network tests and of bench/udp.
 *
 * Layer: in-image test program (also linked statically with musl-gcc as
 * the Linux guest's /prog by bench/udp: keep it plain POSIX). The host
 * side is test/net/udp_client.c, run by test/net/udp-echo and
 * test/net/tap-ping through `uni-run -p HPORT:GPORT/udp` or a tap device.
 *
 *   net_run_udp_echo [PORT [IDLE_SECONDS]]     (default 7, 60)
 *
 * Binds 0.0.0.0:PORT, prints its IPv4 interface addresses (getifaddrs)
 * and "ready on udp port PORT", then sends every datagram back to its
 * sender unchanged. A datagram "quit" is answered "bye" and ends the
 * program with 0 after a line "echoed N datagrams, B bytes" (and 0.2 s
 * for the reply to leave the NIC); IDLE_SECONDS without any datagram end
 * it with 1 (so that a failed host side never leaves a VM running).
 * Errors from the socket calls end it with 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void print_addresses(void)
{
	struct ifaddrs *ifa, *p;
	if (getifaddrs(&ifa) < 0) {
		printf("getifaddrs: %s\n", strerror(errno));
		return;
	}
	for (p = ifa; p; p = p->ifa_next) {
		char a[INET_ADDRSTRLEN], m[INET_ADDRSTRLEN];
		if (!p->ifa_addr || p->ifa_addr->sa_family != AF_INET)
			continue;
		inet_ntop(AF_INET, &((struct sockaddr_in *)p->ifa_addr)->sin_addr,
			  a, sizeof a);
		strcpy(m, "?");
		if (p->ifa_netmask)
			inet_ntop(AF_INET,
				  &((struct sockaddr_in *)p->ifa_netmask)->sin_addr,
				  m, sizeof m);
		printf("address %s %s/%s%s\n", p->ifa_name, a, m,
		       p->ifa_flags & IFF_UP ? " up" : "");
	}
	freeifaddrs(ifa);
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 7;
	int idle = argc > 2 ? atoi(argv[2]) : 60;
	if (port <= 0 || port > 65535 || idle <= 0) {
		fprintf(stderr, "usage: net_run_udp_echo [PORT [IDLE_SECONDS]]\n");
		return 2;
	}

	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		printf("socket: %s\n", strerror(errno));
		return 1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
		printf("bind: %s\n", strerror(errno));
		return 1;
	}
	print_addresses();
	printf("ready on udp port %d\n", port);
	fflush(stdout);

	static char buf[65536];
	unsigned long count = 0, bytes = 0;
	for (;;) {
		fd_set rd;
		FD_ZERO(&rd);
		FD_SET(fd, &rd);
		struct timeval tv = {.tv_sec = idle};
		int r = select(fd + 1, &rd, NULL, NULL, &tv);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			printf("select: %s\n", strerror(errno));
			return 1;
		}
		if (r == 0) {
			printf("idle for %d s: giving up after %lu datagrams\n",
			       idle, count);
			return 1;
		}
		if (!FD_ISSET(fd, &rd)) {
			printf("select returned %d without the socket\n", r);
			return 1;
		}
		struct sockaddr_in from;
		socklen_t flen = sizeof from;
		ssize_t n = recvfrom(fd, buf, sizeof buf, 0,
				     (struct sockaddr *)&from, &flen);
		if (n < 0) {
			/* an ICMP error for an earlier reply, or a signal */
			if (errno == EINTR || errno == ECONNREFUSED ||
			    errno == EAGAIN)
				continue;
			printf("recvfrom: %s\n", strerror(errno));
			return 1;
		}
		int quit = n == 4 && !memcmp(buf, "quit", 4);
		const char *reply = quit ? "bye" : buf;
		size_t len = quit ? 3 : (size_t)n;
		if (sendto(fd, reply, len, 0, (struct sockaddr *)&from, flen) !=
		    (ssize_t)len) {
			printf("sendto: %s\n", strerror(errno));
			return 1;
		}
		if (quit) {
			printf("echoed %lu datagrams, %lu bytes\n", count, bytes);
			/* sendto has queued "bye" for the NIC; QEMU may not
			 * have sent it yet when the program's exit powers
			 * the VM off (so may a Linux guest's shutdown) */
			struct timespec linger = {0, 200000000};
			nanosleep(&linger, NULL);
			return 0;
		}
		count++;
		bytes += n;
	}
}
