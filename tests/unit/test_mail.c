/*
 * Unit tests of lib/mail.c: address checks, the sender's two forms, the
 * message mail_build() makes (headers once each and in order, CRLF
 * lines, the Date, RFC 2047 subjects, 7bit or quoted-printable bodies),
 * its refusals (CR, LF and control characters in header values, bad
 * UTF-8, sizes), mail_send()/mail_deliver() without a mail server, and
 * which relays UPTIME_SMTP_TLS lets go without TLS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "uptime.h"
#include "mail.h"
#include "unit.h"

#define NOW	1771070400000LL		/* 2026-02-14T12:00:00Z, a Saturday */

/* Build a message; its text (caller frees) or NULL with err filled. */
static char *
build(const char *from, const char *to, const char *subject,
    const char *body, char *err, size_t errlen)
{
	struct buf	 b = { NULL, 0, 0 };

	err[0] = '\0';
	if (mail_build(&b, from, to, subject, body, NOW, err, errlen) == -1) {
		buf_free(&b);
		return NULL;
	}
	return b.p;
}

/* The value of header name in msg (unfolded, into out), or NULL. */
static const char *
header(const char *msg, const char *name, char *out, size_t outlen)
{
	const char	*p = msg, *end = strstr(msg, "\r\n\r\n");
	size_t		 n = strlen(name), o = 0;

	for (; p != NULL && p < end; p = strstr(p, "\r\n") + 2) {
		if (strncmp(p, name, n) != 0 || p[n] != ':')
			continue;
		for (p += n + 2; p < end; p++) {
			if (p[0] == '\r' && p[1] == '\n' && p[2] != ' ')
				break;
			if (p[0] == '\r' || p[0] == '\n')
				continue;
			if (o + 1 < outlen)
				out[o++] = *p;
		}
		out[o] = '\0';
		return out;
	}
	return NULL;
}

/* How many header lines start with "name:". */
static int
count_header(const char *msg, const char *name)
{
	const char	*p, *end = strstr(msg, "\r\n\r\n");
	size_t		 n = strlen(name);
	int		 c = 0;

	for (p = msg; p != NULL && p < end; p = strstr(p, "\r\n") + 2)
		if (strncmp(p, name, n) == 0 && p[n] == ':')
			c++;
	return c;
}

/* Every LF is preceded by CR and every CR followed by LF. */
static int
crlf_only(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if ((s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) ||
		    (s[i] == '\r' && s[i + 1] != '\n'))
			return 0;
	return 1;
}

/* The longest line of s, CRLF excluded. */
static size_t
longest_line(const char *s)
{
	size_t	 max = 0, n;

	for (;;) {
		n = strcspn(s, "\r");
		if (n > max)
			max = n;
		if (s[n] == '\0')
			return max;
		s += n + 2;
	}
}

/* Decode a quoted-printable body into out; -1 on a bad escape. */
static int
qp_decode(const char *in, char *out, size_t outlen)
{
	size_t		 o = 0;
	unsigned	 v;

	while (*in != '\0' && o + 1 < outlen) {
		if (in[0] == '=' && in[1] == '\r' && in[2] == '\n')
			in += 3;
		else if (in[0] == '=') {
			if (sscanf(in + 1, "%2X", &v) != 1)
				return -1;
			out[o++] = (char)v;
			in += 3;
		} else if (in[0] == '\r' && in[1] == '\n') {
			out[o++] = '\n';
			in += 2;
		} else
			out[o++] = *in++;
	}
	out[o] = '\0';
	return 0;
}

/* Decode "=?UTF-8?B?...?=" words (separated by spaces) into out. */
static int
ew_decode(const char *in, char *out, size_t outlen)
{
	const char	*e;
	size_t		 o = 0, bin;

	while (*in != '\0') {
		if (*in == ' ') {
			in++;
			continue;
		}
		if (strncmp(in, "=?UTF-8?B?", 10) != 0 ||
		    (e = strstr(in + 10, "?=")) == NULL ||
		    e - in > 75)
			return -1;
		if (sodium_base642bin((unsigned char *)out + o, outlen - o - 1,
		    in + 10, (size_t)(e - in - 10), NULL, &bin, NULL,
		    sodium_base64_VARIANT_ORIGINAL) != 0)
			return -1;
		o += bin;
		in = e + 2;
	}
	out[o] = '\0';
	return 0;
}

static void
test_addr_normalize(void)
{
	char	 out[MAIL_ADDR_MAX + 1], addr[300];
	size_t	 i;
	static const char *const good[] = {
		"a@b", "ann@example.com", "Ann.Lee+ops@Example.COM",
		"o'neil@x-y.example", "#!$%&'*+-/=?^_`{|}~@example.com",
		"a@1.2.3.4", "uptime@localhost",
	};
	static const char *const bad[] = {
		"", "a", "a@", "@b.c", "ab.c", "a@b@c", ".a@b.c", "a.@b.c",
		"a..b@c.d", "a@b..c", "a@.b", "a@b.", "a@-b.c", "a@b-.c",
		"a b@c.d", "a@b c.d", "a\"b@c.d", "a(b)@c.d", "a,b@c.d",
		"a@b_c.d", "<a@b.c>", "a@[1.2.3.4]", "ä@b.c", "a@bä.c",
		"a@b.c\r\n", "a\r\n@b.c", "a@b.c\n", "a\t@b.c",
	};

	CHECK_INT(mail_addr_normalize("Ann.Lee@Example.COM", out,
	    sizeof(out)), 0);
	CHECK_STR(out, "ann.lee@example.com");
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (mail_addr_normalize(good[i], out, sizeof(out)) != 0) {
			fprintf(stderr, "refused \"%s\"\n", good[i]);
			unit_current_failed = 1;
		}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mail_addr_normalize(bad[i], out, sizeof(out)) != -1) {
			fprintf(stderr, "accepted \"%s\"\n", bad[i]);
			unit_current_failed = 1;
		}

	/* Local part 64 and 65; a label 63 and 64; 254 and 255 in all. */
	snprintf(addr, sizeof(addr), "%064d@b.c", 0);
	CHECK_INT(mail_addr_normalize(addr, out, sizeof(out)), 0);
	snprintf(addr, sizeof(addr), "%065d@b.c", 0);
	CHECK_INT(mail_addr_normalize(addr, out, sizeof(out)), -1);
	snprintf(addr, sizeof(addr), "a@%063d.c", 0);
	CHECK_INT(mail_addr_normalize(addr, out, sizeof(out)), 0);
	snprintf(addr, sizeof(addr), "a@%064d.c", 0);
	CHECK_INT(mail_addr_normalize(addr, out, sizeof(out)), -1);
	snprintf(addr, sizeof(addr), "%064d@%063d.%063d.%057d.com", 0, 0, 0,
	    0);
	CHECK_INT(strlen(addr), 254);
	CHECK_INT(mail_addr_normalize(addr, out, sizeof(out)), 0);
	snprintf(addr, sizeof(addr), "%064d@%063d.%063d.%058d.com", 0, 0, 0,
	    0);
	CHECK_INT(mail_addr_normalize(addr, out, sizeof(out)), -1);
	/* An out buffer too small is a refusal, not a truncation. */
	CHECK_INT(mail_addr_normalize("ann@example.com", out, 10), -1);
}

static void
test_from_parse(void)
{
	char	 addr[MAIL_ADDR_MAX + 1], name[256];

	CHECK_INT(mail_from_parse("Bot@Uptime.Test", addr, sizeof(addr), name,
	    sizeof(name)), 0);
	CHECK_STR(addr, "bot@uptime.test");
	CHECK_STR(name, "");
	CHECK_INT(mail_from_parse("  Uptime Bot  <bot@uptime.test>", addr,
	    sizeof(addr), name, sizeof(name)), 0);
	CHECK_STR(addr, "bot@uptime.test");
	CHECK_STR(name, "Uptime Bot");
	CHECK_INT(mail_from_parse("<bot@uptime.test>", addr, sizeof(addr),
	    name, sizeof(name)), 0);
	CHECK_STR(name, "");
	CHECK_INT(mail_from_parse("Bot <bot@uptime.test", addr, sizeof(addr),
	    name, sizeof(name)), -1);
	CHECK_INT(mail_from_parse("Bot <nope>", addr, sizeof(addr), name,
	    sizeof(name)), -1);
	CHECK_INT(mail_from_parse("Bot <>", addr, sizeof(addr), name,
	    sizeof(name)), -1);
	CHECK_INT(mail_from_parse("Bot <a@b.c> x", addr, sizeof(addr), name,
	    sizeof(name)), -1);
	CHECK_INT(mail_from_parse("Bot", addr, sizeof(addr), name,
	    sizeof(name)), -1);
}

static void
test_build_ascii(void)
{
	char	 err[256], v[512];
	char	*m;
	const char *body;

	m = build("\"Up\\time\" Bot <Bot@Uptime.Test>", "ann@example.com",
	    "Your invitation", "Line one\nline two\r\nline three\rlast", err,
	    sizeof(err));
	CHECK(m != NULL);
	if (m == NULL) {
		fprintf(stderr, "mail_build: %s\n", err);
		return;
	}
	CHECK(crlf_only(m));
	CHECK_STR(header(m, "Date", v, sizeof(v)),
	    "Sat, 14 Feb 2026 12:00:00 +0000");
	CHECK_STR(header(m, "From", v, sizeof(v)),
	    "\"\\\"Up\\\\time\\\" Bot\" <bot@uptime.test>");
	CHECK_STR(header(m, "To", v, sizeof(v)), "<ann@example.com>");
	CHECK_STR(header(m, "Subject", v, sizeof(v)), "Your invitation");
	CHECK_STR(header(m, "MIME-Version", v, sizeof(v)), "1.0");
	CHECK_STR(header(m, "Content-Type", v, sizeof(v)),
	    "text/plain; charset=utf-8");
	CHECK_STR(header(m, "Content-Transfer-Encoding", v, sizeof(v)),
	    "7bit");
	CHECK(header(m, "Message-ID", v, sizeof(v)) != NULL);
	CHECK(v[0] == '<' && strstr(v, "@uptime.test>") != NULL &&
	    strchr(v + 1, '<') == NULL);
	CHECK(strncmp(m, "Date: ", 6) == 0);
	CHECK(strstr(m, "Date:") < strstr(m, "From:") &&
	    strstr(m, "From:") < strstr(m, "To:") &&
	    strstr(m, "To:") < strstr(m, "Subject:"));
	CHECK_INT(count_header(m, "Date"), 1);
	CHECK_INT(count_header(m, "From"), 1);
	CHECK_INT(count_header(m, "To"), 1);
	CHECK_INT(count_header(m, "Subject"), 1);
	CHECK_INT(count_header(m, "Message-ID"), 1);
	body = strstr(m, "\r\n\r\n") + 4;
	CHECK_STR(body, "Line one\r\nline two\r\nline three\r\nlast\r\n");
	free(m);

	/* A trailing newline does not add an empty line; no body is fine. */
	m = build("bot@uptime.test", "a@b.c", "s", "one\n", err, sizeof(err));
	CHECK(m != NULL && strcmp(strstr(m, "\r\n\r\n") + 4, "one\r\n") == 0);
	free(m);
	m = build("bot@uptime.test", "a@b.c", "s", "", err, sizeof(err));
	CHECK(m != NULL && strcmp(strstr(m, "\r\n\r\n") + 4, "") == 0);
	free(m);
	/* Two messages never share a Message-ID. */
	{
		char	 v2[512];
		char	*m2;

		m = build("bot@uptime.test", "a@b.c", "s", "x", err,
		    sizeof(err));
		m2 = build("bot@uptime.test", "a@b.c", "s", "x", err,
		    sizeof(err));
		CHECK(m != NULL && m2 != NULL);
		if (m != NULL && m2 != NULL)
			CHECK(strcmp(header(m, "Message-ID", v, sizeof(v)),
			    header(m2, "Message-ID", v2, sizeof(v2))) != 0);
		free(m);
		free(m2);
	}
}

static void
test_build_encoded_subject(void)
{
	char	 err[256], v[2048], dec[1024], subject[600];
	char	*m, *w;
	size_t	 i;

	/* Long enough for several encoded words, with 2-, 3- and 4-byte
	 * characters that must never be split between words. */
	snprintf(subject, sizeof(subject), "Équipe Ωmega — 日本のチーム 🚀 "
	    "%s", "and more text after the characters, to wrap around");
	m = build("Bot <bot@uptime.test>", "a@b.c", subject, "x", err,
	    sizeof(err));
	CHECK(m != NULL);
	if (m == NULL)
		return;
	CHECK(crlf_only(m));
	CHECK(header(m, "Subject", v, sizeof(v)) != NULL);
	CHECK(strncmp(v, "=?UTF-8?B?", 10) == 0);
	CHECK(strstr(v, " =?UTF-8?B?") != NULL);	/* more than one word */
	CHECK_INT(ew_decode(v, dec, sizeof(dec)), 0);
	CHECK_STR(dec, subject);
	/* Each word alone is whole UTF-8. */
	for (w = strtok(v, " "); w != NULL; w = strtok(NULL, " ")) {
		CHECK(strlen(w) <= 75);
		CHECK_INT(ew_decode(w, dec, sizeof(dec)), 0);
		CHECK(utf8_chars(dec) > 0);
	}
	CHECK(longest_line(m) <= 998);
	/* The header block holds no byte over 0x7e. */
	for (i = 0; m + i < strstr(m, "\r\n\r\n"); i++)
		CHECK((unsigned char)m[i] < 0x7f);
	free(m);

	/* ASCII that looks like an encoded word is encoded too. */
	m = build("bot@uptime.test", "a@b.c", "=?UTF-8?B?SGk=?=", "x", err,
	    sizeof(err));
	CHECK(m != NULL && header(m, "Subject", v, sizeof(v)) != NULL &&
	    ew_decode(v, dec, sizeof(dec)) == 0 &&
	    strcmp(dec, "=?UTF-8?B?SGk=?=") == 0);
	free(m);

	/* A non-ASCII display name is encoded before the address. */
	m = build("Bötchen <bot@uptime.test>", "a@b.c", "s", "x", err,
	    sizeof(err));
	CHECK(m != NULL && header(m, "From", v, sizeof(v)) != NULL);
	if (m != NULL) {
		CHECK(strncmp(v, "=?UTF-8?B?", 10) == 0);
		CHECK(strstr(v, "?= <bot@uptime.test>") != NULL);
		*strstr(v, " <") = '\0';
		CHECK(ew_decode(v, dec, sizeof(dec)) == 0 &&
		    strcmp(dec, "Bötchen") == 0);
	}
	free(m);
}

static void
test_build_quoted_printable(void)
{
	char	 err[256], v[256], dec[8192], body[4096];
	char	*m;
	const char *b;

	snprintf(body, sizeof(body), "Grüße aus Köln = 100%%, trailing "
	    "space \nand tab\t\n.a line starting with a dot\n%s end\n",
	    "a long line that goes on and on beyond the seventy-six "
	    "characters a quoted-printable line may hold, ünïcödé included");
	m = build("bot@uptime.test", "a@b.c", "s", body, err, sizeof(err));
	CHECK(m != NULL);
	if (m == NULL)
		return;
	CHECK(crlf_only(m));
	CHECK_STR(header(m, "Content-Transfer-Encoding", v, sizeof(v)),
	    "quoted-printable");
	b = strstr(m, "\r\n\r\n") + 4;
	CHECK(longest_line(b) <= 76);
	for (; *b != '\0'; b++)
		CHECK((unsigned char)*b < 0x7f);
	b = strstr(m, "\r\n\r\n") + 4;
	CHECK(strstr(b, "=3D") != NULL);		/* '=' escaped */
	CHECK(strstr(b, "space=20\r\n") != NULL);	/* trailing space */
	CHECK(strstr(b, "tab=09\r\n") != NULL);		/* trailing tab */
	CHECK_INT(qp_decode(b, dec, sizeof(dec)), 0);
	CHECK_STR(dec, body);
	free(m);

	/* A line over 998 bytes makes an ASCII body quoted-printable. */
	memset(body, 'x', 1200);
	body[1200] = '\0';
	m = build("bot@uptime.test", "a@b.c", "s", body, err, sizeof(err));
	CHECK(m != NULL && header(m, "Content-Transfer-Encoding", v,
	    sizeof(v)) != NULL && strcmp(v, "quoted-printable") == 0);
	CHECK(m != NULL && longest_line(m) <= 998);
	free(m);
	memset(body, 'x', 998);
	body[998] = '\0';
	m = build("bot@uptime.test", "a@b.c", "s", body, err, sizeof(err));
	CHECK(m != NULL && header(m, "Content-Transfer-Encoding", v,
	    sizeof(v)) != NULL && strcmp(v, "7bit") == 0);
	free(m);
}

/* mail_build must refuse, with an error naming the problem. */
static void
refused(const char *from, const char *to, const char *subject,
    const char *body, const char *want, int line)
{
	char	 err[256];
	char	*m;

	if ((m = build(from, to, subject, body, err, sizeof(err))) != NULL) {
		fprintf(stderr, "%s:%d: accepted\n", __FILE__, line);
		unit_current_failed = 1;
		free(m);
	} else if (strstr(err, want) == NULL) {
		fprintf(stderr, "%s:%d: error \"%s\" lacks \"%s\"\n", __FILE__,
		    line, err, want);
		unit_current_failed = 1;
	}
}

#define REFUSED(f, t, s, b, w)	refused((f), (t), (s), (b), (w), __LINE__)

static void
test_build_refusals(void)
{
	static char	 big[MAIL_BODY_MAX + 2], subj[MAIL_SUBJECT_MAX + 2];
	const char	*f = "bot@uptime.test", *t = "a@b.c";

	REFUSED(f, t, "Hi\r\nBcc: victim@example.com", "x", "CR or LF");
	REFUSED(f, t, "Hi\nBcc: victim@example.com", "x", "CR or LF");
	REFUSED(f, t, "Hi\r", "x", "CR or LF");
	REFUSED(f, t, "bell\a", "x", "control");
	REFUSED(f, t, "del\x7f", "x", "control");
	REFUSED(f, "a@b.c\r\nBcc: v@example.com", "s", "x", "CR or LF");
	REFUSED(f, "a@b.c>\r\nRCPT TO:<v@example.com", "s", "x", "CR or LF");
	REFUSED(f, "not an address", "s", "x", "recipient");
	REFUSED(f, "<a@b.c>", "s", "x", "recipient");
	REFUSED("Bot\r\n <bot@uptime.test>", t, "s", "x", "CR or LF");
	REFUSED("nobody", t, "s", "x", "sender");
	REFUSED(f, t, "bad \xc3\x28 utf-8", "x", "UTF-8");
	REFUSED(f, t, "s", "bad \xff utf-8", "UTF-8");
	memset(big, 'x', sizeof(big) - 1);
	REFUSED(f, t, "s", big, "UTF-8 of at most");
	memset(subj, 'x', sizeof(subj) - 1);
	REFUSED(f, t, subj, "x", "longer than");
	subj[MAIL_SUBJECT_MAX] = '\0';
	{
		char	 err[256];
		char	*m = build(f, t, subj, "x", err, sizeof(err));

		CHECK(m != NULL);	/* exactly at the limit */
		free(m);
	}
}

static void
test_send_without_server(void)
{
	char	 err[512];

	/* Not configured: nothing is tried and nothing is recorded. */
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.mail_from, sizeof(cfg.mail_from), "bot@uptime.test");
	err[0] = '\0';
	CHECK_INT(mail_send("a@b.c", "s", "x", err, sizeof(err)), -1);
	CHECK(strstr(err, "UPTIME_SMTP_URL") != NULL);
	CHECK_INT(mail_deliver(NULL, NULL, "test", NULL, "a@b.c", "s", "x"),
	    MAIL_NOT_CONFIGURED);

	/* A closed port: -1 at once, and the error never repeats the URL
	 * (it may hold a password). */
	snprintf(cfg.smtp_url, sizeof(cfg.smtp_url),
	    "smtp://user:hunter2@127.0.0.1:1");
	err[0] = '\0';
	CHECK_INT(mail_send("a@b.c", "s", "x", err, sizeof(err)), -1);
	CHECK(err[0] != '\0');
	CHECK(strstr(err, "hunter2") == NULL);
	/* A bad message is refused before any connection. */
	CHECK_INT(mail_send("a@b.c", "s\r\nBcc: x@y.z", "x", err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "CR or LF") != NULL);
	/* Only smtp and smtps: another scheme is refused by libcurl. */
	snprintf(cfg.smtp_url, sizeof(cfg.smtp_url), "http://127.0.0.1:1/");
	CHECK_INT(mail_send("a@b.c", "s", "x", err, sizeof(err)), -1);
	memset(&cfg, 0, sizeof(cfg));
}

/*
 * Under loopback-plain (the default) only a literal loopback address or
 * the name localhost may go without TLS: any other name might resolve
 * anywhere, so it needs TLS even when it resolves to 127.0.0.1.
 */
static void
test_tls_required(void)
{
	static const struct {
		const char	*url;
		int		 need;
	} cases[] = {
		{ "smtp://127.0.0.1:25", 0 },
		{ "smtp://127.0.0.1", 0 },
		{ "smtp://127.8.9.10:2525", 0 },
		{ "smtp://user:pw@127.0.0.1:587", 0 },
		{ "smtp://[::1]:25", 0 },
		{ "smtp://localhost:25", 0 },
		{ "smtp://LocalHost", 0 },
		{ "smtp://mail.example.com:587", 1 },
		{ "smtp://smtp.example.com", 1 },
		{ "smtp://10.0.0.5:25", 1 },
		{ "smtp://192.168.1.2:25", 1 },
		{ "smtp://128.0.0.1:25", 1 },
		{ "smtp://[::2]:25", 1 },
		{ "smtp://[::ffff:10.0.0.1]:25", 1 },
		{ "smtp://[fe80::1]:25", 1 },
		{ "smtp://127.0.0.1.example.com:25", 1 },
		{ "smtp://localhost.example.com:25", 1 },
		{ "smtp://mail.localhost.example:25", 1 },
		{ "smtp://", 1 },
		{ "not a url", 1 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (mail_tls_required(cases[i].url, MAIL_TLS_LOOPBACK_PLAIN) !=
		    cases[i].need) {
			fprintf(stderr, "%s:%d: loopback-plain, %s: TLS %s\n",
			    __FILE__, __LINE__, cases[i].url, cases[i].need ?
			    "not required" : "required");
			unit_current_failed = 1;
		}
		CHECK_INT(mail_tls_required(cases[i].url, MAIL_TLS_REQUIRED),
		    1);
		CHECK_INT(mail_tls_required(cases[i].url,
		    MAIL_TLS_OPPORTUNISTIC), 0);
	}
	CHECK_STR(mail_tls_names[MAIL_TLS_REQUIRED], "required");
	CHECK_STR(mail_tls_names[MAIL_TLS_LOOPBACK_PLAIN], "loopback-plain");
	CHECK_STR(mail_tls_names[MAIL_TLS_OPPORTUNISTIC], "opportunistic");
	/* A configuration never loaded requires TLS. */
	CHECK_INT(MAIL_TLS_REQUIRED, 0);
}

static void
test_status_names(void)
{
	CHECK_STR(mail_status_names[MAIL_SENT], "sent");
	CHECK_STR(mail_status_names[MAIL_FAILED], "failed");
	CHECK_STR(mail_status_names[MAIL_NOT_CONFIGURED], "not_configured");
}

int
main(void)
{
	if (sodium_init() == -1 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	UNIT_RUN(test_addr_normalize);
	UNIT_RUN(test_from_parse);
	UNIT_RUN(test_build_ascii);
	UNIT_RUN(test_build_encoded_subject);
	UNIT_RUN(test_build_quoted_printable);
	UNIT_RUN(test_build_refusals);
	UNIT_RUN(test_send_without_server);
	UNIT_RUN(test_tls_required);
	UNIT_RUN(test_status_names);
	curl_global_cleanup();
	return unit_finish();
}
