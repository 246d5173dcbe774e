/* identity.c - process identity and limits: ids and the setuid family as
 * Linux treats a root process, uname and the host name, resource limits,
 * sysinfo, getrusage, times, and the calls that need a second process.
 *
 * With no arguments the defaults are checked (uid/gid 0, nodename "uni").
 * "config UID GID HOST" checks the values given as kernel options
 * (uni-run -k uid=UID -k gid=GID -k hostname=HOST). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

#define MAIN_STACK_SIZE (1024 * 1024) /* include/uni/proc.h */

static void check_uname(const char *host)
{
	struct utsname u;
	char name[128];

	CHECK(uname(&u) == 0);
	CHECK(strcmp(u.sysname, "Linux") == 0);
	CHECK(strcmp(u.machine, "x86_64") == 0);
	CHECK(strncmp(u.release, "6.1.0", 5) == 0);
	CHECK(strcmp(u.nodename, host) == 0);
	CHECK(gethostname(name, sizeof(name)) == 0 && strcmp(name, host) == 0);
	printf("uname: %s %s %s %s %s\n", u.sysname, u.nodename, u.release,
	       u.version, u.machine);
}

static void check_config(char **argv)
{
	unsigned uid = (unsigned)atoi(argv[2]), gid = (unsigned)atoi(argv[3]);
	uid_t r, e, s;

	CHECK(getuid() == uid && geteuid() == uid);
	CHECK(getgid() == gid && getegid() == gid);
	CHECK(getauxval(AT_UID) == uid && getauxval(AT_EGID) == gid);
	CHECK(getresuid(&r, &e, &s) == 0 && r == uid && e == uid && s == uid);
	check_uname(argv[4]);
	if (uid != 0) {
		/* Not root: no other ids, no raising limits, no hostname. */
		errno = 0;
		CHECK(setuid(0) == -1 && errno == EPERM);
		CHECK(setuid(uid) == 0);
		errno = 0;
		CHECK(sethostname("x", 1) == -1 && errno == EPERM);
		struct rlimit rl;
		CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
		rl.rlim_max++;
		errno = 0;
		CHECK(setrlimit(RLIMIT_NOFILE, &rl) == -1 && errno == EPERM);
	}
}

static void check_ids(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;

	CHECK(getuid() == 0 && geteuid() == 0);
	CHECK(getgid() == 0 && getegid() == 0);
	CHECK(getauxval(AT_UID) == 0 && getauxval(AT_SECURE) == 0);
	CHECK(getgroups(0, NULL) == 0);
	/* the one process leads its own group and session */
	CHECK(getpgrp() == getpid() && getpgid(0) == getpid() &&
	      getpgid(getpid()) == getpid());
	CHECK(getsid(0) == getpid() && getsid(getpid()) == getpid());
	errno = 0;
	CHECK(getpgid(4242) == -1 && errno == ESRCH);
	errno = 0;
	CHECK(getsid(4242) == -1 && errno == ESRCH);

	/* Root may set any gid; groups too. */
	CHECK(setgid(100) == 0 && getgid() == 100 && getegid() == 100);
	CHECK(getresgid(&gr, &ge, &gs) == 0 && gr == 100 && gs == 100);
	gid_t list[2] = { 5, 6 }, got[4];
	CHECK(setgroups(2, list) == 0);
	CHECK(getgroups(4, got) == 2 && got[0] == 5 && got[1] == 6);
	errno = 0;
	CHECK(getgroups(1, got) == -1 && errno == EINVAL);

	/* Drop the effective uid, keep 0 as real and saved: root again. */
	CHECK(setresuid(-1, 1000, -1) == 0 && geteuid() == 1000);
	CHECK(getresuid(&r, &e, &s) == 0 && r == 0 && e == 1000 && s == 0);
	errno = 0;
	CHECK(setgid(7) == -1 && errno == EPERM); /* not capable now */
	errno = 0;
	CHECK(sethostname("x", 1) == -1 && errno == EPERM);
	CHECK(seteuid(0) == 0 && geteuid() == 0);

	/* setreuid from root: real and effective, saved follows. */
	CHECK(setreuid(1000, 1001) == 0);
	CHECK(getresuid(&r, &e, &s) == 0 && r == 1000 && e == 1001 &&
	      s == 1001);
	/* No uid 0 left: capabilities are gone for good. */
	errno = 0;
	CHECK(setuid(0) == -1 && errno == EPERM);
	errno = 0;
	CHECK(setresuid(0, -1, -1) == -1 && errno == EPERM);
	/* Unprivileged: setuid switches the effective id among its own. */
	CHECK(setuid(1000) == 0 && geteuid() == 1000);
	CHECK(getresuid(&r, &e, &s) == 0 && r == 1000 && s == 1001);
	CHECK(setresuid(-1, 1001, -1) == 0 && geteuid() == 1001);
	errno = 0;
	CHECK(setresuid(-1, 5, -1) == -1 && errno == EPERM);
	errno = 0;
	CHECK(setuid(-1) == -1 && errno == EINVAL);
}

static void check_limits(void)
{
	struct rlimit rl, old;

	CHECK(getrlimit(RLIMIT_STACK, &rl) == 0);
	CHECK(rl.rlim_cur == MAIN_STACK_SIZE);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	CHECK(rl.rlim_cur == 1024 && rl.rlim_max == 4096);
	CHECK(getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur == RLIM_INFINITY);
	CHECK(getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur > 0 &&
	      rl.rlim_cur != RLIM_INFINITY);
	CHECK(getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur == 0);
	errno = 0;
	CHECK(getrlimit(99, &rl) == -1 && errno == EINVAL);

	/* Lowering works; cur above max is EINVAL. */
	CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
	rl.rlim_cur = 256;
	rl.rlim_max = 2048;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 256 &&
	      rl.rlim_max == 2048);
	rl.rlim_cur = 4096;
	errno = 0;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == -1 && errno == EINVAL);
	/* Root may raise the hard limit again, up to nr_open. */
	CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
	rl.rlim_cur = rl.rlim_max = 1 << 21;
	errno = 0;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == -1 && errno == EPERM);
	/* prlimit: old and new at once; other pids do not exist. */
	struct rlimit got;
	rl.rlim_cur = 100;
	rl.rlim_max = 4096;
	CHECK(prlimit(0, RLIMIT_NOFILE, &rl, &got) == 0 && got.rlim_cur == 1024);
	CHECK(prlimit(getpid(), RLIMIT_NOFILE, NULL, &got) == 0 &&
	      got.rlim_cur == 100);
	errno = 0;
	CHECK(prlimit(2, RLIMIT_NOFILE, NULL, &got) == -1 && errno == ESRCH);
	errno = 0;
	CHECK(syscall(SYS_getrlimit, RLIMIT_NOFILE, (void *)8) == -1 &&
	      errno == EFAULT);
}

static void check_usage(void)
{
	struct sysinfo si;
	struct rusage ru;
	struct tms t;

	CHECK(sysinfo(&si) == 0);
	unsigned long long total = (unsigned long long)si.totalram * si.mem_unit;
	unsigned long long avail = (unsigned long long)si.freeram * si.mem_unit;
	printf("sysinfo: total %llu free %llu uptime %lu procs %u\n", total,
	       avail, si.uptime, si.procs);
	CHECK(total > 64ull << 20 && total <= 128ull << 20); /* -m 128 */
	CHECK(avail > 0 && avail < total);
	CHECK(si.procs == 1);
	CHECK(si.uptime >= 1 && si.uptime < 600);
	CHECK(si.totalswap == 0);

	/* Memory use shows in freeram (volatile: the compiler may not drop
	 * an allocation nobody reads). */
	char *volatile p = malloc(8 << 20);
	memset(p, 1, 8 << 20);
	struct sysinfo si2;
	CHECK(sysinfo(&si2) == 0 && si2.freeram < si.freeram);
	printf("sysinfo: free %llu after touching 8 MiB\n",
	       (unsigned long long)si2.freeram * si2.mem_unit);
	free(p);

	CHECK(getrusage(RUSAGE_SELF, &ru) == 0);
	CHECK(ru.ru_utime.tv_sec > 0 || ru.ru_utime.tv_usec > 0);
	CHECK(ru.ru_maxrss > 0);
	CHECK(getrusage(RUSAGE_CHILDREN, &ru) == 0 && ru.ru_utime.tv_sec == 0 &&
	      ru.ru_utime.tv_usec == 0);
	errno = 0;
	CHECK(getrusage(7, &ru) == -1 && errno == EINVAL);

	clock_t c1 = times(&t);
	CHECK(c1 != (clock_t)-1 && t.tms_cutime == 0);
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double start = ts.tv_sec + ts.tv_nsec / 1e9, now;
	do {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = ts.tv_sec + ts.tv_nsec / 1e9;
	} while (now - start < 0.05);
	struct tms t2;
	clock_t c2 = times(&t2);
	CHECK(c2 - c1 >= 4 && c2 - c1 <= 100); /* 50 ms at 100 Hz */
	CHECK(t2.tms_utime >= t.tms_utime);
	CHECK(times(NULL) >= c2);
}

static void check_no_processes(void)
{
	int st;

	errno = 0;
	CHECK(fork() == -1 && errno == ENOSYS);
	errno = 0;
	CHECK(syscall(SYS_vfork) == -1 && errno == ENOSYS);
	char *av[] = { "x", NULL };
	errno = 0;
	CHECK(execve("/bin/sh", av, av + 1) == -1 && errno == ENOSYS);
	errno = 0;
	CHECK(waitpid(-1, &st, 0) == -1 && errno == ECHILD);
	errno = 0;
	CHECK(wait(&st) == -1 && errno == ECHILD);
	errno = 0;
	CHECK(waitpid(-1, &st, 0x100) == -1 && errno == EINVAL);
	siginfo_t si;
	errno = 0;
	CHECK(waitid(P_ALL, 0, &si, WEXITED) == -1 && errno == ECHILD);
	errno = 0;
	CHECK(waitid(P_ALL, 0, &si, 0) == -1 && errno == EINVAL);
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "config") == 0) {
		check_config(argv);
		return check_done();
	}
	check_uname("uni");
	CHECK(sethostname("web1.example", 12) == 0);
	check_uname("web1.example");
	errno = 0;
	CHECK(sethostname("x", 65) == -1 && errno == EINVAL);
	CHECK(setdomainname("example", 7) == 0);
	struct utsname u;
	CHECK(uname(&u) == 0 && strcmp(u.domainname, "example") == 0);
	check_limits();
	check_usage();
	check_no_processes();
	check_ids(); /* last: it gives up root */
	return check_done();
}
