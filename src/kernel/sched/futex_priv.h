/*
 * futex_priv.h - what futex.c (the plain operations and the syscall) and
 * futex_pi.c (the priority-inheritance ones) share: the futex(2) ABI, the
 * word read, the timeout conversion and the PI entry.
 *
 * futex_pi.c is linked only into images that can use it: futex_pi_op is a
 * weak reference from the syscall, and the code that can ask for a PI
 * futex pulls the file in by naming uni_futex_pi (musl's
 * pthread_mutexattr_setprotocol for PTHREAD_PRIO_INHERIT, in
 * src/libc-ext, and the syscall table for raw syscall(2)). Without it the
 * three PI operations are ENOSYS, which only an image that cannot ask for
 * them could see.
 */
#ifndef UNI_SCHED_FUTEX_PRIV_H
#define UNI_SCHED_FUTEX_PRIV_H

#include <stdint.h>
#include <time.h>

/* The futex(2) ABI (Linux include/uapi/linux/futex.h). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu
#define FUTEX_OP_SET 0
#define FUTEX_OP_ADD 1
#define FUTEX_OP_OR 2
#define FUTEX_OP_ANDN 3
#define FUTEX_OP_XOR 4
#define FUTEX_OP_OPARG_SHIFT 8
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_NE 1
#define FUTEX_OP_CMP_LT 2
#define FUTEX_OP_CMP_LE 3
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP_CMP_GE 5

/* *uaddr into *v: 0 or -EFAULT. */
long futex_read_word(const uint32_t *uaddr, uint32_t *v);
/* A timespec into a monotonic deadline (0 = none): relative, absolute
 * CLOCK_MONOTONIC, or absolute CLOCK_REALTIME (realtime). 0, -EFAULT,
 * -EINVAL. */
long futex_deadline(const struct timespec *uts, int absolute, int realtime,
		    uint64_t *deadline);

/* futex_pi.c: FUTEX_LOCK_PI (absolute CLOCK_REALTIME timeout),
 * FUTEX_TRYLOCK_PI, FUTEX_UNLOCK_PI. Weak: see above. */
long futex_pi_op(int cmd, uint32_t *uaddr, const struct timespec *uts)
	__attribute__((weak));

#endif
