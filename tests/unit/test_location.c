/*
 * lib/location.c: a reported result both ways, and the lease rules
 * (leased once until it expires, a result taken once, only inside its
 * lease and only from the location that holds it) on a real database.
 */
#include "unit.h"
#include "tmpdb.h"
#include "location.h"

static struct db	*db;
static struct team	 team;
static struct location	 here, there;
static char		 mon[ID_MAX];

static void
setup(void)
{
	struct monitor	 m;
	char		 token[KEY_LEN + 1];
	cJSON		*locs;

	db = tmpdb_open("location");
	memset(&here, 0, sizeof(here));
	memset(&there, 0, sizeof(there));
	snprintf(here.name, sizeof(here.name), "here");
	snprintf(there.name, sizeof(there.name), "there");
	location_token_new(token);
	if (team_create(db, "Probes", &team) != DB_OK ||
	    (snprintf(here.team_id, ID_MAX, "%s", team.id),
	    snprintf(there.team_id, ID_MAX, "%s", team.id),
	    location_insert(db, &here, token, 1000)) != DB_OK ||
	    (location_token_new(token),
	    location_insert(db, &there, token, 1000)) != DB_OK ||
	    tmpdb_monitor(db, team.id, mon) != DB_OK ||
	    monitor_get(db, team.id, mon, &m) != DB_OK) {
		fprintf(stderr, "setup failed\n");
		exit(1);
	}
	locs = cJSON_CreateArray();
	cJSON_AddItemToArray(locs, cJSON_CreateString(here.id));
	cJSON_Delete(m.locations);
	m.locations = locs;
	if (monitor_update(db, &m) != DB_OK ||
	    location_links_sync(db, &m, 1000) != DB_OK) {
		fprintf(stderr, "setup failed\n");
		exit(1);
	}
	monitor_free(&m);
}

/* Lease at now; the first lease's id into id ("" for none). */
static int
lease(struct location *loc, int64_t now, char *id)
{
	cJSON	*l = cJSON_CreateArray();
	int64_t	 next;
	int	 n;

	CHECK_INT(location_lease(db, loc, now, 10, l, &next), DB_OK);
	n = cJSON_GetArraySize(l);
	snprintf(id, ID_MAX, "%s", n ? cJSON_GetStringValue(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(l, 0), "leaseId")) : "");
	cJSON_Delete(l);
	return n;
}

/* Report a result of status st checked at checked, under lease id. */
static enum loc_refusal
report(struct location *loc, const char *id, enum mon_status st,
    int64_t checked, int64_t now)
{
	struct check_result	 r;
	enum loc_refusal	 why = LOC_REFUSAL__MAX;

	memset(&r, 0, sizeof(r));
	r.checked_at = checked;
	r.status = st;
	r.response_ms = st == MST_DOWN ? 50 : 5;
	if (st == MST_DOWN)
		snprintf(r.error_code, sizeof(r.error_code), "timeout");
	CHECK_INT(location_report(db, loc, id, &r, now, &why), DB_OK);
	return why;
}

static void
test_result_round_trip(void)
{
	struct check_result	 r, back;
	struct verrs		 v = { 0 };
	char			 lease_id[ID_MAX];
	cJSON			*o;

	memset(&r, 0, sizeof(r));
	r.checked_at = 1760000000123LL;
	r.status = MST_DOWN;
	r.response_ms = 42;
	r.status_code = 503;
	snprintf(r.error_code, sizeof(r.error_code), "unexpected_status");
	snprintf(r.error_message, sizeof(r.error_message), "It was 503.");
	r.dns_ms = 1;
	r.connect_ms = 2;
	r.tls_ms = 3;
	r.first_byte_ms = 4;
	r.ssl_expires_at = 1800000000;
	snprintf(r.ssl_issuer, sizeof(r.ssl_issuer), "CN=Test CA");
	o = location_result_json(&r, "lse_AAAAAAAAAAAAAAAAAAAA");
	location_result_parse(o, "/results/0", &back, lease_id, &v);
	cJSON_Delete(o);
	CHECK_INT(v.n, 0);
	CHECK_STR(lease_id, "lse_AAAAAAAAAAAAAAAAAAAA");
	CHECK_INT(back.checked_at, r.checked_at);
	CHECK_INT(back.status, MST_DOWN);
	CHECK_INT(back.response_ms, 42);
	CHECK_INT(back.status_code, 503);
	CHECK_STR(back.error_code, "unexpected_status");
	CHECK_STR(back.error_message, "It was 503.");
	CHECK_INT(back.first_byte_ms, 4);
	CHECK_INT(back.ssl_expires_at, 1800000000);
	CHECK_STR(back.ssl_issuer, "CN=Test CA");
}

static void
test_result_refusals_name_the_field(void)
{
	struct check_result	 r;
	struct verrs		 v = { 0 };
	char			 lease_id[ID_MAX];
	cJSON			*o = cJSON_Parse("{\"leaseId\": \"lse_x\", "
				    "\"checkedAt\": \"now\", \"status\": \"down\", "
				    "\"timings\": {\"dnsMs\": -1}}");

	location_result_parse(o, "/results/7", &r, lease_id, &v);
	cJSON_Delete(o);
	CHECK_INT(v.n, 3);
	CHECK_STR(v.e[0].pointer, "/results/7/leaseId");
	CHECK_STR(v.e[1].pointer, "/results/7/checkedAt");
	CHECK_STR(v.e[2].pointer, "/results/7/timings/dnsMs");
}

static void
test_lease_rules(void)
{
	char	 id[ID_MAX], id2[ID_MAX];
	int64_t	 t = 2000, expiry = 10 * 1000 + LOC_LEASE_GRACE_MS;

	/* Due since its link was made; leased once; not to another. */
	CHECK_INT(lease(&there, t, id), 0);
	CHECK_INT(lease(&here, t, id), 1);
	CHECK_INT(lease(&here, t + 1, id2), 0);
	/* Only the location holding it, only inside it, once. */
	CHECK_INT(report(&there, id, MST_UP, t + 10, t + 20), LOC_NO_LEASE);
	CHECK_INT(report(&here, "lse_AAAAAAAAAAAAAAAAAAAA", MST_UP, t + 10,
	    t + 20), LOC_NO_LEASE);
	CHECK_INT(report(&here, id, MST_UP, t + expiry + 1, t + 20),
	    LOC_OUTSIDE_LEASE);
	CHECK_INT(report(&here, id, MST_UP, t - LOC_CLOCK_SLACK_MS - 1,
	    t + 20), LOC_OUTSIDE_LEASE);
	CHECK_INT(report(&here, id, MST_UP, t + 10, t + 20), LOC_TAKEN);
	CHECK_INT(report(&here, id, MST_UP, t + 10, t + 30), LOC_LEASE_USED);
	/* Planned a minute on from the planned time. */
	CHECK_INT(lease(&here, 1000 + 59999, id2), 0);
	CHECK_INT(lease(&here, 1000 + 60000, id2), 1);
	/* Not reported by its expiry: leased again. */
	CHECK_INT(lease(&here, 1000 + 60000 + expiry - 1, id), 0);
	CHECK_INT(lease(&here, 1000 + 60000 + expiry, id), 1);
	CHECK(strcmp(id, id2) != 0);
	/* The expired lease's result still counts when it started inside. */
	CHECK_INT(report(&here, id2, MST_UP, 1000 + 60000 + 5,
	    1000 + 60000 + expiry + 9), LOC_TAKEN);
}

/* The state of monitor id, and its last check's time into *last. */
static const char *
state_of(const char *id, int64_t *last)
{
	static char	 status[16];
	struct monitor	 m;

	CHECK_INT(monitor_get(db, team.id, id, &m), DB_OK);
	snprintf(status, sizeof(status), "%s", mon_status_names[m.status]);
	*last = m.last_checked_at;
	monitor_free(&m);
	return status;
}

/* Record one result of status st from location loc ("" for local). */
static const char *
record(const char *id, const char *loc, enum mon_status st, int64_t at)
{
	struct monitor		 m;
	struct check_result	 r;
	int64_t			 last;

	memset(&r, 0, sizeof(r));
	r.checked_at = at;
	r.status = st;
	r.response_ms = 1;
	if (st == MST_DOWN)
		snprintf(r.error_code, sizeof(r.error_code), "timeout");
	snprintf(r.location, sizeof(r.location), "%s", loc);
	CHECK_INT(monitor_get(db, team.id, id, &m), DB_OK);
	CHECK_INT(check_record(db, &m, &r, 0, at), DB_OK);
	monitor_free(&m);
	return state_of(id, &last);
}

static void
test_quorum_rule(void)
{
	struct monitor	 m;
	char		 id[ID_MAX], json[200];

	CHECK_INT(tmpdb_monitor(db, team.id, id), DB_OK);
	CHECK_INT(monitor_get(db, team.id, id, &m), DB_OK);
	snprintf(json, sizeof(json), "[\"local\", \"%s\", \"%s\"]", here.id,
	    there.id);
	cJSON_Delete(m.locations);
	m.locations = cJSON_Parse(json);
	CHECK_INT(monitor_quorum(&m, 0), 2);
	/* Offline locations are left out: a majority of the others, never
	 * more than there are. */
	CHECK_INT(monitor_quorum(&m, 1), 2);
	CHECK_INT(monitor_quorum(&m, 2), 1);
	CHECK_INT(monitor_quorum(&m, 3), 1);
	m.quorum = 3;
	CHECK_INT(monitor_quorum(&m, 1), 2);
	m.quorum = 0;
	CHECK_INT(monitor_update(db, &m), DB_OK);
	CHECK_INT(location_links_sync(db, &m, 1000), DB_OK);
	monitor_free(&m);

	/* A majority of three: one location down is no outage. */
	CHECK_STR(record(id, "", MST_UP, 1000), "up");
	CHECK_STR(record(id, here.id, MST_UP, 1001), "up");
	CHECK_STR(record(id, "", MST_DOWN, 2000), "up");
	CHECK_STR(record(id, there.id, MST_UP, 2001), "up");
	CHECK_STR(record(id, here.id, MST_DOWN, 2002), "down");
	/* One recovering leaves one down: below the quorum, up. */
	CHECK_STR(record(id, "", MST_UP, 3000), "up");

	/* recoveryConfirmations 2: a location down needs two successes. */
	CHECK_INT(monitor_get(db, team.id, id, &m), DB_OK);
	m.recovery = 2;
	CHECK_INT(monitor_update(db, &m), DB_OK);
	monitor_free(&m);
	CHECK_STR(record(id, "", MST_DOWN, 4000), "down");
	CHECK_STR(record(id, "", MST_UP, 5000), "down");
	CHECK_STR(record(id, here.id, MST_UP, 5001), "down");
	CHECK_STR(record(id, "", MST_UP, 6000), "up");

	/* A quorum of 1: any location confirming is an outage. */
	CHECK_INT(monitor_get(db, team.id, id, &m), DB_OK);
	m.quorum = 1;
	CHECK_INT(monitor_update(db, &m), DB_OK);
	monitor_free(&m);
	CHECK_STR(record(id, there.id, MST_DOWN, 7000), "down");
}

/* A new location of the team named name, made at t, into loc. */
static void
add_location(struct location *loc, const char *name, int64_t t)
{
	char	 token[KEY_LEN + 1];

	memset(loc, 0, sizeof(*loc));
	snprintf(loc->name, sizeof(loc->name), "%s", name);
	snprintf(loc->team_id, ID_MAX, "%s", team.id);
	location_token_new(token);
	CHECK_INT(location_insert(db, loc, token, t), DB_OK);
}

/* A new monitor checked from a and b every interval s, down when quorum
 * of them see it down, linked at t; its id into id. */
static void
two_places(const struct location *a, const struct location *b, int interval,
    int quorum, int64_t t, char *id)
{
	struct monitor	 m;
	char		 json[200];

	CHECK_INT(tmpdb_monitor(db, team.id, id), DB_OK);
	CHECK_INT(monitor_get(db, team.id, id, &m), DB_OK);
	snprintf(json, sizeof(json), "[\"%s\", \"%s\"]", a->id, b->id);
	cJSON_Delete(m.locations);
	m.locations = cJSON_Parse(json);
	m.interval_s = interval;
	m.quorum = quorum;
	CHECK_INT(monitor_update(db, &m), DB_OK);
	CHECK_INT(location_links_sync(db, &m, t), DB_OK);
	monitor_free(&m);
}

/* The location's health changes, oldest first, joined with ",". */
static const char *
health_events(const char *id)
{
	static char	 out[256];
	struct db_stmt	*st;

	out[0] = '\0';
	st = db_query(db, "SELECT kind FROM location_events WHERE "
	    "location_id = ? ORDER BY id", "t", id);
	while (st != NULL && db_step(st) == DB_ROW)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s",
		    out[0] ? "," : "", db_col_str(st, 0));
	if (st != NULL)
		db_reset(st);
	return out;
}

/*
 * Location health: a location silent for three of its shortest
 * intervals goes offline once, however many sweeps find it; its down
 * state then counts for nothing, and it is online again, once, when
 * seen.
 */
static void
test_location_health(void)
{
	struct location	 a, b;
	char		 id[ID_MAX];
	long		 n;
	int64_t		 t = 100000000;

	add_location(&a, "a", t);
	add_location(&b, "b", t);
	/* Never seen: nothing to tell. */
	CHECK_INT(location_sweep(db, t, &n), DB_OK);
	CHECK_INT(location_sweep(db, t + 3600000, &n), DB_OK);
	CHECK_STR(health_events(a.id), "");

	two_places(&a, &b, 30, 2, t, id);
	CHECK_INT(location_seen(db, &a, t), DB_OK);
	CHECK_INT(location_seen(db, &b, t), DB_OK);
	CHECK_STR(record(id, a.id, MST_UP, t), "up");
	CHECK_STR(record(id, b.id, MST_DOWN, t + 1), "up");

	/* 90 s of silence is not yet offline; past it, once. */
	CHECK_INT(location_seen(db, &a, t + 60000), DB_OK);
	CHECK_INT(location_sweep(db, t + 90000, &n), DB_OK);
	CHECK_INT(n, 0);
	CHECK_INT(location_sweep(db, t + 90001, &n), DB_OK);
	CHECK_INT(n, 1);
	CHECK_INT(location_sweep(db, t + 90002, &n), DB_OK);
	CHECK_INT(n, 0);
	/* b is offline: its down state is out of the quorum of 2, which
	 * is now 1 (a alone), and a decides. */
	CHECK_STR(record(id, a.id, MST_UP, t + 90003), "up");
	CHECK_STR(record(id, a.id, MST_DOWN, t + 90004), "down");
	CHECK_STR(record(id, a.id, MST_UP, t + 90005), "up");

	/* Seen again: online, once. */
	CHECK_INT(location_seen(db, &b, t + 100000), DB_OK);
	CHECK_INT(location_seen(db, &b, t + 100001), DB_OK);
	CHECK_STR(health_events(b.id), "location_offline,location_online");
	CHECK_STR(health_events(a.id), "");
	/* Back in the quorum: b's down counts again. */
	CHECK_STR(record(id, b.id, MST_DOWN, t + 100002), "up");
	CHECK_STR(record(id, a.id, MST_DOWN, t + 100003), "down");
}

/*
 * A location reporting after another reported a newer check still
 * votes: its result moves its own state and, through the quorum, the
 * monitor's; the monitor's readings stay the newer result's.  Only a
 * result older than the location's own last moves nothing.
 */
static void
test_late_votes(void)
{
	struct location	 a, b;
	char		 id[ID_MAX], la[ID_MAX], lb[ID_MAX];
	int64_t		 t = 200000000, last;

	add_location(&a, "early", t);
	add_location(&b, "late", t);
	two_places(&a, &b, 60, 1, t, id);

	CHECK_INT(lease(&a, t, la), 1);
	CHECK_INT(lease(&b, t, lb), 1);
	CHECK_INT(report(&a, la, MST_UP, t + 200, t + 300), LOC_TAKEN);
	CHECK_STR(state_of(id, &last), "up");
	CHECK_INT(last, t + 200);
	/* b's failure, checked before a's success, reaches the quorum. */
	CHECK_INT(report(&b, lb, MST_DOWN, t + 100, t + 400), LOC_TAKEN);
	CHECK_STR(state_of(id, &last), "down");
	CHECK_INT(last, t + 200);

	/* Next round: b recovers, but its result older than a's newest
	 * still takes the monitor out of down (the quorum no longer holds). */
	CHECK_INT(lease(&a, t + 60000, la), 1);
	CHECK_INT(lease(&b, t + 60000, lb), 1);
	CHECK_INT(report(&a, la, MST_UP, t + 60200, t + 60300), LOC_TAKEN);
	CHECK_STR(state_of(id, &last), "down");
	CHECK_INT(report(&b, lb, MST_UP, t + 60100, t + 60400), LOC_TAKEN);
	CHECK_STR(state_of(id, &last), "up");
	CHECK_INT(last, t + 60200);

	/* A result older than b's own last is history: no vote. */
	CHECK_INT(lease(&b, t + 120000, lb), 1);
	CHECK_INT(report(&b, lb, MST_DOWN, t + 60050, t + 120100), LOC_TAKEN);
	CHECK_STR(state_of(id, &last), "up");
	CHECK_INT(last, t + 60200);
}

int
main(void)
{
	setup();
	UNIT_RUN(test_result_round_trip);
	UNIT_RUN(test_result_refusals_name_the_field);
	UNIT_RUN(test_lease_rules);
	UNIT_RUN(test_quorum_rule);
	UNIT_RUN(test_location_health);
	UNIT_RUN(test_late_votes);
	tmpdb_close(db);
	return unit_finish();
}
