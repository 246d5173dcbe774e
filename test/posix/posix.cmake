# The Open POSIX Test Suite (Debian source package posixtestsuite 1.5.2):
# a bounded subset of its conformance tests, each built with
# toolchain/uni-cc (test/posix/build) and booted in its own VM. Included
# from the top-level CMakeLists.txt. The whole suite runs outside CTest
# with test/posix/build + test/posix/run (docs/posix.md).
#
#   apps.posix.fetch   test/apps/common/fetch into build/apps/src (cached)
#   apps.posix.build   the tests in subset.txt, into build/apps/posix
#   apps.posix.<iface>.<n>-<m>  one VM each; the suite's PTS_PASS (0)
#                      passes, any other status (PTS_FAIL 1, UNRESOLVED 2,
#                      UNSUPPORTED 4, uni-run's timeout 124/panic 126) fails
set(POSIX_SRC_CACHE "${CMAKE_BINARY_DIR}/apps/src")
set(POSIX_OUT "${CMAKE_BINARY_DIR}/apps/posix")
set(POSIX_DIR "${CMAKE_SOURCE_DIR}/test/posix")

add_test(NAME apps.posix.fetch
  COMMAND "${CMAKE_SOURCE_DIR}/test/apps/common/fetch" posixtestsuite
          "${POSIX_SRC_CACHE}")
set_tests_properties(apps.posix.fetch PROPERTIES LABELS apps TIMEOUT 600
  FIXTURES_SETUP apps.posix.src)

add_test(NAME apps.posix.build
  COMMAND sh -c "\"$0\" \"$1\" \"$(\"$1/test/apps/common/fetch\" posixtestsuite \"$2\")\" \"$3\" 2 \"@$4\""
          "${POSIX_DIR}/build" "${CMAKE_SOURCE_DIR}" "${POSIX_SRC_CACHE}"
          "${POSIX_OUT}" "${POSIX_DIR}/subset.txt")
set_tests_properties(apps.posix.build PROPERTIES LABELS apps TIMEOUT 600
  ENVIRONMENT "UNI_SYSROOT=${UNI_SYSROOT}"
  FIXTURES_REQUIRED apps.posix.src FIXTURES_SETUP apps.posix.built
  FAIL_REGULAR_EXPRESSION "[1-9][0-9]* failed to build")

file(STRINGS "${POSIX_DIR}/subset.txt" posix_subset REGEX "^[^#]")
foreach(t IN LISTS posix_subset)
  string(REPLACE "/" "." name "${t}")
  add_test(NAME apps.posix.${name}
    COMMAND "${CMAKE_SOURCE_DIR}/toolchain/uni-run" "${POSIX_OUT}/${t}"
            --timeout 20)
  set_tests_properties(apps.posix.${name} PROPERTIES LABELS apps TIMEOUT 30
    FIXTURES_REQUIRED apps.posix.built)
endforeach()
