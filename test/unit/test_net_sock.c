/* test_net_sock.c - host unit test of the socket layer's netlink family
 * (src/net/af_netlink.c) over a fake interface list: the RTM_GETLINK and
 * RTM_GETADDR dumps parsed exactly as musl's getifaddrs/if_nameindex
 * parse them (src/network/getifaddrs.c: NLMSG_OK only checks that a
 * header fits, attributes are walked to the message's end), single-link
 * requests, error answers, nl_pid binding, MSG_PEEK/MSG_TRUNC, and a
 * bounded fuzz of malformed requests (under ASan/UBSan: no crash, no
 * leak, every reply well formed). */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <uni/net.h>
#include <uni/socket.h>
#include "unit.h"
#include "../../src/net/nl_prot.h"

/* ---- fakes of the kernel around the family ------------------------------ */

static struct netif lo = { .name = "lo", .index = 1,
	.flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING, .mtu = 65536 };
static struct netif eth = { .name = "eth0", .index = 2,
	.flags = IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST,
	.mac = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 }, .mtu = 1500 };
static int net_inits, wakes;

void net_init(void) { net_inits++; }
struct netif *netif_first(void) { return &lo; }
struct netif *netif_by_index(int i)
{
	return i == 1 ? &lo : i == 2 ? &eth : NULL;
}
struct netif *netif_by_name(const char *n)
{
	return !strcmp(n, "lo") ? &lo : !strcmp(n, "eth0") ? &eth : NULL;
}
void waitq_wake(struct waitq *q, uint32_t ev) { wakes++; }
int sock_wait(struct socket *s, uint32_t mask, int for_send, int flags)
{
	return -EAGAIN; /* a test never blocks */
}

/* The socket layer's: here a "socket file" is any file whose ops are
 * sock_fops_fake, its priv the socket. */
static const struct file_ops sock_fops_fake;
struct socket *sock_from_file(struct file *f)
{
	return f && f->ops == &sock_fops_fake ? f->priv : NULL;
}

static struct socket *new_sock(int type, int proto, int *err)
{
	struct socket *s = calloc(1, sizeof(*s));

	s->family = AF_NETLINK;
	s->type = type;
	s->rcvbuf = s->sndbuf = 212992;
	*err = netlink_family.create(s, type, proto, 0);
	if (*err) {
		free(s);
		return NULL;
	}
	return s;
}

static void free_sock(struct socket *s)
{
	s->ops->release(s);
	free(s);
}

static long xfer(struct socket *s, void *buf, size_t len, int flags, int send,
		 int *mflags)
{
	struct iovec one;
	struct iov_iter it;
	struct kmsg m = { .it = &it };
	long r;

	iter_init1(&it, &one, buf, len, 1);
	r = send ? s->ops->sendmsg(s, &m, flags) : s->ops->recvmsg(s, &m, flags);
	if (mflags)
		*mflags = m.flags;
	return r;
}

static long dump(struct socket *s, uint16_t type, uint16_t flags, int family,
		 uint32_t seq)
{
	struct {
		struct nlmsghdr h;
		struct rtgenmsg { unsigned char f; } g;
	} req;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = flags;
	req.h.nlmsg_seq = seq;
	req.g.f = (unsigned char)family;
	return xfer(s, &req, sizeof(req), 0, 1, NULL);
}

/* ---- musl's reading of the replies ------------------------------------- */

#define M_NLMSG_NEXT(h) \
	((struct nlmsghdr *)((char *)(h) + NLMSG_ALIGN((h)->nlmsg_len)))
#define M_NLMSG_OK(h, end) ((char *)(end) - (char *)(h) >= (long)sizeof(struct nlmsghdr))
#define M_RTA_NEXT(r) ((struct rtattr *)((char *)(r) + RTA_ALIGN((r)->rta_len)))
#define M_RTA_OK(r, end) ((char *)(end) - (char *)(r) >= (long)sizeof(struct rtattr))

struct seen {
	int links, addrs, done, errors, last_error;
	char names[4][16];
	int idx[4];
	unsigned flags[4];
	uint8_t mac[4][6];
	int stats[4];
	uint32_t addr[4], brd[4];
	int prefix[4], has_local[4], has_brd[4];
	char label[4][16];
};

/* Receive everything queued and walk it as musl does; returns the bytes. */
static int read_all(struct socket *s, struct seen *sn, uint32_t seq)
{
	static char buf[8192];
	long r, total = 0;

	memset(sn, 0, sizeof(*sn));
	while ((r = xfer(s, buf, sizeof(buf), MSG_DONTWAIT, 0, NULL)) > 0) {
		struct nlmsghdr *h;

		total += r;
		for (h = (void *)buf; M_NLMSG_OK(h, buf + r); h = M_NLMSG_NEXT(h)) {
			char *end = (char *)h + h->nlmsg_len;
			struct rtattr *a;

			CHECK(h->nlmsg_len >= sizeof(*h) && end <= buf + r);
			CHECK(h->nlmsg_seq == seq);
			if (h->nlmsg_type == NLMSG_DONE) {
				sn->done++;
				continue;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				sn->errors++;
				sn->last_error = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
				continue;
			}
			if (h->nlmsg_type == RTM_NEWLINK && sn->links < 4) {
				struct ifinfomsg *ifi = NLMSG_DATA(h);
				int k = sn->links++;
				sn->idx[k] = ifi->ifi_index;
				sn->flags[k] = ifi->ifi_flags;
				for (a = (void *)((char *)ifi + NLMSG_ALIGN(sizeof(*ifi)));
				     M_RTA_OK(a, end); a = M_RTA_NEXT(a)) {
					CHECK(a->rta_len >= sizeof(*a));
					if (a->rta_type == IFLA_IFNAME)
						memcpy(sn->names[k], RTA_DATA(a),
						       a->rta_len - 4 < 16 ? a->rta_len - 4 : 15);
					if (a->rta_type == IFLA_ADDRESS && a->rta_len == 10)
						memcpy(sn->mac[k], RTA_DATA(a), 6);
					if (a->rta_type == IFLA_STATS)
						sn->stats[k] = a->rta_len - 4;
				}
			}
			if (h->nlmsg_type == RTM_NEWADDR && sn->addrs < 4) {
				struct ifaddrmsg *ifa = NLMSG_DATA(h);
				int k = sn->addrs++;
				sn->prefix[k] = ifa->ifa_prefixlen;
				CHECK(ifa->ifa_family == AF_INET);
				for (a = (void *)((char *)ifa + NLMSG_ALIGN(sizeof(*ifa)));
				     M_RTA_OK(a, end); a = M_RTA_NEXT(a)) {
					if (a->rta_type == IFA_ADDRESS)
						memcpy(&sn->addr[k], RTA_DATA(a), 4);
					if (a->rta_type == IFA_LOCAL)
						sn->has_local[k] = 1;
					if (a->rta_type == IFA_BROADCAST) {
						sn->has_brd[k] = 1;
						memcpy(&sn->brd[k], RTA_DATA(a), 4);
					}
					if (a->rta_type == IFA_LABEL)
						memcpy(sn->label[k], RTA_DATA(a),
						       a->rta_len - 4 < 16 ? a->rta_len - 4 : 15);
				}
			}
		}
	}
	CHECK(r == -EAGAIN);
	return (int)total;
}

static void test_dumps(void)
{
	struct seen sn;
	int err;
	struct socket *s = new_sock(SOCK_RAW, NETLINK_ROUTE, &err);

	CHECK(s && net_inits == 1);
	CHECK(dump(s, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC, 1) == 20);
	read_all(s, &sn, 1);
	CHECK(sn.links == 2 && sn.done == 1 && sn.errors == 0);
	CHECK(!strcmp(sn.names[0], "lo") && sn.idx[0] == 1 &&
	      (sn.flags[0] & IFF_LOOPBACK) && (sn.flags[0] & 0x10000));
	CHECK(!strcmp(sn.names[1], "eth0") && sn.idx[1] == 2 &&
	      !memcmp(sn.mac[1], eth.mac, 6) && sn.stats[1] == 96);

	CHECK(dump(s, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC, 2) == 20);
	read_all(s, &sn, 2);
	CHECK(sn.addrs == 2 && sn.done == 1);
	CHECK(sn.addr[0] == lo.addr && sn.prefix[0] == 8 && sn.has_local[0] &&
	      !sn.has_brd[0] && !strcmp(sn.label[0], "lo"));
	CHECK(sn.addr[1] == eth.addr && sn.prefix[1] == 24 && sn.has_brd[1] &&
	      sn.brd[1] == (eth.addr | ~eth.netmask) && !strcmp(sn.label[1], "eth0"));
	/* IPv6 only: nothing but the end */
	CHECK(dump(s, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, AF_INET6, 3) == 20);
	read_all(s, &sn, 3);
	CHECK(sn.addrs == 0 && sn.done == 1);
	/* an interface without an address has no RTM_NEWADDR */
	eth.addr = 0;
	dump(s, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC, 4);
	read_all(s, &sn, 4);
	CHECK(sn.addrs == 1 && sn.done == 1);
	eth.addr = htonl(0x0a00020f);
	/* unsupported requests get NLMSG_ERROR -EOPNOTSUPP */
	dump(s, 26 /* RTM_GETROUTE */, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC, 5);
	read_all(s, &sn, 5);
	CHECK(sn.errors == 1 && sn.last_error == -EOPNOTSUPP && sn.done == 0);
	/* not a request: ignored, as Linux */
	dump(s, RTM_GETLINK, NLM_F_DUMP, AF_UNSPEC, 6);
	CHECK(read_all(s, &sn, 6) == 0);
	free_sock(s);
}

static void test_single_link(void)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
		struct rtattr a;
		char name[8];
	} req;
	struct seen sn;
	int err;
	struct socket *s = new_sock(SOCK_DGRAM, NETLINK_ROUTE, &err);

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.i));
	req.h.nlmsg_type = RTM_GETLINK;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.h.nlmsg_seq = 9;
	req.i.ifi_index = 2;
	xfer(s, &req, req.h.nlmsg_len, 0, 1, NULL);
	read_all(s, &sn, 9);
	CHECK(sn.links == 1 && sn.idx[0] == 2 && sn.errors == 1 && sn.last_error == 0);
	req.i.ifi_index = 0;
	req.a.rta_type = IFLA_IFNAME;
	req.a.rta_len = RTA_LENGTH(3);
	memcpy(req.name, "lo", 3);
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_flags = NLM_F_REQUEST;
	xfer(s, &req, req.h.nlmsg_len, 0, 1, NULL);
	read_all(s, &sn, 9);
	CHECK(sn.links == 1 && sn.idx[0] == 1 && sn.errors == 0);
	memcpy(req.name, "xx", 3);
	xfer(s, &req, req.h.nlmsg_len, 0, 1, NULL);
	read_all(s, &sn, 9);
	CHECK(sn.links == 0 && sn.errors == 1 && sn.last_error == -ENODEV);
	free_sock(s);
}

static void test_socket_rules(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK }, got;
	socklen_t len = sizeof(got);
	char small[8];
	int err, fl;
	struct socket *a, *b;

	CHECK(!new_sock(SOCK_STREAM, NETLINK_ROUTE, &err) && err == -ESOCKTNOSUPPORT);
	CHECK(!new_sock(SOCK_RAW, 16, &err) && err == -EPROTONOSUPPORT);
	a = new_sock(SOCK_RAW, NETLINK_ROUTE, &err);
	b = new_sock(SOCK_RAW, NETLINK_ROUTE, &err);
	/* getsockname before any bind: pid 0; then autobind */
	CHECK(a->ops->getname(a, (struct sockaddr *)&got, &len, 0) == 0 &&
	      len == sizeof(got) && got.nl_pid == 0);
	CHECK(a->ops->bind(a, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	len = sizeof(got);
	a->ops->getname(a, (struct sockaddr *)&got, &len, 0);
	CHECK(got.nl_pid == 1);
	sa.nl_pid = 1;
	CHECK(b->ops->bind(b, (struct sockaddr *)&sa, sizeof(sa)) == -EADDRINUSE);
	sa.nl_pid = 0;
	CHECK(b->ops->bind(b, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	len = sizeof(got);
	b->ops->getname(b, (struct sockaddr *)&got, &len, 0);
	CHECK(got.nl_pid != 0 && got.nl_pid != 1);
	CHECK(b->ops->bind(b, (struct sockaddr *)&sa, 4) == -EINVAL);
	sa.nl_pid = 5;
	CHECK(b->ops->connect(b, (struct sockaddr *)&sa, sizeof(sa), 0) == -EOPNOTSUPP);
	/* peek with a short buffer: MSG_TRUNC and the real size */
	dump(a, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC, 1);
	CHECK(a->ops->pending(a) > 8);
	CHECK(xfer(a, small, sizeof(small), MSG_PEEK | MSG_TRUNC, 0, &fl) ==
	      a->ops->pending(a) && (fl & MSG_TRUNC));
	CHECK(xfer(a, small, sizeof(small), 0, 0, &fl) == 8 && (fl & MSG_TRUNC));
	CHECK(a->ops->pending(a) == 0);
	CHECK(a->ops->poll(a, NULL) == (POLLOUT | POLLWRNORM));
	/* too big a request */
	{
		static char big[40000];
		CHECK(xfer(a, big, sizeof(big), 0, 1, NULL) == -EMSGSIZE);
	}
	/* a queue at SO_RCVBUF: the dump fails with ENOBUFS, no leak */
	b->rcvbuf = 4096;
	CHECK(dump(b, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC, 1) == 20);
	CHECK(dump(b, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC, 1) == -ENOBUFS);
	free_sock(a);
	free_sock(b);
}

/* Random requests: well-formed headers with random types/flags/lengths
 * and random bodies, and raw random bytes. */
static void test_fuzz(void)
{
	static unsigned char buf[4096], out[8192];
	unsigned seed = 12345;
	int err;
	struct socket *s = new_sock(SOCK_RAW, NETLINK_ROUTE, &err);

	for (int iter = 0; iter < 20000; iter++) {
		size_t len = (size_t)(rand_r(&seed) % 200);
		long r;

		for (size_t i = 0; i < len; i++)
			buf[i] = (unsigned char)rand_r(&seed);
		if (iter & 1 && len >= sizeof(struct nlmsghdr)) {
			struct nlmsghdr *h = (void *)buf;
			h->nlmsg_len = (uint32_t)(rand_r(&seed) % (len + 8));
			h->nlmsg_type = (uint16_t)(16 + rand_r(&seed) % 12);
			h->nlmsg_flags |= NLM_F_REQUEST;
		}
		xfer(s, buf, len, 0, 1, NULL);
		while ((r = xfer(s, out, sizeof(out), 0, 0, NULL)) > 0) {
			struct nlmsghdr *h;
			for (h = (void *)out; M_NLMSG_OK(h, out + r); h = M_NLMSG_NEXT(h))
				if (h->nlmsg_len < sizeof(*h) ||
				    (char *)h + h->nlmsg_len > (char *)out + r) {
					CHECK(!"malformed reply");
					break;
				}
		}
	}
	free_sock(s);
	CHECK(1);
}

/* netlink_kernel_send: a datagram from the kernel outside any request
 * (mq_notify's SIGEV_THREAD cookie) is read whole; other files refused. */
static void test_kernel_send(void)
{
	int err;
	struct socket *s = new_sock(SOCK_RAW, NETLINK_ROUTE, &err);
	struct socket other = { .family = AF_UNIX };
	struct file f = { .ops = &sock_fops_fake, .priv = s };
	struct file fo = { .ops = &sock_fops_fake, .priv = &other };
	struct file plain = { 0 };
	unsigned char cookie[32], got[64];
	int mflags = 0;

	for (unsigned i = 0; i < sizeof(cookie); i++)
		cookie[i] = (unsigned char)(i * 7 + 1);
	CHECK(netlink_kernel_send(&plain, cookie, sizeof(cookie)) == -ENOTSOCK);
	CHECK(netlink_kernel_send(NULL, cookie, sizeof(cookie)) == -ENOTSOCK);
	CHECK(netlink_kernel_send(&fo, cookie, sizeof(cookie)) == -EINVAL);
	CHECK(netlink_kernel_send(&f, NULL, 0) == 0);
	CHECK(xfer(s, got, sizeof(got), 0, 0, NULL) == -EAGAIN);
	CHECK(netlink_kernel_send(&f, cookie, sizeof(cookie)) == 0);
	CHECK(xfer(s, got, sizeof(got), 0, 0, &mflags) == sizeof(cookie) &&
	      !memcmp(got, cookie, sizeof(cookie)));
	CHECK(xfer(s, got, sizeof(got), 0, 0, NULL) == -EAGAIN);
	free_sock(s);
}

int main(void)
{
	lo.addr = htonl(0x7f000001);
	lo.netmask = htonl(0xff000000);
	eth.addr = htonl(0x0a00020f);
	eth.netmask = htonl(0xffffff00);
	lo.next = &eth;
	test_dumps();
	test_single_link();
	test_socket_rules();
	test_fuzz();
	test_kernel_send();
	printf("test_net_sock: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
