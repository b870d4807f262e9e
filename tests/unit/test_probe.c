/*
 * Unit tests of lib/probe.c against servers this process starts on
 * loopback: two small HTTP servers (threads, on 127.0.0.1 and
 * 127.0.0.2), a UDP DNS responder (thread), and for TLS an
 * "openssl s_server" child with a certificate made for the test.
 * Every server is stopped and every child reaped before exit.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "uptime.h"
#include "probe.h"
#include "unit.h"

#define TP_MAXCONN	512	/* connection threads per HTTP server */
#define TP_MAXREQ	(64 * 1024)
#define TP_IOWAIT_MS	10000	/* a server gives up on a silent peer */
#define TP_SLOW_MS	300	/* how long /slow takes */
#define TP_DNS_NAME	"probe.test"

/*
 * Small helpers.
 */

static long long
tp_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
tp_sleep_ms(long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

static int
tp_pipe(int fds[2])
{
	if (pipe(fds) == -1)
		return -1;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

/* Offset just past the first "\r\n\r\n" in buf, or 0. */
static size_t
tp_head_end(const char *buf, size_t len)
{
	size_t	 i;

	for (i = 0; i + 4 <= len; i++)
		if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
			return i + 4;
	return 0;
}

/* Content-Length of the request head in buf (head bytes), or 0. */
static size_t
tp_content_length(const char *buf, size_t head)
{
	size_t	 i;

	for (i = 0; i + 17 < head; i++)
		if (strncasecmp(buf + i, "\r\nContent-Length:", 17) == 0)
			return strtoul(buf + i + 17, NULL, 10);
	return 0;
}

/* A listening (TCP) or bound (UDP) socket on ip, ephemeral port. */
static int
tp_socket(const char *ip, int type, int *port)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd, on = 1;

	if ((fd = socket(AF_INET, type | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, ip, &sin.sin_addr);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    (type == SOCK_STREAM && listen(fd, 128) == -1) ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

/*
 * Wait until fd is ready for events or stopfd is readable.  Returns 1
 * ready, 0 timeout, -1 stop or error.
 */
static int
tp_wait(int fd, short events, int stopfd, int ms)
{
	struct pollfd	 pfd[2];

	pfd[0].fd = fd;
	pfd[0].events = events;
	pfd[1].fd = stopfd;
	pfd[1].events = POLLIN;
	if (poll(pfd, 2, ms) == -1)
		return -1;
	if (pfd[1].revents)
		return -1;
	return pfd[0].revents ? 1 : 0;
}

/*
 * The HTTP test server: a thread accepting, a thread per connection.
 */

struct tp_http {
	const char	*ip;
	int		 lfd;
	int		 port;
	int		 stop[2];	/* pipe: readable once stopping */
	pthread_t	 thr;
	pthread_mutex_t	 mu;
	pthread_t	 conns[TP_MAXCONN];
	size_t		 nconns;
	/* Under mu: */
	int		 accepts;	/* connections accepted */
	int		 inflight;	/* /slow requests being served */
	int		 maxinflight;
	long long	 last_slow;	/* tp_now() at the last /slow */
};

struct tp_conn {
	struct tp_http	*srv;
	int		 fd;
};

static struct tp_http	tp_a = { .ip = "127.0.0.1" };
static struct tp_http	tp_b = { .ip = "127.0.0.2" };

static int
tp_send(struct tp_conn *c, const char *buf, size_t len)
{
	ssize_t	 w;

	while (len > 0) {
		if (tp_wait(c->fd, POLLOUT, c->srv->stop[0], TP_IOWAIT_MS) != 1)
			return -1;
		w = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

static void
tp_respond(struct tp_conn *c, int code, const char *extra, const char *body)
{
	char	 buf[1024];
	int	 n;

	n = snprintf(buf, sizeof(buf), "HTTP/1.1 %d Test\r\n"
	    "Content-Type: text/plain\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n%s\r\n", code, strlen(body), extra);
	if (tp_send(c, buf, (size_t)n) == 0)
		tp_send(c, body, strlen(body));
}

/* Read one request into buf: head, then Content-Length bytes of body. */
static ssize_t
tp_read_request(struct tp_conn *c, char *buf, size_t bufsz, size_t *head)
{
	size_t	 have = 0, need = 0;
	ssize_t	 r;

	*head = 0;
	for (;;) {
		if (*head == 0 && (*head = tp_head_end(buf, have)) != 0) {
			need = *head + tp_content_length(buf, *head);
			if (need >= bufsz)
				return -1;
		}
		if (*head != 0 && have >= need)
			break;
		if (have + 1 >= bufsz ||
		    tp_wait(c->fd, POLLIN, c->srv->stop[0], TP_IOWAIT_MS) != 1)
			return -1;
		r = recv(c->fd, buf + have, bufsz - have - 1, 0);
		if (r <= 0)
			return -1;
		have += (size_t)r;
	}
	buf[have] = '\0';
	return (ssize_t)have;
}

/* Stream 'x' bytes until the client goes away or the server stops. */
static void
tp_endless(struct tp_conn *c, int chunked)
{
	char		 block[16384 + 32];
	const char	*hdr = chunked ?
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" :
	    "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
	size_t		 off = 0;

	if (chunked)
		off = (size_t)snprintf(block, sizeof(block), "%x\r\n", 16384);
	memset(block + off, 'x', 16384);
	off += 16384;
	if (chunked) {
		memcpy(block + off, "\r\n", 2);
		off += 2;
	}
	if (tp_send(c, hdr, strlen(hdr)) == -1)
		return;
	while (tp_send(c, block, off) == 0)
		continue;
}

static void *
tp_conn_main(void *arg)
{
	struct tp_conn	*c = arg;
	struct tp_http	*s = c->srv;
	char		*req, method[16], path[512], loc[600];
	size_t		 head;
	ssize_t		 len;
	int		 n;

	if ((req = malloc(TP_MAXREQ)) == NULL)
		goto out;
	if ((len = tp_read_request(c, req, TP_MAXREQ, &head)) == -1)
		goto out;
	if (sscanf(req, "%15s %511s", method, path) != 2)
		goto out;

	if (strcmp(path, "/ok") == 0)
		tp_respond(c, 200, "", "hello world\n");
	else if (strcmp(path, "/500") == 0)
		tp_respond(c, 500, "", "internal error\n");
	else if (strcmp(path, "/keyword") == 0)
		tp_respond(c, 200, "", "<html><body><p>status: ALL SYSTEMS "
		    "OPERATIONAL</p></body></html>\n");
	else if (strcmp(path, "/echo") == 0)
		tp_respond(c, 200, "", req);
	else if (strcmp(path, "/hang") == 0) {
		/* Say nothing until the client leaves or we stop. */
		while (tp_wait(c->fd, POLLIN, s->stop[0], TP_IOWAIT_MS) == 1)
			if (recv(c->fd, req, TP_MAXREQ, 0) <= 0)
				break;
	} else if (strcmp(path, "/slow") == 0) {
		pthread_mutex_lock(&s->mu);
		s->last_slow = tp_now();
		if (++s->inflight > s->maxinflight)
			s->maxinflight = s->inflight;
		pthread_mutex_unlock(&s->mu);
		tp_wait(c->fd, 0, s->stop[0], TP_SLOW_MS);
		pthread_mutex_lock(&s->mu);
		s->inflight--;
		pthread_mutex_unlock(&s->mu);
		tp_respond(c, 200, "", "slow\n");
	} else if (strcmp(path, "/endless") == 0)
		tp_endless(c, 0);
	else if (strcmp(path, "/endless-chunked") == 0)
		tp_endless(c, 1);
	else if (sscanf(path, "/redir/%d", &n) == 1 && n > 0) {
		snprintf(loc, sizeof(loc), "Location: /redir/%d\r\n", n - 1);
		tp_respond(c, 302, loc, "moved\n");
	} else if (strcmp(path, "/redir/0") == 0)
		tp_respond(c, 200, "", "final\n");
	else if (strcmp(path, "/loop") == 0)
		tp_respond(c, 302, "Location: /loop\r\n", "again\n");
	else if (strcmp(path, "/to-ftp") == 0)
		tp_respond(c, 302, "Location: ftp://127.0.0.1:21/x\r\n", "x\n");
	else if (strncmp(path, "/to/", 4) == 0) {
		/* /to/HOST:PORT/PATH redirects to http://HOST:PORT/PATH */
		snprintf(loc, sizeof(loc), "Location: http://%s\r\n", path + 4);
		tp_respond(c, 302, loc, "elsewhere\n");
	} else
		tp_respond(c, 404, "", "not found\n");
out:
	free(req);
	close(c->fd);
	free(c);
	return NULL;
}

static void *
tp_http_main(void *arg)
{
	struct tp_http	*s = arg;
	struct tp_conn	*c;
	size_t		 i;
	int		 fd;

	while (tp_wait(s->lfd, POLLIN, s->stop[0], -1) == 1) {
		if ((fd = accept(s->lfd, NULL, NULL)) == -1)
			continue;
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		pthread_mutex_lock(&s->mu);
		s->accepts++;
		pthread_mutex_unlock(&s->mu);
		if (s->nconns == TP_MAXCONN ||
		    (c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		c->srv = s;
		c->fd = fd;
		if (pthread_create(&s->conns[s->nconns], NULL, tp_conn_main,
		    c) != 0) {
			close(fd);
			free(c);
			continue;
		}
		s->nconns++;
	}
	for (i = 0; i < s->nconns; i++)
		pthread_join(s->conns[i], NULL);
	return NULL;
}

static int
tp_http_start(struct tp_http *s)
{
	if ((s->lfd = tp_socket(s->ip, SOCK_STREAM, &s->port)) == -1)
		return -1;
	if (tp_pipe(s->stop) == -1)
		return -1;
	pthread_mutex_init(&s->mu, NULL);
	return pthread_create(&s->thr, NULL, tp_http_main, s) == 0 ? 0 : -1;
}

static void
tp_http_stop(struct tp_http *s)
{
	if (write(s->stop[1], "x", 1) != 1)
		return;
	pthread_join(s->thr, NULL);
	close(s->lfd);
	close(s->stop[0]);
	close(s->stop[1]);
	pthread_mutex_destroy(&s->mu);
}

static int
tp_accepts(struct tp_http *s)
{
	int	 n;

	pthread_mutex_lock(&s->mu);
	n = s->accepts;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* URL of path on server s. */
static const char *
tp_url(const struct tp_http *s, const char *path)
{
	static char	 bufs[8][256];
	static size_t	 next;
	char		*b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "http://%s:%d%s", s->ip, s->port, path);
	return b;
}

/*
 * The DNS test server: a UDP responder thread with hand-made replies.
 */

struct tp_dns {
	int		 fd;
	int		 port;
	int		 stop[2];
	pthread_t	 thr;
	char		 servers[64];	/* "127.0.0.1:port" */
};

static struct tp_dns	tp_dns;

/* Append a name in wire format (no compression). */
static size_t
tp_dns_name(unsigned char *p, const char *name)
{
	size_t	 off = 0, len;

	while (*name != '\0') {
		len = strcspn(name, ".");
		p[off++] = (unsigned char)len;
		memcpy(p + off, name, len);
		off += len;
		name += len;
		if (*name == '.')
			name++;
	}
	p[off++] = 0;
	return off;
}

/* Append a resource record owned by the question name (pointer 0xc00c). */
static size_t
tp_dns_rr(unsigned char *p, int type, const unsigned char *rdata,
    size_t rdlen)
{
	p[0] = 0xc0;
	p[1] = 0x0c;
	p[2] = (unsigned char)(type >> 8);
	p[3] = (unsigned char)type;
	p[4] = 0;
	p[5] = 1;			/* IN */
	p[6] = p[7] = p[8] = 0;
	p[9] = 60;			/* TTL */
	p[10] = (unsigned char)(rdlen >> 8);
	p[11] = (unsigned char)rdlen;
	memcpy(p + 12, rdata, rdlen);
	return 12 + rdlen;
}

/*
 * Answer one query in q (qlen bytes) into r.  Returns the reply length,
 * or 0 to stay silent.
 */
static size_t
tp_dns_answer(const unsigned char *q, size_t qlen, unsigned char *r)
{
	char		 name[256];
	unsigned char	 rd[300];
	size_t		 off = 12, nlen = 0, len, rdl;
	int		 type, an = 0, rcode = 0;

	if (qlen < 17 || (q[4] << 8 | q[5]) != 1)
		return 0;
	while (off < qlen && q[off] != 0) {
		len = q[off++];
		if (len > 63 || off + len >= qlen || nlen + len + 1 >=
		    sizeof(name))
			return 0;
		if (nlen > 0)
			name[nlen++] = '.';
		memcpy(name + nlen, q + off, len);
		nlen += len;
		off += len;
	}
	name[nlen] = '\0';
	off++;
	if (off + 4 > qlen)
		return 0;
	type = q[off] << 8 | q[off + 1];
	off += 4;

	memcpy(r, q, off);		/* header and question */
	len = off;

	if (strcasecmp(name, "slow." TP_DNS_NAME) == 0)
		return 0;
	if (strcasecmp(name, TP_DNS_NAME) == 0) {
		switch (type) {
		case 1:		/* A: 192.0.2.10, 192.0.2.11 */
			memcpy(rd, "\xc0\x00\x02\x0a", 4);
			len += tp_dns_rr(r + len, 1, rd, 4);
			memcpy(rd, "\xc0\x00\x02\x0b", 4);
			len += tp_dns_rr(r + len, 1, rd, 4);
			an = 2;
			break;
		case 28:	/* AAAA: 2001:db8::10 */
			memset(rd, 0, 16);
			memcpy(rd, "\x20\x01\x0d\xb8", 4);
			rd[15] = 0x10;
			len += tp_dns_rr(r + len, 28, rd, 16);
			an = 1;
			break;
		case 15:	/* MX: 10 mail., 20 mx2. */
			rd[0] = 0;
			rd[1] = 10;
			rdl = 2 + tp_dns_name(rd + 2, "mail." TP_DNS_NAME);
			len += tp_dns_rr(r + len, 15, rd, rdl);
			rd[1] = 20;
			rdl = 2 + tp_dns_name(rd + 2, "mx2." TP_DNS_NAME);
			len += tp_dns_rr(r + len, 15, rd, rdl);
			an = 2;
			break;
		case 16:	/* TXT: ("v=spf1 " "-all"), ("hello") */
			memcpy(rd, "\x07v=spf1 \x04-all", 13);
			len += tp_dns_rr(r + len, 16, rd, 13);
			memcpy(rd, "\x05hello", 6);
			len += tp_dns_rr(r + len, 16, rd, 6);
			an = 2;
			break;
		case 2:		/* NS */
			rdl = tp_dns_name(rd, "ns1." TP_DNS_NAME);
			len += tp_dns_rr(r + len, 2, rd, rdl);
			an = 1;
			break;
		default:	/* NOERROR, no answer */
			break;
		}
	} else if (strcasecmp(name, "www." TP_DNS_NAME) == 0 && type == 5) {
		rdl = tp_dns_name(rd, TP_DNS_NAME);
		len += tp_dns_rr(r + len, 5, rd, rdl);
		an = 1;
	} else if (strcasecmp(name, "loop." TP_DNS_NAME) == 0) {
		if (type == 1) {
			memcpy(rd, "\x7f\x00\x00\x01", 4);
			len += tp_dns_rr(r + len, 1, rd, 4);
			an = 1;
		} else if (type == 28) {
			memset(rd, 0, 16);
			rd[15] = 1;
			len += tp_dns_rr(r + len, 28, rd, 16);
			an = 1;
		}
	} else
		rcode = 3;	/* NXDOMAIN */

	r[2] = 0x80 | (q[2] & 0x01);	/* QR, RD copied */
	r[3] = (unsigned char)(0x80 | rcode);	/* RA */
	r[6] = 0;
	r[7] = (unsigned char)an;
	r[8] = r[9] = r[10] = r[11] = 0;
	return len;
}

static void *
tp_dns_main(void *arg)
{
	struct tp_dns		*d = arg;
	struct sockaddr_storage	 from;
	socklen_t		 fromlen;
	unsigned char		 q[512], r[1024];
	ssize_t			 n;
	size_t			 rlen;

	while (tp_wait(d->fd, POLLIN, d->stop[0], -1) == 1) {
		fromlen = sizeof(from);
		n = recvfrom(d->fd, q, sizeof(q), 0,
		    (struct sockaddr *)&from, &fromlen);
		if (n <= 0)
			continue;
		if ((rlen = tp_dns_answer(q, (size_t)n, r)) > 0)
			sendto(d->fd, r, rlen, 0, (struct sockaddr *)&from,
			    fromlen);
	}
	return NULL;
}

static int
tp_dns_start(struct tp_dns *d)
{
	if ((d->fd = tp_socket("127.0.0.1", SOCK_DGRAM, &d->port)) == -1)
		return -1;
	if (tp_pipe(d->stop) == -1)
		return -1;
	snprintf(d->servers, sizeof(d->servers), "127.0.0.1:%d", d->port);
	return pthread_create(&d->thr, NULL, tp_dns_main, d) == 0 ? 0 : -1;
}

static void
tp_dns_stop(struct tp_dns *d)
{
	if (write(d->stop[1], "x", 1) != 1)
		return;
	pthread_join(d->thr, NULL);
	close(d->fd);
	close(d->stop[0]);
	close(d->stop[1]);
}

/*
 * Building probes and options.
 */

static struct probe_opts
tp_opts(int allow_private)
{
	struct probe_opts	 o;

	memset(&o, 0, sizeof(o));
	o.concurrency = 8;
	o.allow_private = allow_private;
	o.dns_servers = tp_dns.servers;
	return o;
}

static struct probe
tp_http(const char *url, int timeout_ms)
{
	struct probe	 p;

	memset(&p, 0, sizeof(p));
	p.kind = PROBE_HTTP;
	p.url = url;
	p.follow_redirects = 1;
	p.verify_tls = 1;
	p.timeout_ms = timeout_ms;
	return p;
}

static struct probe
tp_tcp(const char *host, int port, int timeout_ms)
{
	struct probe	 p;

	memset(&p, 0, sizeof(p));
	p.kind = PROBE_TCP;
	p.host = host;
	p.port = port;
	p.timeout_ms = timeout_ms;
	return p;
}

static struct probe
tp_dnsq(const char *name, const char *type, int timeout_ms)
{
	struct probe	 p;

	memset(&p, 0, sizeof(p));
	p.kind = PROBE_DNS;
	p.hostname = name;
	p.record_type = type;
	p.timeout_ms = timeout_ms;
	return p;
}

static void
tp_clear(struct probe *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		probe_clear(&p[i]);
}

static int
tp_has_answer(const struct probe *p, const char *want)
{
	size_t	 i;

	for (i = 0; i < p->nanswers; i++)
		if (strcmp(p->answers[i], want) == 0)
			return 1;
	return 0;
}

/* A TCP port with nothing listening on 127.0.0.1. */
static int
tp_closed_port(void)
{
	int	 fd, port = 0;

	if ((fd = tp_socket("127.0.0.1", SOCK_STREAM, &port)) == -1)
		return 1;
	close(fd);
	return port;
}

/*
 * The tests.
 */

static void
test_certtime(void)
{
	long long	 t = -1;

	CHECK_INT(probe_parse_certtime("Mar  1 12:00:00 2027 GMT", &t), 0);
	CHECK_INT(t, 1803902400LL);
	CHECK_INT(probe_parse_certtime(" Mar  1 12:00:00 2027 GMT", &t), 0);
	CHECK_INT(t, 1803902400LL);
	CHECK_INT(probe_parse_certtime("2027-03-01 12:00:00 GMT", &t), 0);
	CHECK_INT(t, 1803902400LL);
	CHECK_INT(probe_parse_certtime("Feb 29 23:59:59 2000 GMT", &t), 0);
	CHECK_INT(t, 951868799LL);
	CHECK_INT(probe_parse_certtime("Jan 19 03:14:08 2038 GMT", &t), 0);
	CHECK_INT(t, 2147483648LL);
	CHECK_INT(probe_parse_certtime("Jan  1 00:00:00 1970 GMT", &t), 0);
	CHECK_INT(t, 0);
	/* Negative cases. */
	CHECK_INT(probe_parse_certtime("Foo  1 12:00:00 2027 GMT", &t), -1);
	CHECK_INT(probe_parse_certtime("Mar  1 12:00:00 2027", &t), -1);
	CHECK_INT(probe_parse_certtime("Mar 41 12:00:00 2027 GMT", &t), -1);
	CHECK_INT(probe_parse_certtime("", &t), -1);
	CHECK_INT(probe_parse_certtime(NULL, &t), -1);
}

static void
test_http_ok(void)
{
	struct probe		 p[4];
	struct probe_opts	 o = tp_opts(1);

	p[0] = tp_http(tp_url(&tp_a, "/ok"), 5000);
	p[1] = tp_http(tp_url(&tp_a, "/500"), 5000);
	p[2] = tp_http(tp_url(&tp_a, "/keyword"), 5000);
	p[3] = tp_http(tp_url(&tp_a, "/nope"), 5000);
	CHECK_INT(probe_run(p, 4, &o), 0);

	CHECK_INT(p[0].failed, 0);
	CHECK_STR(p[0].error_code, "");
	CHECK_INT(p[0].status_code, 200);
	CHECK_INT(p[0].bodylen, 12);
	CHECK_STR(p[0].body, "hello world\n");
	CHECK_INT(p[0].body_truncated, 0);
	CHECK(p[0].total_ms >= 0 && p[0].total_ms < 5000);
	CHECK(p[0].dns_ms >= 0 && p[0].connect_ms >= 0);
	CHECK_INT(p[0].tls_ms, 0);
	CHECK_INT(p[0].ssl_expires_at, 0);

	/* A 500 is an answer, not a transport failure. */
	CHECK_INT(p[1].failed, 0);
	CHECK_INT(p[1].status_code, 500);
	CHECK_STR(p[1].body, "internal error\n");

	CHECK_INT(p[2].failed, 0);
	CHECK_INT(p[2].status_code, 200);
	CHECK(p[2].body != NULL &&
	    strstr(p[2].body, "ALL SYSTEMS OPERATIONAL") != NULL);

	CHECK_INT(p[3].failed, 0);
	CHECK_INT(p[3].status_code, 404);
	tp_clear(p, 4);
}

/* Method, headers and body reach the server; our defaults are there. */
static void
test_http_request(void)
{
	static const char *const hdrs[] = {
		"X-Test: yes", "Content-Type: text/plain", NULL
	};
	struct probe		 p[4];
	struct probe_opts	 o = tp_opts(1);

	p[3] = tp_http(tp_url(&tp_a, "/echo"), 5000);
	p[3].method = "DELETE";
	p[0] = tp_http(tp_url(&tp_a, "/echo"), 5000);
	p[0].method = "PUT";
	p[0].headers = hdrs;
	p[0].req_body = "payload-123";
	p[0].req_bodylen = 11;
	p[1] = tp_http(tp_url(&tp_a, "/echo"), 5000);
	p[1].method = "POST";
	p[1].req_body = "a=1";
	p[1].req_bodylen = 3;
	p[2] = tp_http(tp_url(&tp_a, "/ok"), 5000);
	p[2].method = "HEAD";
	CHECK_INT(probe_run(p, 4, &o), 0);

	CHECK_INT(p[0].failed, 0);
	CHECK_INT(p[0].status_code, 200);
	CHECK(p[0].body != NULL);
	if (p[0].body != NULL) {
		CHECK(strncmp(p[0].body, "PUT /echo HTTP/1.1\r\n", 20) == 0);
		CHECK(strstr(p[0].body, "\r\nX-Test: yes\r\n") != NULL);
		CHECK(strstr(p[0].body, "\r\nUser-Agent: uptime-checker/1\r\n")
		    != NULL);
		CHECK(strstr(p[0].body, "\r\nAccept-Encoding: identity\r\n")
		    != NULL);
		CHECK(strstr(p[0].body, "\r\nContent-Length: 11\r\n") != NULL);
		CHECK(strstr(p[0].body, "\r\n\r\npayload-123") != NULL);
		CHECK(strstr(p[0].body, "Expect:") == NULL);
	}
	CHECK_INT(p[1].failed, 0);
	CHECK(p[1].body != NULL &&
	    strncmp(p[1].body, "POST /echo ", 11) == 0 &&
	    strstr(p[1].body, "\r\n\r\na=1") != NULL);
	CHECK_INT(p[2].failed, 0);
	CHECK_INT(p[2].status_code, 200);
	CHECK_INT(p[2].bodylen, 0);
	/* No body given: none sent. */
	CHECK_INT(p[3].failed, 0);
	CHECK(p[3].body != NULL &&
	    strncmp(p[3].body, "DELETE /echo ", 13) == 0 &&
	    strstr(p[3].body, "Content-Length") == NULL &&
	    strstr(p[3].body, "Content-Type") == NULL);
	tp_clear(p, 4);
}

/* Negative: inputs refused before any connection is made. */
static void
test_http_invalid(void)
{
	static const char *const crlf[] = { "X-A: 1\r\nX-B: 2", NULL };
	static const char *const lf[] = { "X-A: 1\nHost: evil", NULL };
	static const char *const noname[] = { ": value", NULL };
	static const char *const ctl[] = { "X-A: a\x01b", NULL };
	struct probe		 p[8];
	struct probe_opts	 o = tp_opts(1);
	int			 before = tp_accepts(&tp_a);
	size_t			 i;

	for (i = 0; i < 8; i++)
		p[i] = tp_http(tp_url(&tp_a, "/ok"), 5000);
	p[0].headers = crlf;
	p[1].headers = lf;
	p[2].headers = noname;
	p[3].url = "ftp://127.0.0.1/";
	p[4].url = "http://user:pw@127.0.0.1/";
	p[5].method = "TRACE";
	p[6].timeout_ms = -5;
	p[7].headers = ctl;
	CHECK_INT(probe_run(p, 8, &o), 0);
	for (i = 0; i < 8; i++) {
		CHECK_INT(p[i].failed, 1);
		CHECK_STR(p[i].error_code, "invalid_request");
		CHECK(p[i].error_message[0] != '\0');
	}
	CHECK(strstr(p[0].error_message, "CR or LF") != NULL);
	CHECK_INT(tp_accepts(&tp_a), before);
	tp_clear(p, 8);
}

static void
test_http_redirects(void)
{
	struct probe		 p[3];
	struct probe_opts	 o = tp_opts(1);
	int			 before;

	before = tp_accepts(&tp_a);
	p[0] = tp_http(tp_url(&tp_a, "/redir/3"), 5000);
	CHECK_INT(probe_run(p, 1, &o), 0);
	CHECK_INT(p[0].failed, 0);
	CHECK_INT(p[0].status_code, 200);
	CHECK_STR(p[0].body, "final\n");
	CHECK_INT(tp_accepts(&tp_a) - before, 4);
	tp_clear(p, 1);

	/* Not followed: the 302 itself is the answer. */
	p[0] = tp_http(tp_url(&tp_a, "/redir/3"), 5000);
	p[0].follow_redirects = 0;
	/* A loop ends after PROBE_MAXREDIRS redirects. */
	p[1] = tp_http(tp_url(&tp_a, "/loop"), 5000);
	/* A redirect to another scheme is not followed anywhere. */
	p[2] = tp_http(tp_url(&tp_a, "/to-ftp"), 5000);
	before = tp_accepts(&tp_a);
	CHECK_INT(probe_run(p, 3, &o), 0);
	CHECK_INT(p[0].failed, 0);
	CHECK_INT(p[0].status_code, 302);
	CHECK_INT(p[1].failed, 1);
	CHECK_STR(p[1].error_code, "too_many_redirects");
	CHECK_INT(p[2].failed, 1);
	CHECK_STR(p[2].error_code, "http_error");
	/* 1 + 11 (initial and ten redirects) + 1 */
	CHECK_INT(tp_accepts(&tp_a) - before, 1 + 1 + PROBE_MAXREDIRS + 1);
	tp_clear(p, 3);
}

static void
test_http_timeout(void)
{
	struct probe		 p[1];
	struct probe_opts	 o = tp_opts(1);
	long long		 t0 = tp_now(), el;

	p[0] = tp_http(tp_url(&tp_a, "/hang"), 700);
	CHECK_INT(probe_run(p, 1, &o), 0);
	el = tp_now() - t0;
	CHECK_INT(p[0].failed, 1);
	CHECK_STR(p[0].error_code, "timeout");
	CHECK(el >= 650 && el < 3000);
	tp_clear(p, 1);
}

/* Bodies are capped at PROBE_MAXBODY and the transfer stops there. */
static void
test_http_body_cap(void)
{
	struct probe		 p[2];
	struct probe_opts	 o = tp_opts(1);
	long long		 t0 = tp_now();
	size_t			 i, bad;

	p[0] = tp_http(tp_url(&tp_a, "/endless"), 20000);
	p[1] = tp_http(tp_url(&tp_a, "/endless-chunked"), 20000);
	CHECK_INT(probe_run(p, 2, &o), 0);
	CHECK(tp_now() - t0 < 10000);
	for (i = 0; i < 2; i++) {
		CHECK_INT(p[i].failed, 0);
		CHECK_STR(p[i].error_code, "");
		CHECK_INT(p[i].status_code, 200);
		CHECK_INT(p[i].bodylen, PROBE_MAXBODY);
		CHECK_INT(p[i].body_truncated, 1);
		CHECK(p[i].body != NULL);
		if (p[i].body == NULL)
			continue;
		CHECK_INT(p[i].body[PROBE_MAXBODY], '\0');
		for (bad = 0; bad < PROBE_MAXBODY; bad++)
			if (p[i].body[bad] != 'x')
				break;
		CHECK_INT(bad, PROBE_MAXBODY);
	}
	tp_clear(p, 2);
}

/* At most concurrency transfers at once, and a new one starts as soon
   as a slot is free: a hanging target holds only its own slot. */
static void
test_http_concurrency(void)
{
	struct probe		 p[7];
	struct probe_opts	 o = tp_opts(1);
	long long		 t0, el, last;
	size_t			 i;

	pthread_mutex_lock(&tp_a.mu);
	tp_a.maxinflight = 0;
	pthread_mutex_unlock(&tp_a.mu);

	o.concurrency = 2;
	for (i = 0; i < 6; i++)
		p[i] = tp_http(tp_url(&tp_a, "/slow"), 5000);
	t0 = tp_now();
	CHECK_INT(probe_run(p, 6, &o), 0);
	el = tp_now() - t0;
	for (i = 0; i < 6; i++)
		CHECK_INT(p[i].status_code, 200);
	/* 3 rounds of TP_SLOW_MS; the server saw exactly 2 at once. */
	CHECK(el >= 3 * TP_SLOW_MS - 50);
	CHECK(el < 3000);
	CHECK_INT(tp_a.maxinflight, 2);
	/* The wait for the first byte is measured. */
	CHECK(p[0].first_byte_ms >= TP_SLOW_MS - 50);
	tp_clear(p, 6);

	/* One slot hangs for 2 s; four /slow go through the other. */
	p[0] = tp_http(tp_url(&tp_a, "/hang"), 2000);
	for (i = 1; i < 5; i++)
		p[i] = tp_http(tp_url(&tp_a, "/slow"), 5000);
	t0 = tp_now();
	CHECK_INT(probe_run(p, 5, &o), 0);
	pthread_mutex_lock(&tp_a.mu);
	last = tp_a.last_slow - t0;
	pthread_mutex_unlock(&tp_a.mu);
	CHECK_STR(p[0].error_code, "timeout");
	for (i = 1; i < 5; i++)
		CHECK_INT(p[i].status_code, 200);
	/* The 4th /slow started at about 3 * TP_SLOW_MS, long before 2 s. */
	CHECK(last < 1600);
	tp_clear(p, 5);
}

static void
test_tcp(void)
{
	struct probe		 p[6];
	struct probe_opts	 o = tp_opts(1);
	int			 before = tp_accepts(&tp_a);

	p[0] = tp_tcp("127.0.0.1", tp_a.port, 3000);
	p[1] = tp_tcp("127.0.0.1", tp_closed_port(), 3000);
	p[2] = tp_tcp("localhost", tp_a.port, 3000);
	/* Resolves (fake DNS) to ::1 and 127.0.0.1; only 127.0.0.1
	   listens, so whichever comes first, the probe connects. */
	p[3] = tp_tcp("loop." TP_DNS_NAME, tp_a.port, 3000);
	p[4] = tp_tcp("nxdomain." TP_DNS_NAME, tp_a.port, 3000);
	p[5] = tp_tcp("127.0.0.1", 0, 3000);
	CHECK_INT(probe_run(p, 6, &o), 0);

	CHECK_INT(p[0].failed, 0);
	CHECK(p[0].connect_ms >= 0 && p[0].total_ms >= p[0].connect_ms);
	CHECK_INT(p[1].failed, 1);
	CHECK_STR(p[1].error_code, "connect_failed");
	CHECK(strstr(p[1].error_message, "refused") != NULL);
	CHECK_INT(p[2].failed, 0);
	CHECK_INT(p[3].failed, 0);
	CHECK_STR(p[3].error_message, "");
	CHECK_INT(p[4].failed, 1);
	CHECK_STR(p[4].error_code, "dns_failed");
	CHECK_INT(p[5].failed, 1);
	CHECK_STR(p[5].error_code, "invalid_request");
	/* Give the server's accept loop a moment to count. */
	tp_sleep_ms(100);
	CHECK_INT(tp_accepts(&tp_a) - before, 3);
	tp_clear(p, 6);
}

static void
test_dns(void)
{
	struct probe		 p[10];
	struct probe_opts	 o = tp_opts(0);

	p[0] = tp_dnsq(TP_DNS_NAME, "A", 3000);
	p[1] = tp_dnsq(TP_DNS_NAME, "AAAA", 3000);
	p[2] = tp_dnsq(TP_DNS_NAME, "MX", 3000);
	p[3] = tp_dnsq(TP_DNS_NAME, "TXT", 3000);
	p[4] = tp_dnsq(TP_DNS_NAME, "NS", 3000);
	p[5] = tp_dnsq("www." TP_DNS_NAME, "CNAME", 3000);
	p[6] = tp_dnsq("nope." TP_DNS_NAME, "A", 3000);
	p[7] = tp_dnsq(TP_DNS_NAME, "CNAME", 3000);
	p[8] = tp_dnsq("slow." TP_DNS_NAME, "A", 600);
	p[9] = tp_dnsq(TP_DNS_NAME, "SRV", 3000);
	CHECK_INT(probe_run(p, 10, &o), 0);

	CHECK_INT(p[0].failed, 0);
	CHECK_INT(p[0].nanswers, 2);
	CHECK(tp_has_answer(&p[0], "192.0.2.10"));
	CHECK(tp_has_answer(&p[0], "192.0.2.11"));
	CHECK(p[0].total_ms >= 0 && p[0].dns_ms == p[0].total_ms);
	CHECK_INT(p[1].failed, 0);
	CHECK_INT(p[1].nanswers, 1);
	CHECK(tp_has_answer(&p[1], "2001:db8::10"));
	CHECK_INT(p[2].failed, 0);
	CHECK_INT(p[2].nanswers, 2);
	CHECK(tp_has_answer(&p[2], "10 mail.probe.test"));
	CHECK(tp_has_answer(&p[2], "20 mx2.probe.test"));
	CHECK_INT(p[3].failed, 0);
	CHECK_INT(p[3].nanswers, 2);
	CHECK(tp_has_answer(&p[3], "v=spf1 -all"));
	CHECK(tp_has_answer(&p[3], "hello"));
	CHECK_INT(p[4].failed, 0);
	CHECK_INT(p[4].nanswers, 1);
	CHECK(tp_has_answer(&p[4], "ns1.probe.test"));
	CHECK_INT(p[5].failed, 0);
	CHECK_INT(p[5].nanswers, 1);
	CHECK(tp_has_answer(&p[5], "probe.test"));

	CHECK_INT(p[6].failed, 1);
	CHECK_STR(p[6].error_code, "dns_failed");
	CHECK(strstr(p[6].error_message, "NXDOMAIN") != NULL);
	CHECK_INT(p[6].nanswers, 0);
	CHECK_INT(p[7].failed, 1);
	CHECK_STR(p[7].error_code, "dns_failed");
	CHECK_STR(p[7].error_message, "no CNAME record");
	CHECK_INT(p[8].failed, 1);
	CHECK_STR(p[8].error_code, "timeout");
	CHECK(p[8].total_ms >= 550 && p[8].total_ms < 2000);
	CHECK_INT(p[9].failed, 1);
	CHECK_STR(p[9].error_code, "invalid_request");
	tp_clear(p, 10);
}

/* Negative: a DNS server that is not there. */
static void
test_dns_no_server(void)
{
	struct probe		 p[1];
	struct probe_opts	 o = tp_opts(0);
	char			 srv[64];
	int			 fd, port;

	/* A UDP port that was just free. */
	if ((fd = tp_socket("127.0.0.1", SOCK_DGRAM, &port)) == -1) {
		CHECK(0);
		return;
	}
	close(fd);
	snprintf(srv, sizeof(srv), "127.0.0.1:%d", port);
	o.dns_servers = srv;
	p[0] = tp_dnsq(TP_DNS_NAME, "A", 1500);
	CHECK_INT(probe_run(p, 1, &o), 0);
	CHECK_INT(p[0].failed, 1);
	CHECK(strcmp(p[0].error_code, "dns_failed") == 0 ||
	    strcmp(p[0].error_code, "timeout") == 0);
	tp_clear(p, 1);

	/* Negative: an unparsable server list fails the set-up. */
	o.dns_servers = "not a server list";
	p[0] = tp_dnsq(TP_DNS_NAME, "A", 1500);
	CHECK_INT(probe_run(p, 1, &o), -1);
	CHECK_INT(p[0].failed, 1);
	CHECK_STR(p[0].error_code, "internal");
	tp_clear(p, 1);
}

/* All three kinds wait at the same time, not one after the other. */
static void
test_mixed_concurrent(void)
{
	struct probe		 p[6];
	struct probe_opts	 o = tp_opts(1);
	long long		 t0, el;

	p[0] = tp_http(tp_url(&tp_a, "/hang"), 1000);
	p[1] = tp_dnsq("slow." TP_DNS_NAME, "A", 1000);
	p[2] = tp_tcp("slow." TP_DNS_NAME, 80, 1000);
	p[3] = tp_http(tp_url(&tp_a, "/ok"), 3000);
	p[4] = tp_dnsq(TP_DNS_NAME, "MX", 3000);
	p[5] = tp_tcp("127.0.0.1", tp_a.port, 3000);
	t0 = tp_now();
	CHECK_INT(probe_run(p, 6, &o), 0);
	el = tp_now() - t0;
	CHECK(el >= 950 && el < 2500);
	CHECK_STR(p[0].error_code, "timeout");
	CHECK_STR(p[1].error_code, "timeout");
	CHECK_STR(p[2].error_code, "timeout");
	CHECK(strstr(p[2].error_message, "resolve") != NULL);
	CHECK_INT(p[3].failed, 0);
	CHECK_INT(p[3].status_code, 200);
	CHECK_INT(p[4].failed, 0);
	CHECK_INT(p[4].nanswers, 2);
	CHECK_INT(p[5].failed, 0);
	tp_clear(p, 6);
}

/*
 * Target safety without allow_private: loopback by IP, by "localhost"
 * and by a DNS name is refused, and the server sees no connection.
 */
static void
test_refused(void)
{
	char			 url[6][128];
	struct probe		 p[13];
	struct probe_opts	 o = tp_opts(0);
	int			 before = tp_accepts(&tp_a);
	size_t			 i;

	snprintf(url[0], sizeof(url[0]), "http://localhost:%d/ok", tp_a.port);
	/* Other spellings of 127.0.0.1 end at the same address check. */
	snprintf(url[1], sizeof(url[1]), "http://2130706433:%d/ok",
	    tp_a.port);
	snprintf(url[2], sizeof(url[2]), "http://0x7f000001:%d/ok",
	    tp_a.port);
	snprintf(url[3], sizeof(url[3]), "http://127.1:%d/ok", tp_a.port);
	snprintf(url[4], sizeof(url[4]), "http://[::ffff:127.0.0.1]:%d/ok",
	    tp_a.port);
	snprintf(url[5], sizeof(url[5]), "http://[::1]:%d/ok", tp_a.port);
	p[0] = tp_http(tp_url(&tp_a, "/ok"), 3000);
	p[1] = tp_http(url[0], 3000);
	p[2] = tp_tcp("127.0.0.1", tp_a.port, 3000);
	p[3] = tp_tcp("localhost", tp_a.port, 3000);
	p[4] = tp_tcp("loop." TP_DNS_NAME, tp_a.port, 3000);
	p[5] = tp_http(tp_url(&tp_a, "/redir/1"), 3000);
	p[6] = tp_http(url[1], 3000);
	p[7] = tp_http(url[2], 3000);
	p[8] = tp_http(url[3], 3000);
	p[9] = tp_http(url[4], 3000);
	p[10] = tp_http(url[5], 3000);
	p[11] = tp_tcp("::ffff:127.0.0.1", tp_a.port, 3000);
	p[12] = tp_tcp("::1", tp_a.port, 3000);
	CHECK_INT(probe_run(p, 13, &o), 0);
	/*
	 * The message names the setting that would allow the target, and
	 * never the address: it would tell what an internal name resolves
	 * to.
	 */
	for (i = 0; i < 13; i++) {
		CHECK_INT(p[i].failed, 1);
		CHECK_STR(p[i].error_code, "target_refused");
		CHECK_STR(p[i].error_message, "connection refused: the target "
		    "resolves to an address that is not public; this server "
		    "does not reach private addresses "
		    "(UPTIME_ALLOW_PRIVATE_TARGETS)");
		CHECK_INT(p[i].status_code, 0);
	}
	tp_sleep_ms(100);
	CHECK_INT(tp_accepts(&tp_a), before);
	tp_clear(p, 13);
}

/*
 * Negative: the unspecified address reaches the local host on Linux;
 * it stays refused even with allow_private.
 */
static void
test_refused_unspecified(void)
{
	char			 url[2][128];
	struct probe		 p[4];
	struct probe_opts	 o = tp_opts(1);
	int			 before = tp_accepts(&tp_a);
	size_t			 i;

	snprintf(url[0], sizeof(url[0]), "http://0.0.0.0:%d/ok", tp_a.port);
	snprintf(url[1], sizeof(url[1]), "http://[::]:%d/ok", tp_a.port);
	p[0] = tp_http(url[0], 3000);
	p[1] = tp_http(url[1], 3000);
	p[2] = tp_tcp("0.0.0.0", tp_a.port, 3000);
	p[3] = tp_tcp("::", tp_a.port, 3000);
	CHECK_INT(probe_run(p, 4, &o), 0);
	/* No setting allows these: the message names none. */
	for (i = 0; i < 4; i++) {
		CHECK_INT(p[i].failed, 1);
		CHECK_STR(p[i].error_code, "target_refused");
		CHECK_STR(p[i].error_message, "connection refused: the target "
		    "resolves to an address that is never reached "
		    "(unspecified, broadcast, multicast or a cloud metadata "
		    "service)");
	}
	tp_sleep_ms(100);
	CHECK_INT(tp_accepts(&tp_a), before);
	tp_clear(p, 4);
}

/* Refuse 127.0.0.2 only, to stand for "a private address". */
static int
tp_not_b(const struct sockaddr *sa, void *arg)
{
	const struct sockaddr_in	*sin = (const void *)sa;

	(void)arg;
	return !(sa->sa_family == AF_INET &&
	    ntohl(sin->sin_addr.s_addr) == 0x7f000002u);
}

/*
 * A redirect is checked like the first connection: an allowed server
 * redirects to a refused address, which sees no connection.
 */
static void
test_refused_redirect(void)
{
	char			 path[64];
	struct probe		 p[1];
	struct probe_opts	 o = tp_opts(1);
	int			 a0, b0;

	snprintf(path, sizeof(path), "/to/%s:%d/ok", tp_b.ip, tp_b.port);

	/* Control: without the filter the redirect is followed. */
	a0 = tp_accepts(&tp_a);
	b0 = tp_accepts(&tp_b);
	p[0] = tp_http(tp_url(&tp_a, path), 3000);
	CHECK_INT(probe_run(p, 1, &o), 0);
	CHECK_INT(p[0].failed, 0);
	CHECK_STR(p[0].body, "hello world\n");
	CHECK_INT(tp_accepts(&tp_a) - a0, 1);
	CHECK_INT(tp_accepts(&tp_b) - b0, 1);
	tp_clear(p, 1);

	o.addr_check = tp_not_b;
	a0 = tp_accepts(&tp_a);
	b0 = tp_accepts(&tp_b);
	p[0] = tp_http(tp_url(&tp_a, path), 3000);
	CHECK_INT(probe_run(p, 1, &o), 0);
	CHECK_INT(p[0].failed, 1);
	CHECK_STR(p[0].error_code, "target_refused");
	CHECK(strstr(p[0].error_message, "127.0.0.2") == NULL);
	tp_sleep_ms(100);
	CHECK_INT(tp_accepts(&tp_a) - a0, 1);
	CHECK_INT(tp_accepts(&tp_b) - b0, 0);
	tp_clear(p, 1);

	/* The filter only narrows: it cannot allow what policy refuses. */
	o.allow_private = 0;
	p[0] = tp_http(tp_url(&tp_a, "/ok"), 3000);
	CHECK_INT(probe_run(p, 1, &o), 0);
	CHECK_STR(p[0].error_code, "target_refused");
	tp_clear(p, 1);
}

/*
 * TLS: openssl s_server with a self-signed certificate made here.
 */

struct tp_tls {
	char		 dir[64];
	char		 cert[96];
	char		 key[96];
	pid_t		 pid;
	int		 out;		/* s_server's stdout */
	int		 port;
};

static int
tp_tls_start(struct tp_tls *t)
{
	char		 cmd[512], buf[256];
	size_t		 have = 0;
	ssize_t		 r;
	int		 pfd[2], devnull;
	long long	 end;
	char		*acc;

	memset(t, 0, sizeof(*t));
	t->out = -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_probe.XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	snprintf(t->cert, sizeof(t->cert), "%s/cert.pem", t->dir);
	snprintf(t->key, sizeof(t->key), "%s/key.pem", t->dir);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey ec "
	    "-pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 "
	    "-keyout %s -out %s -subj '/CN=localhost/O=Uptime Probe Test' "
	    "-addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' "
	    ">/dev/null 2>&1", t->key, t->cert);
	if (system(cmd) != 0)
		return -1;

	if (tp_pipe(pfd) == -1)
		return -1;
	if ((t->pid = fork()) == -1)
		return -1;
	if (t->pid == 0) {
		/* Die with the test, whatever happens to it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		devnull = open("/dev/null", O_RDWR);
		dup2(pfd[1], STDOUT_FILENO);
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDERR_FILENO);
		execlp("openssl", "openssl", "s_server", "-accept",
		    "127.0.0.1:0", "-cert", t->cert, "-key", t->key, "-www",
		    (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	t->out = pfd[0];

	/* "ACCEPT 127.0.0.1:PORT" says it listens, and where. */
	end = tp_now() + 10000;
	while (tp_now() < end && have + 1 < sizeof(buf)) {
		struct pollfd	 p = { .fd = t->out, .events = POLLIN };

		if (poll(&p, 1, 200) <= 0)
			continue;
		if ((r = read(t->out, buf + have, sizeof(buf) - have - 1)) <= 0)
			break;
		have += (size_t)r;
		buf[have] = '\0';
		if ((acc = strstr(buf, "ACCEPT 127.0.0.1:")) != NULL &&
		    strchr(acc, '\n') != NULL) {
			t->port = atoi(acc + 17);
			return t->port > 0 ? 0 : -1;
		}
	}
	return -1;
}

static void
tp_tls_stop(struct tp_tls *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGTERM);
		waitpid(t->pid, NULL, 0);
	}
	if (t->out != -1)
		close(t->out);
	unlink(t->cert);
	unlink(t->key);
	rmdir(t->dir);
}

static void
test_https(void)
{
	struct tp_tls		 t;
	struct probe		 p[3];
	struct probe_opts	 o = tp_opts(1);
	char			 url[128];
	long long		 want, now = (long long)time(NULL);

	if (tp_tls_start(&t) == -1) {
		fprintf(stderr, "could not start openssl s_server\n");
		CHECK(0);
		tp_tls_stop(&t);
		return;
	}
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/", t.port);

	/* Not verified: works, and the certificate is still read. */
	p[0] = tp_http(url, 5000);
	p[0].verify_tls = 0;
	/* Verified against the system CAs: a self-signed one fails. */
	p[1] = tp_http(url, 5000);
	CHECK_INT(probe_run(p, 2, &o), 0);

	CHECK_INT(p[0].failed, 0);
	CHECK_INT(p[0].status_code, 200);
	CHECK(p[0].tls_ms >= 0);
	want = now + 30 * 86400LL;
	CHECK(p[0].ssl_expires_at > want - 86400 &&
	    p[0].ssl_expires_at < want + 86400);
	CHECK(strstr(p[0].ssl_issuer, "Uptime Probe Test") != NULL);
	CHECK(strstr(p[0].ssl_issuer, "localhost") != NULL);

	CHECK_INT(p[1].failed, 1);
	CHECK_STR(p[1].error_code, "tls_failed");
	CHECK(p[1].error_message[0] != '\0');
	tp_clear(p, 2);

	/* Verified against the test certificate itself: works. */
	o.ca_file = t.cert;
	p[0] = tp_http(url, 5000);
	/* The name in the certificate must match too. */
	snprintf(url, sizeof(url), "https://localhost:%d/", t.port);
	p[1] = tp_http(url, 5000);
	CHECK_INT(probe_run(p, 2, &o), 0);
	CHECK_INT(p[0].failed, 0);
	CHECK_INT(p[0].status_code, 200);
	CHECK(p[0].ssl_expires_at > now);
	CHECK_INT(p[1].failed, 0);
	tp_clear(p, 2);

	/* Negative: policy applies to HTTPS as well. */
	o.allow_private = 0;
	p[0] = tp_http(url, 5000);
	CHECK_INT(probe_run(p, 1, &o), 0);
	CHECK_STR(p[0].error_code, "target_refused");
	tp_clear(p, 1);

	tp_tls_stop(&t);
}

/* Negative: bad options; and the edge cases of the call itself. */
static void
test_run_edges(void)
{
	struct probe		 p[2];
	struct probe_opts	 o = tp_opts(1);
	int			 i;

	CHECK_INT(probe_run(NULL, 0, &o), 0);

	p[0] = tp_http(tp_url(&tp_a, "/ok"), 3000);
	CHECK_INT(probe_run(p, 1, NULL), -1);
	CHECK_INT(p[0].failed, 1);
	CHECK_STR(p[0].error_code, "internal");
	o.concurrency = 0;
	CHECK_INT(probe_run(p, 1, &o), -1);
	o.concurrency = PROBE_MAXCONCURRENCY + 1;
	CHECK_INT(probe_run(p, 1, &o), -1);
	CHECK_INT(p[0].failed, 1);

	/* A probe can be run again: old outputs are released first. */
	o.concurrency = 1;
	for (i = 0; i < 3; i++) {
		CHECK_INT(probe_run(p, 1, &o), 0);
		CHECK_INT(p[0].failed, 0);
		CHECK_STR(p[0].body, "hello world\n");
	}
	tp_clear(p, 1);

	/* Unknown kind. */
	memset(&p[1], 0, sizeof(p[1]));
	p[1].kind = PROBE__MAX;
	CHECK_INT(probe_run(&p[1], 1, &o), 0);
	CHECK_STR(p[1].error_code, "invalid_request");
	probe_clear(&p[1]);
	probe_clear(NULL);
}

struct tp_seen {
	struct probe	*order[8];
	size_t		 n;
};

static void
tp_seen_done(struct probe *p, void *arg)
{
	struct tp_seen	*s = arg;

	if (s->n < 8)
		s->order[s->n++] = p;
}

/*
 * A loop kept open: probes started one by one as slots free, each
 * passed to done() as it ends; a hanging one holds its own slot only;
 * closing with probes in flight calls no done() and leaks nothing.
 */
static void
test_loop(void)
{
	struct probe		 p[4];
	struct probe_opts	 o = tp_opts(1);
	struct probe_loop	*l;
	struct tp_seen		 seen;
	long long		 t0;

	memset(&seen, 0, sizeof(seen));
	o.concurrency = 2;
	o.done = tp_seen_done;
	o.done_arg = &seen;
	CHECK((l = probe_loop_new(&o)) != NULL);
	if (l == NULL)
		return;
	CHECK_INT((int)probe_loop_free_slots(l), 2);
	p[0] = tp_http(tp_url(&tp_a, "/hang"), 5000);
	p[1] = tp_http(tp_url(&tp_a, "/ok"), 3000);
	p[2] = tp_tcp("127.0.0.1", tp_a.port, 3000);
	p[3] = tp_http(tp_url(&tp_a, "/ok"), 3000);
	p[3].discard_body = 1;
	CHECK_INT(probe_loop_start(l, &p[0]), 0);
	CHECK_INT(probe_loop_start(l, &p[1]), 0);
	/* Both slots taken: the third waits for one. */
	CHECK_INT(probe_loop_start(l, &p[2]), -1);
	CHECK_INT((int)probe_loop_active(l), 2);
	t0 = tp_now();
	while (seen.n < 1 && tp_now() - t0 < 3000)
		CHECK_INT(probe_loop_wait(l, 100), 0);
	CHECK_INT((int)seen.n, 1);
	CHECK(seen.order[0] == &p[1]);
	CHECK_INT(p[1].status_code, 200);
	CHECK_INT(probe_loop_start(l, &p[2]), 0);
	while (seen.n < 2 && tp_now() - t0 < 3000)
		CHECK_INT(probe_loop_wait(l, 100), 0);
	CHECK(seen.n == 2 && seen.order[1] == &p[2]);
	CHECK_INT(p[2].failed, 0);
	CHECK_INT(probe_loop_start(l, &p[3]), 0);
	while (seen.n < 3 && tp_now() - t0 < 3000)
		CHECK_INT(probe_loop_wait(l, 100), 0);
	CHECK(seen.n == 3 && seen.order[2] == &p[3]);
	/* Read but not kept. */
	CHECK_INT(p[3].status_code, 200);
	CHECK(p[3].body == NULL);
	CHECK_INT((int)p[3].bodylen, 12);
	/* All of that while /hang held its slot, well before its 5 s. */
	CHECK(tp_now() - t0 < 2000);
	CHECK_INT((int)probe_loop_active(l), 1);
	probe_loop_close(l);
	CHECK_INT((int)seen.n, 3);
	CHECK_INT(p[0].failed, 1);
	CHECK_STR(p[0].error_code, "internal");
	tp_clear(p, 4);

	/* Negative: bad options make no loop. */
	o.concurrency = 0;
	CHECK(probe_loop_new(&o) == NULL);
	o.concurrency = PROBE_MAXCONCURRENCY + 1;
	CHECK(probe_loop_new(&o) == NULL);
	o.concurrency = 1;
	o.dns_servers = "not a server list";
	CHECK(probe_loop_new(&o) == NULL);
	CHECK(probe_loop_new(NULL) == NULL);
	CHECK_INT(probe_loop_start(NULL, &p[0]), -1);
	CHECK_INT(probe_loop_wait(NULL, 0), -1);
	probe_loop_close(NULL);
}

static int
tp_count_fds(void)
{
	char	 path[64];
	int	 fd, n = 0;

	for (fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (access(path, F_OK) == 0)
			n++;
	}
	return n;
}

/* A run of every kind leaves no descriptor open behind it. */
static void
test_no_fd_leak(void)
{
	struct probe		 p[6];
	struct probe_opts	 o = tp_opts(1);
	int			 before, after;

	tp_sleep_ms(200);
	before = tp_count_fds();
	p[0] = tp_http(tp_url(&tp_a, "/ok"), 3000);
	p[1] = tp_http(tp_url(&tp_a, "/hang"), 300);
	p[2] = tp_tcp("127.0.0.1", tp_a.port, 3000);
	p[3] = tp_tcp("slow." TP_DNS_NAME, 80, 300);
	p[4] = tp_dnsq(TP_DNS_NAME, "TXT", 3000);
	p[5] = tp_dnsq("slow." TP_DNS_NAME, "A", 300);
	CHECK_INT(probe_run(p, 6, &o), 0);
	CHECK_INT(p[0].failed, 0);
	CHECK_STR(p[1].error_code, "timeout");
	CHECK_INT(p[2].failed, 0);
	CHECK_STR(p[3].error_code, "timeout");
	CHECK_INT(p[4].failed, 0);
	CHECK_STR(p[5].error_code, "timeout");
	tp_clear(p, 6);
	/* Let the server threads close their ends too. */
	tp_sleep_ms(200);
	after = tp_count_fds();
	CHECK_INT(after, before);
}

int
main(void)
{
	int	 rc;

	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "curl_global_init failed\n");
		return 1;
	}
	if (tp_http_start(&tp_a) == -1 || tp_http_start(&tp_b) == -1 ||
	    tp_dns_start(&tp_dns) == -1) {
		fprintf(stderr, "could not start the test servers\n");
		return 1;
	}

	UNIT_RUN(test_certtime);
	UNIT_RUN(test_http_ok);
	UNIT_RUN(test_http_request);
	UNIT_RUN(test_http_invalid);
	UNIT_RUN(test_http_redirects);
	UNIT_RUN(test_http_timeout);
	UNIT_RUN(test_http_body_cap);
	UNIT_RUN(test_http_concurrency);
	UNIT_RUN(test_tcp);
	UNIT_RUN(test_dns);
	UNIT_RUN(test_dns_no_server);
	UNIT_RUN(test_mixed_concurrent);
	UNIT_RUN(test_refused);
	UNIT_RUN(test_refused_unspecified);
	UNIT_RUN(test_refused_redirect);
	UNIT_RUN(test_https);
	UNIT_RUN(test_run_edges);
	UNIT_RUN(test_loop);
	UNIT_RUN(test_no_fd_leak);

	tp_dns_stop(&tp_dns);
	tp_http_stop(&tp_b);
	tp_http_stop(&tp_a);
	curl_global_cleanup();
	rc = unit_finish();
	return rc;
}
