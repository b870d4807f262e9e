/*
 * Unit tests of lib/config.c: defaults, the range of each number, the
 * spelling of booleans, string length limits, and that every refusal
 * names its variable; the configuration file: its syntax, precedence
 * (default < file < environment), each refused line named by file, line
 * and variable, and where each value came from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uptime.h"
#include "mail.h"
#include "unit.h"

static const char *const all_vars[] = {
	"UPTIME_DB", "UPTIME_SECRET_FILE", "UPTIME_PUBLIC_URL",
	"UPTIME_ALLOW_PRIVATE_TARGETS", "UPTIME_SMTP_URL", "UPTIME_MAIL_FROM",
	"UPTIME_CORS_ORIGINS", "UPTIME_RATE_LIMIT", "UPTIME_RETENTION_DAYS",
	"UPTIME_MAX_KEYS", "UPTIME_AUDIT_RETENTION_DAYS",
	"UPTIME_CHECK_CONCURRENCY", "UPTIME_CHECK_TEAM_CONCURRENCY",
	"UPTIME_DNS_SERVERS", "UPTIME_CA_FILE",
	"UPTIME_INVITE_TTL_SECONDS", "UPTIME_PAGERDUTY_URL",
	"UPTIME_TELEGRAM_URL", "UPTIME_SMTP_TLS", "UPTIME_MAX_MONITORS",
	"UPTIME_MAX_ALERT_CHANNELS", "UPTIME_MAX_STATUS_PAGES",
	"UPTIME_MAX_MAINTENANCE_WINDOWS", "UPTIME_MAX_RUN_NOW",
	"UPTIME_CHECK_RATE_LIMIT",
	"UPTIME_AUTH_FAIL_LIMIT",
};

/* No variable set, and no configuration file (not even the machine's). */
static void
clear_env(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(all_vars) / sizeof(all_vars[0]); i++)
		unsetenv(all_vars[i]);
	setenv("UPTIME_CONFIG", "", 1);
}

/* Load with one variable set; expect failure naming it. */
static void
check_refused(const char *name, const char *value, int line)
{
	char	 err[512];

	clear_env();
	setenv(name, value, 1);
	err[0] = '\0';
	if (config_load(err, sizeof(err)) != -1) {
		fprintf(stderr, "%s:%d: %s=\"%.60s\" accepted\n", __FILE__, line,
		    name, value);
		unit_current_failed = 1;
	} else if (strstr(err, name) == NULL) {
		fprintf(stderr, "%s:%d: %s=\"%.60s\": message \"%s\" does not "
		    "name it\n", __FILE__, line, name, value, err);
		unit_current_failed = 1;
	}
	clear_env();
}

/* Load with one variable set; expect success. */
static int
load_with(const char *name, const char *value)
{
	char	 err[512];
	int	 rc;

	clear_env();
	if (name != NULL)
		setenv(name, value, 1);
	err[0] = '\0';
	if ((rc = config_load(err, sizeof(err))) != 0)
		fprintf(stderr, "config_load: %s\n", err);
	clear_env();
	return rc;
}

#define REFUSED(n, v)	check_refused((n), (v), __LINE__)

static void
test_defaults(void)
{
	char	 err[512];

	clear_env();
	memset(&cfg, 0x55, sizeof(cfg));
	CHECK_INT(config_load(err, sizeof(err)), 0);
	CHECK_STR(cfg.db, "/var/lib/uptime/uptime.db");
	CHECK_STR(cfg.secret_file, "/var/lib/uptime/secret");
	CHECK_STR(cfg.public_url, "http://127.0.0.1:8080");
	CHECK_INT(cfg.public_url_set, 0);	/* links stay relative */
	CHECK_INT(cfg.allow_private, 0);
	CHECK_STR(cfg.smtp_url, "");
	CHECK_STR(cfg.mail_from, "uptime@localhost");
	CHECK_INT(cfg.smtp_tls, MAIL_TLS_LOOPBACK_PLAIN);
	CHECK_STR(cfg.cors_origins, "*");
	CHECK_INT(cfg.rate_limit, 600);		/* API.md: 600 a minute */
	CHECK_INT(cfg.retention_days, 30);
	CHECK_INT(cfg.max_keys, 50);
	CHECK_INT(cfg.max_monitors, 1000);
	CHECK_INT(cfg.max_channels, 100);
	CHECK_INT(cfg.max_pages, 50);
	CHECK_INT(cfg.max_windows, 500);
	CHECK_INT(cfg.max_run_now, 1);
	CHECK_INT(cfg.check_rate_limit, 10);
	CHECK_INT(cfg.audit_days, 90);
	CHECK_INT(cfg.check_concurrency, 0);	/* from the descriptor limit */
	CHECK_INT(cfg.check_team_concurrency, 0);
	CHECK_STR(cfg.dns_servers, "");
	CHECK_STR(cfg.ca_file, "");
	CHECK_INT(cfg.invite_ttl, 604800);	/* API.md: 7 days */
	CHECK_INT(cfg.auth_fail_limit, 100);
	CHECK_STR(cfg.file, "");
}

static void
test_values_read(void)
{
	char	 err[512];

	clear_env();
	setenv("UPTIME_DB", "/tmp/x.db", 1);
	setenv("UPTIME_SECRET_FILE", "/tmp/secret", 1);
	setenv("UPTIME_PUBLIC_URL", "https://status.example.com", 1);
	setenv("UPTIME_ALLOW_PRIVATE_TARGETS", "1", 1);
	setenv("UPTIME_SMTP_URL", "smtp://mail.example.com:25", 1);
	setenv("UPTIME_MAIL_FROM", "ops@example.com", 1);
	setenv("UPTIME_CORS_ORIGINS", "https://a.example,https://b.example", 1);
	setenv("UPTIME_RATE_LIMIT", "1", 1);
	setenv("UPTIME_RETENTION_DAYS", "3650", 1);
	setenv("UPTIME_MAX_KEYS", "10000", 1);
	setenv("UPTIME_MAX_MONITORS", "100000", 1);
	setenv("UPTIME_MAX_ALERT_CHANNELS", "10000", 1);
	setenv("UPTIME_MAX_STATUS_PAGES", "10000", 1);
	setenv("UPTIME_MAX_MAINTENANCE_WINDOWS", "100000", 1);
	setenv("UPTIME_MAX_RUN_NOW", "100", 1);
	setenv("UPTIME_CHECK_RATE_LIMIT", "1000", 1);
	setenv("UPTIME_AUDIT_RETENTION_DAYS", "1", 1);
	setenv("UPTIME_CHECK_CONCURRENCY", "16384", 1);
	setenv("UPTIME_CHECK_TEAM_CONCURRENCY", "100", 1);
	setenv("UPTIME_DNS_SERVERS", "192.0.2.53", 1);
	setenv("UPTIME_CA_FILE", "/etc/ssl/test-ca.pem", 1);
	CHECK_INT(config_load(err, sizeof(err)), 0);
	CHECK_STR(cfg.db, "/tmp/x.db");
	CHECK_STR(cfg.secret_file, "/tmp/secret");
	CHECK_STR(cfg.public_url, "https://status.example.com");
	CHECK_INT(cfg.public_url_set, 1);
	CHECK_INT(cfg.allow_private, 1);
	CHECK_STR(cfg.smtp_url, "smtp://mail.example.com:25");
	CHECK_STR(cfg.mail_from, "ops@example.com");
	CHECK_STR(cfg.cors_origins, "https://a.example,https://b.example");
	CHECK_INT(cfg.rate_limit, 1);
	CHECK_INT(cfg.retention_days, 3650);
	CHECK_INT(cfg.max_keys, 10000);
	CHECK_INT(cfg.max_monitors, 100000);
	CHECK_INT(cfg.max_channels, 10000);
	CHECK_INT(cfg.max_pages, 10000);
	CHECK_INT(cfg.max_windows, 100000);
	CHECK_INT(cfg.max_run_now, 100);
	CHECK_INT(cfg.check_rate_limit, 1000);
	CHECK_INT(cfg.audit_days, 1);
	CHECK_INT(cfg.check_concurrency, 16384);
	CHECK_INT(cfg.check_team_concurrency, 100);
	CHECK_STR(cfg.dns_servers, "192.0.2.53");
	CHECK_STR(cfg.ca_file, "/etc/ssl/test-ca.pem");
	clear_env();

	/* An empty number is the default. */
	CHECK_INT(load_with("UPTIME_RATE_LIMIT", ""), 0);
	CHECK_INT(cfg.rate_limit, 600);
}

static void
test_public_url_trailing_slash(void)
{
	CHECK_INT(load_with("UPTIME_PUBLIC_URL", "https://example.com/"), 0);
	CHECK_STR(cfg.public_url, "https://example.com");
	CHECK_INT(load_with("UPTIME_PUBLIC_URL",
	    "https://example.com/uptime/"), 0);
	CHECK_STR(cfg.public_url, "https://example.com/uptime");
	CHECK_INT(load_with("UPTIME_PUBLIC_URL", "http://example.com///"), 0);
	CHECK_STR(cfg.public_url, "http://example.com");
	CHECK_INT(load_with("UPTIME_PUBLIC_URL", "http://example.com:8080"), 0);
	CHECK_STR(cfg.public_url, "http://example.com:8080");
}

static void
test_numbers_negative(void)
{
	static const struct {
		const char	*name;
		const char	*below;
		const char	*above;
	} nums[] = {
		{ "UPTIME_RATE_LIMIT", "0", "1000001" },
		{ "UPTIME_RETENTION_DAYS", "0", "3651" },
		{ "UPTIME_MAX_KEYS", "0", "10001" },
		{ "UPTIME_MAX_MONITORS", "0", "100001" },
		{ "UPTIME_MAX_ALERT_CHANNELS", "0", "10001" },
		{ "UPTIME_MAX_STATUS_PAGES", "0", "10001" },
		{ "UPTIME_MAX_MAINTENANCE_WINDOWS", "0", "100001" },
		{ "UPTIME_MAX_RUN_NOW", "0", "101" },
		{ "UPTIME_CHECK_RATE_LIMIT", "0", "1001" },
		{ "UPTIME_AUDIT_RETENTION_DAYS", "0", "3651" },
		{ "UPTIME_CHECK_CONCURRENCY", "-1", "16385" },
		{ "UPTIME_CHECK_TEAM_CONCURRENCY", "-1", "16385" },
		{ "UPTIME_INVITE_TTL_SECONDS", "59", "2592001" },
	};
	static const char *const junk[] = {
		"abc", "-1", "12x", "1.5", "1e3", "0x10", "99999999999999999999",
		"5 ", "ten",
	};
	size_t	 i, j;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		REFUSED(nums[i].name, nums[i].below);
		REFUSED(nums[i].name, nums[i].above);
		for (j = 0; j < sizeof(junk) / sizeof(junk[0]); j++)
			REFUSED(nums[i].name, junk[j]);
	}
	/* The bounds themselves are fine. */
	CHECK_INT(load_with("UPTIME_RATE_LIMIT", "1000000"), 0);
	CHECK_INT(cfg.rate_limit, 1000000);
	CHECK_INT(load_with("UPTIME_CHECK_CONCURRENCY", "1"), 0);
	CHECK_INT(cfg.check_concurrency, 1);
	CHECK_INT(load_with("UPTIME_CHECK_CONCURRENCY", "0"), 0);
	CHECK_INT(cfg.check_concurrency, 0);
	CHECK_INT(load_with("UPTIME_INVITE_TTL_SECONDS", "60"), 0);
	CHECK_INT(cfg.invite_ttl, 60);
	CHECK_INT(load_with("UPTIME_INVITE_TTL_SECONDS", "2592000"), 0);
	CHECK_INT(cfg.invite_ttl, 2592000);
}

static void
test_bool_spellings(void)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off", "" };
	static const char *const bad[] = {
		"2", "maybe", "TRUE", "Yes", "y", "n", " 1", "1 ", "enabled",
	};
	size_t	 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		cfg.allow_private = 0;
		CHECK_INT(load_with("UPTIME_ALLOW_PRIVATE_TARGETS", yes[i]), 0);
		CHECK_INT(cfg.allow_private, 1);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		cfg.allow_private = 1;
		CHECK_INT(load_with("UPTIME_ALLOW_PRIVATE_TARGETS", no[i]), 0);
		CHECK_INT(cfg.allow_private, 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		REFUSED("UPTIME_ALLOW_PRIVATE_TARGETS", bad[i]);
}

/* A value of n bytes: prefix then 'a's. */
static char *
make_value(const char *prefix, size_t n)
{
	char	*v;
	size_t	 plen = strlen(prefix);

	if ((v = malloc(n + 1)) == NULL)
		exit(2);
	memset(v, 'a', n);
	memcpy(v, prefix, plen < n ? plen : n);
	v[n] = '\0';
	return v;
}

static void
test_strings_too_long(void)
{
	static const struct {
		const char	*name;
		size_t		 size;		/* the field's size */
		const char	*prefix;
	} strs[] = {
		{ "UPTIME_DB", sizeof(cfg.db), "/" },
		{ "UPTIME_SECRET_FILE", sizeof(cfg.secret_file), "/" },
		{ "UPTIME_PUBLIC_URL", sizeof(cfg.public_url), "https://" },
		{ "UPTIME_SMTP_URL", sizeof(cfg.smtp_url), "smtp://" },
		{ "UPTIME_CORS_ORIGINS", sizeof(cfg.cors_origins), "https://" },
		{ "UPTIME_DNS_SERVERS", sizeof(cfg.dns_servers), "1" },
		{ "UPTIME_CA_FILE", sizeof(cfg.ca_file), "/" },
	};
	char	*v;
	size_t	 i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		/* One byte too many. */
		v = make_value(strs[i].prefix, strs[i].size);
		REFUSED(strs[i].name, v);
		free(v);
		/* Exactly the most that fits. */
		v = make_value(strs[i].prefix, strs[i].size - 1);
		if (load_with(strs[i].name, v) != 0) {
			fprintf(stderr, "%s of %zu bytes refused\n",
			    strs[i].name, strs[i].size - 1);
			CHECK(0);
		}
		free(v);
	}
}

static void
test_strings_negative(void)
{
	REFUSED("UPTIME_DB", "");
	REFUSED("UPTIME_SECRET_FILE", "");
	REFUSED("UPTIME_PUBLIC_URL", "");
	REFUSED("UPTIME_PUBLIC_URL", "example.com");
	REFUSED("UPTIME_PUBLIC_URL", "ftp://example.com");
	REFUSED("UPTIME_PUBLIC_URL", "HTTP//example.com");
	REFUSED("UPTIME_PUBLIC_URL", "http:/example.com");
	REFUSED("UPTIME_PUBLIC_URL", "https://exa mple.com");
	REFUSED("UPTIME_PUBLIC_URL", "https://example.com/\"><x");
	REFUSED("UPTIME_CORS_ORIGINS", "");
}

/*
 * A public URL with no host must be refused, not trimmed into "https:"
 * (the trailing-slash trim eats the scheme's "//").
 */
static void
test_public_url_without_host(void)
{
	REFUSED("UPTIME_PUBLIC_URL", "https://");
	REFUSED("UPTIME_PUBLIC_URL", "http://");
	REFUSED("UPTIME_PUBLIC_URL", "http:///");
	REFUSED("UPTIME_PUBLIC_URL", "https:///example.com");
}

/*
 * UPTIME_SMTP_URL is empty or smtp:// or smtps:// with a host;
 * UPTIME_MAIL_FROM an address or "Name <address>", at most 255 bytes.
 * Neither message repeats the URL, which may hold a password.
 */
static void
test_mail_vars(void)
{
	char	 v[300], err[512];
	size_t	 n;

	CHECK_INT(load_with("UPTIME_SMTP_URL", "smtps://u:p@mail.example:465"),
	    0);
	CHECK_INT(load_with("UPTIME_SMTP_URL", "smtp://127.0.0.1:2525/ehlo"),
	    0);
	REFUSED("UPTIME_SMTP_URL", "mail.example.com");
	REFUSED("UPTIME_SMTP_URL", "http://mail.example.com");
	REFUSED("UPTIME_SMTP_URL", "smtp://");
	REFUSED("UPTIME_SMTP_URL", "smtp:///x");
	REFUSED("UPTIME_SMTP_URL", "smtp://a b");
	clear_env();
	setenv("UPTIME_SMTP_URL", "smtp://user:s3cr3t@host\n", 1);
	CHECK_INT(config_load(err, sizeof(err)), -1);
	CHECK(strstr(err, "s3cr3t") == NULL);
	clear_env();

	/* UPTIME_SMTP_TLS: its three names; empty is the default. */
	CHECK_INT(load_with("UPTIME_SMTP_TLS", "required"), 0);
	CHECK_INT(cfg.smtp_tls, MAIL_TLS_REQUIRED);
	CHECK_INT(load_with("UPTIME_SMTP_TLS", "opportunistic"), 0);
	CHECK_INT(cfg.smtp_tls, MAIL_TLS_OPPORTUNISTIC);
	CHECK_INT(load_with("UPTIME_SMTP_TLS", "loopback-plain"), 0);
	CHECK_INT(cfg.smtp_tls, MAIL_TLS_LOOPBACK_PLAIN);
	CHECK_INT(load_with("UPTIME_SMTP_TLS", ""), 0);
	CHECK_INT(cfg.smtp_tls, MAIL_TLS_LOOPBACK_PLAIN);
	REFUSED("UPTIME_SMTP_TLS", "off");
	REFUSED("UPTIME_SMTP_TLS", "Required");
	REFUSED("UPTIME_SMTP_TLS", "1");

	CHECK_INT(load_with("UPTIME_MAIL_FROM", "Uptime <Ops@Example.com>"), 0);
	CHECK_STR(cfg.mail_from, "Uptime <Ops@Example.com>");
	REFUSED("UPTIME_MAIL_FROM", "");
	REFUSED("UPTIME_MAIL_FROM", "nobody");
	REFUSED("UPTIME_MAIL_FROM", "Uptime <ops@example.com");
	REFUSED("UPTIME_MAIL_FROM", "a@b.c\r\nBcc: x@y.z");
	/* 255 bytes fit, 256 do not. */
	n = 255 - strlen(" <x@example.com>");
	memset(v, 'a', n);
	snprintf(v + n, sizeof(v) - n, " <x@example.com>");
	CHECK_INT(strlen(v), 255);
	CHECK_INT(load_with("UPTIME_MAIL_FROM", v), 0);
	memset(v, 'a', n + 1);
	snprintf(v + n + 1, sizeof(v) - n - 1, " <x@example.com>");
	REFUSED("UPTIME_MAIL_FROM", v);
}

/* Origins hold no spaces: "a, b" is read as "a,b". */
static void
test_cors_origins_spaces(void)
{
	CHECK_INT(load_with("UPTIME_CORS_ORIGINS",
	    "https://a.example, https://b.example"), 0);
	CHECK_STR(cfg.cors_origins, "https://a.example,https://b.example");
	REFUSED("UPTIME_CORS_ORIGINS", "   ");
}

/* The alert notifier's outside services: defaults, and URLs only. */
static void
test_alert_urls(void)
{
	CHECK_INT(load_with(NULL, NULL), 0);
	CHECK_STR(cfg.pagerduty_url, "https://events.pagerduty.com/v2/enqueue");
	CHECK_STR(cfg.telegram_url, "https://api.telegram.org");
	CHECK_INT(load_with("UPTIME_TELEGRAM_URL", "http://127.0.0.1:8081/"),
	    0);
	CHECK_STR(cfg.telegram_url, "http://127.0.0.1:8081");
	CHECK_INT(load_with("UPTIME_PAGERDUTY_URL",
	    "http://127.0.0.1:9/v2/enqueue"), 0);
	CHECK_STR(cfg.pagerduty_url, "http://127.0.0.1:9/v2/enqueue");
	REFUSED("UPTIME_PAGERDUTY_URL", "");
	REFUSED("UPTIME_PAGERDUTY_URL", "ftp://events.pagerduty.com/");
	REFUSED("UPTIME_PAGERDUTY_URL", "events.pagerduty.com/v2/enqueue");
	REFUSED("UPTIME_TELEGRAM_URL", "https://user:pw@api.telegram.org");
	REFUSED("UPTIME_TELEGRAM_URL", "https://api telegram.org");
}

/* ---- the configuration file ---- */

static char	 conf_path[64];

/* Write text as the configuration file and point UPTIME_CONFIG at it
 * (every variable unset). */
static void
write_conf(const char *text, size_t len)
{
	FILE	*f;
	int	 fd;

	clear_env();
	if (conf_path[0] == '\0') {
		snprintf(conf_path, sizeof(conf_path),
		    "/tmp/test_config.XXXXXX");
		if ((fd = mkstemp(conf_path)) == -1)
			exit(2);
		close(fd);
	}
	if ((f = fopen(conf_path, "w")) == NULL ||
	    fwrite(text, 1, len, f) != len || fclose(f) != 0)
		exit(2);
	setenv("UPTIME_CONFIG", conf_path, 1);
}

#define WRITE_CONF(s)	write_conf((s), sizeof(s) - 1)

/* Where setting name came from, by config_show(). */
static const char *
from_of(const char *name)
{
	static char	 from[1100];
	char		 value[1100];
	const char	*n;
	size_t		 i;

	for (i = 0; (n = config_show(i, value, sizeof(value), from,
	    sizeof(from))) != NULL; i++)
		if (strcmp(n, name) == 0)
			return from;
	return "(no such setting)";
}

/* The value config_show() prints for name. */
static const char *
value_of(const char *name)
{
	static char	 value[1100];
	char		 from[1100];
	const char	*n;
	size_t		 i;

	for (i = 0; (n = config_show(i, value, sizeof(value), from,
	    sizeof(from))) != NULL; i++)
		if (strcmp(n, name) == 0)
			return value;
	return "(no such setting)";
}

static void
test_file_precedence(void)
{
	char	 err[512], want[128];

	WRITE_CONF("# uptime\n"
	    "UPTIME_RATE_LIMIT=7\n"
	    "\n"
	    "UPTIME_MAX_KEYS=5\n"
	    "UPTIME_PUBLIC_URL=https://status.example.com/\n");
	setenv("UPTIME_MAX_KEYS", "9", 1);
	CHECK_INT(config_load(err, sizeof(err)), 0);
	CHECK_STR(cfg.file, conf_path);
	CHECK_INT(cfg.rate_limit, 7);		/* the file */
	CHECK_INT(cfg.max_keys, 9);		/* the environment wins */
	CHECK_INT(cfg.retention_days, 30);	/* the default */
	CHECK_STR(cfg.public_url, "https://status.example.com");
	CHECK_INT(cfg.public_url_set, 1);	/* set in the file counts */
	snprintf(want, sizeof(want), "%s:2", conf_path);
	CHECK_STR(from_of("UPTIME_RATE_LIMIT"), want);
	CHECK_STR(from_of("UPTIME_MAX_KEYS"), "environment");
	CHECK_STR(from_of("UPTIME_RETENTION_DAYS"), "default");
	CHECK_STR(value_of("UPTIME_RATE_LIMIT"), "7");
	CHECK_STR(value_of("UPTIME_MAX_KEYS"), "9");
	/* An empty variable still overrides the file: the default. */
	setenv("UPTIME_RATE_LIMIT", "", 1);
	CHECK_INT(config_load(err, sizeof(err)), 0);
	CHECK_INT(cfg.rate_limit, 600);
	CHECK_STR(from_of("UPTIME_RATE_LIMIT"), "environment");
	clear_env();
}

static void
test_file_syntax(void)
{
	char	 err[512];

	WRITE_CONF("  # an indented comment\n"
	    "\t\n"
	    "   UPTIME_DB=/srv/uptime/uptime.db\n"
	    "UPTIME_MAIL_FROM=Uptime <ops@example.com>\n"
	    "UPTIME_CORS_ORIGINS=\"https://a.example, https://b.example\"\n"
	    "UPTIME_SECRET_FILE='/srv/uptime/se#cret'\n"
	    "UPTIME_SMTP_URL=smtp://u:p#w@mail.example:25\n"
	    "UPTIME_DNS_SERVERS=\n"
	    "UPTIME_CHECK_CONCURRENCY=\n"
	    "UPTIME_ALLOW_PRIVATE_TARGETS=yes");	/* no last newline */
	if (config_load(err, sizeof(err)) != 0)
		fprintf(stderr, "config_load: %s\n", err);
	CHECK_STR(cfg.db, "/srv/uptime/uptime.db");
	CHECK_STR(cfg.mail_from, "Uptime <ops@example.com>");
	CHECK_STR(cfg.cors_origins, "https://a.example,https://b.example");
	CHECK_STR(cfg.secret_file, "/srv/uptime/se#cret");
	CHECK_STR(cfg.smtp_url, "smtp://u:p#w@mail.example:25");
	CHECK_STR(cfg.dns_servers, "");
	CHECK_INT(cfg.check_concurrency, 0);	/* empty: the default */
	CHECK_INT(cfg.allow_private, 1);
	/* A quoted value keeps its quotes inside, and its spaces. */
	WRITE_CONF("UPTIME_MAIL_FROM=\"\"Uptime\" <ops@example.com>\"\n");
	if (config_load(err, sizeof(err)) != 0)
		fprintf(stderr, "config_load: %s\n", err);
	CHECK_STR(cfg.mail_from, "\"Uptime\" <ops@example.com>");
	/* An empty file, and only comments, are fine. */
	WRITE_CONF("");
	CHECK_INT(config_load(err, sizeof(err)), 0);
	CHECK_STR(cfg.file, conf_path);
	WRITE_CONF("# nothing yet\n\n");
	CHECK_INT(config_load(err, sizeof(err)), 0);
	clear_env();
}

/* The file's text; the refusal must name the file, "line N" and want. */
static void
check_bad_file(const char *text, size_t len, int line, const char *want,
    int srcline)
{
	char	 err[512], where[128];

	write_conf(text, len);
	err[0] = '\0';
	snprintf(where, sizeof(where), "%s line %d", conf_path, line);
	if (config_load(err, sizeof(err)) != -1) {
		fprintf(stderr, "%s:%d: accepted\n", __FILE__, srcline);
		unit_current_failed = 1;
	} else if (strstr(err, where) == NULL || strstr(err, want) == NULL) {
		fprintf(stderr, "%s:%d: \"%s\" does not say \"%s\" and "
		    "\"%s\"\n", __FILE__, srcline, err, where, want);
		unit_current_failed = 1;
	}
	clear_env();
}

#define BAD_FILE(s, line, want) \
	check_bad_file((s), sizeof(s) - 1, (line), (want), __LINE__)

static void
test_file_negative(void)
{
	char	 err[512];

	/* Each mistake, named by file, line and variable. */
	BAD_FILE("UPTIME_DB=/x\nUPTIME_RATE_LIMIT=fast\n", 2,
	    "UPTIME_RATE_LIMIT must be a whole number");
	BAD_FILE("# c\nUPTIME_RATE_LIMT=5\n", 2,
	    "UPTIME_RATE_LIMT is not a setting (did you mean "
	    "UPTIME_RATE_LIMIT?)");
	BAD_FILE("UPTIME_NO_SUCH_THING_AT_ALL=1\n", 1,
	    "UPTIME_NO_SUCH_THING_AT_ALL is not a setting");
	BAD_FILE("\n\nUPTIME_DB /x\n", 3, "UPTIME_DB");
	BAD_FILE("UPTIME_DB =/x\n", 1, "UPTIME_DB");
	BAD_FILE("UPTIME_DB= /x\n", 1, "UPTIME_DB");
	BAD_FILE("UPTIME_DB=/x \n", 1, "UPTIME_DB");
	BAD_FILE("UPTIME_DB=/x\r\n", 1, "UPTIME_DB");
	BAD_FILE("UPTIME_DB=\"/x\n", 1, "UPTIME_DB");
	BAD_FILE("UPTIME_DB=\"/x'\n", 1, "UPTIME_DB");
	BAD_FILE("UPTIME_DB=\"\n", 1, "UPTIME_DB");
	BAD_FILE("UPTIME_DB=/x\nUPTIME_DB=/y\n", 2,
	    "UPTIME_DB is set a second time (first on line 1)");
	BAD_FILE("UPTIME_CONFIG=/etc/other.conf\n", 1, "UPTIME_CONFIG");
	BAD_FILE("uptime_db=/x\n", 1, "NAME=value");
	BAD_FILE("export UPTIME_DB=/x\n", 1, "NAME=value");
	BAD_FILE("=/x\n", 1, "NAME=value");
	BAD_FILE("UPTIME_DB=/x\nUPTIME_PUBLIC_URL=example.com\n", 2,
	    "UPTIME_PUBLIC_URL must be an absolute");
	BAD_FILE("UPTIME_SMTP_URL=mail.example.com\n", 1, "UPTIME_SMTP_URL");
	BAD_FILE("UPTIME_DB=\n", 1, "UPTIME_DB must name a file");
	BAD_FILE("UPTIME_DB=/x\0y\n", 1, "NUL");

	/* A line too long. */
	{
		char	 text[5000];

		memcpy(text, "UPTIME_CA_FILE=/", 16);
		memset(text + 16, 'a', sizeof(text) - 17);
		text[sizeof(text) - 1] = '\n';
		check_bad_file(text, sizeof(text), 1, "longer than",
		    __LINE__);
	}

	/* A password in a refused line is never repeated. */
	WRITE_CONF("UPTIME_SMTP_URL=smtp://u:s3cr3t@a b\n");
	CHECK_INT(config_load(err, sizeof(err)), -1);
	CHECK(strstr(err, "s3cr3t") == NULL);
	WRITE_CONF("smtp://u:s3cr3t@host\n");
	CHECK_INT(config_load(err, sizeof(err)), -1);
	CHECK(strstr(err, "s3cr3t") == NULL);

	/* A value from the environment says so. */
	clear_env();
	setenv("UPTIME_RATE_LIMIT", "fast", 1);
	CHECK_INT(config_load(err, sizeof(err)), -1);
	CHECK(strstr(err, "UPTIME_RATE_LIMIT") != NULL);
	CHECK(strstr(err, "environment") != NULL);
	clear_env();
}

/* The file UPTIME_CONFIG names must be there; the default need not. */
static void
test_file_missing_negative(void)
{
	char	 err[512];

	clear_env();
	setenv("UPTIME_CONFIG", "/nonexistent/uptime.conf", 1);
	CHECK_INT(config_load(err, sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent/uptime.conf") != NULL);
	CHECK(strstr(err, "UPTIME_CONFIG") != NULL);
	CHECK(strstr(err, "No such file") != NULL);
	setenv("UPTIME_CONFIG", "/tmp", 1);
	CHECK_INT(config_load(err, sizeof(err)), -1);
	CHECK(strstr(err, "is a folder") != NULL);
	setenv("UPTIME_CONFIG", "uptime.conf", 1);
	CHECK_INT(config_load(err, sizeof(err)), -1);
	CHECK(strstr(err, "UPTIME_CONFIG must be an absolute path") != NULL);
	/* Empty: no file at all. */
	setenv("UPTIME_CONFIG", "", 1);
	CHECK_INT(config_load(err, sizeof(err)), 0);
	CHECK_STR(cfg.file, "");
	/* Unset: the default file, only when it exists. */
	unsetenv("UPTIME_CONFIG");
	if (access(CONFIG_DEFAULT_FILE, F_OK) == -1) {
		CHECK_INT(config_load(err, sizeof(err)), 0);
		CHECK_STR(cfg.file, "");
	}
	clear_env();
}

/* config_check() goes on and reports every problem. */
static void
count_report(void *arg, const char *msg)
{
	(void)msg;
	(*(int *)arg)++;
}

static void
test_check_reports_all(void)
{
	int	 n = 0;

	WRITE_CONF("UPTIME_RATE_LIMIT=0\n"
	    "UPTIME_BOGUS=1\n"
	    "UPTIME_MAX_KEYS=7\n"
	    "UPTIME_PUBLIC_URL=/relative\n");
	CHECK_INT(config_check(count_report, &n), 3);
	CHECK_INT(n, 3);
	/* The good line is still read; the refused ones are defaults. */
	CHECK_INT(cfg.max_keys, 7);
	CHECK_INT(cfg.rate_limit, 600);
	CHECK_STR(cfg.public_url, "http://127.0.0.1:8080");
	clear_env();
}

static void
test_show_masks_password(void)
{
	char	 err[512];

	clear_env();
	setenv("UPTIME_SMTP_URL", "smtps://mailer:s3cr3t@mail.example:465", 1);
	CHECK_INT(config_load(err, sizeof(err)), 0);
	CHECK_STR(value_of("UPTIME_SMTP_URL"),
	    "smtps://mailer:****@mail.example:465");
	setenv("UPTIME_SMTP_URL", "smtp://mailer@mail.example", 1);
	CHECK_INT(config_load(err, sizeof(err)), 0);
	CHECK_STR(value_of("UPTIME_SMTP_URL"), "smtp://mailer@mail.example");
	CHECK_STR(value_of("UPTIME_SMTP_TLS"), "loopback-plain");
	CHECK_STR(value_of("UPTIME_ALLOW_PRIVATE_TARGETS"), "0");
	clear_env();
}

/* config_blame() names the setting and where it was set. */
static void
test_blame(void)
{
	char	 err[512], msg[256], want[128];

	WRITE_CONF("UPTIME_MAX_KEYS=5\nUPTIME_DB=/srv/u.db\n");
	setenv("UPTIME_SECRET_FILE", "/srv/secret", 1);
	CHECK_INT(config_load(err, sizeof(err)), 0);
	snprintf(msg, sizeof(msg), "cannot open /srv/u.db");
	config_blame("UPTIME_DB", msg, sizeof(msg));
	snprintf(want, sizeof(want), "cannot open /srv/u.db; see UPTIME_DB, "
	    "set in %s line 2", conf_path);
	CHECK_STR(msg, want);
	snprintf(msg, sizeof(msg), "x");
	config_blame("UPTIME_SECRET_FILE", msg, sizeof(msg));
	CHECK_STR(msg, "x; see UPTIME_SECRET_FILE, set in the environment");
	snprintf(msg, sizeof(msg), "x");
	config_blame("UPTIME_CA_FILE", msg, sizeof(msg));
	snprintf(want, sizeof(want), "x; see UPTIME_CA_FILE, unset: its "
	    "default (not in %s)", conf_path);
	CHECK_STR(msg, want);
	/* A full buffer stays as it is, terminated. */
	memset(msg, 'a', 7);
	msg[7] = '\0';
	config_blame("UPTIME_DB", msg, 8);
	CHECK_STR(msg, "aaaaaaa");
	clear_env();
}

int
main(void)
{
	UNIT_RUN(test_defaults);
	UNIT_RUN(test_values_read);
	UNIT_RUN(test_public_url_trailing_slash);
	UNIT_RUN(test_numbers_negative);
	UNIT_RUN(test_bool_spellings);
	UNIT_RUN(test_strings_too_long);
	UNIT_RUN(test_strings_negative);
	UNIT_RUN(test_public_url_without_host);
	UNIT_RUN(test_cors_origins_spaces);
	UNIT_RUN(test_mail_vars);
	UNIT_RUN(test_alert_urls);
	UNIT_RUN(test_file_precedence);
	UNIT_RUN(test_file_syntax);
	UNIT_RUN(test_file_negative);
	UNIT_RUN(test_file_missing_negative);
	UNIT_RUN(test_check_reports_all);
	UNIT_RUN(test_show_masks_password);
	UNIT_RUN(test_blame);
	if (conf_path[0] != '\0')
		unlink(conf_path);
	clear_env();
	return unit_finish();
}
