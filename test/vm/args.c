/* args.c - arguments and environment from uni-run reach main() intact. */
#include <stdlib.h>
#include <string.h>
#include "check.h"

int main(int argc, char **argv)
{
	static const char *const want[] = { "one", "two words", "", "q\"uote",
					    "back\\slash", "it's", "ünïcode",
					    "--", "-x" };
	int n = sizeof(want) / sizeof(want[0]);

	CHECK(argc == n + 1);
	CHECK(strcmp(argv[0], "args") == 0);
	for (int i = 0; i < n && i + 1 < argc; i++) {
		int same = strcmp(argv[i + 1], want[i]) == 0;
		if (!same)
			printf("argv[%d] = '%s', want '%s'\n", i + 1, argv[i + 1],
			       want[i]);
		CHECK(same);
	}
	CHECK(argv[argc] == NULL);
	CHECK(getenv("UNI_TEST") && strcmp(getenv("UNI_TEST"), "yes") == 0);
	CHECK(getenv("SPACED") && strcmp(getenv("SPACED"), "a b  c") == 0);
	CHECK(getenv("EMPTY") && strcmp(getenv("EMPTY"), "") == 0);
	CHECK(getenv("NOT_SET") == NULL);
	return check_done();
}
