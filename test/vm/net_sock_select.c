/* net_sock_select.c - in-image test: select, poll and epoll over 1,000
 * UDP sockets on loopback (issue 6 "select over 1,000 descriptors"):
 * RLIMIT_NOFILE raised, 1,000 sockets bound to 127.0.0.1, datagrams sent
 * to three of them (the first, one in the middle, the last), and each
 * interface must report exactly those three, then none once read. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

#define N 1000

static int fds[N];
static uint16_t ports[N];

int main(void)
{
	struct rlimit rl = { 2048, 2048 };
	int ok = 1, maxfd = 0, tx, n, ep, hit[3] = { 0, N / 2, N - 1 };
	struct pollfd *pfd = calloc(N, sizeof(*pfd));
	struct epoll_event evs[16];
	struct timeval tv = { 5, 0 };
	fd_set rd;
	char c;

	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	for (int i = 0; i < N && ok; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET };
		socklen_t len = sizeof(a);

		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fds[i] = socket(AF_INET, SOCK_DGRAM, 0);
		ok = fds[i] >= 0 && fds[i] < FD_SETSIZE &&
		     bind(fds[i], (struct sockaddr *)&a, sizeof(a)) == 0 &&
		     getsockname(fds[i], (struct sockaddr *)&a, &len) == 0;
		ports[i] = ntohs(a.sin_port);
		if (fds[i] > maxfd)
			maxfd = fds[i];
	}
	CHECK(ok);
	CHECK(maxfd >= N);
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(tx >= 0);
	for (int k = 0; k < 3; k++) {
		struct sockaddr_in to = { .sin_family = AF_INET,
					  .sin_port = htons(ports[hit[k]]) };
		to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sendto(tx, "s", 1, 0, (struct sockaddr *)&to, sizeof(to));
	}

	FD_ZERO(&rd);
	for (int i = 0; i < N; i++)
		FD_SET(fds[i], &rd);
	n = select(maxfd + 1, &rd, NULL, NULL, &tv);
	CHECK(n == 3);
	CHECK(FD_ISSET(fds[hit[0]], &rd) && FD_ISSET(fds[hit[1]], &rd) &&
	      FD_ISSET(fds[hit[2]], &rd));

	for (int i = 0; i < N; i++)
		pfd[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	n = poll(pfd, N, 5000);
	CHECK(n == 3);
	CHECK(pfd[hit[0]].revents == POLLIN && pfd[hit[1]].revents == POLLIN &&
	      pfd[hit[2]].revents == POLLIN && pfd[1].revents == 0);

	ep = epoll_create1(0);
	ok = ep >= 0;
	for (int i = 0; i < N && ok; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
		ok = epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) == 0;
	}
	CHECK(ok);
	n = epoll_wait(ep, evs, 16, 5000);
	CHECK(n == 3);
	ok = n == 3;
	for (int k = 0; k < n && k < 3; k++) {
		uint32_t i = evs[k].data.u32;
		ok &= i == (uint32_t)hit[0] || i == (uint32_t)hit[1] ||
		      i == (uint32_t)hit[2];
	}
	CHECK(ok);

	for (int k = 0; k < 3; k++)
		CHECK(recv(fds[hit[k]], &c, 1, 0) == 1 && c == 's');
	FD_ZERO(&rd);
	for (int i = 0; i < N; i++)
		FD_SET(fds[i], &rd);
	tv = (struct timeval){ 0, 0 };
	CHECK(select(maxfd + 1, &rd, NULL, NULL, &tv) == 0);
	CHECK(epoll_wait(ep, evs, 16, 0) == 0);
	for (int i = 0; i < N; i++)
		close(fds[i]);
	close(ep);
	close(tx);
	free(pfd);
	return check_done();
}
