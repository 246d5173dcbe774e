/* enosys.c - a syscall no subsystem implements returns ENOSYS, is logged
 * once, and the program goes on. acct(2) reaches the kernel as a direct
 * call (a constant number); syscall(2) with an unknown number goes through
 * the table. */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "check.h"

int main(void)
{
	errno = 0;
	int r1 = acct(NULL);
	int e1 = errno;
	int r2 = acct(NULL); /* logged only once */
	long r3 = syscall(100000);
	int e3 = errno;
	syscall(100000); /* logged only once too */

	CHECK(r1 == -1 && e1 == ENOSYS && r2 == -1);
	CHECK(r3 == -1 && e3 == ENOSYS);
	return check_done();
}
