/*
 * request.c: the edge: reading a request, dispatching it, writing its answer.
 */
#ifndef REQUEST_H
#define REQUEST_H

#include "base.h"
#include "req.h"
#include "router.h"

/*
 * Split r->query into r->q, decoded in place, check each parameter
 * against its declaration in spec (ended by Q_END; NULL for none) and
 * set its typed value, r->page included.  Answers 400 bad_query and
 * returns -1 on a bad escape, an unknown or repeated name, too many
 * parameters, or a value its type refuses.
 */
int		 req_parse_query(struct req *, const struct qspec *) WUR;
/*
 * Parse the body as a JSON object.  On failure answers 400
 * malformed_json and returns NULL.  Caller owns the result.
 */
cJSON	*req_json(struct req *);

/* serve_main's flags. */
#define SERVE_CURL	0x01	/* the handlers use libcurl (URL parsing, DNS) */

/*
 * Run the FastCGI loop, or answer one CGI request when not started by a
 * FastCGI manager, with libcurl set up around it when flags ask.
 * Returns the process exit status.
 */
int	 serve_main(const struct route *, size_t, unsigned flags);

#endif /* REQUEST_H */
