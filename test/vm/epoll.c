/* epoll.c - in-image test of epoll (issue 4 item 8): epoll_ctl's errors,
 * level- against edge-triggered reporting, EPOLLONESHOT and its re-arm,
 * EPOLLEXCLUSIVE, a timerfd and an eventfd (EFD_SEMAPHORE) in one set,
 * nested epolls, poll on an epoll fd, an item dropped when its file's
 * last descriptor closes but kept while a dup lives, a wait woken by
 * another thread, timeouts, and epoll_pwait's signal mask. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "testutil.h"

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int mod(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static int wfd;
static void *write_later(void *arg)
{
	msleep((int)(intptr_t)arg);
	write(wfd, "x", 1);
	return NULL;
}

static atomic_int usr1;
static void on_usr1(int sig) { (void)sig; atomic_fetch_add(&usr1, 1); }

int main(void)
{
	struct epoll_event ev[8];
	int ep, p[2], q[2];
	char buf[64];
	pthread_t th;
	uint64_t t0, dt;

	ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(ep >= 0 && fcntl(ep, F_GETFD) == FD_CLOEXEC);
	CHECK(epoll_create1(1) == -1 && errno == EINVAL);
	CHECK(syscall(SYS_epoll_create, 0) == -1 && errno == EINVAL);
	int ep2 = epoll_create(1); /* musl ignores the size */
	CHECK(ep2 >= 0 && close(ep2) == 0);
	CHECK(pipe(p) == 0 && pipe(q) == 0);

	/* epoll_ctl errors. */
	CHECK(add(ep, p[0], EPOLLIN, 1) == 0);
	CHECK(add(ep, p[0], EPOLLIN, 1) == -1 && errno == EEXIST);
	CHECK(mod(ep, q[0], EPOLLIN, 1) == -1 && errno == ENOENT);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL) == -1 && errno == ENOENT);
	CHECK(add(ep, ep, EPOLLIN, 1) == -1 && errno == EINVAL);
	CHECK(add(p[0], q[0], EPOLLIN, 1) == -1 && errno == EINVAL);
	CHECK(add(ep, 77, EPOLLIN, 1) == -1 && errno == EBADF);
	CHECK(add(77, q[0], EPOLLIN, 1) == -1 && errno == EBADF);
	CHECK(epoll_ctl(ep, 99, q[0], ev) == -1 && errno == EINVAL);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], (void *)16) == -1 && errno == EFAULT);
	int reg = open("/tmp/epoll_regular", O_CREAT | O_RDWR, 0600);
	CHECK(reg >= 0 && add(ep, reg, EPOLLIN, 1) == -1 && errno == EPERM);
	close(reg);
	CHECK(epoll_wait(ep, ev, 0, 0) == -1 && errno == EINVAL);
	CHECK(epoll_wait(p[0], ev, 1, 0) == -1 && errno == EINVAL);
	CHECK(add(ep, q[0], EPOLLIN | EPOLLEXCLUSIVE, 2) == 0);
	CHECK(mod(ep, q[0], EPOLLIN | EPOLLEXCLUSIVE, 2) == -1 && errno == EINVAL);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL) == 0);
	CHECK(add(ep, q[0], EPOLLIN | EPOLLONESHOT | EPOLLEXCLUSIVE, 2) == -1 && errno == EINVAL);

	/* Level-triggered: reported until read. */
	CHECK(epoll_wait(ep, ev, 8, 0) == 0);
	write(p[1], "ab", 2);
	CHECK(epoll_wait(ep, ev, 8, 0) == 1 && ev[0].events == EPOLLIN && ev[0].data.u64 == 1);
	CHECK(epoll_wait(ep, ev, 8, 0) == 1);
	read(p[0], buf, sizeof(buf));
	CHECK(epoll_wait(ep, ev, 8, 0) == 0);

	/* Edge-triggered: one event per arrival. */
	CHECK(mod(ep, p[0], EPOLLIN | EPOLLET, 3) == 0);
	write(p[1], "a", 1);
	CHECK(epoll_wait(ep, ev, 8, 0) == 1 && ev[0].data.u64 == 3);
	CHECK(epoll_wait(ep, ev, 8, 0) == 0); /* unread, but no new edge */
	write(p[1], "b", 1);
	CHECK(epoll_wait(ep, ev, 8, 0) == 1 && ev[0].events == EPOLLIN);
	CHECK(epoll_wait(ep, ev, 8, 0) == 0);
	read(p[0], buf, sizeof(buf));

	/* EPOLLONESHOT: once, then nothing until MOD re-arms it. */
	CHECK(mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 4) == 0);
	write(p[1], "a", 1);
	CHECK(epoll_wait(ep, ev, 8, 0) == 1 && ev[0].data.u64 == 4);
	CHECK(epoll_wait(ep, ev, 8, 0) == 0);
	write(p[1], "b", 1);
	CHECK(epoll_wait(ep, ev, 8, 0) == 0);
	CHECK(mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 5) == 0);
	CHECK(epoll_wait(ep, ev, 8, 0) == 1 && ev[0].data.u64 == 5);
	read(p[0], buf, sizeof(buf));
	CHECK(mod(ep, p[0], EPOLLIN, 1) == 0);

	/* EPOLLOUT and EPOLLHUP/EPOLLERR always reported. */
	CHECK(add(ep, q[1], EPOLLOUT, 6) == 0);
	CHECK(epoll_wait(ep, ev, 8, 0) == 1 && ev[0].events == EPOLLOUT && ev[0].data.u64 == 6);
	close(q[0]);
	CHECK(epoll_wait(ep, ev, 8, 0) == 1 && ev[0].events == (EPOLLOUT | EPOLLERR));
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, q[1], NULL) == 0);
	close(q[1]);

	/* maxevents: two ready, one at a time, both seen (fairness). */
	CHECK(pipe(q) == 0 && add(ep, q[0], EPOLLIN, 7) == 0);
	write(p[1], "a", 1);
	write(q[1], "a", 1);
	int seen = 0;
	for (int i = 0; i < 2; i++)
		if (epoll_wait(ep, ev, 1, 0) == 1)
			seen |= ev[0].data.u64 == 1 ? 1 : ev[0].data.u64 == 7 ? 2 : 0;
	CHECK(seen == 3);
	read(p[0], buf, sizeof(buf));
	read(q[0], buf, sizeof(buf));

	/* A closed file leaves the set; while a dup lives it stays. */
	int d = dup(q[0]);
	close(q[0]);
	write(q[1], "a", 1);
	CHECK(epoll_wait(ep, ev, 8, 0) == 1 && ev[0].data.u64 == 7);
	close(d);
	CHECK(epoll_wait(ep, ev, 8, 0) == 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL) == -1 && errno == EBADF);
	close(q[1]);

	/* A wait woken by another thread, and a timeout. */
	wfd = p[1];
	pthread_create(&th, NULL, write_later, (void *)40);
	t0 = now_ms();
	CHECK(epoll_wait(ep, ev, 8, 5000) == 1 && ev[0].data.u64 == 1);
	CHECK(now_ms() - t0 >= 35);
	pthread_join(th, NULL);
	read(p[0], buf, sizeof(buf));
	t0 = now_ms();
	CHECK(epoll_wait(ep, ev, 8, 50) == 0);
	dt = now_ms() - t0;
	CHECK(dt >= 50 && dt < 50 + SLACK_MS); /* late only under a loaded host */

	/* timerfd and eventfd (EFD_SEMAPHORE) in one set. */
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	int efd = eventfd(0, EFD_SEMAPHORE | EFD_NONBLOCK);
	CHECK(add(ep, tfd, EPOLLIN, 10) == 0 && add(ep, efd, EPOLLIN, 11) == 0);
	struct itimerspec its = { { 0, 20000000 }, { 0, 20000000 } };
	CHECK(timerfd_settime(tfd, 0, &its, NULL) == 0);
	t0 = now_ms();
	CHECK(epoll_wait(ep, ev, 8, 2000) == 1 && ev[0].data.u64 == 10);
	CHECK(now_ms() - t0 >= 15);
	uint64_t n = 0;
	CHECK(read(tfd, &n, 8) == 8 && n >= 1);
	CHECK(epoll_wait(ep, ev, 8, 2000) == 1 && ev[0].data.u64 == 10);
	its = (struct itimerspec){ 0 };
	timerfd_settime(tfd, 0, &its, NULL);
	read(tfd, &n, 8);
	n = 3;
	write(efd, &n, 8);
	CHECK(epoll_wait(ep, ev, 8, 0) == 1 && ev[0].data.u64 == 11);
	int reads = 0;
	while (read(efd, &n, 8) == 8 && n == 1)
		reads++;
	CHECK(reads == 3 && errno == EAGAIN);
	CHECK(epoll_wait(ep, ev, 8, 0) == 0);

	/* Nested: an epoll in an epoll, and poll on an epoll fd. */
	int outer = epoll_create1(0);
	CHECK(add(outer, ep, EPOLLIN, 20) == 0);
	CHECK(add(ep, outer, EPOLLIN, 21) == -1 && errno == ELOOP);
	CHECK(epoll_wait(outer, ev, 8, 0) == 0);
	struct pollfd pf = { ep, POLLIN, 0 };
	CHECK(poll(&pf, 1, 0) == 0);
	write(p[1], "a", 1);
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN);
	CHECK(epoll_wait(outer, ev, 8, 0) == 1 && ev[0].data.u64 == 20);
	read(p[0], buf, sizeof(buf));
	pthread_create(&th, NULL, write_later, (void *)30);
	CHECK(epoll_wait(outer, ev, 8, 5000) == 1 && ev[0].data.u64 == 20);
	pthread_join(th, NULL);
	CHECK(epoll_wait(ep, ev, 8, 0) == 1 && ev[0].data.u64 == 1);
	read(p[0], buf, sizeof(buf));
	close(outer);

	/* epoll_pwait: SIGUSR1 blocked and pending, let through by the mask. */
	signal(SIGUSR1, on_usr1);
	sigset_t block, open_mask, cur;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	sigprocmask(SIG_BLOCK, NULL, &open_mask);
	sigdelset(&open_mask, SIGUSR1);
	CHECK(epoll_pwait(ep, ev, 8, 5000, &open_mask) == -1 && errno == EINTR);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(atomic_load(&usr1) == 1 && sigismember(&cur, SIGUSR1));
	struct timespec ts = { 0, 30000000 };
	t0 = now_ms();
	CHECK(syscall(SYS_epoll_pwait2, ep, ev, 8, &ts, NULL, 8) == 0);
	CHECK(now_ms() - t0 >= 30);

	close(tfd);
	close(efd);
	close(ep);
	close(p[0]);
	close(p[1]);
	return check_done();
}
