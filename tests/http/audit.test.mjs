// GET /v1/audit-events: API.md section 4 "API keys".

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sleep, makeKey } from './lib/harness.mjs';
import { assertOk, assertProblem, assertForbidden, assertNoSecretMaterial, show, TIME_RE, EVT_ID_RE } from './lib/checks.mjs';

let srv;
let teamA, teamB;
let admin, adminId, adminPrefix;
let monitorsOnly, monitorsOnlyId;
let keyB;
let x, y;           // keys made through the API
let xRotated;
let t1;             // an instant between the first and the second half of the story

async function events(q = '', key = admin) {
  return assertOk(await srv.api('GET', `/v1/audit-events${q}`, { key }));
}

before(async () => {
  srv = await startServer();
  teamA = await srv.createTeam('Audited');
  teamB = await srv.createTeam('Other');
  admin = await srv.createKey(teamA, { name: 'auditor' });
  adminPrefix = admin.slice(0, 15);
  adminId = (await srv.whoami(admin)).id;
  monitorsOnly = await srv.createKey(teamA, { name: 'monitors', scopes: ['monitors:read'] });
  monitorsOnlyId = (await srv.whoami(monitorsOnly)).id;
  keyB = await srv.createKey(teamB, { name: 'b' });

  // First half: a create and a rotate.
  x = assertOk(await srv.api('POST', '/v1/api-keys', { key: admin, body: { name: 'x', scopes: ['monitors:read'] } }), 201);
  xRotated = assertOk(await srv.api('POST', `/v1/api-keys/${x.id}/rotate`, { key: admin }));
  await sleep(30);
  t1 = new Date();
  await sleep(30);
  // Second half: a create, a revoke, a 403 and a 401 with the revoked key.
  y = assertOk(await srv.api('POST', '/v1/api-keys', { key: admin, body: { name: 'y', scopes: ['monitors:read'] } }), 201);
  const del = await srv.api('DELETE', `/v1/api-keys/${y.id}`, { key: admin });
  assert.equal(del.status, 204, show(del));
  assertForbidden(await srv.api('GET', '/v1/api-keys', { key: monitorsOnly }), 'api-keys:read');
  const r401 = await srv.api('GET', '/v1/api-keys/current', { key: y.key });
  assert.equal(r401.status, 401);
  // Team B does things too; they must not show in team A's log.
  assertOk(await srv.api('POST', '/v1/api-keys', { key: keyB, body: { name: 'b2', scopes: ['monitors:read'] } }), 201);
});

after(async () => { await srv?.stop(); });

function assertEvent(e) {
  for (const f of ['id', 'at', 'keyId', 'keyPrefix', 'action', 'method', 'path', 'status', 'ip', 'targetId']) {
    assert.ok(f in e, `event lacks ${f}: ${JSON.stringify(e)}`);
  }
  assert.match(e.id, EVT_ID_RE);
  assert.match(e.at, TIME_RE);
  assert.equal(typeof e.action, 'string');
  assert.equal(typeof e.method, 'string');
  assert.equal(typeof e.path, 'string');
  assert.equal(typeof e.status, 'number');
  assert.equal(typeof e.ip, 'string');
}

const find = (list, pred, what) => {
  const hits = list.filter(pred);
  assert.equal(hits.length, 1, `expected one ${what} event, got ${hits.length}:\n${JSON.stringify(list, null, 1)}`);
  return hits[0];
};

describe('audit events', () => {
  it('record api_key.created, .rotated and .revoked with who, what and where', async () => {
    const list = await events('?perPage=200');
    list.forEach(assertEvent);
    assertNoSecretMaterial(list);

    const created = find(list, (e) => e.action === 'api_key.created' && e.targetId === x.id, 'api_key.created');
    assert.equal(created.keyId, adminId);
    assert.equal(created.keyPrefix, adminPrefix);
    assert.equal(created.method, 'POST');
    assert.equal(created.path, '/v1/api-keys');
    assert.equal(created.status, 201);
    assert.equal(created.ip, '127.0.0.1');

    const rotated = find(list, (e) => e.action === 'api_key.rotated' && e.targetId === x.id, 'api_key.rotated');
    assert.equal(rotated.keyId, adminId);
    assert.equal(rotated.method, 'POST');
    assert.equal(rotated.path, `/v1/api-keys/${x.id}/rotate`);
    assert.equal(rotated.status, 200);

    const revoked = find(list, (e) => e.action === 'api_key.revoked' && e.targetId === y.id, 'api_key.revoked');
    assert.equal(revoked.keyId, adminId);
    assert.equal(revoked.method, 'DELETE');
    assert.equal(revoked.path, `/v1/api-keys/${y.id}`);
    assert.equal(revoked.status, 204);
  });

  it('record auth.forbidden (403) and auth.failed (401 with a revoked key of the team)', async () => {
    const list = await events('?perPage=200');
    const forbidden = find(list, (e) => e.action === 'auth.forbidden', 'auth.forbidden');
    assert.equal(forbidden.keyId, monitorsOnlyId);
    assert.equal(forbidden.keyPrefix, monitorsOnly.slice(0, 15));
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.method, 'GET');
    assert.equal(forbidden.path, '/v1/api-keys');
    assert.equal(forbidden.ip, '127.0.0.1');

    const failed = find(list, (e) => e.action === 'auth.failed', 'auth.failed');
    assert.equal(failed.status, 401);
    assert.equal(failed.method, 'GET');
    assert.equal(failed.path, '/v1/api-keys/current');
    assert.equal(failed.ip, '127.0.0.1');
    assert.ok(failed.keyId === y.id || failed.keyId === null, `keyId ${failed.keyId}`);
  });

  it('a refused escalation (403) is recorded too', async () => {
    const limited = await srv.createKey(teamA, { name: 'limited', scopes: ['api-keys:write', 'api-keys:read'] });
    const limitedId = (await srv.whoami(limited)).id;
    const res = await srv.api('POST', '/v1/api-keys', { key: limited, body: { name: 'up', scopes: ['team:write'] } });
    assert.equal(res.status, 403, show(res));
    const l = await events(`?keyId=${limitedId}`);
    assert.equal(l.length, 1, JSON.stringify(l));
    assert.equal(l[0].status, 403);
    assert.equal(l[0].method, 'POST');
    assert.equal(l[0].path, '/v1/api-keys');
  });

  it('filtering by another team\'s key id finds nothing', async () => {
    const keyBId = (await srv.whoami(keyB)).id;
    assert.deepEqual(await events(`?keyId=${keyBId}`), []);
  });

  it('are newest first', async () => {
    const list = await events('?perPage=200');
    for (let i = 1; i < list.length; i++) assert.ok(list[i - 1].at >= list[i].at);
  });

  it('reads add no events', async () => {
    const before = (await events('?perPage=200')).length;
    assertOk(await srv.api('GET', '/v1/api-keys', { key: admin }));
    assertOk(await srv.api('GET', `/v1/api-keys/${x.id}`, { key: admin }));
    assertOk(await srv.api('GET', '/v1/api-keys/current', { key: admin }));
    const after = (await events('?perPage=200')).length;
    assert.equal(after, before);
  });

  it('a team sees only its own events', async () => {
    const a = await events('?perPage=200');
    const b = await events('?perPage=200', keyB);
    const idsA = new Set(a.map((e) => e.id));
    assert.ok(b.every((e) => !idsA.has(e.id)));
    assert.ok(b.some((e) => e.action === 'api_key.created'));
    const keyBId = (await srv.whoami(keyB)).id;
    assert.ok(a.every((e) => e.keyId !== keyBId));
  });

  it('filter keyId: only events made with that key', async () => {
    const l = await events(`?keyId=${adminId}&perPage=200`);
    assert.ok(l.length >= 4);
    assert.ok(l.every((e) => e.keyId === adminId));
    const m = await events(`?keyId=${monitorsOnlyId}&perPage=200`);
    assert.deepEqual(m.map((e) => e.action), ['auth.forbidden']);
  });

  it('filter action', async () => {
    const l = await events('?action=api_key.revoked&perPage=200');
    assert.deepEqual(l.map((e) => e.targetId), [y.id]);
    const c = await events('?action=api_key.created&perPage=200');
    assert.ok(c.every((e) => e.action === 'api_key.created'));
    assert.deepEqual(c.filter((e) => e.targetId === x.id || e.targetId === y.id).map((e) => e.targetId), [y.id, x.id]);
    assert.deepEqual(await events('?action=nothing.happened'), []);
  });

  it('filters from and to', async () => {
    const iso = encodeURIComponent(t1.toISOString());
    const later = await events(`?from=${iso}&perPage=200`);
    const earlier = await events(`?to=${iso}&perPage=200`);
    const all = await events('?perPage=200');
    assert.ok(later.every((e) => e.at >= t1.toISOString()));
    assert.ok(earlier.every((e) => e.at <= t1.toISOString()));
    assert.equal(later.length + earlier.length, all.length);
    assert.ok(later.some((e) => e.action === 'api_key.revoked'));
    assert.ok(!later.some((e) => e.action === 'api_key.rotated'));
    assert.ok(earlier.some((e) => e.action === 'api_key.rotated'));
    // Any offset is accepted.
    const plus = new Date(t1.getTime()).toISOString().replace('Z', '+00:00');
    assert.equal((await events(`?from=${encodeURIComponent(plus)}&perPage=200`)).length, later.length);
    // Combined with another filter.
    const both = await events(`?from=${iso}&action=api_key.created&perPage=200`);
    assert.deepEqual(both.filter((e) => e.targetId === x.id || e.targetId === y.id).map((e) => e.targetId), [y.id]);
  });

  it('bad filters are 400 bad_query', async () => {
    for (const q of ['?from=yesterday', '?to=2020-13-01T00:00:00Z', '?perPage=0', '?cursor=%%%']) {
      assertProblem(await srv.api('GET', `/v1/audit-events${q}`, { key: admin }), 400, 'bad_query');
    }
  });

  it('paginate with perPage and cursor, with no gaps or duplicates', async () => {
    const all = (await events('?perPage=200')).map((e) => e.id);
    assert.ok(all.length >= 5);
    const seen = [];
    let url = '/v1/audit-events?perPage=2';
    let guard = 0;
    while (url) {
      const res = await srv.api('GET', url, { key: admin });
      seen.push(...assertOk(res).map((e) => e.id));
      const next = res.json.meta.pagination.next;
      const link = res.headers.get('link');
      if (next) {
        assert.match(link ?? '', /rel="?next"?/);
        url = new URL(/<([^>]*)>/.exec(link)[1], srv.baseUrl);
        url = url.pathname + url.search;
      } else {
        assert.equal(link, null);
        url = null;
      }
      assert.ok(++guard < 100);
    }
    assert.deepEqual(seen, all);
  });

  it('needs api-keys:read', async () => {
    assertForbidden(await srv.api('GET', '/v1/audit-events', { key: monitorsOnly }), 'api-keys:read');
  });

  it('hold no secret: neither the keys made nor those presented', async () => {
    await srv.api('GET', '/v1/api-keys', { key: makeKey() });
    const text = JSON.stringify(await events('?perPage=200'));
    for (const s of [admin, x.key, xRotated.key, y.key, monitorsOnly]) {
      assert.ok(!text.includes(s));
      assert.ok(!text.includes(s.slice(7, 39)));
    }
  });
});
