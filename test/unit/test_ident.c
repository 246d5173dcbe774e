/*
 * test_ident.c - host unit test of the process identity and limits
 * syscalls (src/kernel/proc/sys_ident.c and sys_resource.c, compiled as
 * they are, with the command-line parser for the kernel options).
 *
 * Layer: test/unit (ctest -L unit). Walks one process through Linux's
 * credential rules: kernel options, root setting any id, an unprivileged
 * effective id regaining root from the saved id, capabilities lost for
 * good when no uid 0 is left, then the unprivileged rules of setuid,
 * setreuid, setresuid, setfsuid. Limits: the table's values, lowering,
 * cur > max, raising the hard limit with and without capability, nr_open,
 * unknown resources and pids. sysinfo, getrusage and times against
 * stubbed frame counts and clock. Prints "test_ident: N passed, M failed";
 * exit status 1 on failure.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RUSAGE_THREAD; CMake defines it for the sources */
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <uni/cmdline.h>
#include <uni/ident.h>
#include <uni/syscall.h>
#include "unit.h"

#define NO ((long)(uint32_t)-1)

/* Stubs for what the files use from other subsystems. */
static uint64_t now_ns = 1500000000; /* 1.5 s */
static size_t total_frames = 32768, free_frames = 30000;
static int exit_status;

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* Only the last check reaches it: a bad option ends the test. */
void proc_exit(int status)
{
	exit_status = status;
	CHECK(status == 127);
	printf("test_ident: %d passed, %d failed\n", passed, failed);
	exit(failed ? 1 : 0);
}

uint64_t time_now_ns(void) { return now_ns; }
uint64_t sched_process_cpu_ns(void) { return now_ns; }
uint64_t sched_thread_cpu_ns(void) { return now_ns; }
size_t pmm_total_frames(void) { return total_frames; }
size_t pmm_free_frames(void) { return free_frames; }

struct klimit {
	uint64_t cur, max;
};

struct ids {
	uint32_t r, e, s;
};

static struct ids uids(void)
{
	struct ids i;
	CHECK(sys_getresuid((long)&i.r, (long)&i.e, (long)&i.s, 0, 0, 0) == 0);
	return i;
}

static void configure(char *text)
{
	static char store[512];
	static char *ptrs[64];
	struct cmdline cl;
	const char *err;

	CHECK(cmdline_parse(&cl, store, sizeof(store), ptrs, 64, text, 0, "t",
			    &err) == 0);
	ident_configure(&cl);
}

static void test_creds(void)
{
	struct ids i;

	/* Kernel options first (as start-up runs them). */
	CHECK(sys_getuid(0, 0, 0, 0, 0, 0) == 0);
	CHECK(ident_capable());
	configure("uid=0 gid=50 hostname=node-a");
	CHECK(sys_getgid(0, 0, 0, 0, 0, 0) == 50);
	CHECK(sys_getegid(0, 0, 0, 0, 0, 0) == 50);
	CHECK(ident_cred()->fsgid == 50);
	CHECK(ident_capable());

	/* Root: any gid, all three set. */
	CHECK(sys_setgid(7, 0, 0, 0, 0, 0) == 0);
	CHECK(ident_cred()->rgid == 7 && ident_cred()->sgid == 7);
	CHECK(sys_setgid(NO, 0, 0, 0, 0, 0) == -EINVAL);

	/* Effective uid away from 0 and back via the saved/real 0. */
	CHECK(sys_setresuid(NO, 500, NO, 0, 0, 0) == 0);
	i = uids();
	CHECK(i.r == 0 && i.e == 500 && i.s == 0);
	CHECK(!ident_capable());
	CHECK(ident_cred()->fsuid == 500);
	CHECK(sys_setgid(8, 0, 0, 0, 0, 0) == -EPERM);
	CHECK(sys_sethostname((long)"x", 1, 0, 0, 0, 0) == -EPERM);
	CHECK(sys_setresuid(NO, 0, NO, 0, 0, 0) == 0);
	CHECK(ident_capable());

	/* setfsuid returns the old value either way. */
	CHECK(sys_setfsuid(33, 0, 0, 0, 0, 0) == 0);
	CHECK(sys_setfsuid(NO, 0, 0, 0, 0, 0) == 33);
	CHECK(ident_cred()->fsuid == 33);

	/* setreuid(-1, e) with e != ruid moves the saved id too. */
	CHECK(sys_setreuid(NO, 600, 0, 0, 0, 0) == 0);
	i = uids();
	CHECK(i.r == 0 && i.e == 600 && i.s == 600);
	CHECK(!ident_capable());
	/* Real id 0 is still there: setreuid(-1, 0) is allowed. */
	CHECK(sys_setreuid(NO, 0, 0, 0, 0, 0) == 0);
	CHECK(ident_capable());

	/* Root's setuid sets all three: capabilities gone for good. */
	CHECK(sys_setuid(700, 0, 0, 0, 0, 0) == 0);
	i = uids();
	CHECK(i.r == 700 && i.e == 700 && i.s == 700);
	CHECK(!ident_cred()->caps);
	CHECK(sys_setuid(0, 0, 0, 0, 0, 0) == -EPERM);
	CHECK(sys_setresuid(0, 0, 0, 0, 0, 0) == -EPERM);
	CHECK(sys_setreuid(0, NO, 0, 0, 0, 0) == -EPERM);
	CHECK(sys_setfsuid(0, 0, 0, 0, 0, 0) == 700);
	CHECK(ident_cred()->fsuid == 700); /* unchanged */
	CHECK(sys_setgroups(0, 0, 0, 0, 0, 0) == -EPERM);
	/* Unprivileged: only ids it has. */
	CHECK(sys_setresuid(700, 700, 700, 0, 0, 0) == 0);
	CHECK(sys_setresgid(NO, 7, NO, 0, 0, 0) == 0);
	CHECK(sys_setresgid(NO, 9, NO, 0, 0, 0) == -EPERM);
	CHECK(sys_setregid(7, 7, 0, 0, 0, 0) == 0);
}

static void test_uname(void)
{
	struct {
		char f[6][65];
	} u;

	CHECK(sys_uname((long)&u, 0, 0, 0, 0, 0) == 0);
	CHECK(strcmp(u.f[0], "Linux") == 0);
	CHECK(strcmp(u.f[1], "node-a") == 0);
	CHECK(strcmp(u.f[4], "x86_64") == 0);
	CHECK(strcmp(u.f[5], "(none)") == 0);
}

static void test_limits(void)
{
	struct klimit l, o;

	/* NPROC from RAM as Linux: 128 MiB / 128 KiB / 2. */
	CHECK(sys_getrlimit(RLIMIT_NPROC, (long)&l, 0, 0, 0, 0) == 0);
	CHECK(l.cur == 512 && l.max == 512);
	CHECK(rlimit_cur(RLIMIT_SIGPENDING) == 512);
	CHECK(sys_getrlimit(RLIMIT_STACK, (long)&l, 0, 0, 0, 0) == 0);
	CHECK(l.cur == 1024 * 1024);
	CHECK(rlimit_cur(RLIMIT_NOFILE) == 1024);
	CHECK(rlimit_cur(RLIMIT_DATA) == RLIM_INFINITY);
	CHECK(sys_getrlimit(16, (long)&l, 0, 0, 0, 0) == -EINVAL);

	/* The process is not capable now (test_creds ran first). */
	l.cur = 10;
	l.max = 20;
	CHECK(sys_prlimit64(0, RLIMIT_NOFILE, (long)&l, (long)&o, 0, 0) == 0);
	CHECK(o.cur == 1024 && o.max == 4096);
	CHECK(rlimit_cur(RLIMIT_NOFILE) == 10);
	l.cur = 30;
	CHECK(sys_setrlimit(RLIMIT_NOFILE, (long)&l, 0, 0, 0, 0) == -EINVAL);
	l.cur = 20;
	l.max = 21;
	CHECK(sys_setrlimit(RLIMIT_NOFILE, (long)&l, 0, 0, 0, 0) == -EPERM);
	l.max = 20;
	CHECK(sys_setrlimit(RLIMIT_NOFILE, (long)&l, 0, 0, 0, 0) == 0);
	CHECK(sys_prlimit64(2, RLIMIT_NOFILE, 0, (long)&o, 0, 0) == -ESRCH);
	CHECK(sys_prlimit64(1, RLIMIT_NOFILE, 0, (long)&o, 0, 0) == 0 &&
	      o.cur == 20);
	CHECK(sys_prlimit64(0, 99, 0, (long)&o, 0, 0) == -EINVAL);
}

static void test_usage(void)
{
	struct {
		long uptime;
		unsigned long loads[3], totalram, freeram, sharedram, bufferram,
			totalswap, freeswap;
		uint16_t procs, pad;
		unsigned long totalhigh, freehigh;
		uint32_t mem_unit;
	} si;
	long ru[18];
	long t[4];

	CHECK(sys_sysinfo((long)&si, 0, 0, 0, 0, 0) == 0);
	CHECK(si.uptime == 2); /* 1.5 s rounds up, as Linux */
	CHECK(si.totalram == 32768 && si.freeram == 30000);
	CHECK(si.mem_unit == 4096 && si.procs == 1);

	CHECK(sys_getrusage(RUSAGE_SELF, (long)ru, 0, 0, 0, 0) == 0);
	CHECK(ru[0] == 1 && ru[1] == 500000);   /* utime 1.5 s */
	CHECK(ru[2] == 0 && ru[3] == 0);        /* stime */
	CHECK(ru[4] == (32768 - 30000) * 4);    /* maxrss, KiB */
	CHECK(sys_getrusage(RUSAGE_CHILDREN, (long)ru, 0, 0, 0, 0) == 0 &&
	      ru[0] == 0 && ru[4] == 0);
	CHECK(sys_getrusage(5, (long)ru, 0, 0, 0, 0) == -EINVAL);

	CHECK(sys_times((long)t, 0, 0, 0, 0, 0) == 150);
	CHECK(t[0] == 150 && t[1] == 0 && t[2] == 0 && t[3] == 0);
	CHECK(sys_times(0, 0, 0, 0, 0, 0) == 150);
}

int main(void)
{
	test_creds();
	test_uname();
	test_limits();
	test_usage();
	/* A bad option ends start-up with status 127 (proc_exit exits). */
	configure("uid=12x");
	printf("test_ident: FAIL: a bad uid= did not end start-up (%d)\n",
	       exit_status);
	return 1;
}
