/*
 * uni/cmdline.h - the kernel command line: program arguments, environment
 * and kernel options.
 *
 * Layer: kernel boot, pure logic (no allocation, no I/O), so the same file
 * (src/kernel/boot/cmdline.c) also compiles on the host for
 * test/unit/test_cmdline.c. The kernel calls cmdline_parse() once at
 * start-up, before the allocator exists, on boot_info.cmdline; process
 * start-up takes argv/envp from it and subsystems look up their own
 * options with cmdline_option(). The encoder is toolchain/uni-run.
 *
 * Format (uni-run writes it, this file reads it):
 *
 *   - The command line is a sequence of tokens separated by runs of
 *     whitespace (space, \t, \n, \v, \f, \r). Leading and trailing
 *     whitespace is ignored.
 *   - Within a token, outside quotes:
 *       \c        the character c, literally (any byte, including space,
 *                 quotes, backslash); a backslash as the very last byte of
 *                 the command line is an error;
 *       "..."     double-quoted text: every byte is literal except that
 *                 \" gives " and \\ gives \ ; a backslash before anything
 *                 else is kept as a backslash; ends at the next unescaped ";
 *       '...'     single-quoted text: every byte up to the next ' is
 *                 literal (no escapes);
 *       other     itself.
 *     Quoted and unquoted parts concatenate ("a"'b'c is abc); "" or ''
 *     alone is an empty token. An unterminated quote is an error.
 *   - The first token written exactly as two bare dashes (--, without
 *     quotes or escapes) separates kernel options from program arguments.
 *     Every token after it is a program argument, argv[1], argv[2], ...,
 *     including further --. A quoted "--" before it is an ordinary option
 *     token.
 *   - Tokens before the separator are kernel options, key=value (split at
 *     the first =; a token without = is the key with value ""):
 *       argv0=NAME   argv[0] (the last one wins); default: the caller's
 *                    default_argv0;
 *       env=K=V      adds K=V to the environment, in order; a later env=
 *                    for the same K replaces the earlier one's value in
 *                    place; K must be non-empty;
 *       other        kept in order for cmdline_option() (the last one of a
 *                    key wins there); an empty key (=value) is an error.
 *   - Bytes >= 0x80 (UTF-8) and control characters other than whitespace
 *     are ordinary bytes.
 *   - With multiboot v1, QEMU's loader hands over "<image path> <-append
 *     text>": skip_first drops everything up to the first whitespace,
 *     unparsed (uni-run never passes a path containing whitespace). PVH
 *     hands over the -append text alone.
 *
 * uni-run always writes argv0=<image name>, then one env=K=V per --env,
 * then "--" and the program arguments only if its own command line had a
 * "--": with no separator has_args is 0 and the kernel may use argument
 * defaults compiled into the image.
 */
#ifndef UNI_CMDLINE_H
#define UNI_CMDLINE_H

#include <stddef.h>

#define CMDLINE_MAX_OPTS 64

struct cmdline {
	/* argc >= 1; argv[argc] == NULL. All strings point into the store
	 * and are writable. */
	int argc;
	char **argv;
	/* A bare "--" was present: argv[1..] came from the command line (even
	 * if there are none). 0 means the command line said nothing about
	 * the arguments. */
	int has_args;
	/* An argv0= option was present (else argv[0] is default_argv0). */
	int has_argv0;
	/* "K=V" strings, envp[envc] == NULL. */
	int envc;
	char **envp;
	/* Other kernel options in command-line order; opt_val is "" for a
	 * token without '='. */
	int noptions;
	const char *opt_key[CMDLINE_MAX_OPTS];
	const char *opt_val[CMDLINE_MAX_OPTS];
};

/*
 * Bytes of store that are always enough for a command line of `textlen`
 * bytes and a default argv[0] of `argv0len` bytes (decoded tokens are never
 * longer than their encoding; each gets a NUL).
 */
#define CMDLINE_STORE_SIZE(textlen, argv0len) ((textlen) + (argv0len) + 2)

/*
 * Entries of ptrs that are always enough for a command line of `textlen`
 * bytes: every token takes at least one byte and a delimiter, and argv and
 * envp need one NULL each plus argv[0].
 */
#define CMDLINE_PTRS_SIZE(textlen) (((textlen) + 1) / 2 + 3)

/*
 * Parse `text` into `out`. Decoded strings go into `store` (store_size
 * bytes; `text` may point at `store` itself: decoding then happens in
 * place). argv and envp are laid out in `ptrs` (nptrs entries): argv
 * first (argc + 1 entries), then envp (envc + 1 entries). skip_first: the
 * loader put the image path first (multiboot). default_argv0 (may be NULL,
 * meaning "") is copied into the store when no argv0= option is given.
 *
 * Returns 0, -EINVAL for a malformed command line (unterminated quote,
 * trailing backslash, env= without K=V, option with an empty key) or
 * -E2BIG when store, ptrs or CMDLINE_MAX_OPTS is too small. On error
 * *error (if error is not NULL) is set to a static reason string and
 * *out is left empty (argc 0, argv and envp NULL); on success *error is
 * set to NULL.
 */
int cmdline_parse(struct cmdline *out, char *store, size_t store_size,
		  char **ptrs, size_t nptrs, const char *text, int skip_first,
		  const char *default_argv0, const char **error);

/* The value of the last kernel option `key`, or NULL if there is none.
 * argv0= and env= are not options here (they are in argv/envp). */
const char *cmdline_option(const struct cmdline *c, const char *key);

#endif
