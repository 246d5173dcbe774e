/*
 * mount.c - the mount table: the root ramfs, mounting a file system on
 * a directory, and crossing mount points in both directions.
 *
 * Layer: kernel fs, under namei.c. vfs_root() makes / on first use and
 * then lets fs_populate() (initfs.c) fill it and mount /dev and /proc
 * with vfs_mount(). namei.c calls vfs_cross() after each lookup (down
 * into a mounted file system) and vfs_dotdot() for ".." (up out of one).
 */
#include <errno.h>
#include <sys/stat.h>
#include <uni/kernel.h>
#include "tree_priv.h"

static struct vnode *root;
static struct mount *mounts;
static unsigned next_minor = 1;

/* Each mount gets an anonymous device number, as Linux gives ramfs,
 * tmpfs and proc (major 0). */
static void add_mount(struct mount *m)
{
	if (!m->dev)
		m->dev = next_minor++;
	m->next = mounts;
	mounts = m;
}

struct mount *vfs_mounts(void)
{
	vfs_root();
	return mounts;
}

struct vnode *vfs_root(void)
{
	if (!root) {
		struct mount *m = ramfs_mount_new();
		if (!m)
			panic("vfs: no memory for the root file system");
		add_mount(m);
		root = m->root;
		root->mode = S_IFDIR | 0755;
		fs_populate();
	}
	return root;
}

int vfs_mount(const char *path, struct mount *m)
{
	struct vnode *dir;
	int err;

	if (m->covered || m->root == root)
		return -EBUSY; /* already mounted */
	/* namei crosses existing mounts, so dir is the topmost: a mount on
	 * a mounted root stacks on top of it, as on Linux. */
	if ((err = namei(AT_FDCWD_, path, NAMEI_FOLLOW | NAMEI_DIRECTORY, &dir)))
		return err;
	m->covered = dir; /* keeps the reference */
	m->root->mnt = m;
	m->root->parent = NULL;
	dir->mounted = m;
	add_mount(m);
	return 0;
}

struct vnode *vfs_cross(struct vnode *vn)
{
	while (vn->mounted) {
		struct vnode *r = vn->mounted->root;
		vnode_get(r);
		vnode_put(vn);
		vn = r;
	}
	return vn;
}

struct vnode *vfs_dotdot(struct vnode *dir)
{
	/* Out of mounted roots to the directory they cover. */
	while (dir != root && dir->mnt && dir == dir->mnt->root &&
	       dir->mnt->covered)
		dir = dir->mnt->covered;
	if (dir == root) {
		vnode_get(dir);
		return dir;
	}
	if (!dir->parent)
		return NULL;
	dir = dir->parent;
	vnode_get(dir);
	return vfs_cross(dir);
}
