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

#define NSEC_PER_SEC 1000000000ULL

uint64_t time_now_ns(void);      /* monotonic, since the clock started */
uint64_t time_wall_base_ns(void); /* REALTIME at time_now_ns() == 0 */
uint64_t time_tsc_hz(void);

#endif
