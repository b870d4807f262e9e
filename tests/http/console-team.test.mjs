// The console's team pages (docs/console.md) through lighttpd: members
// and their roles, invitations, API keys (expiry, rotate, who made
// them), the audit log and forgot password, with the SMTP sink of
// lib/smtp.mjs; every form's refusals with nothing changed; and the
// pages in headless Chromium at 375 px.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer } from './lib/harness.mjs';
import { startBrowser } from './lib/browser.mjs';
import { startSmtpSink } from './lib/smtp.mjs';

let srv, sink, api, teamId, adminKey, otherTeam;
const PW = 'correct horse battery';
const FORM = 'application/x-www-form-urlencoded';

function form(path, fields, { cookie, origin } = {}) {
  const headers = { 'content-type': FORM };
  if (cookie) headers.cookie = cookie;
  if (origin !== undefined) headers.origin = origin;
  return api('POST', path, { rawBody: new URLSearchParams(fields).toString(), headers });
}
const get = (path, cookie) => api('GET', path, { headers: cookie ? { cookie } : {} });
const cookieOf = (res) => res.headers.get('set-cookie').split(';')[0];
const csrfOf = (html) => /name="csrf" value="([^"]+)"/.exec(html)?.[1];
const tokenOf = (link) => new URL(link).hash.replace(/^#token=/, '');
const secretOf = (html) => /id="secret">(uptime_[0-9A-Za-z]{38})</.exec(html)?.[1];
const linkOf = (html) => /id="invite-link">([^<]+)</.exec(html)?.[1];
function assertProblem(res, status, code) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json?.code, code, res.text);
}
// What the team's forms change; the audit trail and sessions are left
// out (refusals are on record, pages touch their session).
function state() {
  const s = srv.snapshot();
  return { members: s.members, invites: s.invites, api_keys: s.api_keys, password_links: s.password_links };
}
const memberId = (email) => srv.sql(`SELECT id FROM members WHERE email = '${email}' AND team_id = '${teamId}'`)[0].id;
const roleOf = (email) => srv.sql(`SELECT role FROM members WHERE email = '${email}' AND team_id = '${teamId}'`)[0]?.role;

// A member of the team through an invitation accepted in the console,
// signed in: { cookie, csrf }.
async function join(email, role) {
  const inv = await api('POST', '/v1/team/invites', { key: adminKey, body: { email, role } });
  assert.equal(inv.status, 201, inv.text);
  const res = await form('/app/accept', { token: tokenOf(inv.json.data.acceptUrl), name: `${role} ${email.split('@')[0]}`, password: PW });
  assert.equal(res.status, 303, res.text);
  const cookie = cookieOf(res);
  return { cookie, csrf: csrfOf((await get('/app', cookie)).text) };
}

let owner, admin, member, viewer;

before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ env: { UPTIME_SMTP_URL: sink.url, UPTIME_LOGIN_LIMIT: '1000' } });
  api = srv.api;
  const r = await srv.admin('team', 'create', 'Team pages', '--owner', 'owner@example.com', '--owner-name', 'Olive Owner');
  assert.equal(r.code, 0, r.stderr);
  teamId = r.stdout.trim();
  const link = /(http\S+\/app\/password#token=\S+)/.exec(r.stderr)[1];
  const res = await form('/app/password', { token: tokenOf(link), password: PW });
  assert.equal(res.status, 303, res.text);
  owner = { cookie: cookieOf(res) };
  owner.csrf = csrfOf((await get('/app', owner.cookie)).text);
  adminKey = await srv.createKey(teamId);
  admin = await join('admin@example.com', 'admin');
  member = await join('member@example.com', 'member');
  viewer = await join('viewer@example.com', 'viewer');
  const o = await srv.admin('team', 'create', 'Other team', '--owner', 'stranger@example.com');
  otherTeam = o.stdout.trim();
});
after(async () => { await srv?.stop(); await sink?.close(); });

describe('the team page', () => {
  it('lists the members with their roles; the owner gets every form, an admin none on the owner', async () => {
    const page = await get('/app/team', owner.cookie);
    assert.equal(page.status, 200, page.text);
    for (const who of ['Olive Owner (you)', 'admin@example.com', 'member@example.com', 'viewer@example.com']) assert.ok(page.text.includes(who), who);
    const oid = memberId('owner@example.com');
    assert.match(page.text, new RegExp(`action="[^"]*/app/team/members/${oid}/role"`));
    assert.match(page.text, /<option>owner<\/option>/);
    const asAdmin = (await get('/app/team', admin.cookie)).text;
    assert.doesNotMatch(asAdmin, new RegExp(`/app/team/members/${oid}/`), 'no form on the owner');
    assert.doesNotMatch(asAdmin, /<option[^>]*>owner<\/option>/, 'an admin cannot give owner');
    assert.match(asAdmin, /action="[^"]*\/app\/team\/invites"/);
  });

  it('invites by email and role: the link is shown once and mailed, and opens /app/accept', async () => {
    const sent = sink.messages.length;
    const res = await form('/app/team/invites', { email: 'New.Person@Example.com', role: 'member', csrf: admin.csrf }, { cookie: admin.cookie });
    assert.equal(res.status, 200, res.text);
    const link = linkOf(res.text);
    assert.match(link, /\/app\/accept#token=[0-9A-Za-z]{32}$/);
    assert.match(res.text, /mailed to them too/);
    await sink.waitFor(sent + 1);
    assert.ok(sink.messages.at(-1).rcpt.includes('new.person@example.com'));
    const inv = srv.sql("SELECT role, created_by_key_id AS k FROM invites WHERE email = 'new.person@example.com'")[0];
    assert.deepEqual({ ...inv }, { role: 'member', k: null });
    assert.ok(!(await get('/app/team', admin.cookie)).text.includes(tokenOf(link)), 'the link is shown once');
    const ev = srv.sql("SELECT member_id AS m FROM audit_events WHERE action = 'invite.created' ORDER BY at DESC LIMIT 1")[0];
    assert.equal(ev.m, memberId('admin@example.com'));
    const accept = await form('/app/accept', { token: tokenOf(link), name: 'New Person', password: PW });
    assert.equal(accept.status, 303, accept.text);
    assert.equal(roleOf('new.person@example.com'), 'member');
  });

  it('negative: a bad address or role, a member or a pending address re-shows the form with errors beside the fields and invites no one', async () => {
    await form('/app/team/invites', { email: 'pending@example.com', role: 'viewer', csrf: owner.csrf }, { cookie: owner.cookie });
    const before = state();
    for (const [f, field] of [
      [{ email: 'not an address', role: 'member' }, 'email'],
      [{ role: 'member' }, 'email'],
      [{ email: 'x@example.com', role: 'root' }, 'role'],
      [{ email: 'x@example.com' }, 'role'],
      [{ email: 'member@example.com', role: 'member' }, 'email'],
      [{ email: 'pending@example.com', role: 'member' }, 'email'],
    ]) {
      const res = await form('/app/team/invites', { ...f, csrf: owner.csrf }, { cookie: owner.cookie });
      assert.equal(res.status, 422, `${JSON.stringify(f)}: ${res.text}`);
      assert.match(res.text, new RegExp(`aria-describedby="${field}-error"`), JSON.stringify(f));
      assert.match(res.text, new RegExp(`<p class="error" id="${field}-error">`));
    }
    assert.deepEqual(state(), before);
  });

  it('negative: an admin cannot invite or promote an owner, nor change or remove one (403, nothing changed); a member has no team:write', async () => {
    const before = state();
    const oid = memberId('owner@example.com');
    const mid = memberId('member@example.com');
    assertProblem(await form('/app/team/invites', { email: 'boss@example.com', role: 'owner', csrf: admin.csrf }, { cookie: admin.cookie }), 403, 'escalation_refused');
    assertProblem(await form(`/app/team/members/${mid}/role`, { role: 'owner', csrf: admin.csrf }, { cookie: admin.cookie }), 403, 'escalation_refused');
    assertProblem(await form(`/app/team/members/${oid}/role`, { role: 'viewer', csrf: admin.csrf }, { cookie: admin.cookie }), 403, 'outranked');
    assertProblem(await form(`/app/team/members/${oid}/remove`, { csrf: admin.csrf }, { cookie: admin.cookie }), 403, 'outranked');
    for (const path of ['/app/team/invites', `/app/team/members/${mid}/role`, `/app/team/members/${mid}/remove`]) {
      assertProblem(await form(path, { email: 'm@example.com', role: 'viewer', csrf: member.csrf }, { cookie: member.cookie }), 403, 'insufficient_scope');
      assertProblem(await form(path, { email: 'v@example.com', role: 'viewer', csrf: viewer.csrf }, { cookie: viewer.cookie }), 403, 'insufficient_scope');
    }
    assert.deepEqual(state(), before);
  });

  it('negative: the last owner can be neither demoted nor removed (422, nothing changed); a bad role is 422', async () => {
    const before = state();
    const oid = memberId('owner@example.com');
    for (const [path, f] of [[`/app/team/members/${oid}/role`, { role: 'admin' }], [`/app/team/members/${oid}/remove`, {}],
      [`/app/team/members/${memberId('member@example.com')}/role`, { role: 'god' }]]) {
      const res = await form(path, { ...f, csrf: owner.csrf }, { cookie: owner.cookie });
      assert.equal(res.status, 422, res.text);
      assert.match(res.text, /role="alert"/);
    }
    assert.deepEqual(state(), before);
  });

  it('negative: without a session, without the CSRF token, from another Origin, another team\'s or unknown ids: refused, nothing changed', async () => {
    const before = state();
    const mid = memberId('member@example.com');
    const inv = srv.sql("SELECT id FROM invites WHERE email = 'pending@example.com'")[0].id;
    const stranger = srv.sql(`SELECT id FROM members WHERE team_id = '${otherTeam}'`)[0].id;
    const posts = [['/app/team/invites', { email: 'z@example.com', role: 'viewer' }], [`/app/team/members/${mid}/role`, { role: 'viewer' }],
      [`/app/team/members/${mid}/remove`, {}], [`/app/team/invites/${inv}/revoke`, {}], [`/app/team/invites/${inv}/resend`, {}]];
    for (const [path, f] of posts) {
      assertProblem(await form(path, { ...f, csrf: owner.csrf }), 401, 'session_required');
      assertProblem(await form(path, f, { cookie: owner.cookie }), 403, 'bad_csrf');
      assertProblem(await form(path, { ...f, csrf: admin.csrf }, { cookie: owner.cookie }), 403, 'bad_csrf');
      assertProblem(await form(path, { ...f, csrf: owner.csrf }, { cookie: owner.cookie, origin: 'https://evil.example' }), 403, 'bad_origin');
    }
    for (const path of [`/app/team/members/${stranger}/role`, `/app/team/members/${stranger}/remove`, '/app/team/members/mem_00000000000000000000/remove',
      '/app/team/invites/inv_00000000000000000000/revoke', '/app/team/invites/inv_00000000000000000000/resend'])
      assertProblem(await form(path, { role: 'viewer', csrf: owner.csrf }, { cookie: owner.cookie }), 404, 'not_found');
    assert.deepEqual(state(), before);
    const page = await get('/app/team');
    assert.equal(page.status, 303);
    assert.match(page.headers.get('location'), /\/app\/login$/);
  });

  it('resend gives a new link (the old one stops working); revoke ends it; an accepted one cannot be revoked', async () => {
    const inv = srv.sql("SELECT id FROM invites WHERE email = 'pending@example.com'")[0].id;
    const first = await form('/app/team/invites', { email: 'resend@example.com', role: 'viewer', csrf: owner.csrf }, { cookie: owner.cookie });
    const rid = srv.sql("SELECT id FROM invites WHERE email = 'resend@example.com'")[0].id;
    const again = await form(`/app/team/invites/${rid}/resend`, { csrf: owner.csrf }, { cookie: owner.cookie });
    assert.equal(again.status, 200, again.text);
    assert.notEqual(linkOf(again.text), linkOf(first.text));
    assert.equal((await form('/app/accept', { token: tokenOf(linkOf(first.text)), name: 'R', password: PW })).status, 422);
    const rev = await form(`/app/team/invites/${inv}/revoke`, { csrf: owner.csrf }, { cookie: owner.cookie });
    assert.equal(rev.status, 303);
    assert.ok(srv.sql(`SELECT revoked_at FROM invites WHERE id = '${inv}'`)[0].revoked_at);
    const accepted = srv.sql("SELECT id FROM invites WHERE email = 'member@example.com'")[0].id;
    const before = state();
    const res = await form(`/app/team/invites/${accepted}/revoke`, { csrf: owner.csrf }, { cookie: owner.cookie });
    assert.equal(res.status, 422);
    assert.equal((await form(`/app/team/invites/${accepted}/resend`, { csrf: owner.csrf }, { cookie: owner.cookie })).status, 422);
    assert.deepEqual(state(), before);
  });

  it('changes a role; removing a member ends their sessions and revokes the keys they hold', async () => {
    const gone = await join('leaver@example.com', 'admin');
    const made = await form('/app/api-keys', { name: 'leaver key', scope: 'monitors:read', csrf: gone.csrf }, { cookie: gone.cookie });
    const secret = secretOf(made.text);
    assert.equal((await api('GET', '/v1/api-keys/current', { key: secret })).status, 200);
    const lid = memberId('leaver@example.com');
    const res = await form(`/app/team/members/${lid}/role`, { role: 'member', csrf: owner.csrf }, { cookie: owner.cookie });
    assert.equal(res.status, 303, res.text);
    assert.equal(roleOf('leaver@example.com'), 'member');
    const rm = await form(`/app/team/members/${lid}/remove`, { csrf: owner.csrf }, { cookie: owner.cookie });
    assert.equal(rm.status, 303, rm.text);
    assert.equal(roleOf('leaver@example.com'), undefined);
    assert.equal((await api('GET', '/v1/api-keys/current', { key: secret })).status, 401);
    assert.equal((await get('/app', gone.cookie)).status, 303);
    assert.ok(srv.sql("SELECT revoked_at FROM api_keys WHERE name = 'leaver key'")[0].revoked_at);
  });
});

describe('the API keys page', () => {
  it('lists who made each key, last use and expiry; makes a key with an expiry', async () => {
    const day = new Date(Date.now() + 10 * 86400000).toISOString().slice(0, 10);
    const res = await form('/app/api-keys', { name: 'expiring', scope: 'monitors:read', expires: day, csrf: owner.csrf }, { cookie: owner.cookie });
    assert.equal(res.status, 200, res.text);
    const me = await srv.whoami(secretOf(res.text));
    assert.equal(me.expiresAt, `${day}T00:00:00.000Z`);
    assert.match(res.text, /data-copy="secret" hidden>Copy<\/button>/);
    const page = (await get('/app/api-keys', owner.cookie)).text;
    assert.match(page, /<th scope="col">Created by<\/th>/);
    assert.match(page, new RegExp(`expiring</td>.*?Olive Owner</td><td><time[^<]*</time></td><td><time datetime="${day}T00:00:00.000Z">${day} 00:00</time>`));
    assert.match(page, /test key<\/td>.*?uptime-admin<\/td>/);
  });

  it('negative: an expiry that is not a date after today re-shows the form and saves nothing', async () => {
    const before = state();
    for (const expires of ['2020-01-01', 'tomorrow', '2030-13-01', '2030-1-1']) {
      const res = await form('/app/api-keys', { name: 'x', scope: 'monitors:read', expires, csrf: owner.csrf }, { cookie: owner.cookie });
      assert.equal(res.status, 422, `${expires}: ${res.text}`);
      assert.match(res.text, /role="alert">The expiry/);
      assert.match(res.text, new RegExp(`value="${expires}"`));
    }
    assert.deepEqual(state(), before);
  });

  it('rotates a key: a new secret shown once, the old one 401; refusals change nothing', async () => {
    const made = await form('/app/api-keys', { name: 'to rotate', scope: 'monitors:read', csrf: owner.csrf }, { cookie: owner.cookie });
    const old = secretOf(made.text);
    const id = (await srv.whoami(old)).id;
    const strangerKey = await srv.createKey(otherTeam);
    const sid = (await srv.whoami(strangerKey)).id;
    const before = state();
    assertProblem(await form(`/app/api-keys/${id}/rotate`, {}, { cookie: owner.cookie }), 403, 'bad_csrf');
    assertProblem(await form(`/app/api-keys/${id}/rotate`, { csrf: owner.csrf }), 401, 'session_required');
    assertProblem(await form(`/app/api-keys/${id}/rotate`, { csrf: owner.csrf }, { cookie: owner.cookie, origin: 'https://evil.example' }), 403, 'bad_origin');
    assertProblem(await form(`/app/api-keys/${id}/rotate`, { csrf: member.csrf }, { cookie: member.cookie }), 403, 'insufficient_scope');
    assertProblem(await form(`/app/api-keys/${sid}/rotate`, { csrf: owner.csrf }, { cookie: owner.cookie }), 404, 'not_found');
    assertProblem(await form(`/app/api-keys/${sid}/revoke`, { csrf: owner.csrf }, { cookie: owner.cookie }), 404, 'not_found');
    assert.deepEqual(state(), before);
    const res = await form(`/app/api-keys/${id}/rotate`, { csrf: owner.csrf }, { cookie: owner.cookie });
    assert.equal(res.status, 200, res.text);
    const fresh = secretOf(res.text);
    assert.notEqual(fresh, old);
    assert.equal((await api('GET', '/v1/api-keys/current', { key: old })).status, 401);
    assert.equal((await api('GET', '/v1/api-keys/current', { key: fresh })).status, 200);
    await form(`/app/api-keys/${id}/revoke`, { csrf: owner.csrf }, { cookie: owner.cookie });
    const again = await form(`/app/api-keys/${id}/rotate`, { csrf: owner.csrf }, { cookie: owner.cookie });
    assert.equal(again.status, 422);
    assert.match(again.text, /this one is revoked/);
    assert.equal((await api('GET', '/v1/api-keys/current', { key: fresh })).status, 401);
  });
});

describe('the audit log', () => {
  it('shows who did what, filtered by member, key and action, paged', async () => {
    const page = await get('/app/audit', owner.cookie);
    assert.equal(page.status, 200, page.text);
    assert.match(page.text, /<option value="invite\.created">invite\.created<\/option>/);
    const aid = memberId('admin@example.com');
    const byAdmin = await get(`/app/audit?memberId=${aid}&keyId=any&action=invite.created`, owner.cookie);
    assert.equal(byAdmin.status, 200);
    const rows = [...byAdmin.text.matchAll(/<tr><td><time/g)].length;
    assert.equal(rows, Number(srv.sql(`SELECT count(*) AS n FROM audit_events WHERE member_id = '${aid}' AND action = 'invite.created'`)[0].n));
    assert.ok(rows >= 1);
    assert.doesNotMatch(byAdmin.text, /<td>api_key\.created<\/td>/);
    const key = (await srv.whoami(adminKey)).id;
    const byKey = await get(`/app/audit?keyId=${key}&memberId=any&action=any`, owner.cookie);
    assert.equal(byKey.status, 200);
    assert.match(byKey.text, /the key test key/);
    // Paged as the API: the next link carries the filter and the cursor.
    const first = await get('/app/audit?perPage=2&memberId=any', owner.cookie);
    const next = /<a rel="next" href="([^"]+)"/.exec(first.text)?.[1].replaceAll('&amp;', '&');
    assert.ok(next, 'a link to older events');
    const second = await get(next.replace(/^.*?\/app/, '/app') + '&perPage=2', owner.cookie);
    assert.equal(second.status, 200);
    const ids = (t) => [...t.matchAll(/<time datetime="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(ids(second.text).every((t) => t <= ids(first.text).at(-1)));
  });

  it('negative: a bad filter is 400 bad_query; a viewer or member is 403; signed out goes to sign in', async () => {
    for (const q of ['keyId=bad', 'memberId=key_00000000000000000000', 'action=Not%20one', 'colour=red', 'cursor=zzz'])
      assertProblem(await get(`/app/audit?${q}`, owner.cookie), 400, 'bad_query');
    assertProblem(await get('/app/audit', viewer.cookie), 403, 'insufficient_scope');
    assertProblem(await get('/app/audit', member.cookie), 403, 'insufficient_scope');
    assert.equal((await get('/app/audit')).status, 303);
  });
});

describe('forgot password', () => {
  it('mails a one-time link for a member; an unknown address gets the same page and no mail', async () => {
    const page = await get('/app/forgot');
    assert.equal(page.status, 200);
    assert.match(page.text, /<label for="email">/);
    assert.match((await get('/app/login')).text, /href="[^"]*\/app\/forgot"/);
    const sent = sink.messages.length;
    const known = await form('/app/forgot', { email: 'Viewer@Example.com' });
    assert.equal(known.status, 200, known.text);
    await sink.waitFor(sent + 1);
    const msg = sink.messages.at(-1);
    assert.ok(msg.rcpt.includes('viewer@example.com'));
    const link = /(http\S+\/app\/password#token=[A-Za-z0-9_-]{43})/.exec(msg.body)?.[1];
    assert.ok(link, msg.body);
    const unknown = await form('/app/forgot', { email: 'nobody@example.com' });
    assert.equal(unknown.status, 200);
    assert.equal(unknown.text, known.text, 'one answer whether or not the address is a member\'s');
    await sleep(200);
    assert.equal(sink.messages.length, sent + 1, 'no mail for an unknown address');
    const set = await form('/app/password', { token: tokenOf(link), password: 'a brand new password' });
    assert.equal(set.status, 303, set.text);
    assert.equal((await form('/app/password', { token: tokenOf(link), password: 'a brand new password' })).status, 422, 'it works once');
    assert.equal((await form('/app/login', { email: 'viewer@example.com', password: 'a brand new password' })).status, 303);
  });

  it("answers before mailing: a member's address is answered while the mail server has not even greeted", async () => {
    // Mailing first would show in the answer's time whether the address
    // is a member's.  While the mail server holds its greeting, a worker
    // that mailed first could only answer once its mail had failed; one
    // that answers first mails the link once the server greets.
    const sessions = sink.sessions;
    const sent = sink.messages.length;
    sink.hold(true);
    try {
      const answer = await form('/app/forgot', { email: 'member@example.com' });
      assert.equal(answer.status, 200, answer.text);
      for (let i = 0; i < 200 && sink.sessions === sessions; i++) await sleep(25);
      assert.equal(sink.sessions, sessions + 1, 'the worker went to mail the link');
    } finally {
      sink.hold(false);
    }
    const [msg] = (await sink.waitFor(sent + 1)).slice(-1);
    assert.ok(msg.rcpt.includes('member@example.com'), 'the mail went out after the answer');
    assert.match(msg.body, /\/app\/password#token=[A-Za-z0-9_-]{43}/);
  });

  it('negative: not an address is 422; another Origin is 403; neither mails nor makes a link', async () => {
    const before = state();
    const sent = sink.messages.length;
    for (const email of ['', 'nope']) {
      const res = await form('/app/forgot', { email });
      assert.equal(res.status, 422);
      assert.match(res.text, /<p class="error" id="email-error">/);
    }
    assertProblem(await form('/app/forgot', { email: 'owner@example.com' }, { origin: 'https://evil.example' }), 403, 'bad_origin');
    assert.deepEqual(state(), before);
    assert.equal(sink.messages.length, sent);
  });

  it('negative: throttled per address and per client as sign-in is (429 past UPTIME_LOGIN_LIMIT a minute)', async () => {
    const small = await startServer({ env: { UPTIME_SMTP_URL: sink.url, UPTIME_LOGIN_LIMIT: '2' } });
    try {
      const post = (email) => small.api('POST', '/app/forgot', { rawBody: new URLSearchParams({ email }).toString(), headers: { 'content-type': FORM } });
      for (let i = 0; i < 2; i++) assert.equal((await post('someone@example.com')).status, 200);
      const last = await post('someone@example.com');
      assertProblem(last, 429, 'rate_limited');
      assert.match(last.headers.get('retry-after'), /^\d+$/);
      assertProblem(await post('another@example.com'), 429, 'rate_limited');
    } finally {
      await small.stop();
    }
  });
});

describe('in a real browser (headless Chromium)', () => {
  let browser;
  const tabs = [];
  before(async () => { browser = await startBrowser(); });
  after(async () => { for (const t of tabs) await t.close(); await browser?.close(); });

  // A tab signed in as email at 375 px, on path.
  async function signedIn(email, password, path) {
    const tab = await browser.open(`${srv.baseUrl}/app/login`, { width: 375, height: 800, mobile: true });
    tabs.push(tab);
    if (!(await tab.eval('location.pathname.endsWith("/app/login")'))) {
      await tab.eval('document.querySelector("header form button").click()');
      await at(tab, '/app/login');
    }
    await tab.eval(`document.getElementById("email").value = ${JSON.stringify(email)}`);
    await tab.eval(`document.getElementById("password").value = ${JSON.stringify(password)}`);
    await tab.eval('document.querySelector("form.card button[type=submit]").click()');
    await at(tab, '/app');
    await go(tab, path);
    return tab;
  }
  async function at(tab, suffix) {
    for (let i = 0; i < 100; i++) {
      const [p, ready] = await tab.eval('[location.pathname, document.readyState]');
      if (p.endsWith(suffix) && ready === 'complete') return;
      await sleep(100);
    }
    assert.fail(`the browser never reached ${suffix}: ${await tab.eval('location.href')}`);
  }
  async function go(tab, path) {
    await tab.eval(`location.href = ${JSON.stringify(srv.baseUrl + path)}`);
    await at(tab, path.split('?')[0]);
  }
  const fits = async (tab, what) => assert.ok(await tab.eval('document.documentElement.scrollWidth <= window.innerWidth'), `${what} overflows sideways at 375 px`);

  it('a viewer sees no write controls; a forged POST from the viewer\'s session is 403', async () => {
    const tab = await signedIn('viewer@example.com', 'a brand new password', '/app/team');
    await fits(tab, '/app/team');
    assert.equal(await tab.eval('document.querySelectorAll("main form[method=post], main select, main button").length'), 0);
    assert.ok(await tab.eval('document.body.textContent.includes("admin@example.com")'));
    // A form forged in the page, with the session's own CSRF token.
    assert.deepEqual(tab.errors, [], 'the team page reported errors');
    // A form forged into the page, with the session's own CSRF token.
    await tab.eval(`(() => { const f = document.createElement('form');
      f.method = 'post'; f.action = ${JSON.stringify(`${srv.baseUrl}/app/team/invites`)};
      for (const [n, v] of [['email', 'forged@example.com'], ['role', 'viewer'], ['csrf', document.querySelector('input[name=csrf]').value]]) {
        const i = document.createElement('input'); i.name = n; i.value = v; f.append(i); }
      document.body.append(f); f.submit(); })()`);
    await at(tab, '/app/team/invites');
    assert.match(await tab.eval('document.body.textContent'), /"status":403.*"code":"insufficient_scope"|"code":"insufficient_scope".*"status":403/);
    assert.equal(srv.sql("SELECT count(*) AS n FROM invites WHERE email = 'forged@example.com'")[0].n, 0);
    await go(tab, '/app/api-keys');
    assert.match(await tab.eval('document.body.textContent'), /insufficient_scope/);
    // The expired session sends the person to sign in.
    srv.sqlWrite(`UPDATE sessions SET created_at = created_at - 604800001 WHERE member_id = '${memberId('viewer@example.com')}'`);
    await tab.eval(`location.href = ${JSON.stringify(`${srv.baseUrl}/app/team`)}`);
    await at(tab, '/app/login');
  });

  it('rotates a key in the browser: the old secret then gets 401 from the API; every team page fits 375 px', async () => {
    const tab = await signedIn('owner@example.com', PW, '/app/api-keys');
    await tab.eval('document.getElementById("name").value = "browser rotate"');
    await tab.eval('document.querySelector("input[value=\'monitors:read\']").checked = true');
    await tab.eval('document.querySelector("form.card button[type=submit]").click()');
    for (let i = 0; i < 100 && !(await tab.eval('!!document.getElementById("secret")')); i++) await sleep(100);
    const old = await tab.eval('document.getElementById("secret").textContent');
    assert.equal(await tab.eval('document.querySelector("button[data-copy=secret]").hidden'), false, 'the copy button shows with script');
    await tab.eval('document.querySelector("button[data-copy=secret]").click()');
    await fits(tab, 'the new key');
    const id = (await srv.whoami(old)).id;
    await tab.eval(`document.querySelector('form[action$="/api-keys/${id}/rotate"] button').click()`);
    let fresh = old;
    for (let i = 0; i < 100 && fresh === old; i++) {
      await sleep(100);
      fresh = await tab.eval('document.getElementById("secret")?.textContent ?? ""') || old;
    }
    assert.match(fresh, /^uptime_[0-9A-Za-z]{38}$/);
    assert.notEqual(fresh, old);
    assert.equal((await api('GET', '/v1/api-keys/current', { key: old })).status, 401);
    assert.equal((await api('GET', '/v1/api-keys/current', { key: fresh })).status, 200);
    for (const path of ['/app/team', '/app/api-keys', '/app/audit']) {
      await go(tab, path);
      await fits(tab, path);
    }
    const anon = await browser.open(`${srv.baseUrl}/app/forgot`, { width: 375, height: 800, mobile: true });
    tabs.push(anon);
    await fits(anon, '/app/forgot');
    assert.deepEqual(tab.errors, []);
    assert.deepEqual(anon.errors, []);
  });
});

