/*
 * tree_priv.h - internals shared by the file tree: path walking
 * (namei.c), mounts (mount.c), ramfs (ramfs.c, ramfs_file.c) and the
 * path syscalls (sys_open.c, sys_stat.c, sys_dir.c). Not for other
 * subsystems; they use uni/vfs.h.
 */
#ifndef UNI_FS_TREE_PRIV_H
#define UNI_FS_TREE_PRIV_H

#include <uni/vfs.h>

#pragma GCC visibility push(hidden)

/* ---- mount.c ------------------------------------------------------- */

/* The directory ".." of dir leads to (crossing mounts upward; / stays
 * at /), referenced; NULL if dir was removed. */
struct vnode *vfs_dotdot(struct vnode *dir);
/* vn or, if something is mounted on it, the root of the topmost mount;
 * consumes vn's reference and returns a referenced vnode. */
struct vnode *vfs_cross(struct vnode *vn);

/* ---- namei.c ------------------------------------------------------- */

/* The starting directory for path relative to dirfd, referenced:
 * the root for absolute paths, the cwd for AT_FDCWD, else the dirfd's
 * vnode (-EBADF, -ENOTDIR; any file type when path is "" and empty_ok). */
int vfs_start(int dirfd, const char *path, int empty_ok, struct vnode **out);

/* umask(2): set, return the old mask. */
mode_t vfs_set_umask(mode_t m);

/* namei_parent from a referenced (consumed) start directory. */
int vfs_parent_walk(struct vnode *start, const char *path, struct vnode **dir,
		    const char **name, size_t *len, int *trailing);

/* A node just made in dir belongs to the caller's fsuid/fsgid (or to
 * dir's group when dir is set-group-ID). */
void vfs_own(struct vnode *vn, struct vnode *dir);

/* Copy a program path into a kmalloc'd PATH_MAX buffer (*out, kfree it). */
int vfs_get_path(const char *upath, int allow_empty, char **out);

/* ---- ramfs.c ------------------------------------------------------- */

/* A new, empty ramfs (its root directory referenced by the mount). */
struct mount *ramfs_mount_new(void);
/* Is vn a ramfs node? */
int ramfs_owns(struct vnode *vn);

/* ---- sys_dir.c ---------------------------------------------------- */

/* mkdirat/mknodat: make a node of (mode & S_IFMT) at a program path. */
long vfs_mknodat(int dirfd, const char *upath, mode_t mode, dev_t dev);

/* ---- sys_open.c ---------------------------------------------------- */

/* Directory files of file systems without their own fops: read gives
 * EISDIR, lseek moves the readdir cookie. */
extern const struct file_ops vfs_dir_fops;
/* An O_PATH file (names a vnode, no I/O). */
int vfs_is_path_file(struct file *f);

#pragma GCC visibility pop

#endif
