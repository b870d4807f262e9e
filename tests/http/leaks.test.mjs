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
//   ended it, and no leak check ever ran in a worker.
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
