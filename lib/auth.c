/*
 * API keys and authentication.
 *
 * A key is "uptime_" + 32 random base62 characters + 6 base62 characters
 * of the CRC32 of the random part.  The checksum lets a mistyped or
 * truncated key be refused before any database work.  Only a keyed
 * BLAKE2b-256 hash of the whole key is stored; the hashing key is the
 * server secret, kept in a 0600 file outside the database, so a copy of
 * the database alone cannot be used to test guesses.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <zlib.h>

#include "uptime.h"
#include "owner.h"

#define SECRET_LEN	32	/* crypto_kdf_KEYBYTES */
#define KEY_TOUCH_MS	60000	/* write lastUsedAt at most once a minute */
#define RL_KEY_CONTEXT	"uptimerl"	/* crypto_kdf context: 8 bytes */
#define RL_KEY_ID	1

_Static_assert(SECRET_LEN == crypto_kdf_KEYBYTES,
    "the server secret is a crypto_kdf master key");

/*
 * Indexed by bit: a bit used twice does not compile (-Woverride-init),
 * nor does one past SCOPE__MAX, so with SCOPE__MAX lines there is no gap.
 */
const char *const scope_names[SCOPE__MAX] = {
#define SCOPE(id, name, bit)	[bit] = name,
#include "families.def"
};
_Static_assert(SCOPE__MAX < 32, "a key's scopes are an unsigned bit set");

static const char base62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static unsigned char	 server_secret[SECRET_LEN];
static int		 have_secret;

int
scope_find(const char *name)
{
	int	 i;

	for (i = 0; i < SCOPE__MAX; i++)
		if (strcmp(scope_names[i], name) == 0)
			return i;
	return -1;
}

int
scope_parse_list(const char *list, unsigned *mask)
{
	char	 name[32];
	size_t	 n;
	int	 i;

	*mask = 0;
	if (strcmp(list, "all") == 0) {
		*mask = SCOPES_ALL;
		return 0;
	}
	while (*list != '\0') {
		n = strcspn(list, ",");
		if (n == 0 || n >= sizeof(name))
			return -1;
		memcpy(name, list, n);
		name[n] = '\0';
		if ((i = scope_find(name)) == -1)
			return -1;
		*mask |= 1u << i;
		list += n;
		if (*list == ',' && *++list == '\0')
			return -1;
	}
	return *mask == 0 ? -1 : 0;
}

cJSON *
scope_json(unsigned mask)
{
	cJSON	*a = cJSON_CreateArray();
	int	 i;

	for (i = 0; i < SCOPE__MAX; i++)
		if (mask & (1u << i))
			cJSON_AddItemToArray(a, cJSON_CreateString(scope_names[i]));
	return a;
}

void
key_checksum(const char *rand, size_t len, char out[KEY_SUMLEN])
{
	unsigned long	 crc;
	int		 i;

	crc = crc32(0L, (const Bytef *)rand, (uInt)len);
	for (i = KEY_SUMLEN - 1; i >= 0; i--) {
		out[i] = base62[crc % 62];
		crc /= 62;
	}
}

void
key_generate(char *out)
{
	memcpy(out, KEY_PREFIX, 7);
	base62_random(out + 7, KEY_RANDLEN);
	key_checksum(out + 7, KEY_RANDLEN, out + 7 + KEY_RANDLEN);
	out[KEY_LEN] = '\0';
}

int
key_check_format(const char *s)
{
	char	 sum[KEY_SUMLEN];
	size_t	 i;

	if (s == NULL || strlen(s) != KEY_LEN || strncmp(s, KEY_PREFIX, 7))
		return 0;
	for (i = 7; i < KEY_LEN; i++)
		if (strchr(base62, s[i]) == NULL)
			return 0;
	key_checksum(s + 7, KEY_RANDLEN, sum);
	return sodium_memcmp(sum, s + 7 + KEY_RANDLEN, KEY_SUMLEN) == 0;
}

void
key_hash(const char *key, unsigned char out[KEY_HASHLEN])
{
	crypto_generichash(out, KEY_HASHLEN, (const unsigned char *)key,
	    strlen(key), server_secret, sizeof(server_secret));
}

void
token_hash(const char *domain, const char *token,
    unsigned char out[KEY_HASHLEN])
{
	crypto_generichash_state	 st;

	/* "domain\0token": no token of one kind hashes like another's. */
	crypto_generichash_init(&st, server_secret, sizeof(server_secret),
	    KEY_HASHLEN);
	crypto_generichash_update(&st, (const unsigned char *)domain,
	    strlen(domain) + 1);
	crypto_generichash_update(&st, (const unsigned char *)token,
	    strlen(token));
	crypto_generichash_final(&st, out, KEY_HASHLEN);
	sodium_memzero(&st, sizeof(st));
}

int
auth_load_secret(const char *path, char *err, size_t errlen)
{
	struct stat	 sb;
	unsigned char	 bin[SECRET_LEN], rl_key[RATELIMIT_KEYBYTES];
	char		 hex[SECRET_LEN * 2 + 2];
	size_t		 binlen;
	ssize_t		 n;
	int		 fd;

	if (sodium_init() == -1) {
		snprintf(err, errlen, "libsodium cannot start");
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (owner_explain("the server secret", path, OWNER_READ, err,
		    errlen))
			return -1;
		snprintf(err, errlen, "cannot read the server secret %s: %s "
		    "(UPTIME_SECRET_FILE; uptime-admin init creates it)", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1 || (sb.st_mode & 077) != 0) {
		close(fd);
		snprintf(err, errlen, "the server secret %s must be readable "
		    "by its owner only (chmod 600)", path);
		return -1;
	}
	n = read(fd, hex, sizeof(hex));
	close(fd);
	if (n < SECRET_LEN * 2 || (n > SECRET_LEN * 2 &&
	    hex[SECRET_LEN * 2] != '\n') ||
	    sodium_hex2bin(bin, sizeof(bin), hex, SECRET_LEN * 2, NULL,
	    &binlen, NULL) != 0 || binlen != SECRET_LEN) {
		sodium_memzero(hex, sizeof(hex));
		sodium_memzero(bin, sizeof(bin));
		snprintf(err, errlen, "the server secret %s is not 64 "
		    "hexadecimal characters", path);
		return -1;
	}
	/* Only a good secret replaces the one in use. */
	memcpy(server_secret, bin, sizeof(server_secret));
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(bin, sizeof(bin));
	have_secret = 1;
	/* The rate-limit table's hash key: from the secret, so that nobody
	 * can tell which names share its slots. */
	crypto_kdf_derive_from_key(rl_key, sizeof(rl_key), RL_KEY_ID,
	    RL_KEY_CONTEXT, server_secret);
	ratelimit_key(rl_key);
	sodium_memzero(rl_key, sizeof(rl_key));
	return 0;
}

int
auth_create_secret(const char *path, char *err, size_t errlen)
{
	unsigned char	 bin[SECRET_LEN];
	char		 hex[SECRET_LEN * 2 + 2];
	int		 fd, rc = -1;

	if (sodium_init() == -1) {
		snprintf(err, errlen, "libsodium cannot start");
		return -1;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		if (!owner_explain("the server secret", path, OWNER_WRITE,
		    err, errlen))
			snprintf(err, errlen, "cannot create %s: %s", path,
			    strerror(errno));
		return -1;
	}
	randombytes_buf(bin, sizeof(bin));
	sodium_bin2hex(hex, sizeof(hex), bin, sizeof(bin));
	strcat(hex, "\n");
	if (write(fd, hex, strlen(hex)) == (ssize_t)strlen(hex) &&
	    fsync(fd) == 0)
		rc = 0;
	else
		snprintf(err, errlen, "cannot write %s", path);
	if (close(fd) == -1)
		rc = -1;
	sodium_memzero(bin, sizeof(bin));
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

/* Record a refused request; failures here only get logged. */
static void
audit_refusal(struct req *r, const char *team, const char *key_id,
    const char *prefix, const char *action, int status)
{
	struct audit_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.at = r->now;
	snprintf(ev.key_id, sizeof(ev.key_id), "%s", key_id ? key_id : "");
	snprintf(ev.key_prefix, sizeof(ev.key_prefix), "%s",
	    prefix ? prefix : "");
	snprintf(ev.action, sizeof(ev.action), "%s", action);
	snprintf(ev.method, sizeof(ev.method), "%s", r->method);
	snprintf(ev.path, sizeof(ev.path), "%s", r->path);
	ev.status = status;
	snprintf(ev.ip, sizeof(ev.ip), "%s", r->remote_addr);
	if (audit_record(r->db, team, &ev) != DB_OK)
		req_log(r, __func__, "cannot record %s", action);
}

/* 429 with Retry-After; returns -1 for the callers' convenience. */
static int
too_many(struct req *r, int reset, const char *what)
{
	r->headers.len = 0;
	if (r->headers.p != NULL)
		r->headers.p[0] = '\0';
	resp_header(r, "Retry-After", "%d", reset);
	resp_problem(r, 429, "rate_limited", "Too many %s; retry in %d "
	    "seconds.", what, reset);
	return -1;
}

/*
 * Is this failed authentication to be written to the audit trail?  At
 * most UPTIME_AUTH_FAIL_LIMIT a minute are, across all clients (as many
 * as one client may fail): a client with many addresses cannot grow the
 * table faster than that.  Past it, one log line a minute says so.
 */
static int
record_failure(struct req *r)
{
	long	 n;
	int	 reset;

	n = ratelimit_hit("f:", r->now, &reset);
	if (n == cfg.auth_fail_limit + 1)
		req_log(r, __func__, "more than %ld failed authentications "
		    "this minute; the rest of the minute's are not recorded",
		    cfg.auth_fail_limit);
	return n >= 0 && n <= cfg.auth_fail_limit;
}

static int
unauthorized(struct req *r, const char *code, const char *detail,
    const struct apikey *k, const char *prefix)
{
	char	 name[IP_MAX + 8];
	long	 n;
	int	 reset;

	/* Failed authentication is limited per client (an address, an
	 * IPv6 /64); past the limit the answer is 429 and nothing is
	 * written. */
	memcpy(name, "a:", 2);
	ratelimit_client(r->remote_addr, name + 2, sizeof(name) - 2);
	n = ratelimit_hit(name, r->now, &reset);
	if (n == -1 || n > cfg.auth_fail_limit)
		return too_many(r, reset, "failed authentications from this "
		    "address");
	if (strcmp(code, "missing_credentials") == 0)
		resp_header(r, "WWW-Authenticate", "Bearer realm=\"uptime\"");
	else
		resp_header(r, "WWW-Authenticate", "Bearer realm=\"uptime\", "
		    "error=\"invalid_token\", error_description=\"%s\"",
		    strcmp(code, "key_expired") == 0 ? "The key has expired" :
		    "The key is not valid");
	resp_problem(r, 401, code, "%s", detail);
	if (record_failure(r))
		audit_refusal(r, k ? k->team_id : NULL, k ? k->id : NULL,
		    k ? k->prefix : prefix, "auth.failed", 401);
	return -1;
}

int
auth_request(struct req *r, int scope)
{
	static struct apikey	 key;
	const char		*h, *tok;
	char			 prefix[KEY_SHOWNLEN + 1];
	char			 name[ID_MAX + 4];
	unsigned char		 hash[KEY_HASHLEN];
	long			 count;
	int			 rc;

	r->key = NULL;
	if (!have_secret) {
		req_log(r, __func__, "no server secret loaded");
		return resp_db(r, DB_ERROR), -1;
	}
	h = req_param(r, "HTTP_AUTHORIZATION");
	if (h == NULL || *h == '\0')
		return unauthorized(r, "missing_credentials", "Send "
		    "\"Authorization: Bearer uptime_...\" with an API key.",
		    NULL, NULL);
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return unauthorized(r, "invalid_key", "Only the Bearer scheme "
		    "is accepted: \"Authorization: Bearer uptime_...\".",
		    NULL, NULL);
	for (tok = h + 7; *tok == ' '; tok++)
		continue;
	if (!key_check_format(tok))
		return unauthorized(r, "invalid_key", "The API key is "
		    "malformed: check that it was copied whole.", NULL, NULL);
	snprintf(prefix, sizeof(prefix), "%.*s", KEY_SHOWNLEN, tok);

	key_hash(tok, hash);
	rc = apikey_by_hash(r->db, hash, &key);
	sodium_memzero(hash, sizeof(hash));
	if (rc == DB_NOTFOUND)
		return unauthorized(r, "invalid_key", "The API key is not "
		    "valid.", NULL, prefix);
	if (rc != DB_OK) {
		resp_db(r, rc);
		return -1;
	}
	switch (apikey_status(&key, r->now)) {
	case KEY_REVOKED:
		return unauthorized(r, "invalid_key", "The API key has been "
		    "revoked.", &key, NULL);
	case KEY_EXPIRED:
		return unauthorized(r, "key_expired", "The API key has "
		    "expired; create a new one.", &key, NULL);
	default:
		break;
	}
	r->key = &key;

	/* Every authenticated request counts against its key's budget;
	 * one that cannot be counted is refused. */
	snprintf(name, sizeof(name), "k:%s", key.id);
	count = ratelimit_hit(name, r->now, &r->rl_reset);
	if (count != 0) {
		r->rl_limit = cfg.rate_limit;
		r->rl_remaining = count == -1 || count >= cfg.rate_limit ? 0 :
		    cfg.rate_limit - count;
		if (count == -1 || count > cfg.rate_limit) {
			r->key = NULL;
			return too_many(r, r->rl_reset, "requests with this "
			    "API key");
		}
	}

	/* Reads stay reads: the usage stamp is written once a minute. */
	if (key.last_used_at == 0 || r->now - key.last_used_at >= KEY_TOUCH_MS)
		(void)apikey_touch(r->db, &key, r->remote_addr, r->now);

	if (scope >= 0 && !(key.scopes & (1u << scope))) {
		resp_header(r, "WWW-Authenticate", "Bearer realm=\"uptime\", "
		    "error=\"insufficient_scope\", scope=\"%s\"",
		    scope_names[scope]);
		resp_problem_member(r, 403, "insufficient_scope",
		    "requiredScope", scope_names[scope], "This API key lacks "
		    "the %s scope that this request needs.", scope_names[scope]);
		audit_refusal(r, key.team_id, key.id, key.prefix,
		    "auth.forbidden", 403);
		r->key = NULL;
		return -1;
	}
	return 0;
}
