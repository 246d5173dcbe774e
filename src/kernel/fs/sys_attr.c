/*
 * sys_attr.c - the attribute syscalls: chmod, chown and time stamps (the
 * *at, f* and l* forms), truncate and fallocate, fsync and sync, statfs.
 *
 * Layer: kernel syscall handlers for files, on top of namei (uni/vfs.h)
 * and the descriptor table (uni/file.h); called directly by musl. Rules
 * as Linux's notify_change and vfs_fallocate: the owner or a capable
 * process changes modes and times, only a capable one gives a file away,
 * and every change stamps ctime. Files without a vnode (pipes, eventfd,
 * the console) have no attributes to change here: EINVAL.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include <uni/file.h>
#include <uni/ident.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/mm.h>
#include <uni/syscall.h>
#include <uni/uaccess.h>
#include <uni/vfs.h>
#include "tree_priv.h"

#define FALLOC_FL_KNOWN 0x7f /* every mode bit Linux 6.1 defines */
#define ST_VALID 0x20

/* Resolve (dfd, upath) with AT_SYMLINK_NOFOLLOW/AT_EMPTY_PATH. */
static int lookup_at(int dfd, const char *upath, int at, struct vnode **vn)
{
	char *path;
	int r = vfs_get_path(upath, at & AT_EMPTY_PATH, &path);

	if (r)
		return r;
	r = namei(dfd, path,
		  (at & AT_SYMLINK_NOFOLLOW ? 0 : NAMEI_FOLLOW) |
			  (at & AT_EMPTY_PATH ? NAMEI_EMPTY : 0),
		  vn);
	kfree(path);
	return r;
}

/* The vnode of a descriptor, referenced: -EBADF, or -EINVAL when the
 * file has none. O_PATH descriptors serve only when opath is set. */
static int lookup_fd(int fd, int opath, struct vnode **vn)
{
	struct file *f = fd_get(fd);
	int r = 0;

	if (!f)
		return -EBADF;
	if ((f->flags & O_PATH) && !opath)
		r = -EBADF;
	else if (!f->vn)
		r = -EINVAL;
	else
		vnode_get(*vn = f->vn);
	file_put(f);
	return r;
}

static int owner_or_capable(const struct vnode *vn)
{
	return ident_capable() || ident_cred()->fsuid == vn->uid;
}

static int read_only(const struct vnode *vn)
{
	return vn->mnt && (vn->mnt->flags & MNT_RDONLY);
}

/* ---- modes and owners ------------------------------------------------ */

static long set_mode(struct vnode *vn, mode_t mode)
{
	if (read_only(vn))
		return -EROFS;
	if (!owner_or_capable(vn))
		return -EPERM;
	mode &= 07777;
	/* Set-group-ID needs membership of the file's group. */
	if (!ident_capable() && ident_cred()->fsgid != vn->gid)
		mode &= ~S_ISGID;
	vn->mode = (vn->mode & S_IFMT) | mode;
	vn->ctime = vfs_now();
	return 0;
}

/* chown_ok/chgrp_ok: only a capable process changes the owner; the owner
 * may move the file into a group it belongs to. (uid_t)-1 keeps. */
static long set_owner(struct vnode *vn, uid_t uid, gid_t gid)
{
	const struct ident_cred *c = ident_cred();

	if (read_only(vn))
		return -EROFS;
	if (uid == (uid_t)-1)
		uid = vn->uid;
	if (gid == (gid_t)-1)
		gid = vn->gid;
	if (!ident_capable() &&
	    (uid != vn->uid || c->fsuid != vn->uid ||
	     (gid != vn->gid && gid != c->fsgid)))
		return -EPERM;
	vn->uid = uid;
	vn->gid = gid;
	/* A file given away loses set-user-ID, and set-group-ID when it
	 * is group-executable (else the bit means mandatory locking). */
	if (!S_ISDIR(vn->mode)) {
		vn->mode &= ~S_ISUID;
		if ((vn->mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
			vn->mode &= ~S_ISGID;
	}
	vn->ctime = vfs_now();
	return 0;
}

static long put_ret(struct vnode *vn, long r)
{
	vnode_put(vn);
	return r;
}

SYSCALL_DEFINE3(fchmodat, int, dfd, const char *, path, mode_t, mode)
{
	/* No flags argument: Linux's fchmodat has none, and musl emulates
	 * AT_SYMLINK_NOFOLLOW (EOPNOTSUPP for a link) over O_PATH. */
	struct vnode *vn;
	int r = lookup_at(dfd, path, 0, &vn);

	return r ? r : put_ret(vn, set_mode(vn, mode));
}

SYSCALL_DEFINE2(chmod, const char *, path, mode_t, mode)
{
	return do_sys_fchmodat(AT_FDCWD, path, mode);
}

SYSCALL_DEFINE2(fchmod, int, fd, mode_t, mode)
{
	struct vnode *vn;
	int r = lookup_fd(fd, 0, &vn);

	return r ? r : put_ret(vn, set_mode(vn, mode));
}

SYSCALL_DEFINE5(fchownat, int, dfd, const char *, path, uid_t, uid, gid_t,
		gid, int, flags)
{
	struct vnode *vn;
	int r;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = lookup_at(dfd, path, flags, &vn);
	return r ? r : put_ret(vn, set_owner(vn, uid, gid));
}

SYSCALL_DEFINE3(chown, const char *, path, uid_t, uid, gid_t, gid)
{
	return do_sys_fchownat(AT_FDCWD, path, uid, gid, 0);
}

SYSCALL_DEFINE3(lchown, const char *, path, uid_t, uid, gid_t, gid)
{
	return do_sys_fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE3(fchown, int, fd, uid_t, uid, gid_t, gid)
{
	struct vnode *vn;
	int r = lookup_fd(fd, 0, &vn);

	return r ? r : put_ret(vn, set_owner(vn, uid, gid));
}

/* ---- time stamps ----------------------------------------------------- */

static int nsec_ok(long ns)
{
	return (ns >= 0 && ns < 1000000000L) || ns == UTIME_NOW ||
	       ns == UTIME_OMIT;
}

/* vfs_utimes: ts NULL (or both UTIME_NOW) touches, which write access
 * allows; setting a given time takes the owner. */
static long set_times(struct vnode *vn, const struct timespec *ts)
{
	struct timespec now = vfs_now();

	if (ts && ts[0].tv_nsec == UTIME_NOW && ts[1].tv_nsec == UTIME_NOW)
		ts = NULL;
	if (read_only(vn))
		return -EROFS;
	if (!owner_or_capable(vn)) {
		if (ts)
			return -EPERM;
		if (vfs_permission(vn, W_OK))
			return -EACCES;
	}
	if (!ts || ts[0].tv_nsec != UTIME_OMIT)
		vn->atime = !ts || ts[0].tv_nsec == UTIME_NOW ? now : ts[0];
	if (!ts || ts[1].tv_nsec != UTIME_OMIT)
		vn->mtime = !ts || ts[1].tv_nsec == UTIME_NOW ? now : ts[1];
	vn->ctime = now;
	return 0;
}

/* do_utimes: a NULL path with a descriptor is futimens. */
static long utimes_at(int dfd, const char *path, const struct timespec *ts,
		      int flags)
{
	struct vnode *vn;
	int r;

	if (ts && (!nsec_ok(ts[0].tv_nsec) || !nsec_ok(ts[1].tv_nsec)))
		return -EINVAL;
	if (!path && dfd != AT_FDCWD) {
		if (flags)
			return -EINVAL;
		r = lookup_fd(dfd, 0, &vn);
	} else {
		if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
			return -EINVAL;
		r = lookup_at(dfd, path, flags, &vn);
	}
	return r ? r : put_ret(vn, set_times(vn, ts));
}

SYSCALL_DEFINE4(utimensat, int, dfd, const char *, path,
		const struct timespec *, uts, int, flags)
{
	struct timespec ts[2];

	if (uts) {
		if (copy_from_user(ts, uts, sizeof(ts)))
			return -EFAULT;
		/* Nothing to do: Linux does not even look at the path. */
		if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
			return 0;
	}
	return utimes_at(dfd, path, uts ? ts : NULL, flags);
}

SYSCALL_DEFINE3(futimesat, int, dfd, const char *, path,
		const struct timeval *, utv)
{
	struct timeval tv[2];
	struct timespec ts[2];

	if (utv) {
		if (copy_from_user(tv, utv, sizeof(tv)))
			return -EFAULT;
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			ts[i].tv_sec = tv[i].tv_sec;
			ts[i].tv_nsec = tv[i].tv_usec * 1000;
		}
	}
	return utimes_at(dfd, path, utv ? ts : NULL, 0);
}

SYSCALL_DEFINE2(utimes, const char *, path, const struct timeval *, utv)
{
	return do_sys_futimesat(AT_FDCWD, path, utv);
}

SYSCALL_DEFINE2(utime, const char *, path, const struct utimbuf *, ubuf)
{
	struct utimbuf b;
	struct timespec ts[2];

	if (ubuf) {
		if (copy_from_user(&b, ubuf, sizeof(b)))
			return -EFAULT;
		ts[0] = (struct timespec){ b.actime, 0 };
		ts[1] = (struct timespec){ b.modtime, 0 };
	}
	return utimes_at(AT_FDCWD, path, ubuf ? ts : NULL, 0);
}

/* ---- size ------------------------------------------------------------ */

/* Set the size of a regular file the caller may write. */
static long set_size(struct vnode *vn, long len)
{
	uint64_t old = vn->size;
	long r;

	if (!vn->ops->truncate)
		return -EINVAL;
	if ((uint64_t)len < old)
		mm_file_shrink(vn, (uint64_t)len);
	r = vn->ops->truncate(vn, (uint64_t)len);
	/* Shared mappings reach the new pages (SIGBUS there before). */
	if (!r && (uint64_t)len > old)
		mm_file_grow(vn, (uint64_t)len);
	return r;
}

SYSCALL_DEFINE2(truncate, const char *, path, long, len)
{
	struct vnode *vn;
	long r;

	if (len < 0)
		return -EINVAL;
	r = lookup_at(AT_FDCWD, path, 0, &vn);
	if (r)
		return r;
	if (S_ISDIR(vn->mode))
		r = -EISDIR;
	else if (!S_ISREG(vn->mode))
		r = -EINVAL;
	else if (!(r = vfs_permission(vn, W_OK)))
		r = set_size(vn, len);
	return put_ret(vn, r);
}

SYSCALL_DEFINE2(ftruncate, int, fd, long, len)
{
	struct file *f;
	long r = -EINVAL;

	if (len < 0)
		return -EINVAL;
	f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		r = -EBADF;
	else if (f->vn && S_ISREG(f->vn->mode) && file_writable(f))
		r = set_size(f->vn, len);
	file_put(f);
	return r;
}

/* Zero [off, end) of the pages the file has (a hole reads as zeros). The
 * frames stay with the file: ramfs cannot give single pages back. */
static long punch(struct vnode *vn, uint64_t off, uint64_t end)
{
	uint64_t pa;

	end = MIN(end, vn->size);
	while (off < end) {
		uint64_t n = MIN(end - off, UNI_PAGE_SIZE - off % UNI_PAGE_SIZE);
		if (!vn->ops->getpage(vn, off / UNI_PAGE_SIZE, 0, &pa))
			__builtin_memset((char *)(uintptr_t)pa +
						 off % UNI_PAGE_SIZE, 0, n);
		off += n;
	}
	vn->mtime = vfs_now();
	return 0;
}

/* Give [off, end) frames; without KEEP_SIZE the file grows to end. */
static long allocate(struct vnode *vn, uint64_t off, uint64_t end, int keep)
{
	uint64_t pa;
	long r;

	for (uint64_t pg = off / UNI_PAGE_SIZE;
	     pg < ALIGN_UP(end, UNI_PAGE_SIZE) / UNI_PAGE_SIZE; pg++) {
		r = vn->ops->getpage(vn, pg, 1, &pa);
		if (r)
			return r == -ENOMEM ? -ENOSPC : r;
	}
	if (!keep && end > vn->size)
		return set_size(vn, (long)end);
	return 0;
}

SYSCALL_DEFINE4(fallocate, int, fd, int, mode, long, off, long, len)
{
	struct file *f;
	struct vnode *vn;
	long r, end;

	if (off < 0 || len <= 0)
		return -EINVAL;
	if ((mode & ~FALLOC_FL_KNOWN) ||
	    ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE)))
		return -EOPNOTSUPP;
	f = fd_get(fd);
	if (!f)
		return -EBADF;
	vn = f->vn;
	if (!file_writable(f) || (f->flags & O_PATH))
		r = -EBADF;
	else if (!vn || S_ISFIFO(vn->mode))
		r = -ESPIPE;
	else if (S_ISDIR(vn->mode))
		r = -EISDIR;
	else if (!S_ISREG(vn->mode))
		r = -ENODEV;
	else if (__builtin_add_overflow(off, len, &end))
		r = -EFBIG;
	else if (!vn->ops->getpage || !vn->ops->truncate ||
		 (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)))
		r = -EOPNOTSUPP; /* zero, collapse, insert range: as tmpfs */
	else if (mode & FALLOC_FL_PUNCH_HOLE)
		r = punch(vn, (uint64_t)off, (uint64_t)end);
	else
		r = allocate(vn, (uint64_t)off, (uint64_t)end,
			     mode & FALLOC_FL_KEEP_SIZE);
	if (!r)
		vn->ctime = vfs_now();
	file_put(f);
	return r;
}

/* ---- sync ------------------------------------------------------------ */

/* Everything lives in memory: there is never anything to write back, so
 * sync succeeds, and fsync asks the file only whether it can sync at all
 * (pipes, sockets and character devices cannot: EINVAL, as Linux). */
static long do_fsync(int fd)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	if (f->ops->fsync)
		r = f->ops->fsync(f);
	else if (f->vn && S_ISDIR(f->vn->mode))
		r = 0;
	else
		r = -EINVAL;
	file_put(f);
	return r;
}

SYSCALL_DEFINE1(fsync, int, fd)
{
	return do_fsync(fd);
}

SYSCALL_DEFINE1(fdatasync, int, fd)
{
	return do_fsync(fd);
}

SYSCALL_DEFINE0(sync)
{
	return 0;
}

SYSCALL_DEFINE1(syncfs, int, fd)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

/* Linux's checks, then nothing to start or wait for. */
SYSCALL_DEFINE4(sync_file_range, int, fd, long, off, long, n, unsigned,
		flags)
{
	struct file *f;
	long end, r = 0;

	if ((flags & ~7u) || off < 0 ||
	    __builtin_add_overflow(off, n, &end) || end < off)
		return -EINVAL;
	f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (!f->vn || !(S_ISREG(f->vn->mode) || S_ISDIR(f->vn->mode) ||
			S_ISLNK(f->vn->mode) || S_ISBLK(f->vn->mode)))
		r = -ESPIPE;
	file_put(f);
	return r;
}

/* ---- statfs ---------------------------------------------------------- */

/* Pseudo file systems without a node here (pipes, anonymous files):
 * simple_statfs's answer, with Linux's magic numbers. */
#define PIPEFS_MAGIC 0x50495045
#define ANON_INODE_FS_MAGIC 0x09041934

static long statfs_out(struct vnode *vn, const struct file *f,
		       struct statfs *ubuf)
{
	struct statfs st;
	long r = 0;

	__builtin_memset(&st, 0, sizeof(st));
	if (vn && vn->ops->statfs) {
		r = vn->ops->statfs(vn, &st);
	} else {
		const char *n = f && f->ops->anon_name ? f->ops->anon_name : "";
		st.f_type = vn ? vn->mnt->magic
			       : n[0] == 'p' ? PIPEFS_MAGIC : ANON_INODE_FS_MAGIC;
		st.f_bsize = st.f_frsize = UNI_PAGE_SIZE;
		st.f_namelen = NAME_MAX;
	}
	if (r)
		return r;
	if (!(st.f_flags & ST_VALID))
		st.f_flags = ST_VALID |
			     (vn && read_only(vn) ? ST_RDONLY : 0);
	return copy_to_user(ubuf, &st, sizeof(st)) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(statfs, const char *, path, struct statfs *, ubuf)
{
	struct vnode *vn;
	int r = lookup_at(AT_FDCWD, path, 0, &vn);

	return r ? r : put_ret(vn, statfs_out(vn, NULL, ubuf));
}

SYSCALL_DEFINE2(fstatfs, int, fd, struct statfs *, ubuf)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = statfs_out(f->vn, f, ubuf);
	file_put(f);
	return r;
}
