# project-before.cmake - passed as -DCMAKE_PROJECT_INCLUDE_BEFORE for
# Debian's mosquitto source package by test/apps/mosquitto.cmake; CMake
# includes it at the start of project(), before languages are enabled.
#
# mosquitto's top-level CMakeLists.txt says project(mosquitto) with no
# language list, so CMake enables C and CXX, and uni.cmake stops any
# project that enables C++ (uni-no-cxx.cmake). Its only C++ code is the
# libmosquittopp wrapper, configured off (-DWITH_LIB_CPP=OFF), so nothing
# is ever compiled as C++: let CXX be enabled without its checks (FORCED: they
# would build C++ programs, and uni has no C++ runtime). uni.cmake is read
# again while project() enables the languages, so its C++ stop
# (CMAKE_USER_MAKE_RULES_OVERRIDE_CXX, read by CMakeCXXInformation.cmake)
# cannot be unset here: CMake skips that module, and with it the stop and
# any C++ build rules, when CMAKE_CXX_INFORMATION_LOADED is already set.
set(CMAKE_CXX_INFORMATION_LOADED TRUE)
set(CMAKE_CXX_COMPILER_FORCED TRUE)
