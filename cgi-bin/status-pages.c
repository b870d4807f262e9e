/*
 * status-pages.fcgi: status pages, their components and incidents, and
 * the public pages people read without a key (/status/...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "uptime.h"
#include "statuspage.h"
#include "incident.h"
#include "limit.h"
#include "rollup.h"
#include "statusview.h"

/* The page named in the path, for this team; answers 404 itself. */
static int
load_page(struct req *r, const char *id, struct status_page *sp)
{
	return resp_found(r, sp_get(r->db, r->key->team_id, id, sp));
}

/* The 409 of a slug or customDomain another page holds; 0 when free. */
static int
refuse_taken(struct req *r, const struct status_page *sp)
{
	const char	*field;
	int		 rc;

	if ((field = sp_taken(r->db, sp, &rc)) == NULL && rc == DB_OK)
		return 0;
	if (field == NULL)
		return resp_db(r, rc), -1;
	return resp_problem_member(r, 409, "conflict", "field", field,
	    "Another status page already uses this %s.", field), -1;
}

/*
 * Answer status with the page (sv_page_json; 201: created, with
 * Location), or the problem of its error.
 */
static int
send_page(struct req *r, int status, const struct status_page *sp)
{
	cJSON	*o;
	int	 rc;

	if ((o = sv_page_json(r->db, sp, r->now, &rc)) == NULL)
		return resp_db(r, rc);
	if (status == 201)
		return resp_created(r, sp->id, o);
	return resp_data(r, status, o);
}

/*
 * GET /v1/status-pages?perPage&cursor
 * Scope status-pages:read.  200 with a page of status pages, newest
 * first; 400 bad_query.
 */
static int
pages_list(struct req *r)
{
	struct lister	 l;

	list_start(r, &l);
	return list_answer(r, &l, sp_list(r->db, r->key->team_id,
	    sv_component_states, &l));
}

/* What save_page does with the body. */
enum save {
	SAVE_CREATE,		/* POST /v1/status-pages */
	SAVE_PATCH,		/* PATCH /v1/status-pages/{id} */
	SAVE_COMPONENTS		/* PUT /v1/status-pages/{id}/components */
};

/*
 * Apply the body to a new page or to the page in the path, check that
 * its slug and customDomain are free (and that the team has room for a
 * new one), store it and answer with it.
 */
static int
save_page(struct req *r, enum save how)
{
	struct status_page	*sp;
	struct verrs		 v = { 0 };
	cJSON			*body;
	int			 rc = 0;

	if ((body = req_json(r)) == NULL)
		return 0;
	if ((sp = calloc(1, sizeof(*sp))) == NULL) {
		cJSON_Delete(body);
		return resp_db(r, DB_ERROR);
	}
	if (how == SAVE_CREATE) {
		sp_init(sp, r->now);
		snprintf(sp->team_id, sizeof(sp->team_id), "%s",
		    r->key->team_id);
	} else if (load_page(r, r->args[0], sp) == -1)
		goto out;
	if ((how == SAVE_COMPONENTS ? sp_apply_components(r->db, sp, body,
	    &v) : sp_apply(r->db, sp, body, how == SAVE_CREATE, &v)) == -1)
		rc = resp_db(r, DB_ERROR);
	else if (v.n > 0)
		rc = resp_verrs(r, &v);
	else if (refuse_taken(r, sp) == 0 && (how != SAVE_CREATE ||
	    limit_check(r, LIMIT_PAGES) == 0)) {
		sp->updated_at = r->now;
		/* Storing gives new components their ids. */
		rc = how == SAVE_CREATE ? sp_insert(r->db, sp) :
		    sp_update(r->db, sp);
		if (rc != DB_OK)
			rc = resp_db(r, rc);
		else if (how != SAVE_CREATE)
			rc = send_page(r, 200, sp);
		else
			rc = send_page(r, 201, sp);
	}
out:
	cJSON_Delete(body);
	sp_free(sp);
	free(sp);
	return rc;
}

/*
 * POST /v1/status-pages
 * Scope status-pages:write.  201 with the page, Location; 400; 409 when
 * the slug or customDomain is taken (member "field" names it), or
 * limit_exceeded (UPTIME_MAX_STATUS_PAGES).
 */
static int
pages_create(struct req *r)
{
	return save_page(r, SAVE_CREATE);
}

/*
 * GET /v1/status-pages/{id}
 * Scope status-pages:read.  200; 404.
 */
static int
pages_get(struct req *r)
{
	struct status_page	*sp;

	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return resp_db(r, DB_ERROR);
	if (load_page(r, r->args[0], sp) == 0)
		send_page(r, 200, sp);
	sp_free(sp);
	free(sp);
	return 0;
}

/*
 * PATCH /v1/status-pages/{id}
 * Scope status-pages:write.  200 with the page; 400; 404; 409 when the
 * slug or customDomain is taken.
 */
static int
pages_patch(struct req *r)
{
	return save_page(r, SAVE_PATCH);
}

/*
 * DELETE /v1/status-pages/{id}
 * Scope status-pages:write.  204, with its components and incidents;
 * 404.
 */
static int
pages_delete(struct req *r)
{
	return resp_deleted(r, sp_delete(r->db, r->key->team_id, r->args[0]));
}

/*
 * PUT /v1/status-pages/{id}/components
 * Scope status-pages:write.  200 with the page and its new list of
 * components; 400 (a monitor that is not the team's is named); 404.
 */
static int
pages_components(struct req *r)
{
	return save_page(r, SAVE_COMPONENTS);
}

/*
 * POST /v1/status-pages/{id}/verify-domain
 * Scope status-pages:write.  Looks the page's customDomain's TXT record
 * up and records the outcome: 200 with the page, customDomainStatus
 * verified; 404; 409 when the page has no customDomain, another page has
 * verified that domain, or it changed during the lookup; 422
 * domain_not_verified when the record is missing or wrong (recorded:
 * customDomainStatus failed, the page not served on that host); 429
 * verify_domain_limited past UPTIME_DOMAIN_VERIFY_LIMIT lookups of the
 * team a minute.  The lookup runs outside any transaction, for at most
 * SP_VERIFY_TIMEOUT_MS.
 */
static int
pages_verify_domain(struct req *r)
{
	struct status_page	*sp, *cur;
	char			 why[SP_DOMAIN_ERRMAX] = "";
	int			 rc = 0, verified, tx = 0;

	sp = calloc(1, sizeof(*sp));
	cur = calloc(1, sizeof(*cur));
	if (sp == NULL || cur == NULL) {
		rc = resp_db(r, DB_ERROR);
		goto out;
	}
	if (load_page(r, r->args[0], sp) == -1)
		goto out;
	if (sp->custom_domain[0] == '\0') {
		rc = resp_problem(r, 409, "conflict", "This status page has no "
		    "customDomain to verify.");
		goto out;
	}
	/* No lookup for a domain another page serves, nor past the
	 * team's lookups of the minute. */
	if (refuse_taken(r, sp) == -1 || limit_verify_domain(r) == -1)
		goto out;
	verified = sp_domain_check(sp, why, sizeof(why)) == 0;

	if ((rc = db_begin(r->db)) != DB_OK) {
		rc = resp_db(r, rc);
		goto out;
	}
	tx = 1;
	/* The page as it is now, which must still ask for that domain. */
	if (load_page(r, sp->id, cur) == -1)
		goto out;
	if (strcmp(cur->custom_domain, sp->custom_domain) != 0) {
		rc = resp_problem(r, 409, "conflict", "The customDomain "
		    "changed during the lookup; verify the new one.");
		goto out;
	}
	cur->updated_at = time_now_ms();
	sp_domain_result(cur, verified, why, cur->updated_at);
	if (verified && refuse_taken(r, cur) == -1)
		goto out;
	if ((rc = sp_update(r->db, cur)) != DB_OK ||
	    (rc = db_commit(r->db)) != DB_OK) {
		rc = resp_db(r, rc);
		goto out;
	}
	tx = 0;
	if (verified)
		rc = send_page(r, 200, cur);
	else
		rc = resp_problem(r, 422, "domain_not_verified", "%s", why);
out:
	if (tx)
		db_rollback(r->db);
	if (sp != NULL)
		sp_free(sp);
	if (cur != NULL)
		sp_free(cur);
	free(sp);
	free(cur);
	return rc;
}

/* ---- incidents ---- */

/*
 * What an incident's write handlers hold: the body, the incident and
 * its page (zeroed; freeing them is safe whether or not they were
 * loaded).  start answers 500 and returns -1 when memory is short; done
 * frees all and returns rc.
 */
struct held {
	cJSON			*body;
	struct incident		*inc;
	struct status_page	*sp;
};

static int
held_start(struct req *r, struct held *h)
{
	h->inc = calloc(1, sizeof(*h->inc));
	h->sp = calloc(1, sizeof(*h->sp));
	if (h->inc == NULL || h->sp == NULL)
		return resp_db(r, DB_ERROR), -1;
	return 0;
}

static int
held_done(struct held *h, int rc)
{
	cJSON_Delete(h->body);
	if (h->inc != NULL)
		incident_free(h->inc);
	if (h->sp != NULL)
		sp_free(h->sp);
	free(h->inc);
	free(h->sp);
	return rc;
}

/* The incident named in the path, for this team; answers 404 itself. */
static int
load_incident(struct req *r, struct incident *inc)
{
	return resp_found(r, incident_get(r->db, r->key->team_id, r->args[0],
	    inc));
}

/*
 * POST /v1/status-pages/{id}/incidents
 * Scope status-pages:write.  201 with the incident and its first update,
 * Location; 400; 404.
 */
static int
incidents_create(struct req *r)
{
	struct held	 h = { NULL, NULL, NULL };
	struct verrs	 v = { 0 };
	int		 rc = 0;

	if ((h.body = req_json(r)) == NULL || held_start(r, &h) == -1 ||
	    load_page(r, r->args[0], h.sp) == -1)
		return held_done(&h, 0);
	incident_init(h.inc, r->now);
	snprintf(h.inc->page_id, sizeof(h.inc->page_id), "%s", h.sp->id);
	snprintf(h.inc->team_id, sizeof(h.inc->team_id), "%s", h.sp->team_id);
	incident_apply(h.inc, h.sp, h.body, 1, r->now, &v);
	if (v.n > 0)
		rc = resp_verrs(r, &v);
	else if ((rc = incident_insert(r->db, h.inc)) != DB_OK)
		rc = resp_db(r, rc);
	else {
		/* /v1/status-pages/{id}/incidents -> /v1/incidents/{inc},
		 * under the same mount prefix. */
		snprintf(r->target_id, sizeof(r->target_id), "%s", h.inc->id);
		resp_header(r, "Location", "%.*s/v1/incidents/%s",
		    (int)(r->path - r->uri_path), r->uri_path, h.inc->id);
		rc = resp_data(r, 201, incident_json(h.inc));
	}
	return held_done(&h, rc);
}

/*
 * GET /v1/incidents?statusPageId&status&perPage&cursor
 * Scope status-pages:read.  200 with a page of incidents, newest first;
 * 400 bad_query.  status is one of the four, or "open" (any but
 * resolved).
 */
static int
incidents_list(struct req *r)
{
	struct incident_filter	 f = { req_query(r, "statusPageId"),
				    req_enum(r, "status") };
	struct lister		 l;

	list_start(r, &l);
	return list_answer(r, &l, incident_list(r->db, r->key->team_id, &f,
	    &l));
}

/*
 * GET /v1/incidents/{id}
 * Scope status-pages:read.  200; 404.
 */
static int
incidents_get(struct req *r)
{
	struct incident	*inc;

	if ((inc = calloc(1, sizeof(*inc))) == NULL)
		return resp_db(r, DB_ERROR);
	if (load_incident(r, inc) == 0) {
		resp_data(r, 200, incident_json(inc));
		incident_free(inc);
	}
	free(inc);
	return 0;
}

/*
 * PATCH /v1/incidents/{id}
 * Scope status-pages:write.  200 with the incident; 400 (status is
 * read-only here: post an update); 404.
 */
static int
incidents_patch(struct req *r)
{
	struct held	 h = { NULL, NULL, NULL };
	struct verrs	 v = { 0 };
	int		 rc = 0;

	if ((h.body = req_json(r)) == NULL || held_start(r, &h) == -1 ||
	    load_incident(r, h.inc) == -1 ||
	    load_page(r, h.inc->page_id, h.sp) == -1)
		return held_done(&h, 0);
	incident_apply(h.inc, h.sp, h.body, 0, r->now, &v);
	h.inc->updated_at = r->now;
	if (v.n > 0)
		rc = resp_verrs(r, &v);
	else if ((rc = incident_store(r->db, h.inc)) != DB_OK)
		rc = resp_db(r, rc);
	else
		rc = resp_data(r, 200, incident_json(h.inc));
	return held_done(&h, rc);
}

/*
 * DELETE /v1/incidents/{id}
 * Scope status-pages:write.  204, with its updates; 404.
 */
static int
incidents_delete(struct req *r)
{
	return resp_deleted(r, incident_delete(r->db, r->key->team_id,
	    r->args[0]));
}

/*
 * POST /v1/incidents/{id}/updates
 * Scope status-pages:write.  201 with the incident, its new update first
 * (resolvedAt set when it resolves, cleared when it reopens), Location
 * of the incident; 400; 404; 409 limit_exceeded past INC_MAXUPDATES.
 */
static int
incidents_update(struct req *r)
{
	struct held	 h = { NULL, NULL, NULL };
	struct verrs	 v = { 0 };
	enum inc_status	 status;
	const char	*message;
	int		 rc = 0;

	if ((h.body = req_json(r)) == NULL || held_start(r, &h) == -1 ||
	    load_incident(r, h.inc) == -1)
		return held_done(&h, 0);
	incident_update_apply(h.inc, h.body, &status, &message, &v);
	if (v.n > 0)
		return held_done(&h, resp_verrs(r, &v));
	if (h.inc->nupdates >= INC_MAXUPDATES)
		return held_done(&h, resp_problem(r, 409, "limit_exceeded",
		    "An incident holds at most %d updates.", INC_MAXUPDATES));
	incident_set_status(h.inc, status, r->now);
	if ((rc = incident_add_update(r->db, h.inc, status, message,
	    r->now)) != DB_OK || (rc = incident_store(r->db, h.inc)) != DB_OK)
		return held_done(&h, resp_db(r, rc));
	resp_header(r, "Location", "%.*s", (int)(strlen(r->uri_path) -
	    strlen("/updates")), r->uri_path);
	return held_done(&h, resp_data(r, 201, incident_json(h.inc)));
}

/* ---- the public pages ---- */

/*
 * Rendering is lib/statusview.c; here is the HTTP side: which page the
 * request names, Cache-Control and an ETag on every 200, 304 for a
 * matching If-None-Match, the Content-Security-Policy, 404 for a page
 * that is missing or not public.
 *
 * A worker keeps the answers it rendered (KEEP_SLOTS of them, the least
 * recently used making room), each with what it rests on (struct
 * sv_valid: the page, its data version, until when the clock leaves it
 * the same).  A request reads the page's version first (one row): an
 * answer kept for that page at that version and still valid is
 * answered again, or 304 when the client has its ETag, without
 * rendering; otherwise the answer is rendered, kept and sent.  The
 * ETag is still the hash of the bytes, so every worker gives the same
 * answer the same tag.
 */

#define CACHE_CONTROL	"public, max-age=30"
#define ETAG_BYTES	16
#define ETAG_MAX	(ETAG_BYTES * 2 + 8)
#define BADGE_CSP	"default-src 'none'; style-src 'unsafe-inline'"

#define KEEP_SLOTS	16
#define KEEP_KEYMAX	(REQ_MAXPATH + ID_MAX + 8)

/* A kept answer. */
struct kept {
	char		 key[KEEP_KEYMAX];	/* what was asked; "" free */
	struct sv_valid	 valid;
	char		 tag[ETAG_MAX];
	int		 weak;
	const char	*ctype;		/* NULL: summary.json's data */
	const char	*csp;
	struct buf	 body;
	unsigned long	 used;
};

static struct kept	 kept[KEEP_SLOTS];
static unsigned long	 kept_clock;

/* The answer kept for key at cur's page and version, valid at now. */
static struct kept *
kept_find(const char *key, const struct sv_valid *cur, int64_t now)
{
	size_t	 i;

	for (i = 0; i < KEEP_SLOTS; i++)
		if (kept[i].key[0] != '\0' && strcmp(kept[i].key, key) == 0 &&
		    strcmp(kept[i].valid.page_id, cur->page_id) == 0 &&
		    kept[i].valid.version == cur->version &&
		    now < kept[i].valid.until) {
			kept[i].used = ++kept_clock;
			return &kept[i];
		}
	return NULL;
}

/* Keep an answer rendered at now, when it stays valid a while. */
static void
kept_store(const char *key, const struct sv_valid *valid, int64_t now,
    const char *tag, int weak, const char *ctype, const char *csp,
    const void *body, size_t len)
{
	struct kept	*k = &kept[0];
	size_t		 i;

	if (valid->until <= now)
		return;
	for (i = 0; i < KEEP_SLOTS; i++) {
		if (strcmp(kept[i].key, key) == 0) {
			k = &kept[i];
			break;
		}
		if (kept[i].used < k->used)
			k = &kept[i];
	}
	k->key[0] = '\0';
	k->body.len = 0;
	if (buf_add(&k->body, body, len) == -1)
		return;
	snprintf(k->key, sizeof(k->key), "%s", key);
	k->valid = *valid;
	snprintf(k->tag, sizeof(k->tag), "%s", tag);
	k->weak = weak;
	k->ctype = ctype;
	k->csp = csp;
	k->used = ++kept_clock;
}

/* The Host header as a customDomain: lower case, no port, no final dot. */
static int
host_of(struct req *r, char *out, size_t outlen)
{
	const char	*h = req_param(r, "HTTP_HOST");
	size_t		 n, i;

	if (h == NULL)
		return -1;
	n = strcspn(h, ":");
	if (n > 0 && h[n - 1] == '.')
		n--;	/* "status.example.com." */
	if (n == 0 || n >= outlen)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = (char)(h[i] >= 'A' && h[i] <= 'Z' ? h[i] + 32 : h[i]);
	out[n] = '\0';
	return strspn(out, "abcdefghijklmnopqrstuvwxyz0123456789.-") == n ?
	    0 : -1;
}

/* Does If-None-Match (a list, "*", weak or strong) match tag ("…")? */
static int
etag_matches(const char *inm, const char *tag)
{
	const char	*p = inm, *q;
	size_t		 n = strlen(tag);

	while (p != NULL && *p != '\0') {
		p += strspn(p, " \t,");
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (*p != '"') {
			p = strchr(p, ',');
			continue;
		}
		if ((q = strchr(p + 1, '"')) == NULL)
			return 0;
		if ((size_t)(q - p + 1) == n && memcmp(p, tag, n) == 0)
			return 1;
		p = q + 1;
	}
	return 0;
}

/* The ETag of data: "<32 hex digits of its BLAKE2b-128>". */
static void
etag_of(const void *data, size_t len, char *out)
{
	unsigned char	 h[ETAG_BYTES];
	char		 hex[ETAG_BYTES * 2 + 1];

	crypto_generichash(h, sizeof(h), data, len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, ETAG_MAX, "\"%s\"", hex);
}

/* Headers of every public answer; 1 when the client's copy is current. */
static int
validators(struct req *r, const char *tag, int weak)
{
	const char	*inm = req_param(r, "HTTP_IF_NONE_MATCH");

	resp_header(r, "Cache-Control", CACHE_CONTROL);
	resp_header(r, "ETag", "%s%s", weak ? "W/" : "", tag);
	return inm != NULL && etag_matches(inm, tag);
}

/*
 * The key of what the request asks (kind: a letter; arg: what else the
 * answer depends on) and, when an answer is kept for it at the page's
 * version, that answer sent again (304 when the client has it): 1.  0
 * when it is to be rendered (key "" when it is not to be kept).
 */
static int
from_kept(struct req *r, const struct sv_which *which, char kind,
    const char *arg, char *key)
{
	struct sv_valid	 cur;
	struct kept	*k;
	struct buf	 copy = { NULL, 0, 0 };
	struct jw	 w;
	int		 n;

	n = snprintf(key, KEEP_KEYMAX, "%c %s", kind, arg);
	if (n < 0 || n >= KEEP_KEYMAX) {
		key[0] = '\0';
		return 0;
	}
	/* A page that is missing or private: rendering says so. */
	if (sv_version(r->db, which, &cur) != DB_OK ||
	    (k = kept_find(key, &cur, r->now)) == NULL)
		return 0;
	if (k->csp != NULL)
		resp_header(r, "Content-Security-Policy", "%s", k->csp);
	if (validators(r, k->tag, k->weak))
		resp_empty(r, 304);
	else if (k->ctype == NULL) {
		resp_open(r, 200, &w);
		jw_raw(&w, NULL, k->body.p, k->body.len);
		resp_close(r, &w);
	} else if (buf_add(&copy, k->body.p, k->body.len) == -1)
		resp_db(r, DB_ERROR);
	else
		resp_body(r, 200, k->ctype, &copy);
	return 1;
}

/*
 * Answer what a statusview function made: rc not DB_OK as a problem
 * (404 for a page that is missing or not public), else 200 with body
 * (taken over) or 304; kept under key (not "") as valid says.
 */
static int
answer(struct req *r, int rc, const char *ctype, struct buf *body,
    const char *csp, const char *key, const struct sv_valid *valid)
{
	char	 tag[ETAG_MAX];

	if (rc != DB_OK)
		return resp_db(r, rc);
	etag_of(body->p, body->len, tag);
	if (key[0] != '\0')
		kept_store(key, valid, r->now, tag, 0, ctype, csp, body->p,
		    body->len);
	if (csp != NULL)
		resp_header(r, "Content-Security-Policy", "%s", csp);
	if (validators(r, tag, 0)) {
		buf_free(body);
		return resp_empty(r, 304);
	}
	return resp_body(r, 200, ctype, body);
}

/* The page named by the path's slug. */
static const struct sv_which *
by_slug(struct req *r, struct sv_which *w)
{
	w->slug = r->args[0];
	w->domain = NULL;
	return w;
}

/* The HTML page of which, its links under the mount prefix used. */
static int
html(struct req *r, const struct sv_which *which)
{
	struct buf	 body = { NULL, 0, 0 };
	struct sv_valid	 valid;
	char		 prefix[REQ_MAXPATH + 1], key[KEEP_KEYMAX];
	size_t		 n = (size_t)(r->path - r->uri_path);

	if (r->path < r->uri_path || n > REQ_MAXPATH)
		n = 0;
	memcpy(prefix, r->uri_path, n);
	prefix[n] = '\0';
	if (from_kept(r, which, 'h', prefix, key))
		return 0;
	return answer(r, sv_html(r->db, which, prefix, r->now, &body,
	    &valid), "text/html", &body, sv_html_csp(), key, &valid);
}

/*
 * GET /status/{slug}
 * No key.  200 text/html, the page people read; 304; 404 when the page
 * does not exist or is not public.
 */
static int
public_page(struct req *r)
{
	struct sv_which	 w;

	return html(r, by_slug(r, &w));
}

/*
 * GET /status and GET /: the page that has verified the Host as its
 * customDomain.  No key.  200 text/html; 304; 404 when no public page
 * has that domain verified.
 */
static int
public_domain(struct req *r)
{
	struct sv_which	 w = { NULL, NULL };
	char		 host[SP_DOMAINMAX + 1];

	if (host_of(r, host, sizeof(host)) == 0)
		w.domain = host;
	return html(r, &w);
}

/*
 * GET /status/{slug}/summary.json
 * No key.  200 with the page's state, components, open incidents and
 * maintenance; 304; 404.
 */
static int
public_summary(struct req *r)
{
	struct sv_which	 w;
	struct sv_valid	 valid;
	struct jw	 jw;
	cJSON		*o;
	char		 tag[ETAG_MAX], key[KEEP_KEYMAX], *text;
	int		 rc;

	if (from_kept(r, by_slug(r, &w), 's', "", key))
		return 0;
	if ((rc = sv_summary(r->db, &w, r->now, &o, &valid)) != DB_OK)
		return resp_db(r, rc);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (text == NULL)
		return resp_db(r, DB_ERROR);
	/* Weak, over data alone: meta holds the request id and time. */
	etag_of(text, strlen(text), tag);
	if (key[0] != '\0')
		kept_store(key, &valid, r->now, tag, 1, NULL, NULL, text,
		    strlen(text));
	if (validators(r, tag, 1))
		resp_empty(r, 304);
	else {
		resp_open(r, 200, &jw);
		jw_raw(&jw, NULL, text, strlen(text));
		resp_close(r, &jw);
	}
	free(text);
	return 0;
}

/*
 * GET /status/{slug}/feed.atom
 * No key.  200 application/atom+xml, the page's incidents; 304; 404.
 */
static int
public_feed(struct req *r)
{
	struct sv_which	 w;
	struct sv_valid	 valid;
	struct buf	 body = { NULL, 0, 0 };
	char		 key[KEEP_KEYMAX];

	if (from_kept(r, by_slug(r, &w), 'f', "", key))
		return 0;
	return answer(r, sv_feed(r->db, &w, r->now, &body, &valid),
	    "application/atom+xml", &body, NULL, key, &valid);
}

/*
 * GET /status/{slug}/badge/{id}.svg
 * No key.  200 image/svg+xml, the component's state; 304; 404.
 */
static int
public_badge(struct req *r)
{
	struct sv_which	 w;
	struct sv_valid	 valid;
	struct buf	 body = { NULL, 0, 0 };
	char		 key[KEEP_KEYMAX];

	if (from_kept(r, by_slug(r, &w), 'b', r->args[1], key))
		return 0;
	return answer(r, sv_badge(r->db, &w, r->args[1], SV_BADGE_STATE,
	    SW_30D, r->now, &body, &valid), "image/svg+xml", &body, BADGE_CSP,
	    key, &valid);
}

/* A badge over the window of the query (30d when none). */
static int
window_badge(struct req *r, enum sv_badge kind)
{
	struct sv_which	 w;
	struct buf	 body = { NULL, 0, 0 };

	/* Not kept: sv_badge says a window's figures are never valid
	 * beyond their rendering. */
	return answer(r, sv_badge(r->db, by_slug(r, &w), r->args[1], kind,
	    (enum stats_window)req_enum(r, "window"), r->now, &body, NULL),
	    "image/svg+xml", &body, BADGE_CSP, "", NULL);
}

/*
 * GET /status/{slug}/badge/{id}/uptime.svg?window
 * No key.  200 image/svg+xml, the component's uptime over window (24h,
 * 7d, 30d (default) or 90d); 304; 400 bad_query; 404.
 */
static int
public_uptime_badge(struct req *r)
{
	return window_badge(r, SV_BADGE_UPTIME);
}

/*
 * GET /status/{slug}/badge/{id}/response-time.svg?window
 * No key.  200 image/svg+xml, the component's mean response time over
 * window (24h, 7d, 30d (default) or 90d); 304; 400 bad_query; 404.
 */
static int
public_response_badge(struct req *r)
{
	return window_badge(r, SV_BADGE_RESPONSE);
}

static const struct qspec q_incidents[] = {
	Q_ID("statusPageId", "sp"),
	Q_ENUM("status", inc_filter_names, INC_STATUS__MAX + 1),
	Q_PAGE,
	Q_END
};

static const struct qspec q_badge[] = {
	Q_ENUM_DEF("window", stats_window_names, SW__MAX, SW_30D),
	Q_END
};

static const struct route routes[] = {
	{ "GET", "/v1/status-pages", SCOPE_STATUS_PAGES_READ, pages_list,
	    NULL, q_page, 0 },
	{ "POST", "/v1/status-pages", SCOPE_STATUS_PAGES_WRITE, pages_create,
	    "status_page.created", NULL, ROUTE_BODY },
	{ "GET", "/v1/status-pages/{sp}", SCOPE_STATUS_PAGES_READ, pages_get,
	    NULL, NULL, 0 },
	{ "PATCH", "/v1/status-pages/{sp}", SCOPE_STATUS_PAGES_WRITE,
	    pages_patch, "status_page.updated", NULL, ROUTE_BODY },
	{ "DELETE", "/v1/status-pages/{sp}", SCOPE_STATUS_PAGES_WRITE,
	    pages_delete, "status_page.deleted", NULL, 0 },
	{ "PUT", "/v1/status-pages/{sp}/components", SCOPE_STATUS_PAGES_WRITE,
	    pages_components, "status_page.components_replaced", NULL,
	    ROUTE_BODY },
	{ "POST", "/v1/status-pages/{sp}/verify-domain",
	    SCOPE_STATUS_PAGES_WRITE, pages_verify_domain,
	    "status_page.domain_verified", NULL, ROUTE_NOTX },
	{ "POST", "/v1/status-pages/{sp}/incidents", SCOPE_STATUS_PAGES_WRITE,
	    incidents_create, "incident.created", NULL, ROUTE_BODY },
	{ "GET", "/v1/incidents", SCOPE_STATUS_PAGES_READ, incidents_list,
	    NULL, q_incidents, 0 },
	{ "GET", "/v1/incidents/{inc}", SCOPE_STATUS_PAGES_READ,
	    incidents_get, NULL, NULL, 0 },
	{ "PATCH", "/v1/incidents/{inc}", SCOPE_STATUS_PAGES_WRITE,
	    incidents_patch, "incident.updated", NULL, ROUTE_BODY },
	{ "DELETE", "/v1/incidents/{inc}", SCOPE_STATUS_PAGES_WRITE,
	    incidents_delete, "incident.deleted", NULL, 0 },
	{ "POST", "/v1/incidents/{inc}/updates", SCOPE_STATUS_PAGES_WRITE,
	    incidents_update, "incident.update_posted", NULL, ROUTE_BODY },
	{ "GET", "/", SCOPE_PUBLIC, public_domain, NULL, NULL, 0 },
	{ "GET", "/status", SCOPE_PUBLIC, public_domain, NULL, NULL, 0 },
	{ "GET", "/status/{*slug}", SCOPE_PUBLIC, public_page, NULL, NULL, 0 },
	{ "GET", "/status/{*slug}/summary.json", SCOPE_PUBLIC,
	    public_summary, NULL, NULL, 0 },
	{ "GET", "/status/{*slug}/feed.atom", SCOPE_PUBLIC, public_feed, NULL,
	    NULL, 0 },
	{ "GET", "/status/{*slug}/badge/{cmp}.svg", SCOPE_PUBLIC,
	    public_badge, NULL, NULL, 0 },
	{ "GET", "/status/{*slug}/badge/{cmp}/uptime.svg", SCOPE_PUBLIC,
	    public_uptime_badge, NULL, q_badge, 0 },
	{ "GET", "/status/{*slug}/badge/{cmp}/response-time.svg", SCOPE_PUBLIC,
	    public_response_badge, NULL, q_badge, 0 },
};

int
main(void)
{
	/* verify-domain looks TXT records up through lib/probe.c. */
	return serve_main(routes, sizeof(routes) / sizeof(routes[0]),
	    SERVE_CURL);
}
