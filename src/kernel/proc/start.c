/*
 * start.c - process start-up: the initial stack and the jump to _start.
 *
 * Layer: kernel proc, called once by kmain(). Parses the kernel command
 * line (cmdline.c) into argv and the environment, over the defaults built
 * into the image if it has any (parse_cmdline() below), maps the main stack
 * (with a guard page), and lays it out as the System V x86-64 ABI says for
 * a static ELF program: argc, argv[], NULL, envp[], NULL, auxv[], AT_NULL,
 * then the strings and the 16 AT_RANDOM bytes. Then it jumps to musl's
 * _start (crt1.o), which calls __libc_start_main and main.
 */
#include <elf.h>
#include <stdint.h>
#include <string.h>
#include <uni/cmdline.h>
#include <uni/ident.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include <uni/mm.h>
#include <uni/proc.h>
#include <uni/random.h>
#include <uni/trace.h>
#include <uni/x86_64/cpu.h>
#include "../arch/x86_64/arch.h"

#define MAX_TOKENS 1024
#define DEFAULT_ARGV0 "app"

extern void _start(void); /* musl crt1.o */

/*
 * Defaults built into the image by uni_image_options()
 * (cmake/UniImageOptions.cmake, which states the format): an ELF note,
 * owner "uni", type 1, whose descriptor is three NUL-terminated strings:
 * "mem=SIZE\n" (read by uni-run, not here), kernel options in command-line
 * format (env=K=V, hostname=...), and "-- ARG..." or "" for no default
 * arguments. Weak: an image without defaults has none (address 0).
 */
struct image_defaults {
	uint32_t namesz, descsz, type;
	char name[4];
	char desc[];
};
extern const struct image_defaults __uni_image_defaults __attribute__((weak));

/* With defaults, the text parsed is assembled here: the image's options,
 * the command line (without the multiboot path), and the image's
 * arguments when the command line has no "--". Each part is at most
 * BOOT_CMDLINE_MAX bytes (uni_image_options checks the image's). */
static char cmdline_text[3 * BOOT_CMDLINE_MAX + 8];
static char cmdline_store[CMDLINE_STORE_SIZE(sizeof(cmdline_text),
					     sizeof(DEFAULT_ARGV0))];
static char *cmdline_ptrs[MAX_TOKENS];

struct stack_builder {
	uintptr_t lo, sp; /* sp moves down from the top */
};

static void *push_bytes(struct stack_builder *b, const void *p, size_t n,
			size_t align)
{
	b->sp = ALIGN_DOWN(b->sp - n, align);
	if (b->sp < b->lo + UNI_PAGE_SIZE)
		panic("arguments and environment do not fit the main stack");
	memcpy((void *)b->sp, p, n);
	return (void *)b->sp;
}

static char *push_string(struct stack_builder *b, const char *s)
{
	return push_bytes(b, s, strlen(s) + 1, 1);
}

/* The parsed command line, kept for /proc and /etc (proc_cmdline): the
 * program gets copies on its stack, so these strings stay as parsed. */
static struct cmdline cl;

const struct cmdline *proc_cmdline(void)
{
	return &cl;
}

static size_t append(size_t at, const char *s)
{
	size_t n = strnlen(s, BOOT_CMDLINE_MAX);

	memcpy(cmdline_text + at, s, n);
	cmdline_text[at + n] = ' ';
	cmdline_text[at + n + 1] = '\0';
	return at + n + 1;
}

/*
 * Parse the command line into cl, with the image's defaults under it.
 * Precedence (the command line wins): the image's kernel options and
 * environment come first, so that an env=K=V or option from the command
 * line replaces the image's (cmdline.c keeps the last value of a key); the
 * image's arguments apply only when the command line has no "--" (uni-run
 * writes one only when its own command line has one: `uni-run app.img --`
 * runs with no arguments).
 */
static int parse_cmdline(const struct boot_info *bi, const char **err)
{
	const struct image_defaults *d = &__uni_image_defaults;
	const char *text = bi->cmdline, *opts, *args;
	size_t n;
	int rc;

	if (!d || d->type != 1 || d->namesz != 4 || memcmp(d->name, "uni", 4))
		return cmdline_parse(&cl, cmdline_store, sizeof(cmdline_store),
				     cmdline_ptrs, ARRAY_SIZE(cmdline_ptrs),
				     text, bi->cmdline_has_path,
				     DEFAULT_ARGV0, err);
	opts = d->desc + strlen(d->desc) + 1;
	args = opts + strlen(opts) + 1;
	if (bi->cmdline_has_path) { /* as cmdline.c's skip_first */
		while (*text == ' ' || (*text >= '\t' && *text <= '\r'))
			text++;
		while (*text && !(*text == ' ' || (*text >= '\t' && *text <= '\r')))
			text++;
	}
	n = append(append(0, opts), text);
	rc = cmdline_parse(&cl, cmdline_store, sizeof(cmdline_store),
			   cmdline_ptrs, ARRAY_SIZE(cmdline_ptrs), cmdline_text,
			   0, DEFAULT_ARGV0, err);
	if (rc < 0 || cl.has_args || !*args)
		return rc;
	append(n, args);
	return cmdline_parse(&cl, cmdline_store, sizeof(cmdline_store),
			     cmdline_ptrs, ARRAY_SIZE(cmdline_ptrs),
			     cmdline_text, 0, DEFAULT_ARGV0, err);
}

void proc_start(const struct boot_info *bi)
{
	const char *err = NULL;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)_kernel_start;
	uint8_t random[16];
	struct stack_builder b;
	char **argv, **envp;
	char *execfn, *platform;
	uint8_t *at_random;
	void *stack;
	int rc;

	fd_init_stdio();
	rc = parse_cmdline(bi, &err);
	if (rc < 0) {
		kprintf("uni: bad kernel command line: %s\n",
			err ? err : "unknown error");
		proc_exit(127);
	}
	ident_configure(&cl); /* uid=, gid=, hostname=, domainname= */
	trace_configure(&cl); /* trace, stats */

	stack = mm_alloc_stack(MAIN_STACK_SIZE);
	if (!stack)
		panic("no memory for the main stack");
	b.lo = (uintptr_t)stack;
	b.sp = b.lo + MAIN_STACK_SIZE;

	/* Strings first (highest addresses), then the pointer block. */
	argv = __builtin_alloca((cl.argc + 1) * sizeof(char *));
	envp = __builtin_alloca((cl.envc + 1) * sizeof(char *));
	for (int i = 0; i < cl.argc; i++)
		argv[i] = push_string(&b, cl.argv[i]);
	argv[cl.argc] = NULL;
	for (int i = 0; i < cl.envc; i++)
		envp[i] = push_string(&b, cl.envp[i]);
	envp[cl.envc] = NULL;
	execfn = argv[0];
	platform = push_string(&b, "x86_64");
	random_bytes(random, sizeof(random));
	at_random = push_bytes(&b, random, sizeof(random), 16);

	uint64_t auxv[][2] = {
		{ AT_PHDR, (uintptr_t)_kernel_start + eh->e_phoff },
		{ AT_PHENT, eh->e_phentsize },
		{ AT_PHNUM, eh->e_phnum },
		{ AT_PAGESZ, UNI_PAGE_SIZE },
		{ AT_ENTRY, (uintptr_t)_start },
		{ AT_UID, ident_cred()->ruid }, { AT_EUID, ident_cred()->euid },
		{ AT_GID, ident_cred()->rgid }, { AT_EGID, ident_cred()->egid },
		{ AT_SECURE, 0 },
		{ AT_CLKTCK, 100 },
		{ AT_HWCAP, cpuid(1, 0).edx },
		{ AT_HWCAP2, 0 },
		{ AT_RANDOM, (uintptr_t)at_random },
		{ AT_PLATFORM, (uintptr_t)platform },
		{ AT_EXECFN, (uintptr_t)execfn },
		{ AT_NULL, 0 },
	};
	size_t words = 1 + (cl.argc + 1) + (cl.envc + 1) + 2 * ARRAY_SIZE(auxv);
	/* %rsp must be 16-byte aligned at _start, where argc sits. */
	b.sp = ALIGN_DOWN(b.sp - words * 8, 16);
	if (b.sp < b.lo + UNI_PAGE_SIZE)
		panic("arguments and environment do not fit the main stack");
	uint64_t *w = (uint64_t *)b.sp;
	*w++ = (uint64_t)cl.argc;
	memcpy(w, argv, (cl.argc + 1) * sizeof(char *));
	w += cl.argc + 1;
	memcpy(w, envp, (cl.envc + 1) * sizeof(char *));
	w += cl.envc + 1;
	memcpy(w, auxv, sizeof(auxv));

	arch_enter_program((void *)_start, (void *)b.sp);
}
