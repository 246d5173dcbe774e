/*
 * uni/uaccess.h - reading and writing memory the program pointed us at.
 *
 * Layer: kernel, used by every syscall handler that takes a pointer. The
 * program and the kernel share one address space, but a pointer from the
 * program is still untrusted: a bad one must give -EFAULT, as on Linux, and
 * never a kernel fault. The copies run one instruction (rep movsb) whose
 * faults trap.c turns into an -EFAULT return (arch/x86_64/uaccess.S).
 */
#ifndef UNI_UACCESS_H
#define UNI_UACCESS_H

#include <stddef.h>

/* 0, or -EFAULT if any byte of either range faulted (the destination may
 * then be partly written). */
long uaccess_copy(void *dst, const void *src, size_t n);

static inline long copy_from_user(void *dst, const void *usrc, size_t n)
{
	return uaccess_copy(dst, usrc, n);
}

static inline long copy_to_user(void *udst, const void *src, size_t n)
{
	return uaccess_copy(udst, src, n);
}

/* For trap.c: if `rip` is the faulting copy, where to resume. */
unsigned long uaccess_fixup(unsigned long rip);

#endif
