# net_tcp: host unit tests of TCP (src/net/tcp*.c, issue 7) over the
# stack's sources and harness: the state machine driven by injected
# segments and a fake clock (test_tcp_state), data transfer, windows,
# retransmission and sequence wrap-around (test_tcp_data), and a fuzzer.
set(NET_TCP_SOURCES ${NET}/tcp.c ${NET}/tcp_in.c ${NET}/tcp_out.c ${NET}/tcp_timer.c
  ${NET_STACK_SOURCES})
foreach(t state data pair)
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
