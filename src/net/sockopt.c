/*
 * sockopt.c - setsockopt and getsockopt: the SOL_SOCKET options every
 * socket has, and the hand-off of other levels to the family.
 *
 * Layer: kernel net, syscall entry points over struct socket (uni/
 * socket.h). Values are copied into kernel memory first; SOL_SOCKET
 * options are kept in struct socket (families read them from there: the
 * UDP receive queue is bounded by s->rcvbuf) and then offered to the
 * family's setsockopt too, so a family can act on them. Buffer sizes
 * follow Linux: capped at rmem_max/wmem_max, doubled for the
 * bookkeeping overhead, never below the floors, and reported doubled.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include <uni/socket.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include <uni/uaccess.h>
#include "sock_priv.h"

#define OPT_MAX 256 /* the largest option value copied (Linux's are smaller) */

static int set_timeo(uint64_t *timeo, const void *kval, socklen_t len)
{
	struct timeval tv;

	if (len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, kval, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0) {
		*timeo = 1; /* Linux: a negative time means "at once" */
		return 0;
	}
	if ((uint64_t)tv.tv_sec >= (1ULL << 33)) { /* ~272 years: forever */
		*timeo = 0;
		return 0;
	}
	*timeo = (uint64_t)tv.tv_sec * NSEC_PER_SEC + (uint64_t)tv.tv_usec * 1000;
	return 0;
}

static int get_timeo(uint64_t timeo, void *kval, socklen_t *len)
{
	struct timeval tv = { 0, 0 };

	if (timeo) {
		/* round up to whole microseconds so 1 ns reads as non-zero */
		uint64_t us = (timeo + 999) / 1000;
		tv.tv_sec = (time_t)(us / 1000000);
		tv.tv_usec = (suseconds_t)(us % 1000000);
	}
	*len = MIN(*len, (socklen_t)sizeof(tv));
	memcpy(kval, &tv, *len);
	return 0;
}

/* The SOL_SOCKET options the layer keeps: 0, or -ENOPROTOOPT when it
 * does not know name (the family may). */
static int sol_socket_set(struct socket *s, int name, const void *kval,
			  socklen_t len)
{
	struct linger lg;
	int v, r;

	switch (name) {
	case SO_RCVTIMEO:
		return set_timeo(&s->rcvtimeo, kval, len);
	case SO_SNDTIMEO:
		return set_timeo(&s->sndtimeo, kval, len);
	case SO_LINGER:
		if (len < sizeof(lg))
			return -EINVAL;
		memcpy(&lg, kval, sizeof(lg));
		/* Kept for getsockopt; datagram sockets never linger, and
		 * TCP (the next issue) will read it. */
		sock_full(s)->linger = lg;
		sock_full(s)->linger.l_onoff = !!lg.l_onoff;
		return 0;
	}
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(&v, kval, sizeof(v));
	r = 0;
	switch (name) {
	case SO_REUSEADDR:
		s->reuseaddr = !!v;
		break;
	case SO_REUSEPORT:
		s->reuseport = !!v;
		break;
	case SO_BROADCAST:
		s->broadcast = !!v;
		break;
	case SO_KEEPALIVE:
		s->keepalive = !!v;
		break;
	case SO_PASSCRED:
		s->passcred = !!v;
		break;
	case SO_RCVBUF:
	case SO_RCVBUFFORCE: /* we are root: FORCE skips the cap */
		if (name == SO_RCVBUF)
			v = (int)MIN((unsigned)v, (unsigned)SOCK_RMEM_MAX);
		else if (v < 0)
			v = 0;
		s->rcvbuf = (int)MAX((long)v * 2 > INT_MAX ? INT_MAX : v * 2,
				     SOCK_MIN_RCVBUF);
		break;
	case SO_SNDBUF:
	case SO_SNDBUFFORCE:
		if (name == SO_SNDBUF)
			v = (int)MIN((unsigned)v, (unsigned)SOCK_WMEM_MAX);
		else if (v < 0)
			v = 0;
		s->sndbuf = (int)MAX((long)v * 2 > INT_MAX ? INT_MAX : v * 2,
				     SOCK_MIN_SNDBUF);
		break;
	case SO_RCVLOWAT:
		s->rcvlowat = v < 1 ? 1 : v; /* Linux: 0 means 1 */
		break;
	default:
		r = -ENOPROTOOPT;
	}
	return r;
}

static int sol_socket_get(struct socket *s, int name, void *kval,
			  socklen_t *len)
{
	int v;

	switch (name) {
	case SO_RCVTIMEO:
		return get_timeo(s->rcvtimeo, kval, len);
	case SO_SNDTIMEO:
		return get_timeo(s->sndtimeo, kval, len);
	case SO_LINGER:
		*len = MIN(*len, (socklen_t)sizeof(struct linger));
		memcpy(kval, &sock_full(s)->linger, *len);
		return 0;
	case SO_ERROR:
		v = s->error;
		s->error = 0;
		break;
	case SO_TYPE: v = s->type; break;
	case SO_DOMAIN: v = s->family; break;
	case SO_PROTOCOL: v = s->protocol; break;
	case SO_ACCEPTCONN: v = s->acceptconn; break;
	case SO_REUSEADDR: v = s->reuseaddr; break;
	case SO_REUSEPORT: v = s->reuseport; break;
	case SO_BROADCAST: v = s->broadcast; break;
	case SO_KEEPALIVE: v = s->keepalive; break;
	case SO_PASSCRED: v = s->passcred; break;
	case SO_RCVBUF: v = s->rcvbuf; break;
	case SO_SNDBUF: v = s->sndbuf; break;
	case SO_RCVLOWAT: v = s->rcvlowat; break;
	case SO_SNDLOWAT: v = 1; break; /* fixed at 1, as Linux */
	default:
		return -ENOPROTOOPT;
	}
	return sock_put_int(kval, len, v);
}

SYSCALL_DEFINE5(setsockopt, int, fd, int, level, int, name, const void *, uval,
		socklen_t, len)
{
	char k[OPT_MAX];
	struct file *f = fd_get(fd);
	struct socket *s = sock_from_file(f);
	socklen_t klen = MIN(len, (socklen_t)OPT_MAX);
	long r, fr;

	if (!f)
		return -EBADF;
	if (!s) {
		r = -ENOTSOCK;
		goto put;
	}
	if ((int)len < 0) {
		r = -EINVAL;
		goto put;
	}
	if (klen && copy_from_user(k, uval, klen)) {
		r = -EFAULT;
		goto put;
	}
	if (level == SOL_SOCKET) {
		r = sol_socket_set(s, name, k, klen);
		if (r && r != -ENOPROTOOPT)
			goto put;
		/* The family acts on it too (or knows options we do not). */
		fr = s->ops->setsockopt ? s->ops->setsockopt(s, level, name, k, klen)
					: -ENOPROTOOPT;
		if (r == -ENOPROTOOPT)
			r = fr;
		goto put;
	}
	r = s->ops->setsockopt ? s->ops->setsockopt(s, level, name, k, klen)
			       : -ENOPROTOOPT;
put:
	file_put(f);
	return r;
}

SYSCALL_DEFINE5(getsockopt, int, fd, int, level, int, name, void *, uval,
		socklen_t *, ulen)
{
	char k[OPT_MAX];
	struct file *f = fd_get(fd);
	struct socket *s = sock_from_file(f);
	socklen_t len;
	long r;

	if (!f)
		return -EBADF;
	if (!s) {
		r = -ENOTSOCK;
		goto put;
	}
	if (copy_from_user(&len, ulen, sizeof(len))) {
		r = -EFAULT;
		goto put;
	}
	if ((int)len < 0) {
		r = -EINVAL;
		goto put;
	}
	len = MIN(len, (socklen_t)OPT_MAX);
	memset(k, 0, sizeof(k));
	r = -ENOPROTOOPT;
	if (level == SOL_SOCKET)
		r = sol_socket_get(s, name, k, &len);
	if (r == -ENOPROTOOPT && s->ops->getsockopt)
		r = s->ops->getsockopt(s, level, name, k, &len);
	if (!r && (copy_to_user(uval, k, len) ||
		   copy_to_user(ulen, &len, sizeof(len))))
		r = -EFAULT;
put:
	file_put(f);
	return r;
}
