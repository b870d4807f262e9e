/*
 * Fuzz target: query strings and cursors.  The first byte picks one of
 * the families' lists of allowed parameters, the rest is the query
 * string as it follows "?" in REQUEST_URI (cut at REQ_MAXQUERY bytes as
 * the serve loop does).  req_parse_query() decodes and checks it, then
 * page_parse() reads perPage and the cursor, and from/to go through
 * time_parse() as the list handlers do.  A cursor that decodes is
 * encoded again: the result must decode to the same position.
 */
#include "fuzz.h"

static const char *const allowed[] = {
	"type,status,tag,perPage,cursor",
	"from,to,status,perPage,cursor",
	"from,to",
	"perPage,cursor",
	"status,perPage,cursor",
	"keyId,action,from,to,perPage,cursor",
	"monitorId,status,event,from,to,perPage,cursor",
	"state,perPage,cursor",
	"token",
	"",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req	 r;
	struct page	 pg, again;
	struct req	 r2;
	char		 cur[200], q[256];
	const char	*s;
	int64_t		 t;
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
	if (req_parse_query(&r, allowed[data[0] %
	    (sizeof(allowed) / sizeof(allowed[0]))]) == -1)
		goto done;
	if (page_parse(&r, &pg) == -1)
		goto done;
	if ((s = req_query(&r, "from")) != NULL)
		(void)time_parse(s, &t);
	if ((s = req_query(&r, "to")) != NULL)
		(void)time_parse(s, &t);
	if (pg.has_cursor) {
		page_cursor(pg.c_time, pg.c_id, cur, sizeof(cur));
		fuzz_req(&r2, "GET", "/v1/monitors", NULL, 0);
		snprintf(q, sizeof(q), "cursor=%s", cur);
		snprintf(r2.query, sizeof(r2.query), "%s", q);
		if (req_parse_query(&r2, "cursor") == -1 ||
		    page_parse(&r2, &again) == -1 || !again.has_cursor ||
		    again.c_time != pg.c_time ||
		    strcmp(again.c_id, pg.c_id) != 0)
			abort();
		fuzz_req_done(&r2);
	}
done:
	fuzz_req_done(&r);
	return 0;
}
