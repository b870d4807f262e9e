// The same executable run as plain CGI (shared hosting): API.md section 1.
// No web server here: the program is started directly with a CGI/1.1
// environment and the body on stdin, as mod_cgi would.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import fsp from 'node:fs/promises';
import { createInstance, BINDIR, SANITIZER_RE, noteSecret, makeKey, sleep } from './lib/harness.mjs';
import { TIME_RE, KEY_ID_RE } from './lib/checks.mjs';

const PROGRAM = path.join(BINDIR, 'api-keys.fcgi');
let inst;
let team;
let admin;

before(async () => {
  inst = await createInstance();
  team = await inst.createTeam('CGI team');
  admin = await inst.createKey(team, { name: 'cgi admin' });
});

after(async () => { await inst?.cleanup(); });

// Run one CGI request.  stdin: what to write (then close), or
// { data, keepOpen: true } to leave stdin open.  on: the instance (inst).
function cgi({ method = 'GET', uri, key = admin, body, contentLength, contentType, stdin, env = {}, timeout = 15000, on = inst, program = PROGRAM }) {
  const [p, q = ''] = uri.split('?');
  const e = {
    ...on.env,
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    SERVER_SOFTWARE: 'node-test',
    REQUEST_METHOD: method,
    REQUEST_URI: uri,
    SCRIPT_NAME: '',
    PATH_INFO: p,
    QUERY_STRING: q,
    REMOTE_ADDR: '192.0.2.7',
    ...env,
  };
  if (key) e.HTTP_AUTHORIZATION = `Bearer ${key}`;
  const data = body !== undefined ? Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) : null;
  if (data) {
    e.CONTENT_TYPE = contentType ?? 'application/json';
    e.CONTENT_LENGTH = String(contentLength ?? data.length);
  } else if (contentLength !== undefined) {
    e.CONTENT_LENGTH = String(contentLength);
    if (contentType) e.CONTENT_TYPE = contentType;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(program, [], { env: e, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    let err = '';
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => { err += d; });
    child.stdin.on('error', () => { /* the program may stop reading */ });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`CGI run timed out; stderr:\n${err}`)); }, timeout);
    child.on('error', (x) => { clearTimeout(timer); reject(x); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (SANITIZER_RE.test(err)) { reject(new Error(`sanitizer report:\n${err}`)); return; }
      resolve({ code, signal, stderr: err, ...parse(Buffer.concat(out)) });
    });
    if (stdin?.keepOpen) {
      if (stdin.data) child.stdin.write(stdin.data);
    } else {
      child.stdin.end(stdin ?? data ?? undefined);
    }
  });
}

// Split CGI output into status, headers and body.
function parse(buf) {
  const raw = buf.toString('utf8');
  const m = /\r?\n\r?\n/.exec(raw);
  assert.ok(m, `no blank line after the CGI headers:\n${raw.slice(0, 500)}`);
  const head = raw.slice(0, m.index).split(/\r?\n/);
  const text = raw.slice(m.index + m[0].length);
  const headers = new Map();
  for (const line of head) {
    const h = /^([A-Za-z0-9-]+):[ \t]*(.*)$/.exec(line);
    assert.ok(h, `bad CGI header line ${JSON.stringify(line)}`);
    headers.set(h[1].toLowerCase(), h[2]);
  }
  const st = /^(\d{3})(?: (.*))?$/.exec(headers.get('status') ?? '');
  assert.ok(st, `no Status header: ${JSON.stringify(head)}`);
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  if (json?.data?.key) noteSecret(json.data.key);
  return { status: Number(st[1]), reason: st[2], headers, text, json, raw };
}

describe('plain CGI', () => {
  it('GET: Status line, headers, blank line, JSON body', async () => {
    const r = await cgi({ uri: '/v1/api-keys' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.raw, /^Status: 200 OK\r?\n/);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.ok(r.headers.get('x-request-id'));
    assert.match(r.headers.get('cache-control') ?? '', /no-store/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(Array.isArray(r.json.data));
    assert.equal(r.json.data.length, 1);
    assert.match(r.json.data[0].id, KEY_ID_RE);
    assert.match(r.json.meta.timestamp, TIME_RE);
    assert.equal(r.json.meta.requestId, r.headers.get('x-request-id'));
  });

  it('POST with a body on stdin creates a key', async () => {
    const r = await cgi({ method: 'POST', uri: '/v1/api-keys', body: { name: 'from cgi', scopes: ['monitors:read'] } });
    assert.equal(r.status, 201, r.raw);
    assert.match(r.raw, /^Status: 201 /);
    assert.equal(r.headers.get('location'), `/v1/api-keys/${r.json.data.id}`);
    assert.match(r.json.data.key, /^uptime_[0-9A-Za-z]{38}$/);
    // The key works, and its last use is the CGI client's address.
    const me = await cgi({ uri: '/v1/api-keys/current', key: r.json.data.key });
    assert.equal(me.status, 200, me.raw);
    assert.equal(me.json.data.id, r.json.data.id);
    const got = await cgi({ uri: `/v1/api-keys/${r.json.data.id}` });
    assert.equal(got.json.data.lastUsedIp, '192.0.2.7');
  });

  it('routes the same when mounted under a sub-path', async () => {
    const plain = await cgi({ uri: '/v1/api-keys?status=all' });
    const mounted = await cgi({ uri: '/uptime/v1/api-keys?status=all', env: { SCRIPT_NAME: '/uptime/v1/api-keys', PATH_INFO: '' } });
    assert.equal(mounted.status, 200, mounted.raw);
    assert.deepEqual(mounted.json.data, plain.json.data);
    const cur = await cgi({ uri: '/uptime/v1/api-keys/current' });
    assert.equal(cur.status, 200, cur.raw);
    const deep = await cgi({ uri: '/a/b/v1/audit-events' });
    assert.equal(deep.status, 200, deep.raw);
    const nf = await cgi({ uri: '/uptime/v1/api-keys/key_aaaaaaaaaaaaaaaaaaaa' });
    assert.equal(nf.status, 404, nf.raw);
    assert.equal(nf.json.code, 'not_found');
  });

  it('Location and Link: relative under the clean mount prefix used, absolute from UPTIME_PUBLIC_URL when set', async () => {
    const body = { name: 'mounted', scopes: ['monitors:read'] };
    const rel = await cgi({ method: 'POST', uri: '/uptime/v1/api-keys', body });
    assert.equal(rel.status, 201, rel.raw);
    assert.equal(rel.headers.get('location'), `/uptime/v1/api-keys/${rel.json.data.id}`);
    const env = { UPTIME_PUBLIC_URL: 'https://status.example.com/uptime/' };
    const abs = await cgi({ method: 'POST', uri: '/uptime/v1/api-keys', body, env });
    assert.equal(abs.status, 201, abs.raw);
    assert.equal(abs.headers.get('location'), `https://status.example.com/uptime/v1/api-keys/${abs.json.data.id}`);
    // The public URL replaces whatever prefix the client used.
    const other = await cgi({ method: 'POST', uri: '/other/v1/api-keys', body, env });
    assert.equal(other.headers.get('location'), `https://status.example.com/uptime/v1/api-keys/${other.json.data.id}`);
    const list = await cgi({ uri: '/v1/api-keys?perPage=1', env });
    assert.match(list.headers.get('link'), /^<https:\/\/status\.example\.com\/uptime\/v1\/api-keys\?perPage=1&cursor=[^>]+>; rel="next"$/);
  });

  it('negative: a mount prefix with an empty, "." or ".." segment is 404 and makes nothing', async () => {
    const count = () => inst.sql("SELECT count(*) AS n FROM api_keys WHERE name = 'reflected'")[0].n;
    for (const uri of ['//evil.example/../v1/api-keys', '/uptime//v1/api-keys', '/./v1/api-keys', '/x/../v1/api-keys',
      '/%2e%2e/v1/api-keys', '/\\evil.example/v1/api-keys']) {
      for (const env of [{}, { UPTIME_PUBLIC_URL: 'https://status.example.com' }]) {
        const r = await cgi({ method: 'POST', uri, body: { name: 'reflected', scopes: ['monitors:read'] }, env });
        assert.equal(r.status, 404, `${uri}: ${r.raw}`);
        assert.equal(r.json.code, 'not_found');
        assert.match(r.json.detail, /mount prefix/);
        assert.equal(r.headers.get('location'), undefined);
        assert.ok(!r.raw.includes('evil'), r.raw);
      }
    }
    assert.equal(count(), 0);
  });

  it('errors are problem+json in CGI too', async () => {
    const r = await cgi({ uri: '/v1/api-keys', key: null });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
    assert.match(r.headers.get('www-authenticate'), /^Bearer realm="uptime"/);
    assert.equal(r.json.code, 'missing_credentials');
  });

  it('reads exactly CONTENT_LENGTH bytes of stdin, ignoring what follows', async () => {
    const json = JSON.stringify({ name: 'exact', scopes: ['monitors:read'] });
    const r = await cgi({
      method: 'POST', uri: '/v1/api-keys', body: json + 'GARBAGE AFTER THE BODY', contentLength: Buffer.byteLength(json),
    });
    assert.equal(r.status, 201, r.raw);
    assert.equal(r.json.data.name, 'exact');
  });

  it('negative: a CONTENT_LENGTH larger than what stdin holds does not hang, and is refused', async () => {
    // The client went away mid-body: stdin ends early.  Even a body that
    // parses is not acted on: it is not what the client sent.
    const json = JSON.stringify({ name: 'short', scopes: ['monitors:read'] });
    for (const body of [json.slice(0, 20), json]) {
      const r = await cgi({ method: 'POST', uri: '/v1/api-keys', body, contentLength: json.length + 100 });
      assert.equal(r.status, 400, r.raw);
      assert.equal(r.json.code, 'bad_request');
      assert.match(r.json.detail, new RegExp(`ended after ${Buffer.byteLength(body)} of its ${json.length + 100} `));
    }
    assert.equal(inst.sql("SELECT count(*) AS n FROM api_keys WHERE name = 'short'")[0].n, 0);
  });

  it('a CONTENT_LENGTH over 1 MiB is 413 at once, without reading stdin', async () => {
    const r = await cgi({
      method: 'POST', uri: '/v1/api-keys', contentLength: 5 * 1024 * 1024, contentType: 'application/json',
      stdin: { keepOpen: true, data: '{"name":' },
    });
    assert.equal(r.status, 413, r.raw);
    assert.equal(r.json.code, 'body_too_large');
  });

  it('a refused body is still read to its end, so that gateways pass the answer on (fcgiwrap)', async () => {
    // 401 before the body matters, and 413 past 1 MiB: stdin is read
    // anyway, or the write of a body larger than a pipe holds fails.
    for (const [key, size, status] of [['uptime_bad', 300 * 1024, 401], [admin, (1 << 20) + 100, 413]]) {
      const data = Buffer.alloc(size, 'x');
      let wrote = 0;
      const r = await new Promise((resolve, reject) => {
        const e = { ...inst.env, GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'POST', REQUEST_URI: '/v1/api-keys',
          HTTP_AUTHORIZATION: `Bearer ${key}`, CONTENT_TYPE: 'application/json', CONTENT_LENGTH: String(size), REMOTE_ADDR: '192.0.2.7' };
        const child = spawn(PROGRAM, [], { env: e, stdio: ['pipe', 'pipe', 'pipe'] });
        const out = [];
        child.stdout.on('data', (d) => out.push(d));
        child.stdin.on('error', reject);
        child.on('close', () => resolve(parse(Buffer.concat(out))));
        child.stdin.end(data, () => { wrote = size; });
      });
      assert.equal(r.status, status, r.raw.slice(0, 300));
      assert.equal(wrote, size, 'the program stopped reading before the end of the body');
    }
  });

  it('a bad CONTENT_LENGTH is 400', async () => {
    for (const cl of ['abc', '-5', '12abc', '99999999999999999999999']) {
      const r = await cgi({ method: 'POST', uri: '/v1/api-keys', body: '{}', contentLength: cl });
      assert.ok(r.status === 400 || r.status === 413, `${cl}: ${r.raw}`);
      assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
    }
  });

  it('a bad configuration value answers 500 and names the variable on stderr, not in the body', async () => {
    const r = await cgi({ uri: '/v1/api-keys', env: { UPTIME_RATE_LIMIT: 'lots' } });
    assert.equal(r.status, 500, r.raw);
    assert.match(r.stderr, /UPTIME_RATE_LIMIT/);
    assert.ok(!r.text.includes('lots'));
  });

  it('a server secret file readable by others is refused', async () => {
    const copy = path.join(inst.dir, 'secret-0644');
    await fsp.copyFile(inst.secret, copy);
    await fsp.chmod(copy, 0o644);
    const r = await cgi({ uri: '/v1/api-keys', env: { UPTIME_SECRET_FILE: copy } });
    assert.equal(r.status, 500, r.raw);
    assert.match(r.stderr, /secret/i);
    assert.ok(!r.text.includes(copy), 'no paths in the body');
  });

  it('the not-configured 500 still carries X-Request-Id, requestId and Cache-Control', async () => {
    const r = await cgi({ uri: '/v1/api-keys', env: { UPTIME_RATE_LIMIT: 'lots' } });
    assert.equal(r.status, 500, r.raw);
    assert.ok(r.headers.get('x-request-id'), `no X-Request-Id:\n${r.raw}`);
    assert.equal(r.json.requestId, r.headers.get('x-request-id'));
    assert.match(r.headers.get('cache-control') ?? '', /no-store/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  });

  it('a database it cannot open answers 500 without internals', async () => {
    const r = await cgi({ uri: '/v1/api-keys', env: { UPTIME_DB: '/nonexistent/dir/uptime.db' } });
    assert.equal(r.status, 500, r.raw);
    assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
    assert.equal(r.json.code, 'internal');
    assert.ok(!r.text.includes('/nonexistent'), 'no paths in the body');
    assert.ok(!/sqlite/i.test(r.text), 'no library names in the body');
  });
});

describe('failed authentication from many client addresses (docs/reliability.md "Rate limits that cannot be switched off")', () => {
  // Each test has an instance of its own (its own counters), and starts
  // with at least 20 s of the calendar minute left: the counts are per
  // minute.
  const LIMIT = 3;
  let own;
  const fail = (addr) => cgi({
    uri: '/v1/api-keys', key: makeKey(), on: own, env: { REMOTE_ADDR: addr, UPTIME_AUTH_FAIL_LIMIT: String(LIMIT) },
  });
  async function start() {
    await own?.cleanup();
    own = await createInstance();
    const left = 60000 - (Date.now() % 60000);
    if (left < 20000) await sleep(left + 200);
  }
  after(async () => { await own?.cleanup(); });

  it('negative: the addresses of one IPv6 /64 share one budget; other /64s and IPv4 addresses have their own', async () => {
    await start();
    for (const a of ['2001:db8:0:1::1', '2001:db8:0:1::2', '2001:db8:0:1:ffff:ffff:ffff:fffe']) {
      assert.equal((await fail(a)).status, 401, a);
    }
    const r = await fail('2001:db8:0:1::4');
    assert.equal(r.status, 429, r.raw);
    assert.equal(r.json.code, 'rate_limited');
    assert.match(r.headers.get('retry-after') ?? '', /^\d+$/);
    assert.equal((await fail('2001:db8:0:2::1')).status, 401, 'another /64');
    // An IPv4 client is itself, also when written IPv4-mapped.
    for (let i = 0; i < LIMIT; i++) assert.equal((await fail(i % 2 ? '::ffff:192.0.2.200' : '192.0.2.200')).status, 401);
    assert.equal((await fail('::ffff:192.0.2.200')).status, 429);
    assert.equal((await fail('192.0.2.201')).status, 401);
  });

  it('negative: failures from many addresses write at most UPTIME_AUTH_FAIL_LIMIT audit events a minute', async () => {
    await start();
    let said = 0;
    for (let i = 1; i <= 8; i++) {
      for (let j = 0; j < LIMIT; j++) {
        const r = await fail(`198.51.100.${i}`);
        assert.equal(r.status, 401, r.raw);
        if (/not recorded/.test(r.stderr)) said++;
      }
    }
    // 24 answered 401, LIMIT written; the log says so once.
    assert.equal(own.sql("SELECT count(*) AS n FROM audit_events WHERE action = 'auth.failed'")[0].n, LIMIT);
    assert.equal(said, 1);
  });
});

describe('failed invitation accepts from many client addresses (docs/reliability.md "Per-address limits and IPv6")', () => {
  // team.fcgi as CGI, REMOTE_ADDR set: a loopback server cannot send from
  // the addresses of one IPv6 /64.  10 failures a window per client.
  const FAILS = 10;
  let own;
  const accept = (addr) => cgi({
    method: 'POST', uri: '/v1/invites/accept', key: null, on: own, program: path.join(BINDIR, 'team.fcgi'),
    body: { token: `inv_${'x'.repeat(40)}`, name: 'Mallory' }, env: { REMOTE_ADDR: addr },
  });
  before(async () => { own = await createInstance(); });
  after(async () => { await own?.cleanup(); });

  it('negative: the addresses of one IPv6 /64 share the limit; another /64 does not; IPv4-mapped is IPv4', async () => {
    for (let i = 0; i < FAILS; i++) {
      const r = await accept(`2001:db8:7:1:${i.toString(16)}::${i + 1}`);
      assert.equal(r.status, 410, r.raw);
    }
    const r = await accept('2001:db8:7:1:ffff:ffff:ffff:ffff');
    assert.equal(r.status, 429, r.raw);
    assert.equal(r.json.code, 'rate_limited');
    assert.match(r.headers.get('retry-after') ?? '', /^\d+$/);
    assert.equal((await accept('2001:db8:7:2::1')).status, 410, 'another /64');
    for (let i = 0; i < FAILS; i++) assert.equal((await accept(i % 2 ? '::ffff:192.0.2.210' : '192.0.2.210')).status, 410);
    assert.equal((await accept('::ffff:192.0.2.210')).status, 429);
    assert.equal((await accept('192.0.2.210')).status, 429);
    assert.equal((await accept('192.0.2.211')).status, 410);
  });
});
