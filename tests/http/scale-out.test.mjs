// Beyond one machine (docs/scale-out.md): a SQLite database copied into
// PostgreSQL with uptime-admin copy, two nodes (two web servers with
// their own programs and folders, nothing shared but the PostgreSQL
// database and the server secret's content), rate limits across them,
// and a PostgreSQL restart under them.  Each part makes its own
// throwaway cluster (tests/http/lib/pgcluster.mjs), whatever engine the
// rest of the run uses.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, createInstance, sleep } from './lib/harness.mjs';
import { startCluster } from './lib/pgcluster.mjs';
import { show } from './lib/checks.mjs';

// A new database in cluster c; its URI.
function database(c, name) {
  c.psql(`CREATE DATABASE ${name}`);
  const u = new URL(c.uri);
  u.pathname = `/${name}`;
  return u.toString();
}

// One value from sql in the database at uri.
const psqlAt = (uri, sql) => execFileSync('psql', ['-X', '-At', '-d', uri, '-c', sql], { encoding: 'utf8' }).trim();

const ids = (r) => r.json.data.map((x) => x.id).sort();

describe('uptime-admin copy --to postgresql://', () => {
  let cluster, tmp, lite, pgNode, key, keys, audit;

  before(async () => {
    cluster = startCluster();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'uptime-copy-'));
    lite = await startServer({ db: path.join(tmp, 'uptime.db') });
    const team = await lite.createTeam('Copied team');
    key = await lite.createKey(team, { name: 'first' });
    for (const name of ['second', 'third']) {
      const r = await lite.api('POST', '/v1/api-keys', { key, body: { name, scopes: ['monitors:read'] } });
      assert.equal(r.status, 201, show(r));
    }
    const inv = await lite.api('POST', '/v1/team/invites', { key, body: { email: 'b@example.com', role: 'viewer' } });
    assert.equal(inv.status, 201, show(inv));
    keys = ids(await lite.api('GET', '/v1/api-keys', { key }));
    audit = (await lite.api('GET', '/v1/audit-events?perPage=200', { key })).json.data.length;
    await lite.stop({ cleanup: false });
  });

  after(async () => {
    await pgNode?.stop();
    await lite?.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
    cluster?.stop();
  });

  it('copies every table into an empty database; the same key then works on PostgreSQL, with the same keys and audit trail', async () => {
    const uri = database(cluster, 'copied');
    const r = await lite.admin('copy', '--to', uri);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^api_keys +3 rows$/m);
    assert.match(r.stderr, /^invites +1 rows$/m);
    pgNode = await startServer({ db: uri, secret: lite.secret });
    const got = await pgNode.api('GET', '/v1/api-keys', { key });
    assert.equal(got.status, 200, show(got));
    assert.deepEqual(ids(got), keys);
    const events = await pgNode.api('GET', '/v1/audit-events?perPage=200', { key });
    assert.equal(events.status, 200, show(events));
    assert.ok(events.json.data.length >= audit, `${events.json.data.length} audit events, ${audit} before`);
    // Ids the database gives go on past the copied ones.
    const made = await pgNode.api('POST', '/v1/api-keys', { key, body: { name: 'made on PostgreSQL', scopes: ['monitors:read'] } });
    assert.equal(made.status, 201, show(made));
  });

  it('negative: refuses a database that is not empty, and changes nothing in it', async () => {
    const uri = database(cluster, 'taken');
    assert.equal((await lite.admin('copy', '--to', uri)).code, 0);
    const count = () => psqlAt(uri, 'SELECT count(*) FROM api_keys');
    const before = count();
    assert.equal(before, '3');
    const again = await lite.admin('copy', '--to', uri);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not empty .*copy into a new, empty database/);
    assert.equal(count(), before);
  });

  it('negative: copy takes --to and a postgresql:// URI', async () => {
    for (const args of [['copy'], ['copy', '--to'], ['copy', '--to', '/tmp/other.db'], ['copy', '--into', 'postgresql:///x']]) {
      const r = await lite.admin(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /copy/);
    }
  });
});

describe('two nodes on one PostgreSQL database', () => {
  let cluster, a, b, key, team;

  before(async () => {
    cluster = startCluster();
    const uri = database(cluster, 'nodes');
    const limit = { UPTIME_RATE_LIMIT: '40' };
    a = await startServer({ db: uri, settings: limit });
    b = await startServer({ db: uri, secret: a.secret, settings: limit });
    team = await a.createTeam('Two nodes');
    key = await a.createKey(team, { name: 'both nodes' });
  });

  after(async () => {
    await a?.stop();
    await b?.stop();
    cluster?.stop();
  });

  it('what one node writes the other reads at once; a key revoked through one is refused by the other', async () => {
    const made = await a.api('POST', '/v1/api-keys', { key, body: { name: 'made on A', scopes: ['monitors:read'] } });
    assert.equal(made.status, 201, show(made));
    const onB = await b.api('GET', `/v1/api-keys/${made.json.data.id}`, { key });
    assert.equal(onB.status, 200, show(onB));
    assert.equal(onB.json.data.name, 'made on A');
    const secret = made.json.data.key;
    assert.equal((await a.api('GET', '/v1/api-keys/current', { key: secret })).status, 200);
    const del = await b.api('DELETE', `/v1/api-keys/${made.json.data.id}`, { key });
    assert.equal(del.status, 204, show(del));
    const after = await a.api('GET', '/v1/api-keys/current', { key: secret });
    assert.equal(after.status, 401, show(after));
  });

  it('a key sending through both nodes gets its limit once, not once per node', async () => {
    const k = await a.createKey(team, { name: 'limited', scopes: ['monitors:read'] });
    // Start at the top of a minute's window, far from its end.
    while (new Date().getSeconds() > 45) await sleep(1000);
    let ok = 0;
    let limited = 0;
    for (let i = 0; i < 60; i++) {
      const r = await (i % 2 ? b : a).api('GET', '/v1/api-keys/current', { key: k });
      if (r.status === 200) ok++;
      else if (r.status === 429) limited++;
      else assert.fail(show(r));
    }
    assert.equal(ok, 40, `${ok} answered, ${limited} limited`);
    assert.equal(limited, 20);
  });
});

describe('a PostgreSQL restart under a running node', () => {
  let cluster, srv, key, team;

  before(async () => {
    cluster = startCluster();
    srv = await startServer({ db: database(cluster, 'restarted') });
    team = await srv.createTeam('Restarted');
    key = await srv.createKey(team, { name: 'through the restart' });
  });

  after(async () => {
    await srv?.stop();
    cluster?.stop();
  });

  it('answers 503 with Retry-After while the database is gone, recovers by itself, and loses no acknowledged write', async () => {
    const acked = [];
    const write = async (name) => {
      const r = await srv.api('POST', '/v1/api-keys', { key, body: { name, scopes: ['monitors:read'] } });
      if (r.status === 201) acked.push(r.json.data.id);
      return r;
    };
    for (let i = 0; i < 5; i++) assert.equal((await write(`before ${i}`)).status, 201);
    cluster.pgctl('stop');
    const down = await write('while down');
    assert.equal(down.status, 503, show(down));
    assert.ok(down.headers.get('retry-after'), 'Retry-After');
    assert.equal(down.json?.code, 'unavailable', show(down));
    cluster.pgctl('start');
    let back = null;
    for (let i = 0; i < 50 && back?.status !== 201; i++) {
      back = await write(`after ${i}`);
      if (back.status !== 201) await sleep(100);
    }
    assert.equal(back.status, 201, show(back));
    const listed = (await srv.api('GET', '/v1/api-keys?perPage=200', { key })).json.data.map((k) => k.id);
    for (const id of acked) assert.ok(listed.includes(id), `acknowledged ${id} is kept`);
    assert.equal(srv.sql(`SELECT count(*) AS n FROM api_keys WHERE team_id = '${team}'`)[0].n, acked.length + 1);
  });
});
