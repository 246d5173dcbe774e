# net_unix: in-image tests of Unix-domain sockets (issue 6 item 7).
# Owner: the "unix" part (src/net/af_unix.c).
add_executable(net_unix_sock net_unix_sock.c)
vm_test(net_unix_sock)
# SIGPIPE at its default action ends the program with 128 + 13.
add_test(NAME net_unix_sigpipe COMMAND "${EXPECT}" 141
  "writing to a socket without peer\nuni: killed by signal 13 \\(SIGPIPE\\)"
  "${UNI_RUN}" $<TARGET_FILE:net_unix_sock> -- sigpipe)
set_tests_properties(net_unix_sigpipe PROPERTIES LABELS "vm" TIMEOUT 120
  FAIL_REGULAR_EXPRESSION "uni: panic|still running")
# The same as an unprivileged user (permission on the socket node,
# SCM_CREDENTIALS checks without capabilities).
add_test(NAME net_unix_sock_user COMMAND "${UNI_RUN}" $<TARGET_FILE:net_unix_sock>
  -k uid=1000 -k gid=1000)
set_tests_properties(net_unix_sock_user PROPERTIES LABELS "vm" TIMEOUT 120
  FAIL_REGULAR_EXPRESSION "${FAIL_PATTERN}")
