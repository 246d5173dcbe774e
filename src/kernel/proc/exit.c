/*
 * exit.c - ending threads and the process.
 *
 * Layer: kernel proc. exit_group (musl's _Exit) and exit end the program;
 * with one process and, until the scheduler exists, one thread, both power
 * the VM off with the status, as Linux ends a process when its last thread
 * exits. uni_exit_unmap serves musl's __unmapself (uni/clone.h): it leaves
 * the stack being unmapped before unmapping it.
 */
#include <uni/clone.h>
#include <uni/kernel.h>
#include <uni/proc.h>
#include <uni/syscall.h>
#include "../arch/x86_64/arch.h"

extern char boot_stack_top[];

void proc_exit(int status)
{
	uni_poweroff(status & 0xff);
}

SYSCALL_DEFINE1(exit_group, int, status)
{
	proc_exit(status);
}

SYSCALL_DEFINE1(exit, int, status)
{
	/* The calling thread is the last one: the process ends. */
	proc_exit(status);
}

struct unmap_req {
	void *base;
	size_t size;
};

static void unmap_and_exit(void *arg)
{
	struct unmap_req *r = arg;

	sys_munmap((long)r->base, (long)r->size, 0, 0, 0, 0);
	proc_exit(0);
}

void uni_exit_unmap(void *base, size_t size)
{
	static struct unmap_req req;

	/* Leave the thread's stack for the boot stack, which nothing else
	 * uses once the program runs. */
	req.base = base;
	req.size = size;
	arch_call_on_stack(unmap_and_exit, &req, boot_stack_top);
}
