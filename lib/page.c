/*
 * Cursor pagination.  Lists are ordered newest first by (time, id); the
 * cursor is the position of the last item returned, base64url-encoded so
 * that clients treat it as opaque.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "uptime.h"

#define CURSOR_MAX	96

void
page_cursor(int64_t t, const char *id, char *out, size_t outlen)
{
	char	 raw[CURSOR_MAX];
	int	 n;

	n = snprintf(raw, sizeof(raw), "1.%lld.%s", (long long)t, id);
	sodium_bin2base64(out, outlen, (const unsigned char *)raw, (size_t)n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Decode a cursor; 0 or -1. */
static int
cursor_decode(const char *s, struct page *pg)
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
	if ((c = req_query(r, "cursor")) != NULL && cursor_decode(c, pg) == -1)
		return resp_problem(r, 400, "bad_query", "The cursor is not "
		    "one this API gave out; start again without it."), -1;
	return 0;
}

void
page_start(struct lister *l, const struct page *pg)
{
	memset(l, 0, sizeof(*l));
	l->page = pg;
	l->items = cJSON_CreateArray();
}

void
page_add(struct lister *l, cJSON *item, int64_t t, const char *id)
{
	if (l->n == l->page->perpage) {
		l->more = 1;
		cJSON_Delete(item);
		return;
	}
	cJSON_AddItemToArray(l->items, item);
	l->n++;
	l->last_t = t;
	snprintf(l->last_id, sizeof(l->last_id), "%s", id);
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

void
page_bind(sqlite3_stmt *st, int i, const struct page *pg, int limit)
{
	sqlite3_bind_int(st, i, pg->has_cursor);
	sqlite3_bind_int64(st, i + 1, pg->c_time);
	db_bind_text(st, i + 2, pg->c_id);
	sqlite3_bind_int(st, i + 3, limit);
}
