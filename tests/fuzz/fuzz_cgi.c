/*
 * Fuzz target: the FastCGI/CGI parameter intake of lib/request.c.  The
 * input is what a web server hands a program: lines "NAME=value" for the
 * CGI parameters (only the names the serve loop reads are set, the
 * others ignored), an empty line, then the body on standard input.  The
 * request goes through the serve loop's own handle(), cgi_drain() and
 * write_answer() (this file includes lib/request.c to reach them; the
 * library's copy is then not linked): request id, method, REQUEST_URI
 * split and mount prefix, query, routing, the key and its scope,
 * Content-Length and the body, the refusal of bodies on routes that take
 * none, Idempotency-Key, the write transaction and the audit event.
 * The routes below stand for each kind a program has; the handlers do
 * what real ones do with the request (req_json and a validator, a list
 * page, a raw body) without a network.  Audit events and kept answers
 * are deleted after each run so that the database stays small.
 */
#include "../../lib/request.c"
#include "fuzz.h"
#include "uptime.h"
#include "monitor.h"

static const char *const names[] = {
	"REQUEST_METHOD", "REQUEST_URI", "CONTENT_LENGTH", "CONTENT_TYPE",
	"HTTP_AUTHORIZATION", "HTTP_X_REQUEST_ID", "HTTP_ORIGIN",
	"HTTP_IDEMPOTENCY_KEY", "HTTP_TRANSFER_ENCODING", "REMOTE_ADDR",
	"QUERY_STRING", "HTTP_HOST", "SCRIPT_NAME", "PATH_INFO",
};
#define NNAMES	(sizeof(names) / sizeof(names[0]))

static struct req	 cgi_req;

static int
h_list(struct req *r)
{
	struct lister	 l;

	list_start(r, &l);
	if (req_query(r, "status") != NULL)
		page_add(&l, cJSON_CreateObject(), FUZZ_NOW, fw.monitor_id);
	return list_answer(r, &l, DB_OK);
}

static int
h_apply(struct req *r, int creating)
{
	struct monitor	 m;
	struct verrs	 v = { 0 };
	cJSON		*body;

	if ((body = req_json(r)) == NULL)
		return 0;
	monitor_init(&m, r->now);
	monitor_apply(&m, body, creating, &v);
	cJSON_Delete(body);
	if (v.n > 0) {
		monitor_free(&m);
		return resp_verrs(r, &v);
	}
	snprintf(r->target_id, sizeof(r->target_id), "%s", m.id);
	resp_data(r, creating ? 201 : 200, monitor_json(&m));
	monitor_free(&m);
	return 0;
}

static int
h_create(struct req *r)
{
	return h_apply(r, 1);
}

static int
h_patch(struct req *r)
{
	return h_apply(r, 0);
}

static int
h_get(struct req *r)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", r->args[0]);
	return resp_data(r, 200, o);
}

static int
h_empty(struct req *r)
{
	return resp_empty(r, 204);
}

static int
h_ping(struct req *r)
{
	return resp_text(r, 200, r->bodylen > 0 ? "OK" : "OK");
}

static int
h_fail(struct req *r)
{
	(void)r;
	return -1;	/* the serve loop must answer 500 */
}

static const struct qspec q_list[] = {
	Q_TEXT("status", 64, NULL), Q_PAGE, Q_END
};
static const struct qspec q_public[] = {
	{ "perPage", QT_PERPAGE, NULL, 0, 0, 0, NULL }, Q_END
};

static const struct route routes[] = {
	{ "GET", "/v1/things", SCOPE_MONITORS_READ, h_list, NULL,
	    q_list, 0 },
	{ "POST", "/v1/things", SCOPE_MONITORS_WRITE, h_create,
	    "thing.created", NULL, ROUTE_BODY },
	{ "GET", "/v1/things/{mon}", SCOPE_MONITORS_READ, h_get, NULL, NULL, 0 },
	{ "PATCH", "/v1/things/{mon}", SCOPE_MONITORS_WRITE, h_patch,
	    "thing.updated", NULL, ROUTE_BODY },
	{ "DELETE", "/v1/things/{mon}", SCOPE_MONITORS_WRITE, h_empty,
	    "thing.deleted", NULL, 0 },
	{ "POST", "/v1/things/{mon}/pause", SCOPE_ANYKEY, h_empty,
	    "thing.paused", NULL, ROUTE_NOTX },
	{ "PUT", "/v1/things/{mon}/fail", SCOPE_API_KEYS_WRITE, h_fail,
	    "thing.failed", NULL, ROUTE_BODY },
	{ "POST", "/v1/ping/{*token}", SCOPE_PUBLIC, h_ping, NULL, NULL,
	    ROUTE_RAWBODY },
	{ "GET", "/v1/ping/{*token}", SCOPE_PUBLIC, h_ping, NULL, NULL, 0 },
	{ "GET", "/status/{*slug}", SCOPE_PUBLIC, h_get, NULL, q_public, 0 },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 init;
	FILE		*in, *saved;
	const uint8_t	*p = data, *end = data + size, *nl, *eq;
	char		 name[32], *value, *body;
	size_t		 i, n;

	fuzz_world();
	if (!init) {
		if (freopen("/dev/null", "w", stdout) == NULL)
			abort();
		init = 1;
	}
	for (i = 0; i < NNAMES; i++)
		unsetenv(names[i]);
	/* "NAME=value" lines up to an empty line. */
	while (p < end && *p != '\n') {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		eq = memchr(p, '=', (size_t)(nl - p));
		if (eq != NULL && (n = (size_t)(eq - p)) < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			for (i = 0; i < NNAMES; i++)
				if (strcmp(name, names[i]) == 0)
					break;
			if (i < NNAMES) {
				value = fuzz_str(eq + 1, (size_t)(nl - eq - 1));
				setenv(name, value, 1);
				free(value);
			}
		}
		p = nl < end ? nl + 1 : end;
	}
	if (p < end)
		p++;	/* the empty line */

	/* The body on stdin; fmemopen wants at least one byte. */
	saved = stdin;
	if ((body = malloc((size_t)(end - p) + 1)) == NULL)
		abort();
	memcpy(body, p, (size_t)(end - p));
	body[end - p] = '\0';
	if ((in = fmemopen(body, end > p ? (size_t)(end - p) : 1, "r")) ==
	    NULL)
		abort();
	if (end == p)
		(void)fgetc(in);	/* now at the end: an empty body */
	stdin = in;
	cgi_read = 0;
	req_reset(&cgi_req, fw.db, NULL);
	handle(&cgi_req, routes, sizeof(routes) / sizeof(routes[0]));
	cgi_drain();
	if (!cgi_req.answered || cgi_req.status < 200 || cgi_req.status > 599)
		abort();
	write_answer(&cgi_req);
	if (db_in_tx(fw.db))
		abort();	/* the serve loop leaves no transaction open */
	req_reset(&cgi_req, NULL, NULL);
	stdin = saved;
	fclose(in);
	free(body);
	if (db_exec(fw.db, "DELETE FROM audit_events; DELETE FROM idempotency")
	    != 0)
		abort();
	return 0;
}
