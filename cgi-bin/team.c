/*
 * team.fcgi: the team, its members and invitations, and the public
 * accept route.
 *
 * A team always keeps an owner once it has one: the last owner can be
 * neither removed nor demoted.  No one gives a role above the one the
 * request acts with (the key holder's), or changes or removes a member
 * above it: only owners invite, promote, demote or remove owners
 * (auth_role).  Removing a member revokes the keys it holds.
 *
 * Invitations carry a one-time token that only the create and resend
 * answers (and the mail) show, in the fragment of acceptUrl so that no
 * request line carries it; the database holds its keyed hash.  Create and resend mail the invitation
 * when UPTIME_SMTP_URL is set, after their own transaction has
 * committed, so that no write lock is held while the mail server
 * answers (invite_issue in lib/invite.c).
 */
#include <stdio.h>
#include <string.h>

#include "uptime.h"
#include "invite.h"
#include "limit.h"
#include "invitepage.h"

#define INVITE_MAX_TTL_MS (30LL * 24 * 3600 * 1000)	/* expiresAt */

static const struct jfield team_fields[] = {
	{ "name", 0 },
	{ "id", 1 },
	{ "createdAt", 1 },
	{ NULL, 0 }
};

static const struct jfield member_fields[] = {
	{ "name", 0 },
	{ "role", 0 },
	{ "id", 1 },
	{ "email", 1 },
	{ "joinedAt", 1 },
	{ NULL, 0 }
};

static const struct jfield invite_fields[] = {
	{ "email", 0 },
	{ "role", 0 },
	{ "expiresAt", 0 },
	{ "id", 1 },
	{ "status", 1 },
	{ "createdAt", 1 },
	{ "acceptedAt", 1 },
	{ "revokedAt", 1 },
	{ "createdByKeyId", 1 },
	{ "acceptUrl", 1 },
	{ "emailStatus", 1 },
	{ NULL, 0 }
};

static const struct jfield accept_fields[] = {
	{ "token", 0 },
	{ "name", 0 },
	{ NULL, 0 }
};

/* The team of the calling key; it exists as long as the key does. */
static int
load_team(struct req *r, struct team *t)
{
	int	 rc = team_get(r->db, r->key->team_id, t);

	/* The key's own team is always there. */
	return resp_found(r, rc == DB_NOTFOUND ? DB_ERROR : rc);
}

/*
 * GET /v1/team
 * Scope team:read.  200 with the team.
 */
static int
team_show(struct req *r)
{
	struct team	 t;

	if (load_team(r, &t) == -1)
		return 0;
	return resp_data(r, 200, team_json(&t));
}

/*
 * PATCH /v1/team {name?}
 * Scope team:write.  200 with the team; 400 invalid body.
 */
static int
team_patch(struct req *r)
{
	struct team	 t;
	struct verrs	 v = { 0 };
	cJSON		*body;
	const char	*name = NULL;
	int		 rc;

	if ((body = req_json(r)) == NULL)
		return 0;
	json_check_fields(body, team_fields, &v);
	(void)json_str(body, "name", 1, NAME_MAXCHARS, 0, &v, &name, NULL);
	if (v.n > 0 || load_team(r, &t) == -1) {
		cJSON_Delete(body);
		return v.n > 0 ? resp_verrs(r, &v) : 0;
	}
	if (name != NULL) {
		snprintf(t.name, sizeof(t.name), "%s", name);
		if ((rc = team_set_name(r->db, &t)) != DB_OK) {
			cJSON_Delete(body);
			return resp_db(r, rc);
		}
	}
	cJSON_Delete(body);
	snprintf(r->target_id, sizeof(r->target_id), "%s", t.id);
	return resp_data(r, 200, team_json(&t));
}

/*
 * GET /v1/team/members?role&perPage&cursor
 * Scope team:read.  200 with a page of members, newest first; 400
 * bad_query.
 */
static int
members_list(struct req *r)
{
	struct lister	 l;

	list_start(r, &l);
	return list_answer(r, &l, member_list(r->db, r->key->team_id,
	    req_enum(r, "role"), &l));
}

/*
 * GET /v1/team/members/{id}
 * Scope team:read.  200 with the member; 404 (also for other teams').
 */
static int
members_get(struct req *r)
{
	struct member	 m;
	int		 rc;

	if ((rc = member_get(r->db, r->key->team_id, r->args[0], &m)) !=
	    DB_OK)
		return resp_db(r, rc);
	return resp_data(r, 200, member_json(&m));
}

/* 409 when m is the team's only owner; 1 after answering, 0, or -1. */
static int
last_owner(struct req *r, const struct member *m, const char *what)
{
	int	 last, rc;

	if ((rc = member_last_owner(r->db, m, &last)) != DB_OK) {
		resp_db(r, rc);
		return -1;
	}
	if (!last)
		return 0;
	resp_problem(r, 409, "conflict", "This is the team's last owner and "
	    "cannot be %s; make another member owner first.", what);
	return 1;
}

/*
 * PATCH /v1/team/members/{id} {name?, role?}
 * Scope team:write.  200 with the member; 400 invalid body; 403
 * outranked (a member above the caller's role: only an owner changes an
 * owner), escalation_refused (a role above the caller's); 404; 409 when
 * the team's last owner would lose the owner role.
 */
static int
members_patch(struct req *r)
{
	struct member	 m;
	struct verrs	 v = { 0 };
	enum member_role role = ROLE_MEMBER;
	cJSON		*body;
	const char	*name = NULL;
	int		 has_role, rc;

	if ((body = req_json(r)) == NULL)
		return 0;
	json_check_fields(body, member_fields, &v);
	(void)json_str(body, "name", 1, NAME_MAXCHARS, 0, &v, &name, NULL);
	has_role = member_role_get(body, 0, &v, &role) == 1;
	if (v.n > 0) {
		cJSON_Delete(body);
		return resp_verrs(r, &v);
	}
	if ((rc = member_get(r->db, r->key->team_id, r->args[0], &m)) !=
	    DB_OK) {
		cJSON_Delete(body);
		return resp_db(r, rc);
	}
	if (name != NULL)
		snprintf(m.name, sizeof(m.name), "%s", name);
	cJSON_Delete(body);
	if (auth_role(r, (int)m.role, has_role ? (int)role : -1) == -1)
		return 0;
	if (has_role && role != ROLE_OWNER &&
	    (rc = last_owner(r, &m, "demoted")) != 0)
		return rc == 1 ? 0 : -1;
	if (has_role)
		m.role = role;
	if ((rc = member_update(r->db, &m)) != DB_OK)
		return resp_db(r, rc);
	return resp_data(r, 200, member_json(&m));
}

/*
 * DELETE /v1/team/members/{id}
 * Scope team:write.  204, the member's sessions ended and the keys the
 * member holds revoked; 403 outranked (only an owner removes an owner);
 * 404; 409 for the team's last owner.
 */
static int
members_delete(struct req *r)
{
	struct member	 m;
	int		 rc;

	if ((rc = member_get(r->db, r->key->team_id, r->args[0], &m)) !=
	    DB_OK)
		return resp_db(r, rc);
	if (auth_role(r, (int)m.role, -1) == -1)
		return 0;
	if ((rc = last_owner(r, &m, "removed")) != 0)
		return rc == 1 ? 0 : -1;
	/* Its sessions go with the row (ON DELETE CASCADE). */
	if ((rc = member_delete(r->db, m.team_id, m.id)) == DB_OK)
		rc = apikey_revoke_held(r->db, m.team_id, m.id, r->now);
	return resp_deleted(r, rc);
}

/*
 * GET /v1/team/invites?status=pending|accepted|revoked|expired|all
 * Scope team:read.  200 with a page of invitations, newest first
 * (default status pending); 400 bad_query.
 */
static int
invites_list(struct req *r)
{
	struct lister	 l;

	list_start(r, &l);
	return list_answer(r, &l, invite_list(r->db, r->key->team_id,
	    (enum invite_status)req_enum(r, "status"), &l));
}

/*
 * GET /v1/team/invites/{id}
 * Scope team:read.  200 with the invitation (never its token); 404.
 */
static int
invites_get(struct req *r)
{
	struct invite	 inv;
	int		 rc;

	if ((rc = invite_get(r->db, r->key->team_id, r->args[0], &inv)) !=
	    DB_OK)
		return resp_db(r, rc);
	return resp_data(r, 200, invite_json(&inv, r->now));
}

/*
 * Issue inv (a new invitation, or a resend of self) and answer with it,
 * its acceptUrl and emailStatus: the one answer that shows the token.
 */
static int
issue(struct req *r, struct invite *inv, const char *self, int status)
{
	struct invite_sent	 sent;
	cJSON			*o;
	int			 rc;

	rc = invite_issue(r->db, inv, self, r->now, &sent);
	if (rc == DB_CONFLICT && sent.taken == INVITE_MEMBER)
		return resp_problem(r, 409, "conflict", "%s is a member of "
		    "the team already.", inv->email);
	if (rc == DB_CONFLICT && sent.taken == INVITE_PENDING)
		return resp_problem(r, 409, "conflict", "%s has a pending "
		    "invitation already (%s); resend or revoke it.",
		    inv->email, sent.other);
	if (rc != DB_OK)
		return resp_db(r, rc);
	if (self == NULL)
		resp_header(r, "Location", "%s/%s", r->uri_path, inv->id);
	o = invite_json(inv, r->now);
	cJSON_AddStringToObject(o, "acceptUrl", sent.url);
	cJSON_AddStringToObject(o, "emailStatus", mail_status_names[sent.mail]);
	invite_sent_wipe(&sent);
	snprintf(r->target_id, sizeof(r->target_id), "%s", inv->id);
	return resp_data(r, status, o);
}

/*
 * POST /v1/team/invites {email, role?, expiresAt?}
 * Scope team:write.  201 with the invitation, its acceptUrl and
 * emailStatus, Location; 400 invalid body; 403 escalation_refused (a
 * role above the caller's: only an owner invites an owner); 409 when
 * the address is a member or has a pending invitation.  Mails it when
 * mail is configured; a failed mail does not undo the invitation.
 */
static int
invites_create(struct req *r)
{
	struct invite	 inv;
	struct verrs	 v = { 0 };
	cJSON		*body;
	const char	*email = NULL;
	int		 isnull;

	if ((body = req_json(r)) == NULL)
		return 0;
	memset(&inv, 0, sizeof(inv));
	inv.role = ROLE_MEMBER;
	json_check_fields(body, invite_fields, &v);
	if (json_str(body, "email", 1, MAIL_ADDR_MAX, JREQ, &v, &email,
	    NULL) == 1 && mail_addr_normalize(email, inv.email,
	    sizeof(inv.email)) == -1)
		verr_add(&v, VERR_INVALID, "/email", "must be an email address "
		    "such as ann@example.com");
	(void)member_role_get(body, 0, &v, &inv.role);
	if (json_time(body, "expiresAt", JNULL, &v, &inv.expires_at,
	    &isnull) == 1 && (inv.expires_at <= r->now ||
	    inv.expires_at > r->now + INVITE_MAX_TTL_MS))
		verr_add(&v, VERR_INVALID, "/expiresAt", "must be in the "
		    "future and at most 30 days ahead");
	if (inv.expires_at == 0)
		inv.expires_at = r->now + cfg.invite_ttl * 1000LL;
	cJSON_Delete(body);
	if (v.n > 0)
		return resp_verrs(r, &v);
	if (auth_role(r, -1, (int)inv.role) == -1)
		return 0;
	snprintf(inv.team_id, sizeof(inv.team_id), "%s", r->key->team_id);
	snprintf(inv.created_by, sizeof(inv.created_by), "%s", r->key->id);
	return issue(r, &inv, NULL, 201);
}

/*
 * DELETE /v1/team/invites/{id}
 * Scope team:write.  204, also when already revoked; 404; 409 when it
 * was accepted (remove the member instead).
 */
static int
invites_revoke(struct req *r)
{
	struct invite	 inv;
	int		 rc;

	if ((rc = invite_get(r->db, r->key->team_id, r->args[0], &inv)) !=
	    DB_OK)
		return resp_db(r, rc);
	if (inv.accepted_at != 0)
		return resp_problem(r, 409, "conflict", "This invitation was "
		    "accepted; remove the member instead.");
	if (inv.revoked_at == 0 && (rc = invite_revoke(r->db, &inv,
	    r->now)) != DB_OK)
		return resp_db(r, rc);
	return resp_empty(r, 204);
}

/*
 * POST /v1/team/invites/{id}/resend
 * Scope team:write.  200 with the invitation, a new acceptUrl (the old
 * token stops working) and emailStatus, expiring the configured time
 * from now; 403 escalation_refused for an invitation to a role above
 * the caller's; 404; 409 when it is accepted or revoked, or its address
 * has become a member or has another pending invitation.
 */
static int
invites_resend(struct req *r)
{
	struct invite	 inv;
	int		 rc;

	if ((rc = invite_get(r->db, r->key->team_id, r->args[0], &inv)) !=
	    DB_OK)
		return resp_db(r, rc);
	if (inv.accepted_at != 0 || inv.revoked_at != 0)
		return resp_problem(r, 409, "conflict", "Only pending or "
		    "expired invitations can be resent; this one is %s.",
		    invite_status_names[invite_status(&inv, r->now)]);
	if (auth_role(r, -1, (int)inv.role) == -1)
		return 0;
	inv.expires_at = r->now + cfg.invite_ttl * 1000LL;
	return issue(r, &inv, inv.id, 200);
}

/* 410 for any token that does not work, counted against the address. */
static int
gone(struct req *r)
{
	if (invite_failed(r->db, r->remote_addr, r->now) != DB_OK)
		req_log(r, __func__, "cannot count a failed accept");
	return resp_problem(r, 410, "gone", "This invitation cannot be "
	    "accepted: it was used, revoked or has expired, or the token is "
	    "wrong.  Ask for a new invitation.");
}

/*
 * GET /v1/invites/accept
 * No key.  200 text/html: the page an acceptUrl opens, which reads the
 * token from the URL's fragment and posts it to this path in the body.
 */
static int
invites_page(struct req *r)
{
	resp_header(r, "Content-Security-Policy", "%s", invite_page_csp());
	resp_header(r, "Referrer-Policy", "no-referrer");
	return resp_html(r, 200, invite_page_html());
}

/*
 * POST /v1/invites/accept {token, name}
 * No key: the token is the secret, in the body only (a query would put
 * it in access logs).  201 with the new member, Location;
 * 400 invalid body; 409 when the address is a member already; 410 for a
 * token that is used, revoked, expired or unknown (one answer for all);
 * 429 past INVITE_ACCEPT_FAILS failed attempts a minute from the
 * address, whatever the token.
 */
static int
invites_accept(struct req *r)
{
	struct invite	 inv;
	struct member	 m;
	struct verrs	 v = { 0 };
	cJSON		*body;
	const char	*token = NULL, *name = NULL;
	int		 rc;

	if (limit_invite_accept(r) == -1)
		return 0;
	if ((body = req_json(r)) == NULL)
		return 0;
	json_check_fields(body, accept_fields, &v);
	(void)json_str(body, "token", 1, 256, JREQ, &v, &token, NULL);
	(void)json_str(body, "name", 1, NAME_MAXCHARS, JREQ, &v, &name, NULL);
	if (v.n > 0) {
		cJSON_Delete(body);
		return resp_verrs(r, &v);
	}
	memset(&m, 0, sizeof(m));
	snprintf(m.name, sizeof(m.name), "%s", name);
	rc = invite_accept_token(r->db, token, r->now, &m, &inv);
	cJSON_Delete(body);
	if (rc == DB_CONFLICT)
		return resp_problem(r, 409, "conflict", "%s is a member of the "
		    "team already.", inv.email);
	if (rc == DB_NOTFOUND)
		return gone(r);
	if (rc != DB_OK)
		return resp_db(r, rc);
	snprintf(r->team_id, sizeof(r->team_id), "%s", m.team_id);
	snprintf(r->target_id, sizeof(r->target_id), "%s", m.id);
	/* The new member acted, as when accepting in the console. */
	snprintf(r->member_id, sizeof(r->member_id), "%s", m.id);
	resp_header(r, "Location", "%.*s/v1/team/members/%s",
	    (int)(r->path - r->uri_path), r->uri_path, m.id);
	return resp_data(r, 201, member_json(&m));
}

static const struct qspec q_members[] = {
	Q_ENUM("role", member_role_names, ROLE__MAX),
	Q_PAGE,
	Q_END
};

static const struct qspec q_invites[] = {
	Q_ENUM_DEF("status", invite_status_names, INV_STATUS__MAX,
	    INV_PENDING),
	Q_PAGE,
	Q_END
};

static const struct route routes[] = {
	{ "GET", "/v1/team", SCOPE_TEAM_READ, team_show, NULL, NULL, 0 },
	{ "PATCH", "/v1/team", SCOPE_TEAM_WRITE, team_patch, "team.updated",
	    NULL, ROUTE_BODY },
	{ "GET", "/v1/team/members", SCOPE_TEAM_READ, members_list, NULL,
	    q_members, 0 },
	{ "GET", "/v1/team/members/{mem}", SCOPE_TEAM_READ, members_get,
	    NULL, NULL, 0 },
	{ "PATCH", "/v1/team/members/{mem}", SCOPE_TEAM_WRITE, members_patch,
	    "member.updated", NULL, ROUTE_BODY },
	{ "DELETE", "/v1/team/members/{mem}", SCOPE_TEAM_WRITE,
	    members_delete, "member.removed", NULL, 0 },
	{ "GET", "/v1/team/invites", SCOPE_TEAM_READ, invites_list, NULL,
	    q_invites, 0 },
	{ "POST", "/v1/team/invites", SCOPE_TEAM_WRITE, invites_create,
	    "invite.created", NULL, ROUTE_BODY | ROUTE_NOTX },
	{ "GET", "/v1/team/invites/{inv}", SCOPE_TEAM_READ, invites_get,
	    NULL, NULL, 0 },
	{ "DELETE", "/v1/team/invites/{inv}", SCOPE_TEAM_WRITE,
	    invites_revoke, "invite.revoked", NULL, 0 },
	{ "POST", "/v1/team/invites/{inv}/resend", SCOPE_TEAM_WRITE,
	    invites_resend, "invite.resent", NULL, ROUTE_NOTX },
	{ "GET", "/v1/invites/accept", SCOPE_PUBLIC, invites_page, NULL, NULL,
	    0 },
	{ "POST", "/v1/invites/accept", SCOPE_PUBLIC, invites_accept,
	    "invite.accepted", NULL, ROUTE_BODY | ROUTE_NOTX },
};

int
main(void)
{
	return serve_main(routes, sizeof(routes) / sizeof(routes[0]),
	    SERVE_CURL);
}
