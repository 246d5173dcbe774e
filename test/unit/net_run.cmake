# net_run: host-side tests of the Network I issue's end-to-end part
# (owner: the "run" part: toolchain/uni-run's network options, test/net/,
# bench/udp).

# uni-run's option parsing for -p and --net, through --print.
add_test(NAME test_uni_run_net
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_uni_run_net.sh
          ${CMAKE_SOURCE_DIR}/toolchain/uni-run)
set_tests_properties(test_uni_run_net PROPERTIES LABELS "unit" TIMEOUT 120)

# Host-driven tests: the host program udp_client (test/net/udp_client.c,
# built here with the host compiler) against the image net_run_udp_echo
# that the vmtests project builds (test/vm/net_run.cmake).
add_executable(net_udp_client ${CMAKE_SOURCE_DIR}/test/net/udp_client.c)
target_compile_options(net_udp_client PRIVATE -O2 -Wall -Wextra)
set(NET_RUN_UNI_RUN "${CMAKE_SOURCE_DIR}/toolchain/uni-run")
set(NET_RUN_ECHO "${CMAKE_BINARY_DIR}/vmtests/net_run_udp_echo.img")

# 10,000 datagrams through a port forward, each reply verified.
add_test(NAME net_udp_echo
  COMMAND ${CMAKE_SOURCE_DIR}/test/net/udp-echo "${NET_RUN_UNI_RUN}"
          "${NET_RUN_ECHO}" $<TARGET_FILE:net_udp_client> 10000)
# 100,000 through the default 128M guest: what the stack allocates per
# datagram must come back (a leak of 1 KiB a datagram runs out of memory).
add_test(NAME net_udp_soak
  COMMAND ${CMAKE_SOURCE_DIR}/test/net/udp-echo "${NET_RUN_UNI_RUN}"
          "${NET_RUN_ECHO}" $<TARGET_FILE:net_udp_client> 100000)
# ping and UDP over a tap device in a network namespace (root only).
add_test(NAME net_tap_ping
  COMMAND ${CMAKE_SOURCE_DIR}/test/net/tap-ping "${NET_RUN_UNI_RUN}"
          "${NET_RUN_ECHO}" $<TARGET_FILE:net_udp_client>)
set_tests_properties(net_udp_echo net_udp_soak net_tap_ping PROPERTIES LABELS "vm;net"
  TIMEOUT 300 SKIP_RETURN_CODE 77
  FAIL_REGULAR_EXPRESSION "uni: panic|FAIL")
