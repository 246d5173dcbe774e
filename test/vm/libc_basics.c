/* libc_basics.c - a plain C program that never heard of uni: stdio
 * formatting (floats included), strings, malloc, qsort, math, strtod. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int main(void)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%.3f|%g|%e|%10.2f", 3.14159, 0.0001,
		 12345.678, -2.5);
	printf("floats: %s\n", buf);
	CHECK(strcmp(buf, "3.142|0.0001|1.234568e+04|     -2.50") == 0);
	snprintf(buf, sizeof(buf), "%Lf", 1.5L);
	CHECK(strcmp(buf, "1.500000") == 0);
	snprintf(buf, sizeof(buf), "%d %x %s %c %5.1s|", -42, 0xbeef, "str",
		 'z', "abc");
	CHECK(strcmp(buf, "-42 beef str z     a|") == 0);

	CHECK(fabs(sqrt(2.0) - 1.41421356237) < 1e-9);
	CHECK(fabs(sin(M_PI / 2) - 1.0) < 1e-12);
	CHECK(fabs(pow(2.0, 10.5) - 1448.15468787) < 1e-6);
	CHECK(fabs(exp(log(10.0)) - 10.0) < 1e-12);
	CHECK(strtod("6.02e23", NULL) == 6.02e23);
	CHECK(fabsf(strtof("0.1", NULL) - 0.1f) == 0.0f);

	char *s = strdup("hello, uni");
	CHECK(s && strlen(s) == 10 && strstr(s, "uni") == s + 7);
	CHECK(strcmp(strrchr(s, 'l'), "lo, uni") == 0);
	free(s);

	int v[] = { 5, 3, 9, 1, 7 };
	qsort(v, 5, sizeof(int), cmp_int);
	CHECK(v[0] == 1 && v[4] == 9);

	char *grow = NULL;
	size_t len = 0;
	for (int i = 0; i < 1000; i++) {
		grow = realloc(grow, len + 11);
		memcpy(grow + len, "0123456789", 11);
		len += 10;
	}
	CHECK(grow && strlen(grow) == 10000);
	free(grow);

	CHECK(fprintf(stderr, "to stderr\n") == 10);
	fflush(stdout);
	CHECK(write(STDOUT_FILENO, "raw write\n", 10) == 10);
	CHECK(write(42, "x", 1) == -1);
	return check_done();
}
