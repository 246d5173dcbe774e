/* threads.c - in-image test of threads and the scheduler: many threads
 * created and joined, a mutex-protected counter, a condition variable,
 * preemption of a spinning thread, per-thread TLS and FPU state, detached
 * threads, sched_yield/sched_getaffinity, and the measured figures
 * (create+join rate, futex wake-to-run, no-op syscall cost). */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* --- many threads ------------------------------------------------------- */

static void *ret_arg(void *p)
{
	return p;
}

static void test_many(void)
{
	enum { N = 2000 };
	static pthread_t t[N];
	pthread_attr_t a;
	int created = 0, joined_ok = 0;

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 16384);
	for (int i = 0; i < N; i++)
		if (pthread_create(&t[i], &a, ret_arg, (void *)(intptr_t)i) == 0)
			created++;
		else
			break;
	for (int i = 0; i < created; i++) {
		void *r;
		if (pthread_join(t[i], &r) == 0 && r == (void *)(intptr_t)i)
			joined_ok++;
	}
	CHECK(created == N);
	CHECK(joined_ok == N);
}

/* --- mutex counter ------------------------------------------------------- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *hammer(void *p)
{
	for (int i = 0; i < 3000; i++) {
		pthread_mutex_lock(&mu);
		long c = counter;
		if ((i & 63) == 0)
			sched_yield(); /* inside the lock: others must wait */
		counter = c + 1;
		pthread_mutex_unlock(&mu);
	}
	return p;
}

static void test_mutex(void)
{
	pthread_t t[64];
	int ok = 1;

	for (int i = 0; i < 64; i++)
		ok &= pthread_create(&t[i], NULL, hammer, NULL) == 0;
	for (int i = 0; i < 64; i++)
		ok &= pthread_join(t[i], NULL) == 0;
	CHECK(ok);
	CHECK(counter == 64L * 3000);
}

/* --- producer/consumer --------------------------------------------------- */

static pthread_mutex_t qmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qnonempty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t qnonfull = PTHREAD_COND_INITIALIZER;
static int queue[8], qhead, qcount;
enum { ITEMS = 20000 };

static void *producer(void *p)
{
	for (int i = 1; i <= ITEMS; i++) {
		pthread_mutex_lock(&qmu);
		while (qcount == 8)
			pthread_cond_wait(&qnonfull, &qmu);
		queue[(qhead + qcount++) % 8] = i;
		pthread_cond_signal(&qnonempty);
		pthread_mutex_unlock(&qmu);
	}
	return p;
}

static void *consumer(void *p)
{
	long sum = 0;
	for (int i = 0; i < ITEMS / 2; i++) {
		pthread_mutex_lock(&qmu);
		while (qcount == 0)
			pthread_cond_wait(&qnonempty, &qmu);
		sum += queue[qhead];
		qhead = (qhead + 1) % 8;
		qcount--;
		pthread_cond_signal(&qnonfull);
		pthread_mutex_unlock(&qmu);
	}
	*(long *)p = sum;
	return NULL;
}

static void test_condvar(void)
{
	pthread_t p, c1, c2;
	long s1 = 0, s2 = 0;

	pthread_create(&c1, NULL, consumer, &s1);
	pthread_create(&c2, NULL, consumer, &s2);
	pthread_create(&p, NULL, producer, NULL);
	pthread_join(p, NULL);
	pthread_join(c1, NULL);
	pthread_join(c2, NULL);
	CHECK(s1 + s2 == (long)ITEMS * (ITEMS + 1) / 2);
}

/* --- preemption ---------------------------------------------------------- */

static atomic_int stop_spin;
static volatile long spins;

static void *spinner(void *p)
{
	while (!atomic_load(&stop_spin))
		spins++;
	return p;
}

static void *worker(void *p)
{
	volatile long x = 0;
	for (long i = 0; i < 2000000; i++)
		x += i;
	*(long *)p = x;
	return NULL;
}

static void test_preempt(void)
{
	pthread_t s, w;
	long r = 0;

	pthread_create(&s, NULL, spinner, NULL);
	sched_yield(); /* let the spinner take the CPU */
	pthread_create(&w, NULL, worker, &r);
	pthread_join(w, NULL);
	atomic_store(&stop_spin, 1);
	pthread_join(s, NULL);
	CHECK(r == 2000000L * 1999999 / 2);
	CHECK(spins > 0);
}

/* --- TLS and FPU state across preemption ---------------------------------- */

static __thread int tls_value;

static void *fpu_worker(void *p)
{
	int id = (int)(intptr_t)p;
	double acc = 0;

	tls_value = id;
	for (int i = 1; i <= 3000000; i++)
		acc += 1.0 / ((double)i * (double)i) * id;
	/* sum 1/i^2 * id ~ id * pi^2/6 */
	double want = id * 1.6449337668;
	int fpu_ok = acc > want - 1e-6 && acc < want + 1e-6;
	return (void *)(intptr_t)(fpu_ok && tls_value == id);
}

static void test_fpu_tls(void)
{
	pthread_t t[4];
	int ok = 1;

	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, fpu_worker, (void *)(intptr_t)(i + 1));
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		ok &= r == (void *)1;
	}
	CHECK(ok);
}

/* --- registers and the red zone across preemption ------------------------ */

/* Fill the 128-byte red zone below %rsp and r8-r15 with a pattern, spin,
 * and count the words that changed. Two of these run at once, so the
 * time slice preempts each many times in the middle of the loop. */
static long redzone_spin(long seed, long iters)
{
	long bad;

	__asm__ volatile(
		"mov %[seed], %%r8\n\t"
		"lea 1(%%r8), %%r9\n\t"
		"lea 2(%%r8), %%r10\n\t"
		"lea 3(%%r8), %%r11\n\t"
		"lea 4(%%r8), %%r12\n\t"
		"lea 5(%%r8), %%r13\n\t"
		"lea 6(%%r8), %%r14\n\t"
		"lea 7(%%r8), %%r15\n\t"
		"mov $16, %%ecx\n"
		"1:\tmov %%r8, %%rax\n\t"
		"add %%rcx, %%rax\n\t"
		"mov %%rax, -136(%%rsp,%%rcx,8)\n\t"
		"dec %%ecx\n\t"
		"jnz 1b\n\t"
		"xor %[bad], %[bad]\n"
		"2:\tmov $16, %%ecx\n"
		"3:\tmov %%r8, %%rax\n\t"
		"add %%rcx, %%rax\n\t"
		"cmp %%rax, -136(%%rsp,%%rcx,8)\n\t"
		"je 4f\n\t"
		"inc %[bad]\n"
		"4:\tdec %%ecx\n\t"
		"jnz 3b\n\t"
		"lea 7(%%r8), %%rax\n\t"
		"cmp %%rax, %%r15\n\t"
		"je 5f\n\t"
		"inc %[bad]\n"
		"5:\tlea 3(%%r8), %%rax\n\t"
		"cmp %%rax, %%r11\n\t"
		"je 6f\n\t"
		"inc %[bad]\n"
		"6:\tdec %[iters]\n\t"
		"jnz 2b\n\t"
		: [bad] "=&r"(bad), [iters] "+r"(iters)
		: [seed] "r"(seed)
		: "rax", "rcx", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
		  "r15", "memory", "cc");
	return bad;
}

static void *redzone_thread(void *p)
{
	return (void *)redzone_spin((long)(intptr_t)p, 3000000);
}

static void test_redzone(void)
{
	pthread_t a, b;
	void *ra, *rb;

	pthread_create(&a, NULL, redzone_thread, (void *)(intptr_t)1000);
	pthread_create(&b, NULL, redzone_thread, (void *)(intptr_t)5000);
	pthread_join(a, &ra);
	pthread_join(b, &rb);
	CHECK(ra == NULL && rb == NULL);
}

/* --- detached threads ---------------------------------------------------- */

static atomic_int detached_done;

static void *detached(void *p)
{
	atomic_fetch_add(&detached_done, 1);
	return p;
}

static void test_detached(void)
{
	pthread_attr_t a;
	pthread_t t;

	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < 200; i++)
		pthread_create(&t, &a, detached, NULL);
	for (int i = 0; i < 10000 && atomic_load(&detached_done) < 200; i++)
		sched_yield();
	CHECK(atomic_load(&detached_done) == 200);
}

/* --- identity ------------------------------------------------------------ */

static void *get_tid(void *p)
{
	*(pid_t *)p = gettid();
	return NULL;
}

static void test_identity(void)
{
	pthread_t t;
	pid_t child = 0;
	cpu_set_t set;

	pthread_create(&t, NULL, get_tid, &child);
	pthread_join(t, NULL);
	CHECK(gettid() == getpid());
	CHECK(child > 1 && child != gettid());
	CHECK(sched_yield() == 0);
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
	CHECK(CPU_COUNT(&set) == 1 && CPU_ISSET(0, &set));
	CHECK(sysconf(_SC_NPROCESSORS_ONLN) == 1);
}

/* --- figures ------------------------------------------------------------- */

static atomic_int ping, pong;
static uint64_t wake_sum;
enum { ROUNDS = 2000 };

static void *pong_thread(void *p)
{
	for (int i = 0; i < ROUNDS; i++) {
		while (atomic_load(&ping) == 2 * i)
			syscall(SYS_futex, &ping, FUTEX_WAIT_PRIVATE, 2 * i, NULL);
		uint64_t t0 = *(volatile uint64_t *)p;
		wake_sum += now_ns() - t0;
		atomic_store(&pong, i + 1);
		syscall(SYS_futex, &pong, FUTEX_WAKE_PRIVATE, 1);
	}
	return NULL;
}

static void measure(void)
{
	uint64_t t0, t1, stamp = 0;
	pthread_t t;
	int n = 0;

	t0 = now_ns();
	while ((t1 = now_ns()) - t0 < 1000000000ull) {
		pthread_create(&t, NULL, ret_arg, NULL);
		pthread_join(t, NULL);
		n++;
	}
	printf("figure: thread create+join: %.0f per second\n",
	       n * 1e9 / (t1 - t0));

	pthread_create(&t, NULL, pong_thread, &stamp);
	for (int i = 0; i < ROUNDS; i++) {
		stamp = now_ns();
		atomic_store(&ping, 2 * i + 2);
		syscall(SYS_futex, &ping, FUTEX_WAKE_PRIVATE, 1);
		/* Block so the woken thread runs now. */
		while (atomic_load(&pong) == i)
			syscall(SYS_futex, &pong, FUTEX_WAIT_PRIVATE, i, NULL);
	}
	pthread_join(t, NULL);
	printf("figure: futex wake-to-run: %.0f ns\n", (double)wake_sum / ROUNDS);

	t0 = now_ns();
	for (int i = 0; i < 1000000; i++)
		getppid();
	t1 = now_ns();
	printf("figure: getppid: %.1f ns per call\n", (t1 - t0) / 1e6);
	CHECK(n > 0);
}

int main(void)
{
	test_identity();
	test_many();
	test_mutex();
	test_condvar();
	test_preempt();
	test_fpu_tls();
	test_redzone();
	test_detached();
	measure();
	return check_done();
}
