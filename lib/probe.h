/*
 * The network probe engine: the transport part of HTTP(S), TCP and DNS
 * checks, many at once in one process, with the target safety policy of
 * target.h applied to every connection.
 *
 * It does not touch the database and does not decide up or down: the
 * caller judges status codes, content, latency and certificate expiry
 * from the outputs.  See docs/lib/probe.md.
 *
 * Use:
 *
 *	struct probe p[2] = {
 *		{ .kind = PROBE_HTTP, .url = "https://example.com/",
 *		  .follow_redirects = 1, .verify_tls = 1, .timeout_ms = 10000 },
 *		{ .kind = PROBE_DNS, .hostname = "example.com",
 *		  .record_type = "MX", .timeout_ms = 5000 },
 *	};
 *	struct probe_opts o = { .concurrency = 16 };
 *
 *	if (probe_run(p, 2, &o) == -1)
 *		...;
 *	...read p[i].failed, p[i].status_code, p[i].body...
 *	probe_clear(&p[0]);
 *	probe_clear(&p[1]);
 *
 * The caller should call curl_global_init() once at program start (as
 * libcurl asks of every program); probe_run() does not.  probe_run()
 * keeps no state between calls, but c-ares' library initialisation is
 * counted without a lock: do not run it from two threads at once.
 *
 * Target safety: HTTP checks every connection libcurl opens, redirects
 * included, in CURLOPT_OPENSOCKETFUNCTION, so a refused address gets no
 * socket at all; TCP checks every address the host resolves to before
 * connecting to any, and refuses the probe if one of them is refused.
 */
#ifndef PROBE_H
#define PROBE_H

#include <stddef.h>

#include <sys/socket.h>

/* At most this much of a response body is kept; reading stops there. */
#define PROBE_MAXBODY		(1024 * 1024)
/* Largest request body sent with an HTTP probe. */
#define PROBE_MAXREQBODY	(1024 * 1024)
/* Most request headers, and the longest one ("Name: value"). */
#define PROBE_MAXHEADERS	64
#define PROBE_MAXHEADERLEN	8192
/* Redirects followed when follow_redirects is set. */
#define PROBE_MAXREDIRS		10
/* Default (when timeout_ms is 0) and largest per-probe timeout. */
#define PROBE_DEFTIMEOUT_MS	10000
#define PROBE_MAXTIMEOUT_MS	120000
/* Longest host name for TCP and DNS probes. */
#define PROBE_MAXHOSTNAME	253
/* DNS: most answers kept, longest rendering of one answer (bytes). */
#define PROBE_MAXANSWERS	32
#define PROBE_MAXANSWERLEN	4096
/* Largest probe_opts.concurrency. */
#define PROBE_MAXCONCURRENCY	16384
/* Most probes in one probe_run() call. */
#define PROBE_MAXPROBES		100000

enum probe_kind {
	PROBE_HTTP,
	PROBE_TCP,
	PROBE_DNS,
	PROBE__MAX
};

/*
 * One check.  Zero the whole structure (e.g. with a designated
 * initialiser), then set the inputs of its kind.
 *
 * Inputs are borrowed: probe_run() reads them and never frees them; they
 * must stay valid until it returns.
 *
 * Outputs are owned by the probe.  probe_run() first releases any
 * outputs left from an earlier run (so a probe can be run again), then
 * fills them in; probe_clear() releases them.  Every probe gets its
 * outputs, whatever probe_run() returns.
 */
struct probe {
	/* Inputs, all kinds. */
	enum probe_kind	  kind;
	int		  timeout_ms;	/* whole probe, redirects included;
					   0: PROBE_DEFTIMEOUT_MS, else
					   1..PROBE_MAXTIMEOUT_MS */

	/* Inputs, PROBE_HTTP. */
	const char	 *url;		/* http or https, target_url_check() */
	const char	 *method;	/* GET HEAD POST PUT PATCH DELETE
					   OPTIONS; NULL: GET */
	const char *const *headers;	/* NULL-terminated "Name: value"
					   list or NULL, at most
					   PROBE_MAXHEADERS; CR, LF and other
					   control bytes but tab refused */
	const char	 *req_body;	/* request body or NULL */
	size_t		  req_bodylen;	/* its length, <= PROBE_MAXREQBODY */
	int		  follow_redirects; /* up to PROBE_MAXREDIRS */
	int		  verify_tls;	/* verify chain and host name */
	int		  discard_body;	/* read the body (its time counts)
					   but keep none of it: body stays
					   NULL, bodylen counts what was
					   read, up to PROBE_MAXBODY */

	/* Inputs, PROBE_TCP. */
	const char	 *host;		/* name or IP literal */
	int		  port;		/* 1..65535 */

	/* Inputs, PROBE_DNS. */
	const char	 *hostname;	/* name queried, as is (no search) */
	const char	 *record_type;	/* A AAAA CNAME MX TXT NS */

	/*
	 * Outputs.  failed is 1 for a transport failure, with error_code
	 * one of:
	 *   invalid_request	the inputs were refused (bad URL, method,
	 *			header, port, record type, timeout)
	 *   target_refused	the address is not allowed (target.h); no
	 *			connection was made to it
	 *   dns_failed		name not found, no record of the type,
	 *			or resolver failure
	 *   connect_failed	TCP connection failed
	 *   tls_failed		TLS handshake or certificate verification
	 *   timeout		timeout_ms passed
	 *   too_many_redirects	more than PROBE_MAXREDIRS redirects
	 *   http_error		any other HTTP protocol or transfer error
	 *   internal		out of memory or a library failure
	 * and error_message a short English sentence for the user.  An
	 * HTTP status of 4xx or 5xx is not a failure: judge status_code.
	 */
	int		  failed;
	char		  error_code[32];
	char		  error_message[256];

	/* HTTP: last response's status (also set when failed after it). */
	long		  status_code;
	/* HTTP: the first PROBE_MAXBODY bytes of the body, NUL-terminated
	   (bodylen does not count the NUL; the body may contain NULs), or
	   NULL when there was none.  Not decompressed. */
	char		 *body;
	size_t		  bodylen;
	int		  body_truncated; /* 1: the body was longer, not read */

	/*
	 * Timings in milliseconds, phases not cumulative: dns_ms name
	 * resolution, connect_ms TCP connect, tls_ms TLS handshake,
	 * first_byte_ms from connected (or TLS done) to the first response
	 * byte, total_ms the whole probe.  Over redirects each phase is the
	 * sum over all hops.  A DNS probe sets dns_ms and total_ms to the
	 * query time.  0 when a phase did not happen.
	 */
	long		  dns_ms;
	long		  connect_ms;
	long		  tls_ms;
	long		  first_byte_ms;
	long		  total_ms;

	/* HTTPS: leaf certificate of the last connection, also when not
	   verified; 0 and "" when unknown. */
	long long	  ssl_expires_at;	/* notAfter, Unix seconds */
	char		  ssl_issuer[256];	/* issuer DN as text */

	/*
	 * DNS: the records of the type asked, each rendered as text: A and
	 * AAAA the address, CNAME and NS the name (no final dot), MX
	 * "preference name", TXT the strings of one record joined without
	 * separator (control bytes shown as '?').  At most PROBE_MAXANSWERS
	 * answers of at most PROBE_MAXANSWERLEN bytes.  answers[i] and the
	 * array are owned by the probe.
	 */
	char		**answers;
	size_t		  nanswers;
};

struct probe_opts {
	int		  concurrency;	/* probes in flight at once,
					   1..PROBE_MAXCONCURRENCY */
	int		  allow_private; /* see target_addr_allowed() */
	const char	 *dns_servers;	/* c-ares server list for DNS and TCP
					   probes, e.g. "127.0.0.1:5353";
					   NULL: /etc/resolv.conf.  HTTP
					   probes use libcurl's resolver. */
	const char	 *ca_file;	/* CA bundle for HTTPS instead of the
					   system bundle file, or NULL */
	const char	 *source_address; /* IPv4 or IPv6 literal every probe
					   connection (and DNS query) is sent
					   from, or NULL; a target only of the
					   other family cannot be reached */
	/*
	 * Optional extra address filter, called for every address
	 * target_addr_allowed() lets through; return 1 to allow.  It can
	 * only narrow the policy, never widen it (tests use it to refuse
	 * one loopback address while allowing another).
	 */
	int		(*addr_check)(const struct sockaddr *sa, void *arg);
	void		 *addr_check_arg;
	/*
	 * Optional: called once for each probe as soon as its outputs are
	 * final, from inside probe_run(), probe_loop_wait() or (for a probe
	 * refused at once) probe_loop_start(), so results can be used (and
	 * the probe cleared with probe_clear()) while others still run.  It
	 * must not start probes itself.  Probes that fail because the run
	 * itself broke (probe_run() returns -1) or that are still in flight
	 * when a loop is closed are not passed to it.
	 */
	void		(*done)(struct probe *p, void *arg);
	void		 *done_arg;
};

/*
 * Run the n probes, concurrently: HTTP, TCP and DNS probes share one
 * event loop, with at most opts->concurrency of them in flight; a new
 * one starts as soon as one ends, so a hanging target holds one slot
 * for its own timeout only.  It is a probe loop (below) that is handed
 * the n probes and closed when all are done.
 *
 * Returns 0 when all probes ran (each one's failure is in its outputs),
 * or -1 when the run could not be set up or the event loop broke (bad
 * opts, n > PROBE_MAXPROBES, out of memory, bad dns_servers); probes
 * that did not complete then have failed = 1 with code "internal".
 * probes may be NULL when n is 0.
 */
int	probe_run(struct probe *probes, size_t n,
	    const struct probe_opts *opts) __attribute__((warn_unused_result));

/*
 * A probe loop kept open, for a caller that starts probes as they come
 * due instead of handing over a batch (the checker's scheduler).
 *
 *	struct probe_loop *l = probe_loop_new(&opts);
 *	while (...) {
 *		while (probe_loop_free_slots(l) > 0 && ...)
 *			probe_loop_start(l, next_probe());
 *		probe_loop_wait(l, 250);	// done() gets finished ones
 *	}
 *	probe_loop_close(l);
 *
 * probe_loop_new() returns a loop with opts->concurrency slots (opts is
 * copied; the strings it points to are borrowed until the loop is
 * closed), or NULL on bad opts, out of memory or a bad dns_servers list.
 * c-ares' per-try timeout is set as for 10 s probes.
 *
 * probe_loop_start() starts p at once in a free slot: 0, with p's outputs
 * cleared and p borrowed until done() is called for it (maybe before
 * probe_loop_start() returns, when p is refused at once); -1 when no
 * slot is free, the loop is broken or memory ran out (p untouched).
 *
 * probe_loop_wait() waits up to max_ms for network events and timers
 * (less when a probe's deadline comes first), handles them and calls
 * done() for each probe that ended.  A signal ends the wait early.  0,
 * or -1 when the event loop broke (the loop is then of no further use:
 * close it).
 *
 * probe_loop_watch() watches fd beside the probes for at most max_ms:
 * fn(arg) is called once, from probe_loop_wait(), when fd is readable or
 * max_ms has passed, whichever comes first; fd has left the loop's set
 * by then, and fn may watch it again.  A watch holds no slot and fd stays
 * the caller's, open while it is watched.  0, or -1 (out of memory, the
 * set refused fd, or the loop is broken).
 *
 * probe_loop_close() ends the probes still in flight without calling
 * done() for them (each is marked failed, "internal"; the caller still
 * owns and clears it), forgets the watches without calling their fn, and
 * frees the loop.  l may be NULL.
 */
struct probe_loop;

struct probe_loop *probe_loop_new(const struct probe_opts *opts);
int	probe_loop_start(struct probe_loop *l, struct probe *p)
	    __attribute__((warn_unused_result));
int	probe_loop_wait(struct probe_loop *l, int max_ms)
	    __attribute__((warn_unused_result));
int	probe_loop_watch(struct probe_loop *l, int fd, int max_ms,
	    void (*fn)(void *arg), void *arg)
	    __attribute__((warn_unused_result));
size_t	probe_loop_free_slots(const struct probe_loop *l);
size_t	probe_loop_active(const struct probe_loop *l);
void	probe_loop_close(struct probe_loop *l);

/*
 * Parse an IPv4 or IPv6 literal into ss (port 0) and its length: 0, or
 * -1 when s is neither.  For probe_opts.source_address.
 */
int	probe_parse_source(const char *s, struct sockaddr_storage *ss,
	    socklen_t *len) __attribute__((warn_unused_result));

/*
 * Release the outputs of p and zero them; the inputs are left alone.
 * p may be NULL.
 */
void	probe_clear(struct probe *p);

/*
 * Parse a certificate time as libcurl shows it in CURLINFO_CERTINFO,
 * "Mar  1 12:00:00 2027 GMT" (OpenSSL) or "2027-03-01 12:00:00 GMT",
 * into Unix seconds.  Returns 0 and sets *out, or -1 if unparsable.
 */
int	probe_parse_certtime(const char *s, long long *out)
	    __attribute__((warn_unused_result));

#endif /* PROBE_H */
