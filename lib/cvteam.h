/*
 * cvteam.c: the console's HTML for running a team: members and
 * invitations, API keys, the audit log, and the forgot-password page.
 * Bytes from data (the JSON items of the lib modules the API answers
 * with): no request, no answer.  Each writes the part of a page between
 * cv_begin and cv_end (consoleview.h); cgi-bin/console.c wraps and
 * answers it.  Forms are shown only to a role that may send them
 * (member_may_set, the scopes of the role); the handlers check again.
 */
#ifndef CVTEAM_H
#define CVTEAM_H

#include "base.h"
#include "buf.h"
#include "json.h"

/* What every view of this file needs from the page around it. */
struct cvt_ctx {
	const char	*app;		/* the console's path ("/uptime/app") */
	const char	*csrf;		/* the session's CSRF token */
	int		 role;		/* the signed-in member's (enum
					   member_role) */
	unsigned	 scopes;	/* that role's (bits of enum scope) */
	const char	*me;		/* the signed-in member's id */
};

/* The team page: members (their roles, change and remove), pending
 * invitations (revoke, resend) and the form to invite. */
struct cvt_team {
	const cJSON	*members;	/* member_json items */
	const cJSON	*invites;	/* invite_json items */
	const char	*link;		/* an invitation's link, shown once */
	const char	*link_email;	/* whom it is for */
	int		 mailed;	/* and it was mailed */
	const char	*alert;		/* over the page: what was refused */
	const char	*email;		/* the invite form again: its values */
	const char	*role;
	const char	*email_err;	/* and errors */
	const char	*role_err;
};
int	 cvt_team(struct buf *, const struct cvt_ctx *,
	    const struct cvt_team *) WUR;

/* The API keys page: a new secret (shown once), the form to make a key
 * with the role's scopes, the keys with rotate and revoke. */
struct cvt_keys {
	const cJSON	*keys;		/* apikey_json items */
	const cJSON	*members;	/* member_json items: "created by" */
	const char	*secret;	/* a key's new secret, shown once */
	const char	*secret_name;	/* that key's name */
	const char	*alert;		/* why the form was not taken */
	const char	*name;		/* the form again: its values */
	const char	*expires;
};
int	 cvt_keys(struct buf *, const struct cvt_ctx *,
	    const struct cvt_keys *) WUR;

/* The audit log: the filter (a GET form) and a page of events. */
struct cvt_audit {
	const cJSON	*events;	/* audit_json items */
	const cJSON	*members;	/* member_json items: names */
	const cJSON	*keys;		/* apikey_json items: names */
	const cJSON	*actions;	/* strings: the filter's choices */
	const char	*key_id;	/* the filter: NULL for any */
	const char	*member_id;
	const char	*action;
	const char	*next;		/* the next page's cursor, or NULL */
};
int	 cvt_audit(struct buf *, const struct cvt_ctx *,
	    const struct cvt_audit *) WUR;

/*
 * The forgot-password page: the form (when mail is configured), or the
 * message that a link is on its way (sent), or, without mail, to ask an
 * admin.  email and err: the form again.
 */
int	 cvt_forgot(struct buf *, const char *app, int mail, int sent,
	    long ttl_s, const char *email, const char *err) WUR;

#endif /* CVTEAM_H */
