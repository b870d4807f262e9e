// The web console (docs/console.md) through lighttpd: signing in with a
// password and a session cookie, the one-time set-password link of
// uptime-admin, accepting an invitation in a page, the API keys page,
// and every form's refusals: another Origin, a missing or wrong CSRF
// token, a role without the scope, a wrong password, too many tries,
// an expired session.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, PG } from './lib/harness.mjs';
import { startBrowser } from './lib/browser.mjs';

let srv, api, ownerLink, teamId, adminKey;
const PW = 'correct horse battery';

// POST a form; fields an object or an array of [name, value].
function form(path, fields, { cookie, origin, type = 'application/x-www-form-urlencoded' } = {}) {
  const headers = { 'content-type': type };
  if (cookie) headers.cookie = cookie;
  if (origin !== undefined) headers.origin = origin;
  return api('POST', path, { rawBody: new URLSearchParams(fields).toString(), headers });
}
const get = (path, cookie) => api('GET', path, { headers: cookie ? { cookie } : {} });
// The session cookie a 303 set ("uptime_session=..."), checked.
function cookieOf(res) {
  const sc = res.headers.get('set-cookie');
  assert.ok(sc, 'a Set-Cookie header');
  assert.match(sc, /^uptime_session=[A-Za-z0-9_-]{43}; Path=\/app; HttpOnly; SameSite=Lax$/);
  return sc.split(';')[0];
}
const csrfOf = (html) => /name="csrf" value="([^"]+)"/.exec(html)?.[1];
const tokenOf = (link) => new URL(link).hash.replace(/^#token=/, '');
function assertProblem(res, status, code) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json?.code, code, res.text);
}
async function signIn(email, password = PW) {
  const res = await form('/app/login', { email, password });
  assert.equal(res.status, 303, res.text);
  return cookieOf(res);
}
// A member through an invitation accepted in the console.
async function join(email, role) {
  const inv = await api('POST', '/v1/team/invites', { key: adminKey, body: { email, role } });
  assert.equal(inv.status, 201, inv.text);
  const res = await form('/app/accept', { token: tokenOf(inv.json.data.acceptUrl), name: `A ${role}`, password: PW });
  assert.equal(res.status, 303, res.text);
  return cookieOf(res);
}

before(async () => {
  srv = await startServer({ env: { UPTIME_LOGIN_LIMIT: '1000' } });
  api = srv.api;
  const r = await srv.admin('team', 'create', 'Console team', '--owner', 'owner@example.com');
  assert.equal(r.code, 0, r.stderr);
  teamId = r.stdout.trim();
  ownerLink = /(http\S+\/app\/password#token=\S+)/.exec(r.stderr)?.[1];
  adminKey = await srv.createKey(teamId);
});
after(async () => { await srv?.stop(); });

describe('signing in', () => {
  it('signed out, a console page sends the person to /app/login', async () => {
    const res = await get('/app');
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location'), /\/app\/login$/);
    const page = await get('/app/login');
    assert.equal(page.status, 200);
    assert.match(page.text, /<label for="email">/);
    assert.match(page.headers.get('content-security-policy'), /default-src 'none'/);
  });

  it('uptime-admin team create --owner prints a one-time link that sets the password and signs in', async () => {
    assert.ok(ownerLink, 'a link on stderr');
    assert.match(ownerLink, /\/app\/password#token=[A-Za-z0-9_-]{43}$/);
    const res = await form('/app/password', { token: tokenOf(ownerLink), password: PW });
    assert.equal(res.status, 303, res.text);
    assert.match(res.headers.get('location'), /\/app$/);
    const overview = await get('/app', cookieOf(res));
    assert.equal(overview.status, 200);
    assert.match(overview.text, /owner \(owner\)/);
    assert.equal(srv.sql("SELECT count(*) AS n FROM members WHERE password_hash LIKE '$argon2id$%'")[0].n, 1);
  });

  it('negative: a used link, a wrong one or a short password sets nothing', async () => {
    for (const [token, password] of [[tokenOf(ownerLink), 'another long password'], ['x'.repeat(43), PW], ['', PW]]) {
      const res = await form('/app/password', { token, password });
      assert.equal(res.status, 422);
      assert.match(res.text, /cannot set a password/);
    }
    const r = await srv.admin('member', 'link', '--team', teamId, '--email', 'OWNER@example.com');
    assert.equal(r.code, 0, r.stderr);
    const short = await form('/app/password', { token: tokenOf(r.stdout.trim()), password: 'short' });
    assert.equal(short.status, 422);
    assert.match(short.text, /at least 10|10 characters/);
    assert.equal((await form('/app/login', { email: 'owner@example.com', password: 'short' })).status, 422);
  });

  it('uptime-admin member link: a new link; the earlier one stops working; unknown members and bad flags are refused', async () => {
    const a = await srv.admin('member', 'link', '--team', teamId, '--email', 'owner@example.com');
    const b = await srv.admin('member', 'link', '--team', teamId, '--email', 'owner@example.com');
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /^http\S+\/app\/password#token=[A-Za-z0-9_-]{43}\n$/);
    assert.equal((await form('/app/password', { token: tokenOf(a.stdout.trim()), password: PW })).status, 422);
    const ok = await form('/app/password', { token: tokenOf(b.stdout.trim()), password: PW });
    assert.equal(ok.status, 303);
    assert.equal((await srv.admin('member', 'link', '--team', teamId, '--email', 'nobody@example.com')).code, 1);
    assert.equal((await srv.admin('member', 'link', '--team', teamId)).code, 2);
    assert.equal((await srv.admin('member', 'link', '--team', 'bad', '--email', 'owner@example.com')).code, 2);
  });

  it('a wrong password and an unknown address get the same page; the right one a new session each time', async () => {
    const wrong = await form('/app/login', { email: 'owner@example.com', password: 'not the password' });
    const unknown = await form('/app/login', { email: 'nobody@example.com', password: 'not the password' });
    assert.equal(wrong.status, 422);
    assert.equal(unknown.status, 422);
    assert.equal(wrong.text.replace('owner@', 'X@'), unknown.text.replace('nobody@', 'X@'));
    assert.equal(wrong.headers.get('set-cookie'), null);
    const a = await signIn('owner@example.com');
    const b = await signIn('Owner@Example.com');
    assert.notEqual(a, b);
    // The stored hash is not the token.
    const tok = a.split('=')[1];
    const blob = PG ? 'BYTEA' : 'BLOB';
    assert.equal(srv.sql(`SELECT count(*) AS n FROM sessions WHERE token_hash = CAST('${tok}' AS ${blob}) OR id = '${tok}'`)[0].n, 0);
  });

  it('sign-out ends the session: its cookie then opens nothing', async () => {
    const c = await signIn('owner@example.com');
    const csrf = csrfOf((await get('/app', c)).text);
    const out = await form('/app/logout', { csrf }, { cookie: c });
    assert.equal(out.status, 303);
    assert.match(out.headers.get('set-cookie'), /^uptime_session=; .*Max-Age=0/);
    assert.equal((await get('/app', c)).status, 303);
  });

  it('negative: an expired session (idle or absolute) sends the person to sign in; its forms are 401', async () => {
    const idle = await signIn('owner@example.com');
    const abs = await signIn('owner@example.com');
    srv.sqlWrite(`UPDATE sessions SET seen_at = seen_at - 28800001 WHERE token_hash = (SELECT token_hash FROM sessions ORDER BY created_at DESC LIMIT 1 OFFSET 1)`);
    srv.sqlWrite(`UPDATE sessions SET created_at = created_at - 604800001 WHERE token_hash = (SELECT token_hash FROM sessions ORDER BY created_at DESC LIMIT 1)`);
    for (const c of [idle, abs]) {
      const csrf = 'A'.repeat(43);
      assertProblem(await form('/app/api-keys', { name: 'x', scope: 'monitors:read', csrf }, { cookie: c }), 401, 'session_required');
      const res = await get('/app/api-keys', c);
      assert.equal(res.status, 303);
      assert.match(res.headers.get('location'), /\/app\/login$/);
    }
    assertProblem(await form('/app/logout', { csrf: 'x' }), 401, 'session_required');
  });

  it('negative: sign-in tries are throttled per account and per address (429 past UPTIME_LOGIN_LIMIT a minute)', async () => {
    const small = await startServer({ env: { UPTIME_LOGIN_LIMIT: '3' } });
    try {
      const post = (email, password) => small.api('POST', '/app/login', { rawBody: new URLSearchParams({ email, password }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      for (let i = 0; i < 3; i++) assert.equal((await post('throttled@example.com', 'wrong password!')).status, 422);
      const last = await post('throttled@example.com', 'wrong password!');
      assertProblem(last, 429, 'rate_limited');
      assert.match(last.headers.get('retry-after'), /^\d+$/);
      // The address is past its limit too: another account waits as well.
      assertProblem(await post('other@example.com', 'wrong password!'), 429, 'rate_limited');
    } finally {
      await small.stop();
    }
  });
});

describe('forms and the API keys page', () => {
  let owner, csrf;
  before(async () => {
    // The sign-in throttle above filled this minute: a session straight
    // from a set-password link, which counts separately.
    const r = await srv.admin('member', 'link', '--team', teamId, '--email', 'owner@example.com');
    const res = await form('/app/password', { token: tokenOf(r.stdout.trim()), password: PW });
    owner = cookieOf(res);
    csrf = csrfOf((await get('/app/api-keys', owner)).text);
    assert.ok(csrf);
  });

  it('negative: without the CSRF token, with another session\'s, or from another Origin, a form is 403 and changes nothing', async () => {
    const before = srv.sql('SELECT count(*) AS n FROM api_keys')[0].n;
    assertProblem(await form('/app/api-keys', { name: 'x', scope: 'monitors:read' }, { cookie: owner }), 403, 'bad_csrf');
    assertProblem(await form('/app/api-keys', { name: 'x', scope: 'monitors:read', csrf: 'A'.repeat(43) }, { cookie: owner }), 403, 'bad_csrf');
    assertProblem(await form('/app/api-keys', { name: 'x', scope: 'monitors:read', csrf }, { cookie: owner, origin: 'https://evil.example' }), 403, 'bad_origin');
    assertProblem(await form('/app/api-keys', { name: 'x', scope: 'monitors:read', csrf }, { cookie: owner, origin: 'null' }), 403, 'bad_origin');
    assertProblem(await form('/app/login', { email: 'owner@example.com', password: PW }, { origin: 'https://evil.example' }), 403, 'bad_origin');
    assertProblem(await form('/app/api-keys', { name: 'x', csrf }, { cookie: owner, type: 'application/json' }), 415, 'unsupported_media_type');
    assert.equal(srv.sql('SELECT count(*) AS n FROM api_keys')[0].n, before);
  });

  it('creates a key with its own origin, shows the secret once; the key works; revoking it makes the API answer 401', async () => {
    const res = await form('/app/api-keys', [['name', 'from <the> console'], ['scope', 'monitors:read'], ['scope', 'api-keys:read'], ['csrf', csrf]],
      { cookie: owner, origin: srv.origin ?? new URL(srv.baseUrl).origin });
    assert.equal(res.status, 200, res.text);
    assert.match(res.text, /from &lt;the&gt; console/);
    const secret = /id="secret">(uptime_[0-9A-Za-z]{38})</.exec(res.text)?.[1];
    assert.ok(secret, 'the secret on the page');
    const me = await srv.whoami(secret);
    assert.deepEqual(me.scopes, ['monitors:read', 'api-keys:read']);
    assert.equal(srv.sql(`SELECT created_by_member_id AS m FROM api_keys WHERE id = '${me.id}'`)[0].m.slice(0, 4), 'mem_');
    assert.ok(!(await get('/app/api-keys', owner)).text.includes(secret), 'the secret is shown once');
    const rev = await form(`/app/api-keys/${me.id}/revoke`, { csrf }, { cookie: owner });
    assert.equal(rev.status, 303);
    assert.equal((await api('GET', '/v1/api-keys/current', { key: secret })).status, 401);
  });

  it('negative: a bad name or no scope re-shows the form and saves nothing', async () => {
    const before = srv.sql('SELECT count(*) AS n FROM api_keys')[0].n;
    for (const f of [[['name', ''], ['scope', 'monitors:read']], [['name', 'x']], [['name', 'x'], ['scope', 'nope']], [['name', 'x'.repeat(256)], ['scope', 'monitors:read']]]) {
      const res = await form('/app/api-keys', [...f, ['csrf', csrf]], { cookie: owner });
      assert.equal(res.status, 422);
      assert.match(res.text, /role="alert"/);
    }
    assert.equal(srv.sql('SELECT count(*) AS n FROM api_keys')[0].n, before);
  });

  it('negative: a viewer sees no key page and a forged POST from a viewer\'s session is 403; a member cannot give scopes the role lacks', async () => {
    const viewer = await join('viewer@example.com', 'viewer');
    assert.equal((await get('/app', viewer)).status, 200);
    assertProblem(await get('/app/api-keys', viewer), 403, 'insufficient_scope');
    const vcsrf = csrfOf((await get('/app', viewer)).text);
    assertProblem(await form('/app/api-keys', { name: 'v', scope: 'monitors:read', csrf: vcsrf }, { cookie: viewer }), 403, 'insufficient_scope');
    const member = await join('member@example.com', 'member');
    const mcsrf = csrfOf((await get('/app', member)).text);
    assertProblem(await get('/app/api-keys', member), 403, 'insufficient_scope');
    assertProblem(await form('/app/api-keys', { name: 'm', scope: 'team:write', csrf: mcsrf }, { cookie: member }), 403, 'insufficient_scope');
    const admin = await join('admin@example.com', 'admin');
    const page = await get('/app/api-keys', admin);
    assert.equal(page.status, 200);
    assert.match(page.text, /value="api-keys:write"/);
  });

  it('negative: a used, wrong or missing invitation token, a missing name or a short password re-shows the page and adds no one', async () => {
    const members = srv.sql('SELECT count(*) AS n FROM members')[0].n;
    const inv = await api('POST', '/v1/team/invites', { key: adminKey, body: { email: 'later@example.com', role: 'viewer' } });
    const token = tokenOf(inv.json.data.acceptUrl);
    for (const f of [{ token, name: '', password: PW }, { token, name: 'Later', password: 'short' }, { token: 'x', name: 'Later', password: PW }, { name: 'Later', password: PW }]) {
      const res = await form('/app/accept', f);
      assert.equal(res.status, 422, res.text);
      assert.match(res.text, /class="(error|alert)"/);
    }
    assert.equal(srv.sql('SELECT count(*) AS n FROM members')[0].n, members);
  });
});

describe('in a real browser (headless Chromium)', () => {
  let browser, tab;
  before(async () => { browser = await startBrowser(); });
  after(async () => { await tab?.close(); await browser?.close(); });

  // Wait until the tab shows a loaded page whose path ends with suffix.
  async function at(suffix) {
    for (let i = 0; i < 100; i++) {
      const [p, ready] = await tab.eval('[location.pathname, document.readyState]');
      if (p.endsWith(suffix) && ready === 'complete') return;
      await sleep(100);
    }
    assert.fail(`the browser never reached ${suffix}: ${await tab.eval('location.href')} ${await tab.eval('document.body.innerText')} ${tab.errors}`);
  }
  const fill = (id, value) => tab.eval(`document.getElementById(${JSON.stringify(id)}).value = ${JSON.stringify(value)}`);
  const click = (selector) => tab.eval(`document.querySelector(${JSON.stringify(selector)}).click()`);
  const fits = async () => assert.ok(await tab.eval('document.documentElement.scrollWidth <= window.innerWidth'), 'the page overflows sideways');
  const curl = (key) => execFileSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', `Authorization: Bearer ${key}`,
    `${srv.baseUrl}/v1/api-keys/current`], { encoding: 'utf8' });

  it('accepts an invitation, signs out and in, creates a key, uses it with curl, revokes it: the API then answers 401', async () => {
    const inv = await api('POST', '/v1/team/invites', { key: adminKey, body: { email: 'browser@example.com', role: 'admin' } });
    assert.equal(inv.status, 201, inv.text);
    // The API's acceptUrl opens the console's page, where a password is set.
    assert.equal(inv.json.data.acceptUrl, `${srv.baseUrl}/app/accept#token=${tokenOf(inv.json.data.acceptUrl)}`);
    tab = await browser.open(inv.json.data.acceptUrl, { width: 375, height: 800, mobile: true });
    assert.equal(await tab.eval('location.hash'), '', 'the token leaves the address bar');
    assert.equal(await tab.eval('document.getElementById("token").closest("div").hidden'), true);
    await fits();
    await fill('name', 'Browser Person');
    await fill('password', PW);
    await click('button[type=submit]');
    await at('/app');
    assert.match(await tab.eval('document.querySelector("header").textContent'), /Browser Person \(admin\)/);
    await fits();

    await click('header form button');
    await at('/app/login');
    await fill('email', 'browser@example.com');
    await fill('password', PW);
    await click('button[type=submit]');
    await at('/app');

    await tab.eval(`location.href = ${JSON.stringify(`${srv.baseUrl}/app/api-keys`)}`);
    await at('/app/api-keys');
    await fits();
    await fill('name', 'made in a browser');
    await tab.eval('document.querySelector("input[value=\'monitors:read\']").checked = true');
    await tab.eval('document.querySelector("input[value=\'api-keys:read\']").checked = true');
    await click('form.card button[type=submit]');
    for (let i = 0; i < 100 && !(await tab.eval('!!document.getElementById("secret")')); i++) await sleep(100);
    const secret = await tab.eval('document.getElementById("secret").textContent');
    assert.match(secret, /^uptime_[0-9A-Za-z]{38}$/);
    await fits();

    assert.equal(curl(secret), '200');
    const id = (await srv.whoami(secret)).id;
    await click(`form[action$="/api-keys/${id}/revoke"] button`);
    for (let i = 0; i < 100 && (await tab.eval('document.getElementById("secret") !== null')); i++) await sleep(100);
    await at('/app/api-keys');
    assert.equal(curl(secret), '401');
    assert.deepEqual(tab.errors, [], 'the pages reported errors');
  });
});
