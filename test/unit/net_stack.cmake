# net_stack: host unit tests of the IPv4 stack (src/net, helper "stack"):
# checksums, ARP, IPv4 (reassembly, fragmentation, header checks), ICMP,
# UDP demultiplexing, DHCP parsing and exchange, and a libFuzzer target
# for the Ethernet receive path run briefly under CTest. ip4.c hands
# protocol 6 to tcp_input, so the sources include TCP (src/net/tcp*.c).
set(NET "${CMAKE_SOURCE_DIR}/src/net")
set(NET_STACK_SOURCES ${NET}/netbuf.c ${NET}/checksum.c ${NET}/netif.c
  ${NET}/eth.c ${NET}/arp.c ${NET}/ip4.c ${NET}/icmp.c ${NET}/udp.c
  ${NET}/dhcp.c ${NET}/loopback.c net_host.c host_kmalloc.c)
file(GLOB NET_TCP_FILES ${NET}/tcp*.c) # the protocol: tcp.c, tcp_in.c, ...
list(APPEND NET_STACK_SOURCES ${NET_TCP_FILES})

uni_unit_test(test_net_checksum SOURCES test_net_checksum.c ${NET}/checksum.c)
foreach(t arp ip4 udp dhcp)
  uni_unit_test(test_net_${t} SOURCES test_net_${t}.c ${NET_STACK_SOURCES})
endforeach()

# libFuzzer on net_rx() over an Ethernet interface (and loopback): a
# bounded run from the seed corpus in net_fuzz_corpus/ (new inputs go to
# the build directory, never the source tree).
if(CMAKE_C_COMPILER_ID MATCHES "Clang")
  add_executable(fuzz_net_rx fuzz_net_rx.c ${NET_STACK_SOURCES})
  target_include_directories(fuzz_net_rx PRIVATE "${CMAKE_SOURCE_DIR}/include")
  target_compile_options(fuzz_net_rx PRIVATE -g -O1
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
  target_link_options(fuzz_net_rx PRIVATE -fsanitize=fuzzer,address,undefined)
  file(MAKE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/fuzz_net_rx_corpus")
  add_test(NAME fuzz_net_rx COMMAND fuzz_net_rx -runs=50000 -max_total_time=30 -timeout=10
    -max_len=4096 "${CMAKE_CURRENT_BINARY_DIR}/fuzz_net_rx_corpus"
    "${CMAKE_CURRENT_SOURCE_DIR}/net_fuzz_corpus")
  set_tests_properties(fuzz_net_rx PROPERTIES LABELS "unit" TIMEOUT 120)
endif()
