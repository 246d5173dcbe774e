/* fault_report.c - each way a program can fault must end in a kernel
 * report that names the fault, says what the address was, and (through
 * uni-run) a backtrace with function names; uni-run exits 126.
 *
 * Usage: fault_report MODE, one fault per boot (CMakeLists.txt checks the
 * report with expect-status):
 *   write-code    write to this program's code (W^X: .text is RX)
 *   write-rodata  write to a string literal (.rodata is read-only)
 *   exec-heap     call a `ret` copied into malloc'd memory (heap is NX)
 *   exec-data     call a `ret` in a global array (.data is NX)
 *   null-read     read a member through a null struct pointer
 *   recurse       unbounded recursion: the main stack's guard page
 *   guard-stack   the same on a stack mmap'd below a PROT_NONE guard, as
 *                 musl lays out thread stacks
 *   ud2           an invalid opcode
 *   noncanonical  a load from a non-canonical address (#GP)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static unsigned char ret_in_data[16] = { 0xc3 };

/* Call fn with %rsp = top; returns on the old stack. Keeps the frame
 * pointer chain (push %rbp) so that backtraces cross over. */
void call_on_stack(void (*fn)(void), void *top);
__asm__(".text\n"
	".globl call_on_stack\n"
	"call_on_stack:\n"
	"	pushq %rbp\n"
	"	movq %rsp, %rbp\n"
	"	movq %rsi, %rsp\n"
	"	callq *%rdi\n"
	"	movq %rbp, %rsp\n"
	"	popq %rbp\n"
	"	retq\n");

__attribute__((noinline)) static void poke_code(void)
{
	volatile unsigned char *p = (volatile unsigned char *)(uintptr_t)poke_code;

	*p = 0x90;
}

__attribute__((noinline)) static void poke_rodata(const char *s)
{
	*(volatile char *)s = 'X';
}

__attribute__((noinline)) static void run_bytes(void *code)
{
	((void (*)(void))code)();
}

struct record {
	long pad[6];
	int field;
};

__attribute__((noinline)) static int read_field(struct record *r)
{
	return *(volatile int *)&r->field;
}

__attribute__((noinline)) static unsigned long recurse_forever(unsigned long n)
{
	volatile char frame[256];

	frame[0] = (char)n;
	return recurse_forever(n + 1) + frame[0];
}

__attribute__((noinline)) static void recurse_entry(void)
{
	recurse_forever(0);
}

__attribute__((noinline)) static void invalid_opcode(void)
{
	__asm__ volatile("ud2");
}

__attribute__((noinline)) static long load_noncanonical(void)
{
	return *(volatile long *)0x8000000000001000UL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	printf("fault_report: %s\n", mode);
	fflush(stdout);
	if (!strcmp(mode, "write-code")) {
		poke_code();
	} else if (!strcmp(mode, "write-rodata")) {
		poke_rodata("a string literal");
	} else if (!strcmp(mode, "exec-heap")) {
		unsigned char *p = malloc(64);
		if (!p)
			return 2;
		p[0] = 0xc3; /* ret */
		run_bytes(p);
	} else if (!strcmp(mode, "exec-data")) {
		run_bytes(ret_in_data);
	} else if (!strcmp(mode, "null-read")) {
		printf("%d\n", read_field(NULL));
	} else if (!strcmp(mode, "recurse")) {
		recurse_entry();
	} else if (!strcmp(mode, "guard-stack")) {
		size_t size = 64 * 1024, guard = 4096;
		char *m = mmap(NULL, size + guard, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED ||
		    mprotect(m + guard, size, PROT_READ | PROT_WRITE))
			return 2;
		call_on_stack(recurse_entry, m + guard + size);
	} else if (!strcmp(mode, "ud2")) {
		invalid_opcode();
	} else if (!strcmp(mode, "noncanonical")) {
		printf("%ld\n", load_noncanonical());
	} else {
		printf("unknown mode\n");
		return 2;
	}
	printf("FAIL: %s did not fault\n", mode);
	return 1;
}
