# fs_more: host unit tests of the Files issue: the locks (file mappings
# are tested with the rest of mm in test_mm_mman, test/unit/CMakeLists.txt).
set(FS_MORE "${CMAKE_SOURCE_DIR}/src/kernel/fs")

# Record locks, OFD locks and flock: range splitting and merging, the
# struct flock conversions, conflicts between owners, the close hooks.
uni_unit_test(test_lock SOURCES test_lock.c ${FS_MORE}/lock.c host_kmalloc.c
  host_uaccess.c host_kernel.c)
target_compile_definitions(test_lock PRIVATE _GNU_SOURCE)
