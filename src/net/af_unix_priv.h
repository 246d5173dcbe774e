/*
 * af_unix_priv.h - the state of a Unix-domain socket (af_unix.c only;
 * the host unit test test/unit/test_net_unix.c looks inside too).
 *
 * Lifetime: a struct unix_sock is referenced by its struct socket (until
 * release), by a listener's accept queue (an embryo not yet accepted has
 * no socket), by each peer pointer to it and by each message it sent that
 * still sits in a queue (m->from). It is freed at the last reference;
 * "dead" means its socket was released (or its listener died first).
 */
#ifndef UNI_NET_AF_UNIX_PRIV_H
#define UNI_NET_AF_UNIX_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

struct file;
struct socket;
struct vnode;

#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

enum { US_UNCONN, US_LISTEN, US_CONNECTED };

/* A queued message: a stream chunk (off..len unread, may grow up to cap
 * while it is the tail) or one datagram/record (off 0). The sender's
 * address (alen bytes, 0 if unnamed) follows the cap bytes of data. */
struct unix_msg {
	struct unix_msg *next;
	struct unix_sock *from;  /* referenced; its wmem counts len - off */
	struct file **files;     /* SCM_RIGHTS, referenced */
	int nfiles;
	uint32_t len, off, cap;
	socklen_t alen;
	char data[];
};

struct unix_sock {
	struct socket *sock;     /* NULL: an embryo, or released */
	int type;                /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	int refs;
	int state;               /* US_*; datagram sockets stay US_UNCONN
				    unless made by socketpair */
	int shut;                /* RCV_SHUTDOWN | SEND_SHUTDOWN */
	int dead;
	struct unix_sock *peer;  /* referenced: the other end / default
				    destination */
	struct unix_sock *waiting_on; /* blocked for room at this one */
	socklen_t alen;          /* 0: unnamed */
	/* A path of all 108 bytes gets its NUL past sun_path, and its
	 * length (111) says so, as on Linux: hence one more byte. */
	union {
		struct sockaddr_un addr;
		char addr_raw[sizeof(struct sockaddr_un) + 1];
	};
	struct vnode *vn;        /* the path node bound to, referenced */
	/* Receive queue: rq_len messages, rq_bytes unread bytes. */
	struct unix_msg *rq_head, *rq_tail;
	unsigned rq_len;
	size_t rq_bytes;
	size_t wmem;             /* bytes we sent that are still queued */
	/* Listener: embryos waiting for accept (nacc of them). */
	struct unix_sock *acc_head, *acc_tail, *acc_next;
	int backlog, nacc;
	struct unix_sock *next, *prev; /* all live sockets */
};

#endif
