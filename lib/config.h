/*
 * config.c: the settings, read once at start-up.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include "base.h"

/* The configuration file read when UPTIME_CONFIG is not set. */
#define CONFIG_DEFAULT_FILE	"/etc/uptime/uptime.conf"

/* UPTIME_CANARY_URLS: at most this many URLs of this many bytes. */
#define CONFIG_CANARY_MAX	8
#define CONFIG_CANARY_URLMAX	2048

struct config {
	char	 file[1024];		/* the file read (UPTIME_CONFIG), or "" */
	char	 db[1024];		/* UPTIME_DB */
	char	 secret_file[1024];	/* UPTIME_SECRET_FILE */
	char	 public_url[PUBLIC_URL_MAX];	/* UPTIME_PUBLIC_URL, no end / */
	int	 public_url_set;	/* given: links are absolute */
	int	 allow_private;		/* UPTIME_ALLOW_PRIVATE_TARGETS */
	char	 smtp_url[512];		/* UPTIME_SMTP_URL, "" = no mail */
	char	 mail_from[256];	/* UPTIME_MAIL_FROM */
	int	 smtp_tls;		/* UPTIME_SMTP_TLS, enum mail_tls */
	char	 cors_origins[1024];	/* UPTIME_CORS_ORIGINS */
	long	 rate_limit;		/* UPTIME_RATE_LIMIT, per key a minute */
	long	 auth_fail_limit;	/* UPTIME_AUTH_FAIL_LIMIT, per client */
	long	 retention_days;	/* UPTIME_RETENTION_DAYS, raw results */
	long	 max_keys;		/* UPTIME_MAX_KEYS, active keys a team */
	long	 max_monitors;		/* UPTIME_MAX_MONITORS, a team */
	long	 max_channels;		/* UPTIME_MAX_ALERT_CHANNELS, a team */
	long	 max_pages;		/* UPTIME_MAX_STATUS_PAGES, a team */
	long	 max_windows;		/* UPTIME_MAX_MAINTENANCE_WINDOWS, live */
	long	 max_run_now;		/* UPTIME_MAX_RUN_NOW, checks at once */
	long	 check_rate_limit;	/* UPTIME_CHECK_RATE_LIMIT, one-off
					   checks a team a minute */
	long	 verify_limit;		/* UPTIME_DOMAIN_VERIFY_LIMIT, custom-
					   domain lookups a team a minute */
	long	 audit_days;		/* UPTIME_AUDIT_RETENTION_DAYS */
	long	 check_concurrency;	/* UPTIME_CHECK_CONCURRENCY, 0: from
					   the descriptor limit */
	long	 check_team_concurrency; /* UPTIME_CHECK_TEAM_CONCURRENCY,
					   0: a quarter of the slots */
	char	 dns_servers[256];	/* UPTIME_DNS_SERVERS, "" = system */
	char	 ca_file[1024];		/* UPTIME_CA_FILE, "" = system CAs */
	char	 canary_urls[CONFIG_CANARY_MAX * (CONFIG_CANARY_URLMAX + 1)];
					/* UPTIME_CANARY_URLS, "" = none */
	long	 invite_ttl;		/* UPTIME_INVITE_TTL_SECONDS */
	long	 session_idle;		/* UPTIME_SESSION_IDLE_SECONDS */
	long	 session_max;		/* UPTIME_SESSION_MAX_SECONDS */
	long	 login_limit;		/* UPTIME_LOGIN_LIMIT, sign-in tries
					   a minute, per client and account */
	long	 link_ttl;		/* UPTIME_PASSWORD_LINK_TTL_SECONDS */
	char	 pagerduty_url[512];	/* UPTIME_PAGERDUTY_URL */
	char	 telegram_url[512];	/* UPTIME_TELEGRAM_URL, no trailing / */
};

extern struct config cfg;

/*
 * Fill cfg: each setting from its UPTIME_* environment variable, else
 * its line in the configuration file, else its default.  On a bad line
 * or value, returns -1 with a message in err naming the variable and
 * where it was set (the file and line, or the environment).
 */
int	 config_load(char *err, size_t errlen) WUR;
/*
 * The same, going on past problems: each message goes to report(arg,
 * msg), and the number of them is returned.  cfg then holds the
 * defaults in place of the refused values.
 */
int	 config_check(void (*report)(void *, const char *), void *arg);
/*
 * Setting i of the table (0, 1, ...) after a load: returns its name,
 * with its value as text in value (a password in a URL as "****") and
 * where it came from in from ("default", "environment" or "FILE:LINE",
 * with ", refused: the default" after a refused value); NULL past the
 * last.
 */
const char *config_show(size_t i, char *value, size_t valuelen, char *from,
	    size_t fromlen);
/*
 * Append to the message in err which setting name it concerns and where
 * that was set: "; see UPTIME_DB, set in /etc/uptime/uptime.conf line
 * 2".  For start-up failures caused by a setting's value.
 */
void	 config_blame(const char *name, char *err, size_t errlen);
/*
 * Split a UPTIME_CANARY_URLS value (http:// or https:// URLs with a
 * host, separated by commas, blanks around each ignored; "" for none)
 * into urls: the number of URLs, or -1 with why naming the bad one.
 */
int	 config_canaries(const char *v,
	    char urls[CONFIG_CANARY_MAX][CONFIG_CANARY_URLMAX + 1],
	    char *why, size_t whylen);

#endif /* CONFIG_H */
