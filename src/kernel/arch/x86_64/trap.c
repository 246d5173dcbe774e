/*
 * trap.c - what happens on an exception or interrupt.
 *
 * Layer: arch/x86_64, called from trap_entry.S with the saved registers.
 * A fault inside uaccess_copy (a bad pointer from the program, see
 * uaccess.S) resumes at its -EFAULT exit. Every other CPU exception is
 * fatal for now: print its name, the faulting
 * address, the registers and a frame-pointer backtrace, then exit the VM
 * with the panic status (power.c). Device interrupts arrive in later
 * subsystems; an unexpected one is reported the same way.
 */
#include <stdint.h>
#include <uni/kernel.h>
#include <uni/uaccess.h>
#include <uni/x86_64/cpu.h>
#include "arch.h"

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range exceeded", "invalid opcode", "device not available",
	"double fault", "coprocessor segment overrun", "invalid TSS",
	"segment not present", "stack-segment fault",
	"general protection fault", "page fault", "reserved",
	"x87 floating-point error", "alignment check", "machine check",
	"SIMD floating-point error", "virtualization exception",
	"control protection exception",
};

void panic_begin(void);
void panic_end(void) __attribute__((noreturn));

static void backtrace(uint64_t rbp, uint64_t rip)
{
	kprintf("backtrace:\n  %016lx\n", rip);
	/* Frame pointers where the code keeps them; stop at anything that
	 * does not look like a kernel or program stack frame. */
	for (int depth = 0; depth < 32; depth++) {
		if (rbp < 0x1000 || (rbp & 7))
			break;
		uint64_t *frame = (uint64_t *)rbp;
		uint64_t ret = frame[1];
		if (ret < 0x100000)
			break;
		kprintf("  %016lx\n", ret);
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
}

void trap_handler(struct trap_frame *tf)
{
	uint64_t v = tf->vector;
	const char *name = v < 32 && exception_names[v] ? exception_names[v]
							: "unexpected interrupt";

	/* A bad pointer handed to a syscall: the copy returns -EFAULT. */
	if (v == 14 || v == 13) {
		unsigned long resume = uaccess_fixup(tf->rip);
		if (resume) {
			tf->rip = resume;
			return;
		}
	}

	panic_begin();
	kprintf("uni: panic: %s (vector %lu, error %#lx)\n", name, v, tf->error);
	if (v == 14)
		kprintf("faulting address: %016lx (%s, %s%s)\n", read_cr2(),
			tf->error & 1 ? "protection violation" : "not present",
			tf->error & 2 ? "write" : "read",
			tf->error & 16 ? ", instruction fetch" : "");
	kprintf("rip %016lx  rsp %016lx  rflags %016lx\n", tf->rip, tf->rsp,
		tf->rflags);
	kprintf("rax %016lx  rbx %016lx  rcx %016lx\n", tf->rax, tf->rbx, tf->rcx);
	kprintf("rdx %016lx  rsi %016lx  rdi %016lx\n", tf->rdx, tf->rsi, tf->rdi);
	kprintf("rbp %016lx  r8  %016lx  r9  %016lx\n", tf->rbp, tf->r8, tf->r9);
	kprintf("r10 %016lx  r11 %016lx  r12 %016lx\n", tf->r10, tf->r11, tf->r12);
	kprintf("r13 %016lx  r14 %016lx  r15 %016lx\n", tf->r13, tf->r14, tf->r15);
	kprintf("cs %04lx  ss %04lx  cr3 %016lx\n", tf->cs, tf->ss, read_cr3());
	backtrace(tf->rbp, tf->rip);
	panic_end();
}
