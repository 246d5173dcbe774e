/* prog - exits with argv[1] after printing its arguments and CHECK_ENV;
 * the program of driver-check's CTest entries. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	const char *e = getenv("CHECK_ENV");

	for (int i = 0; i < argc; i++)
		printf("argv[%d]=<%s>\n", i, argv[i]);
	printf("CHECK_ENV=<%s>\n", e ? e : "(unset)");
	return argc > 1 ? atoi(argv[1]) : 0;
}
