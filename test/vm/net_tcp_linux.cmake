# net_tcp_linux: the guest side of the TCP tests against the host's Linux
# stack (issue 7; owner: the "linux" part). The tests need host programs
# and so are registered by test/unit/net_tcp_linux.cmake (test/net/
# tcp-linux with the host program test/net/tcp_linux.c: 100 MiB each way,
# 1,000 connections at once, half-close, RST and ECONNREFUSED, over QEMU
# user networking, a tap device, an impaired link, and beside a
# garbage-sending peer); the image is found there as
# vmtests/net_tcp_linux.img.
add_executable(net_tcp_linux net_tcp_linux.c)
