/*
 * Unit tests of lib/statuspage.c: slugs, validation of pages, custom
 * domains and component lists (the team's own monitors only), storage
 * (components kept, replaced, reordered and removed), the uniqueness
 * checks and the list.  Each test opens a fresh database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "uptime.h"
#include "statuspage.h"
#include "unit.h"
#include "unit_db.h"
#include "unit_list.h"




#define MON_A	"mon_AAAAAAAAAAAAAAAAAAAA"
#define MON_B	"mon_BBBBBBBBBBBBBBBBBBBB"
#define MON_U	"mon_UUUUUUUUUUUUUUUUUUUU"	/* another team's */

/* The components' states sp_json is given here: all unknown. */
static const enum health no_states[SP_MAXCOMPONENTS];

static void
t_open(void)
{
	udb_open("test_statuspage");
	udb_monitor(MON_A, "team_t", "Alpha", 1);
	udb_monitor(MON_B, "team_t", "Beta", 2);
	udb_monitor(MON_U, "team_u", "Theirs", 3);
}

static void
t_close(void)
{
	udb_close();
}

/* Apply the JSON text body to sp; the verrs are left in v. */
static int
apply(struct status_page *sp, const char *json, int creating,
    struct verrs *v)
{
	cJSON	*b = cJSON_Parse(json);
	int	 rc;

	memset(v, 0, sizeof(*v));
	if (b == NULL) {
		fprintf(stderr, "bad test JSON: %s\n", json);
		return -2;
	}
	rc = sp_apply(udb, sp, b, creating, v);
	cJSON_Delete(b);
	return rc;
}

/* Is there an error of kind at pointer? */

static void
test_slug(void)
{
	char	 s[80];

	CHECK(sp_slug_valid("ab"));
	CHECK(sp_slug_valid("0a"));
	CHECK(sp_slug_valid("a-"));
	CHECK(sp_slug_valid("status-page-9"));
	memset(s, 'a', 63);
	s[63] = '\0';
	CHECK(sp_slug_valid(s));
	/* Negative. */
	s[63] = 'a';
	s[64] = '\0';
	CHECK(!sp_slug_valid(s));
	CHECK(!sp_slug_valid(""));
	CHECK(!sp_slug_valid("a"));
	CHECK(!sp_slug_valid("-a"));
	CHECK(!sp_slug_valid("Ab"));
	CHECK(!sp_slug_valid("a_b"));
	CHECK(!sp_slug_valid("a.b"));
	CHECK(!sp_slug_valid("a b"));
	CHECK(!sp_slug_valid("\xc3\xa9t"));
}

static void
test_apply_defaults(void)
{
	struct status_page	 sp;
	struct verrs		 v;

	t_open();
	sp_init(&sp, 1000);
	snprintf(sp.team_id, sizeof(sp.team_id), "team_t");
	CHECK_INT(apply(&sp, "{\"name\":\"Acme\",\"slug\":\"acme\"}", 1, &v), 0);
	CHECK_INT(v.n, 0);
	CHECK_STR(sp.title, "Acme");
	CHECK_INT(sp.is_public, 1);
	CHECK_INT(sp.history_days, 90);
	CHECK_STR(sp.custom_domain, "");
	CHECK_INT(sp.components_given, 0);
	CHECK_INT(sp.ncomponents, 0);
	/* A PATCH with a title keeps it; null clears the description. */
	CHECK_INT(apply(&sp, "{\"title\":\"T\",\"description\":\"d\"}", 0,
	    &v), 0);
	CHECK_STR(sp.title, "T");
	CHECK_STR(sp.description, "d");
	CHECK_INT(apply(&sp, "{\"description\":null}", 0, &v), 0);
	CHECK_STR(sp.description, "");
	CHECK_STR(sp.name, "Acme");
	/* Negative: required fields, ranges, types, unknown, read-only. */
	sp_init(&sp, 1000);
	CHECK_INT(apply(&sp, "{\"historyDays\":6,\"isPublic\":1,\"x\":1,"
	    "\"url\":\"u\"}", 1, &v), 0);
	CHECK(has_verr(&v, VERR_INVALID, "/name"));
	CHECK(has_verr(&v, VERR_INVALID, "/slug"));
	CHECK(has_verr(&v, VERR_INVALID, "/historyDays"));
	CHECK(has_verr(&v, VERR_INVALID, "/isPublic"));
	CHECK(has_verr(&v, VERR_UNKNOWN, "/x"));
	CHECK(has_verr(&v, VERR_READONLY, "/url"));
	CHECK_INT(apply(&sp, "{\"name\":\"n\",\"slug\":\"Bad\","
	    "\"historyDays\":91}", 1, &v), 0);
	CHECK(has_verr(&v, VERR_INVALID, "/slug"));
	CHECK(has_verr(&v, VERR_INVALID, "/historyDays"));
	sp_free(&sp);
	t_close();
}

static void
test_logo_banner(void)
{
	static const char *const bad[] = {
		"http://example.com/logo.png",		/* not https */
		"ftp://example.com/logo.png",
		"javascript:alert(1)",
		"data:image/png;base64,AAAA",
		"//example.com/logo.png",
		"https://",
		"https://user:pw@example.com/logo.png",
		"https://localhost/logo.png",
		"https://LOCALHOST./logo.png",
		"https://cdn.localhost/logo.png",
		"https://127.0.0.1/logo.png",
		"https://10.1.2.3/logo.png",
		"https://192.168.0.1:8443/logo.png",
		"https://172.16.5.4/logo.png",
		"https://169.254.169.254/latest",
		"https://100.64.0.1/logo.png",
		"https://[::1]/logo.png",
		"https://[fe80::1]/logo.png",
		"https://[fd00::1]/logo.png",
		"https://[::ffff:127.0.0.1]/logo.png",
		"https://0x7f000001/logo.png",
		"https://2130706433/logo.png",
		"https://example.com/a\r\nb",
		NULL
	};
	struct status_page	 sp;
	struct verrs		 v;
	char			 json[256];
	size_t			 i;

	t_open();
	sp_init(&sp, 1000);
	CHECK_STR(sp.logo_url, "");
	CHECK_INT(sp.show_overall_status, 1);
	CHECK_INT(apply(&sp, "{\"logoUrl\":\"https://cdn.example.com/l.svg\","
	    "\"showOverallStatus\":false}", 0, &v), 0);
	CHECK_INT(v.n, 0);
	CHECK_STR(sp.logo_url, "https://cdn.example.com/l.svg");
	CHECK_INT(sp.show_overall_status, 0);
	CHECK_INT(apply(&sp, "{\"logoUrl\":\"HTTPS://8.8.8.8/l.png\"}", 0,
	    &v), 0);
	CHECK_INT(v.n, 0);
	/* Negative: each bad URL is refused and the stored one kept. */
	for (i = 0; bad[i] != NULL; i++) {
		snprintf(json, sizeof(json), "{\"logoUrl\":\"%s\"}", bad[i]);
		CHECK_INT(apply(&sp, json, 0, &v), 0);
		if (!has_verr(&v, VERR_INVALID, "/logoUrl"))
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CHECK(has_verr(&v, VERR_INVALID, "/logoUrl"));
		CHECK_STR(sp.logo_url, "HTTPS://8.8.8.8/l.png");
	}
	CHECK_INT(apply(&sp, "{\"logoUrl\":\"\",\"showOverallStatus\":1}", 0,
	    &v), 0);
	CHECK(has_verr(&v, VERR_INVALID, "/logoUrl"));
	CHECK(has_verr(&v, VERR_INVALID, "/showOverallStatus"));
	CHECK_INT(apply(&sp, "{\"logoUrl\":null}", 0, &v), 0);
	CHECK_INT(v.n, 0);
	CHECK_STR(sp.logo_url, "");
	sp_free(&sp);
	t_close();
}

static void
check_domain(const char *value, const char *want, int line)
{
	struct status_page	 sp;
	struct verrs		 v;
	char			 body[600];

	sp_init(&sp, 0);
	snprintf(body, sizeof(body), "{\"customDomain\":\"%s\"}", value);
	if (apply(&sp, body, 0, &v) != 0 ||
	    (want == NULL) != has_verr(&v, VERR_INVALID, "/customDomain") ||
	    (want != NULL && strcmp(sp.custom_domain, want) != 0)) {
		fprintf(stderr, "%s:%d: customDomain \"%s\": %zu errors, "
		    "stored \"%s\"\n", __FILE__, line, value, v.n,
		    sp.custom_domain);
		unit_current_failed = 1;
	}
}

#define DOMAIN_OK(v, want)	check_domain((v), (want), __LINE__)
#define DOMAIN_BAD(v)		check_domain((v), NULL, __LINE__)

static void
test_domains(void)
{
	char	 d[300];

	t_open();
	snprintf(cfg.public_url, sizeof(cfg.public_url),
	    "https://Uptime.Example.com:8443/uptime");
	DOMAIN_OK("status.acme.com", "status.acme.com");
	DOMAIN_OK("Status.ACME.com", "status.acme.com");
	DOMAIN_OK("x1.io", "x1.io");
	DOMAIN_OK("a-b.c-d.example", "a-b.c-d.example");
	DOMAIN_OK("1.2.3.com", "1.2.3.com");
	/*
	 * 235 characters in labels of 63, 63, 63 and 43: the most whose
	 * "_uptime-challenge." name fits in 253.
	 */
	memset(d, 'a', 253);
	d[63] = d[127] = d[191] = '.';
	d[235] = '\0';
	DOMAIN_OK(d, d);
	/* Negative. */
	d[235] = 'a';
	d[236] = '\0';
	DOMAIN_BAD(d);
	d[253] = '\0';
	DOMAIN_BAD(d);
	DOMAIN_BAD("localhost");
	DOMAIN_BAD("10.0.0.1");
	DOMAIN_BAD("a.123");
	DOMAIN_BAD("-a.com");
	DOMAIN_BAD("a-.com");
	DOMAIN_BAD("a..com");
	DOMAIN_BAD(".a.com");
	DOMAIN_BAD("a.com.");
	DOMAIN_BAD("a_b.com");
	DOMAIN_BAD("a b.com");
	DOMAIN_BAD("a.com:80");
	DOMAIN_BAD("st\xc3\xa4tus.com");
	DOMAIN_BAD("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    ".com");
	/* The service's own host, in any case. */
	DOMAIN_BAD("uptime.example.com");
	DOMAIN_BAD("UPTIME.example.COM");
	DOMAIN_OK("status.example.com", "status.example.com");
	cfg.public_url[0] = '\0';
	t_close();
}

/*
 * The TXT record a team publishes: its name, a value of the team and the
 * domain; a new domain must be verified afresh, the same one stays.
 */
static void
test_domain_challenge(void)
{
	struct status_page	 a, b;
	struct verrs		 v;
	char			 name[SP_DOMAINMAX + 1], va[SP_DOMAINMAX + 1];
	char			 vb[SP_DOMAINMAX + 1];
	cJSON			*o, *ver;

	t_open();
	sp_init(&a, 0);
	snprintf(a.team_id, sizeof(a.team_id), "team_a");
	CHECK_INT(apply(&a, "{\"customDomain\":\"Status.Acme.com\"}", 1, &v),
	    0);
	CHECK_INT(sp_domain_status(&a), SP_DOMAIN_PENDING);
	sp_domain_challenge(&a, name, sizeof(name), va, sizeof(va));
	CHECK_STR(name, "_uptime-challenge.status.acme.com");
	CHECK_INT(strlen(va), strlen("uptime-verify=") + 32);
	CHECK(strncmp(va, "uptime-verify=", 14) == 0);
	CHECK_INT(strspn(va + 14, "0123456789abcdef"), 32);

	/* Another team, same domain: another value. */
	b = a;
	snprintf(b.team_id, sizeof(b.team_id), "team_b");
	sp_domain_challenge(&b, name, sizeof(name), vb, sizeof(vb));
	CHECK(strcmp(va, vb) != 0);
	/* Same team, another domain: another value. */
	snprintf(b.team_id, sizeof(b.team_id), "team_a");
	snprintf(b.custom_domain, sizeof(b.custom_domain), "status2.acme.com");
	sp_domain_challenge(&b, name, sizeof(name), vb, sizeof(vb));
	CHECK(strcmp(va, vb) != 0);

	/* Verified, the same domain again keeps it; a new one does not. */
	sp_domain_result(&a, 1, "", 1000);
	CHECK_INT(apply(&a, "{\"customDomain\":\"status.ACME.com\"}", 0, &v),
	    0);
	CHECK_INT(sp_domain_status(&a), SP_DOMAIN_VERIFIED);
	o = sp_json(&a, no_states);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o,
	    "customDomainStatus")), "verified");
	ver = cJSON_GetObjectItem(o, "customDomainVerification");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(ver,
	    "recordValue")), va);
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(ver, "error")));
	cJSON_Delete(o);
	CHECK_INT(apply(&a, "{\"customDomain\":\"status.other.com\"}", 0,
	    &v), 0);
	CHECK_INT(sp_domain_status(&a), SP_DOMAIN_PENDING);
	CHECK_STR(a.verified_domain, "");
	CHECK_INT(a.domain_checked_at, 0);
	/* Failed, then cleared: no status, no record. */
	sp_domain_result(&a, 0, "No TXT record", 2000);
	CHECK_INT(sp_domain_status(&a), SP_DOMAIN_FAILED);
	CHECK_INT(apply(&a, "{\"customDomain\":null}", 0, &v), 0);
	CHECK_INT(sp_domain_status(&a), SP_DOMAIN_NONE);
	CHECK_STR(a.domain_error, "");
	o = sp_json(&a, no_states);
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(o, "customDomainStatus")));
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(o, "customDomainVerification")));
	cJSON_Delete(o);
	sp_free(&a);
	t_close();
}

static void
test_components(void)
{
	struct status_page	 sp;
	struct verrs		 v;
	char			 body[8192];
	size_t			 n;
	int			 i;

	t_open();
	sp_init(&sp, 0);
	snprintf(sp.team_id, sizeof(sp.team_id), "team_t");
	CHECK_INT(apply(&sp, "{\"components\":[{\"monitorId\":\"" MON_B "\","
	    "\"group\":\"G\"},{\"monitorId\":\"" MON_A "\",\"displayName\":"
	    "\"A!\",\"group\":null}]}", 0, &v), 0);
	CHECK_INT(v.n, 0);
	CHECK_INT(sp.components_given, 1);
	CHECK_INT(sp.ncomponents, 2);
	CHECK_STR(sp.components[0].monitor_id, MON_B);
	CHECK_STR(sp.components[0].display_name, "Beta");
	CHECK_STR(sp.components[0].group, "G");
	CHECK_STR(sp.components[1].display_name, "A!");
	CHECK_STR(sp.components[1].group, "");
	CHECK_STR(sp.components[1].id, "");

	/* Negative: another team's monitor, a missing one, a repeat, a
	 * foreign id, an unknown member; the list stays as it was. */
	CHECK_INT(apply(&sp, "{\"components\":[{\"monitorId\":\"" MON_A "\"},"
	    "{\"monitorId\":\"" MON_U "\"},{\"monitorId\":\"mon_x\"},"
	    "{\"monitorId\":\"" MON_A "\"},{\"monitorId\":\"" MON_B "\","
	    "\"id\":\"cmp_AAAAAAAAAAAAAAAAAAAA\",\"shade\":1},{}, 5]}", 0, &v),
	    0);
	CHECK(!has_verr(&v, VERR_INVALID, "/components/0/monitorId"));
	CHECK(has_verr(&v, VERR_INVALID, "/components/1/monitorId"));
	CHECK(has_verr(&v, VERR_INVALID, "/components/2/monitorId"));
	CHECK(has_verr(&v, VERR_INVALID, "/components/3/monitorId"));
	CHECK(has_verr(&v, VERR_INVALID, "/components/4/id"));
	CHECK(has_verr(&v, VERR_UNKNOWN, "/components/4/shade"));
	CHECK(has_verr(&v, VERR_INVALID, "/components/5/monitorId"));
	CHECK(has_verr(&v, VERR_INVALID, "/components/6"));
	CHECK_INT(sp.ncomponents, 2);
	CHECK_STR(sp.components[0].monitor_id, MON_B);

	/* 101 items: refused as a whole. */
	n = (size_t)snprintf(body, sizeof(body), "{\"components\":[");
	for (i = 0; i < 101; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n,
		    "%s{\"monitorId\":\"" MON_A "\"}", i ? "," : "");
	snprintf(body + n, sizeof(body) - n, "]}");
	CHECK_INT(apply(&sp, body, 0, &v), 0);
	CHECK(has_verr(&v, VERR_INVALID, "/components"));
	CHECK_INT(v.n, 1);
	sp_free(&sp);
	t_close();
}

static void
test_store(void)
{
	struct status_page	 sp, got;
	struct verrs		 v;
	char			 keep[ID_MAX], gone[ID_MAX], body[512];
	const char		*field;
	int			 rc;

	t_open();
	sp_init(&sp, 5000);
	snprintf(sp.team_id, sizeof(sp.team_id), "team_t");
	CHECK_INT(apply(&sp, "{\"name\":\"N\",\"slug\":\"store\","
	    "\"customDomain\":\"status.store.example\",\"components\":["
	    "{\"monitorId\":\"" MON_A "\"},{\"monitorId\":\"" MON_B "\"}]}",
	    1, &v), 0);
	CHECK_INT(v.n, 0);
	CHECK_INT(sp_insert(udb, &sp), DB_OK);
	CHECK(id_valid(sp.id, "sp"));
	CHECK(id_valid(sp.components[0].id, "cmp"));
	CHECK(id_valid(sp.components[1].id, "cmp"));
	snprintf(gone, sizeof(gone), "%s", sp.components[0].id);
	snprintf(keep, sizeof(keep), "%s", sp.components[1].id);

	CHECK_INT(sp_get(udb, "team_t", sp.id, &got), DB_OK);
	CHECK_STR(got.slug, "store");
	CHECK_STR(got.custom_domain, "status.store.example");
	CHECK_INT(got.created_at, 5000);
	CHECK_INT(got.ncomponents, 2);
	CHECK_STR(got.components[0].id, gone);
	sp_free(&got);
	/* Negative: another team, an unknown id. */
	CHECK_INT(sp_get(udb, "team_u", sp.id, &got), DB_NOTFOUND);
	CHECK_INT(sp_get(udb, "team_t", "sp_AAAAAAAAAAAAAAAAAAAA", &got),
	    DB_NOTFOUND);
	CHECK_INT(sp_by_slug(udb, "store", &got), DB_OK);
	sp_free(&got);
	/* Negative: a domain is not served before it is verified. */
	CHECK_INT(sp_domain_status(&sp), SP_DOMAIN_PENDING);
	CHECK_INT(sp_by_domain(udb, "status.store.example", &got),
	    DB_NOTFOUND);
	sp_domain_result(&sp, 0, "No TXT record", 5500);
	CHECK_INT(sp_domain_status(&sp), SP_DOMAIN_FAILED);
	CHECK_INT(sp_update(udb, &sp), DB_OK);
	CHECK_INT(sp_by_domain(udb, "status.store.example", &got),
	    DB_NOTFOUND);
	sp_domain_result(&sp, 1, "", 5600);
	CHECK_INT(sp_domain_status(&sp), SP_DOMAIN_VERIFIED);
	CHECK_INT(sp_update(udb, &sp), DB_OK);
	CHECK_INT(sp_by_domain(udb, "status.store.example", &got), DB_OK);
	CHECK_STR(got.id, sp.id);
	CHECK_STR(got.verified_domain, "status.store.example");
	CHECK_INT(got.domain_checked_at, 5600);
	CHECK_STR(got.domain_error, "");
	sp_free(&got);
	CHECK_INT(sp_by_domain(udb, "other.example", &got), DB_NOTFOUND);

	/* Replace: the kept one first and renamed, a new one, the other
	 * gone. */
	snprintf(body, sizeof(body), "{\"components\":[{\"id\":\"%s\","
	    "\"monitorId\":\"" MON_B "\",\"displayName\":\"Kept\"},"
	    "{\"monitorId\":\"" MON_A "\"}]}", keep);
	{
		cJSON *b = cJSON_Parse(body);

		memset(&v, 0, sizeof(v));
		CHECK_INT(sp_apply_components(udb, &sp, b, &v), 0);
		cJSON_Delete(b);
	}
	CHECK_INT(v.n, 0);
	sp.updated_at = 6000;
	CHECK_INT(sp_update(udb, &sp), DB_OK);
	CHECK_INT(sp_get(udb, "team_t", sp.id, &got), DB_OK);
	CHECK_INT(got.ncomponents, 2);
	CHECK_STR(got.components[0].id, keep);
	CHECK_STR(got.components[0].display_name, "Kept");
	CHECK(strcmp(got.components[1].id, gone) != 0);
	CHECK(id_valid(got.components[1].id, "cmp"));
	CHECK_INT(got.updated_at, 6000);
	sp_free(&got);
	snprintf(body, sizeof(body), "SELECT count(*) FROM "
	    "status_page_components WHERE id = '%s'", gone);
	CHECK_INT(udb_int(body), 0);
	/* Positions are rewritten: 0 and 1. */
	CHECK_INT(udb_int("SELECT count(*) FROM status_page_components WHERE "
	    "position IN (0, 1)"), 2);

	/*
	 * Uniqueness: another page may not take the slug, nor the domain
	 * this one has verified.
	 */
	{
		struct status_page o;

		sp_init(&o, 0);
		snprintf(o.team_id, sizeof(o.team_id), "team_u");
		snprintf(o.slug, sizeof(o.slug), "store");
		CHECK_STR(sp_taken(udb, &o, &rc), "slug");
		CHECK_INT(rc, DB_OK);
		snprintf(o.slug, sizeof(o.slug), "other");
		snprintf(o.custom_domain, sizeof(o.custom_domain),
		    "status.store.example");
		CHECK_STR(sp_taken(udb, &o, &rc), "customDomain");
		o.custom_domain[0] = '\0';
		CHECK(sp_taken(udb, &o, &rc) == NULL);
		/* A page does not collide with itself. */
		field = sp_taken(udb, &sp, &rc);
		CHECK(field == NULL);
		/* The constraint is the last guard. */
		snprintf(o.slug, sizeof(o.slug), "store");
		CHECK_INT(sp_insert(udb, &o), DB_CONFLICT);
		sp_free(&o);
	}

	/* Deleting a monitor takes its component off; deleting the page
	 * takes the rest. */
	udb_sql("DELETE FROM monitors WHERE id = '" MON_A "'");
	CHECK_INT(sp_get(udb, "team_t", sp.id, &got), DB_OK);
	CHECK_INT(got.ncomponents, 1);
	sp_free(&got);
	CHECK_INT(sp_delete(udb, "team_u", sp.id), DB_NOTFOUND);
	CHECK_INT(sp_delete(udb, "team_t", sp.id), DB_OK);
	CHECK_INT(udb_int("SELECT count(*) FROM status_page_components"), 0);
	CHECK_INT(sp_delete(udb, "team_t", sp.id), DB_NOTFOUND);
	sp_free(&sp);
	t_close();
}

/* Component states for the list: all unknown here. */
static int
unknown_states(struct db *db, const struct status_page *sp, int64_t now,
    enum health *states)
{
	(void)db, (void)now;
	memset(states, 0, sp->ncomponents * sizeof(*states));
	return DB_OK;
}

/* How many of team_t's pages a list gives, n at most, after pg. */
static int
count_pages(const struct page *pg, int n, int *count)
{
	struct ulist	 u;
	int		 rc;

	rc = sp_list(udb, "team_t", unknown_states, ulist(&u, pg, n, 0));
	*count = ulist_n(&u);
	ulist_free(&u);
	return rc;
}

static void
test_list(void)
{
	struct status_page	 sp;
	struct page		 pg;
	char			 slug[32];
	int			 i, n;

	t_open();
	for (i = 0; i < 5; i++) {
		sp_init(&sp, 100 + i);
		snprintf(sp.team_id, sizeof(sp.team_id), "%s",
		    i < 3 ? "team_t" : "team_u");
		snprintf(sp.name, sizeof(sp.name), "p%d", i);
		snprintf(slug, sizeof(slug), "page-%d", i);
		snprintf(sp.slug, sizeof(sp.slug), "%s", slug);
		CHECK_INT(sp_insert(udb, &sp), DB_OK);
		sp_free(&sp);
	}
	memset(&pg, 0, sizeof(pg));
	n = 0;
	CHECK_INT(count_pages(&pg, 10, &n), DB_OK);
	CHECK_INT(n, 3);
	n = 0;
	CHECK_INT(count_pages(&pg, 2, &n), DB_OK);
	CHECK_INT(n, 2);
	/* After a cursor at the newest: the two older ones. */
	pg.has_cursor = 1;
	pg.c_time = 102;
	snprintf(pg.c_id, sizeof(pg.c_id), "sp_zzzzzzzzzzzzzzzzzzzz");
	n = 0;
	CHECK_INT(count_pages(&pg, 10, &n), DB_OK);
	CHECK_INT(n, 3);
	snprintf(pg.c_id, sizeof(pg.c_id), "sp_00000000000000000000");
	n = 0;
	CHECK_INT(count_pages(&pg, 10, &n), DB_OK);
	CHECK_INT(n, 2);
	t_close();
}

int
main(void)
{
	if (sodium_init() == -1)
		return 1;
	UNIT_RUN(test_slug);
	UNIT_RUN(test_apply_defaults);
	UNIT_RUN(test_logo_banner);
	UNIT_RUN(test_domains);
	UNIT_RUN(test_domain_challenge);
	UNIT_RUN(test_components);
	UNIT_RUN(test_store);
	UNIT_RUN(test_list);
	return unit_finish();
}
