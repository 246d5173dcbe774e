# fs_image: host unit tests of the boot-time file system image (owner:
# helper "image"). test_initfs runs the archive reader of
# src/kernel/fs/initfs.c over an archive the real packer
# (toolchain/uni-pack-files) makes of test/vm/files, then over hand-made,
# truncated and garbled archives.
set(FS_PACKER "${CMAKE_SOURCE_DIR}/toolchain/uni-pack-files")
set(FS_FILES "${CMAKE_SOURCE_DIR}/test/vm/files")
file(GLOB_RECURSE fs_files CONFIGURE_DEPENDS LIST_DIRECTORIES true
  "${FS_FILES}/*")
set(fs_files_deps "${FS_FILES}")
foreach(f IN LISTS fs_files)
  if(NOT IS_SYMLINK "${f}") # a symlink changes its directory's mtime
    list(APPEND fs_files_deps "${f}")
  endif()
endforeach()
set(fs_archive "${CMAKE_CURRENT_BINARY_DIR}/test_initfs.cpio")
add_custom_command(OUTPUT "${fs_archive}"
  COMMAND "${FS_PACKER}" --archive "${fs_archive}" "${FS_FILES}:/data"
  DEPENDS "${FS_PACKER}" ${fs_files_deps}
  COMMENT "Packing test/vm/files for test_initfs" VERBATIM)
add_custom_target(test_initfs_archive ALL DEPENDS "${fs_archive}")

uni_unit_test(test_initfs SOURCES test_initfs.c
  ${CMAKE_SOURCE_DIR}/src/kernel/fs/initfs.c host_kmalloc.c host_kernel.c
  ARGS "${fs_archive}")
add_dependencies(test_initfs test_initfs_archive)
target_compile_definitions(test_initfs PRIVATE _GNU_SOURCE)
target_compile_options(test_initfs PRIVATE -Wno-unused-parameter)
