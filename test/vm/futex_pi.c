/* futex_pi.c - in-image test of priority-inheritance futexes (kernel
 * sched/futex.c: FUTEX_LOCK_PI, TRYLOCK_PI, UNLOCK_PI) through musl's
 * PTHREAD_PRIO_INHERIT mutexes and the raw calls: the classic priority
 * inversion (a low thread holding the mutex runs ahead of a medium
 * spinner while a high one waits, and does not without inheritance), the
 * boost passed along a chain of two mutexes, the errors (EDEADLK, EPERM,
 * ESRCH, EAGAIN, ETIMEDOUT, EINVAL, EFAULT), OWNER_DIED, owners that
 * exit, and many threads contending one PI mutex. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "testutil.h"
#include "trail.h"

#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_LOCK_PI2 13
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u

static long futex(volatile uint32_t *uaddr, int op, uint32_t val,
		  const struct timespec *ts)
{
	long r = syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
	return r < 0 ? -errno : r;
}

static int tid(void)
{
	return (int)syscall(SYS_gettid);
}

/* FIFO at prio, or SCHED_OTHER for 0. */
static pthread_t start(void *(*fn)(void *), void *arg, int prio)
{
	return start_sched(fn, arg, prio ? SCHED_FIFO : SCHED_OTHER, prio);
}

static void mutex_init(pthread_mutex_t *m, int type, int protocol, int robust)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, type);
	pthread_mutexattr_setprotocol(&a, protocol);
	pthread_mutexattr_setrobust(&a, robust);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
}

static int before(char a, char b)
{
	char *pa = strchr(trail, a), *pb = strchr(trail, b);
	return pa && pb && pa < pb;
}

/* --- the attribute -------------------------------------------------------- */

static void test_attr(void)
{
	pthread_mutexattr_t a;
	int proto = -1;

	pthread_mutexattr_init(&a);
	CHECK(pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT) == 0);
	CHECK(pthread_mutexattr_getprotocol(&a, &proto) == 0 &&
	      proto == PTHREAD_PRIO_INHERIT);
	CHECK(pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_NONE) == 0);
	CHECK(pthread_mutexattr_getprotocol(&a, &proto) == 0 &&
	      proto == PTHREAD_PRIO_NONE);
	pthread_mutexattr_destroy(&a);
}

/* --- priority inversion --------------------------------------------------- */

/* The main thread runs at FIFO 90 and only sets the scene: L (10) takes
 * the mutex and needs 20 ms of CPU to finish with it; then M (20) needs
 * 150 ms and H (30) wants the mutex. With inheritance L runs at 30 while
 * H waits, so H is done before M; without, M starves L and H alike. */
static pthread_mutex_t inv_m;
static atomic_int inv_locked;

static void *inv_low(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&inv_m);
	inv_locked = 1;
	work_ms(20);
	mark('L');
	pthread_mutex_unlock(&inv_m);
	return NULL;
}

static void *inv_mid(void *arg)
{
	(void)arg;
	work_ms(150);
	mark('M');
	return NULL;
}

static void *inv_high(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&inv_m);
	mark('H');
	pthread_mutex_unlock(&inv_m);
	return NULL;
}

/* The order of the marks, "" if a thread could not start. */
static const char *inversion(int protocol)
{
	pthread_t l, m, h;

	trail_reset();
	inv_locked = 0;
	mutex_init(&inv_m, PTHREAD_MUTEX_NORMAL, protocol, 0);
	l = start(inv_low, NULL, 10);
	if (!l)
		return "";
	while (!inv_locked)
		msleep(2);
	m = start(inv_mid, NULL, 20);
	h = start(inv_high, NULL, 30);
	if (!m || !h)
		return "";
	pthread_join(h, NULL);
	pthread_join(m, NULL);
	pthread_join(l, NULL);
	pthread_mutex_destroy(&inv_m);
	return trail;
}

static void test_inversion(void)
{
	const char *order;

	order = inversion(PTHREAD_PRIO_INHERIT);
	printf("inheritance: %s\n", order);
	CHECK(strcmp(order, "LHM") == 0);
	/* The same scene without inheritance: the test above can fail. */
	order = inversion(PTHREAD_PRIO_NONE);
	printf("no inheritance: %s\n", order);
	CHECK(strcmp(order, "MLH") == 0);
}

/* --- a chain: H waits for B, whose owner waits for A -------------------- */

/* L (10) holds A for 20 ms of CPU; P (15) holds B and waits for A; then
 * S (20) spins 150 ms and H (30) wants B. H's level passes through P to
 * L, so L, P and H all finish before S. */
static pthread_mutex_t ch_a, ch_b;
static atomic_int ch_stage;

static void *ch_low(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&ch_a);
	ch_stage = 1;
	work_ms(20);
	mark('L');
	pthread_mutex_unlock(&ch_a);
	return NULL;
}

static void *ch_mid(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&ch_b);
	ch_stage = 2;
	pthread_mutex_lock(&ch_a);
	mark('P');
	pthread_mutex_unlock(&ch_a);
	pthread_mutex_unlock(&ch_b);
	return NULL;
}

static void *ch_spin(void *arg)
{
	(void)arg;
	work_ms(150);
	mark('S');
	return NULL;
}

static void *ch_high(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&ch_b);
	mark('H');
	pthread_mutex_unlock(&ch_b);
	return NULL;
}

static void test_chain(void)
{
	pthread_t l, p, s, h;

	trail_reset();
	ch_stage = 0;
	mutex_init(&ch_a, PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_INHERIT, 0);
	mutex_init(&ch_b, PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_INHERIT, 0);
	l = start(ch_low, NULL, 10);
	while (l && ch_stage < 1)
		msleep(2);
	p = start(ch_mid, NULL, 15);
	while (p && ch_stage < 2)
		msleep(2);
	msleep(5); /* P blocks on A */
	s = start(ch_spin, NULL, 20);
	h = start(ch_high, NULL, 30);
	CHECK(l && p && s && h);
	if (!l || !p || !s || !h)
		return;
	pthread_join(h, NULL);
	pthread_join(s, NULL);
	pthread_join(p, NULL);
	pthread_join(l, NULL);
	printf("chain: %s\n", trail);
	CHECK(strcmp(trail, "LPHS") == 0);
}

/* --- errors ------------------------------------------------------------ */

static pthread_mutex_t held_m;
static atomic_int held_state; /* 1 locked, 2 release it, 3 released */

static void *holder(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&held_m);
	held_state = 1;
	while (held_state != 2)
		msleep(2);
	pthread_mutex_unlock(&held_m);
	held_state = 3;
	return NULL;
}

static void test_mutex_errors(void)
{
	pthread_mutex_t m;
	pthread_t t;
	struct timespec ts;
	uint64_t t0, waited;

	/* EDEADLK from the kernel: an error-checking PI mutex locked twice. */
	mutex_init(&m, PTHREAD_MUTEX_ERRORCHECK, PTHREAD_PRIO_INHERIT, 0);
	CHECK(pthread_mutex_lock(&m) == 0);
	CHECK(pthread_mutex_lock(&m) == EDEADLK);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 1;
	CHECK(pthread_mutex_timedlock(&m, &ts) == EDEADLK);
	CHECK(pthread_mutex_unlock(&m) == 0);
	CHECK(pthread_mutex_unlock(&m) == EPERM);
	pthread_mutex_destroy(&m);

	/* Held by another thread: trylock, timedlock, unlock. */
	mutex_init(&held_m, PTHREAD_MUTEX_ERRORCHECK, PTHREAD_PRIO_INHERIT, 0);
	held_state = 0;
	t = start(holder, NULL, 0);
	CHECK(t != 0);
	while (held_state != 1)
		msleep(2);
	CHECK(pthread_mutex_trylock(&held_m) == EBUSY);
	CHECK(pthread_mutex_unlock(&held_m) == EPERM);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 50000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	t0 = now_ms();
	CHECK(pthread_mutex_timedlock(&held_m, &ts) == ETIMEDOUT);
	waited = now_ms() - t0;
	printf("timedlock waited %llu ms\n", (unsigned long long)waited);
	CHECK(waited >= 45 && waited < 2000);
	/* A timedlock that gets the mutex handed over before its time. */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	held_state = 2;
	CHECK(pthread_mutex_timedlock(&held_m, &ts) == 0);
	CHECK(pthread_mutex_unlock(&held_m) == 0);
	pthread_join(t, NULL);
	CHECK(held_state == 3);
	pthread_mutex_destroy(&held_m);
}

/* The raw calls, on words of our own. */
static volatile uint32_t raw_word;
static atomic_int raw_state;

static void *raw_owner(void *arg)
{
	long r = futex(&raw_word, FUTEX_LOCK_PI, 0, NULL);

	(void)arg;
	raw_state = r == 0 ? 1 : -1;
	while (raw_state == 1)
		msleep(2);
	/* raw_state 2: release; 3: exit holding it. */
	if (raw_state == 2)
		futex(&raw_word, FUTEX_UNLOCK_PI, 0, NULL);
	return NULL;
}

static void test_raw(void)
{
	volatile uint32_t w = 0;
	struct timespec bad = { 0, 2000000000L }, ts;
	pthread_t t;
	int me = tid();

	CHECK(futex(&w, FUTEX_LOCK_PI, 0, NULL) == 0 && w == (uint32_t)me);
	CHECK(futex(&w, FUTEX_LOCK_PI, 0, NULL) == -EDEADLK);
	CHECK(futex(&w, FUTEX_TRYLOCK_PI, 0, NULL) == -EDEADLK);
	CHECK(futex(&w, FUTEX_UNLOCK_PI, 0, NULL) == 0 && w == 0);
	CHECK(futex(&w, FUTEX_UNLOCK_PI, 0, NULL) == -EPERM);
	CHECK(futex(&w, FUTEX_TRYLOCK_PI, 0, NULL) == 0 && w == (uint32_t)me);
	CHECK(futex(&w, FUTEX_UNLOCK_PI, 0, NULL) == 0 && w == 0);
	/* A dead owner's mark stays; a tid nobody has is ESRCH. */
	w = FUTEX_OWNER_DIED;
	CHECK(futex(&w, FUTEX_LOCK_PI, 0, NULL) == 0 &&
	      w == (FUTEX_OWNER_DIED | (uint32_t)me));
	CHECK(futex(&w, FUTEX_UNLOCK_PI, 0, NULL) == 0 && w == 0);
	w = 0x3ffffff0;
	CHECK(futex(&w, FUTEX_LOCK_PI, 0, NULL) == -ESRCH);
	CHECK(futex(&w, FUTEX_TRYLOCK_PI, 0, NULL) == -ESRCH);
	CHECK(futex(&w, FUTEX_UNLOCK_PI, 0, NULL) == -EPERM);
	w = 0;
	CHECK(futex(&w, FUTEX_LOCK_PI, 0, &bad) == -EINVAL && w == 0);
	CHECK(futex((uint32_t *)((char *)&w + 1), FUTEX_LOCK_PI, 0, NULL) ==
	      -EINVAL);
	CHECK(futex(NULL, FUTEX_LOCK_PI, 0, NULL) == -EFAULT);
	CHECK(futex(NULL, FUTEX_UNLOCK_PI, 0, NULL) == -EFAULT);
	CHECK(futex(&w, FUTEX_LOCK_PI2, 0, NULL) == -ENOSYS);
	CHECK(futex(&w, FUTEX_LOCK_PI | 256, 0, NULL) == -ENOSYS);

	/* Another owner: EAGAIN, a timeout that sets FUTEX_WAITERS, and a
	 * hand-over that writes our tid. */
	raw_word = 0;
	raw_state = 0;
	t = start(raw_owner, NULL, 0);
	while (raw_state == 0)
		msleep(2);
	CHECK(raw_state == 1);
	CHECK(futex(&raw_word, FUTEX_TRYLOCK_PI, 0, NULL) == -EAGAIN);
	CHECK(futex(&raw_word, FUTEX_UNLOCK_PI, 0, NULL) == -EPERM);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	CHECK(futex(&raw_word, FUTEX_LOCK_PI, 0, &ts) == -ETIMEDOUT);
	CHECK(raw_word & FUTEX_WAITERS);
	raw_state = 2;
	CHECK(futex(&raw_word, FUTEX_LOCK_PI, 0, NULL) == 0);
	CHECK(raw_word == (uint32_t)me); /* nobody else waits */
	CHECK(futex(&raw_word, FUTEX_UNLOCK_PI, 0, NULL) == 0 &&
	      raw_word == 0);
	pthread_join(t, NULL);

	/* An owner that exits holding the word: its waiter looks again and
	 * finds a tid nobody has. */
	raw_state = 0;
	t = start(raw_owner, NULL, 0);
	while (raw_state == 0)
		msleep(2);
	raw_state = 3;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	CHECK(futex(&raw_word, FUTEX_LOCK_PI, 0, &ts) == -ESRCH);
	pthread_join(t, NULL);
}

/* A (non-robust) PI mutex whose owner exits holding it: musl's
 * pthread_exit marks it OWNER_DIED, the kernel sends the waiter back to
 * the word, and musl, finding a dead owner's mutex, waits out the timeout
 * as POSIX's deadlock. (Robust mutexes need get_robust_list, which uni
 * does not have: musl refuses PTHREAD_MUTEX_ROBUST.) */
static pthread_mutex_t dead_m;
static atomic_int dead_state;

static void *dead_owner(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&dead_m);
	dead_state = 1;
	while (dead_state == 1)
		msleep(2);
	return NULL; /* exits holding it */
}

static void test_owner_dead(void)
{
	struct timespec ts;
	pthread_t t;
	uint64_t t0, waited;

	mutex_init(&dead_m, PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_INHERIT, 0);
	dead_state = 0;
	t = start(dead_owner, NULL, 0);
	CHECK(t != 0);
	while (dead_state == 0)
		msleep(2);
	dead_state = 2;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 200000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	t0 = now_ms();
	CHECK(pthread_mutex_timedlock(&dead_m, &ts) == ETIMEDOUT);
	waited = now_ms() - t0;
	CHECK(waited >= 190);
	pthread_join(t, NULL);
}

/* --- a signal to a waiter, the boost not seen by getschedparam ---------- */

static pthread_mutex_t sig_m;
static atomic_int sig_caught, sig_state;

static void on_usr1(int sig)
{
	(void)sig;
	sig_caught++;
}

static void *sig_waiter(void *arg)
{
	(void)arg;
	sig_state = 1;
	sig_state = pthread_mutex_lock(&sig_m) == 0 ? 2 : -1;
	pthread_mutex_unlock(&sig_m);
	return NULL;
}

/* A waiter interrupted by a handler (no SA_RESTART) goes back to waiting
 * and gets the mutex at the unlock. */
static void test_signal(void)
{
	struct sigaction sa;
	pthread_t t;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	mutex_init(&sig_m, PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_INHERIT, 0);
	sig_caught = sig_state = 0;
	pthread_mutex_lock(&sig_m);
	t = start(sig_waiter, NULL, 0);
	CHECK(t != 0);
	while (sig_state == 0)
		msleep(2);
	msleep(10); /* it blocks in FUTEX_LOCK_PI */
	pthread_kill(t, SIGUSR1);
	msleep(10);
	CHECK(sig_caught == 1);
	CHECK(sig_state == 1); /* still waiting */
	pthread_mutex_unlock(&sig_m);
	pthread_join(t, NULL);
	CHECK(sig_state == 2);
	pthread_mutex_destroy(&sig_m);
}

static pthread_mutex_t param_m;
static atomic_int param_state;
static int param_seen = -1;

static void *param_owner(void *arg)
{
	struct sched_param p;
	int policy;

	(void)arg;
	pthread_mutex_lock(&param_m);
	param_state = 1;
	while (param_state == 1)
		sched_yield(); /* until the main thread (90) waits */
	if (pthread_getschedparam(pthread_self(), &policy, &p) == 0 &&
	    policy == SCHED_FIFO)
		param_seen = p.sched_priority;
	pthread_mutex_unlock(&param_m);
	return NULL;
}

/* Boosted to 90 by the waiting main thread, the owner still reads its
 * own priority, 10, as on Linux. */
static void test_param(void)
{
	pthread_t t;

	mutex_init(&param_m, PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_INHERIT, 0);
	param_state = 0;
	t = start(param_owner, NULL, 10);
	CHECK(t != 0);
	while (param_state == 0)
		msleep(2);
	param_state = 2;
	CHECK(pthread_mutex_lock(&param_m) == 0);
	CHECK(param_seen == 10);
	pthread_mutex_unlock(&param_m);
	pthread_join(t, NULL);
	pthread_mutex_destroy(&param_m);
}

/* --- contention -------------------------------------------------------- */

enum { NCONT = 6, ROUNDS = 400 };
static pthread_mutex_t cont_m;
static long counter;

static void *contender(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&cont_m);
		long v = counter;
		if (i % 8 == 0)
			sched_yield(); /* others queue in the kernel */
		counter = v + 1;
		pthread_mutex_unlock(&cont_m);
	}
	return NULL;
}

static void test_contention(void)
{
	pthread_t t[NCONT];
	int ok = 1;

	mutex_init(&cont_m, PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_INHERIT, 0);
	counter = 0;
	/* Half SCHED_OTHER, half FIFO 1..3 (lower than us). */
	for (int i = 0; i < NCONT; i++) {
		t[i] = start(contender, NULL, i & 1 ? 1 + i % 3 : 0);
		ok &= t[i] != 0;
	}
	for (int i = 0; i < NCONT; i++)
		if (t[i])
			pthread_join(t[i], NULL);
	CHECK(ok);
	printf("counter %ld\n", counter);
	CHECK(counter == (long)NCONT * ROUNDS);
	CHECK(pthread_mutex_trylock(&cont_m) == 0);
	CHECK(pthread_mutex_unlock(&cont_m) == 0);
	pthread_mutex_destroy(&cont_m);
}

int main(void)
{
	struct sched_param p = { .sched_priority = 90 };

	test_attr();
	test_raw();
	test_mutex_errors();
	test_owner_dead();
	test_signal();
	test_contention();
	/* The scenes with priorities: the main thread above them all. */
	CHECK(pthread_setschedparam(pthread_self(), SCHED_FIFO, &p) == 0);
	test_inversion();
	test_chain();
	test_param();
	return check_done();
}
