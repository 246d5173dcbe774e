/*
 * fs_tree.c - in-image test of the file tree: open/creat and their
 * flags, read back through renames and links, stat/statx/access,
 * mkdir/rmdir/unlink/rename/link/symlink/readlink with their errors,
 * getdents64 (while unlinking), cwd and getcwd through symlinks and
 * "..", EMFILE, and the libc layers on top (stdio, opendir, realpath,
 * mkstemp).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "check.h"

#define E(call, err) ((call) == -1 && errno == (err))

/* Not in musl 1.2.3: statx and renameat2 through syscall(). */
struct statx_ts { int64_t tv_sec; uint32_t tv_nsec; int32_t pad; };
struct statx_ {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, pad0;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t spare[14];
};
#define STATX_BASIC_STATS 0x7ffu
#define STATX_BTIME 0x800u
#define STATX_ALL 0xfffu
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define statx(d, p, f, m, b) syscall(SYS_statx, d, p, f, m, b)
#define renameat2(a, b, c, d, f) syscall(SYS_renameat2, a, b, c, d, f)

static int put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	ssize_t n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* The whole file as a string (static buffer), or "<errno>" */
static const char *get(const char *path)
{
	static char buf[512];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0) {
		snprintf(buf, sizeof(buf), "<%s>", strerror(errno));
		return buf;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

static void test_roundtrip(void)
{
	struct stat st;
	char buf[64];

	CHECK(mkdir("/t", 0755) == 0);
	CHECK(put("/t/a", "hello, file\n") == 0);
	CHECK(rename("/t/a", "/t/b") == 0);
	CHECK(!strcmp(get("/t/b"), "hello, file\n"));
	CHECK(E(open("/t/a", O_RDONLY), ENOENT));
	CHECK(stat("/t/b", &st) == 0 && st.st_size == 12 && S_ISREG(st.st_mode));
	CHECK((st.st_mode & 0777) == (0644 & ~022));
	CHECK(st.st_nlink == 1 && st.st_blksize == 4096 && st.st_blocks == 8);
	CHECK(unlink("/t/b") == 0);
	CHECK(E(stat("/t/b", &st), ENOENT));
	CHECK(E(unlink("/t/b"), ENOENT));

	/* Read and write at offsets, holes, lseek past the end. */
	int fd = open("/t/h", O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	CHECK(pwrite(fd, "xyz", 3, 10000) == 3);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 10003 && st.st_blocks == 8);
	CHECK(pread(fd, buf, 4, 9998) == 4 && !memcmp(buf, "\0\0xy", 4));
	CHECK(lseek(fd, 0, SEEK_END) == 10003);
	CHECK(lseek(fd, 5000, SEEK_CUR) == 15003);
	CHECK(write(fd, "!", 1) == 1);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 15004);
	CHECK(ftruncate(fd, 2) == 0 || errno == ENOSYS);
	CHECK(close(fd) == 0);
	CHECK(E(open("/t/h", O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST));
	CHECK(unlink("/t/h") == 0);

	/* An unlinked file stays readable through its descriptor. */
	CHECK(put("/t/u", "still here") == 0);
	fd = open("/t/u", O_RDONLY);
	CHECK(unlink("/t/u") == 0);
	CHECK(read(fd, buf, sizeof(buf)) == 10 && !memcmp(buf, "still here", 10));
	CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0);
	close(fd);
}

static void test_open_flags(void)
{
	struct stat st;
	char buf[64];
	int fd, fd2;

	CHECK(mkdir("/o", 0755) == 0);
	CHECK(put("/o/f", "0123456789") == 0);
	/* O_TRUNC, creat */
	fd = open("/o/f", O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0);
	close(fd);
	fd = creat("/o/c", 0600);
	CHECK(fd >= 0 && write(fd, "abc", 3) == 3);
	CHECK(E(read(fd, buf, 1), EBADF));
	close(fd);
	CHECK(stat("/o/c", &st) == 0 && (st.st_mode & 07777) == 0600);
	/* O_APPEND from two descriptors */
	fd = open("/o/c", O_WRONLY | O_APPEND);
	fd2 = open("/o/c", O_WRONLY | O_APPEND);
	CHECK(write(fd, "1", 1) == 1 && write(fd2, "2", 1) == 1 &&
	      write(fd, "3", 1) == 1);
	close(fd);
	close(fd2);
	CHECK(!strcmp(get("/o/c"), "abc123"));
	/* dup'd descriptors share the offset */
	fd = open("/o/c", O_RDONLY);
	fd2 = dup(fd);
	CHECK(read(fd, buf, 2) == 2 && read(fd2, buf, 2) == 2 &&
	      !memcmp(buf, "c1", 2));
	CHECK(lseek(fd2, 0, SEEK_CUR) == 4);
	close(fd);
	close(fd2);
	/* Directories */
	CHECK(E(open("/o", O_WRONLY), EISDIR));
	CHECK(E(open("/o", O_RDWR), EISDIR));
	CHECK(E(open("/o", O_RDONLY | O_CREAT, 0644), EISDIR));
	fd = open("/o", O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0 && E(read(fd, buf, 1), EISDIR));
	close(fd);
	CHECK(E(open("/o/c", O_RDONLY | O_DIRECTORY), ENOTDIR));
	CHECK(E(open("/o/c/", O_RDONLY), ENOTDIR));
	CHECK(E(open("/o/c/x", O_RDONLY), ENOTDIR));
	CHECK(E(open("/o/new/", O_RDWR | O_CREAT, 0644), EISDIR));
	CHECK(E(open("/nonexistent/x", O_RDWR | O_CREAT, 0644), ENOENT));
	CHECK(E(open("", O_RDONLY), ENOENT));
	CHECK(E(open(NULL, O_RDONLY), EFAULT));
	/* O_NOFOLLOW, O_PATH */
	CHECK(symlink("c", "/o/l") == 0);
	CHECK(E(open("/o/l", O_RDONLY | O_NOFOLLOW), ELOOP));
	fd = open("/o/l", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, 3) == 3 && !memcmp(buf, "abc", 3));
	close(fd);
	fd = open("/o/l", O_PATH | O_NOFOLLOW);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(E(read(fd, buf, 1), EBADF));
	close(fd);
	fd = open("/o", O_PATH);
	CHECK(fd >= 0 && fstatat(fd, "c", &st, 0) == 0 && st.st_size == 6);
	close(fd);
	/* O_CREAT through a symlink to an existing file opens it */
	fd = open("/o/l", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0 && read(fd, buf, 1) == 1 && buf[0] == 'a');
	close(fd);
	CHECK(E(open("/o/l", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST));
	/* ... and through a dangling one makes its target (Linux) */
	CHECK(symlink("made/by/link", "/o/dl") == 0 && mkdir("/o/made", 0755) == 0);
	CHECK(E(open("/o/dl", O_RDWR | O_CREAT, 0644), ENOENT));
	CHECK(mkdir("/o/made/by", 0755) == 0);
	CHECK(symlink("/o/dl", "/o/dl2") == 0);
	fd = open("/o/dl2", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0 && stat("/o/made/by/link", &st) == 0 && S_ISREG(st.st_mode));
	close(fd);
	CHECK(E(open("/o/dl", O_RDWR | O_CREAT | O_NOFOLLOW, 0644), ELOOP));
	/* O_CLOEXEC */
	fd = open("/o/c", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY);
	close(fd);
	fd = open("/o/c", O_RDONLY | O_NONBLOCK);
	CHECK(fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK));
	close(fd);
	/* openat */
	int dfd = open("/o", O_RDONLY | O_DIRECTORY);
	fd = openat(dfd, "c", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(E(openat(fd, "c", O_RDONLY), ENOTDIR));
	CHECK(E(openat(999, "c", O_RDONLY), EBADF));
	fd2 = openat(999, "/o/c", O_RDONLY); /* absolute: fd ignored */
	CHECK(fd2 >= 0);
	close(fd2);
	close(fd);
	close(dfd);
	/* umask */
	mode_t old = umask(077);
	CHECK(old == 022);
	fd = open("/o/m", O_CREAT | O_WRONLY, 0666);
	CHECK(fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600);
	close(fd);
	CHECK(umask(old) == 077);
	/* O_TMPFILE */
	fd = open("/o", O_TMPFILE | O_RDWR, 0600);
	CHECK(fd >= 0 && write(fd, "tmp", 3) == 3);
	CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0 && st.st_size == 3);
	close(fd);
}

static void test_stat(void)
{
	struct stat st, st2;
	struct statx_ sx;
	int fd;

	CHECK(stat("/", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(put("/o/s", "12345") == 0);
	CHECK(symlink("/o/s", "/o/sl") == 0);
	CHECK(stat("/o/sl", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 5);
	CHECK(lstat("/o/sl", &st2) == 0 && S_ISLNK(st2.st_mode) && st2.st_size == 4);
	CHECK(st.st_ino != st2.st_ino && st.st_dev == st2.st_dev);
	CHECK(fstatat(AT_FDCWD, "/o/sl", &st2, AT_SYMLINK_NOFOLLOW) == 0 &&
	      S_ISLNK(st2.st_mode));
	CHECK(E(fstatat(AT_FDCWD, "/o/sl", &st2, 0x4000000), EINVAL));
	fd = open("/o/s", O_RDONLY);
	CHECK(fstatat(fd, "", &st2, AT_EMPTY_PATH) == 0 && st2.st_ino == st.st_ino);
	CHECK(E(fstatat(fd, "", &st2, 0), ENOENT));
	CHECK(statx(fd, "", AT_EMPTY_PATH, STATX_ALL, &sx) == 0);
	CHECK(sx.stx_ino == st.st_ino && sx.stx_size == 5);
	CHECK((sx.stx_mask & (STATX_BASIC_STATS | STATX_BTIME)) ==
	      (STATX_BASIC_STATS | STATX_BTIME));
	CHECK(sx.stx_btime.tv_sec > 1000000000);
	CHECK(statx(AT_FDCWD, "/o/sl", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS,
		    &sx) == 0 && S_ISLNK(sx.stx_mode));
	close(fd);
	CHECK(E(fstat(fd, &st), EBADF));
	int p[2];
	CHECK(pipe(p) == 0 && fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode));
	close(p[0]);
	close(p[1]);
	CHECK(E(stat("/o/nope", &st), ENOENT));
	CHECK(E(stat("/o/s/x", &st), ENOTDIR));
	CHECK(E(stat((char *)16, &st), EFAULT));
	/* access */
	CHECK(access("/o/s", F_OK) == 0 && access("/o/s", R_OK | W_OK) == 0);
	CHECK(E(access("/o/s", X_OK), EACCES)); /* root needs an x bit */
	CHECK(access("/o", X_OK) == 0);
	CHECK(E(access("/o/nope", F_OK), ENOENT));
	CHECK(E(access("/o/s", 8), EINVAL));
	CHECK(faccessat(AT_FDCWD, "/o/sl", R_OK, AT_EACCESS) == 0);
	CHECK(syscall(SYS_faccessat2, AT_FDCWD, "/o/sl", F_OK,
		      AT_SYMLINK_NOFOLLOW) == 0);
	/* time stamps: a write moves mtime and ctime */
	CHECK(stat("/o/s", &st) == 0);
	usleep(20000);
	CHECK(put("/o/s", "changed") == 0);
	CHECK(stat("/o/s", &st2) == 0);
	CHECK(st2.st_mtim.tv_sec * 1000000000LL + st2.st_mtim.tv_nsec >
	      st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec);
	CHECK(st2.st_ctim.tv_sec >= st.st_ctim.tv_sec);
}

static void test_dirs(void)
{
	struct stat st;
	char buf[PATH_MAX + 16];

	CHECK(mkdir("/d", 0755) == 0);
	CHECK(E(mkdir("/d", 0755), EEXIST));
	CHECK(mkdir("/d/sub/", 0700) == 0); /* trailing slash */
	CHECK(stat("/d", &st) == 0 && st.st_nlink == 3);
	CHECK(E(mkdir("/d/nope/x", 0755), ENOENT));
	CHECK(E(mkdir("/o/s/x", 0755), ENOTDIR));
	CHECK(E(mkdir("/", 0755), EEXIST));
	CHECK(E(mkdir("/d/.", 0755), EEXIST));
	CHECK(put("/d/sub/f", "x") == 0);
	CHECK(E(rmdir("/d/sub"), ENOTEMPTY));
	CHECK(E(rmdir("/d/sub/f"), ENOTDIR));
	CHECK(E(unlink("/d/sub"), EISDIR));
	CHECK(E(unlink("/d/sub/f/"), ENOTDIR));
	CHECK(E(rmdir("/d/sub/."), EINVAL));
	CHECK(E(rmdir("/d/sub/.."), ENOTEMPTY));
	CHECK(E(rmdir("/"), EBUSY));
	CHECK(E(rmdir("/dev"), EBUSY)); /* a mount point */
	CHECK(unlinkat(AT_FDCWD, "/d/sub/f", 0) == 0);
	CHECK(E(unlinkat(AT_FDCWD, "/d/sub", 0), EISDIR));
	CHECK(E(unlinkat(AT_FDCWD, "/d/sub", 0x4), EINVAL));
	CHECK(unlinkat(AT_FDCWD, "/d/sub", AT_REMOVEDIR) == 0);
	CHECK(stat("/d", &st) == 0 && st.st_nlink == 2);
	int dfd = open("/d", O_RDONLY | O_DIRECTORY);
	CHECK(mkdirat(dfd, "at", 0755) == 0 && stat("/d/at", &st) == 0);
	CHECK(unlinkat(dfd, "at", AT_REMOVEDIR) == 0);
	close(dfd);
	/* ENAMETOOLONG */
	memset(buf, 'n', NAME_MAX + 1);
	buf[NAME_MAX + 1] = 0;
	CHECK(E(mkdir(buf, 0755), ENAMETOOLONG));
	CHECK(E(open(buf, O_RDONLY), ENAMETOOLONG));
	buf[NAME_MAX] = 0;
	CHECK(E(open(buf, O_RDONLY), ENOENT));
	memset(buf, '/', PATH_MAX + 1);
	buf[PATH_MAX + 1] = 0;
	CHECK(E(stat(buf, &st), ENAMETOOLONG));
	/* mknod */
	CHECK(mknod("/d/fifo", S_IFIFO | 0644, 0) == 0);
	CHECK(stat("/d/fifo", &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK(mknod("/d/null", S_IFCHR | 0666, makedev(1, 3)) == 0);
	CHECK(stat("/d/null", &st) == 0 && S_ISCHR(st.st_mode) &&
	      st.st_rdev == makedev(1, 3));
	int fd = open("/d/null", O_RDWR);
	CHECK(fd >= 0 && write(fd, "x", 1) == 1 && read(fd, buf, 1) == 0);
	close(fd);
	CHECK(mknod("/d/reg", 0644, 0) == 0 && stat("/d/reg", &st) == 0 &&
	      S_ISREG(st.st_mode));
	CHECK(E(mknod("/d/reg", S_IFREG | 0644, 0), EEXIST));
	CHECK(E(mknod("/d/bad", 0170000 | 0644, 0), EINVAL));
	CHECK(mknodat(AT_FDCWD, "/d/sock", S_IFSOCK | 0644, 0) == 0);
	CHECK(E(open("/d/sock", O_RDONLY), ENXIO));
}

static void test_links(void)
{
	struct stat st;
	char buf[64];

	CHECK(mkdir("/k", 0755) == 0);
	CHECK(put("/k/f", "data") == 0);
	CHECK(link("/k/f", "/k/g") == 0);
	CHECK(stat("/k/f", &st) == 0 && st.st_nlink == 2);
	CHECK(E(link("/k/f", "/k/g"), EEXIST));
	CHECK(E(link("/k", "/k/dl"), EPERM));
	CHECK(E(link("/k/nope", "/k/x"), ENOENT));
	CHECK(unlink("/k/f") == 0);
	CHECK(!strcmp(get("/k/g"), "data"));
	CHECK(stat("/k/g", &st) == 0 && st.st_nlink == 1);
	/* linkat: of a symlink itself, or what it points at */
	CHECK(symlink("g", "/k/s") == 0);
	CHECK(linkat(AT_FDCWD, "/k/s", AT_FDCWD, "/k/s2", 0) == 0);
	CHECK(lstat("/k/s2", &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(linkat(AT_FDCWD, "/k/s", AT_FDCWD, "/k/g2", AT_SYMLINK_FOLLOW) == 0);
	CHECK(lstat("/k/g2", &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 2);
	int fd = open("/k/g", O_RDONLY);
	CHECK(linkat(fd, "", AT_FDCWD, "/k/g3", AT_EMPTY_PATH) == 0);
	CHECK(stat("/k/g", &st) == 0 && st.st_nlink == 3);
	close(fd);
	/* readlink */
	CHECK(readlink("/k/s", buf, sizeof(buf)) == 1 && buf[0] == 'g');
	CHECK(symlink("/a/long/target", "/k/t") == 0);
	memset(buf, 'X', sizeof(buf));
	CHECK(readlink("/k/t", buf, 4) == 4 && !memcmp(buf, "/a/lX", 5));
	CHECK(E(readlink("/k/g", buf, sizeof(buf)), EINVAL));
	CHECK(E(readlink("/k/nope", buf, sizeof(buf)), ENOENT));
	CHECK(syscall(SYS_readlink, "/k/t", buf, 0) == -1 && errno == EINVAL);
	int dfd = open("/k", O_RDONLY);
	CHECK(readlinkat(dfd, "t", buf, sizeof(buf)) == 14);
	close(dfd);
	CHECK(E(symlink("x", "/k/t"), EEXIST));
	CHECK(E(symlink("", "/k/empty"), ENOENT));
	CHECK(symlinkat("dangling", AT_FDCWD, "/k/dang") == 0);
	CHECK(E(stat("/k/dang", &st), ENOENT));
	CHECK(lstat("/k/dang", &st) == 0);
	/* loops */
	CHECK(symlink("loop", "/k/loop") == 0);
	CHECK(E(open("/k/loop", O_RDONLY), ELOOP));
	CHECK(E(stat("/k/loop/x", &st), ELOOP));
	/* symlinks in the middle, relative and absolute */
	CHECK(mkdir("/k/dir", 0755) == 0 && put("/k/dir/in", "in") == 0);
	CHECK(symlink("dir", "/k/rel") == 0 && symlink("/k/dir", "/k/abs") == 0);
	CHECK(!strcmp(get("/k/rel/in"), "in"));
	CHECK(!strcmp(get("/k/abs/in"), "in"));
	CHECK(!strcmp(get("/k/abs/../g"), "data"));
}

static void test_rename(void)
{
	struct stat st, st2;

	CHECK(mkdir("/r", 0755) == 0);
	CHECK(put("/r/a", "A") == 0 && put("/r/b", "B") == 0);
	CHECK(rename("/r/a", "/r/b") == 0); /* replaces */
	CHECK(!strcmp(get("/r/b"), "A") && E(stat("/r/a", &st), ENOENT));
	CHECK(mkdir("/r/d", 0755) == 0 && mkdir("/r/e", 0755) == 0);
	CHECK(rename("/r/d", "/r/e") == 0); /* dir over empty dir */
	CHECK(E(stat("/r/d", &st), ENOENT) && stat("/r/e", &st) == 0);
	CHECK(mkdir("/r/f", 0755) == 0 && put("/r/e/x", "x") == 0);
	CHECK(E(rename("/r/f", "/r/e"), ENOTEMPTY));
	CHECK(E(rename("/r/b", "/r/f"), EISDIR));
	CHECK(E(rename("/r/f", "/r/b"), ENOTDIR));
	CHECK(E(rename("/r/e", "/r/e/x/y"), ENOTDIR));
	CHECK(mkdir("/r/e/in", 0755) == 0);
	CHECK(E(rename("/r/e", "/r/e/in/deeper"), EINVAL));
	CHECK(E(rename("/r/nope", "/r/x"), ENOENT));
	CHECK(E(rename("/r/b", "/r/nope/x"), ENOENT));
	CHECK(E(rename("/r/b/", "/r/c"), ENOTDIR));
	CHECK(E(rename("/r/.", "/r/c"), EBUSY));
	CHECK(rename("/r/e/", "/r/e2/") == 0);
	CHECK(stat("/r/e2/x", &st) == 0);
	/* Same file: nothing happens */
	CHECK(link("/r/b", "/r/b2") == 0);
	CHECK(rename("/r/b", "/r/b2") == 0);
	CHECK(stat("/r/b", &st) == 0 && stat("/r/b2", &st2) == 0 &&
	      st.st_ino == st2.st_ino && st.st_nlink == 2);
	/* Across directories, with link counts */
	CHECK(rename("/r/e2/in", "/r/f/in") == 0);
	CHECK(stat("/r/e2", &st) == 0 && st.st_nlink == 2);
	CHECK(stat("/r/f", &st) == 0 && st.st_nlink == 3);
	/* renameat2 */
	CHECK(E(renameat2(AT_FDCWD, "/r/b", AT_FDCWD, "/r/b2", RENAME_NOREPLACE),
		EEXIST));
	CHECK(renameat2(AT_FDCWD, "/r/b", AT_FDCWD, "/r/new", RENAME_NOREPLACE) == 0);
	CHECK(put("/r/x1", "one") == 0 && put("/r/x2", "two") == 0);
	CHECK(renameat2(AT_FDCWD, "/r/x1", AT_FDCWD, "/r/x2", RENAME_EXCHANGE) == 0);
	CHECK(!strcmp(get("/r/x1"), "two") && !strcmp(get("/r/x2"), "one"));
	CHECK(E(renameat2(AT_FDCWD, "/r/x1", AT_FDCWD, "/r/none", RENAME_EXCHANGE),
		ENOENT));
	CHECK(E(renameat2(AT_FDCWD, "/r/x1", AT_FDCWD, "/r/x2",
			  RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL));
	int dfd = open("/r", O_RDONLY);
	CHECK(renameat(dfd, "x1", dfd, "x3") == 0 && !strcmp(get("/r/x3"), "two"));
	close(dfd);
}

static void test_getdents(void)
{
	char path[64], buf[512];
	int seen[100] = { 0 }, n = 0, dup = 0, bad = 0;

	CHECK(mkdir("/g", 0755) == 0);
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/g/file%d", i);
		put(path, "");
	}
	int fd = open("/g", O_RDONLY | O_DIRECTORY);
	/* Unlink each entry as it is listed, with small reads and a few new
	 * entries made on the way: each old entry is seen exactly once. */
	for (;;) {
		long len = syscall(SYS_getdents64, fd, buf, 200);
		if (len <= 0) {
			CHECK(len == 0);
			break;
		}
		for (long off = 0; off < len;) {
			struct dirent64 *de = (void *)(buf + off);
			int i;
			if (sscanf(de->d_name, "file%d", &i) == 1 && i >= 0 &&
			    i < 100) {
				if (seen[i]++)
					dup++;
				n++;
				if (de->d_type != DT_REG)
					bad++;
				snprintf(path, sizeof(path), "/g/%s", de->d_name);
				if (unlink(path))
					bad++;
				if (i % 10 == 0) {
					snprintf(path, sizeof(path), "/g/new%d", i);
					put(path, "");
				}
			} else if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
				   strncmp(de->d_name, "new", 3)) {
				bad++;
			}
			off += de->d_reclen;
		}
	}
	CHECK(n == 100 && dup == 0 && bad == 0);
	CHECK(syscall(SYS_getdents64, fd, buf, 10) == 0); /* at the end */
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(syscall(SYS_getdents64, fd, buf, 10) == -1 && errno == EINVAL);
	CHECK(syscall(SYS_getdents64, fd, buf, sizeof(buf)) > 0);
	close(fd);
	fd = open("/o/c", O_RDONLY);
	CHECK(syscall(SYS_getdents64, fd, buf, sizeof(buf)) == -1 && errno == ENOTDIR);
	close(fd);
	CHECK(syscall(SYS_getdents64, 999, buf, sizeof(buf)) == -1 && errno == EBADF);
	/* opendir/readdir/seekdir */
	DIR *d = opendir("/g");
	struct dirent *e;
	int count = 0, dots = 0;
	long pos = -1;
	CHECK(d != NULL);
	while ((e = readdir(d))) {
		count++;
		dots += !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
		if (count == 3)
			pos = telldir(d);
	}
	CHECK(count == 12 && dots == 2); /* . .. new0 ... new90 */
	seekdir(d, pos);
	int rest = 0;
	while (readdir(d))
		rest++;
	CHECK(rest == count - 3);
	rewinddir(d);
	CHECK(readdir(d) != NULL);
	closedir(d);
	CHECK(opendir("/o/c") == NULL && errno == ENOTDIR);
}

/* A big directory: every name found, listed once, removed. */
static void test_many(void)
{
	char path[64];
	struct stat st;
	int made = 0, found = 0, listed = 0, gone = 0;
	struct dirent *e;

	CHECK(mkdir("/many", 0755) == 0);
	for (int i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "/many/entry-%d", i);
		made += mknod(path, S_IFREG | 0644, 0) == 0;
	}
	for (int i = 2999; i >= 0; i--) {
		snprintf(path, sizeof(path), "/many/entry-%d", i);
		found += stat(path, &st) == 0;
	}
	DIR *d = opendir("/many");
	while (d && (e = readdir(d)))
		listed++;
	if (d)
		closedir(d);
	for (int i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "/many/entry-%d", i);
		gone += unlink(path) == 0;
	}
	CHECK(made == 3000 && found == 3000 && listed == 3002 && gone == 3000);
	CHECK(stat("/many/entry-7", &st) == -1 && rmdir("/many") == 0);
}

static void test_cwd(void)
{
	char buf[PATH_MAX];
	struct stat st;

	CHECK(getcwd(buf, sizeof(buf)) && !strcmp(buf, "/"));
	CHECK(mkdir("/w", 0755) == 0 && mkdir("/w/x", 0755) == 0 &&
	      mkdir("/w/x/y", 0755) == 0);
	CHECK(symlink("/w/x/y", "/w/ly") == 0);
	CHECK(chdir("/w/ly") == 0);
	CHECK(getcwd(buf, sizeof(buf)) && !strcmp(buf, "/w/x/y"));
	CHECK(chdir("..") == 0 && getcwd(buf, sizeof(buf)) && !strcmp(buf, "/w/x"));
	CHECK(put("here", "h") == 0 && stat("/w/x/here", &st) == 0);
	CHECK(chdir("../../..") == 0 && getcwd(buf, sizeof(buf)) &&
	      !strcmp(buf, "/"));
	CHECK(chdir("w/x/y/../../x/./y") == 0 && getcwd(buf, sizeof(buf)) &&
	      !strcmp(buf, "/w/x/y"));
	CHECK(syscall(SYS_getcwd, buf, 7) == 7);
	CHECK(getcwd(buf, 6) == NULL && errno == ERANGE);
	CHECK(E(chdir("/w/x/here"), ENOTDIR));
	CHECK(E(chdir("/w/nope"), ENOENT));
	int fd = open("/w", O_RDONLY | O_DIRECTORY);
	CHECK(fchdir(fd) == 0 && getcwd(buf, sizeof(buf)) && !strcmp(buf, "/w"));
	close(fd);
	fd = open("/w/x/here", O_RDONLY);
	CHECK(E(fchdir(fd), ENOTDIR));
	close(fd);
	CHECK(E(fchdir(999), EBADF));
	fd = open("/w/x", O_PATH);
	CHECK(fchdir(fd) == 0 && getcwd(buf, sizeof(buf)) && !strcmp(buf, "/w/x"));
	close(fd);
	/* A removed cwd */
	CHECK(mkdir("/w/gone", 0755) == 0 && chdir("/w/gone") == 0);
	CHECK(rmdir("/w/gone") == 0);
	CHECK(getcwd(buf, sizeof(buf)) == NULL && errno == ENOENT);
	fd = open(".", O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0 && syscall(SYS_getdents64, fd, buf, sizeof(buf)) == 0);
	close(fd);
	CHECK(E(open("f", O_CREAT | O_RDWR, 0644), ENOENT));
	CHECK(chdir("/") == 0);
	/* realpath */
	CHECK(realpath("/w/ly/../y/.", buf) && !strcmp(buf, "/w/x/y"));
	CHECK(realpath("/w/nope", buf) == NULL && errno == ENOENT);
}

static void test_stdio(void)
{
	char line[64];
	FILE *f = fopen("/tmp/stdio.txt", "w+");

	CHECK(f != NULL);
	CHECK(fprintf(f, "line one\nline %d\n", 2) == 16);
	CHECK(fseek(f, 0, SEEK_SET) == 0);
	CHECK(fgets(line, sizeof(line), f) && !strcmp(line, "line one\n"));
	CHECK(fgets(line, sizeof(line), f) && !strcmp(line, "line 2\n"));
	CHECK(fgets(line, sizeof(line), f) == NULL && feof(f));
	CHECK(fseek(f, 5, SEEK_SET) == 0 && fgetc(f) == 'o');
	CHECK(ftell(f) == 6);
	CHECK(fclose(f) == 0);
	f = fopen("/tmp/stdio.txt", "a");
	CHECK(f && fputs("three\n", f) >= 0 && fclose(f) == 0);
	CHECK(!strcmp(get("/tmp/stdio.txt"), "line one\nline 2\nthree\n"));
	CHECK(fopen("/tmp/none/x", "r") == NULL && errno == ENOENT);
	char tmpl[] = "/tmp/fs_treeXXXXXX";
	int fd = mkstemp(tmpl);
	CHECK(fd >= 0 && strncmp(tmpl, "/tmp/fs_tree", 12) == 0 &&
	      strcmp(tmpl + 12, "XXXXXX"));
	CHECK(write(fd, "t", 1) == 1 && close(fd) == 0);
	CHECK(unlink(tmpl) == 0);
	CHECK(remove("/tmp/stdio.txt") == 0);
}

static void test_emfile(void)
{
	struct rlimit rl = { 16, 16 }, old;
	int fds[32], n = 0, fd;

	CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	while (n < 32 && (fd = open("/", O_RDONLY)) >= 0)
		fds[n++] = fd;
	CHECK(n < 32 && errno == EMFILE);
	CHECK(n == 16 - 3);
	if (n != 13)
		printf("opened %d\n", n);
	CHECK(E(open("/o/c", O_RDONLY), EMFILE));
	CHECK(E(dup(0), EMFILE));
	while (n)
		close(fds[--n]);
	CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
	fd = open("/", O_RDONLY);
	CHECK(fd >= 0);
	close(fd);
}

int main(void)
{
	test_roundtrip();
	test_open_flags();
	test_stat();
	test_dirs();
	test_links();
	test_rename();
	test_getdents();
	test_many();
	test_cwd();
	test_stdio();
	test_emfile();
	return check_done();
}
