/*
 * host_fdtable.h - a descriptor table for host unit tests of kernel code
 * that installs or looks up descriptors (pipes, eventfd, SCM_RIGHTS):
 * host_fdtable.c gives fd_get/fd_install/fd_close/fd_limit over
 * host_fdt[], which a test may fill or inspect directly. Used by
 * test_fs_wait.c and test_net_unix.c.
 */
#ifndef UNI_TEST_HOST_FDTABLE_H
#define UNI_TEST_HOST_FDTABLE_H

#include <uni/file.h>

#define HOST_NFD 64
extern struct file *host_fdt[HOST_NFD];

#endif
