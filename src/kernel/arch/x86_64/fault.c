/*
 * fault.c - the report of a fatal CPU exception, and the backtrace.
 *
 * Layer: arch/x86_64. trap_handler() (trap.c) calls fault_report() for
 * every exception it does not handle; panic() (power.c) calls backtrace().
 * The report says what happened (exception, faulting address, and for a
 * page fault what the address was: null pointer, stack overflow into a
 * guard page, write to code, ... from mm_fault_cause), the registers, and
 * a frame-pointer backtrace. The backtrace's addresses also go to uni-run
 * on the status channel ("bt 0x..." lines), which symbolizes them from the
 * image's ELF symbols and debug info after QEMU exits: the image carries
 * no symbol table of its own in memory.
 *
 * Everything here runs on an IST stack, so a fault whose own stack is
 * gone (an overflow) is reported like any other. The handler must not
 * fault itself: a nested exception would reuse the same IST stack from
 * its top and overwrite this one, so every frame the walk reads is
 * checked with mm_readable() first (the uaccess copy cannot be used here
 * for that reason).
 */
#include <stdint.h>
#include <uni/boot.h>
#include <uni/kernel.h>
#include <uni/mm.h>
#include <uni/x86_64/cpu.h>
#include "arch.h"
#include "panic.h"

#define BACKTRACE_MAX 48      /* frames printed */
#define BACKTRACE_STEPS 100000 /* frames followed, repeats included */
/* Frames further apart than this are not believed (a stack frame is not a
 * megabyte); a stack scan looks this far up. */
#define FRAME_MAX 0x100000ULL
#define SCAN_BYTES 0x8000ULL /* musl's printf_core alone takes 7 KiB */

#define PF_PRESENT 0x1 /* page-fault error code, SDM vol. 3 §4.7 */
#define PF_WRITE 0x2
#define PF_FETCH 0x10

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

static int is_code(uint64_t a)
{
	return a >= (uint64_t)(uintptr_t)_text_start &&
	       a < (uint64_t)(uintptr_t)_text_end;
}

/* The frames printed so far; a frame equal to the one before (deep
 * recursion, a stack overflow) is counted, not printed again. */
struct bt {
	int n;            /* frames printed */
	uint64_t last;    /* the last frame's address */
	unsigned repeats; /* times `last` came again since */
	unsigned steps;   /* frames seen, repeats included */
};

static void flush_repeats(struct bt *b)
{
	char line[32];

	if (!b->repeats)
		return;
	kprintf("     (repeated %u more times)\n", b->repeats);
	ksnprintf(line, sizeof(line), "bt-repeat %u\n", b->repeats);
	status_line(line);
	b->repeats = 0;
}

/* 0 while the backtrace may go on, -1 when it is long enough. */
static int frame_line(struct bt *b, uint64_t a, int scanned)
{
	char line[40];

	if (++b->steps > BACKTRACE_STEPS || b->n >= BACKTRACE_MAX)
		return -1;
	if (b->n && a == b->last) {
		b->repeats++;
		return 0;
	}
	flush_repeats(b);
	kprintf("  #%d %016lx%s\n", b->n++, a, scanned ? " (stack scan)" : "");
	ksnprintf(line, sizeof(line), "bt 0x%lx%s\n", a, scanned ? " ?" : "");
	status_line(line);
	b->last = a;
	return 0;
}

/* Does a call instruction end right before `ret`? The forms compilers
 * emit: call rel32 (e8, whose target must be code too), and call through
 * a register or memory (ff /2, with an optional REX prefix, 2 to 7
 * bytes). The bytes before a code address are code, hence readable, unless
 * ret is at the very start of the text. */
static int after_call(uint64_t ret)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)ret;

	if (!is_code(ret) || !is_code(ret - 7))
		return 0;
	if (p[-5] == 0xe8) {
		int32_t rel;
		__builtin_memcpy(&rel, p - 4, 4);
		return is_code(ret + (int64_t)rel);
	}
	for (int len = 2; len <= 7; len++) {
		if (p[-len] == 0xff && (p[-len + 1] & 0x38) == 0x10)
			return 1;
	}
	return 0;
}

/* Without frame pointers (code built with -O2 omits them) the return
 * addresses are still on the stack among the locals: take every word from
 * sp up that is the address right after a call. Some may be stale (left
 * by calls that returned), hence "?" in the report, as Linux does. */
static void scan_stack(struct bt *b, uint64_t sp)
{
	uint64_t end = sp + SCAN_BYTES;
	int first = 1;

	for (sp &= ~7ULL; sp < end; sp += 8) {
		uint64_t w;
		/* One check a page (the first word, then each page start). */
		if ((first || !(sp & (UNI_PAGE_SIZE - 1))) &&
		    !mm_readable(sp, 8))
			return;
		first = 0;
		w = *(const uint64_t *)(uintptr_t)sp;
		if (after_call(w) && frame_line(b, w, 1))
			return;
	}
}

void backtrace(uint64_t pc, uint64_t rbp, uint64_t rsp)
{
	struct bt b = { 0 };
	char line[64];
	uint64_t ret, sp = rsp;
	int more = 0;

	ksnprintf(line, sizeof(line), "text 0x%lx 0x%lx\n",
		  (uint64_t)(uintptr_t)_text_start,
		  (uint64_t)(uintptr_t)_text_end);
	status_line(line);
	kprintf("backtrace (uni-run prints it with function names):\n");
	frame_line(&b, pc, 0);
	/* pc outside the code (a call through a bad pointer, or into the
	 * heap): the callee never ran its prologue, so its caller's return
	 * address is still at the top of the stack and rbp is the caller's
	 * frame. */
	if (!is_code(pc) && rsp && !(rsp & 7) && mm_readable(rsp, 8) &&
	    is_code(ret = *(uint64_t *)(uintptr_t)rsp)) {
		frame_line(&b, ret, 0);
		sp = rsp + 8;
	}
	/* Frame pointers: [rbp] = the caller's rbp, [rbp+8] = the return
	 * address. A frame lies above the stack pointer and above the frame
	 * before it. The outermost frame has a saved rbp of 0 (_start
	 * clears it): the walk is complete. Anything else that does not
	 * look like a frame (code without frame pointers uses rbp as an
	 * ordinary register) ends the walk and starts a scan of the stack
	 * above the last good frame. */
	for (;;) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
		if ((rbp & 7) || rbp < sp || rbp - sp > FRAME_MAX ||
		    !mm_readable(rbp, 16) || !is_code(frame[1])) {
			scan_stack(&b, sp);
			break;
		}
		if (frame_line(&b, frame[1], 0)) {
			more = 1;
			break;
		}
		sp = rbp + 16;
		if (!frame[0])
			break;
		rbp = frame[0];
	}
	flush_repeats(&b);
	if (more || b.n >= BACKTRACE_MAX)
		kprintf("  ... (more frames)\n");
}

static void page_fault_lines(const struct trap_frame *tf)
{
	uint64_t addr = read_cr2();
	unsigned access = 0;
	char cause[160];

	if (tf->error & PF_PRESENT)
		access |= MM_FAULT_PRESENT;
	if (tf->error & PF_WRITE)
		access |= MM_FAULT_WRITE;
	if (tf->error & PF_FETCH)
		access |= MM_FAULT_FETCH;
	kprintf("faulting address: %016lx (%s, %s%s)\n", addr,
		tf->error & PF_PRESENT ? "protection violation" : "not present",
		tf->error & PF_WRITE ? "write" : "read",
		tf->error & PF_FETCH ? ", instruction fetch" : "");
	kprintf("cause: %s\n",
		mm_fault_cause(cause, sizeof(cause), addr, tf->rsp, access));
}

/* The bytes at rip, when they can be read: what the CPU refused. */
static void instruction_bytes(uint64_t rip)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)rip;

	if (!mm_readable(rip, 8))
		return;
	kprintf("instruction bytes at rip: %02x %02x %02x %02x %02x %02x %02x "
		"%02x\n", p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
}

void fault_report(struct trap_frame *tf)
{
	uint64_t v = tf->vector;
	const char *name = v < 32 && exception_names[v] ? exception_names[v]
							: "unexpected interrupt";

	panic_begin();
	kprintf("uni: panic: %s (vector %lu, error %#lx)\n", name, v, tf->error);
	if (v == 14)
		page_fault_lines(tf);
	else if (v == 13)
		kprintf("cause: %s\n",
			tf->error ? "a bad segment selector (the error code)"
				  : "most often an access to a non-canonical "
				    "address (a corrupted pointer: the CPU does "
				    "not report which)");
	else if (v == 6)
		instruction_bytes(tf->rip);
	kprintf("rip %016lx  rsp %016lx  rflags %016lx\n", tf->rip, tf->rsp,
		tf->rflags);
	kprintf("rax %016lx  rbx %016lx  rcx %016lx\n", tf->rax, tf->rbx, tf->rcx);
	kprintf("rdx %016lx  rsi %016lx  rdi %016lx\n", tf->rdx, tf->rsi, tf->rdi);
	kprintf("rbp %016lx  r8  %016lx  r9  %016lx\n", tf->rbp, tf->r8, tf->r9);
	kprintf("r10 %016lx  r11 %016lx  r12 %016lx\n", tf->r10, tf->r11, tf->r12);
	kprintf("r13 %016lx  r14 %016lx  r15 %016lx\n", tf->r13, tf->r14, tf->r15);
	kprintf("cs %04lx  ss %04lx  cr2 %016lx  cr3 %016lx\n", tf->cs, tf->ss,
		read_cr2(), read_cr3());
	backtrace(tf->rip, tf->rbp, tf->rsp);
	panic_end();
}
