# uni.cmake - CMake toolchain file: build C programs into bootable uni images.
#
#   cmake -S app -B build -DCMAKE_TOOLCHAIN_FILE=<uni>/toolchain/uni.cmake
#
# add_executable(app ...) links app.img: the program, musl (sysroot/lib/
# libc.a), the kernel (libuni.a) and the -ENOSYS defaults (libuni_enosys.a)
# into one multiboot/PVH ELF laid out by uni.ld. add_test(NAME t COMMAND t)
# boots it through uni-run (CMAKE_CROSSCOMPILING_EMULATOR, in its
# --emulator mode: the test's arguments are the program's).
#
# The sysroot is found, in order, from -DUNI_SYSROOT, the UNI_SYSROOT
# environment variable, <prefix>/sysroot beside an installed toolchain/,
# or <uni>/build/sysroot in a source tree built with `make`.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(UNI_TOOLCHAIN_DIR "${CMAKE_CURRENT_LIST_DIR}")

if(NOT UNI_SYSROOT AND DEFINED ENV{UNI_SYSROOT})
  set(UNI_SYSROOT "$ENV{UNI_SYSROOT}")
endif()
if(NOT UNI_SYSROOT)
  foreach(candidate "${UNI_TOOLCHAIN_DIR}/../sysroot"
                    "${UNI_TOOLCHAIN_DIR}/../build/sysroot")
    if(EXISTS "${candidate}/lib/libuni.a")
      get_filename_component(UNI_SYSROOT "${candidate}" ABSOLUTE)
      break()
    endif()
  endforeach()
endif()
if(NOT UNI_SYSROOT OR NOT EXISTS "${UNI_SYSROOT}/lib/libc.a")
  message(FATAL_ERROR "uni.cmake: no uni sysroot found (looked for "
    "lib/libc.a in '${UNI_SYSROOT}'). Build uni first (make) or pass "
    "-DUNI_SYSROOT=<dir>.")
endif()
# try_compile projects load this file again: hand the sysroot down.
set(ENV{UNI_SYSROOT} "${UNI_SYSROOT}")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES UNI_SYSROOT)

find_program(UNI_CLANG NAMES clang-14 clang REQUIRED)
find_program(UNI_LLVM_AR NAMES llvm-ar-14 llvm-ar REQUIRED)
find_program(UNI_LLVM_RANLIB NAMES llvm-ranlib-14 llvm-ranlib REQUIRED)
set(CMAKE_C_COMPILER "${UNI_CLANG}")
set(CMAKE_ASM_COMPILER "${UNI_CLANG}")
set(CMAKE_C_COMPILER_TARGET x86_64-linux-musl)
set(CMAKE_ASM_COMPILER_TARGET x86_64-linux-musl)
set(CMAKE_AR "${UNI_LLVM_AR}" CACHE FILEPATH "uni archiver")
set(CMAKE_RANLIB "${UNI_LLVM_RANLIB}" CACHE FILEPATH "uni ranlib")
set(CMAKE_SYSROOT "${UNI_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH "${UNI_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The platform files reset CMAKE_EXECUTABLE_SUFFIX after this file runs;
# the per-language variables take precedence over it, and
# cmake/UniPlatform.cmake sets it back for projects that spell paths with it.
set(CMAKE_EXECUTABLE_SUFFIX ".img")
set(CMAKE_EXECUTABLE_SUFFIX_C ".img")
set(CMAKE_EXECUTABLE_SUFFIX_ASM ".img")
set(CMAKE_USER_MAKE_RULES_OVERRIDE_C "${UNI_TOOLCHAIN_DIR}/../cmake/UniPlatform.cmake")
# add_test(NAME t COMMAND t ARG...) and try_run run `uni-run --emulator
# t.img ARG...`: the arguments are the program's, as with any emulator.
# UNI_RUN is uni-run itself, for tests that pass it options:
#   add_test(NAME t COMMAND ${UNI_RUN} $<TARGET_FILE:t> -m 256M -- ARG...)
set(UNI_RUN "${UNI_TOOLCHAIN_DIR}/uni-run")
set(CMAKE_CROSSCOMPILING_EMULATOR "${UNI_RUN};--emulator")

# Compile: musl's headers instead of the host's, clang's own builtin
# headers (stdarg, intrinsics) kept; the image is linked at a fixed address.
# Frame pointers stay, so that a fault's backtrace is exact in optimized
# builds too (the kernel walks them; uni-run symbolizes the addresses).
# These flags are part of the compile and link rules, not of
# CMAKE_C_FLAGS/CMAKE_EXE_LINKER_FLAGS, so that a user's
# -DCMAKE_C_FLAGS=... adds to them instead of replacing them.
set(UNI_C_FLAGS_REQUIRED "-nostdlibinc -isystem ${UNI_SYSROOT}/include -fno-pic -fno-pie -fno-omit-frame-pointer -ffunction-sections -fdata-sections -Wno-unused-command-line-argument")
foreach(lang C ASM)
  set(CMAKE_${lang}_COMPILE_OBJECT
    "<CMAKE_${lang}_COMPILER> <DEFINES> <INCLUDES> ${UNI_C_FLAGS_REQUIRED} <FLAGS> -o <OBJECT> -c <SOURCE>")
endforeach()
set(CMAKE_C_CREATE_PREPROCESSED_SOURCE
  "<CMAKE_C_COMPILER> <DEFINES> <INCLUDES> ${UNI_C_FLAGS_REQUIRED} <FLAGS> -E <SOURCE> > <PREPROCESSED_SOURCE>")
set(CMAKE_C_CREATE_ASSEMBLY_SOURCE
  "<CMAKE_C_COMPILER> <DEFINES> <INCLUDES> ${UNI_C_FLAGS_REQUIRED} <FLAGS> -S <SOURCE> -o <ASSEMBLY_SOURCE>")

# Link: crt1.o/crti.o first, crtn.o last, libc + kernel + ENOSYS defaults
# (in that order: a real handler in libuni.a wins over its default).
execute_process(
  COMMAND "${UNI_CLANG}" --target=x86_64-linux-musl --rtlib=compiler-rt
          --print-libgcc-file-name
  OUTPUT_VARIABLE UNI_BUILTINS OUTPUT_STRIP_TRAILING_WHITESPACE)
set(UNI_LINK_ONLY_REQUIRED "-fuse-ld=lld -nostdlib -static -no-pie -Wl,-T,${UNI_TOOLCHAIN_DIR}/uni.ld -Wl,--gc-sections -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-z,norelro ${UNI_SYSROOT}/lib/crt1.o ${UNI_SYSROOT}/lib/crti.o")
set(UNI_LINK_FLAGS_REQUIRED "${UNI_C_FLAGS_REQUIRED} ${UNI_LINK_ONLY_REQUIRED}")
# Build trees configured before these moved into the rules hold a copy in
# their cached flags (crt1.o twice would not link): take it out.
foreach(pair "CMAKE_C_FLAGS|${UNI_C_FLAGS_REQUIRED}"
             "CMAKE_ASM_FLAGS|${UNI_C_FLAGS_REQUIRED}"
             "CMAKE_EXE_LINKER_FLAGS|${UNI_LINK_ONLY_REQUIRED}")
  string(REPLACE "|" ";" pair "${pair}")
  list(GET pair 0 var)
  list(GET pair 1 old)
  if(DEFINED CACHE{${var}} AND "$CACHE{${var}}" MATCHES "crt1\\.o|-nostdlibinc")
    string(REPLACE "${old}" "" cleaned "$CACHE{${var}}")
    string(STRIP "${cleaned}" cleaned)
    set(${var} "${cleaned}" CACHE STRING "Flags used by the compiler or linker." FORCE)
  endif()
endforeach()
foreach(lang C ASM)
  set(CMAKE_${lang}_LINK_EXECUTABLE
    "<CMAKE_${lang}_COMPILER> <FLAGS> <CMAKE_${lang}_LINK_FLAGS> ${UNI_LINK_FLAGS_REQUIRED} <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
endforeach()
# Full paths in link_libraries() also make every image depend on them, so
# a rebuilt kernel or libc relinks the program.
link_libraries("${UNI_SYSROOT}/lib/libc.a" "${UNI_SYSROOT}/lib/libuni.a"
  "${UNI_SYSROOT}/lib/libuni_enosys.a" "${UNI_BUILTINS}")
set(CMAKE_C_STANDARD_LIBRARIES "${UNI_SYSROOT}/lib/crtn.o")

# uni_syscall_instruction(target): for programs (or libraries they link)
# that issue the `syscall` instruction themselves. The kernel's LSTAR entry
# always catches it, but the dispatch table it needs names every syscall
# handler and so links all of them (hello grows from about 60 KiB to
# 140 KiB stripped); without this a raw syscall returns ENOSYS and the
# console names this function. syscall(2) from C pulls the table in anyway.
function(uni_syscall_instruction target)
  target_link_options(${target} PRIVATE "-Wl,-u,__uni_syscall_dispatch")
endfunction()

# uni_add_files(target SOURCE_DIR [DESTINATION /path]): embed a directory
# tree into the image (cmake/UniFiles.cmake; include(UniFiles) also works).
list(APPEND CMAKE_MODULE_PATH "${UNI_TOOLCHAIN_DIR}/../cmake")
include("${UNI_TOOLCHAIN_DIR}/../cmake/UniFiles.cmake")

# uni_image_options(target [MEMORY 256M] [ARGS ...] [ENV K=V ...]
# [KERNEL_OPTIONS ...] [FILES DIR[:DEST] ...]): defaults built into the
# image, which uni-run and ctest use unless their command line says
# otherwise (cmake/UniImageOptions.cmake).
include("${UNI_TOOLCHAIN_DIR}/../cmake/UniImageOptions.cmake")

# Shared and module libraries: an image is one static program with no
# dynamic loader, so a library a project builds SHARED (or MODULE) becomes
# a static archive under the shared library's name (libfoo.so.a, with the
# usual version names beside it); whatever links it links it statically.
# The distinct suffix keeps it apart from a STATIC libfoo.a of the same
# name, which many projects build alongside.
set(CMAKE_SHARED_LIBRARY_SUFFIX_C ".so.a")
set(CMAKE_SHARED_MODULE_SUFFIX_C ".so.a")
set(CMAKE_C_CREATE_SHARED_LIBRARY
  "<CMAKE_COMMAND> -E rm -f <TARGET>"
  "<CMAKE_AR> qc <TARGET> <OBJECTS>"
  "<CMAKE_RANLIB> <TARGET>")
set(CMAKE_C_CREATE_SHARED_MODULE "${CMAKE_C_CREATE_SHARED_LIBRARY}")

# C++ is not available yet (no C++ runtime is built for uni): a project
# that enables it stops here with a clear message instead of failing at
# its first link.
# clang is named as the C++ compiler so that detection works on machines
# without a host C++ compiler and the message below is what the user sees.
set(CMAKE_CXX_COMPILER "${UNI_CLANG}")
set(CMAKE_CXX_COMPILER_TARGET x86_64-linux-musl)
set(CMAKE_USER_MAKE_RULES_OVERRIDE_CXX "${CMAKE_CURRENT_LIST_DIR}/uni-no-cxx.cmake")
