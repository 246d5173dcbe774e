# examples/httpd/host.cmake - the same httpd.c built for the host (Linux,
# glibc) with the host compiler, and checked by the same script as the uni
# image: proves it builds unchanged for Linux and that test-httpd's checks
# hold against Linux's own TCP stack. Included by the top-level
# CMakeLists.txt.
add_executable(httpd_host "${CMAKE_CURRENT_LIST_DIR}/httpd.c")
set_target_properties(httpd_host PROPERTIES C_STANDARD 99
  C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
target_compile_definitions(httpd_host PRIVATE _GNU_SOURCE)
target_compile_options(httpd_host PRIVATE -Wall -Wextra -Werror)
add_test(NAME httpd_host COMMAND "${CMAKE_CURRENT_LIST_DIR}/test-httpd"
  - $<TARGET_FILE:httpd_host> "${CMAKE_CURRENT_LIST_DIR}/www")
set_tests_properties(httpd_host PROPERTIES LABELS "net" TIMEOUT 300)
