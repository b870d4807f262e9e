/*
 * The console's HTML shell and shared pieces.  One style sheet, served
 * at /app/style.css; system fonts; a single column that fits 375 px and
 * widens to 64rem; focus outlines kept; colours at WCAG AA contrast
 * (text #17212b on #fff, links and buttons #1d4ed8 with white).
 * The referrer policy is same-origin, not no-referrer: under no-referrer
 * a browser sends "Origin: null" with a form, which the Origin check
 * refuses; tokens travel in fragments, which no Referer carries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "consoleview.h"
#include "keyhash.h"
#include "statusview.h"

#define CSP_MAX	512

static const char style[] =
"*{box-sizing:border-box}"
"body{margin:0;background:#f5f7f9;color:#17212b;font:16px/1.5 system-ui,"
"-apple-system,\"Segoe UI\",Roboto,sans-serif}"
"header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;"
"padding:.75rem 1rem;background:#fff;border-bottom:1px solid #d5dbe1}"
"header nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;flex:1}"
"header form{margin:0}"
"a{color:#1d4ed8}"
"main{max-width:64rem;margin:1rem auto;padding:0 1rem}"
"h1{font-size:1.5rem;margin:.5rem 0 1rem}"
"h2{font-size:1.2rem;margin:1.5rem 0 .5rem}"
"section,form.card{background:#fff;border:1px solid #d5dbe1;"
"border-radius:8px;padding:1rem;margin:0 0 1rem}"
"label{display:block;font-weight:600;margin:.75rem 0 .25rem}"
"input[type=text],input[type=email],input[type=password]{width:100%;"
"max-width:32rem;font:inherit;padding:.5rem;border:1px solid #6b7785;"
"border-radius:4px}"
"fieldset{border:1px solid #d5dbe1;border-radius:4px;margin:.75rem 0}"
"fieldset label{display:inline-flex;gap:.35rem;font-weight:400;"
"margin:.25rem 1rem .25rem 0}"
"button{font:inherit;padding:.45rem 1rem;border:0;border-radius:4px;"
"background:#1d4ed8;color:#fff;cursor:pointer;margin-top:.75rem}"
"button.danger{background:#b42318}"
"button.link{background:none;color:#1d4ed8;padding:0;margin:0;"
"text-decoration:underline}"
":focus-visible{outline:3px solid #f59e0b;outline-offset:2px}"
".error{color:#b42318;margin:.25rem 0}"
".alert{border-left:4px solid #b42318;background:#fff;padding:.5rem 1rem}"
".secret{font-family:ui-monospace,monospace;word-break:break-all;"
"background:#eef2f6;padding:.5rem;border-radius:4px}"
".table{overflow-x:auto}"
"table{border-collapse:collapse;width:100%}"
"th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid "
"#e1e6eb;vertical-align:top}"
".state-up{color:#116329}.state-down{color:#b42318}"
"code{word-break:break-all}"
/* The forms of alerts, status pages and maintenance (cvalert.c). */
"input[type=number],input[type=datetime-local],select,textarea{"
"width:100%;max-width:32rem;font:inherit;padding:.5rem;"
"border:1px solid #6b7785;border-radius:4px;background:#fff}"
"textarea{display:block}"
".check label{display:inline-flex;gap:.35rem}"
"form.inline{display:inline-block;margin:0 .5rem .5rem 0}"
"section.incident{margin:0 0 1rem}"
"ol.updates{padding-left:1.25rem;overflow-wrap:anywhere}"
"dl.card{background:#fff;border:1px solid #d5dbe1;border-radius:8px;"
"padding:1rem;overflow-wrap:anywhere}"
"dt{font-weight:600}dd{margin:0 0 .5rem}"
"td a{overflow-wrap:anywhere}"
".ntf-failed,.inc-investigating{color:#b42318}.ntf-sent{color:#116329}"
/* The monitor pages (cvmonitor.c): bars, charts, filters, actions. */
"select,input[inputmode]{font:inherit;padding:.4rem;border:1px solid "
"#6b7785;border-radius:4px;max-width:100%}"
"label.check{display:flex;gap:.4rem;font-weight:400}"
"a.button{display:inline-block;padding:.45rem 1rem;border-radius:4px;"
"background:#1d4ed8;color:#fff;text-decoration:none;margin-top:.75rem}"
"a.button.danger,button.danger{background:#b42318}"
".actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;"
"margin:0 0 1rem}.actions form{margin:0}"
".filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;"
"margin:0 0 1rem}.filters label{margin:0 0 .25rem}"
".filters input{max-width:12rem}"
".ranges{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0 0 .5rem}"
".ranges a[aria-current]{font-weight:700;text-decoration:none}"
".bar{display:flex;gap:1px;height:20px;margin:0;padding:0;"
"list-style:none;min-width:6rem}"
".bar li{flex:1 1 0;min-width:1px;border-radius:1px}"
".b-up{background:#1a7f37}.b-degraded{background:#b45309}"
".b-down{background:#b42318}.b-none{background:#d5dbe1}"
"section .bar{height:28px;margin-top:.5rem}"
".spark{display:block}"
".chart{display:block;width:100%;height:auto}"
".k-p50{color:#1d4ed8;font-weight:700}.k-p95{color:#b45309;"
"font-weight:700}"
".windows{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;margin:0 0 1rem}"
".windows dt{font-size:.85rem;color:#4b5563}.windows dd{margin:0;"
"font-weight:700}"
".state-degraded{color:#b45309}.state-paused,.state-pending{color:#4b5563}"
".sr{position:absolute;width:1px;height:1px;overflow:hidden;"
"clip:rect(0 0 0 0);white-space:nowrap}"
"select,input[type=date]{font:inherit;padding:.4rem;border:1px solid "
"#6b7785;border-radius:4px;background:#fff;color:inherit}"
"form.inline{display:inline-flex;flex-wrap:wrap;gap:.25rem;"
"align-items:center;margin:0 .5rem .25rem 0}"
"form.inline button{margin:0}"
"form.filters{display:flex;flex-wrap:wrap;gap:0 1rem;align-items:flex-end}"
"form.filters select{max-width:100%}";

/* Reads "#token=..." into the form's token field and drops it from the
 * address bar; without script the field is there to paste into. */
static const char script[] =
"(function(){var m=/^#token=([0-9A-Za-z_-]{1,256})$/.exec(location.hash);"
"if(location.hash)history.replaceState(null,\"\",location.pathname);"
"var t=document.getElementById(\"token\");"
"if(m&&t){t.value=m[1];t.closest(\"div\").hidden=true;}})();";

/* Shows each copy button (hidden without script) and copies the text of
 * the element its data-copy names; where the clipboard is not there (a
 * page not served over https), it selects that text instead. */
static const char copy_script[] =
"(function(){document.querySelectorAll(\"button[data-copy]\").forEach("
"function(b){var e=document.getElementById(b.getAttribute(\"data-copy\"));"
"if(!e)return;b.hidden=false;b.addEventListener(\"click\",function(){"
"function sel(){var r=document.createRange(),s=getSelection();"
"r.selectNodeContents(e);s.removeAllRanges();s.addRange(r);"
"b.textContent=\"Selected: copy it\";}"
"if(navigator.clipboard)navigator.clipboard.writeText(e.textContent)."
"then(function(){b.textContent=\"Copied\";},sel);else sel();});});})();";

const char *
cv_copy_script(void)
{
	return copy_script;
}

const char *
cv_stylesheet(void)
{
	return style;
}

const char *
cv_fragment_script(void)
{
	return script;
}

const char *
cv_csp(void)
{
	static char	 csp[CSP_MAX];
	char		 frag[64], copy[64];

	if (csp[0] == '\0') {
		csp_hash_source(script, frag, sizeof(frag));
		csp_hash_source(copy_script, copy, sizeof(copy));
		snprintf(csp, sizeof(csp), "default-src 'none'; style-src "
		    "'self'; script-src %s %s; img-src 'self' data:; "
		    "form-action 'self'; base-uri 'none'; "
		    "frame-ancestors 'none'", frag, copy);
	}
	return csp;
}

int
cv_text(struct buf *b, const char *s)
{
	return sv_escape(b, s != NULL ? s : "");
}

int
cv_begin(struct buf *b, const struct cv_frame *f)
{
	if (buf_puts(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"referrer\" content=\"same-origin\">\n"
	    "<link rel=\"icon\" href=\"data:,\">\n<title>") ||
	    cv_text(b, f->title) ||
	    buf_puts(b, " \xe2\x80\x94 uptime</title>\n<link rel=\"stylesheet\" "
	    "href=\"") || cv_text(b, f->app) ||
	    buf_puts(b, "/style.css\">\n</head>\n<body>\n<header>\n<strong>"
	    "uptime</strong>\n"))
		return -1;
	if (f->who != NULL && (buf_puts(b, "<nav aria-label=\"Console\">"
	    "<a href=\"") || cv_text(b, f->app) ||
	    buf_puts(b, "\">Monitors</a><a href=\"") || cv_text(b, f->app) ||
	    buf_puts(b, "/alerts\">Alerts</a><a href=\"") ||
	    cv_text(b, f->app) ||
	    buf_puts(b, "/status-pages\">Status pages</a><a href=\"") ||
	    cv_text(b, f->app) ||
	    buf_puts(b, "/maintenance\">Maintenance</a><a href=\"") ||
	    cv_text(b, f->app) ||
	    buf_puts(b, "/api-keys\">API keys</a><a href=\"") ||
	    cv_text(b, f->app) || buf_puts(b, "/team\">Team</a><a href=\"") ||
	    cv_text(b, f->app) || buf_puts(b, "/audit\">Audit log</a></nav>\n"
	    "<span>") ||
	    cv_text(b, f->who) || buf_puts(b, " (") || cv_text(b, f->role) ||
	    buf_puts(b, ")</span>\n<form method=\"post\" action=\"") ||
	    cv_text(b, f->app) || buf_puts(b, "/logout\">") ||
	    cv_csrf(b, f->csrf) ||
	    buf_puts(b, "<button class=\"link\" type=\"submit\">Sign out"
	    "</button></form>\n")))
		return -1;
	return buf_puts(b, "</header>\n<main>\n<h1>") || cv_text(b, f->title) ||
	    buf_puts(b, "</h1>\n") ? -1 : 0;
}

int
cv_end(struct buf *b)
{
	return buf_puts(b, "</main>\n</body>\n</html>\n");
}

int
cv_field(struct buf *b, const char *label, const char *name,
    const char *type, const char *value, const char *autocomplete,
    const char *err)
{
	if (buf_printf(b, "<div>\n<label for=\"%s\">", name) ||
	    cv_text(b, label) ||
	    buf_printf(b, "</label>\n<input id=\"%s\" name=\"%s\" type=\"%s\" "
	    "autocomplete=\"%s\" required", name, name, type, autocomplete))
		return -1;
	if (value != NULL && (buf_puts(b, " value=\"") || cv_text(b, value) ||
	    buf_puts(b, "\"")))
		return -1;
	if (err != NULL)
		return buf_printf(b, " aria-invalid=\"true\" aria-describedby="
		    "\"%s-error\">\n<p class=\"error\" id=\"%s-error\">", name,
		    name) || cv_text(b, err) || buf_puts(b, "</p>\n</div>\n") ?
		    -1 : 0;
	return buf_puts(b, ">\n</div>\n");
}

int
cv_csrf(struct buf *b, const char *csrf)
{
	if (csrf == NULL || *csrf == '\0')
		return 0;
	return buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"") ||
	    cv_text(b, csrf) || buf_puts(b, "\">");
}

int
cv_alert(struct buf *b, const char *msg)
{
	return buf_puts(b, "<p class=\"alert\" role=\"alert\">") ||
	    cv_text(b, msg) || buf_puts(b, "</p>\n") ? -1 : 0;
}

cJSON *
cv_lines(const char *text, int pairs)
{
	const char	*sep = pairs ? "\r\n" : ",\r\n";
	char		*copy, *line, *save, *colon, *val;
	cJSON		*out;

	if ((copy = strdup(text)) == NULL)
		return NULL;
	out = pairs ? cJSON_CreateObject() : cJSON_CreateArray();
	for (line = strtok_r(copy, sep, &save); out != NULL && line != NULL;
	    line = strtok_r(NULL, sep, &save)) {
		line += strspn(line, " \t");
		val = line + strlen(line);
		while (val > line && (val[-1] == ' ' || val[-1] == '\t'))
			*--val = '\0';
		if (*line == '\0')
			continue;
		if (!pairs) {
			cJSON_AddItemToArray(out, cJSON_CreateString(line));
			continue;
		}
		if ((colon = strchr(line, ':')) != NULL) {
			*colon = '\0';
			val = colon + 1 + strspn(colon + 1, " \t");
		}
		cJSON_DeleteItemFromObjectCaseSensitive(out, line);
		cJSON_AddStringToObject(out, line, val);
	}
	free(copy);
	return out;
}

int
cv_lines_text(struct buf *b, const cJSON *v)
{
	const cJSON	*it;
	const char	*val;

	cJSON_ArrayForEach(it, v) {
		val = cJSON_GetStringValue(it);
		if ((cJSON_IsObject(v) && buf_printf(b, "%s: ", it->string)) ||
		    buf_printf(b, "%s\n", val != NULL ? val : ""))
			return -1;
	}
	return 0;
}
