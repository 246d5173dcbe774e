# fs_wait: in-image tests of pipes, eventfd, timerfd, signalfd, poll,
# select and epoll (issue 4 items 7 and 8). Owner: the "wait" part
# (src/kernel/fs/pipe.c, eventfd.c, timerfd.c, signalfd.c, poll.c, epoll.c).
add_executable(pipe pipe.c)
vm_test(pipe)
# SIGPIPE at its default action ends the program with 128 + 13.
add_test(NAME pipe_sigpipe COMMAND "${EXPECT}" 141
  "writing to a pipe without reader\nuni: killed by signal 13 \\(SIGPIPE\\)"
  "${UNI_RUN}" $<TARGET_FILE:pipe> -- sigpipe)
set_tests_properties(pipe_sigpipe PROPERTIES LABELS "vm" TIMEOUT 120
  FAIL_REGULAR_EXPRESSION "uni: panic|still running")
add_executable(poll poll.c)
vm_test(poll)
add_executable(epoll epoll.c)
vm_test(epoll)
add_executable(fs_wait_fds fs_wait_fds.c)
vm_test(fs_wait_fds)
add_executable(pipe_fifo pipe_fifo.c)
vm_test(pipe_fifo)
