/* fault.c - a null pointer write must end in a kernel fault report (page
 * fault, address 0) and uni-run's panic status, not in silence. */
#include <stdio.h>

int main(void)
{
	volatile int *p = (volatile int *)0;

	printf("writing through a null pointer\n");
	*p = 1;
	printf("FAIL: the write did not fault\n");
	return 0;
}
