# fs_wait: host unit tests of pipes, eventfd, timerfd and epoll over the
# real src/kernel/fs files, sched/wait.c and fs/file.c, with the fake
# descriptor table, scheduler and clock of test_fs_wait.c.
set(FSW "${CMAKE_SOURCE_DIR}/src/kernel")
uni_unit_test(test_fs_wait SOURCES test_fs_wait.c ${FSW}/fs/pipe.c
  ${FSW}/fs/eventfd.c ${FSW}/fs/timerfd.c ${FSW}/fs/epoll.c ${FSW}/fs/file.c
  ${FSW}/sched/wait.c host_kmalloc.c host_kernel.c host_uaccess.c
  host_fdtable.c)
target_compile_definitions(test_fs_wait PRIVATE _GNU_SOURCE)
# As the kernel build: ops tables give every handler the same arguments.
target_compile_options(test_fs_wait PRIVATE -Wno-unused-parameter)
