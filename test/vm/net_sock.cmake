# net_sock: in-image tests of the socket layer (issue 6 item 6). Owner:
# the "sock" part (src/net/socket.c, sys_socket.c, sockopt.c,
# af_inet_udp.c, af_netlink.c, ifreq.c).
# The socket API over loopback UDP (no network device needed).
add_executable(net_sock_udp net_sock_udp.c)
vm_test(net_sock_udp)
# select/poll/epoll over 1,000 UDP sockets.
add_executable(net_sock_select net_sock_select.c)
vm_test(net_sock_select ARGS -m 256)
# Interface queries: lo only without a network device, lo and eth0 (QEMU's
# DHCP lease) with user networking.
add_executable(net_sock_ifaces net_sock_ifaces.c)
vm_test(net_sock_ifaces)
add_test(NAME net_sock_ifaces_eth0 COMMAND "${UNI_RUN}"
  $<TARGET_FILE:net_sock_ifaces> --net user -- eth0)
set_tests_properties(net_sock_ifaces_eth0 PROPERTIES LABELS "vm" TIMEOUT 120
  FAIL_REGULAR_EXPRESSION "${FAIL_PATTERN}")
