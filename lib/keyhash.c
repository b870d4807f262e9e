/*
 * Keys, the server secret and keyed hashes.
 *
 * A key is "uptime_" + 32 random base62 characters + 6 base62 characters
 * of the CRC32 of the random part.  The checksum lets a mistyped or
 * truncated key be refused before any database work.  Only a keyed
 * BLAKE2b-256 hash of the whole key is stored; the hashing key is the
 * server secret, kept in a 0600 file outside the database, so a copy of
 * the database alone cannot be used to test guesses.  Below both
 * authentication (auth.c) and API keys (apikey.c).
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

#include "ids.h"
#include "keyhash.h"
#include "owner.h"
#include "ratelimit.h"

#define SECRET_LEN	32	/* crypto_kdf_KEYBYTES */
#define RL_KEY_CONTEXT	"uptimerl"	/* crypto_kdf context: 8 bytes */
#define RL_KEY_ID	1

_Static_assert(SECRET_LEN == crypto_kdf_KEYBYTES,
    "the server secret is a crypto_kdf master key");

static const char base62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static unsigned char	 server_secret[SECRET_LEN];
static int		 have_secret;

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
	token_generate(KEY_PREFIX, out);
}

void
token_generate(const char *prefix, char *out)
{
	memcpy(out, prefix, 7);
	base62_random(out + 7, KEY_RANDLEN);
	key_checksum(out + 7, KEY_RANDLEN, out + 7 + KEY_RANDLEN);
	out[KEY_LEN] = '\0';
}

int
key_check_format(const char *s)
{
	return token_check_format(KEY_PREFIX, s);
}

int
token_check_format(const char *prefix, const char *s)
{
	char	 sum[KEY_SUMLEN];
	size_t	 i;

	if (s == NULL || strlen(s) != KEY_LEN || strncmp(s, prefix, 7))
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

int
key_have_secret(void)
{
	return have_secret;
}

void
csp_hash_source(const char *s, char *out, size_t outlen)
{
	unsigned char	 h[crypto_hash_sha256_BYTES];
	char		 b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
			    sodium_base64_VARIANT_ORIGINAL)];

	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	sodium_bin2base64(b64, sizeof(b64), h, sizeof(h),
	    sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, outlen, "'sha256-%s'", b64);
}
