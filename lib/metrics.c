/*
 * The Prometheus text exposition of a team's monitors and the service's
 * figures.  See metrics.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base.h"
#include "buf.h"
#include "checkerstate.h"
#include "json.h"
#include "metrics.h"
#include "monitor.h"
#include "rollup.h"

/* A tag's label name: the prefix, at most MON_MAXTAGLEN characters that
 * each became one byte, and the NUL. */
#define LABEL_MAX	(sizeof(METRICS_TAG_PREFIX) + MON_MAXTAGLEN)

const char *const metrics_window_names[ROLLUP_TEAM_WINDOWS] = {
	"24h", "7d", "30d"
};

const int metrics_window_days[ROLLUP_TEAM_WINDOWS] = { 1, 7, 30 };

/* Uptime Kuma's numbers for the states it has (down 0, up 1, pending 2,
 * maintenance 3), then ours. */
const int metrics_status_values[MST__MAX] = {
	[MST_DOWN] = 0,
	[MST_UP] = 1,
	[MST_PENDING] = 2,
	[MST_MAINTENANCE] = 3,
	[MST_DEGRADED] = 4,
	[MST_PAUSED] = 5,
};

/* Every family, all gauges: those with a sample per monitor first, in
 * the order of enum metrics_family, then the service's. */
enum family {
	F_CHECKER_RUNNING = MF__MAX,
	F_CHECKER_UPDATED,
	F_CHECKER_ROUND,
	F_CHECKER_CHECKS,
	F_CHECKER_LATE,
	F_CHECKER_LAG,
	F_CHECKER_IN_FLIGHT,
	F_CHECKER_WAITING,
	F_CHECKER_SLOTS,
	F_CHECKER_BEHIND,
	F_PENDING_NOTIFICATIONS,
	F__MAX
};

static const struct {
	const char	*name;
	const char	*help;
} families[F__MAX] = {
	[MF_UP] = { "uptime_monitor_up",
	    "Whether the monitor's last check succeeded (up or degraded: 1, "
	    "down: 0); no sample while pending or paused." },
	[MF_STATUS] = { "uptime_monitor_status",
	    "The monitor's status: 0 down, 1 up, 2 pending, 3 maintenance, "
	    "4 degraded, 5 paused." },
	[MF_DURATION] = { "uptime_check_duration_seconds",
	    "Response time of the monitor's last check." },
	[MF_RATIO] = { "uptime_monitor_uptime_ratio",
	    "Share of the checks in the window that were up or degraded, "
	    "from the rollups." },
	[MF_SSL] = { "uptime_ssl_cert_expiry_timestamp_seconds",
	    "When the certificate of the monitor's https target expires "
	    "(Unix time)." },
	[MF_PING] = { "uptime_heartbeat_last_ping_timestamp_seconds",
	    "When the heartbeat monitor was last pinged (Unix time)." },
	[F_CHECKER_RUNNING] = { "uptime_checker_running",
	    "Whether a checker is running (0 once the last one stopped)." },
	[F_CHECKER_UPDATED] = { "uptime_checker_last_round_timestamp_seconds",
	    "When the checker last reported its figures (Unix time), every "
	    "10 s while it runs." },
	[F_CHECKER_ROUND] = { "uptime_checker_round_duration_seconds",
	    "The time the checker's last round of figures covers." },
	[F_CHECKER_CHECKS] = { "uptime_checker_round_checks",
	    "Checks the checker started in its last round (all teams)." },
	[F_CHECKER_LATE] = { "uptime_checker_round_late_checks",
	    "Of them, checks started more than 1 s after they were due." },
	[F_CHECKER_LAG] = { "uptime_checker_start_lag_seconds",
	    "Start lag (start time minus due time) of the checks of the "
	    "checker's last round: stat p50, p99 and max." },
	[F_CHECKER_IN_FLIGHT] = { "uptime_checker_checks_in_flight",
	    "Checks in flight at the checker's last report." },
	[F_CHECKER_WAITING] = { "uptime_checker_checks_waiting",
	    "Checks due for more than 1 s and not started at the checker's "
	    "last report." },
	[F_CHECKER_SLOTS] = { "uptime_checker_slots",
	    "Checks the checker may have in flight at once." },
	[F_CHECKER_BEHIND] = { "uptime_checker_behind",
	    "Whether the checker is falling behind (late or waiting "
	    "checks)." },
	[F_PENDING_NOTIFICATIONS] = { "uptime_notifications_pending",
	    "The team's notifications waiting for delivery." },
};

void
metrics_start(struct metrics *mx)
{
	memset(mx, 0, sizeof(*mx));
}

void
metrics_free(struct metrics *mx)
{
	int	 i;

	for (i = 0; i < MF__MAX; i++)
		buf_free(&mx->fam[i]);
	buf_free(&mx->labels);
}

int
metrics_escape(struct buf *b, const char *s)
{
	size_t	 n;

	while (*s != '\0') {
		n = strcspn(s, "\\\"\n");
		if (n > 0 && buf_add(b, s, n) == -1)
			return -1;
		s += n;
		if (*s == '\0')
			break;
		if (buf_puts(b, *s == '\n' ? "\\n" : *s == '"' ? "\\\"" :
		    "\\\\") == -1)
			return -1;
		s++;
	}
	return 0;
}

void
metrics_tag_label(const char *tag, char *name, size_t size,
    const char **value)
{
	const char	*colon = strchr(tag, ':');
	const char	*end = colon != NULL ? colon : tag + strlen(tag);
	size_t		 n;
	unsigned char	 c;

	*value = colon != NULL ? colon + 1 : "true";
	if (size == 0)
		return;
	n = strlen(METRICS_TAG_PREFIX);
	if (n >= size)
		n = size - 1;
	memcpy(name, METRICS_TAG_PREFIX, n);
	for (; tag < end && n + 1 < size; tag++) {
		c = (unsigned char)*tag;
		if ((c & 0xc0) == 0x80)
			continue;	/* the rest of a UTF-8 character */
		name[n++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' ? (char)c : '_';
	}
	name[n] = '\0';
}

/* mx->labels: the monitor's labels, its tags' after the fixed ones, the
 * first tag of each label name kept.  0 or -1. */
static int
labels(struct metrics *mx, const struct monitor *m)
{
	char		 seen[MON_MAXTAGS][LABEL_MAX];
	const cJSON	*t;
	const char	*value;
	struct buf	*b = &mx->labels;
	int		 n = 0, i;

	b->len = 0;
	if (buf_printf(b, "monitor_id=\"%s\",name=\"", m->id) == -1 ||
	    metrics_escape(b, m->name) == -1 ||
	    buf_printf(b, "\",type=\"%s\"", mon_type_names[m->type]) == -1)
		return -1;
	cJSON_ArrayForEach(t, m->tags) {
		if (!cJSON_IsString(t) || n == MON_MAXTAGS)
			continue;
		metrics_tag_label(t->valuestring, seen[n], sizeof(seen[n]),
		    &value);
		for (i = 0; i < n; i++)
			if (strcmp(seen[i], seen[n]) == 0)
				break;
		if (i < n)
			continue;
		if (buf_printf(b, ",%s=\"", seen[n]) == -1 ||
		    metrics_escape(b, value) == -1 || buf_puts(b, "\"") == -1)
			return -1;
		n++;
	}
	return 0;
}

/*
 * One sample line into out: name, then {labels} when labels is not NULL
 * (and ,extra when extra is not NULL), then the value.  0 or -1.
 */
static int	 vsample(struct buf *out, const char *name,
		    const char *labels, const char *extra, const char *fmt,
		    va_list ap) PRINTF(5, 0);
static int	 sample(struct buf *out, const char *name, const char *labels,
		    const char *extra, const char *fmt, ...) PRINTF(5, 6);

static int
vsample(struct buf *out, const char *name, const char *labels,
    const char *extra, const char *fmt, va_list ap)
{
	char	 v[64];

	vsnprintf(v, sizeof(v), fmt, ap);
	if (labels == NULL)
		return buf_printf(out, "%s %s\n", name, v);
	return buf_printf(out, "%s{%s%s%s} %s\n", name, labels,
	    extra != NULL ? "," : "", extra != NULL ? extra : "", v);
}

static int
sample(struct buf *out, const char *name, const char *labels,
    const char *extra, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = vsample(out, name, labels, extra, fmt, ap);
	va_end(ap);
	return rc;
}

/* A sample of the monitor family f, with the labels in mx->labels. */
#define MSAMPLE(mx, f, extra, ...) \
	sample(&(mx)->fam[f], families[f].name, (mx)->labels.p, (extra), \
	    __VA_ARGS__)

/* The shortest "%.*g" of v (15 digits or more) that reads back as v. */
static void
shortest(char *out, size_t size, double v)
{
	int	 prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(out, size, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
	snprintf(out, size, "%.17g", v);
}

/* Milliseconds as seconds, exactly: "%lld.%03lld". */
#define SEC_FMT		"%s%lld.%03lld"
#define SEC_ARGS(ms)	(ms) < 0 ? "-" : "", llabs((long long)(ms)) / 1000, \
			llabs((long long)(ms)) % 1000

int
metrics_add_monitor(struct metrics *mx, const struct monitor *m,
    const struct rollup_counts *c)
{
	enum mon_status	 shown = m->in_maintenance ? MST_MAINTENANCE :
			    m->status;
	const char	*url;
	char		 w[32], v[32];
	int		 i, rc = 0;

	if (mx->failed || labels(mx, m) == -1)
		return mx->failed = 1, -1;
	if (m->status == MST_UP || m->status == MST_DEGRADED ||
	    m->status == MST_DOWN)
		rc |= MSAMPLE(mx, MF_UP, NULL, "%d", m->status != MST_DOWN);
	rc |= MSAMPLE(mx, MF_STATUS, NULL, "%d",
	    metrics_status_values[shown]);
	if (m->last_response_ms >= 0)
		rc |= MSAMPLE(mx, MF_DURATION, NULL, SEC_FMT,
		    SEC_ARGS(m->last_response_ms));
	for (i = 0; c != NULL && i < ROLLUP_TEAM_WINDOWS; i++) {
		if (c->total[i] <= 0)
			continue;
		snprintf(w, sizeof(w), "window=\"%s\"",
		    metrics_window_names[i]);
		shortest(v, sizeof(v), (double)c->ok[i] / (double)c->total[i]);
		rc |= MSAMPLE(mx, MF_RATIO, w, "%s", v);
	}
	/* As the monitor's answer shows it: an https target's certificate,
	 * once a check has seen one. */
	url = cJSON_GetStringValue(cJSON_GetObjectItem(m->config, "url"));
	if (m->type == MON_HTTP && url != NULL &&
	    strncasecmp(url, "https:", 6) == 0 && m->ssl_expires_at != 0)
		rc |= MSAMPLE(mx, MF_SSL, NULL, SEC_FMT,
		    SEC_ARGS(m->ssl_expires_at));
	if (m->type == MON_HEARTBEAT && m->last_ping_at != 0)
		rc |= MSAMPLE(mx, MF_PING, NULL, SEC_FMT,
		    SEC_ARGS(m->last_ping_at));
	if (rc != 0)
		return mx->failed = 1, -1;
	return 0;
}

static int
header(struct buf *out, int f)
{
	return buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n",
	    families[f].name, families[f].help, families[f].name);
}

/* A service family's header and its one sample, of no label. */
static int	 service(struct buf *, int f, const char *fmt, ...)
		    PRINTF(3, 4);

static int
service(struct buf *out, int f, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	if (header(out, f) == -1)
		return -1;
	va_start(ap, fmt);
	rc = vsample(out, families[f].name, NULL, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

/* The checker's families; samples only when it has reported. */
static int
checker(struct buf *out, const struct checker_state *s)
{
	static const char *const stats[] = { "stat=\"p50\"",
	    "stat=\"p99\"", "stat=\"max\"" };
	long	 lag[3];
	int	 i, rc = 0;

	if (s == NULL) {
		for (i = F_CHECKER_RUNNING; i <= F_CHECKER_BEHIND; i++)
			rc |= header(out, i);
		return rc;
	}
	rc |= service(out, F_CHECKER_RUNNING, "%d", s->running != 0);
	rc |= service(out, F_CHECKER_UPDATED, SEC_FMT,
	    SEC_ARGS(s->updated_at));
	rc |= service(out, F_CHECKER_ROUND, SEC_FMT, SEC_ARGS(s->window_ms));
	rc |= service(out, F_CHECKER_CHECKS, "%ld", s->checks);
	rc |= service(out, F_CHECKER_LATE, "%ld", s->late);
	rc |= header(out, F_CHECKER_LAG);
	lag[0] = s->lag_p50_ms;
	lag[1] = s->lag_p99_ms;
	lag[2] = s->lag_max_ms;
	for (i = 0; i < 3; i++)
		if (lag[i] >= 0)
			rc |= sample(out, families[F_CHECKER_LAG].name,
			    stats[i], NULL, SEC_FMT, SEC_ARGS(lag[i]));
	rc |= service(out, F_CHECKER_IN_FLIGHT, "%ld", s->in_flight);
	rc |= service(out, F_CHECKER_WAITING, "%ld", s->waiting);
	rc |= service(out, F_CHECKER_SLOTS, "%ld", s->slots);
	rc |= service(out, F_CHECKER_BEHIND, "%d", s->behind != 0);
	return rc;
}

int
metrics_finish(struct metrics *mx, const struct metrics_service *sv,
    struct buf *out)
{
	int	 i, rc = mx->failed ? -1 : 0;

	for (i = 0; i < MF__MAX && rc == 0; i++)
		if (header(out, i) == -1 || (mx->fam[i].len > 0 &&
		    buf_add(out, mx->fam[i].p, mx->fam[i].len) == -1))
			rc = -1;
	if (rc == 0 && (checker(out, sv->checker) != 0 ||
	    service(out, F_PENDING_NOTIFICATIONS, "%lld",
	    sv->pending_notifications) != 0))
		rc = -1;
	metrics_free(mx);
	return rc;
}
