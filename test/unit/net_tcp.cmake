# net_tcp: host unit tests of TCP (src/net/tcp*.c, issue 7) over the
# stack's sources and harness: the state machine driven by injected
# segments and a fake clock (test_tcp_state), data transfer, windows,
# retransmission and sequence wrap-around (test_tcp_data), options,
# timestamps and PAWS (test_tcp_opts), SACK scoreboard and recovery
# (test_tcp_sack), and a fuzzer.
set(NET_TCP_SOURCES ${NET_STACK_SOURCES}) # the stack's list has tcp*.c
foreach(t state data pair ring opts sack bind timers)
  uni_unit_test(test_tcp_${t} SOURCES test_tcp_${t}.c ${NET_TCP_SOURCES})
endforeach()

# libFuzzer on tcp_input (scripts of segments, user calls and clock steps
# against a listener and a connection): a short bounded run; new inputs
# go to the build directory.
if(CMAKE_C_COMPILER_ID MATCHES "Clang")
  add_executable(fuzz_tcp_input test_tcp_fuzz.c ${NET_TCP_SOURCES})
  target_include_directories(fuzz_tcp_input PRIVATE "${CMAKE_SOURCE_DIR}/include")
  target_compile_options(fuzz_tcp_input PRIVATE -g -O1
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
  target_link_options(fuzz_tcp_input PRIVATE -fsanitize=fuzzer,address,undefined)
  file(MAKE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/fuzz_tcp_input_corpus")
  add_test(NAME fuzz_tcp_input COMMAND fuzz_tcp_input -runs=200000 -max_total_time=20
    -timeout=10 -max_len=2048 "${CMAKE_CURRENT_BINARY_DIR}/fuzz_tcp_input_corpus")
  set_tests_properties(fuzz_tcp_input PROPERTIES LABELS "unit" TIMEOUT 120)
endif()

# Host-driven: the host program tcp_client (test/net/tcp_client.c) against
# the image net_tcp_echo (test/vm/net_tcp.cmake) through a uni-run port
# forward (QEMU user networking): 1 MiB each way, every byte checked.
add_executable(net_tcp_client ${CMAKE_SOURCE_DIR}/test/net/tcp_client.c)
target_compile_options(net_tcp_client PRIVATE -O2 -Wall -Wextra)
add_test(NAME net_tcp_echo
  COMMAND ${CMAKE_SOURCE_DIR}/test/net/tcp-echo
          "${CMAKE_SOURCE_DIR}/toolchain/uni-run"
          "${CMAKE_BINARY_DIR}/vmtests/net_tcp_echo.img"
          $<TARGET_FILE:net_tcp_client> 1048576)
set_tests_properties(net_tcp_echo PROPERTIES LABELS "vm;net" TIMEOUT 300
  FAIL_REGULAR_EXPRESSION "uni: panic|FAIL")
