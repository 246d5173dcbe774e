/* trail.h - the order in which threads did things, one letter per event,
 * for the in-image tests that check which thread ran first (sched_policy.c,
 * futex_pi.c): mark('H') from each thread, then compare trail with the
 * order the scheduler must give ("LHM"). */
#ifndef UNI_TEST_VM_TRAIL_H
#define UNI_TEST_VM_TRAIL_H

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

#endif
