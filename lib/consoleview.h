/*
 * consoleview.c: the console's HTML: the page around each view, its one
 * style sheet, and the pieces the views share (an escaped text, a
 * field with its error).  Bytes from data: no request, no answer.
 * Everything a person wrote goes through sv_escape (statusview.h).
 */
#ifndef CONSOLEVIEW_H
#define CONSOLEVIEW_H

#include "base.h"
#include "buf.h"

/* What the page around a view shows. */
struct cv_frame {
	const char	*title;		/* the page's <title> and <h1> */
	const char	*app;		/* the console's path ("/uptime/app") */
	const char	*who;		/* the signed-in member's name, or NULL */
	const char	*role;		/* and role */
	const char	*csrf;		/* the session's CSRF token, or NULL */
};

/* The page's head, header (with the sign-out form when signed in) and
 * the <main> opening into b; 0 or -1 (out of memory). */
int	 cv_begin(struct buf *b, const struct cv_frame *) WUR;
/* Close what cv_begin opened. */
int	 cv_end(struct buf *b) WUR;
/* The style sheet (a constant) and its Content-Security-Policy for the
 * pages: that sheet, no script but the page's own by hash, forms to
 * the console. */
const char *cv_stylesheet(void);
const char *cv_csp(void);
/* The little script of the pages that read a token from the fragment. */
const char *cv_fragment_script(void);
/* The little script of the pages with a copy button (a button, hidden,
 * with data-copy naming the id of the element whose text it copies). */
const char *cv_copy_script(void);

/* s escaped as HTML text (or as an attribute's value). */
int	 cv_text(struct buf *b, const char *s) WUR;
/*
 * A labelled input: its label, name, type, value (escaped; NULL for
 * none), autocomplete and, when err is not NULL, the error beside it
 * (aria-describedby).
 */
int	 cv_field(struct buf *b, const char *label, const char *name,
	    const char *type, const char *value, const char *autocomplete,
	    const char *err) WUR;
/* The hidden csrf field of a form. */
int	 cv_csrf(struct buf *b, const char *csrf) WUR;
/* A message for the whole form (role="alert"), escaped. */
int	 cv_alert(struct buf *b, const char *msg) WUR;
/*
 * A text area's text as the API's value: with pairs, "Name: value" lines
 * as an object (a line without a colon is a name with an empty value,
 * which the API's check refuses); else lines or comma-separated items as
 * an array of strings.  Items are trimmed, blank ones skipped.  NULL
 * when out of memory.
 */
struct cJSON	*cv_lines(const char *text, int pairs);
/*
 * cv_lines the other way: an object's members as "Name: value" lines,
 * or an array's strings, each line ended by a newline, as plain text
 * into b (escape it to show it).  0, or -1 when out of memory.
 */
int	 cv_lines_text(struct buf *b, const struct cJSON *v) WUR;

#endif /* CONSOLEVIEW_H */
