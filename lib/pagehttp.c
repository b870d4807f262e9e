/*
 * Cursor pagination, the HTTP half: the page answered with
 * meta.pagination and Link.
 */
#include "base.h"
#include "db.h"
#include "page.h"
#include "pagehttp.h"
#include "req.h"
#include "response.h"

void
list_start(struct req *r, struct lister *l)
{
	page_start(l, &r->page, r->now);
}

int
list_answer(struct req *r, struct lister *l, int rc)
{
	char	 next[CURSOR_MAX * 2];

	page_end(l);
	if (rc == DB_OK && jw_failed(&l->w))
		rc = DB_ERROR;
	if (rc != DB_OK) {
		page_free(l);
		return resp_db(r, rc);
	}
	if (l->more)
		page_cursor(l->last_t, l->last_id, next, sizeof(next));
	rc = resp_list(r, &l->items, l->more ? next : NULL, l->page->perpage);
	page_free(l);
	return rc;
}
