/*
 * Fuzz target: query strings and cursors.  The first byte picks one of
 * the kinds of declarations the families' routes make (enums from the
 * name tables, a subset of one, text, ids, a window, the page), the
 * rest is the query string as it follows "?" in REQUEST_URI (cut at
 * REQ_MAXQUERY bytes as the serve loop does).  req_parse_query()
 * decodes and checks it against the declaration; every typed value it
 * accepts must be in range.  A cursor that decodes is encoded again: the
 * result must decode to the same position.
 */
#include "fuzz.h"
#include "alert.h"
#include "monitor.h"

static const struct qspec q_monitors[] = {
	Q_ENUM("type", mon_type_names, MON_TYPE__MAX),
	Q_ENUM("status", mon_status_names, MST__MAX),
	Q_TEXT("tag", MON_MAXTAGLEN, NULL),
	Q_PAGE,
	Q_END
};

static const struct qspec q_results[] = {
	Q_WINDOW,
	Q_ENUM_SOME("status", mon_status_names, MST__MAX,
	    1u << MST_UP | 1u << MST_DOWN),
	Q_PAGE,
	Q_END
};

static const struct qspec q_events[] = {
	Q_ID("monitorId", "mon"),
	Q_ENUM_DEF("event", ntf_event_names, NEV__MAX, NEV_DOWN),
	Q_TEXT("action", 63, "abcdefghijklmnopqrstuvwxyz_."),
	Q_WINDOW,
	Q_PAGE,
	Q_END
};

static const struct qspec q_none[] = { Q_END };

static const struct qspec *const specs[] = {
	q_monitors, q_results, q_events, q_page, q_none, NULL,
};
#define NSPECS	(sizeof(specs) / sizeof(specs[0]))

/* Every accepted value is what its declaration allows. */
static void
check_values(struct req *r)
{
	const struct qspec *q;
	size_t		 i;
	int		 e;

	for (i = 0; i < r->nq; i++) {
		q = r->q[i].spec;
		if (q == NULL || strcmp(q->name, r->q[i].name) != 0)
			abort();
		if (q->type == QT_ENUM) {
			e = req_enum(r, q->name);
			if (e < 0 || e >= q->n ||
			    (q->mask != 0 && !(q->mask & (1u << e))) ||
			    strcmp(q->names[e], r->q[i].value) != 0)
				abort();
		}
		if (q->type == QT_ID && !id_valid(r->q[i].value, q->str))
			abort();
	}
	if (r->page.perpage < 1 || r->page.perpage > PAGE_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req	 r, r2;
	const struct page *pg = &r.page;
	char		 cur[200];
	size_t		 n;

	fuzz_world();
	if (size < 1)
		return 0;
	fuzz_req(&r, "GET", "/v1/monitors", NULL, 0);
	n = strnlen((const char *)data + 1, size - 1);
	if (n > REQ_MAXQUERY)
		n = REQ_MAXQUERY;
	memcpy(r.query, data + 1, n);
	r.query[n] = '\0';
	if (req_parse_query(&r, specs[data[0] % NSPECS]) == -1)
		goto done;
	check_values(&r);
	if (pg->has_cursor) {
		page_cursor(pg->c_time, pg->c_id, cur, sizeof(cur));
		fuzz_req(&r2, "GET", "/v1/monitors", NULL, 0);
		snprintf(r2.query, sizeof(r2.query), "cursor=%s", cur);
		if (req_parse_query(&r2, q_page) == -1 ||
		    !r2.page.has_cursor || r2.page.c_time != pg->c_time ||
		    strcmp(r2.page.c_id, pg->c_id) != 0)
			abort();
		fuzz_req_done(&r2);
	}
done:
	fuzz_req_done(&r);
	return 0;
}
