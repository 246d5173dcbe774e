/* poll.c - in-image test of poll, ppoll, select and pselect (issue 4 item
 * 8): readiness of pipes and eventfds, POLLNVAL and EBADF, nfds limits,
 * timeouts that wait as long as asked and not much more, the time left
 * written back by select, a wake-up from another thread, EINTR, and the
 * signal mask of ppoll/pselect applied only during the wait. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "testutil.h"


static atomic_int usr1;
static void on_usr1(int sig) { (void)sig; atomic_fetch_add(&usr1, 1); }
static void on_alarm(int sig) { (void)sig; }

static int wfd;
static void *write_later(void *arg)
{
	msleep((int)(intptr_t)arg);
	write(wfd, "x", 1);
	return NULL;
}

static int blocked(int sig)
{
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, sig);
}

int main(void)
{
	int p[2], e;
	char c;
	uint64_t t0, dt;
	pthread_t th;

	CHECK(pipe(p) == 0);
	e = eventfd(0, EFD_NONBLOCK);

	/* poll: readiness, POLLNVAL, negative fds, limits. */
	struct pollfd pf[4] = {
		{ p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 }, { 99, POLLIN, 0 },
		{ -1, POLLIN, 0 },
	};
	CHECK(poll(pf, 4, 0) == 2);
	CHECK(pf[0].revents == 0 && pf[1].revents == POLLOUT);
	CHECK(pf[2].revents == POLLNVAL && pf[3].revents == 0);
	write(p[1], "a", 1);
	CHECK(poll(pf, 1, 0) == 1 && pf[0].revents == POLLIN);
	read(p[0], &c, 1);
	pf[0].events = POLLRDNORM;
	write(p[1], "a", 1);
	CHECK(poll(pf, 1, 0) == 1 && pf[0].revents == POLLRDNORM);
	read(p[0], &c, 1);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	CHECK(poll(pf, rl.rlim_cur + 1, 0) == -1 && errno == EINVAL);
	CHECK(poll((struct pollfd *)16, 1, 0) == -1 && errno == EFAULT);

	/* poll timeouts: as long as asked, not much more. */
	pf[0] = (struct pollfd){ p[0], POLLIN, 0 };
	t0 = now_ms();
	CHECK(poll(pf, 1, 50) == 0);
	dt = now_ms() - t0;
	printf("poll 50 ms took %llu ms\n", (unsigned long long)dt);
	CHECK(dt >= 50 && dt < 50 + SLACK_MS);
	t0 = now_ms();
	CHECK(poll(NULL, 0, 30) == 0);
	CHECK(now_ms() - t0 >= 30);

	/* poll woken by another thread; eventfd readiness. */
	wfd = p[1];
	pthread_create(&th, NULL, write_later, (void *)40);
	t0 = now_ms();
	struct pollfd two[2] = { { e, POLLIN, 0 }, { p[0], POLLIN, 0 } };
	CHECK(poll(two, 2, 5000) == 1 && two[1].revents == POLLIN && !two[0].revents);
	dt = now_ms() - t0;
	CHECK(dt >= 35 && dt < 40 + SLACK_MS);
	pthread_join(th, NULL);
	read(p[0], &c, 1);
	uint64_t one = 1;
	write(e, &one, 8);
	CHECK(poll(two, 2, 0) == 1 && two[0].revents == POLLIN);
	read(e, &one, 8);

	/* select: readiness, EBADF, EINVAL, timeouts and the time left. */
	fd_set r, w;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	struct timeval tv = { 0, 0 };
	CHECK(select(p[1] + 1, &r, &w, NULL, &tv) == 1);
	CHECK(!FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w));
	FD_ZERO(&r);
	FD_SET(90, &r);
	CHECK(select(91, &r, NULL, NULL, &tv) == -1 && errno == EBADF);
	CHECK(select(-1, NULL, NULL, NULL, &tv) == -1 && errno == EINVAL);
	tv.tv_usec = -1;
	CHECK(select(1, NULL, NULL, NULL, &tv) == -1 && errno == EINVAL);

	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 0, 50000 };
	t0 = now_ms();
	CHECK(syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &tv) == 0);
	dt = now_ms() - t0;
	printf("select 50 ms took %llu ms\n", (unsigned long long)dt);
	CHECK(dt >= 50 && dt < 50 + SLACK_MS);
	CHECK(!FD_ISSET(p[0], &r) && tv.tv_sec == 0 && tv.tv_usec == 0);

	/* An endless timeout with a ready descriptor. */
	tv = (struct timeval){ 0x7fffffffffffffff, 0 };
	CHECK(syscall(SYS_select, p[1] + 1, NULL, &w, NULL, &tv) == 1);
	struct timespec forever = { 0x7fffffffffffffff, 0 };
	CHECK(ppoll(&pf[1], 1, &forever, NULL) == 1);

	/* The time left comes back: ready after ~40 ms of 2 s. */
	pthread_create(&th, NULL, write_later, (void *)40);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 2, 0 };
	CHECK(syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &tv) == 1 && FD_ISSET(p[0], &r));
	long left_ms = tv.tv_sec * 1000 + tv.tv_usec / 1000;
	printf("select left %ld ms of 2000\n", left_ms);
	CHECK(left_ms <= 1965 && left_ms > 2000 - 40 - SLACK_MS);
	pthread_join(th, NULL);
	read(p[0], &c, 1);

	/* EINTR: a handler interrupts an endless poll and select. */
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 0 }, { 0, 30000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK(poll(pf, 1, -1) == -1 && errno == EINTR);
	setitimer(ITIMER_REAL, &it, NULL);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	CHECK(select(p[0] + 1, &r, NULL, NULL, NULL) == -1 && errno == EINTR);

	/* ppoll: SIGUSR1 blocked and pending; a mask that lets it through
	 * ends the wait with EINTR and runs the handler; afterwards it is
	 * blocked again. */
	signal(SIGUSR1, on_usr1);
	sigset_t block, open_mask, keep;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	CHECK(atomic_load(&usr1) == 0);
	sigprocmask(SIG_BLOCK, NULL, &open_mask);
	keep = open_mask;
	sigdelset(&open_mask, SIGUSR1);
	struct timespec ts = { 5, 0 };
	write(p[1], "r", 1);
	/* A mask that keeps it blocked: ready at once, no handler. */
	CHECK(ppoll(pf, 1, &ts, &keep) == 1);
	CHECK(atomic_load(&usr1) == 0 && blocked(SIGUSR1));
	read(p[0], &c, 1);
	t0 = now_ms();
	CHECK(ppoll(pf, 1, &ts, &open_mask) == -1 && errno == EINTR);
	CHECK(now_ms() - t0 < 1000);
	CHECK(atomic_load(&usr1) == 1);
	CHECK(blocked(SIGUSR1));
	/* ppoll timeout and bad arguments. */
	ts = (struct timespec){ 0, 40000000 };
	t0 = now_ms();
	CHECK(ppoll(pf, 1, &ts, NULL) == 0);
	CHECK(now_ms() - t0 >= 40);
	ts.tv_nsec = 1000000000;
	CHECK(ppoll(pf, 1, &ts, NULL) == -1 && errno == EINVAL);
	ts.tv_nsec = 0;
	CHECK(syscall(SYS_ppoll, pf, 1, &ts, &block, 4) == -1 && errno == EINVAL);

	/* pselect: the same with select. */
	raise(SIGUSR1);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	ts = (struct timespec){ 5, 0 };
	CHECK(pselect(p[0] + 1, &r, NULL, NULL, &ts, &open_mask) == -1 && errno == EINTR);
	CHECK(atomic_load(&usr1) == 2 && blocked(SIGUSR1));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	ts = (struct timespec){ 0, 30000000 };
	t0 = now_ms();
	CHECK(pselect(p[0] + 1, &r, NULL, NULL, &ts, &keep) == 0);
	CHECK(now_ms() - t0 >= 30);

	close(p[0]);
	close(p[1]);
	close(e);
	return check_done();
}
