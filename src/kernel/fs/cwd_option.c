/*
 * cwd_option.c - the kernel option cwd=DIR: the directory the program
 * starts in (default /), as a test runner's working directory.
 *
 * Layer: kernel fs. fs_populate() (initfs.c) calls fs_apply_cwd_option()
 * last, once the tree, the embedded files and uni-run --files trees are
 * in place; the file system is set up on first use, and vfs_cwd() sets it
 * up before it answers, so the first relative path already resolves from
 * DIR. A DIR that does not resolve to a directory is reported on the
 * console and the program starts in /.
 */
#include <uni/cmdline.h>
#include <uni/kernel.h>
#include <uni/proc.h>
#include <uni/vfs.h>
#include "image_priv.h"

void fs_apply_cwd_option(void)
{
	const char *dir = cmdline_option(proc_cmdline(), "cwd");
	struct vnode *vn;
	int err;

	if (!dir || !*dir)
		return;
	err = namei(AT_FDCWD_, dir, NAMEI_FOLLOW | NAMEI_DIRECTORY, &vn);
	if (err) {
		kprintf("uni: cwd=%s: not a directory here (error %d); "
			"starting in /\n", dir, -err);
		return;
	}
	vfs_set_cwd(vn);
	vnode_put(vn);
}
