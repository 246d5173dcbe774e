/*
 * net/nl_prot.h - the netlink and rtnetlink wire format (Linux uapi
 * linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h),
 * restated here because the kernel compiles against musl's headers only.
 * Names and values are Linux's. Used by af_netlink.c.
 */
#ifndef UNI_NET_NL_PROT_H
#define UNI_NET_NL_PROT_H

#include <stdint.h>
#include <sys/socket.h>

#define NETLINK_ROUTE 0

struct sockaddr_nl {
	sa_family_t nl_family; /* AF_NETLINK */
	unsigned short nl_pad;
	uint32_t nl_pid;
	uint32_t nl_groups;
};

struct nlmsghdr {
	uint32_t nlmsg_len;
	uint16_t nlmsg_type;
	uint16_t nlmsg_flags;
	uint32_t nlmsg_seq;
	uint32_t nlmsg_pid;
};

struct nlmsgerr {
	int error;
	struct nlmsghdr msg;
};

#define NLM_F_REQUEST 0x01
#define NLM_F_MULTI 0x02
#define NLM_F_ACK 0x04
#define NLM_F_ROOT 0x100
#define NLM_F_MATCH 0x200
#define NLM_F_DUMP (NLM_F_ROOT | NLM_F_MATCH)

#define NLMSG_NOOP 0x1
#define NLMSG_ERROR 0x2
#define NLMSG_DONE 0x3
#define NLMSG_MIN_TYPE 0x10

#define NLMSG_ALIGNTO 4U
#define NLMSG_ALIGN(len) (((len) + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1))
#define NLMSG_HDRLEN ((int)NLMSG_ALIGN(sizeof(struct nlmsghdr)))
#define NLMSG_LENGTH(len) ((len) + NLMSG_HDRLEN)
#define NLMSG_DATA(nlh) ((void *)(((char *)(nlh)) + NLMSG_HDRLEN))

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#define NETLINK_CAP_ACK 10
#define NETLINK_EXT_ACK 11
#define NETLINK_GET_STRICT_CHK 12

/* rtnetlink */
#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_NEWADDR 20
#define RTM_GETADDR 22

struct rtattr {
	unsigned short rta_len;
	unsigned short rta_type;
};

#define RTA_ALIGNTO 4U
#define RTA_ALIGN(len) (((len) + RTA_ALIGNTO - 1) & ~(RTA_ALIGNTO - 1))
#define RTA_OK(rta, len) \
	((len) >= (int)sizeof(struct rtattr) && \
	 (rta)->rta_len >= sizeof(struct rtattr) && (rta)->rta_len <= (len))
#define RTA_NEXT(rta, attrlen) \
	((attrlen) -= RTA_ALIGN((rta)->rta_len), \
	 (struct rtattr *)(((char *)(rta)) + RTA_ALIGN((rta)->rta_len)))
#define RTA_LENGTH(len) (RTA_ALIGN(sizeof(struct rtattr)) + (len))
#define RTA_SPACE(len) RTA_ALIGN(RTA_LENGTH(len))
#define RTA_DATA(rta) ((void *)(((char *)(rta)) + RTA_LENGTH(0)))
#define RTA_PAYLOAD(rta) ((int)((rta)->rta_len) - RTA_LENGTH(0))

struct ifinfomsg {
	unsigned char ifi_family;
	unsigned char __ifi_pad;
	unsigned short ifi_type;
	int ifi_index;
	unsigned ifi_flags;
	unsigned ifi_change;
};

#define IFLA_ADDRESS 1
#define IFLA_BROADCAST 2
#define IFLA_IFNAME 3
#define IFLA_MTU 4
#define IFLA_STATS 7
#define IFLA_TXQLEN 13
#define IFLA_OPERSTATE 16

#define IF_OPER_DOWN 2
#define IF_OPER_UP 6

struct rtnl_link_stats {
	uint32_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint32_t rx_errors, tx_errors, rx_dropped, tx_dropped;
	uint32_t multicast, collisions;
	uint32_t rx_length_errors, rx_over_errors, rx_crc_errors;
	uint32_t rx_frame_errors, rx_fifo_errors, rx_missed_errors;
	uint32_t tx_aborted_errors, tx_carrier_errors, tx_fifo_errors;
	uint32_t tx_heartbeat_errors, tx_window_errors;
	uint32_t rx_compressed, tx_compressed, rx_nohandler;
};

struct ifaddrmsg {
	uint8_t ifa_family;
	uint8_t ifa_prefixlen;
	uint8_t ifa_flags;
	uint8_t ifa_scope;
	uint32_t ifa_index;
};

#define IFA_ADDRESS 1
#define IFA_LOCAL 2
#define IFA_LABEL 3
#define IFA_BROADCAST 4
#define IFA_FLAGS 8
#define IFA_F_PERMANENT 0x80

#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_HOST 254

#ifndef IFF_LOWER_UP /* glibc's net/if.h, for the host unit test */
#define IFF_LOWER_UP 0x10000
#endif

#ifndef ARPHRD_ETHER
#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772
#endif

#endif
