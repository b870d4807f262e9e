// The audit trail's promise (API.md sections 3 and 4): exactly one audit
// event for every state-changing request that succeeded and for every
// 401 or 403.  The harness checks it for every server it stops, from the
// server's access log, so every test of every family checks it.
//
// A console form (under /app) that worked answers 303 and counts.
// Not counted: GET, HEAD and OPTIONS; idempotent replays (nothing
// changed); heartbeat pings (public, recorded as pings, not audited);
// probe agents' leases and reports (with a location token, recorded as
// results and the location's lastSeenAt, not audited: docs/locations.md).
//
// 401s past UPTIME_AUTH_FAIL_LIMIT a minute across all clients are not
// recorded (docs/api.md "Rate limits"); the servers the tests start are
// reached from one address (127.0.0.1), which can get no more 401s a
// minute than that, so the count stays exact.  cgi.test.mjs tests the
// bound with many addresses, without a server.

const LINE = /^\S+ \[[^\]]*\] "(\S+) (\S+) [^"]*" (\d{3}) \S+ "([^"]*)"$/;

// The number of audit events the log calls for, or null when the log is
// not in the format of lighttpd.conf.example.
export function expectedAuditEvents(log) {
  let n = 0;
  for (const line of log.split('\n')) {
    if (line === '') continue;
    const m = LINE.exec(line);
    if (m === null) return null;
    const [, method, target, statusText, replayed] = m;
    const status = Number(statusText);
    const path = target.split('?')[0];
    if (status === 401 || status === 403) { n++; continue; }
    if (['GET', 'HEAD', 'OPTIONS'].includes(method)) continue;
    // A console form's success is its 303 (POST, then redirect).
    if ((status < 200 || status > 299) && !(status === 303 && /(^|\/)app(\/|$)/.test(path))) continue;
    if (replayed === 'true') continue;
    if (/(^|\/)v1\/ping\//.test(path)) continue;
    if (/(^|\/)v1\/agent\//.test(path)) continue;
    n++;
  }
  return n;
}

// A problem to report, or '' when the trail is whole.
export function auditTrailProblem(log, recorded) {
  const want = expectedAuditEvents(log);
  if (want === null || want === recorded) return '';
  return `audit trail: the access log calls for ${want} audit events, the database holds ${recorded}`;
}
