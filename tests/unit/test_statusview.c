/*
 * Unit tests of lib/statusview.c's sv_escape: the one escaping function
 * of the public pages (HTML text and attributes, SVG, Atom).  What it
 * must never let through: markup characters, and what XML 1.0 forbids
 * (control characters, U+FFFE and U+FFFF, bytes that are not UTF-8).
 * The pages themselves are tested over HTTP (status-pages.test.mjs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uptime.h"
#include "statusview.h"
#include "unit.h"

static void
check_escape(const char *in, const char *want, int line)
{
	struct buf	 b = { NULL, 0, 0 };

	if (sv_escape(&b, in) != 0) {
		fprintf(stderr, "%s:%d: sv_escape failed\n", __FILE__, line);
		unit_current_failed = 1;
	} else if (strcmp(b.p ? b.p : "", want) != 0) {
		fprintf(stderr, "%s:%d: sv_escape(\"%s\") = \"%s\", want "
		    "\"%s\"\n", __FILE__, line, in, b.p ? b.p : "", want);
		unit_current_failed = 1;
	}
	buf_free(&b);
}

#define ESC(in, want)	check_escape((in), (want), __LINE__)
#define FFFD		"\xef\xbf\xbd"

static void
test_markup(void)
{
	ESC("", "");
	ESC("plain text", "plain text");
	ESC("<script>alert(1)</script>",
	    "&lt;script&gt;alert(1)&lt;/script&gt;");
	ESC("\"&'", "&quot;&amp;&#39;");
	ESC("a&amp;b", "a&amp;amp;b");
	ESC("x=\"1\" onload='y'", "x=&quot;1&quot; onload=&#39;y&#39;");
	/* Tab, newline and carriage return stay. */
	ESC("a\tb\nc\rd", "a\tb\nc\rd");
}

static void
test_utf8(void)
{
	/* Valid 2-, 3- and 4-byte characters pass untouched. */
	ESC("\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9");
	ESC("\xe2\x82\xac 5", "\xe2\x82\xac 5");
	ESC("\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80!");
	ESC("\xef\xbf\xbd", FFFD);
	ESC("\xee\x80\x80", "\xee\x80\x80");		/* U+E000 */
}

static void
test_forbidden(void)
{
	/* C0 controls. */
	ESC("a\x01" "b", "a" FFFD "b");
	ESC("\x1b[31m", FFFD "[31m");
	ESC("\x7f", "\x7f");	/* DEL is allowed in XML 1.0 */
	/* Non-characters XML forbids. */
	ESC("a\xef\xbf\xbe" "b", "a" FFFD "b");		/* U+FFFE */
	ESC("\xef\xbf\xbf", FFFD);			/* U+FFFF */
	/* Not UTF-8: a lone continuation byte, a lead byte without its
	 * continuation (mid-string and at the end), overlong forms,
	 * surrogates, beyond U+10FFFF, 0xff. */
	ESC("a\x80" "b", "a" FFFD "b");
	ESC("a\xc3" "b", "a" FFFD "b");
	ESC("a\xe2\x82", "a" FFFD FFFD);
	ESC("\xc0\xbc", FFFD);				/* overlong "<" */
	ESC("\xe0\x80\xbc", FFFD);
	ESC("\xed\xa0\x80", FFFD);			/* U+D800 */
	ESC("\xf4\x90\x80\x80", FFFD);			/* U+110000 */
	ESC("\xff<", FFFD "&lt;");
}

int
main(void)
{
	UNIT_RUN(test_markup);
	UNIT_RUN(test_utf8);
	UNIT_RUN(test_forbidden);
	return unit_finish();
}
