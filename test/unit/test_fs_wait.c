/*
 * test_fs_wait.c - host unit test of the waiting file types over the real
 * src/kernel/fs/pipe.c, eventfd.c, timerfd.c, epoll.c, fs/file.c and
 * sched/wait.c, with a fake descriptor table, scheduler and clock below:
 * the pipe ring (wrap-around, resizing a wrapped ring, the PIPE_BUF rule,
 * EOF, EPIPE + SIGPIPE, a block interrupted by a signal leaving no waiter
 * behind), eventfd's counter rules, timerfd's expiration counting, and
 * epoll's ready list (level, edge, one-shot, removal on last close) --
 * with ASan watching the memory and kmalloc_in_use() for leaks.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <uni/file.h>
#include <uni/kmalloc.h>
#include <uni/sched.h>
#include <uni/signal.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include "host_fdtable.h"
#include "unit.h"

/* ---- fakes: descriptors, scheduler, clock, signals, timers ------------ */


static int blocks, wakes, block_result = -EINTR;
static char me;
struct thread *sched_current(void) { return (struct thread *)&me; }
int sched_block(uint64_t deadline) { (void)deadline; blocks++; return block_result; }
int sched_wake(struct thread *t) { (void)t; wakes++; return 0; }

static uint64_t fake_now = 1000000000;
uint64_t time_now_ns(void) { return fake_now; }
uint64_t time_wall_base_ns(void) { return 0; }

static int last_sig, sigs;
int sig_send(struct thread *t, int sig, const struct sig_info *info)
{
	(void)t; (void)info;
	last_sig = sig;
	sigs++;
	return 1;
}

void timer_start(struct timer *t, uint64_t deadline)
{
	t->deadline = deadline;
	t->prev = t;
}
void timer_stop(struct timer *t) { t->prev = t->next = NULL; }

/* poll.c's helpers, which epoll.c calls. */
uint64_t wait_deadline(uint64_t ns) { return fake_now + ns; }
uint64_t wait_left(uint64_t d) { return d > fake_now ? d - fake_now : 0; }
int wait_timeout_ts(const struct timespec *ts, uint64_t *d) { (void)ts; *d = 0; return 0; }
int wait_sigmask_set(const uint64_t *m, size_t n) { (void)m; (void)n; return 0; }
void wait_sigmask_done(long ret) { (void)ret; }
int wait_signal_pending(void) { return 0; }

/* ---- helpers ------------------------------------------------------------ */

static long kread(int fd, void *buf, size_t n)
{
	struct file *f = host_fdt[fd];
	return kernel_read(f, buf, n, 0);
}

static long kwrite(int fd, const void *buf, size_t n)
{
	struct file *f = host_fdt[fd];
	return kernel_write(f, buf, n, 0);
}

static void fill(char *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (char)(seed + i * 13);
}

static int same(const char *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != (char)(seed + i * 13))
			return 0;
	return 1;
}

/* ---- pipes --------------------------------------------------------------- */

static void test_pipe(void)
{
	static char a[70000], b[70000];
	size_t base = kmalloc_in_use();
	int fds[2], n;

	CHECK(sys_pipe2((long)fds, O_NONBLOCK, 0, 0, 0, 0) == 0);
	CHECK(sys_pipe2((long)fds, O_DIRECT, 0, 0, 0, 0) == -EINVAL);
	struct file *r = host_fdt[fds[0]], *w = host_fdt[fds[1]];
	CHECK(pipe_fcntl(r, F_GETPIPE_SZ, 0) == 65536);

	/* Wrap-around in a one-page ring. */
	CHECK(pipe_fcntl(w, F_SETPIPE_SZ, 100) == 4096);
	fill(a, 3000, 1);
	CHECK(kwrite(fds[1], a, 3000) == 3000);
	CHECK(kread(fds[0], b, 2000) == 2000 && same(b, 2000, 1));
	fill(a, 3000, 1 + 3000 * 13); /* continues the sequence */
	CHECK(kwrite(fds[1], a, 3000) == 3000); /* 1096 at the end, 1904 at the start */
	CHECK(r->ops->ioctl(r, FIONREAD, &n) == 0 && n == 4000);
	/* Growing a wrapped ring keeps the order. */
	CHECK(pipe_fcntl(w, F_SETPIPE_SZ, 8192) == 8192);
	CHECK(kwrite(fds[1], a, 1000) == 1000);
	CHECK(pipe_fcntl(w, F_SETPIPE_SZ, 4096) == -EBUSY);
	CHECK(kread(fds[0], b, sizeof(b)) == 5000 && same(b, 4000, 1 + 2000 * 13));
	CHECK(kread(fds[0], b, 1) == -EAGAIN);

	/* The PIPE_BUF rule on a non-blocking end. */
	CHECK(kwrite(fds[1], a, 8192 - 100) == 8192 - 100);
	CHECK(kwrite(fds[1], a, 101) == -EAGAIN);
	CHECK(kwrite(fds[1], a, 5000) == 100);
	CHECK(kwrite(fds[1], a, 1) == -EAGAIN);
	CHECK((r->ops->poll(r, NULL) & POLLIN) && !(w->ops->poll(w, NULL) & POLLOUT));
	CHECK(kread(fds[0], b, sizeof(b)) == 8192);
	CHECK(w->ops->poll(w, NULL) == (POLLOUT | POLLWRNORM));

	/* Blocking ends interrupted by a signal: -ERESTARTSYS, no waiter left. */
	r->flags &= ~O_NONBLOCK;
	w->flags &= ~O_NONBLOCK;
	blocks = 0;
	CHECK(kread(fds[0], b, 1) == -ERESTARTSYS && blocks == 1);
	CHECK(kwrite(fds[1], a, 8192) == 8192);
	CHECK(kwrite(fds[1], a, 10) == -ERESTARTSYS && blocks == 2);
	CHECK(kread(fds[0], b, 5000) == 5000);
	CHECK(kwrite(fds[1], a, 7000) == 5000); /* partial, then interrupted */
	CHECK(kread(fds[0], b, sizeof(b)) == 8192);

	/* EOF once the writer is gone, POLLHUP. */
	CHECK(kwrite(fds[1], a, 3) == 3);
	CHECK(fd_close(fds[1]) == 0);
	CHECK(r->ops->poll(r, NULL) == (POLLIN | POLLRDNORM | POLLHUP));
	CHECK(kread(fds[0], b, 10) == 3 && kread(fds[0], b, 10) == 0);
	CHECK(fd_close(fds[0]) == 0);
	CHECK(kmalloc_in_use() == base);

	/* EPIPE and SIGPIPE once the reader is gone, POLLERR. */
	CHECK(sys_pipe((long)fds, 0, 0, 0, 0, 0) == 0);
	w = host_fdt[fds[1]];
	CHECK(fd_close(fds[0]) == 0);
	sigs = 0;
	CHECK(kwrite(fds[1], a, 1) == -EPIPE && sigs == 1 && last_sig == SIGPIPE);
	CHECK(w->ops->poll(w, NULL) & POLLERR);
	CHECK(kwrite(fds[1], a, 0) == 0 && sigs == 1);
	CHECK(fd_close(fds[1]) == 0);
	CHECK(kmalloc_in_use() == base);
}

/* ---- eventfd --------------------------------------------------------------- */

static void test_eventfd(void)
{
	size_t base = kmalloc_in_use();
	uint64_t v;
	int fd = (int)sys_eventfd2(3, EFD_NONBLOCK | EFD_SEMAPHORE, 0, 0, 0, 0);

	CHECK(fd >= 0);
	CHECK(sys_eventfd2(0, 0x100, 0, 0, 0, 0) == -EINVAL);
	CHECK(kread(fd, &v, 4) == -EINVAL);
	CHECK(kread(fd, &v, 8) == 8 && v == 1);
	CHECK(kread(fd, &v, 8) == 8 && kread(fd, &v, 8) == 8);
	CHECK(kread(fd, &v, 8) == -EAGAIN);
	v = UINT64_MAX;
	CHECK(kwrite(fd, &v, 8) == -EINVAL);
	v = UINT64_MAX - 1;
	CHECK(kwrite(fd, &v, 8) == 8);
	v = 1;
	CHECK(kwrite(fd, &v, 8) == -EAGAIN);
	CHECK(host_fdt[fd]->ops->poll(host_fdt[fd], NULL) == (POLLIN | POLLRDNORM));
	CHECK(fd_close(fd) == 0);
	CHECK(kmalloc_in_use() == base);
}

/* ---- timerfd ----------------------------------------------------------------- */

struct tfd_view { struct timer tm; }; /* the timer is the first field */

static void test_timerfd(void)
{
	size_t base = kmalloc_in_use();
	struct itimerspec its = { { 0, 10 }, { 0, 100 } }, cur;
	uint64_t v;
	int fd = (int)sys_timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK, 0, 0, 0, 0);

	CHECK(fd >= 0);
	CHECK(sys_timerfd_create(CLOCK_MONOTONIC, 0x10, 0, 0, 0, 0) == -EINVAL);
	CHECK(sys_timerfd_settime(fd, 0, (long)&its, 0, 0, 0) == 0);
	struct timer *tm = &((struct tfd_view *)host_fdt[fd]->priv)->tm;
	CHECK(tm->deadline == fake_now + 100 && timer_pending(tm));
	CHECK(kread(fd, &v, 8) == -EAGAIN);
	/* Fires 35 ns late: one expiration plus three missed periods. */
	fake_now = tm->deadline + 35;
	tm->prev = NULL;
	tm->fn(tm);
	CHECK(timer_pending(tm) && tm->deadline == fake_now - 35 + 40);
	CHECK(kread(fd, &v, 8) == 8 && v == 4);
	CHECK(sys_timerfd_gettime(fd, (long)&cur, 0, 0, 0, 0) == 0 &&
	      cur.it_value.tv_nsec == 5 && cur.it_interval.tv_nsec == 10);
	CHECK(sys_timerfd_gettime(HOST_NFD - 1, (long)&cur, 0, 0, 0, 0) == -EBADF);
	/* An absolute time 25 ns ago: counted at once, next period queued. */
	its.it_value.tv_sec = (time_t)((fake_now - 25) / 1000000000);
	its.it_value.tv_nsec = (long)((fake_now - 25) % 1000000000);
	CHECK(sys_timerfd_settime(fd, TFD_TIMER_ABSTIME, (long)&its, 0, 0, 0) == 0);
	CHECK(kread(fd, &v, 8) == 8 && v == 3);
	CHECK(timer_pending(tm) && tm->deadline == fake_now + 5);
	CHECK(fd_close(fd) == 0);
	CHECK(kmalloc_in_use() == base);
}

/* ---- epoll --------------------------------------------------------------- */

static int ep_add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return (int)sys_epoll_ctl(ep, EPOLL_CTL_ADD, fd, (long)&ev, 0, 0);
}

static int ep_wait(int ep, struct epoll_event *ev, int max)
{
	return (int)sys_epoll_wait(ep, (long)ev, max, 0, 0, 0);
}

static void test_epoll(void)
{
	size_t base = kmalloc_in_use();
	struct epoll_event ev[4];
	int p[2], ep = (int)sys_epoll_create1(0, 0, 0, 0, 0, 0), e;

	CHECK(ep >= 0);
	CHECK(sys_pipe((long)p, 0, 0, 0, 0, 0) == 0);
	e = (int)sys_eventfd2(0, 0, 0, 0, 0, 0);
	CHECK(ep_add(ep, p[0], EPOLLIN | EPOLLET, 1) == 0);
	CHECK(ep_add(ep, e, EPOLLIN | EPOLLONESHOT, 2) == 0);
	CHECK(ep_add(ep, p[0], EPOLLIN, 1) == -EEXIST);
	CHECK(ep_wait(ep, ev, 4) == 0);

	/* Edge: one event per write. */
	CHECK(kwrite(p[1], "ab", 2) == 2);
	CHECK(ep_wait(ep, ev, 4) == 1 && ev[0].data.u64 == 1 && ev[0].events == EPOLLIN);
	CHECK(ep_wait(ep, ev, 4) == 0);
	CHECK(kwrite(p[1], "c", 1) == 1);
	CHECK(ep_wait(ep, ev, 4) == 1);
	/* One-shot: once. */
	uint64_t one = 1;
	CHECK(kwrite(e, &one, 8) == 8);
	CHECK(ep_wait(ep, ev, 4) == 1 && ev[0].data.u64 == 2);
	CHECK(kwrite(e, &one, 8) == 8);
	CHECK(ep_wait(ep, ev, 4) == 0);
	/* Level after MOD: every time. */
	struct epoll_event m = { .events = EPOLLIN, .data.u64 = 3 };
	CHECK(sys_epoll_ctl(ep, EPOLL_CTL_MOD, e, (long)&m, 0, 0) == 0);
	CHECK(ep_wait(ep, ev, 4) == 1 && ev[0].data.u64 == 3);
	CHECK(ep_wait(ep, ev, 4) == 1 && ev[0].data.u64 == 3);

	/* Closing the last descriptor of a watched file drops its item. */
	CHECK(fd_close(e) == 0);
	CHECK(ep_wait(ep, ev, 4) == 0);
	/* A nested epoll, and its loop check. */
	int outer = (int)sys_epoll_create1(0, 0, 0, 0, 0, 0);
	CHECK(ep_add(outer, ep, EPOLLIN, 9) == 0);
	CHECK(ep_add(ep, outer, EPOLLIN, 9) == -ELOOP);
	CHECK(kwrite(p[1], "d", 1) == 1);
	CHECK(ep_wait(outer, ev, 4) == 1 && ev[0].data.u64 == 9);
	CHECK(fd_close(ep) == 0); /* the outer set forgets it */
	CHECK(ep_wait(outer, ev, 4) == 0);
	CHECK(fd_close(outer) == 0);
	CHECK(fd_close(p[0]) == 0 && fd_close(p[1]) == 0);
	CHECK(kmalloc_in_use() == base);
}

int main(void)
{
	test_pipe();
	test_eventfd();
	test_timerfd();
	test_epoll();
	printf("test_fs_wait: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
