/*
 * net_priv.h - the IPv4 stack's internals: wire formats, per-interface
 * state, the calls between its layers and the hooks the environment
 * provides.
 *
 * Layer: kernel net, private to src/net/{netbuf,netif,checksum,eth,arp,
 * ip4,icmp,udp,dhcp,loopback,glue}.c and the host tests that compile
 * them. Everything but glue.c is pure C with time passed in; glue.c (the
 * kernel) or the test harness (host) implements the hooks at the end.
 * Ownership inside the stack: *_input functions always consume their
 * netbuf; *_output functions consume it on 0 and leave it to the caller
 * on -errno, as uni/net.h's rule says.
 */
#ifndef UNI_NET_PRIV_H
#define UNI_NET_PRIV_H

#include <net/if.h>
#include <stdint.h>
#include <uni/net.h>

/* ---- wire formats (network byte order, packed) ------------------------ */

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806

struct eth_hdr {
	uint8_t dst[6], src[6];
	uint16_t type;
} __attribute__((packed));

struct arp_pkt {          /* RFC 826, Ethernet + IPv4 */
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t oper;
	uint8_t sha[6];
	uint32_t spa;
	uint8_t tha[6];
	uint32_t tpa;
} __attribute__((packed));

struct ip4_hdr {          /* RFC 791 §3.1 */
	uint8_t vihl, tos;
	uint16_t tot_len, id, frag_off;
	uint8_t ttl, proto;
	uint16_t check;
	uint32_t saddr, daddr;
} __attribute__((packed));
#define IP_RF 0x8000
#define IP_DF 0x4000
#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff
#define IPPROTO_ICMP_ 1
#define IPPROTO_UDP_ 17

struct udp_hdr {          /* RFC 768 */
	uint16_t source, dest, len, check;
} __attribute__((packed));

struct icmp_hdr {         /* RFC 792 */
	uint8_t type, code;
	uint16_t check;
	uint32_t un;              /* echo: id and sequence; errors: unused */
} __attribute__((packed));
#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_PROT_UNREACH 2
#define ICMP_PORT_UNREACH 3
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11

/* Byte order without libc (the host tests have it, the kernel too, but
 * this keeps both identical). */
static inline uint16_t net16(uint16_t x) { return __builtin_bswap16(x); }
static inline uint32_t net32(uint32_t x) { return __builtin_bswap32(x); }
#define IP4(a, b, c, d) net32(((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

static inline int ip4_is_multicast(uint32_t a) { return (net32(a) >> 28) == 14; }
static inline int ip4_is_loopback(uint32_t a) { return (net32(a) >> 24) == 127; }
#define IP4_BROADCAST 0xffffffffu

/* ---- per-interface state (nif->stack) ---------------------------------- */

#define ARP_ENTRIES 32
#define ARP_QUEUE_MAX 3           /* packets waiting per unresolved entry */
#define ARP_REACHABLE_NS (60ull * 1000000000)
#define ARP_RETRY_NS (1000000000ull)
#define ARP_RETRIES 3

enum { ARP_FREE, ARP_INCOMPLETE, ARP_REACHABLE, ARP_PROBE };

struct arp_entry {
	uint32_t ip;
	uint8_t mac[6];
	uint8_t state, tries;
	uint64_t deadline;        /* INCOMPLETE/PROBE: next retry; REACHABLE: expiry */
	uint64_t used;            /* last use, for replacement */
	struct netbuf *queue;     /* INCOMPLETE: packets to send (IPv4), oldest first */
	int queued;
};

#define NET_MCAST_MAX 20

struct dhcp_state;

struct net_ifstate {
	struct arp_entry arp[ARP_ENTRIES];
	struct { uint32_t group; int refs; } mcast[NET_MCAST_MAX];
	struct dhcp_state *dhcp;
	char domain[64];          /* DHCP option 15, for resolv.conf's search */
};

static inline struct net_ifstate *nif_state(struct netif *nif)
{
	return nif->stack;
}

/* ---- between the layers ---------------------------------------------- */

/* netif.c */
extern struct netif *net_loopback;
int netif_is_local(uint32_t addr);        /* one of our addresses (or 127/8) */
struct netif *netif_by_addr(uint32_t addr);
int netif_mcast_joined(struct netif *nif, uint32_t group);
int netif_mcast_change(struct netif *nif, uint32_t group, int join);
void netif_unregister_all(void);           /* host tests: start afresh */

/* eth.c: frame in; frame out to a MAC (consumes). */
void eth_input(struct netif *nif, struct netbuf *nb, uint64_t now_ns);
int eth_output(struct netif *nif, struct netbuf *nb, const uint8_t *dst,
	       uint16_t type);

/* arp.c */
void arp_input(struct netif *nif, struct netbuf *nb, uint64_t now_ns);
/* Send an IPv4 packet to next_hop on nif: at once, or queued until
 * resolved. Always consumes. */
void arp_output(struct netif *nif, struct netbuf *nb, uint32_t next_hop,
		uint64_t now_ns);
void arp_announce(struct netif *nif);      /* gratuitous ARP */
uint64_t arp_timers(struct netif *nif, uint64_t now_ns);
void arp_flush(struct netif *nif);         /* drop every entry (and queue) */
/* For tests: the cached MAC of ip (1) or not (0). */
int arp_lookup(struct netif *nif, uint32_t ip, uint8_t mac[6]);

/* ip4.c */
void ip4_input(struct netif *nif, struct netbuf *nb, uint64_t now_ns);
/* Wrap the payload at nb->data in an IPv4 header and send it (fragments
 * when larger than the MTU and df is 0). src 0: the route's address.
 * 0 took nb; -errno: the caller still owns it. */
struct ip4_out {
	uint32_t src, dst;
	uint8_t proto, ttl, tos, df;
	uint8_t loop;             /* multicast/broadcast: deliver a copy here too */
	struct netif *nif;        /* force this interface (DHCP, multicast) */
	uint32_t next_hop;        /* with nif: the next hop (0: dst) */
};
int ip4_output(struct netbuf *nb, const struct ip4_out *o, uint64_t now_ns);
uint64_t ip4_reass_timers(uint64_t now_ns);
size_t ip4_reass_mem(void);                /* bytes held, for tests */
void ip4_reass_flush(void);
#define IP4_REASS_MAX_MEM (256 * 1024)
#define IP4_REASS_TIMEOUT_NS (30ull * 1000000000)
extern uint16_t ip4_next_id;

/* icmp.c */
void icmp_input(struct netif *nif, struct netbuf *nb, uint64_t now_ns);
/* An error about the packet nb (IP header at data, still owned by the
 * caller), rate limited. */
void icmp_send_error(struct netif *nif, const struct netbuf *nb, uint8_t type,
		     uint8_t code, uint64_t now_ns);
#define ICMP_RATE_PER_SEC 100

/* udp.c */
void udp_input(struct netif *nif, struct netbuf *nb, uint64_t now_ns);
/* ICMP said the datagram with this IP header (+8 bytes) failed. */
void udp_icmp_error(const uint8_t *inner, size_t len, int err);
void udp_reset_all(void);                  /* host tests */

/* dhcp.c */
#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
struct dhcp_msg {         /* what dhcp_parse found */
	uint8_t type;             /* option 53, 0 if absent */
	uint32_t yiaddr, server, netmask, router, dns[3];
	int ndns;
	uint32_t lease, t1, t2;   /* seconds; 0 if absent */
	char domain[64];
};
/* Parse a BOOTREPLY for xid and chaddr mac: 0 or -EINVAL. */
int dhcp_parse(const uint8_t *p, size_t len, uint32_t xid, const uint8_t mac[6],
	       struct dhcp_msg *m);
int dhcp_start(struct netif *nif, uint64_t now_ns);
void dhcp_stop(struct netif *nif);
/* 1 if it was DHCP's (consumed), 0 if not ours (not consumed). */
int dhcp_input(struct netif *nif, struct netbuf *nb, const struct ip4_hdr *ih,
	       uint64_t now_ns);
uint64_t dhcp_timers(struct netif *nif, uint64_t now_ns);
int dhcp_bound(struct netif *nif);

/* loopback.c */
struct netif *loopback_init(void);
extern uint64_t loopback_now_ns;     /* set by ip4.c before handing lo a packet */
/* Hold lo's deliveries (queue them) until the matching release, which
 * delivers the queue: TCP sends from a user call or a timer under a hold
 * so a reply never re-enters a pcb in the middle of its own output. */
void loopback_hold(void);
void loopback_release(void);

/* Static configuration: parse "A.B.C.D" / "A.B.C.D/N" (0 or -EINVAL). */
int ip4_parse_addr(const char *s, const char *end, uint32_t *addr);
int ip4_parse_cidr(const char *s, uint32_t *addr, uint32_t *mask);
/* Configure nif (and announce it); addr 0 unconfigures. */
void netif_set_addr(struct netif *nif, uint32_t addr, uint32_t mask, uint32_t gw);

/* timers helper */
static inline uint64_t net_min_deadline(uint64_t a, uint64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

/* ---- hooks: glue.c in the kernel, the test harness on the host -------- */

/* Ask for net_timers() to run no later than deadline_ns. */
void net_timer_arm(uint64_t deadline_ns);
/* DHCP bound (ok 1) or gave up / lost its lease (ok 0). */
void net_config_event(struct netif *nif, int ok);
/* uname's nodename, for DHCP option 12. */
const char *net_hostname(void);
/* random_bytes() from uni/random.h is used directly (tests define it). */

#endif
