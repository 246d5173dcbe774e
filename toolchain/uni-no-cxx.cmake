# uni-no-cxx.cmake - loaded by CMake when a project built with uni.cmake
# enables C++ (CMAKE_USER_MAKE_RULES_OVERRIDE_CXX): uni builds C programs
# only for now, so say so before anything else fails obscurely.
message(FATAL_ERROR "uni: this project enables C++, but uni has no C++ "
  "runtime yet (no libc++ or libstdc++ in its sysroot): only C projects "
  "build into uni images. If the C++ parts are optional, configure them "
  "off, or give project() only the C language.")
