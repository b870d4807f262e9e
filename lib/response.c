/*
 * Building answers: the success envelope, RFC 9457 problem details and
 * extra headers.  The serve loop (request.c) writes them out with the
 * headers every answer carries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "buf.h"
#include "db.h"
#include "json.h"
#include "jsonw.h"
#include "req.h"
#include "response.h"
#include "timefmt.h"

const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default:  return "Internal Server Error";
	}
}

/* Replace whatever answer was being built. */
static void
reset(struct req *r)
{
	r->out.len = 0;
	if (r->out.p != NULL)
		r->out.p[0] = '\0';
	r->answered = 1;
}

/* The answer when it could not be built. */
static int
internal(struct req *r)
{
	reset(r);
	r->status = 500;
	r->ctype = "application/problem+json";
	return buf_puts(&r->out, "{\"type\":\"/problems/internal\","
	    "\"title\":\"Internal Server Error\",\"status\":500,"
	    "\"code\":\"internal\"}");
}

static int
put_json(struct req *r, int status, cJSON *root, const char *ctype)
{
	char	*s;
	int	 rc = 0;

	if (root == NULL || (s = cJSON_PrintUnformatted(root)) == NULL) {
		cJSON_Delete(root);
		return internal(r);
	}
	reset(r);
	r->status = status;
	r->ctype = ctype;
	if (buf_puts(&r->out, s) == -1)
		rc = -1;
	free(s);
	cJSON_Delete(root);
	return rc;
}

void
resp_open(struct req *r, int status, struct jw *w)
{
	reset(r);
	r->status = status;
	r->ctype = "application/json";
	jw_start(w, &r->out);
	jw_obj(w, NULL);
	jw_key(w, "data");
}

/* Close the envelope with its meta (and a list's pagination). */
static int
close_meta(struct req *r, struct jw *w, int list, const char *next,
    int perpage)
{
	jw_obj(w, "meta");
	jw_str(w, "requestId", r->request_id);
	jw_time(w, "timestamp", r->now);
	if (list) {
		jw_obj(w, "pagination");
		jw_str(w, "next", next);
		jw_int(w, "perPage", perpage);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
	return jw_failed(w) || w->depth != 0 ? internal(r) : 0;
}

int
resp_close(struct req *r, struct jw *w)
{
	return close_meta(r, w, 0, NULL, 0);
}

int
resp_data(struct req *r, int status, cJSON *data)
{
	struct jw	 w;

	resp_open(r, status, &w);
	jw_cjson(&w, NULL, data);
	cJSON_Delete(data);
	return resp_close(r, &w);
}

int
resp_list(struct req *r, const struct buf *items, const char *next,
    int perpage)
{
	struct buf	 link = { NULL, 0, 0 };
	struct jw	 w;
	size_t		 i;
	int		 rc;

	resp_open(r, 200, &w);
	jw_raw(&w, NULL, items->p, items->len);
	rc = close_meta(r, &w, 1, next, perpage);

	if (next != NULL && rc == 0) {
		/* The same request with cursor replaced, from the path as
		 * links carry it (request.c, set_path()). */
		if (buf_printf(&link, "<%s?", r->uri_path) == -1)
			goto done;
		for (i = 0; i < r->nq; i++) {
			if (strcmp(r->q[i].name, "cursor") == 0)
				continue;
			if (buf_printf(&link, "%s=", r->q[i].name) == -1)
				goto done;
			/* Values we accept are plain; escape the rest. */
			for (const char *p = r->q[i].value; *p; p++)
				if (buf_printf(&link, strchr("-_.~:",
				    *p) || (*p >= '0' && *p <= '9') ||
				    (*p >= 'A' && *p <= 'Z') ||
				    (*p >= 'a' && *p <= 'z') ? "%c" : "%%%02X",
				    (unsigned char)*p) == -1)
					goto done;
			if (buf_puts(&link, "&") == -1)
				goto done;
		}
		if (buf_printf(&link, "cursor=%s>; rel=\"next\"", next) == 0)
			rc = resp_header(r, "Link", "%s", link.p);
	}
done:
	buf_free(&link);
	return rc;
}

int
resp_empty(struct req *r, int status)
{
	reset(r);
	r->status = status;
	r->ctype = NULL;
	return 0;
}

int
resp_text(struct req *r, int status, const char *text)
{
	reset(r);
	r->status = status;
	r->ctype = "text/plain";
	return buf_puts(&r->out, text);
}

int
resp_body(struct req *r, int status, const char *ctype, struct buf *body)
{
	reset(r);
	buf_free(&r->out);
	r->out = *body;
	memset(body, 0, sizeof(*body));
	r->status = status;
	r->ctype = ctype;
	return 0;
}

int
resp_html(struct req *r, int status, const char *html)
{
	reset(r);
	r->status = status;
	r->ctype = "text/html";
	return buf_puts(&r->out, html);
}

static cJSON *
problem(struct req *r, int status, const char *code, const char *detail)
{
	cJSON	*p = cJSON_CreateObject();
	char	 type[96];

	snprintf(type, sizeof(type), "/problems/%s", code);
	cJSON_AddStringToObject(p, "type", type);
	cJSON_AddStringToObject(p, "title", status_text(status));
	cJSON_AddNumberToObject(p, "status", status);
	cJSON_AddStringToObject(p, "detail", detail);
	cJSON_AddStringToObject(p, "code", code);
	cJSON_AddStringToObject(p, "requestId", r->request_id);
	return p;
}

/* problem() with the detail formatted from fmt and ap. */
static cJSON	*problem_fmt(struct req *, int, const char *, const char *,
		    va_list) PRINTF(4, 0);

static cJSON *
problem_fmt(struct req *r, int status, const char *code, const char *fmt,
    va_list ap)
{
	char	 detail[512];

	vsnprintf(detail, sizeof(detail), fmt, ap);
	return problem(r, status, code, detail);
}

int
resp_problem(struct req *r, int status, const char *code, const char *fmt,
    ...)
{
	va_list	 ap;
	cJSON	*p;

	va_start(ap, fmt);
	p = problem_fmt(r, status, code, fmt, ap);
	va_end(ap);
	put_json(r, status, p, "application/problem+json");
	return 0;
}

int
resp_problem_member(struct req *r, int status, const char *code,
    const char *name, const char *value, const char *fmt, ...)
{
	va_list	 ap;
	cJSON	*p;

	va_start(ap, fmt);
	p = problem_fmt(r, status, code, fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(p, name, value);
	put_json(r, status, p, "application/problem+json");
	return 0;
}

int
resp_problem_limit(struct req *r, int status, const char *code, long limit,
    const char *setting, const char *fmt, ...)
{
	va_list	 ap;
	cJSON	*p;

	va_start(ap, fmt);
	p = problem_fmt(r, status, code, fmt, ap);
	va_end(ap);
	cJSON_AddNumberToObject(p, "limit", (double)limit);
	cJSON_AddStringToObject(p, "setting", setting);
	put_json(r, status, p, "application/problem+json");
	return 0;
}

int
resp_verrs(struct req *r, const struct verrs *v)
{
	return resp_verrs_with(r, v, NULL, NULL, NULL);
}

int
resp_verrs_with(struct req *r, const struct verrs *v, const char *detail,
    void (*each)(cJSON *, size_t, void *), void *arg)
{
	static const char *const codes[VERR__MAX] = {
		"validation_error", "unknown_field", "read_only_field"
	};
	static const char *const details[VERR__MAX] = {
		"Some fields are not valid.",
		"The body has fields this resource does not have.",
		"The body sets fields that are read-only.",
	};
	enum verr_kind	 k = VERR_INVALID;
	cJSON		*p, *errs, *e;
	size_t		 i;

	/* The most basic mistake names the problem; errors lists all. */
	for (i = 0; i < v->n; i++)
		if (v->e[i].kind == VERR_UNKNOWN)
			k = VERR_UNKNOWN;
		else if (v->e[i].kind == VERR_READONLY && k == VERR_INVALID)
			k = VERR_READONLY;
	p = problem(r, 400, codes[k], detail != NULL ? detail : details[k]);
	errs = cJSON_AddArrayToObject(p, "errors");
	for (i = 0; i < v->n; i++) {
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "pointer", v->e[i].pointer);
		cJSON_AddStringToObject(e, "detail", v->e[i].detail);
		if (each != NULL)
			each(e, i, arg);
		cJSON_AddItemToArray(errs, e);
	}
	put_json(r, 400, p, "application/problem+json");
	return 0;
}

int
resp_found(struct req *r, int dbrc)
{
	if (dbrc == DB_OK)
		return 0;
	resp_db(r, dbrc);
	return -1;
}

int
resp_deleted(struct req *r, int dbrc)
{
	return dbrc == DB_OK ? resp_empty(r, 204) : resp_db(r, dbrc);
}

void
resp_location(struct req *r, const char *id)
{
	snprintf(r->target_id, sizeof(r->target_id), "%s", id);
	resp_header(r, "Location", "%s/%s", r->uri_path, id);
}

int
resp_created(struct req *r, const char *id, cJSON *data)
{
	resp_location(r, id);
	return resp_data(r, 201, data);
}

int
resp_db(struct req *r, int dbrc)
{
	switch (dbrc) {
	case DB_NOTFOUND:
		return resp_problem(r, 404, "not_found", "No such resource.");
	case DB_CONFLICT:
		return resp_problem(r, 409, "conflict",
		    "The change conflicts with the current state.");
	case DB_BUSY:
		resp_header(r, "Retry-After", "1");
		return resp_problem(r, 503, "unavailable",
		    "The service is busy; retry shortly.");
	default:
		return resp_problem(r, 500, "internal",
		    "Something went wrong on our side; the request id "
		    "identifies it in our logs.");
	}
}

int
resp_header(struct req *r, const char *name, const char *fmt, ...)
{
	va_list	 ap;
	char	 v[2048];
	char	*p;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	for (p = v; *p != '\0'; p++)	/* never split a header */
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	return buf_printf(&r->headers, "%s: %s\r\n", name, v);
}

void
req_log(struct req *r, const char *func, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "uptime: %s: request %s: %s\n", func,
	    r ? r->request_id : "-", msg);
}
