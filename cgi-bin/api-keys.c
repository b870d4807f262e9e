/*
 * api-keys.fcgi: API keys and the audit trail.
 *
 * No key may give more than it has: a key creates or rotates only keys
 * whose scopes are a subset of what it may do (its own scopes that its
 * holder's role grants too: r->scopes) and whose expiry is no later than
 * its own (so a key with an expiry cannot make one without).  Nor may it
 * take away more than it has: it revokes only keys whose scopes are a
 * subset of the same, so a key with api-keys:write alone cannot lock its
 * team out by revoking the team's broader keys.  A key made here has the
 * holder of the key that made it (docs/console.md, "Roles").
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "uptime.h"
#include "limit.h"
#include "member.h"

static const struct jfield key_fields[] = {
	{ "name", 0 },
	{ "scopes", 0 },
	{ "expiresAt", 0 },
	{ "id", 1 },
	{ "keyPrefix", 1 },
	{ "createdAt", 1 },
	{ "lastUsedAt", 1 },
	{ "lastUsedIp", 1 },
	{ "revokedAt", 1 },
	{ "status", 1 },
	{ "createdByKeyId", 1 },
	{ "createdByMemberId", 1 },
	{ "holderMemberId", 1 },
	{ "key", 1 },
	{ NULL, 0 }
};

/* Answer 403 when scopes hold one the calling key may not use; verb
 * says what the caller tried ("give", "revoke a key with"). */
static int
exceeds_scopes(struct req *r, unsigned scopes, const char *verb)
{
	int	 i;

	for (i = 0; i < SCOPE__MAX; i++) {
		if (!(scopes & (1u << i)) || (r->scopes & (1u << i)))
			continue;
		if (r->key->scopes & (1u << i))
			resp_problem_member(r, 403, "escalation_refused",
			    "scope", scope_names[i], "A key cannot %s a "
			    "scope its holder's role (%s) does not grant: %s.",
			    verb, member_role_names[r->role], scope_names[i]);
		else
			resp_problem_member(r, 403, "escalation_refused",
			    "scope", scope_names[i], "A key cannot %s a "
			    "scope it does not have: %s.", verb,
			    scope_names[i]);
		return 1;
	}
	return 0;
}

/* Answer 403 when target (scopes, expiry) exceeds the calling key. */
static int
escalates(struct req *r, unsigned scopes, int64_t expires)
{
	const struct apikey	*me = r->key;

	if (exceeds_scopes(r, scopes, "give"))
		return 1;
	if (me->expires_at != 0 && (expires == 0 || expires > me->expires_at)) {
		resp_problem(r, 403, "escalation_refused", "This key expires; "
		    "the key it makes must expire no later than it does.");
		return 1;
	}
	return 0;
}

/* The key object plus its secret: only create and rotate say it. */
static int
answer_with_secret(struct req *r, int status, const struct apikey *k,
    char *secret)
{
	cJSON	*o = apikey_json(k, r->now);

	cJSON_AddStringToObject(o, "key", secret);
	sodium_memzero(secret, KEY_LEN);
	snprintf(r->target_id, sizeof(r->target_id), "%s", k->id);
	return resp_data(r, status, o);
}

/*
 * GET /v1/api-keys?status=active|expired|revoked|all
 * Scope api-keys:read.  200 with a page of keys; 400 bad_query.
 */
static int
keys_list(struct req *r)
{
	struct lister	 l;

	list_start(r, &l);
	return list_answer(r, &l, apikey_list(r->db, r->key->team_id,
	    (enum key_status)req_enum(r, "status"), &l));
}

/*
 * POST /v1/api-keys {name, scopes, expiresAt?}
 * Scope api-keys:write.  201 with the key and its secret, Location;
 * 400 invalid body, 403 escalation_refused, 409 limit_exceeded.
 */
static int
keys_create(struct req *r)
{
	struct apikey	 k;
	struct verrs	 v = { 0 };
	const cJSON	*scopes, *s;
	cJSON		*body;
	const char	*name = NULL;
	char		 secret[KEY_LEN + 1], ptr[32];
	int		 i, n = 0, isnull, rc;

	if ((body = req_json(r)) == NULL)
		return 0;
	memset(&k, 0, sizeof(k));
	json_check_fields(body, key_fields, &v);
	if (json_str(body, "name", 1, NAME_MAXCHARS, JREQ, &v, &name,
	    NULL) == 1)
		snprintf(k.name, sizeof(k.name), "%s", name);
	scopes = cJSON_GetObjectItemCaseSensitive(body, "scopes");
	if (scopes == NULL)
		verr_add(&v, VERR_INVALID, "/scopes", "required");
	else if (!cJSON_IsArray(scopes) || cJSON_GetArraySize(scopes) == 0 ||
	    cJSON_GetArraySize(scopes) > SCOPE__MAX)
		verr_add(&v, VERR_INVALID, "/scopes", "must be a list of 1 to "
		    "%d scopes", SCOPE__MAX);
	else
		cJSON_ArrayForEach(s, scopes) {
			snprintf(ptr, sizeof(ptr), "/scopes/%d", n++);
			if (!cJSON_IsString(s) ||
			    (i = scope_find(s->valuestring)) == -1)
				verr_add(&v, VERR_INVALID, ptr, "must be one "
				    "of the twelve scopes, such as "
				    "monitors:read");
			else
				k.scopes |= 1u << i;
		}
	if (json_time(body, "expiresAt", JNULL, &v, &k.expires_at,
	    &isnull) == 1 && k.expires_at <= r->now)
		verr_add(&v, VERR_INVALID, "/expiresAt", "must be in the "
		    "future");
	cJSON_Delete(body);
	if (v.n > 0)
		return resp_verrs(r, &v);
	if (escalates(r, k.scopes, k.expires_at))
		return 0;

	snprintf(k.team_id, sizeof(k.team_id), "%s", r->key->team_id);
	snprintf(k.created_by, sizeof(k.created_by), "%s", r->key->id);
	snprintf(k.holder, sizeof(k.holder), "%s", r->key->holder);
	if (limit_check(r, LIMIT_KEYS) == -1)
		return 0;
	key_generate(secret);
	if ((rc = apikey_insert(r->db, &k, secret, r->now)) != DB_OK) {
		sodium_memzero(secret, sizeof(secret));
		return resp_db(r, rc);
	}
	resp_header(r, "Location", "%s/%s", r->uri_path, k.id);
	return answer_with_secret(r, 201, &k, secret);
}

/*
 * GET /v1/api-keys/current
 * Any valid key.  200 with the calling key and its team.
 */
static int
keys_current(struct req *r)
{
	struct team	 t;
	cJSON		*o;
	int		 rc;

	if ((rc = team_get(r->db, r->key->team_id, &t)) != DB_OK)
		return resp_db(r, rc == DB_NOTFOUND ? DB_ERROR : rc);
	o = apikey_json(r->key, r->now);
	cJSON_AddItemToObject(o, "team", team_json(&t));
	return resp_data(r, 200, o);
}

/*
 * GET /v1/api-keys/{id}
 * Scope api-keys:read.  200 with the key; 404 (also for other teams').
 */
static int
keys_get(struct req *r)
{
	struct apikey	 k;
	int		 rc;

	if ((rc = apikey_get(r->db, r->key->team_id, r->args[0], &k)) != DB_OK)
		return resp_db(r, rc);
	return resp_data(r, 200, apikey_json(&k, r->now));
}

/*
 * DELETE /v1/api-keys/{id}
 * Scope api-keys:write.  204 (also when already revoked: the row stays
 * for the audit trail); 403 escalation_refused when the key holds a
 * scope the caller lacks; 404.
 */
static int
keys_revoke(struct req *r)
{
	struct apikey	 k;
	int		 rc;

	if ((rc = apikey_get(r->db, r->key->team_id, r->args[0], &k)) != DB_OK)
		return resp_db(r, rc);
	if (exceeds_scopes(r, k.scopes, "revoke a key with"))
		return 0;
	if (k.revoked_at == 0 && (rc = apikey_revoke(r->db, &k, r->now)) !=
	    DB_OK)
		return resp_db(r, rc);
	return resp_empty(r, 204);
}

/*
 * POST /v1/api-keys/{id}/rotate
 * Scope api-keys:write.  200 with the key and its new secret; the old
 * secret stops working at once.  403 escalation_refused, 404, 409 when
 * the key is revoked or expired.
 */
static int
keys_rotate(struct req *r)
{
	struct apikey	 k;
	char		 secret[KEY_LEN + 1];
	int		 rc;

	if ((rc = apikey_get(r->db, r->key->team_id, r->args[0], &k)) != DB_OK)
		return resp_db(r, rc);
	if (apikey_status(&k, r->now) != KEY_ACTIVE)
		return resp_problem(r, 409, "conflict", "Only active keys can "
		    "be rotated; this one is %s.",
		    key_status_names[apikey_status(&k, r->now)]);
	if (escalates(r, k.scopes, k.expires_at))
		return 0;
	key_generate(secret);
	if ((rc = apikey_set_secret(r->db, &k, secret)) != DB_OK) {
		sodium_memzero(secret, sizeof(secret));
		return resp_db(r, rc);
	}
	return answer_with_secret(r, 200, &k, secret);
}

/*
 * GET /v1/audit-events?keyId&memberId&action&from&to
 * Scope api-keys:read.  200 with a page of events, newest first;
 * 400 bad_query.
 */
static int
audit_events(struct req *r)
{
	struct audit_filter	 f = { req_query(r, "keyId"),
				    req_query(r, "memberId"),
				    req_query(r, "action"), req_time(r, "from"),
				    req_time(r, "to") };
	struct lister		 l;

	list_start(r, &l);
	return list_answer(r, &l, audit_list(r->db, r->key->team_id, &f,
	    &l));
}

static const struct qspec q_keys[] = {
	Q_ENUM_DEF("status", key_status_names, KEY_STATUS__MAX, KEY_ACTIVE),
	Q_PAGE,
	Q_END
};

static const struct qspec q_audit[] = {
	Q_ID("keyId", "key"),
	Q_ID("memberId", "mem"),
	Q_TEXT("action", 63, "abcdefghijklmnopqrstuvwxyz_."),
	Q_WINDOW,
	Q_PAGE,
	Q_END
};

static const struct route routes[] = {
	{ "GET", "/v1/api-keys", SCOPE_API_KEYS_READ, keys_list, NULL,
	    q_keys, 0 },
	{ "POST", "/v1/api-keys", SCOPE_API_KEYS_WRITE, keys_create,
	    "api_key.created", NULL, ROUTE_BODY },
	{ "GET", "/v1/api-keys/current", SCOPE_ANYKEY, keys_current, NULL,
	    NULL, 0 },
	{ "GET", "/v1/api-keys/{key}", SCOPE_API_KEYS_READ, keys_get, NULL,
	    NULL, 0 },
	{ "DELETE", "/v1/api-keys/{key}", SCOPE_API_KEYS_WRITE, keys_revoke,
	    "api_key.revoked", NULL, 0 },
	{ "POST", "/v1/api-keys/{key}/rotate", SCOPE_API_KEYS_WRITE,
	    keys_rotate, "api_key.rotated", NULL, 0 },
	{ "GET", "/v1/audit-events", SCOPE_API_KEYS_READ, audit_events, NULL,
	    q_audit, 0 },
};

int
main(void)
{
	return serve_main(routes, sizeof(routes) / sizeof(routes[0]), 0);
}
