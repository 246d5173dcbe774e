/*
 * sys_mknod.c - mknod and mknodat (mkfifo, device nodes, plain files).
 *
 * Layer: kernel syscall handlers; the work is sys_dir.c's vfs_mknodat(),
 * shared with mkdir. A separate file for one reason: a program that
 * makes fifos must be able to open them, and opening one is the pipe
 * code's (fifo_open in fs/pipe.c), which ramfs references only weakly
 * so that programs without fifos do not carry pipes. The reference
 * below links it in whenever mknod is.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <uni/file.h>
#include <uni/syscall.h>
#include "tree_priv.h"

int fifo_open(struct vnode *vn, struct file *f);
int (*const vfs_fifo_open_ref)(struct vnode *, struct file *) = fifo_open;

SYSCALL_DEFINE3(mknod, const char *, path, mode_t, mode, unsigned, dev)
{
	return S_ISDIR(mode) ? -EPERM : vfs_mknodat(AT_FDCWD_, path, mode, dev);
}

SYSCALL_DEFINE4(mknodat, int, dirfd, const char *, path, mode_t, mode,
		unsigned, dev)
{
	return S_ISDIR(mode) ? -EPERM : vfs_mknodat(dirfd, path, mode, dev);
}

