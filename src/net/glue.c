/*
 * glue.c - the stack in the kernel: net_init() (loopback, driver probe,
 * DHCP or static configuration, /etc/resolv.conf), the kernel timer that
 * runs net_timers(), and the hooks net_priv.h asks of its environment.
 *
 * Layer: kernel net, the only file of the stack that touches the
 * scheduler, the clock and the VFS (host tests replace it). The socket
 * layer calls net_init() on first use of an AF_INET socket or netlink.
 * Kernel options: net=none (no configuration), ip=A.B.C.D[/N], netmask=,
 * gw=, dns=A[,B,C] (static; else DHCP), dhcp_timeout=SECONDS (default 10),
 * uname's nodename (hostname=, or sethostname: sent to the DHCP server,
 * option 12).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <uni/cmdline.h>
#include <uni/ident.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/proc.h>
#include <uni/random.h>
#include <uni/sched.h>
#include <uni/time.h>
#include <uni/vfs.h>
#include <uni/wait.h>
#include "net_priv.h"
#include "tcp_priv.h"

static struct timer net_timer;
static struct waitq cfg_wq = WAITQ_INIT;
static int init_state;     /* 0 not started, 1 in progress, 2 done */

static void net_timer_fn(struct timer *t)
{
	uint64_t now = time_now_ns();
	uint64_t next = net_timers(now);

	(void)t;
	loopback_hold(); /* TCP output: replies over lo after it */
	next = net_min_deadline(next, tcp_timers(now));
	loopback_release();
	net_timer_arm(next);
}

void net_timer_arm(uint64_t deadline_ns)
{
	if (!deadline_ns)
		return;
	if (timer_pending(&net_timer)) {
		if (net_timer.deadline <= deadline_ns)
			return;
		timer_stop(&net_timer);
	}
	net_timer.fn = net_timer_fn;
	timer_start(&net_timer, deadline_ns);
}

/* proc_exit, before the VM powers off: what a Linux process's exit does
 * to its TCP sockets - each is closed, queued data goes before the FIN -
 * and, unlike Linux, the machine then waits (at most NET_EXIT_DRAIN_NS)
 * for the peers to acknowledge it, since nothing would be left to send
 * it afterwards. Interrupts and the stack timer run in the wait; no other
 * thread does (a timer interrupt in the kernel only marks need_resched). */
#define NET_EXIT_DRAIN_NS 3000000000ull

static void drain_deadline(struct timer *t)
{
	(void)t; /* its interrupt ends the last hlt */
}

void net_exit_drain(void)
{
	static struct timer deadline = { .fn = drain_deadline };
	uint64_t end = time_now_ns() + NET_EXIT_DRAIN_NS;

	timer_start(&deadline, end);
	loopback_hold();
	tcp_close_all(time_now_ns());
	loopback_release();
	while (tcp_draining() && time_now_ns() < end)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* What DHCP sends as option 12: uname's nodename as it is now. */
const char *net_hostname(void)
{
	return ident_nodename();
}

static void put_addr(char **p, uint32_t a)
{
	uint32_t h = net32(a);

	for (int i = 3; i >= 0; i--) {
		unsigned v = (h >> (i * 8)) & 255;
		if (v >= 100)
			*(*p)++ = (char)('0' + v / 100);
		if (v >= 10)
			*(*p)++ = (char)('0' + v / 10 % 10);
		*(*p)++ = (char)('0' + v % 10);
		if (i)
			*(*p)++ = '.';
	}
}

static void put_str(char **p, const char *s)
{
	size_t n = strlen(s);

	memcpy(*p, s, n);
	*p += n;
}

/* Replace /etc/resolv.conf with the servers and domain nif learned. */
static void write_resolv_conf(struct netif *nif)
{
	char buf[256], *p = buf;
	struct vnode *dir;
	const char *name;
	size_t len;
	int trailing;

	if (!nif->dns[0])
		return;
	if (cmdline_option(proc_cmdline(), "dns"))
		return; /* dns= wins; etc.c wrote it */
	if (nif_state(nif)->domain[0]) {
		put_str(&p, "search ");
		put_str(&p, nif_state(nif)->domain);
		put_str(&p, "\n");
	}
	for (int i = 0; i < 3 && nif->dns[i]; i++) {
		put_str(&p, "nameserver ");
		put_addr(&p, nif->dns[i]);
		put_str(&p, "\n");
	}
	if (!namei_parent(AT_FDCWD_, "/etc/resolv.conf", &dir, &name, &len,
			  &trailing)) {
		if (dir->ops->unlink)
			dir->ops->unlink(dir, name, len, 0);
		vnode_put(dir);
	}
	if (vfs_write_file("/etc/resolv.conf", 0644, buf, (size_t)(p - buf)))
		kprintf("uni: net: cannot write /etc/resolv.conf\n");
}

void net_config_event(struct netif *nif, int ok)
{
	if (ok && init_state == 2)
		write_resolv_conf(nif); /* a later lease: refresh */
	waitq_wake(&cfg_wq, 0);
}

static struct netif *first_ether(void)
{
	for (struct netif *n = netif_first(); n; n = n->next)
		if (!(n->flags & IFF_LOOPBACK))
			return n;
	return NULL;
}

static int option_addr(const char *key, uint32_t *out)
{
	const char *v = cmdline_option(proc_cmdline(), key);

	if (!v)
		return 0;
	if (ip4_parse_addr(v, NULL, out)) {
		kprintf("uni: net: %s=%s is not an IPv4 address\n", key, v);
		return -EINVAL;
	}
	return 1;
}

/* ip=A.B.C.D[/N] netmask= gw= dns=: 1 configured, 0 not asked, -EINVAL. */
static int static_config(struct netif *nif)
{
	const struct cmdline *c = proc_cmdline();
	const char *ip = cmdline_option(c, "ip"), *dns = cmdline_option(c, "dns");
	uint32_t addr, mask, gw = 0;
	int n = 0;

	if (!ip)
		return 0;
	if (ip4_parse_cidr(ip, &addr, &mask)) {
		kprintf("uni: net: ip=%s is not A.B.C.D[/N]\n", ip);
		return -EINVAL;
	}
	if (option_addr("netmask", &mask) < 0 || option_addr("gw", &gw) < 0)
		return -EINVAL;
	memset(nif->dns, 0, sizeof(nif->dns));
	for (const char *a = dns; a && *a && n < 3;) {
		const char *end = a;
		while (*end && *end != ',')
			end++;
		if (!ip4_parse_addr(a, end, &nif->dns[n]))
			n++;
		a = *end ? end + 1 : end;
	}
	netif_set_addr(nif, addr, mask, gw);
	return 1;
}

void net_init(void)
{
	const struct cmdline *c = proc_cmdline();
	const char *v;
	struct netif *eth;
	uint64_t deadline;
	unsigned secs = 10;

	while (init_state == 1) /* another thread is configuring: wait */
		waitq_block(&cfg_wq, 0, 0);
	if (init_state == 2)
		return;
	init_state = 1;
	random_bytes(&ip4_next_id, sizeof(ip4_next_id));
	if (!loopback_init())
		kprintf("uni: net: no memory for lo\n");
	virtio_net_probe_all(); /* uni/net.h: one netif per virtio-net device */
	eth = first_ether();
	v = cmdline_option(c, "net");
	if (v && !strcmp(v, "none")) {
		eth = NULL;
	} else if (eth && static_config(eth) == 0) {
		if ((v = cmdline_option(c, "dhcp_timeout"))) {
			secs = 0;
			for (; *v >= '0' && *v <= '9' && secs < 3600; v++)
				secs = secs * 10 + (unsigned)(*v - '0');
		}
		for (struct netif *n = eth; n; n = n->next)
			if (!(n->flags & IFF_LOOPBACK))
				dhcp_start(n, time_now_ns());
		deadline = time_now_ns() + (uint64_t)secs * NSEC_PER_SEC;
		/* Frames arrive by interrupt while we sleep here. */
		while (!dhcp_bound(eth) && time_now_ns() < deadline)
			waitq_block(&cfg_wq, 0, deadline);
		if (dhcp_bound(eth))
			write_resolv_conf(eth);
		else
			kprintf("uni: net: no DHCP lease for %s in %u s; it stays "
				"unconfigured (still asking)\n", eth->name, secs);
	}
	init_state = 2;
	waitq_wake(&cfg_wq, 0);
}
