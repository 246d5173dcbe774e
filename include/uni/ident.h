/*
 * uni/ident.h - the process's identity and limits: user and group ids,
 * host and domain name, resource limits.
 *
 * Layer: kernel proc (src/kernel/proc/sys_ident.c, sys_rlimit.c). Process
 * start-up calls ident_configure() once with the parsed kernel command
 * line, before it builds the auxiliary vector (AT_UID and friends come
 * from ident_cred()). Options:
 *   uid=N  gid=N     real, effective, saved and filesystem ids (default 0)
 *   hostname=NAME    uname's nodename (default "uni")
 *   domainname=NAME  uname's domainname (default "(none)", as Linux)
 * A bad value ends start-up with a message (status 127, as a bad command
 * line). Other subsystems ask ident_capable() where Linux checks a
 * capability, and rlimit_cur() for a soft limit (RLIMIT_NOFILE for the fd
 * table, ...).
 */
#ifndef UNI_IDENT_H
#define UNI_IDENT_H

#include <stdint.h>
#include <uni/cmdline.h>

struct ident_cred {
	uint32_t ruid, euid, suid, fsuid;
	uint32_t rgid, egid, sgid, fsgid;
	/* The process holds its capabilities (Linux's permitted set): true
	 * while any of ruid/euid/suid is 0, or from the start when uid=0. A
	 * capability is effective only while euid is 0 (ident_capable). */
	int caps;
};

/* What uname reports as release and version (also /proc/version). */
#define UNI_UTS_RELEASE "6.1.0-uni"
#define UNI_UTS_VERSION "#1 SMP PREEMPT_DYNAMIC uni"

void ident_configure(const struct cmdline *c);
/* uname's nodename now (hostname= at start, then sethostname). */
const char *ident_nodename(void);
const struct ident_cred *ident_cred(void);
/* Linux capable(): a root process with its capabilities. */
int ident_capable(void);

/* Soft limit of an RLIMIT_* resource (RLIM_INFINITY = ~0). */
uint64_t rlimit_cur(int resource);

#endif
