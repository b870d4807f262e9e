/*
 * The request being answered: what the client sent and the answer built.
 */
#ifndef REQ_H
#define REQ_H

#include "base.h"
#include "buf.h"
#include "page.h"

/*
 * The query parameters a route accepts, with their types, as kcgi's
 * validator tables: the request layer checks every parameter against
 * its route's list before the handler runs, with messages built from
 * the same tables, and the handler reads typed values (req_enum,
 * req_time, req_query, r->page).  A list ends with Q_END.
 */
enum qtype {
	QT_ENUM,	/* one of names[0 .. n - 1], those in mask when set */
	QT_TEXT,	/* def (1, or 0 for Q_TEXT_OPT) to n characters, of
			   the bytes in str when set */
	QT_ID,		/* an id "<str>_…", or one of names[0 .. n - 1] */
	QT_FROM,	/* an RFC 3339 time */
	QT_TO,		/* an RFC 3339 time after from when both are given */
	QT_PERPAGE,	/* 1 to PAGE_MAX, read into r->page */
	QT_CURSOR,	/* a cursor this API gave out, read into r->page */
};

struct qspec {
	const char	*name;
	enum qtype	 type;
	const char *const *names;	/* QT_ENUM: the name table */
	int		 n;		/* QT_ENUM: names; QT_TEXT: characters */
	unsigned	 mask;		/* QT_ENUM: allowed values, 0 for all */
	int		 def;		/* QT_ENUM: the value when absent;
					   QT_TEXT: the fewest characters */
	const char	*str;		/* QT_ID: prefix; QT_TEXT: bytes */
};

#define Q_ENUM(name, names, n)		{ name, QT_ENUM, names, n, 0, -1, NULL }
#define Q_ENUM_DEF(name, names, n, def)	{ name, QT_ENUM, names, n, 0, def, NULL }
#define Q_ENUM_SOME(name, names, n, mask) \
					{ name, QT_ENUM, names, n, mask, -1, NULL }
#define Q_TEXT(name, max, bytes)	{ name, QT_TEXT, NULL, max, 0, 1, bytes }
/* A text a GET form sends empty when its field is left blank: "" is
 * taken (the handler reads it as no filter). */
#define Q_TEXT_OPT(name, max, bytes)	{ name, QT_TEXT, NULL, max, 0, 0, bytes }
#define Q_ID(name, prefix)		{ name, QT_ID, NULL, 0, 0, 0, prefix }
#define Q_ID_OR(name, prefix, names, n)	{ name, QT_ID, names, n, 0, 0, prefix }
#define Q_WINDOW	{ "from", QT_FROM, NULL, 0, 0, 0, NULL }, \
			{ "to", QT_TO, NULL, 0, 0, 0, NULL }
#define Q_PAGE		{ "perPage", QT_PERPAGE, NULL, 0, 0, 0, NULL }, \
			{ "cursor", QT_CURSOR, NULL, 0, 0, 0, NULL }
#define Q_BOOL(name)	Q_ENUM_DEF(name, q_bool_names, 2, 0)
#define Q_END		{ NULL, QT_ENUM, NULL, 0, 0, 0, NULL }

/* The routes that take only a page; "false", "true" for Q_BOOL. */
extern const struct qspec q_page[];
extern const char *const q_bool_names[2];

/* A query parameter as sent, decoded, with its typed value. */
struct qparam {
	char		*name;
	char		*value;
	const struct qspec *spec;
	int		 e;		/* QT_ENUM */
	int64_t		 t;		/* QT_FROM, QT_TO */
};

/* A field of a form body (application/x-www-form-urlencoded), decoded. */
struct formfield {
	char		*name;
	char		*value;
};
#define REQ_MAXFORM	32		/* fields of a form body */

struct apikey;
struct db;
struct route;
struct session;

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
	const struct qspec *qspec;	/* what the route accepts */
	struct page	 page;		/* perPage and cursor, when accepted */
	char		*body;		/* NUL-terminated, may be NULL */
	size_t		 bodylen;
	char		 remote_addr[IP_MAX];
	char		 request_id[REQID_MAX + 1];
	const char	*args[REQ_MAXPATHARGS];	/* {id}, {*name} captures */
	char		 argbuf[REQ_MAXPATHARGS][REQ_MAXARG];
	int64_t		 now;

	/* A form body's fields (ROUTE_FORM), decoded in body. */
	struct formfield form[REQ_MAXFORM];
	size_t		 nform;

	/* Set by authentication. */
	struct apikey	*key;		/* NULL on public routes */
	struct session	*session;	/* the console's: ROUTE_SESSION */
	/*
	 * What the caller may do, the one rule for people and keys: a
	 * session's member's role's scopes, or a key's scopes that its
	 * holder's role grants too (member_key_scopes); and the role it
	 * acts with (enum member_role: the member's, the key holder's, an
	 * owner's for a key without a holder; -1 for no one); and that
	 * member's id ("": none), for the audit trail.  Set with key or
	 * session.
	 */
	unsigned	 scopes;
	int		 role;
	char		 member_id[ID_MAX];
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
/* A form field's value (the first when sent more than once), or NULL. */
const char	*req_form(struct req *, const char *name);
/* Percent-decode s in place ('+' is a space); -1 on a bad or NUL escape. */
int		 req_url_decode(char *s) WUR;
/*
 * A QT_ENUM parameter's index in its name table, or its def when absent;
 * a QT_FROM or QT_TO parameter's time, or 0 when absent.  Asking for a
 * parameter the route does not declare with that type is a bug: abort.
 */
int		 req_enum(struct req *, const char *name);
int64_t		 req_time(struct req *, const char *name);

#endif /* REQ_H */
