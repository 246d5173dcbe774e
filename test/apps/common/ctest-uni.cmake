# ctest-uni.cmake - run a CMake project's own CTest entries, booting each
# test program that is a uni image in a VM through uni-run. Called by the
# apps tests (test/apps/cmake_projects.cmake) on a project's build tree:
#
#   cmake -DBUILD_DIR=<project build> -DUNI_RUN=<uni>/toolchain/uni-run
#         [-DEXCLUDE=<regex of test names>] [-DTIMEOUT=<seconds, default 120>]
#         [-DFILES=DIR[:DEST]] -P ctest-uni.cmake
#
# Why: a project's old-style `add_test(name exe)` or `add_test(NAME n
# COMMAND path/to/exe)` runs the program's path directly on the host and
# bypasses CMAKE_CROSSCOMPILING_EMULATOR. Here the path (or path.img, the
# image uni.cmake actually links) is recognised as a uni image - an ELF
# file with a multiboot header in its first 8 KiB - and booted with
# `uni-run IMAGE --timeout T [--files FILES] [--env K=V...] -- ARGS`.
# Commands that already go through the emulator (`uni-run --emulator IMAGE
# ARGS`) are run the same way, since uni-run takes arguments after the image as its
# own options while a project's are all the program's. Host programs run
# as they are. FILES: the guest's working directory is /, not the test's,
# so input files a test opens by a relative path must be put there.
#
# Each test keeps its arguments, working directory (uni-run's, on the
# host), ENVIRONMENT (given to the guest), TIMEOUT, WILL_FAIL, PASS_/
# FAIL_REGULAR_EXPRESSION and SKIP_RETURN_CODE with ctest's meaning. One
# line a test is printed (PASS/FAIL/SKIP name (vm|host, time)), the output
# of a failed test after it, then "ctest-uni: P/N passed"; the script fails
# if any test failed or none ran. Arguments containing ';' are not
# supported (CMake lists). test/apps/cmake/driver-check checks the verdicts.
cmake_minimum_required(VERSION 3.20)

if(NOT BUILD_DIR OR NOT UNI_RUN)
  message(FATAL_ERROR "usage: cmake -DBUILD_DIR=DIR -DUNI_RUN=PATH "
    "[-DEXCLUDE=REGEX] [-DTIMEOUT=S] -P ctest-uni.cmake")
endif()
if(NOT TIMEOUT)
  set(TIMEOUT 120)
endif()

execute_process(
  COMMAND "${CMAKE_CTEST_COMMAND}" --show-only=json-v1 --test-dir "${BUILD_DIR}"
  OUTPUT_VARIABLE json RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ctest-uni: ctest --show-only failed in ${BUILD_DIR}")
endif()

# The commands as the project wrote them: ctest leaves out of its JSON the
# command of a test whose executable it cannot find on the host (zlib's
# `add_test(example example)`: the file is example.img), so the
# CTestTestfile.cmake files are also read here, with add_test recording.
function(add_test name)
  set_property(GLOBAL PROPERTY "ctest_uni_cmd_${name}" "${ARGN}")
endfunction()
function(set_tests_properties)
endfunction()
function(subdirs)
  foreach(d IN LISTS ARGN)
    if(NOT IS_ABSOLUTE "${d}")
      set(d "${CMAKE_CURRENT_LIST_DIR}/${d}")
    endif()
    if(EXISTS "${d}/CTestTestfile.cmake")
      include("${d}/CTestTestfile.cmake")
    endif()
  endforeach()
endfunction()
include("${BUILD_DIR}/CTestTestfile.cmake")

# uni_image(path out): out is TRUE when path is a uni image. A uni image is
# an ELF whose multiboot v1 header (magic 0x1badb002, stored little-endian)
# lies 4-byte aligned within the first 8 KiB, as the multiboot spec wants.
function(uni_image path out)
  set(${out} FALSE PARENT_SCOPE)
  if(NOT EXISTS "${path}" OR IS_DIRECTORY "${path}")
    return()
  endif()
  file(READ "${path}" hex LIMIT 8192 HEX)
  if(NOT hex MATCHES "^7f454c46")
    return()
  endif()
  # whole 4-byte words (8 hex digits) from the start, then the magic
  if(hex MATCHES "^(........)*02b0ad1b")
    set(${out} TRUE PARENT_SCOPE)
  endif()
endfunction()

# resolve(cmd wd out): the uni image a test command names, or "" when it
# names none. ctest looks a bare or relative name up from the working
# directory; uni.cmake's images carry the .img suffix the project's own
# add_test does not know about.
function(resolve cmd wd out)
  set(${out} "" PARENT_SCOPE)
  if(IS_ABSOLUTE "${cmd}")
    set(cands "${cmd}" "${cmd}.img")
  else()
    set(cands "${wd}/${cmd}" "${wd}/${cmd}.img" "${BUILD_DIR}/${cmd}"
              "${BUILD_DIR}/${cmd}.img")
  endif()
  foreach(c IN LISTS cands)
    uni_image("${c}" is)
    if(is)
      set(${out} "${c}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
endfunction()

# prop(test_index name out): a test property's value ("" when unset).
function(prop i name out)
  set(${out} "" PARENT_SCOPE)
  string(JSON n ERROR_VARIABLE err LENGTH "${json}" tests ${i} properties)
  if(err OR n EQUAL 0)
    return()
  endif()
  math(EXPR last "${n} - 1")
  foreach(j RANGE ${last})
    string(JSON pname GET "${json}" tests ${i} properties ${j} name)
    if(pname STREQUAL name)
      string(JSON type TYPE "${json}" tests ${i} properties ${j} value)
      if(type STREQUAL "ARRAY")
        set(vals "")
        string(JSON m LENGTH "${json}" tests ${i} properties ${j} value)
        if(m GREATER 0)
          math(EXPR mlast "${m} - 1")
          foreach(k RANGE ${mlast})
            string(JSON v GET "${json}" tests ${i} properties ${j} value ${k})
            list(APPEND vals "${v}")
          endforeach()
        endif()
        set(${out} "${vals}" PARENT_SCOPE)
      else()
        string(JSON v GET "${json}" tests ${i} properties ${j} value)
        set(${out} "${v}" PARENT_SCOPE)
      endif()
      return()
    endif()
  endforeach()
endfunction()

string(JSON ntests LENGTH "${json}" tests)
set(passed 0)
set(failed 0)
set(ran 0)
set(failed_names "")
if(ntests GREATER 0)
  math(EXPR last "${ntests} - 1")
  foreach(i RANGE ${last})
    string(JSON name GET "${json}" tests ${i} name)
    if(EXCLUDE AND name MATCHES "${EXCLUDE}")
      message("SKIP  ${name} (excluded)")
      continue()
    endif()
    prop(${i} DISABLED disabled)
    if(disabled)
      message("SKIP  ${name} (DISABLED)")
      continue()
    endif()
    set(cmd "")
    string(JSON nargs ERROR_VARIABLE err LENGTH "${json}" tests ${i} command)
    if(err)
      # ctest found no such host executable: take the command as written
      get_property(cmd GLOBAL PROPERTY "ctest_uni_cmd_${name}")
    else()
      math(EXPR alast "${nargs} - 1")
      foreach(k RANGE ${alast})
        string(JSON a GET "${json}" tests ${i} command ${k})
        list(APPEND cmd "${a}")
      endforeach()
    endif()
    if(NOT cmd)
      message("FAIL  ${name}: no command")
      math(EXPR failed "${failed} + 1")
      list(APPEND failed_names "${name}")
      continue()
    endif()

    prop(${i} WORKING_DIRECTORY wd)
    if(NOT wd)
      set(wd "${BUILD_DIR}")
    endif()
    prop(${i} TIMEOUT t)
    if(NOT t)
      set(t ${TIMEOUT})
    endif()
    prop(${i} ENVIRONMENT envs)
    prop(${i} WILL_FAIL will_fail)
    prop(${i} PASS_REGULAR_EXPRESSION pass_re)
    prop(${i} FAIL_REGULAR_EXPRESSION fail_re)
    prop(${i} SKIP_RETURN_CODE skip_rc)

    list(GET cmd 0 exe)
    get_filename_component(exe_name "${exe}" NAME)
    resolve("${exe}" "${wd}" image)
    set(how "host")
    set(args ${cmd})
    list(REMOVE_AT args 0)
    if(exe_name STREQUAL "uni-run" AND args)
      # already through CMAKE_CROSSCOMPILING_EMULATOR:
      # uni-run --emulator IMAGE ARGS
      list(GET args 0 first)
      if(first STREQUAL "--emulator")
        list(REMOVE_AT args 0)
      endif()
      list(GET args 0 image)
      list(REMOVE_AT args 0)
    endif()
    if(image)
      set(how "vm")
      set(run "${UNI_RUN}" "${image}" --timeout ${t})
      if(FILES)
        list(APPEND run --files "${FILES}")
      endif()
      foreach(e IN LISTS envs)
        list(APPEND run --env "${e}")
      endforeach()
      # A project's arguments are all the program's (uni-run would take
      # those after the image for its own options).
      list(APPEND run -- ${args})
    else()
      set(run ${cmd})
    endif()

    # ctest's own timeout on top of uni-run's, which stops QEMU cleanly.
    math(EXPR hard "${t} + 30")
    string(TIMESTAMP t0 "%s")
    execute_process(COMMAND ${run} WORKING_DIRECTORY "${wd}"
      OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc
      TIMEOUT ${hard})
    string(TIMESTAMP t1 "%s")
    math(EXPR secs "${t1} - ${t0}")
    math(EXPR ran "${ran} + 1")

    # ctest's rules: a pass regex decides alone; a fail regex match fails;
    # otherwise the exit status; WILL_FAIL inverts; a timeout always fails.
    set(ok FALSE)
    set(why "exit ${rc}")
    if(skip_rc AND rc STREQUAL "${skip_rc}")
      message("SKIP  ${name} (${how}, SKIP_RETURN_CODE ${rc})")
      math(EXPR ran "${ran} - 1")
      continue()
    endif()
    if(pass_re)
      foreach(re IN LISTS pass_re)
        if(out MATCHES "${re}")
          set(ok TRUE)
        endif()
      endforeach()
      if(NOT ok)
        set(why "${why}, no PASS_REGULAR_EXPRESSION match")
      endif()
    elseif(rc STREQUAL "0")
      set(ok TRUE)
    endif()
    foreach(re IN LISTS fail_re)
      if(out MATCHES "${re}")
        set(ok FALSE)
        set(why "${why}, FAIL_REGULAR_EXPRESSION '${re}' matched")
      endif()
    endforeach()
    if(will_fail)
      if(ok)
        set(ok FALSE)
        set(why "${why}, WILL_FAIL")
      else()
        set(ok TRUE)
      endif()
    endif()
    if(rc STREQUAL "124" AND how STREQUAL "vm" OR NOT rc MATCHES "^[0-9]+$")
      set(ok FALSE)
      set(why "timeout/error: ${rc}")
    endif()
    # Unimplemented syscalls never fail a test by themselves, but are shown.
    string(REGEX MATCHALL "uni: syscall [^\n]* not implemented" nosys "${out}")
    if(ok)
      message("PASS  ${name} (${how}, ${secs} s)")
      math(EXPR passed "${passed} + 1")
    else()
      message("FAIL  ${name} (${how}, ${secs} s): ${why}\n"
        "      command: ${run}\n${out}")
      math(EXPR failed "${failed} + 1")
      list(APPEND failed_names "${name}")
    endif()
    foreach(n IN LISTS nosys)
      message("      ${name}: ${n}")
    endforeach()
  endforeach()
endif()

message("ctest-uni: ${passed}/${ran} passed")
if(failed GREATER 0 OR ran EQUAL 0)
  message(FATAL_ERROR "ctest-uni: failed: ${failed_names}")
endif()
