/*
 * linux-init.c - /init of the Linux-guest initramfs that bench/core builds.
 *
 * Layer: benchmark program (Linux guest only; linked statically with
 * musl-gcc). It is what the uni side gets from uni-run for free: run one
 * program, report how it ended, power the machine off. Keeping this out of
 * the benchmark program keeps that program identical for both kernels.
 *
 *   /init [ARGS...]   (the kernel passes the words after "--" on its
 *                      command line)
 *
 * Mounts /proc and /sys; waits (at most 5 s) until the kernel has switched
 * from the tsc-early clock source to tsc, which a delayed work item does
 * about 1 s after the TSC was registered: otherwise that switch lands in
 * the middle of the first measurement, and the measurements would be of a
 * kernel still finishing its boot. Prints the clock source (what the
 * guest's CLOCK_MONOTONIC uses), runs /prog ARGS... with the console as stdio,
 * waits for it, prints "init: exit N" (or "init: signal N"), and powers
 * off with reboot(RB_POWER_OFF); with QEMU's -no-reboot that ends QEMU.
 *
 * Network (bench/udp): when the initramfs has /modules/order, the modules
 * named there (/modules/NAME, in that order) are loaded first: the cloud
 * kernel builds virtio-net as modules. When the kernel command line has
 * initnet=A.B.C.D/PREFIX (an unknown parameter, which the kernel puts
 * into /init's environment), lo and eth0 are brought up and eth0 gets
 * that address: what uni's DHCP client gets from QEMU's user network
 * (10.0.2.15/24), set statically so that no DHCP client runs in Linux.
 *
 * Boot time (bench/footprint): with initquick=1 on the kernel command line
 * (also put into the environment), /init neither waits for the clock
 * source nor prints it, and loads the modules only when initnet is given:
 * the program starts as soon as a minimal init could start it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CLOCKSOURCE "/sys/devices/system/clocksource/clocksource0/" \
		    "current_clocksource"

/* The first line of PATH into BUF, "" when it cannot be read. */
static const char *read_line(const char *path, char *buf, size_t size)
{
	buf[0] = 0;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return buf;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/* Load the modules /modules/order names, in order. */
static void load_modules(void)
{
	FILE *f = fopen("/modules/order", "r");
	char name[128], path[160];
	if (!f)
		return;
	while (fscanf(f, "%127s", name) == 1) {
		snprintf(path, sizeof path, "/modules/%s", name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) < 0)
			printf("init: loading %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	fclose(f);
}

/* Bring NAME up, with ADDR/PREFIX when ADDR is given. */
static int if_up(int s, const char *name, const char *addr, int prefix)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (addr) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
		sin->sin_family = AF_INET;
		if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1 ||
		    ioctl(s, SIOCSIFADDR, &ifr) < 0)
			return -1;
		sin->sin_addr.s_addr = htonl(prefix ? ~0u << (32 - prefix) : 0);
		if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0)
			return -1;
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ioctl(s, SIOCSIFFLAGS, &ifr);
}

/* initnet=A.B.C.D/PREFIX: lo up, eth0 up with that address (waiting up
 * to 2 s for eth0 to appear). */
static void setup_network(void)
{
	const char *v = getenv("initnet");
	char addr[32];
	int prefix = 24;
	if (!v)
		return;
	snprintf(addr, sizeof addr, "%s", v);
	char *slash = strchr(addr, '/');
	if (slash) {
		*slash = 0;
		prefix = atoi(slash + 1);
	}
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || if_up(s, "lo", "127.0.0.1", 8) < 0)
		printf("init: lo: %s\n", strerror(errno));
	struct timespec tick = {0, 50000000};
	int r = -1;
	for (int i = 0; i < 40 && (r = if_up(s, "eth0", addr, prefix)) < 0 &&
			errno == ENODEV; i++)
		nanosleep(&tick, NULL);
	if (r < 0)
		printf("init: eth0 %s/%d: %s\n", addr, prefix, strerror(errno));
	else
		printf("init: eth0 %s/%d up\n", addr, prefix);
	if (s >= 0)
		close(s);
}

int main(int argc, char **argv)
{
	(void)argc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);

	char buf[256];
	struct timespec tick = {0, 50000000};
	int quick = getenv("initquick") != NULL;
	for (int i = 0; i < 100 && !quick; i++) {
		if (!strcmp(read_line(CLOCKSOURCE, buf, sizeof buf), "tsc"))
			break;
		nanosleep(&tick, NULL);
	}
	if (!quick) {
		printf("init: clocksource %s\n",
		       read_line(CLOCKSOURCE, buf, sizeof buf));
		printf("init: cpus online %s\n",
		       read_line("/sys/devices/system/cpu/online", buf,
				 sizeof buf));
	}
	if (!quick || getenv("initnet"))
		load_modules();
	setup_network();

	pid_t pid = fork();
	if (pid == 0) {
		argv[0] = "/prog";
		execv("/prog", argv);
		perror("init: execv /prog");
		_exit(127);
	}
	int status = 0;
	if (pid < 0)
		perror("init: fork");
	else
		while (waitpid(pid, &status, 0) < 0)
			;
	if (WIFEXITED(status))
		printf("init: exit %d\n", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("init: signal %d\n", WTERMSIG(status));
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
