/*
 * unit.h - the host unit tests' check macro: CHECK() counts and prints
 * failures with their place; each test ends with
 * printf("NAME: %d passed, %d failed\n", passed, failed) and exits 1 on
 * any failure.
 */
#ifndef UNI_TEST_UNIT_H
#define UNI_TEST_UNIT_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond) \
	do { \
		if (cond) { \
			passed++; \
		} else { \
			failed++; \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		} \
	} while (0)

#endif
