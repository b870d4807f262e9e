/*
 * pagehttp.c: the HTTP half of cursor pagination: perPage and cursor
 * read from the request, the page answered with its Link.
 */
#ifndef PAGEHTTP_H
#define PAGEHTTP_H

#include "base.h"
#include "page.h"
#include "req.h"

/* Read perPage and cursor; on a bad one answers 400 and returns -1. */
int	 page_parse(struct req *, struct page *) WUR;
/* Answer the collected page: its items, cursor and Link. */
int	 page_answer(struct req *, struct lister *);

#endif /* PAGEHTTP_H */
