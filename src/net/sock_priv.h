/*
 * net/sock_priv.h - internals the socket layer (socket.c, sys_socket.c,
 * sockopt.c, sock_util.c) shares with its families (af_inet_udp.c, af_netlink.c) and
 * the interface ioctls (ifreq.c). Not for other subsystems.
 */
#ifndef UNI_NET_SOCK_PRIV_H
#define UNI_NET_SOCK_PRIV_H

#include <stddef.h>
#include <sys/socket.h>
#include <uni/socket.h>

#define SOCK_HIDDEN __attribute__((visibility("hidden")))

/* Linux's defaults (net.core.rmem_default/wmem_default = rmem_max/
 * wmem_max = 212992) and floors (SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF:
 * 2048 + the aligned size of an sk_buff, and twice that). */
#define SOCK_RMEM_MAX 212992
#define SOCK_WMEM_MAX 212992
#define SOCK_MIN_RCVBUF 2304
#define SOCK_MIN_SNDBUF 4608

/* What the layer keeps beside struct socket (sock_alloc allocates
 * this; s is its first member). */
struct sock_full {
	struct socket s;
	uint64_t ino;          /* st_ino for fstat */
	struct linger linger;  /* SO_LINGER, stored for TCP */
};
static inline struct sock_full *sock_full(struct socket *s)
{
	return (struct sock_full *)s;
}

/* The largest sockaddr a program may pass, as Linux's sockaddr_storage. */
#define SOCK_ADDR_MAX 128

/* sock_util.c: append one control message to m->control: 0, or sets MSG_CTRUNC in
 * m->flags when it does not fit (whole or part, as Linux's put_cmsg). */
int sock_put_cmsg(struct kmsg *m, int level, int type, const void *data,
		  size_t len) SOCK_HIDDEN;

/* Walk the control messages of a sendmsg: for each, fn(ctx, level, type,
 * data, len); -EINVAL for a malformed buffer, else fn's first error. */
int sock_each_cmsg(const struct kmsg *m,
		   int (*fn)(void *ctx, int level, int type, const void *data,
			     size_t len),
		   void *ctx) SOCK_HIDDEN;

/* An int option value as Linux reads it: an int for len >= 4, else one
 * byte for len >= 1 (the IP options), else -EINVAL. */
int sock_opt_int(const void *kval, socklen_t len, int *out) SOCK_HIDDEN;
/* Answer an int option: writes min(len, 4) bytes; *len updated. */
int sock_put_int(void *kval, socklen_t *len, int v) SOCK_HIDDEN;

/* A socket of (family, type, protocol) without a file yet (socket.c):
 * -EAFNOSUPPORT for an unknown family, else the family's create answer.
 * sock_file_for gives it its file, releasing the socket on failure. */
int sock_create(int family, int type, int protocol, struct socket **out)
	SOCK_HIDDEN;
int sock_file_for(struct socket *s, unsigned flags, struct file **out)
	SOCK_HIDDEN;
/* SIGPIPE for -EPIPE from a stream socket without MSG_NOSIGNAL. */
void sock_sigpipe(struct socket *s, long r, int flags) SOCK_HIDDEN;

/* af_inet_tcp.c: make s an AF_INET SOCK_STREAM socket (inet_create's
 * SOCK_STREAM case): 0 or -ENOMEM. */
int inet_tcp_create(struct socket *s) SOCK_HIDDEN;

/* SIOCGIF* and SIOCGIFCONF (ifreq.c): -ENOTTY when req is not one. */
long ifreq_ioctl(unsigned long req, void *uarg) SOCK_HIDDEN;

#endif
