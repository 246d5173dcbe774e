# zlib-project.cmake - project-include file for Debian's zlib source package,
# passed as -DCMAKE_PROJECT_zlib_INCLUDE by test/apps/cmake_projects.cmake.
#
# Debian's zlib_*.dfsg tarball drops upstream's win32/ directory (debian/
# copyright, Files-Excluded), but zlib's CMakeLists.txt lists
# win32/zlib1.rc as a source of the shared library on every non-MinGW
# platform, so its configure step fails with "Cannot find source file".
# The resource file is never compiled here (no RC language enabled): marking
# it GENERATED only tells CMake not to look for it at configure time.
set_source_files_properties("${CMAKE_CURRENT_SOURCE_DIR}/win32/zlib1.rc"
  PROPERTIES GENERATED TRUE)
