/* check.h - the tiny harness of the in-image tests: CHECK() prints one
 * line per check, check_done() prints "N passed, M failed" and returns the
 * exit status. Plain C: the tests are ordinary programs. */
#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond) \
	do { \
		if (cond) { \
			check_passed++; \
			printf("ok: %s\n", #cond); \
		} else { \
			check_failed++; \
			printf("FAIL: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
		} \
	} while (0)

static int check_done(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}
