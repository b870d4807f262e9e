// Heartbeat monitors and the public ping endpoint: API.md section 4
// "Monitors" (heartbeat fields, rotate-ping-token) and "Heartbeat pings"
// (ping.fcgi), and section 5 (the checker marks a heartbeat down when its
// ping is later than expected plus grace).  The checker runs with --now to
// jump ahead in time.  Choices where the contract is silent are the ones
// docs/heartbeat.md and docs/api.md describe.
//
// Expected times are computed here from the rules, not read back from the
// server: interval arithmetic in JavaScript, and for schedules in zones
// with daylight saving, instants worked out with Python's zoneinfo
// (python3 -c "...datetime(2027,3,28,3,0,tzinfo=ZoneInfo('Europe/Berlin'))
// .astimezone(timezone.utc)") and GNU date (TZ=Europe/Berlin date -d ...).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { startServer, runCron, sleep, BINDIR, SANITIZER_RE } from './lib/harness.mjs';
import {
  assertOk, assertProblem, assertNoChange, assertUnauthorized, assertForbidden, show, TIME_RE,
} from './lib/checks.mjs';

const TOKEN_RE = /^[0-9A-Za-z]{32}$/;
const GHOST_ID = 'mon_' + 'B'.repeat(20);
const MIN = 60e3;

let srv;
let team, admin, readOnly, writeOnly, alertsOnly;
let otherTeam, otherKey;

const api = (...a) => srv.api(...a);
const create = (body, key = admin) => api('POST', '/v1/monitors', { key, body });
async function mk(body, key = admin) {
  return assertOk(await create(body, key), 201);
}
const hbBody = (extra = {}) => ({ name: 'nightly backup', type: 'heartbeat', ...extra });
const get = async (id, key = admin) => assertOk(await api('GET', `/v1/monitors/${id}`, { key }));
const tokenOf = (m) => m.pingUrl.slice(m.pingUrl.lastIndexOf('/') + 1);
const iso = (ms) => new Date(ms).toISOString();
const at = (s) => Date.parse(s);
const check = (now) => runCron(srv, 'uptime-check', ['--now', typeof now === 'number' ? iso(now) : now]);

// A ping through the harness (so the answer is checked against
// docs/openapi.yaml too).  body: a string (sent as text/plain) or bytes.
function ping(url, { method = 'GET', body, headers = {} } = {}) {
  const h = { ...headers };
  if (typeof body === 'string' && !('content-type' in h)) h['content-type'] = 'text/plain';
  return api(method, url, { rawBody: body, headers: h });
}

function assertPingOk(res, { head = false } = {}) {
  assert.equal(res.status, 200, `ping answered\n${show(res)}`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain\b/, show(res));
  assert.equal(res.text, head ? '' : 'OK', show(res));
  assert.ok(res.headers.get('x-request-id'), 'X-Request-Id');
  assert.match(res.headers.get('cache-control') ?? '', /no-store/);
}

async function results(id, query = '', key = admin) {
  return assertOk(await api('GET', `/v1/monitors/${id}/results${query}`, { key }));
}
async function outages(id) {
  return assertOk(await api('GET', `/v1/monitors/${id}/outages`, { key: admin }));
}
const events = (id) => srv.sql(`SELECT kind, outage_id FROM monitor_events WHERE monitor_id = '${id}' ORDER BY id`);
const pingRows = (id) => srv.sql(`SELECT count(*) AS n FROM pings WHERE monitor_id = '${id}'`)[0].n;
async function remove(...ids) {
  for (const id of ids) assert.equal((await api('DELETE', `/v1/monitors/${id}`, { key: admin })).status, 204);
}

// ping.fcgi run once as plain CGI (no web server), as mod_cgi would:
// a POST of body to the token's URL.  Resolves with what it printed.
function cgiPing(token, body) {
  const env = {
    ...srv.env,
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REQUEST_METHOD: 'POST',
    REQUEST_URI: `/v1/ping/${token}`,
    SCRIPT_NAME: '',
    PATH_INFO: `/v1/ping/${token}`,
    QUERY_STRING: '',
    REMOTE_ADDR: '192.0.2.9',
    CONTENT_TYPE: 'text/plain',
    CONTENT_LENGTH: String(Buffer.byteLength(body)),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(BINDIR, 'ping.fcgi'), [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    let err = '';
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', () => {
      if (SANITIZER_RE.test(err)) reject(new Error(`sanitizer report:\n${err}`));
      else resolve(Buffer.concat(out).toString('utf8'));
    });
    child.stdin.end(body);
  });
}

// Wait, if needed, so that at least `need` ms are left in this minute
// (the ping rate limit counts calendar minutes).
async function roomInMinute(need) {
  const left = MIN - (Date.now() % MIN);
  if (left < need) await sleep(left + 200);
}

before(async () => {
  srv = await startServer({ env: { UPTIME_RATE_LIMIT: '1000000' } });
  team = await srv.createTeam('Heartbeat team');
  admin = await srv.createKey(team, { name: 'admin' });
  readOnly = await srv.createKey(team, { name: 'reader', scopes: ['monitors:read'] });
  writeOnly = await srv.createKey(team, { name: 'writer', scopes: ['monitors:write'] });
  alertsOnly = await srv.createKey(team, { name: 'alerts', scopes: ['alerts:read', 'alerts:write'] });
  otherTeam = await srv.createTeam('Other team');
  otherKey = await srv.createKey(otherTeam, { name: 'other admin' });
});

after(async () => {
  await srv?.stop();
});

// ---------------------------------------------------------------------------

describe('creating heartbeat monitors', () => {
  it('with an interval: defaults, pingUrl, and the first ping expected one interval on', async () => {
    const t0 = Date.now();
    const m = await mk(hbBody({ intervalSeconds: 3600 }));
    assert.deepEqual(Object.keys(m).sort(), ['id', 'name', 'type', 'intervalSeconds', 'timeoutSeconds',
      'confirmations', 'paused', 'tags', 'locations', 'quorum', 'recoveryConfirmations', 'retryIntervalSeconds',
      'locationStates', 'schedule', 'timezone', 'gracePeriodSeconds', 'slug', 'pingUrl', 'lastPingAt',
      'status', 'lastCheckedAt', 'nextCheckAt', 'lastStatusChangeAt', 'lastResponseTimeMs', 'createdAt',
      'updatedAt'].sort());
    assert.equal(m.type, 'heartbeat');
    assert.equal(m.intervalSeconds, 3600);
    assert.equal(m.schedule, null);
    assert.equal(m.timezone, null);
    assert.equal(m.gracePeriodSeconds, 300);
    assert.equal(m.confirmations, 1);
    assert.equal(m.status, 'pending');
    assert.equal(m.lastPingAt, null);
    assert.equal(m.lastResponseTimeMs, null);
    assert.ok(m.pingUrl.startsWith(`${srv.baseUrl}/v1/ping/`), m.pingUrl);
    assert.match(tokenOf(m), TOKEN_RE);
    assert.equal(m.pingUrl, `${srv.baseUrl}/v1/ping/${tokenOf(m)}`);
    // The clock starts at creation: expected at createdAt + 1 h, looked
    // at 300 s of grace later.
    const created = at(m.createdAt);
    assert.ok(created >= t0 - 1000 && created <= Date.now() + 1000);
    assert.equal(at(m.nextCheckAt), created + 3600e3 + 300e3);
    assert.deepEqual(await get(m.id), m);
    await remove(m.id);
  });

  it('defaults to a 60 s interval; every heartbeat gets its own token', async () => {
    const a = await mk(hbBody());
    const b = await mk(hbBody());
    assert.equal(a.intervalSeconds, 60);
    assert.equal(at(a.nextCheckAt), at(a.createdAt) + 60e3 + 300e3);
    assert.notEqual(tokenOf(a), tokenOf(b));
    await remove(a.id, b.id);
  });

  it('with a schedule and a timezone: no interval; the first ping expected at the next firing', async () => {
    // Etc/GMT-3 is UTC+3 all year: 04:30 there is 01:30 UTC.
    const m = await mk(hbBody({ schedule: '30 4 * * *', timezone: 'Etc/GMT-3', gracePeriodSeconds: 600 }));
    assert.equal(m.intervalSeconds, null);
    assert.equal(m.schedule, '30 4 * * *');
    assert.equal(m.timezone, 'Etc/GMT-3');
    const created = at(m.createdAt);
    let next = Date.UTC(new Date(created).getUTCFullYear(), new Date(created).getUTCMonth(),
      new Date(created).getUTCDate(), 1, 30);
    if (next <= created) next += 24 * 3600e3;
    assert.equal(at(m.nextCheckAt), next + 600e3);
    // Without a timezone: UTC.
    const u = await mk(hbBody({ schedule: '0 12 * * *' }));
    assert.equal(u.timezone, 'UTC');
    const c = at(u.createdAt);
    let n2 = Date.UTC(new Date(c).getUTCFullYear(), new Date(c).getUTCMonth(), new Date(c).getUTCDate(), 12);
    if (n2 <= c) n2 += 24 * 3600e3;
    assert.equal(at(u.nextCheckAt), n2 + 300e3);
    await remove(m.id, u.id);
  });

  it('is listed with type=heartbeat', async () => {
    const m = await mk(hbBody({ name: 'listed' }));
    const list = assertOk(await api('GET', '/v1/monitors?type=heartbeat', { key: admin }));
    assert.ok(list.some((x) => x.id === m.id && x.pingUrl === m.pingUrl));
    assert.ok(list.every((x) => x.type === 'heartbeat'));
    await remove(m.id);
  });

  it('negative: bad schedules, time zones and grace periods are 400 with the field named', async () => {
    const bad = [
      [{ schedule: '61 * * * *' }, '/schedule', /minute: 61 is out of range 0-59/],
      [{ schedule: '* * *' }, '/schedule', /five fields/],
      [{ schedule: '0 0 30 2 *' }, '/schedule', /never fires/],
      [{ schedule: '@daily' }, '/schedule', /./],
      [{ schedule: '' }, '/schedule', /empty/],
      [{ schedule: 5 }, '/schedule', /cron expression/],
      [{ schedule: '* * * * * ' + 'x'.repeat(200) }, '/schedule', /at most 128/],
      [{ schedule: '0 3 * * *', timezone: 'Mars/Olympus' }, '/timezone', /IANA/],
      [{ schedule: '0 3 * * *', timezone: '../../../etc/passwd' }, '/timezone', /IANA/],
      [{ schedule: '0 3 * * *', timezone: 'europe/berlin' }, '/timezone', /IANA/],
      [{ schedule: '0 3 * * *', timezone: 42 }, '/timezone', /IANA/],
      [{ timezone: 'Europe/Berlin' }, '/timezone', /only goes with a schedule/],
      [{ schedule: '0 3 * * *', intervalSeconds: 3600 }, '/intervalSeconds', /either/],
      [{ gracePeriodSeconds: -1 }, '/gracePeriodSeconds', /0 to 86400/],
      [{ gracePeriodSeconds: 86401 }, '/gracePeriodSeconds', /0 to 86400/],
      [{ gracePeriodSeconds: 1.5 }, '/gracePeriodSeconds', /whole number/],
      [{ gracePeriodSeconds: '300' }, '/gracePeriodSeconds', /whole number/],
      [{ gracePeriodSeconds: null }, '/gracePeriodSeconds', /whole number/],
      [{ intervalSeconds: 29 }, '/intervalSeconds', /30/],
      [{ intervalSeconds: 86401 }, '/intervalSeconds', /86400/],
    ];
    await assertNoChange(srv, async () => {
      for (const [extra, pointer, detail] of bad) {
        const p = assertProblem(await create(hbBody(extra)), 400, 'validation_error', { pointers: [pointer] });
        const e = p.errors.find((x) => x.pointer === pointer);
        assert.match(e.detail, detail, `${JSON.stringify(extra)}: ${JSON.stringify(p.errors)}`);
      }
    });
  });

  it('negative: several bad fields at once are all listed', async () => {
    await assertNoChange(srv, async () => {
      assertProblem(await create(hbBody({
        name: '', schedule: '1 2 3', timezone: 'Nowhere/Town', gracePeriodSeconds: 100000, confirmations: 0,
      })), 400, 'validation_error',
      { pointers: ['/name', '/schedule', '/timezone', '/gracePeriodSeconds', '/confirmations'] });
    });
  });

  it('negative: fields of other types, unknown and read-only fields, malformed and oversized bodies', async () => {
    await assertNoChange(srv, async () => {
      assertProblem(await create(hbBody({ url: 'https://example.com/' })), 400, 'unknown_field', { pointers: ['/url'] });
      assertProblem(await create(hbBody({ host: 'example.com', port: 80 })), 400, 'unknown_field',
        { pointers: ['/host', '/port'] });
      assertProblem(await create(hbBody({ pingToken: 'x' })), 400, 'unknown_field', { pointers: ['/pingToken'] });
      assertProblem(await create(hbBody({ pingUrl: 'http://x/v1/ping/abc' })), 400, 'read_only_field',
        { pointers: ['/pingUrl'] });
      assertProblem(await create(hbBody({ lastPingAt: '2026-01-01T00:00:00.000Z' })), 400, 'read_only_field',
        { pointers: ['/lastPingAt'] });
      assertProblem(await api('POST', '/v1/monitors', { key: admin, rawBody: '{"name": "x", "type": "heartbeat"' }),
        400, 'malformed_json');
      const huge = JSON.stringify(hbBody({ name: 'x'.repeat(1100 * 1024) }));
      assertProblem(await api('POST', '/v1/monitors', { key: admin, rawBody: huge }), 413, 'body_too_large');
    });
  });
});

describe('PATCH of a heartbeat', () => {
  it('switches between interval and schedule, and restarts the clock when the timing changes', async () => {
    const m = await mk(hbBody({ intervalSeconds: 600, gracePeriodSeconds: 60 }));
    // A rename keeps the clock.
    const renamed = assertOk(await api('PATCH', `/v1/monitors/${m.id}`, { key: admin, body: { name: 'renamed' } }));
    assert.equal(renamed.nextCheckAt, m.nextCheckAt);
    // A schedule: interval gone, timezone UTC, expected at its next firing.
    const t1 = Date.now();
    const s = assertOk(await api('PATCH', `/v1/monitors/${m.id}`, { key: admin, body: { schedule: '*/10 * * * *' } }));
    assert.equal(s.intervalSeconds, null);
    assert.equal(s.schedule, '*/10 * * * *');
    assert.equal(s.timezone, 'UTC');
    const u = at(s.updatedAt);
    assert.ok(u >= t1 - 1000);
    assert.equal(at(s.nextCheckAt), Math.floor(u / 600e3) * 600e3 + 600e3 + 60e3);
    // intervalSeconds switches back; the timezone goes with the schedule.
    const i = assertOk(await api('PATCH', `/v1/monitors/${m.id}`, { key: admin, body: { intervalSeconds: 1200 } }));
    assert.equal(i.intervalSeconds, 1200);
    assert.equal(i.schedule, null);
    assert.equal(i.timezone, null);
    assert.equal(at(i.nextCheckAt), at(i.updatedAt) + 1200e3 + 60e3);
    // A new grace restarts the clock too.
    const g = assertOk(await api('PATCH', `/v1/monitors/${m.id}`, { key: admin, body: { gracePeriodSeconds: 0 } }));
    assert.equal(at(g.nextCheckAt), at(g.updatedAt) + 1200e3);
    // A schedule with its zone; then null goes back to the interval.
    const z = assertOk(await api('PATCH', `/v1/monitors/${m.id}`, {
      key: admin, body: { schedule: '0 4 * * *', timezone: 'America/New_York' },
    }));
    assert.equal(z.timezone, 'America/New_York');
    const n = assertOk(await api('PATCH', `/v1/monitors/${m.id}`, { key: admin, body: { schedule: null } }));
    assert.equal(n.schedule, null);
    assert.equal(n.timezone, null);
    assert.equal(n.intervalSeconds, 1200);
    await remove(m.id);
  });

  it('negative: both at once, a timezone without a schedule, and a type change are refused', async () => {
    const m = await mk(hbBody({ intervalSeconds: 600 }));
    await assertNoChange(srv, async () => {
      assertProblem(await api('PATCH', `/v1/monitors/${m.id}`, {
        key: admin, body: { schedule: '0 4 * * *', intervalSeconds: 600 },
      }), 400, 'validation_error', { pointers: ['/intervalSeconds'] });
      assertProblem(await api('PATCH', `/v1/monitors/${m.id}`, { key: admin, body: { timezone: 'UTC' } }),
        400, 'validation_error', { pointers: ['/timezone'] });
      assertProblem(await api('PATCH', `/v1/monitors/${m.id}`, { key: admin, body: { type: 'http' } }),
        400, 'validation_error', { pointers: ['/type'] });
      assertProblem(await api('PATCH', `/v1/monitors/${m.id}`, { key: admin, body: { url: 'https://x.test/' } }),
        400, 'unknown_field', { pointers: ['/url'] });
      assertProblem(await api('PATCH', `/v1/monitors/${m.id}`, { key: admin, body: { pingUrl: 'x' } }),
        400, 'read_only_field', { pointers: ['/pingUrl'] });
    });
    await remove(m.id);
  });

  it('negative: POST /check is 409 for a heartbeat (nothing to probe)', async () => {
    const m = await mk(hbBody());
    await assertNoChange(srv, async () => {
      assertProblem(await api('POST', `/v1/monitors/${m.id}/check`, { key: admin }), 409, 'conflict');
    });
    await remove(m.id);
  });
});

describe('pings', () => {
  it('GET, POST (the body is kept) and HEAD record a success each; the monitor is up', async () => {
    const m = await mk(hbBody({ intervalSeconds: 3600 }));
    const t0 = Date.now();
    assertPingOk(await ping(m.pingUrl));
    assertPingOk(await ping(m.pingUrl, { method: 'POST', body: 'backup done: 42 files\n' }));
    assertPingOk(await ping(m.pingUrl, { method: 'HEAD' }), { head: true });
    const after = await get(m.id);
    assert.equal(after.status, 'up');
    assert.ok(at(after.lastPingAt) >= t0 - 1000 && at(after.lastPingAt) <= Date.now() + 1000);
    // The next ping is expected an interval after the last one.
    assert.equal(at(after.nextCheckAt), at(after.lastPingAt) + 3600e3 + 300e3);
    const rs = await results(m.id);
    assert.equal(rs.length, 3);
    for (const r of rs) {
      assert.deepEqual(Object.keys(r).sort(), ['checkedAt', 'status', 'kind', 'exitCode', 'sourceIp', 'durationMs', 'body',
        'responseTimeMs', 'statusCode', 'error', 'timings'].sort());
      assert.equal(r.kind, 'success');
      assert.equal(r.status, 'up');
      assert.equal(r.sourceIp, '127.0.0.1');
      assert.equal(r.durationMs, null);
      assert.equal(r.exitCode, null);
      assert.equal(r.error, null);
      assert.equal(r.responseTimeMs, null);
      assert.equal(r.timings, null);
      assert.match(r.checkedAt, TIME_RE);
    }
    // Newest first: HEAD, POST, GET.
    assert.deepEqual(rs.map((r) => r.body), [null, 'backup done: 42 files\n', null]);
    assert.ok(at(rs[0].checkedAt) >= at(rs[1].checkedAt) && at(rs[1].checkedAt) >= at(rs[2].checkedAt));
    assert.equal(rs[0].checkedAt, after.lastPingAt);
    await remove(m.id);
  });

  it('start then success reports the run time; start then fail too', async () => {
    const m = await mk(hbBody({ intervalSeconds: 3600, gracePeriodSeconds: 120 }));
    assertPingOk(await ping(`${m.pingUrl}/start`, { method: 'POST', body: 'starting' }));
    const started = await get(m.id);
    // A run must end within the grace: the checker looks then.
    assert.equal(at(started.nextCheckAt), at(started.lastPingAt) + 120e3);
    assert.equal(started.status, 'pending', 'a start is not a success');
    await sleep(150);
    assertPingOk(await ping(m.pingUrl));
    let rs = await results(m.id);
    assert.equal(rs[0].kind, 'success');
    assert.equal(rs[1].kind, 'start');
    assert.equal(rs[1].status, 'up');
    assert.equal(rs[1].body, 'starting');
    assert.equal(rs[1].durationMs, null);
    assert.equal(rs[0].durationMs, at(rs[0].checkedAt) - at(rs[1].checkedAt));
    assert.ok(rs[0].durationMs >= 150, `durationMs ${rs[0].durationMs}`);
    // A second success after it has no run to time.
    assertPingOk(await ping(m.pingUrl, { method: 'POST', body: '' }));
    rs = await results(m.id);
    assert.equal(rs[0].durationMs, null);
    assert.equal(rs[0].body, null, 'an empty body is no log');
    assertPingOk(await ping(`${m.pingUrl}/start`));
    assertPingOk(await ping(`${m.pingUrl}/fail`, { method: 'POST', body: 'disk full' }));
    rs = await results(m.id);
    assert.equal(rs[0].kind, 'fail');
    assert.equal(rs[0].durationMs, at(rs[0].checkedAt) - at(rs[1].checkedAt));
    await remove(m.id);
  });

  it('a fail is down at once (one confirmation), with an outage; a success closes it', async () => {
    const m = await mk(hbBody({ intervalSeconds: 3600 }));
    assertPingOk(await ping(m.pingUrl));
    assertPingOk(await ping(`${m.pingUrl}/fail`, { method: 'POST', body: 'exit 3' }));
    const down = await get(m.id);
    assert.equal(down.status, 'down');
    const rs = await results(m.id);
    assert.equal(rs[0].kind, 'fail');
    assert.equal(rs[0].status, 'down');
    assert.deepEqual(rs[0].error.code, 'job_failed');
    assert.equal(rs[0].body, 'exit 3');
    let os = await outages(m.id);
    assert.equal(os.length, 1);
    assert.equal(os[0].endedAt, null);
    assert.equal(os[0].cause.code, 'job_failed');
    // A fail is a run too: the next ping is expected an interval later.
    assert.equal(at(down.nextCheckAt), at(down.lastPingAt) + 3600e3 + 300e3);
    assertPingOk(await ping(m.pingUrl));
    assert.equal((await get(m.id)).status, 'up');
    os = await outages(m.id);
    assert.ok(os[0].endedAt !== null);
    assert.deepEqual(events(m.id).map((e) => e.kind), ['down', 'up']);
    assert.equal(events(m.id)[0].outage_id, os[0].id);
    // Only fail pings in the down filter, success and start in up.
    assert.deepEqual((await results(m.id, '?status=down')).map((r) => r.kind), ['fail']);
    assert.deepEqual((await results(m.id, '?status=up')).map((r) => r.kind), ['success', 'success']);
    assert.deepEqual(await results(m.id, '?status=degraded'), []);
    await remove(m.id);
  });

  it('confirmations count fail pings like any failure', async () => {
    const m = await mk(hbBody({ intervalSeconds: 3600, confirmations: 2 }));
    assertPingOk(await ping(m.pingUrl));
    assertPingOk(await ping(`${m.pingUrl}/fail`));
    assert.equal((await get(m.id)).status, 'up', 'one failure of two');
    assertPingOk(await ping(`${m.pingUrl}/fail`));
    assert.equal((await get(m.id)).status, 'down');
    await remove(m.id);
  });

  it('a POST body is kept to 10 KiB; what is not UTF-8 reads as U+FFFD', async () => {
    const m = await mk(hbBody());
    const long = 'x'.repeat(12000);
    assertPingOk(await ping(m.pingUrl, { method: 'POST', body: long }));
    let rs = await results(m.id);
    assert.equal(rs[0].body, 'x'.repeat(10240));
    // Bytes, no Content-Type: a bad byte, a cut character, a NUL.
    const bytes = Buffer.from([0x6f, 0x6b, 0xff, 0x20, 0xc3, 0xa9, 0x00, 0x21, 0xe2, 0x82]);
    assertPingOk(await ping(m.pingUrl, { method: 'POST', body: bytes }));
    rs = await results(m.id);
    const want = new TextDecoder().decode(bytes).replaceAll('\u0000', '\ufffd');
    assert.equal(rs[0].body, want);
    assert.equal(want, 'ok\ufffd \u00e9\ufffd!\ufffd');
    await remove(m.id);
  });

  it('pages through pings with the results cursor', async () => {
    const m = await mk(hbBody());
    for (let i = 0; i < 5; i++) assertPingOk(await ping(m.pingUrl, { method: 'POST', body: `p${i}` }));
    const seen = [];
    let url = `/v1/monitors/${m.id}/results?perPage=2`;
    for (let n = 0; n < 5 && url; n++) {
      const res = await api('GET', url, { key: admin });
      const data = assertOk(res);
      seen.push(...data.map((r) => r.body));
      const next = res.json.meta.pagination.next;
      url = next ? `/v1/monitors/${m.id}/results?perPage=2&cursor=${next}` : null;
    }
    assert.deepEqual(seen, ['p4', 'p3', 'p2', 'p1', 'p0']);
    await remove(m.id);
  });

  it('negative: a cursor of another list is 400 on a heartbeat', async () => {
    const m = await mk(hbBody());
    // An "r_" cursor (check results) in the format of lib/page.c.
    const cursor = Buffer.from(`1.${Date.now()}.r_5`).toString('base64url');
    assertProblem(await api('GET', `/v1/monitors/${m.id}/results?cursor=${cursor}`, { key: admin }), 400, 'bad_query');
    await remove(m.id);
  });

  it('negative: unknown tokens are 404 and write nothing', async () => {
    const m = await mk(hbBody());
    const ghost = 'Z'.repeat(32);
    const t = tokenOf(m);
    const oneOff = (t[0] === 'a' ? 'b' : 'a') + t.slice(1);
    await assertNoChange(srv, async () => {
      for (const p of [`/v1/ping/${ghost}`, `/v1/ping/${ghost}/start`, `/v1/ping/${ghost}/fail`,
        `/v1/ping/${oneOff}`, `/v1/ping/${t.slice(0, 31)}`, `/v1/ping/${t}x`, `/v1/ping/${t.slice(0, 30)}-_`]) {
        for (const method of ['GET', 'POST']) {
          const res = await ping(`${srv.baseUrl}${p}`, { method, body: method === 'POST' ? 'x' : undefined });
          assertProblem(res, 404, 'not_found');
        }
      }
      assertProblem(await ping(`${srv.baseUrl}/v1/ping/${tokenOf(m)}/other`), 404, 'not_found');
      assertProblem(await ping(`${srv.baseUrl}/v1/ping/`), 404, 'not_found');
      // Another method: 405 with Allow; a query parameter: 400.
      const put = await api('PUT', m.pingUrl, { rawBody: 'x', headers: { 'content-type': 'text/plain' } });
      assertProblem(put, 405, 'method_not_allowed');
      assert.match(put.headers.get('allow'), /GET, HEAD, POST/);
      assertProblem(await ping(`${m.pingUrl}?rid=1`), 400, 'bad_query');
      // Over the 1 MiB cap: 413, nothing recorded.
      assertProblem(await ping(m.pingUrl, { method: 'POST', body: 'y'.repeat(1024 * 1024 + 10) }), 413,
        'body_too_large');
    });
    await remove(m.id);
  });

  it('a paused heartbeat records pings and changes nothing else', async () => {
    const m = await mk(hbBody({ paused: true }));
    assert.equal(m.status, 'paused');
    assertPingOk(await ping(m.pingUrl));
    assertPingOk(await ping(`${m.pingUrl}/fail`));
    const after = await get(m.id);
    assert.equal(after.status, 'paused');
    assert.equal(after.nextCheckAt, null);
    assert.ok(after.lastPingAt !== null);
    assert.equal((await results(m.id)).length, 2);
    assert.deepEqual(await outages(m.id), []);
    // Resumed: the clock starts again, from the resume.
    const r = assertOk(await api('POST', `/v1/monitors/${m.id}/resume`, { key: admin }));
    assert.equal(r.status, 'pending');
    assert.equal(at(r.nextCheckAt), at(r.updatedAt) + 60e3 + 300e3);
    await remove(m.id);
  });

  it('pings from many processes at once are all recorded (a client process, and plain-CGI runs)', async () => {
    const m = await mk(hbBody({ intervalSeconds: 3600 }));
    await roomInMinute(30e3);
    // 25 pings from another client process through lighttpd, and at the
    // same time ping.fcgi started 10 times as plain CGI: 11 server
    // processes writing the same database.
    const script = `
      const [url, n, tag] = process.argv.slice(1);
      const all = await Promise.all(Array.from({ length: Number(n) }, (_, i) =>
        fetch(url, { method: 'POST', body: tag + '-' + i }).then((r) => r.status)));
      console.log(JSON.stringify(all));`;
    const client = new Promise((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script, m.pingUrl, '25', 'a'],
        { timeout: 60000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err}\n${stderr}`)) : resolve(JSON.parse(stdout))));
    });
    const [a, ...b] = await Promise.all([client,
      ...Array.from({ length: 10 }, (_, i) => cgiPing(tokenOf(m), `b-${i}`))]);
    assert.deepEqual(a, Array(25).fill(200));
    for (const out of b) assert.match(out, /^Status: 200 OK\r\n[\s\S]*\r\n\r\nOK$/, out);
    const rs = await results(m.id, '?perPage=200');
    assert.equal(rs.length, 35);
    const want = [...Array(25).keys()].map((i) => `a-${i}`).concat([...Array(10).keys()].map((i) => `b-${i}`));
    assert.deepEqual(rs.map((r) => r.body).sort(), want.sort());
    assert.equal(rs.filter((r) => r.sourceIp === '192.0.2.9').length, 10);
    assert.equal(pingRows(m.id), 35);
    assert.equal((await get(m.id)).status, 'up');
    await remove(m.id);
  });

  it('a token gets at most 60 pings a minute; past that 429 with Retry-After, nothing recorded', async () => {
    const m = await mk(hbBody({ intervalSeconds: 3600 }));
    const other = await mk(hbBody({ intervalSeconds: 3600 }));
    await roomInMinute(25e3);
    const first = await Promise.all(Array.from({ length: 30 }, () => ping(m.pingUrl)));
    for (let i = 0; i < 30; i++) assertPingOk(await ping(i % 2 ? `${m.pingUrl}/start` : m.pingUrl));
    first.forEach((r) => assertPingOk(r));
    const before = srv.snapshot();
    const over = await ping(`${m.pingUrl}/fail`, { method: 'POST', body: 'x' });
    const left = Math.ceil((MIN - (Date.now() % MIN)) / 1000);
    assertProblem(over, 429, 'rate_limited');
    const ra = Number(over.headers.get('retry-after'));
    assert.ok(Number.isInteger(ra) && ra >= 1 && ra <= 60, `Retry-After ${over.headers.get('retry-after')}`);
    assert.ok(Math.abs(ra - left) <= 2, `Retry-After ${ra}, seconds left in the minute ${left}`);
    assertProblem(await ping(m.pingUrl), 429, 'rate_limited');
    assert.deepEqual(srv.snapshot(), before, 'a refused ping wrote nothing');
    assert.equal(pingRows(m.id), 60);
    // Another token is not affected.
    assertPingOk(await ping(other.pingUrl));
    await remove(m.id, other.id);
  });

  it('deleting a heartbeat removes its pings; its URL is 404', async () => {
    const m = await mk(hbBody());
    assertPingOk(await ping(m.pingUrl));
    await remove(m.id);
    assert.equal(pingRows(m.id), 0);
    assertProblem(await ping(m.pingUrl), 404, 'not_found');
  });
});

describe('exit codes: /v1/ping/{token}/{0-255}', () => {
  it('0 is a success, 1..255 a failure recorded with its code; after /start each has its duration', async () => {
    const m = await mk(hbBody({ intervalSeconds: 3600 }));
    assertPingOk(await ping(`${m.pingUrl}/0`));
    assert.equal((await get(m.id)).status, 'up');
    assertPingOk(await ping(`${m.pingUrl}/start`));
    await sleep(120);
    assertPingOk(await ping(`${m.pingUrl}/3`, { method: 'POST', body: 'rsync: error 3' }));
    const down = await get(m.id);
    assert.equal(down.status, 'down');
    let rs = await results(m.id);
    assert.equal(rs[0].kind, 'fail');
    assert.equal(rs[0].status, 'down');
    assert.equal(rs[0].exitCode, 3);
    assert.equal(rs[0].body, 'rsync: error 3');
    assert.deepEqual(rs[0].error, { code: 'job_failed', message: 'The job exited with code 3 (a ping to /3).' });
    assert.equal(rs[0].durationMs, at(rs[0].checkedAt) - at(rs[1].checkedAt));
    assert.ok(rs[0].durationMs >= 120, `durationMs ${rs[0].durationMs}`);
    assert.equal(rs[1].kind, 'start');
    assert.equal(rs[1].exitCode, null);
    assert.equal(rs[2].kind, 'success');
    assert.equal(rs[2].exitCode, 0);
    const [o] = await outages(m.id);
    assert.equal(o.cause.code, 'job_failed');
    assert.match(o.cause.message, /exited with code 3/);
    assertPingOk(await ping(`${m.pingUrl}/start`));
    assertPingOk(await ping(`${m.pingUrl}/0`, { method: 'HEAD' }), { head: true });
    rs = await results(m.id);
    assert.equal(rs[0].exitCode, 0);
    assert.equal(rs[0].status, 'up');
    assert.ok(Number.isInteger(rs[0].durationMs), 'a run ended by exit code 0 is timed');
    assert.equal((await get(m.id)).status, 'up');
    assertPingOk(await ping(`${m.pingUrl}/255`));
    assert.equal((await results(m.id))[0].exitCode, 255);
    assert.equal((await results(m.id, '?status=down'))[0].exitCode, 255);
    await remove(m.id);
  });

  it('negative: 256, -1, 007 are 400 bad_exit_code, a word is 404, create is 400; nothing recorded', async () => {
    const m = await mk(hbBody());
    await assertNoChange(srv, async () => {
      for (const code of ['256', '-1', '007', '00', '1000', '99999999999999999999', '-0']) {
        for (const method of ['GET', 'POST']) {
          const p = assertProblem(await ping(`${m.pingUrl}/${code}`, { method, body: method === 'POST' ? 'x' : undefined }),
            400, 'bad_exit_code');
          assert.match(p.detail, /0 to 255/);
        }
      }
      for (const word of ['abc', 'ok', 'START', '1a', '-']) {
        assertProblem(await ping(`${m.pingUrl}/${word}`), 404, 'not_found');
      }
      assertProblem(await ping(`${srv.baseUrl}/v1/ping/${'Z'.repeat(32)}/0`), 404, 'not_found');
      assertProblem(await ping(`${m.pingUrl}/0?create=1`), 400, 'bad_query');
      assertProblem(await ping(`${m.pingUrl}/0?other=1`), 400, 'bad_query');
    });
    await remove(m.id);
  });
});

describe('slugs and the team ping key', () => {
  const keyRoute = '/v1/monitors/ping-key';
  const PK_RE = /^pk_[0-9A-Za-z]{32}$/;
  const base = () => `${srv.baseUrl}/v1/ping`;

  it('a heartbeat takes a slug, unique in its team; changing it keeps the clock', async () => {
    const a = await mk(hbBody({ slug: 'nightly-backup_1', intervalSeconds: 3600 }));
    assert.equal(a.slug, 'nightly-backup_1');
    const b = await mk(hbBody());
    assert.equal(b.slug, null);
    const taken = await create(hbBody({ slug: 'nightly-backup_1' }));
    const p = assertProblem(taken, 409, 'conflict');
    assert.equal(p.field, 'slug');
    assertProblem(await api('PATCH', `/v1/monitors/${b.id}`, { key: admin, body: { slug: 'nightly-backup_1' } }),
      409, 'conflict');
    // Another team may use it; the same monitor may keep it.
    const other = assertOk(await create(hbBody({ slug: 'nightly-backup_1' }), otherKey), 201);
    const same = assertOk(await api('PATCH', `/v1/monitors/${a.id}`, { key: admin, body: { slug: 'nightly-backup_1', name: 'x' } }));
    assert.equal(same.nextCheckAt, a.nextCheckAt);
    const moved = assertOk(await api('PATCH', `/v1/monitors/${a.id}`, { key: admin, body: { slug: 'db-dump' } }));
    assert.equal(moved.slug, 'db-dump');
    assert.equal(moved.nextCheckAt, a.nextCheckAt, 'a new slug is no new schedule');
    const cleared = assertOk(await api('PATCH', `/v1/monitors/${a.id}`, { key: admin, body: { slug: null } }));
    assert.equal(cleared.slug, null);
    await remove(a.id, b.id);
    assert.equal((await api('DELETE', `/v1/monitors/${other.id}`, { key: otherKey })).status, 204);
  });

  it('negative: bad slugs are 400 at /slug; a slug on another type is unknown', async () => {
    await assertNoChange(srv, async () => {
      for (const slug of ['', 'Backup', 'start', 'fail', '-x', '_x', 'a b', 'a/b', 'é', 'x'.repeat(64), 5, true]) {
        assertProblem(await create(hbBody({ slug })), 400, 'validation_error', { pointers: ['/slug'] });
      }
      assertProblem(await create({ name: 'w', url: 'https://example.com/', slug: 'w' }), 400, 'unknown_field',
        { pointers: ['/slug'] });
    });
    const m = assertOk(await create(hbBody({ slug: 'x'.repeat(63) })), 201);
    assert.equal(m.slug, 'x'.repeat(63));
    await remove(m.id);
  });

  it('the ping key: made once with its secret shown once, kept hashed, shown, rotated, deleted', async () => {
    assertProblem(await api('GET', keyRoute, { key: admin }), 404, 'not_found');
    const res = await api('POST', keyRoute, { key: admin, body: {} });
    const k = assertOk(res, 201);
    assert.match(res.headers.get('location'), /\/v1\/monitors\/ping-key$/);
    assert.match(k.key, PK_RE);
    assert.equal(k.keyPrefix, k.key.slice(0, 11));
    assert.equal(k.createOnPing, false);
    assert.deepEqual(k.defaults, { intervalSeconds: 86400, gracePeriodSeconds: 3600, confirmations: 1 });
    assert.match(k.createdAt, TIME_RE);
    assert.equal(k.rotatedAt, null);
    const [row] = srv.sql(`SELECT length(key_hash) AS n, key_prefix FROM ping_keys WHERE team_id = '${team}'`);
    assert.equal(Number(row.n), 32);
    assert.ok(!JSON.stringify(srv.sql('SELECT * FROM ping_keys')).includes(k.key.slice(3)), 'the secret is not stored');
    const shown = assertOk(await api('GET', keyRoute, { key: writeOnly }));
    assert.deepEqual(shown, { keyPrefix: k.keyPrefix, createOnPing: false, defaults: k.defaults, createdAt: k.createdAt,
      rotatedAt: null });
    assertProblem(await api('POST', keyRoute, { key: admin, body: {} }), 409, 'conflict');

    const m = await mk(hbBody({ slug: 'etl', intervalSeconds: 3600 }));
    assertPingOk(await ping(`${base()}/${k.key}/etl`));
    assertPingOk(await ping(`${base()}/${k.key}/etl/start`, { method: 'POST', body: 'go' }));
    await sleep(50);
    assertPingOk(await ping(`${base()}/${k.key}/etl/7`));
    let rs = await results(m.id);
    assert.deepEqual(rs.map((r) => [r.kind, r.exitCode]), [['fail', 7], ['start', null], ['success', null]]);
    assert.ok(rs[0].durationMs >= 50);
    assertPingOk(await ping(`${base()}/${k.key}/etl/0`));
    assertPingOk(await ping(`${base()}/${k.key}/etl/fail`));
    rs = await results(m.id);
    assert.deepEqual(rs.slice(0, 2).map((r) => [r.kind, r.exitCode]), [['fail', null], ['success', 0]]);
    // The heartbeat's own token still works.
    assertPingOk(await ping(m.pingUrl));

    const r2 = assertOk(await api('POST', `${keyRoute}/rotate`, { key: admin }));
    assert.match(r2.key, PK_RE);
    assert.notEqual(r2.key, k.key);
    assert.match(r2.rotatedAt, TIME_RE);
    assert.equal(r2.keyPrefix, r2.key.slice(0, 11));
    assertProblem(await ping(`${base()}/${k.key}/etl`), 404, 'not_found');
    assertPingOk(await ping(`${base()}/${r2.key}/etl`));
    assert.equal(assertOk(await api('GET', keyRoute, { key: admin })).key, undefined);

    assert.equal((await api('DELETE', keyRoute, { key: admin })).status, 204);
    assertProblem(await ping(`${base()}/${r2.key}/etl`), 404, 'not_found');
    assertProblem(await api('DELETE', keyRoute, { key: admin }), 404, 'not_found');
    assertProblem(await api('POST', `${keyRoute}/rotate`, { key: admin }), 404, 'not_found');
    assertProblem(await api('PATCH', keyRoute, { key: admin, body: { createOnPing: true } }), 404, 'not_found');
    const actions = srv.sql("SELECT action FROM audit_events WHERE action LIKE 'ping_key.%' ORDER BY at, id")
      .map((e) => e.action);
    assert.deepEqual(actions, ['ping_key.created', 'ping_key.rotated', 'ping_key.deleted']);
    await remove(m.id);
  });

  it('?create=1 makes an unknown slug\'s heartbeat on its first ping, with the key\'s defaults, when the key allows', async () => {
    const k = assertOk(await api('POST', keyRoute, { key: admin, body: { createOnPing: false } }), 201);
    const before = srv.sql('SELECT count(*) AS n FROM monitors')[0].n;
    // Off by default: 404, nothing made.
    const off = assertProblem(await ping(`${base()}/${k.key}/new-job?create=1`), 404, 'not_found');
    assert.match(off.detail, /createOnPing/);
    assertProblem(await ping(`${base()}/${k.key}/new-job`), 404, 'not_found');
    assert.equal(srv.sql('SELECT count(*) AS n FROM monitors')[0].n, before);

    const on = assertOk(await api('PATCH', keyRoute, { key: admin, body: {
      createOnPing: true, defaults: { schedule: '30 2 * * *', timezone: 'Europe/Berlin', gracePeriodSeconds: 900 },
    } }));
    assert.equal(on.createOnPing, true);
    assert.deepEqual(on.defaults, { schedule: '30 2 * * *', timezone: 'Europe/Berlin', gracePeriodSeconds: 900,
      confirmations: 1 });
    assertProblem(await ping(`${base()}/${k.key}/new-job`), 404, 'not_found', 'without create: 404');
    assertPingOk(await ping(`${base()}/${k.key}/new-job?create=1`, { method: 'POST', body: 'first run' }));
    assertPingOk(await ping(`${base()}/${k.key}/new-job/start?create=1`));
    assertPingOk(await ping(`${base()}/${k.key}/new-job/0?create=1`));
    const list = assertOk(await api('GET', '/v1/monitors?type=heartbeat&perPage=200', { key: admin }));
    const made = list.filter((x) => x.slug === 'new-job');
    assert.equal(made.length, 1, 'made once');
    const [m] = made;
    assert.equal(m.name, 'new-job');
    assert.equal(m.schedule, '30 2 * * *');
    assert.equal(m.timezone, 'Europe/Berlin');
    assert.equal(m.gracePeriodSeconds, 900);
    assert.equal(m.intervalSeconds, null);
    assert.equal(m.status, 'up');
    const rs = await results(m.id);
    assert.deepEqual(rs.map((r) => r.kind), ['success', 'start', 'success']);
    assert.equal(rs[2].body, 'first run');
    // A /start or /fail may be the first ping too.
    assertPingOk(await ping(`${base()}/${k.key}/other-job/fail?create=1`));
    const other = assertOk(await api('GET', '/v1/monitors?type=heartbeat&perPage=200', { key: admin }))
      .find((x) => x.slug === 'other-job');
    assert.equal(other.status, 'down');
    // No audit event for pings, creating ones included.
    assert.equal(srv.sql(`SELECT count(*) AS n FROM audit_events WHERE target_id = '${m.id}'`)[0].n, 0);
    await remove(m.id, other.id);
    assert.equal((await api('DELETE', keyRoute, { key: admin })).status, 204);
  });

  it('negative: bad ping keys, slugs and create values write nothing', async () => {
    const k = assertOk(await api('POST', keyRoute, { key: admin, body: { createOnPing: true } }), 201);
    const m = await mk(hbBody({ slug: 'real' }));
    const otherM = assertOk(await create(hbBody({ slug: 'theirs' }), otherKey), 201);
    await assertNoChange(srv, async () => {
      const ghost = 'pk_' + 'Z'.repeat(32);
      for (const p of [`${ghost}/real`, `${ghost}/real?create=1`, `${ghost}/real/start`, `${ghost}/real/0`,
        `${k.key}/theirs`, `${k.key}/nope`, `${k.key}/Real`, `${k.key}/real/abc`, `${k.key.slice(0, 34)}/real`,
        `pk_${k.key.slice(3, 34)}-/real`, `${tokenOf(m)}/real/start`]) {
        assertProblem(await ping(`${base()}/${p}`), 404, 'not_found', p);
      }
      for (const slug of ['Bad', '-x', '_x']) {
        const p = assertProblem(await ping(`${base()}/${k.key}/${slug}?create=1`), 400, 'bad_slug');
        assert.match(p.detail, /a-z, 0-9/);
      }
      // start and fail are the token's words: create does not go with them.
      assertProblem(await ping(`${base()}/${k.key}/start?create=1`), 400, 'bad_query');
      // Past 63 characters no route has the segment.
      assertProblem(await ping(`${base()}/${k.key}/${'x'.repeat(64)}?create=1`), 404, 'not_found');
      for (const q of ['create=2', 'create=yes', 'create=', 'create=1&x=1']) {
        assertProblem(await ping(`${base()}/${k.key}/real?${q}`), 400, 'bad_query');
      }
      assertProblem(await ping(`${base()}/${k.key}/real/256`), 400, 'bad_exit_code');
      assertProblem(await ping(`${base()}/${k.key}/real/-1?create=1`), 400, 'bad_exit_code');
      assertProblem(await ping(`${base()}/${k.key}/real?create=1&create=1`), 400, 'bad_query');
    });
    await remove(m.id);
    assert.equal((await api('DELETE', `/v1/monitors/${otherM.id}`, { key: otherKey })).status, 204);
    assert.equal((await api('DELETE', keyRoute, { key: admin })).status, 204);
  });

  it('negative: bad ping key bodies are 400 naming the field, and scopes and teams hold', async () => {
    await assertNoChange(srv, async () => {
      const cases = [
        [{ createOnPing: 'yes' }, '/createOnPing', 'validation_error'],
        [{ defaults: 'daily' }, '/defaults', 'validation_error'],
        [{ defaults: { intervalSeconds: 10 } }, '/defaults/intervalSeconds', 'validation_error'],
        [{ defaults: { schedule: '61 * * * *' } }, '/defaults/schedule', 'validation_error'],
        [{ defaults: { schedule: '* * * * *', intervalSeconds: 60 } }, '/defaults/intervalSeconds', 'validation_error'],
        [{ defaults: { timezone: 'Mars/Base' } }, '/defaults/timezone', 'validation_error'],
        [{ defaults: { gracePeriodSeconds: -1 } }, '/defaults/gracePeriodSeconds', 'validation_error'],
        [{ defaults: { confirmations: 11 } }, '/defaults/confirmations', 'validation_error'],
        [{ defaults: { name: 'x' } }, '/defaults/name', 'unknown_field'],
        [{ defaults: { slug: 'x' } }, '/defaults/slug', 'unknown_field'],
        [{ keyPrefix: 'pk_x' }, '/keyPrefix', 'read_only_field'],
        [{ key: 'pk_x' }, '/key', 'read_only_field'],
        [{ other: 1 }, '/other', 'unknown_field'],
      ];
      for (const [body, pointer, code] of cases) {
        assertProblem(await api('POST', keyRoute, { key: admin, body }), 400, code, { pointers: [pointer] });
      }
      assertProblem(await api('PUT', keyRoute, { key: admin, body: {} }), 405, 'method_not_allowed');
    });
    await assertNoChange(srv, async () => {
      assertForbidden(await api('GET', keyRoute, { key: readOnly }), 'monitors:write');
      assertForbidden(await api('POST', keyRoute, { key: readOnly, body: {} }), 'monitors:write');
      assertUnauthorized(await api('GET', keyRoute), 'missing_credentials', { presented: false });
    }, { authFailure: true });
    // Each team has its own.
    const mine = assertOk(await api('POST', keyRoute, { key: admin, body: {} }), 201);
    assertProblem(await api('GET', keyRoute, { key: otherKey }), 404, 'not_found');
    const theirs = assertOk(await api('POST', keyRoute, { key: otherKey, body: { createOnPing: true } }), 201);
    assert.notEqual(mine.key, theirs.key);
    const patched = assertOk(await api('PATCH', keyRoute, { key: admin, body: { defaults: { intervalSeconds: 300 } } }));
    assert.deepEqual(patched.defaults, { intervalSeconds: 300, gracePeriodSeconds: 300, confirmations: 1 });
    assertProblem(await api('PATCH', keyRoute, { key: admin, body: { defaults: { intervalSeconds: 1 } } }), 400,
      'validation_error', { pointers: ['/defaults/intervalSeconds'] });
    assert.deepEqual(assertOk(await api('GET', keyRoute, { key: admin })).defaults, patched.defaults);
    for (const k of [admin, otherKey]) assert.equal((await api('DELETE', keyRoute, { key: k })).status, 204);
  });
});

describe('POST /v1/monitors/{id}/rotate-ping-token', () => {
  it('gives a new URL; the old one is 404 at once, the new one works', async () => {
    const m = await mk(hbBody({ intervalSeconds: 3600 }));
    assertPingOk(await ping(m.pingUrl));
    const r = assertOk(await api('POST', `/v1/monitors/${m.id}/rotate-ping-token`, { key: writeOnly }));
    assert.notEqual(r.pingUrl, m.pingUrl);
    assert.match(tokenOf(r), TOKEN_RE);
    assert.equal(r.pingUrl, `${srv.baseUrl}/v1/ping/${tokenOf(r)}`);
    assert.equal(r.status, 'up', 'the state stays');
    assert.equal(r.nextCheckAt, (await get(m.id)).nextCheckAt);
    assertProblem(await ping(m.pingUrl), 404, 'not_found');
    assertProblem(await ping(`${m.pingUrl}/start`), 404, 'not_found');
    assertPingOk(await ping(r.pingUrl));
    assertPingOk(await ping(`${r.pingUrl}/fail`));
    assert.equal((await results(m.id)).length, 3);
    assert.equal((await get(m.id)).pingUrl, r.pingUrl);
    const ev = srv.sql(`SELECT action, status FROM audit_events WHERE target_id = '${m.id}' ` +
      "AND action = 'monitor.ping_token_rotated'");
    assert.deepEqual(ev, [{ action: 'monitor.ping_token_rotated', status: 200 }]);
    await remove(m.id);
  });

  it('negative: no key 401, wrong scope 403, another team\'s or no monitor 404, not a heartbeat 409', async () => {
    const m = await mk(hbBody());
    const http = await mk({ name: 'web', url: 'https://example.com/' });
    const path = `/v1/monitors/${m.id}/rotate-ping-token`;
    await assertNoChange(srv, async () => {
      assertUnauthorized(await api('POST', path), 'missing_credentials', { presented: false });
      assertForbidden(await api('POST', path, { key: readOnly }), 'monitors:write');
      assertForbidden(await api('POST', path, { key: alertsOnly }), 'monitors:write');
    }, { authFailure: true });
    await assertNoChange(srv, async () => {
      assertProblem(await api('POST', path, { key: otherKey }), 404, 'not_found');
      assertProblem(await api('POST', `/v1/monitors/${GHOST_ID}/rotate-ping-token`, { key: admin }), 404, 'not_found');
      assertProblem(await api('POST', '/v1/monitors/mon_short/rotate-ping-token', { key: admin }), 404, 'not_found');
      assertProblem(await api('POST', `/v1/monitors/${http.id}/rotate-ping-token`, { key: admin }), 409, 'conflict');
      assertProblem(await api('POST', path, { key: admin, body: { token: 'mine' } }), 400, 'unknown_field');
      assertProblem(await api('POST', `${path}?x=1`, { key: admin }), 400, 'bad_query');
      const g = await api('GET', path, { key: admin });
      assertProblem(g, 405, 'method_not_allowed');
    });
    assertPingOk(await ping(m.pingUrl));
    await remove(m.id, http.id);
  });
});

describe('the checker judges heartbeats (uptime-check --now)', () => {
  it('a late ping is down (ping_late); the next ping brings it up and closes the outage', async () => {
    const m = await mk(hbBody({ intervalSeconds: 60, gracePeriodSeconds: 30 }));
    assertPingOk(await ping(m.pingUrl));
    const last = at((await get(m.id)).lastPingAt);
    // Before the deadline (last + 60 s + 30 s): nothing happens.
    let r = await check(last + 89e3);
    assert.equal(r.code, 0, r.stderr);
    let now = await get(m.id);
    assert.equal(now.status, 'up');
    assert.equal(at(now.nextCheckAt), last + 90e3);
    // Past it: down, one outage, one down event.
    r = await check(last + 91e3);
    assert.equal(r.code, 0, r.stderr);
    now = await get(m.id);
    assert.equal(now.status, 'down');
    const changed = at(now.lastStatusChangeAt);
    assert.ok(changed >= last + 91e3 && changed < last + 91e3 + 10e3, `judged at the pretend time: ${iso(changed)}`);
    // The next slot keeps the phase: expected at last + 120 s.
    assert.equal(at(now.nextCheckAt), last + 120e3 + 30e3);
    let os = await outages(m.id);
    assert.equal(os.length, 1);
    assert.equal(os[0].cause.code, 'ping_late');
    assert.match(os[0].cause.message, /expected at/);
    assert.equal(os[0].endedAt, null);
    assert.deepEqual(events(m.id).map((e) => e.kind), ['down']);
    // The judgment is not a ping.
    assert.equal((await results(m.id)).length, 1);
    // Later still: another missed slot; the one at last + 10 min is
    // still within its grace.
    r = await check(last + 10 * 60e3);
    now = await get(m.id);
    assert.equal(now.status, 'down');
    assert.equal(at(now.nextCheckAt), last + 10 * 60e3 + 30e3);
    assert.equal((await outages(m.id)).length, 1);
    // A ping: up, the outage closed, an up event.
    assertPingOk(await ping(m.pingUrl));
    now = await get(m.id);
    assert.equal(now.status, 'up');
    os = await outages(m.id);
    assert.equal(os.length, 1);
    assert.ok(os[0].endedAt !== null, 'the outage is closed');
    assert.deepEqual(events(m.id).map((e) => e.kind), ['down', 'up']);
    await remove(m.id);
  });

  it('a heartbeat that never pings is down one interval plus grace after it was created', async () => {
    const m = await mk(hbBody({ intervalSeconds: 300, gracePeriodSeconds: 0 }));
    const created = at(m.createdAt);
    await check(created + 300e3 - 1000);
    assert.equal((await get(m.id)).status, 'pending');
    await check(created + 300e3 + 1000);
    const now = await get(m.id);
    assert.equal(now.status, 'down');
    assert.equal((await outages(m.id))[0].cause.code, 'ping_late');
    await remove(m.id);
  });

  it('several heartbeats due in one round are each judged once', async () => {
    const ms = [];
    for (let i = 0; i < 3; i++) ms.push(await mk(hbBody({ intervalSeconds: 300, gracePeriodSeconds: 0 })));
    const r = await check(Math.max(...ms.map((m) => at(m.createdAt))) + 301e3);
    assert.equal(r.code, 0, r.stderr);
    for (const m of ms) {
      assert.equal((await get(m.id)).status, 'down');
      assert.deepEqual(events(m.id).map((e) => e.kind), ['down']);
    }
    await remove(...ms.map((m) => m.id));
  });

  it('a start without a success within the grace is down (run_not_finished)', async () => {
    const m = await mk(hbBody({ intervalSeconds: 3600, gracePeriodSeconds: 120 }));
    assertPingOk(await ping(m.pingUrl));
    assertPingOk(await ping(`${m.pingUrl}/start`));
    const started = at((await get(m.id)).lastPingAt);
    await check(started + 119e3);
    assert.equal((await get(m.id)).status, 'up');
    await check(started + 121e3);
    const now = await get(m.id);
    assert.equal(now.status, 'down');
    const os = await outages(m.id);
    assert.equal(os[0].cause.code, 'run_not_finished');
    // The run is given up; the next ping is still expected on time.
    const success = at((await results(m.id))[1].checkedAt);
    assert.equal(at(now.nextCheckAt), success + 3600e3 + 120e3);
    // The late success brings it up; the abandoned run has no duration.
    assertPingOk(await ping(m.pingUrl));
    assert.equal((await get(m.id)).status, 'up');
    assert.ok((await outages(m.id))[0].endedAt !== null);
    assert.equal((await results(m.id))[0].durationMs, null);
    await remove(m.id);
  });

  it('a run that finishes within the grace is no failure, even past the expected time', async () => {
    const m = await mk(hbBody({ intervalSeconds: 60, gracePeriodSeconds: 600 }));
    assertPingOk(await ping(`${m.pingUrl}/start`));
    const started = at((await get(m.id)).lastPingAt);
    // The interval is long over, the run's grace is not.
    await check(started + 300e3);
    const now = await get(m.id);
    assert.equal(now.status, 'pending');
    assert.equal(at(now.nextCheckAt), started + 600e3);
    assert.deepEqual(await outages(m.id), []);
    await remove(m.id);
  });

  it('schedules follow daylight saving in Europe/Berlin (spring 2027, autumn 2027)', async () => {
    // "30 2 * * *": on 28 March 2027 02:30 does not exist in Berlin; the
    // job runs at 03:00 CEST (01:00Z).  The next day 02:30 CEST (00:30Z).
    const m = await mk(hbBody({ schedule: '30 2 * * *', timezone: 'Europe/Berlin', gracePeriodSeconds: 60 }));
    await check('2027-03-27T12:00:00Z');    // long late: judged, next slot after now
    let now = await get(m.id);
    assert.equal(now.status, 'down');
    assert.equal(now.nextCheckAt, '2027-03-28T01:01:00.000Z');
    await check('2027-03-28T01:01:01Z');
    now = await get(m.id);
    assert.equal(now.nextCheckAt, '2027-03-29T00:31:00.000Z');
    // 31 October 2027: 02:30 comes twice (CEST 00:30Z, CET 01:30Z); the
    // job runs at the first; the next is 1 November 02:30 CET (01:30Z).
    await check('2027-10-30T12:00:00Z');
    now = await get(m.id);
    assert.equal(now.nextCheckAt, '2027-10-31T00:31:00.000Z');
    await check('2027-10-31T00:31:01Z');
    now = await get(m.id);
    assert.equal(now.nextCheckAt, '2027-11-01T01:31:00.000Z');
    await remove(m.id);
  });

  it('schedules follow daylight saving in America/New_York (spring 2027)', async () => {
    // 14 March 2027: 02:00 EST jumps to 03:00 EDT; "15 2 * * *" runs at
    // 03:00 EDT (07:00Z), then 02:15 EDT (06:15Z) the day after.
    const m = await mk(hbBody({ schedule: '15 2 * * *', timezone: 'America/New_York', gracePeriodSeconds: 0 }));
    await check('2027-03-13T12:00:00Z');
    assert.equal((await get(m.id)).nextCheckAt, '2027-03-14T07:00:00.000Z');
    await check('2027-03-14T07:00:01Z');
    assert.equal((await get(m.id)).nextCheckAt, '2027-03-15T06:15:00.000Z');
    await remove(m.id);
  });

  it('negative: --now must be an RFC 3339 time', async () => {
    const r = await runCron(srv, 'uptime-check', ['--now', 'tomorrow']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--now needs an RFC 3339 time/);
  });
});
