/*
 * The console's guard: forms, Origin, the session cookie, CSRF tokens,
 * roles and sign-in throttles.  A session's token lives only in its
 * cookie (HttpOnly, SameSite=Lax, Secure under an https
 * UPTIME_PUBLIC_URL); its CSRF token is the keyed hash of that token
 * (domain "csrf"), so it needs no storage and changes with the session.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "account.h"
#include "base.h"
#include "config.h"
#include "db.h"
#include "keyhash.h"
#include "member.h"
#include "ratelimit.h"
#include "req.h"
#include "response.h"
#include "router.h"
#include "scope.h"
#include "session.h"

#define FORM_TYPE	"application/x-www-form-urlencoded"

static struct session	 current;
static char		 current_token[ACCOUNT_TOKEN_LEN + 1];

/* The mount prefix as links carry it (absolute under UPTIME_PUBLIC_URL). */
static void
prefix(struct req *r, char *out, size_t outlen)
{
	snprintf(out, outlen, "%.*s", (int)(r->path - r->uri_path),
	    r->uri_path);
}

void
session_app_path(struct req *r, const char *rest, char *out, size_t outlen)
{
	char	 p[PUBLIC_URL_MAX + REQ_MAXPATH];

	prefix(r, p, sizeof(p));
	snprintf(out, outlen, "%s/app%s", p, rest);
}

int
session_redirect(struct req *r, const char *rest)
{
	char	 to[PUBLIC_URL_MAX + REQ_MAXPATH + 64];

	session_app_path(r, rest, to, sizeof(to));
	resp_header(r, "Location", "%s", to);
	return resp_empty(r, 303);
}

/* This service's origin ("https://host:port") into out. */
static void
own_origin(struct req *r, char *out, size_t outlen)
{
	const char	*p, *https, *host;

	if (cfg.public_url_set) {
		p = strstr(cfg.public_url, "://");
		p = p != NULL ? p + 3 : cfg.public_url;
		snprintf(out, outlen, "%.*s", (int)(p - cfg.public_url +
		    (long)strcspn(p, "/")), cfg.public_url);
		return;
	}
	https = req_param(r, "HTTPS");
	host = req_param(r, "HTTP_HOST");
	snprintf(out, outlen, "%s://%s", https != NULL &&
	    strcasecmp(https, "on") == 0 ? "https" : "http",
	    host != NULL ? host : "");
}

/* The path the cookie is sent to: the console's, without scheme and
 * host. */
static void
cookie_path(struct req *r, char *out, size_t outlen)
{
	char		 p[PUBLIC_URL_MAX + REQ_MAXPATH + 8];
	const char	*s;
	size_t		 n;

	session_app_path(r, "", p, sizeof(p));
	if ((s = strstr(p, "://")) != NULL)
		s += 3 + strcspn(s + 3, "/");
	else
		s = p;
	if ((n = strlen(s)) >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* A POST from a page of another origin is refused. */
static int
check_origin(struct req *r)
{
	const char	*origin = req_param(r, "HTTP_ORIGIN");
	const char	*site = req_param(r, "HTTP_SEC_FETCH_SITE");
	char		 own[PUBLIC_URL_MAX + 16];

	if (origin == NULL || *origin == '\0') {
		/* No Origin (not a browser, or an old one): a browser that
		 * says where the request comes from is still heard. */
		if (site == NULL || strcmp(site, "same-origin") == 0 ||
		    strcmp(site, "none") == 0)
			return 0;
	} else {
		own_origin(r, own, sizeof(own));
		if (strcasecmp(origin, own) == 0)
			return 0;
	}
	return resp_problem(r, 403, "bad_origin", "This form was sent from "
	    "a page of another origin; send it from the console's own "
	    "page."), -1;
}

/* Decode the form body into r->form. */
static int
parse_form(struct req *r)
{
	const char	*ct = req_param(r, "CONTENT_TYPE");
	char		*p, *amp, *eq;

	r->nform = 0;
	if (r->bodylen == 0)
		return 0;
	if (ct == NULL || strncasecmp(ct, FORM_TYPE, strlen(FORM_TYPE)) != 0)
		return resp_problem(r, 415, "unsupported_media_type", "Send "
		    "the form as " FORM_TYPE "."), -1;
	if (memchr(r->body, '\0', r->bodylen) != NULL)
		return resp_problem(r, 400, "bad_request", "The form holds a "
		    "NUL byte."), -1;
	for (p = r->body; p != NULL && *p != '\0'; p = amp) {
		if ((amp = strchr(p, '&')) != NULL)
			*amp++ = '\0';
		if (*p == '\0')
			continue;
		if (r->nform == REQ_MAXFORM)
			return resp_problem(r, 400, "bad_request", "A form "
			    "holds at most %d fields.", REQ_MAXFORM), -1;
		if ((eq = strchr(p, '=')) != NULL)
			*eq++ = '\0';
		if (req_url_decode(p) == -1 ||
		    (eq != NULL && req_url_decode(eq) == -1))
			return resp_problem(r, 400, "bad_request", "The form "
			    "has a bad escape."), -1;
		r->form[r->nform].name = p;
		r->form[r->nform].value = eq != NULL ? eq : p + strlen(p);
		r->nform++;
	}
	return 0;
}

/* The session cookie's value, or NULL. */
static const char *
cookie_token(struct req *r, char *out, size_t outlen)
{
	const char	*c = req_param(r, "HTTP_COOKIE"), *p;
	size_t		 n = strlen(SESSION_COOKIE), len;

	for (p = c; p != NULL && *p != '\0'; p += strcspn(p, ";")) {
		p += strspn(p, "; ");
		if (strncmp(p, SESSION_COOKIE, n) == 0 && p[n] == '=') {
			len = strcspn(p + n + 1, "; ");
			if (len >= outlen)
				return NULL;
			memcpy(out, p + n + 1, len);
			out[len] = '\0';
			return out;
		}
	}
	return NULL;
}

void
session_csrf(struct req *r, char *out)
{
	unsigned char	 h[KEY_HASHLEN];

	out[0] = '\0';
	if (r->session == NULL)
		return;
	token_hash("csrf", current_token, h);
	sodium_bin2base64(out, SESSION_CSRFLEN + 1, h, sizeof(h),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static int
check_csrf(struct req *r)
{
	char		 want[SESSION_CSRFLEN + 1];
	const char	*got = req_form(r, "csrf");

	session_csrf(r, want);
	if (got != NULL && strlen(got) == SESSION_CSRFLEN &&
	    sodium_memcmp(got, want, SESSION_CSRFLEN) == 0)
		return 0;
	return resp_problem(r, 403, "bad_csrf", "The form's csrf token is "
	    "missing or is not this session's; reload the page and send it "
	    "again."), -1;
}

/* The request acts as the session's member: its role and scopes. */
static void
acting(struct req *r)
{
	r->session = &current;
	r->role = current.member.role;
	r->scopes = member_role_scopes(current.member.role);
	snprintf(r->member_id, sizeof(r->member_id), "%s", current.member.id);
}

/*
 * No live session: a page goes to the sign-in; a form is refused (401),
 * since what it asked was not done.
 */
static int
signed_out(struct req *r, int post)
{
	if (!post)
		return session_redirect(r, "/login"), -1;
	return resp_problem(r, 401, "session_required", "Sign in again: the "
	    "session has ended or was never there."), -1;
}

int
session_request(struct req *r)
{
	char	 tok[ACCOUNT_TOKEN_LEN + 2];
	int	 post = strcmp(r->method, "POST") == 0, rc;

	r->session = NULL;
	current_token[0] = '\0';
	if (post && (check_origin(r) == -1 || parse_form(r) == -1))
		return -1;
	if (!(r->route->flags & ROUTE_SESSION)) {
		/* A page before the sign-in still knows a signed-in
		 * person. */
		if (cookie_token(r, tok, sizeof(tok)) != NULL &&
		    account_session_get(r->db, tok, r->now,
		    cfg.session_idle * 1000, cfg.session_max * 1000,
		    &current) == DB_OK) {
			/* account_session_get took only a whole token. */
			memcpy(current_token, tok, sizeof(current_token));
			acting(r);
		}
		sodium_memzero(tok, sizeof(tok));
		return 0;
	}
	if (cookie_token(r, tok, sizeof(tok)) == NULL)
		return signed_out(r, post);
	rc = account_session_get(r->db, tok, r->now, cfg.session_idle * 1000,
	    cfg.session_max * 1000, &current);
	if (rc == DB_NOTFOUND) {
		sodium_memzero(tok, sizeof(tok));
		return signed_out(r, post);
	}
	if (rc != DB_OK) {
		sodium_memzero(tok, sizeof(tok));
		return resp_db(r, rc), -1;
	}
	memcpy(current_token, tok, sizeof(current_token));
	sodium_memzero(tok, sizeof(tok));
	acting(r);
	snprintf(r->team_id, sizeof(r->team_id), "%s", current.member.team_id);
	if (post && check_csrf(r) == -1) {
		r->session = NULL;
		r->scopes = 0;
		return -1;
	}
	return 0;
}

unsigned
session_scopes(struct req *r)
{
	return r->session != NULL ? r->scopes : 0;
}

int
session_scope(struct req *r, int scope)
{
	if (session_scopes(r) & (1u << scope))
		return 0;
	resp_problem_member(r, 403, "insufficient_scope", "requiredScope",
	    scope_names[scope], "Your role (%s) does not include the %s "
	    "scope that this needs.", r->session != NULL ?
	    member_role_names[r->session->member.role] : "none",
	    scope_names[scope]);
	return -1;
}

static void
set_cookie(struct req *r, const char *value, int clear)
{
	char	 path[PUBLIC_URL_MAX + REQ_MAXPATH];

	cookie_path(r, path, sizeof(path));
	resp_header(r, "Set-Cookie", "%s=%s; Path=%s; HttpOnly; "
	    "SameSite=Lax%s%s", SESSION_COOKIE, value, path,
	    strncmp(cfg.public_url, "https:", 6) == 0 ? "; Secure" : "",
	    clear ? "; Max-Age=0" : "");
}

int
session_begin(struct req *r, const struct member *m)
{
	int	 rc;

	if (r->session != NULL &&
	    (rc = account_session_end(r->db, r->session->id)) != DB_OK)
		return rc;
	if ((rc = account_session_new(r->db, m, r->remote_addr, r->now,
	    current_token, &current)) != DB_OK)
		return rc;
	acting(r);
	snprintf(r->team_id, sizeof(r->team_id), "%s", m->team_id);
	set_cookie(r, current_token, 0);
	return DB_OK;
}

int
session_end(struct req *r)
{
	int	 rc = DB_OK;

	if (r->session != NULL)
		rc = account_session_end(r->db, r->session->id);
	set_cookie(r, "", 1);
	/* The member stays named for the audit trail. */
	r->session = NULL;
	r->scopes = 0;
	sodium_memzero(current_token, sizeof(current_token));
	return rc;
}

/* Count one try under name; 429 past the limit. */
static int
count_try(struct req *r, const char *name)
{
	long	 n;
	int	 reset;

	n = ratelimit_hit(name, r->now, &reset);
	if (n != -1 && n <= cfg.login_limit)
		return 0;
	resp_header(r, "Retry-After", "%d", reset);
	return resp_problem(r, 429, "rate_limited", "Too many sign-in tries; "
	    "retry in %d seconds.", reset), -1;
}

int
session_throttle(struct req *r, const char *account)
{
	char	 name[MAIL_ADDR_MAX + IP_MAX + 8];

	memcpy(name, "s:", 2);
	ratelimit_client(r->remote_addr, name + 2, sizeof(name) - 2);
	if (count_try(r, name) == -1)
		return -1;
	if (account == NULL)
		return 0;
	snprintf(name, sizeof(name), "S:%s", account);
	return count_try(r, name);
}
