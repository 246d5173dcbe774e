# lighttpd.cmake - lighttpd 1.4.69 from Debian's source package, built with
# uni.cmake (CMake, unpatched) and run as a web server (issue 9). Included
# by test/apps/CMakeLists.txt after cmake_projects.cmake, whose
# apps_cmake_project/apps_test/apps_ctest_uni it uses.
#
#   apps.lighttpd.fetch  Debian's lighttpd source package (cached)
#   apps.lighttpd.build  BUILD_STATIC (every module linked in, no dlopen),
#                        the optional libraries off. lighttpd/include holds
#                        two headers the build needs and musl lacks:
#                        sys/queue.h (our own, the STAILQ subset ls-hpack
#                        uses) and
#                        plugin-static.h (the module table a static build
#                        must provide), found through -isystem
#   apps.lighttpd.ctest  its own unit tests in VMs: test_common and
#                        test_configfile. test_mod is left out: its SSI test
#                        runs `<!--#exec cmd=...-->`, which forks /bin/sh
#                        (fork is ENOSYS in uni). The tests/ scripts run a
#                        host lighttpd under perl and are left out too
#   apps.lighttpd.serve  lighttpd/serve: the image with lighttpd/site/
#                        (lighttpd.conf, www/) through --files, checked
#                        with curl through a port forward
set(LIGHTTPD_DIR "${CMAKE_CURRENT_SOURCE_DIR}/lighttpd")
apps_cmake_project(lighttpd lighttpd -DBUILD_STATIC=ON
  -DWITH_PCRE2=OFF -DWITH_ZLIB=OFF -DWITH_OPENSSL=OFF
  "-DCMAKE_C_FLAGS=-isystem ${LIGHTTPD_DIR}/include")
apps_ctest_uni(lighttpd "-DEXCLUDE=\\.(sh|t)$|^test_mod$")
apps_test(lighttpd serve "${LIGHTTPD_DIR}/serve" "${APPS_UNI_RUN}"
  "${APPS_WORK}/lighttpd/build/lighttpd.img" "${LIGHTTPD_DIR}/site"
  "${APPS_WORK}/lighttpd-serve" 18069)
set_tests_properties(apps.lighttpd.serve PROPERTIES TIMEOUT 90)
