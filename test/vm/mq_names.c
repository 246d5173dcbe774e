/* mq_names.c - in-image test of the POSIX message queue namespace and
 * attributes (src/kernel/ipc/mqueue.c): mq_open's create/exclusive/
 * not-found rules and name errors, default and explicit attributes and
 * their limits (privileged and not), permissions by mode, RLIMIT_MSGQUEUE,
 * mq_unlink while descriptors stay open, mq_getsetattr changing only
 * O_NONBLOCK, EBADF for descriptors that are not queues, fstat and the
 * status line read() gives. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "check.h"

static int open_fails(const char *name, int flags, struct mq_attr *a, int err)
{
	mqd_t q = mq_open(name, flags, 0600, a);
	if (q != (mqd_t)-1) {
		mq_close(q);
		return 0;
	}
	return errno == err;
}

int main(void)
{
	struct mq_attr a, o;
	char longname[NAME_MAX + 3];
	mqd_t q, q2, q3;
	struct stat st;
	char buf[128];
	unsigned prio;
	ssize_t n;

	/* Create, reopen, exclusive, not found. */
	mq_unlink("/names");
	CHECK(open_fails("/names", O_RDWR, NULL, ENOENT));
	q = mq_open("/names", O_CREAT | O_EXCL | O_RDWR, 0600, NULL);
	CHECK(q >= 0);
	CHECK(open_fails("/names", O_CREAT | O_EXCL | O_RDWR, NULL, EEXIST));
	q2 = mq_open("/names", O_CREAT | O_RDONLY, 0600, NULL);
	CHECK(q2 >= 0 && q2 != q);
	CHECK(fcntl(q, F_GETFD) == FD_CLOEXEC);

	/* Defaults: 10 messages of 8192 bytes, flags 0. */
	CHECK(mq_getattr(q, &a) == 0);
	CHECK(a.mq_maxmsg == 10 && a.mq_msgsize == 8192 && a.mq_flags == 0 &&
	      a.mq_curmsgs == 0);

	/* Names: one component after the slash, at most NAME_MAX bytes. */
	memset(longname, 'n', sizeof(longname));
	longname[0] = '/';
	longname[NAME_MAX + 2] = 0;
	CHECK(open_fails(longname, O_CREAT | O_RDWR, NULL, ENAMETOOLONG));
	longname[NAME_MAX + 1] = 0; /* exactly NAME_MAX after the slash */
	q3 = mq_open(longname, O_CREAT | O_RDWR, 0600, NULL);
	CHECK(q3 >= 0);
	CHECK(mq_close(q3) == 0 && mq_unlink(longname) == 0);
	CHECK(open_fails("/a/b", O_CREAT | O_RDWR, NULL, EACCES));
	CHECK(open_fails("/", O_CREAT | O_RDWR, NULL, ENOENT));
	CHECK(open_fails("/..", O_CREAT | O_RDWR, NULL, EACCES));
	CHECK(open_fails("/names", O_RDWR | O_WRONLY, NULL, EINVAL));
	errno = 0; /* musl reads the name itself: the raw call */
	CHECK(syscall(SYS_mq_open, (char *)8, O_RDWR, 0, 0) == -1 &&
	      errno == EFAULT);
	errno = 0;
	CHECK(mq_unlink("/nosuch") == -1 && errno == ENOENT);

	/* Attributes of a new queue: checked, the flags ignored; an existing
	 * queue ignores them altogether. */
	a = (struct mq_attr){ .mq_maxmsg = 0, .mq_msgsize = 16 };
	CHECK(open_fails("/attr", O_CREAT | O_RDWR, &a, EINVAL));
	a = (struct mq_attr){ .mq_maxmsg = 4, .mq_msgsize = -1 };
	CHECK(open_fails("/attr", O_CREAT | O_RDWR, &a, EINVAL));
	a = (struct mq_attr){ .mq_maxmsg = 65537, .mq_msgsize = 16 };
	CHECK(open_fails("/attr", O_CREAT | O_RDWR, &a, EINVAL));
	a = (struct mq_attr){ .mq_maxmsg = 1, .mq_msgsize = (16 << 20) + 1 };
	CHECK(open_fails("/attr", O_CREAT | O_RDWR, &a, EINVAL));
	a = (struct mq_attr){ .mq_flags = O_NONBLOCK, .mq_maxmsg = 3,
			      .mq_msgsize = 40 };
	q3 = mq_open("/attr", O_CREAT | O_RDWR, 0600, &a);
	CHECK(q3 >= 0);
	CHECK(mq_getattr(q3, &o) == 0 && o.mq_maxmsg == 3 &&
	      o.mq_msgsize == 40 && o.mq_flags == 0);
	CHECK(mq_close(q3) == 0);
	a.mq_maxmsg = 7;
	q3 = mq_open("/attr", O_CREAT | O_RDWR | O_NONBLOCK, 0600, &a);
	CHECK(mq_getattr(q3, &o) == 0 && o.mq_maxmsg == 3 &&
	      o.mq_flags == O_NONBLOCK);
	CHECK(mq_close(q3) == 0 && mq_unlink("/attr") == 0);
	/* Root may go beyond 10 x 8192 up to the hard limits. */
	a = (struct mq_attr){ .mq_maxmsg = 100, .mq_msgsize = 16 };
	q3 = mq_open("/attr", O_CREAT | O_RDWR, 0600, &a);
	CHECK(q3 >= 0);
	CHECK(mq_close(q3) == 0 && mq_unlink("/attr") == 0);

	/* mq_setattr: only O_NONBLOCK changes; old values come back. */
	a = (struct mq_attr){ .mq_flags = O_NONBLOCK, .mq_maxmsg = 99,
			      .mq_msgsize = 1 };
	CHECK(mq_setattr(q, &a, &o) == 0 && o.mq_flags == 0 &&
	      o.mq_maxmsg == 10);
	CHECK(mq_getattr(q, &o) == 0 && o.mq_flags == O_NONBLOCK &&
	      o.mq_maxmsg == 10 && o.mq_msgsize == 8192);
	CHECK(fcntl(q, F_GETFL) & O_NONBLOCK);
	errno = 0;
	CHECK(mq_receive(q, buf, 8192, NULL) == -1 && errno == EAGAIN);
	a.mq_flags = O_APPEND;
	errno = 0;
	CHECK(mq_setattr(q, &a, NULL) == -1 && errno == EINVAL);
	a.mq_flags = 0;
	CHECK(mq_setattr(q, &a, NULL) == 0);
	CHECK(mq_getattr(q, &o) == 0 && o.mq_flags == 0);

	/* Not a queue. */
	errno = 0;
	CHECK(mq_getattr(1, &o) == -1 && errno == EBADF);
	errno = 0;
	CHECK(mq_getattr(77, &o) == -1 && errno == EBADF);
	errno = 0;
	CHECK(mq_send(1, "x", 1, 0) == -1 && errno == EBADF);

	/* Bad pointers. */
	errno = 0;
	CHECK(mq_open("/attr", O_CREAT | O_RDWR, 0600, (struct mq_attr *)8) ==
	      (mqd_t)-1 && errno == EFAULT);
	errno = 0;
	CHECK(mq_setattr(q, (struct mq_attr *)8, NULL) == -1 && errno == EFAULT);
	errno = 0;
	CHECK(mq_getattr(q, (struct mq_attr *)8) == -1 && errno == EFAULT);
	errno = 0;
	CHECK(syscall(SYS_mq_notify, q, (void *)8) == -1 && errno == EFAULT);
	errno = 0;
	CHECK(syscall(SYS_mq_unlink, (char *)8) == -1 && errno == EFAULT);

	/* fstat and the status line. */
	CHECK(fstat(q, &st) == 0 && S_ISREG(st.st_mode) &&
	      (st.st_mode & 0777) == 0600 && st.st_nlink == 1);
	CHECK(mq_send(q, "hello", 5, 3) == 0);
	n = read(q, buf, sizeof(buf) - 1);
	CHECK(n > 0);
	buf[n > 0 ? n : 0] = 0;
	printf("status: %s", buf);
	CHECK(!strncmp(buf, "QSIZE:5 ", 8) && strstr(buf, "NOTIFY:0 "));
	CHECK(read(q, buf, sizeof(buf)) == 0);

	/* Unlink: the name goes, descriptors keep working; a new queue of
	 * the same name is another queue. */
	CHECK(mq_unlink("/names") == 0);
	CHECK(open_fails("/names", O_RDWR, NULL, ENOENT));
	CHECK(fstat(q, &st) == 0 && st.st_nlink == 0);
	q3 = mq_open("/names", O_CREAT | O_EXCL | O_RDWR, 0600, NULL);
	CHECK(q3 >= 0);
	CHECK(mq_getattr(q3, &o) == 0 && o.mq_curmsgs == 0);
	CHECK(mq_close(q3) == 0 && mq_unlink("/names") == 0);
	CHECK(mq_receive(q2, buf, 8192, &prio) == 5 && prio == 3 &&
	      !memcmp(buf, "hello", 5));
	CHECK(mq_send(q, "again", 5, 0) == 0);
	CHECK(mq_close(q) == 0);
	CHECK(mq_receive(q2, buf, 8192, NULL) == 5); /* still there */
	CHECK(mq_close(q2) == 0);
	errno = 0;
	CHECK(mq_close(q2) == -1 && errno == EBADF);

	/* RLIMIT_MSGQUEUE bounds what queues may hold: EMFILE beyond it. */
	struct rlimit rl, small = { 20000, 20000 };
	CHECK(getrlimit(RLIMIT_MSGQUEUE, &rl) == 0 && rl.rlim_cur == 819200);
	CHECK(setrlimit(RLIMIT_MSGQUEUE, &small) == 0);
	a = (struct mq_attr){ .mq_maxmsg = 2, .mq_msgsize = 8000 };
	q = mq_open("/lim1", O_CREAT | O_RDWR, 0600, &a);
	CHECK(q >= 0);
	CHECK(open_fails("/lim2", O_CREAT | O_RDWR, &a, EMFILE));
	CHECK(mq_unlink("/lim1") == 0);
	CHECK(open_fails("/lim2", O_CREAT | O_RDWR, &a, EMFILE)); /* q open */
	CHECK(mq_close(q) == 0);
	q = mq_open("/lim2", O_CREAT | O_RDWR, 0600, &a);
	CHECK(q >= 0);
	CHECK(mq_close(q) == 0 && mq_unlink("/lim2") == 0);
	CHECK(setrlimit(RLIMIT_MSGQUEUE, &rl) == 0);

	/* Permissions by mode and the unprivileged limits (euid 1000). */
	q = mq_open("/perm", O_CREAT | O_RDWR, 0644, NULL);
	CHECK(q >= 0);
	q2 = mq_open("/mine", O_CREAT | O_RDWR, 0666, NULL); /* umask 022 */
	CHECK(fstat(q2, &st) == 0 && (st.st_mode & 0777) == 0644);
	CHECK(mq_close(q2) == 0 && mq_unlink("/mine") == 0);
	umask(0);
	q2 = mq_open("/mine", O_CREAT | O_RDWR, 0666, NULL);
	CHECK(seteuid(1000) == 0);
	CHECK(open_fails("/perm", O_RDWR, NULL, EACCES));
	q3 = mq_open("/perm", O_RDONLY); /* the "other" read bit */
	CHECK(q3 >= 0);
	mq_close(q3);
	CHECK(open_fails("/perm", O_CREAT | O_WRONLY, NULL, EACCES));
	q3 = mq_open("/mine", O_WRONLY);
	CHECK(q3 >= 0);
	mq_close(q3);
	errno = 0;
	CHECK(mq_unlink("/perm") == -1 && errno == EACCES); /* EPERM in musl */
	a = (struct mq_attr){ .mq_maxmsg = 11, .mq_msgsize = 16 };
	CHECK(open_fails("/big", O_CREAT | O_RDWR, &a, EINVAL));
	a = (struct mq_attr){ .mq_maxmsg = 10, .mq_msgsize = 8193 };
	CHECK(open_fails("/big", O_CREAT | O_RDWR, &a, EINVAL));
	a.mq_msgsize = 8192;
	q3 = mq_open("/user", O_CREAT | O_EXCL | O_RDWR, 0600, &a);
	CHECK(q3 >= 0);
	CHECK(fstat(q3, &st) == 0 && st.st_uid == 1000);
	CHECK(mq_close(q3) == 0 && mq_unlink("/user") == 0);
	CHECK(seteuid(0) == 0);
	CHECK(mq_close(q) == 0 && mq_unlink("/perm") == 0);
	CHECK(mq_close(q2) == 0 && mq_unlink("/mine") == 0);

	return check_done();
}
