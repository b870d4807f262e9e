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
	/* Documentation ranges are not private: allowed on purpose. */
	{ "192.0.2.1", 1, 1 },
	{ "203.0.113.7", 1, 1 },
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
	/* Link-local and the cloud metadata address. */
	{ "169.254.169.254", 0, 1 },
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
	{ "2001:db8::1", 1, 1 },
	{ "fbff:ffff::1", 1, 1 },
	{ "fe7f::1", 1, 1 },
	/* Unspecified: never.  Loopback. */
	{ "::", 0, 0 },
	{ "::1", 0, 1 },
	/* Unique local, including the EC2 metadata address. */
	{ "fc00::1", 0, 1 },
	{ "fd00::1", 0, 1 },
	{ "fd00:ec2::254", 0, 1 },
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
	{ "::ffff:169.254.169.254", 0, 1 },
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
	{ "64:ff9b::a9fe:a9fe", 0, 1 },
	{ "64:ff9b::8.8.8.8", 1, 1 },
	{ "64:ff9b::224.0.0.1", 0, 0 },
	{ "64:ff9b:1::1", 0, 1 },
	/* 6to4: judged by the IPv4 address after 2002:. */
	{ "2002:7f00:1::1", 0, 1 },
	{ "2002:a9fe:a9fe::1", 0, 1 },
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
	    "169.254.169.254", "[::ffff:127.0.0.1]", "192.168.0.1", NULL };
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
