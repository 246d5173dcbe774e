# mosquitto.cmake - the MQTT broker from Debian's mosquitto source package
# (2.0.11), built with uni.cmake without patching its sources and driven
# from the host. Included by test/apps/CMakeLists.txt after
# cmake_projects.cmake (apps_cmake_project, apps_test).
#
#   apps.mosquitto.fetch   common/fetch: apt source (once, cached)
#   apps.mosquitto.build   the broker (src/) and libmosquitto (lib/, which
#                          its CMakeLists always builds): no TLS, cJSON,
#                          websockets, clients, apps, plugins, C++ or docs
#   apps.mosquitto.pubsub  mosquitto/pubsub: the image with a port forward
#                          and mosquitto/conf as /etc/mosquitto; the host's
#                          mosquitto_sub and mosquitto_pub (package
#                          mosquitto-clients) exchange messages at QoS 0,
#                          1 and 2.
#   apps.mosquitto.broker  mosquitto/broker-tests: a subset of mosquitto's
#                          own broker tests (test/broker, Python 3), with
#                          mosquitto/broker-shim booting the image where
#                          they run the broker (see below).
#
# project(mosquitto) names no language, so CMake enables C++ too, which
# uni.cmake refuses: mosquitto/project-before.cmake lets CXX be enabled
# unused (its only C++ code, libmosquittopp, is off).
set(APPS_MOSQUITTO "${CMAKE_CURRENT_SOURCE_DIR}/mosquitto")
apps_cmake_project(mosquitto mosquitto
  "-DCMAKE_PROJECT_INCLUDE_BEFORE=${APPS_MOSQUITTO}/project-before.cmake"
  -DWITH_TLS=OFF -DWITH_TLS_PSK=OFF -DWITH_EC=OFF -DWITH_CJSON=OFF
  -DWITH_WEBSOCKETS=OFF -DWITH_SRV=OFF -DWITH_LIB_CPP=OFF
  -DWITH_CLIENTS=OFF -DWITH_APPS=OFF -DWITH_PLUGINS=OFF -DDOCUMENTATION=OFF)
apps_test(mosquitto pubsub "${APPS_MOSQUITTO}/pubsub" "${APPS_UNI_RUN}"
  "${APPS_WORK}/mosquitto/src/mosquitto.img" "${APPS_MOSQUITTO}/conf"
  "${APPS_WORK}/mosquitto-pubsub" 20)
set_tests_properties(apps.mosquitto.pubsub PROPERTIES TIMEOUT 90)
# apps.mosquitto.broker: mosquitto's own broker tests (test/broker/*.py,
# Python 3) against the image: mosquitto/broker-tests with broker-shim in
# place of the broker executable; broker-tests.list says which cases are
# excluded (bridges, TLS, plugins, ...) and why, and which form this
# entry's subset (47 of the 121 runnable cases, about a minute under TCG;
# `broker-tests ... --all` runs all of them, about 4 minutes).
apps_test(mosquitto broker "${APPS_MOSQUITTO}/broker-tests" "${APPS_UNI_RUN}"
  "${APPS_WORK}/mosquitto/src/mosquitto.img" "${APPS_SRC}"
  "${APPS_WORK}/mosquitto-broker")
set_tests_properties(apps.mosquitto.broker PROPERTIES TIMEOUT 400)
