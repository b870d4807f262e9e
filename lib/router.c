/*
 * The router: a family's table of {method, pattern, scope, handler}.
 * Matching is by path segment; "{prefix}" segments match ids of that
 * type and are captured.  The scope of the matched route is what the
 * serve loop checks, so no handler can forget it.
 */
#include <stdio.h>
#include <string.h>

#include "uptime.h"

/*
 * Compare one pattern segment [p, pend) with one path segment [s, send).
 * Returns 1 on a match (capturing an id into out), 0 otherwise.
 */
static int
segment(const char *p, size_t plen, const char *s, size_t slen,
    char *out, int *captured)
{
	char	 prefix[32], id[ID_MAX];

	*captured = 0;
	if (plen >= 2 && p[0] == '{' && p[plen - 1] == '}') {
		if (plen - 2 >= sizeof(prefix) || slen >= sizeof(id))
			return 0;
		memcpy(prefix, p + 1, plen - 2);
		prefix[plen - 2] = '\0';
		memcpy(id, s, slen);
		id[slen] = '\0';
		if (!id_valid(id, prefix))
			return 0;
		strcpy(out, id);
		*captured = 1;
		return 1;
	}
	return plen == slen && memcmp(p, s, slen) == 0;
}

/* Does path match pattern?  Captures into r->argbuf. */
static int
match(const char *pattern, const char *path, struct req *r)
{
	const char	*p = pattern, *s = path, *pe, *se;
	int		 nargs = 0, captured;

	memset(r->args, 0, sizeof(r->args));
	for (;;) {
		if (*p != '/' || *s != '/')
			return 0;
		p++, s++;
		pe = p + strcspn(p, "/");
		se = s + strcspn(s, "/");
		if (nargs == REQ_MAXPATHARGS)
			return 0;
		if (!segment(p, (size_t)(pe - p), s, (size_t)(se - s),
		    r->argbuf[nargs], &captured))
			return 0;
		if (captured) {
			r->args[nargs] = r->argbuf[nargs];
			nargs++;
		}
		p = pe, s = se;
		if (*p == '\0' || *s == '\0')
			return *p == '\0' && *s == '\0';
	}
}

/* Append ", m" (or "m") to allow unless it is there; never overflows. */
static void
allow_add(char *allow, size_t allowlen, const char *m)
{
	size_t	 len = strlen(allow);

	if (strstr(allow, m) != NULL)
		return;
	snprintf(allow + len, allowlen - len, "%s%s", len ? ", " : "", m);
}

const struct route *
router_match(const struct route *routes, size_t n, const char *method,
    const char *path, struct req *r, char *allow, size_t allowlen)
{
	const char	*m;
	size_t		 i;
	int		 head = strcmp(method, "HEAD") == 0;

	if (allowlen == 0)
		return NULL;
	allow[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!match(routes[i].pattern, path, r))
			continue;
		m = routes[i].method;
		if (strcmp(m, method) == 0 ||
		    (head && strcmp(m, "GET") == 0))
			return &routes[i];
		allow_add(allow, allowlen, m);
		if (strcmp(m, "GET") == 0)
			allow_add(allow, allowlen, "HEAD");
	}
	memset(r->args, 0, sizeof(r->args));
	return NULL;
}

const char *
router_strip_mount(const char *path)
{
	const char	*p;

	/* Programs may be mounted under a prefix ("/uptime/v1/..."):
	 * routing starts at the first segment that is "v1" or "status". */
	for (p = path; p != NULL && *p == '/'; p = strchr(p + 1, '/')) {
		if (strncmp(p, "/v1", 3) == 0 && (p[3] == '/' || p[3] == '\0'))
			return p;
		if (strncmp(p, "/status", 7) == 0 &&
		    (p[7] == '/' || p[7] == '\0'))
			return p;
	}
	return path;
}
