/* fs_more_attr.c - in-image test of the attribute syscalls: chmod and
 * chown families (seen in stat, ctime moving, set-user-ID dropped by
 * chown, symlinks themselves with the l* and NOFOLLOW forms), time stamps
 * (utimensat with UTIME_NOW/UTIME_OMIT, futimens, utimes, utime), sizes
 * (truncate, ftruncate, fallocate with KEEP_SIZE and PUNCH_HOLE), fsync
 * and sync, statfs/fstatfs, and their error cases. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include "check.h"

#define F "/tmp/attr"
#define L "/tmp/attr.link"

static struct stat st_of(const char *p)
{
	struct stat st;
	memset(&st, 0, sizeof(st));
	stat(p, &st);
	return st;
}

static struct stat lst_of(const char *p)
{
	struct stat st;
	memset(&st, 0, sizeof(st));
	lstat(p, &st);
	return st;
}

static int ts_after(struct timespec a, struct timespec b)
{
	return a.tv_sec > b.tv_sec ||
	       (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

static void test_modes(int fd)
{
	struct stat st = st_of(F);
	struct timespec c0 = st.st_ctim;

	usleep(2000);
	CHECK(chmod(F, 0600) == 0);
	st = st_of(F);
	CHECK((st.st_mode & 07777) == 0600 && S_ISREG(st.st_mode));
	CHECK(ts_after(st.st_ctim, c0));
	CHECK(fchmod(fd, 04751) == 0 && (st_of(F).st_mode & 07777) == 04751);
	CHECK(fchmodat(AT_FDCWD, F, 0640, 0) == 0 &&
	      (st_of(F).st_mode & 07777) == 0640);
	CHECK(symlink(F, L) == 0);
	CHECK(chmod(L, 0604) == 0 && (st_of(F).st_mode & 07777) == 0604);
	errno = 0;
	CHECK(fchmodat(AT_FDCWD, L, 0600, AT_SYMLINK_NOFOLLOW) == -1 &&
	      errno == EOPNOTSUPP);
	CHECK(chmod("/tmp/nonexistent", 0600) == -1 && errno == ENOENT);
	CHECK(fchmod(-1, 0600) == -1 && errno == EBADF);

	CHECK(chown(F, 1000, 2000) == 0);
	st = st_of(F);
	CHECK(st.st_uid == 1000 && st.st_gid == 2000);
	CHECK(chown(F, -1, 3000) == 0);
	st = st_of(F);
	CHECK(st.st_uid == 1000 && st.st_gid == 3000);
	CHECK(fchown(fd, 0, -1) == 0 && st_of(F).st_uid == 0);
	CHECK(lchown(L, 7, 8) == 0);
	CHECK(lst_of(L).st_uid == 7 && lst_of(L).st_gid == 8 &&
	      st_of(F).st_uid == 0);
	CHECK(fchownat(AT_FDCWD, L, 9, 9, AT_SYMLINK_NOFOLLOW) == 0 &&
	      lst_of(L).st_uid == 9);
	CHECK(fchownat(fd, "", 5, 6, AT_EMPTY_PATH) == 0 &&
	      st_of(F).st_uid == 5 && st_of(F).st_gid == 6);
	CHECK(fchownat(AT_FDCWD, F, 0, 0, 0x4000) == -1 && errno == EINVAL);
	/* Giving a file away drops set-user-ID (and group-executable
	 * set-group-ID). */
	CHECK(chmod(F, 06755) == 0 && chown(F, 0, 0) == 0 &&
	      (st_of(F).st_mode & 07777) == 0755);
	CHECK(chmod(F, 0644) == 0);
}

static void test_times(int fd)
{
	struct timespec ts[2] = { { 1000, 5 }, { 2000, 7 } }, now;
	struct timeval tv[2] = { { 3000, 1 }, { 4000, 2 } };
	struct utimbuf ub = { 5000, 6000 };
	struct stat st;

	CHECK(utimensat(AT_FDCWD, F, ts, 0) == 0);
	st = st_of(F);
	CHECK(st.st_atim.tv_sec == 1000 && st.st_atim.tv_nsec == 5 &&
	      st.st_mtim.tv_sec == 2000 && st.st_mtim.tv_nsec == 7);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = (struct timespec){ 2500, 0 };
	CHECK(utimensat(AT_FDCWD, F, ts, 0) == 0);
	st = st_of(F);
	CHECK(st.st_atim.tv_sec == 1000 && st.st_mtim.tv_sec == 2500);
	clock_gettime(CLOCK_REALTIME, &now);
	ts[0].tv_nsec = UTIME_NOW;
	ts[1].tv_nsec = UTIME_OMIT;
	CHECK(utimensat(AT_FDCWD, F, ts, 0) == 0);
	st = st_of(F);
	CHECK(st.st_atim.tv_sec >= now.tv_sec && st.st_mtim.tv_sec == 2500);
	CHECK(utimensat(AT_FDCWD, F, NULL, 0) == 0 &&
	      st_of(F).st_mtim.tv_sec >= now.tv_sec);
	ts[0] = (struct timespec){ 10, 0 };
	ts[1] = (struct timespec){ 20, 0 };
	CHECK(futimens(fd, ts) == 0 && st_of(F).st_mtim.tv_sec == 20);
	CHECK(utimensat(AT_FDCWD, L, ts, AT_SYMLINK_NOFOLLOW) == 0);
	CHECK(lst_of(L).st_mtim.tv_sec == 20);
	ts[1].tv_nsec = 1000000000;
	errno = 0;
	CHECK(utimensat(AT_FDCWD, F, ts, 0) == -1 && errno == EINVAL);
	ts[0].tv_nsec = ts[1].tv_nsec = UTIME_OMIT; /* nothing: not even a lookup */
	CHECK(utimensat(AT_FDCWD, "/tmp/nonexistent", ts, 0) == 0);
	CHECK(utimensat(AT_FDCWD, "/tmp/nonexistent", NULL, 0) == -1 &&
	      errno == ENOENT);
	CHECK(utimensat(AT_FDCWD, F, NULL, AT_REMOVEDIR) == -1 &&
	      errno == EINVAL);
	CHECK(utimes(F, tv) == 0);
	st = st_of(F);
	CHECK(st.st_atim.tv_sec == 3000 && st.st_atim.tv_nsec == 1000 &&
	      st.st_mtim.tv_sec == 4000 && st.st_mtim.tv_nsec == 2000);
	tv[0].tv_usec = 1000000;
	CHECK(utimes(F, tv) == -1 && errno == EINVAL);
	CHECK(utime(F, &ub) == 0);
	st = st_of(F);
	CHECK(st.st_atime == 5000 && st.st_mtime == 6000 &&
	      st.st_mtim.tv_nsec == 0);
	CHECK(utime(F, NULL) == 0 && st_of(F).st_mtime >= now.tv_sec);
}

static void test_sizes(int fd)
{
	char buf[16];
	int ro = open(F, O_RDONLY), p[2];
	struct stat st;

	CHECK(truncate(F, 10000) == 0 && st_of(F).st_size == 10000);
	CHECK(pread(fd, buf, 4, 9998) == 2 && buf[0] == 0 && buf[1] == 0);
	CHECK(ftruncate(fd, 5) == 0 && st_of(F).st_size == 5);
	CHECK(pread(fd, buf, 16, 0) == 5 && !memcmp(buf, "hello", 5));
	errno = 0;
	CHECK(truncate(F, -1) == -1 && errno == EINVAL);
	CHECK(truncate("/tmp", 0) == -1 && errno == EISDIR);
	CHECK(truncate("/tmp/nonexistent", 0) == -1 && errno == ENOENT);
	CHECK(ftruncate(ro, 0) == -1 && errno == EINVAL);
	CHECK(ftruncate(fd, -1) == -1 && errno == EINVAL);
	CHECK(ftruncate(-1, 0) == -1 && errno == EBADF);
	CHECK(pipe(p) == 0);
	CHECK(ftruncate(p[1], 0) == -1 && errno == EINVAL);

	CHECK(fallocate(fd, 0, 0, 8192) == 0);
	st = st_of(F);
	CHECK(st.st_size == 8192 && st.st_blocks >= 16);
	CHECK(pread(fd, buf, 5, 0) == 5 && !memcmp(buf, "hello", 5));
	CHECK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 8192) == 0);
	st = st_of(F);
	CHECK(st.st_size == 8192 && st.st_blocks >= 32);
	CHECK(fallocate(fd, 0, 12000, 100) == 0 && st_of(F).st_size == 12100);
	CHECK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1, 3) == 0);
	CHECK(pread(fd, buf, 5, 0) == 5 && !memcmp(buf, "h\0\0\0o", 5));
	CHECK(st_of(F).st_size == 12100);
	CHECK(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 1) == -1 &&
	      errno == EOPNOTSUPP);
	CHECK(fallocate(fd, 0, 0, 0) == -1 && errno == EINVAL);
	CHECK(fallocate(fd, 0, -1, 10) == -1 && errno == EINVAL);
	CHECK(fallocate(ro, 0, 0, 10) == -1 && errno == EBADF);
	CHECK(fallocate(p[1], 0, 0, 10) == -1 && errno == ESPIPE);

	CHECK(fsync(fd) == 0 && fdatasync(fd) == 0 && fsync(ro) == 0);
	CHECK(fsync(p[0]) == -1 && errno == EINVAL);
	CHECK(fsync(-1) == -1 && errno == EBADF);
	sync();
	CHECK(syncfs(fd) == 0);
	CHECK(sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE) == 0);
	CHECK(sync_file_range(fd, 0, 0, 8) == -1 && errno == EINVAL);
	CHECK(sync_file_range(fd, -1, 0, 0) == -1 && errno == EINVAL);
	CHECK(sync_file_range(p[0], 0, 0, 0) == -1 && errno == ESPIPE);
	close(p[0]);
	close(p[1]);
	close(ro);
}

static void test_statfs(int fd)
{
	struct statfs a, b;
	int p[2];

	CHECK(statfs("/tmp", &a) == 0);
	CHECK(a.f_type == 0x858458f6 && a.f_bsize == 4096 && a.f_blocks > 0 &&
	      a.f_bfree <= a.f_blocks && a.f_namelen == 255);
	CHECK(fstatfs(fd, &b) == 0 && b.f_type == a.f_type);
	CHECK(statfs("/proc", &a) == 0 && a.f_type == 0x9fa0);
	errno = 0;
	CHECK(statfs("/tmp/nonexistent", &a) == -1 && errno == ENOENT);
	/* musl's statfs clears the buffer itself: ask the kernel directly. */
	CHECK(syscall(SYS_statfs, "/tmp", 16) == -1 && errno == EFAULT);
	CHECK(fstatfs(-1, &a) == -1 && errno == EBADF);
	CHECK(pipe(p) == 0 && fstatfs(p[0], &a) == 0 &&
	      a.f_type == 0x50495045);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	int fd = open(F, O_CREAT | O_RDWR | O_TRUNC, 0644);

	CHECK(fd >= 0 && write(fd, "hello", 5) == 5);
	test_modes(fd);
	test_times(fd);
	test_sizes(fd);
	test_statfs(fd);
	close(fd);
	unlink(L);
	unlink(F);
	return check_done();
}
