// Concurrency (issue 11, part 2): 16 client processes, each with its own
// team and key, issue writes across several families (monitors create,
// patch and delete, maintenance windows, alert channels, status page
// incidents, API keys; tests/http/lib/stress-client.mjs) and test
// notifications, while
// uptime-check and uptime-notify run in a loop over monitors that go down
// and up.  Afterwards every acknowledged write is in the database as
// acknowledged, no refused write is, every acknowledged test notification
// is delivered once (after a last notifier pass), no answer was a 500 or
// anything but 2xx or 503 with Retry-After, and no answer mentioned a
// locked database.
//
// UPTIME_STRESS_WRITES: writes per client (default 100, which keeps the
// file under a minute under ASan on two cores; the figure is
// 1000).  UPTIME_STRESS_CLIENTS: clients (default 16).  The figures go to
// the test's diagnostics (docs/reliability.md records them).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runCron, PG } from './lib/harness.mjs';
import { assertOk } from './lib/checks.mjs';
import { startHttpTarget } from './lib/targets.mjs';
import { envInt, runClients, startLoop, ackProblems, noteProblems, totals, startReceiver } from './lib/stress.mjs';

const CLIENTS = envInt('UPTIME_STRESS_CLIENTS', 16);
const WRITES = envInt('UPTIME_STRESS_WRITES', 100);
const CHECKED = 40;         // monitors the checker works on meanwhile

let srv, web, recv;
const deliveries = new Map();   // notification id -> deliveries

before(async () => {
  // Odd monitors flip between up and down every 10 seconds.
  web = await startHttpTarget((req, res) => {
    const n = Number(new URL(req.url, 'http://x').pathname.split('/')[2]);
    const down = n % 2 === 1 && Math.floor(Date.now() / 10e3) % 2 === 1;
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
  await srv?.stop();
  await web?.close();
  await recv?.close();
});

describe('concurrency', () => {
  it(`${CLIENTS} clients × ${WRITES} writes while the checker and notifier run: nothing lost, no 500, no lock`, async (t) => {
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

    const checker = startLoop(srv, 'uptime-check');
    const notifier = startLoop(srv, 'uptime-notify');
    const checksBefore = srv.sql('SELECT count(*) AS n FROM check_results')[0].n;
    const t0 = performance.now();
    let results;
    try {
      results = await runClients(srv, {
        keys, writes: WRITES, hookUrl: recv.url('/client-hook'), targetUrl: web.url('/client'),
      });
    } finally {
      await checker.stop();
      await notifier.stop();
    }
    const secs = (performance.now() - t0) / 1000;
    // What the notifier had not got to yet.
    const flush = await runCron(srv, 'uptime-notify');
    assert.equal(flush.code, 0, flush.stderr);
    const sum = totals(results);
    const checks = srv.sql('SELECT count(*) AS n FROM check_results')[0].n - checksBefore;
    const notes = srv.sql("SELECT count(*) AS n FROM notifications WHERE status = 'sent'")[0].n;

    t.diagnostic(`clients ${CLIENTS}, writes ${sum.writes} (${WRITES} each) in ${secs.toFixed(1)} s ` +
      `(${(sum.writes / secs).toFixed(0)} writes/s)`);
    t.diagnostic(`acknowledged ${sum.acked}, refused with 503 + Retry-After ${sum.refused}, ` +
      `answers: ${JSON.stringify(sum.statuses)}`);
    t.diagnostic(`meanwhile: ${checks} check results, ${notes} notifications sent, ` +
      `${[...deliveries.values()].reduce((a, b) => a + b, 0)} webhook deliveries`);
    for (const [name, p] of [['uptime-check', checker], ['uptime-notify', notifier]]) {
      if (p.text) t.diagnostic(`${name} said: ${p.text.slice(0, 500)}`);
    }

    assert.deepEqual(sum.bad, [], 'answers other than 2xx or 503 with Retry-After');
    assert.equal(sum.statuses['500'] ?? 0, 0, 'no answer is a 500');
    assert.equal(sum.locked, 0, 'no answer mentions a locked database');
    assert.equal(sum.writes, CLIENTS * WRITES);
    assert.deepEqual(ackProblems(srv, results), []);
    const nt = noteProblems(results, deliveries);
    t.diagnostic(`test notifications acknowledged and delivered: ${nt.delivered}, duplicates ${nt.duplicates}`);
    assert.deepEqual(nt.problems, []);
    // The SQLite file's own check (PostgreSQL has no counterpart to ask).
    if (!PG) assert.deepEqual(srv.sql('PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
    assert.ok(checks > 0, 'the checker ran during the load');
  });
});
