// Roles that mean something, one rule for people and keys (docs/console.md,
// "Roles"): a key's holder, the scopes a key may use under its holder's
// current role, who may invite, promote, demote or remove whom, a removed
// member's keys, and the member or key each audit event names.  Members
// join through invitations accepted in the console; their keys are made
// in the console, so that each key has the member who made it as holder.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ALL_SCOPES } from './lib/harness.mjs';
import { assertOk, assertProblem, assertForbidden, show } from './lib/checks.mjs';

const PW = 'correct horse battery';
let srv, api, teamId, ownerKey, ownerId;

function form(path, fields, cookie) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (cookie) headers.cookie = cookie;
  return api('POST', path, { rawBody: new URLSearchParams(fields).toString(), headers });
}
const get = (path, cookie) => api('GET', path, { headers: cookie ? { cookie } : {} });
const csrfOf = (html) => /name="csrf" value="([^"]+)"/.exec(html)?.[1];
const tokenOf = (link) => new URL(link).hash.replace(/^#token=/, '');

// A member of role, in through an invitation (made with key) accepted in
// the console: its id and its session cookie.
async function join(email, role, key = ownerKey) {
  const inv = await api('POST', '/v1/team/invites', { key, body: { email, role } });
  assert.equal(inv.status, 201, show(inv));
  const res = await form('/app/accept', { token: tokenOf(inv.json.data.acceptUrl), name: `A ${role}`, password: PW });
  assert.equal(res.status, 303, res.text);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  const me = (await api('GET', '/v1/team/members', { key: ownerKey })).json.data.find((m) => m.email === email);
  return { id: me.id, cookie };
}

// A key made in the console by the member signed in with cookie.
async function consoleKey(cookie, name, scopes = ALL_SCOPES) {
  const csrf = csrfOf((await get('/app', cookie)).text);
  const res = await form('/app/api-keys', [['name', name], ...scopes.map((s) => ['scope', s]), ['csrf', csrf]], cookie);
  assert.equal(res.status, 200, res.text);
  const secret = /id="secret">(uptime_[0-9A-Za-z]{38})</.exec(res.text)?.[1];
  assert.ok(secret, 'the secret on the page');
  return secret;
}

// The data, for "a refusal changed nothing" (the trail records it).
const picture = () => srv.snapshot({ exclude: ['audit_events', 'sessions'] });

// The newest audit event of the team.
async function lastEvent() {
  return assertOk(await api('GET', '/v1/audit-events?perPage=1', { key: ownerKey }))[0];
}

before(async () => {
  srv = await startServer({ env: { UPTIME_LOGIN_LIMIT: '1000' } });
  api = srv.api;
  const r = await srv.admin('team', 'create', 'Roles team', '--owner', 'owner@example.com');
  assert.equal(r.code, 0, r.stderr);
  teamId = r.stdout.trim();
  ownerKey = await srv.createKey(teamId, { name: 'made with uptime-admin' });
  ownerId = assertOk(await api('GET', '/v1/team/members?role=owner', { key: ownerKey }))[0].id;
});
after(async () => { await srv?.stop(); });

describe('a key\'s holder', () => {
  it('a key made in the console is held by its maker; keys it makes through the API inherit the holder; uptime-admin\'s have none', async () => {
    const admin = await join('holder@example.com', 'admin');
    const k = await consoleKey(admin.cookie, 'console key');
    const me = await srv.whoami(k);
    assert.equal(me.holderMemberId, admin.id);
    assert.equal(me.createdByMemberId, admin.id);
    assert.equal(me.createdByKeyId, null);

    const child = assertOk(await api('POST', '/v1/api-keys', { key: k, body: { name: 'child', scopes: ['monitors:read', 'api-keys:write'] } }), 201);
    assert.equal(child.holderMemberId, admin.id);
    assert.equal(child.createdByKeyId, me.id);
    assert.equal(child.createdByMemberId, null);
    const grandchild = assertOk(await api('POST', '/v1/api-keys', { key: child.key, body: { name: 'grandchild', scopes: ['monitors:read'] } }), 201);
    assert.equal(grandchild.holderMemberId, admin.id);
    assert.equal(assertOk(await api('GET', `/v1/api-keys/${grandchild.id}`, { key: ownerKey })).holderMemberId, admin.id);

    const mine = await srv.whoami(ownerKey);
    assert.equal(mine.holderMemberId, null);
    assert.equal(mine.createdByMemberId, null);
  });
});

describe('who may give and change which role', () => {
  let admin, adminKey, member;
  before(async () => {
    admin = await join('admin@example.com', 'admin');
    adminKey = await consoleKey(admin.cookie, 'admin key');
    member = await join('member@example.com', 'member');
  });

  it('negative: a key held by an admin cannot invite an owner (403 escalation_refused); nothing changes; it may invite up to admin, an owner\'s key an owner', async () => {
    const before = picture();
    const res = await api('POST', '/v1/team/invites', { key: adminKey, body: { email: 'new-owner@example.com', role: 'owner' } });
    assertProblem(res, 403, 'escalation_refused');
    assert.match(res.json.detail, /\(admin\) cannot give the owner role/);
    assert.equal(res.headers.get('www-authenticate'), null);
    assert.deepEqual(picture(), before);
    const ev = await lastEvent();
    assert.equal(ev.action, 'auth.forbidden');
    assert.equal(ev.status, 403);
    assert.equal(ev.memberId, admin.id);

    assertOk(await api('POST', '/v1/team/invites', { key: adminKey, body: { email: 'new-admin@example.com', role: 'admin' } }), 201);
    assertOk(await api('POST', '/v1/team/invites', { key: ownerKey, body: { email: 'new-owner@example.com', role: 'owner' } }), 201);
  });

  it('negative: resending an invitation to the owner role with an admin\'s key is 403 escalation_refused; the token still works; an owner\'s key resends it', async () => {
    const inv = assertOk(await api('GET', '/v1/team/invites', { key: ownerKey })).find((i) => i.email === 'new-owner@example.com');
    const before = picture();
    assertProblem(await api('POST', `/v1/team/invites/${inv.id}/resend`, { key: adminKey }), 403, 'escalation_refused');
    assert.deepEqual(picture(), before);
    assertOk(await api('POST', `/v1/team/invites/${inv.id}/resend`, { key: ownerKey }));
  });

  it('negative: a key held by an admin cannot demote, rename or remove an owner (403 outranked), nor promote anyone to owner (403 escalation_refused); nothing changes', async () => {
    const before = picture();
    for (const body of [{ role: 'member' }, { role: 'owner' }, { name: 'Renamed' }]) {
      const res = await api('PATCH', `/v1/team/members/${ownerId}`, { key: adminKey, body });
      assertProblem(res, 403, 'outranked');
      assert.match(res.json.detail, /role \(owner\) is above the role this request acts with \(admin\)/);
    }
    assertProblem(await api('DELETE', `/v1/team/members/${ownerId}`, { key: adminKey }), 403, 'outranked');
    assertProblem(await api('PATCH', `/v1/team/members/${member.id}`, { key: adminKey, body: { role: 'owner' } }), 403, 'escalation_refused');
    assertProblem(await api('PATCH', `/v1/team/members/${admin.id}`, { key: adminKey, body: { role: 'owner' } }), 403, 'escalation_refused');
    assert.deepEqual(picture(), before);
    const ev = await lastEvent();
    assert.deepEqual([ev.action, ev.status, ev.memberId, ev.targetId], ['auth.forbidden', 403, admin.id, admin.id]);
  });

  it('an admin\'s key changes roles up to admin and members below; an owner\'s key changes owners', async () => {
    assert.equal(assertOk(await api('PATCH', `/v1/team/members/${member.id}`, { key: adminKey, body: { role: 'admin' } })).role, 'admin');
    assert.equal(assertOk(await api('PATCH', `/v1/team/members/${member.id}`, { key: adminKey, body: { role: 'viewer', name: 'Vee' } })).role, 'viewer');
    assert.equal(assertOk(await api('PATCH', `/v1/team/members/${member.id}`, { key: ownerKey, body: { role: 'owner' } })).role, 'owner');
    assertProblem(await api('DELETE', `/v1/team/members/${member.id}`, { key: adminKey }), 403, 'outranked');
    assert.equal(assertOk(await api('PATCH', `/v1/team/members/${member.id}`, { key: ownerKey, body: { role: 'member' } })).role, 'member');
  });
});

describe('one rule for people and keys', () => {
  it('negative: a demoted holder\'s key loses at once what the new role lacks, as the person does; promoted again, it has it back', async () => {
    const p = await join('demoted@example.com', 'admin');
    const k = await consoleKey(p.cookie, 'before the demotion');
    assertOk(await api('GET', '/v1/api-keys', { key: k }));
    assertOk(await api('PATCH', `/v1/team/members/${p.id}`, { key: ownerKey, body: { role: 'member' } }));

    const before = picture();
    for (const [method, path, scope, body] of [
      ['GET', '/v1/api-keys', 'api-keys:read'],
      ['POST', '/v1/api-keys', 'api-keys:write', { name: 'wider', scopes: ['monitors:read'] }],
      ['POST', '/v1/team/invites', 'team:write', { email: 'x@example.com', role: 'viewer' }],
      ['PATCH', `/v1/team/members/${p.id}`, 'team:write', { role: 'admin' }],
    ]) {
      const res = await api(method, path, { key: k, body });
      assertForbidden(res, scope);
      assert.match(res.json.detail, /the role of the member who holds the key \(member\) does not grant it/);
    }
    assert.deepEqual(picture(), before);
    assertOk(await api('GET', '/v1/monitors', { key: k }));
    assert.deepEqual((await srv.whoami(k)).scopes, ALL_SCOPES, 'the key keeps its scopes');
    // The person, too.
    assertProblem(await get('/app/api-keys', p.cookie), 403, 'insufficient_scope');

    assertOk(await api('PATCH', `/v1/team/members/${p.id}`, { key: ownerKey, body: { role: 'viewer' } }));
    assertOk(await api('GET', '/v1/team', { key: k }));
    assertForbidden(await api('POST', '/v1/monitors', { key: k, body: { name: 'm', url: 'https://example.com' } }), 'monitors:write');

    assertOk(await api('PATCH', `/v1/team/members/${p.id}`, { key: ownerKey, body: { role: 'admin' } }));
    assertOk(await api('GET', '/v1/api-keys', { key: k }));
  });

  it('removing a member revokes the keys it holds, those its keys made too, and ends its sessions: they answer 401', async () => {
    const p = await join('removed@example.com', 'admin');
    const k = await consoleKey(p.cookie, 'of a removed member');
    const child = assertOk(await api('POST', '/v1/api-keys', { key: k, body: { name: 'its child', scopes: ['monitors:read'] } }), 201);
    const other = await consoleKey((await join('stays@example.com', 'admin')).cookie, 'of a member who stays');

    const del = await api('DELETE', `/v1/team/members/${p.id}`, { key: ownerKey });
    assert.equal(del.status, 204, show(del));
    for (const key of [k, child.key]) {
      const res = await api('GET', '/v1/api-keys/current', { key });
      assertProblem(res, 401, 'invalid_key');
      assert.match(res.json.detail, /revoked/);
    }
    const revoked = assertOk(await api('GET', '/v1/api-keys?status=revoked', { key: ownerKey }));
    for (const id of [(await srv.sql(`SELECT id FROM api_keys WHERE name = 'of a removed member'`))[0].id, child.id]) {
      assert.ok(revoked.some((r) => r.id === id && r.revokedAt !== null), `${id} is listed as revoked`);
    }
    assert.equal((await get('/app', p.cookie)).status, 303, 'the session ended');
    assertOk(await api('GET', '/v1/api-keys/current', { key: other }));
  });

  it('negative: a key whose holder is no longer a member answers 401 even when it was not revoked', async () => {
    const p = await join('vanished@example.com', 'admin');
    const k = await consoleKey(p.cookie, 'holder vanished');
    srv.sqlWrite(`DELETE FROM members WHERE id = '${p.id}'`);
    const res = await api('GET', '/v1/api-keys/current', { key: k });
    assertProblem(res, 401, 'invalid_key');
    assert.match(res.json.detail, /holder is no longer a member/);
    assertProblem(await api('POST', '/v1/api-keys', { key: k, body: { name: 'x', scopes: ['monitors:read'] } }), 401, 'invalid_key');
  });
});

describe('the audit trail names who acted', () => {
  let admin, adminKey, adminKeyId;
  before(async () => {
    admin = await join('audited@example.com', 'admin');
    adminKey = await consoleKey(admin.cookie, 'audited key');
    adminKeyId = (await srv.whoami(adminKey)).id;
  });

  it('a key\'s events name the key and its holder, a console form\'s the member signed in, uptime-admin\'s key no member; memberId and keyId filter', async () => {
    assertOk(await api('PATCH', '/v1/team', { key: adminKey, body: { name: 'Renamed by a key' } }));
    let ev = await lastEvent();
    assert.deepEqual([ev.action, ev.keyId, ev.memberId], ['team.updated', adminKeyId, admin.id]);

    assertOk(await api('PATCH', '/v1/team', { key: ownerKey, body: { name: 'Renamed by the owner key' } }));
    ev = await lastEvent();
    assert.deepEqual([ev.action, ev.keyId, ev.memberId], ['team.updated', (await srv.whoami(ownerKey)).id, null]);

    await consoleKey(admin.cookie, 'made in a session');
    ev = await lastEvent();
    assert.deepEqual([ev.action, ev.keyId, ev.keyPrefix, ev.memberId], ['api_key.created', null, null, admin.id]);

    const viewer = await join('audited-viewer@example.com', 'viewer');
    assertProblem(await get('/app/api-keys', viewer.cookie), 403, 'insufficient_scope');
    ev = await lastEvent();
    assert.deepEqual([ev.action, ev.status, ev.memberId], ['auth.forbidden', 403, viewer.id]);

    const inv = assertOk(await api('POST', '/v1/team/invites', { key: ownerKey, body: { email: 'api-accept@example.com', role: 'viewer' } }), 201);
    const joined = assertOk(await api('POST', '/v1/invites/accept', { body: { token: tokenOf(inv.acceptUrl), name: 'Through the API' } }), 201);
    ev = await lastEvent();
    assert.deepEqual([ev.action, ev.keyId, ev.memberId, ev.targetId], ['invite.accepted', null, joined.id, joined.id]);

    const byMember = assertOk(await api('GET', `/v1/audit-events?memberId=${admin.id}`, { key: ownerKey }));
    assert.ok(byMember.length >= 3, JSON.stringify(byMember));
    assert.ok(byMember.every((e) => e.memberId === admin.id));
    assert.ok(byMember.some((e) => e.keyId === adminKeyId) && byMember.some((e) => e.keyId === null), 'the key\'s and the session\'s');
    const both = assertOk(await api('GET', `/v1/audit-events?memberId=${admin.id}&keyId=${adminKeyId}`, { key: ownerKey }));
    assert.ok(both.length >= 1 && both.every((e) => e.keyId === adminKeyId && e.memberId === admin.id));
    assert.deepEqual(assertOk(await api('GET', `/v1/audit-events?memberId=${viewer.id}&action=team.updated`, { key: ownerKey })), []);
  });

  it('negative: a memberId that is not a member id is 400 bad_query; one no member has lists nothing', async () => {
    assert.deepEqual(assertOk(await api('GET', '/v1/audit-events?memberId=mem_00000000000000000000', { key: ownerKey })), []);
    for (const q of ['memberId=', 'memberId=nope', `memberId=${adminKeyId}`, 'memberId=mem_short']) {
      assertProblem(await api('GET', `/v1/audit-events?${q}`, { key: ownerKey }), 400, 'bad_query');
    }
  });
});
