// Maintenance windows: API.md section 4 "Maintenance windows" (CRUD,
// validation, the state filter, ending early, cancelling) and their effects
// everywhere: a monitor in an active window shows the status "maintenance"
// (GET /v1/monitors/{id}, the status filter and GET /v1/status agree),
// events are kept but marked suppressed, outages are marked
// duringMaintenance, pauseChecks keeps cron/uptime-check away, and stats
// report downtime inside a window as maintenanceSeconds.  Checks run
// against a local HTTP target (tests/http/lib/targets.mjs); the expansion
// of recurring windows across daylight-saving changes is tested in
// tests/unit/test_maintenance.c.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runCron, sleep, makeKey } from './lib/harness.mjs';
import {
  assertOk, assertProblem, assertNoChange, assertUnauthorized, assertForbidden, TIME_RE,
} from './lib/checks.mjs';
import { startHttpTarget } from './lib/targets.mjs';

const MW_ID_RE = /^mw_[0-9A-Za-z]{20}$/;
const GHOST_ID = 'mw_' + 'A'.repeat(20);            // well formed, never issued
const MINUTE = 60e3;
const HOUR = 3600e3;
const DAY = 86400e3;
const KEYS = ['id', 'title', 'description', 'startsAt', 'endsAt', 'timezone', 'recurrence', 'monitorIds',
  'suppressAlerts', 'showOnStatusPage', 'pauseChecks', 'state', 'nextOccurrence', 'endedEarlyAt', 'cancelledAt',
  'createdAt', 'updatedAt'];

let srv;
let web;            // local HTTP target
let flip = 200;     // status of web's /flip
let team, admin, readOnly, writeOnly, monitorsOnly;
let otherTeam, otherKey;

const api = (...a) => srv.api(...a);
const iso = (ms) => new Date(ms).toISOString();
const sameKeys = (obj, keys) => assert.deepEqual(Object.keys(obj).sort(), [...keys].sort(),
  `members of ${JSON.stringify(obj)}`);

// A window active now for an hour (started a minute ago).
const activeBody = (extra = {}) => ({
  title: 'Database upgrade', startsAt: iso(Date.now() - MINUTE), endsAt: iso(Date.now() + HOUR), ...extra,
});
const futureBody = (extra = {}) => ({
  title: 'Later', startsAt: iso(Date.now() + DAY), endsAt: iso(Date.now() + DAY + HOUR), ...extra,
});

async function mkWindow(body, key = admin) {
  return assertOk(await api('POST', '/v1/maintenance-windows', { key, body }), 201);
}
const getWindow = async (id, key = admin) => assertOk(await api('GET', `/v1/maintenance-windows/${id}`, { key }));
const endWindow = async (id) => assertOk(await api('POST', `/v1/maintenance-windows/${id}/end`, { key: admin }));

async function mkMonitor(path = '/ok', extra = {}, key = admin) {
  return assertOk(await api('POST', '/v1/monitors', {
    key, body: { name: `web ${path}`, url: web.url(path), timeoutSeconds: 5, ...extra },
  }), 201);
}
const getMonitor = async (id, key = admin) => assertOk(await api('GET', `/v1/monitors/${id}`, { key }));
const checkNow = async (id) => assertOk(await api('POST', `/v1/monitors/${id}/check`, { key: admin }));
const eventsOf = (id) => srv.sql(
  `SELECT kind, suppressed, outage_id FROM monitor_events WHERE monitor_id = '${id}' ORDER BY id`);

// Every route of the family, for one window id.
function routes(id) {
  return [
    ['GET', '/v1/maintenance-windows', undefined, 'maintenance:read'],
    ['POST', '/v1/maintenance-windows', activeBody(), 'maintenance:write'],
    ['GET', `/v1/maintenance-windows/${id}`, undefined, 'maintenance:read'],
    ['PATCH', `/v1/maintenance-windows/${id}`, { title: 'renamed' }, 'maintenance:write'],
    ['DELETE', `/v1/maintenance-windows/${id}`, undefined, 'maintenance:write'],
    ['POST', `/v1/maintenance-windows/${id}/end`, undefined, 'maintenance:write'],
  ];
}
const itemRoutes = (id) => routes(id).filter(([, p]) => p.includes(id));

before(async () => {
  web = await startHttpTarget(async (req, res) => {
    const u = new URL(req.url, 'http://x');
    if (u.pathname === '/fail') { res.statusCode = 500; return res.end('broken'); }
    if (u.pathname === '/flip') { res.statusCode = flip; return res.end(`status ${flip}`); }
    return res.end('hello');
  });
  srv = await startServer({ allowPrivate: true, env: { UPTIME_RATE_LIMIT: '1000000' } });
  team = await srv.createTeam('Maintenance team');
  admin = await srv.createKey(team, { name: 'admin' });
  readOnly = await srv.createKey(team, { name: 'reader', scopes: ['maintenance:read'] });
  writeOnly = await srv.createKey(team, { name: 'writer', scopes: ['maintenance:write'] });
  monitorsOnly = await srv.createKey(team, { name: 'monitors', scopes: ['monitors:read', 'monitors:write'] });
  otherTeam = await srv.createTeam('Other team');
  otherKey = await srv.createKey(otherTeam, { name: 'other admin' });
});

after(async () => {
  await web?.close();
  await srv?.stop();
});

// ---------------------------------------------------------------------------

describe('POST /v1/maintenance-windows', () => {
  it('creates a one-off window active now, with every default', async () => {
    const body = activeBody();
    const res = await api('POST', '/v1/maintenance-windows', { key: admin, body });
    const d = assertOk(res, 201);
    assert.equal(res.headers.get('location'), `${srv.baseUrl}/v1/maintenance-windows/${d.id}`);
    sameKeys(d, KEYS);
    assert.match(d.id, MW_ID_RE);
    assert.equal(d.title, body.title);
    assert.equal(d.description, null);
    assert.equal(d.startsAt, body.startsAt);
    assert.equal(d.endsAt, body.endsAt);
    assert.equal(d.timezone, 'UTC');
    assert.equal(d.recurrence, null);
    assert.equal(d.monitorIds, null);
    assert.equal(d.suppressAlerts, true);
    assert.equal(d.showOnStatusPage, true);
    assert.equal(d.pauseChecks, false);
    assert.equal(d.state, 'active');
    assert.deepEqual(d.nextOccurrence, { startsAt: body.startsAt, endsAt: body.endsAt });
    assert.equal(d.endedEarlyAt, null);
    assert.equal(d.cancelledAt, null);
    assert.match(d.createdAt, TIME_RE);
    assert.equal(d.updatedAt, d.createdAt);
    assert.deepEqual(await getWindow(d.id), d);
  });

  it('keeps every field as given; times with an offset are normalised', async () => {
    const m1 = await mkMonitor();
    const m2 = await mkMonitor();
    const d = await mkWindow({
      title: 'Weekly patching', description: 'Kernel updates.',
      startsAt: '2030-01-07T22:00:00+01:00', endsAt: '2030-01-07T23:30:00+01:00',
      timezone: 'Europe/Berlin',
      recurrence: { frequency: 'weekly', interval: 2, byWeekday: ['TU', 'MO'], until: '2030-12-31T00:00:00Z' },
      monitorIds: [m2.id, m1.id], suppressAlerts: false, showOnStatusPage: false, pauseChecks: true,
    });
    assert.equal(d.startsAt, '2030-01-07T21:00:00.000Z');
    assert.equal(d.endsAt, '2030-01-07T22:30:00.000Z');
    assert.equal(d.description, 'Kernel updates.');
    assert.equal(d.timezone, 'Europe/Berlin');
    // Weekdays come back Monday first.
    assert.deepEqual(d.recurrence, { frequency: 'weekly', interval: 2, byWeekday: ['MO', 'TU'],
      until: '2030-12-31T00:00:00.000Z' });
    assert.deepEqual(d.monitorIds, [m2.id, m1.id]);
    assert.equal(d.suppressAlerts, false);
    assert.equal(d.showOnStatusPage, false);
    assert.equal(d.pauseChecks, true);
    assert.equal(d.state, 'scheduled');
    assert.deepEqual(d.nextOccurrence, { startsAt: d.startsAt, endsAt: d.endsAt });
  });

  it('recurring windows: defaults, and the next occurrence of one that began days ago', async () => {
    // Daily for 30 minutes, starting three days ago at a time that has
    // passed today: the next occurrence is tomorrow's.
    const start = Date.now() - 3 * DAY - 2 * HOUR;
    const d = await mkWindow({ title: 'Nightly', startsAt: iso(start), endsAt: iso(start + 30 * MINUTE),
      recurrence: { frequency: 'daily' } });
    assert.deepEqual(d.recurrence, { frequency: 'daily', interval: 1, byWeekday: [], until: null });
    assert.equal(d.state, 'scheduled');
    assert.deepEqual(d.nextOccurrence, { startsAt: iso(start + 4 * DAY), endsAt: iso(start + 4 * DAY + 30 * MINUTE) });
    // Weekly without weekdays: the weekday of startsAt in the zone
    // (Monday 2030-01-07 23:30 in Berlin is Monday 22:30 UTC).
    const w = await mkWindow({ title: 'w', startsAt: '2030-01-07T23:30:00+01:00', endsAt: '2030-01-08T00:30:00+01:00',
      timezone: 'Europe/Berlin', recurrence: { frequency: 'weekly' } });
    assert.deepEqual(w.recurrence.byWeekday, ['MO']);
    // ... and in Tokyo, where that instant is already Tuesday.
    const t = await mkWindow({ title: 't', startsAt: '2030-01-07T22:30:00Z', endsAt: '2030-01-07T23:30:00Z',
      timezone: 'Asia/Tokyo', recurrence: { frequency: 'weekly' } });
    assert.deepEqual(t.recurrence.byWeekday, ['TU']);
    // Monthly on the 31st since January 2024: the next occurrence is on
    // the last day of a month (worked out here month by month).
    const m = await mkWindow({ title: 'm', startsAt: '2024-01-31T10:00:00Z', endsAt: '2024-01-31T11:00:00Z',
      recurrence: { frequency: 'monthly' } });
    let want;
    for (let k = 0; !want; k++) {
      const last = new Date(Date.UTC(2024, k + 1, 0)).getUTCDate();
      const s = Date.UTC(2024, k, Math.min(31, last), 10);
      if (s + HOUR > Date.now()) want = { startsAt: iso(s), endsAt: iso(s + HOUR) };
    }
    assert.deepEqual(m.nextOccurrence, want);
    // Until in the past: completed, no next occurrence.
    const c = await mkWindow({ title: 'm', startsAt: '2024-01-31T10:00:00Z', endsAt: '2024-01-31T11:00:00Z',
      recurrence: { frequency: 'monthly', until: '2024-03-01T00:00:00Z' } });
    assert.equal(c.state, 'completed');
    assert.equal(c.nextOccurrence, null);
  });

  it('accepts the boundary values', async () => {
    const s = Date.parse('2030-06-03T08:00:00Z');
    await mkWindow({ title: 'x'.repeat(255), description: 'd'.repeat(4096), startsAt: iso(s),
      endsAt: iso(s + 366 * DAY) });
    await mkWindow({ title: '\u{1F600}'.repeat(255), startsAt: iso(s), endsAt: iso(s + 1) });
    await mkWindow({ title: 'x', startsAt: iso(s), endsAt: iso(s + 365 * DAY),
      recurrence: { frequency: 'daily', interval: 365 } });
    await mkWindow({ title: 'x', startsAt: iso(s), endsAt: iso(s + DAY), recurrence: { frequency: 'daily' } });
    await mkWindow({ title: 'x', startsAt: iso(s), endsAt: iso(s + 28 * DAY), recurrence: { frequency: 'monthly' } });
    await mkWindow({ title: 'x', startsAt: iso(s), endsAt: iso(s + HOUR),
      recurrence: { frequency: 'weekly', byWeekday: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] } });
    await mkWindow({ title: 'x', startsAt: iso(s), endsAt: iso(s + HOUR),
      recurrence: { frequency: 'daily', until: iso(s + 1) } });
    const ids = [];
    for (let i = 0; i < 200; i++) ids.push((await mkMonitor()).id);
    const d = await mkWindow({ title: 'x', startsAt: iso(s), endsAt: iso(s + HOUR), monitorIds: ids });
    assert.deepEqual(d.monitorIds, ids);
    for (const id of ids) assert.equal((await api('DELETE', `/v1/monitors/${id}`, { key: admin })).status, 204);
  });

  it('negative: each invalid field is a 400 validation_error naming its pointer', async () => {
    const m = await mkMonitor();
    const theirs = await mkMonitor('/ok', {}, otherKey);
    const s = Date.parse('2030-06-03T08:00:00Z');          // a Monday
    const base = { title: 't', startsAt: iso(s), endsAt: iso(s + HOUR) };
    const without = (k) => { const c = { ...base }; delete c[k]; return c; };
    const rec = (r, extra = {}) => ({ ...base, recurrence: r, ...extra });
    const cases = [
      [without('title'), '/title'],
      [{ ...base, title: '' }, '/title'],
      [{ ...base, title: 'x'.repeat(256) }, '/title'],
      [{ ...base, title: 7 }, '/title'],
      [{ ...base, title: null }, '/title'],
      [{ ...base, description: '' }, '/description'],
      [{ ...base, description: 'd'.repeat(4097) }, '/description'],
      [{ ...base, description: ['x'] }, '/description'],
      [without('startsAt'), '/startsAt'],
      [{ ...base, startsAt: 'tomorrow' }, '/startsAt'],
      [{ ...base, startsAt: 1780000000000 }, '/startsAt'],
      [{ ...base, startsAt: null }, '/startsAt'],
      [without('endsAt'), '/endsAt'],
      [{ ...base, endsAt: '2030-02-30T00:00:00Z' }, '/endsAt'],
      [{ ...base, endsAt: iso(s) }, '/endsAt'],
      [{ ...base, endsAt: iso(s - 1) }, '/endsAt'],
      [{ ...base, endsAt: iso(s + 366 * DAY + 1) }, '/endsAt'],
      [{ ...base, timezone: 'Mars/Olympus_Mons' }, '/timezone'],
      [{ ...base, timezone: '' }, '/timezone'],
      [{ ...base, timezone: '../../../etc/passwd' }, '/timezone'],
      [{ ...base, timezone: 'Europe/Berlin/' }, '/timezone'],
      [{ ...base, timezone: 'x'.repeat(65) }, '/timezone'],
      [{ ...base, timezone: 1 }, '/timezone'],
      [rec('daily'), '/recurrence'],
      [rec([]), '/recurrence'],
      [rec({}), '/recurrence/frequency'],
      [rec({ frequency: 'hourly' }), '/recurrence/frequency'],
      [rec({ frequency: 'once' }), '/recurrence/frequency'],
      [rec({ frequency: 'daily', interval: 0 }), '/recurrence/interval'],
      [rec({ frequency: 'daily', interval: 366 }), '/recurrence/interval'],
      [rec({ frequency: 'daily', interval: 1.5 }), '/recurrence/interval'],
      [rec({ frequency: 'daily', interval: '2' }), '/recurrence/interval'],
      [rec({ frequency: 'weekly', byWeekday: 'MO' }), '/recurrence/byWeekday'],
      [rec({ frequency: 'weekly', byWeekday: ['MO', 'XX'] }), '/recurrence/byWeekday/1'],
      [rec({ frequency: 'weekly', byWeekday: ['MO', 'mo'] }), '/recurrence/byWeekday/1'],
      [rec({ frequency: 'weekly', byWeekday: ['TU', 'TU'] }), '/recurrence/byWeekday/1'],
      [rec({ frequency: 'weekly', byWeekday: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU', 'MO'] }),
        '/recurrence/byWeekday'],
      [rec({ frequency: 'daily', byWeekday: ['MO'] }), '/recurrence/byWeekday'],
      [rec({ frequency: 'monthly', byWeekday: ['MO'] }), '/recurrence/byWeekday'],
      [rec({ frequency: 'daily', until: 'never' }), '/recurrence/until'],
      [rec({ frequency: 'daily', until: iso(s) }), '/recurrence/until'],
      [rec({ frequency: 'daily', until: iso(s - DAY) }), '/recurrence/until'],
      // A Friday-only window starting on Monday with until on Thursday has
      // no occurrence at all.
      [rec({ frequency: 'weekly', byWeekday: ['FR'], until: iso(s + 3 * DAY) }), '/recurrence/until'],
      // An occurrence must end before the next one starts.
      [rec({ frequency: 'daily' }, { endsAt: iso(s + DAY + 1) }), '/endsAt'],
      [rec({ frequency: 'daily', interval: 2 }, { endsAt: iso(s + 2 * DAY + 1) }), '/endsAt'],
      [rec({ frequency: 'weekly', byWeekday: ['MO', 'WE'] }, { endsAt: iso(s + 2 * DAY + 1) }), '/endsAt'],
      [rec({ frequency: 'weekly', byWeekday: ['MO', 'SU'] }, { endsAt: iso(s + DAY + 1) }), '/endsAt'],
      [rec({ frequency: 'monthly' }, { endsAt: iso(s + 28 * DAY + 1) }), '/endsAt'],
      [{ ...base, monitorIds: [] }, '/monitorIds'],
      [{ ...base, monitorIds: m.id }, '/monitorIds'],
      [{ ...base, monitorIds: {} }, '/monitorIds'],
      [{ ...base, monitorIds: [m.id, 'mon_short'] }, '/monitorIds/1'],
      [{ ...base, monitorIds: [m.id, 7] }, '/monitorIds/1'],
      [{ ...base, monitorIds: [m.id, 'mw_' + 'A'.repeat(20)] }, '/monitorIds/1'],
      [{ ...base, monitorIds: [m.id, 'mon_' + 'Z'.repeat(20)] }, '/monitorIds/1'],
      [{ ...base, monitorIds: [m.id, m.id] }, '/monitorIds/1'],
      [{ ...base, monitorIds: Array(201).fill(m.id) }, '/monitorIds'],
      [{ ...base, suppressAlerts: 'true' }, '/suppressAlerts'],
      [{ ...base, suppressAlerts: null }, '/suppressAlerts'],
      [{ ...base, showOnStatusPage: 1 }, '/showOnStatusPage'],
      [{ ...base, pauseChecks: 'no' }, '/pauseChecks'],
    ];
    await assertNoChange(srv, async () => {
      for (const [body, pointer] of cases) {
        const res = await api('POST', '/v1/maintenance-windows', { key: admin, body });
        assertProblem(res, 400, 'validation_error', { pointers: [pointer] });
      }
      // Another team's monitor is named, with its index.
      const p = assertProblem(await api('POST', '/v1/maintenance-windows', {
        key: admin, body: { ...base, monitorIds: [m.id, m.id.replace(/.$/, 'q'), theirs.id] },
      }), 400, 'validation_error', { pointers: ['/monitorIds/1', '/monitorIds/2'] });
      const e2 = p.errors.find((e) => e.pointer === '/monitorIds/2');
      assert.match(e2.detail, new RegExp(theirs.id));
      assert.ok(!p.errors.some((e) => e.pointer === '/monitorIds/0'), JSON.stringify(p.errors));
    });
  });

  it('negative: several bad fields are listed at once', async () => {
    await assertNoChange(srv, async () => {
      assertProblem(await api('POST', '/v1/maintenance-windows', {
        key: admin,
        body: { title: '', startsAt: 'x', endsAt: 5, timezone: 'Nowhere/Land', pauseChecks: 3,
          recurrence: { frequency: 'yearly', interval: -1, until: 'x' } },
      }), 400, 'validation_error', {
        pointers: ['/title', '/startsAt', '/endsAt', '/timezone', '/pauseChecks', '/recurrence/frequency',
          '/recurrence/interval', '/recurrence/until'],
      });
    });
  });

  it('negative: unknown fields (also inside recurrence) are 400 unknown_field', async () => {
    await assertNoChange(srv, async () => {
      assertProblem(await api('POST', '/v1/maintenance-windows', { key: admin, body: activeBody({ colour: 'red' }) }),
        400, 'unknown_field', { pointers: ['/colour'] });
      assertProblem(await api('POST', '/v1/maintenance-windows', {
        key: admin, body: activeBody({ recurrence: { frequency: 'daily', count: 3 } }),
      }), 400, 'unknown_field', { pointers: ['/recurrence/count'] });
      assertProblem(await api('POST', '/v1/maintenance-windows', { key: admin, body: activeBody({ Title: 'x' }) }),
        400, 'unknown_field', { pointers: ['/Title'] });
    });
  });

  it('negative: read-only fields are 400 read_only_field', async () => {
    const ro = {
      id: GHOST_ID, state: 'active', nextOccurrence: null, endedEarlyAt: null, cancelledAt: null,
      createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
    };
    await assertNoChange(srv, async () => {
      for (const [k, v] of Object.entries(ro)) {
        assertProblem(await api('POST', '/v1/maintenance-windows', { key: admin, body: activeBody({ [k]: v }) }),
          400, 'read_only_field', { pointers: [`/${k}`] });
      }
    });
  });

  it('negative: malformed JSON, a body that is not an object, an empty body: 400; not JSON: 415; over 1 MiB: 413', async () => {
    await assertNoChange(srv, async () => {
      for (const raw of ['{"title": "x", ', '{title: "x"}', '[{"title":"x"}]', '"x"', 'null', '42', '{} x', '']) {
        assertProblem(await api('POST', '/v1/maintenance-windows', { key: admin, rawBody: raw }), 400, 'malformed_json');
      }
      assertProblem(await api('POST', '/v1/maintenance-windows', {
        key: admin, rawBody: JSON.stringify(activeBody()), headers: { 'Content-Type': 'text/plain' },
      }), 415, 'unsupported_media_type');
      const raw = JSON.stringify(activeBody({ description: 'x'.repeat((1 << 20) + 10) }));
      assertProblem(await api('POST', '/v1/maintenance-windows', { key: admin, rawBody: raw }), 413, 'body_too_large');
    });
  });
});

// ---------------------------------------------------------------------------

describe('GET /v1/maintenance-windows: states and pages', () => {
  let tm, tmKey;
  const made = {};

  before(async () => {
    // A team of its own, so that the lists hold exactly these windows.
    tm = await srv.createTeam('States');
    tmKey = await srv.createKey(tm, { name: 'states' });
    const now = Date.now();
    const mk = (body) => mkWindow(body, tmKey);
    made.active = await mk({ title: 'active', startsAt: iso(now - HOUR), endsAt: iso(now + HOUR) });
    made.scheduled = await mk({ title: 'scheduled', startsAt: iso(now + HOUR), endsAt: iso(now + 2 * HOUR) });
    made.completed = await mk({ title: 'completed', startsAt: iso(now - 2 * HOUR), endsAt: iso(now - HOUR) });
    made.cancelled = await mk({ title: 'cancelled', startsAt: iso(now + HOUR), endsAt: iso(now + 2 * HOUR) });
    assert.equal((await api('DELETE', `/v1/maintenance-windows/${made.cancelled.id}`, { key: tmKey })).status, 204);
    // Recurring: active now (daily, started a day and a minute ago) and
    // between occurrences (daily, its occurrence today is over).
    made.recActive = await mk({ title: 'recurring active', startsAt: iso(now - DAY - MINUTE),
      endsAt: iso(now - DAY + HOUR), recurrence: { frequency: 'daily' } });
    made.recScheduled = await mk({ title: 'recurring scheduled', startsAt: iso(now - DAY - 2 * HOUR),
      endsAt: iso(now - DAY - HOUR), recurrence: { frequency: 'daily' } });
    made.recCompleted = await mk({ title: 'recurring completed', startsAt: iso(now - 5 * DAY),
      endsAt: iso(now - 5 * DAY + HOUR), recurrence: { frequency: 'daily', until: iso(now - 3 * DAY) } });
  });

  const list = async (q = '') => assertOk(await api('GET', `/v1/maintenance-windows?perPage=200${q}`, { key: tmKey }));
  const titles = (items) => items.map((w) => w.title).sort();

  it('lists every window, newest first, each with its state', async () => {
    const all = await list();
    assert.equal(all.length, 7);
    const order = [...all].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1
      : a.id < b.id ? 1 : -1));
    assert.deepEqual(all.map((w) => w.id), order.map((w) => w.id));
    const state = Object.fromEntries(all.map((w) => [w.title, w.state]));
    assert.deepEqual(state, {
      active: 'active', scheduled: 'scheduled', completed: 'completed', cancelled: 'cancelled',
      'recurring active': 'active', 'recurring scheduled': 'scheduled', 'recurring completed': 'completed',
    });
  });

  it('?state= gives exactly the windows in that state', async () => {
    assert.deepEqual(titles(await list('&state=active')), ['active', 'recurring active']);
    assert.deepEqual(titles(await list('&state=scheduled')), ['recurring scheduled', 'scheduled']);
    assert.deepEqual(titles(await list('&state=completed')), ['completed', 'recurring completed']);
    assert.deepEqual(titles(await list('&state=cancelled')), ['cancelled']);
  });

  it('pages with perPage and the cursor, also with a state filter', async () => {
    const all = await list();
    const seen = [];
    let url = '/v1/maintenance-windows?perPage=3';
    for (let i = 0; i < 5 && url; i++) {
      const res = await api('GET', url, { key: tmKey });
      const page = assertOk(res);
      assert.ok(page.length <= 3);
      seen.push(...page.map((w) => w.id));
      const next = res.json.meta.pagination.next;
      assert.equal(res.json.meta.pagination.perPage, 3);
      if (next) assert.match(res.headers.get('link') ?? '', /rel="next"/);
      url = next ? `/v1/maintenance-windows?perPage=3&cursor=${encodeURIComponent(next)}` : null;
    }
    assert.deepEqual(seen, all.map((w) => w.id));
    const r1 = await api('GET', '/v1/maintenance-windows?state=active&perPage=1', { key: tmKey });
    const p1 = assertOk(r1);
    const c = r1.json.meta.pagination.next;
    assert.ok(c);
    const p2 = assertOk(await api('GET', `/v1/maintenance-windows?state=active&perPage=1&cursor=${encodeURIComponent(c)}`,
      { key: tmKey }));
    assert.deepEqual(titles([...p1, ...p2]), ['active', 'recurring active']);
  });

  it('negative: bad query values are 400 bad_query', async () => {
    for (const q of ['state=ACTIVE', 'state=', 'state=done', 'perPage=0', 'perPage=201', 'cursor=zzz',
      'status=active', 'state=active&state=completed']) {
      assertProblem(await api('GET', `/v1/maintenance-windows?${q}`, { key: tmKey }), 400, 'bad_query');
    }
  });

  it('another team sees none of them', async () => {
    const theirs = assertOk(await api('GET', '/v1/maintenance-windows?perPage=200', { key: otherKey }));
    const ids = new Set(Object.values(made).map((w) => w.id));
    assert.ok(!theirs.some((w) => ids.has(w.id)));
  });
});

// ---------------------------------------------------------------------------

describe('PATCH /v1/maintenance-windows/{id}', () => {
  it('changes only the fields given; null clears description, recurrence and monitorIds', async () => {
    const m = await mkMonitor();
    const w = await mkWindow(futureBody({ description: 'first', monitorIds: [m.id],
      recurrence: { frequency: 'daily', interval: 2 } }));
    await sleep(5);
    const d = assertOk(await api('PATCH', `/v1/maintenance-windows/${w.id}`, { key: admin,
      body: { title: 'Renamed', pauseChecks: true } }));
    assert.equal(d.title, 'Renamed');
    assert.equal(d.pauseChecks, true);
    for (const k of ['description', 'startsAt', 'endsAt', 'timezone', 'recurrence', 'monitorIds', 'suppressAlerts',
      'showOnStatusPage', 'createdAt']) assert.deepEqual(d[k], w[k], k);
    assert.ok(d.updatedAt > w.updatedAt, `${d.updatedAt} > ${w.updatedAt}`);
    const c = assertOk(await api('PATCH', `/v1/maintenance-windows/${w.id}`, { key: admin,
      body: { description: null, recurrence: null, monitorIds: null } }));
    assert.equal(c.description, null);
    assert.equal(c.recurrence, null);
    assert.equal(c.monitorIds, null);
    // recurrence is replaced as a whole: interval goes back to 1.
    const r = assertOk(await api('PATCH', `/v1/maintenance-windows/${w.id}`, { key: admin,
      body: { recurrence: { frequency: 'weekly', byWeekday: ['FR'] } } }));
    assert.deepEqual(r.recurrence, { frequency: 'weekly', interval: 1, byWeekday: ['FR'], until: null });
    assert.deepEqual(await getWindow(w.id), r);
  });

  it('moving the times changes the state', async () => {
    const w = await mkWindow(futureBody());
    assert.equal(w.state, 'scheduled');
    const d = assertOk(await api('PATCH', `/v1/maintenance-windows/${w.id}`, { key: admin,
      body: { startsAt: iso(Date.now() - HOUR) } }));
    assert.equal(d.state, 'active');
  });

  it('negative: the result is checked as a whole; bad, unknown and read-only fields are 400; nothing changes', async () => {
    const m = await mkMonitor();
    const theirs = await mkMonitor('/ok', {}, otherKey);
    const w = await mkWindow(futureBody({ monitorIds: [m.id] }));
    await assertNoChange(srv, async () => {
      const patch = (body) => api('PATCH', `/v1/maintenance-windows/${w.id}`, { key: admin, body });
      assertProblem(await patch({ endsAt: w.startsAt }), 400, 'validation_error', { pointers: ['/endsAt'] });
      assertProblem(await patch({ startsAt: w.endsAt }), 400, 'validation_error', { pointers: ['/startsAt'] });
      assertProblem(await patch({ recurrence: { frequency: 'daily' }, endsAt: iso(Date.parse(w.startsAt) + 2 * DAY) }),
        400, 'validation_error', { pointers: ['/endsAt'] });
      assertProblem(await patch({ monitorIds: [theirs.id] }), 400, 'validation_error', { pointers: ['/monitorIds/0'] });
      assertProblem(await patch({ title: null }), 400, 'validation_error', { pointers: ['/title'] });
      assertProblem(await patch({ timezone: null }), 400, 'validation_error', { pointers: ['/timezone'] });
      assertProblem(await patch({ title: '', timezone: 'X/Y', suppressAlerts: 0 }), 400, 'validation_error',
        { pointers: ['/title', '/timezone', '/suppressAlerts'] });
      assertProblem(await patch({ colour: 'red' }), 400, 'unknown_field', { pointers: ['/colour'] });
      assertProblem(await patch({ state: 'completed' }), 400, 'read_only_field', { pointers: ['/state'] });
      assertProblem(await patch({ endedEarlyAt: iso(Date.now()) }), 400, 'read_only_field', { pointers: ['/endedEarlyAt'] });
      assertProblem(await api('PATCH', `/v1/maintenance-windows/${w.id}`, { key: admin, rawBody: '{"title": ' }),
        400, 'malformed_json');
      assertProblem(await api('PATCH', `/v1/maintenance-windows/${w.id}`, {
        key: admin, rawBody: JSON.stringify({ description: 'x'.repeat((1 << 20) + 10) }),
      }), 413, 'body_too_large');
    });
  });

  it('negative: a cancelled window cannot change: 409', async () => {
    const w = await mkWindow(futureBody());
    assert.equal((await api('DELETE', `/v1/maintenance-windows/${w.id}`, { key: admin })).status, 204);
    await assertNoChange(srv, async () => {
      assertProblem(await api('PATCH', `/v1/maintenance-windows/${w.id}`, { key: admin, body: { title: 'x' } }),
        409, 'conflict');
    });
  });
});

// ---------------------------------------------------------------------------

describe('DELETE (cancel) and POST /end', () => {
  it('DELETE cancels: 204, the window stays in state cancelled; again: 204, unchanged', async () => {
    const w = await mkWindow(activeBody());
    const res = await api('DELETE', `/v1/maintenance-windows/${w.id}`, { key: admin });
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    const d = await getWindow(w.id);
    assert.equal(d.state, 'cancelled');
    assert.match(d.cancelledAt, TIME_RE);
    assert.equal(d.nextOccurrence, null);
    assert.equal(srv.sql(`SELECT count(*) AS n FROM maintenance_windows WHERE id = '${w.id}'`)[0].n, 1);
    assert.equal((await api('DELETE', `/v1/maintenance-windows/${w.id}`, { key: admin })).status, 204);
    assert.equal((await getWindow(w.id)).cancelledAt, d.cancelledAt);
  });

  it('POST /end ends a one-off window now: completed, endedEarlyAt set; again: 409', async () => {
    const w = await mkWindow(activeBody());
    const before = Date.now();
    const d = await endWindow(w.id);
    assert.equal(d.state, 'completed');
    assert.ok(Math.abs(Date.parse(d.endedEarlyAt) - before) < 60e3, d.endedEarlyAt);
    assert.equal(d.nextOccurrence, null);
    assert.equal(d.endsAt, w.endsAt, 'the planned end stays as it was');
    await assertNoChange(srv, async () => {
      assertProblem(await api('POST', `/v1/maintenance-windows/${w.id}/end`, { key: admin }), 409, 'conflict');
    });
  });

  it('POST /end on a recurring window ends this occurrence only; the next one follows', async () => {
    const start = Date.now() - 2 * DAY - MINUTE;
    const w = await mkWindow({ title: 'daily', startsAt: iso(start), endsAt: iso(start + HOUR),
      recurrence: { frequency: 'daily' } });
    assert.equal(w.state, 'active');
    assert.equal(w.nextOccurrence.startsAt, iso(start + 2 * DAY));
    const d = await endWindow(w.id);
    assert.equal(d.state, 'scheduled');
    assert.deepEqual(d.nextOccurrence, { startsAt: iso(start + 3 * DAY), endsAt: iso(start + 3 * DAY + HOUR) });
    assert.match(d.endedEarlyAt, TIME_RE);
  });

  it('negative: /end of a scheduled, completed or cancelled window is 409; nothing changes', async () => {
    const s = await mkWindow(futureBody());
    const c = await mkWindow({ title: 'past', startsAt: iso(Date.now() - 2 * HOUR), endsAt: iso(Date.now() - HOUR) });
    const x = await mkWindow(activeBody());
    assert.equal((await api('DELETE', `/v1/maintenance-windows/${x.id}`, { key: admin })).status, 204);
    await assertNoChange(srv, async () => {
      for (const w of [s, c, x]) {
        assertProblem(await api('POST', `/v1/maintenance-windows/${w.id}/end`, { key: admin }), 409, 'conflict');
      }
    });
  });

  it('writes are audited with the window id', async () => {
    const w = await mkWindow(activeBody());
    assertOk(await api('PATCH', `/v1/maintenance-windows/${w.id}`, { key: admin, body: { title: 'audited' } }));
    await endWindow(w.id);
    assert.equal((await api('DELETE', `/v1/maintenance-windows/${w.id}`, { key: admin })).status, 204);
    const ev = assertOk(await api('GET', '/v1/audit-events?perPage=200', { key: admin }));
    const mine = ev.filter((e) => e.targetId === w.id).map((e) => e.action).sort();
    assert.deepEqual(mine, ['maintenance_window.cancelled', 'maintenance_window.created',
      'maintenance_window.ended', 'maintenance_window.updated']);
  });
});

// ---------------------------------------------------------------------------

describe('the effect on monitors', () => {
  // A team of its own: its /v1/status counts only these monitors.
  let et, ek;
  before(async () => {
    et = await srv.createTeam('Effects');
    ek = await srv.createKey(et, { name: 'effects' });
  });
  const status = async () => assertOk(await api('GET', '/v1/status', { key: ek }));
  const listIds = async (q) => assertOk(await api('GET', `/v1/monitors?perPage=200${q}`, { key: ek })).map((m) => m.id);

  it('an active window shows maintenance on the monitor, in the status filter and in /v1/status; its end restores the real status', async () => {
    const a = await mkMonitor('/ok', {}, ek);
    const b = await mkMonitor('/ok', {}, ek);
    for (const m of [a, b]) assert.equal((await checkNowAs(m.id, ek)).status, 'up');
    const w = await mkWindow(activeBody({ monitorIds: [a.id] }), ek);
    assert.equal((await getMonitor(a.id, ek)).status, 'maintenance');
    assert.equal((await getMonitor(b.id, ek)).status, 'up');
    assert.deepEqual(await listIds('&status=maintenance'), [a.id]);
    assert.deepEqual(await listIds('&status=up'), [b.id]);
    const s = await status();
    assert.equal(s.counts.maintenance, 1);
    assert.equal(s.counts.up, 1);
    assert.equal(s.total, 2);
    assert.equal(s.state, 'operational');
    // Checks still run and are recorded; the status shown stays.
    const r = await checkNowAs(a.id, ek);
    assert.equal(r.status, 'up');
    assert.equal((await getMonitor(a.id, ek)).status, 'maintenance');
    await endWindowAs(w.id, ek);
    assert.equal((await getMonitor(a.id, ek)).status, 'up');
    assert.deepEqual(await listIds('&status=maintenance'), []);
    assert.equal((await status()).counts.maintenance, 0);
    // A paused monitor in a window shows paused.
    const p = await mkMonitor('/ok', { paused: true }, ek);
    const w2 = await mkWindow(activeBody({ monitorIds: [p.id] }), ek);
    assert.equal((await getMonitor(p.id, ek)).status, 'paused');
    await endWindowAs(w2.id, ek);
    for (const m of [a, b, p]) await api('DELETE', `/v1/monitors/${m.id}`, { key: ek });
  });

  it('a window for all monitors (monitorIds null) covers every monitor of the team, also newer ones, and no other team\'s', async () => {
    const a = await mkMonitor('/ok', {}, ek);
    const theirs = await mkMonitor('/ok', {}, otherKey);
    const w = await mkWindow(activeBody(), ek);
    const later = await mkMonitor('/ok', {}, ek);
    assert.equal((await getMonitor(a.id, ek)).status, 'maintenance');
    assert.equal((await getMonitor(later.id, ek)).status, 'maintenance');
    assert.equal((await getMonitor(theirs.id, otherKey)).status, 'pending');
    assert.deepEqual((await listIds('&status=maintenance')).sort(), [a.id, later.id].sort());
    const s = await status();
    assert.equal(s.counts.maintenance, 2);
    assert.equal(s.counts.pending, 0);
    await endWindowAs(w.id, ek);
    assert.equal((await getMonitor(later.id, ek)).status, 'pending');
    for (const m of [a, later]) await api('DELETE', `/v1/monitors/${m.id}`, { key: ek });
    await api('DELETE', `/v1/monitors/${theirs.id}`, { key: otherKey });
  });

  it('overlapping windows: the monitor stays in maintenance until the last one ends', async () => {
    const a = await mkMonitor('/ok', {}, ek);
    const w1 = await mkWindow(activeBody({ monitorIds: [a.id] }), ek);
    const w2 = await mkWindow(activeBody({ endsAt: iso(Date.now() + 2 * HOUR) }), ek);
    assert.equal((await getMonitor(a.id, ek)).status, 'maintenance');
    await endWindowAs(w2.id, ek);
    assert.equal((await getMonitor(a.id, ek)).status, 'maintenance');
    await endWindowAs(w1.id, ek);
    assert.equal((await getMonitor(a.id, ek)).status, 'pending');
    await api('DELETE', `/v1/monitors/${a.id}`, { key: ek });
  });

  it('events inside a window that suppresses alerts are kept with suppressed = 1; outages are duringMaintenance; after it the outage is announced', async () => {
    flip = 500;
    const m = await mkMonitor('/flip', {}, ek);
    const w = await mkWindow(activeBody({ monitorIds: [m.id] }), ek);
    assert.equal((await checkNowAs(m.id, ek)).status, 'down');
    assert.equal((await getMonitor(m.id, ek)).status, 'maintenance');
    let ev = eventsOf(m.id);
    assert.equal(ev.length, 1);
    assert.equal(ev[0].kind, 'down');
    assert.equal(ev[0].suppressed, 1);
    const outages = assertOk(await api('GET', `/v1/monitors/${m.id}/outages`, { key: ek }));
    assert.equal(outages.length, 1);
    assert.equal(outages[0].duringMaintenance, true);
    assert.equal(outages[0].id, ev[0].outage_id);
    // More failures inside the window: no new event.
    await checkNowAs(m.id, ek);
    assert.equal(eventsOf(m.id).length, 1);
    // The window ends: the real state shows, and the next check, still
    // down, announces the outage once.
    await endWindowAs(w.id, ek);
    assert.equal((await getMonitor(m.id, ek)).status, 'down');
    await checkNowAs(m.id, ek);
    await checkNowAs(m.id, ek);
    ev = eventsOf(m.id);
    assert.deepEqual(ev.map((e) => [e.kind, e.suppressed, e.outage_id]),
      [['down', 1, outages[0].id], ['down', 0, outages[0].id]]);
    // Recovery outside any window: an "up" that is not suppressed.
    flip = 200;
    await checkNowAs(m.id, ek);
    ev = eventsOf(m.id);
    assert.deepEqual(ev[2], { kind: 'up', suppressed: 0, outage_id: outages[0].id });
    await api('DELETE', `/v1/monitors/${m.id}`, { key: ek });
  });

  it('a window with suppressAlerts false keeps events unsuppressed but still marks the outage and the status', async () => {
    flip = 500;
    const m = await mkMonitor('/flip', {}, ek);
    await mkWindow(activeBody({ monitorIds: [m.id], suppressAlerts: false }), ek);
    await checkNowAs(m.id, ek);
    assert.deepEqual(eventsOf(m.id).map((e) => [e.kind, e.suppressed]), [['down', 0]]);
    assert.equal(assertOk(await api('GET', `/v1/monitors/${m.id}/outages`, { key: ek }))[0].duringMaintenance, true);
    assert.equal((await getMonitor(m.id, ek)).status, 'maintenance');
    // A window only covering another monitor changes nothing here.
    flip = 200;
    await checkNowAs(m.id, ek);
    assert.deepEqual(eventsOf(m.id).map((e) => [e.kind, e.suppressed]), [['down', 0], ['up', 0]]);
    await api('DELETE', `/v1/monitors/${m.id}`, { key: ek });
    flip = 200;
  });

  it('pauseChecks: uptime-check skips the monitor and plans it after the window; ending the window makes it due again', async () => {
    const paused = await mkMonitor('/paused-target', { intervalSeconds: 60 }, ek);
    const free = await mkMonitor('/free-target', { intervalSeconds: 60 }, ek);
    const ends = Date.now() + HOUR;
    const w = await mkWindow(activeBody({ endsAt: iso(ends), monitorIds: [paused.id], pauseChecks: true }), ek);
    web.reset();
    const r = await runCron(srv, 'uptime-check', ['--once']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(web.hits('/paused-target'), 0, 'a paused monitor is not checked');
    assert.equal(web.hits('/free-target'), 1, 'the others are');
    const g = await getMonitor(paused.id, ek);
    assert.equal(g.status, 'maintenance');
    assert.equal(g.lastCheckedAt, null);
    const next = Date.parse(g.nextCheckAt);
    assert.ok(next >= ends && next < ends + 60e3, `nextCheckAt ${g.nextCheckAt} is the first slot after ${iso(ends)}`);
    assert.equal((next - Date.parse(paused.nextCheckAt)) % 60e3, 0, 'the monitor keeps its phase');
    // A second pass does not check it either.
    await runCron(srv, 'uptime-check', ['--once']);
    assert.equal(web.hits('/paused-target'), 0);
    // The window ends early: due at once, checked on the next pass.
    await endWindowAs(w.id, ek);
    assert.ok(Date.parse((await getMonitor(paused.id, ek)).nextCheckAt) <= Date.now());
    await runCron(srv, 'uptime-check', ['--once']);
    assert.equal(web.hits('/paused-target'), 1);
    assert.equal((await getMonitor(paused.id, ek)).status, 'up');
    // Cancelling a pausing window releases the monitor too (a changed
    // check is due at once: the checker puts it off again first).
    const w2 = await mkWindow(activeBody({ monitorIds: [paused.id], pauseChecks: true }), ek);
    assertOk(await api('PATCH', `/v1/monitors/${paused.id}`, { key: ek, body: { followRedirects: false } }));
    await runCron(srv, 'uptime-check', ['--once']);
    assert.equal(web.hits('/paused-target'), 1);
    assert.ok(Date.parse((await getMonitor(paused.id, ek)).nextCheckAt) > Date.now() + 30 * MINUTE);
    assert.equal((await api('DELETE', `/v1/maintenance-windows/${w2.id}`, { key: ek })).status, 204);
    assert.ok(Date.parse((await getMonitor(paused.id, ek)).nextCheckAt) <= Date.now());
    for (const m of [paused, free]) await api('DELETE', `/v1/monitors/${m.id}`, { key: ek });
  });

  it('stats: downtime inside a window is maintenanceSeconds, not downtime, and not observed time', async () => {
    flip = 500;
    const m = await mkMonitor('/flip', {}, ek);
    const r = await checkNowAs(m.id, ek);
    flip = 200;
    assert.equal(r.status, 'down');
    const [outage] = assertOk(await api('GET', `/v1/monitors/${m.id}/outages`, { key: ek }));
    const t1 = Date.parse(outage.startedAt);
    // A window from a second into the outage, for an hour: covers it from then on.
    await mkWindow({ title: 'retro', startsAt: iso(t1 + 1000), endsAt: iso(t1 + HOUR), monitorIds: [m.id] }, ek);
    while (Date.now() < t1 + 1600) await sleep(50);
    const from = Date.parse(m.createdAt);
    const to = t1 + 1500;
    const q = `from=${encodeURIComponent(iso(from))}&to=${encodeURIComponent(iso(to))}`;
    const s = assertOk(await api('GET', `/v1/monitors/${m.id}/stats?${q}`, { key: ek }));
    assert.equal(s.downtimeSeconds, 1);
    assert.equal(s.maintenanceSeconds, 0.5);
    assert.equal(s.outages, 1);
    const observed = (to - from - 500) / 1000;
    assert.ok(Math.abs(s.uptimePercent - 100 * (1 - 1 / observed)) < 0.001,
      `uptimePercent ${s.uptimePercent}, want ${100 * (1 - 1 / observed)}`);
    // The default windows see the maintenance too.
    const d = assertOk(await api('GET', `/v1/monitors/${m.id}/stats`, { key: ek }));
    for (const [name, win] of Object.entries(d.windows)) {
      assert.equal(win.downtimeSeconds, 1, name);
      assert.ok(win.maintenanceSeconds > 0.5, `${name}: ${win.maintenanceSeconds}`);
    }
    // A monitor the window does not cover counts all of its downtime.
    flip = 500;
    const other = await mkMonitor('/flip', {}, ek);
    await checkNowAs(other.id, ek);
    flip = 200;
    await sleep(300);
    const o = assertOk(await api('GET', `/v1/monitors/${other.id}/stats`, { key: ek })).windows['24h'];
    assert.equal(o.maintenanceSeconds, 0);
    assert.ok(o.downtimeSeconds > 0);
    for (const x of [m, other]) await api('DELETE', `/v1/monitors/${x.id}`, { key: ek });
  });
});

async function checkNowAs(id, key) {
  return assertOk(await api('POST', `/v1/monitors/${id}/check`, { key }));
}

async function endWindowAs(id, key) {
  return assertOk(await api('POST', `/v1/maintenance-windows/${id}/end`, { key }));
}

// ---------------------------------------------------------------------------

describe('authentication, scopes and teams', () => {
  let w;
  before(async () => { w = await mkWindow(futureBody({ title: 'guarded' })); });

  it('negative: no key: 401 on every route, nothing changes', async () => {
    await assertNoChange(srv, async () => {
      for (const [method, path, body] of routes(w.id)) {
        assertUnauthorized(await api(method, path, { body }), 'missing_credentials', { presented: false });
      }
    }, { authFailure: true });
  });

  it('negative: a well-formed unknown key: 401 invalid_key on every route', async () => {
    const bogus = makeKey();
    await assertNoChange(srv, async () => {
      for (const [method, path, body] of routes(w.id)) {
        assertUnauthorized(await api(method, path, { key: bogus, body }), 'invalid_key');
      }
    }, { authFailure: true });
  });

  it('negative: monitors scopes only: every route is 403 naming the maintenance scope', async () => {
    await assertNoChange(srv, async () => {
      for (const [method, path, body, scope] of routes(w.id)) {
        assertForbidden(await api(method, path, { key: monitorsOnly, body }), scope);
      }
    }, { authFailure: true });
  });

  it('negative: maintenance:read cannot write; maintenance:write does not imply read', async () => {
    await assertNoChange(srv, async () => {
      for (const [method, path, body, scope] of routes(w.id)) {
        if (scope === 'maintenance:write') assertForbidden(await api(method, path, { key: readOnly, body }), scope);
        else assertForbidden(await api(method, path, { key: writeOnly }), scope);
      }
    }, { authFailure: true });
    for (const [method, path, , scope] of routes(w.id)) {
      if (scope === 'maintenance:read') assertOk(await api(method, path, { key: readOnly }));
    }
    const d = assertOk(await api('PATCH', `/v1/maintenance-windows/${w.id}`, { key: writeOnly, body: { title: 'w' } }));
    assert.equal(d.title, 'w');
  });

  it('negative: another team\'s window is 404 on every route, like one that does not exist', async () => {
    const strip = ({ requestId, ...rest }) => rest;
    await assertNoChange(srv, async () => {
      for (const [method, path, body] of itemRoutes(w.id)) {
        const theirs = await api(method, path, { key: otherKey, body });
        assertProblem(theirs, 404, 'not_found');
        const ghost = await api(method, path.replace(w.id, GHOST_ID), { key: admin, body });
        assertProblem(ghost, 404, 'not_found');
        assert.deepEqual(strip(theirs.json), strip(ghost.json), `${method} ${path}`);
        assertProblem(await api(method, path.replace(w.id, 'mw_bad!'), { key: admin, body }), 404, 'not_found');
        assertProblem(await api(method, path.replace(w.id, 'mon_' + 'A'.repeat(20)), { key: admin, body }),
          404, 'not_found');
      }
    });
    assert.equal((await getWindow(w.id)).state, 'scheduled');
  });

  it('negative: a wrong method is 405 with Allow', async () => {
    const res = await api('PUT', `/v1/maintenance-windows/${w.id}`, { key: admin, body: {} });
    assertProblem(res, 405, 'method_not_allowed');
    const allow = (res.headers.get('allow') ?? '').split(',').map((s) => s.trim());
    for (const m of ['GET', 'PATCH', 'DELETE']) assert.ok(allow.includes(m), allow.join());
    assertProblem(await api('GET', `/v1/maintenance-windows/${w.id}/end`, { key: admin }), 405, 'method_not_allowed');
  });

  it('negative: the other team cannot name this team\'s monitors', async () => {
    const m = await mkMonitor();
    await assertNoChange(srv, async () => {
      assertProblem(await api('POST', '/v1/maintenance-windows', {
        key: otherKey, body: activeBody({ monitorIds: [m.id] }),
      }), 400, 'validation_error', { pointers: ['/monitorIds/0'] });
    });
  });
});
