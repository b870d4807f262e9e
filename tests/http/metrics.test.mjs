// GET /v1/metrics (docs/metrics.md): the Prometheus text format for the
// key's team.  Through the real server: the scope and the team, label
// escaping, values against the monitors' state after a real
// `uptime-check --once` against local targets, Debian's `promtool check
// metrics` on the answer, and a real Prometheus (Debian's prometheus,
// started here on a loopback port) scraping it with a bearer token.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, runCron, freePort, sleep } from './lib/harness.mjs';
import {
  assertOk, assertProblem, assertUnauthorized, assertForbidden, assertCommonHeaders, show,
} from './lib/checks.mjs';
import { startHttpTarget, selfSignedCert, targetSet } from './lib/targets.mjs';
import { startLoop } from './lib/stress.mjs';

const CTYPE = 'text/plain; version=0.0.4; charset=utf-8';
const MONITOR_FAMILIES = [
  'uptime_monitor_up', 'uptime_monitor_status', 'uptime_check_duration_seconds',
  'uptime_monitor_uptime_ratio', 'uptime_ssl_cert_expiry_timestamp_seconds',
  'uptime_heartbeat_last_ping_timestamp_seconds',
];
const SERVICE_FAMILIES = [
  'uptime_checker_running', 'uptime_checker_last_round_timestamp_seconds',
  'uptime_checker_round_duration_seconds', 'uptime_checker_round_checks',
  'uptime_checker_round_late_checks', 'uptime_checker_start_lag_seconds',
  'uptime_checker_checks_in_flight', 'uptime_checker_checks_waiting', 'uptime_checker_slots',
  'uptime_checker_behind', 'uptime_notifications_pending',
];
// docs/metrics.md, "uptime_monitor_status".
const STATUS = { down: 0, up: 1, pending: 2, maintenance: 3, degraded: 4, paused: 5 };

// Where a binary is on PATH (or the usual Debian place), or null.
function which(name) {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/bin', '/usr/sbin']) {
    const f = path.join(dir || '.', name);
    try { fs.accessSync(f, fs.constants.X_OK); return f; } catch { /* next */ }
  }
  return null;
}
const PROMTOOL = which('promtool');
const PROMETHEUS = which('prometheus');

let srv;
let team, admin, reader, writer, alertsOnly;
let otherTeam, otherKey;
let cert;
const targets = targetSet();

// ---- the text format, read strictly ---------------------------------------

// One label set: name="value",... with \\, \" and \n escapes.  Returns
// [labels, index after the closing brace].
function parseLabels(s, i, line) {
  const labels = {};
  assert.equal(s[i], '{', line);
  i++;
  while (s[i] !== '}') {
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(s.slice(i));
    assert.ok(m, `a label name at ${i}: ${line}`);
    const name = m[0];
    i += name.length;
    assert.equal(s.slice(i, i + 2), '="', `="... after ${name}: ${line}`);
    i += 2;
    let v = '';
    for (;;) {
      assert.ok(i < s.length, `unterminated value of ${name}: ${line}`);
      const c = s[i++];
      if (c === '"') break;
      if (c === '\\') {
        const e = s[i++];
        assert.ok(e === '\\' || e === '"' || e === 'n', `escape \\${e} in ${line}`);
        v += e === 'n' ? '\n' : e;
      } else {
        assert.notEqual(c, '\n');
        v += c;
      }
    }
    assert.ok(!(name in labels), `label ${name} twice: ${line}`);
    labels[name] = v;
    if (s[i] === ',') i++;
    else assert.equal(s[i], '}', `, or } after ${name}: ${line}`);
  }
  return [labels, i + 1];
}

// The families of an exposition: Map name -> { help, type, samples:
// [{ labels, value }] }.  Fails unless every family starts with its HELP
// and TYPE lines and its samples follow them, all together.
function parseExposition(text) {
  assert.ok(text.endsWith('\n'), 'the text ends with a newline');
  const fams = new Map();
  let cur = null;
  for (const line of text.slice(0, -1).split('\n')) {
    let m;
    if ((m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line))) {
      assert.ok(!fams.has(m[1]), `family ${m[1]} twice`);
      cur = { name: m[1], help: m[2], type: null, samples: [] };
      fams.set(m[1], cur);
    } else if ((m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)$/.exec(line))) {
      assert.ok(cur && cur.name === m[1] && cur.type === null && cur.samples.length === 0,
        `TYPE of ${m[1]} right after its HELP`);
      cur.type = m[2];
    } else {
      m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
      assert.ok(m, `not a sample: ${JSON.stringify(line)}`);
      assert.ok(cur && cur.type !== null && m[1] === cur.name,
        `sample of ${m[1]} outside its family (in ${cur?.name}): ${line}`);
      let labels = {};
      let i = m[1].length;
      if (line[i] === '{') [labels, i] = parseLabels(line, i, line);
      const v = / (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(line.slice(i));
      assert.ok(v && v.index === 0, `value of ${line}`);
      cur.samples.push({ labels, value: Number(v[1]) });
    }
  }
  return fams;
}

async function scrape(key = admin) {
  const res = await srv.api('GET', '/v1/metrics', { key });
  assert.equal(res.status, 200, show(res));
  assert.equal(res.headers.get('content-type'), CTYPE, show(res));
  assertCommonHeaders(res);
  return { text: res.text, fams: parseExposition(res.text) };
}

// The samples of family name for monitor id.
const of = (fams, name, id) => (fams.get(name)?.samples ?? []).filter((s) => s.labels.monitor_id === id);
const one = (fams, name, id) => {
  const s = of(fams, name, id);
  assert.equal(s.length, 1, `one ${name} for ${id}: ${JSON.stringify(s)}`);
  return s[0];
};
const scalar = (fams, name) => {
  const s = fams.get(name)?.samples ?? [];
  assert.equal(s.length, 1, `one ${name}: ${JSON.stringify(s)}`);
  return s[0].value;
};

const mk = async (body, key = admin) => assertOk(await srv.api('POST', '/v1/monitors', { key, body }), 201);
const get = async (id, key = admin) => assertOk(await srv.api('GET', `/v1/monitors/${id}`, { key }));

// ---- setup -----------------------------------------------------------------

before(async () => {
  cert = await selfSignedCert({ days: 5 });
  srv = await startServer({ allowPrivate: true });
  team = await srv.createTeam('Metrics team');
  admin = await srv.createKey(team, { name: 'admin' });
  reader = await srv.createKey(team, { name: 'reader', scopes: ['monitors:read'] });
  writer = await srv.createKey(team, { name: 'writer', scopes: ['monitors:write'] });
  alertsOnly = await srv.createKey(team, { name: 'alerts', scopes: ['alerts:read', 'alerts:write'] });
  otherTeam = await srv.createTeam('Other team');
  otherKey = await srv.createKey(otherTeam, { name: 'other admin' });
});

after(async () => {
  await targets.closeAll();
  await cert?.cleanup();
  await srv?.stop();
});

// ---- the answer ------------------------------------------------------------

describe('the answer', () => {
  it('is text/plain version 0.0.4 with HELP and TYPE for every family, even with no monitor', async () => {
    const t = await srv.createTeam('Empty team');
    const k = await srv.createKey(t, { name: 'empty', scopes: ['monitors:read'] });
    const { fams } = await scrape(k);
    assert.deepEqual([...fams.keys()], [...MONITOR_FAMILIES, ...SERVICE_FAMILIES]);
    for (const f of fams.values()) {
      assert.equal(f.type, 'gauge', f.name);
      assert.ok(f.help.length > 10, f.name);
    }
    for (const name of MONITOR_FAMILIES) assert.deepEqual(fams.get(name).samples, [], name);
    assert.equal(scalar(fams, 'uptime_notifications_pending'), 0);
  });

  it('HEAD answers the same headers without a body', async () => {
    const res = await srv.api('HEAD', '/v1/metrics', { key: reader });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.headers.get('content-type'), CTYPE);
    assert.equal(res.text, '');
  });

  it('negative: a query parameter is 400 bad_query', async () => {
    assertProblem(await srv.api('GET', '/v1/metrics?format=json', { key: reader }), 400, 'bad_query');
  });

  it('negative: another method is 405 with Allow', async () => {
    const res = await srv.api('POST', '/v1/metrics', { key: admin, body: {} });
    assertProblem(res, 405, 'method_not_allowed');
    assert.match(res.headers.get('allow') ?? '', /GET/);
  });
});

describe('keys, scopes and teams', () => {
  it('negative: no key is 401 missing_credentials, a bad key 401 invalid_key', async () => {
    assertUnauthorized(await srv.api('GET', '/v1/metrics'), 'missing_credentials', { presented: false });
    assertUnauthorized(await srv.api('GET', '/v1/metrics', { key: `${admin.slice(0, -1)}x` }),
      'invalid_key');
  });

  it('negative: monitors:write alone, or alerts scopes, is 403 naming monitors:read', async () => {
    assertForbidden(await srv.api('GET', '/v1/metrics', { key: writer }), 'monitors:read');
    assertForbidden(await srv.api('GET', '/v1/metrics', { key: alertsOnly }), 'monitors:read');
  });

  it('monitors:read is enough; another team\'s monitors and notifications never appear', async () => {
    const mine = await mk({ name: 'mine only', url: 'http://127.0.0.1:9/mine', tags: ['team:a'] });
    const theirs = await mk({ name: 'theirs only', url: 'http://127.0.0.1:9/theirs', tags: ['team:b'] },
      otherKey);
    const a = await scrape(reader);
    const b = await scrape(otherKey);
    assert.ok(a.text.includes(mine.id));
    assert.ok(!a.text.includes(theirs.id) && !a.text.includes('theirs only'), a.text);
    assert.ok(b.text.includes(theirs.id));
    assert.ok(!b.text.includes(mine.id) && !b.text.includes('mine only'), b.text);
    for (const name of MONITOR_FAMILIES) {
      for (const s of b.fams.get(name).samples) assert.equal(s.labels.monitor_id, theirs.id, name);
    }
    assert.equal(one(a.fams, 'uptime_monitor_status', mine.id).labels.tag_team, 'a');
    assert.equal(one(b.fams, 'uptime_monitor_status', theirs.id).labels.tag_team, 'b');
    await srv.api('DELETE', `/v1/monitors/${mine.id}`, { key: admin });
    await srv.api('DELETE', `/v1/monitors/${theirs.id}`, { key: otherKey });
  });
});

describe('labels', () => {
  it('a name with a double quote, a backslash and a newline is escaped and reads back as it was', async () => {
    const name = 'Say "hi" \\ then\nbreak';
    const m = await mk({ name, url: 'http://127.0.0.1:9/esc' });
    const { text, fams } = await scrape();
    assert.ok(text.includes('name="Say \\"hi\\" \\\\ then\\nbreak"'), text);
    const s = one(fams, 'uptime_monitor_status', m.id);
    assert.deepEqual(s.labels, { monitor_id: m.id, name, type: 'http' });
    assert.equal(s.value, STATUS.pending);
    await srv.api('DELETE', `/v1/monitors/${m.id}`, { key: admin });
  });

  it('tags: name:value, plain tags, names outside the label grammar, the first of a name kept', async () => {
    const tags = ['env:prod', 'needs-review', 'région:eu "west"', 'a.b:c\\d', 'env:staging', 'x:', '9:lives',
      'window:label', 'name:tagged'];
    const m = await mk({ name: 'tagged', url: 'http://127.0.0.1:9/tags', tags });
    const { fams } = await scrape();
    const s = one(fams, 'uptime_monitor_status', m.id);
    assert.deepEqual(s.labels, {
      monitor_id: m.id, name: 'tagged', type: 'http',
      tag_env: 'prod',
      tag_needs_review: 'true',
      tag_r_gion: 'eu "west"',
      tag_a_b: 'c\\d',
      tag_x: '',
      tag_9: 'lives',
      tag_window: 'label',
      tag_name: 'tagged',
    });
    await srv.api('DELETE', `/v1/monitors/${m.id}`, { key: admin });
  });
});

// ---- values after a real check ----------------------------------------------

describe('values after uptime-check --once', () => {
  let ids;
  let fams;
  let text;

  before(async () => {
    const web = targets.add(await startHttpTarget((req, res) => {
      if (req.url === '/fail') { res.statusCode = 500; return res.end('trouble'); }
      return res.end('fine');
    }));
    const tls = targets.add(await startHttpTarget((req, res) => res.end('secure'), { tls: cert }));
    const up = await mk({ name: 'up site', url: web.url('/ok'), tags: ['env:prod', 'web'] });
    const down = await mk({ name: 'down site', url: web.url('/fail') });
    const paused = await mk({ name: 'paused site', url: web.url('/ok'), paused: true });
    const https = await mk({ name: 'tls site', url: tls.url('/'), verifyTls: false });
    const hb = await mk({ name: 'nightly job', type: 'heartbeat', intervalSeconds: 3600 });
    const ping = await srv.api('GET', hb.pingUrl);
    assert.equal(ping.status, 200, show(ping));
    const other = await mk({ name: 'other team site', url: web.url('/ok') }, otherKey);
    const r = await runCron(srv, 'uptime-check', ['--once']);
    assert.equal(r.code, 0, r.stderr);
    // The checker's figures: --once keeps none, so a checker in --loop
    // checks the down monitor once more, 2 s late, and stops.
    srv.sqlWrite(`UPDATE monitors SET next_check_at = ${Date.now() - 2000} WHERE id = '${down.id}'`);
    const loop = startLoop(srv, 'uptime-check');
    const results = () => srv.sql(`SELECT count(*) AS n FROM check_results WHERE monitor_id = '${down.id}'`)[0].n;
    for (const until = Date.now() + 10e3; results() < 2 && Date.now() < until;) await sleep(50);
    assert.equal((await loop.stop()).code, 0, loop.text);
    assert.equal(results(), 2, loop.text);
    ids = { up: up.id, down: down.id, paused: paused.id, https: https.id, hb: hb.id, other: other.id };
    // Two of the team's notifications wait for delivery, one was sent;
    // the other team has one waiting too.
    const channel = async (key) => assertOk(await srv.api('POST', '/v1/alert-channels', {
      key, body: { name: 'hook', type: 'webhook', config: { url: web.url('/hook') } },
    }), 201).id;
    const ours = await channel(admin);
    const theirs = await channel(otherKey);
    let n = 0;
    const ntf = (tm, ch, status) => `INSERT INTO notifications (id, team_id, channel_id, monitor_id, event, ` +
      `status, next_attempt_at, payload, created_at) VALUES ('ntf_${String(++n).padStart(20, '0')}', ` +
      `'${tm}', '${ch}', '${down.id}', 'down', '${status}', ${status === 'pending' ? Date.now() + 3600e3 : 'NULL'}, ` +
      `'{}', ${Date.now()})`;
    srv.sqlWrite(`${ntf(team, ours, 'pending')}; ${ntf(team, ours, 'pending')}; ` +
      `${ntf(team, ours, 'sent')}; ${ntf(otherTeam, theirs, 'pending')};`);
    ({ text, fams } = await scrape(reader));
  });

  it('uptime_monitor_up: 1 up, 0 down, no sample for a paused monitor', () => {
    assert.equal(one(fams, 'uptime_monitor_up', ids.up).value, 1);
    assert.equal(one(fams, 'uptime_monitor_up', ids.https).value, 1);
    assert.equal(one(fams, 'uptime_monitor_up', ids.down).value, 0);
    assert.deepEqual(of(fams, 'uptime_monitor_up', ids.paused), []);
    assert.deepEqual(of(fams, 'uptime_monitor_up', ids.other), []);
  });

  it('uptime_monitor_status is the documented number of each monitor\'s status', async () => {
    for (const id of [ids.up, ids.down, ids.paused, ids.https, ids.hb]) {
      const m = await get(id);
      assert.equal(one(fams, 'uptime_monitor_status', id).value, STATUS[m.status], `${m.name}: ${m.status}`);
    }
    assert.equal(one(fams, 'uptime_monitor_status', ids.paused).value, STATUS.paused);
    assert.equal(one(fams, 'uptime_monitor_status', ids.down).value, STATUS.down);
  });

  it('labels: monitor_id, name, type and the tags', () => {
    assert.deepEqual(one(fams, 'uptime_monitor_up', ids.up).labels,
      { monitor_id: ids.up, name: 'up site', type: 'http', tag_env: 'prod', tag_web: 'true' });
    assert.deepEqual(one(fams, 'uptime_monitor_status', ids.hb).labels,
      { monitor_id: ids.hb, name: 'nightly job', type: 'heartbeat' });
  });

  it('uptime_check_duration_seconds is the last response time', async () => {
    for (const id of [ids.up, ids.down, ids.https]) {
      const m = await get(id);
      assert.ok(Number.isInteger(m.lastResponseTimeMs), JSON.stringify(m));
      assert.equal(one(fams, 'uptime_check_duration_seconds', id).value, m.lastResponseTimeMs / 1000);
    }
    assert.deepEqual(of(fams, 'uptime_check_duration_seconds', ids.paused), []);
  });

  it('uptime_monitor_uptime_ratio: each window, as the stats count the checks', async () => {
    for (const id of [ids.up, ids.down, ids.https]) {
      const st = assertOk(await srv.api('GET', `/v1/monitors/${id}/stats`, { key: admin }));
      const got = of(fams, 'uptime_monitor_uptime_ratio', id);
      assert.deepEqual(got.map((s) => s.labels.window), ['24h', '7d', '30d']);
      for (const s of got) {
        const c = st.windows[s.labels.window].checks;
        assert.ok(c.total > 0, JSON.stringify(st));
        assert.equal(s.value, (c.up + c.degraded) / c.total, `${id} ${s.labels.window}`);
      }
    }
    assert.deepEqual(of(fams, 'uptime_monitor_uptime_ratio', ids.up).map((s) => s.value), [1, 1, 1]);
    assert.deepEqual(of(fams, 'uptime_monitor_uptime_ratio', ids.down).map((s) => s.value), [0, 0, 0]);
    assert.deepEqual(of(fams, 'uptime_monitor_uptime_ratio', ids.paused), []);
  });

  it('uptime_ssl_cert_expiry_timestamp_seconds for the https monitor only', async () => {
    const m = await get(ids.https);
    assert.equal(one(fams, 'uptime_ssl_cert_expiry_timestamp_seconds', ids.https).value,
      Date.parse(m.ssl.expiresAt) / 1000);
    assert.deepEqual(fams.get('uptime_ssl_cert_expiry_timestamp_seconds').samples.map((s) => s.labels.monitor_id),
      [ids.https]);
  });

  it('uptime_heartbeat_last_ping_timestamp_seconds for the pinged heartbeat', async () => {
    const m = await get(ids.hb);
    assert.equal(one(fams, 'uptime_heartbeat_last_ping_timestamp_seconds', ids.hb).value,
      Date.parse(m.lastPingAt) / 1000);
  });

  it('the checker\'s figures are those of checker_state; the team\'s pending notifications', () => {
    const [row] = srv.sql('SELECT * FROM checker_state');
    assert.ok(row, 'uptime-check --loop wrote its figures');
    assert.equal(row.running, 0);
    assert.equal(row.checks, 1);
    assert.equal(row.late, 1);
    assert.equal(row.behind, 1);
    assert.ok(row.lag_max_ms >= 2000, JSON.stringify(row));
    assert.equal(scalar(fams, 'uptime_checker_running'), row.running);
    assert.equal(scalar(fams, 'uptime_checker_last_round_timestamp_seconds'), row.updated_at / 1000);
    assert.equal(scalar(fams, 'uptime_checker_round_duration_seconds'), row.window_ms / 1000);
    assert.equal(scalar(fams, 'uptime_checker_round_checks'), row.checks);
    assert.equal(scalar(fams, 'uptime_checker_round_late_checks'), row.late);
    const lag = Object.fromEntries(fams.get('uptime_checker_start_lag_seconds').samples
      .map((s) => [s.labels.stat, s.value]));
    assert.deepEqual(lag, { p50: row.lag_p50_ms / 1000, p99: row.lag_p99_ms / 1000, max: row.lag_max_ms / 1000 });
    assert.equal(scalar(fams, 'uptime_checker_checks_in_flight'), row.in_flight);
    assert.equal(scalar(fams, 'uptime_checker_checks_waiting'), row.waiting);
    assert.equal(scalar(fams, 'uptime_checker_slots'), row.slots);
    assert.equal(scalar(fams, 'uptime_checker_behind'), row.behind);
    assert.equal(scalar(fams, 'uptime_notifications_pending'), 2);
  });

  it('promtool check metrics accepts the answer, lint included', () => {
    assert.ok(PROMTOOL, 'promtool is missing: Debian\'s prometheus package (make test-deps installs it)');
    const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30e3 });
    assert.equal(r.status, 0, `promtool check metrics:\n${r.stdout}${r.stderr}\n---\n${text}`);
    assert.equal(`${r.stdout}${r.stderr}`.trim(), '', 'no lint problem');
  });

  it('a real Prometheus scrapes it with a bearer token and answers uptime_monitor_up for the monitor',
    { skip: PROMETHEUS ? false : 'no prometheus binary (Debian\'s prometheus package; make test-deps installs it)' },
    async () => {
      const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'uptime-prometheus-'));
      const port = await freePort();
      const target = new URL(srv.baseUrl);
      await fsp.writeFile(path.join(dir, 'prometheus.yml'), [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: uptime',
        `    metrics_path: ${target.pathname.replace(/\/$/, '')}/v1/metrics`,
        '    authorization:',
        '      type: Bearer',
        `      credentials: ${reader}`,
        '    static_configs:',
        `      - targets: ['${target.host}']`,
        '',
      ].join('\n'), { mode: 0o600 });
      const log = [];
      const prom = spawn(PROMETHEUS, [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ], { stdio: ['ignore', 'pipe', 'pipe'] });
      prom.stdout.on('data', (d) => log.push(String(d)));
      prom.stderr.on('data', (d) => log.push(String(d)));
      const exited = new Promise((resolve) => prom.once('exit', resolve));
      const query = async (p) => {
        try {
          const res = await fetch(`http://127.0.0.1:${port}${p}`);
          return res.ok ? await res.json() : null;
        } catch { return null; }
      };
      try {
        const q = `/api/v1/query?query=${encodeURIComponent(`uptime_monitor_up{monitor_id="${ids.up}"}`)}`;
        let found = null;
        for (const deadline = Date.now() + 30e3; Date.now() < deadline && prom.exitCode === null;) {
          const r = await query(q);
          if (r?.data?.result?.length) { found = r.data.result; break; }
          await sleep(200);
        }
        const targetsNow = await query('/api/v1/targets');
        assert.ok(found, `Prometheus found no uptime_monitor_up for ${ids.up}\n` +
          `targets: ${JSON.stringify(targetsNow?.data?.activeTargets)}\nlog:\n${log.join('')}`);
        assert.equal(found.length, 1);
        assert.equal(found[0].metric.__name__, 'uptime_monitor_up');
        assert.equal(found[0].metric.name, 'up site');
        assert.equal(found[0].metric.type, 'http');
        assert.equal(found[0].metric.tag_env, 'prod');
        assert.equal(found[0].metric.job, 'uptime');
        assert.equal(found[0].value[1], '1');
        const [t] = targetsNow.data.activeTargets;
        assert.equal(t.health, 'up', JSON.stringify(t));
        assert.equal(t.lastError, '');
      } finally {
        prom.kill('SIGTERM');
        const killer = setTimeout(() => prom.kill('SIGKILL'), 10e3);
        await exited;
        clearTimeout(killer);
        await fsp.rm(dir, { recursive: true, force: true });
      }
    });
});
