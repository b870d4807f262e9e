// Alert channels and notifications as an API: API.md section 4 "Alert
// channels and notifications" with the conventions of sections 2 and 3
// (scopes, teams, 404s, problems, pagination): channel CRUD for every
// type, per-type config validation, masked secrets, PATCH merging, the
// test endpoint and the notification listings with their filters.
// Delivery itself (cron/uptime-notify) is tested in notify.test.mjs.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeKey, sleep } from './lib/harness.mjs';
import {
  assertOk, assertProblem, assertNoChange, assertUnauthorized, assertForbidden, TIME_RE,
} from './lib/checks.mjs';

const ACH_RE = /^ach_[0-9A-Za-z]{20}$/;
const NTF_RE = /^ntf_[0-9A-Za-z]{20}$/;
const GHOST = 'ach_' + 'A'.repeat(20);      // well formed, never issued
const GHOST_MON = 'mon_' + 'B'.repeat(20);
const DOTS = '\u2022\u2022\u2022\u2022';

// The secrets this file sends; no answer may ever carry one of them.
const SECRETS = {
  webhook: 'whsec_0123456789abcdefWXYZ',
  header: 'Bearer tok_abcdefghijkl9876',
  slack: 'https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXsl4k',
  discord: 'https://discord.com/api/webhooks/1234/abcdefghijkldisc',
  pagerduty: 'R0UTINGKEY0123456789abcdefpd42',
  telegram: '123456:ABCdefGHIjklMNOpqrSTUvwx-tg99',
};

const BODIES = {
  email: { name: 'mail', type: 'email', config: { to: ['Ops@Example.com', 'oncall@example.org'] } },
  webhook: {
    name: 'hook', type: 'webhook',
    config: { url: 'https://hooks.example.com/uptime', secret: SECRETS.webhook, headers: { Authorization: SECRETS.header } },
  },
  slack: { name: 'slack', type: 'slack', config: { webhookUrl: SECRETS.slack } },
  discord: { name: 'discord', type: 'discord', config: { webhookUrl: SECRETS.discord } },
  pagerduty: { name: 'pd', type: 'pagerduty', config: { routingKey: SECRETS.pagerduty } },
  telegram: { name: 'tg', type: 'telegram', config: { botToken: SECRETS.telegram, chatId: '-1001234567890' } },
};
const CHANNEL_KEYS = ['id', 'name', 'type', 'config', 'events', 'monitorIds', 'remindEveryMinutes', 'enabled',
  'createdAt', 'updatedAt'];
const NTF_KEYS = ['id', 'channelId', 'monitorId', 'outageId', 'event', 'status', 'suppressedReason', 'attempts',
  'nextAttemptAt', 'lastAttemptAt', 'sentAt', 'responseStatus', 'error', 'createdAt'];

let srv, safe;
let team, admin, reader, writer, monitorsOnly, otherKey, safeKey;
let mon1, mon2, otherMon;

const api = (...a) => srv.api(...a);
const create = (body, key = admin) => api('POST', '/v1/alert-channels', { key, body });
async function mk(body, key = admin) {
  return assertOk(await create(body, key), 201);
}
const get = async (id, key = admin) => assertOk(await api('GET', `/v1/alert-channels/${id}`, { key }));
const patch = (id, body, key = admin) => api('PATCH', `/v1/alert-channels/${id}`, { key, body });
const clone = (x) => JSON.parse(JSON.stringify(x));
const stored = (id) => JSON.parse(srv.sql(`SELECT config FROM channels WHERE id = '${id}'`)[0].config);

function assertNoSecret(text, where) {
  for (const s of Object.values(SECRETS)) assert.ok(!text.includes(s), `${where} carries the secret ${s}`);
}

// Every route of the family, for one channel and one notification.
function routes(ach, ntf) {
  return [
    ['GET', '/v1/alert-channels', undefined, 'alerts:read'],
    ['POST', '/v1/alert-channels', BODIES.pagerduty, 'alerts:write'],
    ['GET', `/v1/alert-channels/${ach}`, undefined, 'alerts:read'],
    ['PATCH', `/v1/alert-channels/${ach}`, { name: 'renamed' }, 'alerts:write'],
    ['DELETE', `/v1/alert-channels/${ach}`, undefined, 'alerts:write'],
    ['POST', `/v1/alert-channels/${ach}/test`, undefined, 'alerts:write'],
    ['GET', `/v1/alert-channels/${ach}/notifications`, undefined, 'alerts:read'],
    ['GET', '/v1/notifications', undefined, 'alerts:read'],
    ['GET', `/v1/notifications/${ntf}`, undefined, 'alerts:read'],
  ];
}

before(async () => {
  const env = { UPTIME_RATE_LIMIT: '1000000' };
  srv = await startServer({ allowPrivate: true, env });
  safe = await startServer({ allowPrivate: false, env });
  team = await srv.createTeam('Alerts team');
  admin = await srv.createKey(team, { name: 'admin' });
  reader = await srv.createKey(team, { name: 'reader', scopes: ['alerts:read'] });
  writer = await srv.createKey(team, { name: 'writer', scopes: ['alerts:write'] });
  monitorsOnly = await srv.createKey(team, { name: 'monitors', scopes: ['monitors:read', 'monitors:write'] });
  const other = await srv.createTeam('Other team');
  otherKey = await srv.createKey(other, { name: 'other admin' });
  safeKey = await safe.createKey(await safe.createTeam('Safe team'), { name: 'safe admin' });
  const mkMon = async (key, name) => assertOk(await api('POST', '/v1/monitors', {
    key, body: { name, url: 'https://example.com/', paused: true },
  }), 201).id;
  mon1 = await mkMon(admin, 'first');
  mon2 = await mkMon(admin, 'second');
  otherMon = await mkMon(otherKey, 'theirs');
});

after(async () => {
  const errors = [];
  for (const x of [srv, safe]) {
    try { await x?.stop(); } catch (e) { errors.push(e); }
  }
  if (errors.length) throw errors[0];
});

// ---------------------------------------------------------------------------

describe('POST /v1/alert-channels', () => {
  it('creates a channel of every type with the defaults, secrets masked', async () => {
    const want = {
      email: { to: ['ops@example.com', 'oncall@example.org'], subjectPrefix: null },
      webhook: { url: 'https://hooks.example.com/uptime', secret: `${DOTS}WXYZ`, headers: { Authorization: `${DOTS}9876` } },
      slack: { webhookUrl: `https://hooks.slack.com/${DOTS}sl4k`, channel: null },
      discord: { webhookUrl: `https://discord.com/${DOTS}disc` },
      pagerduty: { routingKey: `${DOTS}pd42` },
      telegram: { botToken: `${DOTS}tg99`, chatId: '-1001234567890' },
    };
    for (const [type, body] of Object.entries(BODIES)) {
      const res = await create(body);
      const c = assertOk(res, 201);
      assertNoSecret(res.text, `POST ${type}`);
      assert.deepEqual(Object.keys(c).sort(), [...CHANNEL_KEYS].sort(), type);
      assert.match(c.id, ACH_RE);
      assert.equal(res.headers.get('location'), `${srv.baseUrl}/v1/alert-channels/${c.id}`);
      assert.equal(c.name, body.name);
      assert.equal(c.type, type);
      assert.deepEqual(c.config, want[type], type);
      assert.deepEqual(c.events, { down: true, up: true, degraded: false, sslExpiring: true, dnsChanged: false });
      assert.equal(c.monitorIds, null);
      assert.equal(c.remindEveryMinutes, 0);
      assert.equal(c.enabled, true);
      assert.match(c.createdAt, TIME_RE);
      assert.equal(c.updatedAt, c.createdAt);
      const g = await api('GET', `/v1/alert-channels/${c.id}`, { key: admin });
      assert.deepEqual(assertOk(g), c);
      assertNoSecret(g.text, `GET ${type}`);
      // Stored in clear: the notifier needs them.
      assert.deepEqual(stored(c.id), type === 'email' ? { to: want.email.to } : body.config);
    }
  });

  it('takes events, monitorIds, remindEveryMinutes and enabled', async () => {
    const c = await mk({
      ...BODIES.pagerduty, events: { degraded: true, sslExpiring: false, dnsChanged: true }, monitorIds: [mon2, mon1],
      remindEveryMinutes: 5, enabled: false,
    });
    assert.deepEqual(c.events, { down: true, up: true, degraded: true, sslExpiring: false, dnsChanged: true });
    assert.deepEqual(c.monitorIds, [mon2, mon1], 'kept in the order given');
    assert.equal(c.remindEveryMinutes, 5);
    assert.equal(c.enabled, false);
    for (const n of [0, 5, 60, 1440]) assert.equal((await mk({ ...BODIES.pagerduty, remindEveryMinutes: n })).remindEveryMinutes, n);
    const t = await mk({ ...BODIES.telegram, config: { botToken: SECRETS.telegram, chatId: -42 } });
    assert.equal(t.config.chatId, '-42', 'a numeric chat id is kept as a string');
    assert.equal((await mk({ ...BODIES.telegram, config: { botToken: SECRETS.telegram, chatId: '@ops_alerts' } })).config.chatId, '@ops_alerts');
    const w = await mk({ name: 'unsigned', type: 'webhook', config: { url: 'http://hooks.example.com/x' } });
    assert.deepEqual(w.config, { url: 'http://hooks.example.com/x', secret: null, headers: {} });
  });

  it('an email subjectPrefix and a Slack channel are kept as given; null removes them', async () => {
    for (const prefix of ['[uptime]', 'p', 'é'.repeat(64), '[prod] «alerts»']) {
      const e = await mk({ ...BODIES.email, config: { ...BODIES.email.config, subjectPrefix: prefix } });
      assert.equal(e.config.subjectPrefix, prefix);
      assert.equal(stored(e.id).subjectPrefix, prefix);
    }
    for (const ch of ['#ops', '#ops-alerts_2.eu', `#${'a'.repeat(79)}`, 'C0123ABCD', 'G0123456789ABCDEF', 'D012345678']) {
      const sl = await mk({ ...BODIES.slack, config: { ...BODIES.slack.config, channel: ch } });
      assert.equal(sl.config.channel, ch);
      assert.equal(stored(sl.id).channel, ch);
    }
    const e = await mk({ ...BODIES.email, config: { ...BODIES.email.config, subjectPrefix: '[x]' } });
    const p = assertOk(await patch(e.id, { config: { subjectPrefix: null } }));
    assert.equal(p.config.subjectPrefix, null);
    assert.deepEqual(p.config.to, e.config.to, 'the rest of config is kept');
    const sl = await mk({ ...BODIES.slack, config: { ...BODIES.slack.config, channel: '#a' } });
    assert.equal(assertOk(await patch(sl.id, { config: { channel: '#b' } })).config.channel, '#b');
    assert.equal(stored(sl.id).webhookUrl, SECRETS.slack, 'the webhook is kept');
    assert.equal(assertOk(await patch(sl.id, { config: { channel: null } })).config.channel, null);
  });

  it('a short secret is masked without its end', async () => {
    const c = await mk({
      name: 'short', type: 'webhook',
      config: { url: 'https://h.example.com/', secret: 'sixteen-chars-ok', headers: { 'X-Env': 'prod' } },
    });
    assert.equal(c.config.secret, `${DOTS}s-ok`);
    assert.equal(c.config.headers['X-Env'], DOTS, 'shorter than 12: the bullets alone');
  });

  it('negative: every invalid field is a 400 naming it, and nothing is stored', async () => {
    const cases = [
      [{ name: '' }, '/name'],
      [{ name: 'x'.repeat(256) }, '/name'],
      [{ name: 42 }, '/name'],
      [{ type: 'sms' }, '/type'],
      [{ type: null }, '/type'],
      [{ events: { down: 'yes' } }, '/events/down'],
      [{ events: [] }, '/events'],
      [{ monitorIds: [] }, '/monitorIds'],
      [{ monitorIds: 'all' }, '/monitorIds'],
      [{ monitorIds: ['nope'] }, '/monitorIds/0'],
      [{ monitorIds: [mon1, mon1] }, '/monitorIds/1'],
      [{ monitorIds: [mon1, GHOST_MON] }, '/monitorIds/1'],
      [{ monitorIds: [otherMon] }, '/monitorIds/0'],
      [{ remindEveryMinutes: 1 }, '/remindEveryMinutes'],
      [{ remindEveryMinutes: 4 }, '/remindEveryMinutes'],
      [{ remindEveryMinutes: 1441 }, '/remindEveryMinutes'],
      [{ remindEveryMinutes: -1 }, '/remindEveryMinutes'],
      [{ remindEveryMinutes: 5.5 }, '/remindEveryMinutes'],
      [{ enabled: 'true' }, '/enabled'],
      [{ config: 'x' }, '/config'],
    ];
    const typed = [
      ['email', { to: [] }, '/config/to'],
      ['email', { to: 'ops@example.com' }, '/config/to'],
      ['email', { to: Array.from({ length: 11 }, (_, i) => `a${i}@example.com`) }, '/config/to'],
      ['email', { to: ['not an address'] }, '/config/to/0'],
      ['email', { to: ['a@example.com', 'A@example.com'] }, '/config/to/1'],
      ['email', {}, '/config/to'],
      ['email', { to: ['a@example.com'], subjectPrefix: '' }, '/config/subjectPrefix'],
      ['email', { to: ['a@example.com'], subjectPrefix: 'x'.repeat(65) }, '/config/subjectPrefix'],
      ['email', { to: ['a@example.com'], subjectPrefix: '[up]\r\nBcc: evil@example.com' }, '/config/subjectPrefix'],
      ['email', { to: ['a@example.com'], subjectPrefix: 'line\nbreak' }, '/config/subjectPrefix'],
      ['email', { to: ['a@example.com'], subjectPrefix: 'tab\there' }, '/config/subjectPrefix'],
      ['email', { to: ['a@example.com'], subjectPrefix: 'esc\u001b[31m' }, '/config/subjectPrefix'],
      ['email', { to: ['a@example.com'], subjectPrefix: 42 }, '/config/subjectPrefix'],
      ['email', { to: ['a@example.com'], subjectPrefix: ['[x]'] }, '/config/subjectPrefix'],
      ['slack', { webhookUrl: SECRETS.slack, channel: 'ops' }, '/config/channel'],
      ['slack', { webhookUrl: SECRETS.slack, channel: '#' }, '/config/channel'],
      ['slack', { webhookUrl: SECRETS.slack, channel: '#Ops' }, '/config/channel'],
      ['slack', { webhookUrl: SECRETS.slack, channel: '#ops alerts' }, '/config/channel'],
      ['slack', { webhookUrl: SECRETS.slack, channel: '#ops\r\nx' }, '/config/channel'],
      ['slack', { webhookUrl: SECRETS.slack, channel: `#${'a'.repeat(80)}` }, '/config/channel'],
      ['slack', { webhookUrl: SECRETS.slack, channel: '@someone' }, '/config/channel'],
      ['slack', { webhookUrl: SECRETS.slack, channel: 'C0123' }, '/config/channel'],
      ['slack', { webhookUrl: SECRETS.slack, channel: 'c0123abcd' }, '/config/channel'],
      ['slack', { webhookUrl: SECRETS.slack, channel: 'X0123ABCD' }, '/config/channel'],
      ['slack', { webhookUrl: SECRETS.slack, channel: `C${'A'.repeat(21)}` }, '/config/channel'],
      ['slack', { webhookUrl: SECRETS.slack, channel: 7 }, '/config/channel'],
      ['webhook', { url: 'ftp://example.com/' }, '/config/url'],
      ['webhook', { url: 'https://user:pw@example.com/' }, '/config/url'],
      ['webhook', { url: `https://example.com/${'a'.repeat(2048)}` }, '/config/url'],
      ['webhook', { url: 'https://example.com/', secret: 'short' }, '/config/secret'],
      ['webhook', { url: 'https://example.com/', secret: 'x'.repeat(257) }, '/config/secret'],
      ['webhook', { url: 'https://example.com/', secret: 'sixteen chars no' }, '/config/secret'],
      ['webhook', { url: 'https://example.com/', headers: [] }, '/config/headers'],
      ['webhook', { url: 'https://example.com/', headers: { 'Bad Name': 'x' } }, '/config/headers'],
      ['webhook', { url: 'https://example.com/', headers: { 'X-A': 'line\r\nX-Injected: 1' } }, '/config/headers'],
      ['webhook', { url: 'https://example.com/', headers: { 'X-A': 'x'.repeat(1025) } }, '/config/headers'],
      ['webhook', { url: 'https://example.com/', headers: { 'Content-Type': 'text/plain' } }, '/config/headers'],
      ['webhook', { url: 'https://example.com/', headers: { 'uptime-signature': 'forged' } }, '/config/headers'],
      ['webhook', { url: 'https://example.com/', headers: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`X-${i}`, 'v'])) }, '/config/headers'],
      ['webhook', { url: null }, '/config/url'],
      ['slack', { webhookUrl: 'hooks.slack.com/x' }, '/config/webhookUrl'],
      ['discord', { webhookUrl: 42 }, '/config/webhookUrl'],
      ['pagerduty', { routingKey: '' }, '/config/routingKey'],
      ['pagerduty', { routingKey: 'has space' }, '/config/routingKey'],
      ['pagerduty', { routingKey: 'k'.repeat(129) }, '/config/routingKey'],
      ['telegram', { botToken: 'no-colon', chatId: '1' }, '/config/botToken'],
      ['telegram', { botToken: '123:short', chatId: '1' }, '/config/botToken'],
      ['telegram', { botToken: '123:abcdefghijklmnopqrstu/../x', chatId: '1' }, '/config/botToken'],
      ['telegram', { botToken: SECRETS.telegram, chatId: 'ops' }, '/config/chatId'],
      ['telegram', { botToken: SECRETS.telegram, chatId: 1.5 }, '/config/chatId'],
      ['telegram', { botToken: SECRETS.telegram, chatId: 1e300 }, '/config/chatId'],
      ['telegram', { botToken: SECRETS.telegram, chatId: -1e300 }, '/config/chatId'],
      ['telegram', { botToken: SECRETS.telegram }, '/config/chatId'],
    ];
    await assertNoChange(srv, async () => {
      for (const [extra, ptr] of cases) {
        const p = assertProblem(await create({ ...BODIES.pagerduty, ...extra }), 400, 'validation_error', { pointers: [ptr] });
        assert.equal(p.errors.length, 1, `only ${ptr}: ${JSON.stringify(p.errors)}`);
      }
      for (const [type, config, ptr] of typed) {
        assertProblem(await create({ name: 'x', type, config }), 400, 'validation_error', { pointers: [ptr] });
      }
      // The detail names the monitor that is not the team's.
      const p = assertProblem(await create({ ...BODIES.pagerduty, monitorIds: [mon1, otherMon] }), 400,
        'validation_error', { pointers: ['/monitorIds/1'] });
      assert.match(p.errors[0].detail, new RegExp(otherMon));
      // Missing required members.
      assertProblem(await create({ type: 'email', config: { to: ['a@example.com'] } }), 400, 'validation_error', { pointers: ['/name'] });
      assertProblem(await create({ name: 'x', config: {} }), 400, 'validation_error', { pointers: ['/type'] });
      assertProblem(await create({ name: 'x', type: 'webhook' }), 400, 'validation_error', { pointers: ['/config'] });
    });
  });

  it('negative: several bad fields are listed at once', async () => {
    await assertNoChange(srv, async () => {
      const p = assertProblem(await create({
        name: '', type: 'webhook', config: { url: 'gopher://x', secret: 'x' }, remindEveryMinutes: 2,
        enabled: 1, events: { up: 'no' },
      }), 400, 'validation_error', {
        pointers: ['/name', '/config/url', '/config/secret', '/remindEveryMinutes', '/enabled', '/events/up'],
      });
      assert.equal(p.errors.length, 6);
    });
  });

  it('negative: unknown fields (also inside config and events) and read-only fields', async () => {
    await assertNoChange(srv, async () => {
      assertProblem(await create({ ...BODIES.pagerduty, color: 'red' }), 400, 'unknown_field', { pointers: ['/color'] });
      assertProblem(await create({ ...BODIES.pagerduty, config: { routingKey: 'abc', severity: 'high' } }), 400,
        'unknown_field', { pointers: ['/config/severity'] });
      // A member of another type's config.
      assertProblem(await create({ name: 'x', type: 'email', config: { to: ['a@example.com'], url: 'https://x.example/' } }),
        400, 'unknown_field', { pointers: ['/config/url'] });
      // channel is Slack's alone, subjectPrefix email's.
      assertProblem(await create({ ...BODIES.discord, config: { ...BODIES.discord.config, channel: '#ops' } }),
        400, 'unknown_field', { pointers: ['/config/channel'] });
      assertProblem(await create({ ...BODIES.slack, config: { ...BODIES.slack.config, subjectPrefix: '[x]' } }),
        400, 'unknown_field', { pointers: ['/config/subjectPrefix'] });
      assertProblem(await create({ ...BODIES.pagerduty, events: { down: true, recovered: true } }), 400,
        'unknown_field', { pointers: ['/events/recovered'] });
      for (const f of ['id', 'createdAt', 'updatedAt']) {
        assertProblem(await create({ ...BODIES.pagerduty, [f]: 'x' }), 400, 'read_only_field', { pointers: [`/${f}`] });
      }
      // unknown_field wins over the others, and all are listed.
      assertProblem(await create({ ...BODIES.pagerduty, id: GHOST, extra: 1, name: '' }), 400, 'unknown_field',
        { pointers: ['/extra', '/id', '/name'] });
    });
  });

  it('negative: malformed JSON, a body that is not an object and an empty body are 400', async () => {
    await assertNoChange(srv, async () => {
      for (const raw of ['{"name": "x", ', '{name: "x"}', '[]', '"x"', 'null', '{"name":"x"} trailing', '']) {
        assertProblem(await api('POST', '/v1/alert-channels', { key: admin, rawBody: raw }), 400, 'malformed_json');
      }
    });
  });

  it('negative: a body that is not application/json is 415, one over 1 MiB is 413', async () => {
    await assertNoChange(srv, async () => {
      assertProblem(await api('POST', '/v1/alert-channels', {
        key: admin, rawBody: JSON.stringify(BODIES.pagerduty), headers: { 'Content-Type': 'text/plain' },
      }), 415, 'unsupported_media_type');
      const big = JSON.stringify({ ...BODIES.pagerduty, name: 'x'.repeat((1 << 20) + 10) });
      assertProblem(await api('POST', '/v1/alert-channels', { key: admin, rawBody: big }), 413, 'body_too_large');
    });
  });

  it('negative: with private targets off, private and loopback URLs are refused', async () => {
    const bad = ['http://127.0.0.1:8080/hook', 'http://localhost/hook', 'http://[::1]/hook', 'http://10.1.2.3/',
      'http://169.254.169.254/latest/meta-data/', 'http://[::ffff:127.0.0.1]/', 'http://svc.localhost/'];
    await assertNoChange(safe, async () => {
      for (const url of bad) {
        assertProblem(await safe.api('POST', '/v1/alert-channels', {
          key: safeKey, body: { name: 'x', type: 'webhook', config: { url } },
        }), 400, 'validation_error', { pointers: ['/config/url'] });
        assertProblem(await safe.api('POST', '/v1/alert-channels', {
          key: safeKey, body: { name: 'x', type: 'slack', config: { webhookUrl: url } },
        }), 400, 'validation_error', { pointers: ['/config/webhookUrl'] });
      }
    });
    // A public name is fine (it is checked again at every connection).
    assertOk(await safe.api('POST', '/v1/alert-channels', {
      key: safeKey, body: { name: 'ok', type: 'webhook', config: { url: 'https://hooks.example.com/x' } },
    }), 201);
    // The server that allows private targets takes them.
    assertOk(await create({ name: 'local', type: 'webhook', config: { url: 'http://127.0.0.1:9/hook' } }), 201);
  });
});

// ---------------------------------------------------------------------------

describe('GET /v1/alert-channels', () => {
  it('lists the team\'s channels newest first, page by page, secrets masked', async () => {
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push((await mk({ ...BODIES.webhook, name: `page ${i}` })).id);
    const seen = [];
    let url = '/v1/alert-channels?perPage=2';
    for (let pages = 0; url && pages < 100; pages++) {
      const res = await api('GET', url, { key: reader });
      const d = assertOk(res);
      assertNoSecret(res.text, 'list');
      assert.ok(d.length <= 2);
      assert.equal(res.json.meta.pagination.perPage, 2);
      seen.push(...d);
      const next = res.json.meta.pagination.next;
      if (next) {
        assert.match(res.headers.get('link') ?? '', /rel="next"/);
        url = `/v1/alert-channels?perPage=2&cursor=${encodeURIComponent(next)}`;
      } else url = null;
    }
    const ids = seen.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, 'no channel twice');
    const pos = mine.map((id) => ids.indexOf(id));
    assert.ok(pos.every((p) => p >= 0), 'all of them listed');
    assert.ok(pos[0] > pos[1] && pos[1] > pos[2], 'newest first');
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1].createdAt >= seen[i].createdAt);
  });

  it('another team sees none of them', async () => {
    const c = await mk(BODIES.discord);
    const theirs = assertOk(await api('GET', '/v1/alert-channels?perPage=200', { key: otherKey }));
    assert.ok(!theirs.some((x) => x.id === c.id));
  });

  it('negative: a bad perPage or cursor, or an unknown parameter, is 400 bad_query', async () => {
    for (const q of ['perPage=0', 'perPage=201', 'perPage=x', 'cursor=%%%', 'cursor=bm9wZQ', 'type=email']) {
      assertProblem(await api('GET', `/v1/alert-channels?${q}`, { key: admin }), 400, 'bad_query');
    }
  });
});

// ---------------------------------------------------------------------------

describe('PATCH /v1/alert-channels/{id}', () => {
  it('changes only the fields given', async () => {
    const c = await mk({ ...BODIES.webhook, monitorIds: [mon1] });
    const p = assertOk(await patch(c.id, { name: 'renamed' }));
    assert.equal(p.name, 'renamed');
    assert.deepEqual({ ...p, name: c.name, updatedAt: c.updatedAt }, c);
    assert.ok(p.updatedAt >= c.updatedAt);
    const e = assertOk(await patch(c.id, { events: { down: false }, remindEveryMinutes: 30, enabled: false }));
    assert.deepEqual(e.events, { down: false, up: true, degraded: false, sslExpiring: true, dnsChanged: false },
      'only down changed');
    assert.equal(e.remindEveryMinutes, 30);
    assert.equal(e.enabled, false);
    assert.deepEqual(assertOk(await patch(c.id, { monitorIds: null })).monitorIds, null);
    assert.deepEqual(assertOk(await patch(c.id, { monitorIds: [mon2] })).monitorIds, [mon2]);
    assert.deepEqual(assertOk(await patch(c.id, { type: 'webhook' })).type, 'webhook', 'its own type is fine');
    assert.deepEqual(assertOk(await patch(c.id, {})).name, 'renamed', '{} changes nothing');
  });

  it('merges config; a secret sent back masked keeps the stored value', async () => {
    const c = await mk(BODIES.webhook);
    const url = BODIES.webhook.config.url;
    // What a client read, sent back with one change.
    const back = clone(c.config);
    back.headers['X-Extra'] = 'extra-value';
    const p = assertOk(await patch(c.id, { config: back }));
    assert.equal(p.config.url, url);
    assert.equal(p.config.secret, `${DOTS}WXYZ`);
    assert.deepEqual(stored(c.id), {
      url, secret: SECRETS.webhook,
      headers: { Authorization: SECRETS.header, 'X-Extra': 'extra-value' },
    });
    // Members not given are kept; a new secret replaces; null clears.
    assertOk(await patch(c.id, { config: { secret: 'a-brand-new-secret-1234' } }));
    assert.equal(stored(c.id).secret, 'a-brand-new-secret-1234');
    assert.equal(stored(c.id).url, url);
    const cleared = assertOk(await patch(c.id, { config: { secret: null, headers: null } }));
    assert.deepEqual(cleared.config, { url, secret: null, headers: {} });
    assert.deepEqual(stored(c.id), { url });
    // Masked URL secrets too.
    const s = await mk(BODIES.slack);
    assertOk(await patch(s.id, { name: 'slack 2', config: s.config }));
    assert.equal(stored(s.id).webhookUrl, SECRETS.slack);
    const res = await patch(s.id, { config: { webhookUrl: 'https://hooks.slack.com/services/NEW/NEW/NEWNEWNEWnew1' } });
    assert.equal(assertOk(res).config.webhookUrl, `https://hooks.slack.com/${DOTS}new1`);
    assertNoSecret(res.text, 'PATCH');
  });

  it('a new url drops the stored secret and headers unless the same request gives them again', async () => {
    const full = { secret: SECRETS.webhook, headers: { Authorization: SECRETS.header } };
    // A key with alerts:write alone points the webhook at its own server:
    // neither the secret nor the headers go with it.
    const c = await mk(BODIES.webhook);
    const elsewhere = 'https://collector.example.net/in';
    const moved = assertOk(await patch(c.id, { config: { url: elsewhere } }, writer));
    assert.deepEqual(moved.config, { url: elsewhere, secret: null, headers: {} });
    assert.deepEqual(stored(c.id), { url: elsewhere });
    // Given again in full with the new url, they are kept; a new header
    // set replaces the old one whole.
    const d = await mk(BODIES.webhook);
    assertOk(await patch(d.id, { config: { url: 'https://hooks.example.com/v2', ...full } }));
    assert.deepEqual(stored(d.id), { url: 'https://hooks.example.com/v2', ...full });
    assertOk(await patch(d.id, { config: { url: 'https://hooks.example.com/v3', headers: { 'X-Only': 'this-one' } } }));
    assert.deepEqual(stored(d.id), { url: 'https://hooks.example.com/v3', headers: { 'X-Only': 'this-one' } });
    // The same url again, or other members alone, keep what is stored.
    assertOk(await patch(d.id, { config: { url: 'https://hooks.example.com/v3', ...full } }));
    assertOk(await patch(d.id, { name: 'same place', config: { url: 'https://hooks.example.com/v3' } }));
    assert.deepEqual(stored(d.id), { url: 'https://hooks.example.com/v3', ...full });
    // A slack or discord webhookUrl is both the address and the secret: a
    // new one replaces it.  A Telegram chatId picks a chat; the token only
    // ever goes to the operator's UPTIME_TELEGRAM_URL, so it stays.
    const t = await mk(BODIES.telegram);
    assertOk(await patch(t.id, { config: { chatId: '@other_chat' } }, writer));
    assert.deepEqual(stored(t.id), { botToken: SECRETS.telegram, chatId: '@other_chat' });
  });

  it('negative: a new url with the secret or a header sent back masked is 400 and changes nothing', async () => {
    const c = await mk(BODIES.webhook);
    await assertNoChange(srv, async () => {
      const back = { ...clone(c.config), url: 'https://collector.example.net/in' };
      const p = assertProblem(await patch(c.id, { config: back }), 400, 'validation_error',
        { pointers: ['/config/secret', '/config/headers'] });
      assert.equal(p.errors.length, 2);
      assert.match(p.errors.find((e) => e.pointer === '/config/headers').detail, /header Authorization .*again in full/);
      assertProblem(await patch(c.id, { config: { url: 'https://collector.example.net/in', secret: c.config.secret } }),
        400, 'validation_error', { pointers: ['/config/secret'] });
      assertProblem(await patch(c.id, { config: { url: 'https://collector.example.net/in', secret: null,
        headers: { ...c.config.headers, 'X-New': 'v' } } }), 400, 'validation_error', { pointers: ['/config/headers'] });
    });
    assert.deepEqual(await get(c.id), c);
    assert.deepEqual(stored(c.id), BODIES.webhook.config);
  });

  it('negative: invalid, unknown and read-only fields are 400 and change nothing', async () => {
    const c = await mk({ ...BODIES.telegram, monitorIds: [mon1] });
    await assertNoChange(srv, async () => {
      const cases = [
        [{ name: '' }, 'validation_error', '/name'],
        [{ type: 'email' }, 'validation_error', '/type'],
        [{ config: { chatId: 'not a chat' } }, 'validation_error', '/config/chatId'],
        [{ config: { botToken: null } }, 'validation_error', '/config/botToken'],
        [{ config: { routingKey: 'x' } }, 'unknown_field', '/config/routingKey'],
        [{ config: [] }, 'validation_error', '/config'],
        [{ monitorIds: [otherMon] }, 'validation_error', '/monitorIds/0'],
        [{ remindEveryMinutes: 3 }, 'validation_error', '/remindEveryMinutes'],
        [{ events: { sslExpiring: null } }, 'validation_error', '/events/sslExpiring'],
        [{ enabled: null }, 'validation_error', '/enabled'],
        [{ color: 'red' }, 'unknown_field', '/color'],
        [{ createdAt: c.createdAt }, 'read_only_field', '/createdAt'],
        [{ id: c.id }, 'read_only_field', '/id'],
      ];
      for (const [body, code, ptr] of cases) {
        assertProblem(await patch(c.id, body), 400, code, { pointers: [ptr] });
      }
      for (const raw of ['{', 'null', '[]', '']) {
        assertProblem(await api('PATCH', `/v1/alert-channels/${c.id}`, { key: admin, rawBody: raw }), 400, 'malformed_json');
      }
      // The body is read before the channel is looked up.
      assertProblem(await api('PATCH', `/v1/alert-channels/${GHOST}`, { key: admin, rawBody: '{' }), 400, 'malformed_json');
      assertProblem(await patch(GHOST, { name: 'x' }), 404, 'not_found');
      const big = JSON.stringify({ name: 'x'.repeat((1 << 20) + 10) });
      assertProblem(await api('PATCH', `/v1/alert-channels/${c.id}`, { key: admin, rawBody: big }), 413, 'body_too_large');
    });
    assert.deepEqual(await get(c.id), c);
  });
});

// ---------------------------------------------------------------------------

describe('DELETE /v1/alert-channels/{id}', () => {
  it('deletes the channel with its notifications; then 404', async () => {
    const c = await mk(BODIES.pagerduty);
    const n = assertOk(await api('POST', `/v1/alert-channels/${c.id}/test`, { key: admin }), 202);
    const res = await api('DELETE', `/v1/alert-channels/${c.id}`, { key: admin });
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assertProblem(await api('GET', `/v1/alert-channels/${c.id}`, { key: admin }), 404, 'not_found');
    assertProblem(await api('DELETE', `/v1/alert-channels/${c.id}`, { key: admin }), 404, 'not_found');
    assertProblem(await api('GET', `/v1/notifications/${n.id}`, { key: admin }), 404, 'not_found');
    assert.equal(srv.sql(`SELECT count(*) AS n FROM notifications WHERE channel_id = '${c.id}'`)[0].n, 0);
  });

  it('deleting a monitor takes it out of the channels that name it', async () => {
    const m = assertOk(await api('POST', '/v1/monitors', {
      key: admin, body: { name: 'short-lived', url: 'https://example.com/', paused: true },
    }), 201);
    const c = await mk({ ...BODIES.pagerduty, monitorIds: [mon1, m.id] });
    assert.equal((await api('DELETE', `/v1/monitors/${m.id}`, { key: admin })).status, 204);
    assert.deepEqual((await get(c.id)).monitorIds, [mon1]);
  });
});

// ---------------------------------------------------------------------------

describe('POST /v1/alert-channels/{id}/test and the notifications', () => {
  it('queues a test notification: 202, Location, listed everywhere', async () => {
    const c = await mk(BODIES.webhook);
    const res = await api('POST', `/v1/alert-channels/${c.id}/test`, { key: writer });
    const n = assertOk(res, 202);
    assert.deepEqual(Object.keys(n).sort(), [...NTF_KEYS].sort());
    assert.match(n.id, NTF_RE);
    assert.equal(res.headers.get('location'), `${srv.baseUrl}/v1/notifications/${n.id}`);
    assert.equal(n.channelId, c.id);
    assert.equal(n.event, 'test');
    assert.equal(n.status, 'pending');
    assert.equal(n.monitorId, null);
    assert.equal(n.outageId, null);
    assert.equal(n.attempts, 0);
    assert.equal(n.lastAttemptAt, null);
    assert.equal(n.sentAt, null);
    assert.equal(n.responseStatus, null);
    assert.equal(n.error, null);
    assert.equal(n.suppressedReason, null);
    assert.match(n.createdAt, TIME_RE);
    assert.equal(n.nextAttemptAt, n.createdAt, 'due at once');
    const one = assertOk(await api('GET', `/v1/notifications/${n.id}`, { key: reader }));
    assert.deepEqual(one, { ...n, deliveries: [] });
    const all = assertOk(await api('GET', '/v1/notifications?perPage=200', { key: reader }));
    assert.deepEqual(all.find((x) => x.id === n.id), n);
    const per = assertOk(await api('GET', `/v1/alert-channels/${c.id}/notifications`, { key: reader }));
    assert.deepEqual(per, [n]);
    // The payload names the channel, never its secret.
    const payload = srv.sql(`SELECT payload FROM notifications WHERE id = '${n.id}'`)[0].payload;
    assertNoSecret(payload, 'the payload');
    assert.equal(JSON.parse(payload).channel.id, c.id);
  });

  it('a disabled channel can be tested too', async () => {
    const c = await mk({ ...BODIES.pagerduty, enabled: false });
    assert.equal(assertOk(await api('POST', `/v1/alert-channels/${c.id}/test`, { key: admin }), 202).status, 'pending');
  });

  it('negative: a body with fields is refused, and nothing is queued', async () => {
    const c = await mk(BODIES.pagerduty);
    await assertNoChange(srv, async () => {
      assertProblem(await api('POST', `/v1/alert-channels/${c.id}/test`, { key: admin, body: { message: 'hi' } }), 400,
        'unknown_field', { pointers: ['/message'] });
      assertProblem(await api('POST', `/v1/alert-channels/${GHOST}/test`, { key: admin }), 404, 'not_found');
    });
  });

  it('filters by status, event, monitorId and time; each channel sees its own', async () => {
    const a = await mk({ ...BODIES.pagerduty, name: 'filter a' });
    const b = await mk({ ...BODIES.pagerduty, name: 'filter b' });
    const na = [];
    for (let i = 0; i < 3; i++) {
      na.push(assertOk(await api('POST', `/v1/alert-channels/${a.id}/test`, { key: admin }), 202));
      await sleep(5);   // distinct createdAt, for the time filters
    }
    const nb = assertOk(await api('POST', `/v1/alert-channels/${b.id}/test`, { key: admin }), 202);
    const list = async (q, ch = a.id) => assertOk(await api('GET', `/v1/alert-channels/${ch}/notifications?${q}`, { key: admin }));
    assert.deepEqual((await list('')).map((n) => n.id), na.map((n) => n.id).reverse(), 'newest first');
    assert.deepEqual((await list('', b.id)).map((n) => n.id), [nb.id]);
    assert.equal((await list('event=test&status=pending')).length, 3);
    assert.equal((await list('status=sent')).length, 0);
    assert.equal((await list('event=down')).length, 0);
    assert.equal((await list(`monitorId=${mon1}`)).length, 0);
    const from = encodeURIComponent(na[1].createdAt);
    assert.deepEqual((await list(`from=${from}`)).map((n) => n.id).sort(), [na[1].id, na[2].id].sort());
    assert.deepEqual((await list(`to=${from}`)).map((n) => n.id), [na[0].id]);
    // Pages of one.
    const p1 = await api('GET', `/v1/alert-channels/${a.id}/notifications?perPage=1`, { key: admin });
    assert.equal(assertOk(p1).length, 1);
    const next = p1.json.meta.pagination.next;
    assert.ok(next);
    const p2 = assertOk(await api('GET', `/v1/alert-channels/${a.id}/notifications?perPage=1&cursor=${encodeURIComponent(next)}`, { key: admin }));
    assert.equal(p2[0].id, na[1].id);
    // The team-wide list holds both channels' and filters the same way.
    const all = assertOk(await api('GET', '/v1/notifications?event=test&perPage=200', { key: admin })).map((n) => n.id);
    for (const n of [...na, nb]) assert.ok(all.includes(n.id));
  });

  it('negative: bad filter values are 400 bad_query, checked before the channel', async () => {
    const c = await mk(BODIES.pagerduty);
    for (const base of ['/v1/notifications', `/v1/alert-channels/${c.id}/notifications`, `/v1/alert-channels/${GHOST}/notifications`]) {
      for (const q of ['status=lost', 'event=sideways', 'monitorId=mon_short', `monitorId=${c.id}`, 'from=yesterday',
        'to=2026-13-01T00:00:00Z', 'from=2026-02-02T00:00:00Z&to=2026-02-01T00:00:00Z', 'perPage=0', 'cursor=xyz',
        'channelId=x']) {
        assertProblem(await api('GET', `${base}?${q}`, { key: admin }), 400, 'bad_query');
      }
    }
    assertProblem(await api('GET', `/v1/alert-channels/${GHOST}/notifications`, { key: admin }), 404, 'not_found');
  });
});

// ---------------------------------------------------------------------------

describe('keys, scopes and teams', () => {
  let c, n;
  before(async () => {
    c = await mk(BODIES.webhook);
    n = assertOk(await api('POST', `/v1/alert-channels/${c.id}/test`, { key: admin }), 202);
  });

  it('negative: no key or an unknown key is 401 on every route, and changes nothing', async () => {
    const bogus = makeKey();
    await assertNoChange(srv, async () => {
      for (const [method, path, body] of routes(c.id, n.id)) {
        assertUnauthorized(await api(method, path, { body }), 'missing_credentials', { presented: false });
        assertUnauthorized(await api(method, path, { key: bogus, body }), 'invalid_key');
      }
    }, { authFailure: true });
  });

  it('negative: a wrong scope is 403 naming the scope; :write does not imply :read', async () => {
    await assertNoChange(srv, async () => {
      for (const [method, path, body, scope] of routes(c.id, n.id)) {
        assertForbidden(await api(method, path, { key: monitorsOnly, body }), scope);
        if (scope === 'alerts:write') assertForbidden(await api(method, path, { key: reader, body }), scope);
        if (scope === 'alerts:read') assertForbidden(await api(method, path, { key: writer, body }), scope);
      }
    }, { authFailure: true });
    for (const [method, path, , scope] of routes(c.id, n.id)) {
      if (scope === 'alerts:read') assertOk(await api(method, path, { key: reader }));
    }
  });

  it('negative: another team\'s channel or notification is 404 on every route, like one that does not exist', async () => {
    const strip = ({ requestId, ...rest }) => rest;
    await assertNoChange(srv, async () => {
      for (const [method, path, body] of routes(c.id, n.id)) {
        if (!path.includes(c.id) && !path.includes(n.id)) continue;
        const theirs = await api(method, path, { key: otherKey, body });
        assertProblem(theirs, 404, 'not_found');
        const ghostPath = path.replace(c.id, GHOST).replace(n.id, 'ntf_' + 'C'.repeat(20));
        const ghost = await api(method, ghostPath, { key: admin, body });
        assertProblem(ghost, 404, 'not_found');
        assert.deepEqual(strip(theirs.json), strip(ghost.json), `${method} ${path}`);
        assertProblem(await api(method, path.replace(c.id, 'ach_bad!').replace(n.id, 'ntf_bad!'), { key: admin, body }),
          404, 'not_found');
      }
    });
    const theirs = assertOk(await api('GET', '/v1/notifications?perPage=200', { key: otherKey }));
    assert.ok(!theirs.some((x) => x.id === n.id));
    assert.equal((await get(c.id)).name, c.name);
  });

  it('writes are audited with the channel id', async () => {
    const d = await mk(BODIES.pagerduty);
    assertOk(await patch(d.id, { name: 'audited' }));
    assertOk(await api('POST', `/v1/alert-channels/${d.id}/test`, { key: admin }), 202);
    assert.equal((await api('DELETE', `/v1/alert-channels/${d.id}`, { key: admin })).status, 204);
    const ev = assertOk(await api('GET', '/v1/audit-events?perPage=200', { key: admin }));
    const mine = ev.filter((e) => e.targetId === d.id).map((e) => e.action).sort();
    assert.deepEqual(mine, ['alert_channel.created', 'alert_channel.deleted', 'alert_channel.tested',
      'alert_channel.updated']);
  });
});
