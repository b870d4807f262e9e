/*
 * response.c: the answer, its envelope and problems.
 */
#ifndef RESPONSE_H
#define RESPONSE_H

#include "base.h"
#include "buf.h"
#include "json.h"
#include "jsonw.h"
#include "req.h"

/* The reason phrase of an HTTP status. */
const char	*status_text(int);

/*
 * The success envelope written in place: resp_open starts the answer
 * (status, {"data":) and readies w to write the data's one value (key
 * NULL); resp_close adds meta and ends it (a 500 if writing failed).
 */
void	 resp_open(struct req *, int status, struct jw *w);
int	 resp_close(struct req *, struct jw *w);
/* Success envelope; takes ownership of data (an object or array). */
int	 resp_data(struct req *, int status, cJSON *data);
/*
 * A list page: items is the page's JSON array (page_end); the envelope
 * with meta.pagination, Link when next != NULL.
 */
int	 resp_list(struct req *, const struct buf *items, const char *next,
	    int perpage);
int	 resp_empty(struct req *, int status);
/* A text/plain answer (a heartbeat ping's "OK"). */
int	 resp_text(struct req *, int status, const char *text);
/* An answer of media type ctype (a constant) whose body is taken over
 * from body, which is left empty. */
int	 resp_body(struct req *, int status, const char *ctype,
	    struct buf *body);
/* A text/html answer (a page for people); html is copied. */
int	 resp_html(struct req *, int status, const char *html);
/* RFC 9457 problem details; returns 0 so handlers can return it. */
int	 resp_problem(struct req *, int status, const char *code,
	    const char *fmt, ...) PRINTF(4, 5);
/* The same with one more string member (such as requiredScope). */
int	 resp_problem_member(struct req *, int status, const char *code,
	    const char *name, const char *value, const char *fmt, ...)
	    PRINTF(6, 7);
/* The same for a configured limit: members limit and setting (its name). */
int	 resp_problem_limit(struct req *, int status, const char *code,
	    long limit, const char *setting, const char *fmt, ...)
	    PRINTF(6, 7);
int	 resp_verrs(struct req *, const struct verrs *);
/*
 * The same with detail (when not NULL) as the problem's detail, and
 * each(e, i, arg) called on error i's object to add members to it.
 */
int	 resp_verrs_with(struct req *, const struct verrs *, const char *detail,
	    void (*each)(cJSON *, size_t, void *), void *arg);
/* 503 for DB_BUSY, 404 for DB_NOTFOUND, 409 for DB_CONFLICT, else 500. */
int	 resp_db(struct req *, int dbrc);
/*
 * Loading the object a path names: 0 when dbrc is DB_OK, else answers it
 * (resp_db: 404 for DB_NOTFOUND) and returns -1.
 */
int	 resp_found(struct req *, int dbrc);
/* A deletion's answer: 204 when dbrc is DB_OK, else resp_db. */
int	 resp_deleted(struct req *, int dbrc);
/* Location the request's path and id, id the audit target (for a 201). */
void	 resp_location(struct req *, const char *id);
/* 201 with data, resp_location. */
int	 resp_created(struct req *, const char *id, cJSON *data);
int	 resp_header(struct req *, const char *name, const char *fmt, ...)
	    PRINTF(3, 4);
/* Log a server-side error with the request id (never sent). */
void	 req_log(struct req *, const char *func, const char *fmt, ...)
	    PRINTF(3, 4);

#endif /* RESPONSE_H */
