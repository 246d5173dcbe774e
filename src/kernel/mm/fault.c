/*
 * fault.c - mm's part of a fault report: what the faulting address was.
 *
 * Layer: kernel mm. The arch fault report (arch/x86_64/fault.c) calls
 * mm_fault_cause() once, with the machine about to stop, to turn a page
 * fault's address, stack pointer and error bits into one phrase: a null
 * pointer dereference, a stack overflow into a guard page (which stack),
 * a write to the image's code, an instruction fetch from the heap, ...
 * It only reads: the image's section symbols (toolchain/uni.ld) and the
 * program's ranges (vma.c). Not host-compiled (linker symbols).
 * mm_fault_signal, for the signal code's sig_fault, says which signal a
 * page fault in program memory raises: SIGBUS past the end of a mapped
 * file, SIGSEGV for everything else.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <uni/boot.h>
#include <uni/kernel.h>
#include <uni/mm.h>
#include "priv.h"

/* A fault this far below a stack's guard page, with the stack pointer in
 * or just below that stack, is still an overflow: a large frame (an
 * array on the stack) can skip the guard page altogether. */
#define STACK_REACH 0x10000ULL

#define A(p) ((uint64_t)(uintptr_t)(p))

static const char *image_part(uint64_t addr)
{
	if (addr < A(_kernel_start) || addr >= A(_end))
		return NULL;
	if (addr < A(_rodata_start))
		return "ELF headers";
	if (addr < A(_text_start))
		return ".rodata";
	if (addr < A(_data_start))
		return ".text";
	if (addr < A(_edata))
		return ".data";
	return ".bss";
}

static const char *access_name(unsigned access)
{
	if (access & MM_FAULT_FETCH)
		return "instruction fetch from";
	return access & MM_FAULT_WRITE ? "write to" : "read from";
}

/* The stack above a guard range g (the range that starts where g ends),
 * if it is one: a stack mm_alloc_stack made, or (musl's thread stacks,
 * mmap'd PROT_NONE and then opened with mprotect) a writable range above
 * a PROT_NONE one, with the stack pointer in it or near below it. */
static const struct vma *stack_above(const struct vma *g, uint64_t rsp)
{
	const struct vma *s = vma_find(&mm_as.vmas, g->end);

	if (!s || !(s->prot & PROT_WRITE))
		return NULL;
	if (g->flags & VMA_GUARD)
		return s;
	if (g->prot == PROT_NONE && rsp < s->end &&
	    rsp + STACK_REACH >= g->start)
		return s;
	return NULL;
}

static const char *overflow(char *buf, size_t n, const struct vma *s)
{
	const char *which = s->start == as_main_stack ? "the main stack"
			    : s->flags & VMA_STACK    ? "a kernel-made stack"
						      : "a thread stack";

	ksnprintf(buf, n,
		  "stack overflow: %s [%#llx, %#llx) ran into its guard page",
		  which, (unsigned long long)s->start,
		  (unsigned long long)s->end);
	return buf;
}

/* An access the protection allows, to a page of a file mapping that the
 * file does not reach: the page stays unpopulated (mmap_file.c) and the
 * touch is a bus error, POSIX mmap(). A write to a read-only mapping
 * stays a SIGSEGV, as on Linux. */
static int past_file_end(const struct vma *v, uint64_t addr, unsigned access)
{
	if (!v || !vma_holey(v) || v->prot == PROT_NONE ||
	    ((access & MM_FAULT_WRITE) && !(v->prot & PROT_WRITE)) ||
	    ((access & MM_FAULT_FETCH) && !(v->prot & PROT_EXEC)))
		return 0;
	return !pt_lookup(addr & ~(uint64_t)(PAGE_SIZE - 1), NULL);
}

int mm_fault_signal(uint64_t addr, unsigned access)
{
	if (addr < MM_PROG_BASE || addr >= MM_PROG_END)
		return SIGSEGV;
	return past_file_end(vma_find(&mm_as.vmas, addr), addr, access)
		       ? SIGBUS
		       : SIGSEGV;
}

static const char *program_cause(char *buf, size_t n, uint64_t addr,
				 uint64_t rsp, unsigned access)
{
	const struct vma *v = vma_find(&mm_as.vmas, addr), *s;
	const char *what;

	if (!v) {
		/* Past a guard page: the next range up is a guard whose
		 * stack the stack pointer is in or near. */
		v = vma_next_after(&mm_as.vmas, addr);
		if (v && v->start - addr <= STACK_REACH &&
		    (v->flags & VMA_GUARD || v->prot == PROT_NONE) &&
		    (s = stack_above(v, rsp)) && rsp + STACK_REACH >= addr)
			return overflow(buf, n, s);
		ksnprintf(buf, n, "%s unmapped program memory",
			  access_name(access));
		return buf;
	}
	if (v->prot == PROT_NONE) {
		if ((s = stack_above(v, rsp)))
			return overflow(buf, n, s);
		ksnprintf(buf, n, "%s a PROT_NONE page of [%#llx, %#llx)",
			  access_name(access), (unsigned long long)v->start,
			  (unsigned long long)v->end);
		return buf;
	}
	if (past_file_end(v, addr, access)) {
		ksnprintf(buf, n, "%s a file mapping past the end of the "
				  "file (SIGBUS)", access_name(access));
		return buf;
	}
	what = v->flags & VMA_STACK	 ? "a stack"
	       : addr < MM_MMAP_BASE	 ? "the heap (brk)"
	       : v->prot & PROT_WRITE	 ? "mmap'd memory"
					 : "read-only mmap'd memory";
	if (access & MM_FAULT_FETCH)
		ksnprintf(buf, n,
			  "instruction fetch from %s (no execute: W^X)", what);
	else if (access & MM_FAULT_WRITE)
		ksnprintf(buf, n, "write to %s without PROT_WRITE", what);
	else
		ksnprintf(buf, n, "read from %s", what);
	return buf;
}

const char *mm_fault_cause(char *buf, size_t n, uint64_t addr, uint64_t rsp,
			   unsigned access)
{
	const char *part;

	if (addr < MM_NULL_GUARD) {
		if (access & MM_FAULT_FETCH)
			ksnprintf(buf, n, "call through a null function pointer");
		else
			ksnprintf(buf, n, "null pointer dereference (%s)",
				  access & MM_FAULT_WRITE ? "write" : "read");
		return buf;
	}
	if ((part = image_part(addr))) {
		if (access & MM_FAULT_FETCH)
			ksnprintf(buf, n,
				  "instruction fetch from %s of the image "
				  "(no execute: W^X)", part);
		else if (access & MM_FAULT_WRITE)
			ksnprintf(buf, n,
				  "write to %s of the image (read-only: W^X)",
				  part);
		else
			ksnprintf(buf, n, "read from %s of the image", part);
		return buf;
	}
	if (addr >= MM_PROG_BASE && addr < MM_PROG_END)
		return program_cause(buf, n, addr, rsp, access);
	if (addr >= MM_PROG_END)
		ksnprintf(buf, n, "%s an address above the program's range",
			  access_name(access));
	else if (access & MM_FAULT_FETCH)
		ksnprintf(buf, n, "instruction fetch from kernel memory "
				  "(the direct map: no execute)");
	else
		ksnprintf(buf, n, "%s kernel memory (the direct map)%s",
			  access_name(access),
			  access & MM_FAULT_PRESENT ? "" : ", not mapped");
	return buf;
}
