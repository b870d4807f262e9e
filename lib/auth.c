/*
 * Authentication: the request's key looked up by its keyed hash
 * (keyhash.c), its scopes checked against the route's, failures counted
 * and refusals audited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "apikey.h"
#include "audit.h"
#include "auth.h"
#include "base.h"
#include "config.h"
#include "db.h"
#include "keyhash.h"
#include "location.h"
#include "member.h"
#include "ratelimit.h"
#include "req.h"
#include "response.h"
#include "scope.h"

#define KEY_TOUCH_MS	60000	/* write lastUsedAt at most once a minute */

/*
 * Record a refused request of key k (NULL when none was recognised; then
 * the prefix presented, if any); failures here only get logged.
 */
static void
audit_refusal(struct req *r, const struct apikey *k, const char *prefix,
    const char *action, int status)
{
	struct audit_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.at = r->now;
	if (k != NULL) {
		snprintf(ev.key_id, sizeof(ev.key_id), "%s", k->id);
		snprintf(ev.member_id, sizeof(ev.member_id), "%s", k->holder);
		prefix = k->prefix;
	}
	snprintf(ev.key_prefix, sizeof(ev.key_prefix), "%s",
	    prefix ? prefix : "");
	snprintf(ev.action, sizeof(ev.action), "%s", action);
	snprintf(ev.method, sizeof(ev.method), "%s", r->method);
	snprintf(ev.path, sizeof(ev.path), "%s", r->path);
	ev.status = status;
	snprintf(ev.ip, sizeof(ev.ip), "%s", r->remote_addr);
	if (audit_record(r->db, k != NULL ? k->team_id : NULL, &ev) != DB_OK)
		req_log(r, __func__, "cannot record %s", action);
}

/* 429 with Retry-After; returns -1 for the callers' convenience. */
static int
too_many(struct req *r, int reset, const char *what)
{
	r->headers.len = 0;
	if (r->headers.p != NULL)
		r->headers.p[0] = '\0';
	resp_header(r, "Retry-After", "%d", reset);
	resp_problem(r, 429, "rate_limited", "Too many %s; retry in %d "
	    "seconds.", what, reset);
	return -1;
}

/*
 * Is this failed authentication to be written to the audit trail?  At
 * most UPTIME_AUTH_FAIL_LIMIT a minute are, across all clients (as many
 * as one client may fail): a client with many addresses cannot grow the
 * table faster than that.  Past it, one log line a minute says so.
 */
static int
record_failure(struct req *r)
{
	long	 n;
	int	 reset;

	n = ratelimit_hit("f:", r->now, &reset);
	if (n == cfg.auth_fail_limit + 1)
		req_log(r, __func__, "more than %ld failed authentications "
		    "this minute; the rest of the minute's are not recorded",
		    cfg.auth_fail_limit);
	return n >= 0 && n <= cfg.auth_fail_limit;
}

static int
unauthorized(struct req *r, const char *code, const char *detail,
    const struct apikey *k, const char *prefix)
{
	char	 name[IP_MAX + 8];
	long	 n;
	int	 reset;

	/* Failed authentication is limited per client (an address, an
	 * IPv6 /64); past the limit the answer is 429 and nothing is
	 * written. */
	memcpy(name, "a:", 2);
	ratelimit_client(r->remote_addr, name + 2, sizeof(name) - 2);
	n = ratelimit_hit(name, r->now, &reset);
	if (n == -1 || n > cfg.auth_fail_limit)
		return too_many(r, reset, "failed authentications from this "
		    "address");
	if (strcmp(code, "missing_credentials") == 0)
		resp_header(r, "WWW-Authenticate", "Bearer realm=\"uptime\"");
	else
		resp_header(r, "WWW-Authenticate", "Bearer realm=\"uptime\", "
		    "error=\"invalid_token\", error_description=\"%s\"",
		    strcmp(code, "key_expired") == 0 ? "The key has expired" :
		    "The key is not valid");
	resp_problem(r, 401, code, "%s", detail);
	if (record_failure(r))
		audit_refusal(r, k, prefix, "auth.failed", 401);
	return -1;
}

/*
 * The request's bearer token (a key starting prefix, sent as what), or
 * NULL once answered: no server secret (500), no header or not Bearer
 * (401).
 */
static const char *
bearer(struct req *r, const char *prefix, const char *what)
{
	const char	*h, *tok;
	char		 detail[128];

	if (!key_have_secret()) {
		req_log(r, __func__, "no server secret loaded");
		resp_db(r, DB_ERROR);
		return NULL;
	}
	h = req_param(r, "HTTP_AUTHORIZATION");
	if (h == NULL || *h == '\0') {
		snprintf(detail, sizeof(detail), "Send \"Authorization: Bearer "
		    "%s...\" with %s.", prefix, what);
		(void)unauthorized(r, "missing_credentials", detail, NULL,
		    NULL);
		return NULL;
	}
	if (strncasecmp(h, "Bearer ", 7) != 0) {
		snprintf(detail, sizeof(detail), "Only the Bearer scheme is "
		    "accepted: \"Authorization: Bearer %s...\".", prefix);
		(void)unauthorized(r, "invalid_key", detail, NULL, NULL);
		return NULL;
	}
	for (tok = h + 7; *tok == ' '; tok++)
		continue;
	return tok;
}

int
auth_request(struct req *r, int scope)
{
	static struct apikey	 key;
	const char		*tok;
	char			 prefix[KEY_SHOWNLEN + 1];
	char			 name[ID_MAX + 4];
	unsigned char		 hash[KEY_HASHLEN];
	long			 count;
	int			 rc;

	r->key = NULL;
	if ((tok = bearer(r, KEY_PREFIX, "an API key")) == NULL)
		return -1;
	if (!key_check_format(tok))
		return unauthorized(r, "invalid_key", "The API key is "
		    "malformed: check that it was copied whole.", NULL, NULL);
	snprintf(prefix, sizeof(prefix), "%.*s", KEY_SHOWNLEN, tok);

	key_hash(tok, hash);
	rc = apikey_by_hash(r->db, hash, &key);
	sodium_memzero(hash, sizeof(hash));
	if (rc == DB_NOTFOUND)
		return unauthorized(r, "invalid_key", "The API key is not "
		    "valid.", NULL, prefix);
	if (rc != DB_OK) {
		resp_db(r, rc);
		return -1;
	}
	switch (apikey_status(&key, r->now)) {
	case KEY_REVOKED:
		return unauthorized(r, "invalid_key", "The API key has been "
		    "revoked.", &key, NULL);
	case KEY_EXPIRED:
		return unauthorized(r, "key_expired", "The API key has "
		    "expired; create a new one.", &key, NULL);
	default:
		break;
	}
	/* Its holder removed from the team (the keys are revoked then:
	 * this is the guard should one be left). */
	if (key.holder_role == -1)
		return unauthorized(r, "invalid_key", "The API key's holder is "
		    "no longer a member of the team.", &key, NULL);
	r->key = &key;
	r->role = key.holder_role;
	r->scopes = member_key_scopes(key.scopes, key.holder_role);
	snprintf(r->member_id, sizeof(r->member_id), "%s", key.holder);

	/* Every authenticated request counts against its key's budget;
	 * one that cannot be counted is refused. */
	snprintf(name, sizeof(name), "k:%s", key.id);
	count = ratelimit_hit(name, r->now, &r->rl_reset);
	if (count != 0) {
		r->rl_limit = cfg.rate_limit;
		r->rl_remaining = count == -1 || count >= cfg.rate_limit ? 0 :
		    cfg.rate_limit - count;
		if (count == -1 || count > cfg.rate_limit) {
			r->key = NULL;
			r->scopes = 0;
			return too_many(r, r->rl_reset, "requests with this "
			    "API key");
		}
	}

	/* Reads stay reads: the usage stamp is written once a minute. */
	if (key.last_used_at == 0 || r->now - key.last_used_at >= KEY_TOUCH_MS)
		(void)apikey_touch(r->db, &key, r->remote_addr, r->now);

	if (scope >= 0 && auth_scope(r, scope) == -1) {
		audit_refusal(r, &key, NULL, "auth.forbidden", 403);
		r->key = NULL;
		r->scopes = 0;
		return -1;
	}
	return 0;
}

int
auth_scope(struct req *r, int scope)
{
	unsigned	 bit = 1u << scope;

	if (r->key != NULL && (r->scopes & bit))
		return 0;
	resp_header(r, "WWW-Authenticate", "Bearer realm=\"uptime\", "
	    "error=\"insufficient_scope\", scope=\"%s\"", scope_names[scope]);
	if (r->key != NULL && (r->key->scopes & bit))
		resp_problem_member(r, 403, "insufficient_scope",
		    "requiredScope", scope_names[scope], "This API key holds "
		    "the %s scope that this request needs, but the role of "
		    "the member who holds the key (%s) does not grant it.",
		    scope_names[scope], member_role_names[r->role]);
	else
		resp_problem_member(r, 403, "insufficient_scope",
		    "requiredScope", scope_names[scope], "This API key lacks "
		    "the %s scope that this request needs.",
		    scope_names[scope]);
	return -1;
}

int
auth_role(struct req *r, int target, int want)
{
	const char	*mine = r->role >= 0 && r->role < ROLE__MAX ?
			    member_role_names[r->role] : "none";

	switch (member_may_set(r->role, target, want)) {
	case MEMBER_ALLOWED:
		return 0;
	case MEMBER_OUTRANKED:
		resp_problem(r, 403, "outranked", "This member's role (%s) is "
		    "above the role this request acts with (%s): only the %s "
		    "role or above can change or remove them.",
		    member_role_names[target], mine,
		    member_role_names[target]);
		return -1;
	default:
		resp_problem(r, 403, "escalation_refused", "The role this "
		    "request acts with (%s) cannot give the %s role, which is "
		    "above it.", mine, member_role_names[want]);
		return -1;
	}
}

int
auth_location(struct req *r, struct location *loc)
{
	const char	*tok;
	char		 name[ID_MAX + 4];
	long		 count;
	int		 rc;

	if ((tok = bearer(r, LOCTOKEN_PREFIX, "the location's token")) ==
	    NULL)
		return -1;
	if (!token_check_format(LOCTOKEN_PREFIX, tok))
		return unauthorized(r, "invalid_key", "The location token is "
		    "malformed: check that it was copied whole.", NULL, NULL);
	if ((rc = location_by_token(r->db, tok, loc)) == DB_NOTFOUND)
		return unauthorized(r, "invalid_key", "The location token is "
		    "not valid.", NULL, NULL);
	if (rc != DB_OK)
		return resp_db(r, rc), -1;
	snprintf(r->team_id, sizeof(r->team_id), "%s", loc->team_id);

	/* A location's requests count against the key budget too. */
	snprintf(name, sizeof(name), "l:%s", loc->id);
	count = ratelimit_hit(name, r->now, &r->rl_reset);
	if (count == -1 || count > cfg.rate_limit)
		return too_many(r, r->rl_reset, "requests with this location "
		    "token");
	return 0;
}
