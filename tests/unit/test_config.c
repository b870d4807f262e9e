/*
 * Unit tests of lib/config.c: defaults, the range of each number, the
 * spelling of booleans, string length limits, and that every refusal
 * names its variable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
};

static void
clear_env(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(all_vars) / sizeof(all_vars[0]); i++)
		unsetenv(all_vars[i]);
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
	CHECK_INT(cfg.audit_days, 90);
	CHECK_INT(cfg.check_concurrency, 0);	/* from the descriptor limit */
	CHECK_INT(cfg.check_team_concurrency, 0);
	CHECK_STR(cfg.dns_servers, "");
	CHECK_STR(cfg.ca_file, "");
	CHECK_INT(cfg.invite_ttl, 604800);	/* API.md: 7 days */
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
	clear_env();
	return unit_finish();
}
