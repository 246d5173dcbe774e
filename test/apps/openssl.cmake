# openssl.cmake - OpenSSL 3.0 (libcrypto, libssl) from Debian's openssl
# source package, built with uni-cc as static libraries and installed into
# a prefix in the build tree for the app builds that need TLS or crypto
# (unbound.cmake; later others). Included by test/apps/CMakeLists.txt
# (which sets APPS_WORK, APPS_SRC, UNI_SOURCE_DIR) before those apps.
#
#   apps.openssl.fetch  Debian's openssl source package (cached)
#   apps.openssl.build  openssl/build: Configure linux-x86_64 with CC=uni-cc,
#                       make build_libs install_dev -> APPS_OPENSSL_PREFIX
#                       (fixture apps.openssl.built, which a user of the
#                       libraries requires)
set(APPS_OPENSSL_PREFIX "${APPS_WORK}/openssl/prefix")
apps_fetch(openssl openssl)
add_test(NAME apps.openssl.build
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/openssl/build" "${UNI_SOURCE_DIR}"
          "${APPS_SRC}" "${APPS_WORK}")
# a first build: 75 s on 2 cores (Configure 11 s; build_libs up to 2.5 min
# when the cores are shared with other work); later runs only check it
set_tests_properties(apps.openssl.build PROPERTIES LABELS apps
  TIMEOUT 1800 ENVIRONMENT "UNI_SYSROOT=${UNI_SYSROOT}"
  FIXTURES_REQUIRED apps.openssl.src FIXTURES_SETUP apps.openssl.built)
