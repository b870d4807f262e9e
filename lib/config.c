/*
 * Configuration from UPTIME_* environment variables.  Programs call
 * config_load() once at start-up, before serving anything: under FastCGI
 * the per-request parameters are not the process environment, so nothing
 * reads the environment after that.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uptime.h"
#include "mail.h"
#include "target.h"

struct config cfg;

static int
str_var(const char *name, char *out, size_t outlen, const char *def,
    char *err, size_t errlen)
{
	const char	*v = getenv(name);

	if (v == NULL)
		v = def;
	if (strlen(v) >= outlen) {
		snprintf(err, errlen, "%s is too long (at most %zu bytes)",
		    name, outlen - 1);
		return -1;
	}
	strcpy(out, v);
	return 0;
}

static int
long_var(const char *name, long *out, long def, long min, long max,
    char *err, size_t errlen)
{
	const char	*v = getenv(name);
	char		*end;
	long		 n;

	if (v == NULL || *v == '\0') {
		*out = def;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || end == v || n < min || n > max) {
		snprintf(err, errlen, "%s must be a whole number from %ld "
		    "to %ld, not \"%.40s\"", name, min, max, v);
		return -1;
	}
	*out = n;
	return 0;
}

static int
bool_var(const char *name, int *out, char *err, size_t errlen)
{
	const char	*v = getenv(name);

	*out = 0;
	if (v == NULL || *v == '\0' || strcmp(v, "0") == 0 ||
	    strcmp(v, "false") == 0 || strcmp(v, "no") == 0 ||
	    strcmp(v, "off") == 0)
		return 0;
	if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "yes") == 0 || strcmp(v, "on") == 0) {
		*out = 1;
		return 0;
	}
	snprintf(err, errlen, "%s must be 1 or 0 (true/false, yes/no, on/off),"
	    " not \"%.40s\"", name, v);
	return -1;
}

/*
 * An http:// or https:// base URL for an outside service (the alert
 * notifier's PagerDuty and Telegram APIs), checked like a webhook URL;
 * trailing slashes are dropped.
 */
static int
url_var(const char *name, char *out, size_t outlen, const char *def,
    char *err, size_t errlen)
{
	char	 why[128];
	size_t	 n;

	if (str_var(name, out, outlen, def, err, errlen) == -1)
		return -1;
	if (target_url_check(out, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s must be an http:// or https:// URL "
		    "with a host (%s)", name, why);
		return -1;
	}
	n = strlen(out);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
	return 0;
}

/*
 * UPTIME_SMTP_URL: empty (no mail) or smtp:// or smtps:// and a host, no
 * spaces.  UPTIME_MAIL_FROM: an address, or "Name <address>".
 * UPTIME_SMTP_TLS: a name of mail_tls_names, loopback-plain when unset
 * or empty.  The URL may hold a password, so messages never repeat it.
 */
static int
mail_vars(char *err, size_t errlen)
{
	const char	*tls = getenv("UPTIME_SMTP_TLS");
	char		 addr[MAIL_ADDR_MAX + 1], name[256];
	size_t		 n;

	if (tls == NULL || *tls == '\0')
		tls = mail_tls_names[MAIL_TLS_LOOPBACK_PLAIN];
	for (n = 0; n < MAIL_TLS__MAX; n++)
		if (strcmp(tls, mail_tls_names[n]) == 0)
			break;
	if (n == MAIL_TLS__MAX) {
		snprintf(err, errlen, "UPTIME_SMTP_TLS must be required, "
		    "loopback-plain or opportunistic, not \"%.40s\"", tls);
		return -1;
	}
	cfg.smtp_tls = (int)n;

	n = strncmp(cfg.smtp_url, "smtp://", 7) == 0 ? 7 :
	    strncmp(cfg.smtp_url, "smtps://", 8) == 0 ? 8 : 0;
	if (cfg.smtp_url[0] != '\0' && (n == 0 || cfg.smtp_url[n] == '\0' ||
	    cfg.smtp_url[n] == '/' || strpbrk(cfg.smtp_url, " \t\r\n") !=
	    NULL)) {
		snprintf(err, errlen, "UPTIME_SMTP_URL must be empty (no mail) "
		    "or an smtp:// or smtps:// address with a host, such as "
		    "smtp://127.0.0.1:25");
		return -1;
	}
	if (strpbrk(cfg.mail_from, "\r\n") != NULL ||
	    mail_from_parse(cfg.mail_from, addr, sizeof(addr), name,
	    sizeof(name)) == -1) {
		snprintf(err, errlen, "UPTIME_MAIL_FROM must be an address, "
		    "such as uptime@example.com or \"Uptime <uptime@example."
		    "com>\", not \"%.60s\"", cfg.mail_from);
		return -1;
	}
	return 0;
}

int
config_load(char *err, size_t errlen)
{
	size_t	 n;

	memset(&cfg, 0, sizeof(cfg));
	if (str_var("UPTIME_DB", cfg.db, sizeof(cfg.db),
	    "/var/lib/uptime/uptime.db", err, errlen) == -1 ||
	    str_var("UPTIME_SECRET_FILE", cfg.secret_file,
	    sizeof(cfg.secret_file), "/var/lib/uptime/secret", err,
	    errlen) == -1 ||
	    str_var("UPTIME_PUBLIC_URL", cfg.public_url,
	    sizeof(cfg.public_url), "http://127.0.0.1:8080", err,
	    errlen) == -1 ||
	    bool_var("UPTIME_ALLOW_PRIVATE_TARGETS", &cfg.allow_private,
	    err, errlen) == -1 ||
	    str_var("UPTIME_SMTP_URL", cfg.smtp_url, sizeof(cfg.smtp_url),
	    "", err, errlen) == -1 ||
	    str_var("UPTIME_MAIL_FROM", cfg.mail_from, sizeof(cfg.mail_from),
	    "uptime@localhost", err, errlen) == -1 ||
	    str_var("UPTIME_CORS_ORIGINS", cfg.cors_origins,
	    sizeof(cfg.cors_origins), "*", err, errlen) == -1 ||
	    long_var("UPTIME_RATE_LIMIT", &cfg.rate_limit, 600, 1, 1000000,
	    err, errlen) == -1 ||
	    long_var("UPTIME_AUTH_FAIL_LIMIT", &cfg.auth_fail_limit, 100, 1,
	    1000000, err, errlen) == -1 ||
	    long_var("UPTIME_RETENTION_DAYS", &cfg.retention_days, 30, 1,
	    3650, err, errlen) == -1 ||
	    long_var("UPTIME_MAX_KEYS", &cfg.max_keys, 50, 1, 10000,
	    err, errlen) == -1 ||
	    long_var("UPTIME_MAX_MONITORS", &cfg.max_monitors, 1000, 1,
	    100000, err, errlen) == -1 ||
	    long_var("UPTIME_MAX_ALERT_CHANNELS", &cfg.max_channels, 100, 1,
	    10000, err, errlen) == -1 ||
	    long_var("UPTIME_MAX_STATUS_PAGES", &cfg.max_pages, 50, 1, 10000,
	    err, errlen) == -1 ||
	    long_var("UPTIME_MAX_MAINTENANCE_WINDOWS", &cfg.max_windows, 500,
	    1, 100000, err, errlen) == -1 ||
	    long_var("UPTIME_MAX_RUN_NOW", &cfg.max_run_now, 1, 1, 100,
	    err, errlen) == -1 ||
	    long_var("UPTIME_AUDIT_RETENTION_DAYS", &cfg.audit_days, 90, 1,
	    3650, err, errlen) == -1 ||
	    long_var("UPTIME_CHECK_CONCURRENCY", &cfg.check_concurrency, 0,
	    0, 16384, err, errlen) == -1 ||
	    long_var("UPTIME_CHECK_TEAM_CONCURRENCY",
	    &cfg.check_team_concurrency, 0, 0, 16384, err, errlen) == -1 ||
	    str_var("UPTIME_DNS_SERVERS", cfg.dns_servers,
	    sizeof(cfg.dns_servers), "", err, errlen) == -1 ||
	    str_var("UPTIME_CA_FILE", cfg.ca_file, sizeof(cfg.ca_file), "",
	    err, errlen) == -1 ||
	    long_var("UPTIME_INVITE_TTL_SECONDS", &cfg.invite_ttl, 604800, 60,
	    2592000, err, errlen) == -1 ||
	    url_var("UPTIME_PAGERDUTY_URL", cfg.pagerduty_url,
	    sizeof(cfg.pagerduty_url),
	    "https://events.pagerduty.com/v2/enqueue", err, errlen) == -1 ||
	    url_var("UPTIME_TELEGRAM_URL", cfg.telegram_url,
	    sizeof(cfg.telegram_url), "https://api.telegram.org", err,
	    errlen) == -1 ||
	    mail_vars(err, errlen) == -1)
		return -1;

	if (cfg.db[0] == '\0') {
		snprintf(err, errlen, "UPTIME_DB must name a file");
		return -1;
	}
	if (cfg.secret_file[0] == '\0') {
		snprintf(err, errlen, "UPTIME_SECRET_FILE must name a file");
		return -1;
	}
	n = strncmp(cfg.public_url, "http://", 7) == 0 ? 7 :
	    strncmp(cfg.public_url, "https://", 8) == 0 ? 8 : 0;
	if (n == 0 || cfg.public_url[n] == '\0' || cfg.public_url[n] == '/' ||
	    strpbrk(cfg.public_url, " \t\r\n\"<>") != NULL) {
		snprintf(err, errlen, "UPTIME_PUBLIC_URL must be an http:// or "
		    "https:// address with a host, not \"%.60s\"",
		    cfg.public_url);
		return -1;
	}
	n = strlen(cfg.public_url);
	while (n > 0 && cfg.public_url[n - 1] == '/')
		cfg.public_url[--n] = '\0';
	cfg.public_url_set = getenv("UPTIME_PUBLIC_URL") != NULL;
	/* "https://a, https://b": origins hold no spaces; drop them. */
	{
		char	*o = cfg.cors_origins, *i;

		for (i = o; *i != '\0'; i++)
			if (*i != ' ' && *i != '\t')
				*o++ = *i;
		*o = '\0';
	}
	if (cfg.cors_origins[0] == '\0') {
		snprintf(err, errlen, "UPTIME_CORS_ORIGINS must be \"*\" or a "
		    "comma-separated list of origins");
		return -1;
	}
	return 0;
}
