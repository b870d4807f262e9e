// "The secret value is returned once, at creation or rotation, and never
// again by any endpoint, log line or error" (API.md section 2), and only a
// keyed hash is stored.  After a realistic flow, no secret this process saw
// may be found in any file the service wrote, read as bytes.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { startServer, seenSecrets, makeKey, filesUnder, PG } from './lib/harness.mjs';
import { assertOk, show } from './lib/checks.mjs';
import { KIND } from './lib/servers.mjs';

let srv;
let stopped = false;
let duringRun = [];      // [{ file, bytes }] read while the server ran (the WAL is still there)
// On PostgreSQL the database is no file of the instance: its rows, read
// through psql, stand for it as the file "database".
const DATABASE = 'database';
let afterStop = [];

async function readAll(dir) {
  const out = [];
  for (const f of await filesUnder(dir)) {
    try { out.push({ file: path.relative(dir, f), bytes: await fsp.readFile(f) }); } catch { /* gone */ }
  }
  return out;
}

before(async () => {
  srv = await startServer();
  const team = await srv.createTeam('Secretive');
  const other = await srv.createTeam('Neighbour');
  const admin = await srv.createKey(team, { name: 'root' });
  const neighbour = await srv.createKey(other, { name: 'neighbour', scopes: ['api-keys:read', 'api-keys:write'] });
  const limited = await srv.createKey(team, {
    name: 'limited', scopes: ['api-keys:read', 'api-keys:write', 'monitors:read'], expires: new Date(Date.now() + 30 * 86400e3),
  });

  // Keys made, used, rotated and revoked through the API.
  const made = [];
  for (let i = 0; i < 6; i++) {
    const body = { name: `integration ${i}`, scopes: i % 2 ? ['monitors:read'] : ['api-keys:read', 'monitors:write'] };
    if (i % 3 === 0) body.expiresAt = new Date(Date.now() + 7 * 86400e3).toISOString();
    made.push(assertOk(await srv.api('POST', '/v1/api-keys', { key: admin, body }), 201));
  }
  // A retried create with an Idempotency-Key: the kept answer must not
  // hold the secret, and the replay does not repeat it.
  const idem = { key: admin, body: { name: 'idempotent', scopes: ['monitors:read'] }, headers: { 'idempotency-key': 'retry-me-1' } };
  const first = await srv.api('POST', '/v1/api-keys', idem);
  assert.equal(first.status, 201, show(first));
  const replay = await srv.api('POST', '/v1/api-keys', idem);
  assert.equal(replay.headers.get('idempotent-replayed'), 'true', show(replay));
  assert.equal(replay.json.data.key, null, show(replay));

  for (const m of made) assertOk(await srv.api('GET', '/v1/api-keys/current', { key: m.key }));
  const r1 = assertOk(await srv.api('POST', `/v1/api-keys/${made[0].id}/rotate`, { key: admin }));
  const r2 = assertOk(await srv.api('POST', `/v1/api-keys/${made[0].id}/rotate`, { key: admin }));
  assertOk(await srv.api('POST', `/v1/api-keys/${made[3].id}/rotate`, { key: limited }));
  assertOk(await srv.api('GET', '/v1/api-keys/current', { key: r2.key }));
  assert.equal((await srv.api('DELETE', `/v1/api-keys/${made[2].id}`, { key: admin })).status, 204);
  assertOk(await srv.api('POST', '/v1/api-keys', { key: neighbour, body: { name: 'n', scopes: ['api-keys:read'] } }), 201);

  // Failures that carry real secrets or parts of them.
  await srv.api('GET', '/v1/api-keys', { key: made[0].key });                     // rotated away: 401
  await srv.api('GET', '/v1/api-keys', { key: r1.key });                          // rotated away: 401
  await srv.api('GET', '/v1/api-keys', { key: made[2].key });                     // revoked: 401
  await srv.api('GET', '/v1/api-keys', { key: made[3].key.slice(0, -1) + (made[3].key.endsWith('A') ? 'B' : 'A') }); // bad checksum
  await srv.api('GET', '/v1/api-keys', { key: made[4].key + 'x' });               // malformed
  await srv.api('GET', '/v1/api-keys', { key: made[4].key.slice(0, 30) });        // malformed
  await srv.api('GET', '/v1/api-keys', { headers: { authorization: `Basic ${Buffer.from(`u:${made[5].key}`).toString('base64')}` } });
  await srv.api('GET', '/v1/api-keys', { headers: { authorization: `Token ${made[5].key}` } });
  await srv.api('GET', '/v1/api-keys', { key: makeKey() });                       // unknown
  await srv.api('POST', '/v1/api-keys', { key: made[1].key, body: { name: 'x', scopes: ['monitors:read'] } }); // 403
  await srv.api('POST', '/v1/api-keys', { key: limited, body: { name: 'x', scopes: ['team:write'] } });        // escalation
  await srv.api('POST', '/v1/api-keys', { key: admin, body: { name: '', scopes: ['nope'] } });                 // 400
  await srv.api('POST', '/v1/api-keys', { key: admin, rawBody: '{"name": "x", "scopes": [' });                 // 400
  await srv.api('GET', `/v1/api-keys/${made[0].id}/x`, { key: admin });                                        // 404
  await srv.api('PUT', '/v1/api-keys', { key: admin });                                                        // 405
  await srv.api('GET', '/v1/audit-events?perPage=200', { key: admin });
  // A consistent copy made by the admin command is a file too (a
  // PostgreSQL database is backed up with pg_dump instead).
  if (!PG) {
    const b = await srv.admin('backup', path.join(srv.dir, 'backup.db'));
    assert.equal(b.code, 0, b.stderr);
  }
  const l = await srv.admin('key', 'list', '--team', team);
  assert.equal(l.code, 0, l.stderr);
  assert.ok(!l.stdout.includes(admin) && !l.stdout.includes(admin.slice(7, 39)), '`key list` prints no secret');

  duringRun = await readAll(srv.dir);
  if (PG) duringRun.push({ file: DATABASE, bytes: Buffer.from(JSON.stringify(srv.snapshot({ keepLastUsed: true }))) });
  await srv.stop({ cleanup: false });
  stopped = true;
  afterStop = await readAll(srv.dir);
});

after(async () => {
  if (!stopped) await srv?.stop();
  await srv?.cleanup();
});

describe('secrets at rest and in logs', () => {
  it('the flow saw secrets to look for', () => {
    assert.ok(seenSecrets.size >= 14, `only ${seenSecrets.size} secrets seen`);
    if (PG) assert.ok(duringRun.some((f) => f.file === DATABASE));
    else assert.ok(afterStop.some((f) => f.file === 'uptime.db'));
    assert.ok(afterStop.some((f) => f.file === srv.accessLogFile));
    // Resident workers keep the WAL open; a program run once per request
    // checkpoints it into uptime.db and removes it as it exits.
    if (!KIND.perRequest && !PG) assert.ok(duringRun.some((f) => f.file === 'uptime.db-wal'), 'the WAL was read while the server ran');
  });

  it('no secret, nor its 32 random characters, is in any file of the instance', () => {
    const leaks = [];
    for (const { file, bytes } of [...duringRun, ...afterStop]) {
      for (const s of seenSecrets) {
        const rand = s.slice(7, 39);
        if (bytes.includes(s)) leaks.push(`${file}: full secret ${s.slice(0, 15)}…`);
        else if (bytes.includes(rand)) leaks.push(`${file}: random part of ${s.slice(0, 15)}…`);
        // The part after the prefix shown in listings: 24 random characters.
        else if (bytes.includes(rand.slice(8))) leaks.push(`${file}: hidden part of ${s.slice(0, 15)}…`);
      }
    }
    assert.deepEqual([...new Set(leaks)], []);
  });

  it('no answer carried a stored hash', () => {
    const hashes = [];
    // Every column named *hash*, as upper-case hex of its bytes.
    const cols = PG
      ? srv.sql("SELECT table_name AS t, column_name AS name, data_type AS type FROM information_schema.columns " +
          "WHERE table_schema = 'public' AND column_name LIKE '%hash%'")
      : srv.sql("SELECT m.name AS t, p.name AS name FROM sqlite_master m, pragma_table_info(m.name) p " +
          "WHERE m.type = 'table' AND p.name LIKE '%hash%'");
    for (const c of cols) {
      const hex = !PG ? `hex("${c.name}")`
        : c.type === 'bytea' ? `upper(encode("${c.name}", 'hex'))` : `upper(encode(convert_to("${c.name}", 'UTF8'), 'hex'))`;
      for (const r of srv.sql(`SELECT ${hex} AS h FROM "${c.t}"`)) if (r.h) hashes.push(r.h);
    }
    assert.ok(hashes.length >= 10, `found ${hashes.length} stored hashes`);
    const all = srv.transcript.join('\n');
    for (const h of hashes) {
      const buf = Buffer.from(h, 'hex');
      for (const enc of [h, h.toLowerCase(), buf.toString('base64'), buf.toString('base64url')]) {
        assert.ok(!all.includes(enc), `a stored hash appeared in an answer (${enc.slice(0, 12)}…)`);
      }
    }
  });

  it('errors never echo a presented secret', () => {
    for (const t of srv.transcript) {
      const body = t.slice(t.indexOf('\n\n') + 2);
      if (/^\{"data"/.test(body)) continue;   // success answers may carry a new key
      for (const s of seenSecrets) assert.ok(!t.includes(s.slice(7, 39)), `an error answer holds ${s.slice(0, 15)}…`);
    }
  });
});
