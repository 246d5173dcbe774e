/* fs_image.c - the trees embedded with uni_add_files(), as the program
 * sees them. `fs_image list ROOT` prints every entry under ROOT between
 * LIST-BEGIN and LIST-END, sorted, one a line:
 *     d MODE PATH | f MODE SIZE CKSUM PATH | l TARGET PATH
 * (MODE octal permission bits, CKSUM as POSIX cksum(1)), which
 * fs_image.cmake compares with the same listing of the source trees.
 * Then it checks that a tree's /etc file replaces the generated one while
 * the other generated files stay. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"

static char *lines[1024];
static int nlines;

/* POSIX cksum: CRC-32 (0x04C11DB7, MSB first) over the data, then over
 * the length's bytes (least significant first), complemented. */
static uint32_t crc_byte(uint32_t crc, unsigned char b)
{
	crc ^= (uint32_t)b << 24;
	for (int i = 0; i < 8; i++)
		crc = crc & 0x80000000u ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
	return crc;
}

static int cksum_file(const char *path, uint32_t *out, long *size)
{
	unsigned char buf[512];
	uint32_t crc = 0;
	long total = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			crc = crc_byte(crc, buf[i]);
		total += n;
	}
	close(fd);
	if (n < 0)
		return -1;
	for (unsigned long l = (unsigned long)total; l; l >>= 8)
		crc = crc_byte(crc, l & 0xff);
	*out = ~crc;
	*size = total;
	return 0;
}

static void add(const char *fmt, const char *a, const char *rel, long x,
		unsigned long y, int mode)
{
	char buf[PATH_MAX + 64];

	if (fmt[0] == 'd')
		snprintf(buf, sizeof(buf), "d %04o %s", mode, rel);
	else if (fmt[0] == 'f')
		snprintf(buf, sizeof(buf), "f %04o %ld %lu %s", mode, x, y, rel);
	else
		snprintf(buf, sizeof(buf), "l %s %s", a, rel);
	if (nlines < (int)(sizeof(lines) / sizeof(lines[0])))
		lines[nlines++] = strdup(buf);
}

static void walk(const char *root, const char *rel)
{
	char path[PATH_MAX], sub[PATH_MAX], target[PATH_MAX];
	struct dirent *d;
	struct stat st;
	DIR *dir;

	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	if (!(dir = opendir(path))) {
		printf("FAIL: opendir %s\n", path);
		check_failed++;
		return;
	}
	while ((d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
			 d->d_name);
		snprintf(path, sizeof(path), "%s/%s", root, sub);
		if (lstat(path, &st)) {
			add("l", "LSTAT-FAILED", sub, 0, 0, 0);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			add("d", NULL, sub, 0, 0, st.st_mode & 07777);
			walk(root, sub);
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(path, target, sizeof(target) - 1);
			target[n > 0 ? n : 0] = '\0';
			add("l", target, sub, 0, 0, 0);
		} else {
			uint32_t crc = 0;
			long size = -1;
			cksum_file(path, &crc, &size);
			if (size != st.st_size)
				size = -2; /* stat and read disagree */
			add("f", NULL, sub, size, crc, st.st_mode & 07777);
		}
	}
	closedir(dir);
}

/* The last field (the path) sorts: compare from it. */
static int cmp_path(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, ' ');
	const char *y = strrchr(*(char *const *)b, ' ');
	return strcmp(x, y);
}

static int file_is(const char *path, const char *want)
{
	char buf[512];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, want) == 0;
}

int main(int argc, char **argv)
{
	struct stat st;

	if (argc == 3 && !strcmp(argv[1], "list")) {
		walk(argv[2], "");
		qsort(lines, nlines, sizeof(lines[0]), cmp_path);
		printf("LIST-BEGIN\n");
		for (int i = 0; i < nlines; i++)
			printf("%s\n", lines[i]);
		printf("LIST-END\n");
		CHECK(nlines > 0);
	}
	/* The tree given with DESTINATION / replaces the generated file. */
	CHECK(file_is("/etc/protocols", "ip 0 IP\ntcp 6 TCP\n"));
	CHECK(stat("/etc/passwd", &st) == 0 && S_ISREG(st.st_mode));
	CHECK(stat("/etc/hosts", &st) == 0 && st.st_size > 0);
	CHECK(stat("/tmp", &st) == 0 && (st.st_mode & 07777) == 01777);
	CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
	/* The executable bit came through. */
	CHECK(access("/data/bin/tool.sh", X_OK) == 0);
	CHECK(access("/data/hello.txt", X_OK) == -1);
	CHECK(file_is("/data/data/link-to-hello", "hello, uni\n"));
	return check_done();
}
