// The team resource: API.md section 4 "Team" (the team, members and their
// roles, invitations and the public accept route) with the conventions of
// sections 2 and 3, the invitation mail against a local SMTP sink
// (lib/smtp.mjs), the accept rate limit, and `uptime-admin team create
// --owner`.
//
// Accepts go out from their own loopback source address (127.0.0.x) so
// that the per-address limit on failed accepts of one test never touches
// another.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import http from 'node:http';
import * as harness from './lib/harness.mjs';
import {
  assertOk, assertProblem, assertNoChange, assertUnauthorized, assertForbidden, assertNoSecretMaterial, show,
  TIME_RE,
} from './lib/checks.mjs';
import { startSmtpSink } from './lib/smtp.mjs';
import { selfSignedCert } from './lib/targets.mjs';
import { startBrowser } from './lib/browser.mjs';

const { startServer, makeKey, sleep } = harness;
// Answers that do not go through api() are checked against
// docs/openapi.yaml too, when the harness has its validator.
const { validateAnswer = () => {} } = await import('./lib/openapi-validate.mjs').catch(() => ({}));
// The path the API is mounted under, when the harness serves it under one.
const MOUNT = harness.MOUNT ?? '';
// A Location header: UPTIME_PUBLIC_URL (the server's base URL) then
// path, and what to request to follow it (api() adds the mount itself).
function assertLocation(res, path) {
  assert.equal(res.headers.get('location'), `${srv.baseUrl}${path}`);
  return path;
}

const MEM_ID_RE = /^mem_[0-9A-Za-z]{20}$/;
const INV_ID_RE = /^inv_[0-9A-Za-z]{20}$/;
const TOKEN_RE = /^[0-9A-Za-z]{32}$/;
const GHOST_MEM = 'mem_' + 'A'.repeat(20);
const GHOST_INV = 'inv_' + 'A'.repeat(20);
const DAY = 24 * 3600 * 1000;
const MEMBER_KEYS = ['id', 'email', 'name', 'role', 'joinedAt'];
const INVITE_KEYS = ['id', 'email', 'role', 'status', 'expiresAt', 'createdAt', 'acceptedAt', 'revokedAt',
  'createdByKeyId'];
const FAILS_PER_MINUTE = 10;

let sink;
let srv;            // mail configured (the sink), default invitation lifetime
let plain;          // no mail, UPTIME_INVITE_TTL_SECONDS=60
let team, admin, adminId, reader, writer, monitorsOnly, ownerId;
let otherTeam, otherKey, otherOwnerId;

const api = (...a) => srv.api(...a);
const sameKeys = (obj, keys) => assert.deepEqual(Object.keys(obj).sort(), [...keys].sort(),
  `members of ${JSON.stringify(obj)}`);
const near = (iso, ms = Date.now(), slack = 60e3) => Math.abs(Date.parse(iso) - ms) < slack;
// acceptUrl carries the token in its fragment: "#token=<32 base62>".
const tokenOf = (inv) => new URLSearchParams(new URL(inv.acceptUrl).hash.slice(1)).get('token');
// The API's own page for the same token (links mailed before acceptUrl
// led to the console's /app/accept open it).
const apiPageOf = (inv) => inv.acceptUrl.replace(/\/app\/accept#/, '/v1/invites/accept#');

// A loopback source address no other test uses.
let lastOctet = 10;
const freshAddr = () => {
  assert.ok(lastOctet < 250, 'out of loopback source addresses');
  return `127.0.0.${lastOctet++}`;
};
const OK_ADDR = '127.0.0.9';   // accepts that are meant to work

// POST /v1/invites/accept from a given source address (fetch cannot pick
// one).  Same shape as srv.api()'s answer.
function acceptFrom(server, addr, { body, rawBody, query = '', headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const payload = rawBody !== undefined ? rawBody : body !== undefined ? JSON.stringify(body) : undefined;
    const h = { ...headers };
    if (payload !== undefined) {
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
      h['content-length'] = String(Buffer.byteLength(payload));
    }
    const req = http.request({
      host: '127.0.0.1', port: server.port, method: 'POST', path: `${MOUNT}/v1/invites/accept${query}`,
      localAddress: addr, headers: h,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
        const hs = new Headers();
        for (const [k, v] of Object.entries(res.headers)) hs.set(k, Array.isArray(v) ? v.join(', ') : v);
        const answer = { status: res.statusCode, headers: hs, json, text };
        try {
          validateAnswer({ method: 'POST', path: `/v1/invites/accept${query}`, ...answer });
        } catch (e) {
          reject(e);
          return;
        }
        resolve(answer);
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
const accept = (addr, opts) => acceptFrom(srv, addr, opts);

async function invite(email, extra = {}, { key = admin, server = srv } = {}) {
  const res = await server.api('POST', '/v1/team/invites', { key, body: { email, ...extra } });
  return assertOk(res, 201);
}

// A member through the whole flow: invitation, then accept.
async function join(email, role = 'member', name = 'Someone') {
  const inv = await invite(email, { role });
  return assertOk(await accept(OK_ADDR, { body: { token: tokenOf(inv), name } }), 201);
}

const getInvite = async (id, key = admin) => assertOk(await api('GET', `/v1/team/invites/${id}`, { key }));
const getMember = async (id, key = admin) => assertOk(await api('GET', `/v1/team/members/${id}`, { key }));

// The data before and after fn, minus the tables named: they change by
// design (the failed-accept counter, the audit trail of a 401/403).
async function noChange(fn, exclude = []) {
  const before = srv.snapshot({ exclude });
  const r = await fn();
  assert.deepEqual(srv.snapshot({ exclude }), before, 'a failed request changed the database');
  return r;
}

// The sink's messages to one address.
const mailTo = (email) => sink.messages.filter((m) => m.rcpt.includes(email));

before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({
    env: { UPTIME_SMTP_URL: sink.url, UPTIME_MAIL_FROM: 'Uptime Bot <bot@uptime.test>', UPTIME_RATE_LIMIT: '1000000' },
  });
  plain = await startServer({ env: { UPTIME_INVITE_TTL_SECONDS: '60', UPTIME_RATE_LIMIT: '1000000' } });
  const r = await srv.admin('team', 'create', 'Acme', '--owner', 'Owner@Example.COM', '--owner-name', 'Olga Owner');
  assert.equal(r.code, 0, r.stderr);
  team = r.stdout.trim();
  admin = await srv.createKey(team, { name: 'admin' });
  adminId = (await srv.whoami(admin)).id;
  reader = await srv.createKey(team, { name: 'reader', scopes: ['team:read'] });
  writer = await srv.createKey(team, { name: 'writer', scopes: ['team:write'] });
  monitorsOnly = await srv.createKey(team, { name: 'monitors', scopes: ['monitors:read', 'monitors:write'] });
  const members = assertOk(await api('GET', '/v1/team/members', { key: admin }));
  ownerId = members[0].id;
  const o = await srv.admin('team', 'create', 'Other', '--owner', 'boss@other.example');
  assert.equal(o.code, 0, o.stderr);
  otherTeam = o.stdout.trim();
  otherKey = await srv.createKey(otherTeam, { name: 'other admin' });
  otherOwnerId = assertOk(await api('GET', '/v1/team/members', { key: otherKey }))[0].id;
});

after(async () => {
  await srv?.stop();
  await plain?.stop();
  await sink?.close();
});

// ---------------------------------------------------------------------------

describe('uptime-admin team create --owner', () => {
  it('makes the team and its first owner; stdout is the team id only', async () => {
    const r = await srv.admin('team', 'create', 'Admin made', '--owner', 'First@Example.com');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^team_[0-9A-Za-z]{20}\n$/);
    const k = await srv.createKey(r.stdout.trim(), { scopes: ['team:read'] });
    const list = assertOk(await api('GET', '/v1/team/members', { key: k }));
    assert.equal(list.length, 1);
    sameKeys(list[0], MEMBER_KEYS);
    assert.equal(list[0].email, 'first@example.com');
    assert.equal(list[0].name, 'First', 'the name defaults to the local part');
    assert.equal(list[0].role, 'owner');
    assert.match(list[0].joinedAt, TIME_RE);
  });

  it('--owner-name names the owner; without --owner the team has no members', async () => {
    const own = assertOk(await api('GET', `/v1/team/members/${ownerId}`, { key: admin }));
    assert.equal(own.name, 'Olga Owner');
    assert.equal(own.email, 'owner@example.com');
    const r = await srv.admin('team', 'create', 'Nobody home');
    assert.equal(r.code, 0, r.stderr);
    const k = await srv.createKey(r.stdout.trim(), { scopes: ['team:read'] });
    assert.deepEqual(assertOk(await api('GET', '/v1/team/members', { key: k })), []);
  });

  it('negative: a bad --owner, a lone --owner-name or a missing value is a usage error and makes nothing', async () => {
    const teamsBefore = srv.sql('SELECT count(*) AS n FROM teams')[0].n;
    for (const args of [
      ['--owner', 'not-an-address'],
      ['--owner', 'a@b@c.example'],
      ['--owner', ''],
      ['--owner'],
      ['--owner-name', 'Ann'],
      ['--owner', 'ann@example.com', '--owner-name', ''],
      ['--owner', 'ann@example.com', '--owner-name', 'x'.repeat(256)],
      ['--owner', 'ann@example.com', '--bogus', '1'],
    ]) {
      const r = await srv.admin('team', 'create', 'Refused', ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, /usage/);
      assert.equal(r.stdout, '');
    }
    assert.equal(srv.sql('SELECT count(*) AS n FROM teams')[0].n, teamsBefore);
  });
});

// ---------------------------------------------------------------------------

describe('GET and PATCH /v1/team', () => {
  it('GET answers the key\'s team', async () => {
    const t = assertOk(await api('GET', '/v1/team', { key: reader }));
    sameKeys(t, ['id', 'name', 'createdAt']);
    assert.equal(t.id, team);
    assert.equal(t.name, 'Acme');
    assert.match(t.createdAt, TIME_RE);
    const o = assertOk(await api('GET', '/v1/team', { key: otherKey }));
    assert.equal(o.id, otherTeam);
    assert.equal(o.name, 'Other');
  });

  it('PATCH renames the team (1 and 255 characters); an empty object changes nothing', async () => {
    const before = assertOk(await api('GET', '/v1/team', { key: admin }));
    for (const name of ['A', 'é'.repeat(255), 'Acme Renamed']) {
      const t = assertOk(await api('PATCH', '/v1/team', { key: writer, body: { name } }));
      assert.equal(t.name, name);
      assert.equal(t.id, team);
      assert.equal(t.createdAt, before.createdAt);
      assert.equal(assertOk(await api('GET', '/v1/team', { key: admin })).name, name);
    }
    assert.equal(assertOk(await api('PATCH', '/v1/team', { key: admin, body: {} })).name, 'Acme Renamed');
    assert.equal(assertOk(await api('GET', '/v1/team', { key: otherKey })).name, 'Other', 'the other team kept its name');
    assertOk(await api('PATCH', '/v1/team', { key: admin, body: { name: 'Acme' } }));
  });

  it('negative: each bad name is 400 at /name; read-only and unknown fields are refused; nothing changes', async () => {
    await assertNoChange(srv, async () => {
      for (const name of ['', 'x'.repeat(256), 42, null, ['Acme'], { n: 1 }, true]) {
        assertProblem(await api('PATCH', '/v1/team', { key: admin, body: { name } }), 400, 'validation_error',
          { pointers: ['/name'] });
      }
      assertProblem(await api('PATCH', '/v1/team', { key: admin, body: { name: 'x', id: 'team_x' } }), 400,
        'read_only_field', { pointers: ['/id'] });
      assertProblem(await api('PATCH', '/v1/team', { key: admin, body: { createdAt: '2020-01-01T00:00:00Z' } }), 400,
        'read_only_field', { pointers: ['/createdAt'] });
      assertProblem(await api('PATCH', '/v1/team', { key: admin, body: { name: 'x', plan: 'pro' } }), 400,
        'unknown_field', { pointers: ['/plan'] });
      const p = assertProblem(await api('PATCH', '/v1/team', { key: admin, body: { name: '', plan: 1, id: 'x' } }),
        400, 'unknown_field', { pointers: ['/name', '/plan', '/id'] });
      assert.equal(p.errors.length, 3);
    });
  });

  it('negative: malformed JSON, a wrong media type and a body over 1 MiB', async () => {
    await assertNoChange(srv, async () => {
      for (const raw of ['{"name": ', '[]', '"x"', 'null', '{"name":"x"} x', '']) {
        assertProblem(await api('PATCH', '/v1/team', { key: admin, rawBody: raw }), 400, 'malformed_json');
      }
      assertProblem(await api('PATCH', '/v1/team', {
        key: admin, rawBody: '{"name":"x"}', headers: { 'Content-Type': 'text/plain' },
      }), 415, 'unsupported_media_type');
      assertProblem(await api('PATCH', '/v1/team', {
        key: admin, rawBody: JSON.stringify({ name: 'x'.repeat((1 << 20) + 8) }),
      }), 413, 'body_too_large');
    });
  });
});

// ---------------------------------------------------------------------------

describe('invitations: create, read, list', () => {
  it('creates a pending invitation that expires in 7 days, with acceptUrl and emailStatus, and mails it', async () => {
    const sent = sink.messages.length;
    const res = await api('POST', '/v1/team/invites', { key: admin, body: { email: 'Ann.Lee+ops@Example.COM' } });
    const d = assertOk(res, 201);
    sameKeys(d, [...INVITE_KEYS, 'acceptUrl', 'emailStatus']);
    assert.match(d.id, INV_ID_RE);
    assert.equal(d.email, 'ann.lee+ops@example.com', 'addresses are kept in lower case');
    assert.equal(d.role, 'member', 'the default role');
    assert.equal(d.status, 'pending');
    assert.match(d.createdAt, TIME_RE);
    assert.ok(near(d.createdAt), d.createdAt);
    assert.equal(Date.parse(d.expiresAt) - Date.parse(d.createdAt), 7 * DAY);
    assert.equal(d.acceptedAt, null);
    assert.equal(d.revokedAt, null);
    assert.equal(d.createdByKeyId, adminId);
    assert.equal(d.emailStatus, 'sent');
    const u = new URL(d.acceptUrl);
    assert.equal(u.origin, new URL(srv.baseUrl).origin);
    // The console's page, where the person also chooses a password.
    assert.ok(u.pathname.endsWith('/app/accept'), u.pathname);
    assert.equal(u.search, '', 'no query: a server would log it');
    assert.match(u.hash, /^#token=[0-9A-Za-z]{32}$/);
    assert.match(tokenOf(d), TOKEN_RE);
    const loc = assertLocation(res, `/v1/team/invites/${d.id}`);
    await sink.waitFor(sent + 1);
    assert.equal(mailTo('ann.lee+ops@example.com').length, 1);

    // Following Location: the same invitation, without the token.
    const g = assertOk(await api('GET', loc, { key: reader }));
    const { acceptUrl, emailStatus, ...rest } = d;
    assert.deepEqual(g, rest);
    assert.ok(!JSON.stringify(g).includes(tokenOf(d)), 'the token is shown once');
  });

  it('keeps role and expiresAt as given; expiresAt any offset, normalised', async () => {
    for (const role of ['owner', 'admin', 'member', 'viewer']) {
      const d = await invite(`role-${role}@example.com`, { role });
      assert.equal(d.role, role);
    }
    const at = new Date(Date.now() + 3 * DAY);
    at.setUTCMilliseconds(0);
    // The same instant written at +02:00.
    const local = new Date(at.getTime() + 2 * 3600e3).toISOString().replace(/\.000Z$/, '+02:00');
    const d = await invite('when@example.com', { expiresAt: local });
    assert.equal(d.expiresAt, at.toISOString());
    const d2 = await invite('null-expiry@example.com', { expiresAt: null });
    // The longest address: 64 characters before the @, 254 in all.
    const longest = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    assert.equal(longest.length, 254);
    assert.equal((await invite(longest.toUpperCase())).email, longest);
    assert.equal(Date.parse(d2.expiresAt) - Date.parse(d2.createdAt), 7 * DAY, 'null means the default');
  });

  it('stores only a hash of the token: it is nowhere in the database', async () => {
    const d = await invite('hashed@example.com');
    const token = tokenOf(d);
    assert.ok(!JSON.stringify(srv.snapshot()).includes(token), 'the token is in the database');
    const cols = srv.sql(harness.PG
      ? "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'invites'"
      : "SELECT name FROM pragma_table_info('invites')").map((c) => c.name);
    assert.ok(cols.includes('token_hash'), `invites columns: ${cols}`);
    assert.ok(!cols.includes('token'), `invites columns: ${cols}`);
    assertNoSecretMaterial(await getInvite(d.id));
  });

  it('negative: each bad field is 400 naming its pointer; several at once; nothing is stored or mailed', async () => {
    const sent = sink.messages.length;
    await assertNoChange(srv, async () => {
      const bad = [
        [{}, '/email'],
        [{ email: '' }, '/email'],
        [{ email: 'plainaddress' }, '/email'],
        [{ email: 'a@b@example.com' }, '/email'],
        [{ email: '.ann@example.com' }, '/email'],
        [{ email: 'ann..lee@example.com' }, '/email'],
        [{ email: 'ann@example..com' }, '/email'],
        [{ email: 'ann@-example.com' }, '/email'],
        [{ email: 'ann@' }, '/email'],
        [{ email: '@example.com' }, '/email'],
        [{ email: 'ann lee@example.com' }, '/email'],
        [{ email: 'ann@exämple.com' }, '/email'],
        [{ email: 'ann@example.com\r\nBcc: x@example.com' }, '/email'],
        [{ email: `${'a'.repeat(65)}@example.com` }, '/email'],
        [{ email: `a@${'b'.repeat(64)}.com` }, '/email'],
        [{ email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.com` }, '/email'],
        [{ email: 42 }, '/email'],
        [{ email: null }, '/email'],
        [{ email: 'x@example.com', role: 'superuser' }, '/role'],
        [{ email: 'x@example.com', role: 'Owner' }, '/role'],
        [{ email: 'x@example.com', role: '' }, '/role'],
        [{ email: 'x@example.com', role: 1 }, '/role'],
        [{ email: 'x@example.com', role: null }, '/role'],
        [{ email: 'x@example.com', expiresAt: '2001-01-01T00:00:00Z' }, '/expiresAt'],
        [{ email: 'x@example.com', expiresAt: new Date(Date.now() - 1000).toISOString() }, '/expiresAt'],
        [{ email: 'x@example.com', expiresAt: new Date(Date.now() + 31 * DAY).toISOString() }, '/expiresAt'],
        [{ email: 'x@example.com', expiresAt: 'tomorrow' }, '/expiresAt'],
        [{ email: 'x@example.com', expiresAt: 1767225600000 }, '/expiresAt'],
      ];
      for (const [body, pointer] of bad) {
        const res = await api('POST', '/v1/team/invites', { key: admin, body });
        assertProblem(res, 400, 'validation_error', { pointers: [pointer] });
      }
      const p = assertProblem(await api('POST', '/v1/team/invites', {
        key: admin, body: { email: 'nope', role: 'boss', expiresAt: 'soon' },
      }), 400, 'validation_error', { pointers: ['/email', '/role', '/expiresAt'] });
      assert.equal(p.errors.length, 3);
    });
    assert.equal(sink.messages.length, sent, 'no mail for a refused invitation');
  });

  it('negative: read-only and unknown fields, malformed JSON, a wrong media type, a body over 1 MiB', async () => {
    await assertNoChange(srv, async () => {
      for (const f of ['id', 'status', 'createdAt', 'acceptedAt', 'revokedAt', 'createdByKeyId', 'acceptUrl',
        'emailStatus']) {
        assertProblem(await api('POST', '/v1/team/invites', { key: admin, body: { email: 'ro@example.com', [f]: 'x' } }),
          400, 'read_only_field', { pointers: [`/${f}`] });
      }
      for (const f of ['name', 'token', 'teamId', 'message']) {
        assertProblem(await api('POST', '/v1/team/invites', { key: admin, body: { email: 'uk@example.com', [f]: 'x' } }),
          400, 'unknown_field', { pointers: [`/${f}`] });
      }
      for (const raw of ['{"email": ', '{email: "a@b.c"}', '[{"email":"a@b.c"}]', '42', '']) {
        assertProblem(await api('POST', '/v1/team/invites', { key: admin, rawBody: raw }), 400, 'malformed_json');
      }
      assertProblem(await api('POST', '/v1/team/invites', {
        key: admin, rawBody: '{"email":"a@example.com"}', headers: { 'Content-Type': 'text/plain' },
      }), 415, 'unsupported_media_type');
      assertProblem(await api('POST', '/v1/team/invites', {
        key: admin, rawBody: JSON.stringify({ email: 'a@example.com', pad: 'x'.repeat(1 << 20) }),
      }), 413, 'body_too_large');
    });
  });

  it('negative: an existing member\'s address (any case) or one with a pending invitation is 409; nothing changes', async () => {
    await invite('pending@example.com');
    const sent = sink.messages.length;
    await assertNoChange(srv, async () => {
      for (const email of ['owner@example.com', 'OWNER@Example.com', 'pending@example.com', 'Pending@EXAMPLE.com']) {
        assertProblem(await api('POST', '/v1/team/invites', { key: admin, body: { email, role: 'admin' } }),
          409, 'conflict');
      }
    });
    assert.equal(sink.messages.length, sent);
    // Another team may invite the same addresses.
    assertOk(await api('POST', '/v1/team/invites', { key: otherKey, body: { email: 'pending@example.com' } }), 201);
    assertOk(await api('POST', '/v1/team/invites', { key: otherKey, body: { email: 'owner@example.com' } }), 201);
  });

  it('lists pending invitations by default, newest first; status filters; pages with cursor and Link', async () => {
    const a = await invite('list-a@example.com');
    const b = await invite('list-b@example.com');
    const c = await invite('list-c@example.com');
    assert.equal((await api('DELETE', `/v1/team/invites/${b.id}`, { key: admin })).status, 204);

    const pending = assertOk(await api('GET', '/v1/team/invites', { key: reader }));
    const ids = pending.map((i) => i.id);
    assert.ok(ids.includes(a.id) && ids.includes(c.id) && !ids.includes(b.id), JSON.stringify(ids));
    assert.ok(ids.indexOf(c.id) < ids.indexOf(a.id), 'newest first');
    for (const i of pending) {
      sameKeys(i, INVITE_KEYS);
      assert.equal(i.status, 'pending');
    }
    const revoked = assertOk(await api('GET', '/v1/team/invites?status=revoked', { key: reader }));
    assert.ok(revoked.some((i) => i.id === b.id) && revoked.every((i) => i.status === 'revoked'));
    const all = assertOk(await api('GET', '/v1/team/invites?status=all&perPage=200', { key: reader }));
    assert.ok([a, b, c].every((x) => all.some((i) => i.id === x.id)));
    assert.ok(all.every((i, n) => n === 0 || Date.parse(all[n - 1].createdAt) >= Date.parse(i.createdAt)));
    for (const s of ['accepted', 'expired']) {
      const l = assertOk(await api('GET', `/v1/team/invites?status=${s}`, { key: reader }));
      assert.ok(l.every((i) => i.status === s), `${s}: ${JSON.stringify(l)}`);
    }

    // Walk every invitation one at a time.
    const seen = [];
    let url = '/v1/team/invites?status=all&perPage=1';
    for (let n = 0; url && n < 200; n++) {
      const res = await api('GET', url, { key: reader });
      const page = assertOk(res);
      assert.equal(res.json.meta.pagination.perPage, 1);
      seen.push(...page.map((i) => i.id));
      const next = res.json.meta.pagination.next;
      const link = res.headers.get('link');
      if (next) {
        assert.match(link ?? '', /^<[^>]+>; rel="next"$/);
        url = /^<([^>]+)>/.exec(link)[1];
        assert.ok(url.includes('status=all') && url.includes('perPage=1'), url);
      } else {
        assert.equal(link, null);
        url = null;
      }
    }
    assert.deepEqual(seen, all.map((i) => i.id));

    // The other team lists none of them.
    const theirs = assertOk(await api('GET', '/v1/team/invites?status=all&perPage=200', { key: otherKey }));
    assert.ok(theirs.every((i) => !all.some((x) => x.id === i.id)));
  });

  it('a retry with the same Idempotency-Key replays the answer without the token: one invitation, one mail', async () => {
    const headers = { 'Idempotency-Key': 'invite-retry-1' };
    const sent = sink.messages.length;
    const first = assertOk(await api('POST', '/v1/team/invites', { key: admin, headers, body: { email: 'retry@example.com' } }), 201);
    const res = await api('POST', '/v1/team/invites', { key: admin, headers, body: { email: 'retry@example.com' } });
    // The stored answer, replayed as it was (its meta included).
    assert.equal(res.status, 201, show(res));
    assert.equal(res.headers.get('idempotent-replayed'), 'true');
    const again = res.json.data;
    assert.equal(again.id, first.id);
    assert.equal(again.acceptUrl, null, 'a replay does not repeat the token');
    assert.equal(srv.sql("SELECT count(*) AS n FROM invites WHERE email = 'retry@example.com'")[0].n, 1);
    assert.equal(sink.messages.length, sent + 1, 'one mail');
  });

  it('negative: bad query values are 400 bad_query', async () => {
    for (const q of ['status=open', 'status=', 'status=PENDING', 'perPage=0', 'perPage=201', 'perPage=x',
      'cursor=!!', 'email=a@b.c', 'status=all&status=all']) {
      assertProblem(await api('GET', `/v1/team/invites?${q}`, { key: reader }), 400, 'bad_query');
    }
  });
});

// ---------------------------------------------------------------------------

describe('invitations: accept, reuse, revoke, expire, resend', () => {
  it('accept: 201 with the new member (the invitation\'s address and role), Location; the invitation is accepted', async () => {
    const inv = await invite('Joiner@Example.com', { role: 'admin' });
    const before = Date.now();
    const res = await accept(OK_ADDR, { body: { token: tokenOf(inv), name: 'Jo Iner' } });
    const m = assertOk(res, 201);
    sameKeys(m, MEMBER_KEYS);
    assert.match(m.id, MEM_ID_RE);
    assert.equal(m.email, 'joiner@example.com');
    assert.equal(m.name, 'Jo Iner');
    assert.equal(m.role, 'admin');
    assert.ok(Date.parse(m.joinedAt) >= before - 1000 && near(m.joinedAt), m.joinedAt);
    assertLocation(res, `/v1/team/members/${m.id}`);
    assert.deepEqual(await getMember(m.id), m);
    const g = await getInvite(inv.id);
    assert.equal(g.status, 'accepted');
    assert.equal(g.acceptedAt, m.joinedAt);
    // The member is in this team only.
    assertProblem(await api('GET', `/v1/team/members/${m.id}`, { key: otherKey }), 404, 'not_found');
  });

  it('negative: a token in the query is 400 bad_query, counts no failure and accepts nothing; in the body it works', async () => {
    const inv = await invite('by-url@example.com', { role: 'viewer' });
    const token = tokenOf(inv);
    const addr = freshAddr();
    await noChange(async () => {
      assertProblem(await accept(addr, { query: `?token=${token}`, body: { name: 'By Url' } }), 400, 'bad_query');
      assertProblem(await accept(addr, { query: `?token=${token}`, body: { token, name: 'By Url' } }), 400, 'bad_query');
    });
    // POSTed to a URL with the token in its fragment, fetch drops it: no token.
    assertProblem(await api('POST', apiPageOf(inv), { body: { name: 'No token' } }), 400, 'validation_error',
      { pointers: ['/token'] });
    const m = assertOk(await accept(addr, { body: { token, name: 'By Body' } }), 201);
    assert.equal(m.role, 'viewer');
  });

  it('negative: a used token is 410 gone, and nothing changes but the failure count', async () => {
    const inv = await invite('twice@example.com');
    assertOk(await accept(OK_ADDR, { body: { token: tokenOf(inv), name: 'Once' } }), 201);
    const addr = freshAddr();
    await noChange(async () => {
      assertProblem(await accept(addr, { body: { token: tokenOf(inv), name: 'Twice' } }), 410, 'gone');
    }, ['invite_accept_failures']);
    assert.equal(assertOk(await api('GET', '/v1/team/members?perPage=200', { key: admin }))
      .filter((m) => m.email === 'twice@example.com').length, 1);
  });

  it('revoke: 204; the token is 410; revoking again is 204 and keeps the first revokedAt', async () => {
    const inv = await invite('revoked@example.com');
    const del = await api('DELETE', `/v1/team/invites/${inv.id}`, { key: writer });
    assert.equal(del.status, 204, show(del));
    assert.equal(del.text, '');
    const g = await getInvite(inv.id);
    assert.equal(g.status, 'revoked');
    assert.match(g.revokedAt, TIME_RE);
    assertProblem(await accept(freshAddr(), { body: { token: tokenOf(inv), name: 'Late' } }), 410, 'gone');
    assert.equal((await api('DELETE', `/v1/team/invites/${inv.id}`, { key: admin })).status, 204);
    assert.equal((await getInvite(inv.id)).revokedAt, g.revokedAt);
    // A revoked address may be invited again.
    assertOk(await api('POST', '/v1/team/invites', { key: admin, body: { email: 'revoked@example.com' } }), 201);
  });

  it('expiry: an invitation past expiresAt is expired, its token 410; resend brings it back with a new token', async () => {
    const inv = await invite('expiring@example.com', { expiresAt: new Date(Date.now() + 1500).toISOString() });
    assert.equal(inv.status, 'pending');
    await sleep(Math.max(0, Date.parse(inv.expiresAt) - Date.now()) + 300);
    const g = await getInvite(inv.id);
    assert.equal(g.status, 'expired');
    assert.ok(assertOk(await api('GET', '/v1/team/invites?status=expired', { key: admin })).some((i) => i.id === inv.id));
    assert.ok(!assertOk(await api('GET', '/v1/team/invites', { key: admin })).some((i) => i.id === inv.id));
    assertProblem(await accept(freshAddr(), { body: { token: tokenOf(inv), name: 'Too late' } }), 410, 'gone');

    // An expired address is free to invite again (and then resending the
    // expired one would make two pending invitations: 409).
    const fresh = await invite('expiring@example.com');
    assertProblem(await api('POST', `/v1/team/invites/${inv.id}/resend`, { key: admin }), 409, 'conflict');
    assert.equal((await api('DELETE', `/v1/team/invites/${fresh.id}`, { key: admin })).status, 204);

    const sent = sink.messages.length;
    const res = await api('POST', `/v1/team/invites/${inv.id}/resend`, { key: writer });
    const r = assertOk(res, 200);
    sameKeys(r, [...INVITE_KEYS, 'acceptUrl', 'emailStatus']);
    assert.equal(r.id, inv.id);
    assert.equal(r.status, 'pending');
    assert.equal(r.createdAt, inv.createdAt);
    assert.ok(Math.abs(Date.parse(r.expiresAt) - (Date.now() + 7 * DAY)) < 60e3, r.expiresAt);
    assert.equal(r.emailStatus, 'sent');
    assert.notEqual(tokenOf(r), tokenOf(inv));
    await sink.waitFor(sent + 1);
    assertProblem(await accept(freshAddr(), { body: { token: tokenOf(inv), name: 'Old' } }), 410, 'gone');
    assertOk(await accept(OK_ADDR, { body: { token: tokenOf(r), name: 'New' } }), 201);
  });

  it('resend of a pending invitation: a new token and expiry, the old token stops working', async () => {
    const inv = await invite('resend@example.com', { role: 'viewer', expiresAt: new Date(Date.now() + DAY).toISOString() });
    const r = assertOk(await api('POST', `/v1/team/invites/${inv.id}/resend`, { key: admin }));
    assert.match(tokenOf(r), TOKEN_RE);
    assert.notEqual(tokenOf(r), tokenOf(inv));
    assert.ok(Date.parse(r.expiresAt) > Date.parse(inv.expiresAt));
    assert.equal(r.role, 'viewer');
    const mails = mailTo('resend@example.com');
    assert.equal(mails.length, 2);
    assert.ok(mails[1].body.includes(r.acceptUrl), 'the resent mail carries the new address');
    assert.ok(!mails[1].body.includes(tokenOf(inv)));
    assertProblem(await accept(freshAddr(), { body: { token: tokenOf(inv), name: 'Old' } }), 410, 'gone');
    const m = assertOk(await accept(OK_ADDR, { body: { token: tokenOf(r), name: 'New' } }), 201);
    assert.equal(m.role, 'viewer');
  });

  it('negative: resending an accepted or revoked invitation, or revoking an accepted one, is 409; nothing changes', async () => {
    const used = await invite('used@example.com');
    assertOk(await accept(OK_ADDR, { body: { token: tokenOf(used), name: 'Used' } }), 201);
    const gone = await invite('gone@example.com');
    assert.equal((await api('DELETE', `/v1/team/invites/${gone.id}`, { key: admin })).status, 204);
    const sent = sink.messages.length;
    await assertNoChange(srv, async () => {
      assertProblem(await api('POST', `/v1/team/invites/${used.id}/resend`, { key: admin }), 409, 'conflict');
      assertProblem(await api('POST', `/v1/team/invites/${gone.id}/resend`, { key: admin }), 409, 'conflict');
      assertProblem(await api('DELETE', `/v1/team/invites/${used.id}`, { key: admin }), 409, 'conflict');
    });
    assert.equal(sink.messages.length, sent);
    assert.equal((await getInvite(used.id)).status, 'accepted');
  });

  it('negative: unknown, malformed, used, revoked and expired tokens all get the same 410 answer', async () => {
    const used = await invite('same-used@example.com');
    assertOk(await accept(OK_ADDR, { body: { token: tokenOf(used), name: 'U' } }), 201);
    const revoked = await invite('same-revoked@example.com');
    await api('DELETE', `/v1/team/invites/${revoked.id}`, { key: admin });
    const expired = await invite('same-expired@example.com', { expiresAt: new Date(Date.now() + 500).toISOString() });
    await sleep(Math.max(0, Date.parse(expired.expiresAt) - Date.now()) + 200);
    const strip = ({ requestId, ...rest }) => rest;
    let first;
    for (const token of [tokenOf(used), tokenOf(revoked), tokenOf(expired), 'A'.repeat(32), 'short', '!'.repeat(32),
      tokenOf(used).slice(0, 31)]) {
      const p = assertProblem(await accept(freshAddr(), { body: { token, name: 'Guess' } }), 410, 'gone');
      first ??= strip(p);
      assert.deepEqual(strip(p), first, `the answer for ${token} differs`);
    }
  });

  it('negative: a bad accept body is 400 and counts no failure; nothing changes', async () => {
    const inv = await invite('badbody@example.com');
    const token = tokenOf(inv);
    const addr = freshAddr();
    await assertNoChange(srv, async () => {
      const bad = [
        [{ token }, '/name'],
        [{ token, name: '' }, '/name'],
        [{ token, name: 'x'.repeat(256) }, '/name'],
        [{ token, name: 7 }, '/name'],
        [{ token, name: null }, '/name'],
        [{ name: 'No token' }, '/token'],
        [{ token: 5, name: 'x' }, '/token'],
        [{ token: null, name: 'x' }, '/token'],
        [{ token: '', name: 'x' }, '/token'],
        [{ token: 'x'.repeat(257), name: 'x' }, '/token'],
      ];
      for (const [body, pointer] of bad) {
        assertProblem(await accept(addr, { body }), 400, 'validation_error', { pointers: [pointer] });
      }
      const p = assertProblem(await accept(addr, { body: { token: 1, name: '' } }), 400, 'validation_error',
        { pointers: ['/token', '/name'] });
      assert.equal(p.errors.length, 2);
      for (const f of ['email', 'role', 'teamId']) {
        assertProblem(await accept(addr, { body: { token, name: 'x', [f]: 'owner' } }), 400, 'unknown_field',
          { pointers: [`/${f}`] });
      }
      for (const raw of ['{"token": ', '[]', '"x"', '']) {
        assertProblem(await accept(addr, { rawBody: raw }), 400, 'malformed_json');
      }
      assertProblem(await accept(addr, { rawBody: JSON.stringify({ token, name: 'x' }), headers: { 'content-type': 'text/plain' } }),
        415, 'unsupported_media_type');
      assertProblem(await accept(addr, { rawBody: JSON.stringify({ token, name: 'x'.repeat((1 << 20) + 1) }) }),
        413, 'body_too_large');
      assertProblem(await accept(addr, { query: '?tok=1', body: { token, name: 'x' } }), 400, 'bad_query');
    });
    // And the token still works.
    assertOk(await accept(addr, { body: { token, name: 'Finally' } }), 201);
  });

  it('negative: PUT on the accept route is 405 with Allow GET, POST; it needs no key for POST', async () => {
    const res = await api('PUT', '/v1/invites/accept', { body: {} });
    assertProblem(res, 405, 'method_not_allowed');
    assert.match(res.headers.get('allow') ?? '', /\bGET\b.*\bPOST\b/);
    assertProblem(await api('POST', '/v1/invites/accept/x', { body: {} }), 404, 'not_found');
  });
});

// ---------------------------------------------------------------------------

// acceptUrl keeps the token in its fragment, which no client sends; GET
// on the accept path is a page that posts it in the body.  The web
// server's access log (lighttpd-access.log, "%r" is the request line)
// must never hold it.
describe('the accept page', () => {
  let browser;

  before(async () => {
    browser = await startBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  // The access log's lines, once lighttpd has written the ones that
  // satisfy done (it flushes its log about once a second).
  async function logLines(done, timeout = 5000) {
    let lines = [];
    for (const end = Date.now() + timeout; Date.now() < end; await sleep(100)) {
      lines = (await srv.accessLog()).split('\n').filter(Boolean);
      if (done(lines)) break;
    }
    return lines;
  }
  const sha256 = (s) => `'sha256-${crypto.createHash('sha256').update(s, 'utf8').digest('base64')}'`;

  it('GET answers one HTML page with a strict CSP: its own script and style by hash, requests to its origin only', async () => {
    const res = await api('GET', '/v1/invites/accept');
    assert.equal(res.status, 200, show(res));
    assert.match(res.headers.get('content-type') ?? '', /^text\/html; charset=utf-8$/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    const html = res.text;
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    assert.equal(scripts.length, 1);
    assert.equal(styles.length, 1);
    assert.equal((html.match(/<script\b/g) ?? []).length, 1, 'no other script');
    assert.doesNotMatch(html, /\b(src|href|action)=/, 'nothing loaded or posted elsewhere');
    assert.equal(res.headers.get('content-security-policy'), `default-src 'none'; script-src ${sha256(scripts[0])}; ` +
      `style-src ${sha256(styles[0])}; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`);
    assert.match(scripts[0], /location\.hash/);
    // The same document for everyone, whatever invitations exist.
    await invite('page-same@example.com');
    assert.equal((await api('GET', '/v1/invites/accept')).text, html);
    // HEAD: the headers alone.
    const head = await api('HEAD', '/v1/invites/accept');
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-security-policy'), res.headers.get('content-security-policy'));
    assertProblem(await api('GET', '/v1/invites/accept?token=x'), 400, 'bad_query');
  });

  it('in a browser: the link opens the page, which posts the token from the fragment; no access log line holds the token', async () => {
    const inv = await invite('browser@example.com', { role: 'admin' });
    // Wherever in the URL it is.
    const token = /token=([0-9A-Za-z]{32})/.exec(inv.acceptUrl)?.[1];
    assert.match(token ?? '', TOKEN_RE, inv.acceptUrl);
    const tab = await browser.open(apiPageOf(inv), { width: 390, height: 844, mobile: true });
    try {
      const opened = await logLines((ls) => ls.some((l) => l.includes('"GET ') && l.includes('/v1/invites/accept')));
      assert.deepEqual(opened.filter((l) => l.includes(token)), [], 'opening the link logged the token');
      assert.equal(await tab.eval('location.hash'), '', 'the token stayed in the address bar');
      assert.equal(await tab.eval('document.getElementById("accept").hidden'), false, 'the form is not shown');
      await tab.eval(`document.getElementById('name').value = 'Bea Browser';
        document.getElementById('accept').requestSubmit(); true`);
      let said = '';
      for (const end = Date.now() + 10000; Date.now() < end && !said.startsWith('Welcome'); await sleep(100)) {
        said = await tab.eval('document.getElementById("status").textContent');
      }
      assert.equal(said, 'Welcome, Bea Browser: you are now a member of the team, as admin.');
      assert.deepEqual(tab.errors, [], 'the page reported errors (a CSP violation is one)');
    } finally {
      await tab.close();
    }
    const m = assertOk(await api('GET', '/v1/team/members?perPage=100', { key: admin }))
      .find((x) => x.email === 'browser@example.com');
    assert.deepEqual([m?.name, m?.role], ['Bea Browser', 'admin']);
    assert.equal((await getInvite(inv.id)).status, 'accepted');
    // The whole flow (create, open, accept) went through this log.
    const lines = await logLines((ls) => ls.some((l) => l.includes('"POST ') && l.includes('/v1/invites/accept') &&
      / 201 /.test(l)));
    assert.ok(lines.some((l) => l.includes('"POST ') && l.includes('/v1/team/invites') && / 201 /.test(l)));
    assert.ok(lines.some((l) => l.includes('"GET ') && l.includes('/v1/invites/accept') && / 200 /.test(l)));
    assert.ok(lines.some((l) => l.includes('"POST ') && l.includes('/v1/invites/accept') && / 201 /.test(l)),
      'the accept is not in the log');
    assert.deepEqual(lines.filter((l) => l.includes(token)), [], 'a request line holds the token');
  });

  it('negative: in a browser, a link without a token shows no form; a used token shows the 410 answer', async () => {
    const bare = await browser.open(`${srv.baseUrl}/v1/invites/accept`);
    try {
      assert.equal(await bare.eval('document.getElementById("accept").hidden'), true);
      assert.match(await bare.eval('document.getElementById("status").textContent'), /no invitation token/);
      assert.deepEqual(bare.errors, []);
    } finally {
      await bare.close();
    }
    const inv = await invite('used-in-browser@example.com');
    assertOk(await accept(OK_ADDR, { body: { token: tokenOf(inv), name: 'First' } }), 201);
    const tab = await browser.open(apiPageOf(inv));
    try {
      await tab.eval(`document.getElementById('name').value = 'Second';
        document.getElementById('accept').requestSubmit(); true`);
      let said = '';
      for (const end = Date.now() + 10000; Date.now() < end && !/cannot be accepted/.test(said); await sleep(100)) {
        said = await tab.eval('document.getElementById("status").textContent');
      }
      assert.match(said, /^This invitation cannot be accepted/);
      assert.equal(await tab.eval('document.querySelector("button").disabled'), false, 'the form can be sent again');
    } finally {
      await tab.close();
    }
  });
});

// ---------------------------------------------------------------------------

describe('the accept rate limit, per client address', () => {
  it(`past ${FAILS_PER_MINUTE} failed attempts a minute: 429 with Retry-After, even for a good token; other addresses are not affected`, async () => {
    const inv = await invite('limited@example.com');
    const addr = freshAddr();
    for (let i = 0; i < FAILS_PER_MINUTE; i++) {
      assertProblem(await accept(addr, { body: { token: makeKey().slice(7, 39), name: 'Guess' } }), 410, 'gone');
    }
    // Past the limit nothing is looked at and nothing is written.
    await assertNoChange(srv, async () => {
      for (const token of ['C'.repeat(32), tokenOf(inv)]) {
        const res = await accept(addr, { body: { token, name: 'Blocked' } });
        assertProblem(res, 429, 'rate_limited');
        const ra = Number(res.headers.get('retry-after'));
        assert.ok(Number.isInteger(ra) && ra >= 1 && ra <= 60, `Retry-After ${res.headers.get('retry-after')}`);
      }
    });
    assert.equal((await getInvite(inv.id)).status, 'pending');
    // A bad body from the limited address is refused too: the limit comes first.
    assertProblem(await accept(addr, { rawBody: '{' }), 429, 'rate_limited');
    // Another address is not limited, and the good token works from it.
    assertOk(await accept(freshAddr(), { body: { token: tokenOf(inv), name: 'Elsewhere' } }), 201);
  });

  it('successful accepts and 400s do not count toward the limit', async () => {
    const addr = freshAddr();
    for (let i = 0; i < FAILS_PER_MINUTE + 2; i++) {
      assertProblem(await accept(addr, { body: { name: 'no token' } }), 400, 'validation_error');
    }
    for (let i = 0; i < 3; i++) {
      const inv = await invite(`counted-${i}@example.com`);
      assertOk(await accept(addr, { body: { token: tokenOf(inv), name: 'Fine' } }), 201);
    }
    for (let i = 0; i < FAILS_PER_MINUTE - 1; i++) {
      assertProblem(await accept(addr, { body: { token: 'D'.repeat(32), name: 'x' } }), 410, 'gone');
    }
    const inv = await invite('last-chance@example.com');
    assertOk(await accept(addr, { body: { token: tokenOf(inv), name: 'Still fine' } }), 201);
    assertProblem(await accept(addr, { body: { token: 'D'.repeat(32), name: 'x' } }), 410, 'gone');
    assertProblem(await accept(addr, { body: { token: 'D'.repeat(32), name: 'x' } }), 429, 'rate_limited');
  });
});

// ---------------------------------------------------------------------------

describe('members: list, get, PATCH, DELETE and the owner rule', () => {
  let ann, bob;
  before(async () => {
    ann = await join('ann@members.example', 'admin', 'Ann');
    bob = await join('bob@members.example', 'viewer', 'Bob');
  });

  it('lists the team\'s members newest first; role filter; pages with cursor and Link', async () => {
    const all = assertOk(await api('GET', '/v1/team/members?perPage=200', { key: reader }));
    for (const m of all) sameKeys(m, MEMBER_KEYS);
    assert.equal(all[0].id, bob.id);
    assert.equal(all[1].id, ann.id);
    assert.equal(all[all.length - 1].id, ownerId, 'the first owner joined first');
    assert.ok(all.every((m, n) => n === 0 || Date.parse(all[n - 1].joinedAt) >= Date.parse(m.joinedAt)));
    for (const role of ['owner', 'admin', 'member', 'viewer']) {
      const l = assertOk(await api('GET', `/v1/team/members?role=${role}&perPage=200`, { key: reader }));
      assert.deepEqual(l.map((m) => m.id), all.filter((m) => m.role === role).map((m) => m.id), role);
    }
    const seen = [];
    let url = '/v1/team/members?perPage=2';
    while (url) {
      const res = await api('GET', url, { key: reader });
      seen.push(...assertOk(res).map((m) => m.id));
      const link = res.headers.get('link');
      url = link ? /^<([^>]+)>/.exec(link)[1] : null;
      if (!link) assert.equal(res.json.meta.pagination.next, null);
    }
    assert.deepEqual(seen, all.map((m) => m.id));
    const theirs = assertOk(await api('GET', '/v1/team/members', { key: otherKey }));
    assert.deepEqual(theirs.map((m) => m.id), [otherOwnerId]);
  });

  it('negative: bad query values are 400 bad_query', async () => {
    for (const q of ['role=boss', 'role=', 'role=OWNER', 'perPage=0', 'perPage=201', 'cursor=%%', 'status=all']) {
      assertProblem(await api('GET', `/v1/team/members?${q}`, { key: reader }), 400, 'bad_query');
    }
  });

  it('GET one member; a missing, malformed or other team\'s id is 404', async () => {
    const m = await getMember(ann.id, reader);
    assert.deepEqual(m, ann);
    for (const id of [GHOST_MEM, otherOwnerId]) {
      assertProblem(await api('GET', `/v1/team/members/${id}`, { key: admin }), 404, 'not_found');
    }
    assertProblem(await api('GET', '/v1/team/members/mem_short', { key: admin }), 404, 'not_found');
    assertProblem(await api('GET', `/v1/team/members/${ann.id.replace('mem_', 'inv_')}`, { key: admin }), 404, 'not_found');
  });

  it('PATCH changes only the fields given: name, role, both', async () => {
    let m = assertOk(await api('PATCH', `/v1/team/members/${bob.id}`, { key: writer, body: { name: 'Robert' } }));
    assert.deepEqual(m, { ...bob, name: 'Robert' });
    m = assertOk(await api('PATCH', `/v1/team/members/${bob.id}`, { key: writer, body: { role: 'member' } }));
    assert.deepEqual(m, { ...bob, name: 'Robert', role: 'member' });
    m = assertOk(await api('PATCH', `/v1/team/members/${bob.id}`, { key: writer, body: { role: 'viewer', name: 'Bob' } }));
    assert.deepEqual(m, bob);
    assert.deepEqual(assertOk(await api('PATCH', `/v1/team/members/${bob.id}`, { key: writer, body: {} })), bob);
    assert.deepEqual(await getMember(bob.id), bob);
  });

  it('negative: bad values, read-only and unknown fields are 400, several at once; nothing changes', async () => {
    await assertNoChange(srv, async () => {
      const bad = [
        [{ name: '' }, '/name'], [{ name: 'x'.repeat(256) }, '/name'], [{ name: null }, '/name'], [{ name: 3 }, '/name'],
        [{ role: 'root' }, '/role'], [{ role: null }, '/role'], [{ role: ['owner'] }, '/role'], [{ role: '' }, '/role'],
      ];
      for (const [body, pointer] of bad) {
        assertProblem(await api('PATCH', `/v1/team/members/${ann.id}`, { key: admin, body }), 400, 'validation_error',
          { pointers: [pointer] });
      }
      for (const f of ['id', 'email', 'joinedAt']) {
        assertProblem(await api('PATCH', `/v1/team/members/${ann.id}`, { key: admin, body: { [f]: 'x' } }), 400,
          'read_only_field', { pointers: [`/${f}`] });
      }
      assertProblem(await api('PATCH', `/v1/team/members/${ann.id}`, { key: admin, body: { teamId: team } }), 400,
        'unknown_field', { pointers: ['/teamId'] });
      const p = assertProblem(await api('PATCH', `/v1/team/members/${ann.id}`, { key: admin, body: { name: '', role: 'x' } }),
        400, 'validation_error', { pointers: ['/name', '/role'] });
      assert.equal(p.errors.length, 2);
      // The body is checked before the member is looked up.
      assertProblem(await api('PATCH', `/v1/team/members/${GHOST_MEM}`, { key: admin, body: { role: 'x' } }), 400,
        'validation_error');
      for (const raw of ['{', '[]', '']) {
        assertProblem(await api('PATCH', `/v1/team/members/${ann.id}`, { key: admin, rawBody: raw }), 400, 'malformed_json');
      }
      assertProblem(await api('PATCH', `/v1/team/members/${ann.id}`, {
        key: admin, rawBody: '{"name":"x"}', headers: { 'Content-Type': 'text/plain' },
      }), 415, 'unsupported_media_type');
      assertProblem(await api('PATCH', `/v1/team/members/${ann.id}`, {
        key: admin, rawBody: JSON.stringify({ name: 'x'.repeat((1 << 20) + 1) }),
      }), 413, 'body_too_large');
    });
  });

  it('negative: the last owner can be neither demoted nor removed (409); nothing changes', async () => {
    await assertNoChange(srv, async () => {
      for (const role of ['admin', 'member', 'viewer']) {
        assertProblem(await api('PATCH', `/v1/team/members/${ownerId}`, { key: admin, body: { role } }), 409, 'conflict');
      }
      assertProblem(await api('PATCH', `/v1/team/members/${ownerId}`, { key: admin, body: { role: 'admin', name: 'X' } }),
        409, 'conflict');
      assertProblem(await api('DELETE', `/v1/team/members/${ownerId}`, { key: admin }), 409, 'conflict');
    });
    // Staying owner and renaming are fine.
    const o = assertOk(await api('PATCH', `/v1/team/members/${ownerId}`, { key: admin, body: { role: 'owner', name: 'Olga' } }));
    assert.equal(o.role, 'owner');
    assert.equal(o.name, 'Olga');
  });

  it('with two owners one can be demoted, then the other is the last one; promoting and removing work', async () => {
    const p = assertOk(await api('PATCH', `/v1/team/members/${ann.id}`, { key: admin, body: { role: 'owner' } }));
    assert.equal(p.role, 'owner');
    const d = assertOk(await api('PATCH', `/v1/team/members/${ownerId}`, { key: admin, body: { role: 'admin' } }));
    assert.equal(d.role, 'admin');
    // Ann is now the only owner.
    assertProblem(await api('PATCH', `/v1/team/members/${ann.id}`, { key: admin, body: { role: 'viewer' } }), 409, 'conflict');
    assertProblem(await api('DELETE', `/v1/team/members/${ann.id}`, { key: admin }), 409, 'conflict');
    // Two owners again: one of them may be removed.
    assertOk(await api('PATCH', `/v1/team/members/${ownerId}`, { key: admin, body: { role: 'owner' } }));
    assert.equal((await api('DELETE', `/v1/team/members/${ann.id}`, { key: writer })).status, 204);
    assertProblem(await api('GET', `/v1/team/members/${ann.id}`, { key: admin }), 404, 'not_found');
    assertProblem(await api('DELETE', `/v1/team/members/${ann.id}`, { key: admin }), 404, 'not_found');
    assertProblem(await api('DELETE', `/v1/team/members/${ownerId}`, { key: admin }), 409, 'conflict');
    // The other team's owner rule is its own: its single owner is safe
    // from this team's keys (404) and from its own (409).
    assertProblem(await api('DELETE', `/v1/team/members/${otherOwnerId}`, { key: admin }), 404, 'not_found');
    assertProblem(await api('DELETE', `/v1/team/members/${otherOwnerId}`, { key: otherKey }), 409, 'conflict');
  });

  it('a removed member may be invited again; a non-owner is removed with 204 and no body', async () => {
    const res = await api('DELETE', `/v1/team/members/${bob.id}`, { key: admin });
    assert.equal(res.status, 204, show(res));
    assert.equal(res.text, '');
    const again = await join('bob@members.example', 'member', 'Bob again');
    assert.notEqual(again.id, bob.id);
    assert.equal(again.role, 'member');
  });
});

// ---------------------------------------------------------------------------

describe('the invitation mail', () => {
  it('is a proper MIME message from UPTIME_MAIL_FROM to the invitee, carrying the acceptUrl', async () => {
    const before = Date.now();
    const inv = await invite('mail.check@example.com', { role: 'admin' });
    await sink.waitFor(sink.messages.length);
    const [msg] = mailTo('mail.check@example.com');
    assert.ok(msg, 'no mail reached the sink');
    assert.equal(msg.from, 'bot@uptime.test', 'envelope sender');
    assert.deepEqual(msg.rcpt, ['mail.check@example.com'], 'envelope recipient');
    assert.equal(msg.bareLf, false, 'every line ends with CRLF');
    assert.equal(msg.bareCr, false, 'no bare CR');
    assert.equal(msg.header('From'), '"Uptime Bot" <bot@uptime.test>');
    assert.equal(msg.header('To'), '<mail.check@example.com>');
    assert.equal(msg.subject, 'Invitation to join Acme on uptime');
    assert.equal(msg.header('MIME-Version'), '1.0');
    assert.equal(msg.header('Content-Type'), 'text/plain; charset=utf-8');
    assert.equal(msg.header('Content-Transfer-Encoding'), '7bit', 'plain ASCII text goes as 7bit');
    assert.match(msg.header('Message-ID') ?? '', /^<[^<>@\s]+@uptime\.test>$/);
    const date = Date.parse(msg.header('Date'));
    assert.match(msg.header('Date'), /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000$/);
    assert.ok(date >= before - 2000 && date <= Date.now() + 2000, msg.header('Date'));
    for (const h of ['Date', 'From', 'To', 'Subject', 'Message-ID']) assert.equal(msg.all(h).length, 1, `one ${h}`);
    assert.ok(msg.body.includes(inv.acceptUrl), `the body lacks ${inv.acceptUrl}:\n${msg.body}`);
    assert.ok(msg.body.includes('admin'), 'the body names the role');
    assert.ok(msg.body.includes(inv.expiresAt), 'the body says when it expires');
    for (const line of msg.raw.split('\r\n')) assert.ok(line.length <= 998, 'line over 998 bytes');

    const rows = srv.sql(`SELECT * FROM mail_outbox WHERE ref_id = '${inv.id}'`);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].kind, 'invite');
    assert.equal(rows[0].team_id, team);
    assert.equal(rows[0].to_addr, 'mail.check@example.com');
    assert.equal(rows[0].subject, msg.subject);
    assert.equal(rows[0].status, 'sent');
    assert.equal(rows[0].error, null);
    assert.ok(rows[0].sent_at >= rows[0].created_at);
  });

  it('a team name that is not ASCII: Subject in RFC 2047 words, body quoted-printable, both decode to the name', async () => {
    const name = 'Équipe Ωmega — 日本のチーム, with a name long enough to need more than one encoded word';
    assertOk(await api('PATCH', '/v1/team', { key: admin, body: { name } }));
    try {
      const inv = await invite('utf8@example.com');
      await sink.waitFor(sink.messages.length);
      const [msg] = mailTo('utf8@example.com');
      assert.match(msg.header('Subject'), /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=( =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=)+$/);
      for (const h of msg.headers.filter((x) => x.name === 'Subject')) {
        for (const w of h.value.split(' ')) assert.ok(w.length <= 75, `encoded word over 75 characters: ${w}`);
      }
      assert.equal(msg.subject, `Invitation to join ${name} on uptime`);
      assert.equal(msg.header('Content-Transfer-Encoding'), 'quoted-printable');
      for (const line of msg.rawBody.split('\r\n')) {
        assert.ok(line.length <= 76, `quoted-printable line over 76: ${line}`);
        assert.match(line, /^[\x20-\x7e]*$/, 'quoted-printable is ASCII');
      }
      assert.ok(msg.body.includes(name));
      assert.ok(msg.body.includes(inv.acceptUrl));
    } finally {
      assertOk(await api('PATCH', '/v1/team', { key: admin, body: { name: 'Acme' } }));
    }
  });

  it('a team name with control characters never reaches a header', async () => {
    assertOk(await api('PATCH', '/v1/team', { key: admin, body: { name: 'Evil\r\nBcc: victim@example.com' } }));
    try {
      const inv = await invite('ctl@example.com');
      assert.equal(inv.emailStatus, 'sent');
      const [msg] = mailTo('ctl@example.com');
      assert.equal(msg.all('Bcc').length, 0);
      assert.deepEqual(msg.rcpt, ['ctl@example.com']);
      assert.equal(msg.subject, 'Invitation to join Evil  Bcc: victim@example.com on uptime');
      assert.equal(mailTo('victim@example.com').length, 0);
    } finally {
      assertOk(await api('PATCH', '/v1/team', { key: admin, body: { name: 'Acme' } }));
    }
  });

  for (const mode of ['rcpt', 'data', 'connect']) {
    it(`negative: when the mail server refuses (${mode}) the invitation still exists, emailStatus failed, the outbox says why`, async () => {
      const sent = sink.messages.length;
      sink.refuse(mode);
      let inv;
      try {
        inv = await invite(`refused-${mode}@example.com`);
      } finally {
        sink.refuse(null);
      }
      assert.equal(inv.emailStatus, 'failed');
      assert.equal(inv.status, 'pending');
      assert.match(tokenOf(inv), TOKEN_RE);
      assert.equal(sink.messages.length, sent, 'nothing was delivered');
      const g = await getInvite(inv.id);
      assert.equal(g.status, 'pending');
      const rows = srv.sql(`SELECT * FROM mail_outbox WHERE ref_id = '${inv.id}'`);
      assert.equal(rows.length, 1);
      assert.equal(rows[0].status, 'failed');
      assert.equal(typeof rows[0].error, 'string');
      assert.ok(rows[0].error.length > 0);
      assert.equal(rows[0].sent_at, null);
      assert.ok(!rows[0].error.includes(sink.url), 'the error does not repeat the SMTP URL');
      const res = await api('POST', `/v1/team/invites/${inv.id}/resend`, { key: admin });
      assert.equal(assertOk(res).emailStatus, 'sent', 'a resend after the server recovered is sent');
      // And the invitation works.
      assertOk(await accept(OK_ADDR, { body: { token: tokenOf(res.json.data), name: 'Refused once' } }), 201);
    });
  }

  it('without UPTIME_SMTP_URL: emailStatus not_configured, nothing recorded; UPTIME_INVITE_TTL_SECONDS sets the lifetime', async () => {
    const r = await plain.admin('team', 'create', 'Plain', '--owner', 'p@plain.example');
    const key = await plain.createKey(r.stdout.trim());
    const inv = await invite('nomail@example.com', {}, { key, server: plain });
    assert.equal(inv.emailStatus, 'not_configured');
    assert.equal(Date.parse(inv.expiresAt) - Date.parse(inv.createdAt), 60 * 1000);
    assert.equal(new URL(inv.acceptUrl).origin, new URL(plain.baseUrl).origin);
    assert.equal(plain.sql('SELECT count(*) AS n FROM mail_outbox')[0].n, 0);
    const res = await plain.api('POST', `/v1/team/invites/${inv.id}/resend`, { key });
    const again = assertOk(res);
    assert.equal(again.emailStatus, 'not_configured');
    assert.ok(Math.abs(Date.parse(again.expiresAt) - Date.now() - 60e3) < 10e3, again.expiresAt);
    // expiresAt given at create still wins over the configured lifetime.
    const later = new Date(Date.now() + 2 * DAY);
    const inv2 = await invite('later@example.com', { expiresAt: later.toISOString() }, { key, server: plain });
    assert.equal(inv2.expiresAt, later.toISOString());
    assertOk(await acceptFrom(plain, OK_ADDR, { body: { token: tokenOf(again), name: 'No Mail' } }), 201);
  });
});

// ---------------------------------------------------------------------------

// UPTIME_SMTP_TLS.  The tests can reach loopback addresses only, and a
// relay on one may go without TLS under the default (loopback-plain), so
// the default's refusal of any other relay is tested where it is
// decided (tests/unit/test_mail.c, mail_tls_required); here the server
// runs with UPTIME_SMTP_TLS=required, which takes the same path in
// mail_send for the loopback sink.
describe('the invitation mail over TLS (UPTIME_SMTP_TLS)', () => {
  let cert, tlsSink, strict, strictKey;

  before(async () => {
    cert = await selfSignedCert();
    // Readable by the programs, which run as www-data but under lighttpd.
    await fsp.chmod(cert.dir, 0o755);
    await fsp.chmod(cert.certFile, 0o644);
    tlsSink = await startSmtpSink({ tls: { key: cert.key, cert: cert.cert } });
    strict = await startServer({
      env: { UPTIME_SMTP_URL: tlsSink.url, UPTIME_SMTP_TLS: 'required', UPTIME_CA_FILE: cert.certFile },
    });
    const r = await strict.admin('team', 'create', 'Strict', '--owner', 'o@strict.example');
    assert.equal(r.code, 0, r.stderr);
    strictKey = await strict.createKey(r.stdout.trim());
  });

  after(async () => {
    await strict?.stop();
    await tlsSink?.close();
    await cert?.cleanup();
  });

  it('required: a relay that offers STARTTLS gets the invitation encrypted, its certificate checked', async () => {
    const inv = await invite('tls@example.com', {}, { key: strictKey, server: strict });
    assert.equal(inv.emailStatus, 'sent', strict.sql(`SELECT error FROM mail_outbox WHERE ref_id = '${inv.id}'`)[0]?.error);
    const [msg] = await tlsSink.waitFor(1);
    assert.deepEqual(msg.rcpt, ['tls@example.com']);
    assert.equal(msg.tls, true, 'sent after STARTTLS');
    assert.ok(msg.body.includes(inv.acceptUrl));
    assert.ok(tlsSink.commands.indexOf('STARTTLS') < tlsSink.commands.indexOf('MAIL'));
  });

  it('negative: STARTTLS stripped on the way: nothing but EHLO is sent, emailStatus failed, the outbox names UPTIME_SMTP_TLS', async () => {
    const sent = tlsSink.messages.length;
    tlsSink.commands.length = 0;
    tlsSink.strip(true);
    let inv;
    try {
      inv = await invite('stripped@example.com', {}, { key: strictKey, server: strict });
    } finally {
      tlsSink.strip(false);
    }
    assert.equal(inv.emailStatus, 'failed');
    assert.equal(inv.status, 'pending');
    assert.equal(tlsSink.messages.length, sent, 'a message went in clear');
    assert.ok(tlsSink.commands.length > 0, 'the relay was not reached at all');
    assert.deepEqual(tlsSink.commands.filter((c) => !['EHLO', 'QUIT'].includes(c)), [],
      'a command past EHLO went in clear');
    const [row] = strict.sql(`SELECT status, error FROM mail_outbox WHERE ref_id = '${inv.id}'`);
    assert.equal(row.status, 'failed');
    assert.match(row.error, /does not offer STARTTLS.*UPTIME_SMTP_TLS=required/);
    // Offered again, a resend goes through, encrypted.
    const again = assertOk(await strict.api('POST', `/v1/team/invites/${inv.id}/resend`, { key: strictKey }));
    assert.equal(again.emailStatus, 'sent');
    assert.equal(tlsSink.messages.at(-1).tls, true);
  });

  it('loopback-plain (the default): a relay on a loopback address that offers no STARTTLS still gets the mail', async () => {
    // The main server of this file: the plain sink on 127.0.0.1.
    const inv = await invite('loopback@example.com');
    assert.equal(inv.emailStatus, 'sent');
    const [msg] = mailTo('loopback@example.com');
    assert.equal(msg.tls, false);
  });
});

// ---------------------------------------------------------------------------

describe('authentication, scopes and teams', () => {
  let inv, mem;
  before(async () => {
    inv = await invite('guarded@example.com');
    mem = await join('guarded-member@example.com', 'member', 'Guarded');
  });

  const routes = () => [
    ['GET', '/v1/team', undefined, 'team:read'],
    ['PATCH', '/v1/team', { name: 'Hijacked' }, 'team:write'],
    ['GET', '/v1/team/members', undefined, 'team:read'],
    ['GET', `/v1/team/members/${mem.id}`, undefined, 'team:read'],
    ['PATCH', `/v1/team/members/${mem.id}`, { role: 'owner' }, 'team:write'],
    ['DELETE', `/v1/team/members/${mem.id}`, undefined, 'team:write'],
    ['GET', '/v1/team/invites', undefined, 'team:read'],
    ['POST', '/v1/team/invites', { email: 'intruder@example.com' }, 'team:write'],
    ['GET', `/v1/team/invites/${inv.id}`, undefined, 'team:read'],
    ['DELETE', `/v1/team/invites/${inv.id}`, undefined, 'team:write'],
    ['POST', `/v1/team/invites/${inv.id}/resend`, undefined, 'team:write'],
  ];
  const itemRoutes = () => routes().filter(([, p]) => p.includes(mem.id) || p.includes(inv.id));

  it('negative: no key is 401 on every keyed route; nothing changes, nothing is mailed', async () => {
    const sent = sink.messages.length;
    await assertNoChange(srv, async () => {
      for (const [method, path, body] of routes()) {
        assertUnauthorized(await api(method, path, { body }), 'missing_credentials', { presented: false });
      }
    }, { authFailure: true });
    assert.equal(sink.messages.length, sent);
  });

  it('negative: a well-formed unknown key is 401 invalid_key on every keyed route', async () => {
    const bogus = makeKey();
    await assertNoChange(srv, async () => {
      for (const [method, path, body] of routes()) {
        assertUnauthorized(await api(method, path, { key: bogus, body }), 'invalid_key');
      }
    }, { authFailure: true });
  });

  it('negative: a key without team scopes is 403 naming the route\'s scope', async () => {
    await assertNoChange(srv, async () => {
      for (const [method, path, body, scope] of routes()) {
        assertForbidden(await api(method, path, { key: monitorsOnly, body }), scope);
      }
    }, { authFailure: true });
  });

  it('negative: team:read cannot write and team:write cannot read', async () => {
    await assertNoChange(srv, async () => {
      for (const [method, path, body, scope] of routes()) {
        const key = scope === 'team:write' ? reader : writer;
        assertForbidden(await api(method, path, { key, body }), scope);
      }
    }, { authFailure: true });
  });

  it('negative: another team\'s member or invitation is 404 on every route, like an id that does not exist', async () => {
    const strip = ({ requestId, ...rest }) => rest;
    await assertNoChange(srv, async () => {
      for (const [method, path, body] of itemRoutes()) {
        const theirs = await api(method, path, { key: otherKey, body });
        assertProblem(theirs, 404, 'not_found');
        const ghost = await api(method, path.replace(mem.id, GHOST_MEM).replace(inv.id, GHOST_INV), { key: admin, body });
        assertProblem(ghost, 404, 'not_found');
        assert.deepEqual(strip(theirs.json), strip(ghost.json), `${method} ${path}`);
        const malformed = path.replace(mem.id, 'mem_bad!').replace(inv.id, 'inv_1');
        assertProblem(await api(method, malformed, { key: admin, body }), 404, 'not_found');
      }
    });
    assert.equal((await getInvite(inv.id)).status, 'pending');
    assert.equal((await getMember(mem.id)).role, 'member');
  });

  it('writes are audited with their targets; an accept is on the inviting team\'s trail', async () => {
    const i = await invite('audited@example.com');
    assertOk(await api('POST', `/v1/team/invites/${i.id}/resend`, { key: admin }));
    assert.equal((await api('DELETE', `/v1/team/invites/${i.id}`, { key: admin })).status, 204);
    const j = await invite('audited2@example.com');
    const m = assertOk(await accept(OK_ADDR, { body: { token: tokenOf(j), name: 'Audited' } }), 201);
    assertOk(await api('PATCH', `/v1/team/members/${m.id}`, { key: admin, body: { role: 'viewer' } }));
    assert.equal((await api('DELETE', `/v1/team/members/${m.id}`, { key: admin })).status, 204);
    assertOk(await api('PATCH', '/v1/team', { key: admin, body: { name: 'Acme' } }));
    const ev = assertOk(await api('GET', '/v1/audit-events?perPage=200', { key: admin }));
    const of = (id) => ev.filter((e) => e.targetId === id).map((e) => e.action).sort();
    assert.deepEqual(of(i.id), ['invite.created', 'invite.resent', 'invite.revoked']);
    assert.deepEqual(of(j.id), ['invite.created']);
    assert.deepEqual(of(m.id), ['invite.accepted', 'member.removed', 'member.updated']);
    const acc = ev.find((e) => e.action === 'invite.accepted' && e.targetId === m.id);
    assert.equal(acc.keyId, null);
    assert.equal(acc.status, 201);
    assert.equal(acc.ip, OK_ADDR);
    assert.ok(of(team).includes('team.updated'));
    const theirs = assertOk(await api('GET', '/v1/audit-events?perPage=200', { key: otherKey }));
    assert.ok(!theirs.some((e) => e.targetId === m.id), 'the other team does not see it');
  });
});
