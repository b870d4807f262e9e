/*
 * lib/re.cc: the regular expressions of content checks, through RE2.
 *
 * RE2 matches in time linear in the text and in memory bounded by the
 * compiled program, whatever the pattern: there is no backtracking to
 * blow up.  Patterns that would need it (backreferences, lookaround) do
 * not compile, and neither does one whose compiled form passes
 * RE_MAXPROG: the caller answers 400 with the reason re_compile gives.
 * The rest of libuptime stays C; this header is all of RE2 it sees.
 */
#ifndef RE_H
#define RE_H

#include <stddef.h>

#ifdef __cplusplus
#define RE_NOTHROW	noexcept
extern "C" {
#else
#define RE_NOTHROW
#endif

/*
 * RE2's memory budgets.  A pattern must compile within RE_MAXPROG (about
 * 10000 program steps, a few milliseconds to compile); it is then
 * matched with RE_MAXMEM, which leaves its DFA room for some thousand
 * cached states.
 */
#define RE_MAXPROG	(128 << 10)
#define RE_MAXMEM	(2 << 20)

struct re;

/*
 * Compile pattern: RE2 syntax over bytes (Latin-1: each byte is one
 * character, so any body can match and UTF-8 in a pattern matches the
 * same bytes); "." also matches a newline, "^" and "$" the ends of the
 * text, as POSIX regexec did.  Returns the matcher, owned by the caller
 * (re_free), or NULL with *why set to a static English clause saying why
 * (ours, not RE2's: clients see it as it is).
 */
struct re	*re_compile(const char *pattern, int case_sensitive,
		    const char **why) RE_NOTHROW;
/* 1 when re matches somewhere in text[0..len) (NULs allowed), else 0. */
int		 re_match(const struct re *, const char *text, size_t len)
		    RE_NOTHROW;
/*
 * The size of re's compiled program.  A match costs at most about
 * len * re_size steps (RE2's automata keep a set of program positions
 * per byte); most patterns cost far less.
 */
size_t		 re_size(const struct re *) RE_NOTHROW;
/* Release re; NULL is fine. */
void		 re_free(struct re *) RE_NOTHROW;

#ifdef __cplusplus
}
#endif

#endif
