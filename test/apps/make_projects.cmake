# Makefile and autoconf projects built with toolchain/uni-cc (included by
# test/apps/CMakeLists.txt, which sets APPS_WORK, APPS_SRC, UNI_SOURCE_DIR):
#
#   lua5.4   upstream Makefile (make -C src linux-noreadline CC=uni-cc),
#            then test/apps/make/lua/lua-test.lua booted in a VM
#   sqlite3  ./configure --host=x86_64-linux-musl CC=uni-cc with
#            CONFIG_SITE=toolchain/config.site, make sqlite3, then
#            test/apps/make/sqlite/sqlite-test.sql in a VM against its
#            expected output
#   config_site  every run-test answer in toolchain/config.site is
#            measured true in a VM
#
# As in cmake_projects.cmake, each project is apps.NAME.fetch ->
# apps.NAME.build -> its tests, chained by CTest fixtures, so `make` needs
# no network; sources are cached in APPS_SRC, builds kept in APPS_WORK,
# and a later run only relinks (the images must carry the current kernel).
set(UNI_MAKE_APPS "${UNI_SOURCE_DIR}/test/apps/make")
set(UNI_MAKE_ENV "UNI_SYSROOT=${UNI_SYSROOT}")

# apps_make_project(NAME PKG): apps.NAME.fetch (common/fetch, cached in
# APPS_SRC) and apps.NAME.build (make/build-NAME, in APPS_WORK/<dir>).
function(apps_make_project name pkg)
  apps_fetch(${name} ${pkg})
  add_test(NAME apps.${name}.build
    COMMAND "${UNI_MAKE_APPS}/build-${name}" "${UNI_SOURCE_DIR}" "${APPS_SRC}"
            "${APPS_WORK}")
  set_tests_properties(apps.${name}.build PROPERTIES LABELS apps
    TIMEOUT 900 ENVIRONMENT "${UNI_MAKE_ENV}"
    FIXTURES_REQUIRED apps.${name}.src FIXTURES_SETUP apps.${name}.built)
endfunction()

apps_make_project(lua lua5.4)
add_test(NAME apps.lua.script
  COMMAND "${UNI_SOURCE_DIR}/toolchain/uni-run" "${APPS_WORK}/lua5.4/src/lua"
          --env LUA_TEST_VAR=uni --timeout 120 -- /test/lua-test.lua)
set_tests_properties(apps.lua.script PROPERTIES LABELS apps TIMEOUT 150
  FIXTURES_REQUIRED apps.lua.built
  PASS_REGULAR_EXPRESSION "lua-test: [0-9]+ checks passed"
  FAIL_REGULAR_EXPRESSION "FAIL|uni: panic|not implemented")

apps_make_project(sqlite sqlite3)
add_test(NAME apps.sqlite.shell
  COMMAND "${UNI_MAKE_APPS}/run-sqlite" "${UNI_SOURCE_DIR}"
          "${APPS_WORK}/sqlite3/sqlite3")
set_tests_properties(apps.sqlite.shell PROPERTIES LABELS apps TIMEOUT 150
  FIXTURES_REQUIRED apps.sqlite.built FAIL_REGULAR_EXPRESSION "FAIL|uni: panic")

add_test(NAME apps.config_site
  COMMAND "${UNI_MAKE_APPS}/check-config-site" "${UNI_SOURCE_DIR}")
set_tests_properties(apps.config_site PROPERTIES LABELS "vm;apps"
  TIMEOUT 120 ENVIRONMENT "${UNI_MAKE_ENV}"
  FAIL_REGULAR_EXPRESSION "FAIL|uni: panic")
