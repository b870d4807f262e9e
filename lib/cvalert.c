/*
 * The console's pages of alert channels, status pages and maintenance
 * windows.  Every form posts to the console (csrf field, then a 303 or
 * the page again with 422); a role without the write scope gets the
 * same pages without a form or a button.  Fields are named as the
 * API's members, and each shows the errors whose JSON pointer is its
 * member or lies under it.
 */
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "buf.h"
#include "consoleview.h"
#include "cvalert.h"
#include "incident.h"
#include "maintenance.h"

#define ACT_MAX	(ID_MAX * 2 + 64)	/* a form's path under the console */

/* The page being written: the first failure sticks. */
struct out {
	struct buf		*b;
	const struct cva	*c;
	int			 ok;
};

/* A form being written: the values it shows and the errors it had. */
struct fm {
	const cJSON		*vals;
	const struct verrs	*v;
	const char		*idp;	/* prefix of its element ids */
};

static void
s(struct out *o, const char *str)
{
	if (o->ok && buf_puts(o->b, str) != 0)
		o->ok = 0;
}

static void
t(struct out *o, const char *str)
{
	if (o->ok && cv_text(o->b, str) != 0)
		o->ok = 0;
}

static void
num(struct out *o, double d)
{
	char	 n[32];

	snprintf(n, sizeof(n), "%.15g", d);
	s(o, n);
}

/* The member of obj at a pointer of member names ("/config/url"). */
static const cJSON *
at(const cJSON *obj, const char *ptr)
{
	char	 seg[64];
	size_t	 n;

	while (obj != NULL && *ptr == '/') {
		n = strcspn(ptr + 1, "/");
		if (n >= sizeof(seg))
			return NULL;
		memcpy(seg, ptr + 1, n);
		seg[n] = '\0';
		obj = cJSON_IsObject(obj) ?
		    cJSON_GetObjectItemCaseSensitive(obj, seg) : NULL;
		ptr += 1 + n;
	}
	return obj;
}

static const char *
str(const cJSON *obj, const char *ptr)
{
	const cJSON	*v = at(obj, ptr);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
is_true(const cJSON *obj, const char *ptr)
{
	return cJSON_IsTrue(at(obj, ptr));
}

/* Does array hold the string value? */
static int
holds(const cJSON *array, const char *value)
{
	const cJSON	*it;

	cJSON_ArrayForEach(it, array)
		if (cJSON_IsString(it) && strcmp(it->valuestring, value) == 0)
			return 1;
	return 0;
}

/*
 * Is the error at e about the field at ptr?  Its member or below it; a
 * recurrence's errors are named from the recurrence ("/frequency").
 */
static int
about(const char *e, const char *ptr)
{
	size_t	 n = strlen(ptr);

	if (strncmp(e, ptr, n) == 0 && (e[n] == '\0' || e[n] == '/'))
		return 1;
	return strncmp(ptr, "/recurrence/", 12) == 0 && about(e, ptr + 11);
}

static int
has_error(const struct fm *f, const char *ptr)
{
	size_t	 i;

	for (i = 0; f->v != NULL && i < f->v->n; i++)
		if (about(f->v->e[i].pointer, ptr))
			return 1;
	return 0;
}

static void
elem_id(struct out *o, const struct fm *f, const char *name)
{
	t(o, f->idp);
	s(o, name);
}

/* The id, name and, with errors, their description of an input. */
static void
attrs(struct out *o, const struct fm *f, const char *name, const char *ptr)
{
	s(o, " id=\"");
	elem_id(o, f, name);
	s(o, "\" name=\"");
	s(o, name);
	s(o, "\"");
	if (has_error(f, ptr)) {
		s(o, " aria-invalid=\"true\" aria-describedby=\"");
		elem_id(o, f, name);
		s(o, "-error\"");
	}
}

/* The errors of the field at ptr, beside it. */
static void
errors(struct out *o, const struct fm *f, const char *name, const char *ptr)
{
	size_t	 i;
	int	 first = 1;

	for (i = 0; f->v != NULL && i < f->v->n; i++) {
		if (!about(f->v->e[i].pointer, ptr))
			continue;
		if (first) {
			s(o, "<p class=\"error\" id=\"");
			elem_id(o, f, name);
			s(o, "-error\">");
		} else
			s(o, "; ");
		t(o, f->v->e[i].detail);
		first = 0;
	}
	if (!first)
		s(o, "</p>\n");
}

static void
label(struct out *o, const struct fm *f, const char *name, const char *text)
{
	s(o, "<div>\n<label for=\"");
	elem_id(o, f, name);
	s(o, "\">");
	t(o, text);
	s(o, "</label>\n");
}

/* A value as an input shows it: a string, a number, or nothing. */
static void
value(struct out *o, const cJSON *v, size_t max)
{
	char	 cut[32];

	if (cJSON_IsString(v) && max > 0 && max < sizeof(cut)) {
		snprintf(cut, max + 1, "%s", v->valuestring);
		t(o, cut);
	} else if (cJSON_IsString(v))
		t(o, v->valuestring);
	else if (cJSON_IsNumber(v))
		num(o, v->valuedouble);
}

/*
 * A text input (type text, number or datetime-local, whose value is
 * the first 16 characters of an RFC 3339 time).
 */
static void
input(struct out *o, const struct fm *f, const char *text, const char *name,
    const char *ptr, const char *type, int required)
{
	label(o, f, name, text);
	s(o, "<input type=\"");
	s(o, type);
	s(o, "\"");
	attrs(o, f, name, ptr);
	s(o, " autocomplete=\"off\"");
	if (required)
		s(o, " required");
	s(o, " value=\"");
	value(o, at(f->vals, ptr), strcmp(type, "datetime-local") == 0 ?
	    16 : 0);
	s(o, "\">\n");
	errors(o, f, name, ptr);
	s(o, "</div>\n");
}

/* A textarea: a string, a list a line each, or "Name: value" lines. */
static void
area(struct out *o, const struct fm *f, const char *text, const char *name,
    const char *ptr)
{
	const cJSON	*v = at(f->vals, ptr);
	const cJSON	*items = cJSON_IsArray(v) || cJSON_IsObject(v) ? v :
			    NULL;
	struct buf	 lines = { NULL, 0, 0 };

	label(o, f, name, text);
	s(o, "<textarea rows=\"3\"");
	attrs(o, f, name, ptr);
	s(o, ">");
	if (cJSON_IsString(v))
		t(o, v->valuestring);
	else if (items != NULL) {
		if (cv_lines_text(&lines, items) == -1)
			o->ok = 0;
		else if (lines.p != NULL)
			t(o, lines.p);
		buf_free(&lines);
	}
	s(o, "</textarea>\n");
	errors(o, f, name, ptr);
	s(o, "</div>\n");
}

/* A checkbox of its own (value "on"). */
static void
check(struct out *o, const struct fm *f, const char *text, const char *name,
    const char *ptr)
{
	s(o, "<div class=\"check\"><label><input type=\"checkbox\" "
	    "value=\"on\"");
	attrs(o, f, name, ptr);
	if (is_true(f->vals, ptr))
		s(o, " checked");
	s(o, "> ");
	t(o, text);
	s(o, "</label>\n");
	errors(o, f, name, ptr);
	s(o, "</div>\n");
}

/* One box of a group sharing a name. */
static void
box(struct out *o, const char *name, const char *val, const char *text,
    int checked)
{
	s(o, "<label><input type=\"checkbox\" name=\"");
	s(o, name);
	s(o, "\" value=\"");
	t(o, val);
	s(o, checked ? "\" checked> " : "\"> ");
	t(o, text);
	s(o, "</label>\n");
}

static void
group_open(struct out *o, const char *legend)
{
	s(o, "<fieldset><legend>");
	t(o, legend);
	s(o, "</legend>\n");
}

static void
group_close(struct out *o, const struct fm *f, const char *name,
    const char *ptr)
{
	errors(o, f, name, ptr);
	s(o, "</fieldset>\n");
}

/* Boxes of a name table whose picks are the array at ptr. */
static void
boxes(struct out *o, const struct fm *f, const char *legend,
    const char *name, const char *ptr, const char *const *names, int n)
{
	const cJSON	*picked = at(f->vals, ptr);
	int		 i;

	group_open(o, legend);
	for (i = 0; i < n; i++)
		box(o, name, names[i], names[i], holds(picked, names[i]));
	group_close(o, f, name, ptr);
}

/* Boxes of the team's monitors: none picked is every monitor. */
static void
monitor_boxes(struct out *o, const struct fm *f, const char *legend,
    const cJSON *monitors)
{
	const cJSON	*picked = at(f->vals, "/monitorIds"), *m;

	group_open(o, legend);
	cJSON_ArrayForEach(m, monitors)
		box(o, "monitorIds", str(m, "/id"), str(m, "/name"),
		    holds(picked, str(m, "/id")));
	if (cJSON_GetArraySize(monitors) == 0)
		s(o, "<p>The team has no monitors yet.</p>\n");
	group_close(o, f, "monitorIds", "/monitorIds");
}

/* A select of a name table; the value at ptr, or def, is selected. */
static void
choice(struct out *o, const struct fm *f, const char *text, const char *name,
    const char *ptr, const char *const *names, int n, const char *def)
{
	const char	*cur = str(f->vals, ptr);
	int		 i;

	if (cur == NULL)
		cur = def;
	label(o, f, name, text);
	s(o, "<select");
	attrs(o, f, name, ptr);
	s(o, ">\n");
	for (i = 0; i < n; i++) {
		s(o, "<option");
		if (cur != NULL && strcmp(cur, names[i]) == 0)
			s(o, " selected");
		s(o, ">");
		t(o, names[i]);
		s(o, "</option>\n");
	}
	s(o, "</select>\n");
	errors(o, f, name, ptr);
	s(o, "</div>\n");
}

/* The path of the console then rest, as an attribute's value. */
static void
href(struct out *o, const char *rest)
{
	t(o, o->c->app);
	t(o, rest);
}

/* A form posting to the console's path act, with its csrf field. */
static void
form_open(struct out *o, const char *act, const char *cls)
{
	s(o, "<form");
	if (cls != NULL) {
		s(o, " class=\"");
		s(o, cls);
		s(o, "\"");
	}
	s(o, " method=\"post\" action=\"");
	href(o, act);
	s(o, "\">");
	if (o->ok && cv_csrf(o->b, o->c->csrf) != 0)
		o->ok = 0;
	s(o, "\n");
}

static void
submit(struct out *o, const char *text)
{
	s(o, "<button type=\"submit\">");
	t(o, text);
	s(o, "</button>\n</form>\n");
}

/* A form of one button: act, its text, what it is about (for the
 * button's accessible name), danger for the red kind. */
static void
button(struct out *o, const char *act, const char *text, const char *what,
    int danger)
{
	form_open(o, act, "inline");
	s(o, danger ? "<button class=\"danger\"" : "<button");
	s(o, " type=\"submit\" aria-label=\"");
	t(o, text);
	s(o, " ");
	t(o, what);
	s(o, "\">");
	t(o, text);
	s(o, "</button></form>\n");
}

/* Over a form sent and refused: nothing was saved, and why. */
static void
refused(struct out *o, const struct fm *f)
{
	size_t	 i;

	if (f->v == NULL || f->v->n == 0)
		return;
	s(o, "<div class=\"alert\" role=\"alert\"><p>Nothing was saved; "
	    "fix what is marked:</p>\n<ul>\n");
	for (i = 0; i < f->v->n; i++) {
		s(o, "<li><code>");
		t(o, f->v->e[i].pointer);
		s(o, "</code> ");
		t(o, f->v->e[i].detail);
		s(o, "</li>\n");
	}
	s(o, "</ul></div>\n");
}

/* The form f shows: the refused one when it is this one, else vals. */
static void
form_of(struct fm *fm, const struct cva_form *f, enum cva_which which,
    const char *id, const cJSON *vals, const char *idp)
{
	fm->vals = vals;
	fm->v = NULL;
	fm->idp = idp;
	if (f != NULL && f->which == which && (id == NULL ||
	    (f->id != NULL && strcmp(f->id, id) == 0))) {
		fm->vals = f->vals;
		fm->v = f->v;
	}
}

static void
table_open(struct out *o, const char *const *heads)
{
	s(o, "<div class=\"table\"><table>\n<thead><tr>");
	for (; *heads != NULL; heads++) {
		s(o, "<th scope=\"col\">");
		t(o, *heads);
		s(o, "</th>");
	}
	s(o, "</tr></thead>\n<tbody>\n");
}

static void
table_close(struct out *o)
{
	s(o, "</tbody>\n</table></div>\n");
}

static void
td(struct out *o, const char *text)
{
	s(o, "<td>");
	t(o, text);
	s(o, "</td>");
}

static int
done(struct out *o)
{
	return o->ok ? 0 : -1;
}

/* A definition list of vals' members for a role that only reads. */
static void
facts(struct out *o, const cJSON *vals, const char *const *items)
{
	const cJSON	*v;

	s(o, "<dl class=\"card\">\n");
	for (; items[0] != NULL; items += 2) {
		v = at(vals, items[1]);
		s(o, "<dt>");
		t(o, items[0]);
		s(o, "</dt><dd>");
		if (cJSON_IsString(v) || cJSON_IsNumber(v))
			value(o, v, 0);
		else if (cJSON_IsBool(v))
			s(o, cJSON_IsTrue(v) ? "yes" : "no");
		else
			s(o, "&mdash;");
		s(o, "</dd>\n");
	}
	s(o, "</dl>\n");
}

/* ---- alert channels ---- */

/* The name of the channel id among channels, or the id. */
static const char *
channel_name(const cJSON *channels, const char *id)
{
	const cJSON	*c;

	cJSON_ArrayForEach(c, channels)
		if (id != NULL && strcmp(str(c, "/id") ? str(c, "/id") : "",
		    id) == 0)
			return str(c, "/name");
	return id;
}

/* Notifications, newest first, and the link to older ones under base. */
static void
history(struct out *o, const cJSON *channels, const cJSON *items,
    const char *older, const char *base)
{
	static const char *const heads[] = { "When", "Channel", "Event",
	    "Status", "Attempts", "Answer", NULL };
	const cJSON	*n, *rs;
	const char	*why;

	s(o, "<h2 id=\"history\">Notifications</h2>\n");
	if (cJSON_GetArraySize(items) == 0) {
		s(o, "<p>No notifications yet.</p>\n");
		return;
	}
	table_open(o, heads);
	cJSON_ArrayForEach(n, items) {
		rs = at(n, "/responseStatus");
		why = str(n, "/error") != NULL ? str(n, "/error") :
		    str(n, "/suppressedReason");
		s(o, "<tr>");
		td(o, str(n, "/createdAt"));
		td(o, channel_name(channels, str(n, "/channelId")));
		td(o, str(n, "/event"));
		s(o, "<td class=\"ntf-");
		t(o, str(n, "/status"));
		s(o, "\">");
		t(o, str(n, "/status"));
		s(o, "</td><td>");
		value(o, at(n, "/attempts"), 0);
		s(o, "</td><td>");
		if (cJSON_IsNumber(rs)) {
			s(o, "HTTP ");
			num(o, rs->valuedouble);
			s(o, " ");
		}
		t(o, why);
		s(o, "</td></tr>\n");
	}
	table_close(o);
	if (older != NULL) {
		s(o, "<p><a href=\"");
		href(o, base);
		s(o, "?older=");
		t(o, older);
		s(o, "#history\">Older notifications</a></p>\n");
	}
}

int
cva_alerts(struct buf *b, const struct cva *c, const cJSON *channels,
    const cJSON *history_items, const char *older)
{
	static const char *const heads[] = { "Channel", "Type", "Events",
	    "Enabled", NULL };
	struct out	 o = { b, c, 1 };
	struct fm	 f = { NULL, NULL, "" };
	const cJSON	*ch;
	int		 i, first;

	if (c->write) {
		s(&o, "<form class=\"card\" method=\"get\" action=\"");
		href(&o, "/alerts/new");
		s(&o, "\">\n<h2>New channel</h2>\n");
		choice(&o, &f, "Type", "type", "/type", ach_type_names,
		    ACH_TYPE__MAX, NULL);
		s(&o, "<button type=\"submit\">Continue</button>\n</form>\n");
	}
	s(&o, "<h2>Channels</h2>\n");
	if (cJSON_GetArraySize(channels) == 0)
		s(&o, "<p>No alert channels yet.</p>\n");
	else
		table_open(&o, heads);
	cJSON_ArrayForEach(ch, channels) {
		s(&o, "<tr><td><a href=\"");
		href(&o, "/alerts/");
		t(&o, str(ch, "/id"));
		s(&o, "\">");
		t(&o, str(ch, "/name"));
		s(&o, "</a></td>");
		td(&o, str(ch, "/type"));
		s(&o, "<td>");
		for (i = 0, first = 1; i < AEV__MAX; i++) {
			char	 p[32];

			snprintf(p, sizeof(p), "/events/%s", ach_event_names[i]);
			if (!is_true(ch, p))
				continue;
			s(&o, first ? "" : ", ");
			t(&o, ach_event_names[i]);
			first = 0;
		}
		s(&o, "</td>");
		td(&o, is_true(ch, "/enabled") ? "yes" : "no");
		s(&o, "</tr>\n");
	}
	if (cJSON_GetArraySize(channels) > 0)
		table_close(&o);
	history(&o, channels, history_items, older, "/alerts");
	return done(&o);
}

/* The settings of a channel of type, under config. */
static void
channel_config(struct out *o, const struct fm *f, const char *type)
{
	switch (str_index(ach_type_names, ACH_TYPE__MAX, type)) {
	case ACH_EMAIL:
		area(o, f, "Recipients (one address a line, at most 10)", "to",
		    "/config/to");
		input(o, f, "Subject prefix (optional)", "subjectPrefix",
		    "/config/subjectPrefix", "text", 0);
		break;
	case ACH_WEBHOOK:
		input(o, f, "URL (http or https)", "url", "/config/url", "text",
		    1);
		input(o, f, "Secret that signs each delivery (optional, 16 to "
		    "256 characters)", "secret", "/config/secret", "text", 0);
		area(o, f, "Headers (optional, one \"Name: value\" a line)",
		    "headers", "/config/headers");
		break;
	case ACH_SLACK:
		input(o, f, "Incoming webhook URL", "webhookUrl",
		    "/config/webhookUrl", "text", 1);
		input(o, f, "Channel (optional, #name or an id)", "channel",
		    "/config/channel", "text", 0);
		break;
	case ACH_DISCORD:
		input(o, f, "Webhook URL", "webhookUrl", "/config/webhookUrl",
		    "text", 1);
		break;
	case ACH_PAGERDUTY:
		input(o, f, "Routing key (Events API v2)", "routingKey",
		    "/config/routingKey", "text", 1);
		break;
	case ACH_TELEGRAM:
		input(o, f, "Bot token", "botToken", "/config/botToken", "text",
		    1);
		input(o, f, "Chat id (a number or @channelname)", "chatId",
		    "/config/chatId", "text", 1);
		break;
	default:
		break;
	}
}

int
cva_channel(struct buf *b, const struct cva *c, const char *id,
    const char *type, const cJSON *vals, const cJSON *monitors,
    const struct cva_form *f, const cJSON *history_items, const char *older)
{
	static const char *const read_only[] = { "Name", "/name", "Type",
	    "/type", "Remind every (minutes)", "/remindEveryMinutes",
	    "Enabled", "/enabled", NULL };
	struct out	 o = { b, c, 1 };
	struct fm	 fm;
	char		 act[ACT_MAX];
	int		 i;

	form_of(&fm, f, CVA_CHANNEL, NULL, vals, "");
	if (!c->write) {
		facts(&o, vals, read_only);
		goto out;
	}
	refused(&o, &fm);
	snprintf(act, sizeof(act), "/alerts%s%s", id != NULL ? "/" : "",
	    id != NULL ? id : "");
	form_open(&o, act, "card");
	s(&o, "<p>Type: <strong>");
	t(&o, type);
	s(&o, "</strong></p>\n");
	if (id == NULL) {
		s(&o, "<input type=\"hidden\" name=\"type\" value=\"");
		t(&o, type);
		s(&o, "\">\n");
	}
	input(&o, &fm, "Name", "name", "/name", "text", 1);
	channel_config(&o, &fm, type);
	group_open(&o, "Events");
	for (i = 0; i < AEV__MAX; i++) {
		char	 p[32];

		snprintf(p, sizeof(p), "/events/%s", ach_event_names[i]);
		box(&o, "events", ach_event_names[i], ach_event_names[i],
		    is_true(fm.vals, p));
	}
	group_close(&o, &fm, "events", "/events");
	monitor_boxes(&o, &fm, "Monitors (none picked: every monitor)",
	    monitors);
	input(&o, &fm, "Remind every N minutes while down (0: never, else 5 "
	    "to 1440)", "remindEveryMinutes", "/remindEveryMinutes", "number",
	    0);
	check(&o, &fm, "Enabled", "enabled", "/enabled");
	submit(&o, id != NULL ? "Save the channel" : "Create the channel");
	if (id != NULL) {
		s(&o, "<div class=\"actions\">\n");
		snprintf(act, sizeof(act), "/alerts/%s/test", id);
		button(&o, act, "Send a test", str(vals, "/name"), 0);
		snprintf(act, sizeof(act), "/alerts/%s/delete", id);
		button(&o, act, "Delete", str(vals, "/name"), 1);
		s(&o, "</div>\n");
	}
out:
	if (id != NULL) {
		snprintf(act, sizeof(act), "/alerts/%s", id);
		history(&o, NULL, history_items, older, act);
	}
	return done(&o);
}

/* ---- status pages ---- */

/* The settings of a page, as the API's members. */
static void
page_fields(struct out *o, const struct fm *f)
{
	input(o, f, "Name", "name", "/name", "text", 1);
	input(o, f, "Slug: the address /status/<slug> (a-z, 0-9, -)", "slug",
	    "/slug", "text", 1);
	input(o, f, "Title shown on the page (optional: the name)", "title",
	    "/title", "text", 0);
	area(o, f, "Description (optional)", "description", "/description");
	input(o, f, "Days of history (7 to 90)", "historyDays", "/historyDays",
	    "number", 0);
	check(o, f, "Public: anyone with the address may read it",
	    "isPublic", "/isPublic");
	check(o, f, "Show the overall status banner", "showOverallStatus",
	    "/showOverallStatus");
}

int
cva_pages(struct buf *b, const struct cva *c, const cJSON *pages,
    const struct cva_form *f)
{
	static const char *const heads[] = { "Status page", "Address",
	    "Public", "Components", NULL };
	struct out	 o = { b, c, 1 };
	struct fm	 fm;
	const cJSON	*p;

	form_of(&fm, f, CVA_PAGE, NULL, f != NULL ? f->vals : NULL, "");
	if (c->write) {
		refused(&o, &fm);
		form_open(&o, "/status-pages", "card");
		s(&o, "<h2>New status page</h2>\n");
		page_fields(&o, &fm);
		submit(&o, "Create the status page");
	}
	s(&o, "<h2>Status pages</h2>\n");
	if (cJSON_GetArraySize(pages) == 0) {
		s(&o, "<p>No status pages yet.</p>\n");
		return done(&o);
	}
	table_open(&o, heads);
	cJSON_ArrayForEach(p, pages) {
		s(&o, "<tr><td><a href=\"");
		href(&o, "/status-pages/");
		t(&o, str(p, "/id"));
		s(&o, "\">");
		t(&o, str(p, "/name"));
		s(&o, "</a></td><td><a href=\"");
		t(&o, str(p, "/url"));
		s(&o, "\">");
		t(&o, str(p, "/url"));
		s(&o, "</a></td>");
		td(&o, is_true(p, "/isPublic") ? "yes" : "no");
		s(&o, "<td>");
		num(&o, cJSON_GetArraySize(at(p, "/components")));
		s(&o, "</td></tr>\n");
	}
	table_close(&o);
	return done(&o);
}

/* The components of page, with the form to add one. */
static void
components(struct out *o, const cJSON *page, const cJSON *monitors,
    const struct cva_form *f)
{
	static const char *const heads[] = { "Component", "Group", "State",
	    "", NULL };
	const char	*id = str(page, "/id");
	const cJSON	*cm, *m;
	struct fm	 fm;
	char		 act[ACT_MAX];

	s(o, "<h2>Components</h2>\n");
	if (cJSON_GetArraySize(at(page, "/components")) == 0)
		s(o, "<p>No components yet.</p>\n");
	else
		table_open(o, heads);
	cJSON_ArrayForEach(cm, at(page, "/components")) {
		s(o, "<tr>");
		td(o, str(cm, "/displayName"));
		td(o, str(cm, "/group"));
		s(o, "<td class=\"state-");
		t(o, str(cm, "/state"));
		s(o, "\">");
		t(o, str(cm, "/state"));
		s(o, "</td><td>");
		if (o->c->write) {
			snprintf(act, sizeof(act), "/status-pages/%s/components/"
			    "%s/remove", id, str(cm, "/id"));
			button(o, act, "Remove", str(cm, "/displayName"), 1);
		}
		s(o, "</td></tr>\n");
	}
	if (cJSON_GetArraySize(at(page, "/components")) > 0)
		table_close(o);
	if (!o->c->write)
		return;
	form_of(&fm, f, CVA_COMPONENT, NULL, NULL, "c-");
	refused(o, &fm);
	snprintf(act, sizeof(act), "/status-pages/%s/components", id);
	form_open(o, act, "card");
	s(o, "<h3>Add a component</h3>\n");
	label(o, &fm, "monitorId", "Monitor");
	s(o, "<select");
	attrs(o, &fm, "monitorId", "/monitorId");
	s(o, ">\n");
	cJSON_ArrayForEach(m, monitors) {
		s(o, "<option value=\"");
		t(o, str(m, "/id"));
		s(o, "\"");
		if (str(fm.vals, "/monitorId") != NULL && str(m, "/id") != NULL &&
		    strcmp(str(fm.vals, "/monitorId"), str(m, "/id")) == 0)
			s(o, " selected");
		s(o, ">");
		t(o, str(m, "/name"));
		s(o, "</option>\n");
	}
	s(o, "</select>\n");
	errors(o, &fm, "monitorId", "/monitorId");
	s(o, "</div>\n");
	input(o, &fm, "Name on the page (optional: the monitor's)",
	    "displayName", "/displayName", "text", 0);
	input(o, &fm, "Group (optional)", "group", "/group", "text", 0);
	submit(o, "Add the component");
}

/* One incident: its updates, and the form to post one while open. */
static void
incident(struct out *o, const cJSON *page, const cJSON *inc,
    const struct cva_form *f)
{
	const char	*id = str(inc, "/id");
	const char	*status = str(inc, "/status");
	const cJSON	*u;
	struct fm	 fm;
	char		 act[ACT_MAX], idp[ID_MAX + 4];

	s(o, "<section class=\"incident\">\n<h3>");
	t(o, str(inc, "/title"));
	s(o, "</h3>\n<p><span class=\"inc-");
	t(o, status);
	s(o, "\">");
	t(o, status);
	s(o, "</span> &middot; impact ");
	t(o, str(inc, "/impact"));
	s(o, " &middot; since ");
	t(o, str(inc, "/startedAt"));
	s(o, "</p>\n<ol class=\"updates\">\n");
	cJSON_ArrayForEach(u, at(inc, "/updates")) {
		s(o, "<li><strong>");
		t(o, str(u, "/status"));
		s(o, "</strong> ");
		t(o, str(u, "/createdAt"));
		s(o, "<br>");
		t(o, str(u, "/message"));
		s(o, "</li>\n");
	}
	s(o, "</ol>\n");
	if (o->c->write && status != NULL && strcmp(status, "resolved") != 0) {
		snprintf(idp, sizeof(idp), "u-%s-", id);
		form_of(&fm, f, CVA_UPDATE, id, inc, idp);
		refused(o, &fm);
		snprintf(act, sizeof(act), "/status-pages/%s/incidents/%s/"
		    "updates", str(page, "/id"), id);
		form_open(o, act, NULL);
		choice(o, &fm, "Status (resolved closes the incident)",
		    "status", "/status", inc_status_names, INC_STATUS__MAX,
		    NULL);
		if (fm.v == NULL)
			fm.vals = NULL;	/* a new message each time */
		area(o, &fm, "Message", "message", "/message");
		submit(o, "Post the update");
	}
	s(o, "</section>\n");
}

int
cva_page(struct buf *b, const struct cva *c, const cJSON *page,
    const cJSON *monitors, const cJSON *incidents, const struct cva_form *f)
{
	static const char *const read_only[] = { "Name", "/name", "Slug",
	    "/slug", "Title", "/title", "Public", "/isPublic", NULL };
	struct out	 o = { b, c, 1 };
	struct fm	 fm;
	const cJSON	*inc, *cm, *picked;
	const char	*id = str(page, "/id");
	char		 act[ACT_MAX];

	s(&o, "<p>Address: <a href=\"");
	t(&o, str(page, "/url"));
	s(&o, "\">");
	t(&o, str(page, "/url"));
	s(&o, "</a></p>\n");
	if (!c->write)
		facts(&o, page, read_only);
	else {
		form_of(&fm, f, CVA_PAGE, NULL, page, "");
		refused(&o, &fm);
		snprintf(act, sizeof(act), "/status-pages/%s", id);
		form_open(&o, act, "card");
		s(&o, "<h2>Settings</h2>\n");
		page_fields(&o, &fm);
		submit(&o, "Save the status page");
		snprintf(act, sizeof(act), "/status-pages/%s/delete", id);
		button(&o, act, "Delete", str(page, "/name"), 1);
	}
	components(&o, page, monitors, f);

	s(&o, "<h2>Incidents</h2>\n");
	if (c->write) {
		form_of(&fm, f, CVA_INCIDENT, NULL, NULL, "i-");
		refused(&o, &fm);
		snprintf(act, sizeof(act), "/status-pages/%s/incidents", id);
		form_open(&o, act, "card");
		s(&o, "<h3>Open an incident</h3>\n");
		input(&o, &fm, "Title", "title", "/title", "text", 1);
		choice(&o, &fm, "Status", "status", "/status",
		    inc_status_names, INC_STATUS__MAX, NULL);
		choice(&o, &fm, "Impact", "impact", "/impact",
		    inc_impact_names, IMPACT__MAX, "minor");
		area(&o, &fm, "Message", "message", "/message");
		group_open(&o, "Components affected");
		picked = at(fm.vals, "/componentIds");
		cJSON_ArrayForEach(cm, at(page, "/components"))
			box(&o, "componentIds", str(cm, "/id"),
			    str(cm, "/displayName"), holds(picked,
			    str(cm, "/id")));
		group_close(&o, &fm, "componentIds", "/componentIds");
		submit(&o, "Open the incident");
	}
	if (cJSON_GetArraySize(incidents) == 0)
		s(&o, "<p>No incidents.</p>\n");
	cJSON_ArrayForEach(inc, incidents)
		incident(&o, page, inc, f);
	return done(&o);
}

/* ---- maintenance windows ---- */

static void
window_fields(struct out *o, const struct fm *f, const cJSON *monitors)
{
	const cJSON	*rec = at(f->vals, "/recurrence");
	struct fm	 r = *f;

	input(o, f, "Title", "title", "/title", "text", 1);
	area(o, f, "Description (optional)", "description", "/description");
	input(o, f, "Starts (UTC)", "startsAt", "/startsAt", "datetime-local",
	    1);
	input(o, f, "Ends (UTC)", "endsAt", "/endsAt", "datetime-local", 1);
	input(o, f, "Time zone of the repeats (IANA, such as Europe/Paris)",
	    "timezone", "/timezone", "text", 0);
	/* A window that does not repeat has a null recurrence: "once". */
	if (!cJSON_IsObject(rec))
		r.vals = NULL;
	choice(o, &r, "Repeats", "frequency", "/recurrence/frequency",
	    maint_freq_names, MAINT_FREQ__MAX, "once");
	input(o, &r, "Every N days, weeks or months (1 when empty)",
	    "interval", "/recurrence/interval", "number", 0);
	boxes(o, &r, "Weekdays (weekly)", "byWeekday", "/recurrence/byWeekday",
	    maint_day_names, 7);
	input(o, &r, "Repeats until (UTC, optional)", "until",
	    "/recurrence/until", "datetime-local", 0);
	monitor_boxes(o, f, "Monitors (none picked: every monitor)",
	    monitors);
	check(o, f, "Suppress alerts", "suppressAlerts", "/suppressAlerts");
	check(o, f, "Pause checks", "pauseChecks", "/pauseChecks");
	check(o, f, "Show on status pages", "showOnStatusPage",
	    "/showOnStatusPage");
}

int
cva_windows(struct buf *b, const struct cva *c, const cJSON *windows,
    const cJSON *monitors, const struct cva_form *f)
{
	static const char *const heads[] = { "Window", "State", "Starts",
	    "Ends", "Repeats", NULL };
	struct out	 o = { b, c, 1 };
	struct fm	 fm;
	const cJSON	*w;
	const char	*freq;

	if (c->write) {
		form_of(&fm, f, CVA_WINDOW, NULL, f != NULL ? f->vals : NULL,
		    "");
		refused(&o, &fm);
		form_open(&o, "/maintenance", "card");
		s(&o, "<h2>Schedule a window</h2>\n");
		window_fields(&o, &fm, monitors);
		submit(&o, "Schedule the window");
	}
	s(&o, "<h2>Windows</h2>\n");
	if (cJSON_GetArraySize(windows) == 0) {
		s(&o, "<p>No maintenance windows yet.</p>\n");
		return done(&o);
	}
	table_open(&o, heads);
	cJSON_ArrayForEach(w, windows) {
		freq = str(w, "/recurrence/frequency");
		s(&o, "<tr><td><a href=\"");
		href(&o, "/maintenance/");
		t(&o, str(w, "/id"));
		s(&o, "\">");
		t(&o, str(w, "/title"));
		s(&o, "</a></td>");
		td(&o, str(w, "/state"));
		td(&o, str(w, "/startsAt"));
		td(&o, str(w, "/endsAt"));
		td(&o, freq != NULL ? freq : "once");
		s(&o, "</tr>\n");
	}
	table_close(&o);
	return done(&o);
}

int
cva_window(struct buf *b, const struct cva *c, const cJSON *window,
    const cJSON *monitors, const struct cva_form *f)
{
	static const char *const read_only[] = { "Title", "/title", "State",
	    "/state", "Starts", "/startsAt", "Ends", "/endsAt", "Time zone",
	    "/timezone", "Suppress alerts", "/suppressAlerts", "Pause checks",
	    "/pauseChecks", "Show on status pages", "/showOnStatusPage",
	    NULL };
	struct out	 o = { b, c, 1 };
	struct fm	 fm;
	const char	*id = str(window, "/id");
	const char	*state = str(window, "/state");
	char		 act[ACT_MAX];

	if (!c->write || (state != NULL && strcmp(state, "cancelled") == 0)) {
		facts(&o, window, read_only);
		return done(&o);
	}
	form_of(&fm, f, CVA_WINDOW, NULL, window, "");
	refused(&o, &fm);
	snprintf(act, sizeof(act), "/maintenance/%s", id);
	form_open(&o, act, "card");
	s(&o, "<p>State: <strong>");
	t(&o, state);
	s(&o, "</strong></p>\n");
	window_fields(&o, &fm, monitors);
	submit(&o, "Save the window");
	s(&o, "<div class=\"actions\">\n");
	if (state != NULL && strcmp(state, "active") == 0) {
		snprintf(act, sizeof(act), "/maintenance/%s/end", id);
		button(&o, act, "End now", str(window, "/title"), 0);
	}
	snprintf(act, sizeof(act), "/maintenance/%s/delete", id);
	button(&o, act, "Cancel the window", str(window, "/title"), 1);
	s(&o, "</div>\n");
	return done(&o);
}
