/*
 * Target safety policy.  See target.h and docs/lib/target.md.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netdb.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "target.h"

/* How an address is classified. */
enum target_class {
	TARGET_PUBLIC,	/* allowed */
	TARGET_PRIVATE,	/* allowed only with allow_private */
	TARGET_NEVER,	/* never a unicast destination: always refused */
	TARGET_CLASS__MAX
};

struct target_v4range {
	uint32_t		 net;	/* network, host byte order */
	unsigned int		 bits;	/* prefix length */
	enum target_class	 class;
};

/*
 * IPv4 ranges, first match wins, so the exact "never" addresses come
 * before the private ranges that contain them.
 */
static const struct target_v4range target_v4ranges[] = {
	{ 0x00000000u, 32, TARGET_NEVER },	/* 0.0.0.0 unspecified */
	{ 0xffffffffu, 32, TARGET_NEVER },	/* 255.255.255.255 broadcast */
	{ 0xe0000000u,  4, TARGET_NEVER },	/* 224/4 multicast */
	{ 0x00000000u,  8, TARGET_PRIVATE },	/* 0/8 "this network" */
	{ 0x0a000000u,  8, TARGET_PRIVATE },	/* 10/8 */
	{ 0x64400000u, 10, TARGET_PRIVATE },	/* 100.64/10 CGNAT */
	{ 0x7f000000u,  8, TARGET_PRIVATE },	/* 127/8 loopback */
	{ 0xa9fe0000u, 16, TARGET_PRIVATE },	/* 169.254/16 link-local */
	{ 0xac100000u, 12, TARGET_PRIVATE },	/* 172.16/12 */
	{ 0xc0000000u, 24, TARGET_PRIVATE },	/* 192.0.0/24 IETF protocol */
	{ 0xc0a80000u, 16, TARGET_PRIVATE },	/* 192.168/16 */
	{ 0xc6120000u, 15, TARGET_PRIVATE },	/* 198.18/15 benchmarking */
	{ 0xf0000000u,  4, TARGET_PRIVATE },	/* 240/4 reserved */
};

struct target_v6range {
	uint8_t			 prefix[16];
	unsigned int		 bits;
	enum target_class	 class;
};

/*
 * IPv6 ranges that do not embed an IPv4 address, first match wins.
 * The IPv4-embedding forms are handled in target_v6_class().
 */
static const struct target_v6range target_v6ranges[] = {
	{ { 0 }, 128, TARGET_NEVER },				/* :: */
	{ { 0xff }, 8, TARGET_NEVER },				/* ff00::/8 */
	{ { [15] = 1 }, 128, TARGET_PRIVATE },			/* ::1 */
	{ { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 }, 48,
	    TARGET_PRIVATE },					/* 64:ff9b:1::/48 */
	{ { 0xfc }, 7, TARGET_PRIVATE },			/* fc00::/7 ULA */
	{ { 0xfe, 0x80 }, 10, TARGET_PRIVATE },			/* fe80::/10 */
	{ { 0xfe, 0xc0 }, 10, TARGET_PRIVATE },			/* fec0::/10 */
};

/* Prefixes of IPv6 forms carrying an IPv4 address in their last 32 bits. */
static const struct target_v6range target_v6embed[] = {
	{ { [10] = 0xff, [11] = 0xff }, 96, TARGET_PUBLIC },	/* ::ffff:0:0/96 */
	{ { [8] = 0xff, [9] = 0xff }, 96, TARGET_PUBLIC },	/* ::ffff:0:0:0/96 */
	{ { 0x00, 0x64, 0xff, 0x9b }, 96, TARGET_PUBLIC },	/* 64:ff9b::/96 */
	{ { 0 }, 96, TARGET_PUBLIC },				/* ::/96 compat */
};

static enum target_class
target_v4_class(uint32_t a)
{
	size_t		 i;
	uint32_t	 mask;

	for (i = 0; i < sizeof(target_v4ranges) / sizeof(target_v4ranges[0]);
	    i++) {
		mask = target_v4ranges[i].bits == 0 ? 0 :
		    0xffffffffu << (32 - target_v4ranges[i].bits);
		if ((a & mask) == target_v4ranges[i].net)
			return target_v4ranges[i].class;
	}
	return TARGET_PUBLIC;
}

static int
target_v6_match(const uint8_t *a, const uint8_t *prefix, unsigned int bits)
{
	unsigned int	 full = bits / 8, rest = bits % 8;
	uint8_t		 mask;

	if (memcmp(a, prefix, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (uint8_t)(0xff << (8 - rest));
	return (a[full] & mask) == (prefix[full] & mask);
}

static uint32_t
target_v4_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static enum target_class
target_v6_class(const uint8_t *a)
{
	size_t	 i;

	for (i = 0; i < sizeof(target_v6ranges) / sizeof(target_v6ranges[0]);
	    i++)
		if (target_v6_match(a, target_v6ranges[i].prefix,
		    target_v6ranges[i].bits))
			return target_v6ranges[i].class;

	for (i = 0; i < sizeof(target_v6embed) / sizeof(target_v6embed[0]);
	    i++)
		if (target_v6_match(a, target_v6embed[i].prefix,
		    target_v6embed[i].bits))
			return target_v4_class(target_v4_at(a + 12));

	/* 2002::/16 6to4: the IPv4 address follows the prefix. */
	if (a[0] == 0x20 && a[1] == 0x02)
		return target_v4_class(target_v4_at(a + 2));

	return TARGET_PUBLIC;
}

int
target_addr_allowed(const struct sockaddr *sa, int allow_private)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	enum target_class		 class;

	if (sa == NULL)
		return 0;

	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)(const void *)sa;
		class = target_v4_class(ntohl(sin->sin_addr.s_addr));
		break;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		class = target_v6_class(sin6->sin6_addr.s6_addr);
		break;
	default:
		return 0;
	}

	switch (class) {
	case TARGET_PUBLIC:
		return 1;
	case TARGET_PRIVATE:
		return allow_private ? 1 : 0;
	default:
		return 0;
	}
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

int
target_name_private(const char *name)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 host[256];
	size_t		 n;
	int		 refused = 0;

	snprintf(host, sizeof(host), "%s", name);
	n = strlen(host);
	if (n > 1 && host[0] == '[' && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	n = strlen(host);
	if (strcasecmp(host, "localhost") == 0 || (n > 10 &&
	    strcasecmp(host + n - 10, ".localhost") == 0))
		return 1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(host, NULL, &hints, &res) == 0) {
		for (ai = res; ai != NULL; ai = ai->ai_next)
			if (!target_addr_allowed(ai->ai_addr, 0))
				refused = 1;
		freeaddrinfo(res);
	}
	return refused;
}

int
target_url_private(const char *url)
{
	CURLU	*u;
	char	*host = NULL;
	int	 refused = 0;

	if ((u = curl_url()) == NULL)
		return 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		refused = target_name_private(host);
	curl_free(host);
	curl_url_cleanup(u);
	return refused;
}

int
target_url_acceptable(const char *url, int allow_private, char *err,
    size_t errlen)
{
	if (target_url_check(url, err, errlen) == -1)
		return -1;
	if (!allow_private && target_url_private(url)) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "points to a private or loopback "
			    "address, which this server does not reach");
		return -1;
	}
	return 0;
}
