/* raw_syscall.c - the SYSCALL instruction itself, as inline assembly in
 * some libraries issues it, reaches the kernel's syscall table through
 * the LSTAR entry (src/kernel/arch/x86_64/syscall_entry.S).
 *
 * probe() fills the caller's 128-byte red zone with a pattern, loads the
 * number and six arguments, sets CF and DF, and executes `syscall`; then
 * it records the result, RCX, R11 and every register Linux promises to
 * keep, checks the red zone word by word and reads RFLAGS back. Built
 * twice: with the table linked (-Wl,-u,__uni_syscall_dispatch) the calls
 * work; without it (HAVE_TABLE=0) they return -ENOSYS and the kernel says
 * how to link the image. The images are named .elf, not .img: the
 * no_syscall_instruction check proves that no other image holds the
 * instruction, and these two must. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "check.h"

#ifndef HAVE_TABLE
#define HAVE_TABLE 1
#endif

enum {
	P_NR, P_A0, P_A1, P_A2, P_A3, P_A4, P_A5,            /* in */
	P_RET, P_RCX, P_R11, P_CF,                           /* out */
	P_RDI, P_RSI, P_RDX, P_R10, P_R8, P_R9,              /* after */
	P_RBX, P_RBP, P_R13, P_R14, P_R15,
	P_REDZONE_BAD, P_FLAGS, P_EXPECT_RIP, P_WORDS
};

void probe(long *p);
__asm__(
	".text\n"
	".globl probe\n"
	".type probe, @function\n"
	"probe:\n"
	"	push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n"
	"	push %r15\n"
	"	mov %rdi, %r12\n"
	/* The red zone: [rsp-128, rsp), sixteen words of a pattern. */
	"	movabs $0x5a5a5a5a5a5a0000, %rax\n"
	"	mov $16, %ecx\n"
	"1:	mov %rax, -136(%rsp,%rcx,8)\n"
	"	inc %rax\n"
	"	dec %ecx\n"
	"	jnz 1b\n"
	"	mov $0x1111, %ebx\n mov $0x2222, %ebp\n mov $0x3333, %r13d\n"
	"	mov $0x4444, %r14d\n mov $0x5555, %r15d\n"
	"	mov 8(%r12), %rdi\n mov 16(%r12), %rsi\n mov 24(%r12), %rdx\n"
	"	mov 32(%r12), %r10\n mov 40(%r12), %r8\n mov 48(%r12), %r9\n"
	"	lea 2f(%rip), %rax\n mov %rax, 192(%r12)\n"
	"	mov 0(%r12), %rax\n"
	"	stc\n std\n"
	"	syscall\n"
	"2:	mov %rax, 56(%r12)\n mov %rcx, 64(%r12)\n mov %r11, 72(%r12)\n"
	"	setc 80(%r12)\n"
	"	mov %rdi, 88(%r12)\n mov %rsi, 96(%r12)\n mov %rdx, 104(%r12)\n"
	"	mov %r10, 112(%r12)\n mov %r8, 120(%r12)\n mov %r9, 128(%r12)\n"
	"	mov %rbx, 136(%r12)\n mov %rbp, 144(%r12)\n mov %r13, 152(%r12)\n"
	"	mov %r14, 160(%r12)\n mov %r15, 168(%r12)\n"
	"	pushfq\n pop %rax\n mov %rax, 184(%r12)\n"
	"	cld\n"
	/* pushfq used the word at rsp-8: compare the other fifteen. */
	"	movabs $0x5a5a5a5a5a5a0001, %rax\n"
	"	xor %edx, %edx\n"
	"	mov $15, %ecx\n"
	"3:	cmp %rax, -136(%rsp,%rcx,8)\n"
	"	je 4f\n"
	"	inc %edx\n"
	"4:	inc %rax\n"
	"	dec %ecx\n"
	"	jnz 3b\n"
	"	mov %rdx, 176(%r12)\n"
	"	pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
	"	ret\n"
	".size probe, . - probe\n");

static long call(long *p, long nr, long a0, long a1, long a2)
{
	memset(p, 0, P_WORDS * sizeof(long));
	p[P_NR] = nr;
	p[P_A0] = a0;
	p[P_A1] = a1;
	p[P_A2] = a2;
	p[P_A3] = 0x1010;
	p[P_A4] = 0x2020;
	p[P_A5] = 0x3030;
	probe(p);
	return p[P_RET];
}

static void check_frame(const long *p)
{
	CHECK(p[P_RCX] == p[P_EXPECT_RIP]);
	CHECK((p[P_R11] & 0x1) && (p[P_R11] & 0x400)); /* CF, DF as left */
	CHECK(p[P_CF] == 1 && (p[P_FLAGS] & 0x400));    /* restored */
	CHECK(p[P_RDI] == p[P_A0] && p[P_RSI] == p[P_A1] &&
	      p[P_RDX] == p[P_A2]);
	CHECK(p[P_R10] == 0x1010 && p[P_R8] == 0x2020 && p[P_R9] == 0x3030);
	CHECK(p[P_RBX] == 0x1111 && p[P_RBP] == 0x2222 && p[P_R13] == 0x3333 &&
	      p[P_R14] == 0x4444 && p[P_R15] == 0x5555);
	CHECK(p[P_REDZONE_BAD] == 0);
}

int main(void)
{
	static const char msg[] = "raw syscall write\n";
	long p[P_WORDS];

	fflush(stdout);
	long r = call(p, 39 /* getpid */, 0x11, 0x22, 0x33);
	if (HAVE_TABLE)
		CHECK(r == getpid());
	else
		CHECK(r == -ENOSYS);
	check_frame(p);

	r = call(p, 1 /* write */, 1, (long)msg, sizeof(msg) - 1);
	CHECK(r == (HAVE_TABLE ? (long)sizeof(msg) - 1 : -ENOSYS));
	check_frame(p);

	r = call(p, 1000, 1, 2, 3); /* no such system call */
	CHECK(r == -ENOSYS);
	check_frame(p);

	/* A bad pointer is EFAULT through this path too. */
	r = call(p, 1 /* write */, 1, 8, 4);
	CHECK(r == (HAVE_TABLE ? -EFAULT : -ENOSYS));
	return check_done();
}
