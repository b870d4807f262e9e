/*
 * Target safety policy: which addresses a check (or a webhook delivery)
 * may connect to, and which URLs are acceptable at all.
 *
 * The address rule is applied to the resolved address of every
 * connection, redirects included (see probe.c), so a name that resolves
 * to a private address, or a public page that redirects to one, is
 * refused just like a private IP literal.  See docs/lib/target.md.
 */
#ifndef TARGET_H
#define TARGET_H

#include <stddef.h>

struct sockaddr;

/* Longest URL accepted by target_url_check(), in bytes. */
#define TARGET_MAXURL	2048

/*
 * Whether a connection to the address sa may be opened.  sa is an
 * AF_INET or AF_INET6 socket address (the port is ignored); any other
 * family is refused.
 *
 * Without allow_private these are refused: IPv4 0/8, 10/8, 100.64/10,
 * 127/8, 169.254/16, 172.16/12, 192.0.0/24, 192.168/16, 198.18/15,
 * 224/4, 240/4, 255.255.255.255; IPv6 ::, ::1, fc00::/7, fe80::/10,
 * fec0::/10, ff00::/8, 64:ff9b:1::/48; and IPv6 addresses that carry an
 * IPv4 address (::ffff:0:0/96 mapped, ::/96 compatible,
 * ::ffff:0:0:0/96 translated, 64:ff9b::/96 NAT64, 2002::/16 6to4) are
 * judged by that IPv4 address.
 *
 * With allow_private, only what can never be a unicast destination stays
 * refused: the unspecified addresses 0.0.0.0 and ::, multicast (224/4,
 * ff00::/8) and the limited broadcast 255.255.255.255, again also when
 * embedded in an IPv6 address.
 *
 * Returns 1 if allowed, 0 if refused.
 */
int	target_addr_allowed(const struct sockaddr *sa, int allow_private);

/*
 * Syntax check of a monitor or webhook URL with libcurl's URL parser:
 * at most TARGET_MAXURL bytes, scheme http or https, a host, no userinfo
 * (user, password or login options).  Does not resolve anything.
 *
 * Returns 0 if acceptable.  Returns -1 otherwise and, when err is not
 * NULL and errlen > 0, writes a short NUL-terminated English message
 * for the user into err (no library text, no input echoed back).
 */
int	target_url_check(const char *url, char *err, size_t errlen)
	    __attribute__((warn_unused_result));

/*
 * Validation-time checks, without resolving anything: 1 when the host
 * name is "localhost", ends in ".localhost", or is an IP literal (in
 * brackets or not) that target_addr_allowed() refuses without
 * allow_private; else 0.  target_url_private() does the same for the
 * host of a URL (0 when the URL cannot be parsed).  Used to refuse such
 * targets when a monitor or an alert channel is saved; names are
 * checked again at every connection.
 */
int	target_name_private(const char *host);
int	target_url_private(const char *url);

/*
 * A URL a user gives for a target (a monitor, an alert channel), as it
 * is checked when saved: target_url_check(), then, without
 * allow_private, target_url_private().  0, or -1 with a message for the
 * user in err.
 */
int	target_url_acceptable(const char *url, int allow_private, char *err,
	    size_t errlen) __attribute__((warn_unused_result));

#endif /* TARGET_H */
