/*
 * host_fdtable.c - the descriptor table of host unit tests (see
 * host_fdtable.h): the lowest free slot from minfd, a reference per
 * fd_get, close drops the table's reference. cloexec is ignored (no exec).
 */
#include <errno.h>
#include "host_fdtable.h"

struct file *host_fdt[HOST_NFD];

struct file *fd_get(int fd)
{
	if (fd < 0 || fd >= HOST_NFD || !host_fdt[fd])
		return NULL;
	file_get(host_fdt[fd]);
	return host_fdt[fd];
}

int fd_install(struct file *f, int minfd, int cloexec)
{
	(void)cloexec;
	for (int i = minfd < 0 ? 0 : minfd; i < HOST_NFD; i++)
		if (!host_fdt[i]) {
			host_fdt[i] = f;
			return i;
		}
	return -EMFILE;
}

int fd_close(int fd)
{
	struct file *f = fd >= 0 && fd < HOST_NFD ? host_fdt[fd] : NULL;

	if (!f)
		return -EBADF;
	host_fdt[fd] = NULL;
	file_put(f);
	return 0;
}

unsigned fd_limit(void)
{
	return HOST_NFD;
}
