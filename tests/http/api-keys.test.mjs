// The API keys resource: API.md section 4 "API keys".

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sleep, ALL_SCOPES } from './lib/harness.mjs';
import {
  assertOk, assertProblem, assertNoChange, assertKeyObject, assertNoSecretMaterial, show,
  TIME_RE, KEY_ID_RE,
} from './lib/checks.mjs';

let srv;
let team;
let admin;          // every scope, made by uptime-admin
let adminId;
let expiredKey;     // made by uptime-admin, expires shortly after start
let expiredAt;

const create = (body, key = admin) => srv.api('POST', '/v1/api-keys', { key, body });

before(async () => {
  srv = await startServer();
  team = await srv.createTeam('Keys team');
  expiredAt = new Date(Math.ceil((Date.now() + 3000) / 1000) * 1000);
  expiredKey = await srv.createKey(team, { name: 'short-lived', scopes: ['monitors:read'], expires: expiredAt });
  admin = await srv.createKey(team, { name: 'admin key' });
  adminId = (await srv.whoami(admin)).id;
});

after(async () => { await srv?.stop(); });

describe('POST /v1/api-keys', () => {
  it('answers 201 with Location, the key object and the secret once', async () => {
    const res = await create({ name: 'ci deploy', scopes: ['monitors:read', 'monitors:write'] });
    const d = assertOk(res, 201);
    assertKeyObject(d, { withSecret: true });
    const loc = res.headers.get('location');
    assert.ok(loc === `${srv.mount}/v1/api-keys/${d.id}` || loc === `${srv.baseUrl}/v1/api-keys/${d.id}`,
      `Location ${loc}`);
    assert.equal(d.name, 'ci deploy');
    assert.deepEqual([...d.scopes].sort(), ['monitors:read', 'monitors:write']);
    assert.equal(d.status, 'active');
    assert.equal(d.expiresAt, null);
    assert.equal(d.lastUsedAt, null);
    assert.equal(d.lastUsedIp, null);
    assert.equal(d.revokedAt, null);
    assert.equal(d.createdByKeyId, adminId);
    assert.ok(d.key.startsWith('uptime_'));
    assert.equal(d.key.length, 45);
    assert.equal(d.keyPrefix, d.key.slice(0, 15));
    assert.ok(Math.abs(Date.parse(d.createdAt) - Date.now()) < 60e3, 'createdAt is now');

    // Following Location gives the same key, without the secret.
    const got = assertOk(await srv.api('GET', loc, { key: admin }));
    assertKeyObject(got);
    const { key, ...rest } = d;
    assert.deepEqual(got, rest);
  });

  it('the new key works at once', async () => {
    const d = assertOk(await create({ name: 'fresh', scopes: ['api-keys:read'] }), 201);
    const me = assertOk(await srv.api('GET', '/v1/api-keys/current', { key: d.key }));
    assert.equal(me.id, d.id);
  });

  it('expiresAt with an offset is normalised to UTC with milliseconds', async () => {
    const d = assertOk(await create({ name: 'offset', scopes: ['monitors:read'], expiresAt: '2099-01-01T12:00:00+02:00' }), 201);
    assert.equal(d.expiresAt, '2099-01-01T10:00:00.000Z');
    const d2 = assertOk(await create({ name: 'frac', scopes: ['monitors:read'], expiresAt: '2099-06-30T23:59:59.5Z' }), 201);
    assert.equal(d2.expiresAt, '2099-06-30T23:59:59.500Z');
  });

  it('every scope may be given', async () => {
    const d = assertOk(await create({ name: 'everything', scopes: ALL_SCOPES }), 201);
    assert.deepEqual([...d.scopes].sort(), [...ALL_SCOPES].sort());
  });

  it('name: 255 characters (counted as characters, not bytes) is accepted', async () => {
    const ascii = assertOk(await create({ name: 'n'.repeat(255), scopes: ['monitors:read'] }), 201);
    assert.equal(ascii.name.length, 255);
    const wide = '\u00e9\u{1F600}'.repeat(127) + '\u00e9';   // 255 characters, 764 bytes
    const u = assertOk(await create({ name: wide, scopes: ['monitors:read'] }), 201);
    assert.equal(u.name, wide);
  });

  it('validation: each bad field answers 400 validation_error naming it', async () => {
    const future = new Date(Date.now() + 3600e3).toISOString();
    const cases = [
      [{ name: '', scopes: ['monitors:read'] }, ['/name']],
      [{ name: 'n'.repeat(256), scopes: ['monitors:read'] }, ['/name']],
      [{ name: '\u{1F600}'.repeat(256), scopes: ['monitors:read'] }, ['/name']],
      [{ scopes: ['monitors:read'] }, ['/name']],
      [{ name: 42, scopes: ['monitors:read'] }, ['/name']],
      [{ name: null, scopes: ['monitors:read'] }, ['/name']],
      [{ name: 'x', scopes: ['monitors:admin'] }, [/^\/scopes(\/0)?$/]],
      [{ name: 'x', scopes: ['monitors:read', 'nope'] }, [/^\/scopes(\/1)?$/]],
      [{ name: 'x', scopes: [] }, ['/scopes']],
      [{ name: 'x' }, ['/scopes']],
      [{ name: 'x', scopes: 'monitors:read' }, ['/scopes']],
      [{ name: 'x', scopes: 'all' }, ['/scopes']],
      [{ name: 'x', scopes: [7] }, [/^\/scopes(\/0)?$/]],
      [{ name: 'x', scopes: null }, ['/scopes']],
      [{ name: 'x', scopes: ['monitors:read'], expiresAt: '2001-01-01T00:00:00Z' }, ['/expiresAt']],
      [{ name: 'x', scopes: ['monitors:read'], expiresAt: new Date(Date.now() - 5000).toISOString() }, ['/expiresAt']],
      [{ name: 'x', scopes: ['monitors:read'], expiresAt: 'tomorrow' }, ['/expiresAt']],
      [{ name: 'x', scopes: ['monitors:read'], expiresAt: '2099-13-01T00:00:00Z' }, ['/expiresAt']],
      [{ name: 'x', scopes: ['monitors:read'], expiresAt: '2099-01-01' }, ['/expiresAt']],
      [{ name: 'x', scopes: ['monitors:read'], expiresAt: 4102444800 }, ['/expiresAt']],
      [{ name: 'x', scopes: ['monitors:read'], expiresAt: future.replace('Z', '') }, ['/expiresAt']],
    ];
    for (const [body, pointers] of cases) {
      await assertNoChange(srv, async () => {
        const res = await create(body);
        assertProblem(res, 400, 'validation_error', { pointers });
      });
    }
  });

  it('several bad fields are reported in one answer', async () => {
    await assertNoChange(srv, async () => {
      const res = await create({ name: '', scopes: ['nope'], expiresAt: '2000-01-01T00:00:00Z' });
      const p = assertProblem(res, 400, 'validation_error', {
        pointers: ['/name', /^\/scopes(\/0)?$/, '/expiresAt'],
      });
      assert.ok(p.errors.length >= 3);
    });
  });

  it('duplicate scopes are either refused or stored once', async () => {
    const res = await create({ name: 'dups', scopes: ['monitors:read', 'monitors:read'] });
    if (res.status === 201) {
      assert.deepEqual(res.json.data.scopes, ['monitors:read']);
    } else {
      assertProblem(res, 400, 'validation_error', { pointers: [/^\/scopes(\/1)?$/] });
    }
  });

  it('unknown and read-only fields are refused', async () => {
    await assertNoChange(srv, async () => {
      assertProblem(await create({ name: 'x', scopes: ['monitors:read'], colour: 'red' }), 400, 'unknown_field',
        { pointers: ['/colour'] });
      for (const f of ['id', 'keyPrefix', 'createdAt']) {
        const body = { name: 'x', scopes: ['monitors:read'] };
        body[f] = f === 'id' ? 'key_' + 'a'.repeat(20) : f === 'keyPrefix' ? 'uptime_abcdefgh' : '2020-01-01T00:00:00.000Z';
        assertProblem(await create(body), 400, 'read_only_field', { pointers: [`/${f}`] });
      }
    });
  });
});

describe('GET /v1/api-keys and /v1/api-keys/{id}', () => {
  let active, revoked;

  before(async () => {
    active = assertOk(await create({ name: 'listed active', scopes: ['monitors:read'] }), 201);
    revoked = assertOk(await create({ name: 'listed revoked', scopes: ['monitors:read'] }), 201);
    const del = await srv.api('DELETE', `/v1/api-keys/${revoked.id}`, { key: admin });
    assert.equal(del.status, 204, show(del));
  });

  const ids = (list) => list.map((k) => k.id);
  const list = async (q = '') => assertOk(await srv.api('GET', `/v1/api-keys${q}`, { key: admin }));

  it('lists active keys by default, never with the secret or hash', async () => {
    const l = await list('?perPage=200');
    assert.ok(Array.isArray(l));
    for (const k of l) {
      assertKeyObject(k);
      assert.equal(k.status, 'active');
    }
    assert.ok(ids(l).includes(active.id));
    assert.ok(ids(l).includes(adminId));
    assert.ok(!ids(l).includes(revoked.id));
    assertNoSecretMaterial(l);
  });

  it('?status=revoked, expired, all and active filter by status', async () => {
    const wait = expiredAt.getTime() - Date.now() + 50;
    if (wait > 0) await sleep(wait);
    const r = await list('?status=revoked&perPage=200');
    assert.deepEqual(ids(r), [revoked.id]);
    assert.equal(r[0].status, 'revoked');
    assert.match(r[0].revokedAt, TIME_RE);
    const e = await list('?status=expired&perPage=200');
    assert.equal(e.length, 1, JSON.stringify(e));
    assert.equal(e[0].status, 'expired');
    assert.equal(e[0].name, 'short-lived');
    assert.match(e[0].expiresAt, TIME_RE);
    assert.ok(Date.parse(e[0].expiresAt) <= Date.now());
    const a = await list('?status=active&perPage=200');
    assert.ok(!ids(a).includes(e[0].id) && !ids(a).includes(revoked.id));
    const all = await list('?status=all&perPage=200');
    for (const id of [active.id, revoked.id, e[0].id, adminId]) assert.ok(ids(all).includes(id), id);
    assert.equal(all.length, a.length + 2);
  });

  it('a bad status is 400 bad_query', async () => {
    for (const q of ['?status=bogus', '?status=', '?status=ACTIVE', '?status=active,revoked']) {
      assertProblem(await srv.api('GET', `/v1/api-keys${q}`, { key: admin }), 400, 'bad_query');
    }
  });

  it('GET by id answers revoked keys too (the row stays for audit)', async () => {
    const d = assertOk(await srv.api('GET', `/v1/api-keys/${revoked.id}`, { key: admin }));
    assertKeyObject(d);
    assert.equal(d.status, 'revoked');
    assert.match(d.revokedAt, TIME_RE);
    assert.equal(d.name, 'listed revoked');
  });

  it('lists are newest first', async () => {
    const l = await list('?status=all&perPage=200');
    for (let i = 1; i < l.length; i++) {
      assert.ok(l[i - 1].createdAt >= l[i].createdAt, `${l[i - 1].createdAt} before ${l[i].createdAt}`);
    }
  });

  it('createdByKeyId: null for keys made by uptime-admin, the creator for API-made keys', async () => {
    const a = assertOk(await srv.api('GET', `/v1/api-keys/${adminId}`, { key: admin }));
    assert.equal(a.createdByKeyId, null);
    const b = assertOk(await srv.api('GET', `/v1/api-keys/${active.id}`, { key: admin }));
    assert.equal(b.createdByKeyId, adminId);
  });

  it('lastUsedAt and lastUsedIp are set once a key is used', async () => {
    const d = assertOk(await create({ name: 'usage', scopes: ['monitors:read'] }), 201);
    let got = assertOk(await srv.api('GET', `/v1/api-keys/${d.id}`, { key: admin }));
    assert.equal(got.lastUsedAt, null);
    assert.equal(got.lastUsedIp, null);
    const before = Date.now();
    assertOk(await srv.api('GET', '/v1/api-keys/current', { key: d.key }));
    got = assertOk(await srv.api('GET', `/v1/api-keys/${d.id}`, { key: admin }));
    assert.match(got.lastUsedAt ?? '', TIME_RE);
    assert.ok(Math.abs(Date.parse(got.lastUsedAt) - before) < 60e3);
    assert.equal(got.lastUsedIp, '127.0.0.1');
  });

  it('lastUsedIp is the peer address, not a client-supplied forwarding header', async () => {
    const d = assertOk(await create({ name: 'spoof', scopes: ['monitors:read'] }), 201);
    assertOk(await srv.api('GET', '/v1/api-keys/current', {
      key: d.key, headers: { 'x-forwarded-for': '203.0.113.9', 'x-real-ip': '203.0.113.10', forwarded: 'for=203.0.113.11' },
    }));
    const got = assertOk(await srv.api('GET', `/v1/api-keys/${d.id}`, { key: admin }));
    assert.equal(got.lastUsedIp, '127.0.0.1');
  });

  it('reads stay reads: a second use within the minute writes nothing', async () => {
    const d = assertOk(await create({ name: 'reads', scopes: ['api-keys:read'] }), 201);
    assertOk(await srv.api('GET', '/v1/api-keys/current', { key: d.key }));
    const before = srv.snapshot({ keepLastUsed: true });
    assertOk(await srv.api('GET', '/v1/api-keys/current', { key: d.key }));
    assertOk(await srv.api('GET', '/v1/api-keys', { key: d.key }));
    const after = srv.snapshot({ keepLastUsed: true });
    assert.deepEqual(after, before);
  });
});

describe('DELETE /v1/api-keys/{id}', () => {
  it('answers 204 with no body and sets revokedAt', async () => {
    const d = assertOk(await create({ name: 'to revoke', scopes: ['monitors:read'] }), 201);
    const res = await srv.api('DELETE', `/v1/api-keys/${d.id}`, { key: admin });
    assert.equal(res.status, 204, show(res));
    assert.equal(res.text, '');
    assert.equal(res.headers.get('content-type'), null);
    const got = assertOk(await srv.api('GET', `/v1/api-keys/${d.id}`, { key: admin }));
    assert.equal(got.status, 'revoked');
    assert.ok(Math.abs(Date.parse(got.revokedAt) - Date.now()) < 60e3);
  });
});

describe('POST /v1/api-keys/{id}/rotate', () => {
  it('keeps id, name, scopes, expiry; new secret and prefix', async () => {
    const exp = '2098-05-05T05:05:05.000Z';
    const d = assertOk(await create({ name: 'rot', scopes: ['alerts:read', 'team:read'], expiresAt: exp }), 201);
    const res = await srv.api('POST', `/v1/api-keys/${d.id}/rotate`, { key: admin });
    const r = assertOk(res, 200);
    assertKeyObject(r, { withSecret: true });
    assert.equal(r.id, d.id);
    assert.equal(r.name, 'rot');
    assert.deepEqual([...r.scopes].sort(), ['alerts:read', 'team:read']);
    assert.equal(r.expiresAt, exp);
    assert.equal(r.createdAt, d.createdAt);
    assert.notEqual(r.key, d.key);
    assert.equal(r.keyPrefix, r.key.slice(0, 15));
    const got = assertOk(await srv.api('GET', `/v1/api-keys/${d.id}`, { key: admin }));
    assert.equal(got.keyPrefix, r.keyPrefix);
    assert.ok(!('key' in got));
  });

  it('takes no body; an empty JSON object is also fine, unknown fields are not', async () => {
    const d = assertOk(await create({ name: 'rot2', scopes: ['monitors:read'] }), 201);
    assertOk(await srv.api('POST', `/v1/api-keys/${d.id}/rotate`, { key: admin, rawBody: new Uint8Array(0) }));
    const res = await srv.api('POST', `/v1/api-keys/${d.id}/rotate`, { key: admin, body: { scopes: ALL_SCOPES } });
    assert.equal(res.status, 400, show(res));
  });
});

describe('concurrent writes', () => {
  it('parallel creates all succeed with distinct ids and secrets', async () => {
    const t = await srv.createTeam('Parallel');
    const k = await srv.createKey(t, { name: 'parallel' });
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) =>
      srv.api('POST', '/v1/api-keys', { key: k, body: { name: `par${i}`, scopes: ['monitors:read'] } })));
    const made = answers.map((r) => assertOk(r, 201));
    assert.equal(new Set(made.map((d) => d.id)).size, 16);
    assert.equal(new Set(made.map((d) => d.key)).size, 16);
    const l = assertOk(await srv.api('GET', '/v1/api-keys?perPage=200', { key: k }));
    assert.equal(l.length, 17);
  });
});

describe('at most 50 active keys per team', () => {
  it('the 51st active key is 409 limit_exceeded; revoking one makes room', async () => {
    const t = await srv.createTeam('Full team');
    const k = await srv.createKey(t, { name: 'first' });     // 1 active
    const made = [];
    for (let i = 2; i <= 50; i++) {
      const res = await srv.api('POST', '/v1/api-keys', { key: k, body: { name: `k${i}`, scopes: ['monitors:read'] } });
      made.push(assertOk(res, 201));
    }
    await assertNoChange(srv, async () => {
      const res = await srv.api('POST', '/v1/api-keys', { key: k, body: { name: 'one too many', scopes: ['monitors:read'] } });
      assertProblem(res, 409, 'limit_exceeded');
    });
    // Other teams are not affected.
    assertOk(await create({ name: 'other team', scopes: ['monitors:read'] }), 201);
    const del = await srv.api('DELETE', `/v1/api-keys/${made[0].id}`, { key: k });
    assert.equal(del.status, 204);
    assertOk(await srv.api('POST', '/v1/api-keys', { key: k, body: { name: 'room again', scopes: ['monitors:read'] } }), 201);
    assertProblem(await srv.api('POST', '/v1/api-keys', { key: k, body: { name: 'full again', scopes: ['monitors:read'] } }),
      409, 'limit_exceeded');
  });
});

describe('pagination', () => {
  let key;
  let all;    // ids newest first, 8 keys

  before(async () => {
    const t = await srv.createTeam('Paged team');
    key = await srv.createKey(t, { name: 'pager' });
    for (let i = 0; i < 7; i++) {
      assertOk(await srv.api('POST', '/v1/api-keys', { key, body: { name: `p${i}`, scopes: ['monitors:read'] } }), 201);
    }
    all = assertOk(await srv.api('GET', '/v1/api-keys?perPage=200', { key })).map((k) => k.id);
    assert.equal(all.length, 8);
  });

  function linkNext(res) {
    const link = res.headers.get('link');
    if (!link) return null;
    const m = /<([^>]*)>\s*;\s*rel="?next"?/.exec(link);
    assert.ok(m, `Link header without rel="next": ${link}`);
    return m[1];
  }

  it('perPage and cursor walk every key once; Link only while there is a next page', async () => {
    const seen = [];
    let url = '/v1/api-keys?perPage=3';
    let pages = 0;
    while (url) {
      const res = await srv.api('GET', url, { key });
      const data = assertOk(res);
      pages++;
      const pg = res.json.meta.pagination;
      assert.ok(pg, 'meta.pagination');
      assert.equal(pg.perPage, 3);
      assert.ok(data.length <= 3);
      seen.push(...data.map((k) => k.id));
      const next = linkNext(res);
      if (pg.next === null) {
        assert.equal(next, null, 'no Link rel="next" on the last page');
        url = null;
      } else {
        assert.equal(typeof pg.next, 'string');
        assert.ok(next, 'Link rel="next" when there is a next page');
        const u = new URL(next, srv.baseUrl);
        assert.equal(u.searchParams.get('cursor'), pg.next);
        assert.equal(u.searchParams.get('perPage'), '3');
        assert.equal(u.pathname, `${srv.mount}/v1/api-keys`);
        url = u.pathname + u.search;
      }
      assert.ok(pages < 10);
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, all, 'no gaps, no duplicates, same order');
  });

  it('following meta.pagination.next by hand gives the same pages', async () => {
    const seen = [];
    let cursor = null;
    do {
      const q = cursor ? `?perPage=5&cursor=${encodeURIComponent(cursor)}` : '?perPage=5';
      const res = await srv.api('GET', `/v1/api-keys${q}`, { key });
      seen.push(...assertOk(res).map((k) => k.id));
      cursor = res.json.meta.pagination.next;
    } while (cursor);
    assert.deepEqual(seen, all);
  });

  it('a key created between pages does not shift the next page', async () => {
    const first = await srv.api('GET', '/v1/api-keys?perPage=4', { key });
    const p1 = assertOk(first).map((k) => k.id);
    const extra = assertOk(await srv.api('POST', '/v1/api-keys', { key, body: { name: 'late', scopes: ['monitors:read'] } }), 201);
    const second = await srv.api('GET', `/v1/api-keys?perPage=4&cursor=${encodeURIComponent(first.json.meta.pagination.next)}`, { key });
    const p2 = assertOk(second).map((k) => k.id);
    assert.deepEqual([...p1, ...p2], all);
    assert.ok(!p2.includes(extra.id));
    assert.equal((await srv.api('DELETE', `/v1/api-keys/${extra.id}`, { key })).status, 204);
  });

  it('the default page size is 50, and a full last page has no next', async () => {
    const res = await srv.api('GET', '/v1/api-keys', { key });
    assertOk(res);
    assert.equal(res.json.meta.pagination.perPage, 50);
    assert.equal(res.json.meta.pagination.next, null);
    assert.equal(res.headers.get('link'), null);
    const exact = await srv.api('GET', '/v1/api-keys?perPage=8', { key });
    assert.equal(assertOk(exact).length, 8);
    if (exact.json.meta.pagination.next !== null) {
      // Allowed only if the next page is then empty.
      const more = await srv.api('GET', `/v1/api-keys?perPage=8&cursor=${encodeURIComponent(exact.json.meta.pagination.next)}`, { key });
      assert.deepEqual(assertOk(more), []);
    }
  });
});
