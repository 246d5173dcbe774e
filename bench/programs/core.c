/*
 * core.c - kernel-core micro-benchmarks, the same source for a uni image
 * and a Linux guest (bench/core builds and runs both).
 *
 * Layer: benchmark program (guest). POSIX C (pthreads, clock_gettime) plus
 * the Linux futex system call through syscall(2), which both kernels
 * provide; nothing here knows which kernel it runs on.
 *
 * Figures, each over a fixed number of iterations after a short warm-up,
 * timed with CLOCK_MONOTONIC:
 *   thread_create_join_per_s  pthread_create of a thread that returns at
 *                             once, then pthread_join, in a loop;
 *   futex_handoff_ns          two threads ping-pong through one word
 *                             with FUTEX_WAKE/FUTEX_WAIT (syscall(2));
 *                             time per one-way handoff, from one thread's
 *                             wake to the other running, half a round trip;
 *   condvar_handoff_ns        the same ping-pong with one mutex and a
 *                             condition variable a side;
 *   getppid_ns                a getppid() loop, time per call.
 *
 * Output, one line a figure, fields separated by one space:
 *   NAME VALUE iters=N elapsed_ms=T
 * between the lines "core: begin" and "core: end". A failure prints
 * "core: error ..." and exits 1.
 *
 *   core [PERCENT]   scale every iteration count (default 100; for quick
 *                    checks, e.g. 10)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The Linux futex ABI (linux/futex.h is not in musl's headers). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128

/*
 * Iteration counts: each figure takes 0.4-1 s in the Linux guest under QEMU
 * TCG (Linux 6.1, 2.1 GHz Xeon host) and 0.05-0.25 s in a uni image.
 */
#define THREAD_ITERS 1000
#define FUTEX_ROUNDS 40000 /* round trips: two handoffs each */
#define CONDVAR_ROUNDS 30000 /* round trips */
#define GETPPID_ITERS 1000000

static long scale = 100;

static long scaled(long n)
{
	long s = n * scale / 100;
	return s > 0 ? s : 1;
}

/* Report a failure (ERR: an errno value, or 0) and exit 1. */
static void die(const char *what, int err)
{
	if (err)
		printf("core: error %s: %s\n", what, strerror(err));
	else
		printf("core: error %s\n", what);
	exit(1);
}

static long long now_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		die("clock_gettime", 0);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void report(const char *name, double value, long iters, long long ns)
{
	printf("%s %.1f iters=%ld elapsed_ms=%.1f\n", name, value, iters,
	       ns / 1e6);
}

/* ---- thread create + join ---- */

static void *noop_thread(void *arg)
{
	return arg;
}

static void create_join(long n)
{
	for (long i = 0; i < n; i++) {
		pthread_t t;
		void *ret;
		int e = pthread_create(&t, NULL, noop_thread, (void *)i);
		if (e)
			die("pthread_create", e);
		e = pthread_join(t, &ret);
		if (e)
			die("pthread_join", e);
		if (ret != (void *)i)
			die("pthread_join result", 0);
	}
}

static void bench_threads(void)
{
	long n = scaled(THREAD_ITERS);
	create_join(n / 20 + 1);
	long long t0 = now_ns();
	create_join(n);
	long long dt = now_ns() - t0;
	report("thread_create_join_per_s", n * 1e9 / dt, n, dt);
}

/* ---- futex ping-pong ---- */

/*
 * One shared word: the main thread sets it to 1 and wakes the partner,
 * the partner sets it back to 0 and wakes the main thread; each waits
 * with FUTEX_WAIT while the word still holds its own last value. Raw
 * futex calls through syscall(2), no spinning: musl's semaphores and
 * mutexes spin 100 times on `pause` before they wait, and under TCG each
 * `pause` leaves the translated code, so a semaphore ping-pong would
 * measure mostly that spin (about 30 us a handoff here), not the kernel.
 */
static volatile int fx_word;
static long fx_rounds;

static void fx_wait(int val)
{
	while (__atomic_load_n(&fx_word, __ATOMIC_ACQUIRE) == val)
		syscall(SYS_futex, &fx_word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG,
			val, NULL, NULL, 0);
}

static void fx_set_wake(int val)
{
	__atomic_store_n(&fx_word, val, __ATOMIC_RELEASE);
	syscall(SYS_futex, &fx_word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1,
		NULL, NULL, 0);
}

static void *fx_partner(void *arg)
{
	(void)arg;
	for (long i = 0; i < fx_rounds; i++) {
		fx_wait(0);
		fx_set_wake(0);
	}
	return NULL;
}

static long long fx_pingpong(long rounds)
{
	pthread_t t;
	fx_rounds = rounds;
	fx_word = 0;
	int e = pthread_create(&t, NULL, fx_partner, NULL);
	if (e)
		die("pthread_create", e);
	long long t0 = now_ns();
	for (long i = 0; i < rounds; i++) {
		fx_set_wake(1);
		fx_wait(1);
	}
	long long dt = now_ns() - t0;
	pthread_join(t, NULL);
	return dt;
}

static void bench_futex(void)
{
	long n = scaled(FUTEX_ROUNDS);
	fx_pingpong(n / 20 + 1);
	long long dt = fx_pingpong(n);
	report("futex_handoff_ns", (double)dt / (2.0 * n), n, dt);
}

/* ---- mutex + condition variable ping-pong ---- */

static pthread_mutex_t cv_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv_ping = PTHREAD_COND_INITIALIZER;
static pthread_cond_t cv_pong = PTHREAD_COND_INITIALIZER;
static long cv_turn; /* even: the main thread's turn; odd: the partner's */
static long cv_rounds;

static void *cv_partner(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&cv_lock);
	for (long i = 0; i < cv_rounds; i++) {
		while (!(cv_turn & 1))
			pthread_cond_wait(&cv_ping, &cv_lock);
		cv_turn++;
		pthread_cond_signal(&cv_pong);
	}
	pthread_mutex_unlock(&cv_lock);
	return NULL;
}

static long long cv_pingpong(long rounds)
{
	pthread_t t;
	cv_rounds = rounds;
	cv_turn = 0;
	int e = pthread_create(&t, NULL, cv_partner, NULL);
	if (e)
		die("pthread_create", e);
	long long t0 = now_ns();
	pthread_mutex_lock(&cv_lock);
	for (long i = 0; i < rounds; i++) {
		cv_turn++;
		pthread_cond_signal(&cv_ping);
		while (cv_turn & 1)
			pthread_cond_wait(&cv_pong, &cv_lock);
	}
	pthread_mutex_unlock(&cv_lock);
	long long dt = now_ns() - t0;
	pthread_join(t, NULL);
	return dt;
}

static void bench_condvar(void)
{
	long n = scaled(CONDVAR_ROUNDS);
	cv_pingpong(n / 20 + 1);
	long long dt = cv_pingpong(n);
	report("condvar_handoff_ns", (double)dt / (2.0 * n), n, dt);
}

/* ---- no-op system call ---- */

static volatile pid_t sink;

static void getppid_loop(long n)
{
	for (long i = 0; i < n; i++)
		sink = getppid();
}

static void bench_getppid(void)
{
	long n = scaled(GETPPID_ITERS);
	getppid_loop(n / 20 + 1);
	long long t0 = now_ns();
	getppid_loop(n);
	long long dt = now_ns() - t0;
	report("getppid_ns", (double)dt / n, n, dt);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		char *end;
		scale = strtol(argv[1], &end, 10);
		if (*end || scale < 1 || scale > 10000) {
			fprintf(stderr, "usage: core [PERCENT]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("core: begin\n");
	bench_getppid();
	bench_threads();
	bench_futex();
	bench_condvar();
	printf("core: end\n");
	return 0;
}
