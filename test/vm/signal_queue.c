/* signal_queue.c - in-image test of queued signals and sigqueue
 * (src/kernel/signal: sig_queue, rt_sigqueueinfo, rt_tgsigqueueinfo):
 * real-time signals queue one instance per send, in order, with their
 * si_value and si_code; standard ones merge; RLIMIT_SIGPENDING bounds the
 * queue (EAGAIN for sigqueue, kill still succeeds); the EINVAL, ESRCH and
 * EPERM rules of rt_sigqueueinfo(2); handlers and signalfd see the info.
 * Run by CTest (test/vm/CMakeLists.txt, test "signal_queue"). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

static const struct timespec zero = { 0, 0 };

static void block(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

static void unblock(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static int pending(int sig)
{
	sigset_t s;
	sigpending(&s);
	return sigismember(&s, sig);
}

/* Accept one instance of sig without waiting: its number, or -1. */
static int take(int sig, siginfo_t *si)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	return sigtimedwait(&s, si, &zero);
}

static void test_rt_queue(void)
{
	int sig = SIGRTMIN + 1, ok = 1;
	siginfo_t si;

	block(sig);
	for (int i = 0; i < 3; i++)
		CHECK(sigqueue(getpid(), sig, (union sigval){ .sival_int = 10 + i }) == 0);
	CHECK(pending(sig) == 1);
	for (int i = 0; i < 3; i++) {
		memset(&si, 0, sizeof(si));
		ok &= take(sig, &si) == sig && si.si_code == SI_QUEUE &&
		      si.si_value.sival_int == 10 + i &&
		      si.si_pid == getpid() && si.si_uid == getuid();
	}
	CHECK(ok); /* three instances, in order, with their info */
	CHECK(pending(sig) == 0);
	CHECK(take(sig, &si) == -1 && errno == EAGAIN);

	/* raise() twice: two instances too (si_code SI_TKILL). */
	raise(sig);
	raise(sig);
	CHECK(take(sig, &si) == sig && si.si_code == SI_TKILL);
	CHECK(pending(sig) == 1);
	CHECK(take(sig, &si) == sig && pending(sig) == 0);
	unblock(sig);
}

static void test_standard_merge(void)
{
	siginfo_t si;

	block(SIGUSR1);
	CHECK(sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 1 }) == 0);
	CHECK(sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 2 }) == 0);
	CHECK(take(SIGUSR1, &si) == SIGUSR1 && si.si_code == SI_QUEUE &&
	      si.si_value.sival_int == 1);
	CHECK(pending(SIGUSR1) == 0); /* the second merged with the first */
	kill(getpid(), SIGUSR1);
	CHECK(take(SIGUSR1, &si) == SIGUSR1 && si.si_code == SI_USER &&
	      si.si_pid == getpid());
	unblock(SIGUSR1);
}

static atomic_int got_code, got_value, got_sig;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	atomic_store(&got_sig, sig);
	atomic_store(&got_code, si->si_code);
	atomic_store(&got_value, si->si_value.sival_int);
}

static void test_handler_info(void)
{
	struct sigaction sa = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO };
	int sig = SIGRTMIN + 2;

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	CHECK(sigqueue(getpid(), sig, (union sigval){ .sival_int = 77 }) == 0);
	CHECK(atomic_load(&got_sig) == sig && atomic_load(&got_code) == SI_QUEUE &&
	      atomic_load(&got_value) == 77);
	signal(sig, SIG_DFL);
}

static void *idle_thread(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

static void test_errors(void)
{
	siginfo_t si;
	pthread_t th;
	long r;

	errno = 0;
	CHECK(sigqueue(getpid(), 65, (union sigval){ 0 }) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(sigqueue(4242, SIGUSR1, (union sigval){ 0 }) == -1 && errno == ESRCH);
	CHECK(sigqueue(getpid(), 0, (union sigval){ 0 }) == 0); /* check only */

	/* si_code >= 0 (a kill() or kernel origin) is allowed to oneself... */
	block(SIGUSR2);
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR2;
	si.si_code = SI_USER;
	si.si_pid = 99;
	CHECK(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR2, &si) == 0);
	memset(&si, 0, sizeof(si));
	CHECK(take(SIGUSR2, &si) == SIGUSR2 && si.si_code == SI_USER && si.si_pid == 99);
	unblock(SIGUSR2);
	/* ...but not to another thread, nor SI_TKILL. */
	pthread_create(&th, NULL, idle_thread, NULL);
	memset(&si, 0, sizeof(si));
	si.si_code = SI_TKILL;
	r = syscall(SYS_rt_tgsigqueueinfo, getpid(),
		    (int)syscall(SYS_gettid) + 1, SIGUSR2, &si);
	CHECK(r == -1 && (errno == EPERM || errno == ESRCH));
	si.si_code = SI_USER;
	r = syscall(SYS_rt_tgsigqueueinfo, getpid(), 9999, SIGUSR2, &si);
	CHECK(r == -1 && errno == EPERM); /* before the lookup, as Linux */
	si.si_code = SI_QUEUE;
	r = syscall(SYS_rt_tgsigqueueinfo, getpid(), 9999, SIGUSR2, &si);
	CHECK(r == -1 && errno == ESRCH);
	r = syscall(SYS_rt_tgsigqueueinfo, 0, 1, SIGUSR2, &si);
	CHECK(r == -1 && errno == EINVAL);
	pthread_cancel(th);
	pthread_join(th, NULL);
}

static void test_limit(void)
{
	struct rlimit old, rl;
	int sig = SIGRTMIN + 3, n = 0, ok;
	siginfo_t si;

	CHECK(getrlimit(RLIMIT_SIGPENDING, &old) == 0 && old.rlim_cur >= 16);
	rl = old;
	rl.rlim_cur = 8;
	CHECK(setrlimit(RLIMIT_SIGPENDING, &rl) == 0);
	block(sig);
	block(sig + 1);
	while (n < 20 && sigqueue(getpid(), sig, (union sigval){ .sival_int = n }) == 0)
		n++;
	CHECK(n == 8);
	errno = 0;
	CHECK(sigqueue(getpid(), sig, (union sigval){ 0 }) == -1 && errno == EAGAIN);
	/* kill() is not refused: pending without its info (no sender). */
	CHECK(kill(getpid(), sig + 1) == 0);
	CHECK(take(sig + 1, &si) == sig + 1 && si.si_code == SI_USER &&
	      si.si_pid == 0);
	ok = 1;
	for (int i = 0; i < 8; i++)
		ok &= take(sig, &si) == sig && si.si_value.sival_int == i;
	CHECK(ok);
	CHECK(pending(sig) == 0);
	/* Room again. */
	CHECK(sigqueue(getpid(), sig, (union sigval){ 0 }) == 0);
	CHECK(take(sig, &si) == sig);
	unblock(sig);
	unblock(sig + 1);
	CHECK(setrlimit(RLIMIT_SIGPENDING, &old) == 0);
}

static void test_signalfd(void)
{
	int sig = SIGRTMIN + 4, fd;
	struct signalfd_siginfo ss[3];
	sigset_t s;
	ssize_t n;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, NULL);
	fd = signalfd(-1, &s, SFD_NONBLOCK);
	CHECK(fd >= 0);
	sigqueue(getpid(), sig, (union sigval){ .sival_int = 5 });
	sigqueue(getpid(), sig, (union sigval){ .sival_int = 6 });
	n = read(fd, ss, sizeof(ss));
	CHECK(n == 2 * (ssize_t)sizeof(ss[0]));
	CHECK(ss[0].ssi_code == SI_QUEUE && ss[0].ssi_int == 5 &&
	      ss[1].ssi_int == 6 && ss[0].ssi_pid == (uint32_t)getpid());
	close(fd);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

int main(void)
{
	alarm(30);
	test_rt_queue();
	test_standard_merge();
	test_handler_info();
	test_errors();
	test_limit();
	test_signalfd();
	return check_done();
}
