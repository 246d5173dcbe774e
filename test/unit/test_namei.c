/*
 * test_namei.c - path resolution over the real namei.c, mount.c and
 * ramfs.c: dots, repeated and trailing slashes, symlinks (relative,
 * absolute, in the middle, at the end, loops), ENAMETOOLONG, ENOTDIR,
 * dirfd, cwd and getcwd's path, mount crossing, permissions.
 */
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include "fs_tree_host.h"
#include "fs_tree_util.h"
#include "unit.h"

#define F NAMEI_FOLLOW

static void test_basic(void)
{
	int err;
	struct vnode *root = vfs_root();

	CHECK(host_populated == 1);
	vfs_root();
	CHECK(host_populated == 1);
	CHECK(mk("/a", S_IFDIR | 0755) == 0);
	CHECK(mk("/a/b", S_IFDIR | 0755) == 0);
	CHECK(mk("/a/b/f", S_IFREG | 0644) == 0);
	CHECK(mk("/a/b/f", S_IFREG | 0644) == -EEXIST);
	struct vnode *f = look("/a/b/f", F, &err);
	struct vnode *b = look("/a/b", F, &err);
	struct vnode *a = look("/a", F, &err);
	CHECK(f && S_ISREG(f->mode));
	CHECK(look("//a///b//f", F, &err) == f);
	CHECK(look("/a/./b/../b/./f", F, &err) == f);
	CHECK(look("/..", F, &err) == root);
	CHECK(look("/../../a/..", F, &err) == root);
	CHECK(look("/a/b/", F, &err) == b);
	CHECK(look("/a/b/.", F, &err) == b);
	CHECK(look("/a/b/..", F, &err) == a);
	CHECK(look("/", F, &err) == root);
	CHECK(look_err("/a/b/f/", F) == -ENOTDIR);
	CHECK(look_err("/a/b/f/.", F) == -ENOTDIR);
	CHECK(look_err("/a/b/f/x", F) == -ENOTDIR);
	CHECK(look_err("/a/b/nope", F) == -ENOENT);
	CHECK(look_err("/a/nope/f", F) == -ENOENT);
	CHECK(look_err("", F) == -ENOENT);
	CHECK(look_err("/a/b/f", F | NAMEI_DIRECTORY) == -ENOTDIR);
	CHECK(look_err("/a/b", F | NAMEI_DIRECTORY) == 0);

	/* mkdir("c/") makes c: namei_parent hands back "c" and trailing. */
	struct vnode *dir;
	const char *name;
	size_t len;
	int tr;
	CHECK(namei_parent(AT_FDCWD_, "/a/c//", &dir, &name, &len, &tr) == 0);
	CHECK(dir == a && len == 1 && name[0] == 'c' && tr == 1);
	vnode_put(dir);
	CHECK(namei_parent(AT_FDCWD_, "/a/b/f/g", &dir, &name, &len, &tr) == -ENOTDIR);
	CHECK(namei_parent(AT_FDCWD_, "///", &dir, &name, &len, &tr) == 0);
	CHECK(dir == root && len == 1 && name[0] == '.');
	vnode_put(dir);
	CHECK(namei_parent(AT_FDCWD_, "/a/..", &dir, &name, &len, &tr) == 0);
	CHECK(dir == a && len == 2 && tr == 0);
	vnode_put(dir);
	CHECK(namei_parent(AT_FDCWD_, "", &dir, &name, &len, &tr) == -ENOENT);
}

static void test_long(void)
{
	char p[PATH_MAX + 8];

	memset(p, 'x', sizeof(p));
	p[0] = '/';
	p[NAME_MAX + 2] = 0; /* a component of NAME_MAX + 1 */
	CHECK(look_err(p, F) == -ENAMETOOLONG);
	CHECK(mk(p, S_IFREG) == -ENAMETOOLONG);
	p[NAME_MAX + 1] = 0; /* exactly NAME_MAX: fine, just absent */
	CHECK(look_err(p, F) == -ENOENT);
	CHECK(mk(p, S_IFREG | 0644) == 0);
	CHECK(look_err(p, F) == 0);
	CHECK(rm(p, 0) == 0);
	/* A path of PATH_MAX bytes (no room for the NUL) is too long. */
	for (int i = 0; i < PATH_MAX; i++)
		p[i] = i % 2 ? '/' : '.';
	p[PATH_MAX] = 0;
	CHECK(look_err(p, F) == -ENAMETOOLONG);
	p[PATH_MAX - 1] = 0;
	CHECK(look_err(p, F) == 0);
	/* vfs_copy_path */
	/* The copy reads whole pages up to the NUL: give it pages. */
	static char buf[PATH_MAX], u[2 * PATH_MAX] __attribute__((aligned(4096)));
	CHECK(vfs_copy_path(buf, u, 0) == -ENOENT);
	CHECK(vfs_copy_path(buf, u, 1) == 0);
	strcpy(u + 4090, "/a/b");
	CHECK(vfs_copy_path(buf, u + 4090, 0) == 0 && !strcmp(buf, "/a/b"));
	memset(u, '.', sizeof(u));
	u[PATH_MAX + 1] = 0;
	CHECK(vfs_copy_path(buf, u + 2, 0) == 0);
	CHECK(vfs_copy_path(buf, u + 1, 0) == -ENAMETOOLONG);
}

static void test_symlinks(void)
{
	int err;
	struct vnode *f = look("/a/b/f", F, &err), *b = look("/a/b", F, &err);

	CHECK(sym("b", "/a/rel") == 0);
	CHECK(sym("/a/b/f", "/a/abs") == 0);
	CHECK(sym("../a/b", "/a/up") == 0);
	CHECK(sym("loop", "/a/loop") == 0);
	CHECK(sym("nowhere", "/a/dangle") == 0);
	CHECK(sym("abs", "/a/chain") == 0);
	CHECK(look("/a/rel/f", F, &err) == f);
	CHECK(look("/a/rel/f", 0, &err) == f);       /* middle: always followed */
	CHECK(look("/a/rel", F, &err) == b);
	struct vnode *l = look("/a/rel", 0, &err);   /* last: lstat */
	CHECK(l && S_ISLNK(l->mode));
	CHECK(look("/a/rel/", 0, &err) == b);        /* a slash follows it */
	CHECK(look("/a/abs", F, &err) == f);
	CHECK(look("/a/chain", F, &err) == f);
	CHECK(look("/a/up/f", F, &err) == f);
	CHECK(look("/a/up/../b/f", F, &err) == f);   /* .. of the target */
	CHECK(look_err("/a/abs/", F) == -ENOTDIR);
	CHECK(look_err("/a/loop", F) == -ELOOP);
	CHECK(look_err("/a/loop/x", 0) == -ELOOP);
	CHECK(look_err("/a/loop", 0) == 0);
	CHECK(look_err("/a/dangle", F) == -ENOENT);
	CHECK(look_err("/a/dangle", 0) == 0);
	/* A chain of exactly VFS_SYMLOOP_MAX links resolves, one more fails. */
	char name[32], target[32];
	for (int i = 1; i <= VFS_SYMLOOP_MAX + 1; i++) {
		snprintf(name, sizeof(name), "/a/s%d", i);
		snprintf(target, sizeof(target), i == 1 ? "b/f" : "s%d", i - 1);
		CHECK(sym(target, name) == 0);
	}
	snprintf(name, sizeof(name), "/a/s%d", VFS_SYMLOOP_MAX);
	CHECK(look(name, F, &err) == f);
	snprintf(name, sizeof(name), "/a/s%d", VFS_SYMLOOP_MAX + 1);
	CHECK(look_err(name, F) == -ELOOP);
	for (int i = 1; i <= VFS_SYMLOOP_MAX + 1; i++) {
		snprintf(name, sizeof(name), "/a/s%d", i);
		CHECK(rm(name, 0) == 0);
	}
	/* namei_parent follows links in the directory part only. */
	struct vnode *dir;
	const char *nm;
	size_t len;
	int tr;
	CHECK(namei_parent(AT_FDCWD_, "/a/rel/new", &dir, &nm, &len, &tr) == 0);
	CHECK(dir == b && len == 3);
	vnode_put(dir);
}

static void test_cwd_dirfd(void)
{
	int err;
	struct vnode *a = look("/a", F, &err), *b = look("/a/b", F, &err);
	struct vnode *f = look("/a/b/f", F, &err);
	char buf[64];

	CHECK(vfs_cwd() == vfs_root());
	vfs_set_cwd(b);
	CHECK(look("f", F, &err) == f);
	CHECK(look("./f", F, &err) == f);
	CHECK(look("..", F, &err) == a);
	CHECK(look("../rel/f", F, &err) == f);
	CHECK(vfs_path_of(b, buf, sizeof(buf)) == 5 && !strcmp(buf, "/a/b"));
	CHECK(vfs_path_of(b, buf, 5) == 5);
	CHECK(vfs_path_of(b, buf, 4) == -ERANGE);
	CHECK(vfs_path_of(vfs_root(), buf, 2) == 2 && !strcmp(buf, "/"));
	CHECK(vfs_path_of(vfs_root(), buf, 1) == -ERANGE);

	/* dirfd: a directory's file, a regular file's, none. */
	struct file fa = { .refs = 1, .vn = a }, ff = { .refs = 1, .vn = f };
	struct file fp = { .refs = 1 };
	host_fds[3] = &fa;
	host_fds[4] = &ff;
	host_fds[5] = &fp;
	struct vnode *vn;
	CHECK(namei(3, "b/f", F, &vn) == 0 && vn == f);
	vnode_put(vn);
	CHECK(namei(3, "/a", F, &vn) == 0 && vn == a); /* absolute: dirfd ignored */
	vnode_put(vn);
	CHECK(namei(4, "x", F, &vn) == -ENOTDIR);
	CHECK(namei(5, "x", F, &vn) == -ENOTDIR);
	CHECK(namei(6, "x", F, &vn) == -EBADF);
	CHECK(namei(4, "", F, &vn) == -ENOENT);
	CHECK(namei(4, "", F | NAMEI_EMPTY, &vn) == 0 && vn == f);
	vnode_put(vn);
	CHECK(namei(AT_FDCWD_, "", NAMEI_EMPTY, &vn) == 0 && vn == b);
	vnode_put(vn);
	CHECK(fa.refs == 1 && ff.refs == 1);
	host_fds[3] = host_fds[4] = host_fds[5] = NULL;

	/* A removed cwd: "." still works, ".." and its path do not. */
	CHECK(mk("/a/gone", S_IFDIR | 0755) == 0);
	struct vnode *g = look("/a/gone", F, &err);
	vfs_set_cwd(g);
	CHECK(rm("/a/gone", 1) == 0);
	CHECK(look(".", F, &err) == g);
	CHECK(look_err("..", F) == -ENOENT);
	CHECK(look_err("x", F) == -ENOENT);
	CHECK(mk("x", S_IFREG | 0644) == -ENOENT);
	CHECK(vfs_path_of(g, buf, sizeof(buf)) == -ENOENT);
	vfs_set_cwd(vfs_root()); /* frees g */
}

static void test_mount(void)
{
	int err;
	struct vnode *a = look("/a", F, &err);
	struct mount *m = ramfs_mount_new();
	char buf[64];

	CHECK(mk("/a/mnt", S_IFDIR | 0755) == 0);
	CHECK(mk("/a/mnt/under", S_IFREG | 0644) == 0);
	CHECK(vfs_mount("/a/mnt", m) == 0);
	CHECK(vfs_mount("/a/mnt", m) == -EBUSY);
	static struct mount *m2;
	m2 = ramfs_mount_new();
	CHECK(vfs_mount("/a/b/f", m2) == -ENOTDIR);
	CHECK(look("/a/mnt", F, &err) == m->root);
	CHECK(look_err("/a/mnt/under", F) == -ENOENT);
	CHECK(mk("/a/mnt/d", S_IFDIR | 0755) == 0);
	CHECK(mk("/a/mnt/d/x", S_IFREG | 0644) == 0);
	struct vnode *d = look("/a/mnt/d", F, &err);
	CHECK(d && d->mnt == m && m->dev != vfs_root()->mnt->dev);
	CHECK(look("/a/mnt/..", F, &err) == a);
	CHECK(look("/a/mnt/d/../..", F, &err) == a);
	CHECK(look("/a/mnt/d/../../mnt/d", F, &err) == d);
	CHECK(vfs_path_of(d, buf, sizeof(buf)) == 9 && !strcmp(buf, "/a/mnt/d"));
	CHECK(vfs_path_of(m->root, buf, sizeof(buf)) == 7 && !strcmp(buf, "/a/mnt"));
	CHECK(rm("/a/mnt", 1) == -EBUSY);
	vfs_set_cwd(m->root);
	CHECK(look("..", F, &err) == a);
	vfs_set_cwd(vfs_root());
}

static void test_permission(void)
{
	int err;
	struct vnode *f = look("/a/b/f", F, &err), *b = look("/a/b", F, &err);

	f->mode = S_IFREG | 0644;
	CHECK(vfs_permission(f, R_OK | W_OK) == 0);
	CHECK(vfs_permission(f, X_OK) == -EACCES);  /* even root */
	f->mode = S_IFREG | 0100;
	CHECK(vfs_permission(f, X_OK | R_OK) == 0);
	b->mode = S_IFDIR | 0;
	CHECK(look("/a/b/f", F, &err) == f);      /* root searches anything */
	host_cred.euid = host_cred.fsuid = 1000;
	host_cred.fsgid = 1000;
	CHECK(look_err("/a/b/f", F) == -EACCES);
	b->mode = S_IFDIR | 0711;
	f->mode = S_IFREG | 0604;
	CHECK(look("/a/b/f", F, &err) == f);
	CHECK(vfs_permission(f, R_OK) == 0);
	CHECK(vfs_permission(f, W_OK) == -EACCES);
	f->uid = 1000;
	f->mode = S_IFREG | 0200;
	CHECK(vfs_permission(f, W_OK) == 0);
	CHECK(vfs_permission(f, R_OK) == -EACCES);
	f->uid = 0;
	f->gid = 1000;
	f->mode = S_IFREG | 0040;
	CHECK(vfs_permission(f, R_OK) == 0);
	host_cred.euid = host_cred.fsuid = host_cred.fsgid = 0;
	f->mode = S_IFREG | 0644;
	b->mode = S_IFDIR | 0755;
}

/* The kernel-side builders fs_populate uses (vfs_kernel.c). */
static void test_kernel_helpers(void)
{
	int err;
	char buf[16];

	CHECK(vfs_mkdir_p("/k1/k2/k3", 0700) == 0);
	struct vnode *k3 = look("/k1/k2/k3", F, &err);
	CHECK(k3 && k3->mode == (S_IFDIR | 0700));
	CHECK(vfs_mkdir_p("/k1/k2/k3", 0755) == 0);
	CHECK(vfs_mkdir_p("//k1//k2/k4/", 0755) == 0 && look_err("/k1/k2/k4", F) == 0);
	CHECK(vfs_write_file("/k1/f", 0640, "contents", 8) == 0);
	struct vnode *f = look("/k1/f", F, &err);
	CHECK(f && f->mode == (S_IFREG | 0640) && f->size == 8);
	struct file fl = { .ops = f->fops, .refs = 1, .vn = f };
	uint64_t pos = 0;
	CHECK(host_rw(&fl, 0, buf, sizeof(buf), &pos) == 8 && !memcmp(buf, "contents", 8));
	CHECK(vfs_write_file("/k1/f", 0640, "x", 1) == -EEXIST);
	CHECK(vfs_write_file("/k1/empty", 0600, NULL, 0) == 0);
	CHECK(vfs_mkdir_p("/k1/f/sub", 0755) == -ENOTDIR);
	CHECK(vfs_mkdir_p("/k1/f", 0755) == -ENOTDIR);
	CHECK(vfs_symlink_path("f", "/k1/l") == 0 && look("/k1/l", F, &err) == f);
	CHECK(vfs_symlink_path("f", "/k1/l") == -EEXIST);
	CHECK(vfs_mknod_path("/k1/null", S_IFCHR | 0666, 0x103) == 0);
	CHECK(look("/k1/null", F, &err)->rdev == 0x103);
	CHECK(vfs_exists("/k1/l") && vfs_exists("/k1/null") && !vfs_exists("/k1/no"));
	CHECK(vfs_exists("/") && !vfs_exists("/k1/f/x"));
}

int main(void)
{
	test_basic();
	test_long();
	test_symlinks();
	test_cwd_dirfd();
	test_mount();
	test_permission();
	test_kernel_helpers();
	printf("test_namei: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
