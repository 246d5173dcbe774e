/*
 * signalfd.c - signalfd and signalfd4: pending signals read as records.
 *
 * Layer: kernel fs, a file type (uni/file.h) over the signal layer
 * (src/kernel/signal: the pending sets and sig_dequeue, the same dequeue
 * rt_sigtimedwait uses). A read takes the reading thread's pending signals
 * in the file's mask (its own, then the process's), lowest first, as
 * struct signalfd_siginfo records; poll reports POLLIN while one is
 * pending for the polling thread. sig_send() calls signalfd_notify()
 * (a weak hook) whenever a signal becomes pending, which wakes the files
 * whose mask holds it. The program normally blocks those signals, or
 * they are delivered as usual as well.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <uni/file.h>
#include <uni/kmalloc.h>
#include <uni/sched.h>
#include <uni/syscall.h>
#include <uni/uaccess.h>
#include "../sched/priv.h"
#include "../signal/priv.h"
#include "wait_priv.h"

struct sfd {
	uint64_t mask;          /* never SIGKILL or SIGSTOP */
	struct waitq q;
	struct sfd *next, **pprev; /* every signalfd, for signalfd_notify */
};

static struct sfd *sfds;

void signalfd_notify(int sig)
{
	for (struct sfd *s = sfds; s; s = s->next)
		if (s->mask & SIG_BIT(sig))
			waitq_wake(&s->q, POLLIN | POLLRDNORM);
}

static void fill(struct signalfd_siginfo *ss, const siginfo_t *si)
{
	memset(ss, 0, sizeof(*ss));
	ss->ssi_signo = (uint32_t)si->si_signo;
	ss->ssi_code = si->si_code;
	if (si->si_code == SI_TIMER) {
		ss->ssi_tid = (uint32_t)si->si_timerid;
		ss->ssi_overrun = (uint32_t)si->si_overrun;
	} else {
		ss->ssi_pid = (uint32_t)si->si_pid;
		ss->ssi_uid = si->si_uid;
	}
	ss->ssi_ptr = (uint64_t)(uintptr_t)si->si_value.sival_ptr;
	ss->ssi_int = si->si_value.sival_int;
}

static long sfd_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct sfd *s = f->priv;
	struct thread *t = sched_current();
	long n = 0;

	if (it->count < sizeof(struct signalfd_siginfo))
		return -EINVAL;
	while (it->count >= sizeof(struct signalfd_siginfo)) {
		struct signalfd_siginfo ss;
		siginfo_t si;

		if (!sig_dequeue(t, s->mask, &si)) {
			if (n)
				break;
			if (f->flags & O_NONBLOCK)
				return -EAGAIN;
			if (waitq_block(&s->q, POLLIN, 0))
				return -ERESTARTSYS;
			continue;
		}
		fill(&ss, &si);
		if (iter_copy_to(it, &ss, sizeof(ss)) != sizeof(ss))
			return n ? n : -EFAULT; /* as Linux, the signal is lost */
		n += sizeof(ss);
	}
	return n;
}

static uint32_t sfd_poll(struct file *f, struct poll_table *pt)
{
	struct sfd *s = f->priv;
	struct thread *t = sched_current();

	poll_wait(f, &s->q, pt);
	return ((t->sig_pending | sig_proc_pending) & s->mask)
		       ? POLLIN | POLLRDNORM : 0;
}

static int sfd_stat(struct file *f, struct stat *st)
{
	return anon_stat(st);
}

static void sfd_release(struct file *f)
{
	struct sfd *s = f->priv;

	*s->pprev = s->next;
	if (s->next)
		s->next->pprev = s->pprev;
	kfree(s);
}

static const struct file_ops signalfd_fops = {
	.read = sfd_read,
	.poll = sfd_poll,
	.stat = sfd_stat,
	.release = sfd_release,
	.stream = 1,
	.anon_name = "[signalfd]",
};

static long do_signalfd4(int fd, const uint64_t *umask, size_t size,
			 int flags)
{
	struct sfd *s;
	struct file *f;
	uint64_t mask;

	if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	if (size != KSIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	mask &= ~SIG_UNBLOCKABLE;
	if (fd != -1) { /* change the mask of an existing signalfd */
		f = fd_get(fd);
		if (!f)
			return -EBADF;
		if (f->ops != &signalfd_fops) {
			file_put(f);
			return -EINVAL;
		}
		s = f->priv;
		s->mask = mask;
		waitq_wake(&s->q, POLLIN | POLLRDNORM);
		file_put(f);
		return fd;
	}
	s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->mask = mask;
	f = file_alloc(&signalfd_fops, O_RDWR | (flags & SFD_NONBLOCK), NULL, s);
	if (!f) {
		kfree(s);
		return -ENOMEM;
	}
	s->next = sfds;
	if (sfds)
		sfds->pprev = &s->next;
	s->pprev = &sfds;
	sfds = s;
	fd = fd_install(f, 0, !!(flags & SFD_CLOEXEC));
	if (fd < 0)
		file_put(f);
	return fd;
}

SYSCALL_DEFINE4(signalfd4, int, fd, const uint64_t *, umask, size_t, size,
		int, flags)
{
	return do_signalfd4(fd, umask, size, flags);
}

SYSCALL_DEFINE3(signalfd, int, fd, const uint64_t *, umask, size_t, size)
{
	return do_signalfd4(fd, umask, size, 0);
}
