/*
 * cvalert.c: the console's pages of alert channels, status pages and
 * maintenance windows, as HTML.  Bytes from data: no request, no
 * answer.  The data are the API's own objects (channel_json, sp_json,
 * incident_json, maint_json, the lists' items); a form shown again
 * after a refusal gets the body that was sent (the same members as the
 * API's body) and the errors of its validation (JSON pointers), which
 * are drawn beside the fields they name.  Everything a person wrote
 * goes through cv_text.  Each function writes what goes between
 * cv_begin and cv_end and returns 0, or -1 when memory is short.
 */
#ifndef CVALERT_H
#define CVALERT_H

#include "base.h"
#include "buf.h"
#include "json.h"

/* What every page of these needs. */
struct cva {
	const char	*app;	/* the console's path ("/uptime/app") */
	const char	*csrf;	/* the session's CSRF token */
	int		 write;	/* the role may change what the page shows */
};

/* Which form of a page is shown again with its errors. */
enum cva_which {
	CVA_NONE,
	CVA_CHANNEL,		/* a channel's settings */
	CVA_PAGE,		/* a status page's settings */
	CVA_COMPONENT,		/* a component to add */
	CVA_INCIDENT,		/* an incident to open */
	CVA_UPDATE,		/* an update of the incident named by id */
	CVA_WINDOW,		/* a maintenance window's settings */
	CVA_WHICH__MAX
};

/* A form sent and refused: the body it made and what was wrong. */
struct cva_form {
	enum cva_which	 which;
	const char	*id;	/* CVA_UPDATE: the incident */
	const cJSON	*vals;	/* the body, as the API takes it */
	const struct verrs *v;
};

/*
 * The alert channels: the type picker of a new channel, the channels
 * (a cJSON array of channel_json), and the team's notifications
 * (history, an array of notification_json) with a link to the older
 * ones when older (a cursor) is not NULL.
 */
int	 cva_alerts(struct buf *, const struct cva *, const cJSON *channels,
	    const cJSON *history, const char *older) WUR;
/*
 * A channel's form: a new channel of type (id NULL) or the channel id
 * with its send-test and delete buttons and its notifications.  vals is
 * channel_json's object or the body sent, f the refusal or NULL;
 * monitors the team's (monitor list items) to pick from.
 */
int	 cva_channel(struct buf *, const struct cva *, const char *id,
	    const char *type, const cJSON *vals, const cJSON *monitors,
	    const struct cva_form *f, const cJSON *history,
	    const char *older) WUR;
/* The status pages (sp_json items) and the form of a new one. */
int	 cva_pages(struct buf *, const struct cva *, const cJSON *pages,
	    const struct cva_form *f) WUR;
/*
 * A status page (sp_json): its settings, its components with the form
 * to add one (the team's monitors), its incidents (incident_json items,
 * newest first) with the forms to open one and to post an update.
 */
int	 cva_page(struct buf *, const struct cva *, const cJSON *page,
	    const cJSON *monitors, const cJSON *incidents,
	    const struct cva_form *f) WUR;
/* The maintenance windows (maint_json items) and the form of a new one. */
int	 cva_windows(struct buf *, const struct cva *, const cJSON *windows,
	    const cJSON *monitors, const struct cva_form *f) WUR;
/* A window (maint_json): its form, end and cancel. */
int	 cva_window(struct buf *, const struct cva *, const cJSON *window,
	    const cJSON *monitors, const struct cva_form *f) WUR;

#endif /* CVALERT_H */
