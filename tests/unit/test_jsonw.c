/*
 * Unit tests of lib/jsonw.c: what the writer writes is, byte for byte,
 * what cJSON_PrintUnformatted prints for the same tree (escapes, UTF-8,
 * numbers, nesting, empty containers), and the helpers' rules for null.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uptime.h"
#include "unit.h"

/* Write tree with the writer and compare with cJSON's own printing. */
static void
same_as_cjson(const char *json)
{
	cJSON		*tree = cJSON_Parse(json);
	struct buf	 b = { NULL, 0, 0 };
	struct jw	 w;
	char		*want;

	CHECK(tree != NULL);
	if (tree == NULL)
		return;
	want = cJSON_PrintUnformatted(tree);
	jw_start(&w, &b);
	jw_cjson(&w, NULL, tree);
	CHECK_INT(jw_failed(&w), 0);
	CHECK_STR(b.p, want);
	free(want);
	buf_free(&b);
	cJSON_Delete(tree);
}

static void
test_trees_as_cjson_prints_them(void)
{
	same_as_cjson("{}");
	same_as_cjson("[]");
	same_as_cjson("[{},[],[[]],{\"a\":{}}]");
	same_as_cjson("{\"a\":null,\"b\":true,\"c\":false,\"d\":\"\"}");
	/* Every escape cJSON makes, and what it leaves alone. */
	same_as_cjson("{\"q\\\"k\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0001 "
	    "\\u001f \\u007f é ✓ 😀 <>&'\"}");
	/* Numbers: small and large integers, fractions, exponents. */
	same_as_cjson("[0,-1,42,2147483647,2147483648,-2147483649,"
	    "1733000000000,123456789012345678,0.1,-2.5,1e300,1.5e-7,"
	    "3.141592653589793,0.30000000000000004]");
	same_as_cjson("{\"url\":\"https://a.example.com/p?q=%22x%22\","
	    "\"headers\":{\"X-A\":\"v \\\"1\\\"\"},\"codes\":[\"200-299\"],"
	    "\"checks\":[{\"type\":\"contains\",\"value\":\"ok\"}]}");
}

static void
test_helpers(void)
{
	struct buf	 b = { NULL, 0, 0 };
	struct jw	 w;

	jw_start(&w, &b);
	jw_obj(&w, NULL);
	jw_str(&w, "s", NULL);
	jw_str(&w, "e", "");
	jw_str_or_null(&w, "n", "");
	jw_int(&w, "i", -9007199254740993LL);
	jw_int(&w, "min", LLONG_MIN);
	jw_int(&w, "z", 0);
	jw_time(&w, "t0", 0);
	jw_time(&w, "t", 1733000000123LL);
	jw_key(&w, "k");
	jw_raw(&w, NULL, "[1,2]", 5);
	jw_arr(&w, "a");
	jw_bool(&w, NULL, 1);
	jw_null(&w, NULL);
	jw_end(&w);
	jw_end(&w);
	CHECK_INT(jw_failed(&w), 0);
	CHECK_INT(w.depth, 0);
	CHECK_STR(b.p, "{\"s\":null,\"e\":\"\",\"n\":null,"
	    "\"i\":-9007199254740993,"
	    "\"min\":-9223372036854775808,\"z\":0,\"t0\":null,"
	    "\"t\":\"2024-11-30T20:53:20.123Z\",\"k\":[1,2],"
	    "\"a\":[true,null]}");
	/* Closing more than was opened marks the writer failed. */
	jw_end(&w);
	CHECK_INT(jw_failed(&w), 1);
	buf_free(&b);
}

int
main(void)
{
	UNIT_RUN(test_trees_as_cjson_prints_them);
	UNIT_RUN(test_helpers);
	return unit_finish();
}
