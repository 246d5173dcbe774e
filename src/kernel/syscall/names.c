/*
 * names.c - syscall number to name, for traces and diagnostics.
 *
 * Layer: kernel syscall entry. Generated from the one list; linked only
 * into images whose code asks for a name (the tracer, trace.c, does).
 * Compact: the names are one block of characters (a struct with one
 * char array per syscall, so the compiler lays them out end to end) and
 * the table holds 16-bit offsets into it, plus one so that 0 means "no
 * such syscall": about 5 KiB instead of 4 KiB of pointers on top.
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

static const uint16_t name_off[UNI_NR_MAX] = {
#define SYSCALL(name, nr) [nr] = offsetof(struct name_block, n_##name) + 1,
#include <uni/syscalls.def>
#undef SYSCALL
};

_Static_assert(sizeof(struct name_block) < 65535, "offsets fit 16 bits");

const char *syscall_name(long nr)
{
	if (nr < 0 || nr >= UNI_NR_MAX || !name_off[nr])
		return NULL;
	return (const char *)&names + name_off[nr] - 1;
}
