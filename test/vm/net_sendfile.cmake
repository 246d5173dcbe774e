# net_sendfile: sendfile(2)/copy_file_range(2) (src/kernel/fs/sys_sendfile.c)
# and the SO_REUSEADDR/SO_REUSEPORT bind rules of TCP (src/net/tcp.c,
# tcp_pcb_bind), issue 7. Over 127.0.0.1, no network device needed.
add_executable(net_sendfile net_sendfile.c)
vm_test(net_sendfile)
add_executable(net_tcp_reuse net_tcp_reuse.c)
vm_test(net_tcp_reuse)
set_tests_properties(net_sendfile net_tcp_reuse PROPERTIES
  LABELS "vm;net" TIMEOUT 90)

# hello never calls sendfile: sys_sendfile.c is not in its image (nor the
# -ENOSYS default: no table names it).
add_test(NAME net_sendfile_hello_nm COMMAND sh -c
  "syms=$(\"$0\" \"$1\") || exit 2; if printf '%s\\n' \"$syms\" | grep -E ' (sys_sendfile|sys_copy_file_range|do_sendfile|copy_out)$'; then echo 'sendfile code in hello'; exit 1; fi; echo 'no sendfile code in hello'"
  "${UNI_NM}" $<TARGET_FILE:hello>)
set_tests_properties(net_sendfile_hello_nm PROPERTIES LABELS "vm" TIMEOUT 60)
