/* __unmapself.c (uni) - replaces the assembly version. A detached thread
 * cannot unmap the stack it runs on, so the kernel does both steps: it
 * leaves the stack, unmaps [base, base+size) and ends the thread. Called
 * by pthread_exit for detached threads. */
#include <stddef.h>
#include <uni/clone.h>

void __unmapself(void *base, size_t size)
{
	uni_exit_unmap(base, size);
}
