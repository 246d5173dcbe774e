# bench_tcp: bench/tcp's option parsing and its server and client on the
# host, without a VM (owner: "bench"; the figures come from bench/tcp).
add_executable(bench_tcp_server ${CMAKE_SOURCE_DIR}/bench/programs/tcp_server.c)
add_executable(bench_tcp_client ${CMAKE_SOURCE_DIR}/bench/programs/tcp_client.c)
target_compile_options(bench_tcp_server PRIVATE -O2 -Wall -Wextra)
target_compile_options(bench_tcp_client PRIVATE -O2 -Wall -Wextra)
add_test(NAME test_bench_tcp
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_bench_tcp.sh
          ${CMAKE_SOURCE_DIR}/bench/tcp $<TARGET_FILE:bench_tcp_server>
          $<TARGET_FILE:bench_tcp_client>)
set_tests_properties(test_bench_tcp PROPERTIES LABELS "unit" TIMEOUT 60)
