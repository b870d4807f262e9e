/*
 * keyhash.c: the server secret, key format and keyed hashes.
 */
#ifndef KEYHASH_H
#define KEYHASH_H

#include "base.h"

#define KEY_PREFIX	"uptime_"
#define KEY_RANDLEN	32
#define KEY_SUMLEN	6
#define KEY_LEN		(7 + KEY_RANDLEN + KEY_SUMLEN)
#define KEY_SHOWNLEN	(7 + 8)		/* keyPrefix: uptime_ + 8 */
#define KEY_HASHLEN	32
/* A probe location's token (location.h): the key format, this prefix. */
#define LOCTOKEN_PREFIX	"uptloc_"

/* Load the server secret (64 hex characters, file mode 0600). */
int	 auth_load_secret(const char *path, char *err, size_t errlen) WUR;
/* Create a new secret file; fails if it exists. */
int	 auth_create_secret(const char *path, char *err, size_t errlen) WUR;
/* Make a new key string into out (KEY_LEN + 1 bytes). */
void	 key_generate(char *out);
/* 1 if s has the key format and a correct checksum, else 0. */
int	 key_check_format(const char *s);
/* Keyed BLAKE2b-256 of the key with the server secret. */
void	 key_hash(const char *key, unsigned char out[KEY_HASHLEN]);
/*
 * The same for another kind of token of the key's shape: prefix is 7
 * characters ("uptloc_", a probe location's token, LOCTOKEN_PREFIX).
 */
void	 token_generate(const char *prefix, char *out);
int	 token_check_format(const char *prefix, const char *s);
/* The 6-character base62 checksum of the random part. */
void	 key_checksum(const char *rand, size_t len, char out[KEY_SUMLEN]);
/*
 * Keyed BLAKE2b-256 of another secret token (an invitation's), with the
 * server secret; domain ("invite") keeps each kind of token apart.
 */
void	 token_hash(const char *domain, const char *token,
	    unsigned char out[KEY_HASHLEN]);

/* 1 once auth_load_secret has loaded the secret, else 0. */
int	 key_have_secret(void);

/* A Content-Security-Policy source for the inline script or style s:
 * "'sha256-<base64>'" into out. */
void	 csp_hash_source(const char *s, char *out, size_t outlen);

#endif /* KEYHASH_H */
