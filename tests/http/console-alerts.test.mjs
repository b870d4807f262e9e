// The console's alert channels, status pages and maintenance windows
// (docs/console.md) through lighttpd: each form saves through the API's
// modules (what the API then reads back), every form's bad input is its
// page again (422) with the error beside the field and nothing changed,
// another team's ids are 404, and a form without a session, without the
// CSRF token, from another Origin or from a viewer is refused with
// nothing changed.  "Send a test" reaches a webhook receiver on
// 127.0.0.1 through uptime-notify.  Then the same pages in headless
// Chromium at 375 px.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, runCron } from './lib/harness.mjs';
import { startBrowser } from './lib/browser.mjs';
import { startHttpTarget } from './lib/targets.mjs';

const PW = 'correct horse battery';
const SECRET = 'whsec_console_0123456789abcdef';
let srv, api, teamId, key, otherKey, owner, csrf, viewer, vcsrf, recv;
const got = [];        // what the webhook receiver took
const other = {};      // another team's objects
let mon, mon2, otherMon;

// POST a form; fields an object or an array of [name, value].
function form(path, fields, { cookie = owner, origin, withCsrf = true } = {}) {
  const f = Array.isArray(fields) ? [...fields] : Object.entries(fields);
  if (withCsrf && cookie) f.push(['csrf', cookie === owner ? csrf : vcsrf]);
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (cookie) headers.cookie = cookie;
  if (origin !== undefined) headers.origin = origin;
  return api('POST', path, { rawBody: new URLSearchParams(f).toString(), headers });
}
const get = (path, cookie = owner) => api('GET', path, { headers: cookie ? { cookie } : {} });
const csrfOf = (html) => /name="csrf" value="([^"]+)"/.exec(html)?.[1];
const tokenOf = (link) => new URL(link).hash.replace(/^#token=/, '');
const cookieOf = (res) => res.headers.get('set-cookie').split(';')[0];
const idIn = (res, prefix) => new RegExp(`/(${prefix}_[0-9A-Za-z]{20})$`).exec(res.headers.get('location'))?.[1];
const picture = () => srv.snapshot({ exclude: ['audit_events', 'sessions'] });
function assertProblem(res, status, code) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json?.code, code, res.text);
}
// A form refused for its fields: the page again, the error beside the
// field named, nothing saved.
async function refused(path, fields, field) {
  const before = picture();
  const res = await form(path, fields);
  assert.equal(res.status, 422, `${path} ${JSON.stringify(fields)}: ${res.status} ${res.text.slice(0, 300)}`);
  assert.match(res.text, /role="alert"/);
  if (field.startsWith('/')) assert.match(res.text, new RegExp(`<code>${field}</code>`));
  else assert.match(res.text, new RegExp(`name="${field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*\\bname="${field}"|id="[a-z-]*${field}-error"`),
    `no error beside ${field}`);
  assert.deepEqual(picture(), before, 'a refused form changed the database');
  return res;
}
const v1 = async (path) => {
  const res = await api('GET', path, { key });
  assert.equal(res.status, 200, res.text);
  return res.json.data;
};

before(async () => {
  recv = await startHttpTarget(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    got.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  srv = await startServer({ allowPrivate: true, env: { UPTIME_LOGIN_LIMIT: '1000' } });
  api = srv.api;
  const r = await srv.admin('team', 'create', 'Alerts team', '--owner', 'owner@example.com');
  assert.equal(r.code, 0, r.stderr);
  teamId = r.stdout.trim();
  key = await srv.createKey(teamId);
  const set = await form('/app/password', { token: tokenOf(/(http\S+#token=\S+)/.exec(r.stderr)[1]), password: PW },
    { cookie: null });
  assert.equal(set.status, 303, set.text);
  owner = cookieOf(set);
  csrf = csrfOf((await get('/app/alerts')).text);
  const inv = await api('POST', '/v1/team/invites', { key, body: { email: 'viewer@example.com', role: 'viewer' } });
  const acc = await form('/app/accept', { token: tokenOf(inv.json.data.acceptUrl), name: 'A viewer', password: PW },
    { cookie: null });
  assert.equal(acc.status, 303, acc.text);
  viewer = cookieOf(acc);
  vcsrf = csrfOf((await get('/app/alerts', viewer)).text);
  mon = (await api('POST', '/v1/monitors', { key, body: { name: 'Web', url: recv.url('/web'), paused: true } })).json.data;
  mon2 = (await api('POST', '/v1/monitors', { key, body: { name: 'API', url: recv.url('/api'), paused: true } })).json.data;

  // Another team's objects, for the 404s.
  otherKey = await srv.createKey(await srv.createTeam('Other team'));
  const post = async (path, body) => {
    const res = await api('POST', path, { key: otherKey, body });
    assert.equal(res.status, 201, res.text);
    return res.json.data;
  };
  otherMon = await post('/v1/monitors', { name: 'Theirs', url: recv.url('/theirs'), paused: true });
  other.ach = (await post('/v1/alert-channels', { name: 'theirs', type: 'webhook', config: { url: recv.url('/theirs') } })).id;
  const sp = await post('/v1/status-pages', { name: 'Theirs', slug: 'theirs', components: [{ monitorId: otherMon.id }] });
  other.sp = sp.id;
  other.cmp = sp.components[0].id;
  other.inc = (await post(`/v1/status-pages/${sp.id}/incidents`, { title: 'Theirs', message: 'theirs' })).id;
  other.mw = (await post('/v1/maintenance-windows', {
    title: 'Theirs', startsAt: new Date(Date.now() + 3600e3).toISOString(), endsAt: new Date(Date.now() + 7200e3).toISOString(),
  })).id;
});
after(async () => {
  await srv?.stop();
  await recv?.close();
});

describe('alert channels', () => {
  it('creates a channel of every type through the form, as the API reads it back', async () => {
    const forms = {
      email: { to: 'Ops@Example.com\noncall@example.org', subjectPrefix: '[prod]' },
      webhook: { url: recv.url('/hook'), secret: SECRET, headers: 'X-Team: blue' },
      slack: { webhookUrl: 'https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXsl4k', channel: '#ops' },
      discord: { webhookUrl: 'https://discord.com/api/webhooks/1234/abcdefghijkldisc' },
      pagerduty: { routingKey: 'R0UTINGKEY0123456789abcdefpd42' },
      telegram: { botToken: '123456:ABCdefGHIjklMNOpqrSTUvwx-tg99', chatId: '-1001234567890' },
    };
    for (const [type, config] of Object.entries(forms)) {
      const page = await get(`/app/alerts/new?type=${type}`);
      assert.equal(page.status, 200, page.text);
      for (const name of Object.keys(config)) assert.match(page.text, new RegExp(`name="${name}"`));
      const res = await form('/app/alerts', [['type', type], ['name', `My ${type}`], ...Object.entries(config),
        ['events', 'down'], ['events', 'up'], ['monitorIds', mon.id], ['remindEveryMinutes', '30'], ['enabled', 'on']]);
      assert.equal(res.status, 303, res.text);
      const ch = await v1(`/v1/alert-channels/${idIn(res, 'ach')}`);
      assert.equal(ch.type, type);
      assert.equal(ch.name, `My ${type}`);
      assert.deepEqual(ch.events, { down: true, up: true, degraded: false, sslExpiring: false, dnsChanged: false });
      assert.deepEqual(ch.monitorIds, [mon.id]);
      assert.equal(ch.remindEveryMinutes, 30);
      if (type === 'email') assert.deepEqual(ch.config, { to: ['ops@example.com', 'oncall@example.org'], subjectPrefix: '[prod]' });
      if (type === 'webhook') assert.deepEqual(Object.keys(ch.config.headers), ['X-Team']);
    }
    assert.match((await get('/app/alerts')).text, /My telegram/);
  });

  it('edits a channel: a secret sent back masked is kept; "send test" reaches the webhook receiver', async () => {
    const made = await form('/app/alerts', { type: 'webhook', name: 'Hook', url: recv.url('/hook'), secret: SECRET, enabled: 'on' });
    const id = idIn(made, 'ach');
    const page = await get(`/app/alerts/${id}`);
    assert.ok(!page.text.includes(SECRET), 'the secret is masked on the page');
    const masked = /name="secret" autocomplete="off" value="([^"]+)"/.exec(page.text)?.[1];
    assert.ok(masked?.endsWith('cdef'), page.text);
    const res = await form(`/app/alerts/${id}`, { name: 'Hook renamed', url: recv.url('/hook'), secret: masked, enabled: 'on', events: 'down' });
    assert.equal(res.status, 303, res.text);
    assert.equal((await v1(`/v1/alert-channels/${id}`)).name, 'Hook renamed');
    assert.equal(srv.sql(`SELECT config FROM channels WHERE id = '${id}'`)[0].config.includes(SECRET), true);

    const test = await form(`/app/alerts/${id}/test`, {});
    assert.equal(test.status, 303, test.text);
    assert.match(test.headers.get('location'), new RegExp(`/app/alerts/${id}$`));
    const r = await runCron(srv, 'uptime-notify', []);
    assert.equal(r.code, 0, r.stderr);
    const hit = got.find((g) => g.path === '/hook' && g.headers['uptime-event'] === 'test');
    assert.ok(hit, `the receiver took no test: ${JSON.stringify(got.map((g) => g.path))}`);
    assert.match(hit.headers['uptime-signature'], /^t=\d+, v1=[0-9a-f]{64}$/);
    const history = await get(`/app/alerts/${id}`);
    assert.match(history.text, /<td>test<\/td><td class="ntf-sent">sent<\/td>/);
  });

  it('the notification history is paged (25 a page, then "Older notifications")', async () => {
    const made = await form('/app/alerts', { type: 'webhook', name: 'Paged', url: recv.url('/paged'), enabled: 'on' });
    const id = idIn(made, 'ach');
    for (let i = 0; i < 26; i++) assert.equal((await form(`/app/alerts/${id}/test`, {})).status, 303);
    const first = await get(`/app/alerts/${id}`);
    assert.equal((first.text.match(/<td>test<\/td>/g) ?? []).length, 25);
    const older = /href="([^"]+\?older=[^"#]+)#history"/.exec(first.text)?.[1];
    assert.ok(older, 'a link to older notifications');
    const second = await get(older.replace(/^.*\/app/, '/app'));
    assert.equal(second.status, 200);
    assert.equal((second.text.match(/<td>test<\/td>/g) ?? []).length, 1);
    assert.ok(!/\?older=/.test(second.text));
    assert.ok((await get('/app/alerts')).text.includes('?older='), 'the team\'s history is paged too');
    assertProblem(await get(`/app/alerts/${id}?older=nope`), 400, 'bad_query');
    assertProblem(await get('/app/alerts?cursor=x'), 400, 'bad_query');
    assert.equal((await form(`/app/alerts/${id}/delete`, {})).status, 303);
    assert.equal((await api('GET', `/v1/alert-channels/${id}`, { key })).status, 404);
  });

  it('negative: bad fields are the form again, the error beside its field, nothing saved', async () => {
    const hook = { type: 'webhook', name: 'x', url: recv.url('/hook'), enabled: 'on' };
    await refused('/app/alerts', { ...hook, name: '' }, 'name');
    await refused('/app/alerts', { ...hook, url: 'ftp://example.com/' }, 'url');
    await refused('/app/alerts', { ...hook, secret: 'short' }, 'secret');
    await refused('/app/alerts', { ...hook, headers: 'Content-Type: text/plain' }, 'headers');
    await refused('/app/alerts', { ...hook, remindEveryMinutes: '3' }, 'remindEveryMinutes');
    await refused('/app/alerts', { ...hook, remindEveryMinutes: 'soon' }, 'remindEveryMinutes');
    await refused('/app/alerts', { ...hook, monitorIds: otherMon.id }, 'monitorIds');
    await refused('/app/alerts', { type: 'email', name: 'm', to: 'not an address' }, 'to');
    await refused('/app/alerts', { type: 'email', name: 'm' }, 'to');
    await refused('/app/alerts', { type: 'telegram', name: 't', botToken: 'nope', chatId: '1' }, 'botToken');
    await refused('/app/alerts', { type: 'pagerduty', name: 'p', routingKey: 'has spaces' }, 'routingKey');
    await refused('/app/alerts', { type: 'carrier-pigeon', name: 'p' }, '/type');
    const id = idIn(await form('/app/alerts', hook), 'ach');
    await refused(`/app/alerts/${id}`, { name: 'y', url: 'http://' }, 'url');
    // A new address does not take the stored secret sent back masked.
    const hook2 = idIn(await form('/app/alerts', { ...hook, secret: SECRET }), 'ach');
    const masked = /name="secret" autocomplete="off" value="([^"]+)"/.exec((await get(`/app/alerts/${hook2}`)).text)[1];
    await refused(`/app/alerts/${hook2}`, { name: 'y', url: recv.url('/elsewhere'), secret: masked }, 'secret');
    assertProblem(await get('/app/alerts/new?type=fax'), 400, 'bad_query');
  });
});

describe('status pages', () => {
  let sp, cmp, inc;

  it('creates a page, adds and removes components, opens an incident, posts an update and resolves it', async () => {
    const res = await form('/app/status-pages', { name: 'Public status', slug: 'public-status', description: 'All of it',
      historyDays: '30', isPublic: 'on', showOverallStatus: 'on' });
    assert.equal(res.status, 303, res.text);
    sp = idIn(res, 'sp');
    assert.equal((await v1(`/v1/status-pages/${sp}`)).historyDays, 30);
    const edit = await form(`/app/status-pages/${sp}`, { name: 'Status', slug: 'public-status', title: 'Our status', historyDays: '60', isPublic: 'on' });
    assert.equal(edit.status, 303, /role="alert">[\s\S]*?<\/div>/.exec(edit.text)?.[0]);
    const page = await v1(`/v1/status-pages/${sp}`);
    assert.deepEqual([page.name, page.title, page.historyDays, page.showOverallStatus, page.description], ['Status', 'Our status', 60, false, null]);

    assert.equal((await form(`/app/status-pages/${sp}/components`, { monitorId: mon.id, displayName: 'Website' })).status, 303);
    assert.equal((await form(`/app/status-pages/${sp}/components`, { monitorId: mon2.id, displayName: 'Again', group: 'Core' })).status, 303);
    let comps = (await v1(`/v1/status-pages/${sp}`)).components;
    assert.deepEqual(comps.map((c) => [c.displayName, c.group]), [['Website', null], ['Again', 'Core']]);
    cmp = comps[0].id;
    assert.equal((await form(`/app/status-pages/${sp}/components/${comps[1].id}/remove`, {})).status, 303);
    comps = (await v1(`/v1/status-pages/${sp}`)).components;
    assert.deepEqual(comps.map((c) => c.id), [cmp]);

    const open = await form(`/app/status-pages/${sp}/incidents`, { title: 'Slow pages', status: 'investigating', impact: 'major',
      message: 'Looking <into> it', componentIds: cmp });
    assert.equal(open.status, 303, open.text);
    [inc] = (await v1(`/v1/incidents?statusPageId=${sp}`));
    assert.deepEqual([inc.title, inc.impact, inc.componentIds], ['Slow pages', 'major', [cmp]]);
    assert.match((await get(`/app/status-pages/${sp}`)).text, /Looking &lt;into&gt; it/);
    const upd = await form(`/app/status-pages/${sp}/incidents/${inc.id}/updates`, { status: 'identified', message: 'Found it' });
    assert.equal(upd.status, 303, upd.text);
    const done = await form(`/app/status-pages/${sp}/incidents/${inc.id}/updates`, { status: 'resolved', message: 'Fixed' });
    assert.equal(done.status, 303, done.text);
    const after = await v1(`/v1/incidents/${inc.id}`);
    assert.equal(after.status, 'resolved');
    assert.ok(after.resolvedAt);
    assert.deepEqual(after.updates.map((u) => u.status), ['resolved', 'identified', 'investigating']);
    assert.ok(!(await get(`/app/status-pages/${sp}`)).text.includes(`/incidents/${inc.id}/updates`), 'no update form once resolved');
  });

  it('negative: bad fields are the form again, the error beside its field, nothing saved', async () => {
    await refused('/app/status-pages', { name: 'x', slug: 'Not A Slug' }, 'slug');
    await refused('/app/status-pages', { name: '', slug: 'fine-slug' }, 'name');
    await refused('/app/status-pages', { name: 'x', slug: 'public-status' }, 'slug');
    await refused('/app/status-pages', { name: 'x', slug: 'theirs' }, 'slug');
    await refused('/app/status-pages', { name: 'x', slug: 'fine-slug', historyDays: '3' }, 'historyDays');
    await refused(`/app/status-pages/${sp}`, { name: 'x', slug: 'x' }, 'slug');
    await refused(`/app/status-pages/${sp}/components`, { monitorId: otherMon.id }, 'monitorId');
    await refused(`/app/status-pages/${sp}/components`, { monitorId: 'nope' }, 'monitorId');
    await refused(`/app/status-pages/${sp}/components`, { monitorId: mon.id, displayName: 'x'.repeat(256) }, 'displayName');
    await refused(`/app/status-pages/${sp}/incidents`, { title: 'x', message: '' }, 'message');
    await refused(`/app/status-pages/${sp}/incidents`, { title: '', message: 'm' }, 'title');
    await refused(`/app/status-pages/${sp}/incidents`, { title: 'x', message: 'm', status: 'panicking' }, 'status');
    await refused(`/app/status-pages/${sp}/incidents`, { title: 'x', message: 'm', componentIds: other.cmp }, 'componentIds');
    const reopen = await form(`/app/status-pages/${sp}/incidents`, { title: 'Open one', status: 'investigating', message: 'm' });
    const [open] = (await v1(`/v1/incidents?statusPageId=${sp}&status=open`));
    assert.equal(reopen.status, 303);
    await refused(`/app/status-pages/${sp}/incidents/${open.id}/updates`, { status: 'identified', message: '' }, 'message');
    await refused(`/app/status-pages/${sp}/incidents/${open.id}/updates`, { status: 'gone', message: 'm' }, 'status');
    // An incident of another page of the team is not this page's.
    const sp2 = idIn(await form('/app/status-pages', { name: 'Second', slug: 'second-page' }), 'sp');
    const before = picture();
    assertProblem(await form(`/app/status-pages/${sp2}/incidents/${open.id}/updates`, { status: 'resolved', message: 'm' }), 404, 'not_found');
    assertProblem(await form(`/app/status-pages/${sp2}/components/${cmp}/remove`, {}), 404, 'not_found');
    assert.deepEqual(picture(), before);
    assert.equal((await form(`/app/status-pages/${sp2}/delete`, {})).status, 303);
    assert.equal((await api('GET', `/v1/status-pages/${sp2}`, { key })).status, 404);
  });
});

describe('maintenance windows', () => {
  const at = (ms) => new Date(ms).toISOString().slice(0, 16);   // as datetime-local sends it
  it('schedules, edits, ends and cancels a window', async () => {
    const start = Date.now() + 86400e3;
    const res = await form('/app/maintenance', [['title', 'Upgrade'], ['startsAt', at(start)], ['endsAt', at(start + 3600e3)],
      ['timezone', 'Europe/Paris'], ['frequency', 'weekly'], ['byWeekday', 'MO'], ['byWeekday', 'TH'], ['monitorIds', mon.id],
      ['suppressAlerts', 'on'], ['showOnStatusPage', 'on']]);
    assert.equal(res.status, 303, res.text);
    const id = idIn(res, 'mw');
    let w = await v1(`/v1/maintenance-windows/${id}`);
    assert.equal(w.startsAt, `${at(start)}:00.000Z`);
    assert.deepEqual([w.timezone, w.recurrence.frequency, w.recurrence.byWeekday, w.monitorIds, w.pauseChecks],
      ['Europe/Paris', 'weekly', ['MO', 'TH'], [mon.id], false]);
    const page = await get(`/app/maintenance/${id}`);
    assert.match(page.text, new RegExp(`name="startsAt" autocomplete="off" required value="${at(start)}"`));
    const edit = await form(`/app/maintenance/${id}`, { title: 'Upgrade (longer)', startsAt: at(start), endsAt: at(start + 7200e3),
      frequency: 'once', pauseChecks: 'on' });
    assert.equal(edit.status, 303, edit.text);
    w = await v1(`/v1/maintenance-windows/${id}`);
    assert.deepEqual([w.title, w.recurrence, w.monitorIds, w.pauseChecks, w.suppressAlerts], ['Upgrade (longer)', null, null, true, false]);
    assertProblem(await form(`/app/maintenance/${id}/end`, {}), 409, 'conflict');

    const now = await form('/app/maintenance', { title: 'Now', startsAt: at(Date.now() - 120e3), endsAt: at(Date.now() + 3600e3) });
    const nowId = idIn(now, 'mw');
    assert.equal((await v1(`/v1/maintenance-windows/${nowId}`)).state, 'active');
    assert.match((await get(`/app/maintenance/${nowId}`)).text, /End now/);
    assert.equal((await form(`/app/maintenance/${nowId}/end`, {})).status, 303);
    assert.equal((await v1(`/v1/maintenance-windows/${nowId}`)).state, 'completed');

    assert.equal((await form(`/app/maintenance/${id}/delete`, {})).status, 303);
    assert.equal((await v1(`/v1/maintenance-windows/${id}`)).state, 'cancelled');
    assertProblem(await form(`/app/maintenance/${id}`, { title: 'again', startsAt: at(start), endsAt: at(start + 1) }), 409, 'conflict');
    assert.ok(!(await get(`/app/maintenance/${id}`)).text.includes('Save the window'), 'a cancelled window has no form');
  });

  it('negative: bad fields are the form again, the error beside its field, nothing saved', async () => {
    const start = Date.now() + 86400e3;
    const ok = { title: 'w', startsAt: at(start), endsAt: at(start + 3600e3) };
    await refused('/app/maintenance', { ...ok, title: '' }, 'title');
    await refused('/app/maintenance', { ...ok, endsAt: at(start - 3600e3) }, 'endsAt');
    await refused('/app/maintenance', { ...ok, startsAt: 'tomorrow' }, 'startsAt');
    await refused('/app/maintenance', { ...ok, timezone: 'Mars/Olympus' }, 'timezone');
    await refused('/app/maintenance', { ...ok, frequency: 'hourly' }, 'frequency');
    await refused('/app/maintenance', { ...ok, frequency: 'daily', byWeekday: 'MO' }, 'byWeekday');
    await refused('/app/maintenance', { ...ok, frequency: 'weekly', interval: '0' }, 'interval');
    await refused('/app/maintenance', { ...ok, monitorIds: otherMon.id }, 'monitorIds');
    const id = idIn(await form('/app/maintenance', ok), 'mw');
    await refused(`/app/maintenance/${id}`, { ...ok, endsAt: '' }, 'endsAt');
  });
});

describe('refusals', () => {
  // Every form of these pages, with a body that would work.
  const posts = () => [
    ['/app/alerts', { type: 'webhook', name: 'x', url: recv.url('/x') }],
    [`/app/alerts/${other.ach}`, { name: 'x', url: recv.url('/x') }],
    ['/app/status-pages', { name: 'x', slug: 'refused-slug' }],
    ['/app/maintenance', { title: 'x', startsAt: '2031-01-01T00:00', endsAt: '2031-01-01T01:00' }],
  ];
  const foreign = () => [
    `/app/alerts/${other.ach}`, `/app/alerts/${other.ach}/test`, `/app/alerts/${other.ach}/delete`,
    `/app/status-pages/${other.sp}`, `/app/status-pages/${other.sp}/delete`, `/app/status-pages/${other.sp}/components`,
    `/app/status-pages/${other.sp}/components/${other.cmp}/remove`, `/app/status-pages/${other.sp}/incidents`,
    `/app/status-pages/${other.sp}/incidents/${other.inc}/updates`,
    `/app/maintenance/${other.mw}`, `/app/maintenance/${other.mw}/end`, `/app/maintenance/${other.mw}/delete`,
  ];

  it('negative: another team\'s channel, page, component, incident or window is 404, to read and to change; nothing changes', async () => {
    // The team's own open: the 404s are about the team.
    for (const [list, path] of [['alert-channels', 'alerts'], ['status-pages', 'status-pages'], ['maintenance-windows', 'maintenance']]) {
      const [mine] = await v1(`/v1/${list}`);
      assert.equal((await get(`/app/${path}/${mine.id}`)).status, 200, `the team's own ${list}`);
    }
    const before = picture();
    for (const p of foreign()) {
      assertProblem(await form(p, { name: 'x', title: 'x', message: 'm', monitorId: mon.id }), 404, 'not_found');
      if (!/\/(test|delete|remove|end|updates|components|incidents)$/.test(p)) assertProblem(await get(p), 404, 'not_found');
    }
    assert.deepEqual(picture(), before);
  });

  it('negative: no session (401), no or a wrong CSRF token, another Origin (403): refused with nothing changed', async () => {
    const before = picture();
    for (const [p, f] of [...posts(), ...foreign().map((x) => [x, {}])]) {
      assertProblem(await form(p, f, { cookie: null }), 401, 'session_required');
      assertProblem(await form(p, f, { withCsrf: false }), 403, 'bad_csrf');
      assertProblem(await form(p, { ...f, csrf: 'A'.repeat(43) }, { withCsrf: false }), 403, 'bad_csrf');
      assertProblem(await form(p, f, { origin: 'https://evil.example' }), 403, 'bad_origin');
    }
    for (const p of ['/app/alerts', '/app/status-pages', '/app/maintenance']) {
      const res = await get(p, null);
      assert.equal(res.status, 303);
      assert.match(res.headers.get('location'), /\/app\/login$/);
    }
    assert.deepEqual(picture(), before);
  });

  it('negative: a viewer reads every page without a write control; a viewer\'s forged POST is 403 insufficient_scope', async () => {
    const sp = (await v1('/v1/status-pages')).find((p) => p.slug === 'public-status');
    const mw = (await v1('/v1/maintenance-windows'))[0];
    const ach = (await v1('/v1/alert-channels'))[0];
    for (const p of ['/app/alerts', `/app/alerts/${ach.id}`, '/app/status-pages', `/app/status-pages/${sp.id}`, '/app/maintenance',
      `/app/maintenance/${mw.id}`]) {
      const res = await get(p, viewer);
      assert.equal(res.status, 200, `${p}: ${res.text}`);
      const actions = [...res.text.matchAll(/<form [^>]*action="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(actions.filter((a) => !a.endsWith('/app/logout')), [], `${p} has write controls`);
      assert.ok(!/<button(?![^>]*class="link")/.test(res.text.replace(/<form [^>]*\/logout"[\s\S]*?<\/form>/, '')), `${p} has a button`);
    }
    assertProblem(await get('/app/alerts/new', viewer), 403, 'insufficient_scope');
    const before = picture();
    const mine = [
      ['/app/alerts', { type: 'webhook', name: 'x', url: recv.url('/x') }],
      [`/app/alerts/${ach.id}`, { name: 'x' }], [`/app/alerts/${ach.id}/test`, {}], [`/app/alerts/${ach.id}/delete`, {}],
      ['/app/status-pages', { name: 'x', slug: 'viewer-slug' }], [`/app/status-pages/${sp.id}`, { name: 'x', slug: 'x-x' }],
      [`/app/status-pages/${sp.id}/delete`, {}], [`/app/status-pages/${sp.id}/components`, { monitorId: mon.id }],
      [`/app/status-pages/${sp.id}/components/${sp.components[0].id}/remove`, {}],
      [`/app/status-pages/${sp.id}/incidents`, { title: 'x', message: 'm' }],
      ['/app/maintenance', { title: 'x', startsAt: '2031-01-01T00:00', endsAt: '2031-01-01T01:00' }],
      [`/app/maintenance/${mw.id}`, { title: 'x' }], [`/app/maintenance/${mw.id}/end`, {}], [`/app/maintenance/${mw.id}/delete`, {}],
    ];
    const [inc] = await v1(`/v1/incidents?statusPageId=${sp.id}`);
    mine.push([`/app/status-pages/${sp.id}/incidents/${inc.id}/updates`, { status: 'resolved', message: 'm' }]);
    for (const [p, f] of mine) {
      const res = await form(p, f, { cookie: viewer });
      assertProblem(res, 403, 'insufficient_scope');
      assert.ok(res.json.requiredScope.endsWith(':write'), res.text);
    }
    assert.deepEqual(picture(), before);
  });
});

describe('in a real browser (headless Chromium)', () => {
  let browser, tab;
  before(async () => { browser = await startBrowser(); });
  after(async () => { await tab?.close(); await browser?.close(); });

  async function at(suffix) {
    for (let i = 0; i < 100; i++) {
      const [p, ready] = await tab.eval('[location.pathname, document.readyState]');
      if (p.endsWith(suffix) && ready === 'complete') return;
      await sleep(100);
    }
    assert.fail(`the browser never reached ${suffix}: ${await tab.eval('location.href')} ${await tab.eval('document.body.innerText')}`);
  }
  // Wait for a new page at a path matching re; its path.
  async function atMatch(re, not) {
    for (let i = 0; i < 100; i++) {
      const [p, ready] = await tab.eval('[location.pathname, document.readyState]');
      if (re.test(p) && p !== not && ready === 'complete') return p;
      await sleep(100);
    }
    assert.fail(`the browser never reached ${re}: ${await tab.eval('location.href')}`);
  }
  // Wait until expr holds on a loaded page (a navigation may be under way).
  async function until(expr) {
    for (let i = 0; i < 100; i++) {
      let ok = false;
      try { ok = await tab.eval(`document.readyState === 'complete' && !!(${expr})`); } catch { /* navigating */ }
      if (ok) return;
      await sleep(100);
    }
    assert.fail(`never: ${expr}`);
  }
  const go = async (path) => { await tab.eval(`location.href = ${JSON.stringify(srv.baseUrl + path)}`); await at(path); };
  const fill = (sel, value) => tab.eval(`document.querySelector(${JSON.stringify(sel)}).value = ${JSON.stringify(value)}`);
  const click = (sel) => tab.eval(`document.querySelector(${JSON.stringify(sel)}).click()`);
  const tick = (sel) => tab.eval(`document.querySelector(${JSON.stringify(sel)}).checked = true`);
  const fits = async (what) => assert.ok(await tab.eval('document.documentElement.scrollWidth <= window.innerWidth'),
    `${what} overflows sideways at 375 px`);

  it('creates a channel and sends a test, makes a status page with a component, posts an incident update, schedules a window: at 375 px', async () => {
    tab = await browser.open(`${srv.baseUrl}/app/login`, { width: 375, height: 800, mobile: true });
    await fill('#email', 'owner@example.com');
    await fill('#password', PW);
    await click('button[type=submit]');
    await at('/app');

    await go('/app/alerts');
    await fits('the alerts page');
    await fill('#type', 'webhook');
    await click('form.card button[type=submit]');
    await at('/app/alerts/new');
    await fits('the new channel form');
    await fill('#name', 'From a browser');
    await fill('#url', recv.url('/browser'));
    await click('form.card button[type=submit]');
    const chPath = await atMatch(/\/app\/alerts\/ach_/);
    await fits('the channel page');
    await click('form[action$="/test"] button');
    await until('document.body.innerText.includes("pending")');
    assert.equal((await runCron(srv, 'uptime-notify', [])).code, 0);
    assert.ok(got.some((g) => g.path === '/browser' && g.headers['uptime-event'] === 'test'), 'the test reached the receiver');
    await go(chPath);
    assert.match(await tab.eval('document.body.innerText'), /sent/);

    await go('/app/status-pages');
    await fits('the status pages page');
    await fill('#name', 'Browser page');
    await fill('#slug', 'browser-page');
    await click('form.card button[type=submit]');
    const spPath = await atMatch(/\/app\/status-pages\/sp_/);
    await fits('a status page');
    await fill('#c-monitorId', mon.id);
    await fill('#c-displayName', 'Browser component');
    await click('form[action$="/components"] button[type=submit]');
    await until('document.body.innerText.includes("Browser component")');
    await at(spPath);
    await fill('#i-title', 'Browser incident');
    await fill('#i-message', 'Seen from a browser');
    await tick('input[name=componentIds]');
    await click('form[action$="/incidents"] button[type=submit]');
    await until('!!document.querySelector("form[action$=\'/updates\']")');
    await at(spPath);
    await fits('a status page with an incident');
    await tab.eval('document.querySelector("form[action$=\'/updates\'] select").value = "monitoring"');
    await tab.eval('document.querySelector("form[action$=\'/updates\'] textarea").value = "A fix is out"');
    await click('form[action$="/updates"] button[type=submit]');
    await until('document.body.innerText.includes("A fix is out")');
    const spId = spPath.split('/').pop();
    const [inc] = await v1(`/v1/incidents?statusPageId=${spId}`);
    assert.deepEqual([inc.status, inc.updates[0].message, inc.componentIds.length], ['monitoring', 'A fix is out', 1]);

    await go('/app/maintenance');
    await fits('the maintenance page');
    const start = new Date(Date.now() + 86400e3).toISOString().slice(0, 16);
    const end = new Date(Date.now() + 90000e3).toISOString().slice(0, 16);
    await fill('#title', 'Browser window');
    await fill('#startsAt', start);
    await fill('#endsAt', end);
    await click('form.card button[type=submit]');
    const mwPath = await atMatch(/\/app\/maintenance\/mw_/);
    await fits('a maintenance window');
    const w = await v1(`/v1/maintenance-windows/${mwPath.split('/').pop()}`);
    assert.deepEqual([w.title, w.startsAt, w.state], ['Browser window', `${start}:00.000Z`, 'scheduled']);
    assert.deepEqual(tab.errors, [], 'the pages reported errors');
  });
});
