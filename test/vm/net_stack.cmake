# net_stack: in-image tests of the IPv4 stack's configuration (helper
# "stack": src/net/glue.c, dhcp.c, loopback.c): DHCP from QEMU's user
# network, static ip=/gw=/dns= kernel options, net=none, and the loopback
# paths (localhost, our own address, ICMP port unreachable).
add_executable(net_stack_config net_stack_config.c)
add_test(NAME net_stack_dhcp COMMAND "${UNI_RUN}"
  $<TARGET_FILE:net_stack_config> --net user -- dhcp)
add_test(NAME net_stack_static COMMAND "${UNI_RUN}"
  $<TARGET_FILE:net_stack_config> --net user -k ip=10.0.2.16/24
  -k gw=10.0.2.2 -k dns=10.0.2.3,10.0.2.4 -- static)
add_test(NAME net_stack_none COMMAND "${UNI_RUN}"
  $<TARGET_FILE:net_stack_config> --net user -k net=none -- none)
set_tests_properties(net_stack_dhcp net_stack_static net_stack_none
  PROPERTIES LABELS "vm;net" TIMEOUT 120
  FAIL_REGULAR_EXPRESSION "${FAIL_PATTERN}")
