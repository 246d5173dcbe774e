/*
 * console.c - the serial console as a file: stdin, stdout and stderr
 * (fdtable.c installs them), /dev/console and /dev/tty (devfs).
 *
 * Layer: console, a file type (uni/file.h). The console is a tty: the
 * window-size ioctl answers (a serial console has no size: 0x0, as Linux
 * reports), so musl line-buffers stdout; TCGETS reports the line as it
 * really behaves: raw, no echo, no line editing, no output processing,
 * so uni-run's stdout carries exactly the bytes the program wrote; TCSETS
 * accepts settings that keep it so and refuses the others (EINVAL).
 * Input: a read waits for the first byte and then returns what has
 * already arrived; a Ctrl-D at the start of a read is end of file, as on
 * a tty. O_NONBLOCK reads give EAGAIN when nothing has arrived.
 *
 * Waiting for input: the first time somebody waits (a blocking read, or
 * poll/select/epoll on the console) the UART's receive interrupt is
 * routed to input_arrived(), which wakes the waiters. Where it cannot be
 * routed (no I/O APIC), a 10 ms timer samples the line status while
 * anybody waits instead. Either way the CPU sleeps; nothing spins.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <uni/console.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include <uni/sched.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include <uni/uaccess.h>
#include <uni/wait.h>

#define CTRL_D 0x04
#define BOUNCE 256
#define SAMPLE_NS 10000000ULL

static struct waitq input_wq;
static void sample(struct timer *t);
static struct timer sample_timer = { .fn = sample };

static void sample(struct timer *t)
{
	if (serial_can_read())
		waitq_wake(&input_wq, POLLIN | POLLRDNORM);
	if (waitq_active(&input_wq))
		timer_start(t, time_now_ns() + SAMPLE_NS);
}

static void input_arrived(void *arg)
{
	waitq_wake(&input_wq, POLLIN | POLLRDNORM);
}

/* Called before each wait for input. */
static void input_watch(void)
{
	static int irq_state; /* 0 not tried, 1 routed, -1 sampling */

	if (!irq_state)
		irq_state = serial_rx_irq(input_arrived, NULL) == 0 ? 1 : -1;
	if (irq_state < 0 && !timer_pending(&sample_timer))
		timer_start(&sample_timer, time_now_ns() + SAMPLE_NS);
}

static long console_write(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	char chunk[BOUNCE];
	size_t done = 0;

	while (it->count) {
		size_t n = iter_copy_from(it, chunk, sizeof(chunk));
		if (!n)
			return done ? (long)done : -EFAULT;
		serial_write(chunk, n);
		done += n;
	}
	return (long)done;
}

static long console_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	char chunk[BOUNCE];
	size_t n = 0;

	if (!it->count)
		return 0;
	while (!serial_can_read()) {
		int r;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		input_watch();
		r = waitq_block(&input_wq, POLLIN, 0);
		if (r == -EINTR)
			return -ERESTARTSYS;
	}
	while (n < MIN(it->count, sizeof(chunk)) && serial_can_read()) {
		char c = (char)serial_getc();
		if (c == CTRL_D) {
			if (n == 0)
				return 0;
			break;
		}
		chunk[n++] = c;
	}
	if (iter_copy_to(it, chunk, n) != n)
		return -EFAULT; /* the bytes are lost, as Linux loses them */
	return (long)n;
}

static uint32_t console_poll(struct file *f, struct poll_table *pt)
{
	uint32_t mask = POLLOUT | POLLWRNORM;

	if (serial_can_read())
		mask |= POLLIN | POLLRDNORM;
	else if (pt) {
		poll_wait(f, &input_wq, pt);
		input_watch();
	}
	return mask;
}

KERNEL_COLD static long console_ioctl(struct file *f, unsigned long req,
				     void *arg)
{
	switch (req) {
	case TIOCGWINSZ: {
		struct winsize ws = { 0 };
		return copy_to_user(arg, &ws, sizeof(ws));
	}
	case TCGETS: {
		struct termios t = { 0 };
		t.c_cflag = B115200 | CS8 | CREAD | CLOCAL;
		t.c_cc[VMIN] = 1;
		t.c_cc[VEOF] = CTRL_D;
		return copy_to_user(arg, &t, sizeof(t));
	}
	case TCSETS:
	case TCSETSW:
	case TCSETSF: {
		/* The line stays raw: settings that keep it raw (what a
		 * program restores, or asks for to turn echo off) are
		 * accepted; asking for echo, line editing, signal keys or
		 * output processing is refused rather than ignored. */
		struct termios t;
		if (copy_from_user(&t, arg, sizeof(t)))
			return -EFAULT;
		if ((t.c_lflag & (ECHO | ICANON | ISIG | IEXTEN)) ||
		    (t.c_oflag & OPOST) ||
		    (t.c_iflag & (ICRNL | INLCR | IGNCR | IXON)))
			return -EINVAL;
		if (req == TCSETSF)
			while (serial_can_read())
				serial_getc();
		return 0;
	}
	case FIONREAD: {
		int n = serial_can_read() ? 1 : 0; /* the UART shows one byte */
		return copy_to_user(arg, &n, sizeof(n));
	}
	default:
		return -ENOTTY;
	}
}

const struct file_ops console_fops = {
	.read = console_read,
	.write = console_write,
	.poll = console_poll,
	.ioctl = console_ioctl,
	.stream = 1,
	.anon_name = "/dev/console",
};
