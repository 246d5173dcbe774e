# expat.cmake - libexpat from Debian's expat source package, built with
# uni.cmake as a static library and installed into a prefix in the build
# tree for the app builds that parse XML (unbound.cmake: its configure
# requires libexpat). Included by test/apps/CMakeLists.txt (which sets
# APPS_WORK, APPS_SRC, UNI_SOURCE_DIR) before those apps.
#
#   apps.expat.fetch  Debian's expat source package (cached)
#   apps.expat.build  expat/build -> APPS_EXPAT_PREFIX (fixture
#                     apps.expat.built). Its own tests are C++ and so not
#                     built (see expat/build)
set(APPS_EXPAT_PREFIX "${APPS_WORK}/expat/prefix")
apps_fetch(expat expat)
add_test(NAME apps.expat.build
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/expat/build" "${UNI_SOURCE_DIR}"
          "${APPS_SRC}" "${APPS_WORK}" "${CMAKE_BINARY_DIR}/sysroot")
set_tests_properties(apps.expat.build PROPERTIES LABELS apps TIMEOUT 600
  FIXTURES_REQUIRED apps.expat.src FIXTURES_SETUP apps.expat.built)
