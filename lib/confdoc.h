/*
 * confdoc.c: a team's configuration as one document, for GET and PUT
 * /v1/config (docs/config.md, docs/lib/confdoc.md): its monitors, alert
 * channels, status pages and maintenance windows, each object named by
 * its ref (lib/ref.h) and pointing at monitors by ref.
 *
 * Exporting reads each object through its module (monitor_json,
 * channel_json, sp_json, maint_json) and keeps the members a client may
 * write.  Applying validates each object with its module's own apply
 * function (monitor_apply, channel_apply, sp_apply, maint_apply) and
 * stores it as the family's API would; the plan it answers is made from
 * the objects as they were before and as they are after.
 */
#ifndef CONFDOC_H
#define CONFDOC_H

#include "base.h"
#include "req.h"

/* The kinds of object, in the order they are applied. */
enum confdoc_kind {
	CK_MONITOR,
	CK_CHANNEL,
	CK_PAGE,
	CK_WINDOW,
	CK__MAX
};

#define CONFDOC_VERSION		1	/* the document's "version" */
#define CONFDOC_MAXOBJECTS	100000	/* objects of one kind a document */

/* The kind whose list the document holds under member, or -1. */
int	 confdoc_kind(const char *member);

/*
 * Answer 200 with the document of the calling key's team, holding the
 * kinds of the mask (bit k: enum confdoc_kind k), each sorted by ref.
 * Needs each kind's :read scope: 403 insufficient_scope naming the first
 * missing.  Returns 0 (answered).
 */
int	 confdoc_get(struct req *, unsigned kinds);

/*
 * Apply the document doc to the calling key's team, inside the
 * request's write transaction, and answer 200 with the plan (create,
 * update field by field, delete): with dry_run every change is undone
 * before answering (and no audit event is written).  Objects of a kind
 * the document holds that it does not name are deleted only with prune.
 * 400 names every bad field (errors[] with kind and ref) and the caller
 * rolls back; 403 insufficient_scope names the first :write scope the
 * plan needs that the key lacks; 409 limit_exceeded, or conflict for a
 * slug or customDomain another page holds.  Returns 0 (answered).
 */
int	 confdoc_put(struct req *, const cJSON *doc, int dry_run, int prune);

#endif /* CONFDOC_H */
