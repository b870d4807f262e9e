// Migrations (issue 11, part 4; docs/lib/db.md "Opening and migrating"),
// through the real programs and the sqlite3 CLI, no web server:
//
// - a database at every earlier schema version (schema/NNN_*.sql applied
//   up to N with the sqlite3 CLI, PRAGMA user_version = N, as lib/db.c
//   records it) upgrades with `uptime-admin migrate`, keeps its rows, and
//   ends with the very schema of a new database;
// - a second run changes nothing (`sqlite3 .dump` before and after);
// - 8 processes starting together on such a database (uptime-admin
//   migrate and FastCGI programs run as CGI) all succeed and migrate
//   once: the schema cookie moves as much as for one process;
// - a database newer than the programs is refused with a clear message
//   and left as it was.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT, ADMIN, BINDIR, CRONDIR, SANITIZER_ENV, SANITIZER_RE } from './lib/harness.mjs';

const SCHEMA = path.join(ROOT, 'schema');
const FILES = fs.readdirSync(SCHEMA).filter((f) => /^\d{3}_.*\.sql$/.test(f)).sort();
const NUMS = FILES.map((f) => Number(f.slice(0, 3)));
const LATEST = NUMS[NUMS.length - 1];

let dir, secret;
let seq = 0;

const sqlite = (db, sql) => execFileSync('sqlite3', [db], { input: sql, encoding: 'utf8' });
const dump = (db) => execFileSync('sqlite3', [db, '.dump'], { encoding: 'utf8', maxBuffer: 64 << 20 });
const schemaText = (db) => execFileSync('sqlite3', [db, '.schema'], { encoding: 'utf8' });
const pragma = (db, p) => Number(sqlite(db, `PRAGMA ${p};`).trim());

function envFor(db) {
  return { ...process.env, ...SANITIZER_ENV, UPTIME_DB: db, UPTIME_SECRET_FILE: secret };
}

function run(file, args, db, extraEnv = {}) {
  return new Promise((resolve) => {
    execFile(file, args, { env: { ...envFor(db), ...extraEnv }, encoding: 'utf8', timeout: 60000 },
      (err, stdout, stderr) => {
        if (SANITIZER_RE.test(stderr)) throw new Error(`sanitizer report from ${file}:\n${stderr}`);
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 128) : 0, stdout, stderr });
      });
  });
}
const admin = (db, ...args) => run(ADMIN, args, db);

// One FastCGI program run as CGI: GET path without a key.  Resolves with
// the status it answered and its stderr.
function cgi(program, uri, db) {
  return new Promise((resolve) => {
    const child = spawn(path.join(BINDIR, program), [], {
      env: {
        ...envFor(db), GATEWAY_INTERFACE: 'CGI/1.1', SERVER_PROTOCOL: 'HTTP/1.1', REQUEST_METHOD: 'GET',
        REQUEST_URI: uri, SCRIPT_NAME: '', PATH_INFO: uri, QUERY_STRING: '', REMOTE_ADDR: '192.0.2.7',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => {
      const m = /^Status: (\d{3})/m.exec(out);
      resolve({ code, status: m ? Number(m[1]) : null, stderr: err, out });
    });
  });
}

// A new file at schema version n (0: an empty file), built the way an
// older program would have left it, with a team (and a monitor from
// version 2 on) in it.
function atVersion(n) {
  const db = path.join(dir, `v${n}-${++seq}.db`);
  let sql = '';
  for (let i = 0; i < FILES.length && NUMS[i] <= n; i++) sql += fs.readFileSync(path.join(SCHEMA, FILES[i]), 'utf8') + '\n';
  if (n >= 1) sql += "INSERT INTO teams (id, name, created_at) VALUES ('team_00000000000000000001', 'Old team', 1700000000000);\n";
  if (n >= 2) {
    sql += 'INSERT INTO monitors (id, team_id, name, type, interval_s, timeout_s, confirmations, next_check_at, ' +
      "created_at, updated_at) VALUES ('mon_00000000000000000001', 'team_00000000000000000001', 'Old monitor', " +
      "'http', 60, 10, 1, 1700000000000, 1700000000000, 1700000000000);\n";
  }
  if (n >= 2) {
    sql += "INSERT INTO monitor_events (id, monitor_id, team_id, kind, at) VALUES (7, 'mon_00000000000000000001', " +
      "'team_00000000000000000001', 'down', 1700000000000);\n";
  }
  if (n >= 7) {
    // A notification with an attempt: tables built again by a later
    // migration keep them.
    sql += "INSERT INTO channels (id, team_id, name, type, config, created_at, updated_at) VALUES " +
      "('ach_00000000000000000001', 'team_00000000000000000001', 'Old channel', 'webhook', " +
      "'{\"url\":\"https://hooks.example.com/x\"}', 1700000000000, 1700000000000);\n" +
      "INSERT INTO notifications (id, team_id, channel_id, monitor_id, event, status, attempts, payload, created_at) " +
      "VALUES ('ntf_00000000000000000001', 'team_00000000000000000001', 'ach_00000000000000000001', " +
      "'mon_00000000000000000001', 'down', 'sent', 1, '{}', 1700000000000);\n" +
      "INSERT INTO notification_attempts (id, notification_id, at, response_status, duration_ms) VALUES " +
      "(3, 'ntf_00000000000000000001', 1700000000001, 200, 12);\n";
  }
  sql += `PRAGMA user_version = ${n};\n`;
  sqlite(db, sql);
  return db;
}

before(async () => {
  for (const f of [ADMIN, path.join(BINDIR, 'api-keys.fcgi')]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: build first (make BUILD=build/san SAN=1)`);
  }
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'uptime-migrations-'));
  secret = path.join(dir, 'secret');
  const r = await admin(path.join(dir, 'fresh.db'), 'init');
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  if (process.env.UPTIME_KEEP) process.stderr.write(`# kept ${dir}\n`);
  else if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

describe('migrations', () => {
  it('the schema files are numbered 1..N without gaps', () => {
    assert.deepEqual(NUMS, NUMS.map((_, i) => i + 1));
  });

  it('a database at every earlier version upgrades to the schema of a new one, keeping its rows; a second run changes nothing', async (t) => {
    const fresh = schemaText(path.join(dir, 'fresh.db'));
    for (let n = 0; n < LATEST; n++) {
      const db = atVersion(n);
      const r = await admin(db, 'migrate');
      assert.equal(r.code, 0, `from version ${n}: ${r.stderr}`);
      assert.equal(pragma(db, 'user_version'), LATEST, `from version ${n}`);
      assert.equal(schemaText(db), fresh, `from version ${n}: the schema differs from a new database's`);
      assert.deepEqual(sqlite(db, 'PRAGMA integrity_check; PRAGMA foreign_key_check;').trim(), 'ok');
      if (n >= 1) assert.equal(sqlite(db, 'SELECT name FROM teams;').trim(), 'Old team');
      if (n >= 2) {
        assert.equal(sqlite(db, "SELECT name || '|' || ping_window FROM monitors;").trim(), 'Old monitor|0');
        assert.equal(sqlite(db, "SELECT id || '|' || kind || '|' || suppressed FROM monitor_events;").trim(), '7|down|0');
      }
      if (n >= 7) {
        assert.equal(sqlite(db, "SELECT id || '|' || event || '|' || status FROM notifications;").trim(),
          'ntf_00000000000000000001|down|sent');
        assert.equal(sqlite(db, "SELECT id || '|' || notification_id || '|' || duration_ms FROM notification_attempts;").trim(),
          '3|ntf_00000000000000000001|12', `from version ${n}: the attempts were lost`);
      }
      // The upgraded database works: a key for the old team.
      if (n >= 1) {
        const k = await admin(db, 'key', 'create', '--team', 'team_00000000000000000001', '--name', 'after', '--scopes', 'all');
        assert.equal(k.code, 0, `from version ${n}: ${k.stderr}`);
      }
      const before = dump(db);
      const again = await admin(db, 'migrate');
      assert.equal(again.code, 0, again.stderr);
      assert.equal(dump(db), before, `from version ${n}: a second migrate changed the database`);
    }
    t.diagnostic(`upgraded from each of versions 0..${LATEST - 1} to ${LATEST}; second runs changed nothing`);
  });

  it('022: each key made before it gets its holder: the member who made it, or the first up its chain of keys', async () => {
    const db = atVersion(21);
    const key = (id, byKey, byMember) => `INSERT INTO api_keys (id, team_id, name, scopes, key_prefix, key_hash, created_at, ` +
      `created_by_key_id, created_by_member_id) VALUES ('${id}', 'team_00000000000000000001', '${id}', 4095, 'uptime_AAAAAAAA', ` +
      `randomblob(32), 1700000000000, ${byKey ? `'${byKey}'` : 'NULL'}, ${byMember ? `'${byMember}'` : 'NULL'});\n`;
    sqlite(db, "INSERT INTO members (id, team_id, email, name, role, joined_at) VALUES ('mem_00000000000000000001', " +
      "'team_00000000000000000001', 'ann@example.com', 'Ann', 'admin', 1700000000000);\n" +
      key('key_admin', null, null) + key('key_by_admin', 'key_admin', null) + key('key_console', null, 'mem_00000000000000000001') +
      key('key_child', 'key_console', null) + key('key_grandchild', 'key_child', null));
    const r = await admin(db, 'migrate');
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(execFileSync('sqlite3', ['-json', db, 'SELECT id, holder_member_id AS h FROM api_keys ORDER BY id'], { encoding: 'utf8' }));
    assert.deepEqual(Object.fromEntries(rows.map((x) => [x.id, x.h])), {
      key_admin: null, key_by_admin: null, key_child: 'mem_00000000000000000001',
      key_console: 'mem_00000000000000000001', key_grandchild: 'mem_00000000000000000001',
    });
  });

  it('8 processes starting together on an older database migrate it once', async (t) => {
    // How far one process moves the schema cookie, from each version.
    const cookie = [];
    for (let n = 0; n < LATEST; n++) {
      const db = atVersion(n);
      const c0 = pragma(db, 'schema_version');
      assert.equal((await admin(db, 'migrate')).code, 0);
      cookie[n] = pragma(db, 'schema_version') - c0;
    }
    let runs = 0;
    for (let n = 0; n < LATEST; n++) {
      const db = atVersion(n);
      const c0 = pragma(db, 'schema_version');
      const all = await Promise.all([
        ...Array.from({ length: 5 }, () => admin(db, 'migrate')),
        cgi('api-keys.fcgi', '/v1/api-keys/current', db),
        cgi('monitors.fcgi', '/v1/monitors', db),
        cgi('team.fcgi', '/v1/team', db),
      ]);
      runs += all.length;
      all.forEach((r, i) => {
        if (i < 5) assert.equal(r.code, 0, `from version ${n}, uptime-admin ${i}: ${r.stderr}`);
        else assert.equal(r.status, 401, `from version ${n}, CGI ${i}: ${r.stderr}\n${r.out}`);
      });
      assert.equal(pragma(db, 'user_version'), LATEST);
      assert.equal(pragma(db, 'schema_version') - c0, cookie[n], `from version ${n}: the schema changed more than one migration would`);
      assert.equal(sqlite(db, 'PRAGMA integrity_check;').trim(), 'ok');
    }
    // And a file that does not exist yet.
    const db = path.join(dir, 'new-race.db');
    const all = await Promise.all(Array.from({ length: 8 }, () => admin(db, 'migrate')));
    all.forEach((r, i) => assert.equal(r.code, 0, `new file, uptime-admin ${i}: ${r.stderr}`));
    assert.equal(schemaText(db), schemaText(path.join(dir, 'fresh.db')));
    t.diagnostic(`${runs + 8} processes in ${LATEST + 1} races of 8: each database migrated once`);
  });

  it('a database newer than the programs is refused with a clear message and left as it was', async (t) => {
    const db = atVersion(LATEST);
    sqlite(db, `PRAGMA user_version = ${LATEST + 1};`);
    const before = dump(db);
    const msg = `the database has schema version ${LATEST + 1}, newer than this program's ${LATEST}: upgrade the program`;
    for (const args of [['migrate'], ['key', 'list', '--team', 'team_00000000000000000001']]) {
      const r = await admin(db, ...args);
      assert.equal(r.code, 1, `uptime-admin ${args.join(' ')}`);
      // Then the setting that chose this database.
      assert.equal(r.stderr, `uptime-admin: ${msg}; see UPTIME_DB, set in the environment\n`);
    }
    for (const [name, prefix] of [['uptime-check', 'uptime-check'], ['uptime-notify', 'uptime-notify'], ['uptime-maintain', 'uptime-maintain']]) {
      const r = await run(path.join(CRONDIR, name), [], db);
      assert.equal(r.code, 1, `${name}: ${r.stderr}`);
      assert.ok(r.stderr.includes(msg), `${name} says: ${r.stderr}`);
      assert.ok(r.stderr.startsWith(`${prefix}: `), `${name} says: ${r.stderr}`);
    }
    const c = await cgi('api-keys.fcgi', '/v1/api-keys/current', db);
    assert.equal(c.status, 500);
    assert.ok(c.stderr.includes(msg), c.stderr);
    assert.ok(!c.out.includes('schema'), 'the client is not told about the schema');
    assert.equal(dump(db), before, 'the newer database was changed');
    t.diagnostic(`refused by uptime-admin, the cron programs and a FastCGI program: "${msg}"`);
  });

  // Regression: the refusal came only after the write lock, so while a
  // newer program was writing, an older one waited the busy timeout and
  // then said "cannot migrate the database: database is locked".
  it('a newer database in use by another writer is refused at once with the same message', async () => {
    const db = atVersion(LATEST);
    sqlite(db, `PRAGMA journal_mode = WAL; PRAGMA user_version = ${LATEST + 1};`);
    const holder = spawn('sqlite3', [db], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      holder.stdin.write("BEGIN IMMEDIATE; INSERT INTO teams (id, name, created_at) VALUES ('team_x', 'x', 1);\n" +
        "SELECT 'held';\n");
      await new Promise((resolve) => holder.stdout.on('data', (d) => { if (String(d).includes('held')) resolve(); }));
      const t0 = performance.now();
      const r = await admin(db, 'migrate');
      const ms = performance.now() - t0;
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `uptime-admin: the database has schema version ${LATEST + 1}, newer than this ` +
        `program's ${LATEST}: upgrade the program; see UPTIME_DB, set in the environment\n`);
      assert.ok(ms < 4000, `refused after ${ms.toFixed(0)} ms: it waited for the lock`);
    } finally {
      holder.stdin.end('ROLLBACK;\n');
      await new Promise((resolve) => holder.on('close', resolve));
    }
  });
});
