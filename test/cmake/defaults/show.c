/* show.c - print the arguments, environment, host name, RAM size and an
 * embedded file, one line each, for the defaults tests. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	struct sysinfo si;
	char host[64] = "?", line[64] = "";
	FILE *f;

	printf("argc %d:", argc);
	for (int i = 0; i < argc; i++)
		printf(" <%s>", argv[i]);
	printf("\nenv:");
	for (char **e = environ; *e; e++)
		printf(" <%s>", *e);
	gethostname(host, sizeof(host));
	if (sysinfo(&si))
		si.totalram = 0, si.mem_unit = 1;
	f = fopen("/srv/etc/note", "r");
	if (!f)
		snprintf(line, sizeof(line), "%s\n", strerror(errno));
	else if (!fgets(line, sizeof(line), f))
		strcpy(line, "(empty)\n");
	printf("\nhost %s, ram %llu MiB, /srv/etc/note: %s", host,
	       (unsigned long long)si.totalram * si.mem_unit >> 20, line);
	return 0;
}
