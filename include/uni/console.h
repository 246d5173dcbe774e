/*
 * uni/console.h - the serial console.
 *
 * Layer: console (src/kernel/console). serial.c drives COM1; console.c
 * makes it the program's stdin/stdout/stderr (a tty); kprintf.c formats
 * kernel messages onto it.
 */
#ifndef UNI_CONSOLE_H
#define UNI_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

void serial_init(void);
void serial_write(const char *buf, size_t len);
int serial_can_read(void);
uint8_t serial_getc(void); /* waits for a byte */
/* Call fn(arg) from the interrupt when input arrives: 0, or -errno when
 * the line cannot be routed (then the caller has to sample). */
int serial_rx_irq(void (*fn)(void *), void *arg);

#endif
