/*
 * Status pages and their components: validation, JSON and SQL.  See
 * statuspage.h and docs/lib/statuspage.md.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "base.h"
#include "config.h"
#include "db.h"
#include "ids.h"
#include "json.h"
#include "keyhash.h"
#include "monitor.h"
#include "page.h"
#include "probe.h"
#include "ref.h"
#include "statuspage.h"
#include "target.h"

#define COLS "id, team_id, name, slug, title, description, is_public, " \
	"history_days, custom_domain, created_at, updated_at, " \
	"verified_domain, domain_checked_at, domain_error, logo_url, " \
	"show_overall_status, ref, data_version"
/* In bind_page's order (?1..?15), then created_at and ref (?16, ?17,
 * bound on insert only). */
#define INSERT_COLS "id, team_id, name, slug, title, description, " \
	"is_public, history_days, custom_domain, updated_at, " \
	"verified_domain, domain_checked_at, domain_error, logo_url, " \
	"show_overall_status, created_at, ref"

enum stmt {
	STMT_INSERT,
	STMT_UPDATE,
	STMT_GET,
	STMT_BY_SLUG,
	STMT_BY_DOMAIN,
	STMT_DELETE,
	STMT_LIST,
	STMT_SLUG_TAKEN,
	STMT_DOMAIN_TAKEN,
	STMT_COMPONENTS,
	STMT_COMPONENT_IDS,
	STMT_COMPONENT_DELETE,
	STMT_COMPONENT_PUT,
	STMT_REF_TAKEN,
	STMT_VERSION_SLUG,
	STMT_VERSION_DOMAIN,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_INSERT */
	"INSERT INTO status_pages (" INSERT_COLS ") VALUES (?, ?, ?, ?, ?, "
	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* STMT_UPDATE: bound as STMT_INSERT is (bind_page), every ?N used
	 * (PostgreSQL cannot type a parameter a statement leaves out). */
	"UPDATE status_pages SET name = ?3, slug = ?4, title = ?5, "
	"description = ?6, is_public = ?7, history_days = ?8, "
	"custom_domain = ?9, updated_at = ?10, verified_domain = ?11, "
	"domain_checked_at = ?12, domain_error = ?13, logo_url = ?14, "
	"show_overall_status = ?15 WHERE id = ?1 AND team_id = ?2",
	/* STMT_GET */
	"SELECT " COLS " FROM status_pages WHERE team_id = ? AND id = ?",
	/* STMT_BY_SLUG */
	"SELECT " COLS " FROM status_pages WHERE slug = ?",
	/* STMT_BY_DOMAIN: the page that has verified the host. */
	"SELECT " COLS " FROM status_pages WHERE verified_domain = ?",
	/* STMT_DELETE: components and incidents go with it (cascade). */
	"DELETE FROM status_pages WHERE team_id = ? AND id = ?",
	/* STMT_LIST */
	"SELECT " COLS " FROM status_pages WHERE team_id = ?1"
	" AND (?2 = 0 OR (created_at, id) < (?3, ?4))"
	" ORDER BY created_at DESC, id DESC LIMIT ?5",
	/* STMT_SLUG_TAKEN: by another page than ?2. */
	"SELECT 1 FROM status_pages WHERE slug = ?1 AND id <> ?2",
	/* STMT_DOMAIN_TAKEN: verified by another page. */
	"SELECT 1 FROM status_pages WHERE verified_domain = ?1 AND id <> ?2",
	/* STMT_COMPONENTS */
	"SELECT id, monitor_id, display_name, group_name "
	"FROM status_page_components WHERE page_id = ? ORDER BY position",
	/* STMT_COMPONENT_IDS */
	"SELECT id FROM status_page_components WHERE page_id = ?",
	/* STMT_COMPONENT_DELETE */
	"DELETE FROM status_page_components WHERE page_id = ? AND id = ?",
	/* STMT_COMPONENT_PUT: a kept component moves and is renamed. */
	"INSERT INTO status_page_components (id, page_id, monitor_id, "
	"display_name, group_name, position) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	"ON CONFLICT (id) DO UPDATE SET monitor_id = ?3, display_name = ?4, "
	"group_name = ?5, position = ?6 "
	"WHERE status_page_components.page_id = ?2",
	/* STMT_REF_TAKEN: for ref_default. */
	"SELECT 1 FROM status_pages WHERE team_id = ?1 AND ref = ?2",
	/* STMT_VERSION_SLUG */
	"SELECT id, is_public, data_version FROM status_pages WHERE slug = ?",
	/* STMT_VERSION_DOMAIN */
	"SELECT id, is_public, data_version FROM status_pages "
	"WHERE verified_domain = ?",
};

const char *const sp_domain_status_names[SP_DOMAIN__MAX] = {
	NULL, "pending", "verified", "failed"
};

void
sp_init(struct status_page *sp, int64_t now)
{
	memset(sp, 0, sizeof(*sp));
	sp->is_public = 1;
	sp->history_days = SP_HISTORY_DEFAULT;
	sp->show_overall_status = 1;
	sp->created_at = sp->updated_at = now;
}

void
sp_free(struct status_page *sp)
{
	free(sp->components);
	sp->components = NULL;
	sp->ncomponents = 0;
}

int
sp_slug_valid(const char *s)
{
	size_t	 n = strlen(s);

	return n >= SP_SLUGMIN && n <= SP_SLUGMAX &&
	    strchr("abcdefghijklmnopqrstuvwxyz0123456789", s[0]) != NULL &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

const struct sp_component *
sp_component(const struct status_page *sp, const char *id)
{
	size_t	 i;

	for (i = 0; i < sp->ncomponents; i++)
		if (strcmp(sp->components[i].id, id) == 0)
			return &sp->components[i];
	return NULL;
}

/* ---- validation ---- */

/*
 * A host name a browser could send: labels of 1..63 letters, digits and
 * hyphens (not at either end), at least two of them, the last not all
 * digits (so no IPv4 address), 253 characters at most.  Lower-cased in
 * place.  The service's own host (UPTIME_PUBLIC_URL) is refused too: its
 * "/" belongs to no page.  Returns NULL or what is wrong.
 */
static const char *
domain_check(char *h)
{
	const char	*label, *own;
	char		 ownhost[256];
	size_t		 n, len, labels = 0, i, k;
	int		 digits = 1;

	len = strlen(h);
	if (len == 0 || len > SP_DOMAINMAX_INPUT)
		return "must be a host name of at most 235 characters (its "
		    SP_CHALLENGE " record name must fit in 253)";
	for (i = 0; i < len; i++)
		h[i] = (char)tolower((unsigned char)h[i]);
	for (label = h; ; label += n + 1) {
		n = strcspn(label, ".");
		if (n == 0 || n > 63 || label[0] == '-' || label[n - 1] == '-' ||
		    strspn(label, "abcdefghijklmnopqrstuvwxyz0123456789-") < n)
			return "must be a host name such as status.example.com "
			    "(letters, digits, hyphens and dots)";
		labels++;
		digits = strspn(label, "0123456789") == n;
		if (label[n] == '\0')
			break;
	}
	if (labels < 2 || digits)
		return "must be a host name such as status.example.com, not an "
		    "address or a single label";
	/* The host of UPTIME_PUBLIC_URL ("http://host[:port][/path]"). */
	own = strstr(cfg.public_url, "://");
	if (own != NULL) {
		own += 3;
		k = strcspn(own, ":/");
		if (k < sizeof(ownhost)) {
			memcpy(ownhost, own, k);
			ownhost[k] = '\0';
			for (i = 0; i < k; i++)
				ownhost[i] = (char)tolower(
				    (unsigned char)ownhost[i]);
			if (strcmp(ownhost, h) == 0)
				return "is the service's own host "
				    "(UPTIME_PUBLIC_URL)";
		}
	}
	return NULL;
}

/*
 * A logoUrl: an https URL (target_url_check's syntax and limit) whose
 * host is no private address nor localhost (target_url_private, whatever
 * UPTIME_ALLOW_PRIVATE_TARGETS says: it is the visitors' browsers that
 * load it, from their own networks).  Returns NULL or what is wrong.
 */
static const char *
logo_check(const char *url)
{
	char	 err[256];

	if (strncasecmp(url, "https://", 8) != 0 ||
	    target_url_check(url, err, sizeof(err)) == -1)
		return "must be an https URL such as "
		    "https://example.com/logo.png, of at most 2048 bytes, "
		    "with no user name or password";
	if (target_url_private(url))
		return "must not point to localhost or a private, loopback or "
		    "link-local address: the page's visitors would load it "
		    "from their own networks";
	return NULL;
}

/*
 * Set the page's customDomain to dom ("" for none).  A new domain has to
 * be verified afresh: what was proved was the old one.
 */
static void
domain_set(struct status_page *sp, const char *dom)
{
	if (strcmp(sp->custom_domain, dom) == 0)
		return;
	snprintf(sp->custom_domain, sizeof(sp->custom_domain), "%s", dom);
	sp->verified_domain[0] = '\0';
	sp->domain_checked_at = 0;
	sp->domain_error[0] = '\0';
}

/* Copy the errors of one list item into v, under its pointer. */
static void
verrs_under(struct verrs *v, const char *base, const struct verrs *item)
{
	char	 ptr[sizeof(v->e[0].pointer)];
	size_t	 i;

	for (i = 0; i < item->n; i++) {
		snprintf(ptr, sizeof(ptr), "%s%s", base, item->e[i].pointer);
		verr_add(v, item->e[i].kind, ptr, "%s", item->e[i].detail);
	}
}

static const struct jfield cfields[] = {
	{ "id", 0 }, { "monitorId", 0 }, { "displayName", 0 }, { "group", 0 },
	{ "state", 1 }, { NULL, 0 }
};

/*
 * Parse the list at val into a new components array of sp.  Returns 0
 * (errors in v), or -1 on a database error.
 */
static int
components_parse(struct db *db, struct status_page *sp, const cJSON *val,
    const char *where, struct verrs *v)
{
	struct sp_component	*list = NULL, *c;
	struct monitor		 m;
	struct verrs		 iv;
	const cJSON		*item;
	const char		*s;
	char			 base[64];
	int			 n, i, j, isnull, rc, nbefore = (int)v->n;

	n = cJSON_IsArray(val) ? cJSON_GetArraySize(val) : -1;
	if (n < 0 || n > SP_MAXCOMPONENTS) {
		verr_add(v, VERR_INVALID, where, "must be a list of at most %d "
		    "components", SP_MAXCOMPONENTS);
		return 0;
	}
	if ((list = calloc((size_t)n + 1, sizeof(*list))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", __func__);
		return -1;
	}
	i = 0;
	cJSON_ArrayForEach(item, val) {
		c = &list[i];
		snprintf(base, sizeof(base), "%s/%d", where, i);
		i++;
		if (!cJSON_IsObject(item)) {
			verr_add(v, VERR_INVALID, base, "must be an object "
			    "{monitorId, displayName, group, id}");
			continue;
		}
		memset(&iv, 0, sizeof(iv));
		json_check_fields(item, cfields, &iv);
		if (json_str(item, "id", 1, ID_MAX - 1, 0, &iv, &s, NULL) == 1) {
			if (!id_valid(s, "cmp") || sp_component(sp, s) == NULL)
				verr_add(&iv, VERR_INVALID, "/id", "is not a "
				    "component of this page; leave it out for "
				    "a new one");
			else {
				for (j = 0; j < i - 1; j++)
					if (strcmp(list[j].id, s) == 0)
						break;
				if (j < i - 1)
					verr_add(&iv, VERR_INVALID, "/id",
					    "is listed twice (also at "
					    "%s/%d)", where, j);
				else
					snprintf(c->id, sizeof(c->id), "%s",
					    s);
			}
		}
		if (json_str(item, "monitorId", 1, ID_MAX - 1, JREQ, &iv, &s,
		    NULL) == 1) {
			if (!id_valid(s, "mon"))
				rc = DB_NOTFOUND;
			else if ((rc = monitor_get(db, sp->team_id, s, &m)) ==
			    DB_OK) {
				snprintf(c->display_name,
				    sizeof(c->display_name), "%s", m.name);
				monitor_free(&m);
			}
			if (rc == DB_NOTFOUND)
				verr_add(&iv, VERR_INVALID, "/monitorId",
				    "is not a monitor of this team");
			else if (rc != DB_OK) {
				free(list);
				return -1;
			} else {
				for (j = 0; j < i - 1; j++)
					if (strcmp(list[j].monitor_id, s) == 0)
						break;
				if (j < i - 1)
					verr_add(&iv, VERR_INVALID,
					    "/monitorId", "is listed twice "
					    "(also at %s/%d)", where, j);
				snprintf(c->monitor_id, sizeof(c->monitor_id),
				    "%s", s);
			}
		}
		if (json_str(item, "displayName", 1, NAME_MAXCHARS, 0, &iv, &s,
		    NULL) == 1)
			snprintf(c->display_name, sizeof(c->display_name),
			    "%s", s);
		if (json_str(item, "group", 1, NAME_MAXCHARS, JNULL, &iv, &s,
		    &isnull) == 1)
			snprintf(c->group, sizeof(c->group), "%s", s);
		verrs_under(v, base, &iv);
	}
	if ((int)v->n > nbefore || v->dropped > 0) {
		free(list);
		return 0;
	}
	free(sp->components);
	sp->components = list;
	sp->ncomponents = (size_t)n;
	sp->components_given = 1;
	return 0;
}

const struct jfield sp_fields[] = {
	{ "id", 1 }, { "name", 0 }, { "slug", 0 }, { "title", 0 },
	{ "description", 0 }, { "isPublic", 0 }, { "historyDays", 0 },
	{ "components", 0 }, { "customDomain", 0 }, { "logoUrl", 0 },
	{ "showOverallStatus", 0 }, { "url", 1 },
	{ "customDomainStatus", 1 }, { "customDomainVerification", 1 },
	{ "createdAt", 1 }, { "updatedAt", 1 }, { NULL, 0 }
};

int
sp_apply(struct db *db, struct status_page *sp, const cJSON *body,
    int creating, struct verrs *v)
{
	const cJSON	*c;
	const char	*s, *why;
	char		 dom[SP_DOMAINMAX * 4 + 1];
	long long	 n;
	int		 isnull, b, title_given = 0;

	json_check_fields(body, sp_fields, v);
	if (json_str(body, "name", 1, NAME_MAXCHARS, creating ? JREQ : 0, v,
	    &s, NULL) == 1)
		snprintf(sp->name, sizeof(sp->name), "%s", s);
	if (json_str(body, "slug", SP_SLUGMIN, SP_SLUGMAX, creating ? JREQ :
	    0, v, &s, NULL) == 1) {
		if (!sp_slug_valid(s))
			verr_add(v, VERR_INVALID, "/slug", "must match "
			    "^[a-z0-9][a-z0-9-]{1,62}$: lower-case letters, "
			    "digits and hyphens, not starting with a hyphen");
		else
			snprintf(sp->slug, sizeof(sp->slug), "%s", s);
	}
	if (json_str(body, "title", 1, NAME_MAXCHARS, 0, v, &s, NULL) == 1) {
		snprintf(sp->title, sizeof(sp->title), "%s", s);
		title_given = 1;
	}
	if (creating && !title_given)
		snprintf(sp->title, sizeof(sp->title), "%s", sp->name);
	switch (json_str(body, "description", 0, SP_DESCMAX, JNULL, v, &s,
	    &isnull)) {
	case 1:
		snprintf(sp->description, sizeof(sp->description), "%s", s);
		break;
	case 0:
		if (isnull)
			sp->description[0] = '\0';
		break;
	}
	if (json_bool(body, "isPublic", 0, v, &b) == 1)
		sp->is_public = b;
	if (json_int(body, "historyDays", SP_HISTORY_MIN, SP_HISTORY_MAX, 0, v,
	    &n, NULL) == 1)
		sp->history_days = (int)n;
	switch (json_str(body, "customDomain", 1, SP_DOMAINMAX, JNULL, v, &s,
	    &isnull)) {
	case 1:
		snprintf(dom, sizeof(dom), "%s", s);
		/* domain_check leaves at most SP_DOMAINMAX ASCII bytes. */
		if ((why = domain_check(dom)) != NULL)
			verr_add(v, VERR_INVALID, "/customDomain", "%s", why);
		else if (strlen(dom) < sizeof(sp->custom_domain))
			domain_set(sp, dom);
		break;
	case 0:
		if (isnull)
			domain_set(sp, "");
		break;
	}
	switch (json_str(body, "logoUrl", 1, SP_LOGOMAX, JNULL, v, &s,
	    &isnull)) {
	case 1:
		if ((why = logo_check(s)) != NULL)
			verr_add(v, VERR_INVALID, "/logoUrl", "%s", why);
		else
			snprintf(sp->logo_url, sizeof(sp->logo_url), "%s", s);
		break;
	case 0:
		if (isnull)
			sp->logo_url[0] = '\0';
		break;
	}
	if (json_bool(body, "showOverallStatus", 0, v, &b) == 1)
		sp->show_overall_status = b;
	if ((c = cJSON_GetObjectItemCaseSensitive(body, "components")) !=
	    NULL)
		return components_parse(db, sp, c, "/components", v);
	return 0;
}

int
sp_apply_components(struct db *db, struct status_page *sp,
    const cJSON *body, struct verrs *v)
{
	static const struct jfield only[] = { { "components", 0 },
	    { NULL, 0 } };
	const cJSON	*c;

	json_check_fields(body, only, v);
	if ((c = cJSON_GetObjectItemCaseSensitive(body, "components")) ==
	    NULL) {
		verr_add(v, VERR_INVALID, "/components", "required");
		return 0;
	}
	return components_parse(db, sp, c, "/components", v);
}

/* ---- custom domain verification ---- */

enum sp_domain_status
sp_domain_status(const struct status_page *sp)
{
	if (sp->custom_domain[0] == '\0')
		return SP_DOMAIN_NONE;
	if (strcmp(sp->verified_domain, sp->custom_domain) == 0)
		return SP_DOMAIN_VERIFIED;
	return sp->domain_error[0] != '\0' ? SP_DOMAIN_FAILED :
	    SP_DOMAIN_PENDING;
}

void
sp_domain_challenge(const struct status_page *sp, char *name, size_t namelen,
    char *value, size_t valuelen)
{
	unsigned char	 h[KEY_HASHLEN];
	char		 what[ID_MAX + SP_DOMAINMAX + 2];
	char		 hex[32 + 1];

	/* The team and the domain: no other team can present this token. */
	snprintf(what, sizeof(what), "%s\n%s", sp->team_id, sp->custom_domain);
	token_hash("custom-domain", what, h);
	sodium_bin2hex(hex, sizeof(hex), h, 16);
	snprintf(name, namelen, SP_CHALLENGE "%s", sp->custom_domain);
	snprintf(value, valuelen, SP_VERIFY_PREFIX "%s", hex);
}

int
sp_domain_check(const struct status_page *sp, char *why, size_t whylen)
{
	struct probe		 p;
	struct probe_opts	 o;
	char			 name[SP_DOMAINMAX + 1], value[SP_DOMAINMAX + 1];
	size_t			 i;
	int			 rc = -1;

	sp_domain_challenge(sp, name, sizeof(name), value, sizeof(value));
	memset(&p, 0, sizeof(p));
	p.kind = PROBE_DNS;
	p.hostname = name;
	p.record_type = "TXT";
	p.timeout_ms = SP_VERIFY_TIMEOUT_MS;
	memset(&o, 0, sizeof(o));
	o.concurrency = 1;
	o.dns_servers = cfg.dns_servers[0] ? cfg.dns_servers : NULL;
	/* A run that breaks marks the probe failed ("internal"). */
	if (probe_run(&p, 1, &o) == -1)
		fprintf(stderr, "%s: probe_run could not set up\n", __func__);
	if (p.failed)
		/* The probe's messages name no address. */
		snprintf(why, whylen, "No TXT record found at %s (%s); add one "
		    "with the value %s.", name, p.error_message, value);
	else {
		for (i = 0; i < p.nanswers; i++)
			if (strcmp(p.answers[i], value) == 0)
				rc = 0;
		if (rc != 0)
			snprintf(why, whylen, "The TXT records at %s (%zu) do "
			    "not include the value %s.", name, p.nanswers,
			    value);
	}
	probe_clear(&p);
	return rc;
}

void
sp_domain_result(struct status_page *sp, int verified, const char *why,
    int64_t now)
{
	snprintf(sp->verified_domain, sizeof(sp->verified_domain), "%s",
	    verified ? sp->custom_domain : "");
	snprintf(sp->domain_error, sizeof(sp->domain_error), "%s",
	    verified ? "" : why);
	sp->domain_checked_at = now;
}

/* ---- JSON ---- */

void
sp_url(const struct status_page *sp, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/status/%s", cfg.public_url, sp->slug);
}

cJSON *
sp_json(const struct status_page *sp, const enum health *states)
{
	cJSON	*o, *list, *c;
	char	 url[sizeof(cfg.public_url) + SP_SLUGMAX + 16];
	char	 rname[SP_DOMAINMAX + 1], rvalue[SP_DOMAINMAX + 1];
	size_t	 i;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "id", sp->id);
	cJSON_AddStringToObject(o, "name", sp->name);
	cJSON_AddStringToObject(o, "slug", sp->slug);
	cJSON_AddStringToObject(o, "title", sp->title);
	json_add_str(o, "description", sp->description);
	cJSON_AddBoolToObject(o, "isPublic", sp->is_public);
	cJSON_AddNumberToObject(o, "historyDays", sp->history_days);
	json_add_str(o, "logoUrl", sp->logo_url);
	cJSON_AddBoolToObject(o, "showOverallStatus", sp->show_overall_status);
	json_add_str(o, "customDomain", sp->custom_domain);
	json_add_str(o, "customDomainStatus",
	    sp_domain_status_names[sp_domain_status(sp)]);
	if (sp->custom_domain[0] == '\0')
		cJSON_AddNullToObject(o, "customDomainVerification");
	else if ((c = cJSON_AddObjectToObject(o,
	    "customDomainVerification")) != NULL) {
		sp_domain_challenge(sp, rname, sizeof(rname), rvalue,
		    sizeof(rvalue));
		cJSON_AddStringToObject(c, "recordName", rname);
		cJSON_AddStringToObject(c, "recordValue", rvalue);
		json_add_time(c, "checkedAt", sp->domain_checked_at);
		json_add_str(c, "error", sp->domain_error);
	}
	sp_url(sp, url, sizeof(url));
	cJSON_AddStringToObject(o, "url", url);
	list = cJSON_AddArrayToObject(o, "components");
	for (i = 0; list != NULL && i < sp->ncomponents; i++) {
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "id", sp->components[i].id);
		cJSON_AddStringToObject(c, "monitorId",
		    sp->components[i].monitor_id);
		cJSON_AddStringToObject(c, "displayName",
		    sp->components[i].display_name);
		json_add_str(c, "group", sp->components[i].group);
		if (states != NULL)
			cJSON_AddStringToObject(c, "state",
			    health_names[states[i]]);
		cJSON_AddItemToArray(list, c);
	}
	json_add_time(o, "createdAt", sp->created_at);
	json_add_time(o, "updatedAt", sp->updated_at);
	if (list == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* ---- SQL ---- */

static void
row(struct db_stmt *st, void *arg)
{
	struct status_page	*sp = arg;

	memset(sp, 0, sizeof(*sp));
	db_col_text(st, 0, sp->id, sizeof(sp->id));
	db_col_text(st, 1, sp->team_id, sizeof(sp->team_id));
	db_col_text(st, 2, sp->name, sizeof(sp->name));
	db_col_text(st, 3, sp->slug, sizeof(sp->slug));
	db_col_text(st, 4, sp->title, sizeof(sp->title));
	db_col_text(st, 5, sp->description, sizeof(sp->description));
	sp->is_public = db_col_int(st, 6);
	sp->history_days = db_col_int(st, 7);
	db_col_text(st, 8, sp->custom_domain, sizeof(sp->custom_domain));
	sp->created_at = db_col_int64(st, 9);
	sp->updated_at = db_col_int64(st, 10);
	db_col_text(st, 11, sp->verified_domain, sizeof(sp->verified_domain));
	sp->domain_checked_at = db_col_int64(st, 12);
	db_col_text(st, 13, sp->domain_error, sizeof(sp->domain_error));
	db_col_text(st, 14, sp->logo_url, sizeof(sp->logo_url));
	sp->show_overall_status = db_col_int(st, 15);
	db_col_text(st, 16, sp->ref, sizeof(sp->ref));
	sp->data_version = db_col_int64(st, 17);
}

/* Load the page's components, in order, into sp. */
static int
components_load(struct db *db, struct status_page *sp)
{
	struct db_stmt		*st;
	struct sp_component	*c, *grown;
	size_t			 cap = 0;
	int			 rc;

	sp_free(sp);
	if ((st = db_stmt(db, sqls[STMT_COMPONENTS])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, sp->id);
	while ((rc = db_step(st)) == DB_ROW &&
	    sp->ncomponents < SP_MAXCOMPONENTS) {
		/* Grown as needed: a page rarely has many. */
		if (sp->ncomponents == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			if ((grown = realloc(sp->components,
			    cap * sizeof(*grown))) == NULL) {
				rc = DB_ERROR;
				break;
			}
			sp->components = grown;
		}
		c = &sp->components[sp->ncomponents++];
		memset(c, 0, sizeof(*c));
		db_col_text(st, 0, c->id, sizeof(c->id));
		db_col_text(st, 1, c->monitor_id, sizeof(c->monitor_id));
		db_col_text(st, 2, c->display_name, sizeof(c->display_name));
		db_col_text(st, 3, c->group, sizeof(c->group));
	}
	rc = rc == DB_DONE || rc == DB_ROW ? DB_OK : db_rc(rc);
	db_reset(st);
	return rc;
}

/* The page of a lookup statement bound with a (and b), with its list. */
static int
lookup(struct db *db, enum stmt which, const char *a, const char *b,
    struct status_page *sp)
{
	struct db_stmt	*st;
	int		 rc;

	memset(sp, 0, sizeof(*sp));
	if ((st = db_stmt(db, sqls[which])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, a);
	if (b != NULL)
		db_bind_text(st, 2, b);
	if ((rc = db_step_one(st, row, sp)) == DB_OK &&
	    (rc = components_load(db, sp)) != DB_OK)
		sp_free(sp);
	return rc;
}

int
sp_get(struct db *db, const char *team, const char *id,
    struct status_page *sp)
{
	return lookup(db, STMT_GET, team, id, sp);
}

int
sp_by_slug(struct db *db, const char *slug, struct status_page *sp)
{
	return lookup(db, STMT_BY_SLUG, slug, NULL, sp);
}

int
sp_by_domain(struct db *db, const char *host, struct status_page *sp)
{
	return lookup(db, STMT_BY_DOMAIN, host, NULL, sp);
}

/* sp_version's row. */
static void
version_row(struct db_stmt *st, void *arg)
{
	struct sp_version	*v = arg;

	db_col_text(st, 0, v->id, sizeof(v->id));
	v->is_public = db_col_int(st, 1);
	v->data_version = db_col_int64(st, 2);
}

int
sp_version(struct db *db, const char *slug, const char *host,
    struct sp_version *v)
{
	struct db_stmt	*st;

	memset(v, 0, sizeof(*v));
	if ((st = db_stmt(db, sqls[slug != NULL ? STMT_VERSION_SLUG :
	    STMT_VERSION_DOMAIN])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, slug != NULL ? slug : host);
	return db_step_one(st, version_row, v);
}

/* Is value (non-empty) held by another page in the taken statement? */
static int
taken(struct db *db, enum stmt which, const char *value, const char *id,
    int *found)
{
	struct db_stmt	*st;
	int		 rc;

	*found = 0;
	if ((st = db_stmt(db, sqls[which])) == NULL)
		return DB_ERROR;
	db_bind_text(st, 1, value);
	db_bind_text(st, 2, id);
	if ((rc = db_step(st)) == DB_ROW) {
		*found = 1;
		rc = DB_OK;
	} else
		rc = rc == DB_DONE ? DB_OK : db_rc(rc);
	db_reset(st);
	return rc;
}

const char *
sp_taken(struct db *db, const struct status_page *sp, int *rc)
{
	int	 found;

	if ((*rc = taken(db, STMT_SLUG_TAKEN, sp->slug, sp->id, &found)) !=
	    DB_OK)
		return NULL;
	if (found)
		return "slug";
	if (sp->custom_domain[0] != '\0' && ((*rc = taken(db,
	    STMT_DOMAIN_TAKEN, sp->custom_domain, sp->id, &found)) != DB_OK))
		return NULL;
	return found ? "customDomain" : NULL;
}

/* Store sp->components: delete those left out, upsert the rest. */
static int
components_store(struct db *db, struct status_page *sp)
{
	struct db_stmt	*st;
	char		(*old)[ID_MAX] = NULL;
	size_t		 nold = 0, i;
	int		 rc;

	if ((old = calloc(SP_MAXCOMPONENTS + 1, sizeof(*old))) == NULL)
		return DB_ERROR;
	if ((st = db_stmt(db, sqls[STMT_COMPONENT_IDS])) == NULL) {
		rc = DB_ERROR;
		goto out;
	}
	db_bind_text(st, 1, sp->id);
	while ((rc = db_step(st)) == DB_ROW && nold <=
	    SP_MAXCOMPONENTS)
		db_col_text(st, 0, old[nold++], ID_MAX);
	rc = rc == DB_DONE || rc == DB_ROW ? DB_OK : db_rc(rc);
	db_reset(st);
	if (rc != DB_OK)
		goto out;
	for (i = 0; i < nold; i++) {
		if (sp_component(sp, old[i]) != NULL)
			continue;
		if ((st = db_stmt(db, sqls[STMT_COMPONENT_DELETE])) == NULL) {
			rc = DB_ERROR;
			goto out;
		}
		db_bind_text(st, 1, sp->id);
		db_bind_text(st, 2, old[i]);
		if ((rc = db_exec_stmt(st)) != DB_OK)
			goto out;
	}
	for (i = 0; i < sp->ncomponents; i++) {
		if (sp->components[i].id[0] == '\0')
			id_new(sp->components[i].id, "cmp");
		if ((st = db_stmt(db, sqls[STMT_COMPONENT_PUT])) == NULL) {
			rc = DB_ERROR;
			goto out;
		}
		db_bind_text(st, 1, sp->components[i].id);
		db_bind_text(st, 2, sp->id);
		db_bind_text(st, 3, sp->components[i].monitor_id);
		db_bind_text(st, 4, sp->components[i].display_name);
		db_bind_text(st, 5, sp->components[i].group[0] ?
		    sp->components[i].group : NULL);
		db_bind_int64(st, 6, (int64_t)i);
		if ((rc = db_exec_stmt(st)) != DB_OK)
			goto out;
	}
	rc = DB_OK;
out:
	free(old);
	return rc;
}

/* Bind the page's fields but its creation as ?1..?15, in STMT_INSERT's
 * column order. */
static void
bind_page(struct db_stmt *st, const struct status_page *sp)
{
	db_bind_text(st, 1, sp->id);
	db_bind_text(st, 2, sp->team_id);
	db_bind_text(st, 3, sp->name);
	db_bind_text(st, 4, sp->slug);
	db_bind_text(st, 5, sp->title);
	db_bind_text(st, 6, sp->description);
	db_bind_int(st, 7, sp->is_public);
	db_bind_int(st, 8, sp->history_days);
	db_bind_text(st, 9, sp->custom_domain[0] ? sp->custom_domain : NULL);
	db_bind_int64(st, 10, sp->updated_at);
	db_bind_text(st, 11, sp->verified_domain[0] ? sp->verified_domain :
	    NULL);
	if (sp->domain_checked_at != 0)
		db_bind_int64(st, 12, sp->domain_checked_at);
	else
		db_bind_null(st, 12);
	db_bind_text(st, 13, sp->domain_error[0] ? sp->domain_error : NULL);
	db_bind_text(st, 14, sp->logo_url[0] ? sp->logo_url : NULL);
	db_bind_int(st, 15, sp->show_overall_status);
}

int
sp_insert(struct db *db, struct status_page *sp)
{
	struct db_stmt	*st;
	int		 rc;

	if (sp->ref[0] == '\0' && (rc = ref_default(db, sqls[STMT_REF_TAKEN],
	    sp->team_id, sp->name, "page", sp->ref)) != DB_OK)
		return rc;
	id_new(sp->id, "sp");
	if ((st = db_stmt(db, sqls[STMT_INSERT])) == NULL)
		return DB_ERROR;
	bind_page(st, sp);
	db_bind_int64(st, 16, sp->created_at);
	db_bind_text(st, 17, sp->ref);
	if ((rc = db_exec_stmt(st)) != DB_OK)
		return rc;
	return components_store(db, sp);
}

int
sp_update(struct db *db, struct status_page *sp)
{
	struct db_stmt	*st;
	int		 rc;

	if ((st = db_stmt(db, sqls[STMT_UPDATE])) == NULL)
		return DB_ERROR;
	bind_page(st, sp);
	if ((rc = db_exec_one(st)) != DB_OK)
		return rc;
	return sp->components_given ? components_store(db, sp) : DB_OK;
}

int
sp_delete(struct db *db, const char *team, const char *id)
{
	struct db_stmt	*st;

	if ((st = db_stmt_ids(db, sqls[STMT_DELETE], team, id)) == NULL)
		return DB_ERROR;
	return db_exec_one(st);
}

static int
list_row(struct db_stmt *st, struct lister *l)
{
	sp_states_fn *const	*states_of = l->arg;
	struct status_page	*sp;
	enum health		*states = NULL;
	int			 rc = 0;

	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return -1;
	row(st, sp);
	if (components_load(l->db, sp) != DB_OK)
		rc = -1;
	else if (l->visit != NULL)
		rc = page_visit(l, sp, sp->created_at, sp->id);
	else if ((states = calloc(sp->ncomponents + 1, sizeof(*states))) !=
	    NULL && (*states_of)(l->db, sp, l->now, states) == DB_OK)
		page_add(l, sp_json(sp, states), sp->created_at, sp->id);
	else
		rc = -1;
	free(states);
	sp_free(sp);
	free(sp);
	return rc;
}

int
sp_list(struct db *db, const char *team, sp_states_fn *states,
    struct lister *l)
{
	l->arg = &states;
	return page_rows(db, db_query(db, sqls[STMT_LIST], "t", team), 2, l,
	    list_row);
}
