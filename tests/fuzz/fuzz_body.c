/*
 * Fuzz target: request bodies.  The first byte picks the validator, the
 * rest is the body as a client sends it: req_json() parses it exactly as
 * for a request (NUL bytes, \u0000 escapes, trailing bytes, nesting),
 * then the family's validator applies it, creating or patching, and the
 * answer is rendered (resp_verrs for the errors, the resource's JSON for
 * a valid one).  The api-key, team, member and invite bodies are checked
 * in cgi-bin/ with the lib getters; the same calls are made here.
 */
#include "fuzz.h"
#include "uptime.h"
#include "alert.h"
#include "heartbeat.h"
#include "incident.h"
#include "maintenance.h"
#include "mail.h"
#include "invite.h"

/* The components' states sp_json is given: all unknown. */
static const enum health no_states[SP_MAXCOMPONENTS];

enum fam {
	FAM_MONITOR_CREATE,
	FAM_MONITOR_PATCH,
	FAM_CHANNEL_CREATE,
	FAM_CHANNEL_PATCH,
	FAM_MAINT_CREATE,
	FAM_MAINT_PATCH,
	FAM_SP_CREATE,
	FAM_SP_PATCH,
	FAM_SP_COMPONENTS,
	FAM_INCIDENT_CREATE,
	FAM_INCIDENT_PATCH,
	FAM_INCIDENT_UPDATE,
	FAM_APIKEY_CREATE,
	FAM_TEAM_PATCH,
	FAM_MEMBER_PATCH,
	FAM_INVITE_CREATE,
	FAM_INVITE_ACCEPT,
	FAM__MAX
};

static cJSON *
parse(const char *s)
{
	cJSON	*o = cJSON_Parse(s);

	if (o == NULL)
		abort();
	return o;
}

static void
monitor(const cJSON *body, int creating, struct verrs *v)
{
	struct monitor	 m;
	cJSON		*o;

	monitor_init(&m, FUZZ_NOW);
	if (!creating) {
		o = parse("{\"name\":\"Beat\",\"type\":\"heartbeat\","
		    "\"intervalSeconds\":300}");
		monitor_apply(&m, o, 1, v);
		cJSON_Delete(o);
		if (v->n != 0)
			abort();
	}
	monitor_apply(&m, body, creating, v);
	if (v->n == 0)
		cJSON_Delete(monitor_json(&m));
	monitor_free(&m);
}

static void
channel(const cJSON *body, int creating, struct verrs *v)
{
	struct channel	 c;
	cJSON		*o;

	channel_init(&c, FUZZ_NOW);
	snprintf(c.team_id, sizeof(c.team_id), "%s", fw.team_id);
	if (!creating) {
		o = parse("{\"name\":\"Hook\",\"type\":\"webhook\",\"config\":"
		    "{\"url\":\"https://hooks.example.com/x\"}}");
		if (channel_apply(fw.db, &c, o, 1, v) != DB_OK || v->n != 0)
			abort();
		cJSON_Delete(o);
	}
	if (channel_apply(fw.db, &c, body, creating, v) == DB_OK && v->n == 0)
		cJSON_Delete(channel_json(&c));
	channel_free(&c);
}

static void
maint(const cJSON *body, int creating, struct verrs *v)
{
	static struct maint_window	 w;
	cJSON				*o;

	maint_init(&w, FUZZ_NOW);
	snprintf(w.team_id, sizeof(w.team_id), "%s", fw.team_id);
	if (!creating) {
		o = parse("{\"title\":\"Deploy\",\"startsAt\":"
		    "\"2026-03-02T01:00:00Z\",\"endsAt\":"
		    "\"2026-03-02T02:00:00Z\",\"timezone\":\"Europe/Berlin\","
		    "\"recurrence\":{\"frequency\":\"weekly\"}}");
		maint_apply(fw.db, &w, o, 1, v);
		cJSON_Delete(o);
		if (v->n != 0)
			abort();
	}
	maint_apply(fw.db, &w, body, creating, v);
	if (v->n == 0)
		cJSON_Delete(maint_json(&w, FUZZ_NOW));
}

static void
statuspage(const cJSON *body, enum fam f, struct verrs *v)
{
	struct status_page	*sp;
	int			 rc;

	if ((sp = malloc(sizeof(*sp))) == NULL)
		abort();
	if (f == FAM_SP_CREATE) {
		sp_init(sp, FUZZ_NOW);
		snprintf(sp->team_id, sizeof(sp->team_id), "%s", fw.team_id);
	} else {
		/* A copy of the world's page with its own components. */
		*sp = fw.sp;
		if ((sp->components = calloc(fw.sp.ncomponents,
		    sizeof(*sp->components))) == NULL)
			abort();
		memcpy(sp->components, fw.sp.components,
		    fw.sp.ncomponents * sizeof(*sp->components));
	}
	rc = f == FAM_SP_COMPONENTS ?
	    sp_apply_components(fw.db, sp, body, v) :
	    sp_apply(fw.db, sp, body, f == FAM_SP_CREATE, v);
	if (rc == 0 && v->n == 0)
		cJSON_Delete(sp_json(sp, no_states));
	sp_free(sp);
	free(sp);
}

static void
incident(const cJSON *body, enum fam f, struct verrs *v)
{
	struct incident	 inc;
	enum inc_status	 st;
	const char	*msg = NULL;
	cJSON		*o;

	incident_init(&inc, FUZZ_NOW);
	snprintf(inc.team_id, sizeof(inc.team_id), "%s", fw.team_id);
	snprintf(inc.page_id, sizeof(inc.page_id), "%s", fw.sp.id);
	if (f != FAM_INCIDENT_CREATE) {
		o = parse("{\"title\":\"Down\",\"status\":\"investigating\","
		    "\"impact\":\"major\",\"message\":\"Looking.\"}");
		incident_apply(&inc, &fw.sp, o, 1, FUZZ_NOW, v);
		cJSON_Delete(o);
		if (v->n != 0)
			abort();
	}
	if (f == FAM_INCIDENT_UPDATE)
		incident_update_apply(&inc, body, &st, &msg, v);
	else
		incident_apply(&inc, &fw.sp, body, f == FAM_INCIDENT_CREATE,
		    FUZZ_NOW, v);
	if (v->n == 0 && f != FAM_INCIDENT_UPDATE)
		cJSON_Delete(incident_json(&inc));
	incident_free(&inc);
}

/* As cgi-bin/api-keys.c keys_create. */
static void
apikey(const cJSON *body, struct verrs *v)
{
	static const struct jfield fields[] = {
		{ "name", 0 }, { "scopes", 0 }, { "expiresAt", 0 },
		{ "id", 1 }, { "keyPrefix", 1 }, { "createdAt", 1 },
		{ "lastUsedAt", 1 }, { "lastUsedIp", 1 }, { NULL, 0 }
	};
	const cJSON	*scopes, *s;
	const char	*name;
	int64_t		 exp;
	int		 isnull, i;

	json_check_fields(body, fields, v);
	(void)json_str(body, "name", 1, NAME_MAXCHARS, JREQ, v, &name, NULL);
	scopes = cJSON_GetObjectItemCaseSensitive(body, "scopes");
	if (cJSON_IsArray(scopes) && cJSON_GetArraySize(scopes) <= SCOPE__MAX)
		cJSON_ArrayForEach(s, scopes)
			if (!cJSON_IsString(s) ||
			    (i = scope_find(s->valuestring)) == -1)
				verr_add(v, VERR_INVALID, "/scopes", "bad");
	(void)json_time(body, "expiresAt", JNULL, v, &exp, &isnull);
}

/* As cgi-bin/team.c: team and member PATCH, invite create and accept. */
static void
team(const cJSON *body, enum fam f, struct verrs *v)
{
	static const struct jfield name_only[] = {
		{ "name", 0 }, { "id", 1 }, { NULL, 0 }
	}, member_fields[] = {
		{ "name", 0 }, { "role", 0 }, { "email", 1 }, { NULL, 0 }
	}, invite_fields[] = {
		{ "email", 0 }, { "role", 0 }, { "expiresAt", 0 }, { NULL, 0 }
	}, accept_fields[] = {
		{ "token", 0 }, { "name", 0 }, { NULL, 0 }
	};
	enum member_role role;
	char		 email[MAIL_ADDR_MAX + 1];
	const char	*s = NULL;
	int64_t		 t;
	int		 isnull;

	switch (f) {
	case FAM_TEAM_PATCH:
		json_check_fields(body, name_only, v);
		(void)json_str(body, "name", 1, NAME_MAXCHARS, 0, v, &s, NULL);
		break;
	case FAM_MEMBER_PATCH:
		json_check_fields(body, member_fields, v);
		(void)json_str(body, "name", 1, NAME_MAXCHARS, 0, v, &s, NULL);
		(void)member_role_get(body, 0, v, &role);
		break;
	case FAM_INVITE_CREATE:
		json_check_fields(body, invite_fields, v);
		if (json_str(body, "email", 1, MAIL_ADDR_MAX, JREQ, v, &s,
		    NULL) == 1 &&
		    mail_addr_normalize(s, email, sizeof(email)) == -1)
			verr_add(v, VERR_INVALID, "/email", "bad");
		(void)member_role_get(body, 0, v, &role);
		(void)json_time(body, "expiresAt", JNULL, v, &t, &isnull);
		break;
	default:
		json_check_fields(body, accept_fields, v);
		if (json_str(body, "token", 1, 256, JREQ, v, &s, NULL) == 1)
			(void)invite_token_valid(s);
		(void)json_str(body, "name", 1, NAME_MAXCHARS, JREQ, v, &s,
		    NULL);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req	 r;
	struct verrs	 v = { 0 };
	cJSON		*body;
	enum fam	 f;

	fuzz_world();
	if (size < 1)
		return 0;
	f = (enum fam)(data[0] % FAM__MAX);
	fuzz_req(&r, "POST", "/v1/fuzz", data + 1, size - 1);
	if ((body = req_json(&r)) == NULL) {
		fuzz_req_done(&r);
		return 0;
	}
	switch (f) {
	case FAM_MONITOR_CREATE:
	case FAM_MONITOR_PATCH:
		monitor(body, f == FAM_MONITOR_CREATE, &v);
		break;
	case FAM_CHANNEL_CREATE:
	case FAM_CHANNEL_PATCH:
		channel(body, f == FAM_CHANNEL_CREATE, &v);
		break;
	case FAM_MAINT_CREATE:
	case FAM_MAINT_PATCH:
		maint(body, f == FAM_MAINT_CREATE, &v);
		break;
	case FAM_SP_CREATE:
	case FAM_SP_PATCH:
	case FAM_SP_COMPONENTS:
		statuspage(body, f, &v);
		break;
	case FAM_INCIDENT_CREATE:
	case FAM_INCIDENT_PATCH:
	case FAM_INCIDENT_UPDATE:
		incident(body, f, &v);
		break;
	case FAM_APIKEY_CREATE:
		apikey(body, &v);
		break;
	default:
		team(body, f, &v);
		break;
	}
	if (v.n > 0)
		resp_verrs(&r, &v);
	cJSON_Delete(body);
	fuzz_req_done(&r);
	return 0;
}
