/*
 * exit.c - ending threads and the process.
 *
 * Layer: kernel proc. exit_group (musl's _Exit) ends the process: every
 * thread stops and the VM powers off with the status. exit ends the
 * calling thread (sched_exit_thread: clear_child_tid cleared and woken);
 * the last thread's exit ends the process, as on Linux.
 * uni_exit_unmap serves musl's __unmapself (uni/clone.h): a detached
 * thread leaves the stack being unmapped before unmapping it.
 */
#include <uni/clone.h>
#include <uni/kernel.h>
#include <uni/preempt.h>
#include <uni/proc.h>
#include <uni/sched.h>
#include <uni/syscall.h>
#include <uni/trace.h>
#include "../arch/x86_64/arch.h"

extern char boot_stack_top[];

/* In images with the network stack: TCP connections are closed and their
 * data acknowledged (bounded); then frames still queued leave. */
void net_exit_drain(void) __attribute__((weak));
void virtio_net_flush(void) __attribute__((weak));

void proc_exit(int status)
{
	trace_print_stats(); /* --stats, on every exit path (prints once) */
	if (net_exit_drain)
		net_exit_drain();
	if (virtio_net_flush)
		virtio_net_flush();
	uni_poweroff(status & 0xff);
}

SYSCALL_DEFINE1(exit_group, int, status)
{
	proc_exit(status);
}

SYSCALL_DEFINE1(exit, int, status)
{
	sched_exit_thread(status);
}

struct unmap_req {
	void *base;
	size_t size;
};

static void unmap_and_exit(void *arg)
{
	struct unmap_req *r = arg;

	sys_munmap((long)r->base, (long)r->size, 0, 0, 0, 0);
	sched_exit_thread(0);
}

void uni_exit_unmap(void *base, size_t size)
{
	static struct unmap_req req;

	/* Interrupts stay off from here: the boot stack, which nothing
	 * else uses once the program runs, is this thread's until
	 * sched_exit_thread has switched to another thread. */
	PREEMPT_ENTER();
	req.base = base;
	req.size = size;
	arch_call_on_stack(unmap_and_exit, &req, boot_stack_top);
}
