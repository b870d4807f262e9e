/*
 * Idempotency-Key on POST: the first answer is kept for 24 hours per API
 * key and replayed (with "Idempotent-Replayed: true") when the same
 * request comes again; the same key with another request is a 422, and a
 * retry while the first is still running a 409.
 *
 * A request is the same when its method, path and body are (a BLAKE2b
 * fingerprint).  Only successful answers are kept: a failed request
 * leaves nothing behind and can be retried with the same key.  Secrets
 * shown once (an API key's "key", an invite's "acceptUrl", a probe
 * location's "token") are taken out
 * of the kept answer, so a replay never repeats them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "apikey.h"
#include "buf.h"
#include "db.h"
#include "idempotency.h"
#include "req.h"
#include "response.h"

#define IDEM_TTL_MS	(24LL * 3600 * 1000)
#define IDEM_STALE_MS	(120LL * 1000)	/* a "running" row older is dead */
#define IDEM_MAXKEY	255

enum stmt {
	STMT_GET,
	STMT_CLAIM,
	STMT_DONE,
	STMT_DROP,
	STMT_PRUNE,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_GET */
	"SELECT fingerprint, state, status, ctype, headers, body, created_at "
	"FROM idempotency WHERE key_id = ? AND idem_key = ?",
	/* STMT_CLAIM: a stale row is started afresh. */
	"INSERT INTO idempotency (key_id, idem_key, fingerprint, state, "
	"created_at) VALUES (?1, ?2, ?3, 'running', ?4) "
	"ON CONFLICT (key_id, idem_key) DO UPDATE SET "
	"fingerprint = excluded.fingerprint, state = 'running', "
	"status = NULL, ctype = NULL, headers = NULL, body = NULL, "
	"created_at = excluded.created_at",
	/* STMT_DONE */
	"UPDATE idempotency SET state = 'done', status = ?3, ctype = ?4, "
	"headers = ?5, body = ?6 WHERE key_id = ?1 AND idem_key = ?2",
	/* STMT_DROP */
	"DELETE FROM idempotency WHERE key_id = ? AND idem_key = ?",
	/* STMT_PRUNE */
	"DELETE FROM idempotency WHERE created_at < ?",
};

/* Members of "data" that are shown once and never kept. */
static const char *const secret_members[] = { "key", "acceptUrl", "token",
    NULL };

static void
fingerprint(struct req *r, unsigned char out[32])
{
	crypto_generichash_state	 st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const unsigned char *)r->method,
	    strlen(r->method) + 1);
	crypto_generichash_update(&st, (const unsigned char *)r->path,
	    strlen(r->path) + 1);
	if (r->body != NULL)
		crypto_generichash_update(&st, (const unsigned char *)r->body,
		    r->bodylen);
	crypto_generichash_final(&st, out, 32);
}

/* Set the answer from a kept row. */
static int
replay(struct req *r, struct db_stmt *st)
{
	const void	*body = db_col_blob(st, 5);
	int		 len = db_col_bytes(st, 5);
	const char	*h = db_col_str(st, 4);

	r->answered = 1;
	r->status = db_col_int(st, 2);
	r->ctype = db_col_null(st, 3) ? NULL :
	    strcmp(db_col_str(st, 3),
	    "application/json") == 0 ? "application/json" :
	    "application/problem+json";
	r->out.len = 0;
	if ((len > 0 && buf_add(&r->out, body, (size_t)len) == -1) ||
	    (h != NULL && buf_puts(&r->headers, h) == -1))
		return -1;
	return resp_header(r, "Idempotent-Replayed", "true");
}

int
idem_begin(struct req *r)
{
	const char	*key = req_param(r, "HTTP_IDEMPOTENCY_KEY");
	unsigned char	 fp[32];
	struct db_stmt	*st;
	size_t		 n, i;
	int		 rc, same, running;
	int64_t		 created;

	r->idem_key[0] = '\0';
	if (key == NULL || r->key == NULL || strcmp(r->method, "POST") != 0)
		return IDEM_NONE;
	n = strlen(key);
	for (i = 0; i < n; i++)
		if (key[i] < 0x21 || key[i] > 0x7e)
			break;
	if (n == 0 || n > IDEM_MAXKEY || i < n) {
		resp_problem(r, 400, "validation_error", "Idempotency-Key must "
		    "be 1 to %d visible ASCII characters.", IDEM_MAXKEY);
		return IDEM_ANSWERED;
	}
	fingerprint(r, fp);
	if ((rc = db_begin(r->db)) != DB_OK)
		goto dberr;
	if ((st = db_stmt(r->db, sqls[STMT_GET])) == NULL) {
		rc = DB_ERROR;
		goto rollback;
	}
	db_bind_text(st, 1, r->key->id);
	db_bind_text(st, 2, key);
	if ((rc = db_step(st)) == DB_ROW) {
		created = db_col_int64(st, 6);
		same = db_col_bytes(st, 0) == 32 &&
		    sodium_memcmp(db_col_blob(st, 0), fp, 32) == 0;
		running = strcmp(db_col_str(st, 1),
		    "running") == 0;
		if (created >= r->now - IDEM_TTL_MS &&
		    !(running && created < r->now - IDEM_STALE_MS)) {
			if (!same)
				resp_problem(r, 422, "idempotency_key_reused",
				    "This Idempotency-Key was used with another "
				    "request; use a new key.");
			else if (running) {
				resp_header(r, "Retry-After", "1");
				resp_problem(r, 409, "conflict", "The first "
				    "request with this Idempotency-Key is still "
				    "running; retry shortly.");
			} else if (replay(r, st) == -1)
				resp_db(r, DB_ERROR);
			db_reset(st);
			db_rollback(r->db);
			return IDEM_ANSWERED;
		}
	} else if (rc != DB_DONE) {
		db_reset(st);
		rc = db_rc(rc);
		goto rollback;
	}
	db_reset(st);
	if ((st = db_stmt(r->db, sqls[STMT_CLAIM])) == NULL) {
		rc = DB_ERROR;
		goto rollback;
	}
	db_bind_text(st, 1, r->key->id);
	db_bind_text(st, 2, key);
	db_bind_blob(st, 3, fp, 32);
	db_bind_int64(st, 4, r->now);
	if ((rc = db_exec_stmt(st)) != DB_OK || (rc = db_commit(r->db)) != DB_OK)
		goto rollback;
	snprintf(r->idem_key, sizeof(r->idem_key), "%s", key);
	return IDEM_NEW;
rollback:
	db_rollback(r->db);
dberr:
	resp_db(r, rc);
	return IDEM_ANSWERED;
}

/* The answer as kept: secrets shown once are left out. */
static char *
kept_body(struct req *r, size_t *len)
{
	cJSON	*root, *data;
	char	*s;
	size_t	 i;

	if (r->out.len == 0 || (root = cJSON_ParseWithLength(r->out.p,
	    r->out.len)) == NULL) {
		*len = r->out.len;
		return r->out.len ? strdup(r->out.p) : NULL;
	}
	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	for (i = 0; secret_members[i] != NULL; i++)
		if (cJSON_GetObjectItemCaseSensitive(data, secret_members[i]))
			cJSON_ReplaceItemInObjectCaseSensitive(data,
			    secret_members[i], cJSON_CreateNull());
	s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	*len = s ? strlen(s) : 0;
	return s;
}

int
idem_finish(struct req *r)
{
	struct db_stmt	*st;
	char		*body;
	size_t		 len = 0;
	int		 rc;

	if (r->idem_key[0] == '\0')
		return DB_OK;
	if (r->status >= 300) {
		if ((st = db_stmt(r->db, sqls[STMT_DROP])) == NULL)
			return DB_ERROR;
		db_bind_text(st, 1, r->key->id);
		db_bind_text(st, 2, r->idem_key);
		return db_exec_stmt(st);
	}
	if ((st = db_stmt(r->db, sqls[STMT_DONE])) == NULL)
		return DB_ERROR;
	body = kept_body(r, &len);
	db_bind_text(st, 1, r->key->id);
	db_bind_text(st, 2, r->idem_key);
	db_bind_int(st, 3, r->status);
	db_bind_text(st, 4, r->ctype);
	db_bind_text(st, 5, r->headers.len ? r->headers.p : NULL);
	if (body != NULL)
		db_bind_blob(st, 6, body, (int)len);
	rc = db_exec_stmt(st);
	free(body);
	return rc;
}

int
idem_prune(struct db *db, int64_t now)
{
	struct db_stmt	*st;

	if ((st = db_stmt(db, sqls[STMT_PRUNE])) == NULL)
		return DB_ERROR;
	db_bind_int64(st, 1, now - IDEM_TTL_MS);
	return db_exec_stmt(st);
}
