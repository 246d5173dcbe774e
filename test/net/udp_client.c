/*
 * udp_client.c - the host side of the UDP echo tests and of bench/udp.
 *
 * Layer: host program (built with the host compiler by test/unit/
 * net_run.cmake; bench/udp builds it with cc). It talks to the echo
 * server test/vm/net_run_udp_echo.c through a uni-run port forward
 * (127.0.0.1) or a tap device in a network namespace (-a ADDR).
 *
 *   udp_client [-a ADDR] [-w SECONDS] [-s SIZE] PORT echo COUNT
 *   udp_client [-a ADDR] [-w SECONDS] [-s SIZE] PORT rr SECONDS
 *   udp_client [-a ADDR] [-w SECONDS] PORT quit
 *
 * Every mode first waits for the server: a probe datagram every 200 ms
 * until one comes back (at most -w SECONDS, default 60: the guest may
 * still be booting, or still getting its address). Then:
 *   echo COUNT  COUNT datagrams, one in flight, each a 16-byte header
 *               (magic, sequence number, length, CRC-32 of the payload)
 *               and a pseudo-random payload of 0..1456 bytes (all sizes
 *               up to a 1472-byte datagram, the largest in one 1500-byte
 *               Ethernet frame); each reply must be byte for byte the
 *               datagram sent, its CRC-32 recomputed. A datagram without
 *               a reply in 1 s is sent again (counted; more than COUNT /
 *               100 of those, or 5 for one datagram, fails).
 *   rr SECONDS  request/response round trips of -s SIZE bytes (default
 *               64), one in flight, for SECONDS (fractions allowed);
 *               prints the rate.
 *   quit        sends "quit", waits for "bye" (the server then exits).
 * Exit status 0 when everything was verified, 1 otherwise, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAGIC 0x554e4945u /* "UNIE" */
#define HDR 16
#define MAX_DGRAM 1472

static int fd;
static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	while (n--)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put32(unsigned char *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return ntohl(v);
}

/* One datagram from the server within MS milliseconds into BUF: its
 * length, 0 on timeout, -1 on an error other than an ICMP port
 * unreachable (ECONNREFUSED: nothing bound yet, or the guest has no
 * address yet), which counts as no reply. */
static ssize_t receive(unsigned char *buf, size_t size, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	double end = now() + ms / 1000.0;
	for (;;) {
		int left = (int)((end - now()) * 1000);
		if (left < 0)
			left = 0;
		int r = poll(&p, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			perror("udp_client: poll");
			return -1;
		}
		if (r == 0)
			return 0;
		ssize_t n = recv(fd, buf, size, 0);
		if (n >= 0)
			return n;
		if (errno != ECONNREFUSED && errno != EINTR) {
			perror("udp_client: recv");
			return -1;
		}
	}
}

static int sendbuf(const unsigned char *buf, size_t n)
{
	if (send(fd, buf, n, 0) == (ssize_t)n || errno == ECONNREFUSED)
		return 0;
	perror("udp_client: send");
	return -1;
}

/* Build datagram SEQ of LEN payload bytes in BUF; returns its length. */
static size_t make(unsigned char *buf, uint32_t seq, size_t len,
		   uint64_t *rng)
{
	for (size_t i = 0; i < len; i++) {
		*rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
		buf[HDR + i] = (unsigned char)(*rng >> 56);
	}
	put32(buf, MAGIC);
	put32(buf + 4, seq);
	put32(buf + 8, (uint32_t)len);
	put32(buf + 12, crc32(buf + HDR, len));
	return HDR + len;
}

/* Send BUF (N bytes, sequence SEQ) until its echo comes back, at most
 * TRIES times, 1 s each; stale replies to earlier datagrams are skipped.
 * Returns 1 when the echo came back verified, 0 on no echo, -1 on a bad
 * echo or error; *RETRIES counts the extra sends. */
static int exchange(const unsigned char *buf, size_t n, uint32_t seq,
		    int tries, int timeout_ms, unsigned long *retries)
{
	static unsigned char in[65536];
	for (int t = 0; t < tries; t++) {
		if (t)
			++*retries;
		if (sendbuf(buf, n) < 0)
			return -1;
		double end = now() + timeout_ms / 1000.0;
		for (;;) {
			int left = (int)((end - now()) * 1000);
			if (left <= 0)
				break;
			ssize_t r = receive(in, sizeof in, left);
			if (r < 0)
				return -1;
			if (r == 0)
				break;
			if (r >= HDR && get32(in) == MAGIC && get32(in + 4) != seq)
				continue; /* a late echo of an earlier datagram */
			if ((size_t)r != n) {
				fprintf(stderr, "udp_client: datagram %u: %zd bytes back, %zu sent\n",
					seq, r, n);
				return -1;
			}
			uint32_t len = get32(in + 8);
			if (get32(in) != MAGIC || len != n - HDR ||
			    crc32(in + HDR, len) != get32(in + 12) ||
			    memcmp(in, buf, n)) {
				fprintf(stderr, "udp_client: datagram %u (%zu bytes): the echo differs (CRC-32 %08x, sent %08x)\n",
					seq, n, crc32(in + HDR, n - HDR), get32(buf + 12));
				return -1;
			}
			return 1;
		}
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: udp_client [-a ADDR] [-w SECONDS] [-s SIZE] PORT echo COUNT|rr SECONDS|quit\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *addr = "127.0.0.1";
	int wait_s = 60, size = 64, opt;
	while ((opt = getopt(argc, argv, "a:w:s:")) != -1) {
		switch (opt) {
		case 'a': addr = optarg; break;
		case 'w': wait_s = atoi(optarg); break;
		case 's': size = atoi(optarg); break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || wait_s <= 0 || size < HDR || size > MAX_DGRAM)
		usage();
	int port = atoi(argv[0]);
	const char *mode = argv[1];
	long arg = argc > 2 ? atol(argv[2]) : 0;
	double secs = argc > 2 ? atof(argv[2]) : 0; /* rr: fractions too */
	if (port <= 0 || port > 65535 ||
	    (!strcmp(mode, "echo") && (argc != 3 || arg <= 0)) ||
	    (!strcmp(mode, "rr") && (argc != 3 || secs <= 0)) ||
	    (!strcmp(mode, "quit") && argc != 2) ||
	    (strcmp(mode, "quit") && strcmp(mode, "echo") && strcmp(mode, "rr")))
		usage();

	setvbuf(stdout, NULL, _IOLBF, 0);
	crc_init();
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	if (fd < 0 || inet_pton(AF_INET, addr, &sin.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
		perror("udp_client: socket/connect");
		return 1;
	}
	static unsigned char buf[65536];
	uint64_t rng = 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
	unsigned long retries = 0;

	/* Wait for the server. */
	double t0 = now();
	size_t n = make(buf, 0, 8, &rng);
	int r;
	do
		r = exchange(buf, n, 0, 1, 200, &retries);
	while (r == 0 && now() - t0 < wait_s);
	if (r != 1) {
		fprintf(stderr, "udp_client: no echo from %s:%d after %d s\n",
			addr, port, wait_s);
		return 1;
	}
	printf("udp_client: server answered after %.2f s\n", now() - t0);
	retries = 0;

	if (!strcmp(mode, "quit")) {
		for (int t = 0; t < 5; t++) {
			if (sendbuf((const unsigned char *)"quit", 4) < 0)
				return 1;
			ssize_t k;
			while ((k = receive(buf, sizeof buf, 1000)) > 0)
				if (k == 3 && !memcmp(buf, "bye", 3)) {
					printf("udp_client: the server said bye\n");
					return 0;
				}
			if (k < 0)
				return 1;
		}
		fprintf(stderr, "udp_client: no bye\n");
		return 1;
	}

	if (!strcmp(mode, "echo")) {
		unsigned long bytes = 0;
		t0 = now();
		for (long i = 1; i <= arg; i++) {
			/* every payload size 0..1456 in turn, shuffled by i */
			size_t len = (size_t)(i * 7919) % (MAX_DGRAM - HDR + 1);
			n = make(buf, (uint32_t)i, len, &rng);
			r = exchange(buf, n, (uint32_t)i, 5, 1000, &retries);
			if (r != 1) {
				if (r == 0)
					fprintf(stderr, "udp_client: datagram %ld (%zu bytes): no echo after 5 tries\n",
						i, n);
				fprintf(stderr, "udp_client: FAILED after %ld verified datagrams\n",
					i - 1);
				return 1;
			}
			bytes += n;
		}
		double dt = now() - t0;
		printf("udp_client: %ld datagrams, %lu bytes echoed and verified (CRC-32 and bytes) in %.2f s, %lu sent again\n",
		       arg, bytes, dt, retries);
		if (retries > (unsigned long)arg / 100) {
			fprintf(stderr, "udp_client: FAILED: too many datagrams lost (%lu)\n",
				retries);
			return 1;
		}
		return 0;
	}

	/* rr */
	unsigned long trips = 0;
	t0 = now();
	double end = t0 + secs;
	while (now() < end) {
		n = make(buf, (uint32_t)(trips + 1), (size_t)size - HDR, &rng);
		r = exchange(buf, n, (uint32_t)(trips + 1), 5, 1000, &retries);
		if (r != 1) {
			fprintf(stderr, "udp_client: round trip %lu failed\n",
				trips + 1);
			return 1;
		}
		trips++;
	}
	double dt = now() - t0;
	printf("rr_per_s %.1f (%lu round trips of %d bytes in %.3f s, %lu sent again)\n",
	       trips / dt, trips, size, dt, retries);
	return 0;
}
