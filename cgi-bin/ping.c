/*
 * ping.fcgi: heartbeat pings, public.  The token in the path is the
 * secret; the answer is a plain "OK".  Each ping is one indexed lookup
 * and one write transaction (lib/heartbeat.c), and GET and HEAD write
 * too: a cron job's `curl -fsS URL` is a GET.
 */
#include <string.h>

#include "uptime.h"
#include "heartbeat.h"

/* The token's shape: HB_TOKEN_LEN base62 characters. */
static int
token_ok(const char *t)
{
	return strlen(t) == HB_TOKEN_LEN && strspn(t, "0123456789"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") ==
	    HB_TOKEN_LEN;
}

static int
ping(struct req *r, enum ping_kind kind)
{
	struct ping_in	 p;
	int		 retry, rc;

	if (!token_ok(r->args[0]))
		return resp_problem(r, 404, "not_found", "No such ping URL.");
	memset(&p, 0, sizeof(p));
	p.token = r->args[0];
	p.kind = kind;
	p.at = r->now;
	p.ip = r->remote_addr;
	/* A POST body is the run's log: its first HB_MAXBODY bytes. */
	if (strcmp(r->method, "POST") == 0 && r->body != NULL) {
		p.body = r->body;
		p.bodylen = r->bodylen > HB_MAXBODY ? HB_MAXBODY : r->bodylen;
	}
	rc = heartbeat_ping(r->db, &p, &retry);
	if (rc == DB_NOTFOUND)
		return resp_problem(r, 404, "not_found", "No such ping URL.");
	if (rc != DB_OK)
		return resp_db(r, rc);
	if (retry > 0) {
		resp_header(r, "Retry-After", "%d", retry);
		return resp_problem(r, 429, "rate_limited", "This ping URL has "
		    "had %d pings this minute; retry in %d s.", HB_RATE_LIMIT,
		    retry);
	}
	return resp_text(r, 200, "OK");
}

/*
 * GET|HEAD|POST /v1/ping/{token}
 * No key.  A success: 200 text/plain "OK"; 404 unknown token; 413 body
 * over 1 MiB; 429 rate_limited with Retry-After.
 */
static int
ping_success(struct req *r)
{
	return ping(r, PING_SUCCESS);
}

/*
 * GET|HEAD|POST /v1/ping/{token}/start
 * No key.  A run started: 200 text/plain "OK"; 404 unknown token; 413
 * body over 1 MiB; 429 rate_limited with Retry-After.
 */
static int
ping_start(struct req *r)
{
	return ping(r, PING_START);
}

/*
 * GET|HEAD|POST /v1/ping/{token}/fail
 * No key.  A failure: 200 text/plain "OK"; 404 unknown token; 413 body
 * over 1 MiB; 429 rate_limited with Retry-After.
 */
static int
ping_fail(struct req *r)
{
	return ping(r, PING_FAIL);
}

/*
 * ROUTE_NOTX: the handler runs its own transaction (GET and HEAD write
 * too).  ROUTE_RAWBODY: a POST body is any bytes, kept as the log.
 */
static const struct route routes[] = {
	{ "GET", "/v1/ping/{*token}", SCOPE_PUBLIC, ping_success, NULL, NULL,
	    ROUTE_NOTX | ROUTE_RAWBODY },
	{ "POST", "/v1/ping/{*token}", SCOPE_PUBLIC, ping_success, NULL, NULL,
	    ROUTE_NOTX | ROUTE_RAWBODY },
	{ "GET", "/v1/ping/{*token}/start", SCOPE_PUBLIC, ping_start, NULL, NULL,
	    ROUTE_NOTX | ROUTE_RAWBODY },
	{ "POST", "/v1/ping/{*token}/start", SCOPE_PUBLIC, ping_start, NULL,
	    NULL, ROUTE_NOTX | ROUTE_RAWBODY },
	{ "GET", "/v1/ping/{*token}/fail", SCOPE_PUBLIC, ping_fail, NULL, NULL,
	    ROUTE_NOTX | ROUTE_RAWBODY },
	{ "POST", "/v1/ping/{*token}/fail", SCOPE_PUBLIC, ping_fail, NULL, NULL,
	    ROUTE_NOTX | ROUTE_RAWBODY },
};

int
main(void)
{
	return serve_main(routes, sizeof(routes) / sizeof(routes[0]), 0);
}
