/* fs_more_locks.c - in-image test of file locks: POSIX record locks
 * (split, merge, unlock ranges, the process never conflicting with
 * itself, close dropping them), OFD locks conflicting with them, F_SETLKW
 * blocking until another thread unlocks and ending with EINTR on a
 * signal, and flock(2) between two opens of one file (LOCK_NB, a blocked
 * waiter woken by LOCK_UN, dup sharing the lock, last close releasing). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "testutil.h"

#define PATH "/tmp/locks"

static int lk(int fd, int cmd, int type, int whence, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = whence,
			    .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

/* The process's record locks as "[s,e]T ...", read through F_OFD_GETLK
 * on probe, a description that holds no lock of its own. */
static const char *pmap(int probe)
{
	static char buf[256];
	size_t n = 0;
	off_t p = 0;

	buf[0] = 0;
	for (;;) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
				    .l_start = p };
		if (fcntl(probe, F_OFD_GETLK, &fl) || fl.l_type == F_UNLCK)
			break;
		n += snprintf(buf + n, sizeof(buf) - n, "%s[%ld,%ld]%c",
			      n ? " " : "", (long)fl.l_start,
			      fl.l_len ? (long)(fl.l_start + fl.l_len - 1) : -1L,
			      fl.l_type == F_WRLCK ? 'W' : 'R');
		if (!fl.l_len)
			break;
		p = fl.l_start + fl.l_len;
	}
	return buf;
}

static void test_ranges(int fd, int probe)
{
	struct flock fl;

	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 100) == 0);
	CHECK(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 40, 20) == 0);
	CHECK(!strcmp(pmap(probe), "[0,39]W [40,59]R [60,99]W"));
	CHECK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 45, 5) == 0);
	CHECK(!strcmp(pmap(probe), "[0,39]W [40,44]R [50,59]R [60,99]W"));
	CHECK(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 45, 5) == 0);
	CHECK(!strcmp(pmap(probe), "[0,39]W [40,59]R [60,99]W"));
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 40, 20) == 0);
	CHECK(!strcmp(pmap(probe), "[0,99]W"));
	CHECK(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 100, 0) == 0);
	CHECK(!strcmp(pmap(probe), "[0,99]W [100,-1]R"));
	lseek(fd, 50, SEEK_SET);
	CHECK(lk(fd, F_SETLK, F_UNLCK, SEEK_CUR, 0, -10) == 0);
	CHECK(!strcmp(pmap(probe), "[0,39]W [50,99]W [100,-1]R"));
	CHECK(lk(fd, F_SETLK, F_UNLCK, SEEK_END, -300, 0) == 0);
	CHECK(!strcmp(pmap(probe), ""));
	/* Own locks never conflict with the process. */
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0) == 0);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET };
	CHECK(fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK);
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET };
	CHECK(fcntl(probe, F_OFD_GETLK, &fl) == 0 && fl.l_type == F_WRLCK &&
	      fl.l_pid == getpid() && fl.l_len == 0);
	CHECK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0) == 0);
	/* Errors. */
	errno = 0;
	CHECK(lk(fd, F_SETLK, F_WRLCK, 9, 0, 0) == -1 && errno == EINVAL);
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 1) == -1 && errno == EINVAL);
	CHECK(lk(fd, F_SETLK, 7, SEEK_SET, 0, 1) == -1 && errno == EINVAL);
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 2, 0x7fffffffffffffffL) == -1 &&
	      errno == EOVERFLOW);
	CHECK(lk(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 1) == -1 && errno == EINVAL);
	CHECK(lk(99, F_SETLK, F_RDLCK, SEEK_SET, 0, 1) == -1 && errno == EBADF);
	CHECK(fcntl(fd, F_GETLK, (void *)16) == -1 && errno == EFAULT);
}

static int ofd_fd, posix_fd;
static volatile int waiter_done;

static void *setlkw_waiter(void *arg)
{
	(void)arg;
	long r = lk(posix_fd, F_SETLKW, F_WRLCK, SEEK_SET, 200, 1);
	waiter_done = 1;
	return (void *)r;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_ofd(int fd, int fd2)
{
	struct flock fl;
	pthread_t t;
	void *ret;
	uint64_t t0;
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { 0, 50000 } };

	CHECK(lk(fd2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10) == 0);
	errno = 0;
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, 1) == -1 && errno == EAGAIN);
	CHECK(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 9, 5) == -1 && errno == EAGAIN);
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 10) == 0);
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET };
	CHECK(fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_WRLCK &&
	      fl.l_start == 0 && fl.l_len == 10 && fl.l_pid == -1);
	CHECK(lk(fd2, F_OFD_SETLK, F_RDLCK, SEEK_SET, 15, 1) == -1 &&
	      errno == EAGAIN);
	fl = (struct flock){ .l_type = F_RDLCK, .l_pid = 1 };
	CHECK(fcntl(fd2, F_OFD_SETLK, &fl) == -1 && errno == EINVAL);

	/* F_SETLKW waits in another thread until the OFD lock goes. */
	CHECK(lk(fd2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 200, 10) == 0);
	ofd_fd = fd2;
	posix_fd = fd;
	t0 = now_ms();
	CHECK(pthread_create(&t, NULL, setlkw_waiter, NULL) == 0);
	usleep(50000);
	CHECK(!waiter_done);
	CHECK(lk(fd2, F_OFD_SETLK, F_UNLCK, SEEK_SET, 200, 10) == 0);
	CHECK(pthread_join(t, &ret) == 0 && ret == 0 && waiter_done);
	CHECK(now_ms() - t0 >= 40);
	CHECK(lk(fd2, F_OFD_SETLK, F_RDLCK, SEEK_SET, 200, 1) == -1 &&
	      errno == EAGAIN);

	/* A signal without SA_RESTART ends the wait with EINTR. */
	CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	t0 = now_ms();
	errno = 0;
	CHECK(lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) == -1 && errno == EINTR);
	CHECK(now_ms() - t0 >= 40);

	/* Closing any descriptor of the file drops the process's locks
	 * (not the OFD lock of the other description). */
	int fd3 = open(PATH, O_RDONLY);
	CHECK(fd3 >= 0 && close(fd3) == 0);
	CHECK(!strcmp(pmap(fd2), ""));
	CHECK(lk(fd2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 10, 300) == 0);
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET };
	CHECK(fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_WRLCK &&
	      fl.l_start == 0 && fl.l_len == 310); /* fd2's, merged */
	CHECK(lk(fd2, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 0) == 0);
}

static int flock_fd;

static void *flock_waiter(void *arg)
{
	(void)arg;
	long r = flock(flock_fd, LOCK_EX);
	waiter_done = 1;
	return (void *)r;
}

static void test_flock(void)
{
	int a = open(PATH, O_RDWR), b = open(PATH, O_RDONLY), d;
	pthread_t t;
	void *ret;

	CHECK(a >= 0 && b >= 0);
	CHECK(flock(a, LOCK_SH) == 0 && flock(b, LOCK_SH | LOCK_NB) == 0);
	errno = 0;
	CHECK(flock(b, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK);
	CHECK(flock(a, LOCK_EX | LOCK_NB) == 0); /* b's went in the attempt */
	CHECK(flock(b, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK);
	/* Record locks are another world. */
	CHECK(lk(b, F_SETLK, F_RDLCK, SEEK_SET, 0, 0) == 0);
	CHECK(lk(b, F_SETLK, F_UNLCK, SEEK_SET, 0, 0) == 0);
	/* A blocked waiter is woken by the unlock. */
	flock_fd = b;
	waiter_done = 0;
	CHECK(pthread_create(&t, NULL, flock_waiter, NULL) == 0);
	usleep(30000);
	CHECK(!waiter_done);
	CHECK(flock(a, LOCK_UN) == 0);
	CHECK(pthread_join(t, &ret) == 0 && ret == 0 && waiter_done);
	CHECK(flock(a, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK);
	/* A dup shares the description and so the lock; the lock lives
	 * until the description's last descriptor closes. */
	d = dup(b);
	CHECK(d >= 0 && close(b) == 0);
	CHECK(flock(a, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK);
	CHECK(close(d) == 0);
	CHECK(flock(a, LOCK_EX | LOCK_NB) == 0);
	CHECK(flock(a, 0) == -1 && errno == EINVAL);
	CHECK(flock(-1, LOCK_SH) == -1 && errno == EBADF);
	CHECK(close(a) == 0);
	/* Directories lock too. */
	a = open("/tmp", O_RDONLY | O_DIRECTORY);
	b = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK(flock(a, LOCK_EX | LOCK_NB) == 0);
	CHECK(flock(b, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK);
	close(a);
	CHECK(flock(b, LOCK_SH | LOCK_NB) == 0);
	close(b);
}

int main(void)
{
	char buf[300];
	int fd = open(PATH, O_CREAT | O_RDWR | O_TRUNC, 0644);
	int probe = open(PATH, O_RDWR), ro = open(PATH, O_RDONLY);

	CHECK(fd >= 0 && probe >= 0 && ro >= 0);
	memset(buf, 'x', sizeof(buf));
	CHECK(write(fd, buf, sizeof(buf)) == sizeof(buf));
	errno = 0;
	CHECK(lk(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == -1 && errno == EBADF);
	CHECK(lk(ro, F_SETLK, F_RDLCK, SEEK_SET, 0, 1) == 0);
	CHECK(lk(ro, F_SETLK, F_UNLCK, SEEK_SET, 0, 1) == 0);
	test_ranges(fd, probe);
	test_ofd(fd, probe);
	test_flock();
	close(ro);
	close(probe);
	close(fd);
	return check_done();
}
