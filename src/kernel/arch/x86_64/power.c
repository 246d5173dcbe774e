/*
 * power.c - leaving the VM: power off with the program's status, or panic.
 *
 * Layer: arch/x86_64. uni_poweroff() is called by exit_group (proc/exit.c);
 * panic() by any subsystem on a broken invariant and by trap.c on a fault.
 * The status goes to uni-run as one line on QEMU's debug console (port
 * 0xe9): "exit N" or "panic"; before "panic" come "bt 0x..." lines, the
 * backtrace's addresses, which uni-run symbolizes from the image's ELF.
 * Then a write to isa-debug-exit (port 0xf4) ends QEMU. The serial
 * console carries the program's own output and the kernel's messages.
 * Without those devices (another VMM) the CPU halts with interrupts off.
 */
#include <stdarg.h>
#include <uni/kernel.h>
#include <uni/x86_64/cpu.h>
#include "panic.h"

#define DEBUGCON_PORT 0xe9
#define DEBUG_EXIT_PORT 0xf4

void status_line(const char *s)
{
	while (*s)
		outb(DEBUGCON_PORT, (uint8_t)*s++);
}

static void __attribute__((noreturn)) leave(int code)
{
	outl(DEBUG_EXIT_PORT, (uint32_t)code);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void uni_poweroff(int status)
{
	char line[24];

	ksnprintf(line, sizeof(line), "exit %d\n", status & 0xff);
	status_line(line);
	leave(status & 0xff);
}

static int panicking;

void panic_begin(void)
{
	__asm__ volatile("cli");
	if (panicking++) {
		/* A fault while reporting a fault: leave without printing. */
		status_line("panic\n");
		leave(0x7f);
	}
}

void __attribute__((noreturn)) panic_end(void)
{
	status_line("panic\n");
	leave(0x7f);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	panic_begin();
	kprintf("uni: panic: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	/* From panic itself: frame 0 names it, the caller comes next. */
	backtrace((uint64_t)(uintptr_t)panic,
		  (uint64_t)(uintptr_t)__builtin_frame_address(0),
		  (uint64_t)(uintptr_t)__builtin_frame_address(0));
	panic_end();
}
