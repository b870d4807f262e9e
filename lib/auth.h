/*
 * auth.c: authenticating a request and checking its scope.
 */
#ifndef AUTH_H
#define AUTH_H

#include "base.h"
#include "req.h"

/*
 * Authenticate the request and check the route's scope.  Answers 401 or
 * 403 itself and returns -1; on success sets req->key.
 */
int	 auth_request(struct req *, int scope) WUR;
/*
 * For a handler whose scopes depend on the request (the :write scopes a
 * configuration document touches): 0 when the calling key holds scope
 * (enum scope), else -1 with the 403 insufficient_scope answered as
 * auth_request answers it.  The serve loop records the handler's 403 in
 * the audit trail.
 */
int	 auth_scope(struct req *, int scope) WUR;

/*
 * The role rule (member_may_set): 0 when the request's role (r->role: a
 * signed-in member's, or the holder's of the calling key) may act on a
 * member whose role is target (-1: an invitation) and give it role want
 * (-1: unchanged); else -1 with 403 answered: outranked (the member is
 * above the caller's role: only an owner acts on an owner) or
 * escalation_refused (a role above the caller's).
 */
int	 auth_role(struct req *, int target, int want) WUR;

struct location;
/*
 * Authenticate a probe agent's request (a public route) by its
 * location's token (lib/location.h) instead of an API key: 401, or 429
 * past the rate limit, answered here with -1; on success fills loc and
 * sets req->team_id.
 */
int	 auth_location(struct req *, struct location *loc) WUR;

#endif /* AUTH_H */
