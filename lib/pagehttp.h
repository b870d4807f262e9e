/*
 * pagehttp.c: the HTTP half of cursor pagination: the page a request
 * asked for (read by the request layer into r->page) collected and
 * answered with its Link.  Every list handler is
 *
 *	list_start(r, &l);
 *	return list_answer(r, &l, module_list(r->db, …, &l));
 */
#ifndef PAGEHTTP_H
#define PAGEHTTP_H

#include "base.h"
#include "page.h"
#include "req.h"

/* Start collecting the page r asked for. */
void	 list_start(struct req *, struct lister *);
/*
 * Answer the list: when rc is DB_OK the collected page, its cursor and
 * Link; else the database error.  Frees what was collected either way.
 */
int	 list_answer(struct req *, struct lister *, int rc);

#endif /* PAGEHTTP_H */
