/*
 * names.c - syscall number to name, for traces and diagnostics.
 *
 * Layer: kernel syscall entry. Generated from the one list; linked only
 * into images whose code asks for a name (the tracer, trace.c, does).
 * Compact, because every image that can trace carries it: the names are
 * one block of characters in list order (a struct with one char array
 * per syscall, so the compiler lays them out end to end), and a 512-bit
 * map says which numbers exist. The list is in ascending number order
 * (test_names checks it), so the name of nr is the k-th string, k being
 * the number of existing syscalls below nr. A trace looks names up once
 * per line; counting bits and skipping strings costs far less than
 * printing the line.
 */
#include <stddef.h>
#include <stdint.h>
#include <uni/syscall.h>

struct name_block {
#define SYSCALL(name, nr) char n_##name[sizeof(#name)];
#include <uni/syscalls.def>
#undef SYSCALL
};

static const struct name_block names = {
#define SYSCALL(name, nr) #name,
#include <uni/syscalls.def>
#undef SYSCALL
};

/* present[w] bit b: syscall 64*w+b exists. One pass over the list per
 * word; W names the word being built. */
#define SYSCALL(name, nr) | ((nr) / 64 == W ? 1ULL << ((nr) % 64) : 0)
static const uint64_t present[UNI_NR_MAX / 64] = {
#define W 0
	0
#include <uni/syscalls.def>
	,
#undef W
#define W 1
	0
#include <uni/syscalls.def>
	,
#undef W
#define W 2
	0
#include <uni/syscalls.def>
	,
#undef W
#define W 3
	0
#include <uni/syscalls.def>
	,
#undef W
#define W 4
	0
#include <uni/syscalls.def>
	,
#undef W
#define W 5
	0
#include <uni/syscalls.def>
	,
#undef W
#define W 6
	0
#include <uni/syscalls.def>
	,
#undef W
#define W 7
	0
#include <uni/syscalls.def>
	,
#undef W
};
#undef SYSCALL

_Static_assert(UNI_NR_MAX == 512, "present[] has eight words");

const char *syscall_name(long nr)
{
	const char *p = (const char *)&names;
	long k = 0;

	if (nr < 0 || nr >= UNI_NR_MAX ||
	    !(present[nr / 64] & (1ULL << (nr % 64))))
		return NULL;
	for (long w = 0; w < nr / 64; w++)
		k += __builtin_popcountll(present[w]);
	k += __builtin_popcountll(present[nr / 64] & ((1ULL << (nr % 64)) - 1));
	while (k--)
		while (*p++)
			;
	return p;
}
