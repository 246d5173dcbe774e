/*
 * sock_util.c - small helpers the families share: control messages in
 * and out of a struct kmsg (Linux's put_cmsg and cmsg walk) and option
 * values read and answered as Linux's int options are.
 *
 * Layer: kernel net, pure C over kernel buffers (no program memory, no
 * waiting), so the host unit test compiles it with af_inet_udp.c.
 * Called by af_inet_udp.c, sockopt.c and any family with options or
 * control messages.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <uni/kernel.h>
#include <uni/socket.h>
#include "sock_priv.h"

int sock_put_cmsg(struct kmsg *m, int level, int type, const void *data,
		  size_t len)
{
	size_t room = m->controlcap - m->controllen, clen = CMSG_LEN(len);
	struct cmsghdr h = { .cmsg_level = level, .cmsg_type = type };
	char *p;

	if (!m->control || room < sizeof(h)) {
		m->flags |= MSG_CTRUNC;
		return 0;
	}
	p = (char *)m->control + m->controllen;
	if (room < clen) {
		m->flags |= MSG_CTRUNC;
		clen = room;
	}
	h.cmsg_len = clen;
	memcpy(p, &h, sizeof(h));
	memcpy(p + CMSG_LEN(0), data, clen - CMSG_LEN(0));
	m->controllen += MIN(CMSG_SPACE(len), room);
	return 0;
}

int sock_each_cmsg(const struct kmsg *m,
		   int (*fn)(void *ctx, int level, int type, const void *data,
			     size_t len),
		   void *ctx)
{
	size_t off = 0;
	int r;

	while (m->controllen - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr h;

		memcpy(&h, (char *)m->control + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > m->controllen - off)
			return -EINVAL;
		r = fn(ctx, h.cmsg_level, h.cmsg_type,
		       (char *)m->control + off + CMSG_LEN(0),
		       h.cmsg_len - CMSG_LEN(0));
		if (r)
			return r;
		off += CMSG_ALIGN(h.cmsg_len);
		if (off > m->controllen)
			break;
	}
	return 0;
}

int sock_opt_int(const void *kval, socklen_t len, int *out)
{
	if (len >= sizeof(int)) {
		memcpy(out, kval, sizeof(int));
		return 0;
	}
	if (len >= 1) {
		*out = *(const unsigned char *)kval;
		return 0;
	}
	return -EINVAL;
}

int sock_put_int(void *kval, socklen_t *len, int v)
{
	*len = MIN(*len, (socklen_t)sizeof(int));
	memcpy(kval, &v, *len);
	return 0;
}
