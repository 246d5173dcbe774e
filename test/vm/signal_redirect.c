/* signal_redirect.c - in-image test: a signal handler that moves the
 * interrupted program counter (uc_mcontext RIP) is obeyed when the signal
 * is delivered at a syscall's exit (src/kernel/signal/signal.c,
 * sig_syscall_exit), as it is on return from an interrupt. musl's cancel
 * handler relies on it: with PTHREAD_CANCEL_ASYNCHRONOUS it sends the
 * thread to __cp_cancel that way, so a thread blocked in a syscall that is
 * not a cancellation point (a raw futex wait, sched_yield) is cancelled.
 * Run by CTest (test/vm/CMakeLists.txt, test "signal_redirect"). */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include "check.h"

#define FUTEX_WAIT 0 /* futex(2); musl ships no <linux/futex.h> */

static atomic_int ready, landed_count;
static int word; /* nobody wakes this futex */

static void pause_ms(long ms)
{
	struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&d, NULL);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The handler's new program counter: entered by a jump, never returns. */
static void landed(void)
{
	atomic_fetch_add(&landed_count, 1);
	pthread_exit((void *)42);
}

static void to_landed(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	(void)sig;
	(void)si;
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)landed;
}

/* Blocked in FUTEX_WAIT issued through syscall(): SA_RESTART would re-run
 * it, unless the moved RIP is honoured. */
static void *futex_blocked(void *arg)
{
	(void)arg;
	atomic_store(&ready, 1);
	for (;;)
		syscall(SYS_futex, &word, FUTEX_WAIT, 0, NULL, NULL, 0);
	return NULL;
}

static void test_handler_moves_rip(void)
{
	struct sigaction sa = { .sa_sigaction = to_landed,
				.sa_flags = SA_SIGINFO | SA_RESTART };
	pthread_t th;
	void *res = NULL;

	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	atomic_store(&ready, 0);
	pthread_create(&th, NULL, futex_blocked, NULL);
	while (!atomic_load(&ready))
		sched_yield();
	pause_ms(30); /* it is in the futex wait now */
	CHECK(pthread_kill(th, SIGUSR1) == 0);
	CHECK(pthread_join(th, &res) == 0 && res == (void *)42);
	CHECK(atomic_load(&landed_count) == 1);
	signal(SIGUSR1, SIG_DFL);
}

static void *async_in_futex(void *arg)
{
	(void)arg;
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
	atomic_store(&ready, 1);
	for (;;)
		syscall(SYS_futex, &word, FUTEX_WAIT, 0, NULL, NULL, 0);
	return NULL;
}

static void *async_yielding(void *arg)
{
	(void)arg;
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
	atomic_store(&ready, 1);
	for (;;)
		sched_yield(); /* a syscall, not a cancellation point */
	return NULL;
}

static void cancel_one(void *(*fn)(void *))
{
	pthread_t th;
	void *res = NULL;
	uint64_t t0;

	atomic_store(&ready, 0);
	pthread_create(&th, NULL, fn, NULL);
	while (!atomic_load(&ready))
		sched_yield();
	pause_ms(30);
	t0 = now_ns();
	CHECK(pthread_cancel(th) == 0);
	CHECK(pthread_join(th, &res) == 0 && res == PTHREAD_CANCELED);
	CHECK(now_ns() - t0 < 2000000000ull);
}

int main(void)
{
	alarm(20); /* a thread that is never cancelled fails fast */
	test_handler_moves_rip();
	cancel_one(async_in_futex);
	cancel_one(async_yielding);
	return check_done();
}
