/*
 * memfd.c - memfd_create: an anonymous regular file in memory.
 *
 * Layer: kernel fs syscall, called directly by musl. The file is an
 * unlinked ramfs node (ramfs_new_unlinked) read and written by ramfs's
 * own file ops; it grows with ftruncate or write, maps shared with mmap,
 * and goes away with its last descriptor and mapping. The description
 * carries the name for /proc/self/fd (memfd_name, uni/memfd.h), which is
 * why memfds get a copy of ramfs's ops with a release that frees it.
 * Sealing is not implemented: MFD_ALLOW_SEALING is accepted, and
 * F_ADD_SEALS/F_GET_SEALS give EINVAL (fcntl knows no such command).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <uni/file.h>
#include <uni/ident.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/memfd.h>
#include <uni/syscall.h>
#include <uni/vfs.h>
#include "tree_priv.h"

#define MFD_NAME_MAX (NAME_MAX - 6) /* NAME_MAX less "memfd:" */

static struct file_ops memfd_fops; /* ramfs_file_fops + release */

static void memfd_release(struct file *f)
{
	kfree(f->priv);
}

const char *memfd_name(const struct file *f)
{
	return f->ops == &memfd_fops ? f->priv : NULL;
}

SYSCALL_DEFINE2(memfd_create, const char *, uname, unsigned, flags)
{
	struct vnode *vn;
	struct file *f;
	char *path, *name;
	size_t len;
	int r;

	/* No huge pages here: MFD_HUGETLB is refused as unsupported. */
	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING))
		return -EINVAL;
	r = vfs_get_path(uname, 1, &path);
	if (r)
		return r == -ENAMETOOLONG ? -EINVAL : r;
	len = __builtin_strlen(path);
	name = len <= MFD_NAME_MAX ? kmalloc(len + 18) : NULL;
	if (name)
		ksnprintf(name, len + 18, "/memfd:%s (deleted)", path);
	kfree(path);
	if (len > MFD_NAME_MAX)
		return -EINVAL;
	if (!name)
		return -ENOMEM;
	r = ramfs_new_unlinked(0777, &vn);
	if (r) {
		kfree(name);
		return r;
	}
	vn->uid = ident_cred()->fsuid;
	vn->gid = ident_cred()->fsgid;
	if (!memfd_fops.read) {
		memfd_fops = ramfs_file_fops;
		memfd_fops.release = memfd_release;
	}
	f = file_alloc(&memfd_fops, O_RDWR | O_LARGEFILE, vn, name);
	if (!f) {
		vnode_put(vn);
		kfree(name);
		return -ENOMEM;
	}
	r = fd_install(f, 0, flags & MFD_CLOEXEC);
	if (r < 0)
		file_put(f);
	return r;
}
