/*
 * etc.c - the /etc files a program's C library reads, made at boot from
 * the image's configuration unless the embedded tree has them.
 *
 * Layer: kernel fs, called once by fs_populate() (initfs.c) after the
 * archive is unpacked: a file the tree provides is never touched. With
 * these, musl's getpwuid(0), getgrgid(0), gethostname,
 * getaddrinfo("localhost", "http") and getservbyname work:
 *   hostname     hostname= from the kernel command line, else "uni" (the
 *                same option and default sys_ident.c gives uname)
 *   hosts        localhost for IPv4 and IPv6, the host name as Debian
 *                writes it (127.0.1.1)
 *   resolv.conf  one nameserver line per address of dns=A[,B...], else
 *                empty (the network brings its own)
 *   passwd/group root and nobody/nogroup, as Debian's base system
 *   services, protocols  the common entries of Debian's netbase
 */
#include <string.h>
#include <sys/stat.h>
#include <uni/cmdline.h>
#include <uni/proc.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/vfs.h>
#include "image_priv.h"

static const char passwd[] =
	"root:x:0:0:root:/root:/bin/sh\n"
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";

static const char group[] =
	"root:x:0:\n"
	"nogroup:x:65534:\n";

static const char protocols[] =
	"ip\t0\tIP\n"
	"icmp\t1\tICMP\n"
	"igmp\t2\tIGMP\n"
	"tcp\t6\tTCP\n"
	"udp\t17\tUDP\n"
	"ipv6\t41\tIPv6\n"
	"ipv6-route\t43\tIPv6-Route\n"
	"ipv6-frag\t44\tIPv6-Frag\n"
	"gre\t47\tGRE\n"
	"esp\t50\tIPSEC-ESP\n"
	"ah\t51\tIPSEC-AH\n"
	"ipv6-icmp\t58\tIPv6-ICMP icmpv6\n"
	"ipv6-nonxt\t59\tIPv6-NoNxt\n"
	"ipv6-opts\t60\tIPv6-Opts\n"
	"sctp\t132\tSCTP\n"
	"udplite\t136\tUDPLite\n";

/* name port/proto-list [aliases]; each name gets a tcp and a udp line
 * unless the proto says otherwise ("t" tcp only, "u" udp only). */
static const char services[] =
	"echo 7 b\0discard 9 b sink null\0daytime 13 b\0chargen 19 b ttytst source\0"
	"ftp-data 20 t\0ftp 21 t\0ssh 22 t\0telnet 23 t\0smtp 25 t mail\0"
	"time 37 b timserver\0whois 43 t nicname\0tacacs 49 b\0"
	"domain 53 b\0bootps 67 u\0bootpc 68 u\0tftp 69 u\0gopher 70 t\0"
	"finger 79 t\0http 80 t www\0kerberos 88 b kerberos5 krb5\0"
	"pop3 110 t pop-3\0sunrpc 111 b portmapper\0auth 113 t ident tap\0"
	"nntp 119 t readnews untp\0ntp 123 u\0netbios-ns 137 u\0"
	"netbios-dgm 138 u\0netbios-ssn 139 t\0imap2 143 t imap\0snmp 161 u\0"
	"snmp-trap 162 u snmptrap\0bgp 179 t\0irc 194 t\0ldap 389 t\0"
	"https 443 b\0microsoft-ds 445 t\0syslog 514 u\0printer 515 t spooler\0"
	"submission 587 t\0ldaps 636 t\0rsync 873 t\0imaps 993 t\0"
	"pop3s 995 t\0socks 1080 t\0openvpn 1194 b\0mysql 3306 t\0"
	"postgresql 5432 t\0redis 6379 t\0http-alt 8080 t webcache\0"
	"memcache 11211 b\0";

static void puts_(struct text *t, const char *s)
{
	text_put(t, s, strlen(s));
}

static void write_etc(const char *path, const char *data, size_t len)
{
	if (vfs_exists(path))
		return;
	vfs_write_file(path, 0644, data, len);
	image_chmod(path, 0644);
}

static void make_services(struct text *t)
{
	for (const char *s = services; *s; s += strlen(s) + 1) {
		/* name, port, protocols, aliases: four fields split at spaces */
		const char *f[4] = { s, NULL, NULL, "" };
		size_t l[4] = { 0, 0, 0, 0 };
		int k = 0;

		for (const char *c = s;; c++) {
			if (*c == ' ' && k < 3) {
				l[k] = (size_t)(c - f[k]);
				f[++k] = c + 1;
			} else if (!*c) {
				l[k] = (size_t)(c - f[k]);
				break;
			}
		}
		for (int proto = 0; proto < 2; proto++) {
			if (f[2][0] == (proto ? 't' : 'u'))
				continue;
			text_put(t, f[0], l[0]);
			text_put(t, "\t\t", 2);
			text_put(t, f[1], l[1]);
			puts_(t, proto ? "/udp" : "/tcp");
			if (l[3]) {
				text_put(t, "\t\t", 2);
				text_put(t, f[3], l[3]);
			}
			text_put(t, "\n", 1);
		}
	}
}

void etc_populate(void)
{
	const struct cmdline *c = proc_cmdline();
	const char *host = "uni", *dns = cmdline_option(c, "dns"), *a;
	struct text t;

	text_init(&t, 256);
	if ((a = cmdline_option(c, "hostname")) && *a)
		host = a;

	write_etc("/etc/passwd", passwd, sizeof(passwd) - 1);
	write_etc("/etc/group", group, sizeof(group) - 1);
	write_etc("/etc/protocols", protocols, sizeof(protocols) - 1);

	puts_(&t, host);
	puts_(&t, "\n");
	if (t.p)
		write_etc("/etc/hostname", t.p, t.len);

	t.len = 0;
	puts_(&t, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	if (strcmp(host, "localhost")) {
		puts_(&t, "127.0.1.1\t");
		puts_(&t, host);
		puts_(&t, "\n");
	}
	if (t.p)
		write_etc("/etc/hosts", t.p, t.len);

	t.len = 0;
	for (a = dns; a && *a;) {
		const char *end = a;
		while (*end && *end != ',')
			end++;
		if (end > a) {
			puts_(&t, "nameserver ");
			text_put(&t, a, (size_t)(end - a));
			puts_(&t, "\n");
		}
		a = *end ? end + 1 : end;
	}
	if (t.p)
		write_etc("/etc/resolv.conf", t.p, t.len);

	t.len = 0;
	make_services(&t);
	if (t.p)
		write_etc("/etc/services", t.p, t.len);

	kfree(t.p);
	if (!vfs_exists("/root")) {
		vfs_mkdir_p("/root", 0700);
		image_chmod("/root", 0700);
	}
}
