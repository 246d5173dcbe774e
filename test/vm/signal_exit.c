/* signal_exit.c - default actions that end the process: argv[1] "abort"
 * (abort(), status 134), "term" (raise(SIGTERM) without a handler, 143),
 * "kill-thread" (SIGTERM from another thread while main blocks in join). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *term_all(void *arg)
{
	(void)arg;
	kill(getpid(), SIGTERM);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	printf("mode %s\n", m);
	fflush(stdout);
	if (!strcmp(m, "abort"))
		abort();
	if (!strcmp(m, "term"))
		raise(SIGTERM);
	if (!strcmp(m, "kill-thread")) {
		pthread_t th;
		pthread_create(&th, NULL, term_all, NULL);
		pthread_join(th, NULL);
		sleep(5);
	}
	printf("still running\n");
	return 0;
}
