/*
 * test_lock.c - host unit test of the file locks (src/kernel/fs/lock.c):
 * record-lock range logic (split, trim, merge, replace, unlock), the
 * struct flock conversions and their errors, conflicts between the
 * process and open file descriptions (OFD locks), the close and release
 * hooks, and flock(2) between descriptions.
 *
 * Layer: test/unit (ctest -L unit). The process's lock map is read back
 * black-box: F_OFD_GETLK from another description returns the lowest
 * conflicting lock, so walking it from offset 0 lists every record lock.
 * waitq_block is a stub that runs a test-supplied action (standing in for
 * another thread) and returns its result; fd_get serves a small table.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <uni/file.h>
#include <uni/kmalloc.h>
#include <uni/signal.h>
#include <uni/vfs.h>
#include <uni/wait.h>
#include "unit.h"

long sys_flock(long, long, long, long, long, long);

/* ---- stubs ---------------------------------------------------------- */

static struct file *fds[8];
static int blocks, wakes;
static int (*on_block)(void);

struct file *fd_get(int fd)
{
	if (fd < 0 || fd >= 8 || !fds[fd])
		return NULL;
	fds[fd]->refs++;
	return fds[fd];
}

void file_put(struct file *f)
{
	f->refs--;
}

int waitq_block(struct waitq *q, uint32_t mask, uint64_t deadline_ns)
{
	(void)q; (void)mask; (void)deadline_ns;
	blocks++;
	return on_block ? on_block() : -EINTR;
}

void waitq_wake(struct waitq *q, uint32_t events)
{
	(void)q; (void)events;
	wakes++;
}

/* ---- helpers -------------------------------------------------------- */

static struct vnode vn;
static struct file f1, f2, fro, fwo;

static int lk(struct file *f, int cmd, int type, int whence, long start,
	      long len)
{
	struct flock fl = { .l_type = type, .l_whence = whence,
			    .l_start = start, .l_len = len };
	return (int)lock_fcntl(f, cmd, &fl);
}

/* The process's record locks as "[s,e]T ..." (e '*' for to-EOF), read
 * through F_OFD_GETLK from f2, which must hold no lock itself. */
static const char *pmap(void)
{
	static char buf[512];
	long p = 0;
	size_t n = 0;

	buf[0] = 0;
	for (;;) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
				    .l_start = p, .l_len = 0 };
		if (lock_fcntl(&f2, F_OFD_GETLK, &fl) || fl.l_type == F_UNLCK)
			break;
		if (fl.l_len)
			n += snprintf(buf + n, sizeof(buf) - n, "%s[%ld,%ld]%c",
				      n ? " " : "", (long)fl.l_start,
				      (long)(fl.l_start + fl.l_len - 1),
				      fl.l_type == F_WRLCK ? 'W' : 'R');
		else
			n += snprintf(buf + n, sizeof(buf) - n, "%s[%ld,*]%c",
				      n ? " " : "", (long)fl.l_start,
				      fl.l_type == F_WRLCK ? 'W' : 'R');
		if (!fl.l_len || fl.l_pid != 1)
			break;
		p = fl.l_start + fl.l_len;
	}
	return buf;
}

#define MAP(s) \
	do { \
		const char *m_ = pmap(); \
		CHECK(!strcmp(m_, s)); \
		if (strcmp(m_, s)) \
			printf("  map is \"%s\", want \"%s\"\n", m_, s); \
	} while (0)

#define SET(type, start, len) lk(&f1, F_SETLK, type, SEEK_SET, start, len)

static void test_ranges(void)
{
	CHECK(SET(F_WRLCK, 0, 100) == 0);
	MAP("[0,99]W");
	CHECK(SET(F_RDLCK, 40, 20) == 0); /* split a write lock */
	MAP("[0,39]W [40,59]R [60,99]W");
	CHECK(SET(F_UNLCK, 45, 5) == 0);  /* unlock the middle of a read */
	MAP("[0,39]W [40,44]R [50,59]R [60,99]W");
	CHECK(SET(F_RDLCK, 45, 5) == 0);  /* fill the hole: one read lock */
	MAP("[0,39]W [40,59]R [60,99]W");
	CHECK(SET(F_WRLCK, 40, 20) == 0); /* replace: merges both sides */
	MAP("[0,99]W");
	CHECK(SET(F_RDLCK, 200, 10) == 0);
	CHECK(SET(F_RDLCK, 210, 10) == 0); /* adjacent, same type: merge */
	MAP("[0,99]W [200,219]R");
	CHECK(SET(F_WRLCK, 100, 100) == 0); /* adjacent, other type: apart */
	MAP("[0,199]W [200,219]R");
	CHECK(SET(F_RDLCK, 150, 100) == 0); /* overlaps both */
	MAP("[0,149]W [150,249]R");
	CHECK(SET(F_UNLCK, 0, 10) == 0);
	MAP("[10,149]W [150,249]R");
	CHECK(SET(F_WRLCK, 300, 0) == 0);  /* to EOF */
	MAP("[10,149]W [150,249]R [300,*]W");
	CHECK(SET(F_RDLCK, 250, 50) == 0);  /* joins the read lock only */
	MAP("[10,149]W [150,299]R [300,*]W");
	CHECK(SET(F_RDLCK, 1000, 0) == 0);  /* trims the EOF lock */
	MAP("[10,149]W [150,299]R [300,999]W [1000,*]R");
	CHECK(SET(F_UNLCK, 0, 0) == 0);
	MAP("");
	CHECK(vn.locks == NULL);          /* freed when empty */
	CHECK(SET(F_UNLCK, 0, 0) == 0);   /* unlocking nothing is fine */
	CHECK(vn.locks == NULL);
}

static void test_whence(void)
{
	struct flock fl;

	CHECK(SET(F_WRLCK, 100, -10) == 0); /* negative length: before */
	MAP("[90,99]W");
	f1.pos = 50;
	CHECK(lk(&f1, F_SETLK, F_RDLCK, SEEK_CUR, -10, 5) == 0);
	MAP("[40,44]R [90,99]W");
	vn.size = 1000;
	CHECK(lk(&f1, F_SETLK, F_WRLCK, SEEK_END, -100, 0) == 0);
	MAP("[40,44]R [90,99]W [900,*]W");
	/* The process never conflicts with itself. */
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET };
	CHECK(lock_fcntl(&f1, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK);
	/* A separate description (OFD) sees them, with the pid. */
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET,
			     .l_start = 95, .l_len = 1000 };
	CHECK(lock_fcntl(&f2, F_OFD_GETLK, &fl) == 0);
	CHECK(fl.l_type == F_WRLCK && fl.l_start == 90 && fl.l_len == 10 &&
	      fl.l_pid == 1 && fl.l_whence == SEEK_SET);
	/* Read over read: no conflict. */
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET,
			     .l_start = 40, .l_len = 5 };
	CHECK(lock_fcntl(&f2, F_OFD_GETLK, &fl) == 0 && fl.l_type == F_UNLCK &&
	      fl.l_start == 40 && fl.l_len == 5);
	CHECK(SET(F_UNLCK, 0, 0) == 0);
	f1.pos = 0;
	vn.size = 0;
}

static void test_errors(void)
{
	struct flock fl;

	CHECK(lk(&f1, F_SETLK, F_WRLCK, 7, 0, 0) == -EINVAL);
	CHECK(lk(&f1, F_SETLK, F_WRLCK, SEEK_SET, -1, 0) == -EINVAL);
	CHECK(lk(&f1, F_SETLK, F_WRLCK, SEEK_SET, 5, -6) == -EINVAL);
	CHECK(lk(&f1, F_SETLK, F_WRLCK, SEEK_SET, 5, -5) == 0);
	CHECK(lk(&f1, F_SETLK, F_WRLCK, SEEK_SET, 10, INT64_MAX) == -EOVERFLOW);
	CHECK(lk(&f1, F_SETLK, F_WRLCK, SEEK_SET, 0, INT64_MAX) == 0);
	f1.pos = 10;
	CHECK(lk(&f1, F_SETLK, F_WRLCK, SEEK_CUR, INT64_MAX, 1) == -EINVAL);
	f1.pos = 0;
	CHECK(lk(&f1, F_SETLK, 5, SEEK_SET, 0, 0) == -EINVAL);
	CHECK(lk(&f1, F_GETLK, F_UNLCK, SEEK_SET, 0, 0) == -EINVAL);
	CHECK(lk(&f1, 12345, F_RDLCK, SEEK_SET, 0, 0) == -EINVAL);
	CHECK(lk(&fro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == -EBADF);
	CHECK(lk(&fwo, F_SETLK, F_RDLCK, SEEK_SET, 0, 1) == -EBADF);
	CHECK(lk(&fro, F_SETLK, F_RDLCK, SEEK_SET, 0, 1) == 0);
	CHECK(lk(&fwo, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == 0);
	CHECK(lk(&fwo, F_GETLK, F_RDLCK, SEEK_SET, 0, 1) == 0); /* any mode */
	fl = (struct flock){ .l_type = F_RDLCK, .l_pid = 3 };
	CHECK(lock_fcntl(&f2, F_OFD_SETLK, &fl) == -EINVAL);
	CHECK(lock_fcntl(&f2, F_OFD_GETLK, &fl) == -EINVAL);
	CHECK(SET(F_UNLCK, 0, 0) == 0);
	CHECK(vn.locks == NULL);
	{
		struct file pipe = { .flags = O_RDWR };
		CHECK(lk(&pipe, F_SETLK, F_RDLCK, SEEK_SET, 0, 0) == -EINVAL);
	}
}

static int unlock_f2(void)
{
	struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };
	return (int)lock_fcntl(&f2, F_OFD_SETLK, &fl);
}

static void test_ofd(void)
{
	struct flock fl;

	CHECK(lk(&f2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10) == 0);
	CHECK(SET(F_WRLCK, 5, 1) == -EAGAIN);
	CHECK(SET(F_RDLCK, 9, 10) == -EAGAIN);
	CHECK(SET(F_WRLCK, 10, 10) == 0);
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET };
	CHECK(lock_fcntl(&f1, F_GETLK, &fl) == 0);
	CHECK(fl.l_type == F_WRLCK && fl.l_start == 0 && fl.l_len == 10 &&
	      fl.l_pid == -1);
	/* f2 against the process's [10,19]W and another OFD owner. */
	CHECK(lk(&f2, F_OFD_SETLK, F_RDLCK, SEEK_SET, 15, 1) == -EAGAIN);
	CHECK(lk(&f1, F_OFD_SETLK, F_RDLCK, SEEK_SET, 5, 1) == -EAGAIN);
	CHECK(lk(&f1, F_OFD_SETLK, F_RDLCK, SEEK_SET, 50, 10) == 0);
	CHECK(lk(&f2, F_OFD_SETLK, F_RDLCK, SEEK_SET, 55, 10) == 0);
	CHECK(lk(&f2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 55, 10) == -EAGAIN);
	/* F_SETLKW: a signal ends the wait with a restartable error. */
	on_block = NULL;
	blocks = 0;
	CHECK(lk(&f1, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) == -ERESTARTSYS);
	CHECK(blocks == 1);
	/* ... and another "thread" unlocking lets it through. */
	on_block = unlock_f2;
	CHECK(lk(&f1, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) == 0);
	CHECK(blocks == 2);
	on_block = NULL;
	/* Close drops the process's locks, not f1's OFD lock. */
	wakes = 0;
	lock_on_close(&f1);
	CHECK(wakes == 1);
	CHECK(lk(&f2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 20) == 0);
	CHECK(lk(&f2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 50, 1) == -EAGAIN);
	lock_on_release(&f1);
	CHECK(lk(&f2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 50, 1) == 0);
	lock_on_release(&f2);
	CHECK(vn.locks == NULL);
}

static int flock_unlock_2(void)
{
	return (int)sys_flock(2, LOCK_UN, 0, 0, 0, 0);
}

static void test_flock(void)
{
	fds[1] = &f1;
	fds[2] = &f2;
	CHECK(sys_flock(1, LOCK_SH, 0, 0, 0, 0) == 0);
	CHECK(sys_flock(2, LOCK_SH | LOCK_NB, 0, 0, 0, 0) == 0);
	CHECK(sys_flock(2, LOCK_EX | LOCK_NB, 0, 0, 0, 0) == -EWOULDBLOCK);
	/* The failed conversion dropped f2's shared lock (as Linux). */
	CHECK(sys_flock(1, LOCK_EX | LOCK_NB, 0, 0, 0, 0) == 0);
	CHECK(sys_flock(1, LOCK_EX | LOCK_NB, 0, 0, 0, 0) == 0); /* again */
	CHECK(sys_flock(2, LOCK_SH | LOCK_NB, 0, 0, 0, 0) == -EWOULDBLOCK);
	/* flock and record locks are separate worlds. */
	CHECK(SET(F_WRLCK, 0, 0) == 0);
	CHECK(SET(F_UNLCK, 0, 0) == 0);
	CHECK(sys_flock(1, LOCK_UN, 0, 0, 0, 0) == 0);
	CHECK(sys_flock(2, LOCK_EX | LOCK_NB, 0, 0, 0, 0) == 0);
	blocks = 0;
	CHECK(sys_flock(1, LOCK_SH, 0, 0, 0, 0) == -ERESTARTSYS);
	on_block = flock_unlock_2;
	CHECK(sys_flock(1, LOCK_SH, 0, 0, 0, 0) == 0);
	CHECK(blocks == 2);
	on_block = NULL;
	CHECK(sys_flock(1, LOCK_SH | LOCK_EX, 0, 0, 0, 0) == -EINVAL);
	CHECK(sys_flock(1, 0, 0, 0, 0, 0) == -EINVAL);
	CHECK(sys_flock(5, LOCK_SH, 0, 0, 0, 0) == -EBADF);
	CHECK(sys_flock(2, LOCK_UN, 0, 0, 0, 0) == 0); /* holds none */
	lock_on_close(&f1);     /* flock survives close of a descriptor */
	CHECK(sys_flock(2, LOCK_EX | LOCK_NB, 0, 0, 0, 0) == -EWOULDBLOCK);
	lock_on_release(&f1);
	CHECK(vn.locks == NULL);
	CHECK(f1.refs == 0 && f2.refs == 0);
}

int main(void)
{
	f1 = (struct file){ .flags = O_RDWR, .vn = &vn };
	f2 = (struct file){ .flags = O_RDWR, .vn = &vn };
	fro = (struct file){ .flags = O_RDONLY, .vn = &vn };
	fwo = (struct file){ .flags = O_WRONLY, .vn = &vn };
	test_ranges();
	test_whence();
	test_errors();
	test_ofd();
	test_flock();
	CHECK(kmalloc_in_use() == 0);
	printf("test_lock: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
