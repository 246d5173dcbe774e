#include <stdio.h>
int main(int argc, char **argv)
{
	(void)argv;
	printf("hello from try_run, argc %d\n", argc);
	return 7;
}
