/*
 * The console's team pages: members and invitations, API keys, the
 * audit log, forgot password.  Every value a person or a client wrote
 * goes through cv_text (escaped); the JSON items are the lib modules'
 * own (member_json, invite_json, apikey_json, audit_json), so the pages
 * show what the API answers.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "consoleview.h"
#include "cvteam.h"
#include "json.h"
#include "member.h"
#include "scope.h"

#define ROW_ID_MAX	(ID_MAX + 16)

/* A string member of o, or NULL. */
static const char *
str(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The item of list whose "id" is id, or NULL. */
static const cJSON *
by_id(const cJSON *list, const char *id)
{
	const cJSON	*it;

	if (id == NULL)
		return NULL;
	cJSON_ArrayForEach(it, list)
		if (str(it, "id") != NULL && strcmp(str(it, "id"), id) == 0)
			return it;
	return NULL;
}

/* An RFC 3339 time as "2024-05-01 12:00" in a <time>, or none. */
static int
when(struct buf *b, const char *t, const char *none)
{
	if (t == NULL || strlen(t) < 16)
		return cv_text(b, none);
	return buf_puts(b, "<time datetime=\"") || cv_text(b, t) ||
	    buf_printf(b, "\">%.10s %.5s</time>", t, t + 11) ? -1 : 0;
}

/* The opening of a POST form to app + path (escaped) with its token. */
static int
post_form(struct buf *b, const struct cvt_ctx *c, const char *cls,
    const char *path, const char *id, const char *rest)
{
	return buf_printf(b, "<form%s%s%s method=\"post\" action=\"",
	    cls != NULL ? " class=\"" : "", cls != NULL ? cls : "",
	    cls != NULL ? "\"" : "") || cv_text(b, c->app) ||
	    cv_text(b, path) || (id != NULL && (cv_text(b, id) ||
	    cv_text(b, rest))) || buf_puts(b, "\">") || cv_csrf(b, c->csrf) ?
	    -1 : 0;
}

/* A button that posts, labelled for its row ("Revoke ci key"). */
static int
button(struct buf *b, const char *cls, const char *text, const char *what)
{
	return buf_printf(b, "<button%s%s%s type=\"submit\" aria-label=\"%s ",
	    cls != NULL ? " class=\"" : "", cls != NULL ? cls : "",
	    cls != NULL ? "\"" : "", text) || cv_text(b, what) ||
	    buf_printf(b, "\">%s</button></form>", text) ? -1 : 0;
}

/* A select of the roles the signed-in role may give (want), sel chosen;
 * id and label name it.  Nothing when it may give none. */
static int
role_select(struct buf *b, const struct cvt_ctx *c, int target,
    const char *id, const char *label, const char *sel, const char *err)
{
	int	 i;

	if (buf_printf(b, "<label for=\"%s\"%s>", id, err == NULL &&
	    target >= 0 ? " class=\"sr\"" : "") || cv_text(b, label) ||
	    buf_printf(b, "</label><select id=\"%s\" name=\"role\"%s>", id,
	    err != NULL ? " aria-invalid=\"true\" aria-describedby=\"role-error\""
	    : ""))
		return -1;
	for (i = 0; i < ROLE__MAX; i++)
		if (member_may_set(c->role, target, i) == MEMBER_ALLOWED &&
		    buf_printf(b, "<option%s>%s</option>", sel != NULL &&
		    strcmp(sel, member_role_names[i]) == 0 ? " selected" : "",
		    member_role_names[i]))
			return -1;
	if (buf_puts(b, "</select>"))
		return -1;
	if (err != NULL)
		return buf_puts(b, "<p class=\"error\" id=\"role-error\">") ||
		    cv_text(b, err) || buf_puts(b, "</p>") ? -1 : 0;
	return 0;
}

/* A shown-once secret (a key, a link) with its copy button. */
static int
secret(struct buf *b, const char *id, const char *value)
{
	return buf_printf(b, "<p class=\"secret\" id=\"%s\">", id) ||
	    cv_text(b, value) ||
	    buf_printf(b, "</p>\n<button type=\"button\" data-copy=\"%s\" "
	    "hidden>Copy</button>\n<script>", id) ||
	    buf_puts(b, cv_copy_script()) || buf_puts(b, "</script>\n") ?
	    -1 : 0;
}

/* One member as a row; its forms when the signed-in role may act on
 * it. */
static int
member_row(struct buf *b, const struct cvt_ctx *c, const cJSON *m)
{
	char	 id[ROW_ID_MAX];
	int	 role = member_role_find(str(m, "role") ? str(m, "role") : "");
	int	 may = (c->scopes & (1u << SCOPE_TEAM_WRITE)) &&
		    member_may_set(c->role, role, -1) == MEMBER_ALLOWED;

	snprintf(id, sizeof(id), "role-%s", str(m, "id"));
	if (buf_puts(b, "<tr><td>") || cv_text(b, str(m, "name")) ||
	    (c->me != NULL && strcmp(c->me, str(m, "id")) == 0 &&
	    buf_puts(b, " (you)")) ||
	    buf_puts(b, "</td><td>") || cv_text(b, str(m, "email")) ||
	    buf_puts(b, "</td><td>") || cv_text(b, str(m, "role")) ||
	    buf_puts(b, "</td><td>") || when(b, str(m, "joinedAt"), "") ||
	    buf_puts(b, "</td><td>"))
		return -1;
	if (may && (post_form(b, c, "inline", "/team/members/", str(m, "id"),
	    "/role") || role_select(b, c, role, id, "Role", str(m, "role"),
	    NULL) || button(b, NULL, "Change role", str(m, "name")) ||
	    post_form(b, c, "inline", "/team/members/", str(m, "id"),
	    "/remove") || button(b, "danger", "Remove", str(m, "name"))))
		return -1;
	return buf_puts(b, "</td></tr>\n");
}

/* One invitation as a row, with resend and revoke. */
static int
invite_row(struct buf *b, const struct cvt_ctx *c, const cJSON *inv)
{
	int	 role = member_role_find(str(inv, "role") ? str(inv, "role") :
		    "");
	int	 write = (c->scopes & (1u << SCOPE_TEAM_WRITE)) != 0;

	if (buf_puts(b, "<tr><td>") || cv_text(b, str(inv, "email")) ||
	    buf_puts(b, "</td><td>") || cv_text(b, str(inv, "role")) ||
	    buf_puts(b, "</td><td>") || cv_text(b, str(inv, "status")) ||
	    buf_puts(b, "</td><td>") || when(b, str(inv, "expiresAt"), "") ||
	    buf_puts(b, "</td><td>"))
		return -1;
	if (write && member_may_set(c->role, -1, role) == MEMBER_ALLOWED &&
	    (post_form(b, c, "inline", "/team/invites/", str(inv, "id"),
	    "/resend") || button(b, NULL, "Resend", str(inv, "email"))))
		return -1;
	if (write && (post_form(b, c, "inline", "/team/invites/",
	    str(inv, "id"), "/revoke") ||
	    button(b, "danger", "Revoke", str(inv, "email"))))
		return -1;
	return buf_puts(b, "</td></tr>\n");
}

int
cvt_team(struct buf *b, const struct cvt_ctx *c, const struct cvt_team *t)
{
	const cJSON	*it;
	int		 write = (c->scopes & (1u << SCOPE_TEAM_WRITE)) != 0;

	if (t->alert != NULL && cv_alert(b, t->alert))
		return -1;
	if (t->link != NULL && (buf_puts(b, "<section aria-labelledby=\"new-"
	    "invite\"><h2 id=\"new-invite\">Invitation for ") ||
	    cv_text(b, t->link_email) ||
	    buf_puts(b, "</h2><p>Send this link to them: it is shown this once "
	    "and works once.") ||
	    (t->mailed && buf_puts(b, "  It was mailed to them too.")) ||
	    buf_puts(b, "</p>\n") || secret(b, "invite-link", t->link) ||
	    buf_puts(b, "</section>\n")))
		return -1;
	if (buf_puts(b, "<h2>Members</h2>\n<div class=\"table\"><table>\n"
	    "<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Email</th>"
	    "<th scope=\"col\">Role</th><th scope=\"col\">Joined</th>"
	    "<th scope=\"col\"><span class=\"sr\">Actions</span></th></tr>"
	    "</thead>\n<tbody>\n"))
		return -1;
	cJSON_ArrayForEach(it, t->members)
		if (member_row(b, c, it))
			return -1;
	if (buf_puts(b, "</tbody>\n</table></div>\n<h2>Invitations</h2>\n"))
		return -1;
	if (cJSON_GetArraySize(t->invites) == 0) {
		if (buf_puts(b, "<p>No pending invitations.</p>\n"))
			return -1;
	} else {
		if (buf_puts(b, "<div class=\"table\"><table>\n<thead><tr>"
		    "<th scope=\"col\">Email</th><th scope=\"col\">Role</th>"
		    "<th scope=\"col\">Status</th><th scope=\"col\">Expires</th>"
		    "<th scope=\"col\"><span class=\"sr\">Actions</span></th>"
		    "</tr></thead>\n<tbody>\n"))
			return -1;
		cJSON_ArrayForEach(it, t->invites)
			if (invite_row(b, c, it))
				return -1;
		if (buf_puts(b, "</tbody>\n</table></div>\n"))
			return -1;
	}
	if (!write)
		return 0;
	return post_form(b, c, "card", "/team/invites", NULL, NULL) ||
	    buf_puts(b, "\n<h2>Invite someone</h2>\n") ||
	    cv_field(b, "Email address", "email", "email", t->email, "off",
	    t->email_err) || buf_puts(b, "<div>\n") ||
	    role_select(b, c, -1, "role", "Role", t->role != NULL ? t->role :
	    "member", t->role_err) ||
	    buf_puts(b, "\n</div>\n<button type=\"submit\">Invite</button>\n"
	    "</form>\n") ? -1 : 0;
}

/* The scopes of apikey_json's key k as a mask. */
static unsigned
key_scopes(const cJSON *k)
{
	const cJSON	*sc;
	unsigned	 m = 0;
	int		 i;

	cJSON_ArrayForEach(sc, cJSON_GetObjectItemCaseSensitive(k, "scopes"))
		if ((i = scope_find(cJSON_GetStringValue(sc))) != -1)
			m |= 1u << i;
	return m;
}

/* Who made key k: a member's name, a key's, or uptime-admin. */
static int
made_by(struct buf *b, const struct cvt_keys *p, const cJSON *k)
{
	const char	*mem = str(k, "createdByMemberId");
	const char	*key = str(k, "createdByKeyId");
	const cJSON	*o;

	if (mem != NULL)
		return (o = by_id(p->members, mem)) != NULL ?
		    cv_text(b, str(o, "name")) : cv_text(b, "a former member");
	if (key != NULL)
		return (o = by_id(p->keys, key)) != NULL ?
		    buf_puts(b, "the key ") || cv_text(b, str(o, "name")) :
		    buf_puts(b, "a key");
	return buf_puts(b, "uptime-admin");
}

/* One key as a row of the table, with rotate and revoke when the
 * role holds every scope of the key. */
static int
key_row(struct buf *b, const struct cvt_ctx *c, const struct cvt_keys *p,
    const cJSON *k)
{
	const cJSON	*sc;
	const char	*st = str(k, "status");
	int		 first = 1;
	int		 may = (c->scopes & (1u << SCOPE_API_KEYS_WRITE)) &&
			    (key_scopes(k) & ~c->scopes) == 0;

	if (buf_puts(b, "<tr><td>") || cv_text(b, str(k, "name")) ||
	    buf_puts(b, "</td><td><code>") || cv_text(b, str(k, "keyPrefix")) ||
	    buf_puts(b, "</code></td><td>"))
		return -1;
	cJSON_ArrayForEach(sc, cJSON_GetObjectItemCaseSensitive(k, "scopes")) {
		if (buf_puts(b, first ? "" : ", ") ||
		    cv_text(b, cJSON_GetStringValue(sc)))
			return -1;
		first = 0;
	}
	if (buf_puts(b, "</td><td>") || made_by(b, p, k) ||
	    buf_puts(b, "</td><td>") || when(b, str(k, "lastUsedAt"), "never") ||
	    buf_puts(b, "</td><td>") || when(b, str(k, "expiresAt"), "never") ||
	    buf_puts(b, "</td><td>") || cv_text(b, st) ||
	    buf_puts(b, "</td><td>"))
		return -1;
	if (may && st != NULL && strcmp(st, "active") == 0 &&
	    (post_form(b, c, "inline", "/api-keys/", str(k, "id"), "/rotate") ||
	    button(b, NULL, "Rotate", str(k, "name"))))
		return -1;
	if (may && st != NULL && strcmp(st, "revoked") != 0 &&
	    (post_form(b, c, "inline", "/api-keys/", str(k, "id"), "/revoke") ||
	    button(b, "danger", "Revoke", str(k, "name"))))
		return -1;
	return buf_puts(b, "</td></tr>\n");
}

/* A field that may be left empty. */
static int
optional(struct buf *b, const char *label, const char *name,
    const char *type, const char *value)
{
	return buf_printf(b, "<div>\n<label for=\"%s\">", name) ||
	    cv_text(b, label) ||
	    buf_printf(b, "</label>\n<input id=\"%s\" name=\"%s\" type=\"%s\"",
	    name, name, type) || (value != NULL && (buf_puts(b, " value=\"") ||
	    cv_text(b, value) || buf_puts(b, "\""))) ||
	    buf_puts(b, ">\n</div>\n") ? -1 : 0;
}

int
cvt_keys(struct buf *b, const struct cvt_ctx *c, const struct cvt_keys *p)
{
	const cJSON	*k;
	int		 i;

	if (p->alert != NULL && cv_alert(b, p->alert))
		return -1;
	if (p->secret != NULL && (buf_puts(b, "<section aria-labelledby=\"new-"
	    "key\"><h2 id=\"new-key\">The secret of ") ||
	    cv_text(b, p->secret_name) ||
	    buf_puts(b, "</h2><p>Copy it now: it is shown this once.</p>\n") ||
	    secret(b, "secret", p->secret) || buf_puts(b, "</section>\n")))
		return -1;
	if (c->scopes & (1u << SCOPE_API_KEYS_WRITE)) {
		if (post_form(b, c, "card", "/api-keys", NULL, NULL) ||
		    buf_puts(b, "\n<h2>Create a key</h2>\n") ||
		    cv_field(b, "Name", "name", "text", p->name, "off", NULL) ||
		    optional(b, "Expires on (UTC; leave empty for never)",
		    "expires", "date", p->expires) ||
		    buf_puts(b, "<fieldset><legend>Scopes (those your role "
		    "holds)</legend>\n"))
			return -1;
		for (i = 0; i < SCOPE__MAX; i++)
			if ((c->scopes & (1u << i)) && buf_printf(b, "<label>"
			    "<input type=\"checkbox\" name=\"scope\" "
			    "value=\"%s\"> %s</label>\n", scope_names[i],
			    scope_names[i]))
				return -1;
		if (buf_puts(b, "</fieldset>\n<button type=\"submit\">Create "
		    "the key</button>\n</form>\n"))
			return -1;
	}
	if (buf_puts(b, "<h2>Keys</h2>\n<div class=\"table\"><table>\n"
	    "<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Prefix"
	    "</th><th scope=\"col\">Scopes</th><th scope=\"col\">Created by"
	    "</th><th scope=\"col\">Last used</th><th scope=\"col\">Expires"
	    "</th><th scope=\"col\">Status</th><th scope=\"col\"><span "
	    "class=\"sr\">Actions</span></th></tr></thead>\n<tbody>\n"))
		return -1;
	cJSON_ArrayForEach(k, p->keys)
		if (key_row(b, c, p, k))
			return -1;
	return buf_puts(b, "</tbody>\n</table></div>\n");
}

/* A filter's select: "any", then each item (its id, shown by name). */
static int
filter_select(struct buf *b, const char *name, const char *label,
    const cJSON *items, const char *sel)
{
	const cJSON	*it;
	const char	*id;

	if (buf_printf(b, "<div class=\"filter\"><label for=\"%s\">%s</label>"
	    "<select id=\"%s\" name=\"%s\"><option value=\"any\">any</option>",
	    name, label, name, name))
		return -1;
	cJSON_ArrayForEach(it, items) {
		id = cJSON_IsString(it) ? it->valuestring : str(it, "id");
		if (buf_puts(b, "<option value=\"") || cv_text(b, id) ||
		    buf_printf(b, "\"%s>", sel != NULL && strcmp(sel, id) == 0 ?
		    " selected" : "") || cv_text(b, cJSON_IsString(it) ? id :
		    str(it, "name")) ||
		    (str(it, "keyPrefix") != NULL && (buf_puts(b, " (") ||
		    cv_text(b, str(it, "keyPrefix")) || buf_puts(b, ")"))) ||
		    buf_puts(b, "</option>"))
			return -1;
	}
	return buf_puts(b, "</select></div>\n");
}

/* Who acted in event ev: the member by name, and the key by name. */
static int
actor(struct buf *b, const struct cvt_audit *p, const cJSON *ev)
{
	const cJSON	*m = by_id(p->members, str(ev, "memberId"));
	const cJSON	*k = by_id(p->keys, str(ev, "keyId"));

	if (str(ev, "memberId") != NULL && cv_text(b, m != NULL ?
	    str(m, "name") : str(ev, "memberId")))
		return -1;
	if (str(ev, "keyId") == NULL)
		return str(ev, "memberId") == NULL ? buf_puts(b, "no one") : 0;
	return buf_puts(b, str(ev, "memberId") != NULL ? " with the key " :
	    "the key ") || cv_text(b, k != NULL ? str(k, "name") :
	    str(ev, "keyPrefix")) ? -1 : 0;
}

/* name=value& of a filter that is set. */
static int
param(struct buf *b, const char *name, const char *value)
{
	if (value == NULL)
		return 0;
	return buf_printf(b, "%s=", name) || cv_text(b, value) ||
	    buf_puts(b, "&amp;") ? -1 : 0;
}

int
cvt_audit(struct buf *b, const struct cvt_ctx *c, const struct cvt_audit *p)
{
	const cJSON	*ev;
	const cJSON	*n;

	if (buf_puts(b, "<form class=\"card filters\" method=\"get\" "
	    "action=\"") || cv_text(b, c->app) || buf_puts(b, "/audit\">\n") ||
	    filter_select(b, "memberId", "Member", p->members, p->member_id) ||
	    filter_select(b, "keyId", "Key", p->keys, p->key_id) ||
	    filter_select(b, "action", "Action", p->actions, p->action) ||
	    buf_puts(b, "<button type=\"submit\">Filter</button>\n</form>\n"))
		return -1;
	if (cJSON_GetArraySize(p->events) == 0)
		return buf_puts(b, "<p>No events.</p>\n");
	if (buf_puts(b, "<div class=\"table\"><table>\n<thead><tr>"
	    "<th scope=\"col\">When</th><th scope=\"col\">Who</th>"
	    "<th scope=\"col\">Action</th><th scope=\"col\">Request</th>"
	    "<th scope=\"col\">Status</th><th scope=\"col\">Target</th>"
	    "<th scope=\"col\">From</th></tr></thead>\n<tbody>\n"))
		return -1;
	cJSON_ArrayForEach(ev, p->events) {
		n = cJSON_GetObjectItemCaseSensitive(ev, "status");
		if (buf_puts(b, "<tr><td>") || when(b, str(ev, "at"), "") ||
		    buf_puts(b, "</td><td>") || actor(b, p, ev) ||
		    buf_puts(b, "</td><td>") || cv_text(b, str(ev, "action")) ||
		    buf_puts(b, "</td><td><code>") ||
		    cv_text(b, str(ev, "method")) || buf_puts(b, " ") ||
		    cv_text(b, str(ev, "path")) ||
		    buf_printf(b, "</code></td><td>%d</td><td><code>",
		    cJSON_IsNumber(n) ? n->valueint : 0) ||
		    cv_text(b, str(ev, "targetId")) ||
		    buf_puts(b, "</code></td><td>") || cv_text(b, str(ev, "ip")) ||
		    buf_puts(b, "</td></tr>\n"))
			return -1;
	}
	if (buf_puts(b, "</tbody>\n</table></div>\n"))
		return -1;
	if (p->next == NULL)
		return 0;
	return buf_puts(b, "<p><a rel=\"next\" href=\"") || cv_text(b, c->app) ||
	    buf_puts(b, "/audit?") || param(b, "memberId", p->member_id) ||
	    param(b, "keyId", p->key_id) || param(b, "action", p->action) ||
	    param(b, "cursor", p->next) ||
	    buf_puts(b, "\">Older events</a></p>\n") ? -1 : 0;
}

int
cvt_forgot(struct buf *b, const char *app, int mail, int sent, long ttl_s,
    const char *email, const char *err)
{
	if (!mail)
		return buf_puts(b, "<p>This service sends no mail, so it cannot "
		    "mail you a link.  Ask an owner or an admin of your team "
		    "for one: the operator makes it with <code>uptime-admin "
		    "member link</code>.</p>\n");
	if (sent)
		return buf_printf(b, "<p role=\"status\">If the address belongs "
		    "to a member, a link that sets a new password is on its way "
		    "to it.  It works once, for %ld %s; a newer link replaces "
		    "it.</p>\n", ttl_s >= 7200 ? ttl_s / 3600 : ttl_s / 60,
		    ttl_s >= 7200 ? "hours" : "minutes");
	return buf_puts(b, "<p>Give the address you sign in with: a link that "
	    "sets a new password is mailed to it.</p>\n<form class=\"card\" "
	    "method=\"post\" action=\"") || cv_text(b, app) ||
	    buf_puts(b, "/forgot\">\n") ||
	    cv_field(b, "Email address", "email", "email", email, "username",
	    err) ||
	    buf_puts(b, "<button type=\"submit\">Mail me a link</button>\n"
	    "</form>\n") ? -1 : 0;
}
