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
	return &u->l;
}

static inline int
ulist_n(const struct ulist *u)
{
	return cJSON_GetArraySize(u->l.items);
}

static inline const char *
ulist_str(const struct ulist *u, int i, const char *field)
{
	const char	*s = cJSON_GetStringValue(cJSON_GetObjectItem(
			    cJSON_GetArrayItem(u->l.items, i), field));

	return s != NULL ? s : "";
}

static inline void
ulist_free(struct ulist *u)
{
	cJSON_Delete(u->l.items);
	u->l.items = NULL;
}

#endif /* UNIT_LIST_H */
