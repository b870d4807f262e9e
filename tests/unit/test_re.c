/*
 * Unit tests of lib/re.cc: what is refused and why, and the semantics
 * kept from POSIX regexec (bytes, "." across newlines, "^" and "$" at
 * the ends of the text, NULs as text), case folding, and that a match
 * of a pattern that backtracking matchers take exponential time on
 * stays fast.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "uptime.h"
#include "re.h"
#include "unit.h"

/* 1 match, 0 no match, -1 refused. */
static int
try(const char *pattern, int cs, const char *text, size_t len)
{
	struct re	*re;
	const char	*why = NULL;
	int		 m;

	if ((re = re_compile(pattern, cs, &why)) == NULL)
		return why != NULL ? -1 : -2;
	m = re_match(re, text, len);
	re_free(re);
	return m;
}

/* Is pattern refused, with a reason that says word? */
static int
refused(const char *pattern, const char *word)
{
	struct re	*re;
	const char	*why = NULL;

	if ((re = re_compile(pattern, 1, &why)) != NULL) {
		re_free(re);
		return 0;
	}
	return why != NULL && strstr(why, word) != NULL;
}

static void
test_refused_with_reasons(void)
{
	CHECK(refused("^(a*)*\\1x", "backreferences"));
	CHECK(refused("(a)(b)\\2", "backreferences"));
	CHECK(refused("((a{1,100}){1,100}){1,100}", "at most 1000"));
	CHECK(refused("a{1001}", "at most 1000"));
	CHECK(refused("[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}"
	    "[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}"
	    "[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}"
	    "[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}"
	    "[a-z]{1000}", "size limit"));
	CHECK(refused("foo(?=bar)", "not supported"));
	CHECK(refused("(?<!x)y", "not supported"));
	CHECK(refused("(unclosed", "parentheses"));
	CHECK(refused("[z-a]", "character class"));
	CHECK(refused("*a", "nothing to repeat"));
	CHECK(refused("a\\", "backslash"));
	CHECK(try("(a|aa)*b", 1, "", 0) == 0);
	CHECK(try("a{1000}", 1, "", 0) == 0);
}

static void
test_posix_semantics(void)
{
	static const char nul[] = "head\0MARKER";

	CHECK_INT(try("^Hello, [A-Z][a-z]+!", 1, "Hello, World!", 13), 1);
	CHECK_INT(try("fine$", 1, "status=fine\nmore", 16), 0);
	CHECK_INT(try("(?m)fine$", 1, "status=fine\nmore", 16), 1);
	CHECK_INT(try("a.b", 1, "a\nb", 3), 1);
	CHECK_INT(try("<title>[^<]*</title>", 1, "<title>\xff\xfe</title>",
	    17), 1);
	CHECK_INT(try("caf\xc3\xa9", 1, "un caf\xc3\xa9", 9), 1);
	CHECK_INT(try("MARKER", 1, nul, sizeof(nul) - 1), 1);
	CHECK_INT(try("head.MARKER", 1, nul, sizeof(nul) - 1), 1);
	/* The length is the text: nothing past it is read. */
	CHECK_INT(try("MARKER", 1, nul, 8), 0);
}

static void
test_case(void)
{
	CHECK_INT(try("hello, w", 0, "HELLO, WORLD", 12), 1);
	CHECK_INT(try("hello, w", 1, "HELLO, WORLD", 12), 0);
	CHECK_INT(try("(?i)hello", 1, "HeLLo", 5), 1);
}

static void
test_linear(void)
{
	size_t		 n = 1 << 20;
	char		*a = malloc(n);
	struct timespec	 t0, t1;
	double		 ms;

	CHECK(a != NULL);
	if (a == NULL)
		return;
	memset(a, 'a', n);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(try("(a|aa)*b", 1, a, n), 0);
	CHECK_INT(try("(x+x+)+y", 1, a, n), 0);
	CHECK_INT(try("(a|aa)*$", 1, a, n), 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	/* A few milliseconds; POSIX regexec took 18 s on 100 KB. */
	CHECK(ms < 1000);
	free(a);
}

int
main(void)
{
	UNIT_RUN(test_refused_with_reasons);
	UNIT_RUN(test_posix_semantics);
	UNIT_RUN(test_case);
	UNIT_RUN(test_linear);
	return unit_finish();
}
