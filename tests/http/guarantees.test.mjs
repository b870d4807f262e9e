// API guarantees of API.md section 3 across families: the per-key rate
// limit shared by every worker process, failed authentication limited per
// address, and Idempotency-Key on POST.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeKey, sleep } from './lib/harness.mjs';
import { assertOk, assertProblem, show } from './lib/checks.mjs';
import { startHttpTarget, targetSet } from './lib/targets.mjs';

const RATE = 20;
let srv;
const targets = targetSet();

before(async () => {
  srv = await startServer({
    allowPrivate: true,
    env: { UPTIME_RATE_LIMIT: String(RATE), UPTIME_AUTH_FAIL_LIMIT: '10' },
  });
});

after(async () => {
  await targets.closeAll();
  await srv?.stop();
});

// Wait for the start of a fresh minute when fewer than `need` seconds
// remain in this one: rate windows are calendar minutes.
async function freshWindow(need = 15) {
  const left = 60 - (Date.now() / 1000) % 60;
  if (left < need) await sleep(left * 1000 + 200);
}

describe('rate limit per key, shared by every worker of every family', () => {
  it('exactly N of N+k concurrent requests over two families are accepted', async () => {
    await freshWindow();
    const team = await srv.createTeam('Burst');
    const key = await srv.createKey(team, { name: 'burst' });
    const paths = ['/v1/api-keys/current', '/v1/monitors', '/v1/status', '/v1/api-keys'];
    const all = await Promise.all(Array.from({ length: RATE + 12 },
      (_, i) => srv.api('GET', paths[i % paths.length], { key })));
    const ok = all.filter((r) => r.status === 200);
    const limited = all.filter((r) => r.status === 429);
    assert.equal(ok.length, RATE, all.map((r) => r.status).join(' '));
    assert.equal(limited.length, 12);
    for (const r of limited) {
      assertProblem(r, 429, 'rate_limited');
      assert.match(r.headers.get('retry-after') ?? '', /^\d+$/);
    }
    // Every accepted answer says how much is left; together they count
    // down from RATE - 1 to 0 without repeating.
    const remaining = ok.map((r) => Number(r.headers.get('ratelimit-remaining'))).sort((a, b) => a - b);
    assert.deepEqual(remaining, Array.from({ length: RATE }, (_, i) => i));
    for (const r of ok) assert.equal(r.headers.get('ratelimit-limit'), String(RATE));
  });

  it('a limited key is refused before its scope is looked at, and writes nothing', async () => {
    await freshWindow();
    const team = await srv.createTeam('Spent');
    const key = await srv.createKey(team, { name: 'spent', scopes: ['monitors:read'] });
    for (let i = 0; i < RATE; i++) assertOk(await srv.api('GET', '/v1/monitors', { key }));
    const before = await srv.sql("SELECT count(*) AS n FROM audit_events");
    const res = await srv.api('POST', '/v1/api-keys', { key, body: { name: 'x', scopes: ['monitors:read'] } });
    assertProblem(res, 429, 'rate_limited');
    const afterRows = await srv.sql("SELECT count(*) AS n FROM audit_events");
    assert.deepEqual(afterRows, before);
  });
});

describe('failed authentication, per client address', () => {
  it('past the limit a bad key gets 429, while a good key still works', async () => {
    await freshWindow();
    const team = await srv.createTeam('Innocent');
    const good = await srv.createKey(team, { name: 'good' });
    const statuses = [];
    for (let i = 0; i < 14; i++) statuses.push((await srv.api('GET', '/v1/monitors', { key: makeKey() })).status);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401), statuses.join(' '));
    assert.deepEqual(statuses.slice(10), Array(4).fill(429), statuses.join(' '));
    assertOk(await srv.api('GET', '/v1/monitors', { key: good }));
  });
});

describe('Idempotency-Key on POST', () => {
  let key;
  before(async () => {
    await freshWindow(30);
    key = await srv.createKey(await srv.createTeam('Careful'), { name: 'careful' });
  });

  it('replays the first answer, without the secret, and makes nothing twice', async () => {
    const req = { key, body: { name: 'made once', scopes: ['monitors:read'] }, headers: { 'idempotency-key': 'create-1' } };
    const first = await srv.api('POST', '/v1/api-keys', req);
    assertOk(first, 201);
    assert.match(first.json.data.key, /^uptime_/);
    const again = await srv.api('POST', '/v1/api-keys', req);
    assert.equal(again.status, 201, show(again));
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.headers.get('location'), first.headers.get('location'));
    assert.equal(again.json.data.id, first.json.data.id);
    assert.equal(again.json.data.key, null, 'a replay never repeats a secret');
    // The body is the first answer's, request id included; the header is the replay's own.
    assert.equal(again.json.meta.requestId, first.json.meta.requestId);
    assert.equal(first.headers.get('x-request-id'), first.json.meta.requestId);
    assert.notEqual(again.headers.get('x-request-id'), first.json.meta.requestId);
    const rows = await srv.sql("SELECT count(*) AS n FROM api_keys WHERE name = 'made once'");
    assert.equal(rows[0].n, 1);
    // The kept answer holds no secret either.
    const kept = await srv.sql("SELECT body FROM idempotency WHERE idem_key = 'create-1'");
    assert.ok(!String(kept[0].body).includes(first.json.data.key));
  });

  it('the same key with another body is 422; another API key has its own keys', async () => {
    const h = { 'idempotency-key': 'monitor-1' };
    const body = { name: 'idem', url: 'https://example.com/' };
    const m = assertOk(await srv.api('POST', '/v1/monitors', { key, body, headers: h }), 201);
    assertProblem(await srv.api('POST', '/v1/monitors', { key, body: { ...body, name: 'other' }, headers: h }),
      422, 'idempotency_key_reused');
    const other = await srv.createKey(await srv.createTeam('Elsewhere'), { name: 'elsewhere' });
    const m2 = assertOk(await srv.api('POST', '/v1/monitors', { key: other, body, headers: h }), 201);
    assert.notEqual(m2.id, m.id);
  });

  it('a failed request keeps nothing: the same key can be used again', async () => {
    const h = { 'idempotency-key': 'fix-and-retry' };
    assertProblem(await srv.api('POST', '/v1/monitors', { key, body: { name: 'x', url: 'ftp://x/' }, headers: h }),
      400, 'validation_error');
    const ok = await srv.api('POST', '/v1/monitors', { key, body: { name: 'x', url: 'https://example.com/' }, headers: h });
    assertOk(ok, 201);
    assert.equal(ok.headers.get('idempotent-replayed'), null);
  });

  it('a retry while the first request still runs is 409', async () => {
    const slow = targets.add(await startHttpTarget(async (req, res) => { await sleep(1500); res.end('ok'); }));
    const m = assertOk(await srv.api('POST', '/v1/monitors', { key, body: { name: 'slow', url: slow.url('/'), timeoutSeconds: 5 } }), 201);
    const h = { 'idempotency-key': 'check-now' };
    const first = srv.api('POST', `/v1/monitors/${m.id}/check`, { key, headers: h });
    await sleep(400);
    const during = await srv.api('POST', `/v1/monitors/${m.id}/check`, { key, headers: h });
    assertProblem(during, 409, 'conflict');
    assert.match(during.headers.get('retry-after') ?? '', /^\d+$/);
    const done = await first;
    assertOk(done);
    const after = await srv.api('POST', `/v1/monitors/${m.id}/check`, { key, headers: h });
    assert.equal(after.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(after.json.data, done.json.data);
    assert.equal(slow.stats.requests, 1, 'the check ran once');
  });

  it('a malformed Idempotency-Key is refused', async () => {
    for (const bad of ['', 'x'.repeat(256), 'has space']) {
      const res = await srv.api('POST', '/v1/monitors', { key, body: { name: 'y', url: 'https://example.com/' },
        headers: { 'idempotency-key': bad } });
      if (bad === '') {
        // An empty header may not reach the program at all.
        assert.ok([201, 400].includes(res.status), show(res));
        continue;
      }
      assertProblem(res, 400, 'validation_error');
    }
  });
});
