/*
 * sys_ident.c - who the process is: user and group ids, uname and the
 * host and domain names.
 *
 * Layer: kernel proc syscalls; ident_configure() is called once by process
 * start-up (start.c) with the kernel options (uni/ident.h). One process,
 * so the ids follow Linux's rules for one task: a process with effective
 * uid 0 and its capabilities may set any id; otherwise an id may only be
 * set to one the process already has (setuid(2), setresuid(2)). Linux's
 * capability transitions are kept: dropping every uid 0 drops the
 * capabilities for good; an euid of 0 regained from the saved uid brings
 * them back. Supplementary groups start empty (up to MAX_GROUPS kept).
 * uname answers as a Linux 6.1 kernel would (release "6.1.0-uni"), since
 * programs compare sysname with "Linux" and parse the release numbers.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <uni/ident.h>
#include <uni/kernel.h>
#include <uni/proc.h>
#include <uni/syscall.h>
#include <uni/uaccess.h>

#define UTS_LEN 65 /* Linux __NEW_UTS_LEN + 1 */
#define NGROUPS_MAX 65536
#define NO_ID ((uint32_t)-1)
#define MAX_GROUPS 256 /* kept here; Linux allows NGROUPS_MAX */

struct new_utsname {
	char sysname[UTS_LEN];
	char nodename[UTS_LEN];
	char release[UTS_LEN];
	char version[UTS_LEN];
	char machine[UTS_LEN];
	char domainname[UTS_LEN];
};

static struct new_utsname uts = {
	.sysname = "Linux",
	.nodename = "uni",
	.release = UNI_UTS_RELEASE,
	.version = UNI_UTS_VERSION,
	.machine = "x86_64",
	.domainname = "(none)",
};

static struct ident_cred cred = { .caps = 1 };
static uint32_t groups[MAX_GROUPS];
static int ngroups;

const char *ident_nodename(void)
{
	return uts.nodename;
}

const struct ident_cred *ident_cred(void)
{
	return &cred;
}

int ident_capable(void)
{
	return cred.caps && cred.euid == 0;
}

/* A decimal id, 0..4294967294 ((uid_t)-1 means "no id"). */
static int parse_id(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v >= NO_ID)
			return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static void bad_option(const char *key, const char *val, const char *why)
{
	kprintf("uni: bad kernel option %s=%s: %s\n", key, val, why);
	proc_exit(127);
}

void ident_configure(const struct cmdline *c)
{
	const char *v;
	uint32_t id;

	if ((v = cmdline_option(c, "uid"))) {
		if (parse_id(v, &id))
			bad_option("uid", v, "want a number below 4294967295");
		cred.ruid = cred.euid = cred.suid = cred.fsuid = id;
		cred.caps = id == 0;
	}
	if ((v = cmdline_option(c, "gid"))) {
		if (parse_id(v, &id))
			bad_option("gid", v, "want a number below 4294967295");
		cred.rgid = cred.egid = cred.sgid = cred.fsgid = id;
	}
	if ((v = cmdline_option(c, "hostname"))) {
		if (strlen(v) >= UTS_LEN)
			bad_option("hostname", v, "longer than 64 bytes");
		strcpy(uts.nodename, v);
	}
	if ((v = cmdline_option(c, "domainname"))) {
		if (strlen(v) >= UTS_LEN)
			bad_option("domainname", v, "longer than 64 bytes");
		strcpy(uts.domainname, v);
	}
}

SYSCALL_DEFINE0(getuid) { return cred.ruid; }
SYSCALL_DEFINE0(geteuid) { return cred.euid; }
SYSCALL_DEFINE0(getgid) { return cred.rgid; }
SYSCALL_DEFINE0(getegid) { return cred.egid; }

static long put_ids(uint32_t *ua, uint32_t *ub, uint32_t *uc, uint32_t a,
		    uint32_t b, uint32_t c)
{
	if (copy_to_user(ua, &a, sizeof(a)) || copy_to_user(ub, &b, sizeof(b)) ||
	    copy_to_user(uc, &c, sizeof(c)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE3(getresuid, uint32_t *, r, uint32_t *, e, uint32_t *, s)
{
	return put_ids(r, e, s, cred.ruid, cred.euid, cred.suid);
}

SYSCALL_DEFINE3(getresgid, uint32_t *, r, uint32_t *, e, uint32_t *, s)
{
	return put_ids(r, e, s, cred.rgid, cred.egid, cred.sgid);
}

/* Linux commit_creds(): capabilities go when no uid 0 is left, and the
 * process can then never become root again. */
static void commit_uids(uint32_t r, uint32_t e, uint32_t s)
{
	cred.ruid = r;
	cred.euid = e;
	cred.suid = s;
	cred.fsuid = e;
	if (r != 0 && e != 0 && s != 0)
		cred.caps = 0;
}

static int is_one_of(uint32_t id, uint32_t a, uint32_t b, uint32_t c)
{
	return id == a || id == b || id == c;
}

/* setresuid/setresgid: each id given (not -1) must be one the process
 * already has, unless it is capable. */
SYSCALL_DEFINE3(setresuid, uint32_t, r, uint32_t, e, uint32_t, s)
{
	const struct ident_cred o = cred;

	if (!ident_capable() &&
	    ((r != NO_ID && !is_one_of(r, o.ruid, o.euid, o.suid)) ||
	     (e != NO_ID && !is_one_of(e, o.ruid, o.euid, o.suid)) ||
	     (s != NO_ID && !is_one_of(s, o.ruid, o.euid, o.suid))))
		return -EPERM;
	commit_uids(r != NO_ID ? r : o.ruid, e != NO_ID ? e : o.euid,
		    s != NO_ID ? s : o.suid);
	return 0;
}

SYSCALL_DEFINE3(setresgid, uint32_t, r, uint32_t, e, uint32_t, s)
{
	const struct ident_cred o = cred;

	if (!ident_capable() &&
	    ((r != NO_ID && !is_one_of(r, o.rgid, o.egid, o.sgid)) ||
	     (e != NO_ID && !is_one_of(e, o.rgid, o.egid, o.sgid)) ||
	     (s != NO_ID && !is_one_of(s, o.rgid, o.egid, o.sgid))))
		return -EPERM;
	cred.rgid = r != NO_ID ? r : o.rgid;
	cred.egid = e != NO_ID ? e : o.egid;
	cred.sgid = s != NO_ID ? s : o.sgid;
	cred.fsgid = cred.egid;
	return 0;
}

/* setuid(2): capable sets all three; otherwise only the effective id, to
 * the real or saved one. */
SYSCALL_DEFINE1(setuid, uint32_t, uid)
{
	if (uid == NO_ID)
		return -EINVAL;
	if (ident_capable())
		commit_uids(uid, uid, uid);
	else if (uid == cred.ruid || uid == cred.suid)
		commit_uids(cred.ruid, uid, cred.suid);
	else
		return -EPERM;
	return 0;
}

SYSCALL_DEFINE1(setgid, uint32_t, gid)
{
	if (gid == NO_ID)
		return -EINVAL;
	if (ident_capable())
		cred.rgid = cred.egid = cred.sgid = gid;
	else if (gid == cred.rgid || gid == cred.sgid)
		cred.egid = gid;
	else
		return -EPERM;
	cred.fsgid = cred.egid;
	return 0;
}

/* setreuid(2): the real id may become the effective one, the effective id
 * any of the three; the saved id follows the new effective id when the
 * real id is set or the effective id moves away from the real one. */
SYSCALL_DEFINE2(setreuid, uint32_t, r, uint32_t, e)
{
	const struct ident_cred o = cred;
	uint32_t nr = r != NO_ID ? r : o.ruid, ne = e != NO_ID ? e : o.euid;

	if (!ident_capable() &&
	    ((r != NO_ID && r != o.ruid && r != o.euid) ||
	     (e != NO_ID && !is_one_of(e, o.ruid, o.euid, o.suid))))
		return -EPERM;
	commit_uids(nr, ne,
		    (r != NO_ID || (e != NO_ID && e != o.ruid)) ? ne : o.suid);
	return 0;
}

SYSCALL_DEFINE2(setregid, uint32_t, r, uint32_t, e)
{
	const struct ident_cred o = cred;
	uint32_t nr = r != NO_ID ? r : o.rgid, ne = e != NO_ID ? e : o.egid;

	if (!ident_capable() &&
	    ((r != NO_ID && r != o.rgid && r != o.egid) ||
	     (e != NO_ID && !is_one_of(e, o.rgid, o.egid, o.sgid))))
		return -EPERM;
	cred.rgid = nr;
	cred.egid = ne;
	if (r != NO_ID || (e != NO_ID && e != o.rgid))
		cred.sgid = ne;
	cred.fsgid = ne;
	return 0;
}

/* setfsuid/setfsgid return the old id whether or not they changed it. */
SYSCALL_DEFINE1(setfsuid, uint32_t, uid)
{
	uint32_t old = cred.fsuid;

	if (uid != NO_ID && (ident_capable() ||
			     is_one_of(uid, cred.ruid, cred.euid, cred.suid)))
		cred.fsuid = uid;
	return old;
}

SYSCALL_DEFINE1(setfsgid, uint32_t, gid)
{
	uint32_t old = cred.fsgid;

	if (gid != NO_ID && (ident_capable() ||
			     is_one_of(gid, cred.rgid, cred.egid, cred.sgid)))
		cred.fsgid = gid;
	return old;
}

/* Supplementary groups: empty at start (Linux's init has none too). */
SYSCALL_DEFINE2(getgroups, int, size, uint32_t *, list)
{
	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return ngroups;
	if (size < ngroups)
		return -EINVAL;
	if (copy_to_user(list, groups, (size_t)ngroups * sizeof(groups[0])))
		return -EFAULT;
	return ngroups;
}

SYSCALL_DEFINE2(setgroups, int, size, const uint32_t *, list)
{
	uint32_t tmp[MAX_GROUPS];

	if (!ident_capable())
		return -EPERM;
	if (size < 0 || size > NGROUPS_MAX)
		return -EINVAL;
	if (size > MAX_GROUPS)
		return -ENOMEM; /* Linux's answer when it cannot allocate */
	if (copy_from_user(tmp, list, (size_t)size * sizeof(tmp[0])))
		return -EFAULT;
	memcpy(groups, tmp, (size_t)size * sizeof(tmp[0]));
	ngroups = size;
	return 0;
}

SYSCALL_DEFINE1(uname, struct new_utsname *, ubuf)
{
	return copy_to_user(ubuf, &uts, sizeof(uts)) ? -EFAULT : 0;
}

static long set_name(char *dst, const char *uname, int len)
{
	char tmp[UTS_LEN];

	if (!ident_capable())
		return -EPERM;
	if (len < 0 || len >= UTS_LEN)
		return -EINVAL;
	if (copy_from_user(tmp, uname, (size_t)len))
		return -EFAULT;
	memcpy(dst, tmp, (size_t)len);
	memset(dst + len, 0, UTS_LEN - (size_t)len);
	return 0;
}

SYSCALL_DEFINE2(sethostname, const char *, name, int, len)
{
	return set_name(uts.nodename, name, len);
}

SYSCALL_DEFINE2(setdomainname, const char *, name, int, len)
{
	return set_name(uts.domainname, name, len);
}
