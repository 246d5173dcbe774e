# cmake_projects.cmake - CMake projects from Debian source packages (zlib,
# cJSON, libyaml) configured with toolchain/uni.cmake as a user would, and
# their own tests run in VMs. Included by test/apps/CMakeLists.txt (which
# sets APPS_WORK, APPS_SRC and UNI_SOURCE_DIR).
#
# Each project NAME is three steps, chained by CTest fixtures, label `apps`:
#   apps.NAME.fetch  common/fetch: apt source into APPS_SRC (once, cached)
#   apps.NAME.build  cmake/build: configure with uni.cmake and build in
#                    APPS_WORK/NAME (configuration only, no source patch)
#   apps.NAME.*      the project's tests: its CTest entries (through
#                    common/ctest-uni.cmake where they bypass the
#                    emulator) and our checks of its programs (cmake/*).
set(APPS_CMAKE "${CMAKE_CURRENT_SOURCE_DIR}/cmake")
set(APPS_COMMON "${CMAKE_CURRENT_SOURCE_DIR}/common")
set(APPS_UNI_RUN "${UNI_SOURCE_DIR}/toolchain/uni-run")

# apps_cmake_project(NAME PKG [CMAKE_ARGS...]): the fetch and build steps.
function(apps_cmake_project name pkg)
  apps_fetch(${name} ${pkg})
  add_test(NAME apps.${name}.build
    COMMAND "${APPS_CMAKE}/build" ${pkg} "${APPS_SRC}" "${APPS_WORK}/${name}"
            "${UNI_SOURCE_DIR}" "${CMAKE_BINARY_DIR}/sysroot" ${ARGN})
  set_tests_properties(apps.${name}.build PROPERTIES LABELS apps
    TIMEOUT 900 FIXTURES_REQUIRED apps.${name}.src
    FIXTURES_SETUP apps.${name}.built)
endfunction()

# apps_test(NAME TEST COMMAND...): a test of the built project NAME.
function(apps_test name test)
  add_test(NAME apps.${name}.${test} COMMAND ${ARGN})
  set_tests_properties(apps.${name}.${test} PROPERTIES LABELS apps
    TIMEOUT 600 FIXTURES_REQUIRED apps.${name}.built
    FAIL_REGULAR_EXPRESSION "uni: panic")
endfunction()

# apps_ctest_uni(NAME [-DVAR=VALUE...]): the project's own CTest entries,
# each image booted through uni-run by our driver.
function(apps_ctest_uni name)
  apps_test(${name} ctest "${CMAKE_COMMAND}"
    "-DBUILD_DIR=${APPS_WORK}/${name}" "-DUNI_RUN=${APPS_UNI_RUN}" ${ARGN}
    -P "${APPS_COMMON}/ctest-uni.cmake")
endfunction()

# zlib: upstream's CMake build. Debian's dfsg tarball lacks win32/, which
# the CMakeLists names anyway (see cmake/zlib-project.cmake). Its CTest
# entries (example, example64) are old-style add_test(name exe).
apps_cmake_project(zlib zlib
  "-DCMAKE_PROJECT_zlib_INCLUDE=${APPS_CMAKE}/zlib-project.cmake")
apps_ctest_uni(zlib)
apps_test(zlib minigzip "${APPS_CMAKE}/zlib-minigzip" "${APPS_UNI_RUN}"
  "${APPS_WORK}/zlib/minigzip.img" "${APPS_WORK}/zlib-minigzip")

# cJSON: its unit tests (Unity) are add_test(NAME t COMMAND ./t), a path
# that bypasses the emulator. -Wno-long-long: cJSON builds with -std=c89
# -pedantic -Werror and musl's isnan/isinf macros use 1ULL, which clang
# flags at the expansion site. parse_examples reads inputs/ relative to its
# working directory; the guest's is /, so inputs/ goes to /inputs.
apps_cmake_project(cjson cjson -DENABLE_CJSON_TEST=ON
  "-DCMAKE_C_FLAGS_RELEASE=-O3 -DNDEBUG -Wno-long-long")
apps_ctest_uni(cjson
  "-DFILES=${APPS_WORK}/cjson/tests/inputs:/inputs")

# libyaml: add_test(NAME t COMMAND target) goes through uni.cmake's
# CMAKE_CROSSCOMPILING_EMULATOR, so plain ctest runs its tests; its
# run-* test drivers also get the YAML files of its source package.
apps_cmake_project(libyaml libyaml)
apps_test(libyaml ctest "${CMAKE_CTEST_COMMAND}" --test-dir
  "${APPS_WORK}/libyaml" --output-on-failure --no-tests=error)
apps_test(libyaml examples "${APPS_CMAKE}/libyaml-examples" "${APPS_UNI_RUN}"
  "${APPS_WORK}/libyaml" "${APPS_SRC}")

# Our driver itself: a small project with one CTest entry per rule it must
# honour (old style, paths, WILL_FAIL, regexes, skips, arguments, env),
# three of them failing on purpose; the verdicts must be ctest's.
add_test(NAME apps.ctest_uni.build
  COMMAND "${APPS_CMAKE}/build" "${APPS_CMAKE}/driver-check" "${APPS_SRC}"
          "${APPS_WORK}/driver-check" "${UNI_SOURCE_DIR}"
          "${CMAKE_BINARY_DIR}/sysroot")
set_tests_properties(apps.ctest_uni.build PROPERTIES LABELS apps TIMEOUT 300
  FIXTURES_SETUP apps.ctest_uni.built)
apps_test(ctest_uni check "${APPS_CMAKE}/driver-check.sh" "${APPS_UNI_RUN}"
  "${APPS_WORK}/driver-check")
