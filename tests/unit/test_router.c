/*
 * Unit tests of lib/router.c (router_match, router_strip_mount), of the
 * query string parser in lib/request.c (req_parse_query with typed
 * declarations, req_query, req_enum, req_time) and of lib/page.c
 * (page_cursor, and the page the parser reads).
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "uptime.h"
#include "unit.h"

static int
h_dummy(struct req *r)
{
	(void)r;
	return 0;
}

enum {
	R_KEYS_GET,
	R_KEYS_POST,
	R_KEYS_CURRENT,
	R_KEY_GET,
	R_KEY_DELETE,
	R_KEY_ROTATE,
	R_AUDIT,
	R_MON_PATCH,
	R_MON_PUT,
	R_MON_OUTAGE,
	R_STATUS,
	R_PAGE,
	R_PAGE_BADGE,
	R_PAGE_UPTIME,
	R__MAX
};

static const struct route routes[R__MAX] = {
	{ "GET", "/v1/api-keys", SCOPE_API_KEYS_READ, h_dummy, NULL,
	    NULL, 0 },
	{ "POST", "/v1/api-keys", SCOPE_API_KEYS_WRITE, h_dummy,
	    "api_key.created", NULL, ROUTE_BODY },
	{ "GET", "/v1/api-keys/current", SCOPE_ANYKEY, h_dummy, NULL, NULL, 0 },
	{ "GET", "/v1/api-keys/{key}", SCOPE_API_KEYS_READ, h_dummy, NULL,
	    NULL, 0 },
	{ "DELETE", "/v1/api-keys/{key}", SCOPE_API_KEYS_WRITE, h_dummy,
	    "api_key.revoked", NULL, 0 },
	{ "POST", "/v1/api-keys/{key}/rotate", SCOPE_API_KEYS_WRITE, h_dummy,
	    "api_key.rotated", NULL, 0 },
	{ "GET", "/v1/audit-events", SCOPE_API_KEYS_READ, h_dummy, NULL,
	    NULL, 0 },
	{ "PATCH", "/v1/monitors/{mon}", SCOPE_MONITORS_WRITE, h_dummy,
	    "monitor.updated", NULL, ROUTE_BODY },
	{ "PUT", "/v1/monitors/{mon}", SCOPE_MONITORS_WRITE, h_dummy,
	    "monitor.replaced", NULL, ROUTE_BODY },
	{ "GET", "/v1/monitors/{mon}/outages/{out}", SCOPE_MONITORS_READ,
	    h_dummy, NULL, NULL, 0 },
	{ "GET", "/status", SCOPE_PUBLIC, h_dummy, NULL, NULL, 0 },
	{ "GET", "/status/{*slug}", SCOPE_PUBLIC, h_dummy, NULL, NULL, 0 },
	{ "GET", "/status/{*slug}/badge/{cmp}.svg", SCOPE_PUBLIC, h_dummy,
	    NULL, NULL, 0 },
	{ "GET", "/status/{*slug}/badge/{cmp}/uptime.svg", SCOPE_PUBLIC,
	    h_dummy, NULL, NULL, 0 },
};

#define KEYID	"key_abcdefghij0123456789"
#define MONID	"mon_ABCDEFGHIJabcdefghij"
#define OUTID	"out_0000000000zzzzzzzzzz"

/* Match and check the route index (-1: none) and the Allow list. */
static void
check_match(const char *method, const char *path, int want, const char *allow,
    int line)
{
	struct req		 r;
	const struct route	*rt;
	char			 al[128];
	int			 got;

	memset(&r, 0, sizeof(r));
	memset(al, 'Z', sizeof(al));
	rt = router_match(routes, R__MAX, method, path, &r, al, sizeof(al));
	got = rt == NULL ? -1 : (int)(rt - routes);
	if (got != want) {
		fprintf(stderr, "%s:%d: %s %s matched route %d, want %d\n",
		    __FILE__, line, method, path, got, want);
		unit_current_failed = 1;
	}
	if (rt == NULL && strcmp(al, allow) != 0) {
		fprintf(stderr, "%s:%d: %s %s: Allow \"%s\", want \"%s\"\n",
		    __FILE__, line, method, path, al, allow);
		unit_current_failed = 1;
	}
	if (rt == NULL && r.args[0] != NULL) {
		fprintf(stderr, "%s:%d: %s %s: args left after no match\n",
		    __FILE__, line, method, path);
		unit_current_failed = 1;
	}
}

#define MATCH(m, p, want)	check_match((m), (p), (want), "", __LINE__)
#define NOMATCH(m, p, allow)	check_match((m), (p), -1, (allow), __LINE__)

static void
test_match_literals(void)
{
	MATCH("GET", "/v1/api-keys", R_KEYS_GET);
	MATCH("POST", "/v1/api-keys", R_KEYS_POST);
	MATCH("GET", "/v1/audit-events", R_AUDIT);
	MATCH("GET", "/status", R_STATUS);
	/* HEAD is answered by the GET route. */
	MATCH("HEAD", "/v1/api-keys", R_KEYS_GET);
	MATCH("HEAD", "/v1/api-keys/" KEYID, R_KEY_GET);
	/* "current" is a literal, not an id. */
	MATCH("GET", "/v1/api-keys/current", R_KEYS_CURRENT);
}

static void
test_match_captures(void)
{
	struct req		 r;
	const struct route	*rt;
	char			 al[128];

	memset(&r, 0, sizeof(r));
	rt = router_match(routes, R__MAX, "GET", "/v1/api-keys/" KEYID, &r,
	    al, sizeof(al));
	CHECK(rt == &routes[R_KEY_GET]);
	CHECK_STR(r.args[0], KEYID);
	CHECK(r.args[1] == NULL);

	memset(&r, 0, sizeof(r));
	rt = router_match(routes, R__MAX, "DELETE", "/v1/api-keys/" KEYID, &r,
	    al, sizeof(al));
	CHECK(rt == &routes[R_KEY_DELETE]);
	CHECK_STR(r.args[0], KEYID);

	memset(&r, 0, sizeof(r));
	rt = router_match(routes, R__MAX, "POST", "/v1/api-keys/" KEYID
	    "/rotate", &r, al, sizeof(al));
	CHECK(rt == &routes[R_KEY_ROTATE]);
	CHECK_STR(r.args[0], KEYID);

	memset(&r, 0, sizeof(r));
	rt = router_match(routes, R__MAX, "GET", "/v1/monitors/" MONID
	    "/outages/" OUTID, &r, al, sizeof(al));
	CHECK(rt == &routes[R_MON_OUTAGE]);
	CHECK_STR(r.args[0], MONID);
	CHECK_STR(r.args[1], OUTID);
	CHECK(r.args[2] == NULL);

	/* "current" leaves no capture. */
	memset(&r, 0, sizeof(r));
	rt = router_match(routes, R__MAX, "GET", "/v1/api-keys/current", &r,
	    al, sizeof(al));
	CHECK(rt == &routes[R_KEYS_CURRENT]);
	CHECK(r.args[0] == NULL);
}

static void
test_match_bad_ids(void)
{
	/* The wrong prefix, length or characters: 404, empty Allow. */
	NOMATCH("GET", "/v1/api-keys/" MONID, "");
	NOMATCH("GET", "/v1/api-keys/key_abcdefghij012345678", "");
	NOMATCH("GET", "/v1/api-keys/key_abcdefghij01234567890", "");
	NOMATCH("GET", "/v1/api-keys/key_abcdefghij01234567-9", "");
	NOMATCH("GET", "/v1/api-keys/key_", "");
	NOMATCH("GET", "/v1/api-keys/key", "");
	NOMATCH("GET", "/v1/api-keys/KEY_abcdefghij0123456789", "");
	NOMATCH("GET", "/v1/api-keys/currentx", "");
	NOMATCH("GET", "/v1/api-keys/Current", "");
	NOMATCH("PATCH", "/v1/monitors/" KEYID, "");
	NOMATCH("GET", "/v1/monitors/" MONID "/outages/" MONID, "");
	/* A segment longer than any id must not overflow anything. */
	NOMATCH("GET", "/v1/api-keys/key_0123456789012345678901234567890123456"
	    "789012345678901234567890123456789", "");
}

#define CMPID	"cmp_ABCDEFGHIJabcdefghij"

/* Run router_match; the route index (-1: none) and args[i] or NULL. */
static int
match_args(const char *path, const char *want0, const char *want1)
{
	struct req		 r;
	const struct route	*rt;
	char			 al[128];
	int			 ok;

	memset(&r, 0, sizeof(r));
	rt = router_match(routes, R__MAX, "GET", path, &r, al, sizeof(al));
	ok = (want0 == NULL ? r.args[0] == NULL :
	    r.args[0] != NULL && strcmp(r.args[0], want0) == 0) &&
	    (want1 == NULL ? r.args[1] == NULL :
	    r.args[1] != NULL && strcmp(r.args[1], want1) == 0);
	if (!ok)
		fprintf(stderr, "%s: args \"%s\", \"%s\"\n", path,
		    r.args[0] ? r.args[0] : "(null)",
		    r.args[1] ? r.args[1] : "(null)");
	return ok ? (rt == NULL ? -1 : (int)(rt - routes)) : -2;
}

/* "{*name}" captures a bounded [A-Za-z0-9_-] segment. */
static void
test_match_generic(void)
{
	char	 path[256];

	MATCH("GET", "/status/acme", R_PAGE);
	CHECK_INT(match_args("/status/acme", "acme", NULL), R_PAGE);
	CHECK_INT(match_args("/status/a-b_C9", "a-b_C9", NULL), R_PAGE);
	CHECK_INT(match_args("/status/v1", "v1", NULL), R_PAGE);
	/* An id is just characters here. */
	CHECK_INT(match_args("/status/" KEYID, KEYID, NULL), R_PAGE);
	/* 63 characters fit; 64 do not. */
	memset(path, 0, sizeof(path));
	memcpy(path, "/status/", 8);
	memset(path + 8, 'x', REQ_MAXARG - 1);
	CHECK_INT(match_args(path, path + 8, NULL), R_PAGE);
	path[8 + REQ_MAXARG - 1] = 'x';
	NOMATCH("GET", path, "");
	/* Negative: characters outside the set, empty, extra segments. */
	NOMATCH("GET", "/status/a.b", "");
	NOMATCH("GET", "/status/a%2Fb", "");
	NOMATCH("GET", "/status/a b", "");
	NOMATCH("GET", "/status/a~b", "");
	NOMATCH("GET", "/status/\xc3\xa9", "");
	NOMATCH("GET", "/status//badge/" CMPID ".svg", "");
	NOMATCH("GET", "/status/acme/", "");
	NOMATCH("GET", "/status/acme/other", "");
	NOMATCH("POST", "/status/acme", "GET, HEAD");
}

/* "{prefix}.ext": an id followed by a literal suffix in one segment. */
static void
test_match_suffix(void)
{
	CHECK_INT(match_args("/status/acme/badge/" CMPID ".svg", "acme",
	    CMPID), R_PAGE_BADGE);
	CHECK_INT(match_args("/status/acme/badge/" CMPID "/uptime.svg",
	    "acme", CMPID), R_PAGE_UPTIME);
	/* Negative: the wrong or a missing suffix, a bad id before it,
	 * the suffix alone, the suffix twice. */
	NOMATCH("GET", "/status/acme/badge/" CMPID ".png", "");
	NOMATCH("GET", "/status/acme/badge/" CMPID ".svgx", "");
	NOMATCH("GET", "/status/acme/badge/" CMPID, "");
	NOMATCH("GET", "/status/acme/badge/" CMPID ".svg.svg", "");
	NOMATCH("GET", "/status/acme/badge/" MONID ".svg", "");
	NOMATCH("GET", "/status/acme/badge/cmp_ABCDEFGHIJabcdefghi.svg", "");
	NOMATCH("GET", "/status/acme/badge/.svg", "");
	NOMATCH("GET", "/status/acme/badge/svg", "");
	NOMATCH("GET", "/status/acme/badge/" CMPID "/uptime", "");
}

/* ping.fcgi's table: a token, then nothing or a literal segment. */
static void
test_match_ping_token(void)
{
	static const struct route ping[] = {
		{ "GET", "/v1/ping/{*token}", SCOPE_PUBLIC, h_dummy, NULL, NULL,
		    ROUTE_NOTX | ROUTE_RAWBODY },
		{ "POST", "/v1/ping/{*token}", SCOPE_PUBLIC, h_dummy, NULL, NULL,
		    ROUTE_NOTX | ROUTE_RAWBODY },
		{ "GET", "/v1/ping/{*token}/start", SCOPE_PUBLIC, h_dummy, NULL,
		    NULL, ROUTE_NOTX | ROUTE_RAWBODY },
	};
	const char		*tok = "Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4f";
	const struct route	*rt;
	struct req		 r;
	char			 path[128], al[128];

	memset(&r, 0, sizeof(r));
	snprintf(path, sizeof(path), "/v1/ping/%s", tok);
	rt = router_match(ping, 3, "HEAD", path, &r, al, sizeof(al));
	CHECK(rt == &ping[0]);
	CHECK_STR(r.args[0], tok);
	CHECK(router_match(ping, 3, "POST", path, &r, al, sizeof(al)) ==
	    &ping[1]);
	snprintf(path, sizeof(path), "/v1/ping/%s/start", tok);
	CHECK(router_match(ping, 3, "GET", path, &r, al, sizeof(al)) ==
	    &ping[2]);
	CHECK_STR(r.args[0], tok);
	/* Negative: another method, a segment too many, none at all. */
	CHECK(router_match(ping, 3, "POST", path, &r, al, sizeof(al)) == NULL);
	CHECK_STR(al, "GET, HEAD");
	snprintf(path, sizeof(path), "/v1/ping/%s/start/x", tok);
	CHECK(router_match(ping, 3, "GET", path, &r, al, sizeof(al)) == NULL);
	CHECK_STR(al, "");
	CHECK(router_match(ping, 3, "GET", "/v1/ping/", &r, al,
	    sizeof(al)) == NULL);
	CHECK(router_match(ping, 3, "GET", "/v1/ping", &r, al,
	    sizeof(al)) == NULL);
	CHECK(router_match(ping, 3, "PUT", "/v1/ping/abc", &r, al,
	    sizeof(al)) == NULL);
	CHECK_STR(al, "GET, HEAD, POST");
}

static void
test_match_methods(void)
{
	NOMATCH("PUT", "/v1/api-keys", "GET, HEAD, POST");
	NOMATCH("DELETE", "/v1/api-keys", "GET, HEAD, POST");
	NOMATCH("PATCH", "/v1/api-keys/" KEYID, "GET, HEAD, DELETE");
	NOMATCH("POST", "/v1/api-keys/" KEYID, "GET, HEAD, DELETE");
	NOMATCH("GET", "/v1/api-keys/" KEYID "/rotate", "POST");
	NOMATCH("HEAD", "/v1/api-keys/" KEYID "/rotate", "POST");
	NOMATCH("GET", "/v1/monitors/" MONID, "PATCH, PUT");
	NOMATCH("OPTIONS", "/v1/audit-events", "GET, HEAD");
	NOMATCH("POST", "/v1/api-keys/current", "GET, HEAD");
	/* Methods are case-sensitive. */
	NOMATCH("get", "/v1/api-keys", "GET, HEAD, POST");
}

static void
test_match_paths(void)
{
	/* Trailing slash, extra and missing segments, doubled slashes. */
	NOMATCH("GET", "/v1/api-keys/", "");
	NOMATCH("GET", "/v1/api-keys/" KEYID "/", "");
	NOMATCH("GET", "/v1/api-keys/" KEYID "/rotate/x", "");
	NOMATCH("GET", "/v1/api-keys/current/x", "");
	NOMATCH("GET", "/v1/monitors/" MONID "/outages", "");
	NOMATCH("GET", "/v1/monitors/" MONID "/outages/", "");
	NOMATCH("GET", "/v1//api-keys", "");
	NOMATCH("GET", "//v1/api-keys", "");
	NOMATCH("GET", "/v1", "");
	NOMATCH("GET", "/", "");
	NOMATCH("GET", "", "");
	NOMATCH("GET", "v1/api-keys", "");
	NOMATCH("GET", "/v1/api-keysx", "");
	NOMATCH("GET", "/v1/api-key", "");
	NOMATCH("GET", "/V1/api-keys", "");
	NOMATCH("GET", "/v2/api-keys", "");
	NOMATCH("GET", "/status/", "");
}

/*
 * The Allow list must stay inside allowlen whatever its size.  Run in a
 * child: an overflow makes AddressSanitizer abort it.
 */
static void
test_match_allow_small_buffer(void)
{
	static const struct route two[] = {
		{ "POST", "/x", SCOPE_PUBLIC, h_dummy, NULL, NULL, 0 },
		{ "GET", "/x", SCOPE_PUBLIC, h_dummy, NULL, NULL, 0 },
		{ "DELETE", "/x", SCOPE_PUBLIC, h_dummy, NULL, NULL, 0 },
	};
	size_t	 sizes[] = { 1, 4, 5, 8, 9, 12, 16 };
	size_t	 i;
	pid_t	 pid;
	int	 status;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fflush(NULL);
		if ((pid = fork()) == -1) {
			CHECK(0);
			return;
		}
		if (pid == 0) {
			struct req	 r;
			char		*al;
			int		 ok;

			memset(&r, 0, sizeof(r));
			if ((al = malloc(sizes[i])) == NULL)
				_exit(3);
			ok = router_match(two, 3, "PUT", "/x", &r, al,
			    sizes[i]) == NULL &&
			    strnlen(al, sizes[i]) < sizes[i];
			free(al);
			_exit(ok ? 0 : 1);
		}
		status = -1;
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "allowlen %zu: child failed\n",
			    sizes[i]);
			CHECK(0);
			break;	/* one sanitizer report is enough */
		}
	}
}

static void
check_strip(const char *path, const char *want, int line)
{
	const char	*got = router_strip_mount(path);

	if (got == NULL || want == NULL ? got != want : strcmp(got, want) != 0) {
		fprintf(stderr, "%s:%d: router_strip_mount(\"%s\") = \"%s\", "
		    "want \"%s\"\n", __FILE__, line, path,
		    got ? got : "(null)", want ? want : "(null)");
		unit_current_failed = 1;
	} else if (got != NULL && (got < path || got > path + strlen(path))) {
		fprintf(stderr, "%s:%d: not a pointer into the path\n",
		    __FILE__, line);
		unit_current_failed = 1;
	}
}

#define STRIP(p, w)	check_strip((p), (w), __LINE__)

static void
test_strip_mount(void)
{
	STRIP("/uptime/v1/api-keys", "/v1/api-keys");
	STRIP("/v1/api-keys", "/v1/api-keys");
	STRIP("/v1/status", "/v1/status");
	STRIP("/v1", "/v1");
	STRIP("/uptime/v1", "/v1");
	STRIP("/a/b/c/v1/monitors/" MONID, "/v1/monitors/" MONID);
	STRIP("/a/b/status/slug", "/status/slug");
	STRIP("/status/slug", "/status/slug");
	STRIP("/status", "/status");
	STRIP("/uptime/status", "/status");
	/* "/v1x" and "/v10" are not the /v1 segment, "/statuses" not
	 * /status. */
	STRIP("/v1x/api-keys", "/v1x/api-keys");
	STRIP("/v10/api-keys", "/v10/api-keys");
	STRIP("/v1x/v1/api-keys", "/v1/api-keys");
	STRIP("/statuses/x", "/statuses/x");
	STRIP("/v1x/status/s", "/status/s");
	STRIP("/other/path", "/other/path");
	STRIP("", "");
	STRIP("/", "/");
	/* /v1 wins over a later /status segment. */
	STRIP("/x/v1/status-pages", "/v1/status-pages");
	STRIP("/x/v1/monitors/status", "/v1/monitors/status");
	/* The console, mounted or not; "/apps" is not /app. */
	STRIP("/app", "/app");
	STRIP("/app/login", "/app/login");
	STRIP("/uptime/app/api-keys", "/app/api-keys");
	STRIP("/apps/x", "/apps/x");
	STRIP("/../app/login", NULL);
}

/*
 * Negative: the mount prefix goes back to clients in Location, Link and
 * status pages, so only a clean one is taken: no empty, "." or ".."
 * segment, nothing but letters, digits and "-._~".
 */
static void
test_strip_mount_unclean_negative(void)
{
	STRIP("//evil.example/../v1/api-keys", NULL);
	STRIP("//v1/api-keys", NULL);
	STRIP("/uptime//v1/api-keys", NULL);
	STRIP("/./v1/api-keys", NULL);
	STRIP("/../v1/api-keys", NULL);
	STRIP("/uptime/../v1/api-keys", NULL);
	STRIP("/uptime/./status/slug", NULL);
	STRIP("/%2e%2e/v1/api-keys", NULL);
	STRIP("/%2F%2Fevil.example/v1/api-keys", NULL);
	STRIP("/\\evil.example/v1/api-keys", NULL);
	STRIP("/a@evil.example/v1/api-keys", NULL);
	STRIP("/a:b/v1/api-keys", NULL);
	STRIP("/a b/status/x", NULL);
	STRIP("/\xc3\xa9/v1", NULL);
	/* Dots and tildes inside a segment are fine. */
	STRIP("/~ops/uptime.v2/v1/api-keys", "/v1/api-keys");
	STRIP("/...../v1", "/v1");
	STRIP("/.x/status/s", "/status/s");
	/* After the /v1 segment the routes decide: no route has those. */
	STRIP("/v1//api-keys", "/v1//api-keys");
	STRIP("/v1/../x", "/v1/../x");
	/* No /v1 or /status at all: the path as it is (a 404 later). */
	STRIP("//evil.example/..", "//evil.example/..");
}

/*
 * A status page's slug may be "v1" (^[a-z0-9][a-z0-9-]{1,62}$): its
 * public page must still route as /status/..., not as a /v1 API path.
 */
static void
test_strip_mount_status_slug_v1(void)
{
	STRIP("/status/v1", "/status/v1");
	STRIP("/uptime/status/v1/summary.json", "/status/v1/summary.json");
}

/* ---- req_parse_query and req_query ---- */

static void
req_query_init(struct req *r, const char *query)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->request_id, sizeof(r->request_id), "req_router_test");
	r->status = 500;
	r->method = "GET";
	snprintf(r->query, sizeof(r->query), "%s", query);
}

static void
req_done(struct req *r)
{
	buf_free(&r->out);
	buf_free(&r->headers);
}

static int
is_problem(const struct req *r, int status, const char *code)
{
	cJSON		*p;
	const cJSON	*c;
	int		 ok;

	if (r->status != status || r->out.p == NULL ||
	    (p = cJSON_Parse(r->out.p)) == NULL)
		return 0;
	c = cJSON_GetObjectItemCaseSensitive(p, "code");
	ok = cJSON_IsString(c) && strcmp(c->valuestring, code) == 0;
	cJSON_Delete(p);
	return ok;
}

/*
 * A list of QT_TEXT parameters (1 to 1000 characters) named in the
 * comma-separated names.
 */
static const struct qspec *
texts(const char *names)
{
	static struct qspec	 q[REQ_MAXPARAMS + 2];
	static char		 buf[512];
	char			*s, *save;
	size_t			 n = 0;

	snprintf(buf, sizeof(buf), "%s", names);
	for (s = strtok_r(buf, ",", &save); s != NULL && n <= REQ_MAXPARAMS;
	    s = strtok_r(NULL, ",", &save))
		q[n++] = (struct qspec)Q_TEXT(s, 1000, NULL);
	q[n] = (struct qspec)Q_END;
	return q;
}

static void
test_query_parse(void)
{
	struct req	 r;

	req_query_init(&r, "perPage=10&cursor=abc");
	CHECK_INT(req_parse_query(&r, texts("status,perPage,cursor")), 0);
	CHECK_INT(r.nq, 2);
	CHECK_STR(req_query(&r, "perPage"), "10");
	CHECK_STR(req_query(&r, "cursor"), "abc");
	CHECK(req_query(&r, "status") == NULL);
	CHECK(req_query(&r, "perpage") == NULL);
	CHECK_INT(r.answered, 0);
	req_done(&r);

	/* Decoding: %41, lower-case hex, '+' as a space, an escaped '+'. */
	req_query_init(&r, "a=%41%62+c&b=%2B%25&c=%6a%4A&%64=x");
	CHECK_INT(req_parse_query(&r, texts("a,b,c,d")), 0);
	CHECK_STR(req_query(&r, "a"), "Ab c");
	CHECK_STR(req_query(&r, "b"), "+%");
	CHECK_STR(req_query(&r, "c"), "jJ");
	CHECK_STR(req_query(&r, "d"), "x");
	req_done(&r);

	/* UTF-8 through escapes, '=' inside a value. */
	req_query_init(&r, "a=%C3%A9&b=x=y");
	CHECK_INT(req_parse_query(&r, texts("a,b")), 0);
	CHECK_STR(req_query(&r, "a"), "\xc3\xa9");
	CHECK_STR(req_query(&r, "b"), "x=y");
	req_done(&r);

	/* Empty values, with and without '=': no type takes one. */
	req_query_init(&r, "a=&b");
	CHECK_INT(req_parse_query(&r, texts("a,b")), -1);
	CHECK(is_problem(&r, 400, "bad_query"));
	req_done(&r);

	/* Empty query and empty pieces. */
	req_query_init(&r, "");
	CHECK_INT(req_parse_query(&r, texts("")), 0);
	CHECK_INT(r.nq, 0);
	req_done(&r);
	req_query_init(&r, "&&a=1&&");
	CHECK_INT(req_parse_query(&r, texts("a")), 0);
	CHECK_INT(r.nq, 1);
	CHECK_STR(req_query(&r, "a"), "1");
	req_done(&r);
}

static void
check_query_refused(const char *query, const char *allowed, int line)
{
	struct req	 r;

	req_query_init(&r, query);
	if (req_parse_query(&r, texts(allowed)) != -1) {
		fprintf(stderr, "%s:%d: query \"%s\" accepted\n", __FILE__,
		    line, query);
		unit_current_failed = 1;
	} else if (!is_problem(&r, 400, "bad_query")) {
		fprintf(stderr, "%s:%d: query \"%s\": not 400 bad_query: %s\n",
		    __FILE__, line, query, r.out.p ? r.out.p : "");
		unit_current_failed = 1;
	}
	req_done(&r);
}

#define QBAD(q, allowed)	check_query_refused((q), (allowed), __LINE__)

static void
test_query_negative(void)
{
	/* %00 in a value or a name. */
	QBAD("a=%00", "a");
	QBAD("a=x%00y", "a");
	QBAD("a%00=1", "a");
	/* Bad escapes. */
	QBAD("a=%", "a");
	QBAD("a=%4", "a");
	QBAD("a=%zz", "a");
	QBAD("a=%g1", "a");
	QBAD("a=%1g", "a");
	QBAD("a=%%41", "a");
	QBAD("%=1", "a");
	/* Unknown names, including prefixes and parts of allowed names. */
	QBAD("x=1", "a,b");
	QBAD("a=1", "");
	QBAD("per=1", "perPage,cursor");
	QBAD("Page=1", "perPage,cursor");
	QBAD("perPages=1", "perPage,cursor");
	QBAD("PERPAGE=1", "perPage,cursor");
	QBAD("perPage=1&bogus=2", "perPage,cursor");
	/* An empty name. */
	QBAD("=1", "a");
	QBAD("a=1&=2", "a");
	/* Repeated names, also when only the escapes differ. */
	QBAD("a=1&a=2", "a");
	QBAD("a=1&a=1", "a");
	QBAD("a=1&%61=2", "a");
	QBAD("a&a", "a");
}

/*
 * A name that decodes to two allowed names joined by a comma is not an
 * allowed name: "a%2Cb" must not pass as "a,b".
 */
static void
test_query_name_with_comma(void)
{
	QBAD("a%2Cb=1", "a,b");
	QBAD("perPage%2Ccursor=1", "status,perPage,cursor");
}

static void
test_query_max_params(void)
{
	char		 allowed[512], query[REQ_MAXQUERY + 1];
	struct req	 r;
	size_t		 i, n;

	allowed[0] = query[0] = '\0';
	for (i = 0; i <= REQ_MAXPARAMS; i++) {
		n = strlen(allowed);
		snprintf(allowed + n, sizeof(allowed) - n, "%sp%zu",
		    i ? "," : "", i);
	}
	/* Exactly REQ_MAXPARAMS: fine. */
	for (i = 0; i < REQ_MAXPARAMS; i++) {
		n = strlen(query);
		snprintf(query + n, sizeof(query) - n, "%sp%zu=%zu",
		    i ? "&" : "", i, i);
	}
	req_query_init(&r, query);
	CHECK_INT(req_parse_query(&r, texts(allowed)), 0);
	CHECK_INT(r.nq, REQ_MAXPARAMS);
	CHECK_STR(req_query(&r, "p31"), "31");
	req_done(&r);
	/* One more: refused. */
	n = strlen(query);
	snprintf(query + n, sizeof(query) - n, "&p%d=x", REQ_MAXPARAMS);
	req_query_init(&r, query);
	CHECK_INT(req_parse_query(&r, texts(allowed)), -1);
	CHECK(is_problem(&r, 400, "bad_query"));
	CHECK(r.nq <= REQ_MAXPARAMS);
	req_done(&r);
}

/* ---- typed query parameters ---- */

enum { T_A, T_B, T_C, T__MAX };
static const char *const t_names[T__MAX] = { "ay", "bee", "cee" };
static const char *const t_here[] = { "here" };

static const struct qspec q_typed[] = {
	Q_ENUM("e", t_names, T__MAX),
	Q_ENUM_DEF("d", t_names, T__MAX, T_C),
	Q_ENUM_SOME("s", t_names, T__MAX, 1u << T_A | 1u << T_C),
	Q_TEXT("tx", 4, "abc."),
	Q_ID("mon", "mon"),
	Q_ID_OR("at", "loc", t_here, 1),
	Q_WINDOW,
	Q_PAGE,
	Q_END
};

/* The detail of the 400 answered to query, "" when it was accepted. */
static const char *
refusal(struct req *r, const char *query)
{
	static char	 detail[512];
	cJSON		*p;

	req_query_init(r, query);
	detail[0] = '\0';
	if (req_parse_query(r, q_typed) == 0)
		return detail;
	if ((p = cJSON_Parse(r->out.p)) != NULL)
		snprintf(detail, sizeof(detail), "%s", cJSON_GetStringValue(
		    cJSON_GetObjectItem(p, "detail")));
	cJSON_Delete(p);
	CHECK(is_problem(r, 400, "bad_query"));
	return detail;
}

static void
test_query_typed(void)
{
	struct req	 r;

	/* Absent: the defaults. */
	CHECK_STR(refusal(&r, ""), "");
	r.qspec = q_typed;
	CHECK_INT(req_enum(&r, "e"), -1);
	CHECK_INT(req_enum(&r, "d"), T_C);
	CHECK_INT(req_time(&r, "from"), 0);
	CHECK(req_query(&r, "mon") == NULL);
	CHECK_INT(r.page.perpage, PAGE_DEFAULT);
	CHECK_INT(r.page.has_cursor, 0);
	req_done(&r);

	/* Present: typed values. */
	CHECK_STR(refusal(&r, "e=bee&d=ay&s=cee&tx=a.b&mon="
	    "mon_ABCDEFGHIJabcdefghij&from=2026-02-14T12:00:00Z&"
	    "to=2026-02-14T12:00:01Z&perPage=7"), "");
	CHECK_INT(req_enum(&r, "e"), T_B);
	CHECK_INT(req_enum(&r, "d"), T_A);
	CHECK_INT(req_enum(&r, "s"), T_C);
	CHECK_STR(req_query(&r, "tx"), "a.b");
	CHECK_INT(req_time(&r, "from"), 1771070400000LL);
	CHECK_INT(req_time(&r, "to"), 1771070401000LL);
	CHECK_INT(r.page.perpage, 7);
	req_done(&r);

	/* Refusals, with messages from the same tables. */
	CHECK_STR(refusal(&r, "e=dee"), "e must be one of ay, bee, cee.");
	req_done(&r);
	CHECK_STR(refusal(&r, "s=bee"), "s must be one of ay, cee.");
	req_done(&r);
	CHECK_STR(refusal(&r, "e=AY"), "e must be one of ay, bee, cee.");
	req_done(&r);
	CHECK_STR(refusal(&r, "tx=abcab"), "tx must be 1 to 4 characters of "
	    "abc..");
	req_done(&r);
	CHECK_STR(refusal(&r, "tx=d"), "tx must be 1 to 4 characters of "
	    "abc..");
	req_done(&r);
	CHECK_STR(refusal(&r, "mon=key_ABCDEFGHIJabcdefghij"), "mon must be "
	    "an id (mon_ and 20 letters or digits).");
	req_done(&r);
	CHECK_STR(refusal(&r, "at=here"), "");
	CHECK_STR(req_query(&r, "at"), "here");
	req_done(&r);
	CHECK_STR(refusal(&r, "at=loc_ABCDEFGHIJabcdefghij"), "");
	req_done(&r);
	CHECK_STR(refusal(&r, "at=there"), "at must be an id (loc_ and 20 "
	    "letters or digits) or here.");
	req_done(&r);
	CHECK_STR(refusal(&r, "from=yesterday"), "from must be an RFC 3339 "
	    "time.");
	req_done(&r);
	CHECK_STR(refusal(&r, "from=2026-02-14T12:00:01Z&"
	    "to=2026-02-14T12:00:01Z"), "to must be after from.");
	req_done(&r);
	CHECK_STR(refusal(&r, "x=1"), "Unknown query parameter \"x\"; this "
	    "route accepts: e, d, s, tx, mon, at, from, to, perPage, cursor.");
	req_done(&r);
	req_query_init(&r, "a=1");
	CHECK_INT(req_parse_query(&r, NULL), -1);
	CHECK(r.out.p != NULL && strstr(r.out.p, "accepts: none.") != NULL);
	req_done(&r);
}

/* ---- the page and page_cursor ---- */

static int
parse_page(const char *query, struct page *pg, struct req *r)
{
	req_query_init(r, query);
	if (req_parse_query(r, q_page) == -1)
		return -1;
	*pg = r->page;
	return 0;
}

static void
test_page_per_page(void)
{
	static const struct { const char *q; int n; } good[] = {
		{ "", 50 },
		{ "perPage=1", 1 },
		{ "perPage=50", 50 },
		{ "perPage=199", 199 },
		{ "perPage=200", 200 },
		{ "perPage=007", 7 },
	};
	static const char *const bad[] = {
		"perPage=0", "perPage=201", "perPage=1x", "perPage=",
		"perPage", "perPage=+5", "perPage=-5", "perPage=%205",
		"perPage=5%20", "perPage=1.5", "perPage=1e2", "perPage=0x10",
		"perPage=99999999999999999999", "perPage=-0", "perPage=abc",
	};
	struct page	 pg;
	struct req	 r;
	size_t		 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&pg, 0x5a, sizeof(pg));
		CHECK_INT(parse_page(good[i].q, &pg, &r), 0);
		CHECK_INT(pg.perpage, good[i].n);
		CHECK_INT(pg.has_cursor, 0);
		CHECK_INT(r.answered, 0);
		req_done(&r);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_page(bad[i], &pg, &r) != -1) {
			fprintf(stderr, "accepted %s\n", bad[i]);
			CHECK(0);
		}
		CHECK(is_problem(&r, 400, "bad_query"));
		req_done(&r);
	}
}

static void
test_page_cursor_round_trip(void)
{
	char		 c[128], q[256];
	struct page	 pg;
	struct req	 r;

	/* python3: base64.urlsafe_b64encode(
	 *   b"1.1771070400000.key_abcdefghijklmnopqrst").rstrip(b"=") */
	page_cursor(1771070400000, "key_abcdefghijklmnopqrst", c, 96);
	CHECK_STR(c, "MS4xNzcxMDcwNDAwMDAwLmtleV9hYmNkZWZnaGlqa2xtbm9wcXJzdA");

	snprintf(q, sizeof(q), "perPage=2&cursor=%s", c);
	CHECK_INT(parse_page(q, &pg, &r), 0);
	CHECK_INT(pg.perpage, 2);
	CHECK_INT(pg.has_cursor, 1);
	CHECK_INT(pg.c_time, 1771070400000);
	CHECK_STR(pg.c_id, "key_abcdefghijklmnopqrst");
	req_done(&r);

	/* Time 0 and the longest id type. */
	page_cursor(0, "team_00000000000000000000", c, 96);
	snprintf(q, sizeof(q), "cursor=%s", c);
	CHECK_INT(parse_page(q, &pg, &r), 0);
	CHECK_INT(pg.c_time, 0);
	CHECK_STR(pg.c_id, "team_00000000000000000000");
	CHECK_INT(pg.perpage, PAGE_DEFAULT);
	req_done(&r);

	/* A large time still fits in 96 bytes. */
	page_cursor(INT64_MAX, "team_zzzzzzzzzzzzzzzzzzzz", c, 96);
	snprintf(q, sizeof(q), "cursor=%s", c);
	CHECK_INT(parse_page(q, &pg, &r), 0);
	CHECK_INT(pg.c_time, INT64_MAX);
	req_done(&r);
}

/* A cursor made here from raw text, as an attacker would. */
static void
check_cursor_refused(const char *raw, int line)
{
	char		 c[256], q[300];
	struct page	 pg;
	struct req	 r;

	sodium_bin2base64(c, sizeof(c), (const unsigned char *)raw,
	    strlen(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(q, sizeof(q), "cursor=%s", c);
	if (parse_page(q, &pg, &r) != -1 || !is_problem(&r, 400, "bad_query")) {
		fprintf(stderr, "%s:%d: cursor of \"%s\" accepted\n", __FILE__,
		    line, raw);
		unit_current_failed = 1;
	}
	req_done(&r);
}

#define CBAD(raw)	check_cursor_refused((raw), __LINE__)

static void
test_page_cursor_negative(void)
{
	static const char *const garbage[] = {
		"cursor=", "cursor=!!!!", "cursor=abc", "cursor=%2B%2F%2B%2F",
		"cursor=MS4x", "cursor=MS4xNzcxMDcwNDAwMDAwLmtleV9hYmNkZWZnaGl"
		"qa2xtbm9wcXJzdA%3D%3D", "cursor=MS4xNzcxMDcwNDAwMDAwLmtleV9h"
		"YmNkZWZnaGlqa2xtbm9wcXJzdA.",
	};
	char		 q[400];
	struct page	 pg;
	struct req	 r;
	size_t		 i;

	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		if (parse_page(garbage[i], &pg, &r) != -1 ||
		    !is_problem(&r, 400, "bad_query")) {
			fprintf(stderr, "accepted %s\n", garbage[i]);
			CHECK(0);
		}
		req_done(&r);
	}
	/* Too long to be one of ours. */
	memset(q, 0, sizeof(q));
	memcpy(q, "cursor=", 7);
	memset(q + 7, 'A', 200);
	CHECK_INT(parse_page(q, &pg, &r), -1);
	req_done(&r);

	/* Well encoded but not what page_cursor writes. */
	CBAD("");
	CBAD("2.5.key_abcdefghijklmnopqrst");
	CBAD("1.");
	CBAD("1..key_abcdefghijklmnopqrst");
	CBAD("1.abc.key_abcdefghijklmnopqrst");
	CBAD("1.-5.key_abcdefghijklmnopqrst");
	CBAD("1.5key_abcdefghijklmnopqrst");
	CBAD("1.99999999999999999999.key_abcdefghijklmnopqrst");
	/* A bad id: none, no '_', other characters, too long. */
	CBAD("1.5.");
	CBAD("1.5.keyabcdefghijklmnopqrst");
	CBAD("1.5.key_abc-def");
	CBAD("1.5.key_abc def");
	CBAD("1.5.key_abc'def");
	CBAD("1.5.key_abc/def");
	CBAD("1.5.key_0123456789012345678901234567890123456789");
}

int
main(void)
{
	if (sodium_init() == -1)
		return 1;
	UNIT_RUN(test_match_literals);
	UNIT_RUN(test_match_captures);
	UNIT_RUN(test_match_bad_ids);
	UNIT_RUN(test_match_generic);
	UNIT_RUN(test_match_suffix);
	UNIT_RUN(test_match_ping_token);
	UNIT_RUN(test_match_methods);
	UNIT_RUN(test_match_paths);
	UNIT_RUN(test_match_allow_small_buffer);
	UNIT_RUN(test_strip_mount);
	UNIT_RUN(test_strip_mount_unclean_negative);
	UNIT_RUN(test_strip_mount_status_slug_v1);
	UNIT_RUN(test_query_parse);
	UNIT_RUN(test_query_negative);
	UNIT_RUN(test_query_name_with_comma);
	UNIT_RUN(test_query_max_params);
	UNIT_RUN(test_query_typed);
	UNIT_RUN(test_page_per_page);
	UNIT_RUN(test_page_cursor_round_trip);
	UNIT_RUN(test_page_cursor_negative);
	return unit_finish();
}
