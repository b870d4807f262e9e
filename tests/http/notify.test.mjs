// The notifier: API.md section 4 "Alert channels and notifications" and
// section 5 "Notifier", through the real programs: status changes made by
// POST /v1/monitors/{id}/check against a local target become monitor
// events, cron/uptime-notify turns them into notifications and delivers
// them to receivers this file starts on 127.0.0.1: an HTTP receiver that
// verifies webhook signatures and plays Slack, Discord, PagerDuty and
// Telegram, and the SMTP sink of lib/smtp.mjs.  Time is moved with
// uptime-notify --now for reminders, backoff and the flap rule.
//
// Every test makes its own monitors and channels (channels name their
// monitors, so they hear nothing else) and deletes them afterwards.

import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { startServer, runCron, sleep, CRONDIR } from './lib/harness.mjs';
import { assertOk, TIME_RE } from './lib/checks.mjs';
import { startHttpTarget, startDnsServer, closedPort } from './lib/targets.mjs';
import { startSmtpSink } from './lib/smtp.mjs';

const SECRET = 'whsec_notify_0123456789abcdef';
const BOT = '123456:ABCdefGHIjklMNOpqrSTUvwx-tg99';
const MIN = 60e3;
const PAYLOAD_KEYS = ['id', 'event', 'createdAt', 'occurredAt', 'message', 'team', 'channel', 'monitor', 'outage',
  'sslExpiresAt', 'dns', 'location', 'afterFlapping'];
// The DNS zone of the local DNS server (UPTIME_DNS_SERVERS), changed by the tests.
const ZONE = { 'moving.notify.test': { A: ['192.0.2.1'] } };

let srv, key, otherKey;
let web;            // the monitors' target
let recv;           // the alert receiver
let sink;           // the SMTP sink
let dns;            // the DNS server
const state = new Map();    // target path name -> 'up' | 'down' | 'slow'
const got = [];             // every request the receiver took
const behave = new Map();   // receiver path -> (n-th request on it) => status
let seq = 0;

const api = (...a) => srv.api(...a);
const at = (ms) => new Date(ms).toISOString();

// One pass of the notifier; resolves with its result.
async function notifier(args = [], env = {}) {
  const r = await runCron(srv, 'uptime-notify', args, {
    env: {
      UPTIME_SMTP_URL: sink.url,
      UPTIME_MAIL_FROM: 'Uptime <alerts@uptime.test>',
      UPTIME_PAGERDUTY_URL: recv.url('/pd/v2/enqueue'),
      UPTIME_TELEGRAM_URL: recv.url('/tg'),
      ...env,
    },
  });
  assert.equal(r.code, 0, `uptime-notify exited ${r.code}\n${r.stderr}`);
  return r;
}
const notifyAt = (ms, env) => notifier(['--now', at(ms)], env);

// Requests the receiver took on paths starting with prefix.
const on = (prefix) => got.filter((g) => g.path.startsWith(prefix));

async function monitor(extra = {}) {
  const name = `svc${++seq}`;
  state.set(name, 'up');
  const m = assertOk(await api('POST', '/v1/monitors', {
    key, body: { name: `Service ${seq}`, url: web.url(`/svc/${name}`), timeoutSeconds: 5, ...extra },
  }), 201);
  return { ...m, svc: name };
}

// Set the target's answer and run one check; returns the check result.
async function check(m, how) {
  state.set(m.svc, how);
  return assertOk(await api('POST', `/v1/monitors/${m.id}/check`, { key }));
}
const down = (m) => check(m, 'down');
const up = (m) => check(m, 'up');

async function channel(body) {
  return assertOk(await api('POST', '/v1/alert-channels', { key, body }), 201);
}
const hook = (p, m, extra = {}) => channel({
  name: `hook ${p}`, type: 'webhook', monitorIds: m ? [m.id] : null,
  config: { url: recv.url(p), secret: SECRET }, ...extra,
});
async function notes(ch, q = '') {
  return assertOk(await api('GET', `/v1/alert-channels/${ch.id}/notifications?perPage=200${q}`, { key }));
}
async function testNote(ch) {
  return assertOk(await api('POST', `/v1/alert-channels/${ch.id}/test`, { key }), 202);
}

// The receiver's view of a webhook signature: HMAC-SHA256 of "t.body".
function verify(secret, header, raw) {
  const m = /^t=(\d+), v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const mac = crypto.createHmac('sha256', secret).update(`${m[1]}.${raw}`).digest('hex');
  return crypto.timingSafeEqual(Buffer.from(mac), Buffer.from(m[2]));
}

before(async () => {
  web = await startHttpTarget(async (req, res) => {
    const name = new URL(req.url, 'http://x').pathname.split('/')[2];
    const s = state.get(name) ?? 'up';
    if (s === 'slow') await sleep(150);
    res.statusCode = s === 'down' ? 500 : 200;
    res.end(s === 'down' ? 'broken' : 'fine');
  });
  recv = await startHttpTarget(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString('utf8');
    const p = req.url;
    const entry = { path: p, method: req.method, headers: req.headers, raw, json: null };
    try { entry.json = JSON.parse(raw); } catch { /* left null */ }
    got.push(entry);
    const rule = [...behave.entries()].find(([prefix]) => p.startsWith(prefix));
    const n = got.filter((g) => g.path === p).length;
    const status = rule ? await rule[1](n) : 200;
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json');
    res.end(status < 300 ? '{"ok":true}' : `{"ok":false,"error":"status ${status}"}`);
  });
  sink = await startSmtpSink();
  dns = await startDnsServer(ZONE);
  srv = await startServer({ allowPrivate: true, env: { UPTIME_RATE_LIMIT: '1000000', UPTIME_DNS_SERVERS: dns.servers } });
  const team = await srv.createTeam('Notify team');
  key = await srv.createKey(team, { name: 'admin' });
  otherKey = await srv.createKey(await srv.createTeam('Other team'), { name: 'other' });
});

afterEach(async () => {
  for (const k of [key, otherKey]) {
    for (const c of assertOk(await api('GET', '/v1/alert-channels?perPage=200', { key: k }))) {
      await api('DELETE', `/v1/alert-channels/${c.id}`, { key: k });
    }
    for (const m of assertOk(await api('GET', '/v1/monitors?perPage=200', { key: k }))) {
      await api('DELETE', `/v1/monitors/${m.id}`, { key: k });
    }
  }
  behave.clear();
  sink.refuse(null);
});

after(async () => {
  await Promise.allSettled([web?.close(), recv?.close(), sink?.close(), dns?.close()]);
  await srv?.stop();
});

// ---------------------------------------------------------------------------

describe('webhook channels', () => {
  it('down then up: signed JSON bodies of the documented shape', async () => {
    const m = await monitor();
    const ch = await hook('/hook/basic', m, { config: { url: recv.url('/hook/basic'), secret: SECRET, headers: { 'X-Team': 'blue' } } });
    const before = Date.now();
    assert.equal((await down(m)).status, 'down');
    await notifier();
    let reqs = on('/hook/basic');
    assert.equal(reqs.length, 1);
    const d = reqs[0];
    assert.equal(d.method, 'POST');
    assert.match(d.headers['content-type'], /^application\/json/);
    assert.equal(d.headers['x-team'], 'blue', 'the channel\'s own header');
    assert.equal(d.headers['uptime-event'], 'down');
    assert.ok(verify(SECRET, d.headers['uptime-signature'], d.raw), `signature ${d.headers['uptime-signature']}`);
    const t = Number(/^t=(\d+)/.exec(d.headers['uptime-signature'])[1]);
    assert.ok(Math.abs(t * 1000 - Date.now()) < 300e3, 'signed now');
    // Negative: the receiver's check fails for another body or secret.
    assert.ok(!verify(SECRET, d.headers['uptime-signature'], d.raw.replace('"down"', '"up"')), 'tampered body');
    assert.ok(!verify('another-secret-of-length', d.headers['uptime-signature'], d.raw), 'wrong secret');

    const b = d.json;
    assert.deepEqual(Object.keys(b).sort(), [...PAYLOAD_KEYS].sort());
    assert.match(b.id, /^ntf_[0-9A-Za-z]{20}$/);
    assert.equal(d.headers['uptime-delivery'], b.id);
    assert.equal(b.event, 'down');
    assert.match(b.createdAt, TIME_RE);
    assert.ok(Date.parse(b.occurredAt) >= before - 1000);
    assert.match(b.message, /^DOWN: Service \d+ \(http:\/\/127\.0\.0\.1:\d+\/svc\/svc\d+\)/);
    assert.equal(b.team.id, (await srv.whoami(key)).team.id);
    assert.deepEqual(b.channel, { id: ch.id, name: ch.name });
    assert.deepEqual(b.monitor, { id: m.id, name: m.name, type: 'http', target: m.url });
    assert.match(b.outage.id, /^out_[0-9A-Za-z]{20}$/);
    assert.equal(b.outage.endedAt, null);
    assert.equal(b.outage.cause.code, 'unexpected_status');
    assert.match(b.outage.cause.message, /500/);
    assert.equal(b.sslExpiresAt, null);
    assert.equal(b.dns, null);
    assert.equal(b.location, null);
    assert.equal(b.afterFlapping, false);

    let [n] = await notes(ch);
    assert.equal(n.id, b.id);
    assert.equal(n.status, 'sent');
    assert.equal(n.attempts, 1);
    assert.equal(n.responseStatus, 200);
    assert.equal(n.monitorId, m.id);
    assert.equal(n.outageId, b.outage.id);
    assert.match(n.sentAt, TIME_RE);
    assert.equal(n.nextAttemptAt, null);
    const one = assertOk(await api('GET', `/v1/notifications/${n.id}`, { key }));
    assert.equal(one.deliveries.length, 1);
    assert.equal(one.deliveries[0].responseStatus, 200);
    assert.equal(one.deliveries[0].error, null);

    assert.equal((await up(m)).status, 'up');
    await notifier();
    reqs = on('/hook/basic');
    assert.equal(reqs.length, 2);
    const u = reqs[1].json;
    assert.ok(verify(SECRET, reqs[1].headers['uptime-signature'], reqs[1].raw));
    assert.equal(u.event, 'up');
    assert.equal(u.outage.id, b.outage.id);
    assert.match(u.outage.endedAt, TIME_RE);
    assert.match(u.message, /^UP: .* is up again after /);
    [n] = await notes(ch, '&event=up');
    assert.equal(n.status, 'sent');
    // Nothing more to send.
    await notifier();
    assert.equal(on('/hook/basic').length, 2);
  });

  it('without a secret the body is not signed', async () => {
    const ch = await channel({ name: 'plain', type: 'webhook', config: { url: recv.url('/hook/unsigned') } });
    await testNote(ch);
    await notifier();
    const [d] = on('/hook/unsigned');
    assert.equal(d.json.event, 'test');
    assert.equal(d.json.monitor, null);
    assert.equal(d.headers['uptime-signature'], undefined);
  });

  it('a secret PATCHed back masked still signs with the stored secret', async () => {
    const ch = await hook('/hook/masked');
    assertOk(await api('PATCH', `/v1/alert-channels/${ch.id}`, { key, body: { config: ch.config, name: 'renamed' } }));
    await testNote(ch);
    await notifier();
    const [d] = on('/hook/masked');
    assert.ok(verify(SECRET, d.headers['uptime-signature'], d.raw));
    assert.equal(d.json.channel.name, 'renamed');
  });

  it('a webhook moved to another url: the test sent there is unsigned and carries none of the stored headers', async () => {
    const partner = 'Bearer partner-token-0123456789';
    const ch = await hook('/hook/partner', null, {
      config: { url: recv.url('/hook/partner'), secret: SECRET, headers: { Authorization: partner, 'X-Team': 'blue' } },
    });
    assertOk(await api('PATCH', `/v1/alert-channels/${ch.id}`, { key, body: { config: { url: recv.url('/hook/collector') } } }));
    await testNote(ch);
    await notifier();
    const [d] = on('/hook/collector');
    assert.equal(d.json.event, 'test');
    assert.equal(d.headers['uptime-signature'], undefined, 'signed with the stored secret');
    assert.equal(d.headers.authorization, undefined, 'the stored Authorization header went along');
    assert.equal(d.headers['x-team'], undefined, 'a stored header went along');
    assert.equal(on('/hook/partner').length, 0);
  });
});

// ---------------------------------------------------------------------------

describe('chat and incident channels', () => {
  it('Slack, Discord, PagerDuty and Telegram get their own formats', async () => {
    const m = await monitor({ name: 'Shop <!channel> & @everyone' });
    await channel({ name: 'slack', type: 'slack', monitorIds: [m.id], config: { webhookUrl: recv.url('/slack/T0/B0/xyzxyzxyzxyz') } });
    await channel({ name: 'discord', type: 'discord', monitorIds: [m.id], config: { webhookUrl: recv.url('/discord/123/tok') } });
    await channel({ name: 'pd', type: 'pagerduty', monitorIds: [m.id], config: { routingKey: 'RK0123456789abcdef' } });
    await channel({ name: 'tg', type: 'telegram', monitorIds: [m.id], config: { botToken: BOT, chatId: '-100123' } });
    await down(m);
    await notifier();

    const [slack] = on('/slack/');
    assert.deepEqual(Object.keys(slack.json), ['text']);
    assert.match(slack.json.text, /^DOWN: Shop &lt;!channel&gt; &amp; @everyone \(/);
    assert.ok(!slack.json.text.includes('<!channel>'), 'no Slack mention');

    const [discord] = on('/discord/');
    assert.match(discord.json.content, /^DOWN: Shop <!channel> & @everyone \(/);
    assert.deepEqual(discord.json.allowed_mentions, { parse: [] }, 'no Discord mention');

    const [pd] = on('/pd/v2/enqueue');
    const outage = (await notes({ id: (await channelsByName()).pd })).find((n) => n.event === 'down').outageId;
    assert.equal(pd.json.routing_key, 'RK0123456789abcdef');
    assert.equal(pd.json.event_action, 'trigger');
    assert.equal(pd.json.dedup_key, outage, 'one incident per outage');
    assert.match(pd.json.payload.summary, /^DOWN: /);
    assert.equal(pd.json.payload.severity, 'critical');
    assert.equal(pd.json.payload.source, m.url);
    assert.equal(pd.json.payload.component, m.name);
    assert.equal(pd.json.payload.custom_details.event, 'down');
    assert.match(pd.json.payload.timestamp, TIME_RE);

    const [tg] = on('/tg/');
    assert.equal(tg.path, `/tg/bot${BOT}/sendMessage`);
    assert.equal(tg.json.chat_id, '-100123');
    assert.match(tg.json.text, /^DOWN: Shop <!channel>/);

    await up(m);
    await notifier();
    const pds = on('/pd/v2/enqueue');
    assert.equal(pds.length, 2);
    assert.deepEqual(pds[1].json, { routing_key: 'RK0123456789abcdef', event_action: 'resolve', dedup_key: outage });
    assert.match(on('/slack/')[1].json.text, /^UP: /);
    assert.match(on('/discord/')[1].json.content, /^UP: /);
    assert.match(on('/tg/')[1].json.text, /^UP: /);
  });

  it('a Slack channel override is sent as the payload\'s channel, the test included', async () => {
    const m = await monitor();
    const ch = await channel({ name: 'slack ops', type: 'slack', monitorIds: [m.id],
      config: { webhookUrl: recv.url('/slack/T1/B1/chanchanchan'), channel: '#ops-alerts' } });
    await down(m);
    await notifier();
    const [s1] = on('/slack/T1/');
    assert.deepEqual(s1.json, { text: s1.json.text, channel: '#ops-alerts' });
    assert.match(s1.json.text, /^DOWN: /);
    // A conversation id, then none: the webhook's own channel.
    assertOk(await api('PATCH', `/v1/alert-channels/${ch.id}`, { key, body: { config: { channel: 'C0123ABCD' } } }));
    await testNote(ch);
    await notifier();
    assert.equal(on('/slack/T1/')[1].json.channel, 'C0123ABCD');
    assertOk(await api('PATCH', `/v1/alert-channels/${ch.id}`, { key, body: { config: { channel: null } } }));
    await up(m);
    await notifier();
    assert.deepEqual(Object.keys(on('/slack/T1/')[2].json), ['text']);
  });
});

async function channelsByName() {
  const list = assertOk(await api('GET', '/v1/alert-channels?perPage=200', { key }));
  return Object.fromEntries(list.map((c) => [c.name, c.id]));
}

// ---------------------------------------------------------------------------

describe('email channels', () => {
  it('one plain-text MIME message per recipient, recorded in mail_outbox', async () => {
    const m = await monitor();
    const ch = await channel({ name: 'mail', type: 'email', monitorIds: [m.id], config: { to: ['a@example.com', 'B@Example.com'] } });
    const first = sink.messages.length;
    await down(m);
    await notifier();
    await sink.waitFor(first + 2);
    const msgs = sink.messages.slice(first);
    assert.deepEqual(msgs.map((x) => x.rcpt[0]).sort(), ['a@example.com', 'b@example.com']);
    const [n] = await notes(ch);
    for (const x of msgs) {
      assert.equal(x.from, 'alerts@uptime.test');
      assert.equal(x.rcpt.length, 1);
      assert.match(x.subject, /^DOWN: Service \d+ \(/);
      assert.equal(x.header('MIME-Version'), '1.0');
      assert.match(x.header('Content-Type'), /^text\/plain; charset=utf-8/i);
      assert.ok(x.header('Date') && x.header('Message-ID'));
      assert.match(x.header('From'), /alerts@uptime\.test/);
      assert.ok(!x.bareLf && !x.bareCr, 'CRLF line endings');
      assert.match(x.body, /Monitor: +Service \d+/);
      assert.ok(x.body.includes(m.url), 'the target');
      assert.ok(x.body.includes(n.outageId), 'the outage');
      assert.ok(x.body.includes(n.id), 'the notification');
    }
    assert.equal(n.status, 'sent');
    assert.equal(n.responseStatus, null);
    const outbox = srv.sql(`SELECT to_addr, status, kind FROM mail_outbox WHERE ref_id = '${n.id}' ORDER BY to_addr`);
    assert.deepEqual(outbox, [
      { to_addr: 'a@example.com', status: 'sent', kind: 'alert' },
      { to_addr: 'b@example.com', status: 'sent', kind: 'alert' },
    ]);
  });

  it('subjectPrefix goes before the subject; the subject stays one line of 120 characters', async () => {
    const m = await monitor({ name: `Service ${'é'.repeat(150)}` });
    const prefix = '[prod «eu»]';
    const ch = await channel({ name: 'mail prefix', type: 'email', monitorIds: [m.id],
      config: { to: ['prefix@example.com'], subjectPrefix: prefix } });
    const first = sink.messages.length;
    await down(m);
    await notifier();
    await sink.waitFor(first + 1);
    const [x] = sink.messages.slice(first);
    assert.ok(x.subject.startsWith(`${prefix} DOWN: Service éé`), x.subject);
    assert.equal([...x.subject].length, 120, x.subject);
    assert.doesNotMatch(x.subject, /[\r\n]/);
    const [n] = await notes(ch);
    assert.equal(n.status, 'sent');
    // The test message has it too; without a prefix, the message alone.
    await testNote(ch);
    await notifier();
    await sink.waitFor(first + 2);
    assert.match(sink.messages[first + 1].subject, /^\[prod «eu»\] TEST: /);
    assertOk(await api('PATCH', `/v1/alert-channels/${ch.id}`, { key, body: { config: { subjectPrefix: null } } }));
    await up(m);
    await notifier();
    await sink.waitFor(first + 3);
    assert.match(sink.messages[first + 2].subject, /^UP: /);
  });

  it('a refusing mail server is retried; a missing one fails at once', async () => {
    const ch = await channel({ name: 'mail', type: 'email', config: { to: ['ops@example.com'] } });
    const first = sink.messages.length;
    sink.refuse('rcpt');
    await testNote(ch);
    const t0 = Date.now();
    await notifyAt(t0);
    let [n] = await notes(ch);
    assert.equal(n.status, 'pending');
    assert.equal(n.attempts, 1);
    assert.match(n.error, /ops@example\.com/);
    assert.equal(Date.parse(n.nextAttemptAt), t0 + MIN);
    sink.refuse(null);
    await notifyAt(t0 + MIN);
    await sink.waitFor(first + 1);
    [n] = await notes(ch);
    assert.equal(n.status, 'sent');
    assert.equal(n.attempts, 2);
    assert.equal(srv.sql(`SELECT count(*) AS n FROM mail_outbox WHERE ref_id = '${n.id}'`)[0].n, 2, 'both tries recorded');

    // Without UPTIME_SMTP_URL nothing can be sent: failed, not retried.
    const n2 = await testNote(ch);
    await notifier([], { UPTIME_SMTP_URL: '' });
    const again = assertOk(await api('GET', `/v1/notifications/${n2.id}`, { key }));
    assert.equal(again.status, 'failed');
    assert.match(again.error, /UPTIME_SMTP_URL/);
    assert.equal(again.deliveries.length, 1);
  });
});

// ---------------------------------------------------------------------------

describe('retries', () => {
  it('retries with backoff after a failing receiver, then succeeds; every attempt is on record', async () => {
    behave.set('/hook/retry', (n) => (n <= 2 ? 500 : 200));
    const ch = await hook('/hook/retry');
    const queued = await testNote(ch);
    const t0 = Date.now();
    await notifyAt(t0);
    let n = assertOk(await api('GET', `/v1/notifications/${queued.id}`, { key }));
    assert.equal(n.status, 'pending');
    assert.equal(n.attempts, 1);
    assert.equal(n.responseStatus, 500);
    assert.match(n.error, /^HTTP 500/);
    assert.equal(Date.parse(n.nextAttemptAt), t0 + MIN, 'first retry after a minute');
    await notifyAt(t0 + 30e3);
    assert.equal(on('/hook/retry').length, 1, 'not due yet');
    await notifyAt(t0 + MIN);
    n = assertOk(await api('GET', `/v1/notifications/${queued.id}`, { key }));
    assert.equal(n.attempts, 2);
    assert.equal(Date.parse(n.nextAttemptAt), t0 + 3 * MIN, 'then after two');
    await notifyAt(t0 + 3 * MIN);
    n = assertOk(await api('GET', `/v1/notifications/${queued.id}`, { key }));
    assert.equal(n.status, 'sent');
    assert.equal(n.attempts, 3);
    assert.equal(n.responseStatus, 200);
    assert.equal(n.error, null);
    assert.deepEqual(n.deliveries.map((x) => x.responseStatus), [500, 500, 200]);
    assert.deepEqual(n.deliveries.map((x) => x.at), [at(t0), at(t0 + MIN), at(t0 + 3 * MIN)]);
    assert.ok(n.deliveries[0].error.startsWith('HTTP 500') && n.deliveries[2].error === null);
    assert.equal(on('/hook/retry').length, 3);
    // The same body every time (one notification, one id).
    assert.equal(new Set(on('/hook/retry').map((r) => r.raw)).size, 1);
  });

  it('negative: gives up after six attempts; a 4xx is not retried; a closed port is', async () => {
    behave.set('/hook/down', () => 503);
    behave.set('/hook/gone', () => 410);
    const a = await testNote(await hook('/hook/down'));
    const b = await testNote(await hook('/hook/gone'));
    const port = await closedPort();
    const c = await testNote(await channel({ name: 'closed', type: 'webhook', config: { url: `http://127.0.0.1:${port}/x` } }));
    let t = Date.now();
    const gaps = [1, 2, 4, 8, 16];
    for (let i = 0; i < 6; i++) {
      await notifyAt(t);
      const n = assertOk(await api('GET', `/v1/notifications/${a.id}`, { key }));
      assert.equal(n.attempts, i + 1);
      if (i < 5) {
        assert.equal(n.status, 'pending');
        assert.equal(Date.parse(n.nextAttemptAt), t + gaps[i] * MIN);
        t += gaps[i] * MIN;
      } else {
        assert.equal(n.status, 'failed');
        assert.equal(n.nextAttemptAt, null);
        assert.match(n.error, /^HTTP 503/);
      }
    }
    await notifyAt(t + 24 * 60 * MIN);
    assert.equal(on('/hook/down').length, 6, 'nothing after the last attempt');
    const gone = assertOk(await api('GET', `/v1/notifications/${b.id}`, { key }));
    assert.equal(gone.status, 'failed');
    assert.equal(gone.attempts, 1);
    assert.equal(on('/hook/gone').length, 1);
    const closed = assertOk(await api('GET', `/v1/notifications/${c.id}`, { key }));
    assert.equal(closed.status, 'failed', 'retried up to the limit too');
    assert.equal(closed.attempts, 6);
    assert.equal(closed.responseStatus, null);
    assert.match(closed.error, /^connect_failed/);
    assert.equal(srv.sql(`SELECT count(*) AS n FROM notification_attempts WHERE notification_id = '${a.id}'`)[0].n, 6);
  });
});

// ---------------------------------------------------------------------------

describe('reminders', () => {
  it('repeat every remindEveryMinutes while the monitor stays down, then stop', async () => {
    const m = await monitor();
    const ch = await hook('/hook/remind', m, { remindEveryMinutes: 5 });
    await hook('/hook/noremind', m);
    await down(m);
    const t0 = Date.now();
    await notifyAt(t0);
    assert.equal(on('/hook/remind').length, 1);
    await notifyAt(t0 + 4 * MIN);
    assert.equal(on('/hook/remind').length, 1, 'not yet');
    await notifyAt(t0 + 5 * MIN + 1000);
    let r = on('/hook/remind');
    assert.equal(r.length, 2);
    assert.equal(r[1].json.event, 'reminder');
    assert.equal(r[1].json.outage.id, r[0].json.outage.id);
    assert.match(r[1].json.message, /^STILL DOWN: .* has been down for 5m \d+s/);
    assert.ok(verify(SECRET, r[1].headers['uptime-signature'], r[1].raw));
    await notifyAt(t0 + 9 * MIN);
    assert.equal(on('/hook/remind').length, 2);
    await notifyAt(t0 + 10 * MIN + 2000);
    assert.equal(on('/hook/remind').length, 3);
    await up(m);
    await notifyAt(t0 + 11 * MIN);
    r = on('/hook/remind');
    assert.equal(r.length, 4);
    assert.equal(r[3].json.event, 'up');
    await notifyAt(t0 + 30 * MIN);
    assert.equal(on('/hook/remind').length, 4, 'no reminders once up');
    assert.deepEqual(on('/hook/noremind').map((x) => x.json.event), ['down', 'up'], 'remindEveryMinutes 0: none');
    const list = await notes(ch, '&event=reminder');
    assert.equal(list.length, 2);
    assert.ok(list.every((n) => n.status === 'sent' && n.outageId === r[0].json.outage.id));
  });
});

// ---------------------------------------------------------------------------

describe('maintenance, flapping and other quiet times', () => {
  it('nothing is sent during a maintenance window with suppressAlerts: recorded as suppressed', async () => {
    const m = await monitor();
    const ch = await hook('/hook/maint', m);
    const w = assertOk(await api('POST', '/v1/maintenance-windows', {
      key, body: {
        title: 'upgrade', startsAt: at(Date.now() - MIN), endsAt: at(Date.now() + 60 * MIN), timezone: 'UTC',
        monitorIds: [m.id], suppressAlerts: true,
      },
    }), 201);
    await down(m);
    await notifier();
    assert.equal(on('/hook/maint').length, 0);
    let [n] = await notes(ch);
    assert.equal(n.event, 'down');
    assert.equal(n.status, 'suppressed');
    assert.equal(n.suppressedReason, 'maintenance');
    assert.match(n.error, /maintenance/);
    assert.equal(n.attempts, 0);
    // The window ends; the monitor comes back: its up is not sent either,
    // since the down was not.
    assertOk(await api('POST', `/v1/maintenance-windows/${w.id}/end`, { key }));
    await up(m);
    await notifier();
    assert.equal(on('/hook/maint').length, 0);
    [n] = await notes(ch, '&event=up');
    assert.equal(n.status, 'suppressed');
    assert.equal(n.suppressedReason, 'unnotified');
    // An event the checker marked suppressed is never sent, whatever made it.
    await down(m);
    srv.sqlWrite(`UPDATE monitor_events SET suppressed = 1 WHERE monitor_id = '${m.id}' AND processed_at IS NULL`);
    await notifier();
    assert.equal(on('/hook/maint').length, 0);
    assert.equal((await notes(ch, '&status=suppressed')).length, 3);
  });

  it('the flap rule: at most 4 status notifications in 30 minutes, then the latest state once quiet', async () => {
    const m = await monitor();
    const ch = await hook('/hook/flap', m);
    const seqs = ['down', 'up', 'down', 'up', 'down', 'up', 'down', 'up', 'down'];
    for (const s of seqs) {
      await check(m, s);
      await notifier();
    }
    assert.deepEqual(on('/hook/flap').map((x) => x.json.event), ['down', 'up', 'down', 'up']);
    const held = await notes(ch, '&status=suppressed');
    assert.equal(held.length, 5);
    assert.deepEqual(held.map((n) => n.suppressedReason).sort(),
      ['flapping', 'flapping', 'flapping', 'unnotified', 'unnotified']);
    // Still inside the window: nothing.
    await notifyAt(Date.now() + 10 * MIN);
    assert.equal(on('/hook/flap').length, 4);
    // Quiet for 30 minutes: the monitor is down, which the channel last
    // heard as up, so the latest state goes out, once.
    const later = Date.now() + 31 * MIN;
    await notifyAt(later);
    const r = on('/hook/flap');
    assert.equal(r.length, 5);
    assert.equal(r[4].json.event, 'down');
    assert.equal(r[4].json.afterFlapping, true);
    assert.ok(verify(SECRET, r[4].headers['uptime-signature'], r[4].raw));
    const last = (await notes(ch, '&event=down&status=suppressed'))[0];
    assert.equal(r[4].json.outage.id, last.outageId, 'about the latest outage');
    await notifyAt(later + MIN);
    assert.equal(on('/hook/flap').length, 5, 'once');
  });

  it('the flap rule sends nothing when the storm ends where the channel last heard', async () => {
    const m = await monitor();
    await hook('/hook/flap2', m);
    for (const s of ['down', 'up', 'down', 'up', 'down', 'up']) {
      await check(m, s);
      await notifier();
    }
    assert.equal(on('/hook/flap2').length, 4);
    await notifyAt(Date.now() + 31 * MIN);
    assert.equal(on('/hook/flap2').length, 4, 'the last one heard was up, and up it is');
  });

  it('a down and up between two passes send nothing', async () => {
    const m = await monitor();
    const ch = await hook('/hook/blip', m);
    await down(m);
    await up(m);
    await notifier();
    assert.equal(on('/hook/blip').length, 0);
    const list = await notes(ch);
    assert.deepEqual(list.map((n) => [n.event, n.status, n.suppressedReason]).sort(), [
      ['down', 'suppressed', 'recovered'], ['up', 'suppressed', 'unnotified'],
    ]);
  });

  it('a channel disabled before delivery sends nothing; a test still goes out', async () => {
    behave.set('/hook/off', (n) => (n === 1 ? 500 : 200));
    const m = await monitor();
    const ch = await hook('/hook/off', m);
    await down(m);
    const t0 = Date.now();
    await notifyAt(t0);
    assert.equal(on('/hook/off').length, 1);
    assertOk(await api('PATCH', `/v1/alert-channels/${ch.id}`, { key, body: { enabled: false } }));
    await notifyAt(t0 + MIN);
    assert.equal(on('/hook/off').length, 1, 'the retry is not sent');
    const [n] = await notes(ch);
    assert.equal(n.status, 'suppressed');
    assert.equal(n.suppressedReason, 'disabled');
    // New events make nothing for a disabled channel.
    await up(m);
    await notifyAt(t0 + 2 * MIN);
    assert.equal((await notes(ch)).length, 1);
    // A test is sent anyway.
    await testNote(ch);
    await notifier();
    assert.equal(on('/hook/off').length, 2);
    assert.equal(on('/hook/off')[1].json.event, 'test');
  });

  it('events and monitorIds decide which channels hear what; other teams hear nothing', async () => {
    const m1 = await monitor({ degradedAfterMs: 100 });
    const m2 = await monitor();
    await hook('/hook/sel/a', m1);
    await hook('/hook/sel/b', m2);
    await hook('/hook/sel/c', m1, { events: { down: false, degraded: true } });
    const theirs = assertOk(await api('POST', '/v1/alert-channels', {
      key: otherKey, body: { name: 'theirs', type: 'webhook', config: { url: recv.url('/hook/sel/other') } },
    }), 201);
    assert.equal(theirs.monitorIds, null, 'every monitor of their team');
    await up(m1);
    assert.equal((await check(m1, 'slow')).status, 'degraded');
    await notifier();
    await up(m1);
    await notifier();
    await down(m1);
    await notifier();
    assert.deepEqual(on('/hook/sel/a').map((x) => x.json.event), ['up', 'down'], 'a: degraded is off by default');
    assert.deepEqual(on('/hook/sel/c').map((x) => x.json.event), ['degraded', 'up'], 'c: down is off');
    assert.equal(on('/hook/sel/b').length, 0, 'b: another monitor');
    assert.equal(on('/hook/sel/other').length, 0, 'another team');
    const deg = on('/hook/sel/c')[0].json;
    assert.equal(deg.outage, null);
    assert.match(deg.message, /^DEGRADED: /);
    assert.match(on('/hook/sel/c')[1].json.message, /no longer degraded/);
  });

  it('a changed DNS answer: dns_changed, to the channels with events.dnsChanged only', async () => {
    ZONE['moving.notify.test'] = { A: ['192.0.2.1'] };
    const m = assertOk(await api('POST', '/v1/monitors', {
      key, body: { name: 'Name <b>', type: 'dns', hostname: 'moving.notify.test', recordType: 'A', timeoutSeconds: 2 },
    }), 201);
    await hook('/hook/dns/on', m, { events: { dnsChanged: true } });
    await hook('/hook/dns/off', m);
    const sl = await channel({ name: 'slack dns', type: 'slack', monitorIds: [m.id], events: { dnsChanged: true },
      config: { webhookUrl: recv.url('/slack/T2/B2/dnsdnsdnsdns') } });
    const checkDns = async () => assertOk(await api('POST', `/v1/monitors/${m.id}/check`, { key }));
    await checkDns();
    await notifier();
    assert.equal(on('/hook/dns/').length, 0, 'the first answer is no change');
    ZONE['moving.notify.test'] = { A: ['192.0.2.3', '192.0.2.2'] };
    await checkDns();
    await notifier();
    const got1 = on('/hook/dns/on');
    assert.equal(got1.length, 1);
    const b = got1[0].json;
    assert.deepEqual(Object.keys(b).sort(), [...PAYLOAD_KEYS].sort());
    assert.equal(b.event, 'dns_changed');
    assert.equal(got1[0].headers['uptime-event'], 'dns_changed');
    assert.deepEqual(b.dns, { previous: ['192.0.2.1'], current: ['192.0.2.2', '192.0.2.3'] });
    assert.equal(b.outage, null);
    assert.deepEqual(b.monitor, { id: m.id, name: 'Name <b>', type: 'dns', target: 'moving.notify.test A' });
    assert.equal(b.message, 'DNS CHANGED: Name <b> (moving.notify.test A) now answers 192.0.2.2, 192.0.2.3 (was 192.0.2.1).');
    assert.equal(on('/hook/dns/off').length, 0, 'dnsChanged is off by default');
    assert.equal(on('/slack/T2/')[0].json.text,
      'DNS CHANGED: Name &lt;b&gt; (moving.notify.test A) now answers 192.0.2.2, 192.0.2.3 (was 192.0.2.1).');
    const [n] = await notes(sl);
    assert.equal(n.event, 'dns_changed');
    assert.equal(n.status, 'sent');
    assert.equal(n.outageId, null);
    // Listed by its event; the flap rule does not count it.
    const listed = assertOk(await api('GET', `/v1/notifications?event=dns_changed&monitorId=${m.id}`, { key }));
    assert.equal(listed.length, 2);
    for (let i = 0; i < 5; i++) {
      ZONE['moving.notify.test'] = { A: [`192.0.2.${10 + i}`] };
      await checkDns();
    }
    await notifier();
    assert.equal(on('/hook/dns/on').length, 6, 'five more changes, none held back');
    // Negative: a failing lookup is no change.
    delete ZONE['moving.notify.test'];
    assert.equal((await checkDns()).error?.code, 'dns_failed');
    await notifier();
    assert.equal(on('/hook/dns/on').filter((r) => r.json.event === 'dns_changed').length, 6);
  });
});

// ---------------------------------------------------------------------------

describe('target safety and running', () => {
  it('negative: with private targets off a delivery to a loopback address is refused; proxies are ignored', async () => {
    const ch = await hook('/hook/safety');
    const n = await testNote(ch);
    await notifier([], { UPTIME_ALLOW_PRIVATE_TARGETS: '0' });
    assert.equal(on('/hook/safety').length, 0, 'no connection');
    const refused = assertOk(await api('GET', `/v1/notifications/${n.id}`, { key }));
    assert.equal(refused.status, 'failed');
    assert.match(refused.error, /^target_refused/);
    await testNote(ch);
    const dead = `http://127.0.0.1:${await closedPort()}`;
    await notifier([], { http_proxy: dead, HTTP_PROXY: dead, ALL_PROXY: dead, all_proxy: dead });
    assert.equal(on('/hook/safety').length, 1, 'straight to the receiver');
  });

  it('two notifiers started at once deliver each notification once', async () => {
    behave.set('/hook/once', async () => { await sleep(100); return 200; });
    const ch = await hook('/hook/once');
    const ids = [];
    for (let i = 0; i < 8; i++) ids.push((await testNote(ch)).id);
    const [a, b] = await Promise.all([notifier(), notifier()]);
    assert.equal(a.code, 0);
    assert.equal(b.code, 0);
    await notifier();
    const seen = on('/hook/once').map((r) => r.headers['uptime-delivery']);
    assert.deepEqual([...seen].sort(), [...ids].sort(), 'each one, once');
    assert.ok((await notes(ch)).every((n) => n.status === 'sent' && n.attempts === 1));
  });

  it('--loop keeps delivering; a second instance exits 0 at once', async () => {
    const ch = await hook('/hook/loop');
    const env = {
      ...srv.env, UPTIME_ALLOW_PRIVATE_TARGETS: '1', UPTIME_SMTP_URL: sink.url,
      UPTIME_PAGERDUTY_URL: recv.url('/pd/v2/enqueue'), UPTIME_TELEGRAM_URL: recv.url('/tg'),
    };
    const loop = spawn(path.join(CRONDIR, 'uptime-notify'), ['--loop'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    loop.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise((resolve) => loop.on('exit', (code, signal) => resolve({ code, signal })));
    try {
      await sleep(500);
      const t = performance.now();
      const second = await notifier();
      assert.equal(second.stderr, '');
      assert.ok(performance.now() - t < 10e3, 'exits at once');
      await testNote(ch);
      for (let i = 0; i < 100 && on('/hook/loop').length === 0; i++) await sleep(100);
      assert.equal(on('/hook/loop').length, 1, 'the loop delivered it');
    } finally {
      loop.kill('SIGTERM');
    }
    const { code } = await exited;
    assert.equal(code, 0, stderr);
    assert.ok(!/AddressSanitizer|runtime error/.test(stderr), stderr);
  });

  it('negative: bad options and bad configuration stop it with a message', async () => {
    for (const [env, name] of [[{ UPTIME_PAGERDUTY_URL: 'ftp://pd.example.com/' }, 'UPTIME_PAGERDUTY_URL'],
      [{ UPTIME_TELEGRAM_URL: 'not a url' }, 'UPTIME_TELEGRAM_URL']]) {
      const r = await runCron(srv, 'uptime-notify', [], { env });
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(name));
    }
    for (const args of [['--now', 'yesterday'], ['--now'], ['--bogus'], ['--loop', '--loop']]) {
      assert.equal((await runCron(srv, 'uptime-notify', args)).code, 2, args.join(' '));
    }
  });
});
