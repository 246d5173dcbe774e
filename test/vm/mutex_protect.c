/* mutex_protect.c - in-image test of PTHREAD_PRIO_PROTECT mutexes (libc:
 * src/libc-ext/overlay/src/thread/pthread_mutex_protect.c and patch 0004)
 * on the kernel's SCHED_FIFO priorities: the attribute and its range,
 * the level an owner runs at (seen by pthread_getschedparam) through
 * nested mutexes unlocked in any order, trylock, timedlock, recursive
 * mutexes, EINVAL above the ceiling, pthread_mutex_setprioceiling, and a
 * scene where a thread at 30 must not run while one at 10 owns a mutex
 * with ceiling 50 (and does without the ceiling). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "testutil.h"
#include "trail.h"

static struct timespec in_ms(int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000;
	ts.tv_nsec %= 1000000000;
	return ts;
}

/* Runs fn in a thread of the given FIFO priority (0: SCHED_OTHER) and
 * waits for it. */
/* FIFO at prio, or SCHED_OTHER for 0. */
static pthread_t start(void *(*fn)(void *), void *arg, int prio)
{
	return start_sched(fn, arg, prio ? SCHED_FIFO : SCHED_OTHER, prio);
}

static void run_at(void *(*fn)(void *), int prio)
{
	pthread_t t = start(fn, NULL, prio);

	CHECK(t != 0);
	if (t)
		pthread_join(t, NULL);
}

static int mutex_init(pthread_mutex_t *m, int type, int protocol, int ceiling)
{
	pthread_mutexattr_t a;
	int r;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, type);
	r = pthread_mutexattr_setprotocol(&a, protocol);
	if (!r && ceiling)
		r = pthread_mutexattr_setprioceiling(&a, ceiling);
	if (!r)
		r = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return r;
}

/* The calling thread's policy and priority as the kernel has them,
 * policy * 1000 + priority: FIFO 50 is 1050, OTHER is 0. */
static int level(void)
{
	struct sched_param p;
	int policy;

	if (pthread_getschedparam(pthread_self(), &policy, &p))
		return -1;
	return policy * 1000 + p.sched_priority;
}

#define FIFO(n) (SCHED_FIFO * 1000 + (n))

/* --- the attribute -------------------------------------------------------- */

static void test_attr(void)
{
	pthread_mutexattr_t a;
	pthread_mutex_t m;
	int v = -1, min = sched_get_priority_min(SCHED_FIFO);
	int max = sched_get_priority_max(SCHED_FIFO);

#ifdef _POSIX_THREAD_PRIO_PROTECT
	CHECK(_POSIX_THREAD_PRIO_PROTECT > 0);
#else
	CHECK(!"_POSIX_THREAD_PRIO_PROTECT defined");
#endif
	CHECK(sysconf(_SC_THREAD_PRIO_PROTECT) > 0);
	CHECK(min == 1 && max == 99);
	pthread_mutexattr_init(&a);
	CHECK(pthread_mutexattr_getprotocol(&a, &v) == 0 &&
	      v == PTHREAD_PRIO_NONE);
	CHECK(pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_PROTECT) == 0);
	CHECK(pthread_mutexattr_getprotocol(&a, &v) == 0 &&
	      v == PTHREAD_PRIO_PROTECT);
	CHECK(pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT) == 0);
	CHECK(pthread_mutexattr_getprotocol(&a, &v) == 0 &&
	      v == PTHREAD_PRIO_INHERIT);
	CHECK(pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_PROTECT) == 0);
	CHECK(pthread_mutexattr_getprotocol(&a, &v) == 0 &&
	      v == PTHREAD_PRIO_PROTECT);
	CHECK(pthread_mutexattr_setprotocol(&a, 3) == EINVAL);
	CHECK(pthread_mutexattr_setprotocol(&a, -1) == EINVAL);
	/* The ceiling: the lowest FIFO priority by default, FIFO's range. */
	CHECK(pthread_mutexattr_getprioceiling(&a, &v) == 0 && v == min);
	CHECK(pthread_mutexattr_setprioceiling(&a, 50) == 0);
	CHECK(pthread_mutexattr_getprioceiling(&a, &v) == 0 && v == 50);
	CHECK(pthread_mutexattr_setprioceiling(&a, min - 1) == EINVAL);
	CHECK(pthread_mutexattr_setprioceiling(&a, max + 1) == EINVAL);
	CHECK(pthread_mutexattr_setprioceiling(&a, -5) == EINVAL);
	CHECK(pthread_mutexattr_getprioceiling(&a, &v) == 0 && v == 50);
	CHECK(pthread_mutexattr_setprioceiling(&a, max) == 0);
	CHECK(pthread_mutexattr_getprioceiling(&a, &v) == 0 && v == max);
	CHECK(pthread_mutexattr_setprioceiling(&a, min) == 0);
	CHECK(pthread_mutexattr_getprioceiling(&a, &v) == 0 && v == min);
	/* Type and robustness live beside it. */
	CHECK(pthread_mutexattr_setprioceiling(&a, 42) == 0);
	CHECK(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE) == 0);
	CHECK(pthread_mutexattr_gettype(&a, &v) == 0 &&
	      v == PTHREAD_MUTEX_RECURSIVE);
	CHECK(pthread_mutexattr_getprioceiling(&a, &v) == 0 && v == 42);
	CHECK(pthread_mutex_init(&m, &a) == 0);
	CHECK(pthread_mutex_getprioceiling(&m, &v) == 0 && v == 42);
	pthread_mutex_destroy(&m);
	pthread_mutexattr_destroy(&a);
	/* A mutex without an attribute has the default ceiling too. */
	CHECK(pthread_mutex_init(&m, NULL) == 0);
	CHECK(pthread_mutex_getprioceiling(&m, &v) == 0 && v == min);
	pthread_mutex_destroy(&m);
}

/* --- the level an owner runs at ------------------------------------------- */

static void *nested(void *arg)
{
	pthread_mutex_t a, b, c;
	struct timespec ts;

	(void)arg;
	CHECK(level() == FIFO(10));
	CHECK(mutex_init(&a, PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_PROTECT, 30) == 0);
	CHECK(mutex_init(&b, PTHREAD_MUTEX_ERRORCHECK, PTHREAD_PRIO_PROTECT, 60) == 0);
	CHECK(mutex_init(&c, PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_PROTECT, 45) == 0);

	/* Released in the order taken. */
	CHECK(pthread_mutex_lock(&a) == 0 && level() == FIFO(30));
	CHECK(pthread_mutex_lock(&b) == 0 && level() == FIFO(60));
	CHECK(pthread_mutex_lock(&c) == 0 && level() == FIFO(60));
	CHECK(pthread_mutex_unlock(&a) == 0 && level() == FIFO(60));
	CHECK(pthread_mutex_unlock(&b) == 0 && level() == FIFO(45));
	CHECK(pthread_mutex_unlock(&c) == 0 && level() == FIFO(10));

	/* Out of order, through trylock and timedlock. */
	ts = in_ms(1000);
	CHECK(pthread_mutex_trylock(&c) == 0 && level() == FIFO(45));
	CHECK(pthread_mutex_timedlock(&b, &ts) == 0 && level() == FIFO(60));
	CHECK(pthread_mutex_lock(&a) == 0 && level() == FIFO(60));
	CHECK(pthread_mutex_unlock(&b) == 0 && level() == FIFO(45));
	CHECK(pthread_mutex_unlock(&c) == 0 && level() == FIFO(30));
	CHECK(pthread_mutex_unlock(&a) == 0 && level() == FIFO(10));

	/* Errors leave the level as it was. */
	CHECK(pthread_mutex_lock(&b) == 0 && level() == FIFO(60));
	CHECK(pthread_mutex_lock(&b) == EDEADLK && level() == FIFO(60));
	CHECK(pthread_mutex_trylock(&b) == EBUSY && level() == FIFO(60));
	CHECK(pthread_mutex_unlock(&b) == 0 && level() == FIFO(10));
	CHECK(pthread_mutex_unlock(&b) == EPERM && level() == FIFO(10));
	pthread_mutex_destroy(&a);
	pthread_mutex_destroy(&b);
	pthread_mutex_destroy(&c);
	return NULL;
}

/* A recursive mutex: the ceiling holds until the last unlock. */
static void *recursive(void *arg)
{
	pthread_mutex_t m;

	(void)arg;
	CHECK(mutex_init(&m, PTHREAD_MUTEX_RECURSIVE, PTHREAD_PRIO_PROTECT, 50) == 0);
	CHECK(pthread_mutex_lock(&m) == 0 && level() == FIFO(50));
	CHECK(pthread_mutex_trylock(&m) == 0 && level() == FIFO(50));
	CHECK(pthread_mutex_unlock(&m) == 0 && level() == FIFO(50));
	CHECK(pthread_mutex_unlock(&m) == 0 && level() == FIFO(10));
	pthread_mutex_destroy(&m);
	return NULL;
}

/* POSIX: EINVAL when the caller's priority is above the ceiling. */
static void *above(void *arg)
{
	pthread_mutex_t low, high;
	struct timespec ts = in_ms(1000);

	(void)arg;
	CHECK(mutex_init(&low, PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_PROTECT, 20) == 0);
	CHECK(mutex_init(&high, PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_PROTECT, 70) == 0);
	CHECK(level() == FIFO(40));
	CHECK(pthread_mutex_lock(&low) == EINVAL && level() == FIFO(40));
	CHECK(pthread_mutex_trylock(&low) == EINVAL);
	CHECK(pthread_mutex_timedlock(&low, &ts) == EINVAL);
	/* Its own priority counts, not the one a ceiling gives it. */
	CHECK(pthread_mutex_lock(&high) == 0 && level() == FIFO(70));
	CHECK(pthread_mutex_lock(&low) == EINVAL && level() == FIFO(70));
	CHECK(pthread_mutex_unlock(&high) == 0 && level() == FIFO(40));
	/* A ceiling equal to its priority is fine and changes nothing. */
	CHECK(pthread_mutex_setprioceiling(&low, 40, NULL) == 0);
	CHECK(pthread_mutex_lock(&low) == 0 && level() == FIFO(40));
	CHECK(pthread_mutex_unlock(&low) == 0 && level() == FIFO(40));
	pthread_mutex_destroy(&low);
	pthread_mutex_destroy(&high);
	return NULL;
}

/* A SCHED_OTHER thread runs as FIFO at the ceiling, and goes back. */
static void *other(void *arg)
{
	pthread_mutex_t m;

	(void)arg;
	CHECK(level() == SCHED_OTHER * 1000);
	CHECK(mutex_init(&m, PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_PROTECT, 25) == 0);
	CHECK(pthread_mutex_lock(&m) == 0 && level() == FIFO(25));
	CHECK(pthread_mutex_unlock(&m) == 0 && level() == SCHED_OTHER * 1000);
	/* A mutex without PROTECT changes nothing. */
	CHECK(mutex_init(&m, PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_NONE, 25) == 0);
	CHECK(pthread_mutex_lock(&m) == 0 && level() == SCHED_OTHER * 1000);
	CHECK(pthread_mutex_unlock(&m) == 0);
	return NULL;
}

static void *setceiling(void *arg)
{
	pthread_mutex_t m;
	int old = -1, v = -1;

	(void)arg;
	CHECK(mutex_init(&m, PTHREAD_MUTEX_RECURSIVE, PTHREAD_PRIO_PROTECT, 50) == 0);
	CHECK(pthread_mutex_setprioceiling(&m, 70, &old) == 0 && old == 50);
	CHECK(pthread_mutex_getprioceiling(&m, &v) == 0 && v == 70);
	CHECK(level() == FIFO(10));
	CHECK(pthread_mutex_setprioceiling(&m, 0, &old) == EINVAL);
	CHECK(pthread_mutex_setprioceiling(&m, 100, &old) == EINVAL);
	CHECK(pthread_mutex_getprioceiling(&m, &v) == 0 && v == 70);
	CHECK(pthread_mutex_lock(&m) == 0 && level() == FIFO(70));
	/* The owner changes it: its level follows. */
	CHECK(pthread_mutex_setprioceiling(&m, 35, &old) == 0 && old == 70);
	CHECK(level() == FIFO(35));
	CHECK(pthread_mutex_unlock(&m) == 0 && level() == FIFO(10));
	pthread_mutex_destroy(&m);
	/* Not recursive: the owner would wait for itself. */
	CHECK(mutex_init(&m, PTHREAD_MUTEX_ERRORCHECK, PTHREAD_PRIO_PROTECT, 50) == 0);
	CHECK(pthread_mutex_lock(&m) == 0);
	CHECK(pthread_mutex_setprioceiling(&m, 60, &old) == EDEADLK);
	CHECK(pthread_mutex_unlock(&m) == 0 && level() == FIFO(10));
	/* A ceiling below the caller can be raised by it. */
	CHECK(pthread_mutex_setprioceiling(&m, 5, &old) == 0 && old == 50);
	CHECK(pthread_mutex_lock(&m) == EINVAL);
	CHECK(pthread_mutex_setprioceiling(&m, 15, &old) == 0 && old == 5);
	CHECK(pthread_mutex_lock(&m) == 0 && level() == FIFO(15));
	CHECK(pthread_mutex_unlock(&m) == 0 && level() == FIFO(10));
	pthread_mutex_destroy(&m);
	return NULL;
}

/* Held by another thread: a failed trylock or timedlock gives the level
 * back. */
static pthread_mutex_t held_m;
static atomic_int held_state; /* 1 held, 2 release it */

static void *holder(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&held_m);
	held_state = 1;
	while (held_state != 2)
		msleep(2);
	pthread_mutex_unlock(&held_m);
	return NULL;
}

static void *contender(void *arg)
{
	struct timespec ts;
	uint64_t t0;

	(void)arg;
	CHECK(pthread_mutex_trylock(&held_m) == EBUSY && level() == FIFO(10));
	ts = in_ms(50);
	t0 = now_ms();
	CHECK(pthread_mutex_timedlock(&held_m, &ts) == ETIMEDOUT &&
	      level() == FIFO(10));
	CHECK(now_ms() - t0 >= 45);
	/* Waits at the ceiling and gets the mutex handed over. */
	held_state = 2;
	ts = in_ms(5000);
	CHECK(pthread_mutex_timedlock(&held_m, &ts) == 0 && level() == FIFO(55));
	CHECK(pthread_mutex_unlock(&held_m) == 0 && level() == FIFO(10));
	return NULL;
}

/* A condition wait gives the mutex and its ceiling up, and takes both
 * back: the main thread sees the waiter at its own priority. */
static pthread_mutex_t cv_m;
static pthread_cond_t cv;
static atomic_int cv_state; /* 1 waiting, 2 signalled */

static void *cv_waiter(void *arg)
{
	(void)arg;
	CHECK(level() == FIFO(10));
	CHECK(pthread_mutex_lock(&cv_m) == 0 && level() == FIFO(50));
	cv_state = 1;
	while (cv_state != 2)
		pthread_cond_wait(&cv, &cv_m);
	CHECK(level() == FIFO(50));
	CHECK(pthread_mutex_unlock(&cv_m) == 0 && level() == FIFO(10));
	return NULL;
}

static void cond_wait(void)
{
	struct sched_param p;
	pthread_t t;
	int policy = -1;

	CHECK(mutex_init(&cv_m, PTHREAD_MUTEX_ERRORCHECK, PTHREAD_PRIO_PROTECT, 50) == 0);
	pthread_cond_init(&cv, NULL);
	cv_state = 0;
	t = start(cv_waiter, NULL, 10);
	CHECK(t != 0);
	if (!t)
		return;
	/* The waiter runs first (FIFO 10 over SCHED_OTHER) up to its wait,
	 * which lets the mutex go: the lock below returns only then. */
	CHECK(pthread_mutex_lock(&cv_m) == 0 && level() == FIFO(50));
	CHECK(cv_state == 1);
	CHECK(pthread_getschedparam(t, &policy, &p) == 0 &&
	      policy == SCHED_FIFO && p.sched_priority == 10);
	cv_state = 2;
	pthread_cond_signal(&cv);
	CHECK(pthread_mutex_unlock(&cv_m) == 0 && level() == SCHED_OTHER * 1000);
	pthread_join(t, NULL);
	pthread_mutex_destroy(&cv_m);
	pthread_cond_destroy(&cv);
}

static void test_levels(void)
{
	pthread_t h;

	run_at(nested, 10);
	run_at(recursive, 10);
	run_at(above, 40);
	run_at(other, 0);
	run_at(setceiling, 10);
	cond_wait();

	CHECK(mutex_init(&held_m, PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_PROTECT, 55) == 0);
	held_state = 0;
	h = start(holder, NULL, 0);
	CHECK(h != 0);
	while (h && held_state != 1)
		msleep(2);
	run_at(contender, 10);
	if (h)
		pthread_join(h, NULL);
	pthread_mutex_destroy(&held_m);
}

/* --- the ceiling keeps a middle thread out --------------------------------- */

/* The main thread runs at FIFO 90 and sets the scene: L (10) takes a
 * mutex with ceiling 50 and needs 20 ms of CPU with it; then M (30)
 * becomes ready. At the ceiling L finishes first; without, M does. */
static pthread_mutex_t sc_m;
static atomic_int sc_locked;
static void *sc_low(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&sc_m);
	sc_locked = 1;
	work_ms(20);
	mark('L');
	pthread_mutex_unlock(&sc_m);
	return NULL;
}

static void *sc_mid(void *arg)
{
	(void)arg;
	mark('M');
	return NULL;
}

static const char *scene(int protocol)
{
	pthread_t l, m;

	trail_reset();
	sc_locked = 0;
	if (mutex_init(&sc_m, PTHREAD_MUTEX_NORMAL, protocol, 50))
		return "init";
	l = start(sc_low, NULL, 10);
	if (!l)
		return "";
	while (!sc_locked)
		msleep(1);
	m = start(sc_mid, NULL, 30);
	if (m)
		pthread_join(m, NULL);
	pthread_join(l, NULL);
	pthread_mutex_destroy(&sc_m);
	return trail;
}

static void test_scene(void)
{
	const char *order;

	order = scene(PTHREAD_PRIO_PROTECT);
	printf("ceiling: %s\n", order);
	CHECK(strcmp(order, "LM") == 0);
	order = scene(PTHREAD_PRIO_NONE);
	printf("no ceiling: %s\n", order);
	CHECK(strcmp(order, "ML") == 0);
}

int main(void)
{
	struct sched_param p = { .sched_priority = 90 };

	test_attr();
	test_levels();
	CHECK(pthread_setschedparam(pthread_self(), SCHED_FIFO, &p) == 0);
	test_scene();
	return check_done();
}
