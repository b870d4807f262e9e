/*
 * The serve loop: one request at a time, under a FastCGI manager or, when
 * started as plain CGI, once.  It reads the request (method, path from
 * REQUEST_URI, query, body), answers CORS preflights, routes, checks the
 * key and scope from the route table, runs the handler inside a write
 * transaction when the method changes state, records the audit event and
 * writes the answer with the headers every answer carries.
 *
 * The fcgiapp interface is used rather than fcgi_stdio: request
 * parameters are read from the request, never from environ, and the
 * configuration is read from the real environment once, before the first
 * accept.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <fastcgi.h>	/* FCGI_LISTENSOCK_FILENO */
#include <fcgiapp.h>
#include <sodium.h>

#include "apikey.h"
#include "audit.h"
#include "auth.h"
#include "base.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "idempotency.h"
#include "ids.h"
#include "json.h"
#include "keyhash.h"
#include "mail.h"
#include "page.h"
#include "limit.h"
#include "ratelimit.h"
#include "req.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "scope.h"
#include "session.h"
#include "timefmt.h"

#define READ_CHUNK	65536
#define CGI_MAXDRAIN	(4 * 1024 * 1024)	/* body read and dropped, at most */
static size_t	 cgi_read;	/* body bytes read from stdin as CGI */
static volatile sig_atomic_t serve_stopping; /* SIGTERM or SIGINT came */
static int	 serve_nullfd = -1;	/* /dev/null, put in place of the
					   listening socket on a stop */

/*
 * SIGTERM or SIGINT, as a FastCGI worker: the web server stops it.  The
 * signals are blocked while a request is handled, so this runs while the
 * worker starts or is inside FCGX_Accept_r().  The signal cuts a wait in
 * accept() or poll() short (no SA_RESTART, FCGI_FAIL_ACCEPT_ON_INTR), and
 * /dev/null takes the listening socket's descriptor number, so that an
 * accept() not yet entered fails too (ENOTSOCK) and libfcgi gives up; the
 * serve loop then ends and the program exits through main(), with its
 * atexit handlers (the sanitizers' leak check among them).
 *
 * Not FCGX_ShutdownPending(): libfcgi 2.4.2's OS_Accept() then skips
 * accept() and goes on with the socket of its last try, which it has
 * closed already, for ever (poll: POLLNVAL, close: EBADF).  Not close():
 * the number would be free for the next descriptor opened.  Not
 * shutdown(): the listening socket may be shared with sibling workers
 * (multiwatch), which must go on accepting; dup2() changes this
 * process's descriptor table only.
 */
static void
serve_on_signal(int sig)
{
	(void)sig;
	serve_stopping = 1;
	if (serve_nullfd != -1)
		(void)dup2(serve_nullfd, FCGI_LISTENSOCK_FILENO);
}

/* Is name in the comma-separated list? */
static int
in_list(const char *list, const char *name)
{
	size_t	 n = strlen(name);
	const char *p;

	for (p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* The declaration of name in spec, or NULL. */
static const struct qspec *
declared(const struct qspec *spec, const char *name)
{
	for (; spec != NULL && spec->name != NULL; spec++)
		if (strcmp(spec->name, name) == 0)
			return spec;
	return NULL;
}

/* The names in spec, ", "-separated, into b. */
static void
join_names(struct buf *b, const struct qspec *spec)
{
	for (; spec != NULL && spec->name != NULL; spec++)
		if (buf_printf(b, "%s%s", b->len ? ", " : "", spec->name) == -1)
			return;
}

/*
 * Check p's value against its declaration and set its typed value; on a
 * bad one answers 400 bad_query, its message built from the name table.
 */
static int
check_param(struct req *r, struct qparam *p)
{
	const struct qspec *q = p->spec;
	struct buf	 b = { NULL, 0, 0 };
	const char	*v = p->value;
	char		*end;
	long		 n;
	int		 i;

	switch (q->type) {
	case QT_ENUM:
		if ((p->e = str_index(q->names, q->n, v)) != -1 &&
		    (q->mask == 0 || (q->mask & (1u << p->e))))
			return 0;
		for (i = 0; i < q->n; i++)
			if ((q->mask == 0 || (q->mask & (1u << i))) &&
			    buf_printf(&b, "%s%s", b.len ? ", " : "",
			    q->names[i]) == -1)
				break;
		resp_problem(r, 400, "bad_query", "%s must be one of %s.",
		    q->name, b.p != NULL ? b.p : "");
		buf_free(&b);
		return -1;
	case QT_TEXT:
		n = utf8_chars(v);
		if (n >= q->def && n <= q->n &&
		    (q->str == NULL || strspn(v, q->str) == strlen(v)))
			return 0;
		return resp_problem(r, 400, "bad_query", "%s must be %d to %d "
		    "characters%s%s.", q->name, q->def, q->n, q->str != NULL ?
		    " of " : "", q->str != NULL ? q->str : ""), -1;
	case QT_ID:
		if (id_valid(v, q->str) || str_index(q->names, q->n, v) != -1)
			return 0;
		return resp_problem(r, 400, "bad_query", "%s must be an id "
		    "(%s_ and %d letters or digits)%s%s.", q->name, q->str,
		    ID_RANDLEN, q->n > 0 ? " or " : "", q->n > 0 ? q->names[0] :
		    ""), -1;
	case QT_FROM:
	case QT_TO:
		if (time_parse(v, &p->t) == 0)
			return 0;
		return resp_problem(r, 400, "bad_query", "%s must be an RFC "
		    "3339 time.", q->name), -1;
	case QT_PERPAGE:
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' || n < 1 ||
		    n > PAGE_MAX || !(*v >= '0' && *v <= '9'))
			return resp_problem(r, 400, "bad_query", "perPage must "
			    "be a whole number from 1 to %d.", PAGE_MAX), -1;
		r->page.perpage = (int)n;
		return 0;
	case QT_CURSOR:
		if (page_cursor_decode(v, &r->page) == 0)
			return 0;
		return resp_problem(r, 400, "bad_query", "The cursor is not "
		    "one this API gave out; start again without it."), -1;
	}
	return -1;
}

/* A window's to must come after its from. */
static int
check_window(struct req *r)
{
	int64_t	 from = 0, to = 0;
	size_t	 i;

	for (i = 0; i < r->nq; i++)
		if (r->q[i].spec->type == QT_FROM)
			from = r->q[i].t;
		else if (r->q[i].spec->type == QT_TO)
			to = r->q[i].t;
	if (from != 0 && to != 0 && to <= from)
		return resp_problem(r, 400, "bad_query", "to must be after "
		    "from."), -1;
	return 0;
}

int
req_parse_query(struct req *r, const struct qspec *spec)
{
	struct buf	 b = { NULL, 0, 0 };
	char		*p = r->query, *amp, *eq;
	size_t		 i;

	r->nq = 0;
	r->qspec = spec;
	memset(&r->page, 0, sizeof(r->page));
	r->page.perpage = PAGE_DEFAULT;
	while (*p != '\0') {
		if ((amp = strchr(p, '&')) != NULL)
			*amp = '\0';
		if (*p != '\0') {
			if (r->nq == REQ_MAXPARAMS)
				return resp_problem(r, 400, "bad_query",
				    "At most %d query parameters are "
				    "accepted.", REQ_MAXPARAMS), -1;
			if ((eq = strchr(p, '=')) != NULL)
				*eq++ = '\0';
			if (req_url_decode(p) == -1 ||
			    (eq != NULL && req_url_decode(eq) == -1))
				return resp_problem(r, 400, "bad_query",
				    "The query string has a bad escape."), -1;
			if ((r->q[r->nq].spec = declared(spec, p)) == NULL) {
				join_names(&b, spec);
				resp_problem(r, 400, "bad_query", "Unknown "
				    "query parameter \"%.64s\"; this route "
				    "accepts: %s.", p, b.p != NULL ? b.p :
				    "none");
				buf_free(&b);
				return -1;
			}
			for (i = 0; i < r->nq; i++)
				if (strcmp(r->q[i].name, p) == 0)
					return resp_problem(r, 400, "bad_query",
					    "The query parameter \"%s\" is "
					    "given twice.", p), -1;
			r->q[r->nq].name = p;
			r->q[r->nq].value = eq != NULL ? eq : p + strlen(p);
			r->nq++;
		}
		if (amp == NULL)
			break;
		p = amp + 1;
	}
	for (i = 0; i < r->nq; i++)
		if (check_param(r, &r->q[i]) == -1)
			return -1;
	return check_window(r);
}

cJSON *
req_json(struct req *r)
{
	struct verrs	 v = { 0 };
	cJSON		*o;
	const char	*end = NULL;
	char		 ptr[128];

	if (r->bodylen == 0) {
		resp_problem(r, 400, "malformed_json",
		    "A JSON object body is required.");
		return NULL;
	}
	if (!json_is_type(req_param(r, "CONTENT_TYPE"))) {
		resp_problem(r, 415, "unsupported_media_type",
		    "Send the body as application/json.");
		return NULL;
	}
	if (memchr(r->body, '\0', r->bodylen) != NULL) {
		resp_problem(r, 400, "malformed_json",
		    "The body contains a NUL byte.");
		return NULL;
	}
	if (json_nul_escape(r->body, r->bodylen, ptr, sizeof(ptr))) {
		verr_add(&v, VERR_INVALID, ptr, "must not contain NUL "
		    "characters (\\u0000)");
		resp_verrs(r, &v);
		return NULL;
	}
	o = cJSON_ParseWithLengthOpts(r->body, r->bodylen, &end, 0);
	if (o == NULL || (end != NULL && end < r->body + r->bodylen &&
	    strspn(end, " \t\r\n") != (size_t)(r->body + r->bodylen - end))) {
		cJSON_Delete(o);
		resp_problem(r, 400, "malformed_json",
		    "The body is not valid JSON.");
		return NULL;
	}
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		resp_problem(r, 400, "malformed_json",
		    "The body must be a JSON object.");
		return NULL;
	}
	return o;
}

/*
 * Read the body, at most REQ_MAXBODY bytes whatever Content-Length says:
 * under FastCGI the stream ends where the server says it does; as CGI,
 * Content-Length bytes are read.  Answers 413 and returns -1 past the cap.
 */
static int
read_body(struct req *r)
{
	FCGX_Request	*fr = r->io;
	struct buf	 b = { NULL, 0, 0 };
	const char	*cls = req_param(r, "CONTENT_LENGTH");
	long long	 cl = -1;
	size_t		 want;
	int		 n;
	char		*end;

	if (cls != NULL && *cls != '\0') {
		errno = 0;
		cl = strtoll(cls, &end, 10);
		if (errno != 0 || *end != '\0' || cl < 0)
			return resp_problem(r, 400, "bad_request",
			    "Content-Length is not a number."), -1;
		if (cl > REQ_MAXBODY)
			goto toolarge;
	}
	if (fr == NULL && cl <= 0 && req_param(r, "HTTP_TRANSFER_ENCODING") ==
	    NULL)
		return 0;	/* CGI without a body: do not wait on stdin */
	if (buf_add(&b, "", 0) == -1)
		goto nomem;
	for (;;) {
		want = READ_CHUNK;
		if (fr == NULL && cl >= 0 && (size_t)cl - b.len < want)
			want = (size_t)cl - b.len;
		if (want == 0)
			break;
		if (b.cap - b.len < want + 1) {
			b.len += want;	/* grow, then step back */
			if (buf_add(&b, "", 0) == -1)
				goto nomem;
			b.len -= want;
		}
		n = fr != NULL ? FCGX_GetStr(b.p + b.len, (int)want, fr->in) :
		    (int)fread(b.p + b.len, 1, want, stdin);
		if (n <= 0)
			break;
		if (fr == NULL)
			cgi_read += (size_t)n;
		b.len += (size_t)n;
		b.p[b.len] = '\0';
		if (b.len > REQ_MAXBODY) {
			buf_free(&b);
			goto toolarge;
		}
	}
	/* The client went away mid-body: what came is not what was sent,
	 * even when it happens to parse. */
	if (cl >= 0 && (long long)b.len < cl) {
		resp_problem(r, 400, "bad_request", "The body ended after %zu "
		    "of its %lld Content-Length bytes.", b.len, cl);
		buf_free(&b);
		return -1;
	}
	r->body = b.p;
	r->bodylen = b.len;
	return 0;
toolarge:
	return resp_problem(r, 413, "body_too_large", "The body is larger "
	    "than %d bytes.", REQ_MAXBODY), -1;
nomem:
	buf_free(&b);
	req_log(r, __func__, "out of memory");
	return resp_db(r, DB_ERROR), -1;
}

/*
 * As CGI, read what is left of the body before answering, also when the
 * answer did not need it (401, 413, ...): some gateways (fcgiwrap) make a
 * program that exits without reading the whole body an error of their own
 * instead of passing its answer on.  A body declared larger than
 * CGI_MAXDRAIN is left alone (no server passes one that large on), and
 * one of unknown length is read up to CGI_MAXDRAIN.
 */
static void
cgi_drain(void)
{
	static char	 sink[READ_CHUNK];
	const char	*cls = getenv("CONTENT_LENGTH");
	long long	 left = -1;	/* -1: to the end (chunked) */
	size_t		 want, n, total = 0;
	char		*end;

	if (cls != NULL && *cls != '\0') {
		errno = 0;
		left = strtoll(cls, &end, 10);
		if (errno != 0 || *end != '\0' || left < (long long)cgi_read)
			return;
		left -= (long long)cgi_read;
		if (left > CGI_MAXDRAIN)
			return;
	} else if (getenv("HTTP_TRANSFER_ENCODING") == NULL)
		return;
	while (left != 0 && total < CGI_MAXDRAIN) {
		want = sizeof(sink);
		if (left > 0 && (unsigned long long)left < want)
			want = (size_t)left;
		if ((n = fread(sink, 1, want, stdin)) == 0)
			break;
		total += n;
		if (left > 0)
			left -= (long long)n;
	}
}

/*
 * A route that takes no body accepts none, or an empty JSON object: a
 * client sending fields it thinks matter should hear that they do not.
 */
static int
refuse_body(struct req *r)
{
	struct verrs	 v = { 0 };
	static const struct jfield none[] = { { NULL, 0 } };
	cJSON		*o;

	if (r->route->flags & (ROUTE_BODY | ROUTE_RAWBODY | ROUTE_FORM) ||
	    strspn(r->body ? r->body : "", " \t\r\n") == r->bodylen)
		return 0;
	if ((o = req_json(r)) == NULL)
		return -1;
	json_check_fields(o, none, &v);
	cJSON_Delete(o);
	if (v.n > 0)
		return resp_verrs(r, &v), -1;
	return 0;
}

static int
sane_request_id(const char *s)
{
	size_t	 n;

	if (s == NULL || (n = strlen(s)) == 0 || n > REQID_MAX)
		return 0;
	return strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz-_.:") == n;
}

/* CORS headers, when the request comes from a browser Origin. */
static void
cors(struct req *r)
{
	const char	*origin = req_param(r, "HTTP_ORIGIN");

	if (origin == NULL || *origin == '\0')
		return;
	if (strcmp(cfg.cors_origins, "*") == 0)
		resp_header(r, "Access-Control-Allow-Origin", "*");
	else if (in_list(cfg.cors_origins, origin)) {
		resp_header(r, "Access-Control-Allow-Origin", "%s", origin);
		resp_header(r, "Vary", "Origin");
	} else
		return;
	resp_header(r, "Access-Control-Expose-Headers", "Link, Location, "
	    "X-Request-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, "
	    "RateLimit-Reset, Idempotent-Replayed");
}

static void
put(struct req *r, const char *s, size_t n)
{
	FCGX_Request	*fr = r->io;

	if (fr != NULL)
		FCGX_PutStr(s, (int)n, fr->out);
	else
		fwrite(s, 1, n, stdout);
}

static void
write_answer(struct req *r)
{
	struct buf	 h = { NULL, 0, 0 };
	int		 nobody = r->status == 204 || r->status == 304;
	int		 ok;

	cors(r);
	ok = buf_printf(&h, "Status: %d %s\r\n", r->status,
	    status_text(r->status)) == 0 &&
	    buf_printf(&h, "X-Request-Id: %s\r\n", r->request_id) == 0 &&
	    buf_puts(&h, "X-Content-Type-Options: nosniff\r\n") == 0;
	if (ok && (r->headers.p == NULL ||
	    strstr(r->headers.p, "Cache-Control:") == NULL))
		ok = buf_puts(&h, "Cache-Control: no-store\r\n") == 0;
	if (ok && !nobody && r->ctype != NULL)
		ok = buf_printf(&h, "Content-Type: %s; charset=utf-8\r\n"
		    "Content-Length: %zu\r\n", r->ctype, r->out.len) == 0;
	else if (ok && !nobody)
		ok = buf_puts(&h, "Content-Length: 0\r\n") == 0;
	if (ok && r->rl_limit > 0)
		ok = buf_printf(&h, "RateLimit-Limit: %ld\r\nRateLimit-Remaining: "
		    "%ld\r\nRateLimit-Reset: %d\r\n", r->rl_limit,
		    r->rl_remaining, r->rl_reset) == 0;
	if (ok && r->headers.len > 0)
		ok = buf_add(&h, r->headers.p, r->headers.len) == 0;
	if (ok)
		ok = buf_puts(&h, "\r\n") == 0;
	if (!ok) {
		buf_free(&h);
		req_log(r, __func__, "out of memory");
		return;
	}
	put(r, h.p, h.len);
	if (!nobody && strcmp(r->method, "HEAD") != 0 && r->out.len > 0)
		put(r, r->out.p, r->out.len);
	if (r->io == NULL)
		fflush(stdout);
	buf_free(&h);
}

/* The audit event of a successful write, or of a refusal by a handler. */
static void
audit_write(struct req *r, const char *action)
{
	struct audit_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.at = r->now;
	/* Who acted: a key (and the member who holds it), or the member
	 * signed in. */
	if (r->key != NULL) {
		snprintf(ev.key_id, sizeof(ev.key_id), "%s", r->key->id);
		snprintf(ev.key_prefix, sizeof(ev.key_prefix), "%s",
		    r->key->prefix);
	}
	snprintf(ev.member_id, sizeof(ev.member_id), "%s", r->member_id);
	snprintf(ev.action, sizeof(ev.action), "%s", action);
	snprintf(ev.method, sizeof(ev.method), "%s", r->method);
	snprintf(ev.path, sizeof(ev.path), "%s", r->path);
	ev.status = r->status;
	snprintf(ev.ip, sizeof(ev.ip), "%s", r->remote_addr);
	snprintf(ev.target_id, sizeof(ev.target_id), "%s",
	    r->target_id[0] ? r->target_id : r->args[0] ? r->args[0] : "");
	/* A public route's handler may name the team it acted for. */
	if (audit_record(r->db, r->key ? r->key->team_id : r->team_id[0] ?
	    r->team_id : NULL, &ev) != DB_OK)
		req_log(r, __func__, "cannot record %s", ev.action);
}

/* Run the handler of a state-changing route inside one transaction. */
static void
run_write(struct req *r)
{
	const char	*action;
	int		 tx = !(r->route->flags & ROUTE_NOTX), rc;

	if (tx && (rc = db_begin(r->db)) != DB_OK) {
		resp_db(r, rc);
		(void)idem_finish(r);
		return;
	}
	if (r->route->handler(r) == -1 && !r->answered)
		resp_db(r, DB_ERROR);
	action = r->action != NULL ? r->action : r->route->action;
	/* A console form's 303 is its success (POST, then redirect). */
	if (r->status < 400 && action != NULL && *action != '\0')
		audit_write(r, action);
	if (r->status >= 400) {
		if (tx)
			db_rollback(r->db);
		/* A handler's own 403 (escalation) is on record too. */
		if (r->status == 403)
			audit_write(r, "auth.forbidden");
		(void)idem_finish(r);	/* releases the claim */
		return;
	}
	/* The kept answer commits with the change it describes. */
	if (idem_finish(r) != DB_OK)
		req_log(r, __func__, "cannot keep the idempotent answer");
	if (!tx)
		return;
	if ((rc = db_commit(r->db)) != DB_OK) {
		r->headers.len = 0;
		if (r->headers.p != NULL)
			r->headers.p[0] = '\0';
		resp_db(r, rc);
		(void)idem_finish(r);
	}
}

/*
 * Set r->path from the first plen bytes of uri (at most REQ_MAXPATH),
 * and r->uri_path, the path as links carry it: absolute from
 * UPTIME_PUBLIC_URL when it is set, else with the mount prefix the client
 * used.  That prefix must be clean (router_strip_mount): a 404, -1,
 * otherwise.
 */
static int
set_path(struct req *r, const char *uri, size_t plen)
{
	char		 got[REQ_MAXPATH + 1];
	const char	*path;
	size_t		 n;

	memcpy(got, uri, plen);
	got[plen] = '\0';
	if ((path = router_strip_mount(got)) == NULL)
		return resp_problem(r, 404, "not_found", "No such resource: "
		    "a mount prefix before /v1 or /status may hold only "
		    "segments of letters, digits and \"-._~\", none empty, "
		    "\".\" or \"..\"."), -1;
	if (cfg.public_url_set) {
		n = strlen(cfg.public_url);
		memcpy(r->uri_path, cfg.public_url, n);
	} else {
		n = (size_t)(path - got);
		memcpy(r->uri_path, got, n);
	}
	memcpy(r->uri_path + n, path, strlen(path) + 1);
	r->path = r->uri_path + n;
	return 0;
}

static void
handle(struct req *r, const struct route *routes, size_t nroutes)
{
	const char		*uri, *qs, *rid;
	char			 allow[128];
	size_t			 plen;

	r->now = time_now_ms();
	rid = req_param(r, "HTTP_X_REQUEST_ID");
	if (sane_request_id(rid))
		snprintf(r->request_id, sizeof(r->request_id), "%s", rid);
	else
		id_new(r->request_id, "req");
	r->method = req_param(r, "REQUEST_METHOD");
	if (r->method == NULL)
		r->method = "GET";
	snprintf(r->remote_addr, sizeof(r->remote_addr), "%s",
	    req_param(r, "REMOTE_ADDR") ? req_param(r, "REMOTE_ADDR") : "");

	if ((uri = req_param(r, "REQUEST_URI")) == NULL) {
		req_log(r, __func__, "REQUEST_URI is not set by the server");
		resp_db(r, DB_ERROR);
		return;
	}
	plen = strcspn(uri, "?");
	if (plen > REQ_MAXPATH) {
		resp_problem(r, 404, "not_found", "No such resource.");
		return;
	}
	if (set_path(r, uri, plen) == -1)
		return;
	qs = uri[plen] == '?' ? uri + plen + 1 : "";
	if (strlen(qs) > REQ_MAXQUERY) {
		resp_problem(r, 400, "bad_query", "The query string is longer "
		    "than %d bytes.", REQ_MAXQUERY);
		return;
	}
	strcpy(r->query, qs);

	r->route = router_match(routes, nroutes, r->method, r->path, r,
	    allow, sizeof(allow));
	if (r->route == NULL && allow[0] == '\0') {
		resp_problem(r, 404, "not_found", "No such resource.");
		return;
	}
	if (r->route == NULL && strcmp(r->method, "OPTIONS") == 0) {
		/* A CORS preflight: no key needed. */
		resp_empty(r, 204);
		resp_header(r, "Allow", "%s, OPTIONS", allow);
		resp_header(r, "Access-Control-Allow-Methods", "%s, OPTIONS",
		    allow);
		resp_header(r, "Access-Control-Allow-Headers",
		    "Authorization, Content-Type, Idempotency-Key, "
		    "X-Request-Id");
		resp_header(r, "Access-Control-Max-Age", "600");
		return;
	}
	if (r->route == NULL) {
		resp_header(r, "Allow", "%s, OPTIONS", allow);
		resp_problem(r, 405, "method_not_allowed", "%s is not allowed "
		    "here; allowed: %s.", r->method, allow);
		return;
	}
	if (r->route->scope != SCOPE_PUBLIC &&
	    auth_request(r, r->route->scope) == -1)
		return;
	if (req_parse_query(r, r->route->query) == -1 || read_body(r) == -1 ||
	    refuse_body(r) == -1)
		return;
	/* The console's pages: the form, the Origin, the session. */
	if (r->route->flags & (ROUTE_FORM | ROUTE_SESSION) &&
	    session_request(r) == -1) {
		/* Its refusals are on record as a key's are. */
		if (r->status == 401 || r->status == 403)
			audit_write(r, r->status == 401 ? "auth.failed" :
			    "auth.forbidden");
		return;
	}

	if (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0) {
		if (r->route->handler(r) == -1 && !r->answered)
			resp_db(r, DB_ERROR);
		/* A handler's own scope refusal is on record too. */
		if (r->status == 403)
			audit_write(r, "auth.forbidden");
	} else if (idem_begin(r) != IDEM_ANSWERED)
		run_write(r);
	if (!r->answered) {
		req_log(r, __func__, "handler gave no answer");
		resp_db(r, DB_ERROR);
	}
}

static void
req_reset(struct req *r, struct db *db, void *io)
{
	buf_free(&r->headers);
	buf_free(&r->out);
	free(r->body);
	memset(r, 0, sizeof(*r));
	r->db = db;
	r->io = io;
	r->status = 500;
	r->role = -1;		/* no one, until a key or a session */
}

/*
 * Everything a worker needs before its first request: configuration,
 * the shared rate-limit table beside the database, the server secret
 * and the database itself.  NULL with a message in err.
 */
static struct db *
start(char *err, size_t errlen)
{
	struct db	*db;
	char		 path[1100];

	/*
	 * Keep freed memory for the next request instead of returning the
	 * top of the heap to the kernel after each one: SQLite's temporary
	 * tables (a trigger's IN (SELECT ...), a sort) allocate and free a
	 * page cache every statement, which otherwise costs a pair of brk
	 * calls a time (docs/bench.md, "Heartbeat pings").
	 */
	mallopt(M_TRIM_THRESHOLD, 8 << 20);
	mallopt(M_TOP_PAD, 1 << 20);
	if (config_load(err, errlen) == -1)
		return NULL;
	snprintf(path, sizeof(path), "%s.ratelimit", cfg.db);
	if (!db_is_uri(cfg.db) && ratelimit_open(path, err, errlen) == -1) {
		config_blame("UPTIME_DB", err, errlen);
		return NULL;
	}
	if (auth_load_secret(cfg.secret_file, err, errlen) == -1) {
		config_blame("UPTIME_SECRET_FILE", err, errlen);
		return NULL;
	}
	if ((db = db_open(cfg.db, 1, err, errlen)) == NULL)
		config_blame("UPTIME_DB", err, errlen);
	/* Several nodes on one PostgreSQL count in the database. */
	else if (db_engine(db) == DB_POSTGRES)
		ratelimit_store(limit_count_hit, db);
	return db;
}

static int
serve(const struct route *routes, size_t nroutes)
{
	static struct req	 r;
	struct sigaction	 sa;
	sigset_t		 stop;
	FCGX_Request		 fr;
	struct db		*db;
	char			 err[1024];
	int			 cgi, fd;

	signal(SIGPIPE, SIG_IGN);
	cgi = FCGX_IsCGI();
	if (!cgi) {
		serve_nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		/* No SA_RESTART: the signal must interrupt accept(). */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = serve_on_signal;
		sigemptyset(&sa.sa_mask);
		sigaddset(&sa.sa_mask, SIGTERM);
		sigaddset(&sa.sa_mask, SIGINT);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
	}
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	if (sodium_init() == -1) {
		fprintf(stderr, "uptime: libsodium cannot start\n");
		return 1;
	}
	if ((db = start(err, sizeof(err))) == NULL) {
		if (cgi) {
			/* Answer like any other request would. */
			req_reset(&r, NULL, NULL);
			id_new(r.request_id, "req");
			r.method = getenv("REQUEST_METHOD") ?
			    getenv("REQUEST_METHOD") : "GET";
			resp_problem(&r, 500, "internal", "The service is not "
			    "configured; the server log says why.");
			cgi_drain();
			write_answer(&r);
			req_reset(&r, NULL, NULL);
		}
		fprintf(stderr, "uptime: %s\n", err);
		return 1;
	}
	if (cgi) {
		req_reset(&r, db, NULL);
		handle(&r, routes, nroutes);
		cgi_drain();
		write_answer(&r);
		/*
		 * The answer ends with its stream, so mail waits for it:
		 * standard output becomes /dev/null (not closed, so that
		 * no socket the mail opens takes its number).
		 */
		fflush(stdout);
		if ((fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) != -1) {
			(void)dup2(fd, STDOUT_FILENO);
			close(fd);
		}
		mail_flush(db);
		req_reset(&r, NULL, NULL);
		db_close(db);
		return 0;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, FCGI_LISTENSOCK_FILENO,
	    FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		fprintf(stderr, "uptime: cannot start FastCGI\n");
		db_close(db);
		return 1;
	}
	while (!serve_stopping && FCGX_Accept_r(&fr) >= 0) {
		/* A request in hand is answered before the worker stops. */
		sigprocmask(SIG_BLOCK, &stop, NULL);
		req_reset(&r, db, &fr);
		handle(&r, routes, nroutes);
		write_answer(&r);
		if (db_in_tx(db))
			db_rollback(db);
		FCGX_Finish_r(&fr);
		mail_flush(db);
		sigprocmask(SIG_UNBLOCK, &stop, NULL);
	}
	FCGX_Free(&fr, 1);
	req_reset(&r, NULL, NULL);
	db_close(db);
	if (serve_nullfd != -1)
		close(serve_nullfd);
	return 0;
}

int
serve_main(const struct route *routes, size_t nroutes, unsigned flags)
{
	int	 rc;

	if ((flags & SERVE_CURL) && curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	rc = serve(routes, nroutes);
	if (flags & SERVE_CURL)
		curl_global_cleanup();
	return rc;
}
