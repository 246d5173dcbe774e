/*
 * uni/file.h - open file descriptions, the descriptor table, and the
 * operations every kind of file provides.
 *
 * Layer: kernel fs (src/kernel/fs/file.c, fdtable.c, sys_rw.c). The one
 * process has one descriptor table. A descriptor points at a struct file
 * (an open file description, POSIX's term): dup() shares it, so the offset
 * and the status flags (O_APPEND, O_NONBLOCK, ...) are shared, while
 * FD_CLOEXEC belongs to the descriptor. A file has a type-specific ops
 * table: ramfs files, devices (console, null, zero, random, ...), pipes,
 * eventfd, timerfd, signalfd, epoll, and later sockets all plug in here,
 * and all of them wait and signal readiness through uni/wait.h.
 *
 * Reference rules: fd_get() returns a file with a reference the caller
 * drops with file_put(); fd_install() takes over the caller's reference.
 * All of this runs with interrupts disabled on one CPU; a handler that
 * blocks must hold its own reference across the block (fd_get gives one).
 */
#ifndef UNI_FILE_H
#define UNI_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <uni/wait.h>

struct file;
struct vnode;
struct stat;
struct poll_table;
struct mm_map;

/* ---- iov_iter: the program's (or a kernel) buffer list ----------------- */

struct iov_iter {
	const struct iovec *iov; /* kernel copy of the vector */
	int nr;                  /* entries left, iov[0] is current */
	size_t off;              /* bytes used of iov[0] */
	size_t count;            /* bytes left in total */
	int kernel;              /* buffers are kernel memory, not program's */
};

/* One buffer. */
void iter_init1(struct iov_iter *it, struct iovec *one, void *buf,
		size_t len, int kernel);
/* Copy out of / into the buffers, advancing. Returns bytes done; fewer
 * than n only when a program buffer faulted (then it->count is kept
 * consistent and the caller returns what it did, or -EFAULT if 0). */
size_t iter_copy_to(struct iov_iter *it, const void *src, size_t n);
size_t iter_copy_from(struct iov_iter *it, void *dst, size_t n);
/* The program's iovec array of cnt entries as an iterator: the entries
 * are copied into fast (IOV_FAST of them) or, beyond that, into *heap,
 * which the caller kfrees (NULL when not used). -EINVAL for more than
 * IOV_MAX entries or a total beyond SSIZE_MAX, -EFAULT, -ENOMEM. Used by
 * readv/writev and friends and by sendmsg/recvmsg. */
#define IOV_FAST 8
long iter_import(struct iov_iter *it, const struct iovec *uiov, size_t cnt,
		 struct iovec fast[IOV_FAST], struct iovec **heap);
/* Skip n bytes without copying. */
void iter_advance(struct iov_iter *it, size_t n);

/* ---- poll tables ------------------------------------------------------ */

/* A file's poll op reports its ready mask now and, when pt is not NULL,
 * hands each waitq that can change that mask to pt->queue (poll/select
 * hang a thread-waking waiter on it, epoll its entry's callback). */
struct poll_table {
	void (*queue)(struct poll_table *pt, struct file *f, struct waitq *q);
	uint32_t mask; /* events the caller cares about (POLLERR|POLLHUP added) */
};

static inline void poll_wait(struct file *f, struct waitq *q,
			     struct poll_table *pt)
{
	if (pt && q)
		pt->queue(pt, f, q);
}

/* ---- files ------------------------------------------------------------ */

struct file_ops {
	/* Read/write at *pos (the file offset or pread's offset; ignored by
	 * stream files). Return bytes moved, or -errno (-EAGAIN for a
	 * non-blocking file that would block, -ERESTARTSYS/-EINTR when a
	 * signal interrupted a block before anything moved). */
	long (*read)(struct file *f, struct iov_iter *it, uint64_t *pos);
	long (*write)(struct file *f, struct iov_iter *it, uint64_t *pos);
	uint32_t (*poll)(struct file *f, struct poll_table *pt); /* NULL: always in|out */
	long (*ioctl)(struct file *f, unsigned long req, void *uarg); /* NULL: -ENOTTY */
	/* lseek: NULL means the generic one (SEEK_END uses the vnode size) */
	long (*llseek)(struct file *f, long off, int whence);
	int (*fsync)(struct file *f);
	/* mmap (uni/mm.h struct mm_map; mm_map_file for ramfs files): with
	 * m->len 0 only say whether f may be mapped so. NULL: ENODEV. */
	long (*mmap)(struct file *f, const struct mm_map *m);
	/* fstat for a file without a vnode (pipes, eventfd, ...) */
	int (*stat)(struct file *f, struct stat *st);
	/* last reference gone: free priv */
	void (*release)(struct file *f);
	/* The file is a stream: lseek/pread/pwrite give -ESPIPE. */
	unsigned stream : 1;
	/* Reads never block and poll is always ready (regular files). */
	unsigned always_ready : 1;
	const char *anon_name; /* "[eventfd]", "pipe", ... for /proc/self/fd */
};

struct file {
	const struct file_ops *ops;
	int refs;
	unsigned flags;        /* O_ACCMODE and status flags (O_APPEND, O_NONBLOCK, O_DIRECT...) */
	uint64_t pos;          /* the offset (shared by dups) */
	struct vnode *vn;      /* referenced; NULL for anonymous files */
	void *priv;            /* the type's own state */
	uint64_t dir_cookie;   /* getdents64 position (directories) */
};

/* A new file with one reference; vn (may be NULL) is referenced by the
 * caller and the reference passes to the file. NULL when out of memory. */
struct file *file_alloc(const struct file_ops *ops, unsigned flags,
			struct vnode *vn, void *priv);
static inline void file_get(struct file *f) { f->refs++; }
void file_put(struct file *f);

static inline int file_readable(const struct file *f)
{
	return (f->flags & 3) != 1; /* O_RDONLY or O_RDWR (not O_WRONLY) */
}
static inline int file_writable(const struct file *f)
{
	return (f->flags & 3) != 0; /* O_WRONLY or O_RDWR */
}

/* Poll mask of f now (no queueing). */
uint32_t file_poll(struct file *f, struct poll_table *pt);

/* Kernel-side read/write of a file at a given offset (used by exec-less
 * mmap of files, /proc, sendfile later). Returns bytes or -errno. */
long kernel_read(struct file *f, void *buf, size_t len, uint64_t pos);
long kernel_write(struct file *f, const void *buf, size_t len, uint64_t pos);

/* ---- the descriptor table -------------------------------------------- */


/* Reference to the file at fd, or NULL (caller returns -EBADF). */
struct file *fd_get(int fd);
/* Install f at the lowest free descriptor >= minfd (below the limit);
 * takes over the caller's reference on success. Returns the fd, or
 * -EMFILE (then the reference stays with the caller). */
int fd_install(struct file *f, int minfd, int cloexec);
/* dup: the lowest free fd >= minfd for oldfd's file; -EBADF, -EMFILE. */
int fd_dup(int oldfd, int minfd, int cloexec);
/* Put f at exactly fd (dup2/dup3), closing what was there. */
int fd_install_at(struct file *f, int fd, int cloexec);
/* Close fd: -EBADF if not open. */
int fd_close(int fd);
int fd_get_cloexec(int fd);           /* 0/1, or -EBADF */
int fd_set_cloexec(int fd, int on);   /* 0 or -EBADF */
/* The highest open fd + 1 (for /proc/self/fd and select limits). */
int fd_count_hint(void);
/* RLIMIT_NOFILE's soft limit, which the table enforces. */
unsigned fd_limit(void);

/* fd_get for a file of a given type: NULL unless f->ops == ops. */
struct file *fd_get_typed(int fd, const struct file_ops *ops);

/* The console as a file (stdin/stdout/stderr, /dev/console, /dev/tty). */
extern const struct file_ops console_fops;

/* Set up descriptors 0, 1, 2 on the console. Called by proc_start. */
void fd_init_stdio(void);

/* ---- hooks into other file subsystems ------------------------------- */

/* Record locks and flock (fs/lock.c). fcntl() calls lock_fcntl for
 * F_GETLK/F_SETLK/F_SETLKW and the OFD forms. The close hooks are weak,
 * so an image that never locks links none of lock.c: lock_on_close runs
 * when a descriptor of f is closed (POSIX: the process loses all its
 * record locks on that file), lock_on_release when f's last reference
 * goes (flock and OFD locks die with the open file description). */
long lock_fcntl(struct file *f, int cmd, void *uarg);
void lock_on_close(struct file *f) __attribute__((weak));
void lock_on_release(struct file *f) __attribute__((weak));

/* Pipes (fs/pipe.c): F_GETPIPE_SZ/F_SETPIPE_SZ for fcntl, weak so that
 * fcntl does not drag pipes into every image; -EBADF-like -EINVAL when f
 * is not a pipe. */
long pipe_fcntl(struct file *f, int cmd, unsigned long arg) __attribute__((weak));

#endif
