/*
 * uni/time.h - kernel time: nanoseconds since boot and the wall clock.
 *
 * Layer: kernel time (src/kernel/time). The TSC is the clock source; it is
 * calibrated on first use (time_init) rather than at boot, so that a
 * program that never asks the time does not wait for calibration.
 */
#ifndef UNI_TIME_H
#define UNI_TIME_H

#include <stdint.h>
#include <time.h>

#define NSEC_PER_SEC 1000000000ULL

/* A timespec a program may pass as a timeout or timer value:
 * tv_sec >= 0 and 0 <= tv_nsec < 1e9 (else the call gives EINVAL). */
static inline int timespec_valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 &&
	       ts->tv_nsec < (long)NSEC_PER_SEC;
}

/* A valid timespec in ns; callers cap tv_sec first where it may be huge
 * (each call has its own idea of "forever"). */
static inline uint64_t timespec_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

uint64_t time_now_ns(void);      /* monotonic, since the clock started */
uint64_t time_wall_base_ns(void); /* REALTIME at time_now_ns() == 0 */
uint64_t time_tsc_hz(void);

/* clock_settime(CLOCK_REALTIME): make REALTIME read wall_ns now; the
 * monotonic clock does not move. 0, or -EINVAL for a time before the
 * clock started (the base would be negative). Call with interrupts
 * disabled (a syscall). */
int time_set_wall_ns(uint64_t wall_ns);

/* A subsystem that converted CLOCK_REALTIME deadlines (absolute timers,
 * absolute sleeps) to monotonic ones registers (when it first has one;
 * registering again does nothing) to hear of every change: fn runs inside time_set_wall_ns, interrupts disabled, with
 * the signed step of REALTIME (new minus old), and re-arms what it must
 * (POSIX: an absolute REALTIME timer now in the past expires at once). */
struct wall_watch {
	void (*fn)(struct wall_watch *w, int64_t step_ns);
	struct wall_watch *next;
	int on;                 /* registered (time_wall_watch) */
};
void time_wall_watch(struct wall_watch *w);

#endif
