// Who the files belong to (docs/lib/owner.md, docs/deploy.md "The data
// folder and its permissions"): uptime-admin and the cron programs run
// as root on www-data's data folder become www-data, so that they leave
// no file of root's behind; a file a program may not use is named with
// its owner, its mode, the program's user and the fix.  No web server:
// the programs run as Debian's cron, a root shell and the web server
// (as plain CGI) would run them.  Needs root and the user www-data.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ADMIN, BINDIR, CRONDIR, SANITIZER_ENV, SANITIZER_RE, filesUnder, PG } from './lib/harness.mjs';
import { userIds } from './lib/servers.mjs';

const www = (() => { try { return userIds('www-data'); } catch { return null; } })();
const nobody = (() => { try { return userIds('nobody'); } catch { return null; } })();
// The data folders hold SQLite databases of their own (UPTIME_DB a
// file): on a PostgreSQL run the file would be the same as on SQLite.
const skip = PG ? 'SQLite only: data folders with their own database file'
  : process.getuid() !== 0 ? 'needs root' : !www ? 'no www-data user' : false;

let tmp;
let bin;       // the programs, where www-data can reach them
let n = 0;

async function run(file, args, { env, uid, gid }) {
  const r = await new Promise((resolve) => {
    execFile(file, args, { env, cwd: '/', timeout: 60000, encoding: 'utf8', ...(uid !== undefined ? { uid, gid } : {}) },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
  assert.ok(!SANITIZER_RE.test(r.stderr), `${path.basename(file)}: ${r.stderr}`);
  return r;
}

// A data folder of owner's (default www-data), 0700, and the programs'
// environment for it.
async function dataFolder(owner = www) {
  const dir = path.join(tmp, `data${++n}`);
  await fsp.mkdir(dir, { mode: 0o700 });
  await fsp.chown(dir, owner.uid, owner.gid);
  const env = { PATH: '/usr/bin:/bin', ...SANITIZER_ENV, UPTIME_DB: path.join(dir, 'uptime.db'), UPTIME_SECRET_FILE: path.join(dir, 'secret') };
  const as = (ids) => (ids ? { uid: ids.uid, gid: ids.gid } : {});
  return {
    dir, env, db: env.UPTIME_DB, secret: env.UPTIME_SECRET_FILE,
    // user: undefined runs as root.
    admin: (args, user) => run(path.join(bin, 'uptime-admin'), args, { env, ...as(user) }),
    cron: (name, args, user) => run(path.join(bin, name), args, { env, ...as(user) }),
    cgi: (user) => run(path.join(bin, 'api-keys.fcgi'), [], {
      env: { ...env, GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET', REQUEST_URI: '/v1/api-keys/current', REMOTE_ADDR: '127.0.0.1' },
      ...as(user),
    }),
  };
}

// Every file and folder under dir with an owner other than uid.
async function notOwnedBy(dir, uid) {
  const out = [];
  for (const f of [dir, ...await filesUnder(dir)]) {
    if ((await fsp.stat(f)).uid !== uid) out.push(f);
  }
  return out;
}

before(async () => {
  if (skip) return;
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'uptime-owner-'));
  await fsp.chmod(tmp, 0o755);
  bin = path.join(tmp, 'bin');
  await fsp.mkdir(bin, { mode: 0o755 });
  const programs = [ADMIN, path.join(BINDIR, 'api-keys.fcgi'),
    ...['uptime-check', 'uptime-maintain', 'uptime-notify'].map((p) => path.join(CRONDIR, p))];
  for (const p of programs) {
    const to = path.join(bin, path.basename(p));
    try { await fsp.link(p, to); } catch { await fsp.copyFile(p, to); await fsp.chmod(to, 0o755); }
  }
});

after(async () => {
  if (tmp && !process.env.UPTIME_KEEP) await fsp.rm(tmp, { recursive: true, force: true });
});

describe('run as root on www-data\'s data folder', { skip }, () => {
  it('uptime-admin init becomes www-data, says so, and makes www-data\'s files', async () => {
    const d = await dataFolder();
    const r = await d.admin(['init']);
    assert.equal(r.code, 0, r.stderr);
    const team = await d.admin(['team', 'create', 'Owned']);
    assert.equal(team.code, 0, team.stderr);
    const key = await d.admin(['key', 'create', '--team', team.stdout.trim(), '--name', 'k', '--scopes', 'all']);
    assert.equal(key.code, 0, key.stderr);
    assert.deepEqual(await notOwnedBy(d.dir, www.uid), []);
    assert.equal((await fsp.stat(d.secret)).mode & 0o777, 0o600);
    assert.match(r.stderr, new RegExp(`^uptime-admin: running as www-data, the owner of the data folder ${d.dir}$`, 'm'));
    assert.ok(!/is root's/.test(r.stderr), r.stderr);
    // The web server's programs, as www-data, use what root made.
    const cgi = await d.cgi(www);
    assert.equal(cgi.code, 0, cgi.stderr);
    assert.match(cgi.stdout, /^Status: 401 /);
  });

  it('uptime-check, uptime-maintain and uptime-notify leave no file of root\'s, lock files included; www-data runs them next', async () => {
    const d = await dataFolder();
    assert.equal((await d.admin(['init'], www)).code, 0);
    const said = {};
    // uptime-check --once: from cron it would go on checking for a minute.
    const once = (p) => (p === 'uptime-check' ? ['--once'] : []);
    for (const p of ['uptime-check', 'uptime-maintain', 'uptime-notify']) {
      const r = await d.cron(p, once(p));
      assert.equal(r.code, 0, `${p} as root: ${r.stderr}`);
      said[p] = r.stderr;
    }
    for (const l of ['check', 'maintain', 'notify']) assert.ok(fs.existsSync(`${d.db}.${l}.lock`), `no ${l} lock file`);
    assert.deepEqual(await notOwnedBy(d.dir, www.uid), []);
    for (const [p, stderr] of Object.entries(said)) {
      assert.match(stderr, new RegExp(`^${p}: running as www-data, the owner of the data folder ${d.dir}$`, 'm'));
    }
    for (const p of ['uptime-check', 'uptime-maintain', 'uptime-notify']) {
      const r = await d.cron(p, once(p), www);
      assert.equal(r.code, 0, `${p} as www-data after root: ${r.stderr}`);
      assert.ok(!/running as/.test(r.stderr), r.stderr);
    }
  });

  it('negative: init as root in a folder of root\'s says the web server\'s user cannot use it', async () => {
    const d = await dataFolder({ uid: 0, gid: 0 });
    const r = await d.admin(['init']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!/running as/.test(r.stderr), r.stderr);
    assert.ok(r.stderr.includes(`the data folder ${d.dir} is root's`), r.stderr);
    assert.ok(r.stderr.includes(`chown -R www-data: ${d.dir}`), r.stderr);
  });
});

describe('a file the program may not use is named, with its owner, mode, user and fix', { skip }, () => {
  it('negative: a root-owned 0600 secret, read by the web server\'s program and uptime-admin as www-data', async () => {
    const d = await dataFolder();
    assert.equal((await d.admin(['init'])).code, 0);
    await fsp.chown(d.secret, 0, 0);
    const fix = `fix: chown -R www-data: ${d.dir}`;
    const cgi = await d.cgi(www);
    assert.match(cgi.stdout, /^Status: 500 /);
    assert.ok(cgi.stderr.includes(`uptime: cannot open the server secret ${d.secret}: permission denied: it belongs to root, ` +
      `mode 0600, and api-keys.fcgi runs as www-data; ${fix}`), cgi.stderr);
    const key = await d.admin(['key', 'list', '--team', 'team_' + 'Z'.repeat(20)], www);
    assert.equal(key.code, 1);
    assert.ok(key.stderr.includes(`cannot open the server secret ${d.secret}: permission denied: it belongs to root, mode 0600, ` +
      `and uptime-admin runs as www-data; ${fix}`), key.stderr);
  });

  it('negative: a lock file left by root, before uptime-check switched users, as www-data and as root', async () => {
    const d = await dataFolder();
    assert.equal((await d.admin(['init'])).code, 0);
    const lock = `${d.db}.check.lock`;
    await fsp.writeFile(lock, '', { mode: 0o600 });
    const want = `uptime-check: cannot open the lock file ${lock}: permission denied: it belongs to root, mode 0600, ` +
      `and uptime-check runs as www-data; fix: chown -R www-data: ${d.dir}`;
    for (const user of [www, undefined]) {
      const r = await d.cron('uptime-check', [], user);
      assert.equal(r.code, 1, r.stderr);
      assert.ok(r.stderr.includes(want), r.stderr);
    }
  });

  it('negative: a database of root\'s, mode 0600 or 0644, opened by the web server\'s program', async () => {
    for (const mode of [0o600, 0o644]) {
      const d = await dataFolder();
      assert.equal((await d.admin(['init'])).code, 0);
      for (const f of await filesUnder(d.dir)) if (f.startsWith(`${d.db}-`)) await fsp.rm(f);
      await fsp.chown(d.db, 0, 0);
      await fsp.chmod(d.db, mode);
      const cgi = await d.cgi(www);
      assert.match(cgi.stdout, /^Status: 500 /);
      assert.ok(cgi.stderr.includes(`cannot open the database ${d.db}: permission denied: it belongs to root, ` +
        `mode 0${mode.toString(8)}, and api-keys.fcgi runs as www-data; fix: chown -R www-data: ${d.dir}`), cgi.stderr);
    }
  });

  it('negative: a data folder of root\'s, mode 0700: the folder is named', async () => {
    const d = await dataFolder({ uid: 0, gid: 0 });
    assert.equal((await d.admin(['init'])).code, 0);
    const cgi = await d.cgi(www);
    assert.ok(cgi.stderr.includes(`permission denied: the folder ${d.dir} belongs to root, mode 0700, and api-keys.fcgi runs as ` +
      `www-data; fix: chown -R www-data: ${d.dir}`), cgi.stderr);
  });

  it('negative: a cron program run by another user than the folder\'s is told to run as www-data', { skip: nobody ? false : 'no user nobody' }, async () => {
    const d = await dataFolder();
    assert.equal((await d.admin(['init'])).code, 0);
    const r = await d.cron('uptime-maintain', ['--now', '2026-02-14T12:00:00Z'], nobody);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`runs as nobody; fix: runuser -u www-data -- ${path.join(bin, 'uptime-maintain')} ` +
      `--now 2026-02-14T12:00:00Z (the data folder ${d.dir} is www-data's)`), r.stderr);
  });
});
