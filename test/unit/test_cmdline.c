/*
 * test_cmdline.c - host unit test of the kernel command-line parser.
 *
 * Layer: host test. Compiles the real src/kernel/boot/cmdline.c and checks
 * the format of <uni/cmdline.h>: quoting, escapes, empty tokens, "--",
 * env=, argv0=, skip_first, errors and UTF-8. Every successful case runs
 * twice, decoding from a separate text and in place, with exactly
 * CMDLINE_STORE_SIZE bytes of heap store so that ASan catches an overrun.
 *
 *   test_cmdline                      run the tests; exit 1 on any failure
 *   test_cmdline --parse [--skip-first] TEXT [DEFAULT_ARGV0]
 *                                     print the parse as NUL-terminated
 *                                     records: "A<arg>" per argv entry,
 *                                     "E<K=V>" per variable, "O<key>=<val>"
 *                                     per option, "H<0|1>" for has_args;
 *                                     on error "X<reason>" and exit 1.
 * The second form is what test/unit/test_uni_run_quote.sh uses to check
 * that toolchain/uni-run's encoding round-trips.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uni/cmdline.h>

static int npass, nfail;

#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const[]){ NULL })

static const char *show(const char *s)
{
	return s ? s : "(null)";
}

static int same_list(char **got, int n, const char *const *want)
{
	int i;

	for (i = 0; i < n; i++)
		if (!want[i] || strcmp(got[i], want[i]) != 0)
			return 0;
	return want[n] == NULL && got[n] == NULL;
}

static void print_list(const char *what, char **got, int n,
		       const char *const *want)
{
	int i;

	fprintf(stderr, "    %s got %d:", what, n);
	for (i = 0; got && i < n; i++)
		fprintf(stderr, " [%s]", got[i]);
	fprintf(stderr, "\n    %s want:", what);
	for (i = 0; want[i]; i++)
		fprintf(stderr, " [%s]", want[i]);
	fprintf(stderr, "\n");
}

static void result(int line, const char *text, int ok, const char *why)
{
	if (ok) {
		npass++;
		return;
	}
	nfail++;
	fprintf(stderr, "FAIL line %d: text [%s]: %s\n", line, show(text), why);
}

/*
 * Parse `text` (from a copy, or in place) into exactly-sized heap buffers.
 * Returns the parser's return value; *store_out must be freed.
 */
static int parse(struct cmdline *c, const char *text, int skip_first,
		 const char *def, int in_place, char **store_out, char **ptrs,
		 size_t nptrs, size_t store_size, const char **error)
{
	size_t need = CMDLINE_STORE_SIZE(strlen(text), def ? strlen(def) : 0);
	char *store, *copy = NULL;
	int rc;

	if (!store_size)
		store_size = need;
	store = malloc(store_size ? store_size : 1);
	if (in_place) {
		memcpy(store, text, strlen(text) + 1);
		rc = cmdline_parse(c, store, store_size, ptrs, nptrs, store,
				   skip_first, def, error);
	} else {
		copy = malloc(strlen(text) + 1);
		memcpy(copy, text, strlen(text) + 1);
		rc = cmdline_parse(c, store, store_size, ptrs, nptrs, copy,
				   skip_first, def, error);
		/* the text must not have been touched */
		if (strcmp(copy, text) != 0)
			rc = -1000;
		free(copy);
	}
	*store_out = store;
	return rc;
}

static void ok_case(int line, const char *text, int skip_first,
		    const char *def, const char *const *argv,
		    const char *const *envp, int has_args)
{
	int in_place;

	for (in_place = 0; in_place < 2; in_place++) {
		struct cmdline c;
		char *ptrs[CMDLINE_PTRS_SIZE(strlen(text))];
		char *store;
		const char *error = "unset";
		int rc = parse(&c, text, skip_first, def, in_place, &store,
			       ptrs, sizeof(ptrs) / sizeof(ptrs[0]), 0, &error);
		int ok = rc == 0 && error == NULL && same_list(c.argv, c.argc, argv) &&
			 same_list(c.envp, c.envc, envp) && c.has_args == has_args;

		result(line, text, ok, in_place ? "in place" : "from a copy");
		if (!ok) {
			fprintf(stderr, "    rc %d error %s has_args %d\n", rc,
				show(error), rc ? -1 : c.has_args);
			if (rc == 0) {
				print_list("argv", c.argv, c.argc, argv);
				print_list("envp", c.envp, c.envc, envp);
			}
		}
		free(store);
	}
}

/* An error case: rc and a reason containing `reason`, and *out emptied. */
static void err_case(int line, const char *text, int skip_first, size_t nptrs,
		     size_t store_size, int want_rc, const char *reason)
{
	struct cmdline c;
	char *ptrs[256];
	char *store;
	const char *error = NULL;
	int rc = parse(&c, text, skip_first, "prog", 0, &store, ptrs,
		       nptrs ? nptrs : 256, store_size, &error);
	int ok = rc == want_rc && error && strstr(error, reason) && c.argc == 0 &&
		 c.argv == NULL && c.envp == NULL;

	result(line, text, ok, "error case");
	if (!ok)
		fprintf(stderr, "    rc %d (want %d) error [%s] (want [%s])\n", rc,
			want_rc, show(error), reason);
	free(store);
}

#define OK(text, skip, def, argv, envp, has_args) \
	ok_case(__LINE__, text, skip, def, argv, envp, has_args)
#define ERR(text, rc, reason) err_case(__LINE__, text, 0, 0, 0, rc, reason)

static void test_basic(void)
{
	OK("argv0=hello -- a b c", 0, "def", L("hello", "a", "b", "c"), NONE, 1);
	OK("argv0=hello", 0, "def", L("hello"), NONE, 0);
	OK("", 0, "def", L("def"), NONE, 0);
	OK(" \t\n\r\v\f ", 0, "def", L("def"), NONE, 0);
	OK("-- x", 0, NULL, L("", "x"), NONE, 1);
	OK("--", 0, "def", L("def"), NONE, 1);
	OK("   argv0=p    --    a     b   ", 0, "def", L("p", "a", "b"), NONE, 1);
	OK("-- a\tb\nc\rd", 0, "def", L("def", "a", "b", "c", "d"), NONE, 1);
	OK("argv0=a argv0=b", 0, "def", L("b"), NONE, 0);
	OK("argv0= -- x", 0, "def", L("", "x"), NONE, 1);
	OK("argv0 -- x", 0, "def", L("", "x"), NONE, 1);
}

static void test_quoting(void)
{
	OK("-- \"a b\" c", 0, "p", L("p", "a b", "c"), NONE, 1);
	OK("-- \"a\\\"b\" \"c\\\\d\" \"e\\nf\" \"\\\\\\\"\"", 0, "p",
	   L("p", "a\"b", "c\\d", "e\\nf", "\\\""), NONE, 1);
	OK("-- 'a \"b\" \\c'", 0, "p", L("p", "a \"b\" \\c"), NONE, 1);
	OK("-- a\\ b \\\"x \\\\ \\' \\a", 0, "p",
	   L("p", "a b", "\"x", "\\", "'", "a"), NONE, 1);
	OK("-- a\"b c\"'d e'f", 0, "p", L("p", "ab cd ef"), NONE, 1);
	OK("-- \"\" '' a \"\"", 0, "p", L("p", "", "", "a", ""), NONE, 1);
	OK("-- \"\"''\"\"", 0, "p", L("p", ""), NONE, 1);
	OK("-- \"a\nb\tc\" 'd\re'", 0, "p", L("p", "a\nb\tc", "d\re"), NONE, 1);
	OK("-- \"it's\" 'say \"hi\"'", 0, "p", L("p", "it's", "say \"hi\""), NONE, 1);
	OK("-- a\\\nb", 0, "p", L("p", "a\nb"), NONE, 1);
	OK("-- \"trailing\\\\\"", 0, "p", L("p", "trailing\\"), NONE, 1);
	OK("-- \\\"\\\"", 0, "p", L("p", "\"\""), NONE, 1);
	OK("-- ,a,b, =x= %20", 0, "p", L("p", ",a,b,", "=x=", "%20"), NONE, 1);
}

static void test_separator(void)
{
	OK("-- -- a --", 0, "p", L("p", "--", "a", "--"), NONE, 1);
	OK("\"--\" x=1", 0, "p", L("p"), NONE, 0);
	OK("\\-- x=1", 0, "p", L("p"), NONE, 0);
	OK("'--' -- y", 0, "p", L("p", "y"), NONE, 1);
	OK("a-- --- -- -x", 0, "p", L("p", "-x"), NONE, 1);
	OK("-- \"--\"", 0, "p", L("p", "--"), NONE, 1);
	OK("-- -", 0, "p", L("p", "-"), NONE, 1);
}

static void test_env(void)
{
	OK("env=A=1 env=B=x=y -- p", 0, "d", L("d", "p"), L("A=1", "B=x=y"), 1);
	OK("env=A=1 env=B=2 env=A=3", 0, "d", L("d"), L("A=3", "B=2"), 0);
	OK("env=A=1 env=AB=2 env=A=", 0, "d", L("d"), L("A=", "AB=2"), 0);
	OK("\"env=P=a b\" 'env=Q=\"q\"'", 0, "d", L("d"), L("P=a b", "Q=\"q\""), 0);
	OK("env=E= -- env=X=1", 0, "d", L("d", "env=X=1"), L("E="), 1);
	OK("env=U=h\xc3\xa9llo", 0, "d", L("d"), L("U=h\xc3\xa9llo"), 0);
	ERR("env=", -EINVAL, "env=");
	ERR("env", -EINVAL, "env=");
	ERR("env==x", -EINVAL, "env=");
	ERR("env=NOEQ -- a", -EINVAL, "env=");
}

static void test_options(void)
{
	struct cmdline c;
	char *ptrs[16];
	char store[128];
	const char *error;
	int rc, ok;

	rc = cmdline_parse(&c, store, sizeof(store), ptrs, 16,
			   "console=serial log=debug flag a=1 env=X=y a=2 "
			   "\"q=x y\" argv0=n -- log=no",
			   0, "d", &error);
	ok = rc == 0 && c.noptions == 6 &&
	     strcmp(show(cmdline_option(&c, "console")), "serial") == 0 &&
	     strcmp(show(cmdline_option(&c, "log")), "debug") == 0 &&
	     strcmp(show(cmdline_option(&c, "flag")), "") == 0 &&
	     strcmp(show(cmdline_option(&c, "a")), "2") == 0 &&
	     strcmp(show(cmdline_option(&c, "q")), "x y") == 0 &&
	     cmdline_option(&c, "missing") == NULL &&
	     cmdline_option(&c, "env") == NULL &&
	     cmdline_option(&c, "argv0") == NULL &&
	     strcmp(c.opt_key[0], "console") == 0 &&
	     strcmp(c.opt_key[3], "a") == 0 && strcmp(c.opt_val[3], "1") == 0 &&
	     c.has_argv0 == 1 && c.argc == 2 && strcmp(c.argv[1], "log=no") == 0;
	result(__LINE__, "options", ok, "option lookup");

	rc = cmdline_parse(&c, store, sizeof(store), ptrs, 16, "x=1", 0, "d",
			   &error);
	result(__LINE__, "x=1", rc == 0 && c.has_argv0 == 0 && c.noptions == 1,
	       "has_argv0 without argv0=");

	ERR("=x", -EINVAL, "empty name");
	ERR("a=1 \"\" -- b", -EINVAL, "empty name");
	ERR("'' --", -EINVAL, "empty name");
}

static void test_skip_first(void)
{
	OK("/path/to/hello.img argv0=a -- b", 1, "d", L("a", "b"), NONE, 1);
	OK("   /p  argv0=a", 1, "d", L("a"), NONE, 0);
	OK("/p", 1, "d", L("d"), NONE, 0);
	OK("/p ", 1, "d", L("d"), NONE, 0);
	OK("", 1, "d", L("d"), NONE, 0);
	OK("/tmp/x\"y'z\\ -- b", 1, "d", L("d", "b"), NONE, 1);
	OK("-- -- x", 1, "d", L("d", "x"), NONE, 1);
	OK("/dev/fd/5 \"env=A=b c\" -- \"x y\"", 1, "d", L("d", "x y"),
	   L("A=b c"), 1);
}

static void test_errors(void)
{
	ERR("-- \"abc", -EINVAL, "unterminated double quote");
	ERR("-- \"abc\\\"", -EINVAL, "unterminated double quote");
	ERR("\"", -EINVAL, "unterminated double quote");
	ERR("-- 'abc", -EINVAL, "unterminated single quote");
	ERR("-- 'a'b'", -EINVAL, "unterminated single quote");
	OK("-- 'a\\'", 0, "p", L("p", "a\\"), NONE, 1); /* no escapes in '' */
	ERR("-- a\\", -EINVAL, "backslash");
	ERR("\\", -EINVAL, "backslash");

	/* pointer array: "-- a b c" needs argv 4+1 and envp 0+1 */
	err_case(__LINE__, "-- a b c", 0, 5, 0, -E2BIG, "pointer array");
	err_case(__LINE__, "env=A=1 -- a b c", 0, 6, 0, -E2BIG, "pointer array");
	{
		struct cmdline c;
		char *ptrs[6];
		char store[64];
		int rc = cmdline_parse(&c, store, sizeof(store), ptrs, 6,
				       "-- a b c", 0, "p", NULL);
		result(__LINE__, "-- a b c", rc == 0 && c.argc == 4 && c.envc == 0 &&
		       c.envp == ptrs + 5 && c.envp[0] == NULL,
		       "exact pointer array");
	}

	/* store: exact size (every OK case) works; one byte less fails */
	err_case(__LINE__, "-- abc def", 0, 0,
		 CMDLINE_STORE_SIZE(strlen("-- abc def"), 4) - 1 - 3, -E2BIG,
		 "too long");
	err_case(__LINE__, "argv0=x -- abcdef", 0, 0, 8, -E2BIG, "too long");
	err_case(__LINE__, "-- a", 0, 0, 2, -E2BIG, "too long"); /* "a" fits, "prog" not */
	err_case(__LINE__, "x", 0, 0, 0 + 1, -E2BIG, "too long");
	{
		struct cmdline c;
		char *ptrs[8];
		char store[8];
		int rc = cmdline_parse(&c, store, 0, ptrs, 8, "-- a", 0, "p", NULL);
		result(__LINE__, "store_size 0", rc == -E2BIG, "empty store");
	}
}

static void test_limits(void)
{
	char text[CMDLINE_MAX_OPTS * 8 + 16], *p;
	size_t n = 4000;
	char *big = malloc(n + 8), *want = malloc(n + 1);
	int i;

	/* CMDLINE_MAX_OPTS options fit, one more does not */
	p = text;
	for (i = 0; i < CMDLINE_MAX_OPTS; i++)
		p += sprintf(p, "o%d=%d ", i, i);
	OK(text, 0, "d", L("d"), NONE, 0);
	sprintf(p, "x=y");
	ERR(text, -E2BIG, "too many kernel options");

	/* a 4000-byte argument */
	memcpy(big, "-- \"", 4);
	memset(big + 4, 'x', n);
	memcpy(big + 4 + n, "\"", 2);
	memset(want, 'x', n);
	want[n] = '\0';
	OK(big, 0, "d", L("d", want), NONE, 1);
	free(big);
	free(want);

	/* many tokens: exactly CMDLINE_PTRS_SIZE for the densest text */
	OK("-- a b c d e f g h i j k l m n o p", 0, "d",
	   L("d", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l",
	     "m", "n", "o", "p"), NONE, 1);
	OK("env=a=b env=c=d a b c d e f g h", 0, "d", L("d"),
	   L("a=b", "c=d"), 0);
}

static void test_utf8(void)
{
	OK("argv0=\xe2\x9c\x93 -- h\xc3\xa9llo \"w\xc3\xb6rld \xe2\x9c\x93\" "
	   "\xe6\x97\xa5\xe6\x9c\xac '\xf0\x9f\x98\x80 x'",
	   0, "d",
	   L("\xe2\x9c\x93", "h\xc3\xa9llo", "w\xc3\xb6rld \xe2\x9c\x93",
	     "\xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\x98\x80 x"), NONE, 1);
	/* bytes >= 0x80 and control bytes are ordinary, even 0xff */
	OK("-- \x01\x02 \xff\xfe \x7f", 0, "d", L("d", "\x01\x02", "\xff\xfe", "\x7f"),
	   NONE, 1);
	/* 0x85 and 0xa0 are not whitespace in this format */
	OK("-- a\xc2\xa0" "b c\xc2\x85" "d", 0, "d",
	   L("d", "a\xc2\xa0" "b", "c\xc2\x85" "d"), NONE, 1);
}

static void put_record(char tag, const char *s)
{
	putchar(tag);
	fputs(s, stdout);
	putchar('\0');
}

static int parse_mode(int argc, char **argv)
{
	int skip = 0, i;
	const char *text, *def = "prog", *error;
	struct cmdline c;
	char *store, **ptrs;
	size_t len;
	int rc;

	if (argc > 0 && strcmp(argv[0], "--skip-first") == 0)
		skip = 1, argc--, argv++;
	if (argc < 1 || argc > 2) {
		fprintf(stderr, "usage: test_cmdline --parse [--skip-first] "
				"TEXT [DEFAULT_ARGV0]\n");
		return 2;
	}
	text = argv[0];
	if (argc == 2)
		def = argv[1];
	len = strlen(text);
	store = malloc(CMDLINE_STORE_SIZE(len, strlen(def)));
	ptrs = malloc(CMDLINE_PTRS_SIZE(len) * sizeof(*ptrs));
	rc = cmdline_parse(&c, store, CMDLINE_STORE_SIZE(len, strlen(def)), ptrs,
			   CMDLINE_PTRS_SIZE(len), text, skip, def, &error);
	if (rc) {
		put_record('X', error);
		free(store);
		free(ptrs);
		return 1;
	}
	for (i = 0; i < c.argc; i++)
		put_record('A', c.argv[i]);
	for (i = 0; i < c.envc; i++)
		put_record('E', c.envp[i]);
	for (i = 0; i < c.noptions; i++) {
		putchar('O');
		fputs(c.opt_key[i], stdout);
		putchar('=');
		fputs(c.opt_val[i], stdout);
		putchar('\0');
	}
	put_record('H', c.has_args ? "1" : "0");
	free(store);
	free(ptrs);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--parse") == 0)
		return parse_mode(argc - 2, argv + 2);
	if (argc > 1) {
		fprintf(stderr, "usage: test_cmdline [--parse [--skip-first] "
				"TEXT [DEFAULT_ARGV0]]\n");
		return 2;
	}
	test_basic();
	test_quoting();
	test_separator();
	test_env();
	test_options();
	test_skip_first();
	test_errors();
	test_limits();
	test_utf8();
	printf("cmdline: %d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}
