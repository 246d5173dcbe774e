/* hello.c - the default example: an unchanged C program. */
#include <stdio.h>

int main(void)
{
	printf("Hello from uni!\n");
	return 0;
}
