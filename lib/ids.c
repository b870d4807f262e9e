/*
 * Identifiers: "<prefix>_" followed by 20 random base62 characters.
 */
#include <string.h>

#include <sodium.h>

#include "uptime.h"

static const char base62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void
base62_random(char *out, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		out[i] = base62[randombytes_uniform(62)];
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
