/*
 * net_run_dhcp.c - the address QEMU's user network leases by DHCP, as a
 * program sees it.
 *
 * Layer: in-image test, booted with `uni-run --net user` (test/vm/
 * net_run.cmake). Waits (at most 20 s: DHCP may still be running when
 * main starts) until getifaddrs shows eth0 with an IPv4 address, then
 * checks the lease QEMU's slirp always gives: 10.0.2.15/24, the
 * interface up, lo at 127.0.0.1, and 10.0.2.3 as the name server in
 * /etc/resolv.conf.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#include "check.h"
#include "testutil.h"

static char eth_addr[INET_ADDRSTRLEN], eth_mask[INET_ADDRSTRLEN];
static char lo_addr[INET_ADDRSTRLEN];
static unsigned eth_flags;

static int scan(void)
{
	struct ifaddrs *ifa, *p;
	if (getifaddrs(&ifa) < 0)
		return -1;
	for (p = ifa; p; p = p->ifa_next) {
		if (!p->ifa_addr || p->ifa_addr->sa_family != AF_INET)
			continue;
		struct in_addr a = ((struct sockaddr_in *)p->ifa_addr)->sin_addr;
		if (!strcmp(p->ifa_name, "eth0")) {
			inet_ntop(AF_INET, &a, eth_addr, sizeof eth_addr);
			if (p->ifa_netmask)
				inet_ntop(AF_INET,
					  &((struct sockaddr_in *)p->ifa_netmask)->sin_addr,
					  eth_mask, sizeof eth_mask);
			eth_flags = p->ifa_flags;
		} else if (!strcmp(p->ifa_name, "lo")) {
			inet_ntop(AF_INET, &a, lo_addr, sizeof lo_addr);
		}
	}
	freeifaddrs(ifa);
	return 0;
}

int main(void)
{
	uint64_t t0 = now_ms();
	int r;
	while ((r = scan()) == 0 && !eth_addr[0] && now_ms() - t0 < 20000)
		msleep(100);
	CHECK(r == 0);
	printf("eth0 %s/%s after %llu ms; lo %s\n", eth_addr, eth_mask,
	       (unsigned long long)(now_ms() - t0), lo_addr);
	CHECK(!strcmp(eth_addr, "10.0.2.15"));
	CHECK(!strcmp(eth_mask, "255.255.255.0"));
	CHECK(eth_flags & IFF_UP);
	CHECK(!strcmp(lo_addr, "127.0.0.1"));

	char conf[1024] = "";
	FILE *f = fopen("/etc/resolv.conf", "r");
	if (f) {
		size_t n = fread(conf, 1, sizeof conf - 1, f);
		conf[n] = 0;
		fclose(f);
	}
	printf("/etc/resolv.conf:\n%s%s", conf,
	       conf[0] && conf[strlen(conf) - 1] != '\n' ? "\n" : "");
	CHECK(strstr(conf, "nameserver 10.0.2.3") != NULL);
	return check_done();
}
