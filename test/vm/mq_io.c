/* mq_io.c - in-image test of sending and receiving on POSIX message
 * queues (src/kernel/ipc/mqueue.c): priority order (FIFO within one
 * priority), EMSGSIZE, EBADF by access mode, EINVAL for a priority out of
 * range, O_NONBLOCK's EAGAIN, absolute CLOCK_REALTIME timeouts (an
 * invalid one only matters when the call would block), a blocked receive
 * woken by a sender thread and a blocked send by a receiver, EINTR from a
 * signal handler, poll/select readiness and a poll or epoll_wait woken
 * by a send. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "testutil.h"

static mqd_t qd;

static void *send_later(void *arg)
{
	sigset_t all;

	/* SIGALRM is for the main thread's receive. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	msleep((int)(intptr_t)arg);
	mq_send(qd, "late", 4, 7);
	return NULL;
}

static void *receive_later(void *arg)
{
	char buf[64];
	msleep((int)(intptr_t)arg);
	return (void *)(intptr_t)mq_receive(qd, buf, sizeof(buf), NULL);
}

static void on_alarm(int sig) { (void)sig; }

/* An absolute CLOCK_REALTIME time ms from now. */
static struct timespec in_ms(int ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (ms % 1000) * 1000000L;
	ts.tv_sec += ms / 1000 + ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	return ts;
}

int main(void)
{
	struct mq_attr a = { .mq_maxmsg = 4, .mq_msgsize = 64 };
	static const unsigned prios[] = { 1, 5, 1, 0 };
	static const char *bodies[] = { "a1", "b5", "c1", "d0" };
	char buf[64];
	unsigned prio;
	uint64_t t0, dt;
	pthread_t th;
	void *res;
	struct timespec ts;

	mq_unlink("/io");
	qd = mq_open("/io", O_CREAT | O_EXCL | O_RDWR, 0600, &a);
	CHECK(qd >= 0);

	/* Order: highest priority first, FIFO within a priority. */
	for (int i = 0; i < 4; i++)
		CHECK(mq_send(qd, bodies[i], 2, prios[i]) == 0);
	struct mq_attr o;
	CHECK(mq_getattr(qd, &o) == 0 && o.mq_curmsgs == 4);
	static const char *order[] = { "b5", "a1", "c1", "d0" };
	for (int i = 0; i < 4; i++) {
		memset(buf, 0, sizeof(buf));
		CHECK(mq_receive(qd, buf, sizeof(buf), &prio) == 2 &&
		      !strcmp(buf, order[i]));
	}
	CHECK(prio == 0);
	CHECK(mq_send(qd, "", 0, 32767) == 0); /* empty message, top prio */
	CHECK(mq_receive(qd, buf, sizeof(buf), &prio) == 0 && prio == 32767);

	/* Argument errors. */
	errno = 0;
	CHECK(mq_send(qd, "x", 1, 32768) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(mq_send(qd, buf, 65, 0) == -1 && errno == EMSGSIZE);
	errno = 0;
	CHECK(mq_receive(qd, buf, 63, NULL) == -1 && errno == EMSGSIZE);
	errno = 0;
	CHECK(mq_send(qd, (char *)8, 1, 0) == -1 && errno == EFAULT);
	CHECK(mq_send(qd, "kept", 4, 0) == 0);
	errno = 0;
	CHECK(mq_receive(qd, (char *)8, 64, NULL) == -1 && errno == EFAULT);
	CHECK(mq_receive(qd, buf, 64, NULL) == 4); /* not lost by the fault */
	mqd_t ro = mq_open("/io", O_RDONLY), wo = mq_open("/io", O_WRONLY);
	CHECK(ro >= 0 && wo >= 0);
	errno = 0;
	CHECK(mq_send(ro, "x", 1, 0) == -1 && errno == EBADF);
	errno = 0;
	CHECK(mq_receive(wo, buf, 64, NULL) == -1 && errno == EBADF);
	CHECK(mq_send(wo, "w", 1, 0) == 0 &&
	      mq_receive(ro, buf, 64, NULL) == 1);

	/* Non-blocking: EAGAIN on an empty and on a full queue. */
	mqd_t nb = mq_open("/io", O_RDWR | O_NONBLOCK);
	errno = 0;
	CHECK(mq_receive(nb, buf, 64, NULL) == -1 && errno == EAGAIN);
	for (int i = 0; i < 4; i++)
		CHECK(mq_send(nb, "f", 1, 0) == 0);
	errno = 0;
	CHECK(mq_send(nb, "f", 1, 0) == -1 && errno == EAGAIN);
	/* ... and never times out or checks the timeout. */
	ts = (struct timespec){ 0, -1 };
	errno = 0;
	CHECK(mq_timedsend(nb, "f", 1, 0, &ts) == -1 && errno == EAGAIN);

	/* A full queue: the timeout's validity matters only now. */
	errno = 0;
	CHECK(mq_timedsend(qd, "f", 1, 0, &ts) == -1 && errno == EINVAL);
	ts = (struct timespec){ 0, 1000000000 };
	errno = 0;
	CHECK(mq_timedsend(qd, "f", 1, 0, &ts) == -1 && errno == EINVAL);
	ts = in_ms(300);
	t0 = now_ms();
	errno = 0;
	CHECK(mq_timedsend(qd, "f", 1, 0, &ts) == -1 && errno == ETIMEDOUT);
	dt = now_ms() - t0;
	printf("timed send waited %llu ms\n", (unsigned long long)dt);
	CHECK(dt >= 290 && dt < 300 + SLACK_MS);
	ts = (struct timespec){ 1, 0 }; /* long past */
	errno = 0;
	CHECK(mq_timedsend(qd, "f", 1, 0, &ts) == -1 && errno == ETIMEDOUT);

	/* A blocked send is woken by a receiver thread. */
	CHECK(pthread_create(&th, NULL, receive_later, (void *)200) == 0);
	t0 = now_ms();
	CHECK(mq_send(qd, "g", 1, 0) == 0);
	dt = now_ms() - t0;
	CHECK(dt >= 150);
	CHECK(pthread_join(th, &res) == 0 && (intptr_t)res == 1);
	for (int i = 0; i < 4; i++)
		CHECK(mq_receive(qd, buf, 64, NULL) == 1);
	/* Valid timeout on a non-empty queue: no wait; bad one: no check. */
	CHECK(mq_send(qd, "h", 1, 2) == 0);
	ts = (struct timespec){ 0, -5 };
	CHECK(mq_timedreceive(qd, buf, 64, &prio, &ts) == 1 && prio == 2);
	errno = 0;
	CHECK(mq_timedreceive(qd, buf, 64, &prio, &ts) == -1 &&
	      errno == EINVAL);
	ts = in_ms(200);
	t0 = now_ms();
	errno = 0;
	CHECK(mq_timedreceive(qd, buf, 64, NULL, &ts) == -1 &&
	      errno == ETIMEDOUT);
	dt = now_ms() - t0;
	CHECK(dt >= 190 && dt < 200 + SLACK_MS);

	/* A blocked receive is woken by a sender thread. */
	CHECK(pthread_create(&th, NULL, send_later, (void *)200) == 0);
	t0 = now_ms();
	memset(buf, 0, sizeof(buf));
	CHECK(mq_receive(qd, buf, 64, &prio) == 4 && !strcmp(buf, "late") &&
	      prio == 7);
	dt = now_ms() - t0;
	CHECK(dt >= 150 && dt < 200 + SLACK_MS);
	CHECK(pthread_join(th, NULL) == 0);
	/* The same with a timeout that does not expire. */
	CHECK(pthread_create(&th, NULL, send_later, (void *)100) == 0);
	ts = in_ms(5000);
	CHECK(mq_timedreceive(qd, buf, 64, NULL, &ts) == 4);
	CHECK(pthread_join(th, NULL) == 0);

	/* A signal without SA_RESTART interrupts a blocked receive. */
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	errno = 0;
	t0 = now_ms();
	CHECK(mq_receive(qd, buf, 64, NULL) == -1 && errno == EINTR);
	CHECK(now_ms() - t0 >= 900);
	/* With SA_RESTART the receive goes on until a message comes. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	CHECK(pthread_create(&th, NULL, send_later, (void *)1500) == 0);
	alarm(1);
	CHECK(mq_receive(qd, buf, 64, NULL) == 4);
	CHECK(pthread_join(th, NULL) == 0);

	/* poll and select: readable when not empty, writable when not
	 * full; a poll is woken by a send. */
	struct pollfd pf = { qd, POLLIN | POLLOUT, 0 };
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLOUT);
	CHECK(mq_send(qd, "p", 1, 0) == 0);
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == (POLLIN | POLLOUT));
	for (int i = 0; i < 3; i++)
		CHECK(mq_send(qd, "p", 1, 0) == 0);
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN);
	fd_set rs, ws;
	struct timeval tv = { 0, 0 };
	FD_ZERO(&rs);
	FD_ZERO(&ws);
	FD_SET(qd, &rs);
	FD_SET(qd, &ws);
	CHECK(select(qd + 1, &rs, &ws, NULL, &tv) == 1 && FD_ISSET(qd, &rs) &&
	      !FD_ISSET(qd, &ws));
	for (int i = 0; i < 4; i++)
		CHECK(mq_receive(qd, buf, 64, NULL) == 1);
	CHECK(pthread_create(&th, NULL, send_later, (void *)200) == 0);
	pf.events = POLLIN;
	t0 = now_ms();
	CHECK(poll(&pf, 1, 5000) == 1 && pf.revents == POLLIN);
	CHECK(now_ms() - t0 >= 150);
	CHECK(pthread_join(th, NULL) == 0);
	FD_ZERO(&rs);
	FD_SET(qd, &rs);
	tv.tv_sec = 1;
	CHECK(select(qd + 1, &rs, NULL, NULL, &tv) == 1 && FD_ISSET(qd, &rs));
	CHECK(mq_receive(qd, buf, 64, NULL) == 4);
	/* epoll: readable after a send from another thread. */
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 42 };
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, qd, &ev) == 0);
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0);
	CHECK(pthread_create(&th, NULL, send_later, (void *)100) == 0);
	CHECK(epoll_wait(ep, &ev, 1, 5000) == 1 && ev.data.u32 == 42 &&
	      ev.events == EPOLLIN);
	CHECK(pthread_join(th, NULL) == 0);
	CHECK(mq_receive(qd, buf, 64, NULL) == 4);
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0);
	close(ep);

	CHECK(mq_close(ro) == 0 && mq_close(wo) == 0 && mq_close(nb) == 0);
	CHECK(mq_close(qd) == 0 && mq_unlink("/io") == 0);
	return check_done();
}
