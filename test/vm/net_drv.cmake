# net_drv: in-image tests of the PCI and virtio drivers (owner: the "drv"
# part, src/drivers/). net_drv_probe boots with `--net user` on microvm
# (PCI through ECAM, BARs assigned by the driver) and on q35 (ports
# 0xCF8/0xCFC, BARs from firmware): eth0 found, MAC and link read, a DHCP
# lease through the queues; the console shows the driver's line and the
# virtio-rng entropy being mixed in.
add_executable(net_drv_probe net_drv_probe.c)
# src/net/glue.c refers to the probe weakly; until that reference is
# strong, pull the driver in here as net_init would.
target_link_options(net_drv_probe PRIVATE -Wl,-u,virtio_net_probe_all)
# virtio-rng is probed first (its entropy is in before any DHCP xid).
set(NET_DRV_PATTERN
  "uni: random: [0-9]+ bytes from virtio-rng mixed in.*uni: eth0: virtio-net 52:54:00:12:34:56, link up")
foreach(m microvm q35)
  add_test(NAME net_drv_probe_${m} COMMAND "${EXPECT}" 0
    "${NET_DRV_PATTERN}.*[0-9]+ passed, 0 failed"
    "${UNI_RUN}" $<TARGET_FILE:net_drv_probe> --machine ${m} --net user)
  set_tests_properties(net_drv_probe_${m} PROPERTIES LABELS "vm;net"
    TIMEOUT 120 FAIL_REGULAR_EXPRESSION "${FAIL_PATTERN}|virtio: .* broken")
endforeach()

# A legacy-only (virtio 0.9.5) device on q35: the I/O BAR transport.
add_test(NAME net_drv_probe_legacy COMMAND "${EXPECT}" 0
  "uni: eth0: virtio-net \\(legacy\\) 52:54:00:12:34:56, link up.*[0-9]+ passed, 0 failed"
  "${UNI_RUN}" $<TARGET_FILE:net_drv_probe> --machine q35 --net user)
set_tests_properties(net_drv_probe_legacy PROPERTIES LABELS "vm;net"
  TIMEOUT 120 FAIL_REGULAR_EXPRESSION "${FAIL_PATTERN}|virtio: .* broken"
  ENVIRONMENT "UNI_RUN_ARGS=-global virtio-net-pci.disable-modern=on")

# hello links no PCI or virtio code (drivers come in only through
# net_init, which only the socket layer calls).
add_test(NAME net_drv_hello_nm COMMAND sh -c
  "syms=$(\"$0\" \"$1\") || exit 2; if printf '%s\\n' \"$syms\" | grep -E ' [tTdDbB] (pci_[a-z0-9_]+|virtq_[a-z_]+|virtio_[a-z_]+|vnet_[a-z_]+|vrng_[a-z_]+|random_add_entropy|random_mix_out)$'; then echo 'driver code in hello'; exit 1; fi; echo 'no driver code in hello'"
  "${UNI_NM}" $<TARGET_FILE:hello>)
set_tests_properties(net_drv_hello_nm PROPERTIES LABELS "vm" TIMEOUT 60)

# Link status: the host switches QEMU's link off and on through QMP; the
# configuration interrupt (MSI-X entry 0) updates IFF_RUNNING each time.
add_executable(net_drv_link net_drv_link.c)
target_link_options(net_drv_link PRIVATE -Wl,-u,virtio_net_probe_all)
add_test(NAME net_drv_link COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/net_drv_link"
  "${UNI_RUN}" $<TARGET_FILE:net_drv_link>)
set_tests_properties(net_drv_link PROPERTIES LABELS "vm;net" TIMEOUT 120
  PASS_REGULAR_EXPRESSION "[0-9]+ passed, 0 failed"
  FAIL_REGULAR_EXPRESSION "${FAIL_PATTERN}|virtio: .* broken|FAIL")
