/*
 * alerts.fcgi: alert channels and the notifications made for them.
 * Delivery is cron/uptime-notify's work; this program only records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "uptime.h"
#include "alert.h"
#include "limit.h"
#include "notify.h"

/* The channel named in the path, for this team; answers 404 itself. */
static int
load(struct req *r, struct channel *c)
{
	int	 rc;

	if ((rc = channel_get(r->db, r->key->team_id, r->args[0], c)) !=
	    DB_OK) {
		resp_db(r, rc);
		return -1;
	}
	return 0;
}

static int
channel_one(const struct channel *c, void *arg)
{
	page_add(arg, channel_json(c), c->created_at, c->id);
	return 0;
}

/*
 * GET /v1/alert-channels?perPage&cursor
 * Scope alerts:read.  200 with a page of channels, newest first; 400.
 */
static int
channels_list(struct req *r)
{
	struct page	 pg;
	struct lister	 l;
	int		 rc;

	if (page_parse(r, &pg) == -1)
		return 0;
	page_start(&l, &pg);
	rc = channel_list(r->db, r->key->team_id, &pg, pg.perpage + 1,
	    channel_one, &l);
	if (rc != DB_OK) {
		cJSON_Delete(l.items);
		return resp_db(r, rc);
	}
	return page_answer(r, &l);
}

/*
 * POST /v1/alert-channels
 * Scope alerts:write.  201 with the channel (secrets masked), Location;
 * 400; 409 limit_exceeded (UPTIME_MAX_ALERT_CHANNELS).
 */
static int
channels_create(struct req *r)
{
	struct channel	 c;
	struct verrs	 v = { 0 };
	cJSON		*body;
	int		 rc;

	if ((body = req_json(r)) == NULL)
		return 0;
	channel_init(&c, r->now);
	snprintf(c.team_id, sizeof(c.team_id), "%s", r->key->team_id);
	rc = channel_apply(r->db, &c, body, 1, &v);
	cJSON_Delete(body);
	if (rc == DB_OK && v.n == 0 && limit_check(r, LIMIT_CHANNELS) == -1) {
		channel_free(&c);
		return 0;
	}
	if (rc == DB_OK && v.n == 0)
		rc = channel_insert(r->db, &c);
	if (rc != DB_OK || v.n > 0) {
		channel_free(&c);
		return rc != DB_OK ? resp_db(r, rc) : resp_verrs(r, &v);
	}
	snprintf(r->target_id, sizeof(r->target_id), "%s", c.id);
	resp_header(r, "Location", "%s/%s", r->uri_path, c.id);
	resp_data(r, 201, channel_json(&c));
	channel_free(&c);
	return 0;
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
	resp_data(r, 200, channel_json(&c));
	channel_free(&c);
	return 0;
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
	struct channel	 c;
	struct verrs	 v = { 0 };
	cJSON		*body;
	int		 rc;

	if ((body = req_json(r)) == NULL)
		return 0;
	if (load(r, &c) == -1) {
		cJSON_Delete(body);
		return 0;
	}
	rc = channel_apply(r->db, &c, body, 0, &v);
	cJSON_Delete(body);
	c.updated_at = r->now;
	if (rc == DB_OK && v.n == 0)
		rc = channel_update(r->db, &c);
	if (rc != DB_OK || v.n > 0) {
		channel_free(&c);
		return rc != DB_OK ? resp_db(r, rc) : resp_verrs(r, &v);
	}
	resp_data(r, 200, channel_json(&c));
	channel_free(&c);
	return 0;
}

/*
 * DELETE /v1/alert-channels/{id}
 * Scope alerts:write.  204, with its notifications; 404.
 */
static int
channels_delete(struct req *r)
{
	int	 rc;

	if ((rc = channel_delete(r->db, r->key->team_id, r->args[0])) !=
	    DB_OK)
		return resp_db(r, rc);
	return resp_empty(r, 204);
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
	memset(&n, 0, sizeof(n));
	id_new(n.id, "ntf");
	snprintf(n.team_id, sizeof(n.team_id), "%s", c.team_id);
	snprintf(n.channel_id, sizeof(n.channel_id), "%s", c.id);
	n.event = NEV_TEST;
	n.status = NST_PENDING;
	n.created_at = n.next_attempt_at = r->now;
	n.payload = notify_test_payload(&c, n.id, r->now);
	channel_free(&c);
	if (n.payload == NULL)
		return resp_db(r, DB_ERROR);
	rc = notification_insert(r->db, &n);
	notification_free(&n);
	if (rc != DB_OK)
		return resp_db(r, rc);
	/* The notification's own path, under the same mount prefix. */
	mount = strlen(r->uri_path) - strlen(r->path);
	resp_header(r, "Location", "%.*s/v1/notifications/%s", (int)mount,
	    r->uri_path, n.id);
	return resp_data(r, 202, notification_json(&n));
}

static int
notification_one(const struct notification *n, void *arg)
{
	page_add(arg, notification_json(n), n->created_at, n->id);
	return 0;
}

/* Read the list filters; answers 400 and returns -1 when one is bad. */
static int
filters(struct req *r, struct notification_filter *f)
{
	const char	*s, *from, *to;

	memset(f, 0, sizeof(*f));
	f->status = f->event = -1;
	from = req_query(r, "from");
	to = req_query(r, "to");
	if ((f->monitor_id = req_query(r, "monitorId")) != NULL &&
	    !id_valid(f->monitor_id, "mon"))
		return resp_problem(r, 400, "bad_query", "monitorId must be a "
		    "monitor id (mon_ and 20 letters or digits)."), -1;
	if ((s = req_query(r, "status")) != NULL &&
	    (f->status = str_index(ntf_status_names, NST__MAX, s)) == -1)
		return resp_problem(r, 400, "bad_query", "status must be one "
		    "of pending, sent, failed, suppressed."), -1;
	if ((s = req_query(r, "event")) != NULL &&
	    (f->event = str_index(ntf_event_names, NEV__MAX, s)) == -1)
		return resp_problem(r, 400, "bad_query", "event must be one of "
		    "down, up, degraded, ssl_expiring, reminder, test."), -1;
	if ((from != NULL && time_parse(from, &f->from) == -1) ||
	    (to != NULL && time_parse(to, &f->to) == -1))
		return resp_problem(r, 400, "bad_query", "from and to must be "
		    "RFC 3339 times."), -1;
	if (f->from != 0 && f->to != 0 && f->to <= f->from)
		return resp_problem(r, 400, "bad_query", "to must be after "
		    "from."), -1;
	return 0;
}

/* Query values first, then the channel (when one is named), then the list. */
static int
list_notifications(struct req *r, const char *channel)
{
	struct notification_filter	 f;
	struct channel			 c;
	struct page			 pg;
	struct lister			 l;
	int				 rc;

	if (filters(r, &f) == -1 || page_parse(r, &pg) == -1)
		return 0;
	if (channel != NULL) {
		if (load(r, &c) == -1)
			return 0;
		channel_free(&c);
	}
	f.channel_id = channel;
	page_start(&l, &pg);
	rc = notification_list(r->db, r->key->team_id, &f, &pg,
	    pg.perpage + 1, notification_one, &l);
	if (rc != DB_OK) {
		cJSON_Delete(l.items);
		return resp_db(r, rc);
	}
	return page_answer(r, &l);
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

static const struct route routes[] = {
	{ "GET", "/v1/alert-channels", SCOPE_ALERTS_READ, channels_list, NULL,
	    "perPage,cursor", 0 },
	{ "POST", "/v1/alert-channels", SCOPE_ALERTS_WRITE, channels_create,
	    "alert_channel.created", "", ROUTE_BODY },
	{ "GET", "/v1/alert-channels/{ach}", SCOPE_ALERTS_READ, channels_get,
	    NULL, "", 0 },
	{ "PATCH", "/v1/alert-channels/{ach}", SCOPE_ALERTS_WRITE,
	    channels_patch, "alert_channel.updated", "", ROUTE_BODY },
	{ "DELETE", "/v1/alert-channels/{ach}", SCOPE_ALERTS_WRITE,
	    channels_delete, "alert_channel.deleted", "", 0 },
	{ "POST", "/v1/alert-channels/{ach}/test", SCOPE_ALERTS_WRITE,
	    channels_test, "alert_channel.tested", "", 0 },
	{ "GET", "/v1/alert-channels/{ach}/notifications", SCOPE_ALERTS_READ,
	    channel_notifications, NULL,
	    "monitorId,status,event,from,to,perPage,cursor", 0 },
	{ "GET", "/v1/notifications", SCOPE_ALERTS_READ, notifications_list,
	    NULL, "monitorId,status,event,from,to,perPage,cursor", 0 },
	{ "GET", "/v1/notifications/{ntf}", SCOPE_ALERTS_READ,
	    notifications_get, NULL, "", 0 },
};

int
main(void)
{
	int	 rc;

	/* libcurl parses URLs when configs are checked and masked. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	rc = serve_main(routes, sizeof(routes) / sizeof(routes[0]));
	curl_global_cleanup();
	return rc;
}
