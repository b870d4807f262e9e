/*
 * Target safety policy.  See target.h and docs/lib/target.md.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <netdb.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "target.h"

/*
 * The special-purpose address table: every entry of the IANA IPv4 and
 * IPv6 Special-Purpose Address Registries (names and references as the
 * registries give them), then the few blocks the policy adds: multicast,
 * the deprecated IPv6 site-local and IPv4-compatible forms, and the
 * cloud metadata services that sit outside the special ranges or must
 * stay refused inside them.
 *
 * An address takes the class of the longest prefix that contains it, so
 * the order of the table does not matter and a registry entry nested in
 * a wider one (192.0.0.9/32 in 192.0.0.0/24) keeps its own class.  An
 * address no entry contains is public.
 *
 * TARGET_PUBLIC entries are those the registry marks globally reachable;
 * they are listed so that a wider refused block does not swallow them.
 */
static const struct target_range target_ranges[] = {
	/* IANA IPv4 Special-Purpose Address Registry. */
	{ AF_INET, "0.0.0.0", 8, TARGET_PRIVATE,
	    "\"This network\"", "RFC 791, section 3.2" },
	{ AF_INET, "0.0.0.0", 32, TARGET_NEVER,
	    "\"This host on this network\"", "RFC 1122, section 3.2.1.3" },
	{ AF_INET, "10.0.0.0", 8, TARGET_PRIVATE,
	    "Private-Use", "RFC 1918" },
	{ AF_INET, "100.64.0.0", 10, TARGET_PRIVATE,
	    "Shared Address Space", "RFC 6598" },
	{ AF_INET, "127.0.0.0", 8, TARGET_PRIVATE,
	    "Loopback", "RFC 1122, section 3.2.1.3" },
	{ AF_INET, "169.254.0.0", 16, TARGET_PRIVATE,
	    "Link Local", "RFC 3927" },
	{ AF_INET, "172.16.0.0", 12, TARGET_PRIVATE,
	    "Private-Use", "RFC 1918" },
	{ AF_INET, "192.0.0.0", 24, TARGET_PRIVATE,
	    "IETF Protocol Assignments", "RFC 6890, section 2.1" },
	{ AF_INET, "192.0.0.0", 29, TARGET_PRIVATE,
	    "IPv4 Service Continuity Prefix", "RFC 7335" },
	{ AF_INET, "192.0.0.8", 32, TARGET_PRIVATE,
	    "IPv4 dummy address", "RFC 7600" },
	{ AF_INET, "192.0.0.9", 32, TARGET_PUBLIC,
	    "Port Control Protocol Anycast", "RFC 7723" },
	{ AF_INET, "192.0.0.10", 32, TARGET_PUBLIC,
	    "Traversal Using Relays around NAT Anycast", "RFC 8155" },
	{ AF_INET, "192.0.0.170", 32, TARGET_PRIVATE,
	    "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050, section 2.2" },
	{ AF_INET, "192.0.0.171", 32, TARGET_PRIVATE,
	    "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050, section 2.2" },
	{ AF_INET, "192.0.2.0", 24, TARGET_PRIVATE,
	    "Documentation (TEST-NET-1)", "RFC 5737" },
	{ AF_INET, "192.31.196.0", 24, TARGET_PUBLIC,
	    "AS112-v4", "RFC 7535" },
	{ AF_INET, "192.52.193.0", 24, TARGET_PUBLIC,
	    "AMT", "RFC 7450" },
	{ AF_INET, "192.88.99.0", 24, TARGET_PRIVATE,
	    "Deprecated (6to4 Relay Anycast)", "RFC 7526" },
	{ AF_INET, "192.168.0.0", 16, TARGET_PRIVATE,
	    "Private-Use", "RFC 1918" },
	{ AF_INET, "192.175.48.0", 24, TARGET_PUBLIC,
	    "Direct Delegation AS112 Service", "RFC 7534" },
	{ AF_INET, "198.18.0.0", 15, TARGET_PRIVATE,
	    "Benchmarking", "RFC 2544" },
	{ AF_INET, "198.51.100.0", 24, TARGET_PRIVATE,
	    "Documentation (TEST-NET-2)", "RFC 5737" },
	{ AF_INET, "203.0.113.0", 24, TARGET_PRIVATE,
	    "Documentation (TEST-NET-3)", "RFC 5737" },
	{ AF_INET, "240.0.0.0", 4, TARGET_PRIVATE,
	    "Reserved", "RFC 1112, section 4" },
	{ AF_INET, "255.255.255.255", 32, TARGET_NEVER,
	    "Limited Broadcast", "RFC 8190, RFC 919, section 7" },

	/* IANA IPv6 Special-Purpose Address Registry. */
	{ AF_INET6, "::1", 128, TARGET_PRIVATE,
	    "Loopback Address", "RFC 4291" },
	{ AF_INET6, "::", 128, TARGET_NEVER,
	    "Unspecified Address", "RFC 4291" },
	{ AF_INET6, "::ffff:0:0", 96, TARGET_EMBED_LOW32,
	    "IPv4-mapped Address", "RFC 4291" },
	{ AF_INET6, "64:ff9b::", 96, TARGET_EMBED_LOW32,
	    "IPv4-IPv6 Translat.", "RFC 6052" },
	{ AF_INET6, "64:ff9b:1::", 48, TARGET_PRIVATE,
	    "IPv4-IPv6 Translat.", "RFC 8215" },
	{ AF_INET6, "100::", 64, TARGET_PRIVATE,
	    "Discard-Only Address Block", "RFC 6666" },
	{ AF_INET6, "100:0:0:1::", 64, TARGET_PRIVATE,
	    "Dummy IPv6 Prefix", "RFC 9780" },
	{ AF_INET6, "2001::", 23, TARGET_PRIVATE,
	    "IETF Protocol Assignments", "RFC 2928" },
	{ AF_INET6, "2001::", 32, TARGET_PRIVATE,
	    "TEREDO", "RFC 4380, RFC 8190" },
	{ AF_INET6, "2001:1::1", 128, TARGET_PUBLIC,
	    "Port Control Protocol Anycast", "RFC 7723" },
	{ AF_INET6, "2001:1::2", 128, TARGET_PUBLIC,
	    "Traversal Using Relays around NAT Anycast", "RFC 8155" },
	{ AF_INET6, "2001:1::3", 128, TARGET_PUBLIC,
	    "DNS-SD Service Registration Protocol Anycast", "RFC 9665" },
	{ AF_INET6, "2001:2::", 48, TARGET_PRIVATE,
	    "Benchmarking", "RFC 5180" },
	{ AF_INET6, "2001:3::", 32, TARGET_PUBLIC,
	    "AMT", "RFC 7450" },
	{ AF_INET6, "2001:4:112::", 48, TARGET_PUBLIC,
	    "AS112-v6", "RFC 7535" },
	{ AF_INET6, "2001:10::", 28, TARGET_PRIVATE,
	    "Deprecated (previously ORCHID)", "RFC 4843" },
	{ AF_INET6, "2001:20::", 28, TARGET_PUBLIC,
	    "ORCHIDv2", "RFC 7343" },
	{ AF_INET6, "2001:30::", 28, TARGET_PUBLIC,
	    "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374" },
	{ AF_INET6, "2001:db8::", 32, TARGET_PRIVATE,
	    "Documentation", "RFC 3849" },
	{ AF_INET6, "2002::", 16, TARGET_EMBED_6TO4,
	    "6to4", "RFC 3056" },
	{ AF_INET6, "2620:4f:8000::", 48, TARGET_PUBLIC,
	    "Direct Delegation AS112 Service", "RFC 7534" },
	{ AF_INET6, "3fff::", 20, TARGET_PRIVATE,
	    "Documentation", "RFC 9637" },
	{ AF_INET6, "5f00::", 16, TARGET_PRIVATE,
	    "Segment Routing (SRv6) SIDs", "RFC 9602" },
	{ AF_INET6, "fc00::", 7, TARGET_PRIVATE,
	    "Unique-Local", "RFC 4193, RFC 8190" },
	{ AF_INET6, "fe80::", 10, TARGET_PRIVATE,
	    "Link-Local Unicast", "RFC 4291" },

	/* Not in the special-purpose registries. */
	{ AF_INET, "224.0.0.0", 4, TARGET_NEVER,
	    "Multicast", "RFC 5771" },
	{ AF_INET6, "ff00::", 8, TARGET_NEVER,
	    "Multicast", "RFC 4291" },
	{ AF_INET6, "fec0::", 10, TARGET_PRIVATE,
	    "Site-Local (deprecated)", "RFC 3879" },
	{ AF_INET6, "::", 96, TARGET_EMBED_LOW32,
	    "IPv4-Compatible (deprecated)", "RFC 4291, section 2.5.5.1" },
	{ AF_INET6, "::ffff:0:0:0", 96, TARGET_EMBED_LOW32,
	    "IPv4-translated", "RFC 2765" },
	{ AF_INET, "169.254.169.254", 32, TARGET_NEVER,
	    "Cloud metadata service (AWS, GCP, Azure, Oracle, OpenStack)",
	    "provider documentation" },
	{ AF_INET, "168.63.129.16", 32, TARGET_NEVER,
	    "Azure platform (WireServer)", "provider documentation" },
	{ AF_INET, "100.100.100.200", 32, TARGET_NEVER,
	    "Alibaba Cloud metadata service", "provider documentation" },
	{ AF_INET6, "fd00:ec2::254", 128, TARGET_NEVER,
	    "AWS metadata service (IPv6)", "provider documentation" },
};

#define TARGET_NRANGES	(sizeof(target_ranges) / sizeof(target_ranges[0]))

const struct target_range *
target_range_at(size_t i)
{
	return i < TARGET_NRANGES ? &target_ranges[i] : NULL;
}

/* Does the address a (len bytes) start with the first bits of p? */
static int
target_prefix_match(const uint8_t *a, const uint8_t *p, unsigned int bits)
{
	unsigned int	 full = bits / 8, rest = bits % 8;
	uint8_t		 mask;

	if (memcmp(a, p, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (uint8_t)(0xff << (8 - rest));
	return (a[full] & mask) == (p[full] & mask);
}

/*
 * The class of the address a of family af (4 or 16 bytes): the longest
 * entry of the table that contains it, with the IPv4 address inside the
 * IPv6 forms that carry one judged in turn.
 */
static enum target_class
target_class_of(int af, const uint8_t *a)
{
	const struct target_range	*r, *best = NULL;
	uint8_t				 p[16];
	size_t				 i;

	for (i = 0; i < TARGET_NRANGES; i++) {
		r = &target_ranges[i];
		if (r->family != af || (best != NULL && r->bits <= best->bits))
			continue;
		if (inet_pton(af, r->prefix, p) == 1 &&
		    target_prefix_match(a, p, r->bits))
			best = r;
	}
	if (best == NULL)
		return TARGET_PUBLIC;
	switch (best->class) {
	case TARGET_EMBED_LOW32:
		return target_class_of(AF_INET, a + 12);
	case TARGET_EMBED_6TO4:
		return target_class_of(AF_INET, a + 2);
	default:
		return best->class;
	}
}

/* The class of a socket address; TARGET_NEVER for other families. */
static enum target_class
target_sa_class(const struct sockaddr *sa)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	if (sa == NULL)
		return TARGET_NEVER;
	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)(const void *)sa;
		return target_class_of(AF_INET,
		    (const uint8_t *)&sin->sin_addr.s_addr);
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		return target_class_of(AF_INET6, sin6->sin6_addr.s6_addr);
	default:
		return TARGET_NEVER;
	}
}

/* Why an address of class c is refused, or NULL when it is not. */
static const char *
target_class_refusal(enum target_class c, int allow_private)
{
	switch (c) {
	case TARGET_PUBLIC:
		return NULL;
	case TARGET_PRIVATE:
		return allow_private ? NULL : TARGET_MSG_PRIVATE;
	default:
		return TARGET_MSG_NEVER;
	}
}

const char *
target_addr_refusal(const struct sockaddr *sa, int allow_private)
{
	return target_class_refusal(target_sa_class(sa), allow_private);
}

int
target_addr_allowed(const struct sockaddr *sa, int allow_private)
{
	return target_addr_refusal(sa, allow_private) == NULL;
}

/* A user-facing message for a URL parser error, without library text. */
static const char *
target_url_errmsg(CURLUcode uc)
{
	switch (uc) {
	case CURLUE_NO_SCHEME:
	case CURLUE_BAD_SCHEME:
	case CURLUE_UNSUPPORTED_SCHEME:
		return "URL must start with http:// or https://";
	case CURLUE_NO_HOST:
	case CURLUE_BAD_HOSTNAME:
	case CURLUE_BAD_IPV6:
		return "URL has no valid host";
	case CURLUE_BAD_PORT_NUMBER:
		return "URL has an invalid port";
	case CURLUE_BAD_LOGIN:
	case CURLUE_BAD_USER:
	case CURLUE_BAD_PASSWORD:
	case CURLUE_USER_NOT_ALLOWED:
		return "URL must not contain credentials";
	case CURLUE_OUT_OF_MEMORY:
		return "out of memory";
	default:
		return "URL is not valid";
	}
}

int
target_url_check(const char *url, char *err, size_t errlen)
{
	CURLU		*h = NULL;
	CURLUcode	 uc;
	char		*part = NULL;
	const char	*msg = NULL;
	const unsigned char *s;
	size_t		 len;
	int		 rc = -1;

	if (url == NULL || *url == '\0') {
		msg = "URL is empty";
		goto out;
	}
	len = strnlen(url, TARGET_MAXURL + 1);
	if (len > TARGET_MAXURL) {
		msg = "URL is longer than 2048 bytes";
		goto out;
	}
	for (s = (const unsigned char *)url; *s != '\0'; s++)
		if (*s <= 0x20 || *s == 0x7f) {
			msg = "URL contains spaces or control characters";
			goto out;
		}

	/*
	 * libcurl, like browsers, takes one to three slashes after the
	 * scheme ("https:///x" has host "x"); ask for exactly two, so
	 * that the host the user reads is the host we connect to.
	 */
	if ((s = (const unsigned char *)strstr(url, "://")) == NULL) {
		msg = "URL must start with http:// or https://";
		goto out;
	}
	if (s[3] == '/' || s[3] == '\\') {
		msg = "URL has no valid host";
		goto out;
	}

	if ((h = curl_url()) == NULL) {
		msg = "out of memory";
		goto out;
	}
	/* Parse any scheme so that the message can say what is wrong. */
	uc = curl_url_set(h, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
	if (uc != CURLUE_OK) {
		msg = target_url_errmsg(uc);
		goto out;
	}

	uc = curl_url_get(h, CURLUPART_SCHEME, &part, 0);
	if (uc != CURLUE_OK || part == NULL ||
	    (strcasecmp(part, "http") != 0 && strcasecmp(part, "https") != 0)) {
		msg = "URL must start with http:// or https://";
		goto out;
	}
	curl_free(part);
	part = NULL;

	uc = curl_url_get(h, CURLUPART_HOST, &part, 0);
	if (uc != CURLUE_OK || part == NULL || *part == '\0') {
		msg = "URL has no host";
		goto out;
	}
	curl_free(part);
	part = NULL;

	if (curl_url_get(h, CURLUPART_USER, &part, 0) == CURLUE_OK ||
	    curl_url_get(h, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK ||
	    curl_url_get(h, CURLUPART_OPTIONS, &part, 0) == CURLUE_OK) {
		msg = "URL must not contain credentials";
		goto out;
	}
	rc = 0;
out:
	curl_free(part);
	curl_url_cleanup(h);
	if (rc != 0 && err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", msg);
	return rc;
}

/*
 * Why the host (a name or an IP literal, bracketed or not) is refused
 * without allow_private, judged without resolving anything, or NULL.
 */
static const char *
target_host_refusal(const char *name)
{
	struct addrinfo		 hints, *res = NULL, *ai;
	enum target_class	 c, worst = TARGET_PUBLIC;
	char			 host[256];
	size_t			 n;

	snprintf(host, sizeof(host), "%s", name);
	n = strlen(host);
	if (n > 1 && host[0] == '[' && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	n = strlen(host);
	/* "localhost." is localhost: a final dot names the same host. */
	if (n > 1 && host[n - 1] == '.')
		host[--n] = '\0';
	if (strcasecmp(host, "localhost") == 0 || (n > 10 &&
	    strcasecmp(host + n - 10, ".localhost") == 0))
		return TARGET_MSG_PRIVATE;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(host, NULL, &hints, &res) == 0) {
		/* PUBLIC < PRIVATE < NEVER: the worst address decides. */
		for (ai = res; ai != NULL; ai = ai->ai_next)
			if ((c = target_sa_class(ai->ai_addr)) > worst)
				worst = c;
		freeaddrinfo(res);
	}
	return target_class_refusal(worst, 0);
}

/* The refusal of the host of url, as target_host_refusal(), or NULL. */
static const char *
target_url_refusal(const char *url)
{
	CURLU		*u;
	char		*host = NULL;
	const char	*why = NULL;

	if ((u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		why = target_host_refusal(host);
	curl_free(host);
	curl_url_cleanup(u);
	return why;
}

int
target_name_private(const char *host)
{
	return target_host_refusal(host) != NULL;
}

int
target_url_private(const char *url)
{
	return target_url_refusal(url) != NULL;
}

int
target_url_acceptable(const char *url, int allow_private, char *err,
    size_t errlen)
{
	const char	*why;

	if (target_url_check(url, err, errlen) == -1)
		return -1;
	if (!allow_private && (why = target_url_refusal(url)) != NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "points to %s", why);
		return -1;
	}
	return 0;
}
