/*
 * ramfs.c - the in-memory file system of / (and of any other ramfs
 * mount): directories, regular files held in 4 KiB frames, symlinks,
 * and fifo, device and socket nodes.
 *
 * Layer: kernel fs, below the VFS. mount.c makes the root ramfs with
 * ramfs_mount_new(); namei.c and the path syscalls reach it only through
 * struct vnode_ops; ramfs_file.c reads and writes file data.
 *
 * Lifetime: a node lives while a directory entry names it (nlink > 0)
 * or a reference is held (refs > 0); whichever goes last frees it
 * (drop_link() or ramfs_inactive()). So an unlinked file stays readable
 * through its open descriptors, and a removed directory that is still
 * somebody's cwd stays a valid, empty, unreachable vnode.
 *
 * File data: a radix tree of 512-slot index arrays whose leaves are
 * frames from pmm_alloc; missing frames are holes and read as zeros.
 */
#include <errno.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/mm.h>
#include "ramfs_priv.h"
#include "tree_priv.h"

#define RAMFS_MAGIC 0x858458f6
#define RENAME_NOREPLACE_ 1
#define RENAME_EXCHANGE_ 2
#define DT_DIR_ 4

static const struct vnode_ops ramfs_ops;

/* Fifos are opened by the pipe code when it is linked in (fs/pipe.c
 * defines this); without it a fifo node cannot be opened. */
int fifo_open(struct vnode *vn, struct file *f) __attribute__((weak));

/* ---- file pages ---------------------------------------------------- */

int ramfs_page(struct ramfs_node *n, uint64_t pg, int create, uint64_t *pa)
{
	uint64_t *slot = &n->f.root;

	*pa = 0;
	while (pg >> (9 * n->f.height)) { /* grow the tree upward */
		if (!create)
			return 0;
		uint64_t *top = kzalloc(RAMFS_PAGE);
		if (!top)
			return -ENOMEM;
		top[0] = n->f.root;
		n->f.root = (uint64_t)(uintptr_t)top;
		n->f.height++;
	}
	for (int level = n->f.height; level > 0; level--) {
		if (!*slot) {
			if (!create)
				return 0;
			void *a = kzalloc(RAMFS_PAGE);
			if (!a)
				return -ENOMEM;
			*slot = (uint64_t)(uintptr_t)a;
		}
		slot = (uint64_t *)(uintptr_t)*slot + ((pg >> (9 * (level - 1))) & 511);
	}
	if (!*slot && create) {
		*slot = pmm_alloc(PMM_ZERO);
		if (!*slot)
			return -ENOSPC;
		n->vn.blocks += RAMFS_PAGE / 512;
	}
	*pa = *slot;
	return 0;
}

/* Free every frame at page >= first under *slot (covering pages from
 * base on, at level `level`); index arrays left empty go too. A pinned
 * file's frames are zeroed and kept instead. */
static void free_pages(struct ramfs_node *n, uint64_t *slot, int level,
		       uint64_t base, uint64_t first)
{
	if (!*slot)
		return;
	if (level == 0) {
		if (base >= first && n->f.pinned) {
			__builtin_memset(ramfs_frame(*slot), 0, RAMFS_PAGE);
		} else if (base >= first) {
			pmm_free(*slot);
			*slot = 0;
			n->vn.blocks -= RAMFS_PAGE / 512;
		}
		return;
	}
	uint64_t span = 1ULL << (9 * (level - 1));
	uint64_t *a = (uint64_t *)(uintptr_t)*slot;
	for (uint64_t i = 0; i < 512; i++)
		if (base + (i + 1) * span > first)
			free_pages(n, &a[i], level - 1, base + i * span, first);
	if (base >= first && !n->f.pinned) {
		kfree(a);
		*slot = 0;
	}
}

static int ramfs_truncate(struct vnode *vn, uint64_t size)
{
	struct ramfs_node *n = RN(vn);
	uint64_t pa;

	if (S_ISDIR(vn->mode))
		return -EISDIR;
	if (!S_ISREG(vn->mode))
		return -EINVAL;
	if (size > RAMFS_MAX_SIZE)
		return -EFBIG;
	if (size < vn->size) {
		free_pages(n, &n->f.root, n->f.height, 0,
			   ALIGN_UP(size, RAMFS_PAGE) / RAMFS_PAGE);
		if (!n->f.root)
			n->f.height = 0;
		/* Bytes past the new end must read as zeros if the file
		 * grows again. */
		ramfs_page(n, size / RAMFS_PAGE, 0, &pa);
		if (pa && size % RAMFS_PAGE)
			__builtin_memset(ramfs_frame(pa) + size % RAMFS_PAGE, 0,
					 RAMFS_PAGE - size % RAMFS_PAGE);
	}
	vn->size = size;
	vn->mtime = vn->ctime = vfs_now();
	return 0;
}

static int ramfs_getpage(struct vnode *vn, uint64_t pgoff, int create,
			 uint64_t *pa)
{
	if (!S_ISREG(vn->mode))
		return -ENODEV;
	if (pgoff >= RAMFS_MAX_SIZE / RAMFS_PAGE)
		return -EFBIG;
	int err = ramfs_page(RN(vn), pgoff, create, pa);

	RN(vn)->f.pinned = 1;
	return err ? err : *pa ? 0 : -ENOENT;
}

/* ---- nodes --------------------------------------------------------- */

static struct ramfs_node *node_new(struct mount *mnt, mode_t mode)
{
	struct ramfs_node *n = kzalloc(sizeof(*n));

	if (!n)
		return NULL;
	vnode_init(&n->vn, mnt, &ramfs_ops, mode);
	if (S_ISREG(mode))
		n->vn.fops = &ramfs_file_fops;
	if (S_ISDIR(mode)) {
		n->vn.nlink = 2;
		n->d.next_cookie = 2;
	}
	return n;
}

static void node_free(struct ramfs_node *n)
{
	if (S_ISREG(n->vn.mode)) {
		n->f.pinned = 0; /* no mapping holds it any more */
		free_pages(n, &n->f.root, n->f.height, 0, 0);
	}
	else if (S_ISLNK(n->vn.mode))
		kfree(n->target);
	else if (S_ISDIR(n->vn.mode))
		KASSERT(!n->d.head);
	kfree(n);
}

static void ramfs_inactive(struct vnode *vn)
{
	if (vn->nlink == 0)
		node_free(RN(vn));
}

/* A directory entry naming vn is gone. */
static void drop_link(struct vnode *vn)
{
	if (S_ISDIR(vn->mode)) {
		vn->nlink = 0;
		vn->parent = NULL;
	} else {
		vn->nlink--;
	}
	vn->ctime = vfs_now();
	if (vn->nlink == 0 && vn->refs == 0)
		node_free(RN(vn));
}

/* ---- directories --------------------------------------------------- */

/* FNV-1a */
static uint32_t name_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ (unsigned char)*name++) * 16777619u;
	return h;
}

static struct ramfs_dirent *find(struct vnode *dir, const char *name,
				 size_t len)
{
	struct ramfs_node *d = RN(dir);
	uint32_t h = name_hash(name, len);
	struct ramfs_dirent *e = d->d.buckets
		? d->d.buckets[h & (d->d.nbuckets - 1)] : d->d.head;

	for (; e; e = d->d.buckets ? e->hnext : e->next)
		if (e->hash == h && e->len == len && !__builtin_memcmp(e->name, name, len))
			return e;
	return NULL;
}

static void hash_insert(struct ramfs_node *d, struct ramfs_dirent *e)
{
	struct ramfs_dirent **b = &d->d.buckets[e->hash & (d->d.nbuckets - 1)];

	e->hnext = *b;
	*b = e;
}

/* Keep about one entry per bucket; without memory for a bigger table,
 * lookups just walk longer chains (or the list). */
static void hash_grow(struct ramfs_node *d)
{
	size_t n = d->d.nbuckets ? d->d.nbuckets * 2 : 16;
	struct ramfs_dirent **nb;

	if (d->d.entries < 8 || d->d.entries < d->d.nbuckets ||
	    !(nb = kzalloc(n * sizeof(*nb))))
		return;
	kfree(d->d.buckets);
	d->d.buckets = nb;
	d->d.nbuckets = n;
	for (struct ramfs_dirent *e = d->d.head; e; e = e->next)
		hash_insert(d, e);
}

static struct ramfs_dirent *dirent_new(const char *name, size_t len,
				       struct vnode *vn)
{
	struct ramfs_dirent *e = kmalloc(sizeof(*e) + len);

	if (e) {
		e->next = e->prev = e->hnext = NULL;
		e->hash = name_hash(name, len);
		e->vn = vn;
		e->len = len;
		__builtin_memcpy(e->name, name, len);
	}
	return e;
}

static void dir_touch(struct vnode *dir)
{
	dir->size = RN(dir)->d.entries;
	dir->mtime = dir->ctime = vfs_now();
}

static void dirent_add(struct vnode *dir, struct ramfs_dirent *e)
{
	struct ramfs_node *d = RN(dir);

	e->cookie = d->d.next_cookie++;
	e->prev = d->d.tail;
	*(d->d.tail ? &d->d.tail->next : &d->d.head) = e;
	d->d.tail = e;
	d->d.entries++;
	if (d->d.buckets)
		hash_insert(d, e);
	hash_grow(d);
	dir_touch(dir);
}

/* Take e out of dir and free it. */
static void dirent_del(struct vnode *dir, struct ramfs_dirent *e)
{
	struct ramfs_node *d = RN(dir);

	*(e->prev ? &e->prev->next : &d->d.head) = e->next;
	*(e->next ? &e->next->prev : &d->d.tail) = e->prev;
	if (d->d.buckets) {
		struct ramfs_dirent **b = &d->d.buckets[e->hash & (d->d.nbuckets - 1)];
		while (*b != e)
			b = &(*b)->hnext;
		*b = e->hnext;
	}
	if (!--d->d.entries) { /* an empty directory holds no table */
		kfree(d->d.buckets);
		d->d.buckets = NULL;
		d->d.nbuckets = 0;
	}
	dir_touch(dir);
	kfree(e);
}

static int ramfs_lookup(struct vnode *dir, const char *name, size_t len,
			struct vnode **out)
{
	struct ramfs_dirent *e = find(dir, name, len);

	if (!e)
		return -ENOENT;
	vnode_get(e->vn);
	*out = e->vn;
	return 0;
}

/* Link a new node into dir under name; *out gets the node's reference
 * (or it is dropped when out is NULL). */
static int add_node(struct vnode *dir, const char *name, size_t len,
		    struct ramfs_node *n, struct vnode **out)
{
	struct ramfs_dirent *e = dirent_new(name, len, &n->vn);

	if (!e) {
		n->vn.nlink = 0;
		node_free(n);
		return -ENOMEM;
	}
	if (S_ISDIR(n->vn.mode)) {
		n->vn.parent = dir;
		dir->nlink++;
	}
	dirent_add(dir, e);
	if (out)
		*out = &n->vn;
	else
		vnode_put(&n->vn);
	return 0;
}

/* Can dir take a new entry called name? */
static int can_add(struct vnode *dir, const char *name, size_t len)
{
	if (dir->nlink == 0)
		return -ENOENT; /* removed directory */
	return find(dir, name, len) ? -EEXIST : 0;
}

static int ramfs_create(struct vnode *dir, const char *name, size_t len,
			mode_t mode, dev_t rdev, struct vnode **out)
{
	struct ramfs_node *n;
	int err = can_add(dir, name, len);

	if (err)
		return err;
	switch (mode & S_IFMT) {
	case S_IFREG: case S_IFDIR: case S_IFIFO: case S_IFCHR: case S_IFBLK:
	case S_IFSOCK:
		break;
	default:
		return -EINVAL;
	}
	n = node_new(dir->mnt, mode);
	if (!n)
		return -ENOMEM;
	if (S_ISCHR(mode) || S_ISBLK(mode))
		n->vn.rdev = rdev;
	return add_node(dir, name, len, n, out);
}

static int ramfs_symlink(struct vnode *dir, const char *name, size_t len,
			 const char *target, struct vnode **out)
{
	size_t tlen = __builtin_strlen(target);
	struct ramfs_node *n;
	int err = can_add(dir, name, len);

	if (err)
		return err;
	n = node_new(dir->mnt, S_IFLNK | 0777);
	if (!n)
		return -ENOMEM;
	n->target = kmalloc(tlen + 1);
	if (!n->target) {
		kfree(n);
		return -ENOMEM;
	}
	__builtin_memcpy(n->target, target, tlen + 1);
	n->vn.size = tlen;
	return add_node(dir, name, len, n, out);
}

static long ramfs_readlink(struct vnode *vn, char *buf, size_t len)
{
	if (!S_ISLNK(vn->mode))
		return -EINVAL;
	len = MIN(len, vn->size);
	__builtin_memcpy(buf, RN(vn)->target, len);
	return len;
}

static int ramfs_link(struct vnode *dir, const char *name, size_t len,
		      struct vnode *vn)
{
	struct ramfs_dirent *e;
	int err = can_add(dir, name, len);

	if (err)
		return err;
	if (S_ISDIR(vn->mode))
		return -EPERM;
	if (vn->nlink == 0)
		return -ENOENT;
	if (!(e = dirent_new(name, len, vn)))
		return -ENOMEM;
	dirent_add(dir, e);
	vn->nlink++;
	vn->ctime = vfs_now();
	return 0;
}

static int ramfs_unlink(struct vnode *dir, const char *name, size_t len,
			int rmdir)
{
	struct ramfs_dirent *e = find(dir, name, len);
	struct vnode *vn;

	if (!e)
		return -ENOENT;
	vn = e->vn;
	if (rmdir) {
		if (!S_ISDIR(vn->mode))
			return -ENOTDIR;
		if (vn->mounted)
			return -EBUSY;
		if (RN(vn)->d.entries)
			return -ENOTEMPTY;
		dir->nlink--;
	} else if (S_ISDIR(vn->mode)) {
		return -EISDIR;
	}
	dirent_del(dir, e);
	drop_link(vn);
	return 0;
}

/* Is dir inside (or equal to) the directory vn? */
static int inside(struct vnode *dir, struct vnode *vn)
{
	for (; dir; dir = dir->parent)
		if (dir == vn)
			return 1;
	return 0;
}

/* vn moved from odir to ndir: a directory's ".." and the two link
 * counts follow. */
static void move_dir_links(struct vnode *vn, struct vnode *odir,
			   struct vnode *ndir)
{
	if (S_ISDIR(vn->mode) && odir != ndir) {
		odir->nlink--;
		ndir->nlink++;
		vn->parent = ndir;
	}
}

static int ramfs_rename(struct vnode *odir, const char *oname, size_t olen,
			struct vnode *ndir, const char *nname, size_t nlen,
			unsigned flags)
{
	struct ramfs_dirent *oe = find(odir, oname, olen), *ne, *e;
	struct vnode *src, *dst;

	if (!oe)
		return -ENOENT;
	src = oe->vn;
	ne = find(ndir, nname, nlen);
	dst = ne ? ne->vn : NULL;
	if (ndir->nlink == 0)
		return -ENOENT;
	if (flags & RENAME_EXCHANGE_) {
		if (!dst)
			return -ENOENT;
		if ((S_ISDIR(src->mode) && src != dst && inside(ndir, src)) ||
		    (S_ISDIR(dst->mode) && src != dst && inside(odir, dst)))
			return -EINVAL;
		if (src->mounted || dst->mounted)
			return -EBUSY;
		oe->vn = dst;
		ne->vn = src;
		move_dir_links(src, odir, ndir);
		move_dir_links(dst, ndir, odir);
		src->ctime = dst->ctime = odir->mtime = odir->ctime =
			ndir->mtime = ndir->ctime = vfs_now();
		return 0;
	}
	if (dst && (flags & RENAME_NOREPLACE_))
		return -EEXIST;
	if (src == dst)
		return 0; /* POSIX: two links to one file, nothing happens */
	if (S_ISDIR(src->mode)) {
		if (inside(ndir, src))
			return -EINVAL;
		if (dst && !S_ISDIR(dst->mode))
			return -ENOTDIR;
		if (dst && RN(dst)->d.entries)
			return -ENOTEMPTY;
	} else if (dst && S_ISDIR(dst->mode)) {
		return -EISDIR;
	}
	if (src->mounted || (dst && dst->mounted))
		return -EBUSY;
	if (!dst) {
		/* A new entry: allocate before changing anything. */
		if (!(e = dirent_new(nname, nlen, src)))
			return -ENOMEM;
		dirent_del(odir, oe);
		dirent_add(ndir, e);
	} else {
		/* Replace: dst's entry now names src. */
		ne->vn = src;
		if (S_ISDIR(dst->mode))
			ndir->nlink--;
		drop_link(dst);
		dirent_del(odir, oe);
		ndir->mtime = ndir->ctime = vfs_now();
	}
	move_dir_links(src, odir, ndir);
	src->ctime = vfs_now();
	return 0;
}

static int ramfs_readdir(struct vnode *dir, uint64_t *cookie,
			 vfs_filldir_t fill, void *ctx)
{
	struct ramfs_dirent *e;

	if (dir->nlink == 0)
		return 0; /* removed: not even "." and "..", as Linux */
	if (*cookie == 0) {
		if (fill(ctx, ".", 1, dir->ino, DT_DIR_))
			return 0;
		*cookie = 1;
	}
	if (*cookie == 1) {
		struct vnode *p = dir->parent ? dir->parent : dir;
		if (fill(ctx, "..", 2, p->ino, DT_DIR_))
			return 0;
		*cookie = 2;
	}
	for (e = RN(dir)->d.head; e; e = e->next) {
		if (e->cookie < *cookie)
			continue;
		if (fill(ctx, e->name, e->len, e->vn->ino,
			 (e->vn->mode >> 12) & 15))
			return 0;
		*cookie = e->cookie + 1;
	}
	return 0;
}

static int ramfs_open(struct vnode *vn, struct file *f)
{
	if (S_ISFIFO(vn->mode))
		return fifo_open ? fifo_open(vn, f) : -ENXIO;
	if (S_ISSOCK(vn->mode))
		return -ENXIO; /* as Linux: sockets are reached by connect() */
	return 0;
}

static int ramfs_statfs(struct vnode *vn, struct statfs *st)
{
	__builtin_memset(st, 0, sizeof(*st));
	st->f_type = vn->mnt->magic;
	st->f_bsize = st->f_frsize = RAMFS_PAGE;
	st->f_blocks = pmm_total_frames();
	st->f_bfree = st->f_bavail = pmm_free_frames();
	st->f_namelen = 255;
	return 0;
}

static const struct vnode_ops ramfs_ops = {
	.lookup = ramfs_lookup,
	.create = ramfs_create,
	.symlink = ramfs_symlink,
	.link = ramfs_link,
	.unlink = ramfs_unlink,
	.rename = ramfs_rename,
	.readlink = ramfs_readlink,
	.readdir = ramfs_readdir,
	.truncate = ramfs_truncate,
	.getpage = ramfs_getpage,
	.open = ramfs_open,
	.inactive = ramfs_inactive,
	.statfs = ramfs_statfs,
};

int ramfs_owns(struct vnode *vn)
{
	return vn->ops == &ramfs_ops;
}

struct mount *ramfs_mount_new(void)
{
	struct mount *m = kzalloc(sizeof(*m));
	struct ramfs_node *root;

	if (!m)
		return NULL;
	root = node_new(m, S_IFDIR | 0755);
	if (!root) {
		kfree(m);
		return NULL;
	}
	m->root = &root->vn;
	m->fstype = "ramfs";
	m->magic = RAMFS_MAGIC;
	return m;
}

int ramfs_new_unlinked(mode_t mode, struct vnode **out)
{
	struct ramfs_node *n = node_new(vfs_root()->mnt, S_IFREG | (mode & 07777));

	if (!n)
		return -ENOMEM;
	n->vn.nlink = 0; /* freed when the last reference goes */
	*out = &n->vn;
	return 0;
}
