// Configuration as code (docs/config.md): GET /v1/config exports a team's
// monitors, alert channels, status pages and maintenance windows as one
// document that names objects by ref; PUT /v1/config applies such a
// document (or, with dryRun=true, only answers the plan), all or nothing.
//
// - export, apply to an empty team, export again: the same document;
//   examples/uptime.json applies to a fresh team;
// - the dry run's plan is what the apply then does, checked against the
//   exports before and after;
// - one bad object changes nothing and is named (kind, ref, pointer);
// - the same document twice: the second plan is empty;
// - prune deletes only with prune=true, and only kinds the document lists;
// - masked secrets are kept, given ones replace them: checked by real
//   webhook deliveries and their signatures;
// - each kind's :read and :write scope, the per-team limits, other teams;
// - malformed JSON, unknown fields, wrong types, duplicate and dangling
//   refs, bad queries, 413 and 415.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, runCron, ROOT } from './lib/harness.mjs';
import { startHttpTarget } from './lib/targets.mjs';
import { assertOk, assertProblem, assertNoChange, assertForbidden } from './lib/checks.mjs';

const MAX_MONITORS = 12;
const DOTS = '\u2022\u2022\u2022\u2022';
const S1 = 'whsec_first_secret_0123456789AAAA';
const S2 = 'whsec_second_secret_987654321BBBB';
const HDR = 'Bearer header-token-0123456789CCCC';
const KINDS = ['monitors', 'alertChannels', 'statusPages', 'maintenanceWindows'];
const KIND_NAME = { monitors: 'monitor', alertChannels: 'alertChannel', statusPages: 'statusPage', maintenanceWindows: 'maintenanceWindow' };
const READ = { monitors: 'monitors:read', alertChannels: 'alerts:read', statusPages: 'status-pages:read', maintenanceWindows: 'maintenance:read' };
const WRITE = { monitors: 'monitors:write', alertChannels: 'alerts:write', statusPages: 'status-pages:write', maintenanceWindows: 'maintenance:write' };
const ALL_READ = Object.values(READ);
const ALL_WRITE = Object.values(WRITE);

let srv, recv;
const got = [];
let seq = 0;

const api = (...a) => srv.api(...a);
const clone = (x) => JSON.parse(JSON.stringify(x));
const exportDoc = async (key) => assertOk(await api('GET', '/v1/config', { key }));
const put = (key, body, query = '') => api('PUT', `/v1/config${query}`, { key, body });
const apply = async (key, body, query = '') => assertOk(await put(key, body, query));

async function newTeam(name, scopes = 'all') {
  const team = await srv.createTeam(`${name} ${++seq}`);
  return { team, key: await srv.createKey(team, { name: `${name} key`, scopes }) };
}

// A team with objects of every kind, made through the family APIs.  tag
// keeps the page's slug (unique across teams) apart.
async function seed(key, tag) {
  const post = async (p, body) => assertOk(await api('POST', p, { key, body }), 201);
  const web = await post('/v1/monitors', {
    name: 'Web site', url: 'https://www.example.com/', headers: { 'X-Probe': 'uptime' },
    contentChecks: [{ type: 'contains', value: 'Welcome' }], tags: ['public'], paused: true,
  });
  const db = await post('/v1/monitors', { name: 'DB', type: 'tcp', host: 'db.example.com', port: 5432, paused: true });
  const dns = await post('/v1/monitors', { name: 'Mail DNS', type: 'dns', hostname: 'example.com', recordType: 'MX' });
  await post('/v1/monitors', { name: 'Cron job', type: 'heartbeat', schedule: '*/15 * * * *', timezone: 'Europe/Berlin' });
  await post('/v1/monitors', { name: 'Queue', type: 'heartbeat', intervalSeconds: 300 });
  await post('/v1/alert-channels', { name: 'Ops mail', type: 'email', config: { to: ['ops@example.com'] } });
  const hook = await post('/v1/alert-channels', {
    name: 'Hook', type: 'webhook', monitorIds: [web.id, db.id], remindEveryMinutes: 15,
    config: { url: recv.url(`/hook/${tag}`), secret: S1, headers: { Authorization: HDR } },
  });
  await post('/v1/status-pages', {
    name: 'Status', slug: `${tag}-status`, description: 'How we are',
    components: [{ monitorId: web.id, group: 'Web' }, { monitorId: db.id, displayName: 'Database' }],
  });
  await post('/v1/maintenance-windows', {
    title: 'Weekly DB', startsAt: '2030-01-06T03:00:00Z', endsAt: '2030-01-06T04:00:00Z',
    recurrence: { frequency: 'weekly', byWeekday: ['SU'] }, monitorIds: [db.id],
  });
  await post('/v1/maintenance-windows', {
    title: 'Move', startsAt: '2030-03-01T00:00:00Z', endsAt: '2030-03-01T06:00:00Z', pauseChecks: true,
  });
  return { web, db, dns, hook };
}

// The plan's changes for one object, computed here from two exported
// objects with the rule docs/config.md gives: each member that differs;
// members that are objects on both sides, member by member (a.b).
const canon = (v) => JSON.stringify(v, (k, x) => (x && typeof x === 'object' && !Array.isArray(x)
  ? Object.fromEntries(Object.keys(x).sort().map((n) => [n, x[n]])) : x));
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
function changes(b, a, prefix = '') {
  const out = [];
  const names = [...Object.keys(a), ...Object.keys(b).filter((n) => !(n in a))];
  for (const n of names) {
    if (n in a && n in b && canon(a[n]) === canon(b[n])) continue;
    if (!prefix && isObj(a[n]) && isObj(b[n])) { out.push(...changes(b[n], a[n], `${n}.`)); continue; }
    out.push({ field: `${prefix}${n}`, from: n in b ? b[n] : null, to: n in a ? a[n] : null });
  }
  return out;
}
const sortBy = (list) => [...list].sort((x, y) => canon(x).localeCompare(canon(y)));

// What the exports before and after say a plan must hold.
function expectedPlan(before, after) {
  const want = { create: [], update: [], delete: [] };
  for (const k of KINDS) {
    const b = new Map((before[k] ?? []).map((o) => [o.ref, o]));
    const a = new Map((after[k] ?? []).map((o) => [o.ref, o]));
    for (const [ref, o] of a) {
      if (!b.has(ref)) want.create.push({ kind: KIND_NAME[k], ref });
      else if (canon(o) !== canon(b.get(ref))) want.update.push({ kind: KIND_NAME[k], ref, changes: changes(b.get(ref), o) });
    }
    for (const ref of b.keys()) if (!a.has(ref)) want.delete.push({ kind: KIND_NAME[k], ref });
  }
  return want;
}
const planShape = (p) => ({
  create: sortBy(p.create.map(({ kind, ref }) => ({ kind, ref }))),
  update: sortBy(p.update.map(({ kind, ref, changes: c }) => ({ kind, ref, changes: sortBy(c) }))),
  delete: sortBy(p.delete.map(({ kind, ref }) => ({ kind, ref }))),
});

// The receiver's view of a webhook signature: HMAC-SHA256 of "t.body".
function signedWith(secret, header, raw) {
  const m = /^t=(\d+), v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const mac = crypto.createHmac('sha256', secret).update(`${m[1]}.${raw}`).digest('hex');
  return crypto.timingSafeEqual(Buffer.from(mac), Buffer.from(m[2]));
}

// Queue a test notification for the channel, run the notifier once, and
// return the delivery the receiver got.
async function deliver(key, channelId, pathName) {
  assertOk(await api('POST', `/v1/alert-channels/${channelId}/test`, { key }), 202);
  const before = got.length;
  const r = await runCron(srv, 'uptime-notify');
  assert.equal(r.code, 0, r.stderr);
  const mine = got.slice(before).filter((g) => g.path === pathName);
  assert.equal(mine.length, 1, `one delivery to ${pathName}`);
  return mine[0];
}

before(async () => {
  recv = await startHttpTarget(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    got.push({ path: req.url, headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
    res.setHeader('Content-Type', 'application/json');
    res.end('{"ok":true}');
  });
  srv = await startServer({
    allowPrivate: true, env: { UPTIME_RATE_LIMIT: '1000000', UPTIME_MAX_MONITORS: String(MAX_MONITORS) },
  });
});

after(async () => {
  await recv?.close();
  await srv?.stop();
});

// ---------------------------------------------------------------------------

describe('GET /v1/config', () => {
  it('exports every kind sorted by ref, links as refs, secrets masked, no ids or states', async () => {
    const { key } = await newTeam('Export');
    await seed(key, 'export');
    const res = await api('GET', '/v1/config', { key });
    const doc = assertOk(res);
    assert.deepEqual(Object.keys(doc), ['version', ...KINDS]);
    assert.equal(doc.version, 1);
    assert.deepEqual(doc.monitors.map((m) => m.ref), ['cron-job', 'db', 'mail-dns', 'queue', 'web-site']);
    assert.deepEqual(doc.alertChannels.map((c) => c.ref), ['hook', 'ops-mail']);
    assert.deepEqual(doc.statusPages.map((p) => p.ref), ['status']);
    assert.deepEqual(doc.maintenanceWindows.map((w) => w.ref), ['move', 'weekly-db']);
    for (const s of [S1, HDR]) assert.ok(!res.text.includes(s), `the export carries the secret ${s}`);
    const hook = doc.alertChannels.find((c) => c.ref === 'hook');
    assert.deepEqual(hook.config, { url: recv.url('/hook/export'), secret: `${DOTS}AAAA`, headers: { Authorization: `${DOTS}CCCC` } });
    assert.deepEqual(hook.monitors, ['web-site', 'db']);
    assert.equal(doc.alertChannels.find((c) => c.ref === 'ops-mail').monitors, null);
    assert.deepEqual(doc.statusPages[0].components, [
      { monitor: 'web-site', displayName: 'Web site', group: 'Web' },
      { monitor: 'db', displayName: 'Database', group: null },
    ]);
    assert.deepEqual(doc.maintenanceWindows.find((w) => w.ref === 'weekly-db').monitors, ['db']);
    assert.equal(doc.maintenanceWindows.find((w) => w.ref === 'move').monitors, null);
    // A heartbeat on a schedule has no interval, as the monitors API shows it.
    assert.equal(doc.monitors.find((m) => m.ref === 'cron-job').intervalSeconds, null);
    // Only what a client writes.
    const text = JSON.stringify(doc);
    const member = /"(id|createdAt|updatedAt|status|pingUrl|lastPingAt|nextOccurrence|state|customDomainStatus)":/.exec(text);
    assert.equal(member, null, 'the export holds a read-only member');
    assert.ok(!/"(mon|ach|sp|mw|cmp)_[0-9A-Za-z]{20}"/.test(text), 'no ids in the export');
  });

  it('refs come from names (lower case, other runs "-"), a second gets -2, and stay when renamed', async () => {
    const { key } = await newTeam('Refs');
    const mk = async (name) => assertOk(await api('POST', '/v1/monitors', { key, body: { name, url: 'https://example.com/' } }), 201);
    const a = await mk('My API (prod)');
    await mk('my  api: PROD');
    await mk('\u65e5\u672c');
    await mk('--');
    const refs = (await exportDoc(key)).monitors.map((m) => m.ref);
    assert.deepEqual(refs, ['monitor', 'monitor-2', 'my-api-prod', 'my-api-prod-2']);
    assertOk(await api('PATCH', `/v1/monitors/${a.id}`, { key, body: { name: 'Renamed' } }));
    const doc = await exportDoc(key);
    assert.equal(doc.monitors.find((m) => m.name === 'Renamed').ref, 'my-api-prod');
  });

  it('GET /v1/config/{kind}: one list, with that kind\'s :read scope alone', async () => {
    const { team, key } = await newTeam('Kinds');
    await seed(key, 'kinds');
    const full = await exportDoc(key);
    for (const k of KINDS) {
      const only = await srv.createKey(team, { name: `only ${k}`, scopes: [READ[k]] });
      const doc = assertOk(await api('GET', `/v1/config/${k}`, { key: only }));
      assert.deepEqual(doc, { version: 1, [k]: full[k] });
      assertForbidden(await api('GET', '/v1/config', { key: only }), ALL_READ.find((s) => s !== READ[k]));
    }
    assertProblem(await api('GET', '/v1/config/teams', { key }), 404, 'not_found');
  });

  it('negative: each :read scope is needed (403 naming it), and the refusal is audited', async () => {
    const { team } = await newTeam('Readers');
    for (const missing of ALL_READ) {
      const k = await srv.createKey(team, { name: `no ${missing}`, scopes: ALL_READ.filter((s) => s !== missing) });
      assertForbidden(await api('GET', '/v1/config', { key: k }), missing);
    }
    const n = srv.sql(`SELECT count(*) AS n FROM audit_events WHERE team_id = '${team}' AND action = 'auth.forbidden'`)[0].n;
    assert.equal(n, ALL_READ.length);
  });
});

describe('PUT /v1/config', () => {
  it('export, apply to an empty team, export again: the same document', async () => {
    const a = await newTeam('Source');
    await seed(a.key, 'roundtrip');
    const doc = await exportDoc(a.key);
    // The page's slug is global: the source gives it up first.
    for (const p of assertOk(await api('GET', '/v1/status-pages', { key: a.key }))) {
      assert.equal((await api('DELETE', `/v1/status-pages/${p.id}`, { key: a.key })).status, 204);
    }
    // A new channel needs its secrets in full: masked ones name nothing.
    const body = clone(doc);
    const hook = body.alertChannels.find((c) => c.ref === 'hook');
    hook.config.secret = S1;
    hook.config.headers.Authorization = HDR;
    const b = await newTeam('Copy');
    assert.deepEqual(await exportDoc(b.key), { version: 1, monitors: [], alertChannels: [], statusPages: [], maintenanceWindows: [] });
    const plan = await apply(b.key, body);
    assert.equal(plan.create.length, 5 + 2 + 1 + 2);
    assert.deepEqual([plan.update, plan.delete, plan.unchanged], [[], [], 0]);
    assert.deepEqual(await exportDoc(b.key), doc);
  });

  it('examples/uptime.json applies to a fresh team, and a second time changes nothing', async () => {
    const example = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/uptime.json'), 'utf8'));
    const { key } = await newTeam('Example');
    const plan = await apply(key, example);
    assert.deepEqual(plan.create.map((e) => `${e.kind}:${e.ref}`), [
      'monitor:website', 'monitor:api', 'monitor:database', 'monitor:nightly-backup',
      'alertChannel:ops-mail', 'alertChannel:backend-hook', 'statusPage:public', 'maintenanceWindow:db-upgrades',
    ]);
    for (const e of plan.create) assert.match(e.id, /^(mon|ach|sp|mw)_[0-9A-Za-z]{20}$/);
    const doc = await exportDoc(key);
    const api1 = doc.monitors.find((m) => m.ref === 'api');
    assert.equal(api1.intervalSeconds, 30);
    assert.equal(api1.method, 'GET');
    assert.deepEqual(doc.statusPages[0].components.map((c) => [c.monitor, c.displayName, c.group]),
      [['website', 'Website', 'Web'], ['api', 'API', 'Web'], ['database', 'Database', null]]);
    assert.deepEqual(doc.alertChannels.find((c) => c.ref === 'backend-hook').events,
      { down: true, up: true, degraded: true, sslExpiring: true, dnsChanged: false });
    const again = await apply(key, example);
    assert.deepEqual([again.create, again.update, again.delete, again.unchanged], [[], [], [], 8]);
  });

  it('the dry run\'s plan is exactly what the apply then does', async () => {
    const { key } = await newTeam('Planner');
    await seed(key, 'planner');
    const before = await exportDoc(key);
    const doc = clone(before);
    const m = (ref) => doc.monitors.find((x) => x.ref === ref);
    m('web-site').intervalSeconds = 120;
    m('web-site').tags = ['public', 'edge'];
    m('db').paused = false;
    delete m('mail-dns').recordType;                      // back to its default, A
    doc.monitors = doc.monitors.filter((x) => x.ref !== 'queue');
    doc.monitors.push({ ref: 'shop', name: 'Shop', url: 'https://shop.example.com/' });
    const hook = doc.alertChannels.find((c) => c.ref === 'hook');
    hook.name = 'Hook (renamed)';
    hook.events.degraded = true;
    hook.monitors = ['shop'];
    doc.statusPages[0].components.push({ monitor: 'shop', group: 'Web' });
    doc.statusPages[0].title = 'Our status';
    doc.maintenanceWindows = doc.maintenanceWindows.filter((w) => w.ref !== 'move');
    doc.maintenanceWindows[0].monitors = ['db', 'shop'];
    doc.maintenanceWindows.push({ ref: 'freeze', title: 'Freeze', startsAt: '2031-12-20T00:00:00Z', endsAt: '2031-12-27T00:00:00Z' });

    const snap = srv.snapshot({ exclude: ['audit_events'] });
    const dry = await apply(key, doc, '?dryRun=true&prune=true');
    assert.equal(dry.dryRun, true);
    assert.deepEqual(srv.snapshot({ exclude: ['audit_events'] }), snap, 'a dry run changed the database');
    assert.deepEqual(await exportDoc(key), before);
    for (const e of dry.create) assert.equal(e.id, undefined, 'a dry run has no ids for what it would create');

    const done = await apply(key, doc, '?prune=true');
    assert.equal(done.dryRun, false);
    const afterDoc = await exportDoc(key);
    assert.deepEqual(planShape(done), planShape(dry), 'the apply did what the dry run said');
    assert.deepEqual(planShape(done), planShape(expectedPlan(before, afterDoc)), 'the plan against the exports');
    assert.equal(done.unchanged, dry.unchanged);
    // The document is what the team now has (defaults filled in).
    assert.equal(afterDoc.monitors.find((x) => x.ref === 'mail-dns').recordType, 'A');
    assert.deepEqual(done.update.find((e) => e.ref === 'web-site').changes.find((c) => c.field === 'intervalSeconds'),
      { field: 'intervalSeconds', from: 60, to: 120 });
    assert.deepEqual(done.update.find((e) => e.ref === 'hook').changes.find((c) => c.field === 'events.degraded'),
      { field: 'events.degraded', from: false, to: true });
    assert.deepEqual(done.delete.map((e) => `${e.kind}:${e.ref}`).sort(), ['maintenanceWindow:move', 'monitor:queue']);
    // Deleted as DELETE does: the monitor is gone, the window cancelled.
    const gone = done.delete.find((e) => e.ref === 'queue');
    assertProblem(await api('GET', `/v1/monitors/${gone.id}`, { key }), 404, 'not_found');
    const moved = done.delete.find((e) => e.ref === 'move');
    assert.equal(assertOk(await api('GET', `/v1/maintenance-windows/${moved.id}`, { key })).state, 'cancelled');
  });

  it('applying the same document twice changes nothing the second time', async () => {
    const { key } = await newTeam('Twice');
    const { web } = await seed(key, 'twice');
    const doc = await exportDoc(key);
    doc.monitors.find((m) => m.ref === 'web-site').timeoutSeconds = 20;
    doc.statusPages[0].components.reverse();
    const first = await apply(key, doc);
    assert.equal(first.update.length, 2);
    const stamped = assertOk(await api('GET', `/v1/monitors/${web.id}`, { key })).updatedAt;
    const snap = srv.snapshot({ exclude: ['audit_events'] });
    const second = await apply(key, doc);
    assert.deepEqual([second.create, second.update, second.delete], [[], [], []]);
    assert.equal(second.unchanged, 5 + 2 + 1 + 2);
    assert.deepEqual(srv.snapshot({ exclude: ['audit_events'] }), snap, 'an empty plan wrote');
    assert.equal(assertOk(await api('GET', `/v1/monitors/${web.id}`, { key })).updatedAt, stamped);
  });

  it('prune deletes only with prune=true, and only kinds the document lists', async () => {
    const { key } = await newTeam('Prune');
    await seed(key, 'prune');
    const doc = await exportDoc(key);
    const slim = {
      monitors: doc.monitors.filter((m) => m.ref !== 'mail-dns'),
      statusPages: [],
    };
    const kept = await apply(key, slim);
    assert.deepEqual([kept.create, kept.update, kept.delete], [[], [], []]);
    assert.deepEqual(await exportDoc(key), doc);
    const pruned = await apply(key, slim, '?prune=true');
    assert.deepEqual(pruned.delete.map((e) => `${e.kind}:${e.ref}`), ['statusPage:status', 'monitor:mail-dns']);
    const now = await exportDoc(key);
    assert.deepEqual(now.monitors.map((m) => m.ref), ['cron-job', 'db', 'queue', 'web-site']);
    assert.deepEqual(now.statusPages, []);
    // Channels and windows were not in the document: left alone.
    assert.deepEqual(now.alertChannels, doc.alertChannels);
    assert.deepEqual(now.maintenanceWindows, doc.maintenanceWindows);
  });

  it('masked secrets are kept, given ones replace them, left out ones go: as deliveries show', async () => {
    const { key } = await newTeam('Secrets');
    const { hook } = await seed(key, 'secrets');
    const where = '/hook/secrets';
    let d = await deliver(key, hook.id, where);
    assert.ok(signedWith(S1, d.headers['uptime-signature'], d.raw), 'signed with the first secret');

    // Sent back masked, with another change: the secret and header stay.
    let doc = await exportDoc(key);
    let ch = doc.alertChannels.find((c) => c.ref === 'hook');
    ch.name = 'Hook 2';
    let plan = await apply(key, doc);
    assert.deepEqual(plan.update.map((e) => e.changes), [[{ field: 'name', from: 'Hook', to: 'Hook 2' }]]);
    d = await deliver(key, hook.id, where);
    assert.ok(signedWith(S1, d.headers['uptime-signature'], d.raw), 'still signed with the first secret');
    assert.equal(d.headers.authorization, HDR);

    // Given in full: replaced, and the plan shows it masked.
    ch.config.secret = S2;
    plan = await apply(key, doc);
    const res = await put(key, doc);
    assert.ok(!res.text.includes(S2) && !JSON.stringify(plan).includes(S2), 'a plan carries a secret');
    assert.deepEqual(plan.update[0].changes, [{ field: 'config.secret', from: `${DOTS}AAAA`, to: `${DOTS}BBBB` }]);
    d = await deliver(key, hook.id, where);
    assert.ok(signedWith(S2, d.headers['uptime-signature'], d.raw), 'signed with the second secret');
    assert.ok(!signedWith(S1, d.headers['uptime-signature'], d.raw));

    // A secret replaced by one with the same last four characters: the
    // masks are alike, the plan still lists the change.
    doc = await exportDoc(key);
    ch = doc.alertChannels.find((c) => c.ref === 'hook');
    ch.config.secret = 'whsec_third_secret_000000000BBBB';
    plan = await apply(key, doc);
    assert.deepEqual(plan.update[0].changes, [{ field: 'config.secret', from: `${DOTS}BBBB`, to: `${DOTS}BBBB` }]);
    d = await deliver(key, hook.id, where);
    assert.ok(signedWith('whsec_third_secret_000000000BBBB', d.headers['uptime-signature'], d.raw));

    // Left out: removed; deliveries go unsigned.
    doc = await exportDoc(key);
    ch = doc.alertChannels.find((c) => c.ref === 'hook');
    delete ch.config.secret;
    plan = await apply(key, doc);
    assert.deepEqual(plan.update[0].changes, [{ field: 'config.secret', from: `${DOTS}BBBB`, to: null }]);
    d = await deliver(key, hook.id, where);
    assert.equal(d.headers['uptime-signature'], undefined);
  });

  it('negative: a masked secret does not follow a new address, nor make a new channel', async () => {
    const { key } = await newTeam('Moves');
    await seed(key, 'moves');
    const doc = await exportDoc(key);
    const moved = clone(doc);
    moved.alertChannels.find((c) => c.ref === 'hook').config.url = 'https://elsewhere.example.com/hook';
    const i = moved.alertChannels.findIndex((c) => c.ref === 'hook');
    let p = await assertNoChange(srv, async () => assertProblem(await put(key, moved), 400, 'validation_error',
      { pointers: [`/alertChannels/${i}/config/secret`] }));
    assert.ok(p.errors.every((e) => e.kind === 'alertChannel' && e.ref === 'hook'));
    const fresh = clone(doc);
    fresh.alertChannels.find((c) => c.ref === 'hook').ref = 'hook-copy';
    p = await assertNoChange(srv, async () => assertProblem(await put(key, fresh), 400, 'validation_error',
      { pointers: [`/alertChannels/${i}/config/secret`, `/alertChannels/${i}/config/headers`] }));
    assert.match(p.errors[0].detail, /masked/);
  });

  it('negative: a document with one bad object changes nothing, and names the object and field', async () => {
    const { key } = await newTeam('Bad');
    await seed(key, 'bad');
    const before = await exportDoc(key);
    const cases = [
      [(d) => { d.monitors[3].intervalSeconds = 5; }, '/monitors/3/intervalSeconds', 'monitor', () => before.monitors[3].ref],
      [(d) => { d.monitors.push({ ref: 'new-one', name: 'New', url: 'ftp://example.com/' }); }, '/monitors/5/url', 'monitor', () => 'new-one'],
      [(d) => { d.alertChannels[0].config.url = 'not a url'; }, '/alertChannels/0/config/url', 'alertChannel', () => 'hook'],
      [(d) => { d.alertChannels[1].events.sometimes = true; }, '/alertChannels/1/events/sometimes', 'alertChannel', () => 'ops-mail'],
      [(d) => { d.statusPages[0].historyDays = 1000; }, '/statusPages/0/historyDays', 'statusPage', () => 'status'],
      [(d) => { d.statusPages[0].components[1].monitor = 'web-site'; }, '/statusPages/0/components/1/monitor', 'statusPage', () => 'status'],
      [(d) => { d.maintenanceWindows[0].endsAt = '2020-01-01T00:00:00Z'; }, '/maintenanceWindows/0/endsAt', 'maintenanceWindow', () => 'move'],
      [(d) => { d.maintenanceWindows[1].recurrence.byWeekday = ['XX']; }, '/maintenanceWindows/1/recurrence/byWeekday/0', 'maintenanceWindow', () => 'weekly-db'],
    ];
    for (const [edit, pointer, kind, ref] of cases) {
      const doc = clone(before);
      edit(doc);
      doc.monitors.push({ ref: 'also-new', name: 'Also new', url: 'https://also.example.com/' });
      const p = await assertNoChange(srv, async () => assertProblem(await put(key, doc, '?prune=true'), 400, undefined,
        { pointers: [pointer], codes: ['validation_error', 'unknown_field'] }));
      const e = p.errors.find((x) => x.pointer === pointer);
      assert.deepEqual([e.kind, e.ref], [kind, ref()], pointer);
      assert.ok(p.detail.includes(`${kind} "${ref()}"`), p.detail);
    }
    assert.deepEqual(await exportDoc(key), before);
  });

  it('negative: malformed JSON, unknown fields, wrong types, bad, duplicate and dangling refs', async () => {
    const { key } = await newTeam('Shapes');
    await seed(key, 'shapes');
    const doc = await exportDoc(key);
    const raw = await assertNoChange(srv, () => api('PUT', '/v1/config', {
      key, rawBody: '{"monitors": [', headers: { 'Content-Type': 'application/json' },
    }));
    assertProblem(raw, 400, 'malformed_json');
    assertProblem(await assertNoChange(srv, () => api('PUT', '/v1/config', { key, rawBody: '[]', headers: { 'Content-Type': 'application/json' } })),
      400, 'malformed_json');
    const bad = [
      ['unknown_field', (d) => { d.colour = 'blue'; }, '/colour'],
      ['unknown_field', (d) => { d.monitors[0].colour = 'blue'; }, '/monitors/0/colour'],
      ['unknown_field', (d) => { d.monitors[4].port = 80; }, '/monitors/4/port'],
      ['unknown_field', (d) => { d.alertChannels[0].monitorIds = null; }, '/alertChannels/0/monitorIds'],
      ['unknown_field', (d) => { d.statusPages[0].components[0].monitorId = 'mon_AAAAAAAAAAAAAAAAAAAA'; }, '/statusPages/0/components/0/monitorId'],
      ['read_only_field', (d) => { d.monitors[0].status = 'up'; }, '/monitors/0/status'],
      ['validation_error', (d) => { d.version = 2; }, '/version'],
      ['validation_error', (d) => { d.monitors = { a: 1 }; }, '/monitors'],
      ['validation_error', (d) => { d.monitors[1] = 'db'; }, '/monitors/1'],
      ['validation_error', (d) => { d.monitors[0].timeoutSeconds = '10'; }, '/monitors/0/timeoutSeconds'],
      ['validation_error', (d) => { d.monitors[0].paused = 'no'; }, '/monitors/0/paused'],
      ['validation_error', (d) => { d.alertChannels[0].monitors = 'db'; }, '/alertChannels/0/monitors'],
      ['validation_error', (d) => { d.monitors[2].ref = 'Mail DNS'; }, '/monitors/2/ref'],
      ['validation_error', (d) => { d.monitors[2].ref = 42; }, '/monitors/2/ref'],
      ['validation_error', (d) => { d.monitors[2].ref = 'db'; }, '/monitors/2/ref'],
      ['validation_error', (d) => { d.alertChannels[0].monitors = ['db', 'db']; }, '/alertChannels/0/monitors/1'],
      ['validation_error', (d) => { d.alertChannels[0].monitors = ['nowhere']; }, '/alertChannels/0/monitors/0'],
      ['validation_error', (d) => { d.statusPages[0].components[0].monitor = 'nowhere'; }, '/statusPages/0/components/0/monitor'],
      ['validation_error', (d) => { d.maintenanceWindows[1].monitors = [7]; }, '/maintenanceWindows/1/monitors/0'],
      // A type does not change (the family's PATCH rule): the rest of the
      // object is then another type's.
      ['unknown_field', (d) => { d.monitors[1] = { ref: 'db', name: 'DB', type: 'http', url: 'https://db.example.com/' }; }, '/monitors/1/type'],
      ['validation_error', (d) => { delete d.alertChannels[1].name; }, '/alertChannels/1/name'],
    ];
    for (const [code, edit, pointer] of bad) {
      const d = clone(doc);
      edit(d);
      await assertNoChange(srv, async () => assertProblem(await put(key, d), 400, code, { pointers: [pointer] }));
    }
    // With prune, a ref must name a monitor of the document: the others go.
    const dangling = clone(doc);
    dangling.monitors = dangling.monitors.filter((m) => m.ref !== 'db');
    await apply(key, dangling, '?dryRun=true');
    await assertNoChange(srv, async () => assertProblem(await put(key, dangling, '?prune=true'), 400, 'validation_error',
      { pointers: ['/alertChannels/0/monitors/1', '/statusPages/0/components/1/monitor', '/maintenanceWindows/1/monitors/0'] }));
    // The query, the media type, the size.
    for (const q of ['?dryRun=yes', '?prune=1', '?dryRun=true&dryRun=true', '?force=true']) {
      assertProblem(await assertNoChange(srv, () => put(key, doc, q)), 400, 'bad_query');
    }
    assertProblem(await assertNoChange(srv, () => api('PUT', '/v1/config', {
      key, rawBody: JSON.stringify(doc), headers: { 'Content-Type': 'text/plain' },
    })), 415, 'unsupported_media_type');
    const big = clone(doc);
    big.monitors[0].body = 'x'.repeat(1024 * 1024);
    assertProblem(await assertNoChange(srv, () => put(key, big)), 413, 'body_too_large');
  });

  it('negative: the :write scope of each kind the plan changes (403 naming it); unchanged kinds need none', async () => {
    const { team, key } = await newTeam('Writers');
    await seed(key, 'writers');
    const doc = await exportDoc(key);
    const edits = {
      monitors: (d) => { d.monitors[0].confirmations = 3; },
      alertChannels: (d) => { d.alertChannels[0].remindEveryMinutes = 60; },
      statusPages: (d) => { d.statusPages[0].isPublic = false; },
      maintenanceWindows: (d) => { d.maintenanceWindows[0].suppressAlerts = false; },
    };
    for (const k of KINDS) {
      const d = clone(doc);
      edits[k](d);
      const lacking = await srv.createKey(team, { name: `no ${WRITE[k]}`, scopes: ALL_WRITE.filter((s) => s !== WRITE[k]) });
      for (const q of ['', '?dryRun=true']) {
        assertForbidden(await assertNoChange(srv, () => put(lacking, d, q), { authFailure: true }), WRITE[k]);
      }
      // The one scope is enough for a plan that changes that kind alone.
      const only = await srv.createKey(team, { name: `only ${WRITE[k]}`, scopes: [WRITE[k]] });
      const plan = await apply(only, d, '?dryRun=true');
      assert.deepEqual(plan.update.map((e) => e.kind), [KIND_NAME[k]]);
    }
    // Pruning a kind needs its scope too.
    const noMon = await srv.createKey(team, { name: 'no monitors:write', scopes: ALL_WRITE.filter((s) => s !== 'monitors:write') });
    assertForbidden(await put(noMon, { monitors: [] }, '?prune=true&dryRun=true'), 'monitors:write');
    // Nothing to change: no scope at all.
    const none = await srv.createKey(team, { name: 'read only', scopes: ['monitors:read'] });
    assert.equal((await apply(none, doc)).unchanged, 10);
  });

  it('another team\'s objects never appear and are never touched', async () => {
    const x = await newTeam('Theirs');
    await seed(x.key, 'theirs');
    const theirs = await exportDoc(x.key);
    const y = await newTeam('Ours');
    assert.deepEqual((await exportDoc(y.key)).monitors, []);
    // The same refs in another team: created there, pruning touches ours only.
    const doc = clone(theirs);
    doc.statusPages[0].slug = 'ours-status';
    const hook = doc.alertChannels.find((c) => c.ref === 'hook');
    hook.config.secret = S1;
    hook.config.headers.Authorization = HDR;
    const plan = await apply(y.key, doc, '?prune=true');
    assert.equal(plan.create.length, 10);
    assert.deepEqual(plan.delete, []);
    assert.deepEqual(await apply(y.key, { monitors: [], alertChannels: [], statusPages: [], maintenanceWindows: [] }, '?prune=true')
      .then((p) => p.delete.length), 10);
    assert.deepEqual(await exportDoc(x.key), theirs);
    // Their monitors' refs name nothing here.
    await assertNoChange(srv, async () => assertProblem(await put(y.key, { alertChannels: [{ ...hook, monitors: ['web-site'] }] }),
      400, 'validation_error', { pointers: ['/alertChannels/0/monitors/0'] }));
  });

  it('negative: the per-team limits hold (409 limit_exceeded), and nothing changes', async () => {
    const { key } = await newTeam('Limits');
    const many = Array.from({ length: MAX_MONITORS + 1 }, (_, i) => ({ name: `m${i}`, url: 'https://example.com/' }));
    const p = await assertNoChange(srv, async () => assertProblem(await put(key, { monitors: many }), 409, 'limit_exceeded'));
    assert.deepEqual([p.limit, p.setting], [MAX_MONITORS, 'UPTIME_MAX_MONITORS']);
    assertProblem(await put(key, { monitors: many }, '?dryRun=true'), 409, 'limit_exceeded');
    // Pruning makes room first.
    await apply(key, { monitors: many.slice(0, MAX_MONITORS) });
    const swap = many.slice(1);
    const plan = await apply(key, { monitors: swap }, '?prune=true');
    assert.deepEqual([plan.delete.map((e) => e.ref), plan.create.map((e) => e.ref)], [['m0'], [`m${MAX_MONITORS}`]]);
  });

  it('a slug another team holds is 409 conflict naming the field, and nothing changes', async () => {
    const x = await newTeam('Slug holder');
    await seed(x.key, 'held');
    const { key } = await newTeam('Slug wanter');
    const p = await assertNoChange(srv, async () => assertProblem(await put(key, {
      statusPages: [{ ref: 'mine', name: 'Mine', slug: 'held-status' }],
    }), 409, 'conflict'));
    assert.equal(p.field, 'slug');
    assert.match(p.detail, /statusPage "mine"/);
  });

  it('the audit trail: config.applied, and config.planned for a dry run', async () => {
    const { team, key } = await newTeam('Audited');
    await apply(key, { monitors: [{ name: 'One', url: 'https://example.com/' }] }, '?dryRun=true');
    await apply(key, { monitors: [{ name: 'One', url: 'https://example.com/' }] });
    // In time order; two in one millisecond in the order they were made
    // (PostgreSQL has no rowid to tell).
    const rows = srv.sql(`SELECT action, method, path, status FROM audit_events WHERE team_id = '${team}' ` +
      "AND action LIKE 'config.%' ORDER BY at, action DESC");
    assert.deepEqual(rows.map((r) => [r.action, r.method, r.path, r.status]), [
      ['config.planned', 'PUT', '/v1/config', 200], ['config.applied', 'PUT', '/v1/config', 200],
    ]);
  });
});
