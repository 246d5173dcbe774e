/* mm_filemap.c - in-image test of a shared file mapping at the file's
 * end (src/kernel/mm/mmap_file.c, sys_mman.c, fault.c): a touch past the
 * page holding the last byte raises SIGBUS (si_code BUS_ADRERR, si_addr
 * the address), the page holding the end works, the file growing by
 * ftruncate or by a write brings pages in, shrinking takes them out again,
 * mprotect leaves them out; a private mapping's pages wholly past the end
 * raise SIGBUS too; and the time stamps: mmap marks st_atime,
 * msync after a write through the mapping marks st_mtime and st_ctime.
 * Also that /var/tmp exists (src/kernel/fs/initfs.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

#define PG 4096

static sigjmp_buf jb;
static volatile void *fault_addr;
static volatile int fault_code;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_addr = si->si_addr;
	fault_code = si->si_code;
	siglongjmp(jb, sig);
}

/* The signal a read (or write) of *p raises, 0 for none. */
static int touch(volatile char *p, int write)
{
	int sig = sigsetjmp(jb, 1);

	if (!sig) {
		if (write)
			*p = 'w';
		else
			(void)*p;
	}
	return sig;
}

static void test_sigbus(void)
{
	int fd = open("/tmp/mm_filemap", O_CREAT | O_RDWR | O_TRUNC, 0600);
	volatile char *m;
	char c;

	CHECK(fd >= 0 && ftruncate(fd, PG / 2) == 0);
	m = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	if (m == MAP_FAILED)
		return;
	/* The page holding the end: all of it, past the end too. */
	CHECK(touch(m + PG / 2 + 10, 1) == 0 && m[PG / 2 + 10] == 'w');
	CHECK(touch(m + PG + 1, 0) == SIGBUS && fault_addr == m + PG + 1 &&
	      fault_code == BUS_ADRERR);
	CHECK(touch(m + 2 * PG, 1) == SIGBUS);
	/* mprotect does not make them accessible. */
	CHECK(mprotect((void *)m, 3 * PG, PROT_READ) == 0);
	CHECK(touch(m + PG, 0) == SIGBUS);
	CHECK(touch(m, 1) == SIGSEGV); /* read-only now: a SIGSEGV */
	CHECK(mprotect((void *)m, 3 * PG, PROT_READ | PROT_WRITE) == 0);
	/* ftruncate grows the file: the next page comes in, zeroed. */
	CHECK(ftruncate(fd, PG + 200) == 0);
	CHECK(touch(m + PG + 100, 0) == 0 && m[PG + 100] == 0);
	m[PG + 100] = 'x';
	CHECK(pread(fd, &c, 1, PG + 100) == 1 && c == 'x');
	CHECK(touch(m + 2 * PG, 0) == SIGBUS);
	/* A write past the end grows it too. */
	CHECK(pwrite(fd, "y", 1, 2 * PG + 7) == 1);
	CHECK(touch(m + 2 * PG + 7, 0) == 0 && m[2 * PG + 7] == 'y');
	/* Shrinking takes the pages out again, keeping the data below. */
	CHECK(ftruncate(fd, 10) == 0);
	CHECK(touch(m + PG, 0) == SIGBUS && touch(m + 5, 0) == 0);
	/* A mapping made at an offset past the end: all SIGBUS. */
	volatile char *o = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 4 * PG);
	CHECK(o != MAP_FAILED && touch(o, 0) == SIGBUS);
	CHECK(touch(o, 1) == SIGSEGV); /* a write there is not allowed */
	CHECK(munmap((void *)o, PG) == 0 && munmap((void *)m, 3 * PG) == 0);
	/* A private mapping is a copy: zeros after the end in the page
	 * holding it, SIGBUS on the pages wholly past it, mprotect or not. */
	CHECK(pwrite(fd, "Z", 1, 5) == 1);
	volatile char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE,
				MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED && p[5] == 'Z' && p[PG - 1] == 0);
	CHECK(touch(p + PG, 0) == SIGBUS && fault_code == BUS_ADRERR &&
	      touch(p + 2 * PG + 1, 1) == SIGBUS);
	CHECK(mprotect((void *)p, 3 * PG, PROT_READ) == 0 &&
	      touch(p + PG, 0) == SIGBUS && touch(p, 1) == SIGSEGV);
	CHECK(munmap((void *)p, 3 * PG) == 0);
	close(fd);
	unlink("/tmp/mm_filemap");
}

static void test_times(void)
{
	int fd = open("/var/tmp/mm_times", O_CREAT | O_RDWR | O_TRUNC, 0600);
	struct stat a, b;
	char *m;

	CHECK(fd >= 0 && write(fd, "0123456789", 10) == 10);
	CHECK(fstat(fd, &a) == 0);
	sleep(1);
	m = mmap(NULL, 10, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	if (m == MAP_FAILED)
		return;
	CHECK(fstat(fd, &b) == 0 && b.st_atime > a.st_atime);
	/* Not written yet: msync marks nothing. */
	CHECK(msync(m, 10, MS_SYNC) == 0 && fstat(fd, &b) == 0 &&
	      b.st_mtime == a.st_mtime && b.st_ctime == a.st_ctime);
	sleep(1);
	m[3] = 'X';
	CHECK(msync(m, 10, MS_ASYNC) == 0 && fstat(fd, &b) == 0 &&
	      b.st_mtime > a.st_mtime && b.st_ctime > a.st_ctime);
	/* Written, then unmapped without msync: marked all the same. */
	a = b;
	sleep(1);
	m[4] = 'Y';
	CHECK(munmap(m, 10) == 0 && fstat(fd, &b) == 0 &&
	      b.st_mtime > a.st_mtime);
	close(fd);
	CHECK(unlink("/var/tmp/mm_times") == 0);
}

static void test_var_tmp(void)
{
	struct stat st;

	CHECK(stat("/var/tmp", &st) == 0 && S_ISDIR(st.st_mode) &&
	      (st.st_mode & 07777) == 01777);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_fault,
				.sa_flags = SA_SIGINFO };

	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	test_var_tmp();
	test_sigbus();
	test_times();
	return check_done();
}
