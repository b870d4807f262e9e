/*
 * uptime-probe: the agent of a probe location (docs/locations.md).  Runs
 * anywhere with network access to the server; leases the due checks of
 * the monitors that name its location, runs them with the checker's
 * probe engine (lib/probe.c: the same target policy, timeouts and result
 * shape), judges them as the checker does (check_judge) and reports the
 * results in batches.
 *
 *   uptime-probe --server URL --token TOKEN [--once] [--concurrency N]
 *       [--source-address IP] [--spool DIR]
 *
 * The token may come from UPTIME_PROBE_TOKEN instead (better: a command
 * line is visible to every user of the host).  --once makes one round
 * (for cron); without it the agent keeps going until SIGTERM or SIGINT,
 * asking again when the server says its next check is due (at least
 * every POLL_MAX_MS, for new monitors).  The answer to a lease says it
 * for the checks not leased; the answer to a report, for those too, as
 * the checks just reported are planned anew.
 *
 * A round: send what the spool holds, lease, run, write the results to
 * the spool, send them.  A batch leaves the spool only once the server
 * took it (200) or refused it for good (400: it never will); while the
 * server is unreachable, batches stay there and go with the next round.
 * The server takes a result once, for a lease of this location, when
 * its check started inside the lease: a batch sent twice records
 * nothing twice.
 *
 * The target policy is this host's: UPTIME_ALLOW_PRIVATE_TARGETS (off
 * by default), UPTIME_DNS_SERVERS and UPTIME_CA_FILE, as for the
 * checker.  With UPTIME_CANARY_URLS, a round with failures fetches the
 * canaries (lib/canary.h): when every one fails, the round's failures
 * are reported inconclusive.  Exit status: 0, 1 when the server could
 * not be reached or refused the token (results kept), 2 for a usage
 * error.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "uptime.h"
#include "canary.h"
#include "location.h"
#include "monitor.h"

#define LEASE_MAX	LOC_LEASE_MAX	/* leases asked for in a round */
#define HTTP_TIMEOUT_S	30		/* a request to the server */
#define ANSWER_MAX	(64 * 1024 * 1024) /* a lease answer's bytes */
#define POLL_MIN_MS	1000		/* rounds at most this often */
#define POLL_MAX_MS	30000		/* and at least this often */
#define RETRY_MS	5000		/* after the server failed */
#define SPOOL_DEFAULT	"/var/lib/uptime-probe"
#define CONCURRENCY_DEFAULT 64

static volatile sig_atomic_t	 stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

struct agent {
	char		 url[1024];	/* the server, no trailing / */
	char		 auth[KEY_LEN + 32];	/* the Authorization header */
	const char	*source;	/* --source-address, or NULL */
	const char	*spool;
	int		 concurrency;
	struct probe_opts opts;
	unsigned	 seq;		/* spool file names */
	struct canaries	 cn;		/* UPTIME_CANARY_URLS */
};

/* One leased check, from its lease to its judged result. */
struct job {
	struct monitor		 m;
	struct probe		 p;
	struct check_result	 r;
	char			**scratch;
	char			 lease[ID_MAX];
	int64_t			 started;
	int			 ok;	/* the definition was taken */
	int			 done;
};

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	struct buf	*b = arg;

	if (b->len + size * n > ANSWER_MAX || buf_add(b, data, size * n) == -1)
		return 0;
	return size * n;
}

/*
 * POST body to the server's path; the answer's status, or 0 when the
 * server could not be reached.  The answer's body goes to out.
 */
static long
post(struct agent *a, const char *path, const char *body, struct buf *out)
{
	struct curl_slist	*h = NULL, *h2;
	CURL			*e;
	char			 url[1100], iface[80];
	long			 status = 0;

	if ((e = curl_easy_init()) == NULL)
		return 0;
	snprintf(url, sizeof(url), "%s%s", a->url, path);
	h2 = curl_slist_append(h, a->auth);
	h = h2 ? curl_slist_append(h2, "Content-Type: application/json") :
	    NULL;
	if (h == NULL) {
		curl_slist_free_all(h2);
		curl_easy_cleanup(e);
		return 0;
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)HTTP_TIMEOUT_S);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "uptime-probe");
	if (a->opts.ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, a->opts.ca_file);
	if (a->source != NULL) {
		snprintf(iface, sizeof(iface), "host!%s", a->source);
		curl_easy_setopt(e, CURLOPT_INTERFACE, iface);
	}
	if (curl_easy_perform(e) == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
	return status;
}

/* *next becomes the time the answer's data.nextDueAt says, if sooner. */
static void
sooner(const cJSON *ans, int64_t *next)
{
	const char	*s = cJSON_GetStringValue(cJSON_GetObjectItem(
			    cJSON_GetObjectItem(ans, "data"), "nextDueAt"));
	int64_t		 t;

	if (s != NULL && time_parse(s, &t) == 0 && t > 0 &&
	    (*next == 0 || t < *next))
		*next = t;
}

/* Say why the server refused a request, from its problem's detail. */
static void
refused(const char *what, long status, const struct buf *b)
{
	cJSON		*o = b->p ? cJSON_Parse(b->p) : NULL;
	const char	*detail = cJSON_GetStringValue(cJSON_GetObjectItem(o,
			    "detail"));

	if (status == 0)
		fprintf(stderr, "uptime-probe: %s: the server cannot be "
		    "reached\n", what);
	else
		fprintf(stderr, "uptime-probe: %s: the server answered "
		    "%ld%s%s\n", what, status, detail ? ": " : "",
		    detail ? detail : "");
	cJSON_Delete(o);
}

/* ---- the spool ---- */

/* Write body as a new batch file of the spool; its path goes to path. */
static int
spool_put(struct agent *a, const char *body, char *path, size_t pathlen)
{
	char	 tmp[1300];
	size_t	 len = strlen(body);
	int	 fd, rc = -1;

	snprintf(path, pathlen, "%s/batch-%013lld-%05u-%u.json", a->spool,
	    (long long)time_now_ms(), a->seq++ % 100000, (unsigned)getpid());
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) ==
	    -1)
		goto out;
	if (write(fd, body, len) == (ssize_t)len && fsync(fd) == 0)
		rc = 0;
	if (close(fd) == -1)
		rc = -1;
	if (rc == 0 && rename(tmp, path) == -1)
		rc = -1;
	if (rc == -1)
		unlink(tmp);
out:
	if (rc == -1)
		fprintf(stderr, "uptime-probe: cannot write %s: %s; the "
		    "results are sent without being kept\n", path,
		    strerror(errno));
	return rc;
}

/*
 * Send one batch; 1 when it is done with (taken, or refused for good:
 * it can go), 0 when it must stay (the server unreachable or failing),
 * -1 when the token was refused.  *next: see sooner().
 */
static int
send_batch(struct agent *a, const char *body, int64_t *next)
{
	struct buf	 b = { 0 };
	cJSON		*o;
	long		 status;
	int		 n;

	status = post(a, "/v1/agent/results", body, &b);
	if (status == 200) {
		o = cJSON_Parse(b.p ? b.p : "");
		n = cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(
		    o, "data"), "refused"));
		if (n > 0)
			fprintf(stderr, "uptime-probe: the server refused %d "
			    "result%s (leases already used, unknown or "
			    "expired)\n", n, n == 1 ? "" : "s");
		sooner(o, next);
		cJSON_Delete(o);
	} else
		refused("results", status, &b);
	buf_free(&b);
	if (status == 200 || status == 400 || status == 413)
		return 1;
	return status == 401 ? -1 : 0;
}

static int
by_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Read a spool file whole; NULL on failure. */
static char *
slurp(const char *path)
{
	struct buf	 b = { 0 };
	char		 chunk[8192];
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (buf_add(&b, chunk, (size_t)n) == -1) {
			n = -1;
			break;
		}
	close(fd);
	if (n == -1 || b.p == NULL) {
		buf_free(&b);
		return NULL;
	}
	return b.p;
}

/*
 * Send the batches the spool holds, oldest first: 0 when it is empty
 * after, -1 when some stay (the server is unreachable).  *next: see
 * sooner().
 */
static int
spool_flush(struct agent *a, int64_t *next)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL, **nn, path[1200], *body;
	size_t		 n = 0, cap = 0, i;
	int		 rc = 0, sent;

	if ((d = opendir(a->spool)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "batch-", 6) != 0 ||
		    strlen(de->d_name) < 5 || strcmp(de->d_name +
		    strlen(de->d_name) - 5, ".json") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nn = realloc(names, cap * sizeof(*nn))) == NULL)
				break;
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			break;
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", a->spool, names[i]);
		if (rc == 0 && (body = slurp(path)) != NULL) {
			if ((sent = send_batch(a, body, next)) == 1)
				unlink(path);
			else
				rc = -1;
			free(body);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* ---- a round ---- */

/* A probe ended: judge it as the checker does. */
static void
finished(struct probe *p, void *arg)
{
	struct job	*j = (struct job *)(void *)((char *)p -
			    offsetof(struct job, p));

	(void)arg;
	check_judge(&j->m, p, j->started, &j->r);
	probe_clear(p);
	check_scratch_free(j->scratch);
	j->scratch = NULL;
	j->done = 1;
}

/*
 * Take a lease's check definition into j->m, as the server made it.  The
 * target policy is applied where it counts, to each connection the
 * probe makes, so the definition's URL is not judged here.
 */
static void
job_prepare(struct job *j, const cJSON *l)
{
	struct verrs	 v = { 0 };
	const cJSON	*check = cJSON_GetObjectItem(l, "check");
	int		 allow = cfg.allow_private;

	snprintf(j->lease, sizeof(j->lease), "%s",
	    cJSON_GetStringValue(cJSON_GetObjectItem(l, "leaseId")) ?
	    cJSON_GetStringValue(cJSON_GetObjectItem(l, "leaseId")) : "");
	monitor_init(&j->m, time_now_ms());
	cfg.allow_private = 1;
	if (cJSON_IsObject(check))
		monitor_apply(&j->m, check, 1, &v);
	else
		verr_add(&v, VERR_INVALID, "/check", "missing");
	cfg.allow_private = allow;
	j->ok = v.n == 0 && j->m.type != MON_HEARTBEAT &&
	    check_prepare(&j->m, &j->p, &j->scratch) == 0;
	if (!j->ok) {
		memset(&j->r, 0, sizeof(j->r));
		j->r.checked_at = time_now_ms();
		j->r.status = MST_DOWN;
		j->r.response_ms = -1;
		snprintf(j->r.error_code, sizeof(j->r.error_code),
		    "invalid_request");
		snprintf(j->r.error_message, sizeof(j->r.error_message),
		    "This agent cannot run the check: %.60s %.120s.",
		    v.n ? v.e[0].pointer : "", v.n ? v.e[0].detail :
		    "unsupported");
		j->done = 1;
	}
}

/* Run the n jobs, at most a->concurrency at once.  0, or -1. */
static int
run_jobs(struct agent *a, struct job *jobs, size_t n)
{
	struct probe_loop	*l;
	struct job		*j;
	size_t			 i = 0;
	int			 rc = 0;

	if ((l = probe_loop_new(&a->opts)) == NULL)
		return -1;
	while (rc == 0 && (i < n || probe_loop_active(l) > 0)) {
		while (i < n && probe_loop_free_slots(l) > 0) {
			j = &jobs[i++];
			if (j->done || !j->ok)
				continue;
			j->started = time_now_ms();
			/* finished() may run inside, for a refused probe. */
			if (probe_loop_start(l, &j->p) == -1) {
				rc = -1;
				break;
			}
		}
		if (rc == 0 && probe_loop_active(l) > 0 &&
		    probe_loop_wait(l, 250) == -1)
			rc = -1;
	}
	probe_loop_close(l);
	return rc;
}

/*
 * When some of the n jobs failed and every canary fails too, this
 * host's network is the likely cause: those failures are inconclusive.
 */
static void
canaries(struct agent *a, struct job *jobs, size_t n)
{
	size_t	 i, k = 0;

	for (i = 0; i < n; i++)
		if (jobs[i].ok && jobs[i].done && jobs[i].r.status == MST_DOWN)
			k++;
	if (a->cn.n == 0 || k == 0 || canary_run(&a->cn, &a->opts) != 1)
		return;
	fprintf(stderr, "uptime-probe: every canary failed: %zu failures "
	    "reported as inconclusive\n", k);
	for (i = 0; i < n; i++)
		if (jobs[i].ok && jobs[i].done && jobs[i].r.status == MST_DOWN)
			jobs[i].r.inconclusive = 1;
}

/*
 * One round: send what is kept, lease, run, keep, send.  *next is when
 * the server says the next check is due (0: not known), the soonest of
 * its answers to the lease and to the reports.  0, or -1 when the server
 * could not be reached or refused the token.
 */
static int
round_once(struct agent *a, int64_t *next)
{
	struct buf	 b = { 0 };
	struct job	*jobs = NULL;
	cJSON		*ans = NULL, *batch = NULL, *list;
	const cJSON	*data, *leases, *l;
	char		 body[64], *text = NULL, path[1200];
	size_t		 n, i;
	long		 status;
	int		 rc = -1, sent, kept;

	*next = 0;
	if (spool_flush(a, next) == -1)
		return -1;
	snprintf(body, sizeof(body), "{\"max\": %d}", LEASE_MAX);
	if ((status = post(a, "/v1/agent/leases", body, &b)) != 200) {
		refused("lease", status, &b);
		goto out;
	}
	ans = cJSON_Parse(b.p ? b.p : "");
	data = cJSON_GetObjectItem(ans, "data");
	leases = cJSON_GetObjectItem(data, "leases");
	if (!cJSON_IsArray(leases)) {
		fprintf(stderr, "uptime-probe: the lease answer is not one\n");
		goto out;
	}
	sooner(ans, next);
	if ((n = (size_t)cJSON_GetArraySize(leases)) == 0) {
		rc = 0;
		goto out;
	}
	if ((jobs = calloc(n, sizeof(*jobs))) == NULL)
		goto out;
	i = 0;
	cJSON_ArrayForEach(l, leases)
		job_prepare(&jobs[i++], l);
	if (run_jobs(a, jobs, n) == -1)
		fprintf(stderr, "uptime-probe: the probe loop broke; the "
		    "checks not done are left to their leases' expiry\n");
	canaries(a, jobs, n);

	batch = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(batch, "results");
	for (i = 0; i < n; i++)
		if (jobs[i].done && jobs[i].lease[0] != '\0')
			cJSON_AddItemToArray(list, location_result_json(
			    &jobs[i].r, jobs[i].lease));
	rc = 0;
	if (cJSON_GetArraySize(list) == 0 ||
	    (text = cJSON_PrintUnformatted(batch)) == NULL)
		goto out;
	kept = spool_put(a, text, path, sizeof(path)) == 0;
	if ((sent = send_batch(a, text, next)) == 1 && kept)
		unlink(path);
	if (sent != 1)
		rc = -1;
out:
	if (jobs != NULL)
		for (i = 0; i < n; i++) {
			probe_clear(&jobs[i].p);
			check_scratch_free(jobs[i].scratch);
			monitor_free(&jobs[i].m);
		}
	free(jobs);
	free(text);
	cJSON_Delete(batch);
	cJSON_Delete(ans);
	buf_free(&b);
	return rc;
}

static int
usage(void)
{
	fprintf(stderr, "usage: uptime-probe --server URL [--token TOKEN] "
	    "[--once] [--concurrency N]\n"
	    "                    [--source-address IP] [--spool DIR]\n"
	    "The token may be in UPTIME_PROBE_TOKEN instead; the spool "
	    "(default %s)\nkeeps results while the server cannot be "
	    "reached.\n", SPOOL_DEFAULT);
	return 2;
}

/*
 * Set cfg's target policy and a's canaries from the environment, as the
 * checker reads them.
 */
static int
policy_from_env(struct agent *a)
{
	const char	*s;
	char		 why[256];

	if ((s = getenv("UPTIME_ALLOW_PRIVATE_TARGETS")) != NULL && *s) {
		if (strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0 ||
		    strcasecmp(s, "yes") == 0 || strcasecmp(s, "on") == 0)
			cfg.allow_private = 1;
		else if (strcmp(s, "0") == 0 || strcasecmp(s, "false") == 0 ||
		    strcasecmp(s, "no") == 0 || strcasecmp(s, "off") == 0)
			cfg.allow_private = 0;
		else {
			fprintf(stderr, "uptime-probe: UPTIME_ALLOW_PRIVATE_"
			    "TARGETS must be 1 or 0\n");
			return -1;
		}
	}
	if ((s = getenv("UPTIME_DNS_SERVERS")) != NULL)
		snprintf(cfg.dns_servers, sizeof(cfg.dns_servers), "%s", s);
	if ((s = getenv("UPTIME_CA_FILE")) != NULL)
		snprintf(cfg.ca_file, sizeof(cfg.ca_file), "%s", s);
	s = getenv("UPTIME_CANARY_URLS");
	if (canary_setup(&a->cn, s ? s : "", why, sizeof(why)) == -1) {
		fprintf(stderr, "uptime-probe: UPTIME_CANARY_URLS must be "
		    "comma-separated http:// or https:// URLs: %s\n", why);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct agent		 a;
	struct sigaction	 sa;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	const char		*server = NULL, *token = NULL;
	char			*end;
	long			 n;
	int64_t			 next, wait;
	int			 once = 0, i, rc;

	memset(&a, 0, sizeof(a));
	a.concurrency = CONCURRENCY_DEFAULT;
	a.spool = getenv("UPTIME_PROBE_SPOOL") ? getenv("UPTIME_PROBE_SPOOL") :
	    SPOOL_DEFAULT;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0)
			once = 1;
		else if (i + 1 >= argc)
			return usage();
		else if (strcmp(argv[i], "--server") == 0)
			server = argv[++i];
		else if (strcmp(argv[i], "--token") == 0)
			token = argv[++i];
		else if (strcmp(argv[i], "--spool") == 0)
			a.spool = argv[++i];
		else if (strcmp(argv[i], "--source-address") == 0) {
			a.source = argv[++i];
			if (probe_parse_source(a.source, &ss, &sslen) == -1) {
				fprintf(stderr, "uptime-probe: "
				    "--source-address needs an IPv4 or IPv6 "
				    "address\n");
				return usage();
			}
		} else if (strcmp(argv[i], "--concurrency") == 0) {
			errno = 0;
			n = strtol(argv[++i], &end, 10);
			if (errno || *end || end == argv[i] || n < 1 ||
			    n > PROBE_MAXCONCURRENCY) {
				fprintf(stderr, "uptime-probe: --concurrency "
				    "takes 1 to %d\n", PROBE_MAXCONCURRENCY);
				return usage();
			}
			a.concurrency = (int)n;
		} else
			return usage();
	}
	if (token == NULL)
		token = getenv("UPTIME_PROBE_TOKEN");
	if (server == NULL || (strncmp(server, "http://", 7) != 0 &&
	    strncmp(server, "https://", 8) != 0) ||
	    strlen(server) >= sizeof(a.url)) {
		fprintf(stderr, "uptime-probe: --server needs the server's "
		    "http or https URL\n");
		return usage();
	}
	if (token == NULL || !token_check_format(LOCTOKEN_PREFIX, token)) {
		fprintf(stderr, "uptime-probe: %s\n", token == NULL ? "no "
		    "token: --token or UPTIME_PROBE_TOKEN" : "the token is "
		    "malformed: check that it was copied whole");
		return usage();
	}
	snprintf(a.url, sizeof(a.url), "%s", server);
	while (strlen(a.url) > 0 && a.url[strlen(a.url) - 1] == '/')
		a.url[strlen(a.url) - 1] = '\0';
	snprintf(a.auth, sizeof(a.auth), "Authorization: Bearer %s", token);
	if (policy_from_env(&a) == -1)
		return 2;
	if (mkdir(a.spool, 0700) == -1 && errno != EEXIST) {
		fprintf(stderr, "uptime-probe: cannot make the spool %s: %s\n",
		    a.spool, strerror(errno));
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "uptime-probe: cannot start libcurl\n");
		return 1;
	}
	a.opts.concurrency = a.concurrency;
	a.opts.allow_private = cfg.allow_private;
	a.opts.dns_servers = cfg.dns_servers[0] ? cfg.dns_servers : NULL;
	a.opts.ca_file = cfg.ca_file[0] ? cfg.ca_file : NULL;
	a.opts.source_address = a.source;
	a.opts.done = finished;

	memset(&sa, 0, sizeof(sa));	/* no SA_RESTART: a sleep ends */
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	do {
		rc = round_once(&a, &next);
		if (once || stopping)
			break;
		wait = rc == -1 ? RETRY_MS : next == 0 ? POLL_MAX_MS :
		    next - time_now_ms();
		if (wait < POLL_MIN_MS)
			wait = POLL_MIN_MS;
		if (wait > POLL_MAX_MS)
			wait = POLL_MAX_MS;
		while (wait > 0 && !stopping) {
			struct timespec ts = { 0, 100 * 1000000L };

			nanosleep(&ts, NULL);
			wait -= 100;
		}
	} while (!stopping);
	sodium_memzero(a.auth, sizeof(a.auth));
	canary_clear(&a.cn);
	curl_global_cleanup();
	return rc == -1 ? 1 : 0;
}
