/*
 * A module's list as a handler collects it: ulist() starts a lister for
 * perpage items after the cursor of pg (NULL: from the start),
 * ulist_str() reads a string field of item i ("" when there is none) and
 * ulist_join() the ids, each followed by a space.  Include after
 * uptime.h.
 */
#ifndef UNIT_LIST_H
#define UNIT_LIST_H

#include <string.h>

struct ulist {
	struct page	 pg;
	struct lister	 l;
	cJSON		*items;		/* the page, once read */
};

static inline struct lister *
ulist(struct ulist *u, const struct page *pg, int perpage, int64_t now)
{
	if (pg != NULL)
		u->pg = *pg;
	else
		memset(&u->pg, 0, sizeof(u->pg));
	u->pg.perpage = perpage;
	page_start(&u->l, &u->pg, now);
	u->items = NULL;
	return &u->l;
}

/* The page the module wrote, parsed once. */
static inline cJSON *
ulist_items(struct ulist *u)
{
	if (u->items == NULL)
		u->items = page_json(&u->l);
	return u->items;
}

static inline int
ulist_n(struct ulist *u)
{
	return cJSON_GetArraySize(ulist_items(u));
}

static inline const char *
ulist_str(struct ulist *u, int i, const char *field)
{
	const char	*s = cJSON_GetStringValue(cJSON_GetObjectItem(
			    cJSON_GetArrayItem(ulist_items(u), i), field));

	return s != NULL ? s : "";
}

static inline void
ulist_free(struct ulist *u)
{
	cJSON_Delete(u->items);
	u->items = NULL;
	page_free(&u->l);
}

#endif /* UNIT_LIST_H */
