/*
 * serial.c - the 16550 UART on COM1: the console.
 *
 * Layer: console driver. serial_init() is called first thing by kmain();
 * serial_write() by kprintf and by the console syscalls (console.c);
 * serial_getc() by console reads. Output is polled: it waits for the
 * transmit holding register and then fills the 16-byte FIFO. Input can
 * raise IRQ 4 (serial_rx_irq, asked for by the console the first time a
 * thread waits for input): "received data available", with OUT2 set so
 * that the line leaves the chip; reading the data lowers it again.
 */
#include <stddef.h>
#include <stdint.h>
#include <uni/console.h>
#include <uni/irq.h>
#include <uni/x86_64/cpu.h>

#define COM1 0x3f8
#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define IER_RX_AVAILABLE 0x01
#define MCR_DTR_RTS 0x03
#define MCR_OUT2 0x08
#define COM1_IRQ 4
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define UART_FIFO_SIZE 16

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);   /* no interrupts */
	outb(COM1 + UART_LCR, 0x80);   /* DLAB: set the divisor */
	outb(COM1 + UART_DATA, 0x01);  /* 115200 baud */
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x03);   /* 8N1 */
	outb(COM1 + UART_FCR, 0x07);   /* enable and clear the FIFOs */
	outb(COM1 + UART_MCR, MCR_DTR_RTS);
}

void serial_write(const char *buf, size_t len)
{
	while (len) {
		while (!(inb(COM1 + UART_LSR) & LSR_THR_EMPTY))
			cpu_relax();
		/* THR empty means the whole transmit FIFO is free. */
		size_t n = len < UART_FIFO_SIZE ? len : UART_FIFO_SIZE;
		for (size_t i = 0; i < n; i++)
			outb(COM1 + UART_DATA, (uint8_t)buf[i]);
		buf += n;
		len -= n;
	}
}

int serial_can_read(void)
{
	return inb(COM1 + UART_LSR) & LSR_DATA_READY;
}

uint8_t serial_getc(void)
{
	while (!serial_can_read())
		cpu_relax();
	return inb(COM1 + UART_DATA);
}

int serial_rx_irq(void (*fn)(void *), void *arg)
{
	int r = irq_attach_isa(COM1_IRQ, fn, arg);

	if (r == 0) {
		outb(COM1 + UART_MCR, MCR_DTR_RTS | MCR_OUT2);
		outb(COM1 + UART_IER, IER_RX_AVAILABLE);
	}
	return r;
}
