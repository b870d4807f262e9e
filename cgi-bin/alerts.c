/*
 * alerts.fcgi: alert channels and the notifications made for them.
 * Delivery is cron/uptime-notify's work; this program only records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uptime.h"
#include "alert.h"
#include "limit.h"
#include "notify.h"

/*
 * Answer a channel handler and free c: the database error when rc is
 * not DB_OK, else the validation errors of v (may be NULL), else status
 * with the channel (201: created, with Location).
 */
static int
answer(struct req *r, int status, struct channel *c, int rc,
    const struct verrs *v)
{
	if (rc != DB_OK)
		resp_db(r, rc);
	else if (v != NULL && v->n > 0)
		resp_verrs(r, v);
	else if (status == 201)
		resp_created(r, c->id, channel_json(c));
	else
		resp_data(r, status, channel_json(c));
	channel_free(c);
	return 0;
}

/* The channel named in the path, for this team; answers 404 itself. */
static int
load(struct req *r, struct channel *c)
{
	return resp_found(r, channel_get(r->db, r->key->team_id, r->args[0],
	    c));
}

/*
 * GET /v1/alert-channels?perPage&cursor
 * Scope alerts:read.  200 with a page of channels, newest first; 400.
 */
static int
channels_list(struct req *r)
{
	struct lister	 l;

	list_start(r, &l);
	return list_answer(r, &l, channel_list(r->db, r->key->team_id, &l));
}

/*
 * POST /v1/alert-channels, PATCH /v1/alert-channels/{id}: read the body,
 * apply it to a new channel or the stored one, store it.
 */
static int
save(struct req *r, int creating)
{
	struct channel	 c;
	struct verrs	 v = { 0 };
	cJSON		*body;
	int		 rc;

	if ((body = req_json(r)) == NULL)
		return 0;
	if (creating) {
		channel_init(&c, r->now);
		snprintf(c.team_id, sizeof(c.team_id), "%s", r->key->team_id);
	} else if (load(r, &c) == -1) {
		cJSON_Delete(body);
		return 0;
	}
	rc = channel_apply(r->db, &c, body, creating, &v);
	cJSON_Delete(body);
	c.updated_at = r->now;
	if (rc == DB_OK && v.n == 0 && creating &&
	    limit_check(r, LIMIT_CHANNELS) == -1) {
		channel_free(&c);
		return 0;
	}
	if (rc == DB_OK && v.n == 0)
		rc = creating ? channel_insert(r->db, &c) :
		    channel_update(r->db, &c);
	return answer(r, creating ? 201 : 200, &c, rc, &v);
}

/*
 * POST /v1/alert-channels
 * Scope alerts:write.  201 with the channel (secrets masked), Location;
 * 400; 409 limit_exceeded (UPTIME_MAX_ALERT_CHANNELS).
 */
static int
channels_create(struct req *r)
{
	return save(r, 1);
}

/*
 * GET /v1/alert-channels/{id}
 * Scope alerts:read.  200 with the channel (secrets masked); 404.
 */
static int
channels_get(struct req *r)
{
	struct channel	 c;

	if (load(r, &c) == -1)
		return 0;
	return answer(r, 200, &c, DB_OK, NULL);
}

/*
 * PATCH /v1/alert-channels/{id}
 * Scope alerts:write.  200 with the channel; 400; 404.  config is merged
 * into the stored one; a secret sent back masked is kept, unless the
 * webhook's url changes: then its stored secret and headers are dropped.
 */
static int
channels_patch(struct req *r)
{
	return save(r, 0);
}

/*
 * DELETE /v1/alert-channels/{id}
 * Scope alerts:write.  204, with its notifications; 404.
 */
static int
channels_delete(struct req *r)
{
	return resp_deleted(r, channel_delete(r->db, r->key->team_id,
	    r->args[0]));
}

/*
 * POST /v1/alert-channels/{id}/test
 * Scope alerts:write.  202 with a "test" notification queued for
 * uptime-notify (also for a disabled channel), Location; 404.
 */
static int
channels_test(struct req *r)
{
	struct channel		 c;
	struct notification	 n;
	size_t			 mount;
	int			 rc;

	if (load(r, &c) == -1)
		return 0;
	rc = notify_test(r->db, &c, r->now, &n);
	channel_free(&c);
	notification_free(&n);
	if (rc != DB_OK)
		return resp_db(r, rc);
	/* The notification's own path, under the same mount prefix. */
	mount = strlen(r->uri_path) - strlen(r->path);
	resp_header(r, "Location", "%.*s/v1/notifications/%s", (int)mount,
	    r->uri_path, n.id);
	return resp_data(r, 202, notification_json(&n));
}

/* Query values first, then the channel (when one is named), then the list. */
static int
list_notifications(struct req *r, const char *channel)
{
	struct notification_filter	 f = { channel, req_query(r, "monitorId"),
					    req_enum(r, "status"),
					    req_enum(r, "event"),
					    req_time(r, "from"),
					    req_time(r, "to") };
	struct channel			 c;
	struct lister			 l;

	if (channel != NULL) {
		if (load(r, &c) == -1)
			return 0;
		channel_free(&c);
	}
	list_start(r, &l);
	return list_answer(r, &l, notification_list(r->db, r->key->team_id,
	    &f, &l));
}

/*
 * GET /v1/notifications?monitorId&status&event&from&to&perPage&cursor
 * Scope alerts:read.  200 with a page of the team's notifications,
 * newest first; 400.
 */
static int
notifications_list(struct req *r)
{
	return list_notifications(r, NULL);
}

/*
 * GET /v1/alert-channels/{id}/notifications?monitorId&status&event&from&
 * to&perPage&cursor
 * Scope alerts:read.  200 with a page of the channel's notifications,
 * newest first; 400; 404.
 */
static int
channel_notifications(struct req *r)
{
	return list_notifications(r, r->args[0]);
}

/*
 * GET /v1/notifications/{id}
 * Scope alerts:read.  200 with the notification and "deliveries", every
 * attempt oldest first; 404.
 */
static int
notifications_get(struct req *r)
{
	struct notification	 n;
	cJSON			*o, *a;
	int			 rc;

	if ((rc = notification_get(r->db, r->key->team_id, r->args[0], &n)) !=
	    DB_OK)
		return resp_db(r, rc);
	if ((rc = notification_attempts_json(r->db, n.id, &a)) != DB_OK)
		return resp_db(r, rc);
	o = notification_json(&n);
	cJSON_AddItemToObject(o, "deliveries", a);
	return resp_data(r, 200, o);
}

static const struct qspec q_notifications[] = {
	Q_ID("monitorId", "mon"),
	Q_ENUM("status", ntf_status_names, NST__MAX),
	Q_ENUM("event", ntf_event_names, NEV__MAX),
	Q_WINDOW,
	Q_PAGE,
	Q_END
};

static const struct route routes[] = {
	{ "GET", "/v1/alert-channels", SCOPE_ALERTS_READ, channels_list, NULL,
	    q_page, 0 },
	{ "POST", "/v1/alert-channels", SCOPE_ALERTS_WRITE, channels_create,
	    "alert_channel.created", NULL, ROUTE_BODY },
	{ "GET", "/v1/alert-channels/{ach}", SCOPE_ALERTS_READ, channels_get,
	    NULL, NULL, 0 },
	{ "PATCH", "/v1/alert-channels/{ach}", SCOPE_ALERTS_WRITE,
	    channels_patch, "alert_channel.updated", NULL, ROUTE_BODY },
	{ "DELETE", "/v1/alert-channels/{ach}", SCOPE_ALERTS_WRITE,
	    channels_delete, "alert_channel.deleted", NULL, 0 },
	{ "POST", "/v1/alert-channels/{ach}/test", SCOPE_ALERTS_WRITE,
	    channels_test, "alert_channel.tested", NULL, 0 },
	{ "GET", "/v1/alert-channels/{ach}/notifications", SCOPE_ALERTS_READ,
	    channel_notifications, NULL,
	    q_notifications, 0 },
	{ "GET", "/v1/notifications", SCOPE_ALERTS_READ, notifications_list,
	    NULL, q_notifications, 0 },
	{ "GET", "/v1/notifications/{ntf}", SCOPE_ALERTS_READ,
	    notifications_get, NULL, NULL, 0 },
};

int
main(void)
{
	/* libcurl parses URLs when configs are checked and masked. */
	return serve_main(routes, sizeof(routes) / sizeof(routes[0]),
	    SERVE_CURL);
}
