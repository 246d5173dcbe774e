/*
 * test_ramfs.c - ramfs over its vnode ops and file ops: create, lookup,
 * unlink, link, rename (every POSIX/Linux rule), readdir while
 * unlinking, holes, truncate, O_APPEND, running out of frames,
 * unlinked-but-open files, and no leaks: after everything is removed
 * no frame is held and kmalloc is back where it started.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/statfs.h>
#include <uni/kmalloc.h>
#include <uni/mm.h>
#include <uni/time.h>
#include "fs_tree_host.h"
#include "fs_tree_util.h"
#include "ramfs_priv.h"
#include "unit.h"

#define F NAMEI_FOLLOW

static struct vnode *L(const char *path)
{
	int err;
	return look(path, F, &err);
}

/* A file on vn as open() would make it (no descriptor table here). */
static struct file fil(struct vnode *vn, unsigned flags)
{
	return (struct file){ .ops = vn->fops, .refs = 1, .flags = flags, .vn = vn };
}

static long wr(struct vnode *vn, const char *s, size_t n, uint64_t pos)
{
	struct file f = fil(vn, O_RDWR);
	return host_rw(&f, 1, (void *)s, n, &pos);
}

static long rd(struct vnode *vn, char *buf, size_t n, uint64_t pos)
{
	struct file f = fil(vn, O_RDONLY);
	return host_rw(&f, 0, buf, n, &pos);
}

static void test_files(void)
{
	struct vnode *vn;
	char buf[10000];

	CHECK(mk("/f", S_IFREG | 0644) == 0);
	vn = L("/f");
	CHECK(vn->fops == &ramfs_file_fops && vn->size == 0 && vn->nlink == 1);
	CHECK(wr(vn, "hello", 5, 0) == 5 && vn->size == 5 && vn->blocks == 8);
	CHECK(rd(vn, buf, sizeof(buf), 0) == 5 && !memcmp(buf, "hello", 5));
	CHECK(rd(vn, buf, sizeof(buf), 5) == 0);
	CHECK(rd(vn, buf, 3, 1) == 3 && !memcmp(buf, "ell", 3));
	/* A hole: write far out, read zeros up to it. */
	CHECK(wr(vn, "xyz", 3, 3 * 4096 + 10) == 3);
	CHECK(vn->size == 3 * 4096 + 13 && vn->blocks == 16);
	CHECK(host_frames_held == 2);
	memset(buf, 1, sizeof(buf));
	CHECK(rd(vn, buf, 9000, 5) == 9000);
	int zeros = 1;
	for (int i = 0; i < 9000; i++)
		zeros &= buf[i] == 0;
	CHECK(zeros);
	CHECK(rd(vn, buf, 100, 3 * 4096 + 8) == 5 && !memcmp(buf, "\0\0xyz", 5));
	/* Across a page boundary. */
	memset(buf, 'q', 5000);
	CHECK(wr(vn, buf, 5000, 4000) == 5000 && host_frames_held == 4);
	CHECK(rd(vn, buf + 5000, 5000, 4000) == 5000 && !memcmp(buf, buf + 5000, 5000));
	/* Truncate down zeroes the tail; up makes a hole. */
	CHECK(vn->ops->truncate(vn, 3) == 0 && vn->size == 3);
	CHECK(host_frames_held == 1 && vn->blocks == 8);
	CHECK(vn->ops->truncate(vn, 8000) == 0 && host_frames_held == 1);
	CHECK(rd(vn, buf, 10, 0) == 10 && !memcmp(buf, "hel\0\0\0\0\0\0\0", 10));
	CHECK(vn->ops->truncate(vn, 0) == 0 && host_frames_held == 0 &&
	      vn->blocks == 0 && RN(vn)->f.root == 0);
	CHECK(vn->ops->truncate(vn, RAMFS_MAX_SIZE + 1) == -EFBIG);
	/* Far offsets grow the tree; truncate frees every index array. */
	size_t before = kmalloc_in_use();
	CHECK(wr(vn, "far", 3, (1ULL << 40) + 7) == 3 && host_frames_held == 1);
	CHECK(rd(vn, buf, 5, (1ULL << 40) + 6) == 4 && !memcmp(buf, "\0far", 4));
	CHECK(wr(vn, "x", 1, RAMFS_MAX_SIZE) == -EFBIG);
	CHECK(vn->ops->truncate(vn, 0) == 0 && host_frames_held == 0);
	CHECK(kmalloc_in_use() == before);
	/* O_APPEND writes at the end whatever the offset. */
	struct file fa = fil(vn, O_WRONLY | O_APPEND);
	uint64_t pos = 0;
	CHECK(host_rw(&fa, 1, "ab", 2, &pos) == 2 && pos == 2);
	pos = 0;
	CHECK(host_rw(&fa, 1, "cd", 2, &pos) == 2 && pos == 4);
	CHECK(rd(vn, buf, 10, 0) == 4 && !memcmp(buf, "abcd", 4));
	/* Times: a write moves mtime and ctime. */
	host_now_ns += 5 * NSEC_PER_SEC;
	CHECK(wr(vn, "e", 1, 4) == 1 && vn->mtime.tv_sec == (long)(host_now_ns / NSEC_PER_SEC));
	CHECK(vn->ctime.tv_sec == vn->mtime.tv_sec && vn->btime.tv_sec < vn->mtime.tv_sec);
	/* getpage: the frame behind the data, -ENOENT for a hole. */
	uint64_t pa;
	CHECK(vn->ops->getpage(vn, 0, 0, &pa) == 0 && !memcmp((char *)pa, "abcde", 5));
	CHECK(vn->ops->getpage(vn, 5, 0, &pa) == -ENOENT);
	CHECK(vn->ops->getpage(vn, 5, 1, &pa) == 0 && pa && host_frames_held == 2);
	CHECK(L("/")->ops->getpage(L("/"), 0, 1, &pa) == -ENODEV);
	/* Frames getpage handed out (maybe mapped) survive truncation,
	 * zeroed, until the file goes. */
	uint64_t pa0;
	CHECK(vn->ops->getpage(vn, 0, 0, &pa0) == 0);
	CHECK(vn->ops->truncate(vn, 2) == 0 && host_frames_held == 2);
	CHECK(!memcmp((char *)pa0, "ab\0\0\0", 5));
	CHECK(vn->ops->truncate(vn, 0) == 0 && host_frames_held == 2);
	CHECK(((char *)pa0)[0] == 0 && rd(vn, buf, 5, 0) == 0);
	CHECK(vn->ops->truncate(vn, 5) == 0 && rd(vn, buf, 5, 0) == 5 &&
	      !memcmp(buf, "\0\0\0\0\0", 5));
	CHECK(rm("/f", 0) == 0 && host_frames_held == 0);
}

static void test_nospace(void)
{
	struct vnode *vn;
	char buf[3 * 4096];

	CHECK(mk("/full", S_IFREG | 0644) == 0);
	vn = L("/full");
	memset(buf, 'z', sizeof(buf));
	host_frames_limit = host_frames_held + 1;
	CHECK(wr(vn, buf, sizeof(buf), 0) == 4096 && vn->size == 4096);
	CHECK(wr(vn, buf, 10, 4096) == -ENOSPC && vn->size == 4096);
	CHECK(wr(vn, buf, 10, 4000) == 10 && vn->size == 4096); /* in the frame */
	host_frames_limit = (size_t)-1;
	CHECK(wr(vn, buf, 10, 4096) == 10 && vn->size == 4106);
	struct statfs sf;
	CHECK(vn->ops->statfs(vn, &sf) == 0 && sf.f_bfree == pmm_free_frames() &&
	      sf.f_bsize == 4096 && sf.f_blocks == 1000 && sf.f_namelen == 255);
	CHECK(rm("/full", 0) == 0 && host_frames_held == 0);
}

static void test_tree(void)
{
	struct vnode *root = vfs_root(), *d, *f, *vn;

	CHECK(mk("/d", S_IFDIR | 0755) == 0);
	d = L("/d");
	CHECK(root->nlink == 3 && d->nlink == 2 && d->parent == root);
	CHECK(mk("/d/f", S_IFREG | 0644) == 0);
	f = L("/d/f");
	CHECK(d->ops->lookup(d, "f", 1, &vn) == 0 && vn == f && f->refs == 1);
	vnode_put(vn);
	CHECK(d->ops->lookup(d, "g", 1, &vn) == -ENOENT);
	CHECK(mk("/d/p", S_IFIFO | 0644) == 0 && S_ISFIFO(L("/d/p")->mode));
	CHECK(d->ops->create(d, "c", 1, S_IFCHR | 0600, 0x103, &vn) == 0 &&
	      vn->rdev == 0x103);
	vnode_put(vn);
	CHECK(mk("/d/x", 0170000) == -EINVAL);
	/* ops->open: fifo without the pipe code, socket: ENXIO */
	CHECK(L("/d/p")->ops->open(L("/d/p"), NULL) == -ENXIO);
	CHECK(mk("/d/s", S_IFSOCK | 0644) == 0);
	CHECK(L("/d/s")->ops->open(L("/d/s"), NULL) == -ENXIO);
	CHECK(rm("/d/s", 0) == 0 && rm("/d/p", 0) == 0 && rm("/d/c", 0) == 0);
	/* link, unlink */
	CHECK(d->ops->link(d, "g", 1, f) == 0 && f->nlink == 2);
	CHECK(d->ops->link(d, "g", 1, f) == -EEXIST);
	CHECK(root->ops->link(root, "dd", 2, d) == -EPERM);
	CHECK(rm("/d/f", 0) == 0 && f->nlink == 1 && L("/d/g") == f);
	CHECK(rm("/d", 1) == -ENOTEMPTY);
	CHECK(rm("/d", 0) == -EISDIR);
	CHECK(rm("/d/g", 1) == -ENOTDIR);
	CHECK(rm("/d/nope", 0) == -ENOENT);
	/* Unlinked while referenced: lives until the last put. */
	vnode_get(f);
	CHECK(wr(f, "keep", 4, 0) == 4);
	CHECK(rm("/d/g", 0) == 0 && f->nlink == 0 && host_frames_held == 1);
	char buf[8];
	CHECK(rd(f, buf, 8, 0) == 4 && !memcmp(buf, "keep", 4));
	CHECK(d->ops->link(d, "back", 4, f) == -ENOENT);
	vnode_put(f);
	CHECK(host_frames_held == 0);
	/* A symlink */
	CHECK(sym("some/where", "/d/l") == 0);
	vn = L("/d/l");
	vn = look("/d/l", 0, &(int){ 0 });
	CHECK(vn && S_ISLNK(vn->mode) && vn->size == 10);
	CHECK(vn->ops->readlink(vn, buf, 4) == 4 && !memcmp(buf, "some", 4));
	CHECK(d->ops->readlink(d, buf, 4) == -EINVAL);
	CHECK(rm("/d/l", 0) == 0);
	/* An unlinked file for memfd/O_TMPFILE */
	CHECK(ramfs_new_unlinked(0600, &vn) == 0 && vn->nlink == 0);
	CHECK(wr(vn, "m", 1, 0) == 1 && host_frames_held == 1);
	vnode_put(vn);
	CHECK(host_frames_held == 0);
	CHECK(rm("/d", 1) == 0 && root->nlink == 2);
}

struct seen {
	int n, stop_after, dots;
	char names[200][16];
};

static int collect(void *ctx, const char *name, size_t len, uint64_t ino,
		   unsigned dtype)
{
	struct seen *s = ctx;

	(void)ino;
	(void)dtype;
	if (s->stop_after-- <= 0)
		return 1;
	if (name[0] == '.') {
		s->dots++;
		return 0;
	}
	memcpy(s->names[s->n], name, len);
	s->names[s->n++][len] = 0;
	return 0;
}

static void test_readdir(void)
{
	struct vnode *d;
	char path[32];
	struct seen s = { 0 };
	uint64_t cookie = 0;
	int count[100] = { 0 };

	CHECK(mk("/rd", S_IFDIR | 0755) == 0);
	d = L("/rd");
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/rd/e%d", i);
		CHECK(mk(path, S_IFREG | 0644) == 0);
	}
	/* Batches of 7; unlink what was listed, add some new entries. */
	for (;;) {
		int had = s.n;
		s.stop_after = 7;
		uint64_t c0 = cookie;
		d->ops->readdir(d, &cookie, collect, &s);
		for (int i = had; i < s.n; i++) {
			int k;
			if (sscanf(s.names[i], "e%d", &k) == 1) {
				count[k]++;
				snprintf(path, sizeof(path), "/rd/%s", s.names[i]);
				CHECK(rm(path, 0) == 0);
				if (k % 25 == 0) {
					snprintf(path, sizeof(path), "/rd/n%d", k);
					CHECK(mk(path, S_IFREG | 0644) == 0);
				}
			}
		}
		if (cookie == c0)
			break;
	}
	int ok = 1;
	for (int i = 0; i < 100; i++)
		ok &= count[i] == 1;
	CHECK(ok && s.dots == 2);
	CHECK(s.n == 104); /* the 4 new ones made on the way come after */
	CHECK(RN(d)->d.entries == 4);
	for (int k = 0; k < 100; k += 25) {
		snprintf(path, sizeof(path), "/rd/n%d", k);
		CHECK(rm(path, 0) == 0);
	}
	CHECK(rm("/rd", 1) == 0);
}

static void test_rename(void)
{
	struct vnode *root = vfs_root(), *a, *b, *d1, *d2;
	const char *R = "";

	(void)R;
	CHECK(mk("/a", S_IFREG | 0644) == 0 && mk("/b", S_IFREG | 0644) == 0);
	a = L("/a");
	b = L("/b");
	CHECK(wr(b, "bb", 2, 0) == 2 && host_frames_held == 1);
	/* file over file: b goes (and its frame) */
	CHECK(root->ops->rename(root, "a", 1, root, "b", 1, 0) == 0);
	CHECK(L("/b") == a && look_err("/a", F) == -ENOENT && host_frames_held == 0);
	/* same file (hard links): nothing happens */
	CHECK(root->ops->link(root, "c", 1, a) == 0);
	CHECK(root->ops->rename(root, "b", 1, root, "c", 1, 0) == 0);
	CHECK(L("/b") == a && L("/c") == a && a->nlink == 2);
	CHECK(rm("/c", 0) == 0);
	/* directories */
	CHECK(mk("/d1", S_IFDIR | 0755) == 0 && mk("/d2", S_IFDIR | 0755) == 0);
	CHECK(mk("/d1/sub", S_IFDIR | 0755) == 0);
	d1 = L("/d1");
	d2 = L("/d2");
	CHECK(root->nlink == 4);
	CHECK(root->ops->rename(root, "d1", 2, root, "d2", 2, 0) == 0); /* over empty */
	CHECK(L("/d2") == d1 && root->nlink == 3 && look_err("/d1", F) == -ENOENT);
	(void)d2; /* freed */
	CHECK(mk("/e", S_IFDIR | 0755) == 0 && mk("/e/x", S_IFREG | 0644) == 0);
	CHECK(root->ops->rename(root, "d2", 2, root, "e", 1, 0) == -ENOTEMPTY);
	CHECK(root->ops->rename(root, "d2", 2, root, "b", 1, 0) == -ENOTDIR);
	CHECK(root->ops->rename(root, "b", 1, root, "e", 1, 0) == -EISDIR);
	CHECK(root->ops->rename(root, "d2", 2, d1, "in", 2, 0) == -EINVAL);
	struct vnode *sub = L("/d2/sub");
	CHECK(root->ops->rename(root, "d2", 2, sub, "in", 2, 0) == -EINVAL);
	CHECK(root->ops->rename(root, "nope", 4, root, "x", 1, 0) == -ENOENT);
	/* a directory moves: link counts and parent follow */
	struct vnode *e = L("/e");
	CHECK(d1->ops->rename(d1, "sub", 3, e, "sub2", 4, 0) == 0);
	CHECK(sub->parent == e && e->nlink == 3 && d1->nlink == 2);
	CHECK(look("/e/sub2/..", F, &(int){ 0 }) == e);
	/* NOREPLACE, EXCHANGE */
	CHECK(root->ops->rename(root, "b", 1, e, "x", 1, 1) == -EEXIST);
	struct vnode *x = L("/e/x");
	CHECK(root->ops->rename(root, "b", 1, e, "x", 1, 2) == 0);
	CHECK(L("/b") == x && L("/e/x") == a);
	CHECK(root->ops->rename(root, "d2", 2, e, "x", 1, 2) == 0); /* dir <-> file */
	CHECK(L("/d2") == a && L("/e/x") == d1 && d1->parent == e);
	CHECK(root->nlink == 3 && e->nlink == 4);
	CHECK(root->ops->rename(root, "b", 1, root, "none", 4, 2) == -ENOENT);
	CHECK(root->ops->rename(root, "e", 1, d1, "q", 1, 2) == -ENOENT);
	CHECK(mk("/e/x/q", S_IFREG | 0644) == 0);
	CHECK(root->ops->rename(root, "e", 1, d1, "q", 1, 2) == -EINVAL);
	CHECK(rm("/e/x/q", 0) == 0);
	/* clean up */
	CHECK(rm("/e/sub2", 1) == 0 && rm("/e/x", 1) == 0 && rm("/e", 1) == 0);
	CHECK(rm("/b", 0) == 0 && rm("/d2", 0) == 0);
	CHECK(root->nlink == 2);
}

int main(void)
{
	vfs_root();
	size_t base = kmalloc_in_use();

	test_files();
	test_nospace();
	test_tree();
	test_readdir();
	test_rename();
	CHECK(host_frames_held == 0);
	CHECK(kmalloc_in_use() == base);
	CHECK(RN(vfs_root())->d.entries == 0);
	printf("test_ramfs: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
