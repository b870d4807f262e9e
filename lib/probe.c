/*
 * The network probe engine.  See probe.h and docs/lib/probe.md.
 *
 * A probe loop is one event loop: an epoll set that holds every socket
 * in flight.  HTTP probes are libcurl easy handles on one multi handle,
 * driven through curl_multi_socket_action() (libcurl tells the loop
 * which sockets to watch and when its next timer is due); TCP probes
 * resolve with c-ares and then connect non-blocking sockets; DNS probes
 * are c-ares queries, whose sockets c-ares reports through its socket
 * state callback.  A wake-up costs the events that happened, not the
 * probes in flight, so thousands of hanging targets cost little.
 * At most opts->concurrency probes are in flight ("slots").
 * probe_run() is a loop that is handed n probes and closed when all are
 * done; the checker keeps one loop open and feeds it as checks come due.
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/select.h>	/* fd_set, for ares.h */
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <ares.h>
#include <curl/curl.h>

#include "probe.h"
#include "target.h"

/* First allocation of a response body buffer; it doubles from there. */
#define PROBE_BODYCHUNK		(16 * 1024)
/* Longest a loop iteration sleeps when nothing else is due (ms). */
#define PROBE_MAXWAIT_MS	1000
/* Events taken from epoll in one wake-up. */
#define PROBE_MAXEVENTS		256
/* What an epoll event is about: the top bits of its data. */
#define PROBE_EV_WATCH		(0ULL << 62)	/* probe_loop_watch()'s fd */
#define PROBE_EV_CURL		(1ULL << 62)	/* libcurl's socket */
#define PROBE_EV_ARES		(2ULL << 62)	/* c-ares' socket */
#define PROBE_EV_TCP		(3ULL << 62)	/* a TCP probe's connect */
#define PROBE_EV_MASK		(3ULL << 62)
/* Grace past timeout_ms before an HTTP probe is ended by force (ms). */
#define PROBE_HTTPGRACE_MS	2000
/* c-ares: tries per server and bounds of the first try's timeout (ms). */
#define PROBE_ARES_TRIES	3
#define PROBE_ARES_MINTRY_MS	200
#define PROBE_ARES_MAXTRY_MS	5000
/* DNS class IN. */
#define PROBE_DNS_CLASS_IN	1
/* Text form of an address, with room for an IPv6 one. */
#define PROBE_ADDRSTRLEN	INET6_ADDRSTRLEN

#define PROBE_USERAGENT		"uptime-checker/1"

enum probe_method {
	METHOD_GET,
	METHOD_HEAD,
	METHOD_POST,
	METHOD_PUT,
	METHOD_PATCH,
	METHOD_DELETE,
	METHOD_OPTIONS,
	METHOD__MAX
};

static const char *const probe_methods[METHOD__MAX] = {
	"GET",			/* METHOD_GET */
	"HEAD",			/* METHOD_HEAD */
	"POST",			/* METHOD_POST */
	"PUT",			/* METHOD_PUT */
	"PATCH",		/* METHOD_PATCH */
	"DELETE",		/* METHOD_DELETE */
	"OPTIONS",		/* METHOD_OPTIONS */
};

enum probe_rr {
	RR_A,
	RR_AAAA,
	RR_CNAME,
	RR_MX,
	RR_TXT,
	RR_NS,
	RR__MAX
};

struct probe_rrtype {
	const char	*name;
	int		 type;	/* DNS TYPE value */
};

static const struct probe_rrtype probe_rrtypes[RR__MAX] = {
	{ "A", 1 },		/* RR_A */
	{ "AAAA", 28 },		/* RR_AAAA */
	{ "CNAME", 5 },		/* RR_CNAME */
	{ "MX", 15 },		/* RR_MX */
	{ "TXT", 16 },		/* RR_TXT */
	{ "NS", 2 },		/* RR_NS */
};

static const char *const probe_months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/*
 * Run-time state of one probe, private to this file.  It holds a slot
 * from start to end.  A TCP or DNS probe that ends (a timeout) while
 * c-ares still owes it a callback stays allocated, slot given back,
 * until that callback comes: c-ares' argument must stay valid.
 */
struct probe_job {
	struct probe		*p;	/* NULL once ended */
	struct probe_loop	*loop;
	size_t			 slot;		/* index in loop->slots */
	int			 ares_owed;	/* a c-ares callback will come */
	long long		 started;	/* monotonic ms */
	long long		 deadline;	/* monotonic ms */
	int			 timeout_ms;

	/* Target refusals (HTTP and TCP): how many, and the first's reason. */
	int			 refused;
	const char		*refused_why;

	/* HTTP. */
	CURL			*easy;
	struct curl_slist	*hdrs;
	size_t			 bodycap;	/* bytes allocated for p->body */
	int			 capped;	/* write callback hit the cap */
	int			 nomem;		/* write callback out of memory */
	char			 errbuf[CURL_ERROR_SIZE];

	/* TCP. */
	int			 resolving;
	struct ares_addrinfo	*ai;
	struct ares_addrinfo_node *next;	/* next address to try */
	int			 fd;		/* connecting socket or -1 */
	long long		 resolved;	/* monotonic ms */
	int			 last_errno;
	char			 addr[PROBE_ADDRSTRLEN]; /* being tried */

	/* DNS. */
	enum probe_rr		 rr;
};

/* A descriptor watched for the caller (probe_loop_watch()). */
struct probe_watch {
	int			 fd;
	long long		 due;		/* monotonic ms */
	void			(*fn)(void *);
	void			*arg;
	struct probe_watch	*next;
};

struct probe_loop {
	struct probe_opts	 opts;		/* the caller's, copied */
	struct probe_watch	*watches;
	struct probe_job	**slots;	/* nslots entries, NULL: free */
	size_t			*freeslots;	/* indexes of free slots */
	size_t			 nfree;
	size_t			 nslots;
	int			 closing;	/* no done callbacks any more */
	int			 broken;	/* the event loop failed */
	int			 ep;		/* epoll descriptor */
	CURLM			*multi;
	long long		 curl_due;	/* libcurl's timer, -1: none */
	ares_channel		 chan;
	int			 have_chan;
	int			 ares_maxto;	/* ms, for the per-try timeout */
	int			 ares_inited;
	struct sockaddr_storage	 src;		/* opts.source_address, port 0 */
	socklen_t		 srclen;	/* 0: none */
};

static void	probe_fail(struct probe *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static long long
probe_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Mark p failed with an error code and a formatted message. */
static void
probe_fail(struct probe *p, const char *code, const char *fmt, ...)
{
	va_list	 ap;

	p->failed = 1;
	snprintf(p->error_code, sizeof(p->error_code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(p->error_message, sizeof(p->error_message), fmt, ap);
	va_end(ap);
}

static void
probe_addrstr(const struct sockaddr *sa, char *buf, size_t bufsz)
{
	const void	*src;

	if (sa->sa_family == AF_INET)
		src = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		src = &((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr;
	else {
		snprintf(buf, bufsz, "(unknown address family)");
		return;
	}
	if (inet_ntop(sa->sa_family, src, buf, (socklen_t)bufsz) == NULL)
		snprintf(buf, bufsz, "(unprintable address)");
}

/*
 * Policy check of one address: target.h, then the caller's filter.
 * NULL when allowed, else why not (a TARGET_MSG_ text: never the
 * address, which would tell the user what an internal name resolves
 * to).
 */
static const char *
probe_addr_refusal(const struct probe_loop *l, const struct sockaddr *sa,
    size_t salen)
{
	const char	*why;

	if ((sa->sa_family == AF_INET && salen < sizeof(struct sockaddr_in)) ||
	    (sa->sa_family == AF_INET6 && salen < sizeof(struct sockaddr_in6)))
		return TARGET_MSG_NEVER;
	if ((why = target_addr_refusal(sa, l->opts.allow_private)) != NULL)
		return why;
	if (l->opts.addr_check != NULL &&
	    !l->opts.addr_check(sa, l->opts.addr_check_arg))
		return TARGET_MSG_PRIVATE;
	return NULL;
}

static void
probe_refused(struct probe_job *j, const char *why)
{
	if (j->refused++ == 0)
		j->refused_why = why;
}

static void
probe_fail_refused(struct probe_job *j)
{
	probe_fail(j->p, "target_refused", "connection refused: the target "
	    "resolves to %s", j->refused_why);
}

/*
 * Host names for TCP and DNS probes: 1..PROBE_MAXHOSTNAME bytes of
 * letters, digits and "-._:" (the colon for IPv6 literals).
 */
static int
probe_hostname_ok(const char *s)
{
	size_t	 i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= PROBE_MAXHOSTNAME)
			return 0;
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '.' && s[i] != '_' && s[i] != ':')
			return 0;
	}
	return 1;
}

void
probe_clear(struct probe *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	free(p->body);
	for (i = 0; i < p->nanswers; i++)
		free(p->answers[i]);
	free(p->answers);
	p->failed = 0;
	memset(p->error_code, 0, sizeof(p->error_code));
	memset(p->error_message, 0, sizeof(p->error_message));
	p->status_code = 0;
	p->body = NULL;
	p->bodylen = 0;
	p->body_truncated = 0;
	p->dns_ms = p->connect_ms = p->tls_ms = 0;
	p->first_byte_ms = p->total_ms = 0;
	p->ssl_expires_at = 0;
	memset(p->ssl_issuer, 0, sizeof(p->ssl_issuer));
	p->answers = NULL;
	p->nanswers = 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long long
probe_days(long long y, int m, int d)
{
	long long	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
probe_parse_certtime(const char *s, long long *out)
{
	char	 mon[4];
	int	 y, m = 0, d, hh, mm, ss, n = 0, i;

	if (s == NULL || out == NULL)
		return -1;
	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d GMT%n",
	    &y, &m, &d, &hh, &mm, &ss, &n) == 6 && n > 0) {
		/* "2027-03-01 12:00:00 GMT" */
	} else if (sscanf(s, "%3s %2d %2d:%2d:%2d %4d GMT%n",
	    mon, &d, &hh, &mm, &ss, &y, &n) == 6 && n > 0) {
		/* "Mar  1 12:00:00 2027 GMT" */
		for (i = 0; i < 12; i++)
			if (strcmp(mon, probe_months[i]) == 0)
				m = i + 1;
	} else
		return -1;

	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31 ||
	    hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
		return -1;
	*out = probe_days(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
	return 0;
}

/*
 * Append one DNS answer to p, len bytes of s, control bytes shown as
 * '?', cut at PROBE_MAXANSWERLEN.  Returns 0, or -1 out of memory.
 * Answers past PROBE_MAXANSWERS are dropped silently.
 */
static int
probe_add_answer(struct probe *p, const unsigned char *s, size_t len)
{
	char	 *a, **na;
	size_t	  i;

	if (p->nanswers >= PROBE_MAXANSWERS)
		return 0;
	if (p->answers == NULL) {
		na = calloc(PROBE_MAXANSWERS, sizeof(*na));
		if (na == NULL)
			return -1;
		p->answers = na;
	}
	if (len > PROBE_MAXANSWERLEN)
		len = PROBE_MAXANSWERLEN;
	if ((a = malloc(len + 1)) == NULL)
		return -1;
	for (i = 0; i < len; i++)
		a[i] = s[i] < 0x20 || s[i] == 0x7f ? '?' : (char)s[i];
	a[len] = '\0';
	p->answers[p->nanswers++] = a;
	return 0;
}

static int
probe_add_answer_str(struct probe *p, const char *s)
{
	return probe_add_answer(p, (const unsigned char *)s, strlen(s));
}

/*
 * Release what a job holds and give its slot back.  Its outputs must be
 * final.  The done callback gets the probe (not while the loop closes).
 * The job is freed unless c-ares still owes it a callback: then that
 * callback frees it.  The caller must not touch j afterwards.
 */
static void
probe_job_end(struct probe_job *j)
{
	struct probe_loop	*l = j->loop;
	struct probe		*p = j->p;

	if (p == NULL)
		return;
	if (j->easy != NULL) {
		curl_multi_remove_handle(l->multi, j->easy);
		curl_easy_cleanup(j->easy);
		j->easy = NULL;
	}
	curl_slist_free_all(j->hdrs);
	j->hdrs = NULL;
	if (j->fd != -1) {
		close(j->fd);	/* leaves the epoll set with it */
		j->fd = -1;
	}
	if (j->ai != NULL) {
		ares_freeaddrinfo(j->ai);
		j->ai = NULL;
		j->next = NULL;
	}
	l->slots[j->slot] = NULL;
	l->freeslots[l->nfree++] = j->slot;
	j->p = NULL;
	if (!j->ares_owed)
		free(j);
	if (!l->closing && l->opts.done != NULL)
		l->opts.done(p, l->opts.done_arg);
}

/* Watch fd for the events of mask in the loop's epoll set. */
static int
probe_watch(struct probe_loop *l, int fd, uint32_t mask, uint64_t data)
{
	struct epoll_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = mask;
	ev.data.u64 = data;
	if (epoll_ctl(l->ep, EPOLL_CTL_MOD, fd, &ev) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	return epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev);
}

/* CURLMOPT_SOCKETFUNCTION: libcurl says what to wait for on s. */
static int
probe_curl_socket(CURL *e, curl_socket_t s, int what, void *arg, void *sp)
{
	struct probe_loop	*l = arg;

	(void)e;
	(void)sp;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(l->ep, EPOLL_CTL_DEL, s, NULL);
		return 0;
	}
	if (probe_watch(l, s, (what & CURL_POLL_IN ? EPOLLIN : 0) |
	    (what & CURL_POLL_OUT ? EPOLLOUT : 0),
	    PROBE_EV_CURL | (uint32_t)s) == -1)
		return -1;
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: libcurl's next timer, run by the loop. */
static int
probe_curl_timer(CURLM *m, long timeout_ms, void *arg)
{
	struct probe_loop	*l = arg;

	(void)m;
	l->curl_due = timeout_ms < 0 ? -1 : probe_now() + timeout_ms;
	return 0;
}

/* ARES_OPT_SOCK_STATE_CB: c-ares says what to wait for on fd. */
static void
probe_ares_socket(void *arg, ares_socket_t fd, int readable, int writable)
{
	struct probe_loop	*l = arg;

	if (!readable && !writable) {
		epoll_ctl(l->ep, EPOLL_CTL_DEL, fd, NULL);
		return;
	}
	/* On failure c-ares' own timeouts still end the query. */
	(void)probe_watch(l, fd, (readable ? EPOLLIN : 0) |
	    (writable ? EPOLLOUT : 0), PROBE_EV_ARES | (uint32_t)fd);
}

/*
 * HTTP probes: one easy handle each on the run's multi handle.
 */

static size_t
probe_http_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct probe_job	*j = arg;
	struct probe		*p = j->p;
	size_t			 len = size * nmemb, take, ncap;
	char			*nb;

	take = PROBE_MAXBODY - p->bodylen;
	if (take > len)
		take = len;
	if (p->discard_body) {
		p->bodylen += take;
		if (take < len) {
			j->capped = 1;
			p->body_truncated = 1;
		}
		return take;
	}
	if (take > 0 && p->bodylen + take + 1 > j->bodycap) {
		ncap = j->bodycap > 0 ? j->bodycap : PROBE_BODYCHUNK;
		while (ncap < p->bodylen + take + 1)
			ncap *= 2;
		if (ncap > PROBE_MAXBODY + 1)
			ncap = PROBE_MAXBODY + 1;
		if ((nb = realloc(p->body, ncap)) == NULL) {
			j->nomem = 1;
			return 0;
		}
		p->body = nb;
		j->bodycap = ncap;
	}
	if (take > 0) {
		memcpy(p->body + p->bodylen, data, take);
		p->bodylen += take;
		p->body[p->bodylen] = '\0';
	}
	if (take < len) {
		/* The cap: a short count makes libcurl stop reading. */
		j->capped = 1;
		p->body_truncated = 1;
	}
	return take;
}

/*
 * Bind fd to the loop's source address, if it has one: 0, or -1 when
 * the socket's family is not the source's or bind fails (the caller
 * closes fd).
 */
static int
probe_bind_source(const struct probe_loop *l, int fd, int family)
{
	if (l->srclen == 0)
		return 0;
	if (family != l->src.ss_family)
		return -1;
	return bind(fd, (const struct sockaddr *)&l->src, l->srclen);
}

/* CURLOPT_OPENSOCKETFUNCTION: the policy check of every connection. */
static curl_socket_t
probe_http_opensocket(void *arg, curlsocktype purpose,
    struct curl_sockaddr *a)
{
	struct probe_job	*j = arg;
	const char		*why;
	int			 fd;

	why = purpose != CURLSOCKTYPE_IPCXN ? TARGET_MSG_NEVER :
	    probe_addr_refusal(j->loop, &a->addr, a->addrlen);
	if (why != NULL) {
		probe_refused(j, why);
		return CURL_SOCKET_BAD;
	}
	fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	if (fd != -1 && probe_bind_source(j->loop, fd, a->family) == -1) {
		close(fd);
		fd = -1;
	}
	return fd == -1 ? CURL_SOCKET_BAD : fd;
}

static int
probe_header_has(const char *const *headers, const char *name)
{
	size_t	 len = strlen(name);

	if (headers == NULL)
		return 0;
	for (; *headers != NULL; headers++)
		if (strncasecmp(*headers, name, len) == 0 &&
		    (*headers)[len] == ':')
			return 1;
	return 0;
}

/*
 * Check the request headers: at most PROBE_MAXHEADERS, each a token
 * name, a colon, then a value; at most PROBE_MAXHEADERLEN bytes in all;
 * no CR, LF or other control character but tab.  Returns 0 or -1 with
 * p failed.
 */
static int
probe_headers_ok(struct probe *p)
{
	const char	*h, *c;
	size_t		 i, len;

	if (p->headers == NULL)
		return 0;
	for (i = 0; p->headers[i] != NULL; i++) {
		if (i >= PROBE_MAXHEADERS) {
			probe_fail(p, "invalid_request",
			    "more than %d request headers", PROBE_MAXHEADERS);
			return -1;
		}
		h = p->headers[i];
		len = strnlen(h, PROBE_MAXHEADERLEN + 1);
		if (len > PROBE_MAXHEADERLEN) {
			probe_fail(p, "invalid_request",
			    "request header %zu is too long", i + 1);
			return -1;
		}
		if (strpbrk(h, "\r\n") != NULL) {
			probe_fail(p, "invalid_request",
			    "request header %zu contains CR or LF", i + 1);
			return -1;
		}
		for (c = h; *c != '\0'; c++)
			if ((*c > 0 && *c < 0x20 && *c != '\t') || *c == 0x7f) {
				probe_fail(p, "invalid_request", "request "
				    "header %zu contains a control character",
				    i + 1);
				return -1;
			}
		for (c = h; *c != ':' && *c != '\0'; c++)
			if (!isalnum((unsigned char)*c) &&
			    strchr("!#$%&'*+-.^_`|~", *c) == NULL)
				break;
		if (c == h || *c != ':') {
			probe_fail(p, "invalid_request",
			    "request header %zu is not \"Name: value\"", i + 1);
			return -1;
		}
	}
	return 0;
}

/*
 * Build the easy handle of an HTTP probe and add it to the multi.
 * Returns 0, or -1 with p failed (the job is then ended by the caller).
 */
static int
probe_http_start(struct probe_loop *l, struct probe_job *j)
{
	struct probe		*p = j->p;
	struct curl_slist	*sl;
	CURL			*e;
	enum probe_method	 m;
	const char		*body;
	char			 msg[128];
	size_t			 i;

	if (target_url_check(p->url, msg, sizeof(msg)) == -1) {
		probe_fail(p, "invalid_request", "%s", msg);
		return -1;
	}
	m = METHOD_GET;
	if (p->method != NULL) {
		for (m = 0; m < METHOD__MAX; m++)
			if (strcmp(p->method, probe_methods[m]) == 0)
				break;
		if (m == METHOD__MAX) {
			probe_fail(p, "invalid_request",
			    "method is not one of GET, HEAD, POST, PUT, "
			    "PATCH, DELETE, OPTIONS");
			return -1;
		}
	}
	if (p->req_bodylen > PROBE_MAXREQBODY ||
	    (p->req_body == NULL && p->req_bodylen > 0)) {
		probe_fail(p, "invalid_request", "request body is too large");
		return -1;
	}
	if (probe_headers_ok(p) == -1)
		return -1;

	/* Our defaults first, then the caller's headers. */
	if (!probe_header_has(p->headers, "Accept-Encoding") &&
	    (sl = curl_slist_append(j->hdrs,
	    "Accept-Encoding: identity")) != NULL)
		j->hdrs = sl;
	if (!probe_header_has(p->headers, "Expect") &&
	    (sl = curl_slist_append(j->hdrs, "Expect:")) != NULL)
		j->hdrs = sl;
	for (i = 0; p->headers != NULL && p->headers[i] != NULL; i++) {
		if ((sl = curl_slist_append(j->hdrs, p->headers[i])) == NULL)
			goto nomem;
		j->hdrs = sl;
	}

	if ((e = j->easy = curl_easy_init()) == NULL)
		goto nomem;
	if (curl_easy_setopt(e, CURLOPT_PRIVATE, j) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j->errbuf) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_URL, p->url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION,
	    probe_http_opensocket) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, j) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROXY, "") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOPROXY, "*") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
	    (long)j->timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)j->timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION,
	    p->follow_redirects ? 1L : 0L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_MAXREDIRS,
	    (long)PROBE_MAXREDIRS) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_USERAGENT, PROBE_USERAGENT) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HTTPHEADER, j->hdrs) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, probe_http_write) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEDATA, j) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER,
	    p->verify_tls ? 1L : 0L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST,
	    p->verify_tls ? 2L : 0L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_CERTINFO, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L) != CURLE_OK)
		goto setopt;
	if (l->opts.ca_file != NULL &&
	    curl_easy_setopt(e, CURLOPT_CAINFO, l->opts.ca_file) != CURLE_OK)
		goto setopt;

	/*
	 * POST, PUT and PATCH always carry a body (maybe empty, then with
	 * "Content-Length: 0"); the others only when one is given.  HEAD
	 * never.  POST is libcurl's own, so a 301, 302 or 303 turns it
	 * into a GET as browsers do; other methods are kept on redirects.
	 */
	body = p->req_body != NULL ? p->req_body : "";
	if (m == METHOD_HEAD) {
		if (curl_easy_setopt(e, CURLOPT_NOBODY, 1L) != CURLE_OK)
			goto setopt;
	} else if (m == METHOD_POST || m == METHOD_PUT ||
	    m == METHOD_PATCH || p->req_bodylen > 0) {
		if (curl_easy_setopt(e, CURLOPT_POSTFIELDS, body) != CURLE_OK ||
		    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)p->req_bodylen) != CURLE_OK)
			goto setopt;
	}
	if (m != METHOD_GET && m != METHOD_HEAD && m != METHOD_POST &&
	    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, probe_methods[m]) !=
	    CURLE_OK)
		goto setopt;
	if (m == METHOD_GET && p->req_bodylen > 0 &&
	    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "GET") != CURLE_OK)
		goto setopt;

	if (curl_multi_add_handle(l->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		j->easy = NULL;
		goto setopt;
	}
	return 0;
nomem:
	probe_fail(p, "internal", "out of memory");
	return -1;
setopt:
	probe_fail(p, "internal", "could not set up the HTTP client");
	return -1;
}

/* Microseconds of a curl timing counter, 0 if unavailable. */
static curl_off_t
probe_http_us(CURL *e, CURLINFO what)
{
	curl_off_t	 v = 0;

	if (curl_easy_getinfo(e, what, &v) != CURLE_OK || v < 0)
		return 0;
	return v;
}

static long
probe_ms(curl_off_t us)
{
	return us > 0 ? (long)(us / 1000) : 0;
}

/* Leaf certificate expiry and issuer from CURLINFO_CERTINFO. */
static void
probe_http_certinfo(struct probe_job *j)
{
	struct probe		*p = j->p;
	struct curl_certinfo	*ci = NULL;
	struct curl_slist	*sl;
	long long		 t;

	if (curl_easy_getinfo(j->easy, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
	    ci == NULL || ci->num_of_certs < 1)
		return;
	for (sl = ci->certinfo[0]; sl != NULL; sl = sl->next) {
		if (strncmp(sl->data, "Expire date:", 12) == 0 &&
		    probe_parse_certtime(sl->data + 12, &t) == 0)
			p->ssl_expires_at = t;
		else if (strncmp(sl->data, "Issuer:", 7) == 0)
			snprintf(p->ssl_issuer, sizeof(p->ssl_issuer), "%s",
			    sl->data + 7);
	}
}

/* A finished HTTP transfer: fill the outputs, end the job. */
static void
probe_http_done(struct probe_job *j, CURLcode res)
{
	struct probe	*p = j->p;
	CURL		*e = j->easy;
	curl_off_t	 nl, ct, ac, st, tt, base;
	long		 code = 0;

	if (curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK)
		p->status_code = code;
	nl = probe_http_us(e, CURLINFO_NAMELOOKUP_TIME_T);
	ct = probe_http_us(e, CURLINFO_CONNECT_TIME_T);
	ac = probe_http_us(e, CURLINFO_APPCONNECT_TIME_T);
	st = probe_http_us(e, CURLINFO_STARTTRANSFER_TIME_T);
	tt = probe_http_us(e, CURLINFO_TOTAL_TIME_T);
	p->dns_ms = probe_ms(nl);
	p->connect_ms = ct > nl ? probe_ms(ct - nl) : 0;
	p->tls_ms = ac > ct ? probe_ms(ac - ct) : 0;
	base = ac > ct ? ac : ct;
	p->first_byte_ms = st > base ? probe_ms(st - base) : 0;
	p->total_ms = probe_ms(tt);
	probe_http_certinfo(j);

	if (res == CURLE_WRITE_ERROR && j->capped && !j->nomem)
		res = CURLE_OK;
	if (j->nomem) {
		probe_fail(p, "internal", "out of memory");
		goto out;
	}

	switch (res) {
	case CURLE_OK:
		break;
	case CURLE_COULDNT_CONNECT:
		if (j->refused)
			probe_fail_refused(j);
		else
			probe_fail(p, "connect_failed", "%s", j->errbuf[0] ?
			    j->errbuf : "could not connect");
		break;
	case CURLE_OPERATION_TIMEDOUT:
		probe_fail(p, "timeout", "no complete response within %d ms",
		    j->timeout_ms);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		probe_fail(p, "dns_failed", "could not resolve the host name");
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		probe_fail(p, "too_many_redirects", "more than %d redirects",
		    PROBE_MAXREDIRS);
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		probe_fail(p, "http_error",
		    "redirect to a URL that is not http or https refused");
		break;
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
		/* Local TLS set-up: say nothing about paths. */
		probe_fail(p, "internal", "TLS client configuration error");
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_USE_SSL_FAILED:
		probe_fail(p, "tls_failed", "%s", j->errbuf[0] ? j->errbuf :
		    curl_easy_strerror(res));
		break;
	case CURLE_OUT_OF_MEMORY:
		probe_fail(p, "internal", "out of memory");
		break;
	default:
		probe_fail(p, "http_error", "%s", j->errbuf[0] ? j->errbuf :
		    curl_easy_strerror(res));
		break;
	}
out:
	probe_job_end(j);
}

/* Collect the HTTP transfers libcurl says are done. */
static void
probe_http_harvest(struct probe_loop *l)
{
	CURLMsg			*msg;
	struct probe_job	*j;
	char			*priv;
	int			 left;

	while ((msg = curl_multi_info_read(l->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		priv = NULL;
		if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    &priv) != CURLE_OK || priv == NULL)
			continue;
		j = (struct probe_job *)(void *)priv;
		probe_http_done(j, msg->data.result);
	}
}

/*
 * TCP probes: c-ares resolves, then non-blocking connects, one address
 * after the other.
 */

/*
 * Try the remaining addresses of a resolved TCP probe in order until a
 * connect is in progress or has succeeded; ends the job when none is
 * left.
 */
static void
probe_tcp_next(struct probe_job *j)
{
	struct probe			*p = j->p;
	struct ares_addrinfo_node	*node;
	struct sockaddr_storage		 ss;
	socklen_t			 sslen;
	int				 fd;

	while ((node = j->next) != NULL) {
		j->next = node->ai_next;
		if (node->ai_addrlen > sizeof(ss) ||
		    (node->ai_family != AF_INET && node->ai_family != AF_INET6))
			continue;
		memcpy(&ss, node->ai_addr, node->ai_addrlen);
		sslen = node->ai_addrlen;
		if (ss.ss_family == AF_INET)
			((struct sockaddr_in *)(void *)&ss)->sin_port =
			    htons((unsigned short)p->port);
		else
			((struct sockaddr_in6 *)(void *)&ss)->sin6_port =
			    htons((unsigned short)p->port);
		probe_addrstr((struct sockaddr *)&ss, j->addr, sizeof(j->addr));

		fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd != -1 && probe_bind_source(j->loop, fd,
		    ss.ss_family) == -1) {
			j->last_errno = errno;
			close(fd);
			continue;
		}
		if (fd == -1) {
			j->last_errno = errno;
			continue;
		}
		if (connect(fd, (struct sockaddr *)&ss, sslen) == 0) {
			close(fd);
			p->connect_ms = (long)(probe_now() - j->resolved);
			p->total_ms = (long)(probe_now() - j->started);
			probe_job_end(j);
			return;
		}
		if (errno == EINPROGRESS) {
			if (probe_watch(j->loop, fd, EPOLLOUT, PROBE_EV_TCP |
			    (uint64_t)j->slot << 32 | (uint32_t)fd) == 0) {
				j->fd = fd;
				return;
			}
		}
		j->last_errno = errno;
		close(fd);
	}
	p->total_ms = (long)(probe_now() - j->started);
	probe_fail(p, "connect_failed", "could not connect to %s port %d: %s",
	    j->addr[0] ? j->addr : p->host, p->port,
	    strerror(j->last_errno ? j->last_errno : ECONNREFUSED));
	probe_job_end(j);
}

/* c-ares callback of a TCP probe's name resolution. */
static void
probe_tcp_resolved(void *arg, int status, int timeouts,
    struct ares_addrinfo *res)
{
	struct probe_job		*j = arg;
	struct probe			*p = j->p;
	struct ares_addrinfo_node	*node;
	const char			*why;
	size_t				 naddr = 0;

	(void)timeouts;
	j->ares_owed = 0;
	if (p == NULL) {
		/* Timed out already, or the loop is being closed. */
		if (res != NULL)
			ares_freeaddrinfo(res);
		free(j);
		return;
	}
	j->resolving = 0;
	j->resolved = probe_now();
	p->dns_ms = (long)(j->resolved - j->started);
	if (status != ARES_SUCCESS || res == NULL) {
		if (res != NULL)
			ares_freeaddrinfo(res);
		p->total_ms = p->dns_ms;
		if (status == ARES_ETIMEOUT)
			probe_fail(p, "timeout", "no DNS answer for the host");
		else if (status == ARES_ENOMEM)
			probe_fail(p, "internal", "out of memory");
		else
			probe_fail(p, "dns_failed",
			    "could not resolve the host: %s",
			    ares_strerror(status));
		probe_job_end(j);
		return;
	}
	j->ai = res;

	/* Every address is checked before any connection is tried. */
	for (node = res->nodes; node != NULL; node = node->ai_next) {
		if (node->ai_family != AF_INET && node->ai_family != AF_INET6)
			continue;
		naddr++;
		if ((why = probe_addr_refusal(j->loop, node->ai_addr,
		    node->ai_addrlen)) != NULL)
			probe_refused(j, why);
	}
	if (j->refused) {
		p->total_ms = p->dns_ms;
		probe_fail_refused(j);
		probe_job_end(j);
		return;
	}
	if (naddr == 0) {
		p->total_ms = p->dns_ms;
		probe_fail(p, "dns_failed", "the host has no address");
		probe_job_end(j);
		return;
	}
	j->next = res->nodes;
	probe_tcp_next(j);
}

static int
probe_tcp_start(struct probe_loop *l, struct probe_job *j)
{
	struct probe			*p = j->p;
	struct ares_addrinfo_hints	 hints;

	if (!probe_hostname_ok(p->host)) {
		probe_fail(p, "invalid_request", "host is not a valid name "
		    "or IP address");
		return -1;
	}
	if (p->port < 1 || p->port > 65535) {
		probe_fail(p, "invalid_request", "port is not in 1..65535");
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = ARES_AI_NOSORT;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	j->resolving = 1;
	j->ares_owed = 1;
	/* The callback may run at once (IP literal, hosts file): the job
	 * may be over when this returns. */
	ares_getaddrinfo(l->chan, p->host, NULL, &hints,
	    probe_tcp_resolved, j);
	return 0;
}

/* A connecting socket of j is ready: see how the connect went. */
static void
probe_tcp_ready(struct probe_job *j)
{
	struct probe		*p = j->p;
	struct sockaddr_storage	 peer;
	socklen_t		 len = sizeof(int), plen = sizeof(peer);
	int			 err = 0;

	if (getsockopt(j->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0) {
		if (getpeername(j->fd, (struct sockaddr *)&peer, &plen) == -1) {
			if (errno == ENOTCONN)
				return;		/* still in progress */
			err = errno;
		}
	}
	close(j->fd);
	j->fd = -1;
	if (err == 0) {
		p->connect_ms = (long)(probe_now() - j->resolved);
		p->total_ms = (long)(probe_now() - j->started);
		probe_job_end(j);
		return;
	}
	j->last_errno = err;
	probe_tcp_next(j);
}

/*
 * DNS probes: one c-ares query each, the reply rendered as text.
 */

/* CNAME has no ares_parse_* function: walk the answer section. */
static int
probe_dns_cname(struct probe *p, const unsigned char *abuf, int alen)
{
	char		*name;
	long		 enclen;
	size_t		 off = 12, qd, an, i, rdlen;
	unsigned int	 type, class;

	if (alen < 12)
		return ARES_EBADRESP;
	qd = (size_t)abuf[4] << 8 | abuf[5];
	an = (size_t)abuf[6] << 8 | abuf[7];
	for (i = 0; i < qd; i++) {
		if (ares_expand_name(abuf + off, abuf, alen, &name,
		    &enclen) != ARES_SUCCESS)
			return ARES_EBADRESP;
		ares_free_string(name);
		off += (size_t)enclen + 4;
		if (off > (size_t)alen)
			return ARES_EBADRESP;
	}
	for (i = 0; i < an; i++) {
		if (off >= (size_t)alen || ares_expand_name(abuf + off, abuf,
		    alen, &name, &enclen) != ARES_SUCCESS)
			return ARES_EBADRESP;
		ares_free_string(name);
		off += (size_t)enclen;
		if (off + 10 > (size_t)alen)
			return ARES_EBADRESP;
		type = (unsigned int)abuf[off] << 8 | abuf[off + 1];
		class = (unsigned int)abuf[off + 2] << 8 | abuf[off + 3];
		rdlen = (size_t)abuf[off + 8] << 8 | abuf[off + 9];
		off += 10;
		if (off + rdlen > (size_t)alen)
			return ARES_EBADRESP;
		if (type == (unsigned int)probe_rrtypes[RR_CNAME].type &&
		    class == PROBE_DNS_CLASS_IN) {
			if (ares_expand_name(abuf + off, abuf, alen, &name,
			    &enclen) != ARES_SUCCESS)
				return ARES_EBADRESP;
			if (probe_add_answer_str(p, name) == -1) {
				ares_free_string(name);
				return ARES_ENOMEM;
			}
			ares_free_string(name);
		}
		off += rdlen;
	}
	return ARES_SUCCESS;
}

static int
probe_dns_txt(struct probe *p, const unsigned char *abuf, int alen)
{
	struct ares_txt_ext	*txt = NULL, *t, *r;
	unsigned char		*buf = NULL;
	size_t			 len;
	int			 rc;

	if ((rc = ares_parse_txt_reply_ext(abuf, alen, &txt)) != ARES_SUCCESS)
		return rc;
	if ((buf = malloc(PROBE_MAXANSWERLEN)) == NULL) {
		rc = ARES_ENOMEM;
		goto out;
	}
	/* One answer per record, its strings joined. */
	for (r = txt; r != NULL; r = t) {
		len = 0;
		t = r;
		do {
			if (t->length > 0 && len < PROBE_MAXANSWERLEN) {
				size_t take = t->length;

				if (take > PROBE_MAXANSWERLEN - len)
					take = PROBE_MAXANSWERLEN - len;
				memcpy(buf + len, t->txt, take);
				len += take;
			}
			t = t->next;
		} while (t != NULL && !t->record_start);
		if (probe_add_answer(p, buf, len) == -1) {
			rc = ARES_ENOMEM;
			goto out;
		}
	}
out:
	free(buf);
	ares_free_data(txt);
	return rc;
}

/* Render the reply abuf into p->answers.  Returns an ARES_* status. */
static int
probe_dns_render(struct probe_job *j, const unsigned char *abuf, int alen)
{
	struct probe		*p = j->p;
	struct ares_addrttl	 a4[PROBE_MAXANSWERS];
	struct ares_addr6ttl	 a6[PROBE_MAXANSWERS];
	struct ares_mx_reply	*mx = NULL, *m;
	struct hostent		*he = NULL;
	char			 buf[PROBE_MAXANSWERLEN];
	int			 rc, na, i;

	switch (j->rr) {
	case RR_A:
		na = PROBE_MAXANSWERS;
		rc = ares_parse_a_reply(abuf, alen, NULL, a4, &na);
		for (i = 0; rc == ARES_SUCCESS && i < na; i++)
			if (inet_ntop(AF_INET, &a4[i].ipaddr, buf,
			    sizeof(buf)) == NULL ||
			    probe_add_answer_str(p, buf) == -1)
				rc = ARES_ENOMEM;
		return rc;
	case RR_AAAA:
		na = PROBE_MAXANSWERS;
		rc = ares_parse_aaaa_reply(abuf, alen, NULL, a6, &na);
		for (i = 0; rc == ARES_SUCCESS && i < na; i++)
			if (inet_ntop(AF_INET6, &a6[i].ip6addr, buf,
			    sizeof(buf)) == NULL ||
			    probe_add_answer_str(p, buf) == -1)
				rc = ARES_ENOMEM;
		return rc;
	case RR_CNAME:
		return probe_dns_cname(p, abuf, alen);
	case RR_MX:
		if ((rc = ares_parse_mx_reply(abuf, alen, &mx)) != ARES_SUCCESS)
			return rc;
		for (m = mx; m != NULL; m = m->next) {
			snprintf(buf, sizeof(buf), "%u %s",
			    (unsigned int)m->priority, m->host);
			if (probe_add_answer_str(p, buf) == -1) {
				rc = ARES_ENOMEM;
				break;
			}
		}
		ares_free_data(mx);
		return rc;
	case RR_TXT:
		return probe_dns_txt(p, abuf, alen);
	case RR_NS:
		if ((rc = ares_parse_ns_reply(abuf, alen, &he)) != ARES_SUCCESS)
			return rc;
		for (i = 0; he->h_aliases != NULL && he->h_aliases[i] != NULL;
		    i++)
			if (probe_add_answer_str(p, he->h_aliases[i]) == -1) {
				rc = ARES_ENOMEM;
				break;
			}
		ares_free_hostent(he);
		return rc;
	default:
		return ARES_ENOTIMP;
	}
}

/* c-ares callback of a DNS probe. */
static void
probe_dns_answer(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct probe_job	*j = arg;
	struct probe		*p = j->p;
	const char		*type;

	(void)timeouts;
	j->ares_owed = 0;
	if (p == NULL) {
		/* Timed out already, or the loop is being closed. */
		free(j);
		return;
	}
	p->dns_ms = p->total_ms = (long)(probe_now() - j->started);
	type = probe_rrtypes[j->rr].name;
	if (status == ARES_SUCCESS) {
		status = probe_dns_render(j, abuf, alen);
		if (status == ARES_SUCCESS && p->nanswers == 0)
			status = ARES_ENODATA;
	}
	switch (status) {
	case ARES_SUCCESS:
		break;
	case ARES_ENOTFOUND:
		probe_fail(p, "dns_failed", "no such domain (NXDOMAIN)");
		break;
	case ARES_ENODATA:
		probe_fail(p, "dns_failed", "no %s record", type);
		break;
	case ARES_ESERVFAIL:
		probe_fail(p, "dns_failed", "the DNS server failed (SERVFAIL)");
		break;
	case ARES_EREFUSED:
		probe_fail(p, "dns_failed", "the DNS server refused the query");
		break;
	case ARES_ECONNREFUSED:
		probe_fail(p, "dns_failed", "the DNS server is unreachable");
		break;
	case ARES_ETIMEOUT:
		probe_fail(p, "timeout", "no answer from the DNS server");
		break;
	case ARES_ENOMEM:
		probe_fail(p, "internal", "out of memory");
		break;
	default:
		probe_fail(p, "dns_failed", "DNS query failed: %s",
		    ares_strerror(status));
		break;
	}
	if (p->failed) {
		while (p->nanswers > 0)
			free(p->answers[--p->nanswers]);
		free(p->answers);
		p->answers = NULL;
	}
	probe_job_end(j);
}

static int
probe_dns_start(struct probe_loop *l, struct probe_job *j)
{
	struct probe	*p = j->p;
	enum probe_rr	 rr;

	if (!probe_hostname_ok(p->hostname)) {
		probe_fail(p, "invalid_request", "hostname is not a valid "
		    "DNS name");
		return -1;
	}
	for (rr = 0; rr < RR__MAX; rr++)
		if (p->record_type != NULL &&
		    strcmp(p->record_type, probe_rrtypes[rr].name) == 0)
			break;
	if (rr == RR__MAX) {
		probe_fail(p, "invalid_request", "record type is not one of "
		    "A, AAAA, CNAME, MX, TXT, NS");
		return -1;
	}
	j->rr = rr;
	j->ares_owed = 1;
	/* The callback may run at once (bad name, no server): the job may
	 * be over when this returns. */
	ares_query(l->chan, p->hostname, PROBE_DNS_CLASS_IN,
	    probe_rrtypes[rr].type, probe_dns_answer, j);
	return 0;
}

/*
 * The event loop that drives all three kinds.
 */

int
probe_loop_start(struct probe_loop *l, struct probe *p)
{
	struct probe_job	*j;
	int			 rc;

	if (l == NULL || p == NULL || l->broken || l->nfree == 0)
		return -1;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	probe_clear(p);
	j->p = p;
	j->loop = l;
	j->fd = -1;
	j->slot = l->freeslots[--l->nfree];
	l->slots[j->slot] = j;
	j->started = probe_now();
	j->timeout_ms = p->timeout_ms == 0 ? PROBE_DEFTIMEOUT_MS :
	    p->timeout_ms;
	j->deadline = j->started + j->timeout_ms;
	if (p->timeout_ms < 0 || p->timeout_ms > PROBE_MAXTIMEOUT_MS) {
		probe_fail(p, "invalid_request", "timeout is not in 1..%d ms",
		    PROBE_MAXTIMEOUT_MS);
		probe_job_end(j);
		return 0;
	}
	switch (p->kind) {
	case PROBE_HTTP:
		rc = probe_http_start(l, j);
		break;
	case PROBE_TCP:
	case PROBE_DNS:
		if (!l->have_chan) {
			probe_fail(p, "internal", "no resolver for this run");
			rc = -1;
		} else if (p->kind == PROBE_TCP)
			rc = probe_tcp_start(l, j);
		else
			rc = probe_dns_start(l, j);
		break;
	default:
		probe_fail(p, "invalid_request", "unknown probe kind");
		rc = -1;
		break;
	}
	if (rc == -1)
		probe_job_end(j);
	return 0;
}

size_t
probe_loop_free_slots(const struct probe_loop *l)
{
	return l == NULL || l->broken ? 0 : l->nfree;
}

size_t
probe_loop_active(const struct probe_loop *l)
{
	return l == NULL ? 0 : l->nslots - l->nfree;
}

/*
 * End the TCP and DNS probes whose time is up (HTTP: libcurl does).
 * Returns the earliest deadline left, or -1 when none.
 */
static long long
probe_expire(struct probe_loop *l, long long now)
{
	struct probe_job	*j;
	long long		 next = -1, due;
	size_t			 s;

	for (s = 0; s < l->nslots; s++) {
		if ((j = l->slots[s]) == NULL)
			continue;
		/* HTTP: only if libcurl somehow overran its own timeout. */
		due = j->deadline + (j->p->kind == PROBE_HTTP ?
		    PROBE_HTTPGRACE_MS : 0);
		if (now < due) {
			if (next == -1 || due < next)
				next = due;
			continue;
		}
		j->p->total_ms = (long)(now - j->started);
		if (j->p->kind == PROBE_DNS)
			j->p->dns_ms = j->p->total_ms;
		if (j->p->kind == PROBE_TCP && j->resolving)
			probe_fail(j->p, "timeout", "could not resolve the "
			    "host within %d ms", j->timeout_ms);
		else
			probe_fail(j->p, "timeout", "no %s within %d ms",
			    j->p->kind == PROBE_DNS ? "DNS answer" :
			    j->p->kind == PROBE_TCP ? "connection" :
			    "complete response", j->timeout_ms);
		probe_job_end(j);
	}
	return next;
}

/* The watch due first, with its time in *due; NULL when none. */
static struct probe_watch *
probe_watch_next(const struct probe_loop *l, long long *due)
{
	struct probe_watch	*w, *first = NULL;

	for (w = l->watches; w != NULL; w = w->next)
		if (first == NULL || w->due < first->due)
			first = w;
	if (first != NULL)
		*due = first->due;
	return first;
}

/* Forget watch w and call its function (which may watch again). */
static void
probe_watch_fire(struct probe_loop *l, struct probe_watch *w)
{
	struct probe_watch	**pp;

	for (pp = &l->watches; *pp != w; pp = &(*pp)->next)
		continue;
	*pp = w->next;
	epoll_ctl(l->ep, EPOLL_CTL_DEL, w->fd, NULL);
	w->fn(w->arg);
	free(w);
}

int
probe_loop_watch(struct probe_loop *l, int fd, int max_ms,
    void (*fn)(void *), void *arg)
{
	struct probe_watch	*w;

	if (l == NULL || l->broken || fd < 0 || (w = calloc(1,
	    sizeof(*w))) == NULL)
		return -1;
	w->fd = fd;
	w->due = probe_now() + (max_ms < 0 ? 0 : max_ms);
	w->fn = fn;
	w->arg = arg;
	if (probe_watch(l, fd, EPOLLIN, PROBE_EV_WATCH | (uint32_t)fd) == -1) {
		free(w);
		return -1;
	}
	w->next = l->watches;
	l->watches = w;
	return 0;
}

/*
 * Run libcurl's timer if it is due, collect finished transfers and end
 * what is out of time.  Returns the earliest time (monotonic ms) the
 * loop must wake up for, or -1 when none.
 */
static long long
probe_timers(struct probe_loop *l)
{
	struct probe_watch	*w;
	long long		 next, due;
	int			 running;

	if (l->curl_due != -1 && probe_now() >= l->curl_due) {
		l->curl_due = -1;
		if (curl_multi_socket_action(l->multi, CURL_SOCKET_TIMEOUT, 0,
		    &running) != CURLM_OK)
			l->broken = 1;
	}
	probe_http_harvest(l);
	next = probe_expire(l, probe_now());
	if (l->curl_due != -1 && (next == -1 || l->curl_due < next))
		next = l->curl_due;
	while ((w = probe_watch_next(l, &due)) != NULL && due <= probe_now())
		probe_watch_fire(l, w);
	if (w != NULL && (next == -1 || due < next))
		next = due;
	return next;
}

/* One epoll event: hand it to libcurl, c-ares, a TCP probe or a watch. */
static void
probe_event(struct probe_loop *l, const struct epoll_event *ev)
{
	struct probe_watch	*pw;
	struct probe_job	*j;
	uint64_t		 tag = ev->data.u64 & PROBE_EV_MASK;
	size_t			 slot;
	int			 fd = (int)(uint32_t)ev->data.u64, running, flags;
	int			 r, w;

	r = (ev->events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0;
	w = (ev->events & (EPOLLOUT | EPOLLERR)) != 0;
	switch (tag) {
	case PROBE_EV_CURL:
		flags = (r ? CURL_CSELECT_IN : 0) | (w ? CURL_CSELECT_OUT : 0) |
		    (ev->events & EPOLLERR ? CURL_CSELECT_ERR : 0);
		if (curl_multi_socket_action(l->multi, fd, flags, &running) !=
		    CURLM_OK)
			l->broken = 1;
		break;
	case PROBE_EV_ARES:
		if (l->have_chan)
			ares_process_fd(l->chan, r ? fd : ARES_SOCKET_BAD,
			    w ? fd : ARES_SOCKET_BAD);
		break;
	case PROBE_EV_TCP:
		/* The job may have ended in this same wake-up. */
		slot = (size_t)((ev->data.u64 & ~PROBE_EV_MASK) >> 32);
		if (slot < l->nslots && (j = l->slots[slot]) != NULL &&
		    j->fd == fd)
			probe_tcp_ready(j);
		break;
	case PROBE_EV_WATCH:
		for (pw = l->watches; pw != NULL && pw->fd != fd;
		    pw = pw->next)
			continue;
		if (pw != NULL)
			probe_watch_fire(l, pw);
		break;
	default:
		break;
	}
}

int
probe_loop_wait(struct probe_loop *l, int max_ms)
{
	struct epoll_event	 evs[PROBE_MAXEVENTS];
	struct timeval		 maxtv, tv, *tvp;
	long long		 now, next, wait = max_ms < 0 ? 0 : max_ms;
	int			 n, i;

	if (l == NULL || l->broken)
		return -1;
	next = probe_timers(l);
	now = probe_now();
	if (next != -1 && next - now < wait)
		wait = next - now;
	if (l->have_chan) {
		maxtv.tv_sec = wait / 1000;
		maxtv.tv_usec = (wait % 1000) * 1000;
		if ((tvp = ares_timeout(l->chan, &maxtv, &tv)) != NULL &&
		    tvp->tv_sec * 1000LL + tvp->tv_usec / 1000 < wait)
			wait = tvp->tv_sec * 1000LL + tvp->tv_usec / 1000;
	}
	if (wait < 0)
		wait = 0;
	if ((n = epoll_wait(l->ep, evs, PROBE_MAXEVENTS, (int)wait)) == -1) {
		if (errno == EINTR)
			return 0;	/* a signal: the caller decides */
		l->broken = 1;
		return -1;
	}
	for (i = 0; i < n; i++)
		probe_event(l, &evs[i]);
	if (l->have_chan)	/* c-ares' own timeouts */
		ares_process_fd(l->chan, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	probe_timers(l);
	return l->broken ? -1 : 0;
}

/* Set up the c-ares channel for the loop's TCP and DNS probes. */
static int
probe_chan_init(struct probe_loop *l)
{
	struct ares_options	 ao;
	char			 lookups[] = "fb";

	/*
	 * Tries double their timeout: with 3 tries the last one ends at
	 * 7 times the first, past the longest probe timeout, which is
	 * what ends a probe.
	 */
	memset(&ao, 0, sizeof(ao));
	ao.timeout = l->ares_maxto / 4;
	if (ao.timeout < PROBE_ARES_MINTRY_MS)
		ao.timeout = PROBE_ARES_MINTRY_MS;
	if (ao.timeout > PROBE_ARES_MAXTRY_MS)
		ao.timeout = PROBE_ARES_MAXTRY_MS;
	ao.tries = PROBE_ARES_TRIES;
	ao.lookups = lookups;
	ao.sock_state_cb = probe_ares_socket;
	ao.sock_state_cb_data = l;
	if (ares_init_options(&l->chan, &ao, ARES_OPT_TIMEOUTMS |
	    ARES_OPT_TRIES | ARES_OPT_LOOKUPS | ARES_OPT_SOCK_STATE_CB) !=
	    ARES_SUCCESS)
		return -1;
	l->have_chan = 1;
	if (l->src.ss_family == AF_INET)
		ares_set_local_ip4(l->chan, ntohl(((struct sockaddr_in *)(void *)
		    &l->src)->sin_addr.s_addr));
	else if (l->src.ss_family == AF_INET6)
		ares_set_local_ip6(l->chan, ((struct sockaddr_in6 *)(void *)
		    &l->src)->sin6_addr.s6_addr);
	if (l->opts.dns_servers != NULL &&
	    ares_set_servers_ports_csv(l->chan, l->opts.dns_servers) !=
	    ARES_SUCCESS)
		return -1;
	return 0;
}

int
probe_parse_source(const char *s, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in	*in = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6	*in6 = (struct sockaddr_in6 *)(void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		*len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		*len = sizeof(*in6);
		return 0;
	}
	return -1;
}

/*
 * A loop of opts->concurrency slots.  ares_maxto: the longest TCP or DNS
 * probe timeout expected (ms), which sets c-ares' per-try timeout; 0 when
 * the loop will run no TCP or DNS probe (no resolver is set up).
 */
static struct probe_loop *
probe_loop_open(const struct probe_opts *opts, int ares_maxto)
{
	struct probe_loop	*l;
	size_t			 i;

	if (opts == NULL || opts->concurrency < 1 ||
	    opts->concurrency > PROBE_MAXCONCURRENCY)
		return NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->opts = *opts;
	l->nslots = (size_t)opts->concurrency;
	l->ep = -1;
	l->curl_due = -1;
	l->ares_maxto = ares_maxto;
	if (opts->source_address != NULL && probe_parse_source(
	    opts->source_address, &l->src, &l->srclen) == -1)
		goto fail;
	if ((l->slots = calloc(l->nslots, sizeof(*l->slots))) == NULL ||
	    (l->freeslots = calloc(l->nslots, sizeof(*l->freeslots))) == NULL)
		goto fail;
	for (i = 0; i < l->nslots; i++)		/* slot 0 is taken first */
		l->freeslots[i] = l->nslots - 1 - i;
	l->nfree = l->nslots;
	if ((l->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		goto fail;
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
		goto fail;
	l->ares_inited = 1;
	if (ares_maxto > 0 && probe_chan_init(l) == -1)
		goto fail;
	if ((l->multi = curl_multi_init()) == NULL ||
	    curl_multi_setopt(l->multi, CURLMOPT_PIPELINING,
	    (long)CURLPIPE_NOTHING) != CURLM_OK ||
	    curl_multi_setopt(l->multi, CURLMOPT_SOCKETFUNCTION,
	    probe_curl_socket) != CURLM_OK ||
	    curl_multi_setopt(l->multi, CURLMOPT_SOCKETDATA, l) != CURLM_OK ||
	    curl_multi_setopt(l->multi, CURLMOPT_TIMERFUNCTION,
	    probe_curl_timer) != CURLM_OK ||
	    curl_multi_setopt(l->multi, CURLMOPT_TIMERDATA, l) != CURLM_OK)
		goto fail;
	return l;
fail:
	probe_loop_close(l);
	return NULL;
}

struct probe_loop *
probe_loop_new(const struct probe_opts *opts)
{
	return probe_loop_open(opts, PROBE_DEFTIMEOUT_MS);
}

void
probe_loop_close(struct probe_loop *l)
{
	struct probe_watch	*w;
	size_t			 s;

	if (l == NULL)
		return;
	l->closing = 1;
	for (s = 0; l->slots != NULL && s < l->nslots; s++)
		if (l->slots[s] != NULL) {
			probe_fail(l->slots[s]->p, "internal",
			    "the check was stopped");
			probe_job_end(l->slots[s]);
		}
	if (l->have_chan)
		ares_destroy(l->chan);	/* owed callbacks free their jobs */
	if (l->ares_inited)
		ares_library_cleanup();
	if (l->multi != NULL)
		curl_multi_cleanup(l->multi);
	while ((w = l->watches) != NULL) {
		l->watches = w->next;
		free(w);
	}
	if (l->ep != -1)
		close(l->ep);
	free(l->freeslots);
	free(l->slots);
	free(l);
}

/* probe_run()'s bookkeeping, behind the caller's done callback. */
struct probe_batch {
	struct probe		*probes;
	unsigned char		*fin;
	size_t			 ndone;
	void			(*done)(struct probe *, void *);
	void			*done_arg;
};

static void
probe_batch_done(struct probe *p, void *arg)
{
	struct probe_batch	*b = arg;

	b->fin[p - b->probes] = 1;
	b->ndone++;
	if (b->done != NULL)
		b->done(p, b->done_arg);
}

int
probe_run(struct probe *probes, size_t n, const struct probe_opts *opts)
{
	struct probe_loop	*l = NULL;
	struct probe_batch	 b;
	struct probe_opts	 o;
	size_t			 i, next = 0;
	int			 rc = -1, maxto = 0, t;

	memset(&b, 0, sizeof(b));
	for (i = 0; i < n && probes != NULL; i++)
		probe_clear(&probes[i]);
	if (n == 0)
		return 0;
	if (probes == NULL || opts == NULL || n > PROBE_MAXPROBES ||
	    opts->concurrency < 1 ||
	    opts->concurrency > PROBE_MAXCONCURRENCY)
		goto out;
	for (i = 0; i < n; i++) {
		if (probes[i].kind != PROBE_TCP && probes[i].kind != PROBE_DNS)
			continue;
		t = probes[i].timeout_ms;
		if (t <= 0 || t > PROBE_MAXTIMEOUT_MS)
			t = PROBE_DEFTIMEOUT_MS;
		if (t > maxto)
			maxto = t;
	}
	b.probes = probes;
	b.done = opts->done;
	b.done_arg = opts->done_arg;
	if ((b.fin = calloc(n, 1)) == NULL)
		goto out;
	o = *opts;
	if ((size_t)o.concurrency > n)
		o.concurrency = (int)n;
	o.done = probe_batch_done;
	o.done_arg = &b;
	if ((l = probe_loop_open(&o, maxto)) == NULL)
		goto out;
	while (b.ndone < n) {
		while (next < n && probe_loop_free_slots(l) > 0)
			if (probe_loop_start(l, &probes[next]) == 0)
				next++;
			else
				goto out;
		if (b.ndone < n && probe_loop_wait(l, PROBE_MAXWAIT_MS) == -1)
			goto out;
	}
	rc = 0;
out:
	probe_loop_close(l);
	/* Whatever did not finish fails. */
	for (i = 0; i < n && probes != NULL; i++)
		if (b.fin == NULL || !b.fin[i]) {
			probe_clear(&probes[i]);
			probe_fail(&probes[i], "internal",
			    "the check could not be run");
		}
	free(b.fin);
	return rc;
}
