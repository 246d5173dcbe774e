/* Reproduction (not a CTest test): asynchronous cancellation of a thread
 * blocked in FUTEX_WAIT hangs on uni; on Linux both lines print "ok".
 *   toolchain/uni-cc -o a async-cancel-futex.c && toolchain/uni-run a --trace --timeout 6
 * The trace ends with futex(<thread killlock>, 128, 2, NULL, NULL) = -1 E512:
 * the cancelled thread, in pthread_exit from the SIGCANCEL handler, gets
 * ERESTARTSYS (512) from FUTEX_WAIT and never wakes. Found through the Open
 * POSIX Test Suite (pthread_mutex_init/1-2, 3-2, pthread_setcanceltype/1-1). */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static void *dead(void *a) {
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, 0);
	pthread_mutex_lock(&m);
	pthread_mutex_lock(&m);   /* deadlocks in futex wait */
	return 0;
}
static void *slp(void *a) {
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, 0);
	sleep(5);
	return 0;
}
int main(void) {
	pthread_t t; void *r;
	pthread_create(&t, 0, slp, 0); usleep(100000); pthread_cancel(t); pthread_join(t, &r);
	printf("async cancel in sleep: %s\n", r == PTHREAD_CANCELED ? "ok" : "NOT canceled"); fflush(stdout);
	pthread_create(&t, 0, dead, 0); usleep(100000); pthread_cancel(t); pthread_join(t, &r);
	printf("async cancel in futex wait: %s\n", r == PTHREAD_CANCELED ? "ok" : "NOT canceled");
	return 0;
}
