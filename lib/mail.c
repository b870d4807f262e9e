/*
 * Outgoing mail: address checks, MIME message building, the SMTP send
 * through libcurl, and the outbox (mail_outbox) recording every attempt.
 *
 * Messages are text/plain in UTF-8.  Header values are refused when they
 * hold CR, LF or other control characters, so no caller can add a header
 * through a subject or an address.  libcurl does the SMTP dot-stuffing.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "base.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "ids.h"
#include "json.h"
#include "mail.h"
#include "timefmt.h"

#define LINE_MAX_7BIT	998	/* RFC 5322 line limit, without CRLF */
#define QP_LINE		76	/* quoted-printable line, with its '=' */
#define EW_CHUNK	45	/* bytes per encoded word: 60 base64 chars */

const char *const mail_status_names[MAIL_STATUS__MAX] = {
	"sent", "failed", "not_configured"
};

enum stmt {
	STMT_RECORD,
	STMT__MAX
};

static const char *const sqls[STMT__MAX] = {
	/* STMT_RECORD */
	"INSERT INTO mail_outbox (id, team_id, kind, ref_id, to_addr, "
	"subject, status, error, created_at, sent_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
};

/* A header value: valid UTF-8 without control characters but TAB. */
static int
check_value(const char *what, const char *v, size_t max, char *err,
    size_t errlen)
{
	const unsigned char	*p;

	if (strlen(v) > max) {
		snprintf(err, errlen, "the %s is longer than %zu bytes", what,
		    max);
		return -1;
	}
	if (strpbrk(v, "\r\n") != NULL) {
		snprintf(err, errlen, "the %s must not contain CR or LF", what);
		return -1;
	}
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
			snprintf(err, errlen, "the %s must not contain control "
			    "characters", what);
			return -1;
		}
	if (utf8_chars(v) == -1) {
		snprintf(err, errlen, "the %s is not valid UTF-8", what);
		return -1;
	}
	return 0;
}

/* Plain printable ASCII that cannot be read as an encoded word. */
static int
plain_ascii(const char *v)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			return 0;
	return strstr(v, "=?") == NULL;
}

/* The length of the UTF-8 sequence that starts with c (1 for junk). */
static size_t
utf8_len(unsigned char c)
{
	return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

/*
 * v as RFC 2047 "B" encoded words of at most EW_CHUNK bytes each, never
 * splitting a character, folded onto continuation lines.
 */
static int
put_encoded(struct buf *b, const char *v)
{
	char	 b64[sodium_base64_ENCODED_LEN(EW_CHUNK,
		    sodium_base64_VARIANT_ORIGINAL)];
	size_t	 n, c, len = strlen(v);
	int	 first = 1;

	while (len > 0) {
		for (n = 0; n < len; n += c) {
			c = utf8_len((unsigned char)v[n]);
			if (n + c > EW_CHUNK)
				break;
		}
		sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)v,
		    n, sodium_base64_VARIANT_ORIGINAL);
		if (buf_printf(b, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ",
		    b64) == -1)
			return -1;
		first = 0;
		v += n;
		len -= n;
	}
	return 0;
}

/* "Name: value\r\n", the value encoded when it is not plain ASCII. */
static int
put_header(struct buf *b, const char *name, const char *v)
{
	if (buf_printf(b, "%s: ", name) == -1)
		return -1;
	if (plain_ascii(v) ? buf_puts(b, v) : put_encoded(b, v))
		return -1;
	return buf_puts(b, "\r\n");
}

/* From: the address, after a quoted or encoded display name if any. */
static int
put_from(struct buf *b, const char *addr, const char *name)
{
	const char	*p;

	if (buf_puts(b, "From: ") == -1)
		return -1;
	if (name[0] != '\0' && plain_ascii(name)) {
		if (buf_puts(b, "\"") == -1)
			return -1;
		for (p = name; *p != '\0'; p++)
			if (buf_printf(b, "%s%c", *p == '"' || *p == '\\' ?
			    "\\" : "", *p) == -1)
				return -1;
		if (buf_puts(b, "\" ") == -1)
			return -1;
	} else if (name[0] != '\0') {
		if (put_encoded(b, name) == -1 || buf_puts(b, " ") == -1)
			return -1;
	}
	return buf_printf(b, "<%s>\r\n", addr);
}

/* RFC 5322 date, in UTC, without the locale's names. */
static int
put_date(struct buf *b, int64_t now)
{
	static const char *const days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
		"Oct", "Nov", "Dec"
	};
	time_t		 t = (time_t)(now / 1000);
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	return buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* One body line in quoted-printable, soft-broken at QP_LINE. */
static int
put_qp_line(struct buf *b, const char *s, size_t n)
{
	char	 tok[4];
	size_t	 i, col = 0, tl;
	int	 c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if ((c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && i + 1 < n)) {
			tok[0] = (char)c;
			tl = 1;
		} else {
			snprintf(tok, sizeof(tok), "=%02X", c);
			tl = 3;
		}
		if (col + tl > QP_LINE - 1) {
			if (buf_puts(b, "=\r\n") == -1)
				return -1;
			col = 0;
		}
		if (buf_add(b, tok, tl) == -1)
			return -1;
		col += tl;
	}
	return buf_puts(b, "\r\n");
}

/*
 * The end of the line starting at s (its terminator: CRLF, LF or CR, or
 * the NUL), and where the next line starts.
 */
static const char *
line_end(const char *s, const char **next)
{
	const char	*e = s + strcspn(s, "\r\n");

	*next = e;
	if (*e == '\r' && e[1] == '\n')
		*next = e + 2;
	else if (*e != '\0')
		*next = e + 1;
	return e;
}

/* 7bit when every byte is ASCII and every line short, else QP. */
static int
body_is_7bit(const char *body)
{
	const char	*s, *e, *next;

	for (s = body; *s != '\0'; s = next) {
		e = line_end(s, &next);
		if (e - s > LINE_MAX_7BIT)
			return 0;
		for (; s < e; s++)
			if ((unsigned char)*s >= 0x80)
				return 0;
	}
	return 1;
}

int
mail_build(struct buf *out, const char *from, const char *to,
    const char *subject, const char *body, int64_t now, char *err,
    size_t errlen)
{
	char		 addr[MAIL_ADDR_MAX + 1], rcpt[MAIL_ADDR_MAX + 1];
	char		 name[256], rnd[ID_RANDLEN + 1];
	const char	*s, *e, *next;
	int		 seven;

	if (check_value("sender", from, 255, err, errlen) == -1 ||
	    check_value("recipient", to, MAIL_ADDR_MAX, err, errlen) == -1 ||
	    check_value("subject", subject, MAIL_SUBJECT_MAX, err,
	    errlen) == -1)
		return -1;
	if (mail_from_parse(from, addr, sizeof(addr), name,
	    sizeof(name)) == -1) {
		snprintf(err, errlen, "the sender is not an address");
		return -1;
	}
	if (mail_addr_normalize(to, rcpt, sizeof(rcpt)) == -1) {
		snprintf(err, errlen, "the recipient is not an address");
		return -1;
	}
	if (strlen(body) > MAIL_BODY_MAX || utf8_chars(body) == -1) {
		snprintf(err, errlen, "the body must be valid UTF-8 of at "
		    "most %d bytes", MAIL_BODY_MAX);
		return -1;
	}
	base62_random(rnd, ID_RANDLEN);
	rnd[ID_RANDLEN] = '\0';
	seven = body_is_7bit(body);
	if (put_date(out, now) == -1 ||
	    put_from(out, addr, name) == -1 ||
	    buf_printf(out, "To: <%s>\r\n", to) == -1 ||
	    put_header(out, "Subject", subject) == -1 ||
	    buf_printf(out, "Message-ID: <%s.%lld@%s>\r\n", rnd,
	    (long long)now, strchr(addr, '@') + 1) == -1 ||
	    buf_printf(out, "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: %s\r\n"
	    "Auto-Submitted: auto-generated\r\n\r\n",
	    seven ? "7bit" : "quoted-printable") == -1)
		goto nomem;
	for (s = body; *s != '\0'; s = next) {
		e = line_end(s, &next);
		if (seven ? buf_add(out, s, (size_t)(e - s)) == -1 ||
		    buf_puts(out, "\r\n") == -1 :
		    put_qp_line(out, s, (size_t)(e - s)) == -1)
			goto nomem;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* Is host (as libcurl's URL API gives it) a loopback address or name? */
static int
host_loopback(const char *host)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;
	char		 h[INET6_ADDRSTRLEN];
	size_t		 n = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n < 3 || n - 2 >= sizeof(h) || host[0] != '[' ||
	    host[n - 1] != ']')
		return 0;
	memcpy(h, host + 1, n - 2);
	h[n - 2] = '\0';
	return inet_pton(AF_INET6, h, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

int
mail_tls_required(const char *url, enum mail_tls mode)
{
	CURLU	*u;
	char	*host = NULL;
	int	 lo = 0;

	if (mode != MAIL_TLS_LOOPBACK_PLAIN)
		return mode != MAIL_TLS_OPPORTUNISTIC;
	if ((u = curl_url()) == NULL)
		return 1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		lo = host_loopback(host);
	curl_free(host);
	curl_url_cleanup(u);
	return !lo;
}

struct upload {
	const char	*p;
	size_t		 len;
	size_t		 off;
};

static size_t
upload_read(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct upload	*u = arg;
	size_t		 n = size * nmemb;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(dst, u->p + u->off, n);
	u->off += n;
	return n;
}

int
mail_send(const char *to, const char *subject, const char *body, char *err,
    size_t errlen)
{
	struct buf		 msg = { NULL, 0, 0 };
	struct upload		 up;
	struct curl_slist	*rcpt = NULL;
	CURL			*e = NULL;
	char			 from[MAIL_ADDR_MAX + 1], name[256];
	char			 env[MAIL_ADDR_MAX + 3], cerr[CURL_ERROR_SIZE];
	CURLcode		 cc;
	int			 rc = -1, tls;

	if (cfg.smtp_url[0] == '\0') {
		snprintf(err, errlen, "mail is not configured (UPTIME_SMTP_URL)");
		return -1;
	}
	if (mail_from_parse(cfg.mail_from, from, sizeof(from), name,
	    sizeof(name)) == -1) {
		snprintf(err, errlen, "UPTIME_MAIL_FROM is not an address");
		return -1;
	}
	if (mail_build(&msg, cfg.mail_from, to, subject, body, time_now_ms(),
	    err, errlen) == -1)
		goto done;
	snprintf(env, sizeof(env), "<%s>", to);
	if ((rcpt = curl_slist_append(NULL, env)) == NULL ||
	    (e = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	snprintf(env, sizeof(env), "<%s>", from);
	up.p = msg.p;
	up.len = msg.len;
	up.off = 0;
	cerr[0] = '\0';
	tls = mail_tls_required(cfg.smtp_url, (enum mail_tls)cfg.smtp_tls);
	if (curl_easy_setopt(e, CURLOPT_URL, cfg.smtp_url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps") !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROXY, "") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOPROXY, "*") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_MAIL_FROM, env) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_READFUNCTION, upload_read) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_READDATA, &up) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_USE_SSL, tls ? (long)CURLUSESSL_ALL :
	    (long)CURLUSESSL_TRY) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)MAIL_TIMEOUT_MS) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)MAIL_CONNECT_MS) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, cerr) != CURLE_OK ||
	    (cfg.ca_file[0] != '\0' && curl_easy_setopt(e, CURLOPT_CAINFO,
	    cfg.ca_file) != CURLE_OK)) {
		snprintf(err, errlen, "libcurl refused an SMTP option");
		goto done;
	}
	if ((cc = curl_easy_perform(e)) == CURLE_USE_SSL_FAILED) {
		snprintf(err, errlen, "the mail server does not offer "
		    "STARTTLS, and UPTIME_SMTP_TLS=%s requires TLS %s: nothing "
		    "was sent", mail_tls_names[cfg.smtp_tls],
		    cfg.smtp_tls == MAIL_TLS_REQUIRED ? "for every relay" :
		    "for a relay that is not on a loopback address");
		goto done;
	}
	if (cc != CURLE_OK) {
		snprintf(err, errlen, "%s", cerr[0] ? cerr :
		    curl_easy_strerror(cc));
		goto done;
	}
	rc = 0;
done:
	if (e != NULL)
		curl_easy_cleanup(e);
	curl_slist_free_all(rcpt);
	if (msg.p != NULL)
		sodium_memzero(msg.p, msg.len);
	buf_free(&msg);
	return rc;
}

enum mail_status
mail_deliver(struct db *db, const char *team, const char *kind,
    const char *ref, const char *to, const char *subject, const char *body)
{
	struct db_stmt	*st;
	char		 id[ID_MAX], err[512];
	int64_t		 started;
	int		 ok;

	if (cfg.smtp_url[0] == '\0')
		return MAIL_NOT_CONFIGURED;
	id_new(id, "msg");
	started = time_now_ms();
	ok = mail_send(to, subject, body, err, sizeof(err)) == 0;
	if (!ok)
		fprintf(stderr, "uptime: mail_deliver: %s (%s) failed: %s\n",
		    id, kind, err);
	if ((st = db_stmt(db, sqls[STMT_RECORD])) == NULL)
		goto norecord;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, team);
	db_bind_text(st, 3, kind);
	db_bind_text(st, 4, ref);
	db_bind_text(st, 5, to);
	db_bind_text(st, 6, subject);
	db_bind_text(st, 7, mail_status_names[ok ? MAIL_SENT : MAIL_FAILED]);
	db_bind_text(st, 8, ok ? NULL : err);
	db_bind_int64(st, 9, started);
	db_bind_time(st, 10, ok ? time_now_ms() : 0);
	if (db_exec_stmt(st) != DB_OK)
		goto norecord;
	return ok ? MAIL_SENT : MAIL_FAILED;
norecord:
	fprintf(stderr, "uptime: mail_deliver: cannot record %s\n", id);
	return ok ? MAIL_SENT : MAIL_FAILED;
}

/* What mail_later keeps: mail_deliver's arguments. */
struct mail_kept {
	char	*team, *kind, *ref, *to, *subject, *body;
};

static struct mail_kept	 kept[MAIL_LATER_MAX];
static size_t		 nkept;

static char *
dup_opt(const char *s, int *ok)
{
	char	*d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*ok = 0;
	return d;
}

static void
kept_free(struct mail_kept *k)
{
	if (k->body != NULL)
		sodium_memzero(k->body, strlen(k->body));
	free(k->team);
	free(k->kind);
	free(k->ref);
	free(k->to);
	free(k->subject);
	free(k->body);
	memset(k, 0, sizeof(*k));
}

int
mail_later(const char *team, const char *kind, const char *ref,
    const char *to, const char *subject, const char *body)
{
	struct mail_kept	*k;
	int			 ok = 1;

	if (nkept == MAIL_LATER_MAX)
		return -1;
	k = &kept[nkept];
	k->team = dup_opt(team, &ok);
	k->kind = dup_opt(kind, &ok);
	k->ref = dup_opt(ref, &ok);
	k->to = dup_opt(to, &ok);
	k->subject = dup_opt(subject, &ok);
	k->body = dup_opt(body, &ok);
	if (!ok) {
		kept_free(k);
		return -1;
	}
	nkept++;
	return 0;
}

void
mail_flush(struct db *db)
{
	size_t	 i;

	for (i = 0; i < nkept; i++) {
		(void)mail_deliver(db, kept[i].team, kept[i].kind, kept[i].ref,
		    kept[i].to, kept[i].subject, kept[i].body);
		kept_free(&kept[i]);
	}
	nkept = 0;
}

void
mail_text_clean(const char *s, char *out, size_t outlen)
{
	size_t	 i;

	snprintf(out, outlen, "%s", s);
	for (i = 0; out[i] != '\0'; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
}
