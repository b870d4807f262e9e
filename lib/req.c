/*
 * The request's data as it was read: its CGI parameters (from FastCGI or
 * the environment) and its decoded query parameters.  Below the router,
 * authentication and the HTTP half of paging; request.c fills it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "req.h"

const char *
req_param(struct req *r, const char *name)
{
	FCGX_Request	*fr = r->io;

	return fr != NULL ? FCGX_GetParam(name, fr->envp) : getenv(name);
}

const char *
req_query(struct req *r, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->nq; i++)
		if (strcmp(r->q[i].name, name) == 0)
			return r->q[i].value;
	return NULL;
}

const char *
req_form(struct req *r, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->nform; i++)
		if (strcmp(r->form[i].name, name) == 0)
			return r->form[i].value;
	return NULL;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
req_url_decode(char *s)
{
	char	*o = s;
	int	 h, l;

	for (; *s != '\0'; s++) {
		if (*s == '+')
			*o++ = ' ';
		else if (*s == '%') {
			if ((h = hexval((unsigned char)s[1])) == -1 ||
			    (l = hexval((unsigned char)s[2])) == -1 ||
			    (h == 0 && l == 0))
				return -1;
			*o++ = (char)(h * 16 + l);
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
	return 0;
}

const struct qspec q_page[] = { Q_PAGE, Q_END };
const char *const q_bool_names[2] = { "false", "true" };

/* The parameter as sent, or NULL; its declaration must have type t. */
static const struct qparam *
typed(struct req *r, const char *name, enum qtype t1, enum qtype t2,
    const struct qspec **spec)
{
	const struct qspec *q;
	size_t		 i;

	for (q = r->qspec; q != NULL && q->name != NULL; q++)
		if (strcmp(q->name, name) == 0)
			break;
	if (q == NULL || q->name == NULL || (q->type != t1 && q->type != t2)) {
		fprintf(stderr, "uptime: the route does not declare the query "
		    "parameter %s with this type\n", name);
		abort();
	}
	*spec = q;
	for (i = 0; i < r->nq; i++)
		if (r->q[i].spec == q)
			return &r->q[i];
	return NULL;
}

int
req_enum(struct req *r, const char *name)
{
	const struct qspec *spec;
	const struct qparam *p = typed(r, name, QT_ENUM, QT_ENUM, &spec);

	return p != NULL ? p->e : spec->def;
}

int64_t
req_time(struct req *r, const char *name)
{
	const struct qspec *spec;
	const struct qparam *p = typed(r, name, QT_FROM, QT_TO, &spec);

	return p != NULL ? p->t : 0;
}
