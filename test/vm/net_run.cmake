# net_run: in-image programs of the Network I issue's end-to-end tests
# (owner: the "run" part: toolchain/uni-run's network options, test/net/,
# bench/udp).
#
# net_run_udp_echo is the guest side of the host-driven tests, which need
# a host program and so are registered by test/unit/net_run.cmake
# (test/net/udp-echo: 10,000 datagrams through -p HPORT:7/udp;
# test/net/tap-ping: a tap device in a network namespace). It is built
# here, as every image, and found there as vmtests/net_run_udp_echo.img.
add_executable(net_run_udp_echo net_run_udp_echo.c)

# The DHCP lease from QEMU's user network, seen through getifaddrs.
add_executable(net_run_dhcp net_run_dhcp.c)
add_test(NAME net_run_dhcp COMMAND "${UNI_RUN}" $<TARGET_FILE:net_run_dhcp>
  --net user)
set_tests_properties(net_run_dhcp PROPERTIES LABELS "vm;net" TIMEOUT 120
  FAIL_REGULAR_EXPRESSION "${FAIL_PATTERN}")
