/* trace.c - a program for the trace-check driver: a few system calls
 * whose strace-style lines (uni-run --trace) and statistics (--stats) the
 * driver expects, successes and failures, then exit status 3. */
#define _GNU_SOURCE
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(void)
{
	char buf[4];
	struct utsname u;

	write(1, "traced\n", 7);
	getpid();
	getrandom(buf, sizeof(buf), 0x80);     /* EINVAL */
	uname(&u);
	write(1, (const void *)8, 3);          /* EFAULT */
	syscall(100000, 1, 2);                 /* no such system call */
	return 3;
}
