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
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
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
	for (int i = 0; i < 100; i++) {
		if (!strcmp(read_line(CLOCKSOURCE, buf, sizeof buf), "tsc"))
			break;
		nanosleep(&tick, NULL);
	}
	printf("init: clocksource %s\n", read_line(CLOCKSOURCE, buf, sizeof buf));
	printf("init: cpus online %s\n",
	       read_line("/sys/devices/system/cpu/online", buf, sizeof buf));

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
