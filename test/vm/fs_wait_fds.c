/* fs_wait_fds.c - in-image test of eventfd, timerfd and signalfd (issue 4
 * item 7): eventfd's counter, EFD_SEMAPHORE, overflow rules, blocking and
 * non-blocking ends; timerfd one-shot, interval (expiration counts),
 * absolute times on both clocks, gettime and disarming; signalfd reading
 * a raised signal (consumed as sigwaitinfo would), poll readiness, a
 * blocking read woken by a signal sent from another thread, and the
 * errors of all three. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "testutil.h"

static int efd_shared;
static void *add_later(void *arg)
{
	uint64_t v = (uint64_t)(uintptr_t)arg;
	msleep(30);
	write(efd_shared, &v, 8);
	return NULL;
}

static void *kill_later(void *arg)
{
	msleep(30);
	kill(getpid(), (int)(intptr_t)arg);
	return NULL;
}

static void test_eventfd(void)
{
	uint64_t v;
	char small[4];
	struct stat st;
	pthread_t th;

	int e = eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(e >= 0 && fcntl(e, F_GETFD) == FD_CLOEXEC);
	CHECK(eventfd(0, 0x10) == -1 && errno == EINVAL);
	CHECK(fstat(e, &st) == 0 && (st.st_mode & S_IFMT) == 0);
	CHECK(read(e, small, 4) == -1 && errno == EINVAL);
	CHECK(write(e, small, 4) == -1 && errno == EINVAL);
	CHECK(read(e, &v, 8) == 8 && v == 5);
	CHECK(read(e, &v, 8) == -1 && errno == EAGAIN);
	v = 0xffffffffffffffffULL;
	CHECK(write(e, &v, 8) == -1 && errno == EINVAL);
	v = 0xfffffffffffffffeULL;
	CHECK(write(e, &v, 8) == 8);
	struct pollfd pf = { e, POLLIN | POLLOUT, 0 };
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN);
	v = 1;
	CHECK(write(e, &v, 8) == -1 && errno == EAGAIN);
	CHECK(read(e, &v, 8) == 8 && v == 0xfffffffffffffffeULL);
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLOUT);
	close(e);

	/* Semaphore mode, and a blocking reader woken by a thread. */
	e = eventfd(2, EFD_SEMAPHORE);
	CHECK(read(e, &v, 8) == 8 && v == 1);
	CHECK(read(e, &v, 8) == 8 && v == 1);
	efd_shared = e;
	uint64_t t0 = now_ms();
	pthread_create(&th, NULL, add_later, (void *)7);
	CHECK(read(e, &v, 8) == 8 && v == 1);
	CHECK(now_ms() - t0 >= 25);
	pthread_join(th, NULL);
	close(e);
	e = eventfd(0, 0);
	efd_shared = e;
	pthread_create(&th, NULL, add_later, (void *)9);
	CHECK(read(e, &v, 8) == 8 && v == 9);
	pthread_join(th, NULL);
	/* A writer blocked on overflow until a read. */
	v = 0xfffffffffffffff0ULL;
	write(e, &v, 8);
	pthread_create(&th, NULL, add_later, (void *)0x20);
	msleep(60);
	CHECK(read(e, &v, 8) == 8 && v == 0xfffffffffffffff0ULL);
	pthread_join(th, NULL);
	CHECK(read(e, &v, 8) == 8 && v == 0x20);
	close(e);
}

static void test_timerfd(void)
{
	struct itimerspec its, cur;
	uint64_t n, t0;
	struct timespec now;

	CHECK(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0) == -1 && errno == EINVAL);
	CHECK(timerfd_create(CLOCK_MONOTONIC, 0x4) == -1 && errno == EINVAL);
	int t = timerfd_create(CLOCK_MONOTONIC, 0);
	CHECK(t >= 0);
	CHECK(timerfd_gettime(t, &cur) == 0 && cur.it_value.tv_sec == 0 &&
	      cur.it_value.tv_nsec == 0);
	its = (struct itimerspec){ { 0, 0 }, { 0, 1000000000 } };
	CHECK(timerfd_settime(t, 0, &its, NULL) == -1 && errno == EINVAL);
	CHECK(timerfd_settime(t, 0x10, &its, NULL) == -1 && errno == EINVAL);
	int e = eventfd(0, 0);
	its.it_value.tv_nsec = 1000;
	CHECK(timerfd_settime(e, 0, &its, NULL) == -1 && errno == EINVAL);
	CHECK(timerfd_gettime(77, &cur) == -1 && errno == EBADF);
	close(e);

	/* One-shot, relative: the read blocks until it fires. */
	its = (struct itimerspec){ { 0, 0 }, { 0, 40000000 } };
	t0 = now_ms();
	CHECK(timerfd_settime(t, 0, &its, NULL) == 0);
	CHECK(timerfd_gettime(t, &cur) == 0 && cur.it_value.tv_sec == 0 &&
	      cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 40000000);
	CHECK(read(t, &n, 8) == 8 && n == 1);
	CHECK(now_ms() - t0 >= 40);
	CHECK(timerfd_gettime(t, &cur) == 0 && cur.it_value.tv_nsec == 0);

	/* Interval: expirations pile up while nobody reads. */
	its = (struct itimerspec){ { 0, 10000000 }, { 0, 10000000 } };
	CHECK(timerfd_settime(t, 0, &its, NULL) == 0);
	msleep(65);
	CHECK(read(t, &n, 8) == 8 && n >= 5 && n <= 8);
	printf("interval 10 ms, 65 ms: %llu expirations\n", (unsigned long long)n);
	CHECK(timerfd_gettime(t, &cur) == 0 && cur.it_interval.tv_nsec == 10000000);
	CHECK(read(t, &n, 8) == 8 && n >= 1);
	/* Disarm: the old value comes back; non-blocking read is EAGAIN. */
	its = (struct itimerspec){ 0 };
	CHECK(timerfd_settime(t, 0, &its, &cur) == 0 && cur.it_interval.tv_nsec == 10000000);
	fcntl(t, F_SETFL, O_NONBLOCK);
	CHECK(read(t, &n, 8) == -1 && errno == EAGAIN);

	/* Absolute on CLOCK_MONOTONIC. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	its = (struct itimerspec){ { 0, 0 }, { now.tv_sec, now.tv_nsec } };
	its.it_value.tv_nsec += 30000000;
	if (its.it_value.tv_nsec >= 1000000000) {
		its.it_value.tv_sec++;
		its.it_value.tv_nsec -= 1000000000;
	}
	t0 = now_ms();
	CHECK(timerfd_settime(t, TFD_TIMER_ABSTIME, &its, NULL) == 0);
	struct pollfd pf = { t, POLLIN, 0 };
	CHECK(poll(&pf, 1, 2000) == 1 && read(t, &n, 8) == 8 && n == 1);
	CHECK(now_ms() - t0 >= 25);
	close(t);

	/* Absolute on CLOCK_REALTIME, in the past with an interval: the
	 * missed periods count. */
	t = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	clock_gettime(CLOCK_REALTIME, &now);
	its = (struct itimerspec){ { 0, 100000000 }, { now.tv_sec - 1, now.tv_nsec } };
	CHECK(timerfd_settime(t, TFD_TIMER_ABSTIME, &its, NULL) == 0);
	pf.fd = t;
	CHECK(poll(&pf, 1, 2000) == 1 && read(t, &n, 8) == 8 && n >= 10 && n <= 12);
	printf("realtime 1 s in the past, 100 ms interval: %llu expirations\n",
	       (unsigned long long)n);
	/* Realtime, relative, 30 ms. */
	its = (struct itimerspec){ { 0, 0 }, { 0, 30000000 } };
	t0 = now_ms();
	CHECK(timerfd_settime(t, 0, &its, NULL) == 0);
	CHECK(poll(&pf, 1, 2000) == 1 && now_ms() - t0 >= 25);
	read(t, &n, 8);
	/* Far away: armed, reported, never due now. */
	its = (struct itimerspec){ { 0, 0 }, { 4102444800, 0 } }; /* 2100 */
	CHECK(timerfd_settime(t, TFD_TIMER_ABSTIME, &its, NULL) == 0);
	CHECK(timerfd_gettime(t, &cur) == 0 &&
	      cur.it_value.tv_sec > 4102444800 - now.tv_sec - 10 &&
	      cur.it_value.tv_sec <= 4102444800 - now.tv_sec);
	its = (struct itimerspec){ { 0, 0 }, { 0x7fffffffffffffff, 0 } };
	CHECK(timerfd_settime(t, 0, &its, NULL) == 0);
	CHECK(timerfd_gettime(t, &cur) == 0 && cur.it_value.tv_sec > 1000000000);
	CHECK(read(t, &n, 8) == -1 && errno == EAGAIN);
	close(t);
}

static void test_signalfd(void)
{
	struct signalfd_siginfo si;
	sigset_t set, pend;
	pthread_t th;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigdelset(&set, SIGUSR2);

	int s = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	CHECK(s >= 0 && fcntl(s, F_GETFD) == FD_CLOEXEC);
	CHECK(signalfd(-1, &set, 0x10) == -1 && errno == EINVAL);
	CHECK(syscall(SYS_signalfd4, -1, &set, 4, 0) == -1 && errno == EINVAL);
	CHECK(signalfd(77, &set, 0) == -1 && errno == EBADF);
	int e = eventfd(0, 0);
	CHECK(signalfd(e, &set, 0) == -1 && errno == EINVAL);
	close(e);
	CHECK(read(s, &si, sizeof(si)) == -1 && errno == EAGAIN);
	CHECK(read(s, &si, sizeof(si) - 1) == -1 && errno == EINVAL);

	struct pollfd pf = { s, POLLIN, 0 };
	CHECK(poll(&pf, 1, 0) == 0);
	raise(SIGUSR1);
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN);
	memset(&si, 0, sizeof(si));
	CHECK(read(s, &si, sizeof(si)) == sizeof(si));
	CHECK(si.ssi_signo == SIGUSR1 && si.ssi_code == SI_TKILL &&
	      si.ssi_pid == (uint32_t)getpid());
	sigpending(&pend);
	CHECK(!sigismember(&pend, SIGUSR1));
	CHECK(read(s, &si, sizeof(si)) == -1 && errno == EAGAIN);

	/* Not in the mask: stays pending. Then the mask is changed. */
	raise(SIGUSR2);
	CHECK(read(s, &si, sizeof(si)) == -1 && errno == EAGAIN);
	sigaddset(&set, SIGUSR2);
	CHECK(signalfd(s, &set, 0) == s);
	/* Two pending, both in one read. */
	raise(SIGUSR1);
	struct signalfd_siginfo two[3];
	CHECK(read(s, two, sizeof(two)) == 2 * sizeof(si));
	CHECK(two[0].ssi_signo == SIGUSR1 && two[1].ssi_signo == SIGUSR2);

	/* A blocking read woken by kill() from another thread. */
	fcntl(s, F_SETFL, 0);
	uint64_t t0 = now_ms();
	pthread_create(&th, NULL, kill_later, (void *)SIGUSR2);
	CHECK(read(s, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGUSR2 &&
	      si.ssi_code == SI_USER);
	CHECK(now_ms() - t0 >= 25);
	pthread_join(th, NULL);
	/* And poll woken the same way. */
	pf.revents = 0;
	pthread_create(&th, NULL, kill_later, (void *)SIGUSR1);
	CHECK(poll(&pf, 1, 5000) == 1 && pf.revents == POLLIN);
	pthread_join(th, NULL);
	CHECK(read(s, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGUSR1);
	/* In an epoll set: a raised signal makes it ready. */
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 };
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev) == 0);
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0);
	raise(SIGUSR2);
	CHECK(epoll_wait(ep, &ev, 1, 0) == 1 && ev.data.u64 == 42);
	CHECK(read(s, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGUSR2);
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0);
	close(ep);
	close(s);
}

int main(void)
{
	test_eventfd();
	test_timerfd();
	test_signalfd();
	return check_done();
}
