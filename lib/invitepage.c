/*
 * The page behind an invitation link.  acceptUrl carries the token in
 * its fragment (".../v1/invites/accept#token=..."), which browsers never
 * send, so no request line and no access log holds it; this page reads
 * it from location.hash, drops it from the address bar, and posts it
 * with the name in a JSON body to the same path.
 *
 * The page is a constant: it shows nothing of the invitation (the
 * server cannot know which one is meant) and nothing a user wrote but
 * the answer's name, set as text.  Its Content-Security-Policy allows
 * its own inline script and style (by hash) and requests to its origin.
 */
#include <stdio.h>
#include <string.h>

#include "invitepage.h"
#include "keyhash.h"

#define CSP_MAX	512

#define STYLE \
"body{margin:0;background:#f5f7f9;color:#17212b;font:16px/1.5 system-ui," \
"-apple-system,\"Segoe UI\",Roboto,sans-serif}" \
"main{max-width:32rem;margin:3rem auto;padding:1.5rem;background:#fff;" \
"border:1px solid #e1e6eb;border-radius:8px}" \
"h1{font-size:1.4rem;margin:0 0 .75rem}" \
"label{display:block;font-weight:600;margin:1rem 0 .25rem}" \
"input{width:100%;box-sizing:border-box;font:inherit;padding:.5rem;" \
"border:1px solid #8a96a3;border-radius:4px}" \
"button{margin-top:1rem;font:inherit;padding:.5rem 1rem;border:0;" \
"border-radius:4px;background:#1d4ed8;color:#fff;cursor:pointer}" \
"button:disabled{background:#8a96a3;cursor:default}" \
"#status{min-height:1.5em;margin:1rem 0 0}" \
"code{word-break:break-all}"

#define SCRIPT \
"(function () {\n" \
"  \"use strict\";\n" \
"  var form = document.getElementById(\"accept\");\n" \
"  var status = document.getElementById(\"status\");\n" \
"  var m = /^#token=([0-9A-Za-z]{1,256})$/.exec(location.hash);\n" \
"  var token = m ? m[1] : null;\n" \
"  /* Out of the address bar, the history and any later bookmark. */\n" \
"  if (location.hash)\n" \
"    history.replaceState(null, \"\", location.pathname);\n" \
"  if (!token) {\n" \
"    status.textContent = \"This address has no invitation token. Open " \
"the link from the invitation exactly as it was sent, or ask for the " \
"invitation to be sent again.\";\n" \
"    return;\n" \
"  }\n" \
"  form.hidden = false;\n" \
"  form.addEventListener(\"submit\", function (ev) {\n" \
"    var button = form.querySelector(\"button\");\n" \
"    ev.preventDefault();\n" \
"    button.disabled = true;\n" \
"    status.textContent = \"Sending\\u2026\";\n" \
"    fetch(location.pathname, {\n" \
"      method: \"POST\", credentials: \"omit\", cache: \"no-store\",\n" \
"      headers: { \"Content-Type\": \"application/json\" },\n" \
"      body: JSON.stringify({ token: token,\n" \
"        name: document.getElementById(\"name\").value })\n" \
"    }).then(function (res) {\n" \
"      return res.json().catch(function () { return null; })\n" \
"        .then(function (body) {\n" \
"          if (res.status === 201 && body && body.data) {\n" \
"            token = null;\n" \
"            form.hidden = true;\n" \
"            status.textContent = \"Welcome, \" + body.data.name + \": " \
"you are now a member of the team, as \" + body.data.role + \".\";\n" \
"            return;\n" \
"          }\n" \
"          button.disabled = false;\n" \
"          status.textContent = (body && body.detail ? body.detail :\n" \
"            \"The invitation could not be accepted (HTTP \" + " \
"res.status + \").\") + (body && body.errors ? \" \" +\n" \
"            body.errors.map(function (e) { return e.detail; })" \
".join(\" \") : \"\");\n" \
"        });\n" \
"    }, function () {\n" \
"      button.disabled = false;\n" \
"      status.textContent = \"The server could not be reached; try " \
"again.\";\n" \
"    });\n" \
"  });\n" \
"})();\n"

#define HEAD \
"<!doctype html>\n" \
"<html lang=\"en\">\n" \
"<head>\n" \
"<meta charset=\"utf-8\">\n" \
"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" \
"<meta name=\"referrer\" content=\"no-referrer\">\n" \
"<title>Accept the invitation</title>\n" \
"<style>"

#define BODY \
"</style>\n" \
"</head>\n" \
"<body>\n" \
"<main>\n" \
"<h1>Join the team</h1>\n" \
"<p>You have been invited to join a team on uptime. Give your name to " \
"accept; the address and the role are the invitation's.</p>\n" \
"<form id=\"accept\" hidden>\n" \
"<label for=\"name\">Your name</label>\n" \
"<input id=\"name\" name=\"name\" maxlength=\"255\" required " \
"autocomplete=\"name\">\n" \
"<button type=\"submit\">Accept the invitation</button>\n" \
"</form>\n" \
"<p id=\"status\" role=\"status\"></p>\n" \
"<noscript><p>This page needs JavaScript to send the token of the " \
"link. Without it, POST <code>{\"token\": \"&lt;the part of the link " \
"after #token=&gt;\", \"name\": \"Your Name\"}</code> as " \
"<code>application/json</code> to this address.</p></noscript>\n" \
"</main>\n" \
"<script>"

#define TAIL \
"</script>\n" \
"</body>\n" \
"</html>\n"

static const char style[] = STYLE;
static const char script[] = SCRIPT;
static const char page[] = HEAD STYLE BODY SCRIPT TAIL;

const char *
invite_page_csp(void)
{
	static char	 csp[CSP_MAX];
	char		 js[64], css[64];

	if (csp[0] == '\0') {
		csp_hash_source(script, js, sizeof(js));
		csp_hash_source(style, css, sizeof(css));
		snprintf(csp, sizeof(csp), "default-src 'none'; script-src %s; "
		    "style-src %s; connect-src 'self'; base-uri 'none'; "
		    "form-action 'none'; frame-ancestors 'none'", js, css);
	}
	return csp;
}

const char *
invite_page_html(void)
{
	return page;
}
