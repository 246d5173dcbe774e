/*
 * host_kernel.c - the kernel's logging entry points for host unit tests:
 * kprintf prints only with TEST_VERBOSE set, panic reports and aborts (a
 * panic the test did not expect is a failure). Linked by the tests whose
 * code under test logs or asserts (see CMakeLists.txt).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <uni/kernel.h>

void kprintf(const char *fmt, ...)
{
	if (getenv("TEST_VERBOSE")) {
		va_list ap;
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("unexpected panic: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	abort();
}
