/*
 * procfs.c - /proc: the process and the machine as files, Linux's layout.
 *
 * Layer: kernel fs, a file system of its own under the VFS; mounted once
 * by fs_populate() (initfs.c). Nodes are made on lookup and freed with
 * their last reference; a file's text is generated when it is opened, so
 * reads with small buffers and seeks see one consistent snapshot. Only
 * real values: nothing here is a made-up figure.
 *
 *   /proc/self -> 1, /proc/1:
 *     fd/N     a symlink per open descriptor: the file's path (found by
 *              walking the tree for its inode), "pipe:[ino]" and
 *              "anon_inode:[eventfd]" as Linux for files without a path
 *     exe      "/" + argv[0]'s last component: the image has no path of
 *              its own in the tree (the program is not a file there)
 *     cwd      the working directory
 *     cmdline, environ   the argv and environment the program started
 *              with (the kernel command line decoded again, NUL-separated)
 *     status   Name, Umask, State, Pid, PPid, Uid, Gid, Threads
 *     mounts   the mount table (also /proc/mounts -> self/mounts)
 *   meminfo    MemTotal/MemFree/MemAvailable from the frame allocator (no
 *              page cache to reclaim: available == free), no swap
 *   cpuinfo    the one CPU the kernel runs on: CPUID identity and flags,
 *              MHz from the calibrated TSC
 *   uptime     time since the clock started; idle is that minus the CPU
 *              time of all threads (the scheduler's accounting)
 *   version, filesystems
 * Not here: loadavg (the scheduler keeps no run-queue average, and a
 * made-up one would mislead), per-process maps and stat.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <dirent.h>
#include <uni/file.h>
#include <uni/ident.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/memfd.h>
#include <uni/proc.h>
#include <uni/cmdline.h>
#include <uni/mm.h>
#include <uni/sched.h>
#include <uni/time.h>
#include <uni/vfs.h>
#include <uni/x86_64/cpu.h>
#include "image_priv.h"

#define PROC_SUPER_MAGIC 0x9fa0

enum kind {
	K_DIR_ROOT, K_DIR_PID, K_DIR_FD,
	K_LINK_SELF, K_LINK_MOUNTS, K_LINK_EXE, K_LINK_CWD, K_LINK_FD,
	K_FILE,
};

struct pnode;
typedef void (*gen_fn)(struct text *t);

struct pentry {
	const char *name;
	unsigned char kind;
	unsigned short mode;
	gen_fn gen;
};

/* A procfs vnode: which entry it is, and its directory (referenced). */
struct pnode {
	struct vnode vn; /* first */
	const struct pentry *pe;
	struct pnode *up;
	int fd;
};

static const struct vnode_ops proc_ops;
static const struct file_ops proc_file_fops;
static struct mount proc_mount;

/* ---- file contents ----------------------------------------------------- */

static void gen_args(struct text *t, int env)
{
	const struct cmdline *c = proc_cmdline();

	for (char **v = env ? c->envp : c->argv; *v; v++)
		text_put(t, *v, strlen(*v) + 1);
}

static void gen_cmdline(struct text *t) { gen_args(t, 0); }
static void gen_environ(struct text *t) { gen_args(t, 1); }

/* argv[0]'s last component (Linux's comm is the executable's name). */
static void put_name(struct text *t, size_t max)
{
	const char *s, *base;

	for (base = s = proc_cmdline()->argv[0]; *s; s++)
		if (*s == '/' && s[1])
			base = s + 1;
	s = base;
	while (*s && *s != '/' && (size_t)(s - base) < max)
		s++;
	text_put(t, base, (size_t)(s - base));
}

static void gen_status(struct text *t)
{
	const struct ident_cred *c = ident_cred();
	mode_t um = vfs_umask();

	text_printf(t, "Name:\t");
	put_name(t, 15);
	text_printf(t, "\nUmask:\t0%u%u%u\nState:\tR (running)\nTgid:\t%d\n"
		    "Ngid:\t0\nPid:\t%d\nPPid:\t0\nTracerPid:\t0\n",
		    (um >> 6) & 7, (um >> 3) & 7, um & 7, 1, 1);
	text_printf(t, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n",
		    c->ruid, c->euid, c->suid, c->fsuid,
		    c->rgid, c->egid, c->sgid, c->fsgid);
	text_printf(t, "Threads:\t%d\n", sched_thread_count());
}

static void gen_mounts(struct text *t)
{
	struct mount *list[16], *m;
	char *path = kmalloc(PATH_MAX);
	int n = 0;

	if (!path)
		return;
	/* The table runs newest first: print it oldest first. */
	for (m = vfs_mounts(); m && n < (int)ARRAY_SIZE(list); m = m->next)
		list[n++] = m;
	while (n--) {
		m = list[n];
		if (!m->covered)
			strcpy(path, "/");
		else if (vfs_path_of(m->covered, path, PATH_MAX) < 0)
			continue;
		text_printf(t, "%s %s %s %s 0 0\n", m->fstype, path, m->fstype,
			    m->flags & MNT_RDONLY ? "ro" : "rw");
	}
	kfree(path);
}

static void gen_meminfo(struct text *t)
{
	size_t kb = UNI_PAGE_SIZE / 1024;

	text_printf(t, "MemTotal:       %8zu kB\nMemFree:        %8zu kB\n"
		    "MemAvailable:   %8zu kB\nSwapTotal:      %8u kB\n"
		    "SwapFree:       %8u kB\n", pmm_total_frames() * kb,
		    pmm_free_frames() * kb, pmm_free_frames() * kb, 0, 0);
}

/* CPUID feature bits by Linux's names: leaf index (into regs below),
 * bit, name. */
static const struct {
	unsigned char reg, bit;
	char name[19];
} flags[] = {
	{ 0, 0, "fpu" }, { 0, 1, "vme" }, { 0, 2, "de" }, { 0, 3, "pse" },
	{ 0, 4, "tsc" }, { 0, 5, "msr" }, { 0, 6, "pae" }, { 0, 7, "mce" },
	{ 0, 8, "cx8" }, { 0, 9, "apic" }, { 0, 11, "sep" }, { 0, 12, "mtrr" },
	{ 0, 13, "pge" }, { 0, 14, "mca" }, { 0, 15, "cmov" }, { 0, 16, "pat" },
	{ 0, 17, "pse36" }, { 0, 19, "clflush" }, { 0, 23, "mmx" },
	{ 0, 24, "fxsr" }, { 0, 25, "sse" }, { 0, 26, "sse2" }, { 0, 27, "ss" },
	{ 0, 28, "ht" }, { 2, 11, "syscall" }, { 2, 20, "nx" },
	{ 2, 22, "mmxext" }, { 2, 25, "fxsr_opt" }, { 2, 26, "pdpe1gb" },
	{ 2, 27, "rdtscp" }, { 2, 29, "lm" },
	{ 1, 0, "pni" }, { 1, 1, "pclmulqdq" }, { 1, 3, "monitor" },
	{ 1, 9, "ssse3" }, { 1, 12, "fma" }, { 1, 13, "cx16" },
	{ 1, 17, "pcid" }, { 1, 19, "sse4_1" }, { 1, 20, "sse4_2" },
	{ 1, 21, "x2apic" }, { 1, 22, "movbe" }, { 1, 23, "popcnt" },
	{ 1, 24, "tsc_deadline_timer" }, { 1, 25, "aes" }, { 1, 26, "xsave" },
	{ 1, 28, "avx" }, { 1, 29, "f16c" }, { 1, 30, "rdrand" },
	{ 1, 31, "hypervisor" },
	{ 3, 0, "lahf_lm" }, { 3, 5, "abm" }, { 3, 6, "sse4a" },
	{ 3, 8, "3dnowprefetch" },
	{ 4, 0, "fsgsbase" }, { 4, 3, "bmi1" }, { 4, 5, "avx2" },
	{ 4, 7, "smep" }, { 4, 8, "bmi2" }, { 4, 9, "erms" },
	{ 4, 10, "invpcid" }, { 4, 16, "avx512f" }, { 4, 18, "rdseed" },
	{ 4, 19, "adx" }, { 4, 20, "smap" }, { 4, 23, "clflushopt" },
	{ 4, 24, "clwb" }, { 4, 29, "sha_ni" }, { 5, 2, "umip" },
	{ 5, 22, "rdpid" },
};

static void gen_cpuinfo(struct text *t)
{
	struct cpuid_regs l0 = cpuid(0, 0), l1 = cpuid(1, 0), ext;
	uint32_t regs[6] = { l1.edx, l1.ecx, 0, 0, 0, 0 }, name[13] = { 0 };
	uint32_t family = (l1.eax >> 8) & 15, model = (l1.eax >> 4) & 15;
	uint64_t khz = time_tsc_hz() / 1000;
	uint32_t vendor[4] = { l0.ebx, l0.edx, l0.ecx, 0 };

	if (l0.eax >= 7) {
		ext = cpuid(7, 0);
		regs[4] = ext.ebx;
		regs[5] = ext.ecx;
	}
	ext = cpuid(0x80000000, 0);
	if (ext.eax >= 0x80000001) {
		struct cpuid_regs e1 = cpuid(0x80000001, 0);
		regs[2] = e1.edx;
		regs[3] = e1.ecx;
	}
	if (ext.eax >= 0x80000004)
		for (int i = 0; i < 3; i++) {
			struct cpuid_regs r = cpuid(0x80000002 + i, 0);
			memcpy(&name[4 * i], &r, 16);
		}
	if (family == 15)
		family += (l1.eax >> 20) & 0xff;
	if (family >= 6)
		model |= ((l1.eax >> 16) & 15) << 4;
	const char *mn = (const char *)name;
	while (*mn == ' ')
		mn++;
	text_printf(t, "processor\t: 0\nvendor_id\t: %s\ncpu family\t: %u\n"
		    "model\t\t: %u\nmodel name\t: %s\nstepping\t: %u\n"
		    "cpu MHz\t\t: %lu.%03lu\nphysical id\t: 0\nsiblings\t: 1\n"
		    "core id\t\t: 0\ncpu cores\t: 1\napicid\t\t: %u\n"
		    "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %u\n"
		    "wp\t\t: yes\nflags\t\t:",
		    (const char *)vendor, family, model, *mn ? mn : "unknown",
		    l1.eax & 15, (unsigned long)(khz / 1000),
		    (unsigned long)(khz % 1000), l1.ebx >> 24, l0.eax);
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (regs[flags[i].reg] >> flags[i].bit & 1)
			text_printf(t, " %s", flags[i].name);
	text_printf(t, "\nclflush size\t: %u\naddress sizes\t: %u bits physical, "
		    "%u bits virtual\n\n", ((l1.ebx >> 8) & 0xff) * 8,
		    ext.eax >= 0x80000008 ? cpuid(0x80000008, 0).eax & 0xff : 36,
		    ext.eax >= 0x80000008 ? (cpuid(0x80000008, 0).eax >> 8) & 0xff : 48);
}

static void gen_uptime(struct text *t)
{
	uint64_t now = time_now_ns(), busy = sched_process_cpu_ns();
	uint64_t idle = now > busy ? now - busy : 0, cs = 10000000;

	text_printf(t, "%lu.%02lu %lu.%02lu\n", (unsigned long)(now / NSEC_PER_SEC),
		    (unsigned long)(now / cs % 100),
		    (unsigned long)(idle / NSEC_PER_SEC),
		    (unsigned long)(idle / cs % 100));
}

/* As uname(2) answers (proc/sys_ident.c). */
static void gen_version(struct text *t)
{
	text_printf(t, "Linux version " UNI_UTS_RELEASE " (uni) " UNI_UTS_VERSION "\n");
}

static void gen_filesystems(struct text *t)
{
	text_printf(t, "nodev\tramfs\nnodev\tdevtmpfs\nnodev\tproc\n");
}

/* ---- the tree ---------------------------------------------------------- */

static const struct pentry root_entries[] = {
	{ "self", K_LINK_SELF, S_IFLNK | 0777, NULL },
	{ "1", K_DIR_PID, S_IFDIR | 0555, NULL },
	{ "mounts", K_LINK_MOUNTS, S_IFLNK | 0777, NULL },
	{ "meminfo", K_FILE, S_IFREG | 0444, gen_meminfo },
	{ "cpuinfo", K_FILE, S_IFREG | 0444, gen_cpuinfo },
	{ "uptime", K_FILE, S_IFREG | 0444, gen_uptime },
	{ "version", K_FILE, S_IFREG | 0444, gen_version },
	{ "filesystems", K_FILE, S_IFREG | 0444, gen_filesystems },
};

static const struct pentry pid_entries[] = {
	{ "fd", K_DIR_FD, S_IFDIR | 0500, NULL },
	{ "exe", K_LINK_EXE, S_IFLNK | 0777, NULL },
	{ "cwd", K_LINK_CWD, S_IFLNK | 0777, NULL },
	{ "cmdline", K_FILE, S_IFREG | 0444, gen_cmdline },
	{ "environ", K_FILE, S_IFREG | 0400, gen_environ },
	{ "status", K_FILE, S_IFREG | 0444, gen_status },
	{ "mounts", K_FILE, S_IFREG | 0444, gen_mounts },
};

static const struct pentry root_entry = { "", K_DIR_ROOT, S_IFDIR | 0555, NULL };
static const struct pentry fd_entry = { "", K_LINK_FD, S_IFLNK | 0700, NULL };

static struct pnode *PN(struct vnode *vn)
{
	return (struct pnode *)vn;
}

/* Stable inode numbers: the root's, then entry tables, then descriptors. */
#define INO_BASE 0x70000000u

static struct vnode *pnode_new(struct pnode *up, const struct pentry *pe,
			       int fd, uint64_t ino)
{
	struct pnode *n = kzalloc(sizeof(*n));

	if (!n)
		return NULL;
	vnode_init(&n->vn, &proc_mount, &proc_ops, pe->mode);
	n->vn.ino = INO_BASE + ino;
	n->pe = pe;
	n->fd = fd;
	n->up = up;
	vnode_get(&up->vn);
	if (S_ISDIR(pe->mode)) {
		n->vn.nlink = 2;
		n->vn.parent = &up->vn;
	}
	if (pe->kind == K_FILE)
		n->vn.fops = &proc_file_fops;
	return &n->vn;
}

static void proc_inactive(struct vnode *vn)
{
	struct pnode *n = PN(vn);

	if (!n->up)
		return; /* the root lives as long as the mount */
	vnode_put(&n->up->vn);
	kfree(n);
}

static const struct pentry *table(struct pnode *d, size_t *n)
{
	switch (d->pe->kind) {
	case K_DIR_ROOT: *n = ARRAY_SIZE(root_entries); return root_entries;
	case K_DIR_PID: *n = ARRAY_SIZE(pid_entries); return pid_entries;
	}
	*n = 0;
	return NULL;
}

/* fd number from a name of decimal digits, or -1. */
static int parse_fd(const char *s, size_t len)
{
	long v = 0;

	if (!len || len > 9 || (len > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return (int)v;
}

static int proc_lookup(struct vnode *dir, const char *name, size_t len,
		       struct vnode **out)
{
	struct pnode *d = PN(dir);
	const struct pentry *tab;
	size_t n;

	if (d->pe->kind == K_DIR_FD) {
		int fd = parse_fd(name, len);
		struct file *f = fd >= 0 ? fd_get(fd) : NULL;
		if (!f)
			return -ENOENT;
		file_put(f);
		*out = pnode_new(d, &fd_entry, fd, 0x10000 + (uint64_t)fd);
		return *out ? 0 : -ENOMEM;
	}
	tab = table(d, &n);
	for (size_t i = 0; i < n; i++)
		if (strlen(tab[i].name) == len && !memcmp(tab[i].name, name, len)) {
			*out = pnode_new(d, &tab[i], -1,
					 (d->pe->kind == K_DIR_PID ? 0x100 : 0x10) + i);
			return *out ? 0 : -ENOMEM;
		}
	return -ENOENT;
}

static int proc_readdir(struct vnode *dir, uint64_t *cookie, vfs_filldir_t fill,
			void *ctx)
{
	struct pnode *d = PN(dir);
	const struct pentry *tab;
	size_t n;
	char num[12];

	for (;;) {
		uint64_t c = *cookie;
		int len;

		if (c == 0) {
			if (fill(ctx, ".", 1, dir->ino, DT_DIR))
				return 0;
		} else if (c == 1) {
			if (fill(ctx, "..", 2, dir->parent ? dir->parent->ino :
				 dir->ino, DT_DIR))
				return 0;
		} else if (d->pe->kind == K_DIR_FD) {
			int fd = (int)(c - 2);
			struct file *f;

			if (fd >= fd_count_hint())
				return 0;
			if ((f = fd_get(fd))) {
				file_put(f);
				len = ksnprintf(num, sizeof(num), "%d", fd);
				if (fill(ctx, num, (size_t)len,
					 INO_BASE + 0x10000 + (uint64_t)fd, DT_LNK))
					return 0;
			}
		} else {
			tab = table(d, &n);
			if (c - 2 >= n)
				return 0;
			tab += c - 2;
			if (fill(ctx, tab->name, strlen(tab->name),
				 INO_BASE + (d->pe->kind == K_DIR_PID ? 0x100 : 0x10) +
				 c - 2, tab->mode >> 12))
				return 0;
		}
		*cookie = c + 1;
	}
}

/* ---- where a descriptor's file is -------------------------------------- */

struct search {
	uint64_t ino;   /* looking for this node */
	char *path;     /* PATH_MAX bytes: the path so far */
	int found;
};

struct level {
	struct search *s;
	struct vnode *dir;
	size_t pos;     /* length of the path to dir */
	int depth;
};

static int search_dir(struct search *s, struct vnode *dir, size_t pos, int depth);

static int search_entry(void *ctx, const char *name, size_t len, uint64_t ino,
			unsigned dtype)
{
	struct level *l = ctx;
	struct vnode *vn;

	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	if (l->pos + 1 + len >= PATH_MAX)
		return 0;
	l->s->path[l->pos] = '/';
	memcpy(l->s->path + l->pos + 1, name, len);
	l->s->path[l->pos + 1 + len] = '\0';
	if (ino == l->s->ino)
		return l->s->found = 1;
	if (dtype != DT_DIR || l->depth >= 32 ||
	    l->dir->ops->lookup(l->dir, l->s->path + l->pos + 1, len, &vn))
		return 0;
	while (vn->mounted) {
		struct vnode *r = vn->mounted->root;
		vnode_get(r);
		vnode_put(vn);
		vn = r;
	}
	if (vn->mnt != &proc_mount)
		search_dir(l->s, vn, l->pos + 1 + len, l->depth + 1);
	vnode_put(vn);
	return l->s->found;
}

static int search_dir(struct search *s, struct vnode *dir, size_t pos, int depth)
{
	struct level l = { s, dir, pos, depth };
	uint64_t cookie = 0;

	if (dir->ops->readdir)
		dir->ops->readdir(dir, &cookie, search_entry, &l);
	return s->found;
}

/* The path of a proc node: /proc's own path and the names down to it. */
static long proc_path(struct pnode *n, char *buf, size_t len)
{
	const char *names[4];
	char num[12];
	int k = 0;
	long pos;

	if (n->pe->kind == K_LINK_FD) {
		ksnprintf(num, sizeof(num), "%d", n->fd);
		names[k++] = num;
		n = n->up;
	}
	for (; n->up && k < 4; n = n->up)
		names[k++] = n->pe->name;
	pos = vfs_path_of(proc_mount.root, buf, len);
	if (pos < 0)
		return pos;
	pos--;
	while (k--) {
		size_t l = strlen(names[k]);
		if ((size_t)pos + 1 + l >= len)
			return -ENAMETOOLONG;
		buf[pos++] = '/';
		memcpy(buf + pos, names[k], l + 1);
		pos += (long)l;
	}
	return pos;
}

/* readlink of fd/N: into buf (PATH_MAX), returns the length. */
static long fd_target(int fd, char *buf)
{
	struct file *f = fd_get(fd);
	const char *anon;
	struct stat st;
	long n = -ENOENT;

	if (!f)
		return -ENOENT;
	if (memfd_name && (anon = memfd_name(f))) {
		n = ksnprintf(buf, PATH_MAX, "%s", anon);
	} else if (f->vn && f->vn->ops == &proc_ops) {
		n = proc_path(PN(f->vn), buf, PATH_MAX);
	} else if (f->vn && S_ISDIR(f->vn->mode)) {
		n = vfs_path_of(f->vn, buf, PATH_MAX);
		n = n > 0 ? n - 1 : n;
	} else if (f->vn) {
		struct search s = { f->vn->ino, buf, 0 };
		if (f->vn->nlink && search_dir(&s, vfs_root(), 0, 0))
			n = (long)strlen(buf);
		else
			n = ksnprintf(buf, PATH_MAX, "/[deleted inode %lu] (deleted)",
				      (unsigned long)f->vn->ino);
	} else if ((anon = f->ops->anon_name)) {
		if (anon[0] == '/')
			n = ksnprintf(buf, PATH_MAX, "%s", anon);
		else if (anon[0] == '[')
			n = ksnprintf(buf, PATH_MAX, "anon_inode:%s", anon);
		else {
			st.st_ino = 0;
			if (f->ops->stat)
				f->ops->stat(f, &st);
			n = ksnprintf(buf, PATH_MAX, "%s:[%lu]", anon,
				      (unsigned long)st.st_ino);
		}
	} else {
		n = ksnprintf(buf, PATH_MAX, "anon_inode:[unknown]");
	}
	file_put(f);
	return n;
}

static long proc_readlink(struct vnode *vn, char *buf, size_t len)
{
	struct pnode *n = PN(vn);
	struct text t;
	long r;

	text_init(&t, PATH_MAX);
	if (!t.p)
		return -ENOMEM;
	switch (n->pe->kind) {
	case K_LINK_SELF:
		r = ksnprintf(t.p, PATH_MAX, "%d", 1);
		break;
	case K_LINK_MOUNTS:
		r = ksnprintf(t.p, PATH_MAX, "self/mounts");
		break;
	case K_LINK_EXE:
		text_put(&t, "/", 1);
		put_name(&t, NAME_MAX);
		r = t.p ? (long)t.len : -ENOMEM;
		break;
	case K_LINK_CWD:
		r = vfs_path_of(vfs_cwd(), t.p, PATH_MAX);
		r = r > 0 ? r - 1 : r;
		break;
	case K_LINK_FD:
		r = fd_target(n->fd, t.p);
		break;
	default:
		r = -EINVAL;
	}
	if (r > 0) {
		r = (long)MIN((size_t)r, MIN(len, PATH_MAX - 1));
		memcpy(buf, t.p, (size_t)r);
	}
	kfree(t.p);
	return r;
}

/* ---- open files: the text made at open ---------------------------------- */

static int proc_open(struct vnode *vn, struct file *f)
{
	struct pnode *n = PN(vn);
	struct text *t;

	if (n->pe->kind != K_FILE)
		return 0;
	t = kmalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	text_init(t, 512);
	n->pe->gen(t);
	if (!t->p) {
		kfree(t);
		return -ENOMEM;
	}
	f->priv = t;
	return 0;
}

static long proc_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct text *t = f->priv;
	size_t n, done;

	if (*pos >= t->len)
		return 0;
	n = MIN(it->count, t->len - *pos);
	done = iter_copy_to(it, t->p + *pos, n);
	if (!done && n)
		return -EFAULT;
	*pos += done;
	return (long)done;
}

static long proc_write(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	return -EIO; /* opened for writing by root: Linux says EIO too */
}

static void proc_release(struct file *f)
{
	struct text *t = f->priv;

	if (t) {
		kfree(t->p);
		kfree(t);
	}
}

static const struct file_ops proc_file_fops = {
	.read = proc_read,
	.write = proc_write,
	.release = proc_release,
	.always_ready = 1,
};

static int proc_statfs(struct vnode *vn, struct statfs *st)
{
	memset(st, 0, sizeof(*st));
	st->f_type = PROC_SUPER_MAGIC;
	st->f_bsize = st->f_frsize = UNI_PAGE_SIZE;
	st->f_namelen = NAME_MAX;
	return 0;
}

static const struct vnode_ops proc_ops = {
	.lookup = proc_lookup,
	.readlink = proc_readlink,
	.readdir = proc_readdir,
	.open = proc_open,
	.inactive = proc_inactive,
	.statfs = proc_statfs,
};

static struct pnode proc_root;

void procfs_mount(void)
{
	vnode_init(&proc_root.vn, &proc_mount, &proc_ops, root_entry.mode);
	proc_root.vn.nlink = 2;
	proc_root.vn.ino = 1; /* PROC_ROOT_INO */
	proc_root.pe = &root_entry;
	proc_mount.root = &proc_root.vn;
	proc_mount.fstype = "proc";
	proc_mount.magic = PROC_SUPER_MAGIC;
	if (vfs_mount("/proc", &proc_mount))
		kprintf("uni: cannot mount /proc\n");
}
