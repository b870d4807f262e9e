/*
 * Unit tests of lib/alert.c: secret masking, the per-type validation of
 * channels (with the masked-echo and merge rules of PATCH), and the SQL
 * of channels and notifications on a fresh database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "uptime.h"
#include "alert.h"
#include "monitor.h"
#include "tmpdb.h"
#include "unit.h"
#include "unit_list.h"

#define DOTS	ACH_MASK

static struct db *db;
static struct team team, other;
static char	 mon1[ID_MAX], mon2[ID_MAX], theirs[ID_MAX];

static void
setup(void)
{
	db = tmpdb_open("alert");
	if (team_create(db, "Alerts", &team) != DB_OK ||
	    team_create(db, "Other", &other) != DB_OK ||
	    tmpdb_monitor(db, team.id, mon1) != DB_OK ||
	    tmpdb_monitor(db, team.id, mon2) != DB_OK ||
	    tmpdb_monitor(db, other.id, theirs) != DB_OK) {
		fprintf(stderr, "setup failed\n");
		exit(1);
	}
}

/* Apply body (JSON text) to c; returns the number of errors, first in v. */
static size_t
apply(struct channel *c, const char *body, int creating, struct verrs *v)
{
	cJSON	*b = cJSON_Parse(body);

	memset(v, 0, sizeof(*v));
	CHECK(b != NULL);
	CHECK_INT(channel_apply(db, c, b, creating, v), DB_OK);
	cJSON_Delete(b);
	return v->n;
}

/* A new channel of the team from body; 0 on success. */
static int
fresh(struct channel *c, const char *body)
{
	struct verrs	 v;

	channel_init(c, time_now_ms());
	snprintf(c->team_id, sizeof(c->team_id), "%s", team.id);
	return apply(c, body, 1, &v) == 0 ? 0 : -1;
}

static const char *
cfgs(const struct channel *c, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(c->config, name));
}

static void
test_mask(void)
{
	char	 out[128];

	channel_mask("0123456789abcdefWXYZ", 0, out, sizeof(out));
	CHECK_STR(out, DOTS "WXYZ");
	channel_mask("elevenchars", 0, out, sizeof(out));
	CHECK_STR(out, DOTS);
	channel_mask("twelve-chars", 0, out, sizeof(out));
	CHECK_STR(out, DOTS "hars");
	channel_mask("", 0, out, sizeof(out));
	CHECK_STR(out, DOTS);
	channel_mask("https://hooks.slack.com/services/T/B/abcdefgh1234", 1,
	    out, sizeof(out));
	CHECK_STR(out, "https://hooks.slack.com/" DOTS "1234");
	channel_mask("http://127.0.0.1:8080/hook/secretpath", 1, out,
	    sizeof(out));
	CHECK_STR(out, "http://127.0.0.1:8080/" DOTS "path");
	/* Not a URL after all: masked like any secret. */
	channel_mask("no url here at all", 1, out, sizeof(out));
	CHECK_STR(out, DOTS " all");
	/* The secret never shows in the mask. */
	channel_mask("abcdefghijklmnopqrstuvwxyz", 0, out, sizeof(out));
	CHECK(strstr(out, "abcdefghij") == NULL);
}

static void
test_create_each_type(void)
{
	struct channel	 c;
	cJSON		*j, *cf;
	char		*s;

	CHECK(fresh(&c, "{\"name\":\"m\",\"type\":\"email\",\"config\":"
	    "{\"to\":[\"Ops@Example.COM\"]}}") == 0);
	CHECK_STR(cJSON_GetArrayItem(cJSON_GetObjectItem(c.config, "to"),
	    0)->valuestring, "ops@example.com");
	channel_free(&c);

	CHECK(fresh(&c, "{\"name\":\"w\",\"type\":\"webhook\",\"config\":"
	    "{\"url\":\"https://h.example.com/x\",\"secret\":"
	    "\"0123456789abcdefWXYZ\",\"headers\":{\"Authorization\":"
	    "\"Bearer abcdefgh9876\"}}}") == 0);
	j = channel_json(&c);
	cf = cJSON_GetObjectItem(j, "config");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cf, "secret")),
	    DOTS "WXYZ");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(cf, "headers"), "Authorization")), DOTS "9876");
	s = cJSON_PrintUnformatted(j);
	CHECK(strstr(s, "0123456789abcdef") == NULL);
	CHECK(strstr(s, "abcdefgh9876") == NULL);
	free(s);
	cJSON_Delete(j);
	/* Stored in clear. */
	CHECK_STR(cfgs(&c, "secret"), "0123456789abcdefWXYZ");
	channel_free(&c);

	CHECK(fresh(&c, "{\"name\":\"p\",\"type\":\"pagerduty\",\"config\":"
	    "{\"routingKey\":\"abc-DEF_123\"}}") == 0);
	channel_free(&c);
	CHECK(fresh(&c, "{\"name\":\"t\",\"type\":\"telegram\",\"config\":"
	    "{\"botToken\":\"123456:ABCdefGHIjklMNOpqrSTUvwx\",\"chatId\":"
	    "-100123}}") == 0);
	CHECK_STR(cfgs(&c, "chatId"), "-100123");
	channel_free(&c);
	CHECK(fresh(&c, "{\"name\":\"s\",\"type\":\"slack\",\"config\":"
	    "{\"webhookUrl\":\"https://hooks.slack.com/services/x\"}}") == 0);
	channel_free(&c);
	CHECK(fresh(&c, "{\"name\":\"d\",\"type\":\"discord\",\"config\":"
	    "{\"webhookUrl\":\"https://discord.com/api/webhooks/1/x\"}}") == 0);
	channel_free(&c);
}

/* Negative: each body gives exactly one error at the pointer. */
static void
test_invalid(void)
{
	static const struct {
		const char	*body;
		const char	*pointer;
		enum verr_kind	 kind;
	} cases[] = {
		{ "{\"type\":\"email\",\"config\":{\"to\":[\"a@b.example\"]}}",
		    "/name", VERR_INVALID },
		{ "{\"name\":\"x\",\"type\":\"fax\",\"config\":{}}", "/type",
		    VERR_INVALID },
		{ "{\"name\":\"x\",\"type\":\"email\"}", "/config",
		    VERR_INVALID },
		{ "{\"name\":\"x\",\"type\":\"email\",\"config\":{\"to\":[]}}",
		    "/config/to", VERR_INVALID },
		{ "{\"name\":\"x\",\"type\":\"email\",\"config\":{\"to\":"
		    "[\"a@b.example\",\"nope\"]}}", "/config/to/1",
		    VERR_INVALID },
		{ "{\"name\":\"x\",\"type\":\"email\",\"config\":{\"to\":"
		    "[\"a@b.example\"],\"cc\":[]}}", "/config/cc", VERR_UNKNOWN },
		{ "{\"name\":\"x\",\"type\":\"webhook\",\"config\":{\"url\":"
		    "\"http://127.0.0.1/\"}}", "/config/url", VERR_INVALID },
		{ "{\"name\":\"x\",\"type\":\"webhook\",\"config\":{\"url\":"
		    "\"http://localhost/\"}}", "/config/url", VERR_INVALID },
		{ "{\"name\":\"x\",\"type\":\"webhook\",\"config\":{\"url\":"
		    "\"https://h.example/\",\"secret\":\"too short\"}}",
		    "/config/secret", VERR_INVALID },
		{ "{\"name\":\"x\",\"type\":\"webhook\",\"config\":{\"url\":"
		    "\"https://h.example/\",\"headers\":{\"Host\":\"x\"}}}",
		    "/config/headers", VERR_INVALID },
		{ "{\"name\":\"x\",\"type\":\"webhook\",\"config\":{\"url\":"
		    "\"https://h.example/\",\"headers\":{\"X\":\"a\\u0001b\"}}}",
		    "/config/headers", VERR_INVALID },
		{ "{\"name\":\"x\",\"type\":\"pagerduty\",\"config\":"
		    "{\"routingKey\":\"a b\"}}", "/config/routingKey",
		    VERR_INVALID },
		{ "{\"name\":\"x\",\"type\":\"telegram\",\"config\":{\"botToken\":"
		    "\"12:short\",\"chatId\":\"1\"}}", "/config/botToken",
		    VERR_INVALID },
		{ "{\"name\":\"x\",\"type\":\"telegram\",\"config\":{\"botToken\":"
		    "\"123456:ABCdefGHIjklMNOpqrSTUvwx\",\"chatId\":\"@ab\"}}",
		    "/config/chatId", VERR_INVALID },
		{ "{\"name\":\"x\",\"type\":\"pagerduty\",\"config\":"
		    "{\"routingKey\":\"k\"},\"remindEveryMinutes\":4}",
		    "/remindEveryMinutes", VERR_INVALID },
		{ "{\"name\":\"x\",\"type\":\"pagerduty\",\"config\":"
		    "{\"routingKey\":\"k\"},\"events\":{\"sideways\":true}}",
		    "/events/sideways", VERR_UNKNOWN },
		{ "{\"name\":\"x\",\"type\":\"pagerduty\",\"config\":"
		    "{\"routingKey\":\"k\"},\"monitorIds\":[]}", "/monitorIds",
		    VERR_INVALID },
		{ "{\"name\":\"x\",\"type\":\"pagerduty\",\"config\":"
		    "{\"routingKey\":\"k\"},\"id\":\"ach_x\"}", "/id",
		    VERR_READONLY },
	};
	struct channel	 c;
	struct verrs	 v;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		channel_init(&c, 1);
		snprintf(c.team_id, sizeof(c.team_id), "%s", team.id);
		if (apply(&c, cases[i].body, 1, &v) != 1 ||
		    strcmp(v.e[0].pointer, cases[i].pointer) != 0 ||
		    v.e[0].kind != cases[i].kind) {
			fprintf(stderr, "case %zu: %zu errors, first %s\n", i,
			    v.n, v.n ? v.e[0].pointer : "-");
			CHECK(0);
		}
		channel_free(&c);
	}
}

static void
test_monitor_ids(void)
{
	struct channel	 c;
	struct verrs	 v;
	char		 body[512];

	channel_init(&c, 1);
	snprintf(c.team_id, sizeof(c.team_id), "%s", team.id);
	snprintf(body, sizeof(body), "{\"name\":\"x\",\"type\":\"pagerduty\","
	    "\"config\":{\"routingKey\":\"k\"},\"monitorIds\":[\"%s\",\"%s\"]}",
	    mon2, mon1);
	CHECK_INT(apply(&c, body, 1, &v), 0);
	CHECK_INT(cJSON_GetArraySize(c.monitor_ids), 2);
	CHECK_STR(cJSON_GetArrayItem(c.monitor_ids, 0)->valuestring, mon2);
	channel_free(&c);

	/* Negative: another team's monitor is named in the error. */
	channel_init(&c, 1);
	snprintf(c.team_id, sizeof(c.team_id), "%s", team.id);
	snprintf(body, sizeof(body), "{\"name\":\"x\",\"type\":\"pagerduty\","
	    "\"config\":{\"routingKey\":\"k\"},\"monitorIds\":[\"%s\",\"%s\"]}",
	    mon1, theirs);
	CHECK_INT(apply(&c, body, 1, &v), 1);
	CHECK_STR(v.e[0].pointer, "/monitorIds/1");
	CHECK(strstr(v.e[0].detail, theirs) != NULL);
	channel_free(&c);
}

static void
test_patch_merge(void)
{
	struct channel	 c, g;
	struct verrs	 v;
	char		 body[512], m[128];

	CHECK(fresh(&c, "{\"name\":\"w\",\"type\":\"webhook\",\"config\":"
	    "{\"url\":\"https://h.example.com/x\",\"secret\":"
	    "\"0123456789abcdefWXYZ\",\"headers\":{\"A\":\"alpha-value-1\"}}}")
	    == 0);
	CHECK_INT(channel_insert(db, &c), DB_OK);
	/* The masked forms sent back, to the same url, keep the values. */
	channel_mask("alpha-value-1", 0, m, sizeof(m));
	snprintf(body, sizeof(body), "{\"config\":{\"secret\":\"%s\","
	    "\"headers\":{\"A\":\"%s\",\"B\":\"beta\"},\"url\":"
	    "\"https://h.example.com/x\"}}", DOTS "WXYZ", m);
	CHECK_INT(apply(&c, body, 0, &v), 0);
	CHECK_STR(cfgs(&c, "secret"), "0123456789abcdefWXYZ");
	CHECK_STR(cfgs(&c, "url"), "https://h.example.com/x");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(c.config, "headers"), "A")), "alpha-value-1");
	CHECK_INT(channel_update(db, &c), DB_OK);
	CHECK_INT(channel_get(db, team.id, c.id, &g), DB_OK);
	CHECK_STR(cfgs(&g, "secret"), "0123456789abcdefWXYZ");
	/* Negative: sent back masked to a new url, both are errors. */
	snprintf(body, sizeof(body), "{\"config\":{\"secret\":\"%s\","
	    "\"headers\":{\"A\":\"%s\"},\"url\":"
	    "\"https://h.example.com/y\"}}", DOTS "WXYZ", m);
	CHECK_INT(apply(&g, body, 0, &v), 2);
	CHECK_STR(v.e[0].pointer, "/config/secret");
	CHECK_STR(v.e[1].pointer, "/config/headers");
	CHECK(strstr(v.e[1].detail, "header A ") != NULL);
	channel_free(&g);
	/* A new url alone: the stored secret and headers are not kept. */
	CHECK_INT(channel_get(db, team.id, c.id, &g), DB_OK);
	CHECK_INT(apply(&g, "{\"config\":{\"url\":\"https://h.example.com/"
	    "y\"}}", 0, &v), 0);
	CHECK(cJSON_GetObjectItem(g.config, "secret") == NULL);
	CHECK(cJSON_GetObjectItem(g.config, "headers") == NULL);
	channel_free(&g);
	/* A member not given stays; null clears an optional one. */
	CHECK_INT(apply(&c, "{\"config\":{\"secret\":null}}", 0, &v), 0);
	CHECK(cJSON_GetObjectItem(c.config, "secret") == NULL);
	CHECK_STR(cfgs(&c, "url"), "https://h.example.com/x");
	/* Negative: a required one cannot be cleared; type cannot change. */
	CHECK_INT(apply(&c, "{\"config\":{\"url\":null}}", 0, &v), 1);
	CHECK_STR(v.e[0].pointer, "/config/url");
	CHECK_INT(apply(&c, "{\"type\":\"slack\"}", 0, &v), 1);
	CHECK_STR(v.e[0].pointer, "/type");
	CHECK_INT(apply(&c, "{\"type\":\"webhook\",\"events\":{\"down\":false}}",
	    0, &v), 0);
	CHECK_INT(c.events[AEV_DOWN], 0);
	CHECK_INT(c.events[AEV_UP], 1);
	channel_free(&c);
}

/* How many channels team has. */
static int
channels(const char *team_id, int *n)
{
	struct ulist	 u;
	int		 rc;

	rc = channel_list(db, team_id, ulist(&u, NULL, 200, 0));
	*n = ulist_n(&u);
	ulist_free(&u);
	return rc;
}

static void
test_sql(void)
{
	struct channel	 c, g;
	char		 body[512];
	int		 n = 0, before = 0;

	CHECK_INT(channels(team.id, &before),
	    DB_OK);
	snprintf(body, sizeof(body), "{\"name\":\"sql\",\"type\":\"pagerduty\","
	    "\"config\":{\"routingKey\":\"k\"},\"monitorIds\":[\"%s\"],"
	    "\"remindEveryMinutes\":15,\"enabled\":false}", mon2);
	CHECK(fresh(&c, body) == 0);
	CHECK_INT(channel_insert(db, &c), DB_OK);
	CHECK_INT(channel_get(db, team.id, c.id, &g), DB_OK);
	CHECK_STR(g.name, "sql");
	CHECK_INT(g.type, ACH_PAGERDUTY);
	CHECK_INT(g.remind_min, 15);
	CHECK_INT(g.enabled, 0);
	CHECK_INT(cJSON_GetArraySize(g.monitor_ids), 1);
	channel_free(&g);
	/* Another team does not see it. */
	CHECK_INT(channel_get(db, other.id, c.id, &g), DB_NOTFOUND);
	CHECK_INT(channel_delete(db, other.id, c.id), DB_NOTFOUND);
	CHECK_INT(channels(team.id, &n), DB_OK);
	CHECK_INT(n, before + 1);
	n = 0;
	CHECK_INT(channels(other.id, &n), DB_OK);
	CHECK_INT(n, 0);
	/* A deleted monitor leaves the channel's list. */
	CHECK_INT(monitor_delete(db, team.id, mon2), DB_OK);
	CHECK_INT(channel_get(db, team.id, c.id, &g), DB_OK);
	CHECK_INT(cJSON_GetArraySize(g.monitor_ids), 0);
	channel_free(&g);
	CHECK_INT(channel_delete(db, team.id, c.id), DB_OK);
	CHECK_INT(channel_get(db, team.id, c.id, &g), DB_NOTFOUND);
	channel_free(&c);
}

/* The ids of the team's notifications that pass f, 10 at most. */
static cJSON *
listed(const struct notification_filter *f)
{
	struct ulist	 u;
	cJSON		*ids = cJSON_CreateArray();
	int		 i;

	CHECK_INT(notification_list(db, team.id, f, ulist(&u, NULL, 10, 0)),
	    DB_OK);
	for (i = 0; i < ulist_n(&u); i++)
		cJSON_AddItemToArray(ids, cJSON_CreateString(ulist_str(&u, i,
		    "id")));
	ulist_free(&u);
	return ids;
}

static void
test_notifications(void)
{
	struct channel			 c;
	struct notification		 n, g;
	struct notification_filter	 f;
	cJSON				*ids, *j;
	int				 i;

	CHECK(fresh(&c, "{\"name\":\"n\",\"type\":\"pagerduty\",\"config\":"
	    "{\"routingKey\":\"k\"}}") == 0);
	CHECK_INT(channel_insert(db, &c), DB_OK);
	for (i = 0; i < 3; i++) {
		memset(&n, 0, sizeof(n));
		snprintf(n.team_id, sizeof(n.team_id), "%s", team.id);
		snprintf(n.channel_id, sizeof(n.channel_id), "%s", c.id);
		snprintf(n.monitor_id, sizeof(n.monitor_id), "%s", mon1);
		n.event = i == 2 ? NEV_UP : NEV_DOWN;
		n.status = i == 0 ? NST_SUPPRESSED : NST_PENDING;
		n.created_at = n.next_attempt_at = 1000 + i;
		if (i == 0)
			snprintf(n.reason, sizeof(n.reason), "maintenance");
		n.payload = strdup("{}");
		CHECK_INT(notification_insert(db, &n), DB_OK);
		notification_free(&n);
	}
	memset(&f, 0, sizeof(f));
	f.status = f.event = -1;
	f.channel_id = c.id;
	ids = listed(&f);
	CHECK_INT(cJSON_GetArraySize(ids), 3);
	cJSON_Delete(ids);
	f.event = NEV_DOWN;
	f.status = NST_PENDING;
	ids = listed(&f);
	CHECK_INT(cJSON_GetArraySize(ids), 1);
	CHECK_INT(notification_get(db, team.id,
	    cJSON_GetArrayItem(ids, 0)->valuestring, &g), DB_OK);
	CHECK_INT(g.created_at, 1001);
	CHECK_INT(notification_get(db, other.id, g.id, &g), DB_NOTFOUND);
	cJSON_Delete(ids);
	f.event = f.status = -1;
	f.from = 1001;
	f.to = 1002;
	ids = listed(&f);
	CHECK_INT(cJSON_GetArraySize(ids), 1);
	cJSON_Delete(ids);
	/* JSON of a suppressed one. */
	f.from = f.to = 0;
	f.status = NST_SUPPRESSED;
	ids = listed(&f);
	CHECK_INT(notification_get(db, team.id,
	    cJSON_GetArrayItem(ids, 0)->valuestring, &g), DB_OK);
	j = notification_json(&g);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j,
	    "suppressedReason")), "maintenance");
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(j, "nextAttemptAt")));
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(j, "outageId")));
	cJSON_Delete(j);
	cJSON_Delete(ids);
	CHECK_INT(channel_delete(db, team.id, c.id), DB_OK);
	channel_free(&c);
}

int
main(void)
{
	if (sodium_init() == -1 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	setup();
	UNIT_RUN(test_mask);
	UNIT_RUN(test_create_each_type);
	UNIT_RUN(test_invalid);
	UNIT_RUN(test_monitor_ids);
	UNIT_RUN(test_patch_merge);
	UNIT_RUN(test_sql);
	UNIT_RUN(test_notifications);
	tmpdb_close(db);
	curl_global_cleanup();
	return unit_finish();
}
