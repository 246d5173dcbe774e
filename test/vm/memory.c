/* memory.c - malloc and free at sizes that use brk and mmap: 64 MiB
 * works and is writable, 2 GiB fails with ENOMEM inside -m 128, freed
 * memory is reused, guard pages from mallocng do not get in the way. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "check.h"

int main(void)
{
	size_t big = 64u << 20;
	/* volatile: the compiler may not assume what fresh memory holds or
	 * drop an allocation whose result is only compared with NULL. */
	unsigned char *volatile p = malloc(big);

	CHECK(p != NULL);
	if (p) {
		int zero = 1;
		volatile unsigned char *v = p;
		for (size_t i = 0; i < big; i += 4096)
			zero &= v[i] == 0;
		CHECK(zero);
		memset(p, 0xa5, big);
		CHECK(p[0] == 0xa5 && p[big - 1] == 0xa5);
		free(p);
	}

	/* Reuse: the same amount again succeeds after the free. */
	p = malloc(big);
	CHECK(p != NULL);
	free(p);

	errno = 0;
	void *volatile huge = malloc((size_t)2 << 30);
	CHECK(huge == NULL);
	CHECK(errno == ENOMEM);

	/* Many small allocations (brk-backed metadata, small groups). */
	char *ptrs[2000];
	int ok = 1;
	for (int i = 0; i < 2000; i++) {
		ptrs[i] = malloc(16 + i % 300);
		if (!ptrs[i]) {
			ok = 0;
			break;
		}
		memset(ptrs[i], i & 0xff, 16 + i % 300);
	}
	for (int i = 0; i < 2000 && ok; i++)
		ok &= (unsigned char)ptrs[i][0] == (i & 0xff);
	CHECK(ok);
	for (int i = 0; i < 2000; i++)
		free(ptrs[i]);

	/* mmap with MAP_FIXED + PROT_NONE inside an existing mapping, then
	 * munmap of part of it. */
	char *m = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	if (m != MAP_FAILED) {
		m[0] = 1;
		CHECK(mmap(m + 4096, 4096, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		      m + 4096);
		CHECK(mprotect(m + 2 * 4096, 4096, PROT_READ) == 0);
		CHECK(munmap(m + 3 * 4096, 4096) == 0);
		CHECK(m[0] == 1);
		CHECK(munmap(m, 3 * 4096) == 0);
	}
	CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
	      errno == EACCES);
	return check_done();
}
