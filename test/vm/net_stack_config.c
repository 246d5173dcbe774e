/*
 * net_stack_config.c - the stack's configuration and loopback paths as a
 * program sees them (helper "stack": src/net/glue.c, dhcp.c, loopback.c).
 *
 * Layer: in-image test (test/vm/net_stack.cmake), one mode per run:
 *   dhcp     --net user: the lease (10.0.2.15/24) through SIOCGIFADDR and
 *            SIOCGIFNETMASK, /etc/resolv.conf naming 10.0.2.3, and
 *            datagrams to our own Ethernet address coming back over lo;
 *   static   --net user -k ip=10.0.2.16/24 -k gw=10.0.2.2
 *            -k dns=10.0.2.3,10.0.2.4: no DHCP, the given address and two
 *            name servers;
 *   none     --net user -k net=none: eth0 stays unconfigured, lo works;
 * and in every mode: getaddrinfo("localhost"), a 60,000-byte datagram
 * over lo, ECONNREFUSED on a connected socket after sending to a closed
 * port (ICMP port unreachable through lo), ephemeral ports in Linux's
 * range.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

static int if_addr(int s, const char *name, unsigned long req, char *out)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, name);
	if (ioctl(s, req, &ifr) < 0)
		return -errno;
	inet_ntop(AF_INET, &((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr, out,
		  INET_ADDRSTRLEN);
	return 0;
}

static void read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = 0;
}

static struct sockaddr_in sin4(const char *a, int port)
{
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(port) };
	inet_pton(AF_INET, a, &s.sin_addr);
	return s;
}

/* A datagram from a fresh socket to addr comes back on a socket bound
 * to bind_addr; returns the received length or -errno. */
static long loop_once(const char *bind_addr, const char *to, size_t len)
{
	int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = sin4(bind_addr, 0), b;
	socklen_t bl = sizeof(b);
	char *buf = malloc(len), *got = malloc(len + 1);
	long r;

	for (size_t i = 0; i < len; i++)
		buf[i] = (char)(i * 31 + 7);
	if (bind(rx, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(rx, (struct sockaddr *)&b, &bl) < 0) {
		r = -errno;
		goto out;
	}
	a = sin4(to, ntohs(b.sin_port));
	if (sendto(tx, buf, len, 0, (struct sockaddr *)&a, sizeof(a)) != (ssize_t)len) {
		r = -errno;
		goto out;
	}
	r = recv(rx, got, len + 1, MSG_DONTWAIT);
	if (r < 0)
		r = -errno;
	else if (r != (long)len || memcmp(buf, got, len))
		r = -EBADMSG;
out:
	close(rx);
	close(tx);
	free(buf);
	free(got);
	return r;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "none";
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	char addr[INET_ADDRSTRLEN] = "", mask[INET_ADDRSTRLEN] = "", conf[512];
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_DGRAM }, *ai;

	CHECK(s >= 0);
	read_file("/etc/resolv.conf", conf, sizeof(conf));
	printf("mode %s; /etc/resolv.conf:\n%s", mode, conf);

	if (!strcmp(mode, "dhcp")) {
		CHECK(if_addr(s, "eth0", SIOCGIFADDR, addr) == 0);
		CHECK(if_addr(s, "eth0", SIOCGIFNETMASK, mask) == 0);
		printf("eth0 %s/%s\n", addr, mask);
		CHECK(!strcmp(addr, "10.0.2.15"));
		CHECK(!strcmp(mask, "255.255.255.0"));
		CHECK(strstr(conf, "nameserver 10.0.2.3\n") != NULL);
		/* to our own Ethernet address: over lo, never on the wire */
		CHECK(loop_once("0.0.0.0", "10.0.2.15", 1000) == 1000);
		CHECK(loop_once("10.0.2.15", "10.0.2.15", 20000) == 20000);
	} else if (!strcmp(mode, "static")) {
		CHECK(if_addr(s, "eth0", SIOCGIFADDR, addr) == 0);
		CHECK(if_addr(s, "eth0", SIOCGIFNETMASK, mask) == 0);
		printf("eth0 %s/%s\n", addr, mask);
		CHECK(!strcmp(addr, "10.0.2.16"));
		CHECK(!strcmp(mask, "255.255.255.0"));
		CHECK(strstr(conf, "nameserver 10.0.2.3\nnameserver 10.0.2.4\n") != NULL);
		CHECK(loop_once("0.0.0.0", "10.0.2.16", 100) == 100);
	} else {
		int r = if_addr(s, "eth0", SIOCGIFADDR, addr);
		printf("eth0: %s\n", r ? strerror(-r) : addr);
		CHECK(r == -EADDRNOTAVAIL || r == -ENODEV);
		CHECK(strstr(conf, "nameserver") == NULL);
	}

	/* localhost from /etc/hosts */
	CHECK(getaddrinfo("localhost", "7", &hints, &ai) == 0);
	if (ai) {
		char a[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, a, sizeof(a));
		CHECK(!strcmp(a, "127.0.0.1"));
		CHECK(ntohs(((struct sockaddr_in *)ai->ai_addr)->sin_port) == 7);
		freeaddrinfo(ai);
	}
	CHECK(loop_once("127.0.0.1", "127.0.0.1", 5) == 5);
	CHECK(loop_once("0.0.0.0", "127.0.0.1", 60000) == 60000);
	CHECK(loop_once("0.0.0.0", "127.0.0.2", 64) == 64);

	/* ICMP port unreachable through lo: ECONNREFUSED on the next call */
	{
		int c = socket(AF_INET, SOCK_DGRAM, 0), r;
		struct sockaddr_in a = sin4("127.0.0.1", 9), b;
		socklen_t bl = sizeof(b);
		char x = 'x';
		CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0);
		CHECK(getsockname(c, (struct sockaddr *)&b, &bl) == 0);
		CHECK(b.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
		CHECK(ntohs(b.sin_port) >= 32768 && ntohs(b.sin_port) <= 60999);
		CHECK(send(c, &x, 1, 0) == 1);
		r = (int)recv(c, &x, 1, MSG_DONTWAIT);
		CHECK(r < 0 && errno == ECONNREFUSED);
		close(c);
	}
	close(s);
	return check_done();
}
