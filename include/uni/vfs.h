/*
 * uni/vfs.h - vnodes, mounts and path resolution.
 *
 * Layer: kernel fs (src/kernel/fs). The file system tree is made of
 * vnodes. Each file system (ramfs for / and /tmp, devfs for /dev, procfs
 * for /proc) gives its vnodes a struct vnode_ops; the VFS (namei.c,
 * mount.c) walks paths over them, crossing mount points, following
 * symlinks (at most VFS_SYMLOOP_MAX per resolution) and checking the
 * permission bits. The path syscalls (open, stat, mkdir, rename, ...) sit
 * on top of this header and uni/file.h.
 *
 * References: a vnode returned by lookup/namei/create carries a reference
 * the caller drops with vnode_put(); when the last reference goes and the
 * file system says the node is gone (nlink 0), ops->inactive frees it.
 * Names passed to ops are (ptr, len) components: never "", ".", ".." or
 * containing '/' (the VFS handles those), at most NAME_MAX bytes.
 */
#ifndef UNI_VFS_H
#define UNI_VFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct file;
struct file_ops;
struct vnode;
struct mount;
struct statfs;
struct stat;

#define VFS_SYMLOOP_MAX 40

/* Called for each directory entry by readdir; nonzero return stops the
 * walk (the entry is not consumed: the cookie stays before it). */
typedef int (*vfs_filldir_t)(void *ctx, const char *name, size_t len,
			     uint64_t ino, unsigned dtype);

struct vnode_ops {
	/* Find name in dir: 0 and a referenced *out, or -ENOENT. */
	int (*lookup)(struct vnode *dir, const char *name, size_t len,
		      struct vnode **out);
	/* New node of (mode & S_IFMT): regular, dir, fifo, char dev, socket;
	 * rdev for device nodes. -EEXIST if the name exists. */
	int (*create)(struct vnode *dir, const char *name, size_t len,
		      mode_t mode, dev_t rdev, struct vnode **out);
	int (*symlink)(struct vnode *dir, const char *name, size_t len,
		       const char *target, struct vnode **out);
	int (*link)(struct vnode *dir, const char *name, size_t len,
		    struct vnode *vn);
	/* Remove a non-directory (rmdir 0) or an empty directory (rmdir 1). */
	int (*unlink)(struct vnode *dir, const char *name, size_t len, int rmdir);
	/* renameat2 semantics; flags RENAME_NOREPLACE/RENAME_EXCHANGE. */
	int (*rename)(struct vnode *odir, const char *oname, size_t olen,
		      struct vnode *ndir, const char *nname, size_t nlen,
		      unsigned flags);
	/* Copy the link target (not NUL-terminated); returns its length. */
	long (*readlink)(struct vnode *vn, char *buf, size_t len);
	/* Entries from *cookie on (0 = start; "." and ".." included). */
	int (*readdir)(struct vnode *dir, uint64_t *cookie, vfs_filldir_t fill,
		       void *ctx);
	int (*truncate)(struct vnode *vn, uint64_t size);
	/* The physical frame holding byte pgoff*4096 of a regular file, for
	 * MAP_SHARED; allocates (zeroed) when create. -ENODEV if the file
	 * system cannot share pages. */
	int (*getpage)(struct vnode *vn, uint64_t pgoff, int create,
		       uint64_t *pa);
	/* open: set up f (f->ops already set from vn->fops); may be NULL */
	int (*open)(struct vnode *vn, struct file *f);
	/* Last reference dropped. */
	void (*inactive)(struct vnode *vn);
	int (*statfs)(struct vnode *vn, struct statfs *st);
};

struct vnode {
	const struct vnode_ops *ops;
	const struct file_ops *fops; /* what open() installs */
	struct mount *mnt;           /* the mount this node belongs to */
	struct mount *mounted;       /* a file system mounted on this dir */
	struct vnode *parent;        /* directories: the containing directory */
	int refs;
	mode_t mode;                 /* type and permission bits */
	uid_t uid;
	gid_t gid;
	nlink_t nlink;
	uint64_t ino;
	uint64_t size;
	uint64_t blocks;             /* 512-byte units actually held */
	dev_t rdev;
	struct timespec atime, mtime, ctime, btime;
	void *priv;                  /* the file system's data */
	void *locks;                 /* record locks and flock state (fs/lock.c) */
};

struct mount {
	struct vnode *root;          /* root of the mounted file system */
	struct vnode *covered;       /* the directory it is mounted on (NULL for /) */
	const char *fstype;          /* "ramfs", "devtmpfs", "proc" */
	unsigned long magic;         /* f_type for statfs */
	dev_t dev;                   /* st_dev of its nodes */
	unsigned flags;              /* MNT_RDONLY */
	struct mount *next;
};
#define MNT_RDONLY 1

static inline void vnode_get(struct vnode *vn) { vn->refs++; }
void vnode_put(struct vnode *vn);

/* Time stamps: now as CLOCK_REALTIME. */
struct timespec vfs_now(void);
/* Fill a fresh vnode's common fields (refs 1, times now, uid/gid 0). */
void vnode_init(struct vnode *vn, struct mount *mnt, const struct vnode_ops *ops,
		mode_t mode);

/* ---- mounts ---------------------------------------------------------- */

/* The root mount (ramfs), created on first use. */
struct vnode *vfs_root(void);
/* The mount table, newest first (linked through ->next). */
struct mount *vfs_mounts(void);
/* Mount a file system whose root is `root` on the directory at `path`
 * (absolute, must exist). */
int vfs_mount(const char *path, struct mount *m);

/* ---- path resolution ---------------------------------------------- */

#define AT_FDCWD_ (-100)

/* Flags for namei */
#define NAMEI_FOLLOW    1  /* follow a symlink in the last component */
#define NAMEI_EMPTY     2  /* "" means dirfd itself (AT_EMPTY_PATH) */
#define NAMEI_DIRECTORY 4  /* the result must be a directory */

/* Resolve a kernel-space path relative to dirfd (AT_FDCWD: the cwd) to a
 * referenced vnode. -ENOENT, -ENOTDIR, -ELOOP, -ENAMETOOLONG, -EACCES,
 * -EBADF (dirfd). A trailing slash requires a directory. */
int namei(int dirfd, const char *path, int flags, struct vnode **out);

/* Resolve all but the last component: *dir is referenced, *name and *len the
 * last component (inside path). For create/unlink/rename. "." or ".."
 * as the last component gives -EEXIST/-EINVAL/-ENOTEMPTY as the caller
 * decides: *len is then 1 or 2 and *name points at the dots. *trailing
 * is set when the path ended with '/'. */
int namei_parent(int dirfd, const char *path, struct vnode **dir,
		 const char **name, size_t *len, int *trailing);

/* Copy a path from the program: -EFAULT, -ENAMETOOLONG (> PATH_MAX),
 * -ENOENT for "" unless allow_empty. buf holds PATH_MAX bytes. */
int vfs_copy_path(char *buf, const char *upath, int allow_empty);

/* Permission check for the (root) process: 0 or -EACCES. `want` is
 * R_OK|W_OK|X_OK. Root passes rw always and x if any x bit is set (or a
 * directory). */
int vfs_permission(struct vnode *vn, int want);

/* The per-process state. */
struct vnode *vfs_cwd(void);          /* not referenced */
void vfs_set_cwd(struct vnode *vn);   /* takes a reference */
mode_t vfs_umask(void);

/* The absolute path of a directory vnode (getcwd, /proc/self/cwd). */
long vfs_path_of(struct vnode *dir, char *buf, size_t len);

/* Open a vnode into a new struct file (checks access mode against the
 * permission bits, calls ops->open). Consumes no reference of vn: the
 * file takes its own. */
int vfs_open_vnode(struct vnode *vn, int flags, struct file **out);

/* Kernel-side helpers for boot-time population (archive, /etc, /dev):
 * create every missing directory of an absolute path; create a file with
 * contents (replacing nothing: -EEXIST if present); a symlink; a node. */
int vfs_mkdir_p(const char *path, mode_t mode);
int vfs_write_file(const char *path, mode_t mode, const void *data, size_t len);
int vfs_symlink_path(const char *target, const char *path);
int vfs_mknod_path(const char *path, mode_t mode, dev_t rdev);
int vfs_exists(const char *path);

/* st_* from a vnode (the common fields; stat.c). */
void vnode_stat(struct vnode *vn, struct stat *st);

/* Device nodes: a character device number's file ops (devfs registers
 * them; ramfs nodes made by mknod open through this too). NULL: -ENXIO. */
const struct file_ops *vfs_chrdev_fops(dev_t rdev);

/* The regular-file ops of ramfs, also used by memfd_create. */
extern const struct file_ops ramfs_file_fops;
/* A new unlinked ramfs regular file (memfd_create, O_TMPFILE). */
int ramfs_new_unlinked(mode_t mode, struct vnode **out);

/* Called once by vfs_root() right after / exists as an empty ramfs
 * (fs/initfs.c): mounts /dev and /proc, makes /tmp and /etc, unpacks the
 * archive embedded in the image, generates the /etc files it lacks. */
void fs_populate(void);

#endif
