# net_sock: host unit tests of the socket layer (helper "sock"): the
# netlink family (src/net/af_netlink.c) over a fake interface list, its
# dumps read as musl reads them, and a bounded fuzz of its request parser.
uni_unit_test(test_net_sock SOURCES test_net_sock.c
  ${CMAKE_SOURCE_DIR}/src/net/af_netlink.c
  ${CMAKE_SOURCE_DIR}/src/kernel/fs/file.c
  host_kmalloc.c host_kernel.c host_uaccess.c)
target_compile_definitions(test_net_sock PRIVATE _GNU_SOURCE)
target_compile_options(test_net_sock PRIVATE -Wno-unused-parameter)

# The AF_INET datagram family (src/net/af_inet_udp.c) over the stack's
# real netbuf.c and a fake UDP pcb.
uni_unit_test(test_net_sock_udp SOURCES test_net_sock_udp.c
  ${CMAKE_SOURCE_DIR}/src/net/af_inet_udp.c
  ${CMAKE_SOURCE_DIR}/src/net/sock_util.c
  ${CMAKE_SOURCE_DIR}/src/net/netbuf.c
  ${CMAKE_SOURCE_DIR}/src/kernel/fs/file.c
  host_kmalloc.c host_kernel.c host_uaccess.c)
target_compile_definitions(test_net_sock_udp PRIVATE _GNU_SOURCE)
target_compile_options(test_net_sock_udp PRIVATE -Wno-unused-parameter)
