/* fs_image_basics.c - an image without embedded files still has /tmp,
 * /dev, /etc and /proc, and musl's lookups work through them.
 * Arguments: the expected host name, the -m size in MiB and, optional,
 * the dns= servers given. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "check.h"

static char buf[1 << 16];

/* Whole file into buf (NUL-terminated); its length or -1. */
static long slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	long n = 0, r;

	if (fd < 0)
		return -1;
	while ((r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = '\0';
	return r < 0 ? -1 : n;
}

static int is_chr(const char *path, int maj, int min, int perm)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISCHR(st.st_mode) &&
	       major(st.st_rdev) == (unsigned)maj &&
	       minor(st.st_rdev) == (unsigned)min &&
	       (st.st_mode & 07777) == (unsigned)perm;
}

static int link_is(const char *path, const char *want)
{
	char t[256];
	ssize_t n = readlink(path, t, sizeof(t) - 1);

	if (n < 0)
		return 0;
	t[n] = '\0';
	if (strcmp(t, want))
		printf("  %s -> %s (want %s)\n", path, t, want);
	return strcmp(t, want) == 0;
}

static int fd_listed(int fd)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (atoi(e->d_name) == fd && e->d_name[0] >= '0' &&
		    e->d_name[0] <= '9')
			found = 1;
	closedir(d);
	return found;
}

int main(int argc, char **argv)
{
	const char *host = argc > 1 ? argv[1] : "uni";
	long mib = argc > 2 ? atol(argv[2]) : 128;
	struct stat st;
	char name[128], a[64], b[64];
	int fd, p[2];
	long n;
	size_t argbytes = 0;

	for (int i = 0; i < argc; i++)
		argbytes += strlen(argv[i]) + 1;
	/* /tmp: sticky, world-writable, usable. */
	CHECK(stat("/tmp", &st) == 0 && S_ISDIR(st.st_mode) &&
	      (st.st_mode & 07777) == 01777);
	fd = open("/tmp/x", O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, "data", 4) == 4);
	CHECK(pread(fd, name, 4, 0) == 4 && !memcmp(name, "data", 4));
	CHECK(fd_listed(fd));
	CHECK(snprintf(name, sizeof(name), "/proc/self/fd/%d", fd) > 0 &&
	      link_is(name, "/tmp/x"));
	int fd2 = open(name, O_RDONLY); /* through the link: the same file */
	CHECK(fd2 >= 0 && read(fd2, a, 4) == 4 && !memcmp(a, "data", 4));
	close(fd2);
	CHECK(link_is("/proc/self/cwd", "/"));
	CHECK(dup2(fd, 50) == 50 && fd_listed(50));
	close(fd);
	close(50);
	CHECK(!fd_listed(50)); /* (opendir would reuse fd's number) */
	CHECK(unlink("/tmp/x") == 0);
	CHECK(stat("/etc", &st) == 0 && S_ISDIR(st.st_mode));

	/* /dev */
	CHECK(is_chr("/dev/null", 1, 3, 0666));
	CHECK(is_chr("/dev/zero", 1, 5, 0666));
	CHECK(is_chr("/dev/full", 1, 7, 0666));
	CHECK(is_chr("/dev/random", 1, 8, 0666));
	CHECK(is_chr("/dev/urandom", 1, 9, 0666));
	CHECK(is_chr("/dev/tty", 5, 0, 0666));
	CHECK(is_chr("/dev/console", 5, 1, 0600));
	fd = open("/dev/null", O_RDWR);
	CHECK(fd >= 0 && write(fd, "abc", 3) == 3 && read(fd, name, 10) == 0);
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	memset(buf, 1, 8192);
	CHECK(fd >= 0 && read(fd, buf, 8192) == 8192);
	n = 0;
	for (int i = 0; i < 8192; i++)
		n |= buf[i];
	CHECK(n == 0);
	close(fd);
	fd = open("/dev/full", O_WRONLY);
	errno = 0;
	CHECK(fd >= 0 && write(fd, "x", 1) == -1 && errno == ENOSPC);
	close(fd);
	fd = open("/dev/urandom", O_RDONLY);
	CHECK(fd >= 0 && read(fd, a, sizeof(a)) == sizeof(a) &&
	      read(fd, b, sizeof(b)) == sizeof(b) && memcmp(a, b, sizeof(a)));
	CHECK(read(fd, buf, sizeof(buf)) == sizeof(buf)); /* large reads */
	CHECK(read(fd, (void *)16, 16) == -1 && errno == EFAULT);
	close(fd);
	fd = open("/dev/random", O_RDONLY | O_NONBLOCK);
	CHECK(fd >= 0 && read(fd, a, 16) == 16);
	close(fd);
	fd = open("/dev/tty", O_RDWR);
	CHECK(fd >= 0 && isatty(fd));
	close(fd);
	CHECK(link_is("/dev/stdin", "/proc/self/fd/0"));
	CHECK(link_is("/dev/stdout", "/proc/self/fd/1"));
	CHECK(link_is("/dev/stderr", "/proc/self/fd/2"));
	CHECK(link_is("/dev/fd", "/proc/self/fd"));
	CHECK(stat("/dev/stdout", &st) == 0 && S_ISCHR(st.st_mode));
	CHECK(stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
	      (st.st_mode & 07777) == 01777);
	fd = shm_open("/uni-test", O_CREAT | O_RDWR, 0600);
	CHECK(fd >= 0 && ftruncate(fd, 4096) == 0);
	close(fd);
	CHECK(shm_unlink("/uni-test") == 0);

	/* /etc through musl */
	struct passwd *pw = getpwuid(0);
	CHECK(pw && !strcmp(pw->pw_name, "root") && !strcmp(pw->pw_dir, "/root"));
	pw = getpwnam("nobody");
	CHECK(pw && pw->pw_uid == 65534);
	struct group *gr = getgrgid(0);
	CHECK(gr && !strcmp(gr->gr_name, "root"));
	CHECK(gethostname(name, sizeof(name)) == 0 && !strcmp(name, host));
	CHECK(slurp("/etc/hostname") > 0 && !strncmp(buf, host, strlen(host)) &&
	      buf[strlen(host)] == '\n');
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	CHECK(getaddrinfo("localhost", "http", &hints, &ai) == 0 && ai &&
	      ((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr ==
		      htonl(INADDR_LOOPBACK) &&
	      ((struct sockaddr_in *)ai->ai_addr)->sin_port == htons(80));
	if (ai)
		freeaddrinfo(ai);
	ai = NULL;
	CHECK(getaddrinfo(host, NULL, &hints, &ai) == 0 && ai);
	if (ai)
		freeaddrinfo(ai);
	struct servent *se = getservbyname("http", "tcp");
	CHECK(se && se->s_port == htons(80));
	se = getservbyname("domain", "udp");
	CHECK(se && se->s_port == htons(53));
	se = getservbyport(htons(22), "tcp");
	CHECK(se && !strcmp(se->s_name, "ssh"));
	CHECK(slurp("/etc/protocols") > 0 && strstr(buf, "\ntcp\t6\t"));
	/* resolv.conf: empty, or argv[3]'s comma-separated servers. */
	char want[256] = "";
	if (argc > 3)
		for (char *t = strtok(argv[3], ","); t; t = strtok(NULL, ","))
			snprintf(want + strlen(want), sizeof(want) - strlen(want),
				 "nameserver %s\n", t);
	CHECK(slurp("/etc/resolv.conf") == (long)strlen(want) && !strcmp(buf, want));

	/* /proc */
	CHECK(link_is("/proc/self", "1"));
	CHECK(stat("/proc/1/status", &st) == 0 && S_ISREG(st.st_mode));
	CHECK(slurp("/proc/self/status") > 0 && strstr(buf, "\nPid:\t1\n") &&
	      strstr(buf, "\nThreads:\t1\n") && strstr(buf, "\nUid:\t0\t0\t0\t0\n"));
	n = slurp("/proc/self/cmdline");
	CHECK(n > 0 && (size_t)n == argbytes && !strcmp(buf, argv[0]) &&
	      !strcmp(buf + strlen(argv[0]) + 1, host));
	CHECK(fd_listed(0) && fd_listed(1) && fd_listed(2));
	CHECK(link_is("/proc/self/fd/1", "/dev/console"));
	fd = open("/etc", O_RDONLY | O_DIRECTORY);
	CHECK(snprintf(name, sizeof(name), "/proc/self/fd/%d", fd) > 0 &&
	      link_is(name, "/etc"));
	close(fd);
	fd = open("/proc/meminfo", O_RDONLY);
	CHECK(snprintf(name, sizeof(name), "/proc/self/fd/%d", fd) > 0 &&
	      link_is(name, "/proc/meminfo"));
	close(fd);
	if (pipe(p) == 0) {
		CHECK(snprintf(name, sizeof(name), "/proc/self/fd/%d", p[0]) > 0 &&
		      readlink(name, a, sizeof(a)) > 6 && !memcmp(a, "pipe:[", 6));
		close(p[0]);
		close(p[1]);
	}
	CHECK(readlink("/proc/self/exe", name, sizeof(name)) > 1 && name[0] == '/');
	CHECK(slurp("/proc/meminfo") > 0);
	long total = 0, avail = -1;
	sscanf(strstr(buf, "MemTotal:") ? strstr(buf, "MemTotal:") : "", "MemTotal: %ld", &total);
	sscanf(strstr(buf, "MemAvailable:") ? strstr(buf, "MemAvailable:") : "", "MemAvailable: %ld", &avail);
	printf("MemTotal %ld kB for -m %ld\n", total, mib);
	CHECK(total > mib * 1024 * 8 / 10 && total <= mib * 1024);
	CHECK(avail > 0 && avail < total);
	/* One byte at a time reads the same text (made at open). */
	char whole[512];
	long len = slurp("/proc/version");
	memcpy(whole, buf, sizeof(whole));
	fd = open("/proc/version", O_RDONLY);
	n = 0;
	while (n < (long)sizeof(buf) && read(fd, buf + n, 1) == 1)
		n++;
	close(fd);
	CHECK(len > 10 && n == len && !memcmp(buf, whole, len));
	CHECK(slurp("/proc/cpuinfo") > 0);
	int cpus = 0;
	for (char *s = buf; (s = strstr(s, "processor\t:")); s++)
		cpus++;
	CHECK(cpus == sysconf(_SC_NPROCESSORS_ONLN) && cpus >= 1);
	CHECK(strstr(buf, "cpu MHz\t\t: ") && strstr(buf, " fpu "));
	double up = 0, idle = -1;
	CHECK(slurp("/proc/uptime") > 0 && sscanf(buf, "%lf %lf", &up, &idle) == 2 &&
	      up > 0 && idle >= 0 && idle <= up);
	CHECK(slurp("/proc/mounts") > 0 && strstr(buf, "ramfs / ramfs rw") &&
	      strstr(buf, " /dev devtmpfs rw") && strstr(buf, "proc /proc proc rw"));
	CHECK(slurp("/proc/self/mounts") > 0 && strstr(buf, "proc /proc proc rw"));
	CHECK(open("/proc/nonexistent", O_RDONLY) == -1 && errno == ENOENT);
	CHECK(open("/proc/self/fd/999", O_RDONLY) == -1 && errno == ENOENT);
	return check_done();
}
