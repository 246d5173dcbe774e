# fs_tree: host unit tests of the file tree (path resolution, mounts,
# ramfs), over the real src/kernel/fs files and fs_tree_host.c's fakes.
set(FS "${CMAKE_SOURCE_DIR}/src/kernel/fs")
set(FS_TREE ${FS}/namei.c ${FS}/mount.c ${FS}/vnode.c ${FS}/ramfs.c
  ${FS}/ramfs_file.c ${FS}/vfs_kernel.c fs_tree_host.c host_kmalloc.c host_kernel.c
  host_uaccess.c)
uni_unit_test(test_namei SOURCES test_namei.c ${FS_TREE})
uni_unit_test(test_ramfs SOURCES test_ramfs.c ${FS_TREE})
foreach(t test_namei test_ramfs)
  target_include_directories(${t} PRIVATE "${FS}")
  target_compile_definitions(${t} PRIVATE _GNU_SOURCE)
endforeach()
