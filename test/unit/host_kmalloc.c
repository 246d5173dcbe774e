/*
 * host_kmalloc.c - uni/kmalloc.h over the host's malloc, for host unit
 * tests of kernel code that allocates (ramfs, path resolution). Counts
 * what is in use so tests can check that nothing leaks.
 */
#include <stdlib.h>
#include <string.h>
#include <uni/kmalloc.h>

static size_t in_use;

void *kmalloc(size_t n)
{
	size_t *p = malloc(n + 16);

	if (!p)
		return NULL;
	p[0] = n;
	in_use += n;
	return (char *)p + 16;
}

void *kzalloc(size_t n)
{
	void *p = kmalloc(n);

	if (p)
		memset(p, 0, n);
	return p;
}

void kfree(void *p)
{
	if (!p)
		return;
	size_t *h = (size_t *)((char *)p - 16);
	in_use -= h[0];
	free(h);
}

size_t kmalloc_in_use(void)
{
	return in_use;
}
