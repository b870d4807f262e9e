// Configured behaviour (API.md sections 3, 4 and 6): UPTIME_MAX_KEYS,
// UPTIME_RATE_LIMIT, UPTIME_CORS_ORIGINS; and Idempotency-Key on POST.
// Then the configuration file (docs/lib/config.md): a server whose
// settings come from it, the environment overriding it, and every
// program stopping at a bad line with the file, the line and the setting.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  startServer, createInstance, sleep, makeKey, ADMIN, BINDIR, CRONDIR, SANITIZER_ENV, SANITIZER_RE,
} from './lib/harness.mjs';
import { userIds } from './lib/servers.mjs';
import { assertOk, assertProblem, assertNoChange, show } from './lib/checks.mjs';

const RATE = 8;
const ALLOWED = 'https://allowed.example';
let srv;

before(async () => {
  srv = await startServer({
    env: {
      UPTIME_MAX_KEYS: '3',
      UPTIME_RATE_LIMIT: String(RATE),
      UPTIME_CORS_ORIGINS: `${ALLOWED},https://other.example, https://spaced.example`,
    },
  });
});

after(async () => { await srv?.stop(); });

describe('UPTIME_MAX_KEYS', () => {
  it('limits the active keys of a team', async () => {
    const team = await srv.createTeam('Small');
    const k = await srv.createKey(team, { name: 'one' });
    const two = assertOk(await srv.api('POST', '/v1/api-keys', { key: k, body: { name: 'two', scopes: ['monitors:read'] } }), 201);
    assertOk(await srv.api('POST', '/v1/api-keys', { key: k, body: { name: 'three', scopes: ['monitors:read'] } }), 201);
    await assertNoChange(srv, async () => {
      const p = assertProblem(await srv.api('POST', '/v1/api-keys', { key: k, body: { name: 'four', scopes: ['monitors:read'] } }),
        409, 'limit_exceeded');
      assert.match(p.detail, /3/);
      assert.equal(p.limit, 3);
      assert.equal(p.setting, 'UPTIME_MAX_KEYS');
    });
    assert.equal((await srv.api('DELETE', `/v1/api-keys/${two.id}`, { key: k })).status, 204);
    assertOk(await srv.api('POST', '/v1/api-keys', { key: k, body: { name: 'four', scopes: ['monitors:read'] } }), 201);
  });

  it('holds under concurrent creates (two workers)', async () => {
    const team = await srv.createTeam('Racing');
    const keys = [];
    for (let i = 0; i < 3; i++) keys.push(await srv.createKey(team, { name: `racer ${i}`, scopes: ['api-keys:write', 'monitors:read'] }));
    // 3 active already: revoke two with the admin command to leave room for exactly 2.
    for (const k of keys.slice(1)) {
      const r = await srv.admin('key', 'revoke', (await srv.whoami(k)).id);
      assert.equal(r.code, 0, r.stderr);
    }
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      srv.api('POST', '/v1/api-keys', { key: keys[0], body: { name: `c${i}`, scopes: ['monitors:read'] } })));
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 201, 409, 409, 409, 409], answers.map(show).join('\n'));
  });

  it('expired keys do not count as active', async () => {
    const team = await srv.createTeam('Expiring');
    const k = await srv.createKey(team, { name: 'one' });
    const soon = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    await srv.createKey(team, { name: 'two', scopes: ['monitors:read'], expires: soon });
    assertOk(await srv.api('POST', '/v1/api-keys', { key: k, body: { name: 'three', scopes: ['monitors:read'] } }), 201);
    assertProblem(await srv.api('POST', '/v1/api-keys', { key: k, body: { name: 'four', scopes: ['monitors:read'] } }),
      409, 'limit_exceeded');
    await sleep(soon.getTime() - Date.now() + 50);
    assertOk(await srv.api('POST', '/v1/api-keys', { key: k, body: { name: 'four', scopes: ['monitors:read'] } }), 201);
  });
});

const TODO = {};

describe('rate limiting, per key (UPTIME_RATE_LIMIT)', () => {
  it('RateLimit-* headers on every authenticated answer, 429 rate_limited with Retry-After past the limit', TODO, async () => {
    const team = await srv.createTeam('Busy');
    const k = await srv.createKey(team, { name: 'busy' });
    const other = await srv.createKey(team, { name: 'calm' });
    let last;
    for (let i = 1; i <= RATE; i++) {
      last = await srv.api('GET', '/v1/api-keys/current', { key: k });
      assertOk(last);
      assert.equal(last.headers.get('ratelimit-limit'), String(RATE), show(last));
      assert.equal(last.headers.get('ratelimit-remaining'), String(RATE - i), show(last));
      assert.match(last.headers.get('ratelimit-reset') ?? '', /^\d+$/, show(last));
    }
    const res = await srv.api('GET', '/v1/api-keys/current', { key: k });
    assertProblem(res, 429, 'rate_limited');
    assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
    assert.ok(Number(res.headers.get('retry-after')) <= 60);
    // Another key of the same team has its own budget.
    assertOk(await srv.api('GET', '/v1/api-keys/current', { key: other }));
  });
});

describe('failed authentication is limited per client address', () => {
  it('many 401s from one address end in 429 rate_limited with Retry-After', TODO, async () => {
    let res;
    for (let i = 0; i < 300; i++) {
      res = await srv.api('GET', '/v1/api-keys', { key: makeKey() });
      if (res.status === 429) break;
      assert.equal(res.status, 401, show(res));
    }
    assertProblem(res, 429, 'rate_limited');
    assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
  });
});

describe('Idempotency-Key on POST', () => {
  it('a retry with the same body replays the first answer; another body is 422', TODO, async () => {
    const team = await srv.createTeam('Retrying');
    const k = await srv.createKey(team, { name: 'retry' });
    const req = { key: k, body: { name: 'once', scopes: ['monitors:read'] }, headers: { 'idempotency-key': 'abc-123' } };
    const first = assertOk(await srv.api('POST', '/v1/api-keys', req), 201);
    const again = await srv.api('POST', '/v1/api-keys', req);
    assert.equal(again.status, 201, show(again));
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.json.data.id, first.id);
    const list = assertOk(await srv.api('GET', '/v1/api-keys?perPage=200', { key: k }));
    assert.equal(list.filter((x) => x.name === 'once').length, 1, 'only one key was made');
    assertProblem(await srv.api('POST', '/v1/api-keys', { ...req, body: { name: 'twice', scopes: ['monitors:read'] } }),
      422, 'idempotency_key_reused');
  });
});

describe('UPTIME_CORS_ORIGINS', () => {
  it('an allowed origin is echoed (with Vary: Origin); another gets no Allow-Origin', async () => {
    const team = await srv.createTeam('Browsers');
    const k = await srv.createKey(team, { name: 'browser' });
    const ok = await srv.api('GET', '/v1/api-keys/current', { key: k, headers: { origin: ALLOWED } });
    assertOk(ok);
    assert.equal(ok.headers.get('access-control-allow-origin'), ALLOWED);
    assert.match(ok.headers.get('vary') ?? '', /origin/i);
    const other = await srv.api('GET', '/v1/api-keys/current', { key: k, headers: { origin: 'https://evil.example' } });
    assertOk(other);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  it('preflight from an allowed origin answers; from another, no CORS grant', async () => {
    const pre = (origin) => srv.api('OPTIONS', '/v1/api-keys', {
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    const ok = await pre('https://other.example');
    assert.equal(ok.status, 204, show(ok));
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://other.example');
    const bad = await pre('https://evil.example');
    assert.equal(bad.headers.get('access-control-allow-origin'), null, show(bad));
  });

  it('the list may have spaces after its commas', async () => {
    const res = await srv.api('OPTIONS', '/v1/api-keys', {
      headers: { origin: 'https://spaced.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://spaced.example', show(res));
  });
});

describe('the configuration file, through the server', () => {
  // Settings from the file the example names; one of them overridden by
  // the server's way of passing environment variables.
  let own;
  let key;
  before(async () => {
    own = await startServer({
      settings: { UPTIME_RATE_LIMIT: '5', UPTIME_CORS_ORIGINS: 'https://file.example', UPTIME_MAX_KEYS: '2' },
      env: { UPTIME_CORS_ORIGINS: 'https://env.example' },
    });
    key = await own.createKey(await own.createTeam('From the file'), { name: 'file' });
  });
  after(async () => { await own?.stop(); });

  it('UPTIME_RATE_LIMIT from the file is the RateLimit-Limit of every answer', async () => {
    const res = await own.api('GET', '/v1/api-keys/current', { key });
    assertOk(res);
    assert.equal(res.headers.get('ratelimit-limit'), '5', show(res));
  });

  it('UPTIME_MAX_KEYS from the file limits the keys, and the refusal names it', async () => {
    assertOk(await own.api('POST', '/v1/api-keys', { key, body: { name: 'two', scopes: ['monitors:read'] } }), 201);
    const p = assertProblem(await own.api('POST', '/v1/api-keys', { key, body: { name: 'three', scopes: ['monitors:read'] } }),
      409, 'limit_exceeded');
    assert.equal(p.limit, 2);
    assert.equal(p.setting, 'UPTIME_MAX_KEYS');
  });

  it('negative: the environment overrides the file (UPTIME_CORS_ORIGINS)', async () => {
    const from = async (origin) => (await own.api('GET', '/v1/api-keys/current', { key, headers: { origin } }))
      .headers.get('access-control-allow-origin');
    assert.equal(await from('https://env.example'), 'https://env.example');
    assert.equal(await from('https://file.example'), null);
  });
});

// ---- every program, started directly --------------------------------------

// Run file with args and env (and stdin closed); resolves with
// { code, stdout, stderr }.  uid/gid: run as that user.
function runProgram(file, args, env, ids = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...ids });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
    child.on('error', reject);
    // 'close', not 'exit': its output may still be unread at 'exit'.
    child.on('close', (code) => {
      clearTimeout(timer);
      if (SANITIZER_RE.test(stderr)) reject(new Error(`sanitizer report from ${file}:\n${stderr}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

// The programs that read the configuration: a FastCGI program run as
// plain CGI, the cron programs, uptime-admin.
const PROGRAMS = [
  { name: 'api-keys.fcgi', file: path.join(BINDIR, 'api-keys.fcgi'), args: [],
    env: { GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET', REQUEST_URI: '/v1/api-keys/current', REMOTE_ADDR: '192.0.2.7' } },
  { name: 'uptime-check', file: path.join(CRONDIR, 'uptime-check'), args: ['--once'] },
  { name: 'uptime-maintain', file: path.join(CRONDIR, 'uptime-maintain'), args: [] },
  { name: 'uptime-notify', file: path.join(CRONDIR, 'uptime-notify'), args: [] },
  { name: 'uptime-admin', file: ADMIN, args: ['migrate'] },
].filter((p) => fs.existsSync(p.file));

describe('the configuration file, read by every program', () => {
  let inst;
  let conf;          // a configuration file of this test's own
  let good;          // its good lines
  before(async () => {
    inst = await createInstance();
    conf = path.join(inst.dir, 'test.conf');
    good = `# a comment\n\nUPTIME_DB=${inst.db}\nUPTIME_SECRET_FILE=${inst.secret}\n`;
  });
  after(async () => { await inst?.cleanup(); });

  // Only the file: none of the harness's UPTIME_* variables.
  const envWith = (extra = {}) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('UPTIME_')));
    return { ...base, ...SANITIZER_ENV, UPTIME_CONFIG: conf, ...extra };
  };
  // Each program with the file holding text and the environment extra:
  // fails, and its message says every string of want.
  async function refusedByAll(text, want, extra = {}) {
    await fsp.writeFile(conf, text);
    for (const p of PROGRAMS) {
      const r = await runProgram(p.file, p.args, envWith({ ...(p.env ?? {}), ...extra }));
      if (p.name.endsWith('.fcgi')) assert.match(r.stdout, /^Status: 500 /, `${p.name}: ${r.stdout}`);
      else assert.notEqual(r.code, 0, `${p.name} ran: ${r.stderr}`);
      for (const w of want) assert.ok(r.stderr.includes(w), `${p.name}: "${r.stderr.trim()}" does not say "${w}"`);
    }
  }

  it('every program runs from the file alone', async () => {
    await fsp.writeFile(conf, good);
    for (const p of PROGRAMS) {
      const r = await runProgram(p.file, p.args, envWith(p.env));
      if (p.name.endsWith('.fcgi')) assert.match(r.stdout, /^Status: 401 /, `${p.name}: ${r.stdout}\n${r.stderr}`);
      else assert.equal(r.code, 0, `${p.name}: ${r.stderr}`);
    }
  });

  it('negative: a bad value stops every program, naming the file, the line and the setting', async () => {
    await refusedByAll(`${good}UPTIME_RATE_LIMIT=lots\n`, [`${conf} line 5`, 'UPTIME_RATE_LIMIT']);
  });

  it('negative: a name that is not a setting stops every program, with the nearest one', async () => {
    await refusedByAll(`${good}UPTIME_ALLOW_PRIVATE_TARGET=1\n`,
      [`${conf} line 5`, 'UPTIME_ALLOW_PRIVATE_TARGET is not a setting', 'UPTIME_ALLOW_PRIVATE_TARGETS']);
  });

  it('negative: a line that is not NAME=value stops every program', async () => {
    await refusedByAll(`UPTIME_DB = ${inst.db}\n`, [`${conf} line 1`, 'UPTIME_DB']);
  });

  it('negative: a value from the environment says so', async () => {
    await refusedByAll(good, ['UPTIME_MAX_KEYS', 'from the environment'], { UPTIME_MAX_KEYS: '0' });
  });

  it('negative: a missing file named by UPTIME_CONFIG stops every program', async () => {
    await fsp.rm(conf, { force: true });
    for (const p of PROGRAMS) {
      const r = await runProgram(p.file, p.args, envWith(p.env));
      assert.ok(r.code !== 0 || /^Status: 500 /.test(r.stdout), `${p.name} ran`);
      assert.ok(r.stderr.includes(`${conf} (UPTIME_CONFIG): No such file or directory`), `${p.name}: ${r.stderr}`);
    }
  });

  it('negative: a file the program\'s user cannot read stops it, naming the file', { skip: process.getuid() === 0 ? false : 'needs root' }, async () => {
    const www = userIds('www-data');
    await fsp.writeFile(conf, good, { mode: 0o600 });
    await fsp.chmod(conf, 0o600);
    await fsp.chmod(inst.dir, 0o755);
    const r = await runProgram(ADMIN, ['migrate'], envWith(), { uid: www.uid, gid: www.gid });
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(`cannot read the configuration file ${conf} (UPTIME_CONFIG): Permission denied`), r.stderr);
  });

  it('negative: start-up failures name the setting and the line that set it', async () => {
    await refusedByAll(`UPTIME_DB=/nonexistent/folder/uptime.db\nUPTIME_SECRET_FILE=${inst.secret}\n`,
      ['/nonexistent/folder/uptime.db', `see UPTIME_DB, set in ${conf} line 1`]);
    // The secret: the programs that read it (the FastCGI program).
    await fsp.writeFile(conf, `UPTIME_DB=${inst.db}\nUPTIME_SECRET_FILE=${inst.dir}/no-secret\n`);
    const cgi = PROGRAMS[0];
    const r = await runProgram(cgi.file, cgi.args, envWith(cgi.env));
    assert.match(r.stdout, /^Status: 500 /);
    assert.ok(r.stderr.includes(`see UPTIME_SECRET_FILE, set in ${conf} line 2`), r.stderr);
    const e = await runProgram(cgi.file, cgi.args, envWith({ ...cgi.env, UPTIME_SECRET_FILE: `${inst.dir}/none` }));
    assert.ok(e.stderr.includes('see UPTIME_SECRET_FILE, set in the environment'), e.stderr);
  });
});
