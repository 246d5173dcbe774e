/* getrandom.c - getrandom(2) and AT_RANDOM. Checks the flags Linux
 * accepts and rejects, EFAULT for a bad buffer, that reads are not
 * constant, and prints one line of getrandom bytes and one of AT_RANDOM
 * bytes, which the random-twice driver compares across two boots. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "check.h"

static void print_hex(const char *label, const uint8_t *p, size_t n)
{
	printf("%s: ", label);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

int main(void)
{
	uint8_t a[32], b[32];
	const uint8_t *at = (const uint8_t *)getauxval(AT_RANDOM);

	CHECK(getrandom(a, sizeof(a), 0) == sizeof(a));
	CHECK(getrandom(b, sizeof(b), 0) == sizeof(b));
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	CHECK(!all_zero(a, sizeof(a)));
	print_hex("getrandom", a, sizeof(a));
	CHECK(at != NULL);
	if (at) {
		CHECK(!all_zero(at, 16));
		print_hex("at_random", at, 16);
	}

	/* Every flag Linux accepts. */
	CHECK(getrandom(b, 16, GRND_NONBLOCK) == 16);
	CHECK(getrandom(b, 16, GRND_RANDOM) == 16);
	CHECK(getrandom(b, 16, GRND_INSECURE) == 16);
	CHECK(getrandom(b, 16, GRND_RANDOM | GRND_NONBLOCK) == 16);
	CHECK(getrandom(b, 0, 0) == 0);

	/* Rejected as Linux rejects them. */
	errno = 0;
	CHECK(getrandom(b, 16, 0x8) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(getrandom(b, 16, GRND_INSECURE | GRND_RANDOM) == -1 &&
	      errno == EINVAL);
	errno = 0;
	CHECK(getrandom(NULL, 16, 0) == -1 && errno == EFAULT);
	errno = 0;
	CHECK(getrandom((void *)8, 16, 0) == -1 && errno == EFAULT);

	/* A buffer that ends in an unmapped page: the part before counts. */
	uint8_t *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	if (m != MAP_FAILED) {
		CHECK(munmap(m + 4096, 4096) == 0);
		long n = syscall(SYS_getrandom, m + 4096 - 512, 2048, 0);
		CHECK(n == 512);
		CHECK(!all_zero(m + 4096 - 512, 512));
	}

	/* A large read fills it all (checked coarsely: each 4 KiB page has
	 * non-zero bytes). */
	size_t big = 1 << 20;
	uint8_t *p = malloc(big);
	CHECK(p && getrandom(p, big, 0) == (ssize_t)big);
	int zero_pages = 0;
	for (size_t i = 0; p && i < big; i += 4096)
		zero_pages += all_zero(p + i, 4096);
	CHECK(zero_pages == 0);
	free(p);
	return check_done();
}
