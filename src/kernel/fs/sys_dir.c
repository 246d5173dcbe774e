/*
 * sys_dir.c - the syscalls that change or read the tree: mkdir(at),
 * rmdir, unlink(at), rename(at, at2), link(at),
 * symlink(at), readlink(at), getdents64, chdir, fchdir, getcwd, umask.
 *
 * Layer: kernel syscall handlers over namei_parent()/namei() and the
 * directory's vnode ops. Each handler copies its paths in, resolves
 * the parent directory, checks write and search permission on it, and
 * lets the file system do the change; the Linux answers for ".", ".."
 * and trailing slashes are decided here, the rest (EEXIST, ENOTEMPTY,
 * EISDIR, rename's rules) by the file system.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uni/file.h>
#include <uni/ident.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/syscall.h>
#include <uni/uaccess.h>
#include "tree_priv.h"

#define RENAME_NOREPLACE_ 1
#define RENAME_EXCHANGE_ 2
#define RENAME_WHITEOUT_ 4

/* A resolved parent directory and last component of a program path. */
struct parent {
	char *path;  /* kernel copy (kmalloc) */
	struct vnode *dir;
	const char *name;
	size_t len;
	int trailing;
};

static int parent_get(int dirfd, const char *upath, struct parent *p)
{
	int err = vfs_get_path(upath, 0, &p->path);

	if (err)
		return err;
	err = namei_parent(dirfd, p->path, &p->dir, &p->name, &p->len,
			   &p->trailing);
	if (err)
		kfree(p->path);
	return err;
}

static void parent_put(struct parent *p)
{
	vnode_put(p->dir);
	kfree(p->path);
}

/* 1 for ".", 2 for "..", else 0. */
static int dots(const struct parent *p)
{
	if (p->name[0] != '.' || p->len > 2 || (p->len == 2 && p->name[1] != '.'))
		return 0;
	return p->len;
}

/* The last component is "/" itself (namei_parent gives "." outside the
 * path for it). */
static int is_root(const struct parent *p)
{
	return p->name < p->path || p->name >= p->path + PATH_MAX;
}

/* The sticky bit (/tmp): only the owner of an entry, or of the
 * directory, removes or renames it (and a capable process). */
static int sticky_ok(struct vnode *dir, const char *name, size_t len)
{
	uid_t uid = ident_cred()->fsuid;
	struct vnode *vn;
	int err = 0;

	if (!(dir->mode & S_ISVTX) || ident_capable() || uid == dir->uid ||
	    dir->ops->lookup(dir, name, len, &vn))
		return 0; /* a missing name is the operation's error */
	if (vn->uid != uid)
		err = -EPERM;
	vnode_put(vn);
	return err;
}

/* Write and search permission on the directory, and a file system that
 * has the operation. */
static int may_change(struct parent *p, const void *op)
{
	int err = vfs_permission(p->dir, W_OK | X_OK);

	if (!err && !op)
		err = -EPERM;
	return err;
}

long vfs_mknodat(int dirfd, const char *upath, mode_t mode, dev_t dev)
{
	struct parent p;
	struct vnode *vn;
	int err;

	switch (mode & S_IFMT) {
	case 0:
		mode |= S_IFREG;
		break;
	case S_IFCHR: case S_IFBLK:
		if (!ident_capable())
			return -EPERM; /* CAP_MKNOD */
		break;
	case S_IFREG: case S_IFDIR: case S_IFIFO: case S_IFSOCK:
		break;
	default:
		return -EINVAL;
	}
	if ((err = parent_get(dirfd, upath, &p)))
		return err;
	if (dots(&p))
		err = -EEXIST;
	else if (p.trailing && !S_ISDIR(mode))
		err = -ENOENT;
	else if (!(err = may_change(&p, p.dir->ops->create))) {
		mode_t perm = mode & (S_ISDIR(mode) ? 01777 : 07777) & ~vfs_umask();
		err = p.dir->ops->create(p.dir, p.name, p.len,
					 (mode & S_IFMT) | perm, dev, &vn);
		if (!err) {
			vfs_own(vn, p.dir);
			vnode_put(vn);
		}
	}
	parent_put(&p);
	return err;
}

SYSCALL_DEFINE2(mkdir, const char *, path, mode_t, mode)
{
	return vfs_mknodat(AT_FDCWD_, path, S_IFDIR | (mode & 07777), 0);
}

SYSCALL_DEFINE3(mkdirat, int, dirfd, const char *, path, mode_t, mode)
{
	return vfs_mknodat(dirfd, path, S_IFDIR | (mode & 07777), 0);
}

static long do_unlink(int dirfd, const char *upath, int rmdir)
{
	struct parent p;
	struct vnode *vn;
	int err;

	if ((err = parent_get(dirfd, upath, &p)))
		return err;
	if (dots(&p))
		err = !rmdir ? -EISDIR : is_root(&p) ? -EBUSY
		       : dots(&p) == 1 ? -EINVAL : -ENOTEMPTY;
	else if (!(err = may_change(&p, p.dir->ops->unlink)) &&
		 !(err = sticky_ok(p.dir, p.name, p.len))) {
		if (p.trailing && !rmdir &&
		    !(err = p.dir->ops->lookup(p.dir, p.name, p.len, &vn))) {
			err = S_ISDIR(vn->mode) ? 0 : -ENOTDIR;
			vnode_put(vn);
		}
		if (!err)
			err = p.dir->ops->unlink(p.dir, p.name, p.len, rmdir);
	}
	parent_put(&p);
	return err;
}

SYSCALL_DEFINE1(unlink, const char *, path)
{
	return do_unlink(AT_FDCWD_, path, 0);
}

SYSCALL_DEFINE1(rmdir, const char *, path)
{
	return do_unlink(AT_FDCWD_, path, 1);
}

SYSCALL_DEFINE3(unlinkat, int, dirfd, const char *, path, int, flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	return do_unlink(dirfd, path, !!(flags & AT_REMOVEDIR));
}

static long do_rename(int odfd, const char *uold, int ndfd, const char *unew,
		      unsigned flags)
{
	struct parent o, n;
	struct vnode *src;
	int err;

	if ((flags & ~(RENAME_NOREPLACE_ | RENAME_EXCHANGE_ | RENAME_WHITEOUT_)) ||
	    ((flags & RENAME_NOREPLACE_) && (flags & RENAME_EXCHANGE_)) ||
	    (flags & RENAME_WHITEOUT_))
		return -EINVAL;
	if ((err = parent_get(odfd, uold, &o)))
		return err;
	if ((err = parent_get(ndfd, unew, &n)))
		goto put_old;
	if (dots(&o) || dots(&n))
		err = -EBUSY;
	else if (o.dir->mnt != n.dir->mnt)
		err = -EXDEV;
	else if (!(err = may_change(&o, o.dir->ops->rename)) &&
		 !(err = may_change(&n, n.dir->ops->rename)) &&
		 !(err = sticky_ok(o.dir, o.name, o.len)) &&
		 !(err = sticky_ok(n.dir, n.name, n.len)) &&
		 !(err = o.dir->ops->lookup(o.dir, o.name, o.len, &src))) {
		/* A trailing slash on either name wants a directory. */
		if ((o.trailing || n.trailing) && !S_ISDIR(src->mode))
			err = -ENOTDIR;
		vnode_put(src);
		if (!err)
			err = o.dir->ops->rename(o.dir, o.name, o.len, n.dir,
						 n.name, n.len, flags);
	}
	parent_put(&n);
put_old:
	parent_put(&o);
	return err;
}

SYSCALL_DEFINE2(rename, const char *, old, const char *, new)
{
	return do_rename(AT_FDCWD_, old, AT_FDCWD_, new, 0);
}

SYSCALL_DEFINE4(renameat, int, odfd, const char *, old, int, ndfd,
		const char *, new)
{
	return do_rename(odfd, old, ndfd, new, 0);
}

SYSCALL_DEFINE5(renameat2, int, odfd, const char *, old, int, ndfd,
		const char *, new, unsigned, flags)
{
	return do_rename(odfd, old, ndfd, new, flags);
}

static long do_link(int odfd, const char *uold, int ndfd, const char *unew,
		    int flags)
{
	struct parent n;
	struct vnode *vn;
	char *path;
	int err;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((err = vfs_get_path(uold, flags & AT_EMPTY_PATH, &path)))
		return err;
	err = namei(odfd, path,
		    (flags & AT_SYMLINK_FOLLOW ? NAMEI_FOLLOW : 0) | NAMEI_EMPTY,
		    &vn);
	kfree(path);
	if (err)
		return err;
	if (S_ISDIR(vn->mode)) {
		err = -EPERM;
		goto put_vn;
	}
	if ((err = parent_get(ndfd, unew, &n)))
		goto put_vn;
	if (dots(&n))
		err = -EEXIST;
	else if (n.dir->mnt != vn->mnt)
		err = -EXDEV;
	else if (n.trailing)
		err = -ENOENT;
	else if (!(err = may_change(&n, n.dir->ops->link)))
		err = n.dir->ops->link(n.dir, n.name, n.len, vn);
	parent_put(&n);
put_vn:
	vnode_put(vn);
	return err;
}

SYSCALL_DEFINE2(link, const char *, old, const char *, new)
{
	return do_link(AT_FDCWD_, old, AT_FDCWD_, new, 0);
}

SYSCALL_DEFINE5(linkat, int, odfd, const char *, old, int, ndfd,
		const char *, new, int, flags)
{
	return do_link(odfd, old, ndfd, new, flags);
}

static long do_symlink(const char *utarget, int dirfd, const char *upath)
{
	struct parent p;
	struct vnode *vn;
	char *target;
	int err;

	if ((err = vfs_get_path(utarget, 0, &target)))
		return err;
	if ((err = parent_get(dirfd, upath, &p)))
		goto put_target;
	if (dots(&p))
		err = -EEXIST;
	else if (p.trailing)
		err = -ENOENT;
	else if (!(err = may_change(&p, p.dir->ops->symlink))) {
		err = p.dir->ops->symlink(p.dir, p.name, p.len, target, &vn);
		if (!err) {
			vfs_own(vn, p.dir);
			vnode_put(vn);
		}
	}
	parent_put(&p);
put_target:
	kfree(target);
	return err;
}

SYSCALL_DEFINE2(symlink, const char *, target, const char *, path)
{
	return do_symlink(target, AT_FDCWD_, path);
}

SYSCALL_DEFINE3(symlinkat, const char *, target, int, dirfd, const char *, path)
{
	return do_symlink(target, dirfd, path);
}

static long do_readlink(int dirfd, const char *upath, char *ubuf, int size)
{
	struct vnode *vn;
	char *path;
	long n;

	if (size <= 0)
		return -EINVAL;
	if ((n = vfs_get_path(upath, dirfd != AT_FDCWD_, &path)))
		return n;
	n = namei(dirfd, path, NAMEI_EMPTY, &vn);
	if (n) {
		kfree(path);
		return n;
	}
	if (!S_ISLNK(vn->mode) || !vn->ops->readlink)
		n = -EINVAL;
	else if ((n = vn->ops->readlink(vn, path, MIN(size, PATH_MAX))) > 0 &&
		 copy_to_user(ubuf, path, n))
		n = -EFAULT;
	vnode_put(vn);
	kfree(path);
	return n;
}

SYSCALL_DEFINE3(readlink, const char *, path, char *, buf, int, size)
{
	return do_readlink(AT_FDCWD_, path, buf, size);
}

SYSCALL_DEFINE4(readlinkat, int, dirfd, const char *, path, char *, buf,
		int, size)
{
	return do_readlink(dirfd, path, buf, size);
}

/* ---- getdents64 -------------------------------------------------------- */

/* Linux's struct linux_dirent64: d_off is the cookie of the entry after
 * this one (what lseek/seekdir take back). */
struct dirent64_ {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

struct dents {
	char *buf;            /* kernel staging buffer */
	size_t size, used;
	struct dirent64_ *last;
	uint64_t *cookie;
	int too_small;
};

static int fill_dent(void *ctx, const char *name, size_t len, uint64_t ino,
		     unsigned dtype)
{
	struct dents *d = ctx;
	size_t reclen = ALIGN_UP(sizeof(struct dirent64_) + len + 1, 8);
	struct dirent64_ *de = (struct dirent64_ *)(d->buf + d->used);

	if (d->used + reclen > d->size) {
		d->too_small = !d->used;
		return 1;
	}
	if (d->last)
		d->last->d_off = *d->cookie;
	__builtin_memset(de, 0, reclen);
	de->d_ino = ino;
	de->d_reclen = reclen;
	de->d_type = dtype;
	__builtin_memcpy(de->d_name, name, len);
	d->last = de;
	d->used += reclen;
	return 0;
}

SYSCALL_DEFINE3(getdents64, int, fd, void *, ubuf, unsigned, count)
{
	struct file *f = fd_get(fd);
	struct vnode *vn;
	struct dents d = { 0 };
	long r;

	if (!f)
		return -EBADF;
	vn = f->vn;
	if (vfs_is_path_file(f))
		r = -EBADF;
	else if (!vn || !S_ISDIR(vn->mode) || !vn->ops->readdir)
		r = -ENOTDIR;
	else if (!(d.buf = kmalloc(d.size = MIN(count, 4096u))))
		r = -ENOMEM;
	else {
		d.cookie = &f->dir_cookie;
		r = vn->ops->readdir(vn, &f->dir_cookie, fill_dent, &d);
		if (d.last)
			d.last->d_off = f->dir_cookie;
		f->pos = f->dir_cookie;
		if (!r && d.too_small)
			r = -EINVAL;
		else if (!r && (r = copy_to_user(ubuf, d.buf, d.used)) == 0)
			r = d.used;
		kfree(d.buf);
	}
	file_put(f);
	return r;
}

/* ---- cwd, umask -------------------------------------------------------- */

static long chdir_to(struct vnode *vn)
{
	int err = S_ISDIR(vn->mode) ? vfs_permission(vn, X_OK) : -ENOTDIR;

	if (!err)
		vfs_set_cwd(vn);
	vnode_put(vn);
	return err;
}

SYSCALL_DEFINE1(chdir, const char *, upath)
{
	struct vnode *vn;
	char *path;
	int err;

	if ((err = vfs_get_path(upath, 0, &path)))
		return err;
	err = namei(AT_FDCWD_, path, NAMEI_FOLLOW | NAMEI_DIRECTORY, &vn);
	kfree(path);
	return err ? err : chdir_to(vn);
}

SYSCALL_DEFINE1(fchdir, int, fd)
{
	struct file *f = fd_get(fd);
	struct vnode *vn;

	if (!f)
		return -EBADF;
	vn = f->vn;
	if (vn)
		vnode_get(vn);
	file_put(f);
	return vn ? chdir_to(vn) : -ENOTDIR;
}

SYSCALL_DEFINE2(getcwd, char *, ubuf, size_t, size)
{
	char *buf = kmalloc(PATH_MAX);
	long n;

	if (!buf)
		return -ENOMEM;
	n = vfs_path_of(vfs_cwd(), buf, MIN(size, PATH_MAX));
	if (n > 0 && copy_to_user(ubuf, buf, n))
		n = -EFAULT;
	kfree(buf);
	return n;
}

SYSCALL_DEFINE1(umask, mode_t, mask)
{
	return vfs_set_umask(mask);
}
