/*
 * A team's configuration as one document: export, validation through the
 * resource modules, and the plan an apply makes.  See confdoc.h,
 * docs/config.md and docs/lib/confdoc.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "apikey.h"
#include "auth.h"
#include "base.h"
#include "confdoc.h"
#include "db.h"
#include "json.h"
#include "limit.h"
#include "location.h"
#include "maintenance.h"
#include "monitor.h"
#include "page.h"
#include "ref.h"
#include "req.h"
#include "response.h"
#include "scope.h"
#include "statuspage.h"

#define CHUNK		200	/* objects read a statement at a time */
#define SAVEPOINT	"config_plan"

/* What differs between the kinds, indexed by enum confdoc_kind. */
static const struct {
	const char		*member;	/* its list in the document */
	const char		*name;		/* "kind" in plans and errors */
	const char		*named_by;	/* the member a ref is made from */
	const char		*fallback;	/* the ref of a name with none */
	const struct jfield	*fields;	/* its API members */
	int			 read, write;	/* enum scope */
	enum { NONE, LIST, COMPONENTS } links;	/* to monitors */
} kinds[CK__MAX] = {
	{ "monitors", "monitor", "name", "monitor", monitor_fields,
	  SCOPE_MONITORS_READ, SCOPE_MONITORS_WRITE, NONE },
	{ "alertChannels", "alertChannel", "name", "channel", channel_fields,
	  SCOPE_ALERTS_READ, SCOPE_ALERTS_WRITE, LIST },
	{ "statusPages", "statusPage", "name", "page", sp_fields,
	  SCOPE_STATUS_PAGES_READ, SCOPE_STATUS_PAGES_WRITE, COMPONENTS },
	{ "maintenanceWindows", "maintenanceWindow", "title", "window",
	  maint_fields, SCOPE_MAINTENANCE_READ, SCOPE_MAINTENANCE_WRITE,
	  LIST },
};

/*
 * A channel's members that have no default: a document that leaves one
 * out of a channel the team has is refused as creating it would be
 * (channel_apply says which are required when creating).
 */
static const char *const channel_required[] = { "name", "type", "config",
    NULL };

/* Stored objects of one kind: their ids and refs. */
struct entry {
	char		 id[ID_MAX];
	char		 ref[REF_MAX];
	int		 named;		/* the document names it */
};

struct refs {
	struct entry	*e;
	size_t		 n, cap;
};

/* One object of the document. */
struct item {
	const cJSON	*obj;
	int		 index;		/* in its list */
	char		 ref[REF_MAX];
	const char	*id;		/* the stored object's, NULL: new */
};

/* One kind's list in the document. */
struct part {
	int		 given;		/* the document has the list */
	struct item	*items;
	size_t		 n;
	struct refs	 stored;
};

/* One PUT. */
struct run {
	struct req	*r;
	struct db	*db;
	const char	*team;
	int64_t		 now;
	int		 prune, dry;
	struct part	 parts[CK__MAX];
	struct refs	 mons;		/* every monitor's id and ref */
	struct verrs	 v;
	int		 ekind[VERR_MAX];	/* error i's kind, -1: none */
	char		 eref[VERR_MAX][REF_MAX];
	cJSON		*create, *update, *remove;
	long		 unchanged;
	unsigned	 touched;	/* bit k: kind k changes */
};

int
confdoc_kind(const char *member)
{
	int	 k;

	for (k = 0; k < CK__MAX; k++)
		if (strcmp(kinds[k].member, member) == 0)
			return k;
	return -1;
}

/* ---- refs of stored objects ---- */

static int
refs_add(struct refs *s, const char *id, const char *ref)
{
	struct entry	*grown;

	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 64 : s->cap * 2;
		if ((grown = realloc(s->e, s->cap * sizeof(*grown))) == NULL)
			return -1;
		s->e = grown;
	}
	memset(&s->e[s->n], 0, sizeof(s->e[0]));
	snprintf(s->e[s->n].id, ID_MAX, "%s", id);
	snprintf(s->e[s->n].ref, REF_MAX, "%s", ref);
	s->n++;
	return 0;
}

static struct entry *
refs_by_ref(const struct refs *s, const char *ref)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->e[i].ref, ref) == 0)
			return &s->e[i];
	return NULL;
}

static const char *
refs_ref_of(const struct refs *s, const char *id)
{
	size_t	 i;

	for (i = 0; id != NULL && i < s->n; i++)
		if (strcmp(s->e[i].id, id) == 0)
			return s->e[i].ref;
	return NULL;
}

/* ---- reading every object of a kind ---- */

/*
 * Each stored object of a kind that has a ref goes to fn(kind, object,
 * id, ref, arg), read CHUNK at a time through the module's list (a walk:
 * page_visit), newest first.
 */
struct walk {
	enum confdoc_kind k;
	int		(*fn)(enum confdoc_kind, const void *, const char *id,
			    const char *ref, void *);
	void		*arg;
};

static int
walk_one(const void *o, struct lister *l)
{
	const struct walk *w = l->visit_arg;
	const char	*id, *ref;

	switch (w->k) {
	case CK_MONITOR:
		id = ((const struct monitor *)o)->id;
		ref = ((const struct monitor *)o)->ref;
		break;
	case CK_CHANNEL:
		id = ((const struct channel *)o)->id;
		ref = ((const struct channel *)o)->ref;
		break;
	case CK_PAGE:
		id = ((const struct status_page *)o)->id;
		ref = ((const struct status_page *)o)->ref;
		break;
	default:
		id = ((const struct maint_window *)o)->id;
		ref = ((const struct maint_window *)o)->ref;
		break;
	}
	return ref[0] == '\0' ? 0 : w->fn(w->k, o, id, ref, w->arg);
}

static int
walk_kind(struct db *db, const char *team, enum confdoc_kind k, int64_t now,
    int (*fn)(enum confdoc_kind, const void *, const char *, const char *,
    void *), void *arg)
{
	static const struct monitor_filter all = { -1, -1, NULL };
	struct walk	 w = { k, fn, arg };
	struct page	 pg;
	struct lister	 l;
	int		 rc;

	memset(&pg, 0, sizeof(pg));
	pg.perpage = CHUNK;
	do {
		page_start(&l, &pg, now);
		l.visit = walk_one;
		l.visit_arg = &w;
		switch (k) {
		case CK_MONITOR:
			rc = monitor_list(db, team, &all, &l);
			break;
		case CK_CHANNEL:
			rc = channel_list(db, team, &l);
			break;
		case CK_PAGE:
			rc = sp_list(db, team, NULL, &l);
			break;
		default:
			rc = maint_list(db, team, -1, &l);
			break;
		}
		page_free(&l);
		pg.has_cursor = 1;
		pg.c_time = l.last_t;
		snprintf(pg.c_id, sizeof(pg.c_id), "%s", l.last_id);
	} while (rc == DB_OK && l.more);
	return rc;
}

static int
collect_ref(enum confdoc_kind k, const void *o, const char *id,
    const char *ref, void *arg)
{
	(void)k;
	(void)o;
	return refs_add(arg, id, ref);
}

/* ---- the document's objects and the API's ---- */

/* Is name a member of the kind's API objects that clients write? */
static int
writable(enum confdoc_kind k, const char *name)
{
	const struct jfield	*f;

	for (f = kinds[k].fields; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return !f->readonly;
	return 0;
}

/*
 * The document's object for an API object (api, taken): ref first, then
 * the members a client writes, in the API's order, with monitor ids
 * made refs (monitorIds as monitors, a component's monitorId as
 * monitor).  Caller owns it.
 */
static cJSON *
doc_object(enum confdoc_kind k, cJSON *api, const char *ref,
    const struct refs *mons)
{
	cJSON		*o, *m, *next, *list, *c, *id, *out;
	const char	*mref;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "ref", ref);
	for (m = api != NULL ? api->child : NULL; m != NULL; m = next) {
		next = m->next;
		if (!writable(k, m->string))
			continue;
		cJSON_DetachItemViaPointer(api, m);
		if (strcmp(m->string, "monitorIds") == 0) {
			list = cJSON_IsArray(m) ? cJSON_CreateArray() :
			    cJSON_CreateNull();
			cJSON_ArrayForEach(id, m)
				if ((mref = refs_ref_of(mons,
				    id->valuestring)) != NULL)
					cJSON_AddItemToArray(list,
					    cJSON_CreateString(mref));
			cJSON_AddItemToObject(o, "monitors", list);
			cJSON_Delete(m);
			continue;
		}
		if (strcmp(m->string, "components") == 0) {
			list = cJSON_CreateArray();
			cJSON_ArrayForEach(c, m) {
				mref = refs_ref_of(mons, cJSON_GetStringValue(
				    cJSON_GetObjectItem(c, "monitorId")));
				out = cJSON_CreateObject();
				cJSON_AddStringToObject(out, "monitor",
				    mref ? mref : "");
				cJSON_AddItemToObject(out, "displayName",
				    cJSON_DetachItemFromObject(c,
				    "displayName"));
				cJSON_AddItemToObject(out, "group",
				    cJSON_DetachItemFromObject(c, "group"));
				cJSON_AddItemToArray(list, out);
			}
			cJSON_AddItemToObject(o, "components", list);
			cJSON_Delete(m);
			continue;
		}
		cJSON_AddItemToObject(o, m->string, m);
	}
	cJSON_Delete(api);
	return o;
}

/*
 * The API body for a document's object: the same members but ref, with
 * monitor refs made ids (refs that name no monitor are left out: the
 * check of the document has refused them).  A heartbeat on a schedule
 * shows intervalSeconds null; that member is left out.  Caller owns it.
 */
static cJSON *
api_body(enum confdoc_kind k, const cJSON *obj, const struct refs *mons)
{
	const cJSON	*m, *c, *r;
	const struct entry *e;
	cJSON		*o, *list, *item;

	o = cJSON_CreateObject();
	cJSON_ArrayForEach(m, obj) {
		if (strcmp(m->string, "ref") == 0)
			continue;
		if (k == CK_MONITOR && strcmp(m->string, "intervalSeconds") ==
		    0 && cJSON_IsNull(m) && cJSON_IsString(
		    cJSON_GetObjectItemCaseSensitive(obj, "schedule")))
			continue;
		if (kinds[k].links == LIST && strcmp(m->string, "monitors") ==
		    0 && cJSON_IsArray(m)) {
			list = cJSON_AddArrayToObject(o, "monitorIds");
			cJSON_ArrayForEach(r, m)
				if (cJSON_IsString(r) && (e = refs_by_ref(mons,
				    r->valuestring)) != NULL)
					cJSON_AddItemToArray(list,
					    cJSON_CreateString(e->id));
			continue;
		}
		if (kinds[k].links == LIST && strcmp(m->string, "monitors") ==
		    0) {
			cJSON_AddItemToObject(o, "monitorIds",
			    cJSON_Duplicate(m, 1));
			continue;
		}
		if (kinds[k].links == COMPONENTS && strcmp(m->string,
		    "components") == 0 && cJSON_IsArray(m)) {
			list = cJSON_AddArrayToObject(o, "components");
			cJSON_ArrayForEach(c, m) {
				item = cJSON_Duplicate(c, 1);
				r = cJSON_GetObjectItemCaseSensitive(c,
				    "monitor");
				if (cJSON_IsObject(item) && r != NULL) {
					cJSON_DeleteItemFromObjectCaseSensitive(
					    item, "monitor");
					if (cJSON_IsString(r) &&
					    (e = refs_by_ref(mons,
					    r->valuestring)) != NULL)
						cJSON_AddStringToObject(item,
						    "monitorId", e->id);
				}
				cJSON_AddItemToArray(list, item);
			}
			continue;
		}
		cJSON_AddItemToObject(o, m->string, cJSON_Duplicate(m, 1));
	}
	return o;
}

/* ---- GET ---- */

struct export {
	const struct refs *mons;
	int64_t		 now;
	cJSON		**objs;
	size_t		 n, cap;
	int		 clear;		/* channels' secrets in clear */
};

/* The document's object of a stored object (its API object, exported). */
static cJSON *
export_one(enum confdoc_kind k, const void *o, const char *ref,
    const struct refs *mons, int64_t now, int clear)
{
	cJSON	*api;

	switch (k) {
	case CK_MONITOR:
		api = monitor_json(o);
		break;
	case CK_CHANNEL:
		api = clear ? channel_json_clear(o) : channel_json(o);
		break;
	case CK_PAGE:
		api = sp_json(o, NULL);
		break;
	default:
		api = maint_json(o, now);
		break;
	}
	return doc_object(k, api, ref, mons);
}

static int
export_add(enum confdoc_kind k, const void *o, const char *id,
    const char *ref, void *arg)
{
	struct export	*x = arg;
	cJSON		**grown;

	(void)id;
	if (x->n == x->cap) {
		x->cap = x->cap == 0 ? 64 : x->cap * 2;
		if ((grown = realloc(x->objs, x->cap * sizeof(*grown))) ==
		    NULL)
			return -1;
		x->objs = grown;
	}
	x->objs[x->n++] = export_one(k, o, ref, x->mons, x->now, x->clear);
	return 0;
}

static int
by_ref(const void *a, const void *b)
{
	const cJSON *const *x = a, *const *y = b;

	return strcmp(cJSON_GetObjectItem(*x, "ref")->valuestring,
	    cJSON_GetObjectItem(*y, "ref")->valuestring);
}

int
confdoc_get(struct req *r, unsigned mask)
{
	struct refs	 mons = { NULL, 0, 0 };
	struct export	 x;
	cJSON		*doc = NULL, *list;
	size_t		 i;
	int		 k, rc;

	for (k = 0; k < CK__MAX; k++)
		if ((mask & (1u << k)) && auth_scope(r, kinds[k].read) == -1)
			return 0;
	memset(&x, 0, sizeof(x));
	x.mons = &mons;
	x.now = r->now;
	rc = walk_kind(r->db, r->key->team_id, CK_MONITOR, r->now,
	    collect_ref, &mons);
	doc = cJSON_CreateObject();
	cJSON_AddNumberToObject(doc, "version", CONFDOC_VERSION);
	for (k = 0; k < CK__MAX && rc == DB_OK; k++) {
		if (!(mask & (1u << k)))
			continue;
		x.n = 0;
		rc = walk_kind(r->db, r->key->team_id, k, r->now, export_add,
		    &x);
		if (x.n > 0)
			qsort(x.objs, x.n, sizeof(*x.objs), by_ref);
		list = cJSON_AddArrayToObject(doc, kinds[k].member);
		for (i = 0; i < x.n; i++)
			cJSON_AddItemToArray(list, x.objs[i]);
	}
	free(x.objs);
	free(mons.e);
	if (rc != DB_OK) {
		cJSON_Delete(doc);
		return resp_db(r, rc);
	}
	return resp_data(r, 200, doc);
}

/* ---- PUT: errors ---- */

/*
 * An error at pointer, about the object it of kind k (k -1: about the
 * document).
 */
static void PRINTF(6, 7)
doc_err(struct run *u, int k, const struct item *it, enum verr_kind kind,
    const char *pointer, const char *fmt, ...)
{
	va_list	 ap;
	char	 detail[sizeof(u->v.e[0].detail)];

	if (u->v.n < VERR_MAX) {
		u->ekind[u->v.n] = it != NULL ? k : -1;
		snprintf(u->eref[u->v.n], REF_MAX, "%s", it ? it->ref : "");
	}
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	verr_add(&u->v, kind, pointer, "%s", detail);
}

/*
 * The errors a module found in the API body of it, at their place in the
 * document: /monitorIds is /monitors, a component's /monitorId its
 * /monitor.
 */
static void
item_errs(struct run *u, enum confdoc_kind k, const struct item *it,
    const struct verrs *v)
{
	char		 p[sizeof(v->e[0].pointer) + 64];
	const char	*e;
	size_t		 i, len, tail = strlen("/monitorId");
	int		 n;

	for (i = 0; i < v->n; i++) {
		e = v->e[i].pointer;
		len = strlen(e);
		n = snprintf(p, sizeof(p), "/%s/%d", kinds[k].member,
		    it->index);
		if (kinds[k].links == LIST && strncmp(e, "/monitorIds", 11) ==
		    0)
			snprintf(p + n, sizeof(p) - (size_t)n, "/monitors%s",
			    e + 11);
		else if (kinds[k].links == COMPONENTS &&
		    strncmp(e, "/components/", 12) == 0 && len > 12 + tail &&
		    strcmp(e + len - tail, "/monitorId") == 0)
			snprintf(p + n, sizeof(p) - (size_t)n, "%.*s/monitor",
			    (int)(len - tail), e);
		else
			snprintf(p + n, sizeof(p) - (size_t)n, "%s", e);
		doc_err(u, k, it, v->e[i].kind, p, "%s", v->e[i].detail);
	}
	u->v.dropped += v->dropped;
}

static void
err_members(cJSON *e, size_t i, void *arg)
{
	struct run	*u = arg;

	if (i >= VERR_MAX || u->ekind[i] < 0)
		return;
	cJSON_AddStringToObject(e, "kind", kinds[u->ekind[i]].name);
	cJSON_AddStringToObject(e, "ref", u->eref[i]);
}

/* Answer the 400 of u's errors, naming the first object at fault. */
static int
answer_errs(struct run *u)
{
	char	 detail[256];
	size_t	 i;

	for (i = 0; i < u->v.n && i < VERR_MAX && u->ekind[i] < 0; i++)
		continue;
	if (i < u->v.n && i < VERR_MAX)
		snprintf(detail, sizeof(detail), "The document is not valid: "
		    "%s \"%s\" (at %.128s) and errors[] name each bad field.",
		    kinds[u->ekind[i]].name, u->eref[i], u->v.e[i].pointer);
	else
		snprintf(detail, sizeof(detail), "The document is not valid; "
		    "errors[] names each bad field.");
	return resp_verrs_with(u->r, &u->v, detail, err_members, u);
}

/* ---- PUT: reading the document ---- */

static const struct jfield top_fields[] = {
	{ "version", 0 }, { "monitors", 0 }, { "alertChannels", 0 },
	{ "statusPages", 0 }, { "maintenanceWindows", 0 },
	{ NULL, 0 }
};

struct taken {
	const struct part *part;
	size_t		 upto;		/* items before this one */
};

/* Is ref the ref of an item of the part before upto (ref_pick)? */
static int
doc_ref_taken(const char *ref, void *arg)
{
	const struct taken *t = arg;
	size_t		 i;

	for (i = 0; i < t->part->n; i++)
		if ((i < t->upto || cJSON_GetObjectItemCaseSensitive(
		    t->part->items[i].obj, "ref") != NULL) &&
		    strcmp(t->part->items[i].ref, ref) == 0)
			return 1;
	return 0;
}

/*
 * The refs of a kind's list: those given (valid, each once), then one
 * made from the name of each object that has none, unlike every other.
 */
static void
read_refs(struct run *u, enum confdoc_kind k)
{
	struct part	*pt = &u->parts[k];
	struct item	*it;
	struct taken	 t = { pt, 0 };
	const cJSON	*ref, *name;
	char		 base[REF_MAX], ptr[64];
	size_t		 i, j;

	for (i = 0; i < pt->n; i++) {
		it = &pt->items[i];
		if ((ref = cJSON_GetObjectItemCaseSensitive(it->obj, "ref")) ==
		    NULL)
			continue;
		snprintf(ptr, sizeof(ptr), "/%s/%d/ref", kinds[k].member,
		    it->index);
		snprintf(it->ref, REF_MAX, "%.*s", REF_MAXLEN,
		    cJSON_IsString(ref) ? ref->valuestring : "");
		if (!cJSON_IsString(ref) || !ref_valid(ref->valuestring)) {
			doc_err(u, k, it, VERR_INVALID, ptr, "must be 1 to %d "
			    "of a-z, 0-9, - and _, starting with a letter or "
			    "a digit", REF_MAXLEN);
			continue;
		}
		for (j = 0; j < i; j++)
			if (strcmp(pt->items[j].ref, it->ref) == 0)
				break;
		if (j < i)
			doc_err(u, k, it, VERR_INVALID, ptr, "repeats the ref "
			    "of /%s/%d", kinds[k].member, pt->items[j].index);
	}
	for (i = 0; i < pt->n; i++) {
		it = &pt->items[i];
		if (cJSON_GetObjectItemCaseSensitive(it->obj, "ref") != NULL)
			continue;
		name = cJSON_GetObjectItemCaseSensitive(it->obj,
		    kinds[k].named_by);
		ref_from_name(cJSON_IsString(name) ? name->valuestring : "",
		    kinds[k].fallback, base);
		t.upto = i;
		if (ref_pick(base, doc_ref_taken, &t, it->ref) == -1)
			snprintf(it->ref, REF_MAX, "%s", base);
	}
}

/*
 * Will a monitor with this ref exist once the document is applied: one
 * of the document's, or a stored one it leaves alone?
 */
static int
monitor_known(const struct run *u, const char *ref)
{
	const struct part *pt = &u->parts[CK_MONITOR];
	size_t		 i;

	for (i = 0; pt->given && i < pt->n; i++)
		if (strcmp(pt->items[i].ref, ref) == 0)
			return 1;
	if (pt->given && u->prune)
		return 0;
	return refs_by_ref(&pt->stored, ref) != NULL;
}

/* A monitor ref of the object it, at ptr; seen lists those before it. */
static void
check_monitor_ref(struct run *u, enum confdoc_kind k, const struct item *it,
    const cJSON *ref, const char *ptr)
{
	if (!cJSON_IsString(ref) || !ref_valid(ref->valuestring))
		doc_err(u, k, it, VERR_INVALID, ptr, "must be the ref of a "
		    "monitor");
	else if (!monitor_known(u, ref->valuestring))
		doc_err(u, k, it, VERR_INVALID, ptr, "names no monitor: \"%s\" "
		    "is the ref of no monitor of the document%s",
		    ref->valuestring, u->parts[CK_MONITOR].given && u->prune ?
		    "" : " or of the team");
}

/* The links of an object to monitors: monitors, components[].monitor. */
static void
check_links(struct run *u, enum confdoc_kind k, const struct item *it)
{
	const cJSON	*m, *r, *prev, *c;
	char		 ptr[96];
	int		 i = 0, j;

	snprintf(ptr, sizeof(ptr), "/%s/%d/monitorIds", kinds[k].member,
	    it->index);
	if (kinds[k].links == LIST &&
	    cJSON_GetObjectItemCaseSensitive(it->obj, "monitorIds") != NULL)
		doc_err(u, k, it, VERR_UNKNOWN, ptr, "not a member of the "
		    "document: monitors lists monitor refs");
	if (kinds[k].links == LIST && (m = cJSON_GetObjectItemCaseSensitive(
	    it->obj, "monitors")) != NULL && !cJSON_IsNull(m)) {
		snprintf(ptr, sizeof(ptr), "/%s/%d/monitors", kinds[k].member,
		    it->index);
		if (!cJSON_IsArray(m))
			doc_err(u, k, it, VERR_INVALID, ptr, "must be null "
			    "(every monitor) or a list of monitor refs");
		else
			cJSON_ArrayForEach(r, m) {
				snprintf(ptr, sizeof(ptr), "/%s/%d/monitors/%d",
				    kinds[k].member, it->index, i++);
				check_monitor_ref(u, k, it, r, ptr);
				for (prev = m->child; prev != r;
				    prev = prev->next)
					if (cJSON_Compare(prev, r, 1))
						break;
				if (prev != r)
					doc_err(u, k, it, VERR_INVALID, ptr,
					    "is listed twice");
			}
	}
	m = cJSON_GetObjectItemCaseSensitive(it->obj, "components");
	if (kinds[k].links != COMPONENTS || !cJSON_IsArray(m))
		return;
	j = 0;
	cJSON_ArrayForEach(c, m) {
		if (cJSON_IsObject(c) && cJSON_GetObjectItemCaseSensitive(c,
		    "monitorId") != NULL) {
			snprintf(ptr, sizeof(ptr), "/%s/%d/components/%d/"
			    "monitorId", kinds[k].member, it->index, j);
			doc_err(u, k, it, VERR_UNKNOWN, ptr, "not a member of "
			    "the document: monitor names the monitor by ref");
		}
		if (cJSON_IsObject(c) && cJSON_GetObjectItemCaseSensitive(c,
		    "id") != NULL) {
			snprintf(ptr, sizeof(ptr), "/%s/%d/components/%d/id",
			    kinds[k].member, it->index, j);
			doc_err(u, k, it, VERR_UNKNOWN, ptr, "not a member of "
			    "the document: a component is known by its "
			    "monitor");
		}
		snprintf(ptr, sizeof(ptr), "/%s/%d/components/%d/monitor",
		    kinds[k].member, it->index, j++);
		if (cJSON_IsObject(c) && (r = cJSON_GetObjectItemCaseSensitive(
		    c, "monitor")) != NULL)
			check_monitor_ref(u, k, it, r, ptr);
	}
}

/*
 * The document's shape, its refs and links, and the stored objects of
 * each kind it holds, matched by ref.  Errors go to u->v; -1 when
 * reading the stored objects failed (answered).
 */
static int
read_doc(struct run *u, const cJSON *doc)
{
	struct verrs	 top = { 0 };
	struct part	*pt;
	struct entry	*e;
	const cJSON	*list, *o, *ver;
	char		 ptr[64];
	size_t		 i;
	int		 k, rc, n, at;

	json_check_fields(doc, top_fields, &top);
	for (i = 0; i < top.n; i++)
		doc_err(u, -1, NULL, top.e[i].kind, top.e[i].pointer, "%s",
		    top.e[i].detail);
	ver = cJSON_GetObjectItemCaseSensitive(doc, "version");
	if (ver != NULL && !(cJSON_IsNumber(ver) &&
	    ver->valuedouble == CONFDOC_VERSION))
		doc_err(u, -1, NULL, VERR_INVALID, "/version", "must be %d, the "
		    "version of this document", CONFDOC_VERSION);
	for (k = 0; k < CK__MAX; k++) {
		pt = &u->parts[k];
		if ((list = cJSON_GetObjectItemCaseSensitive(doc,
		    kinds[k].member)) == NULL)
			continue;
		snprintf(ptr, sizeof(ptr), "/%s", kinds[k].member);
		n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : -1;
		if (n < 0 || n > CONFDOC_MAXOBJECTS) {
			doc_err(u, -1, NULL, VERR_INVALID, ptr, "must be a list "
			    "of at most %d objects", CONFDOC_MAXOBJECTS);
			continue;
		}
		pt->given = 1;
		if ((pt->items = calloc((size_t)n + 1, sizeof(*pt->items))) ==
		    NULL)
			return resp_db(u->r, DB_ERROR), -1;
		at = 0;
		cJSON_ArrayForEach(o, list) {
			snprintf(ptr, sizeof(ptr), "/%s/%d", kinds[k].member,
			    at);
			pt->items[pt->n].index = at++;
			pt->items[pt->n].obj = o;
			if (!cJSON_IsObject(o)) {
				doc_err(u, -1, NULL, VERR_INVALID, ptr, "must "
				    "be an object: a %s", kinds[k].name);
				continue;
			}
			pt->n++;
		}
		read_refs(u, k);
	}
	/* Monitors are always read: links name them. */
	for (k = 0; k < CK__MAX; k++) {
		pt = &u->parts[k];
		if (!pt->given && k != CK_MONITOR)
			continue;
		if ((rc = walk_kind(u->db, u->team, k, u->now, collect_ref,
		    &pt->stored)) != DB_OK)
			return resp_db(u->r, rc), -1;
		for (i = 0; i < pt->n; i++)
			if ((e = refs_by_ref(&pt->stored,
			    pt->items[i].ref)) != NULL) {
				e->named = 1;
				pt->items[i].id = e->id;
			}
	}
	for (k = CK_CHANNEL; k < CK__MAX; k++)
		for (i = 0; i < u->parts[k].n; i++)
			check_links(u, k, &u->parts[k].items[i]);
	return 0;
}

/* ---- PUT: the plan ---- */

static cJSON *
plan_entry(enum confdoc_kind k, const char *ref, const char *id)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "kind", kinds[k].name);
	cJSON_AddStringToObject(o, "ref", ref);
	if (id != NULL)
		cJSON_AddStringToObject(o, "id", id);
	return o;
}

/* The change of one member: name, its value before and after. */
static void
add_change(cJSON *changes, const char *field, const cJSON *from,
    const cJSON *to)
{
	cJSON	*c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "field", field);
	cJSON_AddItemToObject(c, "from", from ? cJSON_Duplicate(from, 1) :
	    cJSON_CreateNull());
	cJSON_AddItemToObject(c, "to", to ? cJSON_Duplicate(to, 1) :
	    cJSON_CreateNull());
	cJSON_AddItemToArray(changes, c);
}

/*
 * The members of b and a (the compared forms) that differ, as changes
 * whose values come from bs and as (the forms shown: a channel's secrets
 * masked).  Members that are objects on both sides (config, events,
 * headers) are compared member by member, as "config.url".
 */
static void
diff(cJSON *changes, const char *prefix, const cJSON *b, const cJSON *a,
    const cJSON *bs, const cJSON *as)
{
	const cJSON	*pass[2] = { a, b }, *m, *x, *y;
	char		 field[256];
	int		 i;

	for (i = 0; i < 2; i++)
		cJSON_ArrayForEach(m, pass[i]) {
			/* The second pass: members only b has. */
			if (i == 1 && cJSON_GetObjectItemCaseSensitive(a,
			    m->string) != NULL)
				continue;
			x = cJSON_GetObjectItemCaseSensitive(b, m->string);
			y = cJSON_GetObjectItemCaseSensitive(a, m->string);
			snprintf(field, sizeof(field), "%s%s", prefix,
			    m->string);
			if (x != NULL && y != NULL && cJSON_Compare(x, y, 1))
				continue;
			if (*prefix == '\0' && cJSON_IsObject(x) &&
			    cJSON_IsObject(y)) {
				snprintf(field, sizeof(field), "%s.",
				    m->string);
				diff(changes, field, x, y,
				    cJSON_GetObjectItemCaseSensitive(bs,
				    m->string),
				    cJSON_GetObjectItemCaseSensitive(as,
				    m->string));
				continue;
			}
			add_change(changes, field,
			    cJSON_GetObjectItemCaseSensitive(bs, m->string),
			    cJSON_GetObjectItemCaseSensitive(as, m->string));
		}
}

static void
planned_create(struct run *u, enum confdoc_kind k, const struct item *it,
    const char *id)
{
	cJSON_AddItemToArray(u->create, plan_entry(k, it->ref,
	    u->dry ? NULL : id));
	u->touched |= 1u << k;
}

/* An update from before to after (compared; shown when bs, as given). */
static void
planned_update(struct run *u, enum confdoc_kind k, const struct item *it,
    const cJSON *b, const cJSON *a, const cJSON *bs, const cJSON *as)
{
	cJSON	*e = plan_entry(k, it->ref, it->id);
	cJSON	*changes = cJSON_AddArrayToObject(e, "changes");

	diff(changes, "", b, a, bs ? bs : b, as ? as : a);
	if (cJSON_GetArraySize(changes) == 0) {
		cJSON_Delete(e);
		u->unchanged++;
		return;
	}
	cJSON_AddItemToArray(u->update, e);
	u->touched |= 1u << k;
}

/* ---- PUT: applying each kind ---- */

/*
 * Each apply_ function validates the document's object it with its
 * module, then creates the object or, when it differs from the stored
 * one, stores it as the family's PATCH would.  Errors in the object go to
 * u->v and return 0; -1 means answered (409, or the database's error).
 */

static int
apply_monitor(struct run *u, const struct item *it)
{
	struct monitor	 s, m;
	struct verrs	 v = { 0 };
	cJSON		*body, *b = NULL, *want = NULL, *a = NULL, *full = NULL;
	int		 rc = DB_OK, ret = 0, have = 0, was_paused;

	body = api_body(CK_MONITOR, it->obj, &u->mons);
	monitor_init(&s, u->now);
	snprintf(s.team_id, sizeof(s.team_id), "%s", u->team);
	monitor_apply(&s, body, 1, &v);
	if (v.n > 0) {
		item_errs(u, CK_MONITOR, it, &v);
		goto out;
	}
	snprintf(s.ref, sizeof(s.ref), "%s", it->ref);
	if (it->id == NULL) {
		if (u->v.n > 0)
			goto out;	/* refused already: nothing to store */
		if (limit_check(u->r, LIMIT_MONITORS) == -1) {
			ret = -1;
			goto out;
		}
		if ((rc = monitor_create(u->db, &s, u->now)) != DB_OK ||
		    (rc = location_monitor_saved(u->db, &s, -1, u->now, &v)) !=
		    DB_OK)
			goto out;
		if (v.n > 0)
			item_errs(u, CK_MONITOR, it, &v);
		else
			planned_create(u, CK_MONITOR, it, s.id);
		goto out;
	}
	if ((rc = monitor_get(u->db, u->team, it->id, &m)) != DB_OK)
		goto out;
	have = 1;
	b = doc_object(CK_MONITOR, monitor_json(&m), m.ref, &u->mons);
	want = doc_object(CK_MONITOR, monitor_json(&s), m.ref, &u->mons);
	if (cJSON_Compare(b, want, 1)) {
		u->unchanged++;
		goto out;
	}
	full = api_body(CK_MONITOR, want, &u->mons);
	was_paused = m.paused;
	if ((rc = monitor_patch(u->db, &m, full, u->now, &v)) != DB_OK ||
	    (v.n == 0 && (rc = location_monitor_saved(u->db, &m, was_paused,
	    u->now, &v)) != DB_OK))
		goto out;
	if (v.n > 0) {
		item_errs(u, CK_MONITOR, it, &v);
		goto out;
	}
	a = doc_object(CK_MONITOR, monitor_json(&m), m.ref, &u->mons);
	planned_update(u, CK_MONITOR, it, b, a, NULL, NULL);
out:
	if (rc != DB_OK && ret == 0) {
		resp_db(u->r, rc);
		ret = -1;
	}
	if (have)
		monitor_free(&m);
	monitor_free(&s);
	cJSON_Delete(body);
	cJSON_Delete(b);
	cJSON_Delete(want);
	cJSON_Delete(a);
	cJSON_Delete(full);
	return ret;
}

/*
 * A document's channel for one the team has, completed for a PATCH that
 * replaces it: a member left out takes its default (a new channel's),
 * an event left out its default, a config member left out (a secret
 * too) is removed.  Masked secrets stay as they are: channel_apply keeps
 * the stored value, unless the destination moves.
 */
static void
complete_channel(struct run *u, const struct item *it, cJSON *body,
    const struct channel *stored)
{
	struct channel	 d;
	cJSON		*def, *m, *ev, *cf, *sc;
	char		 ptr[64];
	size_t		 i;

	for (i = 0; channel_required[i] != NULL; i++)
		if (cJSON_GetObjectItemCaseSensitive(body,
		    channel_required[i]) == NULL) {
			snprintf(ptr, sizeof(ptr), "/%s/%d/%s",
			    kinds[CK_CHANNEL].member, it->index,
			    channel_required[i]);
			doc_err(u, CK_CHANNEL, it, VERR_INVALID, ptr,
			    "required");
		}
	channel_init(&d, u->now);
	def = channel_json(&d);
	channel_free(&d);
	cJSON_ArrayForEach(m, def) {
		for (i = 0; channel_required[i] != NULL; i++)
			if (strcmp(channel_required[i], m->string) == 0)
				break;
		if (channel_required[i] != NULL ||
		    !writable(CK_CHANNEL, m->string))
			continue;
		if ((ev = cJSON_GetObjectItemCaseSensitive(body,
		    m->string)) == NULL)
			cJSON_AddItemToObject(body, m->string,
			    cJSON_Duplicate(m, 1));
		else if (cJSON_IsObject(ev) && cJSON_IsObject(m))
			cJSON_ArrayForEach(sc, m)
				if (cJSON_GetObjectItemCaseSensitive(ev,
				    sc->string) == NULL)
					cJSON_AddItemToObject(ev, sc->string,
					    cJSON_Duplicate(sc, 1));
	}
	cJSON_Delete(def);
	cf = cJSON_GetObjectItemCaseSensitive(body, "config");
	if (cJSON_IsObject(cf))
		cJSON_ArrayForEach(sc, stored->config)
			if (cJSON_GetObjectItemCaseSensitive(cf,
			    sc->string) == NULL)
				cJSON_AddNullToObject(cf, sc->string);
}

/*
 * A masked secret keeps the stored one; a new channel has none to keep.
 * Says so, for each string of its config (and headers) that holds the
 * mask.  Returns the number of such errors.
 */
static size_t
masked_in_new(struct run *u, const struct item *it)
{
	const cJSON	*cf, *m, *h;
	char		 ptr[160];
	size_t		 n = 0;

	cf = cJSON_GetObjectItemCaseSensitive(it->obj, "config");
	if (!cJSON_IsObject(cf))
		return 0;
	cJSON_ArrayForEach(m, cf) {
		snprintf(ptr, sizeof(ptr), "/%s/%d/config/%.64s",
		    kinds[CK_CHANNEL].member, it->index, m->string);
		if (cJSON_IsString(m) && strstr(m->valuestring, ACH_MASK)) {
			doc_err(u, CK_CHANNEL, it, VERR_INVALID, ptr, "is "
			    "masked, and this channel is new: give the "
			    "secret itself");
			n++;
		}
		if (!cJSON_IsObject(m))
			continue;
		cJSON_ArrayForEach(h, m)
			if (cJSON_IsString(h) && strstr(h->valuestring,
			    ACH_MASK)) {
				doc_err(u, CK_CHANNEL, it, VERR_INVALID, ptr,
				    "holds a masked value, and this channel "
				    "is new: give the value itself");
				n++;
			}
	}
	return n;
}

static int
apply_channel(struct run *u, const struct item *it)
{
	struct channel	 c, old;
	struct verrs	 v = { 0 };
	cJSON		*body, *b = NULL, *a = NULL, *bs = NULL, *as = NULL;
	int		 rc = DB_OK, ret = 0, have = 0;
	size_t		 before = u->v.n;

	body = api_body(CK_CHANNEL, it->obj, &u->mons);
	if (it->id == NULL) {
		channel_init(&c, u->now);
		snprintf(c.team_id, sizeof(c.team_id), "%s", u->team);
		snprintf(c.ref, sizeof(c.ref), "%s", it->ref);
		have = 1;
		if (masked_in_new(u, it) > 0)
			goto out;
		if ((rc = channel_apply(u->db, &c, body, 1, &v)) != DB_OK)
			goto out;
		if (v.n > 0) {
			item_errs(u, CK_CHANNEL, it, &v);
			goto out;
		}
		if (u->v.n > 0)
			goto out;
		if (limit_check(u->r, LIMIT_CHANNELS) == -1) {
			ret = -1;
			goto out;
		}
		if ((rc = channel_insert(u->db, &c)) == DB_OK)
			planned_create(u, CK_CHANNEL, it, c.id);
		goto out;
	}
	memset(&old, 0, sizeof(old));
	if ((rc = channel_get(u->db, u->team, it->id, &old)) != DB_OK)
		goto out;
	if ((rc = channel_get(u->db, u->team, it->id, &c)) != DB_OK) {
		channel_free(&old);
		goto out;
	}
	have = 2;
	complete_channel(u, it, body, &old);
	if (u->v.n > before)
		goto out;
	if ((rc = channel_apply(u->db, &c, body, 0, &v)) != DB_OK)
		goto out;
	if (v.n > 0) {
		item_errs(u, CK_CHANNEL, it, &v);
		goto out;
	}
	b = export_one(CK_CHANNEL, &old, old.ref, &u->mons, u->now, 1);
	a = export_one(CK_CHANNEL, &c, c.ref, &u->mons, u->now, 1);
	if (cJSON_Compare(b, a, 1)) {
		u->unchanged++;
		goto out;
	}
	c.updated_at = u->now;
	if ((rc = channel_update(u->db, &c)) != DB_OK)
		goto out;
	bs = export_one(CK_CHANNEL, &old, old.ref, &u->mons, u->now, 0);
	as = export_one(CK_CHANNEL, &c, c.ref, &u->mons, u->now, 0);
	planned_update(u, CK_CHANNEL, it, b, a, bs, as);
out:
	if (rc != DB_OK && ret == 0) {
		resp_db(u->r, rc);
		ret = -1;
	}
	if (have > 0)
		channel_free(&c);
	if (have > 1)
		channel_free(&old);
	cJSON_Delete(body);
	cJSON_Delete(b);
	cJSON_Delete(a);
	cJSON_Delete(bs);
	cJSON_Delete(as);
	return ret;
}

/* The 409 of a slug or customDomain another page holds; 0 when free. */
static int
slug_free(struct run *u, const struct item *it,
    const struct status_page *sp)
{
	const char	*field;
	int		 rc;

	if ((field = sp_taken(u->db, sp, &rc)) == NULL)
		return rc == DB_OK ? 0 : (resp_db(u->r, rc), -1);
	resp_problem_member(u->r, 409, "conflict", "field", field, "Another "
	    "status page already uses the %s of statusPage \"%s\" "
	    "(/%s/%d/%s).", field, it->ref, kinds[CK_PAGE].member, it->index,
	    field);
	return -1;
}

/* A page's components keep their ids: matched by monitor. */
static void
keep_component_ids(cJSON *body, const struct status_page *sp)
{
	cJSON		*c;
	const char	*mon;
	size_t		 i;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(body,
	    "components")) {
		mon = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c,
		    "monitorId"));
		for (i = 0; mon != NULL && i < sp->ncomponents; i++)
			if (strcmp(sp->components[i].monitor_id, mon) == 0) {
				cJSON_AddStringToObject(c, "id",
				    sp->components[i].id);
				break;
			}
	}
}

static int
apply_page(struct run *u, const struct item *it)
{
	struct status_page	*s, *p;
	struct verrs		 v = { 0 };
	cJSON			*body, *b = NULL, *want = NULL, *a = NULL;
	cJSON			*full = NULL;
	int			 rc = DB_OK, ret = 0;

	body = api_body(CK_PAGE, it->obj, &u->mons);
	s = calloc(1, sizeof(*s));
	p = calloc(1, sizeof(*p));
	if (s == NULL || p == NULL) {
		rc = DB_ERROR;
		goto out;
	}
	sp_init(s, u->now);
	snprintf(s->team_id, sizeof(s->team_id), "%s", u->team);
	if (sp_apply(u->db, s, body, 1, &v) == -1) {
		rc = DB_ERROR;
		goto out;
	}
	if (v.n > 0) {
		item_errs(u, CK_PAGE, it, &v);
		goto out;
	}
	snprintf(s->ref, sizeof(s->ref), "%s", it->ref);
	if (it->id == NULL) {
		if (u->v.n > 0)
			goto out;
		if (slug_free(u, it, s) == -1 ||
		    limit_check(u->r, LIMIT_PAGES) == -1) {
			ret = -1;
			goto out;
		}
		if ((rc = sp_insert(u->db, s)) == DB_OK)
			planned_create(u, CK_PAGE, it, s->id);
		goto out;
	}
	if ((rc = sp_get(u->db, u->team, it->id, p)) != DB_OK)
		goto out;
	b = doc_object(CK_PAGE, sp_json(p, NULL), p->ref, &u->mons);
	want = doc_object(CK_PAGE, sp_json(s, NULL), p->ref, &u->mons);
	if (cJSON_Compare(b, want, 1)) {
		u->unchanged++;
		goto out;
	}
	full = api_body(CK_PAGE, want, &u->mons);
	keep_component_ids(full, p);
	if (sp_apply(u->db, p, full, 0, &v) == -1) {
		rc = DB_ERROR;
		goto out;
	}
	if (v.n > 0) {
		item_errs(u, CK_PAGE, it, &v);
		goto out;
	}
	if (slug_free(u, it, p) == -1) {
		ret = -1;
		goto out;
	}
	p->updated_at = u->now;
	if ((rc = sp_update(u->db, p)) != DB_OK)
		goto out;
	a = doc_object(CK_PAGE, sp_json(p, NULL), p->ref, &u->mons);
	planned_update(u, CK_PAGE, it, b, a, NULL, NULL);
out:
	if (rc != DB_OK && ret == 0) {
		resp_db(u->r, rc);
		ret = -1;
	}
	if (s != NULL)
		sp_free(s);
	if (p != NULL)
		sp_free(p);
	free(s);
	free(p);
	cJSON_Delete(body);
	cJSON_Delete(b);
	cJSON_Delete(want);
	cJSON_Delete(a);
	cJSON_Delete(full);
	return ret;
}

static int
apply_window(struct run *u, const struct item *it)
{
	struct maint_window	*s, *w;
	struct verrs		 v = { 0 };
	cJSON			*body, *b = NULL, *want = NULL, *a = NULL;
	cJSON			*full = NULL;
	int			 rc = DB_OK, ret = 0, over;

	body = api_body(CK_WINDOW, it->obj, &u->mons);
	s = malloc(sizeof(*s));
	w = malloc(sizeof(*w));
	if (s == NULL || w == NULL) {
		rc = DB_ERROR;
		goto out;
	}
	maint_init(s, u->now);
	snprintf(s->team_id, sizeof(s->team_id), "%s", u->team);
	maint_apply(u->db, s, body, 1, &v);
	if (v.n > 0) {
		item_errs(u, CK_WINDOW, it, &v);
		goto out;
	}
	snprintf(s->ref, sizeof(s->ref), "%s", it->ref);
	if (it->id == NULL) {
		if (u->v.n > 0)
			goto out;
		if (s->horizon > u->now &&
		    limit_check(u->r, LIMIT_WINDOWS) == -1) {
			ret = -1;
			goto out;
		}
		if ((rc = maint_insert(u->db, s)) == DB_OK)
			planned_create(u, CK_WINDOW, it, s->id);
		goto out;
	}
	if ((rc = maint_get(u->db, u->team, it->id, w)) != DB_OK)
		goto out;
	b = doc_object(CK_WINDOW, maint_json(w, u->now), w->ref, &u->mons);
	want = doc_object(CK_WINDOW, maint_json(s, u->now), w->ref, &u->mons);
	if (cJSON_Compare(b, want, 1)) {
		u->unchanged++;
		goto out;
	}
	full = api_body(CK_WINDOW, want, &u->mons);
	if ((rc = maint_release(u->db, w, u->now)) != DB_OK)
		goto out;
	over = w->horizon <= u->now;
	maint_apply(u->db, w, full, 0, &v);
	if (v.n > 0) {
		item_errs(u, CK_WINDOW, it, &v);
		goto out;
	}
	if (over && w->horizon > u->now &&
	    limit_check(u->r, LIMIT_WINDOWS) == -1) {
		ret = -1;
		goto out;
	}
	w->updated_at = u->now;
	if ((rc = maint_update(u->db, w)) != DB_OK)
		goto out;
	a = doc_object(CK_WINDOW, maint_json(w, u->now), w->ref, &u->mons);
	planned_update(u, CK_WINDOW, it, b, a, NULL, NULL);
out:
	if (rc != DB_OK && ret == 0) {
		resp_db(u->r, rc);
		ret = -1;
	}
	free(s);
	free(w);
	cJSON_Delete(body);
	cJSON_Delete(b);
	cJSON_Delete(want);
	cJSON_Delete(a);
	cJSON_Delete(full);
	return ret;
}

/*
 * With prune, delete the stored objects of the kinds the document holds
 * that it does not name: windows first (cancelled, as DELETE does), then
 * pages, channels and monitors, so that what points at a monitor goes
 * before it.  DB_* code.
 */
static int
prune(struct run *u)
{
	struct maint_window	*w;
	struct part		*pt;
	struct entry		*e;
	size_t			 i;
	int			 k, rc = DB_OK;

	if ((w = malloc(sizeof(*w))) == NULL)
		return DB_ERROR;
	for (k = CK__MAX - 1; k >= 0 && rc == DB_OK; k--) {
		pt = &u->parts[k];
		for (i = 0; pt->given && i < pt->stored.n && rc == DB_OK;
		    i++) {
			e = &pt->stored.e[i];
			if (e->named)
				continue;
			switch (k) {
			case CK_MONITOR:
				rc = monitor_delete(u->db, u->team, e->id);
				break;
			case CK_CHANNEL:
				rc = channel_delete(u->db, u->team, e->id);
				break;
			case CK_PAGE:
				rc = sp_delete(u->db, u->team, e->id);
				break;
			default:
				if ((rc = maint_get(u->db, u->team, e->id,
				    w)) == DB_OK &&
				    (rc = maint_release(u->db, w, u->now)) ==
				    DB_OK)
					rc = maint_cancel(u->db, w, u->now);
				break;
			}
			cJSON_AddItemToArray(u->remove, plan_entry(k, e->ref,
			    e->id));
			u->touched |= 1u << k;
		}
	}
	free(w);
	return rc;
}

static int (*const appliers[CK__MAX])(struct run *, const struct item *) = {
	apply_monitor, apply_channel, apply_page, apply_window
};

/* Apply every part the document holds; 0, or -1 when answered. */
static int
apply(struct run *u)
{
	struct part	*pt;
	size_t		 i;
	int		 k, rc;

	if (u->prune && (rc = prune(u)) != DB_OK)
		return resp_db(u->r, rc), -1;
	/* Refs made ids from here on: the monitors as stored now. */
	for (k = 0; k < CK__MAX; k++) {
		pt = &u->parts[k];
		if (k == CK_CHANNEL) {
			/* Later kinds name monitors: none may be missing. */
			if (u->v.n > 0)
				return 0;
			u->mons.n = 0;
			if ((rc = walk_kind(u->db, u->team, CK_MONITOR,
			    u->now, collect_ref, &u->mons)) != DB_OK)
				return resp_db(u->r, rc), -1;
		}
		for (i = 0; i < pt->n; i++)
			if (appliers[k](u, &pt->items[i]) == -1)
				return -1;
	}
	return 0;
}

static void
run_free(struct run *u)
{
	int	 k;

	for (k = 0; k < CK__MAX; k++) {
		free(u->parts[k].items);
		free(u->parts[k].stored.e);
	}
	free(u->mons.e);
	cJSON_Delete(u->create);
	cJSON_Delete(u->update);
	cJSON_Delete(u->remove);
}

int
confdoc_put(struct req *r, const cJSON *doc, int dry_run, int prune_)
{
	struct run	*u;
	cJSON		*plan;
	int		 k, ret = 0, saved = 0;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return resp_db(r, DB_ERROR);
	u->r = r;
	u->db = r->db;
	u->team = r->key->team_id;
	u->now = r->now;
	u->dry = dry_run;
	u->prune = prune_;
	u->create = cJSON_CreateArray();
	u->update = cJSON_CreateArray();
	u->remove = cJSON_CreateArray();
	if (read_doc(u, doc) == -1)
		goto out;
	if (u->v.n > 0 || u->v.dropped > 0) {
		answer_errs(u);
		goto out;
	}
	if (dry_run) {
		if (db_exec(u->db, "SAVEPOINT " SAVEPOINT) == -1) {
			resp_db(r, DB_ERROR);
			goto out;
		}
		saved = 1;
	}
	if (apply(u) == -1)
		goto out;
	if (u->v.n > 0 || u->v.dropped > 0) {
		answer_errs(u);
		goto out;
	}
	/* Every :write scope the plan needs, before anything is kept. */
	for (k = 0; k < CK__MAX; k++)
		if ((u->touched & (1u << k)) &&
		    auth_scope(r, kinds[k].write) == -1)
			goto out;
	if (saved) {
		saved = 0;
		if (db_exec(u->db, "ROLLBACK TO " SAVEPOINT) == -1 ||
		    db_exec(u->db, "RELEASE " SAVEPOINT) == -1) {
			resp_db(r, DB_ERROR);
			goto out;
		}
		r->action = "config.planned";	/* nothing changed */
	}
	plan = cJSON_CreateObject();
	cJSON_AddBoolToObject(plan, "dryRun", dry_run);
	cJSON_AddBoolToObject(plan, "prune", prune_);
	cJSON_AddItemToObject(plan, "create", u->create);
	cJSON_AddItemToObject(plan, "update", u->update);
	cJSON_AddItemToObject(plan, "delete", u->remove);
	cJSON_AddNumberToObject(plan, "unchanged", u->unchanged);
	u->create = u->update = u->remove = NULL;
	ret = resp_data(r, 200, plan);
out:
	/* Any other answer rolls the transaction back whole. */
	run_free(u);
	free(u);
	return ret;
}
