/*
 * namei.c - path resolution, the process's cwd and umask, permission
 * checks, and the path of a directory (getcwd).
 *
 * Layer: kernel fs, over struct vnode_ops and mount.c. The path
 * syscalls (sys_open.c, sys_stat.c, sys_dir.c) and the boot-time
 * population (vfs_mkdir_p, ...) call namei()/namei_parent() on kernel
 * copies of their paths.
 *
 * The walk runs over the caller's string until the first symlink; from
 * then on the unresolved rest lives in one of two PATH_MAX halves of a
 * scratch buffer, rebuilt as "target" + rest at each link, so that
 * links in the middle, at the end, relative and absolute all take the
 * same path and a trailing slash stays attached to what it followed.
 */
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uni/file.h>
#include <uni/ident.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/uaccess.h>
#include "tree_priv.h"

static struct vnode *cwd; /* referenced; NULL means / */
static mode_t umask_ = 022;

struct vnode *vfs_cwd(void)
{
	struct vnode *r = vfs_root(); /* first use: may set cwd (cwd=) */

	return cwd ? cwd : r;
}

void vfs_set_cwd(struct vnode *vn)
{
	vnode_get(vn); /* gets its own reference */
	if (cwd)
		vnode_put(cwd);
	cwd = vn;
}

mode_t vfs_umask(void)
{
	return umask_;
}

mode_t vfs_set_umask(mode_t m)
{
	mode_t old = umask_;

	umask_ = m & 0777;
	return old;
}

/* Linux's generic_permission with capabilities: a capable process
 * reads and writes anything and searches any directory, but executes a
 * file only if some x bit is set. */
int vfs_permission(struct vnode *vn, int want)
{
	const struct ident_cred *c;
	mode_t bits = vn->mode;

	if ((want & W_OK) && vn->mnt && (vn->mnt->flags & MNT_RDONLY) &&
	    (S_ISREG(bits) || S_ISDIR(bits) || S_ISLNK(bits)))
		return -EROFS;
	if (ident_capable()) {
		if (!(want & X_OK) || S_ISDIR(bits) || (bits & 0111))
			return 0;
		return -EACCES;
	}
	c = ident_cred();
	if (c->fsuid == vn->uid)
		bits >>= 6;
	else if (c->fsgid == vn->gid)
		bits >>= 3;
	return (bits & want & 7) == (unsigned)(want & 7) ? 0 : -EACCES;
}

int vfs_copy_path(char *buf, const char *upath, int allow_empty)
{
	size_t done = 0;

	/* Page by page: the string may end just before an unmapped page. */
	while (done < PATH_MAX) {
		uintptr_t a = (uintptr_t)upath + done;
		size_t n = MIN(PATH_MAX - done, 4096 - a % 4096);
		if (copy_from_user(buf + done, upath + done, n))
			return -EFAULT;
		for (size_t i = 0; i < n; i++)
			if (!buf[done + i])
				return done + i || allow_empty ? 0 : -ENOENT;
		done += n;
	}
	return -ENAMETOOLONG;
}

int vfs_get_path(const char *upath, int allow_empty, char **out)
{
	char *buf = kmalloc(PATH_MAX);
	int err;

	if (!buf)
		return -ENOMEM;
	err = vfs_copy_path(buf, upath, allow_empty);
	if (err) {
		kfree(buf);
		return err;
	}
	*out = buf;
	return 0;
}

int vfs_start(int dirfd, const char *path, int empty_ok, struct vnode **out)
{
	struct file *f;
	struct vnode *vn;

	if (*path == '/')
		vn = vfs_root();
	else if (dirfd == AT_FDCWD_)
		vn = vfs_cwd();
	else {
		if (!(f = fd_get(dirfd)))
			return -EBADF;
		vn = f->vn;
		if (!vn || ((*path || !empty_ok) && !S_ISDIR(vn->mode))) {
			file_put(f);
			return -ENOTDIR;
		}
		vnode_get(vn);
		file_put(f);
		*out = vn;
		return 0;
	}
	vnode_get(vn);
	*out = vn;
	return 0;
}

/* Resolve [path, lim) from cur (referenced, consumed) to *out. */
static int walk(struct vnode *cur, const char *path, const char *lim,
		int flags, struct vnode **out)
{
	char *buf = NULL; /* two PATH_MAX halves once a symlink is met */
	const char *p = path;
	int links = 0, err = 0, must_dir = 0;
	struct vnode *next;

	for (;;) {
		while (p < lim && *p == '/')
			p++;
		if (p == lim || !*p)
			break;
		const char *c = p, *q;
		while (p < lim && *p && *p != '/')
			p++;
		size_t len = p - c;
		for (q = p; q < lim && *q == '/'; q++)
			;
		int last = q == lim || !*q;
		must_dir = last && q != p;
		if (len > NAME_MAX) {
			err = -ENAMETOOLONG;
			break;
		}
		if (!S_ISDIR(cur->mode)) {
			err = -ENOTDIR;
			break;
		}
		if ((err = vfs_permission(cur, X_OK)))
			break;
		if (len == 1 && c[0] == '.')
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			next = vfs_dotdot(cur);
			if (!next) {
				err = -ENOENT;
				break;
			}
			vnode_put(cur);
			cur = next;
			continue;
		}
		if ((err = cur->ops->lookup(cur, c, len, &next)))
			break;
		next = vfs_cross(next);
		if (S_ISLNK(next->mode) &&
		    (!last || must_dir || (flags & NAMEI_FOLLOW))) {
			if (++links > VFS_SYMLOOP_MAX) {
				vnode_put(next);
				err = -ELOOP;
				break;
			}
			if (!buf && !(buf = kmalloc(2 * PATH_MAX))) {
				vnode_put(next);
				err = -ENOMEM;
				break;
			}
			char *nb = p >= buf && p < buf + PATH_MAX ? buf + PATH_MAX : buf;
			long n = next->ops->readlink(next, nb, PATH_MAX);
			vnode_put(next);
			for (q = p; q < lim && *q; q++)
				;
			size_t rest = q - p;
			if (n <= 0) {
				err = n ? (int)n : -ENOENT;
				break;
			}
			if ((size_t)n + rest >= PATH_MAX) {
				err = -ENAMETOOLONG;
				break;
			}
			__builtin_memcpy(nb + n, p, rest);
			nb[n + rest] = 0;
			p = nb;
			lim = nb + n + rest;
			if (*p == '/') {
				vnode_put(cur);
				cur = vfs_root();
				vnode_get(cur);
			}
			continue;
		}
		vnode_put(cur);
		cur = next;
	}
	kfree(buf);
	if (!err && (must_dir || (flags & NAMEI_DIRECTORY)) && !S_ISDIR(cur->mode))
		err = -ENOTDIR;
	if (err) {
		vnode_put(cur);
		return err;
	}
	*out = cur;
	return 0;
}

static size_t path_len(const char *path)
{
	size_t n = 0;

	while (n < PATH_MAX && path[n])
		n++;
	return n;
}

int namei(int dirfd, const char *path, int flags, struct vnode **out)
{
	struct vnode *start;
	size_t n = path_len(path);
	int err;

	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	if (!n && !(flags & NAMEI_EMPTY))
		return -ENOENT;
	if ((err = vfs_start(dirfd, path, flags & NAMEI_EMPTY, &start)))
		return err;
	return walk(start, path, path + n, flags, out);
}

int vfs_parent_walk(struct vnode *start, const char *path, struct vnode **dir,
		    const char **name, size_t *len, int *trailing)
{
	size_t n = path_len(path), end, s;
	int err;

	if (n >= PATH_MAX || !n) {
		vnode_put(start);
		return n ? -ENAMETOOLONG : -ENOENT;
	}
	if (*path == '/') {
		vnode_put(start);
		start = vfs_root();
		vnode_get(start);
	}
	for (end = n; end && path[end - 1] == '/'; end--)
		;
	*trailing = end < n;
	if (!end) { /* "/": its last component behaves as "." */
		*dir = start;
		*name = ".";
		*len = 1;
		return 0;
	}
	for (s = end; s && path[s - 1] != '/'; s--)
		;
	if (end - s > NAME_MAX) {
		vnode_put(start);
		return -ENAMETOOLONG;
	}
	if ((err = walk(start, path, path + s, NAMEI_FOLLOW | NAMEI_DIRECTORY, dir)))
		return err;
	if ((err = vfs_permission(*dir, X_OK))) {
		vnode_put(*dir);
		return err;
	}
	*name = path + s;
	*len = end - s;
	return 0;
}

int namei_parent(int dirfd, const char *path, struct vnode **dir,
		 const char **name, size_t *len, int *trailing)
{
	struct vnode *start;
	int err;

	if (!*path)
		return -ENOENT;
	if ((err = vfs_start(dirfd, path, 0, &start)))
		return err;
	return vfs_parent_walk(start, path, dir, name, len, trailing);
}

void vfs_own(struct vnode *vn, struct vnode *dir)
{
	const struct ident_cred *c = ident_cred();

	vn->uid = c->fsuid;
	vn->gid = c->fsgid;
	if (dir->mode & S_ISGID) { /* BSD group semantics, as Linux */
		vn->gid = dir->gid;
		if (S_ISDIR(vn->mode))
			vn->mode |= S_ISGID;
	}
}

struct find_name {
	uint64_t ino;
	const char *name;
	size_t len;
	struct vnode *dir;
};

static int match_ino(void *ctx, const char *name, size_t len, uint64_t ino,
		     unsigned dtype)
{
	struct find_name *fn = ctx;

	(void)dtype;
	if (ino != fn->ino || (len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	/* readdir's name may be a transient buffer: look it up now. */
	__builtin_memcpy((char *)fn->name, name, len);
	fn->len = len;
	return 1;
}

long vfs_path_of(struct vnode *dir, char *buf, size_t len)
{
	char *tmp = kmalloc(PATH_MAX + NAME_MAX + 1);
	char *name;
	size_t pos = PATH_MAX;
	struct vnode *root = vfs_root(), *cur = dir;
	long err = 0;

	if (!tmp)
		return -ENOMEM;
	name = tmp + PATH_MAX;
	for (;;) {
		while (cur != root && cur->mnt && cur == cur->mnt->root &&
		       cur->mnt->covered)
			cur = cur->mnt->covered;
		if (cur == root)
			break;
		if (!cur->parent || !cur->nlink) {
			err = -ENOENT;
			goto out;
		}
		struct find_name fn = { cur->ino, name, 0, cur->parent };
		uint64_t cookie = 0;
		cur->parent->ops->readdir(cur->parent, &cookie, match_ino, &fn);
		if (!fn.len) {
			err = -ENOENT;
			goto out;
		}
		if (fn.len + 1 > pos) {
			err = -ENAMETOOLONG;
			goto out;
		}
		pos -= fn.len;
		__builtin_memcpy(tmp + pos, name, fn.len);
		tmp[--pos] = '/';
		cur = cur->parent;
	}
	if (pos == PATH_MAX)
		tmp[--pos] = '/';
	err = PATH_MAX - pos + 1;
	if ((size_t)err > len) {
		err = -ERANGE;
		goto out;
	}
	__builtin_memcpy(buf, tmp + pos, err - 1);
	buf[err - 1] = 0;
out:
	kfree(tmp);
	return err;
}
