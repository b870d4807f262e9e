/*
 * Content checks on JSON bodies: pointers, validation and judgment.
 * See jsoncheck.h and docs/lib/jsoncheck.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "json.h"
#include "jsoncheck.h"

const char *const jc_op_names[JC__MAX] = {
	"eq", "ne", "lt", "le", "gt", "ge", "exists", "contains"
};

int
jsonptr_valid(const char *p)
{
	const char	*t;

	if (strlen(p) > JC_MAXPOINTER || (p[0] != '\0' && p[0] != '/'))
		return 0;
	for (t = strchr(p, '~'); t != NULL; t = strchr(t + 1, '~'))
		if (t[1] != '0' && t[1] != '1')
			return 0;
	return 1;
}

/*
 * The token [s, s + n) unescaped into out (n + 1 bytes at least):
 * "~1" is "/", then "~0" is "~" (RFC 6901, section 4).
 */
static void
unescape(const char *s, size_t n, char *out)
{
	size_t	 i, k = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '~' && i + 1 < n && (s[i + 1] == '0' ||
		    s[i + 1] == '1')) {
			out[k++] = s[i + 1] == '0' ? '~' : '/';
			i++;
		} else
			out[k++] = s[i];
	}
	out[k] = '\0';
}

/* The array index token t names, or -1: "0", or digits without a
 * leading zero that fit. */
static long
array_index(const char *t)
{
	size_t	 n = strlen(t);
	long	 v = 0;
	size_t	 i;

	if (n == 0 || n > 9 || strspn(t, "0123456789") != n ||
	    (n > 1 && t[0] == '0'))
		return -1;
	for (i = 0; i < n; i++)
		v = v * 10 + (t[i] - '0');
	return v;
}

const cJSON *
jsonptr_get(const cJSON *doc, const char *p)
{
	char		 tok[JC_MAXPOINTER + 1];
	const cJSON	*cur = doc;
	size_t		 n;
	long		 i;

	if (doc == NULL || !jsonptr_valid(p))
		return NULL;
	while (*p == '/' && cur != NULL) {
		p++;
		n = strcspn(p, "/");
		unescape(p, n, tok);
		p += n;
		if (cJSON_IsObject(cur))
			cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
		else if (cJSON_IsArray(cur) && (i = array_index(tok)) >= 0 &&
		    i < cJSON_GetArraySize(cur))
			cur = cJSON_GetArrayItem(cur, (int)i);
		else
			cur = NULL;
	}
	return cur;
}

int
jsoncheck_validate(const cJSON *c, const char **field, char *why,
    size_t whylen)
{
	const cJSON	*p = cJSON_GetObjectItemCaseSensitive(c, "pointer");
	const cJSON	*o = cJSON_GetObjectItemCaseSensitive(c, "op");
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(c, "value");
	int		 op;

	*field = "pointer";
	if (!cJSON_IsString(p) || !jsonptr_valid(p->valuestring)) {
		snprintf(why, whylen, "must be a JSON pointer (RFC 6901) of at "
		    "most %d bytes: \"\" or \"/\" tokens such as "
		    "\"/status\" or \"/items/0/name\", with \"~0\" for ~ and "
		    "\"~1\" for /", JC_MAXPOINTER);
		return -1;
	}
	*field = "op";
	if (!cJSON_IsString(o) || (op = str_index(jc_op_names, JC__MAX,
	    o->valuestring)) == -1) {
		snprintf(why, whylen, "must be one of eq, ne, lt, le, gt, ge, "
		    "exists, contains");
		return -1;
	}
	*field = "value";
	if (op == JC_EXISTS) {
		if (v != NULL) {
			snprintf(why, whylen, "exists takes no value");
			return -1;
		}
		return 0;
	}
	if (op >= JC_LT && op <= JC_GE) {
		if (!cJSON_IsNumber(v)) {
			snprintf(why, whylen, "must be a number for %s",
			    jc_op_names[op]);
			return -1;
		}
		return 0;
	}
	if (v == NULL || !(cJSON_IsNumber(v) || cJSON_IsBool(v) ||
	    cJSON_IsNull(v) || (cJSON_IsString(v) &&
	    strlen(v->valuestring) <= JC_MAXVALUE))) {
		snprintf(why, whylen, "must be a string of at most %d bytes, a "
		    "number, true, false or null for %s", JC_MAXVALUE,
		    jc_op_names[op]);
		return -1;
	}
	return 0;
}

cJSON *
jsoncheck_parse(const char *body, size_t len)
{
	const char	*end = NULL;
	cJSON		*doc;

	if (body == NULL || len == 0 || memchr(body, '\0', len) != NULL)
		return NULL;
	if ((doc = cJSON_ParseWithLengthOpts(body, len, &end, 0)) == NULL)
		return NULL;
	/* One text: nothing but white space may follow it. */
	while (end < body + len && strchr(" \t\r\n", *end) != NULL)
		end++;
	if (end != body + len) {
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}

/* A value's text: a string's bytes, any other value's JSON.  Free it. */
static char *
text(const cJSON *v)
{
	return cJSON_IsString(v) ? strdup(v->valuestring) :
	    cJSON_PrintUnformatted(v);
}

/* eq: as numbers when both are, else as text.  1, 0, or -1 (memory). */
static int
equal(const cJSON *a, const cJSON *b)
{
	char	*ta, *tb;
	int	 eq;

	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return a->valuedouble == b->valuedouble;
	ta = text(a);
	tb = text(b);
	eq = ta != NULL && tb != NULL ? strcmp(ta, tb) == 0 : -1;
	free(ta);
	free(tb);
	return eq;
}

/* 1 when the check holds for the value at v, 0 when not, -1 (memory). */
static int
holds(enum jc_op op, const cJSON *v, const cJSON *want)
{
	const cJSON	*e;
	char		*needle;
	int		 r;

	switch (op) {
	case JC_EXISTS:
		return 1;
	case JC_EQ:
		return equal(v, want);
	case JC_NE:
		r = equal(v, want);
		return r == -1 ? -1 : !r;
	case JC_LT:
		return cJSON_IsNumber(v) && v->valuedouble < want->valuedouble;
	case JC_LE:
		return cJSON_IsNumber(v) && v->valuedouble <= want->valuedouble;
	case JC_GT:
		return cJSON_IsNumber(v) && v->valuedouble > want->valuedouble;
	case JC_GE:
		return cJSON_IsNumber(v) && v->valuedouble >= want->valuedouble;
	case JC_CONTAINS:
		if (cJSON_IsArray(v)) {
			cJSON_ArrayForEach(e, v)
				if ((r = equal(e, want)) != 0)
					return r;
			return 0;
		}
		if (!cJSON_IsString(v) || (needle = text(want)) == NULL)
			return cJSON_IsString(v) ? -1 : 0;
		r = memmem(v->valuestring, strlen(v->valuestring), needle,
		    strlen(needle)) != NULL;
		free(needle);
		return r;
	default:
		return 0;
	}
}

enum jc_result
jsoncheck_eval(const cJSON *c, const cJSON *doc, char *msg, size_t msglen)
{
	const char	*ptr = cJSON_GetStringValue(cJSON_GetObjectItem(c,
			    "pointer"));
	const char	*ops = cJSON_GetStringValue(cJSON_GetObjectItem(c,
			    "op"));
	const cJSON	*want = cJSON_GetObjectItemCaseSensitive(c, "value");
	const cJSON	*v;
	char		*got, *exp;
	int		 op, r;

	if (doc == NULL) {
		snprintf(msg, msglen, "The body is not JSON, so the JSON "
		    "check of \"%.100s\" could not be made.", ptr ? ptr : "");
		return JC_NOT_JSON;
	}
	op = ops != NULL ? str_index(jc_op_names, JC__MAX, ops) : -1;
	if (ptr == NULL || op == -1 || (op != JC_EXISTS && want == NULL)) {
		/* Never saved so: refused at validation. */
		snprintf(msg, msglen, "The JSON check is not valid.");
		return JC_MISMATCH;
	}
	if ((v = jsonptr_get(doc, ptr)) == NULL) {
		snprintf(msg, msglen, "The JSON pointer \"%.100s\" names "
		    "nothing in the body.", ptr);
		return JC_UNRESOLVED;
	}
	if ((r = holds((enum jc_op)op, v, want)) == 1)
		return JC_PASS;
	got = cJSON_PrintUnformatted(v);
	exp = cJSON_PrintUnformatted(want);
	snprintf(msg, msglen, "JSON check failed: \"%.100s\" is %.60s, "
	    "expected %s %.60s.", ptr, got ? got : "?", jc_op_names[op],
	    exp ? exp : "?");
	free(got);
	free(exp);
	return JC_MISMATCH;
}
