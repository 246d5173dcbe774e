/*
 * uni/random.h - kernel randomness (AT_RANDOM now, getrandom later).
 * Layer: kernel random (src/kernel/random/random.c).
 */
#ifndef UNI_RANDOM_H
#define UNI_RANDOM_H

#include <stddef.h>

void random_bytes(void *buf, size_t len);

#endif
