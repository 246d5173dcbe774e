/*
 * config-site-facts.c - the run-time facts behind toolchain/config.site,
 * measured inside a uni image (test/apps/make/check-config-site boots it
 * and compares every `ac_cv_...=VALUE` line of config.site with the line
 * this program prints). Each check is the substance of the autoconf (2.69
 * to 2.72) run-test that sets the variable; a check added here and not
 * answered in config.site is printed too, and fails the comparison only if
 * config.site claims it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

static void fact(const char *name, int yes)
{
	printf("%s=%s\n", name, yes ? "yes" : "no");
}

/* AC_FUNC_MMAP: a MAP_SHARED page past a 1-byte file's end reads zeros;
 * MAP_PRIVATE|MAP_FIXED over existing memory shows the file's data, and
 * writes to it do not reach the file. */
static int mmap_fixed_mapped(void)
{
	int pagesize = getpagesize(), i, fd;
	char *data = malloc(pagesize), *data3 = malloc(pagesize), *data2;

	for (i = 0; i < pagesize; i++)
		data[i] = (char)rand();
	umask(0);
	fd = creat("/tmp/conftest.mmap", 0600);
	if (fd < 0 || write(fd, data, pagesize) != pagesize)
		return 0;
	close(fd);
	fd = open("/tmp/conftest.txt", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "", 1) != 1)
		return 0;
	data2 = mmap(0, pagesize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (data2 == MAP_FAILED)
		return 0;
	for (i = 0; i < pagesize; i++)
		if (data2[i])
			return 0;
	close(fd);
	if (munmap(data2, pagesize))
		return 0;
	/* autoconf maps at an address that held something else: the page it
	 * just unmapped there, here a fresh anonymous page (same idea). */
	data2 = mmap(0, pagesize, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fd = open("/tmp/conftest.mmap", O_RDWR);
	if (fd < 0 || data2 != mmap(data2, pagesize, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_FIXED, fd, 0))
		return 0;
	for (i = 0; i < pagesize; i++)
		if (data[i] != data2[i])
			return 0;
	for (i = 0; i < pagesize; i++)
		data2[i] = data2[i] + 1;
	if (read(fd, data3, pagesize) != pagesize)
		return 0;
	for (i = 0; i < pagesize; i++)
		if (data[i] != data3[i])
			return 0;
	close(fd);
	return 1;
}

/* AC_FUNC_MEMCMP: 8-bit clean, and correct on unaligned data. */
static int memcmp_working(void)
{
	char c0 = '\100', c1 = '\200', c2 = '\201';
	char foo[40], bar[40];
	int i;

	if (memcmp(&c0, &c2, 1) >= 0 || memcmp(&c1, &c2, 1) >= 0)
		return 0;
	for (i = 0; i < 4; i++) {
		char *a = foo + i, *b = bar + i;
		strcpy(a, "--------01111111");
		strcpy(b, "--------10000000");
		if (memcmp(a, b, 16) >= 0)
			return 0;
	}
	return 1;
}

/* AC_FUNC_MKTIME, shortened: mktime inverts localtime across TZ rules
 * (POSIX TZ strings, no zoneinfo needed) and handles the year 2038. */
static int working_mktime(void)
{
	static const char *zones[] = { "GMT0", "JST-9",
		"EST+3EDT+2,M10.1.0/00:00:00,M2.3.0/00:00:00", "UTC0" };
	struct tm tm;
	time_t t, back;
	unsigned z;

	for (z = 0; z < sizeof(zones) / sizeof(*zones); z++) {
		setenv("TZ", zones[z], 1);
		tzset();
		for (t = 0; t < 0x7fffffff - 86400 * 37; t += 86400 * 37 + 3607) {
			tm = *localtime(&t);
			back = mktime(&tm);
			if (back != t)
				return 0;
		}
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 2040 - 1900;
	tm.tm_mday = 1;
	setenv("TZ", "UTC0", 1);
	tzset();
	return mktime(&tm) == (time_t)2208988800LL;
}

int main(void)
{
	struct stat st;
	struct utimbuf ub = { 1000, 1000 };
	char *p, *end;
	int fd;

	p = malloc(0);
	fact("ac_cv_func_malloc_0_nonnull", p != NULL);
	fact("ac_cv_func_realloc_0_nonnull", realloc(NULL, 0) != NULL);
	fact("ac_cv_func_mmap_fixed_mapped", mmap_fixed_mapped());
	fact("ac_cv_func_memcmp_working", memcmp_working());
	fact("ac_cv_func_strnlen_working", strnlen("foobar", 0) == 0 &&
	     strnlen("foobar", 3) == 3 && strnlen("foobar", 6) == 6 &&
	     strnlen("foobar", 7) == 6 && strnlen("foobar", (size_t)-1) == 6);
	fact("ac_cv_func_strtod", strtod("1e1", &end) == 10.0 && !*end &&
	     strtod(" -.1e1x", &end) == -1.0 && *end == 'x');
	fact("ac_cv_func_strcoll_works", strcoll("abc", "def") < 0 &&
	     strcoll("ABC", "DEF") < 0 && strcoll("123", "456") < 0);
	fact("ac_cv_func_working_mktime", working_mktime());
	/* AC_FUNC_FNMATCH's cases, as written there. */
	fact("ac_cv_func_fnmatch_works", !fnmatch("a*", "abc", 0) &&
	     fnmatch("d*/*1", "d/s/1", FNM_PATHNAME) == FNM_NOMATCH &&
	     !fnmatch("a\\bc", "abc", 0) &&
	     fnmatch("a\\bc", "abc", FNM_NOESCAPE) == FNM_NOMATCH &&
	     !fnmatch("*x", ".x", 0) &&
	     fnmatch("*x", ".x", FNM_PERIOD) == FNM_NOMATCH);
	/* fork and vfork fail (ENOSYS): a uni image is one process. */
	fact("ac_cv_func_fork_works", fork() >= 0);
	{
		pid_t pid = vfork();
		if (pid == 0)
			_exit(0);
		fact("ac_cv_func_vfork_works", pid > 0);
	}
	fact("ac_cv_func_getgroups_works", getgroups(0, NULL) >= 0);
	fd = creat("/tmp/conftest.file", 0600);
	close(fd);
	fact("ac_cv_func_utime_null", utime("/tmp/conftest.file", &ub) == 0 &&
	     utime("/tmp/conftest.file", NULL) == 0 &&
	     stat("/tmp/conftest.file", &st) == 0 && st.st_mtime > 1000);
	{
		struct stat before, after;
		stat("/tmp/conftest.file", &before);
		fact("ac_cv_func_chown_works",
		     chown("/tmp/conftest.file", -1, -1) == 0 &&
		     stat("/tmp/conftest.file", &after) == 0 &&
		     before.st_uid == after.st_uid && before.st_gid == after.st_gid);
	}
	fact("ac_cv_func_stat_empty_string_bug", stat("", &st) == 0);
	fact("ac_cv_func_lstat_empty_string_bug", lstat("", &st) == 0);
	symlink("/tmp/conftest.file", "/tmp/conftest.sym");
	/* autoconf's "yes": lstat of "symlink/" fails as it should when the
	 * target is not a directory (Linux behaviour). */
	fact("ac_cv_func_lstat_dereferences_slashed_symlink",
	     lstat("/tmp/conftest.sym/", &st) != 0);
	{
		DIR *d = opendir("/tmp");
		fact("ac_cv_func_closedir_void", !d || closedir(d) != 0);
	}
	fact("ac_cv_file__dev_ptmx", access("/dev/ptmx", F_OK) == 0);
	fact("ac_cv_file__dev_ptc", access("/dev/ptc", F_OK) == 0);
	puts("config-site-facts: done");
	return 0;
}
