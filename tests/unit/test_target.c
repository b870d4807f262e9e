/*
 * Unit tests of lib/target.c: address classification for both values
 * of allow_private, and the URL syntax check.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uptime.h"
#include "target.h"
#include "unit.h"

struct tt_case {
	const char	*ip;
	int		 strict;	/* allowed without allow_private */
	int		 loose;		/* allowed with allow_private */
};

static const struct tt_case tt_v4[] = {
	/* Public. */
	{ "8.8.8.8", 1, 1 },
	{ "1.1.1.1", 1, 1 },
	{ "93.184.216.34", 1, 1 },
	{ "223.255.255.255", 1, 1 },
	/* Documentation ranges are not public (RFC 5737). */
	{ "192.0.2.1", 0, 1 },
	{ "203.0.113.7", 0, 1 },
	/* Unspecified and 0/8. */
	{ "0.0.0.0", 0, 0 },
	{ "0.1.2.3", 0, 1 },
	{ "0.255.255.255", 0, 1 },
	/* 10/8 and its edges. */
	{ "10.0.0.1", 0, 1 },
	{ "10.255.255.255", 0, 1 },
	{ "9.255.255.255", 1, 1 },
	{ "11.0.0.0", 1, 1 },
	/* 100.64/10 CGNAT. */
	{ "100.64.0.1", 0, 1 },
	{ "100.127.255.255", 0, 1 },
	{ "100.63.255.255", 1, 1 },
	{ "100.128.0.0", 1, 1 },
	/* Loopback. */
	{ "127.0.0.1", 0, 1 },
	{ "127.1.2.3", 0, 1 },
	{ "127.255.255.254", 0, 1 },
	{ "126.255.255.255", 1, 1 },
	{ "128.0.0.0", 1, 1 },
	/* Link-local; the cloud metadata address is never reached. */
	{ "169.254.169.254", 0, 0 },
	{ "169.254.0.1", 0, 1 },
	{ "169.253.255.255", 1, 1 },
	{ "169.255.0.0", 1, 1 },
	/* 172.16/12. */
	{ "172.16.0.1", 0, 1 },
	{ "172.31.255.255", 0, 1 },
	{ "172.15.255.255", 1, 1 },
	{ "172.32.0.0", 1, 1 },
	/* 192.0.0/24. */
	{ "192.0.0.1", 0, 1 },
	{ "192.0.0.170", 0, 1 },
	{ "192.0.1.0", 1, 1 },
	/* 192.168/16. */
	{ "192.168.1.1", 0, 1 },
	{ "192.168.255.255", 0, 1 },
	{ "192.167.255.255", 1, 1 },
	{ "192.169.0.0", 1, 1 },
	/* 198.18/15 benchmarking. */
	{ "198.18.0.1", 0, 1 },
	{ "198.19.255.255", 0, 1 },
	{ "198.17.255.255", 1, 1 },
	{ "198.20.0.0", 1, 1 },
	/* Multicast: never. */
	{ "224.0.0.1", 0, 0 },
	{ "239.255.255.250", 0, 0 },
	/* 240/4 reserved. */
	{ "240.0.0.1", 0, 1 },
	{ "255.255.255.254", 0, 1 },
	/* Limited broadcast: never. */
	{ "255.255.255.255", 0, 0 },
};

static const struct tt_case tt_v6[] = {
	/* Public. */
	{ "2001:4860:4860::8888", 1, 1 },
	{ "2606:4700:4700::1111", 1, 1 },
	{ "fbff:ffff::1", 1, 1 },
	{ "fe7f::1", 1, 1 },
	/* Unspecified: never.  Loopback. */
	{ "::", 0, 0 },
	{ "::1", 0, 1 },
	/* Unique local; the EC2 metadata address is never reached. */
	{ "fc00::1", 0, 1 },
	{ "fd00::1", 0, 1 },
	{ "fd00:ec2::254", 0, 0 },
	{ "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0, 1 },
	/* Link-local and deprecated site-local. */
	{ "fe80::1", 0, 1 },
	{ "febf:ffff::1", 0, 1 },
	{ "fec0::1", 0, 1 },
	/* Multicast: never. */
	{ "ff02::1", 0, 0 },
	{ "ff05::1:3", 0, 0 },
	{ "ff0e::1", 0, 0 },
	/* IPv4-mapped: judged by the IPv4 address. */
	{ "::ffff:127.0.0.1", 0, 1 },
	{ "::ffff:10.1.2.3", 0, 1 },
	{ "::ffff:169.254.169.254", 0, 0 },
	{ "::ffff:192.168.0.1", 0, 1 },
	{ "::ffff:100.64.1.1", 0, 1 },
	{ "::ffff:8.8.8.8", 1, 1 },
	{ "::ffff:0.0.0.0", 0, 0 },
	{ "::ffff:224.0.0.1", 0, 0 },
	{ "::ffff:255.255.255.255", 0, 0 },
	/* IPv4-compatible (deprecated): judged by the IPv4 address. */
	{ "::127.0.0.1", 0, 1 },
	{ "::10.0.0.1", 0, 1 },
	{ "::8.8.8.8", 1, 1 },
	{ "::0.0.0.2", 0, 1 },
	/* IPv4-translated. */
	{ "::ffff:0:127.0.0.1", 0, 1 },
	{ "::ffff:0:8.8.8.8", 1, 1 },
	/* NAT64 well-known prefix, and local-use NAT64. */
	{ "64:ff9b::127.0.0.1", 0, 1 },
	{ "64:ff9b::a9fe:a9fe", 0, 0 },
	{ "64:ff9b::8.8.8.8", 1, 1 },
	{ "64:ff9b::224.0.0.1", 0, 0 },
	{ "64:ff9b:1::1", 0, 1 },
	/* 6to4: judged by the IPv4 address after 2002:. */
	{ "2002:7f00:1::1", 0, 1 },
	{ "2002:a9fe:a9fe::1", 0, 0 },
	{ "2002:808:808::1", 1, 1 },
};

static int
tt_allowed(int family, const char *ip, int allow_private)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;

	if (family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(80);
		if (inet_pton(AF_INET, ip, &sin.sin_addr) != 1) {
			fprintf(stderr, "bad test address %s\n", ip);
			return -1;
		}
		return target_addr_allowed((struct sockaddr *)&sin,
		    allow_private);
	}
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(443);
	if (inet_pton(AF_INET6, ip, &sin6.sin6_addr) != 1) {
		fprintf(stderr, "bad test address %s\n", ip);
		return -1;
	}
	return target_addr_allowed((struct sockaddr *)&sin6, allow_private);
}

static void
tt_run_cases(int family, const struct tt_case *c, size_t n)
{
	size_t	 i;
	int	 got;

	for (i = 0; i < n; i++) {
		got = tt_allowed(family, c[i].ip, 0);
		if (got != c[i].strict) {
			fprintf(stderr, "%s allow_private=0: got %d want %d\n",
			    c[i].ip, got, c[i].strict);
			CHECK(got == c[i].strict);
		}
		got = tt_allowed(family, c[i].ip, 1);
		if (got != c[i].loose) {
			fprintf(stderr, "%s allow_private=1: got %d want %d\n",
			    c[i].ip, got, c[i].loose);
			CHECK(got == c[i].loose);
		}
	}
}

static void
test_addr_v4(void)
{
	tt_run_cases(AF_INET, tt_v4, sizeof(tt_v4) / sizeof(tt_v4[0]));
}

static void
test_addr_v6(void)
{
	tt_run_cases(AF_INET6, tt_v6, sizeof(tt_v6) / sizeof(tt_v6[0]));
}

/*
 * One group of cases per entry of the address table (target.c): the
 * first and the last address inside the entry (or, for an entry with
 * nested entries, inside it but outside those), an address just outside
 * where one is meaningful, and for the IPv6 forms that carry an IPv4
 * address a public and a private one inside.  "in" says whether the
 * address lies inside the entry, which the test checks too, so a typo
 * cannot turn a case into a test of something else.
 */
struct tt_entry {
	const char	*entry;		/* "prefix/bits" as in the table */
	const char	*ip;
	int		 in;
	int		 strict;
	int		 loose;
};

#define PUB	1, 1	/* allowed either way */
#define PRIV	0, 1	/* allowed only with allow_private */
#define NEVER	0, 0	/* always refused */

static const struct tt_entry tt_entries[] = {
	/* IANA IPv4 Special-Purpose Address Registry. */
	{ "0.0.0.0/8", "0.0.0.1", 1, PRIV },
	{ "0.0.0.0/8", "0.255.255.255", 1, PRIV },
	{ "0.0.0.0/8", "1.0.0.0", 0, PUB },
	{ "0.0.0.0/32", "0.0.0.0", 1, NEVER },
	{ "0.0.0.0/32", "0.0.0.1", 0, PRIV },
	{ "10.0.0.0/8", "10.0.0.0", 1, PRIV },
	{ "10.0.0.0/8", "10.255.255.255", 1, PRIV },
	{ "10.0.0.0/8", "11.0.0.0", 0, PUB },
	{ "100.64.0.0/10", "100.64.0.0", 1, PRIV },
	{ "100.64.0.0/10", "100.127.255.255", 1, PRIV },
	{ "100.64.0.0/10", "100.128.0.0", 0, PUB },
	{ "127.0.0.0/8", "127.0.0.0", 1, PRIV },
	{ "127.0.0.0/8", "127.255.255.255", 1, PRIV },
	{ "127.0.0.0/8", "128.0.0.0", 0, PUB },
	{ "169.254.0.0/16", "169.254.0.0", 1, PRIV },
	{ "169.254.0.0/16", "169.254.255.255", 1, PRIV },
	{ "169.254.0.0/16", "169.255.0.0", 0, PUB },
	{ "172.16.0.0/12", "172.16.0.0", 1, PRIV },
	{ "172.16.0.0/12", "172.31.255.255", 1, PRIV },
	{ "172.16.0.0/12", "172.32.0.0", 0, PUB },
	{ "192.0.0.0/24", "192.0.0.11", 1, PRIV },
	{ "192.0.0.0/24", "192.0.0.255", 1, PRIV },
	{ "192.0.0.0/24", "192.0.1.0", 0, PUB },
	{ "192.0.0.0/29", "192.0.0.0", 1, PRIV },
	{ "192.0.0.0/29", "192.0.0.7", 1, PRIV },
	{ "192.0.0.8/32", "192.0.0.8", 1, PRIV },
	{ "192.0.0.9/32", "192.0.0.9", 1, PUB },
	{ "192.0.0.9/32", "192.0.0.8", 0, PRIV },
	{ "192.0.0.10/32", "192.0.0.10", 1, PUB },
	{ "192.0.0.10/32", "192.0.0.11", 0, PRIV },
	{ "192.0.0.170/32", "192.0.0.170", 1, PRIV },
	{ "192.0.0.171/32", "192.0.0.171", 1, PRIV },
	{ "192.0.2.0/24", "192.0.2.0", 1, PRIV },
	{ "192.0.2.0/24", "192.0.2.255", 1, PRIV },
	{ "192.0.2.0/24", "192.0.3.0", 0, PUB },
	{ "192.31.196.0/24", "192.31.196.0", 1, PUB },
	{ "192.31.196.0/24", "192.31.196.255", 1, PUB },
	{ "192.52.193.0/24", "192.52.193.0", 1, PUB },
	{ "192.52.193.0/24", "192.52.193.255", 1, PUB },
	{ "192.88.99.0/24", "192.88.99.0", 1, PRIV },
	{ "192.88.99.0/24", "192.88.99.255", 1, PRIV },
	{ "192.88.99.0/24", "192.88.100.0", 0, PUB },
	{ "192.168.0.0/16", "192.168.0.0", 1, PRIV },
	{ "192.168.0.0/16", "192.168.255.255", 1, PRIV },
	{ "192.168.0.0/16", "192.169.0.0", 0, PUB },
	{ "192.175.48.0/24", "192.175.48.0", 1, PUB },
	{ "192.175.48.0/24", "192.175.48.255", 1, PUB },
	{ "198.18.0.0/15", "198.18.0.0", 1, PRIV },
	{ "198.18.0.0/15", "198.19.255.255", 1, PRIV },
	{ "198.18.0.0/15", "198.20.0.0", 0, PUB },
	{ "198.18.0.0/15", "198.17.255.255", 0, PUB },
	{ "198.51.100.0/24", "198.51.100.0", 1, PRIV },
	{ "198.51.100.0/24", "198.51.100.255", 1, PRIV },
	{ "198.51.100.0/24", "198.51.101.0", 0, PUB },
	{ "203.0.113.0/24", "203.0.113.0", 1, PRIV },
	{ "203.0.113.0/24", "203.0.113.255", 1, PRIV },
	{ "203.0.113.0/24", "203.0.114.0", 0, PUB },
	{ "240.0.0.0/4", "240.0.0.0", 1, PRIV },
	{ "240.0.0.0/4", "255.255.255.254", 1, PRIV },
	{ "255.255.255.255/32", "255.255.255.255", 1, NEVER },

	/* IANA IPv6 Special-Purpose Address Registry. */
	{ "::1/128", "::1", 1, PRIV },
	{ "::/128", "::", 1, NEVER },
	{ "::ffff:0:0/96", "::ffff:0.0.0.0", 1, NEVER },
	{ "::ffff:0:0/96", "::ffff:255.255.255.255", 1, NEVER },
	{ "::ffff:0:0/96", "::ffff:8.8.8.8", 1, PUB },
	{ "::ffff:0:0/96", "::ffff:10.0.0.1", 1, PRIV },
	{ "::ffff:0:0/96", "::fffe:ffff:ffff", 0, PUB },
	{ "64:ff9b::/96", "64:ff9b::", 1, NEVER },
	{ "64:ff9b::/96", "64:ff9b::ffff:ffff", 1, NEVER },
	{ "64:ff9b::/96", "64:ff9b::8.8.8.8", 1, PUB },
	{ "64:ff9b::/96", "64:ff9b::127.0.0.1", 1, PRIV },
	{ "64:ff9b::/96", "64:ff9b::1:0:0", 0, PUB },
	{ "64:ff9b:1::/48", "64:ff9b:1::", 1, PRIV },
	{ "64:ff9b:1::/48", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", 1, PRIV },
	{ "64:ff9b:1::/48", "64:ff9b:2::", 0, PUB },
	{ "100::/64", "100::", 1, PRIV },
	{ "100::/64", "100::ffff:ffff:ffff:ffff", 1, PRIV },
	{ "100:0:0:1::/64", "100:0:0:1::", 1, PRIV },
	{ "100:0:0:1::/64", "100:0:0:1:ffff:ffff:ffff:ffff", 1, PRIV },
	{ "100:0:0:1::/64", "100:0:0:2::", 0, PUB },
	{ "2001::/23", "2001:4::1", 1, PRIV },
	{ "2001::/23", "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", 1, PRIV },
	{ "2001::/23", "2001:200::", 0, PUB },
	{ "2001::/23", "2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0, PUB },
	{ "2001::/32", "2001::", 1, PRIV },
	{ "2001::/32", "2001:0:4136:e378:8000:63bf:3fff:fdd2", 1, PRIV },
	{ "2001::/32", "2001:0:ffff:ffff:ffff:ffff:ffff:ffff", 1, PRIV },
	{ "2001:1::1/128", "2001:1::1", 1, PUB },
	{ "2001:1::1/128", "2001:1::", 0, PRIV },
	{ "2001:1::2/128", "2001:1::2", 1, PUB },
	{ "2001:1::3/128", "2001:1::3", 1, PUB },
	{ "2001:1::3/128", "2001:1::4", 0, PRIV },
	{ "2001:2::/48", "2001:2::", 1, PRIV },
	{ "2001:2::/48", "2001:2:0:ffff:ffff:ffff:ffff:ffff", 1, PRIV },
	{ "2001:3::/32", "2001:3::", 1, PUB },
	{ "2001:3::/32", "2001:3:ffff:ffff:ffff:ffff:ffff:ffff", 1, PUB },
	{ "2001:3::/32", "2001:4::", 0, PRIV },
	{ "2001:4:112::/48", "2001:4:112::", 1, PUB },
	{ "2001:4:112::/48", "2001:4:112:ffff:ffff:ffff:ffff:ffff", 1, PUB },
	{ "2001:4:112::/48", "2001:4:113::", 0, PRIV },
	{ "2001:10::/28", "2001:10::", 1, PRIV },
	{ "2001:10::/28", "2001:1f:ffff:ffff:ffff:ffff:ffff:ffff", 1, PRIV },
	{ "2001:20::/28", "2001:20::", 1, PUB },
	{ "2001:20::/28", "2001:2f:ffff:ffff:ffff:ffff:ffff:ffff", 1, PUB },
	{ "2001:30::/28", "2001:30::", 1, PUB },
	{ "2001:30::/28", "2001:3f:ffff:ffff:ffff:ffff:ffff:ffff", 1, PUB },
	{ "2001:30::/28", "2001:40::", 0, PRIV },
	{ "2001:db8::/32", "2001:db8::", 1, PRIV },
	{ "2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 1, PRIV },
	{ "2001:db8::/32", "2001:db9::", 0, PUB },
	{ "2002::/16", "2002::", 1, NEVER },
	{ "2002::/16", "2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, NEVER },
	{ "2002::/16", "2002:808:808::1", 1, PUB },
	{ "2002::/16", "2002:c0a8:101::1", 1, PRIV },
	{ "2002::/16", "2003::", 0, PUB },
	{ "2620:4f:8000::/48", "2620:4f:8000::", 1, PUB },
	{ "2620:4f:8000::/48", "2620:4f:8000:ffff:ffff:ffff:ffff:ffff", 1, PUB },
	{ "3fff::/20", "3fff::", 1, PRIV },
	{ "3fff::/20", "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", 1, PRIV },
	{ "3fff::/20", "3fff:1000::", 0, PUB },
	{ "5f00::/16", "5f00::", 1, PRIV },
	{ "5f00::/16", "5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, PRIV },
	{ "5f00::/16", "5f01::", 0, PUB },
	{ "fc00::/7", "fc00::", 1, PRIV },
	{ "fc00::/7", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, PRIV },
	{ "fc00::/7", "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0, PUB },
	{ "fc00::/7", "fe00::", 0, PUB },
	{ "fe80::/10", "fe80::", 1, PRIV },
	{ "fe80::/10", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, PRIV },
	{ "fe80::/10", "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0, PUB },

	/* Not in the special-purpose registries. */
	{ "224.0.0.0/4", "224.0.0.0", 1, NEVER },
	{ "224.0.0.0/4", "239.255.255.255", 1, NEVER },
	{ "224.0.0.0/4", "223.255.255.255", 0, PUB },
	{ "ff00::/8", "ff00::", 1, NEVER },
	{ "ff00::/8", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, NEVER },
	{ "ff00::/8", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0, PRIV },
	{ "fec0::/10", "fec0::", 1, PRIV },
	{ "fec0::/10", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, PRIV },
	{ "::/96", "::0.0.0.2", 1, PRIV },
	{ "::/96", "::255.255.255.254", 1, PRIV },
	{ "::/96", "::8.8.8.8", 1, PUB },
	{ "::/96", "::1:0:0:0", 0, PUB },
	{ "::ffff:0:0:0/96", "::ffff:0:0.0.0.0", 1, NEVER },
	{ "::ffff:0:0:0/96", "::ffff:0:255.255.255.255", 1, NEVER },
	{ "::ffff:0:0:0/96", "::ffff:0:8.8.8.8", 1, PUB },
	{ "::ffff:0:0:0/96", "::ffff:0:10.0.0.1", 1, PRIV },
	{ "::ffff:0:0:0/96", "::fffe:ffff:ffff:ffff", 0, PUB },
	{ "169.254.169.254/32", "169.254.169.254", 1, NEVER },
	{ "169.254.169.254/32", "169.254.169.253", 0, PRIV },
	{ "168.63.129.16/32", "168.63.129.16", 1, NEVER },
	{ "168.63.129.16/32", "168.63.129.17", 0, PUB },
	{ "168.63.129.16/32", "168.63.129.15", 0, PUB },
	{ "100.100.100.200/32", "100.100.100.200", 1, NEVER },
	{ "100.100.100.200/32", "100.100.100.201", 0, PRIV },
	{ "fd00:ec2::254/128", "fd00:ec2::254", 1, NEVER },
	{ "fd00:ec2::254/128", "fd00:ec2::253", 0, PRIV },
};

#undef PUB
#undef PRIV
#undef NEVER

/* Is the address ip (family af) inside prefix/bits? */
static int
tt_inside(int af, const char *ip, const char *prefix, unsigned int bits)
{
	unsigned char	 a[16], p[16];
	unsigned int	 i;

	if (inet_pton(af, ip, a) != 1 || inet_pton(af, prefix, p) != 1)
		return -1;
	for (i = 0; i < bits; i++)
		if (((a[i / 8] ^ p[i / 8]) >> (7 - i % 8)) & 1)
			return 0;
	return 1;
}

/*
 * Every entry of the table has its cases, every case names an entry,
 * lies inside it or not as it says, and is judged as it says.
 */
static void
test_addr_entries(void)
{
	const struct target_range	*r;
	const struct tt_entry		*c;
	struct tt_case			 one;
	char				 name[80];
	size_t				 i, k, n = sizeof(tt_entries) /
					    sizeof(tt_entries[0]);
	int				 af, cases;

	for (i = 0; (r = target_range_at(i)) != NULL; i++) {
		CHECK(r->family == AF_INET || r->family == AF_INET6);
		CHECK(r->name != NULL && r->name[0] != '\0');
		CHECK(r->ref != NULL && r->ref[0] != '\0');
		snprintf(name, sizeof(name), "%s/%u", r->prefix, r->bits);
		cases = 0;
		for (k = 0; k < n; k++) {
			c = &tt_entries[k];
			if (strcmp(c->entry, name) != 0)
				continue;
			cases++;
			af = strchr(c->ip, ':') != NULL ? AF_INET6 : AF_INET;
			if (af != r->family ||
			    tt_inside(af, c->ip, r->prefix, r->bits) != c->in) {
				fprintf(stderr, "%s is not %s %s\n", c->ip,
				    c->in ? "inside" : "outside", name);
				CHECK(0);
				continue;
			}
			one.ip = c->ip;
			one.strict = c->strict;
			one.loose = c->loose;
			tt_run_cases(af, &one, 1);
		}
		if (cases == 0) {
			fprintf(stderr, "no test case for %s (%s)\n", name,
			    r->name);
			CHECK(0);
		}
	}
	/* No case names an entry the table does not have. */
	for (k = 0; k < n; k++) {
		for (i = 0; (r = target_range_at(i)) != NULL; i++) {
			snprintf(name, sizeof(name), "%s/%u", r->prefix,
			    r->bits);
			if (strcmp(tt_entries[k].entry, name) == 0)
				break;
		}
		if (r == NULL) {
			fprintf(stderr, "no table entry %s\n",
			    tt_entries[k].entry);
			CHECK(0);
		}
	}
}

/* Negative: not an IP socket address at all. */
static void
test_addr_other_family(void)
{
	struct sockaddr_un	 sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "/tmp/x.sock");
	CHECK_INT(target_addr_allowed((struct sockaddr *)&sun, 0), 0);
	CHECK_INT(target_addr_allowed((struct sockaddr *)&sun, 1), 0);
	CHECK_INT(target_addr_allowed(NULL, 1), 0);
}

static void
test_url_good(void)
{
	static const char *const good[] = {
		"http://example.com",
		"http://example.com/",
		"https://example.com/path?q=1&r=2#frag",
		"https://example.com:8443/status",
		"HTTPS://EXAMPLE.COM/",
		"http://127.0.0.1:8080/health",
		"https://[2001:db8::1]/",
		"http://xn--bcher-kva.example/",
	};
	char	 err[128];
	size_t	 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		err[0] = '\0';
		if (target_url_check(good[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "refused good URL %s: %s\n", good[i],
			    err);
			CHECK(0);
		}
	}
	/* err may be NULL. */
	CHECK_INT(target_url_check("https://example.com/", NULL, 0), 0);
}

static void
test_url_bad_scheme(void)
{
	static const char *const bad[] = {
		"ftp://example.com/file",
		"file:///etc/passwd",
		"javascript:alert(1)",
		"gopher://example.com/",
		"dict://127.0.0.1:11211/stats",
		"ldap://example.com/",
		"data:text/html,hello",
		"example.com/path",
		"//example.com/",
	};
	char	 err[128];
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (target_url_check(bad[i], err, sizeof(err)) != -1) {
			fprintf(stderr, "accepted bad URL %s\n", bad[i]);
			CHECK(0);
		}
		CHECK(err[0] != '\0');
	}
	CHECK_INT(target_url_check("ftp://example.com/", err, sizeof(err)),
	    -1);
	CHECK_STR(err, "URL must start with http:// or https://");
}

static void
test_url_bad_host(void)
{
	static const char *const bad[] = {
		"http://",
		"https:///path",
		"http:/example.com/",
		"http:\\\\example.com/",
		"https://\\example.com/",
		"http://:8080/",
		"http://exa mple.com/",
		"http://example.com/\r\nX-Injected: 1",
		"http://example.com:99999/",
		"",
	};
	char	 err[128];
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (target_url_check(bad[i], err, sizeof(err)) != -1) {
			fprintf(stderr, "accepted bad URL \"%s\"\n", bad[i]);
			CHECK(0);
		}
		CHECK(err[0] != '\0');
	}
	CHECK_INT(target_url_check(NULL, err, sizeof(err)), -1);
}

static void
test_url_userinfo(void)
{
	static const char *const bad[] = {
		"http://user:pass@example.com/",
		"http://user@example.com/",
		"https://:secret@example.com/",
		"https://example.com@127.0.0.1/",
	};
	char	 err[128];
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (target_url_check(bad[i], err, sizeof(err)) != -1) {
			fprintf(stderr, "accepted URL with userinfo %s\n",
			    bad[i]);
			CHECK(0);
		}
		CHECK_STR(err, "URL must not contain credentials");
	}
}

static void
test_url_length(void)
{
	char	*u, err[128];
	size_t	 pre;

	if ((u = malloc(TARGET_MAXURL + 2)) == NULL) {
		CHECK(0);
		return;
	}
	pre = strlen("http://example.com/");
	memcpy(u, "http://example.com/", pre);
	/* Exactly the limit: accepted. */
	memset(u + pre, 'a', TARGET_MAXURL - pre);
	u[TARGET_MAXURL] = '\0';
	CHECK_INT(strlen(u), TARGET_MAXURL);
	CHECK_INT(target_url_check(u, err, sizeof(err)), 0);
	/* One byte over: refused. */
	u[TARGET_MAXURL] = 'a';
	u[TARGET_MAXURL + 1] = '\0';
	CHECK_INT(target_url_check(u, err, sizeof(err)), -1);
	CHECK_STR(err, "URL is longer than 2048 bytes");
	free(u);
}

/* A tiny err buffer is filled and terminated, never overrun. */
static void
test_url_small_errbuf(void)
{
	char	 err[8];

	memset(err, 'Z', sizeof(err));
	CHECK_INT(target_url_check("ftp://x/", err, 5), -1);
	CHECK_INT(strlen(err), 4);
	CHECK(err[5] == 'Z');
}

/* The validation-time checks (no resolving). */
static void
test_private_names(void)
{
	static const char *const priv[] = { "localhost", "LOCALHOST",
	    "svc.localhost", "127.0.0.1", "10.1.2.3", "[::1]", "::1",
	    "169.254.169.254", "[::ffff:127.0.0.1]", "192.168.0.1",
	    "localhost.", "LocalHost.", "svc.localhost.", "127.0.0.1.", NULL };
	static const char *const pub[] = { "example.com", "8.8.8.8",
	    "[2001:4860:4860::8888]", "localhost.example.com", "notlocalhost",
	    "ip6-localhost", NULL };
	size_t	 i;

	for (i = 0; priv[i] != NULL; i++)
		if (!target_name_private(priv[i])) {
			fprintf(stderr, "%s is not private\n", priv[i]);
			CHECK(0);
		}
	for (i = 0; pub[i] != NULL; i++)
		if (target_name_private(pub[i])) {
			fprintf(stderr, "%s is private\n", pub[i]);
			CHECK(0);
		}
	CHECK_INT(target_url_private("http://127.0.0.1:8080/x"), 1);
	CHECK_INT(target_url_private("https://localhost/"), 1);
	CHECK_INT(target_url_private("https://localhost./"), 1);
	CHECK_INT(target_url_private("http://[::1]:9/"), 1);
	CHECK_INT(target_url_private("https://hooks.example.com/x"), 0);
	CHECK_INT(target_url_private("https://93.184.216.34/"), 0);
	/* Unparsable: not this check's business (target_url_check's). */
	CHECK_INT(target_url_private("not a url"), 0);
}

int
main(void)
{
	UNIT_RUN(test_addr_v4);
	UNIT_RUN(test_addr_v6);
	UNIT_RUN(test_addr_entries);
	UNIT_RUN(test_addr_other_family);
	UNIT_RUN(test_url_good);
	UNIT_RUN(test_url_bad_scheme);
	UNIT_RUN(test_url_bad_host);
	UNIT_RUN(test_url_userinfo);
	UNIT_RUN(test_url_length);
	UNIT_RUN(test_url_small_errbuf);
	UNIT_RUN(test_private_names);
	return unit_finish();
}
