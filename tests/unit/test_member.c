/*
 * Unit tests of lib/member.c and lib/invite.c on a fresh database:
 * members (unique address per team, team isolation, owners, the role
 * getter, list order, filter and cursor, JSON), the role rules (the
 * scopes a role grants, a key's scopes under its holder's role, who may
 * give or change which role), invitations (status from
 * the times, the token stored as a keyed hash only, renew, revoke,
 * accept only while pending, list filters at the expiry boundary, JSON
 * without the token) and the failed-accept counter's windows.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "uptime.h"
#include "member.h"
#include "invite.h"
#include "unit.h"
#include "unit_list.h"

#define NOW	1771070400000LL
#define MIN	60000LL

static char	 dir[] = "/tmp/uptime-unit-member-XXXXXX";
static char	 dbpath[128];
static struct db *db;

static int
setup(void)
{
	static const char hex[] = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
	    "00112233445566778899aabbccddeeff";
	char	 path[128], err[512];
	int	 fd, ok;

	if (sodium_init() == -1 || mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/secret", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1)
		return -1;
	ok = write(fd, hex, 64) == 64;
	close(fd);
	if (!ok || auth_load_secret(path, err, sizeof(err)) == -1) {
		fprintf(stderr, "secret: %s\n", ok ? err : "cannot write");
		return -1;
	}
	unlink(path);
	snprintf(dbpath, sizeof(dbpath), "%s/member.db", dir);
	if ((db = db_open(dbpath, 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "db_open: %s\n", err);
		return -1;
	}
	return 0;
}

static void
teardown(void)
{
	char	 p[160];

	db_close(db);
	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
	rmdir(dir);
}

static long long
count(const char *sql)
{
	sqlite3_stmt	*st;
	long long	 n = -1;

	if (sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int
add_member(const char *team, const char *email, enum member_role role,
    int64_t at, struct member *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->team_id, sizeof(m->team_id), "%s", team);
	snprintf(m->email, sizeof(m->email), "%s", email);
	snprintf(m->name, sizeof(m->name), "Name of %s", email);
	m->role = role;
	m->joined_at = at;
	return member_insert(db, m);
}

/* The emails of a list's items, each followed by a space, into out. */
static int
emails(int rc, struct ulist *u, char *out)
{
	int	 i;

	out[0] = '\0';
	for (i = 0; i < ulist_n(u); i++) {
		strcat(out, ulist_str(u, i, "email"));
		strcat(out, " ");
	}
	ulist_free(u);
	return rc;
}

static void
test_members(void)
{
	struct team	 t, t2;
	struct member	 a, b, c, got;
	struct page	 pg;
	struct ulist	 u;
	char		 out[512];
	long		 owners = -1;

	CHECK_INT(team_create(db, "Members", &t), DB_OK);
	CHECK_INT(team_create(db, "Others", &t2), DB_OK);
	CHECK_INT(add_member(t.id, "a@x.test", ROLE_OWNER, NOW, &a), DB_OK);
	CHECK(id_valid(a.id, "mem"));
	CHECK_INT(add_member(t.id, "b@x.test", ROLE_VIEWER, NOW + 1, &b),
	    DB_OK);
	CHECK_INT(add_member(t.id, "c@x.test", ROLE_VIEWER, NOW + 1, &c),
	    DB_OK);
	/* One address once per team; another team may have it. */
	CHECK_INT(add_member(t.id, "a@x.test", ROLE_ADMIN, NOW, &got),
	    DB_CONFLICT);
	CHECK_INT(add_member(t2.id, "a@x.test", ROLE_ADMIN, NOW, &got), DB_OK);
	CHECK_INT(add_member("team_AAAAAAAAAAAAAAAAAAAA", "z@x.test",
	    ROLE_ADMIN, NOW, &got), DB_CONFLICT);

	CHECK_INT(member_get(db, t.id, b.id, &got), DB_OK);
	CHECK_STR(got.email, "b@x.test");
	CHECK_INT(got.role, ROLE_VIEWER);
	CHECK_INT(got.joined_at, NOW + 1);
	CHECK_INT(member_get(db, t2.id, b.id, &got), DB_NOTFOUND);
	CHECK_INT(member_by_email(db, t.id, "c@x.test", &got), DB_OK);
	CHECK_STR(got.id, c.id);
	CHECK_INT(member_by_email(db, t.id, "C@x.test", &got), DB_NOTFOUND);

	CHECK_INT(member_owners(db, t.id, &owners), DB_OK);
	CHECK_INT(owners, 1);
	b.role = ROLE_OWNER;
	snprintf(b.name, sizeof(b.name), "Bea");
	CHECK_INT(member_update(db, &b), DB_OK);
	CHECK_INT(member_owners(db, t.id, &owners), DB_OK);
	CHECK_INT(owners, 2);
	CHECK_INT(member_get(db, t.id, b.id, &got), DB_OK);
	CHECK_STR(got.name, "Bea");
	CHECK_INT(got.role, ROLE_OWNER);
	/* Another team's id changes nothing. */
	snprintf(got.team_id, sizeof(got.team_id), "%s", t2.id);
	CHECK_INT(member_update(db, &got), DB_NOTFOUND);
	CHECK_INT(member_delete(db, t2.id, b.id), DB_NOTFOUND);

	/* Newest first, ties by id; role filter; cursor; a stopping fn. */
	memset(&pg, 0, sizeof(pg));
	out[0] = '\0';
	CHECK_INT(emails(member_list(db, t.id, -1, ulist(&u, &pg, 10, NOW)),
	    &u, out), DB_OK);
	CHECK_STR(out, strcmp(b.id, c.id) > 0 ? "b@x.test c@x.test a@x.test " :
	    "c@x.test b@x.test a@x.test ");
	out[0] = '\0';
	CHECK_INT(emails(member_list(db, t.id, ROLE_VIEWER, ulist(&u, &pg, 10,
	    NOW)), &u, out), DB_OK);
	CHECK_STR(out, "c@x.test ");
	pg.has_cursor = 1;
	pg.c_time = NOW + 1;
	snprintf(pg.c_id, sizeof(pg.c_id), "%s", strcmp(b.id, c.id) > 0 ?
	    c.id : b.id);
	out[0] = '\0';
	CHECK_INT(emails(member_list(db, t.id, -1, ulist(&u, &pg, 10, NOW)),
	    &u, out), DB_OK);
	CHECK_STR(out, "a@x.test ");

	CHECK_INT(member_delete(db, t.id, c.id), DB_OK);
	CHECK_INT(member_get(db, t.id, c.id, &got), DB_NOTFOUND);
	CHECK_INT(member_delete(db, t.id, c.id), DB_NOTFOUND);

	{
		cJSON	*o = member_json(&a);
		char	*s = cJSON_PrintUnformatted(o);
		char	 want[256];

		snprintf(want, sizeof(want), "{\"id\":\"%s\",\"email\":"
		    "\"a@x.test\",\"name\":\"Name of a@x.test\",\"role\":"
		    "\"owner\",\"joinedAt\":\"2026-02-14T12:00:00.000Z\"}",
		    a.id);
		CHECK_STR(s, want);
		free(s);
		cJSON_Delete(o);
	}
}

static void
test_role_get(void)
{
	struct verrs	 v = { 0 };
	enum member_role r = ROLE_MEMBER;
	cJSON		*o;

	CHECK_INT(member_role_find("viewer"), ROLE_VIEWER);
	CHECK_INT(member_role_find("Viewer"), -1);
	CHECK_INT(member_role_find(""), -1);
	o = cJSON_Parse("{\"role\":\"admin\"}");
	CHECK_INT(member_role_get(o, JREQ, &v, &r), 1);
	CHECK_INT(r, ROLE_ADMIN);
	cJSON_Delete(o);
	o = cJSON_Parse("{}");
	CHECK_INT(member_role_get(o, 0, &v, &r), 0);
	CHECK_INT(v.n, 0);
	CHECK_INT(member_role_get(o, JREQ, &v, &r), -1);
	CHECK_INT(v.n, 1);
	cJSON_Delete(o);
	memset(&v, 0, sizeof(v));
	o = cJSON_Parse("{\"role\":null}");
	CHECK_INT(member_role_get(o, 0, &v, &r), -1);
	cJSON_Delete(o);
	o = cJSON_Parse("{\"role\":\"root\"}");
	CHECK_INT(member_role_get(o, 0, &v, &r), -1);
	cJSON_Delete(o);
	o = cJSON_Parse("{\"role\":3}");
	CHECK_INT(member_role_get(o, 0, &v, &r), -1);
	cJSON_Delete(o);
	CHECK_INT(v.n, 1);		/* one error per field */
	CHECK_STR(v.e[0].pointer, "/role");
	CHECK_INT(r, ROLE_ADMIN);	/* untouched by refusals */
}

static int
new_invite(const char *team, const char *email, int64_t now,
    int64_t expires, char *token, struct invite *inv)
{
	memset(inv, 0, sizeof(*inv));
	snprintf(inv->team_id, sizeof(inv->team_id), "%s", team);
	snprintf(inv->email, sizeof(inv->email), "%s", email);
	inv->role = ROLE_ADMIN;
	inv->expires_at = expires;
	invite_token_new(token);
	return invite_insert(db, inv, token, now);
}

/* The invitations of team in status st at now, as "a b c ". */
static const char *
listed(const char *team, enum invite_status st, int64_t now)
{
	static char	 out[512];
	struct page	 pg;
	struct ulist	 u;

	memset(&pg, 0, sizeof(pg));
	out[0] = '\0';
	if (emails(invite_list(db, team, st, ulist(&u, &pg, 50, now)), &u,
	    out) != DB_OK)
		return "(error)";
	return out;
}

static void
test_invites(void)
{
	struct team	 t, t2;
	struct invite	 p, x, r, a, got;
	char		 tp[INVITE_TOKEN_LEN + 1], tx[INVITE_TOKEN_LEN + 1];
	char		 tr[INVITE_TOKEN_LEN + 1], ta[INVITE_TOKEN_LEN + 1];
	char		 tn[INVITE_TOKEN_LEN + 1], sql[256];
	char		 hex[KEY_HASHLEN * 2 + 1];
	unsigned char	 h[KEY_HASHLEN], hk[KEY_HASHLEN];

	CHECK_INT(team_create(db, "Invites", &t), DB_OK);
	CHECK_INT(team_create(db, "Elsewhere", &t2), DB_OK);
	CHECK_INT(new_invite(t.id, "p@x.test", NOW, NOW + 10 * MIN, tp, &p),
	    DB_OK);
	CHECK(id_valid(p.id, "inv"));
	CHECK(invite_token_valid(tp));
	CHECK_INT(p.created_at, NOW);
	CHECK_INT(new_invite(t.id, "x@x.test", NOW + 1, NOW + 5 * MIN, tx, &x),
	    DB_OK);
	CHECK_INT(new_invite(t.id, "r@x.test", NOW + 2, NOW + 10 * MIN, tr,
	    &r), DB_OK);
	CHECK_INT(new_invite(t.id, "a@x.test", NOW + 3, NOW + 10 * MIN, ta,
	    &a), DB_OK);

	/* Only the keyed hash is stored, in the "invite" domain. */
	token_hash("invite", tp, h);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM invites WHERE "
	    "token_hash = x'%s' AND id = '%s'", hex, p.id);
	CHECK_INT(count(sql), 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM invites WHERE "
	    "instr(id || email || role || quote(token_hash), '%s') > 0", tp);
	CHECK_INT(count(sql), 0);
	key_hash(tp, hk);
	CHECK(memcmp(h, hk, KEY_HASHLEN) != 0);
	token_hash("other", tp, hk);
	CHECK(memcmp(h, hk, KEY_HASHLEN) != 0);
	CHECK_INT(invite_by_token(db, tp, &got), DB_OK);
	CHECK_STR(got.id, p.id);
	CHECK_STR(got.email, "p@x.test");
	CHECK_INT(got.role, ROLE_ADMIN);
	CHECK_INT(invite_by_token(db, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &got),
	    DB_NOTFOUND);
	CHECK_INT(invite_get(db, t2.id, p.id, &got), DB_NOTFOUND);

	/* Status from the times, with the expiry boundary. */
	CHECK_INT(invite_revoke(db, &r, NOW + 100), DB_OK);
	CHECK_INT(invite_revoke(db, &r, NOW + 200), DB_NOTFOUND);
	CHECK_INT(invite_get(db, t.id, r.id, &got), DB_OK);
	CHECK_INT(got.revoked_at, NOW + 100);
	CHECK_INT(invite_accept(db, &a, NOW + 100), DB_OK);
	CHECK_INT(invite_accept(db, &a, NOW + 101), DB_NOTFOUND);
	CHECK_INT(invite_revoke(db, &a, NOW + 102), DB_NOTFOUND);
	CHECK_INT(invite_accept(db, &r, NOW + 101), DB_NOTFOUND);
	CHECK_INT(invite_accept(db, &x, NOW + 5 * MIN), DB_NOTFOUND);
	CHECK_INT(invite_status(&p, NOW), INV_PENDING);
	CHECK_INT(invite_status(&x, NOW + 5 * MIN - 1), INV_PENDING);
	CHECK_INT(invite_status(&x, NOW + 5 * MIN), INV_EXPIRED);
	CHECK_INT(invite_status(&r, NOW), INV_REVOKED);
	CHECK_INT(invite_status(&a, NOW + 20 * MIN), INV_ACCEPTED);
	CHECK_STR(listed(t.id, INV_PENDING, NOW + 5 * MIN - 1),
	    "x@x.test p@x.test ");
	CHECK_STR(listed(t.id, INV_PENDING, NOW + 5 * MIN), "p@x.test ");
	CHECK_STR(listed(t.id, INV_EXPIRED, NOW + 5 * MIN), "x@x.test ");
	CHECK_STR(listed(t.id, INV_REVOKED, NOW), "r@x.test ");
	CHECK_STR(listed(t.id, INV_ACCEPTED, NOW), "a@x.test ");
	CHECK_STR(listed(t.id, INV_ALL, NOW),
	    "a@x.test r@x.test x@x.test p@x.test ");
	CHECK_STR(listed(t2.id, INV_ALL, NOW), "");

	/* Pending for an address: only while pending. */
	CHECK_INT(invite_pending_for(db, t.id, "x@x.test", NOW, &got), DB_OK);
	CHECK_INT(invite_pending_for(db, t.id, "x@x.test", NOW + 5 * MIN,
	    &got), DB_NOTFOUND);
	CHECK_INT(invite_pending_for(db, t.id, "r@x.test", NOW, &got),
	    DB_NOTFOUND);
	CHECK_INT(invite_pending_for(db, t2.id, "p@x.test", NOW, &got),
	    DB_NOTFOUND);

	/* Renew: the old token stops working, the new one works. */
	x.expires_at = NOW + 60 * MIN;
	invite_token_new(tn);
	CHECK(strcmp(tn, tx) != 0);
	CHECK_INT(invite_renew(db, &x, tn), DB_OK);
	CHECK_INT(invite_by_token(db, tx, &got), DB_NOTFOUND);
	CHECK_INT(invite_by_token(db, tn, &got), DB_OK);
	CHECK_INT(got.expires_at, NOW + 60 * MIN);
	CHECK_INT(invite_status(&got, NOW + 30 * MIN), INV_PENDING);

	/* Token shapes. */
	CHECK(!invite_token_valid(""));
	CHECK(!invite_token_valid("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
	CHECK(!invite_token_valid("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
	CHECK(!invite_token_valid("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!"));

	{
		cJSON	*o = invite_json(&p, NOW);
		char	*s = cJSON_PrintUnformatted(o);
		char	 want[512];

		snprintf(want, sizeof(want), "{\"id\":\"%s\",\"email\":"
		    "\"p@x.test\",\"role\":\"admin\",\"status\":\"pending\","
		    "\"expiresAt\":\"2026-02-14T12:10:00.000Z\",\"createdAt\":"
		    "\"2026-02-14T12:00:00.000Z\",\"acceptedAt\":null,"
		    "\"revokedAt\":null,\"createdByKeyId\":null}", p.id);
		CHECK_STR(s, want);
		CHECK(strstr(s, tp) == NULL);
		free(s);
		cJSON_Delete(o);
	}
}

static void
test_throttle(void)
{
	int	 i, retry = -1;

	CHECK_INT(invite_throttled(db, "10.0.0.1", NOW, &retry), 0);
	CHECK_INT(retry, 0);
	for (i = 0; i < INVITE_ACCEPT_FAILS - 1; i++)
		CHECK_INT(invite_failed(db, "10.0.0.1", NOW + i), DB_OK);
	CHECK_INT(invite_throttled(db, "10.0.0.1", NOW + 20, &retry), 0);
	CHECK_INT(invite_failed(db, "10.0.0.1", NOW + 1000), DB_OK);
	CHECK_INT(invite_throttled(db, "10.0.0.1", NOW + 1000, &retry), 1);
	CHECK_INT(retry, 59);	/* the window began at NOW */
	CHECK_INT(invite_throttled(db, "10.0.0.1", NOW + 30500, &retry), 1);
	CHECK_INT(retry, 30);
	CHECK_INT(invite_throttled(db, "10.0.0.2", NOW + 1000, &retry), 0);
	CHECK_INT(invite_throttled(db, "", NOW + 1000, &retry), 0);
	/* The window ends: free again, and the next failure starts anew. */
	CHECK_INT(invite_throttled(db, "10.0.0.1", NOW + MIN, &retry), 0);
	CHECK_INT(invite_failed(db, "10.0.0.1", NOW + MIN), DB_OK);
	CHECK_INT(count("SELECT failures FROM invite_accept_failures WHERE "
	    "ip = '10.0.0.1'"), 1);
	/* Old windows of other addresses are forgotten on the way. */
	CHECK_INT(invite_failed(db, "10.0.0.3", NOW), DB_OK);
	CHECK_INT(invite_failed(db, "10.0.0.4", NOW + 3 * MIN), DB_OK);
	CHECK_INT(count("SELECT count(*) FROM invite_accept_failures"), 1);
}

/* An IPv6 client is its /64; one written IPv4-mapped is its IPv4 address. */
static void
test_throttle_client(void)
{
	const int64_t	 t = NOW + 10 * MIN;	/* the earlier windows ended */
	char		 addr[64];
	int		 i, retry = -1;

	for (i = 0; i < INVITE_ACCEPT_FAILS; i++) {
		snprintf(addr, sizeof(addr), "2001:db8:5:6:%x::%x", i, i + 1);
		CHECK_INT(invite_throttled(db, addr, t + i, &retry), 0);
		CHECK_INT(invite_failed(db, addr, t + i), DB_OK);
	}
	CHECK_INT(invite_throttled(db, "2001:db8:5:6:ffff::1", t + 20,
	    &retry), 1);
	CHECK_INT(invite_throttled(db, "2001:db8:5:6::1%eth0", t + 20,
	    &retry), 1);
	CHECK_INT(invite_throttled(db, "2001:db8:5:7::1", t + 20, &retry), 0);
	for (i = 0; i < INVITE_ACCEPT_FAILS; i++)
		CHECK_INT(invite_failed(db, i % 2 ? "::ffff:198.51.100.9" :
		    "198.51.100.9", t + i), DB_OK);
	CHECK_INT(invite_throttled(db, "198.51.100.9", t + 20, &retry), 1);
	CHECK_INT(invite_throttled(db, "::ffff:198.51.100.9", t + 20, &retry),
	    1);
	CHECK_INT(invite_throttled(db, "198.51.100.10", t + 20, &retry), 0);
	CHECK_INT(count("SELECT count(*) FROM invite_accept_failures"), 2);
}

/* The scopes of each role, by name: the rule people and their keys share. */
static void
test_role_scopes(void)
{
	static const char *const want[ROLE__MAX] = {
		"all",
		"monitors:read,monitors:write,alerts:read,alerts:write,"
		"status-pages:read,status-pages:write,maintenance:read,"
		"maintenance:write,team:read,team:write,api-keys:read,"
		"api-keys:write",
		"monitors:read,monitors:write,alerts:read,alerts:write,"
		"status-pages:read,status-pages:write,maintenance:read,"
		"maintenance:write,team:read",
		"monitors:read,alerts:read,status-pages:read,maintenance:read,"
		"team:read",
	};
	unsigned	 mask;
	int		 i;

	for (i = 0; i < ROLE__MAX; i++) {
		CHECK(scope_parse_list(want[i], &mask) == 0);
		CHECK(member_role_scopes((enum member_role)i) == mask);
	}
	/* A viewer reads everything but the keys. */
	CHECK(!(member_role_scopes(ROLE_VIEWER) &
	    (1u << SCOPE_API_KEYS_READ)));
}

/*
 * A key acts with the scopes it holds and its holder's role grants: a
 * demoted holder's key loses what the new role lacks, a removed
 * holder's key everything; a key with no holder acts as an owner.
 */
static void
test_key_scopes(void)
{
	unsigned	 all = SCOPES_ALL, some;
	int		 i;

	for (i = 0; i < ROLE__MAX; i++)
		CHECK(member_key_scopes(all, i) == member_role_scopes(
		    (enum member_role)i));
	CHECK(member_key_scopes(all, ROLE_OWNER) == all);
	some = (1u << SCOPE_MONITORS_READ) | (1u << SCOPE_TEAM_WRITE) |
	    (1u << SCOPE_API_KEYS_WRITE);
	CHECK(member_key_scopes(some, ROLE_ADMIN) == some);
	CHECK(member_key_scopes(some, ROLE_MEMBER) ==
	    (1u << SCOPE_MONITORS_READ));
	CHECK(member_key_scopes(some, ROLE_VIEWER) ==
	    (1u << SCOPE_MONITORS_READ));
	CHECK(member_key_scopes(0, ROLE_OWNER) == 0);
	/* Negative: a holder who is no longer a member, or a bad role. */
	CHECK(member_key_scopes(all, -1) == 0);
	CHECK(member_key_scopes(all, ROLE__MAX) == 0);
}

/*
 * Who may invite, promote, demote or remove whom: never above one's own
 * role, never a member above one's own role; only owners for owners.
 */
static void
test_may_set(void)
{
	int	 a, t, w;
	enum member_check want;

	/* Every combination against the rule written out by rank. */
	for (a = 0; a < ROLE__MAX; a++)
		for (t = -1; t < ROLE__MAX; t++)
			for (w = -1; w < ROLE__MAX; w++) {
				want = t >= 0 && t < a ? MEMBER_OUTRANKED :
				    w >= 0 && w < a ? MEMBER_ESCALATION :
				    MEMBER_ALLOWED;
				CHECK_INT(member_may_set(a, t, w), want);
			}
	/* The cases by name. */
	CHECK_INT(member_may_set(ROLE_OWNER, ROLE_OWNER, ROLE_VIEWER),
	    MEMBER_ALLOWED);
	CHECK_INT(member_may_set(ROLE_OWNER, -1, ROLE_OWNER), MEMBER_ALLOWED);
	CHECK_INT(member_may_set(ROLE_ADMIN, -1, ROLE_ADMIN), MEMBER_ALLOWED);
	CHECK_INT(member_may_set(ROLE_ADMIN, ROLE_ADMIN, ROLE_MEMBER),
	    MEMBER_ALLOWED);
	CHECK_INT(member_may_set(ROLE_ADMIN, ROLE_MEMBER, -1), MEMBER_ALLOWED);
	/* Negative: an admin inviting or promoting an owner, acting on one
	 * (demoting, renaming or removing); a member inviting an admin. */
	CHECK_INT(member_may_set(ROLE_ADMIN, -1, ROLE_OWNER),
	    MEMBER_ESCALATION);
	CHECK_INT(member_may_set(ROLE_ADMIN, ROLE_MEMBER, ROLE_OWNER),
	    MEMBER_ESCALATION);
	CHECK_INT(member_may_set(ROLE_ADMIN, ROLE_OWNER, ROLE_ADMIN),
	    MEMBER_OUTRANKED);
	CHECK_INT(member_may_set(ROLE_ADMIN, ROLE_OWNER, -1),
	    MEMBER_OUTRANKED);
	CHECK_INT(member_may_set(ROLE_MEMBER, -1, ROLE_ADMIN),
	    MEMBER_ESCALATION);
	CHECK_INT(member_may_set(ROLE_VIEWER, ROLE_MEMBER, -1),
	    MEMBER_OUTRANKED);
	/* Negative: no one (a request without a key or a session) ranks
	 * below every role. */
	for (t = 0; t < ROLE__MAX; t++) {
		CHECK_INT(member_may_set(-1, t, -1), MEMBER_OUTRANKED);
		CHECK_INT(member_may_set(-1, -1, t), MEMBER_ESCALATION);
		CHECK_INT(member_may_set(ROLE__MAX, -1, t), MEMBER_ESCALATION);
	}
}

int
main(void)
{
	if (setup() == -1) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	UNIT_RUN(test_members);
	UNIT_RUN(test_role_get);
	UNIT_RUN(test_role_scopes);
	UNIT_RUN(test_key_scopes);
	UNIT_RUN(test_may_set);
	UNIT_RUN(test_invites);
	UNIT_RUN(test_throttle);
	UNIT_RUN(test_throttle_client);
	teardown();
	return unit_finish();
}
