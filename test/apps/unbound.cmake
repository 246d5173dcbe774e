# unbound.cmake - the Unbound DNS server 1.17.1 from Debian's unbound
# source package, built with uni-cc by its own autoconf build without
# patching its sources, answering queries from the host (issue 9).
# Included by test/apps/CMakeLists.txt after cmake_projects.cmake
# (apps_test, APPS_UNI_RUN), openssl.cmake and expat.cmake (the prefixes
# APPS_OPENSSL_PREFIX and APPS_EXPAT_PREFIX).
#
#   apps.unbound.fetch     Debian's unbound source package (cached)
#   apps.unbound.build     unbound/build: configure --host=x86_64-linux-musl
#                          CC=uni-cc with toolchain/config.site,
#                          select()-based mini_event (no libevent),
#                          pthreads in but run with num-threads: 1,
#                          OpenSSL and libexpat from the two builds above;
#                          make unbound unittest (needs bison and flex)
#   apps.unbound.dig       unbound/query: the image with unbound/conf at
#                          /srv/unbound, UDP and TCP forwards of host port
#                          18053, answers checked exactly with dig
#                          (package bind9-dnsutils)
#   apps.unbound.unittest  unbound/unittest: its unit-test program in a VM
#                          (about 10 s under TCG)
set(APPS_UNBOUND "${CMAKE_CURRENT_SOURCE_DIR}/unbound")
apps_fetch(unbound unbound)
add_test(NAME apps.unbound.build
  COMMAND "${APPS_UNBOUND}/build" "${UNI_SOURCE_DIR}" "${APPS_SRC}"
          "${APPS_WORK}" "${APPS_OPENSSL_PREFIX}" "${APPS_EXPAT_PREFIX}")
set_tests_properties(apps.unbound.build PROPERTIES LABELS apps
  TIMEOUT 1800 ENVIRONMENT "UNI_SYSROOT=${UNI_SYSROOT}"
  FIXTURES_REQUIRED "apps.unbound.src;apps.openssl.built;apps.expat.built"
  FIXTURES_SETUP apps.unbound.built)
apps_test(unbound dig "${APPS_UNBOUND}/query" "${APPS_UNI_RUN}"
  "${APPS_WORK}/unbound/unbound" "${APPS_UNBOUND}/conf"
  "${APPS_WORK}/unbound-dig" 18053)
set_tests_properties(apps.unbound.dig PROPERTIES TIMEOUT 150)
apps_test(unbound unittest "${APPS_UNBOUND}/unittest" "${APPS_UNI_RUN}"
  "${APPS_WORK}/unbound" "${APPS_WORK}/unbound-unittest")
set_tests_properties(apps.unbound.unittest PROPERTIES TIMEOUT 400)
