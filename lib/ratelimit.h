/*
 * ratelimit.c: rate limits in a shared counter table.
 */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include "base.h"

#define RATELIMIT_KEYBYTES	16	/* crypto_shorthash_KEYBYTES */

/* Map the shared counter table at path (created 0600 if missing). */
int	 ratelimit_open(const char *path, char *err, size_t errlen) WUR;
/*
 * Count in a store that every node shares instead of the host's table
 * (several nodes on one PostgreSQL): hit(arg, name, minute) counts one
 * for the hashed name in that minute and returns the count so far, or -1.
 */
void	 ratelimit_store(long (*hit)(void *arg, int64_t name, int64_t minute),
	    void *arg);
/*
 * The key names are hashed with; auth_load_secret() derives it from the
 * server secret and sets it.  The table refuses to count without one.
 */
void	 ratelimit_key(const unsigned char key[RATELIMIT_KEYBYTES]);
/*
 * Count one request for name in the current minute and return the count
 * so far, this one included: 1 or more.  -1 when it cannot be counted
 * (no key, or the slots kept changing): refuse the request.  0 only when
 * no table is open (a program that serves no requests).  *reset_s gets
 * the seconds until the minute ends.
 */
long	 ratelimit_hit(const char *name, int64_t now_ms, int *reset_s);
/*
 * The client that a request from addr counts as, into out: an IPv4
 * address (also one written IPv4-mapped, ::ffff:a.b.c.d), the /64 of any
 * other IPv6 address ("2001:db8:1:2::/64": one subscriber's network is
 * one client, not 2^64; a zone, "%eth0", is dropped), anything else as
 * given.  The one key of every per-address limit.
 */
void	 ratelimit_client(const char *addr, char *out, size_t outlen);

#endif /* RATELIMIT_H */
