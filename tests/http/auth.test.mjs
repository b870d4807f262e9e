// Authentication and scopes: API.md section 2, as a client meets it.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeKey, keyChecksum, randomBase62, sleep, ALL_SCOPES } from './lib/harness.mjs';
import {
  assertOk, assertProblem, assertUnauthorized, assertForbidden, assertNoChange,
  parseAuthenticate, show, KEY_ID_RE, TEAM_ID_RE,
} from './lib/checks.mjs';

let srv;
let teamA, teamB;
let keyA;              // team A, every scope (made by uptime-admin)
let keyB;              // team B, every scope
let keyBId;
let monitorsRead;      // team A, monitors:read only
let readOnly;          // team A, api-keys:read only
let writeOnly;         // team A, api-keys:write only
let expiring;          // team A, expires a few seconds after start
let expiringAt;

const FAKE_ID = 'key_' + 'Q'.repeat(20);   // well-formed, never issued

// Every api-keys.fcgi route with the scope it needs (null: any valid key).
function routes(id) {
  return [
    { method: 'GET', path: '/v1/api-keys', scope: 'api-keys:read' },
    { method: 'GET', path: `/v1/api-keys/${id}`, scope: 'api-keys:read' },
    { method: 'POST', path: '/v1/api-keys', scope: 'api-keys:write', body: { name: 'x', scopes: ['monitors:read'] } },
    { method: 'DELETE', path: `/v1/api-keys/${id}`, scope: 'api-keys:write' },
    { method: 'POST', path: `/v1/api-keys/${id}/rotate`, scope: 'api-keys:write' },
    { method: 'GET', path: '/v1/audit-events', scope: 'api-keys:read' },
    { method: 'GET', path: '/v1/api-keys/current', scope: null },
  ];
}

const isWrite = (r) => r.method !== 'GET';

before(async () => {
  srv = await startServer();
  teamA = await srv.createTeam('Team A');
  teamB = await srv.createTeam('Team B');
  expiringAt = new Date(Math.ceil((Date.now() + 4000) / 1000) * 1000);
  expiring = await srv.createKey(teamA, { name: 'expiring', scopes: 'monitors:read', expires: expiringAt });
  keyA = await srv.createKey(teamA, { name: 'all A' });
  keyB = await srv.createKey(teamB, { name: 'all B' });
  monitorsRead = await srv.createKey(teamA, { name: 'monitors only', scopes: ['monitors:read'] });
  readOnly = await srv.createKey(teamA, { name: 'keys read', scopes: ['api-keys:read'] });
  writeOnly = await srv.createKey(teamA, { name: 'keys write', scopes: ['api-keys:write'] });
  keyBId = (await srv.whoami(keyB)).id;
});

after(async () => { await srv?.stop(); });

describe('key format', () => {
  it('keys made by uptime-admin have the documented format and checksum', () => {
    for (const k of [keyA, keyB, monitorsRead, readOnly, writeOnly, expiring]) {
      assert.equal(k.length, 45);
      assert.match(k, /^uptime_[0-9A-Za-z]{38}$/);
      assert.equal(k.slice(39), keyChecksum(k.slice(7, 39)), `checksum of ${k.slice(0, 15)}… is CRC-32 in base62`);
    }
  });

  it('keys made by the API have the documented format and checksum', async () => {
    const r = await srv.api('POST', '/v1/api-keys', { key: keyA, body: { name: 'format', scopes: ['monitors:read'] } });
    const d = assertOk(r, 201);
    assert.equal(d.key.length, 45);
    assert.equal(d.key.slice(39), keyChecksum(d.key.slice(7, 39)));
    assert.equal(d.keyPrefix, d.key.slice(0, 15));
  });
});

describe('401 Unauthorized', () => {
  it('no Authorization header: 401 missing_credentials, WWW-Authenticate without error=', async () => {
    for (const r of routes(FAKE_ID)) {
      const res = await srv.api(r.method, r.path, { body: r.body });
      assertUnauthorized(res, 'missing_credentials', { presented: false });
      assert.equal(res.headers.get('www-authenticate').replace(/\s+/g, ' ').trim(), 'Bearer realm="uptime"',
        `${r.method} ${r.path}`);
    }
  });

  it('Basic scheme is refused with 401', async () => {
    const basic = 'Basic ' + Buffer.from(`user:${keyA}`).toString('base64');
    const res = await srv.api('GET', '/v1/api-keys', { headers: { authorization: basic } });
    const p = assertProblem(res, 401, null, { codes: ['missing_credentials', 'invalid_key'] });
    const wa = parseAuthenticate(res.headers.get('www-authenticate'));
    assert.equal(wa.scheme, 'bearer');
    assert.equal(wa.params.realm, 'uptime');
    assert.ok(!res.text.includes(keyA) && !p.detail.includes(keyA));
  });

  it('the key itself without "Bearer " is refused', async () => {
    const res = await srv.api('GET', '/v1/api-keys', { headers: { authorization: keyA } });
    assertProblem(res, 401, null, { codes: ['missing_credentials', 'invalid_key'] });
  });

  it('the Bearer scheme name is case-insensitive (RFC 9110 11.1)', async () => {
    const res = await srv.api('GET', '/v1/api-keys/current', { headers: { authorization: `bearer ${keyA}` } });
    assertOk(res);
  });

  it('"Bearer" with no token is refused with 401', async () => {
    for (const value of ['Bearer', 'Bearer ']) {
      const res = await srv.api('GET', '/v1/api-keys', { headers: { authorization: value } });
      assertProblem(res, 401, null, { codes: ['missing_credentials', 'invalid_key'] });
    }
  });

  it('malformed keys: 401 invalid_key with error="invalid_token"', async () => {
    const valid = makeKey();
    const bad = [
      'uptime_short',
      'nope',
      'uptime_' + 'a'.repeat(38) + 'a',             // one too long
      'uptime_' + 'a'.repeat(37),                    // one too short
      valid.slice(0, 20) + '-' + valid.slice(21),    // not base62
      valid.replace('uptime_', 'uptime-'),
      valid.replace('uptime_', 'UPTIME_'),
      'sk_' + valid.slice(7),
      'uptime_' + 'x'.repeat(3000),                  // long
      valid + ',' + valid,
    ];
    for (const k of bad) {
      const res = await srv.api('GET', '/v1/api-keys', { key: k });
      const p = assertUnauthorized(res, 'invalid_key');
      assert.ok(!res.text.includes(k), `the presented key is echoed: ${res.text}`);
      assert.ok(!(res.headers.get('www-authenticate') ?? '').includes(k), 'the presented key is echoed');
      assert.equal(p.status, 401);
    }
  });

  it('a well-formed key with a bad checksum: 401 invalid_key', async () => {
    const real = keyA;
    const last = real.at(-1);
    const flipped = real.slice(0, -1) + (last === 'A' ? 'B' : 'A');
    assertUnauthorized(await srv.api('GET', '/v1/api-keys', { key: flipped }), 'invalid_key');
    // The random part changed but the checksum kept: also bad.
    const r = real.slice(7, 39);
    const other = 'uptime_' + (r[0] === 'a' ? 'b' : 'a') + r.slice(1) + real.slice(39);
    assertUnauthorized(await srv.api('GET', '/v1/api-keys', { key: other }), 'invalid_key');
  });

  it('an unknown key with a valid checksum: 401 invalid_key', async () => {
    const k = makeKey(randomBase62(32));
    const res = await srv.api('GET', '/v1/api-keys', { key: k });
    assertUnauthorized(res, 'invalid_key');
    assert.ok(!res.text.includes(k));
  });

  it('401s to writes leave the data alone (one audit event aside)', async () => {
    for (const r of routes(FAKE_ID).filter(isWrite)) {
      await assertNoChange(srv, async () => {
        assertUnauthorized(await srv.api(r.method, r.path, { body: r.body }), 'missing_credentials', { presented: false });
        assertUnauthorized(await srv.api(r.method, r.path, { key: makeKey(), body: r.body }), 'invalid_key');
      }, { authFailure: true });
    }
  });

  it('a revoked key fails on the very next request (DELETE answers 204)', async () => {
    const made = assertOk(await srv.api('POST', '/v1/api-keys', {
      key: keyA, body: { name: 'soon revoked', scopes: ['api-keys:read'] },
    }), 201);
    // Works at once.
    assertOk(await srv.api('GET', '/v1/api-keys', { key: made.key }));
    const del = await srv.api('DELETE', `/v1/api-keys/${made.id}`, { key: keyA });
    assert.equal(del.status, 204, show(del));
    assert.equal(del.text, '');
    for (const r of routes(made.id)) {
      const res = await srv.api(r.method, r.path, { key: made.key, body: r.body });
      assertUnauthorized(res, 'invalid_key');
    }
  });

  it('a key revoked with uptime-admin fails on the next request', async () => {
    const k = await srv.createKey(teamA, { name: 'admin revoked', scopes: ['api-keys:read'] });
    const id = (await srv.whoami(k)).id;
    assertOk(await srv.api('GET', '/v1/api-keys', { key: k }));
    const r = await srv.admin('key', 'revoke', id);
    assert.equal(r.code, 0, r.stderr);
    assertUnauthorized(await srv.api('GET', '/v1/api-keys', { key: k }), 'invalid_key');
  });

  it('an expired key: 401 key_expired, on the first request after expiry', async () => {
    if (Date.now() < expiringAt.getTime() - 1000) {
      assertOk(await srv.api('GET', '/v1/api-keys/current', { key: expiring }));
    }
    const wait = expiringAt.getTime() - Date.now() + 50;
    if (wait > 0) await sleep(wait);
    const res = await srv.api('GET', '/v1/api-keys/current', { key: expiring });
    assertUnauthorized(res, 'key_expired');
    // Every route, including those the key had no scope for.
    for (const r of routes(FAKE_ID)) {
      assertUnauthorized(await srv.api(r.method, r.path, { key: expiring, body: r.body }), 'key_expired');
    }
  });
});

describe('403 Forbidden', () => {
  it('a key without api-keys scopes gets 403 insufficient_scope on every api-keys route but /current', async () => {
    for (const r of routes(FAKE_ID)) {
      const res = await srv.api(r.method, r.path, { key: monitorsRead, body: r.body });
      if (r.scope === null) {
        const d = assertOk(res);
        assert.match(d.id, KEY_ID_RE);
      } else {
        assertForbidden(res, r.scope);
      }
    }
  });

  it('a :write scope does not imply :read', async () => {
    for (const r of routes(FAKE_ID).filter((x) => x.scope === 'api-keys:read')) {
      assertForbidden(await srv.api(r.method, r.path, { key: writeOnly }), 'api-keys:read');
    }
    // ...while the write routes work with it.
    const made = assertOk(await srv.api('POST', '/v1/api-keys', {
      key: writeOnly, body: { name: 'by write-only', scopes: ['api-keys:write'] },
    }), 201);
    assert.deepEqual(made.scopes, ['api-keys:write']);
  });

  it('a :read scope does not allow writes', async () => {
    const id = (await srv.whoami(monitorsRead)).id;
    for (const r of routes(id).filter((x) => x.scope === 'api-keys:write')) {
      await assertNoChange(srv, async () => {
        assertForbidden(await srv.api(r.method, r.path, { key: readOnly, body: r.body }), 'api-keys:write');
      }, { authFailure: true });
    }
    // monitorsRead still works: the DELETE above did nothing.
    assertOk(await srv.api('GET', '/v1/api-keys/current', { key: monitorsRead }));
  });

  it('403 is decided before the body is read: a bad body still gets 403', async () => {
    const res = await srv.api('POST', '/v1/api-keys', { key: readOnly, rawBody: '{not json' });
    assertForbidden(res, 'api-keys:write');
  });
});

describe('teams: another team\'s key is a 404, like one that does not exist', () => {
  function sameProblem(a, b, idA, idB) {
    const norm = (p, id) => ({
      status: p.status, code: p.code, type: p.type, title: p.title,
      detail: p.detail.replaceAll(id, '<id>'),
    });
    assert.deepEqual(norm(a, idA), norm(b, idB));
  }

  it('GET, DELETE and rotate of team B\'s key with team A\'s key answer 404 not_found', async () => {
    const wrongShape = ['key_short', 'key_' + 'a'.repeat(21), 'mon_' + 'a'.repeat(20), 'key_' + 'a'.repeat(19) + '-'];
    const cases = [
      { method: 'GET', path: (id) => `/v1/api-keys/${id}` },
      { method: 'DELETE', path: (id) => `/v1/api-keys/${id}` },
      { method: 'POST', path: (id) => `/v1/api-keys/${id}/rotate` },
    ];
    for (const c of cases) {
      await assertNoChange(srv, async () => {
        const other = assertProblem(await srv.api(c.method, c.path(keyBId), { key: keyA }), 404, 'not_found');
        const none = assertProblem(await srv.api(c.method, c.path(FAKE_ID), { key: keyA }), 404, 'not_found');
        sameProblem(other, none, keyBId, FAKE_ID);
        for (const w of wrongShape) {
          assertProblem(await srv.api(c.method, c.path(w), { key: keyA }), 404, 'not_found');
        }
      });
    }
    // Team B's key still works and kept its secret.
    const me = await srv.whoami(keyB);
    assert.equal(me.id, keyBId);
    assert.equal(me.status, 'active');
  });

  it('lists show only the team\'s own keys', async () => {
    const a = assertOk(await srv.api('GET', '/v1/api-keys?status=all&perPage=200', { key: keyA }));
    const b = assertOk(await srv.api('GET', '/v1/api-keys?status=all&perPage=200', { key: keyB }));
    const idsA = new Set(a.map((k) => k.id));
    assert.ok(!idsA.has(keyBId));
    assert.deepEqual(b.map((k) => k.id), [keyBId]);
  });
});

describe('no privilege escalation', () => {
  let limited;          // api-keys:read+write, monitors:read; expires in a day
  let limitedExp;
  let limitedId;

  before(async () => {
    limitedExp = new Date(Math.floor(Date.now() / 1000) * 1000 + 86400e3);
    limited = await srv.createKey(teamA, {
      name: 'limited', scopes: ['api-keys:read', 'api-keys:write', 'monitors:read'], expires: limitedExp,
    });
    limitedId = (await srv.whoami(limited)).id;
  });

  const escalation = (res) => assertProblem(res, 403, 'escalation_refused');

  it('creating a key with a scope the caller lacks: 403 escalation_refused', async () => {
    await assertNoChange(srv, async () => {
      escalation(await srv.api('POST', '/v1/api-keys', {
        key: limited, body: { name: 'x', scopes: ['monitors:write'], expiresAt: new Date(Date.now() + 3600e3).toISOString() },
      }));
      escalation(await srv.api('POST', '/v1/api-keys', {
        key: limited, body: { name: 'x', scopes: ALL_SCOPES, expiresAt: new Date(Date.now() + 3600e3).toISOString() },
      }));
    }, { authFailure: true });
  });

  it('creating a key that expires later than the caller, or never: 403 escalation_refused', async () => {
    await assertNoChange(srv, async () => {
      escalation(await srv.api('POST', '/v1/api-keys', {
        key: limited, body: { name: 'x', scopes: ['monitors:read'], expiresAt: new Date(limitedExp.getTime() + 1000).toISOString() },
      }));
      escalation(await srv.api('POST', '/v1/api-keys', {
        key: limited, body: { name: 'x', scopes: ['monitors:read'] },
      }));
      escalation(await srv.api('POST', '/v1/api-keys', {
        key: limited, body: { name: 'x', scopes: ['monitors:read'], expiresAt: null },
      }));
    }, { authFailure: true });
  });

  it('a subset of scopes with an earlier or equal expiry is allowed', async () => {
    const d = assertOk(await srv.api('POST', '/v1/api-keys', {
      key: limited, body: { name: 'ok', scopes: ['monitors:read', 'api-keys:read'], expiresAt: limitedExp.toISOString() },
    }), 201);
    assert.equal(d.expiresAt, limitedExp.toISOString());
    assert.equal(d.createdByKeyId, limitedId);
    const e = assertOk(await srv.api('POST', '/v1/api-keys', {
      key: limited, body: { name: 'ok2', scopes: ['monitors:read'], expiresAt: new Date(Date.now() + 3600e3).toISOString() },
    }), 201);
    assert.deepEqual(e.scopes, ['monitors:read']);
  });

  it('rotating a key with more scopes, a later expiry or none: 403 escalation_refused', async () => {
    const broad = (await srv.whoami(monitorsRead)).id;                // no expiry
    const wide = assertOk(await srv.api('POST', '/v1/api-keys', {     // api-keys:write, expires later
      key: keyA, body: { name: 'wide', scopes: ['monitors:write'], expiresAt: new Date(limitedExp.getTime() + 3600e3).toISOString() },
    }), 201);
    const later = assertOk(await srv.api('POST', '/v1/api-keys', {    // subset of scopes, expires later
      key: keyA, body: { name: 'later', scopes: ['monitors:read'], expiresAt: new Date(limitedExp.getTime() + 3600e3).toISOString() },
    }), 201);
    await assertNoChange(srv, async () => {
      escalation(await srv.api('POST', `/v1/api-keys/${(await srv.whoami(keyA)).id}/rotate`, { key: limited }));
      escalation(await srv.api('POST', `/v1/api-keys/${broad}/rotate`, { key: limited }));
      escalation(await srv.api('POST', `/v1/api-keys/${wide.id}/rotate`, { key: limited }));
      escalation(await srv.api('POST', `/v1/api-keys/${later.id}/rotate`, { key: limited }));
    }, { authFailure: true });
    // The keys are untouched: their secrets still work.
    assertOk(await srv.api('GET', '/v1/api-keys/current', { key: later.key }));
    assertOk(await srv.api('GET', '/v1/api-keys/current', { key: monitorsRead }));
  });

  it('negative: revoking a key that holds a scope the caller lacks is 403 escalation_refused; the team keeps its keys', async () => {
    // api-keys:write alone against the team's every-scope key: the
    // lock-out the rule is there to prevent.
    const allA = (await srv.whoami(keyA)).id;
    const broad = (await srv.whoami(monitorsRead)).id;
    const wide = assertOk(await srv.api('POST', '/v1/api-keys', {
      key: keyA, body: { name: 'wide, revoked', scopes: ['monitors:read', 'monitors:write'] },
    }), 201);
    assert.equal((await srv.api('DELETE', `/v1/api-keys/${wide.id}`, { key: keyA })).status, 204);
    await assertNoChange(srv, async () => {
      for (const [caller, id, scope] of [
        [writeOnly, allA, 'monitors:read'], [writeOnly, broad, 'monitors:read'],
        [limited, allA, 'monitors:write'], [limited, wide.id, 'monitors:write'],
      ]) {
        const p = escalation(await srv.api('DELETE', `/v1/api-keys/${id}`, { key: caller }));
        assert.equal(p.scope, scope);
      }
    }, { authFailure: true });
    assertOk(await srv.api('GET', '/v1/api-keys/current', { key: keyA }));
    assertOk(await srv.api('GET', '/v1/api-keys/current', { key: monitorsRead }));
    // Each 403 is on the trail as auth.forbidden.
    const trail = assertOk(await srv.api('GET', `/v1/audit-events?action=auth.forbidden&keyId=${limitedId}`, { key: keyA }));
    assert.ok(trail.some((e) => e.method === 'DELETE' && e.path === `/v1/api-keys/${allA}` && e.status === 403),
      JSON.stringify(trail));
  });

  it('a key may revoke one whose scopes it holds, itself included', async () => {
    const sub = assertOk(await srv.api('POST', '/v1/api-keys', {
      key: keyA, body: { name: 'sub, no expiry', scopes: ['monitors:read', 'api-keys:read'] },
    }), 201);
    // Expiry does not matter for revoking: sub never expires, limited does.
    assert.equal((await srv.api('DELETE', `/v1/api-keys/${sub.id}`, { key: limited })).status, 204);
    assertProblem(await srv.api('GET', '/v1/api-keys/current', { key: sub.key }), 401, 'invalid_key');
    const self = assertOk(await srv.api('POST', '/v1/api-keys', {
      key: keyA, body: { name: 'self-revoking', scopes: ['api-keys:write'] },
    }), 201);
    assert.equal((await srv.api('DELETE', `/v1/api-keys/${self.id}`, { key: self.key })).status, 204);
  });

  it('a key may rotate one it could have created', async () => {
    const sub = assertOk(await srv.api('POST', '/v1/api-keys', {
      key: limited, body: { name: 'sub', scopes: ['monitors:read'], expiresAt: new Date(Date.now() + 3600e3).toISOString() },
    }), 201);
    const rot = assertOk(await srv.api('POST', `/v1/api-keys/${sub.id}/rotate`, { key: limited }));
    assert.equal(rot.id, sub.id);
    assert.notEqual(rot.key, sub.key);
  });
});

describe('revocation and rotation take effect at once', () => {
  it('rotate: the old secret fails on the next request, the new one works', async () => {
    const made = assertOk(await srv.api('POST', '/v1/api-keys', {
      key: keyA, body: { name: 'rotating', scopes: ['api-keys:read', 'monitors:read'] },
    }), 201);
    assertOk(await srv.api('GET', '/v1/api-keys', { key: made.key }));
    const rot = await srv.api('POST', `/v1/api-keys/${made.id}/rotate`, { key: keyA });
    const d = assertOk(rot, 200);
    assert.equal(d.id, made.id);
    assert.notEqual(d.key, made.key);
    assert.equal(d.keyPrefix, d.key.slice(0, 15));
    assert.deepEqual([...d.scopes].sort(), ['api-keys:read', 'monitors:read']);
    assert.equal(d.expiresAt, made.expiresAt);
    assertUnauthorized(await srv.api('GET', '/v1/api-keys', { key: made.key }), 'invalid_key');
    const me = assertOk(await srv.api('GET', '/v1/api-keys/current', { key: d.key }));
    assert.equal(me.id, made.id);
    assert.equal(me.keyPrefix, d.key.slice(0, 15));
  });

  it('a key may rotate itself; its old secret stops working', async () => {
    const made = assertOk(await srv.api('POST', '/v1/api-keys', {
      key: keyA, body: { name: 'self', scopes: ['api-keys:write'] },
    }), 201);
    const d = assertOk(await srv.api('POST', `/v1/api-keys/${made.id}/rotate`, { key: made.key }));
    assertUnauthorized(await srv.api('GET', '/v1/api-keys/current', { key: made.key }), 'invalid_key');
    assertOk(await srv.api('GET', '/v1/api-keys/current', { key: d.key }));
  });

  it('a revoked key cannot be brought back by rotating it', async () => {
    const made = assertOk(await srv.api('POST', '/v1/api-keys', {
      key: keyA, body: { name: 'dead', scopes: ['monitors:read'] },
    }), 201);
    assert.equal((await srv.api('DELETE', `/v1/api-keys/${made.id}`, { key: keyA })).status, 204);
    const res = await assertNoChange(srv, () => srv.api('POST', `/v1/api-keys/${made.id}/rotate`, { key: keyA }));
    assert.ok(res.status >= 400 && res.status < 500, `rotate of a revoked key answered ${res.status}\n${show(res)}`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const got = assertOk(await srv.api('GET', `/v1/api-keys/${made.id}`, { key: keyA }));
    assert.equal(got.status, 'revoked');
  });
});

describe('GET /v1/api-keys/current', () => {
  it('answers with any valid key: the key\'s record and its team', async () => {
    const d = assertOk(await srv.api('GET', '/v1/api-keys/current', { key: monitorsRead }));
    assert.match(d.id, KEY_ID_RE);
    assert.deepEqual(d.scopes, ['monitors:read']);
    assert.equal(d.keyPrefix, monitorsRead.slice(0, 15));
    assert.ok(d.team && typeof d.team === 'object', 'data.team');
    assert.equal(d.team.id, teamA);
    assert.match(d.team.id, TEAM_ID_RE);
    assert.equal(d.team.name, 'Team A');
    assert.ok(!('key' in d), 'no secret in /current');
    assert.ok(!JSON.stringify(d).includes(monitorsRead));
    const b = assertOk(await srv.api('GET', '/v1/api-keys/current', { key: keyB }));
    assert.equal(b.team.id, teamB);
    assert.equal(b.team.name, 'Team B');
  });
});
