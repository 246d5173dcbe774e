/*
 * net_host.h - the host harness for the IPv4 stack's unit tests and its
 * fuzzer: the hooks glue.c gives in the kernel (timer, configuration
 * events, host name, a seedable random_bytes), a fake Ethernet interface
 * that records what the stack sends, and packet builders.
 */
#ifndef UNI_TEST_NET_HOST_H
#define UNI_TEST_NET_HOST_H

#include <stddef.h>
#include <stdint.h>
#include "../../src/net/net_priv.h"

#define SEC 1000000000ull

extern uint64_t host_timer_deadline;   /* earliest net_timer_arm() since reset */
extern int host_config_events, host_config_ok;
extern struct netif host_eth;           /* "eth0", MAC 52:54:00:12:34:56 */
extern const uint8_t host_peer_mac[6];  /* 52:54:00:aa:bb:cc */

void host_random_seed(uint64_t seed);
/* A fresh stack: lo (index 1) and host_eth (index 2, unconfigured). */
void host_stack_reset(void);
/* Frames host_eth sent, oldest first (taken: the caller frees). */
struct netbuf *host_sent_pop(void);
int host_sent_count(void);
void host_sent_clear(void);

/* Build a frame from the peer to us: Ethernet + IPv4 (+ UDP) headers. */
struct netbuf *host_ip_frame(uint32_t src, uint32_t dst, uint8_t proto,
			     uint16_t id, uint16_t frag, const void *payload,
			     size_t len);
struct netbuf *host_udp_frame(uint32_t src, uint32_t dst, uint16_t sport,
			      uint16_t dport, const void *payload, size_t len);
struct netbuf *host_arp_frame(uint16_t oper, const uint8_t *sha, uint32_t spa,
			      const uint8_t *tha, uint32_t tpa);

#endif
