/*
 * sys_random.c - getrandom(2).
 *
 * Layer: kernel random syscalls, over random_bytes() (random.c). The
 * generator is ready from the first instruction (RDRAND, or a ChaCha20
 * generator seeded synchronously), so no call ever blocks: GRND_NONBLOCK,
 * GRND_RANDOM and GRND_INSECURE are accepted and change nothing, as on
 * Linux 5.18+ once the pool is initialized. Flags Linux rejects are
 * rejected the same way (unknown bits; GRND_INSECURE with GRND_RANDOM).
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <uni/kernel.h>
#include <uni/random.h>
#include <uni/syscall.h>
#include <uni/uaccess.h>

#define GRND_ALL (GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)
#define MAX_RW_COUNT (0x7fffffffUL & ~(UNI_PAGE_SIZE - 1)) /* Linux's cap */
#define CHUNK 256

SYSCALL_DEFINE3(getrandom, char *, ubuf, size_t, len, unsigned int, flags)
{
	uint8_t tmp[CHUNK];
	size_t done = 0;

	if (flags & ~GRND_ALL)
		return -EINVAL;
	if ((flags & (GRND_INSECURE | GRND_RANDOM)) ==
	    (GRND_INSECURE | GRND_RANDOM))
		return -EINVAL;
	len = MIN(len, MAX_RW_COUNT);
	while (done < len) {
		size_t n = MIN(len - done, sizeof(tmp));

		random_bytes(tmp, n);
		if (copy_to_user(ubuf + done, tmp, n)) {
			/* As Linux: what was copied counts, else EFAULT. */
			memset(tmp, 0, sizeof(tmp));
			return done ? (long)done : -EFAULT;
		}
		done += n;
	}
	memset(tmp, 0, sizeof(tmp));
	return (long)done;
}
