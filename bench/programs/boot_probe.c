/*
 * boot_probe.c - the host side of bench/footprint: starts a guest (a QEMU
 * command) and times, from the moment before it is started, the first
 * console output of the program and the first answer of its server.
 *
 * Layer: host program (bench/footprint builds it with cc; it is not part
 * of any image).
 *
 *   boot_probe [-o TEXT] [-p PORT -s REQUEST -e REPLY [-i MS] [-m N]]
 *              [-t SECONDS] [-l LOG] -- COMMAND...
 *
 * Clock: CLOCK_MONOTONIC, read just before fork(); COMMAND (QEMU) gets
 * /dev/null as stdin and a pipe as stdout (its serial console), read here
 * as it comes. Stderr is inherited.
 *   -o TEXT    the console output's first occurrence of TEXT: its time is
 *              printed as "output MS" (milliseconds since the start);
 *   -p PORT    connects to 127.0.0.1:PORT from the start: a new
 *              connection every -i MS milliseconds (default 10; at most
 *              -m N open, default 8: the oldest is closed to make room,
 *              one that the peer ends is closed at once), each sends
 *              REQUEST (-s; \r and \n are understood) and waits for the
 *              answer; the first answer that starts with REPLY (-e) ends
 *              the probe: "serving MS". QEMU's hostfwd accepts on the
 *              host before the guest listens (and a SYN that reaches a
 *              guest without a network yet is retried by slirp only after
 *              seconds), so only an answer counts, and overlapping
 *              attempts keep the resolution near -i. Not every ms: a
 *              connection a millisecond from QEMU's start delays uni's
 *              boot to serving by about 1 s (measured: 1,050 ms against
 *              80 ms with -i 10);
 *   -t SECONDS the limit (default 60): "timeout" and exit status 1;
 *   -l LOG     the console output is written to LOG.
 * Without -p the probe ends when TEXT was seen. Then COMMAND is sent
 * SIGTERM (SIGKILL after 2 s) and waited for. A COMMAND that ends before
 * the probe is done prints "exited STATUS" and exit status 1.
 * Exit status: 0 done, 1 timeout or early exit, 2 usage or system error.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXATT 48
#define WINDOW 4096

struct attempt {
	int fd;
	size_t got;             /* bytes of the reply gathered */
	char buf[16];
};

static struct attempt att[MAXATT];
static int natt, maxatt = 8;

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void usage(void)
{
	fprintf(stderr, "usage: boot_probe [-o TEXT] [-p PORT -s REQUEST "
		"-e REPLY [-i MS] [-m N]] [-t SECONDS] [-l LOG] "
		"-- COMMAND...\n");
	exit(2);
}

/* \r and \n in S turned into CR and LF, in place. */
static void unescape(char *s)
{
	char *d = s;
	for (; *s; s++) {
		if (s[0] == '\\' && (s[1] == 'r' || s[1] == 'n')) {
			*d++ = s[1] == 'r' ? '\r' : '\n';
			s++;
		} else {
			*d++ = *s;
		}
	}
	*d = 0;
}

static void drop(int i)
{
	close(att[i].fd);
	att[i] = att[--natt];
}

/* A new attempt: a blocking connect (QEMU's forward listens on the host,
 * so it completes at once or is refused), then the request. */
static void start_attempt(int port, const char *req)
{
	struct sockaddr_in sa;
	int fd;
	if (natt == maxatt)
		drop(0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    send(fd, req, strlen(req), MSG_NOSIGNAL) < 0) {
		close(fd);
		return;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	att[natt].fd = fd;
	att[natt].got = 0;
	natt++;
}

/* Reads what attempt I has; 1 when its reply starts with REPLY, -1 when
 * it ended or differs (dropped), 0 while waiting. */
static int poll_attempt(int i, const char *reply)
{
	struct attempt *a = &att[i];
	size_t want = strlen(reply);
	ssize_t n = recv(a->fd, a->buf + a->got, want - a->got, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0)
		return -1;
	a->got += n;
	if (memcmp(a->buf, reply, a->got))
		return -1;
	return a->got == want;
}

int main(int argc, char **argv)
{
	const char *text = NULL, *reply = NULL, *logp = NULL;
	char *req = NULL;
	int port = 0, opt, p[2], status = 0, rc = 1;
	double limit = 60, every = 10, t0, t_out = -1, t_srv = -1;
	static char win[WINDOW + 1];
	size_t wlen = 0;

	while ((opt = getopt(argc, argv, "o:p:s:e:t:l:i:m:")) != -1) {
		switch (opt) {
		case 'o': text = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 's': req = optarg; break;
		case 'e': reply = optarg; break;
		case 't': limit = atof(optarg); break;
		case 'l': logp = optarg; break;
		case 'i': every = atof(optarg); break;
		case 'm': maxatt = atoi(optarg); break;
		default: usage();
		}
	}
	if (optind >= argc || (!text && !port) ||
	    (port && (!req || !reply || !*reply || strlen(reply) > 16 ||
		      port < 1 || port > 65535)) ||
	    (text && (!*text || strlen(text) > WINDOW / 2)) || limit <= 0 ||
	    every <= 0 || maxatt < 1 || maxatt > MAXATT)
		usage();
	if (req)
		unescape(req);
	FILE *log = NULL;
	if (logp && !(log = fopen(logp, "w"))) {
		perror(logp);
		return 2;
	}
	if (pipe(p) < 0) {
		perror("pipe");
		return 2;
	}
	t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		dup2(nul, 0);
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execvp(argv[optind], argv + optind);
		perror(argv[optind]);
		_exit(127);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);

	int out_open = 1, exited = 0;
	double next = t0;
	for (;;) {
		double t = now_ms();
		if (t - t0 > limit * 1e3) {
			printf("timeout\n");
			break;
		}
		if (port && t >= next) {
			start_attempt(port, req);
			next = t + every;
		}
		struct pollfd pf[1 + MAXATT];
		int nf = 0;
		if (out_open)
			pf[nf++] = (struct pollfd){ .fd = p[0], .events = POLLIN };
		for (int i = 0; i < natt; i++)
			pf[nf++] = (struct pollfd){ .fd = att[i].fd, .events = POLLIN };
		poll(pf, nf, port ? 1 : 20);
		if (out_open) {
			char buf[4096];
			ssize_t n;
			while ((n = read(p[0], buf, sizeof buf)) > 0) {
				if (log)
					fwrite(buf, 1, n, log);
				if (!text || t_out >= 0)
					continue;
				/* search TEXT across reads: keep the window's tail */
				for (ssize_t k = 0; k < n; k++) {
					if (wlen == WINDOW) {
						size_t keep = strlen(text);
						memmove(win, win + wlen - keep, keep);
						wlen = keep;
					}
					win[wlen++] = buf[k] ? buf[k] : ' ';
				}
				win[wlen] = 0;
				if (strstr(win, text))
					t_out = now_ms() - t0;
			}
			if (n == 0) {
				out_open = 0;
			} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
				out_open = 0;
			}
		}
		for (int i = 0; i < natt; i++) {
			int r = poll_attempt(i, reply);
			if (r > 0 && t_srv < 0)
				t_srv = now_ms() - t0;
			if (r < 0)
				drop(i--);
		}
		if (t_out >= 0 && (!port || t_srv >= 0)) {
			rc = 0;
			break;
		}
		if (port && t_srv >= 0 && !text) {
			rc = 0;
			break;
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			exited = 1;
			printf("exited %d\n", WIFEXITED(status) ?
			       WEXITSTATUS(status) : 128 + WTERMSIG(status));
			break;
		}
	}
	if (t_out >= 0)
		printf("output %.1f\n", t_out);
	if (t_srv >= 0)
		printf("serving %.1f\n", t_srv);
	while (natt)
		drop(0);
	if (!exited) {
		kill(pid, SIGTERM);
		for (int i = 0; i < 200; i++) {
			if (waitpid(pid, &status, WNOHANG) == pid) {
				exited = 1;
				break;
			}
			struct timespec tick = {0, 10000000};
			nanosleep(&tick, NULL);
		}
		if (!exited) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
	}
	/* the rest of the console, for the log (what is there: a child of
	 * COMMAND may hold the pipe open) */
	if (log) {
		char buf[4096];
		ssize_t n;
		while (out_open && (n = read(p[0], buf, sizeof buf)) > 0)
			fwrite(buf, 1, n, log);
		fclose(log);
	}
	return rc;
}
