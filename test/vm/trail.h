/* trail.h - the order in which threads did things, one letter per event,
 * for the in-image tests that check which thread ran first (sched_policy.c,
 * futex_pi.c, mutex_protect.c): start_sched() each thread with its policy
 * and priority, mark('H') from each, then compare trail with the order the
 * scheduler must give ("LHM"). */
#ifndef UNI_TEST_VM_TRAIL_H
#define UNI_TEST_VM_TRAIL_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

static char trail[64];
static atomic_int ntrail;

static void mark(char c)
{
	int i = atomic_fetch_add(&ntrail, 1);
	if (i < (int)sizeof(trail) - 1)
		trail[i] = c;
}

static void trail_reset(void)
{
	memset(trail, 0, sizeof(trail));
	ntrail = 0;
}

/* A thread running fn(arg) with its own policy and priority (not the
 * creator's); 0 if it could not be created. */
static pthread_t start_sched(void *(*fn)(void *), void *arg, int policy,
			     int prio)
{
	pthread_attr_t a;
	struct sched_param p = { .sched_priority = prio };
	pthread_t t;

	pthread_attr_init(&a);
	pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&a, policy);
	pthread_attr_setschedparam(&a, &p);
	if (pthread_create(&t, &a, fn, arg))
		t = 0;
	pthread_attr_destroy(&a);
	return t;
}

#endif
