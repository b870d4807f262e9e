// `make install` (docs/deploy.md): the tree under DESTDIR and PREFIX, the
// installed examples ready to use (no placeholder left, every path they
// name installed), the manifest listing every file it installed, `make
// uninstall` removing exactly those, and the cron and systemd examples
// run as written:
// every job line of the crontab and the ExecStart of every unit, against
// a real instance, as www-data.  No web server here: the server examples
// are run by the other files, once per server kind.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  ROOT, BUILD, BINDIR, CRONDIR, SANITIZER_ENV, SANITIZER_RE, createInstance, filesUnder, sleep, keyChecksum, randomBase62,
} from './lib/harness.mjs';
import { parseEnvLines, unitEnvironment, unitExecStart, userIds, CONTRACT_PREFIXES } from './lib/servers.mjs';

const PREFIX = '/opt/uptime';
const CGIDIR = `${PREFIX}/lib/uptime/cgi-bin`;
const EXAMPLES = `${PREFIX}/share/uptime/examples`;
const SERVER_EXAMPLES = ['lighttpd.conf.example', 'apache.conf.example', 'apache-proxy-fcgi.conf.example',
  'nginx.conf.example', 'htaccess.example'];
// The executables of the contract (API.md section 1): a server example
// may name one that is not built yet, and no other.
const CONTRACT_PROGRAMS = [...new Set(CONTRACT_PREFIXES.map((p) => p.program))];

let tmp;
let dest;          // DESTDIR of the main install, PREFIX=/opt/uptime
let installed;     // what that make install printed
let inst;          // an instance the installed programs run against
let instConf;      // the installed uptime.conf, pointed at inst
const built = {
  programs: fs.readdirSync(BINDIR).filter((f) => f.endsWith('.fcgi')).sort(),
  cron: fs.readdirSync(CRONDIR).filter((f) => fs.statSync(path.join(CRONDIR, f)).isFile()).sort(),
};

function run(file, args, { env = process.env, cwd = ROOT, uid, gid, timeout = 120000 } = {}) {
  return new Promise((resolve) => {
    execFile(file, args, { env, cwd, timeout, maxBuffer: 16 << 20, encoding: 'utf8', ...(uid !== undefined ? { uid, gid } : {}) },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}

// A plain uptime-check (cron's, or the oneshot service's) checks until
// the next instance takes over: start that next one (file, as the same
// user), see the first one (job, a run() promise) hand over and exit,
// then stop the next one with SIGTERM.  Resolves with job's result.
async function handedOver(job, file, { env, uid, gid }) {
  await sleep(1000);
  const next = spawn(file, [], { env, uid, gid, cwd: '/', stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  next.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => next.on('exit', (code, signal) => resolve({ code, signal })));
  const r = await job;
  await sleep(300);
  next.kill('SIGTERM');
  assert.deepEqual(await exited, { code: 0, signal: null }, `the next uptime-check:\n${err}`);
  assert.ok(!SANITIZER_RE.test(err), err);
  return r;
}

// `make install` (or target) with this build, as the suite's Makefile
// run would; fails the test unless it exits with code.
async function makeInstall(vars, { target = 'install', code = 0 } = {}) {
  const env = { ...process.env };
  // Not the outer make's: this is a make of its own.
  for (const k of ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES']) delete env[k];
  const san = process.env.UPTIME_SAN ?? (/san/.test(path.basename(BUILD)) ? '1' : '0');
  // -o all: install what the suite runs on, never rebuild it under the
  // other test files (a tree being edited would).
  const args = ['--no-print-directory', '-s', '-o', 'all', target, `BUILD=${path.relative(ROOT, BUILD) || '.'}`, `SAN=${san}`,
    ...Object.entries(vars).map(([k, v]) => `${k}=${v}`)];
  const r = await run('make', args, { env });
  if (code === 0) assert.equal(r.code, 0, `make ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  else assert.notEqual(r.code, 0, `make ${args.join(' ')} did not fail:\n${r.stdout}`);
  return r;
}

const MANIFEST = `${PREFIX}/share/uptime/install-manifest`;

// Every file and every folder under d, as installed paths ("/opt/...";
// folders end with "/"), sorted.
async function tree(d) {
  const out = [];
  const walk = async (p) => {
    for (const e of await fsp.readdir(p, { withFileTypes: true })) {
      const full = path.join(p, e.name);
      const rel = `/${path.relative(d, full)}`;
      if (e.isDirectory()) {
        out.push(`${rel}/`);
        await walk(full);
      } else out.push(rel);
    }
  };
  if (fs.existsSync(d)) await walk(d);
  return out.sort();
}

// The paths a manifest lists.
const listed = (text) => text.split('\n').filter((l) => l.startsWith('/')).sort();

// The user the installed examples run the programs as.
const www = (() => { try { return userIds('www-data'); } catch { return null; } })();

// An installed path (under PREFIX) as it is on this machine, under DESTDIR.
const here = (p) => path.join(dest, p);
const read = (p) => fsp.readFile(here(p), 'utf8');
const lines = (text) => text.split('\n').filter((l) => l.trim() !== '' && !/^\s*#/.test(l));

before(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'uptime-install-'));
  // www-data runs the installed programs below.
  await fsp.chmod(tmp, 0o755);
  dest = path.join(tmp, 'dest');
  installed = (await makeInstall({ DESTDIR: dest, PREFIX })).stdout;
  inst = await createInstance();
  await fsp.chmod(inst.dir, 0o700);
  if (www) {
    for (const f of [inst.dir, inst.db, inst.secret]) await fsp.chown(f, www.uid, www.gid);
  }
  // The installed configuration file as an operator would adapt it: its
  // paths pointed at the instance, nothing else changed.
  instConf = path.join(tmp, 'uptime.conf');
  await fsp.writeFile(instConf, (await read(`${EXAMPLES}/uptime.conf`))
    .replace('=/var/lib/uptime/uptime.db\n', `=${inst.db}\n`).replace('=/var/lib/uptime/secret\n', `=${inst.secret}\n`));
});

after(async () => {
  await inst?.cleanup();
  if (tmp && !process.env.UPTIME_KEEP) await fsp.rm(tmp, { recursive: true, force: true });
});

describe('make install', () => {
  it('puts every file under DESTDIR + PREFIX and nowhere else', async () => {
    const all = (await filesUnder(dest)).map((f) => path.relative(dest, f));
    assert.ok(all.length > 20, `only ${all.length} files installed`);
    assert.deepEqual(all.filter((f) => !f.startsWith(PREFIX.slice(1) + '/')), []);
  });

  it('installs the programs, byte for byte, executable', async () => {
    const bin = (await fsp.readdir(here(`${PREFIX}/bin`))).sort();
    assert.deepEqual(bin, ['uptime-admin', ...built.cron].sort());
    const cgi = (await fsp.readdir(here(CGIDIR))).sort();
    assert.deepEqual(cgi, built.programs);
    const pairs = [
      [path.join(BUILD, 'bin', 'uptime-admin'), `${PREFIX}/bin/uptime-admin`],
      ...built.cron.map((f) => [path.join(CRONDIR, f), `${PREFIX}/bin/${f}`]),
      ...built.programs.map((f) => [path.join(BINDIR, f), `${CGIDIR}/${f}`]),
    ];
    for (const [from, to] of pairs) {
      const st = await fsp.stat(here(to));
      assert.equal(st.mode & 0o777, 0o755, `${to} mode ${(st.mode & 0o777).toString(8)}`);
      assert.ok((await fsp.readFile(from)).equals(await fsp.readFile(here(to))), `${to} differs from ${from}`);
    }
  });

  it("installs the agent of a probe location; its cron line and unit run it with options it takes", async () => {
    assert.ok((await fsp.readdir(here(`${PREFIX}/bin`))).includes('uptime-probe'));
    const [file, ...args] = unitExecStart(await read(`${EXAMPLES}/uptime-probe.service`));
    assert.equal(file, `${PREFIX}/bin/uptime-probe`);
    const job = (await read(`${EXAMPLES}/uptime-probe.cron`)).split('\n').filter((l) => l && !l.startsWith('#'));
    assert.equal(job.length, 1);
    const [, cronArgs] = job[0].split(`exec ${PREFIX}/bin/uptime-probe `);
    assert.ok(cronArgs.split(/\s+/).includes('--once'), job[0]);
    // Against a closed port: the options taken, the server unreachable.
    // The unit's agent keeps trying until stopped: SIGTERM after a few
    // seconds ends it (exit 1, as the server was never reached); the
    // cron line's ends by itself.
    const spool = await fsp.mkdtemp(path.join(tmp, 'spool-'));
    const random = randomBase62(32);
    for (const [a, timeout] of [[args, 5000], [cronArgs.split(/\s+/), 120000]]) {
      const given = a.map((x) => (x === 'https://uptime.example.com' ? 'http://127.0.0.1:9' : x === '/var/lib/uptime-probe' ? spool : x));
      const r = await run(here(file), given, {
        env: { PATH: '/usr/bin:/bin', ...SANITIZER_ENV, UPTIME_PROBE_TOKEN: `uptloc_${random}${keyChecksum(random)}` },
        timeout,
      });
      assert.equal(r.code, 1, `${given.join(' ')}:\n${r.stderr}`);
      assert.match(r.stderr, /lease: the server cannot be reached/);
    }
  });

  it('installs the schema, the docs and every example', async () => {
    assert.deepEqual((await fsp.readdir(here(`${PREFIX}/share/uptime/schema`))).sort(),
      (await fsp.readdir(path.join(ROOT, 'schema'))).filter((f) => f.endsWith('.sql')).sort());
    const docs = await fsp.readdir(here(`${PREFIX}/share/doc/uptime`));
    for (const f of ['README.md', 'deploy.md', 'api.md', 'openapi.yaml', 'lib']) assert.ok(docs.includes(f), `doc ${f} missing`);
    assert.deepEqual((await fsp.readdir(here(`${PREFIX}/share/doc/uptime/lib`))).sort(),
      (await fsp.readdir(path.join(ROOT, 'docs', 'lib'))).filter((f) => f.endsWith('.md')).sort());
    const examples = (await filesUnder(here(EXAMPLES))).map((f) => path.relative(here(EXAMPLES), f)).sort();
    const want = [
      ...SERVER_EXAMPLES,
      ...(await fsp.readdir(path.join(ROOT, 'examples'), { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name),
      ...(await fsp.readdir(path.join(ROOT, 'examples', 'systemd'))).map((f) => `systemd/${f}`),
    ];
    assert.deepEqual(examples, [...new Set(want)].sort());
    for (const u of ['uptime-check.service', 'uptime-check.timer', 'uptime-maintain.service', 'uptime-maintain.timer',
      'uptime-check-loop.service', 'uptime-fcgi@.service']) {
      assert.ok(examples.includes(`systemd/${u}`), `systemd/${u} missing`);
    }
  });

  it('the installed examples have no placeholder left and never name DESTDIR', async () => {
    for (const f of await filesUnder(here(EXAMPLES))) {
      const text = await fsp.readFile(f, 'utf8');
      assert.deepEqual(lines(text).join('\n').match(/@[A-Z_]+@/g) ?? [], [], path.relative(dest, f));
      assert.ok(!text.includes(tmp), `${path.relative(dest, f)} names the DESTDIR`);
    }
  });

  it('every server example maps every installed program, and names no other', async () => {
    for (const f of SERVER_EXAMPLES) {
      const text = lines(await read(`${EXAMPLES}/${f}`)).join('\n');
      // Programs by file or socket name, and nginx's "set $uptime_program NAME".
      const named = new Set([...text.matchAll(/(?<![\w$])([a-z][a-z-]*)\.(?:fcgi|sock)\b/g)].map((m) => m[1])
        .concat([...text.matchAll(/set \$uptime_program\s+([a-z-]+);/g)].map((m) => m[1])));
      for (const p of built.programs) {
        assert.ok(named.has(p.slice(0, -5)), `${f} does not map ${p}`);
      }
      for (const n of named) assert.ok(CONTRACT_PROGRAMS.includes(n), `${f} names ${n}, which is no program of the contract`);
      // The programs it names by path are where make install put them.
      for (const m of text.matchAll(new RegExp(`${CGIDIR}/([a-z-]+)\\.fcgi`, 'g'))) {
        if (built.programs.includes(`${m[1]}.fcgi`)) assert.ok(fs.existsSync(here(m[0])), `${f}: ${m[0]} not installed`);
      }
    }
  });

  it('prints every file it installs, and lists each, with every folder it made, in the manifest', async () => {
    const all = await tree(dest);
    // DESTDIR was empty: every folder is one install made.
    assert.deepEqual(listed(await read(MANIFEST)), all);
    const printed = [...installed.matchAll(/^ {2}INSTALL +(\S+)$/gm)].map((m) => m[1]).sort();
    assert.deepEqual(printed, all.filter((f) => !f.endsWith('/')));
    assert.equal((await fsp.stat(here(MANIFEST))).mode & 0o777, 0o644);
  });

  it('make uninstall removes every file and folder it installed, installed twice or not', async () => {
    const d = path.join(tmp, 'uninstall');
    await makeInstall({ DESTDIR: d, PREFIX });
    await makeInstall({ DESTDIR: d, PREFIX });
    const made = listed(await fsp.readFile(path.join(d, MANIFEST), 'utf8'));
    const r = await makeInstall({ DESTDIR: d, PREFIX }, { target: 'uninstall' });
    assert.deepEqual(await tree(d), [], r.stdout);
    const removed = [...r.stdout.matchAll(/^ {2}REMOVE +(\S+)$/gm)].map((m) => m[1]).sort();
    assert.deepEqual(removed, made);
  });

  it('make uninstall leaves the data and files it did not install', async () => {
    const d = path.join(tmp, 'keep');
    await makeInstall({ DESTDIR: d, PREFIX });
    const mine = [`${PREFIX}/share/uptime/examples/mine.conf`, '/var/lib/uptime/uptime.db', '/var/lib/uptime/secret'];
    for (const f of mine) {
      await fsp.mkdir(path.dirname(path.join(d, f)), { recursive: true });
      await fsp.writeFile(path.join(d, f), 'mine\n');
    }
    await makeInstall({ DESTDIR: d, PREFIX }, { target: 'uninstall' });
    const left = await tree(d);
    assert.deepEqual(left.filter((f) => !f.endsWith('/')), mine.sort());
    // The folders left are those that hold them.
    assert.deepEqual(left.filter((f) => f.endsWith('/')),
      [...new Set(mine.flatMap((f) => f.split('/').slice(1, -1).map((_, i, a) => `/${a.slice(0, i + 1).join('/')}/`)))].sort());
  });

  it('installed again, it removes what the last install had and this one does not', async () => {
    const d = path.join(tmp, 'again');
    await makeInstall({ DESTDIR: d, PREFIX });
    const old = `${PREFIX}/bin/uptime-gone`;
    await fsp.writeFile(path.join(d, old), 'old\n');
    await fsp.appendFile(path.join(d, MANIFEST), `${old}\n`);
    const r = await makeInstall({ DESTDIR: d, PREFIX });
    assert.match(r.stdout, new RegExp(`^ {2}REMOVE +${old}$`, 'm'));
    assert.ok(!fs.existsSync(path.join(d, old)));
    assert.ok(!listed(await fsp.readFile(path.join(d, MANIFEST), 'utf8')).includes(old));
  });

  it('negative: make uninstall with no manifest says so and removes nothing', async () => {
    const d = path.join(tmp, 'nothing');
    const other = path.join(d, PREFIX, 'bin', 'other-tool');
    await fsp.mkdir(path.dirname(other), { recursive: true });
    await fsp.writeFile(other, 'x');
    const r = await makeInstall({ DESTDIR: d, PREFIX }, { target: 'uninstall', code: 1 });
    assert.match(r.stderr, /install-manifest is missing/);
    assert.deepEqual(await tree(d), ['/opt/', '/opt/uptime/', '/opt/uptime/bin/', '/opt/uptime/bin/other-tool']);
  });

  it('PREFIX defaults to /usr/local', async () => {
    const d = path.join(tmp, 'default');
    await makeInstall({ DESTDIR: d });
    assert.ok(fs.existsSync(path.join(d, 'usr/local/bin/uptime-admin')));
    assert.ok(fs.existsSync(path.join(d, 'usr/local/lib/uptime/cgi-bin/api-keys.fcgi')));
    const unit = await fsp.readFile(path.join(d, 'usr/local/share/uptime/examples/systemd/uptime-check.service'), 'utf8');
    assert.match(unit, /^ExecStart=\/usr\/local\/bin\/uptime-check$/m);
  });

  it('negative: a relative PREFIX is refused and installs nothing', async () => {
    const d = path.join(tmp, 'relative');
    const env = { ...process.env };
    for (const k of ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES']) delete env[k];
    const r = await run('sh', [path.join(ROOT, 'scripts', 'install.sh')],
      { env: { ...env, BUILD, PREFIX: 'opt/uptime', DESTDIR: d } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /PREFIX must be an absolute path/);
    assert.ok(!fs.existsSync(d));
  });
});

describe('the installed programs', () => {
  it('uptime-admin and a program as plain CGI work from the installed tree', async () => {
    const env = { ...process.env, ...SANITIZER_ENV, UPTIME_DB: inst.db, UPTIME_SECRET_FILE: inst.secret };
    const ids = www ?? {};
    const team = await run(here(`${PREFIX}/bin/uptime-admin`), ['team', 'create', 'Installed'], { env, ...ids });
    assert.equal(team.code, 0, team.stderr);
    const key = await run(here(`${PREFIX}/bin/uptime-admin`), ['key', 'create', '--team', team.stdout.trim(), '--name', 'i', '--scopes', 'all'], { env, ...ids });
    assert.equal(key.code, 0, key.stderr);
    const r = await run(here(`${CGIDIR}/api-keys.fcgi`), [], {
      env: { ...env, GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET', REQUEST_URI: '/v1/api-keys/current',
        HTTP_AUTHORIZATION: `Bearer ${key.stdout.trim()}`, REMOTE_ADDR: '127.0.0.1' },
      ...ids,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Status: 200 /);
    assert.ok(!SANITIZER_RE.test(r.stderr), r.stderr);
  });
});

describe('examples/crontab, installed', () => {
  let env;
  let jobs;
  before(async () => {
    const text = await read(`${EXAMPLES}/crontab`);
    env = parseEnvLines(text);
    jobs = lines(text).filter((l) => !/^[A-Z_]+=/.test(l)).map((l) => {
      const f = l.split(/\s+/);
      return { schedule: f.slice(0, 5).join(' '), user: f[5], command: f.slice(6).join(' ') };
    });
  });

  it('names the installed configuration file, and sets nothing else', () => {
    assert.deepEqual(env, { UPTIME_CONFIG: '/etc/uptime/uptime.conf' });
  });

  it('runs uptime-check every minute and uptime-maintain hourly, as www-data', () => {
    const byProgram = (p) => jobs.filter((j) => j.command.split(/\s+/).includes(`${PREFIX}/bin/${p}`));
    assert.deepEqual(byProgram('uptime-check').map((j) => j.schedule), ['* * * * *']);
    const m = byProgram('uptime-maintain');
    assert.equal(m.length, 1);
    assert.match(m[0].schedule, /^[0-5]?[0-9] \* \* \* \*$/);
    assert.deepEqual(byProgram('uptime-notify').map((j) => j.schedule), ['* * * * *']);
    for (const j of jobs) assert.equal(j.user, 'www-data', j.command);
  });

  it('every job runs as written, as its user, against a real database', { skip: www ? false : 'no www-data user' }, async () => {
    assert.ok(jobs.length >= 3);
    for (const j of jobs) {
      const command = j.command.replaceAll(PREFIX, here(PREFIX));
      // cron's environment: the crontab's lines, with the
      // configuration file of the instance.
      const opts = {
        env: { PATH: '/usr/bin:/bin', ...env, ...SANITIZER_ENV, UPTIME_CONFIG: instConf },
        uid: www.uid, gid: www.gid, cwd: '/',
      };
      const job = run('/bin/sh', ['-c', command], opts);
      const r = command.split(/\s+/).includes(here(`${PREFIX}/bin/uptime-check`))
        ? await handedOver(job, here(`${PREFIX}/bin/uptime-check`), opts) : await job;
      assert.equal(r.code, 0, `${j.command}:\n${r.stderr}`);
      assert.ok(!SANITIZER_RE.test(r.stderr), r.stderr);
    }
  });
});

describe('examples/uptime.conf and examples/systemd, installed', () => {
  let units;
  let fileEnv;
  before(async () => {
    units = {};
    for (const f of await fsp.readdir(here(`${EXAMPLES}/systemd`))) units[f] = await read(`${EXAMPLES}/systemd/${f}`);
    fileEnv = parseEnvLines(await read(`${EXAMPLES}/uptime.conf`));
  });

  const key = (text, k) => [...text.matchAll(new RegExp(`^${k}=(.*)$`, 'gm'))].map((m) => m[1]);

  it('uptime.conf holds the installed defaults', () => {
    assert.deepEqual(Object.keys(fileEnv).sort(), ['UPTIME_ALLOW_PRIVATE_TARGETS', 'UPTIME_DB', 'UPTIME_PUBLIC_URL', 'UPTIME_SECRET_FILE']);
    assert.equal(fileEnv.UPTIME_DB, '/var/lib/uptime/uptime.db');
    assert.equal(fileEnv.UPTIME_SECRET_FILE, '/var/lib/uptime/secret');
    assert.equal(fileEnv.UPTIME_ALLOW_PRIVATE_TARGETS, '0');
  });

  it('every timer starts a service that is there, on its schedule', () => {
    const timers = Object.keys(units).filter((u) => u.endsWith('.timer'));
    assert.ok(timers.includes('uptime-check.timer') && timers.includes('uptime-maintain.timer'));
    for (const t of timers) {
      assert.ok(units[t.replace(/\.timer$/, '.service')], `${t} has no service`);
      assert.deepEqual(key(units[t], 'WantedBy'), ['timers.target'], t);
    }
    assert.deepEqual(key(units['uptime-check.timer'], 'OnCalendar'), ['*-*-* *:*:00']);
    assert.deepEqual(key(units['uptime-maintain.timer'], 'OnCalendar'), ['hourly']);
  });

  it('every service runs an installed program as www-data, with the installed configuration file', () => {
    for (const [u, text] of Object.entries(units)) {
      if (!u.endsWith('.service')) continue;
      assert.deepEqual(unitEnvironment(text), { UPTIME_CONFIG: '/etc/uptime/uptime.conf' }, u);
      assert.deepEqual(key(text, 'EnvironmentFile'), [], u);
      const [file] = unitExecStart(text, 'api-keys');
      if (u === 'uptime-fcgi@.service') {
        assert.equal(file, '/usr/bin/spawn-fcgi');
        assert.match(text, /-u www-data/);
        continue;
      }
      assert.deepEqual(key(text, 'User'), ['www-data'], u);
      const guarded = key(text, 'ConditionPathExists').includes(file);
      assert.ok(guarded || fs.existsSync(here(file)), `${u}: ${file} is not installed`);
    }
    assert.deepEqual(unitExecStart(units['uptime-check-loop.service']), [`${PREFIX}/bin/uptime-check`, '--loop']);
  });

  // The ExecStart lines as systemd would run them: as User=, with
  // UPTIME_CONFIG pointed at the instance's copy of the installed file.
  const unitEnv = () => ({ PATH: '/usr/bin:/bin', ...SANITIZER_ENV, UPTIME_CONFIG: instConf });

  it('the oneshot services run to success', { skip: www ? false : 'no www-data user' }, async () => {
    for (const u of ['uptime-check.service', 'uptime-maintain.service']) {
      const [file, ...args] = unitExecStart(units[u]);
      const opts = { env: unitEnv(), uid: www.uid, gid: www.gid, cwd: '/' };
      const job = run(here(file), args, opts);
      const r = u === 'uptime-check.service' ? await handedOver(job, here(file), opts) : await job;
      assert.equal(r.code, 0, `${u}:\n${r.stderr}`);
      assert.ok(!SANITIZER_RE.test(r.stderr), r.stderr);
    }
  });

  it('uptime-check-loop.service keeps running and stops cleanly on SIGTERM', { skip: www ? false : 'no www-data user' }, async () => {
    const [file, ...args] = unitExecStart(units['uptime-check-loop.service']);
    const child = spawn(here(file), args, { env: unitEnv(), uid: www.uid, gid: www.gid, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    await sleep(1500);
    assert.equal(child.exitCode, null, `it stopped by itself:\n${err}`);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    const r = await exited;
    clearTimeout(timer);
    assert.deepEqual(r, { code: 0, signal: null }, err);
    assert.ok(!SANITIZER_RE.test(err), err);
  });

  it('systemd-analyze verify accepts every unit of an install under a real PREFIX', {
    skip: fs.existsSync('/usr/bin/systemd-analyze') ? false : 'systemd-analyze is not installed',
  }, async () => {
    const prefix = path.join(tmp, 'root');
    await makeInstall({ PREFIX: prefix });
    const dir = path.join(prefix, 'share/uptime/examples/systemd');
    const files = [];
    for (const u of await fsp.readdir(dir)) {
      // A template is verified as one of its instances; the notifier's
      // units only once it is installed.
      if (u.startsWith('uptime-notify.') && !fs.existsSync(path.join(prefix, 'bin/uptime-notify'))) continue;
      const name = u.replace('@.service', '@api-keys.service');
      if (name !== u) await fsp.copyFile(path.join(dir, u), path.join(dir, name));
      files.push(path.join(dir, name));
    }
    const r = await run('/usr/bin/systemd-analyze', ['verify', ...files], { env: { ...process.env, SYSTEMD_LOG_LEVEL: 'warning' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.trim(), '', r.stderr);
  });
});
