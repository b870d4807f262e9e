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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "uptime.h"
#include "account.h"
#include "alert.h"
#include "consoleview.h"
#include "cvalert.h"
#include "cvmonitor.h"
#include "cvteam.h"
#include "heartbeat.h"
#include "incident.h"
#include "invite.h"
#include "limit.h"
#include "location.h"
#include "mailaddr.h"
#include "maintenance.h"
#include "member.h"
#include "monitor.h"
#include "notify.h"
#include "rollup.h"
#include "session.h"
#include "statuspage.h"
#include "statusview.h"

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
 * Monitors
 *
 * The overview, a monitor's page, the forms that create and edit
 * monitors of each type, and the actions of the API's monitor routes
 * (pause, resume, run now, delete), each asking for the scope its API
 * route needs.  The data comes from the modules the API answers from:
 * monitor.h (monitors, results, outages), rollup.h (stats and hourly
 * series), heartbeat.h (pings); the HTML from lib/cvmonitor.c.
 */

/* A form field of the request (arg), for cvm_values. */
static const char *
form_get(void *arg, const char *name)
{
	return req_form(arg, name);
}

/*
 * Begin a list of at most perpage items after the cursor older (NULL:
 * from the newest); -1 with 400 answered when it is not a cursor.
 */
static int
list_from(struct req *r, struct lister *l, struct page *pg, int perpage,
    const char *older)
{
	memset(pg, 0, sizeof(*pg));
	if (older != NULL && page_cursor_decode(older, pg) == -1)
		return resp_problem(r, 400, "bad_query", "older is not a "
		    "cursor this page gave."), -1;
	pg->perpage = perpage;
	page_start(l, pg, r->now);
	return 0;
}

/* The page of a list as items, at most perpage of them: *items the
 * caller's.  A DB_* code. */
static int
items_of(struct req *r, int perpage, int (*list)(struct req *,
    struct lister *, void *), void *arg, cJSON **items)
{
	struct lister	 l;
	struct page	 pg;

	memset(&pg, 0, sizeof(pg));
	pg.perpage = perpage;
	page_start(&l, &pg, r->now);
	return page_items(&l, list(r, &l, arg), items);
}

/* A monitor's recent results: a heartbeat's are its pings. */
static int
list_results(struct req *r, struct lister *l, void *arg)
{
	const struct monitor		*m = arg;
	const struct result_filter	 f = { 0, 0, -1, NULL };

	return m->type == MON_HEARTBEAT ? ping_list(r->db, m->id, &f, l) :
	    result_list(r->db, m->id, &f, l);
}

static int
list_outages(struct req *r, struct lister *l, void *arg)
{
	return outage_list(r->db, ((const struct monitor *)arg)->id, NULL, l);
}

/* The monitor of the path, of the member's team: 0, or -1 with 404 (or
 * the database's error) answered. */
static int
load_monitor(struct req *r, struct monitor *m)
{
	return resp_found(r, monitor_get(r->db, r->session->member.team_id,
	    r->args[0], m));
}

#define OVERVIEW_PAGE	100	/* monitors a page of the overview */

/*
 * GET /app?state&tag&older
 * No key: the session, monitors:read.  200 text/html: the team's
 * monitors, OVERVIEW_PAGE a page (older: a cursor of the next page),
 * with their states, last checks, 24-hour bars and response-time
 * sparklines, filtered by state and tag; 303 to /app/login when signed
 * out; 400 bad_query; 403 insufficient_scope.
 */
static int
overview(struct req *r)
{
	struct cvm_list		 cl;
	struct monitor_filter	 mf = { -1, -1, NULL };
	struct lister		 l;
	struct page		 pg;
	struct cv_frame		 f;
	struct buf		 b = { NULL, 0, 0 };
	struct rollup_point	*hours = NULL;
	cJSON			*items = NULL;
	const cJSON		*it;
	const char		*tag = req_query(r, "tag");
	char			 app[APP_MAX], csrf[SESSION_CSRFLEN + 1];
	char			 next[CURSOR_MAX] = "";
	int			 state = req_enum(r, "state"), own = 0, i = 0;
	int			 ok, rc;

	if (session_scope(r, SCOPE_MONITORS_READ) == -1)
		return 0;
	mf.status = state > 0 ? state - 1 : -1;
	mf.tag = tag != NULL && *tag != '\0' ? tag : NULL;
	if (list_from(r, &l, &pg, OVERVIEW_PAGE, req_query(r, "older")) == -1)
		return 0;
	/* The monitors and their hours as of one moment. */
	if ((rc = db_read_begin(r->db, &own)) != DB_OK)
		return resp_db(r, rc);
	rc = page_items(&l, monitor_list(r->db, r->session->member.team_id,
	    &mf, &l), &items);
	if (rc == DB_OK && l.more)
		page_cursor(l.last_t, l.last_id, next, CURSOR_MAX);
	if (rc == DB_OK && (hours = calloc((size_t)cJSON_GetArraySize(items) +
	    1, CVM_HOURS * sizeof(*hours))) == NULL)
		rc = DB_ERROR;
	cJSON_ArrayForEach(it, items)
		if (rc == DB_OK)
			rc = rollup_series(r->db, str(it, "id"), r->now -
			    (CVM_HOURS - 1) * ROLLUP_HOUR_MS, ROLLUP_HOUR_MS,
			    CVM_HOURS, &hours[CVM_HOURS * i++]);
	if ((rc = db_read_end(r->db, own, rc)) != DB_OK) {
		cJSON_Delete(items);
		free(hours);
		return resp_db(r, rc);
	}
	frame(r, &f, app, csrf, "Monitors");
	cl.app = app;
	cl.write = (session_scopes(r) & (1u << SCOPE_MONITORS_WRITE)) != 0;
	cl.state = state;
	cl.tag = tag;
	cl.next = next;
	cl.items = items;
	cl.hours = hours;
	ok = cv_begin(&b, &f) == 0 && cvm_overview(&b, &cl) == 0;
	cJSON_Delete(items);
	free(hours);
	return answer(r, &b, ok, 200);
}

/*
 * GET /app/monitors/{id}?range
 * No key: the session, monitors:read.  200 text/html: the monitor's
 * state, its uptime over 24 hours, 7 and 30 days, a response-time
 * chart (p50 and p95) of the range (24h, 7d or 30d), recent results and
 * outages, and with monitors:write its actions; 303 to /app/login when
 * signed out; 400 bad_query; 403 insufficient_scope; 404.
 */
static int
monitor_page(struct req *r)
{
	struct cvm_page		 cp;
	struct stats		 w[CVM_RANGE__MAX];
	struct monitor		 m;
	struct cv_frame		 f;
	struct buf		 b = { NULL, 0, 0 };
	struct rollup_point	*pts = NULL;
	cJSON			*mon = NULL, *res = NULL, *outs = NULL;
	char			 app[APP_MAX], csrf[SESSION_CSRFLEN + 1];
	int			 range = req_enum(r, "range"), own = 0, i;
	int			 n = cvm_range_points[range], ok = 0, rc;
	int64_t			 step = cvm_range_step_ms[range];

	if (session_scope(r, SCOPE_MONITORS_READ) == -1)
		return 0;
	if ((rc = db_read_begin(r->db, &own)) != DB_OK)
		return resp_db(r, rc);
	rc = monitor_get(r->db, r->session->member.team_id, r->args[0], &m);
	if (rc != DB_OK) {
		rc = db_read_end(r->db, own, rc);
		return resp_db(r, rc);
	}
	/* The windows of the API's stats (GET /v1/monitors/{id}/stats). */
	for (i = 0; rc == DB_OK && i < CVM_RANGE__MAX; i++)
		rc = rollup_stats(r->db, m.id, m.created_at, r->now -
		    stats_window_ms[i], r->now, r->now, &w[i]);
	if (rc == DB_OK && (pts = calloc((size_t)n, sizeof(*pts))) == NULL)
		rc = DB_ERROR;
	if (rc == DB_OK)
		rc = rollup_series(r->db, m.id, r->now - (n - 1) * step, step,
		    n, pts);
	if (rc == DB_OK)
		rc = items_of(r, 20, list_results, &m, &res);
	if (rc == DB_OK)
		rc = items_of(r, 10, list_outages, &m, &outs);
	if (rc == DB_OK && (mon = monitor_json(&m)) == NULL)
		rc = DB_ERROR;
	rc = db_read_end(r->db, own, rc);
	if (rc == DB_OK) {
		frame(r, &f, app, csrf, m.name);
		memset(&cp, 0, sizeof(cp));
		cp.app = app;
		cp.csrf = csrf;
		cp.write = (session_scopes(r) & (1u << SCOPE_MONITORS_WRITE)) !=
		    0;
		cp.mon = mon;
		cp.windows = w;
		cp.range = range;
		cp.points = pts;
		cp.results = res;
		cp.outages = outs;
		ok = cv_begin(&b, &f) == 0 && cvm_monitor(&b, &cp) == 0;
	}
	monitor_free(&m);
	free(pts);
	cJSON_Delete(res);
	cJSON_Delete(outs);
	cJSON_Delete(mon);
	if (rc != DB_OK)
		return resp_db(r, rc);
	return answer(r, &b, ok, 200);
}

/* The form of a monitor (id NULL: a new one of type) with its values
 * and errors; 422 when there are errors: nothing was saved. */
static int
form_page(struct req *r, const char *id, int type,
    const struct cvm_values *val, const struct verrs *errs)
{
	struct cvm_form	 cf;
	struct cv_frame	 f;
	struct buf	 b = { NULL, 0, 0 };
	char		 app[APP_MAX], csrf[SESSION_CSRFLEN + 1];
	int		 ok;

	frame(r, &f, app, csrf, id == NULL ? "New monitor" : "Edit the "
	    "monitor");
	cf.app = app;
	cf.csrf = csrf;
	cf.id = id;
	cf.type = type;
	cf.val = *val;
	cf.errs = errs != NULL && errs->n > 0 ? errs : NULL;
	ok = cv_begin(&b, &f) == 0 && cvm_form(&b, &cf) == 0;
	return answer(r, &b, ok, cf.errs != NULL ? 422 : 200);
}

/* The form's page with the values of the monitor m's API object. */
static int
form_of(struct req *r, const char *id, struct monitor *m)
{
	struct cvm_values	 val = { cvm_json_get, NULL };
	cJSON			*mon, *vals;
	int			 rc;

	mon = monitor_json(m);
	vals = mon != NULL ? cvm_form_values(mon) : NULL;
	cJSON_Delete(mon);
	if (vals == NULL)
		return resp_db(r, DB_ERROR);
	val.arg = vals;
	rc = form_page(r, id, (int)m->type, &val, NULL);
	cJSON_Delete(vals);
	return rc;
}

/*
 * GET /app/monitors/new?type
 * No key: the session, monitors:write.  200 text/html: the form for a
 * new monitor of the type (http, tcp, dns or heartbeat), with the API's
 * defaults; 303 to /app/login when signed out; 400 bad_query; 403
 * insufficient_scope.
 */
static int
monitor_new(struct req *r)
{
	struct monitor	 m;
	struct verrs	 v = { 0 };
	cJSON		*none;
	int		 rc;

	if (session_scope(r, SCOPE_MONITORS_WRITE) == -1)
		return 0;
	/* The defaults are monitor_apply's, filled in for the type. */
	monitor_init(&m, r->now);
	m.type = (enum mon_type)req_enum(r, "type");
	if ((none = cJSON_CreateObject()) != NULL)
		monitor_apply(&m, none, 0, &v);
	cJSON_Delete(none);
	rc = form_of(r, NULL, &m);
	monitor_free(&m);
	return rc;
}

/* A slug another heartbeat of the team holds, as the form's error. */
static int
slug_taken(struct monitor *m, int rc, struct verrs *v)
{
	if (rc != DB_CONFLICT || cJSON_GetStringValue(cJSON_GetObjectItem(
	    m->config, "slug")) == NULL)
		return 0;
	verr_add(v, VERR_INVALID, "/slug", "another heartbeat of the team "
	    "has this slug");
	return 1;
}

/* Of a form of no known type, only the errors of the fields it shows:
 * the fields of the type the API fell back to are not the person's. */
static void
type_errors(struct verrs *v)
{
	static const char *const shown[] = { "/type", "/name", "/tags" };
	size_t	 i, n = 0;

	for (i = 0; i < v->n; i++)
		if (str_index(shown, 3, v->e[i].pointer) != -1 ||
		    strncmp(v->e[i].pointer, "/tags/", 6) == 0)
			v->e[n++] = v->e[i];
	v->n = n;
}

/*
 * POST /app/monitors (form: csrf, type and the type's fields)
 * No key: the session, monitors:write.  303 to the monitor's page (a
 * heartbeat's shows its ping URL); 422 the form again with each error
 * beside its field, nothing saved (an unknown type, a field the API
 * refuses, a heartbeat's slug taken); 401 session_required when signed
 * out; 403 bad_origin, bad_csrf, insufficient_scope; 409
 * limit_exceeded (UPTIME_MAX_MONITORS); 415.
 */
static int
monitor_create_post(struct req *r)
{
	struct cvm_values	 fv = { form_get, r };
	struct monitor		 m;
	struct verrs		 v = { 0 };
	cJSON			*body;
	char			 to[ID_MAX + 16];
	int			 t, rc;

	if (session_scope(r, SCOPE_MONITORS_WRITE) == -1)
		return 0;
	t = str_index(mon_type_names, MON_TYPE__MAX, req_form(r, "type"));
	if ((body = cvm_body(t, 1, &fv)) == NULL)
		return resp_db(r, DB_ERROR);
	monitor_init(&m, r->now);
	monitor_apply(&m, body, 1, &v);
	cJSON_Delete(body);
	if (t == -1)
		type_errors(&v);
	snprintf(m.team_id, sizeof(m.team_id), "%s",
	    r->session->member.team_id);
	if (v.n == 0 && limit_check_team(r, LIMIT_MONITORS, m.team_id) ==
	    -1) {
		monitor_free(&m);
		return 0;
	}
	rc = v.n > 0 ? DB_OK : monitor_create(r->db, &m, r->now);
	if (rc == DB_OK && v.n == 0)
		rc = location_monitor_saved(r->db, &m, -1, r->now, &v);
	if ((rc == DB_OK && v.n > 0) || slug_taken(&m, rc, &v)) {
		monitor_free(&m);
		return form_page(r, NULL, t, &fv, &v);
	}
	if (rc != DB_OK) {
		monitor_free(&m);
		return resp_db(r, rc);
	}
	snprintf(r->target_id, sizeof(r->target_id), "%s", m.id);
	snprintf(to, sizeof(to), "/monitors/%s", m.id);
	monitor_free(&m);
	return session_redirect(r, to);
}

/*
 * GET /app/monitors/{id}/edit
 * No key: the session, monitors:write.  200 text/html: the monitor's
 * form with its values; 303 to /app/login when signed out; 403
 * insufficient_scope; 404.
 */
static int
monitor_edit(struct req *r)
{
	struct monitor	 m;
	int		 rc;

	if (session_scope(r, SCOPE_MONITORS_WRITE) == -1 ||
	    load_monitor(r, &m) == -1)
		return 0;
	rc = form_of(r, r->args[0], &m);
	monitor_free(&m);
	return rc;
}

/*
 * POST /app/monitors/{id}/edit (form: csrf and the type's fields)
 * No key: the session, monitors:write.  303 to the monitor's page, the
 * change saved as PATCH /v1/monitors/{id} saves it; 422 the form again
 * with each error beside its field, nothing saved; 401
 * session_required when signed out; 403 bad_origin, bad_csrf,
 * insufficient_scope; 404; 415.
 */
static int
monitor_edit_post(struct req *r)
{
	struct cvm_values	 fv = { form_get, r };
	struct monitor		 m;
	struct verrs		 v = { 0 };
	cJSON			*body;
	char			 to[ID_MAX + 16];
	int			 rc, was_paused;

	if (session_scope(r, SCOPE_MONITORS_WRITE) == -1 ||
	    load_monitor(r, &m) == -1)
		return 0;
	if ((body = cvm_body((int)m.type, 0, &fv)) == NULL) {
		monitor_free(&m);
		return resp_db(r, DB_ERROR);
	}
	was_paused = m.paused;
	rc = monitor_patch(r->db, &m, body, r->now, &v);
	cJSON_Delete(body);
	if (rc == DB_OK && v.n == 0)
		rc = location_monitor_saved(r->db, &m, was_paused, r->now, &v);
	if ((rc == DB_OK && v.n > 0) || slug_taken(&m, rc, &v)) {
		rc = form_page(r, r->args[0], (int)m.type, &fv, &v);
		monitor_free(&m);
		return rc;
	}
	monitor_free(&m);
	if (rc != DB_OK)
		return resp_db(r, rc);
	snprintf(to, sizeof(to), "/monitors/%s", r->args[0]);
	return session_redirect(r, to);
}

/* Pause or resume the monitor of the path, as the API's routes do. */
static int
set_paused(struct req *r, int paused)
{
	struct monitor	 m;
	char		 to[ID_MAX + 16];
	int		 rc;

	if (session_scope(r, SCOPE_MONITORS_WRITE) == -1 ||
	    load_monitor(r, &m) == -1)
		return 0;
	rc = monitor_set_paused(r->db, &m, paused, r->now);
	monitor_free(&m);
	if (rc != DB_OK)
		return resp_db(r, rc);
	snprintf(to, sizeof(to), "/monitors/%s", r->args[0]);
	return session_redirect(r, to);
}

/*
 * POST /app/monitors/{id}/pause (form: csrf)
 * No key: the session, monitors:write.  303 to the monitor's page, the
 * monitor paused; 401 session_required when signed out; 403
 * bad_origin, bad_csrf, insufficient_scope; 404; 415.
 */
static int
monitor_pause(struct req *r)
{
	return set_paused(r, 1);
}

/*
 * POST /app/monitors/{id}/resume (form: csrf)
 * No key: the session, monitors:write.  303 to the monitor's page, the
 * monitor due for a check now; 401 session_required when signed out;
 * 403 bad_origin, bad_csrf, insufficient_scope; 404; 415.
 */
static int
monitor_resume(struct req *r)
{
	return set_paused(r, 0);
}

/*
 * POST /app/monitors/{id}/check (form: csrf)
 * No key: the session, monitors:write.  303 to the monitor's page with
 * the result of one check run now and recorded like any other, as POST
 * /v1/monitors/{id}/check runs it (runnow_monitor); 401
 * session_required when signed out; 403 bad_origin, bad_csrf,
 * insufficient_scope; 404; 409 conflict for a heartbeat; 415; 429
 * run_now_busy with Retry-After.
 */
static int
monitor_check(struct req *r)
{
	struct monitor		 m;
	struct check_result	 res;
	char			 to[ID_MAX + 16];
	int			 rc;

	if (session_scope(r, SCOPE_MONITORS_WRITE) == -1 ||
	    load_monitor(r, &m) == -1)
		return 0;
	rc = runnow_monitor(r, &m, &res);
	monitor_free(&m);
	if (rc == -1)
		return 0;
	if (rc == 1)
		return resp_problem(r, 409, "conflict", "This monitor is not "
		    "checked on demand.");
	if (rc != DB_OK)
		return resp_db(r, rc);
	check_result_clear(&res);
	snprintf(to, sizeof(to), "/monitors/%s", r->args[0]);
	return session_redirect(r, to);
}

/*
 * GET /app/monitors/{id}/delete
 * No key: the session, monitors:write.  200 text/html: the page that
 * asks before the monitor is deleted; 303 to /app/login when signed
 * out; 403 insufficient_scope; 404.
 */
static int
monitor_delete_page(struct req *r)
{
	struct monitor	 m;
	struct cv_frame	 f;
	struct buf	 b = { NULL, 0, 0 };
	cJSON		*mon;
	char		 app[APP_MAX], csrf[SESSION_CSRFLEN + 1];
	int		 ok;

	if (session_scope(r, SCOPE_MONITORS_WRITE) == -1 ||
	    load_monitor(r, &m) == -1)
		return 0;
	mon = monitor_json(&m);
	monitor_free(&m);
	frame(r, &f, app, csrf, "Delete the monitor");
	ok = mon != NULL && cv_begin(&b, &f) == 0 &&
	    cvm_confirm_delete(&b, app, csrf, mon) == 0;
	cJSON_Delete(mon);
	return answer(r, &b, ok, 200);
}

/*
 * POST /app/monitors/{id}/delete (form: csrf)
 * No key: the session, monitors:write.  303 to /app, the monitor
 * deleted with its results and outages; 401 session_required when
 * signed out; 403 bad_origin, bad_csrf, insufficient_scope; 404; 415.
 */
static int
monitor_delete_post(struct req *r)
{
	int	 rc;

	if (session_scope(r, SCOPE_MONITORS_WRITE) == -1)
		return 0;
	if ((rc = monitor_delete(r->db, r->session->member.team_id,
	    r->args[0])) != DB_OK)
		return resp_db(r, rc);
	return session_redirect(r, "");
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
	snprintf(link, sizeof(link), "%s", sent.url);
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

/* ---- Alerts, status pages, maintenance ---- */

/*
 * These pages change what the API's alerts, status pages and
 * maintenance routes change, through the same modules: a form becomes
 * the API's JSON body (the fields are named as its members), the
 * module's apply validates it, and a refused form is its page again
 * (422, the transaction rolled back) with each error beside its field
 * (lib/cvalert.c).  Each handler asks for the scope of the API route
 * that does the same thing.
 */

#define HISTORY_PAGE	25	/* notifications a page */
#define INCIDENTS_SHOWN	25	/* a status page's latest incidents */

/* How a form's empty text field goes into the body. */
enum empty {
	E_SEND,		/* as "", for the validation to name it */
	E_OMIT,		/* left out: the stored value or the default */
	E_NULL		/* null: cleared */
};

static const char *
team_of(struct req *r)
{
	return r->session->member.team_id;
}

/* The form's text field name as member name of o. */
static void
put_str(struct req *r, cJSON *o, const char *name, enum empty how)
{
	const char	*v = req_form(r, name);

	if (v != NULL && *v != '\0')
		cJSON_AddStringToObject(o, name, v);
	else if (how == E_SEND)
		cJSON_AddStringToObject(o, name, "");
	else if (how == E_NULL)
		cJSON_AddNullToObject(o, name);
}

/* A number field: its integer, else the text for the validation to
 * refuse; left out when empty. */
static void
put_int(struct req *r, cJSON *o, const char *name)
{
	const char	*v = req_form(r, name);
	char		*end;
	long long	 n;

	if (v == NULL || *v == '\0')
		return;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno == 0 && *end == '\0' && n > -(1LL << 40) && n < 1LL << 40)
		cJSON_AddNumberToObject(o, name, (double)n);
	else
		cJSON_AddStringToObject(o, name, v);
}

/* A checkbox: sent when checked. */
static void
put_bool(struct req *r, cJSON *o, const char *name)
{
	cJSON_AddBoolToObject(o, name, req_form(r, name) != NULL);
}

/* A time of a datetime-local field ("2026-02-14T12:00", in UTC) as RFC
 * 3339; any other text as sent. */
static void
put_time(struct req *r, cJSON *o, const char *name, enum empty how)
{
	const char	*v = req_form(r, name);
	char		 t[32];
	size_t		 n = v != NULL ? strlen(v) : 0;

	if ((n == 16 || n == 19) && v[10] == 'T') {
		snprintf(t, sizeof(t), "%s%sZ", v, n == 16 ? ":00" : "");
		cJSON_AddStringToObject(o, name, t);
	} else
		put_str(r, o, name, how);
}

/* Every value of a field sent more than once (checkboxes) as a list;
 * none is how says. */
static void
put_list(struct req *r, cJSON *o, const char *name, enum empty how)
{
	cJSON	*a = cJSON_CreateArray();
	size_t	 i;

	for (i = 0; i < r->nform; i++)
		if (strcmp(r->form[i].name, name) == 0)
			cJSON_AddItemToArray(a,
			    cJSON_CreateString(r->form[i].value));
	if (cJSON_GetArraySize(a) > 0 || how == E_SEND) {
		cJSON_AddItemToObject(o, name, a);
		return;
	}
	cJSON_Delete(a);
	if (how == E_NULL)
		cJSON_AddNullToObject(o, name);
}

/*
 * A textarea of one item a line (or between commas) as a list, or,
 * with pairs, of "Name: value" lines as an object; empty is how says.
 */
static void
put_lines(struct req *r, cJSON *o, const char *name, int pairs,
    enum empty how)
{
	const char	*v = req_form(r, name);
	cJSON		*out;

	if (v == NULL || v[strspn(v, " \t\r\n,")] == '\0') {
		if (how == E_NULL)
			cJSON_AddNullToObject(o, name);
		else if (how == E_SEND)
			cJSON_AddArrayToObject(o, name);
		return;
	}
	if ((out = cv_lines(v, pairs)) != NULL)
		cJSON_AddItemToObject(o, name, out);
}

/* The page of one of these views, begun. */
struct view {
	struct cv_frame	 f;
	struct cva	 c;
	struct buf	 b;
	char		 app[APP_MAX];
	char		 csrf[SESSION_CSRFLEN + 1];
	int		 ok;
};

/* Begin v titled title; write when the role holds scope. */
static void
view_begin(struct req *r, struct view *v, const char *title, int scope)
{
	memset(v, 0, sizeof(*v));
	frame(r, &v->f, v->app, v->csrf, title);
	v->c.app = v->app;
	v->c.csrf = v->csrf;
	v->c.write = (session_scopes(r) & (1u << scope)) != 0;
	v->ok = cv_begin(&v->b, &v->f) == 0;
}

/*
 * All the team's monitors (at most UPTIME_MAX_MONITORS), to pick from,
 * in *items: a form that showed only some would drop the others from
 * the picks it saves.  A DB_* code.
 */
static int
monitors_of(struct req *r, cJSON **items)
{
	struct monitor_filter	 mf = { -1, -1, NULL };
	struct lister		 l;
	struct page		 pg;
	cJSON			*more, *it;
	int			 rc;

	(void)list_from(r, &l, &pg, PAGE_MAX, NULL);
	rc = page_items(&l, monitor_list(r->db, team_of(r), &mf, &l), items);
	while (rc == DB_OK && l.more) {
		pg.has_cursor = 1;
		pg.c_time = l.last_t;
		snprintf(pg.c_id, sizeof(pg.c_id), "%s", l.last_id);
		page_start(&l, &pg, r->now);
		rc = page_items(&l, monitor_list(r->db, team_of(r), &mf, &l),
		    &more);
		while (rc == DB_OK &&
		    (it = cJSON_DetachItemFromArray(more, 0)) != NULL)
			cJSON_AddItemToArray(*items, it);
		cJSON_Delete(more);
	}
	return rc;
}

/* ---- alert channels ---- */

/*
 * One page of notifications (the channel's, or the team's when NULL)
 * after the query's older cursor into *items, the next page's cursor
 * into next ("" when none).  -1 when answered (400), else 0 with *rc.
 */
static int
history_of(struct req *r, const char *channel, cJSON **items, char *next,
    int *rc)
{
	struct notification_filter	 nf = { channel, NULL, -1, -1, 0, 0 };
	struct lister			 l;
	struct page			 pg;

	*items = NULL;
	next[0] = '\0';
	if (list_from(r, &l, &pg, HISTORY_PAGE, req_query(r, "older")) == -1)
		return -1;
	*rc = page_items(&l, notification_list(r->db, team_of(r), &nf, &l),
	    items);
	if (*rc == DB_OK && l.more)
		page_cursor(l.last_t, l.last_id, next, CURSOR_MAX);
	return 0;
}

/*
 * GET /app/alerts?older
 * No key: the session, alerts:read.  200 text/html: the channels and
 * the team's notifications (older: a cursor of the next page), and with
 * alerts:write the type picker of a new channel; 303 to /app/login when
 * signed out; 400 bad_query; 403 insufficient_scope.
 */
static int
alerts_get(struct req *r)
{
	struct view	 v;
	struct lister	 l;
	struct page	 pg;
	cJSON		*channels = NULL, *hist = NULL;
	char		 next[CURSOR_MAX];
	int		 rc;

	if (session_scope(r, SCOPE_ALERTS_READ) == -1 ||
	    history_of(r, NULL, &hist, next, &rc) == -1)
		return 0;
	(void)list_from(r, &l, &pg, PAGE_MAX, NULL);
	if (rc == DB_OK)
		rc = page_items(&l, channel_list(r->db, team_of(r), &l),
		    &channels);
	else
		page_free(&l);
	if (rc != DB_OK) {
		cJSON_Delete(channels);
		cJSON_Delete(hist);
		return resp_db(r, rc);
	}
	view_begin(r, &v, "Alert channels", SCOPE_ALERTS_WRITE);
	v.ok = v.ok && cva_alerts(&v.b, &v.c, channels, hist,
	    next[0] != '\0' ? next : NULL) == 0;
	cJSON_Delete(channels);
	cJSON_Delete(hist);
	return answer(r, &v.b, v.ok, 200);
}

/*
 * The page of a channel: a new one of type (id NULL) or the channel id
 * with its notifications; vals its object, f a refused form or NULL.
 */
static int
channel_view(struct req *r, const char *id, const char *type,
    const cJSON *vals, const struct cva_form *f, int status)
{
	struct view	 v;
	cJSON		*monitors = NULL, *hist = NULL;
	char		 next[CURSOR_MAX] = "";
	int		 rc = DB_OK;

	if (id != NULL && history_of(r, id, &hist, next, &rc) == -1)
		return 0;
	if (rc == DB_OK)
		rc = monitors_of(r, &monitors);
	if (rc != DB_OK) {
		cJSON_Delete(monitors);
		cJSON_Delete(hist);
		return resp_db(r, rc);
	}
	view_begin(r, &v, id != NULL ? "Alert channel" : "New alert channel",
	    SCOPE_ALERTS_WRITE);
	v.ok = v.ok && cva_channel(&v.b, &v.c, id, type, vals, monitors, f,
	    hist, next[0] != '\0' ? next : NULL) == 0;
	cJSON_Delete(monitors);
	cJSON_Delete(hist);
	return answer(r, &v.b, v.ok, status);
}

/*
 * GET /app/alerts/new?type
 * No key: the session, alerts:write.  200 text/html: the form of a new
 * channel of type (email when none); 303 to /app/login when signed out;
 * 400 bad_query; 403 insufficient_scope.
 */
static int
alert_new(struct req *r)
{
	struct channel	 c;
	cJSON		*vals;
	int		 rc;

	if (session_scope(r, SCOPE_ALERTS_WRITE) == -1)
		return 0;
	channel_init(&c, r->now);
	c.type = (enum ach_type)req_enum(r, "type");
	vals = channel_json(&c);
	channel_free(&c);
	rc = channel_view(r, NULL, ach_type_names[req_enum(r, "type")], vals,
	    NULL, 200);
	cJSON_Delete(vals);
	return rc;
}

/* The body of POST and PATCH /v1/alert-channels from the form. */
static cJSON *
channel_body(struct req *r, const char *type, int creating)
{
	cJSON		*o = cJSON_CreateObject(), *cf, *ev;
	enum empty	 opt = creating ? E_OMIT : E_NULL;
	int		 i;

	put_str(r, o, "name", E_SEND);
	if (creating)
		put_str(r, o, "type", E_SEND);
	cf = cJSON_AddObjectToObject(o, "config");
	switch (str_index(ach_type_names, ACH_TYPE__MAX, type)) {
	case ACH_EMAIL:
		put_lines(r, cf, "to", 0, E_SEND);
		put_str(r, cf, "subjectPrefix", opt);
		break;
	case ACH_WEBHOOK:
		put_str(r, cf, "url", E_SEND);
		put_str(r, cf, "secret", opt);
		put_lines(r, cf, "headers", 1, opt);
		break;
	case ACH_SLACK:
		put_str(r, cf, "webhookUrl", E_SEND);
		put_str(r, cf, "channel", opt);
		break;
	case ACH_DISCORD:
		put_str(r, cf, "webhookUrl", E_SEND);
		break;
	case ACH_PAGERDUTY:
		put_str(r, cf, "routingKey", E_SEND);
		break;
	case ACH_TELEGRAM:
		put_str(r, cf, "botToken", E_SEND);
		put_str(r, cf, "chatId", E_SEND);
		break;
	default:
		break;
	}
	ev = cJSON_AddObjectToObject(o, "events");
	for (i = 0; i < AEV__MAX; i++) {
		size_t	 k;
		int	 on = 0;

		for (k = 0; k < r->nform; k++)
			on |= strcmp(r->form[k].name, "events") == 0 &&
			    strcmp(r->form[k].value, ach_event_names[i]) == 0;
		cJSON_AddBoolToObject(ev, ach_event_names[i], on);
	}
	put_list(r, o, "monitorIds", E_NULL);
	put_int(r, o, "remindEveryMinutes");
	put_bool(r, o, "enabled");
	return o;
}

/*
 * Apply the form to c (new when creating) and store it; a refused form
 * is the channel's page again.  Then 303 to the channel's page.
 */
static int
channel_save(struct req *r, struct channel *c, int creating)
{
	struct verrs	 v = { 0 };
	struct cva_form	 f = { CVA_CHANNEL, NULL, NULL, &v };
	const char	*type = creating ? req_form(r, "type") :
	    ach_type_names[c->type];
	char		 to[ID_MAX + 16];
	cJSON		*body;
	int		 rc;

	if (type == NULL)
		type = "";
	body = channel_body(r, type, creating);
	rc = channel_apply(r->db, c, body, creating, &v);
	if (rc == DB_OK && v.n > 0) {
		f.vals = body;
		rc = channel_view(r, creating ? NULL : c->id, type, NULL, &f,
		    422);
		goto out;
	}
	c->updated_at = r->now;
	if (rc == DB_OK && creating && limit_check_team(r, LIMIT_CHANNELS,
	    c->team_id) == -1)
		goto out;
	if (rc == DB_OK)
		rc = creating ? channel_insert(r->db, c) :
		    channel_update(r->db, c);
	if (rc != DB_OK) {
		rc = resp_db(r, rc);
		goto out;
	}
	snprintf(r->target_id, sizeof(r->target_id), "%s", c->id);
	snprintf(to, sizeof(to), "/alerts/%s", c->id);
	rc = session_redirect(r, to);
out:
	cJSON_Delete(body);
	return rc;
}

/*
 * POST /app/alerts (form: csrf, type, name, the type's settings,
 * events..., monitorIds..., remindEveryMinutes, enabled)
 * No key: the session, alerts:write.  303 to the channel's page; 422
 * the form again with the errors beside their fields; 401
 * session_required when signed out; 403 bad_origin, bad_csrf,
 * insufficient_scope; 409 limit_exceeded; 415.
 */
static int
alert_create(struct req *r)
{
	struct channel	 c;
	int		 rc;

	if (session_scope(r, SCOPE_ALERTS_WRITE) == -1)
		return 0;
	channel_init(&c, r->now);
	snprintf(c.team_id, sizeof(c.team_id), "%s", team_of(r));
	rc = channel_save(r, &c, 1);
	channel_free(&c);
	return rc;
}

/*
 * GET /app/alerts/{id}?older
 * No key: the session, alerts:read.  200 text/html: the channel (its
 * form with alerts:write) and its notifications; 303 to /app/login
 * when signed out; 400 bad_query; 403 insufficient_scope; 404.
 */
static int
alert_get(struct req *r)
{
	struct channel	 c;
	cJSON		*vals;
	int		 rc;

	if (session_scope(r, SCOPE_ALERTS_READ) == -1 ||
	    resp_found(r, channel_get(r->db, team_of(r), r->args[0], &c)) ==
	    -1)
		return 0;
	vals = channel_json(&c);
	rc = channel_view(r, c.id, ach_type_names[c.type], vals, NULL, 200);
	cJSON_Delete(vals);
	channel_free(&c);
	return rc;
}

/*
 * POST /app/alerts/{id} (form: as to create it, without type)
 * No key: the session, alerts:write.  303 to the channel's page, the
 * channel changed as PATCH /v1/alert-channels/{id} changes it (a
 * secret sent back masked is kept); 422 the form again with its
 * errors; 401 session_required; 403 bad_origin, bad_csrf,
 * insufficient_scope; 404; 415.
 */
static int
alert_edit(struct req *r)
{
	struct channel	 c;
	int		 rc;

	if (session_scope(r, SCOPE_ALERTS_WRITE) == -1 ||
	    resp_found(r, channel_get(r->db, team_of(r), r->args[0], &c)) ==
	    -1)
		return 0;
	rc = channel_save(r, &c, 0);
	channel_free(&c);
	return rc;
}

/*
 * POST /app/alerts/{id}/test (form: csrf)
 * No key: the session, alerts:write.  303 to the channel's page, a
 * "test" notification queued for uptime-notify as POST
 * /v1/alert-channels/{id}/test queues it; 401 session_required; 403
 * bad_origin, bad_csrf, insufficient_scope; 404; 415.
 */
static int
alert_test(struct req *r)
{
	struct channel		 c;
	struct notification	 n;
	char			 to[ID_MAX + 16];
	int			 rc;

	if (session_scope(r, SCOPE_ALERTS_WRITE) == -1 ||
	    resp_found(r, channel_get(r->db, team_of(r), r->args[0], &c)) ==
	    -1)
		return 0;
	rc = notify_test(r->db, &c, r->now, &n);
	notification_free(&n);
	snprintf(to, sizeof(to), "/alerts/%s", c.id);
	channel_free(&c);
	if (rc != DB_OK)
		return resp_db(r, rc);
	return session_redirect(r, to);
}

/*
 * POST /app/alerts/{id}/delete (form: csrf)
 * No key: the session, alerts:write.  303 to /app/alerts, the channel
 * deleted with its notifications; 401 session_required; 403
 * bad_origin, bad_csrf, insufficient_scope; 404; 415.
 */
static int
alert_delete(struct req *r)
{
	int	 rc;

	if (session_scope(r, SCOPE_ALERTS_WRITE) == -1)
		return 0;
	if ((rc = channel_delete(r->db, team_of(r), r->args[0])) != DB_OK)
		return resp_db(r, rc);
	return session_redirect(r, "/alerts");
}

/* ---- status pages ---- */

/* The body of POST and PATCH /v1/status-pages from the form. */
static cJSON *
page_body(struct req *r, int creating)
{
	cJSON	*o = cJSON_CreateObject();

	put_str(r, o, "name", E_SEND);
	put_str(r, o, "slug", E_SEND);
	put_str(r, o, "title", E_OMIT);
	put_str(r, o, "description", creating ? E_OMIT : E_NULL);
	put_int(r, o, "historyDays");
	put_bool(r, o, "isPublic");
	put_bool(r, o, "showOverallStatus");
	return o;
}

/* A slug or customDomain another page holds, as an error of v. */
static int
page_taken(struct req *r, const struct status_page *sp, struct verrs *v)
{
	const char	*field;
	int		 rc;

	if ((field = sp_taken(r->db, sp, &rc)) != NULL)
		verr_add(v, VERR_INVALID, strcmp(field, "slug") == 0 ?
		    "/slug" : "/customDomain", "another status page already "
		    "uses this %s", field);
	return rc;
}

/* The status pages and the form of a new one (f: refused, or NULL). */
static int
pages_view(struct req *r, const struct cva_form *f, int status)
{
	struct status_page	*sp;
	struct cva_form		 blank = { CVA_PAGE, NULL, NULL, NULL };
	struct view		 v;
	struct lister		 l;
	struct page		 pg;
	cJSON			*pages = NULL, *defaults;
	int			 rc;

	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return resp_db(r, DB_ERROR);
	sp_init(sp, r->now);
	defaults = sp_json(sp, NULL);
	free(sp);
	(void)list_from(r, &l, &pg, PAGE_MAX, NULL);
	if ((rc = page_items(&l, sp_list(r->db, team_of(r),
	    sv_component_states, &l), &pages)) != DB_OK) {
		cJSON_Delete(pages);
		cJSON_Delete(defaults);
		return resp_db(r, rc);
	}
	blank.vals = defaults;
	view_begin(r, &v, "Status pages", SCOPE_STATUS_PAGES_WRITE);
	v.ok = v.ok && cva_pages(&v.b, &v.c, pages, f != NULL ? f : &blank) ==
	    0;
	cJSON_Delete(pages);
	cJSON_Delete(defaults);
	return answer(r, &v.b, v.ok, status);
}

/*
 * GET /app/status-pages
 * No key: the session, status-pages:read.  200 text/html: the team's
 * status pages and, with status-pages:write, the form of a new one; 303
 * to /app/login when signed out; 403 insufficient_scope.
 */
static int
pages_get(struct req *r)
{
	if (session_scope(r, SCOPE_STATUS_PAGES_READ) == -1)
		return 0;
	return pages_view(r, NULL, 200);
}

/*
 * A status page of the team (the path's {sp}): its settings,
 * components and incidents, f a refused form of it or NULL.
 */
static int
page_view(struct req *r, const struct cva_form *f, int status)
{
	struct incident_filter	 inf = { r->args[0], -1 };
	struct status_page	*sp;
	struct view		 v;
	struct lister		 l;
	struct page		 pg;
	cJSON			*page = NULL, *monitors = NULL, *incidents = NULL;
	int			 rc;

	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return resp_db(r, DB_ERROR);
	if ((rc = sp_get(r->db, team_of(r), r->args[0], sp)) == DB_OK)
		page = sv_page_json(r->db, sp, r->now, &rc);
	sp_free(sp);
	free(sp);
	if (rc == DB_OK)
		rc = monitors_of(r, &monitors);
	if (rc == DB_OK) {
		(void)list_from(r, &l, &pg, INCIDENTS_SHOWN, NULL);
		rc = page_items(&l, incident_list(r->db, team_of(r), &inf, &l),
		    &incidents);
	}
	if (rc == DB_OK) {
		view_begin(r, &v, "Status page", SCOPE_STATUS_PAGES_WRITE);
		v.ok = v.ok && cva_page(&v.b, &v.c, page, monitors, incidents,
		    f) == 0;
		rc = answer(r, &v.b, v.ok, status);
	} else
		rc = resp_db(r, rc);
	cJSON_Delete(page);
	cJSON_Delete(monitors);
	cJSON_Delete(incidents);
	return rc;
}

/*
 * GET /app/status-pages/{id}
 * No key: the session, status-pages:read.  200 text/html: the page's
 * settings, components and latest incidents, with status-pages:write
 * their forms; 303 to /app/login when signed out; 403
 * insufficient_scope; 404.
 */
static int
page_get(struct req *r)
{
	if (session_scope(r, SCOPE_STATUS_PAGES_READ) == -1)
		return 0;
	return page_view(r, NULL, 200);
}

/* A status page refused: the list (creating) or the page again. */
static int
page_refused(struct req *r, enum cva_which which, const char *id,
    const cJSON *body, const struct verrs *v)
{
	struct cva_form	 f = { which, id, body, v };

	return which == CVA_PAGE && r->args[0] == NULL ?
	    pages_view(r, &f, 422) : page_view(r, &f, 422);
}

/* 303 to the page of status page id. */
static int
to_page(struct req *r, const char *id)
{
	char	 to[ID_MAX + 24];

	snprintf(to, sizeof(to), "/status-pages/%s", id);
	return session_redirect(r, to);
}

/* Apply the form to sp (new when creating), store it, 303 to it. */
static int
page_save(struct req *r, struct status_page *sp, int creating)
{
	struct verrs	 v = { 0 };
	cJSON		*body = page_body(r, creating);
	int		 rc;

	if (sp_apply(r->db, sp, body, creating, &v) == -1)
		rc = DB_ERROR;
	else
		rc = v.n > 0 ? DB_OK : page_taken(r, sp, &v);
	if (rc == DB_OK && v.n > 0) {
		rc = page_refused(r, CVA_PAGE, NULL, body, &v);
		goto out;
	}
	if (rc == DB_OK && creating && limit_check_team(r, LIMIT_PAGES,
	    sp->team_id) == -1)
		goto out;
	sp->updated_at = r->now;
	if (rc == DB_OK)
		rc = creating ? sp_insert(r->db, sp) : sp_update(r->db, sp);
	if (rc != DB_OK) {
		rc = resp_db(r, rc);
		goto out;
	}
	snprintf(r->target_id, sizeof(r->target_id), "%s", sp->id);
	rc = to_page(r, sp->id);
out:
	cJSON_Delete(body);
	return rc;
}

/*
 * Load the team's status page of the path into a new *sp (404 answered
 * and -1 when there is none); the caller frees it with sp_release.
 */
static int
page_load(struct req *r, struct status_page **sp)
{
	if ((*sp = calloc(1, sizeof(**sp))) == NULL)
		return resp_db(r, DB_ERROR), -1;
	if (resp_found(r, sp_get(r->db, team_of(r), r->args[0], *sp)) == 0)
		return 0;
	free(*sp);
	*sp = NULL;
	return -1;
}

static void
sp_release(struct status_page *sp)
{
	if (sp != NULL)
		sp_free(sp);
	free(sp);
}

/*
 * POST /app/status-pages (form: csrf, name, slug, title, description,
 * historyDays, isPublic, showOverallStatus)
 * No key: the session, status-pages:write.  303 to the new page's
 * page; 422 the form again with the errors beside their fields (a slug
 * another page holds too); 401 session_required; 403 bad_origin,
 * bad_csrf, insufficient_scope; 409 limit_exceeded; 415.
 */
static int
page_create(struct req *r)
{
	struct status_page	*sp;
	int			 rc;

	if (session_scope(r, SCOPE_STATUS_PAGES_WRITE) == -1)
		return 0;
	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return resp_db(r, DB_ERROR);
	sp_init(sp, r->now);
	snprintf(sp->team_id, sizeof(sp->team_id), "%s", team_of(r));
	rc = page_save(r, sp, 1);
	sp_release(sp);
	return rc;
}

/*
 * POST /app/status-pages/{id} (form: as to create it)
 * No key: the session, status-pages:write.  303 to the page's page,
 * changed as PATCH /v1/status-pages/{id} changes it; 422 the form again
 * with its errors; 401 session_required; 403 bad_origin, bad_csrf,
 * insufficient_scope; 404; 415.
 */
static int
page_edit(struct req *r)
{
	struct status_page	*sp;
	int			 rc;

	if (session_scope(r, SCOPE_STATUS_PAGES_WRITE) == -1 ||
	    page_load(r, &sp) == -1)
		return 0;
	rc = page_save(r, sp, 0);
	sp_release(sp);
	return rc;
}

/*
 * POST /app/status-pages/{id}/delete (form: csrf)
 * No key: the session, status-pages:write.  303 to /app/status-pages,
 * the page deleted with its components and incidents; 401
 * session_required; 403 bad_origin, bad_csrf, insufficient_scope; 404;
 * 415.
 */
static int
page_delete(struct req *r)
{
	int	 rc;

	if (session_scope(r, SCOPE_STATUS_PAGES_WRITE) == -1)
		return 0;
	if ((rc = sp_delete(r->db, team_of(r), r->args[0])) != DB_OK)
		return resp_db(r, rc);
	return session_redirect(r, "/status-pages");
}

/* The page's components as PUT /v1/status-pages/{id}/components takes
 * them, but the one named skip. */
static cJSON *
components_body(const struct status_page *sp, const char *skip)
{
	cJSON	*o = cJSON_CreateObject(), *a, *c;
	size_t	 i;

	a = cJSON_AddArrayToObject(o, "components");
	for (i = 0; i < sp->ncomponents; i++) {
		if (skip != NULL && strcmp(sp->components[i].id, skip) == 0)
			continue;
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "id", sp->components[i].id);
		cJSON_AddStringToObject(c, "monitorId",
		    sp->components[i].monitor_id);
		cJSON_AddStringToObject(c, "displayName",
		    sp->components[i].display_name);
		if (sp->components[i].group[0] != '\0')
			cJSON_AddStringToObject(c, "group",
			    sp->components[i].group);
		cJSON_AddItemToArray(a, c);
	}
	return o;
}

/*
 * Store sp's components as body gives them, then 303 to its page; a
 * refusal is the page again, the errors of the new component (item
 * added, or -1) named from it.
 */
static int
components_save(struct req *r, struct status_page *sp, cJSON *body,
    int added)
{
	struct verrs	 v = { 0 };
	const cJSON	*item;
	char		 pre[32];
	size_t		 i, n;
	int		 rc;

	if (sp_apply_components(r->db, sp, body, &v) == -1)
		return resp_db(r, DB_ERROR);
	if (v.n > 0) {
		n = (size_t)snprintf(pre, sizeof(pre), "/components/%d",
		    added);
		for (i = 0; added >= 0 && i < v.n; i++)
			if (strncmp(v.e[i].pointer, pre, n) == 0 &&
			    v.e[i].pointer[n] != '\0')
				memmove(v.e[i].pointer, v.e[i].pointer + n,
				    strlen(v.e[i].pointer + n) + 1);
		item = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(body,
		    "components"), added);
		return page_refused(r, CVA_COMPONENT, NULL, item, &v);
	}
	sp->updated_at = r->now;
	if ((rc = sp_update(r->db, sp)) != DB_OK)
		return resp_db(r, rc);
	return to_page(r, sp->id);
}

/*
 * POST /app/status-pages/{id}/components (form: csrf, monitorId,
 * displayName, group)
 * No key: the session, status-pages:write.  303 to the page's page, a
 * component added last as PUT /v1/status-pages/{id}/components would;
 * 422 the page again with the errors (another team's monitor, a bad
 * name); 401 session_required; 403 bad_origin, bad_csrf,
 * insufficient_scope; 404; 415.
 */
static int
component_add(struct req *r)
{
	struct status_page	*sp;
	cJSON			*body, *c;
	int			 rc;

	if (session_scope(r, SCOPE_STATUS_PAGES_WRITE) == -1 ||
	    page_load(r, &sp) == -1)
		return 0;
	body = components_body(sp, NULL);
	c = cJSON_CreateObject();
	put_str(r, c, "monitorId", E_SEND);
	put_str(r, c, "displayName", E_OMIT);
	put_str(r, c, "group", E_OMIT);
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(body,
	    "components"), c);
	rc = components_save(r, sp, body, (int)sp->ncomponents);
	cJSON_Delete(body);
	sp_release(sp);
	return rc;
}

/*
 * POST /app/status-pages/{id}/components/{component}/remove (form: csrf)
 * No key: the session, status-pages:write.  303 to the page's page, the
 * component removed; 422 the page again when the rest is refused; 401
 * session_required; 403 bad_origin, bad_csrf, insufficient_scope; 404
 * (also a component of another page); 415.
 */
static int
component_remove(struct req *r)
{
	struct status_page	*sp;
	cJSON			*body;
	int			 rc;

	if (session_scope(r, SCOPE_STATUS_PAGES_WRITE) == -1 ||
	    page_load(r, &sp) == -1)
		return 0;
	if (sp_component(sp, r->args[1]) == NULL) {
		sp_release(sp);
		return resp_db(r, DB_NOTFOUND);
	}
	body = components_body(sp, r->args[1]);
	rc = components_save(r, sp, body, -1);
	cJSON_Delete(body);
	sp_release(sp);
	return rc;
}

/*
 * POST /app/status-pages/{id}/incidents (form: csrf, title, status,
 * impact, message, componentIds...)
 * No key: the session, status-pages:write.  303 to the page's page, the
 * incident open with its first update, as POST
 * /v1/status-pages/{id}/incidents; 422 the page again with the errors;
 * 401 session_required; 403 bad_origin, bad_csrf, insufficient_scope;
 * 404; 415.
 */
static int
incident_open(struct req *r)
{
	struct status_page	*sp;
	struct incident		*inc;
	struct verrs		 v = { 0 };
	cJSON			*body;
	int			 rc;

	if (session_scope(r, SCOPE_STATUS_PAGES_WRITE) == -1 ||
	    page_load(r, &sp) == -1)
		return 0;
	if ((inc = calloc(1, sizeof(*inc))) == NULL) {
		sp_release(sp);
		return resp_db(r, DB_ERROR);
	}
	body = cJSON_CreateObject();
	put_str(r, body, "title", E_SEND);
	put_str(r, body, "status", E_OMIT);
	put_str(r, body, "impact", E_OMIT);
	put_str(r, body, "message", E_SEND);
	put_list(r, body, "componentIds", E_OMIT);
	incident_init(inc, r->now);
	snprintf(inc->page_id, sizeof(inc->page_id), "%s", sp->id);
	snprintf(inc->team_id, sizeof(inc->team_id), "%s", sp->team_id);
	incident_apply(inc, sp, body, 1, r->now, &v);
	if (v.n > 0)
		rc = page_refused(r, CVA_INCIDENT, NULL, body, &v);
	else if ((rc = incident_insert(r->db, inc)) != DB_OK)
		rc = resp_db(r, rc);
	else {
		snprintf(r->target_id, sizeof(r->target_id), "%s", inc->id);
		rc = to_page(r, sp->id);
	}
	cJSON_Delete(body);
	incident_free(inc);
	free(inc);
	sp_release(sp);
	return rc;
}

/*
 * POST /app/status-pages/{id}/incidents/{incident}/updates (form: csrf,
 * status, message)
 * No key: the session, status-pages:write.  303 to the page's page, the
 * update posted as POST /v1/incidents/{id}/updates posts it (resolved
 * resolves the incident); 422 the page again with the errors; 401
 * session_required; 403 bad_origin, bad_csrf, insufficient_scope; 404
 * (also an incident of another page); 409 limit_exceeded past
 * INC_MAXUPDATES; 415.
 */
static int
incident_post(struct req *r)
{
	struct incident	*inc;
	struct verrs	 v = { 0 };
	enum inc_status	 status;
	const char	*message;
	cJSON		*body;
	int		 rc;

	if (session_scope(r, SCOPE_STATUS_PAGES_WRITE) == -1)
		return 0;
	if ((inc = calloc(1, sizeof(*inc))) == NULL)
		return resp_db(r, DB_ERROR);
	rc = incident_get(r->db, team_of(r), r->args[1], inc);
	if (rc == DB_OK && strcmp(inc->page_id, r->args[0]) != 0)
		rc = DB_NOTFOUND;
	if (rc != DB_OK) {
		incident_free(inc);
		free(inc);
		return resp_db(r, rc);
	}
	body = cJSON_CreateObject();
	put_str(r, body, "status", E_OMIT);
	put_str(r, body, "message", E_SEND);
	incident_update_apply(inc, body, &status, &message, &v);
	if (v.n > 0)
		rc = page_refused(r, CVA_UPDATE, inc->id, body, &v);
	else if (inc->nupdates >= INC_MAXUPDATES)
		rc = resp_problem(r, 409, "limit_exceeded", "An incident holds "
		    "at most %d updates.", INC_MAXUPDATES);
	else {
		incident_set_status(inc, status, r->now);
		if ((rc = incident_add_update(r->db, inc, status, message,
		    r->now)) != DB_OK ||
		    (rc = incident_store(r->db, inc)) != DB_OK)
			rc = resp_db(r, rc);
		else {
			snprintf(r->target_id, sizeof(r->target_id), "%s",
			    inc->id);
			rc = to_page(r, inc->page_id);
		}
	}
	cJSON_Delete(body);
	incident_free(inc);
	free(inc);
	return rc;
}

/* ---- maintenance windows ---- */

/* The body of POST and PATCH /v1/maintenance-windows from the form. */
static cJSON *
window_body(struct req *r, int creating)
{
	cJSON		*o = cJSON_CreateObject(), *rec;
	const char	*freq = req_form(r, "frequency");

	put_str(r, o, "title", E_SEND);
	put_str(r, o, "description", creating ? E_OMIT : E_NULL);
	put_time(r, o, "startsAt", E_SEND);
	put_time(r, o, "endsAt", E_SEND);
	put_str(r, o, "timezone", E_OMIT);
	if (freq == NULL || *freq == '\0' || strcmp(freq, "once") == 0)
		cJSON_AddNullToObject(o, "recurrence");
	else {
		rec = cJSON_AddObjectToObject(o, "recurrence");
		put_str(r, rec, "frequency", E_SEND);
		put_int(r, rec, "interval");
		put_list(r, rec, "byWeekday", E_OMIT);
		put_time(r, rec, "until", E_OMIT);
	}
	put_list(r, o, "monitorIds", E_NULL);
	put_bool(r, o, "suppressAlerts");
	put_bool(r, o, "pauseChecks");
	put_bool(r, o, "showOnStatusPage");
	return o;
}

/* The windows, or the window of the path, with f a refused form. */
static int
windows_view(struct req *r, int one, const struct cva_form *f, int status)
{
	struct maint_window	*w;
	struct cva_form		 blank = { CVA_WINDOW, NULL, NULL, NULL };
	struct view		 v;
	struct lister		 l;
	struct page		 pg;
	cJSON			*items = NULL, *monitors = NULL, *obj = NULL;
	int			 rc;

	if ((w = malloc(sizeof(*w))) == NULL)
		return resp_db(r, DB_ERROR);
	if (one)
		rc = maint_get(r->db, team_of(r), r->args[0], w);
	else {
		maint_init(w, r->now);
		(void)list_from(r, &l, &pg, PAGE_MAX, NULL);
		rc = page_items(&l, maint_list(r->db, team_of(r), -1, &l),
		    &items);
	}
	if (rc == DB_OK)
		obj = maint_json(w, r->now);
	free(w);
	if (rc == DB_OK)
		rc = monitors_of(r, &monitors);
	if (rc == DB_OK) {
		blank.vals = obj;
		view_begin(r, &v, one ? "Maintenance window" : "Maintenance",
		    SCOPE_MAINTENANCE_WRITE);
		v.ok = v.ok && (one ? cva_window(&v.b, &v.c, obj, monitors, f) :
		    cva_windows(&v.b, &v.c, items, monitors, f != NULL ? f :
		    &blank)) == 0;
		rc = answer(r, &v.b, v.ok, status);
	} else
		rc = resp_db(r, rc);
	cJSON_Delete(items);
	cJSON_Delete(monitors);
	cJSON_Delete(obj);
	return rc;
}

/*
 * GET /app/maintenance
 * No key: the session, maintenance:read.  200 text/html: the team's
 * windows and, with maintenance:write, the form of a new one; 303 to
 * /app/login when signed out; 403 insufficient_scope.
 */
static int
windows_get(struct req *r)
{
	if (session_scope(r, SCOPE_MAINTENANCE_READ) == -1)
		return 0;
	return windows_view(r, 0, NULL, 200);
}

/*
 * GET /app/maintenance/{id}
 * No key: the session, maintenance:read.  200 text/html: the window
 * and, with maintenance:write while it is not cancelled, its form and
 * its end and cancel buttons; 303 to /app/login when signed out; 403
 * insufficient_scope; 404.
 */
static int
window_get(struct req *r)
{
	if (session_scope(r, SCOPE_MAINTENANCE_READ) == -1)
		return 0;
	return windows_view(r, 1, NULL, 200);
}

/* The team's window of the path into a new *w; 404 answered and -1
 * when there is none. */
static int
window_load(struct req *r, struct maint_window **w)
{
	int	 rc;

	if ((*w = malloc(sizeof(**w))) == NULL)
		return resp_db(r, DB_ERROR), -1;
	if ((rc = maint_get(r->db, team_of(r), r->args[0], *w)) == DB_OK)
		return 0;
	free(*w);
	*w = NULL;
	return resp_db(r, rc), -1;
}

/*
 * Apply the form to w (new when creating) and store it, then 303 to its
 * page; a refused form is its page again.  As the API's POST and PATCH:
 * checks put off by the window are due again, and a window that would
 * be scheduled again counts against the team's limit.
 */
static int
window_save(struct req *r, struct maint_window *w, int creating)
{
	struct verrs	 v = { 0 };
	struct cva_form	 f = { CVA_WINDOW, NULL, NULL, &v };
	cJSON		*body = window_body(r, creating);
	char		 to[ID_MAX + 24];
	int		 over = 1, rc = DB_OK;

	if (!creating) {
		if (w->cancelled_at != 0) {
			rc = resp_problem(r, 409, "conflict", "This window is "
			    "cancelled; create a new one.");
			goto out;
		}
		if ((rc = maint_release(r->db, w, r->now)) != DB_OK) {
			rc = resp_db(r, rc);
			goto out;
		}
		over = w->horizon <= r->now;
	}
	maint_apply(r->db, w, body, creating, &v);
	if (v.n > 0) {
		f.vals = body;
		rc = windows_view(r, !creating, &f, 422);
		goto out;
	}
	if (over && w->horizon > r->now && limit_check_team(r, LIMIT_WINDOWS,
	    w->team_id) == -1)
		goto out;
	w->updated_at = r->now;
	if ((rc = creating ? maint_insert(r->db, w) : maint_update(r->db, w)) !=
	    DB_OK) {
		rc = resp_db(r, rc);
		goto out;
	}
	snprintf(r->target_id, sizeof(r->target_id), "%s", w->id);
	snprintf(to, sizeof(to), "/maintenance/%s", w->id);
	rc = session_redirect(r, to);
out:
	cJSON_Delete(body);
	return rc;
}

/*
 * POST /app/maintenance (form: csrf, title, description, startsAt,
 * endsAt, timezone, frequency, interval, byWeekday..., until,
 * monitorIds..., suppressAlerts, pauseChecks, showOnStatusPage)
 * No key: the session, maintenance:write.  303 to the window's page;
 * 422 the form again with the errors beside their fields; 401
 * session_required; 403 bad_origin, bad_csrf, insufficient_scope; 409
 * limit_exceeded; 415.  startsAt, endsAt and until are UTC.
 */
static int
window_create(struct req *r)
{
	struct maint_window	*w;
	int			 rc;

	if (session_scope(r, SCOPE_MAINTENANCE_WRITE) == -1)
		return 0;
	if ((w = malloc(sizeof(*w))) == NULL)
		return resp_db(r, DB_ERROR);
	maint_init(w, r->now);
	snprintf(w->team_id, sizeof(w->team_id), "%s", team_of(r));
	rc = window_save(r, w, 1);
	free(w);
	return rc;
}

/*
 * POST /app/maintenance/{id} (form: as to create it)
 * No key: the session, maintenance:write.  303 to the window's page,
 * changed as PATCH /v1/maintenance-windows/{id} changes it; 422 the
 * form again with its errors; 401 session_required; 403 bad_origin,
 * bad_csrf, insufficient_scope; 404; 409 when it is cancelled, or
 * limit_exceeded; 415.
 */
static int
window_edit(struct req *r)
{
	struct maint_window	*w;
	int			 rc;

	if (session_scope(r, SCOPE_MAINTENANCE_WRITE) == -1 ||
	    window_load(r, &w) == -1)
		return 0;
	rc = window_save(r, w, 0);
	free(w);
	return rc;
}

/*
 * POST /app/maintenance/{id}/end (form: csrf)
 * No key: the session, maintenance:write.  303 to the window's page,
 * its current occurrence ended now; 401 session_required; 403
 * bad_origin, bad_csrf, insufficient_scope; 404; 409 when no occurrence
 * is active; 415.
 */
static int
window_end(struct req *r)
{
	struct maint_window	*w;
	char			 to[ID_MAX + 24];
	int			 rc;

	if (session_scope(r, SCOPE_MAINTENANCE_WRITE) == -1 ||
	    window_load(r, &w) == -1)
		return 0;
	if ((rc = maint_end(r->db, w, r->now)) == DB_CONFLICT)
		rc = resp_problem(r, 409, "conflict", "This window has no "
		    "active occurrence to end.");
	else if (rc != DB_OK || (rc = maint_release(r->db, w, r->now)) !=
	    DB_OK)
		rc = resp_db(r, rc);
	else {
		snprintf(to, sizeof(to), "/maintenance/%s", w->id);
		rc = session_redirect(r, to);
	}
	free(w);
	return rc;
}

/*
 * POST /app/maintenance/{id}/delete (form: csrf)
 * No key: the session, maintenance:write.  303 to /app/maintenance, the
 * window cancelled as DELETE /v1/maintenance-windows/{id} cancels it
 * (the row stays); 401 session_required; 403 bad_origin, bad_csrf,
 * insufficient_scope; 404; 415.
 */
static int
window_cancel(struct req *r)
{
	struct maint_window	*w;
	int			 rc = DB_OK;

	if (session_scope(r, SCOPE_MAINTENANCE_WRITE) == -1 ||
	    window_load(r, &w) == -1)
		return 0;
	if (w->cancelled_at == 0 &&
	    ((rc = maint_release(r->db, w, r->now)) != DB_OK ||
	    (rc = maint_cancel(r->db, w, r->now)) != DB_OK))
		rc = resp_db(r, rc);
	else
		rc = session_redirect(r, "/maintenance");
	free(w);
	return rc;
}

static const struct qspec q_history[] = {
	Q_TEXT("older", CURSOR_MAX - 1, NULL),
	Q_END
};

static const struct qspec q_new_channel[] = {
	Q_ENUM_DEF("type", ach_type_names, ACH_TYPE__MAX, ACH_EMAIL),
	Q_END
};

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

static const struct qspec q_overview[] = {
	Q_ENUM_DEF("state", cvm_state_names, MST__MAX + 1, 0),
	Q_TEXT_OPT("tag", MON_MAXTAGLEN, NULL),
	Q_TEXT("older", CURSOR_MAX - 1, NULL),
	Q_END
};

static const struct qspec q_new[] = {
	Q_ENUM_DEF("type", mon_type_names, MON_TYPE__MAX, MON_HTTP),
	Q_END
};

static const struct qspec q_monitor[] = {
	Q_ENUM_DEF("range", cvm_range_names, CVM_RANGE__MAX, CVM_24H),
	Q_END
};

static const struct route routes[] = {
	{ "GET", "/app", SCOPE_PUBLIC, overview, NULL, q_overview,
	    ROUTE_SESSION },
	{ "GET", "/app/monitors/new", SCOPE_PUBLIC, monitor_new, NULL, q_new,
	    ROUTE_SESSION },
	{ "POST", "/app/monitors", SCOPE_PUBLIC, monitor_create_post,
	    "monitor.created", NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "GET", "/app/monitors/{mon}", SCOPE_PUBLIC, monitor_page, NULL,
	    q_monitor, ROUTE_SESSION },
	{ "GET", "/app/monitors/{mon}/edit", SCOPE_PUBLIC, monitor_edit, NULL,
	    NULL, ROUTE_SESSION },
	{ "POST", "/app/monitors/{mon}/edit", SCOPE_PUBLIC, monitor_edit_post,
	    "monitor.updated", NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "POST", "/app/monitors/{mon}/pause", SCOPE_PUBLIC, monitor_pause,
	    "monitor.paused", NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "POST", "/app/monitors/{mon}/resume", SCOPE_PUBLIC, monitor_resume,
	    "monitor.resumed", NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "POST", "/app/monitors/{mon}/check", SCOPE_PUBLIC, monitor_check,
	    "monitor.checked", NULL, ROUTE_SESSION | ROUTE_FORM | ROUTE_NOTX },
	{ "GET", "/app/monitors/{mon}/delete", SCOPE_PUBLIC,
	    monitor_delete_page, NULL, NULL, ROUTE_SESSION },
	{ "POST", "/app/monitors/{mon}/delete", SCOPE_PUBLIC,
	    monitor_delete_post, "monitor.deleted", NULL,
	    ROUTE_SESSION | ROUTE_FORM },
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
	{ "GET", "/app/alerts", SCOPE_PUBLIC, alerts_get, NULL, q_history,
	    ROUTE_SESSION },
	{ "GET", "/app/alerts/new", SCOPE_PUBLIC, alert_new, NULL,
	    q_new_channel, ROUTE_SESSION },
	{ "POST", "/app/alerts", SCOPE_PUBLIC, alert_create,
	    "alert_channel.created", NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "GET", "/app/alerts/{ach}", SCOPE_PUBLIC, alert_get, NULL, q_history,
	    ROUTE_SESSION },
	{ "POST", "/app/alerts/{ach}", SCOPE_PUBLIC, alert_edit,
	    "alert_channel.updated", NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "POST", "/app/alerts/{ach}/test", SCOPE_PUBLIC, alert_test,
	    "alert_channel.tested", NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "POST", "/app/alerts/{ach}/delete", SCOPE_PUBLIC, alert_delete,
	    "alert_channel.deleted", NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "GET", "/app/status-pages", SCOPE_PUBLIC, pages_get, NULL, NULL,
	    ROUTE_SESSION },
	{ "POST", "/app/status-pages", SCOPE_PUBLIC, page_create,
	    "status_page.created", NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "GET", "/app/status-pages/{sp}", SCOPE_PUBLIC, page_get, NULL, NULL,
	    ROUTE_SESSION },
	{ "POST", "/app/status-pages/{sp}", SCOPE_PUBLIC, page_edit,
	    "status_page.updated", NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "POST", "/app/status-pages/{sp}/delete", SCOPE_PUBLIC, page_delete,
	    "status_page.deleted", NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "POST", "/app/status-pages/{sp}/components", SCOPE_PUBLIC,
	    component_add, "status_page.components_replaced", NULL,
	    ROUTE_SESSION | ROUTE_FORM },
	{ "POST", "/app/status-pages/{sp}/components/{cmp}/remove",
	    SCOPE_PUBLIC, component_remove, "status_page.components_replaced",
	    NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "POST", "/app/status-pages/{sp}/incidents", SCOPE_PUBLIC,
	    incident_open, "incident.created", NULL,
	    ROUTE_SESSION | ROUTE_FORM },
	{ "POST", "/app/status-pages/{sp}/incidents/{inc}/updates",
	    SCOPE_PUBLIC, incident_post, "incident.update_posted", NULL,
	    ROUTE_SESSION | ROUTE_FORM },
	{ "GET", "/app/maintenance", SCOPE_PUBLIC, windows_get, NULL, NULL,
	    ROUTE_SESSION },
	{ "POST", "/app/maintenance", SCOPE_PUBLIC, window_create,
	    "maintenance_window.created", NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "GET", "/app/maintenance/{mw}", SCOPE_PUBLIC, window_get, NULL,
	    NULL, ROUTE_SESSION },
	{ "POST", "/app/maintenance/{mw}", SCOPE_PUBLIC, window_edit,
	    "maintenance_window.updated", NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "POST", "/app/maintenance/{mw}/end", SCOPE_PUBLIC, window_end,
	    "maintenance_window.ended", NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "POST", "/app/maintenance/{mw}/delete", SCOPE_PUBLIC, window_cancel,
	    "maintenance_window.cancelled", NULL, ROUTE_SESSION | ROUTE_FORM },
	{ "GET", "/app/style.css", SCOPE_PUBLIC, stylesheet, NULL, NULL, 0 },
};

int
main(void)
{
	/* libcurl: alert channels' URLs are parsed, invitations and
	 * set-password links mailed. */
	return serve_main(routes, sizeof(routes) / sizeof(routes[0]),
	    SERVE_CURL);
}
