/*
 * uni/trace.h - syscall tracing hooks.
 *
 * Layer: kernel syscall entry. SYSCALL_DEFINEn wrappers call
 * TRACE_ENTER(nr, args...) before and TRACE_LEAVE(nr, ret) after the
 * handler; `uni-run --trace` / `--stats` will switch them on from the
 * kernel command line. Until then they are empty.
 */
#ifndef UNI_TRACE_H
#define UNI_TRACE_H

#define TRACE_ENTER(nr, a0, a1, a2, a3, a4, a5) do { } while (0)
#define TRACE_LEAVE(nr, ret) do { } while (0)

#endif
