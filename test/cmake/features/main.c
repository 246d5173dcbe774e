/* main.c - links the static, object and shared libraries and a thread;
 * `app exit N` prints its arguments and exits N instead; any other
 * arguments are printed as they came. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "feat.h"

static void *worker(void *arg)
{
	*(int *)arg += 45;
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t t;
	int v = 0;

	if (argc == 3 && strcmp(argv[1], "exit") == 0) {
		printf("argv: %s %s\n", argv[1], argv[2]);
		return atoi(argv[2]);
	}
	if (argc > 1) {
		printf("argv:");
		for (int i = 1; i < argc; i++)
			printf(" %s", argv[i]);
		printf("\n");
		return 0;
	}
	if (pthread_create(&t, NULL, worker, &v) || pthread_join(t, NULL))
		return 2;
	printf("static %d, object %d, shared %d, thread %d\n", feat_static(),
	       feat_object(), feat_shared(), v);
	printf("features: %s\n", sqrt(2.0) > 1.41 ? "ok" : "sqrt broken");
	return 0;
}
