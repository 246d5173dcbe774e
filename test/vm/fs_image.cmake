# fs_image: the image's file system contents (owner: helper "image").
# uni_add_files() trees, the generated /etc, /dev and /proc, and an image
# that links no file system code at all.
#
# Also a script: cmake -DUNI_RUN=.. -DIMAGE=.. -DROOT=/data
#   -DTREES="DIR=PREFIX|..." [-DRUN_ARGS="opt|opt"] -P fs_image.cmake
# boots IMAGE (with uni-run options RUN_ARGS) with `-- list ROOT` and compares its listing of ROOT with
# the same listing made here of the source trees (each DIR's entries under
# PREFIX, "" for ROOT itself): type, permission bits, size, POSIX cksum,
# symlink target. Any difference fails.
if(CMAKE_SCRIPT_MODE_FILE)
  cmake_policy(VERSION 3.20)
  string(REPLACE "|" ";" RUN_ARGS "${RUN_ARGS}")
  execute_process(COMMAND "${UNI_RUN}" "${IMAGE}" ${RUN_ARGS} -- list "${ROOT}"
    OUTPUT_VARIABLE out RESULT_VARIABLE rc)
  message("${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the image exited with ${rc}")
  endif()
  string(REGEX MATCH "LIST-BEGIN\n(.*)LIST-END" _ "${out}")
  string(REGEX REPLACE "\n$" "" got "${CMAKE_MATCH_1}")
  string(REPLACE "\n" ";" got "${got}")

  set(want)
  string(REPLACE "|" ";" TREES "${TREES}")
  foreach(pair IN LISTS TREES)
    string(REGEX MATCH "^(.*)=(.*)$" _ "${pair}")
    set(dir "${CMAKE_MATCH_1}")
    set(prefix "${CMAKE_MATCH_2}")
    set(findargs -mindepth 1)
    if(prefix)
      set(findargs -mindepth 0) # the tree's own directory, at PREFIX
    endif()
    execute_process(COMMAND find "${dir}" ${findargs} -printf "%y %m %s %P\t%l\n"
      OUTPUT_VARIABLE found RESULT_VARIABLE frc)
    if(NOT frc EQUAL 0)
      message(FATAL_ERROR "find ${dir} failed")
    endif()
    string(REGEX REPLACE "\n$" "" found "${found}")
    string(REPLACE "\n" ";" found "${found}")
    foreach(line IN LISTS found)
      string(REGEX MATCH "^(.) ([0-7]+) ([0-9]+) ([^\t]*)\t(.*)$" _ "${line}")
      set(type "${CMAKE_MATCH_1}")
      set(mode "000${CMAKE_MATCH_2}")
      string(LENGTH "${mode}" l)
      math(EXPR l "${l} - 4")
      string(SUBSTRING "${mode}" ${l} 4 mode)
      set(rel "${CMAKE_MATCH_4}")
      set(path "${dir}/${CMAKE_MATCH_4}")
      set(target "${CMAKE_MATCH_5}")
      if(prefix AND rel)
        set(rel "${prefix}/${rel}")
      elseif(prefix)
        set(rel "${prefix}")
      endif()
      if(type STREQUAL "d")
        list(APPEND want "d ${mode} ${rel}")
      elseif(type STREQUAL "l")
        list(APPEND want "l ${target} ${rel}")
      else()
        execute_process(COMMAND cksum "${path}" OUTPUT_VARIABLE ck)
        string(REGEX MATCH "^([0-9]+) ([0-9]+)" _ "${ck}")
        list(APPEND want "f ${mode} ${CMAKE_MATCH_2} ${CMAKE_MATCH_1} ${rel}")
      endif()
    endforeach()
  endforeach()
  list(LENGTH want nwant)
  list(LENGTH got ngot)
  set(bad 0)
  foreach(line IN LISTS want)
    if(NOT line IN_LIST got)
      message("missing in the image: ${line}")
      set(bad 1)
    endif()
  endforeach()
  foreach(line IN LISTS got)
    if(NOT line IN_LIST want)
      message("only in the image:    ${line}")
      set(bad 1)
    endif()
  endforeach()
  if(bad OR NOT nwant EQUAL ngot OR nwant EQUAL 0)
    message(FATAL_ERROR "the image's ${ROOT} differs from the source trees "
      "(${ngot} entries in the image, ${nwant} in the trees)")
  endif()
  message("tree matches: ${nwant} entries")
  return()
endif()

# A second tree made here: what git cannot hold (an empty directory) and
# permission bits other than 644/755, placed with DESTINATION; a third at
# / whose etc/protocols replaces the generated one.
set(FS_EXTRA "${CMAKE_CURRENT_BINARY_DIR}/fs_image_extra")
set(FS_ETC "${CMAKE_CURRENT_BINARY_DIR}/fs_image_etc")
file(MAKE_DIRECTORY "${FS_EXTRA}/empty" "${FS_EXTRA}/private" "${FS_ETC}/etc")
file(WRITE "${FS_EXTRA}/private/secret" "only the owner reads this\n")
file(WRITE "${FS_EXTRA}/group-readable" "rw-r-----\n")
file(CHMOD "${FS_EXTRA}/private" DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE
  OWNER_EXECUTE)
file(CHMOD "${FS_EXTRA}/private/secret" PERMISSIONS OWNER_READ OWNER_WRITE)
file(CHMOD "${FS_EXTRA}/group-readable" PERMISSIONS OWNER_READ OWNER_WRITE
  GROUP_READ)
file(WRITE "${FS_ETC}/etc/protocols" "ip 0 IP\ntcp 6 TCP\n")

add_executable(fs_image fs_image.c)
uni_add_files(fs_image files DESTINATION /data)
uni_add_files(fs_image "${FS_EXTRA}" DESTINATION /data/extra/)
uni_add_files(fs_image "${FS_ETC}")
add_test(NAME fs_image_tree COMMAND "${CMAKE_COMMAND}"
  "-DUNI_RUN=${UNI_RUN}" "-DIMAGE=$<TARGET_FILE:fs_image>" -DROOT=/data
  "-DTREES=${CMAKE_CURRENT_SOURCE_DIR}/files=|${FS_EXTRA}=extra"
  -P "${CMAKE_CURRENT_SOURCE_DIR}/fs_image.cmake")
set_tests_properties(fs_image_tree PROPERTIES LABELS "vm" TIMEOUT 120
  FAIL_REGULAR_EXPRESSION "${FAIL_PATTERN}|FAIL:")

# The same tree given at boot time (uni-run --files, a loader module),
# unpacked after the image's own trees: placed at /rt, and over /data
# where its files replace the built-in ones of the same name.
add_test(NAME fs_image_runtime_tree COMMAND "${CMAKE_COMMAND}"
  "-DUNI_RUN=${UNI_RUN}" "-DIMAGE=$<TARGET_FILE:fs_image>" -DROOT=/rt
  "-DTREES=${CMAKE_CURRENT_SOURCE_DIR}/files=|${FS_EXTRA}=extra"
  "-DRUN_ARGS=--files|${CMAKE_CURRENT_SOURCE_DIR}/files:/rt|--files|${FS_EXTRA}:/rt/extra"
  -P "${CMAKE_CURRENT_SOURCE_DIR}/fs_image.cmake")
set_tests_properties(fs_image_runtime_tree PROPERTIES LABELS "vm" TIMEOUT 120
  FAIL_REGULAR_EXPRESSION "${FAIL_PATTERN}|FAIL:")

# cwd=: the program starts in /rt, so a relative path lists the tree.
add_test(NAME fs_image_cwd_option COMMAND "${CMAKE_COMMAND}"
  "-DUNI_RUN=${UNI_RUN}" "-DIMAGE=$<TARGET_FILE:fs_image>" -DROOT=.
  "-DTREES=${CMAKE_CURRENT_SOURCE_DIR}/files="
  "-DRUN_ARGS=--files|${CMAKE_CURRENT_SOURCE_DIR}/files:/rt|-k|cwd=/rt"
  -P "${CMAKE_CURRENT_SOURCE_DIR}/fs_image.cmake")
set_tests_properties(fs_image_cwd_option PROPERTIES LABELS "vm" TIMEOUT 120
  FAIL_REGULAR_EXPRESSION "${FAIL_PATTERN}|FAIL:")

# No files: /tmp, /dev, /etc and /proc still there; then hostname= given.
add_executable(fs_image_basics fs_image_basics.c)
vm_test(fs_image_basics ARGS -m 128 -- uni 128)
add_test(NAME fs_image_hostname COMMAND "${UNI_RUN}" $<TARGET_FILE:fs_image_basics> -m 96
  -k hostname=xyz -k dns=10.0.2.3,192.0.2.53 -- xyz 96 10.0.2.3,192.0.2.53)
set_tests_properties(fs_image_hostname PROPERTIES LABELS "vm" TIMEOUT 120
  FAIL_REGULAR_EXPRESSION "${FAIL_PATTERN}")

# hello touches no path: none of the file system code is in its image.
add_test(NAME fs_image_hello_nm COMMAND sh -c
  "syms=$(\"$0\" \"$1\") || exit 2; if printf '%s\\n' \"$syms\" | grep -E ' (fs_populate|initfs_unpack|cpio_next|devfs_mount|procfs_mount|etc_populate|vfs_chrdev_fops|ramfs_mount_new|vfs_root|__uni_files_start)$'; then echo 'file system code in hello'; exit 1; fi; echo 'no file system code in hello'"
  "${UNI_NM}" $<TARGET_FILE:hello>)
set_tests_properties(fs_image_hello_nm PROPERTIES LABELS "vm" TIMEOUT 60)
