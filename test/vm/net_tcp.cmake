# net_tcp: in-image tests of TCP sockets (issue 7: src/net/tcp*.c and
# src/net/af_inet_tcp.c). Over 127.0.0.1, no network device needed.
add_executable(net_tcp_lo net_tcp_lo.c)
vm_test(net_tcp_lo)
# The guest side of the host-driven test test/net/tcp-echo (registered
# by test/unit/net_tcp.cmake): an echo server on TCP port 7.
add_executable(net_tcp_echo net_tcp_echo.c)
# TCP options and timers (src/net/tcp_keep.c): TCP_NODELAY, keepalive,
# TCP_INFO, SO_LINGER, connect(AF_UNSPEC); about 10 s (keepalive and
# linger waits).
add_executable(net_tcp_opts net_tcp_opts.c)
vm_test(net_tcp_opts)
set_tests_properties(net_tcp_opts PROPERTIES LABELS "vm;net" TIMEOUT 60)
