/*
 * Unit tests of lib/response.c (envelopes, problem details, headers,
 * resp_db) and of the page collector in lib/page.c (page_start,
 * page_add, list_answer), which answers through resp_list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uptime.h"
#include "unit.h"

static void
req_init(struct req *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->request_id, sizeof(r->request_id), "req_resp_test");
	snprintf(r->uri_path, sizeof(r->uri_path), "/uptime/v1/api-keys");
	r->path = r->uri_path + 7;
	r->method = "GET";
	r->now = 1771070400000;		/* 2026-02-14T12:00:00.000Z */
	r->status = 500;
}

static void
req_done(struct req *r)
{
	buf_free(&r->out);
	buf_free(&r->headers);
}

static void
test_status_text(void)
{
	CHECK_STR(status_text(200), "OK");
	CHECK_STR(status_text(201), "Created");
	CHECK_STR(status_text(204), "No Content");
	CHECK_STR(status_text(400), "Bad Request");
	CHECK_STR(status_text(401), "Unauthorized");
	CHECK_STR(status_text(403), "Forbidden");
	CHECK_STR(status_text(404), "Not Found");
	CHECK_STR(status_text(405), "Method Not Allowed");
	CHECK_STR(status_text(409), "Conflict");
	CHECK_STR(status_text(410), "Gone");
	CHECK_STR(status_text(413), "Content Too Large");
	CHECK_STR(status_text(415), "Unsupported Media Type");
	CHECK_STR(status_text(422), "Unprocessable Content");
	CHECK_STR(status_text(429), "Too Many Requests");
	CHECK_STR(status_text(500), "Internal Server Error");
	CHECK_STR(status_text(503), "Service Unavailable");
}

static void
test_resp_data(void)
{
	struct req	 r;
	cJSON		*d;

	req_init(&r);
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "id", "key_x");
	CHECK_INT(resp_data(&r, 201, d), 0);
	CHECK_INT(r.status, 201);
	CHECK_INT(r.answered, 1);
	CHECK_STR(r.ctype, "application/json");
	CHECK_STR(r.out.p, "{\"data\":{\"id\":\"key_x\"},\"meta\":{"
	    "\"requestId\":\"req_resp_test\","
	    "\"timestamp\":\"2026-02-14T12:00:00.000Z\"}}");
	CHECK_INT(r.out.len, strlen(r.out.p));

	/* A second answer replaces the first. */
	CHECK_INT(resp_data(&r, 200, cJSON_CreateArray()), 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.out.p, "{\"data\":[],\"meta\":{"
	    "\"requestId\":\"req_resp_test\","
	    "\"timestamp\":\"2026-02-14T12:00:00.000Z\"}}");
	req_done(&r);
}

static void
test_resp_empty(void)
{
	struct req	 r;

	req_init(&r);
	CHECK_INT(resp_data(&r, 200, cJSON_CreateObject()), 0);
	CHECK_INT(resp_empty(&r, 204), 0);
	CHECK_INT(r.status, 204);
	CHECK(r.ctype == NULL);
	CHECK_INT(r.out.len, 0);
	CHECK_INT(r.answered, 1);
	req_done(&r);
}

/* A text answer (a heartbeat ping's "OK") replaces a JSON one. */
static void
test_resp_text(void)
{
	struct req	 r;

	req_init(&r);
	CHECK_INT(resp_data(&r, 201, cJSON_CreateObject()), 0);
	CHECK_INT(resp_text(&r, 200, "OK"), 0);
	CHECK_INT(r.status, 200);
	CHECK_INT(r.answered, 1);
	CHECK_STR(r.ctype, "text/plain");
	CHECK_STR(r.out.p, "OK");
	CHECK_INT(r.out.len, 2);
	req_done(&r);
}

static void
test_resp_problem(void)
{
	struct req	 r;

	req_init(&r);
	CHECK_INT(resp_problem(&r, 404, "not_found", "No %s here.", "key"), 0);
	CHECK_INT(r.status, 404);
	CHECK_STR(r.ctype, "application/problem+json");
	CHECK_STR(r.out.p, "{\"type\":\"/problems/not_found\","
	    "\"title\":\"Not Found\",\"status\":404,\"detail\":\"No key here.\","
	    "\"code\":\"not_found\",\"requestId\":\"req_resp_test\"}");
	req_done(&r);

	req_init(&r);
	CHECK_INT(resp_problem_member(&r, 403, "insufficient_scope",
	    "requiredScope", "team:write", "Needs %s.", "team:write"), 0);
	CHECK_INT(r.status, 403);
	CHECK_STR(r.out.p, "{\"type\":\"/problems/insufficient_scope\","
	    "\"title\":\"Forbidden\",\"status\":403,"
	    "\"detail\":\"Needs team:write.\",\"code\":\"insufficient_scope\","
	    "\"requestId\":\"req_resp_test\",\"requiredScope\":\"team:write\"}");
	req_done(&r);

	/* A detail with quotes and a newline stays valid JSON. */
	req_init(&r);
	resp_problem(&r, 400, "bad_query", "a \"b\"\n%s", "c\\d");
	{
		cJSON	*p = cJSON_Parse(r.out.p);

		CHECK(p != NULL);
		CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(p,
		    "detail")), "a \"b\"\nc\\d");
		cJSON_Delete(p);
	}
	req_done(&r);
}

static void
test_resp_verrs(void)
{
	struct req	 r;
	struct verrs	 v;
	cJSON		*p, *e;

	/* Only invalid values: validation_error, every error listed. */
	memset(&v, 0, sizeof(v));
	verr_add(&v, VERR_INVALID, "/name", "required");
	verr_add(&v, VERR_INVALID, "/scopes", "must be a list");
	req_init(&r);
	CHECK_INT(resp_verrs(&r, &v), 0);
	CHECK_INT(r.status, 400);
	p = cJSON_Parse(r.out.p);
	CHECK(p != NULL);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(p, "code")),
	    "validation_error");
	e = cJSON_GetObjectItem(p, "errors");
	CHECK_INT(cJSON_GetArraySize(e), 2);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(e, 1), "pointer")), "/scopes");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(e, 1), "detail")), "must be a list");
	cJSON_Delete(p);
	req_done(&r);

	/* A read-only field outranks an invalid one... */
	verr_add(&v, VERR_READONLY, "/id", "read-only");
	req_init(&r);
	resp_verrs(&r, &v);
	p = cJSON_Parse(r.out.p);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(p, "code")),
	    "read_only_field");
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(p, "errors")), 3);
	cJSON_Delete(p);
	req_done(&r);

	/* ...and an unknown field outranks both, wherever it is. */
	verr_add(&v, VERR_UNKNOWN, "/bogus", "unknown field");
	verr_add(&v, VERR_READONLY, "/createdAt", "read-only");
	req_init(&r);
	resp_verrs(&r, &v);
	p = cJSON_Parse(r.out.p);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(p, "code")),
	    "unknown_field");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(p, "type")),
	    "/problems/unknown_field");
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(p, "errors")), 5);
	cJSON_Delete(p);
	req_done(&r);
}

static const char *
code_of(const struct req *r)
{
	static char	 code[64];
	cJSON		*p = cJSON_Parse(r->out.p ? r->out.p : "");

	snprintf(code, sizeof(code), "%s",
	    p ? cJSON_GetStringValue(cJSON_GetObjectItem(p, "code")) : "");
	cJSON_Delete(p);
	return code;
}

static void
test_resp_db(void)
{
	struct req	 r;

	req_init(&r);
	resp_db(&r, DB_NOTFOUND);
	CHECK_INT(r.status, 404);
	CHECK_STR(code_of(&r), "not_found");
	CHECK(r.headers.p == NULL || strstr(r.headers.p, "Retry-After") ==
	    NULL);
	req_done(&r);

	req_init(&r);
	resp_db(&r, DB_CONFLICT);
	CHECK_INT(r.status, 409);
	CHECK_STR(code_of(&r), "conflict");
	req_done(&r);

	req_init(&r);
	resp_db(&r, DB_BUSY);
	CHECK_INT(r.status, 503);
	CHECK_STR(code_of(&r), "unavailable");
	CHECK(r.headers.p != NULL &&
	    strstr(r.headers.p, "Retry-After: 1\r\n") != NULL);
	req_done(&r);

	req_init(&r);
	resp_db(&r, DB_ERROR);
	CHECK_INT(r.status, 500);
	CHECK_STR(code_of(&r), "internal");
	req_done(&r);
}

static void
test_resp_header(void)
{
	struct req	 r;

	req_init(&r);
	CHECK_INT(resp_header(&r, "Location", "/v1/api-keys/%s", "key_x"), 0);
	CHECK_INT(resp_header(&r, "X-Test", "a\r\nSet-Cookie: b\nc\rd"), 0);
	CHECK_STR(r.headers.p, "Location: /v1/api-keys/key_x\r\n"
	    "X-Test: a  Set-Cookie: b c d\r\n");
	req_done(&r);
}

static const struct qspec q_status[] = {
	Q_TEXT("status", 64, NULL), Q_PAGE, Q_END
};

static void
test_resp_list_link(void)
{
	struct req	 r;
	struct buf	 empty = { NULL, 0, 0 };
	char		*link, old[CURSOR_MAX];

	/* No next page: no Link, next is null. */
	CHECK_INT(buf_puts(&empty, "[]"), 0);
	req_init(&r);
	snprintf(r.query, sizeof(r.query), "status=all");
	CHECK_INT(req_parse_query(&r, q_status), 0);
	CHECK_INT(resp_list(&r, &empty, NULL, 50), 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.out.p, "{\"data\":[],\"meta\":{"
	    "\"requestId\":\"req_resp_test\","
	    "\"timestamp\":\"2026-02-14T12:00:00.000Z\","
	    "\"pagination\":{\"next\":null,\"perPage\":50}}}");
	CHECK(r.headers.p == NULL || strstr(r.headers.p, "Link:") == NULL);
	req_done(&r);

	/* A next page: the same URI (mount prefix included), the other
	 * parameters kept and escaped, the cursor replaced. */
	req_init(&r);
	page_cursor(5, "key_00000000000000000001", old, sizeof(old));
	snprintf(r.query, sizeof(r.query),
	    "cursor=%s&status=a%%20b%%2F%%22&perPage=2", old);
	CHECK_INT(req_parse_query(&r, q_status), 0);
	CHECK_INT(resp_list(&r, &empty, "NEXT_c-1", 2), 0);
	CHECK(strstr(r.out.p, "\"pagination\":{\"next\":\"NEXT_c-1\","
	    "\"perPage\":2}") != NULL);
	link = r.headers.p ? strstr(r.headers.p, "Link: ") : NULL;
	CHECK(link != NULL);
	if (link != NULL)
		CHECK_STR(link, "Link: </uptime/v1/api-keys?status=a%20b%2F%22&"
		    "perPage=2&cursor=NEXT_c-1>; rel=\"next\"\r\n");
	req_done(&r);
	buf_free(&empty);
}

static void
test_lister(void)
{
	struct req	 r;
	struct page	 pg;
	struct lister	 l;
	cJSON		*p, *next;
	char		 c[128];
	int		 i;

	memset(&pg, 0, sizeof(pg));
	pg.perpage = 2;

	/* perpage + 1 rows: two kept, the third only says "more". */
	req_init(&r);
	page_start(&l, &pg, 0);
	for (i = 0; i < 3; i++) {
		char	 id[ID_MAX];

		snprintf(id, sizeof(id), "key_%020d", 9 - i);
		page_add(&l, cJSON_CreateNumber(i), 5000 - i, id);
	}
	CHECK_INT(l.n, 2);
	CHECK_INT(l.more, 1);
	CHECK_INT(l.last_t, 4999);
	CHECK_STR(l.last_id, "key_00000000000000000008");
	CHECK_INT(list_answer(&r, &l, DB_OK), 0);
	p = cJSON_Parse(r.out.p);
	CHECK(p != NULL);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(p, "data")), 2);
	next = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(p,
	    "meta"), "pagination"), "next");
	page_cursor(4999, "key_00000000000000000008", c, sizeof(c));
	CHECK_STR(cJSON_GetStringValue(next), c);
	cJSON_Delete(p);
	CHECK(r.headers.p != NULL && strstr(r.headers.p, c) != NULL);
	req_done(&r);

	/* Exactly perpage rows: no next page. */
	req_init(&r);
	page_start(&l, &pg, 0);
	page_add(&l, cJSON_CreateNumber(1), 10, "key_00000000000000000001");
	page_add(&l, cJSON_CreateNumber(2), 9, "key_00000000000000000002");
	CHECK_INT(l.more, 0);
	CHECK_INT(list_answer(&r, &l, DB_OK), 0);
	CHECK(strstr(r.out.p, "\"next\":null") != NULL);
	CHECK(r.headers.p == NULL || strstr(r.headers.p, "Link:") == NULL);
	req_done(&r);

	/* Nothing at all. */
	req_init(&r);
	page_start(&l, &pg, 0);
	CHECK_INT(list_answer(&r, &l, DB_OK), 0);
	CHECK(strstr(r.out.p, "\"data\":[]") != NULL);
	req_done(&r);

	/* A failed list: the database's answer, what was collected freed
	 * (LeakSanitizer would tell). */
	req_init(&r);
	page_start(&l, &pg, 0);
	page_add(&l, cJSON_CreateNumber(1), 10, "key_00000000000000000001");
	list_answer(&r, &l, DB_BUSY);
	CHECK_INT(r.status, 503);
	CHECK(strstr(r.out.p, "\"data\"") == NULL);
	req_done(&r);
}

int
main(void)
{
	UNIT_RUN(test_status_text);
	UNIT_RUN(test_resp_data);
	UNIT_RUN(test_resp_empty);
	UNIT_RUN(test_resp_text);
	UNIT_RUN(test_resp_problem);
	UNIT_RUN(test_resp_verrs);
	UNIT_RUN(test_resp_db);
	UNIT_RUN(test_resp_header);
	UNIT_RUN(test_resp_list_link);
	UNIT_RUN(test_lister);
	return unit_finish();
}
