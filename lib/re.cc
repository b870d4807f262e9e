/*
 * Regular expressions through RE2 (lib/re.h).  All use of RE2 stays in
 * this C++ file, behind an extern "C" API that does not throw: RE2
 * reports errors by code, and an exception (only an allocation failure
 * inside RE2) ends the process through noexcept.
 */
#include <string.h>

#include <new>

#include <re2/re2.h>

#include "re.h"

struct re {
	RE2	 rx;

	re(const char *pattern, const RE2::Options &o) : rx(pattern, o) {}
};

/* Why RE2 refused a pattern, as a clause a client can act on. */
static const char *
re_why(const RE2 &rx, const char *pattern)
{
	const char	*p;

	switch (rx.error_code()) {
	case RE2::ErrorBadEscape:
		for (p = pattern; (p = strchr(p, '\\')) != NULL; p += 2) {
			if (p[1] >= '1' && p[1] <= '9')
				return "backreferences such as \\1 are not "
				    "supported";
			if (p[1] == '\0')
				break;
		}
		return "it has an unknown escape sequence";
	case RE2::ErrorRepeatSize:
	case RE2::ErrorRepeatOp:
		return "repeat counts may be at most 1000, nested ones "
		    "multiplied together";
	case RE2::ErrorPatternTooLarge:
		return "it compiles to more than the size limit";
	case RE2::ErrorMissingParen:
	case RE2::ErrorUnexpectedParen:
		return "its parentheses do not balance";
	case RE2::ErrorBadPerlOp:
		return "lookaround and (?...) groups other than (?:...) and "
		    "flags are not supported";
	case RE2::ErrorMissingBracket:
	case RE2::ErrorBadCharClass:
	case RE2::ErrorBadCharRange:
		return "it has an invalid character class";
	case RE2::ErrorTrailingBackslash:
		return "it ends with a backslash";
	case RE2::ErrorRepeatArgument:
		return "a repeat (*, +, ?, {n}) has nothing to repeat";
	default:
		return "it is not a valid regular expression";
	}
}

extern "C" struct re *
re_compile(const char *pattern, int case_sensitive, const char **why) noexcept
{
	RE2::Options	 o;
	struct re	*re;

	o.set_encoding(RE2::Options::EncodingLatin1);
	o.set_never_capture(true);
	o.set_log_errors(false);
	o.set_longest_match(false);
	o.set_dot_nl(true);
	o.set_case_sensitive(case_sensitive != 0);

	/* First within the size limit, then again with room for the DFA:
	 * the program is the same, only the cache it may fill grows. */
	o.set_max_mem(RE_MAXPROG);
	if ((re = new (std::nothrow) struct re(pattern, o)) == NULL)
		goto oom;
	if (!re->rx.ok()) {
		*why = re_why(re->rx, pattern);
		delete re;
		return NULL;
	}
	delete re;
	o.set_max_mem(RE_MAXMEM);
	if ((re = new (std::nothrow) struct re(pattern, o)) == NULL)
		goto oom;
	if (re->rx.ok())
		return re;
	delete re;
oom:
	*why = "it could not be compiled (out of memory)";
	return NULL;
}

extern "C" int
re_match(const struct re *re, const char *text, size_t len) noexcept
{
	return RE2::PartialMatch(re2::StringPiece(text, len), re->rx);
}

extern "C" size_t
re_size(const struct re *re) noexcept
{
	return (size_t)re->rx.ProgramSize();
}

extern "C" void
re_free(struct re *re) noexcept
{
	delete re;
}
