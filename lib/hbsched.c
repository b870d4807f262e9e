/*
 * A heartbeat's schedule: the rules of its config (intervalSeconds, or
 * a schedule in a timezone; gracePeriodSeconds), its ping token, and
 * when its next ping is expected.  On struct monitor alone, no database:
 * below the monitors module, which applies these rules, and the pings
 * (heartbeat.c).  See docs/lib/heartbeat.md.
 */
#include <stdio.h>
#include <string.h>

#include "cronexpr.h"
#include "hbsched.h"
#include "ids.h"

void
heartbeat_token(char *out)
{
	base62_random(out, HB_TOKEN_LEN);
	out[HB_TOKEN_LEN] = '\0';
}

int
heartbeat_slug_valid(const char *s)
{
	size_t	 n = strlen(s);

	return n >= 1 && n <= HB_SLUG_MAX && strchr("-_", s[0]) == NULL &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n &&
	    strcmp(s, "start") != 0 && strcmp(s, "fail") != 0;
}

const char *
heartbeat_cfg_str(const struct monitor *m, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m->config,
	    name));
}

int64_t
heartbeat_grace_ms(const struct monitor *m)
{
	const cJSON	*g = cJSON_GetObjectItemCaseSensitive(m->config,
	    "gracePeriodSeconds");

	return cJSON_IsNumber(g) ? (int64_t)g->valuedouble * 1000 : 0;
}

/* Set config member name to item (taking it), replacing any. */
static void
cfg_set(struct monitor *m, const char *name, cJSON *item)
{
	if (cJSON_GetObjectItemCaseSensitive(m->config, name) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(m->config, name, item);
	else
		cJSON_AddItemToObject(m->config, name, item);
}

void
heartbeat_apply(struct monitor *m, const cJSON *body, struct verrs *v)
{
	const cJSON	*sched, *iv, *tz;

	sched = cJSON_GetObjectItemCaseSensitive(body, "schedule");
	iv = cJSON_GetObjectItemCaseSensitive(body, "intervalSeconds");
	tz = cJSON_GetObjectItemCaseSensitive(body, "timezone");
	if (sched != NULL && !cJSON_IsNull(sched) && iv != NULL)
		verr_add(v, VERR_INVALID, "/intervalSeconds", "cannot be given "
		    "with a schedule: a heartbeat expects its pings either "
		    "every intervalSeconds or on its schedule");
	else if (iv != NULL && sched == NULL)
		cfg_set(m, "schedule", cJSON_CreateNull());
	if (heartbeat_cfg_str(m, "schedule") == NULL) {
		if (tz != NULL && !cJSON_IsNull(tz))
			verr_add(v, VERR_INVALID, "/timezone", "only goes with "
			    "a schedule");
		cfg_set(m, "timezone", cJSON_CreateNull());
	} else if (heartbeat_cfg_str(m, "timezone") == NULL)
		cfg_set(m, "timezone", cJSON_CreateString("UTC"));
}

int
heartbeat_expected_after(const struct monitor *m, int64_t t, int64_t *out)
{
	struct cronexpr	 ce;
	const char	*sched = heartbeat_cfg_str(m, "schedule");
	const char	*tz = heartbeat_cfg_str(m, "timezone");
	char		 err[128];

	if (sched == NULL) {
		*out = t + (int64_t)m->interval_s * 1000;
		return 0;
	}
	if (cronexpr_parse(&ce, sched, err, sizeof(err)) == -1 ||
	    cronexpr_next(&ce, tz != NULL ? tz : "UTC", t, out) == -1) {
		fprintf(stderr, "uptime: heartbeat_expected_after: monitor %s: "
		    "cannot plan \"%s\" in %s\n", m->id, sched,
		    tz != NULL ? tz : "UTC");
		return -1;
	}
	return 0;
}

int
heartbeat_restart(struct monitor *m, int64_t now)
{
	if (heartbeat_expected_after(m, now, &m->ping_expected_at) == -1)
		return -1;
	m->run_started_at = 0;
	m->next_check_at = m->ping_expected_at + heartbeat_grace_ms(m);
	return 0;
}
