/*
 * JSON bodies: parsing, field lists and typed getters with ranges and
 * limits.  Every problem is collected into a struct verrs so that one 400
 * names every bad field at once.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base.h"
#include "json.h"
#include "timefmt.h"

void
verr_add(struct verrs *v, enum verr_kind kind, const char *pointer,
    const char *fmt, ...)
{
	va_list	 ap;
	size_t	 i;

	for (i = 0; i < v->n; i++)	/* one error a field is enough */
		if (strcmp(v->e[i].pointer, pointer) == 0)
			return;
	if (v->n == VERR_MAX) {
		v->dropped++;
		return;
	}
	v->e[v->n].kind = kind;
	snprintf(v->e[v->n].pointer, sizeof(v->e[v->n].pointer), "%s",
	    pointer);
	va_start(ap, fmt);
	vsnprintf(v->e[v->n].detail, sizeof(v->e[v->n].detail), fmt, ap);
	va_end(ap);
	v->n++;
}

long
utf8_chars(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	long			 n = 0;
	unsigned		 c, need, cp, min;

	while ((c = *p++) != 0) {
		if (c < 0x80)
			need = 0, cp = c, min = 0;
		else if ((c & 0xe0) == 0xc0)
			need = 1, cp = c & 0x1f, min = 0x80;
		else if ((c & 0xf0) == 0xe0)
			need = 2, cp = c & 0x0f, min = 0x800;
		else if ((c & 0xf8) == 0xf0)
			need = 3, cp = c & 0x07, min = 0x10000;
		else
			return -1;
		for (; need > 0; need--, p++) {
			if ((*p & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (*p & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		n++;
	}
	return n;
}

int
str_index(const char *const *names, int n, const char *s)
{
	int	 i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

/* A JSON pointer for a member name (escaping ~ and /), truncated. */
static void
pointer_for(const char *name, char *out, size_t outlen)
{
	size_t	 o = 0;

	if (outlen < 3)
		return;
	out[o++] = '/';
	for (; *name != '\0' && o + 3 < outlen; name++) {
		if (*name == '~' || *name == '/') {
			out[o++] = '~';
			out[o++] = *name == '~' ? '0' : '1';
		} else if ((unsigned char)*name < 0x20)
			out[o++] = '?';
		else
			out[o++] = *name;
	}
	out[o] = '\0';
}

void
json_check_fields(const cJSON *obj, const struct jfield *fields,
    struct verrs *v)
{
	const cJSON		*m;
	const struct jfield	*f;
	char			 ptr[128];

	cJSON_ArrayForEach(m, obj) {
		for (f = fields; f->name != NULL; f++)
			if (strcmp(f->name, m->string) == 0)
				break;
		pointer_for(m->string, ptr, sizeof(ptr));
		if (f->name == NULL)
			verr_add(v, VERR_UNKNOWN, ptr, "unknown field");
		else if (f->readonly)
			verr_add(v, VERR_READONLY, ptr,
			    "read-only field; leave it out");
	}
}

/*
 * The member, or NULL when absent.  cJSON keeps duplicate members; the
 * first one counts, as with most parsers that do not refuse them.
 */
static const cJSON *
member(const cJSON *obj, const char *name, int flags, struct verrs *v,
    int *isnull, int *rc)
{
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(obj, name);
	char		 ptr[128];

	if (isnull != NULL)
		*isnull = 0;
	*rc = 0;
	if (m != NULL && cJSON_IsNull(m) && (flags & JNULL)) {
		if (isnull != NULL)
			*isnull = 1;
		return NULL;
	}
	if (m == NULL && (flags & JREQ)) {
		pointer_for(name, ptr, sizeof(ptr));
		verr_add(v, VERR_INVALID, ptr, "required");
		*rc = -1;
	}
	return m;
}

static int
bad(struct verrs *v, const char *name, const char *detail)
{
	char	 ptr[128];

	pointer_for(name, ptr, sizeof(ptr));
	verr_add(v, VERR_INVALID, ptr, "%s", detail);
	return -1;
}

int
json_str(const cJSON *obj, const char *name, size_t minchars,
    size_t maxchars, int flags, struct verrs *v, const char **out,
    int *isnull)
{
	const cJSON	*m;
	long		 n;
	int		 rc;
	char		 msg[96];

	if ((m = member(obj, name, flags, v, isnull, &rc)) == NULL)
		return rc;
	if (!cJSON_IsString(m))
		return bad(v, name, "must be a string");
	if ((n = utf8_chars(m->valuestring)) == -1)
		return bad(v, name, "must be valid UTF-8");
	if ((size_t)n < minchars || (size_t)n > maxchars) {
		snprintf(msg, sizeof(msg), "must be %zu to %zu characters",
		    minchars, maxchars);
		return bad(v, name, msg);
	}
	*out = m->valuestring;
	return 1;
}

int
json_int(const cJSON *obj, const char *name, long long min, long long max,
    int flags, struct verrs *v, long long *out, int *isnull)
{
	const cJSON	*m;
	double		 d;
	int		 rc;
	char		 msg[96];

	if ((m = member(obj, name, flags, v, isnull, &rc)) == NULL)
		return rc;
	snprintf(msg, sizeof(msg), "must be a whole number from %lld to %lld",
	    min, max);
	if (!cJSON_IsNumber(m))
		return bad(v, name, msg);
	d = m->valuedouble;
	/* 2^63 and beyond would not convert: refuse before the cast. */
	if (d != d || d < (double)min || d > (double)max ||
	    d >= 0x1p63 || d < -0x1p63 || d != (double)(long long)d)
		return bad(v, name, msg);
	*out = (long long)d;
	return 1;
}

int
json_bool(const cJSON *obj, const char *name, int flags, struct verrs *v,
    int *out)
{
	const cJSON	*m;
	int		 rc;

	if ((m = member(obj, name, flags & ~JNULL, v, NULL, &rc)) == NULL)
		return rc;
	if (!cJSON_IsBool(m))
		return bad(v, name, "must be true or false");
	*out = cJSON_IsTrue(m);
	return 1;
}

int
json_time(const cJSON *obj, const char *name, int flags, struct verrs *v,
    int64_t *out, int *isnull)
{
	const cJSON	*m;
	int		 rc;

	if ((m = member(obj, name, flags, v, isnull, &rc)) == NULL)
		return rc;
	if (!cJSON_IsString(m) || time_parse(m->valuestring, out) == -1)
		return bad(v, name, "must be an RFC 3339 time such as "
		    "2026-02-14T12:00:00.000Z");
	return 1;
}

void
json_add_str(cJSON *o, const char *name, const char *value)
{
	if (value == NULL || *value == '\0')
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddStringToObject(o, name, value);
}

void
json_add_time(cJSON *o, const char *name, int64_t ms)
{
	char	 t[TIME_MAX];

	if (ms == 0)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddStringToObject(o, name, time_format(ms, t));
}

/* Does the Content-Type name JSON (application/json, any parameters)? */
int
json_is_type(const char *ct)
{
	size_t	 n = strlen("application/json");

	if (ct == NULL)
		return 0;
	while (*ct == ' ')
		ct++;
	return strncasecmp(ct, "application/json", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/*
 * Does the JSON text escape a NUL ("\u0000") inside a string?  cJSON
 * would cut the string there, so such bodies are refused.  Returns 1 and
 * a pointer to the top-level member holding it, or 0.
 */
int
json_nul_escape(const char *p, size_t n, char *ptr, size_t ptrlen)
{
	const char	*str = NULL, *key = NULL;
	size_t		 i, j, keylen = 0;
	int		 depth = 0, found = 0;

	for (i = 0; i < n; i++) {
		if (str == NULL) {
			if (p[i] == '{' || p[i] == '[')
				depth++;
			else if (p[i] == '}' || p[i] == ']')
				depth--;
			else if (p[i] == '"')
				str = p + i + 1;
			continue;
		}
		if (p[i] == '\\' && i + 1 < n) {
			if (p[i + 1] == 'u' && i + 5 < n &&
			    strncmp(p + i + 2, "0000", 4) == 0)
				found = 1;
			i++;
			continue;
		}
		if (p[i] != '"')
			continue;
		/* A string at depth 1 followed by ':' names a member. */
		for (j = i + 1; j < n && strchr(" \t\r\n", p[j]); j++)
			continue;
		if (depth == 1 && j < n && p[j] == ':' && !found) {
			key = str;
			keylen = (size_t)(p + i - str);
		}
		if (found)
			break;
		str = NULL;
	}
	if (!found)
		return 0;
	/* In a member's name, the pointer is "" (the whole body). */
	if (key != NULL)
		snprintf(ptr, ptrlen, "/%.*s", (int)keylen, key);
	else
		snprintf(ptr, ptrlen, "%s", "");
	return 1;
}
