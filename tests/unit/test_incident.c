/*
 * Unit tests of lib/incident.c: validation of incidents and of their
 * updates, the status moves (resolvedAt set, kept, cleared), storage with
 * updates in the order they were added and component links, and the
 * lists (the team's, with filters, and a page's for the public pages).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "uptime.h"
#include "statuspage.h"
#include "incident.h"
#include "unit.h"
#include "unit_db.h"
#include "unit_list.h"

static struct status_page tsp;

#define MON_A	"mon_AAAAAAAAAAAAAAAAAAAA"
#define MON_B	"mon_BBBBBBBBBBBBBBBBBBBB"



/* A database with one team, two monitors and a page showing both. */
static void
t_open(void)
{
	udb_open("test_incident");
	udb_monitor(MON_A, "team_t", "A", 1);
	udb_monitor(MON_B, "team_t", "B", 2);
	sp_init(&tsp, 10);
	snprintf(tsp.team_id, sizeof(tsp.team_id), "team_t");
	snprintf(tsp.name, sizeof(tsp.name), "P");
	snprintf(tsp.slug, sizeof(tsp.slug), "page");
	if ((tsp.components = calloc(2, sizeof(*tsp.components))) == NULL)
		exit(1);
	tsp.ncomponents = 2;
	snprintf(tsp.components[0].monitor_id, ID_MAX, MON_A);
	snprintf(tsp.components[0].display_name, NAME_MAXBYTES, "A");
	snprintf(tsp.components[1].monitor_id, ID_MAX, MON_B);
	snprintf(tsp.components[1].display_name, NAME_MAXBYTES, "B");
	tsp.components_given = 1;
	if (sp_insert(udb, &tsp) != DB_OK) {
		fprintf(stderr, "sp_insert failed\n");
		exit(1);
	}
}

static void
t_close(void)
{
	sp_free(&tsp);
	udb_close();
}


/* A new incident on tsp from a JSON body; v gets the errors. */
static void
make(struct incident *inc, const char *json, int64_t now, struct verrs *v)
{
	cJSON	*b = cJSON_Parse(json);

	memset(v, 0, sizeof(*v));
	incident_init(inc, now);
	snprintf(inc->page_id, sizeof(inc->page_id), "%s", tsp.id);
	snprintf(inc->team_id, sizeof(inc->team_id), "team_t");
	if (b == NULL) {
		fprintf(stderr, "bad test JSON: %s\n", json);
		exit(1);
	}
	incident_apply(inc, &tsp, b, 1, now, v);
	cJSON_Delete(b);
}

static void
test_apply(void)
{
	struct incident	 inc;
	struct verrs	 v;
	char		 body[512];
	cJSON		*b;

	t_open();
	make(&inc, "{\"title\":\"T\",\"message\":\"M\"}", 1000, &v);
	CHECK_INT(v.n, 0);
	CHECK_INT(inc.status, INC_INVESTIGATING);
	CHECK_INT(inc.impact, IMPACT_NONE);
	CHECK_INT(inc.started_at, 1000);
	CHECK_INT(inc.resolved_at, 0);
	CHECK_STR(inc.message, "M");
	incident_free(&inc);

	snprintf(body, sizeof(body), "{\"title\":\"T\",\"message\":\"M\","
	    "\"status\":\"resolved\",\"impact\":\"critical\","
	    "\"startedAt\":\"1970-01-01T00:00:00.500Z\","
	    "\"componentIds\":[\"%s\",\"%s\"]}", tsp.components[1].id,
	    tsp.components[0].id);
	make(&inc, body, 1000, &v);
	CHECK_INT(v.n, 0);
	CHECK_INT(inc.status, INC_RESOLVED);
	CHECK_INT(inc.resolved_at, 1000);
	CHECK_INT(inc.impact, IMPACT_CRITICAL);
	CHECK_INT(inc.started_at, 500);
	CHECK_INT(inc.ncomponents, 2);
	CHECK_STR(inc.component_ids[0], tsp.components[1].id);
	CHECK(incident_names(&inc, tsp.components[0].id));
	CHECK(!incident_names(&inc, "cmp_AAAAAAAAAAAAAAAAAAAA"));
	incident_free(&inc);

	/* Negative: every field wrong at once. */
	snprintf(body, sizeof(body), "{\"title\":\"\",\"status\":\"open\","
	    "\"impact\":5,\"startedAt\":\"1970-01-01T00:00:02Z\","
	    "\"componentIds\":[\"%s\",\"%s\",\"cmp_AAAAAAAAAAAAAAAAAAAA\"],"
	    "\"id\":\"x\",\"colour\":1}", tsp.components[0].id,
	    tsp.components[0].id);
	make(&inc, body, 1000, &v);
	CHECK(has_verr(&v, VERR_INVALID, "/title"));
	CHECK(has_verr(&v, VERR_INVALID, "/message"));
	CHECK(has_verr(&v, VERR_INVALID, "/status"));
	CHECK(has_verr(&v, VERR_INVALID, "/impact"));
	CHECK(has_verr(&v, VERR_INVALID, "/startedAt"));
	CHECK(!has_verr(&v, VERR_INVALID, "/componentIds/0"));
	CHECK(has_verr(&v, VERR_INVALID, "/componentIds/1"));
	CHECK(has_verr(&v, VERR_INVALID, "/componentIds/2"));
	CHECK(has_verr(&v, VERR_READONLY, "/id"));
	CHECK(has_verr(&v, VERR_UNKNOWN, "/colour"));
	CHECK_INT(inc.components_given, 0);
	incident_free(&inc);

	/* PATCH: status is read-only, message unknown. */
	make(&inc, "{\"title\":\"T\",\"message\":\"M\"}", 1000, &v);
	b = cJSON_Parse("{\"status\":\"resolved\",\"message\":\"x\","
	    "\"impact\":\"minor\"}");
	memset(&v, 0, sizeof(v));
	incident_apply(&inc, &tsp, b, 0, 2000, &v);
	cJSON_Delete(b);
	CHECK(has_verr(&v, VERR_READONLY, "/status"));
	CHECK(has_verr(&v, VERR_UNKNOWN, "/message"));
	CHECK_INT(inc.status, INC_INVESTIGATING);
	incident_free(&inc);
	t_close();
}

static void
test_status_moves(void)
{
	struct incident	 inc;

	incident_init(&inc, 100);
	incident_set_status(&inc, INC_IDENTIFIED, 200);
	CHECK_INT(inc.resolved_at, 0);
	CHECK_INT(inc.updated_at, 200);
	incident_set_status(&inc, INC_RESOLVED, 300);
	CHECK_INT(inc.resolved_at, 300);
	/* A second resolve keeps the first time. */
	incident_set_status(&inc, INC_RESOLVED, 400);
	CHECK_INT(inc.resolved_at, 300);
	/* Reopened. */
	incident_set_status(&inc, INC_MONITORING, 500);
	CHECK_INT(inc.resolved_at, 0);
	CHECK_INT(inc.status, INC_MONITORING);
	incident_free(&inc);
}

static void
test_store(void)
{
	struct incident	 inc, got;
	struct verrs	 v;
	enum inc_status	 st;
	const char	*msg;
	char		 body[256];
	cJSON		*b;

	t_open();
	snprintf(body, sizeof(body), "{\"title\":\"T\",\"message\":\"first\","
	    "\"componentIds\":[\"%s\"]}", tsp.components[0].id);
	make(&inc, body, 1000, &v);
	CHECK_INT(incident_insert(udb, &inc), DB_OK);
	CHECK(id_valid(inc.id, "inc"));
	CHECK_INT(inc.nupdates, 1);
	CHECK(id_valid(inc.updates[0].id, "upd"));

	/* Two updates in the same millisecond keep their order. */
	memset(&v, 0, sizeof(v));
	b = cJSON_Parse("{\"message\":\"second\"}");
	incident_update_apply(&inc, b, &st, &msg, &v);
	CHECK_INT(v.n, 0);
	CHECK_INT(st, INC_INVESTIGATING);
	incident_set_status(&inc, st, 1000);
	CHECK_INT(incident_add_update(udb, &inc, st, msg, 1000), DB_OK);
	cJSON_Delete(b);
	incident_set_status(&inc, INC_RESOLVED, 1000);
	CHECK_INT(incident_add_update(udb, &inc, INC_RESOLVED, "third", 1000),
	    DB_OK);
	CHECK_INT(incident_store(udb, &inc), DB_OK);
	CHECK_STR(inc.updates[0].message, "third");

	CHECK_INT(incident_get(udb, "team_t", inc.id, &got), DB_OK);
	CHECK_INT(got.nupdates, 3);
	CHECK_STR(got.updates[0].message, "third");
	CHECK_STR(got.updates[1].message, "second");
	CHECK_STR(got.updates[2].message, "first");
	CHECK_INT(got.status, INC_RESOLVED);
	CHECK_INT(got.resolved_at, 1000);
	CHECK_INT(got.ncomponents, 1);
	CHECK_STR(got.component_ids[0], tsp.components[0].id);
	incident_free(&got);
	/* Negative: another team; bad update bodies. */
	CHECK_INT(incident_get(udb, "team_u", inc.id, &got), DB_NOTFOUND);
	memset(&v, 0, sizeof(v));
	b = cJSON_Parse("{\"status\":\"gone\",\"extra\":1}");
	incident_update_apply(&inc, b, &st, &msg, &v);
	cJSON_Delete(b);
	CHECK(has_verr(&v, VERR_INVALID, "/message"));
	CHECK(has_verr(&v, VERR_INVALID, "/status"));
	CHECK(has_verr(&v, VERR_UNKNOWN, "/extra"));

	/* A component taken off the page leaves the incident. */
	snprintf(body, sizeof(body), "DELETE FROM status_page_components "
	    "WHERE id = '%s'", tsp.components[0].id);
	udb_sql(body);
	CHECK_INT(incident_get(udb, "team_t", inc.id, &got), DB_OK);
	CHECK_INT(got.ncomponents, 0);
	incident_free(&got);

	CHECK_INT(incident_delete(udb, "team_u", inc.id), DB_NOTFOUND);
	CHECK_INT(incident_delete(udb, "team_t", inc.id), DB_OK);
	CHECK_INT(udb_int("SELECT count(*) FROM incident_updates"), 0);
	incident_free(&inc);
	t_close();
}

static int
collect(const struct incident *inc, void *arg)
{
	char	*out = arg;

	strncat(out, inc->title, 8);
	return 0;
}

/* The team list's titles, as collect() writes them: n items at most. */
static int
titles(const char *team, const struct incident_filter *f, int n, char *got)
{
	struct ulist	 u;
	int		 rc, i;

	rc = incident_list(udb, team, f, ulist(&u, NULL, n, 0));
	for (i = 0; i < ulist_n(&u); i++)
		strncat(got, ulist_str(&u, i, "title"), 8);
	ulist_free(&u);
	return rc;
}

static void
test_lists(void)
{
	static const struct {
		const char	*title;
		enum inc_status	 status;
		int64_t		 started, updated;
	} rows[] = {
		{ "a", INC_INVESTIGATING, 100, 900 },
		{ "b", INC_RESOLVED, 200, 300 },
		{ "c", INC_MONITORING, 300, 400 },
		{ "d", INC_RESOLVED, 400, 500 },
	};
	struct incident		 inc;
	struct verrs		 v;
	struct incident_filter	 f;
	struct page		 pg;
	char			 got[64];
	size_t			 i;

	t_open();
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		make(&inc, "{\"title\":\"x\",\"message\":\"m\"}", 1000 + (int64_t)i,
		    &v);
		snprintf(inc.title, sizeof(inc.title), "%s", rows[i].title);
		inc.status = rows[i].status;
		inc.started_at = rows[i].started;
		CHECK_INT(incident_insert(udb, &inc), DB_OK);
		inc.updated_at = rows[i].updated;
		CHECK_INT(incident_store(udb, &inc), DB_OK);
		incident_free(&inc);
	}
	memset(&pg, 0, sizeof(pg));
	f.page_id = NULL;
	f.status = -1;
	got[0] = '\0';
	CHECK_INT(titles("team_t", &f, 10, got),
	    DB_OK);
	CHECK_STR(got, "dcba");
	f.status = INC_FILTER_OPEN;
	got[0] = '\0';
	CHECK_INT(titles("team_t", &f, 10, got),
	    DB_OK);
	CHECK_STR(got, "ca");
	f.status = INC_RESOLVED;
	f.page_id = tsp.id;
	got[0] = '\0';
	CHECK_INT(titles("team_t", &f, 1, got),
	    DB_OK);
	CHECK_STR(got, "d");
	/* Negative: another team, another page. */
	got[0] = '\0';
	CHECK_INT(titles("team_u", &f, 10, got),
	    DB_OK);
	f.page_id = "sp_AAAAAAAAAAAAAAAAAAAA";
	CHECK_INT(titles("team_t", &f, 10, got),
	    DB_OK);
	CHECK_STR(got, "");

	/* The public lists. */
	got[0] = '\0';
	CHECK_INT(incident_list_page(udb, tsp.id, INC_OPEN, 0, 10, collect,
	    got), DB_OK);
	CHECK_STR(got, "ca");
	got[0] = '\0';
	CHECK_INT(incident_list_page(udb, tsp.id, INC_RESOLVED_SINCE, 300, 10,
	    collect, got), DB_OK);
	CHECK_STR(got, "d");
	got[0] = '\0';
	CHECK_INT(incident_list_page(udb, tsp.id, INC_ANY, 0, 3, collect,
	    got), DB_OK);
	CHECK_STR(got, "adc");
	CHECK_INT(incident_list_page(udb, tsp.id, INC_WHICH__MAX, 0, 3,
	    collect, got), DB_ERROR);
	t_close();
}

int
main(void)
{
	if (sodium_init() == -1)
		return 1;
	UNIT_RUN(test_apply);
	UNIT_RUN(test_status_moves);
	UNIT_RUN(test_store);
	UNIT_RUN(test_lists);
	return unit_finish();
}
