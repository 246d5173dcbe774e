/*
 * fs_core.c - the descriptor layer every file type shares (issue 4,
 * src/kernel/fs/sys_rw.c and fdtable.c): dup/dup2/dup3 sharing offset and
 * status flags but not FD_CLOEXEC, fcntl, close_range, vector and
 * positional I/O, lseek, EBADF/EINVAL/ESPIPE cases, the console's ioctls,
 * and RLIMIT_NOFILE enforced as EMFILE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <termios.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "check.h"

/* musl 1.2.3 has no close_range() wrapper yet. */
#define CLOSE_RANGE_CLOEXEC (1U << 2)
static int close_range(unsigned first, unsigned last, unsigned flags)
{
	return (int)syscall(SYS_close_range, first, last, flags);
}

int main(void)
{
	char buf[64];
	int fd = open("/tmp/core", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 3);

	/* writev over several buffers, an empty one included */
	struct iovec w[3] = { { "abc", 3 }, { "", 0 }, { "defgh", 5 } };
	CHECK(writev(fd, w, 3) == 8);
	CHECK(lseek(fd, 0, SEEK_CUR) == 8);
	CHECK(lseek(fd, 0, SEEK_END) == 8);
	CHECK(lseek(fd, -1, SEEK_SET) == -1 && errno == EINVAL);
	CHECK(lseek(fd, 0, 42) == -1 && errno == EINVAL);

	/* pread/pwrite leave the offset alone */
	CHECK(pread(fd, buf, 3, 2) == 3 && memcmp(buf, "cde", 3) == 0);
	CHECK(pwrite(fd, "XY", 2, 1) == 2);
	CHECK(lseek(fd, 0, SEEK_CUR) == 8);
	CHECK(pread(fd, buf, 1, -1) == -1 && errno == EINVAL);

	/* readv splits across buffers */
	char a[2], b[10];
	struct iovec r[2] = { { a, 2 }, { b, sizeof(b) } };
	lseek(fd, 0, SEEK_SET);
	CHECK(readv(fd, r, 2) == 8 && memcmp(a, "aX", 2) == 0 &&
	      memcmp(b, "Ydefgh", 6) == 0);
	struct iovec bad[1] = { { buf, (size_t)-1 } };
	CHECK(readv(fd, bad, 1) == -1 && errno == EINVAL);
	CHECK(readv(fd, r, -1) == -1 && errno == EINVAL);
	CHECK(readv(fd, (struct iovec *)8, 1) == -1 && errno == EFAULT);
	CHECK(read(fd, (char *)8, 4) == 0); /* at EOF nothing is touched */
	lseek(fd, 0, SEEK_SET);
	CHECK(read(fd, (char *)8, 4) == -1 && errno == EFAULT);
	CHECK(preadv(fd, r, 2, 6) == 2 && memcmp(a, "gh", 2) == 0);

	/* dup shares the offset and status flags, not FD_CLOEXEC */
	int d = dup(fd);
	CHECK(d > fd);
	lseek(fd, 5, SEEK_SET);
	CHECK(lseek(d, 0, SEEK_CUR) == 5);
	CHECK(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK) == 0);
	CHECK((fcntl(d, F_GETFL) & (O_APPEND | O_NONBLOCK)) ==
	      (O_APPEND | O_NONBLOCK));
	CHECK((fcntl(d, F_GETFL) & O_ACCMODE) == O_RDWR);
	CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0);
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC && fcntl(d, F_GETFD) == 0);
	CHECK(write(d, "Z", 1) == 1 && lseek(fd, 0, SEEK_CUR) == 9);
	CHECK(fcntl(fd, F_SETFL, O_ASYNC) == -1 && errno == EINVAL);
	CHECK(fcntl(fd, 12345) == -1 && errno == EINVAL);

	/* dup2/dup3/F_DUPFD */
	CHECK(dup2(fd, fd) == fd);
	CHECK(dup2(fd, 40) == 40 && fcntl(40, F_GETFD) == 0);
	CHECK(dup3(fd, 41, O_CLOEXEC) == 41 && fcntl(41, F_GETFD) == FD_CLOEXEC);
	CHECK(dup3(fd, fd, 0) == -1 && errno == EINVAL);
	CHECK(syscall(SYS_dup3, fd, 42, O_APPEND) == -1 && errno == EINVAL);
	CHECK(fcntl(fd, F_DUPFD, 30) == 30);
	CHECK(fcntl(fd, F_DUPFD_CLOEXEC, 30) == 31 &&
	      fcntl(31, F_GETFD) == FD_CLOEXEC);
	CHECK(dup2(99999, 50) == -1 && errno == EBADF);
	CHECK(dup2(fd, -1) == -1 && errno == EBADF);
	CHECK(dup2(fd, 1 << 30) == -1 && errno == EBADF);
	CHECK(fcntl(fd, F_DUPFD, 1 << 30) == -1 && errno == EINVAL);

	/* close_range */
	CHECK(close_range(40, 41, CLOSE_RANGE_CLOEXEC) == 0);
	CHECK(fcntl(40, F_GETFD) == FD_CLOEXEC);
	CHECK(close_range(30, ~0U, 0) == 0);
	CHECK(fcntl(30, F_GETFD) == -1 && errno == EBADF);
	CHECK(fcntl(41, F_GETFD) == -1 && errno == EBADF);
	CHECK(close_range(5, 4, 0) == -1 && errno == EINVAL);
	CHECK(close(d) == 0 && close(d) == -1 && errno == EBADF);
	CHECK(lseek(fd, 0, SEEK_CUR) == 9); /* still open through fd */

	/* access modes are enforced */
	int ro = open("/tmp/core", O_RDONLY);
	CHECK(write(ro, "x", 1) == -1 && errno == EBADF);
	int wo = open("/tmp/core", O_WRONLY);
	CHECK(read(wo, buf, 1) == -1 && errno == EBADF);
	close(ro);
	close(wo);
	CHECK(read(-1, buf, 1) == -1 && errno == EBADF);
	CHECK(write(1000, buf, 1) == -1 && errno == EBADF);

	/* ioctl: FIONREAD on a file, FIONBIO, FIOCLEX; the console is a tty */
	int n = -1, on = 1;
	lseek(fd, 4, SEEK_SET);
	CHECK(ioctl(fd, FIONREAD, &n) == 0 && n == 5);
	CHECK(ioctl(fd, FIONBIO, &on) == 0);
	on = 0;
	CHECK(ioctl(fd, FIONBIO, &on) == 0 && !(fcntl(fd, F_GETFL) & O_NONBLOCK));
	CHECK(ioctl(fd, FIONCLEX) == 0 && fcntl(fd, F_GETFD) == 0);
	CHECK(ioctl(fd, TIOCGWINSZ, buf) == -1 && errno == ENOTTY);
	struct termios t;
	CHECK(isatty(1) && tcgetattr(0, &t) == 0 && !(t.c_lflag & ECHO));
	CHECK(tcsetattr(0, TCSANOW, &t) == 0); /* restoring raw is fine */
	t.c_lflag |= ECHO | ICANON;
	CHECK(tcsetattr(0, TCSANOW, &t) == -1 && errno == EINVAL);
	CHECK(lseek(1, 0, SEEK_CUR) == -1 && errno == ESPIPE);
	CHECK(pwrite(1, "x", 1, 0) == -1 && errno == ESPIPE);
	CHECK(fcntl(0, F_GETFL) & O_RDWR);

	/* /dev/zero maps as fresh anonymous memory, private or shared */
	int z = open("/dev/zero", O_RDWR);
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0);
	CHECK(m != MAP_FAILED && m[0] == 0 && m[8191] == 0);
	if (m != MAP_FAILED) {
		m[100] = 7;
		CHECK(munmap(m, 8192) == 0);
	}
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, z, 0);
	CHECK(m != MAP_FAILED && m[100] == 0);
	if (m != MAP_FAILED)
		munmap(m, 4096);
	close(z);
	int p[2];
	CHECK(pipe(p) == 0 &&
	      mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, p[0], 0) == MAP_FAILED &&
	      errno == ENODEV);
	close(p[0]);
	close(p[1]);

	/* RLIMIT_NOFILE is the table's limit */
	struct rlimit rl = { 20, 20 };
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	int last = -1, err = 0;
	for (int i = 0; i < 40; i++) {
		int x = dup(0);
		if (x < 0) {
			err = errno;
			break;
		}
		last = x;
	}
	CHECK(last == 19 && err == EMFILE);
	CHECK(dup2(0, 20) == -1 && errno == EBADF);
	CHECK(close_range(4, ~0U, 0) == 0);
	CHECK(dup(0) == 4);

	close(fd);
	return check_done();
}
