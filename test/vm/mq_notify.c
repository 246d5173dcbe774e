/* mq_notify.c - in-image test of mq_notify (src/kernel/ipc/mq_notify.c):
 * SIGEV_SIGNAL on the arrival of a message at an empty queue, with
 * si_code SI_MESGQ and the registered value, once (the registration is
 * then gone); nothing for a queue that was not empty or while a receiver
 * waits; EBUSY for a second registration, removal with NULL and by
 * closing a descriptor; SIGEV_NONE; the status line; EINVAL and EBADF;
 * SIGEV_THREAD through musl's netlink helper thread, or EOPNOTSUPP where
 * the kernel has no netlink_kernel_send. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "check.h"
#include "testutil.h"

static atomic_int got;
static volatile int got_code, got_value;

static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	got_code = si->si_code;
	got_value = si->si_value.sival_int;
	atomic_fetch_add(&got, 1);
}

static mqd_t qd;

static void *send_later(void *arg)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	msleep((int)(intptr_t)arg);
	mq_send(qd, "t", 1, 0);
	return NULL;
}

static atomic_int thread_calls;
static volatile int thread_value;
static void thread_fn(union sigval v)
{
	thread_value = v.sival_int;
	atomic_fetch_add(&thread_calls, 1);
}

static int status_has(mqd_t q, const char *s)
{
	char line[128];
	ssize_t n = pread(q, line, sizeof(line) - 1, 0);
	if (n <= 0)
		return 0;
	line[n] = 0;
	return strstr(line, s) != NULL;
}

int main(void)
{
	struct mq_attr a = { .mq_maxmsg = 4, .mq_msgsize = 16 };
	struct sigaction sa = { .sa_sigaction = on_usr1,
				.sa_flags = SA_SIGINFO };
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL,
			       .sigev_signo = SIGUSR1 };
	char buf[16];
	pthread_t th;
	mqd_t q2;

	sigaction(SIGUSR1, &sa, NULL);
	mq_unlink("/nt");
	qd = mq_open("/nt", O_CREAT | O_EXCL | O_RDWR, 0600, &a);
	CHECK(qd >= 0);

	/* One notification on empty -> non-empty, then deregistered. */
	ev.sigev_value.sival_int = 1234;
	CHECK(mq_notify(qd, &ev) == 0);
	CHECK(status_has(qd, "NOTIFY:0     SIGNO:10    NOTIFY_PID:1 "));
	errno = 0;
	CHECK(mq_notify(qd, &ev) == -1 && errno == EBUSY);
	CHECK(mq_send(qd, "m", 1, 0) == 0);
	CHECK(got == 1 && got_code == SI_MESGQ && got_value == 1234);
	CHECK(status_has(qd, "NOTIFY:0     SIGNO:0     NOTIFY_PID:0 "));
	CHECK(mq_receive(qd, buf, 16, NULL) == 1);
	CHECK(mq_send(qd, "m", 1, 0) == 0); /* not registered any more */
	CHECK(got == 1);

	/* A queue that is not empty does not notify. */
	CHECK(mq_notify(qd, &ev) == 0);
	CHECK(mq_send(qd, "m", 1, 0) == 0);
	CHECK(got == 1);
	CHECK(mq_receive(qd, buf, 16, NULL) == 1);
	CHECK(mq_receive(qd, buf, 16, NULL) == 1);
	CHECK(mq_send(qd, "m", 1, 0) == 0);
	CHECK(got == 2);
	CHECK(mq_receive(qd, buf, 16, NULL) == 1);

	/* NULL removes the registration. */
	CHECK(mq_notify(qd, &ev) == 0);
	CHECK(mq_notify(qd, NULL) == 0);
	CHECK(mq_notify(qd, NULL) == 0);
	CHECK(mq_send(qd, "m", 1, 0) == 0);
	CHECK(got == 2);
	CHECK(mq_receive(qd, buf, 16, NULL) == 1);

	/* A receiver waiting takes the message; no notification. */
	CHECK(mq_notify(qd, &ev) == 0);
	CHECK(pthread_create(&th, NULL, send_later, (void *)300) == 0);
	CHECK(mq_receive(qd, buf, 16, NULL) == 1);
	CHECK(pthread_join(th, NULL) == 0);
	CHECK(got == 2);
	CHECK(status_has(qd, "SIGNO:10 ")); /* still registered */

	/* Closing any descriptor of the queue ends the registration. */
	q2 = mq_open("/nt", O_RDWR);
	CHECK(q2 >= 0);
	CHECK(mq_close(q2) == 0);
	CHECK(mq_send(qd, "m", 1, 0) == 0);
	CHECK(got == 2);
	CHECK(mq_receive(qd, buf, 16, NULL) == 1);

	/* SIGEV_NONE: registered, consumed by the arrival, no signal. */
	ev.sigev_notify = SIGEV_NONE;
	CHECK(mq_notify(qd, &ev) == 0);
	CHECK(status_has(qd, "NOTIFY:1     SIGNO:0 "));
	CHECK(mq_send(qd, "m", 1, 0) == 0);
	CHECK(got == 2);
	CHECK(status_has(qd, "NOTIFY:0 "));
	CHECK(mq_notify(qd, &ev) == 0); /* free again */
	CHECK(mq_notify(qd, NULL) == 0);
	CHECK(mq_receive(qd, buf, 16, NULL) == 1);

	/* Errors. */
	ev.sigev_notify = 99;
	errno = 0;
	CHECK(mq_notify(qd, &ev) == -1 && errno == EINVAL);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = 65;
	errno = 0;
	CHECK(mq_notify(qd, &ev) == -1 && errno == EINVAL);
	ev.sigev_signo = SIGUSR1;
	errno = 0;
	CHECK(mq_notify(1, &ev) == -1 && errno == EBADF);
	errno = 0;
	CHECK(mq_notify(-1, NULL) == -1 && errno == EBADF);

	/* SIGEV_THREAD: musl's thread runs the function with the value when
	 * a message arrives; a removed registration calls nothing. Refused
	 * with EOPNOTSUPP when the kernel has no netlink_kernel_send. */
	ev.sigev_notify = SIGEV_THREAD;
	ev.sigev_notify_function = thread_fn;
	ev.sigev_notify_attributes = NULL;
	ev.sigev_value.sival_int = 77;
	errno = 0;
	if (mq_notify(qd, &ev) == -1) {
		printf("SIGEV_THREAD: refused\n");
		CHECK(errno == EOPNOTSUPP);
	} else {
		printf("SIGEV_THREAD: registered\n");
		CHECK(status_has(qd, "NOTIFY:2     SIGNO:0 "));
		errno = 0;
		CHECK(mq_notify(qd, &ev) == -1 && errno == EBUSY);
		CHECK(mq_send(qd, "m", 1, 0) == 0);
		for (int i = 0; i < 500 && !thread_calls; i++)
			msleep(10);
		CHECK(thread_calls == 1 && thread_value == 77);
		CHECK(mq_receive(qd, buf, 16, NULL) == 1);
		/* Removed: nothing is called, the queue is free again. */
		CHECK(mq_notify(qd, &ev) == 0);
		CHECK(mq_notify(qd, NULL) == 0);
		CHECK(mq_send(qd, "m", 1, 0) == 0);
		msleep(100);
		CHECK(thread_calls == 1);
		CHECK(mq_receive(qd, buf, 16, NULL) == 1);
		/* Not a netlink socket: EINVAL; not a socket: ENOTSOCK. */
		errno = 0;
		CHECK(syscall(SYS_mq_notify, qd, &(struct sigevent){
			.sigev_notify = SIGEV_THREAD, .sigev_signo = 1,
			.sigev_value.sival_ptr = buf }) == -1 &&
		      errno == ENOTSOCK);
		int us = socket(AF_UNIX, SOCK_DGRAM, 0);
		errno = 0;
		CHECK(syscall(SYS_mq_notify, qd, &(struct sigevent){
			.sigev_notify = SIGEV_THREAD, .sigev_signo = us,
			.sigev_value.sival_ptr = buf }) == -1 &&
		      errno == EINVAL);
		close(us);
	}
	ev.sigev_notify = SIGEV_SIGNAL;
	CHECK(mq_notify(qd, &ev) == 0);
	CHECK(mq_send(qd, "m", 1, 0) == 0);
	CHECK(got == 3);

	CHECK(mq_close(qd) == 0 && mq_unlink("/nt") == 0);
	return check_done();
}
