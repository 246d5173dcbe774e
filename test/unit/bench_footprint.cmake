# bench_footprint: bench/footprint's option parsing and its boot probe on
# the host, without a VM (owner: "footprint"; the figures come from
# bench/footprint). Uses bench_tcp_server (bench_tcp.cmake) as a server.
add_executable(bench_boot_probe ${CMAKE_SOURCE_DIR}/bench/programs/boot_probe.c)
target_compile_options(bench_boot_probe PRIVATE -O2 -Wall -Wextra)
add_test(NAME test_bench_footprint
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_bench_footprint.sh
          ${CMAKE_SOURCE_DIR}/bench/footprint $<TARGET_FILE:bench_boot_probe>
          $<TARGET_FILE:bench_tcp_server>)
set_tests_properties(test_bench_footprint PROPERTIES LABELS "unit" TIMEOUT 60)
