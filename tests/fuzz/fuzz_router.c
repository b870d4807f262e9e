/*
 * Fuzz target: path routing.  The first byte picks the method, the rest
 * is REQUEST_URI as the web server passes it.  As the serve loop does,
 * the query is cut off, the mount prefix stripped, and the path matched
 * against every route of every program (the tables are taken from the
 * programs in cgi-bin/ by tests/fuzz/routes.sh).  A match must capture
 * NUL-terminated arguments that fit REQ_MAXARG; a miss must leave no
 * argument behind and an Allow list that is a list of methods.
 */
#include "fuzz.h"

static int
handler(struct req *r)
{
	(void)r;
	return 0;
}

struct rdef {
	const char	*method;
	const char	*pattern;
};
static const struct rdef defs[] = {
#include "fuzz_routes.h"
};
static struct route	 routes[sizeof(defs) / sizeof(defs[0])];

static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
	"", "get",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct route	*rt;
	struct req		 r;
	char			*uri;
	char			 allow[128];
	size_t			 i, plen;

	fuzz_world();
	if (routes[0].method == NULL)
		for (i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
			routes[i].method = defs[i].method;
			routes[i].pattern = defs[i].pattern;
			routes[i].scope = SCOPE_PUBLIC;
			routes[i].handler = handler;
			routes[i].query = NULL;
		}
	if (size < 1)
		return 0;
	uri = fuzz_str(data + 1, size - 1);
	fuzz_req(&r, methods[data[0] % (sizeof(methods) /
	    sizeof(methods[0]))], "/", NULL, 0);
	plen = strcspn(uri, "?");
	if (plen <= REQ_MAXPATH) {
		memcpy(r.uri_path, uri, plen);
		r.uri_path[plen] = '\0';
		r.path = router_strip_mount(r.uri_path);
		if (r.path == NULL)
			goto done;	/* not a clean mount prefix: a 404 */
		if (r.path < r.uri_path || r.path > r.uri_path + plen)
			abort();
		rt = router_match(routes, sizeof(routes) / sizeof(routes[0]),
		    r.method, r.path, &r, allow, sizeof(allow));
		for (i = 0; i < REQ_MAXPATHARGS; i++) {
			if (rt == NULL && r.args[i] != NULL)
				abort();
			if (r.args[i] != NULL &&
			    strnlen(r.args[i], REQ_MAXARG) >= REQ_MAXARG)
				abort();
		}
		if (rt == NULL && strspn(allow, "ABCDEFGHIJKLMNOPQRSTUVWXYZ, ")
		    != strlen(allow))
			abort();
	}
done:
	fuzz_req_done(&r);
	free(uri);
	return 0;
}
