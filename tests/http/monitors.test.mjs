// The monitors resource: API.md section 4 "Monitors" (CRUD, validation,
// PATCH semantics, pause and resume, results, stats, outages, the team
// status) with the conventions of sections 2 and 3 (scopes, teams, 404s,
// problems, pagination).  Checks here run through POST /{id}/check against
// a local target; cron/uptime-check itself is tested in checker.test.mjs.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sleep } from './lib/harness.mjs';
import {
  assertOk, assertProblem, assertNoChange, assertUnauthorized, assertForbidden, show, TIME_RE,
} from './lib/checks.mjs';
import { startHttpTarget } from './lib/targets.mjs';

const MON_ID_RE = /^mon_[0-9A-Za-z]{20}$/;
const OUT_ID_RE = /^out_[0-9A-Za-z]{20}$/;
const GHOST_ID = 'mon_' + 'A'.repeat(20);           // well formed, never issued

let srv;
let web;            // local HTTP target
let team, admin, readOnly, writeOnly, alertsOnly;
let otherTeam, otherKey;
let flip = 200;     // status of web's /flip

const HTTP_DEFAULTS = {
  type: 'http',
  intervalSeconds: 60,
  timeoutSeconds: 10,
  confirmations: 1,
  paused: false,
  tags: [],
  locations: ['local'],
  quorum: null,
  recoveryConfirmations: 1,
  retryIntervalSeconds: null,
  method: 'GET',
  headers: {},
  body: null,
  expectedStatusCodes: ['200-299'],
  followRedirects: true,
  verifyTls: true,
  degradedAfterMs: 5000,
  contentChecks: [],
  sslExpiryWarningDays: 14,
};
const STATE_FIELDS = ['status', 'lastCheckedAt', 'nextCheckAt', 'lastStatusChangeAt', 'lastResponseTimeMs',
  'createdAt', 'updatedAt'];
const HTTP_KEYS = ['id', 'name', ...Object.keys(HTTP_DEFAULTS), 'url', ...STATE_FIELDS, 'ssl', 'locationStates'];
const TCP_KEYS = ['id', 'name', 'type', 'intervalSeconds', 'timeoutSeconds', 'confirmations', 'paused', 'tags', 'locations',
  'quorum', 'recoveryConfirmations', 'retryIntervalSeconds', 'locationStates',
  'host', 'port', ...STATE_FIELDS];
const DNS_KEYS = ['id', 'name', 'type', 'intervalSeconds', 'timeoutSeconds', 'confirmations', 'paused', 'tags', 'locations',
  'quorum', 'recoveryConfirmations', 'retryIntervalSeconds', 'locationStates',
  'hostname', 'recordType', 'expectedValue', 'lastValue', ...STATE_FIELDS];

const api = (...a) => srv.api(...a);
const create = (body, key = admin) => api('POST', '/v1/monitors', { key, body });
async function mk(body, key = admin) {
  const res = await create(body, key);
  return assertOk(res, 201);
}
const httpBody = (extra = {}) => ({ name: 'web', url: web.url('/ok'), ...extra });
const get = async (id, key = admin) => assertOk(await api('GET', `/v1/monitors/${id}`, { key }));
const checkNow = async (id, key = admin) => assertOk(await api('POST', `/v1/monitors/${id}/check`, { key }));
const sameKeys = (obj, keys) => assert.deepEqual(Object.keys(obj).sort(), [...keys].sort(),
  `members of ${JSON.stringify(obj)}`);
const near = (iso, ms = Date.now(), slack = 60e3) => Math.abs(Date.parse(iso) - ms) < slack;

// Every route of the family, for one monitor id.
function routes(id) {
  return [
    ['GET', '/v1/monitors', undefined, 'monitors:read'],
    ['POST', '/v1/monitors', { name: 'x', url: 'https://example.com/' }, 'monitors:write'],
    ['GET', `/v1/monitors/${id}`, undefined, 'monitors:read'],
    ['PATCH', `/v1/monitors/${id}`, { name: 'renamed' }, 'monitors:write'],
    ['DELETE', `/v1/monitors/${id}`, undefined, 'monitors:write'],
    ['POST', `/v1/monitors/${id}/pause`, undefined, 'monitors:write'],
    ['POST', `/v1/monitors/${id}/resume`, undefined, 'monitors:write'],
    ['POST', `/v1/monitors/${id}/check`, undefined, 'monitors:write'],
    ['GET', `/v1/monitors/${id}/results`, undefined, 'monitors:read'],
    ['GET', `/v1/monitors/${id}/stats`, undefined, 'monitors:read'],
    ['GET', `/v1/monitors/${id}/outages`, undefined, 'monitors:read'],
    ['GET', '/v1/status', undefined, 'monitors:read'],
    ['GET', '/v1/monitors/stats', undefined, 'monitors:read'],
  ];
}
const itemRoutes = (id) => routes(id).filter(([, p]) => p.includes(id));

// Rows that belong to one monitor, by table.
function rowsOf(id) {
  const out = {};
  for (const t of ['monitors', 'check_results', 'outages', 'monitor_events', 'rollups_hourly', 'rollups_daily']) {
    const col = t === 'monitors' ? 'id' : 'monitor_id';
    out[t] = srv.sql(`SELECT count(*) AS n FROM ${t} WHERE ${col} = '${id}'`)[0].n;
  }
  return out;
}

before(async () => {
  web = await startHttpTarget(async (req, res) => {
    const u = new URL(req.url, 'http://x');
    if (u.pathname === '/ok') return res.end('hello world');
    if (u.pathname === '/fail') { res.statusCode = 500; return res.end('broken'); }
    if (u.pathname === '/flip') { res.statusCode = flip; return res.end(`status ${flip}`); }
    if (u.pathname === '/slow') { await sleep(Number(u.searchParams.get('ms') || 200)); return res.end('slow'); }
    res.statusCode = 404;
    res.end('not found');
  });
  srv = await startServer({ allowPrivate: true, env: { UPTIME_RATE_LIMIT: '1000000' } });
  team = await srv.createTeam('Monitors team');
  admin = await srv.createKey(team, { name: 'admin' });
  readOnly = await srv.createKey(team, { name: 'reader', scopes: ['monitors:read'] });
  writeOnly = await srv.createKey(team, { name: 'writer', scopes: ['monitors:write'] });
  alertsOnly = await srv.createKey(team, { name: 'alerts', scopes: ['alerts:read', 'alerts:write'] });
  otherTeam = await srv.createTeam('Other team');
  otherKey = await srv.createKey(otherTeam, { name: 'other admin' });
});

after(async () => {
  await web?.close();
  await srv?.stop();
});

// ---------------------------------------------------------------------------

describe('POST /v1/monitors', () => {
  it('creates an http monitor with every default filled in', async () => {
    const before = Date.now();
    const res = await create({ name: 'Homepage', url: web.url('/ok') });
    const d = assertOk(res, 201);
    const loc = res.headers.get('location');
    assert.ok(loc === `${srv.mount}/v1/monitors/${d.id}` || loc === `${srv.baseUrl}/v1/monitors/${d.id}`, `Location ${loc}`);
    sameKeys(d, HTTP_KEYS);
    assert.match(d.id, MON_ID_RE);
    assert.equal(d.name, 'Homepage');
    assert.equal(d.url, web.url('/ok'));
    for (const [k, v] of Object.entries(HTTP_DEFAULTS)) assert.deepEqual(d[k], v, `default of ${k}`);
    assert.equal(d.status, 'pending');
    assert.equal(d.lastCheckedAt, null);
    assert.equal(d.lastStatusChangeAt, null);
    assert.equal(d.lastResponseTimeMs, null);
    assert.equal(d.ssl, null);
    assert.match(d.createdAt, TIME_RE);
    assert.match(d.updatedAt, TIME_RE);
    assert.ok(Date.parse(d.createdAt) >= before - 1000 && near(d.createdAt), `createdAt ${d.createdAt}`);
    // New monitors are due at once.
    assert.equal(d.nextCheckAt, d.createdAt);

    // Following Location gives the same object.
    assert.deepEqual(assertOk(await api('GET', loc, { key: admin })), d);
  });

  it('tcp and dns monitors carry their own fields and no ssl member', async () => {
    const t = await mk({ name: 'db', type: 'tcp', host: 'db.example.com', port: 5432 });
    sameKeys(t, TCP_KEYS);
    assert.equal(t.type, 'tcp');
    assert.equal(t.host, 'db.example.com');
    assert.equal(t.port, 5432);
    assert.equal(t.status, 'pending');
    const d = await mk({ name: 'mx', type: 'dns', hostname: 'example.com' });
    sameKeys(d, DNS_KEYS);
    assert.equal(d.recordType, 'A');
    assert.equal(d.expectedValue, null);
    assert.deepEqual(await get(t.id), t);
    assert.deepEqual(await get(d.id), d);
  });

  it('keeps every field as given (and fills caseSensitive in content checks)', async () => {
    const body = {
      name: 'Full', type: 'http', intervalSeconds: 120, timeoutSeconds: 20, confirmations: 3,
      paused: false, tags: ['prod', 'eu'],
      url: 'https://example.com/health?x=1', method: 'POST', headers: { 'X-Token': 'abc', Accept: 'text/plain' },
      body: '{"ping":true}', expectedStatusCodes: [200, '300-399'], followRedirects: false, verifyTls: false,
      degradedAfterMs: 750, contentChecks: [
        { type: 'contains', value: 'ok' },
        { type: 'not_contains', value: 'error', caseSensitive: false },
        { type: 'regex', value: '^[a-z]+ (ok|up)$', caseSensitive: true },
      ], sslExpiryWarningDays: 30,
    };
    const d = await mk(body);
    for (const [k, v] of Object.entries(body)) {
      if (k === 'contentChecks') continue;
      assert.deepEqual(d[k], v, k);
    }
    assert.deepEqual(d.contentChecks, [
      { type: 'contains', value: 'ok', caseSensitive: true },
      { type: 'not_contains', value: 'error', caseSensitive: false },
      { type: 'regex', value: '^[a-z]+ (ok|up)$', caseSensitive: true },
    ]);
    assert.deepEqual(await get(d.id), d);
  });

  it('json content checks: kept as given, with value only where the op takes one', async () => {
    const contentChecks = [
      { type: 'json', pointer: '/status', op: 'eq', value: 'ok' },
      { type: 'json', pointer: '/checks/0/latencyMs', op: 'lt', value: 250.5 },
      { type: 'json', pointer: '/a~1b/m~0n', op: 'exists' },
      { type: 'json', pointer: '', op: 'ne', value: null },
      { type: 'json', pointer: '/tags', op: 'contains', value: true },
      { type: 'contains', value: 'ok' },
    ];
    const d = await mk(httpBody({ contentChecks }));
    assert.deepEqual(d.contentChecks, [...contentChecks.slice(0, 5), { type: 'contains', value: 'ok', caseSensitive: true }]);
    assert.deepEqual(await get(d.id), d);
    const p = assertOk(await srv.api('PATCH', `/v1/monitors/${d.id}`, {
      key: admin, body: { contentChecks: [{ op: 'ge', type: 'json', value: 2, pointer: '/n' }] },
    }));
    assert.deepEqual(p.contentChecks, [{ type: 'json', pointer: '/n', op: 'ge', value: 2 }]);
  });

  it('bad json content checks: 400 naming /contentChecks/{i}/pointer, op or value, and nothing saved', async () => {
    const j = (extra) => ({ type: 'json', pointer: '/status', op: 'eq', value: 'ok', ...extra });
    const without = (o, k) => { const c = { ...o }; delete c[k]; return c; };
    const cases = [
      [j({ pointer: 'status' }), '/contentChecks/1/pointer', 'validation_error'],
      [j({ pointer: '/a~2' }), '/contentChecks/1/pointer', 'validation_error'],
      [j({ pointer: '/~' }), '/contentChecks/1/pointer', 'validation_error'],
      [j({ pointer: 5 }), '/contentChecks/1/pointer', 'validation_error'],
      [j({ pointer: '/' + 'a'.repeat(1024) }), '/contentChecks/1/pointer', 'validation_error'],
      [without(j(), 'pointer'), '/contentChecks/1/pointer', 'validation_error'],
      [j({ op: 'like' }), '/contentChecks/1/op', 'validation_error'],
      [j({ op: 'EQ' }), '/contentChecks/1/op', 'validation_error'],
      [without(j(), 'op'), '/contentChecks/1/op', 'validation_error'],
      [j({ op: 'exists' }), '/contentChecks/1/value', 'validation_error'],
      [j({ op: 'exists', value: null }), '/contentChecks/1/value', 'validation_error'],
      [j({ op: 'lt', value: '5' }), '/contentChecks/1/value', 'validation_error'],
      [without(j({ op: 'gt' }), 'value'), '/contentChecks/1/value', 'validation_error'],
      [without(j(), 'value'), '/contentChecks/1/value', 'validation_error'],
      [j({ value: { a: 1 } }), '/contentChecks/1/value', 'validation_error'],
      [j({ op: 'contains', value: [1] }), '/contentChecks/1/value', 'validation_error'],
      [j({ value: 'x'.repeat(1025) }), '/contentChecks/1/value', 'validation_error'],
      [j({ caseSensitive: true }), '/contentChecks/1/caseSensitive', 'unknown_field'],
    ];
    await assertNoChange(srv, async () => {
      for (const [check, pointer, code] of cases) {
        const res = await create(httpBody({ contentChecks: [{ type: 'contains', value: 'ok' }, check] }));
        const p = assertProblem(res, 400, code, { pointers: [pointer] });
        assert.ok(p.errors[0].detail.length > 10, `${JSON.stringify(check)}: ${p.errors[0].detail}`);
      }
    });
  });

  it('created paused: status paused, no next check', async () => {
    const d = await mk(httpBody({ paused: true }));
    assert.equal(d.paused, true);
    assert.equal(d.status, 'paused');
    assert.equal(d.nextCheckAt, null);
  });

  it('accepts every boundary value', async () => {
    const long = (n, c = 'a') => c.repeat(n);
    const u2048 = 'https://example.com/' + long(2048 - 'https://example.com/'.length);
    assert.equal(u2048.length, 2048);
    const headers32 = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`X-H${i}`, 'v'.repeat(100)]));
    const checks10 = Array.from({ length: 10 }, (_, i) => ({ type: 'contains', value: String(i) + long(1023) }));
    const cases = [
      httpBody({ name: 'n' }),
      httpBody({ name: long(255) }),
      httpBody({ name: '\u00e9\u{1F600}'.repeat(127) + '\u00e9' }),   // 255 characters, more bytes
      httpBody({ intervalSeconds: 30, timeoutSeconds: 30 }),
      httpBody({ intervalSeconds: 86400, timeoutSeconds: 60 }),
      httpBody({ timeoutSeconds: 1 }),
      httpBody({ confirmations: 1 }),
      httpBody({ confirmations: 10 }),
      httpBody({ tags: Array.from({ length: 20 }, (_, i) => String(i).padEnd(64, 't')) }),
      httpBody({ tags: ['\u{1F600}'.repeat(64)] }),
      httpBody({ url: u2048 }),
      httpBody({ url: 'http://example.com' }),
      httpBody({ headers: headers32 }),
      httpBody({ method: 'POST', body: long(65536) }),
      httpBody({ expectedStatusCodes: [100, '200-299', 599] }),
      httpBody({ expectedStatusCodes: Array.from({ length: 20 }, (_, i) => 200 + i) }),
      httpBody({ degradedAfterMs: 1 }),
      httpBody({ degradedAfterMs: 60000 }),
      httpBody({ degradedAfterMs: null }),
      httpBody({ contentChecks: checks10 }),
      httpBody({ sslExpiryWarningDays: 0 }),
      httpBody({ sslExpiryWarningDays: 365 }),
      ...['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((method) => httpBody({ method })),
      { name: 't', type: 'tcp', host: 'example.com', port: 1 },
      { name: 't', type: 'tcp', host: '192.0.2.1', port: 65535 },
      ...['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS'].map((recordType) => ({ name: 'd', type: 'dns', hostname: 'example.com', recordType })),
      { name: 'd', type: 'dns', hostname: 'example.com', expectedValue: long(1024) },
    ];
    for (const body of cases) {
      const res = await create(body);
      assert.equal(res.status, 201, `${JSON.stringify(body).slice(0, 300)}\n${show(res)}`);
      const d = res.json.data;
      for (const [k, v] of Object.entries(body)) {
        if (k !== 'contentChecks') assert.deepEqual(d[k], v, `${k} kept`);
      }
    }
  });

  it('each out-of-range or mistyped field is a 400 validation_error naming its pointer', async () => {
    const long = (n) => 'a'.repeat(n);
    const tcp = (extra) => ({ name: 't', type: 'tcp', host: 'example.com', port: 80, ...extra });
    const dns = (extra) => ({ name: 'd', type: 'dns', hostname: 'example.com', ...extra });
    const without = (o, k) => { const c = { ...o }; delete c[k]; return c; };
    const cases = [
      [without(httpBody(), 'name'), '/name'],
      [httpBody({ name: '' }), '/name'],
      [httpBody({ name: long(256) }), '/name'],
      [httpBody({ name: '\u{1F600}'.repeat(256) }), '/name'],
      [httpBody({ name: 42 }), '/name'],
      [httpBody({ name: null }), '/name'],
      [httpBody({ type: 'smtp' }), '/type'],
      [httpBody({ type: 7 }), '/type'],
      [httpBody({ intervalSeconds: 29 }), '/intervalSeconds'],
      [httpBody({ intervalSeconds: 86401 }), '/intervalSeconds'],
      [httpBody({ intervalSeconds: 60.5 }), '/intervalSeconds'],
      [httpBody({ intervalSeconds: '60' }), '/intervalSeconds'],
      [httpBody({ intervalSeconds: null }), '/intervalSeconds'],
      [httpBody({ timeoutSeconds: 0 }), '/timeoutSeconds'],
      [httpBody({ timeoutSeconds: 61, intervalSeconds: 120 }), '/timeoutSeconds'],
      [httpBody({ timeoutSeconds: 1.5 }), '/timeoutSeconds'],
      [httpBody({ intervalSeconds: 30, timeoutSeconds: 31 }), '/timeoutSeconds'],
      [httpBody({ confirmations: 0 }), '/confirmations'],
      [httpBody({ confirmations: 11 }), '/confirmations'],
      [httpBody({ confirmations: '2' }), '/confirmations'],
      [httpBody({ paused: 'yes' }), '/paused'],
      [httpBody({ paused: 1 }), '/paused'],
      [httpBody({ tags: 'prod' }), /^\/tags/],
      [httpBody({ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }), /^\/tags/],
      [httpBody({ tags: [long(65)] }), /^\/tags/],
      [httpBody({ tags: [''] }), /^\/tags/],
      [httpBody({ tags: [5] }), /^\/tags/],
      [without(httpBody(), 'url'), '/url'],
      [httpBody({ url: 'ftp://example.com/' }), '/url'],
      [httpBody({ url: 'file:///etc/passwd' }), '/url'],
      [httpBody({ url: 'javascript:alert(1)' }), '/url'],
      [httpBody({ url: 'example.com' }), '/url'],
      [httpBody({ url: 'http:///nohost' }), '/url'],
      [httpBody({ url: 'http://exa mple.com/' }), '/url'],
      [httpBody({ url: 'https://example.com/' + long(2049 - 20) }), '/url'],
      [httpBody({ url: 5 }), '/url'],
      [httpBody({ url: null }), '/url'],
      [httpBody({ method: 'FETCH' }), '/method'],
      [httpBody({ method: 1 }), '/method'],
      [httpBody({ headers: ['X-A: b'] }), /^\/headers/],
      [httpBody({ headers: 'X-A: b' }), /^\/headers/],
      [httpBody({ headers: { 'X-A': 'a\r\nX-Injected: 1' } }), /^\/headers/],
      [httpBody({ headers: { 'X-A': 'line\nbreak' } }), /^\/headers/],
      [httpBody({ headers: { 'Bad Name': 'v' } }), /^\/headers/],
      [httpBody({ headers: { 'X-A': 5 } }), /^\/headers/],
      [httpBody({ headers: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`X-H${i}`, 'v'])) }), /^\/headers/],
      [httpBody({ method: 'POST', body: long(65537) }), '/body'],
      [httpBody({ body: 5 }), '/body'],
      [httpBody({ expectedStatusCodes: [] }), /^\/expectedStatusCodes/],
      [httpBody({ expectedStatusCodes: '200-299' }), /^\/expectedStatusCodes/],
      [httpBody({ expectedStatusCodes: ['abc'] }), /^\/expectedStatusCodes/],
      [httpBody({ expectedStatusCodes: [99] }), /^\/expectedStatusCodes/],
      [httpBody({ expectedStatusCodes: [600] }), /^\/expectedStatusCodes/],
      [httpBody({ expectedStatusCodes: ['300-200'] }), /^\/expectedStatusCodes/],
      [httpBody({ expectedStatusCodes: ['200-'] }), /^\/expectedStatusCodes/],
      [httpBody({ expectedStatusCodes: [200.5] }), /^\/expectedStatusCodes/],
      [httpBody({ expectedStatusCodes: [true] }), /^\/expectedStatusCodes/],
      [httpBody({ followRedirects: 'true' }), '/followRedirects'],
      [httpBody({ verifyTls: 0 }), '/verifyTls'],
      [httpBody({ degradedAfterMs: 0 }), '/degradedAfterMs'],
      [httpBody({ degradedAfterMs: 60001 }), '/degradedAfterMs'],
      [httpBody({ degradedAfterMs: 1.5 }), '/degradedAfterMs'],
      [httpBody({ degradedAfterMs: '100' }), '/degradedAfterMs'],
      [httpBody({ contentChecks: { type: 'contains', value: 'x' } }), /^\/contentChecks/],
      [httpBody({ contentChecks: Array.from({ length: 11 }, () => ({ type: 'contains', value: 'x' })) }), /^\/contentChecks/],
      [httpBody({ contentChecks: [{ type: 'equals', value: 'x' }] }), /^\/contentChecks/],
      [httpBody({ contentChecks: [{ type: 'contains' }] }), /^\/contentChecks/],
      [httpBody({ contentChecks: [{ type: 'contains', value: '' }] }), /^\/contentChecks/],
      [httpBody({ contentChecks: [{ type: 'contains', value: long(1025) }] }), /^\/contentChecks/],
      [httpBody({ contentChecks: [{ type: 'contains', value: 'x', caseSensitive: 'no' }] }), /^\/contentChecks/],
      [httpBody({ contentChecks: [{ type: 'regex', value: '(unclosed' }] }), /^\/contentChecks/],
      [httpBody({ contentChecks: ['contains'] }), /^\/contentChecks/],
      [httpBody({ sslExpiryWarningDays: -1 }), '/sslExpiryWarningDays'],
      [httpBody({ sslExpiryWarningDays: 366 }), '/sslExpiryWarningDays'],
      [httpBody({ sslExpiryWarningDays: 1.5 }), '/sslExpiryWarningDays'],
      [without(tcp(), 'host'), '/host'],
      [without(tcp(), 'port'), '/port'],
      [tcp({ host: '' }), '/host'],
      [tcp({ host: 'bad host' }), '/host'],
      [tcp({ host: long(254) }), '/host'],
      [tcp({ host: 5 }), '/host'],
      [tcp({ port: 0 }), '/port'],
      [tcp({ port: 65536 }), '/port'],
      [tcp({ port: '80' }), '/port'],
      [tcp({ port: 80.5 }), '/port'],
      [without(dns(), 'hostname'), '/hostname'],
      [dns({ hostname: '' }), '/hostname'],
      [dns({ recordType: 'SRV' }), '/recordType'],
      [dns({ recordType: 1 }), '/recordType'],
      [dns({ expectedValue: 5 }), '/expectedValue'],
      [dns({ expectedValue: long(1025) }), '/expectedValue'],
    ];
    await assertNoChange(srv, async () => {
      for (const [body, pointer] of cases) {
        const res = await create(body);
        const p = assertProblem(res, 400, 'validation_error', { pointers: [pointer] });
        assert.ok(p.errors.length >= 1);
      }
    });
  });

  // docs/reliability.md, "Regular expressions and content checks".
  it('hostile regexes are answered within 100 ms: 400 naming /contentChecks/i/value and why, or 201', async () => {
    const cases = [
      // Counted repeats nested: POSIX regcomp built them out (1 GB, 4 s).
      ['((a{1,100}){1,100}){1,100}', 400, /repeat counts may be at most 1000/],
      ['(((a{1,100}){1,100}){1,100}){1,100}', 400, /repeat counts may be at most 1000/],
      // Backreferences need backtracking: refused.
      ['^(a*)*\\1x', 400, /backreferences/],
      ['(a)\\1', 400, /backreferences/],
      // Lookaround too.
      ['foo(?=bar)', 400, /not supported/],
      // Past the compiled-size limit (about 10000 steps a byte).
      ['[a-z]{1000}'.repeat(20), 400, /size limit/],
      // Exponential for a backtracker, linear here: accepted.
      ['(a|aa)*b', 201],
      ['(x+x+)+y', 201],
    ];
    for (const [value, status, why] of cases) {
      const body = httpBody({ contentChecks: [{ type: 'contains', value: 'ok' }, { type: 'regex', value }] });
      let best = Infinity;
      let res;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        res = await create(body);
        best = Math.min(best, performance.now() - t0);
        if (res.status === 201) await api('DELETE', `/v1/monitors/${res.json.id}`, { key: admin });
      }
      assert.ok(best < 100, `${value}: saved in ${Math.round(best)} ms`);
      if (status === 201) {
        assertOk(res, 201);
        continue;
      }
      const p = assertProblem(res, 400, 'validation_error', { pointers: ['/contentChecks/1/value'] });
      assert.match(p.errors[0].detail, why, `${value}: ${p.errors[0].detail}`);
    }
    // The size depends on case: the same check is compiled as it is saved.
    assertOk(await create(httpBody({ contentChecks: [{ type: 'regex', value: '(?i)HELLO', caseSensitive: false }] })), 201);
  });

  // docs/reliability.md, "Status codes in content checks".
  it('negative: status codes far out of range (1e300, 2^63, -1e300, 1e999) are 400, checked before any cast', async () => {
    await assertNoChange(srv, async () => {
      for (const n of ['1e300', '-1e300', '9223372036854775808', '1e19', '-9223372036854775809', '1e999', '599.0000001']) {
        const res = await api('POST', '/v1/monitors', {
          key: admin, rawBody: `{"name":"web","url":${JSON.stringify(web.url('/ok'))},"expectedStatusCodes":[200,${n}]}`,
        });
        assertProblem(res, 400, 'validation_error', { pointers: ['/expectedStatusCodes'] });
      }
    });
    // The edges still pass.
    const m = await mk(httpBody({ expectedStatusCodes: [100, 599, '100-599'] }));
    assert.deepEqual(m.expectedStatusCodes, [100, 599, '100-599']);
  });

  it('lists several bad fields at once', async () => {
    await assertNoChange(srv, async () => {
      const p = assertProblem(await create({
        name: '', intervalSeconds: 5, confirmations: 0, tags: 'x', url: 'ftp://example.com/', method: 'GRAB',
        degradedAfterMs: 0, sslExpiryWarningDays: 999,
      }), 400, 'validation_error', {
        pointers: ['/name', '/intervalSeconds', '/confirmations', /^\/tags/, '/url', '/method', '/degradedAfterMs',
          '/sslExpiryWarningDays'],
      });
      assert.ok(p.errors.length >= 8, JSON.stringify(p.errors));
      assertProblem(await create({ name: 't', type: 'tcp', port: 0 }), 400, 'validation_error',
        { pointers: ['/host', '/port'] });
    });
  });

  it('negative: type cannot be unknown; heartbeat fields belong to heartbeats (heartbeat.test.mjs has the rest)', async () => {
    await assertNoChange(srv, async () => {
      assertProblem(await create({ name: 'x', type: 'ftp' }), 400, 'validation_error', { pointers: ['/type'] });
      assertProblem(await create({ name: 'x', type: 7 }), 400, 'validation_error', { pointers: ['/type'] });
      assertProblem(await create(httpBody({ schedule: '* * * * *', gracePeriodSeconds: 60, timezone: 'UTC' })),
        400, 'unknown_field', { pointers: ['/schedule', '/gracePeriodSeconds', '/timezone'] });
    });
  });

  it('unknown fields and fields of another monitor type are 400 unknown_field', async () => {
    await assertNoChange(srv, async () => {
      assertProblem(await create(httpBody({ colour: 'red' })), 400, 'unknown_field', { pointers: ['/colour'] });
      assertProblem(await create(httpBody({ port: 80 })), 400, 'unknown_field', { pointers: ['/port'] });
      assertProblem(await create(httpBody({ hostname: 'example.com' })), 400, 'unknown_field', { pointers: ['/hostname'] });
      assertProblem(await create({ name: 't', type: 'tcp', host: 'example.com', port: 80, url: 'https://example.com/' }),
        400, 'unknown_field', { pointers: ['/url'] });
      assertProblem(await create({ name: 'd', type: 'dns', hostname: 'example.com', method: 'GET', port: 53 }),
        400, 'unknown_field', { pointers: ['/method', '/port'] });
      // Field names are case-sensitive.
      assertProblem(await create({ name: 'x', URL: 'https://example.com/', url: 'https://example.com/' }),
        400, 'unknown_field', { pointers: ['/URL'] });
      // An unknown field next to an invalid one: both are listed.
      assertProblem(await create(httpBody({ colour: 'red', confirmations: 99 })), 400, 'unknown_field',
        { pointers: ['/colour', '/confirmations'] });
    });
  });

  it('read-only fields are 400 read_only_field', async () => {
    const ro = {
      id: GHOST_ID, status: 'up', lastCheckedAt: '2026-01-01T00:00:00.000Z', nextCheckAt: '2026-01-01T00:00:00.000Z',
      lastStatusChangeAt: '2026-01-01T00:00:00.000Z', lastResponseTimeMs: 5, ssl: null,
      createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
    };
    await assertNoChange(srv, async () => {
      for (const [k, v] of Object.entries(ro)) {
        assertProblem(await create(httpBody({ [k]: v })), 400, 'read_only_field', { pointers: [`/${k}`] });
      }
      assertProblem(await create(httpBody({ status: 'up', id: GHOST_ID })), 400, 'read_only_field',
        { pointers: ['/status', '/id'] });
    });
  });

  it('malformed JSON, a body that is not an object and an empty body are 400 malformed_json', async () => {
    await assertNoChange(srv, async () => {
      for (const raw of ['{"name": "x", ', '{name: "x"}', '[{"name":"x"}]', '"x"', 'null', '42',
        '{"name":"x","url":"https://example.com/"} trailing', '']) {
        const res = await api('POST', '/v1/monitors', { key: admin, rawBody: raw });
        assertProblem(res, 400, 'malformed_json');
      }
    });
  });

  it('a body that is not application/json is 415', async () => {
    await assertNoChange(srv, async () => {
      const res = await api('POST', '/v1/monitors', {
        key: admin, rawBody: JSON.stringify(httpBody()), headers: { 'Content-Type': 'text/plain' },
      });
      assertProblem(res, 415, 'unsupported_media_type');
    });
  });

  it('a body over 1 MiB is 413 body_too_large', async () => {
    await assertNoChange(srv, async () => {
      const raw = JSON.stringify(httpBody({ name: 'x'.repeat((1 << 20) + 10) }));
      assertProblem(await api('POST', '/v1/monitors', { key: admin, rawBody: raw }), 413, 'body_too_large');
    });
  });
});

// ---------------------------------------------------------------------------

describe('GET /v1/monitors: pagination and filters', () => {
  let lt, lk;     // a team of its own, so that counts are exact
  const made = [];

  before(async () => {
    lt = await srv.createTeam('Lists');
    lk = await srv.createKey(lt, { name: 'lists admin' });
    const bodies = [
      { name: 'h1', url: 'https://a.example.com/', tags: ['prod', 'web'] },
      { name: 't1', type: 'tcp', host: 'db.example.com', port: 5432, tags: ['prod', 'db'] },
      { name: 'd1', type: 'dns', hostname: 'example.com', tags: ['dns'] },
      { name: 'h2', url: 'https://b.example.com/', tags: ['staging', 'web'] },
      { name: 'h3', url: 'https://c.example.com/', paused: true },
      { name: 't2', type: 'tcp', host: 'cache.example.com', port: 6379, tags: ['prod'] },
      { name: 'h4', url: 'https://d.example.com/' },
    ];
    for (const b of bodies) {
      made.push(await mk(b, lk));
      await sleep(3);      // distinct createdAt, for a predictable order
    }
  });

  const list = (q = '', key = lk) => api('GET', `/v1/monitors${q}`, { key });
  const names = (res) => assertOk(res).map((m) => m.name);

  it('lists the team\'s monitors, newest first, with meta.pagination', async () => {
    const res = await list();
    const data = assertOk(res);
    assert.deepEqual(data.map((m) => m.id), made.map((m) => m.id).reverse());
    assert.deepEqual(res.json.meta.pagination, { next: null, perPage: 50 });
    assert.equal(res.headers.get('link'), null);
    // The list object is the same as GET /{id}.
    assert.deepEqual(data.at(-1), await get(made[0].id, lk));
  });

  it('writes each list item byte for byte as GET /{id} writes the monitor', async () => {
    const bt = await srv.createTeam('Bytes');
    const bk = await srv.createKey(bt, { name: 'bytes admin' });
    const ids = [];
    for (const b of [
      { name: 'q"uote\\ sl/ash é ✓ 😀', url: 'https://a.example.com/p?q=%22x%22&y=1',
        tags: ['<b>&amp;', 'tab\tnew\nline'], headers: { 'X-A': 'v "1"' }, body: 'line1\nline2',
        contentChecks: [{ type: 'contains', value: 'ok\u0001' }] },
      { name: 'tcp', type: 'tcp', host: 'db.example.com', port: 5432 },
      { name: 'dns', type: 'dns', hostname: 'example.com', recordType: 'TXT', expectedValue: 'v=spf1' },
      { name: 'hb', type: 'heartbeat', schedule: '*/5 * * * *', timezone: 'Europe/Paris' },
      { name: 'hb2', type: 'heartbeat', intervalSeconds: 300, paused: true },
      { name: 'plain', url: 'http://b.example.com/' },
    ]) {
      ids.push((await mk(b, bk)).id);
      await sleep(3);
    }
    const dataText = (text) => text.slice('{"data":'.length, text.lastIndexOf(',"meta":{'));
    const singles = [];
    for (const id of ids.reverse()) {
      const res = await api('GET', `/v1/monitors/${id}`, { key: bk });
      assert.equal(res.status, 200, show(res));
      singles.push(dataText(res.text));
    }
    const res = await api('GET', '/v1/monitors', { key: bk });
    assert.equal(res.status, 200, show(res));
    assert.equal(dataText(res.text), `[${singles.join(',')}]`);
    // A page of two: the same bytes, cut after the second.
    const two = await api('GET', '/v1/monitors?perPage=2', { key: bk });
    assert.equal(dataText(two.text), `[${singles.slice(0, 2).join(',')}]`);
    assert.ok(two.text.endsWith(`,"pagination":{"next":"${two.json.meta.pagination.next}","perPage":2}}}`));
  });

  it('walks pages with the cursor and the Link header', async () => {
    const seen = [];
    let q = '?perPage=3';
    let pages = 0;
    for (;;) {
      const res = await list(q);
      const data = assertOk(res);
      pages++;
      assert.ok(data.length <= 3);
      assert.equal(res.json.meta.pagination.perPage, 3);
      seen.push(...data.map((m) => m.id));
      const next = res.json.meta.pagination.next;
      if (next === null) {
        assert.equal(res.headers.get('link'), null);
        break;
      }
      assert.equal(typeof next, 'string');
      const link = res.headers.get('link') ?? '';
      assert.match(link, /rel="?next"?/, 'Link rel=next');
      const target = /<([^>]+)>/.exec(link)?.[1];
      assert.ok(target, `Link ${link}`);
      const u = new URL(target, srv.baseUrl);
      assert.equal(u.searchParams.get('cursor'), next);
      q = `?perPage=3&cursor=${encodeURIComponent(next)}`;
      assert.ok(pages < 10, 'pagination terminates');
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, made.map((m) => m.id).reverse());
  });

  it('perPage 1 and 200 are accepted; a page does not repeat across a create', async () => {
    const p1 = await list('?perPage=1');
    assert.equal(assertOk(p1).length, 1);
    assert.equal(assertOk(await list('?perPage=200')).length, made.length);
    // A monitor created between pages does not shift the next page.
    const extra = await mk({ name: 'late', url: 'https://late.example.com/' }, lk);
    const p2 = assertOk(await list(`?perPage=1&cursor=${encodeURIComponent(p1.json.meta.pagination.next)}`));
    assert.equal(p2[0].id, made.at(-2).id);
    assert.equal((await api('DELETE', `/v1/monitors/${extra.id}`, { key: lk })).status, 204);
  });

  it('filters by type, status and tag, alone and together', async () => {
    assert.deepEqual(names(await list('?type=tcp')), ['t2', 't1']);
    assert.deepEqual(names(await list('?type=dns')), ['d1']);
    assert.deepEqual(names(await list('?type=http')), ['h4', 'h3', 'h2', 'h1']);
    assert.deepEqual(names(await list('?type=heartbeat')), []);
    assert.deepEqual(names(await list('?status=paused')), ['h3']);
    assert.deepEqual(names(await list('?status=pending')), ['h4', 't2', 'h2', 'd1', 't1', 'h1']);
    assert.deepEqual(names(await list('?status=up')), []);
    assert.deepEqual(names(await list('?tag=prod')), ['t2', 't1', 'h1']);
    assert.deepEqual(names(await list('?tag=web')), ['h2', 'h1']);
    assert.deepEqual(names(await list('?tag=nothing')), []);
    assert.deepEqual(names(await list('?tag=prod&type=tcp')), ['t2', 't1']);
    assert.deepEqual(names(await list('?tag=prod&type=http&status=pending')), ['h1']);
    // Filters and pages together.
    const res = await list('?tag=prod&perPage=2');
    assert.deepEqual(names(res), ['t2', 't1']);
    const next = res.json.meta.pagination.next;
    assert.ok(next);
    assert.deepEqual(names(await list(`?tag=prod&perPage=2&cursor=${encodeURIComponent(next)}`)), ['h1']);
  });

  it('a tag is matched whole, not as a substring', async () => {
    assert.deepEqual(names(await list('?tag=pro')), []);
    assert.deepEqual(names(await list('?tag=PROD')), []);
  });

  it('bad query values are 400 bad_query', async () => {
    for (const q of ['?perPage=0', '?perPage=201', '?perPage=abc', '?perPage=-1', '?cursor=garbage',
      '?type=smtp', '?status=sleeping', '?status=UP', `?tag=${'x'.repeat(65)}`, '?colour=red']) {
      assertProblem(await list(q), 400, 'bad_query');
    }
  });

  it('another team sees none of them', async () => {
    const theirs = assertOk(await list('?perPage=200', otherKey)).map((m) => m.id);
    for (const m of made) assert.ok(!theirs.includes(m.id));
  });
});

// ---------------------------------------------------------------------------

describe('GET /v1/monitors/{id}', () => {
  it('an id that does not exist, a malformed id and another team\'s id are all 404', async () => {
    const m = await mk(httpBody());
    const answers = [];
    for (const [id, key] of [[GHOST_ID, admin], ['mon_short', admin], ['key_' + 'A'.repeat(20), admin],
      [m.id.toLowerCase() === m.id ? m.id.toUpperCase() : m.id.toLowerCase(), admin],
      [m.id, otherKey]]) {
      const res = await api('GET', `/v1/monitors/${id}`, { key });
      assertProblem(res, 404, 'not_found');
      answers.push(res.json);
    }
    // Another team's id reads exactly like one that does not exist.
    const strip = ({ requestId, ...rest }) => rest;
    assert.deepEqual(strip(answers.at(-1)), strip(answers[0]));
  });

  it('a wrong method is 405 with Allow', async () => {
    const m = await mk(httpBody());
    const res = await api('PUT', `/v1/monitors/${m.id}`, { key: admin, body: httpBody() });
    assertProblem(res, 405, 'method_not_allowed');
    const allow = (res.headers.get('allow') ?? '').split(',').map((s) => s.trim());
    for (const meth of ['GET', 'PATCH', 'DELETE']) assert.ok(allow.includes(meth), `Allow: ${allow}`);
  });
});

// ---------------------------------------------------------------------------

describe('PATCH /v1/monitors/{id}', () => {
  const patch = (id, body, key = admin) => api('PATCH', `/v1/monitors/${id}`, { key, body });

  it('changes only the fields given', async () => {
    const m = await mk(httpBody({ name: 'before', tags: ['a'], headers: { 'X-A': '1' }, degradedAfterMs: 900 }));
    await sleep(5);
    const d = assertOk(await patch(m.id, { name: 'after', confirmations: 4 }));
    const { name, confirmations, updatedAt, nextCheckAt, ...restNew } = d;
    const { name: n0, confirmations: c0, updatedAt: u0, nextCheckAt: x0, ...restOld } = m;
    assert.equal(name, 'after');
    assert.equal(confirmations, 4);
    assert.deepEqual(restNew, restOld);
    assert.ok(Date.parse(updatedAt) > Date.parse(u0), 'updatedAt moves');
    assert.equal(d.createdAt, m.createdAt);
    assert.deepEqual(await get(m.id), d);
  });

  it('a change to what is checked makes the next check due now; a rename does not', async () => {
    const m = await mk(httpBody({ timeoutSeconds: 10 }));
    const later = Date.now() + 3600e3;
    const push = () => srv.sqlWrite(`UPDATE monitors SET next_check_at = ${later} WHERE id = '${m.id}'`);
    push();
    assert.equal(Date.parse(assertOk(await patch(m.id, { name: 'renamed' })).nextCheckAt), later);
    for (const change of [{ timeoutSeconds: 20 }, { intervalSeconds: 120 }, { url: 'https://example.org/' }]) {
      push();
      const d = assertOk(await patch(m.id, change));
      assert.ok(near(d.nextCheckAt), `${JSON.stringify(change)}: nextCheckAt ${d.nextCheckAt}`);
    }
  });

  it('type fields of the monitor\'s own type can change; others are unknown_field', async () => {
    const t = await mk({ name: 't', type: 'tcp', host: 'example.com', port: 80 });
    const d = assertOk(await patch(t.id, { port: 443, host: 'example.org' }));
    assert.equal(d.port, 443);
    assert.equal(d.host, 'example.org');
    await assertNoChange(srv, async () => {
      assertProblem(await patch(t.id, { url: 'https://example.com/' }), 400, 'unknown_field', { pointers: ['/url'] });
      assertProblem(await patch(t.id, { colour: 'red' }), 400, 'unknown_field', { pointers: ['/colour'] });
    });
  });

  it('null clears degradedAfterMs (and body, expectedValue); a value sets it again', async () => {
    const m = await mk(httpBody({ method: 'POST', body: 'payload' }));
    assert.equal(m.degradedAfterMs, 5000);
    let d = assertOk(await patch(m.id, { degradedAfterMs: null, body: null }));
    assert.equal(d.degradedAfterMs, null);
    assert.equal(d.body, null);
    assert.equal((await get(m.id)).degradedAfterMs, null);
    // Another PATCH without it leaves it cleared (no default comes back).
    d = assertOk(await patch(m.id, { name: 'renamed' }));
    assert.equal(d.degradedAfterMs, null);
    d = assertOk(await patch(m.id, { degradedAfterMs: 250 }));
    assert.equal(d.degradedAfterMs, 250);

    const dn = await mk({ name: 'd', type: 'dns', hostname: 'example.com', expectedValue: '192.0.2.1' });
    assert.equal(assertOk(await patch(dn.id, { expectedValue: null })).expectedValue, null);
  });

  it('null on a field that is not nullable is 400 naming it', async () => {
    const m = await mk(httpBody());
    await assertNoChange(srv, async () => {
      for (const k of ['name', 'intervalSeconds', 'timeoutSeconds', 'confirmations', 'paused', 'tags', 'url',
        'method', 'headers', 'expectedStatusCodes', 'followRedirects', 'verifyTls', 'contentChecks',
        'sslExpiryWarningDays']) {
        assertProblem(await patch(m.id, { [k]: null }), 400, 'validation_error', { pointers: [`/${k}`] });
      }
    });
  });

  it('type cannot change', async () => {
    const m = await mk(httpBody());
    await assertNoChange(srv, async () => {
      assertProblem(await patch(m.id, { type: 'tcp', host: 'example.com', port: 80 }), 400, undefined,
        { pointers: ['/type'], codes: ['validation_error', 'unknown_field'] });
      assertProblem(await patch(m.id, { type: 'dns' }), 400, 'validation_error', { pointers: ['/type'] });
    });
  });

  it('ranges are checked against the stored values too (timeoutSeconds <= intervalSeconds)', async () => {
    const m = await mk(httpBody({ intervalSeconds: 60, timeoutSeconds: 40 }));
    await assertNoChange(srv, async () => {
      assertProblem(await patch(m.id, { timeoutSeconds: 61 }), 400, 'validation_error', { pointers: ['/timeoutSeconds'] });
      assertProblem(await patch(m.id, { intervalSeconds: 45, timeoutSeconds: 50 }), 400, 'validation_error',
        { pointers: ['/timeoutSeconds'] });
      const p = assertProblem(await patch(m.id, { intervalSeconds: 29 }), 400, 'validation_error');
      assert.ok(p.errors.some((e) => e.pointer === '/intervalSeconds'));
    });
    // Lowering the interval below the stored timeout is refused too.
    await assertNoChange(srv, async () => {
      const p = assertProblem(await patch(m.id, { intervalSeconds: 30 }), 400, 'validation_error');
      assert.ok(p.errors.some((e) => /^\/(intervalSeconds|timeoutSeconds)$/.test(e.pointer)), JSON.stringify(p.errors));
    });
    const d = assertOk(await patch(m.id, { intervalSeconds: 30, timeoutSeconds: 30 }));
    assert.equal(d.intervalSeconds, 30);
    assert.equal(d.timeoutSeconds, 30);
  });

  it('bad values, read-only fields and several errors at once: 400, nothing stored', async () => {
    const m = await mk(httpBody());
    await assertNoChange(srv, async () => {
      assertProblem(await patch(m.id, { name: '', confirmations: 0, url: 'gopher://x/', degradedAfterMs: 0 }), 400,
        'validation_error', { pointers: ['/name', '/confirmations', '/url', '/degradedAfterMs'] });
      assertProblem(await patch(m.id, { status: 'up' }), 400, 'read_only_field', { pointers: ['/status'] });
      assertProblem(await patch(m.id, { id: GHOST_ID, name: 'x' }), 400, 'read_only_field', { pointers: ['/id'] });
      assertProblem(await patch(m.id, { createdAt: m.createdAt }), 400, 'read_only_field', { pointers: ['/createdAt'] });
      // A valid change next to an invalid one is not applied either.
      assertProblem(await patch(m.id, { name: 'half', confirmations: 99 }), 400, 'validation_error',
        { pointers: ['/confirmations'] });
      for (const raw of ['{"name":', '[]', '']) {
        assertProblem(await api('PATCH', `/v1/monitors/${m.id}`, { key: admin, rawBody: raw }), 400, 'malformed_json');
      }
      assertProblem(await api('PATCH', `/v1/monitors/${m.id}`, {
        key: admin, rawBody: JSON.stringify({ name: 'x'.repeat((1 << 20) + 1) }),
      }), 413, 'body_too_large');
    });
    assert.equal((await get(m.id)).name, 'web');
  });

  it('an empty object changes nothing that the user set', async () => {
    const m = await mk(httpBody({ tags: ['keep'] }));
    const d = assertOk(await patch(m.id, {}));
    for (const k of [...Object.keys(HTTP_DEFAULTS), 'name', 'url', 'status', 'createdAt']) {
      assert.deepEqual(d[k], m[k], k);
    }
  });

  it('paused through PATCH behaves like pause and resume', async () => {
    const m = await mk(httpBody());
    let d = assertOk(await patch(m.id, { paused: true }));
    assert.equal(d.status, 'paused');
    assert.equal(d.nextCheckAt, null);
    d = assertOk(await patch(m.id, { paused: false }));
    assert.equal(d.status, 'pending');
    assert.ok(d.nextCheckAt !== null && near(d.nextCheckAt), `nextCheckAt ${d.nextCheckAt}`);
  });
});

// ---------------------------------------------------------------------------

describe('pause and resume', () => {
  it('pause: status paused, no next check; again: still paused', async () => {
    const m = await mk(httpBody());
    const p = assertOk(await api('POST', `/v1/monitors/${m.id}/pause`, { key: admin }));
    assert.equal(p.paused, true);
    assert.equal(p.status, 'paused');
    assert.equal(p.nextCheckAt, null);
    assert.deepEqual(await get(m.id), p);
    const ids = assertOk(await api('GET', '/v1/monitors?status=paused&perPage=200', { key: admin })).map((x) => x.id);
    assert.ok(ids.includes(m.id));
    const again = assertOk(await api('POST', `/v1/monitors/${m.id}/pause`, { key: admin }));
    assert.equal(again.status, 'paused');
    assert.equal(again.paused, true);
  });

  it('resume: pending and due now; again: unchanged', async () => {
    const m = await mk(httpBody());
    await checkNow(m.id);
    assert.equal((await get(m.id)).status, 'up');
    assertOk(await api('POST', `/v1/monitors/${m.id}/pause`, { key: admin }));
    await sleep(5);
    const t0 = Date.now();
    const r = assertOk(await api('POST', `/v1/monitors/${m.id}/resume`, { key: admin }));
    assert.equal(r.paused, false);
    assert.equal(r.status, 'pending');
    assert.ok(r.nextCheckAt !== null && Date.parse(r.nextCheckAt) <= Date.now() && near(r.nextCheckAt, t0),
      `nextCheckAt ${r.nextCheckAt}`);
    assert.deepEqual(await get(m.id), r);
    const again = assertOk(await api('POST', `/v1/monitors/${m.id}/resume`, { key: admin }));
    assert.equal(again.status, 'pending');
    assert.equal(again.nextCheckAt, r.nextCheckAt);
  });

  it('a body is not needed; pause and resume of a missing monitor are 404', async () => {
    await assertNoChange(srv, async () => {
      assertProblem(await api('POST', `/v1/monitors/${GHOST_ID}/pause`, { key: admin }), 404, 'not_found');
      assertProblem(await api('POST', `/v1/monitors/${GHOST_ID}/resume`, { key: admin }), 404, 'not_found');
    });
  });
});

// ---------------------------------------------------------------------------

describe('POST /v1/monitors/{id}/check', () => {
  it('runs one check now, returns the result and records it without moving the schedule', async () => {
    const m = await mk(httpBody());
    const r = await checkNow(m.id);
    sameKeys(r, ['checkedAt', 'dueAt', 'startLagMs', 'status', 'location', 'responseTimeMs', 'statusCode', 'error',
      'timings']);
    assert.equal(r.location, 'local');
    assert.match(r.checkedAt, TIME_RE);
    assert.equal(r.dueAt, null, 'a check on demand was not due');
    assert.equal(r.startLagMs, null);
    assert.equal(r.status, 'up');
    assert.equal(r.statusCode, 200);
    assert.equal(r.error, null);
    assert.equal(typeof r.responseTimeMs, 'number');
    sameKeys(r.timings, ['dnsMs', 'connectMs', 'tlsMs', 'firstByteMs']);
    const g = await get(m.id);
    assert.equal(g.status, 'up');
    assert.equal(g.lastCheckedAt, r.checkedAt);
    assert.equal(g.lastStatusChangeAt, r.checkedAt);
    assert.equal(g.lastResponseTimeMs, r.responseTimeMs);
    assert.equal(g.nextCheckAt, m.nextCheckAt, 'the schedule is unchanged');
    const results = assertOk(await api('GET', `/v1/monitors/${m.id}/results`, { key: admin }));
    assert.deepEqual(results, [r]);
  });
});

// ---------------------------------------------------------------------------

describe('results, outages and stats', () => {
  let m;
  const checks = [];     // results in the order they were made

  before(async () => {
    m = await mk(httpBody({ name: 'flipper', url: web.url('/flip') }));
    for (const s of [200, 200, 500, 500, 200, 500, 200]) {
      flip = s;
      checks.push(await checkNow(m.id));
      await sleep(3);
    }
    flip = 200;
  });

  it('results: newest first, with the documented members', async () => {
    const res = await api('GET', `/v1/monitors/${m.id}/results`, { key: admin });
    const data = assertOk(res);
    assert.deepEqual(data, [...checks].reverse());
    assert.deepEqual(res.json.meta.pagination, { next: null, perPage: 50 });
    const down = data.find((r) => r.status === 'down');
    assert.equal(down.statusCode, 500);
    assert.equal(down.error.code, 'unexpected_status');
    assert.equal(typeof down.error.message, 'string');
    assert.ok(down.error.message.length > 0);
  });

  it('results: status, from and to filters', async () => {
    const url = (q) => `/v1/monitors/${m.id}/results${q}`;
    const downs = assertOk(await api('GET', url('?status=down'), { key: admin }));
    assert.deepEqual(downs, checks.filter((r) => r.status === 'down').reverse());
    const ups = assertOk(await api('GET', url('?status=up'), { key: admin }));
    assert.equal(ups.length, 4);
    assert.deepEqual(assertOk(await api('GET', url('?status=degraded'), { key: admin })), []);
    // from is inclusive, to exclusive.
    const from = checks[2].checkedAt;
    const to = checks[5].checkedAt;
    const win = assertOk(await api('GET', url(`?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`), { key: admin }));
    assert.deepEqual(win, checks.slice(2, 5).reverse());
    // Any offset is accepted.
    const fromMs = Date.parse(from);
    const plus2 = new Date(fromMs + 2 * 3600e3).toISOString().replace('Z', '+02:00');
    const win2 = assertOk(await api('GET', url(`?from=${encodeURIComponent(plus2)}&status=down`), { key: admin }));
    assert.deepEqual(win2, checks.slice(2).filter((r) => r.status === 'down').reverse());
  });

  it('results: pages with perPage and cursor', async () => {
    const seen = [];
    let q = '?perPage=2';
    for (let i = 0; i < 10; i++) {
      const res = await api('GET', `/v1/monitors/${m.id}/results${q}`, { key: admin });
      seen.push(...assertOk(res));
      const next = res.json.meta.pagination.next;
      if (!next) break;
      assert.match(res.headers.get('link') ?? '', /rel="?next"?/);
      q = `?perPage=2&cursor=${encodeURIComponent(next)}`;
    }
    assert.deepEqual(seen, [...checks].reverse());
  });

  it('results: bad filters are 400 bad_query', async () => {
    for (const q of ['?status=paused', '?status=pending', '?status=bogus', '?from=yesterday', '?to=2026-13-01T00:00:00Z',
      `?from=${encodeURIComponent('2026-01-02T00:00:00Z')}&to=${encodeURIComponent('2026-01-01T00:00:00Z')}`,
      '?perPage=0', '?perPage=201', '?cursor=nonsense', '?colour=red']) {
      assertProblem(await api('GET', `/v1/monitors/${m.id}/results${q}`, { key: admin }), 400, 'bad_query');
    }
  });

  it('outages: one per down period, the last one closed by the success after it', async () => {
    const data = assertOk(await api('GET', `/v1/monitors/${m.id}/outages`, { key: admin }));
    assert.equal(data.length, 2, JSON.stringify(data));
    for (const o of data) {
      sameKeys(o, ['id', 'startedAt', 'endedAt', 'durationSeconds', 'cause', 'duringMaintenance']);
      assert.match(o.id, OUT_ID_RE);
      assert.equal(o.cause.code, 'unexpected_status');
      assert.equal(typeof o.cause.message, 'string');
      assert.equal(o.duringMaintenance, false);
      assert.equal(typeof o.durationSeconds, 'number');
      assert.ok(o.durationSeconds >= 0);
    }
    // Newest first.
    assert.equal(data[0].startedAt, checks[5].checkedAt);
    assert.equal(data[0].endedAt, checks[6].checkedAt);
    assert.equal(data[1].startedAt, checks[2].checkedAt);
    assert.equal(data[1].endedAt, checks[4].checkedAt);
    const page = await api('GET', `/v1/monitors/${m.id}/outages?perPage=1`, { key: admin });
    assert.equal(assertOk(page).length, 1);
    const next = page.json.meta.pagination.next;
    assert.ok(next);
    const p2 = assertOk(await api('GET', `/v1/monitors/${m.id}/outages?perPage=1&cursor=${encodeURIComponent(next)}`, { key: admin }));
    assert.deepEqual(p2, [data[1]]);
  });

  it('stats: the four default windows, each counting every check', async () => {
    const s = assertOk(await api('GET', `/v1/monitors/${m.id}/stats`, { key: admin }));
    sameKeys(s, ['windows']);
    sameKeys(s.windows, ['24h', '7d', '30d', '90d']);
    const spans = { '24h': 1, '7d': 7, '30d': 30, '90d': 90 };
    for (const [name, w] of Object.entries(s.windows)) {
      sameKeys(w, ['from', 'to', 'uptimePercent', 'downtimeSeconds', 'maintenanceSeconds', 'checks', 'responseTimeMs', 'outages']);
      assert.match(w.from, TIME_RE);
      assert.match(w.to, TIME_RE);
      assert.ok(Math.abs(Date.parse(w.to) - Date.parse(w.from) - spans[name] * 86400e3) < 1000, `${name} span`);
      assert.deepEqual(w.checks, { total: 7, up: 4, degraded: 0, down: 3 }, name);
      assert.equal(w.outages, 2, name);
      assert.equal(typeof w.uptimePercent, 'number');
      assert.ok(w.uptimePercent >= 0 && w.uptimePercent <= 100, `${name} uptimePercent ${w.uptimePercent}`);
      assert.ok(w.downtimeSeconds >= 0);
      assert.equal(w.maintenanceSeconds, 0);
      const rt = w.responseTimeMs;
      sameKeys(rt, ['avg', 'min', 'max', 'p50', 'p95', 'p99']);
      assert.ok(rt.min <= rt.p50 && rt.p50 <= rt.p95 && rt.p95 <= rt.p99 && rt.p99 <= rt.max, JSON.stringify(rt));
      assert.ok(rt.min <= rt.avg && rt.avg <= rt.max, JSON.stringify(rt));
      const times = checks.map((c) => c.responseTimeMs);
      assert.equal(rt.min, Math.min(...times));
      assert.equal(rt.max, Math.max(...times));
    }
  });

  it('stats: from and to give one window', async () => {
    const from = new Date(Date.parse(checks[0].checkedAt) - 3600e3).toISOString();
    const to = new Date(Date.now() + 1000).toISOString();
    const s = assertOk(await api('GET', `/v1/monitors/${m.id}/stats?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { key: admin }));
    assert.ok(!('windows' in s));
    assert.equal(Date.parse(s.from), Date.parse(from));
    assert.equal(Date.parse(s.to), Date.parse(to));
    assert.deepEqual(s.checks, { total: 7, up: 4, degraded: 0, down: 3 });
    // A window wholly before the monitor existed counts nothing.
    const old = assertOk(await api('GET', `/v1/monitors/${m.id}/stats?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z`, { key: admin }));
    assert.equal(old.checks.total, 0);
    assert.equal(old.outages, 0);
  });

  it('stats: bad windows are 400 bad_query', async () => {
    for (const q of ['?from=soon', '?to=2026-02-30T00:00:00Z',
      `?from=${encodeURIComponent('2026-01-02T00:00:00Z')}&to=${encodeURIComponent('2026-01-01T00:00:00Z')}`,
      `?from=${encodeURIComponent('2026-01-01T00:00:00Z')}&to=${encodeURIComponent('2026-01-01T00:00:00Z')}`,
      '?window=24h']) {
      assertProblem(await api('GET', `/v1/monitors/${m.id}/stats${q}`, { key: admin }), 400, 'bad_query');
    }
  });
});

// ---------------------------------------------------------------------------

describe('DELETE /v1/monitors/{id}', () => {
  it('answers 204 with no body and removes the monitor with its results, outages and rollups', async () => {
    const m = await mk(httpBody({ url: web.url('/fail') }));
    const keep = await mk(httpBody({ url: web.url('/fail') }));
    for (const id of [m.id, keep.id]) {
      await checkNow(id);
      await checkNow(id);
    }
    const before = rowsOf(m.id);
    assert.equal(before.monitors, 1);
    assert.equal(before.check_results, 2);
    assert.equal(before.outages, 1);
    assert.ok(before.rollups_hourly >= 1, JSON.stringify(before));
    assert.ok(before.monitor_events >= 1, JSON.stringify(before));
    const keepBefore = rowsOf(keep.id);

    const res = await api('DELETE', `/v1/monitors/${m.id}`, { key: admin });
    assert.equal(res.status, 204, show(res));
    assert.equal(res.text, '');
    assert.deepEqual(rowsOf(m.id), {
      monitors: 0, check_results: 0, outages: 0, monitor_events: 0, rollups_hourly: 0, rollups_daily: 0,
    });
    assert.deepEqual(rowsOf(keep.id), keepBefore, 'another monitor keeps its history');

    for (const [method, path] of itemRoutes(m.id).map(([a, b]) => [a, b])) {
      const r = await api(method, path, { key: admin, body: method === 'PATCH' ? { name: 'x' } : undefined });
      assertProblem(r, 404, 'not_found');
    }
    const ids = assertOk(await api('GET', '/v1/monitors?perPage=200', { key: admin })).map((x) => x.id);
    assert.ok(!ids.includes(m.id));
  });
});

// ---------------------------------------------------------------------------

describe('GET /v1/status', () => {
  it('the team\'s overall state and counts by status', async () => {
    const st = await srv.createTeam('Status');
    const k = await srv.createKey(st, { name: 'status admin' });
    const status = async () => assertOk(await api('GET', '/v1/status', { key: k }));
    const zero = { pending: 0, up: 0, degraded: 0, down: 0, paused: 0, maintenance: 0 };

    let s = await status();
    sameKeys(s, ['state', 'counts', 'total']);
    assert.deepEqual(s, { state: 'unknown', counts: zero, total: 0 });

    const up = await mk(httpBody({ name: 'up' }), k);
    s = await status();
    assert.deepEqual(s, { state: 'unknown', counts: { ...zero, pending: 1 }, total: 1 });

    await checkNow(up.id, k);
    s = await status();
    assert.deepEqual(s, { state: 'operational', counts: { ...zero, up: 1 }, total: 1 });

    const slow = await mk(httpBody({ name: 'slow', url: web.url('/slow?ms=150'), degradedAfterMs: 20 }), k);
    assert.equal((await checkNow(slow.id, k)).status, 'degraded');
    s = await status();
    assert.deepEqual(s, { state: 'degraded', counts: { ...zero, up: 1, degraded: 1 }, total: 2 });

    const down = await mk(httpBody({ name: 'down', url: web.url('/fail') }), k);
    await checkNow(down.id, k);
    s = await status();
    assert.deepEqual(s, { state: 'partial_outage', counts: { ...zero, up: 1, degraded: 1, down: 1 }, total: 3 });

    for (const m of [up, slow]) assertOk(await api('POST', `/v1/monitors/${m.id}/pause`, { key: k }));
    s = await status();
    assert.deepEqual(s, { state: 'major_outage', counts: { ...zero, down: 1, paused: 2 }, total: 3 });

    // Other teams' monitors never count.
    const o = assertOk(await api('GET', '/v1/status', { key: otherKey }));
    assert.equal(o.counts.down, 0);
  });
});

// ---------------------------------------------------------------------------

describe('GET /v1/monitors/stats', () => {
  let k, up, down, flipper;
  const zero = { pending: 0, up: 0, degraded: 0, down: 0, paused: 0, maintenance: 0 };
  const WINDOWS = ['24h', '7d', '30d', '90d'];
  const WORST_KEYS = ['id', 'name', 'status', 'uptimePercent', 'downtimeSeconds', 'outages'];
  const stats = async (q = '', key = k) => assertOk(await api('GET', `/v1/monitors/stats${q}`, { key }));

  before(async () => {
    const st = await srv.createTeam('Team stats');
    k = await srv.createKey(st, { name: 'team stats admin' });
  });

  it('a team with no monitors: every count zero, no uptime, an empty worst list', async () => {
    const s = await stats();
    sameKeys(s, ['windows', 'counts', 'total', 'openOutages', 'worst']);
    sameKeys(s.windows, WINDOWS);
    for (const w of Object.values(s.windows)) {
      sameKeys(w, ['from', 'to', 'uptimePercent', 'downtimeSeconds', 'maintenanceSeconds', 'checks', 'outages', 'monitors']);
      assert.equal(w.uptimePercent, null);
      assert.equal(w.downtimeSeconds, null);
      assert.deepEqual(w.checks, { total: 0, up: 0, degraded: 0, down: 0 });
      assert.equal(w.monitors, 0);
    }
    assert.deepEqual(s.counts, zero);
    assert.equal(s.total, 0);
    assert.equal(s.openOutages, 0);
    assert.deepEqual(s.worst, { window: '30d', monitors: [] });
  });

  it('uptime over the monitors\' windows, counts by status, open outages, the worst first', async () => {
    up = await mk(httpBody({ name: 'always up' }), k);
    down = await mk(httpBody({ name: 'always down', url: web.url('/fail') }), k);
    flipper = await mk(httpBody({ name: 'flips', url: web.url('/flip') }), k);
    await mk(httpBody({ name: 'never checked' }), k);
    await checkNow(up.id, k);
    await checkNow(down.id, k);
    for (const code of [500, 200]) {
      flip = code;
      await checkNow(flipper.id, k);
      await sleep(20);
    }
    flip = 200;
    await sleep(50);
    await checkNow(up.id, k);

    const s = await stats();
    assert.deepEqual(s.counts, { ...zero, up: 2, down: 1, pending: 1 });
    assert.equal(s.total, 4);
    assert.equal(s.openOutages, 1);
    const spans = { '24h': 1, '7d': 7, '30d': 30, '90d': 90 };
    for (const name of WINDOWS) {
      const w = s.windows[name];
      assert.ok(Math.abs(Date.parse(w.to) - Date.parse(w.from) - spans[name] * 86400e3) < 1000, `${name} span`);
      assert.deepEqual(w.checks, { total: 5, up: 3, degraded: 0, down: 2 }, name);
      assert.equal(w.outages, 2, name);
      assert.equal(w.monitors, 3, `${name}: the unchecked monitor has no data`);
      assert.ok(w.uptimePercent > 0 && w.uptimePercent < 100, `${name} uptimePercent ${w.uptimePercent}`);
      assert.equal(w.maintenanceSeconds, 0);
      // The downtime is the sum of the monitors' own stats.
      let sum = 0;
      for (const m of [up, down, flipper]) {
        sum += assertOk(await api('GET', `/v1/monitors/${m.id}/stats`, { key: k })).windows[name].downtimeSeconds;
      }
      assert.ok(Math.abs(w.downtimeSeconds - sum) < 2, `${name}: ${w.downtimeSeconds} vs ${sum}`);
    }
    assert.equal(s.worst.window, '30d');
    const worst = s.worst.monitors;
    for (const m of worst) sameKeys(m, WORST_KEYS);
    assert.deepEqual(worst.map((m) => m.id), [down.id, flipper.id, up.id]);
    assert.deepEqual(worst.map((m) => m.status), ['down', 'up', 'up']);
    assert.equal(worst[2].uptimePercent, 100);
    assert.equal(worst[2].outages, 0);
    assert.equal(worst[1].outages, 1);
    assert.ok(worst[0].uptimePercent < worst[1].uptimePercent);
    // Another team's monitors never count, and it sees none of these.
    const o = await stats('', otherKey);
    assert.ok(!o.worst.monitors.some((m) => [up.id, down.id, flipper.id].includes(m.id)));
  });

  it('?window picks the worst list\'s window; at most 5, ties by id', async () => {
    const t = await srv.createTeam('Team stats many');
    const key = await srv.createKey(t, { name: 'many' });
    const ids = [];
    for (let i = 0; i < 7; i++) {
      const m = await mk(httpBody({ name: `up ${i}` }), key);
      await checkNow(m.id, key);
      ids.push(m.id);
    }
    for (const w of WINDOWS) {
      const s = await stats(`?window=${w}`, key);
      assert.equal(s.worst.window, w);
      assert.deepEqual(s.worst.monitors.map((m) => m.id), [...ids].sort().slice(0, 5), w);
      assert.ok(s.worst.monitors.every((m) => m.uptimePercent === 100));
    }
  });

  it('negative: a bad window or an unknown query is 400 bad_query naming window', async () => {
    for (const q of ['?window=1y', '?window=', '?window=30D', '?window=24h&window=7d', '?colour=red']) {
      const res = await api('GET', `/v1/monitors/stats${q}`, { key: k });
      assertProblem(res, 400, 'bad_query');
      if (q.startsWith('?window')) assert.match(res.json.detail, /window/, q);
    }
  });

  it('negative: "stats" is never a monitor id: other methods are 405, paths below it 404', async () => {
    for (const method of ['PATCH', 'DELETE', 'POST']) {
      const res = await api(method, '/v1/monitors/stats', { key: admin, body: method === 'DELETE' ? undefined : {} });
      assertProblem(res, 405, 'method_not_allowed');
      const allow = (res.headers.get('allow') ?? '').split(',').map((x) => x.trim()).sort();
      assert.deepEqual(allow, ['GET', 'HEAD', 'OPTIONS'], method);
    }
    for (const p of ['/v1/monitors/stats/results', '/v1/monitors/stats/stats', '/v1/monitors/stats/check']) {
      assertProblem(await api('GET', p, { key: admin }), 404, 'not_found');
    }
  });
});

// ---------------------------------------------------------------------------

describe('authentication, scopes and teams', () => {
  let m;
  before(async () => { m = await mk(httpBody({ name: 'guarded' })); });

  it('no key: 401 on every route, nothing changes', async () => {
    await assertNoChange(srv, async () => {
      for (const [method, path, body] of routes(m.id)) {
        assertUnauthorized(await api(method, path, { body }), 'missing_credentials', { presented: false });
      }
    }, { authFailure: true });
  });

  it('a well-formed unknown key: 401 invalid_key on every route', async () => {
    const { makeKey } = await import('./lib/harness.mjs');
    const bogus = makeKey();
    await assertNoChange(srv, async () => {
      for (const [method, path, body] of routes(m.id)) {
        assertUnauthorized(await api(method, path, { key: bogus, body }), 'invalid_key');
      }
    }, { authFailure: true });
  });

  it('monitors:read only: every write route is 403 insufficient_scope (monitors:write)', async () => {
    await assertNoChange(srv, async () => {
      for (const [method, path, body, scope] of routes(m.id)) {
        if (scope !== 'monitors:write') continue;
        assertForbidden(await api(method, path, { key: readOnly, body }), 'monitors:write');
      }
    }, { authFailure: true });
    // and the read routes work for it
    for (const [method, path, , scope] of routes(m.id)) {
      if (scope === 'monitors:read') assertOk(await api(method, path, { key: readOnly }));
    }
  });

  it('alerts scopes only: every route is 403; reads name monitors:read', async () => {
    await assertNoChange(srv, async () => {
      for (const [method, path, body, scope] of routes(m.id)) {
        assertForbidden(await api(method, path, { key: alertsOnly, body }), scope);
      }
    }, { authFailure: true });
  });

  it('monitors:write does not imply monitors:read', async () => {
    await assertNoChange(srv, async () => {
      for (const [method, path, , scope] of routes(m.id)) {
        if (scope === 'monitors:read') assertForbidden(await api(method, path, { key: writeOnly }), 'monitors:read');
      }
    }, { authFailure: true });
    // It can write.
    const d = assertOk(await api('PATCH', `/v1/monitors/${m.id}`, { key: writeOnly, body: { tags: ['w'] } }));
    assert.deepEqual(d.tags, ['w']);
  });

  it('another team\'s monitor: 404 on every route, like an id that does not exist', async () => {
    const strip = ({ requestId, ...rest }) => rest;
    await assertNoChange(srv, async () => {
      for (const [method, path, body] of itemRoutes(m.id)) {
        const theirs = await api(method, path, { key: otherKey, body });
        assertProblem(theirs, 404, 'not_found');
        const ghost = await api(method, path.replace(m.id, GHOST_ID), { key: admin, body });
        assertProblem(ghost, 404, 'not_found');
        assert.deepEqual(strip(theirs.json), strip(ghost.json), `${method} ${path}`);
        assertProblem(await api(method, path.replace(m.id, 'mon_bad!'), { key: admin, body }), 404, 'not_found');
        assertProblem(await api(method, path.replace(m.id, 'out_' + 'A'.repeat(20)), { key: admin, body }), 404, 'not_found');
      }
    });
    // Still there, unchanged, for its own team.
    const g = await get(m.id);
    assert.equal(g.name, 'guarded');
    assert.equal(g.paused, false);
  });

  it('writes are audited with the monitor id', async () => {
    const d = await mk(httpBody({ name: 'audited' }));
    assertOk(await api('PATCH', `/v1/monitors/${d.id}`, { key: admin, body: { name: 'audited 2' } }));
    assertOk(await api('POST', `/v1/monitors/${d.id}/pause`, { key: admin }));
    assertOk(await api('POST', `/v1/monitors/${d.id}/resume`, { key: admin }));
    assert.equal((await api('DELETE', `/v1/monitors/${d.id}`, { key: admin })).status, 204);
    const ev = assertOk(await api('GET', '/v1/audit-events?perPage=200', { key: admin }));
    const mine = ev.filter((e) => e.targetId === d.id).map((e) => e.action);
    for (const a of ['monitor.created', 'monitor.updated', 'monitor.paused', 'monitor.resumed', 'monitor.deleted']) {
      assert.ok(mine.includes(a), `${a} in ${JSON.stringify(mine)}`);
    }
  });
});
