/* exit_status.c - `exit_status N` calls exit(N); `exit_status return N`
 * returns N from main. The harness checks uni-run's status. */
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "return") == 0)
		return atoi(argv[2]);
	if (argc != 2)
		return 99;
	exit(atoi(argv[1]));
}
