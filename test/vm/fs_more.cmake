# fs_more: in-image tests of file locks, attributes, file mappings and
# memfd (src/kernel/fs/lock.c, sys_attr.c, memfd.c, mm/sys_mman.c).
add_executable(fs_more_locks fs_more_locks.c)
vm_test(fs_more_locks)
add_executable(fs_more_attr fs_more_attr.c)
vm_test(fs_more_attr)
add_executable(fs_more_mmap fs_more_mmap.c)
vm_test(fs_more_mmap)
