/*
 * console.fcgi: the web console, server-rendered pages under /app.
 *
 * Every page is HTML from lib/consoleview.c; every form is a plain POST
 * that answers with a redirect (303), or with its page again and the
 * errors beside their fields (422: nothing was saved).  The serve loop
 * checks each POST's Origin and, behind the sign-in (ROUTE_SESSION),
 * the session and its CSRF token (lib/session.c) before a handler runs;
 * each handler asks for the scope it needs from the member's role
 * (session_scope), the same scopes and the same table an API key holds.
 * Refusals a person cannot meet by filling a form well (another origin,
 * a missing CSRF token, a role without the scope, too many tries) are
 * problem details, as from the API.  See docs/console.md.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "uptime.h"
#include "account.h"
#include "consoleview.h"
#include "cvteam.h"
#include "invite.h"
#include "limit.h"
#include "mailaddr.h"
#include "member.h"
#include "monitor.h"
#include "session.h"

#define APP_MAX		(PUBLIC_URL_MAX + REQ_MAXPATH + 8)

/* A string member of o, or NULL. */
static const char *
str(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The console's path and the page's frame for r. */
static void
frame(struct req *r, struct cv_frame *f, char *app, char *csrf,
    const char *title)
{
	session_app_path(r, "", app, APP_MAX);
	session_csrf(r, csrf);
	memset(f, 0, sizeof(*f));
	f->title = title;
	f->app = app;
	if (r->session != NULL) {
		f->who = r->session->member.name;
		f->role = member_role_names[r->session->member.role];
		f->csrf = csrf;
	}
}

/* Answer b, wrapped by cv_end, as the page with status; frees b.  A
 * form shown again with its errors is 422: nothing was saved. */
static int
answer(struct req *r, struct buf *b, int ok, int status)
{
	if (!ok || cv_end(b) != 0) {
		buf_free(b);
		req_log(r, __func__, "out of memory");
		return resp_db(r, DB_ERROR);
	}
	resp_header(r, "Content-Security-Policy", "%s", cv_csp());
	resp_header(r, "X-Frame-Options", "DENY");
	return resp_body(r, status, "text/html", b);
}

/* The sign-in page, with err over the form. */
static int
login_page(struct req *r, const char *email, const char *err)
{
	struct cv_frame	 f;
	struct buf	 b = { NULL, 0, 0 };
	char		 app[APP_MAX], csrf[SESSION_CSRFLEN + 1];
	int		 ok;

	frame(r, &f, app, csrf, "Sign in");
	f.who = NULL;
	ok = cv_begin(&b, &f) == 0 && (err == NULL || cv_alert(&b, err) == 0) &&
	    buf_puts(&b, "<form class=\"card\" method=\"post\" action=\"") == 0 &&
	    cv_text(&b, app) == 0 && buf_puts(&b, "/login\">\n") == 0 &&
	    cv_field(&b, "Email address", "email", "email", email, "username",
	    NULL) == 0 &&
	    cv_field(&b, "Password", "password", "password", NULL,
	    "current-password", NULL) == 0 &&
	    buf_puts(&b, "<button type=\"submit\">Sign in</button>\n"
	    "</form>\n<p><a href=\"") == 0 && cv_text(&b, app) == 0 &&
	    buf_puts(&b, "/forgot\">Forgot your password?</a></p>\n") == 0;
	return answer(r, &b, ok, err != NULL ? 422 : 200);
}

/*
 * GET /app/login
 * No key.  200 text/html: the sign-in form; 303 to /app when signed in.
 */
static int
login_get(struct req *r)
{
	if (r->session != NULL)
		return session_redirect(r, "");
	return login_page(r, NULL, NULL);
}

/*
 * POST /app/login (form: email, password)
 * No key.  303 to /app, signed in with a new session; 422 the form again
 * when the address or the password is not right (one answer for both);
 * 403 bad_origin; 415; 429 past UPTIME_LOGIN_LIMIT tries a minute from
 * the client or for the address.
 */
static int
login_post(struct req *r)
{
	struct member	 m;
	const char	*email = req_form(r, "email");
	const char	*pw = req_form(r, "password");
	char		 addr[MAIL_ADDR_MAX + 1];
	int		 rc;

	if (email == NULL || pw == NULL || mail_addr_normalize(email, addr,
	    sizeof(addr)) == -1 || account_password_problem(pw) != NULL) {
		if (session_throttle(r, NULL) == -1)
			return 0;
		return login_page(r, email, "The email address or the password "
		    "is not right.");
	}
	if (session_throttle(r, addr) == -1)
		return 0;
	rc = account_check_password(r->db, addr, pw, &m);
	if (rc == DB_NOTFOUND)
		return login_page(r, email, "The email address or the password "
		    "is not right.");
	if (rc != DB_OK)
		return resp_db(r, rc);
	if ((rc = session_begin(r, &m)) != DB_OK)
		return resp_db(r, rc);
	snprintf(r->target_id, sizeof(r->target_id), "%s", m.id);
	return session_redirect(r, "");
}

/*
 * POST /app/logout (form: csrf)
 * No key: the session.  303 to /app/login, the session ended; 401
 * session_required without a live session; 403 bad_origin, bad_csrf;
 * 415.
 */
static int
logout_post(struct req *r)
{
	int	 rc;

	snprintf(r->target_id, sizeof(r->target_id), "%s",
	    r->session->member.id);
	if ((rc = session_end(r)) != DB_OK)
		return resp_db(r, rc);
	return session_redirect(r, "/login");
}

/* The page that sets a password from a token in the link's fragment:
 * accepting an invitation (with a name) or a set-password link. */
static int
token_page(struct req *r, int invite, const char *name, const char *err,
    const char *name_err, const char *pw_err)
{
	struct cv_frame	 f;
	struct buf	 b = { NULL, 0, 0 };
	char		 app[APP_MAX], csrf[SESSION_CSRFLEN + 1];
	int		 ok;

	frame(r, &f, app, csrf, invite ? "Join the team" : "Set your "
	    "password");
	f.who = NULL;
	ok = cv_begin(&b, &f) == 0 && (err == NULL || cv_alert(&b, err) == 0) &&
	    buf_puts(&b, invite ? "<p>Give your name and choose a password "
	    "to accept the invitation; the address and the role are the "
	    "invitation's.</p>\n" : "<p>Choose the password you will sign in "
	    "with.</p>\n") == 0 &&
	    buf_puts(&b, "<form class=\"card\" method=\"post\" action=\"") == 0 &&
	    cv_text(&b, app) == 0 &&
	    buf_puts(&b, invite ? "/accept\">\n" : "/password\">\n") == 0 &&
	    cv_field(&b, "Code from the link (the part after #token=)",
	    "token", "text", NULL, "off", NULL) == 0 &&
	    (!invite || cv_field(&b, "Your name", "name", "text", name, "name",
	    name_err) == 0) &&
	    cv_field(&b, "New password (at least 10 characters)", "password",
	    "password", NULL, "new-password", pw_err) == 0 &&
	    buf_puts(&b, invite ? "<button type=\"submit\">Accept the "
	    "invitation</button>\n</form>\n" : "<button type=\"submit\">Set the "
	    "password</button>\n</form>\n") == 0 &&
	    buf_puts(&b, "<script>") == 0 &&
	    buf_puts(&b, cv_fragment_script()) == 0 &&
	    buf_puts(&b, "</script>\n") == 0;
	return answer(r, &b, ok, err != NULL || name_err != NULL ||
	    pw_err != NULL ? 422 : 200);
}

/*
 * GET /app/accept
 * No key.  200 text/html: the page an invitation's link opens (the
 * token in the fragment): name and password, then signed in.
 */
static int
accept_get(struct req *r)
{
	return token_page(r, 1, NULL, NULL, NULL, NULL);
}

/*
 * POST /app/accept (form: token, name, password)
 * No key.  303 to /app: a member, with the password, signed in; 422 the
 * form again with the errors beside their fields, or when the token is
 * wrong, used, revoked or expired; 403 bad_origin; 415; 429 after
 * too many wrong tokens from the client.
 */
static int
accept_post(struct req *r)
{
	struct member	 m;
	struct invite	 inv;
	const char	*token = req_form(r, "token");
	const char	*name = req_form(r, "name");
	const char	*pw = req_form(r, "password");
	const char	*name_err = NULL, *pw_err;
	char		 hash[PASSWORD_HASHMAX];
	long		 n;
	int		 rc;

	if (limit_invite_accept(r) == -1)
		return 0;
	n = name != NULL ? utf8_chars(name) : 0;
	if (n < 1 || n > NAME_MAXCHARS)
		name_err = "Give a name of 1 to 255 characters.";
	pw_err = pw != NULL ? account_password_problem(pw) :
	    "must be at least 10 characters";
	if (name_err != NULL || pw_err != NULL)
		return token_page(r, 1, name, NULL, name_err, pw_err != NULL ?
		    "The password must be 10 characters to 256 bytes." : NULL);
	if (account_password_hash(pw, hash) == -1)
		return resp_db(r, DB_ERROR);
	memset(&m, 0, sizeof(m));
	snprintf(m.name, sizeof(m.name), "%s", name);
	rc = invite_accept_token(r->db, token != NULL ? token : "", r->now, &m,
	    &inv);
	if (rc == DB_NOTFOUND || rc == DB_CONFLICT) {
		if (rc == DB_NOTFOUND && invite_failed(r->db, r->remote_addr,
		    r->now) != DB_OK)
			req_log(r, __func__, "cannot count a failed accept");
		return token_page(r, 1, name, rc == DB_CONFLICT ? "This address "
		    "is a member of the team already: sign in instead." :
		    "This invitation cannot be accepted: it was used, revoked "
		    "or has expired, or the code is wrong.  Ask for a new "
		    "invitation.", NULL, NULL);
	}
	if (rc != DB_OK)
		return resp_db(r, rc);
	snprintf(r->team_id, sizeof(r->team_id), "%s", m.team_id);
	snprintf(r->target_id, sizeof(r->target_id), "%s", m.id);
	if ((rc = db_begin(r->db)) != DB_OK)
		return resp_db(r, rc);
	if ((rc = account_set_password(r->db, &m, hash)) != DB_OK ||
	    (rc = session_begin(r, &m)) != DB_OK ||
	    (rc = db_commit(r->db)) != DB_OK) {
		db_rollback(r->db);
		return resp_db(r, rc);
	}
	return session_redirect(r, "");
}

/*
 * GET /app/password
 * No key.  200 text/html: the page a set-password link opens (the token
 * in the fragment).
 */
static int
password_get(struct req *r)
{
	return token_page(r, 0, NULL, NULL, NULL, NULL);
}

/*
 * POST /app/password (form: token, password)
 * No key.  303 to /app: the password set, the member's other sessions
 * ended, signed in; 422 the form again when the password is not
 * acceptable or the link is wrong, used or expired; 403 bad_origin;
 * 415; 429 past UPTIME_LOGIN_LIMIT tries a minute from the client.
 */
static int
password_post(struct req *r)
{
	struct member	 m;
	const char	*token = req_form(r, "token");
	const char	*pw = req_form(r, "password");
	const char	*pw_err;
	char		 hash[PASSWORD_HASHMAX];
	int		 rc;

	if (session_throttle(r, NULL) == -1)
		return 0;
	pw_err = pw != NULL ? account_password_problem(pw) : "is missing";
	if (pw_err != NULL)
		return token_page(r, 0, NULL, NULL, NULL, "The password must be "
		    "10 characters to 256 bytes.");
	if (account_password_hash(pw, hash) == -1)
		return resp_db(r, DB_ERROR);
	if ((rc = db_begin(r->db)) != DB_OK)
		return resp_db(r, rc);
	rc = account_link_use(r->db, token != NULL ? token : "", r->now, &m);
	if (rc == DB_NOTFOUND) {
		db_rollback(r->db);
		return token_page(r, 0, NULL, "This link cannot set a password: "
		    "it was used or has expired, or the code is wrong.  Ask "
		    "for a new link.", NULL, NULL);
	}
	if (rc != DB_OK || (rc = account_set_password(r->db, &m, hash)) !=
	    DB_OK || (rc = account_session_end_all(r->db, m.id)) != DB_OK ||
	    (r->session = NULL, rc = session_begin(r, &m)) != DB_OK ||
	    (rc = db_commit(r->db)) != DB_OK) {
		db_rollback(r->db);
		return resp_db(r, rc);
	}
	snprintf(r->target_id, sizeof(r->target_id), "%s", m.id);
	return session_redirect(r, "");
}

/*
 * GET /app
 * No key: the session, monitors:read.  200 text/html: the team's
 * monitors with their states; 303 to /app/login when signed out; 403
 * insufficient_scope.
 */
static int
overview(struct req *r)
{
	struct monitor_filter	 mf = { -1, -1, NULL };
	struct cv_frame		 f;
	struct buf		 b = { NULL, 0, 0 };
	struct lister		 l;
	struct page		 pg;
	cJSON			*items;
	const cJSON		*it;
	const char		*st;
	char			 app[APP_MAX], csrf[SESSION_CSRFLEN + 1];
	int			 ok, rc;

	if (session_scope(r, SCOPE_MONITORS_READ) == -1)
		return 0;
	memset(&pg, 0, sizeof(pg));
	pg.perpage = PAGE_MAX;
	page_start(&l, &pg, r->now);
	if ((rc = page_items(&l, monitor_list(r->db,
	    r->session->member.team_id, &mf, &l), &items)) != DB_OK) {
		cJSON_Delete(items);
		return resp_db(r, rc);
	}
	frame(r, &f, app, csrf, "Monitors");
	ok = cv_begin(&b, &f) == 0;
	if (ok && cJSON_GetArraySize(items) == 0)
		ok = buf_puts(&b, "<p>No monitors yet.</p>\n") == 0;
	else if (ok)
		ok = buf_puts(&b, "<div class=\"table\"><table>\n<thead><tr>"
		    "<th scope=\"col\">Monitor</th><th scope=\"col\">Type</th>"
		    "<th scope=\"col\">State</th><th scope=\"col\">Last check"
		    "</th></tr></thead>\n<tbody>\n") == 0;
	cJSON_ArrayForEach(it, items) {
		st = str(it, "status");
		ok = ok && buf_puts(&b, "<tr><td>") == 0 &&
		    cv_text(&b, str(it, "name")) == 0 &&
		    buf_puts(&b, "</td><td>") == 0 &&
		    cv_text(&b, str(it, "type")) == 0 &&
		    buf_puts(&b, "</td><td class=\"state-") == 0 &&
		    cv_text(&b, st) == 0 && buf_puts(&b, "\">") == 0 &&
		    cv_text(&b, st) == 0 && buf_puts(&b, "</td><td>") == 0 &&
		    cv_text(&b, str(it, "lastCheckedAt") != NULL ?
		    str(it, "lastCheckedAt") : "never") == 0 &&
		    buf_puts(&b, "</td></tr>\n") == 0;
	}
	if (ok && cJSON_GetArraySize(items) > 0)
		ok = buf_puts(&b, "</tbody>\n</table></div>\n") == 0;
	cJSON_Delete(items);
	return answer(r, &b, ok, 200);
}

/* Start l on a first page of PAGE_MAX items (pg must outlive l). */
static void
all_start(struct lister *l, struct page *pg, int64_t now)
{
	memset(pg, 0, sizeof(*pg));
	pg->perpage = PAGE_MAX;
	page_start(l, pg, now);
}

/* The team's members, newest first, as member_json items into *out. */
static int
team_members(struct req *r, cJSON **out)
{
	struct lister	 l;
	struct page	 pg;

	all_start(&l, &pg, r->now);
	return page_items(&l, member_list(r->db, r->session->member.team_id,
	    -1, &l), out);
}

/* The team's keys in any status, newest first, into *out. */
static int
team_keys(struct req *r, cJSON **out)
{
	struct lister	 l;
	struct page	 pg;

	all_start(&l, &pg, r->now);
	return page_items(&l, apikey_list(r->db, r->session->member.team_id,
	    KEY_ALL, &l), out);
}

/* What the views of lib/cvteam.c need of the request. */
static void
view_ctx(struct req *r, struct cvt_ctx *c, const char *app,
    const char *csrf)
{
	c->app = app;
	c->csrf = csrf;
	c->role = r->role;
	c->scopes = session_scopes(r);
	c->me = r->session->member.id;
}

/*
 * The API keys page (p filled but for its lists): a secret just made or
 * rotated (shown once), the form, the keys; status 200, or 422 for the
 * form again.
 */
static int
keys_page(struct req *r, struct cvt_keys *p, int status)
{
	struct cv_frame	 f;
	struct cvt_ctx	 c;
	struct buf	 b = { NULL, 0, 0 };
	cJSON		*keys = NULL, *members = NULL;
	char		 app[APP_MAX], csrf[SESSION_CSRFLEN + 1];
	int		 ok, rc;

	if ((rc = team_keys(r, &keys)) != DB_OK ||
	    (rc = team_members(r, &members)) != DB_OK) {
		cJSON_Delete(keys);
		cJSON_Delete(members);
		return resp_db(r, rc);
	}
	frame(r, &f, app, csrf, "API keys");
	view_ctx(r, &c, app, csrf);
	p->keys = keys;
	p->members = members;
	ok = cv_begin(&b, &f) == 0 && cvt_keys(&b, &c, p) == 0;
	cJSON_Delete(keys);
	cJSON_Delete(members);
	return answer(r, &b, ok, status);
}

/* The keys page again with why the form was not taken (422). */
static int
keys_again(struct req *r, const char *alert)
{
	struct cvt_keys	 p;

	memset(&p, 0, sizeof(p));
	p.alert = alert;
	p.name = req_form(r, "name");
	p.expires = req_form(r, "expires");
	return keys_page(r, &p, 422);
}

/* The keys page with k's new secret, shown once (200); wipes secret. */
static int
keys_secret(struct req *r, const struct apikey *k, char *secret)
{
	struct cvt_keys	 p;
	int		 rc;

	memset(&p, 0, sizeof(p));
	p.secret = secret;
	p.secret_name = k->name;
	snprintf(r->target_id, sizeof(r->target_id), "%s", k->id);
	rc = keys_page(r, &p, 200);
	sodium_memzero(secret, KEY_LEN + 1);
	return rc;
}

/*
 * GET /app/api-keys
 * No key: the session, api-keys:read.  200 text/html: the team's keys
 * (prefix, scopes, who made it, last use, expiry, status) and, with
 * api-keys:write, the form to make one and rotate and revoke; 303 to
 * /app/login when signed out; 403 insufficient_scope.
 */
static int
keys_get(struct req *r)
{
	struct cvt_keys	 p;

	if (session_scope(r, SCOPE_API_KEYS_READ) == -1)
		return 0;
	memset(&p, 0, sizeof(p));
	return keys_page(r, &p, 200);
}

/* A form's date "YYYY-MM-DD" as 00:00 UTC that day into *ms; 0 or -1. */
static int
form_date(const char *s, int64_t *ms)
{
	char	 t[32];

	if (strlen(s) != 10 || strspn(s, "0123456789-") != 10 ||
	    s[4] != '-' || s[7] != '-')
		return -1;
	snprintf(t, sizeof(t), "%sT00:00:00Z", s);
	return time_parse(t, ms);
}

/*
 * POST /app/api-keys (form: csrf, name, expires?, scope...)
 * No key: the session, api-keys:write.  200 text/html: the page with the
 * new key's secret, shown once; 422 the form again with its error (a
 * name, a scope, an expiry date that is not in the future); 401
 * session_required when signed out; 403 bad_origin, bad_csrf,
 * insufficient_scope, escalation_refused (a scope the role lacks); 409
 * limit_exceeded; 415.
 */
static int
keys_post(struct req *r)
{
	struct apikey	 k;
	const char	*name = req_form(r, "name");
	const char	*expires = req_form(r, "expires");
	char		 secret[KEY_LEN + 1];
	unsigned	 mine = session_scopes(r);
	size_t		 i;
	long		 n;
	int		 s, rc;

	if (session_scope(r, SCOPE_API_KEYS_WRITE) == -1)
		return 0;
	memset(&k, 0, sizeof(k));
	for (i = 0; i < r->nform; i++) {
		if (strcmp(r->form[i].name, "scope") != 0)
			continue;
		if ((s = scope_find(r->form[i].value)) == -1)
			return keys_again(r, "Pick scopes from the list.");
		if (!(mine & (1u << s)))
			return resp_problem_member(r, 403,
			    "escalation_refused", "scope", scope_names[s],
			    "Your role cannot give a key the %s scope.",
			    scope_names[s]);
		k.scopes |= 1u << s;
	}
	n = name != NULL ? utf8_chars(name) : 0;
	if (n < 1 || n > NAME_MAXCHARS)
		return keys_again(r, "Give the key a name of 1 to 255 "
		    "characters.");
	if (k.scopes == 0)
		return keys_again(r, "Pick at least one scope.");
	if (expires != NULL && *expires != '\0' &&
	    (form_date(expires, &k.expires_at) == -1 || k.expires_at <= r->now))
		return keys_again(r, "The expiry must be a date after today "
		    "(YYYY-MM-DD), or empty for none.");
	snprintf(k.name, sizeof(k.name), "%s", name);
	snprintf(k.team_id, sizeof(k.team_id), "%s",
	    r->session->member.team_id);
	snprintf(k.created_by_member, sizeof(k.created_by_member), "%s",
	    r->session->member.id);
	snprintf(k.holder, sizeof(k.holder), "%s", r->session->member.id);
	if (limit_check_team(r, LIMIT_KEYS, k.team_id) == -1)
		return 0;
	key_generate(secret);
	if ((rc = apikey_insert(r->db, &k, secret, r->now)) != DB_OK) {
		sodium_memzero(secret, sizeof(secret));
		return resp_db(r, rc);
	}
	return keys_secret(r, &k, secret);
}

/* The team's key of the path, which the role may act on: DB_OK, or -1
 * answered (404; 403 escalation_refused for a key with a scope the role
 * does not hold). */
static int
acted_key(struct req *r, struct apikey *k)
{
	int	 rc;

	if ((rc = apikey_get(r->db, r->session->member.team_id, r->args[0],
	    k)) != DB_OK)
		return resp_db(r, rc), -1;
	if (k->scopes & ~session_scopes(r))
		return resp_problem(r, 403, "escalation_refused", "Your role "
		    "cannot act on a key with scopes it does not hold."), -1;
	return DB_OK;
}

/*
 * POST /app/api-keys/{key}/revoke (form: csrf)
 * No key: the session, api-keys:write.  303 to /app/api-keys, the key
 * revoked (also when it was already); 401 session_required when signed
 * out; 403 bad_origin, bad_csrf, insufficient_scope, escalation_refused
 * (a key with a scope the role lacks); 404; 415.
 */
static int
keys_revoke(struct req *r)
{
	struct apikey	 k;
	int		 rc;

	if (session_scope(r, SCOPE_API_KEYS_WRITE) == -1 ||
	    acted_key(r, &k) == -1)
		return 0;
	if (k.revoked_at == 0 && (rc = apikey_revoke(r->db, &k, r->now)) !=
	    DB_OK)
		return resp_db(r, rc);
	return session_redirect(r, "/api-keys");
}

/*
 * POST /app/api-keys/{key}/rotate (form: csrf)
 * No key: the session, api-keys:write.  200 text/html: the page with the
 * key's new secret, shown once; the old secret stops working at once.
 * 422 the page again when the key is revoked or expired; 401
 * session_required when signed out; 403 bad_origin, bad_csrf,
 * insufficient_scope, escalation_refused (a key with a scope the role
 * lacks); 404; 415.
 */
static int
keys_rotate(struct req *r)
{
	struct apikey	 k;
	char		 secret[KEY_LEN + 1];
	char		 msg[96];
	int		 rc;

	if (session_scope(r, SCOPE_API_KEYS_WRITE) == -1 ||
	    acted_key(r, &k) == -1)
		return 0;
	if (apikey_status(&k, r->now) != KEY_ACTIVE) {
		snprintf(msg, sizeof(msg), "Only active keys can be rotated; "
		    "this one is %s.", key_status_names[apikey_status(&k,
		    r->now)]);
		return keys_again(r, msg);
	}
	key_generate(secret);
	if ((rc = apikey_set_secret(r->db, &k, secret)) != DB_OK) {
		sodium_memzero(secret, sizeof(secret));
		return resp_db(r, rc);
	}
	return keys_secret(r, &k, secret);
}

/*
 * Team: members and their roles, invitations, the audit log, and the
 * forgot-password page.  The same lib modules and the same rules as
 * the API's team.fcgi and api-keys.fcgi: the role's scopes
 * (session_scope), the role rule (auth_role: no one gives a role above
 * their own or changes a member above it), the last owner kept,
 * removing a member revokes the keys it holds.
 */

/* The team page (t filled but for its lists) with status. */
static int
team_page(struct req *r, struct cvt_team *t, int status)
{
	struct cv_frame	 f;
	struct cvt_ctx	 c;
	struct buf	 b = { NULL, 0, 0 };
	struct lister	 l;
	struct page	 pg;
	cJSON		*members = NULL, *invites = NULL;
	char		 app[APP_MAX], csrf[SESSION_CSRFLEN + 1];
	int		 ok, rc;

	all_start(&l, &pg, r->now);
	if ((rc = team_members(r, &members)) != DB_OK ||
	    (rc = page_items(&l, invite_list(r->db,
	    r->session->member.team_id, INV_PENDING, &l), &invites)) !=
	    DB_OK) {
		cJSON_Delete(members);
		cJSON_Delete(invites);
		return resp_db(r, rc);
	}
	frame(r, &f, app, csrf, "Team");
	view_ctx(r, &c, app, csrf);
	t->members = members;
	t->invites = invites;
	ok = cv_begin(&b, &f) == 0 && cvt_team(&b, &c, t) == 0;
	cJSON_Delete(members);
	cJSON_Delete(invites);
	return answer(r, &b, ok, status);
}

/* The team page again with why nothing was done (422). */
static int
team_again(struct req *r, const char *alert)
{
	struct cvt_team	 t;

	memset(&t, 0, sizeof(t));
	t.alert = alert;
	return team_page(r, &t, 422);
}

/*
 * GET /app/team
 * No key: the session, team:read.  200 text/html: the members with
 * their roles and the pending invitations; with team:write, the forms
 * to change a role, remove, invite, resend and revoke, each only where
 * the member's role may; 303 to /app/login when signed out; 403
 * insufficient_scope.
 */
static int
team_show(struct req *r)
{
	struct cvt_team	 t;

	if (session_scope(r, SCOPE_TEAM_READ) == -1)
		return 0;
	memset(&t, 0, sizeof(t));
	return team_page(r, &t, 200);
}

/* The team's member of the path into m, which the role may change to
 * want (-1: removed): 0, or -1 answered (404; 403 outranked,
 * escalation_refused). */
static int
acted_member(struct req *r, struct member *m, int want)
{
	int	 rc;

	if ((rc = member_get(r->db, r->session->member.team_id, r->args[0],
	    m)) != DB_OK)
		return resp_db(r, rc), -1;
	return auth_role(r, (int)m->role, want);
}

/* 1 (the page again, 422, answered) when m is the team's last owner,
 * 0 when not, -1 on a database error (answered). */
static int
keeps_owner(struct req *r, const struct member *m, const char *what)
{
	char	 msg[NAME_MAXBYTES + 96];
	int	 last, rc;

	if ((rc = member_last_owner(r->db, m, &last)) != DB_OK)
		return resp_db(r, rc), -1;
	if (!last)
		return 0;
	snprintf(msg, sizeof(msg), "%s is the team's last owner and cannot "
	    "be %s; make another member owner first.", m->name, what);
	team_again(r, msg);
	return 1;
}

/*
 * POST /app/team/members/{mem}/role (form: csrf, role)
 * No key: the session, team:write.  303 to /app/team, the role changed;
 * 422 the page again for a role that is not one of the four or the
 * team's last owner demoted; 401 session_required when signed out; 403
 * bad_origin, bad_csrf, insufficient_scope, outranked (a member above
 * the role: only an owner changes an owner), escalation_refused (a role
 * above it); 404 (also another team's member); 415.
 */
static int
member_role_post(struct req *r)
{
	struct member	 m;
	const char	*role = req_form(r, "role");
	int		 want = role != NULL ? member_role_find(role) : -1, rc;

	if (session_scope(r, SCOPE_TEAM_WRITE) == -1)
		return 0;
	if (want == -1) {
		if ((rc = member_get(r->db, r->session->member.team_id,
		    r->args[0], &m)) != DB_OK)
			return resp_db(r, rc);
		return team_again(r, "Pick a role from the list: owner, admin, "
		    "member or viewer.");
	}
	if (acted_member(r, &m, want) == -1)
		return 0;
	if (want != ROLE_OWNER && (rc = keeps_owner(r, &m, "demoted")) != 0)
		return rc == 1 ? 0 : -1;
	m.role = (enum member_role)want;
	if ((rc = member_update(r->db, &m)) != DB_OK)
		return resp_db(r, rc);
	snprintf(r->target_id, sizeof(r->target_id), "%s", m.id);
	return session_redirect(r, "/team");
}

/*
 * POST /app/team/members/{mem}/remove (form: csrf)
 * No key: the session, team:write.  303 to /app/team: the member removed,
 * their sessions ended and the keys they hold revoked; 422 the page
 * again for the team's last owner; 401 session_required when signed out;
 * 403 bad_origin, bad_csrf, insufficient_scope, outranked (only an owner
 * removes an owner); 404; 415.
 */
static int
member_remove_post(struct req *r)
{
	struct member	 m;
	int		 rc;

	if (session_scope(r, SCOPE_TEAM_WRITE) == -1 ||
	    acted_member(r, &m, -1) == -1)
		return 0;
	if ((rc = keeps_owner(r, &m, "removed")) != 0)
		return rc == 1 ? 0 : -1;
	/* Its sessions go with the row (ON DELETE CASCADE). */
	if ((rc = member_delete(r->db, m.team_id, m.id)) != DB_OK ||
	    (rc = apikey_revoke_held(r->db, m.team_id, m.id, r->now)) !=
	    DB_OK)
		return resp_db(r, rc);
	snprintf(r->target_id, sizeof(r->target_id), "%s", m.id);
	return session_redirect(r, "/team");
}

/*
 * Issue inv (new, or a resend of self) and show the team page with its
 * link, once; an address taken is the form again (422).
 */
static int
invite_send(struct req *r, struct invite *inv, const char *self)
{
	struct invite_sent	 sent;
	struct cvt_team		 t;
	char			 link[INVITE_URL_MAX];
	char			 msg[MAIL_ADDR_MAX + 96];
	int			 rc;

	memset(&t, 0, sizeof(t));
	rc = invite_issue(r->db, inv, self, r->now, &sent);
	if (rc == DB_CONFLICT) {
		snprintf(msg, sizeof(msg), sent.taken == INVITE_MEMBER ?
		    "%s is a member of the team already." : "%s has a pending "
		    "invitation already: resend or revoke it.", inv->email);
		if (self != NULL)
			return team_again(r, msg);
		t.email = inv->email;
		t.role = member_role_names[inv->role];
		t.email_err = msg;
		return team_page(r, &t, 422);
	}
	if (rc != DB_OK)
		return resp_db(r, rc);
	snprintf(link, sizeof(link), "%s/app/accept#token=%s", cfg.public_url,
	    sent.token);
	invite_sent_wipe(&sent);
	snprintf(r->target_id, sizeof(r->target_id), "%s", inv->id);
	t.link = link;
	t.link_email = inv->email;
	t.mailed = sent.mail == MAIL_SENT;
	rc = team_page(r, &t, 200);
	sodium_memzero(link, sizeof(link));
	return rc;
}

/*
 * POST /app/team/invites (form: csrf, email, role)
 * No key: the session, team:write.  200 text/html: the team page with
 * the invitation's link, shown once (and mailed when mail is
 * configured); 422 the form again with its errors beside their fields
 * (an address, a role, an address that is a member or has a pending
 * invitation); 401 session_required when signed out; 403 bad_origin,
 * bad_csrf, insufficient_scope, escalation_refused (a role above the
 * member's); 415.
 */
static int
invite_post(struct req *r)
{
	struct invite	 inv;
	struct cvt_team	 t;
	const char	*email = req_form(r, "email");
	const char	*role = req_form(r, "role");
	int		 want = role != NULL ? member_role_find(role) : -1;

	if (session_scope(r, SCOPE_TEAM_WRITE) == -1)
		return 0;
	memset(&inv, 0, sizeof(inv));
	memset(&t, 0, sizeof(t));
	if (email == NULL || mail_addr_normalize(email, inv.email,
	    sizeof(inv.email)) == -1)
		t.email_err = "Give an email address such as ann@example.com.";
	if (want == -1)
		t.role_err = "Pick a role from the list.";
	if (t.email_err != NULL || t.role_err != NULL) {
		t.email = email;
		t.role = role;
		return team_page(r, &t, 422);
	}
	if (auth_role(r, -1, want) == -1)
		return 0;
	inv.role = (enum member_role)want;
	inv.expires_at = r->now + cfg.invite_ttl * 1000LL;
	snprintf(inv.team_id, sizeof(inv.team_id), "%s",
	    r->session->member.team_id);
	return invite_send(r, &inv, NULL);
}

/* The team's invitation of the path into inv: 0, or -1 answered (404). */
static int
acted_invite(struct req *r, struct invite *inv)
{
	int	 rc;

	if ((rc = invite_get(r->db, r->session->member.team_id, r->args[0],
	    inv)) != DB_OK)
		return resp_db(r, rc), -1;
	return 0;
}

/*
 * POST /app/team/invites/{inv}/revoke (form: csrf)
 * No key: the session, team:write.  303 to /app/team, the invitation
 * revoked (also when it was already); 422 the page again for an
 * invitation that was accepted; 401 session_required when signed out;
 * 403 bad_origin, bad_csrf, insufficient_scope; 404; 415.
 */
static int
invite_revoke_post(struct req *r)
{
	struct invite	 inv;
	int		 rc;

	if (session_scope(r, SCOPE_TEAM_WRITE) == -1 ||
	    acted_invite(r, &inv) == -1)
		return 0;
	if (inv.accepted_at != 0)
		return team_again(r, "This invitation was accepted; remove the "
		    "member instead.");
	if (inv.revoked_at == 0 && (rc = invite_revoke(r->db, &inv,
	    r->now)) != DB_OK)
		return resp_db(r, rc);
	snprintf(r->target_id, sizeof(r->target_id), "%s", inv.id);
	return session_redirect(r, "/team");
}

/*
 * POST /app/team/invites/{inv}/resend (form: csrf)
 * No key: the session, team:write.  200 text/html: the team page with a
 * new link (the old one stops working), shown once and mailed when mail
 * is configured, valid UPTIME_INVITE_TTL_SECONDS from now; 422 the page
 * again for an invitation accepted or revoked, or whose address has
 * become a member; 401 session_required when signed out; 403
 * bad_origin, bad_csrf, insufficient_scope, escalation_refused (an
 * invitation to a role above the member's); 404; 415.
 */
static int
invite_resend_post(struct req *r)
{
	struct invite	 inv;

	if (session_scope(r, SCOPE_TEAM_WRITE) == -1 ||
	    acted_invite(r, &inv) == -1)
		return 0;
	if (inv.accepted_at != 0 || inv.revoked_at != 0)
		return team_again(r, "Only pending or expired invitations can "
		    "be resent.");
	if (auth_role(r, -1, (int)inv.role) == -1)
		return 0;
	inv.expires_at = r->now + cfg.invite_ttl * 1000LL;
	return invite_send(r, &inv, inv.id);
}

/*
 * GET /app/audit?memberId&keyId&action&perPage&cursor
 * No key: the session, api-keys:read.  200 text/html: the filter (a GET
 * form: member, key, action; "any" for none) and a page of the team's
 * audit events, newest first, with a link to the next; 303 to
 * /app/login when signed out; 400 bad_query; 403 insufficient_scope.
 */
static int
audit_get(struct req *r)
{
	struct cv_frame		 f;
	struct cvt_ctx		 c;
	struct cvt_audit	 p;
	struct audit_filter	 af;
	struct buf		 b = { NULL, 0, 0 };
	struct lister		 l;
	cJSON			*events = NULL, *members = NULL, *keys = NULL;
	cJSON			*actions = NULL;
	char			 app[APP_MAX], csrf[SESSION_CSRFLEN + 1];
	char			 next[CURSOR_MAX * 2];
	const char		*team;
	int			 ok, rc;

	if (session_scope(r, SCOPE_API_KEYS_READ) == -1)
		return 0;
	team = r->session->member.team_id;
	memset(&p, 0, sizeof(p));
	memset(&af, 0, sizeof(af));
	p.member_id = af.member_id = strcmp(req_query(r, "memberId") ?
	    req_query(r, "memberId") : "any", "any") != 0 ?
	    req_query(r, "memberId") : NULL;
	p.key_id = af.key_id = strcmp(req_query(r, "keyId") ?
	    req_query(r, "keyId") : "any", "any") != 0 ?
	    req_query(r, "keyId") : NULL;
	p.action = af.action = strcmp(req_query(r, "action") ?
	    req_query(r, "action") : "any", "any") != 0 ?
	    req_query(r, "action") : NULL;
	list_start(r, &l);
	rc = audit_list(r->db, team, &af, &l);
	if (l.more)
		page_cursor(l.last_t, l.last_id, next, sizeof(next));
	if ((rc = page_items(&l, rc, &events)) != DB_OK ||
	    (rc = team_members(r, &members)) != DB_OK ||
	    (rc = team_keys(r, &keys)) != DB_OK ||
	    (rc = audit_actions(r->db, team, &actions)) != DB_OK) {
		cJSON_Delete(events);
		cJSON_Delete(members);
		cJSON_Delete(keys);
		cJSON_Delete(actions);
		return resp_db(r, rc);
	}
	p.events = events;
	p.members = members;
	p.keys = keys;
	p.actions = actions;
	p.next = l.more ? next : NULL;
	frame(r, &f, app, csrf, "Audit log");
	view_ctx(r, &c, app, csrf);
	ok = cv_begin(&b, &f) == 0 && cvt_audit(&b, &c, &p) == 0;
	cJSON_Delete(events);
	cJSON_Delete(members);
	cJSON_Delete(keys);
	cJSON_Delete(actions);
	return answer(r, &b, ok, 200);
}

/* The forgot-password page. */
static int
forgot_page(struct req *r, int sent, const char *email, const char *err)
{
	struct cv_frame	 f;
	struct buf	 b = { NULL, 0, 0 };
	char		 app[APP_MAX], csrf[SESSION_CSRFLEN + 1];
	int		 ok;

	frame(r, &f, app, csrf, "Forgot your password?");
	f.who = NULL;
	ok = cv_begin(&b, &f) == 0 && cvt_forgot(&b, app,
	    cfg.smtp_url[0] != '\0', sent, cfg.link_ttl, email, err) == 0;
	return answer(r, &b, ok, err != NULL ? 422 : 200);
}

/*
 * GET /app/forgot
 * No key.  200 text/html: the form asking the address when mail is
 * configured, else what to do instead (ask an admin for a link).
 */
static int
forgot_get(struct req *r)
{
	return forgot_page(r, 0, NULL, NULL);
}

/*
 * POST /app/forgot (form: email)
 * No key.  200 text/html: the same page whether or not the address is a
 * member's ("a link is on its way"); for each member with the address, a
 * new one-time set-password link is mailed (earlier ones stop working);
 * without mail, the page that says to ask an admin, nothing done.  422
 * the form again for a value that is not an address; 403 bad_origin;
 * 415; 429 past UPTIME_LOGIN_LIMIT tries a minute from the client or
 * for the address (the sign-in's counters).
 */
static int
forgot_post(struct req *r)
{
	struct member	 m;
	const char	*email = req_form(r, "email");
	char		 addr[MAIL_ADDR_MAX + 1];
	int		 rc;

	if (cfg.smtp_url[0] == '\0')
		return forgot_page(r, 0, NULL, NULL);
	if (email == NULL || mail_addr_normalize(email, addr,
	    sizeof(addr)) == -1) {
		if (session_throttle(r, NULL) == -1)
			return 0;
		return forgot_page(r, 0, email, "Give an email address such as "
		    "ann@example.com.");
	}
	if (session_throttle(r, addr) == -1)
		return 0;
	rc = account_forgot(r->db, addr, r->now, &m);
	if (rc == DB_OK) {
		/* On the record of the (oldest) team, for its member; an
		 * unknown address's is on no team's. */
		snprintf(r->team_id, sizeof(r->team_id), "%s", m.team_id);
		snprintf(r->target_id, sizeof(r->target_id), "%s", m.id);
	} else if (rc != DB_NOTFOUND)
		return resp_db(r, rc);
	return forgot_page(r, 1, NULL, NULL);
}

/*
 * GET /app/style.css
 * No key.  200 text/css: the console's one style sheet.
 */
static int
stylesheet(struct req *r)
{
	struct buf	 b = { NULL, 0, 0 };

	if (buf_puts(&b, cv_stylesheet()) != 0) {
		buf_free(&b);
		return resp_db(r, DB_ERROR);
	}
	resp_header(r, "Cache-Control", "public, max-age=3600");
	return resp_body(r, 200, "text/css", &b);
}

/* The audit log's filter: ids or "any" (a GET form sends every
 * field). */
static const char *const any_name[] = { "any" };
static const struct qspec q_audit[] = {
	Q_ID_OR("memberId", "mem", any_name, 1),
	Q_ID_OR("keyId", "key", any_name, 1),
	Q_TEXT("action", 63, "abcdefghijklmnopqrstuvwxyz_."),
	Q_PAGE,
	Q_END
};

static const struct route routes[] = {
	{ "GET", "/app", SCOPE_PUBLIC, overview, NULL, NULL, ROUTE_SESSION },
	{ "GET", "/app/login", SCOPE_PUBLIC, login_get, NULL, NULL,
	    ROUTE_FORM },
	{ "POST", "/app/login", SCOPE_PUBLIC, login_post, "session.created",
	    NULL, ROUTE_FORM | ROUTE_NOTX },
	{ "POST", "/app/logout", SCOPE_PUBLIC, logout_post, "session.ended",
	    NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "GET", "/app/accept", SCOPE_PUBLIC, accept_get, NULL, NULL,
	    ROUTE_FORM },
	{ "POST", "/app/accept", SCOPE_PUBLIC, accept_post, "invite.accepted",
	    NULL, ROUTE_FORM | ROUTE_NOTX },
	{ "GET", "/app/password", SCOPE_PUBLIC, password_get, NULL, NULL,
	    ROUTE_FORM },
	{ "POST", "/app/password", SCOPE_PUBLIC, password_post,
	    "member.password_set", NULL, ROUTE_FORM | ROUTE_NOTX },
	{ "GET", "/app/api-keys", SCOPE_PUBLIC, keys_get, NULL, NULL,
	    ROUTE_SESSION },
	{ "POST", "/app/api-keys", SCOPE_PUBLIC, keys_post, "api_key.created",
	    NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "POST", "/app/api-keys/{key}/revoke", SCOPE_PUBLIC, keys_revoke,
	    "api_key.revoked", NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "POST", "/app/api-keys/{key}/rotate", SCOPE_PUBLIC, keys_rotate,
	    "api_key.rotated", NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "GET", "/app/team", SCOPE_PUBLIC, team_show, NULL, NULL,
	    ROUTE_SESSION },
	{ "POST", "/app/team/members/{mem}/role", SCOPE_PUBLIC,
	    member_role_post, "member.updated", NULL,
	    ROUTE_SESSION | ROUTE_FORM },
	{ "POST", "/app/team/members/{mem}/remove", SCOPE_PUBLIC,
	    member_remove_post, "member.removed", NULL,
	    ROUTE_SESSION | ROUTE_FORM },
	{ "POST", "/app/team/invites", SCOPE_PUBLIC, invite_post,
	    "invite.created", NULL, ROUTE_SESSION | ROUTE_FORM | ROUTE_NOTX },
	{ "POST", "/app/team/invites/{inv}/revoke", SCOPE_PUBLIC,
	    invite_revoke_post, "invite.revoked", NULL,
	    ROUTE_SESSION | ROUTE_FORM },
	{ "POST", "/app/team/invites/{inv}/resend", SCOPE_PUBLIC,
	    invite_resend_post, "invite.resent", NULL,
	    ROUTE_SESSION | ROUTE_FORM | ROUTE_NOTX },
	{ "GET", "/app/audit", SCOPE_PUBLIC, audit_get, NULL, q_audit,
	    ROUTE_SESSION },
	{ "GET", "/app/forgot", SCOPE_PUBLIC, forgot_get, NULL, NULL,
	    ROUTE_FORM },
	{ "POST", "/app/forgot", SCOPE_PUBLIC, forgot_post,
	    "member.password_forgot", NULL, ROUTE_FORM | ROUTE_NOTX },
	{ "GET", "/app/style.css", SCOPE_PUBLIC, stylesheet, NULL, NULL, 0 },
};

int
main(void)
{
	/* SERVE_CURL: invitations and set-password links are mailed. */
	return serve_main(routes, sizeof(routes) / sizeof(routes[0]),
	    SERVE_CURL);
}
