/*
 * libuptime: the library every uptime program is built on.
 *
 * The programs' header: it includes the core's headers, from the edge
 * (request.h, response.h) down to the database (db.h); see
 * docs/architecture.md for the layers.  The other modules have headers
 * of their own (monitor.h, invite.h, ...); a program includes this one
 * and the headers of the modules it uses.  Modules of lib/ include the
 * headers they use, never this one.
 *
 * Ownership rules: strings passed in are borrowed for the duration of
 * the call; pointers returned by lookups point into the structure they
 * came from and live as long as it does; functions that return allocated
 * memory say so.
 *
 * Functions that act return 0 on success and -1 on failure.  Database
 * calls return one of the DB_* codes.  Times are milliseconds since the
 * Unix epoch in an int64_t; 0 stands for "no time" (a null field).
 */
#ifndef UPTIME_H
#define UPTIME_H

#include "base.h"
#include "buf.h"
#include "config.h"
#include "ids.h"
#include "timefmt.h"
#include "scope.h"
#include "keyhash.h"
#include "db.h"
#include "json.h"
#include "jsonw.h"
#include "lock.h"
#include "ratelimit.h"
#include "page.h"
#include "team.h"
#include "apikey.h"
#include "audit.h"
#include "req.h"
#include "router.h"
#include "auth.h"
#include "idempotency.h"
#include "response.h"
#include "pagehttp.h"
#include "request.h"

#endif /* UPTIME_H */
