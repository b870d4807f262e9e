/*
 * Cursor pagination, the HTTP half: perPage and cursor from the query,
 * the page answered with meta.pagination and Link.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "page.h"
#include "pagehttp.h"
#include "req.h"
#include "response.h"

int
page_parse(struct req *r, struct page *pg)
{
	const char	*pp = req_query(r, "perPage"), *c;
	char		*end;
	long		 n;

	memset(pg, 0, sizeof(*pg));
	pg->perpage = PAGE_DEFAULT;
	if (pp != NULL) {
		errno = 0;
		n = strtol(pp, &end, 10);
		if (errno != 0 || end == pp || *end != '\0' || n < 1 ||
		    n > PAGE_MAX || !(*pp >= '0' && *pp <= '9'))
			return resp_problem(r, 400, "bad_query", "perPage must "
			    "be a whole number from 1 to %d.", PAGE_MAX), -1;
		pg->perpage = (int)n;
	}
	if ((c = req_query(r, "cursor")) != NULL && page_cursor_decode(c, pg) == -1)
		return resp_problem(r, 400, "bad_query", "The cursor is not "
		    "one this API gave out; start again without it."), -1;
	return 0;
}

int
page_answer(struct req *r, struct lister *l)
{
	char	 next[CURSOR_MAX * 2];

	if (l->more)
		page_cursor(l->last_t, l->last_id, next, sizeof(next));
	return resp_list(r, l->items, l->more ? next : NULL,
	    l->page->perpage);
}
