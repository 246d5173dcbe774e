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

#endif
