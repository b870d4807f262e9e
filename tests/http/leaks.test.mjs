// Leaks (issue 11, part 7): the programs run under LeakSanitizer in the
// sanitizer build, so they must end through main() for it to look, and
// what they allocate must be freed.  These are the regressions of what
// turning detect_leaks on found; the whole suite runs with it on
// (tests/http/lib/harness.mjs, suppressions in tests/lsan.supp), and
// docs/reliability.md has the figures.
//
// - A FastCGI worker stopped with SIGTERM (as lighttpd, mod_fcgid and
//   systemd stop them) exits 0 through main(), also with a request in
//   hand, which it answers first.  Before, the signal's default action
//   ended it, and no leak check ever ran in a worker.  It does so at once
//   also when the signal comes as a connection is being accepted.
// - uptime-notify with nothing due freed nothing of the empty batch.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  BINDIR, SANITIZER_ENV, SANITIZER_RE, createInstance, runCron, sleep,
} from './lib/harness.mjs';

const LEAKS_ON = {
  ...SANITIZER_ENV,
  ASAN_OPTIONS: SANITIZER_ENV.ASAN_OPTIONS.replace(/detect_leaks=\d/, 'detect_leaks=1'),
};
const have = (p) => fs.existsSync(p);

let inst;

before(async () => {
  inst = await createInstance();
});

after(async () => {
  await inst?.cleanup();
});

// A worker under spawn-fcgi -n (it execs the program with the listening
// socket as descriptor 0, as a FastCGI manager does).
function startWorker(name, sock) {
  const child = spawn('spawn-fcgi', ['-n', '-s', sock, '--', path.join(BINDIR, `${name}.fcgi`)], {
    env: { ...inst.env, ...LEAKS_ON }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const w = { child, output: '' };
  child.stdout.on('data', (d) => { w.output += d; });
  child.stderr.on('data', (d) => { w.output += d; });
  w.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return w;
}

async function waitFor(p) {
  for (let i = 0; i < 300 && !fs.existsSync(p); i++) await sleep(20);
  assert.ok(fs.existsSync(p), `${p} did not appear`);
}

// One request through cgi-fcgi (libfcgi-bin); resolves with its output.
function fcgiRequest(sock, uri) {
  return new Promise((resolve) => {
    execFile('cgi-fcgi', ['-bind', '-connect', sock], {
      env: { REQUEST_METHOD: 'GET', REQUEST_URI: uri, SCRIPT_NAME: '', SERVER_PROTOCOL: 'HTTP/1.1' },
      encoding: 'utf8', timeout: 30000,
    }, (err, stdout) => resolve(stdout));
  });
}

describe('FastCGI workers stop cleanly on SIGTERM', { skip: !have('/usr/bin/spawn-fcgi') && 'spawn-fcgi is missing' }, () => {
  it('a worker signalled while it starts exits 0 too', async () => {
    const sock = path.join(inst.dir, 'starting.sock');
    const w = startWorker('ping', sock);
    await waitFor(sock);
    w.child.kill('SIGTERM');
    const e = await w.exited;
    // spawn-fcgi -n makes the socket before the program runs: the signal
    // may come before the handler is there (then SIGTERM ends it, which
    // is all one can ask before main() runs).
    if (e.signal === null) assert.equal(e.code, 0, w.output);
    else assert.equal(e.signal, 'SIGTERM');
    assert.doesNotMatch(w.output, SANITIZER_RE);
  });

  it('an idle worker exits 0 through main(), with no sanitizer report', async () => {
    const sock = path.join(inst.dir, 'idle.sock');
    const w = startWorker('team', sock);
    await waitFor(sock);
    if (have('/usr/bin/cgi-fcgi')) assert.match(await fcgiRequest(sock, '/v1/team'), /^Status: 401/m);
    await sleep(200);
    w.child.kill('SIGTERM');
    const e = await w.exited;
    assert.deepEqual(e, { code: 0, signal: null }, w.output);
    assert.doesNotMatch(w.output, SANITIZER_RE);
  });

  it('a worker signalled in the middle of a request answers it, then exits 0', { skip: !have('/usr/bin/cgi-fcgi') && 'cgi-fcgi is missing' }, async () => {
    const sock = path.join(inst.dir, 'busy.sock');
    const w = startWorker('api-keys', sock);
    await waitFor(sock);
    assert.match(await fcgiRequest(sock, '/v1/api-keys/current'), /^Status: 401/m);
    // The signal comes while the worker takes the next request.
    const answer = fcgiRequest(sock, '/v1/api-keys/current');
    w.child.kill('SIGTERM');
    const text = await answer;
    const e = await w.exited;
    assert.deepEqual(e, { code: 0, signal: null }, w.output);
    // Either answered (it had the request) or never accepted it: never a
    // half answer.
    if (text) assert.match(text, /^Status: 401/m, text);
    assert.doesNotMatch(w.output, SANITIZER_RE);
  });

  // libfcgi's OS_Accept() went on for ever with the socket of its last
  // try when the stop came while it waited for a new connection's first
  // bytes (docs/reliability.md "A FastCGI worker's stop"): a few rounds
  // in a hundred, until a watchdog ended the worker 3 s later.
  it('signalled again and again under load, a worker exits 0 within 1 s every time and leaves no process', { skip: !have('/usr/bin/cgi-fcgi') && 'cgi-fcgi is missing', timeout: 300e3 }, async () => {
    const rounds = Number(process.env.UPTIME_STOP_ROUNDS || 100);
    const slow = [];
    for (let i = 0; i < rounds; i++) {
      const sock = path.join(inst.dir, `load${i}.sock`);
      const w = startWorker('api-keys', sock);
      await waitFor(sock);
      // The socket is spawn-fcgi's, made before the worker runs: one
      // answer says the worker is up (on a loaded machine it may take
      // longer than the pause below to get there).
      await fcgiRequest(sock, '/v1/api-keys/current');
      let stop = false;
      const load = [];
      for (let c = 0; c < 6; c++) load.push((async () => { while (!stop) await fcgiRequest(sock, '/v1/api-keys/current'); })());
      await sleep(20 + (i * 37) % 100);
      const t0 = performance.now();
      w.child.kill('SIGTERM');
      const killer = setTimeout(() => w.child.kill('SIGKILL'), 10000);
      const e = await w.exited;
      const ms = performance.now() - t0;
      clearTimeout(killer);
      stop = true;
      await Promise.all(load);
      assert.deepEqual(e, { code: 0, signal: null }, `round ${i}: ${w.output}`);
      assert.doesNotMatch(w.output, SANITIZER_RE);
      assert.throws(() => process.kill(w.child.pid, 0), { code: 'ESRCH' }, `round ${i}: the worker is still there`);
      if (ms >= 1000) slow.push(`round ${i}: ${Math.round(ms)} ms`);
      fs.rmSync(sock, { force: true });
    }
    assert.deepEqual(slow, [], `workers that took 1 s or more to stop, of ${rounds}`);
  });
});

describe('cron programs free what they take', () => {
  it('uptime-notify with nothing due leaks nothing (runCron fails on a report)', async () => {
    const r = await runCron(inst, 'uptime-notify', [], { env: LEAKS_ON });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, SANITIZER_RE);
  });

  it('uptime-check and uptime-maintain with nothing to do leak nothing', async () => {
    for (const [name, args] of [['uptime-check', ['--once']], ['uptime-maintain', []]]) {
      const r = await runCron(inst, name, args, { env: LEAKS_ON });
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    }
  });
});
