// The console's monitor pages (docs/console.md) through lighttpd: the
// overview with its filters, bars and sparklines, a monitor's page with
// its uptime windows and response-time chart, the forms that create and
// edit monitors of every type (the API's checks, each error beside its
// field, nothing saved on a refusal), and the actions (pause, resume,
// run now, delete); each refusal checked against the database.  Then
// the same in headless Chromium at 375 px.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer } from './lib/harness.mjs';
import { startHttpTarget } from './lib/targets.mjs';
import { startBrowser } from './lib/browser.mjs';

let srv, api, teamId, adminKey, owner, csrf, target, otherMon;
const PW = 'correct horse battery';

function form(path, fields, { cookie, origin } = {}) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (cookie) headers.cookie = cookie;
  if (origin !== undefined) headers.origin = origin;
  return api('POST', path, { rawBody: new URLSearchParams(fields).toString(), headers });
}
const get = (path, cookie) => api('GET', path, { headers: cookie ? { cookie } : {} });
const cookieOf = (res) => res.headers.get('set-cookie').split(';')[0];
const csrfOf = (html) => /name="csrf" value="([^"]+)"/.exec(html)?.[1];
const tokenOf = (link) => new URL(link).hash.replace(/^#token=/, '');
const count = (where = '1 = 1') => Number(srv.sql(`SELECT count(*) AS n FROM monitors WHERE ${where}`)[0].n);
const row = (id) => srv.sql(`SELECT name, paused, interval_s FROM monitors WHERE id = '${id}'`)[0];
const idOf = (res) => /\/app\/monitors\/(mon_[0-9A-Za-z]{20})$/.exec(res.headers.get('location') ?? '')?.[1];
function assertProblem(res, status, code) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json?.code, code, res.text);
}
// An error beside field name, in the form shown again.
function assertFieldError(res, name) {
  assert.equal(res.status, 422, res.text);
  assert.match(res.text, new RegExp(`aria-describedby="${name}-error"`), `no error beside ${name}`);
  assert.match(res.text, new RegExp(`<p class="error" id="${name}-error">`));
}
const httpFields = (over = {}) => ({
  type: 'http', name: 'Web', url: target.url('/ok'), method: 'GET', expectedStatusCodes: '200-299',
  degradedAfterMs: '5000', sslExpiryWarningDays: '14', followRedirects: 'true', verifyTls: 'true',
  intervalSeconds: '60', timeoutSeconds: '10', confirmations: '1', tags: 'web, prod', ...over,
});
async function create(fields) {
  const res = await form('/app/monitors', { ...fields, csrf }, { cookie: owner });
  assert.equal(res.status, 303, res.text);
  return idOf(res);
}

before(async () => {
  target = await startHttpTarget((req, res) => { res.end('ok'); });
  srv = await startServer({ allowPrivate: true, env: { UPTIME_LOGIN_LIMIT: '1000' } });
  api = srv.api;
  const r = await srv.admin('team', 'create', 'Monitor team', '--owner', 'owner@example.com');
  assert.equal(r.code, 0, r.stderr);
  teamId = r.stdout.trim();
  adminKey = await srv.createKey(teamId);
  const res = await form('/app/password', { token: tokenOf(/(http\S+#token=\S+)/.exec(r.stderr)[1]), password: PW });
  assert.equal(res.status, 303, res.text);
  owner = cookieOf(res);
  csrf = csrfOf((await get('/app', owner)).text);
  assert.ok(csrf);
  // Another team's monitor, which this team's people never see.
  const other = (await srv.admin('team', 'create', 'Other team')).stdout.trim();
  const okey = await srv.createKey(other);
  const m = await api('POST', '/v1/monitors', { key: okey, body: { name: 'Theirs', type: 'tcp', host: '127.0.0.1', port: 9 } });
  assert.equal(m.status, 201, m.text);
  otherMon = m.json.data.id;
});
after(async () => { await srv?.stop(); await target?.close(); });

describe('forms', () => {
  it('creates a monitor of every type; a heartbeat\'s page shows its ping URL', async () => {
    const web = await create(httpFields());
    const tcp = await create({ type: 'tcp', name: 'Port', host: '127.0.0.1', port: String(target.port), intervalSeconds: '60', timeoutSeconds: '5', confirmations: '2', tags: '' });
    const dns = await create({ type: 'dns', name: 'Names', hostname: 'example.com', recordType: 'AAAA', expectedValue: '', intervalSeconds: '300', timeoutSeconds: '5', confirmations: '1', tags: 'dns' });
    const hb = await create({ type: 'heartbeat', name: 'Nightly', intervalSeconds: '', schedule: '0 3 * * *', timezone: 'Europe/Paris', gracePeriodSeconds: '600', slug: 'nightly', tags: '' });
    const mons = Object.fromEntries((await api('GET', '/v1/monitors', { key: adminKey })).json.data.map((m) => [m.id, m]));
    assert.deepEqual([mons[web].type, mons[web].url, mons[web].tags, mons[web].expectedStatusCodes], ['http', target.url('/ok'), ['web', 'prod'], ['200-299']]);
    assert.deepEqual([mons[tcp].type, mons[tcp].port, mons[tcp].confirmations], ['tcp', target.port, 2]);
    assert.deepEqual([mons[dns].recordType, mons[dns].expectedValue, mons[dns].intervalSeconds], ['AAAA', null, 300]);
    assert.deepEqual([mons[hb].schedule, mons[hb].timezone, mons[hb].slug, mons[hb].gracePeriodSeconds], ['0 3 * * *', 'Europe/Paris', 'nightly', 600]);
    const page = await get(`/app/monitors/${hb}`, owner);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(mons[hb].pingUrl), 'the ping URL on the page');
    // The API audits it as the member's act.
    assert.equal(Number(srv.sql(`SELECT count(*) AS n FROM audit_events WHERE action = 'monitor.created' AND target_id = '${web}' AND member_id IS NOT NULL`)[0].n), 1);
  });

  it('the form for each type offers the API\'s defaults and only that type\'s fields', async () => {
    const page = await get('/app/monitors/new?type=dns', owner);
    assert.equal(page.status, 200);
    assert.match(page.text, /name="hostname"/);
    assert.doesNotMatch(page.text, /name="url"/);
    assert.match(page.text, /<option selected>A<\/option>/);
    assert.match(page.text, /id="intervalSeconds"[^>]*value="60"/);
    assertProblem(await get('/app/monitors/new?type=ftp', owner), 400, 'bad_query');
  });

  it('negative: bad input re-shows the form with each error beside its field and saves nothing', async () => {
    const before = count();
    const cases = [
      [httpFields({ name: '' }), 'name'],
      [httpFields({ url: 'not a url' }), 'url'],
      [httpFields({ url: '' }), 'url'],
      [httpFields({ intervalSeconds: 'often' }), 'intervalSeconds'],
      [httpFields({ intervalSeconds: '5' }), 'intervalSeconds'],
      [httpFields({ timeoutSeconds: '61' }), 'timeoutSeconds'],
      [httpFields({ expectedStatusCodes: '2xx' }), 'expectedStatusCodes'],
      [httpFields({ method: 'BREW' }), 'method'],
      [httpFields({ degradedAfterMs: '0' }), 'degradedAfterMs'],
      [httpFields({ tags: 'x'.repeat(65) }), 'tags'],
      [{ type: 'tcp', name: 'P', host: '', port: '70000', intervalSeconds: '60', timeoutSeconds: '5', confirmations: '1', tags: '' }, 'port'],
      [{ type: 'tcp', name: 'P', host: '', port: '80', intervalSeconds: '60', timeoutSeconds: '5', confirmations: '1', tags: '' }, 'host'],
      [{ type: 'dns', name: 'D', hostname: 'example.com', recordType: 'ZZZ', expectedValue: '', intervalSeconds: '60', timeoutSeconds: '5', confirmations: '1', tags: '' }, 'recordType'],
      [{ type: 'heartbeat', name: 'H', intervalSeconds: '', schedule: 'every day', timezone: '', gracePeriodSeconds: '60', slug: '', tags: '' }, 'schedule'],
      [{ type: 'heartbeat', name: 'H', intervalSeconds: '3600', schedule: '', timezone: '', gracePeriodSeconds: '60', slug: 'Bad Slug', tags: '' }, 'slug'],
      // Another heartbeat has the slug.
      [{ type: 'heartbeat', name: 'H', intervalSeconds: '3600', schedule: '', timezone: '', gracePeriodSeconds: '60', slug: 'nightly', tags: '' }, 'slug'],
    ];
    for (const [fields, name] of cases) {
      const res = await form('/app/monitors', { ...fields, csrf }, { cookie: owner });
      assertFieldError(res, name);
      // What was typed is kept.
      if (fields.name) assert.match(res.text, new RegExp(`id="name" name="name" type="text" value="${fields.name}"`));
    }
    // An unknown type, or none: the form again with the error over it.
    for (const type of ['ftp', '']) {
      const res = await form('/app/monitors', { type, name: 'X', tags: '', csrf }, { cookie: owner });
      assert.equal(res.status, 422, res.text);
      assert.match(res.text, /role="alert"[\s\S]*<code>type<\/code> must be/);
      assert.doesNotMatch(res.text, /<code>url<\/code>/, 'only the type is wrong');
    }
    assert.equal(count(), before);
  });

  it('edits a monitor; a refused edit changes nothing', async () => {
    const id = await create(httpFields({ name: 'Before' }));
    const page = await get(`/app/monitors/${id}/edit`, owner);
    assert.equal(page.status, 200);
    assert.match(page.text, /id="name" name="name" type="text" value="Before"/);
    assert.match(page.text, /id="tags" name="tags" type="text" value="web, prod"/);
    assert.match(page.text, /id="followRedirects" name="followRedirects" value="true" checked/);
    const ok = await form(`/app/monitors/${id}/edit`, { ...httpFields({ name: 'After', intervalSeconds: '120', followRedirects: undefined }), csrf }, { cookie: owner });
    assert.equal(ok.status, 303, ok.text);
    assert.equal(idOf(ok), id);
    const m = (await api('GET', `/v1/monitors/${id}`, { key: adminKey })).json.data;
    assert.deepEqual([m.name, m.intervalSeconds, m.followRedirects, m.verifyTls], ['After', 120, false, true]);
    const bad = await form(`/app/monitors/${id}/edit`, { ...httpFields({ name: 'Never', intervalSeconds: '10' }), csrf }, { cookie: owner });
    assertFieldError(bad, 'intervalSeconds');
    assert.deepEqual(row(id), { name: 'After', paused: 0, interval_s: 120 });
  });

  it("an HTTP monitor's headers, body, content checks and location rules go through the form and back", async () => {
    const rich = {
      method: 'POST', headers: 'X-Probe: one\r\nAccept:  text/plain \r\n\r\n', body: '{"ping": 1}',
      contentChecks: '[{"type": "contains", "value": "ok"}]', retryIntervalSeconds: '15',
      recoveryConfirmations: '2', locations: 'local', quorum: '',
    };
    const id = await create(httpFields({ name: 'Rich', ...rich }));
    const monitor = async () => {
      const { updatedAt, ...m } = (await api('GET', `/v1/monitors/${id}`, { key: adminKey })).json.data;
      return m;
    };
    const m = await monitor();
    assert.deepEqual(m.headers, { 'X-Probe': 'one', Accept: 'text/plain' });
    assert.deepEqual([m.method, m.body, m.contentChecks.map((c) => [c.type, c.value])], ['POST', '{"ping": 1}', [['contains', 'ok']]]);
    assert.deepEqual([m.retryIntervalSeconds, m.recoveryConfirmations, m.locations, m.quorum], [15, 2, ['local'], null]);
    // The edit form shows them as they were given, and saved unchanged
    // they stay as they are.
    const page = (await get(`/app/monitors/${id}/edit`, owner)).text;
    assert.match(page, /<textarea id="headers" name="headers" rows="3">X-Probe: one\nAccept: text\/plain\n<\/textarea>/);
    assert.match(page, /<textarea id="body" name="body" rows="3">\{&quot;ping&quot;: 1\}<\/textarea>/);
    const shown = /<textarea id="contentChecks" name="contentChecks" rows="3">([^<]*)<\/textarea>/.exec(page)?.[1];
    assert.deepEqual(JSON.parse(shown.replaceAll('&quot;', '"')), m.contentChecks);
    assert.match(page, /id="quorum" name="quorum" type="text" inputmode="numeric" value=""/);
    const again = { ...httpFields({ name: 'Rich', ...rich }), headers: 'X-Probe: one\nAccept: text/plain',
      contentChecks: shown.replaceAll('&quot;', '"') };
    assert.equal((await form(`/app/monitors/${id}/edit`, { ...again, csrf }, { cookie: owner })).status, 303);
    assert.deepEqual(await monitor(), m);
    // Blank clears them.
    const cleared = await form(`/app/monitors/${id}/edit`, { ...again, headers: '', body: '', contentChecks: '', retryIntervalSeconds: '', csrf },
      { cookie: owner });
    assert.equal(cleared.status, 303, cleared.text);
    const c = await monitor();
    assert.deepEqual([c.headers, c.body, c.contentChecks, c.retryIntervalSeconds], [{}, null, [], null]);
  });

  it('negative: bad headers, content checks or location rules are refused beside their fields; nothing changes', async () => {
    const before = count();
    for (const [over, name] of [
      [{ headers: 'no colon on this line' }, 'headers'],
      [{ headers: 'X-Ok: yes\nBad Name: x' }, 'headers'],
      [{ contentChecks: 'contains ok' }, 'contentChecks'],
      [{ contentChecks: '[{"type": "psychic"}]' }, 'contentChecks'],
      [{ locations: 'loc_00000000000000000000' }, 'locations'],
      [{ locations: '' }, 'locations'],
      [{ locations: 'local', quorum: '2' }, 'quorum'],
      [{ retryIntervalSeconds: '5' }, 'retryIntervalSeconds'],
      [{ recoveryConfirmations: '11' }, 'recoveryConfirmations'],
    ]) {
      assertFieldError(await form('/app/monitors', { ...httpFields(over), csrf }, { cookie: owner }), name);
    }
    assert.equal(count(), before);
  });

  it('pauses, resumes, runs a check now and deletes through forms (delete asks first)', async () => {
    const id = await create(httpFields({ name: 'Acts' }));
    assert.equal((await form(`/app/monitors/${id}/pause`, { csrf }, { cookie: owner })).status, 303);
    assert.equal(Number(row(id).paused), 1);
    let page = await get(`/app/monitors/${id}`, owner);
    assert.match(page.text, /\/resume">/);
    assert.equal((await form(`/app/monitors/${id}/resume`, { csrf }, { cookie: owner })).status, 303);
    assert.equal(Number(row(id).paused), 0);
    const hits = target.hits('/ok');
    const run = await form(`/app/monitors/${id}/check`, { csrf }, { cookie: owner });
    assert.equal(run.status, 303, run.text);
    assert.equal(target.hits('/ok'), hits + 1);
    assert.equal(Number(srv.sql(`SELECT count(*) AS n FROM check_results WHERE monitor_id = '${id}'`)[0].n), 1);
    page = await get(`/app/monitors/${id}`, owner);
    assert.match(page.text, /<td><span class="state-up">up<\/span><\/td><td>\d+ ms<\/td><td>HTTP 200/);
    // A heartbeat is not checked on demand.
    const hb = srv.sql("SELECT id FROM monitors WHERE type = 'heartbeat' LIMIT 1")[0].id;
    assertProblem(await form(`/app/monitors/${hb}/check`, { csrf }, { cookie: owner }), 409, 'conflict');
    const ask = await get(`/app/monitors/${id}/delete`, owner);
    assert.equal(ask.status, 200);
    assert.match(ask.text, /Delete <strong>Acts<\/strong>/);
    assert.equal(count(`id = '${id}'`), 1, 'the question deletes nothing');
    const del = await form(`/app/monitors/${id}/delete`, { csrf }, { cookie: owner });
    assert.equal(del.status, 303);
    assert.match(del.headers.get('location'), /\/app$/);
    assert.equal(count(`id = '${id}'`), 0);
    assertProblem(await get(`/app/monitors/${id}`, owner), 404, 'not_found');
  });
});

describe('pages', () => {
  it('the monitor page: uptime windows, a p50/p95 chart per range from the rollups, results', async () => {
    const id = await create(httpFields({ name: 'Charted' }));
    assert.equal((await form(`/app/monitors/${id}/check`, { csrf }, { cookie: owner })).status, 303);
    const stats = (await api('GET', `/v1/monitors/${id}/stats`, { key: adminKey })).json.data.windows;
    for (const range of ['24h', '7d', '30d']) {
      const page = await get(`/app/monitors/${id}?range=${range}`, owner);
      assert.equal(page.status, 200, page.text);
      assert.match(page.text, /<svg class="chart" viewBox="0 0 600 180" role="img"/);
      assert.match(page.text, /<path fill="none" stroke="#1d4ed8" stroke-width="2" d="M/, 'a p50 line');
      assert.match(page.text, new RegExp(`aria-current="page">${range}<`));
      // The same figures as the API's stats.
      assert.ok(page.text.includes(`p50, ${range}</dt><dd>${stats[range].responseTimeMs.p50} ms`), page.text);
      assert.ok(page.text.includes(`p95, ${range}</dt><dd>${stats[range].responseTimeMs.p95} ms`));
    }
    assertProblem(await get(`/app/monitors/${id}?range=1y`, owner), 400, 'bad_query');
  });

  it('the overview: bars and sparklines, filters by state and tag (a GET form)', async () => {
    const paused = await create(httpFields({ name: 'Sleeper', tags: 'night' }));
    assert.equal((await form(`/app/monitors/${paused}/pause`, { csrf }, { cookie: owner })).status, 303);
    const all = await get('/app', owner);
    assert.equal(all.status, 200);
    assert.match(all.text, /<form class="filters" method="get"/);
    assert.match(all.text, /<ol class="bar" role="img"/);
    assert.match(all.text, /<svg class="spark"/);
    assert.match(all.text, /<li class="b-up"/, 'the hour of the run-now check is up');
    assert.match(all.text, />Charted</);
    const byState = await get('/app?state=paused&tag=', owner);
    assert.equal(byState.status, 200);
    assert.match(byState.text, />Sleeper</);
    assert.doesNotMatch(byState.text, />Charted</);
    const byTag = await get('/app?state=all&tag=night', owner);
    assert.match(byTag.text, />Sleeper</);
    assert.doesNotMatch(byTag.text, />Charted</);
    assert.match((await get('/app?state=up&tag=night', owner)).text, /No monitors here/);
    assertProblem(await get('/app?state=asleep', owner), 400, 'bad_query');
    assertProblem(await get(`/app?tag=${'x'.repeat(65)}`, owner), 400, 'bad_query');
  });

  it('the overview shows 100 monitors a page; the next page keeps the filters; past 200 monitors, every one can be picked', async () => {
    const made = [];
    for (let i = 0; i < 102; i += 17) {
      made.push(...await Promise.all(Array.from({ length: Math.min(17, 102 - i) }, (_, k) =>
        api('POST', '/v1/monitors', { key: adminKey, body: { name: `Many ${i + k}`, type: 'tcp', host: '127.0.0.1', port: 9, tags: ['many'] } })
          .then((res) => { assert.equal(res.status, 201, res.text); return res.json.data.id; }))));
    }
    const ids = (html) => [...html.matchAll(/<tr><td><a href="[^"]*\/monitors\/(mon_[0-9A-Za-z]{20})">/g)].map((m) => m[1]);
    const first = await get('/app?state=all&tag=many', owner);
    assert.equal(first.status, 200);
    assert.equal(ids(first.text).length, 100);
    const older = /<input type="hidden" name="older" value="([^"]+)">/.exec(first.text)?.[1];
    assert.ok(older, 'a link to the next page');
    assert.match(first.text, /<input type="hidden" name="tag" value="many">/);
    const second = await get(`/app?state=all&tag=many&older=${encodeURIComponent(older)}`, owner);
    assert.equal(second.status, 200);
    assert.equal(ids(second.text).length, 2);
    assert.doesNotMatch(second.text, /name="older"/, 'the last page links no further');
    assert.deepEqual([...ids(first.text), ...ids(second.text)].sort(), [...made].sort());
    assertProblem(await get('/app?older=not-a-cursor', owner), 400, 'bad_query');
    // Past 200 (a page of the API's lists), the forms that pick
    // monitors still offer every one: a form showing only some would
    // drop the others from what it saves.
    for (let i = 102; i < 201; i += 33) {
      made.push(...await Promise.all(Array.from({ length: 33 }, (_, k) =>
        api('POST', '/v1/monitors', { key: adminKey, body: { name: `Many ${i + k}`, type: 'tcp', host: '127.0.0.1', port: 9 } })
          .then((res) => { assert.equal(res.status, 201, res.text); return res.json.data.id; }))));
    }
    const total = Number(srv.sql(`SELECT count(*) AS n FROM monitors WHERE team_id = '${teamId}'`)[0].n);
    assert.ok(total > 200, `${total} monitors`);
    const picks = (await get('/app/maintenance', owner)).text.match(/<input type="checkbox" name="monitorIds"/g) ?? [];
    assert.equal(picks.length, total);
    // Removed with a key of their own: the creations took most of a
    // minute's requests of the first (UPTIME_RATE_LIMIT, 600).
    const sweeper = await srv.createKey(teamId);
    for (const id of made) assert.equal((await api('DELETE', `/v1/monitors/${id}`, { key: sweeper })).status, 204);
  });
});

describe('refusals', () => {
  let id, viewer, vcsrf;
  before(async () => {
    id = await create(httpFields({ name: 'Guarded' }));
    const inv = await api('POST', '/v1/team/invites', { key: adminKey, body: { email: 'viewer@example.com', role: 'viewer' } });
    assert.equal(inv.status, 201, inv.text);
    const res = await form('/app/accept', { token: tokenOf(inv.json.data.acceptUrl), name: 'Vi', password: PW });
    assert.equal(res.status, 303, res.text);
    viewer = cookieOf(res);
    vcsrf = csrfOf((await get('/app', viewer)).text);
  });
  const posts = () => [
    ['/app/monitors', httpFields({ name: 'Forged' })],
    [`/app/monitors/${id}/edit`, httpFields({ name: 'Forged' })],
    [`/app/monitors/${id}/pause`, {}],
    [`/app/monitors/${id}/resume`, {}],
    [`/app/monitors/${id}/check`, {}],
    [`/app/monitors/${id}/delete`, {}],
  ];
  const snapshot = () => JSON.stringify([srv.sql('SELECT id, name, paused, interval_s, updated_at FROM monitors ORDER BY id'),
    srv.sql('SELECT count(*) AS n FROM check_results')]);

  it('negative: signed out, pages send the person to sign in and forms are 401; nothing changes', async () => {
    const before = snapshot();
    for (const p of ['/app/monitors/new', `/app/monitors/${id}`, `/app/monitors/${id}/edit`, `/app/monitors/${id}/delete`]) {
      const res = await get(p);
      assert.equal(res.status, 303, p);
      assert.match(res.headers.get('location'), /\/app\/login$/);
    }
    for (const [p, f] of posts()) assertProblem(await form(p, { ...f, csrf }), 401, 'session_required');
    assert.equal(snapshot(), before);
  });

  it('negative: without the CSRF token, with a wrong one or from another Origin, every form is 403; nothing changes', async () => {
    const before = snapshot();
    for (const [p, f] of posts()) {
      assertProblem(await form(p, f, { cookie: owner }), 403, 'bad_csrf');
      assertProblem(await form(p, { ...f, csrf: 'A'.repeat(43) }, { cookie: owner }), 403, 'bad_csrf');
      assertProblem(await form(p, { ...f, csrf }, { cookie: owner, origin: 'https://evil.example' }), 403, 'bad_origin');
    }
    assert.equal(snapshot(), before);
  });

  it('negative: a viewer sees no write controls, and a viewer\'s forged POST is 403; nothing changes', async () => {
    const before = snapshot();
    const over = await get('/app', viewer);
    assert.equal(over.status, 200);
    assert.match(over.text, />Guarded</);
    assert.doesNotMatch(over.text, /monitors\/new/);
    const page = await get(`/app/monitors/${id}`, viewer);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /method="post" action="[^"]*\/monitors\//);
    assert.doesNotMatch(page.text, /\/edit"|\/delete"/);
    for (const p of ['/app/monitors/new', `/app/monitors/${id}/edit`, `/app/monitors/${id}/delete`])
      assertProblem(await get(p, viewer), 403, 'insufficient_scope');
    for (const [p, f] of posts()) assertProblem(await form(p, { ...f, csrf: vcsrf }, { cookie: viewer }), 403, 'insufficient_scope');
    assert.equal(snapshot(), before);
  });

  it('negative: another team\'s monitor is 404 for every page and form; nothing changes', async () => {
    const before = JSON.stringify(srv.sql(`SELECT name, paused, updated_at FROM monitors WHERE id = '${otherMon}'`));
    for (const p of [`/app/monitors/${otherMon}`, `/app/monitors/${otherMon}/edit`, `/app/monitors/${otherMon}/delete`])
      assertProblem(await get(p, owner), 404, 'not_found');
    for (const [p, f] of posts().slice(1))
      assertProblem(await form(p.replace(id, otherMon), { ...f, csrf }, { cookie: owner }), 404, 'not_found');
    assert.equal(JSON.stringify(srv.sql(`SELECT name, paused, updated_at FROM monitors WHERE id = '${otherMon}'`)), before);
    assert.equal(count(`id = '${otherMon}'`), 1);
  });
});

describe('in a real browser (headless Chromium)', () => {
  let browser, tab;
  before(async () => { browser = await startBrowser(); });
  after(async () => { await tab?.close(); await browser?.close(); });

  async function at(re) {
    for (let i = 0; i < 100; i++) {
      const [p, ready] = await tab.eval('[location.pathname, document.readyState]');
      if (re.test(p) && ready === 'complete') return p;
      await sleep(100);
    }
    assert.fail(`the browser never reached ${re}: ${await tab.eval('location.href')} ${await tab.eval('document.body.innerText')} ${tab.errors}`);
  }
  const fill = (id, value) => tab.eval(`document.getElementById(${JSON.stringify(id)}).value = ${JSON.stringify(value)}`);
  const click = (selector) => tab.eval(`document.querySelector(${JSON.stringify(selector)}).click()`);
  const fits = async () => assert.ok(await tab.eval('document.documentElement.scrollWidth <= window.innerWidth'),
    `the page overflows sideways: ${await tab.eval('location.pathname')}`);
  const go = (p) => tab.eval(`location.href = ${JSON.stringify(srv.baseUrl + p)}`);

  it('creates a monitor through the form, finds it on the overview and its page (chart), pauses and resumes it; nothing overflows at 375 px', async () => {
    tab = await browser.open(`${srv.baseUrl}/app/login`, { width: 375, height: 800, mobile: true });
    await fill('email', 'owner@example.com');
    await fill('password', PW);
    await click('button[type=submit]');
    await at(/\/app$/);
    await fits();
    await click('a[href$="/monitors/new"]');
    await at(/\/app\/monitors\/new$/);
    await fits();
    await fill('name', 'From the browser');
    await fill('url', target.url('/browser'));
    await fill('intervalSeconds', 'soon');
    await click('form.card button[type=submit]');
    // Refused: the form again, the error beside its field, what was typed kept.
    for (let i = 0; i < 100 && !(await tab.eval('!!document.getElementById("intervalSeconds-error")')); i++) await sleep(100);
    assert.equal(await tab.eval('document.getElementById("name").value'), 'From the browser');
    await fits();
    await fill('intervalSeconds', '300');
    await click('form.card button[type=submit]');
    const p = await at(/\/app\/monitors\/mon_[0-9A-Za-z]{20}$/);
    const id = p.split('/').pop();
    assert.equal(await tab.eval('!!document.querySelector("svg.chart path")'), true, 'the chart SVG');
    await fits();
    await click('form[action$="/pause"] button');
    for (let i = 0; i < 100 && !(await tab.eval('!!document.querySelector("form[action$=\'/resume\']")')); i++) await sleep(100);
    assert.equal(Number(row(id).paused), 1);
    await click('form[action$="/resume"] button');
    for (let i = 0; i < 100 && !(await tab.eval('!!document.querySelector("form[action$=\'/pause\']")')); i++) await sleep(100);
    assert.equal(Number(row(id).paused), 0);
    await click('a[href$="/edit"]');
    await at(/\/edit$/);
    await fits();
    await go('/app?state=all&tag=');
    await at(/\/app$/);
    assert.ok(await tab.eval(`[...document.querySelectorAll('table.monitors a')].some((a) => a.textContent === 'From the browser')`));
    assert.equal(await tab.eval('document.querySelectorAll("svg.spark").length > 0'), true);
    await fits();
    await go(`/app/monitors/${id}/delete`);
    await at(/\/delete$/);
    await fits();
    await go(`/app/monitors/${id}?range=30d`);
    await at(/mon_/);
    await fits();
    // The refused form's 422 is the one failed load, as it should be.
    assert.deepEqual(tab.errors.filter((e) => !/422.*\/app\/monitors$/.test(e)), [], 'the pages reported errors');
  });
});
