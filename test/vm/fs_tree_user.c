/*
 * fs_tree_user.c - the file tree seen by an unprivileged process (booted
 * as root, which leaves a few files in /tmp, then drops to uid 1000, gid
 * 100 for good): permission bits decide (EACCES), new
 * files belong to the caller, the sticky bit of /tmp protects other
 * users' entries, and set-group-ID directories hand down their group.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "check.h"

#define E(call, err) ((call) == -1 && errno == (err))

int main(void)
{
	struct stat st;
	int fd;

	/* As root: entries of root's in sticky, world-writable /tmp. */
	fd = open("/tmp/roots", O_CREAT | O_RDWR, 0666);
	CHECK(fd >= 0 && fchmod(fd, 0666) == 0);
	close(fd);
	CHECK(mkdir("/tmp/sgid", 02777) == 0 && chown("/tmp/sgid", 0, 42) == 0 &&
	      chmod("/tmp/sgid", 02777) == 0);
	CHECK(setgid(100) == 0 && setuid(1000) == 0);
	CHECK(geteuid() == 1000 && getegid() == 100);
	/* Root's files: readable where the bits say so, never writable. */
	CHECK(stat("/etc/passwd", &st) == 0 && st.st_uid == 0);
	fd = open("/etc/passwd", O_RDONLY);
	CHECK(fd >= 0);
	close(fd);
	CHECK(E(open("/etc/passwd", O_WRONLY), EACCES));
	CHECK(E(open("/etc/passwd", O_RDONLY | O_TRUNC), EACCES));
	CHECK(E(access("/etc/passwd", W_OK), EACCES));
	CHECK(access("/etc/passwd", R_OK) == 0);
	CHECK(E(open("/etc/new", O_CREAT | O_WRONLY, 0644), EACCES));
	CHECK(E(mkdir("/etc/d", 0755), EACCES));
	CHECK(E(unlink("/etc/passwd"), EACCES));
	CHECK(E(rename("/etc/passwd", "/tmp/p"), EACCES));
	CHECK(E(symlink("x", "/etc/l"), EACCES));
	CHECK(E(mknod("/tmp/dev", S_IFCHR | 0600, makedev(1, 3)), EPERM));
	CHECK(mknod("/tmp/fifo", S_IFIFO | 0600, 0) == 0 && unlink("/tmp/fifo") == 0);

	/* Own files in /tmp */
	fd = open("/tmp/mine", O_CREAT | O_RDWR, 0600);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == 1000 &&
	      st.st_gid == 100);
	close(fd);
	CHECK(mkdir("/tmp/md", 0700) == 0 && stat("/tmp/md", &st) == 0 &&
	      st.st_uid == 1000);
	/* Permission bits of one's own files */
	CHECK(chmod("/tmp/mine", 0400) == 0);
	CHECK(E(open("/tmp/mine", O_WRONLY), EACCES));
	CHECK(chmod("/tmp/mine", 0200) == 0);
	CHECK(E(open("/tmp/mine", O_RDONLY), EACCES));
	CHECK(chmod("/tmp/mine", 0600) == 0);
	CHECK(E(execve("/tmp/mine", (char *[]){ NULL }, NULL), EACCES) ||
	      errno == ENOSYS);
	CHECK(chmod("/tmp/md", 0600) == 0);         /* no search bit */
	CHECK(E(stat("/tmp/md/x", &st), EACCES));
	CHECK(E(chdir("/tmp/md"), EACCES));
	CHECK(chmod("/tmp/md", 0500) == 0);         /* no write bit */
	CHECK(E(open("/tmp/md/x", O_CREAT | O_RDWR, 0600), EACCES));
	CHECK(chmod("/tmp/md", 0700) == 0);
	CHECK(rmdir("/tmp/md") == 0);

	/* Sticky /tmp: root's entry stays, even though /tmp is writable
	 * and the file itself is; one's own entry goes. */
	CHECK(stat("/tmp", &st) == 0 && (st.st_mode & S_ISVTX));
	fd = open("/tmp/roots", O_RDWR);
	CHECK(fd >= 0 && write(fd, "w", 1) == 1);
	close(fd);
	CHECK(E(unlink("/tmp/roots"), EPERM));
	CHECK(E(rename("/tmp/roots", "/tmp/moved"), EPERM));
	CHECK(E(rename("/tmp/mine", "/tmp/roots"), EPERM));
	CHECK(rename("/tmp/mine", "/tmp/mine2") == 0);
	CHECK(unlink("/tmp/mine2") == 0);

	/* A set-group-ID directory gives its group to what is made in it. */
	CHECK(mkdir("/tmp/sgid/sub", 0755) == 0 && stat("/tmp/sgid/sub", &st) == 0);
	CHECK(st.st_gid == 42 && (st.st_mode & S_ISGID) && st.st_uid == 1000);
	fd = open("/tmp/sgid/f", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_gid == 42);
	close(fd);

	/* Root-owned, world-writable, sticky: /dev/shm */
	if (stat("/dev/shm", &st) == 0 && (st.st_mode & S_ISVTX)) {
		fd = open("/dev/shm/x", O_CREAT | O_RDWR, 0644);
		CHECK(fd >= 0);
		close(fd);
		CHECK(unlink("/dev/shm/x") == 0);
	}
	return check_done();
}
