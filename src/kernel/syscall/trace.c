/*
 * trace.c - strace-style syscall tracing and per-syscall statistics.
 *
 * Layer: kernel syscall entry. trace_enter()/trace_leave() are called by
 * the TRACE_ENTER/TRACE_LEAVE hooks (uni/trace.h) of every handler
 * wrapper, every -ENOSYS default and the dispatch table's unknown-number
 * path, only when a kernel option set uni_trace_mode: process start-up
 * calls trace_configure() with the command line (`trace`, `stats`;
 * uni-run --trace / --stats). Lines go to the serial console, after the
 * call returns, as strace prints them:
 *
 *     write(1, "hello\n", 6) = 6
 *     open("/etc/passwd", O_RDONLY|O_CLOEXEC) = -1 ENOENT
 *
 * A call entered while another is pending (a handler calling a handler;
 * later, a thread switch inside a blocking call) splits the outer one
 * into "name(args <unfinished ...>" and "<... name resumed>) = ret".
 * Arguments are decoded from a small table of common calls (strings,
 * buffers, open flags, AT_FDCWD); other calls show six raw values.
 * Reading the program's memory for strings uses copy_from_user, so a bad
 * pointer prints as a pointer. The statistics are calls, errors and TSC
 * time per syscall, printed at exit_group (or by trace_print_stats()).
 * Times are kept on a stack of entry stamps, exact for nested calls and
 * approximate when threads block in the kernel and finish out of order.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <uni/cmdline.h>
#include <uni/kernel.h>
#include <uni/sched.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include <uni/trace.h>
#include <uni/uaccess.h>
#include <uni/x86_64/cpu.h>

#define STR_MAX 32       /* bytes of a string or buffer shown */
#define STATS_DEPTH 8    /* nested calls timed for the statistics */

unsigned int uni_trace_mode;

/* The statistics convert TSC ticks to microseconds only if the image has
 * the time subsystem anyway; otherwise they print ticks. */
#pragma weak time_tsc_hz

/*
 * Argument decoding. fmt[0] is how the result prints: d decimal, x hex
 * (addresses), n never returns. Then one letter per argument:
 *   d int   l long   u unsigned long   x hex   o octal   p pointer
 *   s string in     B buffer in, length is the next argument
 *   b buffer out, length is the result     a dirfd (AT_FDCWD)
 *   F open flags
 */
struct trace_fmt {
	uint16_t nr;
	char fmt[8];
};

#define F(name, fmt) { UNI_NR_##name, fmt }
static const struct trace_fmt fmts[] = {
	F(read, "ddbu"), F(write, "ddBu"), F(open, "dsFo"), F(close, "dd"),
	F(stat, "dsp"), F(fstat, "ddp"), F(lstat, "dsp"), F(poll, "dpdd"),
	F(lseek, "ddld"), F(mmap, "xpuxxdx"), F(mprotect, "dpux"),
	F(munmap, "dpu"), F(brk, "xp"), F(rt_sigaction, "ddppu"),
	F(rt_sigprocmask, "ddppu"), F(rt_sigreturn, "d"), F(ioctl, "ddxp"),
	F(pread64, "ddbul"), F(pwrite64, "ddBul"), F(readv, "ddpd"),
	F(writev, "ddpd"), F(access, "dso"), F(pipe, "dp"),
	F(sched_yield, "d"), F(mremap, "xpuuxp"), F(madvise, "dpud"),
	F(dup, "dd"), F(dup2, "ddd"), F(pause, "d"), F(nanosleep, "dpp"),
	F(getitimer, "ddp"), F(alarm, "du"), F(setitimer, "ddpp"),
	F(getpid, "d"), F(socket, "dddd"), F(connect, "ddpd"),
	F(accept, "ddpp"), F(sendto, "ddBuxpd"), F(recvfrom, "ddbuxpp"),
	F(shutdown, "ddd"), F(bind, "ddpd"), F(listen, "ddd"),
	F(clone, "dxpppx"), F(fork, "d"), F(vfork, "d"), F(execve, "dspp"),
	F(exit, "nd"), F(wait4, "ddpdp"), F(kill, "ddd"), F(uname, "dp"),
	F(fcntl, "dddx"), F(fsync, "dd"), F(ftruncate, "ddl"),
	F(getcwd, "dpu"), F(chdir, "ds"), F(rename, "dss"), F(mkdir, "dso"),
	F(rmdir, "ds"), F(unlink, "ds"), F(readlink, "dspu"), F(chmod, "dso"),
	F(umask, "oo"), F(gettimeofday, "dpp"), F(getrlimit, "ddp"),
	F(getrusage, "ddp"), F(sysinfo, "dp"), F(times, "dp"),
	F(getuid, "d"), F(getgid, "d"), F(setuid, "dd"), F(setgid, "dd"),
	F(geteuid, "d"), F(getegid, "d"), F(getppid, "d"),
	F(setreuid, "ddd"), F(setregid, "ddd"), F(getgroups, "ddp"),
	F(setgroups, "ddp"), F(setresuid, "dddd"), F(getresuid, "dppp"),
	F(setresgid, "dddd"), F(getresgid, "dppp"), F(sigaltstack, "dpp"),
	F(arch_prctl, "dxx"), F(setrlimit, "ddp"), F(sethostname, "dBd"),
	F(setdomainname, "dBd"), F(gettid, "d"), F(tkill, "ddd"),
	F(time, "dp"), F(futex, "dpdupp"), F(sched_getaffinity, "ddup"),
	F(set_tid_address, "dp"), F(clock_gettime, "ddp"),
	F(clock_getres, "ddp"), F(clock_nanosleep, "dddpp"),
	F(exit_group, "nd"), F(tgkill, "dddd"), F(waitid, "dddpdp"),
	F(openat, "dasFo"), F(mkdirat, "daso"), F(newfstatat, "daspx"),
	F(unlinkat, "dasx"), F(readlinkat, "daspu"), F(faccessat, "daso"),
	F(pipe2, "dpx"), F(dup3, "dddx"), F(prlimit64, "dddpp"),
	F(getrandom, "dpux"), F(execveat, "dasppx"), F(getdents64, "ddpu"),
	F(accept4, "ddppx"), F(getsockname, "ddpp"), F(getpeername, "ddpp"),
	F(setsockopt, "ddddpd"), F(getsockopt, "ddddpp"),
	F(epoll_create1, "dx"), F(epoll_ctl, "ddddp"),
	F(epoll_wait, "ddpdd"), F(eventfd2, "dux"), F(statx, "dasxxp"),
};
#undef F

/* Errno names, packed as the syscall names are (names.c): one block of
 * characters and 16-bit offsets plus one (0: no name). */
#define ERRNO_LIST \
	E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) \
	E(ENOEXEC) E(EBADF) E(ECHILD) E(EAGAIN) E(ENOMEM) E(EACCES) E(EFAULT) \
	E(ENOTBLK) E(EBUSY) E(EEXIST) E(EXDEV) E(ENODEV) E(ENOTDIR) E(EISDIR) \
	E(EINVAL) E(ENFILE) E(EMFILE) E(ENOTTY) E(ETXTBSY) E(EFBIG) E(ENOSPC) \
	E(ESPIPE) E(EROFS) E(EMLINK) E(EPIPE) E(EDOM) E(ERANGE) E(EDEADLK) \
	E(ENAMETOOLONG) E(ENOLCK) E(ENOSYS) E(ENOTEMPTY) E(ELOOP) E(ENOMSG) \
	E(EIDRM) E(ECHRNG) E(EL2NSYNC) E(EL3HLT) E(EL3RST) E(ELNRNG) \
	E(EUNATCH) E(ENOCSI) E(EL2HLT) E(EBADE) E(EBADR) E(EXFULL) E(ENOANO) \
	E(EBADRQC) E(EBADSLT) E(EBFONT) E(ENOSTR) E(ENODATA) E(ETIME) E(ENOSR) \
	E(ENONET) E(ENOPKG) E(EREMOTE) E(ENOLINK) E(EADV) E(ESRMNT) E(ECOMM) \
	E(EPROTO) E(EMULTIHOP) E(EDOTDOT) E(EBADMSG) E(EOVERFLOW) E(ENOTUNIQ) \
	E(EBADFD) E(EREMCHG) E(ELIBACC) E(ELIBBAD) E(ELIBSCN) E(ELIBMAX) \
	E(ELIBEXEC) E(EILSEQ) E(ERESTART) E(ESTRPIPE) E(EUSERS) E(ENOTSOCK) \
	E(EDESTADDRREQ) E(EMSGSIZE) E(EPROTOTYPE) E(ENOPROTOOPT) \
	E(EPROTONOSUPPORT) E(ESOCKTNOSUPPORT) E(EOPNOTSUPP) E(EPFNOSUPPORT) \
	E(EAFNOSUPPORT) E(EADDRINUSE) E(EADDRNOTAVAIL) E(ENETDOWN) \
	E(ENETUNREACH) E(ENETRESET) E(ECONNABORTED) E(ECONNRESET) E(ENOBUFS) \
	E(EISCONN) E(ENOTCONN) E(ESHUTDOWN) E(ETOOMANYREFS) E(ETIMEDOUT) \
	E(ECONNREFUSED) E(EHOSTDOWN) E(EHOSTUNREACH) E(EALREADY) \
	E(EINPROGRESS) E(ESTALE) E(EUCLEAN) E(ENOTNAM) E(ENAVAIL) E(EISNAM) \
	E(EREMOTEIO) E(EDQUOT) E(ENOMEDIUM) E(EMEDIUMTYPE) E(ECANCELED) \
	E(ENOKEY) E(EKEYEXPIRED) E(EKEYREVOKED) E(EKEYREJECTED) E(EOWNERDEAD) \
	E(ENOTRECOVERABLE) E(ERFKILL) E(EHWPOISON)

struct errno_block {
#define E(name) char n_##name[sizeof(#name)];
	ERRNO_LIST
#undef E
};

static const struct errno_block errno_block = {
#define E(name) #name,
	ERRNO_LIST
#undef E
};

static const uint16_t errno_off[] = {
#define E(name) [name] = offsetof(struct errno_block, n_##name) + 1,
	ERRNO_LIST
#undef E
};

static const char *errno_name(long e)
{
	if (e <= 0 || e >= (long)ARRAY_SIZE(errno_off) || !errno_off[e])
		return NULL;
	return (const char *)&errno_block + errno_off[e] - 1;
}

/* One line being built; output beyond the buffer is cut. */
struct line {
	char buf[384];
	size_t n;
};

static void put(struct line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(l->buf + l->n, sizeof(l->buf) - l->n, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->n = MIN(l->n + (size_t)n, sizeof(l->buf) - 1);
}

static void put_octal(struct line *l, unsigned long v)
{
	char tmp[24];
	int i = sizeof(tmp);

	tmp[--i] = '\0';
	do {
		tmp[--i] = (char)('0' + (v & 7));
		v >>= 3;
	} while (v);
	put(l, "0%s", tmp + i);
}

/* Up to STR_MAX bytes of the program's memory, quoted and escaped; stop
 * at a NUL when `cstring`. A pointer that faults prints as a pointer. */
static void put_user_bytes(struct line *l, const char *up, size_t len,
			   int cstring)
{
	size_t i, start = l->n;

	if (!up) {
		put(l, "NULL");
		return;
	}
	put(l, "\"");
	for (i = 0; i < len && i < STR_MAX; i++) {
		unsigned char c;

		if (copy_from_user(&c, up + i, 1)) {
			/* Unreadable: show the pointer, as strace does. */
			l->n = start;
			l->buf[start] = '\0';
			put(l, "%p", up);
			return;
		}
		if (cstring && c == 0)
			break;
		switch (c) {
		case '\n': put(l, "\\n"); break;
		case '\t': put(l, "\\t"); break;
		case '\r': put(l, "\\r"); break;
		case '"': put(l, "\\\""); break;
		case '\\': put(l, "\\\\"); break;
		default:
			if (c < 0x20 || c >= 0x7f)
				put(l, "\\x%02x", c);
			else
				put(l, "%c", c);
		}
	}
	put(l, "\"");
	if (i == STR_MAX && (cstring || len > STR_MAX))
		put(l, "...");
}

static void put_open_flags(struct line *l, unsigned long f)
{
	static const struct { unsigned long bit; const char *name; } bits[] = {
		{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" },
		{ O_NOCTTY, "O_NOCTTY" }, { O_TRUNC, "O_TRUNC" },
		{ O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
		{ O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" },
		{ O_CLOEXEC, "O_CLOEXEC" }, { O_LARGEFILE, "O_LARGEFILE" },
		{ O_PATH, "O_PATH" },
	};
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR",
					   "O_ACCMODE" };

	put(l, "%s", acc[f & 3]);
	f &= ~3UL;
	for (size_t i = 0; i < ARRAY_SIZE(bits); i++)
		if (f & bits[i].bit) {
			put(l, "|%s", bits[i].name);
			f &= ~bits[i].bit;
		}
	if (f)
		put(l, "|0x%lx", f);
}

static const char *find_fmt(long nr)
{
	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++)
		if (fmts[i].nr == nr)
			return fmts[i].fmt;
	return NULL;
}

static void put_name(struct line *l, long nr)
{
	const char *name = syscall_name(nr);

	if (name)
		put(l, "%s(", name);
	else
		put(l, "syscall_%ld(", nr);
}

static void put_args(struct line *l, long nr, const long *a, long ret,
		     int have_ret)
{
	const char *f = find_fmt(nr);

	if (!f) {
		put(l, "0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx", a[0], a[1],
		    a[2], a[3], a[4], a[5]);
		return;
	}
	for (int i = 0; f[i + 1]; i++) {
		long v = a[i];

		if (i)
			put(l, ", ");
		switch (f[i + 1]) {
		case 'd': put(l, "%d", (int)v); break;
		case 'l': put(l, "%ld", v); break;
		case 'u': put(l, "%lu", (unsigned long)v); break;
		case 'x': put(l, "0x%lx", (unsigned long)v); break;
		case 'o': put_octal(l, (unsigned long)v); break;
		case 'p':
			if (v)
				put(l, "0x%lx", (unsigned long)v);
			else
				put(l, "NULL");
			break;
		case 's': put_user_bytes(l, (const char *)v, STR_MAX + 1, 1); break;
		case 'B':
			put_user_bytes(l, (const char *)v,
				       i < 5 ? (size_t)a[i + 1] : 0, 0);
			break;
		case 'b':
			if (have_ret && ret >= 0)
				put_user_bytes(l, (const char *)v, (size_t)ret, 0);
			else
				put(l, "0x%lx", (unsigned long)v);
			break;
		case 'a':
			if ((int)v == AT_FDCWD)
				put(l, "AT_FDCWD");
			else
				put(l, "%d", (int)v);
			break;
		case 'F': put_open_flags(l, (unsigned long)v); break;
		}
	}
}

static void put_ret(struct line *l, long nr, long ret)
{
	const char *f = find_fmt(nr);

	if (ret < 0 && ret >= -4095) {
		const char *name = errno_name(-ret);

		if (name)
			put(l, " = -1 %s\n", name);
		else
			put(l, " = -1 E%ld\n", -ret);
	} else if (f && f[0] == 'x') {
		put(l, " = 0x%lx\n", (unsigned long)ret);
	} else {
		put(l, " = %ld\n", ret);
	}
}

static void emit(struct line *l)
{
	if (l->n == sizeof(l->buf) - 1)
		l->buf[l->n - 1] = '\n';
	kprintf("%s", l->buf);
}

/* The call whose line is not printed yet (printed when it returns). */
static struct {
	int valid;
	const struct thread *t; /* its caller: only its return completes it */
	long nr;
	long a[6];
} pending;

static void flush_unfinished(void)
{
	struct line l = { .n = 0 };

	if (!pending.valid)
		return;
	put_name(&l, pending.nr);
	put_args(&l, pending.nr, pending.a, 0, 0);
	put(&l, " <unfinished ...>\n");
	emit(&l);
	pending.valid = 0;
}

/* Statistics. */
static uint32_t st_calls[UNI_NR_MAX + 1], st_errors[UNI_NR_MAX + 1];
static uint64_t st_tsc[UNI_NR_MAX + 1];
static uint64_t st_start[STATS_DEPTH];
static int st_depth;

static long stat_slot(long nr)
{
	return nr >= 0 && nr < UNI_NR_MAX ? nr : UNI_NR_MAX; /* unknown */
}

void trace_print_stats(void)
{
	static int printed;
	uint64_t hz, calls = 0, errors = 0, tsc = 0;
	long done[UNI_NR_MAX + 1];
	int ndone = 0;

	/* Before anything else: asking the clock its rate calibrates it
	 * (milliseconds of PIT counting) on every exit otherwise. */
	if (printed || !(uni_trace_mode & TRACE_STATS))
		return;
	printed = 1;
	hz = time_tsc_hz ? time_tsc_hz() : 0;
	kprintf("uni: syscall statistics\n%10s %8s %12s  %s\n", "calls",
		"errors", hz ? "usecs" : "tsc-ticks", "syscall");
	/* Most-called first; a selection sort is fine for 512 slots, once. */
	for (;;) {
		long best = -1;

		for (long i = 0; i <= UNI_NR_MAX; i++) {
			int seen = 0;

			for (int j = 0; j < ndone; j++)
				seen |= done[j] == i;
			if (!seen && st_calls[i] &&
			    (best < 0 || st_calls[i] > st_calls[best]))
				best = i;
		}
		if (best < 0)
			break;
		done[ndone++] = best;
		const char *name =
			best < UNI_NR_MAX ? syscall_name(best) : NULL;
		kprintf("%10u %8u %12lu  %s\n", st_calls[best],
			st_errors[best],
			(unsigned long)(hz ? st_tsc[best] * 1000000 / hz
					   : st_tsc[best]),
			name ? name : "(unknown)");
		calls += st_calls[best];
		errors += st_errors[best];
		tsc += st_tsc[best];
	}
	kprintf("%10lu %8lu %12lu  total\n", (unsigned long)calls,
		(unsigned long)errors,
		(unsigned long)(hz ? tsc * 1000000 / hz : tsc));
}

void trace_enter(long nr, long a0, long a1, long a2, long a3, long a4,
		 long a5)
{
	const char *f;

	if (uni_trace_mode & TRACE_STATS) {
		st_calls[stat_slot(nr)]++;
		/* exit and exit_group never come back to trace_leave. */
		if (nr != UNI_NR_exit && nr != UNI_NR_exit_group) {
			if (st_depth < STATS_DEPTH)
				st_start[st_depth] = rdtsc();
			st_depth++;
		}
	}
	if (uni_trace_mode & TRACE_CALLS) {
		flush_unfinished();
		pending.valid = 1;
		pending.t = sched_current();
		pending.nr = nr;
		pending.a[0] = a0;
		pending.a[1] = a1;
		pending.a[2] = a2;
		pending.a[3] = a3;
		pending.a[4] = a4;
		pending.a[5] = a5;
		f = find_fmt(nr);
		if (f && f[0] == 'n') { /* never returns: print now */
			struct line l = { .n = 0 };

			put_name(&l, nr);
			put_args(&l, nr, pending.a, 0, 0);
			put(&l, ") = ?\n");
			if (nr == UNI_NR_exit_group)
				put(&l, "+++ exited with %d +++\n", (int)a0 & 0xff);
			emit(&l);
			pending.valid = 0;
		}
	}
	if (nr == UNI_NR_exit_group)
		trace_print_stats();
}

void trace_leave(long nr, long ret)
{
	struct line l = { .n = 0 };

	if (uni_trace_mode & TRACE_STATS) {
		long s = stat_slot(nr);

		if (st_depth > 0 && --st_depth < STATS_DEPTH)
			st_tsc[s] += rdtsc() - st_start[st_depth];
		if (ret < 0 && ret >= -4095)
			st_errors[s]++;
	}
	if (!(uni_trace_mode & TRACE_CALLS))
		return;
	if (pending.valid && pending.nr == nr &&
	    pending.t == sched_current()) {
		put_name(&l, nr);
		put_args(&l, nr, pending.a, ret, 1);
		put(&l, ")");
		pending.valid = 0;
	} else {
		const char *name = syscall_name(nr);

		/* Another thread's call returns: the pending one (of the
		 * thread switched away from) is unfinished. */
		flush_unfinished();

		if (name)
			put(&l, "<... %s resumed>)", name);
		else
			put(&l, "<... syscall_%ld resumed>)", nr);
	}
	put_ret(&l, nr, ret);
	emit(&l);
}

static int option_on(const struct cmdline *c, const char *key)
{
	const char *v = cmdline_option(c, key);

	return v && strcmp(v, "0") != 0 && strcmp(v, "off") != 0 &&
	       strcmp(v, "no") != 0;
}

void trace_configure(const struct cmdline *c)
{
	unsigned int mode = 0;

	if (option_on(c, "trace"))
		mode |= TRACE_CALLS;
	if (option_on(c, "stats"))
		mode |= TRACE_STATS;
	uni_trace_mode = mode;
}
