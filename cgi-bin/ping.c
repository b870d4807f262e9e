/*
 * ping.fcgi: heartbeat pings, public.  The token in the path is the
 * secret (or a team's ping key with a heartbeat's slug); the answer is a
 * plain "OK".  Each ping is one indexed lookup
 * and one write transaction (lib/heartbeat.c), and GET and HEAD write
 * too: a cron job's `curl -fsS URL` is a GET.
 */
#include <stdlib.h>
#include <string.h>

#include "uptime.h"
#include "heartbeat.h"
#include "limit.h"
#include "pingkey.h"

/* The token's shape: HB_TOKEN_LEN base62 characters. */
static int
token_ok(const char *t)
{
	return strlen(t) == HB_TOKEN_LEN && strspn(t, "0123456789"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") ==
	    HB_TOKEN_LEN;
}

/*
 * The exit code a path segment gives: 0 to 255; -2 when it is a number
 * out of that range or written otherwise ("256", "-1", "007"); -1 when
 * it is no number at all.
 */
static int
exit_code(const char *s)
{
	size_t	 n = strlen(s + (s[0] == '-'));
	int	 v;

	if (n == 0 || strspn(s + (s[0] == '-'), "0123456789") != n)
		return -1;
	if (s[0] == '-' || n > 3 || (n > 1 && s[0] == '0') ||
	    (v = atoi(s)) > 255)
		return -2;
	return v;
}

/*
 * Create the heartbeat of a first ping to slug with ?create=1, when the
 * ping key allows it: its own transaction, the team's monitor limit
 * counted in it.  DB_OK also when another ping created it meanwhile;
 * DB_NOTFOUND (no such key) or -1 with the answer made.
 */
static int
create_by_slug(struct req *r, const char *key, const char *slug)
{
	struct pingkey	 k;
	struct monitor	 m;
	int		 rc;

	if ((rc = db_begin(r->db)) != DB_OK)
		return resp_db(r, rc), -1;
	if ((rc = pingkey_by_secret(r->db, key, &k)) != DB_OK) {
		db_rollback(r->db);
		return rc == DB_NOTFOUND ? rc : (resp_db(r, rc), -1);
	}
	if (!k.create_on_ping) {
		db_rollback(r->db);
		pingkey_free(&k);
		return resp_problem(r, 404, "not_found", "No heartbeat has the "
		    "slug \"%s\", and this ping key does not create them "
		    "(createOnPing is false).", slug), -1;
	}
	if (limit_check_team(r, LIMIT_MONITORS, k.team_id) == -1) {
		db_rollback(r->db);
		pingkey_free(&k);
		return -1;
	}
	rc = pingkey_heartbeat(&k, slug, r->now, &m) == 0 ? DB_OK : DB_ERROR;
	if (rc == DB_OK) {
		rc = monitor_insert(r->db, &m);
		monitor_free(&m);
	}
	pingkey_free(&k);
	if (rc == DB_CONFLICT)		/* made by a ping meanwhile */
		rc = DB_OK;
	if (rc == DB_OK && (rc = db_commit(r->db)) == DB_OK)
		return DB_OK;
	db_rollback(r->db);
	return resp_db(r, rc), -1;
}

/*
 * Record a ping of kind to token, or with slug to the heartbeat of that
 * slug in the team of the ping key token names; code is its exit code
 * (-1: none).  Answers every outcome.
 */
static int
ping(struct req *r, const char *token, const char *slug,
    enum ping_kind kind, int code)
{
	struct ping_in	 p;
	/* Given, create is declared (q_create): 0 or 1. */
	const char	*c = req_query(r, "create");
	int		 retry, rc, create = c != NULL && req_enum(r, "create");

	if (c != NULL && slug == NULL)
		return resp_problem(r, 400, "bad_query", "create applies to "
		    "pings by slug (/v1/ping/{pingKey}/{slug}) only.");
	if (slug == NULL ? !token_ok(token) : !pingkey_format_ok(token))
		return resp_problem(r, 404, "not_found", "No such ping URL.");
	if (slug != NULL && !heartbeat_slug_valid(slug))
		return create ? resp_problem(r, 400, "bad_slug", "A heartbeat's "
		    "slug is 1 to %d characters of a-z, 0-9, - and _, starting "
		    "with a letter or digit, and not start or fail: \"%.64s\" "
		    "cannot be created.", HB_SLUG_MAX, slug) :
		    resp_problem(r, 404, "not_found", "No such ping URL.");
	memset(&p, 0, sizeof(p));
	p.token = token;
	p.slug = slug;
	p.kind = kind;
	p.exit_code = code;
	p.at = r->now;
	p.ip = r->remote_addr;
	/* A POST body is the run's log: its first HB_MAXBODY bytes. */
	if (strcmp(r->method, "POST") == 0 && r->body != NULL) {
		p.body = r->body;
		p.bodylen = r->bodylen > HB_MAXBODY ? HB_MAXBODY : r->bodylen;
	}
	rc = heartbeat_ping(r->db, &p, &retry);
	if (rc == DB_NOTFOUND && create) {
		if ((rc = create_by_slug(r, token, slug)) == -1)
			return 0;
		if (rc == DB_OK)
			rc = heartbeat_ping(r->db, &p, &retry);
	}
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

/* An exit code's ping: 0 a success, 1..255 a failure; a bad one 400. */
static int
ping_exit(struct req *r, const char *token, const char *slug,
    const char *seg)
{
	int	 code = exit_code(seg);

	if (code == -1)
		return resp_problem(r, 404, "not_found", "No such ping URL.");
	if (code == -2)
		return resp_problem(r, 400, "bad_exit_code", "The exit code "
		    "in the path must be a whole number from 0 to 255 "
		    "written plainly; \"%.16s\" is not.", seg);
	return ping(r, token, slug, code == 0 ? PING_SUCCESS : PING_FAIL,
	    code);
}

/*
 * GET|HEAD|POST /v1/ping/{token}
 * No key.  A success: 200 text/plain "OK"; 400 bad_query; 404 unknown
 * token; 413 body over 1 MiB; 429 rate_limited with Retry-After.
 */
static int
ping_success(struct req *r)
{
	return ping(r, r->args[0], NULL, PING_SUCCESS, -1);
}

/*
 * GET|HEAD|POST /v1/ping/{token}/start
 * No key.  A run started: 200 text/plain "OK"; 400 bad_query; 404
 * unknown token; 413 body over 1 MiB; 429 rate_limited with Retry-After.
 */
static int
ping_start(struct req *r)
{
	return ping(r, r->args[0], NULL, PING_START, -1);
}

/*
 * GET|HEAD|POST /v1/ping/{token}/fail
 * No key.  A failure: 200 text/plain "OK"; 400 bad_query; 404 unknown
 * token; 413 body over 1 MiB; 429 rate_limited with Retry-After.
 */
static int
ping_fail(struct req *r)
{
	return ping(r, r->args[0], NULL, PING_FAIL, -1);
}

/*
 * GET|HEAD|POST /v1/ping/{token}/{signal}?create
 * No key.  After a ping token, signal is an exit code (0 a success,
 * 1..255 a failure with that code); after a team's ping key, a
 * heartbeat's slug (a success; ?create=1 makes the heartbeat on its
 * first ping when the key allows).  200 text/plain "OK"; 400 bad_query,
 * bad_exit_code, bad_slug; 404 unknown token, key or slug; 409
 * limit_exceeded (a heartbeat to create past UPTIME_MAX_MONITORS); 413
 * body over 1 MiB; 429 rate_limited with Retry-After.
 */
static int
ping_signal(struct req *r)
{
	if (pingkey_format_ok(r->args[0]))
		return ping(r, r->args[0], r->args[1], PING_SUCCESS, -1);
	return ping_exit(r, r->args[0], NULL, r->args[1]);
}

/*
 * GET|HEAD|POST /v1/ping/{key}/{slug}/start?create
 * No key but the ping key.  A run of the slug's heartbeat started: 200
 * text/plain "OK"; 400 bad_query, bad_slug; 404 unknown key or slug; 409
 * limit_exceeded; 413 body over 1 MiB; 429 rate_limited with
 * Retry-After.
 */
static int
ping_slug_start(struct req *r)
{
	return ping(r, r->args[0], r->args[1], PING_START, -1);
}

/*
 * GET|HEAD|POST /v1/ping/{key}/{slug}/fail?create
 * No key but the ping key.  The slug's heartbeat failed: 200 text/plain
 * "OK"; 400 bad_query, bad_slug; 404 unknown key or slug; 409
 * limit_exceeded; 413 body over 1 MiB; 429 rate_limited with
 * Retry-After.
 */
static int
ping_slug_fail(struct req *r)
{
	return ping(r, r->args[0], r->args[1], PING_FAIL, -1);
}

/*
 * GET|HEAD|POST /v1/ping/{key}/{slug}/{code}?create
 * No key but the ping key.  The slug's heartbeat ran with exit code
 * code: 0 a success, 1..255 a failure.  200 text/plain "OK"; 400
 * bad_query, bad_exit_code, bad_slug; 404 unknown key or slug (or a code
 * that is no number); 409 limit_exceeded; 413 body over 1 MiB; 429
 * rate_limited with Retry-After.
 */
static int
ping_slug_exit(struct req *r)
{
	return ping_exit(r, r->args[0], r->args[1], r->args[2]);
}

/*
 * ROUTE_NOTX: the handler runs its own transaction (GET and HEAD write
 * too).  ROUTE_RAWBODY: a POST body is any bytes, kept as the log.  The
 * literal routes come before the ones they would also match.
 */
static const char *const create_names[] = { "0", "1" };

static const struct qspec q_create[] = {
	Q_ENUM_DEF("create", create_names, 2, 0), Q_END
};

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
	{ "GET", "/v1/ping/{*token}/{*signal}", SCOPE_PUBLIC, ping_signal,
	    NULL, q_create, ROUTE_NOTX | ROUTE_RAWBODY },
	{ "POST", "/v1/ping/{*token}/{*signal}", SCOPE_PUBLIC, ping_signal,
	    NULL, q_create, ROUTE_NOTX | ROUTE_RAWBODY },
	{ "GET", "/v1/ping/{*key}/{*slug}/start", SCOPE_PUBLIC,
	    ping_slug_start, NULL, q_create, ROUTE_NOTX | ROUTE_RAWBODY },
	{ "POST", "/v1/ping/{*key}/{*slug}/start", SCOPE_PUBLIC,
	    ping_slug_start, NULL, q_create, ROUTE_NOTX | ROUTE_RAWBODY },
	{ "GET", "/v1/ping/{*key}/{*slug}/fail", SCOPE_PUBLIC,
	    ping_slug_fail, NULL, q_create, ROUTE_NOTX | ROUTE_RAWBODY },
	{ "POST", "/v1/ping/{*key}/{*slug}/fail", SCOPE_PUBLIC,
	    ping_slug_fail, NULL, q_create, ROUTE_NOTX | ROUTE_RAWBODY },
	{ "GET", "/v1/ping/{*key}/{*slug}/{*code}", SCOPE_PUBLIC,
	    ping_slug_exit, NULL, q_create, ROUTE_NOTX | ROUTE_RAWBODY },
	{ "POST", "/v1/ping/{*key}/{*slug}/{*code}", SCOPE_PUBLIC,
	    ping_slug_exit, NULL, q_create, ROUTE_NOTX | ROUTE_RAWBODY },
};

int
main(void)
{
	return serve_main(routes, sizeof(routes) / sizeof(routes[0]), 0);
}
