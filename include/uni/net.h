/*
 * uni/net.h - network buffers, interfaces and the IPv4 stack's entry
 * points: the contract between drivers (src/drivers), the stack (src/net)
 * and the socket layer (src/net/socket*.c, uni/socket.h).
 *
 * Layer: kernel net. The stack is pure C with time passed in (now_ns,
 * monotonic), so that it compiles on the host for unit tests and fuzzing;
 * everything runs with interrupts disabled on one CPU (drivers call
 * net_rx from their interrupt handler or a poll). Ownership rule for
 * netbufs: a function that takes a netbuf and returns 0 took ownership;
 * on an error return the caller still owns it (and frees it).
 * Addresses and ports are in network byte order wherever they are
 * uint32_t/uint16_t fields of packets or sockaddrs; struct netif's
 * addresses too.
 */
#ifndef UNI_NET_H
#define UNI_NET_H

#include <stddef.h>
#include <stdint.h>

/* ---- netbuf --------------------------------------------------------- */

#define NETBUF_HEADROOM 128 /* virtio-net header + Ethernet + IPv4 + UDP/TCP, rounded up */

struct netif;

struct netbuf {
	uint8_t *head;        /* the allocation */
	uint8_t *data;        /* first byte of the packet */
	uint32_t len;         /* bytes from data */
	uint32_t size;        /* bytes from head */
	int refs;
	struct netbuf *next;  /* queue link, for whoever owns the buffer */
	struct netif *dev;    /* received on / to be sent on */
	uint16_t l3, l4;      /* offsets from data of the IP and transport
	                       * headers, set on receive */
};

/* A buffer for `len` bytes of payload with NETBUF_HEADROOM in front;
 * data == head + headroom, len == 0. NULL when memory is out. */
struct netbuf *netbuf_alloc(size_t len);
static inline void netbuf_get(struct netbuf *nb) { nb->refs++; }
void netbuf_put(struct netbuf *nb);        /* frees on the last ref */
/* Make room for a header in front (returns the new data) or NULL if the
 * headroom is gone; drop n bytes of header; add n bytes at the end (the
 * old end) or NULL if the buffer is full. */
uint8_t *netbuf_push(struct netbuf *nb, size_t n);
uint8_t *netbuf_pull(struct netbuf *nb, size_t n);
uint8_t *netbuf_append(struct netbuf *nb, size_t n);
/* Cut to n bytes (n <= len). */
void netbuf_trim(struct netbuf *nb, size_t n);
/* A private copy (for a second receiver that will change it). */
struct netbuf *netbuf_clone(const struct netbuf *nb);

/* ---- interfaces ------------------------------------------------------ */

#define NETIF_NAMESZ 16

struct netif {
	char name[NETIF_NAMESZ]; /* "lo", "eth0" */
	int index;               /* 1 = lo, 2 = eth0, ... */
	unsigned flags;          /* IFF_UP, IFF_RUNNING, IFF_LOOPBACK,
	                          * IFF_BROADCAST, IFF_MULTICAST (net/if.h) */
	uint8_t mac[6];
	uint32_t mtu;            /* IP MTU: 1500 for Ethernet, 65536 for lo */
	uint32_t addr, netmask, gw; /* network order; 0 = not configured */
	uint32_t dns[3];         /* from DHCP or dns=, for resolv.conf */
	/* Driver: send one Ethernet frame (data points at the Ethernet
	 * header; NETBUF_HEADROOM - 14 - 20 - 8 bytes remain in front for
	 * the driver's own header). 0 took it; -errno: the caller frees. */
	int (*xmit)(struct netif *nif, struct netbuf *nb);
	void *drv;               /* the driver's state */
	void *stack;             /* the stack's per-interface state (ARP) */
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes, rx_dropped;
	struct netif *next;
};

/* Add nif to the list (index assigned); the stack starts using it. */
int netif_register(struct netif *nif);
struct netif *netif_first(void);         /* the list, lo first */
struct netif *netif_by_index(int index);
struct netif *netif_by_name(const char *name);

/* ---- the stack's entry points ---------------------------------------- */

/* A frame arrived on nif (Ethernet header at data; for lo an IPv4
 * packet). Always takes ownership. */
void net_rx(struct netif *nif, struct netbuf *nb, uint64_t now_ns);
/* Run the stack's timers (ARP expiry and retries, reassembly timeouts,
 * DHCP renewal); returns the next deadline in ns (0: none). The kernel
 * glue (src/net/glue.c) keeps a struct timer armed for it. */
uint64_t net_timers(uint64_t now_ns);

/* Bring networking up once, on the first socket(AF_INET...) or other
 * first use: probe the drivers linked into the image, configure
 * interfaces (DHCP by default, or ip=/gw=/dns=/netmask= kernel options),
 * write /etc/resolv.conf. Blocks the caller until configured or timed
 * out (then the interface stays down and a line says why). */
void net_init(void);

/* Route: the interface and next hop for dst (network order); NULL if
 * unreachable. */
struct netif *ip_route(uint32_t dst, uint32_t *next_hop);

/* Internet checksum helpers (host unit tests cover odd lengths and
 * unaligned buffers). */
uint32_t inet_csum_add(uint32_t sum, const void *buf, size_t len);
uint16_t inet_csum_fold(uint32_t sum);

/* ---- UDP, for the socket layer ----------------------------------------- */

struct udp_pcb;

/* What a received datagram came with (IP_PKTINFO, IP_TTL/TOS recv). */
struct udp_meta {
	uint32_t src, dst;     /* network order */
	uint16_t sport, dport; /* network order */
	uint8_t ttl, tos;
	int ifindex;
};

/* Called by the stack for each datagram for the pcb: nb's data is the
 * UDP payload (len bytes). Takes ownership. */
typedef void (*udp_recv_fn)(void *ctx, struct netbuf *nb,
			    const struct udp_meta *m);

struct udp_pcb *udp_pcb_new(udp_recv_fn recv, void *ctx);
void udp_pcb_free(struct udp_pcb *pcb);
/* addr/port network order; port 0 picks an ephemeral port. reuse:
 * SO_REUSEADDR|SO_REUSEPORT semantics as Linux for UDP. -EADDRINUSE,
 * -EADDRNOTAVAIL, -EACCES (broadcast without SO_BROADCAST on send). */
#define UDP_REUSEADDR 1
#define UDP_REUSEPORT 2
int udp_pcb_bind(struct udp_pcb *pcb, uint32_t addr, uint16_t port,
		 unsigned reuse);
int udp_pcb_connect(struct udp_pcb *pcb, uint32_t addr, uint16_t port);
void udp_pcb_local(struct udp_pcb *pcb, uint32_t *addr, uint16_t *port);
/* Per-pcb options the socket layer sets. */
struct udp_opts {
	uint8_t ttl, tos, mcast_ttl, mcast_loop;
	int broadcast;
	uint32_t mcast_if;     /* IP_MULTICAST_IF address, 0 = default */
	uint8_t df;            /* set DF: -EMSGSIZE above the interface MTU
	                        * instead of fragments (IP_PMTUDISC_DO, PROBE) */
};
struct udp_opts *udp_pcb_opts(struct udp_pcb *pcb);
/* Send payload (nb data = payload, headroom intact) to dst:dport (or the
 * connected peer when dst == 0 and the pcb is connected). Takes nb on 0.
 * -EMSGSIZE above 65507 bytes, -ENETUNREACH, -EDESTADDRREQ, -EACCES. */
int udp_pcb_send(struct udp_pcb *pcb, struct netbuf *nb, uint32_t dst,
		 uint16_t dport, uint64_t now_ns);
/* An ICMP error for a datagram the pcb sent to its connected peer
 * (port unreachable -> ECONNREFUSED, as Linux reports on the next call). */
typedef void (*udp_err_fn)(void *ctx, int err);
void udp_pcb_on_error(struct udp_pcb *pcb, udp_err_fn fn);
/* Multicast membership on an interface address (0 = default). */
int udp_pcb_join(struct udp_pcb *pcb, uint32_t group, uint32_t ifaddr, int join);

/* ---- drivers, for net_init ---------------------------------------------- */

/* Probe every virtio-net PCI device (src/drivers/virtio/virtio_net.c):
 * each becomes a registered netif "eth0", "eth1", ... Also feeds any
 * virtio-rng device's entropy to the kernel's generator. Returns the
 * number of interfaces; 0 when the machine has none. */
int virtio_net_probe_all(void);
/* Wait (bounded) until the devices have sent what is queued: process
 * exit calls it (weakly) before powering off. */
void virtio_net_flush(void);

#endif
