/*
 * sys_resource.c - resource limits and usage: getrlimit, setrlimit,
 * prlimit64, sysinfo, getrusage, times.
 *
 * Layer: kernel proc syscalls. The limits table starts with the values a
 * root process gets from a Linux 6.1 kernel, except where uni's own
 * numbers are the truth: RLIMIT_STACK is the main stack's fixed size
 * (MAIN_STACK_SIZE; raising it does not grow the stack), RLIMIT_NPROC and
 * RLIMIT_SIGPENDING are derived from RAM as Linux derives them. Changes
 * follow Linux: cur <= max, raising max needs capability (ident_capable),
 * NOFILE's max stops at nr_open. Other subsystems read a soft limit with
 * rlimit_cur() (uni/ident.h).
 *
 * CPU time comes from the scheduler's accounting (time a thread ran, not
 * idle time); it is all reported as user time: kernel and program share
 * one ring, so there is no separate system time to measure.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#undef prlimit64 /* musl's LFS64 alias would rename the handler */
#include <uni/ident.h>
#include <uni/kernel.h>
#include <uni/mm.h>
#include <uni/proc.h>
#include <uni/sched.h>
#include <uni/syscall.h>
#include <uni/time.h>
#include <uni/uaccess.h>

#define INF ((uint64_t)-1) /* RLIM_INFINITY */
#define NR_OPEN 1048576     /* Linux fs.nr_open default */
#define USER_HZ 100         /* AT_CLKTCK, start.c */
#define NLIMITS 16          /* RLIM_NLIMITS */

/* Linux struct rlimit64, as prlimit64 and (on 64-bit) getrlimit copy it. */
struct krlimit {
	uint64_t cur, max;
};

static struct krlimit limits[NLIMITS] = {
	[RLIMIT_CPU] = { INF, INF },
	[RLIMIT_FSIZE] = { INF, INF },
	[RLIMIT_DATA] = { INF, INF },
	[RLIMIT_STACK] = { MAIN_STACK_SIZE, MAIN_STACK_SIZE },
	[RLIMIT_CORE] = { 0, INF },
	[RLIMIT_RSS] = { INF, INF },
	[RLIMIT_NPROC] = { 0, 0 },      /* from RAM, limits_init() */
	[RLIMIT_NOFILE] = { 1024, 4096 },
	[RLIMIT_MEMLOCK] = { 8 << 20, 8 << 20 },
	[RLIMIT_AS] = { INF, INF },
	[RLIMIT_LOCKS] = { INF, INF },
	[RLIMIT_SIGPENDING] = { 0, 0 }, /* from RAM, limits_init() */
	[RLIMIT_MSGQUEUE] = { 819200, 819200 },
	[RLIMIT_NICE] = { 0, 0 },
	[RLIMIT_RTPRIO] = { 0, 0 },
	[RLIMIT_RTTIME] = { INF, INF },
};

/* Linux fork_init(): max_threads = RAM / (8 * THREAD_SIZE), and init's
 * NPROC and SIGPENDING limits are half of that. */
static void limits_init(void)
{
	static int done;
	uint64_t threads;

	if (done)
		return;
	done = 1;
	threads = (uint64_t)pmm_total_frames() * UNI_PAGE_SIZE / (8 * 16384);
	threads = MAX(threads, 20);
	limits[RLIMIT_NPROC].cur = limits[RLIMIT_NPROC].max = threads / 2;
	limits[RLIMIT_SIGPENDING].cur = limits[RLIMIT_SIGPENDING].max =
		threads / 2;
}

uint64_t rlimit_cur(int resource)
{
	if (resource < 0 || resource >= NLIMITS)
		return INF;
	limits_init();
	return limits[resource].cur;
}

static long do_prlimit(unsigned int resource, const struct krlimit *new,
		       struct krlimit *old)
{
	struct krlimit *l;

	if (resource >= NLIMITS)
		return -EINVAL;
	limits_init();
	l = &limits[resource];
	if (new) {
		if (new->cur > new->max)
			return -EINVAL;
		if (resource == RLIMIT_NOFILE && new->max > NR_OPEN)
			return -EPERM;
		if (new->max > l->max && !ident_capable())
			return -EPERM;
	}
	if (old)
		*old = *l;
	if (new)
		*l = *new;
	return 0;
}

SYSCALL_DEFINE4(prlimit64, int, pid, unsigned int, resource,
		const struct krlimit *, unew, struct krlimit *, uold)
{
	struct krlimit new, old;
	long rc;

	if (pid != 0 && pid != UNI_PID)
		return -ESRCH;
	if (unew && copy_from_user(&new, unew, sizeof(new)))
		return -EFAULT;
	rc = do_prlimit(resource, unew ? &new : NULL, uold ? &old : NULL);
	if (rc == 0 && uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return rc;
}

SYSCALL_DEFINE2(getrlimit, unsigned int, resource, struct krlimit *, uold)
{
	struct krlimit old;
	long rc = do_prlimit(resource, NULL, &old);

	if (rc == 0 && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return rc;
}

SYSCALL_DEFINE2(setrlimit, unsigned int, resource,
		const struct krlimit *, unew)
{
	struct krlimit new;

	if (copy_from_user(&new, unew, sizeof(new)))
		return -EFAULT;
	return do_prlimit(resource, &new, NULL);
}

/* The kernel's struct sysinfo (Linux include/uapi/linux/sysinfo.h); musl's
 * has 256 more reserved bytes, which the kernel never writes. */
struct kernel_sysinfo {
	long uptime;
	unsigned long loads[3];
	unsigned long totalram, freeram, sharedram, bufferram;
	unsigned long totalswap, freeswap;
	uint16_t procs, pad;
	unsigned long totalhigh, freehigh;
	uint32_t mem_unit;
};

SYSCALL_DEFINE1(sysinfo, struct kernel_sysinfo *, uinfo)
{
	struct kernel_sysinfo si;

	memset(&si, 0, sizeof(si));
	/* Linux rounds uptime up to a whole second. */
	si.uptime = (long)((time_now_ns() + NSEC_PER_SEC - 1) / NSEC_PER_SEC);
	si.totalram = pmm_total_frames();
	si.freeram = pmm_free_frames();
	si.procs = 1;
	si.mem_unit = UNI_PAGE_SIZE;
	return copy_to_user(uinfo, &si, sizeof(si)) ? -EFAULT : 0;
}

/* CPU time so far of the process, or of the calling thread. */
static uint64_t cpu_time_ns(int who)
{
	return who == RUSAGE_THREAD ? sched_thread_cpu_ns()
				    : sched_process_cpu_ns();
}

struct kernel_timeval {
	long tv_sec, tv_usec;
};

/* Linux struct rusage: two timevals and fourteen longs. */
struct kernel_rusage {
	struct kernel_timeval utime, stime;
	long maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock,
		oublock, msgsnd, msgrcv, nsignals, nvcsw, nivcsw;
};

SYSCALL_DEFINE2(getrusage, int, who, struct kernel_rusage *, uru)
{
	struct kernel_rusage ru;

	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN &&
	    who != RUSAGE_THREAD)
		return -EINVAL;
	memset(&ru, 0, sizeof(ru));
	if (who != RUSAGE_CHILDREN) {
		uint64_t t = cpu_time_ns(who);

		ru.utime.tv_sec = (long)(t / NSEC_PER_SEC);
		ru.utime.tv_usec = (long)(t % NSEC_PER_SEC / 1000);
		/* Resident memory: every frame in use, in KiB. */
		ru.maxrss = (long)((pmm_total_frames() - pmm_free_frames()) *
				   (UNI_PAGE_SIZE / 1024));
	}
	return copy_to_user(uru, &ru, sizeof(ru)) ? -EFAULT : 0;
}

struct kernel_tms {
	long utime, stime, cutime, cstime;
};

/* Clock ticks (USER_HZ) since boot; the buffer may be NULL. */
SYSCALL_DEFINE1(times, struct kernel_tms *, ubuf)
{
	uint64_t now = time_now_ns();

	if (ubuf) {
		struct kernel_tms t = {
			.utime = (long)(cpu_time_ns(RUSAGE_SELF) /
					(NSEC_PER_SEC / USER_HZ)),
		};

		if (copy_to_user(ubuf, &t, sizeof(t)))
			return -EFAULT;
	}
	return (long)(now / (NSEC_PER_SEC / USER_HZ));
}
