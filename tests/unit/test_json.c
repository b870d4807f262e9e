/*
 * Unit tests of lib/json.c: field lists, the typed getters with their
 * ranges, UTF-8 counting, the error collector and req_json.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uptime.h"
#include "unit.h"

/* Parse a test body; aborts the test binary if the fixture is wrong. */
static cJSON *
obj(const char *text)
{
	cJSON	*o = cJSON_Parse(text);

	if (o == NULL) {
		fprintf(stderr, "bad fixture: %s\n", text);
		exit(2);
	}
	return o;
}

static void
verrs_init(struct verrs *v)
{
	memset(v, 0, sizeof(*v));
}

/* The index of pointer in v, or -1. */
static int
find_ptr(const struct verrs *v, const char *pointer)
{
	size_t	 i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->e[i].pointer, pointer) == 0)
			return (int)i;
	return -1;
}

static void
test_check_fields(void)
{
	static const struct jfield fields[] = {
		{ "name", 0 },
		{ "url", 0 },
		{ "id", 1 },
		{ "createdAt", 1 },
		{ NULL, 0 }
	};
	struct verrs	 v;
	cJSON		*o;
	int		 i;

	/* Only known writable fields: nothing to say. */
	verrs_init(&v);
	o = obj("{\"name\":\"a\",\"url\":\"b\"}");
	json_check_fields(o, fields, &v);
	CHECK_INT(v.n, 0);
	cJSON_Delete(o);

	/* An empty object is fine too. */
	verrs_init(&v);
	o = obj("{}");
	json_check_fields(o, fields, &v);
	CHECK_INT(v.n, 0);
	cJSON_Delete(o);

	verrs_init(&v);
	o = obj("{\"name\":\"a\",\"bogus\":1,\"id\":\"x\",\"createdAt\":null,"
	    "\"Name\":2,\"a~b\":3,\"c/d\":4,\"~/\":5}");
	json_check_fields(o, fields, &v);
	CHECK_INT(v.n, 7);
	CHECK_INT(v.dropped, 0);
	CHECK((i = find_ptr(&v, "/bogus")) >= 0);
	if (i >= 0)
		CHECK_INT(v.e[i].kind, VERR_UNKNOWN);
	CHECK((i = find_ptr(&v, "/id")) >= 0);
	if (i >= 0)
		CHECK_INT(v.e[i].kind, VERR_READONLY);
	CHECK((i = find_ptr(&v, "/createdAt")) >= 0);
	if (i >= 0)
		CHECK_INT(v.e[i].kind, VERR_READONLY);
	/* Names are case-sensitive. */
	CHECK((i = find_ptr(&v, "/Name")) >= 0);
	if (i >= 0)
		CHECK_INT(v.e[i].kind, VERR_UNKNOWN);
	/* RFC 6901: "~" is written "~0" and "/" is "~1". */
	CHECK(find_ptr(&v, "/a~0b") >= 0);
	CHECK(find_ptr(&v, "/c~1d") >= 0);
	CHECK(find_ptr(&v, "/~0~1") >= 0);
	CHECK(find_ptr(&v, "/name") == -1);
	CHECK(find_ptr(&v, "/a~b") == -1);
	cJSON_Delete(o);

	/* A control character in a name is not copied into the pointer. */
	verrs_init(&v);
	o = obj("{\"a\\u0001b\":1}");
	json_check_fields(o, fields, &v);
	CHECK_INT(v.n, 1);
	CHECK(v.n == 1 && strchr(v.e[0].pointer, '\001') == NULL);
	cJSON_Delete(o);

	/* A very long name gives a truncated, terminated pointer. */
	{
		char	 text[600];

		verrs_init(&v);
		snprintf(text, sizeof(text), "{\"%0400d\":1}", 7);
		o = obj(text);
		json_check_fields(o, fields, &v);
		CHECK_INT(v.n, 1);
		CHECK(v.n == 1 && strlen(v.e[0].pointer) < 128);
		CHECK(v.n == 1 && v.e[0].pointer[0] == '/');
		cJSON_Delete(o);
	}
}

static void
test_str(void)
{
	struct verrs	 v;
	cJSON		*o;
	const char	*s;
	int		 isnull;

	o = obj("{\"a\":\"abc\",\"e\":\"\",\"u\":\"\xc3\xa9\xc3\xa9\xc3\xa9\","
	    "\"j\":\"\xe6\x97\xa5\xe6\x9c\xac\",\"smile\":\"\xf0\x9f\x98\x80\","
	    "\"n\":5,\"t\":true,\"arr\":[\"x\"],\"o\":{},\"z\":null}");

	verrs_init(&v);
	s = NULL;
	CHECK_INT(json_str(o, "a", 1, 3, 0, &v, &s, NULL), 1);
	CHECK_STR(s, "abc");
	CHECK_INT(v.n, 0);

	/* Limits count characters, not bytes: "ééé" is 3 (6 bytes). */
	s = NULL;
	CHECK_INT(json_str(o, "u", 3, 3, 0, &v, &s, NULL), 1);
	CHECK_STR(s, "\xc3\xa9\xc3\xa9\xc3\xa9");
	CHECK_INT(json_str(o, "j", 2, 2, 0, &v, &s, NULL), 1);
	CHECK_INT(json_str(o, "smile", 1, 1, 0, &v, &s, NULL), 1);
	CHECK_INT(v.n, 0);

	/* One past the limits either side. */
	verrs_init(&v);
	CHECK_INT(json_str(o, "u", 1, 2, 0, &v, &s, NULL), -1);
	CHECK_INT(v.n, 1);
	CHECK_STR(v.e[0].pointer, "/u");
	CHECK(strstr(v.e[0].detail, "1 to 2 characters") != NULL);
	verrs_init(&v);
	CHECK_INT(json_str(o, "u", 4, 10, 0, &v, &s, NULL), -1);
	CHECK_INT(json_str(o, "a", 4, 10, 0, &v, &s, NULL), -1);
	CHECK_INT(json_str(o, "e", 1, 10, 0, &v, &s, NULL), -1);
	CHECK_INT(v.n, 3);
	/* Empty is fine when the minimum is 0. */
	verrs_init(&v);
	CHECK_INT(json_str(o, "e", 0, 10, 0, &v, &s, NULL), 1);
	CHECK_STR(s, "");
	CHECK_INT(v.n, 0);

	/* Wrong types. */
	verrs_init(&v);
	CHECK_INT(json_str(o, "n", 0, 10, 0, &v, &s, NULL), -1);
	CHECK_INT(json_str(o, "t", 0, 10, 0, &v, &s, NULL), -1);
	CHECK_INT(json_str(o, "arr", 0, 10, 0, &v, &s, NULL), -1);
	CHECK_INT(json_str(o, "o", 0, 10, 0, &v, &s, NULL), -1);
	CHECK_INT(v.n, 4);
	CHECK(strstr(v.e[0].detail, "string") != NULL);

	/* Absent: 0 when optional, -1 and "required" when required. */
	verrs_init(&v);
	s = "untouched";
	CHECK_INT(json_str(o, "missing", 0, 10, 0, &v, &s, NULL), 0);
	CHECK_STR(s, "untouched");
	CHECK_INT(v.n, 0);
	CHECK_INT(json_str(o, "missing", 0, 10, JREQ, &v, &s, NULL), -1);
	CHECK_INT(v.n, 1);
	CHECK_STR(v.e[0].pointer, "/missing");
	CHECK_STR(v.e[0].detail, "required");

	/* null: allowed with JNULL (isnull set), else a type error. */
	verrs_init(&v);
	isnull = 7;
	CHECK_INT(json_str(o, "z", 0, 10, JNULL, &v, &s, &isnull), 0);
	CHECK_INT(isnull, 1);
	CHECK_INT(v.n, 0);
	isnull = 7;
	CHECK_INT(json_str(o, "a", 0, 10, JNULL, &v, &s, &isnull), 1);
	CHECK_INT(isnull, 0);
	CHECK_INT(json_str(o, "z", 0, 10, JNULL | JREQ, &v, &s, &isnull), 0);
	CHECK_INT(isnull, 1);
	CHECK_INT(v.n, 0);
	CHECK_INT(json_str(o, "z", 0, 10, 0, &v, &s, &isnull), -1);
	CHECK_INT(json_str(o, "z", 0, 10, JREQ, &v, &s, NULL), -1);
	CHECK_INT(v.n, 1);	/* one error for the one field */
	cJSON_Delete(o);

	/* Invalid UTF-8 reaches valuestring as is and is refused. */
	{
		static const char *const badutf[] = {
			"{\"s\":\"\xff\"}",
			"{\"s\":\"a\xc3\"}",
			"{\"s\":\"\xc0\xaf\"}",
			"{\"s\":\"\xed\xa0\x80\"}",
			"{\"s\":\"\xf4\x90\x80\x80\"}",
		};
		size_t	 i;

		for (i = 0; i < sizeof(badutf) / sizeof(badutf[0]); i++) {
			verrs_init(&v);
			o = obj(badutf[i]);
			CHECK_INT(json_str(o, "s", 0, 100, 0, &v, &s, NULL), -1);
			CHECK_INT(v.n, 1);
			CHECK(v.n == 1 && strstr(v.e[0].detail, "UTF-8"));
			cJSON_Delete(o);
		}
	}
}

static void
test_int(void)
{
	struct verrs	 v;
	cJSON		*o;
	long long	 n;
	int		 isnull;

	o = obj("{\"a\":30,\"lo\":29,\"hi\":86401,\"max\":86400,\"neg\":-5,"
	    "\"frac\":1.5,\"tiny\":30.000001,\"exp\":3e2,\"big\":1e300,"
	    "\"nbig\":-1e300,\"s\":\"30\",\"t\":true,\"z\":null,\"arr\":[30],"
	    "\"zero\":0,\"negzero\":-0,\"e19\":1e19,\"i64\":9007199254740992}");

	verrs_init(&v);
	n = -1;
	CHECK_INT(json_int(o, "a", 30, 86400, 0, &v, &n, NULL), 1);
	CHECK_INT(n, 30);
	CHECK_INT(json_int(o, "max", 30, 86400, 0, &v, &n, NULL), 1);
	CHECK_INT(n, 86400);
	CHECK_INT(json_int(o, "neg", -10, 10, 0, &v, &n, NULL), 1);
	CHECK_INT(n, -5);
	/* 3e2 is the whole number 300. */
	CHECK_INT(json_int(o, "exp", 0, 1000, 0, &v, &n, NULL), 1);
	CHECK_INT(n, 300);
	CHECK_INT(json_int(o, "zero", 0, 0, 0, &v, &n, NULL), 1);
	CHECK_INT(n, 0);
	CHECK_INT(json_int(o, "negzero", 0, 5, 0, &v, &n, NULL), 1);
	CHECK_INT(n, 0);
	CHECK_INT(json_int(o, "i64", 0, LLONG_MAX, 0, &v, &n, NULL), 1);
	CHECK_INT(n, 9007199254740992LL);
	CHECK_INT(v.n, 0);

	/* Out of range, by one. */
	verrs_init(&v);
	n = 12345;
	CHECK_INT(json_int(o, "lo", 30, 86400, 0, &v, &n, NULL), -1);
	CHECK_INT(json_int(o, "hi", 30, 86400, 0, &v, &n, NULL), -1);
	CHECK_INT(json_int(o, "neg", 0, 10, 0, &v, &n, NULL), -1);
	CHECK_INT(n, 12345);
	CHECK_INT(v.n, 3);
	CHECK_STR(v.e[0].pointer, "/lo");
	CHECK(strstr(v.e[0].detail, "30 to 86400") != NULL);

	/* Not whole numbers, huge numbers, other types. */
	verrs_init(&v);
	CHECK_INT(json_int(o, "frac", 0, 10, 0, &v, &n, NULL), -1);
	CHECK_INT(json_int(o, "tiny", 0, 100, 0, &v, &n, NULL), -1);
	CHECK_INT(json_int(o, "big", LLONG_MIN, LLONG_MAX, 0, &v, &n, NULL), -1);
	CHECK_INT(json_int(o, "nbig", LLONG_MIN, LLONG_MAX, 0, &v, &n, NULL),
	    -1);
	CHECK_INT(json_int(o, "e19", LLONG_MIN, LLONG_MAX, 0, &v, &n, NULL), -1);
	CHECK_INT(json_int(o, "s", 0, 100, 0, &v, &n, NULL), -1);
	CHECK_INT(json_int(o, "t", 0, 100, 0, &v, &n, NULL), -1);
	CHECK_INT(json_int(o, "arr", 0, 100, 0, &v, &n, NULL), -1);
	CHECK_INT(v.n, 8);

	/* Absent, required, null. */
	verrs_init(&v);
	CHECK_INT(json_int(o, "nope", 0, 1, 0, &v, &n, NULL), 0);
	CHECK_INT(json_int(o, "nope", 0, 1, JREQ, &v, &n, NULL), -1);
	isnull = 0;
	CHECK_INT(json_int(o, "z", 0, 1, JNULL, &v, &n, &isnull), 0);
	CHECK_INT(isnull, 1);
	CHECK_INT(json_int(o, "z", 0, 1, 0, &v, &n, NULL), -1);
	CHECK_INT(v.n, 2);
	cJSON_Delete(o);
}

/*
 * The full long long range: 9223372036854775807 is read as the double
 * 2^63, which is not a long long.  json_int must refuse it (or clamp it)
 * without converting an out-of-range double, which is undefined
 * behaviour (clang's -fsanitize=undefined traps it; gcc's does not check
 * float-cast-overflow).  Run in a child so a sanitizer abort is a
 * failure here, not the end of the test program.
 */
static void
test_int_full_range_no_ub(void)
{
	pid_t	 pid;
	int	 status = -1;

	fflush(NULL);
	if ((pid = fork()) == -1) {
		CHECK(0);
		return;
	}
	if (pid == 0) {
		struct verrs	 v;
		cJSON		*o;
		long long	 n = 0;
		int		 rc, ok;

		verrs_init(&v);
		o = cJSON_Parse("{\"n\":9223372036854775807,"
		    "\"m\":-9223372036854775808}");
		rc = json_int(o, "n", LLONG_MIN, LLONG_MAX, 0, &v, &n, NULL);
		ok = rc == -1 || (rc == 1 && n == LLONG_MAX);
		rc = json_int(o, "m", LLONG_MIN, LLONG_MAX, 0, &v, &n, NULL);
		ok = ok && rc == 1 && n == LLONG_MIN;
		cJSON_Delete(o);
		_exit(ok ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void
test_bool(void)
{
	struct verrs	 v;
	cJSON		*o;
	int		 b;

	o = obj("{\"t\":true,\"f\":false,\"one\":1,\"s\":\"true\",\"z\":null}");
	verrs_init(&v);
	b = -1;
	CHECK_INT(json_bool(o, "t", 0, &v, &b), 1);
	CHECK_INT(b, 1);
	CHECK_INT(json_bool(o, "f", JREQ, &v, &b), 1);
	CHECK_INT(b, 0);
	CHECK_INT(v.n, 0);

	b = 5;
	CHECK_INT(json_bool(o, "one", 0, &v, &b), -1);
	CHECK_INT(json_bool(o, "s", 0, &v, &b), -1);
	CHECK_INT(b, 5);
	/* A bool is never nullable, even when asked. */
	CHECK_INT(json_bool(o, "z", JNULL, &v, &b), -1);
	CHECK_INT(v.n, 3);
	CHECK(strstr(v.e[0].detail, "true or false") != NULL);

	verrs_init(&v);
	CHECK_INT(json_bool(o, "nope", 0, &v, &b), 0);
	CHECK_INT(v.n, 0);
	CHECK_INT(json_bool(o, "nope", JREQ, &v, &b), -1);
	CHECK_INT(v.n, 1);
	cJSON_Delete(o);
}

static void
test_time(void)
{
	struct verrs	 v;
	cJSON		*o;
	int64_t		 t;
	int		 isnull;

	o = obj("{\"a\":\"2026-02-14T14:00:00+02:00\",\"b\":\"2026-02-14\","
	    "\"n\":1771070400000,\"z\":null,\"c\":\"2026-02-14T12:00:00.000Z\"}");
	verrs_init(&v);
	t = 0;
	CHECK_INT(json_time(o, "a", 0, &v, &t, NULL), 1);
	CHECK_INT(t, 1771070400000);
	CHECK_INT(json_time(o, "c", JREQ, &v, &t, NULL), 1);
	CHECK_INT(t, 1771070400000);
	CHECK_INT(v.n, 0);

	CHECK_INT(json_time(o, "b", 0, &v, &t, NULL), -1);
	CHECK_INT(json_time(o, "n", 0, &v, &t, NULL), -1);
	CHECK_INT(v.n, 2);
	CHECK_STR(v.e[0].pointer, "/b");
	CHECK(strstr(v.e[0].detail, "RFC 3339") != NULL);

	verrs_init(&v);
	isnull = 0;
	CHECK_INT(json_time(o, "z", JNULL, &v, &t, &isnull), 0);
	CHECK_INT(isnull, 1);
	CHECK_INT(json_time(o, "z", 0, &v, &t, NULL), -1);
	CHECK_INT(json_time(o, "nope", 0, &v, &t, NULL), 0);
	CHECK_INT(json_time(o, "nope", JREQ, &v, &t, NULL), -1);
	CHECK_INT(v.n, 2);
	cJSON_Delete(o);
}

static void
test_utf8_chars(void)
{
	CHECK_INT(utf8_chars(""), 0);
	CHECK_INT(utf8_chars("abc"), 3);
	CHECK_INT(utf8_chars("\x7f"), 1);
	CHECK_INT(utf8_chars("\xc2\x80"), 1);		/* U+0080 */
	CHECK_INT(utf8_chars("\xc3\xa9t\xc3\xa9"), 3);	/* "été" */
	CHECK_INT(utf8_chars("\xdf\xbf"), 1);		/* U+07FF */
	CHECK_INT(utf8_chars("\xe0\xa0\x80"), 1);	/* U+0800 */
	CHECK_INT(utf8_chars("\xe2\x82\xac"), 1);	/* euro sign */
	CHECK_INT(utf8_chars("\xed\x9f\xbf"), 1);	/* U+D7FF */
	CHECK_INT(utf8_chars("\xee\x80\x80"), 1);	/* U+E000 */
	CHECK_INT(utf8_chars("\xef\xbf\xbf"), 1);	/* U+FFFF */
	CHECK_INT(utf8_chars("\xf0\x90\x80\x80"), 1);	/* U+10000 */
	CHECK_INT(utf8_chars("\xf0\x9f\x98\x80!"), 2);	/* emoji + ! */
	CHECK_INT(utf8_chars("\xf4\x8f\xbf\xbf"), 1);	/* U+10FFFF */

	/* Overlong encodings. */
	CHECK_INT(utf8_chars("\xc0\x80"), -1);
	CHECK_INT(utf8_chars("\xc0\xaf"), -1);
	CHECK_INT(utf8_chars("\xc1\xbf"), -1);
	CHECK_INT(utf8_chars("\xe0\x80\x80"), -1);
	CHECK_INT(utf8_chars("\xe0\x9f\xbf"), -1);
	CHECK_INT(utf8_chars("\xf0\x80\x80\x80"), -1);
	CHECK_INT(utf8_chars("\xf0\x8f\xbf\xbf"), -1);
	/* UTF-16 surrogates. */
	CHECK_INT(utf8_chars("\xed\xa0\x80"), -1);	/* U+D800 */
	CHECK_INT(utf8_chars("\xed\xbf\xbf"), -1);	/* U+DFFF */
	CHECK_INT(utf8_chars("\xed\xa0\xbd\xed\xb8\x80"), -1);
	/* Past U+10FFFF, and bytes that never occur. */
	CHECK_INT(utf8_chars("\xf4\x90\x80\x80"), -1);
	CHECK_INT(utf8_chars("\xf5\x80\x80\x80"), -1);
	CHECK_INT(utf8_chars("\xf7\xbf\xbf\xbf"), -1);
	CHECK_INT(utf8_chars("\xf8\x88\x80\x80\x80"), -1);
	CHECK_INT(utf8_chars("\xfc\x84\x80\x80\x80\x80"), -1);
	CHECK_INT(utf8_chars("\xfe"), -1);
	CHECK_INT(utf8_chars("\xff"), -1);
	/* Lone continuation bytes and truncated sequences. */
	CHECK_INT(utf8_chars("\x80"), -1);
	CHECK_INT(utf8_chars("a\xbf"), -1);
	CHECK_INT(utf8_chars("\xc3"), -1);
	CHECK_INT(utf8_chars("\xe2\x82"), -1);
	CHECK_INT(utf8_chars("\xf0\x9f\x98"), -1);
	CHECK_INT(utf8_chars("\xe2\x82x"), -1);
	CHECK_INT(utf8_chars("\xc3\xa9\xc3"), -1);
}

static void
test_verr_add(void)
{
	struct verrs	 v;
	char		 p[32];
	int		 i;

	verrs_init(&v);
	verr_add(&v, VERR_INVALID, "/name", "first %d", 1);
	verr_add(&v, VERR_UNKNOWN, "/name", "second %d", 2);
	CHECK_INT(v.n, 1);
	CHECK_STR(v.e[0].detail, "first 1");
	CHECK_INT(v.e[0].kind, VERR_INVALID);
	verr_add(&v, VERR_READONLY, "/id", "ro");
	CHECK_INT(v.n, 2);
	CHECK_STR(v.e[1].pointer, "/id");
	CHECK_INT(v.e[1].kind, VERR_READONLY);

	/* Up to VERR_MAX, then counted as dropped. */
	verrs_init(&v);
	for (i = 0; i < VERR_MAX + 5; i++) {
		snprintf(p, sizeof(p), "/f%d", i);
		verr_add(&v, VERR_INVALID, p, "bad %d", i);
	}
	CHECK_INT(v.n, VERR_MAX);
	CHECK_INT(v.dropped, 5);
	CHECK_STR(v.e[VERR_MAX - 1].pointer, "/f31");
	CHECK_STR(v.e[VERR_MAX - 1].detail, "bad 31");
	/* A repeat of a kept pointer is still one error, not a drop. */
	verr_add(&v, VERR_INVALID, "/f0", "again");
	CHECK_INT(v.n, VERR_MAX);
	CHECK_INT(v.dropped, 5);

	/* Long details and pointers are cut, and stay terminated. */
	{
		char	 big[400];

		verrs_init(&v);
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		big[0] = '/';
		verr_add(&v, VERR_INVALID, big, "%s", big);
		CHECK_INT(v.n, 1);
		CHECK_INT(strlen(v.e[0].pointer), sizeof(v.e[0].pointer) - 1);
		CHECK_INT(strlen(v.e[0].detail), sizeof(v.e[0].detail) - 1);
	}
}

static void
test_add_str_time(void)
{
	cJSON	*o = cJSON_CreateObject();
	char	*s;

	json_add_str(o, "a", "x");
	json_add_str(o, "b", "");
	json_add_str(o, "c", NULL);
	json_add_time(o, "t", 1771070400000);
	json_add_time(o, "u", 0);
	s = cJSON_PrintUnformatted(o);
	CHECK_STR(s, "{\"a\":\"x\",\"b\":null,\"c\":null,"
	    "\"t\":\"2026-02-14T12:00:00.000Z\",\"u\":null}");
	free(s);
	cJSON_Delete(o);
}

/* ---- req_json ---- */

static void
req_with_body(struct req *r, const char *body, size_t len)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->request_id, sizeof(r->request_id), "req_json_test");
	r->status = 500;
	r->method = "POST";
	if ((r->body = malloc(len + 1)) == NULL)
		exit(2);
	memcpy(r->body, body, len);
	r->body[len] = '\0';
	r->bodylen = len;
}

static void
req_free(struct req *r)
{
	free(r->body);
	buf_free(&r->out);
	buf_free(&r->headers);
}

/* The problem's code from r->out, checking its shape. */
static void
check_problem(const struct req *r, int status, const char *code, int line)
{
	cJSON		*p;
	const cJSON	*c, *s, *t;
	char		 type[96];

	if (r->status != status) {
		fprintf(stderr, "%s:%d: status %d, want %d\n", __FILE__, line,
		    r->status, status);
		unit_current_failed = 1;
	}
	if (r->ctype == NULL ||
	    strcmp(r->ctype, "application/problem+json") != 0) {
		fprintf(stderr, "%s:%d: content type %s\n", __FILE__, line,
		    r->ctype ? r->ctype : "(null)");
		unit_current_failed = 1;
	}
	if (r->out.p == NULL || (p = cJSON_Parse(r->out.p)) == NULL) {
		fprintf(stderr, "%s:%d: body is not JSON\n", __FILE__, line);
		unit_current_failed = 1;
		return;
	}
	c = cJSON_GetObjectItemCaseSensitive(p, "code");
	s = cJSON_GetObjectItemCaseSensitive(p, "status");
	t = cJSON_GetObjectItemCaseSensitive(p, "type");
	snprintf(type, sizeof(type), "/problems/%s", code);
	if (!cJSON_IsString(c) || strcmp(c->valuestring, code) != 0 ||
	    !cJSON_IsNumber(s) || s->valueint != status ||
	    !cJSON_IsString(t) || strcmp(t->valuestring, type) != 0) {
		fprintf(stderr, "%s:%d: problem %s, want %s %d\n", __FILE__,
		    line, r->out.p, code, status);
		unit_current_failed = 1;
	}
	c = cJSON_GetObjectItemCaseSensitive(p, "requestId");
	if (!cJSON_IsString(c) || strcmp(c->valuestring, "req_json_test")) {
		fprintf(stderr, "%s:%d: no requestId\n", __FILE__, line);
		unit_current_failed = 1;
	}
	cJSON_Delete(p);
}

#define PROBLEM(r, st, code)	check_problem((r), (st), (code), __LINE__)

/* req_json on body must fail with status and code. */
static void
check_refused(const char *ctype, const char *body, size_t len, int status,
    const char *code, int line)
{
	struct req	 r;
	cJSON		*o;

	if (ctype != NULL)
		setenv("CONTENT_TYPE", ctype, 1);
	else
		unsetenv("CONTENT_TYPE");
	req_with_body(&r, body, len);
	if ((o = req_json(&r)) != NULL) {
		fprintf(stderr, "%s:%d: req_json accepted the body\n",
		    __FILE__, line);
		unit_current_failed = 1;
		cJSON_Delete(o);
	}
	check_problem(&r, status, code, line);
	req_free(&r);
}

#define REFUSED(ct, b, st, code) \
	check_refused((ct), (b), strlen(b), (st), (code), __LINE__)

static void
test_req_json_accepts(void)
{
	static const char *const types[] = {
		"application/json",
		"application/json; charset=utf-8",
		"application/json;charset=UTF-8",
		"Application/JSON",
		"  application/json",
	};
	struct req	 r;
	cJSON		*o;
	const char	*body = " {\"name\":\"x\",\"n\":[1,2]} \r\n\t";
	size_t		 i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		setenv("CONTENT_TYPE", types[i], 1);
		req_with_body(&r, body, strlen(body));
		o = req_json(&r);
		CHECK(o != NULL);
		CHECK(cJSON_IsObject(o));
		CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "name")),
		    "x");
		CHECK_INT(r.answered, 0);
		CHECK(r.out.len == 0);
		cJSON_Delete(o);
		req_free(&r);
	}
	/* An escaped backslash followed by "u0000" is not a NUL. */
	{
		static const char text[] = "{\"a\":\"x\\\\u0000y\"}";

		setenv("CONTENT_TYPE", "application/json", 1);
		req_with_body(&r, text, strlen(text));
		o = req_json(&r);
		CHECK(o != NULL);
		CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "a")),
		    "x\\u0000y");
		cJSON_Delete(o);
		req_free(&r);
	}
	unsetenv("CONTENT_TYPE");
}

static void
test_req_json_negative(void)
{
	static const char nul[] = "{\"a\":\"x\0y\"}";

	/* Empty body. */
	REFUSED("application/json", "", 400, "malformed_json");
	/* Malformed JSON. */
	REFUSED("application/json", "{\"a\":", 400, "malformed_json");
	REFUSED("application/json", "{a:1}", 400, "malformed_json");
	REFUSED("application/json", "{'a':1}", 400, "malformed_json");
	REFUSED("application/json", "{\"a\":1,}", 400, "malformed_json");
	REFUSED("application/json", "   ", 400, "malformed_json");
	/* Trailing garbage after a valid object. */
	REFUSED("application/json", "{} x", 400, "malformed_json");
	REFUSED("application/json", "{}{}", 400, "malformed_json");
	REFUSED("application/json", "{\"a\":1}]", 400, "malformed_json");
	/* Valid JSON that is not an object. */
	REFUSED("application/json", "[1,2]", 400, "malformed_json");
	REFUSED("application/json", "[]", 400, "malformed_json");
	REFUSED("application/json", "\"text\"", 400, "malformed_json");
	REFUSED("application/json", "42", 400, "malformed_json");
	REFUSED("application/json", "null", 400, "malformed_json");
	REFUSED("application/json", "true", 400, "malformed_json");
	/* A NUL byte, inside a string and after the object. */
	check_refused("application/json", nul, sizeof(nul) - 1, 400,
	    "malformed_json", __LINE__);
	check_refused("application/json", "{}\0", 3, 400, "malformed_json",
	    __LINE__);
	/* An escaped NUL, which cJSON would cut the string at: the member
	 * holding it is named, or the whole body for a member name. */
	REFUSED("application/json", "{\"a\":\"x\\u0000y\"}", 400,
	    "validation_error");
	REFUSED("application/json", "{\"a\\u0000b\":1}", 400,
	    "validation_error");
	REFUSED("application/json", "{\"a\":[{\"b\":\"\\u0000\"}]}", 400,
	    "validation_error");
	/* Wrong or missing content type. */
	REFUSED("text/plain", "{}", 415, "unsupported_media_type");
	REFUSED("application/x-www-form-urlencoded", "{}", 415,
	    "unsupported_media_type");
	REFUSED("application/jsonx", "{}", 415, "unsupported_media_type");
	REFUSED("application/json-patch+json", "{}", 415,
	    "unsupported_media_type");
	REFUSED("text/json", "{}", 415, "unsupported_media_type");
	REFUSED("", "{}", 415, "unsupported_media_type");
	REFUSED(NULL, "{}", 415, "unsupported_media_type");
	unsetenv("CONTENT_TYPE");
}

/* str_index: an enum value by name; negative: case, prefixes, NULL. */
static void
test_str_index(void)
{
	static const char *const names[] = { "none", "minor", "major" };

	CHECK_INT(str_index(names, 3, "none"), 0);
	CHECK_INT(str_index(names, 3, "major"), 2);
	CHECK_INT(str_index(names, 2, "major"), -1);
	CHECK_INT(str_index(names, 3, "Major"), -1);
	CHECK_INT(str_index(names, 3, "majo"), -1);
	CHECK_INT(str_index(names, 3, "majorr"), -1);
	CHECK_INT(str_index(names, 3, ""), -1);
	CHECK_INT(str_index(names, 3, NULL), -1);
	CHECK_INT(str_index(names, 0, "none"), -1);
}

int
main(void)
{
	UNIT_RUN(test_check_fields);
	UNIT_RUN(test_str);
	UNIT_RUN(test_int);
	UNIT_RUN(test_int_full_range_no_ub);
	UNIT_RUN(test_bool);
	UNIT_RUN(test_time);
	UNIT_RUN(test_utf8_chars);
	UNIT_RUN(test_verr_add);
	UNIT_RUN(test_add_str_time);
	UNIT_RUN(test_req_json_accepts);
	UNIT_RUN(test_req_json_negative);
	UNIT_RUN(test_str_index);
	return unit_finish();
}
