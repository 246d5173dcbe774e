/* __set_thread_area.c (uni) - replaces the assembly version: the thread
 * pointer is set by a direct call of the kernel's arch_prctl(ARCH_SET_FS).
 * Called by musl's __init_tp at start-up and for each new thread. */
#include "syscall.h"

int __set_thread_area(void *p)
{
	return __syscall(SYS_arch_prctl, 0x1002 /* ARCH_SET_FS */, p);
}
