/*
 * jsoncheck.c: content checks on JSON bodies, {type: "json", pointer,
 * op, value}: the RFC 6901 pointer, validation of a check as saved, and
 * its judgment of a parsed body.  See docs/lib/jsoncheck.md.
 *
 * Nothing here allocates what it returns but jsoncheck_parse(), whose
 * tree the caller frees with cJSON_Delete().
 */
#ifndef JSONCHECK_H
#define JSONCHECK_H

#include "base.h"

#define JC_MAXPOINTER	1024	/* bytes of a pointer */
#define JC_MAXVALUE	1024	/* bytes of a string value */

enum jc_op {
	JC_EQ,
	JC_NE,
	JC_LT,
	JC_LE,
	JC_GT,
	JC_GE,
	JC_EXISTS,
	JC_CONTAINS,
	JC__MAX
};
extern const char *const jc_op_names[JC__MAX];

/* The outcome of one check against a body. */
enum jc_result {
	JC_PASS,
	JC_MISMATCH,		/* resolved, and the comparison is false */
	JC_NOT_JSON,		/* the body is not a JSON text */
	JC_UNRESOLVED,		/* the pointer names nothing in the body */
	JC_RESULT__MAX
};

/*
 * Is p a JSON pointer (RFC 6901): "" or "/" tokens, each "~" followed
 * by 0 or 1, at most JC_MAXPOINTER bytes?  1 or 0.
 */
int	 jsonptr_valid(const char *p);
/*
 * What pointer p names in doc, or NULL: a member of an object (by its
 * unescaped name: "~1" is "/", "~0" is "~"), an element of an array by
 * its index ("0", or digits with no leading zero; "-" names nothing).
 */
const cJSON *jsonptr_get(const cJSON *doc, const char *p);

/*
 * Check the members of a json check c other than "type": pointer, op
 * and value, as saving it requires (value absent for exists; a number
 * for lt, le, gt, ge; a string of at most JC_MAXVALUE bytes, a number,
 * true, false or null otherwise).  0, or -1 with *field the member at
 * fault ("pointer", "op", "value") and the reason in why.
 */
int	 jsoncheck_validate(const cJSON *c, const char **field, char *why,
	    size_t whylen);

/*
 * The body (len bytes; NULs inside make it not JSON) as a tree, or NULL
 * when it is not one JSON text with nothing but white space after it.
 */
cJSON	*jsoncheck_parse(const char *body, size_t len);

/*
 * Judge the saved check c against doc (NULL: the body was not JSON).
 * Both sides numbers: compared as numbers; otherwise eq and ne compare
 * text (a string's value, any other value's JSON); contains looks for
 * the value's text in a string, or for an element equal to the value
 * in an array.  Anything but JC_PASS leaves a sentence for the result's
 * error message in msg.
 */
enum jc_result	 jsoncheck_eval(const cJSON *c, const cJSON *doc, char *msg,
		    size_t msglen);

#endif /* JSONCHECK_H */
