/*
 * idempotency.c: the Idempotency-Key of a POST.
 */
#ifndef IDEMPOTENCY_H
#define IDEMPOTENCY_H

#include "db.h"
#include "req.h"

enum idem_rc {
	IDEM_NONE,	/* no key, not a POST, or a public route */
	IDEM_NEW,	/* claimed: run the request, then idem_finish() */
	IDEM_ANSWERED	/* replayed, or refused (400, 409, 422, 503) */
};

/* Look the request's Idempotency-Key up and claim it when new. */
int	 idem_begin(struct req *);
/*
 * Keep a successful answer (inside the request's transaction when it has
 * one) or release the claim of a failed one.  DB_* code.
 */
int	 idem_finish(struct req *);
/* Forget answers older than 24 hours.  DB_* code. */
int	 idem_prune(struct db *, int64_t now);

#endif /* IDEMPOTENCY_H */
