// Two checker nodes on one PostgreSQL database (docs/scale-out.md
// "Tested"): two web servers, each with its own folder, its own
// `uptime-check --loop` and `uptime-notify --loop`, nothing shared but
// the database of a throwaway cluster and the server secret's content.
// Monitors are created through node A and read through node B; their
// checks are claimed with leases (lib/monitor.c, monitor_claim_due), so
// each is checked once a round by one node, and a node killed with
// SIGKILL has its checks taken over by the other once its leases lapse.
// The cluster is this file's own, whatever engine the rest of the run
// uses.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { startServer, runCron, sleep } from './lib/harness.mjs';
import { startCluster } from './lib/pgcluster.mjs';
import { startLoop } from './lib/stress.mjs';
import { startHttpTarget } from './lib/targets.mjs';
import { show } from './lib/checks.mjs';

const MONITORS = 200;
const INTERVAL_MS = 30000;	// the least intervalSeconds the API takes
const TIMEOUT_MS = 2000;	// timeoutSeconds of the 200
// cron/uptime-check.c: LEASE_MARGIN_MS, and how often it looks (POLL_MS).
const LEASE_MARGIN_MS = 10000;
const POLL_MS = 1000;
// A loaded two-core machine under the sanitizers: a check may start this
// late, and its result be written this much later.
const SLACK_MS = 3000;
// The 200 are due SPREAD_MS apart, so each round of 30 s has checks due
// all through it but for a quiet end (200 x 130 ms = 26 s), where the
// checkers are stopped with nothing in flight.
const SPREAD_MS = 130;

// One row (or value) from sql, through psql.
const psqlAt = (uri, sql) => execFileSync('psql', ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-d', uri, '-c', sql],
  { encoding: 'utf8' }).trim();
const sqlText = (s) => `'${s.replaceAll("'", "''")}'`;

// Wait until the real clock reads at (ms).
const until = (at) => sleep(Math.max(0, at - Date.now()));

describe('two checker nodes on one PostgreSQL database', () => {
  let cluster, uri, a, b, key, target;
  const loops = [];
  const start = (srv, name) => {
    const p = startLoop(srv, name);
    loops.push(p);
    return p;
  };
  // The lease holder's name of a node: this host and its data folder.
  const nodeOf = (srv) => `${os.hostname()}:${srv.dir}`;
  const sql = (s) => psqlAt(uri, s);

  // Slow answers for the fence tests: the test runs fn while the check
  // is at the target, then answers 200.
  const during = new Map();

  before(async () => {
    cluster = startCluster();
    cluster.psql('CREATE DATABASE nodes');
    const u = new URL(cluster.uri);
    u.pathname = '/nodes';
    uri = u.toString();
    const settings = { UPTIME_RATE_LIMIT: '100000' };
    a = await startServer({ db: uri, allowPrivate: true, settings });
    b = await startServer({ db: uri, secret: a.secret, allowPrivate: true, settings });
    const team = await a.createTeam('Two nodes');
    key = await a.createKey(team, { name: 'both nodes' });
    target = await startHttpTarget(async (req, res) => {
      const fn = during.get(req.url);
      if (fn) await fn();
      res.end('ok');
    });
  });

  after(async () => {
    for (const p of loops) {
      try { process.kill(p.child.pid, 'SIGCONT'); } catch { /* gone */ }
      await p.stop().catch(() => {});
    }
    await a?.stop();
    // Every audited write went through A, whose access log has just been
    // checked against them; B's log calls for none.
    if (b) sql('DELETE FROM audit_events');
    await b?.stop();
    await target?.close();
    cluster?.stop();
  });

  // A monitor of the target's path p, created through A, due at due;
  // deleted when test t ends.
  const monitor = async (t, p, { timeoutSeconds = TIMEOUT_MS / 1000, due = Date.now() } = {}) => {
    const r = await a.api('POST', '/v1/monitors', {
      key,
      body: { name: `check ${p}`, url: target.url(p), intervalSeconds: INTERVAL_MS / 1000, timeoutSeconds },
    });
    assert.equal(r.status, 201, show(r));
    const { id } = r.json.data;
    sql(`UPDATE monitors SET next_check_at = ${due} WHERE id = ${sqlText(id)}`);
    t.after(async () => {
      const del = await a.api('DELETE', `/v1/monitors/${id}`, { key });
      assert.equal(del.status, 204, show(del));
    });
    return id;
  };
  const results = (id) => Number(sql(`SELECT count(*) FROM check_results WHERE monitor_id = ${sqlText(id)}`));

  it('a check claimed after its due time holds a live lease while it runs', async (t) => {
    const id = await monitor(t, '/late', { due: Date.now() - 120000 });
    let seen = null;
    during.set('/late', () => {
      seen = { at: Date.now(), ...JSON.parse(sql(`SELECT json_build_object('node', lease_node, 'until', lease_until) FROM monitors WHERE id = ${sqlText(id)}`)) };
    });
    const r = await runCron(a, 'uptime-check', ['--once']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(seen, 'the check reached the target');
    assert.equal(seen.node, nodeOf(a));
    // From the claim: its timeout and the margin, not from the due time
    // two minutes ago (a lapsed lease another node could claim at once).
    assert.ok(seen.until > seen.at + TIMEOUT_MS, `the lease ends at ${seen.until}, ${seen.until - seen.at} ms after the check reached the target`);
    assert.equal(results(id), 1);
  });

  it('--once renews its claims: a pass longer than a lease checks every monitor due at its start', async (t) => {
    // One check at a time, each 1 s at the target (its timeout): the
    // pass outlasts the lease it claimed them with (timeout + margin,
    // 11 s), so the last ones start after their first claim lapsed.
    const n = Math.ceil((1000 + LEASE_MARGIN_MS) / 1000) + 2;
    during.set('/slow-pass', () => sleep(1200));
    const ids = [];
    for (let i = 0; i < n; i++) ids.push(await monitor(t, '/slow-pass', { timeoutSeconds: 1, due: Date.now() - 1000 }));
    const r = await runCron(a, 'uptime-check', ['--once'], { env: { UPTIME_CHECK_CONCURRENCY: '1' } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(ids.map(results), ids.map(() => 1), 'each checked once in the pass');
  });

  it('negative: a result whose check another node claimed in the meantime is not written', async (t) => {
    const id = await monitor(t, '/taken', { timeoutSeconds: 5 });
    const due = Number(sql(`SELECT next_check_at FROM monitors WHERE id = ${sqlText(id)}`));
    // As though this node's lease had lapsed and another had claimed it.
    during.set('/taken', () => {
      sql(`UPDATE monitors SET lease_node = 'elsewhere:/var/lib/uptime', lease_until = ${Date.now() + 60000} WHERE id = ${sqlText(id)}`);
    });
    const r = await runCron(a, 'uptime-check', ['--once']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(target.hits('/taken'), 1);
    assert.equal(results(id), 0);
    assert.equal(Number(sql(`SELECT next_check_at FROM monitors WHERE id = ${sqlText(id)}`)), due, 'left due for the node that claimed it');
    assert.match(r.stderr, /1 results not written: another node took their checks over/);
  });

  it('a checker stopped past its lease neither checks nor writes what the other node took over', async (t) => {
    const due = Date.now() + 5000;
    const id = await monitor(t, '/stalled', { timeoutSeconds: 3, due });
    const lease = () => sql(`SELECT coalesce(lease_node, '') FROM monitors WHERE id = ${sqlText(id)}`);
    const ca = start(a, 'uptime-check');
    // A claims it in its look ahead (2.5 s before it is due) and is
    // stopped before it is due.
    for (let i = 0; i < 100 && lease() !== nodeOf(a); i++) await sleep(50);
    process.kill(ca.child.pid, 'SIGSTOP');
    assert.ok(Date.now() < due, 'A was stopped before the check was due');
    assert.equal(lease(), nodeOf(a));
    // B takes it over once A's lease lapses (due + 3 s + the margin);
    // its check takes 2 s at the target, and A goes on meanwhile, its
    // schedule still holding the check it claimed.
    during.set('/stalled', () => sleep(2000));
    const cb = start(b, 'uptime-check');
    const bound = due + 3000 + LEASE_MARGIN_MS + POLL_MS + SLACK_MS;
    while (lease() !== nodeOf(b) && Date.now() < bound) await sleep(50);
    assert.equal(lease(), nodeOf(b), 'B claimed it');
    process.kill(ca.child.pid, 'SIGCONT');
    while (results(id) === 0 && Date.now() < bound + 3000) await sleep(200);
    await sleep(POLL_MS);
    await ca.stop();
    await cb.stop();
    assert.equal(target.hits('/stalled'), 1, 'checked once, by B');
    assert.equal(results(id), 1);
  });

  let ids;

  it(`${MONITORS} monitors created through node A are read through node B`, async () => {
    ids = [];
    for (let i = 0; i < MONITORS; i += 20) {
      const made = await Promise.all(Array.from({ length: 20 }, (_, k) => a.api('POST', '/v1/monitors', {
        key,
        body: {
          name: `node check ${i + k}`, url: target.url(`/m/${i + k}`),
          intervalSeconds: INTERVAL_MS / 1000, timeoutSeconds: TIMEOUT_MS / 1000,
        },
      })));
      for (const r of made) assert.equal(r.status, 201, show(r));
      ids.push(...made.map((r) => r.json.data.id));
    }
    const got = await b.api('GET', '/v1/monitors?perPage=200', { key });
    assert.equal(got.status, 200, show(got));
    assert.equal(got.json.meta.pagination.next, null);
    assert.deepEqual(got.json.data.map((m) => m.id).sort(), [...ids].sort());
    const one = await b.api('GET', `/v1/monitors/${ids[7]}`, { key });
    assert.equal(one.status, 200, show(one));
    assert.equal(one.json.data.url, target.url('/m/7'));
  });

  it('each is checked exactly once a round by one of the two checkers; node B\'s checker killed mid-round is taken over by node A within one interval, no result lost', async () => {
    assert.equal(ids?.length, MONITORS, 'the monitors of the test before');
    target.reset();
    const path = new Map(ids.map((id, i) => [id, `/m/${i}`]));
    // No checker has run since they were made: they are made due
    // SPREAD_MS apart from t0 on (the i-th at t0 + i x SPREAD_MS), so
    // that checks fall due all through a round.
    const t0 = Date.now() + 4000;
    const offset = new Map(ids.map((id, i) => [id, i * SPREAD_MS]));
    sql(`UPDATE monitors SET next_check_at = ${t0} + v.o FROM (VALUES ${ids.map((id) => `(${sqlText(id)}, ${offset.get(id)})`).join(', ')}) AS v(id, o) WHERE monitors.id = v.id`);
    for (const srv of [a, b]) start(srv, 'uptime-notify');
    // Half a look apart, so that each node's looks claim their share.
    const ca = start(a, 'uptime-check');
    await sleep(POLL_MS / 2);
    const cb = start(b, 'uptime-check');

    // Round 1 (t0 .. t0 + 30 s): who claimed each check (asserted at
    // the end, after the results).
    await until(t0 + 26500);
    const split = Object.fromEntries(sql(`SELECT coalesce(lease_node, ''), count(*) FROM monitors WHERE id IN (${ids.map(sqlText).join(', ')}) GROUP BY 1`)
      .split('\n').map((l) => l.split('|')).map(([n, c]) => [n, Number(c)]));

    // Round 2: B's checker killed halfway; what it claimed and had not
    // written is A's once its leases lapse.
    const kill = t0 + INTERVAL_MS + 15000;
    await until(kill);
    const killed = Date.now();
    cb.child.kill('SIGKILL');
    // Its live leases on round 2's checks (a lease of round 1 names its
    // node still, lapsed).
    const held = sql(`SELECT id || '|' || next_check_at FROM monitors WHERE lease_node = ${sqlText(nodeOf(b))} ` +
      `AND lease_until >= ${killed} AND next_check_at < ${t0 + 2 * INTERVAL_MS}`)
      .split('\n').filter(Boolean).map((l) => l.split('|')).map(([id, due]) => ({ id, due: Number(due) }));

    // Round 3, A alone; stopped in its quiet end, with nothing in flight.
    const stopAt = t0 + 2 * INTERVAL_MS + (MONITORS - 1) * SPREAD_MS + 2000;
    await until(stopAt);
    assert.ok(Date.now() < t0 + 3 * INTERVAL_MS - 1000, 'stopped before round 4');
    await ca.stop();
    for (const p of loops) await p.stop();

    const rows = sql(`SELECT monitor_id || '|' || due_at || '|' || checked_at FROM check_results WHERE monitor_id IN (${ids.map(sqlText).join(', ')}) ORDER BY monitor_id, due_at, checked_at`)
      .split('\n').filter(Boolean).map((l) => l.split('|'));
    const byMonitor = new Map(ids.map((id) => [id, []]));
    for (const [id, due, at] of rows) byMonitor.get(id).push({ due: Number(due), at: Number(at) });
    const problems = [];
    const say = (s) => { if (problems.length < 20) problems.push(s); };
    // The longest a monitor goes without a result: the interval, then a
    // lapse of the dead node's lease (claimed at most at the due time,
    // or renewed at most when it died, just after: the check's timeout
    // and the margin), the survivor's next look, and slack for a loaded
    // machine: 30 + 2 + 10 + 1 + 3 = 46 s.
    const maxGap = INTERVAL_MS + TIMEOUT_MS + LEASE_MARGIN_MS + POLL_MS + SLACK_MS;
    // A check taken over starts at most this long after its due time:
    // 16 s, within one interval.
    const maxLate = TIMEOUT_MS + LEASE_MARGIN_MS + POLL_MS + SLACK_MS;
    assert.ok(maxLate < INTERVAL_MS);
    const heldIds = new Set(held.map((h) => h.id));
    let checks = 0;
    let worstGap = 0;
    let inFlight = 0;
    for (const id of ids) {
      const got = byMonitor.get(id);
      checks += got.length;
      const want = [0, 1, 2].map((k) => t0 + offset.get(id) + k * INTERVAL_MS);
      if (JSON.stringify(got.map((r) => r.due)) !== JSON.stringify(want)) {
        say(`${id}: results due at ${got.map((r) => r.due - t0)}, not ${want.map((d) => d - t0)} (ms after t0)`);
      }
      // A check B had sent when it was killed is made again by A: one
      // request more, no result more.
      const extra = target.hits(path.get(id)) - got.length;
      if (extra === 1 && heldIds.has(id)) inFlight++;
      else if (extra !== 0) say(`${id}: ${target.hits(path.get(id))} requests at the target, ${got.length} results`);
      for (let k = 1; k < got.length; k++) {
        const gap = got[k].at - got[k - 1].at;
        worstGap = Math.max(worstGap, gap);
        if (gap > maxGap) say(`${id}: ${gap} ms between results ${k - 1} and ${k}`);
      }
      for (const r of got) if (r.at - r.due > maxLate) say(`${id}: checked ${r.at - r.due} ms after its due time`);
    }
    assert.deepEqual(problems, []);
    assert.equal(checks, 3 * MONITORS);
    // Round 1 was claimed by both nodes, each check by one.
    assert.equal((split[nodeOf(a)] ?? 0) + (split[nodeOf(b)] ?? 0), MONITORS, JSON.stringify(split));
    assert.ok(split[nodeOf(a)] > 0 && split[nodeOf(b)] > 0, `both nodes check: ${JSON.stringify(split)}`);
    assert.ok(held.length > 0, 'B held unfinished checks when it was killed');

    // What B held when it was killed: checked once, by A, late by the
    // lease and no more.
    let takeover = 0;
    for (const { id, due } of held) {
      const r = byMonitor.get(id).find((x) => x.due === due);
      takeover = Math.max(takeover, r.at - due);
    }
    const after = sql(`SELECT DISTINCT lease_node FROM monitors WHERE id IN (${ids.map(sqlText).join(', ')})`);
    assert.equal(after, nodeOf(a), 'round 3 was all A\'s');
    process.stderr.write(`# ${checks} checks of ${MONITORS} monitors in 3 rounds; round 1 split ${split[nodeOf(a)]}/${split[nodeOf(b)]}; ` +
      `${held.length} checks held by the killed node (${inFlight} of them sent), taken over at most ${takeover} ms after due; longest gap ${worstGap} ms\n`);
  });
});
