// Crash safety (issue 11, part 3): while 16 client processes write
// (tests/http/lib/stress-client.mjs) and uptime-check and uptime-notify
// run in a loop, a FastCGI worker (a child of lighttpd), the checker or
// the notifier is killed with SIGKILL at a random moment, ROUNDS times in
// all; a killed cron program is started again.  Afterwards:
//
// - PRAGMA integrity_check is ok;
// - every acknowledged write is there as acknowledged (a write whose
//   answer never came may have happened or not, and nothing else);
// - nothing is half applied: every incident has its first update, every
//   open outage belongs to a monitor that is down and every down monitor
//   has one, each monitor's last check is its latest result, every event
//   of an outage names one that exists, every sent notification has its
//   attempts;
// - a checker killed in the middle of a round leaves the rest due, and
//   the next run checks them all;
// - after the notifier's lease has passed (--now 11 minutes on), every
//   notification is sent and delivered (none lost, none recorded as
//   suppressed after it went out), and only what a killed notifier had
//   in flight was delivered twice: delivery is at least once
//   (docs/alerts.md; the payload's id lets a receiver drop the copy).
//   The number of duplicates is printed.
//
// A first describe is a regression test: a down a killed notifier had
// sent, then its up (lib/notify.c, STMT_COLLAPSE).
//
// UPTIME_CRASH_ROUNDS: kills (default 50); UPTIME_CRASH_PAUSE_MS: the
// largest pause before a kill (default 600).  The file takes about 45 s
// under ASan on two cores.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, runCron, sleep, PG } from './lib/harness.mjs';
import { assertOk } from './lib/checks.mjs';
import { startHttpTarget } from './lib/targets.mjs';
import { envInt, runClients, startLoop, ackProblems, noteProblems, totals, startReceiver, fcgiWorkers } from './lib/stress.mjs';

const ROUNDS = envInt('UPTIME_CRASH_ROUNDS', 50);
const PAUSE_MS = envInt('UPTIME_CRASH_PAUSE_MS', 600);
const CLIENTS = 16;
const CHECKED = 40;
const LEASE_MS = 10 * 60e3;     // NOTIFY_LEASE_MS

let srv, web, recv;
const deliveries = new Map();   // notification id -> deliveries
const iso = (ms) => new Date(ms).toISOString();
const rand = (n) => Math.floor(Math.random() * n);

before(async () => {
  // Odd monitors flip between up and down every 4 seconds; of the even
  // ones, half answer after 0.4 s and half after 1.5 s, so that a round
  // writes its results in more than one batch.
  web = await startHttpTarget(async (req, res) => {
    const n = Number(new URL(req.url, 'http://x').pathname.split('/')[2]);
    if (n % 2 === 0) await sleep(n % 4 === 0 ? 1500 : 400);
    const down = n % 2 === 1 && Math.floor(Date.now() / 4e3) % 2 === 1;
    res.statusCode = down ? 500 : 200;
    res.end(down ? 'broken' : 'fine');
  });
  recv = await startReceiver(deliveries);
  srv = await startServer({
    allowPrivate: true,
    env: {
      UPTIME_RATE_LIMIT: '1000000', UPTIME_MAX_KEYS: '10000', UPTIME_MAX_MONITORS: '100000',
      UPTIME_MAX_ALERT_CHANNELS: '10000', UPTIME_MAX_MAINTENANCE_WINDOWS: '100000',
    },
  });
});

after(async () => {
  // The test stops the server itself (and judges the audit trail); this
  // is for when it did not get that far.
  await srv?.stop().catch(() => {});
  await web?.close();
  await recv?.close();
});

// A cron loop that is started again after each kill.
function restartable(name) {
  const r = { name, p: startLoop(srv, name), kills: 0, outputs: [] };
  r.kill = async () => {
    r.p.child.kill('SIGKILL');
    await r.p.done;
    r.kills++;
    r.outputs.push(r.p.text);
    await sleep(rand(200));
    r.p = startLoop(srv, name);
  };
  r.stop = async () => {
    await r.p.stop();
    r.outputs.push(r.p.text);
  };
  return r;
}

// The pid of a one-off uptime-check --now of this instance, or null.
function checkerPid() {
  for (const ent of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(ent)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${ent}/cmdline`, 'utf8');
      const env = fs.readFileSync(`/proc/${ent}/environ`, 'utf8');
      if (cmd.includes('uptime-check\0--now') && env.includes(`UPTIME_DB=${srv.db}\0`)) return Number(ent);
    } catch { /* gone */ }
  }
  return null;
}

const one = (sql) => Object.values(srv.sql(sql)[0])[0];

// Regression: a "down" a notifier had sent when it was killed was later
// suppressed as "recovered" (as if never attempted) when the monitor came
// back up, and its "up" as "unnotified": the receiver was left with a
// down that never ended.
describe('a notifier killed while delivering a down', () => {
  it('still sends the up after the monitor recovers', async () => {
    const s = await startServer({ allowPrivate: true, env: { UPTIME_RATE_LIMIT: '1000000' } });
    let state = 'down';
    let hang = true;
    const got = [];
    const held = [];
    const target = await startHttpTarget((req, res) => {
      res.statusCode = state === 'down' ? 500 : 200;
      res.end(state);
    });
    const hook = await startHttpTarget(async (req, res) => {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      got.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      if (hang) held.push(res);   // the notifier dies before any answer
      else res.end('{"ok":true}');
    });
    try {
      const key = await s.createKey(await s.createTeam('Regression'), { name: 'k' });
      const m = assertOk(await s.api('POST', '/v1/monitors', {
        key, body: { name: 'flaky', url: target.url('/x'), confirmations: 1, timeoutSeconds: 5 },
      }), 201);
      const ch = assertOk(await s.api('POST', '/v1/alert-channels', {
        key, body: { name: 'hook', type: 'webhook', monitorIds: [m.id], config: { url: hook.url('/hook') } },
      }), 201);
      assert.equal(assertOk(await s.api('POST', `/v1/monitors/${m.id}/check`, { key })).status, 'down');

      const pass = runCron(s, 'uptime-notify');
      for (let i = 0; got.length === 0 && i < 1000; i++) await sleep(20);
      assert.equal(got[0]?.event, 'down', 'the down reached the receiver');
      const pid = (() => {
        for (const ent of fs.readdirSync('/proc')) {
          if (!/^\d+$/.test(ent)) continue;
          try {
            if (fs.readFileSync(`/proc/${ent}/cmdline`, 'utf8').includes('uptime-notify') &&
              fs.readFileSync(`/proc/${ent}/environ`, 'utf8').includes(`UPTIME_DB=${s.db}\0`)) return Number(ent);
          } catch { /* gone */ }
        }
        return null;
      })();
      assert.ok(pid, 'the notifier is still running');
      process.kill(pid, 'SIGKILL');
      await pass;

      state = 'up';
      hang = false;
      assert.equal(assertOk(await s.api('POST', `/v1/monitors/${m.id}/check`, { key })).status, 'up');
      // Two passes: the up waits for the down of its outage.
      for (let i = 0; i < 2; i++) {
        const r = await runCron(s, 'uptime-notify', ['--now', iso(Date.now() + LEASE_MS + 60e3)]);
        assert.equal(r.code, 0, r.stderr);
      }
      const notes = assertOk(await s.api('GET', `/v1/alert-channels/${ch.id}/notifications`, { key }));
      const by = Object.fromEntries(notes.map((n) => [n.event, `${n.status}${n.suppressedReason ? ` (${n.suppressedReason})` : ''}`]));
      assert.deepEqual(by, { down: 'sent', up: 'sent' });
      assert.deepEqual(got.map((g) => g.event), ['down', 'down', 'up'], 'the down again (at least once), then the up');
    } finally {
      for (const res of held) res.destroy();
      await target.close();
      await hook.close();
      await s.stop();
    }
  });
});

describe('crash safety', () => {
  it(`kill -9 of workers, checker and notifier ${ROUNDS} times: nothing lost, nothing half done`, async (t) => {
    const team = await srv.createTeam('Checked team');
    const key = await srv.createKey(team, { name: 'checked' });
    for (let i = 0; i < CHECKED; i++) {
      assertOk(await srv.api('POST', '/v1/monitors', {
        key, body: { name: `checked ${i}`, url: web.url(`/svc/${i}`), intervalSeconds: 30, timeoutSeconds: 5 },
      }), 201);
    }
    assertOk(await srv.api('POST', '/v1/alert-channels', {
      key, body: { name: 'all', type: 'webhook', config: { url: recv.url('/hook') } },
    }), 201);
    const keys = [];
    for (let i = 0; i < CLIENTS; i++) {
      keys.push(await srv.createKey(await srv.createTeam(`Client ${i}`), { name: `client ${i}` }));
    }

    const stopFile = path.join(srv.dir, 'stop-clients');
    const checker = restartable('uptime-check');
    const notifier = restartable('uptime-notify');
    const clients = runClients(srv, {
      keys, hookUrl: recv.url('/client-hook'), targetUrl: web.url('/client'), crash: true, stopFile,
    });
    const killed = { worker: 0, checker: 0, notifier: 0, noWorker: 0 };
    const t0 = performance.now();
    let results;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        await sleep(rand(PAUSE_MS));
        const victim = ['worker', 'checker', 'notifier'][round % 3];
        if (victim === 'worker') {
          const pids = fcgiWorkers(srv);
          if (pids.length === 0) { killed.noWorker++; continue; }
          try { process.kill(pids[rand(pids.length)], 'SIGKILL'); killed.worker++; } catch { /* gone */ }
        } else {
          await (victim === 'checker' ? checker : notifier).kill();
          killed[victim]++;
        }
      }
    } finally {
      fs.writeFileSync(stopFile, '');
      results = await clients;
      await checker.stop();
      await notifier.stop();
    }
    const secs = (performance.now() - t0) / 1000;
    const sum = totals(results);
    t.diagnostic(`${secs.toFixed(1)} s: kills ${JSON.stringify(killed)}; writes ${sum.writes}, ` +
      `acknowledged ${sum.acked}, refused (503) ${sum.refused}, unknown outcome ${sum.unknown}; ` +
      `answers ${JSON.stringify(sum.statuses)}`);

    // The checker: killed in the middle of a round at a time when every
    // monitor is due, then run again: all of them are checked.
    const at = Date.now() + 60e3;
    const due = () => one(`SELECT count(*) FROM monitors WHERE paused = 0 AND next_check_at <= ${at}`);
    const dueBefore = due();
    const first = runCron(srv, 'uptime-check', ['--now', iso(at)]);
    let firstPid = null;
    let firstDone = false;
    first.then(() => { firstDone = true; });
    // Kill it once it has written some of its results, not all.
    while (!firstDone) {
      firstPid ??= checkerPid();
      if (firstPid && due() < dueBefore) break;
      await sleep(10);
    }
    const killedMid = !firstDone && firstPid !== null;
    if (killedMid) process.kill(firstPid, 'SIGKILL');
    await first;
    const dueAfterKill = due();
    const second = await runCron(srv, 'uptime-check', ['--now', iso(at)]);
    assert.equal(second.code, 0, second.stderr);
    t.diagnostic(`checker: ${dueBefore} monitors due, ${dueAfterKill} still due after a kill ` +
      `${killedMid ? 'mid-round' : '(it had finished)'}, ${due()} after the next run`);
    assert.equal(due(), 0, 'the next checker run checks what a killed one left');

    // The notifier: once the lease of what a killed one held is over.
    // An up waits for the down of its outage: a pass may leave it for
    // the next.
    let passes = 0;
    const later = Date.now() + LEASE_MS + 60e3;
    while (passes < 6 && (passes === 0 || one(`SELECT count(*) FROM notifications WHERE status = 'pending'`) > 0)) {
      const r = await runCron(srv, 'uptime-notify', ['--now', iso(later)]);
      assert.equal(r.code, 0, r.stderr);
      passes++;
    }
    const byStatus = Object.fromEntries(srv.sql('SELECT status, count(*) AS n FROM notifications GROUP BY status')
      .map((r) => [r.status, r.n]));
    const sent = srv.sql("SELECT id FROM notifications WHERE status = 'sent'").map((r) => r.id);
    const known = new Set(srv.sql('SELECT id FROM notifications').map((r) => r.id));
    const lost = sent.filter((id) => !deliveries.has(id));
    const strange = [...deliveries.keys()].filter((id) => !known.has(id));
    const suppressed = new Set(srv.sql("SELECT id FROM notifications WHERE status = 'suppressed'").map((r) => r.id));
    const deliveredSuppressed = [...deliveries.keys()].filter((id) => suppressed.has(id));
    let dups = 0;
    for (const n of deliveries.values()) if (n > 1) dups += n - 1;
    const nt = noteProblems(results, deliveries, { maxDuplicates: Infinity });
    t.diagnostic(`notifications ${JSON.stringify(byStatus)}; delivered ${deliveries.size} distinct, ` +
      `${dups} duplicate deliveries after ${notifier.kills} notifier kills; ${passes} passes after the lease; ` +
      `acknowledged test notifications ${Object.values(results).reduce((a, r) => a + Object.keys(r.notes).length, 0)}`);

    // Integrity and invariants.
    // SQLite's file; PostgreSQL keeps its own integrity and enforces
    // every foreign key at once.
    if (!PG) {
      assert.deepEqual(srv.sql('PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
      assert.deepEqual(srv.sql('PRAGMA foreign_key_check'), []);
    }
    assert.deepEqual(sum.bad, []);
    assert.equal(sum.locked, 0);
    assert.deepEqual(ackProblems(srv, results), []);
    assert.deepEqual(nt.problems, []);
    assert.deepEqual(lost, [], 'sent notifications never delivered');
    assert.deepEqual(strange, [], 'deliveries of notifications that are not in the database');
    assert.deepEqual(deliveredSuppressed, [], 'delivered notifications recorded as never sent');
    // At least once: what a killed notifier had in flight (at most
    // HTTP_PARALLEL + MAIL_THREADS of cron/uptime-notify.c) goes again.
    assert.ok(dups <= notifier.kills * (32 + 4), 'duplicates only of what a killed notifier had in flight');
    assert.equal(byStatus.pending ?? 0, 0, 'nothing left pending');
    assert.equal(one('SELECT count(*) FROM monitor_events WHERE processed_at IS NULL'), 0, 'every event processed');
    const invariants = {
      'incidents without their first update': 'SELECT count(*) FROM incidents i WHERE NOT EXISTS ' +
        '(SELECT 1 FROM incident_updates u WHERE u.incident_id = i.id)',
      'open outages of monitors not down': "SELECT count(*) FROM outages o JOIN monitors m ON m.id = o.monitor_id " +
        "WHERE o.ended_at IS NULL AND m.status <> 'down'",
      'down monitors without an open outage': "SELECT count(*) FROM monitors m WHERE m.status = 'down' AND " +
        'NOT EXISTS (SELECT 1 FROM outages o WHERE o.monitor_id = m.id AND o.ended_at IS NULL)',
      'monitors whose last check is not their latest result': 'SELECT count(*) FROM monitors m WHERE ' +
        'm.last_checked_at IS DISTINCT FROM (SELECT max(checked_at) FROM check_results r WHERE r.monitor_id = m.id) ' +
        'AND EXISTS (SELECT 1 FROM check_results r WHERE r.monitor_id = m.id)',
      'events naming a missing outage': 'SELECT count(*) FROM monitor_events e WHERE e.outage_id IS NOT NULL ' +
        'AND NOT EXISTS (SELECT 1 FROM outages o WHERE o.id = e.outage_id)',
      'sent notifications without attempts': "SELECT count(*) FROM notifications n WHERE n.status = 'sent' AND " +
        'n.attempts <> (SELECT count(*) FROM notification_attempts a WHERE a.notification_id = n.id)',
    };
    const broken = Object.entries(invariants).map(([what, sql]) => [what, one(sql)]).filter(([, n]) => n !== 0);
    assert.deepEqual(broken, []);
    t.diagnostic(`checks recorded ${one('SELECT count(*) FROM check_results')}, outages ${one('SELECT count(*) FROM outages')}, ` +
      `events ${one('SELECT count(*) FROM monitor_events')}`);

    // The server: a killed worker may have committed a write whose answer
    // never came; the audit trail then holds an event the access log does
    // not call for.  Allow that many, nothing else.
    try {
      await srv.stop();
    } catch (e) {
      const lines = e.message.split('\n');
      const m = /^audit trail: the access log calls for (\d+) audit events, the database holds (\d+)$/;
      const other = lines.filter((l) => !m.test(l));
      const trail = lines.map((l) => m.exec(l)).find(Boolean);
      const extra = trail ? Number(trail[2]) - Number(trail[1]) : 0;
      t.diagnostic(`audit events without a 2xx in the access log: ${extra} (unknown outcomes ${sum.unknown})`);
      assert.deepEqual(other, [], e.message);
      assert.ok(extra >= 0 && extra <= sum.unknown, e.message);
    }
  });
});
