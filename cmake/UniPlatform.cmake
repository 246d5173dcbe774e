# UniPlatform.cmake - loaded by CMake when a project built with uni.cmake
# enables C (CMAKE_USER_MAKE_RULES_OVERRIDE_C), after CMake's platform
# files, which reset CMAKE_EXECUTABLE_SUFFIX to Linux's "": projects that
# spell an executable's path as foo${CMAKE_EXECUTABLE_SUFFIX} (old-style
# add_test, custom commands) then name the image, foo.img.
set(CMAKE_EXECUTABLE_SUFFIX ".img")
