/*
 * cmdline.c - decode the kernel command line into argv, envp and options.
 *
 * Layer: kernel boot, pure logic. Called once by the kernel at start-up on
 * boot_info.cmdline, before any allocator exists, so all storage comes from
 * the caller; compiled unchanged on the host by test/unit/test_cmdline.c.
 * The format (tokens, quoting, "--", argv0=, env=) is specified in
 * <uni/cmdline.h>; toolchain/uni-run is the encoder.
 *
 * Two passes: the first decodes every token into the store, one
 * NUL-terminated string after another (a token never decodes longer than
 * its encoding, which is what makes in-place decoding safe) and counts
 * them; the second, knowing the counts, lays argv and envp out in `ptrs`
 * and splits the options.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h> /* strlen, strcmp, memcpy */
#include <uni/cmdline.h>

struct lexer {
	const char *p;    /* next byte of the text to read */
	char *w;          /* next byte of the store to write; never past p
			   * when text and store overlap */
	char *end;        /* one past the store */
	const char *error;
};

static int is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int fail(struct lexer *lx, int err, const char *why)
{
	lx->error = why;
	return err;
}

static int put(struct lexer *lx, char c)
{
	if (lx->w == lx->end)
		return fail(lx, -E2BIG, "command line too long for its buffer");
	*lx->w++ = c;
	return 0;
}

/*
 * Decode one token into the store at lx->w (*tok) and NUL-terminate it.
 * Returns 1 for a token, with *sep set when it was a bare "--", 0 at the
 * end of the text, or -errno.
 */
static int lex_token(struct lexer *lx, char **tok, int *sep)
{
	const char *p = lx->p;
	char *start = lx->w;
	int plain = 1; /* no quote or escape: decoded == encoded */
	char c;
	int err;

	while (*p && is_space(*p))
		p++;
	if (!*p) {
		lx->p = p;
		return 0;
	}
	while (*p && !is_space(*p)) {
		c = *p++;
		if (c == '\\') {
			plain = 0;
			if (!*p)
				return fail(lx, -EINVAL,
					    "backslash at the end of the command line");
			c = *p++;
		} else if (c == '"') {
			plain = 0;
			for (;;) {
				c = *p++;
				if (!c)
					return fail(lx, -EINVAL,
						    "unterminated double quote");
				if (c == '"')
					break;
				if (c == '\\' && (*p == '"' || *p == '\\'))
					c = *p++;
				if ((err = put(lx, c)))
					return err;
			}
			continue;
		} else if (c == '\'') {
			plain = 0;
			for (;;) {
				c = *p++;
				if (!c)
					return fail(lx, -EINVAL,
						    "unterminated single quote");
				if (c == '\'')
					break;
				if ((err = put(lx, c)))
					return err;
			}
			continue;
		}
		if ((err = put(lx, c)))
			return err;
	}
	/* Step over the delimiter before writing the NUL: decoding in place,
	 * the NUL may land exactly on it. */
	if (*p)
		p++;
	lx->p = p;
	*tok = start;
	*sep = plain && lx->w - start == 2 && start[0] == '-' && start[1] == '-';
	if ((err = put(lx, '\0')))
		return err;
	return 1;
}

/* The first '=' in s, or NULL. */
static char *find_eq(char *s)
{
	for (; *s; s++)
		if (*s == '=')
			return s;
	return NULL;
}

/* Whether "K=V" strings a and b have the same K (both contain '='). */
static int same_env_key(const char *a, const char *b)
{
	while (*a == *b && *a != '=')
		a++, b++;
	return *a == '=' && *b == '=';
}

/* Whether option token s has key `key` (s is "key" or "key=..."). */
static int has_key(const char *s, const char *key)
{
	while (*key && *s == *key)
		s++, key++;
	return !*key && (*s == '=' || !*s);
}

static int cmdline_fail(struct cmdline *out, const char **error, int err,
			const char *why)
{
	out->argc = 0;
	out->argv = NULL;
	out->envc = 0;
	out->envp = NULL;
	out->noptions = 0;
	out->has_args = 0;
	out->has_argv0 = 0;
	if (error)
		*error = why;
	return err;
}

int cmdline_parse(struct cmdline *out, char *store, size_t store_size,
		  char **ptrs, size_t nptrs, const char *text, int skip_first,
		  const char *default_argv0, const char **error)
{
	struct lexer lx = { text, store, store + store_size, NULL };
	char *args = NULL; /* first argument token in the store */
	size_t nargs = 0, nenv = 0, argc, len, i;
	char *argv0 = NULL, *tok, *s, *next, *eq, *kv;
	int sep, err;

	if (skip_first) {
		while (*lx.p && is_space(*lx.p))
			lx.p++;
		while (*lx.p && !is_space(*lx.p))
			lx.p++;
	}

	/* Pass 1: decode every token, count env= options and arguments. */
	while ((err = lex_token(&lx, &tok, &sep)) > 0) {
		if (args) {
			nargs++; /* a later "--" is an argument */
		} else if (sep) {
			lx.w = tok; /* the separator itself is not kept */
			args = tok;
		} else if (has_key(tok, "env")) {
			nenv++;
		}
	}
	if (err < 0)
		return cmdline_fail(out, error, err, lx.error);

	argc = 1 + nargs;
	if (nptrs < argc + 1 + nenv + 1)
		return cmdline_fail(out, error, -E2BIG,
				    "too many arguments and variables for the pointer array");
	out->argc = (int)argc;
	out->argv = ptrs;
	out->envp = ptrs + argc + 1;
	out->envc = 0;
	out->noptions = 0;
	out->has_args = args != NULL;
	out->has_argv0 = 0;
	if (!args)
		args = lx.w;

	/* Pass 2: the options, in order (split before moving on, since the
	 * split changes strlen). */
	for (s = store; s < args; s = next) {
		next = s + strlen(s) + 1;
		eq = find_eq(s);
		if (eq == s || !*s)
			return cmdline_fail(out, error, -EINVAL,
					    "kernel option with an empty name");
		if (eq)
			*eq = '\0';
		if (strcmp(s, "argv0") == 0) {
			argv0 = eq ? eq + 1 : s + strlen(s);
			out->has_argv0 = 1;
		} else if (strcmp(s, "env") == 0) {
			kv = eq ? eq + 1 : s + strlen(s);
			eq = find_eq(kv);
			if (!eq || eq == kv)
				return cmdline_fail(out, error, -EINVAL,
						    "env= is not env=NAME=VALUE");
			for (i = 0; i < (size_t)out->envc; i++)
				if (same_env_key(out->envp[i], kv))
					break;
			out->envp[i] = kv;
			if (i == (size_t)out->envc)
				out->envc++;
		} else {
			if (out->noptions == CMDLINE_MAX_OPTS)
				return cmdline_fail(out, error, -E2BIG,
						    "too many kernel options");
			out->opt_key[out->noptions] = s;
			out->opt_val[out->noptions] = eq ? eq + 1 : s + strlen(s);
			out->noptions++;
		}
	}
	out->envp[out->envc] = NULL;

	if (!argv0) {
		len = default_argv0 ? strlen(default_argv0) : 0;
		if ((size_t)(lx.end - lx.w) < len + 1)
			return cmdline_fail(out, error, -E2BIG,
					    "command line too long for its buffer");
		if (len)
			memcpy(lx.w, default_argv0, len);
		lx.w[len] = '\0';
		argv0 = lx.w;
	}
	out->argv[0] = argv0;
	for (s = args, i = 1; i < argc; s += strlen(s) + 1)
		out->argv[i++] = s;
	out->argv[argc] = NULL;
	if (error)
		*error = NULL;
	return 0;
}

const char *cmdline_option(const struct cmdline *c, const char *key)
{
	int i;

	for (i = c->noptions - 1; i >= 0; i--)
		if (strcmp(c->opt_key[i], key) == 0)
			return c->opt_val[i];
	return NULL;
}
