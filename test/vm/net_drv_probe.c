/*
 * net_drv_probe.c - the virtio-net driver as a program sees it: the first
 * socket brings the network up (net_init probes PCI), after which eth0
 * exists with QEMU's MAC, is up and running (link status from the
 * device), and DHCP has worked over it (every packet of the lease went
 * through the driver's queues and MSI-X interrupt).
 *
 * Layer: in-image test, booted with `uni-run --net user` on microvm
 * (ECAM) and on q35 (ports 0xCF8/0xCFC) by test/vm/net_drv.cmake, which
 * also matches the driver's console lines.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "testutil.h"

int main(void)
{
	static const unsigned char qemu_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct ifreq ifr;
	uint64_t t0;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	CHECK(s >= 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "eth0");
	CHECK(ioctl(s, SIOCGIFHWADDR, &ifr) == 0);
	CHECK(!memcmp(ifr.ifr_hwaddr.sa_data, qemu_mac, 6));
	CHECK(ioctl(s, SIOCGIFFLAGS, &ifr) == 0);
	CHECK(ifr.ifr_flags & IFF_UP);
	CHECK(ifr.ifr_flags & IFF_RUNNING);
	CHECK(if_nametoindex("eth0") > 0);
	/* The lease came over the driver: wait for it (DHCP may still be
	 * running when socket() returns, depending on the stack). */
	t0 = now_ms();
	while (ioctl(s, SIOCGIFADDR, &ifr) != 0 && now_ms() - t0 < 20000)
		msleep(100);
	CHECK(((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr.s_addr ==
	      htonl(0x0a00020f)); /* 10.0.2.15 */
	close(s);
	return check_done();
}
