/*
 * Cursor pagination.  Lists are ordered newest first by (time, id); the
 * cursor is the position of the last item returned, base64url-encoded so
 * that clients treat it as opaque.  The SQL half: the HTTP half is
 * pagehttp.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "db.h"
#include "page.h"

void
page_cursor(int64_t t, const char *id, char *out, size_t outlen)
{
	char	 raw[CURSOR_MAX];
	int	 n;

	n = snprintf(raw, sizeof(raw), "1.%lld.%s", (long long)t, id);
	sodium_bin2base64(out, outlen, (const unsigned char *)raw, (size_t)n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int
page_cursor_decode(const char *s, struct page *pg)
{
	char		 raw[CURSOR_MAX];
	size_t		 len;
	char		*end, *id;
	long long	 t;

	if (strlen(s) >= CURSOR_MAX || sodium_base642bin((unsigned char *)raw,
	    sizeof(raw) - 1, s, strlen(s), NULL, &len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return -1;
	raw[len] = '\0';
	if (strncmp(raw, "1.", 2) != 0)
		return -1;
	errno = 0;
	t = strtoll(raw + 2, &end, 10);
	if (errno != 0 || end == raw + 2 || *end != '.' || t < 0)
		return -1;
	id = end + 1;
	if (strlen(id) >= sizeof(pg->c_id) || strchr(id, '_') == NULL ||
	    strspn(id, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz_") != strlen(id))
		return -1;
	pg->c_time = t;
	strcpy(pg->c_id, id);
	pg->has_cursor = 1;
	return 0;
}

void
page_start(struct lister *l, const struct page *pg, int64_t now)
{
	memset(l, 0, sizeof(*l));
	l->page = pg;
	l->now = now;
	jw_start(&l->w, &l->items);
	jw_arr(&l->w, NULL);
}

struct jw *
page_item(struct lister *l, int64_t t, const char *id)
{
	if (l->n == l->page->perpage) {
		l->more = 1;
		return NULL;
	}
	l->n++;
	l->last_t = t;
	snprintf(l->last_id, sizeof(l->last_id), "%s", id);
	return &l->w;
}

void
page_add(struct lister *l, cJSON *item, int64_t t, const char *id)
{
	struct jw	*w;

	if ((w = page_item(l, t, id)) != NULL)
		jw_cjson(w, NULL, item);
	cJSON_Delete(item);
}

void
page_end(struct lister *l)
{
	if (l->w.depth == 1)
		jw_end(&l->w);
}

cJSON *
page_json(struct lister *l)
{
	page_end(l);
	return jw_failed(&l->w) ? NULL : cJSON_Parse(l->items.p);
}

int
page_items(struct lister *l, int rc, cJSON **items)
{
	*items = page_json(l);
	page_free(l);
	if (rc == DB_OK && *items == NULL)
		rc = DB_ERROR;
	return rc;
}

void
page_free(struct lister *l)
{
	buf_free(&l->items);
}

int
page_visit(struct lister *l, const void *obj, int64_t t, const char *id)
{
	/* Counted as an item, with nothing written. */
	if (page_item(l, t, id) == NULL)
		return 0;
	return l->visit(obj, l);
}

void
page_bind(struct db_stmt *st, int i, const struct lister *l)
{
	db_bind_int(st, i, l->page->has_cursor);
	db_bind_int64(st, i + 1, l->page->c_time);
	db_bind_text(st, i + 2, l->page->c_id);
	db_bind_int(st, i + 3, l->page->perpage + 1);
}

void
page_bind_rowid(struct db_stmt *st, int i, const struct lister *l)
{
	db_bind_int(st, i, l->page->has_cursor);
	db_bind_int64(st, i + 1, l->page->c_time);
	db_bind_int64(st, i + 2, l->page->has_cursor ?
	    strtoll(l->page->c_id + 2, NULL, 10) : 0);
	db_bind_int(st, i + 3, l->page->perpage + 1);
}

int
page_rows(struct db *db, struct db_stmt *st, int i, struct lister *l,
    page_row_fn *fn)
{
	int	 rc = DB_DONE;

	if (st == NULL)
		return DB_ERROR;
	if (i > 0)
		page_bind(st, i, l);
	l->db = db;
	while (!l->more && (rc = db_step(st)) == DB_ROW)
		if (fn(st, l) == -1) {
			db_reset(st);
			return DB_ERROR;
		}
	db_reset(st);
	return l->more || rc == DB_DONE ? DB_OK : db_rc(rc);
}
