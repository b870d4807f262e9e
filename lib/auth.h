/*
 * auth.c: authenticating a request and checking its scope.
 */
#ifndef AUTH_H
#define AUTH_H

#include "base.h"
#include "req.h"

/*
 * Authenticate the request and check the route's scope.  Answers 401 or
 * 403 itself and returns -1; on success sets req->key.
 */
int	 auth_request(struct req *, int scope) WUR;

#endif /* AUTH_H */
