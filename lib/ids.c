/*
 * Identifiers: "<prefix>_" followed by 20 random base62 characters.
 */
#include <string.h>

#include <sodium.h>

#include "base.h"
#include "ids.h"

static const char base62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/*
 * Uniform base62 characters from one getrandom() per 64 bytes, not one
 * per character (randombytes_uniform): bytes from 248 = 4 * 62 up are
 * dropped so that every character is equally likely.  Every request
 * makes an id, so the system calls counted.
 */
void
base62_random(char *out, size_t n)
{
	unsigned char	 r[64];
	size_t		 i = 0, k = sizeof(r);

	while (i < n) {
		if (k == sizeof(r)) {
			randombytes_buf(r, sizeof(r));
			k = 0;
		}
		if (r[k] < 248)
			out[i++] = base62[r[k] % 62];
		k++;
	}
	sodium_memzero(r, sizeof(r));
}

void
id_new(char *out, const char *prefix)
{
	size_t	 plen = strlen(prefix);

	memcpy(out, prefix, plen);
	out[plen] = '_';
	base62_random(out + plen + 1, ID_RANDLEN);
	out[plen + 1 + ID_RANDLEN] = '\0';
}

static int
is_base62(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z');
}

int
id_valid(const char *s, const char *prefix)
{
	size_t	 plen = strlen(prefix), i;

	if (s == NULL || strncmp(s, prefix, plen) != 0 || s[plen] != '_')
		return 0;
	s += plen + 1;
	for (i = 0; i < ID_RANDLEN; i++)
		if (!is_base62((unsigned char)s[i]))
			return 0;
	return s[ID_RANDLEN] == '\0';
}
