/*
 * page.c: the SQL half of cursor pagination: the page asked for, its
 * cursor, binding it to a list statement, collecting the rows.  The
 * HTTP half (reading it from a request, answering it) is pagehttp.h.
 */
#ifndef PAGE_H
#define PAGE_H

#include "base.h"

#include <sqlite3.h>

#define CURSOR_MAX	96

struct page {
	int		 perpage;
	int		 has_cursor;
	int64_t		 c_time;	/* sort key of the last item seen */
	char		 c_id[ID_MAX];	/* its id */
};

/* An opaque cursor for (time, id) into out (at least 96 bytes). */
void	 page_cursor(int64_t t, const char *id, char *out, size_t outlen);
/* Decode a cursor into pg (has_cursor, c_time, c_id); 0 or -1. */
int	 page_cursor_decode(const char *s, struct page *pg) WUR;
/*
 * Bind the page to a list statement's parameters i .. i + 3: has a
 * cursor, its time, its id, and the row limit.
 */
void	 page_bind(sqlite3_stmt *, int i, const struct page *, int limit);

/*
 * Collects one page of a list.  Ask the module for perpage + 1 rows and
 * pass each to page_add: the extra row only tells that a next page
 * exists.  page_answer (pagehttp.h) sends the page with its cursor and
 * Link.
 */
struct lister {
	const struct page *page;
	int64_t		 now;		/* the request's time, for callbacks */
	cJSON		*items;
	int		 n;
	int		 more;
	int64_t		 last_t;
	char		 last_id[ID_MAX];
};

void	 page_start(struct lister *, const struct page *);
/* Takes ownership of item. */
void	 page_add(struct lister *, cJSON *item, int64_t t, const char *id);

#endif /* PAGE_H */
