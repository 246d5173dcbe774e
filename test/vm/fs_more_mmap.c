/* fs_more_mmap.c - in-image test of file mappings and memfd: MAP_SHARED
 * writes seen by read() and pwrite() seen through the mapping, MAP_PRIVATE
 * copies (writes stay private, zeros past EOF), the access and type
 * errors, partial munmap, a mapping outliving its descriptor and its
 * name, msync, mremap growing and moving one, memfd_create with ftruncate and mmap, and
 * a truncation cutting a mapping short. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"

#define PG 4096
#define F "/tmp/mapped"

static int make_file(const char *path, size_t size)
{
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	char *buf = malloc(size);

	for (size_t i = 0; i < size; i++)
		buf[i] = (char)(i * 7 + 1);
	if (fd >= 0 && write(fd, buf, size) != (ssize_t)size) {
		close(fd);
		fd = -1;
	}
	free(buf);
	return fd;
}

static void test_shared(void)
{
	int fd = make_file(F, 3 * PG), fd2;
	char *m, c;

	CHECK(fd >= 0);
	m = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	if (m == MAP_FAILED)
		return;
	CHECK(m[0] == 1 && m[PG + 3] == (char)((PG + 3) * 7 + 1));
	m[10] = 'A';
	CHECK(pread(fd, &c, 1, 10) == 1 && c == 'A');
	CHECK(pwrite(fd, "B", 1, 2 * PG + 5) == 1 && m[2 * PG + 5] == 'B');
	/* Another mapping of the same page at an offset sees the same. */
	char *m2 = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 2 * PG);
	CHECK(m2 != MAP_FAILED && m2[5] == 'B');
	m[2 * PG + 6] = 'C';
	CHECK(m2[6] == 'C');
	CHECK(munmap(m2, PG) == 0);
	/* msync validates, and has nothing to write back. */
	CHECK(msync(m, 3 * PG, MS_SYNC) == 0 && msync(m, PG, MS_ASYNC) == 0);
	errno = 0;
	CHECK(msync(m, PG, MS_SYNC | MS_ASYNC) == -1 && errno == EINVAL);
	CHECK(msync(m + 1, PG, MS_SYNC) == -1 && errno == EINVAL);
	CHECK(msync(m, PG, 0x100) == -1 && errno == EINVAL);
	/* munmap of the middle page leaves the others working. */
	CHECK(munmap(m + PG, PG) == 0);
	m[0] = 'D';
	m[2 * PG] = 'E';
	CHECK(pread(fd, &c, 1, 0) == 1 && c == 'D');
	CHECK(pread(fd, &c, 1, 2 * PG) == 1 && c == 'E');
	CHECK(msync(m, 3 * PG, MS_SYNC) == -1 && errno == ENOMEM);
	/* mremap grows it in place with the file's next page (the hole),
	 * then moves it to grow further. */
	CHECK(mremap(m, PG, 2 * PG, 0) == m && m[PG + 3] == (char)((PG + 3) * 7 + 1));
	char *n = mremap(m, 2 * PG, 4 * PG, MREMAP_MAYMOVE);
	CHECK(n != MAP_FAILED && n != m && n[0] == 'D' && n[2 * PG] == 'E');
	/* Past EOF (SIGBUS there) until the file grows into it. */
	CHECK(pwrite(fd, "M", 1, 3 * PG) == 1 && n[3 * PG] == 'M');
	n[1] = 'N';
	CHECK(pread(fd, &c, 1, 1) == 1 && c == 'N');
	CHECK(mremap(n, PG, PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK(munmap(n, 4 * PG) == 0);
	/* The mapping outlives its descriptor and the file's name. */
	m[2 * PG + 1] = 'F';
	CHECK(close(fd) == 0);
	m[2 * PG + 2] = 'G';
	fd2 = open(F, O_RDONLY);
	CHECK(fd2 >= 0 && pread(fd2, &c, 1, 2 * PG + 2) == 1 && c == 'G');
	CHECK(unlink(F) == 0);
	close(fd2);
	m[2 * PG + 3] = 'H';
	CHECK(m[2 * PG + 1] == 'F' && m[2 * PG + 3] == 'H');
	CHECK(munmap(m + 2 * PG, PG) == 0);

	/* munmap, close, and the data is still in the file. */
	fd = make_file(F, PG);
	m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	strcpy(m + 100, "written through the mapping");
	CHECK(munmap(m, 2 * PG) == 0 && close(fd) == 0);
	char buf[64] = "";
	fd = open(F, O_RDONLY);
	CHECK(pread(fd, buf, sizeof(buf), 100) == sizeof(buf) &&
	      !strcmp(buf, "written through the mapping"));
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && st.st_size == PG);
	close(fd);
	unlink(F);
}

static void test_private(void)
{
	int fd = make_file(F, 5000), ro = open(F, O_RDONLY);
	char *m, c;

	m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED);
	if (m == MAP_FAILED)
		return;
	CHECK(m[4999] == (char)(4999 * 7 + 1) && m[5000] == 0 &&
	      m[2 * PG - 1] == 0);
	m[0] = 'P';
	CHECK(pread(fd, &c, 1, 0) == 1 && c == 1);
	CHECK(pwrite(fd, "Q", 1, 1) == 1 && m[1] == (char)8); /* a copy */
	CHECK(munmap(m, 2 * PG) == 0);
	/* A read-only descriptor maps privately for writing. */
	m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, PG);
	CHECK(m != MAP_FAILED && m[0] == (char)(PG * 7 + 1));
	m[0] = 0;
	CHECK(pread(ro, &c, 1, PG) == 1 && c == (char)(PG * 7 + 1));
	CHECK(munmap(m, PG) == 0);
	/* Reserved then filled in place, as loaders do. */
	m = mmap(NULL, 3 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(mmap(m + PG, PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, ro, 0) ==
	      m + PG);
	CHECK(m[PG + 1] == 'Q');
	CHECK(munmap(m, 3 * PG) == 0);

	/* Errors. */
	int p[2];
	errno = 0;
	CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) ==
	      MAP_FAILED && errno == EACCES);
	m = mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
	CHECK(m != MAP_FAILED);
	CHECK(mprotect(m, PG, PROT_READ | PROT_WRITE) == -1 && errno == EACCES);
	CHECK(munmap(m, PG) == 0);
	int wo = open(F, O_WRONLY);
	CHECK(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, wo, 0) == MAP_FAILED &&
	      errno == EACCES);
	close(wo);
	CHECK(pipe(p) == 0);
	CHECK(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, p[0], 0) == MAP_FAILED &&
	      errno == ENODEV);
	close(p[0]);
	close(p[1]);
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, dir, 0) == MAP_FAILED &&
	      errno == ENODEV);
	close(dir);
	CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED, -1, 0) == MAP_FAILED &&
	      errno == EBADF);
	CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED, 77, 0) == MAP_FAILED &&
	      errno == EBADF);
	CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 100) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK(mmap(NULL, 0, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED &&
	      errno == EINVAL);
	close(ro);
	close(fd);
	unlink(F);
}

static sigjmp_buf jb;

static void on_segv(int sig)
{
	siglongjmp(jb, sig);
}

/* Truncating below a mapping takes the pages past the new end out of it
 * (a touch raises SIGBUS, as on Linux); growing brings them back. */
static void test_shrink(void)
{
	struct sigaction sa = { .sa_handler = on_segv }, old;
	int fd = memfd_create("shrink", 0);
	volatile char *m;

	CHECK(ftruncate(fd, 3 * PG) == 0);
	m = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	m[PG] = 'a';
	m[2 * PG] = 'b';
	CHECK(ftruncate(fd, PG + 1) == 0);
	CHECK(m[PG] == 'a'); /* the page holding the end stays */
	sigaction(SIGBUS, &sa, &old);
	int sig = sigsetjmp(jb, 1);
	if (!sig)
		(void)m[2 * PG];
	CHECK(sig == SIGBUS);
	sigaction(SIGBUS, &old, NULL);
	/* Grown again, the file reads zeros there, and so does the mapping. */
	char c = 1;
	CHECK(ftruncate(fd, 3 * PG) == 0 && pread(fd, &c, 1, 2 * PG) == 1 &&
	      c == 0 && m[2 * PG] == 0);
	m[2 * PG] = 'c';
	CHECK(pread(fd, &c, 1, 2 * PG) == 1 && c == 'c');
	CHECK(munmap((void *)m, 3 * PG) == 0);
	close(fd);
}

static void test_memfd(void)
{
	int fd = memfd_create("test", MFD_CLOEXEC), fd2;
	char name[300], *m, c;
	struct stat st;

	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 &&
	      st.st_nlink == 0);
	CHECK(ftruncate(fd, 2 * PG) == 0);
	m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	if (m != MAP_FAILED) {
		strcpy(m + PG, "memfd");
		CHECK(pread(fd, name, 6, PG) == 6 && !strcmp(name, "memfd"));
		CHECK(pwrite(fd, "Z", 1, 0) == 1 && m[0] == 'Z');
		/* Closed, the file lives on in the mapping. */
		CHECK(close(fd) == 0);
		m[1] = 'Y';
		CHECK(m[0] == 'Z' && m[1] == 'Y');
		CHECK(munmap(m, 2 * PG) == 0);
	}
	fd = memfd_create("", MFD_ALLOW_SEALING);
	CHECK(fd >= 0 && fcntl(fd, F_GETFD) == 0);
	CHECK(write(fd, "abc", 3) == 3 && pread(fd, &c, 1, 2) == 1 && c == 'c');
	/* Seals are not implemented: EINVAL, as fcntl for any unknown cmd. */
	errno = 0;
	CHECK(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == -1 && errno == EINVAL);
	fd2 = memfd_create("other", 0);
	CHECK(fd2 >= 0 && fd2 != fd);
	{
		char path[64], link[64];
		ssize_t n;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd2);
		n = readlink(path, link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = 0;
		CHECK(strcmp(link, "/memfd:other (deleted)") == 0);
	}
	CHECK(pread(fd2, &c, 1, 2) == 0); /* a separate file */
	close(fd2);
	close(fd);
	memset(name, 'n', 249);
	name[249] = 0;
	fd = memfd_create(name, 0);
	CHECK(fd >= 0);
	close(fd);
	name[249] = 'n';
	name[250] = 0;
	CHECK(memfd_create(name, 0) == -1 && errno == EINVAL);
	CHECK(memfd_create("x", 0x100) == -1 && errno == EINVAL);
	CHECK(memfd_create((char *)16, 0) == -1 && errno == EFAULT);
}

int main(void)
{
	test_shared();
	test_private();
	test_memfd();
	test_shrink();
	return check_done();
}
