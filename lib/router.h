/*
 * router.c: routes, and matching a request to one.
 */
#ifndef ROUTER_H
#define ROUTER_H

#include "req.h"

#define ROUTE_BODY	0x01	/* takes a JSON object body */
#define ROUTE_NOTX	0x02	/* writes, but manages its own transactions */
#define ROUTE_RAWBODY	0x04	/* takes any body, as bytes (heartbeat pings) */
#define ROUTE_FORM	0x08	/* a console page: a POST takes a form body
				   and is refused from another Origin */
#define ROUTE_SESSION	0x10	/* a console page behind the sign-in: a
				   session, and its CSRF token on a POST */

/*
 * One route.  pattern segments are literals, "{prefix}", which matches
 * an id "<prefix>_…", or "{*name}", which matches 1 to REQ_MAXARG - 1
 * characters of [A-Za-z0-9_-] (a slug, a token: the handler checks the
 * exact shape).  A capture may be followed by a literal suffix in the
 * same segment ("{cmp}.svg").  Captures go to req->args in order.  query
 * declares the query parameters the route accepts (req.h; NULL for
 * none).
 * action names the audit event of a successful write ("api_key.created").
 */
struct route {
	const char	*method;
	const char	*pattern;
	int		 scope;		/* enum scope, SCOPE_PUBLIC, SCOPE_ANYKEY */
	int		(*handler)(struct req *);
	const char	*action;
	const struct qspec *query;
	unsigned	 flags;
};

/*
 * Match method and path.  Returns the route (args captured), or NULL with
 * *allow filled with the methods the path does accept ("" if the path is
 * unknown: a 404).
 */
const struct route *router_match(const struct route *, size_t,
		    const char *method, const char *path, struct req *,
		    char *allow, size_t allowlen);
/*
 * The path from its first "/v1", "/status" or "/app" segment on, a pointer into
 * path (path itself when it has neither); NULL when what comes before
 * that segment is not a clean mount prefix: only segments of letters,
 * digits and "-._~", none empty, "." or "..".
 */
const char	*router_strip_mount(const char *path);

#endif /* ROUTER_H */
