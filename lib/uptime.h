/*
 * libuptime: the library every uptime program is built on.
 *
 * The core's header: request, response, router, auth, db, json, config,
 * and the modules declared below.  The other modules have headers of
 * their own (monitor.h, invite.h, ...), which include this one; a
 * program includes this one and the headers of the modules it uses.
 *
 * Ownership rules: strings passed in are borrowed for the duration of
 * the call; pointers returned by lookups point into the structure they
 * came from and live as long as it does; functions that return allocated
 * memory say so.
 *
 * Functions that act return 0 on success and -1 on failure.  Database
 * calls return one of the DB_* codes.  Times are milliseconds since the
 * Unix epoch in an int64_t; 0 stands for "no time" (a null field).
 */
#ifndef UPTIME_H
#define UPTIME_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#define WUR __attribute__((warn_unused_result))
#define PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Limits named once. */
#define REQ_MAXBODY	(1024 * 1024)	/* request body cap, bytes */
#define REQ_MAXQUERY	4096		/* query string length */
#define REQ_MAXPARAMS	32		/* query parameters */
#define REQ_MAXPATH	2048		/* path length */
#define REQ_MAXPATHARGS	4		/* {id} captures per route */
#define REQ_MAXARG	64		/* a captured segment, NUL included */
#define REQID_MAX	64		/* X-Request-Id length */
#define ID_RANDLEN	20		/* random characters of an id */
#define ID_MAX		40		/* buffer for any id */
#define NAME_MAXCHARS	255		/* names: 1..255 characters */
#define NAME_MAXBYTES	(NAME_MAXCHARS * 4 + 1)
#define IP_MAX		64
#define PUBLIC_URL_MAX	512		/* UPTIME_PUBLIC_URL, NUL included */
#define PAGE_DEFAULT	50
#define PAGE_MAX	200
#define TIME_MAX	32		/* "2026-02-14T12:00:00.000Z" + NUL */

/* ---- buf.c: a growing byte buffer ---- */

struct buf {
	char	*p;		/* NUL-terminated when non-NULL */
	size_t	 len;
	size_t	 cap;
};

int	 buf_add(struct buf *, const void *, size_t) WUR;
int	 buf_puts(struct buf *, const char *) WUR;
int	 buf_printf(struct buf *, const char *, ...) PRINTF(2, 3) WUR;
void	 buf_free(struct buf *);

/* ---- config.c: the settings, read once at start-up ---- */

/* The configuration file read when UPTIME_CONFIG is not set. */
#define CONFIG_DEFAULT_FILE	"/etc/uptime/uptime.conf"

struct config {
	char	 file[1024];		/* the file read (UPTIME_CONFIG), or "" */
	char	 db[1024];		/* UPTIME_DB */
	char	 secret_file[1024];	/* UPTIME_SECRET_FILE */
	char	 public_url[PUBLIC_URL_MAX];	/* UPTIME_PUBLIC_URL, no end / */
	int	 public_url_set;	/* given: links are absolute */
	int	 allow_private;		/* UPTIME_ALLOW_PRIVATE_TARGETS */
	char	 smtp_url[512];		/* UPTIME_SMTP_URL, "" = no mail */
	char	 mail_from[256];	/* UPTIME_MAIL_FROM */
	int	 smtp_tls;		/* UPTIME_SMTP_TLS, enum mail_tls */
	char	 cors_origins[1024];	/* UPTIME_CORS_ORIGINS */
	long	 rate_limit;		/* UPTIME_RATE_LIMIT, per key a minute */
	long	 auth_fail_limit;	/* UPTIME_AUTH_FAIL_LIMIT, per client */
	long	 retention_days;	/* UPTIME_RETENTION_DAYS, raw results */
	long	 max_keys;		/* UPTIME_MAX_KEYS, active keys a team */
	long	 max_monitors;		/* UPTIME_MAX_MONITORS, a team */
	long	 max_channels;		/* UPTIME_MAX_ALERT_CHANNELS, a team */
	long	 max_pages;		/* UPTIME_MAX_STATUS_PAGES, a team */
	long	 max_windows;		/* UPTIME_MAX_MAINTENANCE_WINDOWS, live */
	long	 max_run_now;		/* UPTIME_MAX_RUN_NOW, checks at once */
	long	 audit_days;		/* UPTIME_AUDIT_RETENTION_DAYS */
	long	 check_concurrency;	/* UPTIME_CHECK_CONCURRENCY, 0: from
					   the descriptor limit */
	long	 check_team_concurrency; /* UPTIME_CHECK_TEAM_CONCURRENCY,
					   0: a quarter of the slots */
	char	 dns_servers[256];	/* UPTIME_DNS_SERVERS, "" = system */
	char	 ca_file[1024];		/* UPTIME_CA_FILE, "" = system CAs */
	long	 invite_ttl;		/* UPTIME_INVITE_TTL_SECONDS */
	char	 pagerduty_url[512];	/* UPTIME_PAGERDUTY_URL */
	char	 telegram_url[512];	/* UPTIME_TELEGRAM_URL, no trailing / */
};

extern struct config cfg;

/*
 * Fill cfg: each setting from its UPTIME_* environment variable, else
 * its line in the configuration file, else its default.  On a bad line
 * or value, returns -1 with a message in err naming the variable and
 * where it was set (the file and line, or the environment).
 */
int	 config_load(char *err, size_t errlen) WUR;
/*
 * The same, going on past problems: each message goes to report(arg,
 * msg), and the number of them is returned.  cfg then holds the
 * defaults in place of the refused values.
 */
int	 config_check(void (*report)(void *, const char *), void *arg);
/*
 * Setting i of the table (0, 1, ...) after a load: returns its name,
 * with its value as text in value (a password in a URL as "****") and
 * where it came from in from ("default", "environment" or "FILE:LINE",
 * with ", refused: the default" after a refused value); NULL past the
 * last.
 */
const char *config_show(size_t i, char *value, size_t valuelen, char *from,
	    size_t fromlen);
/*
 * Append to the message in err which setting name it concerns and where
 * that was set: "; see UPTIME_DB, set in /etc/uptime/uptime.conf line
 * 2".  For start-up failures caused by a setting's value.
 */
void	 config_blame(const char *name, char *err, size_t errlen);

/* ---- ids.c, timefmt.c ---- */

/* Write "<prefix>_<20 base62>" into out (ID_MAX bytes). */
void	 id_new(char *out, const char *prefix);
/* 1 if s is "<prefix>_" and 20 base62 characters, else 0. */
int	 id_valid(const char *s, const char *prefix);
/* Fill out[0..n) with random base62 characters (no NUL added). */
void	 base62_random(char *out, size_t n);

int64_t	 time_now_ms(void);
/* RFC 3339 UTC with milliseconds; out must hold TIME_MAX bytes. */
char	*time_format(int64_t ms, char *out);
/* Parse RFC 3339 with any offset; 0 on success, -1 if malformed. */
int	 time_parse(const char *s, int64_t *ms) WUR;
/* Days since 1970-01-01 of a proleptic Gregorian date, month 1..12. */
int64_t	 time_days_from_civil(int64_t y, unsigned m, unsigned d);
/* The days of month m (1..12) of year y, Gregorian. */
int	 time_days_in_month(int64_t y, int m);

/* ---- scopes (auth.c) ---- */

/*
 * One per scope of lib/families.def, numbered by its bit there (keys
 * store the bits: never renumber).  SCOPE__MAX is how many there are;
 * the bits run 0 to SCOPE__MAX - 1 (scope_names' initializer refuses a
 * gap or a bit twice).
 */
enum scope {
#define SCOPE(id, name, bit)	SCOPE_##id = (bit),
#include "families.def"
	SCOPE__MAX = 0
#define SCOPE(id, name, bit)	+ 1
#include "families.def"
};
#define SCOPE_PUBLIC	(-1)	/* route needs no key */
#define SCOPE_ANYKEY	(-2)	/* route needs a valid key, no scope */
#define SCOPES_ALL	((1u << SCOPE__MAX) - 1)

extern const char *const scope_names[SCOPE__MAX];
/* The scope's index, or -1 if name is not one of the twelve. */
int	 scope_find(const char *name);
/* Parse "a,b,c" or "all" into a mask; -1 on an unknown name. */
int	 scope_parse_list(const char *list, unsigned *mask) WUR;
/* A JSON array of the mask's names in table order (caller owns). */
cJSON	*scope_json(unsigned mask);

/* ---- db.c ---- */

enum db_rc {
	DB_OK = 0,
	DB_NOTFOUND = 1,
	DB_CONFLICT = 2,	/* a constraint refused the change */
	DB_ERROR = -1,
	DB_BUSY = -2		/* still locked after the busy timeout */
};

struct db;

/*
 * Open (creating if needed) the database with WAL, foreign keys and a busy
 * timeout, then bring the schema up to date unless migrate is 0.  Returns
 * NULL with a message in err.  A database newer than this program is
 * refused.
 */
struct db	*db_open(const char *path, int migrate, char *err, size_t errlen);
void		 db_close(struct db *);
sqlite3		*db_handle(struct db *);
/* The newest schema version this program knows. */
int		 db_schema_version(void);
/* Apply pending migrations; several processes may call it at once. */
int		 db_migrate(struct db *, char *err, size_t errlen) WUR;
/*
 * A prepared statement for sql, cached by the address of sql (pass
 * string constants), reset and unbound.  NULL on error (logged).
 */
sqlite3_stmt	*db_stmt(struct db *, const char *sql);
/* db_stmt with ?1 and ?2 bound to team and id (the by-id statements). */
sqlite3_stmt	*db_stmt_ids(struct db *, const char *sql, const char *team,
		    const char *id);
int		 db_begin(struct db *) WUR;	/* BEGIN IMMEDIATE */
int		 db_commit(struct db *) WUR;
void		 db_rollback(struct db *);
int		 db_in_tx(struct db *);
/* Step a statement that returns no rows; DB_* code. */
int		 db_exec_stmt(sqlite3_stmt *);
/* The same for a change of one row: DB_NOTFOUND when none changed. */
int		 db_exec_one(sqlite3_stmt *);
/*
 * Step a query of at most one row: row(st, out) reads it.  DB_OK,
 * DB_NOTFOUND or an error code; the statement is reset.
 */
int		 db_step_one(sqlite3_stmt *,
		    void (*row)(sqlite3_stmt *, void *), void *out);
/* Map an sqlite3 result code to a DB_* code. */
int		 db_rc(int sqlite_rc);
/* Bind helpers: a NULL string, a 0 time or a negative count binds SQL
 * NULL. */
void		 db_bind_text(sqlite3_stmt *, int, const char *);
void		 db_bind_time(sqlite3_stmt *, int, int64_t);
void		 db_bind_opt(sqlite3_stmt *, int, long);
/* Bind the unformatted JSON text of a tree; 0, or -1 out of memory. */
int		 db_bind_json(sqlite3_stmt *, int, const cJSON *) WUR;
/* Copy a text column into out (outlen bytes), "" for NULL. */
void		 db_col_text(sqlite3_stmt *, int, char *out, size_t outlen);
/* Run "PRAGMA wal_checkpoint(TRUNCATE)" etc.; 0 or -1. */
int		 db_exec(struct db *, const char *sql) WUR;
/* A consistent online copy of the database into path. */
int		 db_backup(struct db *, const char *path, char *err,
		    size_t errlen) WUR;

/* ---- verrs (json.c): field errors collected into one 400 ---- */

enum verr_kind {
	VERR_INVALID,
	VERR_UNKNOWN,
	VERR_READONLY,
	VERR__MAX
};

#define VERR_MAX 32

struct verr {
	enum verr_kind	 kind;
	char		 pointer[128];
	char		 detail[192];
};

struct verrs {
	struct verr	 e[VERR_MAX];
	size_t		 n;
	size_t		 dropped;	/* errors past VERR_MAX */
};

void	 verr_add(struct verrs *, enum verr_kind, const char *pointer,
	    const char *fmt, ...) PRINTF(4, 5);

/* ---- json.c: typed getters with ranges and limits ---- */

/* A body field: its name and whether clients may write it. */
struct jfield {
	const char	*name;
	int		 readonly;
};

/*
 * Refuse members of obj not in fields (VERR_UNKNOWN) and read-only ones
 * (VERR_READONLY).  fields ends with a {NULL, 0} entry.
 */
void	 json_check_fields(const cJSON *obj, const struct jfield *fields,
	    struct verrs *);

/*
 * The getters look up name in obj.  They return 1 when the field is
 * present and valid (output set), 0 when it is absent (or null where null
 * is allowed: *isnull set), and -1 when it is invalid (an error added).
 * A required field that is absent adds an error and returns -1.
 */
#define JREQ	0x01	/* required */
#define JNULL	0x02	/* null allowed */

int	 json_str(const cJSON *obj, const char *name, size_t minchars,
	    size_t maxchars, int flags, struct verrs *, const char **out,
	    int *isnull);
int	 json_int(const cJSON *obj, const char *name, long long min,
	    long long max, int flags, struct verrs *, long long *out,
	    int *isnull);
int	 json_bool(const cJSON *obj, const char *name, int flags,
	    struct verrs *, int *out);
int	 json_time(const cJSON *obj, const char *name, int flags,
	    struct verrs *, int64_t *out, int *isnull);
/* Count UTF-8 characters of s; -1 if s is not valid UTF-8. */
long	 utf8_chars(const char *s);
/* The index of s (may be NULL) in names[0..n), or -1: enum values by name. */
int	 str_index(const char *const *names, int n, const char *s);

/* Add a string or null (for NULL or "") member. */
void	 json_add_str(cJSON *, const char *name, const char *value);
/* Add an RFC 3339 time or null (for 0). */
void	 json_add_time(cJSON *, const char *name, int64_t ms);

/* ---- the request (request.c) ---- */

struct qparam {
	char	*name;
	char	*value;
};

struct apikey;

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
/*
 * Split r->query into r->q, decoded in place, and check each name against
 * allowed ("a,b,c").  Answers 400 bad_query and returns -1 on a bad
 * escape, an unknown or repeated name, or too many parameters.
 */
int		 req_parse_query(struct req *, const char *allowed) WUR;
/* A query parameter's decoded value, or NULL. */
const char	*req_query(struct req *, const char *name);

/* ---- one instance of a background program (lock.c) ---- */

/*
 * Take the exclusive lock "$UPTIME_DB.<name>.lock" without waiting: 1
 * taken (held until the process ends), 0 held by another process, -1 an
 * error (message in err).
 */
int	 lock_take(const char *name, char *err, size_t errlen);
/*
 * A hand-over: take the lock as lock_take does, or, when another process
 * holds it, queue up on "$UPTIME_DB.<name>.next.lock" and wait up to
 * wait_ms for the holder to let it go (it asks lock_wanted).  One
 * process queues at a time: another one finding the queue taken gets 0
 * at once, as it does when the wait runs out.  Same returns as
 * lock_take.
 */
int	 lock_take_over(const char *name, int wait_ms, char *err,
	    size_t errlen);
/* Is a process queued in lock_take_over for name?  1 yes, 0 no. */
int	 lock_wanted(const char *name);

/* ---- rate limits (ratelimit.c) ---- */

#define RATELIMIT_KEYBYTES	16	/* crypto_shorthash_KEYBYTES */

/* Map the shared counter table at path (created 0600 if missing). */
int	 ratelimit_open(const char *path, char *err, size_t errlen) WUR;
/*
 * The key names are hashed with; auth_load_secret() derives it from the
 * server secret and sets it.  The table refuses to count without one.
 */
void	 ratelimit_key(const unsigned char key[RATELIMIT_KEYBYTES]);
/*
 * Count one request for name in the current minute and return the count
 * so far, this one included: 1 or more.  -1 when it cannot be counted
 * (no key, or the slots kept changing): refuse the request.  0 only when
 * no table is open (a program that serves no requests).  *reset_s gets
 * the seconds until the minute ends.
 */
long	 ratelimit_hit(const char *name, int64_t now_ms, int *reset_s);
/*
 * The client that a request from addr counts as, into out: an IPv4
 * address (also one written IPv4-mapped, ::ffff:a.b.c.d), the /64 of any
 * other IPv6 address ("2001:db8:1:2::/64": one subscriber's network is
 * one client, not 2^64), anything else as given.
 */
void	 ratelimit_client(const char *addr, char *out, size_t outlen);

/* ---- Idempotency-Key (idempotency.c) ---- */

enum idem_rc {
	IDEM_NONE,	/* no key, not a POST, or a public route */
	IDEM_NEW,	/* claimed: run the request, then idem_finish() */
	IDEM_ANSWERED	/* replayed, or refused (400, 409, 422, 503) */
};

/* Look the request's Idempotency-Key up and claim it when new. */
int	 idem_begin(struct req *);
/*
 * Keep a successful answer (inside the request's transaction when it has
 * one) or release the claim of a failed one.  DB_* code.
 */
int	 idem_finish(struct req *);
/* Forget answers older than 24 hours.  DB_* code. */
int	 idem_prune(struct db *, int64_t now);

/* ---- the router (router.c) ---- */

#define ROUTE_BODY	0x01	/* takes a JSON object body */
#define ROUTE_NOTX	0x02	/* writes, but manages its own transactions */
#define ROUTE_RAWBODY	0x04	/* takes any body, as bytes (heartbeat pings) */

/*
 * One route.  pattern segments are literals, "{prefix}", which matches
 * an id "<prefix>_…", or "{*name}", which matches 1 to REQ_MAXARG - 1
 * characters of [A-Za-z0-9_-] (a slug, a token: the handler checks the
 * exact shape).  A capture may be followed by a literal suffix in the
 * same segment ("{cmp}.svg").  Captures go to req->args in order.  query
 * lists the allowed query parameters, comma-separated ("" for none).
 * action names the audit event of a successful write ("api_key.created").
 */
struct route {
	const char	*method;
	const char	*pattern;
	int		 scope;		/* enum scope, SCOPE_PUBLIC, SCOPE_ANYKEY */
	int		(*handler)(struct req *);
	const char	*action;
	const char	*query;
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
 * The path from its first "/v1" or "/status" segment on, a pointer into
 * path (path itself when it has neither); NULL when what comes before
 * that segment is not a clean mount prefix: only segments of letters,
 * digits and "-._~", none empty, "." or "..".
 */
const char	*router_strip_mount(const char *path);

/*
 * Run the FastCGI loop, or answer one CGI request when not started by a
 * FastCGI manager.  Returns the process exit status.
 */
int	 serve_main(const struct route *, size_t);

/* ---- responses (response.c) ---- */

/* The reason phrase of an HTTP status. */
const char	*status_text(int);

/* Success envelope; takes ownership of data (an object or array). */
int	 resp_data(struct req *, int status, cJSON *data);
/* A list page: envelope with meta.pagination, Link when next != NULL. */
int	 resp_list(struct req *, cJSON *items, const char *next, int perpage);
int	 resp_empty(struct req *, int status);
/* A text/plain answer (a heartbeat ping's "OK"). */
int	 resp_text(struct req *, int status, const char *text);
/* A text/html answer (a page for people); html is copied. */
int	 resp_html(struct req *, int status, const char *html);
/* RFC 9457 problem details; returns 0 so handlers can return it. */
int	 resp_problem(struct req *, int status, const char *code,
	    const char *fmt, ...) PRINTF(4, 5);
/* The same with one more string member (such as requiredScope). */
int	 resp_problem_member(struct req *, int status, const char *code,
	    const char *name, const char *value, const char *fmt, ...)
	    PRINTF(6, 7);
/* The same for a configured limit: members limit and setting (its name). */
int	 resp_problem_limit(struct req *, int status, const char *code,
	    long limit, const char *setting, const char *fmt, ...)
	    PRINTF(6, 7);
int	 resp_verrs(struct req *, const struct verrs *);
/* 503 for DB_BUSY, 404 for DB_NOTFOUND, 409 for DB_CONFLICT, else 500. */
int	 resp_db(struct req *, int dbrc);
int	 resp_header(struct req *, const char *name, const char *fmt, ...)
	    PRINTF(3, 4);
/* Log a server-side error with the request id (never sent). */
void	 req_log(struct req *, const char *func, const char *fmt, ...)
	    PRINTF(3, 4);

/* ---- pagination (page.c) ---- */

struct page {
	int		 perpage;
	int		 has_cursor;
	int64_t		 c_time;	/* sort key of the last item seen */
	char		 c_id[ID_MAX];	/* its id */
};

/* Read perPage and cursor; on a bad one answers 400 and returns -1. */
int	 page_parse(struct req *, struct page *) WUR;
/* An opaque cursor for (time, id) into out (at least 96 bytes). */
void	 page_cursor(int64_t t, const char *id, char *out, size_t outlen);
/*
 * Bind the page to a list statement's parameters i .. i + 3: has a
 * cursor, its time, its id, and the row limit.
 */
void	 page_bind(sqlite3_stmt *, int i, const struct page *, int limit);

/*
 * Collects one page of a list.  Ask the module for perpage + 1 rows and
 * pass each to page_add: the extra row only tells that a next page
 * exists.  page_answer sends the page with its cursor and Link.
 */
struct lister {
	const struct page *page;
	int64_t		 now;		/* the request's time, for callbacks */
	cJSON		*items;
	int		 n;
	int		 more;
	int64_t		 last_t;
	char		 last_id[ID_MAX];
};

void	 page_start(struct lister *, const struct page *);
/* Takes ownership of item. */
void	 page_add(struct lister *, cJSON *item, int64_t t, const char *id);
int	 page_answer(struct req *, struct lister *);

/* ---- request bodies (json.c) ---- */

/*
 * Parse the body as a JSON object.  On failure answers 400
 * malformed_json and returns NULL.  Caller owns the result.
 */
cJSON	*req_json(struct req *);

/* ---- keys and authentication (auth.c) ---- */

#define KEY_PREFIX	"uptime_"
#define KEY_RANDLEN	32
#define KEY_SUMLEN	6
#define KEY_LEN		(7 + KEY_RANDLEN + KEY_SUMLEN)
#define KEY_SHOWNLEN	(7 + 8)		/* keyPrefix: uptime_ + 8 */
#define KEY_HASHLEN	32

/* Load the server secret (64 hex characters, file mode 0600). */
int	 auth_load_secret(const char *path, char *err, size_t errlen) WUR;
/* Create a new secret file; fails if it exists. */
int	 auth_create_secret(const char *path, char *err, size_t errlen) WUR;
/* Make a new key string into out (KEY_LEN + 1 bytes). */
void	 key_generate(char *out);
/* 1 if s has the key format and a correct checksum, else 0. */
int	 key_check_format(const char *s);
/* Keyed BLAKE2b-256 of the key with the server secret. */
void	 key_hash(const char *key, unsigned char out[KEY_HASHLEN]);
/* The 6-character base62 checksum of the random part. */
void	 key_checksum(const char *rand, size_t len, char out[KEY_SUMLEN]);
/*
 * Keyed BLAKE2b-256 of another secret token (an invitation's), with the
 * server secret; domain ("invite") keeps each kind of token apart.
 */
void	 token_hash(const char *domain, const char *token,
	    unsigned char out[KEY_HASHLEN]);

/*
 * Authenticate the request and check the route's scope.  Answers 401 or
 * 403 itself and returns -1; on success sets req->key.
 */
int	 auth_request(struct req *, int scope) WUR;

/* ---- resources ---- */

/* team.c */
struct team {
	char	 id[ID_MAX];
	char	 name[NAME_MAXBYTES];
	int64_t	 created_at;
};
int	 team_create(struct db *, const char *name, struct team *);
int	 team_get(struct db *, const char *id, struct team *);
cJSON	*team_json(const struct team *);
/* Store t->name; DB_OK or DB_NOTFOUND. */
int	 team_set_name(struct db *, const struct team *);

/* apikey.c */
enum key_status {
	KEY_ACTIVE,
	KEY_EXPIRED,
	KEY_REVOKED,
	KEY_ALL,
	KEY_STATUS__MAX
};
extern const char *const key_status_names[KEY_STATUS__MAX];

struct apikey {
	char		 id[ID_MAX];
	char		 team_id[ID_MAX];
	char		 name[NAME_MAXBYTES];
	unsigned	 scopes;
	char		 prefix[KEY_SHOWNLEN + 1];
	int64_t		 created_at;
	int64_t		 expires_at;
	int64_t		 last_used_at;
	char		 last_used_ip[IP_MAX];
	int64_t		 revoked_at;
	char		 created_by[ID_MAX];
};

enum key_status	 apikey_status(const struct apikey *, int64_t now);
/* By keyed hash (authentication); DB_OK or DB_NOTFOUND. */
int	 apikey_by_hash(struct db *, const unsigned char *, struct apikey *);
/* By id within a team; DB_OK or DB_NOTFOUND. */
int	 apikey_get(struct db *, const char *team, const char *id,
	    struct apikey *);
/* By id in any team: for uptime-admin only. */
int	 apikey_find(struct db *, const char *id, struct apikey *);
/*
 * Insert k (id, prefix and created_at are filled here) with the hash of
 * secret; DB_OK, or DB_CONFLICT when the hash, the team or the creating
 * key is not right.  The active-key limit is the caller's: limit_room
 * (limit.h) in the same transaction.
 */
int	 apikey_insert(struct db *, struct apikey *, const char *secret,
	    int64_t now);
int	 apikey_revoke(struct db *, const struct apikey *, int64_t now);
int	 apikey_set_secret(struct db *, struct apikey *, const char *secret);
int	 apikey_touch(struct db *, struct apikey *, const char *ip,
	    int64_t now);
/*
 * Call fn for each key of the team in the given status, newest first,
 * after the page's cursor, at most limit of them.  Returns a DB_* code.
 */
int	 apikey_list(struct db *, const char *team, enum key_status,
	    const struct page *, int limit, int64_t now,
	    int (*fn)(const struct apikey *, void *), void *arg);
/* The public JSON object (never the secret or the hash). */
cJSON	*apikey_json(const struct apikey *, int64_t now);

/* audit.c */
struct audit_event {
	char		 id[ID_MAX];
	int64_t		 at;
	char		 key_id[ID_MAX];
	char		 key_prefix[KEY_SHOWNLEN + 1];
	char		 action[64];
	char		 method[16];
	char		 path[256];
	int		 status;
	char		 ip[IP_MAX];
	char		 target_id[ID_MAX];
};
struct audit_filter {
	const char	*key_id;
	const char	*action;
	int64_t		 from;
	int64_t		 to;
};
/* Record one event for team (NULL when unknown). */
int	 audit_record(struct db *, const char *team,
	    const struct audit_event *);
int	 audit_list(struct db *, const char *team, const struct audit_filter *,
	    const struct page *, int limit,
	    int (*fn)(const struct audit_event *, void *), void *arg);
cJSON	*audit_json(const struct audit_event *);
int	 audit_prune(struct db *, int64_t before);

#endif /* UPTIME_H */
