/* signals.c - in-image test of signals (issue 3 item 6): alarm, masks and
 * pending signals, siginfo, EINTR and SA_RESTART, sigsuspend, sigaltstack,
 * POSIX timers (SIGEV_SIGNAL, SIGEV_THREAD), setitimer, pthread_kill,
 * pthread_cancel, and delivery on preemption into a spinning loop with
 * its registers and FPU state intact afterwards, and CPU faults turned
 * into SIGSEGV/SIGILL/SIGFPE for a handler. Handlers only touch
 * atomics and locals (they may run in the middle of printf's write). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <sys/mman.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static atomic_int hits[65];
static volatile siginfo_t last_info;
static volatile uintptr_t handler_sp;
static volatile pthread_t handler_thread;

static void count(int sig)
{
	atomic_fetch_add(&hits[sig], 1);
}

static void count_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	last_info = *si;
	atomic_fetch_add(&hits[sig], 1);
}

static void where(int sig)
{
	char local;
	handler_sp = (uintptr_t)&local;
	handler_thread = pthread_self();
	atomic_fetch_add(&hits[sig], 1);
}

static void set_handler(int sig, void (*h)(int), int flags)
{
	struct sigaction sa = { .sa_handler = h, .sa_flags = flags };
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void test_alarm(void)
{
	uint64_t t0 = now_ns();

	set_handler(SIGALRM, count, 0);
	CHECK(alarm(1) == 0);
	while (!atomic_load(&hits[SIGALRM]))
		pause();
	uint64_t dt = now_ns() - t0;
	printf("measured: alarm(1) delivered after %.3f ms\n", dt / 1e6);
	CHECK(atomic_load(&hits[SIGALRM]) == 1);
	CHECK(dt >= 990000000ull && dt < 3000000000ull);
	CHECK(alarm(5) == 0);
	CHECK(alarm(0) >= 4);
}

static void test_blocked_pending(void)
{
	sigset_t set, pend;

	set_handler(SIGUSR1, count, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	CHECK(raise(SIGUSR1) == 0);
	CHECK(atomic_load(&hits[SIGUSR1]) == 0);
	sigemptyset(&pend);
	CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1) == 1);
	CHECK(atomic_load(&hits[SIGUSR1]) == 0);
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);
	CHECK(atomic_load(&hits[SIGUSR1]) == 1);
	sigemptyset(&pend);
	CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1) == 0);
	/* Ignored by default: nothing happens. */
	CHECK(kill(getpid(), SIGCHLD) == 0);
	CHECK(kill(getpid(), SIGURG) == 0);
	CHECK(kill(2, SIGUSR1) == -1 && errno == ESRCH);
	CHECK(kill(getpid(), 0) == 0);
	CHECK(kill(getpid(), 99) == -1 && errno == EINVAL);
	CHECK(sigaction(SIGKILL, &(struct sigaction){ .sa_handler = count },
			NULL) == -1 && errno == EINVAL);
}

static void test_siginfo(void)
{
	struct sigaction sa = { .sa_sigaction = count_info,
				.sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
	CHECK(kill(getpid(), SIGUSR2) == 0);
	CHECK(atomic_load(&hits[SIGUSR2]) == 1);
	CHECK(last_info.si_signo == SIGUSR2);
	CHECK(last_info.si_code == SI_USER);
	CHECK(last_info.si_pid == getpid());
	CHECK(syscall(SYS_tkill, gettid(), SIGUSR2) == 0);
	CHECK(atomic_load(&hits[SIGUSR2]) == 2);
	CHECK(last_info.si_code == SI_TKILL);
	/* SA_RESETHAND: the second one takes the default, here "ignore". */
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	CHECK(sigaction(SIGWINCH, &sa, NULL) == 0);
	raise(SIGWINCH);
	raise(SIGWINCH);
	CHECK(atomic_load(&hits[SIGWINCH]) == 1);
	struct sigaction old;
	CHECK(sigaction(SIGWINCH, NULL, &old) == 0 && old.sa_handler == SIG_DFL);
}

static void test_eintr(void)
{
	struct itimerval it = { .it_value = { 0, 100000 } };
	struct timespec req = { 2, 0 }, rem = { 0, 0 };
	int before = atomic_load(&hits[SIGALRM]);

	set_handler(SIGALRM, count, 0);
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	int r = nanosleep(&req, &rem);
	CHECK(r == -1 && errno == EINTR);
	CHECK(atomic_load(&hits[SIGALRM]) == before + 1);
	printf("measured: nanosleep(2 s) interrupted with %ld.%09ld s left\n",
	       (long)rem.tv_sec, rem.tv_nsec);
	CHECK(rem.tv_sec == 1 && rem.tv_nsec > 0);
}

static pthread_t main_thread;

static void *kick_later(void *arg)
{
	struct timespec d = { 0, 50000000 };
	nanosleep(&d, NULL);
	pthread_kill(main_thread, (int)(intptr_t)arg);
	return NULL;
}

static void test_sigsuspend(void)
{
	sigset_t block, empty, now;
	pthread_t th;

	set_handler(SIGUSR1, count, 0);
	int before = atomic_load(&hits[SIGUSR1]);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	pthread_create(&th, NULL, kick_later, (void *)(intptr_t)SIGUSR1);
	sigemptyset(&empty);
	int r = sigsuspend(&empty);
	CHECK(r == -1 && errno == EINTR);
	CHECK(atomic_load(&hits[SIGUSR1]) == before + 1);
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK(sigismember(&now, SIGUSR1) == 1); /* the old mask is back */
	pthread_join(th, NULL);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
}

static _Atomic uint32_t fword;

static void *kick_then_wake(void *arg)
{
	struct timespec d = { 0, 30000000 };
	nanosleep(&d, NULL);
	pthread_kill(main_thread, SIGUSR2);
	nanosleep(&d, NULL);
	atomic_store(&fword, 1);
	syscall(SYS_futex, &fword, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	return arg;
}

static long futex_wait_with_kick(int flags)
{
	pthread_t th;
	long r;

	set_handler(SIGUSR2, count, flags);
	atomic_store(&fword, 0);
	pthread_create(&th, NULL, kick_then_wake, NULL);
	r = syscall(SYS_futex, &fword, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	if (r < 0)
		r = -errno;
	pthread_join(th, NULL);
	return r;
}

static void test_restart(void)
{
	int before = atomic_load(&hits[SIGUSR2]);

	CHECK(futex_wait_with_kick(SA_RESTART) == 0);
	CHECK(atomic_load(&hits[SIGUSR2]) == before + 1);
	CHECK(futex_wait_with_kick(0) == -EINTR);
	CHECK(atomic_load(&hits[SIGUSR2]) == before + 2);
}

static char altstack[16384] __attribute__((aligned(16)));

static void test_altstack(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) }, old;
	uintptr_t lo = (uintptr_t)altstack, hi = lo + sizeof(altstack);

	CHECK(sigaltstack(&ss, &old) == 0 && (old.ss_flags & SS_DISABLE));
	set_handler(SIGUSR1, where, SA_ONSTACK);
	raise(SIGUSR1);
	CHECK(handler_sp >= lo && handler_sp < hi);
	/* Delivered from the timer interrupt into a spinning loop. */
	set_handler(SIGALRM, where, SA_ONSTACK);
	handler_sp = 0;
	int before = atomic_load(&hits[SIGALRM]);
	struct itimerval it = { .it_value = { 0, 20000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	while (atomic_load(&hits[SIGALRM]) == before)
		;
	CHECK(handler_sp >= lo && handler_sp < hi);
	set_handler(SIGUSR1, where, 0);
	raise(SIGUSR1);
	CHECK(!(handler_sp >= lo && handler_sp < hi));
	ss.ss_flags = SS_DISABLE;
	CHECK(sigaltstack(&ss, NULL) == 0);
	ss = (stack_t){ .ss_sp = altstack, .ss_size = 100 };
	CHECK(sigaltstack(&ss, NULL) == -1 && errno == ENOMEM);
}

static void test_timer_signal(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL,
			       .sigev_signo = SIGRTMIN + 2 };
	struct sigaction sa = { .sa_sigaction = count_info,
				.sa_flags = SA_SIGINFO };
	struct itimerspec its = { .it_value = { 0, 20000000 },
				  .it_interval = { 0, 20000000 } }, cur;
	timer_t t;
	int sig = SIGRTMIN + 2;

	ev.sigev_value.sival_int = 4242;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	CHECK(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0);
	CHECK(timer_settime(t, 0, &its, NULL) == 0);
	CHECK(timer_gettime(t, &cur) == 0 && cur.it_interval.tv_nsec == 20000000);
	while (atomic_load(&hits[sig]) < 3)
		pause();
	CHECK(timer_delete(t) == 0);
	CHECK(last_info.si_signo == sig && last_info.si_code == SI_TIMER);
	CHECK(last_info.si_value.sival_int == 4242);
	CHECK(timer_getoverrun(t) == -1 && errno == EINVAL);
}

static sem_t tsem;
static atomic_int thread_fired;

static void notify(union sigval v)
{
	if (v.sival_int == 77)
		atomic_fetch_add(&thread_fired, 1);
	sem_post(&tsem);
}

static void test_timer_thread(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD,
			       .sigev_notify_function = notify };
	struct itimerspec its = { .it_value = { 0, 30000000 } };
	struct timespec dl;
	timer_t t;

	ev.sigev_value.sival_int = 77;
	sem_init(&tsem, 0, 0);
	CHECK(timer_create(CLOCK_REALTIME, &ev, &t) == 0);
	CHECK(timer_settime(t, 0, &its, NULL) == 0);
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 5;
	CHECK(sem_timedwait(&tsem, &dl) == 0);
	CHECK(atomic_load(&thread_fired) == 1);
	CHECK(timer_delete(t) == 0);
}

static void test_setitimer_periodic(void)
{
	struct itimerval it = { .it_value = { 0, 10000 },
				.it_interval = { 0, 10000 } }, cur;
	int before;

	set_handler(SIGALRM, count, SA_RESTART);
	before = atomic_load(&hits[SIGALRM]);
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	CHECK(getitimer(ITIMER_REAL, &cur) == 0 && cur.it_interval.tv_usec == 10000);
	while (atomic_load(&hits[SIGALRM]) < before + 5)
		;
	it = (struct itimerval){ 0 };
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	CHECK(atomic_load(&hits[SIGALRM]) >= before + 5);
	/* ITIMER_VIRTUAL/PROF exist (timer_cpu.c); an unknown one does not. */
	CHECK(setitimer(ITIMER_VIRTUAL, &it, NULL) == 0);
	CHECK(setitimer(3, &it, NULL) == -1 && errno == EINVAL);
}

static atomic_int spin_stop, waiting;

static void *sleeper(void *arg)
{
	(void)arg;
	atomic_store(&waiting, 1);
	while (!atomic_load(&spin_stop))
		pause();
	return NULL;
}

static void *spinner(void *arg)
{
	(void)arg;
	atomic_store(&waiting, 1);
	while (!atomic_load(&spin_stop))
		;
	return NULL;
}

static void test_pthread_kill(void *(*fn)(void *))
{
	pthread_t th;

	set_handler(SIGUSR1, where, 0);
	atomic_store(&spin_stop, 0);
	atomic_store(&waiting, 0);
	handler_thread = 0;
	pthread_create(&th, NULL, fn, NULL);
	while (!atomic_load(&waiting))
		sched_yield();
	int before = atomic_load(&hits[SIGUSR1]);
	CHECK(pthread_kill(th, SIGUSR1) == 0);
	while (atomic_load(&hits[SIGUSR1]) == before)
		sched_yield();
	CHECK(pthread_equal(handler_thread, th));
	atomic_store(&spin_stop, 1);
	if (fn == sleeper)
		pthread_kill(th, SIGUSR1);
	CHECK(pthread_join(th, NULL) == 0);
}

static void *nap(void *arg)
{
	struct timespec d = { 10, 0 };
	(void)arg;
	atomic_store(&waiting, 1);
	nanosleep(&d, NULL);
	return (void *)1;
}

static atomic_int after_spin;
static pthread_mutex_t cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void unlock_cm(void *arg)
{
	(void)arg;
	pthread_mutex_unlock(&cm);
}

static void *cond_waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&cm);
	pthread_cleanup_push(unlock_cm, NULL);
	atomic_store(&waiting, 1);
	for (;;) /* nobody signals cv: only cancellation ends this */
		pthread_cond_wait(&cv, &cm);
	pthread_cleanup_pop(1);
	return NULL;
}

static void *spin_then_cancel_point(void *arg)
{
	struct timespec d = { 10, 0 };
	(void)arg;
	atomic_store(&waiting, 1);
	while (!atomic_load(&spin_stop))
		;
	atomic_store(&after_spin, 1); /* not a cancellation point */
	nanosleep(&d, NULL);
	return (void *)1;
}

static void test_cancel(void)
{
	pthread_t th;
	void *res;
	uint64_t t0;

	atomic_store(&waiting, 0);
	struct timespec d = { 0, 20000000 };
	pthread_create(&th, NULL, nap, NULL);
	while (!atomic_load(&waiting))
		sched_yield();
	nanosleep(&d, NULL); /* it is asleep in the kernel now */
	t0 = now_ns();
	CHECK(pthread_cancel(th) == 0);
	CHECK(pthread_join(th, &res) == 0 && res == PTHREAD_CANCELED);
	CHECK(now_ns() - t0 < 2000000000ull);

	/* In pthread_cond_wait: a futex wait, which SIGCANCEL's SA_RESTART
	 * would otherwise re-run. */
	atomic_store(&waiting, 0);
	pthread_create(&th, NULL, cond_waiter, NULL);
	while (!atomic_load(&waiting))
		sched_yield();
	nanosleep(&d, NULL);
	CHECK(pthread_cancel(th) == 0);
	CHECK(pthread_join(th, &res) == 0 && res == PTHREAD_CANCELED);
	CHECK(pthread_mutex_trylock(&cm) == 0); /* the cleanup unlocked it */
	pthread_mutex_unlock(&cm);

	atomic_store(&waiting, 0);
	atomic_store(&spin_stop, 0);
	pthread_create(&th, NULL, spin_then_cancel_point, NULL);
	while (!atomic_load(&waiting))
		sched_yield();
	CHECK(pthread_cancel(th) == 0);
	nanosleep(&d, NULL); /* it keeps spinning: no cancellation point */
	CHECK(atomic_load(&after_spin) == 0);
	atomic_store(&spin_stop, 1);
	CHECK(pthread_join(th, &res) == 0 && res == PTHREAD_CANCELED);
	CHECK(atomic_load(&after_spin) == 1);
}

static void clobber(int sig)
{
	volatile double x = 1.25;
	for (int i = 0; i < 200; i++)
		x = x * 1.0001 + 0.5;
	atomic_fetch_add(&hits[sig], 1);
}

static double fpu_loop(long n, long *isum)
{
	double s = 0, m = 1.0;
	long k = 0;
	for (long i = 0; i < n; i++) {
		s += (double)(i & 1023) * 0.5;
		m = m * 1.0000001;
		k += i ^ (i >> 3);
	}
	*isum = k;
	return s + m;
}

static void test_preempted_state(void)
{
	long n = 3000000, k1, k2;
	double ref, got;
	struct itimerval it = { .it_value = { 0, 2000 },
				.it_interval = { 0, 2000 } };

	ref = fpu_loop(n, &k1);
	set_handler(SIGALRM, clobber, 0);
	int before = atomic_load(&hits[SIGALRM]);
	setitimer(ITIMER_REAL, &it, NULL);
	got = fpu_loop(n, &k2);
	it = (struct itimerval){ 0 };
	setitimer(ITIMER_REAL, &it, NULL);
	int n_sig = atomic_load(&hits[SIGALRM]) - before;
	printf("measured: %d SIGALRM handlers ran inside the loop\n", n_sig);
	CHECK(n_sig > 0);
	CHECK(got == ref);
	CHECK(k1 == k2);
}

static sigjmp_buf fault_jb;
static volatile int fault_sig, fault_code;
static void *volatile fault_addr;
static char *volatile guard_page;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_sig = sig;
	fault_code = si->si_code;
	fault_addr = si->si_addr;
	siglongjmp(fault_jb, 1);
}

/* Fix the cause and return: the faulting write runs again. */
static void unprotect(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_sig = sig;
	fault_addr = si->si_addr;
	mprotect(guard_page, 4096, PROT_READ | PROT_WRITE);
}

static void test_faults(void)
{
	struct sigaction sa = { .sa_sigaction = on_fault,
				.sa_flags = SA_SIGINFO };
	volatile int zero = 0, r = 5;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	if (!sigsetjmp(fault_jb, 1))
		*(volatile int *)16 = 1;
	CHECK(fault_sig == SIGSEGV && fault_code == SEGV_MAPERR &&
	      fault_addr == (void *)16);
	fault_sig = 0;
	if (!sigsetjmp(fault_jb, 1))
		*(volatile char *)(uintptr_t)&test_faults = 0;
	CHECK(fault_sig == SIGSEGV && fault_code == SEGV_ACCERR);
	fault_sig = 0;
	if (!sigsetjmp(fault_jb, 1))
		__asm__ volatile("ud2");
	CHECK(fault_sig == SIGILL && fault_code == ILL_ILLOPN);
	fault_sig = 0;
	if (!sigsetjmp(fault_jb, 1))
		r = r + 7 / zero; /* not 1/x: clang turns that into a select */
	CHECK(fault_sig == SIGFPE && fault_code == FPE_INTDIV);
	(void)r;

	sa.sa_sigaction = unprotect;
	sigaction(SIGSEGV, &sa, NULL);
	guard_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	fault_sig = 0;
	guard_page[100] = 42;
	CHECK(fault_sig == SIGSEGV && fault_addr == guard_page + 100);
	CHECK(guard_page[100] == 42);
	munmap(guard_page, 4096);
	signal(SIGSEGV, SIG_DFL);
	signal(SIGILL, SIG_DFL);
	signal(SIGFPE, SIG_DFL);
}

int main(void)
{
	main_thread = pthread_self();
	test_alarm();
	test_blocked_pending();
	test_siginfo();
	test_eintr();
	test_sigsuspend();
	test_restart();
	test_altstack();
	test_timer_signal();
	test_timer_thread();
	test_setitimer_periodic();
	test_pthread_kill(sleeper);
	test_pthread_kill(spinner);
	test_cancel();
	test_preempted_state();
	test_faults();
	return check_done();
}
