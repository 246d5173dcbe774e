/*
 * sys_open.c - open, openat, creat: from a path to a descriptor.
 *
 * Layer: kernel syscall handlers over namei.c and the file systems'
 * vnode ops; vfs_open_vnode() is also what other subsystems use to
 * turn a vnode into a struct file (memfd, /proc/self/fd). The new file
 * goes into the table with fd_install() (fdtable.c).
 *
 * Linux's order of checks is kept where programs can see it: O_CREAT
 * with a trailing slash is EISDIR, O_EXCL beats everything on an
 * existing name, a final symlink with O_NOFOLLOW is ELOOP (or the link
 * itself with O_PATH), a directory opened for writing is EISDIR.
 * O_PATH files only name their vnode: fstat, fchdir and the *at calls
 * take them, read and write give EBADF.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/syscall.h>
#include "tree_priv.h"

static long ebadf_rw(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	(void)f, (void)it, (void)pos;
	return -EBADF;
}

/* O_PATH files, and the placeholder for nodes whose ops->open installs
 * the real ops (fifos). */
static const struct file_ops path_fops = {
	.read = ebadf_rw,
	.write = ebadf_rw,
	.always_ready = 1,
};

static long eisdir_rw(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	(void)f, (void)it, (void)pos;
	return -EISDIR;
}

/* Directories: getdents64 lists them (sys_dir.c), lseek moves the
 * cookie (sys_rw.c's generic lseek knows directories). */
const struct file_ops vfs_dir_fops = {
	.read = eisdir_rw,
	.write = eisdir_rw,
	.always_ready = 1,
};

int vfs_is_path_file(struct file *f)
{
	return f->ops == &path_fops && (f->flags & O_PATH);
}

/* check: test the permission bits (not for a file open() just made). */
static int open_vnode(struct vnode *vn, int flags, int check, struct file **out)
{
	const struct file_ops *fops = vn->fops;
	int acc = flags & O_ACCMODE, want = 0, err;
	struct file *f;

	if (flags & O_PATH) {
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
		fops = &path_fops;
		goto alloc;
	}
	if (acc != O_WRONLY)
		want |= R_OK;
	if (acc != O_RDONLY || (flags & O_TRUNC))
		want |= W_OK;
	switch (vn->mode & S_IFMT) {
	case S_IFLNK:
		return -ELOOP;
	case S_IFDIR:
		if (want & W_OK)
			return -EISDIR;
		if (!fops)
			fops = &vfs_dir_fops;
		break;
	case S_IFCHR:
		if (!(fops = vfs_chrdev_fops(vn->rdev)))
			return -ENXIO;
		break;
	case S_IFBLK:
		return -ENXIO;
	}
	if (!S_ISDIR(vn->mode) && (flags & O_DIRECTORY))
		return -ENOTDIR;
	if (check && (err = vfs_permission(vn, want)))
		return err;
	if (!fops) {
		if (!vn->ops->open)
			return -ENXIO;
		fops = &path_fops; /* ops->open installs the real ones */
	}
alloc:
	vnode_get(vn);
	f = file_alloc(fops, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC |
				       O_CLOEXEC), vn, NULL);
	if (!f) {
		vnode_put(vn);
		return -ENOMEM;
	}
	if (!(flags & O_PATH)) {
		if (vn->ops->open && (err = vn->ops->open(vn, f))) {
			f->ops = &path_fops; /* no release of a half-open file */
			file_put(f);
			return err;
		}
		if ((flags & O_TRUNC) && S_ISREG(vn->mode) &&
		    vn->ops->truncate && (err = vn->ops->truncate(vn, 0))) {
			file_put(f);
			return err;
		}
	}
	*out = f;
	return 0;
}

int vfs_open_vnode(struct vnode *vn, int flags, struct file **out)
{
	return open_vnode(vn, flags, 1, out);
}

/* O_TMPFILE: an unlinked regular file in the directory at path. */
static int open_tmpfile(int dirfd, const char *path, int flags, mode_t mode,
			struct vnode **out)
{
	struct vnode *dir, *vn;
	int err;

	if ((flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	if ((err = namei(dirfd, path, NAMEI_FOLLOW | NAMEI_DIRECTORY, &dir)))
		return err;
	err = vfs_permission(dir, W_OK | X_OK);
	if (!err && !ramfs_owns(dir))
		err = -EOPNOTSUPP;
	if (!err && !(err = ramfs_new_unlinked(mode & ~vfs_umask(), &vn))) {
		vfs_own(vn, dir);
		*out = vn;
	}
	vnode_put(dir);
	return err;
}

/* O_CREAT: the existing node at path, or a new regular file (*created).
 * A final symlink is followed by hand, so that a dangling one makes its
 * target, as on Linux. */
static int open_create(int dirfd, const char *path, int flags, mode_t mode,
		       struct vnode **out, int *created)
{
	struct vnode *dir, *vn, *ndir;
	const char *name;
	char *target = NULL, *next;
	size_t len;
	int trailing, links = 0, err;

	if ((err = namei_parent(dirfd, path, &dir, &name, &len, &trailing)))
		return err;
	for (;;) {
		if (trailing || (name[0] == '.' &&
				 (len == 1 || (len == 2 && name[1] == '.')))) {
			err = -EISDIR;
			break;
		}
		err = dir->ops->lookup(dir, name, len, &vn);
		if (err == -ENOENT) {
			if ((err = vfs_permission(dir, W_OK | X_OK)))
				break;
			if (!dir->ops->create) {
				err = -EACCES;
				break;
			}
			err = dir->ops->create(dir, name, len,
					       S_IFREG | (mode & 07777 & ~vfs_umask()),
					       0, out);
			if (!err)
				vfs_own(*out, dir);
			*created = !err;
			break;
		}
		if (err)
			break;
		vn = vfs_cross(vn);
		if (flags & O_EXCL)
			err = -EEXIST;
		else if (S_ISDIR(vn->mode))
			err = -EISDIR;
		else if (!S_ISLNK(vn->mode)) {
			*out = vn;
			break;
		} else if (flags & O_NOFOLLOW)
			err = -ELOOP;
		else if (++links > VFS_SYMLOOP_MAX)
			err = -ELOOP;
		else if (!(next = kmalloc(PATH_MAX)))
			err = -ENOMEM;
		else {
			long n = vn->ops->readlink(vn, next, PATH_MAX - 1);
			if (n > 0) {
				next[n] = 0;
				vnode_get(dir);
				err = vfs_parent_walk(dir, next, &ndir, &name,
						      &len, &trailing);
			} else {
				err = n ? (int)n : -ENOENT;
			}
			kfree(target);
			target = next;
			if (!err) {
				vnode_put(dir);
				dir = ndir;
			}
		}
		vnode_put(vn);
		if (err)
			break;
	}
	vnode_put(dir);
	kfree(target);
	return err;
}

static long do_open(int dirfd, const char *upath, int flags, mode_t mode)
{
	struct vnode *vn;
	struct file *f;
	char *path;
	int created = 0, err;
	long fd;

	if ((err = vfs_get_path(upath, 0, &path)))
		return err;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		err = open_tmpfile(dirfd, path, flags, mode, &vn);
	else if ((flags & O_CREAT) && !(flags & O_PATH))
		err = open_create(dirfd, path, flags, mode, &vn, &created);
	else
		err = namei(dirfd, path,
			    (flags & O_NOFOLLOW ? 0 : NAMEI_FOLLOW) |
				    (flags & O_DIRECTORY ? NAMEI_DIRECTORY : 0),
			    &vn);
	kfree(path);
	if (err)
		return err;
	if (S_ISLNK(vn->mode) && !(flags & O_PATH))
		err = -ELOOP; /* O_NOFOLLOW on a symlink */
	else if ((flags & O_TMPFILE) == O_TMPFILE)
		err = open_vnode(vn, flags & ~O_TMPFILE, 0, &f);
	else
		err = open_vnode(vn, flags, !created, &f);
	vnode_put(vn);
	if (err)
		return err;
	fd = fd_install(f, 0, !!(flags & O_CLOEXEC));
	if (fd < 0)
		file_put(f);
	return fd;
}

SYSCALL_DEFINE3(open, const char *, path, int, flags, mode_t, mode)
{
	return do_open(AT_FDCWD_, path, flags, mode);
}

SYSCALL_DEFINE4(openat, int, dirfd, const char *, path, int, flags, mode_t, mode)
{
	return do_open(dirfd, path, flags, mode);
}

SYSCALL_DEFINE2(creat, const char *, path, mode_t, mode)
{
	return do_open(AT_FDCWD_, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}
