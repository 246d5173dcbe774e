# net_tcp_linux: in-image TCP tests against the host's Linux TCP stack
# (issue 7; owner: the "linux" part). test/net/tcp-linux boots the image
# net_tcp_linux (test/vm/net_tcp_linux.cmake) in one network mode and runs
# steps of the host program tcp_linux (test/net/tcp_linux.c, built here)
# against it; every transfer is a seeded stream whose checksum both sides
# compare. Modes user (QEMU's slirp between), tap and impair (a tap device
# in a network namespace: root only, else SKIP).
add_executable(net_tcp_linux_client ${CMAKE_SOURCE_DIR}/test/net/tcp_linux.c)
target_compile_options(net_tcp_linux_client PRIVATE -O2 -Wall -Wextra)
set(TCPL_RUN ${CMAKE_SOURCE_DIR}/test/net/tcp-linux
  "${CMAKE_SOURCE_DIR}/toolchain/uni-run"
  "${CMAKE_BINARY_DIR}/vmtests/net_tcp_linux.img"
  $<TARGET_FILE:net_tcp_linux_client>)
set(TCPL_MIB100 104857600)

# Over QEMU user networking: the host program uses Linux sockets, slirp's
# TCP faces the guest. 100 MiB each way (the image to host direction in
# its own test: see TCPL_DOWN below).
add_test(NAME net_tcp_linux_bulk COMMAND ${TCPL_RUN} user
  "upload 11 ${TCPL_MIB100}")
add_test(NAME net_tcp_linux_bulk_down COMMAND ${TCPL_RUN} user
  "download 12 ${TCPL_MIB100}")
# 1,000 connections open at once (4 KiB buffers each), each exchanging
# data, then all closed. Over slirp the image opens them: slirp's
# forwarded port listens with a backlog of 1, so 1,000 host connects at
# once would only trickle in; the tap test below does that direction.
add_test(NAME net_tcp_linux_many COMMAND ${TCPL_RUN} user
  "manyout 1000 @HOST @BIND")
# Half-close each way (the other side keeps sending, then reads to EOF);
# the image's connect to a host port nobody listens on: ECONNREFUSED.
add_test(NAME net_tcp_linux_close COMMAND ${TCPL_RUN} user
  "upload 21 300000 400000" "guestshut 22 300000 400000"
  "connect @HOST @CLOSED ECONNREFUSED")
# All of it against the kernel's own TCP through a tap device (no slirp
# between the stacks), and 1,000 connections the host opens: a plain
# host connect to a port the image does not listen on gets its RST, so
# ECONNREFUSED.
add_test(NAME net_tcp_linux_tap COMMAND ${TCPL_RUN} tap
  "upload 31 ${TCPL_MIB100}" "many 1000 @PORT2" "manyout 1000 @HOST @BIND"
  "upload 33 300000 400000" "guestshut 34 300000 400000"
  "connect @HOST @CLOSED ECONNREFUSED" "!@CLIENT -a 10.99.0.2 9 refused")
add_test(NAME net_tcp_linux_tap_down COMMAND ${TCPL_RUN} tap
  "download 32 ${TCPL_MIB100}")
# An impaired link: 2% loss, 10 ms +- 5 ms delay, 25% reordered, each way
# (test/net/tap_impair.py; netem for host to guest when the kernel has
# it): 3 MiB each way and a half-close arrive intact.
add_test(NAME net_tcp_linux_impair COMMAND ${TCPL_RUN} impair
  "upload 41 3145728" "download 42 3145728" "upload 43 200000 300000")
# A garbage-sending peer (test/net/tcp_garbage.py, scapy): the RFC 9293 /
# RFC 5961 answers to bad segments, then 3 x 40 MiB to the image and 1 MiB
# back intact while
# garbage hits the same port, the transfer's own 4-tuple and its
# neighbours; the image still answers afterwards (quit).
add_test(NAME net_tcp_linux_garbage COMMAND ${TCPL_RUN} tap
  "!@PY @DIR/tcp_garbage.py unitap0 10.99.0.2 7 8 -- @CLIENT -a 10.99.0.2 7 upload 51 41943040 -- @CLIENT -a 10.99.0.2 7 upload 52 41943040 -- @CLIENT -a 10.99.0.2 7 upload 53 41943040 -- @CLIENT -a 10.99.0.2 7 download 54 1048576")
set(TCPL_TESTS net_tcp_linux_bulk net_tcp_linux_bulk_down net_tcp_linux_many
  net_tcp_linux_close net_tcp_linux_tap net_tcp_linux_tap_down
  net_tcp_linux_impair net_tcp_linux_garbage)
set_tests_properties(${TCPL_TESTS} PROPERTIES
  LABELS "vm;net" TIMEOUT 300 SKIP_RETURN_CODE 77
  FAIL_REGULAR_EXPRESSION "uni: panic|FAIL")
