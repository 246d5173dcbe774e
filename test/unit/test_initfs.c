/*
 * test_initfs.c - the embedded-archive reader (src/kernel/fs/initfs.c)
 * on the host, over a fake VFS that records what it is asked to make.
 *
 * argv[1] is an archive made by toolchain/uni-pack-files from
 * test/vm/files at /data (the build makes it): every entry must come out
 * with its type, bits and contents. Then hand-made archives (names with
 * "./", "..", bad fields) and every truncation and single-byte corruption
 * of the real one: a bad archive must give -EINVAL and a log line, never
 * a read outside the buffer (ASan watches) or a crash.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <uni/boot.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/vfs.h>
#include "../../src/kernel/fs/image_priv.h"
#include "unit.h"

struct boot_info boot_info; /* no loader modules on the host */

/* ---- the fake VFS: a log of made nodes ------------------------------- */

static char made[64][256];
static int nmade;
static int fail_writes; /* vfs_write_file answers -EEXIST this many times */
static int unlinks;

static void record(const char *fmt, ...)
{
	va_list ap;

	if (nmade == 64)
		return;
	va_start(ap, fmt);
	vsnprintf(made[nmade++], sizeof(made[0]), fmt, ap);
	va_end(ap);
}

int vfs_mkdir_p(const char *path, mode_t mode)
{
	record("d %s %o", path, mode);
	return 0;
}

int vfs_write_file(const char *path, mode_t mode, const void *data, size_t len)
{
	if (fail_writes) {
		fail_writes--;
		return -EEXIST;
	}
	record("f %s %o %zu %.*s", path, mode, len, (int)MIN(len, 16),
	       (const char *)data);
	return 0;
}

int vfs_symlink_path(const char *target, const char *path)
{
	record("l %s -> %s", path, target);
	return 0;
}

int vfs_mknod_path(const char *path, mode_t mode, dev_t rdev)
{
	record("n %s %o %u:%u", path, mode, major(rdev), minor(rdev));
	return 0;
}

int vfs_exists(const char *path) { return 0; }
int namei(int dirfd, const char *path, int flags, struct vnode **out)
{
	return -ENOENT;
}

static long fake_unlink(struct vnode *dir, const char *name, size_t len, int rmdir)
{
	unlinks++;
	return 0;
}
static struct vnode_ops dir_ops = { .unlink = (void *)fake_unlink };
static struct vnode dir = { .ops = &dir_ops };

int namei_parent(int dirfd, const char *path, struct vnode **d,
		 const char **name, size_t *len, int *trailing)
{
	*d = &dir;
	*name = strrchr(path, '/') + 1;
	*len = strlen(*name);
	*trailing = 0;
	return 0;
}
void vnode_put(struct vnode *vn) {}
void devfs_mount(void) {}
void procfs_mount(void) {}
void etc_populate(void) {}
void fs_apply_cwd_option(void) {}
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

static int has(const char *line)
{
	for (int i = 0; i < nmade; i++)
		if (!strcmp(made[i], line))
			return 1;
	printf("  not made: %s\n", line);
	return 0;
}

/* ---- hand-made archives ----------------------------------------------- */

static char arc[8192];
static size_t arclen;

static void put_entry(const char *name, unsigned mode, const char *data)
{
	size_t ns = strlen(name) + 1, ds = data ? strlen(data) : 0;

	arclen += sprintf(arc + arclen,
			  "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08zX%08X",
			  1, mode, 0, 0, 1, 0, (unsigned)ds, 0, 0, 1, 7, ns, 0);
	memcpy(arc + arclen, name, ns);
	arclen = (arclen + ns + 3) & ~(size_t)3;
	memcpy(arc + arclen, data ? data : "", ds);
	arclen = (arclen + ds + 3) & ~(size_t)3;
}

static void start(void)
{
	memset(arc, 0, sizeof(arc));
	arclen = 0;
	nmade = 0;
}

static void test_handmade(void)
{
	start();
	put_entry(".", S_IFDIR | 0755, NULL);
	put_entry("./a", S_IFDIR | 0750, NULL);
	put_entry("/a/f", S_IFREG | 04755, "contents");
	put_entry("a/../../etc/x", S_IFREG | 0644, "evil");
	put_entry("..", S_IFDIR | 0755, NULL);
	put_entry("a/..b", S_IFREG | 0600, "dots ok");
	put_entry("a/l", S_IFLNK | 0777, "../target");
	put_entry("a/empty-link", S_IFLNK | 0777, "");
	put_entry("a/c", S_IFCHR | 0666, NULL);
	put_entry("a/p", S_IFIFO | 0644, NULL);
	put_entry("TRAILER!!!", 0, NULL);
	CHECK(initfs_unpack(arc, arclen) == 6);
	CHECK(has("d /a 750"));
	CHECK(has("f /a/f 4755 8 contents"));
	CHECK(has("f /a/..b 600 7 dots ok"));
	CHECK(has("l /a/l -> ../target"));
	CHECK(has("n /a/c 20666 1:7"));
	CHECK(has("n /a/p 10644 1:7"));
	for (int i = 0; i < nmade; i++)
		CHECK(!strstr(made[i], "evil") && !strstr(made[i], "/etc"));

	/* A later file of the same name replaces the earlier one. */
	start();
	put_entry("f", S_IFREG | 0644, "second");
	put_entry("TRAILER!!!", 0, NULL);
	fail_writes = 1;
	unlinks = 0;
	CHECK(initfs_unpack(arc, arclen) == 1 && unlinks == 1);
	CHECK(has("f /f 644 6 second"));

	/* No trailer: what came before stays, the result says bad. */
	start();
	put_entry("x", S_IFDIR | 0700, NULL);
	CHECK(initfs_unpack(arc, arclen) == -EINVAL && has("d /x 700"));

	/* Bad fields. */
	const struct { size_t at; char c; } bad[] = {
		{ 0, '1' },   /* magic */
		{ 5, '7' },   /* magic variant */
		{ 14, 'g' },  /* not hex (c_mode) */
		{ 54, 'F' },  /* size far beyond the end */
		{ 94, 'F' },  /* name size absurd */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		start();
		put_entry("y", S_IFREG | 0644, "data");
		put_entry("TRAILER!!!", 0, NULL);
		arc[bad[i].at] = bad[i].c;
		CHECK(initfs_unpack(arc, arclen) == -EINVAL);
	}
	start();
	put_entry("y", S_IFREG | 0644, "data");
	put_entry("TRAILER!!!", 0, NULL);
	memcpy(arc + 94, "00000001", 8); /* name size 1: empty name */
	CHECK(initfs_unpack(arc, arclen) == -EINVAL);
	start();
	put_entry("yy", S_IFREG | 0644, "data");
	put_entry("TRAILER!!!", 0, NULL);
	arc[110 + 2] = 'z'; /* the name's NUL */
	CHECK(initfs_unpack(arc, arclen) == -EINVAL);
	CHECK(initfs_unpack(arc, 0) == -EINVAL);
}

/* ---- the packer's archive of test/vm/files ------------------------------ */

static void test_packed(const char *path)
{
	FILE *f = fopen(path, "rb");
	static unsigned char real[1 << 20];
	size_t len;
	unsigned seed = 1;

	CHECK(f != NULL);
	if (!f)
		return;
	len = fread(real, 1, sizeof(real), f);
	fclose(f);
	nmade = 0;
	CHECK(initfs_unpack(real, len) > 5);
	CHECK(has("d /data 755"));
	CHECK(has("d /data/data/nested/deeper 755"));
	CHECK(has("f /data/hello.txt 644 11 hello, uni\n"));
	CHECK(has("f /data/bin/tool.sh 755 20 #!/bin/sh\necho t"));
	CHECK(has("l /data/data/link-to-hello -> ../hello.txt"));
	CHECK(has("l /data/bin-link -> bin"));

	/* Every truncation: exactly len bytes in a buffer of its own. */
	for (size_t l = 0; l < len; l++) {
		unsigned char *p = malloc(l ? l : 1);
		memcpy(p, real, l);
		nmade = 0;
		int rc = initfs_unpack(p, l);
		/* only the trailer's last padding may be missing */
		CHECK(rc == -EINVAL || l >= len - 3);
		free(p);
	}
	/* Every byte of the headers and names garbled, and random garbage. */
	for (size_t i = 0; i < len; i++) {
		unsigned char *p = malloc(len);
		memcpy(p, real, len);
		p[i] ^= (unsigned char)(1 + rand_r(&seed) % 255);
		nmade = 0;
		(void)initfs_unpack(p, len);
		free(p);
	}
	for (int k = 0; k < 200; k++) {
		size_t l = (size_t)rand_r(&seed) % 2048;
		unsigned char *p = malloc(l + 1);
		for (size_t i = 0; i < l; i++)
			p[i] = (unsigned char)rand_r(&seed);
		if (l >= 6)
			memcpy(p, "070701", 6);
		nmade = 0;
		CHECK(initfs_unpack(p, l) == -EINVAL);
		free(p);
	}
	CHECK(kmalloc_in_use() == 0);
}

int main(int argc, char **argv)
{
	test_handmade();
	if (argc > 1)
		test_packed(argv[1]);
	else
		CHECK(!"no archive given");
	printf("test_initfs: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
