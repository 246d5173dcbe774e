/*
 * uni/trace.h - syscall tracing and statistics.
 *
 * Layer: kernel syscall entry. Every SYSCALL_DEFINEn wrapper, every
 * -ENOSYS default and the dispatch table's "no such call" path bracket
 * the call with TRACE_ENTER(nr, args...) and TRACE_LEAVE(nr, ret). With
 * tracing off (the default) each is one load and one not-taken branch.
 * The kernel options switch it on (src/kernel/syscall/trace.c):
 *   trace   print every call strace-style on the console,
 *           `write(1, "hi\n", 3) = 3`, `open("/x", O_RDONLY) = -1 ENOENT`
 *   stats   count calls, errors and time per syscall; the table is printed
 *           when the program exits (exit_group), or by trace_print_stats()
 * `uni-run --trace` / `--stats` pass them. Process start-up calls
 * trace_configure() with the parsed command line.
 */
#ifndef UNI_TRACE_H
#define UNI_TRACE_H

#define TRACE_CALLS 1u
#define TRACE_STATS 2u

struct cmdline;

/* TRACE_* bits; 0 unless a kernel option asked. */
extern unsigned int uni_trace_mode __attribute__((visibility("hidden")));

void trace_configure(const struct cmdline *c);
void trace_enter(long nr, long a0, long a1, long a2, long a3, long a4,
		 long a5);
void trace_leave(long nr, long ret);
/* Print the statistics table (once; later calls do nothing). Called at
 * exit_group by trace_enter itself; other ways out of the program (a fatal
 * signal) should call it before powering off. */
void trace_print_stats(void);

#if __STDC_HOSTED__
/* Kernel sources compiled on the host (test/unit) have no tracer. */
#define TRACE_ENTER(nr, a0, a1, a2, a3, a4, a5) do { } while (0)
#define TRACE_LEAVE(nr, ret) do { } while (0)
#else
#define TRACE_ENTER(nr, a0, a1, a2, a3, a4, a5) \
	do { \
		if (__builtin_expect(uni_trace_mode != 0, 0)) \
			trace_enter((nr), (a0), (a1), (a2), (a3), (a4), (a5)); \
	} while (0)
#define TRACE_LEAVE(nr, ret) \
	do { \
		if (__builtin_expect(uni_trace_mode != 0, 0)) \
			trace_leave((nr), (ret)); \
	} while (0)
#endif

#endif
