/*
 * uni/proc.h - the one process: start-up, exit, and its per-thread state.
 *
 * Layer: kernel proc (src/kernel/proc). kmain() calls proc_start() last;
 * the exit syscalls end the process and power the VM off.
 */
#ifndef UNI_PROC_H
#define UNI_PROC_H

#include <stdint.h>
#include <uni/boot.h>

#define UNI_PID 1
#define MAIN_STACK_SIZE (1024 * 1024)

/* Build the initial stack from the command line and enter musl's _start. */
void proc_start(const struct boot_info *bi) __attribute__((noreturn));

/* The kernel command line as proc_start parsed it (argv, envp and the
 * options as the program got them at start). */
struct cmdline;
const struct cmdline *proc_cmdline(void);

/* End the process with this status (0..255 are kept). */
void proc_exit(int status) __attribute__((noreturn));

#endif
