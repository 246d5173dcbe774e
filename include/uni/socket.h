/*
 * uni/socket.h - the socket layer: one struct socket per socket file,
 * with per-family operations.
 *
 * Layer: kernel net (src/net/socket.c: the socket syscalls and the file
 * type; families: src/net/af_inet_udp.c (AF_INET SOCK_DGRAM over
 * uni/net.h's UDP), src/net/af_unix.c, src/net/af_netlink.c; TCP comes
 * with the next issue). A socket is a file (uni/file.h) whose priv is the
 * struct socket; readiness goes through sock->wq like every file type.
 * Buffers are described by an iov_iter (program or kernel memory).
 * Blocking calls honour O_NONBLOCK/MSG_DONTWAIT (-EAGAIN), SO_RCVTIMEO/
 * SO_SNDTIMEO (-EAGAIN after the time) and signals (-ERESTARTSYS or
 * -EINTR as Linux picks).
 */
#ifndef UNI_SOCKET_H
#define UNI_SOCKET_H

#include <stdint.h>
#include <sys/socket.h>
#include <uni/file.h>
#include <uni/wait.h>

struct socket;

/* A message in kernel form: the data iterator plus the address and
 * control buffers, which the syscall layer copies in and out. */
struct kmsg {
	struct iov_iter *it;
	void *name;            /* kernel buffer of namecap bytes */
	socklen_t namecap, namelen;
	void *control;         /* kernel buffer of controlcap bytes */
	size_t controlcap, controllen;
	int flags;             /* msg_flags out: MSG_TRUNC, MSG_CTRUNC */
};

struct sock_ops {
	int (*bind)(struct socket *s, const struct sockaddr *a, socklen_t len);
	int (*connect)(struct socket *s, const struct sockaddr *a,
		       socklen_t len, int flags);
	int (*listen)(struct socket *s, int backlog);
	/* A new connected socket (its file made by the caller). */
	int (*accept)(struct socket *s, struct socket **out, int flags);
	long (*sendmsg)(struct socket *s, struct kmsg *m, int flags);
	long (*recvmsg)(struct socket *s, struct kmsg *m, int flags);
	int (*shutdown)(struct socket *s, int how);
	/* Own (peer 0) or peer (peer 1) address into a/len (len in/out). */
	int (*getname)(struct socket *s, struct sockaddr *a, socklen_t *len,
		       int peer);
	/* Family-level options (SOL_IP, SOL_UDP, ...); SOL_SOCKET ones the
	 * layer handles itself, then calls these with level SOL_SOCKET so a
	 * family may act on them too (return -ENOPROTOOPT if unknown). */
	int (*setsockopt)(struct socket *s, int level, int name,
			  const void *kval, socklen_t len);
	int (*getsockopt)(struct socket *s, int level, int name, void *kval,
			  socklen_t *len);
	uint32_t (*poll)(struct socket *s, struct poll_table *pt);
	long (*ioctl)(struct socket *s, unsigned long req, void *uarg);
	/* FIONREAD's answer (bytes of the next datagram / queued stream) */
	int (*pending)(struct socket *s);
	void (*release)(struct socket *s);
	/* socketpair(2): connect two new sockets of this family (a and b
	 * made by the same create) to each other. NULL: -EOPNOTSUPP.
	 * (Appended by the socket layer: socketpair needs a family hook.) */
	int (*socketpair)(struct socket *a, struct socket *b);
};

struct socket {
	const struct sock_ops *ops;
	struct file *file;     /* the socket file (not referenced) */
	int family, type, protocol;
	struct waitq wq;       /* readiness, for poll/select/epoll */
	int error;             /* SO_ERROR, cleared when read */
	unsigned reuseaddr : 1, reuseport : 1, broadcast : 1, keepalive : 1,
		passcred : 1, acceptconn : 1;
	int rcvbuf, sndbuf;    /* as Linux reports them (doubled) */
	uint64_t rcvtimeo, sndtimeo; /* ns, 0 = none */
	int rcvlowat;
	void *priv;            /* the family's state */
};

/* A family: create fills s->ops and s->priv for (type, protocol), or
 * returns -EPROTONOSUPPORT / -ESOCKTNOSUPPORT / -EAFNOSUPPORT. */
struct sock_family {
	int family;
	int (*create)(struct socket *s, int type, int protocol, int kern);
};

/* The families, defined by their files and named by socket.c's table:
 * a program that calls socket() or socketpair() links them all (and the
 * drivers, through net_init); one that never does links none of it. */
extern const struct sock_family inet_family, unix_family, netlink_family;

/* For families: allocate a socket file (fd not installed) around s. */
struct socket *sock_alloc(void);
int sock_make_file(struct socket *s, unsigned flags, struct file **out);
/* Wait on s->wq for mask until the socket's timeout (rcv or snd) passes:
 * 0, -EAGAIN (timed out or O_NONBLOCK/MSG_DONTWAIT), -ERESTARTSYS. */
int sock_wait(struct socket *s, uint32_t mask, int for_send, int flags);
/* The socket behind a file, or NULL if f is not a socket. */
struct socket *sock_from_file(struct file *f);

/* af_netlink.c: queue one datagram of len bytes from the kernel on the
 * netlink socket behind f (mq_notify's SIGEV_THREAD cookie, called by
 * src/kernel/ipc/mq_notify.c); len 0 only checks f. 0, -ENOTSOCK,
 * -EINVAL (another family), -ENOBUFS, -ENOMEM. */
int netlink_kernel_send(struct file *f, const void *data, size_t len);

#endif
