/*
 * audit.c: the audit trail.
 */
#ifndef AUDIT_H
#define AUDIT_H

#include "base.h"
#include "db.h"
#include "keyhash.h"
#include "page.h"

struct audit_event {
	char		 id[ID_MAX];
	int64_t		 at;
	/* Who acted: the key, and the member (a session's, or the key's
	 * holder); "" for none. */
	char		 key_id[ID_MAX];
	char		 key_prefix[KEY_SHOWNLEN + 1];
	char		 member_id[ID_MAX];
	char		 action[64];
	char		 method[16];
	char		 path[256];
	int		 status;
	char		 ip[IP_MAX];
	char		 target_id[ID_MAX];
};
struct audit_filter {
	const char	*key_id;
	const char	*member_id;
	const char	*action;
	int64_t		 from;
	int64_t		 to;
};
/* Record one event for team (NULL when unknown). */
int	 audit_record(struct db *, const char *team,
	    const struct audit_event *);
int	 audit_list(struct db *, const char *team, const struct audit_filter *,
	    struct lister *);
cJSON	*audit_json(const struct audit_event *);
int	 audit_prune(struct db *, int64_t before);

#define AUDIT_ACTIONS_SCAN	10000	/* newest events audit_actions reads */
#define AUDIT_ACTIONS_MAX	200	/* actions it names */
/*
 * The actions of the team's newest AUDIT_ACTIONS_SCAN events, at most
 * AUDIT_ACTIONS_MAX, in order, as a new cJSON array of strings into
 * *out (the caller's, also on an error).  A DB_* code.
 */
int	 audit_actions(struct db *, const char *team, cJSON **out);

#endif /* AUDIT_H */
