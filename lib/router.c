/*
 * The router: a family's table of {method, pattern, scope, handler}.
 * Matching is by path segment; "{prefix}" segments match ids of that
 * type, "{*name}" segments a bounded slug or token, and both are
 * captured (see segment()).  The scope of the matched route is what the
 * serve loop checks, so no handler can forget it.
 */
#include <stdio.h>
#include <string.h>

#include "base.h"
#include "ids.h"
#include "req.h"
#include "router.h"

/* The characters a "{*name}" capture accepts. */
#define GENERIC_CHARS	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" \
			"abcdefghijklmnopqrstuvwxyz_-"
/* The characters of a mount prefix's segments (RFC 3986 unreserved). */
#define MOUNT_CHARS	GENERIC_CHARS ".~"

/*
 * Compare one pattern segment [p, p + plen) with one path segment
 * [s, s + slen).  A pattern segment is a literal, or a capture ("{prefix}"
 * for an id of that type, "{*name}" for 1 to REQ_MAXARG - 1 characters of
 * GENERIC_CHARS) followed by an optional literal suffix ("{cmp}.svg").
 * Returns 1 on a match (the capture, if any, copied into out, which holds
 * REQ_MAXARG bytes), 0 otherwise.
 */
static int
segment(const char *p, size_t plen, const char *s, size_t slen,
    char *out, int *captured)
{
	const char	*close;
	char		 prefix[32], arg[REQ_MAXARG];
	size_t		 clen, sufflen;

	*captured = 0;
	if (plen < 2 || p[0] != '{' ||
	    (close = memchr(p, '}', plen)) == NULL)
		return plen == slen && memcmp(p, s, slen) == 0;
	clen = (size_t)(close - p) + 1;
	sufflen = plen - clen;
	if (slen <= sufflen ||
	    memcmp(s + slen - sufflen, close + 1, sufflen) != 0)
		return 0;
	slen -= sufflen;
	if (slen >= sizeof(arg))
		return 0;
	memcpy(arg, s, slen);
	arg[slen] = '\0';
	if (p[1] == '*') {
		if (strspn(arg, GENERIC_CHARS) != slen)
			return 0;
	} else {
		if (clen - 2 >= sizeof(prefix))
			return 0;
		memcpy(prefix, p + 1, clen - 2);
		prefix[clen - 2] = '\0';
		if (!id_valid(arg, prefix))
			return 0;
	}
	memcpy(out, arg, slen + 1);
	*captured = 1;
	return 1;
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

/*
 * Is [p, end) a clean mount prefix: "" or "/seg/seg", each segment of
 * MOUNT_CHARS and neither "." nor ".."?  A prefix goes back to clients
 * in Location and Link and in status pages that caches may keep:
 * "//evil.example/.." there would send them to another host.
 */
static int
clean_mount(const char *p, const char *end)
{
	size_t	 n;

	while (p < end) {
		if (*p++ != '/')
			return 0;
		n = strcspn(p, "/");
		if (n > (size_t)(end - p))
			n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		while (n-- > 0)
			if (strchr(MOUNT_CHARS, *p++) == NULL)
				return 0;
	}
	return 1;
}

const char *
router_strip_mount(const char *path)
{
	const char	*p;

	/* Programs may be mounted under a prefix ("/uptime/v1/..."):
	 * routing starts at the first segment that is "v1", "status" or
	 * "app" (the console). */
	for (p = path; p != NULL && *p == '/'; p = strchr(p + 1, '/')) {
		if ((strncmp(p, "/v1", 3) == 0 &&
		    (p[3] == '/' || p[3] == '\0')) ||
		    (strncmp(p, "/status", 7) == 0 &&
		    (p[7] == '/' || p[7] == '\0')) ||
		    (strncmp(p, "/app", 4) == 0 &&
		    (p[4] == '/' || p[4] == '\0')))
			return clean_mount(path, p) ? p : NULL;
	}
	return path;
}
