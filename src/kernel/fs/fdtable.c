/*
 * fdtable.c - the process's descriptor table (uni/file.h).
 *
 * Layer: kernel fs core. open/pipe/socket/dup install files here; every
 * fd-taking syscall starts with fd_get. The table starts as a static
 * array of 64 slots (enough for most programs, and no allocation at boot)
 * and doubles when a descriptor above it is needed, up to RLIMIT_NOFILE.
 * FD_CLOEXEC is a bit per descriptor, beside the pointer; there is no
 * exec, so it is only remembered and reported (F_GETFD, /proc).
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <uni/file.h>
#include <uni/ident.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>

#define INIT_SLOTS 64

static struct file *init_files[INIT_SLOTS];
static uint64_t init_cloexec[INIT_SLOTS / 64];
static struct file **files = init_files;
static uint64_t *cloexec = init_cloexec;
static unsigned cap = INIT_SLOTS;
static unsigned used_top; /* every fd >= used_top is free */

unsigned fd_limit(void)
{
	uint64_t lim = rlimit_cur(RLIMIT_NOFILE);

	return lim > (1u << 20) ? 1u << 20 : (unsigned)lim;
}

static int grow(unsigned need)
{
	unsigned ncap = cap;
	struct file **nf;
	uint64_t *nc;

	while (ncap <= need)
		ncap *= 2;
	nf = kzalloc(ncap * sizeof(*nf));
	nc = kzalloc(ncap / 8);
	if (!nf || !nc) {
		kfree(nf);
		kfree(nc);
		return -ENOMEM;
	}
	memcpy(nf, files, cap * sizeof(*nf));
	memcpy(nc, cloexec, cap / 8);
	if (files != init_files) {
		kfree(files);
		kfree(cloexec);
	}
	files = nf;
	cloexec = nc;
	cap = ncap;
	return 0;
}

static void set_slot(int fd, struct file *f, int cl)
{
	files[fd] = f;
	if (cl)
		cloexec[fd / 64] |= 1ULL << (fd % 64);
	else
		cloexec[fd / 64] &= ~(1ULL << (fd % 64));
	if (f && (unsigned)fd >= used_top)
		used_top = (unsigned)fd + 1;
	while (used_top && !files[used_top - 1])
		used_top--;
}

static struct file *slot(int fd)
{
	return fd >= 0 && (unsigned)fd < used_top ? files[fd] : NULL;
}

struct file *fd_get(int fd)
{
	struct file *f = slot(fd);

	if (f)
		file_get(f);
	return f;
}

struct file *fd_get_typed(int fd, const struct file_ops *ops)
{
	struct file *f = slot(fd);

	if (!f || f->ops != ops)
		return NULL;
	file_get(f);
	return f;
}

int fd_install(struct file *f, int minfd, int cl)
{
	unsigned lim = fd_limit(), fd;

	if (minfd < 0)
		return -EINVAL;
	for (fd = (unsigned)minfd; fd < used_top && files[fd]; fd++)
		;
	if (fd >= lim)
		return -EMFILE;
	if (fd >= cap && grow(fd))
		return -ENOMEM;
	set_slot((int)fd, f, cl);
	return (int)fd;
}

int fd_install_at(struct file *f, int fd, int cl)
{
	struct file *old;

	if (fd < 0 || (unsigned)fd >= fd_limit())
		return -EBADF;
	if ((unsigned)fd >= cap && grow((unsigned)fd))
		return -ENOMEM;
	old = slot(fd);
	set_slot(fd, f, cl);
	if (old) {
		if (lock_on_close && old->vn)
			lock_on_close(old);
		file_put(old);
	}
	return fd;
}

int fd_close(int fd)
{
	struct file *f = slot(fd);

	if (!f)
		return -EBADF;
	set_slot(fd, NULL, 0);
	if (lock_on_close && f->vn)
		lock_on_close(f);
	file_put(f);
	return 0;
}

int fd_dup(int oldfd, int minfd, int cl)
{
	struct file *f = fd_get(oldfd);
	int r;

	if (!f)
		return -EBADF;
	r = fd_install(f, minfd, cl);
	if (r < 0)
		file_put(f);
	return r;
}

int fd_get_cloexec(int fd)
{
	if (!slot(fd))
		return -EBADF;
	return !!(cloexec[fd / 64] & (1ULL << (fd % 64)));
}

int fd_set_cloexec(int fd, int on)
{
	struct file *f = slot(fd);

	if (!f)
		return -EBADF;
	set_slot(fd, f, on);
	return 0;
}

int fd_count_hint(void)
{
	return (int)used_top;
}

/* stdin, stdout and stderr: one open file description of the console,
 * read-write, as a terminal hands them to a program. Static, so that a
 * program whose only files these are allocates nothing. */
/* The fourth reference is the kernel's: the description is never freed. */
static struct file console_file = { .ops = &console_fops, .refs = 4,
				    .flags = 02 /* O_RDWR */ };

void fd_init_stdio(void)
{
	for (int fd = 0; fd < 3; fd++)
		set_slot(fd, &console_file, 0);
}
