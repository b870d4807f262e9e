// uptime-admin, as an operator uses it (API.md section 1), checked together
// with the API: what it makes must work over HTTP.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { execFile, execFileSync } from 'node:child_process';
import { startServer, createInstance, keyChecksum, ADMIN, ROOT, SANITIZER_ENV, SANITIZER_RE, PG } from './lib/harness.mjs';
import { userIds } from './lib/servers.mjs';
import { assertOk, assertUnauthorized, TEAM_ID_RE, KEY_ID_RE } from './lib/checks.mjs';

let srv;
let team;

before(async () => {
  srv = await startServer();
  team = await srv.createTeam('Operators');
});

after(async () => { await srv?.stop(); });

function assertRefused(r, what) {
  assert.notEqual(r.code, 0, `${what}: exit 0\n${r.stdout}`);
  assert.ok(r.stderr.trim().length > 0, `${what}: no message on stderr`);
  assert.equal(r.stdout, '', `${what}: printed on stdout`);
}

describe('uptime-admin', () => {
  it('init made a 0600 secret file and a database', () => {
    const st = fs.statSync(srv.secret);
    assert.equal(st.mode & 0o777, 0o600);
    // On PostgreSQL init made the schema in the database it was given.
    if (PG) assert.equal(srv.sql('SELECT count(*) AS n FROM teams')[0].n, 1);
    else assert.ok(fs.statSync(srv.db).size > 0);
  });

  it('init again does not replace the secret: existing keys keep working', async () => {
    const k = await srv.createKey(team, { name: 'before re-init', scopes: ['monitors:read'] });
    const secretBefore = fs.readFileSync(srv.secret);
    await srv.admin('init');
    assert.deepEqual(fs.readFileSync(srv.secret), secretBefore);
    assertOk(await srv.api('GET', '/v1/api-keys/current', { key: k }));
  });

  it('migrate is idempotent', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await srv.admin('migrate');
      assert.equal(r.code, 0, r.stderr);
    }
  });

  it('team create prints only the new id', async () => {
    const r = await srv.admin('team', 'create', 'Printed');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^team_[0-9A-Za-z]{20}\n?$/);
    assert.match(r.stdout.trim(), TEAM_ID_RE);
  });

  it('key create prints only the secret, which works with the right scopes and expiry', async () => {
    const exp = new Date(Math.floor(Date.now() / 1000) * 1000 + 3600e3);
    const r = await srv.admin('key', 'create', '--team', team, '--name', 'printed', '--scopes', 'monitors:read,api-keys:read',
      '--expires', exp.toISOString().replace('.000Z', 'Z'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^uptime_[0-9A-Za-z]{38}\n?$/);
    const key = r.stdout.trim();
    assert.equal(key.slice(39), keyChecksum(key.slice(7, 39)));
    assert.ok(!r.stderr.includes(key.slice(7, 39)), 'the secret is not on stderr');
    const me = assertOk(await srv.api('GET', '/v1/api-keys/current', { key }));
    assert.deepEqual([...me.scopes].sort(), ['api-keys:read', 'monitors:read']);
    assert.equal(me.expiresAt, exp.toISOString());
    assert.equal(me.name, 'printed');
    assert.equal(me.createdByKeyId, null);
    assert.equal(me.team.id, team);
  });

  it('--expires takes any offset', async () => {
    const k = await srv.createKey(team, { name: 'offset', scopes: ['monitors:read'], expires: '2099-01-01T12:00:00+02:00' });
    const me = assertOk(await srv.api('GET', '/v1/api-keys/current', { key: k }));
    assert.equal(me.expiresAt, '2099-01-01T10:00:00.000Z');
  });

  it('--scopes all gives the twelve scopes', async () => {
    const k = await srv.createKey(team, { name: 'all', scopes: 'all' });
    const me = assertOk(await srv.api('GET', '/v1/api-keys/current', { key: k }));
    assert.equal(me.scopes.length, 12);
  });

  it('key list shows keys without secrets; key revoke stops a key at once', async () => {
    const k = await srv.createKey(team, { name: 'to revoke', scopes: ['monitors:read'] });
    const id = (await srv.whoami(k)).id;
    const l1 = await srv.admin('key', 'list', '--team', team);
    assert.equal(l1.code, 0, l1.stderr);
    assert.ok(l1.stdout.includes(id));
    assert.ok(l1.stdout.includes(k.slice(0, 15)), 'the list shows the key prefix');
    assert.ok(!l1.stdout.includes(k.slice(7, 39)), 'the list shows no secret');
    const r = await srv.admin('key', 'revoke', id);
    assert.equal(r.code, 0, r.stderr);
    assertUnauthorized(await srv.api('GET', '/v1/api-keys/current', { key: k }), 'invalid_key');
    const l2 = await srv.admin('key', 'list', '--team', team);
    const line = l2.stdout.split('\n').find((x) => x.includes(id));
    assert.match(line, /revoked/);
  });

  it('backup PATH writes a consistent copy', { skip: PG ? 'SQLite only: a PostgreSQL database is backed up with pg_dump' : false }, async () => {
    const dest = path.join(srv.dir, 'copy.db');
    const r = await srv.admin('backup', dest);
    assert.equal(r.code, 0, r.stderr);
    const count = (db) => execFileSync('sqlite3', ['-readonly', db, 'SELECT count(*) FROM api_keys'], { encoding: 'utf8' }).trim();
    assert.equal(count(dest), count(srv.db));
    assert.equal(execFileSync('sqlite3', [dest, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim(), 'ok');
  });

  it('bad arguments: non-zero exit, a message on stderr, nothing on stdout', async () => {
    const cases = [
      [],
      ['frobnicate'],
      ['team'],
      ['team', 'create'],
      ['team', 'create', ''],
      ['team', 'create', 'x'.repeat(256)],
      ['key', 'create'],
      ['key', 'create', '--team', team, '--name', 'x'],
      ['key', 'create', '--team', team, '--scopes', 'all'],
      ['key', 'create', '--team', team, '--name', '', '--scopes', 'all'],
      ['key', 'create', '--team', team, '--name', 'x'.repeat(256), '--scopes', 'all'],
      ['key', 'create', '--team', team, '--name', 'x', '--scopes', 'monitors:admin'],
      ['key', 'create', '--team', team, '--name', 'x', '--scopes', ''],
      ['key', 'create', '--team', team, '--name', 'x', '--scopes', 'monitors:read,'],
      ['key', 'create', '--team', team, '--name', 'x', '--scopes', 'all', '--expires', 'tomorrow'],
      ['key', 'create', '--team', team, '--name', 'x', '--scopes', 'all', '--expires', '2001-01-01T00:00:00Z'],
      ['key', 'create', '--team', team, '--name', 'x', '--scopes', 'all', '--bogus', '1'],
      ['key', 'create', '--team', 'team_' + 'Z'.repeat(20), '--name', 'x', '--scopes', 'all'],
      ['key', 'create', '--team', 'not-a-team', '--name', 'x', '--scopes', 'all'],
      ['key', 'list'],
      ['key', 'revoke'],
      ['key', 'revoke', 'key_' + 'Z'.repeat(20)],
      ['key', 'revoke', 'garbage'],
      ['backup'],
      ['backup', srv.db],
    ];
    const before = srv.snapshot();
    const wrong = [];
    for (const args of cases) {
      try { assertRefused(await srv.admin(...args), `uptime-admin ${args.join(' ')}`); } catch (e) { wrong.push(e.message); }
    }
    assert.deepEqual(wrong, []);
    assert.deepEqual(srv.snapshot(), before, 'refused commands changed nothing');
  });

  it('key list of a team that does not exist is refused, not an empty list', async () => {
    assertRefused(await srv.admin('key', 'list', '--team', 'team_' + 'Z'.repeat(20)), 'key list of an unknown team');
  });

  it('a key id from key list matches the API', async () => {
    const k = await srv.createKey(team, { name: 'match', scopes: ['monitors:read'] });
    const me = await srv.whoami(k);
    assert.match(me.id, KEY_ID_RE);
    const l = await srv.admin('key', 'list', '--team', team);
    assert.ok(l.stdout.split('\n').some((line) => line.includes(me.id) && line.includes(me.keyPrefix)));
  });
});

describe('uptime-admin config check', () => {
  // A folder of its own, made by uptime-admin init as root: its
  // configuration file sets UPTIME_DB, UPTIME_SECRET_FILE and
  // UPTIME_ALLOW_PRIVATE_TARGETS (examples/uptime.conf).
  let inst;
  let conf;
  let text;          // the file as the harness wrote it
  const www = (() => { try { return userIds('www-data'); } catch { return null; } })();

  before(async () => {
    inst = await createInstance();
    conf = inst.configFile;
    text = await fsp.readFile(conf, 'utf8');
  });
  after(async () => { await inst?.cleanup(); });

  // uptime-admin config check with only the file (and env) configuring it.
  function check(args = [], env = {}) {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('UPTIME_')));
    return new Promise((resolve) => {
      execFile(ADMIN, ['config', 'check', ...args], { env: { ...base, ...SANITIZER_ENV, UPTIME_CONFIG: conf, ...env }, encoding: 'utf8' },
        (err, stdout, stderr) => {
          assert.ok(!SANITIZER_RE.test(stderr), stderr);
          resolve({ code: err ? err.code : 0, stdout, stderr });
        });
    });
  }
  const lineOf = (name) => text.split('\n').findIndex((l) => l.startsWith(`${name}=`)) + 1;
  const printed = (stdout) => Object.fromEntries(stdout.split('\n').filter((l) => /^UPTIME_/.test(l))
    .map((l) => { const m = /^([A-Z_]+)=(.*)\t# (.*)$/.exec(l); return [m[1], { value: m[2], from: m[3] }]; }));

  it('prints every setting of README\'s table with its value and where it came from; exit 0 when nothing is wrong', async () => {
    const r = await check([], { UPTIME_RATE_LIMIT: '9' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /no problem found/);
    const got = printed(r.stdout);
    assert.deepEqual(got.UPTIME_DB, { value: inst.db, from: `${conf}:${lineOf('UPTIME_DB')}` });
    assert.deepEqual(got.UPTIME_SECRET_FILE, { value: inst.secret, from: `${conf}:${lineOf('UPTIME_SECRET_FILE')}` });
    assert.deepEqual(got.UPTIME_RATE_LIMIT, { value: '9', from: 'environment' });
    assert.deepEqual(got.UPTIME_MAX_KEYS, { value: '50', from: 'default' });
    assert.match(r.stdout, new RegExp(`^# configuration file: ${conf}$`, 'm'));
    // README's configuration table and the printed list are the same.
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const table = new Set([...readme.matchAll(/^\| `(UPTIME_[A-Z_]+)`(?:, `(UPTIME_[A-Z_]+)`)? \|/gm)]
      .flatMap((m) => [m[1], m[2]]).filter((n) => n && n !== 'UPTIME_CONFIG'));
    assert.deepEqual(Object.keys(got).sort(), [...table].sort());
  });

  it('masks a password in UPTIME_SMTP_URL, and wants the file unreadable by others when it holds one', async () => {
    await fsp.writeFile(conf, `${text}UPTIME_SMTP_URL=smtp://mailer:hunter2@127.0.0.1:25\n`);
    try {
      await fsp.chmod(conf, 0o644);
      const r = await check();
      assert.ok(!r.stdout.includes('hunter2') && !r.stderr.includes('hunter2'), r.stdout + r.stderr);
      assert.equal(printed(r.stdout).UPTIME_SMTP_URL.value, 'smtp://mailer:****@127.0.0.1:25');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /UPTIME_SMTP_URL: its password is in .*, which everyone may read \(mode 0644\)/);
      await fsp.chmod(conf, 0o640);
      const ok = await check();
      assert.equal(ok.code, 0, ok.stderr);
    } finally {
      await fsp.writeFile(conf, text);
      await fsp.chmod(conf, 0o644);
    }
  });

  it('negative: refused values, each named with its file and line, exit 1', async () => {
    const cases = [
      ['UPTIME_PUBLIC_URL=status.example.com', /UPTIME_PUBLIC_URL must be an absolute http:\/\/ or https:\/\/ address/],
      ['UPTIME_SMTP_URL=mail.example.com:25', /UPTIME_SMTP_URL must be empty \(no mail\) or an smtp:\/\/ or smtps:\/\/ address/],
      ['UPTIME_PUBLIC_URLS=https://x.example', /UPTIME_PUBLIC_URLS is not a setting \(did you mean UPTIME_PUBLIC_URL\?\)/],
      ['UPTIME_RATE_LIMIT=0', /UPTIME_RATE_LIMIT must be a whole number from 1/],
    ];
    try {
      for (const [line, want] of cases) {
        await fsp.writeFile(conf, `${text}${line}\n`);
        const n = text.split('\n').length;
        const r = await check();
        assert.equal(r.code, 1, `${line}: ${r.stderr}`);
        assert.match(r.stderr, want, line);
        assert.ok(r.stderr.includes(`${conf} line ${n}`), `${line}: ${r.stderr}`);
        assert.match(r.stderr, /1 problem found/);
      }
      // All at once: every one is reported.
      await fsp.writeFile(conf, `${text}${cases.map(([l]) => l).join('\n')}\n`);
      const all = await check();
      assert.match(all.stderr, /4 problems found/);
      assert.match(printed(all.stdout).UPTIME_PUBLIC_URL.from, /, refused: the default$/);
    } finally {
      await fsp.writeFile(conf, text);
    }
  });

  it('negative: a missing database, a secret others may read, a file others may change', async () => {
    const r1 = await check([], { UPTIME_DB: path.join(inst.dir, 'none.db') });
    assert.equal(r1.code, 1);
    assert.match(r1.stderr, /UPTIME_DB: .*none\.db: No such file or directory \(uptime-admin init creates it\)/);
    try {
      await fsp.chmod(inst.secret, 0o640);
      await fsp.chmod(conf, 0o666);
      const r2 = await check();
      assert.equal(r2.code, 1);
      assert.match(r2.stderr, /UPTIME_SECRET_FILE: .* must be readable by its owner only \(mode 0640\): chmod 600/);
      assert.match(r2.stderr, /UPTIME_CONFIG: .* may be changed by users other than its owner \(mode 0666\)/);
    } finally {
      await fsp.chmod(inst.secret, 0o600);
      await fsp.chmod(conf, 0o644);
    }
  });

  it('negative: --user names the files that user cannot use, with owner and mode', { skip: www && process.getuid() === 0 ? false : 'needs root and www-data' }, async () => {
    // As init left them: root's folder (0700), database and secret
    // (0600).  A PostgreSQL database is no file: nothing to name.
    const r = await check(['--user', 'www-data']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /checked as the user www-data/);
    assert.match(r.stderr, /UPTIME_CONFIG: www-data cannot reach .*: the folder .* \(owner root \(uid 0\), mode 0700\)/);
    if (PG) assert.doesNotMatch(r.stderr, /UPTIME_DB/);
    else assert.match(r.stderr, /UPTIME_DB: www-data cannot reach/);
    assert.match(r.stderr, /UPTIME_SECRET_FILE: www-data cannot reach/);
    // The folder open, the files still root's.
    await fsp.chmod(inst.dir, 0o755);
    const r2 = await check(['--user', 'www-data']);
    if (!PG) {
      assert.match(r2.stderr, /UPTIME_DB: www-data cannot create files in .* \(owner root \(uid 0\), mode 0755\)/);
      assert.match(r2.stderr, /UPTIME_DB: www-data cannot read and write .*uptime\.db \(owner root \(uid 0\), mode 0600\)/);
    }
    assert.match(r2.stderr, /UPTIME_SECRET_FILE: www-data cannot read .*secret \(owner root \(uid 0\), mode 0600\)/);
    // Handed over to www-data: nothing wrong, but a lock file a run as
    // root left behind.
    for (const f of PG ? [inst.dir, inst.secret] : [inst.dir, inst.db, inst.secret]) await fsp.chown(f, www.uid, www.gid);
    for (const f of fs.readdirSync(inst.dir)) if (f.startsWith('uptime.db-')) await fsp.chown(path.join(inst.dir, f), www.uid, www.gid);
    const r3 = await check(['--user', 'www-data']);
    assert.equal(r3.code, 0, r3.stderr);
    if (PG) return;   // the lock files beside a database file: SQLite only
    await fsp.writeFile(`${inst.db}.check.lock`, '', { mode: 0o600 });
    const r4 = await check(['--user', 'www-data']);
    assert.equal(r4.code, 1);
    assert.match(r4.stderr, /UPTIME_DB: www-data cannot read and write .*uptime\.db\.check\.lock \(owner root \(uid 0\), mode 0600\)/);
    await fsp.rm(`${inst.db}.check.lock`);
  });

  it('bad arguments: exit 2, a message on stderr, nothing on stdout', async () => {
    for (const args of [['config'], ['config', 'show'], ['config', 'check', '--user'],
      ['config', 'check', '--user', 'no-such-user-here'], ['config', 'check', 'extra']]) {
      const r = await new Promise((resolve) => execFile(ADMIN, args, { env: { ...process.env, UPTIME_CONFIG: conf } },
        (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr })));
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
      assert.ok(r.stderr.trim(), args.join(' '));
    }
  });
});
