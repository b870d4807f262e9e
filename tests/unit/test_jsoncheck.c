/*
 * Unit tests of lib/jsoncheck.c (JSON pointers, json content checks)
 * and of their judgment through check_judge, as a saved monitor has it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uptime.h"
#include "jsoncheck.h"
#include "monitor.h"
#include "unit.h"

#define DOC "{\"status\": \"ok\", \"code\": 200, \"ratio\": 0.25, " \
	"\"up\": true, \"none\": null, \"a/b\": 1, \"m~n\": 2, \"\": 3, " \
	"\"items\": [{\"name\": \"db\"}, {\"name\": \"cache\"}], " \
	"\"tags\": [\"eu\", \"prod\", 7], \"text\": \"all systems go\"}"

/* The text of what p names in DOC, or NULL. */
static char *
get(const char *p)
{
	cJSON		*doc = cJSON_Parse(DOC);
	const cJSON	*v = jsonptr_get(doc, p);
	char		*s = v != NULL ? cJSON_PrintUnformatted(v) : NULL;

	cJSON_Delete(doc);
	return s;
}

static void
check_get(int line, const char *p, const char *want)
{
	char	*got = get(p);

	if (want == NULL ? got != NULL : got == NULL || strcmp(got, want)) {
		fprintf(stderr, "%s:%d: %s gives %s, want %s\n", __FILE__,
		    line, p, got ? got : "nothing", want ? want : "nothing");
		unit_current_failed = 1;
	}
	free(got);
}

static void
test_pointer(void)
{
	check_get(__LINE__, "/status", "\"ok\"");
	check_get(__LINE__, "/code", "200");
	check_get(__LINE__, "/none", "null");
	check_get(__LINE__, "/a~1b", "1");
	check_get(__LINE__, "/m~0n", "2");
	check_get(__LINE__, "/", "3");		/* the member "" */
	check_get(__LINE__, "/items/0/name", "\"db\"");
	check_get(__LINE__, "/items/1/name", "\"cache\"");
	check_get(__LINE__, "/tags/2", "7");
	/* Negative: what names nothing. */
	check_get(__LINE__, "/items/2", NULL);
	check_get(__LINE__, "/items/-", NULL);
	check_get(__LINE__, "/items/01", NULL);
	check_get(__LINE__, "/items/+1", NULL);
	check_get(__LINE__, "/items/name", NULL);
	check_get(__LINE__, "/status/0", NULL);
	check_get(__LINE__, "/Status", NULL);
	check_get(__LINE__, "/a/b", NULL);
	check_get(__LINE__, "/items/99999999999", NULL);
}

static void
test_pointer_whole(void)
{
	cJSON	*doc = cJSON_Parse(DOC);

	CHECK(jsonptr_get(doc, "") == doc);
	cJSON_Delete(doc);
}

static void
test_pointer_syntax(void)
{
	char	 big[JC_MAXPOINTER + 2];

	CHECK(jsonptr_valid(""));
	CHECK(jsonptr_valid("/"));
	CHECK(jsonptr_valid("/a~0~1b/0"));
	/* Negative: not pointers. */
	CHECK(!jsonptr_valid("status"));
	CHECK(!jsonptr_valid("/a~"));
	CHECK(!jsonptr_valid("/a~2"));
	CHECK(!jsonptr_valid("#/a"));
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	CHECK(!jsonptr_valid(big));
	big[JC_MAXPOINTER] = '\0';
	CHECK(jsonptr_valid(big));
}

/* jsoncheck_validate of the check text c: NULL when valid, else the
 * member at fault. */
static const char *
invalid(const char *c)
{
	static char	 field[16];
	cJSON		*j = cJSON_Parse(c);
	const char	*f;
	char		 why[256];
	int		 rc;

	if (j == NULL)
		return "(bad test)";
	rc = jsoncheck_validate(j, &f, why, sizeof(why));
	snprintf(field, sizeof(field), "%s", rc == 0 ? "" : f);
	cJSON_Delete(j);
	return rc == 0 ? NULL : field;
}

static void
test_validate(void)
{
	CHECK_STR(invalid("{\"pointer\":\"/a\",\"op\":\"eq\",\"value\":\"x\"}"),
	    NULL);
	CHECK_STR(invalid("{\"pointer\":\"\",\"op\":\"exists\"}"), NULL);
	CHECK_STR(invalid("{\"pointer\":\"/n\",\"op\":\"lt\",\"value\":3.5}"),
	    NULL);
	CHECK_STR(invalid("{\"pointer\":\"/n\",\"op\":\"ne\",\"value\":null}"),
	    NULL);
	CHECK_STR(invalid("{\"pointer\":\"/t\",\"op\":\"contains\","
	    "\"value\":true}"), NULL);
	/* Negative. */
	CHECK_STR(invalid("{\"op\":\"eq\",\"value\":1}"), "pointer");
	CHECK_STR(invalid("{\"pointer\":\"a\",\"op\":\"eq\",\"value\":1}"),
	    "pointer");
	CHECK_STR(invalid("{\"pointer\":\"/~x\",\"op\":\"eq\",\"value\":1}"),
	    "pointer");
	CHECK_STR(invalid("{\"pointer\":5,\"op\":\"eq\",\"value\":1}"),
	    "pointer");
	CHECK_STR(invalid("{\"pointer\":\"/a\",\"op\":\"like\",\"value\":1}"),
	    "op");
	CHECK_STR(invalid("{\"pointer\":\"/a\",\"value\":1}"), "op");
	CHECK_STR(invalid("{\"pointer\":\"/a\",\"op\":\"exists\","
	    "\"value\":1}"), "value");
	CHECK_STR(invalid("{\"pointer\":\"/a\",\"op\":\"gt\",\"value\":\"1\"}"),
	    "value");
	CHECK_STR(invalid("{\"pointer\":\"/a\",\"op\":\"eq\"}"), "value");
	CHECK_STR(invalid("{\"pointer\":\"/a\",\"op\":\"eq\",\"value\":[1]}"),
	    "value");
	CHECK_STR(invalid("{\"pointer\":\"/a\",\"op\":\"contains\","
	    "\"value\":{}}"), "value");
}

static void
test_parse(void)
{
	cJSON	*d;

	CHECK((d = jsoncheck_parse("{\"a\":1}", 7)) != NULL);
	cJSON_Delete(d);
	CHECK((d = jsoncheck_parse(" [1, 2] \r\n", 10)) != NULL);
	cJSON_Delete(d);
	CHECK((d = jsoncheck_parse("42", 2)) != NULL);
	cJSON_Delete(d);
	/* Negative: not one JSON text. */
	CHECK(jsoncheck_parse("", 0) == NULL);
	CHECK(jsoncheck_parse("{\"a\":1} x", 9) == NULL);
	CHECK(jsoncheck_parse("{\"a\":1}{}", 9) == NULL);
	CHECK(jsoncheck_parse("{\"a\":1}\0{}", 10) == NULL);
	CHECK(jsoncheck_parse("<html>", 6) == NULL);
	CHECK(jsoncheck_parse("{\"a\":", 5) == NULL);
	CHECK(jsoncheck_parse("{\"a\":1}", 4) == NULL);	/* cut short */
}

/* The result of the check text c against DOC (or body when not NULL). */
static enum jc_result
eval(const char *c, const char *body)
{
	cJSON		*j = cJSON_Parse(c), *doc;
	char		 msg[256];
	enum jc_result	 r;

	body = body != NULL ? body : DOC;
	doc = jsoncheck_parse(body, strlen(body));
	r = jsoncheck_eval(j, doc, msg, sizeof(msg));
	if (r != JC_PASS && msg[0] == '\0')
		r = JC_RESULT__MAX;	/* a failure must say why */
	cJSON_Delete(j);
	cJSON_Delete(doc);
	return r;
}

#define C(p, op, v) "{\"type\":\"json\",\"pointer\":\"" p "\",\"op\":\"" \
	op "\"" v "}"

static void
test_eval(void)
{
	CHECK_INT(eval(C("/status", "eq", ",\"value\":\"ok\""), NULL), JC_PASS);
	CHECK_INT(eval(C("/status", "ne", ",\"value\":\"down\""), NULL),
	    JC_PASS);
	CHECK_INT(eval(C("/code", "eq", ",\"value\":200"), NULL), JC_PASS);
	CHECK_INT(eval(C("/code", "eq", ",\"value\":200.0"), NULL), JC_PASS);
	/* Not both numbers: compared as text. */
	CHECK_INT(eval(C("/code", "eq", ",\"value\":\"200\""), NULL), JC_PASS);
	CHECK_INT(eval(C("/up", "eq", ",\"value\":true"), NULL), JC_PASS);
	CHECK_INT(eval(C("/none", "eq", ",\"value\":null"), NULL), JC_PASS);
	CHECK_INT(eval(C("/ratio", "lt", ",\"value\":0.5"), NULL), JC_PASS);
	CHECK_INT(eval(C("/ratio", "le", ",\"value\":0.25"), NULL), JC_PASS);
	CHECK_INT(eval(C("/code", "gt", ",\"value\":199"), NULL), JC_PASS);
	CHECK_INT(eval(C("/code", "ge", ",\"value\":200"), NULL), JC_PASS);
	CHECK_INT(eval(C("/none", "exists", ""), NULL), JC_PASS);
	CHECK_INT(eval(C("", "exists", ""), NULL), JC_PASS);
	CHECK_INT(eval(C("/text", "contains", ",\"value\":\"systems\""),
	    NULL), JC_PASS);
	CHECK_INT(eval(C("/tags", "contains", ",\"value\":\"prod\""), NULL),
	    JC_PASS);
	CHECK_INT(eval(C("/tags", "contains", ",\"value\":7"), NULL), JC_PASS);
	CHECK_INT(eval(C("/1", "eq", ",\"value\":\"b\""), "[\"a\", \"b\"]"),
	    JC_PASS);

	/* Negative: mismatches. */
	CHECK_INT(eval(C("/status", "eq", ",\"value\":\"OK\""), NULL),
	    JC_MISMATCH);
	CHECK_INT(eval(C("/status", "ne", ",\"value\":\"ok\""), NULL),
	    JC_MISMATCH);
	CHECK_INT(eval(C("/code", "lt", ",\"value\":200"), NULL), JC_MISMATCH);
	CHECK_INT(eval(C("/code", "gt", ",\"value\":200"), NULL), JC_MISMATCH);
	CHECK_INT(eval(C("/status", "gt", ",\"value\":0"), NULL), JC_MISMATCH);
	CHECK_INT(eval(C("/up", "eq", ",\"value\":\"yes\""), NULL),
	    JC_MISMATCH);
	CHECK_INT(eval(C("/text", "contains", ",\"value\":\"down\""), NULL),
	    JC_MISMATCH);
	CHECK_INT(eval(C("/tags", "contains", ",\"value\":\"us\""), NULL),
	    JC_MISMATCH);
	CHECK_INT(eval(C("/code", "contains", ",\"value\":2"), NULL),
	    JC_MISMATCH);
	/* Negative: unresolved pointers, bodies that are not JSON. */
	CHECK_INT(eval(C("/missing", "exists", ""), NULL), JC_UNRESOLVED);
	CHECK_INT(eval(C("/missing", "ne", ",\"value\":1"), NULL),
	    JC_UNRESOLVED);
	CHECK_INT(eval(C("/items/5", "eq", ",\"value\":1"), NULL),
	    JC_UNRESOLVED);
	CHECK_INT(eval(C("/status", "eq", ",\"value\":\"ok\""), "<html>ok"),
	    JC_NOT_JSON);
	CHECK_INT(eval(C("", "exists", ""), "{\"a\": 1"), JC_NOT_JSON);
}

/* check_judge of an http monitor saved with the content check c, on a
 * 200 answer with the body: the error code, "" when up. */
static const char *
judge(const char *c, const char *body)
{
	static char		 code[160];
	struct monitor		 m;
	struct verrs		 v = { 0 };
	struct probe		 p;
	struct check_result	 r;
	char			 text[2048], *copy;
	cJSON			*b;

	snprintf(text, sizeof(text), "{\"name\":\"j\",\"url\":"
	    "\"https://api.example.com/health\",\"contentChecks\":[%s]}", c);
	monitor_init(&m, 1000);
	b = cJSON_Parse(text);
	monitor_apply(&m, b, 1, &v);
	cJSON_Delete(b);
	if (v.n != 0) {
		snprintf(code, sizeof(code), "refused at %s", v.e[0].pointer);
		monitor_free(&m);
		return code;
	}
	memset(&p, 0, sizeof(p));
	p.status_code = 200;
	if ((copy = strdup(body)) == NULL)
		abort();
	p.body = copy;
	p.bodylen = strlen(body);
	check_judge(&m, &p, 1000, &r);
	free(copy);
	snprintf(code, sizeof(code), "%s", r.error_code);
	monitor_free(&m);
	return code;
}

static void
test_judge(void)
{
	CHECK_STR(judge(C("/status", "eq", ",\"value\":\"ok\""), DOC), "");
	CHECK_STR(judge(C("/items/0/name", "eq", ",\"value\":\"db\"") ","
	    "{\"type\":\"contains\",\"value\":\"cache\"}", DOC), "");
	/* Negative: each failure has its code; the first failing check
	 * counts. */
	CHECK_STR(judge(C("/status", "eq", ",\"value\":\"down\""), DOC),
	    "content_mismatch");
	CHECK_STR(judge(C("/status", "eq", ",\"value\":\"ok\""), "<html/>"),
	    "content_not_json");
	CHECK_STR(judge(C("/nope", "exists", ""), DOC),
	    "content_pointer_unresolved");
	CHECK_STR(judge("{\"type\":\"contains\",\"value\":\"zzz\"}," C("/nope",
	    "exists", ""), DOC), "content_mismatch");
	/* Negative: refused at save, each at its member. */
	CHECK_STR(judge(C("nope", "exists", ""), DOC),
	    "refused at /contentChecks/0/pointer");
	CHECK_STR(judge("{\"type\":\"contains\",\"value\":\"a\"},"
	    C("/a", "near", ",\"value\":1"), DOC),
	    "refused at /contentChecks/1/op");
	CHECK_STR(judge(C("/a", "exists", ",\"value\":1"), DOC),
	    "refused at /contentChecks/0/value");
	CHECK_STR(judge(C("/a", "ge", ",\"value\":\"1\""), DOC),
	    "refused at /contentChecks/0/value");
	CHECK_STR(judge(C("/a", "eq", ",\"value\":1,\"caseSensitive\":true"),
	    DOC), "refused at /contentChecks/0/caseSensitive");
}

static void
test_saved_form(void)
{
	struct monitor	 m;
	struct verrs	 v = { 0 };
	cJSON		*b;
	char		*s;

	monitor_init(&m, 1000);
	b = cJSON_Parse("{\"name\":\"j\",\"url\":\"https://a.example.com/\","
	    "\"contentChecks\":[{\"op\":\"exists\",\"pointer\":\"/a\","
	    "\"type\":\"json\"},{\"type\":\"json\",\"pointer\":\"/b\","
	    "\"op\":\"eq\",\"value\":\"x\"}]}");
	monitor_apply(&m, b, 1, &v);
	cJSON_Delete(b);
	CHECK_INT(v.n, 0);
	s = cJSON_PrintUnformatted(cJSON_GetObjectItem(m.config,
	    "contentChecks"));
	CHECK_STR(s, "[{\"type\":\"json\",\"pointer\":\"/a\",\"op\":"
	    "\"exists\"},{\"type\":\"json\",\"pointer\":\"/b\",\"op\":\"eq\","
	    "\"value\":\"x\"}]");
	free(s);
	monitor_free(&m);
}

int
main(void)
{
	UNIT_RUN(test_pointer);
	UNIT_RUN(test_pointer_whole);
	UNIT_RUN(test_pointer_syntax);
	UNIT_RUN(test_validate);
	UNIT_RUN(test_parse);
	UNIT_RUN(test_eval);
	UNIT_RUN(test_judge);
	UNIT_RUN(test_saved_form);
	return unit_finish();
}
