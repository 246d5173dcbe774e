/*
 * uni/clone.h - how musl's __clone and __unmapself reach the kernel.
 *
 * Layer: contract between src/libc-ext (musl's replaced clone.s and
 * __unmapself.s) and the kernel scheduler. A direct call cannot "return
 * twice" the way the clone instruction sequence does, so __clone writes a
 * uni_clone_start at the top of the child stack and calls
 *     sys_clone(flags, start, ptid, ctid, tls, UNI_CLONE_ENTRY)
 * The kernel starts the child on that stack with fn(arg) and ends the
 * thread with its return value. Without the UNI_CLONE_ENTRY tag (a raw
 * syscall(SYS_clone, ...) from a program) the kernel refuses with ENOSYS.
 */
#ifndef UNI_CLONE_H
#define UNI_CLONE_H

#include <stddef.h>

#define UNI_CLONE_ENTRY 0x656e6f6c63696e75L /* "uniclone" */

struct uni_clone_start {
	int (*fn)(void *);
	void *arg;
};

/* Leave the current stack, unmap [base, base+size), end the thread. */
void uni_exit_unmap(void *base, size_t size) __attribute__((__noreturn__));

#endif
