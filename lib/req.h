/*
 * The request being answered: what the client sent and the answer built.
 */
#ifndef REQ_H
#define REQ_H

#include "base.h"
#include "buf.h"

struct qparam {
	char	*name;
	char	*value;
};

struct apikey;
struct db;
struct route;

struct req {
	/* What the client sent, valid for this request. */
	const char	*method;
	/*
	 * The path as links to this request carry it (Location, Link,
	 * status-page links): UPTIME_PUBLIC_URL when it is set, else the
	 * clean mount prefix the client used, then path.
	 */
	char		 uri_path[PUBLIC_URL_MAX + REQ_MAXPATH];
	const char	*path;		/* uri_path from /v1 or /status on */
	char		 query[REQ_MAXQUERY + 1];
	struct qparam	 q[REQ_MAXPARAMS];
	size_t		 nq;
	char		*body;		/* NUL-terminated, may be NULL */
	size_t		 bodylen;
	char		 remote_addr[IP_MAX];
	char		 request_id[REQID_MAX + 1];
	const char	*args[REQ_MAXPATHARGS];	/* {id}, {*name} captures */
	char		 argbuf[REQ_MAXPATHARGS][REQ_MAXARG];
	int64_t		 now;

	/* Set by authentication. */
	struct apikey	*key;		/* NULL on public routes */
	long		 rl_limit;	/* RateLimit-* headers when > 0 */
	long		 rl_remaining;
	int		 rl_reset;

	/* The Idempotency-Key this request claimed, "" when none. */
	char		 idem_key[256];

	/* Set by the handler for the audit trail. */
	const char	*action;	/* not NULL: instead of the route's
					   action ("" for none) */
	char		 target_id[ID_MAX];
	char		 team_id[ID_MAX];	/* a public route's team */

	struct db	*db;
	const struct route *route;

	/* The answer being built. */
	int		 status;
	struct buf	 headers;	/* extra "Name: value\r\n" lines */
	struct buf	 out;		/* body */
	const char	*ctype;
	int		 answered;

	void		*io;		/* FastCGI request, NULL in CGI */
};

/* A request header by CGI name ("HTTP_ORIGIN"), or NULL. */
const char	*req_param(struct req *, const char *cginame);
/* A query parameter's decoded value, or NULL. */
const char	*req_query(struct req *, const char *name);

#endif /* REQ_H */
