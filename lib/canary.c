/*
 * Canaries: a checker's test of its own connectivity.  See canary.h.
 */
#include <string.h>

#include "canary.h"
#include "config.h"
#include "probe.h"

int
canary_setup(struct canaries *c, const char *list, char *why, size_t whylen)
{
	int	 n;

	memset(c, 0, sizeof(*c));
	if ((n = config_canaries(list, c->url, why, whylen)) == -1)
		return -1;
	c->n = (size_t)n;
	return 0;
}

void
canary_prepare(struct canaries *c)
{
	size_t	 i;

	for (i = 0; i < c->n; i++) {
		probe_clear(&c->p[i]);
		memset(&c->p[i], 0, sizeof(c->p[i]));
		c->p[i].kind = PROBE_HTTP;
		c->p[i].url = c->url[i];
		c->p[i].method = "GET";
		c->p[i].follow_redirects = 0;
		c->p[i].verify_tls = 1;
		c->p[i].discard_body = 1;
		c->p[i].timeout_ms = CANARY_TIMEOUT_MS;
	}
	c->done = c->failed = 0;
}

int
canary_done(struct canaries *c, struct probe *p)
{
	if (c->n == 0 || p < c->p || p >= c->p + c->n)
		return 0;
	c->done++;
	if (p->failed)
		c->failed++;
	return 1;
}

int
canary_all_failed(const struct canaries *c)
{
	return c->n > 0 && c->failed == c->n;
}

int
canary_run(struct canaries *c, const struct probe_opts *opts)
{
	struct probe_opts	 o = *opts;
	size_t			 i;

	o.concurrency = (int)c->n;
	o.done = NULL;
	o.done_arg = NULL;
	canary_prepare(c);
	if (probe_run(c->p, c->n, &o) == -1)
		return -1;
	for (i = 0; i < c->n; i++)
		if (c->p[i].failed)
			c->failed++;
	c->done = c->n;
	return canary_all_failed(c);
}

void
canary_clear(struct canaries *c)
{
	size_t	 i;

	for (i = 0; i < c->n; i++)
		probe_clear(&c->p[i]);
}
