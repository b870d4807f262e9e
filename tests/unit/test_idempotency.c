/*
 * Unit tests of lib/idempotency.c: idem_begin claims an Idempotency-Key
 * for an authenticated POST, idem_finish stores the answer (secrets
 * shown once set to null) or releases the claim, and the same request
 * again is a replay; another request under the key is a 422, a retry
 * while the first runs a 409.  Keys are per API key and live 24 hours;
 * a claim left running for two minutes is taken over.
 *
 * The header is read as a CGI program reads it, from the environment
 * (HTTP_IDEMPOTENCY_KEY); the answers are read from the struct req.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uptime.h"
#include "unit.h"
#include "unit_db.h"

#define NOW	1771070400000LL		/* 2026-02-14T12:00:00.000Z */
#define HOUR	3600000LL

static struct apikey	 key_a, key_b;

/* A POST to /v1/api-keys by k at now with body (NULL: none). */
static void
post(struct req *r, struct apikey *k, int64_t now, const char *body)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->request_id, sizeof(r->request_id), "req_idem_test");
	snprintf(r->uri_path, sizeof(r->uri_path), "/v1/api-keys");
	r->path = r->uri_path;
	r->method = "POST";
	r->now = now;
	r->status = 500;
	r->key = k;
	r->db = udb;
	r->body = (char *)body;
	r->bodylen = body != NULL ? strlen(body) : 0;
}

static void
done(struct req *r)
{
	buf_free(&r->out);
	buf_free(&r->headers);
}

/* The handler's answer: 201 with a Location and a key shown once. */
static void
answer(struct req *r)
{
	cJSON	*d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "id", "key_new");
	cJSON_AddStringToObject(d, "key", "uptime_secret");
	CHECK_INT(resp_header(r, "Location", "/v1/api-keys/key_new"), 0);
	CHECK_INT(resp_data(r, 201, d), 0);
}

static int
has(const struct req *r, const char *s)
{
	return r->out.p != NULL && strstr(r->out.p, s) != NULL;
}

static int
has_header(const struct req *r, const char *s)
{
	return r->headers.p != NULL && strstr(r->headers.p, s) != NULL;
}

static long long
rows(void)
{
	return udb_int("SELECT count(*) FROM idempotency");
}

static void
test_none(void)
{
	struct req	 r;

	/* No header: nothing to do. */
	unsetenv("HTTP_IDEMPOTENCY_KEY");
	post(&r, &key_a, NOW, "{}");
	CHECK_INT(idem_begin(&r), IDEM_NONE);
	CHECK_INT(r.answered, 0);
	CHECK_INT(idem_finish(&r), DB_OK);
	done(&r);

	/* Only authenticated POSTs take part. */
	setenv("HTTP_IDEMPOTENCY_KEY", "k-none", 1);
	post(&r, &key_a, NOW, NULL);
	r.method = "PATCH";
	CHECK_INT(idem_begin(&r), IDEM_NONE);
	post(&r, NULL, NOW, NULL);
	CHECK_INT(idem_begin(&r), IDEM_NONE);
	CHECK_STR(r.idem_key, "");
	CHECK_INT(rows(), 0);
	done(&r);
}

static void
test_invalid_key_negative(void)
{
	static const char *const bad[] = { "", "a b", "tab\there", "\x7f",
	    "caf\xc3\xa9" };
	char		 longkey[300];
	struct req	 r;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("HTTP_IDEMPOTENCY_KEY", bad[i], 1);
		post(&r, &key_a, NOW, "{}");
		CHECK_INT(idem_begin(&r), IDEM_ANSWERED);
		CHECK_INT(r.status, 400);
		CHECK(has(&r, "\"code\":\"validation_error\""));
		CHECK(has(&r, "Idempotency-Key must be 1 to 255 visible "
		    "ASCII characters."));
		done(&r);
	}
	memset(longkey, 'k', 256);
	longkey[256] = '\0';
	setenv("HTTP_IDEMPOTENCY_KEY", longkey, 1);
	post(&r, &key_a, NOW, "{}");
	CHECK_INT(idem_begin(&r), IDEM_ANSWERED);
	CHECK_INT(r.status, 400);
	done(&r);
	longkey[255] = '\0';		/* 255 is the longest */
	setenv("HTTP_IDEMPOTENCY_KEY", longkey, 1);
	post(&r, &key_a, NOW, "{}");
	CHECK_INT(idem_begin(&r), IDEM_NEW);
	CHECK_INT(strlen(r.idem_key), 255);
	r.status = 400;			/* the handler refused: released */
	CHECK_INT(idem_finish(&r), DB_OK);
	CHECK_INT(rows(), 0);
	done(&r);
}

static void
test_store_and_replay(void)
{
	struct req	 r;

	setenv("HTTP_IDEMPOTENCY_KEY", "k-store", 1);
	post(&r, &key_a, NOW, "{\"name\":\"ci\"}");
	CHECK_INT(idem_begin(&r), IDEM_NEW);
	CHECK_STR(r.idem_key, "k-store");
	CHECK_INT(r.answered, 0);
	CHECK_INT(udb_int("SELECT state = 'running' FROM idempotency WHERE "
	    "key_id = 'key_a' AND idem_key = 'k-store'"), 1);
	answer(&r);
	CHECK_INT(idem_finish(&r), DB_OK);
	done(&r);
	CHECK_INT(udb_int("SELECT state = 'done' AND status = 201 FROM "
	    "idempotency WHERE idem_key = 'k-store'"), 1);
	/* The key shown once is not kept. */
	CHECK_INT(udb_int("SELECT instr(body, 'uptime_secret') FROM "
	    "idempotency WHERE idem_key = 'k-store'"), 0);

	/* The same request again, a minute later: the kept answer. */
	post(&r, &key_a, NOW + 60000, "{\"name\":\"ci\"}");
	CHECK_INT(idem_begin(&r), IDEM_ANSWERED);
	CHECK_INT(r.answered, 1);
	CHECK_INT(r.status, 201);
	CHECK_STR(r.ctype, "application/json");
	CHECK(has(&r, "\"id\":\"key_new\""));
	CHECK(has(&r, "\"key\":null"));
	CHECK(!has(&r, "uptime_secret"));
	CHECK(has(&r, "\"requestId\":\"req_idem_test\""));
	CHECK(has_header(&r, "Location: /v1/api-keys/key_new\r\n"));
	CHECK(has_header(&r, "Idempotent-Replayed: true\r\n"));
	CHECK_STR(r.idem_key, "");	/* a replay claims nothing */
	done(&r);
	CHECK_INT(rows(), 1);
}

static void
test_conflicts_negative(void)
{
	struct req	 r;

	setenv("HTTP_IDEMPOTENCY_KEY", "k-conflict", 1);
	post(&r, &key_a, NOW, "{\"name\":\"one\"}");
	CHECK_INT(idem_begin(&r), IDEM_NEW);
	done(&r);

	/* The first still running: 409, retry in a second. */
	post(&r, &key_a, NOW + 1000, "{\"name\":\"one\"}");
	CHECK_INT(idem_begin(&r), IDEM_ANSWERED);
	CHECK_INT(r.status, 409);
	CHECK(has(&r, "\"code\":\"conflict\""));
	CHECK(has_header(&r, "Retry-After: 1\r\n"));
	done(&r);

	/* Another body, another path, another method: 422. */
	post(&r, &key_a, NOW + 1000, "{\"name\":\"two\"}");
	CHECK_INT(idem_begin(&r), IDEM_ANSWERED);
	CHECK_INT(r.status, 422);
	CHECK(has(&r, "\"code\":\"idempotency_key_reused\""));
	done(&r);
	post(&r, &key_a, NOW + 1000, "{\"name\":\"one\"}");
	r.path = "/v1/monitors";
	CHECK_INT(idem_begin(&r), IDEM_ANSWERED);
	CHECK_INT(r.status, 422);
	done(&r);

	/* Done: the same request replays, another is still a 422. */
	post(&r, &key_a, NOW, "{\"name\":\"one\"}");
	snprintf(r.idem_key, sizeof(r.idem_key), "k-conflict");
	answer(&r);
	CHECK_INT(idem_finish(&r), DB_OK);
	done(&r);
	post(&r, &key_a, NOW + 2000, "{\"name\":\"two\"}");
	CHECK_INT(idem_begin(&r), IDEM_ANSWERED);
	CHECK_INT(r.status, 422);
	done(&r);

	/* The same key under another API key is another key. */
	post(&r, &key_b, NOW + 2000, "{\"name\":\"two\"}");
	CHECK_INT(idem_begin(&r), IDEM_NEW);
	done(&r);
	CHECK_INT(udb_int("SELECT count(*) FROM idempotency WHERE "
	    "idem_key = 'k-conflict'"), 2);
}

static void
test_failed_is_released(void)
{
	struct req	 r;

	setenv("HTTP_IDEMPOTENCY_KEY", "k-failed", 1);
	post(&r, &key_a, NOW, "{\"name\":\"\"}");
	CHECK_INT(idem_begin(&r), IDEM_NEW);
	CHECK_INT(resp_problem(&r, 400, "validation_error", "bad"), 0);
	CHECK_INT(idem_finish(&r), DB_OK);
	done(&r);
	CHECK_INT(udb_int("SELECT count(*) FROM idempotency WHERE "
	    "idem_key = 'k-failed'"), 0);

	/* Fixed and retried with the same key: a new claim. */
	post(&r, &key_a, NOW + 1000, "{\"name\":\"ok\"}");
	CHECK_INT(idem_begin(&r), IDEM_NEW);
	done(&r);
}

static void
test_expiry(void)
{
	struct req	 r;

	/* A claim left running over two minutes is taken over. */
	setenv("HTTP_IDEMPOTENCY_KEY", "k-stale", 1);
	post(&r, &key_a, NOW, "{}");
	CHECK_INT(idem_begin(&r), IDEM_NEW);
	done(&r);
	post(&r, &key_a, NOW + 120000, "{}");
	CHECK_INT(idem_begin(&r), IDEM_ANSWERED);	/* 2 min: still 409 */
	CHECK_INT(r.status, 409);
	done(&r);
	post(&r, &key_a, NOW + 120001, "{\"other\":1}");
	CHECK_INT(idem_begin(&r), IDEM_NEW);		/* any request */
	done(&r);

	/* A kept answer lives 24 hours, then the key is free again. */
	setenv("HTTP_IDEMPOTENCY_KEY", "k-day", 1);
	post(&r, &key_a, NOW, "{}");
	CHECK_INT(idem_begin(&r), IDEM_NEW);
	answer(&r);
	CHECK_INT(idem_finish(&r), DB_OK);
	done(&r);
	post(&r, &key_a, NOW + 24 * HOUR, "{\"x\":1}");
	CHECK_INT(idem_begin(&r), IDEM_ANSWERED);
	CHECK_INT(r.status, 422);
	done(&r);
	post(&r, &key_a, NOW + 24 * HOUR + 1, "{\"x\":1}");
	CHECK_INT(idem_begin(&r), IDEM_NEW);
	done(&r);

	/* idem_prune forgets what is older than 24 hours. */
	udb_sql("UPDATE idempotency SET created_at = 0 WHERE "
	    "idem_key = 'k-stale'");
	CHECK_INT(idem_prune(udb, NOW), DB_OK);
	CHECK_INT(udb_int("SELECT count(*) FROM idempotency WHERE "
	    "idem_key = 'k-stale'"), 0);
	CHECK_INT(udb_int("SELECT count(*) FROM idempotency WHERE "
	    "idem_key = 'k-day'"), 1);
}

int
main(void)
{
	udb_open("uptime-unit-idempotency");
	udb_sql("INSERT INTO api_keys (id, team_id, name, scopes, key_prefix, "
	    "key_hash, created_at) VALUES "
	    "('key_a', 'team_t', 'a', 0, 'uptime_aaaaaaaa', x'01', 0), "
	    "('key_b', 'team_t', 'b', 0, 'uptime_bbbbbbbb', x'02', 0)");
	snprintf(key_a.id, sizeof(key_a.id), "key_a");
	snprintf(key_a.team_id, sizeof(key_a.team_id), "team_t");
	snprintf(key_b.id, sizeof(key_b.id), "key_b");
	snprintf(key_b.team_id, sizeof(key_b.team_id), "team_t");

	UNIT_RUN(test_none);
	UNIT_RUN(test_invalid_key_negative);
	UNIT_RUN(test_store_and_replay);
	UNIT_RUN(test_conflicts_negative);
	UNIT_RUN(test_failed_is_released);
	UNIT_RUN(test_expiry);
	unsetenv("HTTP_IDEMPOTENCY_KEY");
	udb_close();
	return unit_finish();
}
