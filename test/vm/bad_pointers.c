/* bad_pointers.c - pointers a syscall cannot use give EFAULT and the
 * program goes on: null, unmapped, non-canonical and PROT_NONE memory. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

#define FAILS_EFAULT(call) ((call) == -1 && errno == EFAULT)

int main(void)
{
	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	void *noncanon = (void *)0x8000000000000000ULL;
	struct iovec bad_iov[2] = { { "ok\n", 3 }, { (void *)16, 5 } };

	CHECK(none != MAP_FAILED);
	CHECK(FAILS_EFAULT(write(1, NULL, 10)));
	CHECK(FAILS_EFAULT(write(1, none, 10)));
	CHECK(FAILS_EFAULT(write(1, noncanon, 10)));
	CHECK(write(1, "still here\n", 11) == 11);
	CHECK(FAILS_EFAULT(writev(1, (void *)8, 1)));
	/* Three bytes went out before the bad buffer: a short count. */
	CHECK(writev(1, bad_iov, 2) == 3);
	CHECK(FAILS_EFAULT(clock_gettime(CLOCK_MONOTONIC, none)));
	CHECK(FAILS_EFAULT(clock_gettime(CLOCK_REALTIME, (void *)1)));
	CHECK(FAILS_EFAULT(ioctl(1, TIOCGWINSZ, none)));
	CHECK(FAILS_EFAULT(sigprocmask(SIG_BLOCK, none, NULL)));
	return check_done();
}
