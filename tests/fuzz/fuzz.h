/*
 * What every fuzz target shares: a world to parse against, made once per
 * process by fuzz_world().  It is a fresh, migrated database in a
 * temporary folder (removed at exit) holding one team, one http monitor,
 * one status page with a component for it, and one API key with every
 * scope whose secret is FUZZ_KEY with its checksum (the seeds carry the
 * whole key, see tests/fuzz/seeds.mjs); the server secret is fixed too,
 * so the same input always takes the same path.
 *
 * fuzz_req() makes a request as the serve loop would have it before the
 * handler runs; fuzz_req_done() frees what the request gathered.
 * fuzz_str() copies the input as a NUL-terminated string, cut at its
 * first NUL (CGI parameters and C strings cannot hold one); the caller
 * frees it.  None of this is for use outside tests/fuzz/.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "uptime.h"
#include "monitor.h"
#include "statuspage.h"

/* 32 base62 characters: the random part of the world's key. */
#define FUZZ_KEYRAND	"fuzzFUZZfuzzFUZZfuzzFUZZfuzzFUZZ"
#define FUZZ_SECRET	"00112233445566778899aabbccddeeff" \
			"00112233445566778899aabbccddeeff"
#define FUZZ_NOW	1772366400000LL	/* 2026-03-01T12:00:00Z */

struct fuzz_world {
	struct db	*db;
	char		 dir[64];
	char		 dbpath[128];
	char		 secretpath[128];
	char		 team_id[ID_MAX];
	char		 monitor_id[ID_MAX];
	char		 key[KEY_LEN + 1];
	struct apikey	 apikey;
	struct status_page sp;	/* with one component */
};

static struct fuzz_world	 fw;

static inline void
fuzz_die(const char *what, const char *err)
{
	fprintf(stderr, "fuzz: %s: %s\n", what, err);
	abort();
}

static inline void
fuzz_cleanup(void)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
	char		 p[200];
	size_t		 i;

	if (fw.db != NULL)
		db_close(fw.db);
	fw.db = NULL;
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", fw.dbpath, ext[i]);
		unlink(p);
	}
	unlink(fw.secretpath);
	rmdir(fw.dir);
}

static inline void
fuzz_world(void)
{
	struct team	 t;
	struct monitor	 m;
	struct verrs	 v = { 0 };
	cJSON		*b;
	char		 err[256], body[256];
	FILE		*f;

	if (fw.db != NULL)
		return;
	if (sodium_init() == -1)
		fuzz_die("sodium_init", "failed");
	/* What config_load would set, with limits that never get in the way
	 * of a fuzzer sending thousands of requests a second. */
	snprintf(cfg.public_url, sizeof(cfg.public_url), "http://127.0.0.1");
	snprintf(cfg.cors_origins, sizeof(cfg.cors_origins), "*");
	snprintf(cfg.mail_from, sizeof(cfg.mail_from), "uptime@localhost");
	cfg.rate_limit = 1000000000L;
	cfg.auth_fail_limit = 1000000000L;
	cfg.retention_days = 30;
	cfg.max_keys = 50;
	cfg.audit_days = 90;
	cfg.invite_ttl = 604800;
	cfg.allow_private = 0;

	snprintf(fw.dir, sizeof(fw.dir), "/tmp/uptime-fuzz-XXXXXX");
	if (mkdtemp(fw.dir) == NULL)
		fuzz_die("mkdtemp", "failed");
	snprintf(fw.dbpath, sizeof(fw.dbpath), "%s/uptime.db", fw.dir);
	snprintf(fw.secretpath, sizeof(fw.secretpath), "%s/secret", fw.dir);
	atexit(fuzz_cleanup);
	if ((f = fopen(fw.secretpath, "w")) == NULL ||
	    chmod(fw.secretpath, 0600) == -1)
		fuzz_die("secret", "cannot write");
	fprintf(f, "%s\n", FUZZ_SECRET);
	fclose(f);
	if (auth_load_secret(fw.secretpath, err, sizeof(err)) == -1)
		fuzz_die("auth_load_secret", err);
	if ((fw.db = db_open(fw.dbpath, 1, err, sizeof(err))) == NULL)
		fuzz_die("db_open", err);

	if (team_create(fw.db, "Fuzz", &t) != DB_OK)
		fuzz_die("team_create", "failed");
	snprintf(fw.team_id, sizeof(fw.team_id), "%s", t.id);

	monitor_init(&m, FUZZ_NOW);
	b = cJSON_Parse("{\"name\":\"Shop\",\"url\":"
	    "\"https://shop.example.com/health\"}");
	monitor_apply(&m, b, 1, &v);
	cJSON_Delete(b);
	snprintf(m.team_id, sizeof(m.team_id), "%s", fw.team_id);
	if (v.n != 0 || monitor_insert(fw.db, &m) != DB_OK)
		fuzz_die("monitor_insert", "failed");
	snprintf(fw.monitor_id, sizeof(fw.monitor_id), "%s", m.id);
	monitor_free(&m);

	memcpy(fw.key, KEY_PREFIX FUZZ_KEYRAND, 7 + KEY_RANDLEN);
	key_checksum(fw.key + 7, KEY_RANDLEN, fw.key + 7 + KEY_RANDLEN);
	fw.key[KEY_LEN] = '\0';
	memset(&fw.apikey, 0, sizeof(fw.apikey));
	snprintf(fw.apikey.team_id, sizeof(fw.apikey.team_id), "%s",
	    fw.team_id);
	snprintf(fw.apikey.name, sizeof(fw.apikey.name), "fuzz");
	fw.apikey.scopes = SCOPES_ALL;
	if (apikey_insert(fw.db, &fw.apikey, fw.key, FUZZ_NOW) != DB_OK)
		fuzz_die("apikey_insert", "failed");

	sp_init(&fw.sp, FUZZ_NOW);
	snprintf(fw.sp.team_id, sizeof(fw.sp.team_id), "%s", fw.team_id);
	snprintf(body, sizeof(body), "{\"name\":\"Status\",\"slug\":\"fuzz\","
	    "\"components\":[{\"monitorId\":\"%s\"}]}", fw.monitor_id);
	b = cJSON_Parse(body);
	if (b == NULL || sp_apply(fw.db, &fw.sp, b, 1, &v) != 0 || v.n != 0 ||
	    sp_insert(fw.db, &fw.sp) != DB_OK)
		fuzz_die("sp_insert", v.n ? v.e[0].detail : "failed");
	cJSON_Delete(b);

	/* req_json wants a JSON media type; CGI reads it from environ. */
	setenv("CONTENT_TYPE", "application/json", 1);
}

static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
	char	*s;
	size_t	 n = strnlen((const char *)data, size);

	if ((s = malloc(n + 1)) == NULL)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/* A request at FUZZ_NOW; body (may be NULL) is copied. */
static inline void
fuzz_req(struct req *r, const char *method, const char *path,
    const uint8_t *body, size_t bodylen)
{
	memset(r, 0, sizeof(*r));
	r->db = fw.db;
	r->now = FUZZ_NOW;
	r->status = 500;
	r->method = method;
	snprintf(r->uri_path, sizeof(r->uri_path), "%s", path);
	r->path = r->uri_path;
	snprintf(r->request_id, sizeof(r->request_id), "req_fuzz");
	snprintf(r->remote_addr, sizeof(r->remote_addr), "127.0.0.1");
	if (body != NULL) {
		if ((r->body = malloc(bodylen + 1)) == NULL)
			abort();
		memcpy(r->body, body, bodylen);
		r->body[bodylen] = '\0';
		r->bodylen = bodylen;
	}
}

static inline void
fuzz_req_done(struct req *r)
{
	buf_free(&r->headers);
	buf_free(&r->out);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#endif /* FUZZ_H */
