/*
 * test_names.c - host unit test of the syscall name table
 * (src/kernel/syscall/names.c): every entry of the one list maps back to
 * its own name, numbers not in the list have none, and the list is in
 * ascending order (which the table's compact encoding relies on).
 */
#include <string.h>
#include <uni/syscall.h>
#include "unit.h"

static const struct {
	const char *name;
	long nr;
} list[] = {
#define SYSCALL(name, nr) { #name, nr },
#include <uni/syscalls.def>
#undef SYSCALL
};

int main(void)
{
	long n = sizeof(list) / sizeof(list[0]), found = 0;

	for (long i = 0; i < n; i++) {
		const char *s = syscall_name(list[i].nr);
		CHECK(s && strcmp(s, list[i].name) == 0);
		if (i)
			CHECK(list[i].nr > list[i - 1].nr);
	}
	for (long nr = -2; nr < UNI_NR_MAX + 3; nr++)
		found += syscall_name(nr) != NULL;
	CHECK(found == n);
	CHECK(strcmp(syscall_name(0), "read") == 0);
	CHECK(syscall_name(400) == NULL);
	printf("test_names: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
