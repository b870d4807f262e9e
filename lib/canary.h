/*
 * Canaries (UPTIME_CANARY_URLS, docs/locations.md): URLs that should
 * always answer, which a checker (uptime-check, uptime-probe) fetches
 * when its checks fail, to tell its own lost connectivity from its
 * targets' outages.  When every canary fails in a round, that round's
 * failures are inconclusive: kept as history, moving no state.
 *
 * A canary passes when its URL answers with any HTTP status (the
 * network worked); it fails on a transport error or after
 * CANARY_TIMEOUT_MS.  The probes follow the caller's target policy.
 */
#ifndef CANARY_H
#define CANARY_H

#include <stddef.h>

#include "config.h"
#include "probe.h"

#define CANARY_TIMEOUT_MS	5000
/* A checker starts a round at most this often. */
#define CANARY_GAP_MS		5000

struct canaries {
	size_t		 n;		/* 0: no canaries */
	char		 url[CONFIG_CANARY_MAX][CONFIG_CANARY_URLMAX + 1];
	struct probe	 p[CONFIG_CANARY_MAX];
	size_t		 done, failed;	/* of the round under way */
};

/*
 * Take the canaries of list (a UPTIME_CANARY_URLS value) into c: 0, or
 * -1 with why (list is refused).
 */
int	 canary_setup(struct canaries *c, const char *list, char *why,
	    size_t whylen);
/* Make the probes of a new round (their outputs cleared). */
void	 canary_prepare(struct canaries *c);
/*
 * Probe p ended: 1 when it is one of c's (counted in the round), else 0.
 */
int	 canary_done(struct canaries *c, struct probe *p);
/* After every probe of a round is done: 1 when all failed, else 0. */
int	 canary_all_failed(const struct canaries *c);
/*
 * A whole round at once with the options of opts (its concurrency and
 * done callback aside): 1 when every canary failed, 0 when one passed,
 * -1 when the round could not run.
 */
int	 canary_run(struct canaries *c, const struct probe_opts *opts);
/* Release the probes' outputs. */
void	 canary_clear(struct canaries *c);

#endif /* CANARY_H */
