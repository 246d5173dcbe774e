/* main_exit.c - the main thread ends with pthread_exit while another
 * thread still runs: the process lives on, and the other thread's exit(7)
 * is the image's status (checked by the harness). A raw clone without
 * musl's protocol is refused. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static pthread_t main_thread;

static void *child(void *p)
{
	struct timespec ts = { 0, 20000000 };

	nanosleep(&ts, NULL); /* main has exited by now */
	printf("child ran after main exited\n");
	fflush(stdout);
	exit(7);
	return p;
}

int main(void)
{
	pthread_t t;

	main_thread = pthread_self();
	errno = 0;
	if (syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0) != -1 || errno != ENOSYS) {
		printf("FAIL: raw clone was not refused\n");
		return 1;
	}
	printf("ok: raw clone refused with ENOSYS\n");
	if (pthread_create(&t, NULL, child, NULL))
		return 1;
	pthread_exit(NULL);
}
