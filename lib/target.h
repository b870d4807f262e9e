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

/* How an address is judged. */
enum target_class {
	TARGET_PUBLIC,		/* allowed */
	TARGET_PRIVATE,		/* allowed only with allow_private */
	TARGET_NEVER,		/* never a destination: always refused */
	TARGET_EMBED_LOW32,	/* judged by the IPv4 address in its last
				   32 bits */
	TARGET_EMBED_6TO4,	/* judged by the IPv4 address after the
				   16-bit 6to4 prefix */
	TARGET_CLASS__MAX
};

/* One entry of the special-purpose address table (target.c). */
struct target_range {
	int			 family;	/* AF_INET or AF_INET6 */
	const char		*prefix;	/* the network, as text */
	unsigned int		 bits;		/* prefix length */
	enum target_class	 class;
	const char		*name;		/* as the registry names it */
	const char		*ref;		/* RFC (and section) */
};

/*
 * What a refusal tells the user: the kind of address, never the address
 * (which would reveal what an internal name resolves to), and the
 * setting that would allow it where one would.  Callers put a verb
 * before it ("points to ...", "resolves to ...").
 */
#define TARGET_MSG_PRIVATE	"an address that is not public; this server " \
	"does not reach private addresses (UPTIME_ALLOW_PRIVATE_TARGETS)"
#define TARGET_MSG_NEVER	"an address that is never reached (unspecified, " \
	"broadcast, multicast or a cloud metadata service)"

/*
 * Whether a connection to the address sa may be opened.  sa is an
 * AF_INET or AF_INET6 socket address (the port is ignored); any other
 * family, and NULL, is refused.
 *
 * The address takes the class of the longest prefix of the table that
 * contains it (target_range_at()): the IANA IPv4 and IPv6
 * special-purpose registries, multicast, and cloud metadata addresses.
 * IPv6 forms that carry an IPv4 address (::ffff:0:0/96 mapped, ::/96
 * compatible, ::ffff:0:0:0/96 translated, 64:ff9b::/96 NAT64, 2002::/16
 * 6to4) are judged by that IPv4 address.  Without allow_private only
 * TARGET_PUBLIC addresses (and those in no entry) are allowed; with it,
 * all but TARGET_NEVER.
 *
 * target_addr_allowed() returns 1 if allowed, 0 if refused;
 * target_addr_refusal() returns NULL if allowed, else TARGET_MSG_PRIVATE
 * or TARGET_MSG_NEVER (static strings).
 */
int	target_addr_allowed(const struct sockaddr *sa, int allow_private);
const char *target_addr_refusal(const struct sockaddr *sa,
	    int allow_private);

/* Entry i of the address table, or NULL past its end (for tests). */
const struct target_range *target_range_at(size_t i);

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
 * user in err ("points to " and a TARGET_MSG_ text when the host is
 * refused).
 */
int	target_url_acceptable(const char *url, int allow_private, char *err,
	    size_t errlen) __attribute__((warn_unused_result));

#endif /* TARGET_H */
