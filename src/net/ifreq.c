/*
 * ifreq.c - the interface ioctls on any socket: SIOCGIFCONF and the
 * SIOCGIF* queries (address, flags, index, name, hardware address,
 * netmask, broadcast address, MTU, metric, queue length). Setting
 * interface parameters is not supported (-EOPNOTSUPP): the interfaces
 * are configured at start-up (DHCP or the ip= options).
 *
 * Layer: kernel net, called by socket.c's ioctl for every family (musl's
 * if_nametoindex asks an AF_UNIX socket), over the interface list
 * (uni/net.h).
 */
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <uni/kernel.h>
#include <uni/net.h>
#include <uni/uaccess.h>
#include "sock_priv.h"

static void put_in(struct sockaddr *sa, uint32_t addr)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_addr.s_addr = addr;
	memcpy(sa, &sin, sizeof(sin));
}

static long ifconf(void *uarg)
{
	struct ifconf ic;
	struct netif *nif;
	int len = 0;

	if (copy_from_user(&ic, uarg, sizeof(ic)))
		return -EFAULT;
	/* Linux lists the interfaces that have an IPv4 address. */
	for (nif = netif_first(); nif; nif = nif->next) {
		struct ifreq ifr;

		if (!nif->addr)
			continue;
		if (ic.ifc_buf) {
			if (ic.ifc_len - len < (int)sizeof(ifr))
				break;
			memset(&ifr, 0, sizeof(ifr));
			memcpy(ifr.ifr_name, nif->name, IFNAMSIZ - 1);
			put_in(&ifr.ifr_addr, nif->addr);
			if (copy_to_user(ic.ifc_buf + len, &ifr, sizeof(ifr)))
				return -EFAULT;
		}
		len += (int)sizeof(ifr);
	}
	ic.ifc_len = len;
	return copy_to_user(uarg, &ic, sizeof(ic));
}

long ifreq_ioctl(unsigned long req, void *uarg)
{
	struct ifreq ifr;
	struct netif *nif;

	switch (req) {
	case SIOCGIFCONF:
		net_init();
		return ifconf(uarg);
	case SIOCGIFNAME:
	case SIOCGIFADDR:
	case SIOCGIFFLAGS:
	case SIOCGIFINDEX:
	case SIOCGIFHWADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
	case SIOCGIFDSTADDR:
	case SIOCGIFMTU:
	case SIOCGIFMETRIC:
	case SIOCGIFTXQLEN:
		break;
	case SIOCSIFNAME:
	case SIOCSIFADDR:
	case SIOCSIFFLAGS:
	case SIOCSIFHWADDR:
	case SIOCSIFNETMASK:
	case SIOCSIFBRDADDR:
	case SIOCSIFDSTADDR:
	case SIOCSIFMTU:
	case SIOCSIFMETRIC:
	case SIOCSIFTXQLEN:
		return -EOPNOTSUPP;
	default:
		return -ENOTTY;
	}
	net_init();
	if (copy_from_user(&ifr, uarg, sizeof(ifr)))
		return -EFAULT;
	if (req == SIOCGIFNAME) {
		nif = netif_by_index(ifr.ifr_ifindex);
		if (!nif)
			return -ENODEV;
		memset(ifr.ifr_name, 0, IFNAMSIZ);
		memcpy(ifr.ifr_name, nif->name, IFNAMSIZ - 1);
		return copy_to_user(uarg, &ifr, sizeof(ifr));
	}
	ifr.ifr_name[IFNAMSIZ - 1] = 0;
	nif = netif_by_name(ifr.ifr_name);
	if (!nif)
		return -ENODEV;
	switch (req) {
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
	case SIOCGIFDSTADDR:
		if (!nif->addr)
			return -EADDRNOTAVAIL;
		memset(&ifr.ifr_addr, 0, sizeof(ifr.ifr_addr));
		if (req == SIOCGIFADDR)
			put_in(&ifr.ifr_addr, nif->addr);
		else if (req == SIOCGIFNETMASK)
			put_in(&ifr.ifr_netmask, nif->netmask);
		else if (req == SIOCGIFBRDADDR)
			/* Linux: lo has none (0.0.0.0) */
			put_in(&ifr.ifr_broadaddr,
			       (nif->flags & IFF_BROADCAST)
				       ? (nif->addr | ~nif->netmask) : 0);
		else
			/* the peer of a point-to-point link; ours are
			 * not, and Linux answers with the local address */
			put_in(&ifr.ifr_dstaddr, nif->addr);
		break;
	case SIOCGIFFLAGS:
		ifr.ifr_flags = (short)nif->flags;
		break;
	case SIOCGIFINDEX:
		ifr.ifr_ifindex = nif->index;
		break;
	case SIOCGIFHWADDR:
		memset(&ifr.ifr_hwaddr, 0, sizeof(ifr.ifr_hwaddr));
		ifr.ifr_hwaddr.sa_family = (nif->flags & IFF_LOOPBACK)
						   ? ARPHRD_LOOPBACK
						   : ARPHRD_ETHER;
		if (!(nif->flags & IFF_LOOPBACK))
			memcpy(ifr.ifr_hwaddr.sa_data, nif->mac, 6);
		break;
	case SIOCGIFMTU:
		ifr.ifr_mtu = (int)nif->mtu;
		break;
	case SIOCGIFMETRIC:
		ifr.ifr_metric = 0; /* Linux keeps 0 */
		break;
	case SIOCGIFTXQLEN:
		ifr.ifr_qlen = 1000;
		break;
	}
	return copy_to_user(uarg, &ifr, sizeof(ifr));
}
