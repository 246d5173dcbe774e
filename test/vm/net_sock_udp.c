/* net_sock_udp.c - in-image test of the socket layer over loopback UDP
 * (issue 6 item 6): creation flags and errors, SOL_SOCKET options as
 * Linux reports them (SO_TYPE/DOMAIN/PROTOCOL, SO_RCVBUF/SNDBUF doubled
 * and capped, SO_RCVTIMEO, SO_ERROR), sendto/recvfrom between two
 * sockets on 127.0.0.1, MSG_PEEK, MSG_TRUNC (flag and result), msg_name,
 * gather/scatter iovecs, IP_PKTINFO/IP_RECVTTL/IP_RECVTOS control
 * messages, IP_TTL/IP_TOS options, non-blocking EAGAIN (SOCK_NONBLOCK,
 * MSG_DONTWAIT, FIONBIO), FIONREAD, connect/getpeername/disconnect,
 * ECONNREFUSED from a closed loopback port (next call and SO_ERROR),
 * EMSGSIZE, shutdown, sendmmsg/recvmmsg, read/write, and readiness
 * through poll, select and epoll, including a blocked receiver woken by
 * another thread. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "check.h"
#include "testutil.h"

static struct sockaddr_in lo_addr(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* A UDP socket bound to 127.0.0.1 on an ephemeral port; *port gets it. */
static int udp_bound(int flags, uint16_t *port)
{
	struct sockaddr_in a = lo_addr(0);
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_DGRAM | flags, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(s, (struct sockaddr *)&a, &len))
		return -1;
	if (port)
		*port = ntohs(a.sin_port);
	return s;
}

static int getint(int s, int level, int name)
{
	int v = -12345;
	socklen_t len = sizeof(v);
	if (getsockopt(s, level, name, &v, &len) || len != sizeof(v))
		return -12345;
	return v;
}

static void test_create(void)
{
	struct stat st;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	CHECK(s >= 0);
	CHECK(fcntl(s, F_GETFD) == FD_CLOEXEC);
	CHECK(fcntl(s, F_GETFL) & O_NONBLOCK);
	CHECK(fstat(s, &st) == 0 && S_ISSOCK(st.st_mode));
	{
		char path[64], link[64], want[64];
		ssize_t n;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", s);
		snprintf(want, sizeof(want), "socket:[%lu]", (unsigned long)st.st_ino);
		n = readlink(path, link, sizeof(link) - 1);
		CHECK(n > 0 && (link[n] = 0, !strcmp(link, want)));
	}
	CHECK(getint(s, SOL_SOCKET, SO_TYPE) == SOCK_DGRAM);
	CHECK(getint(s, SOL_SOCKET, SO_DOMAIN) == AF_INET);
	CHECK(getint(s, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_UDP);
	CHECK(getint(s, SOL_SOCKET, SO_ERROR) == 0);
	CHECK(getint(s, SOL_SOCKET, SO_ACCEPTCONN) == 0);
	CHECK(getint(s, IPPROTO_IP, IP_TTL) == 64);
	close(s);
	CHECK(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP) == -1 && errno == EPROTONOSUPPORT);
	CHECK(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP) == -1 && errno == EPROTONOSUPPORT);
	s = socket(AF_INET, SOCK_STREAM, 0); /* TCP: af_inet_tcp.c */
	CHECK(s >= 0 && getint(s, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_TCP);
	close(s);
	CHECK(socket(AF_INET, SOCK_DGRAM | 0x100000, 0) == -1 && errno == EINVAL);
	CHECK(socket(AF_INET, 9, 0) == -1 && errno == ESOCKTNOSUPPORT);
	CHECK(socket(12345, SOCK_DGRAM, 0) == -1 && errno == EAFNOSUPPORT);
	CHECK(socket(AF_INET6, SOCK_DGRAM, 0) == -1 && errno == EAFNOSUPPORT);
	CHECK(socketpair(AF_INET, SOCK_DGRAM, 0, (int[2]){0}) == -1 &&
	      errno == EOPNOTSUPP);
	CHECK(bind(0, (struct sockaddr *)&(struct sockaddr_in){0}, 16) == -1 &&
	      errno == ENOTSOCK);
	CHECK(getsockopt(99, SOL_SOCKET, SO_TYPE, &s, &(socklen_t){4}) == -1 &&
	      errno == EBADF);
}

static void test_options(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0), v;
	struct timeval tv = { 0, 1000000 };
	struct linger lg = { 1, 5 };
	socklen_t len;

	/* Linux's defaults and its doubling, caps and floors */
	CHECK(getint(s, SOL_SOCKET, SO_RCVBUF) == 212992);
	CHECK(getint(s, SOL_SOCKET, SO_SNDBUF) == 212992);
	v = 100000;
	CHECK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0);
	CHECK(getint(s, SOL_SOCKET, SO_RCVBUF) == 200000);
	v = 1 << 20;
	CHECK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0);
	CHECK(getint(s, SOL_SOCKET, SO_RCVBUF) == 425984);
	v = 1000;
	CHECK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0);
	CHECK(getint(s, SOL_SOCKET, SO_RCVBUF) == 2304);
	v = 1;
	CHECK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0);
	CHECK(getint(s, SOL_SOCKET, SO_SNDBUF) == 4608);
	v = 1;
	CHECK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)) == 0);
	CHECK(getint(s, SOL_SOCKET, SO_REUSEADDR) == 1);
	CHECK(setsockopt(s, SOL_SOCKET, SO_BROADCAST, &v, sizeof(v)) == 0);
	CHECK(getint(s, SOL_SOCKET, SO_BROADCAST) == 1);
	CHECK(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)) == 0);
	CHECK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, 2) == -1 && errno == EINVAL);
	CHECK(setsockopt(s, SOL_SOCKET, 9999, &v, sizeof(v)) == -1 && errno == ENOPROTOOPT);
	CHECK(setsockopt(s, SOL_SOCKET, SO_TYPE, &v, sizeof(v)) == -1 && errno == ENOPROTOOPT);
	CHECK(setsockopt(s, IPPROTO_IP, 9999, &v, sizeof(v)) == -1 && errno == ENOPROTOOPT);
	CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 && errno == EDOM);
	CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, 4) == -1 && errno == EINVAL);
	tv.tv_sec = 2;
	tv.tv_usec = 500000;
	CHECK(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0);
	memset(&tv, 0, sizeof(tv));
	len = sizeof(tv);
	CHECK(getsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, &len) == 0 &&
	      len == sizeof(tv) && tv.tv_sec == 2 && tv.tv_usec == 500000);
	CHECK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0);
	memset(&lg, 0, sizeof(lg));
	len = sizeof(lg);
	CHECK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 &&
	      lg.l_onoff == 1 && lg.l_linger == 5);
	v = 7;
	CHECK(setsockopt(s, IPPROTO_IP, IP_TTL, &v, sizeof(v)) == 0);
	CHECK(getint(s, IPPROTO_IP, IP_TTL) == 7);
	v = 0;
	CHECK(setsockopt(s, IPPROTO_IP, IP_TTL, &v, sizeof(v)) == -1 && errno == EINVAL);
	v = 0x10;
	CHECK(setsockopt(s, IPPROTO_IP, IP_TOS, &v, sizeof(v)) == 0);
	CHECK(getint(s, IPPROTO_IP, IP_TOS) == 0x10);
	v = 5;
	CHECK(setsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &v, sizeof(v)) == 0);
	CHECK(getint(s, IPPROTO_IP, IP_MULTICAST_TTL) == 5);
	v = 0;
	CHECK(setsockopt(s, IPPROTO_IP, IP_MULTICAST_LOOP, &v, sizeof(v)) == 0);
	CHECK(getint(s, IPPROTO_IP, IP_MULTICAST_LOOP) == 0);
	/* a one-byte answer when asked with a one-byte buffer */
	{
		unsigned char c = 0;
		len = 1;
		CHECK(getsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &c, &len) == 0 &&
		      len == 1 && c == 5);
	}
	len = sizeof(v);
	CHECK(getsockopt(s, SOL_SOCKET, 9999, &v, &len) == -1 && errno == ENOPROTOOPT);
	close(s);
}

static void test_sendrecv(void)
{
	uint16_t pa, pb;
	int a = udp_bound(0, &pa), b = udp_bound(0, &pb), n, v;
	struct sockaddr_in to = lo_addr(pb), from;
	socklen_t flen = sizeof(from);
	char buf[256];
	struct iovec iov[3];
	struct msghdr mh;
	union {
		char b[256];
		struct cmsghdr align;
	} ctl;
	struct cmsghdr *c;
	int seen_pi = 0, seen_ttl = 0, seen_tos = 0;

	CHECK(a >= 0 && b >= 0 && pa && pb && pa != pb);
	CHECK(sendto(a, "hello", 5, 0, (struct sockaddr *)&to, sizeof(to)) == 5);
	n = -1;
	CHECK(ioctl(b, FIONREAD, &n) == 0 && n == 5);
	/* peek leaves it, the next read takes it */
	CHECK(recv(b, buf, sizeof(buf), MSG_PEEK) == 5 && !memcmp(buf, "hello", 5));
	memset(&from, 0, sizeof(from));
	CHECK(recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) == 5);
	CHECK(flen == sizeof(from) && from.sin_family == AF_INET &&
	      ntohs(from.sin_port) == pa &&
	      from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	CHECK(recv(b, buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN);

	/* truncation: the flag, and MSG_TRUNC's real length */
	CHECK(sendto(a, "0123456789", 10, 0, (struct sockaddr *)&to, sizeof(to)) == 10);
	CHECK(recv(b, buf, 4, MSG_PEEK | MSG_TRUNC) == 10);
	iov[0] = (struct iovec){ buf, 4 };
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 1;
	CHECK(recvmsg(b, &mh, 0) == 4 && (mh.msg_flags & MSG_TRUNC) &&
	      !memcmp(buf, "0123", 4));
	CHECK(recv(b, buf, 4, MSG_DONTWAIT) == -1 && errno == EAGAIN);

	/* gather on send, scatter and msg_name and control on receive */
	v = 1;
	CHECK(setsockopt(b, IPPROTO_IP, IP_PKTINFO, &v, sizeof(v)) == 0);
	CHECK(setsockopt(b, IPPROTO_IP, IP_RECVTTL, &v, sizeof(v)) == 0);
	CHECK(setsockopt(b, IPPROTO_IP, IP_RECVTOS, &v, sizeof(v)) == 0);
	v = 33;
	CHECK(setsockopt(a, IPPROTO_IP, IP_TTL, &v, sizeof(v)) == 0);
	v = 0x20;
	CHECK(setsockopt(a, IPPROTO_IP, IP_TOS, &v, sizeof(v)) == 0);
	iov[0] = (struct iovec){ "ab", 2 };
	iov[1] = (struct iovec){ "", 0 };
	iov[2] = (struct iovec){ "cdef", 4 };
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &to;
	mh.msg_namelen = sizeof(to);
	mh.msg_iov = iov;
	mh.msg_iovlen = 3;
	CHECK(sendmsg(a, &mh, 0) == 6);
	memset(buf, 0, sizeof(buf));
	iov[0] = (struct iovec){ buf, 3 };
	iov[1] = (struct iovec){ buf + 10, 100 };
	memset(&mh, 0, sizeof(mh));
	memset(&from, 0, sizeof(from));
	mh.msg_name = &from;
	mh.msg_namelen = sizeof(from);
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	mh.msg_control = ctl.b;
	mh.msg_controllen = sizeof(ctl.b);
	CHECK(recvmsg(b, &mh, 0) == 6);
	CHECK(!memcmp(buf, "abc", 3) && !memcmp(buf + 10, "def", 3));
	CHECK(mh.msg_namelen == sizeof(from) && ntohs(from.sin_port) == pa);
	CHECK(!(mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)));
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != IPPROTO_IP)
			continue;
		if (c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			seen_pi = c->cmsg_len == CMSG_LEN(sizeof(pi)) &&
				  pi.ipi_ifindex == 1 &&
				  pi.ipi_addr.s_addr == htonl(INADDR_LOOPBACK) &&
				  pi.ipi_spec_dst.s_addr == htonl(INADDR_LOOPBACK);
		} else if (c->cmsg_type == IP_TTL) {
			int ttl;
			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
			seen_ttl = ttl == 33;
		} else if (c->cmsg_type == IP_TOS) {
			seen_tos = *(unsigned char *)CMSG_DATA(c) == 0x20;
		}
	}
	CHECK(seen_pi);
	CHECK(seen_ttl);
	CHECK(seen_tos);
	/* a control buffer too small: MSG_CTRUNC */
	CHECK(sendto(a, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)) == 1);
	memset(&mh, 0, sizeof(mh));
	iov[0] = (struct iovec){ buf, sizeof(buf) };
	mh.msg_iov = iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.b;
	mh.msg_controllen = sizeof(struct cmsghdr) + 4;
	CHECK(recvmsg(b, &mh, 0) == 1 && (mh.msg_flags & MSG_CTRUNC));

	/* sendto without an address on an unconnected socket */
	CHECK(send(a, "x", 1, 0) == -1 && errno == EDESTADDRREQ);
	CHECK(getpeername(a, (struct sockaddr *)&from, &flen) == -1 && errno == ENOTCONN);
	/* the largest datagram goes through loopback, one more does not */
	{
		static char big[65508];
		v = 1 << 20;
		setsockopt(b, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
		CHECK(sendto(a, big, 65508, 0, (struct sockaddr *)&to, sizeof(to)) == -1 &&
		      errno == EMSGSIZE);
		big[65506] = 'z';
		CHECK(sendto(a, big, 65507, 0, (struct sockaddr *)&to, sizeof(to)) == 65507);
		memset(big, 0, sizeof(big));
		CHECK(recv(b, big, sizeof(big), 0) == 65507 && big[65506] == 'z');
	}
	close(a);
	close(b);
}

/* A small SO_RCVBUF holds few datagrams; the rest are dropped. */
static void test_rcvbuf_bound(void)
{
	uint16_t pb;
	int a = udp_bound(0, NULL), b = udp_bound(SOCK_NONBLOCK, &pb), v = 1000, n = 0;
	struct sockaddr_in to = lo_addr(pb);
	static char buf[1000];

	CHECK(setsockopt(b, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0);
	for (int i = 0; i < 20; i++)
		sendto(a, buf, sizeof(buf), 0, (struct sockaddr *)&to, sizeof(to));
	while (recv(b, buf, sizeof(buf), 0) == (long)sizeof(buf))
		n++;
	printf("SO_RCVBUF 2304 held %d of 20 datagrams of 1000 bytes\n", n);
	CHECK(n >= 1 && n < 20);
	close(a);
	close(b);
}

static void test_nonblock_timeout(void)
{
	uint16_t p;
	int s = udp_bound(SOCK_NONBLOCK, &p), on = 0;
	char c;
	struct timeval tv = { 0, 200000 };
	uint64_t t0;

	CHECK(recv(s, &c, 1, 0) == -1 && errno == EAGAIN);
	CHECK(read(s, &c, 1) == -1 && errno == EAGAIN);
	CHECK(ioctl(s, FIONBIO, &on) == 0 && !(fcntl(s, F_GETFL) & O_NONBLOCK));
	CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	t0 = now_ms();
	CHECK(recv(s, &c, 1, 0) == -1 && errno == EAGAIN);
	t0 = now_ms() - t0;
	CHECK(t0 >= 200 && t0 < 200 + SLACK_MS);
	close(s);
}

static void test_connect(void)
{
	uint16_t pa, pb, pc;
	int a = udp_bound(0, &pa), b = udp_bound(0, &pb), c = udp_bound(0, &pc);
	struct sockaddr_in to = lo_addr(pb), peer;
	socklen_t len = sizeof(peer);
	struct pollfd pfd;
	char buf[16];

	CHECK(connect(a, (struct sockaddr *)&to, sizeof(to)) == 0);
	CHECK(getsockname(a, (struct sockaddr *)&peer, &len) == 0 &&
	      ntohs(peer.sin_port) == pa &&
	      peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	CHECK(getpeername(a, (struct sockaddr *)&peer, &len) == 0 &&
	      len == sizeof(peer) && ntohs(peer.sin_port) == pb &&
	      peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	CHECK(send(a, "one", 3, 0) == 3);
	CHECK(write(a, "two", 3) == 3);
	CHECK(read(b, buf, sizeof(buf)) == 3 && !memcmp(buf, "one", 3));
	CHECK(recv(b, buf, sizeof(buf), 0) == 3 && !memcmp(buf, "two", 3));
	/* a connected socket may still name another destination (UDP) */
	to = lo_addr(pc);
	CHECK(sendto(a, "tri", 3, 0, (struct sockaddr *)&to, sizeof(to)) == 3);
	CHECK(recv(c, buf, sizeof(buf), 0) == 3);
	/* only the peer's datagrams reach a connected socket */
	to = lo_addr(pa);
	CHECK(sendto(c, "no", 2, 0, (struct sockaddr *)&to, sizeof(to)) == 2);
	CHECK(recv(a, buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN);
	/* disconnect with AF_UNSPEC */
	CHECK(connect(a, (struct sockaddr *)&(struct sockaddr){ .sa_family = AF_UNSPEC },
		      sizeof(struct sockaddr)) == 0);
	CHECK(getpeername(a, (struct sockaddr *)&peer, &len) == -1 && errno == ENOTCONN);
	CHECK(send(a, "x", 1, 0) == -1 && errno == EDESTADDRREQ);

	/* port unreachable on loopback: ECONNREFUSED on the next call */
	close(b);
	to = lo_addr(pb);
	CHECK(connect(a, (struct sockaddr *)&to, sizeof(to)) == 0);
	CHECK(send(a, "x", 1, 0) == 1);
	pfd = (struct pollfd){ .fd = a, .events = POLLIN };
	CHECK(poll(&pfd, 1, 2000) == 1 && (pfd.revents & POLLERR));
	CHECK(recv(a, buf, sizeof(buf), 0) == -1 && errno == ECONNREFUSED);
	CHECK(recv(a, buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN);
	CHECK(send(a, "x", 1, 0) == 1);
	CHECK(poll(&pfd, 1, 2000) == 1 && (pfd.revents & POLLERR));
	CHECK(getint(a, SOL_SOCKET, SO_ERROR) == ECONNREFUSED);
	CHECK(getint(a, SOL_SOCKET, SO_ERROR) == 0);
	CHECK(send(a, "x", 1, 0) == 1);
	CHECK(poll(&pfd, 1, 2000) == 1);
	CHECK(send(a, "x", 1, 0) == -1 && errno == ECONNREFUSED);

	/* shutdown */
	CHECK(shutdown(c, SHUT_RD) == -1 && errno == ENOTCONN);
	CHECK(recv(c, buf, sizeof(buf), 0) == 0);
	CHECK(shutdown(a, 7) == -1 && errno == EINVAL);
	CHECK(shutdown(a, SHUT_WR) == 0);
	CHECK(send(a, "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE);
	close(a);
	close(c);
}

static void test_bind_rules(void)
{
	uint16_t p;
	int a = udp_bound(0, &p), b = socket(AF_INET, SOCK_DGRAM, 0), v = 1;
	struct sockaddr_in sa = lo_addr(p);

	CHECK(bind(b, (struct sockaddr *)&sa, sizeof(sa)) == -1 && errno == EADDRINUSE);
	CHECK(bind(a, (struct sockaddr *)&sa, sizeof(sa)) == -1 && errno == EINVAL);
	CHECK(bind(b, (struct sockaddr *)&sa, 8) == -1 && errno == EINVAL);
	sa.sin_family = AF_INET6;
	CHECK(bind(b, (struct sockaddr *)&sa, sizeof(sa)) == -1 && errno == EAFNOSUPPORT);
	close(a);
	close(b);
	/* both with SO_REUSEADDR share the port */
	a = socket(AF_INET, SOCK_DGRAM, 0);
	b = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v));
	setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v));
	sa = lo_addr(p);
	CHECK(bind(a, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(bind(b, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	close(a);
	close(b);
}

static void test_mmsg(void)
{
	uint16_t pb;
	int a = udp_bound(0, NULL), b = udp_bound(0, &pb);
	struct sockaddr_in to = lo_addr(pb);
	char rb[3][8];
	struct iovec siov[3] = { { "a", 1 }, { "bb", 2 }, { "ccc", 3 } }, riov[3];
	struct mmsghdr sm[3], rm[4];

	memset(sm, 0, sizeof(sm));
	memset(rm, 0, sizeof(rm));
	for (int i = 0; i < 3; i++) {
		sm[i].msg_hdr.msg_name = &to;
		sm[i].msg_hdr.msg_namelen = sizeof(to);
		sm[i].msg_hdr.msg_iov = &siov[i];
		sm[i].msg_hdr.msg_iovlen = 1;
		riov[i] = (struct iovec){ rb[i], sizeof(rb[i]) };
		rm[i].msg_hdr.msg_iov = &riov[i];
		rm[i].msg_hdr.msg_iovlen = 1;
	}
	rm[3] = rm[2];
	CHECK(sendmmsg(a, sm, 3, 0) == 3 && sm[2].msg_len == 3);
	CHECK(recvmmsg(b, rm, 4, MSG_WAITFORONE, NULL) == 3);
	CHECK(rm[0].msg_len == 1 && rm[1].msg_len == 2 && rm[2].msg_len == 3 &&
	      !memcmp(rb[2], "ccc", 3));
	close(a);
	close(b);
}

static int sender_fd;
static struct sockaddr_in sender_to;
static void *send_later(void *arg)
{
	msleep(50);
	sendto(sender_fd, "late", 4, 0, (struct sockaddr *)&sender_to,
	       sizeof(sender_to));
	return NULL;
}

static void test_readiness(void)
{
	uint16_t pb;
	int a = udp_bound(0, NULL), b = udp_bound(0, &pb), ep;
	struct sockaddr_in to = lo_addr(pb);
	struct pollfd pfd = { .fd = b, .events = POLLIN | POLLOUT };
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = b };
	struct timeval tv = { 0, 0 };
	fd_set rd, wr;
	pthread_t th;
	char buf[8];

	CHECK(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLOUT);
	FD_ZERO(&rd);
	FD_SET(b, &rd);
	CHECK(select(b + 1, &rd, NULL, NULL, &tv) == 0);
	ep = epoll_create1(0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, b, &ev) == 0);
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0);
	CHECK(sendto(a, "r", 1, 0, (struct sockaddr *)&to, sizeof(to)) == 1);
	CHECK(poll(&pfd, 1, 0) == 1 && pfd.revents == (POLLIN | POLLOUT));
	FD_ZERO(&rd);
	FD_SET(b, &rd);
	FD_ZERO(&wr);
	FD_SET(b, &wr);
	CHECK(select(b + 1, &rd, &wr, NULL, &tv) == 2 && FD_ISSET(b, &rd));
	CHECK(epoll_wait(ep, &ev, 1, 0) == 1 && ev.data.fd == b &&
	      ev.events == EPOLLIN);
	CHECK(recv(b, buf, sizeof(buf), 0) == 1);
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0);

	/* blocked in each of them, woken by another thread's datagram */
	sender_fd = a;
	sender_to = to;
	pthread_create(&th, NULL, send_later, NULL);
	CHECK(epoll_wait(ep, &ev, 1, 5000) == 1 && ev.data.fd == b);
	pthread_join(th, NULL);
	CHECK(recv(b, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "late", 4));
	pthread_create(&th, NULL, send_later, NULL);
	pfd.events = POLLIN;
	CHECK(poll(&pfd, 1, 5000) == 1 && pfd.revents == POLLIN);
	pthread_join(th, NULL);
	CHECK(recv(b, buf, sizeof(buf), 0) == 4);
	pthread_create(&th, NULL, send_later, NULL);
	FD_ZERO(&rd);
	FD_SET(b, &rd);
	tv.tv_sec = 5;
	CHECK(select(b + 1, &rd, NULL, NULL, &tv) == 1 && FD_ISSET(b, &rd));
	pthread_join(th, NULL);
	CHECK(recv(b, buf, sizeof(buf), 0) == 4);
	pthread_create(&th, NULL, send_later, NULL);
	CHECK(recv(b, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "late", 4));
	pthread_join(th, NULL);
	close(ep);
	close(a);
	close(b);
}

/* A signal during a blocking receive: restarted with SA_RESTART, EINTR
 * without it, and EINTR with SA_RESTART when SO_RCVTIMEO is set (Linux:
 * a socket call with a timeout is never restarted). */
static pthread_t main_thread;
static volatile int got_usr1;
static void on_usr1(int sig) { got_usr1++; }
static void *kill_then_send(void *arg)
{
	msleep(50);
	pthread_kill(main_thread, SIGUSR1);
	msleep(50);
	sendto(sender_fd, "late", 4, 0, (struct sockaddr *)&sender_to,
	       sizeof(sender_to));
	return NULL;
}

static void test_signals(void)
{
	uint16_t pb;
	int a = udp_bound(0, NULL), b = udp_bound(0, &pb);
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct timeval tv = { 10, 0 };
	pthread_t th;
	char buf[8];

	main_thread = pthread_self();
	sender_fd = a;
	sender_to = lo_addr(pb);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	pthread_create(&th, NULL, kill_then_send, NULL);
	CHECK(recv(b, buf, sizeof(buf), 0) == 4 && got_usr1 == 1);
	pthread_join(th, NULL);
	sa.sa_flags = 0;
	sigaction(SIGUSR1, &sa, NULL);
	pthread_create(&th, NULL, kill_then_send, NULL);
	CHECK(recv(b, buf, sizeof(buf), 0) == -1 && errno == EINTR && got_usr1 == 2);
	pthread_join(th, NULL);
	CHECK(recv(b, buf, sizeof(buf), 0) == 4);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	pthread_create(&th, NULL, kill_then_send, NULL);
	CHECK(recv(b, buf, sizeof(buf), 0) == -1 && errno == EINTR && got_usr1 == 3);
	pthread_join(th, NULL);
	close(a);
	close(b);
}

int main(void)
{
	test_create();
	test_options();
	test_sendrecv();
	test_rcvbuf_bound();
	test_nonblock_timeout();
	test_connect();
	test_bind_rules();
	test_mmsg();
	test_readiness();
	test_signals();
	return check_done();
}
