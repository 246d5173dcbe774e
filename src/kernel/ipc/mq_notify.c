/*
 * mq_notify.c - mq_notify: one registration per queue, fired when a
 * message arrives on an empty queue that no receiver is waiting on.
 *
 * Layer: kernel ipc, beside mqueue.c, which calls mq_notify_arrived from
 * its send path and mq_notify_remove when a queue file closes (weak
 * references: only programs that call mq_notify link this file and the
 * signal code it sends through). As on Linux, a queue takes one
 * registration at a time (EBUSY while one is active, even for the process
 * that holds it); mq_notify(NULL) removes it; firing removes it.
 *
 * SIGEV_SIGNAL sends the signal with si_code SI_MESGQ, the sender's pid
 * and sigev_value; SIGEV_NONE only consumes the registration.
 * SIGEV_THREAD follows the protocol musl's mq_notify speaks with Linux:
 * musl opens an AF_NETLINK socket, starts a thread blocked reading it and
 * registers with sigev_signo = the socket and sigev_value pointing at a
 * 32-byte cookie; the kernel keeps the socket and the cookie, and later
 * sends the cookie back as one datagram whose last byte says why:
 * NOTIFY_WOKENUP (a message came: musl's thread calls the function) or
 * NOTIFY_REMOVED (the registration ended: the thread just exits). That
 * needs netlink_kernel_send from the netlink family; without it
 * SIGEV_THREAD fails with EOPNOTSUPP (musl then cancels its thread).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include <uni/proc.h>
#include <uni/signal.h>
#include <uni/syscall.h>
#include <uni/uaccess.h>
#include "priv.h"

#ifndef SI_MESGQ
#define SI_MESGQ (-3)
#endif
#define MQ_SIG_MAX 64 /* _NSIG - 1 */
/* The cookie's last byte (Linux's include/uapi/linux/mqueue.h). */
#define NOTIFY_WOKENUP 1
#define NOTIFY_REMOVED 2

/* SIGEV_THREAD: send the cookie marked `why` and let the socket go. A
 * socket whose buffer is full loses the notification, as on Linux. */
static void thread_post(struct mq_notify_reg *r, uint8_t why)
{
	r->cookie[MQ_COOKIE_LEN - 1] = why;
	netlink_kernel_send(r->sock, r->cookie, MQ_COOKIE_LEN);
	file_put(r->sock);
	r->sock = NULL;
}

void mq_notify_arrived(struct mqueue *q)
{
	struct mq_notify_reg *r = &q->notify;
	struct sig_info info = { .code = SI_MESGQ, .pid = UNI_PID,
				 .value = r->value };

	r->active = 0;
	if (r->how == SIGEV_SIGNAL && r->signo)
		sig_send(NULL, r->signo, &info);
	else if (r->how == SIGEV_THREAD)
		thread_post(r, NOTIFY_WOKENUP);
}

void mq_notify_remove(struct mqueue *q)
{
	struct mq_notify_reg *r = &q->notify;

	r->active = 0;
	if (r->how == SIGEV_THREAD)
		thread_post(r, NOTIFY_REMOVED);
}

/* SIGEV_THREAD's socket and cookie: 0 with a referenced socket in *out,
 * or -EOPNOTSUPP, -EFAULT, -EBADF, -ENOTSOCK, -EINVAL (not netlink). */
static long thread_attach(const struct sigevent *sev,
			  uint8_t cookie[MQ_COOKIE_LEN], struct file **out)
{
	struct file *s;
	long r;

	if (!netlink_kernel_send)
		return -EOPNOTSUPP;
	if (copy_from_user(cookie, sev->sigev_value.sival_ptr, MQ_COOKIE_LEN))
		return -EFAULT;
	s = fd_get(sev->sigev_signo);
	if (!s)
		return -EBADF;
	r = netlink_kernel_send(s, NULL, 0);
	if (r) {
		file_put(s);
		return r;
	}
	*out = s;
	return 0;
}

static long do_mq_notify(int fd, const struct sigevent *usev)
{
	uint8_t cookie[MQ_COOKIE_LEN];
	struct file *sock = NULL;
	struct sigevent sev;
	struct mq_notify_reg *reg;
	struct file *f;
	long r = 0;

	if (usev) {
		if (copy_from_user(&sev, usev, sizeof(sev)))
			return -EFAULT;
		switch (sev.sigev_notify) {
		case SIGEV_NONE:
			break;
		case SIGEV_SIGNAL:
			if ((unsigned)sev.sigev_signo > MQ_SIG_MAX)
				return -EINVAL;
			break;
		case SIGEV_THREAD:
			r = thread_attach(&sev, cookie, &sock);
			if (r)
				return r;
			break;
		default:
			return -EINVAL;
		}
	}
	f = mq_fd_get(fd);
	if (!f) {
		r = -EBADF;
		goto out;
	}
	reg = &((struct mqueue *)f->priv)->notify;
	if (!usev) {
		if (reg->active)
			mq_notify_remove(f->priv);
	} else if (reg->active) {
		r = -EBUSY;
	} else {
		reg->how = sev.sigev_notify;
		reg->signo = sev.sigev_notify == SIGEV_SIGNAL ?
				     sev.sigev_signo : 0;
		reg->value = (uint64_t)(uintptr_t)sev.sigev_value.sival_ptr;
		if (sock) {
			memcpy(reg->cookie, cookie, MQ_COOKIE_LEN);
			reg->sock = sock; /* the reference goes with it */
			sock = NULL;
		}
		reg->active = 1;
	}
	file_put(f);
out:
	if (sock)
		file_put(sock);
	return r;
}

SYSCALL_DEFINE2(mq_notify, int, fd, const struct sigevent *, usev)
{
	return do_mq_notify(fd, usev);
}
