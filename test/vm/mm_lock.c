/* mm_lock.c - in-image test of memory locking (src/kernel/mm/sys_mman.c):
 * mlock, munlock, mlockall and munlockall mark ranges locked, which
 * msync(MS_INVALIDATE) refuses with EBUSY (POSIX, Linux); MCL_FUTURE
 * locks later mappings (and MAP_LOCKED one); munlockall undoes both;
 * locked pages refuse MADV_DONTNEED (EINVAL); unmapped ranges give ENOMEM
 * and bad flags EINVAL. Run with "nonroot" (uni-run -k uid=1000) it
 * checks RLIMIT_MEMLOCK as Linux applies it without CAP_IPC_LOCK: ENOMEM
 * beyond it for mlock and mlockall, EAGAIN for a locked mmap or mremap
 * growth, EPERM when it is 0 (mmap/18-1 of the POSIX suite). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include "check.h"

#define PG 4096

/* Is the page at p locked, as msync(MS_INVALIDATE) tells? */
static int locked(void *p)
{
	errno = 0;
	if (msync(p, PG, MS_SYNC | MS_INVALIDATE) == 0)
		return 0;
	return errno == EBUSY ? 1 : -1;
}

static int nonroot(void)
{
	struct rlimit rl = { 2 * PG, 2 * PG };
	char *m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *n;

	CHECK(getuid() != 0 && m != MAP_FAILED);
	CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
	errno = 0;
	CHECK(mlock(m, 3 * PG) == -1 && errno == ENOMEM && locked(m) == 0);
	CHECK(mlock(m, 2 * PG) == 0 && locked(m + PG) == 1);
	CHECK(mlock(m + PG, PG) == 0); /* already locked: no more */
	n = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED,
		 -1, 0);
	CHECK(n == MAP_FAILED && errno == EAGAIN);
	CHECK(munlock(m, PG) == 0);
	n = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED,
		 -1, 0);
	CHECK(n != MAP_FAILED && locked(n) == 1);
	/* Growing a locked range past the limit: EAGAIN. */
	errno = 0;
	CHECK(mremap(n, PG, 2 * PG, MREMAP_MAYMOVE) == MAP_FAILED &&
	      errno == EAGAIN);
	/* Everything mapped is far more than two pages. */
	CHECK(mlockall(MCL_CURRENT) == -1 && errno == ENOMEM);
	CHECK(mlockall(MCL_FUTURE) == 0);
	n = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(n == MAP_FAILED && errno == EAGAIN);
	CHECK(munlockall() == 0);
	rl.rlim_cur = 0;
	CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
	CHECK(mlock(m, PG) == -1 && errno == EPERM);
	CHECK(mlockall(MCL_FUTURE) == -1 && errno == EPERM);
	return check_done();
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "nonroot"))
		return nonroot();
	char *m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *n, *o;

	CHECK(m != MAP_FAILED);
	CHECK(locked(m) == 0 && locked(m + 3 * PG) == 0);
	/* mlock of a part (unaligned start): only those pages. */
	CHECK(mlock(m + PG + 10, PG) == 0);
	CHECK(locked(m) == 0 && locked(m + PG) == 1 && locked(m + 2 * PG) == 1 &&
	      locked(m + 3 * PG) == 0);
	CHECK(msync(m, 4 * PG, MS_INVALIDATE) == -1 && errno == EBUSY);
	CHECK(msync(m, 4 * PG, MS_SYNC) == 0); /* only invalidation */
	/* Locked pages keep their contents: no DONTNEED (EINVAL, Linux). */
	m[PG] = 'k';
	CHECK(madvise(m, 4 * PG, MADV_DONTNEED) == -1 && errno == EINVAL &&
	      m[PG] == 'k');
	CHECK(munlock(m + 2 * PG, PG) == 0 && locked(m + PG) == 1 &&
	      locked(m + 2 * PG) == 0);
	/* A locked range unmapped in part, then mapped again: unlocked. */
	CHECK(munmap(m + PG, PG) == 0);
	CHECK(mmap(m + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		   MAP_FIXED, -1, 0) == m + PG && locked(m + PG) == 0);
	/* Errors: a hole in the range, unknown flags. */
	CHECK(munmap(m + 3 * PG, PG) == 0);
	errno = 0;
	CHECK(mlock(m, 4 * PG) == -1 && errno == ENOMEM);
	CHECK(locked(m) == 0);
	CHECK(mlock2(m, PG, 0x100) == -1 && errno == EINVAL);
	CHECK(mlockall(0) == -1 && errno == EINVAL);
	CHECK(mlockall(MCL_ONFAULT) == -1 && errno == EINVAL);
	/* MAP_LOCKED locks one mapping. */
	o = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED,
		 -1, 0);
	CHECK(o != MAP_FAILED && locked(o) == 1);
	/* mlockall: what is mapped now, and with MCL_FUTURE what comes. */
	CHECK(mlockall(MCL_CURRENT) == 0 && locked(m) == 1);
	n = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(n != MAP_FAILED && locked(n) == 0);
	CHECK(mlockall(MCL_FUTURE) == 0);
	o = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(o != MAP_FAILED && locked(o) == 1 && locked(n) == 0);
	/* A shared file mapping too (mlockall/3-6 of the POSIX suite). */
	int fd = memfd_create("lock", 0);
	CHECK(fd >= 0 && ftruncate(fd, PG) == 0);
	char *f = mmap(NULL, PG, PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(f != MAP_FAILED && locked(f) == 1);
	CHECK(munlockall() == 0 && locked(m) == 0 && locked(o) == 0 &&
	      locked(f) == 0);
	n = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(n != MAP_FAILED && locked(n) == 0);
	close(fd);
	return check_done();
}
