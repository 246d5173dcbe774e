/* net_sock_ifaces.c - in-image test of the interface queries programs
 * use (issue 6 item 6): getifaddrs and if_nameindex (musl reads them
 * from an AF_NETLINK socket's RTM_GETLINK/RTM_GETADDR dumps),
 * if_nametoindex/if_indextoname (SIOCGIFINDEX/SIOCGIFNAME on an AF_UNIX
 * socket), the SIOCGIF* ioctls and SIOCGIFCONF, a raw netlink exchange
 * (pid, MSG_PEEK|MSG_TRUNC sizing, an unsupported request's
 * NLMSG_ERROR) and getaddrinfo("localhost", "80").
 * With the argument "eth0" (booted with --net user) eth0 must be there
 * too with QEMU's DHCP lease 10.0.2.15/24 and its default MAC, and
 * multicast on it (join, looped copy with IP_PKTINFO, drop). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

/* linux/netlink.h and linux/rtnetlink.h, which musl does not ship */
struct nlmsghdr {
	uint32_t nlmsg_len;
	uint16_t nlmsg_type, nlmsg_flags;
	uint32_t nlmsg_seq, nlmsg_pid;
};
struct sockaddr_nl {
	sa_family_t nl_family;
	unsigned short nl_pad;
	uint32_t nl_pid, nl_groups;
};
#define NETLINK_ROUTE 0
#define NLM_F_REQUEST 1
#define NLM_F_MULTI 2
#define NLM_F_DUMP 0x300
#define NLMSG_ERROR 2
#define NLMSG_DONE 3
#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_GETROUTE 26

static uint32_t ip(const char *s)
{
	return inet_addr(s);
}

static uint32_t sin_addr(const struct sockaddr *sa)
{
	return sa && sa->sa_family == AF_INET
		       ? ((const struct sockaddr_in *)sa)->sin_addr.s_addr
		       : 0;
}

static void test_getifaddrs(int eth)
{
	struct ifaddrs *ifa, *i;
	int lo_in = 0, lo_ll = 0, eth_in = 0, eth_ll = 0, n_in = 0;

	CHECK(getifaddrs(&ifa) == 0);
	for (i = ifa; i; i = i->ifa_next) {
		int is_lo = !strcmp(i->ifa_name, "lo");
		int is_eth = !strcmp(i->ifa_name, "eth0");

		printf("  %s flags %#x family %d addr %08x\n", i->ifa_name,
		       i->ifa_flags, i->ifa_addr ? i->ifa_addr->sa_family : -1,
		       ntohl(sin_addr(i->ifa_addr)));
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			n_in++;
			if (is_lo)
				lo_in = sin_addr(i->ifa_addr) == ip("127.0.0.1") &&
					sin_addr(i->ifa_netmask) == ip("255.0.0.0") &&
					(i->ifa_flags & IFF_UP) &&
					(i->ifa_flags & IFF_LOOPBACK);
			if (is_eth)
				eth_in = sin_addr(i->ifa_addr) == ip("10.0.2.15") &&
					 sin_addr(i->ifa_netmask) == ip("255.255.255.0") &&
					 sin_addr(i->ifa_broadaddr) == ip("10.0.2.255") &&
					 (i->ifa_flags & IFF_BROADCAST) &&
					 (i->ifa_flags & IFF_UP);
		} else if (i->ifa_addr->sa_family == AF_PACKET) {
			struct sockaddr_ll *ll = (struct sockaddr_ll *)i->ifa_addr;
			if (is_lo)
				lo_ll = ll->sll_ifindex == 1 &&
					ll->sll_hatype == ARPHRD_LOOPBACK;
			if (is_eth)
				eth_ll = ll->sll_ifindex == 2 &&
					 ll->sll_hatype == ARPHRD_ETHER &&
					 ll->sll_halen == 6 &&
					 !memcmp(ll->sll_addr,
						 "\x52\x54\x00\x12\x34\x56", 6) &&
					 i->ifa_data != NULL;
		}
	}
	CHECK(lo_in);
	CHECK(lo_ll);
	if (eth) {
		CHECK(eth_in);
		CHECK(eth_ll);
	}
	CHECK(n_in == (eth ? 2 : 1));
	freeifaddrs(ifa);
}

static void test_nameindex(int eth)
{
	struct if_nameindex *ni = if_nameindex(), *p;
	int n = 0, lo = 0, e = 0;
	char name[IF_NAMESIZE];

	CHECK(ni != NULL);
	for (p = ni; p && p->if_index; p++, n++) {
		lo |= p->if_index == 1 && !strcmp(p->if_name, "lo");
		e |= p->if_index == 2 && !strcmp(p->if_name, "eth0");
	}
	CHECK(lo);
	CHECK(n == (eth ? 2 : 1) && e == eth);
	if_freenameindex(ni);
	CHECK(if_nametoindex("lo") == 1);
	CHECK(if_nametoindex("nosuch0") == 0);
	CHECK(if_indextoname(1, name) && !strcmp(name, "lo"));
	CHECK(!if_indextoname(77, name) && errno == ENXIO);
	if (eth)
		CHECK(if_nametoindex("eth0") == 2);
}

static void test_ioctls(int eth)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr, reqs[8];
	struct ifconf ic;

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	CHECK(ioctl(s, SIOCGIFADDR, &ifr) == 0 && sin_addr(&ifr.ifr_addr) == ip("127.0.0.1"));
	CHECK(ioctl(s, SIOCGIFNETMASK, &ifr) == 0 &&
	      sin_addr(&ifr.ifr_netmask) == ip("255.0.0.0"));
	CHECK(ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP) &&
	      (ifr.ifr_flags & IFF_LOOPBACK) && (ifr.ifr_flags & IFF_RUNNING));
	CHECK(ioctl(s, SIOCGIFINDEX, &ifr) == 0 && ifr.ifr_ifindex == 1);
	CHECK(ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu == 65536);
	CHECK(ioctl(s, SIOCGIFHWADDR, &ifr) == 0 &&
	      ifr.ifr_hwaddr.sa_family == ARPHRD_LOOPBACK);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = 1;
	CHECK(ioctl(s, SIOCGIFNAME, &ifr) == 0 && !strcmp(ifr.ifr_name, "lo"));
	ifr.ifr_ifindex = 99;
	CHECK(ioctl(s, SIOCGIFNAME, &ifr) == -1 && errno == ENODEV);
	strcpy(ifr.ifr_name, "nosuch0");
	CHECK(ioctl(s, SIOCGIFFLAGS, &ifr) == -1 && errno == ENODEV);
	strcpy(ifr.ifr_name, "lo");
	ifr.ifr_mtu = 1500;
	CHECK(ioctl(s, SIOCSIFMTU, &ifr) == -1 && errno == EOPNOTSUPP);
	CHECK(ioctl(s, 0x12345678, &ifr) == -1 && errno == ENOTTY);
	/* SIOCGIFCONF: the size first, then the list */
	ic.ifc_len = 0;
	ic.ifc_buf = NULL;
	CHECK(ioctl(s, SIOCGIFCONF, &ic) == 0 &&
	      ic.ifc_len == (int)(sizeof(struct ifreq) * (eth ? 2 : 1)));
	ic.ifc_len = sizeof(reqs);
	ic.ifc_req = reqs;
	CHECK(ioctl(s, SIOCGIFCONF, &ic) == 0 &&
	      ic.ifc_len == (int)(sizeof(struct ifreq) * (eth ? 2 : 1)) &&
	      !strcmp(reqs[0].ifr_name, "lo") &&
	      sin_addr(&reqs[0].ifr_addr) == ip("127.0.0.1"));
	if (eth) {
		memset(&ifr, 0, sizeof(ifr));
		strcpy(ifr.ifr_name, "eth0");
		CHECK(ioctl(s, SIOCGIFADDR, &ifr) == 0 &&
		      sin_addr(&ifr.ifr_addr) == ip("10.0.2.15"));
		CHECK(ioctl(s, SIOCGIFBRDADDR, &ifr) == 0 &&
		      sin_addr(&ifr.ifr_broadaddr) == ip("10.0.2.255"));
		CHECK(ioctl(s, SIOCGIFHWADDR, &ifr) == 0 &&
		      ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER &&
		      !memcmp(ifr.ifr_hwaddr.sa_data, "\x52\x54\x00\x12\x34\x56", 6));
		CHECK(ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu == 1500);
		CHECK(ioctl(s, SIOCGIFINDEX, &ifr) == 0 && ifr.ifr_ifindex == 2);
	}
	close(s);
}

static void test_netlink(void)
{
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(sa);
	struct {
		struct nlmsghdr h;
		unsigned char family, pad[3];
	} req = { { sizeof(req), RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 7, 0 },
		  AF_UNSPEC, { 0 } };
	static char buf[8192];
	int n, links = 0, done = 0;
	struct nlmsghdr *h;

	CHECK(s >= 0);
	CHECK(socket(AF_NETLINK, SOCK_RAW, 16) == -1 && errno == EPROTONOSUPPORT);
	CHECK(bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(getsockname(s, (struct sockaddr *)&sa, &len) == 0 &&
	      len == sizeof(sa) && sa.nl_pid == (uint32_t)getpid());
	CHECK(send(s, &req, sizeof(req), 0) == sizeof(req));
	n = recv(s, NULL, 0, MSG_PEEK | MSG_TRUNC);
	CHECK(n > (int)sizeof(struct nlmsghdr));
	CHECK(recv(s, buf, sizeof(buf), MSG_DONTWAIT) == n);
	for (h = (struct nlmsghdr *)buf; (char *)h + sizeof(*h) <= buf + n &&
	     h->nlmsg_len >= sizeof(*h);
	     h = (struct nlmsghdr *)((char *)h + ((h->nlmsg_len + 3) & ~3))) {
		links += h->nlmsg_type == RTM_NEWLINK && h->nlmsg_seq == 7 &&
			 (h->nlmsg_flags & NLM_F_MULTI) &&
			 h->nlmsg_pid == (uint32_t)getpid();
		done |= h->nlmsg_type == NLMSG_DONE;
	}
	CHECK(links >= 1 && done);
	/* a request it does not serve: NLMSG_ERROR with -EOPNOTSUPP */
	req.h.nlmsg_type = RTM_GETROUTE;
	req.h.nlmsg_seq = 8;
	CHECK(send(s, &req, sizeof(req), 0) == sizeof(req));
	n = recv(s, buf, sizeof(buf), 0);
	h = (struct nlmsghdr *)buf;
	CHECK(n >= (int)sizeof(*h) + 4 && h->nlmsg_type == NLMSG_ERROR &&
	      h->nlmsg_seq == 8 && *(int *)(h + 1) == -EOPNOTSUPP);
	CHECK(recv(s, buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN);
	close(s);
}

static void test_getaddrinfo(void)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res, *r;
	int found = 0;

	CHECK(getaddrinfo("localhost", "80", &hints, &res) == 0);
	if (res) {
		struct sockaddr_in *a = (struct sockaddr_in *)res->ai_addr;
		CHECK(res->ai_family == AF_INET && a->sin_addr.s_addr == ip("127.0.0.1") &&
		      ntohs(a->sin_port) == 80);
		freeaddrinfo(res);
	}
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	CHECK(getaddrinfo("localhost", "80", &hints, &res) == 0);
	for (r = res; r; r = r->ai_next)
		found |= r->ai_family == AF_INET &&
			 sin_addr(r->ai_addr) == ip("127.0.0.1");
	CHECK(found);
	if (res)
		freeaddrinfo(res);
}

/* Multicast on eth0 (needs a device): IP_ADD_MEMBERSHIP, the looped
 * copy of our own datagram (IP_MULTICAST_LOOP, IP_MULTICAST_IF), its
 * IP_PKTINFO naming the group, and nothing after IP_DROP_MEMBERSHIP. */
static void test_multicast(void)
{
	int r = socket(AF_INET, SOCK_DGRAM, 0), t = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(5353) };
	struct ip_mreqn mr = { .imr_address.s_addr = ip("10.0.2.15") };
	struct in_addr ifa = { ip("10.0.2.15") }, got;
	socklen_t len = sizeof(got);
	struct timeval tv = { 1, 0 };
	union {
		char b[64];
		struct cmsghdr align;
	} ctl;
	char buf[8];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *c;
	int on = 1, group_seen = 0;

	mr.imr_multiaddr.s_addr = ip("239.255.0.1");
	CHECK(bind(r, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(setsockopt(r, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) == 0);
	CHECK(setsockopt(r, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	CHECK(setsockopt(r, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) == 0);
	mr.imr_multiaddr.s_addr = ip("10.0.0.1");
	CHECK(setsockopt(r, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) == -1 &&
	      errno == EINVAL);
	mr.imr_multiaddr.s_addr = ip("239.255.0.1");
	CHECK(setsockopt(t, IPPROTO_IP, IP_MULTICAST_IF, &ifa, sizeof(ifa)) == 0);
	CHECK(getsockopt(t, IPPROTO_IP, IP_MULTICAST_IF, &got, &len) == 0 &&
	      got.s_addr == ifa.s_addr);
	a.sin_addr.s_addr = ip("239.255.0.1");
	CHECK(sendto(t, "mc", 2, 0, (struct sockaddr *)&a, sizeof(a)) == 2);
	CHECK(recvmsg(r, &mh, 0) == 2 && !memcmp(buf, "mc", 2));
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			group_seen = pi.ipi_addr.s_addr == ip("239.255.0.1") &&
				     pi.ipi_ifindex == 2 &&
				     pi.ipi_spec_dst.s_addr == ip("10.0.2.15");
		}
	CHECK(group_seen);
	CHECK(setsockopt(r, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mr, sizeof(mr)) == 0);
	CHECK(sendto(t, "mc", 2, 0, (struct sockaddr *)&a, sizeof(a)) == 2);
	CHECK(recv(r, buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN);
	close(r);
	close(t);
}

int main(int argc, char **argv)
{
	int eth = argc > 1 && !strcmp(argv[1], "eth0");

	test_getifaddrs(eth);
	test_nameindex(eth);
	test_ioctls(eth);
	test_netlink();
	test_getaddrinfo();
	if (eth)
		test_multicast();
	return check_done();
}
