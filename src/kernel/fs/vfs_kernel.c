/*
 * vfs_kernel.c - building the tree from inside the kernel: mkdir -p,
 * a file with given contents, a symlink, a device node, and "does it
 * exist", all on absolute kernel-space paths.
 *
 * Layer: kernel fs, over namei.c. Called at boot by fs_populate()
 * (initfs.c, etc.c, devfs.c). No permission checks (the kernel builds
 * the tree) and no umask: the modes given are the modes made.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include "tree_priv.h"

/* Make a node at path through dir->ops->create or ->symlink. */
static int make(const char *path, mode_t mode, dev_t rdev, const char *target,
		struct vnode **out)
{
	struct vnode *dir, *vn;
	const char *name;
	size_t len;
	int trailing, err;

	if ((err = namei_parent(AT_FDCWD_, path, &dir, &name, &len, &trailing)))
		return err;
	if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
		err = -EEXIST;
	else if (target)
		err = dir->ops->symlink ? dir->ops->symlink(dir, name, len, target, &vn)
					: -EPERM;
	else
		err = dir->ops->create ? dir->ops->create(dir, name, len, mode, rdev, &vn)
				       : -EPERM;
	vnode_put(dir);
	if (err)
		return err;
	if (out)
		*out = vn;
	else
		vnode_put(vn);
	return 0;
}

int vfs_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = __builtin_strlen(path);
	struct vnode *vn;
	int err;

	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	__builtin_memcpy(buf, path, n + 1);
	/* Each prefix ending before a '/', then the whole path. */
	for (size_t i = 1; i <= n; i++) {
		if (i < n && buf[i] != '/')
			continue;
		if (i < n && buf[i - 1] == '/')
			continue;
		char c = buf[i];
		buf[i] = 0;
		err = make(buf, S_IFDIR | (mode & 07777), 0, NULL, NULL);
		if (err == -EEXIST) {
			err = namei(AT_FDCWD_, buf, NAMEI_FOLLOW, &vn);
			if (!err) {
				err = S_ISDIR(vn->mode) ? 0 : -ENOTDIR;
				vnode_put(vn);
			}
		}
		buf[i] = c;
		if (err)
			return err;
	}
	return 0;
}

int vfs_write_file(const char *path, mode_t mode, const void *data, size_t len)
{
	struct vnode *vn;
	struct iov_iter it;
	struct iovec one;
	uint64_t pos = 0;
	long n = 0;
	int err = make(path, S_IFREG | (mode & 07777), 0, NULL, &vn);

	if (err)
		return err;
	if (len) {
		struct file f = { .ops = vn->fops, .flags = O_WRONLY, .vn = vn };
		iter_init1(&it, &one, (void *)data, len, 1);
		n = vn->fops && vn->fops->write ? vn->fops->write(&f, &it, &pos)
						: -EINVAL;
	}
	vnode_put(vn);
	if (n < 0)
		return n;
	return (size_t)n == len ? 0 : -ENOSPC;
}

int vfs_symlink_path(const char *target, const char *path)
{
	return make(path, 0, 0, target, NULL);
}

int vfs_mknod_path(const char *path, mode_t mode, dev_t rdev)
{
	return make(path, mode, rdev, NULL, NULL);
}

int vfs_exists(const char *path)
{
	struct vnode *vn;

	if (namei(AT_FDCWD_, path, 0, &vn))
		return 0;
	vnode_put(vn);
	return 1;
}
