/*
 * Checks: a monitor becomes a probe, the probe's outcome becomes a
 * result, and the result moves the monitor's state machine.  Shared by
 * cron/uptime-check and "POST /v1/monitors/{id}/check".
 *
 * The state machine: a success (up or degraded) clears the failure
 * count; a failure counts, and the monitor goes down once it has failed
 * `confirmations` times in a row, opening an outage.  The next success
 * closes it.  Each change of status is recorded in monitor_events for the
 * notifier: down, up (leaving down or degraded), degraded (leaving up);
 * ssl_expiring at most once a day while the certificate is inside the
 * warning window; and dns_changed when a DNS monitor's answer set is not
 * the one it had (its first answer is no change).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base.h"
#include "db.h"
#include "ids.h"
#include "json.h"
#include "jsoncheck.h"
#include "maintenance.h"
#include "monitor.h"
#include "page.h"
#include "re.h"
#include "rollup.h"
#include "timefmt.h"

#define DAY_MS		(24LL * 3600 * 1000)

/*
 * Content checks run in time linear in the body, but a regex's constant
 * is its compiled size (lib/re.h): a body costs at most about its length
 * times the sizes of its regexes in steps of a few nanoseconds.  Up to
 * CONTENT_INLINE steps they run in this process; beyond, in a child
 * process that is killed at CONTENT_BUDGET_MS, which the checker's event
 * loop watches (check_judge_start) rather than waits for, so one
 * monitor's checks never hold the checker and every other monitor's
 * check.
 */
#define CONTENT_BUDGET_MS	100
#define CONTENT_INLINE		(1LL << 22)

enum stmt {
	STMT_RESULT,
	STMT_STATE,
	STMT_OUTAGE_OPEN,
	STMT_OUTAGE_CLOSE,
	STMT_EVENT,
	STMT_RESULTS,
	STMT_OUTAGES,
	STMT_PAUSED,
	STMT_UNANNOUNCED,
	STMT_DEFER,
	STMT_PLAN_ONLY,
	STMT_LSTATE_GET,
	STMT_LSTATE_PUT,
	STMT_LSTATE_DOWN,
	STMT_LOUTAGE_OPEN,
	STMT_LOUTAGE_CLOSE,
	STMT_LOUTAGES,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_RESULT */
	"INSERT INTO check_results (monitor_id, checked_at, status, "
	"response_ms, status_code, error_code, error_message, dns_ms, "
	"connect_ms, tls_ms, first_byte_ms, due_at, location, inconclusive) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* STMT_STATE: only state; a concurrent PATCH keeps its changes,
	 * its new due time (?12 is the one this check was for) included.
	 * ?13: a new last_value, or NULL to keep it. */
	"UPDATE monitors SET status = ?2, fails = ?3, last_checked_at = ?4, "
	"next_check_at = CASE WHEN next_check_at = ?12 THEN ?5 "
	"ELSE next_check_at END, last_change_at = ?6, last_response_ms = ?7, "
	"ssl_expires_at = ?8, ssl_issuer = ?9, ssl_status = ?10, "
	"ssl_warned_at = ?11, last_value = coalesce(?13, last_value) "
	"WHERE id = ?1 AND paused = 0",
	/* STMT_OUTAGE_OPEN */
	"INSERT INTO outages (id, monitor_id, started_at, cause_code, "
	"cause_message, during_maintenance) VALUES (?, ?, ?, ?, ?, ?) "
	"ON CONFLICT DO NOTHING",
	/* STMT_OUTAGE_CLOSE: never before it started (the checker's and a
	 * web server's clocks may differ: a heartbeat ping closes it). */
	"UPDATE outages SET ended_at = CASE WHEN started_at > ?2 "
	"THEN started_at ELSE ?2 END "
	"WHERE monitor_id = ?1 AND ended_at IS NULL RETURNING id",
	/* STMT_EVENT */
	"INSERT INTO monitor_events (monitor_id, team_id, kind, at, "
	"outage_id, detail, suppressed) VALUES (?, ?, ?, ?, ?, ?, ?)",
	/* STMT_RESULTS */
	"SELECT id, checked_at, status, response_ms, status_code, "
	"error_code, error_message, dns_ms, connect_ms, tls_ms, "
	"first_byte_ms, due_at, location, inconclusive FROM check_results "
	"WHERE monitor_id = ?1"
	" AND (checked_at >= ?2 OR ?2 IS NULL)"
	" AND (checked_at < ?3 OR ?3 IS NULL)"
	" AND ((status = ?4 AND inconclusive = 0) OR ?4 IS NULL)"
	" AND (?5 = 0 OR (checked_at, id) < (?6, ?7))"
	" AND (coalesce(nullif(location, ''), 'local') = ?9 OR ?9 IS NULL)"
	" ORDER BY checked_at DESC, id DESC LIMIT ?8",
	/* STMT_OUTAGES */
	"SELECT id, started_at, ended_at, cause_code, cause_message, "
	"during_maintenance FROM outages WHERE monitor_id = ?1"
	" AND (?2 = 0 OR (started_at, id) < (?3, ?4))"
	" ORDER BY started_at DESC, id DESC LIMIT ?5",
	/* STMT_PAUSED */
	"SELECT paused FROM monitors WHERE id = ?",
	/* STMT_UNANNOUNCED: the open outage whose down was never sent. */
	"SELECT o.id FROM outages o WHERE o.monitor_id = ? "
	"AND o.ended_at IS NULL AND o.during_maintenance = 1 "
	"AND NOT EXISTS (SELECT 1 FROM monitor_events e "
	"WHERE e.outage_id = o.id AND e.kind = 'down' AND e.suppressed = 0)",
	/* STMT_DEFER */
	"UPDATE monitors SET next_check_at = ?2 WHERE id = ?1 AND paused = 0",
	/* STMT_PLAN_ONLY: the next check, unless a PATCH moved it (?2 is
	 * the time this check was for). */
	"UPDATE monitors SET next_check_at = ?3 WHERE id = ?1 AND "
	"next_check_at = ?2 AND paused = 0",
	/* STMT_LSTATE_GET: a location's own state of the monitor. */
	"SELECT status, fails, successes, last_checked_at FROM "
	"monitor_location_state "
	"WHERE monitor_id = ? AND location = ?",
	/* STMT_LSTATE_PUT */
	"INSERT INTO monitor_location_state (monitor_id, location, status, "
	"fails, successes, last_checked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	"ON CONFLICT (monitor_id, location) DO UPDATE SET status = ?3, "
	"fails = ?4, successes = ?5, last_checked_at = ?6",
	/* STMT_LSTATE_DOWN: its locations (?2, a JSON array) that are not
	 * offline and confirmed down; its locations that are offline. */
	"SELECT (SELECT count(*) FROM monitor_location_state s WHERE "
	"s.monitor_id = ?1 AND s.status = 'down' AND s.location IN "
	"(SELECT value FROM json_each(?2)) AND NOT EXISTS (SELECT 1 FROM "
	"locations l WHERE l.id = s.location AND l.health = 'offline')), "
	"(SELECT count(*) FROM monitor_locations ml JOIN locations l ON "
	"l.id = ml.location_id WHERE ml.monitor_id = ?1 AND "
	"l.health = 'offline')",
	/* STMT_LOUTAGE_OPEN: STMT_OUTAGE_OPEN's, of location ?7. */
	"INSERT INTO location_outages (id, monitor_id, started_at, "
	"cause_code, cause_message, during_maintenance, location) "
	"VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
	/* STMT_LOUTAGE_CLOSE: STMT_OUTAGE_CLOSE's, of location ?3. */
	"UPDATE location_outages SET ended_at = CASE WHEN started_at > ?2 "
	"THEN started_at ELSE ?2 END "
	"WHERE monitor_id = ?1 AND location = ?3 AND ended_at IS NULL",
	/* STMT_LOUTAGES: STMT_OUTAGES's, of location ?6. */
	"SELECT id, started_at, ended_at, cause_code, cause_message, "
	"during_maintenance FROM location_outages WHERE monitor_id = ?1"
	" AND location = ?6 AND (?2 = 0 OR (started_at, id) < (?3, ?4))"
	" ORDER BY started_at DESC, id DESC LIMIT ?5",
};

/* PostgreSQL's own text where the dialects differ (NULL: sqls[i]). */
static const char *const pg_sqls[STMT__MAX] = {
	[STMT_LSTATE_DOWN] =
	"SELECT (SELECT count(*) FROM monitor_location_state s WHERE "
	"s.monitor_id = ?1 AND s.status = 'down' AND s.location IN "
	"(SELECT jsonb_array_elements_text(?2::jsonb)) AND NOT EXISTS "
	"(SELECT 1 FROM locations l WHERE l.id = s.location AND "
	"l.health = 'offline')), (SELECT count(*) FROM monitor_locations ml "
	"JOIN locations l ON l.id = ml.location_id WHERE ml.monitor_id = ?1 "
	"AND l.health = 'offline')",
};

static const char *
cfg_str(const struct monitor *m, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(m->config, name));
}

static const cJSON *
cfg_item(const struct monitor *m, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(m->config, name);
}

int
check_prepare(const struct monitor *m, struct probe *p, char ***scratch)
{
	const cJSON	*h, *b;
	char		**hdrs;
	size_t		 n = 0, len;

	memset(p, 0, sizeof(*p));
	*scratch = NULL;
	p->timeout_ms = (int)m->timeout_s * 1000;
	switch (m->type) {
	case MON_HTTP:
		p->kind = PROBE_HTTP;
		p->url = cfg_str(m, "url");
		p->method = cfg_str(m, "method");
		p->follow_redirects = cJSON_IsTrue(cfg_item(m,
		    "followRedirects"));
		p->verify_tls = cJSON_IsTrue(cfg_item(m, "verifyTls"));
		/* Only content checks read the body: no copy without them. */
		p->discard_body = cJSON_GetArraySize(cfg_item(m,
		    "contentChecks")) == 0;
		if ((b = cfg_item(m, "body")) != NULL && cJSON_IsString(b)) {
			p->req_body = b->valuestring;
			p->req_bodylen = strlen(b->valuestring);
		}
		hdrs = calloc(MON_MAXHEADERS + 1, sizeof(char *));
		if (hdrs == NULL)
			return -1;
		cJSON_ArrayForEach(h, cfg_item(m, "headers")) {
			if (n == MON_MAXHEADERS || !cJSON_IsString(h))
				break;
			len = strlen(h->string) + strlen(h->valuestring) + 3;
			if ((hdrs[n] = malloc(len)) == NULL)
				break;
			snprintf(hdrs[n++], len, "%s: %s", h->string,
			    h->valuestring);
		}
		p->headers = (const char *const *)hdrs;
		*scratch = hdrs;
		return 0;
	case MON_TCP:
		p->kind = PROBE_TCP;
		p->host = cfg_str(m, "host");
		p->port = (int)cJSON_GetNumberValue(cfg_item(m, "port"));
		return 0;
	case MON_DNS:
		p->kind = PROBE_DNS;
		p->hostname = cfg_str(m, "hostname");
		p->record_type = cfg_str(m, "recordType");
		return 0;
	default:
		return -1;
	}
}

void
check_scratch_free(char **scratch)
{
	size_t	 i;

	for (i = 0; scratch != NULL && scratch[i] != NULL; i++)
		free(scratch[i]);
	free(scratch);
}

static int
status_expected(const struct monitor *m, long code)
{
	const cJSON	*c;
	long		 lo, hi;
	char		*end;

	cJSON_ArrayForEach(c, cfg_item(m, "expectedStatusCodes")) {
		if (cJSON_IsNumber(c))
			lo = hi = (long)c->valuedouble;
		else if (cJSON_IsString(c)) {
			lo = strtol(c->valuestring, &end, 10);
			hi = *end == '-' ? strtol(end + 1, NULL, 10) : lo;
		} else
			continue;
		if (code >= lo && code <= hi)
			return 1;
	}
	return 0;
}

/* Normalise a DNS answer or expectation for comparison. */
static int
dns_equal(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

static void
set_error(struct check_result *r, const char *code, const char *fmt, ...)
    PRINTF(3, 4);

static void
set_error(struct check_result *r, const char *code, const char *fmt, ...)
{
	va_list	 ap;

	r->status = MST_DOWN;
	snprintf(r->error_code, sizeof(r->error_code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(r->error_message, sizeof(r->error_message), fmt, ap);
	va_end(ap);
}

static unsigned char
fold(char c)
{
	unsigned char	 u = (unsigned char)c;

	return u >= 'A' && u <= 'Z' ? u - 'A' + 'a' : u;
}

/*
 * Does needle (nlen <= MON_MAXCHECKLEN bytes) occur in hay, ignoring
 * ASCII case?  Knuth-Morris-Pratt over folded bytes: each byte of hay is
 * looked at a bounded number of times, whatever the two hold.
 */
static int
memcasemem(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	size_t	 next[MON_MAXCHECKLEN];
	size_t	 i, k;

	if (nlen == 0)
		return 1;
	if (nlen > MON_MAXCHECKLEN)
		return 0;	/* never stored: refused at validation */
	next[0] = 0;
	for (i = 1, k = 0; i < nlen; i++) {
		while (k > 0 && fold(needle[i]) != fold(needle[k]))
			k = next[k - 1];
		if (fold(needle[i]) == fold(needle[k]))
			k++;
		next[i] = k;
	}
	for (i = 0, k = 0; i < hlen; i++) {
		while (k > 0 && fold(hay[i]) != fold(needle[k]))
			k = next[k - 1];
		if (fold(hay[i]) == fold(needle[k]) && ++k == nlen)
			return 1;
	}
	return 0;
}

/*
 * A monitor's content checks, ready for one body: each check and, for a
 * regex, its compiled form.  Filled by content_compile, emptied by
 * content_free.
 */
struct content {
	const cJSON	*check[MON_MAXCHECKS];
	struct re	*re[MON_MAXCHECKS];
	int		 json[MON_MAXCHECKS];	/* a {type: "json"} check */
	size_t		 n;
	long long	 cost;	/* body length times regex sizes */
	cJSON		*doc;	/* the body parsed, for json checks; NULL:
				   none, or not JSON */
};

static const char *
check_str(const cJSON *c, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(c, name));
}

static void
content_free(struct content *ct)
{
	size_t	 i;

	for (i = 0; i < ct->n; i++)
		re_free(ct->re[i]);
	ct->n = 0;
	cJSON_Delete(ct->doc);
	ct->doc = NULL;
}

/*
 * Compile m's content checks for the body (len bytes), and parse it
 * once when a json check reads it (bounded like the body: the probe
 * keeps at most its first 1 MiB).  0, or -1 with r set when a stored
 * regex does not compile any more (one saved before regexes were RE2's).
 */
static int
content_compile(const struct monitor *m, const char *body, size_t len,
    struct content *ct, struct check_result *r)
{
	const cJSON	*c;
	const char	*type, *value, *why;
	struct re	*re;
	int		 parsed = 0;

	memset(ct, 0, sizeof(*ct));
	cJSON_ArrayForEach(c, cfg_item(m, "contentChecks")) {
		if (ct->n == MON_MAXCHECKS)
			break;
		type = check_str(c, "type");
		value = check_str(c, "value");
		re = NULL;
		if (type != NULL && value != NULL &&
		    strcmp(type, "regex") == 0 && (re = re_compile(value,
		    cJSON_IsTrue(cJSON_GetObjectItem(c, "caseSensitive")),
		    &why)) == NULL) {
			content_free(ct);
			set_error(r, "content_mismatch", "The regex check "
			    "\"%.100s\" is not accepted: %s.", value, why);
			return -1;
		}
		ct->json[ct->n] = type != NULL && strcmp(type, "json") == 0;
		if (ct->json[ct->n] && !parsed) {
			ct->doc = jsoncheck_parse(body, len);
			parsed = 1;
		}
		ct->check[ct->n] = c;
		ct->re[ct->n++] = re;
		if (re != NULL)
			ct->cost += (long long)len * re_size(re);
	}
	return 0;
}

/*
 * Does the body (len bytes, NUL-terminated, maybe with NULs inside)
 * satisfy content check i?  1 yes, 0 no.
 */
static int
content_ok(const struct content *ct, size_t i, const char *body, size_t len)
{
	const char	*type = check_str(ct->check[i], "type");
	const char	*value = check_str(ct->check[i], "value");
	char		 msg[8];
	int		 found;

	if (ct->json[i])
		return jsoncheck_eval(ct->check[i], ct->doc, msg,
		    sizeof(msg)) == JC_PASS;
	if (type == NULL || value == NULL)
		return 0;
	if (ct->re[i] != NULL)
		return re_match(ct->re[i], body, len);
	found = cJSON_IsTrue(cJSON_GetObjectItem(ct->check[i],
	    "caseSensitive")) ? memmem(body, len, value, strlen(value)) !=
	    NULL : memcasemem(body, len, value, strlen(value));
	return strcmp(type, "contains") == 0 ? found : !found;
}

/* The index of the first check the body fails, or -1: it passes them all. */
static int
content_first_failure(const struct content *ct, const char *body,
    size_t len)
{
	size_t	 i;

	for (i = 0; i < ct->n; i++)
		if (!content_ok(ct, i, body, len))
			return (int)i;
	return -1;
}

/*
 * The checks of one body being judged in a child process: the child
 * writes the index of the first check that fails (or -1) to a pipe and
 * exits.  The parent watches pidfd (readable once the child has ended)
 * until due, kills the child there, and judges when it has ended.
 */
struct check_wait {
	const struct monitor	*m;
	struct content		 ct;
	size_t			 len;
	pid_t			 pid;
	int			 pidfd;		/* -1: no pidfd_open (ENOSYS) */
	int			 rfd;		/* the pipe's read end */
	int			 killed;
	int64_t			 due;		/* time_now_ms() */
};

static int
open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/*
 * The body failed content check i.  A json check says why, judged again
 * here (a child's reason is lost); the others are content_mismatch.
 */
static void
content_failed(const struct content *ct, int i, struct check_result *r)
{
	static const char *const codes[JC_RESULT__MAX] = { "",
	    "content_mismatch", "content_not_json", "content_pointer_unresolved"
	};
	char		 msg[sizeof(r->error_message)];
	enum jc_result	 jr;

	if (ct->json[i]) {
		if ((jr = jsoncheck_eval(ct->check[i], ct->doc, msg,
		    sizeof(msg))) != JC_PASS)
			set_error(r, codes[jr], "%s", msg);
		return;
	}
	set_error(r, "content_mismatch", "Content check failed: %s "
	    "\"%.100s\".", check_str(ct->check[i], "type"),
	    check_str(ct->check[i], "value"));
}

/* The content checks could not be run within their budget. */
static void
budget_spent(struct check_result *r, size_t len)
{
	set_error(r, "content_timeout", "The content checks did not finish "
	    "within their %d ms budget on a body of %zu bytes; make the "
	    "regular expressions simpler.", CONTENT_BUDGET_MS, len);
}

/*
 * Start content_first_failure in a child process given CONTENT_BUDGET_MS.
 * A wait, or NULL when the child could not be started (r is set).
 */
static struct check_wait *
content_fork(const struct monitor *m, struct content *ct, const char *body,
    size_t len, struct check_result *r)
{
	struct check_wait	*w;
	signed char		 out;
	int			 fd[2];

	if ((w = calloc(1, sizeof(*w))) == NULL)
		goto fail;
	if (pipe2(fd, O_CLOEXEC | O_NONBLOCK) == -1) {
		free(w);
		goto fail;
	}
	if ((w->pid = fork()) == -1) {
		close(fd[0]);
		close(fd[1]);
		free(w);
		goto fail;
	}
	if (w->pid == 0) {
		out = (signed char)content_first_failure(ct, body, len);
		_exit(write(fd[1], &out, 1) == 1 ? 0 : 1);
	}
	close(fd[1]);
	w->m = m;
	w->ct = *ct;
	w->len = len;
	w->rfd = fd[0];
	w->due = time_now_ms() + CONTENT_BUDGET_MS;
	memset(ct, 0, sizeof(*ct));	/* w owns it now */
	/* Kernels before 5.3 have none: the wait polls the pipe instead. */
	if ((w->pidfd = open_pidfd(w->pid)) == -1 && errno != ENOSYS) {
		check_wait_cancel(w);
		budget_spent(r, len);
		return NULL;
	}
	return w;
fail:
	content_free(ct);
	budget_spent(r, len);
	return NULL;
}

/* A success slower than degradedAfterMs is degraded. */
static void
judge_degraded(const struct monitor *m, struct check_result *r)
{
	const cJSON	*deg = cfg_item(m, "degradedAfterMs");

	if (r->status != MST_DOWN && cJSON_IsNumber(deg) &&
	    r->response_ms > deg->valuedouble)
		r->status = MST_DEGRADED;
}

int
check_wait_fd(const struct check_wait *w)
{
	return w->pidfd != -1 ? w->pidfd : w->rfd;
}

int
check_wait_ms(const struct check_wait *w)
{
	int64_t	 left = w->due - time_now_ms();

	return left < 0 ? 0 : (int)left;
}

int
check_wait_step(struct check_wait *w, struct check_result *r)
{
	signed char	 out = -1;
	int		 answered = 0;

	if (!w->killed && !(answered = read(w->rfd, &out, 1) == 1)) {
		if (waitpid(w->pid, NULL, WNOHANG) != 0) {
			/* Ended; an answer was written before that. */
			w->pid = -1;
			answered = read(w->rfd, &out, 1) == 1;
		} else if (time_now_ms() < w->due)
			return 1;	/* running, within its budget */
		else {
			kill(w->pid, SIGKILL);
			w->killed = 1;
			if (w->pidfd != -1) {
				/* Judged once it is gone: its pidfd says. */
				w->due = time_now_ms() + CONTENT_BUDGET_MS;
				return 1;
			}
		}
	}
	if (!answered)
		budget_spent(r, w->len);
	else if (out >= 0 && (size_t)out < w->ct.n)
		content_failed(&w->ct, out, r);
	judge_degraded(w->m, r);
	check_wait_cancel(w);
	return 0;
}

void
check_wait_cancel(struct check_wait *w)
{
	if (w == NULL)
		return;
	if (w->pid != -1) {
		/* One that answered is ending anyway. */
		kill(w->pid, SIGKILL);
		while (waitpid(w->pid, NULL, 0) == -1 && errno == EINTR)
			continue;
	}
	if (w->pidfd != -1)
		close(w->pidfd);
	close(w->rfd);
	content_free(&w->ct);
	free(w);
}

/*
 * Judge the body against m's content checks: CHECK_JUDGED with r set
 * when it fails one (or they could not be run), CHECK_WAITING with *w
 * when they run in a child, CHECK_BUSY (nothing done) when they would
 * and may_fork is 0.
 */
static int
content_judge(const struct monitor *m, const char *body, size_t len,
    int may_fork, struct check_result *r, struct check_wait **w)
{
	struct content	 ct;
	int		 failed;

	if (content_compile(m, body, len, &ct, r) == -1)
		return CHECK_JUDGED;
	if (ct.cost > CONTENT_INLINE) {
		if (!may_fork) {
			content_free(&ct);
			return CHECK_BUSY;
		}
		*w = content_fork(m, &ct, body, len, r);
		return *w != NULL ? CHECK_WAITING : CHECK_JUDGED;
	}
	if ((failed = content_first_failure(&ct, body, len)) >= 0)
		content_failed(&ct, failed, r);
	content_free(&ct);
	return CHECK_JUDGED;
}

static int
str_order(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The probe's answers as a set: sorted, each once.  NULL out of memory. */
static cJSON *
answer_set(const struct probe *p)
{
	const char	**v;
	cJSON		*a;
	size_t		 i;

	if ((v = calloc(p->nanswers + 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < p->nanswers; i++)
		v[i] = p->answers[i];
	qsort(v, p->nanswers, sizeof(*v), str_order);
	if ((a = cJSON_CreateArray()) != NULL)
		for (i = 0; i < p->nanswers; i++)
			if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
				cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	free(v);
	return a;
}

void
check_result_clear(struct check_result *r)
{
	cJSON_Delete(r->answers);
	r->answers = NULL;
}

int
check_judge_start(const struct monitor *m, const struct probe *p,
    int64_t now, int may_fork, struct check_result *r,
    struct check_wait **w)
{
	const char	*want;
	size_t		 i;
	int		 rc;

	*w = NULL;
	memset(r, 0, sizeof(*r));
	r->checked_at = now;
	r->status = MST_UP;
	r->response_ms = p->total_ms;
	r->status_code = p->status_code;
	r->dns_ms = p->dns_ms;
	r->connect_ms = p->connect_ms;
	r->tls_ms = p->tls_ms;
	r->first_byte_ms = p->first_byte_ms;
	r->ssl_expires_at = p->ssl_expires_at;
	snprintf(r->ssl_issuer, sizeof(r->ssl_issuer), "%s", p->ssl_issuer);
	if (p->failed) {
		set_error(r, p->error_code, "%s", p->error_message);
		r->tls_error = strcmp(p->error_code, "tls_failed") == 0;
		r->response_ms = -1;	/* no response to time */
		return CHECK_JUDGED;
	}
	switch (m->type) {
	case MON_HTTP:
		if (!status_expected(m, p->status_code)) {
			set_error(r, "unexpected_status", "The response status "
			    "was %ld, which is not an expected one.",
			    p->status_code);
			return CHECK_JUDGED;
		}
		if ((rc = content_judge(m, p->body ? p->body : "", p->body ?
		    p->bodylen : 0, may_fork, r, w)) != CHECK_JUDGED)
			return rc;
		judge_degraded(m, r);
		break;
	case MON_DNS:
		r->answers = answer_set(p);
		want = cfg_str(m, "expectedValue");
		if (want == NULL)
			break;
		for (i = 0; i < p->nanswers; i++)
			if (dns_equal(p->answers[i], want))
				break;
		if (i == p->nanswers)
			set_error(r, "dns_mismatch", "No %s record matched "
			    "\"%.100s\".", cfg_str(m, "recordType"), want);
		break;
	default:
		break;
	}
	return CHECK_JUDGED;
}

void
check_judge(const struct monitor *m, const struct probe *p, int64_t now,
    struct check_result *r)
{
	struct check_wait	*w;
	struct pollfd		 pfd;

	if (check_judge_start(m, p, now, 1, r, &w) != CHECK_WAITING)
		return;
	do {
		pfd.fd = check_wait_fd(w);
		pfd.events = POLLIN;
		(void)poll(&pfd, 1, check_wait_ms(w));
	} while (check_wait_step(w, r) == 1);
}

/*
 * Record an event for the notifier.  One that happens while a window
 * with suppressAlerts covers the monitor is kept, marked suppressed: its
 * notifications are recorded as such (lib/maintenance.h).
 */
static int
add_event(struct db *db, const struct monitor *m, const char *kind,
    int64_t at, const char *outage, const char *detail)
{
	struct db_stmt		*st;
	struct maint_effect	 me;
	int			 rc;

	if ((rc = maint_at(db, m->team_id, m->id, at, &me)) != DB_OK)
		return rc;
	if ((st = db_stmt(db, sqls[STMT_EVENT])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, m->id);
	db_bind_text(st, 2, m->team_id);
	db_bind_text(st, 3, kind);
	db_bind_int64(st, 4, at);
	db_bind_text(st, 5, outage);
	db_bind_text(st, 6, detail);
	db_bind_int(st, 7, me.active && me.suppress_alerts);
	return db_exec_stmt(st);
}

/*
 * Open an outage of m at r, the monitor's own, or with loc the down
 * period of that location alone (no event: it pages nobody).
 */
static int
open_outage(struct db *db, const struct monitor *m, const char *loc,
    const struct check_result *r)
{
	struct db_stmt		*st;
	struct maint_effect	 me;
	char			 id[ID_MAX];
	int			 rc;

	id_new(id, "out");
	if ((rc = maint_at(db, m->team_id, m->id, r->checked_at, &me)) !=
	    DB_OK)
		return rc;
	if ((st = db_stmt(db, sqls[loc != NULL ? STMT_LOUTAGE_OPEN :
	    STMT_OUTAGE_OPEN])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, m->id);
	db_bind_int64(st, 3, r->checked_at);
	db_bind_text(st, 4, r->error_code);
	db_bind_text(st, 5, r->error_message);
	db_bind_int(st, 6, me.active);
	if (loc != NULL)
		db_bind_text(st, 7, loc);
	if ((rc = db_exec_stmt(st)) != DB_OK || loc != NULL)
		return rc;
	return add_event(db, m, "down", r->checked_at, id, r->error_code);
}

int
outage_close(struct db *db, const char *monitor, int64_t at, char *id)
{
	struct db_stmt	*st;
	char		 closed[ID_MAX] = "";
	int		 rc;

	if ((st = db_stmt(db, sqls[STMT_OUTAGE_CLOSE])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, monitor);
	db_bind_int64(st, 2, at);
	while ((rc = db_step(st)) == DB_ROW)
		db_col_text(st, 0, closed, sizeof(closed));
	db_reset(st);
	if (id != NULL)
		snprintf(id, ID_MAX, "%s", closed);
	return rc == DB_DONE ? DB_OK : db_rc(rc);
}

static int
close_outage(struct db *db, const struct monitor *m, int64_t at)
{
	char	 id[ID_MAX];
	int	 rc;

	if ((rc = outage_close(db, m->id, at, id)) != DB_OK)
		return rc;
	return add_event(db, m, "up", at, id[0] ? id : NULL, NULL);
}

/*
 * Move the result's location's own state (docs/locations.md): it
 * confirms down after `confirmations` failures in a row and, once down,
 * is up again after `recoveryConfirmations` successes in a row.  *down:
 * how many of the monitor's locations that are not offline are
 * confirmed down now; *offline: how many are offline.  A probe
 * location's result checked before its last one moves nothing (*down
 * -1): delivered late, it is history.  DB_* code.
 */
static int
location_state(struct db *db, struct monitor *m, const struct check_result *r,
    long *down, long *offline)
{
	struct db_stmt	*st;
	const char	*loc = r->location[0] ? r->location : MON_LOCAL;
	char		 status[16] = "up";
	long		 fails = 0, successes = 0;
	int64_t		 last = 0;
	int		 rc, was_down;

	if ((st = db_query(db, sqls[STMT_LSTATE_GET], "tt", m->id, loc)) ==
	    NULL)
		return DB_ERROR;
	if ((rc = db_step(st)) == DB_ROW) {
		db_col_text(st, 0, status, sizeof(status));
		fails = db_col_int(st, 1);
		successes = db_col_int(st, 2);
		last = db_col_int64(st, 3);
	}
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_rc(rc);
	if (r->location[0] != '\0' && r->checked_at < last) {
		*down = -1;
		return DB_OK;
	}
	was_down = strcmp(status, "down") == 0;
	if (r->status == MST_DOWN) {
		fails++;
		successes = 0;
		if (fails >= m->confirmations)
			snprintf(status, sizeof(status), "down");
	} else {
		successes++;
		fails = 0;
		if (strcmp(status, "down") != 0 || successes >= m->recovery)
			snprintf(status, sizeof(status), "%s",
			    mon_status_names[r->status]);
	}
	m->loc_fails = fails;
	if ((st = db_query(db, sqls[STMT_LSTATE_PUT], "tttiiI", m->id, loc,
	    status, (int)fails, (int)successes, r->checked_at)) == NULL)
		return DB_ERROR;
	if ((rc = db_exec_stmt(st)) != DB_OK)
		return rc;
	/* The location's own down period, whatever the quorum says. */
	if (!was_down && strcmp(status, "down") == 0)
		rc = open_outage(db, m, loc, r);
	else if (was_down && strcmp(status, "down") != 0)
		rc = db_exec_stmt(db_query(db, sqls[STMT_LOUTAGE_CLOSE], "tIt",
		    m->id, r->checked_at, loc));
	if (rc != DB_OK)
		return rc;
	if ((st = db_query(db, db_sqlv(db, sqls, pg_sqls, STMT_LSTATE_DOWN),
	    "t", m->id)) == NULL ||
	    db_bind_json(st, 2, m->locations) == -1)
		return DB_ERROR;
	*down = *offline = 0;
	if ((rc = db_step(st)) == DB_ROW) {
		*down = db_col_int(st, 0);
		*offline = db_col_int(st, 1);
	}
	db_reset(st);
	return rc == DB_ROW ? DB_OK : db_rc(rc);
}

/*
 * Move the status; record outages and events.  The monitor is down when
 * at least its quorum of the locations that are not offline (a majority
 * by default; with one location, that one) have confirmed it down.
 * DB_* code.
 */
static int
transition(struct db *db, struct monitor *m, const struct check_result *r,
    int late)
{
	enum mon_status	 old = m->status, new;
	long		 down, offline, quorum;
	int		 rc;

	if ((rc = location_state(db, m, r, &down, &offline)) != DB_OK ||
	    down == -1)
		return rc;
	quorum = monitor_quorum(m, offline);
	if (r->status != MST_DOWN)
		m->fails = 0;
	else
		m->fails++;
	if (down >= quorum)
		new = MST_DOWN;
	else if (late && old != MST_DOWN)
		new = old;
	else
		new = r->status != MST_DOWN ? r->status : old;
	if (new == old)
		return DB_OK;
	m->status = new;
	m->last_change_at = r->checked_at;
	if (new == MST_DOWN)
		return open_outage(db, m, NULL, r);
	if (old == MST_DOWN)
		return close_outage(db, m, r->checked_at);
	if (new == MST_DEGRADED && old == MST_UP)
		return add_event(db, m, "degraded", r->checked_at, NULL, NULL);
	if (new == MST_UP && old == MST_DEGRADED)
		return add_event(db, m, "up", r->checked_at, NULL, NULL);
	return DB_OK;
}

/* Certificate state and its once-a-day warning.  DB_* code. */
static int
track_ssl(struct db *db, struct monitor *m, const struct check_result *r)
{
	const char	*url = cfg_str(m, "url");
	long		 days;
	char		 detail[64];

	if (m->type != MON_HTTP || url == NULL ||
	    strncasecmp(url, "https:", 6) != 0)
		return DB_OK;
	if (r->ssl_expires_at == 0) {
		if (r->tls_error)
			snprintf(m->ssl_status, sizeof(m->ssl_status), "error");
		return DB_OK;
	}
	m->ssl_expires_at = r->ssl_expires_at * 1000;
	snprintf(m->ssl_issuer, sizeof(m->ssl_issuer), "%s", r->ssl_issuer);
	days = (long)cJSON_GetNumberValue(cfg_item(m, "sslExpiryWarningDays"));
	if (m->ssl_expires_at <= r->checked_at)
		snprintf(m->ssl_status, sizeof(m->ssl_status), "expired");
	else if (days > 0 && m->ssl_expires_at <= r->checked_at + days * DAY_MS)
		snprintf(m->ssl_status, sizeof(m->ssl_status), "expiring");
	else
		snprintf(m->ssl_status, sizeof(m->ssl_status), "%s",
		    r->tls_error ? "error" : "valid");
	if (days == 0 || strcmp(m->ssl_status, "valid") == 0 ||
	    strcmp(m->ssl_status, "error") == 0)
		return DB_OK;
	if (m->ssl_warned_at != 0 && r->checked_at - m->ssl_warned_at < DAY_MS)
		return DB_OK;
	m->ssl_warned_at = r->checked_at;
	snprintf(detail, sizeof(detail), "%lld",
	    (long long)m->ssl_expires_at);
	return add_event(db, m, "ssl_expiring", r->checked_at, NULL, detail);
}

/*
 * A DNS answer set unlike the last one: m->last_value takes it, and a
 * dns_changed event records both (detail {"previous", "current"}).  The
 * first answer is only kept.  DB_* code.
 */
static int
track_answers(struct db *db, struct monitor *m, const struct check_result *r)
{
	cJSON	*d, *now;
	char	*detail;
	int	 rc = DB_OK;

	if (m->type != MON_DNS || r->answers == NULL ||
	    (m->last_value != NULL && cJSON_Compare(m->last_value,
	    r->answers, 1)))
		return DB_OK;
	if ((now = cJSON_Duplicate(r->answers, 1)) == NULL)
		return DB_ERROR;
	if (m->last_value != NULL) {
		d = cJSON_CreateObject();
		cJSON_AddItemToObject(d, "previous", m->last_value);
		cJSON_AddItemToObject(d, "current",
		    cJSON_Duplicate(r->answers, 1));
		m->last_value = NULL;
		detail = cJSON_PrintUnformatted(d);
		cJSON_Delete(d);
		rc = detail == NULL ? DB_ERROR : add_event(db, m,
		    "dns_changed", r->checked_at, NULL, detail);
		free(detail);
	}
	m->last_value = now;
	return rc;
}

/*
 * A monitor still down when the window that silenced its outage is over
 * gets that outage announced now: one down event that is not suppressed.
 * DB_* code.
 */
static int
announce_late(struct db *db, const struct monitor *m,
    const struct check_result *r)
{
	struct db_stmt		*st;
	struct maint_effect	 me;
	char			 id[ID_MAX];
	int			 rc;

	if (m->status != MST_DOWN)
		return DB_OK;
	if ((st = db_stmt(db, sqls[STMT_UNANNOUNCED])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, m->id);
	if ((rc = db_step(st)) == DB_ROW)
		db_col_text(st, 0, id, sizeof(id));
	db_reset(st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? DB_OK : db_rc(rc);
	if ((rc = maint_at(db, m->team_id, m->id, r->checked_at, &me)) !=
	    DB_OK)
		return rc;
	if (me.active && me.suppress_alerts)
		return DB_OK;
	return add_event(db, m, "down", r->checked_at, id,
	    r->error_code[0] ? r->error_code : NULL);
}

/* The next planned time after now, keeping the monitor's phase. */
static int64_t
next_slot(int64_t planned, int64_t interval_ms, int64_t now)
{
	int64_t	 next = planned + interval_ms;

	if (next <= now)
		next = now + interval_ms - (now - planned) % interval_ms;
	return next;
}

/* The check_results row of r.  DB_* code. */
static int
insert_result(struct db *db, const struct monitor *m,
    const struct check_result *r)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sqls[STMT_RESULT])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, m->id);
	db_bind_int64(st, 2, r->checked_at);
	db_bind_text(st, 3, mon_status_names[r->status]);
	db_bind_opt(st, 4, r->response_ms);
	db_bind_opt(st, 5, r->status_code > 0 ? r->status_code : -1);
	db_bind_text(st, 6, r->error_code[0] ? r->error_code : NULL);
	db_bind_text(st, 7, r->error_message[0] ? r->error_message : NULL);
	db_bind_opt(st, 8, r->dns_ms);
	db_bind_opt(st, 9, r->connect_ms);
	db_bind_opt(st, 10, r->tls_ms);
	db_bind_opt(st, 11, r->first_byte_ms);
	db_bind_time(st, 12, r->due_at);
	db_bind_text(st, 13, r->location[0] ? r->location : NULL);
	db_bind_int(st, 14, r->inconclusive != 0);
	return db_exec_stmt(st);
}

int
check_record(struct db *db, struct monitor *m, const struct check_result *r,
    int flags, int64_t now)
{
	struct db_stmt	*st;
	int64_t		 planned = m->next_check_at;
	int		 rc, paused;

	if (!(flags & CHECK_NOROW) && (rc = insert_result(db, m, r)) != DB_OK)
		return rc;
	/* Inconclusive: history only, not counted; the schedule goes on. */
	if (r->inconclusive) {
		if (!(flags & CHECK_SCHEDULED))
			return DB_OK;
		m->next_check_at = check_next_due(planned, m->interval_s, now);
		return db_exec_stmt(db_query(db, sqls[STMT_PLAN_ONLY], "tII",
		    m->id, planned, m->next_check_at));
	}
	if ((rc = rollup_add(db, m->id, r->location[0] ? r->location :
	    MON_LOCAL, r->checked_at, mon_status_names[r->status],
	    r->response_ms)) != DB_OK)
		return rc;
	/* A paused monitor (maybe paused while this check ran) keeps its
	 * result but has no state to move: no outage, no event. */
	if ((st = db_stmt(db, sqls[STMT_PAUSED])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, m->id);
	rc = db_step(st);
	paused = rc != DB_ROW || db_col_int(st, 0) != 0;
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_rc(rc);
	if (paused)
		return DB_OK;

	if ((rc = transition(db, m, r, flags & CHECK_LATE)) != DB_OK ||
	    (rc = announce_late(db, m, r)) != DB_OK)
		return rc;
	if (!(flags & CHECK_LATE)) {
		if ((rc = track_ssl(db, m, r)) != DB_OK ||
		    (rc = track_answers(db, m, r)) != DB_OK)
			return rc;
		m->last_checked_at = r->checked_at;
		m->last_response_ms = r->response_ms;
	}
	if (flags & CHECK_SCHEDULED)
		m->next_check_at = check_plan(m, r, m->next_check_at, now);

	if ((st = db_stmt(db, sqls[STMT_STATE])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, m->id);
	db_bind_text(st, 2, mon_status_names[m->status]);
	db_bind_int(st, 3, (int)m->fails);
	db_bind_time(st, 4, m->last_checked_at);
	db_bind_int64(st, 5, m->next_check_at);
	db_bind_time(st, 6, m->last_change_at);
	db_bind_opt(st, 7, m->last_response_ms);
	db_bind_time(st, 8, m->ssl_expires_at);
	db_bind_text(st, 9, m->ssl_issuer[0] ? m->ssl_issuer : NULL);
	db_bind_text(st, 10, m->ssl_status[0] ? m->ssl_status : NULL);
	db_bind_time(st, 11, m->ssl_warned_at);
	db_bind_int64(st, 12, planned);
	if (m->type == MON_DNS && r->answers != NULL &&
	    db_bind_json(st, 13, m->last_value) == -1)
		return DB_ERROR;
	return db_exec_stmt(st);
}

int64_t
check_next_due(int64_t planned, long interval_s, int64_t now)
{
	return next_slot(planned, interval_s * 1000, now);
}

int64_t
check_plan(const struct monitor *m, const struct check_result *r,
    int64_t planned, int64_t now)
{
	int64_t	 next = next_slot(planned, m->interval_s * 1000, now);

	/* A failure not yet confirmed here is checked again sooner. */
	if (r->status == MST_DOWN && m->retry_s > 0 &&
	    m->loc_fails < m->confirmations && now + m->retry_s * 1000 < next)
		next = now + m->retry_s * 1000;
	return next;
}

int
check_defer(struct db *db, struct monitor *m, int64_t until)
{
	struct db_stmt	*st;

	m->next_check_at = next_slot(m->next_check_at, m->interval_s * 1000,
	    until - 1);
	if ((st = db_stmt(db, sqls[STMT_DEFER])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, m->id);
	db_bind_int64(st, 2, m->next_check_at);
	return db_exec_stmt(st);
}

cJSON *
check_result_json(const struct check_result *r)
{
	struct buf	 b = { NULL, 0, 0 };
	struct jw	 w;
	cJSON		*o;

	jw_start(&w, &b);
	check_result_write(&w, r);
	o = jw_failed(&w) ? NULL : cJSON_ParseWithLength(b.p, b.len);
	buf_free(&b);
	return o;
}

void
check_result_write(struct jw *w, const struct check_result *r)
{
	jw_obj(w, NULL);
	jw_time(w, "checkedAt", r->checked_at);
	/* The start lag of a scheduled check; null for one on demand. */
	jw_time(w, "dueAt", r->due_at);
	if (r->due_at != 0)
		jw_int(w, "startLagMs", r->checked_at - r->due_at);
	else
		jw_null(w, "startLagMs");
	jw_str(w, "status", r->inconclusive ? "inconclusive" :
	    mon_status_names[r->status]);
	/* Where it was taken: "local" (this host) or a location's id. */
	jw_str(w, "location", r->location[0] ? r->location : "local");
	if (r->response_ms >= 0)
		jw_int(w, "responseTimeMs", r->response_ms);
	else
		jw_null(w, "responseTimeMs");
	if (r->status_code > 0)
		jw_int(w, "statusCode", r->status_code);
	else
		jw_null(w, "statusCode");
	if (r->error_code[0] != '\0') {
		jw_obj(w, "error");
		jw_str(w, "code", r->error_code);
		jw_str(w, "message", r->error_message);
		jw_end(w);
	} else
		jw_null(w, "error");
	jw_obj(w, "timings");
	jw_int(w, "dnsMs", r->dns_ms > 0 ? r->dns_ms : 0);
	jw_int(w, "connectMs", r->connect_ms > 0 ? r->connect_ms : 0);
	jw_int(w, "tlsMs", r->tls_ms > 0 ? r->tls_ms : 0);
	jw_int(w, "firstByteMs", r->first_byte_ms > 0 ? r->first_byte_ms : 0);
	jw_end(w);
	jw_end(w);
}

static long
col_opt(struct db_stmt *st, int i)
{
	return db_col_null(st, i) ? -1 :
	    (long)db_col_int64(st, i);
}

static int
result_row(struct db_stmt *st, struct lister *l)
{
	struct check_result	 r;
	struct jw		*w;
	char			 s[16], id[ID_MAX];

	memset(&r, 0, sizeof(r));
	r.checked_at = db_col_int64(st, 1);
	db_col_text(st, 2, s, sizeof(s));
	r.status = strcmp(s, "up") == 0 ? MST_UP :
	    strcmp(s, "degraded") == 0 ? MST_DEGRADED : MST_DOWN;
	r.response_ms = col_opt(st, 3);
	r.status_code = col_opt(st, 4);
	db_col_text(st, 5, r.error_code, sizeof(r.error_code));
	db_col_text(st, 6, r.error_message, sizeof(r.error_message));
	r.dns_ms = col_opt(st, 7);
	r.connect_ms = col_opt(st, 8);
	r.tls_ms = col_opt(st, 9);
	r.first_byte_ms = col_opt(st, 10);
	r.due_at = db_col_int64(st, 11);	/* NULL: 0 */
	db_col_text(st, 12, r.location, sizeof(r.location));
	r.inconclusive = db_col_int(st, 13);
	snprintf(id, sizeof(id), "r_%lld",
	    (long long)db_col_int64(st, 0));
	if ((w = page_item(l, r.checked_at, id)) != NULL)
		check_result_write(w, &r);
	return 0;
}

int
result_list(struct db *db, const char *monitor, const struct result_filter *f,
    struct lister *l)
{
	struct db_stmt	*st;

	if ((st = db_query(db, sqls[STMT_RESULTS], "tTTt", monitor, f->from,
	    f->to, f->status >= 0 ? mon_status_names[f->status] : NULL)) !=
	    NULL) {
		page_bind_rowid(st, 5, l);
		db_bind_text(st, 9, f->location);
	}
	return page_rows(db, st, 0, l, result_row);
}

static int
outage_row(struct db_stmt *st, struct lister *l)
{
	cJSON		*o, *c;
	char		 id[ID_MAX], code[64], msg[256];
	int64_t		 start, end;

	db_col_text(st, 0, id, sizeof(id));
	start = db_col_int64(st, 1);
	end = db_col_int64(st, 2);
	db_col_text(st, 3, code, sizeof(code));
	db_col_text(st, 4, msg, sizeof(msg));
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	json_add_time(o, "startedAt", start);
	json_add_time(o, "endedAt", end);
	cJSON_AddNumberToObject(o, "durationSeconds",
	    (end ? end : l->now) > start ? ((end ? end : l->now) - start) /
	    1000 : 0);
	c = cJSON_AddObjectToObject(o, "cause");
	cJSON_AddStringToObject(c, "code", code);
	cJSON_AddStringToObject(c, "message", msg);
	cJSON_AddBoolToObject(o, "duringMaintenance",
	    db_col_int(st, 5));
	page_add(l, o, start, id);
	return 0;
}

int
outage_list(struct db *db, const char *monitor, const char *location,
    struct lister *l)
{
	struct db_stmt	*st;

	if ((st = db_query(db, sqls[location != NULL ? STMT_LOUTAGES :
	    STMT_OUTAGES], "t", monitor)) != NULL && location != NULL)
		db_bind_text(st, 6, location);
	return page_rows(db, st, 2, l, outage_row);
}
