/*
 * fs/wait_priv.h - internals shared by the waiting file types: poll.c
 * (poll, ppoll, select, pselect6), epoll.c, pipe.c, eventfd.c, timerfd.c
 * and signalfd.c. Not for other subsystems.
 *
 * The sigmask helpers give ppoll, pselect6 and epoll_pwait the atomic
 * "swap the mask, wait, restore" of rt_sigsuspend: the program's mask is
 * parked in the thread's saved mask, so a handler run at the syscall's
 * exit sees the temporary mask and restores the old one on return; when
 * the call ends without -EINTR the old mask comes back at once and a
 * signal the temporary mask let through stays pending (as on Linux).
 */
#ifndef UNI_FS_WAIT_PRIV_H
#define UNI_FS_WAIT_PRIV_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define HIDDEN __attribute__((visibility("hidden")))
#ifndef container_of
#define container_of(p, type, field) \
	((type *)((char *)(p) - offsetof(type, field)))
#endif

/* Timeouts from this far on (about 36 years) are "never": the deadline
 * is 0, and the timer hardware's arithmetic stays within 64 bits. */
#define WAIT_FOREVER_NS (1ULL << 60)

/* Monotonic deadline for a timeout of ns from now; 0 ("no deadline" to
 * sched_block) only for ns >= WAIT_FOREVER_NS. */
uint64_t wait_deadline(uint64_t ns) HIDDEN;
/* Copy and check a program timespec: 0 and *deadline (0 for a NULL
 * pointer: no timeout), -EFAULT or -EINVAL. */
int wait_timeout_ts(const struct timespec *uts, uint64_t *deadline) HIDDEN;
/* ns left until deadline (0 once passed). */
uint64_t wait_left(uint64_t deadline) HIDDEN;

/* Install the temporary mask (NULL: none): 0, -EINVAL or -EFAULT. */
int wait_sigmask_set(const uint64_t *umask, size_t size) HIDDEN;
/* After the wait: ret is the call's result. */
void wait_sigmask_done(long ret) HIDDEN;
/* A signal the current mask lets through is pending: end the wait. */
int wait_signal_pending(void) HIDDEN;

/* Readiness bits a waiter for `events` must hear about: the plain and the
 * "normal data" forms of in and out are the same event to us, so a file
 * that wakes with one of them reaches a waiter that asked for the other. */
static inline uint32_t wait_mask(uint32_t events)
{
	if (events & (POLLIN | POLLRDNORM))
		events |= POLLIN | POLLRDNORM;
	if (events & (POLLOUT | POLLWRNORM))
		events |= POLLOUT | POLLWRNORM;
	return events | POLLERR | POLLHUP;
}

/* fstat of an anonymous-inode file (eventfd, timerfd, signalfd, epoll):
 * Linux gives them all one inode of anon_inodefs, mode 0600, no type. */
#define ANON_INODE_INO 1
#define ANON_INODE_DEV 13 /* 0:13; Linux picks an unnamed device at boot */
static inline int anon_stat(struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = ANON_INODE_DEV;
	st->st_ino = ANON_INODE_INO;
	st->st_mode = S_IRUSR | S_IWUSR;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	return 0;
}

#endif
