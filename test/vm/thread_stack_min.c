/* thread_stack_min.c - a thread given exactly PTHREAD_STACK_MIN bytes of
 * stack can make uni's deepest ordinary syscalls. In uni a syscall runs on
 * the caller's stack (there is no separate kernel stack), so musl's 2048
 * would overflow; src/libc-ext/patches/0003 sets the minimum. The stack
 * lies inside a painted region: any byte written below it is an overflow,
 * and the deepest byte written inside it is reported. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

#define PAINT 0xa5
#define BELOW (64 * 1024)

static unsigned char region[BELOW + PTHREAD_STACK_MIN]
	__attribute__((aligned(4096)));
static char buf[65536];
static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	got = sig;
}

static void *work(void *arg)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t n = sizeof sa;
	int l = socket(AF_INET, SOCK_STREAM, 0), c, s, u, f, ok = 1;
	fd_set r;

	ok &= bind(l, (void *)&sa, sizeof sa) == 0 && listen(l, 1) == 0;
	ok &= getsockname(l, (void *)&sa, &n) == 0;
	c = socket(AF_INET, SOCK_STREAM, 0);
	ok &= connect(c, (void *)&sa, sizeof sa) == 0;
	s = accept(l, NULL, NULL);
	ok &= write(c, buf, sizeof buf) == (ssize_t)sizeof buf;
	ok &= read(s, buf, sizeof buf) > 0;
	FD_ZERO(&r);
	FD_SET(s, &r);
	ok &= select(s + 1, &r, NULL, NULL, &(struct timeval){ 0, 1000 }) >= 0;
	u = socket(AF_INET, SOCK_DGRAM, 0);
	sa.sin_port = htons(9);
	ok &= sendto(u, buf, 1000, 0, (void *)&sa, sizeof sa) == 1000;
	f = open("/tmp/stack_min", O_CREAT | O_RDWR, 0600);
	ok &= write(f, buf, 10000) == 10000;
	ok &= raise(SIGUSR1) == 0 && got == SIGUSR1;
	ok &= usleep(1000) == 0;
	close(f), close(u), close(s), close(c), close(l);
	return ok ? arg : NULL;
}

int main(void)
{
	pthread_attr_t at;
	pthread_t t;
	void *res = NULL;
	size_t low;

	CHECK(PTHREAD_STACK_MIN % 4096 == 0);
	CHECK(sysconf(_SC_THREAD_STACK_MIN) == PTHREAD_STACK_MIN);
	signal(SIGUSR1, on_usr1);
	memset(region, PAINT, sizeof region);
	pthread_attr_init(&at);
	CHECK(pthread_attr_setstack(&at, region + BELOW, PTHREAD_STACK_MIN) == 0);
	CHECK(pthread_create(&t, &at, work, region) == 0);
	CHECK(pthread_join(t, &res) == 0 && res == region);
	for (low = 0; low < sizeof region && region[low] == PAINT; low++)
		;
	printf("deepest stack use: %zu of %d bytes\n", sizeof region - low,
	       PTHREAD_STACK_MIN);
	CHECK(low >= BELOW);
	return check_done();
}
