/*
 * The console's monitor pages (cvmonitor.h).  Charts are inline SVG
 * drawn with presentation attributes only (the pages' policy allows no
 * inline style); bars are lists whose colour is a class of the one
 * style sheet (consoleview.c).  Every value from data goes through
 * cv_text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "consoleview.h"
#include "cvmonitor.h"
#include "json.h"
#include "monitor.h"
#include "rollup.h"
#include "timefmt.h"

#define CHART_W		600	/* the chart's viewBox */
#define CHART_H		180
#define CHART_PAD	4
#define SPARK_W		96	/* the sparkline's */
#define SPARK_H		24
#define LIST_MAX	2048	/* a comma-separated list as text */

const char *const cvm_range_names[CVM_RANGE__MAX] = { "24h", "7d", "30d" };
const int cvm_range_points[CVM_RANGE__MAX] = { 24, 42, 30 };
const int64_t cvm_range_step_ms[CVM_RANGE__MAX] = {
	ROLLUP_HOUR_MS, 4 * ROLLUP_HOUR_MS, ROLLUP_DAY_MS,
};

const char *const cvm_state_names[MST__MAX + 1] = {
	"all", "pending", "up", "degraded", "down", "paused", "maintenance"
};

/* Which types show a field. */
#define T_HTTP	(1u << MON_HTTP)
#define T_TCP	(1u << MON_TCP)
#define T_DNS	(1u << MON_DNS)
#define T_HB	(1u << MON_HEARTBEAT)
#define T_ALL	(T_HTTP | T_TCP | T_DNS | T_HB)
#define T_PROBE	(T_HTTP | T_TCP | T_DNS)

enum kind {
	K_TEXT,		/* a string; blank stays "" (the API refuses it) */
	K_OPT,		/* a string; blank is null */
	K_NUM,		/* an integer; blank stays "" */
	K_NUMOPT,	/* an integer; blank is left out */
	K_BOOL,		/* a checkbox */
	K_SELECT,	/* one of opts */
	K_TAGS,		/* comma-separated strings */
	K_CODES,	/* comma-separated codes (numbers) and ranges */
	/* Left out when the form lacks them (the default, or as stored): */
	K_NUMNULL,	/* an integer; blank is null */
	K_LIST,		/* comma-separated strings */
	K_AREA,		/* a text area; blank is null */
	K_HEADERS,	/* a text area, a "Name: value" line each */
	K_JSON,		/* a text area holding the API's JSON value */
};

/* A field of the form, in the order shown. */
static const struct ffield {
	const char	*name;		/* the API's member */
	const char	*label;
	unsigned	 types;
	enum kind	 kind;
	const char *const *opts;	/* K_SELECT, NULL-terminated */
} ffields[] = {
	{ "name", "Name", T_ALL, K_TEXT, NULL },
	{ "url", "URL", T_HTTP, K_TEXT, NULL },
	{ "method", "Method", T_HTTP, K_SELECT, (const char *const[]){ "GET",
	    "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", NULL } },
	{ "expectedStatusCodes", "Expected status codes (comma-separated "
	    "codes or ranges such as 200-299)", T_HTTP, K_CODES, NULL },
	{ "degradedAfterMs", "Degraded when slower than (ms)", T_HTTP, K_NUM,
	    NULL },
	{ "sslExpiryWarningDays", "Warn this many days before the "
	    "certificate expires", T_HTTP, K_NUM, NULL },
	{ "headers", "Request headers (one \"Name: value\" a line)", T_HTTP,
	    K_HEADERS, NULL },
	{ "body", "Request body (optional)", T_HTTP, K_AREA, NULL },
	{ "contentChecks", "Content checks (JSON, as the API takes them: "
	    "[{\"type\": \"contains\", \"value\": \"Welcome\"}])", T_HTTP,
	    K_JSON, NULL },
	{ "followRedirects", "Follow redirects", T_HTTP, K_BOOL, NULL },
	{ "verifyTls", "Verify the TLS certificate", T_HTTP, K_BOOL, NULL },
	{ "host", "Host", T_TCP, K_TEXT, NULL },
	{ "port", "Port", T_TCP, K_NUM, NULL },
	{ "hostname", "Hostname", T_DNS, K_TEXT, NULL },
	{ "recordType", "Record type", T_DNS, K_SELECT, (const char *const[]){
	    "A", "AAAA", "CNAME", "MX", "TXT", "NS", NULL } },
	{ "expectedValue", "Expected value (optional)", T_DNS, K_OPT, NULL },
	{ "intervalSeconds", "Check every (seconds)", T_PROBE, K_NUM, NULL },
	{ "intervalSeconds", "Expect a ping every (seconds; blank with a "
	    "schedule)", T_HB, K_NUMOPT, NULL },
	{ "schedule", "Schedule instead (cron: minute hour day month "
	    "weekday; optional)", T_HB, K_OPT, NULL },
	{ "timezone", "Time zone of the schedule (optional)", T_HB, K_OPT,
	    NULL },
	{ "gracePeriodSeconds", "Grace period (seconds)", T_HB, K_NUM, NULL },
	{ "slug", "Slug, to ping by name (optional)", T_HB, K_OPT, NULL },
	{ "timeoutSeconds", "Timeout (seconds)", T_PROBE, K_NUM, NULL },
	{ "confirmations", "Failures in a row before down", T_PROBE, K_NUM,
	    NULL },
	{ "retryIntervalSeconds", "After a failure, check again after "
	    "(seconds; blank: at the next planned time)", T_PROBE, K_NUMNULL,
	    NULL },
	{ "recoveryConfirmations", "Successes in a row before up again",
	    T_PROBE, K_NUMOPT, NULL },
	{ "locations", "Check from (comma-separated: local and location ids)",
	    T_PROBE, K_LIST, NULL },
	{ "quorum", "Locations that must see it down (blank: a majority)",
	    T_PROBE, K_NUMNULL, NULL },
	{ "tags", "Tags (comma-separated)", T_ALL, K_TAGS, NULL },
	{ NULL, NULL, 0, K_TEXT, NULL }
};

/* The words of each type, in enum mon_type order. */
static const char *const type_words[MON_TYPE__MAX] = {
	"HTTP(S)", "TCP", "DNS", "Heartbeat"
};

static const char *
str(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static int
num(const cJSON *o, const char *name, double *out)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsNumber(v))
		return 0;
	*out = v->valuedouble;
	return 1;
}

/* A time of the API ("2024-05-01T12:00:00.000Z") as "2024-05-01 12:00
 * UTC", or what none is. */
static int
when(struct buf *b, const char *t, const char *none)
{
	if (t == NULL || strlen(t) < 16)
		return cv_text(b, none);
	return buf_printf(b, "<time datetime=\"") || cv_text(b, t) ||
	    buf_printf(b, "\">%.10s %.5s UTC</time>", t, t + 11) ? -1 : 0;
}

/* The class of a step's bar: the worst of its checks. */
static const char *
step_class(const struct rollup_point *p)
{
	if (p->total == 0)
		return "none";
	if (p->down > 0)
		return "down";
	return p->degraded > 0 ? "degraded" : "up";
}

/* A bar of n steps: one list item each, oldest first. */
static int
bar(struct buf *b, const struct rollup_point *p, int n, const char *label)
{
	char	 t[TIME_MAX];
	int	 i;

	if (buf_puts(b, "<ol class=\"bar\" role=\"img\" aria-label=\"") ||
	    cv_text(b, label) || buf_puts(b, "\">"))
		return -1;
	for (i = 0; i < n; i++)
		if (buf_printf(b, "<li class=\"b-%s\" title=\"%.13s:00 UTC: "
		    "%lld checks, %lld down\"></li>", step_class(&p[i]),
		    time_format(p[i].start, t), p[i].total, p[i].down))
			return -1;
	return buf_puts(b, "</ol>");
}

/* The largest p95 of the points (at least 1 ms). */
static long
top_ms(const struct rollup_point *p, int n)
{
	long	 top = 1;
	int	 i;

	for (i = 0; i < n; i++)
		if (p[i].p95_ms > top)
			top = p[i].p95_ms;
		else if (p[i].p50_ms > top)
			top = p[i].p50_ms;
	return top;
}

/*
 * An SVG path through the points' p50 (pct 50) or p95 in a w by h box
 * within pad: a gap where a step has no response time.
 */
static int
path(struct buf *b, const struct rollup_point *p, int n, int pct, int w,
    int h, int pad, long top, const char *stroke, const char *width)
{
	long	 ms;
	double	 x, y;
	int	 i, pen = 0;

	if (buf_printf(b, "<path fill=\"none\" stroke=\"%s\" "
	    "stroke-width=\"%s\" d=\"", stroke, width))
		return -1;
	for (i = 0; i < n; i++) {
		ms = pct == 50 ? p[i].p50_ms : p[i].p95_ms;
		if (ms < 0) {
			pen = 0;
			continue;
		}
		x = pad + (n > 1 ? (double)(w - 2 * pad) * i / (n - 1) :
		    (w - 2 * pad) / 2.0);
		y = h - pad - (double)(h - 2 * pad) * (double)ms /
		    (double)top;
		if (buf_printf(b, "%c%.1f %.1f ", pen ? 'L' : 'M', x, y))
			return -1;
		/* A lone point is a dot. */
		if (!pen && (i + 1 == n || (pct == 50 ? p[i + 1].p50_ms :
		    p[i + 1].p95_ms) < 0) && buf_printf(b, "h0.1 "))
			return -1;
		pen = 1;
	}
	return buf_puts(b, "\"/>");
}

/* The overview's sparkline: p50 of each hour. */
static int
sparkline(struct buf *b, const struct rollup_point *p, int n)
{
	return buf_printf(b, "<svg class=\"spark\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"Response "
	    "time, last 24 hours\">", SPARK_W, SPARK_H, SPARK_W, SPARK_H) ||
	    path(b, p, n, 50, SPARK_W, SPARK_H, 2, top_ms(p, n), "#1d4ed8",
	    "1.5") || buf_puts(b, "</svg>") ? -1 : 0;
}

/* A state as its coloured word. */
static int
state(struct buf *b, const char *st)
{
	return buf_puts(b, "<span class=\"state-") || cv_text(b, st) ||
	    buf_puts(b, "\">") || cv_text(b, st) || buf_puts(b, "</span>") ?
	    -1 : 0;
}

/* The filter form: state and tag, a GET that works without script. */
static int
filters(struct buf *b, const struct cvm_list *l)
{
	int	 i;

	if (buf_puts(b, "<form class=\"filters\" method=\"get\" action=\"") ||
	    cv_text(b, l->app) || buf_puts(b, "\">\n<div><label for=\"state\">"
	    "State</label><select id=\"state\" name=\"state\">"))
		return -1;
	for (i = 0; i < MST__MAX + 1; i++)
		if (buf_printf(b, "<option value=\"%s\"%s>%s</option>",
		    cvm_state_names[i], i == l->state ? " selected" : "",
		    cvm_state_names[i]))
			return -1;
	return buf_puts(b, "</select></div>\n<div><label for=\"tag\">Tag"
	    "</label><input id=\"tag\" name=\"tag\" type=\"text\" value=\"") ||
	    cv_text(b, l->tag) || buf_puts(b, "\"></div>\n<button "
	    "type=\"submit\">Filter</button>\n</form>\n") ? -1 : 0;
}

int
cvm_overview(struct buf *b, const struct cvm_list *l)
{
	const cJSON	*it;
	int		 i = 0;

	if (l->write && (buf_puts(b, "<p><a class=\"button\" href=\"") ||
	    cv_text(b, l->app) ||
	    buf_puts(b, "/monitors/new\">New monitor</a></p>\n")))
		return -1;
	if (filters(b, l))
		return -1;
	if (cJSON_GetArraySize(l->items) == 0)
		return buf_puts(b, "<p>No monitors here.</p>\n");
	if (buf_puts(b, "<div class=\"table\"><table class=\"monitors\">\n"
	    "<thead><tr><th scope=\"col\">Monitor</th><th scope=\"col\">State"
	    "</th><th scope=\"col\">Last check</th><th scope=\"col\">Last 24 "
	    "hours</th><th scope=\"col\">Response time</th></tr></thead>\n"
	    "<tbody>\n"))
		return -1;
	cJSON_ArrayForEach(it, l->items) {
		if (buf_puts(b, "<tr><td><a href=\"") || cv_text(b, l->app) ||
		    buf_puts(b, "/monitors/") || cv_text(b, str(it, "id")) ||
		    buf_puts(b, "\">") || cv_text(b, str(it, "name")) ||
		    buf_puts(b, "</a> <small>") || cv_text(b, str(it, "type")) ||
		    buf_puts(b, "</small></td><td>") ||
		    state(b, str(it, "status")) || buf_puts(b, "</td><td>") ||
		    when(b, str(it, "lastCheckedAt"), "never") ||
		    buf_puts(b, "</td><td>") ||
		    bar(b, &l->hours[i * CVM_HOURS], CVM_HOURS, "Checks by "
		    "hour, last 24 hours") || buf_puts(b, "</td><td>") ||
		    sparkline(b, &l->hours[i * CVM_HOURS], CVM_HOURS) ||
		    buf_puts(b, "</td></tr>\n"))
			return -1;
		i++;
	}
	if (buf_puts(b, "</tbody>\n</table></div>\n"))
		return -1;
	/* The next page: a GET form, so the filters go along encoded. */
	if (l->next == NULL || l->next[0] == '\0')
		return 0;
	return buf_puts(b, "<form method=\"get\" action=\"") ||
	    cv_text(b, l->app) || buf_printf(b, "\">\n<input type=\"hidden\" "
	    "name=\"state\" value=\"%s\">\n<input type=\"hidden\" "
	    "name=\"tag\" value=\"", cvm_state_names[l->state]) ||
	    cv_text(b, l->tag) || buf_puts(b, "\">\n<input type=\"hidden\" "
	    "name=\"older\" value=\"") || cv_text(b, l->next) ||
	    buf_puts(b, "\">\n<button type=\"submit\">More monitors</button>"
	    "\n</form>\n") ? -1 : 0;
}

/* A POST button of the monitor's page. */
static int
action(struct buf *b, const struct cvm_page *p, const char *id,
    const char *what, const char *label, const char *cls)
{
	return buf_puts(b, "<form method=\"post\" action=\"") ||
	    cv_text(b, p->app) || buf_puts(b, "/monitors/") || cv_text(b, id) ||
	    buf_printf(b, "/%s\">", what) || cv_csrf(b, p->csrf) ||
	    buf_printf(b, "<button type=\"submit\"%s%s%s>%s</button></form>\n",
	    cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "", label) ?
	    -1 : 0;
}

static int
actions(struct buf *b, const struct cvm_page *p)
{
	const char	*id = str(p->mon, "id");
	int		 paused = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			    p->mon, "paused"));
	int		 hb = str(p->mon, "pingUrl") != NULL;

	return buf_puts(b, "<div class=\"actions\"><a class=\"button\" "
	    "href=\"") || cv_text(b, p->app) || buf_puts(b, "/monitors/") ||
	    cv_text(b, id) || buf_puts(b, "/edit\">Edit</a>\n") ||
	    action(b, p, id, paused ? "resume" : "pause", paused ? "Resume" :
	    "Pause", NULL) ||
	    (!hb && action(b, p, id, "check", "Run now", NULL)) ||
	    buf_puts(b, "<a class=\"button danger\" href=\"") ||
	    cv_text(b, p->app) || buf_puts(b, "/monitors/") || cv_text(b, id) ||
	    buf_puts(b, "/delete\">Delete</a></div>\n") ? -1 : 0;
}

/* The uptime of each window, and the chart's period's percentiles. */
static int
windows(struct buf *b, const struct cvm_page *p)
{
	const struct stats	*s;
	int			 i;

	if (buf_puts(b, "<dl class=\"windows\">"))
		return -1;
	for (i = 0; i < CVM_RANGE__MAX; i++) {
		s = &p->windows[i];
		if (buf_printf(b, "<div><dt>Uptime, %s</dt><dd>",
		    cvm_range_names[i]))
			return -1;
		if ((s->has_data ? buf_printf(b, "%.3f %%", s->uptime_percent) :
		    buf_puts(b, "no data")) || buf_puts(b, "</dd></div>"))
			return -1;
	}
	s = &p->windows[p->range];
	if (buf_printf(b, "<div><dt>p50, %s</dt><dd>", cvm_range_names[
	    p->range]) || (s->p50_ms >= 0 ? buf_printf(b, "%ld ms",
	    s->p50_ms) : buf_puts(b, "none")) ||
	    buf_printf(b, "</dd></div><div><dt>p95, %s</dt><dd>",
	    cvm_range_names[p->range]) || (s->p95_ms >= 0 ? buf_printf(b,
	    "%ld ms", s->p95_ms) : buf_puts(b, "none")) ||
	    buf_puts(b, "</dd></div></dl>\n"))
		return -1;
	return 0;
}

/* The response-time chart of the period, with its period links. */
static int
chart(struct buf *b, const struct cvm_page *p)
{
	const char	*id = str(p->mon, "id");
	int		 n = cvm_range_points[p->range], i;
	long		 top = top_ms(p->points, n);

	if (buf_puts(b, "<section aria-labelledby=\"chart-h\"><h2 "
	    "id=\"chart-h\">Response time</h2>\n<nav class=\"ranges\" "
	    "aria-label=\"Period\">"))
		return -1;
	for (i = 0; i < CVM_RANGE__MAX; i++)
		if (buf_puts(b, "<a href=\"") || cv_text(b, p->app) ||
		    buf_puts(b, "/monitors/") || cv_text(b, id) ||
		    buf_printf(b, "?range=%s\"%s>%s</a>", cvm_range_names[i],
		    i == p->range ? " aria-current=\"page\"" : "",
		    cvm_range_names[i]))
			return -1;
	if (buf_printf(b, "</nav>\n<svg class=\"chart\" viewBox=\"0 0 %d %d\" "
	    "role=\"img\" aria-label=\"Response time p50 and p95, %s, up to "
	    "%ld ms\"><rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
	    "fill=\"#fff\" stroke=\"#d5dbe1\"/>", CHART_W, CHART_H,
	    cvm_range_names[p->range], top, CHART_W, CHART_H) ||
	    path(b, p->points, n, 95, CHART_W, CHART_H, CHART_PAD, top,
	    "#b45309", "2") ||
	    path(b, p->points, n, 50, CHART_W, CHART_H, CHART_PAD, top,
	    "#1d4ed8", "2") ||
	    buf_printf(b, "<text x=\"8\" y=\"16\" font-size=\"12\" "
	    "fill=\"#17212b\">%ld ms</text></svg>\n<p class=\"legend\">"
	    "<span class=\"k-p50\">p50</span> <span class=\"k-p95\">p95"
	    "</span>, per %s</p>\n", top, p->range == CVM_24H ? "hour" :
	    p->range == CVM_7D ? "4 hours" : "day") ||
	    bar(b, p->points, n, "Checks in each step of the period") ||
	    buf_puts(b, "</section>\n"))
		return -1;
	return 0;
}

static int
results(struct buf *b, const cJSON *items)
{
	const cJSON	*it, *err;
	double		 d;

	if (buf_puts(b, "<section aria-labelledby=\"res-h\"><h2 id=\"res-h\">"
	    "Recent results</h2>\n"))
		return -1;
	if (cJSON_GetArraySize(items) == 0)
		return buf_puts(b, "<p>No results yet.</p></section>\n");
	if (buf_puts(b, "<div class=\"table\"><table><thead><tr><th "
	    "scope=\"col\">When</th><th scope=\"col\">Result</th><th "
	    "scope=\"col\">Time</th><th scope=\"col\">Detail</th></tr></thead>"
	    "\n<tbody>\n"))
		return -1;
	cJSON_ArrayForEach(it, items) {
		err = cJSON_GetObjectItemCaseSensitive(it, "error");
		if (buf_puts(b, "<tr><td>") || when(b, str(it, "checkedAt"),
		    "") || buf_puts(b, "</td><td>") ||
		    state(b, str(it, "status")) || buf_puts(b, "</td><td>") ||
		    (num(it, "responseTimeMs", &d) ? buf_printf(b, "%.0f ms",
		    d) : buf_puts(b, "\xe2\x80\x94")) ||
		    buf_puts(b, "</td><td>") ||
		    (num(it, "statusCode", &d) && buf_printf(b, "HTTP %.0f ",
		    d)) ||
		    (cJSON_IsObject(err) && cv_text(b, str(err, "message"))) ||
		    buf_puts(b, "</td></tr>\n"))
			return -1;
	}
	return buf_puts(b, "</tbody></table></div></section>\n");
}

static int
outages(struct buf *b, const cJSON *items)
{
	const cJSON	*it;
	double		 d;

	if (buf_puts(b, "<section aria-labelledby=\"out-h\"><h2 id=\"out-h\">"
	    "Outages</h2>\n"))
		return -1;
	if (cJSON_GetArraySize(items) == 0)
		return buf_puts(b, "<p>No outages.</p></section>\n");
	if (buf_puts(b, "<div class=\"table\"><table><thead><tr><th "
	    "scope=\"col\">Started</th><th scope=\"col\">Ended</th><th "
	    "scope=\"col\">Lasted</th></tr></thead>\n<tbody>\n"))
		return -1;
	cJSON_ArrayForEach(it, items) {
		if (!num(it, "durationSeconds", &d))
			d = 0;
		if (buf_puts(b, "<tr><td>") || when(b, str(it, "startedAt"),
		    "") || buf_puts(b, "</td><td>") ||
		    when(b, str(it, "endedAt"), "ongoing") ||
		    buf_printf(b, "</td><td>%.0f min %02.0f s</td></tr>\n",
		    (double)((long long)d / 60), (double)((long long)d % 60)))
			return -1;
	}
	return buf_puts(b, "</tbody></table></div></section>\n");
}

int
cvm_monitor(struct buf *b, const struct cvm_page *p)
{
	const char	*ping = str(p->mon, "pingUrl");

	if (buf_puts(b, "<p class=\"lead\">") ||
	    state(b, str(p->mon, "status")) || buf_puts(b, " \xc2\xb7 ") ||
	    cv_text(b, str(p->mon, "type")) ||
	    buf_puts(b, " \xc2\xb7 last check ") ||
	    when(b, str(p->mon, "lastCheckedAt"), "never") ||
	    buf_puts(b, "</p>\n"))
		return -1;
	if (ping != NULL && (buf_puts(b, "<section aria-labelledby=\"ping-h\">"
	    "<h2 id=\"ping-h\">Ping URL</h2><p>Have the job request this URL "
	    "when it succeeds:</p><p class=\"secret\" id=\"ping-url\">") ||
	    cv_text(b, ping) || buf_puts(b, "</p></section>\n")))
		return -1;
	if (p->write && actions(b, p))
		return -1;
	return windows(b, p) || chart(b, p) || results(b, p->results) ||
	    outages(b, p->outages) ? -1 : 0;
}

/* The error of field name in errs, or NULL; *shown marks it. */
static const char *
err_of(const struct verrs *errs, const char *name, unsigned char *shown)
{
	size_t	 i, n = strlen(name);

	if (errs == NULL)
		return NULL;
	for (i = 0; i < errs->n; i++) {
		const char *p = errs->e[i].pointer;

		if (p[0] == '/' && strncmp(p + 1, name, n) == 0 &&
		    (p[n + 1] == '\0' || p[n + 1] == '/')) {
			shown[i] = 1;
			return errs->e[i].detail;
		}
	}
	return NULL;
}

/* The attributes of a field with an error beside it (none without). */
static int
invalid(struct buf *b, const char *name, const char *err)
{
	return err == NULL ? 0 : buf_printf(b, " aria-invalid=\"true\" "
	    "aria-describedby=\"%s-error\"", name);
}

/* One field of the form, with its error beside it. */
static int
field(struct buf *b, const struct ffield *f, const char *v, const char *err)
{
	const char *const *o;

	switch (f->kind) {
	case K_BOOL:
		if (buf_printf(b, "<div><label class=\"check\"><input "
		    "type=\"checkbox\" id=\"%s\" name=\"%s\" value=\"true\"%s%s>"
		    " ", f->name, f->name, v != NULL && strcmp(v, "true") == 0 ?
		    " checked" : "", err ? " aria-invalid=\"true\"" : "") ||
		    cv_text(b, f->label) || buf_puts(b, "</label>"))
			return -1;
		break;
	case K_SELECT:
		if (buf_printf(b, "<div>\n<label for=\"%s\">", f->name) ||
		    cv_text(b, f->label) || buf_printf(b, "</label>\n<select "
		    "id=\"%s\" name=\"%s\"", f->name, f->name) ||
		    invalid(b, f->name, err) || buf_puts(b, ">"))
			return -1;
		for (o = f->opts; *o != NULL; o++)
			if (buf_printf(b, "<option%s>%s</option>", v != NULL &&
			    strcmp(v, *o) == 0 ? " selected" : "", *o))
				return -1;
		if (buf_puts(b, "</select>"))
			return -1;
		break;
	case K_AREA:
	case K_HEADERS:
	case K_JSON:
		if (buf_printf(b, "<div>\n<label for=\"%s\">", f->name) ||
		    cv_text(b, f->label) || buf_printf(b, "</label>\n<textarea "
		    "id=\"%s\" name=\"%s\" rows=\"3\"", f->name, f->name) ||
		    invalid(b, f->name, err) || buf_puts(b, ">") ||
		    cv_text(b, v) || buf_puts(b, "</textarea>"))
			return -1;
		break;
	default:
		if (buf_printf(b, "<div>\n<label for=\"%s\">", f->name) ||
		    cv_text(b, f->label) || buf_printf(b, "</label>\n<input "
		    "id=\"%s\" name=\"%s\" type=\"text\"%s value=\"", f->name,
		    f->name, f->kind == K_NUM || f->kind == K_NUMOPT ||
		    f->kind == K_NUMNULL ? " inputmode=\"numeric\"" : "") ||
		    cv_text(b, v) || buf_puts(b, "\"") ||
		    invalid(b, f->name, err) || buf_puts(b, ">"))
			return -1;
	}
	if (err != NULL && (buf_printf(b, "\n<p class=\"error\" "
	    "id=\"%s-error\">", f->name) || cv_text(b, err) ||
	    buf_puts(b, "</p>")))
		return -1;
	return buf_puts(b, "\n</div>\n");
}

int
cvm_form(struct buf *b, const struct cvm_form *f)
{
	const struct ffield	*ff;
	unsigned char		 shown[VERR_MAX] = { 0 };
	size_t			 i;
	int			 t, other = 0;
	struct buf		 fields = { NULL, 0, 0 };

	if (f->id == NULL) {
		if (buf_puts(b, "<nav class=\"ranges\" aria-label=\"Type\">"))
			return -1;
		for (t = 0; t < MON_TYPE__MAX; t++)
			if (buf_puts(b, "<a href=\"") || cv_text(b, f->app) ||
			    buf_printf(b, "/monitors/new?type=%s\"%s>%s</a>",
			    mon_type_names[t], t == f->type ?
			    " aria-current=\"page\"" : "", type_words[t]))
				return -1;
		if (buf_puts(b, "</nav>\n"))
			return -1;
	}
	/* The fields first, so the errors they show are known. */
	for (ff = ffields; ff->name != NULL; ff++)
		if ((f->type == -1 ? ff->types == T_ALL :
		    (ff->types & (1u << f->type)) != 0) && field(&fields, ff,
		    f->val.get(f->val.arg, ff->name), err_of(f->errs, ff->name,
		    shown))) {
			buf_free(&fields);
			return -1;
		}
	for (i = 0; f->errs != NULL && i < f->errs->n; i++)
		other |= !shown[i];
	if (f->errs != NULL && (other || f->errs->dropped) &&
	    buf_puts(b, "<div class=\"alert\" role=\"alert\"><p>The monitor "
	    "was not saved:</p><ul>") == 0) {
		for (i = 0; i < f->errs->n; i++)
			if (!shown[i] && (buf_puts(b, "<li><code>") ||
			    cv_text(b, f->errs->e[i].pointer + 1) ||
			    buf_puts(b, "</code> ") ||
			    cv_text(b, f->errs->e[i].detail) ||
			    buf_puts(b, "</li>")))
				goto fail;
		if (buf_puts(b, "</ul></div>\n"))
			goto fail;
	} else if (f->errs != NULL && f->errs->n > 0 && cv_alert(b, "The "
	    "monitor was not saved: see the errors beside the fields."))
		goto fail;
	if (buf_puts(b, "<form class=\"card\" method=\"post\" action=\"") ||
	    cv_text(b, f->app) || buf_puts(b, "/monitors") ||
	    (f->id != NULL && (buf_puts(b, "/") || cv_text(b, f->id) ||
	    buf_puts(b, "/edit"))) || buf_puts(b, "\" novalidate>\n") ||
	    cv_csrf(b, f->csrf) ||
	    (f->id == NULL && (buf_puts(b, "<input type=\"hidden\" "
	    "name=\"type\" value=\"") || cv_text(b, f->val.get(f->val.arg,
	    "type")) || buf_puts(b, "\">\n"))) ||
	    buf_add(b, fields.p, fields.len) ||
	    buf_puts(b, f->id == NULL ? "<button type=\"submit\">Create the "
	    "monitor</button>\n</form>\n" : "<button type=\"submit\">Save"
	    "</button>\n</form>\n"))
		goto fail;
	buf_free(&fields);
	return 0;
fail:
	buf_free(&fields);
	return -1;
}

int
cvm_confirm_delete(struct buf *b, const char *app, const char *csrf,
    const cJSON *mon)
{
	return buf_puts(b, "<form class=\"card\" method=\"post\" action=\"") ||
	    cv_text(b, app) || buf_puts(b, "/monitors/") ||
	    cv_text(b, str(mon, "id")) || buf_puts(b, "/delete\">") ||
	    cv_csrf(b, csrf) || buf_puts(b, "<p>Delete <strong>") ||
	    cv_text(b, str(mon, "name")) || buf_puts(b, "</strong> with its "
	    "results and outages? This cannot be undone.</p>\n<button "
	    "class=\"danger\" type=\"submit\">Delete the monitor</button> "
	    "<a href=\"") || cv_text(b, app) || buf_puts(b, "/monitors/") ||
	    cv_text(b, str(mon, "id")) || buf_puts(b, "\">Keep it</a>\n"
	    "</form>\n") ? -1 : 0;
}

/* A number from the form, or the text itself when it is not one. */
static cJSON *
number(const char *s)
{
	char		*end;
	long long	 n;

	if (*s == '\0' || strspn(s, "-0123456789") != strlen(s))
		return cJSON_CreateString(s);
	n = strtoll(s, &end, 10);
	return *end == '\0' ? cJSON_CreateNumber((double)n) :
	    cJSON_CreateString(s);
}

/* A comma-separated list as an array: numbers too for codes. */
static cJSON *
list(const char *s, int codes)
{
	cJSON	*a = cJSON_CreateArray();
	char	 one[LIST_MAX];
	size_t	 n;

	while (a != NULL && *s != '\0') {
		s += strspn(s, " \t");
		n = strcspn(s, ",");
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n > 0) {
			snprintf(one, sizeof(one), "%.*s", (int)n, s);
			cJSON_AddItemToArray(a, codes ? number(one) :
			    cJSON_CreateString(one));
		}
		s += strcspn(s, ",");
		if (*s == ',')
			s++;
	}
	return a;
}

cJSON *
cvm_body(int type, int creating, const struct cvm_values *form)
{
	const struct ffield	*f;
	const char		*v;
	cJSON			*o = cJSON_CreateObject(), *x;

	if (o == NULL)
		return NULL;
	if (creating && (v = form->get(form->arg, "type")) != NULL)
		cJSON_AddStringToObject(o, "type", v);
	for (f = ffields; f->name != NULL; f++) {
		if (type == -1 ? f->types != T_ALL : !(f->types & (1u << type)))
			continue;
		v = form->get(form->arg, f->name);
		if (v == NULL && f->kind >= K_NUMNULL)
			continue;
		switch (f->kind) {
		case K_BOOL:
			x = cJSON_CreateBool(v != NULL && strcmp(v, "true") ==
			    0);
			break;
		case K_OPT:
			x = v == NULL || *v == '\0' ? cJSON_CreateNull() :
			    cJSON_CreateString(v);
			break;
		case K_NUMOPT:
			if (v == NULL || *v == '\0')
				continue;
			x = number(v);
			break;
		case K_NUM:
			x = number(v != NULL ? v : "");
			break;
		case K_TAGS:
		case K_CODES:
			x = list(v != NULL ? v : "", f->kind == K_CODES);
			break;
		case K_NUMNULL:
			x = *v == '\0' ? cJSON_CreateNull() : number(v);
			break;
		case K_LIST:
			x = list(v, 0);
			break;
		case K_AREA:
			x = *v == '\0' ? cJSON_CreateNull() :
			    cJSON_CreateString(v);
			break;
		case K_HEADERS:
			x = cv_lines(v, 1);
			break;
		case K_JSON:
			/* Blank is none (an empty list); text that is not
			 * JSON goes as it is, for the API to refuse. */
			if (v[strspn(v, " \t\r\n")] == '\0')
				x = cJSON_CreateArray();
			else if ((x = cJSON_Parse(v)) == NULL)
				x = cJSON_CreateString(v);
			break;
		default:
			x = cJSON_CreateString(v != NULL ? v : "");
		}
		cJSON_AddItemToObject(o, f->name, x);
	}
	return o;
}

cJSON *
cvm_form_values(const cJSON *mon)
{
	const struct ffield	*f;
	const cJSON		*v, *e;
	cJSON			*o = cJSON_CreateObject();
	struct buf		 t = { NULL, 0, 0 };
	int			 ok = o != NULL;

	if (ok && str(mon, "type") != NULL)
		cJSON_AddStringToObject(o, "type", str(mon, "type"));
	for (f = ffields; ok && f->name != NULL; f++) {
		if (cJSON_GetObjectItemCaseSensitive(o, f->name) != NULL ||
		    (v = cJSON_GetObjectItemCaseSensitive(mon, f->name)) ==
		    NULL)
			continue;
		t.len = 0;
		ok = buf_puts(&t, "") == 0;
		/* A heartbeat on a schedule has no interval to show. */
		if (strcmp(f->name, "intervalSeconds") == 0 &&
		    str(mon, "schedule") != NULL)
			;
		else if (f->kind == K_JSON) {
			char *j = cJSON_PrintUnformatted(v);

			ok = j != NULL && buf_puts(&t, j) == 0;
			cJSON_free(j);
		} else if (f->kind == K_HEADERS && cJSON_IsObject(v))
			ok = cv_lines_text(&t, v) == 0;
		else if (cJSON_IsString(v))
			ok = buf_puts(&t, v->valuestring) == 0;
		else if (cJSON_IsNumber(v))
			ok = buf_printf(&t, "%.0f", v->valuedouble) == 0;
		else if (cJSON_IsBool(v))
			ok = buf_puts(&t, cJSON_IsTrue(v) ? "true" : "false") ==
			    0;
		else if (cJSON_IsArray(v))
			cJSON_ArrayForEach(e, v)
				ok = ok && (t.len == 0 || buf_puts(&t, ", ") ==
				    0) && (cJSON_IsNumber(e) ? buf_printf(&t,
				    "%.0f", e->valuedouble) : buf_puts(&t,
				    cJSON_IsString(e) ? e->valuestring : "")) ==
				    0;
		ok = ok && cJSON_AddStringToObject(o, f->name, t.p) != NULL;
	}
	buf_free(&t);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

const char *
cvm_json_get(void *arg, const char *name)
{
	return str(arg, name);
}
