/*
 * sys_noproc.c - the calls that need a second process: fork, vfork,
 * execve, execveat, wait4, waitid.
 *
 * Layer: kernel proc syscalls. A uni image is one process, so there is
 * nothing to fork or exec into and no child to wait for. fork, vfork,
 * execve and execveat return ENOSYS and say why on the console once each
 * (a program that handles the error keeps running; one that does not
 * leaves the reason in the log). wait4 and waitid check their arguments
 * as Linux does and then report ECHILD: there are no children.
 */
#include <errno.h>
#include <sys/wait.h>
#include <uni/kernel.h>
#include <uni/syscall.h>

#define WAIT_COMMON (__WNOTHREAD | __WCLONE | __WALL)

static long no_processes(const char *name, char *logged)
{
	if (!*logged) {
		*logged = 1;
		kprintf("uni: %s: a uni image is one process; returning ENOSYS\n",
			name);
	}
	return -ENOSYS;
}

SYSCALL_DEFINE0(fork)
{
	static char logged;

	return no_processes("fork", &logged);
}

SYSCALL_DEFINE0(vfork)
{
	static char logged;

	return no_processes("vfork", &logged);
}

SYSCALL_DEFINE3(execve, const char *, path, char *const *, argv,
		char *const *, envp)
{
	static char logged;

	return no_processes("execve", &logged);
}

SYSCALL_DEFINE5(execveat, int, dirfd, const char *, path, char *const *,
		argv, char *const *, envp, int, flags)
{
	static char logged;

	return no_processes("execveat", &logged);
}

SYSCALL_DEFINE4(wait4, int, pid, int *, status, int, options, void *, ru)
{
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | WAIT_COMMON))
		return -EINVAL;
	return -ECHILD;
}

SYSCALL_DEFINE5(waitid, int, which, int, id, void *, info, int, options,
		void *, ru)
{
	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED |
			WAIT_COMMON))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	if (which != P_ALL && which != P_PID && which != P_PGID &&
	    which != P_PIDFD)
		return -EINVAL;
	return -ECHILD;
}
