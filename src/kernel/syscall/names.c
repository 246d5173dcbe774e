/*
 * names.c - syscall number to name, for traces and diagnostics.
 *
 * Layer: kernel syscall entry. Generated from the one list; linked only
 * into images whose code asks for a name.
 */
#include <stddef.h>
#include <uni/syscall.h>

static const char *const syscall_names[UNI_NR_MAX] = {
#define SYSCALL(name, nr) [nr] = #name,
#include <uni/syscalls.def>
#undef SYSCALL
};

const char *syscall_name(long nr)
{
	if (nr < 0 || nr >= UNI_NR_MAX)
		return NULL;
	return syscall_names[nr];
}
