/*
 * page.c: the SQL half of cursor pagination: the page asked for, its
 * cursor, binding it to a list statement, collecting the rows.  The
 * HTTP half (reading it from a request, answering it) is pagehttp.h.
 */
#ifndef PAGE_H
#define PAGE_H

#include "base.h"
#include "buf.h"
#include "jsonw.h"

struct db;
struct db_stmt;

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
 * Collects one page of a list.  A module's list binds the page to its
 * statement (page_bind asks for perpage + 1 rows: the extra row only
 * tells that a next page exists) and writes each row's item where
 * page_item says, most often through page_rows.  list_answer
 * (pagehttp.h) sends the page with its cursor and Link.  The items are
 * JSON text ("[" and the items so far); the lister points into itself,
 * so it is not copied once started.
 */
struct lister {
	const struct page *page;
	int64_t		 now;		/* the request's time, for items */
	const void	*arg;		/* the module's, for its row function */
	struct db	*db;		/* set by page_rows */
	/*
	 * Set for a walk over the objects themselves (the configuration
	 * document): the row functions that offer it hand each decoded
	 * object to page_visit, which calls visit, instead of adding its
	 * JSON item.
	 */
	int		(*visit)(const void *obj, struct lister *);
	void		*visit_arg;
	struct buf	 items;		/* "[" and the items, owned */
	struct jw	 w;		/* writes into items */
	int		 n;
	int		 more;
	int64_t		 last_t;
	char		 last_id[ID_MAX];
};

void	 page_start(struct lister *, const struct page *, int64_t now);
/*
 * The writer for the next item, sorted by (t, id), to write exactly one
 * value with key NULL; NULL when the page is full (the row only tells
 * that there is a next page).
 */
struct jw	*page_item(struct lister *, int64_t t, const char *id);
/* page_item for an item already built; takes ownership of item. */
void	 page_add(struct lister *, cJSON *item, int64_t t, const char *id);
/* A walk's object (visit set), counted as page_add counts items; -1 when
 * visit fails. */
int	 page_visit(struct lister *, const void *obj, int64_t t,
	    const char *id);
/* Close the items' array: l->items is then the page's JSON array. */
void	 page_end(struct lister *);
/* The page's items as a cJSON array (the caller owns it), or NULL. */
cJSON	*page_json(struct lister *);
/*
 * For callers that read a list's items (the console, the team's stats):
 * *items the page as a cJSON array (the caller's, NULL on failure), the
 * lister freed.  rc, or DB_ERROR when the items cannot be read back.
 */
int	 page_items(struct lister *, int rc, cJSON **items);
void	 page_free(struct lister *);
/*
 * Bind the page to a list statement's parameters i .. i + 3: has a
 * cursor, its time, its id, and the row limit (perpage + 1).
 */
void	 page_bind(struct db_stmt *, int i, const struct lister *);
/* The same for lists whose ids are "<x>_<rowid>": the rowid is bound. */
void	 page_bind_rowid(struct db_stmt *, int i, const struct lister *);
/*
 * The row iterator of lists: bind the page to st's parameters i .. i + 3
 * (page_bind; none when i is 0), then step st until its end or a full
 * page, handing each row to fn, which writes its item where page_item
 * says (or skips the row) and returns 0, or -1 to stop with DB_ERROR.  st may be
 * NULL (db_query failed): DB_ERROR.  Resets st.  A DB_* code.
 */
typedef int	 page_row_fn(struct db_stmt *, struct lister *);
int	 page_rows(struct db *, struct db_stmt *, int i, struct lister *,
	    page_row_fn *);

#endif /* PAGE_H */
