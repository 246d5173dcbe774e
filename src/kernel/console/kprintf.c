/*
 * kprintf.c - formatted kernel messages.
 *
 * Layer: console. Used by every subsystem for logs and by panic(). A small
 * formatter of its own (no floating point, no locale, no syscalls) so that
 * it is safe anywhere, including in a fault handler, and costs an image
 * that never calls printf nothing from musl's stdio.
 */
#include <stdarg.h>
#include <stdint.h>
#include <uni/console.h>
#include <uni/kernel.h>

/* A string sink (stream == 0: keep what fits, count the rest) or a
 * console sink (stream == 1: flush the buffer to the UART when full). */
struct out {
	char *buf;
	size_t size, len; /* len counts every byte, also those not stored */
	int stream;
};

static void put(struct out *o, char c)
{
	if (o->stream && o->len == o->size) {
		serial_write(o->buf, o->len);
		o->len = 0;
	}
	if (o->len + 1 < o->size || o->stream)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, uint64_t v, int base, int neg, int width,
		    char pad, int alt, int left)
{
	char tmp[24];
	int n = 0, total;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	total = n + neg + (alt ? 2 : 0);
	if (!left && pad == ' ')
		for (; total < width; width--)
			put(o, ' ');
	if (neg)
		put(o, '-');
	if (alt) {
		put(o, '0');
		put(o, 'x');
	}
	if (!left && pad == '0')
		for (; total < width; width--)
			put(o, '0');
	while (n)
		put(o, tmp[--n]);
	if (left)
		for (; total < width; width--)
			put(o, ' ');
}

static void format(struct out *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(o, *fmt);
			continue;
		}
		int width = 0, lng = 0, alt = 0, left = 0;
		char pad = ' ';
		for (;; fmt++) {
			if (fmt[1] == '#')
				alt = 1;
			else if (fmt[1] == '-')
				left = 1;
			else if (fmt[1] == '0')
				pad = '0';
			else
				break;
		}
		while (fmt[1] >= '0' && fmt[1] <= '9')
			width = width * 10 + (*++fmt - '0');
		while (fmt[1] == 'l' || fmt[1] == 'z') {
			lng = 1;
			fmt++;
		}
		switch (*++fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, long) : va_arg(ap, int);
			put_num(o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0,
				width, pad, 0, left);
			break;
		}
		case 'u':
		case 'x': {
			uint64_t v = lng ? va_arg(ap, unsigned long)
					 : va_arg(ap, unsigned);
			put_num(o, v, *fmt == 'u' ? 10 : 16, 0, width, pad,
				alt && *fmt == 'x', left);
			break;
		}
		case 'p':
			put_num(o, (uintptr_t)va_arg(ap, void *), 16, 0, width,
				pad, 1, left);
			break;
		case 'c':
			put(o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int n = 0;
			if (!s)
				s = "(null)";
			while (s[n])
				n++;
			if (!left)
				for (; n < width; width--)
					put(o, ' ');
			while (*s)
				put(o, *s++);
			if (left)
				for (; n < width; width--)
					put(o, ' ');
			break;
		}
		case '%':
			put(o, '%');
			break;
		case '\0':
			return;
		default:
			put(o, '%');
			put(o, *fmt);
		}
	}
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0, 0 };

	format(&o, fmt, ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void kvprintf(const char *fmt, va_list ap)
{
	char buf[128];
	struct out o = { buf, sizeof(buf), 0, 1 };

	format(&o, fmt, ap);
	serial_write(buf, o.len);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}
