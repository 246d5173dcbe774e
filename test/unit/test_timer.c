/*
 * test_timer.c - the scheduler's timer queue (src/kernel/sched/timer.c)
 * on the host: deadlines come out in order, stopped timers never fire,
 * equal deadlines fire in start order, and the hardware is always armed
 * for the earliest deadline (a fake lapic_arm records it).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <uni/kernel.h>
#include "priv.h"
#include "unit.h"

static uint64_t hw_deadline; /* what the fake LAPIC holds, 0 = none */
static int hw_inits;

int lapic_init(int vector)
{
	(void)vector;
	hw_inits++;
	return 0;
}

void lapic_arm(uint64_t deadline_ns)
{
	hw_deadline = deadline_ns;
}

#define N 500

static struct timer timers[N];
static int fired[N], order[N], nfired;

static void on_fire(struct timer *t)
{
	int i = (int)(t - timers);
	fired[i]++;
	order[nfired++] = i;
}

static uint64_t earliest(const int *active)
{
	uint64_t e = 0;
	for (int i = 0; i < N; i++)
		if (active[i] && (!e || timers[i].deadline < e))
			e = timers[i].deadline;
	return e;
}

int main(void)
{
	static int active[N];
	uint64_t now;

	srand(1234);
	for (int i = 0; i < N; i++) {
		timers[i].fn = on_fire;
		timer_start(&timers[i], 1000 + (uint64_t)(rand() % 10000));
		active[i] = 1;
		CHECK(hw_deadline == earliest(active));
	}
	CHECK(hw_inits == 1);
	/* Stop a third of them, in random order. */
	for (int i = 0; i < N; i += 3) {
		timer_stop(&timers[i]);
		timer_stop(&timers[i]); /* stopping twice is harmless */
		active[i] = 0;
		CHECK(hw_deadline == earliest(active));
	}
	/* Run time forward in steps; each step fires exactly the due ones. */
	for (now = 0; now <= 12000; now += 250) {
		timer_run_expired(now);
		for (int i = 0; i < N; i++) {
			int due = active[i] && timers[i].deadline <= now;
			CHECK(fired[i] == due);
		}
		CHECK(hw_deadline == 0 || hw_deadline > now);
	}
	for (int i = 1; i < nfired; i++)
		CHECK(timers[order[i - 1]].deadline <= timers[order[i]].deadline);
	CHECK(hw_deadline == 0);

	/* Equal deadlines fire in the order they were started; a timer can
	 * be restarted from its own callback's aftermath. */
	memset(fired, 0, sizeof(fired));
	nfired = 0;
	for (int i = 0; i < 10; i++)
		timer_start(&timers[i], 20000);
	timer_run_expired(20000);
	for (int i = 0; i < 10; i++)
		CHECK(order[i] == i);
	timer_start(&timers[0], 30000);
	CHECK(hw_deadline == 30000);
	timer_stop(&timers[0]);
	CHECK(hw_deadline == 0);

	printf("test_timer: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
