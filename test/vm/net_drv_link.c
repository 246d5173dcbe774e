/*
 * net_drv_link.c - link status from the device: test/vm/net_drv_link
 * (the host side) turns QEMU's link off and on again through QMP when this
 * program says so; the driver's configuration interrupt must clear and
 * set IFF_RUNNING on eth0 each time.
 *
 * Layer: in-image test, booted with `uni-run --net user` and a QMP socket
 * by test/vm/net_drv.cmake.
 */
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "testutil.h"

static int running(int s)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "eth0");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
		return -1;
	return !!(ifr.ifr_flags & IFF_RUNNING);
}

/* Wait up to 20 s for the flag to become `want`. */
static int wait_running(int s, int want)
{
	uint64_t t0 = now_ms();
	int r;

	while ((r = running(s)) != want && r >= 0 && now_ms() - t0 < 20000)
		msleep(20);
	return r == want;
}

int main(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	CHECK(s >= 0);
	CHECK(wait_running(s, 1));
	printf("net_drv_link: set link off\n");
	fflush(stdout);
	CHECK(wait_running(s, 0));
	printf("net_drv_link: set link on\n");
	fflush(stdout);
	CHECK(wait_running(s, 1));
	close(s);
	return check_done();
}
