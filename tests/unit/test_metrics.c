/*
 * Unit tests of lib/metrics.c: label values escaped, tags turned into
 * labels, the samples of each monitor state, the windows of the uptime
 * ratio, the service's figures, and every family's HELP and TYPE with
 * its samples together.  No database: rows in, text out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uptime.h"
#include "metrics.h"
#include "monitor.h"
#include "unit.h"

/* A monitor as the database would give it. */
static void
mon(struct monitor *m, const char *id, const char *name, enum mon_type type,
    enum mon_status status, const char *tags)
{
	monitor_init(m, 0);
	snprintf(m->id, sizeof(m->id), "%s", id);
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->type = type;
	m->status = status;
	cJSON_Delete(m->tags);
	m->tags = cJSON_Parse(tags);
}

/* The text of monitors m[0..n) (counts c[i], may be NULL) and sv. */
static char *
render(const struct monitor *m, const struct rollup_counts *const *c,
    int n, const struct metrics_service *sv)
{
	struct metrics	 mx;
	struct buf	 out = { NULL, 0, 0 };
	int		 i;

	metrics_start(&mx);
	for (i = 0; i < n; i++)
		CHECK_INT(metrics_add_monitor(&mx, &m[i], c ? c[i] : NULL), 0);
	CHECK_INT(metrics_finish(&mx, sv, &out), 0);
	return out.p;
}

/* Whether text holds line as a whole line. */
static int
has_line(const char *text, const char *line)
{
	size_t		 n = strlen(line);
	const char	*p = text;

	while (p != NULL && (p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p += n;
	}
	return 0;
}

#define CHECK_LINE(text, line) do {					\
	if (!has_line((text), (line))) {				\
		fprintf(stderr, "%s:%d: no line \"%s\" in:\n%s\n",	\
		    __FILE__, __LINE__, (line), (text));		\
		unit_current_failed = 1;				\
	}								\
} while (0)

#define CHECK_NO(text, s) do {						\
	if (strstr((text), (s)) != NULL) {				\
		fprintf(stderr, "%s:%d: \"%s\" should not be in:\n%s\n",\
		    __FILE__, __LINE__, (s), (text));			\
		unit_current_failed = 1;				\
	}								\
} while (0)

static const struct metrics_service no_service = { NULL, 0 };

static void
test_escape(void)
{
	struct buf	 b = { NULL, 0, 0 };

	CHECK_INT(metrics_escape(&b, "plain"), 0);
	CHECK_STR(b.p, "plain");
	b.len = 0;
	CHECK_INT(metrics_escape(&b, "a\"b\\c\nd\r\tz\""), 0);
	CHECK_STR(b.p, "a\\\"b\\\\c\\nd\r\tz\\\"");
	b.len = 0;
	b.p[0] = '\0';
	CHECK_INT(metrics_escape(&b, ""), 0);
	CHECK_INT(b.len, 0);
	buf_free(&b);
}

static void
test_tag_label(void)
{
	static const struct {
		const char	*tag, *name, *value;
	} cases[] = {
		{ "env:prod", "tag_env", "prod" },
		{ "web", "tag_web", "true" },
		{ "needs-review", "tag_needs_review", "true" },
		{ "a.b c:x y", "tag_a_b_c", "x y" },
		{ "r\xc3\xa9gion:eu", "tag_r_gion", "eu" },	/* one _ for é */
		{ "\xe2\x9c\x93", "tag__", "true" },
		{ "9lives", "tag_9lives", "true" },
		{ "a:b:c", "tag_a", "b:c" },
		{ ":v", "tag_", "v" },
		{ "x:", "tag_x", "" },
		{ "Case_OK:1", "tag_Case_OK", "1" },
	};
	char		 name[80], small[6];
	const char	*value;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		metrics_tag_label(cases[i].tag, name, sizeof(name), &value);
		CHECK_STR(name, cases[i].name);
		CHECK_STR(value, cases[i].value);
	}
	/* Cut short to the buffer. */
	metrics_tag_label("abcdef:1", small, sizeof(small), &value);
	CHECK_STR(small, "tag_a");
	CHECK_STR(value, "1");
}

static void
test_monitor_labels(void)
{
	struct monitor	 m;
	char		*t;

	mon(&m, "mon_a", "Say \"hi\" \\ then\nbreak", MON_HTTP, MST_UP,
	    "[\"env:prod\", \"needs-review\", \"env:staging\", "
	    "\"needs_review:x\", \"name:n\", \"window:w\"]");
	m.last_response_ms = 1234;
	t = render(&m, NULL, 1, &no_service);
	/* The first tag of a label name is kept; tag_ labels never meet
	 * the fixed ones or window. */
	CHECK_LINE(t, "uptime_monitor_up{monitor_id=\"mon_a\","
	    "name=\"Say \\\"hi\\\" \\\\ then\\nbreak\",type=\"http\","
	    "tag_env=\"prod\",tag_needs_review=\"true\",tag_name=\"n\","
	    "tag_window=\"w\"} 1");
	CHECK_NO(t, "staging");
	CHECK_NO(t, "tag_needs_review=\"x\"");
	free(t);
	monitor_free(&m);
}

static void
test_states(void)
{
	static const struct {
		enum mon_status	 status;
		int		 maint;
		const char	*up;	/* NULL: no sample */
		const char	*status_value;
	} cases[] = {
		{ MST_PENDING, 0, NULL, "2" },
		{ MST_UP, 0, "1", "1" },
		{ MST_DEGRADED, 0, "1", "4" },
		{ MST_DOWN, 0, "0", "0" },
		{ MST_PAUSED, 0, NULL, "5" },
		{ MST_DOWN, 1, "0", "3" },	/* down inside a window */
		{ MST_UP, 1, "1", "3" },
	};
	struct monitor	 m;
	char		 want[256], *t;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mon(&m, "mon_s", "s", MON_TCP, cases[i].status, "[]");
		m.in_maintenance = cases[i].maint;
		t = render(&m, NULL, 1, &no_service);
		snprintf(want, sizeof(want), "uptime_monitor_status{monitor_id="
		    "\"mon_s\",name=\"s\",type=\"tcp\"} %s",
		    cases[i].status_value);
		CHECK_LINE(t, want);
		if (cases[i].up != NULL) {
			snprintf(want, sizeof(want), "uptime_monitor_up{"
			    "monitor_id=\"mon_s\",name=\"s\",type=\"tcp\"} %s",
			    cases[i].up);
			CHECK_LINE(t, want);
		} else
			CHECK_NO(t, "uptime_monitor_up{");
		/* No response time, no certificate, no ping: no sample. */
		CHECK_NO(t, "uptime_check_duration_seconds{");
		CHECK_NO(t, "uptime_monitor_uptime_ratio{");
		free(t);
		monitor_free(&m);
	}
	CHECK_INT(metrics_status_values[MST_DOWN], 0);
	CHECK_INT(metrics_status_values[MST_UP], 1);
	CHECK_INT(metrics_status_values[MST_PENDING], 2);
	CHECK_INT(metrics_status_values[MST_MAINTENANCE], 3);
	CHECK_INT(metrics_status_values[MST_DEGRADED], 4);
	CHECK_INT(metrics_status_values[MST_PAUSED], 5);
}

static void
test_values(void)
{
	struct rollup_counts		 c = { "mon_h", { 3, 0, 10000 },
					    { 2, 0, 9999 } };
	const struct rollup_counts	*cs[3] = { &c, NULL, NULL };
	struct monitor			 m[3];
	char				*t;
	int				 i;

	mon(&m[0], "mon_h", "https", MON_HTTP, MST_UP, "[]");
	cJSON_AddStringToObject(m[0].config, "url", "HTTPS://example.com/");
	m[0].last_response_ms = 7;
	m[0].ssl_expires_at = 1767225600000LL;
	/* Plain http: a certificate once seen is not shown. */
	mon(&m[1], "mon_p", "plain", MON_HTTP, MST_DOWN, "[]");
	cJSON_AddStringToObject(m[1].config, "url", "http://example.com/");
	m[1].last_response_ms = 30001;
	m[1].ssl_expires_at = 1767225600000LL;
	mon(&m[2], "mon_b", "beat", MON_HEARTBEAT, MST_UP, "[]");
	m[2].last_ping_at = 1767225600123LL;
	t = render(m, cs, 3, &no_service);

	CHECK_LINE(t, "uptime_check_duration_seconds{monitor_id=\"mon_h\","
	    "name=\"https\",type=\"http\"} 0.007");
	CHECK_LINE(t, "uptime_check_duration_seconds{monitor_id=\"mon_p\","
	    "name=\"plain\",type=\"http\"} 30.001");
	/* A window without a check has no sample; the ratio reads back as
	 * the same double. */
	CHECK_LINE(t, "uptime_monitor_uptime_ratio{monitor_id=\"mon_h\","
	    "name=\"https\",type=\"http\",window=\"24h\"} 0.6666666666666666");
	CHECK_NO(t, "window=\"7d\"");
	CHECK_LINE(t, "uptime_monitor_uptime_ratio{monitor_id=\"mon_h\","
	    "name=\"https\",type=\"http\",window=\"30d\"} 0.9999");
	CHECK_LINE(t, "uptime_ssl_cert_expiry_timestamp_seconds{monitor_id="
	    "\"mon_h\",name=\"https\",type=\"http\"} 1767225600.000");
	CHECK_NO(t, "uptime_ssl_cert_expiry_timestamp_seconds{monitor_id="
	    "\"mon_p\"");
	CHECK_LINE(t, "uptime_heartbeat_last_ping_timestamp_seconds{"
	    "monitor_id=\"mon_b\",name=\"beat\",type=\"heartbeat\"} "
	    "1767225600.123");
	free(t);
	for (i = 0; i < 3; i++)
		monitor_free(&m[i]);
}

/* Every family once, HELP then TYPE gauge, its samples right after. */
static void
test_families(void)
{
	static const char *const names[] = {
		"uptime_monitor_up", "uptime_monitor_status",
		"uptime_check_duration_seconds", "uptime_monitor_uptime_ratio",
		"uptime_ssl_cert_expiry_timestamp_seconds",
		"uptime_heartbeat_last_ping_timestamp_seconds",
		"uptime_checker_running",
		"uptime_checker_last_round_timestamp_seconds",
		"uptime_checker_round_duration_seconds",
		"uptime_checker_round_checks",
		"uptime_checker_round_late_checks",
		"uptime_checker_start_lag_seconds",
		"uptime_checker_checks_in_flight",
		"uptime_checker_checks_waiting", "uptime_checker_slots",
		"uptime_checker_behind", "uptime_notifications_pending",
	};
	struct rollup_counts		 c = { "x", { 1, 1, 1 }, { 1, 1, 1 } };
	const struct rollup_counts	*cs[2] = { &c, &c };
	struct monitor			 m[2];
	char				*t, *line, *save = NULL;
	const char			*cur = NULL;
	char				 help[128], type[128];
	size_t				 k = 0, n;
	int				 i;

	mon(&m[0], "mon_1", "one", MON_HTTP, MST_UP, "[\"a\"]");
	mon(&m[1], "mon_2", "two", MON_DNS, MST_DOWN, "[]");
	for (i = 0; i < 2; i++)
		m[i].last_response_ms = 5;
	t = render(m, cs, 2, &no_service);
	for (line = strtok_r(t, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0) {
			CHECK(k < sizeof(names) / sizeof(names[0]));
			if (k >= sizeof(names) / sizeof(names[0]))
				break;
			cur = names[k++];
			snprintf(help, sizeof(help), "# HELP %s ", cur);
			CHECK(strncmp(line, help, strlen(help)) == 0);
			CHECK(strlen(line) > strlen(help) + 10);
			line = strtok_r(NULL, "\n", &save);
			snprintf(type, sizeof(type), "# TYPE %s gauge", cur);
			CHECK_STR(line, type);
			continue;
		}
		/* A sample of the current family: its name, then { or a
		 * space. */
		CHECK(cur != NULL);
		if (cur == NULL)
			break;
		n = strlen(cur);
		CHECK(strncmp(line, cur, n) == 0 &&
		    (line[n] == '{' || line[n] == ' '));
	}
	CHECK_INT(k, sizeof(names) / sizeof(names[0]));
	free(t);
	for (i = 0; i < 2; i++)
		monitor_free(&m[i]);
}

static void
test_service(void)
{
	struct checker_state	 cs;
	struct metrics_service	 sv = { NULL, 3 };
	char			*t;

	/* No checker has reported: the families, no sample. */
	t = render(NULL, NULL, 0, &sv);
	CHECK_LINE(t, "# TYPE uptime_checker_running gauge");
	CHECK_NO(t, "\nuptime_checker_");
	CHECK_LINE(t, "uptime_notifications_pending 3");
	free(t);

	memset(&cs, 0, sizeof(cs));
	cs.running = 1;
	cs.updated_at = 1767225600250LL;
	cs.window_ms = 10003;
	cs.slots = 4096;
	cs.in_flight = 12;
	cs.waiting = 2;
	cs.checks = 300;
	cs.late = 4;
	cs.lag_p50_ms = 0;
	cs.lag_p99_ms = 1500;
	cs.lag_max_ms = 62000;
	cs.behind = 1;
	sv.checker = &cs;
	sv.pending_notifications = 0;
	t = render(NULL, NULL, 0, &sv);
	CHECK_LINE(t, "uptime_checker_running 1");
	CHECK_LINE(t, "uptime_checker_last_round_timestamp_seconds "
	    "1767225600.250");
	CHECK_LINE(t, "uptime_checker_round_duration_seconds 10.003");
	CHECK_LINE(t, "uptime_checker_round_checks 300");
	CHECK_LINE(t, "uptime_checker_round_late_checks 4");
	CHECK_LINE(t, "uptime_checker_start_lag_seconds{stat=\"p50\"} 0.000");
	CHECK_LINE(t, "uptime_checker_start_lag_seconds{stat=\"p99\"} 1.500");
	CHECK_LINE(t, "uptime_checker_start_lag_seconds{stat=\"max\"} 62.000");
	CHECK_LINE(t, "uptime_checker_checks_in_flight 12");
	CHECK_LINE(t, "uptime_checker_checks_waiting 2");
	CHECK_LINE(t, "uptime_checker_slots 4096");
	CHECK_LINE(t, "uptime_checker_behind 1");
	CHECK_LINE(t, "uptime_notifications_pending 0");
	free(t);

	/* A round without checks has no lag. */
	cs.checks = 0;
	cs.lag_p50_ms = cs.lag_p99_ms = cs.lag_max_ms = -1;
	t = render(NULL, NULL, 0, &sv);
	CHECK_LINE(t, "uptime_checker_round_checks 0");
	CHECK_NO(t, "uptime_checker_start_lag_seconds{");
	free(t);
}

int
main(void)
{
	UNIT_RUN(test_escape);
	UNIT_RUN(test_tag_label);
	UNIT_RUN(test_monitor_labels);
	UNIT_RUN(test_states);
	UNIT_RUN(test_values);
	UNIT_RUN(test_families);
	UNIT_RUN(test_service);
	return unit_finish();
}
