/*
 * vnode.c - what every vnode shares: initialisation, reference drops,
 * time stamps and the common stat fields.
 *
 * Layer: kernel fs, below namei.c and the file systems (ramfs, devfs,
 * procfs), which call vnode_init() for each node they make; everything
 * that holds a vnode calls vnode_put() when done. A vnode's memory
 * belongs to its file system: the last vnode_put() hands it to
 * ops->inactive, which frees it if the node is gone (nlink 0) and keeps
 * it otherwise (ramfs nodes live as long as a directory names them).
 */
#include <sys/stat.h>
#include <uni/kernel.h>
#include <uni/time.h>
#include <uni/vfs.h>

static uint64_t next_ino = 2; /* 1 is "bad blocks" by tradition */

void vnode_init(struct vnode *vn, struct mount *mnt, const struct vnode_ops *ops,
		mode_t mode)
{
	struct timespec now = vfs_now();

	vn->ops = ops;
	vn->mnt = mnt;
	vn->refs = 1;
	vn->mode = mode;
	vn->uid = vn->gid = 0;
	vn->nlink = 1;
	vn->ino = next_ino++;
	vn->atime = vn->mtime = vn->ctime = vn->btime = now;
}

void vnode_put(struct vnode *vn)
{
	KASSERT(vn->refs > 0);
	if (--vn->refs == 0 && vn->ops->inactive)
		vn->ops->inactive(vn);
}

struct timespec vfs_now(void)
{
	uint64_t ns = time_wall_base_ns() + time_now_ns();

	return (struct timespec){ .tv_sec = ns / NSEC_PER_SEC,
				  .tv_nsec = ns % NSEC_PER_SEC };
}

void vnode_stat(struct vnode *vn, struct stat *st)
{
	__builtin_memset(st, 0, sizeof(*st));
	st->st_dev = vn->mnt ? vn->mnt->dev : 0;
	st->st_ino = vn->ino;
	st->st_mode = vn->mode;
	st->st_nlink = vn->nlink;
	st->st_uid = vn->uid;
	st->st_gid = vn->gid;
	st->st_rdev = vn->rdev;
	st->st_size = vn->size;
	st->st_blksize = 4096;
	st->st_blocks = vn->blocks;
	st->st_atim = vn->atime;
	st->st_mtim = vn->mtime;
	st->st_ctim = vn->ctime;
}
