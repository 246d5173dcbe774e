# UniFiles.cmake - embed directory trees into uni images.
#
#   uni_add_files(target SOURCE_DIR [DESTINATION /path])
#
# The tree under SOURCE_DIR (relative to the current source directory)
# appears under DESTINATION (default /) in the image's root file system
# when the kernel starts: directories (empty ones too), files with their
# permission bits, symlinks as symlinks. Several calls per target are
# unpacked in call order (a later call's file replaces an earlier one's).
# toolchain/uni.cmake includes this module, so projects built with it call
# uni_add_files() directly; `include(UniFiles)` also works (uni.cmake puts
# this directory on CMAKE_MODULE_PATH).
#
# Per target, one custom command runs toolchain/uni-pack-files over all of
# the target's trees into <target>.files.o (a cpio "newc" archive between
# the symbols __uni_files_start/__uni_files_end, read by
# src/kernel/fs/initfs.c), linked as an object. The file list is a
# CONFIGURE_DEPENDS glob: editing, adding or removing a file repacks; a
# change of permission bits alone does not (it leaves mtimes unchanged).
include_guard(GLOBAL)

set(UNI_PACK_FILES "${CMAKE_CURRENT_LIST_DIR}/../toolchain/uni-pack-files"
  CACHE FILEPATH "uni's file tree packer")

function(uni_add_files target dir)
  cmake_parse_arguments(F "" "DESTINATION" "" ${ARGN})
  if(F_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "uni_add_files: unexpected ${F_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT DEFINED F_DESTINATION)
    set(F_DESTINATION /)
  endif()
  if(NOT F_DESTINATION MATCHES "^/" OR F_DESTINATION MATCHES ":")
    message(FATAL_ERROR "uni_add_files: DESTINATION must be an absolute "
      "path without ':' (got '${F_DESTINATION}')")
  endif()
  get_filename_component(dir "${dir}" ABSOLUTE
    BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT IS_DIRECTORY "${dir}")
    message(FATAL_ERROR "uni_add_files: ${dir} is not a directory")
  endif()

  # Dependencies: every directory (a new or renamed entry changes its
  # mtime) and every file; symlinks only through their directory, since
  # a dangling one would stop the build.
  file(GLOB_RECURSE entries CONFIGURE_DEPENDS LIST_DIRECTORIES true
    "${dir}/*")
  set(deps "${dir}")
  foreach(e IN LISTS entries)
    if(NOT IS_SYMLINK "${e}")
      list(APPEND deps "${e}")
    endif()
  endforeach()

  set(obj "${CMAKE_CURRENT_BINARY_DIR}/${target}.files.o")
  get_property(trees TARGET ${target} PROPERTY UNI_FILES_TREES)
  set_property(TARGET ${target} APPEND PROPERTY UNI_FILES_TREES
    "${dir}:${F_DESTINATION}")
  set_property(TARGET ${target} APPEND PROPERTY UNI_FILES_DEPENDS ${deps})
  if(trees)
    return() # the command below already reads the properties
  endif()
  add_custom_command(OUTPUT "${obj}"
    COMMAND "${UNI_PACK_FILES}" --cc "${CMAKE_C_COMPILER}" "${obj}"
            "$<TARGET_PROPERTY:${target},UNI_FILES_TREES>"
    DEPENDS "${UNI_PACK_FILES}"
            "$<TARGET_PROPERTY:${target},UNI_FILES_DEPENDS>"
    COMMAND_EXPAND_LISTS
    COMMENT "Packing files into ${target}"
    VERBATIM)
  set_source_files_properties("${obj}" PROPERTIES
    EXTERNAL_OBJECT TRUE GENERATED TRUE)
  target_sources(${target} PRIVATE "${obj}")
endfunction()
