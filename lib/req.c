/*
 * The request's data as it was read: its CGI parameters (from FastCGI or
 * the environment) and its decoded query parameters.  Below the router,
 * authentication and the HTTP half of paging; request.c fills it.
 */
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
