/*
 * mailaddr.c: mail addresses and the UPTIME_SMTP_TLS modes, the syntax
 * that the settings (config.h) and the sender (mail.h) both check.
 */
#ifndef MAILADDR_H
#define MAILADDR_H

#include "base.h"

#define MAIL_ADDR_MAX	254		/* an address, bytes */

/*
 * UPTIME_SMTP_TLS: when smtp:// must be encrypted (STARTTLS, with the
 * server's certificate verified; smtps:// always is).  The first is the
 * zero value, so a configuration never loaded requires TLS.
 */
enum mail_tls {
	MAIL_TLS_REQUIRED,	/* always: no STARTTLS, no mail */
	MAIL_TLS_LOOPBACK_PLAIN, /* always, but for a relay on a loopback
				   address or localhost (the default) */
	MAIL_TLS_OPPORTUNISTIC,	/* STARTTLS when offered, else plain */
	MAIL_TLS__MAX
};
extern const char *const mail_tls_names[MAIL_TLS__MAX];

/*
 * Check an address ("local@domain": a dot-atom local part of at most 64
 * characters, a domain of letters, digits and hyphens in dot-separated
 * labels; ASCII only, at most MAIL_ADDR_MAX bytes) and write it in lower
 * case into out.  0, or -1 when it is not one.
 */
int	 mail_addr_normalize(const char *in, char *out, size_t outlen) WUR;

/*
 * Split a sender, "addr" or "Display Name <addr>", into its address
 * (checked as above) and display name ("" when none).  0 or -1.
 */
int	 mail_from_parse(const char *from, char *addr, size_t addrlen,
	    char *name, size_t namelen) WUR;

#endif /* MAILADDR_H */
