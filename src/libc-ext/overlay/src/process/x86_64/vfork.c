/* vfork.c (uni) - replaces musl's vfork.s. A unikernel has one process,
 * so vfork is the kernel's answer for SYS_vfork (ENOSYS until processes
 * exist), reached by a direct call rather than the `syscall` instruction. */
#include <unistd.h>
#include "syscall.h"

pid_t vfork(void)
{
	return syscall(SYS_vfork);
}
