/* fs_tree_util.h - small path helpers over the real VFS for test_namei
 * and test_ramfs (kernel-side, no syscalls). */
#ifndef UNI_TEST_FS_TREE_UTIL_H
#define UNI_TEST_FS_TREE_UTIL_H

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <uni/vfs.h>
#include "tree_priv.h"

/* Make a node at path (mode's type), return 0 or -errno. */
static inline int mk(const char *path, mode_t mode)
{
	struct vnode *dir, *vn;
	const char *name;
	size_t len;
	int tr, err = namei_parent(AT_FDCWD_, path, &dir, &name, &len, &tr);

	if (err)
		return err;
	err = dir->ops->create(dir, name, len, mode, 0, &vn);
	vnode_put(dir);
	if (!err)
		vnode_put(vn);
	return err;
}

static inline int sym(const char *target, const char *path)
{
	struct vnode *dir, *vn;
	const char *name;
	size_t len;
	int tr, err = namei_parent(AT_FDCWD_, path, &dir, &name, &len, &tr);

	if (err)
		return err;
	err = dir->ops->symlink(dir, name, len, target, &vn);
	vnode_put(dir);
	if (!err)
		vnode_put(vn);
	return err;
}

static inline int rm(const char *path, int rmdir)
{
	struct vnode *dir;
	const char *name;
	size_t len;
	int tr, err = namei_parent(AT_FDCWD_, path, &dir, &name, &len, &tr);

	if (err)
		return err;
	err = dir->ops->unlink(dir, name, len, rmdir);
	vnode_put(dir);
	return err;
}

/* namei's result: the vnode (its reference dropped, it stays alive in
 * the tree) or NULL with *err set. */
static inline struct vnode *look(const char *path, int flags, int *err)
{
	struct vnode *vn = NULL;

	*err = namei(AT_FDCWD_, path, flags, &vn);
	if (*err)
		return NULL;
	vnode_put(vn);
	return vn;
}

static inline int look_err(const char *path, int flags)
{
	int err;

	look(path, flags, &err);
	return err;
}

#endif
