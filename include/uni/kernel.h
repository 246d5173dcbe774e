/*
 * uni/kernel.h - what every kernel file needs: logging, panic, asserts,
 * small helpers.
 *
 * Layer: kernel, all subsystems. kprintf writes to the serial console
 * (src/kernel/console/kprintf.c); panic prints and exits the VM with the
 * panic status (src/kernel/arch/x86_64/power.c).
 */
#ifndef UNI_KERNEL_H
#define UNI_KERNEL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define UNI_PAGE_SIZE 4096UL

#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Formats: %s %c %d %i %u %x %p %% with l/ll/z size prefixes, width and
 * zero padding. Serial console only; never calls back into syscalls. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Broken kernel invariant: print, then exit the VM with the panic status. */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* File and line identify the assertion; its text is left out, because
 * every image carries the strings of the asserts it links. */
#define KASSERT(cond) \
	do { \
		if (!(cond)) \
			panic("assertion failed at %s:%d", __FILE__, __LINE__); \
	} while (0)

/* A function that runs once (start-up, first use) or only on an error
 * path: compiled for the smallest size, as -Oz does for whole files (see
 * src/CMakeLists.txt), since every image carries it and its speed does
 * not matter. */
#define KERNEL_COLD __attribute__((minsize, cold))

/* Power off with the program's exit status (0..255). */
void uni_poweroff(int status) __attribute__((noreturn));

#endif
