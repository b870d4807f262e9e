// One-off checks: POST /v1/checks (monitors.fcgi, monitors:write) runs one
// check of a URL, host or DNS name without a monitor, with a monitor's
// target fields, validation, target policy and result shape, and records
// nothing but its audit event.  Against local targets this file starts on
// 127.0.0.1 (HTTP, TCP, a UDP DNS server); the per-team budget
// (UPTIME_CHECK_RATE_LIMIT) and the shared run-now limit
// (UPTIME_MAX_RUN_NOW) on servers of their own.

import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sleep } from './lib/harness.mjs';
import {
  assertOk, assertProblem, assertNoChange, assertUnauthorized, assertForbidden, TIME_RE,
} from './lib/checks.mjs';
import { startHttpTarget, startTcpTarget, startDnsServer, closedPort, targetSet } from './lib/targets.mjs';

const ZONE = {
  'svc.uptime.test': { A: ['192.0.2.10'], TXT: ['hello=world'] },
  'loop.uptime.test': { A: ['127.0.0.1'] },
};

let srv;          // private targets allowed, so the local targets can be checked
let safe;         // private targets refused: the default
let tight;        // UPTIME_CHECK_RATE_LIMIT=3
let dns;
let key, readKey, safeKey;
const targets = targetSet();

const run = (body, k = key, server = srv) => server.api('POST', '/v1/checks', { key: k, body });
const RESULT_KEYS = ['checkedAt', 'dueAt', 'startLagMs', 'status', 'responseTimeMs', 'statusCode', 'error', 'timings', 'location'];

async function web() {
  return targets.add(await startHttpTarget(async (req, res) => {
    const u = new URL(req.url, 'http://x');
    if (u.pathname === '/ok') return res.end('all good');
    if (u.pathname === '/json') { res.setHeader('Content-Type', 'application/json'); return res.end('{"status":"ok","n":3}'); }
    if (u.pathname === '/fail') { res.statusCode = 503; return res.end('down'); }
    if (u.pathname === '/hang') { await sleep(20000); return res.end('late'); }
    if (u.pathname === '/echo') return res.end(`${req.method} ${req.headers['x-probe'] ?? ''}`);
    return res.end('default');
  }));
}

function rows(server) {
  return Number(server.sql('SELECT (SELECT count(*) FROM check_results) + (SELECT count(*) FROM monitors) + '
    + '(SELECT count(*) FROM check_leases) + (SELECT count(*) FROM run_now_leases) AS n')[0].n);
}

before(async () => {
  dns = await startDnsServer(ZONE);
  const env = { UPTIME_DNS_SERVERS: dns.servers, UPTIME_RATE_LIMIT: '1000000', UPTIME_CHECK_RATE_LIMIT: '1000' };
  srv = await startServer({ allowPrivate: true, env });
  safe = await startServer({ allowPrivate: false, env });
  tight = await startServer({ allowPrivate: true, env: { ...env, UPTIME_CHECK_RATE_LIMIT: '3' } });
  const team = await srv.createTeam('Checks team');
  key = await srv.createKey(team, { name: 'admin' });
  readKey = await srv.createKey(team, { name: 'reader', scopes: 'monitors:read' });
  safeKey = await safe.createKey(await safe.createTeam('Safe team'), { name: 'admin' });
});

afterEach(() => targets.closeAll());

after(async () => {
  await targets.closeAll();
  const errors = [];
  for (const x of [srv, safe, tight]) {
    try { await x?.stop(); } catch (e) { errors.push(e); }
  }
  await dns?.close();
  if (errors.length) throw errors[0];
});

describe('POST /v1/checks runs one check and answers its result', () => {
  it('http: up, with the result shape of a monitor\'s results, and nothing recorded', async () => {
    const t = await web();
    const before = rows(srv);
    const r = assertOk(await run({ url: t.url('/ok') }));
    assert.deepEqual(Object.keys(r).sort(), [...RESULT_KEYS].sort());
    assert.equal(r.status, 'up');
    assert.equal(r.location, 'local');
    assert.equal(r.statusCode, 200);
    assert.equal(r.error, null);
    assert.match(r.checkedAt, TIME_RE);
    assert.equal(r.dueAt, null);
    assert.equal(r.startLagMs, null);
    assert.ok(Number.isInteger(r.responseTimeMs) && r.responseTimeMs >= 0);
    assert.equal(t.hits('/ok'), 1);
    assert.equal(rows(srv), before, 'no result, monitor or lease left behind');
    const [ev] = srv.sql("SELECT action, status, target_id FROM audit_events WHERE action = 'check.run' "
      + 'ORDER BY at DESC LIMIT 1');
    assert.deepEqual(ev, { action: 'check.run', status: 200, target_id: null });
  });

  it('http: method, headers, expected codes, and content checks (text and JSON) as on a monitor', async () => {
    const t = await web();
    const echo = assertOk(await run({ url: t.url('/echo'), method: 'POST', headers: { 'X-Probe': 'yes' },
      body: 'x', contentChecks: [{ type: 'contains', value: 'POST yes' }] }));
    assert.equal(echo.status, 'up', JSON.stringify(echo));
    const down = assertOk(await run({ type: 'http', url: t.url('/fail') }));
    assert.equal(down.status, 'down');
    assert.equal(down.error.code, 'unexpected_status');
    assert.equal(down.statusCode, 503);
    assert.equal(assertOk(await run({ url: t.url('/fail'), expectedStatusCodes: [503] })).status, 'up');
    const json = assertOk(await run({ url: t.url('/json'), contentChecks: [{ type: 'json', pointer: '/n', op: 'gt', value: 2 }] }));
    assert.equal(json.status, 'up', JSON.stringify(json));
    const notJson = assertOk(await run({ url: t.url('/ok'), contentChecks: [{ type: 'json', pointer: '/n', op: 'exists' }] }));
    assert.equal(notJson.error.code, 'content_not_json');
  });

  it('http: the request waits for the check, bounded by timeoutSeconds', async () => {
    const t = await web();
    const start = Date.now();
    const r = assertOk(await run({ url: t.url('/hang'), timeoutSeconds: 1 }));
    const took = Date.now() - start;
    assert.equal(r.status, 'down');
    assert.equal(r.error.code, 'timeout');
    assert.equal(r.responseTimeMs, null);
    assert.ok(took >= 900 && took < 5000, `${took} ms`);
  });

  it('tcp: an open port is up, a closed one down with connect_failed', async () => {
    const tcp = targets.add(await startTcpTarget());
    const up = assertOk(await run({ type: 'tcp', host: '127.0.0.1', port: tcp.port }));
    assert.equal(up.status, 'up');
    assert.equal(up.statusCode, null);
    const down = assertOk(await run({ type: 'tcp', host: '127.0.0.1', port: await closedPort() }));
    assert.equal(down.status, 'down');
    assert.equal(down.error.code, 'connect_failed');
  });

  it('dns: answers and expectedValue, through UPTIME_DNS_SERVERS', async () => {
    assert.equal(assertOk(await run({ type: 'dns', hostname: 'svc.uptime.test' })).status, 'up');
    assert.equal(assertOk(await run({ type: 'dns', hostname: 'svc.uptime.test', expectedValue: '192.0.2.10' })).status, 'up');
    const miss = assertOk(await run({ type: 'dns', hostname: 'svc.uptime.test', expectedValue: '192.0.2.99' }));
    assert.equal(miss.error.code, 'dns_mismatch');
    const txt = assertOk(await run({ type: 'dns', hostname: 'svc.uptime.test', recordType: 'TXT', expectedValue: 'hello=world' }));
    assert.equal(txt.status, 'up', JSON.stringify(txt));
    assert.equal(assertOk(await run({ type: 'dns', hostname: 'nothing.uptime.test' })).error.code, 'dns_failed');
  });
});

describe('POST /v1/checks refuses what a monitor would, and records nothing', () => {
  it('negative: each bad body is a 400 naming its field', async () => {
    const cases = [
      [{}, '/url', 'validation_error'],
      [{ url: 'ftp://example.com/' }, '/url', 'validation_error'],
      [{ url: 'https://user:pw@example.com/' }, '/url', 'validation_error'],
      [{ url: 'https://example.com/', method: 'FETCH' }, '/method', 'validation_error'],
      [{ url: 'https://example.com/', timeoutSeconds: 0 }, '/timeoutSeconds', 'validation_error'],
      [{ url: 'https://example.com/', timeoutSeconds: 61 }, '/timeoutSeconds', 'validation_error'],
      [{ url: 'https://example.com/', contentChecks: [{ type: 'json', pointer: 'x', op: 'eq', value: 1 }] },
        '/contentChecks/0/pointer', 'validation_error'],
      [{ type: 'heartbeat' }, '/type', 'validation_error'],
      [{ type: 'smtp', url: 'https://example.com/' }, '/type', 'validation_error'],
      [{ type: 'tcp', host: 'example.com' }, '/port', 'validation_error'],
      [{ type: 'tcp', host: 'example.com', port: 70000 }, '/port', 'validation_error'],
      [{ type: 'tcp', host: 'bad host', port: 80 }, '/host', 'validation_error'],
      [{ type: 'dns' }, '/hostname', 'validation_error'],
      [{ type: 'dns', hostname: 'example.com', recordType: 'SRV' }, '/recordType', 'validation_error'],
      [{ url: 'https://example.com/', name: 'x' }, '/name', 'unknown_field'],
      [{ url: 'https://example.com/', intervalSeconds: 60 }, '/intervalSeconds', 'unknown_field'],
      [{ url: 'https://example.com/', tags: [] }, '/tags', 'unknown_field'],
      [{ url: 'https://example.com/', sslExpiryWarningDays: 3 }, '/sslExpiryWarningDays', 'unknown_field'],
      [{ url: 'https://example.com/', host: 'example.com' }, '/host', 'unknown_field'],
      [{ url: 'https://example.com/', schedule: '* * * * *' }, '/schedule', 'unknown_field'],
      [{ url: 'https://example.com/', id: 'mon_AAAAAAAAAAAAAAAAAAAA' }, '/id', 'unknown_field'],
    ];
    await assertNoChange(srv, async () => {
      for (const [body, pointer, code] of cases) {
        assertProblem(await run(body), 400, code, { pointers: [pointer] });
      }
    });
  });

  it('negative: not JSON, or not an object', async () => {
    await assertNoChange(srv, async () => {
      assertProblem(await srv.api('POST', '/v1/checks', { key, rawBody: 'url=x' }),
        400, 'malformed_json');
      assertProblem(await srv.api('POST', '/v1/checks', { key }), 400, 'malformed_json');
    });
  });

  it('negative: with private targets off, a private URL is 400 at /url, and a name that resolves to loopback is refused at check time', async () => {
    await assertNoChange(safe, async () => {
      for (const url of ['http://127.0.0.1:8080/', 'http://localhost/', 'http://169.254.169.254/', 'http://[::1]/']) {
        const p = assertProblem(await run({ url }, safeKey, safe), 400, 'validation_error', { pointers: ['/url'] });
        assert.match(p.errors[0].detail, /UPTIME_ALLOW_PRIVATE_TARGETS|never reached/);
      }
      assertProblem(await run({ type: 'tcp', host: '127.0.0.1', port: 22 }, safeKey, safe), 400, 'validation_error',
        { pointers: ['/host'] });
    });
    const guard = targets.add(await startTcpTarget());
    const r = assertOk(await run({ type: 'tcp', host: 'loop.uptime.test', port: guard.port, timeoutSeconds: 2 }, safeKey, safe));
    assert.equal(r.status, 'down');
    assert.equal(r.error.code, 'target_refused');
    assert.doesNotMatch(r.error.message, /127\.0\.0\.1/);
    assert.equal(guard.stats.connections, 0, 'no connection made');
  });

  it('negative: a key without monitors:write is 403, no key 401, GET is 405', async () => {
    assertForbidden(await run({ url: 'https://example.com/' }, readKey), 'monitors:write');
    assertUnauthorized(await srv.api('POST', '/v1/checks', { body: { url: 'https://example.com/' } }),
      'missing_credentials', { presented: false });
    const g = assertProblem(await srv.api('GET', '/v1/checks', { key }), 405, 'method_not_allowed');
    assert.ok(g);
  });
});

describe('the per-team budget (UPTIME_CHECK_RATE_LIMIT) and UPTIME_MAX_RUN_NOW', () => {
  it('negative: past the budget, 429 checks_rate_limited with Retry-After, the limit and the setting; bad bodies do not count; other teams are not affected', async () => {
    const t = await web();
    const k = await tight.createKey(await tight.createTeam('Budget team'), { name: 'admin' });
    const other = await tight.createKey(await tight.createTeam('Other team'), { name: 'admin' });
    // Counted in calendar minutes: start early in one, so the three fit.
    const s = new Date().getUTCSeconds();
    if (s > 45) await sleep((61 - s) * 1000);
    for (let i = 0; i < 5; i++) assertProblem(await run({ url: 'nope' }, k, tight), 400, 'validation_error');
    for (let i = 0; i < 3; i++) assert.equal(assertOk(await run({ url: t.url('/ok') }, k, tight)).status, 'up');
    const res = await run({ url: t.url('/ok') }, k, tight);
    const p = assertProblem(res, 429, 'checks_rate_limited');
    assert.equal(p.limit, 3);
    assert.equal(p.setting, 'UPTIME_CHECK_RATE_LIMIT');
    const ra = Number(res.headers.get('retry-after'));
    assert.ok(ra >= 1 && ra <= 60, `Retry-After ${ra}`);
    assert.equal(t.hits('/ok'), 3, 'the refused check made no request');
    assert.equal(assertOk(await run({ url: t.url('/ok') }, other, tight)).status, 'up');
  });

  it('negative: a one-off check in flight holds the team\'s run-now place: another, or a monitor\'s check, is 429 run_now_busy', async () => {
    const t = await web();
    const m = assertOk(await srv.api('POST', '/v1/monitors', { key, body: { name: 'm', url: t.url('/ok') } }), 201);
    const slow = run({ url: t.url('/hang'), timeoutSeconds: 2 });
    await sleep(500);
    const busy = await run({ url: t.url('/ok') });
    const p = assertProblem(busy, 429, 'run_now_busy');
    assert.equal(p.setting, 'UPTIME_MAX_RUN_NOW');
    assert.ok(Number(busy.headers.get('retry-after')) >= 1);
    assertProblem(await srv.api('POST', `/v1/monitors/${m.id}/check`, { key }), 429, 'run_now_busy');
    assert.equal(assertOk(await slow).error.code, 'timeout');
    // Given back: the next runs.
    assert.equal(assertOk(await run({ url: t.url('/ok') })).status, 'up');
    assert.equal(Number(srv.sql('SELECT count(*) AS n FROM check_leases')[0].n), 0);
    await srv.api('DELETE', `/v1/monitors/${m.id}`, { key });
  });
});
