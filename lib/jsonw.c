/*
 * A streaming JSON writer: values appended to a struct buf as they are
 * written, in the bytes cJSON_PrintUnformatted would print.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "timefmt.h"

static void
put(struct jw *w, const char *p, size_t n)
{
	struct buf	*b = w->b;

	/* Most writes fit: no call for them. */
	if (!w->failed && b->len + n < b->cap) {
		memcpy(b->p + b->len, p, n);
		b->len += n;
		b->p[b->len] = '\0';
	} else if (!w->failed && buf_add(b, p, n) == -1)
		w->failed = 1;
}

/* A string literal with its quotes, escaped as cJSON escapes. */
static void
put_string(struct jw *w, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s, *run;
	char			 esc[8];

	put(w, "\"", 1);
	for (run = p; *p != '\0'; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		put(w, (const char *)run, (size_t)(p - run));
		switch (*p) {
		case '"':  put(w, "\\\"", 2); break;
		case '\\': put(w, "\\\\", 2); break;
		case '\b': put(w, "\\b", 2); break;
		case '\f': put(w, "\\f", 2); break;
		case '\n': put(w, "\\n", 2); break;
		case '\r': put(w, "\\r", 2); break;
		case '\t': put(w, "\\t", 2); break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			put(w, esc, 6);
			break;
		}
		run = p + 1;
	}
	put(w, (const char *)run, (size_t)(p - run));
	put(w, "\"", 1);
}

/* "k": in one write when k needs no escape (the names the code writes). */
static void
put_key(struct jw *w, const char *k)
{
	char	 s[64];
	size_t	 n;

	for (n = 0; k[n] != '\0' && n < sizeof(s) - 3; n++)
		if ((unsigned char)k[n] < 0x20 || k[n] == '"' || k[n] == '\\')
			break;
	if (k[n] != '\0') {
		put_string(w, k);
		put(w, ":", 1);
		return;
	}
	s[0] = '"';
	memcpy(s + 1, k, n);
	s[n + 1] = '"';
	s[n + 2] = ':';
	put(w, s, n + 3);
}

/* The comma and the key before a value at the current depth. */
static void
key(struct jw *w, const char *k)
{
	if (w->keyed) {
		w->keyed = 0;
		return;
	}
	if (w->depth > 0) {
		if (w->more[w->depth - 1])
			put(w, ",", 1);
		w->more[w->depth - 1] = 1;
	}
	if (k != NULL)
		put_key(w, k);
}

static void
open_with(struct jw *w, const char *k, const char *brace, char close)
{
	key(w, k);
	put(w, brace, 1);
	if (w->depth == JW_DEPTH) {
		w->failed = 1;
		return;
	}
	w->close[w->depth] = close;
	w->more[w->depth++] = 0;
}

void
jw_start(struct jw *w, struct buf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
}

void
jw_obj(struct jw *w, const char *k)
{
	open_with(w, k, "{", '}');
}

void
jw_arr(struct jw *w, const char *k)
{
	open_with(w, k, "[", ']');
}

void
jw_key(struct jw *w, const char *k)
{
	key(w, k);
	w->keyed = 1;
}

void
jw_raw(struct jw *w, const char *k, const char *json, size_t n)
{
	key(w, k);
	put(w, json, n);
}

void
jw_end(struct jw *w)
{
	if (w->depth == 0) {
		w->failed = 1;
		return;
	}
	w->depth--;
	put(w, &w->close[w->depth], 1);
}

void
jw_str(struct jw *w, const char *k, const char *s)
{
	key(w, k);
	if (s == NULL)
		put(w, "null", 4);
	else
		put_string(w, s);
}

void
jw_str_or_null(struct jw *w, const char *k, const char *s)
{
	jw_str(w, k, s != NULL && *s != '\0' ? s : NULL);
}

void
jw_int(struct jw *w, const char *k, long long n)
{
	char			 s[24], *p = s + sizeof(s);
	unsigned long long	 u = n < 0 ? 0ULL - (unsigned long long)n :
				    (unsigned long long)n;

	key(w, k);
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (n < 0)
		*--p = '-';
	put(w, p, (size_t)(s + sizeof(s) - p));
}

void
jw_bool(struct jw *w, const char *k, int b)
{
	key(w, k);
	put(w, b ? "true" : "false", b ? 4 : 5);
}

void
jw_null(struct jw *w, const char *k)
{
	key(w, k);
	put(w, "null", 4);
}

void
jw_time(struct jw *w, const char *k, int64_t ms)
{
	char	 t[TIME_MAX];

	jw_str(w, k, ms == 0 ? NULL : time_format(ms, t));
}

/* cJSON's test of a printed number: equal within a relative epsilon. */
static int
close_enough(double a, double b)
{
	double	 max = fabs(a) > fabs(b) ? fabs(a) : fabs(b);

	return fabs(a - b) <= max * DBL_EPSILON;
}

/* A number as cJSON's print_number prints it. */
static void
put_number(struct jw *w, const cJSON *n)
{
	char	 s[32];
	double	 d = n->valuedouble, back;
	int	 len;

	if (isnan(d) || isinf(d))
		len = snprintf(s, sizeof(s), "null");
	else if (d == (double)n->valueint)
		len = snprintf(s, sizeof(s), "%d", n->valueint);
	else {
		len = snprintf(s, sizeof(s), "%1.15g", d);
		if (sscanf(s, "%lg", &back) != 1 || !close_enough(back, d))
			len = snprintf(s, sizeof(s), "%1.17g", d);
	}
	put(w, s, (size_t)len);
}

void
jw_cjson(struct jw *w, const char *k, const cJSON *v)
{
	const cJSON	*c;

	if (v == NULL || cJSON_IsNull(v) || cJSON_IsInvalid(v)) {
		jw_null(w, k);
		return;
	}
	if (cJSON_IsBool(v))
		jw_bool(w, k, cJSON_IsTrue(v));
	else if (cJSON_IsNumber(v)) {
		key(w, k);
		put_number(w, v);
	} else if (cJSON_IsString(v))
		jw_str(w, k, v->valuestring);
	else if (cJSON_IsRaw(v)) {
		key(w, k);
		if (v->valuestring != NULL)
			put(w, v->valuestring, strlen(v->valuestring));
	} else if (cJSON_IsArray(v)) {
		jw_arr(w, k);
		cJSON_ArrayForEach(c, v)
			jw_cjson(w, NULL, c);
		jw_end(w);
	} else {
		jw_obj(w, k);
		jw_members(w, v);
		jw_end(w);
	}
}

void
jw_members(struct jw *w, const cJSON *obj)
{
	const cJSON	*c;

	cJSON_ArrayForEach(c, obj)
		jw_cjson(w, c->string, c);
}

int
jw_failed(const struct jw *w)
{
	return w->failed;
}
