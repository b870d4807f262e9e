/*
 * session.c: the console's side of a request: the form body, the Origin
 * check, the session cookie and its CSRF token, the role's scopes, and
 * the sign-in throttles.  The serve loop calls session_request for
 * ROUTE_FORM and ROUTE_SESSION routes; the handlers (cgi-bin/console.c)
 * call the rest.  The SQL is account.c's.  See docs/console.md.
 */
#ifndef SESSION_H
#define SESSION_H

#include "base.h"
#include "member.h"
#include "req.h"

#define SESSION_COOKIE	"uptime_session"
#define SESSION_CSRFLEN	43	/* base64url of a 32-byte keyed hash */

/*
 * The guard of a console route, after the body is read.  A POST: its
 * Origin (or, without one, Sec-Fetch-Site) must be this service's, else
 * 403 bad_origin; its body a form (415 otherwise), decoded into r->form.
 * A ROUTE_SESSION route: the cookie's session, within its idle and
 * absolute limits, into r->session, else a 303 to the sign-in page (a
 * POST: 401 session_required); and
 * on a POST the form's "csrf" field must be the session's token, else
 * 403 bad_csrf.  Answers and returns -1 on a refusal.
 */
int	 session_request(struct req *) WUR;
/*
 * For a handler: 0 when the signed-in member's role grants scope (enum
 * scope; member_role_scopes), else -1 with 403 insufficient_scope
 * answered.
 */
int	 session_scope(struct req *, int scope) WUR;
/* The scopes the signed-in member's role grants (0 when signed out). */
unsigned session_scopes(struct req *);
/*
 * Sign m in: end the request's session if it has one, begin a new one
 * with a new token and set its cookie.  A DB_* code.
 */
int	 session_begin(struct req *, const struct member *m) WUR;
/* Sign out: end the request's session and clear the cookie. */
int	 session_end(struct req *) WUR;
/* The session's CSRF token (SESSION_CSRFLEN + 1 bytes) into out; "" when
 * the request has no session. */
void	 session_csrf(struct req *, char *out);
/*
 * Count a sign-in try from the request's client (an IPv6 /64 is one)
 * and, when account is not NULL, for that account: past
 * UPTIME_LOGIN_LIMIT a minute for either, answers 429 with Retry-After
 * and returns -1.
 */
int	 session_throttle(struct req *, const char *account) WUR;
/* The path of the console under the mount or UPTIME_PUBLIC_URL
 * ("/uptime/app"), then rest, into out. */
void	 session_app_path(struct req *, const char *rest, char *out,
	    size_t outlen);
/* 303 See Other to the console's path rest ("/login"). */
int	 session_redirect(struct req *, const char *rest);

#endif /* SESSION_H */
