/*
 * Unit tests of lib/auth.c: key format and checksum, the keyed hash and
 * the server secret file, scopes, and auth_request against a real
 * database.
 *
 * Expected values are computed outside the library: CRC32 check values
 * with python3 zlib.crc32 (0xCBF43926 for "123456789" is also the value
 * the zlib documentation gives), base62 by hand below, keyed BLAKE2b-256
 * with python3 hashlib.blake2b(msg, key=secret, digest_size=32).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <zlib.h>

#include "uptime.h"
#include "unit.h"

static char	 tmpdir[] = "/tmp/uptime-unit-auth-XXXXXX";

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* Secret 00 01 02 .. 1f, and 20 21 .. 3f. */
static const char secret_a[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char secret_b[] =
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";

/* A fixed key: its random part's CRC32 is 0x6154d22a = "1mVgZW". */
static const char fixed_key[] =
    "uptime_abcdefghijklmnopqrstuvwxyzABCDEF1mVgZW";
/* hashlib.blake2b(fixed_key, key=bytes(range(32)), digest_size=32) */
static const char fixed_hash_a[] =
    "31641e3a6186638697cf0d32add73d553753939dd502b559b3b5f3361e705d8c";
/* The same with key=bytes(range(32, 64)). */
static const char fixed_hash_b[] =
    "32f486365fad6c5b4122098fe6c12b005345ccd0b94a68663d708c1122fb0d76";

static void
path_in_tmp(char *out, size_t outlen, const char *name)
{
	snprintf(out, outlen, "%s/%s", tmpdir, name);
}

/* Write data to path, then set mode exactly (whatever the umask). */
static int
write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int	 fd;

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1)
		return -1;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	if (close(fd) == -1)
		return -1;
	return chmod(path, mode);
}

/* Load a secret given as hex text from a fresh 0600 file. */
static int
load_hex(const char *hex)
{
	char	 path[256], err[512], text[80];

	path_in_tmp(path, sizeof(path), "secret-load");
	snprintf(text, sizeof(text), "%s\n", hex);
	if (write_file(path, text, strlen(text), 0600) == -1)
		return -1;
	err[0] = '\0';
	if (auth_load_secret(path, err, sizeof(err)) == -1) {
		fprintf(stderr, "auth_load_secret: %s\n", err);
		unlink(path);
		return -1;
	}
	unlink(path);
	return 0;
}

static void
to_hex(const unsigned char *bin, size_t n, char *out)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", bin[i]);
}

/* The checksum the spec describes, written here independently. */
static void
expect_sum(const char *rand, size_t len, char out[KEY_SUMLEN + 1])
{
	uint32_t	 crc = (uint32_t)crc32(0L, (const Bytef *)rand, (uInt)len);
	int		 i;

	for (i = KEY_SUMLEN - 1; i >= 0; i--) {
		out[i] = b62[crc % 62];
		crc /= 62;
	}
	out[KEY_SUMLEN] = '\0';
}

static int
all_base62(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(b62, s[i]) == NULL)
			return 0;
	return 1;
}

/* Another base62 character than c. */
static char
other62(char c)
{
	return c == 'a' ? 'b' : 'a';
}

static void
test_key_generate_shape(void)
{
	char	 k[KEY_LEN + 1], k2[KEY_LEN + 1], sum[KEY_SUMLEN + 1];
	int	 i;

	CHECK_INT(KEY_LEN, 7 + 32 + 6);
	for (i = 0; i < 200; i++) {
		memset(k, 'x', sizeof(k));
		key_generate(k);
		CHECK_INT(strlen(k), 45);
		CHECK(strncmp(k, "uptime_", 7) == 0);
		CHECK(all_base62(k + 7, 38));
		expect_sum(k + 7, 32, sum);
		CHECK(memcmp(k + 39, sum, 6) == 0);
		CHECK_INT(key_check_format(k), 1);
	}
	key_generate(k2);
	CHECK(strcmp(k, k2) != 0);
}

static void
test_key_checksum_known(void)
{
	char	 out[KEY_SUMLEN + 1];

	/* CRC32("123456789") = 0xCBF43926, the standard check value. */
	memset(out, 0, sizeof(out));
	key_checksum("123456789", 9, out);
	CHECK_STR(out, "3jZRME");

	key_checksum("abcdefghijklmnopqrstuvwxyzABCDEF", 32, out);
	CHECK_STR(out, "1mVgZW");

	/* CRC32 of 32 '0' characters = 0xa0f292d0. */
	key_checksum("00000000000000000000000000000000", 32, out);
	CHECK_STR(out, "2wjyrI");

	/* CRC32 of nothing is 0. */
	key_checksum("", 0, out);
	CHECK_STR(out, "000000");

	/* Only len bytes count. */
	key_checksum("123456789XYZ", 9, out);
	CHECK_STR(out, "3jZRME");
}

static void
test_key_check_format_accepts(void)
{
	char	 k[KEY_LEN + 1];

	CHECK_INT(key_check_format(fixed_key), 1);
	key_generate(k);
	CHECK_INT(key_check_format(k), 1);
}

static void
test_key_check_format_negative(void)
{
	char	 k[KEY_LEN + 8], bad[KEY_LEN + 16];
	size_t	 i;

	key_generate(k);

	CHECK_INT(key_check_format(NULL), 0);
	CHECK_INT(key_check_format(""), 0);
	CHECK_INT(key_check_format("uptime_"), 0);

	/* Wrong prefix. */
	memcpy(bad, k, sizeof(k));
	bad[0] = 'U';
	CHECK_INT(key_check_format(bad), 0);
	memcpy(bad, k, sizeof(k));
	bad[6] = '-';
	CHECK_INT(key_check_format(bad), 0);
	memcpy(bad, "xptime_", 7);
	CHECK_INT(key_check_format(bad), 0);

	/* Wrong length: one short, one long. */
	memcpy(bad, k, sizeof(k));
	bad[KEY_LEN - 1] = '\0';
	CHECK_INT(key_check_format(bad), 0);
	snprintf(bad, sizeof(bad), "%sA", k);
	CHECK_INT(key_check_format(bad), 0);
	/* The prefix without its underscore. */
	snprintf(bad, sizeof(bad), "uptime%s", k + 7);
	CHECK_INT(key_check_format(bad), 0);

	/* Non-base62 characters in the random part and the checksum. */
	for (i = 0; i < 5; i++) {
		static const char notb62[] = { '-', '_', ' ', '+', '/' };

		memcpy(bad, k, sizeof(k));
		bad[10] = notb62[i];
		CHECK_INT(key_check_format(bad), 0);
		memcpy(bad, k, sizeof(k));
		bad[KEY_LEN - 1] = notb62[i];
		CHECK_INT(key_check_format(bad), 0);
	}
	memcpy(bad, k, sizeof(k));
	bad[20] = (char)0xc3;
	CHECK_INT(key_check_format(bad), 0);

	/* A flipped checksum character, at each position. */
	for (i = 7 + KEY_RANDLEN; i < KEY_LEN; i++) {
		memcpy(bad, k, sizeof(k));
		bad[i] = other62(bad[i]);
		CHECK_INT(key_check_format(bad), 0);
	}
	/* A flipped random character, at each position. */
	for (i = 7; i < 7 + KEY_RANDLEN; i++) {
		memcpy(bad, k, sizeof(k));
		bad[i] = other62(bad[i]);
		CHECK_INT(key_check_format(bad), 0);
	}
	/* The fixed key with its checksum of another string. */
	CHECK_INT(key_check_format(
	    "uptime_abcdefghijklmnopqrstuvwxyzABCDEF3jZRME"), 0);
	/* Case matters: a lower-cased key. */
	CHECK_INT(key_check_format(
	    "uptime_abcdefghijklmnopqrstuvwxyzabcdef1mVgZW"), 0);
}

static void
test_key_hash_with_secret(void)
{
	unsigned char	 secret[32], want[KEY_HASHLEN], got[KEY_HASHLEN];
	unsigned char	 got_b[KEY_HASHLEN];
	char		 hex[2 * KEY_HASHLEN + 1];
	char		 k[KEY_LEN + 1];
	size_t		 i;

	for (i = 0; i < sizeof(secret); i++)
		secret[i] = (unsigned char)i;

	CHECK_INT(load_hex(secret_a), 0);
	key_hash(fixed_key, got);
	to_hex(got, sizeof(got), hex);
	CHECK_STR(hex, fixed_hash_a);
	crypto_generichash(want, sizeof(want), (const unsigned char *)fixed_key,
	    strlen(fixed_key), secret, sizeof(secret));
	CHECK(memcmp(got, want, sizeof(want)) == 0);

	/* A generated key, against libsodium called here directly. */
	key_generate(k);
	key_hash(k, got);
	crypto_generichash(want, sizeof(want), (const unsigned char *)k,
	    strlen(k), secret, sizeof(secret));
	CHECK(memcmp(got, want, sizeof(want)) == 0);
	/* Not the unkeyed hash. */
	crypto_generichash(want, sizeof(want), (const unsigned char *)k,
	    strlen(k), NULL, 0);
	CHECK(memcmp(got, want, sizeof(want)) != 0);

	/* Another secret, another hash. */
	key_hash(fixed_key, got);
	CHECK_INT(load_hex(secret_b), 0);
	key_hash(fixed_key, got_b);
	CHECK(memcmp(got, got_b, sizeof(got)) != 0);
	to_hex(got_b, sizeof(got_b), hex);
	CHECK_STR(hex, fixed_hash_b);

	/* Upper-case hex is the same secret. */
	{
		char	 upper[sizeof(secret_a)];

		for (i = 0; i < sizeof(upper); i++)
			upper[i] = (char)(secret_a[i] >= 'a' ?
			    secret_a[i] - 32 : secret_a[i]);
		CHECK_INT(load_hex(upper), 0);
		key_hash(fixed_key, got);
		to_hex(got, sizeof(got), hex);
		CHECK_STR(hex, fixed_hash_a);
	}
}

static void
test_auth_load_secret_accepts(void)
{
	char	 path[256], err[512];

	path_in_tmp(path, sizeof(path), "ok-nonl");
	/* Without the final newline. */
	CHECK_INT(write_file(path, secret_a, 64, 0600), 0);
	CHECK_INT(auth_load_secret(path, err, sizeof(err)), 0);
	unlink(path);
	/* 0400 is owner-only too. */
	CHECK_INT(write_file(path, secret_a, 64, 0400), 0);
	CHECK_INT(auth_load_secret(path, err, sizeof(err)), 0);
	unlink(path);
}

static void
test_auth_load_secret_negative(void)
{
	char	 path[256], err[512], text[128];
	static const mode_t modes[] = { 0644, 0640, 0604, 0660, 0606, 0601 };
	size_t	 i;

	path_in_tmp(path, sizeof(path), "bad");

	/* Group or other may read: refused, and the message says why. */
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		snprintf(text, sizeof(text), "%s\n", secret_a);
		CHECK_INT(write_file(path, text, strlen(text), modes[i]), 0);
		err[0] = '\0';
		CHECK_INT(auth_load_secret(path, err, sizeof(err)), -1);
		CHECK(strstr(err, "600") != NULL);
		unlink(path);
	}

	/* Short: 63 hex characters, and an empty file. */
	CHECK_INT(write_file(path, secret_a, 63, 0600), 0);
	err[0] = '\0';
	CHECK_INT(auth_load_secret(path, err, sizeof(err)), -1);
	CHECK(err[0] != '\0');
	unlink(path);
	CHECK_INT(write_file(path, "", 0, 0600), 0);
	CHECK_INT(auth_load_secret(path, err, sizeof(err)), -1);
	unlink(path);

	/* 62 hex characters and a newline. */
	snprintf(text, sizeof(text), "%.62s\n", secret_a);
	CHECK_INT(write_file(path, text, strlen(text), 0600), 0);
	CHECK_INT(auth_load_secret(path, err, sizeof(err)), -1);
	unlink(path);

	/* Long: 65 hex characters. */
	snprintf(text, sizeof(text), "%sa", secret_a);
	CHECK_INT(write_file(path, text, strlen(text), 0600), 0);
	CHECK_INT(auth_load_secret(path, err, sizeof(err)), -1);
	unlink(path);

	/* Non-hex, at the start, the middle and the end. */
	snprintf(text, sizeof(text), "%s", secret_a);
	text[0] = 'g';
	CHECK_INT(write_file(path, text, 64, 0600), 0);
	CHECK_INT(auth_load_secret(path, err, sizeof(err)), -1);
	unlink(path);
	snprintf(text, sizeof(text), "%s", secret_a);
	text[31] = ' ';
	CHECK_INT(write_file(path, text, 64, 0600), 0);
	CHECK_INT(auth_load_secret(path, err, sizeof(err)), -1);
	unlink(path);
	snprintf(text, sizeof(text), "%s", secret_a);
	text[63] = 'z';
	CHECK_INT(write_file(path, text, 64, 0600), 0);
	err[0] = '\0';
	CHECK_INT(auth_load_secret(path, err, sizeof(err)), -1);
	CHECK(strstr(err, "hexadecimal") != NULL);
	unlink(path);

	/* No such file. */
	path_in_tmp(path, sizeof(path), "does-not-exist");
	err[0] = '\0';
	CHECK_INT(auth_load_secret(path, err, sizeof(err)), -1);
	CHECK(strstr(err, "UPTIME_SECRET_FILE") != NULL);
}

/*
 * A failed load must leave the secret already loaded as it was: a process
 * that keeps running after a refused reload should not hash keys with a
 * half-overwritten secret.
 */
static void
test_auth_load_secret_failure_keeps_old(void)
{
	unsigned char	 before[KEY_HASHLEN], after[KEY_HASHLEN];
	char		 path[256], err[512], text[80];

	CHECK_INT(load_hex(secret_a), 0);
	key_hash(fixed_key, before);

	/* secret_b's first 62 digits, then two that are not hex. */
	snprintf(text, sizeof(text), "%.62szz\n", secret_b);
	path_in_tmp(path, sizeof(path), "half");
	CHECK_INT(write_file(path, text, strlen(text), 0600), 0);
	CHECK_INT(auth_load_secret(path, err, sizeof(err)), -1);
	unlink(path);

	key_hash(fixed_key, after);
	CHECK(memcmp(before, after, sizeof(before)) == 0);
}

static void
test_auth_create_secret(void)
{
	char		 path[256], err[512], buf[128];
	struct stat	 sb;
	ssize_t		 n;
	int		 fd;
	mode_t		 old;
	size_t		 i;

	path_in_tmp(path, sizeof(path), "created");
	unlink(path);
	/* Even with a permissive umask the file is 0600. */
	old = umask(0);
	CHECK_INT(auth_create_secret(path, err, sizeof(err)), 0);
	umask(old);
	CHECK_INT(stat(path, &sb), 0);
	CHECK_INT(sb.st_mode & 07777, 0600);
	CHECK(S_ISREG(sb.st_mode));

	/* 64 lower-case hex digits and a newline. */
	memset(buf, 0, sizeof(buf));
	CHECK((fd = open(path, O_RDONLY)) != -1);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK_INT(n, 65);
	CHECK_INT(buf[64], '\n');
	for (i = 0; i < 64; i++)
		CHECK(strchr("0123456789abcdef", buf[i]) != NULL);
	CHECK_INT(auth_load_secret(path, err, sizeof(err)), 0);

	/* Refuses to overwrite, and leaves the file as it was. */
	err[0] = '\0';
	CHECK_INT(auth_create_secret(path, err, sizeof(err)), -1);
	CHECK(err[0] != '\0');
	{
		char	 again[128];

		memset(again, 0, sizeof(again));
		CHECK((fd = open(path, O_RDONLY)) != -1);
		CHECK_INT(read(fd, again, sizeof(again) - 1), 65);
		close(fd);
		CHECK_STR(again, buf);
	}
	unlink(path);

	/* Two secrets are not the same. */
	{
		char	 p2[256], b2[128];

		path_in_tmp(p2, sizeof(p2), "created2");
		CHECK_INT(auth_create_secret(path, err, sizeof(err)), 0);
		CHECK_INT(auth_create_secret(p2, err, sizeof(err)), 0);
		memset(buf, 0, sizeof(buf));
		memset(b2, 0, sizeof(b2));
		if ((fd = open(path, O_RDONLY)) != -1) {
			CHECK_INT(read(fd, buf, 64), 64);
			close(fd);
		}
		if ((fd = open(p2, O_RDONLY)) != -1) {
			CHECK_INT(read(fd, b2, 64), 64);
			close(fd);
		}
		CHECK(strcmp(buf, b2) != 0);
		unlink(path);
		unlink(p2);
	}

	/* A directory that does not exist. */
	path_in_tmp(path, sizeof(path), "no/such/dir/secret");
	CHECK_INT(auth_create_secret(path, err, sizeof(err)), -1);
}

/*
 * The twelve in bit order, and their bits.  Every key stores its scopes
 * as these bits (api_keys.scopes): a scope's bit can never change,
 * whatever lib/families.def's order.  A new scope adds its line here.
 */
static const struct {
	int		 scope;
	int		 bit;
	const char	*name;
} pinned[] = {
	{ SCOPE_MONITORS_READ, 0, "monitors:read" },
	{ SCOPE_MONITORS_WRITE, 1, "monitors:write" },
	{ SCOPE_ALERTS_READ, 2, "alerts:read" },
	{ SCOPE_ALERTS_WRITE, 3, "alerts:write" },
	{ SCOPE_STATUS_PAGES_READ, 4, "status-pages:read" },
	{ SCOPE_STATUS_PAGES_WRITE, 5, "status-pages:write" },
	{ SCOPE_MAINTENANCE_READ, 6, "maintenance:read" },
	{ SCOPE_MAINTENANCE_WRITE, 7, "maintenance:write" },
	{ SCOPE_TEAM_READ, 8, "team:read" },
	{ SCOPE_TEAM_WRITE, 9, "team:write" },
	{ SCOPE_API_KEYS_READ, 10, "api-keys:read" },
	{ SCOPE_API_KEYS_WRITE, 11, "api-keys:write" },
};

#define NPINNED	(sizeof(pinned) / sizeof(pinned[0]))

/* The enum, the names, parsing and answers all agree with pinned[]. */
static void
test_scope_bits_stored(void)
{
	unsigned	 mask;
	size_t		 i;
	cJSON		*a;

	CHECK_INT(SCOPE__MAX, (int)NPINNED);
	for (i = 0; i < NPINNED; i++) {
		if (pinned[i].scope != pinned[i].bit) {
			fprintf(stderr, "%s: enum scope says bit %d, keys "
			    "hold it in bit %d\n", pinned[i].name,
			    pinned[i].scope, pinned[i].bit);
			unit_current_failed = 1;
		}
		CHECK_STR(scope_names[pinned[i].bit], pinned[i].name);
		CHECK_INT(scope_find(pinned[i].name), pinned[i].bit);
		/* A stored mask of that bit alone reads back as the name. */
		a = scope_json(1u << pinned[i].bit);
		CHECK_INT(cJSON_GetArraySize(a), 1);
		if (cJSON_GetArraySize(a) == 1)
			CHECK_STR(cJSON_GetArrayItem(a, 0)->valuestring,
			    pinned[i].name);
		cJSON_Delete(a);
		CHECK_INT(scope_parse_list(pinned[i].name, &mask), 0);
		CHECK_INT(mask, 1u << pinned[i].bit);
	}
}

static void
test_scope_find(void)
{
	static const char *const unknown[] = {
		"", "monitors", "monitors:", ":read", "Monitors:read",
		"monitors:READ", "monitors:read ", " monitors:read",
		"monitors:delete", "all", "api_keys:read", "status_pages:read",
		"monitors:read,alerts:read", "team:admin",
	};
	size_t	 i;

	CHECK_INT(SCOPE__MAX, 12);
	CHECK_INT(SCOPES_ALL, 0xfff);
	for (i = 0; i < 12; i++) {
		CHECK_INT(scope_find(pinned[i].name), (int)i);
		CHECK_STR(scope_names[i], pinned[i].name);
	}
	CHECK_INT(scope_find("api-keys:write"), SCOPE_API_KEYS_WRITE);
	CHECK_INT(scope_find("status-pages:read"), SCOPE_STATUS_PAGES_READ);
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		CHECK_INT(scope_find(unknown[i]), -1);
}

static void
test_scope_parse_list(void)
{
	unsigned	 m;
	char		 list[512];
	size_t		 i;

	m = 0;
	CHECK_INT(scope_parse_list("all", &m), 0);
	CHECK_INT(m, 0xfff);

	CHECK_INT(scope_parse_list("monitors:read", &m), 0);
	CHECK_INT(m, 0x1);
	CHECK_INT(scope_parse_list("api-keys:write", &m), 0);
	CHECK_INT(m, 0x800);
	CHECK_INT(scope_parse_list("team:read,monitors:write,alerts:read",
	    &m), 0);
	CHECK_INT(m, (1u << 8) | (1u << 1) | (1u << 2));
	/* Repeats are harmless. */
	CHECK_INT(scope_parse_list("team:read,team:read", &m), 0);
	CHECK_INT(m, 1u << 8);

	/* All twelve by name is the same as "all". */
	list[0] = '\0';
	for (i = 0; i < 12; i++) {
		strcat(list, pinned[i].name);
		if (i < 11)
			strcat(list, ",");
	}
	CHECK_INT(scope_parse_list(list, &m), 0);
	CHECK_INT(m, 0xfff);
}

static void
test_scope_parse_list_negative(void)
{
	static const char *const bad[] = {
		"",
		",",
		"monitors:read,",
		",monitors:read",
		"monitors:read,,alerts:read",
		"monitors:read,bogus",
		"bogus",
		"ALL",
		"all,monitors:read",
		"monitors:read,all",
		" monitors:read",
		"monitors:read, alerts:read",
		"monitors:read;alerts:read",
		"monitors:readmonitors:read_and_some_more_characters",
	};
	unsigned	 m;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = 0;
		if (scope_parse_list(bad[i], &m) != -1) {
			fprintf(stderr, "accepted \"%s\"\n", bad[i]);
			CHECK(0);
		}
	}
}

static void
test_scope_json_order(void)
{
	cJSON	*a;
	char	*s;

	a = scope_json((1u << SCOPE_API_KEYS_WRITE) | (1u << SCOPE_TEAM_READ) |
	    (1u << SCOPE_MONITORS_READ));
	s = cJSON_PrintUnformatted(a);
	CHECK_STR(s, "[\"monitors:read\",\"team:read\",\"api-keys:write\"]");
	free(s);
	cJSON_Delete(a);

	a = scope_json(0);
	s = cJSON_PrintUnformatted(a);
	CHECK_STR(s, "[]");
	free(s);
	cJSON_Delete(a);

	a = scope_json(SCOPES_ALL);
	s = cJSON_PrintUnformatted(a);
	CHECK_STR(s, "[\"monitors:read\",\"monitors:write\",\"alerts:read\","
	    "\"alerts:write\",\"status-pages:read\",\"status-pages:write\","
	    "\"maintenance:read\",\"maintenance:write\",\"team:read\","
	    "\"team:write\",\"api-keys:read\",\"api-keys:write\"]");
	free(s);
	cJSON_Delete(a);

	/* Bits past the twelve are ignored. */
	a = scope_json(0xf000u | 1u);
	s = cJSON_PrintUnformatted(a);
	CHECK_STR(s, "[\"monitors:read\"]");
	free(s);
	cJSON_Delete(a);
}

/* ---- auth_request ---- */

static void
req_init(struct req *r, struct db *db, int64_t now)
{
	memset(r, 0, sizeof(*r));
	r->db = db;
	r->method = "GET";
	snprintf(r->uri_path, sizeof(r->uri_path), "/v1/api-keys");
	r->path = r->uri_path;
	snprintf(r->request_id, sizeof(r->request_id), "req_unit");
	snprintf(r->remote_addr, sizeof(r->remote_addr), "192.0.2.7");
	r->now = now;
	r->status = 500;
}

static void
req_done(struct req *r)
{
	buf_free(&r->out);
	buf_free(&r->headers);
}

/* The problem's "code", or "" (static buffer). */
static const char *
problem_code(const struct req *r)
{
	static char	 code[64];
	cJSON		*o;
	const cJSON	*c;

	code[0] = '\0';
	if (r->out.p == NULL || (o = cJSON_Parse(r->out.p)) == NULL)
		return code;
	c = cJSON_GetObjectItemCaseSensitive(o, "code");
	if (cJSON_IsString(c))
		snprintf(code, sizeof(code), "%s", c->valuestring);
	cJSON_Delete(o);
	return code;
}

static int
count_audit(struct db *db, const char *action)
{
	sqlite3_stmt	*st;
	int		 n = -1;

	if (sqlite3_prepare_v2(db_handle(db), "SELECT count(*) FROM "
	    "audit_events WHERE action = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, action, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
test_auth_request(void)
{
	struct db	*db;
	struct team	 t;
	struct apikey	 k, rk, ek;
	struct req	 r;
	char		 path[256], err[512], key[KEY_LEN + 1];
	char		 rkey[KEY_LEN + 1], ekey[KEY_LEN + 1], hdr[128];
	int64_t		 now = 1771070400000;

	CHECK_INT(load_hex(secret_a), 0);
	path_in_tmp(path, sizeof(path), "auth.db");
	if ((db = db_open(path, 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "db_open: %s\n", err);
		CHECK(0);
		return;
	}
	CHECK_INT(team_create(db, "Auth team", &t), DB_OK);

	memset(&k, 0, sizeof(k));
	snprintf(k.team_id, sizeof(k.team_id), "%s", t.id);
	snprintf(k.name, sizeof(k.name), "reader");
	k.scopes = 1u << SCOPE_API_KEYS_READ;
	key_generate(key);
	CHECK_INT(apikey_insert(db, &k, key, now - 1000), DB_OK);

	memset(&rk, 0, sizeof(rk));
	snprintf(rk.team_id, sizeof(rk.team_id), "%s", t.id);
	snprintf(rk.name, sizeof(rk.name), "revoked");
	rk.scopes = SCOPES_ALL;
	key_generate(rkey);
	CHECK_INT(apikey_insert(db, &rk, rkey, now - 1000), DB_OK);
	CHECK_INT(apikey_revoke(db, &rk, now - 500), DB_OK);

	memset(&ek, 0, sizeof(ek));
	snprintf(ek.team_id, sizeof(ek.team_id), "%s", t.id);
	snprintf(ek.name, sizeof(ek.name), "expired");
	ek.scopes = SCOPES_ALL;
	ek.expires_at = now;		/* expires exactly now */
	key_generate(ekey);
	CHECK_INT(apikey_insert(db, &ek, ekey, now - 1000), DB_OK);

	/* No header. */
	unsetenv("HTTP_AUTHORIZATION");
	req_init(&r, db, now);
	CHECK_INT(auth_request(&r, SCOPE_API_KEYS_READ), -1);
	CHECK_INT(r.status, 401);
	CHECK_STR(problem_code(&r), "missing_credentials");
	CHECK(r.headers.p != NULL && strstr(r.headers.p,
	    "WWW-Authenticate: Bearer realm=\"uptime\"\r\n") != NULL);
	CHECK(r.key == NULL);
	req_done(&r);

	/* Not Bearer. */
	setenv("HTTP_AUTHORIZATION", "Basic dXNlcjpwYXNz", 1);
	req_init(&r, db, now);
	CHECK_INT(auth_request(&r, SCOPE_API_KEYS_READ), -1);
	CHECK_INT(r.status, 401);
	CHECK_STR(problem_code(&r), "invalid_key");
	CHECK(r.headers.p != NULL &&
	    strstr(r.headers.p, "error=\"invalid_token\"") != NULL);
	req_done(&r);

	/* Malformed: a flipped checksum. */
	snprintf(hdr, sizeof(hdr), "Bearer %s", key);
	hdr[strlen(hdr) - 1] = other62(hdr[strlen(hdr) - 1]);
	setenv("HTTP_AUTHORIZATION", hdr, 1);
	req_init(&r, db, now);
	CHECK_INT(auth_request(&r, SCOPE_API_KEYS_READ), -1);
	CHECK_INT(r.status, 401);
	CHECK_STR(problem_code(&r), "invalid_key");
	req_done(&r);

	/* Well-formed but unknown. */
	snprintf(hdr, sizeof(hdr), "Bearer %s", fixed_key);
	setenv("HTTP_AUTHORIZATION", hdr, 1);
	req_init(&r, db, now);
	CHECK_INT(auth_request(&r, SCOPE_API_KEYS_READ), -1);
	CHECK_INT(r.status, 401);
	CHECK_STR(problem_code(&r), "invalid_key");
	req_done(&r);

	/* Revoked. */
	snprintf(hdr, sizeof(hdr), "Bearer %s", rkey);
	setenv("HTTP_AUTHORIZATION", hdr, 1);
	req_init(&r, db, now);
	CHECK_INT(auth_request(&r, SCOPE_API_KEYS_READ), -1);
	CHECK_INT(r.status, 401);
	CHECK_STR(problem_code(&r), "invalid_key");
	req_done(&r);

	/* Expired. */
	snprintf(hdr, sizeof(hdr), "Bearer %s", ekey);
	setenv("HTTP_AUTHORIZATION", hdr, 1);
	req_init(&r, db, now);
	CHECK_INT(auth_request(&r, SCOPE_API_KEYS_READ), -1);
	CHECK_INT(r.status, 401);
	CHECK_STR(problem_code(&r), "key_expired");
	CHECK(r.headers.p != NULL &&
	    strstr(r.headers.p, "error=\"invalid_token\"") != NULL);
	req_done(&r);
	/* One millisecond earlier it was still good. */
	req_init(&r, db, now - 1);
	CHECK_INT(auth_request(&r, SCOPE_API_KEYS_READ), 0);
	req_done(&r);

	CHECK_INT(count_audit(db, "auth.failed"), 6);

	/* Good key, the scope it has; lowercase scheme, extra spaces. */
	snprintf(hdr, sizeof(hdr), "bearer   %s", key);
	setenv("HTTP_AUTHORIZATION", hdr, 1);
	req_init(&r, db, now);
	CHECK_INT(auth_request(&r, SCOPE_API_KEYS_READ), 0);
	CHECK(r.key != NULL);
	if (r.key != NULL) {
		CHECK_STR(r.key->id, k.id);
		CHECK_STR(r.key->team_id, t.id);
	}
	CHECK_INT(r.answered, 0);
	req_done(&r);
	/* The usage stamp was written. */
	{
		struct apikey	 got;

		CHECK_INT(apikey_get(db, t.id, k.id, &got), DB_OK);
		CHECK_INT(got.last_used_at, now);
		CHECK_STR(got.last_used_ip, "192.0.2.7");
	}
	/* No scope needed. */
	req_init(&r, db, now);
	CHECK_INT(auth_request(&r, SCOPE_ANYKEY), 0);
	CHECK(r.key != NULL);
	req_done(&r);

	/* A scope it lacks: :read does not give :write. */
	req_init(&r, db, now);
	CHECK_INT(auth_request(&r, SCOPE_API_KEYS_WRITE), -1);
	CHECK_INT(r.status, 403);
	CHECK_STR(problem_code(&r), "insufficient_scope");
	CHECK(r.out.p != NULL && strstr(r.out.p,
	    "\"requiredScope\":\"api-keys:write\"") != NULL);
	CHECK(r.headers.p != NULL && strstr(r.headers.p,
	    "error=\"insufficient_scope\", scope=\"api-keys:write\"") != NULL);
	CHECK(r.key == NULL);
	req_done(&r);
	CHECK_INT(count_audit(db, "auth.forbidden"), 1);

	unsetenv("HTTP_AUTHORIZATION");
	db_close(db);
	unlink(path);
}

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

int
main(void)
{
	if (sodium_init() == -1 || mkdtemp(tmpdir) == NULL) {
		perror("setup");
		return 1;
	}
	UNIT_RUN(test_key_generate_shape);
	UNIT_RUN(test_key_checksum_known);
	UNIT_RUN(test_key_check_format_accepts);
	UNIT_RUN(test_key_check_format_negative);
	UNIT_RUN(test_key_hash_with_secret);
	UNIT_RUN(test_auth_load_secret_accepts);
	UNIT_RUN(test_auth_load_secret_negative);
	UNIT_RUN(test_auth_load_secret_failure_keeps_old);
	UNIT_RUN(test_auth_create_secret);
	UNIT_RUN(test_scope_bits_stored);
	UNIT_RUN(test_scope_find);
	UNIT_RUN(test_scope_parse_list);
	UNIT_RUN(test_scope_parse_list_negative);
	UNIT_RUN(test_scope_json_order);
	UNIT_RUN(test_auth_request);
	if (nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS) == -1)
		perror(tmpdir);
	return unit_finish();
}
