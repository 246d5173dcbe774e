# net_unix: host unit test of Unix-domain sockets (src/net/af_unix.c,
# helper "unix") over fakes of the socket layer, the VFS and the fd table.
uni_unit_test(test_net_unix SOURCES test_net_unix.c
  ${CMAKE_SOURCE_DIR}/src/net/af_unix.c
  ${CMAKE_SOURCE_DIR}/src/kernel/fs/file.c
  host_kmalloc.c host_kernel.c host_uaccess.c
  host_fdtable.c)
target_compile_definitions(test_net_unix PRIVATE _GNU_SOURCE)
target_compile_options(test_net_unix PRIVATE -Wno-unused-parameter)
