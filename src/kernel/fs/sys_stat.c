/*
 * sys_stat.c - stat, fstat, lstat, newfstatat, statx, access,
 * faccessat, faccessat2.
 *
 * Layer: kernel syscall handlers over namei.c and vnode_stat()
 * (vnode.c). Files without a vnode (pipes, eventfd, ...) answer fstat
 * through their ops->stat, or as an anonymous inode (mode 0600, no
 * type, as Linux's anon_inodefs shows them). statx reports the basic
 * fields and the birth time, in Linux's struct statx.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/syscall.h>
#include <uni/uaccess.h>
#include "tree_priv.h"

#define AT_NO_AUTOMOUNT_ 0x800
#define AT_STATX_SYNC_TYPE_ 0x6000
#define STATX_BASIC_STATS_ 0x7ffu
#define STATX_BTIME_ 0x800u
#define STATX_RESERVED_ 0x80000000u

/* Linux's struct statx (include/uapi/linux/stat.h), 256 bytes. */
struct statx_ts {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct statx_ {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t spare0;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor;
	uint32_t stx_dev_major, stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align, stx_dio_offset_align;
	uint64_t spare3[12];
};
_Static_assert(sizeof(struct statx_) == 256, "struct statx is 256 bytes");

/* fstat of an open file; *btime is set for files with a vnode. */
static int stat_file(struct file *f, struct stat *st, struct timespec *btime)
{
	if (f->vn) {
		vnode_stat(f->vn, st);
		if (btime)
			*btime = f->vn->btime;
		return 1;
	}
	if (f->ops->stat) {
		int err = f->ops->stat(f, st);
		return err < 0 ? err : 0;
	}
	__builtin_memset(st, 0, sizeof(*st));
	st->st_mode = 0600; /* an anonymous inode */
	st->st_nlink = 1;
	st->st_ino = (uintptr_t)f / 64;
	st->st_blksize = 4096;
	return 0;
}

/* Stat what (dirfd, upath, flags) names. Returns 1 when it has a vnode
 * (btime valid), 0 when not, or -errno. */
static int stat_at(int dirfd, const char *upath, int flags, struct stat *st,
		   struct timespec *btime)
{
	struct vnode *vn;
	struct file *f;
	char *path;
	int err;

	if ((err = vfs_get_path(upath, flags & AT_EMPTY_PATH, &path)))
		return err;
	if (!*path && dirfd != AT_FDCWD_) {
		kfree(path);
		if (!(f = fd_get(dirfd)))
			return -EBADF;
		err = stat_file(f, st, btime);
		file_put(f);
		return err;
	}
	err = namei(dirfd, path,
		    (flags & AT_SYMLINK_NOFOLLOW ? 0 : NAMEI_FOLLOW) | NAMEI_EMPTY,
		    &vn);
	kfree(path);
	if (err)
		return err;
	vnode_stat(vn, st);
	*btime = vn->btime;
	vnode_put(vn);
	return 1;
}

static long stat_out(int dirfd, const char *upath, int flags, struct stat *ust)
{
	struct stat st;
	struct timespec bt;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT_))
		return -EINVAL;
	if ((err = stat_at(dirfd, upath, flags, &st, &bt)) < 0)
		return err;
	return copy_to_user(ust, &st, sizeof(st));
}

SYSCALL_DEFINE2(stat, const char *, path, struct stat *, st)
{
	return stat_out(AT_FDCWD_, path, 0, st);
}

SYSCALL_DEFINE2(lstat, const char *, path, struct stat *, st)
{
	return stat_out(AT_FDCWD_, path, AT_SYMLINK_NOFOLLOW, st);
}

SYSCALL_DEFINE4(newfstatat, int, dirfd, const char *, path, struct stat *, st,
		int, flags)
{
	return stat_out(dirfd, path, flags, st);
}

SYSCALL_DEFINE2(fstat, int, fd, struct stat *, ust)
{
	struct file *f = fd_get(fd);
	struct stat st;
	int err;

	if (!f)
		return -EBADF;
	err = stat_file(f, &st, NULL);
	file_put(f);
	if (err < 0)
		return err;
	return copy_to_user(ust, &st, sizeof(st));
}

static struct statx_ts sx_ts(struct timespec ts)
{
	return (struct statx_ts){ .tv_sec = ts.tv_sec, .tv_nsec = ts.tv_nsec };
}

SYSCALL_DEFINE5(statx, int, dirfd, const char *, path, int, flags,
		unsigned, mask, struct statx_ *, ubuf)
{
	struct statx_ sx;
	struct stat st;
	struct timespec bt;
	int r;

	if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT_ |
		       AT_STATX_SYNC_TYPE_)) ||
	    (flags & AT_STATX_SYNC_TYPE_) == AT_STATX_SYNC_TYPE_ ||
	    (mask & STATX_RESERVED_))
		return -EINVAL;
	if ((r = stat_at(dirfd, path, flags, &st, &bt)) < 0)
		return r;
	__builtin_memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS_ | (r ? STATX_BTIME_ : 0);
	sx.stx_blksize = st.st_blksize;
	sx.stx_nlink = st.st_nlink;
	sx.stx_uid = st.st_uid;
	sx.stx_gid = st.st_gid;
	sx.stx_mode = st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = st.st_size;
	sx.stx_blocks = st.st_blocks;
	sx.stx_atime = sx_ts(st.st_atim);
	sx.stx_mtime = sx_ts(st.st_mtim);
	sx.stx_ctime = sx_ts(st.st_ctim);
	if (r)
		sx.stx_btime = sx_ts(bt);
	sx.stx_rdev_major = major(st.st_rdev);
	sx.stx_rdev_minor = minor(st.st_rdev);
	sx.stx_dev_major = major(st.st_dev);
	sx.stx_dev_minor = minor(st.st_dev);
	sx.stx_mnt_id = st.st_dev;
	return copy_to_user(ubuf, &sx, sizeof(sx));
}

static long do_access(int dirfd, const char *upath, int mode, int flags)
{
	struct vnode *vn;
	char *path;
	int err;

	if ((mode & ~(R_OK | W_OK | X_OK)) ||
	    (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)))
		return -EINVAL;
	if ((err = vfs_get_path(upath, flags & AT_EMPTY_PATH, &path)))
		return err;
	err = namei(dirfd, path,
		    (flags & AT_SYMLINK_NOFOLLOW ? 0 : NAMEI_FOLLOW) | NAMEI_EMPTY,
		    &vn);
	kfree(path);
	if (err)
		return err;
	err = mode ? vfs_permission(vn, mode) : 0;
	vnode_put(vn);
	return err;
}

SYSCALL_DEFINE2(access, const char *, path, int, mode)
{
	return do_access(AT_FDCWD_, path, mode, 0);
}

SYSCALL_DEFINE3(faccessat, int, dirfd, const char *, path, int, mode)
{
	return do_access(dirfd, path, mode, 0);
}

SYSCALL_DEFINE4(faccessat2, int, dirfd, const char *, path, int, mode, int, flags)
{
	return do_access(dirfd, path, mode, flags);
}
