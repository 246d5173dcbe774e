/* fs_tree_host.h - the fakes of fs_tree_host.c, for test_namei/test_ramfs. */
#ifndef UNI_TEST_FS_TREE_HOST_H
#define UNI_TEST_FS_TREE_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <uni/file.h>
#include <uni/ident.h>

extern size_t host_frames_held, host_frames_limit;
extern uint64_t host_now_ns;
extern struct file *host_fds[16];
extern int host_populated;
extern struct ident_cred host_cred;

long host_rw(struct file *f, int write, void *buf, size_t len, uint64_t *pos);

#endif
