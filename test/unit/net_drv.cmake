# net_drv: host unit tests of the Network I issue (owner: the drivers,
# src/drivers/). The split virtqueue against a fake device, including a
# malicious one.
uni_unit_test(test_virtqueue SOURCES test_virtqueue.c host_kernel.c
  host_kmalloc.c ${CMAKE_SOURCE_DIR}/src/drivers/virtio/virtqueue.c)
target_include_directories(test_virtqueue PRIVATE
  "${CMAKE_SOURCE_DIR}/src/drivers/virtio")

# The virtio-net driver with its real virtqueues and netbufs over a fake
# transport and a fake stack (test_virtio_net.c plays both).
uni_unit_test(test_virtio_net SOURCES test_virtio_net.c host_kernel.c
  host_kmalloc.c ${CMAKE_SOURCE_DIR}/src/drivers/virtio/virtqueue.c
  ${CMAKE_SOURCE_DIR}/src/drivers/virtio/virtio_net.c
  ${CMAKE_SOURCE_DIR}/src/net/netbuf.c)
target_include_directories(test_virtio_net PRIVATE
  "${CMAKE_SOURCE_DIR}/src/drivers/virtio")
