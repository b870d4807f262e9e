/*
 * Configuration: the settings table, the configuration file and the
 * UPTIME_* environment variables.  Programs call config_load() once at
 * start-up, before serving anything: under FastCGI the per-request
 * parameters are not the process environment, so nothing reads the
 * environment or the file after that.
 *
 * Each setting takes, in this order of precedence, its environment
 * variable, its line in the file UPTIME_CONFIG names (by default
 * CONFIG_DEFAULT_FILE, when that exists), or its default; where it came
 * from is kept for messages (config_blame) and `uptime-admin config
 * check` (config_show).  The file's syntax is docs/lib/config.md's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "config.h"
#include "mailaddr.h"
#include "target.h"

#define CONFIG_FILE_MAX	(64 * 1024)	/* bytes of the file */
#define CONFIG_LINE_MAX	4096		/* bytes of a line */

struct config cfg;

struct setting;
typedef int	(*setting_parse)(const struct setting *, const char *, char *,
		    size_t);

/* How config_show() prints a field. */
enum setting_kind {
	KIND_STR,		/* char[size] */
	KIND_LONG,		/* long */
	KIND_BOOL,		/* int, 0 or 1 */
	KIND_TLS,		/* int, enum mail_tls */
};

struct setting {
	const char		*name;
	enum setting_kind	 kind;
	setting_parse		 parse;	/* text to field; -1 with a message */
	size_t			 off;	/* the field in struct config */
	size_t			 size;	/* of a KIND_STR field */
	const char		*def;	/* the default, as text */
	long			 min, max;	/* KIND_LONG */
	int			 secret;	/* may hold a password */
};

static int	p_str(const struct setting *, const char *, char *, size_t);
static int	p_file(const struct setting *, const char *, char *, size_t);
static int	p_long(const struct setting *, const char *, char *, size_t);
static int	p_bool(const struct setting *, const char *, char *, size_t);
static int	p_service_url(const struct setting *, const char *, char *,
		    size_t);
static int	p_public_url(const struct setting *, const char *, char *,
		    size_t);
static int	p_smtp_url(const struct setting *, const char *, char *,
		    size_t);
static int	p_smtp_tls(const struct setting *, const char *, char *,
		    size_t);
static int	p_mail_from(const struct setting *, const char *, char *,
		    size_t);
static int	p_origins(const struct setting *, const char *, char *,
		    size_t);
static int	p_canaries(const struct setting *, const char *, char *,
		    size_t);

#define STR(n, p, f, d) \
	{ (n), KIND_STR, (p), offsetof(struct config, f), \
	  sizeof(cfg.f), (d), 0, 0, 0 }
#define NUM(n, f, d, lo, hi) \
	{ (n), KIND_LONG, p_long, offsetof(struct config, f), 0, (d), \
	  (lo), (hi), 0 }

/* Every setting, in the order of README's table. */
static const struct setting settings[] = {
	STR("UPTIME_DB", p_file, db, "/var/lib/uptime/uptime.db"),
	STR("UPTIME_SECRET_FILE", p_file, secret_file,
	    "/var/lib/uptime/secret"),
	STR("UPTIME_PUBLIC_URL", p_public_url, public_url,
	    "http://127.0.0.1:8080"),
	{ "UPTIME_ALLOW_PRIVATE_TARGETS", KIND_BOOL, p_bool,
	  offsetof(struct config, allow_private), 0, "0", 0, 0, 0 },
	{ "UPTIME_SMTP_URL", KIND_STR, p_smtp_url,
	  offsetof(struct config, smtp_url), sizeof(cfg.smtp_url), "", 0, 0,
	  1 },
	STR("UPTIME_MAIL_FROM", p_mail_from, mail_from, "uptime@localhost"),
	{ "UPTIME_SMTP_TLS", KIND_TLS, p_smtp_tls,
	  offsetof(struct config, smtp_tls), 0, "loopback-plain", 0, 0, 0 },
	STR("UPTIME_PAGERDUTY_URL", p_service_url, pagerduty_url,
	    "https://events.pagerduty.com/v2/enqueue"),
	STR("UPTIME_TELEGRAM_URL", p_service_url, telegram_url,
	    "https://api.telegram.org"),
	NUM("UPTIME_INVITE_TTL_SECONDS", invite_ttl, "604800", 60, 2592000),
	NUM("UPTIME_SESSION_IDLE_SECONDS", session_idle, "28800", 60,
	    2592000),
	NUM("UPTIME_SESSION_MAX_SECONDS", session_max, "604800", 60,
	    31536000),
	NUM("UPTIME_LOGIN_LIMIT", login_limit, "10", 1, 1000000),
	NUM("UPTIME_PASSWORD_LINK_TTL_SECONDS", link_ttl, "86400", 60,
	    2592000),
	STR("UPTIME_CORS_ORIGINS", p_origins, cors_origins, "*"),
	NUM("UPTIME_RATE_LIMIT", rate_limit, "600", 1, 1000000),
	NUM("UPTIME_AUTH_FAIL_LIMIT", auth_fail_limit, "100", 1, 1000000),
	NUM("UPTIME_CHECK_CONCURRENCY", check_concurrency, "0", 0, 16384),
	NUM("UPTIME_CHECK_TEAM_CONCURRENCY", check_team_concurrency, "0", 0,
	    16384),
	STR("UPTIME_DNS_SERVERS", p_str, dns_servers, ""),
	STR("UPTIME_CA_FILE", p_str, ca_file, ""),
	STR("UPTIME_CANARY_URLS", p_canaries, canary_urls, ""),
	NUM("UPTIME_RETENTION_DAYS", retention_days, "30", 1, 3650),
	NUM("UPTIME_MAX_KEYS", max_keys, "50", 1, 10000),
	NUM("UPTIME_MAX_MONITORS", max_monitors, "1000", 1, 100000),
	NUM("UPTIME_MAX_ALERT_CHANNELS", max_channels, "100", 1, 10000),
	NUM("UPTIME_MAX_STATUS_PAGES", max_pages, "50", 1, 10000),
	NUM("UPTIME_MAX_MAINTENANCE_WINDOWS", max_windows, "500", 1, 100000),
	NUM("UPTIME_MAX_RUN_NOW", max_run_now, "1", 1, 100),
	NUM("UPTIME_CHECK_RATE_LIMIT", check_rate_limit, "10", 1, 1000),
	NUM("UPTIME_DOMAIN_VERIFY_LIMIT", verify_limit, "10", 1, 1000),
	NUM("UPTIME_AUDIT_RETENTION_DAYS", audit_days, "90", 1, 3650),
};

#define NSETTINGS	(sizeof(settings) / sizeof(settings[0]))

/* Where each setting's value came from: 0 the default, -1 the
 * environment, else its line in cfg.file; and whether that value was
 * refused (config_check() then holds the default). */
static int	 origin[NSETTINGS];
static int	 refused[NSETTINGS];

static char *
field(const struct setting *s)
{
	return (char *)&cfg + s->off;
}

static int
p_str(const struct setting *s, const char *v, char *why, size_t whylen)
{
	if (strlen(v) >= s->size) {
		snprintf(why, whylen, "%s is too long (at most %zu bytes)",
		    s->name, s->size - 1);
		return -1;
	}
	memcpy(field(s), v, strlen(v) + 1);
	return 0;
}

static int
p_file(const struct setting *s, const char *v, char *why, size_t whylen)
{
	if (*v == '\0') {
		snprintf(why, whylen, "%s must name a file", s->name);
		return -1;
	}
	return p_str(s, v, why, whylen);
}

/* An empty number is the default. */
static int
p_long(const struct setting *s, const char *v, char *why, size_t whylen)
{
	char	*end;
	long	 n;

	if (*v == '\0')
		v = s->def;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || end == v || n < s->min ||
	    n > s->max) {
		snprintf(why, whylen, "%s must be a whole number from %ld to "
		    "%ld, not \"%.40s\"", s->name, s->min, s->max, v);
		return -1;
	}
	memcpy(field(s), &n, sizeof(n));
	return 0;
}

static int
p_bool(const struct setting *s, const char *v, char *why, size_t whylen)
{
	int	 b;

	if (*v == '\0' || strcmp(v, "0") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "no") == 0 || strcmp(v, "off") == 0)
		b = 0;
	else if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "yes") == 0 || strcmp(v, "on") == 0)
		b = 1;
	else {
		snprintf(why, whylen, "%s must be 1 or 0 (true/false, yes/no, "
		    "on/off), not \"%.40s\"", s->name, v);
		return -1;
	}
	memcpy(field(s), &b, sizeof(b));
	return 0;
}

int
config_canaries(const char *v,
    char urls[CONFIG_CANARY_MAX][CONFIG_CANARY_URLMAX + 1], char *why,
    size_t whylen)
{
	const char	*p = v, *end;
	char		 r[128];
	size_t		 len;
	int		 n = 0;

	while (*p != '\0') {
		p += strspn(p, " \t");
		end = p + strcspn(p, ",");
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0 && *end == '\0' && n == 0)
			break;		/* blanks only: none */
		if (n == CONFIG_CANARY_MAX) {
			snprintf(why, whylen, "at most %d canary URLs",
			    CONFIG_CANARY_MAX);
			return -1;
		}
		if (len == 0 || len > CONFIG_CANARY_URLMAX) {
			snprintf(why, whylen, "URL %d is %s", n + 1, len ?
			    "too long" : "empty");
			return -1;
		}
		memcpy(urls[n], p, len);
		urls[n][len] = '\0';
		if (target_url_check(urls[n], r, sizeof(r)) == -1) {
			snprintf(why, whylen, "URL %d is not an http:// or "
			    "https:// URL with a host (%s)", n + 1, r);
			return -1;
		}
		n++;
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}

static int
p_canaries(const struct setting *s, const char *v, char *why, size_t whylen)
{
	char	 (*urls)[CONFIG_CANARY_URLMAX + 1];
	char	 r[256];
	int	 rc;

	if ((urls = malloc(CONFIG_CANARY_MAX * sizeof(*urls))) == NULL) {
		snprintf(why, whylen, "%s: out of memory", s->name);
		return -1;
	}
	rc = config_canaries(v, urls, r, sizeof(r));
	free(urls);
	if (rc == -1) {
		snprintf(why, whylen, "%s must be comma-separated http:// or "
		    "https:// URLs: %s", s->name, r);
		return -1;
	}
	return p_str(s, v, why, whylen);
}

/* Drop the trailing slashes of a URL field. */
static void
trim_slashes(char *url)
{
	size_t	 n = strlen(url);

	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
}

/*
 * An http:// or https:// base URL for an outside service (the alert
 * notifier's PagerDuty and Telegram APIs), checked like a webhook URL;
 * trailing slashes are dropped.
 */
static int
p_service_url(const struct setting *s, const char *v, char *why,
    size_t whylen)
{
	char	 r[128];

	if (p_str(s, v, why, whylen) == -1)
		return -1;
	if (target_url_check(v, r, sizeof(r)) == -1) {
		snprintf(why, whylen, "%s must be an http:// or https:// URL "
		    "with a host (%s)", s->name, r);
		return -1;
	}
	trim_slashes(field(s));
	return 0;
}

/* Length of the scheme a or b at the start of v, else 0. */
static size_t
scheme_len(const char *v, const char *a, const char *b)
{
	if (strncmp(v, a, strlen(a)) == 0)
		return strlen(a);
	if (strncmp(v, b, strlen(b)) == 0)
		return strlen(b);
	return 0;
}

/*
 * http:// or https:// then a host, checked before the trailing slashes
 * are trimmed, so that "https://" alone is refused rather than trimmed
 * into "https:".
 */
static int
p_public_url(const struct setting *s, const char *v, char *why,
    size_t whylen)
{
	size_t	 n = scheme_len(v, "http://", "https://");

	if (n == 0 || v[n] == '\0' || v[n] == '/' ||
	    strpbrk(v, " \t\r\n\"<>") != NULL) {
		snprintf(why, whylen, "%s must be an absolute http:// or "
		    "https:// address with a host, such as https://uptime."
		    "example.com, not \"%.60s\"", s->name, v);
		return -1;
	}
	if (p_str(s, v, why, whylen) == -1)
		return -1;
	trim_slashes(field(s));
	return 0;
}

/* Empty (no mail), or smtp:// or smtps:// and a host, no spaces.  The
 * URL may hold a password: the message never repeats it. */
static int
p_smtp_url(const struct setting *s, const char *v, char *why,
    size_t whylen)
{
	size_t	 n = scheme_len(v, "smtp://", "smtps://");

	if (*v != '\0' && (n == 0 || v[n] == '\0' || v[n] == '/' ||
	    strpbrk(v, " \t\r\n") != NULL)) {
		snprintf(why, whylen, "%s must be empty (no mail) or an "
		    "smtp:// or smtps:// address with a host, such as "
		    "smtp://127.0.0.1:25", s->name);
		return -1;
	}
	return p_str(s, v, why, whylen);
}

/* A name of mail_tls_names; empty is the default. */
static int
p_smtp_tls(const struct setting *s, const char *v, char *why,
    size_t whylen)
{
	int	 n;

	if (*v == '\0')
		v = s->def;
	for (n = 0; n < MAIL_TLS__MAX; n++)
		if (strcmp(v, mail_tls_names[n]) == 0)
			break;
	if (n == MAIL_TLS__MAX) {
		snprintf(why, whylen, "%s must be required, loopback-plain or "
		    "opportunistic, not \"%.40s\"", s->name, v);
		return -1;
	}
	memcpy(field(s), &n, sizeof(n));
	return 0;
}

/* An address, or "Name <address>". */
static int
p_mail_from(const struct setting *s, const char *v, char *why,
    size_t whylen)
{
	char	 addr[MAIL_ADDR_MAX + 1], name[256];

	if (p_str(s, v, why, whylen) == -1)
		return -1;
	if (strpbrk(v, "\r\n") != NULL || mail_from_parse(v, addr,
	    sizeof(addr), name, sizeof(name)) == -1) {
		snprintf(why, whylen, "%s must be an address, such as "
		    "uptime@example.com or \"Uptime <uptime@example.com>\", "
		    "not \"%.60s\"", s->name, v);
		return -1;
	}
	return 0;
}

/* "https://a, https://b": origins hold no spaces; drop them. */
static int
p_origins(const struct setting *s, const char *v, char *why, size_t whylen)
{
	char	*o, *i;

	if (p_str(s, v, why, whylen) == -1)
		return -1;
	for (o = i = field(s); *i != '\0'; i++)
		if (*i != ' ' && *i != '\t')
			*o++ = *i;
	*o = '\0';
	if (*field(s) == '\0') {
		snprintf(why, whylen, "%s must be \"*\" or a comma-separated "
		    "list of origins", s->name);
		return -1;
	}
	return 0;
}

static const struct setting *
setting_find(const char *name, size_t len, size_t *index)
{
	size_t	 i;

	for (i = 0; i < NSETTINGS; i++)
		if (strlen(settings[i].name) == len &&
		    strncmp(settings[i].name, name, len) == 0) {
			if (index != NULL)
				*index = i;
			return &settings[i];
		}
	return NULL;
}

/* Edit distance of a and b (b at most 63 bytes), for "did you mean". */
static size_t
distance(const char *a, size_t alen, const char *b)
{
	size_t	 row[64], blen = strlen(b), i, j, diag, up, best;

	if (blen >= sizeof(row) / sizeof(row[0]) || alen > 64)
		return 99;
	for (j = 0; j <= blen; j++)
		row[j] = j;
	for (i = 1; i <= alen; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= blen; j++) {
			up = row[j];
			best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[blen];
}

/* The loader's state: who hears about problems, and how many there were. */
struct load {
	void		(*report)(void *, const char *);
	void		 *arg;
	int		  problems;
	const char	 *fileval[NSETTINGS];	/* into the file's text */
};

static void problem(struct load *, const char *, ...) PRINTF(2, 3);

static void
problem(struct load *l, const char *fmt, ...)
{
	char	 msg[768];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	l->problems++;
	l->report(l->arg, msg);
}

/* Whether c is a character of a setting's name. */
static int
name_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/*
 * One line of the file (NUL-terminated, no newline), number lineno: a
 * blank line, a comment, or NAME=value.  The value is kept in
 * l->fileval, pointing into line.  Messages never repeat a value: it
 * may be a password.
 */
static void
file_line(struct load *l, char *line, int lineno)
{
	const struct setting	*s;
	const char		*f = cfg.file, *best = NULL;
	char			*name, *v;
	size_t			 len, vlen, i, d, bestd = 3;

	for (name = line; *name == ' ' || *name == '\t'; name++)
		continue;
	if (*name == '\0' || *name == '#')
		return;
	for (len = 0; name_char((unsigned char)name[len]); len++)
		continue;
	if (len == 0 || (name[len] != '=' && name[len] != ' ' &&
	    name[len] != '\t')) {
		problem(l, "%s line %d: expected NAME=value, NAME being an "
		    "UPTIME_* setting of capitals, digits and _", f, lineno);
		return;
	}
	if (name[len] != '=') {
		problem(l, "%s line %d: %.*s: write %.*s=value, with no space "
		    "before or after \"=\"", f, lineno, (int)len, name,
		    (int)len, name);
		return;
	}
	v = name + len + 1;
	if (len == strlen("UPTIME_CONFIG") &&
	    strncmp(name, "UPTIME_CONFIG", len) == 0) {
		problem(l, "%s line %d: UPTIME_CONFIG names this file; it "
		    "cannot be set inside it", f, lineno);
		return;
	}
	if ((s = setting_find(name, len, &i)) == NULL) {
		for (i = 0; i < NSETTINGS; i++)
			if ((d = distance(name, len, settings[i].name)) <
			    bestd) {
				bestd = d;
				best = settings[i].name;
			}
		problem(l, "%s line %d: %.*s is not a setting%s%s%s", f,
		    lineno, (int)len, name, best ? " (did you mean " : "",
		    best ? best : " (README.md lists them)", best ? "?)" : "");
		return;
	}
	if (origin[i] != 0) {
		problem(l, "%s line %d: %s is set a second time (first on line "
		    "%d)", f, lineno, s->name, origin[i]);
		return;
	}
	vlen = strlen(v);
	if (strchr(v, '\r') != NULL) {
		problem(l, "%s line %d: %s: the line ends with a carriage "
		    "return (save the file with Unix line ends)", f, lineno,
		    s->name);
		return;
	}
	if (vlen > 0 && (v[0] == ' ' || v[0] == '\t' || v[vlen - 1] == ' ' ||
	    v[vlen - 1] == '\t')) {
		problem(l, "%s line %d: %s: the value starts or ends with a "
		    "space or tab (write %s=value, or quote a value whose "
		    "spaces are meant)", f, lineno, s->name, s->name);
		return;
	}
	if (vlen > 0 && (v[0] == '"' || v[0] == '\'')) {
		if (vlen < 2 || v[vlen - 1] != v[0]) {
			problem(l, "%s line %d: %s: the value starts with a "
			    "quote and does not end with the same one", f,
			    lineno, s->name);
			return;
		}
		v[vlen - 1] = '\0';
		v++;
	}
	origin[i] = lineno;
	l->fileval[i] = v;
}

/*
 * Read the configuration file into text (allocated, NUL-terminated; the
 * caller frees it) and take its lines.  A missing file is no problem
 * when it was not asked for by name (required 0).
 */
static char *
file_read(struct load *l, int required)
{
	const char	*why = required ? "UPTIME_CONFIG" :
			    "the default of UPTIME_CONFIG";
	struct stat	 sb;
	char		*text = NULL, *line, *nl;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd, lineno;

	if ((fd = open(cfg.file, O_RDONLY | O_CLOEXEC)) == -1) {
		if (!required && (errno == ENOENT || errno == ENOTDIR))
			cfg.file[0] = '\0';
		else
			problem(l, "cannot read the configuration file %s (%s):"
			    " %s", cfg.file, why, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) == -1 || S_ISDIR(sb.st_mode)) {
		problem(l, "the configuration file %s (%s) is a folder, not a "
		    "file", cfg.file, why);
		goto fail;
	}
	if ((text = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		problem(l, "out of memory");
		goto fail;
	}
	while (len <= CONFIG_FILE_MAX && (n = read(fd, text + len,
	    CONFIG_FILE_MAX + 1 - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			problem(l, "cannot read the configuration file %s (%s):"
			    " %s", cfg.file, why, strerror(errno));
			goto fail;
		}
		len += (size_t)n;
	}
	if (len > CONFIG_FILE_MAX) {
		problem(l, "the configuration file %s is larger than %d bytes",
		    cfg.file, CONFIG_FILE_MAX);
		goto fail;
	}
	close(fd);
	text[len] = '\0';
	for (line = text, lineno = 1; line < text + len; lineno++) {
		if ((nl = memchr(line, '\n', (size_t)(text + len - line))) ==
		    NULL)
			nl = text + len;
		*nl = '\0';
		if (strlen(line) != (size_t)(nl - line))
			problem(l, "%s line %d: holds a NUL byte", cfg.file,
			    lineno);
		else if (nl - line > CONFIG_LINE_MAX)
			problem(l, "%s line %d: longer than %d bytes",
			    cfg.file, lineno, CONFIG_LINE_MAX);
		else
			file_line(l, line, lineno);
		line = nl + 1;
	}
	return text;
fail:
	close(fd);
	free(text);
	return NULL;
}

/*
 * Fill cfg: the file, then each setting from the environment, the file
 * or its default.  Every problem goes to l->report.
 */
static void
load(struct load *l)
{
	const struct setting	*s;
	const char		*path = getenv("UPTIME_CONFIG"), *v;
	char			*text = NULL, why[512];
	size_t			 i;

	memset(&cfg, 0, sizeof(cfg));
	memset(origin, 0, sizeof(origin));
	memset(refused, 0, sizeof(refused));
	if (path == NULL)
		path = CONFIG_DEFAULT_FILE;
	if (*path != '\0' && *path != '/')
		problem(l, "UPTIME_CONFIG must be an absolute path, not "
		    "\"%.60s\" (from the environment)", path);
	else if (strlen(path) >= sizeof(cfg.file))
		problem(l, "UPTIME_CONFIG is too long (at most %zu bytes)",
		    sizeof(cfg.file) - 1);
	else if (*path != '\0') {
		memcpy(cfg.file, path, strlen(path) + 1);
		text = file_read(l, getenv("UPTIME_CONFIG") != NULL);
	}

	for (i = 0; i < NSETTINGS; i++) {
		s = &settings[i];
		if ((v = getenv(s->name)) != NULL)
			origin[i] = -1;
		else if ((v = l->fileval[i]) == NULL)
			v = s->def;
		if (s->parse(s, v, why, sizeof(why)) == 0)
			continue;
		if (origin[i] > 0)
			problem(l, "%s (%s line %d)", why, cfg.file, origin[i]);
		else
			problem(l, "%s (from the environment)", why);
		/* The default stands in for a refused value. */
		refused[i] = 1;
		(void)s->parse(s, s->def, why, sizeof(why));
	}
	if (setting_find("UPTIME_PUBLIC_URL", strlen("UPTIME_PUBLIC_URL"),
	    &i) != NULL)
		cfg.public_url_set = origin[i] != 0;
	free(text);
}

/* config_load() keeps the first message. */
struct first {
	char	*err;
	size_t	 errlen;
};

static void
report_first(void *arg, const char *msg)
{
	struct first	*f = arg;

	if (f->errlen > 0 && f->err[0] == '\0')
		snprintf(f->err, f->errlen, "%s", msg);
}

int
config_load(char *err, size_t errlen)
{
	struct load	 l;
	struct first	 f = { err, errlen };

	memset(&l, 0, sizeof(l));
	l.report = report_first;
	l.arg = &f;
	if (errlen > 0)
		err[0] = '\0';
	load(&l);
	return l.problems == 0 ? 0 : -1;
}

int
config_check(void (*report)(void *, const char *), void *arg)
{
	struct load	 l;

	memset(&l, 0, sizeof(l));
	l.report = report;
	l.arg = arg;
	load(&l);
	return l.problems;
}

/* The URL with the password of its user part, if any, as "****". */
static void
mask_password(const char *url, char *out, size_t outlen)
{
	const char	*host, *colon, *at;

	host = strstr(url, "://");
	host = host != NULL ? host + 3 : url;
	at = strchr(host, '@');
	colon = at != NULL ? memchr(host, ':', (size_t)(at - host)) : NULL;
	if (colon == NULL)
		snprintf(out, outlen, "%s", url);
	else
		snprintf(out, outlen, "%.*s****%s", (int)(colon + 1 - url), url,
		    at);
}

const char *
config_show(size_t i, char *value, size_t valuelen, char *from,
    size_t fromlen)
{
	const struct setting	*s;
	long			 n;
	int			 b;

	if (i >= NSETTINGS)
		return NULL;
	s = &settings[i];
	switch (s->kind) {
	case KIND_LONG:
		memcpy(&n, field(s), sizeof(n));
		snprintf(value, valuelen, "%ld", n);
		break;
	case KIND_BOOL:
		memcpy(&b, field(s), sizeof(b));
		snprintf(value, valuelen, "%d", b);
		break;
	case KIND_TLS:
		memcpy(&b, field(s), sizeof(b));
		snprintf(value, valuelen, "%s", mail_tls_names[b]);
		break;
	case KIND_STR:
		if (s->secret)
			mask_password(field(s), value, valuelen);
		else
			snprintf(value, valuelen, "%s", field(s));
		break;
	}
	if (origin[i] > 0)
		snprintf(from, fromlen, "%s:%d%s", cfg.file, origin[i],
		    refused[i] ? ", refused: the default" : "");
	else
		snprintf(from, fromlen, "%s", origin[i] == 0 ? "default" :
		    refused[i] ? "environment, refused: the default" :
		    "environment");
	return s->name;
}

void
config_blame(const char *name, char *err, size_t errlen)
{
	size_t	 i, n = strlen(err);

	if (setting_find(name, strlen(name), &i) == NULL || n + 1 >= errlen)
		return;
	if (origin[i] > 0)
		snprintf(err + n, errlen - n, "; see %s, set in %s line %d",
		    name, cfg.file, origin[i]);
	else if (origin[i] < 0)
		snprintf(err + n, errlen - n, "; see %s, set in the "
		    "environment", name);
	else
		snprintf(err + n, errlen - n, "; see %s, unset: its default "
		    "(%s%s)", name, cfg.file[0] ? "not in " :
		    "no configuration file", cfg.file);
}
